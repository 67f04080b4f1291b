/* totp-enroll: the flow from options to a confirmed, written record.
 *
 *   options -> config and record path (as the module finds them) -> refuse
 *   an existing enrolment without --force -> secret -> QR, secret, URI ->
 *   confirm a code (window around now) -> recovery codes into the record ->
 *   write (atomic, 0600, the user's in the home, else root's) -> show the
 *   recovery codes once.
 *
 * Nothing is written before the code is confirmed, so Ctrl-C, end of input
 * or three wrong codes leave an existing record exactly as it was. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "conf.h"
#include "enroll.h"
#include "i18n.h"
#include "secure.h"
#include "text.h"
#include "uri.h"

#define URI_MAX ENROLL_URI_MAX

struct enroll_user {
	char name[LOGIN_NAME_MAX + 1];
	char home[PATH_MAX];
	struct store_user su;
};

/* The user to enrol: --user NAME (root only), else whoever runs this. */
static int
find_user(const struct enroll_opts *o, struct enroll_user *u)
{
	struct passwd *pw;

	errno = 0;
	pw = o->user != NULL ? getpwnam(o->user) : getpwuid(getuid());
	if (pw == NULL) {
		if (o->user != NULL)
			fprintf(stderr, _("totp-enroll: no such user '%s'\n"), o->user);
		else
			fputs(_("totp-enroll: who are you? (no passwd entry)\n"), stderr);
		return -1;
	}
	if (snprintf(u->name, sizeof(u->name), "%s", pw->pw_name) >= (int)sizeof(u->name) ||
	    snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir) >= (int)sizeof(u->home)) {
		fputs(_("totp-enroll: user name or home directory too long\n"), stderr);
		return -1;
	}
	u->su.name = u->name;
	u->su.uid = pw->pw_uid;
	u->su.gid = pw->pw_gid;
	u->su.home = u->home;
	return 0;
}

/* Administration may wait longer than a login for the database. */
#define DB_TIMEOUT_MIN 60

/* The module's config and its store, with --conf and --secret-path in
 * the roles of its conf= and secret= arguments. */
static int
load_store(const struct enroll_opts *o, struct totp_config *cfg, struct store_session **store)
{
	char err[512];

	if (config_load_tool(cfg, o->conf, o->secret_path, err, sizeof(err)) != 0 ||
	    store_session_open(cfg, enroll_db_api, store, err, sizeof(err)) != 0) {
		fprintf(stderr, _("totp-enroll: %s\n"), err);
		return -1;
	}
	if (cfg->db_timeout < DB_TIMEOUT_MIN)
		cfg->db_timeout = DB_TIMEOUT_MIN;
	if ((*store)->flags & STORE_CAUTION_INSECURE)
		fputs(_("totp-enroll: warning: db_insecure_transport=yes: secrets may cross the "
			"network unencrypted and unverified\n"), stderr);
	if ((*store)->flags & STORE_CAUTION_CLEAR)
		fputs(_("totp-enroll: warning: db_key=none: rows are written in the clear, the "
			"secrets readable from the database\n"), stderr);
	if (cfg->localedir[0] != '\0')
		i18n_init(cfg->localedir);
	return 0;
}

static int
usage_needs_db(const struct enroll_opts *o)
{
	fprintf(stderr, _("totp-enroll: --%s needs store=postgresql and db= in the config\n"),
		o->init_db ? "init-db" : o->rotate_key ? "rotate-key" : "import");
	return ENROLL_EXIT_USAGE;
}

/* --init-db, --import and --rotate-key: administration of the database store. */
static int
administer(const struct enroll_opts *o)
{
	struct totp_config cfg;
	struct store_session *store = NULL;
	int ret;

	if (load_store(o, &cfg, &store) != 0)
		return ENROLL_EXIT_ERROR;
	if (store->admin == NULL)
		ret = usage_needs_db(o);
	else if (o->rotate_key)
		ret = enroll_db_rotate(store, cfg.db_key, o->quiet);
	else if (o->init_db)
		ret = enroll_db_init(store, o->quiet);
	else
		ret = enroll_db_import(store, &cfg, o->n_args, o->args, o->quiet);
	store_session_close(store);
	return ret;
}

/* The secret as base32 and the otpauth URI the app scans. */
static int
make_uri(const struct enroll_opts *o, const struct totp_config *cfg,
	 const struct enroll_user *u, const struct totp_record *rec,
	 struct otp_uri *ou, char *b32, size_t b32_size, char *uri, size_t uri_size)
{
	switch (enroll_uri(rec, o->issuer != NULL ? o->issuer : cfg->issuer, o->label, u->name,
			  o->qr == ENROLL_QR_ANSI ? QR_TERM_ANSI : QR_TERM_UTF8, LINES_BELOW_QR,
			  ou, b32, b32_size, uri, uri_size)) {
	case ENROLL_URI_OK:
		return 0;
	case ENROLL_URI_TOO_LONG:
		fputs(_("totp-enroll: issuer or label too long\n"), stderr);
		return -1;
	case ENROLL_URI_ENCODE:
		fputs(_("totp-enroll: cannot encode the secret\n"), stderr);
		return -1;
	default:
		fputs(_("totp-enroll: cannot build the otpauth URI (issuer or label unusable?)\n"),
		      stderr);
		return -1;
	}
}

/* Whether the user's record is a tombstone (totp-admin remove): 1, tomb
 * then holding its time and administrator; 0 for anything else (a record,
 * one that cannot be read). Opened and read as a login does, and let go
 * at once. */
static int
removed(struct store_session *store, const struct store_user *su, struct totp_record *tomb)
{
	struct totp_store *rec = NULL;
	char err[512];
	enum store_status st;

	memset(tomb, 0, sizeof(*tomb));
	if (store_open(store, su, &rec, err, sizeof(err)) != STORE_OK)
		return 0;
	st = store_read(rec, tomb, err, sizeof(err));
	store_close(rec);
	if (st != STORE_REMOVED) {
		record_wipe(tomb);
		return 0;
	}
	return 1;
}

/* Early, friendly refusals; store_create makes the final check.
 * *replacing: what --force replaces, for its log line ("" none). */
static int
check_existing(const struct enroll_opts *o, struct store_session *store, const char *path,
	       const struct enroll_user *u, int in_home, char *replacing, size_t replacing_size)
{
	struct totp_record tomb;
	char when[TEXT_TIME_SIZE], err[512];
	enum store_status st;

	replacing[0] = '\0';
	st = store_exists(store, &u->su, err, sizeof(err));
	if (st == STORE_NOT_FOUND)
		return 0;
	if (st != STORE_OK) {
		fprintf(stderr, _("totp-enroll: %s\n"), err);
		return ENROLL_EXIT_ERROR;
	}
	/* a tombstone of totp-admin remove: never in a home */
	if (!in_home && removed(store, &u->su, &tomb)) {
		text_time(tomb.removed_at, when);
		if (!o->force) {
			fprintf(stderr, _("totp-enroll: %s was removed by %s on %s; --force enrols "
				"anyway\n"), u->name, tomb.removed_by, when);
			return ENROLL_EXIT_EXISTS;
		}
		snprintf(replacing, replacing_size, " (was removed on %s by %s)", when,
			 tomb.removed_by);
		return 0;
	}
	if (!o->force) {
		fprintf(stderr, _("totp-enroll: %s is already enrolled (%s exists); "
			"use --force to replace it\n"), u->name, path);
		return ENROLL_EXIT_EXISTS;
	}
	snprintf(replacing, replacing_size, " (%s)", path);
	return 0;
}

/* --force replaced an enrolment (or a tombstone): logged as totp-admin's
 * changes are, with the administrator's name. */
static void
log_replaced(const char *user, const char *replacing)
{
	char who[256];

	audit_who(who, sizeof(who));
	openlog("totp-enroll", LOG_PID, LOG_AUTHPRIV);
	audit_log(who, LOG_NOTICE, user, "enrolment replaced by totp-enroll --force%s", replacing);
	closelog();
}

int
main(int argc, char **argv)
{
	/* static: registered with the interrupt guard for wiping */
	static struct totp_record rec;
	static struct otp_uri ou;
	static char b32[URI_SECRET_MAX], uri[URI_MAX];
	static char codes[RECORD_RECOVERY_MAX][RECOVERY_CODE_SIZE];
	struct enroll_opts o;
	struct enroll_user u;
	struct totp_config cfg;
	struct store_session *store = NULL;
	struct store_create_why cw;
	char path[PATH_MAX], err[512], replacing[PATH_MAX + 64 + RECORD_REMOVED_BY_MAX];
	int in_home = 0, ret = ENROLL_EXIT_ERROR, r;
	int64_t step = -1, now;

	/* the locale for the C library's own text (strerror); ours is read
	 * whether or not that locale exists */
	setlocale(LC_ALL, "");
	i18n_init(LOCALEDIR);
	r = enroll_opts_parse(argc, argv, &o);
	if (r != 0)
		return r > 0 ? ENROLL_EXIT_OK : ENROLL_EXIT_USAGE;
	if (o.user != NULL && getuid() != 0) {
		fputs(_("totp-enroll: only root may enrol another user (--user)\n"), stderr);
		return ENROLL_EXIT_USAGE;
	}
	if (o.init_db || o.import || o.rotate_key)
		return administer(&o);
	if (enroll_opts_nonstandard(&o)) {
		enroll_show_nonstandard_warning(&o);
		if (o.no_confirm) {
			fputs(_("totp-enroll: --no-confirm is refused for these parameters\n"), stderr);
			return ENROLL_EXIT_USAGE;
		}
	}
	if (find_user(&o, &u) != 0 || load_store(&o, &cfg, &store) != 0)
		goto out;
	in_home = store_where(store, &u.su, STORE_WHERE_ENROLL, path, sizeof(path), err,
			      sizeof(err));
	if (in_home < 0) {
		fprintf(stderr, _("totp-enroll: %s\n"), err);
		goto out;
	}
	/* Found only after the QR code, a store that cannot take the record
	 * would leave a dead entry in the phone's app. */
	r = store_can_create(store, &u.su, 0, &cw);
	if (r == STORE_CREATE_NOT_ROOT) {
		/* a staff member where only root enrols: no jargon */
		fputs(_("totp-enroll: you cannot set up the app yourself on this computer. Ask the "
			"service desk (your administrator) to do it for you. Nothing was changed.\n"),
		      stderr);
		/* helpdesk=, as the module says it after a refusal */
		if (cfg.helpdesk[0] != '\0')
			fprintf(stderr, "%s\n", cfg.helpdesk);
		goto out;
	}
	if (r != 0) {
		enroll_create_why_text(&cw, u.name, err, sizeof(err));
		fprintf(stderr, _("totp-enroll: %s; nothing was written and no QR code was shown\n"),
			err);
		goto out;
	}
	ret = check_existing(&o, store, path, &u, in_home, replacing, sizeof(replacing));
	/* nothing of the store is held while the person reads and types */
	store_session_disconnect(store);
	if (ret != 0)
		goto out;
	ret = ENROLL_EXIT_ERROR;

	enroll_guard_begin();
	enroll_guard_wipe(&rec, sizeof(rec));
	enroll_guard_wipe(&ou, sizeof(ou));
	enroll_guard_wipe(b32, sizeof(b32));
	enroll_guard_wipe(uri, sizeof(uri));
	enroll_guard_wipe(codes, sizeof(codes));
	now = (int64_t)time(NULL);
	if (enroll_record_new(&rec, o.alg, o.digits, o.period, now) != 0) {
		fputs(_("totp-enroll: no random bytes for the secret\n"), stderr);
		goto out;
	}
	if (make_uri(&o, &cfg, &u, &rec, &ou, b32, sizeof(b32), uri, sizeof(uri)) != 0 ||
	    enroll_write_qr_files(&o, uri) != 0)
		goto out;
	/* the QR code last, right above the prompt: see enroll_show.c */
	if (!o.quiet)
		enroll_show_intro(u.name, &rec, !o.no_confirm);
	enroll_show_secret(b32, o.quiet);
	enroll_show_uri(uri, o.quiet);
	if (enroll_show_qr(o.qr, uri) != 0)
		goto out;
	fflush(stdout);

	if (!o.no_confirm) {
		ret = enroll_confirm(&rec, cfg.policy.window, &step);
		if (ret != 0)
			goto out;
		ret = ENROLL_EXIT_ERROR;
		/* the confirming code is used up: it cannot be replayed at login */
		enroll_mark_confirmed(&rec, step, (int64_t)time(NULL));
	}

	/* From here the record is written and its codes shown, whatever comes. */
	enroll_guard_release();
	if (recovery_generate(&rec, o.recovery, 0, codes) != 0) {
		fputs(_("totp-enroll: cannot make recovery codes\n"), stderr);
		goto out;
	}
	errno = 0;
	if (store_create(store, &u.su, &rec, o.force, err, sizeof(err)) != STORE_OK) {
		if (errno == EEXIST) {
			fprintf(stderr, _("totp-enroll: %s was enrolled meanwhile (%s exists); "
				"nothing was written\n"), u.name, path);
			ret = ENROLL_EXIT_EXISTS;
		} else {
			fprintf(stderr, _("totp-enroll: %s; nothing was written\n"), err);
		}
		goto out;
	}
	if (replacing[0] != '\0')
		log_replaced(u.name, replacing);
	enroll_show_recovery(codes, o.recovery);
	if (!o.quiet)
		printf(_("\nDone: the app is linked for %s (%s).\n"), u.name, path);
	ret = ENROLL_EXIT_OK;
out:
	store_session_close(store);
	fflush(stdout);
	if (ret != ENROLL_EXIT_OK)
		enroll_guard_remove_files();
	record_wipe(&rec);
	secure_wipe(&ou, sizeof(ou));
	secure_wipe(b32, sizeof(b32));
	secure_wipe(uri, sizeof(uri));
	secure_wipe(codes, sizeof(codes));
	return ret;
}
