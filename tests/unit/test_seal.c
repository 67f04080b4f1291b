/* AES-256-GCM sealing of the PostgreSQL store's secret part: a value
 * opens only for its user under its key; key files are strict. */
#define _GNU_SOURCE 1 /* mkdtemp */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "seal.h"

static char dir[] = "/tmp/test_seal.XXXXXX";
static const char plain[] = "secret=JBSWY3DPEHPK3PXP\nrecovery=...\n";

static void
key_at(const char *name, struct seal_key *k)
{
	char path[256], err[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(seal_key_create(path, err, sizeof(err)), 0);
	assert_int_equal(seal_key_load(path, k, err, sizeof(err)), 0);
}

static void
test_round_trip(void **state)
{
	struct seal_key k;
	char *sealed, *opened, err[256];
	size_t len;

	(void)state;
	key_at("a.key", &k);
	assert_int_equal(seal_text(&k, "alice", plain, strlen(plain), &sealed, err,
				   sizeof(err)), 0);
	assert_true(seal_is_sealed(sealed));
	assert_non_null(strstr(sealed, k.id));
	assert_null(strstr(sealed, "JBSWY3DP"));
	assert_int_equal(seal_open(&k, "alice", sealed, &opened, &len, err, sizeof(err)), 0);
	assert_int_equal(len, strlen(plain));
	assert_string_equal(opened, plain);
	free(opened);
	free(sealed);
	seal_key_wipe(&k);
}

static void
test_fresh_nonce(void **state)
{
	struct seal_key k;
	char *a, *b, err[256];

	(void)state;
	key_at("n.key", &k);
	assert_int_equal(seal_text(&k, "alice", plain, strlen(plain), &a, err, sizeof(err)), 0);
	assert_int_equal(seal_text(&k, "alice", plain, strlen(plain), &b, err, sizeof(err)), 0);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_other_user_refused(void **state)
{
	struct seal_key k;
	char *sealed, *opened, err[256];
	size_t len;

	(void)state;
	key_at("u.key", &k);
	assert_int_equal(seal_text(&k, "alice", plain, strlen(plain), &sealed, err,
				   sizeof(err)), 0);
	assert_int_equal(seal_open(&k, "bob", sealed, &opened, &len, err, sizeof(err)), -1);
	assert_null(opened);
	assert_non_null(strstr(err, "does not open for this user"));
	free(sealed);
}

static void
test_other_key_refused(void **state)
{
	struct seal_key k, other;
	char *sealed, *opened, err[256];
	size_t len;

	(void)state;
	key_at("k1.key", &k);
	key_at("k2.key", &other);
	assert_string_not_equal(k.id, other.id);
	assert_int_equal(seal_text(&k, "alice", plain, strlen(plain), &sealed, err,
				   sizeof(err)), 0);
	assert_int_equal(seal_open(&other, "alice", sealed, &opened, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sealed under key"));
	/* the same id with another key (a forged id) fails the tag */
	memcpy(other.id, k.id, sizeof(k.id));
	assert_int_equal(seal_open(&other, "alice", sealed, &opened, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not open"));
	free(sealed);
}

static void
test_tampered_refused(void **state)
{
	struct seal_key k;
	char *sealed, *opened, err[256];
	size_t len, n;

	(void)state;
	key_at("t.key", &k);
	assert_int_equal(seal_text(&k, "alice", plain, strlen(plain), &sealed, err,
				   sizeof(err)), 0);
	n = strlen(sealed);
	for (size_t i = strlen(SEAL_PREFIX) + SEAL_KEY_ID_CHARS + 1; i + 4 < n; i += 7) {
		char was = sealed[i];

		sealed[i] = was == 'A' ? 'B' : 'A';
		assert_int_equal(seal_open(&k, "alice", sealed, &opened, &len, err,
					   sizeof(err)), -1);
		sealed[i] = was;
	}
	sealed[n - 5] = '\0';  /* cut short */
	assert_int_equal(seal_open(&k, "alice", sealed, &opened, &len, err, sizeof(err)), -1);
	assert_int_equal(seal_open(&k, "alice", "secret=JBSWY3DPEHPK3PXP", &opened, &len, err,
				   sizeof(err)), -1);
	assert_non_null(strstr(err, "not in the sealed format"));
	free(sealed);
}

static void
test_key_files(void **state)
{
	struct seal_key k;
	char path[256], err[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/f.key", dir);
	assert_int_equal(seal_key_create(path, err, sizeof(err)), 0);
	assert_int_equal(seal_key_create(path, err, sizeof(err)), 1);  /* kept */
	if (geteuid() == 0) {
		assert_int_equal(chmod(path, 0640), 0);
		assert_int_equal(seal_key_load(path, &k, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "mode 0600"));
		assert_int_equal(chmod(path, 0600), 0);
		assert_int_equal(seal_key_load(path, &k, err, sizeof(err)), 0);
		assert_int_equal(chown(path, 1, 1), 0);
		assert_int_equal(seal_key_load(path, &k, err, sizeof(err)), -1);
	}
	snprintf(path, sizeof(path), "%s/short.key", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("0123\n", f);
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(seal_key_load(path, &k, err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/missing.key", dir);
	assert_int_equal(seal_key_load(path, &k, err, sizeof(err)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_fresh_nonce),
		cmocka_unit_test(test_other_user_refused),
		cmocka_unit_test(test_other_key_refused),
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_key_files),
	};
	char cmd[64];
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
