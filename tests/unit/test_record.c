/* The user record: round trips, slot selection and torn slots, and one
 * malformed record per reason the parser gives. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "otp.h"
#include "record.h"

#define BUF_SIZE (RECORD_MAX_BYTES + 64)
#define SLOTS_END (RECORD_MAGIC_LEN + 2 * RECORD_SLOT_LEN)

static char buf[BUF_SIZE];
static char buf2[BUF_SIZE];

/* "12345678901234567890" in base32 */
#define SECRET_B32 "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
#define SALT_HEX "000102030405060708090a0b0c0d0e0f"
#define HASH1 "00112233445566778899aabbccddeeff"
#define HASH2 "ffeeddccbbaa99887766554433221100"

static void
sample_record(struct totp_record *r, otp_alg alg, unsigned digits)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->secret, "12345678901234567890", 20);
	r->secret_len = 20;
	r->alg = alg;
	r->digits = digits;
	r->period = 30;
	r->created = 1700000000;
	r->recovery_iterations = 100000;
	for (size_t i = 0; i < RECORD_RECOVERY_SALT_LEN; i++)
		r->recovery_salt[i] = (uint8_t)i;
	r->recovery_count = 2;
	for (size_t i = 0; i < RECORD_RECOVERY_HASH_LEN; i++) {
		r->recovery[0][i] = (uint8_t)(0x11 * i);
		r->recovery[1][i] = (uint8_t)(0xff - 0x11 * i);
	}
	record_state_init(&r->state);
	r->state.seq = 7;
	r->state.last_step = 56666666;
	r->state.skew = -1;
	r->state.failures = 2;
}

static void
assert_state_equal(const struct totp_state *a, const struct totp_state *b)
{
	assert_int_equal(a->seq, b->seq);
	assert_int_equal(a->last_step, b->last_step);
	assert_int_equal(a->skew, b->skew);
	assert_int_equal(a->failures, b->failures);
	assert_int_equal(a->locked_until, b->locked_until);
	assert_int_equal(a->resync_step, b->resync_step);
}

static void
assert_record_equal(const struct totp_record *a, const struct totp_record *b)
{
	assert_int_equal(a->secret_len, b->secret_len);
	assert_memory_equal(a->secret, b->secret, a->secret_len);
	assert_int_equal(a->alg, b->alg);
	assert_int_equal(a->digits, b->digits);
	assert_int_equal(a->period, b->period);
	assert_int_equal(a->created, b->created);
	assert_int_equal(a->recovery_iterations, b->recovery_iterations);
	if (a->recovery_iterations != 0)
		assert_memory_equal(a->recovery_salt, b->recovery_salt,
		    RECORD_RECOVERY_SALT_LEN);
	assert_int_equal(a->recovery_count, b->recovery_count);
	for (size_t i = 0; i < a->recovery_count; i++)
		assert_memory_equal(a->recovery[i], b->recovery[i],
		    RECORD_RECOVERY_HASH_LEN);
	assert_int_equal(a->enrolled_at_login, b->enrolled_at_login);
	assert_string_equal(a->enrolled_service, b->enrolled_service);
	assert_string_equal(a->enrolled_rhost, b->enrolled_rhost);
	assert_state_equal(&a->state, &b->state);
}

static void
assert_all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(c[i], 0);
}

/* magic + both slots holding st + enrolment text */
static size_t
build(char *out, const struct totp_state *st, const char *enroll)
{
	char slot[RECORD_SLOT_LEN + 1];
	size_t n = 0;

	memcpy(out, RECORD_MAGIC, RECORD_MAGIC_LEN);
	n += RECORD_MAGIC_LEN;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(record_format_slot(st, i, slot), 0);
		memcpy(out + n, slot, RECORD_SLOT_LEN);
		n += RECORD_SLOT_LEN;
	}
	memcpy(out + n, enroll, strlen(enroll) + 1);
	return n + strlen(enroll);
}

static void
put_slot(char *rec, int where, const struct totp_state *st, int name)
{
	char slot[RECORD_SLOT_LEN + 1];

	assert_int_equal(record_format_slot(st, name, slot), 0);
	memcpy(rec + RECORD_SLOT_OFFSET(where), slot, RECORD_SLOT_LEN);
}

/* ---- round trips ---- */

static void
round_trip(const struct totp_record *r)
{
	struct totp_record back;
	char err[256];
	size_t len = 0, len2 = 0;

	assert_int_equal(record_format(r, buf, sizeof(buf), &len), 0);
	assert_int_equal(strlen(buf), len);
	assert_int_equal(record_parse(buf, len, &back, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_record_equal(r, &back);
	assert_int_equal(back.state_slot, 0);
	assert_int_equal(back.slots_valid, 3);
	assert_int_equal(record_next_slot(&back), 1);
	/* and the text is stable */
	assert_int_equal(record_format(&back, buf2, sizeof(buf2), &len2), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	record_wipe(&back);
}

static void
test_round_trip_all_algorithms_and_digits(void **state)
{
	static const otp_alg algs[] = { OTP_ALG_SHA1, OTP_ALG_SHA256, OTP_ALG_SHA512 };
	struct totp_record r;

	(void)state;
	for (size_t a = 0; a < 3; a++) {
		for (unsigned d = 6; d <= 8; d++) {
			sample_record(&r, algs[a], d);
			round_trip(&r);
			assert_non_null(strstr(buf, otp_alg_name(algs[a])));
		}
	}
}

static void
test_round_trip_extremes(void **state)
{
	struct totp_record r;

	(void)state;
	/* smallest: 10-byte secret, period 1, no recovery, created 0 */
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.secret_len = 10;
	r.period = 1;
	r.created = 0;
	r.recovery_iterations = 0;
	memset(r.recovery_salt, 0, sizeof(r.recovery_salt));
	r.recovery_count = 0;
	record_state_init(&r.state);
	round_trip(&r);
	assert_null(strstr(buf, "recovery"));

	/* largest everything */
	sample_record(&r, OTP_ALG_SHA512, 8);
	for (size_t i = 0; i < OTP_KEY_MAX; i++)
		r.secret[i] = (uint8_t)(255 - i);
	r.secret_len = OTP_KEY_MAX;
	r.period = RECORD_PERIOD_MAX;
	r.created = INT64_MAX;
	r.recovery_iterations = 10000000;
	r.recovery_count = RECORD_RECOVERY_MAX;
	for (size_t i = 0; i < RECORD_RECOVERY_MAX; i++)
		memset(r.recovery[i], (int)(i * 13), RECORD_RECOVERY_HASH_LEN);
	r.state.seq = UINT64_MAX;
	r.state.last_step = INT64_MAX;
	r.state.skew = -999999;
	r.state.failures = 99999;
	r.state.locked_until = INT64_MAX;
	r.state.resync_step = INT64_MAX;
	round_trip(&r);

	/* recovery codes all used up: kdf kept, list empty */
	sample_record(&r, OTP_ALG_SHA256, 7);
	r.recovery_count = 0;
	round_trip(&r);
	assert_non_null(strstr(buf, "\nrecovery=\n"));
	r.state.skew = 999999;
	r.state.locked_until = 1700000600;
	r.state.resync_step = 56666667;
	round_trip(&r);
}

/* The exact bytes, so the format cannot drift unnoticed. The checksums
 * were computed independently (Python hashlib). */
static void
test_format_golden(void **state)
{
	static const char expect[] =
	    "pam_totp 1\n"
	    "state_a=00000000000000000007:+0000000000056666666:-000001:00002:"
	    "+0000000000000000000:-0000000000000000001:f04f20f1\n"
	    "state_b=00000000000000000007:+0000000000056666666:-000001:00002:"
	    "+0000000000000000000:-0000000000000000001:98b5aa4a\n"
	    "secret=" SECRET_B32 "\n"
	    "algorithm=SHA256\n"
	    "digits=8\n"
	    "period=30\n"
	    "created=1700000000\n"
	    "recovery_kdf=pbkdf2-sha256:100000:" SALT_HEX "\n"
	    "recovery=" HASH1 "," HASH2 "\n";
	struct totp_record r;
	size_t len = 0;

	(void)state;
	sample_record(&r, OTP_ALG_SHA256, 8);
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
	assert_string_equal(buf, expect);
	assert_int_equal(len, sizeof(expect) - 1);
}

static void
test_format_slot(void **state)
{
	struct totp_state st;
	char slot[RECORD_SLOT_LEN + 1];

	(void)state;
	record_state_init(&st);
	assert_int_equal(st.seq, 0);
	assert_int_equal(st.last_step, -1);
	assert_int_equal(st.resync_step, -1);
	assert_int_equal(st.locked_until, 0);
	for (int s = 0; s < 2; s++) {
		memset(slot, 'x', sizeof(slot));
		assert_int_equal(record_format_slot(&st, s, slot), 0);
		assert_int_equal(strlen(slot), RECORD_SLOT_LEN);
		assert_int_equal(slot[RECORD_SLOT_LEN - 1], '\n');
		assert_memory_equal(slot, s == 0 ? "state_a=" : "state_b=", 8);
	}
	assert_int_equal(record_format_slot(&st, 2, slot), -1);
	st.skew = 1000000;
	assert_int_equal(record_format_slot(&st, 0, slot), -1);
	st.skew = -1000000;
	assert_int_equal(record_format_slot(&st, 0, slot), -1);
	st.skew = 0;
	st.failures = 100000;
	assert_int_equal(record_format_slot(&st, 0, slot), -1);
	st.failures = 0;
	st.last_step = -2;
	assert_int_equal(record_format_slot(&st, 0, slot), -1);
	st.last_step = -1;
	st.locked_until = -1;
	assert_int_equal(record_format_slot(&st, 0, slot), -1);
	st.locked_until = 0;
	st.resync_step = INT64_MIN;
	assert_int_equal(record_format_slot(&st, 0, slot), -1);
}

static void
test_format_refuses_invalid(void **state)
{
	struct totp_record r;
	size_t len = 12345;
	char small[100];

	(void)state;
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.digits = 9;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);
	assert_int_equal(len, 12345);
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.secret_len = 9;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.period = 0;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.created = -1;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.alg = (otp_alg)7;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.recovery_iterations = 0;  /* hashes but no kdf */
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.recovery_count = RECORD_RECOVERY_MAX + 1;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.state.failures = 100000;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), -1);

	/* too small: -1, and nothing of the secret is left behind */
	sample_record(&r, OTP_ALG_SHA1, 6);
	memset(small, 'x', sizeof(small));
	assert_int_equal(record_format(&r, small, sizeof(small), &len), -1);
	assert_all_zero(small, sizeof(small));
	assert_int_equal(len, 12345);
}

/* ---- slot selection ---- */

static void
parse_ok(const char *text, size_t len, struct totp_record *r)
{
	char err[256];

	assert_int_equal(record_parse(text, len, r, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void
test_slot_newer_wins(void **state)
{
	struct totp_record r, p;
	struct totp_state newer;
	size_t len = 0;

	(void)state;
	sample_record(&r, OTP_ALG_SHA1, 6);
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);

	/* B newer */
	newer = r.state;
	newer.seq = 8;
	newer.last_step = 56666667;
	newer.failures = 0;
	put_slot(buf, 1, &newer, 1);
	parse_ok(buf, len, &p);
	assert_int_equal(p.state_slot, 1);
	assert_int_equal(p.slots_valid, 3);
	assert_state_equal(&p.state, &newer);
	assert_int_equal(record_next_slot(&p), 0);

	/* then A newer still */
	newer.seq = 9;
	newer.last_step = 56666668;
	put_slot(buf, 0, &newer, 0);
	parse_ok(buf, len, &p);
	assert_int_equal(p.state_slot, 0);
	assert_int_equal(p.state.seq, 9);
	assert_int_equal(p.state.last_step, 56666668);
	assert_int_equal(record_next_slot(&p), 1);

	/* seq is compared as a number, not by position: B at 10 beats A at 9 */
	newer.seq = 10;
	newer.failures = 3;
	put_slot(buf, 1, &newer, 1);
	parse_ok(buf, len, &p);
	assert_int_equal(p.state_slot, 1);
	assert_int_equal(p.state.failures, 3);
	record_wipe(&p);
}

static void
test_slot_tie_is_a(void **state)
{
	struct totp_record r, p;
	struct totp_state other;
	size_t len = 0;

	(void)state;
	sample_record(&r, OTP_ALG_SHA1, 6);
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
	other = r.state;
	other.failures = 4;  /* same seq, different content */
	put_slot(buf, 1, &other, 1);
	parse_ok(buf, len, &p);
	assert_int_equal(p.state_slot, 0);
	assert_int_equal(p.slots_valid, 3);
	assert_int_equal(p.state.failures, 2);
	assert_int_equal(record_next_slot(&p), 1);
}

/* A torn or damaged slot falls back to the other one, whichever it is. */
static void
test_slot_torn_falls_back(void **state)
{
	struct totp_record r, p;
	struct totp_state newer;
	char slot[RECORD_SLOT_LEN + 1];
	size_t len = 0;

	(void)state;
	sample_record(&r, OTP_ALG_SHA1, 6);
	newer = r.state;
	newer.seq = 8;
	newer.last_step = 56666700;

	for (int torn = 0; torn < 2; torn++) {
		int good = !torn;

		/* half of the newer slot overwritten with garbage */
		assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
		put_slot(buf, torn, &newer, torn);
		memset(buf + RECORD_SLOT_OFFSET(torn) + 57, '#', 57);
		parse_ok(buf, len, &p);
		assert_int_equal(p.slots_valid, 1 << good);
		assert_int_equal(p.state_slot, good);
		assert_state_equal(&p.state, &r.state);
		assert_int_equal(record_next_slot(&p), torn);

		/* a torn write: the first half new, the rest old */
		assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
		assert_int_equal(record_format_slot(&newer, torn, slot), 0);
		memcpy(buf + RECORD_SLOT_OFFSET(torn), slot, 40);
		parse_ok(buf, len, &p);
		assert_int_equal(p.slots_valid, 1 << good);
		assert_state_equal(&p.state, &r.state);

		/* well-formed but a wrong checksum */
		assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
		put_slot(buf, torn, &newer, torn);
		buf[RECORD_SLOT_OFFSET(torn) + 107] ^= 1;
		parse_ok(buf, len, &p);
		assert_int_equal(p.slots_valid, 1 << good);
		assert_state_equal(&p.state, &r.state);

		/* a digit changed, checksum left alone */
		assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
		put_slot(buf, torn, &newer, torn);
		buf[RECORD_SLOT_OFFSET(torn) + 27] = '9';
		parse_ok(buf, len, &p);
		assert_int_equal(p.slots_valid, 1 << good);
		assert_int_equal(p.state.seq, 7);

		/* the other slot's line moved here: its name is checksummed */
		assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
		put_slot(buf, torn, &newer, good);
		parse_ok(buf, len, &p);
		assert_int_equal(p.slots_valid, 1 << good);
		assert_state_equal(&p.state, &r.state);

		/* ...and renaming it does not help */
		memcpy(buf + RECORD_SLOT_OFFSET(torn), torn ? "state_b=" : "state_a=", 8);
		parse_ok(buf, len, &p);
		assert_int_equal(p.slots_valid, 1 << good);

		/* zeros (NUL bytes) inside a slot spoil only that slot */
		assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
		memset(buf + RECORD_SLOT_OFFSET(torn) + 60, 0, 55);
		parse_ok(buf, len, &p);
		assert_int_equal(p.slots_valid, 1 << good);
		assert_int_equal(p.state_slot, good);
	}
	/* the enrolment part is untouched by all of that */
	assert_record_equal(&r, &p);
	record_wipe(&p);
}

static void
expect_error(const char *text, size_t len, const char *reason)
{
	struct totp_record r;
	char err[256];

	memset(&r, 0x5a, sizeof(r));
	memset(err, 'x', sizeof(err));
	if (record_parse(text, len, &r, err, sizeof(err)) != -1)
		fail_msg("parsed, expected an error containing '%s'", reason);
	if (strstr(err, reason) == NULL)
		fail_msg("error '%s' does not contain '%s'", err, reason);
	/* nothing of a half-parsed record is left, the secret least of all */
	assert_all_zero(&r, sizeof(r));
}

/* Recompute a slot's checksum after editing it, independently of record.c. */
static void
fix_checksum(char *slot)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	char hex[9];

	assert_int_equal(EVP_Digest(slot, 105, md, &md_len, EVP_sha256(), NULL), 1);
	snprintf(hex, sizeof(hex), "%02x%02x%02x%02x", md[0], md[1], md[2], md[3]);
	memcpy(slot + 106, hex, 8);
}

static void
test_slots_both_bad(void **state)
{
	struct totp_record r, r2;
	char tmp[RECORD_SLOT_LEN];
	size_t len = 0;

	(void)state;
	sample_record(&r, OTP_ALG_SHA1, 6);
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
	buf[RECORD_SLOT_OFFSET(0) + 20] = 'x';
	buf[RECORD_SLOT_OFFSET(1) + 110] ^= 1;
	expect_error(buf, len, "both state slots invalid");
	expect_error(buf, len, "(state_a: bad checksum; state_b: bad checksum)");

	/* checksums right, contents not: what only a hand edit produces */
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
	memcpy(buf + RECORD_SLOT_OFFSET(0) + 29, "-0000000000000000002", 20);
	fix_checksum(buf + RECORD_SLOT_OFFSET(0));
	memcpy(buf + RECORD_SLOT_OFFSET(1) + 64, "-0000000000000000000", 20);
	fix_checksum(buf + RECORD_SLOT_OFFSET(1));
	expect_error(buf, len,
	    "(state_a: field out of range; state_b: bad field)");
	/* and each of those alone is just one bad slot */
	put_slot(buf, 1, &r.state, 1);
	parse_ok(buf, len, &r2);
	assert_int_equal(r2.slots_valid, 2);
	assert_int_equal(r2.state_slot, 1);

	/* the two slots swapped */
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
	memcpy(tmp, buf + RECORD_SLOT_OFFSET(0), RECORD_SLOT_LEN);
	memcpy(buf + RECORD_SLOT_OFFSET(0), buf + RECORD_SLOT_OFFSET(1), RECORD_SLOT_LEN);
	memcpy(buf + RECORD_SLOT_OFFSET(1), tmp, RECORD_SLOT_LEN);
	expect_error(buf, len, "both state slots invalid (state_a: wrong slot name");
}

/* ---- malformed records ---- */

#define GOOD_ENROLL \
	"secret=" SECRET_B32 "\n" \
	"algorithm=SHA1\n" \
	"digits=6\n" \
	"period=30\n" \
	"created=1700000000\n"
#define KDF "recovery_kdf=pbkdf2-sha256:100000:" SALT_HEX "\n"

struct bad_case {
	const char *enroll;  /* the enrolment part after the slots */
	const char *reason;
};

static const struct bad_case bad_cases[] = {
	{ GOOD_ENROLL "digits=6\n", "line 9: duplicate key 'digits'" },
	{ GOOD_ENROLL "colour=blue\n", "line 9: unknown key 'colour'" },
	{ "Secret=" SECRET_B32 "\n", "line 4: unknown key 'Secret'" },
	{ "secret=GEZDGNBVGY3TQOJ1GEZDGNBVGY3TQOJQ\n" "algorithm=SHA1\n",
	  "line 4: secret: bad base32" },
	{ "secret=gezdgnbvgy3tqojqgezdgnbvgy3tqojq\n", "line 4: secret: bad base32" },
	{ "secret=" SECRET_B32 "====\n", "line 4: secret: bad base32" },
	{ "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQA\n", "line 4: secret: bad base32" },
	{ "secret=GEZDGNBVGY3TQ\n", "line 4: secret: shorter than 10 bytes" },
	{ "secret=", "line 4: missing final newline" },
	{ "secret=\n", "line 4: secret: empty value" },
	{ "secret=" SECRET_B32 "\nalgorithm=SHA1\ndigits=5\n", "line 6: digits: out of range 6..8" },
	{ "secret=" SECRET_B32 "\nalgorithm=SHA1\ndigits=9\n", "line 6: digits: out of range 6..8" },
	{ "digits=+6\n", "line 4: digits: sign '+' not allowed" },
	{ "digits=06\n", "line 4: digits: leading zero" },
	{ "digits=six\n", "line 4: digits: not a decimal number" },
	{ "period=0\n", "line 4: period: out of range 1..300" },
	{ "period=301\n", "line 4: period: out of range 1..300" },
	{ "period=30s\n", "line 4: period: not a decimal number" },
	{ "period=18446744073709551646\n", "line 4: period: number too large" },
	{ "created=-1\n", "line 4: created: negative number" },
	{ "created=9223372036854775808\n", "line 4: created: number too large" },
	{ "created=99999999999999999999\n", "line 4: created: number too large" },
	{ "algorithm=MD5\n", "line 4: algorithm: unknown algorithm" },
	{ "algorithm=sha1\n", "line 4: algorithm: unknown algorithm" },
	{ GOOD_ENROLL "recovery=" HASH1 "\n", "recovery hashes without recovery_kdf" },
	{ GOOD_ENROLL KDF "recovery=" HASH1 ",00112233445566778899AABBCCDDEEFF\n",
	  "line 10: recovery: bad hash" },
	{ GOOD_ENROLL KDF "recovery=" HASH1 ",\n", "line 10: recovery: bad hash" },
	{ GOOD_ENROLL KDF "recovery=" HASH1 ",0011\n", "line 10: recovery: bad hash" },
	{ GOOD_ENROLL KDF "recovery=" HASH1 "," HASH1 "," HASH1 "," HASH1 ","
	  HASH1 "," HASH1 "," HASH1 "," HASH1 "," HASH1 "," HASH1 ","
	  HASH1 "," HASH1 "," HASH1 "," HASH1 "," HASH1 "," HASH1 ","
	  HASH1 "," HASH1 "," HASH1 "," HASH1 "," HASH2 "\n",
	  "line 10: recovery: too many recovery hashes (more than 20)" },
	{ "recovery_kdf=scrypt:100000:" SALT_HEX "\n", "line 4: recovery_kdf: unknown kdf" },
	{ "recovery_kdf=pbkdf2-sha256:999:" SALT_HEX "\n",
	  "line 4: recovery_kdf: iterations out of range 1000..10000000" },
	{ "recovery_kdf=pbkdf2-sha256:10000001:" SALT_HEX "\n",
	  "line 4: recovery_kdf: iterations out of range" },
	{ "recovery_kdf=pbkdf2-sha256:100000:0001\n",
	  "line 4: recovery_kdf: salt is not 32 lower-case hex digits" },
	{ "recovery_kdf=pbkdf2-sha256:100000\n", "line 4: recovery_kdf: missing salt" },
	{ "algorithm=SHA1\ndigits=6\nperiod=30\ncreated=0\n",
	  "line 8: missing required key 'secret'" },
	{ "secret=" SECRET_B32 "\ndigits=6\nperiod=30\ncreated=0\n",
	  "missing required key 'algorithm'" },
	{ "secret=" SECRET_B32 "\nalgorithm=SHA1\ndigits=6\nperiod=30\n",
	  "missing required key 'created'" },
	{ "", "missing required key 'secret'" },
	{ GOOD_ENROLL "\n", "line 9: empty line" },
	{ "secret=" SECRET_B32 "\n\nalgorithm=SHA1\n", "line 5: empty line" },
	{ "secret=" SECRET_B32 "\r\n", "line 4: carriage return" },
	{ "secret=" SECRET_B32 "\nalgorithm=SHA1\tx\n", "line 5: control or non-ASCII byte (0x09)" },
	{ "secret=" SECRET_B32 "\nalgorithm=SH\xc3\x84\n", "line 5: control or non-ASCII byte (0xc3)" },
	{ "digits = 6\n", "line 4: space around '='" },
	{ "digits =6\n", "line 4: space around '='" },
	{ "digits= 6\n", "line 4: space around '='" },
	{ " digits=6\n", "line 4: unexpected space" },
	{ "digits=6 \n", "line 4: unexpected space" },
	{ "digits\n", "line 4: expected key=value" },
	{ "=6\n", "line 4: empty key" },
	{ GOOD_ENROLL "created=1", "line 9: missing final newline" },
	{ GOOD_ENROLL "enrolled=tool,sshd,192.0.2.7\n", "line 9: enrolled: unknown origin" },
	{ GOOD_ENROLL "enrolled=login,sshd\n", "line 9: enrolled: missing remote host" },
	{ GOOD_ENROLL "enrolled=login,,192.0.2.7\n", "line 9: enrolled: empty service" },
	{ GOOD_ENROLL "enrolled=login,sshd,192.0.2.7,x\n",
	  "line 9: enrolled: bad byte in service or remote host" },
	{ GOOD_ENROLL "enrolled=login,"
	  "sshd-sshd-sshd-sshd-sshd-sshd-sshd-sshd-sshd-sshd-sshd-sshd-sshd-s,\n",
	  "line 9: enrolled: service or remote host too long" },
	{ GOOD_ENROLL "enrolled=login,sshd,a\n" "enrolled=login,sshd,b\n",
	  "line 10: duplicate key 'enrolled'" },
};

static void
test_malformed_enrollment(void **state)
{
	struct totp_state st;

	(void)state;
	record_state_init(&st);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		size_t len = build(buf, &st, bad_cases[i].enroll);

		expect_error(buf, len, bad_cases[i].reason);
	}
}

static void
test_malformed_whole(void **state)
{
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0";
	struct totp_record r;
	struct totp_state st;
	size_t len = 0, n;

	(void)state;
	sample_record(&r, OTP_ALG_SHA1, 6);
	record_state_init(&st);

	expect_error("", 0, "empty record");
	expect_error(NULL, 0, "empty record");
	expect_error(elf, sizeof(elf), "line 1: bad magic");
	expect_error("pam_totq 1\n", 11, "line 1: bad magic");
	expect_error("PAM_TOTP 1\n", 11, "line 1: bad magic");
	expect_error("pam_totp 2\n", 11, "line 1: unsupported version 2");
	expect_error("pam_totp 10\n", 12, "line 1: unsupported version 10");
	expect_error("pam_totp 1.0\n", 13, "line 1: bad magic");
	expect_error("pam_totp 1\r\n", 12, "line 1: carriage return");
	expect_error("pam_totp 1", 10, "line 1: missing final newline");
	expect_error("pam_totp\n", 9, "line 1: bad magic");
	expect_error("pam_totp 1\n", 11, "record truncated in the state slots (11 of 241 bytes)");

	/* truncated in the middle of a slot */
	assert_int_equal(record_format(&r, buf, sizeof(buf), &len), 0);
	expect_error(buf, RECORD_SLOT_OFFSET(1) + 50,
	    "record truncated in the state slots (176 of 241 bytes)");
	/* truncated right after the slots: nothing of the enrolment part */
	expect_error(buf, SLOTS_END, "missing required key 'secret'");
	/* truncated in the middle of the secret line */
	expect_error(buf, SLOTS_END + 20, "line 4: missing final newline");

	/* a NUL byte in the enrolment part; the length says it is there */
	n = build(buf, &st, GOOD_ENROLL);
	buf[SLOTS_END + 3] = '\0';
	expect_error(buf, n, "line 4: NUL byte");
	n = build(buf, &st, GOOD_ENROLL);
	buf[n - 1] = '\0';
	expect_error(buf, n, "line 8: NUL byte");

	/* over 64 KiB, even if every line were fine */
	n = build(buf, &st, GOOD_ENROLL);
	memset(buf + n, 'a', RECORD_MAX_BYTES + 1 - n);
	expect_error(buf, RECORD_MAX_BYTES + 1, "record over 65536 bytes");

	/* an overlong line, with and without its newline */
	n = build(buf, &st, GOOD_ENROLL "recovery=");
	memset(buf + n, 'a', 1100);
	buf[n + 1100] = '\n';
	expect_error(buf, n + 1101, "line 9: longer than 1024 bytes");
	expect_error(buf, n + 1100, "line 9: longer than 1024 bytes");
	/* exactly 1024 is allowed as a line length (it fails for its content) */
	n = build(buf, &st, GOOD_ENROLL "recovery=");
	memset(buf + n, 'a', 1024 - 9);
	buf[n + 1024 - 9] = '\n';
	expect_error(buf, n + 1024 - 9 + 1, "line 9: recovery: bad hash");
}

/* A good record parsed into a struct, then a bad one: the struct ends up
 * wiped, not holding the first record's secret. */
static void
test_error_wipes(void **state)
{
	struct totp_record r;
	struct totp_state st;
	char err[256];
	size_t n;

	(void)state;
	record_state_init(&st);
	n = build(buf, &st, GOOD_ENROLL);
	assert_int_equal(record_parse(buf, n, &r, err, sizeof(err)), 0);
	assert_int_equal(r.secret_len, 20);
	assert_memory_equal(r.secret, "12345678901234567890", 20);
	assert_int_equal(r.alg, OTP_ALG_SHA1);
	assert_int_equal(r.digits, 6);
	assert_int_equal(r.period, 30);
	assert_int_equal(r.created, 1700000000);
	assert_int_equal(r.recovery_iterations, 0);
	assert_int_equal(r.recovery_count, 0);
	assert_int_equal(r.state.last_step, -1);

	n = build(buf, &st, GOOD_ENROLL "period=30\n");
	assert_int_equal(record_parse(buf, n, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "line 9: duplicate key 'period'");
	assert_all_zero(&r, sizeof(r));

	/* a tiny error buffer truncates, never overflows */
	assert_int_equal(record_parse(buf, n, &r, err, 5), -1);
	assert_string_equal(err, "line");
	assert_int_equal(record_parse(buf, n, &r, NULL, 0), -1);

	record_wipe(&r);
	assert_all_zero(&r, sizeof(r));
}

/* Keys in another order are fine; the formatter's order is not required. */
static void
test_any_key_order(void **state)
{
	struct totp_record r;
	struct totp_state st;
	size_t n;

	(void)state;
	record_state_init(&st);
	n = build(buf, &st, "recovery=" HASH2 "\n" "created=5\n" "period=60\n"
	    KDF "digits=7\n" "algorithm=SHA512\n" "secret=" SECRET_B32 "\n");
	parse_ok(buf, n, &r);
	assert_int_equal(r.alg, OTP_ALG_SHA512);
	assert_int_equal(r.digits, 7);
	assert_int_equal(r.period, 60);
	assert_int_equal(r.created, 5);
	assert_int_equal(r.recovery_iterations, 100000);
	assert_int_equal(r.recovery_count, 1);
	assert_memory_equal(r.recovery[0],
	    "\xff\xee\xdd\xcc\xbb\xaa\x99\x88\x77\x66\x55\x44\x33\x22\x11\x00", 16);
	assert_int_equal(r.recovery_salt[15], 0x0f);
	record_wipe(&r);
}

/* enrolled= (an enrolment at a login): parsed, kept by a round trip;
 * what a PAM item holds that it cannot is made to fit */
static void
test_enrolled_at_login(void **state)
{
	struct totp_record r, back;
	struct totp_state st;
	char long_host[400];
	size_t n;

	(void)state;
	record_state_init(&st);
	n = build(buf, &st, GOOD_ENROLL "enrolled=login,sshd,2001:db8::7\n");
	parse_ok(buf, n, &r);
	assert_int_equal(r.enrolled_at_login, 1);
	assert_string_equal(r.enrolled_service, "sshd");
	assert_string_equal(r.enrolled_rhost, "2001:db8::7");
	record_wipe(&r);
	n = build(buf, &st, GOOD_ENROLL "enrolled=login,sudo,\n");
	parse_ok(buf, n, &r);
	assert_string_equal(r.enrolled_rhost, "");
	record_wipe(&r);
	n = build(buf, &st, GOOD_ENROLL);
	parse_ok(buf, n, &r);
	assert_int_equal(r.enrolled_at_login, 0);
	record_wipe(&r);

	sample_record(&r, OTP_ALG_SHA1, 6);
	record_set_login_origin(&r, "ssh d", "10.0.0.1,evil\n");
	assert_string_equal(r.enrolled_service, "ssh?d");
	assert_string_equal(r.enrolled_rhost, "10.0.0.1?evil?");
	round_trip(&r);
	memset(long_host, 'h', sizeof(long_host) - 1);
	long_host[sizeof(long_host) - 1] = '\0';
	record_set_login_origin(&r, NULL, long_host);
	assert_string_equal(r.enrolled_service, "?");
	assert_int_equal(strlen(r.enrolled_rhost), RECORD_ORIGIN_RHOST_MAX);
	round_trip(&r);
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), 0);
	assert_int_equal(record_parse(buf, n, &back, buf2, sizeof(buf2)), 0);
	assert_int_equal(back.enrolled_at_login, 1);
	record_wipe(&back);
	record_wipe(&r);
}

/* ---- an enrolment at login shown, not yet confirmed ---- */

static void
test_pending_round_trip(void **state)
{
	struct totp_record r, back;
	size_t n = 0;

	(void)state;
	sample_record(&r, OTP_ALG_SHA1, 6);
	r.pending_until = 1700000900;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), 0);
	assert_non_null(strstr(buf, "\npending=1700000900\n"));
	memset(&back, 0x5a, sizeof(back));
	/* not 0: never good for a login; but whole, secret included */
	assert_int_equal(record_parse(buf, n, &back, buf2, sizeof(buf2)), RECORD_PENDING);
	assert_string_equal(buf2, "enrolment at login not yet confirmed "
			    "(pending until 2023-11-14T22:28:20Z)");
	assert_int_equal(back.pending_until, 1700000900);
	assert_int_equal(back.secret_len, r.secret_len);
	assert_memory_equal(back.secret, r.secret, r.secret_len);
	assert_int_equal(back.digits, 6);
	/* confirmed: written without it, read as a record */
	back.pending_until = 0;
	assert_int_equal(record_format(&back, buf, sizeof(buf), &n), 0);
	assert_null(strstr(buf, "pending="));
	assert_int_equal(record_parse(buf, n, &back, NULL, 0), 0);
	/* a time the parser refuses: 0, negative, not a number */
	for (const char *bad = "0\0-5\0x\0"; *bad != '\0'; bad += strlen(bad) + 1) {
		char text[sizeof(buf)];

		r.pending_until = 0;
		assert_int_equal(record_format(&r, text, sizeof(text), &n), 0);
		snprintf(text + n, sizeof(text) - n, "pending=%s\n", bad);
		assert_int_equal(record_parse(text, strlen(text), &back, NULL, 0), -1);
	}
	/* and the formatter does not write one */
	r.pending_until = -1;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), -1);
	record_wipe(&back);
	record_wipe(&r);
}

/* ---- the tombstone of totp-admin remove ---- */

#define TOMBSTONE "pam_totp-removed 1\nremoved=1700000000\nby=alice\n"

static void
test_removed_round_trip(void **state)
{
	struct totp_record r, back;
	size_t n = 0;

	(void)state;
	sample_record(&r, OTP_ALG_SHA256, 8);
	record_set_removed(&r, 1700000000, "alice");
	/* nothing of the record it replaces is kept */
	assert_int_equal(r.secret_len, 0);
	assert_int_equal(r.recovery_count, 0);
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), 0);
	assert_string_equal(buf, TOMBSTONE);
	assert_int_equal(n, strlen(TOMBSTONE));
	memset(&back, 0x5a, sizeof(back));
	/* not 0: a caller that takes only 0 refuses it */
	assert_int_equal(record_parse(buf, n, &back, buf2, sizeof(buf2)), RECORD_REMOVED);
	assert_string_equal(buf2, "removed by an administrator on 2023-11-14T22:13:20Z by alice");
	assert_int_equal(back.removed, 1);
	assert_int_equal(back.removed_at, 1700000000);
	assert_string_equal(back.removed_by, "alice");
	assert_int_equal(back.secret_len, 0);
	assert_int_equal(back.digits, 0);
	assert_int_equal(record_format(&back, buf2, sizeof(buf2), &n), 0);
	assert_string_equal(buf2, TOMBSTONE);
	/* the keys in any order */
	assert_int_equal(record_parse("pam_totp-removed 1\nby=bob\nremoved=0\n", 36, &back,
				      NULL, 0), RECORD_REMOVED);
	assert_string_equal(back.removed_by, "bob");
	assert_int_equal(back.removed_at, 0);
	record_wipe(&back);
	record_wipe(&r);
}

static void
test_removed_by_cleaned(void **state)
{
	char long_name[RECORD_REMOVED_BY_MAX + 20];
	struct totp_record r;
	size_t n;

	(void)state;
	/* bytes by= cannot hold become '?', as in enrolled= */
	record_set_removed(&r, 5, "ad min,\nx");
	assert_string_equal(r.removed_by, "ad?min??x");
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), 0);
	record_set_removed(&r, 5, NULL);
	assert_string_equal(r.removed_by, "?");
	record_set_removed(&r, 5, "");
	assert_string_equal(r.removed_by, "?");
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	record_set_removed(&r, 5, long_name);
	assert_int_equal(strlen(r.removed_by), RECORD_REMOVED_BY_MAX);
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), 0);
	/* a tombstone the parser would refuse is not written */
	r.removed_at = -1;
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), -1);
	assert_string_equal(buf, "");
	record_set_removed(&r, 5, "alice");
	r.removed_by[0] = '\0';
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), -1);
	record_set_removed(&r, 5, "alice");
	r.removed_by[1] = ' ';
	assert_int_equal(record_format(&r, buf, sizeof(buf), &n), -1);
	record_set_removed(&r, 5, "alice");
	assert_int_equal(record_format(&r, buf, 30, &n), -1);
	record_wipe(&r);
}

static const struct {
	const char *text;
	const char *reason;
} bad_tombstones[] = {
	{ "pam_totp-removed 2\nremoved=1\nby=a\n", "line 1: bad tombstone magic or version" },
	{ "pam_totp-removed 1", "line 1: bad tombstone magic or version" },
	{ "pam_totp-removed 1\r\nremoved=1\nby=a\n", "line 1: bad tombstone magic or version" },
	{ "pam_totp-removed 1\n", "line 2: missing required key 'removed'" },
	{ "pam_totp-removed 1\nremoved=1\n", "line 3: missing required key 'by'" },
	{ "pam_totp-removed 1\nby=a\n", "line 3: missing required key 'removed'" },
	{ "pam_totp-removed 1\nremoved=1\nby=a\nremoved=2\n", "line 4: duplicate key 'removed'" },
	{ "pam_totp-removed 1\nremoved=1\nby=a\nsecret=" SECRET_B32 "\n",
	  "line 4: unknown key 'secret'" },
	{ "pam_totp-removed 1\nremoved=-1\nby=a\n", "line 2: removed: negative number" },
	{ "pam_totp-removed 1\nremoved=01\nby=a\n", "line 2: removed: leading zero" },
	{ "pam_totp-removed 1\nremoved=9223372036854775808\nby=a\n",
	  "line 2: removed: number too large" },
	{ "pam_totp-removed 1\nremoved=1\nby=\n", "line 3: by: empty value" },
	{ "pam_totp-removed 1\nremoved=1\nby=a,b\n", "line 3: by: bad byte" },
	{ "pam_totp-removed 1\nremoved=1\nby=a b\n", "line 3: unexpected space" },
	{ "pam_totp-removed 1\nremoved=1\nby=a\x01\n", "line 3: control or non-ASCII byte (0x01)" },
	{ "pam_totp-removed 1\nremoved=1\nby=a", "line 3: missing final newline" },
	{ "pam_totp-removed 1\nremoved=1\n\nby=a\n", "line 3: empty line" },
};

static void
test_removed_malformed(void **state)
{
	char name[RECORD_REMOVED_BY_MAX + 2];
	int n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_tombstones) / sizeof(bad_tombstones[0]); i++)
		expect_error(bad_tombstones[i].text, strlen(bad_tombstones[i].text),
			     bad_tombstones[i].reason);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	n = snprintf(buf, sizeof(buf), "pam_totp-removed 1\nremoved=1\nby=%s\n", name);
	expect_error(buf, (size_t)n, "line 3: by: longer than 255 bytes");
	/* a tombstone is no record of pam_totp 1, nor the other way round */
	expect_error("pam_totp 1\nremoved=1\nby=a\n", 26, "record truncated in the state slots");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all_algorithms_and_digits),
		cmocka_unit_test(test_round_trip_extremes),
		cmocka_unit_test(test_format_golden),
		cmocka_unit_test(test_format_slot),
		cmocka_unit_test(test_format_refuses_invalid),
		cmocka_unit_test(test_slot_newer_wins),
		cmocka_unit_test(test_slot_tie_is_a),
		cmocka_unit_test(test_slot_torn_falls_back),
		cmocka_unit_test(test_slots_both_bad),
		cmocka_unit_test(test_malformed_enrollment),
		cmocka_unit_test(test_malformed_whole),
		cmocka_unit_test(test_error_wipes),
		cmocka_unit_test(test_any_key_order),
		cmocka_unit_test(test_enrolled_at_login),
		cmocka_unit_test(test_pending_round_trip),
		cmocka_unit_test(test_removed_round_trip),
		cmocka_unit_test(test_removed_by_cleaned),
		cmocka_unit_test(test_removed_malformed),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
