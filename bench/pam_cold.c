/* The benchmark's cold logins (figures 10 to 12): one login in a process
 * in which no module has logged in before, as sudo and sshd run them.
 * pam_bench starts it; it is built twice from this file:
 *
 * bench/pam_cold links libpam and libc only, as sudo does (no libcrypto):
 *
 *   pam_cold one CONFDIR USER CODE NOW
 *       one login: pam_start_confdir, pam_authenticate, pam_end; prints
 *       "RC START_NS AUTH_NS END_NS" (the PAM code, then how long each of
 *       the three calls took)
 *   pam_cold burst CONFDIR USER CODE NOW
 *       pam_start_confdir, then one byte to fd 3 ("started"), then a
 *       read of fd 4 until its end (pam_bench closes it to release every
 *       process of the burst at once), then pam_authenticate and pam_end;
 *       prints "RC T0_NS T1_NS" (CLOCK_MONOTONIC around pam_authenticate,
 *       comparable between processes)
 *
 * bench/pam_cold_sshd also links libcrypto and uses it first, as sshd has
 * by the time it asks PAM (host key signature, key exchange digests,
 * ciphers, random bytes; sshd's HMACs go through EVP_Digest, so no
 * EVP_MAC), then forks one child per login, as sshd forks a process per
 * connection:
 *
 *   pam_cold_sshd serve
 *       reads lines "CONFDIR USER CODE NOW" (tab-separated) from standard
 *       input; for each, a forked child logs in as `one` does and prints
 *       the same line; one login at a time
 *
 * NOW is the wall-clock time the modules see (bench/common.c). Times
 * are CLOCK_MONOTONIC nanoseconds. Exit status 0 unless the driver itself
 * failed (a module's refusal is a result, not a failure). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <security/pam_appl.h>

#ifdef PAM_COLD_SSHD
#include <openssl/evp.h>
#include <openssl/rand.h>
#endif

#include "common.h"

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

/* What callgrind counts besides counted_authenticate (bench/common.h):
 * libpam's pam_start_confdir, which loads the module and the libraries it
 * needs. Both may be toggled in one run: each has its own inclusive cost. */
int counted_start(const char *confdir, const char *user, const struct pam_conv *conv,
		  pam_handle_t **pamh) __attribute__((noinline));
int
counted_start(const char *confdir, const char *user, const struct pam_conv *conv,
	      pam_handle_t **pamh)
{
	return pam_start_confdir("bench", user, conv, confdir, pamh);
}

/* One login; ready >= 0: a burst's, released by the end of fd go. */
static void
login(const char *confdir, const char *user, char *code, const char *now, int ready, int go)
{
	struct pam_conv conv = { bench_converse, code };
	pam_handle_t *pamh = NULL;
	int64_t t0, t1, t2, t3;
	ssize_t n;
	int rc;
	char c;

	fake_now = strtoll(now, NULL, 10);
	t0 = mono_ns();
	if (counted_start(confdir, user, &conv, &pamh) != PAM_SUCCESS) {
		fprintf(stderr, "pam_cold: pam_start_confdir failed for %s\n", user);
		exit(2);
	}
	if (ready >= 0) {
		if (write(ready, "r", 1) != 1)
			die("write");
		while ((n = read(go, &c, 1)) != 0)
			if (n < 0 && errno != EINTR)
				die("read");
	}
	t1 = mono_ns();
	rc = counted_authenticate(pamh);
	t2 = mono_ns();
	pam_end(pamh, rc);
	t3 = mono_ns();
	if (ready >= 0)
		printf("%d %lld %lld\n", rc, (long long)t1, (long long)t2);
	else
		printf("%d %lld %lld %lld\n", rc, (long long)(t1 - t0), (long long)(t2 - t1),
		       (long long)(t3 - t2));
	if (fflush(stdout) != 0)
		die("stdout");
}

#ifdef PAM_COLD_SSHD
/* What sshd has asked of libcrypto before PAM: a host key signature
 * (ECDSA P-256 here), the key exchange's digests, a cipher, random bytes. */
static void
warm_like_sshd(void)
{
	static const unsigned char key[32], iv[16];
	unsigned char buf[64], sig[128], md[EVP_MAX_MD_SIZE];
	unsigned int md_len;
	size_t sig_len = sizeof(sig);
	int n;
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_CIPHER_CTX *cctx = EVP_CIPHER_CTX_new();

	if (pk == NULL || mctx == NULL || cctx == NULL || RAND_bytes(buf, sizeof(buf)) != 1 ||
	    EVP_Digest(buf, sizeof(buf), md, &md_len, EVP_sha256(), NULL) != 1 ||
	    EVP_Digest(buf, sizeof(buf), md, &md_len, EVP_sha512(), NULL) != 1 ||
	    EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, pk) != 1 ||
	    EVP_DigestSign(mctx, sig, &sig_len, buf, sizeof(buf)) != 1 ||
	    EVP_EncryptInit_ex(cctx, EVP_aes_256_ctr(), NULL, key, iv) != 1 ||
	    EVP_EncryptUpdate(cctx, buf, &n, buf, sizeof(buf)) != 1) {
		fprintf(stderr, "pam_cold_sshd: libcrypto failed\n");
		exit(2);
	}
	EVP_CIPHER_CTX_free(cctx);
	EVP_MD_CTX_free(mctx);
	EVP_PKEY_free(pk);
}

static void
serve(void)
{
	char line[8192];

	warm_like_sshd();
	while (fgets(line, sizeof(line), stdin) != NULL) {
		char *f[4], *save = NULL;
		int status;
		pid_t pid;

		line[strcspn(line, "\n")] = '\0';
		f[0] = strtok_r(line, "\t", &save);
		for (int i = 1; i < 4; i++)
			f[i] = f[i - 1] != NULL ? strtok_r(NULL, "\t", &save) : NULL;
		if (f[3] == NULL) {
			fprintf(stderr, "pam_cold_sshd: bad request\n");
			exit(2);
		}
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			login(f[0], f[1], f[2], f[3], -1, -1);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "pam_cold_sshd: a login process failed\n");
			exit(2);
		}
	}
}
#endif

int
main(int argc, char **argv)
{
#ifdef PAM_COLD_SSHD
	if (argc == 2 && strcmp(argv[1], "serve") == 0) {
		serve();
		return 0;
	}
#else
	if (argc == 6 && strcmp(argv[1], "one") == 0) {
		login(argv[2], argv[3], argv[4], argv[5], -1, -1);
		return 0;
	}
	if (argc == 6 && strcmp(argv[1], "burst") == 0) {
		login(argv[2], argv[3], argv[4], argv[5], 3, 4);
		return 0;
	}
#endif
	fprintf(stderr, "pam_cold: see bench/pam_cold.c for its usage\n");
	return 2;
}
