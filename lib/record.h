/* The user record: versioned text, an enrolment part written once and two
 * fixed-width state slots overwritten in place. man/pam_totp.5 is its
 * documentation; this file and record.c are its one implementation.
 *
 * Layout (byte offsets fixed so a login can pwrite one slot):
 *
 *   pam_totp 1\n                      offset 0, RECORD_MAGIC_LEN bytes
 *   state_a=<fixed-width fields>\n    offset RECORD_SLOT_OFFSET(0)
 *   state_b=<fixed-width fields>\n    offset RECORD_SLOT_OFFSET(1)
 *   secret=<base32>\n                 enrolment part, key=value lines
 *   algorithm=SHA1|SHA256|SHA512\n
 *   digits=6..8\n
 *   period=1..300\n
 *   created=<unix time>\n
 *   recovery_kdf=pbkdf2-sha256:<iterations>:<salt hex>\n   (optional pair)
 *   recovery=<hash hex>,<hash hex>,...\n                  (may be empty)
 *   enrolled=login,<service>,<remote host>\n   (optional: made at a login)
 *   pending=<unix time>\n             (optional: an enrolment at login not
 *                                     yet confirmed, kept until then)
 *
 * A tombstone, which totp-admin remove leaves in the record's place so
 * that enrolment at login stays closed until totp-admin reset deletes it:
 *
 *   pam_totp-removed 1\n              RECORD_REMOVED_MAGIC
 *   removed=<unix time>\n             key=value lines as above, any order
 *   by=<administrator>\n              printable ASCII, no space or comma
 */
#ifndef PAM_TOTP_RECORD_H
#define PAM_TOTP_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "otp.h"

#define RECORD_MAGIC "pam_totp 1\n"
#define RECORD_MAGIC_LEN 11
#define RECORD_MAX_BYTES 65536
#define RECORD_LINE_MAX 1024      /* bytes per line, newline excluded */
#define RECORD_RECOVERY_MAX 20
#define RECORD_RECOVERY_HASH_LEN 16
#define RECORD_RECOVERY_SALT_LEN 16
#define RECORD_PERIOD_MAX 300
/* enrolled=: the PAM service and remote host of an enrolment at a login
 * (enroll=prompt), printable ASCII without space or comma */
#define RECORD_ORIGIN_SERVICE_MAX 64
#define RECORD_ORIGIN_RHOST_MAX 255
#define RECORD_REMOVED_MAGIC "pam_totp-removed 1\n"
#define RECORD_REMOVED_MAGIC_LEN 19
#define RECORD_REMOVED_BY_MAX 255
/* record_parse's answer for a tombstone: not 0, so a caller that takes
 * only 0 refuses it */
#define RECORD_REMOVED 1
/* record_parse's answer for an enrolment at login shown but not yet
 * confirmed (a pending= line): the whole record is filled in, secret
 * included, and never good for a login (not 0) */
#define RECORD_PENDING 2

/* The fields of the state, in the order of a slot, one line each:
 *
 *   X(name, type, label, width, min, max, init, sql_type, sql_check)
 *
 *   name       the member of struct totp_state, and the column of
 *              pam_totp_records (sql/pam_totp.sql)
 *   type       its C type; a signed one is written with its sign
 *   label      its name in the line of tests/shims/record_state
 *   width      its characters in a slot: the digits (with leading zeros),
 *              after the sign when the type is signed
 *   min, max   the values it may hold: a slot outside them is invalid when
 *              read and refused by record_format_slot, and so is a row of
 *              the database; the widths are what bound them
 *   init       its value in a fresh state (record_state_init), and the
 *              column's DEFAULT
 *   sql_type   the column's type
 *   sql_check  1: the column has CHECK (name >= min); 0: none
 *
 * What each one is:
 *   seq           sequence number, higher is newer
 *   last_step     last accepted time step; -1: none yet
 *   skew          learned clock skew, in steps
 *   failures      consecutive failed attempts
 *   locked_until  locked until this Unix time; 0: not locked
 *   resync_step   step of the first code of a pending re-synchronisation;
 *                 -1: none
 *
 * The struct, the slot's writer and reader, record_state_equal, the
 * PostgreSQL store's columns and parameters and tests/shims/record_state's line
 * are made from this list; tests/unit/test_state_fields.c checks
 * sql/pam_totp.sql against it. */
#define TOTP_STATE_FIELDS(X) \
	X(seq,          uint64_t, "seq",      20, 0,       UINT64_MAX, 0,  "bigint",  1) \
	X(last_step,    int64_t,  "last",     20, -1,      INT64_MAX,  -1, "bigint",  1) \
	X(skew,         int32_t,  "skew",      7, -999999, 999999,     0,  "integer", 0) \
	X(failures,     uint32_t, "failures",  5, 0,       99999,      0,  "integer", 1) \
	X(locked_until, int64_t,  "locked",   20, 0,       INT64_MAX,  0,  "bigint",  1) \
	X(resync_step,  int64_t,  "resync",   20, -1,      INT64_MAX,  -1, "bigint",  1)

#define TOTP_STATE_MEMBER(name, type, ...) type name;
struct totp_state {
	TOTP_STATE_FIELDS(TOTP_STATE_MEMBER)
};
#undef TOTP_STATE_MEMBER

#define TOTP_STATE_COUNT(...) + 1
enum { TOTP_STATE_NFIELDS = 0 TOTP_STATE_FIELDS(TOTP_STATE_COUNT) };
#undef TOTP_STATE_COUNT

/* state_x=SEQ:LAST:SKEW:FAILS:LOCKED:RESYNC:SUM\n: the prefix, each field
 * of TOTP_STATE_FIELDS in its width and a ':', then
 *   SUM    %08x            first 4 bytes of SHA-256 over the line before ":SUM"
 * as printf writes them: %020 for an unsigned field of width 20, %+020
 * for a signed one. So
 *   SEQ    %020 unsigned   LAST   %+020 signed    SKEW   %+07 signed
 *   FAILS  %05 unsigned    LOCKED %+020 signed    RESYNC %+020 signed
 * Bytes inside the two slots are judged only by the slot check: a torn
 * write (even one leaving NUL bytes) spoils that slot, not the record.
 */
#define RECORD_SLOT_LEN 115          /* bytes including the newline */
#define RECORD_SLOT_OFFSET(slot) ((off_t)RECORD_MAGIC_LEN + (off_t)(slot) * RECORD_SLOT_LEN)

struct totp_record {
	/* enrolment part */
	uint8_t secret[OTP_KEY_MAX];
	size_t secret_len;
	otp_alg alg;
	unsigned digits;
	unsigned period;
	int64_t created;
	unsigned recovery_iterations;  /* 0 when there are no recovery codes */
	uint8_t recovery_salt[RECORD_RECOVERY_SALT_LEN];
	size_t recovery_count;
	uint8_t recovery[RECORD_RECOVERY_MAX][RECORD_RECOVERY_HASH_LEN];
	/* made at a login (enroll=prompt), and where from; 0 and empty for a
	 * record without enrolled= (totp-enroll, totp-admin import) */
	int enrolled_at_login;
	char enrolled_service[RECORD_ORIGIN_SERVICE_MAX + 1];  /* never empty when set */
	char enrolled_rhost[RECORD_ORIGIN_RHOST_MAX + 1];      /* empty: none */
	/* a tombstone (record_parse gave RECORD_REMOVED): then nothing else
	 * is set, no secret above and no state below */
	int64_t pending_until;    /* pending=: 0, or the first second the pending
	                             enrolment is void (record_parse then gives
	                             RECORD_PENDING) */
	int removed;
	int64_t removed_at;                           /* Unix time */
	char removed_by[RECORD_REMOVED_BY_MAX + 1];   /* the administrator, never empty */
	/* state part */
	struct totp_state state;  /* the newest valid slot */
	int state_slot;           /* 0 (A) or 1 (B): where state came from */
	int slots_valid;          /* bit 0: A valid, bit 1: B valid */
};

/* A fresh state: each field's init (seq 0, nothing accepted, no skew, no
 * failures). */
void record_state_init(struct totp_state *st);

/* 1 when a and b hold the same state, field by field. */
int record_state_equal(const struct totp_state *a, const struct totp_state *b);

/* A field's value in decimal, as printf's %d or %u writes it, for code
 * made from TOTP_STATE_FIELDS (the database's parameters, tests). */
#define RECORD_FIELD_TEXT(out, size, value) \
	_Generic((value), \
		 int32_t: record_text_signed, int64_t: record_text_signed, \
		 uint32_t: record_text_unsigned, uint64_t: record_text_unsigned)((out), (size), (value))
void record_text_signed(char *out, size_t size, int64_t v);
void record_text_unsigned(char *out, size_t size, uint64_t v);

/* Parse a whole record. 0 on success; -1 on any error with a precise
 * reason in err ("line 5: unknown key 'foo'", "both state slots invalid"),
 * and rec wiped. One bad slot is not an error: the other one is used.
 * Only what record_format writes is accepted (keys in any order).
 * A tombstone gives RECORD_REMOVED, rec->removed set with its time and
 * administrator (nothing else), and err saying so. */
int record_parse(const char *buf, size_t len, struct totp_record *rec,
		 char *err, size_t err_size);

/* Format a whole record, or with rec->removed a tombstone (of rec's
 * removed_at and removed_by alone); rec->state goes into both slots (A is then the
 * current one). recovery_kdf and recovery are written (recovery possibly
 * empty) when recovery_iterations != 0, neither otherwise. 0 on success,
 * -1 when out is too small or a field is outside what record_parse
 * accepts (out is then wiped). out is NUL-terminated; *out_len excludes
 * the NUL. The caller wipes out: it holds the secret. */
int record_format(const struct totp_record *rec, char *out, size_t out_size,
		  size_t *out_len);

/* Format one state slot line (exactly RECORD_SLOT_LEN bytes plus a NUL)
 * for slot 0 (A) or 1 (B). 0 on success. */
int record_format_slot(const struct totp_state *st, int slot,
		       char out[RECORD_SLOT_LEN + 1]);

/* The slot a login writes next: the one that does not hold the current state. */
int record_next_slot(const struct totp_record *rec);

/* Mark rec as enrolled at a login of SERVICE from RHOST (either may be
 * NULL): a byte enrolled= cannot hold becomes '?', a value too long is
 * cut, a missing service is "?". For the record only: the log line keeps
 * the exact values. */
void record_set_login_origin(struct totp_record *rec, const char *service, const char *rhost);

/* Make rec a tombstone: removed at WHEN by BY, nothing else. A byte by=
 * cannot hold becomes '?', a name too long is cut, a missing one is "?"
 * (the log line keeps the exact name). */
void record_set_removed(struct totp_record *rec, int64_t when, const char *by);

/* Wipe the secret and everything else in rec. */
void record_wipe(struct totp_record *rec);

#endif
