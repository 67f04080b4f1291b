/* What pam_totp.so says to the user (prompts, errors, information), in the
 * user's language: language= from the configuration, else LANG from the
 * PAM environment, else English. The host process's locale and text
 * domain are left alone: the language is a locale object used by this
 * thread only while a message is looked up and formatted (uselocale). */
#ifndef PAM_TOTP_MESSAGES_H
#define PAM_TOTP_MESSAGES_H

#include <locale.h>
#include <stddef.h>
#include <security/pam_appl.h>

#include "conf.h"

struct messages {
	pam_handle_t *pamh;
	locale_t locale;  /* (locale_t)0: English */
};

/* Pick the language; every failure (no such locale installed) is English. */
void messages_begin(struct messages *m, pam_handle_t *pamh, const struct totp_config *cfg);
void messages_end(struct messages *m);

/* msgid (a format) translated and formatted into buf. */
void messages_format(const struct messages *m, char *buf, size_t size, const char *msgid, ...)
	__attribute__((format(printf, 4, 5)));
/* Send a PAM_ERROR_MSG or PAM_TEXT_INFO: msgid translated, then formatted. */
void messages_say(const struct messages *m, int style, const char *msgid, ...)
	__attribute__((format(printf, 3, 4)));
/* The same for a message with a plural: one or many by n. */
void messages_say_n(const struct messages *m, int style, const char *one, const char *many,
		    unsigned long n, ...) __attribute__((format(printf, 3, 6)));

#endif
