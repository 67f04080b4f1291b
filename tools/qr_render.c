/*
 * qr_render: QR codes for totp-enroll in a PNG or SVG file (the terminal
 * renderings are lib/qr_term.c). See qr_render.h for the contract.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "qr_render.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Open PATH for writing a secret, mode 0600, never through a symlink
 * (O_NOFOLLOW fails with ELOOP), and only a regular file (O_NONBLOCK so a
 * FIFO without a reader fails at once instead of hanging). A new file is
 * created with O_EXCL; an existing one is opened without truncating it
 * and is emptied only once it is known to be a regular file with one
 * link that belongs to whoever runs this, so a file of someone else's
 * that happens to be writable is left exactly as it was.
 */
static FILE *
open_secret_file(const char *path)
{
	struct stat st;
	FILE *fp;
	int fd, saved;

	if (path == NULL || *path == '\0') {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		errno = EINVAL;
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		goto fail;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0)
		goto fail;
	if (ftruncate(fd, 0) != 0)
		goto fail;
	fp = fdopen(fd, "wb");
	if (fp == NULL)
		goto fail;
	return fp;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

/* Finish a file from open_secret_file: close it, and on failure remove what
 * was written, since a half-written image is of no use to anyone. */
static int
close_secret_file(FILE *fp, const char *path, int ok)
{
	int saved;

	if (fp == NULL)
		return ok ? 0 : -1;
	if (fclose(fp) != 0)
		ok = 0;
	if (ok)
		return 0;
	saved = errno;
	unlink(path);
	errno = saved;
	return -1;
}

/* libpng reports errors by longjmp; keep errno (a failed write sets it) and
 * say nothing on stderr: the caller decides what to tell the user. */
static void
png_on_error(png_structp png, png_const_charp msg)
{
	int *err = png_get_error_ptr(png);

	(void)msg;
	*err = errno != 0 ? errno : EIO;
	png_longjmp(png, 1);
}

static void
png_on_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

/* The setjmp lives here, apart from qr_write_png, so that no local a
 * longjmp could leave stale is read after it: this function only returns. */
static int
png_emit(png_structp png, png_infop info, FILE *fp,
	 const QRcode *qr, unsigned scale, png_bytep row)
{
	int n = qr_side(qr, QR_QUIET_ZONE);
	png_uint_32 px = (png_uint_32)n * scale;

	if (setjmp(png_jmpbuf(png)))
		return -1;
	png_init_io(png, fp);
	png_set_IHDR(png, info, px, px, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < n; y++) {
		for (int x = 0; x < n; x++)
			memset(row + (size_t)x * scale, qr_dark(qr, QR_QUIET_ZONE, x, y) ? 0x00 : 0xff,
			       scale);
		for (unsigned k = 0; k < scale; k++)
			png_write_row(png, row);
	}
	png_write_end(png, info);
	return 0;
}

int
qr_write_png(const char *text, const char *path, unsigned scale)
{
	QRcode *qr = NULL;
	FILE *fp = NULL;
	png_structp png = NULL;
	png_infop info = NULL;
	png_bytep row = NULL;
	int ret = -1, saved = 0, png_err = 0;

	if (scale == 0 || scale > QR_PNG_MAX_SCALE) {
		errno = EINVAL;
		return -1;
	}
	qr = qr_encode(text);
	if (qr == NULL)
		goto out;
	row = malloc((size_t)qr_side(qr, QR_QUIET_ZONE) * scale);
	if (row == NULL)
		goto out;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &png_err,
				      png_on_error, png_on_warning);
	if (png == NULL) {
		errno = ENOMEM;
		goto out;
	}
	info = png_create_info_struct(png);
	if (info == NULL) {
		errno = ENOMEM;
		goto out;
	}
	fp = open_secret_file(path);
	if (fp == NULL)
		goto out;
	errno = 0; /* so png_on_error sees the errno of a failed write only */
	if (png_emit(png, info, fp, qr, scale, row) != 0) {
		errno = png_err;
		goto out;
	}
	if (fflush(fp) == EOF)
		goto out;
	ret = 0;
out:
	saved = errno;
	png_destroy_write_struct(png != NULL ? &png : NULL,
				 info != NULL ? &info : NULL);
	if (close_secret_file(fp, path, ret == 0) != 0 && ret == 0) {
		saved = errno;
		ret = -1;
	}
	free(row);
	QRcode_free(qr);
	errno = saved;
	return ret;
}

int
qr_write_svg(const char *text, const char *path)
{
	QRcode *qr = NULL;
	FILE *fp = NULL;
	int ret = -1, saved = 0;
	int n, x, y;

	qr = qr_encode(text);
	if (qr == NULL)
		goto out;
	fp = open_secret_file(path);
	if (fp == NULL)
		goto out;
	n = qr_side(qr, QR_QUIET_ZONE);
	/* No width/height: the viewBox is in modules, so a browser or viewer
	 * scales it to fit; crispEdges keeps module edges sharp. A white
	 * background is drawn, not assumed, for the same reason as on a terminal.
	 * stroke="none" is the SVG default, but ImageMagick's built-in renderer
	 * strokes unless told, which rounds and fattens every module. */
	if (fprintf(fp,
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
		    "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
		    "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
		    "stroke=\"none\"/>\n"
		    "<path fill=\"#000000\" stroke=\"none\" d=\"",
		    n, n, n, n) < 0)
		goto out;
	/* One closed rectangle per horizontal run of dark modules. */
	for (y = 0; y < n; y++) {
		for (x = 0; x < n;) {
			int start;
			if (!qr_dark(qr, QR_QUIET_ZONE, x, y)) {
				x++;
				continue;
			}
			start = x;
			while (x < n && qr_dark(qr, QR_QUIET_ZONE, x, y))
				x++;
			if (fprintf(fp, "M%d %dh%dv1h-%dz", start, y, x - start,
				    x - start) < 0)
				goto out;
		}
	}
	if (fputs("\"/>\n</svg>\n", fp) == EOF)
		goto out;
	if (fflush(fp) == EOF)
		goto out;
	ret = 0;
out:
	saved = errno;
	if (close_secret_file(fp, path, ret == 0) != 0 && ret == 0) {
		saved = errno;
		ret = -1;
	}
	QRcode_free(qr);
	errno = saved;
	return ret;
}
