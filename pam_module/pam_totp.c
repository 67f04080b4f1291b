/* pam_totp.so: the PAM glue. Options, the conversation, PAM return codes
 * and the log line; the decision and the record live in lib/. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "conf.h"
#include "input.h"
#include "recovery.h"
#include "login.h"
#include "enroll_limits.h"
#include "enroll_evidence.h"
#include "first_login.h"
#include "log_reason.h"
#include "messages.h"
#include "pg_plugin.h"
#include "secure.h"
#include "text.h"

#define PWBUF_FIRST 4096        /* on the stack: enough for nearly every entry */
#define PWBUF_MAX (1024 * 1024)
#define PROMPT_MAX 256

/* Look the user up in buf, and only for an entry that does not fit there
 * in a growing heap buffer (*heap, which the caller frees). A 16 KiB
 * malloc on every login cost more than the lookup: glibc consolidates its
 * free lists for a request that large. The entry holds no secret. */
static struct passwd *
lookup_user(const char *name, struct passwd *ent, char *buf, size_t size, char **heap)
{
	struct passwd *pw = NULL;
	int rc = getpwnam_r(name, ent, buf, size, &pw);

	while (rc == ERANGE && size < PWBUF_MAX) {
		char *bigger;

		size *= 2;
		bigger = realloc(*heap, size);
		if (bigger == NULL)
			return NULL;
		*heap = bigger;
		rc = getpwnam_r(name, ent, *heap, size, &pw);
	}
	return rc == 0 ? pw : NULL;
}

/* A PAM code for the log line, in English as Linux-PAM words it. Not
 * pam_strerror: that follows the process's locale, and sudo runs in the
 * user's, whose LANGUAGE=nl gives Linux-PAM's Dutch even under C.UTF-8. */
static const char *
code_text(int rc, char buf[32])
{
	switch (rc) {
	case PAM_CONV_ERR: return "Conversation error";
	case PAM_BUF_ERR: return "Memory buffer error";
	case PAM_SYSTEM_ERR: return "System error";
	case PAM_ABORT: return "Critical error - immediate abort";
	case PAM_AUTH_ERR: return "Authentication failure";
	case PAM_INCOMPLETE: return "Conversation is waiting for event";
	default:
		snprintf(buf, 32, "PAM code %d", rc);
		return buf;
	}
}

/* Ask for one answer. Returns a PAM code; *answer must be wiped and freed. */
static int
ask(pam_handle_t *pamh, const struct totp_config *cfg, const char *prompt, char **answer)
{
	int style = cfg->echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF;
	int rc;

	*answer = NULL;
	rc = pam_prompt(pamh, style, answer, "%s", prompt);
	if (rc != PAM_SUCCESS)
		return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : rc;
	if (*answer == NULL)
		return PAM_CONV_ERR;
	return PAM_SUCCESS;
}

static void
drop_answer(char **answer)
{
	if (*answer != NULL) {
		secure_wipe(*answer, strlen(*answer));
		free(*answer);
		*answer = NULL;
	}
}

/* The code split_pass cut off the answer, kept for the pam_totp step
 * after the password module (pam_set_data: only modules of this PAM
 * handle see it). */
#define STASH_NAME "pam_totp_stashed_code"

static void
stash_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
	(void)pamh;
	(void)error_status;
	if (data != NULL) {
		secure_wipe(data, strlen(data));
		free(data);
	}
}

/* Take the stashed code, if any: *code is then the caller's to wipe and
 * free, and the stash is gone (a code is checked at most once). */
static int
take_stash(pam_handle_t *pamh, char **code)
{
	const void *data = NULL;

	*code = NULL;
	if (pam_get_data(pamh, STASH_NAME, &data) != PAM_SUCCESS || data == NULL)
		return PAM_SUCCESS;
	*code = strdup(data);
	/* replacing the data wipes and frees the old copy (stash_cleanup) */
	(void)pam_set_data(pamh, STASH_NAME, NULL, NULL);
	return *code != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
}

/* split_pass, the first of the two pam_totp steps: ask once for the
 * password followed by the code, keep the code (the last split_digits
 * characters) for the second step and hand the password on as
 * PAM_AUTHTOK. Nothing is read, checked or counted here: the password is
 * not known yet, and no record is open while the person types.
 * PAM_IGNORE, so this step can neither grant nor deny. */
static int
split_step(pam_handle_t *pamh, const struct totp_config *cfg, const struct who *w,
	   const char *prompt)
{
	unsigned digits = cfg->split_digits;
	char *answer = NULL, *code, rc_buf[32];
	size_t len, cut;
	int rc;

	rc = ask(pamh, cfg, prompt, &answer);
	if (rc != PAM_SUCCESS) {
		log_reason(pamh, w, LR_NO_ANSWER, " (%s)", code_text(rc, rc_buf));
		return rc;
	}
	len = strlen(answer);
	cut = len > digits ? len - digits : 0;
	code = strdup(answer + cut);
	if (code == NULL) {
		drop_answer(&answer);
		return PAM_BUF_ERR;
	}
	rc = pam_set_data(pamh, STASH_NAME, code, stash_cleanup);
	if (rc != PAM_SUCCESS) {
		stash_cleanup(pamh, code, 0);
		drop_answer(&answer);
		return rc;
	}
	answer[cut] = '\0';
	rc = pam_set_item(pamh, PAM_AUTHTOK, answer);
	drop_answer(&answer);
	if (rc != PAM_SUCCESS)
		return rc;
	if (cfg->debug)
		log_reason(pamh, w, LR_DEBUG, ": split_pass: code kept for the next step");
	return PAM_IGNORE;
}

/* The code: kept by split_pass, else the stacked token
 * (use_first_pass, try_first_pass: *stacked set), else asked with prompt. */
static int
get_input(pam_handle_t *pamh, const struct totp_config *cfg, const char *prompt, char **input,
	  int *stacked)
{
	const void *item = NULL;
	int rc;

	*stacked = 0;
	rc = take_stash(pamh, input);
	if (rc != PAM_SUCCESS || *input != NULL)
		return rc;
	if (cfg->use_first_pass || cfg->try_first_pass) {
		if (pam_get_item(pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL) {
			*input = strdup(item);
			if (*input == NULL)
				return PAM_BUF_ERR;
			*stacked = 1;
			return PAM_SUCCESS;
		}
		if (cfg->use_first_pass)
			return PAM_AUTH_ERR;
	}
	return ask(pamh, cfg, prompt, input);
}

/* Said after every refused code, whether the user is enrolled or even
 * exists, so that it tells nothing about the account: words that make
 * sense also to someone who has no app or recovery codes yet. */
static void
say_wrong_code(const struct messages *msg)
{
	messages_refuse(msg, "That code is not right.");
}

/* sshd with PasswordAuthentication on answers every prompt with the
 * password. An answer byte for byte equal to PAM_AUTHTOK (the password a
 * module before us took) is the password, whatever its shape: refused
 * before any record is read, so never counted, and logged in words that
 * say what to change. 1 when refused so. */
static int
answer_was_password(pam_handle_t *pamh, const struct messages *msg, const struct who *w,
		    const char *answer)
{
	const void *item = NULL;
	size_t len = strlen(answer);

	if (len == 0 || pam_get_item(pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == NULL ||
	    strlen(item) != len || !secure_equal(item, answer, len))
		return 0;
	log_reason(pamh, w, LR_ANSWER_WAS_PASSWORD, " (sshd's PasswordAuthentication sends the "
		   "password to every prompt: set it to no, see pam_totp(8))");
	say_wrong_code(msg);
	return 1;
}

/* A lock-out stops every service that asks for a code, not only this one. */
static void
say_locked(const struct messages *msg, long wait)
{
	messages_refuse_n(msg,
		       "Too many wrong codes. Try again in %ld second. Until then no code "
			  "works anywhere, SSH and sudo included.",
		       "Too many wrong codes. Try again in %ld seconds. Until then no code "
			  "works anywhere, SSH and sudo included.",
		       (unsigned long)wait, wait);
}

/* sshd runs this login: it sets PAM_TTY to "ssh" while it authenticates
 * (first_login.c draws the QR code for it so). */
static int
in_sshd(pam_handle_t *pamh)
{
	const void *tty = NULL;

	return pam_get_item(pamh, PAM_TTY, &tty) == PAM_SUCCESS && tty != NULL &&
	       strcmp(tty, "ssh") == 0;
}

/* A recovery code was used: how many are left. sshd keeps a message sent
 * after the last prompt for the start of an interactive session, and then
 * shows it twice (OpenSSH bug 3481), for a command never. So in sshd a
 * prompt follows, which takes the message to the screen once, as after
 * the recovery codes at enrolment; its answer does not matter. */
static void
say_recovery_left(pam_handle_t *pamh, const struct totp_config *cfg, const struct messages *msg,
		  size_t left)
{
	char prompt[PROMPT_MAX], *answer = NULL;

	messages_say_n(msg, PAM_TEXT_INFO,
		       "Recovery code accepted. You have %zu recovery code left.",
		       "Recovery code accepted. You have %zu recovery codes left.", left, left);
	if (!in_sshd(pamh))
		return;
	messages_format(msg, prompt, sizeof(prompt), "Press Enter to continue: ");
	(void)ask(pamh, cfg, prompt, &answer);
	drop_answer(&answer);  /* a code typed here by mistake */
}

/* The database could not be reached in time: no replay check could be
 * made, so nothing is granted. With db_unavailable=ignore this module
 * steps aside and the rest of the stack decides (documented risk: whoever
 * can cut the host off the database skips the second factor). cause is
 * the store's, after is what it stopped (enrolment), for the log. */
static int
db_unavailable(pam_handle_t *pamh, const struct totp_config *cfg, const struct who *w,
	       const char *cause, const char *after)
{
	/* the store's causes begin so (lib/pg_connect.c); the reason says it */
	static const char said[] = "database unavailable: ";

	if (strncmp(cause, said, sizeof(said) - 1) == 0)
		cause += sizeof(said) - 1;
	if (cfg->db_unavailable_ignore) {
		log_reason(pamh, w, LR_DB_UNAVAILABLE_IGNORED,
			   ": %s%s; db_unavailable=ignore: the stack decides", cause, after);
		return PAM_IGNORE;
	}
	log_reason(pamh, w, LR_DB_UNAVAILABLE, ": %s%s", cause, after);
	return PAM_AUTHINFO_UNAVAIL;
}

/* The login's log line, message and PAM code. known: the user exists (a
 * record missing for an unknown user is a guess at a name). */
static int
map_outcome(pam_handle_t *pamh, const struct totp_config *cfg, const struct messages *msg,
	    const struct who *w, const struct login_result *r, int known, int64_t now)
{
	const struct verify_result *v = &r->verify;
	char until[TEXT_TIME_SIZE];

	switch (r->outcome) {
	case LOGIN_ACCEPTED:
		log_reason(pamh, w, LR_ACCEPTED, " at offset %d", (int)v->offset);
		return PAM_SUCCESS;
	case LOGIN_RECOVERY_ACCEPTED:
		log_reason(pamh, w, LR_RECOVERY_USED, ", %zu left", r->recovery_left);
		say_recovery_left(pamh, cfg, msg, r->recovery_left);
		return PAM_SUCCESS;
	case LOGIN_NO_RECORD:
		if (known)
			log_reason(pamh, w, LR_NOT_ENROLLED, " (%s)", r->reason);
		else
			log_reason(pamh, w, LR_UNKNOWN_USER, NULL);
		say_wrong_code(msg);
		return PAM_AUTH_ERR;
	case LOGIN_ERROR:
		log_reason(pamh, w, LR_RECORD_ERROR, ": %s", r->reason);
		return PAM_AUTHINFO_UNAVAIL;
	case LOGIN_UNAVAILABLE:
		return db_unavailable(pamh, cfg, w, r->reason, "");
	case LOGIN_NOT_A_CODE:
		log_reason(pamh, w, LR_STACKED_DENIED, NULL);
		say_wrong_code(msg);
		return PAM_AUTH_ERR;
	case LOGIN_REMOVED:
		/* told as any wrong code: the prompt does not reveal the
		 * account's state; the log tells the administrator all */
		text_time(r->removed_at, until);
		log_reason(pamh, w, LR_REMOVED, " on %s by %s: totp-admin reset %s lets them enrol again",
			   until, r->removed_by, w->user);
		say_wrong_code(msg);
		return PAM_AUTH_ERR;
	case LOGIN_RESYNC_NEXT:
	case LOGIN_DENIED:
		break;
	}
	switch (v->verdict) {
	case VERIFY_LOCKED: {
		long wait = (long)(v->locked_until - now);

		text_time(v->locked_until, until);
		log_reason(pamh, w, LR_LOCKED_OUT, " until %s (%u failures)", until, v->failures);
		say_locked(msg, wait);
		break;
	}
	case VERIFY_DISABLED:
		log_reason(pamh, w, LR_DISABLED,
			   " after %u failures: refused until totp-admin unlock %s", v->failures,
			   w->user);
		messages_refuse(msg,
			     "Too many wrong codes. Ask the service desk (your administrator) to "
				"unlock your account. Until then no code works anywhere, SSH and sudo "
				"included.");
		break;
	case VERIFY_REPLAY:
		log_reason(pamh, w, LR_REPLAYED, " (step %lld already used)", (long long)v->step);
		messages_refuse(msg,
			     "This code was already used. Wait for the next code in the app.");
		break;
	case VERIFY_MALFORMED:
		log_reason(pamh, w, LR_MALFORMED, ": not counted");
		say_wrong_code(msg);
		break;
	default:
		if (v->locked_until > now) {
			text_time(v->locked_until, until);
			log_reason(pamh, w, LR_WRONG_CODE,
				   " (%u consecutive failures), locked until %s", v->failures, until);
			say_locked(msg, (long)(v->locked_until - now));
		} else {
			log_reason(pamh, w, LR_WRONG_CODE, " (%u consecutive failures)", v->failures);
			say_wrong_code(msg);
		}
		break;
	}
	return PAM_AUTH_ERR;
}

/* Enrolment at first login (first_login.c), its log line and PAM code:
 * only a confirmed and written enrolment lets the login go on. */
static int
first_login(pam_handle_t *pamh, const struct messages *msg, const struct who *w,
	    const struct totp_config *cfg, struct store_session *store, const struct store_user *su,
	    const struct totp_record *pending)
{
	char why[768], rc_buf[32];
	int conv_rc;

	log_reason(pamh, w, LR_ENROLL_STARTED, NULL);
	switch (enroll_at_login(pamh, cfg, store, msg, w, su, pending, &conv_rc, why, sizeof(why))) {
	case ENROLL_DONE:
		log_reason(pamh, w, LR_ENROLLED, " (%s)", why);
		return PAM_SUCCESS;
	case ENROLL_UNCONFIRMED:
		log_reason(pamh, w, LR_ENROLL_UNCONFIRMED, " (%s): not enrolled", why);
		return PAM_AUTH_ERR;
	case ENROLL_NO_ANSWER:
		log_reason(pamh, w, LR_ENROLL_ABANDONED, ": %s (%s)", why,
			   code_text(conv_rc, rc_buf));
		return conv_rc;
	case ENROLL_EXISTS:
		log_reason(pamh, w, LR_ENROLL_EXISTS, ": %s; nothing written", why);
		return PAM_AUTH_ERR;
	case ENROLL_UNAVAILABLE:
		return db_unavailable(pamh, cfg, w, why,
				      "; enrolment at login not saved");
	case ENROLL_FAILED:
		break;
	}
	log_reason(pamh, w, LR_ENROLL_FAILED, ": %s; nothing written", why);
	return PAM_AUTHINFO_UNAVAIL;
}

/* One pam_sm_authenticate: what its steps share. */
struct login {
	pam_handle_t *pamh;
	struct totp_config cfg;
	struct who w;
	struct passwd pwent, *pw;     /* NULL: an unknown user */
	struct store_user su;         /* of pw */
	struct store_session *store;
	struct messages msg;
	struct totp_record pending;   /* an enrolment at login shown, never confirmed */
	int unenrolled;               /* login_enroll_due's answer; -1: not asked */
	char code_prompt[PROMPT_MAX];
	char pwbuf_first[PWBUF_FIRST], *pwbuf;
};

/* Prepare: the configuration, the store, the user. PAM_SUCCESS to go on,
 * else the login's PAM code (logged). */
static int
prepare(struct login *l, int argc, const char **argv)
{
	char err[512];
	const void *item;
	int rc;

	if (pam_get_item(l->pamh, PAM_SERVICE, &item) == PAM_SUCCESS)
		l->w.service = item;
	if (pam_get_item(l->pamh, PAM_RHOST, &item) == PAM_SUCCESS)
		l->w.rhost = item;
	/* A plugin that is missing or refused is an installation error, the
	 * same for every user: denied before any prompt, and never turned into
	 * PAM_IGNORE by db_unavailable=ignore. */
	if (config_load(&l->cfg, argc, argv, err, sizeof(err)) != 0 ||
	    store_session_open(&l->cfg, pg_plugin_load, &l->store, err, sizeof(err)) != 0) {
		log_reason(l->pamh, &l->w, LR_CONFIG_ERROR, ": %s", err);
		return PAM_SERVICE_ERR;
	}
	rc = pam_get_user(l->pamh, &l->w.user, NULL);
	if (rc != PAM_SUCCESS || l->w.user == NULL || l->w.user[0] == '\0') {
		log_reason(l->pamh, &l->w, LR_NO_USER_NAME, NULL);
		return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : PAM_USER_UNKNOWN;
	}
	/* said at every login: an opt-out must not be forgotten */
	if (l->store->flags & STORE_CAUTION_INSECURE)
		log_reason(l->pamh, &l->w, LR_DB_INSECURE_TRANSPORT, ": the secret may cross the "
			   "network unencrypted and unverified");
	if (l->store->flags & STORE_CAUTION_CLEAR)
		log_reason(l->pamh, &l->w, LR_DB_KEY_NONE, ": the rows are read and written in the "
			   "clear, the secrets readable from the database");
	/* libpam waits this long before a refusal returns (the longest any
	 * module asked for, as with pam_unix and pam_faildelay), so every
	 * guess costs time; a success returns at once */
	if (l->cfg.fail_delay > 0)
		pam_fail_delay(l->pamh, l->cfg.fail_delay * 1000u);
	messages_begin(&l->msg, l->pamh, &l->cfg);
	/* prompt= as the administrator wrote it, else ours in the user's language */
	if (l->cfg.prompt[0] != '\0')
		snprintf(l->code_prompt, sizeof(l->code_prompt), "%s", l->cfg.prompt);
	else
		messages_format(&l->msg, l->code_prompt, sizeof(l->code_prompt),
				"Code from the app: ");
	l->pw = lookup_user(l->w.user, &l->pwent, l->pwbuf_first, sizeof(l->pwbuf_first),
			    &l->pwbuf);
	if (l->pw != NULL) {
		l->su.name = l->pw->pw_name;
		l->su.uid = l->pw->pw_uid;
		l->su.gid = l->pw->pw_gid;
		l->su.home = l->pw->pw_dir;
	}
	return PAM_SUCCESS;
}

/* enroll=prompt for a user due for it: whether the limits and the proof
 * of the first factor let the enrolment be offered now (else logged). */
static int
enroll_offered(struct login *l)
{
	char why[512];
	const char *proof = NULL;

	if (enroll_allowed(&l->cfg, l->w.service, l->w.rhost, (int64_t)time(NULL), why,
			  sizeof(why)) &&
	    enroll_first_factor_passed(l->pamh, &proof, why, sizeof(why))) {
		if (l->cfg.debug)
			log_reason(l->pamh, &l->w, LR_DEBUG, ": enrolment at login after: %s", proof);
		return 1;
	}
	log_reason(l->pamh, &l->w, LR_ENROLL_NOT_OFFERED, ": %s", why);
	return 0;
}

/* Route: enrolment at login, nullok, split_pass's first step, each of
 * which decides the login without a code. 1 with *rc when one did; 0
 * when the code is to be asked, nothing of the store held. */
static int
route(struct login *l, int *rc)
{
	char prompt[PROMPT_MAX];

	/* enroll=prompt: a user without a record sets up the app now, when
	 * the limits allow; otherwise as without it (nullok, or a denial) */
	if (l->pw != NULL && l->cfg.enroll_prompt && !l->cfg.split_pass &&
	    (l->unenrolled = login_enroll_due(l->store, &l->su, &l->pending)) == 1 &&
	    enroll_offered(l)) {
		store_session_disconnect(l->store); /* not held through the enrolment's prompts */
		*rc = first_login(l->pamh, &l->msg, &l->w, &l->cfg, l->store, &l->su, &l->pending);
		return 1;
	}
	/* an enrolment shown at a login and never confirmed (pending) is no
	 * enrolment: nullok lets its user through as before it. The answer
	 * asked for enroll=prompt is the one used (the same login, the same
	 * read of the record). */
	if (l->pw != NULL && l->cfg.nullok &&
	    (l->unenrolled >= 0 ? l->unenrolled : login_enroll_due(l->store, &l->su, &l->pending))) {
		log_reason(l->pamh, &l->w, LR_NULLOK, NULL);
		*rc = PAM_IGNORE;
		return 1;
	}
	/* nothing of the database is held while a person types */
	store_session_disconnect(l->store);
	if (l->cfg.split_pass) {
		messages_format(&l->msg, prompt, sizeof(prompt),
				"Password, then the code from the app: ");
		*rc = split_step(l->pamh, &l->cfg, &l->w, prompt);
		return 1;
	}
	return 0;
}

/* One login_attempt at the time now, the store let go after it (a prompt
 * or a message may follow). An unknown user is treated as a user without
 * a record, so the two cannot be told apart by the prompts (the log
 * tells them apart: map_outcome). */
static void
attempt(struct login *l, const char *input, unsigned how, struct login_result *res,
	int64_t *now)
{
	*now = (int64_t)time(NULL);
	if (l->pw != NULL) {
		login_attempt(&l->cfg, l->store, &l->su, input, how, *now, res);
		store_session_disconnect(l->store);
		return;
	}
	memset(res, 0, sizeof(*res));
	res->outcome = (how & LOGIN_STACKED) && !input_is_bare_code(input, OTP_DIGITS_MIN)
		       ? LOGIN_NOT_A_CODE : LOGIN_NO_RECORD;
	snprintf(res->reason, sizeof(res->reason), "unknown user");
}

/* Ask once more, with prompt: the answer replaces *input. PAM_SUCCESS,
 * the conversation's code, or PAM_AUTH_ERR for the password typed again. */
static int
ask_again(struct login *l, const char *prompt, char **input)
{
	int rc;

	drop_answer(input);
	rc = ask(l->pamh, &l->cfg, prompt, input);
	if (rc == PAM_SUCCESS && answer_was_password(l->pamh, &l->msg, &l->w, *input))
		rc = PAM_AUTH_ERR;
	return rc;
}

/* Ask and decide: the code (kept by split_pass, stacked, or asked), then
 * login_attempt; asked again for a stacked token that is not a code
 * (try_first_pass) and after a far code (re-synchronisation: the rule is
 * login_attempt's, LOGIN_RESYNC_ANSWER). Prompted before any lock is
 * taken, unknown and unenrolled users too, so enrolment cannot be probed. */
static int
ask_and_decide(struct login *l)
{
	struct login_result res;
	char prompt[PROMPT_MAX], rc_buf[32], *input = NULL;
	int rc, stacked = 0;
	int64_t now;

	memset(&res, 0, sizeof(res));
	rc = get_input(l->pamh, &l->cfg, l->code_prompt, &input, &stacked);
	if (rc != PAM_SUCCESS) {
		log_reason(l->pamh, &l->w, LR_NO_CODE, " (%s)", code_text(rc, rc_buf));
		goto out;
	}
	if (!stacked && answer_was_password(l->pamh, &l->msg, &l->w, input)) {
		rc = PAM_AUTH_ERR;
		goto out;
	}
	if (l->cfg.debug)
		log_reason(l->pamh, &l->w, LR_DEBUG,
			   ": secret=%s window=%u max_skew=%u max_failures=%u lockout=%u..%us ceiling=%u",
			   l->cfg.secret_template, l->cfg.policy.window, l->cfg.policy.max_skew,
			   l->cfg.policy.max_failures, l->cfg.policy.lockout_base,
			   l->cfg.policy.lockout_max, l->cfg.policy.failure_ceiling);
	attempt(l, input, stacked ? LOGIN_STACKED : 0, &res, &now);
	if (res.outcome == LOGIN_NOT_A_CODE && l->cfg.try_first_pass) {
		/* the stacked token may be a password: ask for the code, and
		 * count nothing for the token */
		log_reason(l->pamh, &l->w, LR_STACKED_ASKING, NULL);
		rc = ask_again(l, l->code_prompt, &input);
		if (rc != PAM_SUCCESS)
			goto out;
		attempt(l, input, 0, &res, &now);
	}
	if (res.outcome == LOGIN_RESYNC_NEXT) {
		log_reason(l->pamh, &l->w, LR_CLOCK_DRIFT, " of %d steps: asking for the next code",
			   (int)res.verify.offset);
		messages_say(&l->msg, PAM_TEXT_INFO,
			     "Your phone's clock seems to be off. Wait for the next code in the app.");
		messages_format(&l->msg, prompt, sizeof(prompt), "Next code from the app: ");
		rc = ask_again(l, prompt, &input);
		if (rc != PAM_SUCCESS)
			goto out;
		attempt(l, input, LOGIN_RESYNC_ANSWER, &res, &now);
	}
	rc = map_outcome(l->pamh, &l->cfg, &l->msg, &l->w, &res, l->pw != NULL, now);
out:
	drop_answer(&input);
	secure_wipe(&res, sizeof(res));
	return rc;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct login l;
	int rc;

	(void)flags;
	memset(&l, 0, sizeof(l));
	l.pamh = pamh;
	l.unenrolled = -1;
	rc = prepare(&l, argc, argv);
	if (rc == PAM_SUCCESS && !route(&l, &rc))
		rc = ask_and_decide(&l);
	store_session_close(l.store);
	messages_end(&l.msg);
	free(l.pwbuf); /* the passwd entry holds no secret: nothing to wipe */
	record_wipe(&l.pending);
	return rc;
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
