/* RFC 4648 base32, with decoding tolerant of how people type a secret. */
#include "config.h"

#include <string.h>

#include "base32.h"
#include "secure.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

size_t
base32_encoded_len(size_t n, int pad)
{
	size_t bits = n * 8;
	size_t chars = (bits + 4) / 5;

	if (pad)
		chars = (chars + 7) / 8 * 8;
	return chars;
}

int
base32_encode(const uint8_t *in, size_t n, int pad, char *out, size_t out_size)
{
	size_t need = base32_encoded_len(n, pad);
	size_t o = 0;
	unsigned buffer = 0, bits = 0;

	if (out == NULL || (in == NULL && n > 0) || n > SIZE_MAX / 8 ||
	    out_size < need + 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		buffer = (buffer << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(buffer >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(buffer << (5 - bits)) & 31];
	while (o < need)
		out[o++] = '=';
	out[o] = '\0';
	/* the last secret bits: a plain store to a dead variable is removed */
	secure_wipe(&buffer, sizeof(buffer));
	return 0;
}

static int
char_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '2' && c <= '7')
		return c - '2' + 26;
	return -1;
}

/* Number of characters in the last 8-character group that a real encoder
 * can produce: 2, 4, 5, 7 (1, 2, 3, 4 bytes), or 0 (a full group). */
static int
valid_tail(size_t chars)
{
	switch (chars % 8) {
	case 0: case 2: case 4: case 5: case 7:
		return 1;
	}
	return 0;
}

int
base32_decode(const char *text, uint8_t *out, size_t out_size, size_t *out_len)
{
	size_t o = 0, chars = 0, pads = 0;
	unsigned buffer = 0, bits = 0;
	int ret = -1;

	if (text == NULL || out == NULL || out_len == NULL)
		return -1;
	*out_len = 0;
	for (const char *p = text; *p != '\0'; p++) {
		int v;

		if (*p == ' ' || *p == '-')
			continue;
		if (*p == '=') {
			pads++;
			continue;
		}
		if (pads > 0)          /* data after padding */
			goto out;
		v = char_value(*p);
		if (v < 0)
			goto out;
		chars++;
		buffer = (buffer << 5) | (unsigned)v;
		bits += 5;
		if (bits >= 8) {
			if (o >= out_size)
				goto out;
			out[o++] = (uint8_t)(buffer >> (bits - 8));
			bits -= 8;
		}
		buffer &= 0xff; /* at most 12 live bits; keep the window small */
	}
	if (chars == 0 || !valid_tail(chars))
		goto out;
	/* padding, when present, must complete the last group exactly */
	if (pads > 0 && (chars + pads) % 8 != 0)
		goto out;
	if (pads >= 8)
		goto out;
	/* the unused low bits of the last character must be zero */
	if ((buffer & ((1u << bits) - 1)) != 0)
		goto out;
	*out_len = o;
	ret = 0;
out:
	secure_wipe(&buffer, sizeof(buffer));
	if (ret != 0)
		secure_wipe(out, out_size);
	return ret;
}
