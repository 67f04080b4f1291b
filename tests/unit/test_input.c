/* The shape of a typed TOTP code: what input_totp_code accepts and refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "input.h"

struct row {
	const char *in;
	unsigned digits;
	const char *want;  /* NULL: refused */
};

static const struct row rows[] = {
	/* accepted */
	{ "123456", 6, "123456" },
	{ "000000", 6, "000000" },
	{ " 123456", 6, "123456" },
	{ "123456 ", 6, "123456" },
	{ "\t 123456 \r\n", 6, "123456" },
	{ "\v\f123456\n", 6, "123456" },
	{ "123 456", 6, "123456" },
	{ "12 34 56", 6, "123456" },
	{ "1 2 3 4 5 6", 6, "123456" },
	{ "  123 456  ", 6, "123456" },
	{ "1234567", 7, "1234567" },
	{ "12345678", 8, "12345678" },
	{ "1234 5678", 8, "12345678" },
	/* refused: empty and blank */
	{ "", 6, NULL },
	{ " ", 6, NULL },
	{ " \t\r\n", 6, NULL },
	/* refused: wrong length */
	{ "12345", 6, NULL },
	{ "1234567", 6, NULL },
	{ "123456", 7, NULL },
	{ "123456", 8, NULL },
	{ "12345678", 6, NULL },
	{ "123 4567", 6, NULL },
	/* refused: spacing */
	{ "123  456", 6, NULL },
	{ "123\t456", 6, NULL },
	{ "123\n456", 6, NULL },
	/* refused: other characters */
	{ "abcdef", 6, NULL },
	{ "12345a", 6, NULL },
	{ "a123456", 6, NULL },
	{ "123-456", 6, NULL },
	{ "+123456", 6, NULL },
	{ "-123456", 6, NULL },
	{ "123456\x01", 6, NULL },
	{ "\x1b[A123456", 6, NULL },
	{ "12345\x7f", 6, NULL },
	{ "123456\xc2\xa0", 6, NULL },           /* NBSP after the code */
	{ "\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6", 6, NULL }, /* Arabic-Indic */
	{ "１２３４５６", 6, NULL },              /* full-width digits */
	/* refused: digits outside 6..8 */
	{ "12345", 5, NULL },
	{ "123456789", 9, NULL },
	{ "123456", 0, NULL },
};

static void
test_table(void **state)
{
	char out[OTP_CODE_SIZE];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int ok;

		memset(out, 'x', sizeof(out));
		ok = input_totp_code(rows[i].in, rows[i].digits, out);
		if (rows[i].want != NULL) {
			if (ok != 1)
				fail_msg("row %zu: '%s' refused", i, rows[i].in);
			assert_string_equal(out, rows[i].want);
		} else {
			if (ok != 0)
				fail_msg("row %zu: '%s' accepted as '%s'", i,
					 rows[i].in, out);
			/* refused: nothing of the input is left in out */
			for (size_t j = 0; j < sizeof(out); j++)
				assert_int_equal(out[j], 0);
		}
	}
}

static void
test_long_input(void **state)
{
	char out[OTP_CODE_SIZE];
	char *big = malloc(1001);

	(void)state;
	assert_non_null(big);
	memset(big, '7', 1000);
	big[1000] = '\0';
	assert_int_equal(input_totp_code(big, 6, out), 0);
	assert_int_equal(input_totp_code(big, 8, out), 0);
	/* the right number of digits after a sea of whitespace is fine */
	memset(big, ' ', 1000);
	memcpy(big + 500, "654321", 6);
	assert_int_equal(input_totp_code(big, 6, out), 1);
	assert_string_equal(out, "654321");
	free(big);
}

static void
test_null(void **state)
{
	char out[OTP_CODE_SIZE];

	(void)state;
	assert_int_equal(input_totp_code(NULL, 6, out), 0);
	assert_int_equal(input_totp_code("123456", 6, NULL), 0);
}

static void
test_is_space(void **state)
{
	(void)state;
	assert_true(input_is_space(' '));
	assert_true(input_is_space('\t'));
	assert_true(input_is_space('\n'));
	assert_true(input_is_space('\r'));
	assert_false(input_is_space('\0'));
	assert_false(input_is_space('-'));
	assert_false(input_is_space('\xa0'));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_is_space),
	};

	return cmocka_run_group_tests_name("input", tests, NULL, NULL);
}
