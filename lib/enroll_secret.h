/* What every enrolment needs, whoever runs it: totp-enroll at a terminal
 * and the module inside a login (enroll=prompt). One source for the new
 * secret, the Key URI and its QR code, the grouped secret and the check
 * of the confirming code; the record is then written by store_file_create
 * (store.h) for both. */
#ifndef PAM_TOTP_ENROLL_SECRET_H
#define PAM_TOTP_ENROLL_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "otp.h"
#include "qr_term.h"
#include "record.h"
#include "uri.h"

#define ENROLL_TRIES 3          /* confirming codes asked before giving up */
#define ENROLL_RECOVERY_DEFAULT 10
#define ENROLL_URI_MAX 2048

/* A fresh record: random secret (20, 32 or 64 bytes for SHA1, SHA256,
 * SHA512), the parameters, created = now, nothing accepted yet. 0, or -1
 * when no random bytes could be had (rec is then wiped). */
int enroll_record_new(struct totp_record *rec, otp_alg alg, unsigned digits,
		     unsigned period, int64_t now);

/* enroll_uri's failures, so that each caller can word them its way. */
enum enroll_uri_error {
	ENROLL_URI_OK = 0,
	ENROLL_URI_TOO_LONG,   /* issuer or label too long */
	ENROLL_URI_ENCODE,     /* the secret cannot be encoded */
	ENROLL_URI_BUILD       /* no URI of these fields (unusable issuer or label) */
};

/* The secret as base32 (b32) and the otpauth:// URI (uri) of rec. issuer
 * NULL or empty: the host name; label NULL: USER@HOST. The issuer is
 * repeated as issuer= unless that makes the QR code, drawn as qr_kind with
 * `below` lines under it, too large for an 80x24 terminal. ou is filled
 * in (it holds the secret: wipe it). */
enum enroll_uri_error enroll_uri(const struct totp_record *rec, const char *issuer,
			       const char *label, const char *user, enum qr_term qr_kind,
			       int below, struct otp_uri *ou, char *b32, size_t b32_size,
			       char *uri, size_t uri_size);

/* b32 in groups of four separated by spaces ("ABCD EFGH IJ"), for typing
 * into an app by hand. -1 when out is too small. */
int enroll_group_secret(const char *b32, char *out, size_t out_size);

/* 1 when code (exactly rec->digits digits) is the code of a step in
 * [T - window, T + window] at Unix time now, with the largest such step
 * in *step; 0 when none; -1 on a crypto error. Constant time over the
 * steps. */
int enroll_code_matches(const struct totp_record *rec, int64_t now, unsigned window,
		       const char *code, int64_t *step);

/* The confirmed step counts as used: the confirming code cannot be
 * replayed at the next login, and the skew starts where the app is. */
void enroll_mark_confirmed(struct totp_record *rec, int64_t step, int64_t now);

#endif
