/* totp-admin: see, unlock, remove, reset and import enrolments, on the file store
 * and the PostgreSQL store, through the same lock and record writer as a
 * login (lib/login.c opens, lib/store*.c write). One file per job:
 *   admin_main.c     options, the commands, exit codes
 *   admin_users.c    who: passwd, groups, the database's users; opening
 *                    a user's record as a login does
 *   admin_show.c     list and status, as text and as JSON; the escaping
 *                    of everything shown that came from users
 *   admin_change.c   unlock, remove and reset (audit.c: their syslog lines)
 *   admin_import.c   import-ga and import-oath: reading the files safely
 *                    (lib/ga_file.c and lib/oath_file.c parse them) and
 *                    writing new records as totp-enroll does
 *   admin_check*.c   check: the deployment checker (admin_check.h) */
#ifndef PAM_TOTP_ADMIN_H
#define PAM_TOTP_ADMIN_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit.h"
#include "conf.h"
#include "login.h"
#include "record.h"
#include "store.h"

/* Exit codes (documented in man/totp-admin.8). */
enum {
	ADMIN_EXIT_OK = 0,
	ADMIN_EXIT_ERROR = 1,       /* a store, record or system error */
	ADMIN_EXIT_USAGE = 2,       /* bad options */
	ADMIN_EXIT_NO_RECORD = 3,   /* the user is not enrolled (or unknown, or removed) */
	ADMIN_EXIT_REFUSED = 4,     /* import: some users refused (the rest went on) */
	ADMIN_EXIT_NOT_CONFIRMED = 5, /* remove or reset: not confirmed */
	ADMIN_EXIT_DANGER = 6       /* check: a danger found */
};

#define ADMIN_NAME_MAX 256

struct admin_ctx {
	struct totp_config cfg;             /* the module's, lock and db timeouts raised */
	struct store_session *store;        /* the configured store, for the whole run */
	char admin[ADMIN_NAME_MAX];         /* who runs this, for the log */
	int json;
	int dry_run;
	int64_t now;
};

/* A user as the store knows them. */
struct admin_user {
	char name[ADMIN_NAME_MAX];
	char home[PATH_MAX];
	struct store_user su;
	int known;                          /* has a passwd entry */
};

/* What list and status show: the record without its secret. */
struct admin_summary {
	char user[ADMIN_NAME_MAX];
	char where[PATH_MAX + 64];          /* the file, or the database table */
	int in_home;                        /* where is in the user's home */
	enum store_status st;               /* STORE_OK: the fields below are valid */
	char error[512];                    /* otherwise: why */
	int64_t removed_at;                 /* STORE_REMOVED: the tombstone's */
	char removed_by[RECORD_REMOVED_BY_MAX + 1];
	int64_t pending_until;              /* STORE_NOT_FOUND: an enrolment at login
	                                       shown and never confirmed, void from then
	                                       (0: none) */
	otp_alg alg;
	unsigned digits, period;
	int64_t last_step;
	uint32_t failures;
	int64_t locked_until;
	size_t recovery_left;
	int enrolled_at_login;              /* enrolled= in the record */
	char enrolled_service[RECORD_ORIGIN_SERVICE_MAX + 1];
	char enrolled_rhost[RECORD_ORIGIN_RHOST_MAX + 1];
};

/* admin_users.c */
/* Fill u from passwd; with the PostgreSQL store an unknown name is fine
 * (the row names the user), with the file store it is not. -1 after a
 * message when the user cannot be used. */
int admin_user_find(const struct admin_ctx *c, const char *name, struct admin_user *u);
/* Where u's record is (a path, or the table): 1 in u's home, else 0. */
int admin_user_where(const struct admin_ctx *c, const struct admin_user *u, char *out,
		     size_t size);
/* Open and lock u's record as a login does. */
enum store_status admin_open(const struct admin_ctx *c, const struct admin_user *u,
			     struct totp_store **store, char *err, size_t err_size);
/* Every user that has a record (file store: every passwd entry whose
 * record exists or cannot be told missing; database: every row), sorted by
 * name. *users is malloc'ed. -1 after a message. */
int admin_enrolled(const struct admin_ctx *c, struct admin_user **users, size_t *n);
/* Users without a record: with group, that group's members (primary and
 * listed); else the human accounts (UID_MIN..UID_MAX of /etc/login.defs). */
int admin_unenrolled(const struct admin_ctx *c, const char *group, struct admin_user **users,
		     size_t *n);
/* The record of u summarised (no secret): st tells whether it was read. */
void admin_summarise(const struct admin_ctx *c, const struct admin_user *u,
		     struct admin_summary *s);
/* The state a summary is in: "ok", "locked", "disabled", "removed" (a
 * tombstone) or "error". */
const char *admin_state_name(const struct admin_ctx *c, const struct admin_summary *s);

/* admin_show.c */
/* s as it may go to the administrator's terminal: text_escape's form,
 * every byte outside printable ASCII (control characters, ESC, DEL, C1,
 * any non-ASCII) and the backslash as \xHH, so that it cannot send the
 * terminal an escape sequence or pass for other output. For every string
 * totp-admin prints on stdout or stderr that it did not write itself: user
 * names (passwd, the command line, a usersfile, a database row), group
 * names, paths (a home is the user's), error messages (they quote paths
 * and the lines of users' files), a record's enrolled= fields. Each call
 * returns one of ADMIN_ESC_SLOTS buffers in turn: at most that many in one
 * printf. */
#define ADMIN_ESC_SLOTS 4
const char *admin_esc(const char *s);
int admin_list(const struct admin_ctx *c, int only_locked, int only_disabled);
int admin_status(const struct admin_ctx *c, const char *user);
int admin_missing(const struct admin_ctx *c, const char *group);
/* A JSON string on stdout, all ASCII (admin_show.c). */
void json_string(const char *s);

/* admin_import.c: exit codes as above; ADMIN_EXIT_REFUSED when some
 * users were refused and the rest imported. */
int admin_import_ga(const struct admin_ctx *c, char **names, int n, int all);
int admin_import_oath(const struct admin_ctx *c, const char *file);

/* admin_change.c */
int admin_unlock(const struct admin_ctx *c, const char *user);
/* remove: a tombstone in the record's place, which keeps enrolment at
 * login closed (a record in the home is deleted); reset: the record or
 * the tombstone deleted, so the next login may enrol. Both ask first
 * unless yes. */
int admin_remove(const struct admin_ctx *c, const char *user, int yes);
int admin_reset(const struct admin_ctx *c, const char *user, int yes);

/* admin_check.c: totp-admin check, which needs no store and reads the
 * configuration itself (a broken one is a finding, not an error). */
struct admin_check_opts {
	const char *pam_dir;      /* NULL: /etc/pam.d */
	const char *conf;         /* NULL: the default config file */
	const char *sshd_config;  /* read this sshd_config instead of running sshd -T */
	const char *sshd_t;       /* saved output of sshd -T (for tests) */
	int json;
};
int admin_check(const struct admin_check_opts *o);

#endif
