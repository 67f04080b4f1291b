/* totp-admin: who has a record, who has none, and opening one as a login
 * does (store_open: the same path, checks and lock). */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "login.h"

static void
user_from_passwd(const struct passwd *pw, struct admin_user *u)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir);
	u->su.name = u->name;
	u->su.uid = pw->pw_uid;
	u->su.gid = pw->pw_gid;
	u->su.home = u->home;
	u->known = 1;
}

int
admin_user_find(const struct admin_ctx *c, const char *name, struct admin_user *u)
{
	struct passwd *pw;

	if (strlen(name) >= sizeof(u->name)) {
		fprintf(stderr, "totp-admin: user name too long\n");
		return -1;
	}
	errno = 0;
	pw = getpwnam(name);
	if (pw != NULL) {
		user_from_passwd(pw, u);
		return 0;
	}
	if (!(c->store->flags & STORE_NAMES_RECORDS)) {
		/* the name may come from a usersfile (import-oath) */
		fprintf(stderr, "totp-admin: no such user '%s'\n", admin_esc(name));
		return -1;
	}
	/* the database's rows are named, not numbered: a user of another
	 * host can be seen and unlocked from here */
	memset(u, 0, sizeof(*u));
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->su.name = u->name;
	u->su.uid = (uid_t)-1;
	u->su.gid = (gid_t)-1;
	u->su.home = u->home;
	return 0;
}

int
admin_user_where(const struct admin_ctx *c, const struct admin_user *u, char *out, size_t size)
{
	char err[256];

	return store_where(c->store, &u->su, STORE_WHERE_ADMIN, out, size, err, sizeof(err)) > 0;
}

enum store_status
admin_open(const struct admin_ctx *c, const struct admin_user *u, struct totp_store **store,
	   char *err, size_t err_size)
{
	return store_open(c->store, &u->su, store, err, err_size);
}

/* ---- lists of users ---- */

struct user_list {
	struct admin_user *v;
	size_t n, cap;
};

static int
list_add(struct user_list *l, const struct admin_user *u)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct admin_user *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			fprintf(stderr, "totp-admin: out of memory\n");
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n] = *u;
	l->v[l->n].su.name = l->v[l->n].name;
	l->v[l->n].su.home = l->v[l->n].home;
	l->n++;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct admin_user *)a)->name, ((const struct admin_user *)b)->name);
}

/* Sort, drop repeated names (passwd may list one twice), fix the
 * pointers into each entry. */
static void
list_finish(struct user_list *l, struct admin_user **users, size_t *n)
{
	size_t out = 0;

	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), by_name);
	for (size_t i = 0; i < l->n; i++) {
		if (out > 0 && strcmp(l->v[out - 1].name, l->v[i].name) == 0)
			continue;
		l->v[out] = l->v[i];
		l->v[out].su.name = l->v[out].name;
		l->v[out].su.home = l->v[out].home;
		out++;
	}
	*users = l->v;
	*n = out;
}

/* Whether u is not enrolled, as nullok decides it: no record, or only an
 * enrolment at login shown and never confirmed. */
static int
no_record(const struct admin_ctx *c, const struct admin_user *u)
{
	struct totp_record pending;
	int none = login_enroll_due(c->store, &u->su, &pending);

	record_wipe(&pending);
	return none;
}

int
admin_enrolled(const struct admin_ctx *c, struct admin_user **users, size_t *n)
{
	struct user_list l = { NULL, 0, 0 };
	struct admin_user u;
	char **names = NULL, err[512];
	size_t count = 0;

	*users = NULL;
	*n = 0;
	if (store_users(c->store, &names, &count, err, sizeof(err)) != STORE_OK) {
		fprintf(stderr, "totp-admin: %s\n", admin_esc(err));
		return -1;
	}
	/* a store that names its records lists them; the file store's
	 * records are found from passwd */
	if (c->store->flags & STORE_NAMES_RECORDS) {
		for (size_t i = 0; i < count; i++) {
			struct passwd *pw = getpwnam(names[i]);

			if (pw != NULL) {
				user_from_passwd(pw, &u);
			} else {
				memset(&u, 0, sizeof(u));
				snprintf(u.name, sizeof(u.name), "%s", names[i]);
				u.su.uid = (uid_t)-1;
				u.su.gid = (gid_t)-1;
			}
			if (list_add(&l, &u) != 0) {
				store_free_names(names, count);
				free(l.v);
				return -1;
			}
		}
		store_free_names(names, count);
	} else {
		struct passwd *pw;

		setpwent();
		while ((pw = getpwent()) != NULL) {
			user_from_passwd(pw, &u);
			if (!no_record(c, &u) && list_add(&l, &u) != 0) {
				endpwent();
				free(l.v);
				return -1;
			}
		}
		endpwent();
	}
	list_finish(&l, users, n);
	return 0;
}

/* UID_MIN and UID_MAX from /etc/login.defs, as useradd reads them. */
static void
human_uid_range(uid_t *lo, uid_t *hi)
{
	FILE *f = fopen("/etc/login.defs", "re");
	char line[256];
	unsigned long v;

	*lo = 1000;
	*hi = 60000;
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " UID_MIN %lu", &v) == 1)
			*lo = (uid_t)v;
		else if (sscanf(line, " UID_MAX %lu", &v) == 1)
			*hi = (uid_t)v;
	}
	fclose(f);
}

static int
in_group(const struct passwd *pw, const struct group *gr)
{
	if (pw->pw_gid == gr->gr_gid)
		return 1;
	for (char **m = gr->gr_mem; m != NULL && *m != NULL; m++)
		if (strcmp(*m, pw->pw_name) == 0)
			return 1;
	return 0;
}

int
admin_unenrolled(const struct admin_ctx *c, const char *group, struct admin_user **users,
		 size_t *n)
{
	struct user_list l = { NULL, 0, 0 };
	struct admin_user u;
	struct group *gr = NULL;
	struct passwd *pw;
	uid_t lo, hi;

	*users = NULL;
	*n = 0;
	human_uid_range(&lo, &hi);
	if (group != NULL) {
		struct group *g = getgrnam(group);

		if (g == NULL) {
			fprintf(stderr, "totp-admin: no such group '%s'\n", admin_esc(group));
			return -1;
		}
		/* getpwent below may reuse getgrnam's buffers: keep a copy */
		gr = malloc(sizeof(*gr));
		if (gr == NULL)
			return -1;
		*gr = *g;
		{
			size_t k = 0;

			while (g->gr_mem != NULL && g->gr_mem[k] != NULL)
				k++;
			gr->gr_mem = calloc(k + 1, sizeof(char *));
			for (size_t i = 0; gr->gr_mem != NULL && i < k; i++)
				gr->gr_mem[i] = strdup(g->gr_mem[i]);
		}
	}
	setpwent();
	while ((pw = getpwent()) != NULL) {
		int wanted = gr != NULL ? in_group(pw, gr) : pw->pw_uid >= lo && pw->pw_uid <= hi;

		if (!wanted)
			continue;
		user_from_passwd(pw, &u);
		if (no_record(c, &u) && list_add(&l, &u) != 0)
			break;
	}
	endpwent();
	if (gr != NULL) {
		for (size_t i = 0; gr->gr_mem != NULL && gr->gr_mem[i] != NULL; i++)
			free(gr->gr_mem[i]);
		free(gr->gr_mem);
		free(gr);
	}
	list_finish(&l, users, n);
	return 0;
}

void
admin_summarise(const struct admin_ctx *c, const struct admin_user *u, struct admin_summary *s)
{
	struct totp_store *store = NULL;
	struct totp_record rec;

	memset(s, 0, sizeof(*s));
	memset(&rec, 0, sizeof(rec));
	snprintf(s->user, sizeof(s->user), "%s", u->name);
	s->in_home = admin_user_where(c, u, s->where, sizeof(s->where));
	s->st = admin_open(c, u, &store, s->error, sizeof(s->error));
	if (s->st == STORE_OK) {
		s->st = store_read(store, &rec, s->error, sizeof(s->error));
		store_close(store);
	}
	if (s->st == STORE_REMOVED) {
		s->removed_at = rec.removed_at;
		memcpy(s->removed_by, rec.removed_by, sizeof(s->removed_by));
	}
	/* shown at a login, never confirmed: not enrolled (missing lists it) */
	if (s->st == STORE_PENDING) {
		s->st = STORE_NOT_FOUND;
		s->pending_until = rec.pending_until;
	}
	if (s->st != STORE_OK) {
		record_wipe(&rec);
		return;
	}
	s->alg = rec.alg;
	s->digits = rec.digits;
	s->period = rec.period;
	s->last_step = rec.state.last_step;
	s->failures = rec.state.failures;
	s->locked_until = rec.state.locked_until;
	s->recovery_left = rec.recovery_count;
	s->enrolled_at_login = rec.enrolled_at_login;
	memcpy(s->enrolled_service, rec.enrolled_service, sizeof(s->enrolled_service));
	memcpy(s->enrolled_rhost, rec.enrolled_rhost, sizeof(s->enrolled_rhost));
	record_wipe(&rec);
}

const char *
admin_state_name(const struct admin_ctx *c, const struct admin_summary *s)
{
	struct totp_state st;

	if (s->st == STORE_REMOVED)
		return "removed";
	if (s->st != STORE_OK)
		return "error";
	record_state_init(&st);
	st.failures = s->failures;
	if (verify_disabled(&st, &c->cfg.policy))
		return "disabled";
	if (s->locked_until > c->now)
		return "locked";
	return "ok";
}
