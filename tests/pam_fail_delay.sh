#!/bin/bash
# fail_delay=MS: after a refused code the module asks libpam to wait (as
# pam_unix and pam_faildelay do), so each guess costs an attacker time; a
# right code returns at once. pam_login reports the delay libpam settled on
# (it varies it by up to a half either way, so guesses cannot time the check)
# instead of waiting for it.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"

R="$T/%u.rec"
make_service delay "secret=$R fail_delay=2000"
make_service nodelay "secret=$R"
new_record "$T/root.rec"
check_login "a wrong code is refused" PAM_AUTH_ERR delay root "$(wrong_code)"
# about_2s: the delay of the last login is 2 s, give or take a half
about_2s() {
	local usec
	usec=$(sed -n 's/^fail delay: //p' "$T/last.log")
	[ -n "$usec" ] && [ "$usec" -ge 1000000 ] && [ "$usec" -le 3000000 ]
}
check "fail_delay=2000: libpam was asked to wait about 2 s" about_2s
check_login "an unknown user is refused" PAM_AUTH_ERR delay no_such_user_delay "$(wrong_code)"
check "the same delay for an unknown user" about_2s
check_login "the right code logs in" PAM_SUCCESS delay root "$(code)"
check_eq "no delay after a success" "" "$(sed -n 's/^fail delay: //p' "$T/last.log")"
check_login "without fail_delay, a wrong code" PAM_AUTH_ERR nodelay root "$(wrong_code)"
check_eq "without fail_delay, no delay is asked for" "" "$(sed -n 's/^fail delay: //p' "$T/last.log")"
make_service toolong "secret=$R fail_delay=60001"
check_login "fail_delay above 60000 ms is a configuration error" PAM_SERVICE_ERR toolong root "$(code)"

tap_done
