/* The list of state fields (TOTP_STATE_FIELDS, lib/record.h) against
 * what is made from it and what is not: the columns of pam_totp_records
 * in sql/pam_totp.sql (name, SQL type, DEFAULT, CHECK), and each field's
 * bounds through a record written and read back. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "record.h"

/* the columns of pam_totp_records that are not the state */
static const char *const other_columns[] = { "user_name", "record", "updated" };

/* s with every run of blanks made one space, none at either end, and a
 * comma at the end dropped */
static void
squeeze(char *s)
{
	char *in = s, *out = s;

	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == '\t' || *in == '\r') {
			if (out != s && out[-1] != ' ')
				*out++ = ' ';
			continue;
		}
		*out++ = *in;
	}
	while (out > s && (out[-1] == ' ' || out[-1] == ','))
		out--;
	*out = '\0';
}

static int
is_other_column(const char *line)
{
	for (size_t i = 0; i < sizeof(other_columns) / sizeof(other_columns[0]); i++) {
		size_t n = strlen(other_columns[i]);

		if (strncmp(line, other_columns[i], n) == 0 && line[n] == ' ')
			return 1;
	}
	return 0;
}

/* The column definitions of pam_totp_records that hold the state, as
 * written in sql/pam_totp.sql, squeezed; *n of them. */
static void
sql_state_columns(char lines[][256], size_t max, size_t *n)
{
	const char *srcdir = getenv("top_srcdir");
	char path[4096], line[256];
	int in_table = 0;
	FILE *f;

	*n = 0;
	if (srcdir == NULL)
		srcdir = ".";
	snprintf(path, sizeof(path), "%s/sql/pam_totp.sql", srcdir);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s (top_srcdir names the source tree)", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		squeeze(line);
		if (!in_table) {
			in_table = strcmp(line, "CREATE TABLE IF NOT EXISTS pam_totp_records (") == 0;
			continue;
		}
		if (strcmp(line, ");") == 0)
			break;
		if (line[0] == '\0' || strncmp(line, "--", 2) == 0 || is_other_column(line))
			continue;
		if (*n == max)
			fail_msg("more state columns in %s than TOTP_STATE_FIELDS has", path);
		snprintf(lines[(*n)++], 256, "%s", line);
	}
	fclose(f);
	if (!in_table)
		fail_msg("no CREATE TABLE IF NOT EXISTS pam_totp_records in %s", path);
}

/* Each state column is the field of the same place in the list: its
 * name, its SQL type, NOT NULL, DEFAULT its init, and CHECK (name >= min)
 * when the list says the column has one. */
static void
test_sql_matches_list(void **state)
{
	char lines[TOTP_STATE_NFIELDS + 1][256], want[256], init[24], min[24];
	struct totp_state t;
	size_t n, i = 0;

	(void)state;
	sql_state_columns(lines, TOTP_STATE_NFIELDS + 1, &n);
#define COLUMN(name, type, label, width, lo, hi, start, sql_type, sql_check) \
	t.name = (start); \
	RECORD_FIELD_TEXT(init, sizeof(init), t.name); \
	t.name = (lo); \
	RECORD_FIELD_TEXT(min, sizeof(min), t.name); \
	snprintf(want, sizeof(want), "%s %s NOT NULL DEFAULT %s%s%s%s%s%s", #name, sql_type, \
		 init, (sql_check) ? " CHECK (" : "", (sql_check) ? #name : "", \
		 (sql_check) ? " >= " : "", (sql_check) ? min : "", (sql_check) ? ")" : ""); \
	if (i >= n) \
		fail_msg("sql/pam_totp.sql has no column for field %zu, %s", i + 1, want); \
	if (strcmp(lines[i], want) != 0) \
		fail_msg("state column %zu: sql/pam_totp.sql has \"%s\", TOTP_STATE_FIELDS " \
			 "says \"%s\"", i + 1, lines[i], want); \
	i++;
	TOTP_STATE_FIELDS(COLUMN)
#undef COLUMN
	if (n != TOTP_STATE_NFIELDS)
		fail_msg("sql/pam_totp.sql has %zu state columns, TOTP_STATE_FIELDS %d", n,
			 (int)TOTP_STATE_NFIELDS);
}

/* A record whose state has field at its bound (the rest fresh) is
 * written, read back the same, and written to the same bytes again. */
static void
bound_round_trip(const struct totp_state *st, const char *what)
{
	static char buf[RECORD_MAX_BYTES + 1], buf2[RECORD_MAX_BYTES + 1];
	struct totp_record rec, back;
	size_t len = 0, len2 = 0;
	char err[256];

	memset(&rec, 0, sizeof(rec));
	memset(rec.secret, 0x5a, 20);
	rec.secret_len = 20;
	rec.alg = OTP_ALG_SHA1;
	rec.digits = 6;
	rec.period = 30;
	rec.created = 1700000000;
	rec.state = *st;
	if (record_format(&rec, buf, sizeof(buf), &len) != 0)
		fail_msg("%s: not written", what);
	if (record_parse(buf, len, &back, err, sizeof(err)) != 0)
		fail_msg("%s: not read back: %s", what, err);
	if (!record_state_equal(&back.state, st))
		fail_msg("%s: read back as another state", what);
	assert_int_equal(record_format(&back, buf2, sizeof(buf2), &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	record_wipe(&back);
}

static void
test_bounds_round_trip(void **state)
{
	struct totp_state st;

	(void)state;
#define BOUNDS(name, type, label, width, lo, hi, ...) \
	record_state_init(&st); \
	st.name = (lo); \
	bound_round_trip(&st, #name " at its min"); \
	st.name = (hi); \
	bound_round_trip(&st, #name " at its max");
	TOTP_STATE_FIELDS(BOUNDS)
#undef BOUNDS
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_matches_list),
		cmocka_unit_test(test_bounds_round_trip),
	};

	return cmocka_run_group_tests_name("state_fields", tests, NULL, NULL);
}
