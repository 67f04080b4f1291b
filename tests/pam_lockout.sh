#!/bin/bash
# Lock-out through the real PAM stack: its progression, what the user is
# told, the reset after a success, and the hard ceiling.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"

R="$T/%u.rec"
make_service lock "secret=$R max_skew=1 max_failures=3 lockout_base=3 lockout_max=6 failure_ceiling=7"
bad=$(wrong_code)
failures() { "$top_builddir/tests/shims/record_state" "$T/root.rec" | sed -n 's/.*failures=\([0-9]*\).*/\1/p'; }

# The test clock (tests/lib/totp_code.sh) stands still between logins, so a
# lock-out holds until the test moves the clock past it.
new_record "$T/root.rec"
check_login "1st wrong code" PAM_AUTH_ERR lock root "$bad"
check_login "2nd wrong code" PAM_AUTH_ERR lock root "$bad"
check "not locked yet: no lock-out message" test "$(grep -c '^error: Too many' "$T/last.log")" -eq 0
check "not locked yet: told the code was wrong" grep -qx 'error: That code is not right.' "$T/last.log"
check_login "3rd wrong code starts a lock-out" PAM_AUTH_ERR lock root "$bad"
check "user told how long (3 s)" grep -q '^error: Too many wrong codes. Try again in 3 seconds.' "$T/last.log"
check "user told the lock-out holds for SSH and sudo too" grep -q '^error: Too many.*SSH and sudo included' "$T/last.log"
check "lock-out logged" logged "wrong code (3 consecutive failures), locked until"
check_login "while locked, even the right code is refused" PAM_AUTH_ERR lock root "$(code)"
check "locked attempt logged" logged "locked out until"
check "user told to wait" grep -q '^error: Too many wrong codes. Try again in [123] second' "$T/last.log"
check_eq "locked attempts are not counted" 3 "$(failures)"
advance_clock 2
check_login "1 s before the lock-out ends, still refused" PAM_AUTH_ERR lock root "$(code)"
check_eq "that attempt was not counted either" 3 "$(failures)"
advance_clock 1
check_login "after the lock-out, a 4th wrong code" PAM_AUTH_ERR lock root "$bad"
check "second lock-out is twice as long (6 s)" grep -q '^error: Too many wrong codes. Try again in 6 seconds.' "$T/last.log"
advance_clock 5
check_login "1 s before the second lock-out ends, refused" PAM_AUTH_ERR lock root "$bad"
check "user told the second lock-out has 1 second left" grep -q '^error: Too many wrong codes. Try again in 1 second' "$T/last.log"
advance_clock 1
check_login "5th wrong code: capped at lockout_max" PAM_AUTH_ERR lock root "$bad"
check "lock-out capped at 6 s" grep -q '^error: Too many wrong codes. Try again in 6 seconds.' "$T/last.log"
advance_clock 6
check_login "right code after the lock-out" PAM_SUCCESS lock root "$(code)"
check_eq "a success resets the count" 0 "$(failures)"
check_login "a wrong code after the reset is not locked" PAM_AUTH_ERR lock root "$bad"
check "no lock-out message after one failure" test "$(grep -c '^error: Too many' "$T/last.log")" -eq 0

# the hard ceiling: after failure_ceiling failures, refused until reset
new_record "$T/root.rec"
make_service ceiling "secret=$R max_skew=1 max_failures=7 failure_ceiling=7 lockout_base=1 lockout_max=1"
for i in 1 2 3 4 5 6 7; do login ceiling root "$bad"; done
check_eq "7 failures counted" 7 "$(failures)"
advance_clock 2
check_login "at the ceiling the right code is refused" PAM_AUTH_ERR ceiling root "$(code)"
check "user told to ask the service desk" grep -q '^error: Too many wrong codes. Ask the service desk (your administrator)' "$T/last.log"
check "ceiling logged" logged "disabled after 7 failures"
make_service ceiling100 "secret=$R failure_ceiling=101"
check_login "a ceiling above 100 is refused (NIST SP 800-63B)" PAM_SERVICE_ERR ceiling100 root "$(code)"
new_record "$T/root.rec"
check_login "re-enrolment (a new record) clears the ceiling" PAM_SUCCESS ceiling root "$(code)"

tap_done
