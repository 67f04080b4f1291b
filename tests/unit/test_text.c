/* text_parse_unsigned, text_error, text_error_errno, text_escape,
 * text_escape_field and text_clean_display. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
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

static void
test_error_errno(void **state)
{
	char err[64];

	(void)state;
	errno = ENOENT;
	text_error_errno(err, sizeof(err), "cannot open %s", "/x");
	assert_string_equal(err, "cannot open /x: No such file or directory");
	assert_int_equal(errno, ENOENT);
	errno = 0;
	text_error_errno(err, sizeof(err), "record grew: %s", "/x");
	assert_string_equal(err, "record grew: /x");
	/* cut as one string would be */
	errno = EACCES;
	text_error_errno(err, 18, "cannot open %s", "/x");
	assert_string_equal(err, "cannot open /x: P");
	text_error_errno(err, 10, "cannot open %s", "/x");
	assert_string_equal(err, "cannot op");
	text_error_errno(NULL, 10, "ignored %d", 1);
	text_error_errno(err, 0, "ignored %d", 1);
	assert_int_equal(errno, EACCES);
}

static void
test_escape(void **state)
{
	char out[64], small[9];

	(void)state;
	/* a forged second log line becomes part of the first */
	assert_string_equal(text_escape("eve\nuser=root: accepted", out, sizeof(out)),
			    "eve\\x0auser=root: accepted");
	assert_string_equal(text_escape("a\\x0a\x7f\x1b[2J\xc3\xa9", out, sizeof(out)),
			    "a\\x5cx0a\\x7f\\x1b[2J\\xc3\\xa9");
	assert_string_equal(text_escape("plain-name_1.2@host", out, sizeof(out)),
			    "plain-name_1.2@host");
	assert_string_equal(text_escape(NULL, out, sizeof(out)), "?");
	/* cut at a whole escape, never half of one */
	assert_string_equal(text_escape("abcde\n", small, sizeof(small)), "abcde");
	assert_string_equal(text_escape("abc\n", small, sizeof(small)), "abc\\x0a");
	assert_string_equal(text_escape("abcdefghijk", small, sizeof(small)), "abcdefgh");
}

static void
test_escape_field(void **state)
{
	char out[128], small[9];

	(void)state;
	/* a user name cannot end its field and supply the next ones */
	assert_string_equal(text_escape_field("x service=sshd rhost=203.0.113.66: wrong code", out,
					      sizeof(out)),
			    "x\\x20service=sshd\\x20rhost=203.0.113.66:\\x20wrong\\x20code");
	/* otherwise as text_escape */
	assert_string_equal(text_escape_field("eve\n\\\t\xc3\xa9", out, sizeof(out)),
			    "eve\\x0a\\x5c\\x09\\xc3\\xa9");
	assert_string_equal(text_escape_field("plain-name_1.2@host", out, sizeof(out)),
			    "plain-name_1.2@host");
	assert_string_equal(text_escape_field(NULL, out, sizeof(out)), "?");
	assert_string_equal(text_escape_field("abc d", small, sizeof(small)), "abc\\x20d");
	assert_string_equal(text_escape_field("abcde f", small, sizeof(small)), "abcde");
}

static void
test_clean_display(void **state)
{
	char s[64];

	(void)state;
	/* Dutch and a telephone number pass as written */
	snprintf(s, sizeof(s), "%s", "Bel de servicedesk: 020 123 4567 (\xc3\xa9\xe2\x82\xac)");
	assert_string_equal(text_clean_display(s), "Bel de servicedesk: 020 123 4567 (\xc3\xa9\xe2\x82\xac)");
	/* no escape sequence, newline, tab or DEL reaches the terminal */
	snprintf(s, sizeof(s), "%s", "a\x1b[2Jb\nc\td\x7f");
	assert_string_equal(text_clean_display(s), "a [2Jb c d ");
	/* C1 controls: U+009B (CSI) as UTF-8, and as a lone byte */
	snprintf(s, sizeof(s), "%s", "x\xc2\x9b" "2Jy\x9b" "z");
	assert_string_equal(text_clean_display(s), "x  2Jy z");
	/* bytes that are not well-formed UTF-8: cut, overlong, surrogate */
	snprintf(s, sizeof(s), "%s", "\xc3 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80");
	assert_string_equal(text_clean_display(s), "             ");
	/* a four-byte character is kept */
	snprintf(s, sizeof(s), "%s", "\xf0\x9f\x93\x9e 112");
	assert_string_equal(text_clean_display(s), "\xf0\x9f\x93\x9e 112");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_unsigned),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_error_errno),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_field),
		cmocka_unit_test(test_clean_display),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
