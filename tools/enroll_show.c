/* What totp-enroll shows: the QR code, the secret in groups of four, the
 * otpauth URI, the recovery codes, and the warning about apps that
 * ignore the algorithm, digits or period. Secrets go to standard output
 * only; messages about them to standard error. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "enroll.h"
#include "qr_render.h"

#define PNG_SCALE 8

int
enroll_show_qr(enum enroll_qr mode, const char *uri)
{
	int ret = 0;

	if (mode == ENROLL_QR_UTF8)
		ret = qr_render_utf8(uri, stdout);
	else if (mode == ENROLL_QR_ANSI)
		ret = qr_render_ansi(uri, stdout);
	if (ret != 0)
		fprintf(stderr, "totp-enroll: cannot draw the QR code: %s\n", strerror(errno));
	return ret;
}

int
enroll_write_qr_files(const struct enroll_opts *o, const char *uri)
{
	/* registered for removal only once written: a file that was refused
	 * (someone else's, a link, a FIFO) is never ours to remove */
	if (o->png != NULL) {
		if (qr_write_png(uri, o->png, PNG_SCALE) != 0) {
			fprintf(stderr, "totp-enroll: cannot write %s: %s\n", o->png, strerror(errno));
			return -1;
		}
		enroll_guard_file(o->png);
	}
	if (o->svg != NULL) {
		if (qr_write_svg(uri, o->svg) != 0) {
			fprintf(stderr, "totp-enroll: cannot write %s: %s\n", o->svg, strerror(errno));
			return -1;
		}
		enroll_guard_file(o->svg);
	}
	return 0;
}

void
enroll_show_secret(const char *b32, int quiet)
{
	size_t n = strlen(b32);

	if (!quiet)
		puts("Or type this secret into the app:");
	for (size_t i = 0; i < n; i += 4)
		printf("%s%.4s", i == 0 ? "" : " ", b32 + i);
	putchar('\n');
}

void
enroll_show_uri(const char *uri, int quiet)
{
	if (!quiet)
		puts("Key URI:");
	puts(uri);
}

void
enroll_show_recovery(char codes[][RECOVERY_CODE_SIZE], size_t n)
{
	if (n == 0)
		return;
	puts("");
	puts("Recovery codes, each good for one login without the app:");
	for (size_t i = 0; i < n; i++)
		printf("  %s\n", codes[i]);
	puts("Keep them somewhere safe. They will not be shown again.");
}

void
enroll_show_nonstandard_warning(const struct enroll_opts *o)
{
	fprintf(stderr,
		"totp-enroll: warning: %s, %u digits, %u s is not the common SHA1, 6 digits, 30 s.\n"
		"Microsoft Authenticator, Google Authenticator on Android and 1Password may\n"
		"silently compute SHA1 codes instead, so a code from the app is required.\n",
		otp_alg_name(o->alg), o->digits, o->period);
}
