/* The administrator behind a change, and the change's syslog line: one
 * form for totp-admin (unlock, remove, reset, import) and totp-enroll
 * --force alike, so each names who did it the same way. */
#ifndef PAM_TOTP_AUDIT_H
#define PAM_TOTP_AUDIT_H

#include <stddef.h>

/* The administrator's login name: the audit login uid, the terminal's
 * login, sudo's SUDO_USER, the real uid, in that order. */
void audit_who(char *out, size_t size);

/* One syslog line (the caller's openlog: authpriv) for a change to
 * user's enrolment by admin:
 *   user=USER by=ADMIN: WHAT
 * every part escaped as the module's lines are (text_escape), so a name
 * from a file, a database row or SUDO_USER cannot start a line of its own. */
void audit_log(const char *admin, int prio, const char *user, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
