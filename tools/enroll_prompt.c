/* Terminal input for totp-enroll, and the guard that makes an interrupt
 * before the record is written leave nothing behind: no record, no QR
 * file, no secret in memory, no terminal left in QR colours. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "enroll.h"
#include "secure.h"

#define GUARD_BUFFERS 8
#define GUARD_FILES 2

/* Read by the signal handler: set up before the handler is installed. */
static struct {
	void *p;
	size_t n;
} guard_buffers[GUARD_BUFFERS];
static const char *guard_files[GUARD_FILES];
static volatile sig_atomic_t guard_nbuffers, guard_nfiles;
static struct termios guard_termios;
static int guard_have_termios;
static const int guard_signals[] = { SIGINT, SIGTERM, SIGHUP };

/* Async-signal-safe: a volatile loop the compiler cannot drop, write,
 * unlink, tcsetattr and _exit only. */
static void
guard_handler(int sig)
{
	static const char reset[] = "\033[0m\n";

	for (sig_atomic_t i = 0; i < guard_nbuffers; i++) {
		volatile unsigned char *p = guard_buffers[i].p;

		for (size_t j = 0; j < guard_buffers[i].n; j++)
			p[j] = 0;
	}
	for (sig_atomic_t i = 0; i < guard_nfiles; i++)
		unlink(guard_files[i]);
	if (guard_have_termios)
		tcsetattr(STDIN_FILENO, TCSANOW, &guard_termios);
	if (isatty(STDOUT_FILENO))
		(void)!write(STDOUT_FILENO, reset, sizeof(reset) - 1);
	_exit(ENROLL_EXIT_SIGNAL + sig);
}

void
enroll_guard_begin(void)
{
	struct sigaction sa;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &guard_termios) == 0)
		guard_have_termios = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_handler;
	sigfillset(&sa.sa_mask);  /* one handler at a time */
	sa.sa_flags = 0;          /* no SA_RESTART: not needed, the handler exits */
	for (size_t i = 0; i < sizeof(guard_signals) / sizeof(guard_signals[0]); i++)
		sigaction(guard_signals[i], &sa, NULL);
}

/* Registration blocks the signals so the handler never sees a half-made
 * entry. */
static void
guard_block(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(guard_signals) / sizeof(guard_signals[0]); i++)
		sigaddset(&set, guard_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

void
enroll_guard_wipe(void *p, size_t n)
{
	sigset_t old;

	guard_block(&old);
	if (guard_nbuffers < GUARD_BUFFERS) {
		guard_buffers[guard_nbuffers].p = p;
		guard_buffers[guard_nbuffers].n = n;
		guard_nbuffers++;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void
enroll_guard_file(const char *path)
{
	sigset_t old;

	guard_block(&old);
	if (guard_nfiles < GUARD_FILES)
		guard_files[guard_nfiles++] = path;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void
enroll_guard_release(void)
{
	for (size_t i = 0; i < sizeof(guard_signals) / sizeof(guard_signals[0]); i++)
		signal(guard_signals[i], SIG_IGN);
}

void
enroll_guard_remove_files(void)
{
	sigset_t old;

	guard_block(&old);
	for (sig_atomic_t i = 0; i < guard_nfiles; i++)
		unlink(guard_files[i]);
	guard_nfiles = 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Byte by byte with read(2): nothing typed stays behind in a stdio buffer,
 * and nothing after the line is consumed. */
int
enroll_prompt_line(const char *prompt, char *buf, size_t size)
{
	size_t len = 0;
	int got = 0, overlong = 0;

	fputs(prompt, stdout);
	fflush(stdout);
	for (;;) {
		char c;
		ssize_t n = read(STDIN_FILENO, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			if (!got)
				return 0;
			break;      /* a last line without a newline still counts */
		}
		got = 1;
		if (c == '\n')
			break;
		if (len + 1 < size)
			buf[len++] = c;
		else
			overlong = 1;
	}
	if (overlong)
		secure_wipe(buf, len);
	buf[overlong ? 0 : len] = '\0';
	return 1;
}
