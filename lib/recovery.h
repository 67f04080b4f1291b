/* Single-use recovery codes: generated once, shown once, stored only as
 * salted hashes from a slow KDF (PBKDF2-HMAC-SHA256 through OpenSSL). */
#ifndef PAM_TOTP_RECOVERY_H
#define PAM_TOTP_RECOVERY_H

#include <stddef.h>
#include "record.h"

/* A code as shown to the user: "abcd-efgh-jkmn", 12 characters from the
 * RFC 4648 base32 alphabet in lower case (60 bits) in three groups. */
#define RECOVERY_CODE_CHARS 12
#define RECOVERY_CODE_SIZE 16  /* 14 characters with hyphens, NUL, spare */
#define RECOVERY_ITERATIONS_DEFAULT 100000

/* Make n codes (n <= RECORD_RECOVERY_MAX): fill rec's salt, iterations and
 * hashes, and write the printable codes to codes[0..n-1]. The caller shows
 * them once and wipes them. 0 on success, -1 on failure. */
int recovery_generate(struct totp_record *rec, size_t n, unsigned iterations,
		      char codes[][RECOVERY_CODE_SIZE]);

/* Normalise typed input to the 12 canonical characters if it has the
 * recovery-code shape (case-insensitive; hyphens and spaces ignored).
 * 1 when it has that shape, 0 when not. */
int recovery_normalize(const char *input, char out[RECOVERY_CODE_CHARS + 1]);

/* Which stored hash the normalised code matches: its index, or -1. Every
 * stored hash is compared (constant time), so timing does not tell which. */
int recovery_match(const struct totp_record *rec,
		   const char code[RECOVERY_CODE_CHARS + 1]);

/* Remove hash i from rec (keeps the order of the rest). */
void recovery_remove(struct totp_record *rec, size_t i);

#endif
