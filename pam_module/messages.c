/* The user's messages in the user's language: see messages.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <security/pam_ext.h>

#include "i18n.h"
#include "messages.h"

#define MESSAGE_MAX 512

void
messages_begin(struct messages *m, pam_handle_t *pamh, const struct totp_config *cfg)
{
	const char *lang = cfg->language[0] != '\0' ? cfg->language : pam_getenv(pamh, "LANG");

	m->pamh = pamh;
	m->locale = (locale_t)0;
	/* LC_CTYPE too: gettext converts a translation to the locale's
	 * character set. Our own domain's directory only; binding it is not
	 * the process's text domain. */
	bindtextdomain(PACKAGE, cfg->localedir[0] != '\0' ? cfg->localedir : LOCALEDIR);
	if (lang != NULL && lang[0] != '\0')
		m->locale = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, lang, (locale_t)0);
	if (m->locale == (locale_t)0)
		m->locale = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, "C", (locale_t)0);
}

void
messages_end(struct messages *m)
{
	if (m->locale != (locale_t)0)
		freelocale(m->locale);
	m->locale = (locale_t)0;
}

/* Look up and format in the user's locale, on this thread only. Without
 * a locale object (newlocale failed even for "C") the text is English.
 * The format attribute lets clang check the callers' msgid, and text is
 * const so that it sees text is msgid translated (-Wformat-nonliteral). */
static void format_in_locale(const struct messages *m, char *buf, size_t size, const char *msgid,
			     const char *many, unsigned long n, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void
format_in_locale(const struct messages *m, char *buf, size_t size, const char *msgid,
		 const char *many, unsigned long n, va_list ap)
{
	locale_t old = (locale_t)0;

	if (m->locale != (locale_t)0)
		old = uselocale(m->locale);
	const char *const text = many != NULL ? P_(msgid, many, n) : _(msgid);
	vsnprintf(buf, size, text, ap);
	if (old != (locale_t)0)
		uselocale(old);
}

void
messages_format(const struct messages *m, char *buf, size_t size, const char *msgid, ...)
{
	va_list ap;

	va_start(ap, msgid);
	format_in_locale(m, buf, size, msgid, NULL, 0, ap);
	va_end(ap);
}

void
messages_append_line(const struct messages *m, char *buf, size_t size, const char *msgid, ...)
{
	size_t used = strnlen(buf, size);
	va_list ap;

	if (used + 1 >= size)
		return;
	if (used > 0)
		buf[used++] = '\n';
	va_start(ap, msgid);
	format_in_locale(m, buf + used, size - used, msgid, NULL, 0, ap);
	va_end(ap);
}

/* Send text as one message, without a last newline. */
static void
send(const struct messages *m, int style, char *text)
{
	size_t len = strlen(text);

	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	pam_prompt(m->pamh, style, NULL, "%s", text);
}

void
messages_say(const struct messages *m, int style, const char *msgid, ...)
{
	char text[MESSAGE_MAX];
	va_list ap;

	va_start(ap, msgid);
	format_in_locale(m, text, sizeof(text), msgid, NULL, 0, ap);
	va_end(ap);
	send(m, style, text);
}

void
messages_say_n(const struct messages *m, int style, const char *one, const char *many,
	       unsigned long n, ...)
{
	char text[MESSAGE_MAX];
	va_list ap;

	va_start(ap, n);
	format_in_locale(m, text, sizeof(text), one, many, n, ap);
	va_end(ap);
	send(m, style, text);
}
