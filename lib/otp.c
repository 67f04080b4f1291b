/* HOTP (RFC 4226) and TOTP (RFC 6238) through OpenSSL's HMAC (EVP_MAC). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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

/* OpenSSL's names for the digests */
static const char *
alg_digest(otp_alg alg)
{
	switch (alg) {
	case OTP_ALG_SHA1:
		return "SHA1";
	case OTP_ALG_SHA256:
		return "SHA2-256";
	case OTP_ALG_SHA512:
		return "SHA2-512";
	}
	return NULL;
}

struct otp_key {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
};

void
otp_key_free(struct otp_key *k)
{
	if (k == NULL)
		return;
	EVP_MAC_CTX_free(k->ctx); /* wipes the key it holds */
	EVP_MAC_free(k->mac);
	free(k);
}

int
otp_key_new(const uint8_t *key, size_t key_len, otp_alg alg, struct otp_key **out)
{
	const char *digest = alg_digest(alg);
	struct otp_key *k;
	OSSL_PARAM params[2];

	if (out == NULL)
		return -1;
	*out = NULL;
	if (key == NULL || key_len == 0 || key_len > OTP_KEY_MAX || digest == NULL)
		return -1;
	k = calloc(1, sizeof(*k));
	if (k == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	k->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (k->mac == NULL || (k->ctx = EVP_MAC_CTX_new(k->mac)) == NULL ||
	    EVP_MAC_init(k->ctx, key, key_len, params) != 1) {
		otp_key_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

void
otp_crypto_warm(void)
{
	EVP_MD_free(EVP_MD_fetch(NULL, "SHA256", NULL));
	EVP_MAC_free(EVP_MAC_fetch(NULL, "HMAC", NULL));
}

int
otp_key_hotp(struct otp_key *k, uint64_t counter, unsigned digits, char out[OTP_CODE_SIZE])
{
	static const uint32_t pow10[] = { 1000000u, 10000000u, 100000000u };
	uint8_t msg[8], mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0;
	uint32_t bin, code;
	unsigned off;
	int ret = -1;

	if (k == NULL || digits < OTP_DIGITS_MIN || digits > OTP_DIGITS_MAX || out == NULL)
		return -1;

	for (int i = 7; i >= 0; i--) {
		msg[i] = (uint8_t)(counter & 0xff);
		counter >>= 8;
	}
	/* a NULL key re-initialises the HMAC with the key it already has */
	if (EVP_MAC_init(k->ctx, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(k->ctx, msg, sizeof(msg)) != 1 ||
	    EVP_MAC_final(k->ctx, mac, &mac_len, sizeof(mac)) != 1 || mac_len < 20)
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

int
otp_hotp(const uint8_t *key, size_t key_len, otp_alg alg, uint64_t counter,
	 unsigned digits, char out[OTP_CODE_SIZE])
{
	struct otp_key *k = NULL;
	int ret;

	if (digits < OTP_DIGITS_MIN || digits > OTP_DIGITS_MAX || out == NULL ||
	    otp_key_new(key, key_len, alg, &k) != 0)
		return -1;
	ret = otp_key_hotp(k, counter, digits, out);
	otp_key_free(k);
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
