/* The otpauth:// Key URI that authenticator apps scan. */
#ifndef PAM_TOTP_URI_H
#define PAM_TOTP_URI_H

#include <stddef.h>
#include "otp.h"

#define URI_FIELD_MAX 256
#define URI_SECRET_MAX 256

struct otp_uri {
	char issuer[URI_FIELD_MAX];   /* may be empty */
	char account[URI_FIELD_MAX];  /* never empty */
	char secret[URI_SECRET_MAX];  /* base32 as found, upper case, no padding */
	otp_alg alg;
	unsigned digits;
	unsigned period;
};

/* otpauth://totp/ISSUER:ACCOUNT?secret=..&issuer=..&algorithm=..&digits=..&period=..
 * with issuer and account percent-encoded (UTF-8 kept as bytes). 0 on
 * success, -1 on bad fields or when out is too small. */
int uri_build(const struct otp_uri *u, char *out, size_t out_size);

/* Parse a TOTP Key URI strictly: scheme and type, a label, a valid base32
 * secret, known parameters with valid values; an issuer in the label and in
 * the query must agree. Defaults: SHA1, 6 digits, 30 s. 0 on success, -1 on
 * any error (err, when not NULL, receives a short reason). */
int uri_parse(const char *text, struct otp_uri *u, char *err, size_t err_size);

/* Percent-encode bytes outside RFC 3986's unreserved set. -1 if too long. */
int uri_percent_encode(const char *in, char *out, size_t out_size);

#endif
