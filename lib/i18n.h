/* Text for people goes through gettext, in one text domain (PACKAGE) for
 * pam_totp.so and totp-enroll alike. Looked up with dgettext, never after
 * textdomain(): a PAM module must not change the text domain of the
 * process that loaded it. Log lines stay English (administrators grep
 * them), and so do the reasons lib/ writes into err buffers, which end up
 * in the log too. */
#ifndef PAM_TOTP_I18N_H
#define PAM_TOTP_I18N_H

#include <libintl.h>

#define _(msgid) dgettext(PACKAGE, msgid)
#define N_(msgid) msgid
#define P_(one, many, n) dngettext(PACKAGE, one, many, n)

#endif
