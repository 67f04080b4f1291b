/*
 * qr_term: a QR code drawn with characters, for totp-enroll's terminal and
 * for the module's conversation (enroll=prompt). See qr_term.h.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "qr_term.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*
 * Terminal colours.
 *
 * A QR code must be dark modules on a light background with a light quiet
 * zone around it; most scanners (the ones in Google/Microsoft Authenticator
 * included) do not read an inverted code. A terminal's own colours are
 * unknown: on a dark theme, glyphs drawn in the default colours would come
 * out inverted and the quiet zone would be dark. So every cell we draw has
 * its colours set explicitly: black foreground (SGR 30) on white background
 * (SGR 47), the two colours every ANSI terminal has. Themes may tint them
 * (e.g. "white" is often light grey) but keep them far apart, which is all a
 * scanner needs. The half-block glyphs are painted in the foreground colour,
 * so a dark module is "ink" and a light module is "paper" whatever the theme.
 * The colours are reset before each newline, so the background does not
 * bleed to the right edge of the window when the terminal scrolls.
 */
#define SGR_UTF8_CELLS "\033[30;47m" /* black ink on white paper */
#define SGR_DARK_BG "\033[40m"       /* qr_render_ansi: a dark module */
#define SGR_LIGHT_BG "\033[47m"      /* qr_render_ansi: a light module */
#define SGR_RESET "\033[0m"

#define UPPER_HALF "\xe2\x96\x80" /* U+2580 ▀ */
#define LOWER_HALF "\xe2\x96\x84" /* U+2584 ▄ */
#define FULL_BLOCK "\xe2\x96\x88" /* U+2588 █ */

/* Encode TEXT; NULL with errno set (EINVAL, ERANGE if too long, ENOMEM).
 * libqrencode splits the text into numeric, alphanumeric and 8-bit
 * segments itself (the 8-bit hint only keeps it from using Kanji mode);
 * case-sensitive, since the URI's lower case must stay lower case. */
QRcode *
qr_encode(const char *text)
{
	QRcode *qr;

	if (text == NULL) {
		errno = EINVAL;
		return NULL;
	}
	errno = 0;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (qr == NULL && errno == 0)
		errno = EINVAL;
	return qr;
}

int
qr_symbol_modules(const char *text)
{
	QRcode *qr = qr_encode(text);
	int width;

	if (qr == NULL)
		return -1;
	width = qr->width;
	QRcode_free(qr);
	return width;
}

/* Side of the drawn square in modules, a quiet zone of QUIET included. */
int
qr_side(const QRcode *qr, int quiet)
{
	return qr->width + 2 * quiet;
}

/* Is the module at (x, y) dark? Coordinates count the quiet zone, so the
 * code proper starts at (quiet, quiet); outside it is light. */
int
qr_dark(const QRcode *qr, int quiet, int x, int y)
{
	x -= quiet;
	y -= quiet;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[(size_t)y * (size_t)qr->width + (size_t)x] & 1;
}

void
qr_term_size(enum qr_term kind, int modules, int quiet, int *lines, int *columns)
{
	int n = modules + 2 * quiet;

	/* UTF-8: two module rows a line, one module a column; ANSI: one row a
	 * line, two columns a module */
	*lines = kind != QR_TERM_ANSI ? (n + 1) / 2 : n;
	*columns = kind == QR_TERM_ANSI        ? 2 * n
		   : kind == QR_TERM_UTF8_PAIR ? 2 * n + QR_PAIR_GAP
					       : n;
}

/* One character cell of two module rows, drawn as ink where "on". */
static const char *
half_blocks(int top, int bottom)
{
	return top ? (bottom ? FULL_BLOCK : UPPER_HALF) : (bottom ? LOWER_HALF : " ");
}

/* One line (module rows y and y + 1) of the code, ink on the dark
 * modules, or on the light ones (and the quiet zone) when INVERTED. */
static int
utf8_line(const QRcode *qr, int quiet, int y, int inverted, FILE *out)
{
	int n = qr_side(qr, quiet);

	for (int x = 0; x < n; x++) {
		int top = qr_dark(qr, quiet, x, y) != inverted;
		int bottom = qr_dark(qr, quiet, x, y + 1) != inverted;

		if (fputs(half_blocks(top, bottom), out) == EOF)
			return -1;
	}
	return 0;
}

/* KIND: QR_TERM_UTF8 (explicit colours), QR_TERM_UTF8_PLAIN (none) or
 * QR_TERM_UTF8_PAIR (none, the inverted code beside). */
static int
render_utf8(const QRcode *qr, int quiet, enum qr_term kind, FILE *out)
{
	int n = qr_side(qr, quiet);

	/* Two module rows per line; when N is odd the last line's lower half is
	 * one more row of quiet zone. */
	for (int y = 0; y < n; y += 2) {
		if (kind == QR_TERM_UTF8 && fputs(SGR_UTF8_CELLS, out) == EOF)
			return -1;
		if (utf8_line(qr, quiet, y, 0, out) != 0)
			return -1;
		if (kind == QR_TERM_UTF8_PAIR &&
		    (fprintf(out, "%*s", QR_PAIR_GAP, "") < 0 || utf8_line(qr, quiet, y, 1, out) != 0))
			return -1;
		if (fputs(kind == QR_TERM_UTF8 ? SGR_RESET "\n" : "\n", out) == EOF)
			return -1;
	}
	return 0;
}

static int
render_ansi(const QRcode *qr, int quiet, FILE *out)
{
	int n = qr_side(qr, quiet);

	/* One module row per line, a module two spaces wide so it is about
	 * square; only background colours, set once per run of equal modules. */
	for (int y = 0; y < n; y++) {
		int current = -1;
		for (int x = 0; x < n; x++) {
			int d = qr_dark(qr, quiet, x, y);
			if (d != current) {
				if (fputs(d ? SGR_DARK_BG : SGR_LIGHT_BG, out) == EOF)
					return -1;
				current = d;
			}
			if (fputs("  ", out) == EOF)
				return -1;
		}
		if (fputs(SGR_RESET "\n", out) == EOF)
			return -1;
	}
	return 0;
}

int
qr_render_term(enum qr_term kind, const char *text, int quiet, FILE *out)
{
	QRcode *qr = NULL;
	int ret = -1, saved = 0;

	if (out == NULL || quiet < QR_QUIET_ZONE_MIN || quiet > QR_QUIET_ZONE ||
	    (kind != QR_TERM_UTF8 && kind != QR_TERM_ANSI && kind != QR_TERM_UTF8_PLAIN &&
	     kind != QR_TERM_UTF8_PAIR)) {
		errno = EINVAL;
		return -1;
	}
	qr = qr_encode(text);
	if (qr == NULL)
		goto out;
	if ((kind == QR_TERM_ANSI ? render_ansi(qr, quiet, out)
				  : render_utf8(qr, quiet, kind, out)) != 0)
		goto out;
	if (fflush(out) == EOF)
		goto out;
	ret = 0;
out:
	saved = errno;
	QRcode_free(qr);
	errno = saved;
	return ret;
}

int
qr_quiet_zone_to_fit(enum qr_term kind, int modules, int lines, int columns, int below)
{
	for (int quiet = QR_QUIET_ZONE; quiet >= QR_QUIET_ZONE_MIN; quiet--) {
		int need_lines, need_columns;

		qr_term_size(kind, modules, quiet, &need_lines, &need_columns);
		if (need_lines + below <= lines && need_columns <= columns)
			return quiet;
	}
	return 0;
}

int
qr_fits_small_terminal(enum qr_term kind, const char *text, int below)
{
	int modules = qr_symbol_modules(text);

	if (modules <= 0)
		return 0;
	/* An ANSI code takes a line for each row of modules: no QR code fits
	 * 24 lines that way, so only its width counts. */
	if (kind == QR_TERM_ANSI)
		return qr_quiet_zone_to_fit(kind, modules, INT_MAX, QR_SMALL_TERM_COLUMNS, below) > 0;
	return qr_quiet_zone_to_fit(kind, modules, QR_SMALL_TERM_LINES, QR_SMALL_TERM_COLUMNS,
				    below) > 0;
}
