/* What totp-enroll shows: the QR code, the secret in groups of four, the
 * otpauth URI, the recovery codes, and the warning about apps that
 * ignore the algorithm, digits or period. Secrets go to standard output
 * only; messages about them to standard error.
 *
 * The QR code is drawn last, just above the prompt for the code, so that
 * the whole of it is on screen when the phone is held up to it: whatever
 * explains it comes before it. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "enroll.h"
#include "i18n.h"
#include "qr_render.h"

#define PNG_SCALE 8
int
enroll_qr_fits_small_terminal(enum enroll_qr mode, const char *uri)
{
	return qr_fits_small_terminal(mode == ENROLL_QR_ANSI ? QR_TERM_ANSI : QR_TERM_UTF8, uri,
				      LINES_BELOW_QR);
}

int
enroll_show_qr(enum enroll_qr mode, const char *uri)
{
	enum qr_term kind = mode == ENROLL_QR_ANSI ? QR_TERM_ANSI : QR_TERM_UTF8;
	struct winsize ws;
	int modules, quiet = QR_QUIET_ZONE;

	if (mode == ENROLL_QR_NONE)
		return 0;
	modules = qr_symbol_modules(uri);
	if (modules < 0)
		goto fail;
	/* On a terminal, a code that does not fit would scroll its top out
	 * of sight before anyone can scan it: narrow the quiet zone if that
	 * is enough, else say so instead. Output that is no terminal (a
	 * file, a pipe) gets the standard quiet zone. */
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		quiet = qr_quiet_zone_to_fit(kind, modules, ws.ws_row, ws.ws_col, LINES_BELOW_QR);
		if (quiet == 0) {
			int lines, columns;

			qr_term_size(kind, modules, QR_QUIET_ZONE_MIN, &lines, &columns);
			fflush(stdout);
			fprintf(stderr, _("The window is too small for the QR code (it needs %d x %d). "
					"Make the window larger, or use --png FILE.\n"),
				columns, lines + LINES_BELOW_QR);
			return 0;
		}
	}
	if (qr_render_term(kind, uri, quiet, stdout) == 0)
		return 0;
fail:
	fprintf(stderr, _("totp-enroll: cannot draw the QR code: %s\n"), strerror(errno));
	return -1;
}

int
enroll_write_qr_files(const struct enroll_opts *o, const char *uri)
{
	/* registered for removal only once written: a file that was refused
	 * (someone else's, a link, a FIFO) is never ours to remove */
	if (o->png != NULL) {
		if (qr_write_png(uri, o->png, PNG_SCALE) != 0) {
			fprintf(stderr, _("totp-enroll: cannot write %s: %s\n"), o->png, strerror(errno));
			return -1;
		}
		enroll_guard_file(o->png);
	}
	if (o->svg != NULL) {
		if (qr_write_svg(uri, o->svg) != 0) {
			fprintf(stderr, _("totp-enroll: cannot write %s: %s\n"), o->svg, strerror(errno));
			return -1;
		}
		enroll_guard_file(o->svg);
	}
	return 0;
}

void
enroll_show_intro(const char *user, const struct totp_record *rec, int confirm)
{
	printf(_("Setting up the authenticator app for %s.\n"), user);
	puts(_("In the app (for example Microsoft Authenticator), add an account:\n"
	     "choose \"Other account\" and scan the QR code below."));
	if (confirm)
		printf(_("The app then shows a %u-digit code for this account, a new one every\n"
		       "%u seconds. Type the code it shows now after \"Code from the app:\" below.\n"),
		       rec->digits, rec->period);
}

void
enroll_show_secret(const char *b32, int quiet)
{
	size_t n = strlen(b32);

	if (!quiet)
		puts(_("No camera? In the app, add the account by hand with this key:"));
	for (size_t i = 0; i < n; i += 4)
		printf("%s%.4s", i == 0 ? "" : " ", b32 + i);
	putchar('\n');
}

void
enroll_show_uri(const char *uri, int quiet)
{
	if (!quiet)
		puts(_("Key URI:"));
	puts(uri);
}

void
enroll_show_recovery(char codes[][RECOVERY_CODE_SIZE], size_t n)
{
	if (n == 0)
		return;
	puts("");
	puts(_("Recovery codes: each one lets you log in once without the app.\n"
	       "Type it instead of the code from the app."));
	for (size_t i = 0; i < n; i++)
		printf("  %s\n", codes[i]);
	puts(_("Keep them somewhere safe. They will not be shown again."));
}

void
enroll_show_nonstandard_warning(const struct enroll_opts *o)
{
	fprintf(stderr,
		_("totp-enroll: warning: %s, %u digits, %u s is not the common SHA1, 6 digits, 30 s.\n"
		"Microsoft Authenticator, Google Authenticator on Android and 1Password may\n"
		"silently compute SHA1 codes instead, so a code from the app is required.\n"),
		otp_alg_name(o->alg), o->digits, o->period);
}
