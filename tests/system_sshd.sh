#!/bin/bash
# The module in the system's real sshd, on loopback (tests/lib/sshd_env.sh):
# keyboard-interactive logins answered through a pty, in English and, with
# no Dutch locale installed for it, in Dutch.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/system_env.sh"
. "$top_srcdir/tests/lib/sshd_env.sh"

ua="ptsa$$" uk="ptsk$$" uh="ptsh$$" un="ptsn$$"
for u in "$ua" "$uk" "$uh" "$un"; do new_user "$u"; eval "pw_$u=\$user_password"; done
pw() { eval "echo \"\$pw_$1\""; }

start_sshd "$ua" "$uk" "$uh" "$un" -- "Match User $uk" \
	"	AuthenticationMethods publickey,keyboard-interactive"
home_uk=$(getent passwd "$uk" | cut -d: -f6)
install -d -m 700 -o "$uk" -g "$uk" "$home_uk/.ssh"
install -m 600 -o "$uk" -g "$uk" "$T/client_key.pub" "$home_uk/.ssh/authorized_keys"

CODE='Code from the app: ?'
PASS_CODE='Password, then the code from the app: ?'

# --- a code alone, the record in a root-only administrator's store ---
# (the auth lines of examples/pam.d/sshd-key-code, here without the key)
mapfile -t key_code < <(example_auth sshd-key-code "secret=$STORE/%u")
set_stack "${key_code[@]}"
admin_record "$ua"
c=$(code)
ssh_code "$ua" -a "$CODE" "$c"
expect_in "$ua" "right code: the command runs"
check "sshd used its own PAM service" \
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
failures() { "$top_builddir/tests/shims/record_state" "$STORE/$1" | sed -n 's/.*failures=\([0-9]*\).*/\1/p'; }
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

# --- Dutch: language= on the module's line, as a Dutch-speaking site
# sets it (pam_totp(8)). No locale is generated for it: the module reads
# its catalogue by the language's name (lib/catalog.c), so a server with
# C.UTF-8 alone speaks Dutch too. The catalogue is the build's, through
# localedir=.
NL=nl_NL.UTF-8
LOCALEDIR="$T/share/locale"
install -D -m 644 "$top_builddir/po/nl.gmo" "$LOCALEDIR/nl/LC_MESSAGES/pam_totp.mo" ||
	bail "po/nl.gmo not built"
# lang_stack LOCALE: examples/pam.d/sshd-key-code's auth lines in LOCALE
lang_stack() {
	local lines
	mapfile -t lines < <(example_auth sshd-key-code \
		"secret=$STORE/%u language=$1 localedir=$LOCALEDIR")
	set_stack "${lines[@]}"
}
# as the user's ssh shows them: at its default LogLevel
SSH_LOG_LEVEL=INFO
REPLAY='This code was already used. Wait for the next code in the app.'
NL_CODE='Code uit de app: ?'
NL_REPLAY='Deze code is al gebruikt. Wacht op de volgende code in de app.'
lang_stack "$NL"
admin_record "$ua"
c=$(code)
ssh_code "$ua" -a "$NL_CODE" "$c"
expect_in "$ua" "language=$NL: the right code logs in"
check "  the client showed the Dutch prompt" grep -qF "($ua@127.0.0.1) Code uit de app: " "$T/last.log"
ssh_code "$ua" -a "$NL_CODE" "$c"
expect_out "language=$NL: the same code again is denied"
check "  the client showed why, in Dutch" grep -qF "$NL_REPLAY" "$T/last.log"
check "  and nothing in English" test "$(grep -c 'Code from the app\|already used' "$T/last.log")" = 0
lang_stack xx_YY.UTF-8
c=$(code 1)
ssh_code "$ua" -a "$CODE" "$c"
expect_in "$ua" "language=xx_YY.UTF-8 (no such locale): the code logs in"
check "  the client showed the English prompt" grep -qF "($ua@127.0.0.1) Code from the app: " "$T/last.log"
ssh_code "$ua" -a "$CODE" "$c"
expect_out "language=xx_YY.UTF-8: the same code again is denied"
check "  the client showed why, in English" grep -qF "$REPLAY" "$T/last.log"

check "sshd is still running" kill -0 "$sshd_pid"
tap_done
