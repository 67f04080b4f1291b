/* The PostgreSQL store: one row per user, one login one transaction.
 *
 *   open         connect; BEGIN; SET LOCAL statement_timeout;
 *                SELECT the row FOR UPDATE (other logins of this user, on
 *                any host, wait here)
 *   read         the enrolment part through record_parse, the state from
 *                the columns
 *   write_state  UPDATE the state columns; COMMIT
 *   rewrite      UPDATE the record and the state; COMMIT
 *   close        disconnect (the server rolls back anything uncommitted)
 *
 * Queries are parameterised ($1...), never built from strings. Every wait
 * (connect, each reply) is bounded by one deadline on the client side; the
 * server's statement_timeout ends a lock wait at the same deadline, so the
 * row lock is never held past it. */
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

#include "record.h"
#include "schema_sql.h"
#include "secure.h"
#include "store.h"

/* Time for the server's own statement_timeout error to arrive after the
 * deadline, before the client gives up on a server that stopped answering. */
#define GRACE_MS 500

struct pg_store {
	struct totp_store base;       /* first: the interface */
	PGconn *conn;
	struct timespec deadline;     /* CLOCK_MONOTONIC */
	char *user;
	PGresult *row;                /* the locked row, until read */
	int read_ok;
	uint64_t seq;
};

static void
set_err(char *err, size_t err_size, const char *what, const char *detail)
{
	if (err == NULL || err_size == 0)
		return;
	snprintf(err, err_size, "%s%s%s", what, detail != NULL ? ": " : "",
		 detail != NULL ? detail : "");
	/* libpq's messages end in a newline, some have several lines
	 * (indented with a tab): one log line, single spaces */
	{
		char *in = err, *out = err;

		for (; *in != '\0'; in++) {
			char c = (*in == '\n' || *in == '\t' || *in == '\r') ? ' ' : *in;

			if (c == ' ' && (out == err || out[-1] == ' '))
				continue;
			*out++ = c;
		}
		while (out > err && out[-1] == ' ')
			out--;
		*out = '\0';
	}
}

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Wait until the connection's socket is ready for events, at most until
 * deadline + grace_ms. 1 ready, 0 timed out, -1 error. */
static int
wait_socket(PGconn *conn, short events, const struct timespec *deadline, long grace_ms)
{
	struct pollfd pfd = { PQsocket(conn), events, 0 };

	if (pfd.fd < 0)
		return -1;
	for (;;) {
		long left = ms_left(deadline) + grace_ms;
		int r;

		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 1;
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* ---- the environment, set aside while connecting ---- */

#define ENV_ASIDE_MAX 64

struct env_aside {
	char *saved[ENV_ASIDE_MAX];   /* "NAME=value" copies */
	size_t n;
};

extern char **environ;

static int
env_untrusted(const char *entry)
{
	return strncmp(entry, "PG", 2) == 0 || strncmp(entry, "KRB5", 4) == 0 ||
	       strncmp(entry, "HOME=", 5) == 0;
}

/* libpq takes every setting the connection string leaves out from PG*
 * variables (host, service file, SSL root certificate...) and files from
 * HOME; GSSAPI reads KRB5*. In a set-uid program using PAM (su) these
 * come from the user. Set them aside; HOME unset makes libpq use the
 * running user's passwd entry (root's ~/.pgpass). */
static int
env_set_aside(struct env_aside *a)
{
	a->n = 0;
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		if (!env_untrusted(*e))
			continue;
		if (a->n == ENV_ASIDE_MAX || (a->saved[a->n] = strdup(*e)) == NULL)
			return -1;
		a->n++;
	}
	for (size_t i = 0; i < a->n; i++) {
		char *eq = strchr(a->saved[i], '=');

		*eq = '\0';
		unsetenv(a->saved[i]);
		*eq = '=';
	}
	return 0;
}

static void
env_restore(struct env_aside *a)
{
	for (size_t i = 0; i < a->n; i++) {
		char *eq = strchr(a->saved[i], '=');

		*eq = '\0';
		setenv(a->saved[i], eq + 1, 1);
		secure_wipe(a->saved[i], strlen(a->saved[i]) + 1 + strlen(eq + 1));
		free(a->saved[i]);
	}
	a->n = 0;
}

/* ---- connecting and querying ---- */

/* Whether libpq reads s as a connection string or URI rather than as a
 * database name (expand_dbname, as pg_connect hands it over). */
static int
is_conninfo(const char *s)
{
	return strchr(s, '=') != NULL || strncmp(s, "postgres://", 11) == 0 ||
	       strncmp(s, "postgresql://", 13) == 0;
}

static int
has_password(const char *conninfo, int depth)
{
	PQconninfoOption *opts;
	int has = 0;

	if (!is_conninfo(conninfo))
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

int
store_pg_db_has_password(const char *conninfo)
{
	return has_password(conninfo, 0);
}

/* Connect within the deadline. Our defaults come first, so the
 * connection string can override them, except the client encoding: names
 * are sent and compared as UTF-8. */
static enum store_status
pg_connect(const char *conninfo, unsigned timeout, const struct timespec *deadline,
	   PGconn **out, char *err, size_t err_size)
{
	char tbuf[16];
	const char *keys[] = { "connect_timeout", "application_name", "gssencmode",
			       "dbname", "client_encoding", NULL };
	const char *values[] = { tbuf, "pam_totp", "disable", conninfo, "UTF8", NULL };
	struct env_aside aside;
	PostgresPollingStatusType poll_st = PGRES_POLLING_WRITING;
	enum store_status ret = STORE_UNAVAILABLE;
	PGconn *conn;

	*out = NULL;
	/* A connection string libpq cannot parse is the administrator's
	 * error, never "unavailable" (which db_unavailable=ignore may skip):
	 * told apart here, since a server that is down also fails at once. */
	if (is_conninfo(conninfo)) {
		char *perr = NULL;
		PQconninfoOption *opts = PQconninfoParse(conninfo, &perr);

		if (opts == NULL) {
			set_err(err, err_size, "bad db= connection string",
				perr != NULL ? perr : "out of memory");
			PQfreemem(perr);
			return STORE_ERROR;
		}
		PQconninfoFree(opts);
	}
	snprintf(tbuf, sizeof(tbuf), "%u", timeout < 2 ? 2 : timeout);
	if (env_set_aside(&aside) != 0) {
		env_restore(&aside);
		set_err(err, err_size, "cannot set the environment aside", NULL);
		return STORE_ERROR;
	}
	conn = PQconnectStartParams(keys, values, 1);
	if (conn == NULL) {
		set_err(err, err_size, "database: out of memory", NULL);
		ret = STORE_ERROR;
		goto out;
	}
	if (PQstatus(conn) == CONNECTION_BAD) {
		/* e.g. no server at the socket: libpq tried at once */
		set_err(err, err_size, "database unavailable", PQerrorMessage(conn));
		goto out;
	}
	while (poll_st != PGRES_POLLING_OK) {
		int r;

		if (poll_st == PGRES_POLLING_FAILED) {
			set_err(err, err_size, "database unavailable", PQerrorMessage(conn));
			goto out;
		}
		r = wait_socket(conn, poll_st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
				deadline, 0);
		if (r == 0) {
			char why[64];

			snprintf(why, sizeof(why), "no connection within %u s", timeout);
			set_err(err, err_size, "database unavailable", why);
			goto out;
		}
		if (r < 0) {
			set_err(err, err_size, "database unavailable", strerror(errno));
			goto out;
		}
		poll_st = PQconnectPoll(conn);
	}
	*out = conn;
	conn = NULL;
	ret = STORE_OK;
out:
	env_restore(&aside);
	if (conn != NULL)
		PQfinish(conn);
	return ret;
}

/* Errors that say the database cannot serve now (down, restarting, busy,
 * too slow, or a read-only standby), as against a problem with the data or
 * the schema. Only these may be ignored with db_unavailable=ignore. */
static int
sqlstate_unavailable(const char *state)
{
	static const char *const codes[] = {
		"57P01", "57P02", "57P03",   /* shutdown, crash, starting up */
		"57014",                     /* statement_timeout */
		"55P03",                     /* lock_not_available */
		"25006",                     /* read-only transaction: a standby */
		NULL
	};

	if (state == NULL)
		return 1;  /* no SQLSTATE: a client-side (connection) failure */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0)
		return 1;  /* connection exception, insufficient resources */
	for (size_t i = 0; codes[i] != NULL; i++)
		if (strcmp(state, codes[i]) == 0)
			return 1;
	return 0;
}

/* Run one statement (parameters as text) and wait for its result within
 * the deadline. On STORE_OK *res holds the result (the caller PQclears
 * it, when res is not NULL). want: PGRES_COMMAND_OK or PGRES_TUPLES_OK.
 * sql without parameters may hold several statements. */
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
		set_err(err, err_size, "database unavailable", PQerrorMessage(conn));
		return STORE_UNAVAILABLE;
	}
	for (;;) {
		while (PQisBusy(conn)) {
			int w = wait_socket(conn, POLLIN, deadline, GRACE_MS);

			if (w <= 0) {
				set_err(err, err_size, "database unavailable",
					w == 0 ? "no reply in time" : strerror(errno));
				ret = STORE_UNAVAILABLE;
				goto out;
			}
			if (!PQconsumeInput(conn)) {
				set_err(err, err_size, "database unavailable", PQerrorMessage(conn));
				ret = STORE_UNAVAILABLE;
				goto out;
			}
		}
		r = PQgetResult(conn);
		if (r == NULL)
			break;
		if (ret == STORE_OK && PQresultStatus(r) != want &&
		    !(want == PGRES_COMMAND_OK && PQresultStatus(r) == PGRES_TUPLES_OK)) {
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);

			ret = sqlstate_unavailable(state) || PQstatus(conn) == CONNECTION_BAD
			      ? STORE_UNAVAILABLE : STORE_ERROR;
			set_err(err, err_size, ret == STORE_UNAVAILABLE ? "database unavailable"
				: "database error", PQresultErrorMessage(r));
			duplicate = state != NULL && strcmp(state, "23505") == 0;
		}
		PQclear(last);
		last = r;
	}
	if (ret == STORE_OK && last == NULL) {
		set_err(err, err_size, "database unavailable", PQerrorMessage(conn));
		ret = STORE_UNAVAILABLE;
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

/* Connect and open a transaction whose statements end at the deadline. */
static enum store_status
pg_begin(const char *conninfo, unsigned timeout, struct timespec *deadline,
	 PGconn **out, char *err, size_t err_size)
{
	char sql[96];
	enum store_status st;

	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += timeout;
	st = pg_connect(conninfo, timeout, deadline, out, err, err_size);
	if (st != STORE_OK)
		return st;
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL statement_timeout = %ld",
		 ms_left(deadline) > 1 ? ms_left(deadline) : 1);
	st = pg_run(*out, deadline, sql, 0, NULL, PGRES_COMMAND_OK, NULL, err, err_size);
	if (st != STORE_OK) {
		PQfinish(*out);
		*out = NULL;
	}
	return st;
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
		set_err(err, err_size, "database error", "the transaction was rolled back");
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

static const struct store_ops pg_ops = {
	"postgresql", pg_read, pg_write_state, pg_rewrite, pg_close
};

#define STATE_COLUMNS "seq, last_step, skew, failures, locked_until, resync_step"

enum store_status
store_pg_open(const char *conninfo, unsigned timeout, const char *user,
	      struct totp_store **out, char *err, size_t err_size)
{
	static const char sql[] =
		"SELECT (SELECT version FROM pam_totp_schema), record, " STATE_COLUMNS
		" FROM pam_totp_records WHERE user_name = $1 FOR UPDATE";
	struct pg_store *s;
	enum store_status st;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL || (s->user = strdup(user)) == NULL) {
		free(s);
		set_err(err, err_size, "out of memory", NULL);
		return STORE_ERROR;
	}
	s->base.ops = &pg_ops;
	st = pg_begin(conninfo, timeout, &s->deadline, &s->conn, err, err_size);
	if (st == STORE_OK)
		st = pg_run(s->conn, &s->deadline, sql, 1, (const char *const *)&s->user,
			    PGRES_TUPLES_OK, &s->row, err, err_size);
	if (st == STORE_OK && PQntuples(s->row) == 0) {
		set_err(err, err_size, "no row in pam_totp_records for this user", NULL);
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

static enum store_status
pg_read(struct totp_store *base, struct totp_record *rec, char *err, size_t err_size)
{
	struct pg_store *s = (struct pg_store *)base;
	const PGresult *r = s->row;
	int64_t v[7];
	char perr[256] = "", slot[RECORD_SLOT_LEN + 1];
	const char *text;
	struct totp_state st;

	if (r == NULL || PQnfields(r) != 8) {
		set_err(err, err_size, "database error", "unexpected reply");
		return STORE_ERROR;
	}
	if (column_int(r, 0, 0, INT32_MAX, &v[0]) != 0 || v[0] != STORE_PG_SCHEMA_VERSION) {
		char why[128];

		snprintf(why, sizeof(why), "schema version %s, this pam_totp needs %d",
			 PQgetisnull(r, 0, 0) ? "missing" : PQgetvalue(r, 0, 0),
			 STORE_PG_SCHEMA_VERSION);
		set_err(err, err_size, "database error", why);
		return STORE_ERROR;
	}
	text = PQgetvalue(r, 0, 1);
	if (PQgetisnull(r, 0, 1) ||
	    record_parse(text, strlen(text), rec, perr, sizeof(perr)) != 0) {
		set_err(err, err_size, "row of pam_totp_records is malformed", perr);
		return STORE_ERROR;
	}
	if (column_int(r, 2, 0, INT64_MAX, &v[1]) != 0 ||
	    column_int(r, 3, -1, INT64_MAX, &v[2]) != 0 ||
	    column_int(r, 4, INT32_MIN, INT32_MAX, &v[3]) != 0 ||
	    column_int(r, 5, 0, UINT32_MAX, &v[4]) != 0 ||
	    column_int(r, 6, 0, INT64_MAX, &v[5]) != 0 ||
	    column_int(r, 7, -1, INT64_MAX, &v[6]) != 0) {
		record_wipe(rec);
		set_err(err, err_size, "row of pam_totp_records is malformed", "bad state column");
		return STORE_ERROR;
	}
	st.seq = (uint64_t)v[1];
	st.last_step = v[2];
	st.skew = (int32_t)v[3];
	st.failures = (uint32_t)v[4];
	st.locked_until = v[5];
	st.resync_step = v[6];
	/* the bounds of a file's state slot hold here too */
	if (record_format_slot(&st, 0, slot) != 0) {
		record_wipe(rec);
		set_err(err, err_size, "row of pam_totp_records is malformed",
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
	return STORE_OK;
}

/* The record text kept in the row: the enrolment part, with the initial
 * state in its state lines (the columns hold the live state). *text is
 * malloc'ed; the caller wipes and frees it. */
static int
enrolment_text(const struct totp_record *rec, char **text)
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

/* The state columns as text parameters. */
struct state_params {
	char v[6][24];
};

static void
state_params(const struct totp_state *st, struct state_params *p)
{
	snprintf(p->v[0], sizeof(p->v[0]), "%" PRIu64, st->seq);
	snprintf(p->v[1], sizeof(p->v[1]), "%" PRId64, st->last_step);
	snprintf(p->v[2], sizeof(p->v[2]), "%" PRId32, st->skew);
	snprintf(p->v[3], sizeof(p->v[3]), "%" PRIu32, st->failures);
	snprintf(p->v[4], sizeof(p->v[4]), "%" PRId64, st->locked_until);
	snprintf(p->v[5], sizeof(p->v[5]), "%" PRId64, st->resync_step);
}

/* UPDATE the locked row (the record too when text != NULL), then COMMIT. */
static enum store_status
pg_update(struct pg_store *s, const char *text, const struct totp_state *next,
	  char *err, size_t err_size)
{
	static const char sql[] =
		"UPDATE pam_totp_records SET record = COALESCE($8, record), seq = $2, "
		"last_step = $3, skew = $4, failures = $5, locked_until = $6, "
		"resync_step = $7, updated = now() WHERE user_name = $1";
	struct totp_state st = *next;
	struct state_params p;
	const char *params[8];
	PGresult *r = NULL;
	enum store_status ret;

	if (!s->read_ok) {
		set_err(err, err_size, "state written before reading", NULL);
		return STORE_ERROR;
	}
	st.seq = s->seq + 1;
	state_params(&st, &p);
	params[0] = s->user;
	for (int i = 0; i < 6; i++)
		params[i + 1] = p.v[i];
	params[7] = text;
	ret = pg_run(s->conn, &s->deadline, sql, 8, params, PGRES_COMMAND_OK, &r, err, err_size);
	if (ret == STORE_OK && strcmp(PQcmdTuples(r), "1") != 0) {
		set_err(err, err_size, "database error", "the user's row was not updated");
		ret = STORE_ERROR;
	}
	PQclear(r);
	if (ret == STORE_OK)
		ret = pg_commit(s->conn, &s->deadline, err, err_size);
	s->read_ok = 0;  /* one write per login */
	return ret;
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
	char *text;
	enum store_status ret;

	if (enrolment_text(rec, &text) != 0) {
		set_err(err, err_size, "cannot format the record", NULL);
		return STORE_ERROR;
	}
	ret = pg_update((struct pg_store *)base, text, &rec->state, err, err_size);
	secure_wipe(text, strlen(text));
	free(text);
	return ret;
}

static void
pg_close(struct totp_store *base)
{
	struct pg_store *s = (struct pg_store *)base;

	if (s->row != NULL)
		PQclear(s->row);
	/* closing the connection ends an open transaction with a rollback
	 * and releases the row lock */
	if (s->conn != NULL)
		PQfinish(s->conn);
	free(s->user);
	secure_wipe(s, sizeof(*s));
	free(s);
}

/* ---- enrolment and administration ---- */

enum store_status
store_pg_exists(const char *conninfo, unsigned timeout, const char *user,
		char *err, size_t err_size)
{
	static const char sql[] = "SELECT 1 FROM pam_totp_records WHERE user_name = $1";
	struct timespec deadline;
	PGconn *conn = NULL;
	PGresult *r = NULL;
	enum store_status st;

	st = pg_begin(conninfo, timeout, &deadline, &conn, err, err_size);
	if (st == STORE_OK)
		st = pg_run(conn, &deadline, sql, 1, &user, PGRES_TUPLES_OK, &r, err, err_size);
	if (st == STORE_OK && PQntuples(r) == 0)
		st = STORE_NOT_FOUND;
	PQclear(r);
	if (conn != NULL)
		PQfinish(conn);
	return st;
}

enum store_status
store_pg_insert(const char *conninfo, unsigned timeout, const char *const users[],
		const struct totp_record *const recs[], size_t n, int replace,
		char *err, size_t err_size)
{
	static const char insert[] =
		"INSERT INTO pam_totp_records (user_name, record, " STATE_COLUMNS ") "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
	static const char upsert[] =
		"INSERT INTO pam_totp_records (user_name, record, " STATE_COLUMNS ") "
		"VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (user_name) DO UPDATE SET "
		"record = EXCLUDED.record, seq = pam_totp_records.seq + 1, "
		"last_step = EXCLUDED.last_step, skew = EXCLUDED.skew, "
		"failures = EXCLUDED.failures, locked_until = EXCLUDED.locked_until, "
		"resync_step = EXCLUDED.resync_step, updated = now()";
	struct timespec deadline;
	PGconn *conn = NULL;
	enum store_status st;
	char *text = NULL;
	int exists = 0;

	st = pg_begin(conninfo, timeout, &deadline, &conn, err, err_size);
	for (size_t i = 0; st == STORE_OK && i < n; i++) {
		struct state_params p;
		const char *params[8];
		char why[512];

		if (enrolment_text(recs[i], &text) != 0) {
			snprintf(why, sizeof(why), "cannot format the record of %s", users[i]);
			set_err(err, err_size, why, NULL);
			st = STORE_ERROR;
			break;
		}
		state_params(&recs[i]->state, &p);
		params[0] = users[i];
		params[1] = text;
		for (int k = 0; k < 6; k++)
			params[k + 2] = p.v[k];
		errno = 0;
		st = pg_run(conn, &deadline, replace ? upsert : insert, 8, params,
			    PGRES_COMMAND_OK, NULL, err, err_size);
		if (st != STORE_OK && errno == EEXIST) {
			snprintf(why, sizeof(why), "%s already has a row in pam_totp_records",
				 users[i]);
			set_err(err, err_size, why, NULL);
			exists = 1;
		}
		secure_wipe(text, strlen(text));
		free(text);
		text = NULL;
	}
	if (st == STORE_OK)
		st = pg_commit(conn, &deadline, err, err_size);
	if (conn != NULL)
		PQfinish(conn);
	errno = exists ? EEXIST : 0;
	return st;
}

enum store_status
store_pg_init_db(const char *conninfo, unsigned timeout, char *err, size_t err_size)
{
	struct timespec deadline;
	PGconn *conn = NULL;
	PGresult *r = NULL;
	enum store_status st;

	/* the schema file is one transaction of its own */
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	st = pg_connect(conninfo, timeout, &deadline, &conn, err, err_size);
	if (st == STORE_OK)
		st = pg_run(conn, &deadline, pam_totp_schema_sql, 0, NULL, PGRES_COMMAND_OK,
			    NULL, err, err_size);
	if (st == STORE_OK)
		st = pg_run(conn, &deadline, "SELECT version FROM pam_totp_schema", 0, NULL,
			    PGRES_TUPLES_OK, &r, err, err_size);
	if (st == STORE_OK && (PQntuples(r) != 1 ||
			       atoi(PQgetvalue(r, 0, 0)) != STORE_PG_SCHEMA_VERSION)) {
		set_err(err, err_size, "database error",
			"pam_totp_schema holds another version than this pam_totp's");
		st = STORE_ERROR;
	}
	PQclear(r);
	if (conn != NULL)
		PQfinish(conn);
	return st;
}

/* The plugin's one export (see store.h): what pam_totp.so looks up. */
const struct store_pg_api pam_totp_store_pg_v2 = {
	PACKAGE_VERSION,
	store_pg_open,
	store_pg_exists,
	store_pg_db_has_password,
};
