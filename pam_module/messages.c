/* The user's messages in the user's language: see messages.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <security/pam_ext.h>

#include "messages.h"

/* the longest message with the longest helpdesk= text fits */
#define MESSAGE_MAX 1024

static const char *
from_pam_environment(void *pamh, const char *name)
{
	return pam_getenv(pamh, name);
}

void
messages_begin(struct messages *m, pam_handle_t *pamh, const struct totp_config *cfg)
{
	m->pamh = pamh;
	m->helpdesk = cfg->helpdesk;
	m->catalog = catalog_open(cfg->localedir[0] != '\0' ? cfg->localedir : LOCALEDIR, PACKAGE,
				  catalog_languages(cfg->language, from_pam_environment, pamh));
}

void
messages_end(struct messages *m)
{
	catalog_close(m->catalog);
	m->catalog = NULL;
}

/* Look up (the catalogue checked the translation takes msgid's
 * arguments) and format. The format attribute lets clang check the
 * callers' msgid, and text is const so that it sees text is msgid
 * translated (-Wformat-nonliteral). */
static void format_in_language(const struct messages *m, char *buf, size_t size,
			       const char *msgid, const char *many, unsigned long n, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void
format_in_language(const struct messages *m, char *buf, size_t size, const char *msgid,
		   const char *many, unsigned long n, va_list ap)
{
	const char *const text = many != NULL ? catalog_ngettext(m->catalog, msgid, many, n)
					      : catalog_gettext(m->catalog, msgid);

	vsnprintf(buf, size, text, ap);
}

void
messages_format(const struct messages *m, char *buf, size_t size, const char *msgid, ...)
{
	va_list ap;

	va_start(ap, msgid);
	format_in_language(m, buf, size, msgid, NULL, 0, ap);
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
	format_in_language(m, buf + used, size - used, msgid, NULL, 0, ap);
	va_end(ap);
}

/* Drop a last newline: the conversation ends each message itself. */
static void
chop(char *text)
{
	size_t len = strlen(text);

	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
}

/* Send text as one message, without a last newline. */
static void
send(const struct messages *m, int style, char *text)
{
	chop(text);
	pam_prompt(m->pamh, style, NULL, "%s", text);
}

/* A refusal, then helpdesk= (cleaned of control characters by
 * config_load) after a space. */
static void
send_refusal(const struct messages *m, char *text, size_t size)
{
	chop(text);
	if (m->helpdesk != NULL && m->helpdesk[0] != '\0') {
		size_t used = strlen(text);

		snprintf(text + used, size - used, "%s%s", used > 0 ? " " : "", m->helpdesk);
	}
	pam_prompt(m->pamh, PAM_ERROR_MSG, NULL, "%s", text);
}

void
messages_say(const struct messages *m, int style, const char *msgid, ...)
{
	char text[MESSAGE_MAX];
	va_list ap;

	va_start(ap, msgid);
	format_in_language(m, text, sizeof(text), msgid, NULL, 0, ap);
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
	format_in_language(m, text, sizeof(text), one, many, n, ap);
	va_end(ap);
	send(m, style, text);
}

void
messages_refuse(const struct messages *m, const char *msgid, ...)
{
	char text[MESSAGE_MAX];
	va_list ap;

	va_start(ap, msgid);
	format_in_language(m, text, sizeof(text), msgid, NULL, 0, ap);
	va_end(ap);
	send_refusal(m, text, sizeof(text));
}

void
messages_refuse_n(const struct messages *m, const char *one, const char *many, unsigned long n,
		  ...)
{
	char text[MESSAGE_MAX];
	va_list ap;

	va_start(ap, n);
	format_in_language(m, text, sizeof(text), one, many, n, ap);
	va_end(ap);
	send_refusal(m, text, sizeof(text));
}
