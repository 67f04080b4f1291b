/*
 * qr_render: draw a QR code of a text (an otpauth:// URI) for a person to
 * scan with an authenticator app: in a terminal, or into a PNG or SVG file.
 *
 * Every function encodes TEXT itself, as small as it goes: error correction
 * level L (a screen or a printed page is not scratched or stained, so 7%
 * of repair is enough), the smallest version, and segments in the densest
 * mode for each run of the text (an upper-case base32 secret is
 * alphanumeric: 5.5 bits a character instead of 8). Files keep the 4-module
 * quiet zone the QR standard asks for on every side; a terminal rendering
 * takes the quiet zone it is given, which the caller may narrow to fit a
 * small window. Each returns 0 on success or -1 with errno set. None keeps
 * state between calls.
 *
 * The files written hold the TOTP secret, so they are created mode 0600 (an
 * existing file is truncated and set to 0600), and a symlink at PATH is
 * refused (ELOOP) rather than followed.
 */
#ifndef PAM_TOTP_QR_RENDER_H
#define PAM_TOTP_QR_RENDER_H

#include "qr_term.h"

/* An 8-bit grayscale PNG, SCALE pixels per module (1 to QR_PNG_MAX_SCALE). */
#define QR_PNG_MAX_SCALE 64
int qr_write_png(const char *text, const char *path, unsigned scale);

/* An SVG: a white background and one black <path> of the dark modules; the
 * viewBox counts modules, quiet zone included, so it scales to any size. */
int qr_write_svg(const char *text, const char *path);

#endif
