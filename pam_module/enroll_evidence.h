/* Whether the first factor has passed in this login, before enrolment at
 * login shows anyone a new secret: see enroll_evidence.c. */
#ifndef PAM_TOTP_ENROLL_EVIDENCE_H
#define PAM_TOTP_ENROLL_EVIDENCE_H

#include <stddef.h>
#include <security/pam_modules.h>

/* 1 when a step before this one proved who the user is in this very
 * transaction (*what then names the proof); 0 with the reason in why. */
int enroll_first_factor_passed(pam_handle_t *pamh, const char **what, char *why,
			      size_t why_size);

#endif
