#!/bin/bash
# totp-admin on the PostgreSQL store (a throw-away cluster, tests/lib/pg_env.sh):
# list, status, unlock, remove, reset and missing, text and JSON, on rows written
# by totp-enroll --import and changed by real logins through libpam. The
# administrator's config owns the tables; the logins use the PAM role.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (totp-admin)"; exit 0; }
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/pg_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"

A=pt_adm_pa B=pt_adm_pb C=pt_adm_pc G=pt_adm_pg REMOTE=pt_adm_remote
# the users and their group: in a user database of the test's own
# (tests/lib/nss_env.sh), which missing walks; $REMOTE is in none
. "$top_srcdir/tests/lib/nss_env.sh"
ADMIN_PRELOAD=$NSS_PRELOAD
PAM_LOGIN_PRELOAD=$NSS_WRAPPER_LIB
nss_group $G
for u in $A $B $C; do nss_user $u /nonexistent $G; done

# one policy for the logins and the tool, as one pam_totp.conf would hold
policy='max_failures=2\nfailure_ceiling=5\nlockout_base=600\nlockout_max=600\n'
printf "$policy" >>"$HOST_A_CONF"
printf "$policy" >>"$ADMIN_CONF"
make_service a "conf=$HOST_A_CONF"
row() {
	pg_psql "$ADMIN_DB" -F ' ' -v u="$1" \
		<<<"SELECT failures, locked_until, last_step FROM pam_totp_records WHERE user_name = :'u';"
}
bad=$(wrong_code)

pg_enroll $A -s 5 || bail "enrolling $A"
pg_enroll $B -r 3 -i 1000 >"$T/recovery" || bail "enrolling $B"
pg_enroll $REMOTE || bail "enrolling $REMOTE"

check_admin "list" 0 --conf "$ADMIN_CONF" list
check "list shows $A at the failure ceiling as disabled" grep -Eq "^$A +SHA1/6/30 +- +5 +- +0  disabled$" "$T/admin.out"
check "list shows $B with 3 recovery codes" grep -Eq "^$B +SHA1/6/30 +- +0 +- +3  ok$" "$T/admin.out"
check "list shows a row of a user unknown on this host" grep -q "^$REMOTE .* ok$" "$T/admin.out"
check "list leaves out $C (no row)" test "$(grep -c "^$C " "$T/admin.out")" = 0

c0=$(code)
check_login "$B logs in" PAM_SUCCESS a $B "$c0"
check_login "$B wrong code 1" PAM_AUTH_ERR a $B "$bad"
check_login "$B wrong code 2 starts a lock-out" PAM_AUTH_ERR a $B "$bad"
check_admin "list --locked --json" 0 --conf "$ADMIN_CONF" list --locked --json
check_eq "JSON: $A disabled and $B locked, nobody else" "$A:disabled $B:locked" \
	"$(json_get "$T/admin.out" "' '.join(u['user'] + ':' + u['state'] for u in d)")"
check_eq "JSON: $B's failures, recovery codes, lock-out in UTC" "2 3 True" \
	"$(json_get "$T/admin.out" "' '.join(str(x) for u in d if u['user'] == '$B' for x in (u['failures'], u['recovery_codes_left'], u['locked_until'].endswith('Z')))")"
check_admin "status $B" 0 --conf "$ADMIN_CONF" status $B
check "status names the table" grep -qx "record: *postgresql: pam_totp_records" "$T/admin.out"
check "status tells the state" grep -qx "state: *locked" "$T/admin.out"
check_admin "status of $C (no row) exits 3" 3 --conf "$ADMIN_CONF" status $C

last=$(row $B | cut -d' ' -f3)
check_admin "unlock $B" 0 --conf "$ADMIN_CONF" unlock $B
check "unlock logged with the administrator's name" \
	admin_logged "user=$B by=$ADMIN_NAME: unlocked (2 failures cleared, was locked until 20[0-9-]*T[0-9:]*Z)"
check_eq "the row: no failures, no lock-out, the same last step" "0 0 $last" "$(row $B)"
check_login "the code used before the unlock is still a replay" PAM_AUTH_ERR a $B "$c0"
check "... logged as a replay" logged "replayed code refused"
check_login "$B logs in with the next code" PAM_SUCCESS a $B "$(code 1)"
check_login "a recovery code still works" PAM_SUCCESS a $B "$(sed -n 1p "$T/recovery")"
check_login "$A at the ceiling is refused" PAM_AUTH_ERR a $A "$(code)"
check "the disabled line names totp-admin unlock" logged "totp-admin unlock $A"
check_admin "unlock $A" 0 --conf "$ADMIN_CONF" unlock $A
check_login "$A logs in after the unlock" PAM_SUCCESS a $A "$(code)"
check_admin "unlock of a user of another host" 0 --conf "$ADMIN_CONF" unlock $REMOTE

check_admin "missing --group $G" 0 --conf "$ADMIN_CONF" missing --group $G
check_eq "missing names $C alone" "$C" "$(cat "$T/admin.out")"

admin_input no --conf "$ADMIN_CONF" remove $A
check_eq "remove answered no exits 5" 5 "$admin_rc"
check_eq "... and the row is still there" 1 "$(pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = '$A'")"
admin_input y --conf "$ADMIN_CONF" remove $A
check_eq "remove answered y" 0 "$admin_rc"
check "... leaves a tombstone in the row, sealed, its state reset" \
	test "$(pg_value "SELECT record LIKE 'pam_totp-sealed:1:%' AND failures = 0 AND locked_until = 0
		AND last_step = -1 FROM pam_totp_records WHERE user_name = '$A'")" = t
check "... logged" admin_logged \
	"user=$A by=$ADMIN_NAME: enrolment removed (postgresql: pam_totp_records); enrolment at login closed until totp-admin reset $A"
check_admin "remove --yes $B" 0 --conf "$ADMIN_CONF" remove --yes $B
check_admin "remove --yes of a user of another host" 0 --conf "$ADMIN_CONF" remove --yes $REMOTE
check_login "$B's row is a tombstone: denied" PAM_AUTH_ERR a $B "$(code 1)"
check "... as removed, by whom" logged "removed by an administrator on .* by $ADMIN_NAME"
check_admin "remove of a removed user exits 3" 3 --conf "$ADMIN_CONF" remove --yes $B
check "... already removed" grep -q "$B is already removed" "$T/admin.err"
check_admin "status of a removed user exits 3" 3 --conf "$ADMIN_CONF" status $B --json
check_eq "... removed, by whom" "removed $ADMIN_NAME" "$(json_get "$T/admin.out" "d['state'] + ' ' + d['removed_by']")"
check_admin "list shows the removed" 0 --conf "$ADMIN_CONF" list
check "... with when and by whom" grep -Eq "^$REMOTE +- .* removed on 20[0-9-]+T[0-9:]+Z by $ADMIN_NAME$" "$T/admin.out"
for u in $A $B $REMOTE; do
	check_admin "reset --yes $u" 0 --conf "$ADMIN_CONF" reset --yes $u
done
check "... logged" admin_logged "user=$REMOTE by=$ADMIN_NAME: reset: may enrol a new phone at the next login (was removed on .*)"
check_eq "... no row left of them" 0 "$(pg_value "SELECT count(*) FROM pam_totp_records")"
check_admin "reset of a user without a row exits 3" 3 --conf "$ADMIN_CONF" reset --yes $B
# a file store's tombstone moves into the database as one (totp-enroll --import)
printf 'pam_totp-removed 1\nremoved=%s\nby=pt_adm_other\n' "$(test_now)" >"$T/import/rec"
chmod 600 "$T/import/rec"
"$ENROLL" --import --quiet --conf "$ADMIN_CONF" "$B=$T/import/rec"
check_eq "totp-enroll --import of a tombstone" 0 "$?"
check_admin "... status exits 3" 3 --conf "$ADMIN_CONF" status $B --json
check_eq "... removed, by the administrator the file names" "removed pt_adm_other" "$(json_get "$T/admin.out" "d['state'] + ' ' + d['removed_by']")"
check_login "... a login is denied as removed" PAM_AUTH_ERR a $B "$(code 1)"
check "... and logged so" logged "removed by an administrator on .* by pt_adm_other"
check_admin "reset --yes $B" 0 --conf "$ADMIN_CONF" reset --yes $B
check_admin "missing --group $G --json" 0 --conf "$ADMIN_CONF" missing --group $G --json
check_eq "now all three are missing" "$A $B $C" "$(json_get "$T/admin.out" "' '.join(d)")"
check_admin "list of an empty table" 0 --conf "$ADMIN_CONF" list --json
check_eq "... an empty JSON list" "[]" "$(cat "$T/admin.out")"

# a row named with escape sequences (an OSC title, a C1 CSI in UTF-8, as
# the database's text holds it): shown escaped by every command, nothing
# raw (tests/admin_escape.sh: the rest)
ODD=$REMOTE$'\e]0;evil\a\xc2\x9b2J'
odd='pt_adm_remote\x1b]0;evil\x07\xc2\x9b2J'
odd_shown() { admin_ascii && grep -qF -- "$1" "$T/admin.out"; }
pg_enroll "$ODD" || bail "enrolling a name with escape sequences"
check_admin "list with a row named with escape sequences" 0 --conf "$ADMIN_CONF" list
check "... the name escaped, no raw byte" odd_shown "$odd "
check_admin "list --json with it" 0 --conf "$ADMIN_CONF" list --json
check "... as \\u00HH, no raw byte" odd_shown '"pt_adm_remote\u001b]0;evil\u0007\u00c2\u009b2J"'
check_admin "status of it" 0 --conf "$ADMIN_CONF" status "$ODD"
check "... the name escaped, no raw byte" odd_shown "user:                $odd"
check_admin "remove --yes of it" 0 --conf "$ADMIN_CONF" remove --yes "$ODD"
check "... the name escaped, no raw byte" odd_shown "$odd: enrolment removed"
check_admin "list with its tombstone" 0 --conf "$ADMIN_CONF" list
check "... the name escaped, no raw byte" odd_shown "$odd "
check_admin "reset --yes of it" 0 --conf "$ADMIN_CONF" reset --yes "$ODD"
check "... the name escaped, no raw byte" odd_shown "$odd: reset"

# the PAM role may not delete: a reset with its config fails, and says why
pg_enroll $C
check_admin "reset with the PAM role's config fails" 1 --conf "$HOST_A_CONF" reset --yes $C
check "... with the database's reason" grep -q "permission denied" "$T/admin.err"
check "... logged" admin_logged "user=$C by=$ADMIN_NAME: reset failed"
check_eq "... and the row is still there" 1 "$(pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = '$C'")"

# a db= password in a file others may read: refused, as by the module
cp "$ADMIN_CONF" "$T/open.conf"
chmod 644 "$T/open.conf"
check_admin "a config file with a password readable by others is refused" 1 --conf "$T/open.conf" list
check "... saying why" grep -q "holds a database password (line 2): it must be readable by root alone" \
	"$T/admin.err"
# db_insecure_transport=yes is said out loud, as totp-enroll says it
cp "$ADMIN_CONF" "$T/insecure.conf"
echo db_insecure_transport=yes >>"$T/insecure.conf"
check_admin "list with db_insecure_transport=yes (a Unix socket: it works)" 0 --conf "$T/insecure.conf" list
check "... with a warning that secrets may cross the network unencrypted" \
	grep -q "warning: db_insecure_transport=yes: secrets may cross the network unencrypted" \
	"$T/admin.err"

tap_done
