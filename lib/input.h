/* The shape of a typed TOTP code, apart from the decision so that it can be
 * fuzzed on its own (tests/fuzz/fuzz_input.c). */
#ifndef PAM_TOTP_INPUT_H
#define PAM_TOTP_INPUT_H

#include "otp.h"

/* Normalise what the user typed into exactly digits decimal digits.
 *
 * Accepted: optional whitespace (space, tab, CR, LF, VT, FF) around the
 * code, and single spaces between groups of digits, as authenticator apps
 * display them ("123 456", "12 34 56" and "123456" are the same code).
 * Refused: anything else, among which two spaces in a row, a hyphen, a
 * sign, non-ASCII digits, or a count of digits other than digits.
 * digits must be OTP_DIGITS_MIN..OTP_DIGITS_MAX.
 *
 * 1 when the shape is right (out then holds the digits and a NUL), 0 when
 * not (out is then wiped). The input is read once up to its NUL; the
 * digit scan stops at the first character that breaks the shape. */
int input_totp_code(const char *in, unsigned digits, char out[OTP_CODE_SIZE]);

/* 1 when in is exactly digits ASCII digits and nothing else: no space, no
 * sign, no recovery code. The one shape taken from a token another module
 * stored, which may be a password. */
int input_is_bare_code(const char *in, unsigned digits);

/* 1 for the whitespace that input_totp_code trims around a code. */
int input_is_space(char c);

#endif
