/* libFuzzer target for the .mo catalogue reader (lib/catalog.c): the
 * input is a catalogue's bytes, as a file under localedir= could hold.
 * Built by automake in a tree
 * configured with --enable-fuzzing; tests/fuzz.sh makes one and runs it
 * (by hand: tests/fuzz.sh BUILDDIR SECONDS, then BUILDDIR/tests/fuzz/T).
 * Its seed is the build's po/nl.gmo.
 *
 * Checked for every input, besides memory safety and UB: whatever a
 * catalogue it accepts answers, for the messages the module and
 * totp-enroll use and for every NUL-ended piece of the input taken as a
 * msgid (so that the entries the file holds are found), is the English
 * text itself or a string that takes the same printf arguments, for
 * every number a plural is asked for. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

static const unsigned long numbers[] = { 0, 1, 2, 3, 4, 5, 11, 12, 21, 22, 101, 111, 1000000,
					 ULONG_MAX - 1, ULONG_MAX };

/* a translation of english, or english itself */
static void
check_text(const char *got, const char *english)
{
	check(got != NULL);
	check(got == english || catalog_formats_match(english, got));
}

/* gettext, and ngettext for the first count numbers */
static void
look_up(const struct catalog *c, const char *one, const char *many, size_t count)
{
	check_text(catalog_gettext(c, one), one);
	for (size_t i = 0; i < count; i++)
		check_text(catalog_ngettext(c, one, many, numbers[i]),
			   numbers[i] == 1 ? one : many);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[][2] = {
		{ "Verification code: ", "Verification code: " },
		{ "Setting up the authenticator app for %s.\n", "%s" },
		{ "A code is %u digits. %d try left.\n", "A code is %u digits. %d tries left.\n" },
		{ "Recovery code accepted. %zu recovery code left.",
		  "Recovery code accepted. %zu recovery codes left." },
		{ "Too many wrong codes. Try again in %ld second.", "%ld seconds" },
		{ "", "" },
	};
	struct catalog *c = catalog_from_bytes(data, size);
	char *text;

	if (c == NULL)
		return 0;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		look_up(c, known[i][0], known[i][1], sizeof(numbers) / sizeof(numbers[0]));
	/* the pieces of the input: the file's own msgids among them (a few
	 * numbers each: a large file has hundreds of pieces) */
	text = malloc(size + 1);
	check(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t at = 0; at < size; at += strlen(text + at) + 1)
		if (text[at] != '\0')
			look_up(c, text + at, text + at, 4);
	free(text);
	catalog_close(c);
	return 0;
}
