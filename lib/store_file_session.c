/* The file store's session (store.h): secret= expanded for each user, the
 * user's file-system identity taken for a record in the home, and the
 * rules of the root-only directory outside it. The record itself is
 * store_file.c's. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "secure.h"
#include "store.h"

struct file_session {
	struct store_session base;        /* first: the interface */
	const struct totp_config *cfg;
	/* the last user's expanded path: a login asks several times */
	char user[LOGIN_NAME_MAX + 1];
	uid_t uid;
	char home[PATH_MAX];
	char path[PATH_MAX];
	int in_home;
};

/* u's record path into s->path (and s->in_home). 0, or -1 with err. */
static int
expand(struct file_session *s, const struct store_user *u, char *err, size_t err_size)
{
	const char *home = u->home != NULL ? u->home : "";

	if (s->path[0] != '\0' && s->user[0] != '\0' && strcmp(s->user, u->name) == 0 &&
	    s->uid == u->uid && strcmp(s->home, home) == 0)
		return 0;
	s->path[0] = '\0';
	if (config_record_path(s->cfg, u->name, u->uid, u->home, s->path, sizeof(s->path),
			       &s->in_home, err, err_size) != 0) {
		s->path[0] = '\0';
		return -1;
	}
	/* a name or home too long to keep is expanded again next time */
	if (snprintf(s->user, sizeof(s->user), "%s", u->name) >= (int)sizeof(s->user) ||
	    snprintf(s->home, sizeof(s->home), "%s", home) >= (int)sizeof(s->home))
		s->user[0] = '\0';
	s->uid = u->uid;
	return 0;
}

/* In the home, act as the user, so root never follows the user's links
 * or looks where the user could not. */
static int
enter(const struct file_session *s, struct fs_identity *fsid, const struct store_user *u)
{
	fsid->switched = 0;
	return s->in_home ? secure_fsid_enter(fsid, u->uid, u->gid) : 0;
}

static void
leave(struct fs_identity *fsid)
{
	int saved = errno;

	secure_fsid_leave(fsid);
	errno = saved;
}

static enum store_status
file_exists(struct store_session *base, const struct store_user *u, char *err, size_t err_size)
{
	struct file_session *s = (struct file_session *)base;
	struct fs_identity fsid;
	struct statx sx;
	enum store_status st = STORE_ERROR;

	if (expand(s, u, err, err_size) != 0)
		return STORE_ERROR;
	if (enter(s, &fsid, u) != 0) {
		snprintf(err, err_size, "cannot take the file-system identity of %s", u->name);
		return STORE_ERROR;
	}
	/* statx for the type alone: not the times (see store_file.c) */
	if (statx(AT_FDCWD, s->path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) == 0)
		st = STORE_OK;
	else if (errno == ENOENT)
		st = STORE_NOT_FOUND;
	else
		snprintf(err, err_size, "cannot look at %s: %s", s->path, strerror(errno));
	leave(&fsid);
	return st;
}

static enum store_status
file_open(struct store_session *base, const struct store_user *u, struct totp_store **out,
	  char *err, size_t err_size)
{
	struct file_session *s = (struct file_session *)base;

	*out = NULL;
	if (expand(s, u, err, err_size) != 0)
		return STORE_ERROR;
	return store_file_open(s->path, u, s->in_home, s->cfg->lock_timeout, out, err, err_size);
}

static enum store_status
file_create(struct store_session *base, const struct store_user *u,
	    const struct totp_record *rec, int replace, char *err, size_t err_size)
{
	struct file_session *s = (struct file_session *)base;
	struct fs_identity fsid;
	int ret;

	if (expand(s, u, err, err_size) != 0)
		return STORE_ERROR;
	if (enter(s, &fsid, u) != 0) {
		snprintf(err, err_size, "cannot take the file-system identity of %s", u->name);
		return STORE_ERROR;
	}
	/* outside the home the record is root's alone (pam_totp(5)) */
	ret = store_file_create(s->path, rec, s->in_home ? u->uid : 0, s->in_home ? u->gid : 0,
				replace, err, err_size);
	leave(&fsid);
	return ret == 0 ? STORE_OK : STORE_ERROR;
}

static int
why(struct store_create_why *w, enum store_create_reason reason, int err_no)
{
	w->reason = reason;
	w->err_no = err_no;
	return reason == STORE_CREATE_ONLY_ROOT ? STORE_CREATE_NOT_ROOT : -1;
}

/* The administrator's store (outside the home): root's alone. At a login
 * it must exist; for a tool it is made, root's and 0700, when missing
 * (its parent must exist: only the store itself is made). */
static int
check_root_dir(struct store_create_why *w, unsigned flags)
{
	struct stat st;

	if (!(flags & STORE_CREATE_AT_LOGIN)) {
		if (geteuid() != 0)
			return why(w, STORE_CREATE_ONLY_ROOT, 0);
		if (lstat(w->dir, &st) != 0 && errno == ENOENT &&
		    mkdir(w->dir, S_IRWXU) != 0 && errno != EEXIST) {
			if (errno != ENOENT)
				return why(w, STORE_CREATE_CANNOT_MAKE, errno);
			*strrchr(w->dir, '/') = '\0';
			if (w->dir[0] == '\0')
				snprintf(w->dir, sizeof(w->dir), "/");
			return why(w, STORE_CREATE_NO_PARENT, ENOENT);
		}
	}
	if (lstat(w->dir, &st) != 0)
		return why(w, STORE_CREATE_CANNOT_LOOK, errno);
	/* whoever may write the directory may replace the records in it */
	if (!store_file_root_dir_safe(&st))
		return why(w, STORE_CREATE_UNSAFE, 0);
	return 0;
}

/* The record's directory in the home, looked at with the user's identity:
 * root's or the user's, and others must not swap the record for their
 * own (a sticky directory, like /tmp, only lets them remove their own). */
static int
check_home_dir(struct store_create_why *w, const struct store_user *u)
{
	struct stat st;

	if (stat(w->dir, &st) != 0)
		return why(w, errno == ENOENT ? STORE_CREATE_MISSING : STORE_CREATE_CANNOT_LOOK,
			   errno);
	if (!S_ISDIR(st.st_mode))
		return why(w, STORE_CREATE_NOT_DIR, 0);
	if (st.st_uid != 0 && st.st_uid != u->uid)
		return why(w, STORE_CREATE_FOREIGN, 0);
	if ((st.st_mode & S_IWOTH) != 0 && (st.st_mode & S_ISVTX) == 0)
		return why(w, STORE_CREATE_ANYONE, 0);
	return 0;
}

/* The one check of the record's directory, before any secret is made or
 * shown: a store found unusable after the QR code would leave a dead
 * entry in the phone's app. */
static int
file_can_create(struct store_session *base, const struct store_user *u, unsigned flags,
		struct store_create_why *w)
{
	struct file_session *s = (struct file_session *)base;
	struct fs_identity fsid;
	char *slash;
	int ret;

	memset(w, 0, sizeof(*w));
	if (expand(s, u, w->err, sizeof(w->err)) != 0)
		return why(w, STORE_CREATE_BAD_PATH, 0);
	/* enrolment at login: the user must never read the secret */
	w->in_home = s->in_home;
	if ((flags & STORE_CREATE_AT_LOGIN) && s->in_home)
		return why(w, STORE_CREATE_IN_HOME, 0);
	snprintf(w->dir, sizeof(w->dir), "%s", s->path);
	slash = strrchr(w->dir, '/');
	if (slash == NULL)
		return why(w, STORE_CREATE_NOT_ABSOLUTE, 0);
	slash[slash == w->dir ? 1 : 0] = '\0';
	if (!s->in_home)
		ret = check_root_dir(w, flags);
	else if (enter(s, &fsid, u) != 0)
		return why(w, STORE_CREATE_NO_IDENTITY, errno);
	else
		ret = check_home_dir(w, u);
	/* with the identity that will write the record (AT_EACCESS: the
	 * file-system one, not the real one) */
	if (ret == 0 && !(flags & STORE_CREATE_AT_LOGIN) &&
	    faccessat(AT_FDCWD, w->dir, W_OK | X_OK, AT_EACCESS) != 0)
		ret = why(w, STORE_CREATE_NOT_WRITABLE, errno);
	if (s->in_home)
		leave(&fsid);
	return ret;
}

static int
file_where(struct store_session *base, const struct store_user *u, int style, char *out,
	   size_t size, char *err, size_t err_size)
{
	struct file_session *s = (struct file_session *)base;

	if (expand(s, u, err, err_size) != 0) {
		snprintf(out, size, "?");
		return -1;
	}
	snprintf(out, size, style == STORE_WHERE_LOG ? "record %s" : "%s", s->path);
	return s->in_home;
}

static enum store_status
file_users(struct store_session *base, char ***names, size_t *n, char *err, size_t err_size)
{
	(void)base;
	(void)err;
	(void)err_size;
	*names = NULL;
	*n = 0;
	return STORE_OK;
}

static void
file_disconnect(struct store_session *base)
{
	(void)base;
}

static void
file_free(struct store_session *base)
{
	free(base);
}

static const struct store_session_ops file_session_ops = {
	file_exists, file_open, file_create, file_can_create, file_where, file_users,
	file_disconnect, file_free
};

int
store_file_session_new(const struct totp_config *cfg, struct store_session **out, char *err,
		       size_t err_size)
{
	struct file_session *s = store_session_alloc(sizeof(*s), &file_session_ops, out, err,
						     err_size);

	if (s == NULL)
		return -1;
	s->cfg = cfg;
	return 0;
}
