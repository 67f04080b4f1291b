#!/bin/bash
# The pam-auth-update profile under Debian's default sshd: PasswordAuthentication
# on, keyboard-interactive off, so sshd's PAM conversation answers every
# prompt, the code's too, with the password. An enrolled user logging in
# with the right password (a script, an SFTP client with a stored password)
# is refused, but never counted and never locked out: the module sees its
# answer is the password, logs that in words that say what to change, and
# the record is left as it was. An unenrolled user gets in (nullok); a
# stranger's wrong password gets no further than the password lets it.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/system_env.sh"
. "$top_srcdir/tests/lib/sshd_env.sh"

ue="ptde$$" un="ptdn$$"
new_user "$ue"; pw_ue=$user_password
new_user "$un"; pw_un=$user_password

# Debian 12's sshd_config: KbdInteractiveAuthentication no, and
# PasswordAuthentication left at its default, yes
sshd_methods="KbdInteractiveAuthentication no
PasswordAuthentication yes"
start_sshd "$ue" "$un"
# common-auth as pam-auth-update writes it with the profile enabled (the
# order tests/pam_auth_update.sh checks), the profile's own pam_totp line
profile=$(sed -n 's/^[[:space:]]*\(required[[:space:]]*pam_totp\.so.*\)/\1/p' \
	"$top_srcdir/debian/pam-configs/pam-totp")
[ -n "$profile" ] || bail "no pam_totp line in debian/pam-configs/pam-totp"
printf 'secret=%s/%%u\n' "$STORE" >"$T/pam_totp.conf"
set_stack "auth [success=1 default=ignore] pam_unix.so nullok" \
	"auth requisite pam_deny.so" "auth required pam_permit.so" \
	"auth ${profile/pam_totp.so/$MODULE} conf=$T/pam_totp.conf"
admin_record "$ue"
failures() { "$top_builddir/tests/shims/record_state" "$STORE/$1" | sed -n 's/.*failures=\([0-9]*\).*/\1/p'; }
locked() { "$top_builddir/tests/shims/record_state" "$STORE/$1" | grep -q 'locked=[1-9]'; }

for i in 1 2 3 4 5 6; do
	ssh_password "$ue" "$pw_ue"
	expect_out "enrolled, the right password alone ($i of 6): refused (no code was given)"
done
check_eq "six right passwords counted nothing" 0 "$(failures "$ue")"
check "the record is not locked" not locked "$ue"
check "sshd's log says the answer was the password, and what to change" grep -q \
	"the answer was the password, not a code: refused, not counted (sshd's PasswordAuthentication sends the password to every prompt: set it to no" \
	"$T/sshd.log"
check "nothing was logged as a wrong or malformed code" not grep -q "wrong code\|malformed input" "$T/sshd.log"

ssh_password "$ue" "wrong-$pw_ue"
expect_out "a stranger's wrong password: refused"
check_eq "... and not counted against the user either" 0 "$(failures "$ue")"

ssh_password "$un" "$pw_un"
expect_in "$un" "not enrolled: the password alone logs in (nullok)"

# the same stack, with the code asked after the password (what
# keyboard-interactive gives): the user was never locked out
"$top_builddir/tests/shims/pam_login" -d /etc/pam.d "$service" "$ue" "$pw_ue" "$(code)" >"$T/login.log" 2>&1
check "after all that, the password and the right code log in through the same stack" \
	grep -q '^result: PAM_SUCCESS' "$T/login.log"

tap_done
