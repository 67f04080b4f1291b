/* The module's log lines: see log_reason.h. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include <security/pam_ext.h>

#include "log_reason.h"
#include "text.h"

/* A field of the line, one word: "-" when there is none (no remote host,
 * no user name yet) */
static const char *
field(const char *in, char *out, size_t out_size)
{
	return text_escape_field(in != NULL && in[0] != '\0' ? in : "-", out, out_size);
}

const struct log_reason_info log_reasons[LR_COUNT] = {
#define LOG_REASON_INFO(id, priority, guess, text) { #id, priority, guess, text },
	LOG_REASONS(LOG_REASON_INFO)
#undef LOG_REASON_INFO
};

void
log_reason(pam_handle_t *pamh, const struct who *w, enum log_reason r, const char *detail_fmt,
	   ...)
{
	/* every field escaped: a user name with a newline, sent by whoever is
	 * not yet authenticated, must not forge a log line, nor one with a
	 * space supply the fields after its own (text_escape_field) */
	char detail[768] = "", user[256], service[128], rhost[256];
	char detail_esc[sizeof(detail) * 4];
	va_list ap;

	if (detail_fmt != NULL) {
		va_start(ap, detail_fmt);
		vsnprintf(detail, sizeof(detail), detail_fmt, ap);
		va_end(ap);
	}
	pam_syslog(pamh, log_reasons[r].priority, "user=%s service=%s rhost=%s: %s%s",
		   field(w->user, user, sizeof(user)), field(w->service, service, sizeof(service)),
		   field(w->rhost, rhost, sizeof(rhost)),
		   log_reasons[r].text, text_escape(detail, detail_esc, sizeof(detail_esc)));
}
