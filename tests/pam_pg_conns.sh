#!/bin/bash
# No connection waits on a person (issue 24, point 5). With
# store=postgresql the module holds no connection, row lock or
# transaction while a prompt is open: split_pass reads no record, nullok's
# check, a re-synchronisation's first code and enrolment at login each
# disconnect before the next prompt. Shown twice: pg_stat_activity has no
# pam_totp session while logins sit at each kind of prompt, and with the
# role limited to one connection, four idle prompts leave room for a login
# that completes. The connections are counted in the server's log
# (log_connections): a server that never answers (as a frozen one) still
# costs one db_timeout, not two, as a failure to connect is kept for the
# login. A refused code ends its transaction with ROLLBACK and a clean
# disconnect, not a dropped socket.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/pg_env.sh"
. "$top_srcdir/tests/lib/enroll_login.sh"

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
check_eq "  through two connections: the check, then the answer" 2 "$n"
connections nullok root "$(wrong_code)"
check_eq "nullok, a wrong code: denied through two connections" "PAM_AUTH_ERR 2" "$result $n"
connections plain root "$(code 5)" "$(code 6)"
check_eq "a re-synchronisation (two codes, two transactions): accepted" PAM_SUCCESS "$result"
check "  after asking for the next code" grep -q "^prompt: Next code from the app" "$T/last.log"
check_eq "  through two connections, one for each code" 2 "$n"
pg_admin "DELETE FROM pam_totp_records WHERE user_name = 'root'"
connections nullok root
check "nullok, not enrolled: ignored" logged "not enrolled, nullok: ignored"
check_eq "  through one connection" 1 "$n"

# ---- logins sitting at a prompt hold nothing ----
# each login its own user (all on one test clock: no code is another's
# replay); nobody is not enrolled, and enrols at login
for u in root daemon bin sys man; do pg_enroll $u || bail "enrolling $u"; done
pg_admin "GRANT INSERT ON pam_totp_records TO pam_totp" || bail "cannot grant INSERT"
make_stack split "auth requisite $MODULE conf=$HOST_A_CONF split_pass" \
	"auth requisite $top_builddir/tests/shims/.libs/pam_first_factor.so" \
	"auth required $MODULE conf=$HOST_A_CONF"
make_stack try_stacked "$SET_ITEMS authtok=not-a-code" \
	"auth required $MODULE conf=$HOST_A_CONF try_first_pass"
make_enrol_service enrol "conf=$HOST_A_CONF enroll=prompt enroll_services=enrol"
pam_sessions() { pg_value "SELECT count(*) FROM pg_stat_activity WHERE usename = 'pam_totp'"; }
no_pam_session() { [ "$(pam_sessions)" = 0 ]; }
# at_prompt NAME DESC: the login NAME is at a prompt (start_enrol and
# answer read up to it), and the server has no session of the PAM role. A
# backend ends a moment after its client's disconnect: waited for, a
# condition (the cap only turns a session that stays into a failure).
at_prompt() {
	check "$2: at the prompt ($(grep '^prompt' "$T/$1.log" | tail -1))" \
		grep -q '^prompt' "$T/$1.log"
	wait_for 60 "$2: no pam_totp session while the prompt is open" no_pam_session
}
start_enrol split split root
at_prompt split "split_pass"
start_enrol nullok nullok daemon
at_prompt nullok "nullok, enrolled (checked before the prompt)"
start_enrol resync plain bin
answer resync "$(code 5)"
at_prompt resync "re-synchronisation, asking for the next code"
start_enrol try try_stacked sys
at_prompt try "try_first_pass, asking after a token that is not a code"
start_enrol enrol enrol nobody
at_prompt enrol "enrolment at login, asking for the first code"

# they leave the server's room free: one connection is enough for a
# whole login while the five sit at their prompts
pg_admin "ALTER ROLE pam_totp CONNECTION LIMIT 1" || bail "cannot limit the role"
check_login "the role limited to one connection, five prompts open: a login is accepted" \
	PAM_SUCCESS plain man "$(code)"
pg_admin "ALTER ROLE pam_totp CONNECTION LIMIT -1" || bail "cannot lift the limit"

# every login answered before any is finished: finish waits for all the
# background logins, and the enrolment still asks to press Enter
answer split "pw$(code)"
answer nullok "$(code)"
answer resync "$(code 6)"
answer try "$(code)"
answer enrol "$(shown_code enrol)"
for name in enrol split nullok resync try; do finish $name; eval "result_$name=\$result"; done
check_eq "the split_pass login, answered after the wait: accepted" PAM_SUCCESS "$result_split"
check_eq "the nullok login, answered: accepted" PAM_SUCCESS "$result_nullok"
check_eq "the re-synchronisation, answered: accepted" PAM_SUCCESS "$result_resync"
check_eq "the try_first_pass login, answered: accepted" PAM_SUCCESS "$result_try"
check_eq "the enrolment, answered: the login goes on" PAM_SUCCESS "$result_enrol"
check_eq "  its row written" 1 \
	"$(pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = 'nobody'")"

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
