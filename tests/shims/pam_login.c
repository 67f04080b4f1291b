/* Drive one PAM authentication through the real libpam, for tests.
 *
 * usage: pam_login [-d CONFDIR] [-r RHOST] [-t TTY] [-a AUTHTOK] [-s START_NS]
 *                  [-b BARRIER_DIR] [-e NAME=VALUE]... [-l] [-i] [-m MSG_DIR]
 *                  SERVICE USER [ANSWER...]
 *
 * Each prompt takes the next ANSWER (none left: conversation error).
 * -i: once they are used up, each prompt takes the next line of standard
 * input (end of input: conversation error, as a dropped connection), so a
 * test can answer what it has read (enrolment: a code for the secret
 * shown). -m DIR: each message is also written whole to DIR/N (N = 1, 2,
 * ... in order), for a test to read a multi-line one (the QR code).
 * Messages are printed as "info: ..." / "error: ...", prompts as
 * "prompt: ...". The last line is "result: <PAM code name>", and the exit
 * status is the PAM return code. -s sleeps until CLOCK_REALTIME reaches
 * START_NS, so racing processes are released together; one that gets
 * there only after START_NS says "late: N us". -b DIR is a barrier instead:
 * the process creates DIR/ready.PID and waits to open the FIFO DIR/go,
 * which the test opens for writing once all racers are ready.
 * -e puts NAME=VALUE into the PAM environment before authenticating, as
 * an application passing on the user's LANG does (up to ENV_MAX times).
 * -l sets the process's locale from its environment first
 * (setlocale(LC_ALL, "")), as sudo does for the user who runs it.
 * A delay a module asks for after a failure (pam_fail_delay) is printed as
 * "fail delay: USEC" instead of being waited for.
 * With -d the service file is read from CONFDIR
 * (pam_start_confdir); without it, pam_wrapper's PAM_WRAPPER_SERVICE_DIR
 * or /etc/pam.d decide.
 *
 * PAM_LOGIN_WRAPPER_LOCK=FILE (with pam_wrapper preloaded but PAM_WRAPPER
 * not yet set): pam_wrapper 1.1.x picks its run-time directory /tmp/pam.X
 * (X one of 62 characters, from the pid) with lstat and then mkdir, so two
 * processes starting together can pick the same one, and the one that
 * loses deletes it under the other. Here PAM_WRAPPER=1 is set only while an
 * exclusive flock on FILE is held, so pam_wrapper sets up in pam_start
 * under the lock, one process at a time, and the lock is dropped before
 * the authentication itself. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

#include <security/pam_appl.h>

#define ENV_MAX 8

struct answers {
	char **v;
	int n, next;
	int from_stdin;
	const char *msg_dir;
	int msgs;
};

/* The next answer: from argv, then (-i) a line of standard input. NULL
 * when there is none. */
static char *
next_answer(struct answers *a)
{
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	if (a->next < a->n)
		return strdup(a->v[a->next++]);
	if (!a->from_stdin || (len = getline(&line, &size, stdin)) < 0) {
		free(line);
		return NULL;
	}
	if (len > 0 && line[len - 1] == '\n')
		line[len - 1] = '\0';
	return line;
}

/* -m DIR: the message, whole, into DIR/N */
static void
keep_message(struct answers *a, const char *text)
{
	char path[4096];
	FILE *f;

	if (a->msg_dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%d", a->msg_dir, ++a->msgs);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* libpam calls this instead of sleeping, with the delay it chose */
static void
show_fail_delay(int status, unsigned usec, void *data)
{
	(void)data;
	if (status != PAM_SUCCESS && usec > 0)
		printf("fail delay: %u\n", usec);
}

static int
converse(int num, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	struct answers *a = data;
	struct pam_response *r = calloc((size_t)num, sizeof(*r));

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < num; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			printf("prompt%s: %s\n", msg[i]->msg_style == PAM_PROMPT_ECHO_ON ? "-echo" : "",
			       msg[i]->msg);
			fflush(stdout);
			r[i].resp = next_answer(a);
			if (r[i].resp == NULL) {
				for (int j = 0; j < i; j++)
					free(r[j].resp);
				free(r);
				return PAM_CONV_ERR;
			}
			break;
		case PAM_TEXT_INFO:
			printf("info: %s\n", msg[i]->msg);
			keep_message(a, msg[i]->msg);
			break;
		case PAM_ERROR_MSG:
			printf("error: %s\n", msg[i]->msg);
			keep_message(a, msg[i]->msg);
			break;
		default:
			break;
		}
	}
	fflush(stdout);
	*resp = r;
	return PAM_SUCCESS;
}

static const char *
code_name(int rc)
{
	switch (rc) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
	case PAM_IGNORE: return "PAM_IGNORE";
	case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
	case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
	case PAM_CONV_ERR: return "PAM_CONV_ERR";
	case PAM_BUF_ERR: return "PAM_BUF_ERR";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_MAXTRIES: return "PAM_MAXTRIES";
	case PAM_ABORT: return "PAM_ABORT";
	default: return "PAM_OTHER";
	}
}

/* pam_start with pam_wrapper's set-up serialised (see the top comment). */
static int
start(const char *service, const char *user, const struct pam_conv *conv,
      const char *confdir, pam_handle_t **pamh)
{
	const char *lock_path = getenv("PAM_LOGIN_WRAPPER_LOCK");
	int fd = -1, rc;

	if (lock_path != NULL && lock_path[0] != '\0') {
		fd = open(lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 || flock(fd, LOCK_EX) != 0) {
			perror(lock_path);
			return PAM_SYSTEM_ERR;
		}
		setenv("PAM_WRAPPER", "1", 1);
	}
	rc = confdir != NULL ? pam_start_confdir(service, user, conv, confdir, pamh)
			     : pam_start(service, user, conv, pamh);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* The barrier of -b DIR: say "ready" (one byte into the FIFO DIR/ready,
 * which the test holds open and reads), then block opening the FIFO DIR/go
 * until the test opens it for writing, which it does once it has read a
 * byte from every racer: all are released at the same moment, however
 * long the last one took to start, and nobody polls. */
static int
wait_at_barrier(const char *dir)
{
	char path[4096];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/ready", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, "r", 1);
	close(fd);
	if (n != 1)
		return -1;
	snprintf(path, sizeof(path), "%s/go", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Sleep until start_ns (absolute, so every racer wakes at the same
 * instant). A process that only gets here after start_ns missed the
 * release: it says so, and how late it was. No busy wait: on a machine
 * with fewer cores than racers, spinning processes would starve the ones
 * still starting and make them all late. */
static void
wait_until(long long start_ns)
{
	struct timespec ts;
	long long now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (now >= start_ns) {
		printf("late: %lld us\n", (now - start_ns) / 1000);
		return;
	}
	ts.tv_sec = (time_t)(start_ns / 1000000000LL);
	ts.tv_nsec = (long)(start_ns % 1000000000LL);
	while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int
main(int argc, char **argv)
{
	struct answers a = { NULL, 0, 0, 0, NULL, 0 };
	struct pam_conv conv = { converse, &a };
	void (*delay_fn)(int, unsigned, void *) = show_fail_delay;
	pam_handle_t *pamh = NULL;
	const char *confdir = NULL, *rhost = NULL, *authtok = NULL, *tty = NULL;
	long long start_ns = 0;
	const char *barrier = NULL, *pam_env[ENV_MAX];
	struct timespec t0, t1;
	int opt, rc, n_env = 0;

	while ((opt = getopt(argc, argv, "+d:r:t:a:s:b:e:lim:")) != -1) {
		switch (opt) {
		case 'd': confdir = optarg; break;
		case 'r': rhost = optarg; break;
		case 't': tty = optarg; break;
		case 'a': authtok = optarg; break;
		case 's': start_ns = atoll(optarg); break;
		case 'b': barrier = optarg; break;
		case 'e':
			if (n_env == ENV_MAX || optarg == NULL)
				return 99;
			pam_env[n_env++] = optarg;
			break;
		case 'l': setlocale(LC_ALL, ""); break;
		case 'i': a.from_stdin = 1; break;
		case 'm': a.msg_dir = optarg; break;
		default: return 99;
		}
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: pam_login [-d CONFDIR] [-r RHOST] [-t TTY] [-a AUTHTOK] [-s START_NS] [-b DIR] [-e NAME=VALUE]... [-l] [-i] [-m DIR] SERVICE USER [ANSWER...]\n");
		return 99;
	}
	a.v = argv + optind + 2;
	a.n = argc - optind - 2;
	rc = start(argv[optind], argv[optind + 1], &conv, confdir, &pamh);
	if (rc != PAM_SUCCESS) {
		printf("result: pam_start failed\n");
		if (barrier != NULL)
			wait_at_barrier(barrier); /* count as arrived: nobody waits for us */
		return 98;
	}
	if (rhost != NULL)
		pam_set_item(pamh, PAM_RHOST, rhost);
	if (tty != NULL)
		pam_set_item(pamh, PAM_TTY, tty);
	for (int i = 0; i < n_env; i++)
		pam_putenv(pamh, pam_env[i]);
	pam_set_item(pamh, PAM_FAIL_DELAY, (const void *)delay_fn);
	if (authtok != NULL) {
		/* only modules may set PAM_AUTHTOK: pam_wrapper's pam_set_items.so,
		 * stacked first, takes it from this environment variable */
		setenv("PAM_AUTHTOK", authtok, 1);
	}
	if (start_ns > 0)
		wait_until(start_ns);
	if (barrier != NULL && wait_at_barrier(barrier) != 0) {
		printf("result: barrier failed\n");
		pam_end(pamh, PAM_SUCCESS);
		return 97;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pam_authenticate(pamh, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("result: %s\n", code_name(rc));
	/* how long pam_authenticate took, without process start-up or the
	 * pam_wrapper set-up (taken in turns with other tests): what a test
	 * bounds by db_timeout */
	printf("auth_ms: %lld\n", ((long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
				   (t1.tv_nsec - t0.tv_nsec)) / 1000000);
	if (getenv("PAM_LOGIN_SHOW_AUTHTOK") != NULL) {
		const void *item = NULL;

		pam_get_item(pamh, PAM_AUTHTOK, &item);
		printf("authtok: %s\n", item != NULL ? (const char *)item : "(none)");
	}
	pam_end(pamh, rc);
	return rc;
}
