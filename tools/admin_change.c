/* totp-admin unlock and remove: each one transaction on the user's record
 * under the login's lock (admin_open), written by the store's own writer,
 * and one syslog line naming the administrator. */
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
		fprintf(stderr, "totp-admin: %s: %s\n", admin_esc(u.name), admin_esc(err));
		if (st != STORE_NOT_FOUND)
			audit_log(c->admin, LOG_ERR, u.name, "unlock failed: %s", err);
		ret = st == STORE_NOT_FOUND ? ADMIN_EXIT_NO_RECORD : ADMIN_EXIT_ERROR;
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

/* Ask before removing: yes or y, anything else (or end of input) is no. */
static int
confirmed(const char *user)
{
	char line[64];

	printf("Remove the enrolment of %s? Their authenticator app will no longer work here. [y/N] ",
	       admin_esc(user));
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "yes") == 0;
}

int
admin_remove(const struct admin_ctx *c, const char *name, int yes)
{
	struct admin_user u;
	struct admin_summary s;
	struct totp_store *store = NULL;
	char err[512];
	enum store_status st;

	if (admin_user_find(c, name, &u) != 0)
		return ADMIN_EXIT_NO_RECORD;
	/* asked before the lock is taken: logins do not wait on a person */
	admin_summarise(c, &u, &s);
	if (s.st == STORE_NOT_FOUND) {
		fprintf(stderr, "totp-admin: %s is not enrolled\n", admin_esc(u.name));
		return ADMIN_EXIT_NO_RECORD;
	}
	if (!yes && !confirmed(u.name)) {
		puts("Nothing removed.");
		return ADMIN_EXIT_NOT_CONFIRMED;
	}
	st = admin_open(c, &u, &store, err, sizeof(err));
	if (st == STORE_OK)
		st = store_remove(store, err, sizeof(err));
	store_close(store);
	if (st == STORE_NOT_FOUND) {
		fprintf(stderr, "totp-admin: %s is not enrolled\n", admin_esc(u.name));
		return ADMIN_EXIT_NO_RECORD;
	}
	if (st != STORE_OK) {
		fprintf(stderr, "totp-admin: %s: %s\n", admin_esc(u.name), admin_esc(err));
		audit_log(c->admin, LOG_ERR, u.name, "remove failed: %s", err);
		return ADMIN_EXIT_ERROR;
	}
	audit_log(c->admin, LOG_NOTICE, u.name, "enrolment removed (%s)", s.where);
	printf("%s: enrolment removed\n", admin_esc(u.name));
	return ADMIN_EXIT_OK;
}
