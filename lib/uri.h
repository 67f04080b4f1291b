/* The otpauth:// Key URI that authenticator apps scan. */
#ifndef PAM_TOTP_URI_H
#define PAM_TOTP_URI_H

#include <stddef.h>
#include "otp.h"

#define URI_FIELD_MAX 256
#define URI_SECRET_MAX 256

/* The Key URI format's defaults, which a URI may leave out */
#define URI_DEFAULT_ALG OTP_ALG_SHA1
#define URI_DEFAULT_DIGITS 6
#define URI_DEFAULT_PERIOD 30

struct otp_uri {
	char issuer[URI_FIELD_MAX];   /* may be empty */
	char account[URI_FIELD_MAX];  /* never empty */
	char secret[URI_SECRET_MAX];  /* base32 as found, upper case, no padding */
	otp_alg alg;
	unsigned digits;
	unsigned period;
};

/* uri_build's flags */
#define URI_ISSUER_PARAM 1  /* repeat the issuer as issuer= (newer apps prefer it) */

/* otpauth://totp/ISSUER:ACCOUNT?issuer=..&algorithm=..&digits=..&period=..&secret=..
 * with issuer and account percent-encoded (UTF-8 kept as bytes). Kept
 * short for a small QR code: algorithm, digits and period only when they
 * are not the Key URI defaults (SHA1, 6, 30), issuer= only with
 * URI_ISSUER_PARAM (the label's prefix names the issuer for every app),
 * and the secret last. 0 on success, -1 on bad fields or when out is too
 * small. */
int uri_build(const struct otp_uri *u, unsigned flags, char *out, size_t out_size);

/* Parse a TOTP Key URI strictly: scheme and type, a label, a valid base32
 * secret, known parameters with valid values; an issuer in the label and in
 * the query must agree. Defaults: SHA1, 6 digits, 30 s. 0 on success, -1 on
 * any error (err, when not NULL, receives a short reason). */
int uri_parse(const char *text, struct otp_uri *u, char *err, size_t err_size);

/* Percent-encode bytes outside RFC 3986's unreserved set. -1 if too long. */
int uri_percent_encode(const char *in, char *out, size_t out_size);

#endif
