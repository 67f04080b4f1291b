/* LD_PRELOAD for racing logins started with pam_start_confdir (no
 * pam_wrapper, whose set-up must be serialised): the module's pam_syslog
 * and pam_vsyslog lines go to stderr in pam_wrapper's format
 * ("SYSLOG(prio): message"), so the tests read them the same way. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include <security/pam_ext.h>

void
pam_vsyslog(const pam_handle_t *pamh, int priority, const char *fmt, va_list args)
{
	char line[2048];

	(void)pamh;
	vsnprintf(line, sizeof(line), fmt, args);
	fprintf(stderr, "SYSLOG(%d): %s\n", priority & 7, line);
}

void
pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	pam_vsyslog(pamh, priority, fmt, args);
	va_end(args);
}

/* totp-admin logs with syslog(3): the same format, so its lines are read
 * the same way. With _FORTIFY_SOURCE the call is __syslog_chk (or
 * __vsyslog_chk), and glibc's <syslog.h> may make syslog and vsyslog
 * macros (clang, which lacks __va_arg_pack): the four are defined, under
 * their own names. */
#undef syslog
#undef vsyslog
void vsyslog(int priority, const char *fmt, va_list args) __attribute__((format(printf, 2, 0)));
void
vsyslog(int priority, const char *fmt, va_list args)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, args);
	fprintf(stderr, "SYSLOG(%d): %s\n", priority & 7, line);
}

void
syslog(int priority, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsyslog(priority, fmt, args);
	va_end(args);
}

void __vsyslog_chk(int priority, int flag, const char *fmt, va_list args)
	__attribute__((format(printf, 3, 0)));
void
__vsyslog_chk(int priority, int flag, const char *fmt, va_list args)
{
	(void)flag;
	vsyslog(priority, fmt, args);
}

void __syslog_chk(int priority, int flag, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void
__syslog_chk(int priority, int flag, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	__vsyslog_chk(priority, flag, fmt, args);
	va_end(args);
}
