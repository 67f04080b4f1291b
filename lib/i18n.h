/* Text for people, in one text domain (PACKAGE) for pam_totp.so and
 * totp-enroll alike, looked up in our own catalogue reader (catalog.h):
 * no generated locale is needed, and the C library's gettext, the
 * process's locale and its text domain are left alone. The markers stay
 * gettext's, so that xgettext finds the messages (make update-po).
 *
 * _() and P_() look up in the process's catalogue, which only a program
 * (totp-enroll) picks, with i18n_init; until then, and in every other
 * program, they return the English text. The module never uses them: its
 * catalogue belongs to the login (pam_module/messages.c). Log lines stay
 * English (administrators grep them), and so do the reasons lib/ writes
 * into err buffers, which end up in the log too. */
#ifndef PAM_TOTP_I18N_H
#define PAM_TOTP_I18N_H

#define _(msgid) i18n_gettext(msgid)
#define N_(msgid) msgid
#define P_(one, many, n) i18n_ngettext(one, many, n)

/* The process's catalogue, in localedir, for the language of the
 * environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG: catalog_languages);
 * again with another localedir replaces it. */
void i18n_init(const char *localedir);

const char *i18n_gettext(const char *msgid) __attribute__((format_arg(1)));
const char *i18n_ngettext(const char *one, const char *many, unsigned long n)
	__attribute__((format_arg(1), format_arg(2)));

#endif
