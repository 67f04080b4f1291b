/* Writing the new record (made by enrol_record_new, lib/enrol.c) where
 * the module will look, mode 0600: owned by its user in the home,
 * by root in the administrator's store (whose directory is checked or
 * made here). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "enroll.h"
#include "i18n.h"
#include "login.h"
#include "secure.h"

/* Only root switches, and only to a user other than itself. */
static int
enter_user(struct fs_identity *fsid, const struct store_user *user, int in_home)
{
	fsid->switched = 0;
	if (!in_home)
		return 0;
	return secure_fsid_enter(fsid, user->uid, user->gid);
}

int
enroll_record_exists(const char *path, const struct store_user *user, int in_home)
{
	struct fs_identity fsid;
	struct stat st;
	int ret, saved;

	if (enter_user(&fsid, user, in_home) != 0)
		return -1;
	ret = lstat(path, &st) == 0 ? 1 : (errno == ENOENT ? 0 : -1);
	saved = errno;
	secure_fsid_leave(&fsid);
	errno = saved;
	return ret;
}

int
enroll_record_removed(const struct totp_config *cfg, const struct store_user *user,
		      struct totp_record *tomb)
{
	struct login_db db;
	struct totp_store *store = NULL;
	char err[512];
	enum store_status st;

	memset(&db, 0, sizeof(db));
#ifdef HAVE_LIBPQ
	db.api = &pam_totp_store_pg_v5;
#endif
	/* opened and read as a login does, and let go at once */
	st = login_open_store(cfg, &db, user, &store, err, sizeof(err));
	if (st == STORE_OK)
		st = store_read(store, tomb, err, sizeof(err));
	store_close(store);
	login_db_close(&db);
	if (st != STORE_REMOVED) {
		record_wipe(tomb);
		return 0;
	}
	return 1;
}

int
enroll_record_write(const char *path, const struct totp_record *rec,
		    const struct store_user *user, int in_home, int replace,
		    char *err, size_t err_size)
{
	struct fs_identity fsid;
	int ret, saved;

	if (enter_user(&fsid, user, in_home) != 0) {
		snprintf(err, err_size, _("cannot take the file-system identity of %s"), user->name);
		return -1;
	}
	/* outside the home the record is root's alone (pam_totp(5)) */
	ret = store_file_create(path, rec, in_home ? user->uid : 0, in_home ? user->gid : 0,
				replace, err, err_size);
	saved = errno;
	secure_fsid_leave(&fsid);
	errno = saved;
	return ret;
}

/* The administrator's store (outside the home): root's alone. Made,
 * root's and 0700, when missing (its parent must exist: only the store
 * itself is made). Root calls this, so no identity is taken. */
static int
check_store_dir(const char *dir, char *err, size_t err_size)
{
	char parent[PATH_MAX], *slash;
	struct stat st;

	if (geteuid() != 0) {
		snprintf(err, err_size, _("only root may write records outside the home directory "
					  "(%s)"), dir);
		return ENROLL_DIR_NOT_ROOT;
	}
	if (lstat(dir, &st) != 0 && errno == ENOENT &&
	    mkdir(dir, S_IRWXU) != 0 && errno != EEXIST) {
		if (errno == ENOENT) {
			snprintf(parent, sizeof(parent), "%s", dir);
			slash = strrchr(parent, '/');
			if (slash != NULL)
				slash[slash == parent ? 1 : 0] = '\0';
			snprintf(err, err_size, _("the directory %s does not exist"), parent);
		} else {
			snprintf(err, err_size, _("cannot create the store directory %s: %s"), dir,
				 strerror(errno));
		}
		return -1;
	}
	if (lstat(dir, &st) != 0) {
		snprintf(err, err_size, _("cannot look at the store directory %s: %s"), dir,
			 strerror(errno));
		return -1;
	}
	/* whoever may write the directory may replace the records in it */
	if (!store_file_root_dir_safe(&st)) {
		snprintf(err, err_size, _("the store directory %s is unsafe: it must be a directory "
					  "owned by root that only root may write (chown root: %s; "
					  "chmod 700 %s)"),
			 dir, dir, dir);
		return -1;
	}
	return 0;
}

/* The record's directory in the home, looked at with the user's identity. */
static int
check_home_dir(const char *dir, const struct store_user *user, char *err, size_t err_size)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		snprintf(err, err_size, errno == ENOENT ? _("the directory %s does not exist")
							: _("cannot look at the directory %s: %s"),
			 dir, strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		snprintf(err, err_size, _("%s is not a directory"), dir);
	else if (st.st_uid != 0 && st.st_uid != user->uid)
		snprintf(err, err_size, _("the directory %s belongs to neither root nor %s"),
			 dir, user->name);
	/* others could swap the record for their own (a sticky directory,
	 * like /tmp, only lets them remove their own files) */
	else if ((st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0)
		snprintf(err, err_size, _("anyone may write to the directory %s"), dir);
	else
		return 0;
	return -1;
}

int
enroll_record_check_dir(const char *path, const struct store_user *user, int in_home,
			char *err, size_t err_size)
{
	char dir[PATH_MAX];
	char *slash;
	struct fs_identity fsid;
	int ret, saved;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL) {
		snprintf(err, err_size, _("%s is not an absolute path"), path);
		return -1;
	}
	slash[slash == dir ? 1 : 0] = '\0';
	if (!in_home && (ret = check_store_dir(dir, err, err_size)) != 0)
		return ret;
	if (enter_user(&fsid, user, in_home) != 0) {
		snprintf(err, err_size, _("cannot take the file-system identity of %s"), user->name);
		return -1;
	}
	ret = in_home ? check_home_dir(dir, user, err, err_size) : 0;
	/* with the identity that will write the record (AT_EACCESS: the
	 * file-system one, not the real one) */
	if (ret == 0 && faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) != 0) {
		snprintf(err, err_size, _("cannot write to the directory %s: %s"), dir, strerror(errno));
		ret = -1;
	}
	saved = errno;
	secure_fsid_leave(&fsid);
	errno = saved;
	return ret;
}
