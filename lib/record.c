/* The user record: a strict parser and the one formatter. record.h has the
 * layout, man/pam_totp.5 the documentation. Nothing here allocates; every
 * buffer that held the secret is wiped before it goes out of scope. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "base32.h"
#include "otp.h"
#include "record.h"
#include "text.h"
#include "secure.h"

/* A slot line, byte by byte:
 * state_a=SSSSSSSSSSSSSSSSSSSS:+LLLLLLLLLLLLLLLLLLL:+KKKKKK:FFFFF:+OOOOOOOOOOOOOOOOOOO:+RRRRRRRRRRRRRRRRRRR:CCCCCCCC\n
 * 0       8                   29                   50      58    64                   85                   106     114
 * the fields of TOTP_STATE_FIELDS, each in its width and a ':' */
#define SLOT_PREFIX_LEN 8
#define FIELD_AND_COLON(name, type, label, width, ...) + (width) + 1
#define SLOT_OFF_SUM (SLOT_PREFIX_LEN TOTP_STATE_FIELDS(FIELD_AND_COLON))
#define SLOT_SUMMED (SLOT_OFF_SUM - 1)  /* checksum covers bytes before ":SUM" */
#define SLOT_SUM_HEX 8
#define SLOTS_END (RECORD_MAGIC_LEN + 2 * RECORD_SLOT_LEN)

_Static_assert(SLOT_OFF_SUM + SLOT_SUM_HEX + 1 == RECORD_SLOT_LEN,
	       "slot field widths do not add up to RECORD_SLOT_LEN");
_Static_assert(sizeof(RECORD_MAGIC) - 1 == RECORD_MAGIC_LEN,
	       "RECORD_MAGIC_LEN does not match RECORD_MAGIC");
_Static_assert(sizeof(RECORD_REMOVED_MAGIC) - 1 == RECORD_REMOVED_MAGIC_LEN,
	       "RECORD_REMOVED_MAGIC_LEN does not match RECORD_REMOVED_MAGIC");

#define SECRET_MIN 10       /* bytes; 80 bits */
#define KDF_PREFIX "pbkdf2-sha256:"
#define KDF_ITER_MIN 1000
#define KDF_ITER_MAX 10000000
#define HASH_HEX (2 * RECORD_RECOVERY_HASH_LEN)
#define SALT_HEX (2 * RECORD_RECOVERY_SALT_LEN)


/* ---- numbers and hex, by hand: no silent wrap, no locale ---- */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;  /* upper case is not canonical, so it is not accepted */
}

/* n lower-case hex digits into n / 2 bytes. 0 on success. */
static int
hex_decode(const char *s, size_t n, uint8_t *out)
{
	size_t i;

	if (n % 2 != 0)
		return -1;
	for (i = 0; i < n; i += 2) {
		int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Exactly n decimal digits (leading zeros allowed: fixed width). */
static int
fixed_unsigned(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned d;

		if (!is_digit(s[i]))
			return -1;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* A sign ('+' or '-') and n - 1 digits, as printf's %+0Nd writes it.
 * "-000..0" is not something printf writes, so it is refused. */
static int
fixed_signed(const char *s, size_t n, int64_t *out)
{
	uint64_t mag;

	if (n < 2 || (s[0] != '+' && s[0] != '-'))
		return -1;
	if (fixed_unsigned(s + 1, n - 1, &mag) != 0)
		return -1;
	if (s[0] == '+') {
		if (mag > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)mag;
		return 0;
	}
	if (mag == 0 || mag > (uint64_t)INT64_MAX + 1)
		return -1;
	*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	return 0;
}

/* A canonical unsigned decimal value of an enrolment line: digits only, no
 * sign, no leading zero. NULL on success, else the reason. */
static const char *
parse_dec(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return "empty value";
	if (s[0] == '-')
		return "negative number";
	if (s[0] == '+')
		return "sign '+' not allowed";
	for (i = 0; i < n; i++) {
		unsigned d;

		if (!is_digit(s[i]))
			return "not a decimal number";
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return "number too large";
		v = v * 10 + d;
	}
	if (n > 1 && s[0] == '0')
		return "leading zero";
	*out = v;
	return NULL;
}

/* ---- state slots ---- */

/* The helpers below take any field of the state: _Generic picks the
 * signed or the unsigned one by the field's type (FIELD_*), so the code
 * made from TOTP_STATE_FIELDS is the same for every field. */

static int
in_signed(int64_t v, int64_t min, int64_t max)
{
	return v >= min && v <= max;
}

static int
in_unsigned(uint64_t v, uint64_t min, uint64_t max)
{
	return v >= min && v <= max;
}

#define FIELD_IN(value, min, max) \
	_Generic((value), \
		 int32_t: in_signed, int64_t: in_signed, \
		 uint32_t: in_unsigned, uint64_t: in_unsigned)((value), (min), (max))

/* A field in its width and a ':' at p (width + 2 bytes with the NUL).
 * 0 on success, -1 when it does not fit the width. */
static int
put_signed(char *p, int width, int64_t v)
{
	return snprintf(p, (size_t)width + 2, "%+0*" PRId64 ":", width, v) == width + 1 ? 0 : -1;
}

static int
put_unsigned(char *p, int width, uint64_t v)
{
	return snprintf(p, (size_t)width + 2, "%0*" PRIu64 ":", width, v) == width + 1 ? 0 : -1;
}

#define FIELD_PUT(p, width, value) \
	_Generic((value), \
		 int32_t: put_signed, int64_t: put_signed, \
		 uint32_t: put_unsigned, uint64_t: put_unsigned)((p), (width), (value))

/* A field of width characters at p into *out: 0, -1 for what the slot's
 * writer does not write (a bad field), 1 for a number outside [min, max]
 * (*out then untouched). One for each type a field may have. */
#define GETTER(fn, type, wide, parse, in) \
	static int \
	fn(const char *p, int width, wide min, wide max, type *out) \
	{ \
		wide v; \
		if (parse(p, (size_t)width, &v) != 0) \
			return -1; \
		if (!in(v, min, max)) \
			return 1; \
		*out = (type)v;  /* within [min, max] */ \
		return 0; \
	}
GETTER(get_i32, int32_t, int64_t, fixed_signed, in_signed)
GETTER(get_i64, int64_t, int64_t, fixed_signed, in_signed)
GETTER(get_u32, uint32_t, uint64_t, fixed_unsigned, in_unsigned)
GETTER(get_u64, uint64_t, uint64_t, fixed_unsigned, in_unsigned)
#undef GETTER

#define FIELD_GET(p, width, min, max, field) \
	_Generic((field), \
		 int32_t: get_i32, int64_t: get_i64, \
		 uint32_t: get_u32, uint64_t: get_u64)((p), (width), (min), (max), &(field))

void
record_state_init(struct totp_state *st)
{
	memset(st, 0, sizeof(*st));
#define INIT(name, type, label, width, min, max, init, ...) st->name = (init);
	TOTP_STATE_FIELDS(INIT)
#undef INIT
}

int
record_state_equal(const struct totp_state *a, const struct totp_state *b)
{
#define SAME(name, ...) && a->name == b->name
	return 1 TOTP_STATE_FIELDS(SAME);
#undef SAME
}

void
record_text_signed(char *out, size_t size, int64_t v)
{
	snprintf(out, size, "%" PRId64, v);
}

void
record_text_unsigned(char *out, size_t size, uint64_t v)
{
	snprintf(out, size, "%" PRIu64, v);
}

static int
state_valid(const struct totp_state *st)
{
#define VALID(name, type, label, width, min, max, ...) && FIELD_IN(st->name, min, max)
	return 1 TOTP_STATE_FIELDS(VALID);
#undef VALID
}

static const char *
slot_prefix(int slot)
{
	return slot == 0 ? "state_a=" : "state_b=";
}

/* The 8 lower-case hex digits of the first 4 bytes of SHA-256 over the
 * first SLOT_SUMMED bytes of line. 0 on success. */
static int
slot_checksum(const EVP_MD *sha256, const char *line, char hex[SLOT_SUM_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (sha256 == NULL ||
	    EVP_Digest(line, SLOT_SUMMED, md, &md_len, sha256, NULL) != 1 ||
	    md_len < 4)
		return -1;
	snprintf(hex, SLOT_SUM_HEX + 1, "%02x%02x%02x%02x",
		 md[0], md[1], md[2], md[3]);
	return 0;
}

int
record_format_slot(const struct totp_state *st, int slot,
    char out[RECORD_SLOT_LEN + 1])
{
	char sum[SLOT_SUM_HEX + 1];
	EVP_MD *sha256;
	char *p;
	int rc;

	if (st == NULL || out == NULL || (slot != 0 && slot != 1) ||
	    !state_valid(st))
		return -1;
	memcpy(out, slot_prefix(slot), SLOT_PREFIX_LEN);
	p = out + SLOT_PREFIX_LEN;
#define PUT(name, type, label, width, ...) \
	if (FIELD_PUT(p, width, st->name) != 0) \
		return -1; \
	p += (width) + 1;
	TOTP_STATE_FIELDS(PUT)
#undef PUT
	if (p != out + SLOT_OFF_SUM)
		return -1;
	sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	rc = slot_checksum(sha256, out, sum);
	EVP_MD_free(sha256);
	if (rc != 0)
		return -1;
	memcpy(out + SLOT_OFF_SUM, sum, SLOT_SUM_HEX);
	out[RECORD_SLOT_LEN - 1] = '\n';
	out[RECORD_SLOT_LEN] = '\0';
	return 0;
}

/* One slot line of exactly RECORD_SLOT_LEN bytes. NULL when valid, else
 * why not. The slot's name is checked too, so a slot moved to the other
 * place (or a whole line copied over) does not pass. */
static const char *
parse_slot(const EVP_MD *sha256, const char *p, int slot, struct totp_state *st)
{
	static const int widths[] = {
#define WIDTH(name, type, label, width, ...) width,
		TOTP_STATE_FIELDS(WIDTH)
#undef WIDTH
	};
	char sum[SLOT_SUM_HEX + 1];
	struct totp_state s;
	int bad = 0, out_of_range = 0;
	size_t i, at;

	if (memcmp(p, slot_prefix(slot), SLOT_PREFIX_LEN) != 0)
		return "wrong slot name";
	for (i = 0, at = SLOT_PREFIX_LEN; i < TOTP_STATE_NFIELDS; i++) {
		at += (size_t)widths[i];
		if (p[at++] != ':')
			return "bad layout";
	}
	if (p[RECORD_SLOT_LEN - 1] != '\n')
		return "bad layout";
	if (slot_checksum(sha256, p, sum) != 0)
		return "checksum not computable";
	if (memcmp(p + SLOT_OFF_SUM, sum, SLOT_SUM_HEX) != 0)
		return "bad checksum";

	memset(&s, 0, sizeof(s));
	at = SLOT_PREFIX_LEN;
#define GET(name, type, label, width, min, max, ...) \
	switch (FIELD_GET(p + at, width, min, max, s.name)) { \
	case 0: \
		break; \
	case 1: \
		out_of_range = 1; \
		break; \
	default: \
		bad = 1; \
		break; \
	} \
	at += (width) + 1;
	TOTP_STATE_FIELDS(GET)
#undef GET
	if (bad)
		return "bad field";
	if (out_of_range)
		return "field out of range";
	*st = s;
	return NULL;
}

/* Both slots; the valid one with the higher seq wins, A on a tie. */
static int
parse_slots(const char *buf, struct totp_record *rec,
    char *err, size_t err_size)
{
	struct totp_state st[2];
	const char *why[2];
	/* fetched once for both slots: each implicit fetch costs as much as
	 * the digest itself */
	EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	int i, valid = 0;

	for (i = 0; i < 2; i++) {
		why[i] = parse_slot(sha256, buf + RECORD_SLOT_OFFSET(i), i, &st[i]);
		if (why[i] == NULL)
			valid |= 1 << i;
	}
	EVP_MD_free(sha256);
	/* set here, not or-ed into what the caller left: st[i] is read only
	 * for a slot found valid just now */
	rec->slots_valid = valid;
	switch (valid) {
	case 0:
		text_error(err, err_size,
			"lines 2-3: both state slots invalid (state_a: %s; state_b: %s)",
			why[0], why[1]);
		return -1;
	case 1:
		rec->state_slot = 0;
		break;
	case 2:
		rec->state_slot = 1;
		break;
	default:
		rec->state_slot = st[1].seq > st[0].seq ? 1 : 0;
		break;
	}
	rec->state = st[rec->state_slot];
	return 0;
}

int
record_next_slot(const struct totp_record *rec)
{
	return rec->state_slot == 0 ? 1 : 0;
}

/* ---- the enrolment part: one handler per key ---- */

/* Each handler gets the value (not NUL-terminated) and returns NULL on
 * success or the reason it is refused. */

static const char *
parse_secret(struct totp_record *rec, const char *v, size_t n)
{
	char text[RECORD_LINE_MAX + 1];
	const char *why = NULL;
	size_t i;

	if (n == 0)
		return "empty value";
	if (n > base32_encoded_len(OTP_KEY_MAX, 0))
		return "longer than 128 bytes";
	for (i = 0; i < n; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '2' && v[i] <= '7')))
			return "bad base32 (only A-Z and 2-7, upper case, no padding)";
	memcpy(text, v, n);
	text[n] = '\0';
	if (base32_decode(text, rec->secret, sizeof(rec->secret), &rec->secret_len) != 0) {
		why = "bad base32 (impossible length or trailing bits)";
		goto out;
	}
	if (rec->secret_len < SECRET_MIN) {
		why = "shorter than 10 bytes";
		goto out;
	}
out:
	secure_wipe(text, sizeof(text));
	if (why != NULL) {
		secure_wipe(rec->secret, sizeof(rec->secret));
		rec->secret_len = 0;
	}
	return why;
}

static const char *
parse_algorithm(struct totp_record *rec, const char *v, size_t n)
{
	static const otp_alg algs[] = { OTP_ALG_SHA1, OTP_ALG_SHA256, OTP_ALG_SHA512 };
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		const char *name = otp_alg_name(algs[i]);

		if (name != NULL && strlen(name) == n && memcmp(name, v, n) == 0) {
			rec->alg = algs[i];
			return NULL;
		}
	}
	return "unknown algorithm (SHA1, SHA256 or SHA512)";
}

static const char *
parse_digits(struct totp_record *rec, const char *v, size_t n)
{
	uint64_t u = 0;
	const char *why = parse_dec(v, n, &u);

	if (why != NULL)
		return why;
	if (u < OTP_DIGITS_MIN || u > OTP_DIGITS_MAX)
		return "out of range 6..8";
	rec->digits = (unsigned)u;
	return NULL;
}

static const char *
parse_period(struct totp_record *rec, const char *v, size_t n)
{
	uint64_t u = 0;
	const char *why = parse_dec(v, n, &u);

	if (why != NULL)
		return why;
	if (u < 1 || u > RECORD_PERIOD_MAX)
		return "out of range 1..300";
	rec->period = (unsigned)u;
	return NULL;
}

/* A Unix time: as parse_dec, at most INT64_MAX. */
static const char *
parse_time(const char *v, size_t n, int64_t *out)
{
	uint64_t u = 0;
	const char *why = parse_dec(v, n, &u);

	if (why != NULL)
		return why;
	if (u > (uint64_t)INT64_MAX)
		return "number too large";
	*out = (int64_t)u;
	return NULL;
}

static const char *
parse_created(struct totp_record *rec, const char *v, size_t n)
{
	return parse_time(v, n, &rec->created);
}

/* pbkdf2-sha256:ITERATIONS:SALTHEX */
static const char *
parse_kdf(struct totp_record *rec, const char *v, size_t n)
{
	const size_t plen = sizeof(KDF_PREFIX) - 1;
	const char *iter, *colon, *why;
	size_t iter_len;
	uint64_t u = 0;

	if (n < plen || memcmp(v, KDF_PREFIX, plen) != 0)
		return "unknown kdf (expected pbkdf2-sha256:ITERATIONS:SALT)";
	iter = v + plen;
	colon = memchr(iter, ':', n - plen);
	if (colon == NULL)
		return "missing salt (expected pbkdf2-sha256:ITERATIONS:SALT)";
	iter_len = (size_t)(colon - iter);
	why = parse_dec(iter, iter_len, &u);
	if (why != NULL)
		return why;
	if (u < KDF_ITER_MIN || u > KDF_ITER_MAX)
		return "iterations out of range 1000..10000000";
	if (n - plen - iter_len - 1 != SALT_HEX ||
	    hex_decode(colon + 1, SALT_HEX, rec->recovery_salt) != 0)
		return "salt is not 32 lower-case hex digits";
	rec->recovery_iterations = (unsigned)u;
	return NULL;
}

/* Comma-separated hashes; empty when every code has been used. */
static const char *
parse_recovery(struct totp_record *rec, const char *v, size_t n)
{
	size_t pos = 0, count = 0;

	if (n == 0) {
		rec->recovery_count = 0;
		return NULL;
	}
	for (;;) {
		const char *comma = memchr(v + pos, ',', n - pos);
		size_t item = comma ? (size_t)(comma - (v + pos)) : n - pos;

		if (count == RECORD_RECOVERY_MAX)
			return "too many recovery hashes (more than 20)";
		if (item != HASH_HEX || hex_decode(v + pos, HASH_HEX, rec->recovery[count]) != 0)
			return "bad hash (each is 32 lower-case hex digits, comma-separated)";
		count++;
		if (comma == NULL)
			break;
		pos += item + 1;
	}
	rec->recovery_count = count;
	return NULL;
}

/* A byte a part of enrolled= may hold: printable ASCII, no space, no comma. */
static int
origin_byte(char c)
{
	return c > ' ' && c < 0x7f && c != ',';
}

/* What is wrong with a word of a line (a part of enrolled=, by=). */
enum word_fault { WORD_OK, WORD_SHORT, WORD_LONG, WORD_BYTE };

/* N bytes of V as a word: MIN to MAX bytes, each an origin_byte. */
static enum word_fault
word_check(const char *v, size_t n, size_t min, size_t max)
{
	if (n < min)
		return WORD_SHORT;
	if (n > max)
		return WORD_LONG;
	for (size_t i = 0; i < n; i++)
		if (!origin_byte(v[i]))
			return WORD_BYTE;
	return WORD_OK;
}

/* N bytes of V into OUT (MAX + 1 bytes): NULL when they are a valid part
 * of enrolled= (at least MIN bytes), else why not. */
static const char *
origin_part(const char *v, size_t n, size_t min, size_t max, char *out)
{
	static const char *const why[] = {
		NULL, "empty service", "service or remote host too long",
		"bad byte in service or remote host"
	};
	enum word_fault f = word_check(v, n, min, max);

	if (f != WORD_OK)
		return why[f];
	memcpy(out, v, n);
	out[n] = '\0';
	return NULL;
}

#define ORIGIN_LOGIN "login,"

/* login,SERVICE,RHOST (RHOST may be empty) */
static const char *
parse_enrolled(struct totp_record *rec, const char *v, size_t n)
{
	const size_t plen = sizeof(ORIGIN_LOGIN) - 1;
	const char *comma, *why;
	size_t slen;

	if (n < plen || memcmp(v, ORIGIN_LOGIN, plen) != 0)
		return "unknown origin (expected login,SERVICE,REMOTE-HOST)";
	comma = memchr(v + plen, ',', n - plen);
	if (comma == NULL)
		return "missing remote host (expected login,SERVICE,REMOTE-HOST)";
	slen = (size_t)(comma - (v + plen));
	why = origin_part(v + plen, slen, 1, RECORD_ORIGIN_SERVICE_MAX, rec->enrolled_service);
	if (why == NULL)
		why = origin_part(comma + 1, n - plen - slen - 1, 0, RECORD_ORIGIN_RHOST_MAX,
				  rec->enrolled_rhost);
	if (why != NULL) {
		rec->enrolled_service[0] = rec->enrolled_rhost[0] = '\0';
		return why;
	}
	rec->enrolled_at_login = 1;
	return NULL;
}

/* SRC into OUT (MAX + 1 bytes) as origin_part accepts it. */
static void
origin_copy(const char *src, size_t max, char *out)
{
	size_t i = 0;

	for (; src != NULL && src[i] != '\0' && i < max; i++)
		out[i] = origin_byte(src[i]) ? src[i] : '?';
	out[i] = '\0';
}

void
record_set_login_origin(struct totp_record *rec, const char *service, const char *rhost)
{
	rec->enrolled_at_login = 1;
	origin_copy(service != NULL && service[0] != '\0' ? service : "?",
		    RECORD_ORIGIN_SERVICE_MAX, rec->enrolled_service);
	origin_copy(rhost, RECORD_ORIGIN_RHOST_MAX, rec->enrolled_rhost);
}

/* The origin fields as parse_enrolled leaves them. */
static int
origin_valid(const struct totp_record *rec)
{
	char part[RECORD_ORIGIN_RHOST_MAX + 1];

	if (!rec->enrolled_at_login)
		return rec->enrolled_service[0] == '\0' && rec->enrolled_rhost[0] == '\0';
	return origin_part(rec->enrolled_service, strnlen(rec->enrolled_service,
			   sizeof(rec->enrolled_service)), 1, RECORD_ORIGIN_SERVICE_MAX, part) == NULL &&
	       origin_part(rec->enrolled_rhost, strnlen(rec->enrolled_rhost,
			   sizeof(rec->enrolled_rhost)), 0, RECORD_ORIGIN_RHOST_MAX, part) == NULL;
}

/* ---- the tombstone's lines ---- */

static const char *
parse_removed(struct totp_record *rec, const char *v, size_t n)
{
	return parse_time(v, n, &rec->removed_at);
}

/* The administrator's name: as a part of enrolled= (origin_byte). */
static const char *
parse_removed_by(struct totp_record *rec, const char *v, size_t n)
{
	static const char *const why[] = {
		NULL, "empty value", "longer than 255 bytes",
		"bad byte (printable ASCII, no space or comma)"
	};
	enum word_fault f = word_check(v, n, 1, RECORD_REMOVED_BY_MAX);

	if (f != WORD_OK)
		return why[f];
	memcpy(rec->removed_by, v, n);
	rec->removed_by[n] = '\0';
	return NULL;
}

void
record_set_removed(struct totp_record *rec, int64_t when, const char *by)
{
	record_wipe(rec);
	rec->removed = 1;
	rec->removed_at = when;
	origin_copy(by != NULL && by[0] != '\0' ? by : "?", RECORD_REMOVED_BY_MAX,
		    rec->removed_by);
}

/* pending=: when a pending enrolment at login ends (a time after created,
 * checked once the record is whole) */
static const char *
parse_pending(struct totp_record *rec, const char *v, size_t n)
{
	const char *why = parse_time(v, n, &rec->pending_until);

	if (why == NULL && rec->pending_until <= 0)
		return "must be after 1970";
	return why;
}

/* What parse_removed and parse_removed_by accept. */
static int
removed_valid(const struct totp_record *rec)
{
	return rec->removed_at >= 0 &&
	       word_check(rec->removed_by, strnlen(rec->removed_by, sizeof(rec->removed_by)), 1,
			  RECORD_REMOVED_BY_MAX) == WORD_OK;
}

struct key_handler {
	const char *name;
	const char *(*parse)(struct totp_record *, const char *, size_t);
};

static const struct key_handler removed_handlers[] = {
	{ "removed", parse_removed },
	{ "by", parse_removed_by },
};
#define REMOVED_KEY_COUNT (sizeof(removed_handlers) / sizeof(removed_handlers[0]))
#define REMOVED_KEYS_REQUIRED 0x3u  /* both */

static const struct key_handler key_handlers[] = {
	{ "secret", parse_secret },
	{ "algorithm", parse_algorithm },
	{ "digits", parse_digits },
	{ "period", parse_period },
	{ "created", parse_created },
	{ "recovery_kdf", parse_kdf },
	{ "recovery", parse_recovery },
	{ "enrolled", parse_enrolled },
	{ "pending", parse_pending },
};
#define KEY_COUNT (sizeof(key_handlers) / sizeof(key_handlers[0]))
#define KEYS_REQUIRED 0x1fu  /* the first five */
#define KEY_BIT_KDF (1u << 5)

/* The bytes a line may hold: printable ASCII. NULL when fine. */
static const char *
check_line_bytes(const char *line, size_t n, char *bad)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		*bad = (char)c;
		if (c == '\0')
			return "NUL byte";
		if (c == '\r')
			return "carriage return (CRLF line ends are not allowed)";
		if (c < 0x20 || c >= 0x7f)
			return "control or non-ASCII byte";
	}
	return NULL;
}

/* The keys a part of the record may hold: handlers[i] for bit i of seen. */
struct key_set {
	const struct key_handler *handlers;
	size_t count;
	unsigned required;  /* bits of the keys that must be there */
};

/* One key=value line, its bytes already checked. */
static int
parse_line(const char *line, size_t n, unsigned lineno, const struct key_set *keys,
    struct totp_record *rec, unsigned *seen,
    char *err, size_t err_size)
{
	const struct key_handler *handlers = keys->handlers;
	const char *eq = memchr(line, '=', n);
	const char *why;
	size_t klen, i;

	if (eq == NULL) {
		text_error(err, err_size, "line %u: expected key=value", lineno);
		return -1;
	}
	klen = (size_t)(eq - line);
	if (klen == 0) {
		text_error(err, err_size, "line %u: empty key", lineno);
		return -1;
	}
	if (line[klen - 1] == ' ' || (klen + 1 < n && line[klen + 1] == ' ')) {
		text_error(err, err_size, "line %u: space around '='", lineno);
		return -1;
	}
	if (memchr(line, ' ', n) != NULL) {
		text_error(err, err_size, "line %u: unexpected space", lineno);
		return -1;
	}
	for (i = 0; i < keys->count; i++)
		if (strlen(handlers[i].name) == klen &&
		    memcmp(handlers[i].name, line, klen) == 0)
			break;
	if (i == keys->count) {
		text_error(err, err_size, "line %u: unknown key '%.*s%s'", lineno,
			(int)(klen > 40 ? 40 : klen), line, klen > 40 ? "..." : "");
		return -1;
	}
	if (*seen & (1u << i)) {
		text_error(err, err_size, "line %u: duplicate key '%s'", lineno,
			handlers[i].name);
		return -1;
	}
	*seen |= 1u << i;
	why = handlers[i].parse(rec, eq + 1, n - klen - 1);
	if (why != NULL) {
		text_error(err, err_size, "line %u: %s: %s", lineno,
			handlers[i].name, why);
		return -1;
	}
	return 0;
}

/* The key=value lines of p, the first one line number *lineno (then
 * the number after the last), each key of keys at most once and every
 * required one there. *seen: the keys found (bits as in keys). */
static int
parse_keys(const char *p, size_t n, unsigned *lineno_io, const struct key_set *keys,
    struct totp_record *rec, unsigned *seen, char *err, size_t err_size)
{
	unsigned lineno = *lineno_io;
	size_t pos = 0, i;

	while (pos < n) {
		const char *line = p + pos;
		const char *nl = memchr(line, '\n', n - pos);
		size_t len = nl ? (size_t)(nl - line) : n - pos;
		const char *why;
		char bad = 0;

		if (len > RECORD_LINE_MAX) {
			text_error(err, err_size, "line %u: longer than %d bytes",
				lineno, RECORD_LINE_MAX);
			return -1;
		}
		why = check_line_bytes(line, len, &bad);
		if (why != NULL) {
			text_error(err, err_size, "line %u: %s (0x%02x)", lineno, why,
				(unsigned char)bad);
			return -1;
		}
		if (nl == NULL) {
			text_error(err, err_size, "line %u: missing final newline", lineno);
			return -1;
		}
		if (len == 0) {
			text_error(err, err_size, "line %u: empty line", lineno);
			return -1;
		}
		if (parse_line(line, len, lineno, keys, rec, seen, err, err_size) != 0)
			return -1;
		pos += len + 1;
		lineno++;
	}
	*lineno_io = lineno;
	for (i = 0; i < keys->count; i++) {
		if ((keys->required & (1u << i)) && !(*seen & (1u << i))) {
			text_error(err, err_size, "line %u: missing required key '%s'",
				lineno, keys->handlers[i].name);
			return -1;
		}
	}
	return 0;
}

static int
parse_enrollment(const char *p, size_t n, struct totp_record *rec,
    char *err, size_t err_size)
{
	static const struct key_set keys = { key_handlers, KEY_COUNT, KEYS_REQUIRED };
	unsigned lineno = 4, seen = 0;

	if (parse_keys(p, n, &lineno, &keys, rec, &seen, err, err_size) != 0)
		return -1;
	if (rec->recovery_count > 0 && !(seen & KEY_BIT_KDF)) {
		text_error(err, err_size, "line %u: recovery hashes without recovery_kdf",
			lineno);
		return -1;
	}
	return 0;
}

/* Line 1: exactly "pam_totp 1". */
static int
check_magic(const char *buf, size_t len, char *err, size_t err_size)
{
	static const char name[] = "pam_totp ";
	const size_t nlen = sizeof(name) - 1;
	size_t v = 0;

	if (len >= RECORD_MAGIC_LEN && memcmp(buf, RECORD_MAGIC, RECORD_MAGIC_LEN) == 0)
		return 0;
	if (len < nlen || memcmp(buf, name, nlen) != 0) {
		text_error(err, err_size,
			"line 1: bad magic: not a pam_totp record (expected 'pam_totp 1')");
		return -1;
	}
	while (nlen + v < len && v < 20 && is_digit(buf[nlen + v]))
		v++;
	if (v == 1 && buf[nlen] == '1') {
		if (nlen + v == len)
			text_error(err, err_size, "line 1: missing final newline");
		else if (buf[nlen + v] == '\r')
			text_error(err, err_size,
				"line 1: carriage return (CRLF line ends are not allowed)");
		else
			text_error(err, err_size, "line 1: bad magic (expected 'pam_totp 1')");
		return -1;
	}
	if (v > 0 && v < 20 && (nlen + v == len || buf[nlen + v] == '\n')) {
		text_error(err, err_size,
			"line 1: unsupported version %.*s (this reads version 1)",
			(int)v, buf + nlen);
		return -1;
	}
	text_error(err, err_size, "line 1: bad magic or version (expected 'pam_totp 1')");
	return -1;
}

#define REMOVED_NAME "pam_totp-removed "

/* A tombstone: "pam_totp-removed 1", then removed= and by=. */
static int
parse_removed_record(const char *buf, size_t len, struct totp_record *rec,
    char *err, size_t err_size)
{
	static const struct key_set keys = {
		removed_handlers, REMOVED_KEY_COUNT, REMOVED_KEYS_REQUIRED
	};
	char when[TEXT_TIME_SIZE];
	unsigned lineno = 2, seen = 0;

	if (len < RECORD_REMOVED_MAGIC_LEN ||
	    memcmp(buf, RECORD_REMOVED_MAGIC, RECORD_REMOVED_MAGIC_LEN) != 0) {
		text_error(err, err_size, "line 1: bad tombstone magic or version "
			"(expected 'pam_totp-removed 1')");
		return -1;
	}
	if (parse_keys(buf + RECORD_REMOVED_MAGIC_LEN, len - RECORD_REMOVED_MAGIC_LEN, &lineno,
		       &keys, rec, &seen, err, err_size) != 0)
		return -1;
	rec->removed = 1;
	text_time(rec->removed_at, when);
	text_error(err, err_size, "removed by an administrator on %s by %s", when,
		   rec->removed_by);
	return RECORD_REMOVED;
}

int
record_parse(const char *buf, size_t len, struct totp_record *rec,
    char *err, size_t err_size)
{
	int ret = -1;

	if (err != NULL && err_size > 0)
		err[0] = '\0';
	if (rec == NULL) {
		text_error(err, err_size, "no record to fill");
		return -1;
	}
	memset(rec, 0, sizeof(*rec));
	if (buf == NULL || len == 0) {
		text_error(err, err_size, "empty record");
		goto out;
	}
	if (len > RECORD_MAX_BYTES) {
		text_error(err, err_size, "record over %d bytes (%zu)",
			RECORD_MAX_BYTES, len);
		goto out;
	}
	if (len >= sizeof(REMOVED_NAME) - 1 &&
	    memcmp(buf, REMOVED_NAME, sizeof(REMOVED_NAME) - 1) == 0) {
		ret = parse_removed_record(buf, len, rec, err, err_size);
		goto out;
	}
	if (check_magic(buf, len, err, err_size) != 0)
		goto out;
	if (len < SLOTS_END) {
		text_error(err, err_size,
			"record truncated in the state slots (%zu of %d bytes)",
			len, SLOTS_END);
		goto out;
	}
	if (parse_slots(buf, rec, err, err_size) != 0)
		goto out;
	if (parse_enrollment(buf + SLOTS_END, len - SLOTS_END, rec, err, err_size) != 0)
		goto out;
	ret = 0;
	if (rec->pending_until != 0) {
		char until[TEXT_TIME_SIZE];

		text_time(rec->pending_until, until);
		text_error(err, err_size, "enrolment at login not yet confirmed (pending until %s)",
			   until);
		ret = RECORD_PENDING;
	}
out:
	if (ret != 0 && ret != RECORD_REMOVED && ret != RECORD_PENDING)
		record_wipe(rec);
	return ret;
}

/* ---- formatting ---- */

struct outbuf {
	char *p;
	size_t size;
	size_t len;
	int failed;
};

static void
out_add(struct outbuf *o, const char *s, size_t n)
{
	if (o->failed || n >= o->size - o->len) {
		o->failed = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

__attribute__((format(printf, 2, 3)))
static void
out_addf(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->failed = 1;
		return;
	}
	o->len += (size_t)n;
}

static void
out_hex(struct outbuf *o, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		out_addf(o, "%02x", b[i]);
}

/* What record_parse would accept, so the formatter never writes a record
 * it cannot read back. */
static int
enrollment_valid(const struct totp_record *rec)
{
	if (rec->secret_len < SECRET_MIN || rec->secret_len > OTP_KEY_MAX)
		return 0;
	if (rec->alg != OTP_ALG_SHA1 && rec->alg != OTP_ALG_SHA256 &&
	    rec->alg != OTP_ALG_SHA512)
		return 0;
	if (otp_alg_name(rec->alg) == NULL)
		return 0;
	if (rec->digits < OTP_DIGITS_MIN || rec->digits > OTP_DIGITS_MAX)
		return 0;
	if (rec->period < 1 || rec->period > RECORD_PERIOD_MAX)
		return 0;
	if (rec->created < 0 || !origin_valid(rec) || rec->pending_until < 0)
		return 0;
	if (rec->recovery_iterations == 0)
		return rec->recovery_count == 0;
	return rec->recovery_iterations >= KDF_ITER_MIN &&
	       rec->recovery_iterations <= KDF_ITER_MAX &&
	       rec->recovery_count <= RECORD_RECOVERY_MAX;
}

/* A tombstone: its magic, removed= and by=. */
static int
format_removed(const struct totp_record *rec, char *out, size_t out_size, size_t *out_len)
{
	struct outbuf o = { out, out_size, 0, 0 };

	if (!removed_valid(rec))
		return -1;
	out_add(&o, RECORD_REMOVED_MAGIC, RECORD_REMOVED_MAGIC_LEN);
	out_addf(&o, "removed=%" PRId64 "\n", rec->removed_at);
	out_addf(&o, "by=%s\n", rec->removed_by);
	if (o.failed) {
		secure_wipe(out, out_size);  /* as record_format leaves a failure */
		return -1;
	}
	if (out_len != NULL)
		*out_len = o.len;
	return 0;
}

int
record_format(const struct totp_record *rec, char *out, size_t out_size,
    size_t *out_len)
{
	char secret[RECORD_LINE_MAX + 1];
	char slot[RECORD_SLOT_LEN + 1];
	struct outbuf o = { out, out_size, 0, 0 };
	size_t i;
	int ret = -1;

	if (rec == NULL || out == NULL || out_size == 0)
		return -1;
	out[0] = '\0';
	if (rec->removed)
		return format_removed(rec, out, out_size, out_len);
	if (!enrollment_valid(rec))
		goto out;
	if (base32_encode(rec->secret, rec->secret_len, 0, secret, sizeof(secret)) != 0)
		goto out;

	out_add(&o, RECORD_MAGIC, RECORD_MAGIC_LEN);
	for (i = 0; i < 2; i++) {
		if (record_format_slot(&rec->state, (int)i, slot) != 0)
			goto out;
		out_add(&o, slot, RECORD_SLOT_LEN);
	}
	out_addf(&o, "secret=%s\n", secret);
	out_addf(&o, "algorithm=%s\n", otp_alg_name(rec->alg));
	out_addf(&o, "digits=%u\n", rec->digits);
	out_addf(&o, "period=%u\n", rec->period);
	out_addf(&o, "created=%" PRId64 "\n", rec->created);
	if (rec->recovery_iterations != 0) {
		out_addf(&o, "recovery_kdf=" KDF_PREFIX "%u:", rec->recovery_iterations);
		out_hex(&o, rec->recovery_salt, RECORD_RECOVERY_SALT_LEN);
		out_add(&o, "\nrecovery=", 10);
		for (i = 0; i < rec->recovery_count; i++) {
			if (i > 0)
				out_add(&o, ",", 1);
			out_hex(&o, rec->recovery[i], RECORD_RECOVERY_HASH_LEN);
		}
		out_add(&o, "\n", 1);
	}
	if (rec->enrolled_at_login)
		out_addf(&o, "enrolled=" ORIGIN_LOGIN "%s,%s\n", rec->enrolled_service,
			 rec->enrolled_rhost);
	if (rec->pending_until != 0)
		out_addf(&o, "pending=%" PRId64 "\n", rec->pending_until);
	if (o.failed || o.len > RECORD_MAX_BYTES)
		goto out;
	if (out_len != NULL)
		*out_len = o.len;
	ret = 0;
out:
	secure_wipe(secret, sizeof(secret));
	if (ret != 0)
		secure_wipe(out, out_size);
	return ret;
}

void
record_wipe(struct totp_record *rec)
{
	if (rec != NULL)
		secure_wipe(rec, sizeof(*rec));
}
