#!/bin/bash
# The module in the system's real sshd, on loopback: keyboard-interactive
# logins answered through a pty. sshd takes its PAM service name from the
# name it was started as, so it runs through a link named after a service
# file of this test's own; /etc/pam.d/sshd and the system's sshd_config are
# never touched.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/system_env.sh"
system_require sshd ssh ssh-keygen

SSHD=$(command -v sshd)
service="sshd-pamtotp-test-$$"
ua="ptsa$$" uk="ptsk$$" uh="ptsh$$" un="ptsn$$"
for u in "$ua" "$uk" "$uh" "$un"; do new_user "$u"; eval "pw_$u=\$user_password"; done
pw() { eval "echo \"\$pw_$1\""; }

# --- sshd: its own host key, config, pid file and port, in $T ---
# sshd insists on its privilege separation directory
if [ ! -d /run/sshd ]; then
	mkdir -m 755 /run/sshd && at_exit "rmdir /run/sshd"
fi
ln -s "$SSHD" "$T/$service"
ssh-keygen -q -t ed25519 -N '' -C host -f "$T/host_key" || bail "ssh-keygen failed"
ssh-keygen -q -t ed25519 -N '' -C client -f "$T/client_key" || bail "ssh-keygen failed"
home_uk=$(getent passwd "$uk" | cut -d: -f6)
install -d -m 700 -o "$uk" -g "$uk" "$home_uk/.ssh"
install -m 600 -o "$uk" -g "$uk" "$T/client_key.pub" "$home_uk/.ssh/authorized_keys"

# a free port: bind to port 0, read it, let it go (sshd binds it next)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$T/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $T/host_key
PidFile $T/sshd.pid
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication no
PubkeyAuthentication yes
AuthenticationMethods keyboard-interactive
PermitRootLogin no
AllowUsers $ua $uk $uh $un
LoginGraceTime 30
MaxAuthTries 6
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
AllowTcpForwarding no
Match User $uk
	AuthenticationMethods publickey,keyboard-interactive
EOF
pam_service "$service" "$note_service" "auth requisite pam_deny.so" \
	"account required pam_unix.so" "session required pam_unix.so"
"$T/$service" -t -f "$T/sshd_config" >"$T/sshd_t.log" 2>&1 || { cat "$T/sshd_t.log"; bail "sshd -t refused the config"; }
# -D: no daemon, so $! is sshd and the trap can end it; -e: log to stderr.
# On the test clock (tests/totp_code.sh): the shim reads it as sshd starts,
# before sshd's PAM process empties its environment. libpam's delay after
# a failure passes at once (tests/nodelay_shim.c).
LD_PRELOAD="$TIME_SHIM:$top_builddir/tests/.libs/libnodelayshim.so" "$T/$service" -D -e -f "$T/sshd_config" >"$T/sshd.log" 2>&1 &
sshd_pid=$!
at_exit "kill $sshd_pid; wait $sshd_pid"
sshd_listens() {
	kill -0 "$sshd_pid" 2>/dev/null || { cat "$T/sshd.log"; bail "sshd did not start"; }
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}
wait_for 60 "sshd listening on port $port" sshd_listens || bail "sshd does not listen on port $port"
ok "sshd runs as $service on 127.0.0.1:$port"

# set_stack LINE... : the auth part of the service (account and session stay)
set_stack() {
	pam_service "$service" "$note_service" "$@" \
		"account required pam_unix.so" "session required pam_unix.so"
}

SSH_OPTS=(-F /dev/null -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o LogLevel=ERROR -o ConnectTimeout=10 -o NumberOfPasswordPrompts=1 -o BatchMode=no
	-o KbdInteractiveAuthentication=yes -o PasswordAuthentication=no -o IdentitiesOnly=yes)
# ssh_code USER [-a REGEX ANSWER]... : keyboard-interactive only, runs `id -un`
ssh_code() {
	local user=$1; shift
	answer -t 20 "$@" -- /usr/bin/env -u SSH_AUTH_SOCK ssh "${SSH_OPTS[@]}" \
		-o PubkeyAuthentication=no -o PreferredAuthentications=keyboard-interactive \
		"$user@127.0.0.1" 'echo "logged in as $(id -un)"'
}
# ssh_key USER [-a REGEX ANSWER]... : the key first, then keyboard-interactive
ssh_key() {
	local user=$1; shift
	answer -t 20 "$@" -- /usr/bin/env -u SSH_AUTH_SOCK ssh "${SSH_OPTS[@]}" \
		-i "$T/client_key" -o PubkeyAuthentication=yes \
		-o PreferredAuthentications=publickey,keyboard-interactive \
		"$user@127.0.0.1" 'echo "logged in as $(id -un)"'
}
CODE='Verification code: ?'
PASS_CODE='Password & verification code: ?'
# expect_in USER DESC / expect_out DESC: judge the last ssh run
expect_in() {
	if [ "$status" -eq 0 ] && grep -q "^logged in as $1" "$T/last.log"; then ok "$2"; else
		not_ok "$2 (ssh exit $status)"; show "$T/sshd.log"; fi
}
expect_out() {
	if [ "$status" -eq 255 ] && grep -q 'Permission denied' "$T/last.log" &&
		! grep -q '^logged in as' "$T/last.log"; then ok "$1"; else
		not_ok "$1 (ssh exit $status)"; show "$T/sshd.log"; fi
}

# --- a code alone, the record in a root-only administrator's store ---
# (the auth lines of examples/pam.d/sshd-key-code, here without the key)
mapfile -t key_code < <(example_auth sshd-key-code "secret=$STORE/%u")
set_stack "${key_code[@]}"
admin_record "$ua"
c=$(code)
ssh_code "$ua" -a "$CODE" "$c"
expect_in "$ua" "right code: the command runs"
check "sshd used its own PAM service, named after the link" \
	grep -q "^auth $service $ua\$" "$T/services"
ssh_code "$ua" -a "$CODE" "$c"
expect_out "the same code on a second connection is denied (replay)"
ssh_code "$ua" -a "$CODE" "$(code 0 "$OTHER_SECRET")"
expect_out "wrong code is denied"
ssh_code "$ua" -a "$CODE" "not a code"
expect_out "garbage is denied"
check "the record stays root's and 0600" test "$(stat -c '%U %a' "$STORE/$ua")" = "root 600"

# --- key then code: AuthenticationMethods publickey,keyboard-interactive,
# with the same stack ---
admin_record "$uk"
ssh_key "$uk" -a "$CODE" "$(code)"
expect_in "$uk" "key then the right code: the command runs"
check "the code was asked after the key" grep -q "^answered: $CODE" "$T/last.log"
ssh_key "$uk" -a "$CODE" "$(code 0 "$OTHER_SECRET")"
expect_out "key then a wrong code is denied"
ssh_code "$uk" -a "$CODE" "$(code 1)"
expect_out "the code without the key is denied"
check "without the key the code is not even asked" grep -q "^not asked: $CODE" "$T/last.log"

# failures USER: the failure count in USER's record in the store
failures() { "$top_builddir/tests/record_state" "$STORE/$1" | sed -n 's/.*failures=\([0-9]*\).*/\1/p'; }
# wrong_passwords USER ANSWER-ARGS... : six tries with a wrong password
# and a wrong code, as a stranger would; none may count (issue 17)
wrong_passwords() {
	local user=$1 i; shift
	for i in 1 2 3 4 5 6; do ssh_code "$user" "$@"; done
}

# --- password then code: examples/pam.d/sshd-password-code ---
mapfile -t password_code < <(example_auth sshd-password-code "secret=$STORE/%u")
set_stack "${password_code[@]}"
admin_record "$ua"
ssh_code "$ua" -a 'Password: ?' "$(pw "$ua")" -a "$CODE" "$(code)"
expect_in "$ua" "password then code (two prompts, the example stack)"
ssh_code "$ua" -a 'Password: ?' "wrong-password" -a "$CODE" "$(code 1)"
expect_out "a wrong password is denied"
check "after a wrong password the code is not asked" grep -q "^not asked: $CODE" "$T/last.log"
wrong_passwords "$ua" -a 'Password: ?' "wrong-password" -a "$CODE" 000000
check_eq "sshd-password-code: wrong passwords leave the failure count at 0" 0 "$(failures "$ua")"
ssh_code "$ua" -a 'Password: ?' "$(pw "$ua")" -a "$CODE" "$(code 0 "$OTHER_SECRET")"
expect_out "the right password and a wrong code is denied"

# --- the stack of pam_totp(8) and README: pam_unix requisite, then the code ---
set_stack "auth requisite pam_unix.so" "auth required $MODULE secret=$STORE/%u"
admin_record "$ua"
ssh_code "$ua" -a 'Password: ?' "$(pw "$ua")" -a "$CODE" "$(code)"
expect_in "$ua" "pam_unix requisite then pam_totp: password and code"
wrong_passwords "$ua" -a 'Password: ?' "wrong-password" -a "$CODE" 000000
check_eq "pam_unix requisite: wrong passwords leave the failure count at 0" 0 "$(failures "$ua")"
check "  and the code is not asked" grep -q "^not asked: $CODE" "$T/last.log"

# --- password and code in one answer: examples/pam.d/sshd-password-code-one-answer ---
mapfile -t one_answer < <(example_auth sshd-password-code-one-answer "secret=$STORE/%u")
set_stack "${one_answer[@]}"
admin_record "$ua"
ssh_code "$ua" -a "$PASS_CODE" "$(pw "$ua")$(code)"
expect_in "$ua" "split_pass: password and code in one answer"
admin_record "$ua"
ssh_code "$ua" -a "$PASS_CODE" "wrong-password$(code)"
expect_out "split_pass: right code, wrong password is denied"
wrong_passwords "$ua" -a "$PASS_CODE" "wrong-password000000"
check_eq "split_pass: wrong passwords leave the failure count at 0" 0 "$(failures "$ua")"
ssh_code "$ua" -a "$PASS_CODE" "$(pw "$ua")$(code)"
expect_in "$ua" "split_pass: after them the user still logs in"
admin_record "$ua"
ssh_code "$ua" -a "$PASS_CODE" "$(pw "$ua")$(code 0 "$OTHER_SECRET")"
expect_out "split_pass: right password, wrong code is denied"
check_eq "  and that wrong code is counted" 1 "$(failures "$ua")"
ssh_code "$ua" -a "$PASS_CODE" "$(pw "$ua")"
expect_out "split_pass: the password alone is denied"

# --- an unenrolled user, with and without nullok (the roll-out stack) ---
set_stack "auth requisite $MODULE secret=$STORE/%u split_pass nullok" \
	"auth requisite pam_unix.so try_first_pass" \
	"auth required $MODULE secret=$STORE/%u nullok"
ssh_code "$un" -a 'Password: ?' "$(pw "$un")"
expect_in "$un" "nullok: an unenrolled user logs in with the password alone"
check "nullok: no code was asked" grep -q "^answered: Password: ?" "$T/last.log"
ssh_code "$un" -a 'Password: ?' "wrong-password"
expect_out "nullok: an unenrolled user with a wrong password is denied"
admin_record "$un"
ssh_code "$un" -a "$PASS_CODE" "$(pw "$un")$(code)"
expect_in "$un" "nullok: once enrolled, password and code"
rm -f "$STORE/$un"
set_stack "${one_answer[@]}"
ssh_code "$un" -a "$PASS_CODE" "$(pw "$un")123456"
expect_out "without nullok an unenrolled user is denied"

# --- the record in the user's home, owned by the user ---
set_stack "auth required $MODULE secret=%h/.pam_totp"
home_record "$uh"
home_uh=$(getent passwd "$uh" | cut -d: -f6)
c=$(code)
ssh_code "$uh" -a "$CODE" "$c"
expect_in "$uh" "home record: right code"
ssh_code "$uh" -a "$CODE" "$c"
expect_out "home record: the same code again is denied"
check "home record stays the user's and 0600" \
	test "$(stat -c '%U %a' "$home_uh/.pam_totp")" = "$uh 600"
chmod 644 "$home_uh/.pam_totp"
ssh_code "$uh" -a "$CODE" "$(code 1)"
expect_out "home record readable by others is refused"

check "sshd is still running" kill -0 "$sshd_pid"
tap_done
