/* text_parse_unsigned and text_error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "text.h"

static void
test_parse_unsigned(void **state)
{
	unsigned v = 77;

	(void)state;
	assert_int_equal(text_parse_unsigned("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(text_parse_unsigned("300", 1, 300, &v), 0);
	assert_int_equal(v, 300);
	v = 77;
	assert_int_equal(text_parse_unsigned("301", 1, 300, &v), -1);
	assert_int_equal(text_parse_unsigned("0", 1, 300, &v), -1);
	assert_int_equal(text_parse_unsigned("", 0, 300, &v), -1);
	assert_int_equal(text_parse_unsigned("+5", 0, 300, &v), -1);
	assert_int_equal(text_parse_unsigned("-5", 0, 300, &v), -1);
	assert_int_equal(text_parse_unsigned(" 5", 0, 300, &v), -1);
	assert_int_equal(text_parse_unsigned("5 ", 0, 300, &v), -1);
	assert_int_equal(text_parse_unsigned("5x", 0, 300, &v), -1);
	assert_int_equal(text_parse_unsigned("99999999999999999999999", 0, 4000000000u, &v), -1);
	assert_int_equal(text_parse_unsigned(NULL, 0, 300, &v), -1);
	assert_int_equal(v, 77); /* untouched on every refusal */
}

static void
test_error(void **state)
{
	char err[16];

	(void)state;
	text_error(err, sizeof(err), "line %d: %s", 7, "a long reason that is cut");
	assert_string_equal(err, "line 7: a long ");
	text_error(NULL, 10, "ignored %d", 1);
	text_error(err, 0, "ignored %d", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_unsigned),
		cmocka_unit_test(test_error),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
