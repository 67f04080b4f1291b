/* One login, start to end, without PAM: open and lock the user's record,
 * read, decide, store the next state durably, unlock. The module is glue
 * around this; tests and the benchmark call it too. */
#ifndef PAM_TOTP_LOGIN_H
#define PAM_TOTP_LOGIN_H

#include <stddef.h>
#include <stdint.h>
#include "conf.h"
#include "store.h"
#include "verify.h"

enum login_outcome {
	LOGIN_ACCEPTED = 0,       /* a TOTP code, state stored */
	LOGIN_RECOVERY_ACCEPTED,  /* a recovery code, now removed from the record */
	LOGIN_RESYNC_NEXT,        /* far clock drift: ask for the next code */
	LOGIN_DENIED,             /* wrong, malformed, replayed, locked out */
	LOGIN_NO_RECORD,          /* the user is not enrolled */
	LOGIN_ERROR,              /* unsafe, unreadable, malformed or unwritable record */
	LOGIN_UNAVAILABLE,        /* no server of the database could be reached
	                             (STORE_UNAVAILABLE): nothing decided,
	                             nothing written */
	LOGIN_NOT_A_CODE,         /* a stacked token that is not exactly a code of
	                             the record's digits: nothing decided, nothing
	                             written (it may be a password) */
	LOGIN_REMOVED             /* a tombstone (totp-admin remove): denied,
	                             nothing written, removed_at and removed_by set */
};

struct login_result {
	enum login_outcome outcome;
	struct verify_result verify;  /* valid unless NO_RECORD or ERROR */
	size_t recovery_left;         /* recovery codes remaining */
	unsigned period;
	int64_t removed_at;                           /* LOGIN_REMOVED: when */
	char removed_by[RECORD_REMOVED_BY_MAX + 1];   /* LOGIN_REMOVED: by whom */
	char reason[512];             /* for the log: never a secret or a code */
};

/* login_attempt's how: */
#define LOGIN_STACKED 1u        /* input is a token another module stored
                                   (use_first_pass, try_first_pass), which
                                   may well be a password */
#define LOGIN_RESYNC_ANSWER 2u  /* input answers the question a
                                   LOGIN_RESYNC_NEXT asked for */

/* store: the session of the configured store (store_session_open),
 * which the module disconnects before every prompt.
 *
 * input is what the user typed. now is the Unix time. A stacked token
 * (LOGIN_STACKED) is taken only when it is exactly the record's number
 * of ASCII digits (6 without a record), never as a recovery code;
 * anything else gives LOGIN_NOT_A_CODE and is not counted.
 *
 * The re-synchronisation rule, whole: a code far outside the window but
 * within max_skew gives LOGIN_RESYNC_NEXT (verify keeps its step), and
 * the caller asks once for the next code, passing LOGIN_RESYNC_ANSWER.
 * Only the code directly after the far one completes it (verify); any
 * other answer is denied here, a far code again included (its step is
 * kept all the same: a later login may complete it). Returns the outcome
 * (also in res->outcome). Only LOGIN_ACCEPTED and LOGIN_RECOVERY_ACCEPTED
 * may grant access. */
enum login_outcome login_attempt(const struct totp_config *cfg, struct store_session *store,
				 const struct store_user *user, const char *input,
				 unsigned how, int64_t now, struct login_result *res);

/* For enroll=prompt: 1 when the user is to be enrolled at this login:
 * no record at all (pending zeroed), or only an enrolment at login shown
 * and never confirmed (STORE_PENDING: copied into pending, secret
 * included, pending_until set; the caller wipes it). 0 for a record, a
 * tombstone, or a store that cannot tell. The store is closed again
 * before this returns. */
int login_enroll_due(struct store_session *store, const struct store_user *user,
		    struct totp_record *pending);

/* For nullok and enroll=prompt: 1 when the user certainly has no record
 * (no file at the expanded path, no row in the database); 0 when there is
 * one, a tombstone included (totp-admin remove: the login is then
 * denied), or when that cannot be told (an unreadable directory, the
 * database down). */
int login_record_missing(struct store_session *store, const struct store_user *user);

#endif
