/* Single-use recovery codes: generated once, shown once, stored only as
 * salted hashes from a slow KDF (PBKDF2-HMAC-SHA256 through OpenSSL).
 *
 * hash = first RECORD_RECOVERY_HASH_LEN bytes of
 *        PBKDF2-HMAC-SHA256(the 12 canonical characters, rec's salt,
 *                           rec's iterations)
 * One salt per record, shared by its codes, so a check costs one KDF run
 * whatever the number of codes. */
#ifndef PAM_TOTP_RECOVERY_H
#define PAM_TOTP_RECOVERY_H

#include <stddef.h>
#include "record.h"

/* A code as shown to the user: "abcd-efgh-jkmn", 12 characters from the
 * RFC 4648 base32 alphabet in lower case (60 bits) in three groups. */
#define RECOVERY_CODE_CHARS 12
#define RECOVERY_CODE_SIZE 16  /* 14 characters with hyphens, NUL, spare */
#define RECOVERY_ITERATIONS_DEFAULT 100000
/* Above this a record is refused rather than have a root process spin on
 * whatever a user wrote into a record in their home. */
#define RECOVERY_ITERATIONS_MAX 10000000

/* Make n codes (n <= RECORD_RECOVERY_MAX): fill rec's salt (fresh from the
 * CSPRNG), iterations (0 means RECOVERY_ITERATIONS_DEFAULT) and hashes, and
 * write the printable codes to codes[0..n-1]. The caller shows them once
 * and wipes them. n == 0 clears rec's codes, salt and iterations. 0 on
 * success; -1 on failure, and then rec is as it was and codes are wiped. */
int recovery_generate(struct totp_record *rec, size_t n, unsigned iterations,
		      char codes[][RECOVERY_CODE_SIZE]);

/* Normalise typed input to the 12 canonical (lower-case) characters if it
 * has the recovery-code shape: case-insensitive; hyphens and whitespace
 * anywhere are ignored; exactly 12 alphabet characters must remain.
 * 1 when it has that shape, 0 when not (out is then wiped). */
int recovery_normalize(const char *input, char out[RECOVERY_CODE_CHARS + 1]);

/* A google-authenticator scratch code, kept by totp-admin import-ga: 8
 * decimal digits. Hashed like a recovery code (the 8 digits instead of
 * the 12 characters), and as shapeless to a reader of the record. */
#define RECOVERY_SCRATCH_DIGITS 8

/* Normalise typed input to a scratch code's 8 digits: hyphens and
 * whitespace ignored, exactly 8 digits must remain. 1 when it has that
 * shape, 0 when not (out is then wiped). A record whose codes are 8 digits
 * long must have digits=6, or a scratch code would be read as a TOTP code
 * (verify checks TOTP codes first). */
int recovery_normalize_scratch(const char *input, char out[RECOVERY_CODE_CHARS + 1]);

/* Store the hashes of n canonical codes (as recovery_normalize or
 * recovery_normalize_scratch give them) in rec under a fresh salt,
 * replacing rec's codes; iterations 0 means the default. 0 on success, -1
 * on a bad code or a failure (rec is then as it was). */
int recovery_set(struct totp_record *rec, const char *const codes[], size_t n,
		 unsigned iterations);

/* Which stored hash the normalised code matches: its index, or -1 when
 * none does (or rec has no codes). -2 on an internal error (bad arguments,
 * iterations of 0 or above RECOVERY_ITERATIONS_MAX, a KDF failure): the
 * caller must deny. The KDF runs once, then every stored hash is compared
 * (constant time, no branch on the outcome), so timing does not tell which
 * one matched. */
int recovery_match(const struct totp_record *rec,
		   const char code[RECOVERY_CODE_CHARS + 1]);

/* Remove hash i from rec (keeps the order of the rest; wipes the freed
 * slot). Removing the last code also clears the salt and sets iterations
 * to 0, as record.h has it for a record without codes. */
void recovery_remove(struct totp_record *rec, size_t i);

#endif
