/* Sealing a record's secret part for the PostgreSQL store: AES-256-GCM
 * (OpenSSL EVP) under a key kept on the hosts, never in the database.
 *
 * A sealed value is one line of text:
 *     pam_totp-sealed:1:KEYID:BASE64(nonce[12] ciphertext tag[16])
 * KEYID (16 hex digits, from a SHA-256 of the key) names the key, so a
 * row sealed under an older key is told apart from a damaged one and
 * keys can be rotated. The additional data is the prefix with the key id
 * and the user name: a value moved to another user's row does not open. */
#ifndef PAM_TOTP_SEAL_H
#define PAM_TOTP_SEAL_H

#include <stddef.h>

#define SEAL_KEY_BYTES 32
#define SEAL_KEY_ID_CHARS 16
#define SEAL_PREFIX "pam_totp-sealed:1:"

struct seal_key {
	unsigned char key[SEAL_KEY_BYTES];
	char id[SEAL_KEY_ID_CHARS + 1];
};

/* Load the key file: a regular file (not a link) owned by root, no access
 * for group or others, holding 64 hex digits and a newline. 0, or -1 with
 * err set. */
int seal_key_load(const char *path, struct seal_key *k, char *err, size_t err_size);

/* Create a new random key file at path (mode 0600, never replacing one).
 * 0 created, 1 one exists already (kept), -1 with err set. */
int seal_key_create(const char *path, char *err, size_t err_size);

/* Wipe a loaded key. */
void seal_key_wipe(struct seal_key *k);

/* Whether text is a sealed value (by its prefix). */
int seal_is_sealed(const char *text);

/* Whether text is a value sealed under k (by the key id it names): which
 * of a host's keys opens it, during a rotation. */
int seal_by_key(const struct seal_key *k, const char *text);

/* Seal len bytes of plain for user into a new string *out (free it). 0, or
 * -1 with err set. */
int seal_text(const struct seal_key *k, const char *user, const char *plain, size_t len,
	      char **out, char *err, size_t err_size);

/* Open a sealed value for user into a new NUL-terminated string *plain
 * (its length in *len; wipe and free it). 0, or -1 with err set: another
 * key's id, a value not for this user, damaged or forged. */
int seal_open(const struct seal_key *k, const char *user, const char *sealed, char **plain,
	      size_t *len, char *err, size_t err_size);

#endif
