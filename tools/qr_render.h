/*
 * qr_render: draw a QR code of a text (an otpauth:// URI) for a person to
 * scan with an authenticator app: in a terminal, or into a PNG or SVG file.
 *
 * Every function encodes TEXT itself (byte mode, error correction level M,
 * smallest version that fits), keeps the 4-module quiet zone the QR standard
 * asks for on every side, and returns 0 on success or -1 with errno set.
 * None keeps state between calls.
 *
 * The files written hold the TOTP secret, so they are created mode 0600 (an
 * existing file is truncated and set to 0600), and a symlink at PATH is
 * refused (ELOOP) rather than followed.
 */
#ifndef PAM_TOTP_QR_RENDER_H
#define PAM_TOTP_QR_RENDER_H

#include <stdio.h>

/* The quiet zone, in modules, that every renderer draws around the code. */
#define QR_QUIET_ZONE 4

/* Half blocks (U+2580, U+2584, U+2588): two modules per character cell,
 * black on white set explicitly with ANSI colours. For UTF-8 terminals. */
int qr_render_utf8(const char *text, FILE *out);

/* Two spaces per module, coloured with ANSI background colours only. For
 * terminals without UTF-8. */
int qr_render_ansi(const char *text, FILE *out);

/* An 8-bit grayscale PNG, SCALE pixels per module (1 to QR_PNG_MAX_SCALE). */
#define QR_PNG_MAX_SCALE 64
int qr_write_png(const char *text, const char *path, unsigned scale);

/* An SVG: a white background and one black <path> of the dark modules; the
 * viewBox counts modules, quiet zone included, so it scales to any size. */
int qr_write_svg(const char *text, const char *path);

#endif
