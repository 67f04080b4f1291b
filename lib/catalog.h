/* Message catalogues: GNU .mo files read by us, not by the C library.
 *
 * glibc's gettext translates only when LC_MESSAGES is a generated locale,
 * and most servers have C.UTF-8 alone; glibc 2.39 also ignores LANGUAGE
 * under C.UTF-8. Here a catalogue is found by the language's name only
 * (language=nl, LANG=nl_NL.UTF-8): no locale needs to exist, and the
 * process's locale and text domain are never touched.
 *
 * A catalogue is read once, whole, and every offset and length in it is
 * checked against its size; a file with anything wrong in it is not used
 * (English). A translation whose printf conversions differ from its
 * msgid's is not used either (the msgid is), so that a bad catalogue
 * cannot crash a printf. Translations are UTF-8, as the .po files are. */
#ifndef PAM_TOTP_CATALOG_H
#define PAM_TOTP_CATALOG_H

#include <stddef.h>

/* A larger file is not read, nor one of more entries (the header is one):
 * checking the order of n originals costs up to n * n / 2 byte
 * comparisons in a file made to be slow. Ours has some hundred. */
#define CATALOG_FILE_MAX (4 * 1024 * 1024)
#define CATALOG_ENTRIES_MAX 8192

struct catalog;

/* The catalogue of domain for the first of languages that has one:
 * languages is a name as in LANG (nl, nl_NL, nl_NL.UTF-8, nl-NL,
 * sr_RS@latin) or a colon-separated list of them as in LANGUAGE; each
 * name's candidates (catalog_candidates) are tried in order as
 * localedir/CANDIDATE/LC_MESSAGES/domain.mo. NULL (English) when none is
 * found and usable; languages may be NULL. */
struct catalog *catalog_open(const char *localedir, const char *domain, const char *languages);
/* One file; NULL when it cannot be read or is not a sound .mo file. */
struct catalog *catalog_open_file(const char *path);
/* A catalogue from bytes in memory (copied); NULL as above. */
struct catalog *catalog_from_bytes(const void *data, size_t size);
void catalog_close(struct catalog *c);

/* The translation of msgid, or msgid itself (c NULL, no such entry, an
 * empty translation, other printf conversions). */
const char *catalog_gettext(const struct catalog *c, const char *msgid)
	__attribute__((format_arg(2)));
/* The translation of one (plural msgid many) for the number n, by the
 * catalogue's Plural-Forms; otherwise one when n is 1, else many. */
const char *catalog_ngettext(const struct catalog *c, const char *one, const char *many,
			     unsigned long n) __attribute__((format_arg(2), format_arg(3)));

/* The catalogue directory names to try for one language name, most
 * specific first, as gettext tries them: the name without its codeset,
 * then language_TERRITORY, then language@modifier, then language
 * (nl_NL.utf8@euro: nl_NL@euro, nl_NL, nl@euro, nl). "nl-NL" is read as
 * nl_NL. Returns how many (0 for C, POSIX, an empty or a malformed name:
 * English). */
#define CATALOG_CANDIDATES_MAX 4
#define CATALOG_NAME_MAX 64
int catalog_candidates(const char *name, char out[CATALOG_CANDIDATES_MAX][CATALOG_NAME_MAX]);

/* Which languages to look for: configured (the module's language=) when
 * set, else the first set of LANGUAGE, LC_ALL, LC_MESSAGES and LANG as
 * get(ctx, NAME) returns them (the environment, or the PAM environment).
 * LANGUAGE counts whatever the locale is, C.UTF-8 too. NULL: English. */
const char *catalog_languages(const char *configured,
			      const char *(*get)(void *ctx, const char *name), void *ctx);

/* 1 when the printf format translation takes the same arguments as
 * msgid: the same conversions, in order or numbered (%2$s); 0 otherwise,
 * and for anything not understood (%n, a gap in numbered arguments). */
int catalog_formats_match(const char *msgid, const char *translation);

#endif
