/* totp-admin unlock, remove and reset: each one transaction on the user's
 * record under the login's lock (admin_open), written by the store's own
 * writer, and one syslog line naming the administrator (audit.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "admin.h"
#include "text.h"

int
admin_unlock(const struct admin_ctx *c, const char *name)
{
	struct admin_user u;
	struct totp_store *store = NULL;
	struct totp_record rec;
	struct totp_state next;
	char err[512], until[TEXT_TIME_SIZE];
	enum store_status st;
	int ret = ADMIN_EXIT_ERROR;

	memset(&rec, 0, sizeof(rec));
	if (admin_user_find(c, name, &u) != 0)
		return ADMIN_EXIT_NO_RECORD;
	st = admin_open(c, &u, &store, err, sizeof(err));
	if (st == STORE_OK)
		st = store_read(store, &rec, err, sizeof(err));
	if (st != STORE_OK) {
		/* no record, a tombstone or a pending enrolment: nothing to
		 * unlock, as not enrolled */
		int none = st == STORE_NOT_FOUND || st == STORE_REMOVED || st == STORE_PENDING;

		fprintf(stderr, "totp-admin: %s: %s\n", admin_esc(u.name), admin_esc(err));
		if (!none)
			audit_log(c->admin, LOG_ERR, u.name, "unlock failed: %s", err);
		ret = none ? ADMIN_EXIT_NO_RECORD : ADMIN_EXIT_ERROR;
		goto out;
	}
	if (rec.state.failures == 0 && rec.state.locked_until == 0) {
		printf("%s is not locked: nothing changed\n", admin_esc(u.name));
		ret = ADMIN_EXIT_OK;
		goto out;
	}
	/* the failure count and the lock-out go; the secret, the replay state
	 * (last step, skew, a pending re-sync) and the recovery codes stay */
	next = rec.state;
	next.failures = 0;
	next.locked_until = 0;
	if (rec.state.locked_until > 0)
		text_time(rec.state.locked_until, until);
	else
		snprintf(until, sizeof(until), "-");
	st = store_write_state(store, &rec, &next, err, sizeof(err));
	if (st != STORE_OK) {
		fprintf(stderr, "totp-admin: %s: %s\n", admin_esc(u.name), admin_esc(err));
		audit_log(c->admin, LOG_ERR, u.name, "unlock failed: %s", err);
		goto out;
	}
	audit_log(c->admin, LOG_NOTICE, u.name, "unlocked (%u failures cleared, was locked until %s)",
		  rec.state.failures, until);
	printf("%s unlocked (%u failures cleared)\n", admin_esc(u.name), rec.state.failures);
	ret = ADMIN_EXIT_OK;
out:
	store_close(store);
	record_wipe(&rec);
	return ret;
}

/* remove and reset */
enum change { CHANGE_REMOVE, CHANGE_RESET };

/* Ask question: yes or y, anything else (or end of input) is no. */
static int
confirmed(const char *question)
{
	char line[64];

	printf("%s [y/N] ", question);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "yes") == 0;
}

/* "already removed", for s of a tombstone, on stderr */
static void
say_removed(const struct admin_summary *s)
{
	char when[TEXT_TIME_SIZE];

	text_time(s->removed_at, when);
	fprintf(stderr, "totp-admin: %s is already removed (on %s by %s); "
		"totp-admin reset %s lets them enrol again\n", admin_esc(s->user), when,
		admin_esc(s->removed_by), admin_esc(s->user));
}

/* Before the lock is taken (logins do not wait on a person): u found,
 * s its summary, the question asked unless yes. 0 to go on, else the
 * exit status. */
static int
ask_first(const struct admin_ctx *c, enum change what, const char *name, int yes,
	  struct admin_user *u, struct admin_summary *s)
{
	char question[4 * ADMIN_NAME_MAX + 256];

	if (admin_user_find(c, name, u) != 0)
		return ADMIN_EXIT_NO_RECORD;
	admin_summarise(c, u, s);
	/* an enrolment at login shown and not confirmed can be removed (a
	 * leaver must not finish it) or reset (its secret forgotten) */
	if (s->st == STORE_NOT_FOUND && s->pending_until == 0) {
		fprintf(stderr, "totp-admin: %s is not enrolled\n", admin_esc(u->name));
		return ADMIN_EXIT_NO_RECORD;
	}
	if (what == CHANGE_REMOVE && s->st == STORE_REMOVED) {
		say_removed(s);
		return ADMIN_EXIT_NO_RECORD;
	}
	if (yes)
		return ADMIN_EXIT_OK;
	if (what == CHANGE_RESET)
		snprintf(question, sizeof(question), "Reset %s? Any authenticator app of theirs "
			 "stops working here, and their next login may set up a new one. Have you "
			 "checked who is asking?", admin_esc(u->name));
	else
		snprintf(question, sizeof(question), "Remove the enrolment of %s? Their "
			 "authenticator app will no longer work here%s.", admin_esc(u->name),
			 s->in_home ? "" : ", and no login sets up a new one until totp-admin reset");
	if (confirmed(question))
		return ADMIN_EXIT_OK;
	puts(what == CHANGE_RESET ? "Nothing reset." : "Nothing removed.");
	return ADMIN_EXIT_NOT_CONFIRMED;
}

/* Under the lock. reset: no record at all. remove: a tombstone in the
 * record's place, even of a record too broken to read (a record in the
 * home is deleted: its user could delete a tombstone there, and
 * enrolment at login never writes there); a tombstone written meanwhile
 * stays as it is (STORE_REMOVED). */
static enum store_status
change_locked(const struct admin_ctx *c, enum change what, int in_home, struct totp_store *store,
	      struct admin_summary *s, char *err, size_t err_size)
{
	struct totp_record rec;
	enum store_status st;

	if (what == CHANGE_RESET || in_home)
		return store_remove(store, err, err_size);
	st = store_read(store, &rec, err, err_size);
	if (st == STORE_REMOVED) {
		s->removed_at = rec.removed_at;
		memcpy(s->removed_by, rec.removed_by, sizeof(s->removed_by));
	}
	record_wipe(&rec);
	if (st == STORE_REMOVED)
		return st;
	return store_mark_removed(store, c->now, c->admin, err, err_size);
}

/* The syslog line and the answer of a change done. */
static void
report(const struct admin_ctx *c, enum change what, const struct admin_summary *s)
{
	char when[TEXT_TIME_SIZE], was[64 + TEXT_TIME_SIZE + RECORD_REMOVED_BY_MAX];

	if (what == CHANGE_RESET) {
		if (s->st == STORE_REMOVED) {
			text_time(s->removed_at, when);
			snprintf(was, sizeof(was), "removed on %s by %s", when, s->removed_by);
		} else {
			snprintf(was, sizeof(was), "enrolled");
		}
		audit_log(c->admin, LOG_NOTICE, s->user,
			  "reset: may enrol a new phone at the next login (was %s; %s)", was,
			  s->where);
		printf("%s: reset; their next login may set up a new authenticator app\n",
		       admin_esc(s->user));
	} else if (s->in_home) {
		audit_log(c->admin, LOG_NOTICE, s->user, "enrolment removed (%s)", s->where);
		printf("%s: enrolment removed\n", admin_esc(s->user));
	} else {
		audit_log(c->admin, LOG_NOTICE, s->user, "enrolment removed (%s); enrolment at "
			  "login closed until totp-admin reset %s", s->where, s->user);
		printf("%s: enrolment removed; no login sets up a new one until totp-admin "
		       "reset %s\n", admin_esc(s->user), admin_esc(s->user));
	}
}

static int
change(const struct admin_ctx *c, enum change what, const char *name, int yes)
{
	static const char *const verb[] = { "remove", "reset" };
	struct admin_user u;
	struct admin_summary s;
	struct totp_store *store = NULL;
	char err[512];
	enum store_status st;
	int rc = ask_first(c, what, name, yes, &u, &s);

	if (rc != ADMIN_EXIT_OK)
		return rc;
	st = admin_open(c, &u, &store, err, sizeof(err));
	if (st == STORE_OK)
		st = change_locked(c, what, s.in_home, store, &s, err, sizeof(err));
	store_close(store);
	if (st == STORE_NOT_FOUND) {
		fprintf(stderr, "totp-admin: %s is not enrolled\n", admin_esc(u.name));
		return ADMIN_EXIT_NO_RECORD;
	}
	if (st == STORE_REMOVED) {
		say_removed(&s);
		return ADMIN_EXIT_NO_RECORD;
	}
	if (st != STORE_OK) {
		fprintf(stderr, "totp-admin: %s: %s\n", admin_esc(u.name), admin_esc(err));
		audit_log(c->admin, LOG_ERR, u.name, "%s failed: %s", verb[what], err);
		return ADMIN_EXIT_ERROR;
	}
	report(c, what, &s);
	return ADMIN_EXIT_OK;
}

int
admin_remove(const struct admin_ctx *c, const char *name, int yes)
{
	return change(c, CHANGE_REMOVE, name, yes);
}

int
admin_reset(const struct admin_ctx *c, const char *name, int yes)
{
	return change(c, CHANGE_RESET, name, yes);
}
