/* The store benchmark's driver: accepted logins through the real libpam,
 * timed one by one, in one process per user at once.
 *
 *   store_bench CONFDIR SERVICE N USER...
 *
 * For each USER a process of its own runs N logins: pam_start_confdir
 * (the service file in CONFDIR), pam_authenticate answering the code,
 * pam_end; only pam_authenticate is timed (CLOCK_MONOTONIC). Every login
 * is accepted, which needs a time step not used before: the driver defines
 * time() and exports it (linked -export-dynamic), so pam_totp.so, loaded
 * by libpam, reads a clock the driver moves on by one period per login.
 * Each record must hold the secret below, SHA1, 6 digits, 30 s. The clock
 * starts far ahead of the real one, and STORE_BENCH_RUN=K (0, 1, ...) moves
 * it past the steps earlier runs of N logins used.
 *
 * Output: "logins=N wall_s=W per_s=R median_us=M p90_us=P max_us=X" and
 * exit 0 when every login was accepted. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <security/pam_appl.h>

#include "base32.h"
#include "otp.h"

#define SECRET_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define PERIOD 30

static int64_t fake_now;

/* pam_totp's clock (exported: the module's call resolves here). */
time_t
time(time_t *t)
{
	if (t != NULL)
		*t = (time_t)fake_now;
	return (time_t)fake_now;
}

static char answer[OTP_CODE_SIZE];

static int
converse(int num, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct pam_response *r = calloc((size_t)num, sizeof(*r));

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < num; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(answer);
	*resp = r;
	return PAM_SUCCESS;
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* N accepted logins for user; latencies (us) into out. 0 when all passed. */
static int
run_user(const char *confdir, const char *service, const char *user, long n,
	 int64_t start, double *out)
{
	struct pam_conv conv = { converse, NULL };
	uint8_t key[64];
	size_t key_len;

	if (base32_decode(SECRET_B32, key, sizeof(key), &key_len) != 0)
		return 1;
	for (long i = 0; i < n; i++) {
		pam_handle_t *pamh = NULL;
		double t0;
		int rc;

		fake_now = start + (int64_t)i * PERIOD;
		if (otp_totp(key, key_len, OTP_ALG_SHA1, fake_now, PERIOD, 6, answer) != 0)
			return 1;
		if (pam_start_confdir(service, user, &conv, confdir, &pamh) != PAM_SUCCESS)
			return 1;
		t0 = now_us();
		rc = pam_authenticate(pamh, 0);
		out[i] = now_us() - t0;
		pam_end(pamh, rc);
		if (rc != PAM_SUCCESS) {
			fprintf(stderr, "store_bench: %s: login %ld: %s\n", user, i,
				pam_strerror(NULL, rc));
			return 1;
		}
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	long n;
	int users, failed = 0;
	double *all, t0, wall;
	int64_t start;
	char tmpl[] = "/tmp/store_bench.XXXXXX";
	int fd;

	if (argc < 5 || (n = atol(argv[3])) <= 0) {
		fprintf(stderr, "usage: store_bench CONFDIR SERVICE N USER...\n");
		return 2;
	}
	users = argc - 4;
	all = calloc((size_t)(n * users), sizeof(*all));
	fd = mkstemp(tmpl);
	if (all == NULL || fd < 0)
		goto fail;
	unlink(tmpl);
	/* a clock well past every step the records have seen */
	{
		struct timespec ts;

		const char *run = getenv("STORE_BENCH_RUN");

		clock_gettime(CLOCK_REALTIME, &ts);
		start = (int64_t)ts.tv_sec + 1000000000LL +
			(run != NULL ? atol(run) : 0) * (n + 10) * PERIOD;
	}
	t0 = now_us();
	for (int u = 0; u < users; u++) {
		pid_t pid = fork();

		if (pid == 0) {
			double *mine = calloc((size_t)n, sizeof(*mine));
			int rc = mine == NULL || run_user(argv[1], argv[2], argv[4 + u], n, start, mine);

			if (pwrite(fd, mine, sizeof(*mine) * (size_t)n,
				   (off_t)(sizeof(*mine) * (size_t)n * (size_t)u)) < 0)
				rc = 1;
			_exit(rc);
		}
		if (pid < 0)
			goto fail;
	}
	for (int u = 0; u < users; u++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed = 1;
	}
	wall = (now_us() - t0) / 1e6;
	if (pread(fd, all, sizeof(*all) * (size_t)(n * users), 0) < 0)
		goto fail;
	close(fd);
	qsort(all, (size_t)(n * users), sizeof(*all), cmp_double);
	printf("logins=%ld wall_s=%.2f per_s=%.0f median_us=%.0f p90_us=%.0f max_us=%.0f\n",
	       n * users, wall, (double)(n * users) / wall, all[(n * users) / 2],
	       all[(n * users) * 9 / 10], all[n * users - 1]);
	free(all);
	return failed;
fail:
	free(all);
	return 2;
}
