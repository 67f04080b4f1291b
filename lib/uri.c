/* The otpauth:// Key URI: build one for the QR code, parse one back. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base32.h"
#include "secure.h"
#include "text.h"
#include "uri.h"

#define URI_PERIOD_MAX 300

static int
is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

int
uri_percent_encode(const char *in, char *out, size_t out_size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)in; *p != '\0'; p++) {
		if (is_unreserved(*p)) {
			if (o + 1 >= out_size)
				return -1;
			out[o++] = (char)*p;
		} else {
			if (o + 3 >= out_size)
				return -1;
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	if (o >= out_size)
		return -1;
	out[o] = '\0';
	return 0;
}

/* Append to out at *len; -1 when it does not fit. */
static int
append(char *out, size_t out_size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
append(char *out, size_t out_size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out + *len, out_size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= out_size - *len)
		return -1;
	*len += (size_t)n;
	return 0;
}

int
uri_build(const struct otp_uri *u, unsigned flags, char *out, size_t out_size)
{
	char issuer[3 * URI_FIELD_MAX], account[3 * URI_FIELD_MAX];
	const char *alg = otp_alg_name(u->alg);
	size_t len = 0;
	int bad;

	if (alg == NULL || u->account[0] == '\0' || u->secret[0] == '\0' ||
	    u->digits < OTP_DIGITS_MIN || u->digits > OTP_DIGITS_MAX ||
	    u->period == 0 || u->period > URI_PERIOD_MAX ||
	    strchr(u->issuer, ':') != NULL ||
	    (u->issuer[0] == '\0' && strchr(u->account, ':') != NULL) ||
	    u->account[0] == ' ' || out_size == 0)
		return -1; /* read back, a ':' would end the issuer, a leading space vanish */
	if (uri_percent_encode(u->issuer, issuer, sizeof(issuer)) != 0 ||
	    uri_percent_encode(u->account, account, sizeof(account)) != 0)
		return -1;
	/* The secret goes last: upper-case base32 is in the QR code's
	 * alphanumeric set, so an encoder can code that tail at 5.5 bits a
	 * character instead of 8, which only pays off for one long run. */
	bad = append(out, out_size, &len, "otpauth://totp/%s%s%s?", issuer,
		     issuer[0] != '\0' ? ":" : "", account) != 0 ||
	      ((flags & URI_ISSUER_PARAM) && issuer[0] != '\0' &&
	       append(out, out_size, &len, "issuer=%s&", issuer) != 0) ||
	      (u->alg != URI_DEFAULT_ALG &&
	       append(out, out_size, &len, "algorithm=%s&", alg) != 0) ||
	      (u->digits != URI_DEFAULT_DIGITS && append(out, out_size, &len, "digits=%u&", u->digits) != 0) ||
	      (u->period != URI_DEFAULT_PERIOD && append(out, out_size, &len, "period=%u&", u->period) != 0) ||
	      append(out, out_size, &len, "secret=%s", u->secret) != 0;
	if (bad) {
		secure_wipe(out, out_size);
		return -1;
	}
	return 0;
}

/* Percent-decode in[0..len) into out; a bad escape or a NUL is an error. */
static int
percent_decode(const char *in, size_t len, char *out, size_t out_size)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = in[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = text_hex_value(in[i + 1]);
			lo = text_hex_value(in[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (o + 1 >= out_size)
			return -1;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}


/* One query parameter name=value; seen[] catches duplicates. */
static int
parse_param(const char *p, size_t len, struct otp_uri *u, char *qissuer,
	    unsigned seen[5], char *err, size_t err_size)
{
	static const char *const names[] = { "secret", "issuer", "algorithm", "digits", "period" };
	char value[URI_SECRET_MAX];
	const char *eq = memchr(p, '=', len);
	size_t nlen;
	int which = -1, ret = -1;

	if (eq == NULL) {
		text_error(err, err_size, "%s", "query parameter without '='");
		return -1;
	}
	nlen = (size_t)(eq - p);
	for (int i = 0; i < 5; i++)
		if (strlen(names[i]) == nlen && strncasecmp(p, names[i], nlen) == 0)
			which = i;
	if (which < 0)
		return 0; /* the Key URI format allows extensions (image=, ...) */
	if (seen[which]++) {
		text_error(err, err_size, "%s", "duplicate query parameter");
		return -1;
	}
	if (percent_decode(eq + 1, len - nlen - 1, value, sizeof(value)) != 0) {
		text_error(err, err_size, "%s", "bad percent-encoding or value too long");
		goto out;
	}
	switch (which) {
	case 0: {
		uint8_t key[OTP_KEY_MAX];
		size_t key_len;
		size_t o = 0;

		if (base32_decode(value, key, sizeof(key), &key_len) != 0 || key_len < 10) {
			secure_wipe(key, sizeof(key));
			text_error(err, err_size, "%s", "secret is not valid base32 of at least 80 bits");
			goto out;
		}
		secure_wipe(key, sizeof(key));
		for (const char *s = value; *s != '\0'; s++) {
			if (*s == ' ' || *s == '-' || *s == '=')
				continue;
			u->secret[o++] = (char)((*s >= 'a' && *s <= 'z') ? *s - 32 : *s);
		}
		u->secret[o] = '\0';
		break;
	}
	case 1:
		if (strlen(value) >= URI_FIELD_MAX) {
			text_error(err, err_size, "%s", "issuer too long");
			goto out;
		}
		strcpy(qissuer, value);
		break;
	case 2:
		if (otp_alg_from_name(value, &u->alg) != 0) {
			text_error(err, err_size, "%s", "unknown algorithm");
			goto out;
		}
		break;
	case 3:
		if (text_parse_unsigned(value, OTP_DIGITS_MIN, OTP_DIGITS_MAX, &u->digits) != 0) {
			text_error(err, err_size, "%s", "digits must be 6, 7 or 8");
			goto out;
		}
		break;
	case 4:
		if (text_parse_unsigned(value, 1, URI_PERIOD_MAX, &u->period) != 0) {
			text_error(err, err_size, "%s", "period must be 1 to 300 seconds");
			goto out;
		}
		break;
	}
	ret = 0;
out:
	secure_wipe(value, sizeof(value));
	return ret;
}

int
uri_parse(const char *text, struct otp_uri *u, char *err, size_t err_size)
{
	static const char scheme[] = "otpauth://totp/";
	char label[2 * URI_FIELD_MAX], qissuer[URI_FIELD_MAX] = "";
	unsigned seen[5] = { 0 };
	const char *p, *q, *colon;
	int ret = -1;

	memset(u, 0, sizeof(*u));
	u->alg = URI_DEFAULT_ALG;
	u->digits = URI_DEFAULT_DIGITS;
	u->period = URI_DEFAULT_PERIOD;
	if (text == NULL || strncasecmp(text, scheme, sizeof(scheme) - 1) != 0) {
		text_error(err, err_size, "%s", "not an otpauth://totp/ URI");
		goto out;
	}
	p = text + sizeof(scheme) - 1;
	q = strchr(p, '?');
	if (q == NULL) {
		text_error(err, err_size, "%s", "no query (secret missing)");
		goto out;
	}
	if (q == p || percent_decode(p, (size_t)(q - p), label, sizeof(label)) != 0) {
		text_error(err, err_size, "%s", "empty or badly encoded label");
		goto out;
	}
	colon = strchr(label, ':');
	if (colon != NULL) {
		size_t ilen = (size_t)(colon - label);

		if (ilen >= URI_FIELD_MAX || strlen(colon + 1) >= URI_FIELD_MAX) {
			text_error(err, err_size, "%s", "label too long");
			goto out;
		}
		memcpy(u->issuer, label, ilen);
		u->issuer[ilen] = '\0';
		strcpy(u->account, colon + 1);
		/* spaces after the colon are allowed by the Key URI format */
		size_t skip = strspn(u->account, " ");

		memmove(u->account, u->account + skip, strlen(u->account + skip) + 1);
	} else {
		if (strlen(label) >= URI_FIELD_MAX) {
			text_error(err, err_size, "%s", "label too long");
			goto out;
		}
		strcpy(u->account, label);
	}
	if (u->account[0] == '\0') {
		text_error(err, err_size, "%s", "empty account name");
		goto out;
	}
	for (p = q + 1; *p != '\0';) {
		size_t len = strcspn(p, "&");

		if (len > 0 && parse_param(p, len, u, qissuer, seen, err, err_size) != 0)
			goto out;
		p += len;
		if (*p == '&')
			p++;
	}
	if (!seen[0]) {
		text_error(err, err_size, "%s", "secret missing");
		goto out;
	}
	if (seen[1]) {
		if (u->issuer[0] != '\0' && strcmp(u->issuer, qissuer) != 0) {
			text_error(err, err_size, "%s", "issuer in label and parameter differ");
			goto out;
		}
		strcpy(u->issuer, qissuer);
	}
	ret = 0;
out:
	if (ret != 0)
		secure_wipe(u, sizeof(*u));
	return ret;
}
