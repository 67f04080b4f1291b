/* Reading a pam_oath usersfile line: see oath_file.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "oath_file.h"
#include "secure.h"
#include "text.h"

#define OATH_FIELDS 7
#define OATH_FIELD_MAX 512

/* TYPE: 1 with digits and period for a time-based type, -1 (reason in
 * err) for anything else. */
static int
parse_type(const char *t, unsigned *digits, unsigned *period, char *err, size_t err_size)
{
	const char *rest;

	if (strncmp(t, "HOTP/T30", 8) == 0)
		*period = 30;
	else if (strncmp(t, "HOTP/T60", 8) == 0)
		*period = 60;
	else if (strcmp(t, "HOTP") == 0 || strncmp(t, "HOTP/E", 6) == 0 ||
		 (strncmp(t, "HOTP/", 5) == 0 && t[5] >= '0' && t[5] <= '9')) {
		text_error(err, err_size, "type %s is counter-based (HOTP); pam_totp does "
			   "time-based codes only", t);
		return -1;
	} else {
		text_error(err, err_size, "unknown type '%.32s'", t);
		return -1;
	}
	rest = t + 8;
	*digits = 6;
	if (*rest == '\0')
		return 1;
	if (rest[0] == '/' && rest[1] >= '6' && rest[1] <= '8' && rest[2] == '\0') {
		*digits = (unsigned)(rest[1] - '0');
		return 1;
	}
	text_error(err, err_size, "type %.32s: digits must be 6, 7 or 8", t);
	return -1;
}

/* "YYYY-MM-DDTHH:MM:SSL" (local time) to Unix time; -1 when malformed. */
static int64_t
parse_time(const char *s)
{
	struct tm tm;
	int n = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) != 20 || s[19] != 'L' ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	if (tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t < 0 ? -1 : (int64_t)t;
}

int
oath_line_parse(const char *line, struct oath_entry *e, char *err, size_t err_size)
{
	char f[OATH_FIELDS][OATH_FIELD_MAX];
	const char *p = line;
	size_t hex_len;
	int n = 0, ret = -1;

	memset(e, 0, sizeof(*e));
	memset(f, 0, sizeof(f));
	e->last_used = -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	while (*p != '\0') {
		size_t len = 0;

		if (n == OATH_FIELDS) {
			text_error(err, err_size, "more than %d fields", OATH_FIELDS);
			goto out;
		}
		while (*p != '\0' && *p != ' ' && *p != '\t') {
			if (len + 1 >= OATH_FIELD_MAX) {
				text_error(err, err_size, "field %d too long", n + 1);
				goto out;
			}
			f[n][len++] = *p++;
		}
		n++;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (n < 4) {
		text_error(err, err_size, "fewer than 4 fields (type, user, PIN, secret)");
		goto out;
	}
	if (parse_type(f[0], &e->digits, &e->period, err, err_size) < 0)
		goto out;
	if (strlen(f[1]) >= sizeof(e->user)) {
		text_error(err, err_size, "user name too long");
		goto out;
	}
	memcpy(e->user, f[1], strlen(f[1]) + 1);
	if (strcmp(f[2], "-") != 0) {
		text_error(err, err_size, "user %.64s has a PIN; pam_totp takes no PIN (the "
			   "account's password stays with pam_unix)", e->user);
		goto out;
	}
	hex_len = strlen(f[3]);
	if (hex_len % 2 != 0 || hex_len / 2 > sizeof(e->secret) || hex_len / 2 < 10) {
		text_error(err, err_size, "user %.64s: the secret must be 10..%zu bytes of hex",
			   e->user, sizeof(e->secret));
		goto out;
	}
	for (size_t i = 0; i < hex_len; i += 2) {
		int hi = text_hex_value(f[3][i]), lo = text_hex_value(f[3][i + 1]);

		if (hi < 0 || lo < 0) {
			text_error(err, err_size, "user %.64s: the secret is not hex", e->user);
			goto out;
		}
		e->secret[e->secret_len++] = (uint8_t)(hi << 4 | lo);
	}
	if (n == 7) {
		e->last_used = parse_time(f[6]);
		if (e->last_used < 0) {
			text_error(err, err_size, "user %.64s: bad last-use time '%.32s'", e->user,
				   f[6]);
			goto out;
		}
	}
	ret = 1;
out:
	secure_wipe(f, sizeof(f));
	if (ret < 0)
		secure_wipe(e, sizeof(*e));
	return ret;
}
