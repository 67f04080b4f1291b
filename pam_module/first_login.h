/* Enrolment at first login (enroll=prompt): a user who reached pam_totp
 * without a record sets up the app inside the login, through the PAM
 * conversation, and the record is written to the root-only store. */
#ifndef PAM_TOTP_FIRST_LOGIN_H
#define PAM_TOTP_FIRST_LOGIN_H

#include <stddef.h>
#include <security/pam_appl.h>

#include "conf.h"
#include "log_reason.h"
#include "login.h"
#include "messages.h"
#include "store.h"

enum enroll_outcome {
	ENROLL_DONE = 0,       /* confirmed, written, recovery codes shown */
	ENROLL_UNCONFIRMED,    /* no right code in ENROLL_TRIES: nothing written */
	ENROLL_NO_ANSWER,      /* the conversation failed (connection gone): nothing written */
	ENROLL_EXISTS,         /* another login enrolled the user meanwhile: nothing written */
	ENROLL_UNAVAILABLE,    /* the database could not be reached in time: nothing written */
	ENROLL_FAILED          /* store unusable, no randomness, write error: nothing written */
};

/* Keep a secret pending (enroll_pending.h: pending's, while it lasts, else
 * a new one), show the QR code, the grouped secret and the Key URI, ask
 * for the first code (ENROLL_TRIES tries), replace the pending record with
 * the confirmed one (confirming step used), show the recovery codes. A
 * conversation that ends leaves the secret pending; three wrong codes
 * forget it. *conv_rc is the
 * conversation's code for ENROLL_NO_ANSWER. why (for the log, never a
 * secret or a code) says what happened; w is who, for a line logged on
 * the way (no QR code shown). */
enum enroll_outcome enroll_at_login(pam_handle_t *pamh, const struct totp_config *cfg,
				  struct store_session *store, const struct messages *msg,
				  const struct who *w, const struct store_user *user,
				  const struct totp_record *pending, int *conv_rc, char *why,
				  size_t why_size);

#endif
