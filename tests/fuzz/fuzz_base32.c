/* libFuzzer target for base32_decode: never a crash, never a partial key,
 * and whatever decodes encodes back to the same bytes.
 * Built by automake in a tree
 * configured with --enable-fuzzing; tests/fuzz.sh makes one and runs it
 * (by hand: tests/fuzz.sh BUILDDIR SECONDS, then BUILDDIR/tests/fuzz/T). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base32.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512], again[1024];
	uint8_t out[128], back[128];
	size_t len = 0, len2 = 0;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (base32_decode(text, out, sizeof(out), &len) != 0) {
		for (size_t i = 0; i < sizeof(out); i++)
			if (out[i] != 0)
				abort(); /* a refused input leaves no partial key */
		if (len != 0)
			abort();
		return 0;
	}
	if (len == 0 || len > sizeof(out))
		abort();
	if (base32_encode(out, len, 0, again, sizeof(again)) != 0)
		abort();
	if (base32_decode(again, back, sizeof(back), &len2) != 0 || len2 != len ||
	    memcmp(out, back, len) != 0)
		abort();
	return 0;
}
