/* Enrolment at first login: see first_login.h. The same pieces as totp-enroll
 * (lib/enroll_secret.c: the secret, the Key URI, the QR code, the confirming
 * code) and the same writer (store_create: store_file_create, or with
 * store=postgresql an INSERT, through the plugin): the record appears whole,
 * root's and 0600 or as one committed row, only once a code is confirmed,
 * and link(2) or the table's primary key refuses it when another login
 * enrolled the user first. Nothing is written on any
 * other path, so a dropped connection or three wrong codes leave the user
 * as they were. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <security/pam_ext.h>

#include "enroll_secret.h"
#include "enroll_pending.h"
#include "first_login.h"
#include "input.h"
#include "qrencode_lazy.h"
#include "recovery.h"
#include "secure.h"
#include "store.h"
#include "text.h"

#define TEXT_MAX 4096
/* Lines under the QR code: the prompt for the code. */
#define LINES_BELOW_QR 1
/* Lines of words over the QR code that the screen at the prompt keeps
 * room for, when two codes are drawn (QR_TERM_UTF8_PAIR). */
#define WORDS_OVER_QR 4

/* Everything that holds the secret or a code, wiped at the end. */
struct enrollment {
	struct totp_record rec;
	struct otp_uri ou;
	char b32[URI_SECRET_MAX], grouped[URI_SECRET_MAX * 2], uri[ENROLL_URI_MAX];
	char codes[RECORD_RECOVERY_MAX][RECOVERY_CODE_SIZE];
	char text[TEXT_MAX];
	enum qr_term qr_kind;
};

/* Why the store cannot take the record at a login, for the log: checked
 * before anything is shown, so that a store that cannot take it never
 * leaves a dead entry in the phone's app. The record must be outside the
 * home (the user must never read the secret), in the root-only store. */
static void
cannot_create(const struct totp_config *cfg, const struct store_create_why *cw, char *why,
	      size_t why_size)
{
	switch (cw->reason) {
	case STORE_CREATE_BAD_PATH:
		snprintf(why, why_size, "%s", cw->err);
		break;
	case STORE_CREATE_IN_HOME:
		snprintf(why, why_size, "enroll=prompt needs a record outside the home "
			 "(secret=/var/lib/pam_totp/%%u), not secret=%s", cfg->secret_template);
		break;
	case STORE_CREATE_UNSAFE:
		snprintf(why, why_size, "store directory %s must be a directory owned by root "
			 "that only root may write", cw->dir);
		break;
	default:
		snprintf(why, why_size, "store directory %s: %s", cw->dir, strerror(cw->err_no));
		break;
	}
}

/* Append a line that is no message (the key, the URI, a recovery code). */
static void
add_raw(char *text, const char *line)
{
	size_t used = strlen(text);

	snprintf(text + used, TEXT_MAX - used, "%s%s", used > 0 ? "\n" : "", line);
}

static void
send_text(pam_handle_t *pamh, const char *text)
{
	pam_prompt(pamh, PAM_TEXT_INFO, NULL, "%s", text);
}

/* How to draw the QR code. sshd on Linux sets PAM_TTY to "ssh" while it
 * authenticates, and OpenSSH's client prints keyboard-interactive text
 * through a filter that shows an escape character as the four characters
 * \033 (and, under a non-UTF-8 locale, every non-ASCII byte in octal): the
 * colours cannot come through there, so the code is drawn without them.
 * Drawn so, a code reads right on a light background only, and the
 * terminal's is unknown: it is drawn twice, normal and inverted, side by
 * side. The key and the Key URI, plain ASCII, remain for a terminal that
 * cannot show it. */
static enum qr_term
qr_kind(pam_handle_t *pamh)
{
	const void *tty = NULL;

	if (pam_get_item(pamh, PAM_TTY, &tty) == PAM_SUCCESS && tty != NULL &&
	    strcmp(tty, "ssh") == 0)
		return QR_TERM_UTF8_PAIR;
	return QR_TERM_UTF8;
}

/* The Key URI for e->qr_kind. Over sshd two codes (normal and inverted)
 * side by side with words over them, when the URI can be made short
 * enough; else the one code of QR_TERM_UTF8_PLAIN. 0, or -1. */
static int
key_uri(const struct totp_config *cfg, const struct store_user *user, struct enrollment *e)
{
	if (e->qr_kind == QR_TERM_UTF8_PAIR) {
		if (enroll_uri(&e->rec, cfg->issuer, NULL, user->name, QR_TERM_UTF8_PAIR,
			      LINES_BELOW_QR + WORDS_OVER_QR, &e->ou, e->b32, sizeof(e->b32),
			      e->uri, sizeof(e->uri)) != ENROLL_URI_OK)
			return -1;
		if (qr_fits_small_terminal(QR_TERM_UTF8_PAIR, e->uri, LINES_BELOW_QR + WORDS_OVER_QR))
			return 0;
		e->qr_kind = QR_TERM_UTF8_PLAIN;
	}
	return enroll_uri(&e->rec, cfg->issuer, NULL, user->name, e->qr_kind, LINES_BELOW_QR,
			 &e->ou, e->b32, sizeof(e->b32), e->uri, sizeof(e->uri)) == ENROLL_URI_OK
		       ? 0 : -1;
}

/* The QR code as text, sized for an 80x24 window with the prompt under it;
 * 0 when drawn into text (*lines set), -1 when it does not fit or cannot
 * be drawn. */
static int
draw_qr(enum qr_term kind, const char *uri, char *text, size_t size, int *lines)
{
	int modules = qr_symbol_modules(uri), quiet, drawn, ret = -1, columns;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (modules <= 0)
		return -1;
	/* the widest quiet zone that leaves room for the words over the
	 * code; else the widest that fits at all (fewer words) */
	quiet = qr_quiet_zone_to_fit(kind, modules, QR_SMALL_TERM_LINES, QR_SMALL_TERM_COLUMNS,
				     LINES_BELOW_QR + WORDS_OVER_QR);
	if (quiet == 0)
		quiet = qr_quiet_zone_to_fit(kind, modules, QR_SMALL_TERM_LINES,
					     QR_SMALL_TERM_COLUMNS, LINES_BELOW_QR);
	if (quiet == 0 || (out = open_memstream(&buf, &len)) == NULL)
		return -1;
	qr_term_size(kind, modules, quiet, lines, &columns);
	drawn = qr_render_term(kind, uri, quiet, out) == 0;
	/* closed once, whatever happened: it also sets buf and len */
	if (fclose(out) == 0 && drawn) {
		/* no last newline: the conversation ends each message itself */
		if (len > 0 && buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len < size) {
			memcpy(text, buf, len + 1);
			ret = 0;
		}
	}
	if (buf != NULL) {
		secure_wipe(buf, len);  /* the picture of the secret */
		free(buf);
	}
	return ret;
}

/* Screen lines a line of text takes in an 80-column window (UTF-8: one
 * column a character). */
static int
screen_lines(const char *line)
{
	size_t columns = 0;

	for (const unsigned char *p = (const unsigned char *)line; *p != '\0'; p++)
		columns += (*p & 0xc0) != 0x80;
	return columns == 0 ? 1 : (int)((columns + QR_SMALL_TERM_COLUMNS - 1) / QR_SMALL_TERM_COLUMNS);
}

/* The words on the screen at the prompt, over the QR code: what to do,
 * the key by hand, what to type. As many as fit in `room` screen lines,
 * the least needed dropped first: the key (it is in the full text above),
 * the word on the two codes, then what to type. */
static void
screen_words(const struct messages *msg, const struct enrollment *e, int pair, int room,
	     char out[TEXT_MAX])
{
	enum { SCAN, TWO, KEY, TYPE, N_WORDS };
	static const int drop_order[] = { KEY, TWO, TYPE, SCAN };
	char line[N_WORDS][256];
	int keep[N_WORDS], used = 0;

	if (pair)
		messages_format(msg, line[SCAN], sizeof(line[SCAN]), "In your app, add an account "
				"(\"Other account\") and scan a QR code below.");
	else
		messages_format(msg, line[SCAN], sizeof(line[SCAN]), "In your app, add an account "
				"(\"Other account\") and scan the QR code below.");
	messages_format(msg, line[TWO], sizeof(line[TWO]),
			"Two codes, the same account: scan the one your camera reads.");
	messages_format(msg, line[KEY], sizeof(line[KEY]), "No camera? Type this key: %s",
			e->grouped);
	messages_format(msg, line[TYPE], sizeof(line[TYPE]),
			"Then type the %u-digit code the app shows.", e->rec.digits);
	for (int i = 0; i < N_WORDS; i++) {
		keep[i] = i != TWO || pair;
		/* the key only on a line of its own: a wrapped key is misread */
		if (i == KEY && screen_lines(line[i]) > 1)
			keep[i] = 0;
		used += keep[i] ? screen_lines(line[i]) : 0;
	}
	for (size_t d = 0; d < sizeof(drop_order) / sizeof(drop_order[0]) && used > room; d++) {
		if (keep[drop_order[d]]) {
			used -= screen_lines(line[drop_order[d]]);
			keep[drop_order[d]] = 0;
		}
	}
	out[0] = '\0';
	for (int i = 0; i < N_WORDS; i++)
		if (keep[i])
			add_raw(out, line[i]);
	secure_wipe(line[KEY], sizeof(line[KEY]));
}

/* What to do in the app, the key by hand and the Key URI, for those who
 * scroll; then the screen the prompt stands under: a few words, the key
 * where it fits, and the QR code (two, normal and inverted, over sshd,
 * where the terminal's colours are unknown). */
static int
show_secret(pam_handle_t *pamh, const struct messages *msg, const struct who *w,
	    const struct store_user *user, struct enrollment *e)
{
	char qr[TEXT_MAX];
	int qr_lines = 0;

	e->text[0] = '\0';
	messages_append_line(msg, e->text, sizeof(e->text), "Before you log in, your organisation asks you to set up an "
		 "authenticator app.");
	messages_append_line(msg, e->text, sizeof(e->text),
			     "Setting up the authenticator app for %s.\n", user->name);
	messages_append_line(msg, e->text, sizeof(e->text), "In the app (for example Microsoft Authenticator), add an account:\n"
		 "choose \"Other account\" and scan the QR code below.");
	messages_append_line(msg, e->text, sizeof(e->text), "The app then shows a %u-digit code for this account, a new one every\n"
		 "%u seconds. Type the code it shows now after \"Code from the app:\" below.\n",
		 e->rec.digits, e->rec.period);
	messages_append_line(msg, e->text, sizeof(e->text), "No camera? In the app, add the account by hand with this key:");
	add_raw(e->text, e->grouped);
	messages_append_line(msg, e->text, sizeof(e->text), "Key URI:");
	add_raw(e->text, e->uri);
	send_text(pamh, e->text);
	if (draw_qr(e->qr_kind, e->uri, qr, sizeof(qr), &qr_lines) != 0) {
		if (qrencode_lazy_error() != NULL)
			log_reason(pamh, w, LR_ENROLL_NO_QR, ": %s", qrencode_lazy_error());
		messages_say(msg, PAM_TEXT_INFO, "The QR code does not fit here: add the account "
			     "by hand with the key above.");
		return 0;
	}
	screen_words(msg, e, e->qr_kind == QR_TERM_UTF8_PAIR,
		     QR_SMALL_TERM_LINES - LINES_BELOW_QR - qr_lines, e->text);
	if (strlen(e->text) + 1 + strlen(qr) < sizeof(e->text))
		add_raw(e->text, qr);
	else
		snprintf(e->text, sizeof(e->text), "%s", qr);
	secure_wipe(qr, sizeof(qr));
	send_text(pamh, e->text);
	return 0;
}

/* Up to ENROLL_TRIES answers. 1 confirmed at *step, 0 not, -1 the
 * conversation failed (*conv_rc), -2 a crypto error, -3 nothing typed.
 * An empty answer is no guess: OpenSSH's ssh answers every prompt with
 * an empty line when its terminal goes away (it reads end of file), so
 * counting it as a wrong code would void the code shown to someone whose
 * connection dropped. It ends the attempt; the code stays pending. */
static int
confirm(pam_handle_t *pamh, const struct totp_config *cfg, const struct messages *msg,
	const struct totp_record *rec, int64_t *step, int *conv_rc)
{
	char prompt[64], code[OTP_CODE_SIZE];
	int ret = 0;

	messages_format(msg, prompt, sizeof(prompt), "Code from the app: ");
	for (int tries = ENROLL_TRIES; tries > 0 && ret == 0; tries--) {
		char *answer = NULL;
		int rc = pam_prompt(pamh, cfg->echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF,
				    &answer, "%s", prompt);

		if (rc != PAM_SUCCESS || answer == NULL) {
			*conv_rc = rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE
				 : rc != PAM_SUCCESS ? rc : PAM_CONV_ERR;
			ret = -1;
		} else if (answer[0] == '\0') {
			ret = -3;
		} else if (!input_totp_code(answer, rec->digits, code)) {
			if (tries > 1)
				messages_say_n(msg, PAM_ERROR_MSG, "A code is %u digits. %d try left.\n",
					       "A code is %u digits. %d tries left.\n",
					       (unsigned long)(tries - 1), rec->digits, tries - 1);
			else
				messages_say(msg, PAM_ERROR_MSG, "A code is %u digits.\n", rec->digits);
		} else {
			rc = enroll_code_matches(rec, (int64_t)time(NULL), cfg->policy.window, code,
						step);
			if (rc != 0)
				ret = rc < 0 ? -2 : 1;
			else if (tries > 1)
				messages_say_n(msg, PAM_ERROR_MSG, "That code is not right. %d try left.\n",
					       "That code is not right. %d tries left.\n",
					       (unsigned long)(tries - 1), tries - 1);
			else
				messages_say(msg, PAM_ERROR_MSG, "That code is not right.");
		}
		if (answer != NULL) {
			secure_wipe(answer, strlen(answer));
			free(answer);
		}
	}
	secure_wipe(code, sizeof(code));
	return ret;
}

/* The recovery codes, then a prompt whose answer does not matter (the
 * record is written already): sshd shows the module's messages with its
 * next prompt, and those after the last prompt only when an interactive
 * session starts (not for a command, not with ~/.hushlogin). */
static void
show_recovery(pam_handle_t *pamh, const struct totp_config *cfg, const struct messages *msg,
	      struct enrollment *e, size_t n)
{
	char prompt[64], *answer = NULL;

	e->text[0] = '\0';
	messages_append_line(msg, e->text, sizeof(e->text), "Done: the app is linked. From now on you type the code from "
		 "the app when you log in.");
	messages_append_line(msg, e->text, sizeof(e->text), "Recovery codes: each one lets you log in once without the app.\n"
		 "Type it instead of the code from the app.");
	for (size_t i = 0; i < n; i++) {
		char line[RECOVERY_CODE_SIZE + 2];

		snprintf(line, sizeof(line), "  %s", e->codes[i]);
		add_raw(e->text, line);
		secure_wipe(line, sizeof(line));
	}
	messages_append_line(msg, e->text, sizeof(e->text), "Keep them somewhere safe. They will not be shown again.");
	send_text(pamh, e->text);
	messages_format(msg, prompt, sizeof(prompt), "Press Enter to continue: ");
	if (pam_prompt(pamh, cfg->echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF, &answer,
		       "%s", prompt) == PAM_SUCCESS && answer != NULL) {
		secure_wipe(answer, strlen(answer));  /* a code typed here by mistake */
		free(answer);
	}
}

/* The record says it was made at a login, of which service and from where
 * (totp-admin status shows it). */
static void
record_origin(pam_handle_t *pamh, struct totp_record *rec)
{
	const void *service = NULL, *rhost = NULL;

	if (pam_get_item(pamh, PAM_SERVICE, &service) != PAM_SUCCESS)
		service = NULL;
	if (pam_get_item(pamh, PAM_RHOST, &rhost) != PAM_SUCCESS)
		rhost = NULL;
	record_set_login_origin(rec, service, rhost);
}

static enum enroll_outcome
run(pam_handle_t *pamh, const struct totp_config *cfg, struct store_session *store,
    const struct messages *msg, const struct who *w, const struct store_user *user,
    const struct totp_record *found, struct enrollment *e, int *conv_rc, char *why,
    size_t why_size)
{
	char err[512], until[TEXT_TIME_SIZE];
	int64_t step = -1, now = (int64_t)time(NULL);
	struct store_create_why cw;
	enum enroll_outcome out;
	enum store_status st;
	int r;

	if (store_can_create(store, user, STORE_CREATE_AT_LOGIN, &cw) != 0) {
		cannot_create(cfg, &cw, why, why_size);
		return ENROLL_FAILED;
	}
	/* the secret is kept (pending) before it is shown, so a store that
	 * cannot take it never leaves a dead account in the app */
	out = pending_begin(pamh, cfg, store, w, user, found, &e->rec, now, why, why_size);
	store_session_disconnect(store);  /* nothing held while the person reads and types */
	if (out != ENROLL_DONE)
		return out;
	e->qr_kind = qr_kind(pamh);
	if (key_uri(cfg, user, e) != 0 ||
	    enroll_group_secret(e->b32, e->grouped, sizeof(e->grouped)) != 0) {
		snprintf(why, why_size, "cannot build the Key URI (issuer= or user name unusable?)");
		return ENROLL_FAILED;
	}
	show_secret(pamh, msg, w, user, e);
	r = confirm(pamh, cfg, msg, &e->rec, &step, conv_rc);
	if (r == -1 || r == -3) {
		text_time(e->rec.pending_until, until);
		snprintf(why, why_size, "%s; the code shown stays pending until %s, the next "
			 "login shows it again", r == -3 ? "nothing was typed" : "the conversation ended",
			 until);
		if (r == -3)
			*conv_rc = PAM_AUTH_ERR;
		return ENROLL_NO_ANSWER;
	}
	if (r == -2) {
		snprintf(why, why_size, "cannot compute codes");
		return ENROLL_FAILED;
	}
	if (r == 0) {
		/* the next login starts over, with a new secret; nothing is
		 * held while the person reads the message */
		if (pending_drop(store, user, &e->rec, (int64_t)time(NULL), err, sizeof(err)) != 0)
			snprintf(why, why_size, "%d wrong first codes; the pending enrolment "
				 "stays (%s)", ENROLL_TRIES, err);
		else
			snprintf(why, why_size, "%d wrong first codes", ENROLL_TRIES);
		store_session_disconnect(store);
		messages_refuse(msg, "The app is not linked yet. You can delete the "
			     "account you just added in the app. When you log in again, you get a "
			     "new QR code.");
		return ENROLL_UNCONFIRMED;
	}
	enroll_mark_confirmed(&e->rec, step, (int64_t)time(NULL));
	e->rec.pending_until = 0;
	record_origin(pamh, &e->rec);
	if (recovery_generate(&e->rec, ENROLL_RECOVERY_DEFAULT, 0, e->codes) != 0) {
		snprintf(why, why_size, "cannot make recovery codes");
		return ENROLL_FAILED;
	}
	st = pending_confirm(store, user, &e->rec, err, sizeof(err));
	r = errno;
	store_session_disconnect(store);  /* before the recovery codes' prompt */
	if (st != STORE_OK) {
		if (r == EEXIST) {
			snprintf(why, why_size, "another login enrolled the user meanwhile");
			messages_refuse(msg, "This was not saved: at the same moment "
				     "another login linked an app to your account. Delete the account "
				     "you just added in the app, then log in again.");
			return ENROLL_EXISTS;
		}
		snprintf(why, why_size, "%s", err);
		return st == STORE_UNAVAILABLE ? ENROLL_UNAVAILABLE : ENROLL_FAILED;
	}
	(void)store_where(store, user, STORE_WHERE_LOG, why, why_size, err, sizeof(err));
	show_recovery(pamh, cfg, msg, e, ENROLL_RECOVERY_DEFAULT);
	return ENROLL_DONE;
}

enum enroll_outcome
enroll_at_login(pam_handle_t *pamh, const struct totp_config *cfg, struct store_session *store,
	       const struct messages *msg, const struct who *w, const struct store_user *user,
	       const struct totp_record *pending, int *conv_rc, char *why, size_t why_size)
{
	struct enrollment *e = calloc(1, sizeof(*e));
	enum enroll_outcome out;

	*conv_rc = PAM_SUCCESS;
	if (e == NULL) {
		snprintf(why, why_size, "out of memory");
		return ENROLL_FAILED;
	}
	out = run(pamh, cfg, store, msg, w, user, pending, e, conv_rc, why, why_size);
	if (out == ENROLL_FAILED || out == ENROLL_UNAVAILABLE)
		messages_refuse(msg, "Setting up the app did not work. Ask the service "
			     "desk (your administrator).");
	record_wipe(&e->rec);
	secure_wipe(e, sizeof(*e));
	free(e);
	return out;
}
