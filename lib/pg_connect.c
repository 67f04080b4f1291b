/* Connecting to the PostgreSQL store: every server of a list in turn, each
 * within its own share of the deadline, and a failure told apart as "no
 * server reached" (which db_unavailable=ignore may skip) or "a server was
 * reached" (busy, full, refusing us: always denied). See pg_connect.h. */
#define _GNU_SOURCE 1 /* getaddrinfo_a */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pg_connect.h"
#include "secure.h"
#include "text.h"

#define MAX_TARGETS 16   /* servers, and addresses of a name, tried */

void
pg_set_err(char *err, size_t err_size, const char *what, const char *detail)
{
	char *in, *out;

	text_error(err, err_size, "%s%s%s", what, detail != NULL ? ": " : "",
		   detail != NULL ? detail : "");
	if (err == NULL || err_size == 0)
		return;
	/* libpq's messages end in a newline, some have several lines
	 * (indented with a tab): one log line, single spaces */
	for (in = err, out = err; *in != '\0'; in++) {
		char c = (*in == '\n' || *in == '\t' || *in == '\r') ? ' ' : *in;

		if (c == ' ' && (out == err || out[-1] == ' '))
			continue;
		*out++ = c;
	}
	while (out > err && out[-1] == ' ')
		out--;
	*out = '\0';
}

long
pg_ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int
pg_wait_socket(PGconn *conn, short events, const struct timespec *deadline, long grace_ms,
	       short *revents)
{
	struct pollfd pfd = { PQsocket(conn), events, 0 };

	if (revents != NULL)
		*revents = 0;
	if (pfd.fd < 0)
		return -1;
	for (;;) {
		long left = pg_ms_left(deadline) + grace_ms;
		int r;

		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0) {
			if (revents != NULL)
				*revents = pfd.revents;
			return 1;
		}
		if (r == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

int
pg_sqlstate_busy(const char *state)
{
	static const char *const codes[] = {
		"57P01", "57P02", "57P03",   /* shutdown, crash, starting up */
		"57P05",                     /* idle_session_timeout */
		"57014",                     /* statement_timeout */
		"55P03",                     /* lock_not_available */
		"25006",                     /* read-only transaction: a standby */
		"25P03",                     /* idle_in_transaction_session_timeout */
		NULL
	};

	if (state == NULL)
		return 1;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "53", 2) == 0)
		return 1;  /* connection exception, insufficient resources */
	for (size_t i = 0; codes[i] != NULL; i++)
		if (strcmp(state, codes[i]) == 0)
			return 1;
	return 0;
}

/* The point in time a share of what is left: the k-th of n to go. */
static void
share_of(const struct timespec *deadline, unsigned n, struct timespec *out)
{
	long left = pg_ms_left(deadline), share = left > 0 ? left / (long)(n ? n : 1) : 0;

	clock_gettime(CLOCK_MONOTONIC, out);
	out->tv_sec += share / 1000;
	out->tv_nsec += (share % 1000) * 1000000;
	if (out->tv_nsec >= 1000000000) {
		out->tv_sec++;
		out->tv_nsec -= 1000000000;
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

/* ---- one server ---- */

/* The SQLSTATE in a message formatted with PQERRORS_VERBOSE
 * ("FATAL:  3D000: database ... does not exist"), or NULL. */
static const char *
verbose_sqlstate(const char *msg, char state[6])
{
	for (const char *p = strstr(msg, ":  "); p != NULL; p = strstr(p + 1, ":  ")) {
		const char *s = p + 3;
		size_t i;

		for (i = 0; i < 5 && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')); i++)
			;
		if (i == 5 && s[5] == ':') {
			memcpy(state, s, 5);
			state[5] = '\0';
			return state;
		}
	}
	return NULL;
}

/* Whether a connection in this state has its socket connected: the
 * server (or a pooler, or whatever listens there) was reached. Only the
 * states before the connect completes say no, so a state a later libpq
 * adds counts as reached, which denies. */
static int
stage_reached(ConnStatusType stage)
{
	return stage != CONNECTION_NEEDED && stage != CONNECTION_STARTED &&
	       stage != CONNECTION_BAD;
}

/* Why a connection attempt failed. Not reached (the socket never
 * connected: refused, no route, no socket): an outage. Reached: never an
 * outage, whatever the server said; the words only tell a server that
 * cannot serve now (its SQLSTATE says so, or it hung up without a word)
 * from a configuration or trust error (authentication, TLS, an unknown
 * database or role). */
static enum store_status
attempt_failure(PGconn *conn, int reached, int hung_up, char *err, size_t err_size)
{
	const char *msg = PQerrorMessage(conn), *what;
	char state[6], *text, *loc;

	if (!reached)
		what = "database unavailable";
	else if (verbose_sqlstate(msg, state) != NULL ? pg_sqlstate_busy(state) : hung_up)
		what = PG_REACHED_BUSY;
	else
		what = "database refused the connection (configuration or trust error)";
	/* the verbose form's LOCATION line is the server's source: not logged */
	text = strdup(msg);
	if (text != NULL && (loc = strstr(text, "\nLOCATION:")) != NULL)
		*loc = '\0';
	pg_set_err(err, err_size, what, text != NULL ? text : msg);
	free(text);
	return reached ? STORE_ERROR : STORE_UNAVAILABLE;
}

/* Whether the server is a read-only standby (PostgreSQL 14 reports
 * these; an older standby fails at SELECT ... FOR UPDATE, as unavailable). */
static int
read_only(PGconn *conn)
{
	const char *hs = PQparameterStatus(conn, "in_hot_standby");
	const char *ro = PQparameterStatus(conn, "default_transaction_read_only");

	return (hs != NULL && strcmp(hs, "on") == 0) || (ro != NULL && strcmp(ro, "on") == 0);
}

/* The value of key in a connection's options, or NULL. */
static const char *
option(const PQconninfoOption *opts, const char *key)
{
	for (; opts->keyword != NULL; opts++)
		if (strcmp(opts->keyword, key) == 0)
			return opts->val;
	return NULL;
}

/* Whether a connection to host/addr with this sslmode would reach the
 * server over TCP without verifying it: every login reads the user's
 * secret over it (err set then). A host beginning with '/' or '@' (and no
 * hostaddr) is a Unix socket, and so is no host at all. Only verify-full
 * counts: verify-ca accepts any certificate the CA signed, for whatever
 * name, so another certificate of the same CA (or, with
 * sslrootcert=system, of any public CA) could stand in for the database. */
static int
cleartext_tcp(const char *host, const char *addr, const char *mode, char *err, size_t err_size)
{
	char why[400];
	int tcp = (addr != NULL && addr[0] != '\0') ||
		  (host != NULL && host[0] != '\0' && host[0] != '/' && host[0] != '@');

	if (!tcp || (mode != NULL && strcmp(mode, "verify-full") == 0))
		return 0;
	snprintf(why, sizeof(why), "sslmode=%.64s over TCP to %.128s: the secret would travel "
		 "unverified; set sslmode=verify-full and sslrootcert in db=, or "
		 "db_insecure_transport=yes", mode != NULL ? mode : "(none)",
		 host != NULL && host[0] != '\0' ? host : addr);
	pg_set_err(err, err_size, "database refused the connection (configuration or trust "
		   "error)", why);
	return 1;
}

/* cleartext_tcp on libpq's own view of a connection not yet begun (a
 * service file and defaults applied): it has at most started a TCP
 * handshake, not sent a byte. */
static int
conn_cleartext_tcp(PGconn *conn, char *err, size_t err_size)
{
	PQconninfoOption *opts = PQconninfo(conn);
	int bad;

	if (opts == NULL) {
		pg_set_err(err, err_size, "database: out of memory", NULL);
		return 1;
	}
	bad = cleartext_tcp(option(opts, "host"), option(opts, "hostaddr"),
			    option(opts, "sslmode"), err, err_size);
	PQconninfoFree(opts);
	return bad;
}

static enum store_status
attempt(const char *const *keys, const char *const *values, int expand, int insecure,
	const struct timespec *deadline, const char *where, PGconn **out,
	char *err, size_t err_size)
{
	PostgresPollingStatusType poll_st = PGRES_POLLING_WRITING;
	short revents = 0;
	PGconn *conn;
	enum store_status st = STORE_ERROR;
	int reached;

	*out = NULL;
	conn = PQconnectStartParams(keys, values, expand);
	if (conn == NULL) {
		pg_set_err(err, err_size, "database: out of memory", NULL);
		return STORE_ERROR;
	}
	if (!insecure && conn_cleartext_tcp(conn, err, err_size)) {
		st = STORE_ERROR;
		goto out;
	}
	/* the SQLSTATE of a refusal appears only in the verbose message */
	PQsetErrorVerbosity(conn, PQERRORS_VERBOSE);
	/* Whether the socket ever connected, sticky: a state is read before
	 * every poll, so no connect escapes it, also when libpq moves on to
	 * another address or host itself (a service file's list). A failed
	 * start is a connect that failed at once (no server at the socket). */
	reached = stage_reached(PQstatus(conn));
	if (PQstatus(conn) == CONNECTION_BAD) {
		st = attempt_failure(conn, 0, 0, err, err_size);
		goto out;
	}
	while (poll_st != PGRES_POLLING_OK) {
		int r;

		if (poll_st == PGRES_POLLING_FAILED) {
			st = attempt_failure(conn, reached, (revents & (POLLHUP | POLLRDHUP)) != 0,
					     err, err_size);
			goto out;
		}
		r = pg_wait_socket(conn, poll_st == PGRES_POLLING_READING ? POLLIN | POLLRDHUP
				   : POLLOUT, deadline, 0, &revents);
		if (r <= 0) {
			char why[320];

			/* values[0]: connect_timeout, which is db_timeout. Only a
			 * connect with no answer is an outage; a server that took
			 * the connection and said nothing more in time (frozen,
			 * overloaded) was reached. */
			if (r < 0) {
				snprintf(why, sizeof(why), "%s: %s", where, strerror(errno));
				pg_set_err(err, err_size, "database: cannot wait for the server", why);
			} else if (!reached) {
				snprintf(why, sizeof(why), "no connection within %s s (%s: no "
					 "answer in time)", keys[0] != NULL ? values[0] : "?", where);
				pg_set_err(err, err_size, "database unavailable", why);
				st = STORE_UNAVAILABLE;
			} else {
				snprintf(why, sizeof(why), "%s: connected, and no answer within %s s",
					 where, keys[0] != NULL ? values[0] : "?");
				pg_set_err(err, err_size, PG_REACHED_BUSY, why);
			}
			goto out;
		}
		reached |= stage_reached(PQstatus(conn));
		poll_st = PQconnectPoll(conn);
		if (poll_st != PGRES_POLLING_FAILED)
			reached |= stage_reached(PQstatus(conn));
	}
	PQsetErrorVerbosity(conn, PQERRORS_DEFAULT);
	if (read_only(conn)) {
		char why[320];

		snprintf(why, sizeof(why), "%s: a read-only server (a standby)", where);
		pg_set_err(err, err_size, PG_REACHED_BUSY, why);
		goto out;
	}
	*out = conn;
	conn = NULL;
	st = STORE_OK;
out:
	if (conn != NULL)
		PQfinish(conn);
	return st;
}

/* ---- the list of servers ---- */

/* What a connection string says, and the servers it lists. */
struct targets {
	PQconninfoOption *opts;
	char *hosts, *addrs, *ports;   /* copies, cut at the commas */
	const char *host[MAX_TARGETS], *addr[MAX_TARGETS], *port[MAX_TARGETS];
	unsigned n;
};

/* Cut list at its commas into v (at most MAX_TARGETS); the count. */
static unsigned
split(char *list, const char **v)
{
	unsigned n = 0;

	if (list == NULL || list[0] == '\0')
		return 0;
	for (char *p = list; n < MAX_TARGETS; n++) {
		char *comma = strchr(p, ',');

		v[n] = p;
		if (comma == NULL) {
			n++;
			break;
		}
		*comma = '\0';
		p = comma + 1;
	}
	return n;
}

static void
targets_free(struct targets *t)
{
	if (t->opts != NULL) {
		for (PQconninfoOption *o = t->opts; o->keyword != NULL; o++)
			if (o->val != NULL && strcmp(o->keyword, "password") == 0)
				secure_wipe(o->val, strlen(o->val));
		PQconninfoFree(t->opts);
	}
	free(t->hosts);
	free(t->addrs);
	free(t->ports);
	memset(t, 0, sizeof(*t));
}

int
pg_is_conninfo(const char *s)
{
	return strchr(s, '=') != NULL || strncmp(s, "postgres://", 11) == 0 ||
	       strncmp(s, "postgresql://", 13) == 0;
}

/* Parse conninfo into its servers. -1 (err set) when libpq refuses it or
 * its lists do not match. A string without '=' (a bare database name) is
 * not parsed: t->opts stays NULL, one attempt with libpq's defaults. */
static int
targets_parse(const char *conninfo, struct targets *t, char *err, size_t err_size)
{
	unsigned nh, na, np;
	char *perr = NULL;
	const char *h, *a, *p;

	memset(t, 0, sizeof(*t));
	if (!pg_is_conninfo(conninfo))
		return 0;
	t->opts = PQconninfoParse(conninfo, &perr);
	if (t->opts == NULL) {
		pg_set_err(err, err_size, "bad db= connection string",
			   perr != NULL ? perr : "out of memory");
		PQfreemem(perr);
		return -1;
	}
	h = option(t->opts, "host");
	a = option(t->opts, "hostaddr");
	p = option(t->opts, "port");
	if ((h != NULL && (t->hosts = strdup(h)) == NULL) ||
	    (a != NULL && (t->addrs = strdup(a)) == NULL) ||
	    (p != NULL && (t->ports = strdup(p)) == NULL)) {
		pg_set_err(err, err_size, "out of memory", NULL);
		return -1;
	}
	nh = split(t->hosts, t->host);
	na = split(t->addrs, t->addr);
	np = split(t->ports, t->port);
	t->n = nh > na ? nh : na;
	if ((nh != 0 && na != 0 && nh != na) || (np > 1 && np != t->n)) {
		pg_set_err(err, err_size, "bad db= connection string",
			   "host, hostaddr and port list different numbers of servers");
		return -1;
	}
	for (unsigned i = 0; i < MAX_TARGETS; i++) {
		if (i >= nh)
			t->host[i] = NULL;
		if (i >= na)
			t->addr[i] = NULL;
		if (np == 1)
			t->port[i] = t->port[0];
		else if (i >= np)
			t->port[i] = NULL;
	}
	if (t->n == 0)
		t->n = 1;  /* libpq's default: the local socket */
	return 0;
}

/* A host name that needs a lookup (not a socket directory, not empty). */
static int
needs_lookup(const char *host, const char *addr)
{
	return (addr == NULL || addr[0] == '\0') && host != NULL && host[0] != '\0' &&
	       host[0] != '/' && host[0] != '@';
}

/* A name lookup left running: glibc's resolver thread may still write to
 * it after a timeout, so it is freed only once it is done. */
struct lookup {
	struct gaicb cb;
	struct addrinfo hints;
	char name[];
};

/* Resolve host within the deadline into numeric addresses (at most max).
 * The count; 0 with err set on failure: *st says which kind. */
static unsigned
lookup(const char *host, const struct timespec *deadline, char addrs[][NI_MAXHOST],
       unsigned max, enum store_status *st, char *err, size_t err_size)
{
	struct lookup *l = calloc(1, sizeof(*l) + strlen(host) + 1);
	struct gaicb *list[1];
	unsigned n = 0;
	int rc;

	*st = STORE_ERROR;
	if (l == NULL) {
		pg_set_err(err, err_size, "out of memory", NULL);
		return 0;
	}
	strcpy(l->name, host);
	l->hints.ai_socktype = SOCK_STREAM;
	l->hints.ai_family = AF_UNSPEC;
	l->cb.ar_name = l->name;
	l->cb.ar_request = &l->hints;
	list[0] = &l->cb;
	rc = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (rc != 0) {
		/* this host could not even ask: not an outage of the server */
		free(l);
		pg_set_err(err, err_size, "database: cannot start the name lookup", gai_strerror(rc));
		return 0;
	}
	for (;;) {
		long left = pg_ms_left(deadline);
		struct timespec ts;

		rc = gai_error(&l->cb);
		if (rc != EAI_INPROGRESS || left <= 0)
			break;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		gai_suspend((const struct gaicb *const *)list, 1, &ts);
	}
	if (rc == EAI_INPROGRESS) {
		char why[320];

		snprintf(why, sizeof(why), "name lookup of %s: no answer in time", host);
		*st = STORE_UNAVAILABLE;
		pg_set_err(err, err_size, "database unavailable", why);
		rc = gai_cancel(&l->cb);
		if (rc == EAI_NOTCANCELED)
			return 0;  /* still running: left to finish (a small leak) */
		if (rc == EAI_ALLDONE && gai_error(&l->cb) == 0)
			freeaddrinfo(l->cb.ar_result);
		free(l);
		return 0;
	}
	if (rc != 0) {
		char why[320];

		snprintf(why, sizeof(why), "name lookup of %s: %s", host, gai_strerror(rc));
		/* only a resolver that fails (for now, EAI_AGAIN, or for good)
		 * is an outage; a name that does not exist or has no address
		 * is a mistake in db=, and a failure of this host's own
		 * (memory, a system call) is not the server's */
		*st = rc == EAI_AGAIN || rc == EAI_FAIL ? STORE_UNAVAILABLE : STORE_ERROR;
		pg_set_err(err, err_size, *st == STORE_ERROR ?
			   "database refused the connection (configuration or trust error)" :
			   "database unavailable", why);
		free(l);
		return 0;
	}
	for (struct addrinfo *ai = l->cb.ar_result; ai != NULL && n < max; ai = ai->ai_next)
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addrs[n], NI_MAXHOST, NULL, 0,
				NI_NUMERICHOST) == 0)
			n++;
	freeaddrinfo(l->cb.ar_result);
	free(l);
	if (n == 0) {
		*st = STORE_ERROR;
		pg_set_err(err, err_size, "database refused the connection (configuration or "
			   "trust error)", "the host name has no usable address");
	}
	return n;
}

/* Our defaults, then the connection string's own options (server i's
 * host, hostaddr and port instead of the lists; target_session_attrs
 * dropped: read_only() decides), then the client encoding, which is
 * ours: names are sent and compared as UTF-8. */
#define FIXED_KEYS 4
static unsigned
attempt_params(const struct targets *t, const char *host, const char *addr, const char *port,
	       const char *timeout, const char **keys, const char **values, unsigned max)
{
	static const char *const fixed[FIXED_KEYS] = {
		"connect_timeout", "application_name", "gssencmode", NULL
	};
	unsigned n = 0;

	keys[n] = fixed[0], values[n++] = timeout;
	keys[n] = fixed[1], values[n++] = "pam_totp";
	keys[n] = fixed[2], values[n++] = "disable";
	for (const PQconninfoOption *o = t->opts; o->keyword != NULL && n + 5 < max; o++) {
		if (o->val == NULL || strcmp(o->keyword, "host") == 0 ||
		    strcmp(o->keyword, "hostaddr") == 0 || strcmp(o->keyword, "port") == 0 ||
		    strcmp(o->keyword, "target_session_attrs") == 0)
			continue;
		keys[n] = o->keyword, values[n++] = o->val;
	}
	if (host != NULL)
		keys[n] = "host", values[n++] = host;
	if (addr != NULL)
		keys[n] = "hostaddr", values[n++] = addr;
	if (port != NULL)
		keys[n] = "port", values[n++] = port;
	keys[n] = "client_encoding", values[n++] = "UTF8";
	keys[n] = NULL, values[n] = NULL;
	return n;
}

/* Try server i (each address of its name in turn) until share. */
static enum store_status
try_server(const struct targets *t, unsigned i, const char *timeout, int insecure,
	   const struct timespec *share, PGconn **out, char *err, size_t err_size)
{
	const char *keys[64], *values[64];
	char addrs[MAX_TARGETS][NI_MAXHOST], where[512];
	const char *host = t->host[i], *addr = t->addr[i];
	unsigned naddr = 1;
	enum store_status st = STORE_UNAVAILABLE, worst = STORE_UNAVAILABLE;

	if (needs_lookup(host, addr)) {
		naddr = lookup(host, share, addrs, MAX_TARGETS, &st, err, err_size);
		if (naddr == 0)
			return st;
	}
	for (unsigned k = 0; k < naddr; k++) {
		struct timespec mine;
		const char *a = needs_lookup(host, addr) ? addrs[k] : addr;

		share_of(share, naddr - k, &mine);
		attempt_params(t, host, a, t->port[i], timeout, keys, values, 64);
		snprintf(where, sizeof(where), "%.200s%s%.200s%s%s", host != NULL ? host : "",
			 a != NULL && host != NULL ? " (" : "", a != NULL ? a : "",
			 a != NULL && host != NULL ? ")" : "",
			 host == NULL && a == NULL ? "the local socket" : "");
		st = attempt(keys, values, 0, insecure, &mine, where, out, err, err_size);
		if (st == STORE_OK)
			return st;
		if (st == STORE_ERROR)
			worst = st;
	}
	return worst;
}

enum store_status
pg_connect(const char *conninfo, unsigned timeout, int insecure,
	   const struct timespec *deadline, PGconn **out, char *err, size_t err_size)
{
	char tbuf[16], first_error[512] = "";
	struct env_aside aside;
	struct targets t;
	enum store_status st = STORE_UNAVAILABLE, worst = STORE_UNAVAILABLE;

	*out = NULL;
	/* A connection string libpq cannot parse is the administrator's
	 * error, never "unavailable": told apart before anything is tried. */
	if (targets_parse(conninfo, &t, err, err_size) != 0) {
		targets_free(&t);
		return STORE_ERROR;
	}
	/* Every server of the list, before any is tried or looked up: a
	 * clear-text fall-back is a mistake even while the first answers, and
	 * a lookup that times out must not pass it off as an outage. */
	for (unsigned i = 0; !insecure && t.opts != NULL && i < t.n; i++)
		if (cleartext_tcp(t.host[i], t.addr[i], option(t.opts, "sslmode"), err,
				  err_size)) {
			targets_free(&t);
			return STORE_ERROR;
		}
	snprintf(tbuf, sizeof(tbuf), "%u", timeout < 2 ? 2 : timeout);
	if (env_set_aside(&aside) != 0) {
		env_restore(&aside);
		targets_free(&t);
		pg_set_err(err, err_size, "cannot set the environment aside", NULL);
		return STORE_ERROR;
	}
	if (t.opts == NULL) {
		/* a bare database name: libpq's defaults for the rest */
		const char *keys[] = { "connect_timeout", "application_name", "gssencmode",
				       "dbname", "client_encoding", NULL };
		const char *values[] = { tbuf, "pam_totp", "disable", conninfo, "UTF8", NULL };

		st = attempt(keys, values, 1, insecure, deadline, "the local socket", out, err,
			     err_size);
		goto out;
	}
	for (unsigned i = 0; i < t.n; i++) {
		struct timespec share;

		share_of(deadline, t.n - i, &share);
		st = try_server(&t, i, tbuf, insecure, &share, out, err, err_size);
		if (st == STORE_OK)
			goto out;
		if (st == STORE_ERROR && worst != STORE_ERROR) {
			worst = STORE_ERROR;
			snprintf(first_error, sizeof(first_error), "%s", err);
		}
	}
	/* one server refusing us is a mistake to fix, whatever the others did */
	if (worst == STORE_ERROR) {
		st = STORE_ERROR;
		snprintf(err, err_size, "%s", first_error);
	}
out:
	env_restore(&aside);
	targets_free(&t);
	return st;
}
