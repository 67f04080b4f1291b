#!/bin/bash
# totp-admin on the file store, records in the users' homes (%h) and in a
# root store: list, status, unlock, remove, reset and missing, as text and JSON,
# against records written by the real writer and changed by real logins
# through libpam. Every change is logged with the administrator's name.
# Exact long options in both tools. The users are the test's own
# (tests/lib/nss_env.sh). Needs root (files of other users).
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (files of other users)"; exit 0; }
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"

A=pt_adm_fa B=pt_adm_fb C=pt_adm_fc G=pt_adm_fg
mkdir -m 700 "$T/store"
bad=$(wrong_code)
# the users and their group exist in a user database of the test's own
# (tests/lib/nss_env.sh) and nowhere else: list and missing walk every user,
# and in the home store every user's home counts, so the machine's other
# users (or a test running beside this one, with an enrolled, locked or
# broken record in a home of its own) must not be among them
. "$top_srcdir/tests/lib/nss_env.sh"
ADMIN_PRELOAD=$NSS_PRELOAD
PAM_LOGIN_PRELOAD=$NSS_WRAPPER_LIB
nss_group $G
for u in $A $B $C; do nss_user $u "" $G; done

tombstones() {
	local f
	for f; do
		[ "$(head -1 "$f")" = "pam_totp-removed 1" ] && [ "$(stat -c '%U %a' "$f")" = "root 600" ] ||
			return 1
	done
}
# run_store NAME TEMPLATE: the whole round on one kind of file store
run_store() {
	local kind=$1 template=$2 conf="$T/$1.conf" recovery c0 before
	rec_of() { local h; h=$(with_nss getent passwd "$1" | cut -d: -f6); echo "${template//%h/$h}" | sed "s/%u/$1/"; }
	# in the home a record is its user's, elsewhere root's (pam_totp(5))
	owner_of() { if [ "$kind" = home ]; then echo "$(nss_uid "$1"):$(nss_gid "$1")"; else echo 0:0; fi; }
	owner_name() { if [ "$kind" = home ]; then echo "$1:$1"; else echo root:root; fi; }
	printf 'secret=%s\nmax_failures=2\nfailure_ceiling=5\nlockout_base=600\nlockout_max=600\n' \
		"$template" >"$conf"
	chmod 644 "$conf"
	make_service "adm_$kind" "conf=$conf"
	new_record "$(rec_of $A)" -o "$(owner_of $A)" -s 5 >/dev/null
	recovery=$(new_record "$(rec_of $B)" -o "$(owner_of $B)" -r 3 -i 1000)

	check_admin "$kind: list" 0 --conf "$conf" list
	check "$kind: list shows $A at the failure ceiling as disabled" \
		grep -Eq "^$A +SHA1/6/30 +- +5 +- +0  disabled$" "$T/admin.out"
	check "$kind: list shows $B with 3 recovery codes" \
		grep -Eq "^$B +SHA1/6/30 +- +0 +- +3  ok$" "$T/admin.out"
	check "$kind: list leaves out $C (not enrolled)" test "$(grep -c "^$C " "$T/admin.out")" = 0

	# B logs in, then is locked out by two wrong codes
	c0=$(code)
	check_login "$kind: $B logs in" PAM_SUCCESS "adm_$kind" $B "$c0"
	check_login "$kind: $B wrong code 1" PAM_AUTH_ERR "adm_$kind" $B "$bad"
	check_login "$kind: $B wrong code 2 starts a lock-out" PAM_AUTH_ERR "adm_$kind" $B "$bad"
	check "$kind: the lock-out is logged with an ISO 8601 time" \
		logged "locked until 20[0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z"
	check_admin "$kind: list --locked" 0 --conf "$conf" list --locked
	check "$kind: list --locked names $B as locked" grep -Eq "^$B .* 2 +20[0-9-]+T[0-9:]+Z +3  locked$" "$T/admin.out"
	check "$kind: list --locked names $A (disabled)" grep -q "^$A .*disabled$" "$T/admin.out"
	check_admin "$kind: list --disabled" 0 --conf "$conf" list --disabled
	check "$kind: list --disabled names $A alone" \
		test "$(grep -c "^$A " "$T/admin.out"):$(grep -c "^$B " "$T/admin.out")" = 1:0
	check_admin "$kind: list --json" 0 --conf "$conf" list --json
	check_eq "$kind: JSON: $B's state, failures, recovery codes, algorithm" \
		"locked 2 3 SHA1 6 30" \
		"$(json_get "$T/admin.out" "' '.join(str(x) for u in d if u['user'] == '$B' for x in (u['state'], u['failures'], u['recovery_codes_left'], u['algorithm'], u['digits'], u['period']))")"
	check "$kind: JSON: $B's last login and lock-out are ISO 8601 UTC" \
		test "$(json_get "$T/admin.out" "all(u['last_login'].endswith('Z') and u['locked_until'].endswith('Z') for u in d if u['user'] == '$B')")" = True
	check_admin "$kind: status $B" 0 --conf "$conf" status $B
	check "$kind: status tells where the record is" grep -qx "record: *$(rec_of $B)" "$T/admin.out"
	check "$kind: status tells the state" grep -qx "state: *locked" "$T/admin.out"
	check "$kind: status of a record without enrolled= says by whom it could be" \
		grep -qx "enrolled: *by totp-enroll or totp-admin import" "$T/admin.out"
	check_admin "$kind: status --json $A" 0 --conf "$conf" status $A --json
	check_eq "$kind: status JSON of $A" "disabled $(rec_of $A)" \
		"$(json_get "$T/admin.out" "d['state'] + ' ' + d['record']")"
	check_eq "$kind: ... in JSON null" None "$(json_get "$T/admin.out" "d['enrolled']")"
	check_admin "$kind: status of $C (not enrolled) exits 3" 3 --conf "$conf" status $C

	# unlock: failures and lock-out gone, secret, replay state and recovery codes kept
	before=$(record_field "$(rec_of $B)" last)
	check_admin "$kind: unlock $B" 0 --conf "$conf" unlock $B
	check "$kind: unlock logged with the administrator's name and the old lock-out" \
		admin_logged "user=$B by=$ADMIN_NAME: unlocked (2 failures cleared, was locked until 20[0-9-]*T[0-9:]*Z)"
	check_eq "$kind: after unlock: no failures, no lock-out, same last step, 3 recovery codes" \
		"0 0 $before 3" \
		"$(record_field "$(rec_of $B)" failures) $(record_field "$(rec_of $B)" locked) $(record_field "$(rec_of $B)" last) $(record_field "$(rec_of $B)" recovery)"
	check_eq "$kind: the unlocked record keeps its owner, mode 0600" "$(owner_name $B) 600" \
		"$(with_nss stat -c '%U:%G %a' "$(rec_of $B)")"
	check_login "$kind: the code used before the unlock is still a replay" PAM_AUTH_ERR "adm_$kind" $B "$c0"
	check "$kind: ... logged as a replay" logged "replayed code refused"
	check_login "$kind: $B logs in with the next code: same secret" PAM_SUCCESS "adm_$kind" $B "$(code 1)"
	check_login "$kind: a recovery code still works" PAM_SUCCESS "adm_$kind" $B "$(sed -n 1p <<<"$recovery")"
	check_admin "$kind: unlock of a user not locked changes nothing" 0 --conf "$conf" unlock $B
	check "$kind: ... and says so" grep -q "is not locked" "$T/admin.out"

	check_login "$kind: $A at the ceiling is refused" PAM_AUTH_ERR "adm_$kind" $A "$(code)"
	check "$kind: the disabled line names totp-admin unlock" logged "totp-admin unlock $A"
	check_admin "$kind: unlock $A" 0 --conf "$conf" unlock $A
	check_login "$kind: $A logs in after the unlock" PAM_SUCCESS "adm_$kind" $A "$(code)"

	check_admin "$kind: missing --group $G" 0 --conf "$conf" missing --group $G
	check_eq "$kind: missing names $C alone" "$C" "$(cat "$T/admin.out")"

	# remove: asks first
	before=$(sha256sum <"$(rec_of $A)")
	admin_input n --conf "$conf" remove $A
	check_eq "$kind: remove answered no exits 5" 5 "$admin_rc"
	check "$kind: ... and leaves the record as it was" test "$(sha256sum <"$(rec_of $A)")" = "$before"
	admin_input yes --conf "$conf" remove $A
	check_eq "$kind: remove answered yes" 0 "$admin_rc"
	check "$kind: ... logged" admin_logged "user=$A by=$ADMIN_NAME: enrolment removed ($(rec_of $A))"
	check_admin "$kind: remove --yes $B" 0 --conf "$conf" remove --yes $B
	check_login "$kind: $B is no longer enrolled" PAM_AUTH_ERR "adm_$kind" $B "$(code)"
	if [ "$kind" = home ]; then
		# in the home the record is deleted: its user could delete a mark
		check "$kind: ... the records are deleted" test ! -e "$(rec_of $A)" -a ! -e "$(rec_of $B)"
		check "$kind: ... no mark said to keep enrolment closed" \
			test "$(grep -c "enrolment at login closed" "$T/admin.err")" = 0
		check "$kind: ... the login says not enrolled" logged "not enrolled"
		check_admin "$kind: remove of a user not enrolled exits 3" 3 --conf "$conf" remove --yes $B
		check_admin "$kind: reset of a user not enrolled exits 3" 3 --conf "$conf" reset --yes $B
	else
		# in the administrator's store a tombstone takes the record's place
		check "$kind: ... the records are tombstones, root's, 0600" tombstones "$(rec_of $A)" "$(rec_of $B)"
		check "$kind: ... logged: enrolment at login closed" \
			admin_logged "user=$B by=$ADMIN_NAME: enrolment removed (.*); enrolment at login closed until totp-admin reset $B"
		check "$kind: ... the login says removed, by whom" logged "removed by an administrator on .* by $ADMIN_NAME"
		check_admin "$kind: remove of a removed user exits 3" 3 --conf "$conf" remove --yes $B
		check "$kind: ... already removed" grep -q "$B is already removed" "$T/admin.err"
		check_admin "$kind: unlock of a removed user exits 3" 3 --conf "$conf" unlock $B
		check_admin "$kind: status of a removed user exits 3" 3 --conf "$conf" status $B
		check "$kind: ... state removed" grep -qx "state: *removed" "$T/admin.out"
		check_admin "$kind: list shows the removed" 0 --conf "$conf" list
		check "$kind: ... with when and by whom" \
			grep -Eq "^$A +- +- +- +- +-  removed on 20[0-9-]+T[0-9:]+Z by $ADMIN_NAME$" "$T/admin.out"
		check_admin "$kind: list --locked leaves them out" 0 --conf "$conf" list --locked
		check_eq "$kind: ... only the header" 1 "$(wc -l <"$T/admin.out")"
		check_admin "$kind: missing --group $G: the removed are not missing" 0 --conf "$conf" missing --group $G
		check_eq "$kind: ... only $C" "$C" "$(cat "$T/admin.out")"
		admin_input n --conf "$conf" reset $A
		check_eq "$kind: reset answered no exits 5" 5 "$admin_rc"
		check "$kind: ... the tombstone stays" tombstones "$(rec_of $A)"
		admin_input y --conf "$conf" reset $A
		check_eq "$kind: reset answered y" 0 "$admin_rc"
		check "$kind: ... logged, with what it was" admin_logged \
			"user=$A by=$ADMIN_NAME: reset: may enrol a new phone at the next login (was removed on 20[0-9-]*T[0-9:]*Z by $ADMIN_NAME; $(rec_of $A))"
		check_admin "$kind: reset --yes $B" 0 --conf "$conf" reset --yes $B
		check "$kind: ... no record nor tombstone left" test ! -e "$(rec_of $A)" -a ! -e "$(rec_of $B)"
		check_admin "$kind: reset of a user not enrolled exits 3" 3 --conf "$conf" reset --yes $B
	fi
	check_admin "$kind: missing --group $G --json" 0 --conf "$conf" missing --group $G --json
	check_eq "$kind: now all three are missing" "$A $B $C" \
		"$(json_get "$T/admin.out" "' '.join(d)")"
	check_admin "$kind: list with nobody enrolled" 0 --conf "$conf" list --json
	check_eq "$kind: ... an empty JSON list" "0" "$(json_get "$T/admin.out" "len(d)")"
}

run_store home "%h/.pam_totp"
run_store root "$T/store/%u"
# the administrator's store is root's: a record there its user owns (who
# could reset the failures) is refused, and left as it is
new_record "$T/store/$C" -o "$(nss_uid $C):$(nss_gid $C)" >/dev/null
before=$(sha256sum <"$T/store/$C")
check_admin "root store: unlock of a record its user owns fails (exit 1)" 1 --conf "$T/root.conf" unlock $C
check "... saying it must be root's" grep -q "outside the home it must be root's" "$T/admin.err"
check_admin "root store: remove --yes of it fails too (exit 1)" 1 --conf "$T/root.conf" remove --yes $C
check "... and the record is as it was" test "$(sha256sum <"$T/store/$C")" = "$before"
check_admin "root store: reset --yes of it fails too (exit 1)" 1 --conf "$T/root.conf" reset --yes $C
check "... and the record is as it was" test "$(sha256sum <"$T/store/$C")" = "$before"
# a record too broken to read is removed all the same: a tombstone
rm -f "$T/store/$C"
(umask 077 && echo "not a record" >"$T/store/$C")
check_admin "root store: remove --yes of a broken record" 0 --conf "$T/root.conf" remove --yes $C
check "... leaves a tombstone" tombstones "$T/store/$C"
rm -f "$T/store/$C"
# the administrator's name (here from SUDO_USER, which the caller sets) is
# escaped in the log line like every field, so it cannot forge a line
if [ -z "$luid" ] || [ "$luid" = 4294967295 ]; then
	new_record "$T/store/$C" -o 0:0 -s 5 >/dev/null
	SUDO_USER=$'pt_adm\nuser=x by=y: forged' admin --conf "$T/root.conf" unlock $C
	check_eq "unlock by a SUDO_USER with a newline in it" 0 "$admin_rc"
	check "... logged with the newline escaped" admin_logged 'by=pt_adm\\x0auser=x by=y: forged: unlocked'
	check "... and no line of its own" test "$(grep -c '^user=x' "$T/admin.err")" = 0
	rm -f "$T/store/$C"
else
	ok "an administrator's name with a newline is escaped # SKIP the audit login uid names the administrator"
fi

# options: exact names, nothing guessed
check_admin "totp-admin --jso is unknown, not --json" 2 --jso list
check "... said so" grep -q "unknown option '--jso'" "$T/admin.err"
check_admin "an option that does not go with the command" 2 unlock $A --json
check_admin "an unknown command" 2 frobnicate
"$top_builddir/tools/totp-enroll" --secret X --no-confirm >"$T/enroll.out" 2>&1
check_eq "totp-enroll --secret is an error, not --secret-path" 2 "$?"
check "... said so" grep -q "unknown option '--secret'" "$T/enroll.out"
setpriv --reuid="$(nss_uid $C)" --regid="$(nss_gid $C)" --clear-groups "$ADMIN_BIN" list \
	>"$T/admin.out" 2>&1
check_eq "totp-admin as another user than root exits 1" 1 "$?"
check "... and says it needs root" grep -q "must be run as root" "$T/admin.out"

tap_done
