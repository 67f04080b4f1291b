#!/bin/bash
# The fail2ban filter (examples/fail2ban/) against lines the module logged
# in this test through the real libpam, read by the real fail2ban-regex:
# every refusal a guesser causes is matched by its remote host; a success,
# a line without a remote host, and a user name that smuggles in
# "rhost=..." are not turned against the wrong host.
. "$top_srcdir/tests/tap.sh"
skip_in_sanitizer_build "fail2ban-regex on logged lines; the module's refusals run under ASan in pam_basic and pam_factors"
command -v fail2ban-regex >/dev/null || bail "fail2ban not installed (apt-get install fail2ban)"
. "$top_srcdir/tests/pam_env.sh"
# the filter beside fail2ban's own common.conf, as once installed
F2B_COMMON=/etc/fail2ban/filter.d/common.conf
[ -f "$F2B_COMMON" ] || bail "$F2B_COMMON missing (fail2ban not installed?)"
mkdir -p "$T/filter.d"
cp "$top_srcdir/examples/fail2ban/filter.d/pam_totp.conf" "$T/filter.d/"
ln -s "$F2B_COMMON" "$T/filter.d/common.conf"
FILTER="$T/filter.d/pam_totp.conf"

make_service sshd "secret=$T/%u.rec"
make_service lock "secret=$T/%u.rec max_failures=1 failure_ceiling=5 lockout_base=600 lockout_max=600"
new_record "$T/root.rec"
: >"$T/module.log"
# from HOST, as USER, answer ANSWER; the module's line kept
from() {
	local host=$1 svc=$2 user=$3 answer=$4
	LOGIN_OPTS=${host:+-r $host} login "$svc" "$user" "$answer"
	sed -n 's/.*SYSLOG([0-9]*): //p' "$T/last.log" >>"$T/module.log"
}
from 192.0.2.7 sshd root "$(wrong_code)"
from 192.0.2.8 sshd root "not-a-code"
c=$(code)
from 203.0.113.9 sshd root "$c"
from 2001:db8::9 sshd root "$c"
from 198.51.100.4 sshd pt_f2b_nosuchuser 123456
from 192.0.2.10 sshd 'x service=sshd rhost=203.0.113.66: wrong code' 123456
from "" sshd root "$(wrong_code)"
from 192.0.2.11 lock root "$(wrong_code)"
from 192.0.2.12 lock root "$(wrong_code)"
check_eq "the module logged one line per login" 9 "$(wc -l <"$T/module.log")"

# as syslog writes them: pam_syslog puts "pam_totp(SERVICE:auth): " first
awk -v d="$(LC_ALL=C date '+%b %e %H:%M:%S')" \
	'{ split($2, s, "="); printf "%s testhost sshd[%d]: pam_totp(%s:auth): %s\n", d, 1000 + NR, s[2], $0 }' \
	"$T/module.log" >"$T/auth.log"
fail2ban-regex --out ip "$T/auth.log" "$FILTER" >"$T/ips" 2>"$T/f2b.err" || {
	cat "$T/f2b.err"; bail "fail2ban-regex failed"; }
check_eq "hosts matched: wrong, malformed, replay, unknown user, locked, and the smuggler's own" \
	"192.0.2.10 192.0.2.11 192.0.2.12 192.0.2.7 192.0.2.8 198.51.100.4 2001:db8::9" \
	"$(sort -u "$T/ips" | tr '\n' ' ' | sed 's/ $//')"
check "a success is not matched" test "$(grep -c 203.0.113.9 "$T/ips")" = 0
check "a host named inside a user name is not matched" test "$(grep -c 203.0.113.66 "$T/ips")" = 0
check "the lock-out line itself is matched" grep -q "rhost=192.0.2.12: locked out until" "$T/module.log"
fail2ban-regex "$T/auth.log" "$FILTER" >"$T/f2b.out" 2>&1
check "fail2ban-regex: 7 of the 9 lines matched (all but the success and the one without a host)" \
	grep -Eq "^Lines: 9 lines, 0 ignored, 7 matched, 2 missed" "$T/f2b.out"

tap_done
