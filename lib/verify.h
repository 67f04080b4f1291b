/* The decision for one attempt: a pure function of (record, now, input,
 * policy) giving a verdict and the next state. No I/O, no clock. */
#ifndef PAM_TOTP_VERIFY_H
#define PAM_TOTP_VERIFY_H

#include <stdint.h>
#include "record.h"

#define VERIFY_FAILURE_CEILING 100  /* NIST SP 800-63B: at most 100 */
#define VERIFY_SKEW_LIMIT 2880      /* largest max_skew a policy may have (a day
                                       of 30 s steps): each step searched costs
                                       one HMAC, so this bounds the work */

/* The policy's defaults: verify_policy_defaults, and the options' table
 * (lib/conf.c) */
#define VERIFY_DEFAULT_WINDOW 1
#define VERIFY_DEFAULT_MAX_SKEW 10
#define VERIFY_DEFAULT_MAX_FAILURES 5
#define VERIFY_DEFAULT_LOCKOUT_BASE 30
#define VERIFY_DEFAULT_LOCKOUT_MAX 900
#define VERIFY_DEFAULT_FAILURE_CEILING 100

struct verify_policy {
	unsigned window;          /* steps either side of T + skew (default 1) */
	unsigned max_skew;        /* bound of learned skew and re-sync, in steps (default 10) */
	unsigned max_failures;    /* consecutive failures before a lock-out (default 5) */
	unsigned lockout_base;    /* seconds of the first lock-out (default 30) */
	unsigned lockout_max;     /* longest lock-out in seconds (default 900) */
	unsigned failure_ceiling; /* failures after which codes are refused until an
	                             administrator resets the record (<= 100, default 100) */
};

void verify_policy_defaults(struct verify_policy *p);

enum verify_verdict {
	VERIFY_ACCEPTED = 0,      /* TOTP code accepted at res->step */
	VERIFY_RECOVERY_ACCEPTED, /* recovery code res->recovery_index accepted:
	                             the caller removes it from the enrolment part */
	VERIFY_RESYNC_NEXT,       /* matched far outside the window but within
	                             max_skew: ask for the next code */
	VERIFY_WRONG,             /* no match (counted) */
	VERIFY_MALFORMED,         /* input of no valid shape: cannot match, not counted */
	VERIFY_REPLAY,            /* matched a step at or below the last accepted one */
	VERIFY_LOCKED,            /* lock-out in force: not checked, not counted */
	VERIFY_DISABLED           /* failure ceiling reached: refused until reset */
};

struct verify_result {
	enum verify_verdict verdict;
	int64_t step;             /* matched step, when there was a match */
	int32_t offset;           /* matched step - T */
	int recovery_index;       /* for VERIFY_RECOVERY_ACCEPTED */
	int64_t locked_until;     /* for VERIFY_LOCKED, or a lock-out this attempt started */
	uint32_t failures;        /* consecutive failures after this attempt */
	int state_changed;        /* next differs from rec->state: write it */
};

const char *verify_verdict_name(enum verify_verdict v);

/* Whether st has reached the failure ceiling: codes are refused until an
 * administrator runs totp-admin unlock. */
int verify_disabled(const struct totp_state *st, const struct verify_policy *pol);

/* Decide one attempt. input is what the user typed (untrusted, any bytes).
 * next receives the state to store (seq not advanced: the store does that).
 * 0 on success (whatever the verdict), -1 on an internal error (crypto
 * failure, bad policy): the caller must deny. */
int verify_attempt(const struct totp_record *rec, int64_t now, const char *input,
		   const struct verify_policy *pol, struct verify_result *res,
		   struct totp_state *next);

#endif
