#!/bin/bash
# A login that stops (SIGSTOP: as a paused VM or a cut TCP connection
# would) between its SELECT ... FOR UPDATE and its UPDATE must not keep
# the user's row locked past its own db_timeout: the server ends the
# session (idle_in_transaction_session_timeout) and the next login, on any
# host, gets the row. The stopped login, once resumed, is denied: it never
# committed, so its code stays usable exactly once.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/pg_env.sh"

# host A: the login that stalls, db_timeout=20: room to connect and be
# stopped in its lock wait on a loaded machine before its deadline. Host B
# has the hosts' db_timeout=120: without the server's idle timeout the row
# would stay locked until the stopped login resumed (never, here) and B
# would wait out its 120 s and be denied
make_service a_stall "conf=$HOST_A_CONF db_timeout=20"
make_service a "conf=$HOST_A_CONF"
make_service b "conf=$HOST_B_CONF"
row() { pg_value "SELECT $1 FROM pam_totp_records WHERE user_name = 'root'"; }
pam_sessions() { # pam_sessions CONDITION: SQL true when one pam_totp session matches
	echo "SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'pam_totp' AND $1"
}

pg_enroll root
seq0=$(row seq)
c=$(code)
# The stalled login: started while another session holds the row, stopped
# while it waits for the lock, so the lock is granted to a stopped client.
pg_hold root
login_bg a_stall root "$c" "$T/stalled.log"
stalled=$bg_login
check "the login waits for the row lock" \
	pg_wait_for "login waiting" "$(pam_sessions "wait_event_type = 'Lock'")"
kill -STOP "$stalled"
pg_release
check "the stopped login's session holds the row, idle in transaction" \
	pg_wait_for "stalled session" "$(pam_sessions "state = 'idle in transaction'")"

timed_login b root "$c"
check_eq "another host's login gets the row and accepts the code" PAM_SUCCESS "$result"
# the lock was gone by the stopped login's deadline (20 s after it began,
# before this login began): stall_bound_ms of that, well short of B's 120
check "  by the stalled login's db_timeout=20 (took $ms ms, bound $(stall_bound_ms 20))" \
	test "$ms" -lt "$(stall_bound_ms 20)"
check "the server ended the stalled session" \
	grep -q "terminating connection due to idle-in-transaction timeout" "$PGD/server.log"
check "  no session is left idle in a transaction" \
	pg_wait_for "no idle session" "SELECT count(*) = 0 FROM pg_stat_activity
		WHERE application_name = 'pam_totp' AND state LIKE 'idle in transaction%'"

kill -CONT "$stalled"
wait "$stalled"
result=$(sed -n 's/^result: //p' "$T/stalled.log")
check_eq "the resumed login is denied: it never committed" PAM_AUTHINFO_UNAVAIL "$result"
check "  logged: the server it reached ended its session" \
	grep -q "record error: database reached" "$T/stalled.log"
check_eq "one login accepted the code, once: one write" "$((seq0 + 1))" "$(row seq)"
check_eq "  the accepted step is in the row" "$(($(test_now) / 30))" "$(row last_step)"
check_login "the code is refused from now on" PAM_AUTH_ERR a root "$c"

tap_done
