/* RFC 4648 section 10 vectors, tolerant decoding and every rejection. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "base32.h"

static const struct { const char *plain, *padded, *bare; } rfc4648[] = {
	{ "f", "MY======", "MY" },
	{ "fo", "MZXQ====", "MZXQ" },
	{ "foo", "MZXW6===", "MZXW6" },
	{ "foob", "MZXW6YQ=", "MZXW6YQ" },
	{ "fooba", "MZXW6YTB", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI======", "MZXW6YTBOI" },
};

static void
test_encode_rfc4648(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(base32_encode((const uint8_t *)"", 0, 1, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t n = strlen(rfc4648[i].plain);

		assert_int_equal(base32_encode((const uint8_t *)rfc4648[i].plain, n, 1,
					       out, sizeof(out)), 0);
		assert_string_equal(out, rfc4648[i].padded);
		assert_int_equal(base32_encoded_len(n, 1), strlen(rfc4648[i].padded));
		assert_int_equal(base32_encode((const uint8_t *)rfc4648[i].plain, n, 0,
					       out, sizeof(out)), 0);
		assert_string_equal(out, rfc4648[i].bare);
	}
}

static void
test_decode_rfc4648(void **state)
{
	uint8_t out[64];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		size_t n = strlen(rfc4648[i].plain);

		assert_int_equal(base32_decode(rfc4648[i].padded, out, sizeof(out), &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(out, rfc4648[i].plain, n);
		assert_int_equal(base32_decode(rfc4648[i].bare, out, sizeof(out), &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(out, rfc4648[i].plain, n);
	}
}

static void
test_decode_tolerates_typing(void **state)
{
	uint8_t out[64];
	size_t len;

	(void)state;
	/* lower case, groups of four with spaces, hyphens, no padding */
	assert_int_equal(base32_decode("mzxw 6ytb oi", out, sizeof(out), &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "foobar", 6);
	assert_int_equal(base32_decode("MZXW-6YTB-OI======", out, sizeof(out), &len), 0);
	assert_int_equal(len, 6);
	assert_int_equal(base32_decode("  MzXw6ytBoi  ", out, sizeof(out), &len), 0);
	assert_memory_equal(out, "foobar", 6);
}

static void
test_round_trip_all_lengths(void **state)
{
	uint8_t in[80], out[80];
	char text[200];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (size_t n = 1; n <= sizeof(in); n++) {
		for (int pad = 0; pad <= 1; pad++) {
			assert_int_equal(base32_encode(in, n, pad, text, sizeof(text)), 0);
			assert_int_equal(strlen(text), base32_encoded_len(n, pad));
			assert_int_equal(base32_decode(text, out, sizeof(out), &len), 0);
			assert_int_equal(len, n);
			assert_memory_equal(in, out, n);
		}
	}
}

static void
test_decode_rejects(void **state)
{
	static const char *const bad[] = {
		"",              /* empty */
		"   ",           /* only separators */
		"MZXW1YTB",      /* '1' is not base32 */
		"MZXW0YTB",      /* '0' */
		"MZXW8YTB",      /* '8' */
		"MZXW6YT!",      /* punctuation */
		"MZXW6YT\xc3\xa9", /* non-ASCII */
		"MZXW\t6YTB",    /* tab */
		"M",             /* 1 char: no encoder writes it */
		"MZX",           /* 3 chars */
		"MZXW6Y",        /* 6 chars */
		"MZ=XW6YTB",     /* data after padding */
		"MZ=",           /* padding that does not complete the group */
		"MZ=======",     /* too much padding */
		"MZ========",    /* a whole group of padding */
		"MZ6=====",      /* illegal length with padding */
		"MB",            /* non-zero trailing bits ('B' leaves bits set) */
		"MZXW7",         /* non-zero trailing bits */
	};
	uint8_t out[64];
	size_t len = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(out, 0xaa, sizeof(out));
		assert_int_equal(base32_decode(bad[i], out, sizeof(out), &len), -1);
		assert_int_equal(len, 0);
		/* never a silent partial key: the output is wiped */
		for (size_t j = 0; j < sizeof(out); j++)
			assert_int_equal(out[j], 0);
	}
}

static void
test_decode_rejects_overlong(void **state)
{
	char text[1001];
	uint8_t out[16];
	size_t len;

	(void)state;
	memset(text, 'A', 1000);
	text[1000] = '\0';
	assert_int_equal(base32_decode(text, out, sizeof(out), &len), -1);
	/* exactly fitting output is fine: 16 bytes = 26 chars, last char of 2 bits */
	assert_int_equal(base32_decode("AAAAAAAAAAAAAAAAAAAAAAAAAA", out, sizeof(out), &len), 0);
	assert_int_equal(len, 16);
}

static void
test_encode_small_buffer(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(base32_encode((const uint8_t *)"foobar", 6, 0, out, 10), -1);
	assert_int_equal(base32_encode((const uint8_t *)"fooba", 5, 0, out, 9), 0);
	assert_int_equal(base32_encode((const uint8_t *)"fooba", 5, 0, out, 8), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_rfc4648),
		cmocka_unit_test(test_decode_rfc4648),
		cmocka_unit_test(test_decode_tolerates_typing),
		cmocka_unit_test(test_round_trip_all_lengths),
		cmocka_unit_test(test_decode_rejects),
		cmocka_unit_test(test_decode_rejects_overlong),
		cmocka_unit_test(test_encode_small_buffer),
	};
	return cmocka_run_group_tests_name("base32", tests, NULL, NULL);
}
