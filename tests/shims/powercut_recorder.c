/* The power-cut explorer's recorder (tests/powercut.sh): an LD_PRELOAD
 * library that writes down, one line each, the file-system calls a real
 * program makes in one directory, with the bytes it writes, so that
 * tests/shims/powercut_states.c can rebuild every state a power cut could leave.
 * Never installed.
 *
 * Environment (nothing is recorded unless both are set):
 *   POWERCUT_DIR    the directory watched (absolute, no trailing slash):
 *                   calls on it and on the names directly in it
 *   POWERCUT_TRACE  the trace file, appended to (O_APPEND, one write per
 *                   line, so the test's own lines interleave whole)
 *   POWERCUT_DROP   a deliberately broken variant: "fsync" or "fdatasync"
 *                   leaves every such call on a regular file out of the
 *                   trace (the call itself still runs), as if the code had
 *                   no sync there; the explorer must then find a violation
 *   POWERCUT_KILL_AFTER  "rename": the process ends with _exit(137) right
 *                   after its first rename in the directory, as kill -9
 *                   there would end it (the kernel closes its descriptors
 *                   and drops its locks)
 *   POWERCUT_NO_MARK  1: a broken variant of the code itself, fchmod
 *                   leaves out S_ISVTX (lib/store_file.c's mark of a name
 *                   not yet durable), so a login after a rewrite killed
 *                   before its directory sync no longer syncs it
 *
 * Lines (files are named by inode number, names by their last component):
 *   create INO NAME UID GID MODE  a new file got NAME (O_CREAT, mkostemp)
 *   open INO NAME              an existing file opened
 *   diropen                    the directory itself opened
 *   write INO OFFSET LEN HEX   LEN bytes written at OFFSET (write, pwrite)
 *   fsync INO | fdatasync INO  a regular file synced
 *   dirsync                    the directory synced (fsync or fdatasync)
 *   chmod INO MODE | chown INO UID GID
 *   rename FROM TO | link FROM TO | unlink NAME | mkdir NAME
 *   close INO
 *   killed                     the process ended (POWERCUT_KILL_AFTER)
 *   unsupported WHAT           a call the explorer cannot model (a
 *                              truncation, an append, a name outside the
 *                              directory): the explorer refuses the trace
 *
 * Wrapped: open open64 openat openat64 mkostemp mkostemp64 write pwrite
 * pwrite64 fsync fdatasync fchmod fchown rename renameat link unlink
 * unlinkat mkdir ftruncate close. glibc's mkostemp opens its file without
 * going through open's PLT entry, so it is wrapped itself. */
#undef _FORTIFY_SOURCE
#define _GNU_SOURCE 1

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include "preload_next.h"

#define MAX_FDS 1024
enum { NONE, FILE_FD, DIR_FD };

static struct {
	int ready, trace;
	const char *dir, *drop;
	size_t dir_len;
} cfg = { 0, -1, NULL, NULL, 0 };
static struct {
	int kind;
	unsigned long long ino;
} fds[MAX_FDS];
static __thread int busy;

/* 1 when recording is on and this call is not the recorder's own */
static int
enter(void)
{
	if (busy)
		return 0;
	if (!cfg.ready) {
		const char *trace = getenv("POWERCUT_TRACE");

		cfg.dir = getenv("POWERCUT_DIR");
		cfg.drop = getenv("POWERCUT_DROP");
		if (cfg.dir != NULL && *cfg.dir == '/' && trace != NULL && *trace != '\0') {
			cfg.dir_len = strlen(cfg.dir);
			cfg.trace = (int)syscall(SYS_openat, AT_FDCWD, trace,
						 O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		}
		cfg.ready = 1;
	}
	if (cfg.trace < 0)
		return 0;
	busy = 1;
	return 1;
}

static void
leave(void)
{
	busy = 0;
}

/* one line, written whole */
static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
emit(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)syscall(SYS_write, cfg.trace, line, (size_t)n);
}

/* The name of path inside the watched directory: 1 and *name for a
 * direct child, 2 for the directory itself, 0 for anything else. A
 * relative path is taken from dirfd (or the working directory). */
static int
in_dir(int dirfd, const char *path, const char **name, char buf[PATH_MAX])
{
	const char *slash;

	if (path[0] != '/') {
		char base[PATH_MAX], link[64];
		ssize_t n;

		if (dirfd == AT_FDCWD) {
			if (getcwd(base, sizeof(base)) == NULL)
				return 0;
		} else {
			snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
			n = readlink(link, base, sizeof(base) - 1);
			if (n <= 0)
				return 0;
			base[n] = '\0';
		}
		if (snprintf(buf, PATH_MAX, "%s/%s", base, path) >= PATH_MAX)
			return 0;
		path = buf;
	}
	if (strncmp(path, cfg.dir, cfg.dir_len) != 0)
		return 0;
	if (path[cfg.dir_len] == '\0')
		return 2;
	if (path[cfg.dir_len] != '/')
		return 0;
	*name = path + cfg.dir_len + 1;
	slash = strchr(*name, '/');
	return slash == NULL && **name != '\0' ? 1 : 0;
}

/* what fd is to the recorder; a descriptor closed behind its back (by
 * libc itself) and reused for another file is forgotten here */
static int
tracked(int fd)
{
	struct stat st;

	if (fd < 0 || fd >= MAX_FDS || fds[fd].kind == NONE)
		return NONE;
	if (fstat(fd, &st) != 0 || (unsigned long long)st.st_ino != fds[fd].ino) {
		fds[fd].kind = NONE;
		return NONE;
	}
	return fds[fd].kind;
}

/* a descriptor just opened on a watched path; existed: before the call */
static void
note_open(int fd, int where, const char *name, int existed)
{
	struct stat st;

	if (fd < 0 || fd >= MAX_FDS || fstat(fd, &st) != 0)
		return;
	fds[fd].ino = (unsigned long long)st.st_ino;
	if (where == 2 || S_ISDIR(st.st_mode)) {
		fds[fd].kind = DIR_FD;
		if (where == 2)
			emit("diropen");
		else
			emit("unsupported open of a subdirectory %s", name);
		return;
	}
	fds[fd].kind = FILE_FD;
	if (existed)
		emit("open %llu %s", fds[fd].ino, name);
	else
		emit("create %llu %s %u %u %o", fds[fd].ino, name, (unsigned)st.st_uid,
		     (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
}

static int
exists(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
do_openat(int (*real)(int, const char *, int, ...), int dirfd, const char *path, int flags,
	  mode_t mode)
{
	const char *name = NULL;
	char buf[PATH_MAX];
	int where, existed = 1, fd, saved;

	if (!enter())
		return real(dirfd, path, flags, mode);
	where = in_dir(dirfd, path, &name, buf);
	if (where != 0 && (flags & O_CREAT) != 0)
		existed = exists(dirfd, path);
	fd = real(dirfd, path, flags, mode);
	saved = errno;
	if (fd >= 0 && fd < MAX_FDS)
		fds[fd].kind = NONE;
	if (fd >= 0 && where != 0) {
		note_open(fd, where, name, existed);
		if ((flags & O_APPEND) != 0)
			emit("unsupported O_APPEND on %s", name);
		if ((flags & O_TRUNC) != 0 && existed)
			emit("unsupported O_TRUNC on %s", name);
	}
	leave();
	errno = saved;
	return fd;
}

static mode_t
open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

/* open, open64, openat and openat64 all go to libc's openat (open(path)
 * is openat(AT_FDCWD, path); off_t is 64 bits on every target this runs
 * on) */
#define WRAP_OPEN(name, params, dirfd) \
	int name params \
	{ \
		static __typeof__(openat) *real; \
		va_list ap; \
		mode_t mode; \
		if (real == NULL) \
			real = (__typeof__(openat) *)preload_next("openat"); \
		va_start(ap, flags); \
		mode = open_mode(flags, ap); \
		va_end(ap); \
		return do_openat(real, dirfd, path, flags, mode); \
	}
WRAP_OPEN(open, (const char *path, int flags, ...), AT_FDCWD)
WRAP_OPEN(open64, (const char *path, int flags, ...), AT_FDCWD)
WRAP_OPEN(openat, (int dirfd, const char *path, int flags, ...), dirfd)
WRAP_OPEN(openat64, (int dirfd, const char *path, int flags, ...), dirfd)

/* WRAP(type, name, params, args, before, note): the wrapper of a call:
 * while recording, BEFORE runs first, then the real call; NOTE runs when
 * it succeeded (ret >= 0); errno is the call's */
#define WRAP(type, name, params, args, before, note) \
	type name params \
	{ \
		type ret; \
		int saved; \
		REAL(name); \
		if (!enter()) \
			return real args; \
		before; \
		ret = real args; \
		saved = errno; \
		if (ret >= 0) { \
			note; \
		} \
		leave(); \
		errno = saved; \
		return ret; \
	}

/* a new temporary file; its name says where */
static void
note_mkostemp(int fd, const char *template)
{
	const char *name = NULL;
	char buf[PATH_MAX];
	int where = in_dir(AT_FDCWD, template, &name, buf);

	if (fd < MAX_FDS)
		fds[fd].kind = NONE;
	if (where != 0)
		note_open(fd, where, name, 0);
}
WRAP(int, mkostemp, (char *template, int flags), (template, flags), ,
     note_mkostemp(ret, template))
WRAP(int, mkostemp64, (char *template, int flags), (template, flags), ,
     note_mkostemp(ret, template))

/* the bytes written, as hex, after the real call succeeded */
static void
note_write(int fd, const void *data, ssize_t n, long long off)
{
	static const char hex[] = "0123456789abcdef";
	char *line;
	const unsigned char *p = data;
	size_t len;
	int head;

	if (n <= 0 || tracked(fd) != FILE_FD)
		return;
	len = 64 + 2 * (size_t)n;
	line = malloc(len);
	if (line == NULL) {
		emit("unsupported write of %lld bytes: out of memory", (long long)n);
		return;
	}
	head = snprintf(line, len, "write %llu %lld %lld ", fds[fd].ino, off, (long long)n);
	for (ssize_t i = 0; i < n; i++) {
		line[head + 2 * i] = hex[p[i] >> 4];
		line[head + 2 * i + 1] = hex[p[i] & 15];
	}
	line[head + 2 * n] = '\n';
	(void)syscall(SYS_write, cfg.trace, line, (size_t)head + 2 * (size_t)n + 1);
	free(line);
}

WRAP(ssize_t, pwrite, (int fd, const void *buf, size_t len, off_t off), (fd, buf, len, off), ,
     note_write(fd, buf, ret, (long long)off))
WRAP(ssize_t, pwrite64, (int fd, const void *buf, size_t len, off64_t off), (fd, buf, len, off), ,
     note_write(fd, buf, ret, (long long)off))
/* write: at the descriptor's offset before the call */
WRAP(ssize_t, write, (int fd, const void *buf, size_t len), (fd, buf, len),
     off_t off = tracked(fd) == FILE_FD ? lseek(fd, 0, SEEK_CUR) : -1,
     note_write(fd, buf, ret, (long long)off))

/* a sync: of the directory, or of a file (unless POWERCUT_DROP names it) */
static void
note_sync(const char *what, int fd)
{
	if (tracked(fd) == DIR_FD)
		emit("dirsync");
	else if (tracked(fd) == FILE_FD && (cfg.drop == NULL || strcmp(cfg.drop, what) != 0))
		emit("%s %llu", what, fds[fd].ino);
}
WRAP(int, fsync, (int fd), (fd), , note_sync("fsync", fd))
WRAP(int, fdatasync, (int fd), (fd), , note_sync("fdatasync", fd))

/* POWERCUT_NO_MARK: the mode without S_ISVTX, for a file being recorded */
static mode_t
marked(int fd, mode_t mode)
{
	if (tracked(fd) == FILE_FD && getenv("POWERCUT_NO_MARK") != NULL)
		mode &= ~(mode_t)S_ISVTX;
	return mode;
}
WRAP(int, fchmod, (int fd, mode_t mode), (fd, mode), mode = marked(fd, mode),
     if (tracked(fd) == FILE_FD) emit("chmod %llu %o", fds[fd].ino, (unsigned)(mode & 07777)))
WRAP(int, fchown, (int fd, uid_t uid, gid_t gid), (fd, uid, gid), ,
     if (tracked(fd) == FILE_FD) emit("chown %llu %u %u", fds[fd].ino, (unsigned)uid, (unsigned)gid))
WRAP(int, ftruncate, (int fd, off_t len), (fd, len), ,
     if (tracked(fd) == FILE_FD) emit("unsupported ftruncate of %llu", fds[fd].ino))

int
close(int fd)
{
	REAL(close);

	if (enter()) {
		if (tracked(fd) == FILE_FD)
			emit("close %llu", fds[fd].ino);
		if (tracked(fd) != NONE)
			fds[fd].kind = NONE;
		leave();
	}
	return real(fd);
}

/* POWERCUT_KILL_AFTER: end here, as kill -9 would */
static void
killed_after(const char *call)
{
	const char *when = getenv("POWERCUT_KILL_AFTER");

	if (when != NULL && strcmp(when, call) == 0) {
		emit("killed");
		_exit(137);
	}
}

/* a call on two names: both in the directory, or neither; 1 when
 * recorded */
static int
note_names(const char *op, int from_dirfd, const char *from, int to_dirfd, const char *to)
{
	const char *a = NULL, *b = NULL;
	char abuf[PATH_MAX], bbuf[PATH_MAX];
	int wa = in_dir(from_dirfd, from, &a, abuf), wb = in_dir(to_dirfd, to, &b, bbuf);

	if (wa == 1 && wb == 1) {
		emit("%s %s %s", op, a, b);
		return 1;
	}
	if (wa != 0 || wb != 0)
		emit("unsupported %s %s %s", op, from, to);
	return 0;
}

WRAP(int, renameat, (int fromfd, const char *from, int tofd, const char *to),
     (fromfd, from, tofd, to), ,
     if (note_names("rename", fromfd, from, tofd, to)) killed_after("rename"))
WRAP(int, rename, (const char *from, const char *to), (from, to), ,
     if (note_names("rename", AT_FDCWD, from, AT_FDCWD, to)) killed_after("rename"))
WRAP(int, link, (const char *from, const char *to), (from, to), ,
     (void)note_names("link", AT_FDCWD, from, AT_FDCWD, to))

static void
note_name(const char *op, int dirfd, const char *path)
{
	const char *name = NULL;
	char buf[PATH_MAX];
	int where = in_dir(dirfd, path, &name, buf);

	if (where == 1)
		emit("%s %s", op, name);
	else if (where == 2)
		emit("unsupported %s of the directory itself", op);
}

WRAP(int, unlinkat, (int dirfd, const char *path, int flags), (dirfd, path, flags), ,
     note_name((flags & AT_REMOVEDIR) != 0 ? "unsupported rmdir" : "unlink", dirfd, path))
WRAP(int, unlink, (const char *path), (path), , note_name("unlink", AT_FDCWD, path))
WRAP(int, mkdir, (const char *path, mode_t mode), (path, mode), , note_name("mkdir", AT_FDCWD, path))
