#!/bin/bash
# Enrolment at first login (enroll=prompt) through the system's real sshd
# (tests/lib/sshd_env.sh) and the real ssh client on a pty: a user who has
# never enrolled logs in with the password, reads the QR code or the key
# off the client's screen, and types the code for it; the record lands in
# the root-only store, and the next login asks for a code.
#
# What OpenSSH's client (9.2) does with the module's text, which sshd sends
# as part of the keyboard-interactive prompt: it prints an escape character
# as the four characters \033, and under a non-UTF-8 locale (LANG=C) every
# byte outside ASCII as an octal escape (\342\226\200 for a half block). So
# the module draws the QR code in sshd without colours (pam_totp(8)); under
# UTF-8 it reaches the screen intact, under LANG=C it is unreadable and the
# key in groups of four and the Key URI, plain ASCII, are what the user has.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/system_env.sh"
. "$top_srcdir/tests/lib/sshd_env.sh"
system_require zbarimg convert
tmp=$T
. "$top_srcdir/tests/lib/qr_lib.sh"

uu="pt_enr_u$$" uc="pt_enr_c$$"
# 12 characters, as a staff member's user name may be
ut=$(printf 'ptscr%07d' $$)
new_user "$uu"; pw_uu=$user_password
new_user "$uc"; pw_uc=$user_password
new_user "$ut"; pw_ut=$user_password
start_sshd "$uu" "$uc" "$ut" -- "Match User $uc" \
	"	AuthenticationMethods publickey,keyboard-interactive keyboard-interactive"
# the stack of README "Enrolment at first login": the password, then the
# module, the record in the root-only store ($STORE: root's, 0700)
set_stack "auth requisite pam_unix.so" "auth required $MODULE secret=$STORE/%u enroll=prompt"
check "the store is a root-only directory" test "$(stat -c '%U %a' "$STORE")" = "root 700"

# as the user's ssh shows things: at its default LogLevel
SSH_LOG_LEVEL=INFO
PASS='Password: ?'
CODE='Code from the app: ?'
FIRST_CODE=$'\nCode from the app: '
ENTER='Press Enter to continue: ?'
recovery_codes() { grep -cE '^  [a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}'$'\r''?$' "$T/last.log"; }

# enrol USER PASSWORD LOCALE: the first login, in the client's LOCALE
enrol() {
	SSH_LOCALE=$3 ssh_code "$1" -a "$PASS" "$2" -c "$FIRST_CODE" "$(key_code_cmd)" -a "$ENTER" ""
	cp "$T/last.log" "$T/enrol_$1.log"
	key=$("$T/screen_key" <"$T/last.log") uri=$(screen_uri)
}
# after USER PASSWORD KEY LOCALE: the confirming code again, then the next
after() {
	local user=$1 pw=$2 key=$3
	SSH_LOCALE=$4 ssh_code "$user" -a "$PASS" "$pw" -a "$CODE" "$(code 0 "$key")"
	expect_out "  the next login asks for a code, and the confirming one is refused"
	check "  as a replay, the client says" grep -q 'This code was already used' "$T/last.log"
	SSH_LOCALE=$4 ssh_code "$user" -a "$PASS" "$pw" -a "$CODE" "$(code 1 "$key")"
	expect_in "$user" "  the next code is accepted"
}

# --- the client in a UTF-8 locale: the QR code scans ---
enrol "$uu" "$pw_uu" C.UTF-8
expect_in "$uu" "UTF-8: an unenrolled user logs in with the password and a first code"
check "  the client showed the key in groups of four" test -n "$key"
check "  and the Key URI, with that key" grep -q "^otpauth://totp/.*[?&]secret=$key\\(&\\|\$\\)" <<<"$uri"
screen_qr >"$T/qr_utf8.txt"
check "  the QR code reached the screen with no escape shown as text" \
	sh -c "! grep -q '\\\\[0-7]' '$T/qr_utf8.txt'"
screen_blocks <"$T/qr_utf8.txt" >"$T/qr_blocks.txt"
check_eq "  the QR codes on the screen scan back to the Key URI (light background)" \
	"$uri" "$(term_decode light <"$T/qr_blocks.txt")"
check_eq "  and on a dark background" "$uri" "$(term_decode dark <"$T/qr_blocks.txt")"
check_eq "  ten recovery codes shown, though the session runs a command" 10 "$(recovery_codes)"
check_eq "  the record: root's, 0600, in the root-only store" "root 600" \
	"$(stat -c '%U %a' "$STORE/$uu" 2>&1)"
check "  it holds the key shown" grep -q "$key" "$STORE/$uu"
after "$uu" "$pw_uu" "$key" C.UTF-8
"$top_builddir/tools/totp-admin" --secret-path "$STORE/%u" status "$uu" >"$T/admin.out" 2>&1
check "  totp-admin status tells it was made at a login to sshd, from where" \
	grep -qx "enrolled: *at a login to $service from 127.0.0.1" "$T/admin.out"

# --- a recovery code in an interactive session (no command, no
# ~/.hushlogin): sshd shows a message that comes after the last prompt
# there, and twice (OpenSSH bug 3481); the module asks to press Enter
# after how many are left, so the client shows it once, with that prompt
rc=$(tr -d '\r' <"$T/enrol_$uu.log" | grep -m1 -oE '^  [a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$' | tr -d ' ')
check "  no ~/.hushlogin hides what sshd prints at the session's start" \
	test ! -e "$(getent passwd "$uu" | cut -d: -f6)/.hushlogin"
answer -a "$PASS" "$pw_uu" -a "$CODE" "$rc" -a "$ENTER" "" -a '[$#] ?$' exit -- \
	/usr/bin/env -u SSH_AUTH_SOCK LC_ALL=C.UTF-8 ssh "${SSH_OPTS[@]}" -tt -p "$port" \
	-o LogLevel=INFO -o PubkeyAuthentication=no -o PreferredAuthentications=keyboard-interactive \
	"$uu@127.0.0.1"
check_eq "a recovery code, interactive session: how many are left, shown once" 1 \
	"$(grep -c 'Recovery code accepted. You have 9 recovery codes left.' "$T/last.log")"

# --- the client under LANG=C: the key and the Key URI by hand ---
enrol "$uc" "$pw_uc" C
expect_in "$uc" "LANG=C: the code for the key in groups of four logs in"
screen_qr >"$T/qr_c.txt"
echo "# LANG=C: the client showed the QR code's first line as:"
grep -m1 '\\' "$T/qr_c.txt" | cut -c1-72 | sed 's/^/#   /'
check "  the client printed the half blocks as octal escapes" grep -q '\\342\\226' "$T/qr_c.txt"
check "  the Key URI came through intact, with the key" \
	grep -q "^otpauth://totp/.*[?&]secret=$key\\(&\\|\$\\)" <<<"$uri"
check "  and so did the key in groups of four" \
	grep -qx "$(sed 's/..../& /g; s/ $//' <<<"$key")"$'\r\\?' "$T/last.log"
check_eq "  ten recovery codes shown" 10 "$(recovery_codes)"
check_eq "  the record: root's, 0600" "root 600" "$(stat -c '%U %a' "$STORE/$uc" 2>&1)"
check "  it holds the key shown" grep -q "$key" "$STORE/$uc"
after "$uc" "$pw_uc" "$key" C

# --- enroll_from: a login from elsewhere is refused, nothing written ---
rm -f "$STORE/$uc"
set_stack "auth requisite pam_unix.so" \
	"auth required $MODULE secret=$STORE/%u enroll=prompt enroll_from=10.0.0.0/8"
ssh_code "$uc" -a "$PASS" "$pw_uc" -a "$CODE" 123456
expect_out "enroll_from=10.0.0.0/8: a first login from 127.0.0.1 is refused"
check "  no key or QR code was shown" sh -c "! grep -q 'otpauth://' '$T/last.log'"
check "  nothing was written" test ! -e "$STORE/$uc"

# --- the password step not requisite: a stranger's wrong password goes on
# to pam_totp, which must not show a secret for lack of proof that the
# password passed (pam_unix's own verdict in the PAM handle) ---
rm -f "$STORE/$uc"
set_stack "auth required pam_unix.so" "auth required $MODULE secret=$STORE/%u enroll=prompt"
ssh_code "$uc" -a "$PASS" "wrong-$pw_uc" -a "$CODE" 123456
expect_out "auth required pam_unix.so: a wrong password is refused"
check "  no key or QR code was shown to the stranger" sh -c "! grep -q 'otpauth://' '$T/last.log'"
check "  nothing was written" test ! -e "$STORE/$uc"
check "  sshd's log says why enrolment was refused" grep -q \
	"enrolment at login refused: no proof that the first factor passed" "$T/sshd.log"
enrol "$uc" "$pw_uc" C.UTF-8
expect_in "$uc" "  behind the same stack the right password enrols"

# --- key then code (AuthenticationMethods publickey,keyboard-interactive):
# sshd's SSH_AUTH_INFO_0 in the PAM environment is the proof ---
rm -f "$STORE/$uc"
set_stack "auth required $MODULE secret=$STORE/%u enroll=prompt"
home_uc=$(getent passwd "$uc" | cut -d: -f6)
install -d -m 700 -o "$uc" -g "$uc" "$home_uc/.ssh"
install -m 600 -o "$uc" -g "$uc" "$T/client_key.pub" "$home_uc/.ssh/authorized_keys"
ssh_code "$uc" -a "$CODE" 123456
expect_out "without the key the module alone does not enrol (no first factor)"
check "  no key or QR code was shown" sh -c "! grep -q 'otpauth://' '$T/last.log'"
check "  nothing was written" test ! -e "$STORE/$uc"
ssh_key "$uc" -c "$FIRST_CODE" "$(key_code_cmd)" -a "$ENTER" ""
expect_in "$uc" "with the key first, the code alone enrols"
check_eq "  the record: root's, 0600" "root 600" "$(stat -c '%U %a' "$STORE/$uc" 2>&1)"

# --- the screen at the prompt, as the user sees it: ssh in a real
# terminal emulator (tmux) of 80x24, an issuer of 15 characters and a user
# name of 12, the module's other options the defaults. The screen itself,
# when the code is asked, says what to do, gives the key, and holds a QR
# code that scans on a light and on a dark terminal background ---
ISSUER15=ZorggroepNoord1
[ ${#ISSUER15} -eq 15 ] && [ ${#ut} -eq 12 ] || bail "test texts of the wrong length"
set_stack "auth requisite pam_unix.so" \
	"auth required $MODULE secret=$STORE/%u enroll=prompt issuer=$ISSUER15"
. "$top_srcdir/tests/lib/tmux_env.sh"
at_exit tmux_cleanup
printf -v ssh_cmd '%q ' env -u SSH_AUTH_SOCK LC_ALL=C.UTF-8 ssh "${SSH_OPTS[@]}" -p "$port" \
	-o PubkeyAuthentication=no -o PreferredAuthentications=keyboard-interactive \
	"$ut@127.0.0.1" 'echo "logged in as $(id -un)"'
# tmux_login: ssh in a fresh 80x24 window, the password typed, up to the
# code's prompt; the screen then in $T/screen.txt, its key in $screen_key
tmux_login() {
	tmux_open 24 80 "$ssh_cmd"
	wait_screen 'Password:' || bail "no password prompt in tmux: $(screen)"
	tmux_keys -l "$pw_ut"; tmux_keys Enter
	if wait_screen '^Code'; then ok "$1"; else not_ok "$1"; screen | sed 's/^/#   /'; fi
	screen >"$T/screen.txt"
	screen_key=$(sed -n 's/.*Type this key: \([A-Z2-7 ]*\)$/\1/p' "$T/screen.txt" | tr -d ' ')
}
# walking away: the window closed at the prompt (the connection dropped,
# as when sshd's LoginGraceTime ends it): the next login shows the same
# secret, so the account the app may have added still works
tmux_login "80x24 over sshd: the code is asked"
first_key=$screen_key
tmux_cleanup
# (sshd ends its PAM process with a signal: the module cannot log there
# and then; the next login says when the code was first shown)
sshd_logged() { grep -q "$1" "$T/sshd.log"; }
check "  the window closed at the prompt: the secret shown is kept, pending" \
	grep -q '^pending=' "$STORE/$ut"
tmux_login "  the next login asks for the code again"
check_eq "  with the same key, so the app's account works" "$first_key" "$screen_key"
check "  logged as resumed, with when the code was first shown" \
	sshd_logged "user=$ut .*enrolment at login resumed: the code first shown at .*, left unconfirmed"
sed 's/^/#   /' "$T/screen.txt"
uri=$(history | grep -o 'otpauth://[^ ]*' | tail -1)
key=$screen_key
check "  the screen at the prompt says what to do in the app" \
	grep -q 'add an account ("Other account") and scan a QR code below' "$T/screen.txt"
check "  and gives the key in groups of four, the key of the Key URI" \
	grep -q "secret=$key\(&\|\$\)" <<<"${uri:-none}"
screen_blocks <"$T/screen.txt" >"$T/screen_qr.txt"
check_eq "  its QR codes scan on a light terminal (dark text on light)" \
	"$uri" "$(term_decode light <"$T/screen_qr.txt")"
check_eq "  and on a dark terminal (light text on dark)" \
	"$uri" "$(term_decode dark <"$T/screen_qr.txt")"
# control: the one code that was drawn before (the left) alone does not
# scan on a dark terminal, so the check above can fail
python3 -c 'import sys
for l in sys.stdin:
    l = l.rstrip("\n")
    print(l[:(len(l) - 2) // 2])' <"$T/screen_qr.txt" >"$T/left_qr.txt"
check_eq "  control: the left code alone does not scan on a dark terminal" "" \
	"$(term_decode dark <"$T/left_qr.txt")"
check_eq "  control: it does on a light one" "$uri" "$(term_decode light <"$T/left_qr.txt")"
tmux_keys "$(code 0 "$key")" Enter
wait_screen 'Press Enter' && tmux_keys Enter
wait_screen "^logged in as $ut" && ok "  the code for the key on the screen logs in" ||
	{ not_ok "  the code for the key on the screen logs in"; screen | sed 's/^/#   /'; }
tmux_cleanup

check "no secret in sshd's log" sh -c "! grep -q '$key' '$T/sshd.log'"
check "sshd is still running" kill -0 "$sshd_pid"
tap_done
