# Enrolment at first login driven through the real libpam (pam_login -i):
# source after tests/lib/pam_env.sh; used by tests/pam_enroll.sh and
# tests/pam_pg_enroll.sh.
#
# A login that answers what it reads: pam_login -i, through FIFOs.
# start_enrol NAME SERVICE USER : start it, read up to its first prompt;
# the Key URI it showed is then in $T/NAME.uri, its secret in $T/NAME.secret
# answer NAME TEXT : type TEXT, read up to the next prompt or the end
# finish NAME : close its input (a dropped connection, if it still asks),
# read to the end; $result is its PAM code, its output $T/NAME.log
start_enrol() {
	local name=$1 service=$2 user=$3
	rm -rf "$T/$name".*
	mkdir "$T/$name.msgs"
	mkfifo "$T/$name.in" "$T/$name.out"
	with_pam_wrapper "$PAM_LOGIN" $LOGIN_OPTS -i -m "$T/$name.msgs" "$service" "$user" \
		<"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" &
	eval "exec {${name}_to}>\"\$T/\$name.in\" {${name}_from}<\"\$T/\$name.out\""
	: >"$T/$name.log"
	read_on "$name"
}
read_on() {
	local name=$1 line fd
	eval "fd=\$${name}_from"
	# the timeout is a deadline for a stuck test, not a wait
	while IFS= read -r -t 60 line <&"$fd"; do
		printf '%s\n' "$line" >>"$T/$name.log"
		case $line in
		otpauth://*) printf '%s\n' "$line" >"$T/$name.uri"
			line=${line##*secret=}; printf '%s\n' "${line%%&*}" >"$T/$name.secret" ;;
		prompt*) return 0 ;;
		result:*) return 0 ;;
		esac
	done
}
answer() {
	local fd
	eval "fd=\$${1}_to"
	printf '%s\n' "$2" >&"$fd"
	read_on "$1"
}
finish() {
	local name=$1 fd
	eval "fd=\$${name}_to"
	eval "exec $fd>&-"
	read_on "$name"
	eval "fd=\$${name}_from"
	eval "exec $fd<&-"
	wait
	cat "$T/$name.err" >>"$T/$name.log"
	result=$(sed -n 's/^result: //p' "$T/$name.log" | tail -1)
}
shown_code() { code "${2:-0}" "$(cat "$T/$1.secret")"; }
qr_message() { grep -l "$(printf '\033')" "$T/$1.msgs"/* | head -1; }
in_log() { grep -q "SYSLOG([0-9]*): .*$2" "$T/$1.log"; }


# enrol_race SERVICE USER : two first logins of USER at once (p and q),
# both confirmed: one succeeds, the other is refused, told and logged
enrol_race() {
	local rp
	start_enrol p "$1" "$2"
	start_enrol q "$1" "$2"
	check "two first logins: the second shows the first's secret, kept pending" \
		test "$(cat "$T/p.secret")" = "$(cat "$T/q.secret")"
	answer p "$(shown_code p)"
	answer q "$(shown_code q)"
	finish p
	rp=$result
	finish q
	check_eq "... one succeeds, the other is refused" "PAM_SUCCESS PAM_AUTH_ERR" "$rp $result"
	check "... the other told and logged" in_log q "another login enrolled the user meanwhile"
}

# leaver_round ARGS ADMIN_CONF : a leaver (issue 24, point 4). root enrols
# at a login of pam_totp ARGS enroll=prompt; an administrator runs
# totp-admin --conf ADMIN_CONF remove --yes root. From then on neither
# enroll=prompt nor nullok (alone or with it) lets the password alone
# through: no Key URI, denied with the message of a wrong code, the reason
# logged with when, by whom and the way back. status and list say
# "removed"; a second remove and totp-enroll without --force refuse.
# totp-admin reset opens enrolment at the next login; reset, remove and
# totp-enroll --force are logged with the administrator's name. The
# caller's tombstone_ok checks the store right after the remove. Needs
# tests/lib/admin_env.sh.
leaver_round() {
	local args=$1 conf=$2 enroll svc
	enroll=$(test_clock_wrapper "$top_builddir/tools/totp-enroll" "$T/clock")
	leaver_enroll() {
		LD_PRELOAD="$SYSLOG_SHIM" "$enroll" --conf "$conf" --user root --no-confirm \
			--qr=none --quiet "$@" >"$T/enroll.out" 2>"$T/enroll.err" </dev/null
		enroll_rc=$?
	}
	make_enrol_service leaver "$args enroll=prompt"
	make_stack leaver_nullok "$FIRST_FACTOR" "auth required $MODULE $args nullok" \
		"auth required pam_permit.so"
	make_stack leaver_both "$FIRST_FACTOR" "auth required $MODULE $args enroll=prompt nullok" \
		"auth required pam_permit.so"
	start_enrol lv leaver root
	answer lv "$(shown_code lv)"
	finish lv
	check_eq "leaver: enrolled at a login" PAM_SUCCESS "$result"
	check_admin "leaver: totp-admin remove --yes" 0 --conf "$conf" remove --yes root
	check "... logged with the administrator's name: enrolment at login closed" \
		admin_logged "user=root by=$ADMIN_NAME: enrolment removed (.*); enrolment at login closed until totp-admin reset root"
	tombstone_ok
	for svc in leaver leaver_nullok leaver_both; do
		check_login "leaver, $svc: the password alone is denied" PAM_AUTH_ERR $svc root 123456
		check "... no enrolment offered" sh -c "! grep -q otpauth '$T/last.log'"
		check "... the reason logged: when, by whom, the way back" logged \
			"removed by an administrator on 20[0-9-]*T[0-9:]*Z by $ADMIN_NAME: totp-admin reset root lets them enrol again"
		check "... the user told only that the code is not right" \
			grep -qx "error: That code is not right." "$T/last.log"
	done
	check_login "leaver: a code of the removed secret is denied" PAM_AUTH_ERR leaver root \
		"$(shown_code lv 1)"
	check "... as removed" logged "removed by an administrator"
	check_admin "leaver: status exits 3, as for not enrolled" 3 --conf "$conf" status root
	check "... state: removed" grep -qx "state: *removed" "$T/admin.out"
	check "... when and by whom" grep -qx "removed: *20[0-9-]*T[0-9:]*Z by $ADMIN_NAME" "$T/admin.out"
	check_admin "leaver: list --json" 0 --conf "$conf" list --json
	check_eq "... state removed, when, by whom" "removed True $ADMIN_NAME" "$(json_get "$T/admin.out" \
		"' '.join(str(x) for u in d if u['user'] == 'root' for x in (u['state'], u['removed'].endswith('Z'), u['removed_by']))")"
	check_admin "leaver: remove again: already removed, exit 3" 3 --conf "$conf" remove --yes root
	check "... says so" grep -q "root is already removed" "$T/admin.err"
	leaver_enroll
	check_eq "leaver: totp-enroll --user without --force: refused, exit 3" 3 "$enroll_rc"
	check "... naming who removed them and when, and --force" grep -q \
		"root was removed by $ADMIN_NAME on 20[0-9-]*T[0-9:]*Z; --force enrols anyway" "$T/enroll.err"
	tombstone_ok
	admin_input n --conf "$conf" reset root
	check_eq "leaver: reset answered no exits 5" 5 "$admin_rc"
	tombstone_ok
	check_admin "leaver: totp-admin reset --yes" 0 --conf "$conf" reset --yes root
	check "... logged with the administrator's name" \
		admin_logged "user=root by=$ADMIN_NAME: reset: may enrol a new phone at the next login"
	start_enrol lw leaver root
	check "leaver: after reset the next login offers enrolment" test -s "$T/lw.uri"
	answer lw "$(shown_code lw)"
	finish lw
	check_eq "... and enrols" PAM_SUCCESS "$result"
	leaver_enroll --force
	check_eq "totp-enroll --user --force over a record" 0 "$enroll_rc"
	check "... logged with the administrator's name" grep -q \
		"SYSLOG([0-9]*): user=root by=$ADMIN_NAME: enrolment replaced by totp-enroll --force" \
		"$T/enroll.err"
	check_admin "totp-admin remove --yes again" 0 --conf "$conf" remove --yes root
	leaver_enroll --force
	check_eq "totp-enroll --user --force over a removed enrolment" 0 "$enroll_rc"
	check "... logged with the administrator's name and the removal it ends" grep -q \
		"SYSLOG([0-9]*): user=root by=$ADMIN_NAME: enrolment replaced by totp-enroll --force (was removed on 20[0-9-]*T[0-9:]*Z by $ADMIN_NAME)" \
		"$T/enroll.err"
	check_login "... a login is then judged by the new secret" PAM_AUTH_ERR leaver root "$(wrong_code)"
	check "... as a wrong code, not as removed" logged "wrong code"
}
