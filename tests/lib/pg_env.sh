# A throw-away PostgreSQL cluster for the PostgreSQL store's tests and the
# store benchmark: source after tests/lib/tap.sh and tests/lib/pam_env.sh.
#
# initdb as the postgres user (when run as root) in $T/pg, listening only on
# a Unix socket in $T/pg/sock (no TCP port), SCRAM passwords for every role.
# Stopped and removed on exit, whatever happens.
#
#   PGSOCK                      the socket directory
#   pg_admin SQL                run SQL as the administrator (owner of the tables)
#   pg_value SQL                the first value of a query, unaligned
#   pg_stop / pg_start          stop (fast) and start the server
#   pg_freeze / pg_thaw         SIGSTOP / SIGCONT the postmaster: connections hang
#   ADMIN_CONF, HOST_A_CONF, HOST_B_CONF  config files: the administrator
#                               (totp-enroll --init-db/--import) and two "hosts"
#                               logging in as the pam_totp role (SELECT, UPDATE);
#                               db_timeout=120 in each: far more than a login
#                               or a queue of racers needs on a loaded machine,
#                               so no verdict depends on it. A check of
#                               db_timeout itself sets a short one for that
#                               login (a module argument) and bounds it with
#                               stall_bound_ms (tests/lib/tap.sh)
#   PG_KEY                      their db_key=: the fleet key, made by --init-db
#                               in $T (never the default path's real key);
#                               a test that reads rows in the clear sets
#                               PG_KEY=none before sourcing this file
#   pg_enroll USER [make_record options]  a fresh row for USER with $SECRET
#   pg_wait_for DESC SQL        wait until SQL answers t (wait_for, capped at 60 s)
#   timed_login SERVICE USER ANSWER  login; $ms: how long pam_authenticate took
#   pg_hold USER / pg_release   another session holds USER's row lock until released
#   pg_hold_sql NAME SQL        another session runs SQL in a transaction, until pg_release
#   login_bg SERVICE USER ANSWER LOG  a login in the background, its pid in
#                               $bg_login (that of pam_login itself: it can be stopped)
#   silent_server NAME ADDRESS  a server that accepts connections and never
#                               says a word (a hung database) until the test
#                               ends: ADDRESS a socket path, or an IP address
#                               (TCP, on a free port, then in $silent_port);
#                               each connection it accepts is a line of
#                               $T/NAME.accepted
#
# Without libpq at configure time the test is skipped, unless configure was
# asked --with-postgresql (then libpq was found, or configure failed). With
# libpq but without the server the test fails: CI installs both.
# PAM_TOTP_PG_TESTS=no skips them (the Debian package build does).
# They run as root: see PG_PLUGIN below.

if [ "${PAM_TOTP_PG_TESTS:-}" = no ]; then
	echo "1..0 # SKIP PAM_TOTP_PG_TESTS=no"
	exit 0
fi
if [ "${have_pq:-no}" != yes ]; then
	[ "${with_postgresql:-auto}" = yes ] && bail "--with-postgresql but built without libpq"
	echo "1..0 # SKIP built without PostgreSQL support (libpq-dev not installed)"
	exit 0
fi
# pam_totp.so loads the store from the plugin beside it, and only when the
# plugin is root's (tests/pam_pg.sh checks the refusals): as another user
# the build tree is that user's, and no login could reach the store.
# PAM_TOTP_PG_TESTS=required (tests/run-all.sh) makes that a failure.
PG_PLUGIN="$top_builddir/pam_module/.libs/pam_totp_pg.so"
[ -f "$PG_PLUGIN" ] || bail "$PG_PLUGIN not built"
if [ "$(stat -c %u "$PG_PLUGIN")" != 0 ]; then
	[ "${PAM_TOTP_PG_TESTS:-}" = required ] && bail "$PG_PLUGIN is not owned by root"
	echo "1..0 # SKIP $PG_PLUGIN is not owned by root: the module would refuse it (run as root)"
	exit 0
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] ||
	bail "PostgreSQL server not installed (apt-get install postgresql)"
mkdir -p "$T/clock"
ENROLL=$(test_clock_wrapper "$top_builddir/tools/totp-enroll" "$T/clock")

PGD="$T/pg"
PGSOCK="$PGD/sock"
mkdir -p "$PGSOCK"
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || bail "no postgres user to run the server as"
	chown -R postgres: "$PGD"
	as_pg() { runuser -u postgres -- "$@"; }
else
	as_pg() { "$@"; }
fi
ADMIN_PW="admin-$$-pw"
PAM_PW="pam-$$-pw"
echo "$ADMIN_PW" >"$PGD/pwfile"
[ "$(id -u)" -eq 0 ] && chown postgres: "$PGD/pwfile"
as_pg "$PGBIN/initdb" -D "$PGD/data" -U totp_admin --pwfile="$PGD/pwfile" -E UTF8 \
	--locale=C.UTF-8 --auth-local=scram-sha-256 --auth-host=reject --no-sync \
	>"$PGD/initdb.log" 2>&1 || { cat "$PGD/initdb.log"; bail "initdb failed"; }
rm -f "$PGD/pwfile"

pg_start() {
	as_pg "$PGBIN/pg_ctl" -D "$PGD/data" -l "$PGD/server.log" -w -t 120 \
		-o "-k $PGSOCK -c listen_addresses='' -c max_connections=120 ${PG_SERVER_OPTS:--c fsync=off}" \
		start >/dev/null || { tail -20 "$PGD/server.log"; return 1; }
}
pg_stop() { as_pg "$PGBIN/pg_ctl" -D "$PGD/data" -m "${1:-fast}" -w -t 120 stop >/dev/null; }
pg_postmaster() { head -1 "$PGD/data/postmaster.pid"; }
pg_freeze() { kill -STOP "$(pg_postmaster)"; }
pg_thaw() { kill -CONT "$(pg_postmaster)"; }
silent_pids=
pg_cleanup() {
	[ -z "$silent_pids" ] || kill $silent_pids 2>/dev/null
	if [ -f "$PGD/data/postmaster.pid" ]; then
		pg_thaw 2>/dev/null
		pg_stop immediate 2>/dev/null
	fi
}
trap 'pg_cleanup; rm -rf "$T"' EXIT
pg_start || bail "cannot start PostgreSQL"

ADMIN_DB="host=$PGSOCK dbname=totp user=totp_admin"
pg_psql() {
	PGPASSWORD="$ADMIN_PW" "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}
pg_admin() { pg_psql "$ADMIN_DB" -c "$1"; }
pg_value() { pg_admin "$1" | head -1; }
pg_psql "host=$PGSOCK dbname=postgres user=totp_admin" -c "CREATE DATABASE totp" ||
	bail "cannot create the database"

# The administrator's config, and two hosts' configs for the PAM role: the
# same database, one as a key=value string, one as a URI.
ADMIN_CONF="$T/admin.conf"
HOST_A_CONF="$T/host_a.conf"
HOST_B_CONF="$T/host_b.conf"
PG_KEY=${PG_KEY:-$T/fleet.key}
printf 'store=postgresql\ndb=%s password=%s\ndb_timeout=120\ndb_key=%s\n' "$ADMIN_DB" "$ADMIN_PW" \
	"$PG_KEY" >"$ADMIN_CONF"
printf 'store=postgresql\ndb=host=%s dbname=totp user=pam_totp password=%s\ndb_timeout=120\ndb_key=%s\n' \
	"$PGSOCK" "$PAM_PW" "$PG_KEY" >"$HOST_A_CONF"
printf 'store=postgresql\ndb=postgresql://pam_totp:%s@/totp?host=%s\ndb_timeout=120\ndb_key=%s\n' \
	"$PAM_PW" "$PGSOCK" "$PG_KEY" >"$HOST_B_CONF"
chmod 600 "$ADMIN_CONF" "$HOST_A_CONF" "$HOST_B_CONF"

"$ENROLL" --init-db --conf "$ADMIN_CONF" >"$PGD/init.log" 2>&1 ||
	{ cat "$PGD/init.log"; bail "totp-enroll --init-db failed"; }
pg_admin "CREATE ROLE pam_totp LOGIN PASSWORD '$PAM_PW';
	GRANT SELECT ON pam_totp_schema TO pam_totp;
	GRANT SELECT, UPDATE ON pam_totp_records TO pam_totp;" || bail "cannot create the PAM role"

# pg_enroll USER [make_record options]: USER's row replaced by a fresh
# record with $SECRET, through a record file and totp-enroll --import. The
# file is in a directory of root's alone: --import reads it as an
# administrator's store, and $PGD is the server's user's.
mkdir -m 700 "$T/import"
pg_enroll() {
	local user=$1; shift
	pg_psql "$ADMIN_DB" -v u="$user" <<<"DELETE FROM pam_totp_records WHERE user_name = :'u';" &&
		new_record "$T/import/rec" "$@" &&
		"$ENROLL" --import --quiet --conf "$ADMIN_CONF" "$user=$T/import/rec"
}

# pg_wait_for DESC SQL: wait until SQL (as the administrator) answers t.
# A condition, not a time: the 60 s cap only turns a hang into a failure.
pg_true() { [ "$(pg_value "$1" 2>/dev/null)" = t ]; }
pg_wait_for() { wait_for 60 "$1" pg_true "$2"; }

# timed_login SERVICE USER ANSWER: login; $ms is how long pam_authenticate
# took (pam_login's auth_ms: no process start-up, no wait for pam_wrapper).
timed_login() {
	login "$@"
	ms=$(sed -n 's/^auth_ms: //p' "$T/last.log")
}

# pg_hold USER / pg_release: another session (application_name pg_hold)
# locks USER's row, and keeps it until pg_release commits. It reads its
# statements from descriptor 7: start background commands meanwhile with
# 7>&-, or psql never sees the end of its input.
pg_hold() {
	pg_hold_sql pg_hold "SELECT 1 FROM pam_totp_records WHERE user_name = '${1//\'/\'\'}' FOR UPDATE;"
}
# pg_hold_sql NAME SQL: as pg_hold, a session of the administrator
# (application_name NAME) that runs SQL (one statement) in a transaction,
# and stays in it until pg_release. Waited for: idle in its transaction
# after SQL, not after the BEGIN that psql sends on its own before it.
pg_hold_sql() {
	rm -f "$T/hold.fifo" && mkfifo "$T/hold.fifo"
	pg_psql "$ADMIN_DB application_name=$1" <"$T/hold.fifo" >"$T/hold.out" 2>&1 &
	pg_holder=$!
	exec 7>"$T/hold.fifo"
	printf 'BEGIN; %s\n' "$2" >&7
	pg_wait_for "$1 in its transaction" "SELECT count(*) = 1 FROM pg_stat_activity
		WHERE application_name = '$1' AND state = 'idle in transaction'
		AND query NOT ILIKE 'BEGIN%'"
}
pg_release() {
	echo "COMMIT;" >&7
	exec 7>&-
	wait "$pg_holder"
}

# login_bg SERVICE USER ANSWER LOG: pam_login under pam_wrapper in the
# background, descriptor 7 closed (see pg_hold). $bg_login is pam_login's
# own pid, for kill -STOP, which a function run in the background would
# not give.
login_bg() {
	LD_PRELOAD="$FIRST_PRELOAD" PAM_LOGIN_WRAPPER_LOCK="$PAM_LOGIN_WRAPPER_LOCK" \
		PAM_WRAPPER_SERVICE_DIR="$T/pam" PAM_WRAPPER_DEBUGLEVEL=2 \
		"$PAM_LOGIN" "$1" "$2" "$3" >"$4" 2>&1 7>&- &
	bg_login=$!
}

# silent_server NAME ADDRESS: see the top
silent_server() {
	local name=$1
	rm -f "$T/$name.ready" "$T/$name.accepted"
	python3 - "$2" "$T/$name" >"$T/$name.log" 2>&1 7>&- <<'PY' &
import os, socket, sys
addr, out = sys.argv[1], sys.argv[2]
if addr.startswith("/"):
    s = socket.socket(socket.AF_UNIX)
    s.bind(addr)
else:
    s = socket.socket()
    s.bind((addr, 0))
s.listen(64)
with open(out + ".tmp", "w") as f:
    f.write(str(s.getsockname()[1]) if not addr.startswith("/") else "")
os.rename(out + ".tmp", out + ".ready")
held = []
while True:  # accept, count, and never say a word
    held.append(s.accept()[0])
    with open(out + ".accepted", "a") as f:
        f.write("accepted\n")
PY
	silent_pids+=" $!"
	wait_for 60 "$name listening" test -e "$T/$name.ready" || return 1
	silent_port=$(cat "$T/$name.ready")
	touch "$T/$name.accepted"
}

# pgb_start [INI LINES...]: PgBouncer in transaction mode on a Unix socket
# of its own ($PGB/.s.PGSQL.6432, no TCP) in front of the test cluster, as
# the server's user; the lines given are added to its [pgbouncer] section
# (pool sizes, timeouts). Users pam_totp and totp_admin (its admin user).
# $POOL_DB connects the PAM role through it; pgb_stop ends it, waited for.
pgb_start() {
	PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
	[ -x "$PGBOUNCER" ] || bail "pgbouncer not installed (apt-get install pgbouncer)"
	PGB="$T/pgb"
	mkdir -p "$PGB"
	{
		printf '%s\n' "[databases]" "totp = host=$PGSOCK dbname=totp" "[pgbouncer]" \
			"listen_addr =" "listen_port = 6432" "unix_socket_dir = $PGB" \
			"auth_type = scram-sha-256" "auth_file = $PGB/users.txt" \
			"admin_users = totp_admin" "pool_mode = transaction" "server_login_retry = 1" \
			"logfile = $PGB/pgbouncer.log" "pidfile = $PGB/pgbouncer.pid"
		printf '%s\n' "$@"
	} >"$PGB/pgbouncer.ini"
	printf '"pam_totp" "%s"\n"totp_admin" "%s"\n' "$PAM_PW" "$ADMIN_PW" >"$PGB/users.txt"
	chmod 600 "$PGB/users.txt"
	[ "$(id -u)" -eq 0 ] && chown -R postgres: "$PGB"
	as_pg "$PGBOUNCER" -d "$PGB/pgbouncer.ini" >"$PGB/start.log" 2>&1 ||
		{ cat "$PGB/start.log"; bail "cannot start pgbouncer"; }
	# up: its socket is there and its pid file written (after the socket)
	wait_for 60 "pgbouncer's socket" pgb_up || bail "pgbouncer did not start"
	POOL_DB="host=$PGB port=6432 dbname=totp user=pam_totp password=$PAM_PW"
}
pgb_up() { [ -S "$PGB/.s.PGSQL.6432" ] && [ -s "$PGB/pgbouncer.pid" ]; }
pgb_stop() {
	local pid
	pid=$(cat "$PGB/pgbouncer.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_for 60 "pgbouncer's exit" bash -c '! kill -0 "$1" 2>/dev/null' _ "$pid"
}
