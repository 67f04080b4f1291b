/* The shape of a typed TOTP code. No locale: isspace() and isdigit() depend
 * on it, and a root process parsing untrusted bytes should not. */
#include "config.h"

#include <string.h>

#include "input.h"
#include "secure.h"

int
input_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

int
input_is_bare_code(const char *in, unsigned digits)
{
	unsigned n = 0;

	if (in == NULL)
		return 0;
	for (; in[n] != '\0'; n++)
		if (n >= digits || in[n] < '0' || in[n] > '9')
			return 0;
	return n == digits;
}

int
input_totp_code(const char *in, unsigned digits, char out[OTP_CODE_SIZE])
{
	const char *p, *end;
	size_t n = 0;
	int ok = 0;

	if (out == NULL)
		return 0;
	if (in == NULL || digits < OTP_DIGITS_MIN || digits > OTP_DIGITS_MAX)
		goto out;

	/* Trim surrounding whitespace. */
	p = in;
	while (input_is_space(*p))
		p++;
	end = p + strlen(p);
	while (end > p && input_is_space(end[-1]))
		end--;
	if (p == end)
		goto out;

	for (; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n >= digits)
				goto out;     /* too long: stop reading */
			out[n++] = *p;
		} else if (*p == ' ') {
			/* One space between two groups: the ends are trimmed,
			 * so a space here has a character after it, and it
			 * must not be another space. */
			if (p[1] == ' ')
				goto out;
		} else {
			goto out;
		}
	}
	if (n != digits)
		goto out;
	out[n] = '\0';
	ok = 1;
out:
	if (!ok)
		secure_wipe(out, OTP_CODE_SIZE);
	return ok;
}
