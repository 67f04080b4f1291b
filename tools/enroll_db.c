/* The store for totp-enroll and totp-admin: the PostgreSQL store's table
 * (linked, not loaded), the words for a store that cannot take a new
 * record, and the database's --init-db, --rotate-key and --import of
 * record files (a fleet moving from the file store). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enroll.h"
#include "i18n.h"
#include "secure.h"

#ifdef HAVE_LIBPQ

const struct store_pg_api *
enroll_db_api(char *err, size_t err_size)
{
	(void)err;
	(void)err_size;
	return &pam_totp_store_pg_v6;
}

int
enroll_db_check_password(const struct totp_config *cfg, char *err, size_t err_size)
{
	return config_check_db_password(cfg, pam_totp_store_pg_v6.db_has_password(cfg->db), err,
					err_size);
}

#else /* no libpq */

const struct store_pg_api *
enroll_db_api(char *err, size_t err_size)
{
	snprintf(err, err_size, "this pam_totp was built without PostgreSQL support");
	return NULL;
}

int
enroll_db_check_password(const struct totp_config *cfg, char *err, size_t err_size)
{
	(void)cfg;
	snprintf(err, err_size, "this pam_totp was built without PostgreSQL support");
	return -1;
}

#endif

void
enroll_create_why_text(const struct store_create_why *w, const char *user, char *err,
		       size_t err_size)
{
	const char *dir = w->dir, *why = strerror(w->err_no);

	switch (w->reason) {
	case STORE_CREATE_BAD_PATH:
		snprintf(err, err_size, "%s", w->err);
		break;
	case STORE_CREATE_ONLY_ROOT:
		snprintf(err, err_size, _("only root may write records outside the home directory "
					  "(%s)"), dir);
		break;
	case STORE_CREATE_NO_PARENT:
	case STORE_CREATE_MISSING:
		snprintf(err, err_size, _("the directory %s does not exist"), dir);
		break;
	case STORE_CREATE_CANNOT_MAKE:
		snprintf(err, err_size, _("cannot create the store directory %s: %s"), dir, why);
		break;
	case STORE_CREATE_CANNOT_LOOK:
		if (w->in_home)
			snprintf(err, err_size, _("cannot look at the directory %s: %s"), dir, why);
		else
			snprintf(err, err_size, _("cannot look at the store directory %s: %s"), dir,
				 why);
		break;
	/* whoever may write the directory may replace the records in it */
	case STORE_CREATE_UNSAFE:
		snprintf(err, err_size, _("the store directory %s is unsafe: it must be a directory "
					  "owned by root that only root may write (chown root: %s; "
					  "chmod 700 %s)"),
			 dir, dir, dir);
		break;
	case STORE_CREATE_NOT_DIR:
		snprintf(err, err_size, _("%s is not a directory"), dir);
		break;
	case STORE_CREATE_FOREIGN:
		snprintf(err, err_size, _("the directory %s belongs to neither root nor %s"), dir,
			 user);
		break;
	case STORE_CREATE_ANYONE:
		snprintf(err, err_size, _("anyone may write to the directory %s"), dir);
		break;
	case STORE_CREATE_NOT_WRITABLE:
		snprintf(err, err_size, _("cannot write to the directory %s: %s"), dir, why);
		break;
	case STORE_CREATE_NO_IDENTITY:
		snprintf(err, err_size, _("cannot take the file-system identity of %s"), user);
		break;
	case STORE_CREATE_NOT_ABSOLUTE:
		snprintf(err, err_size, _("%s is not an absolute path"), dir);
		break;
	case STORE_CREATE_OK:
	case STORE_CREATE_IN_HOME:
		snprintf(err, err_size, "%s", dir);
		break;
	}
}

int
enroll_db_init(struct store_session *store, int quiet)
{
	char err[512];

	if (store->admin->init(store, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, _("totp-enroll: --init-db: %s\n"), err);
		return ENROLL_EXIT_ERROR;
	}
	if (!quiet)
		printf(_("pam_totp schema version %d is in place.\n"), STORE_PG_SCHEMA_VERSION);
	return ENROLL_EXIT_OK;
}

int
enroll_db_rotate(struct store_session *store, const char *key, int quiet)
{
	char err[512];
	size_t n;

	if (store->admin->rotate_key(store, &n, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, _("totp-enroll: --rotate-key: %s\n"), err);
		return ENROLL_EXIT_ERROR;
	}
	if (!quiet)
		printf(P_("%zu row re-sealed under %s.\n", "%zu rows re-sealed under %s.\n", n),
		       n, key);
	return ENROLL_EXIT_OK;
}

/* One file to import: its user, and the record locked until the rows are
 * committed, so a login through the file store cannot change it meanwhile. */
struct import_item {
	char user[LOGIN_NAME_MAX + 1];
	struct totp_store *store;
	struct totp_record rec;
};

/* USER or USER=PATH: open and read the record, locked. Without PATH the
 * file is where the module would look (secret= / --secret-path: files,
 * the file store's session). */
static int
import_open(struct store_session *files, const struct totp_config *cfg, const char *arg,
	    struct import_item *it)
{
	char path[PATH_MAX], err[512], pwbuf[4096];
	const char *eq = strchr(arg, '=');
	size_t ulen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	struct passwd pwent, *pw = NULL;
	struct store_user su = { it->user, 0, 0, NULL };
	enum store_status st;

	if (ulen == 0 || ulen >= sizeof(it->user)) {
		fprintf(stderr, _("totp-enroll: --import: bad user name in '%s'\n"), arg);
		return -1;
	}
	memcpy(it->user, arg, ulen);
	it->user[ulen] = '\0';
	if (getpwnam_r(it->user, &pwent, pwbuf, sizeof(pwbuf), &pw) != 0)
		pw = NULL;
	if (pw != NULL) {
		su.uid = pw->pw_uid;
		su.gid = pw->pw_gid;
		su.home = pw->pw_dir;
	}
	if (eq != NULL) {
		/* an explicit file: owned by the user, or by root */
		if (snprintf(path, sizeof(path), "%s", eq + 1) >= (int)sizeof(path)) {
			fprintf(stderr, _("totp-enroll: --import: path too long in '%s'\n"), arg);
			return -1;
		}
		st = store_file_open(path, &su, 0, cfg->lock_timeout, &it->store, err,
				     sizeof(err));
	} else if (pw == NULL) {
		fprintf(stderr, _("totp-enroll: --import: no such user '%s' (give USER=FILE)\n"),
			it->user);
		return -1;
	} else {
		st = store_open(files, &su, &it->store, err, sizeof(err));
	}
	if (st == STORE_OK)
		st = store_read(it->store, &it->rec, err, sizeof(err));
	/* the tombstone of a removed user moves as one: the row keeps
	 * enrolment at login closed as the file did */
	if (st == STORE_REMOVED) {
		record_state_init(&it->rec.state);
		st = STORE_OK;
	}
	if (st != STORE_OK) {
		fprintf(stderr, _("totp-enroll: --import %s: %s\n"), it->user, err);
		return -1;
	}
	return 0;
}

int
enroll_db_import(struct store_session *store, const struct totp_config *cfg, int n, char **args,
		 int quiet)
{
	struct store_session *files = NULL;
	struct import_item *items = calloc((size_t)n, sizeof(*items));
	const char **users = calloc((size_t)n, sizeof(*users));
	const struct totp_record **recs = calloc((size_t)n, sizeof(*recs));
	char err[512];
	int ret = ENROLL_EXIT_ERROR, opened = 0;

	if (items == NULL || users == NULL || recs == NULL) {
		fputs(_("totp-enroll: out of memory\n"), stderr);
		goto out;
	}
	/* a user named twice: refused before any record is opened (the
	 * second open of a locked record would only wait for the lock) */
	for (int i = 0; i < n; i++) {
		size_t len = strcspn(args[i], "=");

		for (int j = 0; j < i; j++) {
			if (strcspn(args[j], "=") == len && strncmp(args[i], args[j], len) == 0) {
				fprintf(stderr, _("totp-enroll: --import: %.*s is named twice; "
					"nothing was imported\n"), (int)len, args[i]);
				ret = ENROLL_EXIT_EXISTS;
				goto out;
			}
		}
	}
	if (store_file_session_new(cfg, &files, err, sizeof(err)) != 0) {
		fprintf(stderr, _("totp-enroll: %s\n"), err);
		goto out;
	}
	for (; opened < n; opened++) {
		if (import_open(files, cfg, args[opened], &items[opened]) != 0)
			goto out;
		users[opened] = items[opened].user;
		recs[opened] = &items[opened].rec;
	}
	/* all rows or none: a user already in the database stops the import */
	if (store->admin->insert_all(store, users, recs, (size_t)n, err, sizeof(err)) != STORE_OK) {
		ret = errno == EEXIST ? ENROLL_EXIT_EXISTS : ENROLL_EXIT_ERROR;
		fprintf(stderr, _("totp-enroll: --import: %s; nothing was imported\n"), err);
		goto out;
	}
	if (!quiet)
		printf(P_("Imported %d record into the database.\n",
			  "Imported %d records into the database.\n", n), n);
	ret = ENROLL_EXIT_OK;
out:
	for (int i = 0; items != NULL && i < n; i++) {
		store_close(items[i].store);
		record_wipe(&items[i].rec);
	}
	store_session_close(files);
	free(items);
	free(users);
	free(recs);
	return ret;
}

