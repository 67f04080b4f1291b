/* RFC 4648 base32. */
#ifndef PAM_TOTP_BASE32_H
#define PAM_TOTP_BASE32_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed to encode n bytes, without padding and without the NUL. */
size_t base32_encoded_len(size_t n, int pad);

/* Encode n bytes into out (NUL-terminated). pad != 0 adds '=' padding to a
 * multiple of 8 characters. 0 on success, -1 when out is too small. */
int base32_encode(const uint8_t *in, size_t n, int pad, char *out, size_t out_size);

/* Decode text as people type or paste it: upper or lower case, spaces and
 * hyphens anywhere, padding present or missing. Anything else (a bad
 * character, padding in the middle, a length no encoder produces, non-zero
 * trailing bits, empty input, output larger than out_size) is an error: -1,
 * and out is wiped. On success *out_len holds the number of bytes. */
int base32_decode(const char *text, uint8_t *out, size_t out_size, size_t *out_len);

#endif
