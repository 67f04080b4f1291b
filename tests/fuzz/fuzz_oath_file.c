/* libFuzzer target for oath_line_parse (totp-admin import-oath). Built and
 * run by tests/fuzz.sh (a tree configured with --enable-fuzzing), seeded
 * with tests/fuzz/fuzz_oath_file.seed. The input is split into lines as
 * the tool splits a usersfile.
 *
 * Checked for every line, besides memory safety and UB:
 *  - a refused line has a reason and leaves the entry all zero;
 *  - a blank or comment line is only whitespace or starts with '#';
 *  - an accepted line names a user, has 6..8 digits, a period of 30 or
 *    60 s (the only time-based types) and a secret of 10..OTP_KEY_MAX
 *    bytes, and was of a HOTP/T type. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oath_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
one_line(const char *line)
{
	static const struct oath_entry zero;
	struct oath_entry e;
	char err[256] = "";
	const char *p = line + strspn(line, " \t");
	int r = oath_line_parse(line, &e, err, sizeof(err));

	if (r < 0) {
		check(err[0] != '\0');
		check(memcmp(&e, &zero, sizeof(e)) == 0);
		return;
	}
	if (r == 0) {
		check(*p == '\0' || *p == '#');
		return;
	}
	check(r == 1);
	check(e.user[0] != '\0');
	check(e.digits >= 6 && e.digits <= 8);
	check(e.period == 30 || e.period == 60);
	check(e.secret_len >= 10 && e.secret_len <= OTP_KEY_MAX);
	check(strncmp(p, "HOTP/T", 6) == 0);
	check(e.last_used >= -1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *line, *save = NULL;

	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (strlen(buf) == size)  /* the tool refuses a NUL byte before parsing */
		for (line = strtok_r(buf, "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save))
			one_line(line);
	free(buf);
	return 0;
}
