#!/bin/bash
# Enrolment at first login (enroll=prompt) with the PostgreSQL store,
# through the real libpam: the row appears only once the first code is
# confirmed, sealed with db_key= (neither the row nor the server's log of
# every statement holds the secret), over the login's one connection; the
# confirming code is used up. Three wrong codes, two first logins at once,
# the server stopped mid-enrolment and a role without INSERT each leave no
# row or exactly one.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"
PG_SERVER_OPTS="-c fsync=off -c log_statement=all -c log_connections=on"
. "$top_srcdir/tests/lib/pg_env.sh"
export LC_ALL=C
. "$top_srcdir/tests/lib/enroll_login.sh"

KEY="$T/fleet.key"
{ cat "$ADMIN_CONF"; echo "db_key=$KEY"; } >"$T/sealed_admin.conf"
{ cat "$HOST_A_CONF"; echo "db_key=$KEY"; } >"$T/sealed_host.conf"
{ cat "$HOST_A_CONF"; echo "db_key=none"; } >"$T/clear_host.conf"
chmod 600 "$T/sealed_admin.conf" "$T/sealed_host.conf" "$T/clear_host.conf"
"$ENROLL" --init-db --quiet --conf "$T/sealed_admin.conf" || bail "cannot make the key"
# the PAM role needs INSERT for enroll=prompt (README "A fleet")
pg_admin "GRANT INSERT ON pam_totp_records TO pam_totp" || bail "cannot grant INSERT"
make_enrol_service sealed "conf=$T/sealed_host.conf enroll=prompt"
make_enrol_service clear "conf=$T/clear_host.conf enroll=prompt"
make_stack ignore "$FIRST_FACTOR" \
	"auth required $MODULE conf=$HOST_A_CONF enroll=prompt db_unavailable=ignore" \
	"auth required pam_permit.so"

row() { pg_admin "SELECT record FROM pam_totp_records WHERE user_name = 'root'"; }
rows() { pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = 'root'"; }
no_row() { [ "$(rows)" = 0 ]; }
pam_conns() { grep -c "connection authorized: user=pam_totp" "$PGD/server.log"; }

# ---- enrolment into a sealed row ----
conns=$(pam_conns)
LOGIN_OPTS="-r 192.0.2.7" start_enrol a sealed root
check "no row: the module shows a Key URI" test -s "$T/a.uri"
check "asks for the first code" grep -q '^prompt: Code from the app: ' "$T/a.log"
check "before the code is confirmed: only the pending secret, sealed" \
	grep -q "^pam_totp-sealed:1:" <<<"$(row)"
answer a "$(shown_code a)"
finish a
check_eq "the right first code: the login goes on" PAM_SUCCESS "$result"
check_eq "... through three short connections (the check, the pending secret, the confirmation), none held while the person reads and types" 3 \
	"$(($(pam_conns) - conns))"
check_eq "one row" 1 "$(rows)"
check "... sealed" grep -q "^pam_totp-sealed:1:" <<<"$(row)"
secret=$(cat "$T/a.secret")
hex=$(python3 -c 'import base64, sys; print(base64.b32decode(sys.argv[1]).hex())' "$secret")
check "... not holding the secret" bash -c '! grep -qi "$1" <<<"$2"' _ "$secret" "$(row)"
check "the server's log of every statement: not the secret" \
	bash -c '! grep -qi "$1" "$2"' _ "$secret" "$PGD/server.log"
check "... nor its hex" bash -c '! grep -qi "$1" "$2"' _ "$hex" "$PGD/server.log"
check "... but the INSERT is there" grep -q "INSERT INTO pam_totp_records" "$PGD/server.log"
check "enrolment logged with user, service and rhost" \
	in_log a "user=root service=sealed rhost=192.0.2.7: enrolled at login (row in pam_totp_records)"
check "no secret in the module's log" sh -c "! grep SYSLOG '$T/a.log' | grep -q '$secret'"
check_eq "the confirming step is stored as used" "$(($(test_now) / 30))" \
	"$(pg_value "SELECT last_step FROM pam_totp_records WHERE user_name = 'root'")"
check_login "the confirming code is refused at the next login" PAM_AUTH_ERR sealed root \
	"$(shown_code a)"
check "... as a replay" logged "replayed code refused"
check_login "the next code is accepted" PAM_SUCCESS sealed root "$(shown_code a 1)"
check "an enrolled user is not enrolled again" sh -c "! grep -q otpauth '$T/last.log'"

# ---- with db_key=none the same writer stores it in the clear ----
pg_admin "DELETE FROM pam_totp_records"
start_enrol k clear root
answer k "$(shown_code k)"
finish k
check_eq "db_key=none: enrolled too" PAM_SUCCESS "$result"
check "... the row in the clear" grep -q "$(cat "$T/k.secret")" <<<"$(row)"

# ---- nothing written ----
pg_admin "DELETE FROM pam_totp_records"
start_enrol b sealed root
answer b "$(wrong_code)"
answer b "$(wrong_code)"
answer b "$(wrong_code)"
finish b
check_eq "three wrong first codes: denied" PAM_AUTH_ERR "$result"
check "... no enrolment: only the secret shown, pending and void" test "$(rows)" -eq 1
check "... logged" in_log b "enrolment at login not confirmed (3 wrong first codes): not enrolled"
make_service sealed_plain "conf=$T/sealed_host.conf"
check_login "... its code does not log in" PAM_AUTH_ERR sealed_plain root "$(shown_code b)"
start_enrol b2 sealed root
check "... the next login shows a new secret" test "$(cat "$T/b2.secret")" != "$(cat "$T/b.secret")"
finish b2
pg_admin "DELETE FROM pam_totp_records"

# ---- two first logins of one user at once ----
enrol_race sealed root
check "... the other told why" grep -q "^error: This was not saved: at the same moment another login" "$T/q.log"
check_eq "... exactly one row" 1 "$(rows)"
check_login "... the first's secret is the one kept" PAM_SUCCESS sealed root "$(shown_code p 1)"

# ---- the server stopped while the user types the code ----
pg_admin "DELETE FROM pam_totp_records"
start_enrol s sealed root
start_enrol i ignore root
pg_stop
answer s "$(shown_code s)"
answer i "$(shown_code i)"
finish s
check_eq "the server stopped before the row was written: denied" PAM_AUTHINFO_UNAVAIL "$result"
check "... logged" in_log s "denied: database unavailable: .*; enrolment at login not saved$"
check "... the user told" grep -q "^error: Setting up the app did not work" "$T/s.log"
check "... no recovery codes shown" sh -c "! grep -q '^prompt: Press Enter' '$T/s.log'"
finish i
check_eq "... with db_unavailable=ignore the stack decides (pam_permit)" PAM_SUCCESS "$result"
check "... logged" in_log i \
	": database unavailable: .*; enrolment at login not saved; db_unavailable=ignore: the stack decides"
check_login "the server down at the start: denied" PAM_AUTHINFO_UNAVAIL sealed root 123456
check "... no Key URI shown" sh -c "! grep -q otpauth '$T/last.log'"
pg_start || bail "cannot start PostgreSQL again"
check "... no enrolment: only the secret shown, pending" test "$(rows)" -eq 1
check_login "... its code does not log in" PAM_AUTH_ERR sealed_plain root "$(shown_code s)"

# ---- a leaver: removed, and not enrolled again at a login until reset ----
. "$top_srcdir/tests/lib/admin_env.sh"
state_reset() {
	[ "$(pg_value "SELECT failures || ' ' || locked_until || ' ' || last_step || ' ' || resync_step
		FROM pam_totp_records WHERE user_name = 'root'")" = "0 0 -1 -1" ]
}
tombstone_ok() {
	check "... one row, sealed" grep -q "^pam_totp-sealed:1:" <<<"$(row)"
	check "... its state reset" state_reset
}
pg_admin "DELETE FROM pam_totp_records"
leaver_round "conf=$T/sealed_host.conf" "$T/sealed_admin.conf"

# ---- a PAM role without INSERT ----
pg_admin "DELETE FROM pam_totp_records"
pg_admin "REVOKE INSERT ON pam_totp_records FROM pam_totp"
start_enrol r sealed root
finish r
check_eq "a role without INSERT: refused" PAM_AUTHINFO_UNAVAIL "$result"
check "... before any secret is shown (the pending one cannot be kept)" \
	sh -c "! grep -q otpauth '$T/r.log'"
check "... logged" in_log r "enrolment at login failed: cannot keep the enrolment pending: .*permission denied"
check "... no row" no_row
tap_done
