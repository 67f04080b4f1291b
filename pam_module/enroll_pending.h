/* An enrolment at login between the moment its secret is shown and its
 * first code: kept in the record's place as a pending record (record.h,
 * pending=), root's like any record, never good for a login, so that a
 * person who walks away, or whom sshd drops at LoginGraceTime, finds the
 * same QR code at the next login, and the account their app already has
 * still works. It lasts enroll_pending= seconds; the next login after
 * that shows a new secret. */
#ifndef PAM_TOTP_ENROLL_PENDING_H
#define PAM_TOTP_ENROLL_PENDING_H

#include <stddef.h>
#include <stdint.h>
#include <security/pam_appl.h>

#include "conf.h"
#include "first_login.h"
#include "log_reason.h"
#include "login.h"
#include "record.h"
#include "store.h"

/* The secret to show, in rec: the one of found (login_enroll_due's pending
 * record, pending_until 0 when there was none) while it lasts, logged as
 * resumed; else a new one, saved as pending before anything is shown (an
 * expired one it replaces is logged as expired). ENROLL_DONE to go on (rec whole, pending_until set), else
 * what stopped it, why saying so. */
enum enroll_outcome pending_begin(pam_handle_t *pamh, const struct totp_config *cfg,
				 struct store_session *store, const struct who *w,
				 const struct store_user *user, const struct totp_record *found, struct totp_record *rec,
				 int64_t now, char *why, size_t why_size);

/* Replace the pending record of rec's secret with done (confirmed, its
 * pending_until 0), under the record's lock. STORE_OK; STORE_ERROR with
 * errno EEXIST when another login confirmed first or started over with
 * another secret; STORE_ERROR (errno ENOENT) when an administrator
 * removed or reset it meanwhile; or the store's failure. */
enum store_status pending_confirm(struct store_session *store, const struct store_user *user,
				  const struct totp_record *done, char *err, size_t err_size);

/* Three wrong first codes: make the pending record of rec's secret void
 * from now (its pending_until now; kept, not deleted, so the PAM role
 * needs no DELETE), so the next login starts over with a new secret. A
 * best effort: 0, or -1 with err. */
int pending_drop(struct store_session *store, const struct store_user *user,
		 const struct totp_record *rec, int64_t now, char *err, size_t err_size);

#endif
