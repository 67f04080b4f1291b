/* Connecting to the PostgreSQL store within a deadline (lib/pg_connect.c),
 * and the small helpers the store's queries share with it. Internal to
 * the PostgreSQL store (libtotppg). */
#ifndef PAM_TOTP_PG_CONNECT_H
#define PAM_TOTP_PG_CONNECT_H

#include <stddef.h>
#include <time.h>

#include <libpq-fe.h>

#include "store.h"

/* Connect within the deadline (CLOCK_MONOTONIC). Each server of a list
 * (host=db1,db2, and each address of a name) is tried in turn with its
 * own share of the time left, names resolved within that share, so a
 * server that accepts and never answers, or a resolver that never
 * answers, cannot use up the time of the next one. Only a writable
 * primary is taken. On failure the result says why:
 *   STORE_UNAVAILABLE  no server of the list was reached: for every one
 *                      the connect was refused, found no route or no
 *                      socket, or had no answer in time, or its name
 *                      lookup had no answer (a name that does not exist
 *                      is a mistake in db=: STORE_ERROR)
 *   STORE_ERROR        anything else, as soon as one server was reached
 *                      (its socket connected), whatever the others did:
 *                      a server that then cannot serve the login (full,
 *                      starting up, shutting down, a read-only standby, a
 *                      pooler with no room, no answer after the connect,
 *                      a hang-up; err begins PG_REACHED_BUSY), a
 *                      configuration or trust error (an unknown database
 *                      or role, a rejected password, a TLS failure), and,
 *                      before anything is tried, a connection string
 *                      libpq refuses or a server reached over TCP without
 *                      sslmode=verify-full (unless insecure:
 *                      db_insecure_transport=yes).
 * db_unavailable=ignore may skip the second factor for the first only:
 * whoever can fill a server, a pooler or a lock must not be able to. */
enum store_status pg_connect(const char *conninfo, unsigned timeout, int insecure,
			     const struct timespec *deadline, PGconn **out,
			     char *err, size_t err_size);

/* Whether libpq reads s as a connection string or URI rather than as a
 * database name (expand_dbname). */
int pg_is_conninfo(const char *s);

/* "what: detail" into err as one log line (libpq's newlines and tabs
 * folded into single spaces). */
void pg_set_err(char *err, size_t err_size, const char *what, const char *detail);

/* Milliseconds from now to deadline (negative once past it). */
long pg_ms_left(const struct timespec *deadline);

/* Wait until the connection's socket is ready for events, at most until
 * deadline + grace_ms. 1 ready, 0 timed out, -1 error. revents, when not
 * NULL, gets what poll() saw. */
int pg_wait_socket(PGconn *conn, short events, const struct timespec *deadline,
		   long grace_ms, short *revents);

/* The start of err when a server was reached and cannot serve now:
 * STORE_ERROR, never STORE_UNAVAILABLE (see pg_connect). */
#define PG_REACHED_BUSY "database reached but not serving (not an outage: " \
	"db_unavailable=ignore does not apply)"

/* Whether an SQLSTATE says a server that answered cannot serve now (full,
 * starting, shutting down, a statement or lock wait cut short, a
 * read-only standby, a connection exception), as against an error in the
 * data, the schema or the configuration. NULL (no SQLSTATE) counts as
 * busy: a client-side failure of an established connection. It chooses
 * the words of the log line only: a server that answered is never an
 * outage. */
int pg_sqlstate_busy(const char *state);

#endif
