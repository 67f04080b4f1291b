/* libFuzzer target for record_parse. Built by automake in a tree
 * configured with --enable-fuzzing; tests/fuzz.sh makes one and runs it
 * (by hand: tests/fuzz.sh BUILDDIR SECONDS, then BUILDDIR/tests/fuzz/T).
 *
 * The seed is a valid record (20 recovery hashes, SHA512, 8 digits): the
 * slots carry checksums, which mutation alone rarely gets right, so a seed
 * makes it reach the enrolment part at once.
 * tests/fuzz/fuzz_record_removed.seed is a tombstone (tests/fuzz.sh
 * copies every tests/fuzz/fuzz_record_*.seed too).
 *
 * Checked for every input, besides memory safety and UB:
 *  - a refused input has a reason and leaves the struct all zero;
 *  - an accepted one formats, parses back to the same values, and formats
 *    to the same bytes again;
 *  - a tombstone carries its time and administrator and nothing else, and
 *    round-trips the same way;
 *  - a login's write (the next seq into record_next_slot, in place) is
 *    then the state a reader sees.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char out1[RECORD_MAX_BYTES + 1];
static char out2[RECORD_MAX_BYTES + 1];
static char copy[RECORD_MAX_BYTES];

static void
check(int ok)
{
	if (!ok)
		abort();
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i] != 0)
			return 0;
	return 1;
}

static int
record_equal(const struct totp_record *a, const struct totp_record *b)
{
	return a->secret_len == b->secret_len &&
	    memcmp(a->secret, b->secret, a->secret_len) == 0 &&
	    a->alg == b->alg && a->digits == b->digits &&
	    a->period == b->period && a->created == b->created &&
	    a->recovery_iterations == b->recovery_iterations &&
	    (a->recovery_iterations == 0 ||
	     memcmp(a->recovery_salt, b->recovery_salt, RECORD_RECOVERY_SALT_LEN) == 0) &&
	    a->recovery_count == b->recovery_count &&
	    memcmp(a->recovery, b->recovery,
		a->recovery_count * RECORD_RECOVERY_HASH_LEN) == 0 &&
	    record_state_equal(&a->state, &b->state);
}

/* What a login does: the next state into the slot not holding the
 * current one, in place; a reader must then see exactly that state. */
static void
check_login_write(const uint8_t *data, size_t size, const struct totp_record *a, int rc)
{
	char slot[RECORD_SLOT_LEN + 1];
	struct totp_record c;
	struct totp_state next = a->state;
	char err[256];
	int s = record_next_slot(a);

	if (next.seq == UINT64_MAX)
		return;
	next.seq++;
	next.failures = next.failures < 99999 ? next.failures + 1 : 0;
	check(record_format_slot(&next, s, slot) == 0);
	memcpy(copy, data, size);
	memcpy(copy + RECORD_SLOT_OFFSET(s), slot, RECORD_SLOT_LEN);
	check(record_parse(copy, size, &c, err, sizeof(err)) == rc);
	check(c.state_slot == s);
	check(c.slots_valid == 3);
	check(record_state_equal(&c.state, &next));
	record_wipe(&c);
}

/* A tombstone: nothing but its time and administrator, formatted and
 * parsed back to the same, and formatted to the same bytes again. */
static void
check_removed(const struct totp_record *a, const char *err)
{
	struct totp_record b, rest = *a;
	size_t len1 = 0, len2 = 0;
	char err2[256];

	check(err[0] != '\0' && a->removed == 1 && a->removed_by[0] != '\0');
	rest.removed = 0;
	rest.removed_at = 0;
	memset(rest.removed_by, 0, sizeof(rest.removed_by));
	check(all_zero(&rest, sizeof(rest)));
	check(record_format(a, out1, sizeof(out1), &len1) == 0);
	check(strlen(out1) == len1);
	check(record_parse(out1, len1, &b, err2, sizeof(err2)) == RECORD_REMOVED);
	check(b.removed_at == a->removed_at && strcmp(b.removed_by, a->removed_by) == 0);
	check(record_format(&b, out2, sizeof(out2), &len2) == 0);
	check(len1 == len2 && memcmp(out1, out2, len1) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct totp_record a, b;
	char err[256];
	size_t len1 = 0, len2 = 0;
	int rc;

	err[0] = 'x';
	rc = record_parse((const char *)data, size, &a, err, sizeof(err));
	if (rc == RECORD_REMOVED) {
		check_removed(&a, err);
		return 0;
	}
	if (rc == RECORD_PENDING) {
		/* whole, and round-trips as a record does, answering the same */
		check(err[0] != '\0' && a.pending_until > 0);
	} else if (rc != 0) {
		check(err[0] != '\0' && strlen(err) < sizeof(err));
		check(all_zero(&a, sizeof(a)));
		return 0;
	} else {
		check(err[0] == '\0' && a.pending_until == 0);
	}
	check(a.slots_valid >= 1 && a.slots_valid <= 3);
	check(a.slots_valid & (1 << a.state_slot));

	check(record_format(&a, out1, sizeof(out1), &len1) == 0);
	check(strlen(out1) == len1);
	check(record_parse(out1, len1, &b, err, sizeof(err)) == rc);
	check(record_equal(&a, &b) && b.pending_until == a.pending_until);
	check(b.state_slot == 0 && b.slots_valid == 3);
	check(record_format(&b, out2, sizeof(out2), &len2) == 0);
	check(len1 == len2 && memcmp(out1, out2, len1) == 0);

	check_login_write(data, size, &a, rc);

	record_wipe(&a);
	record_wipe(&b);
	return 0;
}
