#!/bin/bash
# pam_totp among other factors, through the real libpam: nothing that
# another module stored or that comes before the password is ever counted
# against the user (issue 17).
#   - split_pass: one answer "password then code"; the code is kept until
#     the password module has said yes, and never checked before that;
#   - try_first_pass / use_first_pass: a stacked token is taken only when
#     it is exactly a code of the record's digits, never a recovery code;
#   - the retired forward_pass is refused, not silently ignored;
#   - a user name with a newline gives one escaped log line.
# The password module is played by pam_exec (its exit status is the
# verdict) so these run without a system user; tests/system_sshd.sh and
# tests/system_sudo.sh run the documented stacks with the real pam_unix.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"

R="$T/%u.rec"
REC="$T/root.rec"
state() { "$top_builddir/tests/shims/record_state" "$REC"; }
failures() { state | sed -n 's/.*failures=\([0-9]*\).*/\1/p'; }
prompts() { grep -c '^prompt' "$T/last.log"; }
bad=$(wrong_code)

# the "password module": saves the token it was given, then says yes
# (password_ok) or no (password_bad)
for verdict in ok bad; do
	printf '#!/bin/sh\ncat >%s/authtok\nexit %s\n' "$T" "$([ $verdict = ok ] && echo 0 || echo 1)" \
		>"$T/password_$verdict"
	chmod 755 "$T/password_$verdict"
done
split_stack() {
	make_stack "$1" "auth requisite $MODULE secret=$R split_pass" \
		"auth requisite pam_exec.so expose_authtok $T/password_$2" \
		"auth required $MODULE secret=$R"
}
split_stack split_ok ok
split_stack split_bad bad

# --- split_pass: the code is never looked at before the password is known
new_record "$REC"
login split_bad root "wrong-pw$(code)"
check "split_pass: wrong password, right code: denied ($result)" test "$result" != PAM_SUCCESS
check "  the code was not checked" not logged "accepted"
check_eq "  the password module got the password part" "wrong-pw" "$(tr -d '\0' <"$T/authtok")"
for i in 1 2 3 4 5 6; do login split_bad root "wrong-pw$bad"; done
check_eq "split_pass: six wrong passwords with wrong codes count nothing" 0 "$(failures)"
check "  and lock nothing: no lock-out message" not grep -q '^error: Too many' "$T/last.log"
check_login "split_pass: right password and right code" PAM_SUCCESS split_ok root "s3cret99$(code)"
check_eq "  the password module got the password part" "s3cret99" "$(tr -d '\0' <"$T/authtok")"
check "  one prompt only" test "$(prompts)" -eq 1
check_login "split_pass: right password, wrong code: denied" PAM_AUTH_ERR split_ok root "s3cret99$bad"
check_eq "  and that wrong code is counted" 1 "$(failures)"
check_login "split_pass: the password alone is denied" PAM_AUTH_ERR split_ok root "s3cret99"
# the cut is the option's, never the record's: the first step reads no
# record (nothing is open while the person types)
new_record "$REC" -d 8
make_stack split_8 "auth requisite $MODULE secret=$R split_pass split_digits=8" \
	"auth requisite pam_exec.so expose_authtok $T/password_ok" \
	"auth required $MODULE secret=$R"
check_login "split_pass split_digits=8: an 8-digit code is cut off" PAM_SUCCESS split_8 root \
	"pw12$(code 0 "$SECRET" SHA1 8)"
check_eq "  leaving the password" "pw12" "$(tr -d '\0' <"$T/authtok")"
check_login "split_pass: by default 6 digits are cut, whatever the record" PAM_AUTH_ERR split_ok \
	root "pw12$(code 0 "$SECRET" SHA1 8)"
check_eq "  the password module got the password and two digits" \
	"pw12$(code 0 "$SECRET" SHA1 8 | cut -c1-2)" "$(tr -d '\0' <"$T/authtok")"
check_eq "  the six digits are not counted as a wrong code" 0 "$(failures)"
# the first step alone grants nothing: without the second step and the
# password module, the stack has no success at all
make_stack split_alone "auth requisite $MODULE secret=$R split_pass"
check_login "split_pass alone cannot grant" PAM_PERM_DENIED split_alone root "pw$(code)"

# the config file is shared by both lines: split_pass there is refused
printf 'split_pass\n' >"$T/split.conf"
make_service split_conf "secret=$R conf=$T/split.conf"
check_login "split_pass in a config file is refused" PAM_SERVICE_ERR split_conf root "pw$(code)"
check "  saying where it belongs" logged "it belongs on the first pam_totp line alone"

# the one-line forward_pass counted codes before the password: refused, so
# a stack left as it was denies instead of dropping the code
make_stack fwd_old "auth required $MODULE secret=$R forward_pass" \
	"auth required pam_exec.so expose_authtok $T/password_ok"
check_login "forward_pass is refused as a configuration error" PAM_SERVICE_ERR fwd_old root \
	"s3cret99$(code)"
check "  saying what replaces it" logged "forward_pass is replaced by split_pass"

# --- try_first_pass: passwords shaped like recovery codes are not codes
recovery_left() { state | sed -n 's/.*recovery=\([0-9]*\).*/\1/p'; }
new_record "$REC" -r 2 >"$T/recovery"
# limits high enough that no lock-out hides a count
limits="max_failures=100 failure_ceiling=100"
make_stack try "$SET_ITEMS" "auth required $MODULE secret=$R try_first_pass $limits"
make_stack use "$SET_ITEMS" "auth required $MODULE secret=$R use_first_pass $limits"
# no answer to the prompt: whatever is counted comes from the stacked token
for pw in CorrectHorse Wintertime22 CORRECTHORSE abcdefghijkl 1234567 12345; do
	for i in 1 2 3; do LOGIN_OPTS="-a $pw" login try root; done
done
check_eq "try_first_pass: 18 stacked passwords (recovery-code shaped, 5 or 7 digits): none counted" \
	0 "$(failures)"
check "  the code was asked each time" grep -q '^prompt: Code from the app' "$T/last.log"
LOGIN_OPTS="-a CorrectHorse" check_login "try_first_pass: CorrectHorse stacked, then the right code" \
	PAM_SUCCESS try root "$(code)"
check "  the password was not taken as a malformed code" not logged "malformed"
check "  logged as not counted" logged "stacked token is not a code: asking, not counted"
rc1=$(sed -n '1p' "$T/recovery")
LOGIN_OPTS="-a $rc1" check_login "try_first_pass: a recovery code is never taken from the stack" \
	PAM_CONV_ERR try root
check "  the code was asked instead" grep -q '^prompt: Code from the app' "$T/last.log"
check_eq "  and both recovery codes are still there" 2 "$(recovery_left)"
LOGIN_OPTS="-a $(code 1)" check_login "try_first_pass: a stacked 6-digit code is taken" \
	PAM_SUCCESS try root
check "  without a prompt" test "$(prompts)" -eq 0
LOGIN_OPTS="-a CorrectHorse" check_login "use_first_pass: a stacked password is denied" \
	PAM_AUTH_ERR use root
check "  without a prompt" test "$(prompts)" -eq 0
LOGIN_OPTS="-a $rc1" check_login "use_first_pass: a stacked recovery code is denied" \
	PAM_AUTH_ERR use root
check_eq "use_first_pass: nothing counted" 0 "$(failures)"
check_eq "  and both recovery codes are still there" 2 "$(recovery_left)"
# an unknown user is asked the same way: enrolment cannot be told apart
LOGIN_OPTS="-a CorrectHorse" check_login "try_first_pass: unknown user, password stacked: asked too" \
	PAM_AUTH_ERR try no_such_user_pt 123456
check "  the code was asked" grep -q '^prompt: Code from the app' "$T/last.log"

# --- a user name cannot forge a log line
forged=$'pt_nobody\nuser=root service=sshd rhost=-: accepted at offset 0'
make_service plain "secret=$R"
check_login "a user name with a newline: denied" PAM_AUTH_ERR plain "$forged" 123456
check "  no forged line in the log" not grep -q '^user=root service=sshd' "$T/last.log"
check_eq "  one log line, the newline and the spaces escaped" 1 "$(grep -cF \
	'SYSLOG(5): user=pt_nobody\x0auser=root\x20service=sshd\x20rhost=-:\x20accepted\x20at\x20offset\x200 service=plain rhost=-: unknown user' \
	"$T/last.log")"

tap_done
