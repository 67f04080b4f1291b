/* Print HOTP/TOTP codes from the core library, for tests against oathtool.
 * usage: otp_cli totp BASE32 ALG DIGITS PERIOD UNIXTIME
 *        otp_cli hotp BASE32 ALG DIGITS COUNTER */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base32.h"
#include "otp.h"
#include "secure.h"

int
main(int argc, char **argv)
{
	uint8_t key[OTP_KEY_MAX];
	char code[OTP_CODE_SIZE];
	size_t key_len;
	otp_alg alg;
	int rc = 2;

	if (argc < 6 || base32_decode(argv[2], key, sizeof(key), &key_len) != 0 ||
	    otp_alg_from_name(argv[3], &alg) != 0) {
		fprintf(stderr, "usage: otp_cli totp|hotp BASE32 ALG DIGITS PERIOD|COUNTER [TIME]\n");
		goto out;
	}
	if (strcmp(argv[1], "totp") == 0 && argc == 7)
		rc = otp_totp(key, key_len, alg, strtoll(argv[6], NULL, 10),
			      (unsigned)atoi(argv[5]), (unsigned)atoi(argv[4]), code);
	else if (strcmp(argv[1], "hotp") == 0 && argc == 6)
		rc = otp_hotp(key, key_len, alg, strtoull(argv[5], NULL, 10),
			      (unsigned)atoi(argv[4]), code);
	if (rc != 0) {
		fprintf(stderr, "otp_cli: bad arguments\n");
		rc = 2;
		goto out;
	}
	printf("%s\n", code);
out:
	secure_wipe(key, sizeof(key));
	secure_wipe(code, sizeof(code));
	return rc;
}
