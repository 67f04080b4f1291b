/* Single-use recovery codes: 60 random bits shown as "abcd-efgh-jkmn",
 * stored only as PBKDF2-HMAC-SHA256 hashes under one salt per record.
 *
 * One KDF run per check: all codes of a record share its salt, so the typed
 * code is hashed once and compared with every stored hash. The salt keeps
 * one precomputed table from serving every record; the iteration count
 * makes each guess against a stolen record expensive; 60 bits make the
 * search hopeless anyway. Online guessing is bounded by verify's lock-out. */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "input.h"
#include "recovery.h"
#include "secure.h"

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* The alphabet index of a (lower- or upper-case) character, or -1. */
static int
alphabet_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= '2' && c <= '7')
		return 26 + (c - '2');
	return -1;
}

/* The length of a canonical code: 12 alphabet characters, or a scratch
 * code of 8 decimal digits; 0 for anything else. */
static size_t
canonical_len(const char *code)
{
	size_t n = strnlen(code, RECOVERY_CODE_CHARS + 1);

	if (n == RECOVERY_CODE_CHARS) {
		for (size_t i = 0; i < n; i++)
			if (alphabet_value(code[i]) < 0 || (code[i] >= 'A' && code[i] <= 'Z'))
				return 0;
		return n;
	}
	if (n == RECOVERY_SCRATCH_DIGITS) {
		for (size_t i = 0; i < n; i++)
			if (code[i] < '0' || code[i] > '9')
				return 0;
		return n;
	}
	return 0;
}

/* The hash of a canonical code under rec's salt and count. */
static int
recovery_hash(const struct totp_record *rec, unsigned iterations,
	      const char code[RECOVERY_CODE_CHARS + 1],
	      uint8_t out[RECORD_RECOVERY_HASH_LEN])
{
	size_t len = canonical_len(code);

	if (len == 0 || iterations == 0 || iterations > RECOVERY_ITERATIONS_MAX ||
	    iterations > INT_MAX)
		return -1;
	if (PKCS5_PBKDF2_HMAC(code, (int)len, rec->recovery_salt,
			      RECORD_RECOVERY_SALT_LEN, (int)iterations,
			      EVP_sha256(), RECORD_RECOVERY_HASH_LEN, out) != 1) {
		secure_wipe(out, RECORD_RECOVERY_HASH_LEN);
		return -1;
	}
	return 0;
}

int
recovery_generate(struct totp_record *rec, size_t n, unsigned iterations,
		  char codes[][RECOVERY_CODE_SIZE])
{
	char canon[RECORD_RECOVERY_MAX][RECOVERY_CODE_CHARS + 1];
	const char *made[RECORD_RECOVERY_MAX];
	uint8_t rnd[RECOVERY_CODE_CHARS];
	size_t i, j;
	int ret = -1;

	if (rec == NULL || n > RECORD_RECOVERY_MAX || (n > 0 && codes == NULL))
		return -1;
	if (iterations == 0)
		iterations = RECOVERY_ITERATIONS_DEFAULT;
	if (iterations > RECOVERY_ITERATIONS_MAX)
		return -1;
	if (n == 0) {
		/* No codes: the record keeps no KDF parameters either. */
		secure_wipe(rec->recovery, sizeof(rec->recovery));
		secure_wipe(rec->recovery_salt, sizeof(rec->recovery_salt));
		rec->recovery_count = 0;
		rec->recovery_iterations = 0;
		return 0;
	}
	for (i = 0; i < n; i++) {
		/* 32 divides 256, so the low 5 bits of a random byte are a
		 * uniform alphabet index. */
		if (secure_random(rnd, sizeof(rnd)) != 0)
			goto out;
		for (j = 0; j < RECOVERY_CODE_CHARS; j++)
			canon[i][j] = alphabet[rnd[j] & 31];
		canon[i][RECOVERY_CODE_CHARS] = '\0';
		made[i] = canon[i];
		/* Shown form: three groups of four. */
		memcpy(codes[i], canon[i], 4);
		codes[i][4] = '-';
		memcpy(codes[i] + 5, canon[i] + 4, 4);
		codes[i][9] = '-';
		memcpy(codes[i] + 10, canon[i] + 8, 4);
		codes[i][14] = '\0';
		codes[i][15] = '\0';
	}
	/* all made and hashed before rec changes */
	ret = recovery_set(rec, made, n, iterations);
out:
	if (ret != 0) {
		for (i = 0; i < n; i++)
			secure_wipe(codes[i], RECOVERY_CODE_SIZE);
	}
	secure_wipe(canon, sizeof(canon));
	secure_wipe(rnd, sizeof(rnd));
	return ret;
}

/* Keep the characters of input that make a code, in canonical form, into
 * out: hyphens and whitespace are skipped, and exactly want characters of
 * the shape must remain (digits only for a scratch code). */
static int
normalize_shape(const char *input, char out[RECOVERY_CODE_CHARS + 1], size_t want,
		int digits_only)
{
	size_t n = 0;
	int v;

	if (out == NULL)
		return 0;
	if (input == NULL)
		goto bad;
	for (const char *p = input; *p != '\0'; p++) {
		if (*p == '-' || input_is_space(*p))
			continue;
		v = digits_only ? (*p >= '0' && *p <= '9' ? *p : -1) : alphabet_value(*p);
		if (v < 0 || n >= want)
			goto bad;
		out[n++] = digits_only ? (char)v : alphabet[v];
	}
	if (n != want)
		goto bad;
	out[n] = '\0';
	return 1;
bad:
	secure_wipe(out, RECOVERY_CODE_CHARS + 1);
	return 0;
}

int
recovery_normalize(const char *input, char out[RECOVERY_CODE_CHARS + 1])
{
	return normalize_shape(input, out, RECOVERY_CODE_CHARS, 0);
}

int
recovery_normalize_scratch(const char *input, char out[RECOVERY_CODE_CHARS + 1])
{
	return normalize_shape(input, out, RECOVERY_SCRATCH_DIGITS, 1);
}

int
recovery_set(struct totp_record *rec, const char *const codes[], size_t n,
	     unsigned iterations)
{
	struct totp_record tmp;   /* only salt and iterations are used */
	uint8_t hashes[RECORD_RECOVERY_MAX][RECORD_RECOVERY_HASH_LEN];
	int ret = -1;

	if (rec == NULL || n == 0 || n > RECORD_RECOVERY_MAX || codes == NULL)
		return -1;
	if (iterations == 0)
		iterations = RECOVERY_ITERATIONS_DEFAULT;
	memset(&tmp, 0, sizeof(tmp));
	if (secure_random(tmp.recovery_salt, sizeof(tmp.recovery_salt)) != 0)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (codes[i] == NULL || recovery_hash(&tmp, iterations, codes[i], hashes[i]) != 0)
			goto out;
	secure_wipe(rec->recovery, sizeof(rec->recovery));
	memcpy(rec->recovery_salt, tmp.recovery_salt, sizeof(rec->recovery_salt));
	memcpy(rec->recovery, hashes, n * RECORD_RECOVERY_HASH_LEN);
	rec->recovery_count = n;
	rec->recovery_iterations = iterations;
	ret = 0;
out:
	secure_wipe(&tmp, sizeof(tmp));
	secure_wipe(hashes, sizeof(hashes));
	return ret;
}

int
recovery_match(const struct totp_record *rec,
	       const char code[RECOVERY_CODE_CHARS + 1])
{
	uint8_t h[RECORD_RECOVERY_HASH_LEN];
	unsigned found = 0, index = 0;

	if (rec == NULL || code == NULL ||
	    rec->recovery_count > RECORD_RECOVERY_MAX || canonical_len(code) == 0)
		return -2;
	if (rec->recovery_count == 0)
		return -1;
	if (recovery_hash(rec, rec->recovery_iterations, code, h) != 0)
		return -2;

	/* Compare with every hash and pick the first match without a branch
	 * on the outcome, so the time does not depend on which one matched. */
	for (size_t i = 0; i < rec->recovery_count; i++) {
		unsigned eq = (unsigned)secure_equal(h, rec->recovery[i], sizeof(h)) & 1u;
		unsigned take = 0u - (eq & (found ^ 1u));  /* all ones or zero */

		index = (index & ~take) | ((unsigned)i & take);
		found |= eq;
	}
	secure_wipe(h, sizeof(h));
	return found ? (int)index : -1;
}

void
recovery_remove(struct totp_record *rec, size_t i)
{
	if (rec == NULL || rec->recovery_count > RECORD_RECOVERY_MAX ||
	    i >= rec->recovery_count)
		return;
	memmove(rec->recovery[i], rec->recovery[i + 1],
		(rec->recovery_count - i - 1) * RECORD_RECOVERY_HASH_LEN);
	rec->recovery_count--;
	secure_wipe(rec->recovery[rec->recovery_count], RECORD_RECOVERY_HASH_LEN);
	if (rec->recovery_count == 0) {
		/* The last one used: as if there had never been any. */
		secure_wipe(rec->recovery_salt, sizeof(rec->recovery_salt));
		rec->recovery_iterations = 0;
	}
}
