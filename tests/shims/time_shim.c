/* The tests' clock. time() is the only wall clock the module and
 * totp-enroll read (the lock wait and the database deadlines use
 * CLOCK_MONOTONIC, which this leaves alone). With PAM_TOTP_TEST_NOW set
 * to epoch seconds when a program starts, its time() returns that instead
 * of the real time: a test gives the code under test its time instead of
 * waiting for the clock, so a step boundary never falls inside a test,
 * and a lock-out expires when the test moves the clock on.
 *
 * Two ways in, one definition: linked into the test drivers (pam_login,
 * make_record) and exported from them (-export-dynamic), the
 * module's calls resolve to it as the benchmark's driver does; built as
 * libtimeshim.so, it is preloaded into the programs the tests run as they
 * are (totp-enroll, sshd). Never built into anything that is installed. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

/* The fake time, read once when the program starts: sshd's PAM process
 * empties its environment before the module runs, but keeps this. -1:
 * the real clock. */
static long long test_now = -1;

__attribute__((constructor)) static void
read_test_clock(void)
{
	const char *fake = getenv("PAM_TOTP_TEST_NOW");
	char *end;

	if (fake == NULL || *fake == '\0')
		return;
	errno = 0;
	test_now = strtoll(fake, &end, 10);
	if (errno != 0 || *end != '\0' || test_now < 0)
		abort(); /* a test that sets a bad clock must not run on the real one */
}

time_t
time(time_t *out)
{
	time_t now;

	if (test_now >= 0) {
		now = (time_t)test_now;
	} else {
		struct timespec ts;

		/* the real clock, without calling back into an interposed symbol */
		syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts);
		now = ts.tv_sec;
	}
	if (out != NULL)
		*out = now;
	return now;
}
