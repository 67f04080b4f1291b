# Enrolment at first login driven through the real libpam (pam_login -i):
# source after tests/pam_env.sh; used by tests/pam_enrol.sh and
# tests/pam_pg_enrol.sh.
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
	check "two first logins: two secrets shown" \
		test "$(cat "$T/p.secret")" != "$(cat "$T/q.secret")"
	answer p "$(shown_code p)"
	answer q "$(shown_code q)"
	finish p
	rp=$result
	finish q
	check_eq "... one succeeds, the other is refused" "PAM_SUCCESS PAM_AUTH_ERR" "$rp $result"
	check "... the other told and logged" in_log q "another login enrolled the user meanwhile"
}
