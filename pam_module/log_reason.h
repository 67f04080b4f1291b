/* Every line pam_totp.so logs, in one table: each line is one of these
 * reasons, written by log_reason as
 *
 *   user=USER service=SERVICE rhost=HOST: TEXT DETAIL
 *
 * TEXT is the reason's fixed text, first after "rhost=HOST: " and never
 * from anyone's input; DETAIL (numbers, times, causes) follows it. USER,
 * SERVICE and HOST are escaped to one word each (text_escape_field), so
 * a user name cannot supply a host or a reason.
 *
 * GUESS: the line is what a client guessing codes or user names causes,
 * and it names the client's host. The fail2ban filter
 * (examples/fail2ban/filter.d/pam_totp.conf) matches the TEXT of exactly
 * these, and tests/fail2ban_filter.sh checks that it does, from one real
 * line for every reason (tests/shims/log_reasons prints this table): a reason
 * added here needs a case there, and a line in man/pam_totp.8 (LOGGING).
 * Lines stay English (HACKING.md).
 *
 *  X(ID, syslog priority, GUESS, TEXT)
 *
 * REMOVED is no guess: the user's record is a tombstone (totp-admin
 * remove), and whoever types there has the user's password, or is the
 * user; nothing is counted. */
#ifndef PAM_TOTP_LOG_REASON_H
#define PAM_TOTP_LOG_REASON_H

#include <syslog.h>
#include <security/pam_modules.h>

#define LOG_REASONS(X) \
	/* the configuration, the user name: before any answer */ \
	X(CONFIG_ERROR,          LOG_ERR,     0, "configuration error") \
	X(NO_USER_NAME,          LOG_ERR,     0, "cannot get the user name") \
	X(DB_INSECURE_TRANSPORT, LOG_WARNING, 0, "db_insecure_transport=yes") \
	X(DB_KEY_NONE,           LOG_WARNING, 0, "db_key=none") \
	X(DEBUG,                 LOG_DEBUG,   0, "debug") \
	/* no record, no user */ \
	X(NULLOK,                LOG_INFO,    0, "not enrolled, nullok: ignored") \
	X(NOT_ENROLLED,          LOG_NOTICE,  0, "not enrolled") \
	X(UNKNOWN_USER,          LOG_NOTICE,  1, "unknown user") \
	X(REMOVED,               LOG_WARNING, 0, "removed by an administrator") \
	/* enrolment at login (enroll=prompt) */ \
	X(ENROLL_NOT_OFFERED,     LOG_NOTICE,  0, "not enrolled, enrolment at login refused") \
	X(ENROLL_STARTED,         LOG_NOTICE,  0, "not enrolled: enrolment at login started") \
	X(ENROLL_NO_QR,           LOG_ERR,     0, "enrolment at login: no QR code shown") \
	X(ENROLLED,              LOG_NOTICE,  0, "enrolled at login") \
	X(ENROLL_UNCONFIRMED,     LOG_NOTICE,  0, "enrolment at login not confirmed") \
	X(ENROLL_ABANDONED,       LOG_NOTICE,  0, "enrolment at login abandoned") \
	X(ENROLL_RESUMED,         LOG_NOTICE,  0, "enrolment at login resumed") \
	X(ENROLL_EXPIRED,         LOG_NOTICE,  0, "enrolment at login expired") \
	X(ENROLL_EXISTS,          LOG_WARNING, 0, "enrolment at login refused") \
	X(ENROLL_FAILED,          LOG_ERR,     0, "enrolment at login failed") \
	/* the answer */ \
	X(NO_ANSWER,             LOG_NOTICE,  0, "no answer") \
	X(NO_CODE,               LOG_NOTICE,  0, "no code") \
	X(ANSWER_WAS_PASSWORD,   LOG_WARNING, 0, "the answer was the password, not a code: refused, not counted") \
	X(STACKED_ASKING,        LOG_INFO,    0, "stacked token is not a code: asking, not counted") \
	X(STACKED_DENIED,        LOG_NOTICE,  0, "stacked token is not a code: denied, not counted") \
	/* the verdict */ \
	X(ACCEPTED,              LOG_NOTICE,  0, "accepted") \
	X(RECOVERY_USED,         LOG_NOTICE,  0, "recovery code used") \
	X(CLOCK_DRIFT,           LOG_NOTICE,  0, "clock drift") \
	X(WRONG_CODE,            LOG_NOTICE,  1, "wrong code") \
	X(MALFORMED,             LOG_NOTICE,  1, "malformed input") \
	X(REPLAYED,              LOG_WARNING, 1, "replayed code refused") \
	X(LOCKED_OUT,            LOG_NOTICE,  1, "locked out") \
	X(DISABLED,              LOG_WARNING, 1, "disabled") \
	/* the store: the server's trouble, not the client's */ \
	X(RECORD_ERROR,          LOG_ERR,     0, "record error") \
	X(DB_UNAVAILABLE,        LOG_ERR,     0, "denied: database unavailable") \
	X(DB_UNAVAILABLE_IGNORED, LOG_ERR,    0, "database unavailable")

enum log_reason {
#define LOG_REASON_ENUM(id, priority, guess, text) LR_##id,
	LOG_REASONS(LOG_REASON_ENUM)
#undef LOG_REASON_ENUM
	LR_COUNT
};

struct log_reason_info {
	const char *id;    /* "WRONG_CODE" */
	int priority;      /* LOG_NOTICE */
	int guess;
	const char *text;  /* "wrong code" */
};
extern const struct log_reason_info log_reasons[LR_COUNT];

/* Who and where, for the log line. */
struct who {
	const char *user;
	const char *service;
	const char *rhost;
};

/* Log reason r for w at the reason's priority: the fixed text, then
 * detail_fmt (NULL: none) formatted and escaped (text_escape). */
void log_reason(pam_handle_t *pamh, const struct who *w, enum log_reason r,
		const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
