#!/bin/bash
# The module in the system's real sudo: a sudoers file of the test's own
# points the test user at a PAM service of the test's own
# (Defaults pam_service=), so /etc/pam.d/sudo is never touched. sudo runs
# as the test user on a pty, and timestamp_timeout=0 makes every run ask.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/system_env.sh"
system_require sudo visudo setpriv zbarimg convert
tmp=$T
. "$top_srcdir/tests/lib/qr_lib.sh"

service="sudo-pamtotp-test-$$"
us="ptsu$$"
new_user "$us"
pw=$user_password
# the auth lines of examples/pam.d/sudo: the password, then the code
mapfile -t stack < <(example_auth sudo "secret=$STORE/%u")
pam_service "$service" "$note_service" "${stack[@]}" \
	"account required pam_unix.so" "session required pam_unix.so"
sudoers="/etc/sudoers.d/pamtotp-test-$$"
cat >"$T/sudoers" <<SUDOERS
Defaults:$us pam_service=$service, timestamp_timeout=0, passwd_tries=1, lecture=never, !mail_badpass
$us ALL=(root) /usr/bin/id
SUDOERS
check "our sudoers file is valid (visudo -cf)" visudo -c -q -f "$T/sudoers"
[ -e "$sudoers" ] && bail "$sudoers exists already"
at_exit "rm -f '$sudoers'"
install -m 440 "$T/sudoers" "$sudoers"
check "the system's sudoers with ours still valid (visudo -c)" visudo -c -q

# run_sudo [-a REGEX ANSWER]... : `sudo id -un` as the test user on a pty
run_sudo() {
	answer "$@" -- setpriv --reuid="$us" --regid="$us" --init-groups \
		env -i PATH=/usr/bin:/bin HOME="/home/$us" USER="$us" LOGNAME="$us" \
		sudo -k /usr/bin/id -un
}
CODE='Code from the app: ?'
PASS='password for [^:]*: ?'
expect_root() {
	if [ "$status" -eq 0 ] && grep -q '^root' "$T/last.log"; then ok "$1"; else
		not_ok "$1 (sudo exit $status)"; show; fi
}
expect_refused() {
	if [ "$status" -eq 1 ] && grep -q 'incorrect password attempt' "$T/last.log" &&
		! grep -q '^root' "$T/last.log"; then ok "$1"; else
		not_ok "$1 (sudo exit $status)"; show; fi
}

# sudo is setuid: the dynamic loader drops LD_PRELOAD for it, so the module
# runs on the real clock here, and so must the codes. Each check holds on
# either side of a step boundary: a code of step s is still accepted in
# step s+1 (window=1), a replay stays refused, and "the next code" is
# computed when it is used, from the skew the module learned (-1 when the
# first code was used a step after it was computed).
unset PAM_TOTP_TEST_NOW
admin_record "$us"
c=$(code)
run_sudo -a "$PASS" "$pw" -a "$CODE" "$c"
expect_root "password and the right code: sudo runs the command as root"
check "sudo used the service of pam_service=" grep -q "^auth $service $us\$" "$T/services"
run_sudo -a "$PASS" "$pw" -a "$CODE" "$c"
expect_refused "the same code again is denied (replay), no timestamp"
run_sudo -a "$PASS" "$pw" -a "$CODE" "$(code 0 "$OTHER_SECRET")"
expect_refused "wrong code is denied"
run_sudo -a "$PASS" "$pw" -a "$CODE" ""
expect_refused "an empty answer is denied"
run_sudo -a "$PASS" "wrong-password" -a "$CODE" "$(code 1)"
expect_refused "a wrong password is denied"
check "after a wrong password the code is not asked" grep -q "^not asked: $CODE" "$T/last.log"
failures() { "$top_builddir/tests/shims/record_state" "$STORE/$us" | sed -n 's/.*failures=\([0-9]*\).*/\1/p'; }
before=$(failures)   # the wrong codes above, given with the right password
for i in 1 2 3 4 5 6; do run_sudo -a "$PASS" "wrong-password" -a "$CODE" 000000; done
check_eq "six wrong passwords add nothing to the failure count" "$before" "$(failures)"
skew=$("$top_builddir/tests/shims/record_state" "$STORE/$us" | sed -n 's/.*skew=\([-+0-9]*\).*/\1/p')
run_sudo -a "$PASS" "$pw" -a "$CODE" "$(code $((1 + skew)))"
expect_root "the next code is accepted"

# --- enroll=prompt (pam_totp(8)): the user not enrolled yet ---
# set_enrol ARGS: the example stack with enroll=prompt and ARGS
set_enrol() {
	mapfile -t stack < <(example_auth sudo "secret=$STORE/%u enroll=prompt $*")
	pam_service "$service" "$note_service" "${stack[@]}" \
		"account required pam_unix.so" "session required pam_unix.so"
}
FIRST_CODE=$'\nCode from the app: '
rm -f "$STORE/$us"
set_enrol enroll_services=sshd
run_sudo -a "$PASS" "$pw" -a "$CODE" 123456
expect_refused "enroll_services=sshd: an unenrolled user's sudo is refused as before"
check "  no key or QR code was shown" sh -c "! grep -q 'otpauth://' '$T/last.log'"
check "  nothing was written" test ! -e "$STORE/$us"
set_enrol "enroll_services=sshd,$service"
run_sudo -a "$PASS" "$pw" -c "$FIRST_CODE" "$(key_code_cmd)" -a 'Press Enter to continue: ?' ""
expect_root "enroll_services with sudo's service: enrolled inside sudo, which runs"
key=$("$T/screen_key" <"$T/last.log")
check "  sudo showed the key in groups of four and the Key URI with it" \
	grep -q "^otpauth://totp/.*[?&]secret=$key" <<<"$(screen_uri)"
check_eq "  and the QR code, in its colours, scans back to the Key URI" \
	"$(screen_uri)" "$(screen_qr | screen_blocks | term_decode)"
check_eq "  the record: root's, 0600" "root 600" "$(stat -c '%U %a' "$STORE/$us" 2>&1)"
check "  it holds the key shown" grep -q "$key" "$STORE/$us"
tap_done
