/* lib/catalog.c: .mo files that msgfmt makes from small .po texts written
 * here (both byte orders), then broken by hand; plural forms; printf
 * conversions; language names and the catalogue search. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "catalog.h"

static char dir[] = "/tmp/test_catalog.XXXXXX";

#define PO_HEADER(plural_forms) \
	"msgid \"\"\nmsgstr \"\"\n\"Content-Type: text/plain; charset=UTF-8\\n\"\n" plural_forms "\n"

static const char nl_po[] =
	PO_HEADER("\"Plural-Forms: nplurals=2; plural=(n != 1);\\n\"")
	"msgid \"Verification code: \"\nmsgstr \"Verificatiecode: \"\n\n"
	"msgid \"Setting up the app for %s.\"\nmsgstr \"De app instellen voor %s.\"\n\n"
	"msgid \"%s has %u digits\"\nmsgstr \"%2$u cijfers heeft %1$s\"\n\n"
	"msgid \"%d try left.\"\nmsgid_plural \"%d tries left.\"\n"
	"msgstr[0] \"Nog %d poging.\"\nmsgstr[1] \"Nog %d pogingen.\"\n\n"
	"msgid \"één\"\nmsgstr \"één keer\"\n\n"
	/* no msgfmt --check: these translations take other arguments */
	"msgid \"User %s, %d failures\"\nmsgstr \"%d mislukt voor %s\"\n\n"
	"msgid \"Wait %ld seconds\"\nmsgstr \"Wacht %s seconden\"\n\n"
	"msgid \"Done %d\"\nmsgstr \"Klaar %d%n\"\n\n"
	"msgid \"%d code left\"\nmsgid_plural \"%d codes left\"\n"
	"msgstr[0] \"Nog %s code\"\nmsgstr[1] \"Nog %d codes\"\n";

/* room for other Plural-Forms lines (with_plural_forms) */
#define SPACES "                                        "
static const char pl_po[] =
	PO_HEADER("\"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && "
		  "(n%100<10 || n%100>=20) ? 1 : 2);" SPACES SPACES SPACES SPACES "\\n\"")
	"msgid \"%lu file\"\nmsgid_plural \"%lu files\"\n"
	"msgstr[0] \"%lu plik\"\nmsgstr[1] \"%lu pliki\"\nmsgstr[2] \"%lu plików\"\n\n"
	"msgid \"Key URI:\"\nmsgstr \"URI klucza:\"\n";

/* dir/NAME.po with text, compiled by msgfmt (with args) into dir/NAME.mo */
static void
compile(const char *name, const char *text, const char *args)
{
	char path[256], cmd[768];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.po", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "%s %s -o %s/%s.mo %s", MSGFMT, args, dir, name, path);
	assert_int_equal(system(cmd), 0);
}

/* the bytes of dir/NAME.mo; *size set */
static unsigned char *
slurp(const char *name, size_t *size)
{
	char path[256];
	unsigned char *buf;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.mo", dir, name);
	assert_int_equal(stat(path, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_non_null(buf);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	*size = (size_t)st.st_size;
	return buf;
}

static struct catalog *
open_mo(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s.mo", dir, name);
	return catalog_open_file(path);
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	compile("nl", nl_po, "");
	compile("nl_big", nl_po, "--endianness=big");
	compile("nl_little", nl_po, "--endianness=little");
	compile("pl", pl_po, "");
	compile("no_plural_forms", PO_HEADER("") "msgid \"%d day\"\nmsgid_plural \"%d days\"\n"
		"msgstr[0] \"%d dag\"\nmsgstr[1] \"%d dagen\"\n", "");
	compile("no_header", "msgid \"%d day\"\nmsgid_plural \"%d days\"\n"
		"msgstr[0] \"%d dag\"\nmsgstr[1] \"%d dagen\"\n", "");
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* the lookups every well-formed nl catalogue answers alike */
static void
check_nl(const struct catalog *c)
{
	const char *missing = "Not in the catalogue";

	assert_string_equal(catalog_gettext(c, "Verification code: "), "Verificatiecode: ");
	assert_string_equal(catalog_gettext(c, "Setting up the app for %s."), "De app instellen voor %s.");
	assert_string_equal(catalog_gettext(c, "één"), "één keer");
	/* absent: the msgid itself, the same pointer */
	assert_ptr_equal(catalog_gettext(c, missing), missing);
	assert_string_equal(catalog_gettext(c, "Verification code:"), "Verification code:");
	/* "" is not the header */
	assert_string_equal(catalog_gettext(c, ""), "");
	assert_string_equal(catalog_ngettext(c, "%d try left.", "%d tries left.", 1), "Nog %d poging.");
	assert_string_equal(catalog_ngettext(c, "%d try left.", "%d tries left.", 0), "Nog %d pogingen.");
	assert_string_equal(catalog_ngettext(c, "%d try left.", "%d tries left.", 2), "Nog %d pogingen.");
	assert_string_equal(catalog_ngettext(c, "%d apple", "%d apples", 1), "%d apple");
	assert_string_equal(catalog_ngettext(c, "%d apple", "%d apples", 3), "%d apples");
}

static void
test_lookup(void **state)
{
	struct catalog *c = open_mo("nl");

	(void)state;
	assert_non_null(c);
	check_nl(c);
	catalog_close(c);
}

static void
test_byte_orders(void **state)
{
	struct catalog *big = open_mo("nl_big"), *little = open_mo("nl_little");
	size_t size;
	unsigned char *bytes = slurp("nl_big", &size);

	(void)state;
	assert_int_equal(bytes[0], 0x95);  /* it really is big-endian */
	free(bytes);
	assert_non_null(big);
	assert_non_null(little);
	check_nl(big);
	check_nl(little);
	catalog_close(big);
	catalog_close(little);
}

static void
test_no_catalogue(void **state)
{
	const char *one = "%d try left.", *many = "%d tries left.";

	(void)state;
	assert_ptr_equal(catalog_gettext(NULL, "Verification code: "), "Verification code: ");
	assert_ptr_equal(catalog_ngettext(NULL, one, many, 1), one);
	assert_ptr_equal(catalog_ngettext(NULL, one, many, 0), many);
	assert_ptr_equal(catalog_ngettext(NULL, one, many, 7), many);
	catalog_close(NULL);
}

static void
test_polish_plurals(void **state)
{
	static const struct { unsigned long n; const char *text; } cases[] = {
		{ 0, "%lu plików" }, { 1, "%lu plik" }, { 2, "%lu pliki" }, { 4, "%lu pliki" },
		{ 5, "%lu plików" }, { 11, "%lu plików" }, { 12, "%lu plików" },
		{ 14, "%lu plików" }, { 21, "%lu plików" }, { 22, "%lu pliki" },
		{ 24, "%lu pliki" }, { 25, "%lu plików" }, { 102, "%lu pliki" },
		{ 112, "%lu plików" }, { 1001, "%lu plików" }, { 4294967294UL, "%lu pliki" },
	};
	struct catalog *c = open_mo("pl");

	(void)state;
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_string_equal(catalog_ngettext(c, "%lu file", "%lu files", cases[i].n),
				    cases[i].text);
	assert_string_equal(catalog_gettext(c, "Key URI:"), "URI klucza:");
	catalog_close(c);
}

/* no Plural-Forms line, or no header at all: gettext's default, n != 1 */
static void
test_default_plural_rule(void **state)
{
	const char *names[] = { "no_plural_forms", "no_header" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct catalog *c = open_mo(names[i]);

		assert_non_null(c);
		assert_string_equal(catalog_ngettext(c, "%d day", "%d days", 1), "%d dag");
		assert_string_equal(catalog_ngettext(c, "%d day", "%d days", 0), "%d dagen");
		assert_string_equal(catalog_ngettext(c, "%d day", "%d days", 2), "%d dagen");
		catalog_close(c);
	}
}

/* A catalogue with this Plural-Forms line: built from pl_po's bytes,
 * whose header is rewritten in place (same length, spaces after). */
static struct catalog *
with_plural_forms(const char *line)
{
	static const char marker[] = "Plural-Forms: ";
	size_t size, at, room;
	unsigned char *bytes = slurp("pl", &size);
	unsigned char *p = memmem(bytes, size, marker, strlen(marker));
	struct catalog *c;

	assert_non_null(p);
	at = (size_t)(p - bytes) + strlen(marker);
	room = (size_t)((unsigned char *)memchr(bytes + at, '\n', size - at) - (bytes + at));
	assert_true(strlen(line) <= room);
	memset(bytes + at, ' ', room);
	memcpy(bytes + at, line, strlen(line));
	c = catalog_from_bytes(bytes, size);
	free(bytes);
	return c;
}

/* ngettext for n under this Plural-Forms line is text */
static void
expect_plural(const char *line, unsigned long n, const char *text)
{
	struct catalog *c = with_plural_forms(line);
	const char *got;

	assert_non_null(c);
	got = catalog_ngettext(c, "%lu file", "%lu files", n);
	if (strcmp(got, text) != 0)
		fail_msg("%s with n=%lu: got %s, expected %s", line, n, got, text);
	/* whatever the plural rule, the rest of the catalogue is used */
	assert_string_equal(catalog_gettext(c, "Key URI:"), "URI klucza:");
	catalog_close(c);
}

static void
test_plural_expressions(void **state)
{
	static const struct { const char *line; unsigned long n; const char *text; } cases[] = {
		/* the evaluator's operators */
		{ "nplurals=3; plural=n%3;", 4, "%lu pliki" },
		{ "nplurals=3; plural=n/2;", 5, "%lu plików" },
		{ "nplurals=3; plural=(n*2-1+1)/2 >= 2 ? 2 : n <= 0 ? 1 : 0;", 1, "%lu plik" },
		{ "nplurals=3; plural=(n*2-1+1)/2 >= 2 ? 2 : n <= 0 ? 1 : 0;", 0, "%lu pliki" },
		{ "nplurals=3; plural=!(n > 1) + (n < 9 && n != 7) * 0 + (n == 7 || 0);", 7, "%lu pliki" },
		{ "nplurals=3; plural=!!n;", 9, "%lu pliki" },
		/* right-associative ?: */
		{ "nplurals=3; plural=n==1?0:n==2?1:2;", 2, "%lu pliki" },
		/* && and || decide on their left side: no division by zero */
		{ "nplurals=3; plural=n == 0 || 5 / n > 1;", 0, "%lu pliki" },
		{ "nplurals=3; plural=n != 0 && 5 / n > 1;", 0, "%lu plik" },
		/* a division by zero, a form out of range, a bad expression: English */
		{ "nplurals=3; plural=5 / (n - 5);", 5, "%lu files" },
		{ "nplurals=3; plural=n % 0;", 2, "%lu files" },
		{ "nplurals=3; plural=n;", 3, "%lu files" },
		{ "nplurals=2; plural=n == 5 ? 2 : 0;", 5, "%lu files" },
		{ "nplurals=3; plural=n +;", 2, "%lu files" },
		{ "nplurals=3; plural=(n;", 2, "%lu files" },
		{ "nplurals=3; plural=n ? 1;", 2, "%lu files" },
		{ "nplurals=3; plural=nn;", 2, "%lu files" },
		{ "nplurals=3; plural=n 1;", 2, "%lu files" },
		{ "nplurals=3; plural=-n;", 2, "%lu files" },
		{ "nplurals=3; plural=99999999999999999999999;", 2, "%lu files" },
		{ "nplurals=0; plural=0;", 2, "%lu files" },
		{ "nplurals=99; plural=0;", 2, "%lu files" },
		{ "plural=0;", 2, "%lu files" },
		{ "nplurals=3;", 2, "%lu files" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_plural(cases[i].line, cases[i].n, cases[i].text);
}

/* "nplurals=3; plural=", k times before, middle, k times after, ";" */
static const char *
nested(const char *before, int k, const char *middle, const char *after)
{
	static char line[256];
	size_t used = (size_t)snprintf(line, sizeof(line), "nplurals=3; plural=");

	for (int i = 0; i < k; i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s", before);
	used += (size_t)snprintf(line + used, sizeof(line) - used, "%s", middle);
	for (int i = 0; i < k; i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s", after);
	assert_true(used + 2 < sizeof(line));
	snprintf(line + used, sizeof(line) - used, ";");
	return line;
}

/* The limits, each shown both ways: n % 3 (1 for n = 4, 2 for n = 5)
 * inside 23 parentheses, under 22 !, or with 63 nodes is evaluated; one
 * level or two nodes more is not (English). */
static void
test_plural_limits(void **state)
{
	(void)state;
	expect_plural(nested("(", 23, "n % 3", ")"), 4, "%lu pliki");
	expect_plural(nested("(", 24, "n % 3", ")"), 4, "%lu files");
	expect_plural(nested("!", 22, "(n % 3)", ""), 5, "%lu pliki");
	expect_plural(nested("!", 24, "(n % 3)", ""), 5, "%lu files");
	expect_plural(nested("", 30, "n % 3", " + 0"), 4, "%lu pliki");
	expect_plural(nested("", 31, "n % 3", " + 0"), 4, "%lu files");
}

static void
test_mismatched_formats(void **state)
{
	struct catalog *c = open_mo("nl");

	(void)state;
	assert_non_null(c);
	/* swapped, of another type, %n: the msgid */
	assert_string_equal(catalog_gettext(c, "User %s, %d failures"), "User %s, %d failures");
	assert_string_equal(catalog_gettext(c, "Wait %ld seconds"), "Wait %ld seconds");
	assert_string_equal(catalog_gettext(c, "Done %d"), "Done %d");
	/* numbered arguments in another order are the same arguments */
	assert_string_equal(catalog_gettext(c, "%s has %u digits"), "%2$u cijfers heeft %1$s");
	/* one bad form: that form English, the good one used */
	assert_string_equal(catalog_ngettext(c, "%d code left", "%d codes left", 1), "%d code left");
	assert_string_equal(catalog_ngettext(c, "%d code left", "%d codes left", 2), "Nog %d codes");
	catalog_close(c);
}

static void
test_formats_match(void **state)
{
	static const struct { const char *a, *b; int match; } cases[] = {
		{ "plain", "gewoon", 1 },
		{ "100%% sure", "100%% zeker", 1 },
		{ "%s and %d", "%s en %d", 1 },
		{ "%s and %d", "%d en %s", 0 },
		{ "%s and %d", "%2$d en %1$s", 1 },
		{ "%s and %d", "%1$s en %1$s", 0 },   /* argument 2 left out: a gap */
		{ "%s and %d", "%2$d en %s", 0 },     /* numbered and not, mixed */
		{ "%s and %d", "%s", 0 },
		{ "%s", "%s en %s", 0 },
		{ "%u", "%d", 1 },                    /* the same int argument */
		{ "%zu left", "nog %zu", 1 },
		{ "%zu left", "nog %u", 0 },
		{ "%ld s", "%lld s", 0 },
		{ "%-8s|%05.2f", "%8s|%.3f", 1 },
		{ "%*d", "%*d", 1 },
		{ "%*d", "%d", 0 },
		{ "%.*s", "%2$.*1$s", 1 },
		{ "%d%n", "%d%n", 0 },                /* %n never */
		{ "%d", "%d%", 0 },
		{ "%d", "%d%k", 0 },
		{ "%d", "%0$d", 0 },
		{ "%d", "%17$d", 0 },
		{ "%s: %m", "%s: %m", 1 },
		{ "%c%p%Lf%hhd%jd%td", "%c%p%Lf%hhd%jd%td", 1 },
		{ "%qd", "%lld", 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (catalog_formats_match(cases[i].a, cases[i].b) != cases[i].match)
			fail_msg("'%s' and '%s': expected %d", cases[i].a, cases[i].b, cases[i].match);
}

/* every shorter length of a sound file is refused */
static void
test_truncated(void **state)
{
	size_t size;
	unsigned char *bytes = slurp("nl", &size);

	(void)state;
	for (size_t len = 0; len < size; len++) {
		struct catalog *c = catalog_from_bytes(bytes, len);

		if (c != NULL)
			fail_msg("cut to %zu of %zu bytes: accepted", len, size);
	}
	free(bytes);
}

static void
put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));  /* the file is in this machine's order */
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
test_corrupt(void **state)
{
	size_t size;
	unsigned char *good = slurp("nl", &size), *bad = malloc(size);
	uint32_t orig = get32(good + 12), trans = get32(good + 16), count = get32(good + 8);
	struct { size_t at; uint32_t value; const char *what; } pokes[] = {
		{ 0, 0x12345678, "wrong magic" },
		{ 4, 2u << 16, "major revision 2" },
		{ 8, 0xffffffffu, "count past the file" },
		{ 8, (uint32_t)(size / 8), "count larger than the tables" },
		{ 12, (uint32_t)size - 4, "originals table past the end" },
		{ 16, 0xfffffff8u, "translations table at 4 GiB" },
		{ orig + 4, (uint32_t)size, "an original's offset at the end" },
		{ orig + 4, 0xfffffff0u, "an original's offset far away" },
		{ orig + 8, 0xffffffffu, "an original's length wraps" },
		{ trans + 8 * (count - 1), (uint32_t)size, "the last translation too long" },
		{ trans + 8 * (count - 1) + 4, get32(good + trans + 8 * (count - 1) + 4) + 1,
		  "the last translation one byte later: no NUL at its end" },
	};

	(void)state;
	assert_non_null(bad);
	assert_int_equal(get32(good), 0x950412deU);
	for (size_t i = 0; i < sizeof(pokes) / sizeof(pokes[0]); i++) {
		struct catalog *c;

		memcpy(bad, good, size);
		put32(bad + pokes[i].at, pokes[i].value);
		c = catalog_from_bytes(bad, size);
		if (c != NULL)
			fail_msg("%s: accepted", pokes[i].what);
	}
	/* two originals swapped: not sorted, so binary search would miss */
	memcpy(bad, good, size);
	memcpy(bad + orig + 8, good + orig + 16, 8);
	memcpy(bad + orig + 16, good + orig + 8, 8);
	assert_null(catalog_from_bytes(bad, size));
	/* a NUL inside a string is fine (plural forms), one missing is not */
	memcpy(bad, good, size);
	bad[get32(good + orig + 8 + 4) + get32(good + orig + 8)] = 'x';
	assert_null(catalog_from_bytes(bad, size));
	/* the header says too much: still a sound file of nothing */
	memcpy(bad, good, size);
	put32(bad + 8, 0);
	{
		struct catalog *c = catalog_from_bytes(bad, size);

		assert_non_null(c);
		assert_string_equal(catalog_gettext(c, "Verification code: "), "Verification code: ");
		catalog_close(c);
	}
	assert_null(catalog_from_bytes("", 0));
	free(bad);
	free(good);
}

/* CATALOG_ENTRIES_MAX entries (the header one of them) are read, one
 * more is not */
static void
test_too_many_entries(void **state)
{
	size_t size = 64 + CATALOG_ENTRIES_MAX * 32;
	char *po = malloc(size);

	(void)state;
	assert_non_null(po);
	for (int extra = 0; extra < 2; extra++) {
		struct catalog *c;
		size_t used = (size_t)snprintf(po, size, "%s", PO_HEADER(""));

		for (int i = 1; i < CATALOG_ENTRIES_MAX + extra; i++)
			used += (size_t)snprintf(po + used, size - used,
						 "msgid \"m%d\"\nmsgstr \"v%d\"\n", i, i);
		assert_true(used + 1 < size);
		compile("many", po, "");
		c = open_mo("many");
		if (extra == 0) {
			assert_non_null(c);
			assert_string_equal(catalog_gettext(c, "m8191"), "v8191");
			catalog_close(c);
		} else {
			assert_null(c);
		}
	}
	free(po);
}

/* not a regular file, none at all, too big: no catalogue */
static void
test_open_file(void **state)
{
	char path[256];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/fifo.mo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(catalog_open_file(path));  /* and does not wait for a writer */
	assert_null(catalog_open_file(dir));
	snprintf(path, sizeof(path), "%s/none.mo", dir);
	assert_null(catalog_open_file(path));
	snprintf(path, sizeof(path), "%s/big.mo", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, CATALOG_FILE_MAX, SEEK_SET), 0);
	assert_int_equal(fputc(0, f), 0);
	fclose(f);
	assert_null(catalog_open_file(path));
}

static void
test_candidates(void **state)
{
	static const struct { const char *name; const char *want[CATALOG_CANDIDATES_MAX]; } cases[] = {
		{ "nl", { "nl" } },
		{ "nl_NL", { "nl_NL", "nl" } },
		{ "nl_NL.UTF-8", { "nl_NL", "nl" } },
		{ "nl_NL.utf8@euro", { "nl_NL@euro", "nl_NL", "nl@euro", "nl" } },
		{ "nl-NL", { "nl_NL", "nl" } },
		{ "nl.UTF-8", { "nl" } },
		{ "sr@latin", { "sr@latin", "sr" } },
		{ "pt_BR", { "pt_BR", "pt" } },
		{ "es_419.UTF-8", { "es_419", "es" } },
		{ "C", { NULL } }, { "POSIX", { NULL } }, { "C.UTF-8", { NULL } },
		{ "C.utf8", { NULL } }, { "", { NULL } },
		{ "../nl", { NULL } }, { "nl/../../etc", { NULL } }, { "nl_NL/x", { NULL } },
		{ "nl_", { NULL } }, { "nl.", { NULL } }, { "nl@", { NULL } }, { "nl NL", { NULL } },
		{ "nl_NL.UTF-8:de", { NULL } }, { "verylonglanguage", { NULL } },
	};
	char out[CATALOG_CANDIDATES_MAX][CATALOG_NAME_MAX];

	(void)state;
	assert_int_equal(catalog_candidates(NULL, out), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = catalog_candidates(cases[i].name, out), k;

		for (k = 0; k < CATALOG_CANDIDATES_MAX && cases[i].want[k] != NULL; k++)
			if (k >= n || strcmp(out[k], cases[i].want[k]) != 0)
				fail_msg("%s: candidate %d is %s, expected %s", cases[i].name, k,
					 k < n ? out[k] : "none", cases[i].want[k]);
		if (n != k)
			fail_msg("%s: %d candidates, expected %d", cases[i].name, n, k);
	}
}

/* localedir/LANG/LC_MESSAGES/pam_totp.mo, found by any of its names */
static void
test_open_by_language(void **state)
{
	static const char *const dutch[] = {
		"nl", "nl_NL", "nl_NL.UTF-8", "nl_NL.utf8@euro", "nl-NL", "nl_BE.UTF-8",
		"de:nl", "xx_YY.UTF-8:nl_NL", "C:nl",
	};
	static const char *const english[] = { "C", "POSIX", "C.UTF-8", "", "de_DE.UTF-8", "de:fr", ":" };
	char localedir[256], cmd[768];

	(void)state;
	snprintf(localedir, sizeof(localedir), "%s/share/locale", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/nl/LC_MESSAGES && cp %s/nl.mo %s/nl/LC_MESSAGES/pam_totp.mo",
		 localedir, dir, localedir);
	assert_int_equal(system(cmd), 0);
	for (size_t i = 0; i < sizeof(dutch) / sizeof(dutch[0]); i++) {
		struct catalog *c = catalog_open(localedir, "pam_totp", dutch[i]);

		if (c == NULL)
			fail_msg("%s: no catalogue", dutch[i]);
		assert_string_equal(catalog_gettext(c, "Verification code: "), "Verificatiecode: ");
		catalog_close(c);
	}
	for (size_t i = 0; i < sizeof(english) / sizeof(english[0]); i++)
		if (catalog_open(localedir, "pam_totp", english[i]) != NULL)
			fail_msg("%s: a catalogue", english[i]);
	assert_null(catalog_open(localedir, "pam_totp", NULL));
	assert_null(catalog_open(localedir, "other_domain", "nl"));
	assert_null(catalog_open("/nonexistent", "pam_totp", "nl"));
	/* the specific name first: nl_BE's own catalogue before nl's */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/nl_BE/LC_MESSAGES && cp %s/pl.mo %s/nl_BE/LC_MESSAGES/pam_totp.mo",
		 localedir, dir, localedir);
	assert_int_equal(system(cmd), 0);
	{
		struct catalog *c = catalog_open(localedir, "pam_totp", "nl_BE.UTF-8");

		assert_non_null(c);
		assert_string_equal(catalog_gettext(c, "Key URI:"), "URI klucza:");
		catalog_close(c);
	}
}

/* a fake environment: NAME=VALUE pairs */
static const char *
fake_get(void *ctx, const char *name)
{
	const char *const *env = ctx;
	size_t len = strlen(name);

	for (; *env != NULL; env++)
		if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

static void
test_languages(void **state)
{
	const char *const all[] = { "LANG=de_DE.UTF-8", "LC_MESSAGES=fr_FR", "LC_ALL=es_ES",
				    "LANGUAGE=nl:de", NULL };
	const char *const c_utf8[] = { "LANG=C.UTF-8", "LANGUAGE=nl", NULL };
	const char *const empty_language[] = { "LANGUAGE=", "LANG=nl_NL.UTF-8", NULL };
	const char *const lc_messages[] = { "LANG=de_DE.UTF-8", "LC_MESSAGES=nl_NL", NULL };
	const char *const lc_all[] = { "LANG=nl_NL.UTF-8", "LC_ALL=C.UTF-8", NULL };
	const char *const none[] = { NULL };

	(void)state;
	assert_string_equal(catalog_languages("nl", fake_get, (void *)all), "nl");
	assert_string_equal(catalog_languages("", fake_get, (void *)all), "nl:de");
	assert_string_equal(catalog_languages(NULL, fake_get, (void *)c_utf8), "nl");
	assert_string_equal(catalog_languages(NULL, fake_get, (void *)empty_language), "nl_NL.UTF-8");
	assert_string_equal(catalog_languages(NULL, fake_get, (void *)lc_messages), "nl_NL");
	assert_string_equal(catalog_languages(NULL, fake_get, (void *)lc_all), "C.UTF-8");
	assert_null(catalog_languages(NULL, fake_get, (void *)none));
	assert_null(catalog_languages(NULL, NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_byte_orders),
		cmocka_unit_test(test_no_catalogue),
		cmocka_unit_test(test_polish_plurals),
		cmocka_unit_test(test_default_plural_rule),
		cmocka_unit_test(test_plural_expressions),
		cmocka_unit_test(test_plural_limits),
		cmocka_unit_test(test_mismatched_formats),
		cmocka_unit_test(test_formats_match),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_open_file),
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_open_by_language),
		cmocka_unit_test(test_languages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
