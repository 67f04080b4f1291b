/* totp-admin check: the PAM stacks. Each service file of the PAM
 * directory is read as libpam reads it (continued lines, comments, [...]
 * tokens, @include, include and substack) into its auth stack, and two
 * logins are followed through it as libpam's dispatcher does (actions,
 * jumps, substacks): one with a wrong password, one with the right one.
 * Every module that checks a password fails in the first and succeeds in
 * the second, pam_deny fails, pam_permit succeeds, a first pam_totp line
 * with split_pass is ignored, and every other module is taken to return
 * PAM_IGNORE (it neither lets in nor stops). Then each pam_totp line's
 * options, as the module loads them (lib/conf.c), are judged. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "admin_check.h"
#include "enroll_limits.h"
#include "enroll.h"
#include "text.h"

#define PAM_DIR_DEFAULT "/etc/pam.d"
#define PAM_FILE_MAX (64 * 1024)
#define INCLUDE_DEPTH_MAX 16     /* libpam's PAM_SUBSTACK_MAX_LEVEL */

/* What a module returns in the logins followed. */
enum outcome { OUT_SUCCESS, OUT_AUTH_ERR, OUT_IGNORE, OUT_N };

/* libpam's actions; a jump is a positive number. */
enum {
	ACT_IGNORE = 0, ACT_OK = -1, ACT_DONE = -2, ACT_BAD = -3, ACT_DIE = -4,
	ACT_RESET = -5, ACT_UNDEF = -6
};

enum kind {
	KIND_OTHER,      /* PAM_IGNORE in both logins */
	KIND_PASSWORD,   /* checks the password */
	KIND_DENY,
	KIND_PERMIT,
	KIND_TOTP,
	KIND_TOTP_SPLIT, /* pam_totp split_pass: PAM_IGNORE, counts nothing */
	KIND_SUBSTACK,   /* where a substack starts: skipped, its lines one level deeper */
	KIND_FAIL        /* a line libpam cannot use (an include it cannot open) */
};

struct pam_entry {
	const char *file;            /* owned by the context's file list */
	int line, level;
	enum kind kind;
	int act[OUT_N];
	char control[128];           /* as written, for the findings */
	char module[PATH_MAX];
	int argc;
	char **argv;
};

struct pam_stack {
	struct pam_entry *e;
	size_t n, cap;
};

struct pam_ctx {
	struct check_run *r;
	const char *dir;
	char **files;                /* every path read, for the entries' file */
	size_t n_files;
	const char *too_deep;        /* the include that nests too deep, in this service */
	int too_deep_line;
};

/* What one login does at each line: whether it reaches it, and which
 * password module decided last before it. */
struct reach {
	int reached;
	long password;               /* the entry of the last password module, or -1 */
	long deny;                   /* the last pam_deny passed without ending, or -1 */
};

/* Modules that check a password (or another first factor typed as one). */
static const char *const password_modules[] = {
	"pam_unix.so", "pam_unix2.so", "pam_sss.so", "pam_ldap.so", "pam_krb5.so",
	"pam_winbind.so", "pam_userdb.so", "pam_pwdfile.so", "pam_radius_auth.so",
	"pam_lsass.so", "pam_tacplus.so",
};

/* libpam's return value names, for [value=action ...] */
static const char *const return_names[] = {
	"success", "open_err", "symbol_err", "service_err", "system_err", "buf_err",
	"perm_denied", "auth_err", "cred_insufficient", "authinfo_unavail", "user_unknown",
	"maxtries", "new_authtok_reqd", "acct_expired", "session_err", "cred_unavail",
	"cred_expired", "cred_err", "no_module_data", "conv_err", "authtok_err",
	"authtok_recover_err", "authtok_lock_busy", "authtok_disable_aging", "try_again",
	"ignore", "abort", "authtok_expired", "module_unknown", "bad_item", "conv_again",
	"incomplete",
};

static void *
xrealloc(void *p, size_t size)
{
	void *n = realloc(p, size);

	if (n == NULL) {
		fputs("totp-admin: out of memory\n", stderr);
		exit(ADMIN_EXIT_ERROR);
	}
	return n;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

/* ---- reading a file as libpam does ---- */

/* libpam's _pam_StrTok with blanks as separators: "[...]" is one token,
 * without its brackets, "\]" inside it a "]". */
static char *
pam_token(char **next)
{
	char *from = *next, *end;

	if (from == NULL)
		return NULL;
	while (*from == ' ' || *from == '\t' || *from == '\n')
		from++;
	if (*from == '\0') {
		*next = NULL;
		return NULL;
	}
	if (*from == '[') {
		char *to;

		for (to = end = ++from; *end != '\0' && *end != ']'; ++to, ++end) {
			if (*end == '\\' && end[1] == ']')
				++end;
			*to = *end;
		}
		if (to != end)
			*to = '\0';
	} else {
		for (end = from; *end != '\0' && *end != ' ' && *end != '\t' && *end != '\n'; ++end)
			;
	}
	if (*end != '\0')
		*end++ = '\0';
	*next = *end != '\0' ? end : NULL;
	return from;
}

/* The next logical line of text from *pos, as libpam's
 * _pam_assemble_line: blank and comment lines skipped, everything from a
 * '#' on cut, a trailing backslash joining the next line. Its first line's
 * number in *line_no. NULL at the end. */
static char *
next_logical_line(char **pos, int *lineno, int *line_no, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	while (**pos != '\0') {
		char *nl = strchr(*pos, '\n'), *s = *pos, *cut;
		size_t len;

		*pos = nl != NULL ? nl + 1 : *pos + strlen(*pos);
		if (nl != NULL)
			*nl = '\0';
		++*lineno;
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		if (used == 0)
			*line_no = *lineno;
		cut = strchr(s, '#');
		if (cut != NULL)
			*cut = '\0';
		len = strlen(s);
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
			len--;
		if (used + len + 2 >= size)
			len = used + 2 < size ? size - used - 2 : 0;
		memcpy(out + used, s, len);
		used += len;
		out[used] = '\0';
		if (cut == NULL && used > 0 && out[used - 1] == '\\') {
			out[used - 1] = ' ';
			continue;
		}
		return out;
	}
	return used > 0 ? out : NULL;
}

/* Set the actions of a [value=action ...] control as libpam does; a
 * malformed one makes every value bad. */
static void
parse_bracket(const char *control, int act[OUT_N])
{
	char copy[128], *tok, *save = NULL;
	int dflt = ACT_UNDEF, bad = 0;

	for (int i = 0; i < OUT_N; i++)
		act[i] = ACT_UNDEF;
	snprintf(copy, sizeof(copy), "%s", control);
	for (tok = strtok_r(copy, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save)) {
		static const char *const actions[] = { "ignore", "ok", "done", "bad", "die", "reset" };
		char *eq = strchr(tok, '=');
		int value = -2, a = ACT_UNDEF;

		if (eq == NULL) {
			bad = 1;
			break;
		}
		*eq = '\0';
		if (strcmp(tok, "default") == 0)
			value = -1;
		for (size_t i = 0; i < sizeof(return_names) / sizeof(return_names[0]); i++)
			if (strcmp(tok, return_names[i]) == 0)
				value = (int)i;
		for (int i = 0; i < 6; i++)
			if (strcmp(eq + 1, actions[i]) == 0)
				a = -i;
		if (a == ACT_UNDEF) {
			unsigned n;

			if (text_parse_unsigned(eq + 1, 1, 1000, &n) != 0) {
				bad = 1;
				break;
			}
			a = (int)n;
		}
		if (value == -2) {
			bad = 1;
			break;
		}
		if (value == -1) {
			if (dflt == ACT_UNDEF)
				dflt = a;  /* default= fills only what is not set yet */
			continue;
		}
		if (strcmp(return_names[value], "success") == 0)
			act[OUT_SUCCESS] = a;
		else if (strcmp(return_names[value], "auth_err") == 0)
			act[OUT_AUTH_ERR] = a;
		else if (strcmp(return_names[value], "ignore") == 0)
			act[OUT_IGNORE] = a;
	}
	for (int i = 0; i < OUT_N; i++)
		if (bad || act[i] == ACT_UNDEF)
			act[i] = bad || dflt == ACT_UNDEF ? ACT_BAD : dflt;
}

/* The actions of a control word, or of any other word as the inside of
 * [...] (libpam reads it so); -1 for include and substack (*substack set
 * for the latter). */
static int
parse_control(const char *control, int act[OUT_N], int *substack)
{
	static const struct {
		const char *word;
		int success, auth_err, ignore;
	} words[] = {
		{ "required", ACT_OK, ACT_BAD, ACT_IGNORE },
		{ "requisite", ACT_OK, ACT_DIE, ACT_IGNORE },
		{ "optional", ACT_OK, ACT_IGNORE, ACT_IGNORE },
		{ "sufficient", ACT_DONE, ACT_IGNORE, ACT_IGNORE },
	};

	*substack = 0;
	if (strcasecmp(control, "include") == 0 || strcasecmp(control, "substack") == 0) {
		*substack = strcasecmp(control, "substack") == 0;
		return -1;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(control, words[i].word) == 0) {
			act[OUT_SUCCESS] = words[i].success;
			act[OUT_AUTH_ERR] = words[i].auth_err;
			act[OUT_IGNORE] = words[i].ignore;
			return 0;
		}
	}
	parse_bracket(control, act);
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static enum kind
module_kind(const char *module, int argc, char **argv)
{
	const char *name = base_name(module);

	if (strcmp(name, "pam_totp.so") == 0) {
		for (int i = 0; i < argc; i++)
			if (strcmp(argv[i], "split_pass") == 0)
				return KIND_TOTP_SPLIT;
		return KIND_TOTP;
	}
	if (strcmp(name, "pam_deny.so") == 0)
		return KIND_DENY;
	if (strcmp(name, "pam_permit.so") == 0)
		return KIND_PERMIT;
	for (size_t i = 0; i < sizeof(password_modules) / sizeof(password_modules[0]); i++)
		if (strcmp(name, password_modules[i]) == 0)
			return KIND_PASSWORD;
	return KIND_OTHER;
}

static struct pam_entry *
add_entry(struct pam_stack *s, const char *file, int line, int level, enum kind kind,
	  const char *control)
{
	struct pam_entry *e;

	if (s->n == s->cap) {
		s->cap = s->cap > 0 ? s->cap * 2 : 32;
		s->e = xrealloc(s->e, s->cap * sizeof(*s->e));
	}
	e = &s->e[s->n++];
	memset(e, 0, sizeof(*e));
	e->file = file;
	e->line = line;
	e->level = level;
	e->kind = kind;
	snprintf(e->control, sizeof(e->control), "%s", control);
	for (int i = 0; i < OUT_N; i++)
		e->act[i] = ACT_BAD;
	return e;
}

static void
free_stack(struct pam_stack *s)
{
	for (size_t i = 0; i < s->n; i++) {
		for (int a = 0; a < s->e[i].argc; a++)
			free(s->e[i].argv[a]);
		free(s->e[i].argv);
	}
	free(s->e);
	memset(s, 0, sizeof(*s));
}

/* The path of a service or included file: absolute as it is, else in the
 * PAM directory. */
static void
pam_path(const struct pam_ctx *x, const char *name, char *out, size_t size)
{
	if (name[0] == '/')
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%s/%s", x->dir, name);
}

/* The file's text (NUL-terminated, malloc'ed), or NULL. */
static char *
read_text(const char *path)
{
	FILE *f = check_open(path);
	char *buf;
	size_t n;

	if (f == NULL)
		return NULL;
	buf = xrealloc(NULL, PAM_FILE_MAX + 1);
	n = fread(buf, 1, PAM_FILE_MAX, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static const char *
intern_file(struct pam_ctx *x, const char *path)
{
	for (size_t i = 0; i < x->n_files; i++)
		if (strcmp(x->files[i], path) == 0)
			return x->files[i];
	x->files = xrealloc(x->files, (x->n_files + 1) * sizeof(*x->files));
	x->files[x->n_files] = xstrdup(path);
	return x->files[x->n_files++];
}

static int load_auth(struct pam_ctx *x, const char *name, int level, int depth,
		     struct pam_stack *s, const char *from, int from_line);

/* One logical line of a service file: its auth part into s. */
static void
load_line(struct pam_ctx *x, const char *file, int line_no, char *text, int level, int depth,
	  struct pam_stack *s)
{
	char *next = text, *tok, *control, shown[128];
	int act[OUT_N], substack = 0, rc, bracket;
	struct pam_entry *e;

	tok = pam_token(&next);
	if (tok == NULL)
		return;
	if (strcmp(tok, "@include") == 0) {
		tok = pam_token(&next);
		if (tok != NULL)
			load_auth(x, tok, level, depth + 1, s, file, line_no);
		return;
	}
	if (*tok == '-')
		tok++;
	if (strcasecmp(tok, "auth") != 0)
		return;
	bracket = next != NULL && next[strspn(next, " \t\n")] == '[';
	control = pam_token(&next);
	if (control == NULL) {
		add_entry(s, file, line_no, level, KIND_FAIL, "");
		return;
	}
	rc = parse_control(control, act, &substack);
	snprintf(shown, sizeof(shown), bracket ? "[%s]" : "%s", control);
	control = shown;
	tok = pam_token(&next);
	if (rc == -1) {
		if (substack)
			add_entry(s, file, line_no, level, KIND_SUBSTACK, control);
		if (tok == NULL ||
		    load_auth(x, tok, level + substack, depth + 1, s, file, line_no) != 0)
			add_entry(s, file, line_no, level, KIND_FAIL, control);
		return;
	}
	if (tok == NULL) {
		add_entry(s, file, line_no, level, KIND_FAIL, control);
		return;
	}
	e = add_entry(s, file, line_no, level, KIND_OTHER, control);
	memcpy(e->act, act, sizeof(act));
	snprintf(e->module, sizeof(e->module), "%s", tok);
	while ((tok = pam_token(&next)) != NULL) {
		e->argv = xrealloc(e->argv, (size_t)(e->argc + 1) * sizeof(*e->argv));
		e->argv[e->argc++] = xstrdup(tok);
	}
	e->kind = module_kind(e->module, e->argc, e->argv);
}

/* The auth lines of file name (and of what it includes) into s, at stack
 * level level. -1 when it cannot be read (libpam then adds a failing line). */
static int
load_auth(struct pam_ctx *x, const char *name, int level, int depth, struct pam_stack *s,
	  const char *from, int from_line)
{
	char path[PATH_MAX], *text, *pos, *logical;
	const char *file;
	int lineno = 0, line_no = 0;

	if (depth > INCLUDE_DEPTH_MAX || level >= INCLUDE_DEPTH_MAX) {
		if (from != NULL && x->too_deep == NULL) {
			x->too_deep = from;
			x->too_deep_line = from_line;
		}
		return -1;
	}
	pam_path(x, name, path, sizeof(path));
	text = read_text(path);
	if (text == NULL)
		return -1;
	file = intern_file(x, path);
	logical = xrealloc(NULL, PAM_FILE_MAX + 2);
	pos = text;
	while (next_logical_line(&pos, &lineno, &line_no, logical, PAM_FILE_MAX + 2) != NULL)
		load_line(x, file, line_no, logical, level, depth, s);
	free(logical);
	free(text);
	return 0;
}

/* ---- following a login through the stack, as libpam's dispatcher ---- */

/* Line i is not run; what was decided before it still holds. */
static void
skip(struct reach *out, size_t i, long password, long deny)
{
	out[i].reached = 0;
	out[i].password = password;
	out[i].deny = deny;
}

static void
follow(const struct pam_stack *s, int wrong_password, struct reach *out)
{
	enum { UNDEF, POSITIVE, NEGATIVE } impression = UNDEF, saved_imp[INCLUDE_DEPTH_MAX + 1];
	int ok = 0, saved_ok[INCLUDE_DEPTH_MAX + 1], level = 0, prev_level = 0;
	long password = -1, deny = -1;

	saved_imp[0] = UNDEF;
	saved_ok[0] = 0;
	for (size_t i = 0; i < s->n; prev_level = level, i++) {
		const struct pam_entry *e = &s->e[i];
		int r, action;

		level = e->level;
		out[i].reached = 1;
		out[i].password = password;
		out[i].deny = deny;
		if (prev_level < level) {
			saved_imp[level] = impression;
			saved_ok[level] = ok;
		}
		switch (e->kind) {
		case KIND_SUBSTACK:
			continue;
		case KIND_PASSWORD:
			r = wrong_password ? OUT_AUTH_ERR : OUT_SUCCESS;
			password = (long)i;
			break;
		case KIND_DENY:
		case KIND_FAIL:
			r = OUT_AUTH_ERR;
			break;
		case KIND_PERMIT:
		case KIND_TOTP:
			r = OUT_SUCCESS;  /* the right code: the lines after it are followed too */
			break;
		default:
			r = OUT_IGNORE;
			break;
		}
		action = e->act[r];
		if (e->kind == KIND_DENY && action != ACT_DIE)
			deny = (long)i;
		switch (action) {
		case ACT_RESET:
			impression = saved_imp[level];
			ok = saved_ok[level];
			continue;
		case ACT_OK:
		case ACT_DONE:
			if (impression == UNDEF || (impression == POSITIVE && ok)) {
				impression = POSITIVE;
				ok = r == OUT_SUCCESS;
			}
			if (impression == POSITIVE && action == ACT_DONE)
				break;  /* decided: to the end of this (sub)stack */
			continue;
		case ACT_BAD:
		case ACT_DIE:
			if (impression != NEGATIVE) {
				impression = NEGATIVE;
				ok = 0;
			}
			if (action == ACT_DIE)
				break;
			continue;
		case ACT_IGNORE:
			continue;
		default:
			/* skip action lines of this level, a substack counting as one */
			while (i + 1 < s->n && s->e[i + 1].level >= level && action > 0) {
				do
					skip(out, ++i, password, deny);
				while (i + 1 < s->n && s->e[i + 1].level > level);
				action--;
			}
			if (action > 0)
				impression = NEGATIVE;  /* a jump past the end */
			continue;
		}
		while (i + 1 < s->n && s->e[i + 1].level >= level)
			skip(out, ++i, password, deny);
	}
}

/* ---- each pam_totp line ---- */

static const char *
arg_value(const struct pam_entry *e, const char *name)
{
	const char *found = NULL;
	size_t n = strlen(name);

	for (int i = 0; i < e->argc; i++)
		if (strncmp(e->argv[i], name, n) == 0 &&
		    (e->argv[i][n] == '=' || e->argv[i][n] == '\0'))
			found = e->argv[i][n] == '=' ? e->argv[i] + n + 1 : e->argv[i] + n;
	return found;
}

/* Where option name of a pam_totp line comes from: the line, its
 * configuration file, or (*dflt) neither. */
static void
origin(struct check_run *r, const struct pam_entry *e, const char *conf, const char *name,
       const char **file, int *line, int *dflt)
{
	const struct check_conf *c;

	*dflt = 0;
	*file = e->file;
	*line = e->line;
	if (arg_value(e, name) != NULL)
		return;
	c = check_conf_get(r, conf);
	if ((*line = check_conf_line(c, name)) > 0) {
		*file = conf;
		return;
	}
	*line = e->line;
	*dflt = 1;
}

static const char *
describe(const struct pam_entry *e)
{
	static char buf[PATH_MAX + 200];

	snprintf(buf, sizeof(buf), "%s (%s %s)", check_at(e->file, e->line), check_esc(e->control),
		 check_esc(base_name(e->module)));
	return buf;
}

/* The stack's order around pam_totp line i. */
static void
check_order(struct check_run *r, const char *service, const struct pam_stack *s, size_t i,
	    const struct reach *wrong, const struct reach *right, int enrolls)
{
	const struct pam_entry *e = &s->e[i];
	char fix[1024];

	if (wrong[i].reached && wrong[i].password >= 0) {
		const struct pam_entry *p = &s->e[wrong[i].password];
		char where[PATH_MAX + 400];
		long sub = -1;

		snprintf(where, sizeof(where), "%s", describe(p));
		for (long j = wrong[i].password; j >= 0 && p->level > e->level && sub < 0; j--)
			if (s->e[j].kind == KIND_SUBSTACK && s->e[j].level == e->level)
				sub = j;
		if (sub >= 0) {
			size_t used = strlen(where);

			snprintf(where + used, sizeof(where) - used, ", inside the substack of %s "
				 "(a failure there ends only the substack)",
				 check_at(s->e[sub].file, s->e[sub].line));
			snprintf(fix, sizeof(fix), "take the file in with include (or @include) "
				 "instead of substack at %s", check_at(s->e[sub].file, s->e[sub].line));
		} else if (wrong[i].deny >= 0) {
			snprintf(fix, sizeof(fix), "make %s requisite, so that a wrong password ends "
				 "the login there (as Debian's common-auth does)",
				 describe(&s->e[wrong[i].deny]));
		} else {
			snprintf(fix, sizeof(fix), "make %s requisite (auth requisite %s), or "
				 "@include common-auth, whose pam_deny is requisite", check_at(p->file, p->line),
				 check_esc(base_name(p->module)));
		}
		check_add(r, CHECK_DANGER, "order", e->file, e->line, service, fix,
			  "pam_totp runs after a wrong password at %s: whoever tries a user name "
			  "with any password makes wrong codes count and locks its owner out%s",
			  where, enrolls ? "; with enroll=prompt it also enrols a phone before the "
			  "password is known" : "");
	}
	if (!right[i].reached && right[i].password >= 0) {
		const struct pam_entry *p = &s->e[right[i].password];

		snprintf(fix, sizeof(fix), "make %s requisite (or required), so that the "
			 "login goes on to pam_totp", check_at(p->file, p->line));
		check_add(r, CHECK_DANGER, "unreached", e->file, e->line, service, fix,
			  "pam_totp is never reached: a right password at %s ends the login "
			  "first, so no code is asked", describe(p));
	}
}

/* Whether the records are in the users' homes (secret= with %h). */
static int
in_home(const struct totp_config *cfg)
{
	char path[PATH_MAX], err[256];
	int home = 0;

	return config_record_path(cfg, "root", 0, "/root", path, sizeof(path), &home, err,
				  sizeof(err)) == 0 && home;
}

/* The option rules of a pam_totp line whose options load. */
static void
check_options(struct check_run *r, const char *service, const struct pam_entry *e,
	      const char *conf, const struct totp_config *cfg, int reached_without_password)
{
	const char *file, *file2;
	int line, line2, dflt;
	char fix[1024];

	if (cfg->nullok && cfg->enroll_until[0] != '\0' && r->now >= cfg->enroll_deadline) {
		origin(r, e, conf, "enroll_until", &file2, &line2, &dflt);
		origin(r, e, conf, "nullok", &file, &line, &dflt);
		check_add(r, CHECK_DANGER, "nullok-expired", file, line, service,
			  "remove nullok (totp-admin missing names who has no record yet)",
			  "nullok still lets users without a record in without a code, and the "
			  "roll-out ended: enroll_until=%s (%s) has passed", check_esc(cfg->enroll_until),
			  check_at(file2, line2));
	}
	if (cfg->enroll_prompt && (cfg->enroll_from[0] == '\0' || cfg->enroll_services[0] == '\0')) {
		int no_from = cfg->enroll_from[0] == '\0', no_services = cfg->enroll_services[0] == '\0';

		origin(r, e, conf, "enroll", &file, &line, &dflt);
		snprintf(fix, sizeof(fix), "add %s%s%s (README.md, \"Enrolment at first login\")",
			 no_from ? "enroll_from=YOUR-NETWORKS (like 10.0.0.0/8)" : "",
			 no_from && no_services ? " and " : "",
			 no_services ? "enroll_services=sshd" : "");
		check_add(r, CHECK_DANGER, "enroll-limits", file, line, service, fix,
			  "enroll=prompt without %s: %s%s%s", no_from && no_services ?
			  "enroll_from or enroll_services" : no_from ? "enroll_from" : "enroll_services",
			  no_from ? "whoever has a user's password, from anywhere, can enrol their own "
			  "phone" : "", no_from && no_services ? "; " : "",
			  no_services ? "a user enrols in every service that reaches this line, "
			  "sudo included" : "");
	}
	if (strcmp(service, "sshd") == 0) {
		struct totp_config only_services = *cfg;
		char why[256];

		only_services.enroll_from[0] = '\0';
		if (enroll_allowed(&only_services, "sshd", NULL, r->now, why, sizeof(why)) &&
		    !r->sshd_enroll) {
			origin(r, e, conf, "enroll", &file, &line, &dflt);
			r->sshd_enroll = 1;
			snprintf(r->sshd_enroll_at, sizeof(r->sshd_enroll_at), "%s", check_at(file, line));
		}
		if (reached_without_password && !r->sshd_code_alone) {
			r->sshd_code_alone = 1;
			snprintf(r->sshd_code_alone_at, sizeof(r->sshd_code_alone_at), "%s",
				 check_at(e->file, e->line));
		}
	}
	if ((strcmp(service, "sudo") == 0 || strcmp(service, "sudo-i") == 0) &&
	    cfg->store == CONFIG_STORE_FILE && in_home(cfg)) {
		origin(r, e, conf, "secret", &file, &line, &dflt);
		snprintf(fix, sizeof(fix), "keep sudo's records in the administrator's store: "
			 "secret=/var/lib/pam_totp/%%u on %s%s%s, and enrol with totp-enroll --user NAME",
			 check_at(e->file, e->line), dflt ? " or in " : "",
			 dflt ? check_esc(conf) : "");
		check_add(r, CHECK_DANGER, "sudo-home", e->file, e->line, service, fix,
			  "sudo checks codes against records in the home (secret=%s%s%s): the "
			  "record is the user's, so any program the user runs can read the secret, "
			  "reset the failures or put an older record back",
			  check_esc(cfg->secret_template), dflt ? ", the default" : " at ",
			  dflt ? "" : check_at(file, line));
	}
	if (cfg->store == CONFIG_STORE_POSTGRESQL) {
		char err[512];

		if (cfg->db_key[0] == '\0') {
			origin(r, e, conf, "db_key", &file, &line, &dflt);
			check_add(r, CHECK_WARNING, "key-file", file, line, service,
				  "remove db_key=none and run totp-enroll --init-db: it makes the "
				  "key file and seals the rows",
				  "db_key=none: every secret is in the database in the clear, for "
				  "whoever reads it, its log or a backup");
		}
		/* (a password in the file: check_conf_file) */
		if (cfg->db_origin == CONFIG_DB_ARGUMENT &&
		    enroll_db_check_password(cfg, err, sizeof(err)) != 0) {
			origin(r, e, conf, "db", &file, &line, &dflt);
			check_add(r, CHECK_DANGER, "config", file, line, service,
				  "put db= with its password in a configuration file readable by "
				  "root alone (chmod 600)",
				  "every login through pam_totp is refused: %s", check_esc(err));
		}
	}
	check_store(r, cfg, e->module, e->file, e->line, service);
}

static void
check_line(struct check_run *r, const char *service, const struct pam_stack *s, size_t i,
	   const struct reach *wrong, const struct reach *right)
{
	const struct pam_entry *e = &s->e[i];
	static struct totp_config cfg;
	const char *conf = arg_value(e, "conf"), **argv;
	char conf_word[PATH_MAX + 8], err[1024];
	int argc = 0;

	if (conf == NULL)
		conf = r->opts->conf != NULL ? r->opts->conf : CONFIG_DEFAULT_PATH;
	argv = xrealloc(NULL, (size_t)(e->argc + 1) * sizeof(*argv));
	if (arg_value(e, "conf") == NULL && r->opts->conf != NULL) {
		snprintf(conf_word, sizeof(conf_word), "conf=%s", r->opts->conf);
		argv[argc++] = conf_word;
	}
	for (int a = 0; a < e->argc; a++)
		argv[argc++] = e->argv[a];
	if (check_conf_file(r, conf, arg_value(e, "conf") != NULL || r->opts->conf != NULL,
			    service) != 0) {
		free(argv);
		return;  /* the file's own fault, named at the file */
	}
	if (config_load(&cfg, argc, argv, err, sizeof(err)) != 0) {
		free(argv);
		if (arg_value(e, "forward_pass") != NULL)
			check_add(r, CHECK_DANGER, "forward-pass", e->file, e->line, service,
				  "split_pass on a first pam_totp line, the password module with "
				  "use_first_pass, then pam_totp (examples/pam.d/"
				  "sshd-password-code-one-answer)",
				  "forward_pass is refused by this version: every login through this "
				  "line is denied");
		else
			check_add(r, CHECK_DANGER, "config", e->file, e->line, service,
				  "correct the option (pam_totp(8) lists every one)",
				  "every login through this line is refused: %s", check_esc(err));
		return;
	}
	free(argv);
	if (e->kind == KIND_TOTP_SPLIT)
		return;
	check_order(r, service, s, i, wrong, right, cfg.enroll_prompt);
	check_options(r, service, e, conf, &cfg, right[i].reached && right[i].password < 0);
}

/* The files other files include are not services of their own when their
 * names say so (Debian's common-*, the include files of other systems). */
static int
include_only(const char *name)
{
	static const char *const names[] = {
		"system-auth", "password-auth", "smartcard-auth", "fingerprint-auth",
		"postlogin", "system-login", "system-local-login", "system-remote-login",
		"system-services",
	};

	if (strncmp(name, "common-", 7) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* Backups and editor files beside the service files. */
static int
not_a_service(const char *name)
{
	static const char *const tails[] = {
		"~", ".bak", ".orig", ".old", ".rpmnew", ".rpmsave", ".swp",
	};
	size_t n = strlen(name);

	if (name[0] == '.' || strstr(name, ".dpkg-") != NULL || strstr(name, ".ucf-") != NULL)
		return 1;
	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		size_t t = strlen(tails[i]);

		if (n > t && strcmp(name + n - t, tails[i]) == 0)
			return 1;
	}
	return 0;
}

static void
check_service(struct pam_ctx *x, const char *service)
{
	struct pam_stack s = { 0 };
	struct reach *wrong, *right;
	int uses = 0;

	x->too_deep = NULL;
	load_auth(x, service, 0, 0, &s, NULL, 0);
	for (size_t i = 0; i < s.n; i++)
		uses |= s.e[i].kind == KIND_TOTP || s.e[i].kind == KIND_TOTP_SPLIT;
	if (uses && x->too_deep != NULL)
		check_add(x->r, CHECK_DANGER, "include", x->too_deep, x->too_deep_line, service,
			  "include files no deeper than 16 and never in a circle",
			  "includes nest too deep (or include each other): libpam refuses the stack");
	if (!uses) {
		free_stack(&s);
		return;
	}
	x->r->n_services++;
	if (strcmp(service, "sshd") == 0)
		x->r->sshd_totp = 1;
	wrong = xrealloc(NULL, s.n * sizeof(*wrong));
	right = xrealloc(NULL, s.n * sizeof(*right));
	follow(&s, 1, wrong);
	follow(&s, 0, right);
	for (size_t i = 0; i < s.n; i++)
		if (s.e[i].kind == KIND_TOTP || s.e[i].kind == KIND_TOTP_SPLIT)
			check_line(x->r, service, &s, i, wrong, right);
	free(wrong);
	free(right);
	free_stack(&s);
}

/* Whether file name is included by another file of the directory. */
static int
included(struct pam_ctx *x, struct dirent **list, int n, const char *name)
{
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], *text, *pos, *logical;
		int lineno = 0, line_no = 0, found = 0;

		if (strcmp(list[i]->d_name, name) == 0 || not_a_service(list[i]->d_name))
			continue;
		pam_path(x, list[i]->d_name, path, sizeof(path));
		if ((text = read_text(path)) == NULL)
			continue;
		logical = xrealloc(NULL, PAM_FILE_MAX + 2);
		pos = text;
		while (!found && next_logical_line(&pos, &lineno, &line_no, logical,
						   PAM_FILE_MAX + 2) != NULL) {
			char *next = logical, *tok[4];

			for (int t = 0; t < 4; t++)
				tok[t] = pam_token(&next);
			found = (tok[0] != NULL && strcmp(tok[0], "@include") == 0 && tok[1] != NULL &&
				 strcmp(base_name(tok[1]), name) == 0) ||
				(tok[1] != NULL && tok[2] != NULL &&
				 (strcasecmp(tok[1], "include") == 0 || strcasecmp(tok[1], "substack") == 0) &&
				 strcmp(base_name(tok[2]), name) == 0);
		}
		free(logical);
		free(text);
		if (found)
			return 1;
	}
	return 0;
}

int
check_pam(struct check_run *r)
{
	struct pam_ctx x = { r, r->opts->pam_dir != NULL ? r->opts->pam_dir : PAM_DIR_DEFAULT,
			     NULL, 0, NULL, 0 };
	struct dirent **list;
	int n = scandir(x.dir, &list, NULL, alphasort);

	if (n < 0) {
		fprintf(stderr, "totp-admin: cannot read the PAM directory %s: %s\n",
			check_esc(x.dir), strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;

		pam_path(&x, list[i]->d_name, path, sizeof(path));
		if (not_a_service(list[i]->d_name) || stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (include_only(list[i]->d_name) && included(&x, list, n, list[i]->d_name)))
			continue;
		check_service(&x, list[i]->d_name);
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	for (size_t i = 0; i < x.n_files; i++)
		free(x.files[i]);
	free(x.files);
	if (r->n_services == 0)
		check_add(r, CHECK_WARNING, "no-service", x.dir, 0, NULL,
			  "add pam_totp.so to the stacks that must ask for a code (README.md)",
			  "no service file here runs pam_totp.so: no login asks for a code");
	return 0;
}
