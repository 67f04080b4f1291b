/* The benchmark driver: pam_totp and the two modules people install today
 * (google-authenticator-libpam, pam_oath), measured the same way through
 * the real libpam.
 *
 *   pam_bench run DIR TOTP_SO GA_SO OATH_SO USER0 USER1..USER16
 *       every figure for the three modules, and the durable-write floor
 *   pam_bench count MODULE DIR SO USER ok|fail|replay N
 *       N logins of one kind, each through counted_authenticate (callgrind);
 *       replay: each step's code used a second time (a burst's refusals)
 *   pam_bench seq DIR TOTP_SO GA_SO OATH_SO USER
 *       figures 1, 2, 7 and 9 only (quick, for working on the login path)
 *   pam_bench burst DIR TOTP_SO GA_SO OATH_SO USER
 *       figure 8 only; PAM_BENCH_ONLY=pam_totp (or another module's name
 *       as the figures print it) runs one module's bursts, for profiling
 *   pam_bench cold DIR TOTP_SO GA_SO OATH_SO USER
 *       figures 10 to 12 only: cold logins (see "cold logins" below)
 *   pam_bench compare DIR TOTP_SO BEFORE_SO OATH_SO USER
 *       two builds of pam_totp side by side with pam_oath in one run (figures
 *       1, 2, 8, 9 and 10 to 12); BEFORE_SO's figures are named
 *       pam_totp_before (bench/compare.sh builds it from an older commit)
 *   pam_bench cold-count MODULE DIR SO USER ok|fail|replay [WRAP...]
 *       one cold login of that kind in a fresh process, run through WRAP
 *       (valgrind and its options, say), after the logins that set the
 *       record up for it
 *
 * MODULE is totp, ga or oath; SO is what a service file names (a path or
 * a module name); DIR is a scratch directory on the disk being measured;
 * USERn are accounts that exist (pam_totp looks the user up). Output: CSV
 * lines "module,metric,value" on stdout; raw samples go to the file named by
 * PAM_BENCH_SAMPLES when it is set.
 *
 * Every login is its own pam_start_confdir / pam_authenticate / pam_end
 * with a service directory of the bench's own; only pam_authenticate is
 * timed (CLOCK_MONOTONIC). Each successful login needs a code for a time
 * step not used before, so the driver fakes the wall clock for all three
 * modules alike: it defines time(), gettimeofday() and clock_gettime() and
 * exports them (-export-dynamic), so the modules' calls resolve to them and
 * see a clock the driver moves on by one period per login. Monotonic
 * clocks are left alone. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <security/pam_appl.h>

#include "base32.h"
#include "common.h"
#include "otp.h"
#include "record.h"
#include "store.h"

#define SECRET_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define SECRET_HEX "3132333435363738393031323334353637383930"
#define PERIOD 30
#define PAR_PROCS 16
#define PAR_ROUNDS 50
#define BURST_MAX 32
#define SCALE_MAX 100000

/* the first fake time: mid-step, one step after the real one */
static int64_t
fake_start(void)
{
	struct timespec ts;

	real_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec / PERIOD + 1) * PERIOD + PERIOD / 2;
}

/* ---- modules and their stores ---- */

enum mod { M_TOTP, M_GA, M_OATH };

struct bench {
	enum mod mod;
	const char *name;	/* for the CSV */
	const char *so;
	char dir[PATH_MAX];	/* scratch root */
	char store[PATH_MAX];	/* this phase's store */
	char confdir[PATH_MAX];
	uint8_t key[32];
	size_t key_len;
	char totp_text[4096];	/* a formatted pam_totp record, for dummies */
	size_t totp_len;
	FILE *samples;
};

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static void dief(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void
dief(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "pam_bench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

static void
write_file(const char *path, const char *text, size_t len, mode_t mode, int durable)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0)
		die(path);
	if (fchmod(fd, mode) != 0 || write(fd, text, len) != (ssize_t)len)
		die(path);
	if (durable && fsync(fd) != 0)
		die(path);
	if (close(fd) != 0)
		die(path);
}

/* A new store directory for a phase, and the service file that uses it:
 * every module with its replay protection on, its defaults otherwise,
 * records owned by root (an administrator-managed store). */
static void
new_phase(struct bench *b, const char *phase)
{
	char path[PATH_MAX + 64], line[3 * PATH_MAX];

	if (snprintf(b->store, sizeof(b->store), "%s/%s-%s", b->dir, b->name, phase) >=
	    (int)sizeof(b->store) ||
	    snprintf(b->confdir, sizeof(b->confdir), "%s/%s-%s.pam", b->dir, b->name, phase) >=
	    (int)sizeof(b->confdir))
		dief("path too long: %s", b->dir);
	if (mkdir(b->store, 0700) != 0 || mkdir(b->confdir, 0755) != 0)
		die(b->store);
	switch (b->mod) {
	case M_TOTP:
		snprintf(line, sizeof(line), "auth required %s secret=%s/%%u\n", b->so, b->store);
		break;
	case M_GA:
		/* user=root: the files are root's, like the other two stores */
		snprintf(line, sizeof(line), "auth required %s secret=%s/${USER} user=root\n",
			 b->so, b->store);
		break;
	case M_OATH:
		snprintf(line, sizeof(line), "auth required %s usersfile=%s/users.oath window=1 digits=6\n",
			 b->so, b->store);
		break;
	}
	snprintf(path, sizeof(path), "%s/bench", b->confdir);
	write_file(path, line, strlen(line), 0644, 0);
}

static const char ga_text[] = SECRET_B32 "\n\" RATE_LIMIT 3 30\n\" WINDOW_SIZE 3\n"
			      "\" DISALLOW_REUSE\n\" TOTP_AUTH\n";

/* Enrol users[from..to) in the phase's store; real users are written
 * durably, dummies (users that never log in) with plain writes. */
static void
enroll(struct bench *b, char **users, size_t from, size_t to, int durable)
{
	char path[PATH_MAX + 300], err[512];
	FILE *f = NULL;
	const enum mod mod = b->mod; /* the same for every user */

	if (mod == M_OATH) {
		snprintf(path, sizeof(path), "%s/users.oath", b->store);
		f = fopen(path, "a");
		if (f == NULL)
			die(path);
	}
	for (size_t i = from; i < to; i++) {
		switch (mod) {
		case M_TOTP:
			snprintf(path, sizeof(path), "%s/%s", b->store, users[i]);
			if (durable) {
				struct totp_record rec;

				memset(&rec, 0, sizeof(rec));
				if (record_parse(b->totp_text, b->totp_len, &rec, err, sizeof(err)) != 0 ||
				    store_file_create(path, &rec, 0, 0, 1, err, sizeof(err)) != 0)
					dief("cannot enrol: %s", err);
				record_wipe(&rec);
			} else {
				write_file(path, b->totp_text, b->totp_len, 0600, 0);
			}
			break;
		case M_GA:
			snprintf(path, sizeof(path), "%s/%s", b->store, users[i]);
			write_file(path, ga_text, strlen(ga_text), 0400, durable);
			break;
		case M_OATH:
			fprintf(f, "HOTP/T30 %s - %s\n", users[i], SECRET_HEX);
			break;
		}
	}
	if (f != NULL) {
		if (fflush(f) != 0 || (durable && fsync(fileno(f)) != 0) || fclose(f) != 0)
			die("users.oath");
		chmod(path, 0600);
	}
}

/* "d" and a size_t's digits: room for any size_t (20 digits at 64 bits), not
 * only for the indexes below SCALE_MAX, so that the compiler can see that
 * nothing is cut (gcc 14's -Wformat-truncation) */
static char dummy_names[SCALE_MAX][sizeof("d18446744073709551615")];
_Static_assert(SIZE_MAX <= 18446744073709551615u, "a size_t has at most 20 digits");
static char *dummy_ptrs[SCALE_MAX];

static void
enroll_dummies(struct bench *b, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		snprintf(dummy_names[i], sizeof(dummy_names[i]), "d%06zu", i);
		dummy_ptrs[i] = dummy_names[i];
	}
	enroll(b, dummy_ptrs, from, to, 0);
}

/* ---- one login ---- */

/* The code for the current fake step, or a wrong one. */
static void
make_code(const struct bench *b, int wrong, char code[OTP_CODE_SIZE])
{
	if (otp_totp(b->key, b->key_len, OTP_ALG_SHA1, fake_now, PERIOD, 6, code) != 0)
		dief("%s", "otp_totp failed");
	if (wrong)
		snprintf(code, OTP_CODE_SIZE, "%06ld", (strtol(code, NULL, 10) + 500000) % 1000000);
}

/* Start a login for user (not timed). */
static pam_handle_t *
login_start(const struct bench *b, const char *user, char *code, struct pam_conv *conv)
{
	pam_handle_t *pamh = NULL;

	conv->conv = bench_converse;
	conv->appdata_ptr = code;
	if (pam_start_confdir("bench", user, conv, b->confdir, &pamh) != PAM_SUCCESS)
		dief("pam_start_confdir failed for %s", user);
	return pamh;
}

/* Sleep one tick of the coarse clock that file times come from, before a
 * spaced login or floor write. Two things change when writes are spaced
 * like real logins (seconds apart) rather than back to back:
 * - a write in the same tick as the one before leaves the file's times
 *   alone, so fdatasync has only the data block to write; in a later tick
 *   the modification time changes too, and where fdatasync then writes
 *   the inode (ext4 without a journal) that is a second synchronous write;
 * - the CPU has gone idle meanwhile, so caches are colder.
 * Both fall on every module and on the floor alike. */
static int spaced_logins; /* timed logins wait for a tick of their own */

static void
next_tick(void)
{
	struct timespec tick;

	if (clock_getres(CLOCK_REALTIME_COARSE, &tick) != 0 || tick.tv_sec > 0)
		tick.tv_nsec = 10 * 1000 * 1000;
	nanosleep(&tick, NULL);
}

/* pam_start_confdir and pam_end of the last login, together (figure 9):
 * libpam loading the module and the libraries it needs, and unloading
 * them, which every sshd connection and sudo prompt pays besides
 * pam_authenticate */
static int64_t last_load_unload_ns;

/* One login at the current fake time; returns the PAM code. With
 * spaced_logins, a timed one (ns given) starts in a clock tick of its own. */
static int
login(const struct bench *b, const char *user, int wrong, int counted, int64_t *ns)
{
	struct pam_conv conv;
	pam_handle_t *pamh;
	char code[OTP_CODE_SIZE];
	int64_t s0, s1, t0, t1;
	int rc;

	make_code(b, wrong, code);
	s0 = mono_ns();
	pamh = login_start(b, user, code, &conv);
	s1 = mono_ns();
	if (ns != NULL && spaced_logins)
		next_tick();
	t0 = mono_ns();
	rc = counted ? counted_authenticate(pamh) : pam_authenticate(pamh, 0);
	t1 = mono_ns();
	pam_end(pamh, rc);
	last_load_unload_ns = s1 - s0 + mono_ns() - t1;
	if (ns != NULL)
		*ns = t1 - t0;
	return rc;
}

/* ---- statistics and output ---- */

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest-rank percentile, in milliseconds; sorts v */
static double
pct_ms(int64_t *v, size_t n, double p)
{
	size_t k;

	qsort(v, n, sizeof(*v), cmp_i64);
	k = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)v[k - 1] / 1e6;
}

static void
samples_out(const struct bench *b, const char *what, const int64_t *v, size_t n)
{
	if (b->samples == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		fprintf(b->samples, "%s,%s,%zu,%lld\n", b->name, what, i, (long long)v[i]);
}

static void
report_latency(const struct bench *b, const char *what, int64_t *v, size_t n, int p99)
{
	samples_out(b, what, v, n);
	printf("%s,%s_median_ms,%.4f\n", b->name, what, pct_ms(v, n, 50));
	printf("%s,%s_p90_ms,%.4f\n", b->name, what, pct_ms(v, n, 90));
	if (p99)
		printf("%s,%s_p99_ms,%.4f\n", b->name, what, pct_ms(v, n, 99));
	fflush(stdout);
}

/* ---- the phases ---- */

/* ---- the floor: bare writes on the same directory ---- */

struct floor {
	char path[PATH_MAX], tmp[PATH_MAX + 8], block[512];
	int fd;
	unsigned n;
};

static void
floor_open(struct floor *f, const char *dir)
{
	memset(f, 0, sizeof(*f));
	memset(f->block, 'x', sizeof(f->block));
	if (snprintf(f->path, sizeof(f->path), "%s/floor-slot", dir) >= (int)sizeof(f->path))
		dief("path too long: %s", dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s.tmp", f->path);
	write_file(f->path, f->block, sizeof(f->block), 0600, 1);
	f->fd = open(f->path, O_RDWR | O_CLOEXEC);
	if (f->fd < 0)
		die(f->path);
}

/* one in-place slot write + fdatasync: the least a durable login costs */
static int64_t
floor_inplace(struct floor *f)
{
	int64_t t0 = mono_ns();

	f->block[0] = (char)('a' + f->n++ % 26);
	if (pwrite(f->fd, f->block, sizeof(f->block), 0) != (ssize_t)sizeof(f->block) ||
	    fdatasync(f->fd) != 0)
		die("pwrite");
	return mono_ns() - t0;
}

/* one temporary file + fsync + rename over the file */
static int64_t
floor_tmprename(struct floor *f)
{
	int64_t t0 = mono_ns();
	int fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, f->block, sizeof(f->block)) != (ssize_t)sizeof(f->block) ||
	    fsync(fd) != 0 || close(fd) != 0 || rename(f->tmp, f->path) != 0)
		die(f->tmp);
	return mono_ns() - t0;
}

/* 1, 2 and 7: for each module, pairs of (wrong code, right code) for one
 * user, one step apart, so failures never add up to a lock-out and every
 * success has a fresh step. Modules and the floor take turns in rounds, so
 * a burst of background disk work falls on all of them alike.
 *
 * Run twice: back to back (each login right after the last, the way the
 * floor was first measured), and spaced (each timed login, and each floor
 * write, in a clock tick of its own after an idle pause: see next_tick),
 * which is how real logins come. The spaced figures carry "_spaced". */
static void
phase_sequential(struct bench *bs, int nb, struct floor *fl, char *user, size_t n, int spaced)
{
	const size_t rounds = 5, warm = 20, per = (n + rounds - 1) / rounds;
	const char *sfx = spaced ? "_spaced" : "";
	int64_t *ok[3], *bad[3], *load[3], *fin = calloc(per * rounds, sizeof(int64_t)),
		*ftr = calloc(per * rounds, sizeof(int64_t));
	size_t unexpected[3] = { 0, 0, 0 };
	char what[64];

	spaced_logins = spaced;
	for (int m = 0; m < nb; m++) {
		ok[m] = calloc(per * rounds, sizeof(int64_t));
		bad[m] = calloc(per * rounds, sizeof(int64_t));
		load[m] = calloc(per * rounds, sizeof(int64_t));
		if (ok[m] == NULL || bad[m] == NULL || load[m] == NULL)
			die("calloc");
		new_phase(&bs[m], spaced ? "spaced" : "seq");
		enroll(&bs[m], &user, 0, 1, 1);
		for (size_t i = 0; i < warm; i++) {
			fake_now += PERIOD;
			login(&bs[m], user, 1, 0, NULL);
			fake_now += PERIOD;
			login(&bs[m], user, 0, 0, NULL);
		}
	}
	if (fin == NULL || ftr == NULL)
		die("calloc");
	for (size_t i = 0; i < warm; i++)
		floor_inplace(fl), floor_tmprename(fl);
	for (size_t r = 0; r < rounds; r++) {
		for (size_t i = r * per; i < (r + 1) * per; i++) {
			if (spaced)
				next_tick();
			fin[i] = floor_inplace(fl);
		}
		for (size_t i = r * per; i < (r + 1) * per; i++) {
			if (spaced)
				next_tick();
			ftr[i] = floor_tmprename(fl);
		}
		for (int m = 0; m < nb; m++) {
			for (size_t i = r * per; i < (r + 1) * per; i++) {
				fake_now += PERIOD;
				if (login(&bs[m], user, 1, 0, &bad[m][i]) != PAM_AUTH_ERR)
					unexpected[m]++;
				fake_now += PERIOD;
				if (login(&bs[m], user, 0, 0, &ok[m][i]) != PAM_SUCCESS)
					unexpected[m]++;
				load[m][i] = last_load_unload_ns;
			}
		}
	}
	spaced_logins = 0;
	for (int m = 0; m < nb; m++) {
		snprintf(what, sizeof(what), "success%s", sfx);
		report_latency(&bs[m], what, ok[m], per * rounds, 1);
		snprintf(what, sizeof(what), "failure%s", sfx);
		report_latency(&bs[m], what, bad[m], per * rounds, 0);
		printf("%s,sequential%s_unexpected_results,%zu\n", bs[m].name, sfx, unexpected[m]);
		if (!spaced)
			report_latency(&bs[m], "load_unload", load[m], per * rounds, 0);
		free(ok[m]);
		free(bad[m]);
		free(load[m]);
	}
	{
		struct bench fb;

		memset(&fb, 0, sizeof(fb));
		fb.name = "floor";
		fb.samples = bs[0].samples;
		snprintf(what, sizeof(what), "inplace%s", sfx);
		report_latency(&fb, what, fin, per * rounds, 1);
		snprintf(what, sizeof(what), "tmprename%s", sfx);
		report_latency(&fb, what, ftr, per * rounds, 1);
	}
	free(fin);
	free(ftr);
}

/* 4: one user among N enrolled, N = 100, 10,000, 100,000; at each size
 * the modules take turns. */
static void
phase_scaling(struct bench *bs, int nb, char *user, size_t n_logins)
{
	static const size_t sizes[] = { 100, 10000, 100000 };
	const size_t rounds = 4, per = (n_logins + rounds - 1) / rounds;
	int64_t *v[3];
	size_t have = 1, unexpected[3] = { 0, 0, 0 };
	char what[64];

	for (int m = 0; m < nb; m++) {
		v[m] = calloc(per * rounds, sizeof(int64_t));
		if (v[m] == NULL)
			die("calloc");
		new_phase(&bs[m], "scale");
		enroll(&bs[m], &user, 0, 1, 1);
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (int m = 0; m < nb; m++)
			enroll_dummies(&bs[m], have, sizes[s]);
		have = sizes[s];
		sync(); /* the dummies' writeback is not the logins' cost */
		sleep(2);
		/* modules take turns in rounds, as in phase_sequential */
		for (int m = 0; m < nb; m++) {
			for (size_t i = 0; i < 5; i++) {
				fake_now += PERIOD;
				login(&bs[m], user, 0, 0, NULL);
			}
		}
		for (size_t r = 0; r < rounds; r++) {
			for (int m = 0; m < nb; m++) {
				for (size_t i = r * per; i < (r + 1) * per; i++) {
					fake_now += PERIOD;
					if (login(&bs[m], user, 0, 0, &v[m][i]) != PAM_SUCCESS)
						unexpected[m]++;
				}
			}
		}
		for (int m = 0; m < nb; m++) {
			snprintf(what, sizeof(what), "scale_%zu", sizes[s]);
			report_latency(&bs[m], what, v[m], per * rounds, 0);
		}
	}
	for (int m = 0; m < nb; m++) {
		printf("%s,scaling_unexpected_results,%zu\n", bs[m].name, unexpected[m]);
		free(v[m]);
	}
}

/* what the racing processes report, per module taking part, round and
 * process */
struct shared {
	pthread_barrier_t start, end;
	int64_t t0[3][PAR_ROUNDS][BURST_MAX], t1[3][PAR_ROUNDS][BURST_MAX];
	int rc[3][PAR_ROUNDS][BURST_MAX];
};

/* 5, 6 and 8: procs processes log in at once, rounds rounds; each round
 * is one fresh step for everybody (step_gap steps after the last). With
 * more than one module (bs[0..nb-1]) the same processes log in through
 * each in turn within every round, starting with a different one each
 * round, and the results of bs[m] go to sh->...[m]. */
static void
race(struct bench *const *bs, int nb, char **users, int procs, int rounds, int step_gap,
     struct shared *sh)
{
	pthread_barrierattr_t ba;
	int64_t base = fake_now;
	pid_t pids[BURST_MAX];

	pthread_barrierattr_init(&ba);
	pthread_barrierattr_setpshared(&ba, PTHREAD_PROCESS_SHARED);
	if (pthread_barrier_init(&sh->start, &ba, procs) != 0 ||
	    pthread_barrier_init(&sh->end, &ba, procs) != 0)
		die("pthread_barrier_init");
	fflush(NULL);
	for (int p = 0; p < procs; p++) {
		pids[p] = fork();
		if (pids[p] < 0)
			die("fork");
		if (pids[p] > 0)
			continue;
		for (int r = 0; r < rounds; r++) {
			fake_now = base + (int64_t)(r + 1) * step_gap * PERIOD;
			for (int i = 0; i < nb; i++) {
				/* each module first in turn: none always runs
				 * after the same other one */
				int m = (r + i) % nb;
							struct pam_conv conv;
				pam_handle_t *pamh;
				char code[OTP_CODE_SIZE];

				make_code(bs[m], 0, code);
							pamh = login_start(bs[m], users[p], code, &conv);
				pthread_barrier_wait(&sh->start);
				sh->t0[m][r][p] = mono_ns();
				sh->rc[m][r][p] = pam_authenticate(pamh, 0);
				sh->t1[m][r][p] = mono_ns();
				pam_end(pamh, sh->rc[m][r][p]);
				pthread_barrier_wait(&sh->end);
			}
		}
		_exit(0);
	}
	for (int p = 0; p < procs; p++) {
		int status;

		if (waitpid(pids[p], &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			dief("%s", "a racing process failed");
	}
	fake_now = base + (int64_t)(rounds + 1) * step_gap * PERIOD;
}

static void
phase_parallel(struct bench *b, char **users, struct shared *sh)
{
	int64_t busy = 0, *lat = calloc(PAR_ROUNDS * PAR_PROCS, sizeof(int64_t));
	size_t accepted = 0;

	if (lat == NULL)
		die("calloc");
	new_phase(b, "par");
	enroll(b, users, 0, PAR_PROCS, 1);
	race(&b, 1, users, PAR_PROCS, PAR_ROUNDS, 1, sh);
	for (int r = 0; r < PAR_ROUNDS; r++) {
		int64_t lo = INT64_MAX, hi = 0;

		for (int p = 0; p < PAR_PROCS; p++) {
			accepted += sh->rc[0][r][p] == PAM_SUCCESS;
			lo = sh->t0[0][r][p] < lo ? sh->t0[0][r][p] : lo;
			hi = sh->t1[0][r][p] > hi ? sh->t1[0][r][p] : hi;
			lat[r * PAR_PROCS + p] = sh->t1[0][r][p] - sh->t0[0][r][p];
		}
		busy += hi - lo;
	}
	printf("%s,parallel_accepted,%zu\n", b->name, accepted);
	printf("%s,parallel_expected,%d\n", b->name, PAR_ROUNDS * PAR_PROCS);
	printf("%s,parallel_logins_per_s,%.0f\n", b->name, (double)accepted / ((double)busy / 1e9));
	report_latency(b, "parallel", lat, PAR_ROUNDS * PAR_PROCS, 0);
	free(lat);
}

static void
phase_replay(struct bench *b, char *user, struct shared *sh)
{
	char *same[PAR_PROCS];
	int twice = 0, once = 0, none = 0, most = 0;

	new_phase(b, "race");
	enroll(b, &user, 0, 1, 1);
	for (int p = 0; p < PAR_PROCS; p++)
		same[p] = user;
	/* rounds 31 steps apart: longer than any lock-out or rate limit the
	 * modules set by default, so each round starts clean */
	race(&b, 1, same, PAR_PROCS, PAR_ROUNDS, 31, sh);
	for (int r = 0; r < PAR_ROUNDS; r++) {
		int n = 0;

		for (int p = 0; p < PAR_PROCS; p++)
			n += sh->rc[0][r][p] == PAM_SUCCESS;
		twice += n > 1;
		once += n == 1;
		none += n == 0;
		most = n > most ? n : most;
	}
	printf("%s,replay_rounds_accepted_more_than_once,%d\n", b->name, twice);
	printf("%s,replay_rounds_accepted_once,%d\n", b->name, once);
	printf("%s,replay_rounds_accepted_never,%d\n", b->name, none);
	printf("%s,replay_most_accepted_in_a_round,%d\n", b->name, most);
}

/* ---- main ---- */

static void
bench_init(struct bench *b, const char *mod, const char *dir, const char *so)
{
	struct totp_record rec;

	memset(b, 0, sizeof(*b));
	if (strcmp(mod, "totp") == 0) {
		b->mod = M_TOTP;
		b->name = "pam_totp";
	} else if (strcmp(mod, "ga") == 0) {
		b->mod = M_GA;
		b->name = "google_authenticator";
	} else if (strcmp(mod, "oath") == 0) {
		b->mod = M_OATH;
		b->name = "pam_oath";
	} else {
		dief("unknown module %s (totp, ga, oath)", mod);
	}
	b->so = so;
	snprintf(b->dir, sizeof(b->dir), "%s", dir);
	if (base32_decode(SECRET_B32, b->key, sizeof(b->key), &b->key_len) != 0)
		dief("%s", "bad secret");
	memset(&rec, 0, sizeof(rec));
	record_state_init(&rec.state);
	rec.alg = OTP_ALG_SHA1;
	rec.digits = 6;
	rec.period = PERIOD;
	rec.created = (int64_t)time(NULL);
	memcpy(rec.secret, b->key, b->key_len);
	rec.secret_len = b->key_len;
	if (record_format(&rec, b->totp_text, sizeof(b->totp_text), &b->totp_len) != 0)
		dief("%s", "cannot format a record");
	record_wipe(&rec);
	fake_now = fake_start();
}

static size_t env_size(const char *name, size_t dflt);
static void usage(void) __attribute__((noreturn));

/* 8: a burst of n logins of one user released together (automation
 * opening many sessions, a multiplexer reconnecting), all with the step's
 * code: one should be accepted, the rest refused as replays. The figure
 * is the round: from the first start to the last answer. Bursts of 16,
 * then 32; within each round the same processes log in through each
 * module in turn, so that a slow stretch of the machine (the writeback
 * of the phases before, say) falls on all of them alike. PAM_BENCH_ONLY
 * names the one module to run. */
static void
bursts(struct bench *bs, int nb, char *user, struct shared *sh)
{
	static const int sizes[] = { 16, BURST_MAX };
	int rounds = (int)env_size("PAM_BENCH_BURST_ROUNDS", PAR_ROUNDS), nrun = 0;
	const char *only = getenv("PAM_BENCH_ONLY");
	char *same[BURST_MAX], what[64];
	struct bench *run[3];
	int64_t *round = calloc((size_t)PAR_ROUNDS, sizeof(int64_t));

	if (round == NULL)
		die("calloc");
	if (rounds > PAR_ROUNDS)
		rounds = PAR_ROUNDS;
	for (int m = 0; m < nb; m++)
		if (only == NULL || strcmp(only, bs[m].name) == 0)
			run[nrun++] = &bs[m];
	for (int p = 0; p < BURST_MAX; p++)
		same[p] = user;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int n = sizes[s];

		for (int m = 0; m < nrun; m++) {
			snprintf(what, sizeof(what), "burst%d", n);
			new_phase(run[m], what);
			enroll(run[m], &user, 0, 1, 1);
		}
		race(run, nrun, same, n, rounds, 31, sh);
		for (int m = 0; m < nrun; m++) {
			int twice = 0, none = 0;

			for (int r = 0; r < rounds; r++) {
				int64_t lo = INT64_MAX, hi = 0;
				int ok = 0;

				for (int p = 0; p < n; p++) {
					ok += sh->rc[m][r][p] == PAM_SUCCESS;
					lo = sh->t0[m][r][p] < lo ? sh->t0[m][r][p] : lo;
					hi = sh->t1[m][r][p] > hi ? sh->t1[m][r][p] : hi;
				}
				round[r] = hi - lo;
				twice += ok > 1;
				none += ok == 0;
			}
			snprintf(what, sizeof(what), "burst_%d_round", n);
			report_latency(run[m], what, round, (size_t)rounds, 0);
			printf("%s,burst_%d_rounds_accepted_more_than_once,%d\n", run[m]->name, n,
			       twice);
			printf("%s,burst_%d_rounds_accepted_never,%d\n", run[m]->name, n, none);
		}
	}
	free(round);
}

/* ---- 10, 11 and 12: cold logins ---- */

/* A login in a process where no module has logged in before: sudo runs a
 * fresh process per prompt (10), sshd a child per connection forked from
 * a process that has used libcrypto (11), and a burst of sessions is as
 * many fresh processes at once (12). The driver's own process has loaded
 * libcrypto and used it (the codes), so these logins run in other
 * programs, bench/pam_cold and bench/pam_cold_sshd (see pam_cold.c), found
 * beside the driver. Each login is timed three ways: pam_start_confdir to
 * pam_end (the login: libpam loads the module and its libraries in
 * pam_start, so a fresh process pays them there), pam_authenticate alone,
 * and the process (spawn to exit, or request to answer for the forked
 * child), which adds exec and libpam's own loading, the same for all. */

enum cold_kind { COLD_FAIL, COLD_OK, COLD_REPLAY };
static const char *const cold_kinds[] = { "fail", "ok", "replay" };

struct cold_login {
	int rc;
	int64_t start, auth, end, process;
};

static char cold_prog[PATH_MAX], cold_sshd_prog[PATH_MAX];

static void
cold_progs(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		die("/proc/self/exe");
	self[n] = '\0';
	slash = strrchr(self, '/');
	*slash = '\0';
	if (snprintf(cold_prog, sizeof(cold_prog), "%s/pam_cold", self) >= (int)sizeof(cold_prog) ||
	    snprintf(cold_sshd_prog, sizeof(cold_sshd_prog), "%s/pam_cold_sshd", self) >=
	    (int)sizeof(cold_sshd_prog))
		dief("path too long: %s", self);
	if (access(cold_prog, X_OK) != 0 || access(cold_sshd_prog, X_OK) != 0)
		dief("%s and %s not built (make check builds them)", cold_prog, cold_sshd_prog);
}

/* a close-on-exec pipe whose ends are at 10 or above, clear of the
 * descriptors 0 to 4 the children get */
static void
cold_pipe(int p[2])
{
	int q[2];

	if (pipe2(q, O_CLOEXEC) != 0)
		die("pipe2");
	for (int i = 0; i < 2; i++) {
		p[i] = fcntl(q[i], F_DUPFD_CLOEXEC, 10);
		if (p[i] < 0)
			die("fcntl");
		close(q[i]);
	}
}

/* Start argv[] (a program, found in PATH when it has no '/', and its
 * arguments, then NULL) with the pairs (from, to) of fds[] (nfds pairs)
 * dup2'd; returns the pid. */
static pid_t
cold_spawn(char **argv, const int *fds, int nfds)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;

	if (posix_spawn_file_actions_init(&fa) != 0)
		die("posix_spawn_file_actions_init");
	for (int i = 0; i < nfds; i++)
		if (posix_spawn_file_actions_adddup2(&fa, fds[2 * i], fds[2 * i + 1]) != 0)
			die("posix_spawn_file_actions_adddup2");
	errno = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	if (errno != 0)
		die(argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

static void
cold_wait(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		dief("%s", "a cold login process failed");
}

/* Read fd to its end into buf (NUL-terminated). */
static void
read_all(int fd, char *buf, size_t size)
{
	size_t have = 0;

	for (;;) {
		ssize_t n = read(fd, buf + have, size - 1 - have);

		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (have += (size_t)n) == size - 1)
			dief("%s", "a cold login's answer is too long");
	}
	buf[have] = '\0';
}

static void
cold_parse(const char *line, struct cold_login *out)
{
	long long s, a, e;

	if (sscanf(line, "%d %lld %lld %lld", &out->rc, &s, &a, &e) != 4)
		dief("a cold login answered \"%s\"", line);
	out->start = s;
	out->auth = a;
	out->end = e;
}

/* One login in a fresh process (10); wrap (NULL-terminated, or NULL)
 * goes before the program: valgrind and its options, say. */
static void
cold_fresh(const struct bench *b, const char *user, char *code, char **wrap,
	   struct cold_login *out)
{
	char now[32], answer[256], *argv[32];
	int res[2], fds[2], n = 0;
	int64_t t0;
	pid_t pid;

	snprintf(now, sizeof(now), "%lld", (long long)fake_now);
	for (; wrap != NULL && *wrap != NULL && n < 24; wrap++)
		argv[n++] = *wrap;
	argv[n++] = cold_prog;
	argv[n++] = (char *)"one";
	argv[n++] = (char *)b->confdir;
	argv[n++] = (char *)user;
	argv[n++] = code;
	argv[n++] = now;
	argv[n] = NULL;
	cold_pipe(res);
	fds[0] = res[1];
	fds[1] = 1;
	fflush(NULL);
	t0 = mono_ns();
	pid = cold_spawn(argv, fds, 1);
	close(res[1]);
	read_all(res[0], answer, sizeof(answer));
	close(res[0]);
	cold_wait(pid);
	out->process = mono_ns() - t0;
	cold_parse(answer, out);
}

/* sshd-like: pam_cold_sshd serve, one per run of the phase */
struct cold_server {
	pid_t pid;
	FILE *to, *from;
};

static void
cold_server_start(struct cold_server *s)
{
	char *argv[] = { cold_sshd_prog, (char *)"serve", NULL };
	int in[2], out[2], fds[4];

	cold_pipe(in);
	cold_pipe(out);
	fds[0] = in[0];
	fds[1] = 0;
	fds[2] = out[1];
	fds[3] = 1;
	fflush(NULL);
	s->pid = cold_spawn(argv, fds, 2);
	close(in[0]);
	close(out[1]);
	s->to = fdopen(in[1], "w");
	s->from = fdopen(out[0], "r");
	if (s->to == NULL || s->from == NULL)
		die("fdopen");
}

static void
cold_server_stop(struct cold_server *s)
{
	fclose(s->to);
	fclose(s->from);
	cold_wait(s->pid);
}

/* One login in a child forked by the sshd-like server (11). */
static void
cold_forked(struct cold_server *s, const struct bench *b, const char *user, const char *code,
	    struct cold_login *out)
{
	char answer[256];
	int64_t t0 = mono_ns();

	if (fprintf(s->to, "%s\t%s\t%s\t%lld\n", b->confdir, user, code, (long long)fake_now) < 0 ||
	    fflush(s->to) != 0)
		die("cold server");
	if (fgets(answer, sizeof(answer), s->from) == NULL)
		dief("%s", "the cold server stopped");
	out->process = mono_ns() - t0;
	cold_parse(answer, out);
}

/* The three cold logins of one round for one module: a wrong code, the
 * step's code (accepted), the same code again (a replay, refused); each
 * two steps after the last round's, so no rate limit or lock-out builds
 * up. server NULL: fresh processes. Returns how many went unexpectedly. */
static int
cold_triple(struct cold_server *server, const struct bench *b, const char *user,
	    struct cold_login out[3])
{
	char code[OTP_CODE_SIZE], bad[OTP_CODE_SIZE];
	int unexpected = 0;

	fake_now += 2 * PERIOD;
	make_code(b, 1, bad);
	make_code(b, 0, code);
	for (int k = COLD_FAIL; k <= COLD_REPLAY; k++) {
		char *c = k == COLD_FAIL ? bad : code;

		if (server != NULL)
			cold_forked(server, b, user, c, &out[k]);
		else
			cold_fresh(b, user, c, NULL, &out[k]);
		unexpected += (out[k].rc == PAM_SUCCESS) != (k == COLD_OK);
	}
	return unexpected;
}

/* 10 and 11: n rounds; in each, every module in turn (a different one
 * first each round) logs in cold with a wrong code, the right one and the
 * right one again, in fresh processes, then in forked children. */
static void
phase_cold(struct bench *bs, int nb, char *user, size_t n)
{
	static const char *const modes[] = { "cold_fresh", "cold_forked" };
	struct cold_login *v = calloc(2 * 3 * 3 * n, sizeof(*v));
	int64_t *t = calloc(n, sizeof(int64_t));
	int unexpected[2][3] = { { 0 } };
	struct cold_server server;
	char what[64];

	if (v == NULL || t == NULL)
		die("calloc");
#define COLD_AT(mode, m, k, i) v[(((size_t)(mode) * 3 + (size_t)(m)) * 3 + (size_t)(k)) * n + (i)]
	cold_server_start(&server);
	for (int m = 0; m < nb; m++) {
		new_phase(&bs[m], "cold");
		enroll(&bs[m], &user, 0, 1, 1);
	}
	for (size_t i = 0; i < n; i++) {
		for (int mode = 0; mode < 2; mode++) {
			for (int j = 0; j < nb; j++) {
				int m = (int)((i + (size_t)j) % (size_t)nb);
				struct cold_login out[3];

				unexpected[mode][m] += cold_triple(mode ? &server : NULL, &bs[m], user,
								   out);
				for (int k = 0; k < 3; k++)
					COLD_AT(mode, m, k, i) = out[k];
			}
		}
	}
	cold_server_stop(&server);
	for (int mode = 0; mode < 2; mode++) {
		for (int m = 0; m < nb; m++) {
			for (int k = 0; k < 3; k++) {
				for (size_t i = 0; i < n; i++) {
					const struct cold_login *l = &COLD_AT(mode, m, k, i);

					t[i] = l->start + l->auth + l->end;
				}
				snprintf(what, sizeof(what), "%s_%s_login", modes[mode], cold_kinds[k]);
				report_latency(&bs[m], what, t, n, 0);
				for (size_t i = 0; i < n; i++)
					t[i] = COLD_AT(mode, m, k, i).auth;
				snprintf(what, sizeof(what), "%s_%s_auth", modes[mode], cold_kinds[k]);
				report_latency(&bs[m], what, t, n, 0);
				for (size_t i = 0; i < n; i++)
					t[i] = COLD_AT(mode, m, k, i).process;
				snprintf(what, sizeof(what), "%s_%s_process", modes[mode], cold_kinds[k]);
				report_latency(&bs[m], what, t, n, 0);
			}
			printf("%s,%s_unexpected_results,%d\n", bs[m].name, modes[mode],
			       unexpected[mode][m]);
		}
	}
#undef COLD_AT
	free(v);
	free(t);
}

/* One round of a cold burst (12): n fresh processes of one user start
 * their logins (pam_start), then are released together. Returns the
 * round, first pam_authenticate start to last answer; *accepted: how many
 * were accepted. */
static int64_t
cold_burst_round(const struct bench *b, char *user, int n, int *accepted)
{
	char code[OTP_CODE_SIZE], now[32], answers[BURST_MAX * 64];
	char *argv[] = { cold_prog, (char *)"burst", (char *)b->confdir, user, code, now, NULL };
	int ready[2], go[2], res[2], fds[6];
	int64_t lo = INT64_MAX, hi = 0;
	pid_t pids[BURST_MAX];
	char *line, *save = NULL;
	int got = 0;

	make_code(b, 0, code);
	snprintf(now, sizeof(now), "%lld", (long long)fake_now);
	cold_pipe(ready);
	cold_pipe(go);
	cold_pipe(res);
	fds[0] = ready[1];
	fds[1] = 3;
	fds[2] = go[0];
	fds[3] = 4;
	fds[4] = res[1];
	fds[5] = 1;
	fflush(NULL);
	for (int p = 0; p < n; p++)
		pids[p] = cold_spawn(argv, fds, 3);
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	while (got < n) { /* every process has started its login */
		char buf[BURST_MAX];
		struct pollfd pfd = { ready[0], POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, 120 * 1000) != 1)
			dief("%s", "a cold burst's processes did not start");
		r = read(ready[0], buf, sizeof(buf));
		if (r <= 0)
			dief("%s", "a cold burst's process ended before it started");
		got += (int)r;
	}
	close(go[1]); /* go */
	read_all(res[0], answers, sizeof(answers));
	close(res[0]);
	close(ready[0]);
	for (int p = 0; p < n; p++)
		cold_wait(pids[p]);
	*accepted = 0;
	got = 0;
	for (line = strtok_r(answers, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		long long t0, t1;
		int rc;

		if (sscanf(line, "%d %lld %lld", &rc, &t0, &t1) != 3)
			dief("a cold burst's process answered \"%s\"", line);
		*accepted += rc == PAM_SUCCESS;
		lo = t0 < lo ? t0 : lo;
		hi = t1 > hi ? t1 : hi;
		got++;
	}
	if (got != n)
		dief("a cold burst of %d had %d answers", n, got);
	return hi - lo;
}

/* 12: bursts of 16 and 32 fresh processes of one user, rounds rounds 31
 * steps apart; within each round the modules take turns, a different one
 * first each round, as in figure 8. */
static void
cold_bursts(struct bench *bs, int nb, char *user, int rounds)
{
	static const int sizes[] = { 16, BURST_MAX };
	int64_t *round = calloc((size_t)rounds * 3, sizeof(int64_t));
	char what[64];

	if (round == NULL)
		die("calloc");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int n = sizes[s], twice[3] = { 0, 0, 0 }, none[3] = { 0, 0, 0 };

		for (int m = 0; m < nb; m++) {
			snprintf(what, sizeof(what), "coldburst%d", n);
			new_phase(&bs[m], what);
			enroll(&bs[m], &user, 0, 1, 1);
		}
		for (int r = 0; r < rounds; r++) {
			fake_now += 31 * PERIOD;
			for (int j = 0; j < nb; j++) {
				int m = (r + j) % nb, ok;

				round[m * rounds + r] = cold_burst_round(&bs[m], user, n, &ok);
				twice[m] += ok > 1;
				none[m] += ok == 0;
			}
		}
		for (int m = 0; m < nb; m++) {
			snprintf(what, sizeof(what), "cold_burst_%d_round", n);
			report_latency(&bs[m], what, round + m * rounds, (size_t)rounds, 0);
			printf("%s,cold_burst_%d_rounds_accepted_more_than_once,%d\n", bs[m].name, n,
			       twice[m]);
			printf("%s,cold_burst_%d_rounds_accepted_never,%d\n", bs[m].name, n, none[m]);
		}
	}
	free(round);
}

/* figures 10 to 12 */
static void
cold(struct bench *bs, int nb, char *user)
{
	cold_progs();
	phase_cold(bs, nb, user, env_size("PAM_BENCH_COLD_LOGINS", 100));
	cold_bursts(bs, nb, user, (int)env_size("PAM_BENCH_COLD_ROUNDS", PAR_ROUNDS));
}

/* pam_bench cold-count: the record as the warm count leaves it (a wrong
 * code between right ones), then one cold login of the kind asked for,
 * through wrap; prints whether it went as expected */
static void
cold_count(const char *mod, const char *dir, const char *so, char *user, const char *kind,
	   char **wrap)
{
	int wrong = strcmp(kind, "fail") == 0, replay = strcmp(kind, "replay") == 0;
	struct cold_login out;
	char code[OTP_CODE_SIZE];
	struct bench b;

	if (!wrong && !replay && strcmp(kind, "ok") != 0)
		usage();
	cold_progs();
	bench_init(&b, mod, dir, so);
	new_phase(&b, wrong ? "cold-count-fail" : replay ? "cold-count-replay" : "cold-count-ok");
	enroll(&b, &user, 0, 1, 1);
	for (int i = 0; i < 3; i++) {
		fake_now += PERIOD;
		login(&b, user, i == 1, 0, NULL);
	}
	fake_now += 2 * PERIOD;
	if (replay) /* the first use, in this process */
		login(&b, user, 0, 0, NULL);
	make_code(&b, wrong, code);
	cold_fresh(&b, user, code, wrap, &out);
	printf("%s,cold_count_%s_unexpected_results,%d\n", b.name, kind,
	       (out.rc == PAM_SUCCESS) == (wrong || replay));
}

static size_t
env_size(const char *name, size_t dflt)
{
	const char *v = getenv(name);

	return v != NULL && atol(v) > 0 ? (size_t)atol(v) : dflt;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pam_bench run DIR TOTP_SO GA_SO OATH_SO USER0 USER1..USER%d\n"
		"       pam_bench count MODULE DIR SO USER ok|fail|replay N\n"
		"       pam_bench seq DIR TOTP_SO GA_SO OATH_SO USER\n"
		"       pam_bench burst DIR TOTP_SO GA_SO OATH_SO USER\n"
		"       pam_bench cold DIR TOTP_SO GA_SO OATH_SO USER\n"
		"       pam_bench compare DIR TOTP_SO BEFORE_SO OATH_SO USER\n"
		"       pam_bench cold-count MODULE DIR SO USER ok|fail|replay [WRAP...]\n", PAR_PROCS);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const char *const mods[3] = { "totp", "ga", "oath" };
	struct bench bs[3];
	FILE *samples = NULL;
	const char *samples_path = getenv("PAM_BENCH_SAMPLES");

	if (argc < 3)
		usage();
	if (samples_path != NULL) {
		samples = fopen(samples_path, "w");
		if (samples == NULL)
			die(samples_path);
		fprintf(samples, "module,figure,index,ns\n");
	}
	if ((strcmp(argv[1], "run") == 0 && argc == 7 + PAR_PROCS) ||
	    (strcmp(argv[1], "seq") == 0 && argc == 7)) {
		/* seq: figures 1, 2, 7 and 9 of run, alone */
		char *user = argv[6];
		struct floor fl;

		for (int m = 0; m < 3; m++) {
			bench_init(&bs[m], mods[m], argv[2], argv[3 + m]);
			bs[m].samples = samples;
		}
		floor_open(&fl, argv[2]);
		phase_sequential(bs, 3, &fl, user, env_size("PAM_BENCH_LOGINS", 500), 0);
		phase_sequential(bs, 3, &fl, user, env_size("PAM_BENCH_LOGINS", 500), 1);
		close(fl.fd);
		if (strcmp(argv[1], "run") == 0) {
			struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
						 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

			if (sh == MAP_FAILED)
				die("mmap");
			for (int m = 0; m < 3; m++)
				phase_parallel(&bs[m], argv + 7, sh);
			for (int m = 0; m < 3; m++)
				phase_replay(&bs[m], user, sh);
			phase_scaling(bs, 3, user, env_size("PAM_BENCH_SCALE_LOGINS", 200));
			bursts(bs, 3, user, sh);
			cold(bs, 3, user);
		}
	} else if (strcmp(argv[1], "burst") == 0 && argc == 7) {
		/* figure 8 of run, alone */
		struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (sh == MAP_FAILED)
			die("mmap");
		for (int m = 0; m < 3; m++) {
			bench_init(&bs[m], mods[m], argv[2], argv[3 + m]);
			bs[m].samples = samples;
		}
		bursts(bs, 3, argv[6], sh);
	} else if (strcmp(argv[1], "cold") == 0 && argc == 7) {
		/* figures 10 to 12 of run, alone */
		for (int m = 0; m < 3; m++) {
			bench_init(&bs[m], mods[m], argv[2], argv[3 + m]);
			bs[m].samples = samples;
		}
		cold(bs, 3, argv[6]);
	} else if (strcmp(argv[1], "compare") == 0 && argc == 7) {
		/* the same figures for two builds of pam_totp, and pam_oath as
		 * the yardstick both are read against */
		static const char *const cmp_mods[3] = { "totp", "totp", "oath" };
		struct shared *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		struct floor fl;

		if (sh == MAP_FAILED)
			die("mmap");
		for (int m = 0; m < 3; m++) {
			bench_init(&bs[m], cmp_mods[m], argv[2], argv[3 + m]);
			bs[m].samples = samples;
		}
		bs[1].name = "pam_totp_before";
		floor_open(&fl, argv[2]);
		phase_sequential(bs, 3, &fl, argv[6], env_size("PAM_BENCH_LOGINS", 500), 0);
		phase_sequential(bs, 3, &fl, argv[6], env_size("PAM_BENCH_LOGINS", 500), 1);
		close(fl.fd);
		bursts(bs, 3, argv[6], sh);
		cold(bs, 3, argv[6]);
	} else if (strcmp(argv[1], "cold-count") == 0 && argc >= 7) {
		cold_count(argv[2], argv[3], argv[4], argv[5], argv[6], argv + 7);
	} else if (strcmp(argv[1], "count") == 0 && argc == 8) {
		/* ok: fresh codes; fail: wrong codes; replay: each step's code
		 * a second time, the refusal a burst's losers get */
		int wrong = strcmp(argv[6], "fail") == 0, replay = strcmp(argv[6], "replay") == 0;
		int n = atoi(argv[7]), unexpected = 0, want = wrong || replay ? PAM_AUTH_ERR : PAM_SUCCESS;

		bench_init(&bs[0], argv[2], argv[3], argv[4]);
		new_phase(&bs[0], wrong ? "count-fail" : replay ? "count-replay" : "count-ok");
		enroll(&bs[0], &argv[5], 0, 1, 1);
		/* warm up uncounted: the first login in a process loads what
		 * later ones reuse */
		for (int i = 0; i < 3; i++) {
			fake_now += PERIOD;
			login(&bs[0], argv[5], i == 1, 0, NULL);
		}
		for (int i = 0; i < n; i++) {
			fake_now += PERIOD;
			if (replay) /* the first use, uncounted */
				login(&bs[0], argv[5], 0, 0, NULL);
			if (login(&bs[0], argv[5], wrong, 1, NULL) != want)
				unexpected++;
			if (wrong) { /* an uncounted success: no lock-out builds up */
				fake_now += PERIOD;
				login(&bs[0], argv[5], 0, 0, NULL);
			}
		}
		printf("%s,count_%s_unexpected_results,%d\n", bs[0].name, argv[6], unexpected);
	} else {
		usage();
	}
	if (samples != NULL)
		fclose(samples);
	return 0;
}
