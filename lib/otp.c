/* HOTP (RFC 4226) and TOTP (RFC 6238) through OpenSSL's one-shot HMAC. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "otp.h"
#include "secure.h"

static const char *const alg_names[] = { "SHA1", "SHA256", "SHA512" };

int
otp_alg_from_name(const char *name, otp_alg *alg)
{
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++) {
		if (name != NULL && strcasecmp(name, alg_names[i]) == 0) {
			*alg = (otp_alg)i;
			return 0;
		}
	}
	return -1;
}

const char *
otp_alg_name(otp_alg alg)
{
	if ((unsigned)alg >= sizeof(alg_names) / sizeof(alg_names[0]))
		return NULL;
	return alg_names[alg];
}

static const EVP_MD *
alg_md(otp_alg alg)
{
	switch (alg) {
	case OTP_ALG_SHA1:
		return EVP_sha1();
	case OTP_ALG_SHA256:
		return EVP_sha256();
	case OTP_ALG_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

int
otp_hotp(const uint8_t *key, size_t key_len, otp_alg alg, uint64_t counter,
	 unsigned digits, char out[OTP_CODE_SIZE])
{
	static const uint32_t pow10[] = { 1000000u, 10000000u, 100000000u };
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	const EVP_MD *md = alg_md(alg);
	uint32_t bin, code;
	unsigned off;
	int ret = -1;

	if (key == NULL || key_len == 0 || key_len > OTP_KEY_MAX || md == NULL ||
	    digits < OTP_DIGITS_MIN || digits > OTP_DIGITS_MAX || out == NULL)
		return -1;

	for (int i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(md, key, (int)key_len, msg, sizeof(msg), mac, &mac_len) == NULL ||
	    mac_len < 20)
		goto out;

	/* RFC 4226 section 5.3: dynamic truncation. */
	off = mac[mac_len - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	      ((uint32_t)mac[off + 2] << 8) | (uint32_t)mac[off + 3];
	code = bin % pow10[digits - OTP_DIGITS_MIN];
	for (int i = (int)digits - 1; i >= 0; i--) {
		out[i] = (char)('0' + code % 10);
		code /= 10;
	}
	out[digits] = '\0';
	ret = 0;
out:
	secure_wipe(mac, sizeof(mac));
	secure_wipe(&bin, sizeof(bin));
	return ret;
}

int64_t
otp_time_step(int64_t now, unsigned period)
{
	if (period == 0 || now < 0)
		return -1;
	return now / (int64_t)period;
}

int
otp_totp(const uint8_t *key, size_t key_len, otp_alg alg, int64_t now,
	 unsigned period, unsigned digits, char out[OTP_CODE_SIZE])
{
	int64_t step = otp_time_step(now, period);

	if (step < 0)
		return -1;
	return otp_hotp(key, key_len, alg, (uint64_t)step, digits, out);
}
