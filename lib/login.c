/* One login: lock, read, verify, write, unlock. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "input.h"
#include "login.h"
#include "otp.h"
#include "recovery.h"
#include "secure.h"

int
login_record_missing(struct store_session *store, const struct store_user *user)
{
	char err[256];

	return store_exists(store, user, err, sizeof(err)) == STORE_NOT_FOUND;
}

/* Keep login_enroll_due's answer for the attempt after the prompt when it
 * decides without a write (struct store_seen). */
static void
seen_keep(struct store_session *session, const struct store_user *user, enum store_status st,
	  const struct totp_record *rec, const char *err)
{
	struct store_seen *seen = &session->seen;

	memset(seen, 0, sizeof(*seen));
	if ((st != STORE_PENDING && st != STORE_REMOVED) ||
	    snprintf(seen->user, sizeof(seen->user), "%s", user->name) >= (int)sizeof(seen->user)) {
		seen->user[0] = '\0';
		return;
	}
	seen->st = st;
	seen->removed_at = rec->removed_at;
	memcpy(seen->removed_by, rec->removed_by, sizeof(seen->removed_by));
	snprintf(seen->reason, sizeof(seen->reason), "%s", err);
}

/* The answer kept for user, if any, into *st, rec and err: 1, and it is
 * gone (used once); 0 when the record is to be read. */
static int
seen_take(struct store_session *session, const struct store_user *user, enum store_status *st,
	  struct totp_record *rec, char *err, size_t err_size)
{
	struct store_seen *seen = &session->seen;
	int kept = seen->user[0] != '\0' && strcmp(seen->user, user->name) == 0;

	if (kept) {
		*st = seen->st;
		rec->removed_at = seen->removed_at;
		memcpy(rec->removed_by, seen->removed_by, sizeof(rec->removed_by));
		snprintf(err, err_size, "%s", seen->reason);
	}
	memset(seen, 0, sizeof(*seen));
	return kept;
}

int
login_enroll_due(struct store_session *session, const struct store_user *user,
		struct totp_record *pending)
{
	char err[256];
	struct totp_store *store = NULL;
	enum store_status st;

	memset(pending, 0, sizeof(*pending));
	if (login_record_missing(session, user))
		return 1;
	st = store_open(session, user, &store, err, sizeof(err));
	if (st == STORE_OK)
		st = store_read(store, pending, err, sizeof(err));
	store_close(store);
	seen_keep(session, user, st, pending, err);
	if (st == STORE_PENDING)
		return 1;
	record_wipe(pending);
	return 0;
}

static enum login_outcome
finish(struct login_result *res, enum login_outcome o)
{
	res->outcome = o;
	return o;
}

enum login_outcome
login_attempt(const struct totp_config *cfg, struct store_session *session,
	      const struct store_user *user, const char *input, unsigned how,
	      int64_t now, struct login_result *res)
{
	char err[sizeof(res->reason)] = "";
	struct totp_store *store = NULL;
	struct totp_record rec;
	struct totp_state next;
	enum store_status st;
	enum login_outcome out = LOGIN_ERROR;
	int stacked = (how & LOGIN_STACKED) != 0;

	memset(res, 0, sizeof(*res));
	memset(&rec, 0, sizeof(rec));
	memset(&next, 0, sizeof(next));
	otp_crypto_warm(); /* a fresh process's first fetch, before the lock */
	/* read before the prompt, and nothing to write: not read again */
	if (!seen_take(session, user, &st, &rec, err, sizeof(err))) {
		st = store_open(session, user, &store, err, sizeof(err));
		if (st == STORE_NOT_FOUND && stacked &&
		    !input_is_bare_code(input, OTP_DIGITS_MIN)) {
			/* as for an enrolled user: a password on the stack is not
			 * taken, so enrolment cannot be told from the prompts */
			snprintf(res->reason, sizeof(res->reason), "stacked token is not a code");
			return finish(res, LOGIN_NOT_A_CODE);
		}
		if (st != STORE_OK) {
			snprintf(res->reason, sizeof(res->reason), "%s", err);
			return finish(res, st == STORE_NOT_FOUND ? LOGIN_NO_RECORD :
				      st == STORE_UNAVAILABLE ? LOGIN_UNAVAILABLE : LOGIN_ERROR);
		}
		st = store_read(store, &rec, err, sizeof(err));
	}
	if (st == STORE_PENDING)
		out = LOGIN_NO_RECORD;  /* shown at a login, never confirmed */
	if (st == STORE_REMOVED) {
		/* whatever was typed: nothing to check it against, nothing counted */
		res->removed_at = rec.removed_at;
		snprintf(res->removed_by, sizeof(res->removed_by), "%s", rec.removed_by);
		out = LOGIN_REMOVED;
	}
	if (st != STORE_OK) {
		snprintf(res->reason, sizeof(res->reason), "%s", err);
		goto out;
	}
	res->period = rec.period;
	if (stacked && !input_is_bare_code(input, rec.digits)) {
		snprintf(res->reason, sizeof(res->reason), "stacked token is not a code");
		out = LOGIN_NOT_A_CODE;
		goto out;
	}
	if (verify_attempt(&rec, now, input, &cfg->policy, &res->verify, &next) != 0) {
		snprintf(res->reason, sizeof(res->reason), "internal error checking the code");
		goto out;
	}
	if (res->verify.verdict == VERIFY_RECOVERY_ACCEPTED) {
		/* the enrolment part changes: the used code is gone for good
		 * before access is granted */
		if (res->verify.recovery_index < 0 ||
		    (size_t)res->verify.recovery_index >= rec.recovery_count) {
			snprintf(res->reason, sizeof(res->reason), "internal error: bad recovery index");
			goto out;
		}
		recovery_remove(&rec, (size_t)res->verify.recovery_index);
		rec.state = next;
		st = store_rewrite(store, &rec, err, sizeof(err));
	} else if (res->verify.state_changed) {
		st = store_write_state(store, &rec, &next, err, sizeof(err));
	}
	if (st != STORE_OK) {
		/* not stored, so not decided: a granted code could be used again */
		snprintf(res->reason, sizeof(res->reason), "%s", err);
		if (st == STORE_UNAVAILABLE)
			out = LOGIN_UNAVAILABLE;
		goto out;
	}
	res->recovery_left = rec.recovery_count;
	switch (res->verify.verdict) {
	case VERIFY_ACCEPTED:
		out = LOGIN_ACCEPTED;
		break;
	case VERIFY_RECOVERY_ACCEPTED:
		out = LOGIN_RECOVERY_ACCEPTED;
		break;
	case VERIFY_RESYNC_NEXT:
		/* asked once: a far code again is not the consecutive one */
		out = (how & LOGIN_RESYNC_ANSWER) ? LOGIN_DENIED : LOGIN_RESYNC_NEXT;
		break;
	default:
		out = LOGIN_DENIED;
		break;
	}
	snprintf(res->reason, sizeof(res->reason), "%s", verify_verdict_name(res->verify.verdict));
out:
	store_close(store);
	record_wipe(&rec);
	secure_wipe(&next, sizeof(next));
	return finish(res, out);
}
