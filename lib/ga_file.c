/* Reading a google-authenticator file: see ga_file.h. Strict: whatever
 * this parser does not know is refused with the line and the reason, so
 * an import never silently drops a setting the user relied on. */
#include "config.h"

#include <string.h>

#include "base32.h"
#include "ga_file.h"
#include "secure.h"
#include "text.h"

#define GA_LINE_MAX 512

void
ga_file_wipe(struct ga_file *g)
{
	secure_wipe(g, sizeof(*g));
}

/* The next space-separated word of *p (advanced past it) into word; 0
 * when there is none. */
static int
next_word(const char **p, char *word, size_t size)
{
	size_t n = 0;

	while (**p == ' ')
		(*p)++;
	if (**p == '\0')
		return 0;
	while (**p != '\0' && **p != ' ') {
		if (n + 1 < size)
			word[n++] = **p;
		(*p)++;
	}
	word[n] = '\0';
	return 1;
}

/* A number of digits only, up to max. */
static int
number(const char *w, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*w == '\0')
		return -1;
	for (; *w != '\0'; w++) {
		if (*w < '0' || *w > '9' || v > (max - (uint64_t)(*w - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*w - '0');
	}
	*out = v;
	return 0;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* One option line (without the leading '" '). *totp set by TOTP_AUTH. */
static int
option_line(const char *line, unsigned lineno, struct ga_file *g, int *totp,
	    char *err, size_t err_size)
{
	char name[64], word[32];
	const char *p = line;
	uint64_t v;

	/* the name right after '" ', as the command writes it */
	if (*p == ' ' || !next_word(&p, name, sizeof(name))) {
		text_error(err, err_size, "line %u: malformed option line", lineno);
		return -1;
	}
	if (strcmp(name, "TOTP_AUTH") == 0) {
		if (next_word(&p, word, sizeof(word))) {
			text_error(err, err_size, "line %u: TOTP_AUTH takes no value", lineno);
			return -1;
		}
		*totp = 1;
	} else if (strcmp(name, "HOTP_COUNTER") == 0) {
		text_error(err, err_size,
			   "line %u: HOTP_COUNTER: a counter-based (HOTP) file; pam_totp does time-based codes only",
			   lineno);
		return -1;
	} else if (strcmp(name, "DISALLOW_REUSE") == 0) {
		while (next_word(&p, word, sizeof(word))) {
			if (number(word, INT64_MAX / 2, &v) != 0) {
				text_error(err, err_size, "line %u: DISALLOW_REUSE: bad time step", lineno);
				return -1;
			}
			if ((int64_t)v > g->last_step)
				g->last_step = (int64_t)v;
		}
	} else if (strcmp(name, "STEP_SIZE") == 0 || strcmp(name, "WINDOW_SIZE") == 0 ||
		   strcmp(name, "TIME_SKEW") == 0) {
		int negative = 0;

		if (!next_word(&p, word, sizeof(word))) {
			text_error(err, err_size, "line %u: %s without a value", lineno, name);
			return -1;
		}
		negative = word[0] == '-' && strcmp(name, "TIME_SKEW") == 0;
		if (number(word + negative, 999999, &v) != 0 || next_word(&p, word, sizeof(word))) {
			text_error(err, err_size, "line %u: %s: bad value", lineno, name);
			return -1;
		}
		if (name[0] == 'S') {
			if (v < 1 || v > RECORD_PERIOD_MAX) {
				text_error(err, err_size, "line %u: STEP_SIZE %u outside 1..%u", lineno,
					   (unsigned)v, RECORD_PERIOD_MAX);
				return -1;
			}
			g->period = (unsigned)v;
		} else if (name[0] == 'W') {
			g->window_size = (unsigned)v;
		} else {
			g->skew = negative ? -(int32_t)v : (int32_t)v;
		}
	} else if (strcmp(name, "RATE_LIMIT") == 0) {
		/* google-authenticator's own throttle; pam_totp's lock-out
		 * (max_failures, lockout_base) takes its place */
		while (next_word(&p, word, sizeof(word)))
			if (number(word, INT64_MAX, &v) != 0) {
				text_error(err, err_size, "line %u: RATE_LIMIT: bad value", lineno);
				return -1;
			}
		g->rate_limit = 1;
	} else if (strcmp(name, "RESETTING_TIME_SKEW") == 0) {
		/* a re-synchronisation in progress: pam_totp starts its own */
	} else {
		text_error(err, err_size, "line %u: unknown option '%s'", lineno, name);
		return -1;
	}
	return 0;
}

int
ga_file_parse(const char *buf, size_t len, struct ga_file *g, char *err, size_t err_size)
{
	char line[GA_LINE_MAX + 1];
	size_t pos = 0;
	unsigned lineno = 0;
	int totp = 0;

	memset(g, 0, sizeof(*g));
	g->period = 30;
	g->last_step = -1;
	if (buf == NULL || len == 0) {
		text_error(err, err_size, "empty file");
		goto fail;
	}
	if (len > GA_FILE_MAX_BYTES) {
		text_error(err, err_size, "larger than %d bytes", GA_FILE_MAX_BYTES);
		goto fail;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;

		lineno++;
		if (n > GA_LINE_MAX) {
			text_error(err, err_size, "line %u: too long", lineno);
			goto fail;
		}
		memcpy(line, buf + pos, n);
		line[n] = '\0';
		pos += n + (nl != NULL);
		if (strlen(line) != n) {
			text_error(err, err_size, "line %u: a NUL byte", lineno);
			goto fail;
		}
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (lineno == 1) {
			if (base32_decode(line, g->secret, sizeof(g->secret), &g->secret_len) != 0 ||
			    strchr(line, ' ') != NULL || strchr(line, '-') != NULL) {
				text_error(err, err_size, "line 1: the secret is not base32");
				goto fail;
			}
			if (g->secret_len < 10) {
				text_error(err, err_size, "line 1: the secret is shorter than 10 bytes");
				goto fail;
			}
		} else if (line[0] == '"' && line[1] == ' ') {
			if (option_line(line + 2, lineno, g, &totp, err, err_size) != 0)
				goto fail;
		} else if (all_digits(line)) {
			if (n != RECOVERY_SCRATCH_DIGITS) {
				text_error(err, err_size,
					   "line %u: a scratch code of %zu digits; pam_totp keeps 8-digit ones only",
					   lineno, n);
				goto fail;
			}
			if (g->n_scratch == RECORD_RECOVERY_MAX) {
				text_error(err, err_size, "more than %d scratch codes",
					   RECORD_RECOVERY_MAX);
				goto fail;
			}
			memcpy(g->scratch[g->n_scratch++], line, n + 1);
		} else {
			text_error(err, err_size, "line %u: neither an option nor a scratch code",
				   lineno);
			goto fail;
		}
	}
	if (!totp) {
		text_error(err, err_size, "no TOTP_AUTH line: not a time-based file");
		goto fail;
	}
	secure_wipe(line, sizeof(line));
	return 0;
fail:
	secure_wipe(line, sizeof(line));
	ga_file_wipe(g);
	return -1;
}
