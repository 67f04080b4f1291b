/* Who runs a tool, and the syslog line of each change (audit.h). */
#include "config.h"

#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>

#include "audit.h"
#include "text.h"

void
audit_who(char *out, size_t size)
{
	FILE *f = fopen("/proc/self/loginuid", "re");
	unsigned long id;
	struct passwd *pw;
	const char *sudo = getenv("SUDO_USER");

	/* the audit login uid survives su and sudo: who logged in */
	if (f != NULL) {
		int got = fscanf(f, "%lu", &id) == 1;

		fclose(f);
		if (got && id != 4294967295UL && (pw = getpwuid((uid_t)id)) != NULL) {
			snprintf(out, size, "%s", pw->pw_name);
			return;
		}
	}
	if (getlogin_r(out, size) == 0 && out[0] != '\0')
		return;
	if (sudo != NULL && sudo[0] != '\0') {
		snprintf(out, size, "%s", sudo);
		return;
	}
	pw = getpwuid(getuid());
	if (pw != NULL)
		snprintf(out, size, "%s", pw->pw_name);
	else
		snprintf(out, size, "uid %lu", (unsigned long)getuid());
}

void
audit_log(const char *admin, int prio, const char *user, const char *fmt, ...)
{
	/* escaped like the module's lines (text_escape): a user name from a
	 * file or a database row must not start a log line of its own */
	char what[768], what_esc[sizeof(what) * 4], user_esc[256], by_esc[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	syslog(prio, "user=%s by=%s: %s", text_escape(user, user_esc, sizeof(user_esc)),
	       text_escape(admin, by_esc, sizeof(by_esc)),
	       text_escape(what, what_esc, sizeof(what_esc)));
}
