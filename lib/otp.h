/* HOTP (RFC 4226) and TOTP (RFC 6238) codes through OpenSSL's HMAC. */
#ifndef PAM_TOTP_OTP_H
#define PAM_TOTP_OTP_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	OTP_ALG_SHA1 = 0,
	OTP_ALG_SHA256,
	OTP_ALG_SHA512
} otp_alg;

#define OTP_DIGITS_MIN 6
#define OTP_DIGITS_MAX 8
#define OTP_CODE_SIZE (OTP_DIGITS_MAX + 1)
#define OTP_KEY_MAX 128 /* bytes; far above any sane secret */

/* "SHA1", "SHA256", "SHA512" (case-insensitive). 0 on success, -1 otherwise. */
int otp_alg_from_name(const char *name, otp_alg *alg);
const char *otp_alg_name(otp_alg alg);

/* The HOTP value for counter, as a NUL-terminated string of exactly
 * digits characters. 0 on success, -1 on bad arguments or a crypto error. */
int otp_hotp(const uint8_t *key, size_t key_len, otp_alg alg,
	     uint64_t counter, unsigned digits, char out[OTP_CODE_SIZE]);

/* A key made ready for many codes: the HMAC is fetched and keyed once, and
 * each code after that only re-initialises it. Verification tries one
 * typed code at many steps; keying HMAC afresh for each cost two thirds of
 * a failed login's instructions. otp_key_new gives 0 and *out (free it with
 * otp_key_free, which wipes the key), or -1 on bad arguments or a crypto
 * error. otp_key_hotp is otp_hotp with the key's secret and algorithm. */
struct otp_key;
int otp_key_new(const uint8_t *key, size_t key_len, otp_alg alg, struct otp_key **out);
int otp_key_hotp(struct otp_key *k, uint64_t counter, unsigned digits,
		 char out[OTP_CODE_SIZE]);
void otp_key_free(struct otp_key *k);

/* Fetch, and let go of, what a login's crypto fetches: SHA-256 (the
 * record's slot checksums) and HMAC. The first fetch in a process
 * initialises libcrypto 3 (its configuration, its table of names, every
 * digest method): millions of instructions, milliseconds. A login calls
 * this before it locks the record, so a fresh process pays that outside
 * the lock, where the other logins of the user would wait for it; the
 * fetches under the lock then find the methods in libcrypto's cache. */
void otp_crypto_warm(void);

/* The time step floor(now / period); now may be negative only in tests
 * (then -1 is returned: no code exists before the epoch). */
int64_t otp_time_step(int64_t now, unsigned period);

/* The TOTP value at Unix time now. */
int otp_totp(const uint8_t *key, size_t key_len, otp_alg alg, int64_t now,
	     unsigned period, unsigned digits, char out[OTP_CODE_SIZE]);

#endif
