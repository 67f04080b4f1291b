/*
 * qr_dump: drive qr_render from the shell, for tests/qr_decode.sh.
 *   qr_dump utf8|ansi TEXT       draw TEXT's QR code on stdout
 *   qr_dump png|svg TEXT FILE    write it to FILE (PNG at 8 pixels a module)
 * Exits 0 on success, 1 with errno's message on failure, 2 on bad usage.
 */
#include "qr_render.h"

#include <stdio.h>
#include <string.h>

static int usage(void)
{
    fputs("usage: qr_dump utf8|ansi|png|svg TEXT [FILE]\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    const char *mode, *text, *file;
    int rc;

    if (argc < 3 || argc > 4)
        return usage();
    mode = argv[1];
    text = argv[2];
    file = argc == 4 ? argv[3] : NULL;

    if (strcmp(mode, "utf8") == 0 && file == NULL)
        rc = qr_render_utf8(text, stdout);
    else if (strcmp(mode, "ansi") == 0 && file == NULL)
        rc = qr_render_ansi(text, stdout);
    else if (strcmp(mode, "png") == 0 && file != NULL)
        rc = qr_write_png(text, file, 8);
    else if (strcmp(mode, "svg") == 0 && file != NULL)
        rc = qr_write_svg(text, file);
    else
        return usage();

    if (rc != 0) {
        perror("qr_dump");
        return 1;
    }
    return 0;
}
