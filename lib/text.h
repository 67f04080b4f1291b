/* Small text helpers shared by the parsers: a formatted error message,
 * a strict unsigned number (no sign, no spaces, no silent wrap), the
 * escaping of untrusted text for the log and the cleaning of an
 * administrator's text for a user's terminal. */
#ifndef PAM_TOTP_TEXT_H
#define PAM_TOTP_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* printf into err (when err is not NULL and err_size > 0). */
void text_error(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* As text_error, followed by ": " and strerror(errno) when errno (as it
 * is on entry) is not 0: "cannot open /x: Permission denied". errno is
 * left as it was. */
void text_error_errno(char *err, size_t err_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A decimal number in [min, max], digits only. 0 on success, -1 otherwise
 * (*out untouched). */
int text_parse_unsigned(const char *s, unsigned min, unsigned max, unsigned *out);

/* The value of a hex digit (either case), or -1. */
int text_hex_value(char c);

/* A Unix time as ISO 8601 in UTC ("2026-12-01T23:45:00Z"), for log lines
 * and totp-admin. out needs TEXT_TIME_SIZE bytes. */
#define TEXT_TIME_SIZE 32
void text_time(int64_t t, char out[TEXT_TIME_SIZE]);

/* Copy in to out for a log line: every byte outside printable ASCII
 * (0x20..0x7e) and the backslash itself become \xHH, so a user name, a
 * remote host or a service name cannot start a line of its own or pass
 * for another field. Cut at a whole character when out is too small; out
 * always ends in NUL (out_size > 0). NULL in gives "?". Returns out. */
char *text_escape(const char *in, char *out, size_t out_size);

/* As text_escape, and the space too becomes \x20: the result is one word,
 * for a field of a log line that a reader (fail2ban) takes up to the next
 * space, so that a user name cannot end its field and supply the next. */
char *text_escape_field(const char *in, char *out, size_t out_size);

/* Make s, in place, safe to show on a terminal as it is: every control
 * character (C0, DEL, and C1 as UTF-8 or as a lone byte) and every byte
 * that is not part of well-formed UTF-8 becomes a space, so that no text
 * can move the cursor, clear the screen or start an escape sequence.
 * Printable ASCII and the other characters of UTF-8 are kept. Returns s. */
char *text_clean_display(char *s);

#endif
