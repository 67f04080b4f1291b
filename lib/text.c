/* Small text helpers shared by the parsers. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "text.h"

/* vsnprintf into err; -1 when there is no err to write into. */
static int error_v(char *err, size_t err_size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static int
error_v(char *err, size_t err_size, const char *fmt, va_list ap)
{
	if (err == NULL || err_size == 0)
		return -1;
	vsnprintf(err, err_size, fmt, ap);
	return 0;
}

void
text_error(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	error_v(err, err_size, fmt, ap);
	va_end(ap);
}

void
text_error_errno(char *err, size_t err_size, const char *fmt, ...)
{
	int saved = errno, rc;
	size_t used;
	va_list ap;

	va_start(ap, fmt);
	rc = error_v(err, err_size, fmt, ap);
	va_end(ap);
	if (rc == 0 && saved != 0 && (used = strlen(err)) + 1 < err_size)
		snprintf(err + used, err_size - used, ": %s", strerror(saved));
	errno = saved;
}

int
text_parse_unsigned(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (s == NULL || *s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	if (v < min)
		return -1;
	*out = (unsigned)v;
	return 0;
}

void
text_time(int64_t t, char out[TEXT_TIME_SIZE])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, TEXT_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, TEXT_TIME_SIZE, "@%lld", (long long)t);
}

int
text_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* text_escape, and with space_too text_escape_field */
static char *
escape(const char *in, int space_too, char *out, size_t out_size)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (out_size == 0)
		return out;
	if (in == NULL)
		in = "?";
	for (; *in != '\0'; in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x20 && c <= 0x7e && c != '\\' && !(space_too && c == ' ')) {
			if (o + 1 >= out_size)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= out_size)
				break;
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 0xf];
		}
	}
	out[o] = '\0';
	return out;
}

char *
text_escape(const char *in, char *out, size_t out_size)
{
	return escape(in, 0, out, out_size);
}

char *
text_escape_field(const char *in, char *out, size_t out_size)
{
	return escape(in, 1, out, out_size);
}

/* The length of the well-formed UTF-8 sequence at s for a character at or
 * above U+00A0 (printable, not C1), or 0. No overlong form, no surrogate,
 * nothing above U+10FFFF. */
static size_t
utf8_printable(const unsigned char *s)
{
	unsigned long c;
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3fu);
	}
	if (c < 0xa0 || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

char *
text_clean_display(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p != '\0') {
		size_t n = *p >= 0x80 ? utf8_printable(p) : (*p >= 0x20 && *p != 0x7f);

		if (n == 0)
			*p++ = ' ';
		else
			p += n;
	}
	return s;
}
