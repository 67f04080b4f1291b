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

#include <stdio.h>

/* The quiet zone, in modules, the standard asks for around the code. */
#define QR_QUIET_ZONE 4
/* The narrowest quiet zone a terminal rendering may be given: phone
 * scanners read a code with two light modules around it, even on a dark
 * terminal background. */
#define QR_QUIET_ZONE_MIN 2

/* The side of TEXT's symbol in modules, without the quiet zone (21 for
 * version 1 up to 177 for version 40); -1 with errno set. */
int qr_symbol_modules(const char *text);

/* The terminal renderings. For both: the lines and columns a symbol of
 * MODULES takes drawn with a quiet zone of QUIET modules, and drawing
 * TEXT with that quiet zone (QR_QUIET_ZONE_MIN to QR_QUIET_ZONE). */
enum qr_term { QR_TERM_UTF8, QR_TERM_ANSI };
void qr_term_size(enum qr_term kind, int modules, int quiet, int *lines, int *columns);
/* QR_TERM_UTF8: half blocks (U+2580, U+2584, U+2588), two modules per
 * character cell, black on white set explicitly with ANSI colours. For
 * UTF-8 terminals. QR_TERM_ANSI: two spaces per module, coloured with ANSI
 * background colours only. For terminals without UTF-8. */
int qr_render_term(enum qr_term kind, const char *text, int quiet, FILE *out);

/* An 8-bit grayscale PNG, SCALE pixels per module (1 to QR_PNG_MAX_SCALE). */
#define QR_PNG_MAX_SCALE 64
int qr_write_png(const char *text, const char *path, unsigned scale);

/* An SVG: a white background and one black <path> of the dark modules; the
 * viewBox counts modules, quiet zone included, so it scales to any size. */
int qr_write_svg(const char *text, const char *path);

#endif
