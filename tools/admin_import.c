/* totp-admin import-ga and import-oath: a pam_totp record with the same
 * secret, so the user's app keeps working. Each user is judged alone: a
 * refused one (an unsafe or unknown file, an HOTP secret, an existing
 * enrolment) is reported with its reason and the others go on. The files
 * read are never written. --dry-run checks everything and writes nothing.
 * Names, paths and reasons (they quote the files' lines) are shown through
 * admin_esc: the files and the homes are the users'. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>

#include "admin.h"
#include "enroll.h"
#include "ga_file.h"
#include "login.h"
#include "oath_file.h"
#include "secure.h"
#include "text.h"

#define GA_FILE_NAME ".google_authenticator"

/* Read a file that holds a secret, refusing what its owner could not have
 * meant to keep secret: a link, anything but a regular file, a wrong
 * owner, group or other access, more than one name. */
static int
read_secret_file(const char *path, uid_t owner, char *buf, size_t size, size_t *len,
		 char *err, size_t err_size)
{
	struct stat st;
	ssize_t n;
	int fd, ret = -1;

	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			text_error(err, err_size, "%s is a symbolic link", path);
		else
			text_error(err, err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0)
		text_error(err, err_size, "cannot stat %s: %s", path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		text_error(err, err_size, "%s is not a regular file", path);
	else if (st.st_uid != owner)
		text_error(err, err_size, "%s has the wrong owner (uid %lu)", path,
			   (unsigned long)st.st_uid);
	else if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		text_error(err, err_size, "%s is accessible by group or others (mode %04o): "
			   "its secret may be known; enrol anew with totp-enroll", path,
			   (unsigned)(st.st_mode & 07777));
	else if (st.st_nlink != 1)
		text_error(err, err_size, "%s has more than one hard link", path);
	else if ((size_t)st.st_size >= size)
		text_error(err, err_size, "%s is larger than %zu bytes", path, size - 1);
	else
		ret = 0;
	while (ret == 0 && *len < size) {
		n = read(fd, buf + *len, size - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			text_error(err, err_size, "cannot read %s: %s", path, strerror(errno));
			ret = -1;
		}
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	if (ret == 0 && *len == size) {
		text_error(err, err_size, "%s grew while it was read", path);
		ret = -1;
	}
	close(fd);
	return ret;
}

/* Whether u already has an enrolment: 1 yes, 2 a tombstone (totp-admin
 * remove: err says when and by whom), 0 no, -1 cannot tell (err). */
static int
enrolled(const struct admin_ctx *c, const struct admin_user *u, char *err, size_t err_size)
{
	struct totp_store *store = NULL;
	struct totp_record rec;
	enum store_status st = admin_open(c, u, &store, err, err_size);

	if (st == STORE_OK) {
		/* a record that does not read is an enrolment all the same */
		if (store_read(store, &rec, err, err_size) == STORE_REMOVED)
			st = STORE_REMOVED;
		record_wipe(&rec);
	}
	store_close(store);
	if (st == STORE_NOT_FOUND)
		return 0;
	if (st == STORE_OK)
		return 1;
	return st == STORE_REMOVED ? 2 : -1;
}

/* Write rec as u's new record (never over an existing one). */
static int
write_new(const struct admin_ctx *c, const struct admin_user *u, const struct totp_record *rec,
	  char *err, size_t err_size)
{
	struct store_create_why cw;

	/* the directory checked as totp-enroll checks it (outside the home
	 * a root store directory, made when missing; the record root's) */
	if (store_can_create(c->store, &u->su, 0, &cw) != 0) {
		enroll_create_why_text(&cw, u->name, err, err_size);
		return -1;
	}
	return store_create(c->store, &u->su, rec, 0, err, err_size) == STORE_OK ? 0 : -1;
}

/* Import rec for u, or say why not. source names the file for the
 * output and the log. 0 imported (or would be, with --dry-run), 1
 * refused, -1 a write error. */
static int
import_one(const struct admin_ctx *c, const struct admin_user *u, const struct totp_record *rec,
	   const char *source, const char *what)
{
	char err[512] = "";
	int e = enrolled(c, u, err, sizeof(err));

	if (e != 0) {
		printf("%s: refused: %s%s\n", admin_esc(u->name),
		       e == 1 ? "already enrolled (totp-admin reset first to replace it)"
			      : admin_esc(err), e == 2 ? " (totp-admin reset first to import)" : "");
		return 1;
	}
	if (c->dry_run) {
		printf("%s: would import %s (%s)\n", admin_esc(u->name), admin_esc(source), what);
		return 0;
	}
	if (write_new(c, u, rec, err, sizeof(err)) != 0) {
		printf("%s: failed: %s\n", admin_esc(u->name), admin_esc(err));
		audit_log(c->admin, LOG_ERR, u->name, "import from %s failed: %s", source, err);
		return -1;
	}
	printf("%s: imported %s (%s)\n", admin_esc(u->name), admin_esc(source), what);
	audit_log(c->admin, LOG_NOTICE, u->name, "imported from %s (%s)", source, what);
	return 0;
}

static void
record_base(struct totp_record *rec, const uint8_t *secret, size_t secret_len, unsigned digits,
	    unsigned period, int64_t now)
{
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->secret, secret, secret_len);
	rec->secret_len = secret_len;
	rec->alg = OTP_ALG_SHA1;
	rec->digits = digits;
	rec->period = period;
	rec->created = now;
	record_state_init(&rec->state);
}

/* Tally of one import run, and its exit status. */
struct tally {
	int imported, refused, failed;
};

static void
count(struct tally *t, int r)
{
	if (r == 0)
		t->imported++;
	else if (r > 0)
		t->refused++;
	else
		t->failed++;
}

static int
finish(const struct admin_ctx *c, const struct tally *t)
{
	printf("%d %s, %d refused, %d failed%s\n", t->imported,
	       c->dry_run ? "to import" : "imported", t->refused, t->failed,
	       c->dry_run ? " (dry run: nothing written)" : "");
	return t->failed > 0 ? ADMIN_EXIT_ERROR : t->refused > 0 ? ADMIN_EXIT_REFUSED
							 : ADMIN_EXIT_OK;
}

/* ---- google-authenticator ---- */

static int
import_ga_user(const struct admin_ctx *c, const struct admin_user *u)
{
	char path[PATH_MAX], buf[GA_FILE_MAX_BYTES + 1], err[512], what[160];
	const char *codes[RECORD_RECOVERY_MAX];
	struct fs_identity fsid;
	struct ga_file g;
	struct totp_record rec;
	size_t len = 0;
	int r, ret = 1;

	memset(&rec, 0, sizeof(rec));
	if (snprintf(path, sizeof(path), "%s/%s", u->home, GA_FILE_NAME) >= (int)sizeof(path)) {
		printf("%s: refused: home directory path too long\n", admin_esc(u->name));
		return 1;
	}
	/* as the user: root must not follow the user's links */
	if (secure_fsid_enter(&fsid, u->su.uid, u->su.gid) != 0) {
		printf("%s: refused: cannot take the user's file-system identity\n",
		       admin_esc(u->name));
		return 1;
	}
	r = read_secret_file(path, u->su.uid, buf, sizeof(buf), &len, err, sizeof(err));
	secure_fsid_leave(&fsid);
	if (r != 0) {
		printf("%s: refused: %s\n", admin_esc(u->name), admin_esc(err));
		goto out;
	}
	if (ga_file_parse(buf, len, &g, err, sizeof(err)) != 0) {
		/* err may quote the file: an option's name */
		printf("%s: refused: %s: %s\n", admin_esc(u->name), admin_esc(path),
		       admin_esc(err));
		goto out;
	}
	record_base(&rec, g.secret, g.secret_len, 6, g.period, c->now);
	rec.state.last_step = g.last_step;
	rec.state.skew = g.skew;
	for (size_t i = 0; i < g.n_scratch; i++)
		codes[i] = g.scratch[i];
	if (g.n_scratch > 0 && recovery_set(&rec, codes, g.n_scratch, 0) != 0) {
		printf("%s: failed: cannot hash the scratch codes\n", admin_esc(u->name));
		ga_file_wipe(&g);
		ret = -1;
		goto out;
	}
	snprintf(what, sizeof(what), "SHA1, 6 digits, %u s, %zu scratch code%s as recovery codes%s",
		 g.period, g.n_scratch, g.n_scratch == 1 ? "" : "s",
		 g.rate_limit || g.window_size != 0 ? "; RATE_LIMIT and WINDOW_SIZE give way "
		 "to pam_totp.conf" : "");
	ga_file_wipe(&g);
	ret = import_one(c, u, &rec, path, what);
out:
	secure_wipe(buf, sizeof(buf));
	record_wipe(&rec);
	return ret;
}

/* Whether u has a google-authenticator file (of any kind: a link is
 * refused later, with its reason, not skipped). */
static int
has_ga_file(const struct admin_user *u)
{
	char path[PATH_MAX];
	struct fs_identity fsid;
	struct stat st;
	int r;

	if (snprintf(path, sizeof(path), "%s/%s", u->home, GA_FILE_NAME) >= (int)sizeof(path) ||
	    secure_fsid_enter(&fsid, u->su.uid, u->su.gid) != 0)
		return 0;
	r = lstat(path, &st) == 0;
	secure_fsid_leave(&fsid);
	return r;
}

int
admin_import_ga(const struct admin_ctx *c, char **names, int n, int all)
{
	struct tally t = { 0, 0, 0 };
	struct admin_user u;

	if (all) {
		struct passwd *pw;
		struct admin_user *v = NULL;
		size_t nv = 0, cap = 0;

		setpwent();
		while ((pw = getpwent()) != NULL) {
			if (admin_user_find(c, pw->pw_name, &u) != 0 || !has_ga_file(&u))
				continue;
			if (nv == cap) {
				struct admin_user *bigger = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

				if (bigger == NULL) {
					endpwent();
					free(v);
					fputs("totp-admin: out of memory\n", stderr);
					return ADMIN_EXIT_ERROR;
				}
				v = bigger;
			}
			v[nv++] = u;
		}
		endpwent();
		for (size_t i = 0; i < nv; i++) {
			v[i].su.name = v[i].name;
			v[i].su.home = v[i].home;
			count(&t, import_ga_user(c, &v[i]));
		}
		free(v);
		return finish(c, &t);
	}
	for (int i = 0; i < n; i++) {
		if (admin_user_find(c, names[i], &u) != 0 || !u.known) {
			if (u.known == 0 && (c->store->flags & STORE_NAMES_RECORDS))
				printf("%s: refused: no such user here (no home to read)\n",
				       admin_esc(names[i]));
			t.refused++;
			continue;
		}
		count(&t, import_ga_user(c, &u));
	}
	return finish(c, &t);
}

/* ---- pam_oath usersfile ---- */

struct names {
	char **v;
	size_t n;
};

/* 0 when name is new (now remembered), 1 when seen, -1 out of memory. */
static int
seen_before(struct names *s, const char *name)
{
	char **bigger;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 1;
	bigger = realloc(s->v, (s->n + 1) * sizeof(*s->v));
	if (bigger == NULL)
		return -1;
	s->v = bigger;
	if ((s->v[s->n] = strdup(name)) == NULL)
		return -1;
	s->n++;
	return 0;
}

int
admin_import_oath(const struct admin_ctx *c, const char *file)
{
	static char buf[1024 * 1024];
	struct tally t = { 0, 0, 0 };
	char err[512], line[2048], what[96];
	struct names seen = { NULL, 0 };
	size_t len, pos = 0;
	unsigned lineno = 0;

	if (read_secret_file(file, 0, buf, sizeof(buf), &len, err, sizeof(err)) != 0) {
		fprintf(stderr, "totp-admin: refused: %s\n", admin_esc(err));
		return ADMIN_EXIT_ERROR;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		struct oath_entry e;
		struct totp_record rec;
		struct admin_user u;
		int r;

		lineno++;
		if (n >= sizeof(line) || memchr(buf + pos, '\0', n) != NULL) {
			printf("line %u: refused: too long or a NUL byte\n", lineno);
			t.refused++;
			pos += n + (nl != NULL);
			continue;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		r = oath_line_parse(line, &e, err, sizeof(err));
		secure_wipe(line, sizeof(line));
		if (r == 0)
			continue;
		if (r < 0) {
			/* err may quote the line: its type, its user */
			printf("line %u: refused: %s\n", lineno, admin_esc(err));
			t.refused++;
			continue;
		}
		/* one user, one line: a second one would be a second secret */
		if (seen_before(&seen, e.user) != 0) {
			printf("line %u: refused: %s appears on an earlier line (or out of memory)\n",
			       lineno, admin_esc(e.user));
			t.refused++;
			secure_wipe(&e, sizeof(e));
			continue;
		}
		/* a user of this host, as the man page says: the PostgreSQL
		 * store would also take a name no passwd entry has */
		if (admin_user_find(c, e.user, &u) != 0 || !u.known) {
			if (u.known == 0 && (c->store->flags & STORE_NAMES_RECORDS))
				printf("line %u: refused: no such user '%s' here\n", lineno,
				       admin_esc(e.user));
			t.refused++;
			secure_wipe(&e, sizeof(e));
			continue;
		}
		record_base(&rec, e.secret, e.secret_len, e.digits, e.period, c->now);
		if (e.last_used >= 0)
			rec.state.last_step = e.last_used / (int64_t)e.period;
		snprintf(what, sizeof(what), "SHA1, %u digits, %u s", e.digits, e.period);
		secure_wipe(&e, sizeof(e));
		{
			char source[PATH_MAX + 32];

			snprintf(source, sizeof(source), "%s line %u", file, lineno);
			count(&t, import_one(c, &u, &rec, source, what));
		}
		record_wipe(&rec);
	}
	for (size_t i = 0; i < seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	secure_wipe(buf, len);
	return finish(c, &t);
}
