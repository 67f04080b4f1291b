/* Recovery codes: generation, the stored hash, normalisation, matching and
 * removal. Low iteration counts keep the tests fast; the hash is checked
 * against a vector computed independently (Python hashlib.pbkdf2_hmac). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "recovery.h"

#define FAST_ITER 1000

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

static int
in_alphabet(char c)
{
	return c != '\0' && strchr(alphabet, c) != NULL;
}

/* Strip the hyphens of a shown code. */
static void
canonical(const char *shown, char out[RECOVERY_CODE_CHARS + 1])
{
	assert_int_equal(recovery_normalize(shown, out), 1);
}

static void
test_generate_shape(void **state)
{
	static struct totp_record rec;
	char codes[RECORD_RECOVERY_MAX][RECOVERY_CODE_SIZE];
	static const uint8_t zero[RECORD_RECOVERY_SALT_LEN];

	(void)state;
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(recovery_generate(&rec, 10, FAST_ITER, codes), 0);
	assert_int_equal(rec.recovery_count, 10);
	assert_int_equal(rec.recovery_iterations, FAST_ITER);
	assert_memory_not_equal(rec.recovery_salt, zero, sizeof(zero));
	for (size_t i = 0; i < 10; i++) {
		const char *c = codes[i];

		assert_int_equal(strlen(c), 14);
		assert_int_equal(c[4], '-');
		assert_int_equal(c[9], '-');
		for (size_t j = 0; j < 14; j++) {
			if (j != 4 && j != 9)
				assert_true(in_alphabet(c[j]));
		}
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(codes[k], c);
	}
	/* slots past the count are untouched zeros */
	assert_memory_equal(rec.recovery[10], zero, RECORD_RECOVERY_HASH_LEN);
}

static void
test_generate_default_and_limits(void **state)
{
	static struct totp_record rec, before;
	char codes[RECORD_RECOVERY_MAX + 1][RECOVERY_CODE_SIZE];

	(void)state;
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(recovery_generate(&rec, 1, 0, codes), 0);
	assert_int_equal(rec.recovery_iterations, RECOVERY_ITERATIONS_DEFAULT);
	assert_int_equal(rec.recovery_count, 1);

	/* too many codes, too many iterations: refused, rec unchanged */
	before = rec;
	assert_int_equal(recovery_generate(&rec, RECORD_RECOVERY_MAX + 1,
					   FAST_ITER, codes), -1);
	assert_int_equal(recovery_generate(&rec, 2, RECOVERY_ITERATIONS_MAX + 1,
					   codes), -1);
	assert_memory_equal(&rec, &before, sizeof(rec));
	assert_int_equal(recovery_generate(NULL, 1, FAST_ITER, codes), -1);

	/* the maximum works */
	assert_int_equal(recovery_generate(&rec, RECORD_RECOVERY_MAX, FAST_ITER,
					   codes), 0);
	assert_int_equal(rec.recovery_count, RECORD_RECOVERY_MAX);

	/* zero codes: no codes, no KDF parameters */
	assert_int_equal(recovery_generate(&rec, 0, FAST_ITER, NULL), 0);
	assert_int_equal(rec.recovery_count, 0);
	assert_int_equal(rec.recovery_iterations, 0);
}

static void
test_hash_vector(void **state)
{
	static struct totp_record rec;
	static const uint8_t h1[RECORD_RECOVERY_HASH_LEN] = {
		0x96, 0x93, 0xbe, 0x3e, 0xef, 0x06, 0xf2, 0x4d,
		0xa6, 0x03, 0xd5, 0xb7, 0x38, 0x5e, 0x11, 0xd1,
	};
	static const uint8_t h2[RECORD_RECOVERY_HASH_LEN] = {
		0x3d, 0xe5, 0x17, 0x77, 0x5e, 0xc6, 0x8f, 0xd7,
		0x1a, 0xd6, 0x4a, 0x03, 0x4d, 0xf1, 0x95, 0xfe,
	};

	(void)state;
	memset(&rec, 0, sizeof(rec));
	for (size_t i = 0; i < RECORD_RECOVERY_SALT_LEN; i++)
		rec.recovery_salt[i] = (uint8_t)i;
	rec.recovery_iterations = 1000;
	rec.recovery_count = 3;
	memset(rec.recovery[0], 0xaa, RECORD_RECOVERY_HASH_LEN);
	memcpy(rec.recovery[1], h1, sizeof(h1));
	memcpy(rec.recovery[2], h2, sizeof(h2));
	assert_int_equal(recovery_match(&rec, "abcdefghjkmn"), 1);
	assert_int_equal(recovery_match(&rec, "zzzz22227777"), 2);
	assert_int_equal(recovery_match(&rec, "abcdefghjkmo"), -1);
	/* another salt or count: another hash */
	rec.recovery_iterations = 999;
	assert_int_equal(recovery_match(&rec, "abcdefghjkmn"), -1);
	rec.recovery_iterations = 1000;
	rec.recovery_salt[0] ^= 1;
	assert_int_equal(recovery_match(&rec, "abcdefghjkmn"), -1);
}

static void
test_match_generated_and_remove(void **state)
{
	static struct totp_record rec;
	char codes[5][RECOVERY_CODE_SIZE];
	char c[RECOVERY_CODE_CHARS + 1];
	char c0[RECOVERY_CODE_CHARS + 1], c4[RECOVERY_CODE_CHARS + 1];

	(void)state;
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(recovery_generate(&rec, 5, FAST_ITER, codes), 0);
	for (int i = 0; i < 5; i++) {
		canonical(codes[i], c);
		assert_int_equal(recovery_match(&rec, c), i);
	}
	canonical(codes[0], c0);
	canonical(codes[4], c4);

	/* remove the middle one: it no longer matches, the rest shift down */
	canonical(codes[2], c);
	recovery_remove(&rec, 2);
	assert_int_equal(rec.recovery_count, 4);
	assert_int_equal(recovery_match(&rec, c), -1);
	assert_int_equal(recovery_match(&rec, c0), 0);
	assert_int_equal(recovery_match(&rec, c4), 3);

	/* out of range: nothing happens */
	recovery_remove(&rec, 4);
	recovery_remove(NULL, 0);
	assert_int_equal(rec.recovery_count, 4);

	while (rec.recovery_count > 0)
		recovery_remove(&rec, 0);
	assert_int_equal(rec.recovery_iterations, 0);
	assert_int_equal(recovery_match(&rec, c4), -1);
}

static void
test_match_errors(void **state)
{
	static struct totp_record rec;
	char codes[1][RECOVERY_CODE_SIZE];
	char c[RECOVERY_CODE_CHARS + 1];

	(void)state;
	memset(&rec, 0, sizeof(rec));
	assert_int_equal(recovery_generate(&rec, 1, FAST_ITER, codes), 0);
	canonical(codes[0], c);
	assert_int_equal(recovery_match(NULL, c), -2);
	assert_int_equal(recovery_match(&rec, NULL), -2);
	{
		char shortc[RECOVERY_CODE_CHARS + 1] = "short";

		assert_int_equal(recovery_match(&rec, shortc), -2);
	}
	rec.recovery_iterations = 0;
	assert_int_equal(recovery_match(&rec, c), -2);
	rec.recovery_iterations = RECOVERY_ITERATIONS_MAX + 1;
	assert_int_equal(recovery_match(&rec, c), -2);
	rec.recovery_iterations = FAST_ITER;
	rec.recovery_count = RECORD_RECOVERY_MAX + 1;
	assert_int_equal(recovery_match(&rec, c), -2);
	rec.recovery_count = 1;
	assert_int_equal(recovery_match(&rec, c), 0);
}

struct norm_row {
	const char *in;
	const char *want;  /* NULL: not a recovery code */
};

static const struct norm_row norm_rows[] = {
	{ "abcd-efgh-jkmn", "abcdefghjkmn" },
	{ "ABCD-EFGH-JKMN", "abcdefghjkmn" },
	{ "AbCd-eFgH-jKmN", "abcdefghjkmn" },
	{ "abcdefghjkmn", "abcdefghjkmn" },
	{ "abcd efgh jkmn", "abcdefghjkmn" },
	{ " abcd - efgh - jkmn \n", "abcdefghjkmn" },
	{ "a-b-c-d-e-f-g-h-j-k-m-n", "abcdefghjkmn" },
	{ "2345-6723-4567", "234567234567" },
	{ "zzzz-zzzz-zzzz", "zzzzzzzzzzzz" },
	{ "", NULL },
	{ "---- ----", NULL },
	{ "abcd-efgh-jkm", NULL },         /* 11 */
	{ "abcd-efgh-jkmnp", NULL },       /* 13 */
	{ "abcd-efgh-jkm0", NULL },        /* 0, 1, 8, 9 are not base32 */
	{ "abcd-efgh-jkm1", NULL },
	{ "abcd-efgh-jkm8", NULL },
	{ "abcd-efgh-jkm9", NULL },
	{ "abcd_efgh_jkmn", NULL },
	{ "abcd.efgh.jkmn", NULL },
	{ "abcd-efgh-jkm=", NULL },
	{ "abcd-efgh-jkm\xc3\xa9", NULL },
	{ "123456", NULL },
	{ "abcd-efgh-jkmn\x01", NULL },
};

static void
test_normalize(void **state)
{
	char out[RECOVERY_CODE_CHARS + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(norm_rows) / sizeof(norm_rows[0]); i++) {
		int ok;

		memset(out, 'x', sizeof(out));
		ok = recovery_normalize(norm_rows[i].in, out);
		if (norm_rows[i].want != NULL) {
			if (ok != 1)
				fail_msg("row %zu: '%s' refused", i, norm_rows[i].in);
			assert_string_equal(out, norm_rows[i].want);
		} else {
			if (ok != 0)
				fail_msg("row %zu: '%s' accepted as '%s'", i,
					 norm_rows[i].in, out);
			for (size_t j = 0; j < sizeof(out); j++)
				assert_int_equal(out[j], 0);
		}
	}
	assert_int_equal(recovery_normalize(NULL, out), 0);
	assert_int_equal(recovery_normalize("abcd-efgh-jkmn", NULL), 0);
}

/* recovery_match takes a buffer of the canonical size */
static int
match(const struct totp_record *rec, const char *code)
{
	char buf[RECOVERY_CODE_CHARS + 1] = "";

	snprintf(buf, sizeof(buf), "%s", code);
	return recovery_match(rec, buf);
}

/* google-authenticator scratch codes (totp-admin import-ga): 8 digits,
 * hashed beside or instead of 12-character codes, each matched once. */
static void
test_scratch(void **state)
{
	static struct totp_record rec;
	static const char *const codes[] = { "12345678", "abcdefghjkmn", "87654321" };
	char out[RECOVERY_CODE_CHARS + 1];

	(void)state;
	assert_int_equal(recovery_normalize_scratch("1234-5678", out), 1);
	assert_string_equal(out, "12345678");
	assert_int_equal(recovery_normalize_scratch(" 12345678\n", out), 1);
	assert_int_equal(recovery_normalize_scratch("1234567", out), 0);
	assert_int_equal(recovery_normalize_scratch("123456789", out), 0);
	assert_int_equal(recovery_normalize_scratch("1234567a", out), 0);
	assert_int_equal(recovery_normalize_scratch("", out), 0);
	assert_int_equal(recovery_normalize_scratch(NULL, out), 0);
	for (size_t j = 0; j < sizeof(out); j++)
		assert_int_equal(out[j], 0);
	/* the 12-character shape does not take 8 digits */
	assert_int_equal(recovery_normalize("12345678", out), 0);

	memset(&rec, 0, sizeof(rec));
	assert_int_equal(recovery_set(&rec, codes, 3, FAST_ITER), 0);
	assert_int_equal(rec.recovery_count, 3);
	assert_int_equal(match(&rec, "87654321"), 2);
	assert_int_equal(match(&rec, "abcdefghjkmn"), 1);
	assert_int_equal(match(&rec, "12345678"), 0);
	assert_int_equal(match(&rec, "12345679"), -1);
	recovery_remove(&rec, 0);
	assert_int_equal(match(&rec, "12345678"), -1);
	/* neither shape: refused, rec unchanged */
	{
		static const char *const bad[] = { "1234567" };

		assert_int_equal(recovery_set(&rec, bad, 1, FAST_ITER), -1);
		assert_int_equal(rec.recovery_count, 2);
		assert_int_equal(match(&rec, "1234567"), -2);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_shape),
		cmocka_unit_test(test_generate_default_and_limits),
		cmocka_unit_test(test_hash_vector),
		cmocka_unit_test(test_match_generated_and_remove),
		cmocka_unit_test(test_match_errors),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_scratch),
	};

	return cmocka_run_group_tests_name("recovery", tests, NULL, NULL);
}
