/* totp-admin check: sshd's settings, once the sshd stack runs pam_totp.
 * Read from sshd -T (what the running configuration amounts to), from a
 * saved copy of its output, or from an sshd_config file with its Include
 * and Match lines (the first value of a keyword wins; a Match block's
 * values stand over the global ones for the connections it matches, and
 * each block is judged on its own). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "admin_check.h"
#include "text.h"

#define SSHD_PATH "/usr/sbin/sshd"
#define SSHD_OUTPUT_MAX (1024 * 1024)
#define SSHD_BLOCKS_MAX 64
#define SSHD_INCLUDE_DEPTH 16
#define ENROLL_TIME 300          /* seconds an enrolment at login may take */

enum key {
	K_USEPAM, K_PASSWORD, K_KBDINT, K_METHODS, K_PUBKEY, K_HOSTBASED, K_GSSAPI, K_GRACE,
	K_N
};

/* The keywords read, their other name, and sshd's default. */
static const struct {
	const char *name, *alias, *dflt, *shown;
} keys[K_N] = {
	{ "usepam", NULL, "no", "UsePAM" },
	{ "passwordauthentication", NULL, "yes", "PasswordAuthentication" },
	{ "kbdinteractiveauthentication", "challengeresponseauthentication", "yes",
	  "KbdInteractiveAuthentication" },
	{ "authenticationmethods", NULL, "any", "AuthenticationMethods" },
	{ "pubkeyauthentication", NULL, "yes", "PubkeyAuthentication" },
	{ "hostbasedauthentication", NULL, "no", "HostbasedAuthentication" },
	{ "gssapiauthentication", NULL, "no", "GSSAPIAuthentication" },
	{ "logingracetime", NULL, "120", "LoginGraceTime" },
};

struct setting {
	char value[512];
	const char *file;
	int line;                    /* 0: sshd's default */
};

/* The global settings, or a Match block's own. */
struct block {
	struct setting v[K_N];
	const char *file;
	int line;                    /* of the Match line; 0: global */
};

struct sshd_read {
	struct block blocks[SSHD_BLOCKS_MAX + 1];
	int n_blocks;                /* blocks[0] is the global one */
	const char *overflow_file;   /* the first Match past SSHD_BLOCKS_MAX: it and */
	int overflow_line;           /* what follows are not read (block -1) */
	char **files;
	size_t n_files;
	int live;                    /* from running sshd -T: its lines are in no file */
};

static const char *
keep_name(struct sshd_read *s, const char *name)
{
	char **n = realloc(s->files, (s->n_files + 1) * sizeof(*n));

	if (n == NULL || (n[s->n_files] = strdup(name)) == NULL) {
		fputs("totp-admin: out of memory\n", stderr);
		exit(ADMIN_EXIT_ERROR);
	}
	s->files = n;
	return s->files[s->n_files++];
}

static int read_config(struct check_run *r, struct sshd_read *s, const char *path, int depth,
		       int *block);

/* Include PATTERN...: each glob, relative to the including file's directory. */
static void
include(struct check_run *r, struct sshd_read *s, const char *from, char *patterns, int depth,
	int *block)
{
	char *save = NULL;

	for (char *p = strtok_r(patterns, " \t", &save); p != NULL; p = strtok_r(NULL, " \t", &save)) {
		char pattern[PATH_MAX];
		const char *slash = strrchr(from, '/');
		glob_t g;

		if (p[0] == '/' || slash == NULL)
			snprintf(pattern, sizeof(pattern), "%s", p);
		else
			snprintf(pattern, sizeof(pattern), "%.*s/%s", (int)(slash - from), from, p);
		if (glob(pattern, 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++)
			read_config(r, s, g.gl_pathv[i], depth + 1, block);
		globfree(&g);
	}
}

/* One line: "Keyword value" or "Keyword=value". */
static void
read_line(struct check_run *r, struct sshd_read *s, const char *file, int lineno, char *line,
	  int depth, int *block)
{
	char *key = line + strspn(line, " \t"), *value, *end;
	size_t n;

	if (*key == '\0' || *key == '#')
		return;
	n = strcspn(key, " \t=");
	value = key + n;
	value += strspn(value, " \t");
	if (*value == '=')
		value++;
	value += strspn(value, " \t");
	key[n] = '\0';
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	if (end - value >= 2 && value[0] == '"' && end[-1] == '"') {
		end[-1] = '\0';
		value++;
	}
	if (strcasecmp(key, "include") == 0) {
		include(r, s, file, value, depth, block);
		return;
	}
	if (strcasecmp(key, "match") == 0) {
		if (s->n_blocks > SSHD_BLOCKS_MAX) {
			if (s->overflow_file == NULL) {
				s->overflow_file = file;
				s->overflow_line = lineno;
			}
			*block = -1;
			return;
		}
		*block = s->n_blocks++;
		s->blocks[*block].file = file;
		s->blocks[*block].line = lineno;
		return;
	}
	if (*block < 0)
		return;
	for (int k = 0; k < K_N; k++) {
		struct setting *v = &s->blocks[*block].v[k];

		if ((strcasecmp(key, keys[k].name) == 0 ||
		     (keys[k].alias != NULL && strcasecmp(key, keys[k].alias) == 0)) && v->line == 0) {
			snprintf(v->value, sizeof(v->value), "%s", value);
			v->file = file;
			v->line = lineno;
		}
	}
}

static int
read_text(struct check_run *r, struct sshd_read *s, const char *name, char *text, int depth,
	  int *block)
{
	const char *file = keep_name(s, name);
	int lineno = 0;

	for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		read_line(r, s, file, ++lineno, line, depth, block);
	}
	return 0;
}

static int
read_config(struct check_run *r, struct sshd_read *s, const char *path, int depth, int *block)
{
	FILE *f;
	char *text;
	size_t n;
	int rc;

	if (depth > SSHD_INCLUDE_DEPTH || (f = check_open(path)) == NULL)
		return -1;
	text = malloc(SSHD_OUTPUT_MAX + 1);
	if (text == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(text, 1, SSHD_OUTPUT_MAX, f);
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(text);
		errno = e;
		return -1;
	}
	fclose(f);
	text[n] = '\0';
	rc = read_text(r, s, path, text, depth, block);
	free(text);
	return rc;
}

/* sshd -T's output, NUL-terminated and malloc'ed; NULL with why. */
static char *
run_sshd_t(char *why, size_t why_size)
{
	int fd[2], status;
	pid_t pid;
	char *out;
	size_t used = 0;
	ssize_t n;

	if (access(SSHD_PATH, X_OK) != 0) {
		snprintf(why, why_size, "%s: %s", SSHD_PATH, strerror(errno));
		return NULL;
	}
	if (pipe2(fd, O_CLOEXEC) != 0 || (out = malloc(SSHD_OUTPUT_MAX + 1)) == NULL) {
		snprintf(why, why_size, "%s", strerror(errno));
		return NULL;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, why_size, "fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		free(out);
		return NULL;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (dup2(fd[1], STDOUT_FILENO) < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
		    dup2(null, STDERR_FILENO) < 0)
			_exit(127);
		execl(SSHD_PATH, "sshd", "-T", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (used < SSHD_OUTPUT_MAX &&
	       ((n = read(fd[0], out + used, SSHD_OUTPUT_MAX - used)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			used += (size_t)n;
	close(fd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	out[used] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, why_size, "%s -T exited with %d", SSHD_PATH,
			 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the rules ---- */

/* A setting of block b, or the global one, or sshd's default. */
static struct setting
value(const struct sshd_read *s, int b, enum key k, const char *source)
{
	struct setting v = s->blocks[b].v[k];

	if (v.line == 0)
		v = s->blocks[0].v[k];
	if (v.line == 0) {
		snprintf(v.value, sizeof(v.value), "%s", keys[k].dflt);
		v.file = source;
	}
	return v;
}

static int
yes(const struct setting *v)
{
	return strcasecmp(v->value, "yes") == 0;
}

/* LoginGraceTime: seconds, or a time like 1m30s. -1 when malformed. */
static long
sshd_seconds(const char *s)
{
	long total = 0;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		long n = 0, unit = 1;

		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9' && n < 100000000)
			n = n * 10 + (*s++ - '0');
		switch (*s) {
		case '\0': break;
		case 's': case 'S': s++; break;
		case 'm': case 'M': unit = 60; s++; break;
		case 'h': case 'H': unit = 3600; s++; break;
		case 'd': case 'D': unit = 86400; s++; break;
		case 'w': case 'W': unit = 604800; s++; break;
		default: return -1;
		}
		total += n * unit;
	}
	return total;
}

/* What AuthenticationMethods lets through: a list of methods none of which
 * is keyboard-interactive but one that sshd checks without PAM (a key
 * alone, in *key_alone), and a list with keyboard-interactive and no such
 * method before PAM (the code without a key, in *code_alone). */
static void
methods(const char *value, int pubkey, int hostbased, int gssapi, char *key_alone,
	size_t key_size, int *code_alone)
{
	char copy[512], *save = NULL;

	key_alone[0] = '\0';
	*code_alone = 0;
	if (strcasecmp(value, "any") == 0) {
		*code_alone = 1;
		if (pubkey || hostbased || gssapi)
			snprintf(key_alone, key_size, "%s", pubkey ? "publickey" :
				 hostbased ? "hostbased" : "gssapi-with-mic");
		return;
	}
	snprintf(copy, sizeof(copy), "%s", value);
	for (char *list = strtok_r(copy, " \t", &save); list != NULL;
	     list = strtok_r(NULL, " \t", &save)) {
		int kbd = 0, outside = 0, pw = 0;
		char *save2 = NULL, one[512];

		snprintf(one, sizeof(one), "%s", list);
		for (char *m = strtok_r(list, ",", &save2); m != NULL; m = strtok_r(NULL, ",", &save2)) {
			if (strncmp(m, "keyboard-interactive", 20) == 0)
				kbd = 1;
			else if (strcmp(m, "password") == 0)
				pw = 1;
			else if ((strcmp(m, "publickey") == 0 && pubkey) ||
				 (strcmp(m, "hostbased") == 0 && hostbased) ||
				 (strcmp(m, "gssapi-with-mic") == 0 && gssapi))
				outside = 1;
			else if (strcmp(m, "publickey") == 0 || strcmp(m, "hostbased") == 0 ||
				 strcmp(m, "gssapi-with-mic") == 0)
				outside = -1;  /* switched off: this list never completes */
		}
		if (outside < 0)
			continue;
		if (!kbd && !pw && outside && key_alone[0] == '\0')
			snprintf(key_alone, key_size, "%s", one);
		if (kbd && !outside && !pw)
			*code_alone = 1;
	}
}

static int
allows_password(const char *methods_value)
{
	char copy[512], *save = NULL;

	if (strcasecmp(methods_value, "any") == 0)
		return 1;
	snprintf(copy, sizeof(copy), "%s", methods_value);
	for (char *m = strtok_r(copy, " \t,", &save); m != NULL; m = strtok_r(NULL, " \t,", &save))
		if (strcmp(m, "password") == 0)
			return 1;
	return 0;
}

/* Whether setting k belongs to block b: every global one, and in a Match
 * block its own (the global values it takes over are judged globally). */
static int
own(const struct sshd_read *s, int b, enum key k)
{
	return b == 0 || s->blocks[b].v[k].line > 0;
}

static void
judge(struct check_run *r, const struct sshd_read *s, int b, const char *source)
{
	struct setting v[K_N];
	char in[PATH_MAX + 64] = "", fix[PATH_MAX + 200], key_alone[512];
	int code_alone;

	for (int k = 0; k < K_N; k++)
		v[k] = value(s, b, k, source);
	if (b > 0)
		snprintf(in, sizeof(in), " (in the Match block at %s)",
			 check_at(s->blocks[b].file, s->blocks[b].line));
#define AT(k) v[k].file, s->live ? 0 : v[k].line
#define SHOWN(k) (v[k].line > 0 ? "" : " (the default)")
	if (!yes(&v[K_USEPAM])) {
		if (own(s, b, K_USEPAM))
			check_add(r, CHECK_DANGER, "sshd-use-pam", AT(K_USEPAM), "sshd",
				  "UsePAM yes (examples/sshd_config)",
				  "UsePAM %s%s%s: sshd never runs its PAM stack, so pam_totp is never "
				  "asked and no code is needed", check_esc(v[K_USEPAM].value),
				  SHOWN(K_USEPAM), in);
		return;
	}
	if (!yes(&v[K_KBDINT]) && own(s, b, K_KBDINT))
		check_add(r, CHECK_DANGER, "sshd-kbdinteractive", AT(K_KBDINT), "sshd",
			  "KbdInteractiveAuthentication yes (examples/sshd_config)",
			  "KbdInteractiveAuthentication %s%s%s: sshd cannot ask for the code, so "
			  "enrolled users cannot log in with a password (the password method sends "
			  "the password as the answer to the code prompt)",
			  check_esc(v[K_KBDINT].value), SHOWN(K_KBDINT), in);
	if (yes(&v[K_PASSWORD]) && allows_password(v[K_METHODS].value) &&
	    (own(s, b, K_PASSWORD) || own(s, b, K_METHODS)))
		check_add(r, CHECK_DANGER, "sshd-password", AT(K_PASSWORD), "sshd",
			  "PasswordAuthentication no; keyboard-interactive asks the password, "
			  "then the code (examples/sshd_config)",
			  "PasswordAuthentication yes%s%s: sshd's password method answers every PAM "
			  "prompt, the code's too, with the password, so enrolled users cannot log "
			  "in with it", SHOWN(K_PASSWORD), in);
	methods(v[K_METHODS].value, yes(&v[K_PUBKEY]), yes(&v[K_HOSTBASED]), yes(&v[K_GSSAPI]),
		key_alone, sizeof(key_alone), &code_alone);
	if (key_alone[0] != '\0' && (own(s, b, K_METHODS) || own(s, b, K_PUBKEY)))
		check_add(r, CHECK_WARNING, "sshd-methods", AT(K_METHODS), "sshd",
			  "AuthenticationMethods publickey,keyboard-interactive (a key, then the "
			  "code) or keyboard-interactive (the password, then the code)",
			  "AuthenticationMethods %s%s%s: a login with %s alone gets in without a code",
			  check_esc(v[K_METHODS].value), SHOWN(K_METHODS), in,
			  strcasecmp(v[K_METHODS].value, "any") == 0 ? "a key" : check_esc(key_alone));
	if (code_alone && yes(&v[K_KBDINT]) && r->sshd_code_alone && own(s, b, K_METHODS)) {
		snprintf(fix, sizeof(fix), "AuthenticationMethods publickey,keyboard-interactive, "
			 "or a password module (requisite) before pam_totp at %s",
			 r->sshd_code_alone_at);
		check_add(r, CHECK_DANGER, "sshd-code-alone", AT(K_METHODS), "sshd", fix,
			  "AuthenticationMethods %s%s%s lets keyboard-interactive log in without a "
			  "key, and the sshd stack asks no password before pam_totp (%s): the code "
			  "alone logs in", check_esc(v[K_METHODS].value), SHOWN(K_METHODS), in,
			  r->sshd_code_alone_at);
	}
	if (r->sshd_enroll && own(s, b, K_GRACE)) {
		long grace = sshd_seconds(v[K_GRACE].value);

		if (grace > 0 && grace < ENROLL_TIME)
			check_add(r, CHECK_WARNING, "sshd-grace", AT(K_GRACE), "sshd",
				  "LoginGraceTime 600 (or 0: no limit)",
				  "LoginGraceTime %s%s%s: sshd ends a login that takes longer, and an "
				  "enrolment at login (enroll=prompt, %s) takes minutes: reading, "
				  "adding the key to the app, typing the code",
				  check_esc(v[K_GRACE].value), SHOWN(K_GRACE), in, r->sshd_enroll_at);
	}
#undef AT
#undef SHOWN
}

void
check_sshd(struct check_run *r)
{
	static struct sshd_read s;
	const char *source;
	int block = 0;

	memset(&s, 0, sizeof(s));
	s.n_blocks = 1;
	if (r->opts->sshd_config != NULL || r->opts->sshd_t != NULL) {
		source = r->opts->sshd_config != NULL ? r->opts->sshd_config : r->opts->sshd_t;
		if (read_config(r, &s, source, 0, &block) != 0) {
			check_add(r, CHECK_WARNING, "sshd-unchecked", source, 0, "sshd",
				  "give a file that can be read", "cannot read it (%s): sshd's "
				  "settings are not checked", strerror(errno));
			goto out;
		}
	} else {
		char why[512], *text = run_sshd_t(why, sizeof(why));

		source = "sshd -T";
		if (text == NULL) {
			check_add(r, CHECK_WARNING, "sshd-unchecked", source, 0, "sshd",
				  "run totp-admin check as root where sshd runs, or give "
				  "--sshd-config /etc/ssh/sshd_config",
				  "%s: sshd's settings are not checked", check_esc(why));
			goto out;
		}
		read_text(r, &s, source, text, 0, &block);
		s.live = 1;
		free(text);
	}
	for (int b = 0; b < s.n_blocks; b++)
		judge(r, &s, b, source);
	if (s.overflow_file != NULL)
		check_add(r, CHECK_WARNING, "sshd-unchecked", s.overflow_file, s.overflow_line, "sshd",
			  "check the Match blocks from here on by hand",
			  "more than %d Match blocks: this one and those after it are not checked",
			  SSHD_BLOCKS_MAX);
out:
	for (size_t i = 0; i < s.n_files; i++)
		free(s.files[i]);
	free(s.files);
}
