#!/bin/bash
# The PostgreSQL store behind PgBouncer in transaction pool mode, run as
# an unprivileged user on a Unix socket in the test's directory, in front
# of the throw-away cluster: a replay race through it accepts exactly one
# login; a refused replay ends its transaction with ROLLBACK, so the
# pooler keeps its server connection (a client that vanishes mid-
# transaction, the control, makes it throw one away); a login stopped
# while it holds the row lock is ended by the server's
# idle_in_transaction_session_timeout, and the next login through the
# pooler gets the row within its db_timeout; a server stopped behind the
# pooler denies within db_timeout, and logins after it returns are
# accepted.
RACERS=16
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "the module's paths here are pam_pg.sh's, which run under ASan there"
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/pg_env.sh"

# ---- the pooler: $T/pgb, its socket $T/pgb/.s.PGSQL.6432 (no TCP) ----
trap 'pgb_stop; pg_cleanup; rm -rf "$T"' EXIT
pgb_start "default_pool_size = 4" "max_client_conn = 200"
check_eq "pgbouncer runs as an unprivileged user" "$(id -u postgres 2>/dev/null || id -u)" \
	"$(stat -c %u "/proc/$(cat "$PGB/pgbouncer.pid")")"

# pgb_show WHAT: the admin console's SHOW WHAT, for pam_totp's pool
pgb_show() {
	pg_psql "host=$PGB port=6432 dbname=pgbouncer user=totp_admin" -F ' ' -c "SHOW $1" |
		awk '$2 == "pam_totp" || $1 == "totp" && $2 == "pam_totp"'
}
# the server connections of pam_totp's pool: the backends' pids, in order
server_pids() {
	pg_value "SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '')
		FROM pg_stat_activity WHERE usename = 'pam_totp'"
}

pool_conf() { # pool_conf NAME DB_TIMEOUT: a host config through the pooler, a service NAME
	printf 'store=postgresql\ndb=%s\ndb_timeout=%s\ndb_key=%s\n' "$POOL_DB" "$2" "$PG_KEY" \
		>"$T/$1.conf"
	chmod 600 "$T/$1.conf"
	make_service "$1" "conf=$T/$1.conf"
}
# pool: every login that is not about db_timeout (120 s: a race queued
# behind the pooler's 4 server connections on a loaded machine needs far
# less); pool_short and pool_stall: the logins whose db_timeout is checked
# (stall_bound_ms, tests/lib/tap.sh); pool_wait: the login after the stalled one
pool_conf pool 120
pool_conf pool_short 3
pool_conf pool_stall 20
pool_conf pool_wait 120
row() { pg_value "SELECT $1 FROM pam_totp_records WHERE user_name = 'root'"; }

# ---- a replay race through the pooler ----
pg_enroll root
check_login "a code is accepted through the pooler" PAM_SUCCESS pool root "$(code)"
advance_clock 30
c=$(code)
seq0=$(row seq)
rm -rf "$T/race" && mkdir "$T/race"
start=$(($(date +%s%N) + 200000000))
for i in $(seq "$RACERS"); do
	"$PAM_LOGIN" -d "$T/pam" -s "$start" pool root "$c" >"$T/race/$i" 2>&1 &
done
wait
n_success=$(grep -l '^result: PAM_SUCCESS$' "$T/race/"* | wc -l)
n_autherr=$(grep -l '^result: PAM_AUTH_ERR$' "$T/race/"* | wc -l)
check_eq "$RACERS racers with one code through the pooler: one accepted" 1 "$n_success"
check_eq "  the others refused as replays" $((RACERS - 1)) "$n_autherr"
check_eq "  one write" $((seq0 + 1)) "$(row seq)"

# ---- a refused replay keeps the pooler's server connection ----
pids=$(server_pids)
servers=$(pgb_show SERVERS | wc -l)
check "the pool holds server connections after the race ($servers)" test "$servers" -ge 1
check_login "a replay through the pooler is refused" PAM_AUTH_ERR pool root "$c"
check_login "  and another" PAM_AUTH_ERR pool root "$c"
check_eq "  the pooler kept its server connections (the same backends)" "$pids" "$(server_pids)"
check_eq "  SHOW SERVERS: as many as before" "$servers" "$(pgb_show SERVERS | wc -l)"
check "  no server connection closed by pgbouncer" bash -c '! grep -q "$1" "$2"' _ \
	"closing because: client disconnect while server was not ready" "$PGB/pgbouncer.log"
# the control: a client that vanishes inside a transaction costs the pool
# its server connection, which the checks above would have seen
rm -f "$T/vanish.fifo" && mkfifo "$T/vanish.fifo"
PGPASSWORD="$PAM_PW" "$PGBIN/psql" -X -q -A -t "$POOL_DB" <"$T/vanish.fifo" >/dev/null 2>&1 &
vanish=$!
exec 8>"$T/vanish.fifo"
echo "BEGIN; SELECT 1 FROM pam_totp_records WHERE user_name = 'root' FOR UPDATE;" >&8
pg_wait_for "the client inside its transaction" "SELECT count(*) = 1 FROM pg_stat_activity
	WHERE usename = 'pam_totp' AND state = 'idle in transaction'"
victim=$(pg_value "SELECT pid FROM pg_stat_activity
	WHERE usename = 'pam_totp' AND state = 'idle in transaction'")
kill -9 "$vanish"
exec 8>&-
wait "$vanish" 2>/dev/null
check "control: a client killed mid-transaction makes the pooler close that server connection" \
	pg_wait_for "the backend gone" "SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = $victim"
pgb_logged_discard() {
	grep -q "closing because: client disconnect while server was not ready" "$PGB/pgbouncer.log"
}
check "  pgbouncer logs why, in the words the replay check looks for" \
	wait_for 60 "pgbouncer's log line" pgb_logged_discard

# ---- a login stopped while it holds the row lock ----
advance_clock 30
c=$(code)
seq0=$(row seq)
pg_hold root
login_bg pool_stall root "$c" "$T/stalled.log"
stalled=$bg_login
check "a login through the pooler waits for the row lock" \
	pg_wait_for "login waiting" "SELECT count(*) = 1 FROM pg_stat_activity
		WHERE usename = 'pam_totp' AND wait_event_type = 'Lock'"
kill -STOP "$stalled"
pg_release
check "  stopped, its server session holds the row, idle in transaction" \
	pg_wait_for "stalled session" "SELECT count(*) = 1 FROM pg_stat_activity
		WHERE usename = 'pam_totp' AND state = 'idle in transaction'"
timed_login pool_wait root "$c"
check_eq "another login through the pooler gets the row and accepts the code" PAM_SUCCESS "$result"
# without the server's idle timeout the row would stay locked until the
# stopped login resumed (never, here): this one would wait out its 120 s
check "  by the stalled login's db_timeout=20 (took $ms ms, bound $(stall_bound_ms 20))" \
	test "$ms" -lt "$(stall_bound_ms 20)"
check "  the server ended the stalled session" \
	grep -q "terminating connection due to idle-in-transaction timeout" "$PGD/server.log"
kill -CONT "$stalled"
wait "$stalled"
check_eq "the resumed login is denied: it never committed" PAM_AUTHINFO_UNAVAIL \
	"$(sed -n 's/^result: //p' "$T/stalled.log")"
check_eq "  one write: the code accepted once" $((seq0 + 1)) "$(row seq)"
check_login "  the code is refused from now on" PAM_AUTH_ERR pool root "$c"

# ---- the server stopped behind the pooler ----
advance_clock 30
pg_stop
timed_login pool_short root "$(code)"
check_eq "the server stopped behind the pooler: denied" PAM_AUTHINFO_UNAVAIL "$result"
# pgbouncer may keep a client whose server it cannot reach waiting, up to
# its query_wait_timeout (120 s by default): the client's deadline ends it
check "  by db_timeout=3 (took $ms ms, bound $(stall_bound_ms 3))" test "$ms" -lt "$(stall_bound_ms 3)"
# the pooler was reached: not an outage, whatever is behind it
check "  logged as reached, not as an outage" logged "record error: database reached"
pg_start || bail "cannot start PostgreSQL again"
# the pooler itself refuses logins for server_login_retry (1 s) after a
# failed server login ("server login has been failing"): a condition, the
# pooler reaching the server again, not a time
pooler_reaches_server() {
	PGPASSWORD="$PAM_PW" "$PGBIN/psql" -X -q -A -t "$POOL_DB" -c "SELECT 1" >/dev/null 2>&1
}
check "the pooler reaches the server again" wait_for 60 "the pooler reaching the server" \
	pooler_reaches_server
check_login "the server back: a login through the pooler is accepted" PAM_SUCCESS pool root \
	"$(code)"
check_login "  its replay refused" PAM_AUTH_ERR pool root "$(code)"
tap_done
