/* libFuzzer target for what a user types at the prompt: input_totp_code
 * and recovery_normalize, with their promises checked on every input.
 *
 * Built by automake in a tree
 * configured with --enable-fuzzing; tests/fuzz.sh makes one and runs it
 * (by hand: tests/fuzz.sh BUILDDIR SECONDS, then BUILDDIR/tests/fuzz/T).
 *
 * The first byte picks the digit count (6..8, and sometimes a bad one);
 * the rest, up to its first NUL, is the typed text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "recovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
fuzz_totp(const char *s, unsigned digits)
{
	char out[OTP_CODE_SIZE];
	const char *b = s, *e;
	size_t n = 0;

	if (!input_totp_code(s, digits, out)) {
		for (size_t i = 0; i < sizeof(out); i++)
			check(out[i] == 0);
		return;
	}
	check(digits >= OTP_DIGITS_MIN && digits <= OTP_DIGITS_MAX);
	check(strlen(out) == digits);
	/* out is the input's digits in order; between the trimmed ends there
	 * are only digits and single spaces. */
	while (input_is_space(*b))
		b++;
	e = b + strlen(b);
	while (e > b && input_is_space(e[-1]))
		e--;
	check(e > b && is_digit(b[0]) && is_digit(e[-1]));
	for (const char *p = b; p < e; p++) {
		if (*p == ' ') {
			check(p[1] != ' ');
			continue;
		}
		check(is_digit(*p));
		check(out[n++] == *p);
	}
	check(n == digits);
}

static void
fuzz_recovery(const char *s)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	char out[RECOVERY_CODE_CHARS + 1];
	size_t n = 0;

	if (!recovery_normalize(s, out)) {
		for (size_t i = 0; i < sizeof(out); i++)
			check(out[i] == 0);
		return;
	}
	check(strlen(out) == RECOVERY_CODE_CHARS);
	for (size_t i = 0; i < RECOVERY_CODE_CHARS; i++)
		check(strchr(alphabet, out[i]) != NULL);
	/* out is the input less hyphens and whitespace, in lower case */
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;

		if (c == '-' || input_is_space(c))
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		check(n < RECOVERY_CODE_CHARS && out[n++] == c);
	}
	check(n == RECOVERY_CODE_CHARS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	unsigned digits;

	if (size == 0)
		return 0;
	digits = OTP_DIGITS_MIN + data[0] % 4;  /* 6, 7, 8, or 9 (refused) */
	s = malloc(size);
	if (s == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	fuzz_totp(s, digits);
	fuzz_recovery(s);
	free(s);
	return 0;
}
