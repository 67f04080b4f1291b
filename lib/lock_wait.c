/* Taking a record's flock with a time limit, woken the moment it is free.
 *
 * Linux has no timed flock: a blocking flock ends only when the lock is
 * granted or a signal arrives, and the caller is sshd or sudo, whose
 * signals are not ours to use. So the blocking call is made by a helper
 * child, a copy of this process (clone3: no shared memory, no exit
 * signal). The child shares the record's open file description, and a
 * flock belongs to the open file description: when the kernel grants the
 * child's flock, this process holds the lock. The child says so on a pipe
 * and exits. With no exit signal the caller gets no SIGCHLD, and its
 * waitpid(-1) does not see the child. At the deadline the child is killed
 * and reaped before returning, so it can never take the lock after the
 * login gave up; a lock it took just before is found by one more
 * non-blocking flock.
 *
 * The kernel wakes the child when the holder unlocks, closes or dies
 * (kill -9): no timer, no missed wake-up. It costs one fork-like copy,
 * and only when the lock is busy. A login holds the lock for tens of
 * microseconds, less than that copy costs, so a waiter first gives its
 * CPU away a few times (sched_yield, LOCK_SPINS) and retries in between:
 * a queue of logins (a burst of sessions for one user) moves on that
 * alone; where nothing else is ready to run, the yields return at once
 * and the child is made after a few microseconds.
 *
 * Why not inotify on the record (the wait used before): closing an
 * inotify instance waits for a kernel grace period (fsnotify's mark
 * reaper), about 13 ms on the test machines, and every waiter in a burst
 * paid it, while holding the lock.
 *
 * The child is a copy of sshd or sudo, so it must never run their code:
 * it is made with every signal blocked (no handler of theirs can run in
 * it; SIGKILL still ends it), makes raw system calls only and leaves by
 * exit_group (no atexit function), closes every descriptor but the two it
 * needs (no copy of the host's sockets, pipes or files lives on in it),
 * and dies with the process that made it (PR_SET_PDEATHSIG): a login
 * killed mid-wait leaves no child queued for the lock.
 *
 * Where no child can be made (clone3 missing or refused: old kernels,
 * seccomp filters, valgrind; a process limit), the wait retries every
 * LOCK_RETRY_MS until the deadline. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lock_wait.h"

#define LOCK_RETRY_MS 10
/* measured with bench/pam_bench burst: 40 gave the shortest rounds of
 * 16 and 32 logins; without it the child's copy made them five times
 * longer */
#define LOCK_SPINS 40

/* the kernel's struct clone_args, version 0 (Linux 5.3) */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static long
ms_left(const struct timespec *start, unsigned long timeout_ms)
{
	struct timespec now;
	long long used;

	clock_gettime(CLOCK_MONOTONIC, &now);
	used = (long long)(now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
	return used >= (long long)timeout_ms ? 0 : (long)((long long)timeout_ms - used);
}

/* One try without waiting. 0: held. 1: busy (or interrupted). -1: an
 * error, errno says which. */
static int
try_lock(int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK || errno == EINTR ? 1 : -1;
}

/* The kernel's signal set for rt_sigprocmask: 64 bits on Linux. Raw, as
 * glibc's sigprocmask would leave its own two signals unblocked. */
typedef uint64_t kernel_sigset;

static void
set_signal_mask(const kernel_sigset *set, kernel_sigset *old)
{
	(void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, set, old, sizeof(*set));
}

/* A fork-like child with no exit signal, starting with every signal
 * blocked; -1 where none can be made. The caller's mask is as before. */
static pid_t
spawn_quiet_child(void)
{
#ifdef SYS_clone3
	struct clone3_args ca = { 0 }; /* no flags, no exit signal, same stack (a copy) */
	kernel_sigset all = ~(kernel_sigset)0, old;
	pid_t pid;

	set_signal_mask(&all, &old);
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid != 0) {
		int saved = errno;

		set_signal_mask(&old, NULL);
		errno = saved;
	}
	return pid;
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* In the child: close every descriptor but a and b. 0, or -1 where the
 * kernel has no close_range (Linux < 5.9). */
static int
keep_only(int a, int b)
{
#ifdef SYS_close_range
	unsigned lo = (unsigned)(a < b ? a : b), hi = (unsigned)(a < b ? b : a);

	if (lo > 0 && syscall(SYS_close_range, 0u, lo - 1, 0u) != 0)
		return -1;
	if (hi > lo + 1 && syscall(SYS_close_range, lo + 1, hi - 1, 0u) != 0)
		return -1;
	return syscall(SYS_close_range, hi + 1, ~0u, 0u) == 0 ? 0 : -1;
#else
	(void)a;
	(void)b;
	return -1;
#endif
}

/* The child: raw system calls only (it is a copy of a process whose
 * libraries may hold locks or threads it does not have). It leaves at
 * once, without the lock, when it cannot be made to die with its parent
 * or to let go of the host's descriptors: the parent then retries on a
 * timer. */
static void __attribute__((noreturn))
child_take_lock(int fd, int report, pid_t parent)
{
	char one = 1;

	if (syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == 0 &&
	    syscall(SYS_getppid) == parent && keep_only(fd, report) == 0 &&
	    syscall(SYS_flock, fd, LOCK_EX) == 0)
		(void)syscall(SYS_write, report, &one, 1);
	for (;;)
		(void)syscall(SYS_exit_group, 0);
}

/* 1: the lock is held. 0: not taken by the deadline, or the child ended
 * without it. -1: no child could be made. */
static int
wait_in_child(int fd, const struct timespec *start, unsigned long timeout_ms)
{
	int pipefd[2], held = 0;
	pid_t pid, self = getpid();
	char c;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return -1;
	pid = spawn_quiet_child();
	if (pid == 0)
		child_take_lock(fd, pipefd[1], self);
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return -1;
	}
	for (;;) {
		struct pollfd pfd = { pipefd[0], POLLIN, 0 };
		long left = ms_left(start, timeout_ms);
		int n;

		if (left <= 0)
			break;
		n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
		if (n > 0) {
			/* a byte: the child has the lock; end of file: it died */
			held = read(pipefd[0], &c, 1) == 1;
			break;
		}
		if (n < 0 && errno != EINTR)
			break;
	}
	if (!held)
		(void)kill(pid, SIGKILL);
	while (waitpid(pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	close(pipefd[0]);
	/* granted to the child just before it was killed */
	if (!held && try_lock(fd) == 0)
		held = 1;
	return held;
}

int
lock_wait(int fd, unsigned long timeout_ms)
{
	struct timespec start;
	int r = try_lock(fd);

	if (r != 1)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < LOCK_SPINS && ms_left(&start, timeout_ms) > 0; i++) {
		(void)sched_yield();
		if ((r = try_lock(fd)) != 1)
			return r;
	}
	if (wait_in_child(fd, &start, timeout_ms) == 1)
		return 0;
	/* no child, or it ended without the lock: retry on a timer */
	for (;;) {
		long left;

		if ((r = try_lock(fd)) != 1)
			return r;
		left = ms_left(&start, timeout_ms);
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		(void)poll(NULL, 0, (int)(left < LOCK_RETRY_MS ? left : LOCK_RETRY_MS));
	}
}
