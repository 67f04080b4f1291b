/* Where records live. A session of the configured store
 * (store_session_open, below) opens a user's record, locked (store_open);
 * one login is then store_read, store_write_state or store_rewrite, and
 * store_close (unlocks). The file store is the embedded default; the
 * PostgreSQL store (store_pg.c, built when configure finds libpq)
 * implements the same two small tables of operations, so login.c, the
 * module, the tools and verify never know which one they talk to. */
#ifndef PAM_TOTP_STORE_H
#define PAM_TOTP_STORE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "conf.h"
#include "record.h"

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND,   /* no record for this user */
	STORE_ERROR,       /* anything else: unsafe, unreadable, malformed, I/O */
	STORE_UNAVAILABLE, /* no server of the database could be reached
	                      (refused, no route, no socket, no answer to the
	                      connect, no answer from the resolver): nothing
	                      was decided, nothing was written. A server that
	                      was reached and cannot serve (full, busy, a lock
	                      not granted in time, a standby) is STORE_ERROR */
	STORE_REMOVED,     /* store_read: a tombstone (totp-admin remove) in the
	                      record's place. No record to log in with, never to
	                      be enrolled over at a login: rec carries only
	                      removed, removed_at and removed_by */
	STORE_PENDING      /* store_read: an enrolment at login shown and not yet
	                      confirmed (rec->pending_until set). rec is whole,
	                      secret included, and never good for a login; the
	                      record may be rewritten or removed as after STORE_OK */
};

struct store_user {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
};

/* What each store implements. The four calls of one login, in order:
 * read once, then at most one of write_state and rewrite, then close.
 * write_state and rewrite make the change durable before returning 0 (the
 * file store syncs, the database store commits); close releases the lock
 * and drops anything not yet made durable. The file store's write_state
 * releases the lock itself, after its write and before its sync. */
struct totp_store;
struct store_ops {
	const char *name;  /* "file", "postgresql": for the log */
	enum store_status (*read)(struct totp_store *s, struct totp_record *rec,
				  char *err, size_t err_size);
	enum store_status (*write_state)(struct totp_store *s, const struct totp_record *rec,
					 const struct totp_state *next, char *err,
					 size_t err_size);
	enum store_status (*rewrite)(struct totp_store *s, const struct totp_record *rec,
				     char *err, size_t err_size);
	void (*close)(struct totp_store *s);
	enum store_status (*remove)(struct totp_store *s, char *err, size_t err_size);
	enum store_status (*mark_removed)(struct totp_store *s, int64_t when, const char *by,
					  char *err, size_t err_size);
};

/* Every store's own structure starts with this. */
struct totp_store {
	const struct store_ops *ops;
};

/* Open and lock the record at path (already expanded from the template).
 * in_home: the record is in the user's home: access it with the user's
 * file-system identity and require the user's ownership; otherwise it
 * must be root's (the administrator's store). Waits at most lock_timeout seconds
 * for the lock. On STORE_OK *out must be closed with store_close. */
enum store_status store_file_open(const char *path, const struct store_user *user,
				  int in_home, unsigned lock_timeout,
				  struct totp_store **out, char *err, size_t err_size);

/* Read and parse the locked record: STORE_OK, STORE_REMOVED for a
 * tombstone (err says when and by whom; nothing may be written after it
 * but store_mark_removed or store_remove), or STORE_ERROR or
 * STORE_UNAVAILABLE. */
enum store_status store_read(struct totp_store *s, struct totp_record *rec,
			     char *err, size_t err_size);

/* Store next as the newest state, durably. next->seq is set here
 * (current + 1). The file store overwrites the older slot in place.
 * STORE_OK, STORE_ERROR or STORE_UNAVAILABLE. */
enum store_status store_write_state(struct totp_store *s, const struct totp_record *rec,
				    const struct totp_state *next, char *err,
				    size_t err_size);

/* Replace the whole record (enrolment part changed) atomically and
 * durably (file store: temporary file, fsync, rename, directory fsync). On
 * failure the old record is intact and no temporary file is left. */
enum store_status store_rewrite(struct totp_store *s, const struct totp_record *rec,
				char *err, size_t err_size);

/* Delete the locked record (totp-admin remove), durably: the file store
 * unlinks it and syncs the directory, the database store DELETEs the row
 * and COMMITs. A login waiting for the lock then finds no record. Needs
 * no store_read first: a record too broken to parse can still be removed.
 * STORE_OK, STORE_ERROR or STORE_UNAVAILABLE. */
enum store_status store_remove(struct totp_store *s, char *err, size_t err_size);

/* Put a tombstone of WHEN and BY (record_set_removed) in the locked
 * record's place (totp-admin remove), atomically and durably as
 * store_rewrite: the file store by the same temporary file and rename,
 * the record's owner and mode 0600; the database store in the record
 * column, sealed as a record is, its state columns reset, then COMMIT.
 * Needs no store_read first. A login waiting for the lock then finds
 * the tombstone. STORE_OK, STORE_ERROR or STORE_UNAVAILABLE. */
enum store_status store_mark_removed(struct totp_store *s, int64_t when, const char *by,
				     char *err, size_t err_size);

/* Unlock, close, restore the file-system identity (file store); roll back
 * what was not committed and disconnect (database store). NULL is fine. */
void store_close(struct totp_store *s);

/* The rule for the directory of records outside the home (the
 * administrator's store): a directory owned by root that only root may
 * write, since whoever may write it may replace the records in it. */
struct stat;
int store_file_root_dir_safe(const struct stat *st);

/* Write a new record at path (enrolment). With replace == 0 an existing
 * record is never overwritten (-1, errno EEXIST). Same atomic, durable
 * path as store_rewrite; the file gets owner uid/gid and mode 0600. */
int store_file_create(const char *path, const struct totp_record *rec,
		      uid_t uid, gid_t gid, int replace, char *err, size_t err_size);

/* ---- one store, chosen once ----
 *
 * Everything a login, an enrolment or a tool does with "the store" goes
 * through a struct store_session: store_session_open(cfg) looks at
 * store= (the one place outside option parsing that does) and returns
 * the file store's session or the PostgreSQL store's. The file store
 * expands secret= for each user, takes the user's file-system identity
 * for a record in the home and keeps the rules of the root-only
 * directory; the PostgreSQL store reads db=, db_timeout=, db_key=,
 * db_key_old= and db_insecure_transport= once, here, and connects at
 * the first call that needs the database: one connection for a login
 * (the nullok check, the login's transaction, an enrolment's insert),
 * a second one only when the server dropped the first while the user
 * typed. store_session_disconnect lets the connection go (before every
 * prompt: nothing of the database waits on a person) and the next call
 * connects again, unless connecting failed: that failure is kept, so a
 * login does not wait for the database twice. The file store keeps the
 * last user's expanded path: a login asks for it several times. */

/* can_create's flags: at a login (the record must be outside the home,
 * its directory must exist), or by a tool (in the home as the user;
 * outside it root only, the directory made when missing). */
#define STORE_CREATE_AT_LOGIN 1u
#define STORE_CREATE_NOT_ROOT (-2)
enum store_create_reason {
	STORE_CREATE_OK = 0,
	STORE_CREATE_BAD_PATH,      /* secret= does not expand (text: err) */
	STORE_CREATE_IN_HOME,       /* at a login: the record would be in the home */
	STORE_CREATE_ONLY_ROOT,     /* outside the home, by someone not root */
	STORE_CREATE_NO_PARENT,     /* the directory's parent does not exist */
	STORE_CREATE_CANNOT_MAKE,   /* mkdir failed (errno) */
	STORE_CREATE_CANNOT_LOOK,   /* lstat or stat failed (errno) */
	STORE_CREATE_UNSAFE,        /* not root's alone to write */
	STORE_CREATE_MISSING,       /* in the home: the directory does not exist */
	STORE_CREATE_NOT_DIR,
	STORE_CREATE_FOREIGN,       /* in the home: owned by neither root nor the user */
	STORE_CREATE_ANYONE,        /* in the home: anyone may write it, not sticky */
	STORE_CREATE_NOT_WRITABLE,  /* not writable with the identity that writes (errno) */
	STORE_CREATE_NO_IDENTITY,   /* the user's file-system identity not taken */
	STORE_CREATE_NOT_ABSOLUTE
};
struct store_create_why {
	enum store_create_reason reason;
	int err_no;                 /* errno, for the reasons that have one */
	int in_home;                /* the record would be in the user's home */
	char dir[PATH_MAX];         /* the directory (NO_PARENT: its parent) */
	char err[512];              /* BAD_PATH's text */
};

struct store_session;
struct store_session_ops {
	/* STORE_OK when u has a record (a tombstone or a pending one
	 * included), STORE_NOT_FOUND when certainly not, else an error
	 * (err; the file store keeps errno). Takes no lock. */
	enum store_status (*exists)(struct store_session *s, const struct store_user *u,
				    char *err, size_t err_size);
	/* Open and lock u's record (store_file_open, or the row SELECTed FOR
	 * UPDATE in a transaction); on STORE_OK close *out with store_close. */
	enum store_status (*open)(struct store_session *s, const struct store_user *u,
				  struct totp_store **out, char *err, size_t err_size);
	/* Write rec as u's new record, durably: never over one unless
	 * replace (STORE_ERROR, errno EEXIST). The file store writes through
	 * store_file_create, the user's and with their identity in the home,
	 * root's elsewhere; the database store INSERTs (replace: or
	 * overwrites) in a transaction of its own. */
	enum store_status (*create)(struct store_session *s, const struct store_user *u,
				    const struct totp_record *rec, int replace, char *err,
				    size_t err_size);
	/* Before an enrolment shows a secret: whether the store can take u's
	 * new record (flags STORE_CREATE_*). 0, STORE_CREATE_NOT_ROOT (the file
	 * store outside the home asked by someone not root), else -1; err
	 * says why. The words are the tools' or the log's (flags), so each
	 * reason comes back as a code with its directory: see
	 * store_create_why. */
	int (*can_create)(struct store_session *s, const struct store_user *u, unsigned flags,
			  struct store_create_why *why);
	/* Where u's record is, in words (STORE_WHERE_*) into out: 1 in u's
	 * home, 0 elsewhere, -1 (out "?", err set) when the file store cannot
	 * expand secret= for u. */
	int (*where)(struct store_session *s, const struct store_user *u, int style, char *out,
		     size_t size, char *err, size_t err_size);
	/* The names of all users with a record, sorted, when the store names
	 * its records (the database's rows); *names NULL and *n 0 with
	 * STORE_OK when it does not (the file store: the caller walks passwd
	 * and asks exists). Free with store_free_names. */
	enum store_status (*users)(struct store_session *s, char ***names, size_t *n,
				   char *err, size_t err_size);
	void (*disconnect)(struct store_session *s);
	void (*free)(struct store_session *s);
};

/* What a store tells its callers about itself. */
#define STORE_NAMES_RECORDS 1u        /* records named by user, not by a passwd
                                         entry: a user unknown here may have one */
#define STORE_CAUTION_INSECURE 2u     /* db_insecure_transport=yes */
#define STORE_CAUTION_CLEAR 4u        /* db_key=none: the rows in the clear */

/* What a login read of its user's record before the prompt, when that
 * answer decides the login without a write: an enrolment at login never
 * confirmed (STORE_PENDING) or a tombstone (STORE_REMOVED). lib/login.c
 * keeps it here, so the attempt after the prompt need not read again; a
 * record to verify is always read again under the lock. No secret. */
struct store_seen {
	char user[LOGIN_NAME_MAX + 1];    /* "": nothing kept */
	enum store_status st;
	int64_t removed_at;
	char removed_by[RECORD_REMOVED_BY_MAX + 1];
	char reason[256];
};

struct store_admin_ops;
struct store_session {
	const struct store_session_ops *ops;
	const struct store_admin_ops *admin; /* what only this store does, or NULL */
	unsigned flags;                   /* STORE_NAMES_RECORDS, STORE_CAUTION_* */
	struct store_seen seen;           /* lib/login.c's, see struct store_seen */
};

/* store_where's styles: the administrator's (a path, or
 * "postgresql: pam_totp_records"), the module's log ("record PATH", "row
 * in pam_totp_records"), totp-enroll's ("PATH", "its row in
 * pam_totp_records"). */
enum { STORE_WHERE_ADMIN, STORE_WHERE_LOG, STORE_WHERE_ENROLL };

/* A loader of the PostgreSQL store's table: the module's dlopen of the
 * plugin (pam_module/pg_plugin.c), the tools' linked table. NULL with err
 * when there is none. */
struct store_pg_api;
typedef const struct store_pg_api *(*store_pg_loader)(char *err, size_t err_size);

/* The session of the store cfg names; nothing connects yet. For
 * store=postgresql: the table from load, and db='s password judged by
 * config_check_db_password with libpq's reading. 0, or -1 with err: a
 * configuration or installation error, the same for every user. cfg must
 * outlive the session. */
int store_session_open(const struct totp_config *cfg, store_pg_loader load,
		       struct store_session **out, char *err, size_t err_size);
/* For a store's constructor: a zeroed structure of size bytes that
 * starts with struct store_session, its ops set, in *out. The structure,
 * or NULL (out of memory, err set). */
void *store_session_alloc(size_t size, const struct store_session_ops *ops,
			  struct store_session **out, char *err, size_t err_size);
/* Disconnect and free; NULL is fine. */
void store_session_close(struct store_session *s);

/* The calls of the table (each checks nothing more). */
enum store_status store_exists(struct store_session *s, const struct store_user *u,
			       char *err, size_t err_size);
enum store_status store_open(struct store_session *s, const struct store_user *u,
			     struct totp_store **out, char *err, size_t err_size);
enum store_status store_create(struct store_session *s, const struct store_user *u,
			       const struct totp_record *rec, int replace, char *err,
			       size_t err_size);
int store_can_create(struct store_session *s, const struct store_user *u, unsigned flags,
		     struct store_create_why *why);
int store_where(struct store_session *s, const struct store_user *u, int style, char *out,
		size_t size, char *err, size_t err_size);
enum store_status store_users(struct store_session *s, char ***names, size_t *n, char *err,
			      size_t err_size);
void store_free_names(char **names, size_t n);
/* NULL is fine. */
void store_session_disconnect(struct store_session *s);

/* The file store's session (store_file_session.c): what
 * store_session_open returns for store=file, and what totp-enroll
 * --import reads the files with whatever store= says. */
int store_file_session_new(const struct totp_config *cfg, struct store_session **out,
			   char *err, size_t err_size);

/* ---- the PostgreSQL store (store_pg.c; only when built with libpq) ----
 *
 * Every call works within db_timeout seconds: connecting, waiting for the
 * user's row lock and each statement share one deadline, bounded on the
 * client side too, so a server that stops answering cannot hang a login.
 * While connecting, the caller's PG* and KRB5* variables and HOME are set
 * aside: a user running a set-uid program that uses PAM must not choose
 * the database the module trusts.
 *
 * The record holds the user's secret: over TCP a connection is made only
 * with sslmode=verify-full (the server's certificate signed by the CA of
 * sslrootcert and naming the host), unless db_insecure_transport=yes.
 * Unix sockets need no TLS. A connection refused for this is a
 * configuration error (STORE_ERROR), never "unavailable".
 *
 * db_key= (empty: none) names the key file (seal.h): with it the record
 * column is written sealed (AES-256-GCM, the user name bound) and must be
 * sealed when read: a row in the clear is refused, as is a sealed row
 * without a key. A key file that does not load is a configuration error
 * (STORE_ERROR). db_key_old=, beside a key, opens rows sealed under the
 * previous key while a rotation is under way; nothing is sealed under it. */
#define STORE_PG_SCHEMA_VERSION 1

/* What only the database store does (its session's admin), for
 * totp-enroll --init-db, --rotate-key and --import. */
struct store_admin_ops {
	/* Create the tables (sql/pam_totp.sql) unless they exist, check the
	 * schema version, make the key file when missing and seal the rows
	 * in the clear. */
	enum store_status (*init)(struct store_session *s, char *err, size_t err_size);
	/* Re-seal under db_key=, in one transaction, every row not sealed
	 * under it: rows sealed under db_key_old= (required) and rows in the
	 * clear. A row sealed under any other key stops it (STORE_ERROR,
	 * naming the user and the key id): nothing changes. *resealed: the
	 * rows changed. */
	enum store_status (*rotate_key)(struct store_session *s, size_t *resealed, char *err,
					size_t err_size);
	/* Insert n records in one transaction: all or none. A user who
	 * already has a row (or appears twice) fails the whole insert with
	 * STORE_ERROR and errno EEXIST, naming the user in err. */
	enum store_status (*insert_all)(struct store_session *s, const char *const users[],
					const struct totp_record *const recs[], size_t n,
					char *err, size_t err_size);
};
/* What the module needs of the PostgreSQL store, as one table. pam_totp.so
 * does not link libpq: with store=postgresql it loads the plugin
 * pam_totp_pg.so from its own directory (pam_module/pg_plugin.c), which
 * exports this table and nothing else. The tools link store_pg.c and use
 * the table directly. version is the build's PACKAGE_VERSION: the module
 * refuses a plugin of another build, whose record layout (and struct
 * totp_config) may differ. A change to this structure or to what its
 * calls mean needs a new symbol name (_v7): v6 made the store a session
 * (struct store_session) read from the configuration once. */
#define STORE_PG_PLUGIN "pam_totp_pg.so"
#define STORE_PG_API_SYMBOL "pam_totp_store_pg_v6"
struct store_pg_api {
	const char *version;
	/* The session of cfg's database: nothing connects yet. */
	int (*session_new)(const struct totp_config *cfg, struct store_session **out,
			   char *err, size_t err_size);
	/* Whether conninfo sets a password, as libpq reads it
	 * (PQconninfoParse, which decodes %-escapes in a URI): 1 yes, 0 no,
	 * -1 libpq cannot parse it. A dbname that is itself a connection
	 * string is read too. For config_check_db_password. */
	int (*db_has_password)(const char *conninfo);
};
extern const struct store_pg_api pam_totp_store_pg_v6;

#endif
