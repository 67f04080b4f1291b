/* The PostgreSQL store: one row per user, one login one transaction.
 *
 *   open         connect; BEGIN; SET LOCAL statement_timeout and
 *                idle_in_transaction_session_timeout; SELECT the row FOR
 *                UPDATE (other logins of this user, on any host, wait
 *                here), which also cuts the idle timeout to what is left
 *                of the deadline
 *   read         the enrolment part through record_parse, the state from
 *                the columns
 *   write_state  UPDATE the state columns; COMMIT
 *   rewrite      UPDATE the record and the state; COMMIT
 *   close        ROLLBACK of anything uncommitted (a pooler keeps its
 *                server connection); the connection stays for the rest of
 *                the login (struct pg_session: one connection per login)
 *
 * Queries are parameterised ($1...), never built from strings. Every wait
 * (connect, each reply) is bounded by one deadline on the client side; the
 * server's statement_timeout ends a lock wait at the same deadline, and its
 * idle_in_transaction_session_timeout ends the session of a client that
 * stops between statements (a stopped process, a paused VM, a cut TCP
 * connection) by the same deadline, so the row lock is never held past it. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "pg_connect.h"
#include "record.h"
#include "schema_sql.h"
#include "seal.h"
#include "secure.h"
#include "store.h"

/* Time for the server's own statement_timeout error to arrive after the
 * deadline, before the client gives up on a server that stopped answering. */
#define GRACE_MS 500

struct pg_store {
	struct totp_store base;       /* first: the interface */
	struct pg_session *session;
	PGconn *conn;                 /* the session's */
	struct timespec deadline;     /* CLOCK_MONOTONIC */
	char *user;
	PGresult *row;                /* the locked row, until read */
	int read_ok;
	uint64_t seq;
};

/* The key of db_key= into *k; 0 none configured, 1 loaded, -1 (err set)
 * a key file that does not load: a configuration error. */
static int
key_load(const char *key_path, struct seal_key *k, char *err, size_t err_size)
{
	char why[512];

	if (key_path == NULL || key_path[0] == '\0')
		return 0;
	if (seal_key_load(key_path, k, why, sizeof(why)) != 0) {
		pg_set_err(err, err_size, "db_key", why);
		return -1;
	}
	return 1;
}

/* The record column's text for user: the enrolment part, sealed under
 * key when there is one. *text is malloc'ed; the caller wipes and frees
 * it. */
static int enrollment_text(const struct totp_record *rec, char **text);
static int
row_text(const struct seal_key *key, const char *user, const struct totp_record *rec,
	 char **text, char *err, size_t err_size)
{
	char *plain, why[256];
	size_t len;
	int rc;

	if (enrollment_text(rec, &plain) != 0) {
		snprintf(why, sizeof(why), "cannot format the record of %s", user);
		pg_set_err(err, err_size, why, NULL);
		return -1;
	}
	if (key == NULL) {
		*text = plain;
		return 0;
	}
	len = strlen(plain);
	rc = seal_text(key, user, plain, len, text, why, sizeof(why));
	if (rc != 0)
		pg_set_err(err, err_size, why, NULL);
	secure_wipe(plain, len);
	free(plain);
	return rc;
}

/* Parse the record column of user's row into rec, opening it with key,
 * or with old (db_key_old=, may be NULL) when the row names that key: a
 * rotation under way. A sealed row without a key, or a row in the clear
 * with one, is refused. record_parse's answer: 0, RECORD_REMOVED (a
 * tombstone, err saying so), RECORD_PENDING (an enrolment not yet
 * confirmed, rec whole, err saying so) or -1 (err set). */
static int
row_record(const struct seal_key *key, const struct seal_key *old, const char *user,
	   const char *text, struct totp_record *rec, char *err, size_t err_size)
{
	char perr[256] = "", *plain = NULL;
	size_t len;
	int rc;

	if (key != NULL && old != NULL && seal_by_key(old, text))
		key = old;
	if (key == NULL && seal_is_sealed(text)) {
		pg_set_err(err, err_size, "row of pam_totp_records is sealed",
			   "set db_key= to the fleet's key file");
		return -1;
	}
	if (key != NULL && !seal_is_sealed(text)) {
		pg_set_err(err, err_size, "row of pam_totp_records is not sealed (db_key= is set)",
			   "run totp-enroll --init-db with db_key= set to seal it");
		return -1;
	}
	if (key != NULL && seal_open(key, user, text, &plain, &len, perr, sizeof(perr)) != 0) {
		pg_set_err(err, err_size, "row of pam_totp_records refused", perr);
		return -1;
	}
	rc = record_parse(plain != NULL ? plain : text, plain != NULL ? len : strlen(text), rec,
			  perr, sizeof(perr));
	if (rc == RECORD_REMOVED || rc == RECORD_PENDING)
		pg_set_err(err, err_size, "row of pam_totp_records", perr);
	else if (rc != 0)
		pg_set_err(err, err_size, "row of pam_totp_records is malformed", perr);
	if (plain != NULL) {
		secure_wipe(plain, len);
		free(plain);
	}
	return rc;
}

/* Run one statement (parameters as text) and wait for its result within
 * the deadline. On STORE_OK *res holds the result (the caller PQclears
 * it, when res is not NULL). want: PGRES_COMMAND_OK or PGRES_TUPLES_OK.
 * sql without parameters may hold several statements. The server was
 * reached, so a failure is STORE_ERROR, never STORE_UNAVAILABLE: a lock
 * not granted in time, no reply by the deadline, a connection lost, a
 * server shutting down (err begins PG_REACHED_BUSY for those), or an
 * error in the data, the schema or a privilege ("database error"). */
static enum store_status
pg_run(PGconn *conn, const struct timespec *deadline, const char *sql, int nparams,
       const char *const *params, ExecStatusType want, PGresult **res,
       char *err, size_t err_size)
{
	PGresult *r, *last = NULL;
	enum store_status ret = STORE_OK;
	int sent, duplicate = 0;

	if (res != NULL)
		*res = NULL;
	sent = nparams > 0 ? PQsendQueryParams(conn, sql, nparams, NULL, params, NULL, NULL, 0)
			   : PQsendQuery(conn, sql);
	if (!sent) {
		pg_set_err(err, err_size, PG_REACHED_BUSY, PQerrorMessage(conn));
		return STORE_ERROR;
	}
	for (;;) {
		while (PQisBusy(conn)) {
			int w = pg_wait_socket(conn, POLLIN, deadline, GRACE_MS, NULL);

			if (w <= 0) {
				pg_set_err(err, err_size, PG_REACHED_BUSY,
					w == 0 ? "no reply in time" : strerror(errno));
				ret = STORE_ERROR;
				goto out;
			}
			if (!PQconsumeInput(conn)) {
				pg_set_err(err, err_size, PG_REACHED_BUSY, PQerrorMessage(conn));
				ret = STORE_ERROR;
				goto out;
			}
		}
		r = PQgetResult(conn);
		if (r == NULL)
			break;
		if (ret == STORE_OK && PQresultStatus(r) != want &&
		    !(want == PGRES_COMMAND_OK && PQresultStatus(r) == PGRES_TUPLES_OK)) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

			ret = STORE_ERROR;
			pg_set_err(err, err_size, pg_sqlstate_busy(state) ||
				   PQstatus(conn) == CONNECTION_BAD ? PG_REACHED_BUSY :
				   "database error", PQresultErrorMessage(r));
			duplicate = state != NULL && strcmp(state, "23505") == 0;
		}
		PQclear(last);
		last = r;
	}
	if (ret == STORE_OK && last == NULL) {
		pg_set_err(err, err_size, PG_REACHED_BUSY, PQerrorMessage(conn));
		ret = STORE_ERROR;
	}
out:
	if (ret == STORE_OK && res != NULL)
		*res = last;
	else
		PQclear(last);
	/* a unique violation: the row exists */
	errno = duplicate ? EEXIST : 0;
	return ret;
}

/* Open a transaction on conn whose statements, and whose idle time
 * between statements, end at the deadline: *budget_ms is what was left of
 * it at BEGIN (the server's now() is the transaction's start). */
static enum store_status
pg_begin_on(PGconn *conn, const struct timespec *deadline, long *budget_ms,
	    char *err, size_t err_size)
{
	char sql[160];

	*budget_ms = pg_ms_left(deadline) > 1 ? pg_ms_left(deadline) : 1;
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL statement_timeout = %ld; "
		 "SET LOCAL idle_in_transaction_session_timeout = %ld", *budget_ms, *budget_ms);
	return pg_run(conn, deadline, sql, 0, NULL, PGRES_COMMAND_OK, NULL, err, err_size);
}

/* ---- one connection for a whole login ---- */

struct pg_session {
	PGconn *conn;                 /* NULL once lost */
	char *conninfo;               /* to connect again if the server dropped it */
	unsigned timeout;
	int insecure;                 /* db_insecure_transport=yes */
	struct seal_key key;          /* db_key=, when has_key */
	int has_key;
	struct seal_key old_key;      /* db_key_old=, when has_old: read only */
	int has_old;
	struct timespec deadline;     /* the connection's, for its first use */
	int deadline_used;
};

static void
deadline_in(unsigned timeout, struct timespec *deadline)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += timeout;
}

static void pg_session_free(struct pg_session *sess);

/* Connect for a login (or a tool's run): the keys loaded, the connection
 * made within timeout. Its failure is final for the session. */
static enum store_status
pg_session_connect(const char *conninfo, unsigned timeout, int insecure, const char *key_path,
		   const char *old_key_path, struct pg_session **out, char *err, size_t err_size)
{
	struct pg_session *sess = calloc(1, sizeof(*sess));
	enum store_status st;

	*out = NULL;
	if (sess == NULL || (sess->conninfo = strdup(conninfo)) == NULL) {
		free(sess);
		pg_set_err(err, err_size, "out of memory", NULL);
		return STORE_ERROR;
	}
	sess->timeout = timeout;
	sess->insecure = insecure;
	sess->has_key = key_load(key_path, &sess->key, err, err_size);
	if (sess->has_key > 0)
		sess->has_old = key_load(old_key_path, &sess->old_key, err, err_size);
	if (sess->has_key < 0 || sess->has_old < 0) {
		pg_session_free(sess);
		return STORE_ERROR;
	}
	deadline_in(timeout, &sess->deadline);
	st = pg_connect(conninfo, timeout, insecure, &sess->deadline, &sess->conn, err, err_size);
	if (st != STORE_OK) {
		pg_session_free(sess);
		return st;
	}
	*out = sess;
	return STORE_OK;
}

static void
pg_session_free(struct pg_session *sess)
{
	if (sess == NULL)
		return;
	if (sess->conn != NULL)
		PQfinish(sess->conn);
	secure_wipe(sess->conninfo, strlen(sess->conninfo));
	free(sess->conninfo);
	seal_key_wipe(&sess->key);
	seal_key_wipe(&sess->old_key);
	free(sess);
}

/* The session's connection for a transaction, and its deadline: the
 * connection's own for its first use (connecting and the transaction
 * share db_timeout), a fresh one after that (the user typed meanwhile).
 * A connection the server dropped while idle (a restart, an idle
 * timeout) is replaced: the only case of a second connection. So the
 * server as it is now decides: one stopped while the user typed is an
 * outage when nothing answers the new connect, or serves again; the old
 * connection's last words ("terminating connection") are not taken for
 * a server that was reached and cannot serve. */
static enum store_status
session_use(struct pg_session *sess, struct timespec *deadline, char *err, size_t err_size)
{
	struct pollfd pfd;

	if (!sess->deadline_used) {
		*deadline = sess->deadline;
		sess->deadline_used = 1;
	} else {
		deadline_in(sess->timeout, deadline);
	}
	if (sess->conn != NULL && PQstatus(sess->conn) == CONNECTION_OK &&
	    PQtransactionStatus(sess->conn) == PQTRANS_IDLE) {
		pfd.fd = PQsocket(sess->conn);
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* An idle connection has nothing to say unless it is closing.
		 * Reading what it says does not tell: libpq reads a server's
		 * FATAL before the end of the stream, and keeps the connection
		 * OK until the next query fails with it. */
		if (poll(&pfd, 1, 0) == 0)
			return STORE_OK;
	}
	if (sess->conn != NULL)
		PQfinish(sess->conn);
	sess->conn = NULL;
	return pg_connect(sess->conninfo, sess->timeout, sess->insecure, deadline, &sess->conn, err, err_size);
}

/* End what is left of a transaction with ROLLBACK, so a pooler keeps the
 * server connection; a connection that cannot is dropped. */
static void
session_rollback(struct pg_session *sess, const struct timespec *deadline)
{
	char err[64];

	if (sess->conn == NULL || PQtransactionStatus(sess->conn) == PQTRANS_IDLE)
		return;
	if (PQtransactionStatus(sess->conn) == PQTRANS_ACTIVE ||
	    pg_run(sess->conn, deadline, "ROLLBACK", 0, NULL, PGRES_COMMAND_OK, NULL, err,
		   sizeof(err)) != STORE_OK) {
		PQfinish(sess->conn);
		sess->conn = NULL;
	}
}

/* COMMIT, and make sure it was one: COMMIT of a failed transaction
 * answers ROLLBACK without an error. */
static enum store_status
pg_commit(PGconn *conn, const struct timespec *deadline, char *err, size_t err_size)
{
	PGresult *r;
	enum store_status st;

	st = pg_run(conn, deadline, "COMMIT", 0, NULL, PGRES_COMMAND_OK, &r, err, err_size);
	if (st != STORE_OK)
		return st;
	if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
		pg_set_err(err, err_size, "database error", "the transaction was rolled back");
		st = STORE_ERROR;
	}
	PQclear(r);
	return st;
}

/* ---- the store of one login ---- */

static enum store_status pg_read(struct totp_store *, struct totp_record *, char *, size_t);
static enum store_status pg_write_state(struct totp_store *, const struct totp_record *,
					const struct totp_state *, char *, size_t);
static enum store_status pg_rewrite(struct totp_store *, const struct totp_record *,
				    char *, size_t);
static void pg_close(struct totp_store *);
static enum store_status pg_remove(struct totp_store *, char *, size_t);
static enum store_status pg_mark_removed(struct totp_store *, int64_t, const char *, char *,
					 size_t);

static const struct store_ops pg_ops = {
	"postgresql", pg_read, pg_write_state, pg_rewrite, pg_close, pg_remove, pg_mark_removed
};

/* ", seq, last_step, ...": the state columns (TOTP_STATE_FIELDS), each
 * after a comma */
#define COMMA_NAME(name, ...) ", " #name
#define STATE_COLUMNS TOTP_STATE_FIELDS(COMMA_NAME)
/* The UPDATE and INSERT statements below number a parameter for each
 * state column, in the list's order, and the upsert names each: they
 * change with the list. */
_Static_assert(TOTP_STATE_NFIELDS == 6, "a state field added or removed: see the statements");

/* One login's transaction on the session: BEGIN, SELECT the user's row
 * FOR UPDATE. The next store_write_state or store_rewrite UPDATEs and
 * COMMITs; store_close rolls back whatever was not committed. */
static enum store_status
pg_session_open_row(struct pg_session *sess, const char *user, struct totp_store **out,
		    char *err, size_t err_size)
{
	/* Once the row is locked, the idle timeout is cut to what is left of
	 * the budget since BEGIN (server clock), so a client that stops
	 * before its UPDATE loses the session, and the lock, at the deadline.
	 * MATERIALIZED: the outer select list runs after the lock is taken. */
	static const char sql[] =
		"WITH locked AS MATERIALIZED (SELECT record" STATE_COLUMNS
		" FROM pam_totp_records WHERE user_name = $1 FOR UPDATE) "
		"SELECT (SELECT version FROM pam_totp_schema), locked.*, "
		"set_config('idle_in_transaction_session_timeout', greatest(1, $2::bigint - "
		"(extract(epoch FROM clock_timestamp() - now()) * 1000)::bigint)::text, true) "
		"FROM locked";
	char budget[24];
	const char *params[2];
	long budget_ms = 0;
	struct pg_store *s;
	enum store_status st;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->user = strdup(user)) == NULL) {
		free(s);
		pg_set_err(err, err_size, "out of memory", NULL);
		return STORE_ERROR;
	}
	s->base.ops = &pg_ops;
	s->session = sess;
	st = session_use(sess, &s->deadline, err, err_size);
	s->conn = sess->conn;
	if (st == STORE_OK)
		st = pg_begin_on(s->conn, &s->deadline, &budget_ms, err, err_size);
	snprintf(budget, sizeof(budget), "%ld", budget_ms);
	params[0] = s->user;
	params[1] = budget;
	if (st == STORE_OK)
		st = pg_run(s->conn, &s->deadline, sql, 2, params, PGRES_TUPLES_OK, &s->row,
			    err, err_size);
	if (st == STORE_OK && PQntuples(s->row) == 0) {
		pg_set_err(err, err_size, "no row in pam_totp_records for this user", NULL);
		st = STORE_NOT_FOUND;
	}
	if (st != STORE_OK) {
		pg_close(&s->base);
		return st;
	}
	*out = &s->base;
	return STORE_OK;
}

/* A column as a number in [min, max]: digits with an optional '-'. */
static int
column_int(const PGresult *r, int col, int64_t min, int64_t max, int64_t *out)
{
	const char *v = PQgetvalue(r, 0, col);
	char *end;
	long long n;

	if (PQgetisnull(r, 0, col) || v[0] == '\0')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* What a state column may hold to be read at all: what the field's type
 * holds (within a bigint), and nothing below the column's CHECK where
 * sql/pam_totp.sql has one. A value inside those and outside the slot's
 * bounds is "out of range" below. */
#define COLUMN_MIN(field) \
	_Generic((field), int32_t: INT32_MIN, int64_t: INT64_MIN, uint32_t: 0, uint64_t: 0)
#define COLUMN_MAX(field) \
	_Generic((field), int32_t: INT32_MAX, int64_t: INT64_MAX, uint32_t: UINT32_MAX, \
		 uint64_t: INT64_MAX)

/* The row's columns: the schema version, the record, the state columns,
 * then set_config's answer. */
#define FIRST_STATE_COLUMN 2
#define ROW_COLUMNS (FIRST_STATE_COLUMN + TOTP_STATE_NFIELDS + 1)

/* The state columns of r into *st. 0, or -1 for a column that is not a
 * number it may hold. */
static int
state_columns(const PGresult *r, struct totp_state *st)
{
	int col = FIRST_STATE_COLUMN;
	int64_t v;

#define READ_COLUMN(name, type, label, width, min, max, init, sql_type, sql_check) \
	if (column_int(r, col++, (sql_check) ? (int64_t)(min) : COLUMN_MIN(st->name), \
		       COLUMN_MAX(st->name), &v) != 0) \
		return -1; \
	st->name = (type)v;
	TOTP_STATE_FIELDS(READ_COLUMN)
#undef READ_COLUMN
	return 0;
}

static enum store_status
pg_read(struct totp_store *base, struct totp_record *rec, char *err, size_t err_size)
{
	struct pg_store *s = (struct pg_store *)base;
	const PGresult *r = s->row;
	int64_t version;
	char slot[RECORD_SLOT_LEN + 1];
	const char *text;
	struct totp_state st;
	int rc;

	if (r == NULL || PQnfields(r) != ROW_COLUMNS) {
		pg_set_err(err, err_size, "database error", "unexpected reply");
		return STORE_ERROR;
	}
	if (column_int(r, 0, 0, INT32_MAX, &version) != 0 || version != STORE_PG_SCHEMA_VERSION) {
		char why[128];

		snprintf(why, sizeof(why), "schema version %s, this pam_totp needs %d",
			 PQgetisnull(r, 0, 0) ? "missing" : PQgetvalue(r, 0, 0),
			 STORE_PG_SCHEMA_VERSION);
		pg_set_err(err, err_size, "database error", why);
		return STORE_ERROR;
	}
	text = PQgetvalue(r, 0, 1);
	if (PQgetisnull(r, 0, 1)) {
		pg_set_err(err, err_size, "row of pam_totp_records is malformed", "no record");
		return STORE_ERROR;
	}
	rc = row_record(s->session->has_key ? &s->session->key : NULL,
			s->session->has_old ? &s->session->old_key : NULL, s->user, text, rec, err,
			err_size);
	if (rc == RECORD_REMOVED) {
		/* nothing to write back to: read_ok stays 0 */
		PQclear(s->row);
		s->row = NULL;
		return STORE_REMOVED;
	}
	if (rc != 0 && rc != RECORD_PENDING)
		return STORE_ERROR;
	if (state_columns(r, &st) != 0) {
		record_wipe(rec);
		pg_set_err(err, err_size, "row of pam_totp_records is malformed", "bad state column");
		return STORE_ERROR;
	}
	/* the bounds of a file's state slot hold here too */
	if (record_format_slot(&st, 0, slot) != 0) {
		record_wipe(rec);
		pg_set_err(err, err_size, "row of pam_totp_records is malformed",
			"state out of range");
		return STORE_ERROR;
	}
	rec->state = st;
	rec->state_slot = 0;
	s->seq = st.seq;
	s->read_ok = 1;
	/* the row held the secret: wipe it now */
	secure_wipe((void *)text, strlen(text));
	PQclear(s->row);
	s->row = NULL;
	return rc == RECORD_PENDING ? STORE_PENDING : STORE_OK;
}

/* The record text kept in the row: the enrolment part, with the initial
 * state in its state lines (the columns hold the live state). *text is
 * malloc'ed; the caller wipes and frees it. */
static int
enrollment_text(const struct totp_record *rec, char **text)
{
	struct totp_record copy = *rec;
	size_t len;
	int ret = -1;

	*text = malloc(RECORD_MAX_BYTES + 1);
	if (*text == NULL)
		goto out;
	record_state_init(&copy.state);
	if (record_format(&copy, *text, RECORD_MAX_BYTES + 1, &len) != 0) {
		free(*text);
		*text = NULL;
		goto out;
	}
	ret = 0;
out:
	record_wipe(&copy);
	return ret;
}

/* The state columns as text parameters, in the list's order. */
struct state_params {
	char v[TOTP_STATE_NFIELDS][24];
};

static void
state_params(const struct totp_state *st, struct state_params *p)
{
	int i = 0;

#define PARAM(name, ...) \
	RECORD_FIELD_TEXT(p->v[i], sizeof(p->v[i]), st->name); \
	i++;
	TOTP_STATE_FIELDS(PARAM)
#undef PARAM
}

/* Run sql, which must change exactly the user's locked row, then COMMIT.
 * One change per transaction: the row lock ends with it. */
static enum store_status
pg_change_row(struct pg_store *s, const char *sql, int nparams, const char *const *params,
	      const char *done, char *err, size_t err_size)
{
	PGresult *r = NULL;
	enum store_status ret;

	ret = pg_run(s->conn, &s->deadline, sql, nparams, params, PGRES_COMMAND_OK, &r,
		     err, err_size);
	if (ret == STORE_OK && strcmp(PQcmdTuples(r), "1") != 0) {
		char why[64];

		snprintf(why, sizeof(why), "the user's row was not %s", done);
		pg_set_err(err, err_size, "database error", why);
		ret = STORE_ERROR;
	}
	PQclear(r);
	if (ret == STORE_OK)
		ret = pg_commit(s->conn, &s->deadline, err, err_size);
	s->read_ok = 0;  /* one write per login */
	return ret;
}

/* UPDATE the locked row (the record too when text != NULL), then COMMIT.
 * The state's seq is one more than the one read (0 when none was). */
static enum store_status
pg_update_row(struct pg_store *s, const char *text, const struct totp_state *next,
	      char *err, size_t err_size)
{
	static const char sql[] =
		"UPDATE pam_totp_records SET record = COALESCE($8, record), seq = $2, "
		"last_step = $3, skew = $4, failures = $5, locked_until = $6, "
		"resync_step = $7, updated = now() WHERE user_name = $1";
	struct totp_state st = *next;
	struct state_params p = { 0 }; /* state_params fills it; zeroed for cppcheck */
	const char *params[TOTP_STATE_NFIELDS + 2];

	st.seq = s->seq + 1;
	state_params(&st, &p);
	params[0] = s->user;
	for (int i = 0; i < TOTP_STATE_NFIELDS; i++)
		params[i + 1] = p.v[i];
	params[TOTP_STATE_NFIELDS + 1] = text;
	return pg_change_row(s, sql, TOTP_STATE_NFIELDS + 2, params, "updated", err, err_size);
}

/* pg_update_row, after a read of the row. */
static enum store_status
pg_update(struct pg_store *s, const char *text, const struct totp_state *next,
	  char *err, size_t err_size)
{
	if (!s->read_ok) {
		pg_set_err(err, err_size, "state written before reading", NULL);
		return STORE_ERROR;
	}
	return pg_update_row(s, text, next, err, err_size);
}

static enum store_status
pg_write_state(struct totp_store *base, const struct totp_record *rec,
	       const struct totp_state *next, char *err, size_t err_size)
{
	(void)rec;
	return pg_update((struct pg_store *)base, NULL, next, err, err_size);
}

static enum store_status
pg_rewrite(struct totp_store *base, const struct totp_record *rec, char *err, size_t err_size)
{
	struct pg_store *s = (struct pg_store *)base;
	char *text;
	enum store_status ret;

	if (!s->read_ok) {
		pg_set_err(err, err_size, "record rewritten before reading", NULL);
		return STORE_ERROR;
	}
	if (row_text(s->session->has_key ? &s->session->key : NULL, s->user, rec, &text, err,
		     err_size) != 0)
		return STORE_ERROR;
	ret = pg_update_row(s, text, &rec->state, err, err_size);
	secure_wipe(text, strlen(text));
	free(text);
	return ret;
}

/* The tombstone into the record column, sealed as a record is (row_text),
 * and the state columns reset; then COMMIT. */
static enum store_status
pg_mark_removed(struct totp_store *base, int64_t when, const char *by, char *err,
		size_t err_size)
{
	struct pg_store *s = (struct pg_store *)base;
	struct totp_record tomb;
	struct totp_state fresh;
	enum store_status ret = STORE_ERROR;
	char *text;

	record_set_removed(&tomb, when, by);
	record_state_init(&fresh);
	if (row_text(s->session->has_key ? &s->session->key : NULL, s->user, &tomb, &text, err,
		     err_size) == 0) {
		ret = pg_update_row(s, text, &fresh, err, err_size);
		free(text);  /* holds no secret */
	}
	record_wipe(&tomb);
	return ret;
}

/* DELETE the locked row, then COMMIT. */
static enum store_status
pg_remove(struct totp_store *base, char *err, size_t err_size)
{
	static const char sql[] = "DELETE FROM pam_totp_records WHERE user_name = $1";
	struct pg_store *s = (struct pg_store *)base;

	return pg_change_row(s, sql, 1, (const char *const *)&s->user, "deleted", err, err_size);
}

static void
pg_close(struct totp_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (s->row != NULL)
		PQclear(s->row);
	/* what was not committed is rolled back, and the row lock released */
	if (s->session != NULL) {
		session_rollback(s->session, &s->deadline);
	}
	free(s->user);
	secure_wipe(s, sizeof(*s));
	free(s);
}

/* ---- enrolment and administration ---- */

static enum store_status
pg_session_exists(struct pg_session *sess, const char *user, char *err, size_t err_size)
{
	static const char sql[] = "SELECT 1 FROM pam_totp_records WHERE user_name = $1";
	struct timespec deadline;
	PGresult *r = NULL;
	enum store_status st;
	long budget_ms;

	st = session_use(sess, &deadline, err, err_size);
	if (st == STORE_OK)
		st = pg_begin_on(sess->conn, &deadline, &budget_ms, err, err_size);
	if (st == STORE_OK)
		st = pg_run(sess->conn, &deadline, sql, 1, &user, PGRES_TUPLES_OK, &r, err,
			    err_size);
	if (st == STORE_OK && PQntuples(r) == 0)
		st = STORE_NOT_FOUND;
	PQclear(r);
	session_rollback(sess, &deadline);
	return st;
}

/* INSERT the rows of users[] in the transaction open on conn (the caller
 * commits). Without replace a row that exists is a unique violation:
 * STORE_ERROR, errno EEXIST, err naming the user; never overwritten. The
 * record column is sealed under key when there is one, so no statement
 * carries the secret in the clear. */
static enum store_status
insert_rows(PGconn *conn, const struct timespec *deadline, const struct seal_key *key,
	    const char *const users[], const struct totp_record *const recs[], size_t n,
	    int replace, char *err, size_t err_size)
{
	static const char insert[] =
		"INSERT INTO pam_totp_records (user_name, record" STATE_COLUMNS ") "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	static const char upsert[] =
		"INSERT INTO pam_totp_records (user_name, record" STATE_COLUMNS ") "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_name) DO UPDATE SET "
		"record = EXCLUDED.record, seq = pam_totp_records.seq + 1, "
		"last_step = EXCLUDED.last_step, skew = EXCLUDED.skew, "
		"failures = EXCLUDED.failures, locked_until = EXCLUDED.locked_until, "
		"resync_step = EXCLUDED.resync_step, updated = now()";
	enum store_status st = STORE_OK;
	char *text = NULL;
	int exists = 0;

	for (size_t i = 0; st == STORE_OK && i < n; i++) {
		struct state_params p = { 0 }; /* state_params fills it; zeroed for cppcheck */
		const char *params[TOTP_STATE_NFIELDS + 2];
		char why[512];

		if (row_text(key, users[i], recs[i], &text, err, err_size) != 0) {
			st = STORE_ERROR;
			break;
		}
		state_params(&recs[i]->state, &p);
		params[0] = users[i];
		params[1] = text;
		for (int k = 0; k < TOTP_STATE_NFIELDS; k++)
			params[k + 2] = p.v[k];
		errno = 0;
		st = pg_run(conn, deadline, replace ? upsert : insert, TOTP_STATE_NFIELDS + 2, params,
			    PGRES_COMMAND_OK, NULL, err, err_size);
		if (st != STORE_OK && errno == EEXIST) {
			snprintf(why, sizeof(why), "%s already has a row in pam_totp_records",
				 users[i]);
			pg_set_err(err, err_size, why, NULL);
			exists = 1;
		}
		secure_wipe(text, strlen(text));
		free(text);
		text = NULL;
	}
	errno = exists ? EEXIST : 0;
	return st;
}

/* Insert n records on the session, in one transaction: all or none.
 * Without replace a user who already has a row (or appears twice), or
 * one another login inserts meanwhile, fails the whole insert with
 * STORE_ERROR and errno EEXIST, naming the user in err; with replace an
 * existing row is overwritten (re-enrolment). The PAM role needs INSERT
 * on pam_totp_records for enroll=prompt. */
static enum store_status
pg_session_insert(struct pg_session *sess, const char *const users[],
		  const struct totp_record *const recs[], size_t n, int replace, char *err,
		  size_t err_size)
{
	struct timespec deadline;
	enum store_status st;
	int exists = 0;
	long budget_ms;

	st = session_use(sess, &deadline, err, err_size);
	if (st == STORE_OK)
		st = pg_begin_on(sess->conn, &deadline, &budget_ms, err, err_size);
	if (st == STORE_OK) {
		/* a concurrent insert of the same user waits here for the
		 * other's COMMIT, then fails on the primary key */
		st = insert_rows(sess->conn, &deadline, sess->has_key ? &sess->key : NULL,
				 users, recs, n, replace, err, err_size);
		exists = errno == EEXIST;
	}
	if (st == STORE_OK)
		st = pg_commit(sess->conn, &deadline, err, err_size);
	session_rollback(sess, &deadline);
	errno = exists ? EEXIST : 0;
	return st;
}

/* The names of all users with a row, sorted (totp-admin list). */
static enum store_status
pg_session_users(struct pg_session *sess, char ***names, size_t *n, char *err, size_t err_size)
{
	static const char sql[] = "SELECT user_name FROM pam_totp_records ORDER BY user_name";
	struct timespec deadline;
	PGresult *r = NULL;
	enum store_status st;
	size_t count = 0;
	long budget_ms;

	*names = NULL;
	*n = 0;
	st = session_use(sess, &deadline, err, err_size);
	if (st == STORE_OK)
		st = pg_begin_on(sess->conn, &deadline, &budget_ms, err, err_size);
	if (st == STORE_OK)
		st = pg_run(sess->conn, &deadline, sql, 0, NULL, PGRES_TUPLES_OK, &r, err,
			    err_size);
	if (st == STORE_OK && PQntuples(r) > 0) {
		size_t rows = (size_t)PQntuples(r);

		*names = calloc(rows, sizeof(**names));
		for (; *names != NULL && count < rows; count++) {
			(*names)[count] = strdup(PQgetvalue(r, (int)count, 0));
			if ((*names)[count] == NULL)
				break;
		}
		if (*names == NULL || count < rows) {
			store_free_names(*names, count);
			*names = NULL;
			count = 0;
			pg_set_err(err, err_size, "out of memory", NULL);
			st = STORE_ERROR;
		}
	}
	*n = count;
	PQclear(r);
	session_rollback(sess, &deadline);
	return st;
}

/* Seal under key, in one transaction, every row not sealed under it: rows
 * in the clear (written before the hosts had a key) and, with old (a
 * rotation), rows sealed under old, opened first. A row under any other
 * key stops a rotation (with old) and is left alone without (--init-db).
 * The rows are locked in one order until the COMMIT; the statements carry
 * only sealed text. *count: the rows changed. */
static enum store_status
reseal_rows(PGconn *conn, const struct timespec *deadline, const struct seal_key *key,
	    const struct seal_key *old, size_t *count, char *err, size_t err_size)
{
	static const char update[] =
		"UPDATE pam_totp_records SET record = $2, updated = now() WHERE user_name = $1";
	char pattern[sizeof(SEAL_PREFIX) + SEAL_KEY_ID_CHARS + 2];
	const char *select_params[1] = { pattern };
	PGresult *r = NULL;
	enum store_status st;
	long budget_ms;

	*count = 0;
	snprintf(pattern, sizeof(pattern), "%s%s:%%", SEAL_PREFIX, key->id);
	st = pg_begin_on(conn, deadline, &budget_ms, err, err_size);
	if (st == STORE_OK)
		st = pg_run(conn, deadline, "SELECT user_name, record FROM pam_totp_records "
			    "WHERE record NOT LIKE $1 ORDER BY user_name FOR UPDATE", 1,
			    select_params, PGRES_TUPLES_OK, &r, err, err_size);
	for (int i = 0; st == STORE_OK && i < PQntuples(r); i++) {
		const char *params[2] = { PQgetvalue(r, i, 0), NULL };
		char *text = PQgetvalue(r, i, 1), *plain = NULL, *sealed = NULL, why[256];
		size_t len = strlen(text);

		if (old != NULL && seal_by_key(old, text)) {
			if (seal_open(old, params[0], text, &plain, &len, why, sizeof(why)) != 0) {
				pg_set_err(err, err_size, params[0], why);
				st = STORE_ERROR;
			}
		} else if (seal_is_sealed(text)) {
			if (old == NULL)
				continue;
			snprintf(why, sizeof(why), "%s's row is sealed under key %.*s, neither "
				 "db_key= nor db_key_old=", params[0], SEAL_KEY_ID_CHARS,
				 text + strlen(SEAL_PREFIX));
			pg_set_err(err, err_size, why, "nothing was changed");
			st = STORE_ERROR;
		}
		if (st == STORE_OK &&
		    seal_text(key, params[0], plain != NULL ? plain : text, len, &sealed, why,
			      sizeof(why)) != 0) {
			pg_set_err(err, err_size, why, NULL);
			st = STORE_ERROR;
		}
		if (st == STORE_OK) {
			params[1] = sealed;
			st = pg_run(conn, deadline, update, 2, params, PGRES_COMMAND_OK, NULL, err,
				    err_size);
			(*count)++;
		}
		if (plain != NULL) {
			secure_wipe(plain, len);
			free(plain);
		}
		secure_wipe(text, strlen(text));
		free(sealed);
	}
	PQclear(r);
	if (st == STORE_OK)
		st = pg_commit(conn, deadline, err, err_size);
	return st;
}

static enum store_status
pg_rotate_key(const char *conninfo, unsigned timeout, int insecure, const char *key_path,
		    const char *old_key_path, size_t *resealed, char *err, size_t err_size)
{
	struct timespec deadline;
	struct seal_key key, old;
	PGconn *conn = NULL;
	enum store_status st = STORE_ERROR;
	int has_key, has_old = 0;

	*resealed = 0;
	has_key = key_load(key_path, &key, err, err_size);
	if (has_key > 0)
		has_old = key_load(old_key_path, &old, err, err_size);
	if (has_key == 0 || (has_key > 0 && has_old == 0))
		pg_set_err(err, err_size, "a rotation needs db_key= (the new key) and "
			   "db_key_old= (the previous one)", NULL);
	if (has_key > 0 && has_old > 0) {
		deadline_in(timeout, &deadline);
		st = pg_connect(conninfo, timeout, insecure, &deadline, &conn, err, err_size);
		if (st == STORE_OK)
			st = reseal_rows(conn, &deadline, &key, &old, resealed, err, err_size);
		if (st != STORE_OK)
			*resealed = 0;
	}
	if (conn != NULL)
		PQfinish(conn);
	if (has_key > 0)
		seal_key_wipe(&key);
	if (has_old > 0)
		seal_key_wipe(&old);
	return st;
}

static enum store_status
pg_init_db(const char *conninfo, unsigned timeout, int insecure, const char *key_path,
		 char *err, size_t err_size)
{
	struct timespec deadline;
	PGconn *conn = NULL;
	PGresult *r = NULL;
	struct seal_key key;
	enum store_status st;
	int has_key = 0;

	/* the fleet's key, made here when absent: copy it to every host */
	if (key_path != NULL && key_path[0] != '\0') {
		char why[512];

		if (seal_key_create(key_path, why, sizeof(why)) < 0) {
			pg_set_err(err, err_size, "db_key", why);
			return STORE_ERROR;
		}
		has_key = key_load(key_path, &key, err, err_size);
		if (has_key < 0)
			return STORE_ERROR;
	}
	/* the schema file is one transaction of its own */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	st = pg_connect(conninfo, timeout, insecure, &deadline, &conn, err, err_size);
	if (st == STORE_OK)
		st = pg_run(conn, &deadline, pam_totp_schema_sql, 0, NULL, PGRES_COMMAND_OK,
			    NULL, err, err_size);
	if (st == STORE_OK)
		st = pg_run(conn, &deadline, "SELECT version FROM pam_totp_schema", 0, NULL,
			    PGRES_TUPLES_OK, &r, err, err_size);
	if (st == STORE_OK && (PQntuples(r) != 1 ||
			       atoi(PQgetvalue(r, 0, 0)) != STORE_PG_SCHEMA_VERSION)) {
		pg_set_err(err, err_size, "database error",
			"pam_totp_schema holds another version than this pam_totp's");
		st = STORE_ERROR;
	}
	PQclear(r);
	if (st == STORE_OK && has_key) {
		size_t sealed;

		st = reseal_rows(conn, &deadline, &key, NULL, &sealed, err, err_size);
	}
	if (has_key)
		seal_key_wipe(&key);
	if (conn != NULL)
		PQfinish(conn);
	return st;
}

static int
has_password(const char *conninfo, int depth)
{
	PQconninfoOption *opts;
	int has = 0;

	if (!pg_is_conninfo(conninfo))
		return 0;
	opts = PQconninfoParse(conninfo, NULL);
	if (opts == NULL)
		return -1;
	for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
		if (o->val == NULL || o->val[0] == '\0')
			continue;
		if (strcmp(o->keyword, "password") == 0)
			has = 1;
		/* a dbname that is itself a connection string: judged too */
		else if (strcmp(o->keyword, "dbname") == 0 && depth == 0 && has == 0)
			has = has_password(o->val, 1);
		secure_wipe(o->val, strlen(o->val));
	}
	PQconninfoFree(opts);
	return has;
}

static int
pg_db_has_password(const char *conninfo)
{
	return has_password(conninfo, 0);
}

/* ---- the store's session (store.h): the settings read once ---- */

struct pg_db {
	struct store_session base;    /* first: the interface */
	const struct totp_config *cfg;
	struct pg_session *sess;      /* connected at the first need; NULL after */
	int tried;
	enum store_status status;     /* of connecting, once tried */
	char err[256];
};

/* The session's connection: made the first time, then the same one; a
 * failure to connect is kept (store_session_disconnect does not forget
 * it), so a login waits for the database once. */
static enum store_status
db_connected(struct pg_db *db, char *err, size_t err_size)
{
	const struct totp_config *cfg = db->cfg;

	if (!db->tried) {
		db->tried = 1;
		db->status = pg_session_connect(cfg->db, cfg->db_timeout, cfg->db_insecure_transport,
						cfg->db_key, cfg->db_key_old, &db->sess, db->err,
						sizeof(db->err));
	}
	if (db->status != STORE_OK)
		snprintf(err, err_size, "%s", db->err);
	return db->status;
}

static enum store_status
db_exists(struct store_session *base, const struct store_user *u, char *err, size_t err_size)
{
	struct pg_db *db = (struct pg_db *)base;
	enum store_status st = db_connected(db, err, err_size);

	return st != STORE_OK ? st : pg_session_exists(db->sess, u->name, err, err_size);
}

static enum store_status
db_open(struct store_session *base, const struct store_user *u, struct totp_store **out,
	char *err, size_t err_size)
{
	struct pg_db *db = (struct pg_db *)base;
	enum store_status st = db_connected(db, err, err_size);

	*out = NULL;
	return st != STORE_OK ? st : pg_session_open_row(db->sess, u->name, out, err, err_size);
}

static enum store_status
db_create(struct store_session *base, const struct store_user *u, const struct totp_record *rec,
	  int replace, char *err, size_t err_size)
{
	struct pg_db *db = (struct pg_db *)base;
	enum store_status st = db_connected(db, err, err_size);

	if (st != STORE_OK)
		return st;
	return pg_session_insert(db->sess, &u->name, &rec, 1, replace, err, err_size);
}

/* A row can always be inserted: the INSERT itself decides */
static int
db_can_create(struct store_session *base, const struct store_user *u, unsigned flags,
	      struct store_create_why *why)
{
	(void)base;
	(void)u;
	(void)flags;
	memset(why, 0, sizeof(*why));
	return 0;
}

static int
db_where(struct store_session *base, const struct store_user *u, int style, char *out,
	 size_t size, char *err, size_t err_size)
{
	static const char *const words[] = {
		[STORE_WHERE_ADMIN] = "postgresql: pam_totp_records",
		[STORE_WHERE_LOG] = "row in pam_totp_records",
		[STORE_WHERE_ENROLL] = "its row in pam_totp_records",
	};

	(void)base;
	(void)u;
	(void)err;
	(void)err_size;
	snprintf(out, size, "%s", words[style]);
	return 0;
}

static enum store_status
db_users(struct store_session *base, char ***names, size_t *n, char *err, size_t err_size)
{
	struct pg_db *db = (struct pg_db *)base;
	enum store_status st = db_connected(db, err, err_size);

	*names = NULL;
	*n = 0;
	return st != STORE_OK ? st : pg_session_users(db->sess, names, n, err, err_size);
}

static void
db_disconnect(struct store_session *base)
{
	struct pg_db *db = (struct pg_db *)base;

	pg_session_free(db->sess);
	db->sess = NULL;
	if (db->tried && db->status == STORE_OK)
		db->tried = 0;
}

static void
db_free(struct store_session *base)
{
	db_disconnect(base);
	free(base);
}

static enum store_status
db_init(struct store_session *base, char *err, size_t err_size)
{
	const struct totp_config *cfg = ((struct pg_db *)base)->cfg;

	return pg_init_db(cfg->db, cfg->db_timeout, cfg->db_insecure_transport, cfg->db_key, err,
			  err_size);
}

static enum store_status
db_rotate_key(struct store_session *base, size_t *resealed, char *err, size_t err_size)
{
	const struct totp_config *cfg = ((struct pg_db *)base)->cfg;

	return pg_rotate_key(cfg->db, cfg->db_timeout, cfg->db_insecure_transport, cfg->db_key,
			     cfg->db_key_old, resealed, err, err_size);
}

static enum store_status
db_insert_all(struct store_session *base, const char *const users[],
	      const struct totp_record *const recs[], size_t n, char *err, size_t err_size)
{
	struct pg_db *db = (struct pg_db *)base;
	enum store_status st = db_connected(db, err, err_size);

	return st != STORE_OK ? st : pg_session_insert(db->sess, users, recs, n, 0, err, err_size);
}

static const struct store_session_ops db_ops = {
	db_exists, db_open, db_create, db_can_create, db_where, db_users, db_disconnect, db_free
};

static const struct store_admin_ops db_admin_ops = { db_init, db_rotate_key, db_insert_all };

static int
db_session_new(const struct totp_config *cfg, struct store_session **out, char *err,
	       size_t err_size)
{
	struct pg_db *db = store_session_alloc(sizeof(*db), &db_ops, out, err, err_size);

	if (db == NULL)
		return -1;
	db->base.admin = &db_admin_ops;
	db->base.flags = STORE_NAMES_RECORDS |
			 (cfg->db_insecure_transport ? STORE_CAUTION_INSECURE : 0) |
			 (cfg->db_key[0] == '\0' ? STORE_CAUTION_CLEAR : 0);
	db->cfg = cfg;
	return 0;
}

/* The plugin's one export (see store.h): what pam_totp.so looks up. */
const struct store_pg_api pam_totp_store_pg_v6 = {
	PACKAGE_VERSION,
	db_session_new,
	pg_db_has_password,
};
