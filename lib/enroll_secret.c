/* The pieces of an enrolment shared by totp-enroll and the module. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base32.h"
#include "enroll_secret.h"
#include "secure.h"

#define HOST_MAX 256

/* RFC 4226 asks for at least 160 bits; RFC 6238 keys match the hash. */
static size_t
secret_bytes(otp_alg alg)
{
	switch (alg) {
	case OTP_ALG_SHA256:
		return 32;
	case OTP_ALG_SHA512:
		return 64;
	default:
		return 20;
	}
}

int
enroll_record_new(struct totp_record *rec, otp_alg alg, unsigned digits,
		 unsigned period, int64_t now)
{
	memset(rec, 0, sizeof(*rec));
	rec->secret_len = secret_bytes(alg);
	if (secure_random(rec->secret, rec->secret_len) != 0) {
		record_wipe(rec);
		return -1;
	}
	rec->alg = alg;
	rec->digits = digits;
	rec->period = period;
	rec->created = now;
	record_state_init(&rec->state);
	return 0;
}

enum enroll_uri_error
enroll_uri(const struct totp_record *rec, const char *issuer, const char *label,
	  const char *user, enum qr_term qr_kind, int below, struct otp_uri *ou,
	  char *b32, size_t b32_size, char *uri, size_t uri_size)
{
	char host[HOST_MAX];

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (issuer == NULL || issuer[0] == '\0')
		issuer = host;
	memset(ou, 0, sizeof(*ou));
	if (snprintf(ou->issuer, sizeof(ou->issuer), "%s", issuer) >= (int)sizeof(ou->issuer) ||
	    (label != NULL
	     ? snprintf(ou->account, sizeof(ou->account), "%s", label)
	     : snprintf(ou->account, sizeof(ou->account), "%s@%s", user, host))
	    >= (int)sizeof(ou->account))
		return ENROLL_URI_TOO_LONG;
	if (base32_encode(rec->secret, rec->secret_len, 0, b32, b32_size) != 0 ||
	    snprintf(ou->secret, sizeof(ou->secret), "%s", b32) >= (int)sizeof(ou->secret))
		return ENROLL_URI_ENCODE;
	ou->alg = rec->alg;
	ou->digits = rec->digits;
	ou->period = rec->period;
	/* The issuer is in the label, which every app reads; newer apps
	 * prefer it repeated as issuer=, so it is, unless that makes the QR
	 * code too large for an 80x24 terminal. */
	if (uri_build(ou, URI_ISSUER_PARAM, uri, uri_size) == 0 &&
	    qr_fits_small_terminal(qr_kind, uri, below))
		return ENROLL_URI_OK;
	if (uri_build(ou, 0, uri, uri_size) != 0)
		return ENROLL_URI_BUILD;
	/* Still too large, and the account is ours to name: the user name
	 * alone (the issuer, the host name by default, still tells the
	 * accounts of two hosts apart). Kept only when that fits. */
	if (label == NULL && !qr_fits_small_terminal(qr_kind, uri, below)) {
		struct otp_uri shorter = *ou;
		char alt[ENROLL_URI_MAX];

		if (snprintf(shorter.account, sizeof(shorter.account), "%s", user) <
			    (int)sizeof(shorter.account) &&
		    uri_build(&shorter, 0, alt, sizeof(alt)) == 0 &&
		    qr_fits_small_terminal(qr_kind, alt, below) && strlen(alt) < uri_size) {
			memcpy(ou->account, shorter.account, sizeof(ou->account));
			memcpy(uri, alt, strlen(alt) + 1);
		}
		secure_wipe(alt, sizeof(alt));
		secure_wipe(&shorter, sizeof(shorter));
	}
	return ENROLL_URI_OK;
}

int
enroll_group_secret(const char *b32, char *out, size_t out_size)
{
	size_t n = strlen(b32), o = 0;

	for (size_t i = 0; i < n; i += 4) {
		int w = snprintf(out + o, out_size - o, "%s%.4s", i == 0 ? "" : " ", b32 + i);

		if (w < 0 || (size_t)w >= out_size - o)
			return -1;
		o += (size_t)w;
	}
	if (out_size == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int
enroll_code_matches(const struct totp_record *rec, int64_t now, unsigned window,
		   const char *code, int64_t *step)
{
	int64_t t = otp_time_step(now, rec->period);
	int found = 0, ret = 0;

	if (t < 0)
		return 0;
	/* every step is computed: the time taken does not tell which matched */
	for (int64_t s = t - (int64_t)window; s <= t + (int64_t)window; s++) {
		char want[OTP_CODE_SIZE];

		if (s < 0)
			continue;
		if (otp_totp(rec->secret, rec->secret_len, rec->alg, s * (int64_t)rec->period,
			     rec->period, rec->digits, want) != 0) {
			secure_wipe(want, sizeof(want));
			ret = -1;
			break;
		}
		if (secure_equal(want, code, rec->digits)) {
			*step = s;  /* the largest matching step wins */
			found = 1;
		}
		secure_wipe(want, sizeof(want));
	}
	return ret < 0 ? -1 : found;
}

void
enroll_mark_confirmed(struct totp_record *rec, int64_t step, int64_t now)
{
	rec->state.last_step = step;
	rec->state.skew = (int32_t)(step - otp_time_step(now, rec->period));
}
