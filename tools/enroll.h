/* totp-enroll: make a TOTP secret, show it, confirm a code, write the
 * user's record. One file per job:
 *   enroll_main.c     the flow, start to end
 *   enroll_opts.c     command-line options and --help
 *   enroll_prompt.c   terminal input and the interrupt guard
 *   enroll_show.c     what the user sees: QR, secret, URI, recovery codes
 *   enroll_confirm.c  checking the typed code against the new secret
 *   enroll_db.c       the store's words for the tools, and the database's
 *                     --init-db, --import, --rotate-key */
#ifndef PAM_TOTP_ENROLL_H
#define PAM_TOTP_ENROLL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "enroll_secret.h"
#include "otp.h"
#include "record.h"
#include "recovery.h"
#include "conf.h"
#include "store.h"

/* Exit codes (documented in man/totp-enroll.1). */
enum {
	ENROLL_EXIT_OK = 0,           /* enrolled (record written) */
	ENROLL_EXIT_ERROR = 1,        /* config, user, randomness, file or write error */
	ENROLL_EXIT_USAGE = 2,        /* bad or refused options */
	ENROLL_EXIT_EXISTS = 3,       /* already enrolled and no --force */
	ENROLL_EXIT_UNCONFIRMED = 4,  /* three wrong codes or end of input */
	ENROLL_EXIT_SIGNAL = 128      /* + the signal number: 130 for Ctrl-C */
};


enum enroll_qr { ENROLL_QR_UTF8, ENROLL_QR_ANSI, ENROLL_QR_NONE };
/* Lines printed below the QR code: the prompt for the code. */
#define LINES_BELOW_QR 1

struct enroll_opts {
	const char *user;         /* --user: NULL for the caller */
	const char *issuer;       /* NULL: config issuer=, else the host name */
	const char *label;        /* NULL: user@host */
	otp_alg alg;
	unsigned digits;
	unsigned period;
	unsigned recovery;        /* number of recovery codes, 0..RECORD_RECOVERY_MAX */
	enum enroll_qr qr;
	const char *png;
	const char *svg;
	const char *conf;         /* --conf: like the module's conf= */
	const char *secret_path;  /* --secret-path: like the module's secret= */
	int force;
	int no_confirm;
	int quiet;
	int init_db;              /* --init-db: create the tables, nothing else */
	int import;               /* --import: move record files into the database */
	int rotate_key;           /* --rotate-key: re-seal the rows under db_key= */
	char **args;              /* the operands (--import's USER[=FILE]...) */
	int n_args;
};

/* enroll_opts.c: parse argv into o. 0: go on; 1: --help or --version was
 * printed (exit 0); -1: a bad option, already reported (exit 2). */
int enroll_opts_parse(int argc, char **argv, struct enroll_opts *o);

/* 1 when the parameters are not SHA1, 6 digits, 30 s: some apps would then
 * silently compute other codes. */
int enroll_opts_nonstandard(const struct enroll_opts *o);

/* enroll_prompt.c: until enroll_guard_release, SIGINT, SIGTERM and SIGHUP
 * wipe every registered buffer, remove every registered file, restore the
 * terminal and exit 128 + the signal number. */
void enroll_guard_begin(void);
void enroll_guard_wipe(void *p, size_t n);      /* at most 8 buffers */
void enroll_guard_file(const char *path);       /* at most 2 files */
/* From now on a signal no longer interrupts: the record is being written. */
void enroll_guard_release(void);
/* The failure path: remove the registered files (the secret in them is
 * never going to be valid). */
void enroll_guard_remove_files(void);

/* Print prompt, read one line from standard input (without the newline).
 * 1: a line; 0: end of input; -1: a read error. A line longer than size - 1
 * is read to its end and returned empty, so a tail cut off never makes a
 * valid code of the rest. */
int enroll_prompt_line(const char *prompt, char *buf, size_t size);

/* enroll_show.c */
/* What to do in the app, for the user: before the QR code, which comes
 * last, just above the prompt. */
void enroll_show_intro(const char *user, const struct totp_record *rec, int confirm);
/* Draw the QR code to fit the terminal (a narrower quiet zone when that
 * is enough), or say in one line that the window is too small. 0, or -1
 * when it cannot be drawn (reported). */
int enroll_show_qr(enum enroll_qr mode, const char *uri);
/* Whether uri's QR code, drawn as mode, fits an 80x24 terminal above the
 * prompt (--qr=ansi: 80 columns). */
int enroll_qr_fits_small_terminal(enum enroll_qr mode, const char *uri);
int enroll_write_qr_files(const struct enroll_opts *o, const char *uri);
void enroll_show_secret(const char *b32, int quiet);
void enroll_show_uri(const char *uri, int quiet);
void enroll_show_recovery(char codes[][RECOVERY_CODE_SIZE], size_t n);
void enroll_show_nonstandard_warning(const struct enroll_opts *o);

/* enroll_confirm.c */
/* Ask for the current code up to ENROLL_TRIES times. 0: confirmed at
 * *step; ENROLL_EXIT_UNCONFIRMED: three wrong codes or end of input;
 * ENROLL_EXIT_ERROR: a read or crypto error. */
int enroll_confirm(const struct totp_record *rec, unsigned window, int64_t *step);

/* enroll_db.c: the store for totp-enroll and totp-admin */
/* The PostgreSQL store's table for store_session_open: the linked one,
 * or NULL and err when built without libpq. */
const struct store_pg_api *enroll_db_api(char *err, size_t err_size);
/* config_check_db_password with libpq's reading of cfg->db (totp-admin
 * check, which reads the configuration itself). */
int enroll_db_check_password(const struct totp_config *cfg, char *err, size_t err_size);
/* Why the store cannot take a new record for user (store_can_create), in
 * the tools' words. */
void enroll_create_why_text(const struct store_create_why *why, const char *user, char *err,
			    size_t err_size);
/* With a store that has them (store->admin; exit codes as above):
 * --init-db, --rotate-key (every row sealed under db_key_old= re-sealed
 * under key, which names db_key=), --import (args: USER or USER=FILE; one
 * transaction, refusing users with a row; the files read as cfg says). */
int enroll_db_init(struct store_session *store, int quiet);
int enroll_db_rotate(struct store_session *store, const char *key, int quiet);
int enroll_db_import(struct store_session *store, const struct totp_config *cfg, int n,
		     char **args, int quiet);

#endif
