/* The decision rules of verify_attempt, one test per rule. Expected codes
 * come from otp_totp at the step's own time, never from verify itself. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "otp.h"
#include "recovery.h"
#include "verify.h"

#define PERIOD 30
#define T0 56666666LL                   /* a step in November 2023 */
#define NOW (T0 * PERIOD + 7)           /* 7 s into step T0 */

static const uint8_t seed20[] = "12345678901234567890";

/* A fresh state, as record_state_init makes it (record.c is written
 * elsewhere; this keeps the test independent of it). */
static void
state_fresh(struct totp_state *st)
{
	memset(st, 0, sizeof(*st));
	st->last_step = -1;
	st->resync_step = -1;
}

static void
rec_init(struct totp_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	memcpy(rec->secret, seed20, 20);
	rec->secret_len = 20;
	rec->alg = OTP_ALG_SHA1;
	rec->digits = 6;
	rec->period = PERIOD;
	rec->created = NOW - 86400;
	state_fresh(&rec->state);
}

/* The code of step s, from otp_totp at a time inside that step. */
static void
code_at(const struct totp_record *rec, int64_t s, char out[OTP_CODE_SIZE])
{
	assert_int_equal(otp_totp(rec->secret, rec->secret_len, rec->alg,
				  s * (int64_t)rec->period, rec->period,
				  rec->digits, out), 0);
	assert_int_equal(strlen(out), rec->digits);
}

/* A code that matches no step within max_skew + window of now. */
static void
wrong_code(const struct totp_record *rec, int64_t now, unsigned span,
	   char out[OTP_CODE_SIZE])
{
	int64_t T = now / rec->period;

	for (unsigned cand = 0;; cand++) {
		int clash = 0;

		snprintf(out, OTP_CODE_SIZE, "%0*u", (int)rec->digits, cand * 7919u);
		for (int64_t s = T - span; s <= T + span; s++) {
			char c[OTP_CODE_SIZE];

			code_at(rec, s, c);
			if (strcmp(c, out) == 0)
				clash = 1;
		}
		if (!clash)
			return;
	}
}

/* One attempt that must succeed as a call; the state is then taken over
 * as the caller (the store) would, seq included. */
static struct verify_result
attempt(struct totp_record *rec, int64_t now, const char *in,
	const struct verify_policy *pol)
{
	struct verify_result res;
	struct totp_state next;

	assert_int_equal(verify_attempt(rec, now, in, pol, &res, &next), 0);
	assert_int_equal(next.seq, rec->state.seq);  /* the store advances it */
	if (res.state_changed) {
		assert_memory_not_equal(&next, &rec->state, sizeof(next));
		next.seq++;
	} else {
		assert_memory_equal(&next, &rec->state, sizeof(next));
	}
	rec->state = next;
	return res;
}

static struct verify_result
attempt_step(struct totp_record *rec, int64_t now, int64_t s,
	     const struct verify_policy *pol)
{
	char c[OTP_CODE_SIZE];

	code_at(rec, s, c);
	return attempt(rec, now, c, pol);
}

static void
test_policy_defaults(void **state)
{
	struct verify_policy p;

	(void)state;
	memset(&p, 0xff, sizeof(p));
	verify_policy_defaults(&p);
	assert_int_equal(p.window, 1);
	assert_int_equal(p.max_skew, 10);
	assert_int_equal(p.max_failures, 5);
	assert_int_equal(p.lockout_base, 30);
	assert_int_equal(p.lockout_max, 900);
	assert_int_equal(p.failure_ceiling, 100);
}

static void
test_bad_policy(void **state)
{
	static struct totp_record rec;
	struct verify_policy p, good;
	struct verify_result res;
	struct totp_state next;
	char c[OTP_CODE_SIZE];

	(void)state;
	rec_init(&rec);
	code_at(&rec, T0, c);
	verify_policy_defaults(&good);
	assert_int_equal(verify_attempt(&rec, NOW, c, &good, &res, &next), 0);

	p = good; p.window = 11;
	assert_int_equal(verify_attempt(&rec, NOW, c, &p, &res, &next), -1);
	p = good; p.max_failures = 0;
	assert_int_equal(verify_attempt(&rec, NOW, c, &p, &res, &next), -1);
	p = good; p.failure_ceiling = VERIFY_FAILURE_CEILING + 1;
	assert_int_equal(verify_attempt(&rec, NOW, c, &p, &res, &next), -1);
	p = good; p.failure_ceiling = 4;
	assert_int_equal(verify_attempt(&rec, NOW, c, &p, &res, &next), -1);
	p = good; p.max_skew = VERIFY_SKEW_LIMIT + 1;
	assert_int_equal(verify_attempt(&rec, NOW, c, &p, &res, &next), -1);
	/* on error nothing is to be written */
	assert_int_equal(res.state_changed, 0);
	assert_memory_equal(&next, &rec.state, sizeof(next));
	/* the limits themselves are fine */
	p = good; p.max_skew = VERIFY_SKEW_LIMIT; p.window = 10;
	p.failure_ceiling = VERIFY_FAILURE_CEILING;
	assert_int_equal(verify_attempt(&rec, NOW, c, &p, &res, &next), 0);
	assert_int_equal(res.verdict, VERIFY_ACCEPTED);
	p = good; p.max_failures = 100;
	assert_int_equal(verify_attempt(&rec, NOW, c, &p, &res, &next), 0);

	/* bad arguments and unusable records */
	assert_int_equal(verify_attempt(NULL, NOW, c, &good, &res, &next), -1);
	assert_int_equal(verify_attempt(&rec, NOW, NULL, &good, &res, &next), -1);
	assert_int_equal(verify_attempt(&rec, NOW, c, NULL, &res, &next), -1);
	assert_int_equal(verify_attempt(&rec, NOW, c, &good, NULL, &next), -1);
	assert_int_equal(verify_attempt(&rec, NOW, c, &good, &res, NULL), -1);
	assert_int_equal(verify_attempt(&rec, -1, c, &good, &res, &next), -1);
	rec.digits = 9;
	assert_int_equal(verify_attempt(&rec, NOW, c, &good, &res, &next), -1);
	rec_init(&rec);
	rec.period = 0;
	assert_int_equal(verify_attempt(&rec, NOW, c, &good, &res, &next), -1);
	rec_init(&rec);
	rec.secret_len = 0;
	assert_int_equal(verify_attempt(&rec, NOW, c, &good, &res, &next), -1);
}

static void
test_accept_current(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;

	(void)state;
	rec_init(&rec);
	rec.state.seq = 41;
	verify_policy_defaults(&p);
	r = attempt_step(&rec, NOW, T0, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.step, T0);
	assert_int_equal(r.offset, 0);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.locked_until, 0);
	assert_int_equal(r.state_changed, 1);
	assert_int_equal(rec.state.last_step, T0);
	assert_int_equal(rec.state.skew, 0);
	assert_int_equal(rec.state.resync_step, -1);
	assert_int_equal(rec.state.seq, 42);
}

static void
test_accept_forms_and_algorithms(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	char c[OTP_CODE_SIZE], typed[32];
	static const otp_alg algs[] = { OTP_ALG_SHA1, OTP_ALG_SHA256, OTP_ALG_SHA512 };

	(void)state;
	verify_policy_defaults(&p);

	/* as apps show it, with a space, and with a newline from a paste */
	rec_init(&rec);
	code_at(&rec, T0, c);
	snprintf(typed, sizeof(typed), " %.3s %.3s\n", c, c + 3);
	assert_int_equal(attempt(&rec, NOW, typed, &p).verdict, VERIFY_ACCEPTED);

	/* every algorithm and length */
	for (size_t a = 0; a < 3; a++) {
		for (unsigned d = OTP_DIGITS_MIN; d <= OTP_DIGITS_MAX; d++) {
			rec_init(&rec);
			rec.alg = algs[a];
			rec.digits = d;
			code_at(&rec, T0, c);
			assert_int_equal(strlen(c), d);
			assert_int_equal(attempt(&rec, NOW, c, &p).verdict,
					 VERIFY_ACCEPTED);
		}
	}
}

/* Accept or refuse at each offset around the window's edges. */
struct edge_row {
	unsigned window;
	unsigned max_skew;
	int offset;
	enum verify_verdict want;
};

static const struct edge_row edge_rows[] = {
	/* window 1, re-sync off (max_skew == window): outside is wrong */
	{ 1, 1, -3, VERIFY_WRONG },
	{ 1, 1, -2, VERIFY_WRONG },
	{ 1, 1, -1, VERIFY_ACCEPTED },
	{ 1, 1, 0, VERIFY_ACCEPTED },
	{ 1, 1, 1, VERIFY_ACCEPTED },
	{ 1, 1, 2, VERIFY_WRONG },
	{ 1, 1, 3, VERIFY_WRONG },
	/* window 1, max_skew 10: outside asks for the next code, up to 10 */
	{ 1, 10, -11, VERIFY_WRONG },
	{ 1, 10, -10, VERIFY_RESYNC_NEXT },
	{ 1, 10, -2, VERIFY_RESYNC_NEXT },
	{ 1, 10, -1, VERIFY_ACCEPTED },
	{ 1, 10, 1, VERIFY_ACCEPTED },
	{ 1, 10, 2, VERIFY_RESYNC_NEXT },
	{ 1, 10, 10, VERIFY_RESYNC_NEXT },
	{ 1, 10, 11, VERIFY_WRONG },
	/* window 3 */
	{ 3, 3, -5, VERIFY_WRONG },
	{ 3, 3, -4, VERIFY_WRONG },
	{ 3, 3, -3, VERIFY_ACCEPTED },
	{ 3, 3, -2, VERIFY_ACCEPTED },
	{ 3, 3, 0, VERIFY_ACCEPTED },
	{ 3, 3, 2, VERIFY_ACCEPTED },
	{ 3, 3, 3, VERIFY_ACCEPTED },
	{ 3, 3, 4, VERIFY_WRONG },
	{ 3, 3, 5, VERIFY_WRONG },
	{ 3, 10, -4, VERIFY_RESYNC_NEXT },
	{ 3, 10, -3, VERIFY_ACCEPTED },
	{ 3, 10, 3, VERIFY_ACCEPTED },
	{ 3, 10, 4, VERIFY_RESYNC_NEXT },
	/* window 0: only the current step */
	{ 0, 0, -1, VERIFY_WRONG },
	{ 0, 0, 0, VERIFY_ACCEPTED },
	{ 0, 0, 1, VERIFY_WRONG },
};

static void
test_window_edges(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;

	(void)state;
	for (size_t i = 0; i < sizeof(edge_rows) / sizeof(edge_rows[0]); i++) {
		const struct edge_row *e = &edge_rows[i];
		struct verify_result r;

		rec_init(&rec);
		verify_policy_defaults(&p);
		p.window = e->window;
		p.max_skew = e->max_skew;
		r = attempt_step(&rec, NOW, T0 + e->offset, &p);
		if (r.verdict != e->want)
			fail_msg("row %zu: window %u skew %u offset %d: %s, want %s",
				 i, e->window, e->max_skew, e->offset,
				 verify_verdict_name(r.verdict),
				 verify_verdict_name(e->want));
		switch (e->want) {
		case VERIFY_ACCEPTED:
			assert_int_equal(r.step, T0 + e->offset);
			assert_int_equal(r.offset, e->offset);
			assert_int_equal(rec.state.last_step, T0 + e->offset);
			assert_int_equal(rec.state.skew, e->offset);
			break;
		case VERIFY_RESYNC_NEXT:
			assert_int_equal(r.step, T0 + e->offset);
			assert_int_equal(rec.state.resync_step, T0 + e->offset);
			assert_int_equal(rec.state.last_step, -1);
			assert_int_equal(r.failures, 0);
			break;
		default:
			assert_int_equal(r.step, -1);
			assert_int_equal(r.failures, 1);
			assert_int_equal(rec.state.last_step, -1);
			break;
		}
	}
}

static void
test_replay_same_code(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	assert_int_equal(attempt_step(&rec, NOW, T0, &p).verdict, VERIFY_ACCEPTED);
	r = attempt_step(&rec, NOW + 5, T0, &p);
	assert_int_equal(r.verdict, VERIFY_REPLAY);
	assert_int_equal(r.step, T0);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.state_changed, 0);
	assert_int_equal(rec.state.last_step, T0);
}

static void
test_replay_race_never_locks(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	/* 32 connections race one observed code: one wins, 31 are replays */
	assert_int_equal(attempt_step(&rec, NOW, T0, &p).verdict, VERIFY_ACCEPTED);
	for (int i = 0; i < 31; i++) {
		r = attempt_step(&rec, NOW, T0, &p);
		assert_int_equal(r.verdict, VERIFY_REPLAY);
	}
	assert_int_equal(rec.state.failures, 0);
	assert_int_equal(rec.state.locked_until, 0);
	/* the user's next code still works */
	assert_int_equal(attempt_step(&rec, NOW + PERIOD, T0 + 1, &p).verdict,
			 VERIFY_ACCEPTED);
}

static void
test_older_after_newer(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	assert_int_equal(attempt_step(&rec, NOW, T0, &p).verdict, VERIFY_ACCEPTED);
	r = attempt_step(&rec, NOW, T0 - 1, &p);
	assert_int_equal(r.verdict, VERIFY_REPLAY);
	assert_int_equal(r.step, T0 - 1);
	assert_int_equal(r.offset, -1);
	assert_int_equal(r.failures, 0);

	/* newest first, then one in between is also old */
	rec_init(&rec);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 1, &p).verdict, VERIFY_ACCEPTED);
	assert_int_equal(attempt_step(&rec, NOW, T0, &p).verdict, VERIFY_REPLAY);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 1, &p).verdict, VERIFY_REPLAY);
	assert_int_equal(rec.state.last_step, T0 + 1);
	assert_int_equal(rec.state.failures, 0);
}

static void
test_skew_learning(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	const int64_t later = NOW + 100 * PERIOD;  /* step T0 + 100 */

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	r = attempt_step(&rec, NOW, T0 + 1, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.offset, 1);
	assert_int_equal(rec.state.skew, 1);

	/* the next login is centred on T + 1: T + 2 is in, T - 1 is not */
	r = attempt_step(&rec, later, T0 + 102, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.offset, 2);
	assert_int_equal(rec.state.skew, 2);

	/* skew 2 now: window [T+1, T+3] */
	r = attempt_step(&rec, later + PERIOD, T0 + 101 - 1, &p);
	assert_int_equal(r.verdict, VERIFY_REPLAY);  /* below last step */
	r = attempt_step(&rec, later + 2 * PERIOD, T0 + 102 + 1, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.offset, 1);
	assert_int_equal(rec.state.skew, 1);          /* the phone came back */

	/* a fresh record with skew 1 refuses T - 1 through the window but
	 * offers re-sync */
	rec_init(&rec);
	rec.state.skew = 1;
	r = attempt_step(&rec, NOW, T0 - 1, &p);
	assert_int_equal(r.verdict, VERIFY_RESYNC_NEXT);
	rec_init(&rec);
	rec.state.skew = 1;
	r = attempt_step(&rec, NOW, T0 + 2, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(rec.state.skew, 2);
}

static void
test_skew_clamped(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;

	(void)state;
	verify_policy_defaults(&p);
	p.window = 2;
	p.max_skew = 2;

	/* learned skew at the bound: a match at +4 is accepted, skew stays 2 */
	rec_init(&rec);
	rec.state.skew = 2;
	r = attempt_step(&rec, NOW, T0 + 4, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.offset, 4);
	assert_int_equal(rec.state.skew, 2);

	/* a stored skew past the bound (a record its user wrote) is bounded */
	rec_init(&rec);
	rec.state.skew = 50;
	r = attempt_step(&rec, NOW, T0 + 50, &p);
	assert_int_equal(r.verdict, VERIFY_WRONG);
	rec_init(&rec);
	rec.state.skew = -50;
	r = attempt_step(&rec, NOW, T0 - 4, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(rec.state.skew, -2);
	rec_init(&rec);
	rec.state.skew = INT32_MIN;
	r = attempt_step(&rec, NOW, T0, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(rec.state.skew, 0);

	/* re-sync re-centres within the bound only */
	verify_policy_defaults(&p);
	rec_init(&rec);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 9, &p).verdict, VERIFY_RESYNC_NEXT);
	r = attempt_step(&rec, NOW, T0 + 10, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(rec.state.skew, 10);
	/* centred at +10 now, the window reaches +11, but skew stays 10 */
	r = attempt_step(&rec, NOW, T0 + 11, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.offset, 11);
	assert_int_equal(rec.state.skew, 10);
}

static void
test_resync(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	/* the phone is 5 steps (2.5 min) fast */
	r = attempt_step(&rec, NOW, T0 + 5, &p);
	assert_int_equal(r.verdict, VERIFY_RESYNC_NEXT);
	assert_int_equal(r.step, T0 + 5);
	assert_int_equal(r.offset, 5);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.state_changed, 1);
	assert_int_equal(rec.state.resync_step, T0 + 5);
	assert_int_equal(rec.state.last_step, -1);
	assert_int_equal(rec.state.skew, 0);

	/* 30 s later the phone shows the next code */
	r = attempt_step(&rec, NOW + PERIOD, T0 + 6, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.step, T0 + 6);
	assert_int_equal(r.offset, 5);
	assert_int_equal(rec.state.skew, 5);
	assert_int_equal(rec.state.last_step, T0 + 6);
	assert_int_equal(rec.state.resync_step, -1);

	/* the next login is centred there */
	r = attempt_step(&rec, NOW + 50 * PERIOD, T0 + 55, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.offset, 5);

	/* the next code typed at once, without waiting, also completes it */
	rec_init(&rec);
	assert_int_equal(attempt_step(&rec, NOW, T0 - 7, &p).verdict, VERIFY_RESYNC_NEXT);
	r = attempt_step(&rec, NOW + 3, T0 - 6, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(rec.state.skew, -6);
	assert_int_equal(rec.state.last_step, T0 - 6);
}

static void
test_resync_not_consecutive(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	char bad[OTP_CODE_SIZE];

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 5, &p).verdict, VERIFY_RESYNC_NEXT);
	/* skipping one: not accepted, it becomes the pending first code */
	r = attempt_step(&rec, NOW, T0 + 7, &p);
	assert_int_equal(r.verdict, VERIFY_RESYNC_NEXT);
	assert_int_equal(rec.state.resync_step, T0 + 7);
	assert_int_equal(rec.state.last_step, -1);
	/* the same code again: not accepted either */
	r = attempt_step(&rec, NOW, T0 + 7, &p);
	assert_int_equal(r.verdict, VERIFY_RESYNC_NEXT);
	assert_int_equal(r.state_changed, 0);
	/* going backwards: not accepted */
	r = attempt_step(&rec, NOW, T0 + 6, &p);
	assert_int_equal(r.verdict, VERIFY_RESYNC_NEXT);
	assert_int_equal(rec.state.resync_step, T0 + 6);
	/* a wrong code drops the pending one: T0 + 7 no longer completes it */
	wrong_code(&rec, NOW, 12, bad);
	r = attempt(&rec, NOW, bad, &p);
	assert_int_equal(r.verdict, VERIFY_WRONG);
	assert_int_equal(rec.state.resync_step, -1);
	r = attempt_step(&rec, NOW, T0 + 7, &p);
	assert_int_equal(r.verdict, VERIFY_RESYNC_NEXT);
	assert_int_equal(rec.state.last_step, -1);
	assert_int_equal(rec.state.failures, 1);
}

static void
test_resync_no_replay(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;

	(void)state;
	verify_policy_defaults(&p);

	/* old codes far below T are replays, not re-sync candidates */
	rec_init(&rec);
	rec.state.last_step = T0 + 5;
	rec.state.skew = 5;
	r = attempt_step(&rec, NOW, T0 - 5, &p);
	assert_int_equal(r.verdict, VERIFY_REPLAY);
	assert_int_equal(r.failures, 0);
	assert_int_equal(rec.state.resync_step, -1);

	/* nonsense a user wrote into their record is handled, not trusted */
	rec_init(&rec);
	rec.state.resync_step = INT64_MAX;
	rec.state.last_step = INT64_MAX;
	r = attempt_step(&rec, NOW, T0, &p);
	assert_int_equal(r.verdict, VERIFY_REPLAY);
	r = attempt_step(&rec, NOW, T0 + 5, &p);
	assert_int_equal(r.verdict, VERIFY_REPLAY);

	/* a planted pending step whose successor was already used */
	rec_init(&rec);
	rec.state.last_step = T0 + 5;
	rec.state.resync_step = T0 + 4;
	r = attempt_step(&rec, NOW, T0 + 5, &p);
	assert_int_equal(r.verdict, VERIFY_REPLAY);
	assert_int_equal(rec.state.last_step, T0 + 5);
	assert_int_equal(rec.state.resync_step, T0 + 4);

	/* two old consecutive codes after a login at T0 + 8 */
	rec_init(&rec);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 7, &p).verdict, VERIFY_RESYNC_NEXT);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 8, &p).verdict, VERIFY_ACCEPTED);
	rec.state.skew = 0;  /* say an admin reset the skew */
	assert_int_equal(attempt_step(&rec, NOW, T0 + 3, &p).verdict, VERIFY_REPLAY);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 4, &p).verdict, VERIFY_REPLAY);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 8, &p).verdict, VERIFY_REPLAY);
	assert_int_equal(rec.state.last_step, T0 + 8);
	/* newer ones still re-sync */
	assert_int_equal(attempt_step(&rec, NOW, T0 + 9, &p).verdict, VERIFY_RESYNC_NEXT);
	assert_int_equal(attempt_step(&rec, NOW, T0 + 10, &p).verdict, VERIFY_ACCEPTED);
	assert_int_equal(rec.state.last_step, T0 + 10);
	assert_int_equal(rec.state.failures, 0);
}

static void
test_lockout_progression(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	char bad[OTP_CODE_SIZE];
	int64_t now = NOW;
	static const int64_t lock[] = { 30, 60, 120, 240, 480, 900, 900, 900 };

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	for (uint32_t i = 1; i <= 4; i++) {
		wrong_code(&rec, now, 12, bad);
		r = attempt(&rec, now, bad, &p);
		assert_int_equal(r.verdict, VERIFY_WRONG);
		assert_int_equal(r.failures, i);
		assert_int_equal(r.locked_until, 0);
		assert_int_equal(rec.state.locked_until, 0);
		now += 1;
	}
	for (size_t k = 0; k < sizeof(lock) / sizeof(lock[0]); k++) {
		wrong_code(&rec, now, 12, bad);
		r = attempt(&rec, now, bad, &p);
		assert_int_equal(r.verdict, VERIFY_WRONG);
		assert_int_equal(r.failures, 5 + k);
		assert_int_equal(r.locked_until, now + lock[k]);
		assert_int_equal(rec.state.locked_until, now + lock[k]);

		/* while locked: even the right code is not checked or counted */
		r = attempt_step(&rec, now + lock[k] - 1,
				 (now + lock[k] - 1) / PERIOD, &p);
		assert_int_equal(r.verdict, VERIFY_LOCKED);
		assert_int_equal(r.locked_until, now + lock[k]);
		assert_int_equal(r.failures, 5 + k);
		assert_int_equal(r.state_changed, 0);
		now += lock[k];  /* the lock ends at locked_until */
	}
	assert_int_equal(rec.state.failures, 12);

	/* a success after the lock resets everything */
	r = attempt_step(&rec, now, now / PERIOD, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.locked_until, 0);
	assert_int_equal(rec.state.failures, 0);
	assert_int_equal(rec.state.locked_until, 0);
	/* and the count starts from zero again */
	wrong_code(&rec, now, 12, bad);
	r = attempt(&rec, now, bad, &p);
	assert_int_equal(r.failures, 1);
	assert_int_equal(r.locked_until, 0);
}

static void
test_lockout_overflow_safe(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	char bad[OTP_CODE_SIZE];

	(void)state;
	verify_policy_defaults(&p);
	p.max_failures = 1;
	p.lockout_base = UINT32_MAX;
	p.lockout_max = UINT32_MAX;
	rec_init(&rec);
	rec.state.failures = 98;  /* 2^98 * base would overflow anything */
	wrong_code(&rec, NOW, 12, bad);
	r = attempt(&rec, NOW, bad, &p);
	assert_int_equal(r.failures, 99);
	assert_int_equal(r.locked_until, NOW + (int64_t)UINT32_MAX);

	/* lockout_max below lockout_base: the maximum wins */
	verify_policy_defaults(&p);
	p.lockout_base = 600;
	p.lockout_max = 60;
	rec_init(&rec);
	rec.state.failures = 4;
	r = attempt(&rec, NOW, bad, &p);
	assert_int_equal(r.locked_until, NOW + 60);
}

static void
test_locked_not_counted(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	char codes[1][RECOVERY_CODE_SIZE];
	static const char *const inputs[] = { "000000", "", "abc", "1234567" };

	(void)state;
	rec_init(&rec);
	verify_policy_defaults(&p);
	assert_int_equal(recovery_generate(&rec, 1, 1000, codes), 0);
	rec.state.failures = 5;
	rec.state.locked_until = NOW + 10;
	for (size_t i = 0; i < 4; i++) {
		r = attempt(&rec, NOW, inputs[i], &p);
		assert_int_equal(r.verdict, VERIFY_LOCKED);
		assert_int_equal(r.failures, 5);
		assert_int_equal(r.locked_until, NOW + 10);
		assert_int_equal(r.state_changed, 0);
	}
	/* recovery codes too */
	r = attempt(&rec, NOW + 9, codes[0], &p);
	assert_int_equal(r.verdict, VERIFY_LOCKED);
	assert_int_equal(r.recovery_index, -1);
	/* at the deadline the lock is over */
	r = attempt(&rec, NOW + 10, codes[0], &p);
	assert_int_equal(r.verdict, VERIFY_RECOVERY_ACCEPTED);
	assert_int_equal(r.recovery_index, 0);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.locked_until, 0);
}

static void
test_ceiling_disabled(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	char bad[OTP_CODE_SIZE];
	char codes[1][RECOVERY_CODE_SIZE];
	int64_t now = NOW;

	(void)state;
	verify_policy_defaults(&p);
	p.max_failures = 3;
	p.failure_ceiling = 6;
	p.lockout_base = 1;
	p.lockout_max = 1;
	rec_init(&rec);
	assert_int_equal(recovery_generate(&rec, 1, 1000, codes), 0);
	for (uint32_t i = 1; i <= 6; i++) {
		wrong_code(&rec, now, 12, bad);
		r = attempt(&rec, now, bad, &p);
		assert_int_equal(r.verdict, VERIFY_WRONG);
		assert_int_equal(r.failures, i);
		now += 2;  /* past each one-second lock */
	}
	/* the ceiling: the right code, a recovery code, junk: all refused,
	 * nothing counted, for as long as one waits */
	r = attempt_step(&rec, now, now / PERIOD, &p);
	assert_int_equal(r.verdict, VERIFY_DISABLED);
	assert_int_equal(r.failures, 6);
	assert_int_equal(r.state_changed, 0);
	r = attempt(&rec, now + 86400, codes[0], &p);
	assert_int_equal(r.verdict, VERIFY_DISABLED);
	r = attempt(&rec, now + 86400 * 365, "x", &p);
	assert_int_equal(r.verdict, VERIFY_DISABLED);
	assert_int_equal(rec.state.failures, 6);

	/* the default ceiling is 100 */
	verify_policy_defaults(&p);
	rec_init(&rec);
	rec.state.failures = 99;
	wrong_code(&rec, NOW, 12, bad);
	r = attempt(&rec, NOW, bad, &p);
	assert_int_equal(r.verdict, VERIFY_WRONG);
	assert_int_equal(r.failures, 100);
	r = attempt_step(&rec, NOW + 86400, (NOW + 86400) / PERIOD, &p);
	assert_int_equal(r.verdict, VERIFY_DISABLED);
	/* a count past 100 in the record (never written by us) too */
	rec.state.failures = UINT32_MAX;
	r = attempt_step(&rec, NOW + 86400, (NOW + 86400) / PERIOD, &p);
	assert_int_equal(r.verdict, VERIFY_DISABLED);
}

static void
test_malformed(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	char *big;
	char c[OTP_CODE_SIZE], typed[32];
	static const char *const inputs[] = {
		"", " ", "abcdef", "12345", "1234567", "12345\x01", "\001123456",
		"123456\x1b", "123  456", "12-34-56", "+12345",
		"\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94\xef\xbc\x95\xef\xbc\x96",
		"abcd-efgh-jkmn",  /* recovery shape, but no recovery codes */
	};

	(void)state;
	verify_policy_defaults(&p);
	p.max_failures = 50;
	p.failure_ceiling = 100;
	rec_init(&rec);
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		r = attempt(&rec, NOW, inputs[i], &p);
		if (r.verdict != VERIFY_MALFORMED)
			fail_msg("input %zu: %s", i, verify_verdict_name(r.verdict));
		assert_int_equal(r.failures, 0);
		assert_int_equal(r.step, -1);
		assert_int_equal(r.state_changed, 0);
	}
	big = malloc(1001);
	assert_non_null(big);
	memset(big, '1', 1000);
	big[1000] = '\0';
	r = attempt(&rec, NOW, big, &p);
	assert_int_equal(r.verdict, VERIFY_MALFORMED);
	free(big);

	/* the right code with a control character is still malformed */
	code_at(&rec, T0, c);
	snprintf(typed, sizeof(typed), "%s\x07", c);
	r = attempt(&rec, NOW, typed, &p);
	assert_int_equal(r.verdict, VERIFY_MALFORMED);
	assert_int_equal(rec.state.last_step, -1);
	assert_int_equal(rec.state.failures, 0);

	/* malformed input never locks out: a hundred passwords sent where
	 * the code was asked (sshd's PasswordAuthentication) leave the
	 * record as it was, and the right code still logs in */
	verify_policy_defaults(&p);
	rec_init(&rec);
	for (int i = 0; i < 100; i++) {
		r = attempt(&rec, NOW, "correct horse battery", &p);
		assert_int_equal(r.verdict, VERIFY_MALFORMED);
		assert_int_equal(r.failures, 0);
		assert_int_equal(r.locked_until, 0);
	}
	code_at(&rec, T0, c);
	r = attempt(&rec, NOW, c, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	/* a failure count already there is kept as it is, not reset */
	rec_init(&rec);
	rec.state.failures = 3;
	r = attempt(&rec, NOW, "nope", &p);
	assert_int_equal(r.verdict, VERIFY_MALFORMED);
	assert_int_equal(r.failures, 3);
}

static void
test_recovery(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	char codes[3][RECOVERY_CODE_SIZE];
	char upper[RECOVERY_CODE_SIZE];

	(void)state;
	verify_policy_defaults(&p);
	rec_init(&rec);
	assert_int_equal(recovery_generate(&rec, 3, 1000, codes), 0);
	rec.state.failures = 3;
	rec.state.last_step = T0 - 1;
	rec.state.skew = 2;

	/* typed in capitals, accepted; the TOTP state is left alone */
	for (size_t i = 0; i < sizeof(upper); i++)
		upper[i] = (char)(codes[1][i] >= 'a' && codes[1][i] <= 'z' ?
				  codes[1][i] - 32 : codes[1][i]);
	r = attempt(&rec, NOW, upper, &p);
	assert_int_equal(r.verdict, VERIFY_RECOVERY_ACCEPTED);
	assert_int_equal(r.recovery_index, 1);
	assert_int_equal(r.failures, 0);
	assert_int_equal(r.state_changed, 1);
	assert_int_equal(rec.state.last_step, T0 - 1);
	assert_int_equal(rec.state.skew, 2);

	/* the caller removes it: then it is a wrong code, counted */
	recovery_remove(&rec, (size_t)r.recovery_index);
	r = attempt(&rec, NOW, codes[1], &p);
	assert_int_equal(r.verdict, VERIFY_WRONG);
	assert_int_equal(r.failures, 1);
	/* the others still work, at their new index */
	r = attempt(&rec, NOW, codes[2], &p);
	assert_int_equal(r.verdict, VERIFY_RECOVERY_ACCEPTED);
	assert_int_equal(r.recovery_index, 1);
	recovery_remove(&rec, 1);
	r = attempt(&rec, NOW, codes[0], &p);
	assert_int_equal(r.verdict, VERIFY_RECOVERY_ACCEPTED);
	assert_int_equal(r.recovery_index, 0);
	recovery_remove(&rec, 0);
	/* none left: the shape is no longer an input this record takes, and
	 * what cannot match is not counted */
	r = attempt(&rec, NOW, codes[0], &p);
	assert_int_equal(r.verdict, VERIFY_MALFORMED);
	assert_int_equal(r.failures, 0);

	/* a broken KDF parameter is an internal error, not a wrong code */
	rec_init(&rec);
	assert_int_equal(recovery_generate(&rec, 1, 1000, codes), 0);
	rec.recovery_iterations = 0;
	{
		struct totp_state next;

		assert_int_equal(verify_attempt(&rec, NOW, codes[0], &p, &r, &next), -1);
		assert_int_equal(r.state_changed, 0);
	}
}

static void
test_after_2038(void **state)
{
	static struct totp_record rec;
	struct verify_policy p;
	struct verify_result r;
	const int64_t now = 4102444800LL;  /* 2100-01-01 */
	const int64_t T = now / PERIOD;
	char bad[OTP_CODE_SIZE];

	(void)state;
	verify_policy_defaults(&p);
	rec_init(&rec);
	r = attempt_step(&rec, now, T, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.step, 136748160LL);
	assert_int_equal(rec.state.last_step, 136748160LL);
	assert_int_equal(attempt_step(&rec, now, T, &p).verdict, VERIFY_REPLAY);

	/* period 1: steps above 2^32 */
	rec_init(&rec);
	rec.period = 1;
	r = attempt_step(&rec, now, now + 1, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.step, 4102444801LL);
	r = attempt_step(&rec, now * 2, now * 2, &p);
	assert_int_equal(r.verdict, VERIFY_ACCEPTED);
	assert_int_equal(r.step, 8204889600LL);
	assert_true(rec.state.last_step > (int64_t)UINT32_MAX);
	/* a lock-out deadline past 2038 */
	rec.state.failures = 4;
	wrong_code(&rec, now * 2, 12, bad);
	r = attempt(&rec, now * 2, bad, &p);
	assert_int_equal(r.verdict, VERIFY_WRONG);
	assert_int_equal(r.locked_until, now * 2 + 30);
	assert_int_equal(attempt_step(&rec, now * 2 + 29, now * 2 + 29, &p).verdict,
			 VERIFY_LOCKED);
}

static void
test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(verify_verdict_name(VERIFY_ACCEPTED), "accepted");
	assert_string_equal(verify_verdict_name(VERIFY_RECOVERY_ACCEPTED), "recovery-accepted");
	assert_string_equal(verify_verdict_name(VERIFY_RESYNC_NEXT), "resync-next");
	assert_string_equal(verify_verdict_name(VERIFY_WRONG), "wrong");
	assert_string_equal(verify_verdict_name(VERIFY_MALFORMED), "malformed");
	assert_string_equal(verify_verdict_name(VERIFY_REPLAY), "replay");
	assert_string_equal(verify_verdict_name(VERIFY_LOCKED), "locked");
	assert_string_equal(verify_verdict_name(VERIFY_DISABLED), "disabled");
	assert_string_equal(verify_verdict_name((enum verify_verdict)99), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_defaults),
		cmocka_unit_test(test_bad_policy),
		cmocka_unit_test(test_accept_current),
		cmocka_unit_test(test_accept_forms_and_algorithms),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_replay_same_code),
		cmocka_unit_test(test_replay_race_never_locks),
		cmocka_unit_test(test_older_after_newer),
		cmocka_unit_test(test_skew_learning),
		cmocka_unit_test(test_skew_clamped),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_resync_not_consecutive),
		cmocka_unit_test(test_resync_no_replay),
		cmocka_unit_test(test_lockout_progression),
		cmocka_unit_test(test_lockout_overflow_safe),
		cmocka_unit_test(test_locked_not_counted),
		cmocka_unit_test(test_ceiling_disabled),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_after_2038),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
