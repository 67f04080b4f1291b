/* libFuzzer target for uri_parse: never a crash, and a URI that parses
 * builds back into one that parses to the same fields.
 * Built by automake in a tree
 * configured with --enable-fuzzing; tests/fuzz.sh makes one and runs it
 * (by hand: tests/fuzz.sh BUILDDIR SECONDS, then BUILDDIR/tests/fuzz/T). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[4096], built[4096], err[128];
	struct otp_uri u, v;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (uri_parse(text, &u, err, sizeof(err)) != 0) {
		if (err[0] == '\0' || u.secret[0] != '\0')
			abort(); /* a refusal says why and keeps no secret */
		return 0;
	}
	if (u.account[0] == '\0' || u.secret[0] == '\0')
		abort();
	/* an issuer with ':' cannot be put in a label: building refuses it */
	if (uri_build(&u, size % 2 ? URI_ISSUER_PARAM : 0, built, sizeof(built)) != 0)
		return 0;
	if (uri_parse(built, &v, err, sizeof(err)) != 0 ||
	    strcmp(u.issuer, v.issuer) != 0 || strcmp(u.account, v.account) != 0 ||
	    strcmp(u.secret, v.secret) != 0 || u.alg != v.alg ||
	    u.digits != v.digits || u.period != v.period)
		abort();
	return 0;
}
