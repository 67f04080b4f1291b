/* libFuzzer target: whole logins (login_attempt) over an in-memory store
 * (mem_store.c), the record, the options, the answers and the failures of
 * the store's operations all taken from the input. Built by automake in a
 * tree configured with --enable-fuzzing (tests/fuzz.sh).
 *
 * The input, read front to back (what is missing is empty):
 *   1 byte    setup: bit 0 gives the record two recovery codes this target
 *             knows (typed as "%0", "%1"); bits 1-7 move the start time
 *   a line    option words, as on the module line (config_apply), split
 *             at spaces; unknown or bad words are skipped
 *   2 bytes   n, little-endian; then n bytes: the record (record_parse);
 *             none when n is 0
 *   then up to MAX_ATTEMPTS logins, each:
 *   1 byte    faults (mem_store.h, enum mem_fault)
 *   1 byte    seconds since the last login, times 4
 *   a line    the answer; "=D" types the record's code at D - 3 periods
 *             from now (D a digit 0-6), "%0" and "%1" the recovery codes;
 *             after a leading '!', a stacked token (use_first_pass)
 *
 * Checked for every input, besides memory safety, UB and leaks:
 *  - no grant without a record to log in with (none, unreadable, a
 *    tombstone, a pending enrolment, even with its code), none when an
 *    operation of the store failed during that login, and none before
 *    the state that spends the code is stored;
 *  - a TOTP step granted once: each grant's step is above every earlier
 *    one; a recovery code granted once;
 *  - the store is closed (its lock let go) at the end of every login;
 *  - what the login wrote reads back (mem_store.c), and a write only after
 *    a read, within the record.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "login.h"
#include "mem_store.h"
#include "otp.h"
#include "recovery.h"
#include "secure.h"

#define MAX_ATTEMPTS 12
#define LINE_MAX_LEN 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the recovery codes a record gets with setup bit 0, canonical */
static const char *const known_codes[2] = { "abcdefghjkmn", "pqrstuvwxyz2" };

struct reader {
	const uint8_t *p;
	size_t n;
};

static unsigned
byte(struct reader *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

/* a line up to '\n' (not included), cut to fit out; NUL-terminated */
static void
line(struct reader *r, char *out, size_t out_size)
{
	size_t len = 0;

	while (r->n > 0) {
		uint8_t c = *r->p++;

		r->n--;
		if (c == '\n')
			break;
		if (len + 1 < out_size)
			out[len++] = (char)c;
	}
	out[len] = '\0';
}

static void
apply_options(struct totp_config *cfg, char *words)
{
	char err[256];
	char *save = NULL;

	for (char *w = strtok_r(words, " ", &save); w != NULL; w = strtok_r(NULL, " ", &save))
		(void)config_apply(cfg, w, err, sizeof(err));
	/* the record is the in-memory one, whatever the words said */
	cfg->store = CONFIG_STORE_POSTGRESQL;
}

/* the record's bytes from the input; with known, two recovery codes of
 * this target's in place of the record's own (formatted anew) */
static void
load_record(struct mem_record *m, struct reader *r, int known)
{
	struct totp_record rec;
	char err[256];
	size_t n = byte(r);

	n |= (size_t)byte(r) << 8;
	if (n > r->n)
		n = r->n;
	memcpy(m->bytes, r->p, n);
	m->len = n;
	m->missing = n == 0;  /* the user is not enrolled */
	r->p += n;
	r->n -= n;
	if (!known || record_parse(m->bytes, m->len, &rec, err, sizeof(err)) != 0)
		return;
	if (recovery_set(&rec, known_codes, 2, 1000) == 0)
		(void)record_format(&rec, m->bytes, sizeof(m->bytes), &m->len);
	record_wipe(&rec);
}

/* "=D": the code of the record as stored now, D - 3 periods from now */
static void
typed_code(const struct mem_record *m, int64_t now, int d, char *answer, size_t size)
{
	struct totp_record rec;
	char code[OTP_CODE_SIZE], err[256];

	/* a pending enrolment's code too: it must not let anyone in */
	if (record_parse(m->bytes, m->len, &rec, err, sizeof(err)) != 0 &&
	    !rec.pending_until)
		return;
	if (otp_totp(rec.secret, rec.secret_len, rec.alg, now + (int64_t)(d - 3) * rec.period,
		     rec.period, rec.digits, code) == 0)
		snprintf(answer, size, "%s", code);
	record_wipe(&rec);
	secure_wipe(code, sizeof(code));
}

/* the answer as typed; 1 when it is a stacked token */
static int
answer_for(const struct mem_record *m, int64_t now, char *answer, size_t size)
{
	int stacked = answer[0] == '!';

	if (stacked)
		memmove(answer, answer + 1, strlen(answer));
	if (answer[0] == '=' && answer[1] >= '0' && answer[1] <= '6')
		typed_code(m, now, answer[1] - '0', answer, size);
	else if (answer[0] == '%' && (answer[1] == '0' || answer[1] == '1'))
		snprintf(answer, size, "%s", known_codes[answer[1] - '0']);
	return stacked;
}

/* the stored state's last step, or INT64_MIN when there is no record to
 * log in with (none, unreadable, a tombstone, a pending enrolment) */
static int64_t
stored_last_step(const struct mem_record *m, size_t *recovery_count)
{
	struct totp_record rec;
	char err[256];
	int64_t last;

	*recovery_count = 0;
	memset(&rec, 0, sizeof(rec));
	if (m->missing || record_parse(m->bytes, m->len, &rec, err, sizeof(err)) != 0) {
		record_wipe(&rec);
		return INT64_MIN;
	}
	last = rec.state.last_step;
	*recovery_count = rec.recovery_count;
	record_wipe(&rec);
	return last;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mem_record m;
	struct reader r = { data, size };
	struct totp_config cfg;
	struct store_user user = { "fuzz", 1000, 1000, "/nonexistent" };
	char words[LINE_MAX_LEN], answer[LINE_MAX_LEN];
	int64_t now, best_step = INT64_MIN;
	int recovery_granted[2] = { 0, 0 };
	unsigned setup = byte(&r);

	memset(&m, 0, sizeof(m));
	config_defaults(&cfg);
	line(&r, words, sizeof(words));
	apply_options(&cfg, words);
	load_record(&m, &r, setup & 1);
	mem_store_use(&m);
	now = 1765000000 + (int64_t)(setup >> 1) * 3600;
	for (int i = 0; i < MAX_ATTEMPTS && r.n > 0; i++) {
		struct store_session *sess = mem_session_new();
		struct login_result res;
		unsigned f = byte(&r);
		size_t codes_before, codes_after;
		int64_t last;
		int granted, stacked, usable;

		now += (int64_t)byte(&r) * 4;
		line(&r, answer, sizeof(answer));
		stacked = answer_for(&m, now, answer, sizeof(answer));
		usable = stored_last_step(&m, &codes_before) != INT64_MIN;
		m.faults = f;
		m.fired = 0;
		m.written = 0;
		login_attempt(&cfg, sess, &user, answer, stacked ? LOGIN_STACKED : 0, now, &res);
		store_session_close(sess);
		if (m.locked)
			abort();
		granted = res.outcome == LOGIN_ACCEPTED || res.outcome == LOGIN_RECOVERY_ACCEPTED;
		if (!granted)
			continue;
		/* granted: a record to log in with, nothing failed, and what
		 * spends the code is stored */
		if (!usable || m.fired != 0 || m.written == 0)
			abort();
		last = stored_last_step(&m, &codes_after);
		if (res.outcome == LOGIN_ACCEPTED) {
			if (res.verify.step <= best_step || last != res.verify.step)
				abort();
			best_step = res.verify.step;
		} else {
			char typed[RECOVERY_CODE_CHARS + 1];
			int k = -1;

			if (recovery_normalize(answer, typed) == 1)
				k = strcmp(typed, known_codes[0]) == 0 ? 0 :
				    strcmp(typed, known_codes[1]) == 0 ? 1 : -1;

			if (codes_after + 1 != codes_before)
				abort();
			if (k >= 0 && recovery_granted[k]++)
				abort();
		}
	}
	secure_wipe(answer, sizeof(answer));
	secure_wipe(&m, sizeof(m));
	return 0;
}
