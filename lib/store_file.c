/* The file store: one record per user, locked with flock, state slots
 * updated in place, the whole record replaced by temp file + rename. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lock_wait.h"
#include "secure.h"
#include "store.h"
#include "text.h"

struct file_store {
	struct totp_store base;     /* first: the interface */
	int fd;
	char path[PATH_MAX];
	struct stat st;             /* of the locked, checked record */
	struct fs_identity fsid;
	uid_t uid;
	int in_home;
	int read_ok;
	unsigned lock_timeout;      /* seconds, to take the lock back (file_write_state) */
	/* the record exactly as read, so a failed update can put back what
	 * it may already have changed (wiped at close) */
	char *raw;
	size_t raw_len;
};

/* The contract: a regular file, one link, owned by the user in the home
 * and by root everywhere else, no group or other permission bits, not too
 * big. Outside the home the user must not own the record: whoever owns it
 * can read the secret and reset the failure count and the lock-out. */
static int
check_safe(const struct stat *st, const struct file_store *s, const char **why)
{
	if (!S_ISREG(st->st_mode))
		*why = "is not a regular file";
	else if (s->in_home && st->st_uid != s->uid)
		*why = "has the wrong owner (in the home it must be the user's)";
	else if (!s->in_home && st->st_uid != 0)
		*why = "has the wrong owner (outside the home it must be root's)";
	else if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0)
		*why = "is accessible by group or others (mode must be 0600 or 0400)";
	else if (st->st_nlink != 1)
		*why = "has more than one hard link";
	else if (st->st_size > RECORD_MAX_BYTES)
		*why = "is larger than 64 KiB";
	else
		return 0;
	return -1;
}

/* stat without the times. stat and fstat ask for them, and on file
 * systems with multigrain timestamps (ext4, xfs, btrfs, tmpfs since Linux
 * 6.13) a file whose times were asked for gets a fine-grained time on its
 * next write, so logins in the same clock tick each dirty the inode and
 * fdatasync writes it too: one more synchronous write per login. Only the
 * fields check_safe and the same-file check use are filled in. */
static int
stat_no_times(int dirfd, const char *path, int flags, struct stat *st)
{
	struct statx sx;

	if (statx(dirfd, path, flags | AT_STATX_SYNC_AS_STAT,
		  STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID |
		  STATX_INO | STATX_SIZE, &sx) != 0)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_mode = sx.stx_mode;
	st->st_nlink = sx.stx_nlink;
	st->st_uid = sx.stx_uid;
	st->st_gid = sx.stx_gid;
	st->st_ino = sx.stx_ino;
	st->st_size = (off_t)sx.stx_size;
	st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	/* configure's AC_SYS_LARGEFILE makes ino_t and off_t 64 bits wide;
	 * should they be narrower, a truncated inode number could pass the
	 * same-file check and a truncated size the size limit: fail as
	 * stat(2) does then */
	if ((uint64_t)st->st_ino != sx.stx_ino || st->st_size < 0 ||
	    (uint64_t)st->st_size != sx.stx_size) {
		errno = EOVERFLOW;
		return -1;
	}
	return 0;
}

static int dir_of(const char *path, char dir[PATH_MAX]);
static enum store_status file_read(struct totp_store *, struct totp_record *, char *, size_t);
static enum store_status file_write_state(struct totp_store *, const struct totp_record *,
					  const struct totp_state *, char *, size_t);
static enum store_status file_rewrite(struct totp_store *, const struct totp_record *,
				      char *, size_t);
static void file_close(struct totp_store *);
static enum store_status file_remove(struct totp_store *, char *, size_t);
static enum store_status file_mark_removed(struct totp_store *, int64_t, const char *, char *,
					   size_t);

static const struct store_ops file_ops = {
	"file", file_read, file_write_state, file_rewrite, file_close, file_remove,
	file_mark_removed
};

/* Unlock before close: the lock is dropped now even where another
 * descriptor still shares the open file (a fork of the caller's). */
static void
unlock_close(int fd)
{
	(void)flock(fd, LOCK_UN);
	close(fd);
}

/* A rewrite renames its new file over the record, then fsyncs the
 * directory, and only then unlocks it. If the rewriter is killed in
 * between, a login can take the new file while its name is still only
 * in memory: state it syncs there (an accepted code, a failure) would
 * vanish in a power cut that brings back the old name. write_temp marks
 * every new file with S_ISVTX until its name is durable; a login that
 * finds the mark syncs the directory before it reads, and clears the
 * mark. (Found by the model, tests/record_protocol.pml.) */
static int
sync_uncommitted_name(struct file_store *s)
{
	char dir[PATH_MAX], *slash;
	int dfd, ret, err;

	if ((s->st.st_mode & S_ISVTX) == 0)
		return 0;
	snprintf(dir, sizeof(dir), "%s", s->path);
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		errno = EINVAL;
		return -1;
	}
	slash[slash == dir ? 1 : 0] = '\0';
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -1;
	ret = fsync(dfd);
	err = errno; /* the caller reports fsync's error, not close's */
	close(dfd);
	if (ret == 0)
		(void)fchmod(s->fd, s->st.st_mode & 0777);
	errno = err;
	return ret;
}

/* Outside the home, whoever may write the record's directory may replace
 * the record: it must be root's and only root's to write, as totp-enroll
 * and enrolment at login require of it (store_file_root_dir_safe). */
static int
root_dir_of_safe(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;

	return dir_of(path, dir) == 0 && lstat(dir, &st) == 0 && store_file_root_dir_safe(&st);
}

enum store_status
store_file_open(const char *path, const struct store_user *user, int in_home,
		unsigned lock_timeout, struct totp_store **out, char *err, size_t err_size)
{
	struct file_store *s;
	enum store_status ret = STORE_ERROR;
	const char *why = NULL;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		text_error_errno(err, err_size, "out of memory for %s", path);
		return STORE_ERROR;
	}
	s->base.ops = &file_ops;
	s->fd = -1;
	s->uid = user->uid;
	s->in_home = in_home;
	s->lock_timeout = lock_timeout;
	if (snprintf(s->path, sizeof(s->path), "%s", path) >= (int)sizeof(s->path)) {
		errno = ENAMETOOLONG;
		text_error_errno(err, err_size, "cannot use %s", path);
		goto fail;
	}
	/* In the home, act as the user so root never follows the user's links
	 * or opens what the user could not. */
	if (in_home && secure_fsid_enter(&s->fsid, user->uid, user->gid) != 0) {
		text_error_errno(err, err_size, "cannot take the user's file-system identity for %s",
				 path);
		goto fail;
	}
	/* The path may be replaced by a rename between open and lock: retry. */
	for (int attempt = 0; attempt < 10; attempt++) {
		struct stat now;

		errno = 0;
		/* O_NONBLOCK: opening a FIFO must not hang the login */
		s->fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (s->fd < 0) {
			if (errno == ENOENT) {
				ret = STORE_NOT_FOUND;
				text_error_errno(err, err_size, "no record at %s", path);
			} else if (errno == ELOOP) {
				text_error_errno(err, err_size, "refusing a symbolic link at %s", path);
			} else {
				text_error_errno(err, err_size, "cannot open %s", path);
			}
			goto fail;
		}
		if (stat_no_times(s->fd, "", AT_EMPTY_PATH, &s->st) != 0) {
			text_error_errno(err, err_size, "cannot stat %s", path);
			goto fail;
		}
		if (s->st.st_nlink == 0) {
			/* renamed over (a recovery code used, a rewrite) between
			 * open and fstat: the file we hold is gone, look again
			 * rather than call it unsafe */
			close(s->fd);
			s->fd = -1;
			continue;
		}
		if (check_safe(&s->st, s, &why) != 0) {
			errno = 0;
			text_error_errno(err, err_size, "%s %s", why, path);
			if (err != NULL) {
				char tmp[512];

				snprintf(tmp, sizeof(tmp), "record %s %s", path, why);
				snprintf(err, err_size, "%s", tmp);
			}
			goto fail;
		}
		if (!in_home && !root_dir_of_safe(path)) {
			errno = 0;
			snprintf(err, err_size, "record %s: its directory may be written by others "
				 "than root, who could replace it (chown root; chmod go-w)", path);
			goto fail;
		}
		if (lock_wait(s->fd, lock_timeout * 1000UL) != 0) {
			text_error_errno(err, err_size, "cannot lock %s", path);
			goto fail;
		}
		if (stat_no_times(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, &now) == 0 &&
		    now.st_ino == s->st.st_ino &&
		    now.st_dev == s->st.st_dev) {
			if (sync_uncommitted_name(s) != 0) {
				text_error_errno(err, err_size, "cannot sync the directory of %s", path);
				goto fail;
			}
			*out = &s->base;
			return STORE_OK;
		}
		unlock_close(s->fd); /* replaced while we waited: look again */
		s->fd = -1;
	}
	errno = EAGAIN;
	text_error_errno(err, err_size, "record keeps being replaced: %s", path);
fail:
	file_close(&s->base);
	return ret;
}

static enum store_status
file_read(struct totp_store *base, struct totp_record *rec, char *err, size_t err_size)
{
	struct file_store *s = (struct file_store *)base;
	char *buf;
	size_t len = 0, cap;
	ssize_t n;
	enum store_status ret = STORE_ERROR;
	char perr[256] = "";
	int rc;

	/* A buffer the size the record had when checked, plus one byte to see
	 * the end (a 64 KiB malloc on every login made glibc consolidate its
	 * free lists). Writers hold the lock or rename a new file in, so a
	 * record that grew since has been written by someone else: refused. */
	cap = (size_t)s->st.st_size + 1;
	buf = malloc(cap);
	if (buf == NULL) {
		text_error_errno(err, err_size, "out of memory reading %s", s->path);
		return STORE_ERROR;
	}
	while (len < cap) {
		n = pread(s->fd, buf + len, cap - len, (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			text_error_errno(err, err_size, "cannot read %s", s->path);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == cap) {
		errno = 0;
		text_error_errno(err, err_size,
				 "record grew while it was read (written without the lock): %s",
				 s->path);
		goto out;
	}
	rc = record_parse(buf, len, rec, perr, sizeof(perr));
	if (rc == RECORD_REMOVED) {
		/* nothing to write back to: read_ok stays 0 */
		if (err != NULL)
			snprintf(err, err_size, "record %s: %s", s->path, perr);
		ret = STORE_REMOVED;
		goto out;
	}
	if (rc != 0 && rc != RECORD_PENDING) {
		if (err != NULL)
			snprintf(err, err_size, "record %s is malformed: %s", s->path, perr);
		goto out;
	}
	if (rc == RECORD_PENDING && err != NULL)
		snprintf(err, err_size, "record %s: %s", s->path, perr);
	s->read_ok = 1;
	ret = rc == RECORD_PENDING ? STORE_PENDING : STORE_OK;
	if (s->raw != NULL) {
		secure_wipe(s->raw, s->raw_len);
		free(s->raw);
	}
	s->raw = buf;
	s->raw_len = len;
	buf = NULL;
out:
	/* only the bytes read can hold the secret */
	if (buf != NULL) {
		secure_wipe(buf, len);
		free(buf);
	}
	return ret;
}

/* pwrite all of buf at off, retrying on EINTR and short writes. */
static int
pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Does the record still hold, byte for byte, what this login read with
 * its new slot (line at off) written in? Then no other login has written
 * since. */
static int
still_as_written(const struct file_store *s, const char *line, off_t off)
{
	char *now;
	int same = 0;

	if (s->raw == NULL || s->raw_len < (size_t)off + RECORD_SLOT_LEN)
		return 0;
	now = malloc(s->raw_len + 1);
	if (now == NULL)
		return 0;
	if (pread(s->fd, now, s->raw_len + 1, 0) == (ssize_t)s->raw_len)
		same = memcmp(now, s->raw, (size_t)off) == 0 &&
		       memcmp(now + off, line, RECORD_SLOT_LEN) == 0 &&
		       memcmp(now + off + RECORD_SLOT_LEN, s->raw + off + RECORD_SLOT_LEN,
			      s->raw_len - (size_t)off - RECORD_SLOT_LEN) == 0;
	secure_wipe(now, s->raw_len + 1);
	free(now);
	return same;
}

static enum store_status
file_write_state(struct totp_store *base, const struct totp_record *rec,
		 const struct totp_state *next, char *err, size_t err_size)
{
	struct file_store *s = (struct file_store *)base;
	char line[RECORD_SLOT_LEN + 1];
	struct totp_state st = *next;
	int slot = record_next_slot(rec);
	off_t off = RECORD_SLOT_OFFSET(slot);

	if (!s->read_ok) {
		errno = EINVAL;
		text_error_errno(err, err_size, "state written before reading %s", s->path);
		return STORE_ERROR;
	}
	st.seq = rec->state.seq + 1;
	if (record_format_slot(&st, slot, line) != 0) {
		errno = EINVAL;
		text_error_errno(err, err_size, "cannot format state for %s", s->path);
		return STORE_ERROR;
	}
	/* Only the older slot is touched: a torn write spoils that slot alone
	 * and the reader falls back to the other. No new blocks are needed,
	 * so this works on a full disk. */
	if (pwrite_all(s->fd, line, RECORD_SLOT_LEN, off) != 0) {
		text_error_errno(err, err_size, "cannot write state to %s", s->path);
		goto restore;
	}
	/* The lock goes before the sync: the state is in the page cache, where
	 * the next login reads it, so a burst of logins does not queue behind
	 * this one's disk write. Success is still reported only once the sync
	 * is done; a later login's sync writes this slot too, and its state
	 * only moves on from this one (tests/record_protocol.pml). */
	(void)flock(s->fd, LOCK_UN);
	if (fdatasync(s->fd) != 0) {
		text_error_errno(err, err_size, "cannot sync state of %s", s->path);
		/* denied, so put the old slot back, but only while nobody has
		 * built on the new one: under the lock again, if the record still
		 * reads exactly as this login left it */
		if (lock_wait(s->fd, s->lock_timeout * 1000UL) == 0 &&
		    still_as_written(s, line, off))
			goto restore;
		return STORE_ERROR;
	}
	return STORE_OK;
restore:
	/* The login is denied, so the record must read as it did: the new
	 * slot may sit whole or in part in the page cache, where the next
	 * login would take it. Put the old slot bytes back (best effort; if
	 * that fails too, a torn slot fails its checksum and the reader takes
	 * the other, current one). After a crash either slot content may be
	 * on disk: both are valid states, and the new one only ever moves
	 * the last step or the failure count forward. */
	{
		int saved = errno;

		if (s->raw != NULL && s->raw_len >= (size_t)off + RECORD_SLOT_LEN &&
		    pwrite_all(s->fd, s->raw + off, RECORD_SLOT_LEN, off) == 0)
			(void)fdatasync(s->fd);
		errno = saved;
	}
	return STORE_ERROR;
}

/* Create a temporary file beside path (tmp gets its name) holding
 * text, with the given owner and mode, written and fsynced. Returns its
 * open descriptor, or -1 with nothing left behind. */
static int
write_temp(const char *path, char tmp[PATH_MAX], const char *text, size_t len,
	   uid_t uid, gid_t gid, int set_owner, mode_t mode, char *err, size_t err_size)
{
	int fd;

	if (snprintf(tmp, PATH_MAX, "%s.tmp.XXXXXX", path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		text_error_errno(err, err_size, "path too long: %s", path);
		return -1;
	}
	/* mkostemp: O_EXCL and mode 0600 whatever the umask */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		text_error_errno(err, err_size, "cannot create a temporary file beside %s", path);
		return -1;
	}
	if (set_owner && fchown(fd, uid, gid) != 0) {
		text_error_errno(err, err_size, "cannot set the owner of %s", tmp);
		goto fail;
	}
	/* S_ISVTX marks the file as not yet durably named (see
	 * sync_uncommitted_name); replace_file clears it once it is */
	if (fchmod(fd, mode | S_ISVTX) != 0 || pwrite_all(fd, text, len, 0) != 0 ||
	    fsync(fd) != 0) {
		text_error_errno(err, err_size, "cannot write %s", tmp);
		goto fail;
	}
	return fd;
fail:
	{
		int saved = errno;

		close(fd);
		unlink(tmp);
		errno = saved;
	}
	return -1;
}

/* Write rec to a new temporary file beside path and rename it over path
 * (or, without replace, link it there only if nothing exists). old (may
 * be NULL) is the record as it was, put back if the rename happened but
 * cannot be made durable, so a failed rewrite leaves the record reading
 * exactly as before. */
static int
replace_file(const char *path, const struct totp_record *rec, uid_t uid, gid_t gid,
	     int set_owner, int replace, const char *old, size_t old_len, mode_t old_mode,
	     char *err, size_t err_size)
{
	char tmp[PATH_MAX], dir[PATH_MAX], *text = NULL;
	size_t len = 0;
	int fd = -1, dfd = -1, ret = -1, tmp_exists = 0;

	if (dir_of(path, dir) != 0) {
		text_error_errno(err, err_size, "%s %s",
				 errno == EINVAL ? "not an absolute path:" : "path too long:", path);
		return -1;
	}
	text = malloc(RECORD_MAX_BYTES + 1);
	if (text == NULL) {
		text_error_errno(err, err_size, "out of memory writing %s", path);
		goto out;
	}
	if (record_format(rec, text, RECORD_MAX_BYTES + 1, &len) != 0) {
		errno = EINVAL;
		text_error_errno(err, err_size, "cannot format record for %s", path);
		goto out;
	}
	/* the directory is opened before anything changes, so failing to
	 * open it leaves the record untouched */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		text_error_errno(err, err_size, "cannot open the directory of %s", path);
		goto out;
	}
	fd = write_temp(path, tmp, text, len, uid, gid, set_owner, S_IRUSR | S_IWUSR,
			err, err_size);
	if (fd < 0)
		goto out;
	tmp_exists = 1;
	/* Locked before it takes the record's name: a login that opens the
	 * new record waits until this rewrite is over, so it can neither see
	 * a record that is put back below nor write state that would be lost
	 * with it (it then finds the name replaced and opens it again). */
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		text_error_errno(err, err_size, "cannot lock %s", tmp);
		goto out;
	}
	if (replace) {
		if (rename(tmp, path) != 0) {
			text_error_errno(err, err_size, "cannot rename over %s", path);
			goto out;
		}
	} else {
		/* link fails with EEXIST when a record appeared meanwhile */
		if (link(tmp, path) != 0) {
			text_error_errno(err, err_size, "cannot create %s", path);
			goto out;
		}
		unlink(tmp);
	}
	tmp_exists = 0;
	if (fsync(dfd) != 0) {
		/* The new record is in place but may not survive a power cut,
		 * and the caller denies: put the old one back the same way, so
		 * the record reads as before (after a crash either one may be
		 * found, both whole). If even that copy cannot be synced, the
		 * new record stays: renaming an unsynced file over the record
		 * could lose it in a crash, while the new one only lacks what
		 * this rewrite used up (a denied login keeps failing closed). */
		int saved = errno, back;
		char tmp2[PATH_MAX];

		text_error_errno(err, err_size, "cannot sync the directory of %s", path);
		if (replace && old != NULL) {
			back = write_temp(path, tmp2, old, old_len, uid, gid, set_owner,
					  old_mode & (S_IRUSR | S_IWUSR), NULL, 0);
			if (back >= 0) {
				if (rename(tmp2, path) == 0)
					(void)fsync(dfd);
				else
					unlink(tmp2);
				close(back);
			}
		}
		errno = saved;
		goto out;
	}
	/* named durably: a login no longer needs to sync the directory (if
	 * this mode change is lost in a crash, one login syncs it again) */
	(void)fchmod(fd, S_IRUSR | S_IWUSR);
	ret = 0;
out:
	{
		int saved = errno;

		if (fd >= 0)
			unlock_close(fd);
		if (dfd >= 0)
			close(dfd);
		if (tmp_exists)
			unlink(tmp);
		if (text != NULL) {
			secure_wipe(text, RECORD_MAX_BYTES + 1);
			free(text);
		}
		errno = saved;
	}
	return ret;
}

/* Replace the locked record with rec: its owner kept, and what was read
 * (if anything) put back when the new name cannot be made durable. */
static enum store_status
replace_locked(struct file_store *s, const struct totp_record *rec, char *err, size_t err_size)
{
	int ret = replace_file(s->path, rec, s->st.st_uid, s->st.st_gid,
			       geteuid() == 0 && !s->fsid.switched, 1, s->raw, s->raw_len,
			       s->st.st_mode, err, err_size);

	return ret == 0 ? STORE_OK : STORE_ERROR;
}

static enum store_status
file_rewrite(struct totp_store *base, const struct totp_record *rec, char *err, size_t err_size)
{
	struct file_store *s = (struct file_store *)base;
	struct totp_record next;
	enum store_status ret;

	if (!s->read_ok) {
		errno = EINVAL;
		text_error_errno(err, err_size, "record rewritten before reading %s", s->path);
		return STORE_ERROR;
	}
	/* the new file carries the newest state with a higher sequence number */
	next = *rec;
	next.state.seq = rec->state.seq + 1;
	ret = replace_locked(s, &next, err, err_size);
	record_wipe(&next);
	return ret;
}

static enum store_status
file_mark_removed(struct totp_store *base, int64_t when, const char *by, char *err,
		  size_t err_size)
{
	struct file_store *s = (struct file_store *)base;
	struct totp_record tomb;
	enum store_status ret;

	record_set_removed(&tomb, when, by);
	ret = replace_locked(s, &tomb, err, err_size);
	s->read_ok = 0;  /* the record read is gone */
	record_wipe(&tomb);
	return ret;
}

/* The directory part of path, for opening and syncing it. */
static int
dir_of(const char *path, char dir[PATH_MAX])
{
	char *slash;

	if (snprintf(dir, PATH_MAX, "%s", path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash == NULL) {
		errno = EINVAL;
		return -1;
	}
	slash[slash == dir ? 1 : 0] = '\0';
	return 0;
}

static enum store_status
file_remove(struct totp_store *base, char *err, size_t err_size)
{
	struct file_store *s = (struct file_store *)base;
	char dir[PATH_MAX];
	int dfd;
	enum store_status ret = STORE_ERROR;

	if (dir_of(s->path, dir) != 0) {
		text_error_errno(err, err_size, "cannot use %s", s->path);
		return STORE_ERROR;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		text_error_errno(err, err_size, "cannot open the directory of %s", s->path);
		return STORE_ERROR;
	}
	/* Under the lock: a login waiting for it then finds the name gone
	 * (store_file_open looks again) and no record. */
	if (unlink(s->path) != 0)
		text_error_errno(err, err_size, "cannot remove %s", s->path);
	else if (fsync(dfd) != 0)
		text_error_errno(err, err_size, "cannot sync the directory of %s", s->path);
	else
		ret = STORE_OK;
	close(dfd);
	return ret;
}

static void
file_close(struct totp_store *base)
{
	struct file_store *s = (struct file_store *)base;

	if (s == NULL)
		return;
	if (s->fd >= 0)
		unlock_close(s->fd);
	if (s->raw != NULL) {
		secure_wipe(s->raw, s->raw_len);
		free(s->raw);
	}
	secure_fsid_leave(&s->fsid);
	secure_wipe(s, sizeof(*s));
	free(s);
}

int
store_file_root_dir_safe(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

int
store_file_create(const char *path, const struct totp_record *rec, uid_t uid, gid_t gid,
		  int replace, char *err, size_t err_size)
{
	return replace_file(path, rec, uid, gid, geteuid() == 0, replace, NULL, 0, 0,
			    err, err_size);
}
