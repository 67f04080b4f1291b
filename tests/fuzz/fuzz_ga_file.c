/* libFuzzer target for ga_file_parse (totp-admin import-ga). Built and run
 * by tests/fuzz.sh (a tree configured with --enable-fuzzing), seeded with
 * tests/fuzz/fuzz_ga_file.seed (a file the real google-authenticator
 * command wrote: secret, options, scratch codes).
 *
 * Checked for every input, besides memory safety and UB:
 *  - a refused input has a reason and leaves the struct all zero;
 *  - an accepted one has a secret of 10..OTP_KEY_MAX bytes, a period a
 *    record can hold, at most RECORD_RECOVERY_MAX scratch codes, each one
 *    a scratch code as recovery_normalize_scratch gives it, and the
 *    input had a TOTP_AUTH line. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ga_file.h"
#include "recovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ga_file zero;
	struct ga_file g;
	char err[256] = "";

	if (ga_file_parse((const char *)data, size, &g, err, sizeof(err)) != 0) {
		check(err[0] != '\0');
		check(memcmp(&g, &zero, sizeof(g)) == 0);
		return 0;
	}
	check(g.secret_len >= 10 && g.secret_len <= OTP_KEY_MAX);
	check(g.period >= 1 && g.period <= RECORD_PERIOD_MAX);
	check(g.n_scratch <= RECORD_RECOVERY_MAX);
	check(g.last_step >= -1);
	for (size_t i = 0; i < g.n_scratch; i++) {
		char canon[RECOVERY_CODE_CHARS + 1];

		check(recovery_normalize_scratch(g.scratch[i], canon) == 1);
		check(strcmp(canon, g.scratch[i]) == 0);
	}
	check(memmem(data, size, "\" TOTP_AUTH", 11) != NULL);
	ga_file_wipe(&g);
	return 0;
}
