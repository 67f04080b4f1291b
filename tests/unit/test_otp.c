/* RFC 4226 Appendix D and RFC 6238 Appendix B, plus argument checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "otp.h"

static const uint8_t seed20[] = "12345678901234567890";
static const uint8_t seed32[] = "12345678901234567890123456789012";
static const uint8_t seed64[] =
	"1234567890123456789012345678901234567890123456789012345678901234";

static void
test_rfc4226_appendix_d(void **state)
{
	static const char *const expect[10] = {
		"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489",
	};
	char code[OTP_CODE_SIZE];

	(void)state;
	for (uint64_t c = 0; c < 10; c++) {
		assert_int_equal(otp_hotp(seed20, 20, OTP_ALG_SHA1, c, 6, code), 0);
		assert_string_equal(code, expect[c]);
	}
}

struct rfc6238_row {
	int64_t time;
	otp_alg alg;
	const char *code;
};

static const struct rfc6238_row rfc6238[18] = {
	{ 59, OTP_ALG_SHA1, "94287082" },
	{ 59, OTP_ALG_SHA256, "46119246" },
	{ 59, OTP_ALG_SHA512, "90693936" },
	{ 1111111109, OTP_ALG_SHA1, "07081804" },
	{ 1111111109, OTP_ALG_SHA256, "68084774" },
	{ 1111111109, OTP_ALG_SHA512, "25091201" },
	{ 1111111111, OTP_ALG_SHA1, "14050471" },
	{ 1111111111, OTP_ALG_SHA256, "67062674" },
	{ 1111111111, OTP_ALG_SHA512, "99943326" },
	{ 1234567890, OTP_ALG_SHA1, "89005924" },
	{ 1234567890, OTP_ALG_SHA256, "91819424" },
	{ 1234567890, OTP_ALG_SHA512, "93441116" },
	{ 2000000000, OTP_ALG_SHA1, "69279037" },
	{ 2000000000, OTP_ALG_SHA256, "90698825" },
	{ 2000000000, OTP_ALG_SHA512, "38618901" },
	{ 20000000000LL, OTP_ALG_SHA1, "65353130" },
	{ 20000000000LL, OTP_ALG_SHA256, "77737706" },
	{ 20000000000LL, OTP_ALG_SHA512, "47863826" },
};

static void
test_rfc6238_appendix_b(void **state)
{
	char code[OTP_CODE_SIZE];

	(void)state;
	for (size_t i = 0; i < 18; i++) {
		const uint8_t *key = rfc6238[i].alg == OTP_ALG_SHA1 ? seed20 :
				     rfc6238[i].alg == OTP_ALG_SHA256 ? seed32 : seed64;
		size_t len = rfc6238[i].alg == OTP_ALG_SHA1 ? 20 :
			     rfc6238[i].alg == OTP_ALG_SHA256 ? 32 : 64;

		assert_int_equal(otp_totp(key, len, rfc6238[i].alg, rfc6238[i].time,
					  30, 8, code), 0);
		assert_string_equal(code, rfc6238[i].code);
	}
}

static void
test_six_and_seven_digits_are_suffixes(void **state)
{
	char code8[OTP_CODE_SIZE], code7[OTP_CODE_SIZE], code6[OTP_CODE_SIZE];

	(void)state;
	assert_int_equal(otp_totp(seed20, 20, OTP_ALG_SHA1, 59, 30, 8, code8), 0);
	assert_int_equal(otp_totp(seed20, 20, OTP_ALG_SHA1, 59, 30, 7, code7), 0);
	assert_int_equal(otp_totp(seed20, 20, OTP_ALG_SHA1, 59, 30, 6, code6), 0);
	assert_string_equal(code7, code8 + 1);
	assert_string_equal(code6, code8 + 2);
	assert_int_equal(strlen(code6), 6);
}

static void
test_time_step(void **state)
{
	(void)state;
	assert_int_equal(otp_time_step(0, 30), 0);
	assert_int_equal(otp_time_step(29, 30), 0);
	assert_int_equal(otp_time_step(30, 30), 1);
	assert_int_equal(otp_time_step(59, 60), 0);
	/* past 2038: 64-bit steps */
	assert_int_equal(otp_time_step(4102444800LL, 30), 136748160LL);
	assert_int_equal(otp_time_step(-1, 30), -1);
	assert_int_equal(otp_time_step(100, 0), -1);
}

static void
test_any_period(void **state)
{
	char a[OTP_CODE_SIZE], b[OTP_CODE_SIZE];

	(void)state;
	/* with a 60 s period, t=119 is step 1, the same as HOTP counter 1 */
	assert_int_equal(otp_totp(seed20, 20, OTP_ALG_SHA1, 119, 60, 6, a), 0);
	assert_int_equal(otp_hotp(seed20, 20, OTP_ALG_SHA1, 1, 6, b), 0);
	assert_string_equal(a, b);
	assert_string_equal(a, "287082");
}

static void
test_bad_arguments(void **state)
{
	char code[OTP_CODE_SIZE];

	(void)state;
	assert_int_equal(otp_hotp(seed20, 20, OTP_ALG_SHA1, 0, 5, code), -1);
	assert_int_equal(otp_hotp(seed20, 20, OTP_ALG_SHA1, 0, 9, code), -1);
	assert_int_equal(otp_hotp(seed20, 0, OTP_ALG_SHA1, 0, 6, code), -1);
	assert_int_equal(otp_hotp(NULL, 20, OTP_ALG_SHA1, 0, 6, code), -1);
	assert_int_equal(otp_hotp(seed20, OTP_KEY_MAX + 1, OTP_ALG_SHA1, 0, 6, code), -1);
	assert_int_equal(otp_hotp(seed20, 20, (otp_alg)7, 0, 6, code), -1);
	assert_int_equal(otp_totp(seed20, 20, OTP_ALG_SHA1, -5, 30, 6, code), -1);
	assert_int_equal(otp_totp(seed20, 20, OTP_ALG_SHA1, 59, 0, 6, code), -1);
}

static void
test_alg_names(void **state)
{
	/* set: gcc -flto inlines the lookup and cannot know that a failed
	 * assert_int_equal does not return (-Wmaybe-uninitialized) */
	otp_alg a = (otp_alg)-1;

	(void)state;
	assert_int_equal(otp_alg_from_name("sha1", &a), 0);
	assert_int_equal(a, OTP_ALG_SHA1);
	assert_int_equal(otp_alg_from_name("SHA256", &a), 0);
	assert_int_equal(a, OTP_ALG_SHA256);
	assert_int_equal(otp_alg_from_name("Sha512", &a), 0);
	assert_int_equal(a, OTP_ALG_SHA512);
	assert_int_equal(otp_alg_from_name("MD5", &a), -1);
	assert_int_equal(otp_alg_from_name("", &a), -1);
	assert_int_equal(otp_alg_from_name(NULL, &a), -1);
	assert_string_equal(otp_alg_name(OTP_ALG_SHA512), "SHA512");
	assert_null(otp_alg_name((otp_alg)3));
}

/* One keyed HMAC, re-initialised per counter, gives the same codes as a
 * fresh one per code: the RFC 4226 and RFC 6238 vectors, in any order. */
static void
test_keyed_hmac_matches_one_shot(void **state)
{
	static const char *const expect[10] = {
		"755224", "287082", "359152", "969429", "338314",
		"254676", "287922", "162583", "399871", "520489",
	};
	struct otp_key *k = NULL;
	char code[OTP_CODE_SIZE];

	(void)state;
	assert_int_equal(otp_key_new(seed20, 20, OTP_ALG_SHA1, &k), 0);
	for (int c = 9; c >= 0; c--) {
		assert_int_equal(otp_key_hotp(k, (uint64_t)c, 6, code), 0);
		assert_string_equal(code, expect[c]);
	}
	otp_key_free(k);
	for (size_t i = 0; i < sizeof(rfc6238) / sizeof(rfc6238[0]); i++) {
		const uint8_t *seed = rfc6238[i].alg == OTP_ALG_SHA1 ? seed20 :
				      rfc6238[i].alg == OTP_ALG_SHA256 ? seed32 : seed64;
		size_t len = rfc6238[i].alg == OTP_ALG_SHA1 ? 20 :
			     rfc6238[i].alg == OTP_ALG_SHA256 ? 32 : 64;

		assert_int_equal(otp_key_new(seed, len, rfc6238[i].alg, &k), 0);
		assert_int_equal(otp_key_hotp(k, 7, 8, code), 0); /* a step before */
		assert_int_equal(otp_key_hotp(k, (uint64_t)(rfc6238[i].time / 30), 8, code), 0);
		assert_string_equal(code, rfc6238[i].code);
		otp_key_free(k);
	}
	assert_int_equal(otp_key_new(seed20, 0, OTP_ALG_SHA1, &k), -1);
	assert_null(k);
	assert_int_equal(otp_key_new(NULL, 20, OTP_ALG_SHA1, &k), -1);
	assert_int_equal(otp_key_hotp(NULL, 0, 6, code), -1);
	otp_key_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4226_appendix_d),
		cmocka_unit_test(test_rfc6238_appendix_b),
		cmocka_unit_test(test_six_and_seven_digits_are_suffixes),
		cmocka_unit_test(test_time_step),
		cmocka_unit_test(test_any_period),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_alg_names),
		cmocka_unit_test(test_keyed_hmac_matches_one_shot),
	};
	return cmocka_run_group_tests_name("otp", tests, NULL, NULL);
}
