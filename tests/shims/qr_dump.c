/*
 * qr_dump: drive qr_render from the shell, for tests/qr_decode.sh.
 *   qr_dump utf8|ansi TEXT [QUIET]  draw TEXT's QR code on stdout, with a
 *                                   quiet zone of QUIET modules (default 4)
 *   qr_dump png|svg TEXT FILE       write it to FILE (PNG at 8 pixels a module)
 *   qr_dump modules TEXT            print the side of TEXT's symbol
 * Exits 0 on success, 1 with errno's message on failure, 2 on bad usage.
 */
#include "qr_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
usage(void)
{
	fputs("usage: qr_dump utf8|ansi|png|svg|modules TEXT [FILE|QUIET]\n", stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	const char *mode, *text, *arg; /* arg: FILE or QUIET */
	int rc, modules;

	if (argc < 3 || argc > 4)
		return usage();
	mode = argv[1];
	text = argv[2];
	arg = argc == 4 ? argv[3] : NULL;

	if (strcmp(mode, "utf8") == 0)
		rc = qr_render_term(QR_TERM_UTF8, text, arg ? atoi(arg) : QR_QUIET_ZONE, stdout);
	else if (strcmp(mode, "ansi") == 0)
		rc = qr_render_term(QR_TERM_ANSI, text, arg ? atoi(arg) : QR_QUIET_ZONE, stdout);
	else if (strcmp(mode, "modules") == 0 && arg == NULL)
		rc = (modules = qr_symbol_modules(text)) < 0 ? -1 : printf("%d\n", modules) < 0;
	else if (strcmp(mode, "png") == 0 && arg != NULL)
		rc = qr_write_png(text, arg, 8);
	else if (strcmp(mode, "svg") == 0 && arg != NULL)
		rc = qr_write_svg(text, arg);
	else
		return usage();

	if (rc != 0) {
		perror("qr_dump");
		return 1;
	}
	return 0;
}
