/* totp-admin check: the run, its findings, and how they are shown.
 * One line a finding, FILE:LINE: danger: WHAT; fix: HOW (or warning:),
 * or with --json an array of objects; exit 6 when any danger is found. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "admin_check.h"
#include "text.h"

#define ESC_BUFFERS 8

const char *
check_esc(const char *s)
{
	static char bufs[ESC_BUFFERS][PATH_MAX];
	static unsigned next;
	char *out = bufs[next++ % ESC_BUFFERS];

	return text_escape(s, out, PATH_MAX);
}

const char *
check_at(const char *file, int line)
{
	static char bufs[ESC_BUFFERS][PATH_MAX + 32];
	static unsigned next;
	char *out = bufs[next++ % ESC_BUFFERS];
	char esc[PATH_MAX];

	text_escape(file, esc, sizeof(esc));
	if (line > 0)
		snprintf(out, PATH_MAX + 32, "%s:%d", esc, line);
	else
		snprintf(out, PATH_MAX + 32, "%s", esc);
	return out;
}

FILE *
check_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		return NULL;
	}
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

/* Add service (escaped) to a ", "-separated list, once. */
static void
add_service(char *list, size_t size, const char *service)
{
	char esc[128];
	size_t used = strlen(list), n;
	const char *p = list;

	if (service == NULL)
		return;
	text_escape(service, esc, sizeof(esc));
	n = strlen(esc);
	while (*p != '\0') {
		const char *end = strstr(p, ", ");
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, esc, n) == 0)
			return;
		p += len + (end != NULL ? 2 : 0);
	}
	if (used + n + 3 < size)
		snprintf(list + used, size - used, "%s%s", used > 0 ? ", " : "", esc);
}

void
check_add(struct check_run *r, enum check_severity sev, const char *rule,
	  const char *file, int line, const char *service, const char *fix,
	  const char *fmt, ...)
{
	struct check_finding f;
	va_list ap;

	memset(&f, 0, sizeof(f));
	text_escape(file, f.file, sizeof(f.file));
	f.line = line;
	f.severity = sev;
	f.rule = rule;
	snprintf(f.fix, sizeof(f.fix), "%s", fix);
	va_start(ap, fmt);
	vsnprintf(f.message, sizeof(f.message), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < r->n_findings; i++) {
		struct check_finding *o = &r->findings[i];

		if (o->line == f.line && o->severity == f.severity && strcmp(o->rule, f.rule) == 0 &&
		    strcmp(o->file, f.file) == 0 && strcmp(o->message, f.message) == 0 &&
		    strcmp(o->fix, f.fix) == 0) {
			add_service(o->services, sizeof(o->services), service);
			return;
		}
	}
	if (r->n_findings == r->cap_findings) {
		size_t cap = r->cap_findings > 0 ? r->cap_findings * 2 : 16;
		struct check_finding *n = realloc(r->findings, cap * sizeof(*n));

		if (n == NULL) {
			fputs("totp-admin: out of memory\n", stderr);
			exit(ADMIN_EXIT_ERROR);
		}
		r->findings = n;
		r->cap_findings = cap;
	}
	add_service(f.services, sizeof(f.services), service);
	f.order = r->n_findings;
	r->findings[r->n_findings++] = f;
}

/* By file, then line; findings of one place in the order they were made. */
static int
by_place(const void *a, const void *b)
{
	const struct check_finding *x = a, *y = b;
	int c = strcmp(x->file, y->file);

	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static const char *
severity_name(enum check_severity s)
{
	return s == CHECK_DANGER ? "danger" : "warning";
}

/* WHAT, with the services it concerns. */
static void
what(const struct check_finding *f, char *out, size_t size)
{
	if (f->services[0] == '\0')
		snprintf(out, size, "%s", f->message);
	else
		snprintf(out, size, "%s (service%s %s)", f->message,
			 strchr(f->services, ',') != NULL ? "s" : "", f->services);
}

static void
print_text(const struct check_run *r)
{
	char text[sizeof(((struct check_finding *)0)->message) + 600];

	for (size_t i = 0; i < r->n_findings; i++) {
		const struct check_finding *f = &r->findings[i];

		what(f, text, sizeof(text));
		if (f->line > 0)
			printf("%s:%d: ", f->file, f->line);
		else
			printf("%s: ", f->file);
		printf("%s: %s; fix: %s\n", severity_name(f->severity), text, f->fix);
	}
}

static void
print_json(const struct check_run *r)
{
	char text[sizeof(((struct check_finding *)0)->message) + 600];

	putchar('[');
	for (size_t i = 0; i < r->n_findings; i++) {
		const struct check_finding *f = &r->findings[i];

		what(f, text, sizeof(text));
		fputs(i > 0 ? ",\n {\"file\":" : "\n {\"file\":", stdout);
		json_string(f->file);
		if (f->line > 0)
			printf(",\"line\":%d", f->line);
		else
			fputs(",\"line\":null", stdout);
		fputs(",\"severity\":", stdout);
		json_string(severity_name(f->severity));
		fputs(",\"rule\":", stdout);
		json_string(f->rule);
		fputs(",\"message\":", stdout);
		json_string(text);
		fputs(",\"fix\":", stdout);
		json_string(f->fix);
		putchar('}');
	}
	fputs(r->n_findings > 0 ? "\n]\n" : "]\n", stdout);
}

int
admin_check(const struct admin_check_opts *o)
{
	const char *given[] = { o->conf, o->sshd_config, o->sshd_t };
	struct check_run r;
	int dangers = 0;

	for (size_t i = 0; i < sizeof(given) / sizeof(given[0]); i++) {
		if (given[i] != NULL && access(given[i], R_OK) != 0) {
			fprintf(stderr, "totp-admin: %s: %s\n", check_esc(given[i]), strerror(errno));
			return ADMIN_EXIT_ERROR;
		}
	}
	memset(&r, 0, sizeof(r));
	r.opts = o;
	r.now = (int64_t)time(NULL);
	if (check_pam(&r) != 0) {
		free(r.findings);
		free(r.confs);
		return ADMIN_EXIT_ERROR;
	}
	check_conf_file(&r, o->conf != NULL ? o->conf : CONFIG_DEFAULT_PATH, o->conf != NULL, NULL);
	if (r.sshd_totp)
		check_sshd(&r);
	if (r.n_findings > 0)
		qsort(r.findings, r.n_findings, sizeof(*r.findings), by_place);
	if (o->json)
		print_json(&r);
	else
		print_text(&r);
	for (size_t i = 0; i < r.n_findings; i++)
		dangers += r.findings[i].severity == CHECK_DANGER;
	free(r.findings);
	free(r.confs);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("totp-admin: cannot write the findings\n", stderr);
		return ADMIN_EXIT_ERROR;
	}
	return dangers > 0 ? ADMIN_EXIT_DANGER : ADMIN_EXIT_OK;
}
