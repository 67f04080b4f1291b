/* Where records live. One login is: open (opens and locks the user's
 * record: store_file_open or store_pg_open), store_read, then
 * store_write_state or store_rewrite, then store_close (unlocks). The file
 * store is the embedded default; the PostgreSQL store (store_pg.c, built
 * when configure finds libpq) implements the same calls through the same
 * small table of operations, so login.c and verify never know which one
 * they talk to. */
#ifndef PAM_TOTP_STORE_H
#define PAM_TOTP_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
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

/* ---- the PostgreSQL store (store_pg.c; only when built with libpq) ----
 *
 * conninfo is a libpq connection string or URI (it may name a service:
 * "service=NAME"). Every call works within timeout seconds: connecting,
 * waiting for the user's row lock and each statement share one deadline,
 * bounded on the client side too, so a server that stops answering cannot
 * hang a login. While connecting, the caller's PG* and KRB5* variables and
 * HOME are set aside: a user running a set-uid program that uses PAM must
 * not choose the database the module trusts.
 *
 * The record holds the user's secret: over TCP a connection is made only
 * with sslmode=verify-full (the server's certificate signed by the CA of
 * sslrootcert and naming the host), unless insecure_transport is set
 * (db_insecure_transport=yes). Unix sockets need no TLS. A connection
 * refused for this is a configuration error (STORE_ERROR), never
 * "unavailable".
 *
 * key_path (db_key=; NULL or empty: none) names the key file (seal.h):
 * with it the record column is written sealed (AES-256-GCM, the user name
 * bound) and must be sealed when read: a row in the clear is refused, as
 * is a sealed row without a key. A key file that does not load is a
 * configuration error (STORE_ERROR). old_key_path (db_key_old=; NULL or
 * empty: none), beside a key, opens rows sealed under the previous key
 * while a rotation (store_pg_rotate_key) is under way; nothing is sealed
 * under it. */
#define STORE_PG_SCHEMA_VERSION 1

/* One login's transaction: connect, BEGIN, SELECT the user's row FOR
 * UPDATE. The next store_write_state or store_rewrite UPDATEs and
 * COMMITs; store_close rolls back whatever was not committed. */
enum store_status store_pg_open(const char *conninfo, unsigned timeout,
				int insecure_transport, const char *key_path, const char *user,
				struct totp_store **out, char *err, size_t err_size);

/* Whether user has a row (STORE_OK) or not (STORE_NOT_FOUND). */
enum store_status store_pg_exists(const char *conninfo, unsigned timeout,
				  int insecure_transport, const char *key_path, const char *user,
				  char *err, size_t err_size);

/* One connection for a whole login: the nullok check before the prompt,
 * the login's transaction, a re-synchronisation's second transaction all
 * use it, so a login opens one connection (a second only when the server
 * dropped the first while the user typed). Each transaction gets timeout
 * seconds, the first one shared with connecting. store_pg_connect's
 * failure is final for the session: the caller does not try again. A
 * store opened on a session is closed with store_close (ROLLBACK of what
 * was not committed, the connection kept) before store_pg_disconnect. */
struct pg_session;
enum store_status store_pg_connect(const char *conninfo, unsigned timeout,
				   int insecure_transport, const char *key_path,
				   const char *old_key_path,
				   struct pg_session **out, char *err, size_t err_size);
enum store_status store_pg_session_exists(struct pg_session *sess, const char *user,
					  char *err, size_t err_size);
enum store_status store_pg_session_open(struct pg_session *sess, const char *user,
					struct totp_store **out, char *err, size_t err_size);
/* Create user's row from rec on the session, in a transaction of its own
 * (enroll=prompt): store_pg_insert's statement, never an overwrite. A row
 * that exists, or one another login inserts meanwhile, fails it with
 * STORE_ERROR and errno EEXIST. The PAM role needs INSERT on
 * pam_totp_records for it. */
enum store_status store_pg_session_insert(struct pg_session *sess, const char *user,
					  const struct totp_record *rec, char *err,
					  size_t err_size);
void store_pg_disconnect(struct pg_session *sess);

/* Insert n records in one transaction: all or none. Without replace a
 * user who already has a row (or appears twice) fails the whole insert
 * with STORE_ERROR and errno EEXIST, naming the user in err; with replace
 * an existing row is overwritten (re-enrolment). The state columns come
 * from each rec->state. */
enum store_status store_pg_insert(const char *conninfo, unsigned timeout,
				  int insecure_transport, const char *key_path,
				  const char *const users[],
				  const struct totp_record *const recs[], size_t n,
				  int replace, char *err, size_t err_size);

/* The names of all users with a row, sorted (totp-admin list). *names is
 * malloc'ed, n strings each malloc'ed: free with store_pg_free_users. */
enum store_status store_pg_users(const char *conninfo, unsigned timeout, int insecure_transport,
				 char ***names, size_t *n, char *err, size_t err_size);
void store_pg_free_users(char **names, size_t n);

/* Whether conninfo sets a password, as libpq reads it (PQconninfoParse,
 * which decodes %-escapes in a URI): 1 yes, 0 no, -1 libpq cannot parse
 * it. A dbname that is itself a connection string is read too. For
 * config_check_db_password. */
int store_pg_db_has_password(const char *conninfo);

/* Create the tables (sql/pam_totp.sql) unless they exist, and check the
 * schema version. */
enum store_status store_pg_init_db(const char *conninfo, unsigned timeout,
				   int insecure_transport, const char *key_path,
				   char *err, size_t err_size);

/* Re-seal under key_path, in one transaction, every row not sealed under
 * it: rows sealed under old_key_path (db_key_old=, required) and rows in
 * the clear. A row sealed under any other key stops it (STORE_ERROR,
 * naming the user and the key id): nothing changes. The rows are locked
 * until the COMMIT; logins of those users wait meanwhile. *resealed is
 * the number of rows changed. */
enum store_status store_pg_rotate_key(const char *conninfo, unsigned timeout,
				      int insecure_transport, const char *key_path,
				      const char *old_key_path, size_t *resealed,
				      char *err, size_t err_size);

/* What a login needs of the PostgreSQL store, as one table. pam_totp.so
 * does not link libpq: with store=postgresql it loads the plugin
 * pam_totp_pg.so from its own directory (pam_module/pg_plugin.c), which
 * exports this table and nothing else. The tools link store_pg.c and may
 * use the table directly. version is the build's PACKAGE_VERSION: the
 * module refuses a plugin of another build, whose record layout may
 * differ. A change to this structure or to what its calls mean needs a
 * new symbol name (_v6): v5 added STORE_REMOVED and store_mark_removed. */
#define STORE_PG_PLUGIN "pam_totp_pg.so"
#define STORE_PG_API_SYMBOL "pam_totp_store_pg_v5"
struct store_pg_api {
	const char *version;
	enum store_status (*connect)(const char *conninfo, unsigned timeout,
				     int insecure_transport, const char *key_path,
				     const char *old_key_path,
				     struct pg_session **out, char *err, size_t err_size);
	enum store_status (*exists)(struct pg_session *sess, const char *user,
				    char *err, size_t err_size);
	enum store_status (*open)(struct pg_session *sess, const char *user,
				  struct totp_store **out, char *err, size_t err_size);
	enum store_status (*insert)(struct pg_session *sess, const char *user,
				    const struct totp_record *rec, char *err, size_t err_size);
	void (*disconnect)(struct pg_session *sess);
	int (*db_has_password)(const char *conninfo);
};
extern const struct store_pg_api pam_totp_store_pg_v5;

#endif
