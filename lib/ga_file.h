/* A google-authenticator file (~/.google_authenticator), read for
 * totp-admin import-ga. The format, as the google-authenticator command
 * writes it: the base32 secret on the first line; option lines starting
 * with a double quote and a space (" TOTP_AUTH", " DISALLOW_REUSE 123 124",
 * " RATE_LIMIT 3 30 ...", " WINDOW_SIZE 3", " STEP_SIZE 30",
 * " HOTP_COUNTER 1", " TIME_SKEW 0", " RESETTING_TIME_SKEW ..."); then the
 * scratch codes, one 8-digit number a line. */
#ifndef PAM_TOTP_GA_FILE_H
#define PAM_TOTP_GA_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "otp.h"
#include "record.h"
#include "recovery.h"

#define GA_FILE_MAX_BYTES 4096   /* the module itself reads at most 1 KiB */

struct ga_file {
	uint8_t secret[OTP_KEY_MAX];
	size_t secret_len;
	unsigned period;             /* STEP_SIZE, default 30 */
	unsigned window_size;        /* WINDOW_SIZE (codes in the window), 0: not set */
	int64_t last_step;           /* the largest step in DISALLOW_REUSE, -1: none */
	int32_t skew;                /* TIME_SKEW, in steps */
	int rate_limit;              /* a RATE_LIMIT line was present */
	size_t n_scratch;
	char scratch[RECORD_RECOVERY_MAX][RECOVERY_CODE_CHARS + 1];
};

/* Parse buf (len bytes, any bytes). 0 when it is a time-based file that a
 * pam_totp record can hold unchanged; -1 with the reason in err otherwise
 * (an HOTP file, an unknown option, a malformed line, a scratch code of
 * another shape), and out wiped. The caller wipes out after use. */
int ga_file_parse(const char *buf, size_t len, struct ga_file *out, char *err,
		  size_t err_size);

void ga_file_wipe(struct ga_file *g);

#endif
