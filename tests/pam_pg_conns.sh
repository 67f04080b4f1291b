#!/bin/bash
# One connection per login: with nullok (the check before the prompt),
# and for a re-synchronisation (two transactions), the login uses one
# connection, counted in the server's log (log_connections); so a server
# that never answers (as a frozen one) costs one db_timeout, not two: it
# is asked once, counted where it listens. A refused code ends its
# transaction with ROLLBACK and a clean disconnect, not a dropped socket.
. "$top_srcdir/tests/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/pam_env.sh"
. "$top_srcdir/tests/pg_env.sh"

pg_admin "ALTER SYSTEM SET log_connections = on" &&
	pg_admin "ALTER SYSTEM SET log_disconnections = on" &&
	pg_admin "SELECT pg_reload_conf()" >/dev/null || bail "cannot log connections"
pg_wait_for "log_connections on" "SELECT current_setting('log_connections') = 'on'" ||
	bail "log_connections did not come on"
make_service nullok "conf=$HOST_A_CONF nullok"
make_service plain "conf=$HOST_A_CONF"

# connections LOGIN...: run a login, set $n to the pam_totp connections it
# made (the server logs each as it is authorised)
pam_conns() { grep -c "connection authorized: user=pam_totp .*application_name=pam_totp" "$PGD/server.log"; }
connections() {
	local before=$(pam_conns)
	login "$@"
	n=$(($(pam_conns) - before))
}

pg_enroll root
connections nullok root "$(code)"
check_eq "nullok, enrolled: accepted" PAM_SUCCESS "$result"
check_eq "  through one connection" 1 "$n"
connections nullok root "$(wrong_code)"
check_eq "nullok, a wrong code: denied through one connection" "PAM_AUTH_ERR 1" "$result $n"
connections plain root "$(code 5)" "$(code 6)"
check_eq "a re-synchronisation (two codes, two transactions): accepted" PAM_SUCCESS "$result"
check "  after asking for the next code" grep -q "^prompt: Next verification code" "$T/last.log"
check_eq "  through one connection" 1 "$n"
pg_admin "DELETE FROM pam_totp_records WHERE user_name = 'root'"
connections nullok root
check "nullok, not enrolled: ignored" logged "not enrolled, nullok: ignored"
check_eq "  through one connection" 1 "$n"

# a refused replay: the transaction ends with the client's ROLLBACK (a
# pooler then keeps its server connection), not by a disconnect
pg_enroll root
c=$(code)
check_login "a code accepted" PAM_SUCCESS plain root "$c"
pg_admin "ALTER SYSTEM SET log_statement = 'all'" && pg_admin "SELECT pg_reload_conf()" >/dev/null
pg_wait_for "log_statement=all" "SELECT current_setting('log_statement') = 'all'"
lines=$(wc -l <"$PGD/server.log")
check_login "its replay refused" PAM_AUTH_ERR plain root "$c"
tail -n +"$((lines + 1))" "$PGD/server.log" >"$T/replay.log"
check "  the transaction ended with ROLLBACK" grep -q "statement: ROLLBACK" "$T/replay.log"
pg_admin "ALTER SYSTEM RESET log_statement" && pg_admin "SELECT pg_reload_conf()" >/dev/null

# a server that accepts and never answers: one connection, so one wait,
# not two; the time only bounded (stall_bound_ms: without the deadline
# the login would wait for ever)
mkdir -m 700 "$T/silent"
silent_server silent "$T/silent/.s.PGSQL.5432"
sed "s|^db=host=[^ ]*|db=host=$T/silent|" "$HOST_A_CONF" >"$T/silent.conf"
chmod 600 "$T/silent.conf"
make_service silent_nullok "conf=$T/silent.conf db_timeout=3 nullok"
timed_login silent_nullok root "$(code)"
check_eq "nullok, a server that never answers: denied" PAM_AUTHINFO_UNAVAIL "$result"
check_eq "  through one connection" 1 "$(wc -l <"$T/silent.accepted")"
check "  by db_timeout=3 (took $ms ms, bound $(stall_bound_ms 3))" test "$ms" -lt "$(stall_bound_ms 3)"
check "  logged once, with the reason" test "$(grep -c 'database reached' "$T/last.log")" -eq 1

tap_done
