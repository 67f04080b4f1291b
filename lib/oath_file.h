/* A pam_oath usersfile line, read for totp-admin import-oath:
 *   TYPE USER PIN SECRET [COUNTER [LAST-OTP [LAST-TIME]]]
 * whitespace-separated; TYPE HOTP/T30 or HOTP/T60 (time-based, 30 or 60 s)
 * with an optional /DIGITS (6, 7 or 8), HOTP or HOTP/E (counter-based:
 * refused); PIN "-" for none; SECRET in hex; LAST-TIME as pam_oath writes
 * it, local time "YYYY-MM-DDTHH:MM:SSL". '#' starts a comment line. */
#ifndef PAM_TOTP_OATH_FILE_H
#define PAM_TOTP_OATH_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "otp.h"

#define OATH_USER_MAX 256

struct oath_entry {
	char user[OATH_USER_MAX];
	unsigned digits;
	unsigned period;
	uint8_t secret[OTP_KEY_MAX];
	size_t secret_len;
	int64_t last_used;   /* Unix time of the last accepted code, -1: none */
};

/* Parse one line (without its newline). 1: an entry in e; 0: a blank or
 * comment line; -1: refused, with the reason in err (e then wiped). The
 * caller wipes e after use. */
int oath_line_parse(const char *line, struct oath_entry *e, char *err, size_t err_size);

#endif
