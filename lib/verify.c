/* The decision for one attempt. A pure function: everything it knows comes
 * in through its arguments (the record, the time, the input, the policy)
 * and everything it decides goes out through res and next. No I/O, no
 * clock, no globals, so each rule is a unit test (tests/unit/test_verify.c).
 *
 * Order of the checks, and why:
 *   1. failure ceiling reached -> DISABLED: only an administrator resets it.
 *   2. lock-out in force       -> LOCKED: not checked, not counted, so an
 *      attacker gains no guesses and the count does not run up by itself.
 *   3. input shape: TOTP digits, else a recovery code (if the record has
 *      any), else MALFORMED: refused, not counted. An answer of no code's
 *      shape cannot match, so it is no guess; it is what sshd's
 *      PasswordAuthentication sends (the password, to every prompt), and
 *      counting it would lock out users who typed their password right.
 *   4. the window around T + skew; then re-synchronisation within max_skew.
 *
 * Replays are refused but not counted: a replay is not a guess, and an
 * attacker racing many logins with one observed code must not be able to
 * lock the user out with the losers. */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "input.h"
#include "otp.h"
#include "recovery.h"
#include "secure.h"
#include "verify.h"

void
verify_policy_defaults(struct verify_policy *p)
{
	if (p == NULL)
		return;
	p->window = VERIFY_DEFAULT_WINDOW;
	p->max_skew = VERIFY_DEFAULT_MAX_SKEW;
	p->max_failures = VERIFY_DEFAULT_MAX_FAILURES;
	p->lockout_base = VERIFY_DEFAULT_LOCKOUT_BASE;
	p->lockout_max = VERIFY_DEFAULT_LOCKOUT_MAX;
	p->failure_ceiling = VERIFY_DEFAULT_FAILURE_CEILING;
}

const char *
verify_verdict_name(enum verify_verdict v)
{
	switch (v) {
	case VERIFY_ACCEPTED:          return "accepted";
	case VERIFY_RECOVERY_ACCEPTED: return "recovery-accepted";
	case VERIFY_RESYNC_NEXT:       return "resync-next";
	case VERIFY_WRONG:             return "wrong";
	case VERIFY_MALFORMED:         return "malformed";
	case VERIFY_REPLAY:            return "replay";
	case VERIFY_LOCKED:            return "locked";
	case VERIFY_DISABLED:          return "disabled";
	}
	return "unknown";
}

int
verify_disabled(const struct totp_state *st, const struct verify_policy *pol)
{
	unsigned ceiling = pol->failure_ceiling;

	if (ceiling > VERIFY_FAILURE_CEILING)
		ceiling = VERIFY_FAILURE_CEILING;
	return st->failures >= ceiling;
}

static int
policy_valid(const struct verify_policy *p)
{
	return p->max_skew <= VERIFY_SKEW_LIMIT &&
	    p->window <= p->max_skew &&
	    p->max_failures > 0 &&
	    p->failure_ceiling <= VERIFY_FAILURE_CEILING &&
	    p->failure_ceiling >= p->max_failures;
}

static int
record_usable(const struct totp_record *rec)
{
	return rec->secret_len > 0 && rec->secret_len <= OTP_KEY_MAX &&
	    rec->digits >= OTP_DIGITS_MIN && rec->digits <= OTP_DIGITS_MAX &&
	    rec->period >= 1 && rec->period <= RECORD_PERIOD_MAX &&
	    rec->recovery_count <= RECORD_RECOVERY_MAX;
}

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* The lock-out after a failure that brought the count to failures (at
 * least max_failures): lockout_base doubled per failure past max_failures,
 * capped at lockout_max, in 64 bits so no shift or sum can overflow. */
static int64_t
lockout_deadline(const struct verify_policy *p, int64_t now, uint32_t failures)
{
	uint64_t d = p->lockout_base;
	uint32_t extra = failures - p->max_failures;

	for (uint32_t i = 0; i < extra && d < p->lockout_max; i++)
		d *= 2;  /* d < 2^32 before, so no overflow */
	if (d > p->lockout_max)
		d = p->lockout_max;
	if (now > INT64_MAX - (int64_t)d)
		return INT64_MAX;
	return now + (int64_t)d;
}

/* One failed guess (WRONG): count it, lock when due, and drop
 * a pending re-sync (the next code must follow the first directly). */
static void
count_failure(const struct verify_policy *p, int64_t now,
	      struct totp_state *next)
{
	if (next->failures < UINT32_MAX)
		next->failures++;
	if (next->failures >= p->max_failures)
		next->locked_until = lockout_deadline(p, now, next->failures);
	next->resync_step = -1;
}

/* A successful login: the count, the lock-out and a pending re-sync go. */
static void
reset_after_success(struct totp_state *next)
{
	next->failures = 0;
	next->locked_until = 0;
	next->resync_step = -1;
}

/* Look for the code at steps lo..hi, skipping skip_lo..skip_hi (pass an
 * empty range, skip_lo > skip_hi, to skip nothing). Every step in the
 * range is computed and compared, whatever matched, so the time does not
 * depend on where (or whether) the code matched.
 * *fresh: the lowest matching step above last_step, or -1;
 * *stale: the highest matching step at or below last_step, or -1;
 * *want_hit: whether the code matched at step want (-1: none wanted).
 * 0 on success, -1 on a crypto error. */
static int
scan_steps(const struct totp_record *rec, struct otp_key *key, const char *code,
	   int64_t lo, int64_t hi, int64_t skip_lo, int64_t skip_hi,
	   int64_t last_step, int64_t want,
	   int64_t *fresh, int64_t *stale, int *want_hit)
{
	char cand[OTP_CODE_SIZE];
	int ret = -1;

	for (int64_t s = lo; s <= hi; s++) {
		int eq;

		if (s >= skip_lo && s <= skip_hi)
			continue;
		if (otp_key_hotp(key, (uint64_t)s, rec->digits, cand) != 0)
			goto out;
		eq = secure_equal(cand, code, rec->digits);
		if (eq && s > last_step && *fresh < 0)
			*fresh = s;
		if (eq && s <= last_step)
			*stale = s;
		if (eq && s == want)
			*want_hit = 1;
	}
	ret = 0;
out:
	secure_wipe(cand, sizeof(cand));
	return ret;
}

static void
finish(const struct totp_record *rec, int64_t now, struct verify_result *res,
       const struct totp_state *next)
{
	res->failures = next->failures;
	res->locked_until = next->locked_until > now ? next->locked_until : 0;
	res->state_changed = !record_state_equal(next, &rec->state);
}

int
verify_attempt(const struct totp_record *rec, int64_t now, const char *input,
	       const struct verify_policy *pol, struct verify_result *res,
	       struct totp_state *next)
{
	char code[OTP_CODE_SIZE];
	char rcode[RECOVERY_CODE_CHARS + 1];
	int64_t T, skew, centre, lo, hi, wlo, whi;
	int64_t fresh = -1, stale = -1, want;
	int want_hit = 0;
	struct otp_key *key = NULL;
	int ret = -1;

	memset(code, 0, sizeof(code));
	memset(rcode, 0, sizeof(rcode));
	if (res == NULL || next == NULL)
		return -1;
	memset(res, 0, sizeof(*res));
	res->verdict = VERIFY_WRONG;
	res->step = -1;
	res->recovery_index = -1;
	if (rec == NULL || input == NULL || pol == NULL)
		return -1;
	*next = rec->state;
	if (!policy_valid(pol) || !record_usable(rec))
		return -1;

	T = otp_time_step(now, rec->period);
	/* No code exists before the epoch; and keep every step sum below
	 * INT64_MAX (a Unix time that far out is a broken clock). */
	if (T < 0 || T > INT64_MAX - 4 * (int64_t)VERIFY_SKEW_LIMIT)
		return -1;

	/* 1. The hard ceiling, then 2. the lock-out. */
	if (verify_disabled(&rec->state, pol)) {
		res->verdict = VERIFY_DISABLED;
		ret = 0;
		goto out;
	}
	if (rec->state.locked_until > now) {
		res->verdict = VERIFY_LOCKED;
		ret = 0;
		goto out;
	}

	/* 3. The shape of the input. */
	if (!input_totp_code(input, rec->digits, code)) {
		int idx;

		if (rec->recovery_count == 0 || (!recovery_normalize(input, rcode) &&
						 !recovery_normalize_scratch(input, rcode))) {
			res->verdict = VERIFY_MALFORMED;
			ret = 0;
			goto out;
		}
		idx = recovery_match(rec, rcode);
		if (idx < -1)
			goto out;
		if (idx >= 0) {
			res->verdict = VERIFY_RECOVERY_ACCEPTED;
			res->recovery_index = idx;
			next->failures = 0;
			next->locked_until = 0;
		} else {
			res->verdict = VERIFY_WRONG;
			count_failure(pol, now, next);
		}
		ret = 0;
		goto out;
	}

	/* 4a. The window around T + skew (the stored skew is bounded again:
	 * the record may come from a file its user can write). */
	if (otp_key_new(rec->secret, rec->secret_len, rec->alg, &key) != 0)
		goto out;
	skew = clamp64(rec->state.skew, -(int64_t)pol->max_skew,
		       (int64_t)pol->max_skew);
	centre = T + skew;
	wlo = centre - (int64_t)pol->window;
	whi = centre + (int64_t)pol->window;
	if (wlo < 0)
		wlo = 0;
	if (whi >= 0 &&
	    scan_steps(rec, key, code, wlo, whi, 1, 0, rec->state.last_step, -1,
		       &fresh, &stale, &want_hit) != 0)
		goto out;
	if (fresh >= 0) {
		res->verdict = VERIFY_ACCEPTED;
		res->step = fresh;
		next->last_step = fresh;
		next->skew = (int32_t)clamp64(fresh - T, -(int64_t)pol->max_skew,
					      (int64_t)pol->max_skew);
		reset_after_success(next);
		ret = 0;
		goto out;
	}
	if (stale >= 0) {
		res->verdict = VERIFY_REPLAY;
		res->step = stale;
		ret = 0;
		goto out;
	}

	/* 4b. Re-synchronisation: [T - max_skew, T + max_skew] outside the
	 * window. A first match there only asks for the next code; the
	 * directly following code (step + 1) then completes it. How often a
	 * login asks is login_attempt's part of the rule (login.h). */
	lo = T - (int64_t)pol->max_skew;
	hi = T + (int64_t)pol->max_skew;
	if (lo < 0)
		lo = 0;
	/* The step that completes a pending re-sync; only one inside the
	 * search range can match (the test also keeps + 1 from overflowing
	 * on a resync_step its user wrote). */
	want = -1;
	if (rec->state.resync_step >= 0 && rec->state.resync_step < hi)
		want = rec->state.resync_step + 1;
	if (scan_steps(rec, key, code, lo, hi, wlo, whi, rec->state.last_step, want,
		       &fresh, &stale, &want_hit) != 0)
		goto out;
	if (want_hit && want > rec->state.last_step) {
		res->verdict = VERIFY_ACCEPTED;
		res->step = want;
		next->last_step = want;
		next->skew = (int32_t)clamp64(want - T, -(int64_t)pol->max_skew,
					      (int64_t)pol->max_skew);
		reset_after_success(next);
	} else if (fresh >= 0) {
		res->verdict = VERIFY_RESYNC_NEXT;
		res->step = fresh;
		next->resync_step = fresh;
	} else if (stale >= 0) {
		res->verdict = VERIFY_REPLAY;
		res->step = stale;
	} else {
		res->verdict = VERIFY_WRONG;
		count_failure(pol, now, next);
	}
	ret = 0;
out:
	if (ret == 0) {
		if (res->step >= 0)
			res->offset = (int32_t)(res->step - T);
		finish(rec, now, res, next);
	} else {
		*next = rec->state;
		res->verdict = VERIFY_WRONG;
		res->step = -1;
		res->state_changed = 0;
	}
	otp_key_free(key);
	secure_wipe(code, sizeof(code));
	secure_wipe(rcode, sizeof(rcode));
	return ret;
}
