/* The crash test's two halves, both through the real file store.
 *
 * usage: update_loop run PATH PROGRESS EVERY [READY_FD]
 *        update_loop check PATH BASE32SECRET [PROGRESS]
 *
 * run: update the record at PATH as fast as logins would, until killed:
 * open and lock, read, last_step + 1, store the state in place
 * (store_write_state), or every EVERY-th time replace the whole record
 * (store_rewrite: temporary file, fsync, rename), unlock. PROGRESS (at
 * offset 0, fixed width) gets the step the record held when the loop
 * first read it, then each step only after the store call that stored it
 * has returned: so PROGRESS never claims more than is stored, and at most
 * one update (the one killed) is ahead of it. With READY_FD, one byte is
 * written there once the first update is stored and reported: the test
 * waits for it, so that a kill always lands in a loop that is updating,
 * however slowly this machine starts a process.
 *
 * check: the record at PATH opens through the store (a safe regular file)
 * and parses, holds exactly the secret BASE32SECRET, and, given PROGRESS,
 * its last step is the committed one or the one after it (the update the
 * kill interrupted), never older. Prints "last_step=N seq=N slot=N
 * slots_valid=N". Exit 0 when all holds, 1 with the reason on stderr. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base32.h"
#include "secure.h"
#include "store.h"

static const struct store_user root_user = { "root", 0, 0, "/root" };

/* The step last written to PROGRESS; 0 with *step set, -1 otherwise. */
static int
read_progress(const char *path, int64_t *step)
{
	char buf[64], *end;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	errno = 0;
	*step = strtoll(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0'))
		return -1;
	return 0;
}

/* Write step to PROGRESS at offset 0, fixed width. 0 or -1. */
static int
report(int pfd, int64_t step)
{
	char line[32];

	snprintf(line, sizeof(line), "%020" PRId64 "\n", step);
	return pwrite(pfd, line, strlen(line), 0) == (ssize_t)strlen(line) ? 0 : -1;
}

static int
run(const char *path, const char *progress, unsigned every, int ready_fd)
{
	char err[512];
	int pfd = open(progress, O_RDWR | O_CLOEXEC);

	if (pfd < 0) {
		perror(progress);
		return 1;
	}
	for (unsigned long i = 1;; i++) {
		struct totp_store *s = NULL;
		struct totp_record rec;
		struct totp_state next;
		int rc;

		if (store_file_open(path, &root_user, 0, 10, &s, err, sizeof(err)) != STORE_OK ||
		    store_read(s, &rec, err, sizeof(err)) != STORE_OK) {
			fprintf(stderr, "update_loop: %s\n", err);
			store_close(s);
			return 1;
		}
		/* what the record holds is stored too: an update the previous
		 * run finished but could not report is the base of this one */
		if (i == 1 && report(pfd, rec.state.last_step) != 0) {
			perror(progress);
			store_close(s);
			record_wipe(&rec);
			return 1;
		}
		next = rec.state;
		next.last_step++;
		if (every > 0 && i % every == 0) {
			rec.state = next;
			rc = store_rewrite(s, &rec, err, sizeof(err));
		} else {
			rc = store_write_state(s, &rec, &next, err, sizeof(err));
		}
		store_close(s);
		record_wipe(&rec);
		if (rc != 0) {
			fprintf(stderr, "update_loop: %s\n", err);
			return 1;
		}
		if (report(pfd, next.last_step) != 0) {
			perror(progress);
			return 1;
		}
		if (i == 1 && ready_fd >= 0) {
			if (write(ready_fd, "r", 1) != 1) {
				perror("update_loop: ready");
				return 1;
			}
			close(ready_fd);
		}
	}
}

static int
check(const char *path, const char *secret, const char *progress)
{
	char err[512];
	uint8_t want[OTP_KEY_MAX];
	size_t want_len = 0;
	int64_t committed = 0;
	struct totp_store *s = NULL;
	struct totp_record rec;
	int ret = 1;

	memset(&rec, 0, sizeof(rec));
	if (base32_decode(secret, want, sizeof(want), &want_len) != 0) {
		fprintf(stderr, "check: bad base32 secret\n");
		return 1;
	}
	if (progress != NULL && read_progress(progress, &committed) != 0) {
		fprintf(stderr, "check: cannot read %s\n", progress);
		return 1;
	}
	if (store_file_open(path, &root_user, 0, 10, &s, err, sizeof(err)) != STORE_OK ||
	    store_read(s, &rec, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "check: %s\n", err);
		goto out;
	}
	printf("last_step=%" PRId64 " seq=%" PRIu64 " slot=%d slots_valid=%d\n",
	       rec.state.last_step, rec.state.seq, rec.state_slot, rec.slots_valid);
	if (rec.secret_len != want_len || memcmp(rec.secret, want, want_len) != 0) {
		fprintf(stderr, "check: the secret changed\n");
		goto out;
	}
	if (progress != NULL && rec.state.last_step < committed) {
		fprintf(stderr, "check: last step %" PRId64 " went back behind the committed %" PRId64 "\n",
			rec.state.last_step, committed);
		goto out;
	}
	if (progress != NULL && rec.state.last_step > committed + 1) {
		fprintf(stderr, "check: last step %" PRId64 " is beyond the committed %" PRId64 " + 1\n",
			rec.state.last_step, committed);
		goto out;
	}
	ret = 0;
out:
	store_close(s);
	record_wipe(&rec);
	secure_wipe(want, sizeof(want));
	return ret;
}

int
main(int argc, char **argv)
{
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "run") == 0)
		return run(argv[2], argv[3], (unsigned)strtoul(argv[4], NULL, 10),
			   argc == 6 ? atoi(argv[5]) : -1);
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "check") == 0)
		return check(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	fprintf(stderr, "usage: update_loop run PATH PROGRESS EVERY [READY_FD]\n"
		"       update_loop check PATH BASE32SECRET [PROGRESS]\n");
	return 2;
}
