/*
 * qr_term: a QR code of a text (an otpauth:// URI) drawn with characters,
 * for a person to scan from a terminal: totp-enroll's output and the
 * module's conversation at enrolment (enroll=prompt). The symbol is as small
 * as it goes: error correction level L, the smallest version, the densest
 * mode for each run of the text. Each drawing function returns 0 on
 * success or -1 with errno set.
 */
#ifndef PAM_TOTP_QR_TERM_H
#define PAM_TOTP_QR_TERM_H

#include <stdio.h>
#include <qrencode.h>

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
enum qr_term { QR_TERM_UTF8, QR_TERM_ANSI, QR_TERM_UTF8_PLAIN, QR_TERM_UTF8_PAIR };
/* Columns between the two codes of QR_TERM_UTF8_PAIR. */
#define QR_PAIR_GAP 2
void qr_term_size(enum qr_term kind, int modules, int quiet, int *lines, int *columns);
/* QR_TERM_UTF8: half blocks (U+2580, U+2584, U+2588), two modules per
 * character cell, black on white set explicitly with ANSI colours. For
 * UTF-8 terminals. QR_TERM_ANSI: two spaces per module, coloured with ANSI
 * background colours only. For terminals without UTF-8. QR_TERM_UTF8_PLAIN:
 * the half blocks of QR_TERM_UTF8 without any escape sequence, a dark module
 * drawn in the terminal's own foreground colour: for a channel that shows
 * escape sequences as text (OpenSSH's client, keyboard-interactive). It
 * reads right on a light background only. QR_TERM_UTF8_PAIR: for the same
 * channel, when the terminal's colours are unknown: the code of
 * QR_TERM_UTF8_PLAIN, then QR_PAIR_GAP blank columns, then the same code
 * with every module and the quiet zone inverted (a light module drawn in the
 * foreground colour). On a light background the first reads right, on a
 * dark one the second, each with a light quiet zone around it. */
int qr_render_term(enum qr_term kind, const char *text, int quiet, FILE *out);

/* The terminal every QR code with the default parameters, an issuer of 30
 * characters and an account of 40 must fit (the VT100's screen, and still
 * what many consoles and terminal windows open with). */
#define QR_SMALL_TERM_LINES 24
#define QR_SMALL_TERM_COLUMNS 80

/* The widest quiet zone, from QR_QUIET_ZONE down to QR_QUIET_ZONE_MIN,
 * with which a symbol of MODULES drawn as KIND fits a window of LINES x
 * COLUMNS with BELOW lines left under it; 0 when none does. */
int qr_quiet_zone_to_fit(enum qr_term kind, int modules, int lines, int columns, int below);

/* Whether TEXT's code drawn as KIND fits an 80x24 terminal with BELOW
 * lines under it (QR_TERM_ANSI: 80 columns, whatever the lines). */
int qr_fits_small_terminal(enum qr_term kind, const char *text, int below);

/* For the file renderings (tools/qr_render.c): TEXT encoded (NULL with
 * errno set; free with QRcode_free), the side of the drawn square with a
 * quiet zone of QUIET, and whether the module at (x, y), quiet zone
 * counted, is dark. */
QRcode *qr_encode(const char *text);
int qr_side(const QRcode *qr, int quiet);
int qr_dark(const QRcode *qr, int quiet, int x, int y);

#endif
