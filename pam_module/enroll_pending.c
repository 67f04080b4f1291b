/* The pending enrolment at login: see enroll_pending.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enroll_secret.h"
#include "enroll_pending.h"
#include "secure.h"
#include "text.h"

/* Whether a and b are the same enrolment: the secret and when it was made. */
static int
same_enrollment(const struct totp_record *a, const struct totp_record *b)
{
	return a->secret_len == b->secret_len && a->created == b->created &&
	       secure_equal(a->secret, b->secret, a->secret_len);
}

/* Under the record's lock: what is there now, in cur (wiped by the
 * caller); the store is left open in *store for a change. */
static enum store_status
read_locked(struct store_session *session, const struct store_user *user,
	    struct totp_store **store, struct totp_record *cur, char *err, size_t err_size)
{
	enum store_status st = store_open(session, user, store, err, err_size);

	memset(cur, 0, sizeof(*cur));
	return st == STORE_OK ? store_read(*store, cur, err, err_size) : st;
}

/* Under the record's lock: replace the pending record of ours (the same
 * secret) with next. STORE_OK; STORE_ERROR with errno EEXIST when a record
 * or another pending one is there now, or ENOENT when nothing or a
 * tombstone is (an administrator's remove or reset), err saying so; or
 * the store's own failure. */
static enum store_status
replace_pending(struct store_session *session, const struct store_user *user, const struct totp_record *ours,
		const struct totp_record *next, char *err, size_t err_size)
{
	struct totp_store *store = NULL;
	struct totp_record cur;
	enum store_status st = read_locked(session, user, &store, &cur, err, err_size);
	int why_errno = 0;

	if (st == STORE_PENDING && same_enrollment(&cur, ours)) {
		st = store_rewrite(store, next, err, err_size);
	} else if (st == STORE_OK || st == STORE_PENDING) {
		snprintf(err, err_size, "another login enrolled the user meanwhile");
		st = STORE_ERROR;
		why_errno = EEXIST;
	} else if (st == STORE_NOT_FOUND || st == STORE_REMOVED) {
		snprintf(err, err_size, "an administrator removed or reset the enrolment meanwhile");
		st = STORE_ERROR;
		why_errno = ENOENT;
	}
	store_close(store);
	record_wipe(&cur);
	errno = why_errno;  /* after the close, whose ROLLBACK may set it */
	return st;
}

/* Save rec as a new pending record: never over a record (link(2) or the
 * row's primary key refuse it: errno EEXIST), except over the expired
 * pending record old (NULL: there is none). */
static enum store_status
save(struct store_session *session, const struct store_user *user,
     const struct totp_record *old, const struct totp_record *rec, char *err, size_t err_size)
{
	if (old != NULL)
		return replace_pending(session, user, old, rec, err, err_size);
	return store_create(session, user, rec, 0, err, err_size);
}

/* Another login saved a pending record at the same moment: show the
 * same secret (1, rec replaced), or 0 when what is there now is not one. */
static int
adopt(struct store_session *session, const struct store_user *user, struct totp_record *rec,
      int64_t now)
{
	char err[256];
	struct totp_store *store = NULL;
	struct totp_record cur;
	int ok;

	ok = read_locked(session, user, &store, &cur, err, sizeof(err)) == STORE_PENDING &&
	     cur.pending_until > now;
	store_close(store);
	if (ok) {
		record_wipe(rec);
		*rec = cur;
	}
	record_wipe(&cur);
	return ok;
}

enum enroll_outcome
pending_begin(pam_handle_t *pamh, const struct totp_config *cfg, struct store_session *session,
	      const struct who *w, const struct store_user *user, const struct totp_record *found, struct totp_record *rec, int64_t now,
	      char *why, size_t why_size)
{
	char shown[TEXT_TIME_SIZE], until[TEXT_TIME_SIZE], err[512];
	enum store_status st;

	if (found->pending_until != 0) {
		text_time(found->created, shown);
		text_time(found->pending_until, until);
	}
	if (found->pending_until > now) {
		*rec = *found;
		log_reason(pamh, w, LR_ENROLL_RESUMED, ": the code first shown at %s, left "
			   "unconfirmed, shown again (pending until %s)", shown, until);
		return ENROLL_DONE;
	}
	if (found->pending_until != 0)
		log_reason(pamh, w, LR_ENROLL_EXPIRED, ": the code shown at %s was not confirmed "
			   "by %s: a new one", shown, until);
	if (enroll_record_new(rec, OTP_ALG_SHA1, 6, 30, now) != 0) {
		snprintf(why, why_size, "no random bytes for the secret");
		return ENROLL_FAILED;
	}
	rec->pending_until = now + (int64_t)cfg->enroll_pending;
	st = save(session, user, found->pending_until != 0 ? found : NULL, rec, err, sizeof(err));
	if (st == STORE_OK)
		return ENROLL_DONE;
	if (errno == EEXIST && adopt(session, user, rec, now))
		return ENROLL_DONE;
	if (errno == EEXIST) {
		snprintf(why, why_size, "another login enrolled the user meanwhile");
		return ENROLL_EXISTS;
	}
	snprintf(why, why_size, "cannot keep the enrolment pending: %s", err);
	return st == STORE_UNAVAILABLE ? ENROLL_UNAVAILABLE : ENROLL_FAILED;
}

enum store_status
pending_confirm(struct store_session *session, const struct store_user *user,
		const struct totp_record *done, char *err, size_t err_size)
{
	return replace_pending(session, user, done, done, err, err_size);
}

int
pending_drop(struct store_session *session, const struct store_user *user,
	     const struct totp_record *rec, int64_t now, char *err, size_t err_size)
{
	struct totp_record voided = *rec;
	enum store_status st;

	/* void from now on, not deleted: the PAM role needs no DELETE */
	voided.pending_until = now;
	st = replace_pending(session, user, rec, &voided, err, err_size);
	record_wipe(&voided);
	/* not ours any more (confirmed, started over, removed): left as it is */
	return st == STORE_OK || errno == EEXIST || errno == ENOENT ? 0 : -1;
}
