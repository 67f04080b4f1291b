#!/bin/bash
# db_unavailable=ignore lets a login through only when no server of db=
# could be reached at all: a connection refused, no route, no answer to
# the connect, a missing socket, a resolver without an answer. A server
# that was reached and cannot serve the login is busy, not gone: the login
# is denied (PAM_AUTHINFO_UNAVAIL) whatever db_unavailable says, and the
# log line says ignore did not apply. Each case with ignore set:
#  (1) a full server: every slot of max_connections but the superusers'
#      taken (53300), the role's CONNECTION LIMIT (53300), a list whose
#      other server is unreachable, a read-only server (as a standby), and
#      a shutdown under way ("shutting down", 57P03);
#  (2) a full pooler: PgBouncer's max_client_conn reached, and its pool's
#      one server connection taken (query_wait_timeout);
#  (3) the user's row locked by another session: an administrator's
#      whole-table operation with the role's lock_timeout (55P03), LOCK
#      TABLE, and one user's row held past a short db_timeout, the one
#      check whose subject is that timeout (verdict and log line only);
#  (4) the control: an unreachable server (a closed TCP port on
#      127.0.0.1, a missing socket directory, a list of both, the server
#      stopped) is an outage: PAM_IGNORE with ignore (pam_permit decides),
#      PAM_AUTHINFO_UNAVAIL without.
# Every stack is pam_totp then pam_permit, every answer a wrong code: only
# PAM_IGNORE can give PAM_SUCCESS. Every db_timeout but the one in (3) is
# 120 s, which no verdict here waits for.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"
# 10 slots, 3 of them reserved for superusers (totp_admin, the test's own
# queries): 7 for everyone else, few enough to take them all
PG_SERVER_OPTS="-c fsync=off -c max_connections=10 -c superuser_reserved_connections=3"
. "$top_srcdir/tests/lib/pg_env.sh"

# busy_conf NAME DB [OPTION...]: a root-only config for the PAM role; the
# stack NAME (pam_totp with db_unavailable=ignore, then pam_permit) and
# the service NAME_deny (pam_totp alone, no ignore). The wrong codes
# counted here never lock root out.
busy_conf() {
	local name=$1 db=$2; shift 2
	{ echo "store=postgresql"; echo "db=$db"; echo "db_key=$PG_KEY"; echo "db_timeout=120"
		echo "max_failures=100"; echo "failure_ceiling=100"; printf '%s\n' "$@"; } \
		>"$T/$name.conf"
	chmod 600 "$T/$name.conf"
	make_stack "$name" "auth required $MODULE conf=$T/$name.conf db_unavailable=ignore" \
		"auth required pam_permit.so"
	make_service "${name}_deny" "conf=$T/$name.conf"
}
# what the module logs for a server that was reached and cannot serve
REACHED='database reached but not serving (not an outage: db_unavailable=ignore does not apply)'
# busy_denies NAME DESC LOG: with ignore, a wrong code is denied, and the
# log line says the server was reached, with LOG (libpq's or the server's words)
busy_denies() {
	check_login "$2, db_unavailable=ignore: denied" PAM_AUTHINFO_UNAVAIL "$1" root \
		"$(wrong_code)"
	check "  logged: reached, ignore does not apply; $3" logged "$REACHED: .*\($3\)"
	said
}
# said: the last login's log lines, as comments
said() { grep -o 'SYSLOG([0-9]*): .*' "$T/last.log" | sed 's/^/#   /'; }
# outage NAME DESC LOG: with ignore the stack decides, without it denies
outage() {
	check_login "$2, db_unavailable=ignore: an outage, the stack decides" PAM_SUCCESS "$1" \
		root "$(wrong_code)"
	check "  logged as unavailable; $3" \
		logged "database unavailable: .*\($3\).*; db_unavailable=ignore: the stack decides"
	said
	check_login "  without ignore: denied" PAM_AUTHINFO_UNAVAIL "${1}_deny" root "$(wrong_code)"
	check "  logged as unavailable" logged "denied: database unavailable: .*\($3\)"
}
SOCK_DB="host=$PGSOCK dbname=totp user=pam_totp password=$PAM_PW"
busy_conf sock "$SOCK_DB"
pg_enroll root
# wrong_counted DESC SERVICE: the server serves: a wrong code is counted
wrong_counted() {
	check_login "$1" PAM_AUTH_ERR "$2" root "$(wrong_code)"
	check "  logged as a wrong code" logged "wrong code ("
}
wrong_counted "control: the server serves, a wrong code counts" sock

# ---- (1) a full server ----
# fillers: sessions of totp_admin that sleep until ended, one for each
# slot not reserved for superusers, once no other session is left (the
# query's own is the one counted)
pg_wait_for "no session but the query's" "SELECT count(*) = 1 FROM pg_stat_activity
	WHERE backend_type = 'client backend'"
free=$(($(pg_value "SHOW max_connections") - $(pg_value "SHOW superuser_reserved_connections")))
for _ in $(seq "$free"); do
	pg_psql "$ADMIN_DB application_name=filler" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 7>&- &
done
check "every slot but the superusers' taken ($free fillers)" \
	pg_wait_for "$free fillers" "SELECT count(*) = $free FROM pg_stat_activity
		WHERE application_name = 'filler' AND wait_event = 'PgSleep'"
busy_denies sock "max_connections reached" '53300'
pg_value "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE application_name = 'filler'" >/dev/null
wait
check "the fillers gone" pg_wait_for "no filler" "SELECT count(*) = 0 FROM pg_stat_activity
	WHERE application_name = 'filler'"
wrong_counted "  then a wrong code counts again" sock

pg_admin "ALTER ROLE pam_totp CONNECTION LIMIT 0"
busy_denies sock "the role's CONNECTION LIMIT reached" '53300: too many connections for role "pam_totp"'
# one server of the list unreachable, the other reached and full: not an
# outage of every server
busy_conf list_full "host=$T/no-such-dir,$PGSOCK dbname=totp user=pam_totp password=$PAM_PW"
busy_denies list_full "host=missing,full" '53300: too many connections for role "pam_totp"'
pg_admin "ALTER ROLE pam_totp CONNECTION LIMIT -1"

pg_admin "ALTER ROLE pam_totp SET default_transaction_read_only = on"
busy_denies sock "a read-only server (as a standby)" 'a read-only server'
pg_admin "ALTER ROLE pam_totp RESET default_transaction_read_only"
wrong_counted "  then a wrong code counts again" sock

# ---- (3) the user's row locked by another session ----
# (pg_hold_sql, tests/lib/pg_env.sh: a session of totp_admin in a transaction)
# every row locked, as totp-enroll --rotate-key does until its commit; the
# role's lock_timeout ends the login's wait at once (55P03)
pg_admin "ALTER ROLE pam_totp SET lock_timeout = '100ms'"
pg_hold_sql rotate "SELECT count(*) FROM (SELECT 1 FROM pam_totp_records FOR UPDATE) r;"
busy_denies sock "every row locked by an administrator, lock_timeout" '55P03\|lock timeout'
pg_release
pg_hold_sql lock_table "LOCK TABLE pam_totp_records IN ACCESS EXCLUSIVE MODE;"
busy_denies sock "LOCK TABLE by an administrator, lock_timeout" '55P03\|lock timeout'
pg_release
pg_admin "ALTER ROLE pam_totp RESET lock_timeout"
# one user's row held past db_timeout: the subject is that timeout, so this
# login alone has a short one; whether the server's statement_timeout or
# the client's deadline ends the wait, the verdict is the same
make_stack sock_short "auth required $MODULE conf=$T/sock.conf db_timeout=3 db_unavailable=ignore" \
	"auth required pam_permit.so"
pg_hold root
busy_denies sock_short "the user's row held past db_timeout=3" 'statement timeout\|no reply in time\|within 3 s'
pg_release
wrong_counted "  the lock released: a wrong code counts" sock

# ---- (2) a full pooler ----
# PgBouncer on a Unix socket of its own, as in tests/pam_pg_pooler.sh: two
# clients at most, one server connection, and a client that waits for it
# is sent away after 1 s (query_wait_timeout)
trap 'pgb_stop; pg_cleanup; rm -rf "$T"' EXIT
pgb_start "default_pool_size = 1" "max_client_conn = 2" "query_wait_timeout = 1"
busy_conf pool "$POOL_DB"
wrong_counted "control: through the pooler, a wrong code counts" pool
# pgb_logins: the logins the pooler has let in so far
pgb_logins() { grep -c 'login attempt: db=totp user=pam_totp' "$PGB/pgbouncer.log"; }
# pgb_client N: a client of the pooler that stays connected, psql reading
# its statements from a FIFO: its pid in $pgb_pid, the descriptor that
# writes to it in $pgb_fd
pgb_client() {
	rm -f "$T/client$1.fifo" && mkfifo "$T/client$1.fifo"
	PGPASSWORD="$PAM_PW" "$PGBIN/psql" -X -q -A -t "$POOL_DB" <"$T/client$1.fifo" \
		>"$T/client$1.out" 2>&1 7>&- &
	pgb_pid=$!
	exec {pgb_fd}>"$T/client$1.fifo"
}
logins0=$(pgb_logins)
pgb_client 1
client1=$pgb_pid fd1=$pgb_fd
pgb_client 2
client2=$pgb_pid fd2=$pgb_fd
at_least_logins() { [ "$(pgb_logins)" -ge "$1" ]; }
check "two clients connected to the pooler" \
	wait_for 60 "two clients in the pooler" at_least_logins $((logins0 + 2))
busy_denies pool "the pooler's max_client_conn reached" 'max_client_conn'
# client 2 leaves; client 1 takes the one server connection and keeps it
exec {fd2}>&-
wait "$client2"
echo "SELECT pg_sleep(600);" >&"$fd1"
check "the pool's one server connection taken" \
	pg_wait_for "the client's statement on the server" "SELECT count(*) = 1 FROM pg_stat_activity
		WHERE usename = 'pam_totp' AND query LIKE '%pg_sleep(600)%' AND wait_event = 'PgSleep'"
busy_denies pool "the pool's server connections all taken" 'query_wait_timeout'
pg_value "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
	WHERE usename = 'pam_totp' AND query LIKE '%pg_sleep(600)%'" >/dev/null
exec {fd1}>&-
wait "$client1"
wrong_counted "the pool free again: a wrong code counts" pool
# its server connection would hold a smart shutdown (below) open
pgb_stop

# ---- (4) unreachable: an outage ----
busy_conf closed_port "host=127.0.0.1 port=1 dbname=totp user=pam_totp password=$PAM_PW sslmode=verify-full sslrootcert=$T/no-ca.crt"
outage closed_port "a closed TCP port on 127.0.0.1" 'Connection refused'
busy_conf no_dir "host=$T/no-such-dir dbname=totp user=pam_totp password=$PAM_PW"
outage no_dir "a missing socket directory" 'No such file or directory'
busy_conf list_gone "host=$T/no-such-dir,127.0.0.1 port=5432,1 dbname=totp user=pam_totp password=$PAM_PW sslmode=verify-full sslrootcert=$T/no-ca.crt"
outage list_gone "host=missing,closed: no server reached" 'Connection refused'

# ---- (1) a server shutting down, then (4) stopped ----
# a smart shutdown waits for the sessions open; until they end, the server
# answers every new one "the database system is shutting down" (57P03)
pg_hold_sql before_stop "SELECT 1;"
as_pg "$PGBIN/pg_ctl" -D "$PGD/data" -m smart -W stop >/dev/null
shutting_down() {
	! pg_psql "$ADMIN_DB" -c "SELECT 1" >"$T/probe.out" 2>&1 &&
		grep -q "shutting down" "$T/probe.out"
}
check "the server shutting down" wait_for 60 "the server shutting down" shutting_down
busy_denies sock "a shutdown under way" '57P03: the database system is shutting down'
pg_release
server_gone() { [ ! -e "$PGD/data/postmaster.pid" ]; }
check "the server stopped" wait_for 60 "the server's stop" server_gone
outage sock "the server stopped (no socket)" 'No such file or directory'
pg_start || bail "cannot start PostgreSQL again"
wrong_counted "the server back: a wrong code counts" sock

tap_done
