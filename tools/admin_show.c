/* totp-admin list, status and missing: text for people, JSON for scripts.
 * Times are ISO 8601 in UTC, as in the module's log lines. */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "otp.h"
#include "text.h"

/* Text for the terminal: see admin.h. A few buffers taken in turn, so
 * that one printf can show several fields. */
const char *
admin_esc(const char *s)
{
	static char slots[ADMIN_ESC_SLOTS][4 * (PATH_MAX + 64) + 1];
	static unsigned next;
	char *out = slots[next++ % ADMIN_ESC_SLOTS];

	return text_escape(s, out, sizeof(slots[0]));
}

/* A JSON string, all ASCII: quotes and backslashes escaped, every byte
 * outside printable ASCII as \u00XX. Its characters are the bytes read as
 * Latin-1 (a UTF-8 "\xc3\xbc" is "\u00c3\u00bc"): names and paths are
 * bytes, not always UTF-8, and this gives any of them back exactly
 * (man/totp-admin.8). No raw control byte reaches a terminal showing the
 * JSON; a script printing a decoded string escapes it itself. */
void
json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

static void
json_time_or_null(int64_t t)
{
	char buf[TEXT_TIME_SIZE];

	if (t < 0) {
		fputs("null", stdout);
		return;
	}
	text_time(t, buf);
	json_string(buf);
}

/* The last accepted login: the start of the last accepted step, or -1. */
static int64_t
last_login(const struct admin_summary *s)
{
	return s->last_step < 0 ? -1 : s->last_step * (int64_t)s->period;
}

static int64_t
locked_until(const struct admin_ctx *c, const struct admin_summary *s)
{
	return s->locked_until > c->now ? s->locked_until : -1;
}

/* enrolled= of the record: an object, or null when it has none */
static void
json_enrolled(const struct admin_summary *s)
{
	if (!s->enrolled_at_login) {
		fputs("null", stdout);
		return;
	}
	fputs("{\"at\":\"login\",\"service\":", stdout);
	json_string(s->enrolled_service);
	fputs(",\"rhost\":", stdout);
	if (s->enrolled_rhost[0] == '\0')
		fputs("null", stdout);
	else
		json_string(s->enrolled_rhost);
	putchar('}');
}

static void
json_summary(const struct admin_ctx *c, const struct admin_summary *s)
{
	fputs("{\"user\":", stdout);
	json_string(s->user);
	fputs(",\"record\":", stdout);
	json_string(s->where);
	if (s->st == STORE_REMOVED) {
		fputs(",\"state\":\"removed\",\"removed\":", stdout);
		json_time_or_null(s->removed_at);
		fputs(",\"removed_by\":", stdout);
		json_string(s->removed_by);
		putchar('}');
		return;
	}
	if (s->st != STORE_OK) {
		fputs(",\"state\":\"error\",\"error\":", stdout);
		json_string(s->error);
		putchar('}');
		return;
	}
	printf(",\"state\":\"%s\",\"algorithm\":\"%s\",\"digits\":%u,\"period\":%u,"
	       "\"last_login\":", admin_state_name(c, s), otp_alg_name(s->alg), s->digits,
	       s->period);
	json_time_or_null(last_login(s));
	printf(",\"failures\":%u,\"locked_until\":", s->failures);
	json_time_or_null(locked_until(c, s));
	printf(",\"recovery_codes_left\":%zu,\"enrolled\":", s->recovery_left);
	json_enrolled(s);
	putchar('}');
}

static void
time_or_dash(int64_t t, char out[TEXT_TIME_SIZE])
{
	if (t < 0)
		snprintf(out, TEXT_TIME_SIZE, "-");
	else
		text_time(t, out);
}

#define LIST_FORMAT "%-16s %-8s %-20s %8s %-20s %8s  %s\n"

static void
text_row(const struct admin_ctx *c, const struct admin_summary *s)
{
	char params[32], last[TEXT_TIME_SIZE], locked[TEXT_TIME_SIZE], fails[16], left[16];

	if (s->st == STORE_REMOVED) {
		char state[32 + TEXT_TIME_SIZE + 4 * RECORD_REMOVED_BY_MAX];

		time_or_dash(s->removed_at, last);
		snprintf(state, sizeof(state), "removed on %s by %s", last, admin_esc(s->removed_by));
		printf(LIST_FORMAT, admin_esc(s->user), "-", "-", "-", "-", "-", state);
		return;
	}
	if (s->st != STORE_OK) {
		printf("%-16s error: %s\n", admin_esc(s->user), admin_esc(s->error));
		return;
	}
	snprintf(params, sizeof(params), "%s/%u/%u", otp_alg_name(s->alg), s->digits, s->period);
	time_or_dash(last_login(s), last);
	time_or_dash(locked_until(c, s), locked);
	snprintf(fails, sizeof(fails), "%u", s->failures);
	snprintf(left, sizeof(left), "%zu", s->recovery_left);
	printf(LIST_FORMAT, admin_esc(s->user), params, last, fails, locked, left,
	       admin_state_name(c, s));
}

int
admin_list(const struct admin_ctx *c, int only_locked, int only_disabled)
{
	struct admin_user *users;
	size_t n, shown = 0;
	int errors = 0;

	if (admin_enrolled(c, &users, &n) != 0)
		return ADMIN_EXIT_ERROR;
	if (c->json)
		putchar('[');
	else
		printf(LIST_FORMAT, "USER", "ALG/D/P", "LAST LOGIN", "FAILURES", "LOCKED UNTIL",
		       "RECOVERY", "STATE");
	for (size_t i = 0; i < n; i++) {
		struct admin_summary s;
		const char *state;

		admin_summarise(c, &users[i], &s);
		if (s.st == STORE_NOT_FOUND)
			continue;  /* removed meanwhile */
		state = admin_state_name(c, &s);
		errors += strcmp(state, "error") == 0;
		/* --locked: whoever a lock-out keeps out, for a while or for good */
		if (only_locked && strcmp(state, "locked") != 0 && strcmp(state, "disabled") != 0)
			continue;
		if (only_disabled && strcmp(state, "disabled") != 0)
			continue;
		if (c->json) {
			if (shown > 0)
				putchar(',');
			json_summary(c, &s);
		} else {
			text_row(c, &s);
		}
		shown++;
	}
	if (c->json)
		puts("]");
	free(users);
	return errors > 0 ? ADMIN_EXIT_ERROR : ADMIN_EXIT_OK;
}

int
admin_status(const struct admin_ctx *c, const char *name)
{
	struct admin_user u;
	struct admin_summary s;
	char last[TEXT_TIME_SIZE], locked[TEXT_TIME_SIZE];

	if (admin_user_find(c, name, &u) != 0)
		return ADMIN_EXIT_NO_RECORD;
	admin_summarise(c, &u, &s);
	if (s.st == STORE_NOT_FOUND) {
		if (c->json) {
			fputs("{\"user\":", stdout);
			json_string(s.user);
			fputs(",\"record\":", stdout);
			json_string(s.where);
			if (s.pending_until != 0)
				printf(",\"pending_until\":%lld", (long long)s.pending_until);
			puts(",\"state\":\"not enrolled\"}");
		} else if (s.pending_until != 0) {
			text_time(s.pending_until, last);
			printf("%s is not enrolled: an enrolment at login was shown and not "
			       "confirmed (%s; the next login before %s shows the same code)\n",
			       admin_esc(s.user), admin_esc(s.where), last);
		} else {
			printf("%s is not enrolled (no record at %s)\n", admin_esc(s.user),
			       admin_esc(s.where));
		}
		return ADMIN_EXIT_NO_RECORD;
	}
	if (c->json) {
		json_summary(c, &s);
		putchar('\n');
		return s.st == STORE_OK ? ADMIN_EXIT_OK :
		       s.st == STORE_REMOVED ? ADMIN_EXIT_NO_RECORD : ADMIN_EXIT_ERROR;
	}
	printf("user:                %s\nrecord:              %s\n", admin_esc(s.user),
	       admin_esc(s.where));
	if (s.st == STORE_REMOVED) {
		/* no enrolment: as not enrolled, and why */
		time_or_dash(s.removed_at, last);
		printf("state:               removed\n"
		       "removed:             %s by %s\n"
		       "                     no login sets up a new app until totp-admin reset %s\n",
		       last, admin_esc(s.removed_by), admin_esc(s.user));
		return ADMIN_EXIT_NO_RECORD;
	}
	if (s.st != STORE_OK) {
		printf("state:               error: %s\n", admin_esc(s.error));
		return ADMIN_EXIT_ERROR;
	}
	time_or_dash(last_login(&s), last);
	time_or_dash(locked_until(c, &s), locked);
	printf("state:               %s\n"
	       "algorithm:           %s, %u digits, %u s\n"
	       "last login:          %s\n"
	       "failures:            %u\n"
	       "locked until:        %s\n"
	       "recovery codes left: %zu\n",
	       admin_state_name(c, &s), otp_alg_name(s.alg), s.digits, s.period, last,
	       s.failures, locked, s.recovery_left);
	if (!s.enrolled_at_login)
		puts("enrolled:            by totp-enroll or totp-admin import");
	else if (s.enrolled_rhost[0] == '\0')
		printf("enrolled:            at a login to %s (no remote host)\n",
		       admin_esc(s.enrolled_service));
	else  /* PAM_RHOST, which the client sends */
		printf("enrolled:            at a login to %s from %s\n",
		       admin_esc(s.enrolled_service), admin_esc(s.enrolled_rhost));
	return ADMIN_EXIT_OK;
}

int
admin_missing(const struct admin_ctx *c, const char *group)
{
	struct admin_user *users;
	size_t n;

	if (admin_unenrolled(c, group, &users, &n) != 0)
		return ADMIN_EXIT_ERROR;
	if (c->json) {
		putchar('[');
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				putchar(',');
			json_string(users[i].name);
		}
		puts("]");
	} else {
		for (size_t i = 0; i < n; i++)
			puts(admin_esc(users[i].name));
	}
	free(users);
	return ADMIN_EXIT_OK;
}
