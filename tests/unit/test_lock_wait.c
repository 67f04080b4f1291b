/* lock_wait: the record's flock taken with a time limit (lib/lock_wait.c).
 *
 * The holders here are not children of the test process (each is forked
 * twice and its parent reaped at once), so any child or SIGCHLD the test
 * sees after lock_wait is lock_wait's own: there must be none. A holder
 * releases on a condition, never on a timer: when /proc/locks shows a
 * process blocked on the file (the helper child lock_wait makes), or when
 * it is killed. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "lock_wait.h"

enum release { RELEASE_ON_WAITER, RELEASE_NEVER };

static char path[64];
/* the holders' end of a pipe only this process writes to: when it ends,
 * however it ends, the holders see end of file and go */
static int alive[2] = { -1, -1 };
static volatile sig_atomic_t sigchld_seen;

static void
on_sigchld(int sig)
{
	(void)sig;
	sigchld_seen++;
}

static int
group_setup(void **state)
{
	struct sigaction sa;

	(void)state;
	if (pipe(alive) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigchld;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL);
}

/* a new file for each test, so a lock a failed test left held cannot
 * hang the next */
static int
setup(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/test_lock_wait.XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	sigchld_seen = 0;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Does /proc/locks show a process waiting for a lock on the file st
 * describes? Its device too: other file systems (another test run's /tmp)
 * have inodes of the same numbers. */
static int
someone_waits(const struct stat *st)
{
	char line[256], want[64];
	FILE *f = fopen("/proc/locks", "r");
	int found = 0;

	if (f == NULL)
		return 0;
	snprintf(want, sizeof(want), " %02x:%02x:%lu ", major(st->st_dev), minor(st->st_dev),
		 (unsigned long)st->st_ino);
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, "->") != NULL && strstr(line, want) != NULL;
	fclose(f);
	return found;
}

/* A holder of the lock on its own open of the file, not a child of ours.
 * Returns its pid once it holds the lock. */
static pid_t
start_holder(enum release how)
{
	int ready[2];
	pid_t mid, holder = -1;

	fflush(NULL); /* nothing buffered is written twice by the copies */
	assert_int_equal(pipe(ready), 0);
	mid = fork();
	assert_true(mid >= 0);
	if (mid == 0) {
		pid_t h = fork();

		if (h == 0) {
			int fd = open(path, O_RDWR);
			struct stat st;
			pid_t self = getpid();
			struct pollfd test_ends = { alive[0], POLLIN, 0 };

			close(alive[1]);
			if (fd < 0 || flock(fd, LOCK_EX) != 0 || fstat(fd, &st) != 0)
				_exit(1);
			if (write(ready[1], &self, sizeof(self)) != sizeof(self))
				_exit(1);
			if (how == RELEASE_ON_WAITER) {
				while (!someone_waits(&st) && poll(&test_ends, 1, 1) == 0)
					;
				flock(fd, LOCK_UN);
				_exit(0);
			}
			while (poll(&test_ends, 1, -1) == 0 || errno == EINTR)
				;
			_exit(0);
		}
		_exit(h > 0 ? 0 : 1);
	}
	assert_int_equal(waitpid(mid, NULL, 0), mid);
	close(ready[1]);
	assert_int_equal(read(ready[0], &holder, sizeof(holder)), (ssize_t)sizeof(holder));
	close(ready[0]);
	sigchld_seen = 0; /* the middle process's */
	return holder;
}

/* No process of lock_wait's is left, and none signalled us. */
static void
assert_no_child_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG | __WALL), -1);
	assert_int_equal(errno, ECHILD);
	assert_int_equal(sigchld_seen, 0);
}

/* Is the lock taken, as seen from another open of the file? */
static int
lock_is_taken(void)
{
	int fd = open(path, O_RDWR), taken;

	assert_true(fd >= 0);
	taken = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return taken;
}

static void
test_free_lock(void **state)
{
	int fd = open(path, O_RDWR);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(lock_wait(fd, 1000), 0);
	assert_true(lock_is_taken());
	close(fd);
	assert_false(lock_is_taken());
	assert_no_child_left();
}

/* the waiter is woken by the unlock itself: the holder lets go only once
 * a waiter is queued in the kernel, so nothing but that wake-up can end
 * the wait (the limit, 60 s, is far off) */
static void
test_woken_by_unlock(void **state)
{
	int fd = open(path, O_RDWR);
	double t0;

	(void)state;
	start_holder(RELEASE_ON_WAITER);
	t0 = now_ms();
	assert_int_equal(lock_wait(fd, 60000), 0);
	assert_true(now_ms() - t0 < 30000);
	assert_true(lock_is_taken());
	close(fd);
	assert_no_child_left();
}

/* a holder killed with kill -9 releases the lock, and the waiter gets it */
static void
test_holder_killed(void **state)
{
	int fd = open(path, O_RDWR);
	pid_t holder;
	struct stat st;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	holder = start_holder(RELEASE_NEVER);
	if (fork() == 0) {
		while (!someone_waits(&st))
			(void)poll(NULL, 0, 1);
		kill(holder, SIGKILL);
		_exit(0);
	}
	assert_int_equal(lock_wait(fd, 60000), 0);
	assert_true(lock_is_taken());
	close(fd);
	/* the killer was ours: reap it, then nothing may be left */
	assert_true(wait(NULL) > 0);
	sigchld_seen = 0;
	assert_no_child_left();
}

/* a lock never released: refused at the limit, not before, and the
 * helper child is gone. The upper bound guards against a wait that does
 * not end at the limit (the holder never lets go): 20 s of room for a
 * loaded machine, as tests/lib/tap.sh's stall_bound_ms gives */
static void
test_timeout(void **state)
{
	int fd = open(path, O_RDWR);
	pid_t holder;
	double t0, took;

	(void)state;
	holder = start_holder(RELEASE_NEVER);
	t0 = now_ms();
	assert_int_equal(lock_wait(fd, 300), -1);
	took = now_ms() - t0;
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(took >= 300);
	assert_true(took < 300 + 20000);
	assert_no_child_left();
	/* and the descriptor holds no lock: once the holder is gone, another
	 * open of the file can take it */
	kill(holder, SIGKILL);
	{
		int other = open(path, O_RDWR);

		assert_true(other >= 0);
		assert_int_equal(lock_wait(other, 60000), 0);
		close(other);
	}
	close(fd);
}

/* where clone3 is refused (seccomp, valgrind, old kernels) the wait falls
 * back to retrying on a timer: it still gets the lock, and still stops at
 * the limit. Run in a child, which keeps the filter to itself. */
static void
test_without_clone3(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct sock_filter filter[] = {
			BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
			BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
			BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		};
		struct sock_fprog prog = { sizeof(filter) / sizeof(filter[0]), filter };
		int fd = open(path, O_RDWR), rc = 0;
		pid_t holder;

		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0 || fd < 0)
			_exit(10);
		if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
			_exit(11);
		holder = start_holder(RELEASE_NEVER);
		if (lock_wait(fd, 300) != -1 || errno != ETIMEDOUT)
			rc = 12;
		kill(holder, SIGKILL);
		if (rc == 0 && lock_wait(fd, 60000) != 0)
			rc = 13;
		if (rc == 0 && !lock_is_taken())
			rc = 14;
		_exit(rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	sigchld_seen = 0;
}

/* The helper child of a waiting login, found through /proc: its pid, or
 * 0 while it has none. */
static pid_t
helper_of(pid_t login)
{
	char name[64];
	FILE *f;
	long pid = 0;

	snprintf(name, sizeof(name), "/proc/%ld/task/%ld/children", (long)login, (long)login);
	f = fopen(name, "r");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/* The signals pid blocks, from /proc/PID/status. */
static unsigned long long
blocked_signals(pid_t pid)
{
	char name[64], line[128];
	unsigned long long mask = 0;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%ld/status", (long)pid);
	f = fopen(name, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "SigBlk: %llx", &mask) == 1)
			break;
	fclose(f);
	return mask;
}

/* How many descriptors pid has open. */
static int
open_descriptors(pid_t pid)
{
	char name[64];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(name, sizeof(name), "/proc/%ld/fd", (long)pid);
	d = opendir(name);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Up to 60 s for pid (a child of the calling process) to end; 1 if it did. */
static int
reaped_within_a_minute(pid_t pid)
{
	for (int i = 0; i < 60000; i++) {
		pid_t r = waitpid(pid, NULL, WNOHANG | __WALL);

		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return 0;
		(void)poll(NULL, 0, 1);
	}
	return 0;
}

static volatile sig_atomic_t host_handler_ran;

static void
host_handler(int sig)
{
	(void)sig;
	host_handler_ran = 1;
}

/* A login killed while it waits (sshd dropping the connection) leaves no
 * helper behind: the helper holds only its two descriptors, blocks every
 * signal (the host's handlers never run in the copy), and dies with the
 * login, so the lock is free once its holder lets go. Run in a child that
 * is a subreaper, so the orphaned helper becomes its child to reap. */
static int
parent_killed_scenario(void)
{
	int hold = open(path, O_RDWR), fds[8], other;
	struct sigaction sa;
	struct stat st;
	unsigned long long mask;
	pid_t login, helper = 0;

	if (hold < 0 || fstat(hold, &st) != 0 || flock(hold, LOCK_EX) != 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		return 20;
	login = fork();
	if (login < 0)
		return 21;
	if (login == 0) {
		/* the host: a handler of its own, and descriptors the helper
		 * must not keep */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = host_handler;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			fds[i] = open("/dev/null", O_RDONLY);
		close(hold);
		other = open(path, O_RDWR);
		(void)lock_wait(other, 600000);
		_exit(host_handler_ran ? 30 : 31);
	}
	/* wait for the helper to queue for the lock */
	for (int i = 0; i < 60000 && (helper == 0 || !someone_waits(&st)); i++) {
		helper = helper_of(login);
		(void)poll(NULL, 0, 1);
	}
	if (helper == 0 || !someone_waits(&st))
		return 22;
	if (open_descriptors(helper) != 2)
		return 23;
	mask = blocked_signals(helper);
	/* every signal but SIGKILL (9) and SIGSTOP (19), glibc's own two (32,
	 * 33) included */
	if (mask != (~0ULL & ~(1ULL << 8) & ~(1ULL << 18)))
		return 24;
	kill(helper, SIGTERM); /* blocked: pending, never handled */
	kill(login, SIGKILL);
	if (!reaped_within_a_minute(login))
		return 25;
	if (!reaped_within_a_minute(helper))
		return 26; /* the helper outlived the login */
	close(hold);
	other = open(path, O_RDWR);
	if (other < 0 || flock(other, LOCK_EX | LOCK_NB) != 0)
		return 27; /* the lock went to a helper nobody waits for */
	close(other);
	return 0;
}

static void
test_parent_killed(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(parent_killed_scenario());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	sigchld_seen = 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_free_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_woken_by_unlock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_holder_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_clone3, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_killed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
