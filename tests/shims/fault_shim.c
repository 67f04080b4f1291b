/* Fault injection for tests: an LD_PRELOAD library that makes one chosen
 * file-system call fail, so the store's error paths run for real inside
 * a real login.
 *
 * Environment (nothing is injected unless FAULT_CALL and FAULT_PATH are set):
 *   FAULT_CALL   which call: an exact name (pwrite, openat, mkostemp...),
 *                the name without a trailing 64, or a family: open (open,
 *                open64, openat, openat64), read (read, pread, pread64),
 *                write (write, pwrite, pwrite64)
 *   FAULT_PATH   only calls on a path containing this string count; for
 *                calls on a descriptor the path is read from /proc/self/fd
 *   FAULT_NTH    the first matching call that fails (default 1)
 *   FAULT_COUNT  how many matching calls fail from there on (default 1;
 *                0: every one after it, like a disk that stays full)
 *   FAULT_ERRNO  EIO (default), ENOSPC, EINTR, EDQUOT, EROFS, EACCES,
 *                EPERM, ENOMEM, EAGAIN, EEXIST or a number
 *   FAULT_SHORT  1: the first failing write writes half its bytes and
 *                returns that count instead; the following ones (with
 *                FAULT_COUNT) fail with FAULT_ERRNO
 *   FAULT_EXEC   a shell command run, and waited for, at the first
 *                injected fault, before the call returns: another login
 *                at exactly that point. It runs without the FAULT_*
 *                settings, so the shim does nothing in it.
 * Each injected fault is reported on stderr as one line starting with
 * "fault_shim:", so a test can tell that it fired.
 *
 * Wrapped: open open64 openat openat64 read pread pread64 write pwrite
 * pwrite64 fsync fdatasync rename link flock mkostemp mkostemp64 fchown
 * fchmod, __read_chk __pread_chk __pread64_chk (what gcc calls for read
 * and pread into a buffer of known size under _FORTIFY_SOURCE: they reach
 * the system call without read's PLT entry, so they are wrapped as read
 * and pread themselves), and dlopen (FAULT_PATH matched against the name it is given; a
 * failed dlopen returns NULL, as for a library not installed, and the
 * next dlerror says the shim did it). glibc's mkostemp opens its file
 * without going through open's PLT entry, so it is wrapped itself. Calls made while the shim is busy
 * (its own readlink, the report) go straight to libc. */
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
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "preload_next.h"

static struct {
	int ready;
	const char *call;
	const char *path;
	long nth, count, seen;
	int err, shorten;
	const char *exec;
} cfg;

static __thread int busy;

static int
errno_from_name(const char *s)
{
	static const struct { const char *name; int value; } names[] = {
		{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EINTR", EINTR },
		{ "EDQUOT", EDQUOT }, { "EROFS", EROFS }, { "EACCES", EACCES },
		{ "EPERM", EPERM }, { "ENOMEM", ENOMEM }, { "EAGAIN", EAGAIN },
		{ "EEXIST", EEXIST },
	};

	if (s == NULL || *s == '\0')
		return EIO;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].value;
	return atoi(s) > 0 ? atoi(s) : EIO;
}

static void
load(void)
{
	const char *v;

	if (cfg.ready)
		return;
	cfg.call = getenv("FAULT_CALL");
	cfg.path = getenv("FAULT_PATH");
	if (cfg.call != NULL && *cfg.call == '\0')
		cfg.call = NULL;
	if (cfg.path != NULL && *cfg.path == '\0')
		cfg.path = NULL;
	v = getenv("FAULT_NTH");
	cfg.nth = v != NULL && atol(v) > 0 ? atol(v) : 1;
	v = getenv("FAULT_COUNT");
	cfg.count = v != NULL ? atol(v) : 1;
	cfg.err = errno_from_name(getenv("FAULT_ERRNO"));
	v = getenv("FAULT_SHORT");
	cfg.shorten = v != NULL && strcmp(v, "1") == 0;
	cfg.exec = getenv("FAULT_EXEC");
	cfg.ready = 1;
}

/* Does FAULT_CALL name this call? */
static int
call_matches(const char *name, const char *family)
{
	size_t n = strlen(name);

	if (strcmp(cfg.call, name) == 0 || (family != NULL && strcmp(cfg.call, family) == 0))
		return 1;
	/* pread64 is also "pread" */
	return n > 2 && strcmp(name + n - 2, "64") == 0 &&
	       strlen(cfg.call) == n - 2 && strncmp(cfg.call, name, n - 2) == 0;
}

static int
path_matches(const char *path)
{
	return path != NULL && strstr(path, cfg.path) != NULL;
}

/* The path an open descriptor names, or "" */
static void
fd_path(int fd, char target[PATH_MAX])
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, PATH_MAX - 1);
	target[n > 0 ? n : 0] = '\0';
}

static void
report(const char *name, const char *what, const char *path)
{
	char line[PATH_MAX + 128];
	int n;

	n = snprintf(line, sizeof(line), "fault_shim: %s #%ld on %s: %s\n", name, cfg.seen,
		     path != NULL ? path : "?", what);
	if (n > 0)
		(void)syscall(SYS_write, 2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* FAULT_EXEC, once, without the FAULT_* settings */
static void
run_exec(void)
{
	extern char **environ;
	static int done;
	pid_t pid;
	int status;

	if (cfg.exec == NULL || done)
		return;
	done = 1;
	pid = fork();
	if (pid == 0) {
		/* every FAULT_ variable, whatever settings come to exist;
		 * unsetenv moves the later entries down, so no step on */
		for (char **e = environ; *e != NULL;) {
			char name[64];
			size_t n = strcspn(*e, "=");

			if (strncmp(*e, "FAULT_", 6) != 0 || n >= sizeof(name)) {
				e++;
				continue;
			}
			memcpy(name, *e, n);
			name[n] = '\0';
			unsetenv(name);
		}
		execl("/bin/sh", "sh", "-c", cfg.exec, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
}

/* 0: pass the call through; 1: fail it with cfg.err; 2: make it short.
 * fd >= 0 names the file by descriptor, else path (and path2) do. */
static int
decide(const char *name, const char *family, int fd, const char *path, const char *path2)
{
	int hit, action = 0;
	char target[PATH_MAX] = "";

	if (busy)
		return 0;
	busy = 1;
	load();
	if (cfg.call == NULL || cfg.path == NULL || !call_matches(name, family))
		goto out;
	if (fd >= 0) {
		fd_path(fd, target);
		hit = path_matches(target);
	} else {
		const char *which = path_matches(path) ? path : path2;

		hit = path_matches(which);
		if (hit)
			snprintf(target, sizeof(target), "%s", which);
	}
	if (!hit)
		goto out;
	cfg.seen++;
	if (cfg.seen < cfg.nth || (cfg.count > 0 && cfg.seen >= cfg.nth + cfg.count))
		goto out;
	if (cfg.shorten && cfg.seen == cfg.nth && family != NULL && strcmp(family, "write") == 0) {
		action = 2;
		report(name, "short write", target);
	} else {
		action = 1;
		report(name, strerror(cfg.err), target);
	}
	run_exec();
out:
	busy = 0;
	return action;
}

#define FAIL(ret) do { errno = cfg.err; return ret; } while (0)

static mode_t
open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE ? va_arg(ap, mode_t) : 0;
}

/* open and openat take a mode only with O_CREAT or O_TMPFILE; at a
 * relative path from a directory descriptor, the directory's path decides */
#define WRAP_OPEN(name, params, dirfd, args) \
	int name params \
	{ \
		va_list ap; \
		mode_t mode; \
		REAL(name); \
		va_start(ap, flags); \
		mode = open_mode(flags, ap); \
		va_end(ap); \
		if (path[0] != '/' && (dirfd) != AT_FDCWD ? decide(#name, "open", dirfd, NULL, NULL) \
							  : decide(#name, "open", -1, path, NULL)) \
			FAIL(-1); \
		return real args; \
	}
/* a call on the descriptor fd; WRAP_FD_AS: one that FAULT_CALL names as call */
#define WRAP_FD_AS(type, name, call, family, params, args) \
	type name params \
	{ \
		REAL(name); \
		if (decide(#call, family, fd, NULL, NULL)) \
			FAIL(-1); \
		return real args; \
	}
#define WRAP_FD(type, name, family, params, args) WRAP_FD_AS(type, name, name, family, params, args)
/* a write of len bytes to fd: failed, or made short */
#define WRAP_WRITE(name, params, args) \
	ssize_t name params \
	{ \
		REAL(name); \
		switch (decide(#name, "write", fd, NULL, NULL)) { \
		case 1: \
			FAIL(-1); \
		case 2: \
			if (len / 2 == 0) \
				FAIL(-1); \
			len /= 2; \
		} \
		return real args; \
	}
/* a call on one path or two */
#define WRAP_PATHS(name, params, from, to, args) \
	int name params \
	{ \
		REAL(name); \
		if (decide(#name, NULL, -1, from, to)) \
			FAIL(-1); \
		return real args; \
	}

WRAP_OPEN(open, (const char *path, int flags, ...), AT_FDCWD, (path, flags, mode))
WRAP_OPEN(open64, (const char *path, int flags, ...), AT_FDCWD, (path, flags, mode))
WRAP_OPEN(openat, (int dirfd, const char *path, int flags, ...), dirfd, (dirfd, path, flags, mode))
WRAP_OPEN(openat64, (int dirfd, const char *path, int flags, ...), dirfd, (dirfd, path, flags, mode))
WRAP_FD(ssize_t, read, "read", (int fd, void *buf, size_t len), (fd, buf, len))
WRAP_FD(ssize_t, pread, "read", (int fd, void *buf, size_t len, off_t off), (fd, buf, len, off))
WRAP_FD(ssize_t, pread64, "read", (int fd, void *buf, size_t len, off64_t off), (fd, buf, len, off))
/* glibc's fortified entries (no header declares them without _FORTIFY_SOURCE) */
ssize_t __read_chk(int fd, void *buf, size_t len, size_t buf_size);
ssize_t __pread_chk(int fd, void *buf, size_t len, off_t off, size_t buf_size);
ssize_t __pread64_chk(int fd, void *buf, size_t len, off64_t off, size_t buf_size);
WRAP_FD_AS(ssize_t, __read_chk, read, "read", (int fd, void *buf, size_t len, size_t buf_size),
	   (fd, buf, len, buf_size))
WRAP_FD_AS(ssize_t, __pread_chk, pread, "read",
	   (int fd, void *buf, size_t len, off_t off, size_t buf_size), (fd, buf, len, off, buf_size))
WRAP_FD_AS(ssize_t, __pread64_chk, pread64, "read",
	   (int fd, void *buf, size_t len, off64_t off, size_t buf_size), (fd, buf, len, off, buf_size))
WRAP_WRITE(write, (int fd, const void *buf, size_t len), (fd, buf, len))
WRAP_WRITE(pwrite, (int fd, const void *buf, size_t len, off_t off), (fd, buf, len, off))
WRAP_WRITE(pwrite64, (int fd, const void *buf, size_t len, off64_t off), (fd, buf, len, off))
WRAP_FD(int, fsync, NULL, (int fd), (fd))
WRAP_FD(int, fdatasync, NULL, (int fd), (fd))
WRAP_FD(int, flock, NULL, (int fd, int op), (fd, op))
WRAP_FD(int, fchown, NULL, (int fd, uid_t uid, gid_t gid), (fd, uid, gid))
WRAP_FD(int, fchmod, NULL, (int fd, mode_t mode), (fd, mode))
WRAP_PATHS(rename, (const char *from, const char *to), from, to, (from, to))
WRAP_PATHS(link, (const char *from, const char *to), from, to, (from, to))
WRAP_PATHS(mkostemp, (char *template, int flags), template, NULL, (template, flags))
WRAP_PATHS(mkostemp64, (char *template, int flags), template, NULL, (template, flags))

static __thread const char *dlopen_failed;

void *
dlopen(const char *file, int flags)
{
	REAL(dlopen);
	if (file != NULL && decide("dlopen", NULL, -1, file, NULL)) {
		dlopen_failed = "fault_shim: dlopen failed on purpose";
		return NULL;
	}
	return real(file, flags);
}

char *
dlerror(void)
{
	const char *why = dlopen_failed;

	REAL(dlerror);
	if (why != NULL) {
		dlopen_failed = NULL;
		return (char *)why;
	}
	return real();
}
