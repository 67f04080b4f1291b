/* What pam_totp.so says to the user (prompts, errors, information), in the
 * user's language: language= from the configuration, else LANGUAGE,
 * LC_ALL, LC_MESSAGES or LANG from the PAM environment, else English. The
 * catalogue is the login's own (lib/catalog.h), read once when the login
 * starts: the host process's locale, its text domain and its other
 * threads are left alone, and no locale needs to be generated. */
#ifndef PAM_TOTP_MESSAGES_H
#define PAM_TOTP_MESSAGES_H

#include <stddef.h>
#include <security/pam_appl.h>

#include "catalog.h"
#include "conf.h"

struct messages {
	pam_handle_t *pamh;
	struct catalog *catalog;  /* NULL: English */
	const char *helpdesk;     /* helpdesk=, said after every refusal; "" none */
};

/* Pick the language and read its catalogue; every failure (no catalogue,
 * an unusable one) is English. */
void messages_begin(struct messages *m, pam_handle_t *pamh, const struct totp_config *cfg);
void messages_end(struct messages *m);

/* msgid (a format) translated and formatted into buf. */
void messages_format(const struct messages *m, char *buf, size_t size, const char *msgid, ...)
	__attribute__((format(printf, 4, 5)));
/* msgid translated and formatted, appended to the text in buf as a line
 * of its own (a newline before it unless buf is empty); cut at size. */
void messages_append_line(const struct messages *m, char *buf, size_t size, const char *msgid,
			  ...) __attribute__((format(printf, 4, 5)));
/* Send a PAM_ERROR_MSG or PAM_TEXT_INFO: msgid translated, then formatted
 * (a last newline dropped: the conversation ends each message itself). */
void messages_say(const struct messages *m, int style, const char *msgid, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for a message with a plural: one or many by n. */
void messages_say_n(const struct messages *m, int style, const char *one, const char *many,
		    unsigned long n, ...) __attribute__((format(printf, 3, 6)));
/* A refusal: a PAM_ERROR_MSG as messages_say sends it, followed in the
 * same message by the helpdesk= text as written (untranslated, the same
 * for every user, so it tells nothing about the account). */
void messages_refuse(const struct messages *m, const char *msgid, ...)
	__attribute__((format(printf, 2, 3)));
void messages_refuse_n(const struct messages *m, const char *one, const char *many,
		       unsigned long n, ...) __attribute__((format(printf, 2, 5)));

#endif
