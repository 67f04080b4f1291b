/* totp-enroll and the PostgreSQL store: an enrolment's row, --init-db, and
 * --import of record files (a fleet moving from the file store). */
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

int
enroll_db_check_password(const struct totp_config *cfg, char *err, size_t err_size)
{
	return config_check_db_password(cfg, store_pg_db_has_password(cfg->db), err, err_size);
}

/* Administration may take longer than a login: at least a minute. */
static unsigned
admin_timeout(const struct totp_config *cfg)
{
	return cfg->db_timeout > 60 ? cfg->db_timeout : 60;
}

int
enroll_db_exists(const struct totp_config *cfg, const char *user)
{
	char err[512];
	enum store_status st = store_pg_exists(cfg->db, admin_timeout(cfg),
					       cfg->db_insecure_transport, cfg->db_key, user, err,
					       sizeof(err));

	if (st == STORE_OK || st == STORE_NOT_FOUND)
		return st == STORE_OK;
	fprintf(stderr, _("totp-enroll: %s\n"), err);
	return -1;
}

int
enroll_db_write(const struct totp_config *cfg, const char *user,
		const struct totp_record *rec, int replace, char *err, size_t err_size)
{
	const char *users[1] = { user };
	const struct totp_record *recs[1] = { rec };

	errno = 0;
	return store_pg_insert(cfg->db, admin_timeout(cfg), cfg->db_insecure_transport, cfg->db_key,
			       users, recs, 1, replace,
			       err, err_size) == STORE_OK ? 0 : -1;
}

int
enroll_db_init(const struct totp_config *cfg, int quiet)
{
	char err[512];

	if (store_pg_init_db(cfg->db, admin_timeout(cfg), cfg->db_insecure_transport, cfg->db_key,
			     err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, _("totp-enroll: --init-db: %s\n"), err);
		return ENROLL_EXIT_ERROR;
	}
	if (!quiet)
		printf(_("pam_totp schema version %d is in place.\n"), STORE_PG_SCHEMA_VERSION);
	return ENROLL_EXIT_OK;
}

int
enroll_db_rotate(const struct totp_config *cfg, int quiet)
{
	char err[512];
	size_t n;

	if (store_pg_rotate_key(cfg->db, admin_timeout(cfg), cfg->db_insecure_transport,
				cfg->db_key, cfg->db_key_old, &n, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, _("totp-enroll: --rotate-key: %s\n"), err);
		return ENROLL_EXIT_ERROR;
	}
	if (!quiet)
		printf(P_("%zu row re-sealed under %s.\n", "%zu rows re-sealed under %s.\n", n),
		       n, cfg->db_key);
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
 * file is where the module would look (secret= / --secret-path). */
static int
import_open(const struct totp_config *cfg, const char *arg, struct import_item *it)
{
	char path[PATH_MAX], err[512], pwbuf[4096];
	const char *eq = strchr(arg, '=');
	size_t ulen = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
	struct passwd pwent, *pw = NULL;
	struct store_user su = { it->user, 0, 0, NULL };
	enum store_status st;
	int in_home = 0;

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
	} else if (pw == NULL) {
		fprintf(stderr, _("totp-enroll: --import: no such user '%s' (give USER=FILE)\n"),
			it->user);
		return -1;
	} else if (config_record_path(cfg, it->user, su.uid, su.home, path, sizeof(path),
				      &in_home, err, sizeof(err)) != 0) {
		fprintf(stderr, _("totp-enroll: --import %s: %s\n"), it->user, err);
		return -1;
	}
	st = store_file_open(path, &su, in_home, cfg->lock_timeout, &it->store, err, sizeof(err));
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
enroll_db_import(const struct totp_config *cfg, int n, char **args, int quiet)
{
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
	for (; opened < n; opened++) {
		if (import_open(cfg, args[opened], &items[opened]) != 0)
			goto out;
		users[opened] = items[opened].user;
		recs[opened] = &items[opened].rec;
	}
	/* all rows or none: a user already in the database stops the import */
	if (store_pg_insert(cfg->db, admin_timeout(cfg), cfg->db_insecure_transport, cfg->db_key,
			    users, recs, (size_t)n, 0, err,
			    sizeof(err)) != STORE_OK) {
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
	free(items);
	free(users);
	free(recs);
	return ret;
}

#else /* no libpq */

static int
no_pq(void)
{
	fputs(_("totp-enroll: this pam_totp was built without PostgreSQL support\n"), stderr);
	return -1;
}

int
enroll_db_check_password(const struct totp_config *cfg, char *err, size_t err_size)
{
	(void)cfg;
	snprintf(err, err_size, "this pam_totp was built without PostgreSQL support");
	return -1;
}

int
enroll_db_exists(const struct totp_config *cfg, const char *user)
{
	(void)cfg;
	(void)user;
	return no_pq();
}

int
enroll_db_write(const struct totp_config *cfg, const char *user,
		const struct totp_record *rec, int replace, char *err, size_t err_size)
{
	(void)cfg;
	(void)user;
	(void)rec;
	(void)replace;
	snprintf(err, err_size, _("built without PostgreSQL support"));
	return -1;
}

int
enroll_db_init(const struct totp_config *cfg, int quiet)
{
	(void)cfg;
	(void)quiet;
	no_pq();
	return ENROLL_EXIT_ERROR;
}

int
enroll_db_rotate(const struct totp_config *cfg, int quiet)
{
	(void)cfg;
	(void)quiet;
	no_pq();
	return ENROLL_EXIT_ERROR;
}

int
enroll_db_import(const struct totp_config *cfg, int n, char **args, int quiet)
{
	(void)cfg;
	(void)n;
	(void)args;
	(void)quiet;
	no_pq();
	return ENROLL_EXIT_ERROR;
}

#endif
