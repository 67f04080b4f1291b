#!/bin/bash
# The fail2ban filter (examples/fail2ban/) against one real line of every
# reason the module can log (pam_module/log_reason.h, printed by
# tests/shims/log_reasons), logged in this test through the real libpam with
# user names a filter could misread, and read by the real fail2ban-regex:
# each line is matched, by the host the module named, exactly when its
# reason is a guess. A reason added to the table without a case here, or
# a filter whose reasons are not exactly the table's guesses, fails.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "fail2ban-regex on logged lines; the module's refusals run under ASan in pam_basic and pam_factors"
command -v fail2ban-regex >/dev/null || bail "fail2ban not installed (apt-get install fail2ban)"
. "$top_srcdir/tests/lib/pam_env.sh"
export LC_ALL=C
. "$top_srcdir/tests/lib/enroll_login.sh"
# the filter beside fail2ban's own common.conf, as once installed
F2B_COMMON=/etc/fail2ban/filter.d/common.conf
[ -f "$F2B_COMMON" ] || bail "$F2B_COMMON missing (fail2ban not installed?)"
mkdir -p "$T/filter.d"
cp "$top_srcdir/examples/fail2ban/filter.d/pam_totp.conf" "$T/filter.d/"
ln -s "$F2B_COMMON" "$T/filter.d/common.conf"
FILTER="$T/filter.d/pam_totp.conf"
"$top_builddir/tests/shims/log_reasons" >"$T/reasons" || bail "tests/shims/log_reasons failed"

# Users that exist, in a passwd file of the test's own (nss_wrapper), with
# names that hold spaces and "rhost=", one of 300 characters (a name
# cannot hold ':' or a newline there); their records by uid. Unknown users
# may be called anything: a colon, a whole forged reason, a newline.
NSS_WRAPPER_LIB=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -1)
[ -n "$NSS_WRAPPER_LIB" ] || bail "nss_wrapper not installed (apt-get install libnss-wrapper)"
long() { local s=""; while [ ${#s} -lt 300 ]; do s+=$1; done; echo "${s:0:300}"; }
U_SPACE="pt f2b spaced"                   # uid 5001
U_RHOST="rhost=203.0.113.66"              # uid 5002
U_LONG=$(long "x rhost=203.0.113.66 ")    # uid 5003
U_NEW="pt f2b new rhost=203.0.113.66"     # uid 5004, never enrolled but here
N_COLON=": wrong code"
N_SMUG="service=sshd rhost=203.0.113.66: wrong code"
N_NL=$'pt_f2b\nuser=root service=sshd rhost=203.0.113.66: wrong code'
N_LONG=$(long "service=sshd rhost=203.0.113.66: wrong code ")
mkdir -m 755 "$T/home"
{
	echo "root:x:0:0:root:/root:/bin/sh"
	echo "$U_SPACE:x:5001:5001::$T/home:/bin/sh"
	echo "$U_RHOST:x:5002:5001::$T/home:/bin/sh"
	echo "$U_LONG:x:5003:5001::$T/home:/bin/sh"
	echo "$U_NEW:x:5004:5001::$T/home:/bin/sh"
} >"$T/passwd"
printf 'root:x:0:\npt_f2b:x:5001:\n' >"$T/group"
export NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group"
STORE="$T/store"
mkdir -m 700 "$STORE"
S="secret=$STORE/%U"

make_service sshd "$S"
make_service lock "$S max_failures=1 failure_ceiling=3 lockout_base=600 lockout_max=600"
make_service bad "$S frobnicate"
make_service debug "$S debug"
make_stack nullok "auth required $MODULE $S nullok" "auth required pam_permit.so"
make_stack split "auth requisite $MODULE $S split_pass" "auth required $MODULE $S"
make_stack pw "$SET_ITEMS" "auth required $MODULE $S"
make_stack try "$SET_ITEMS" "auth required $MODULE $S try_first_pass"
make_stack use "$SET_ITEMS" "auth required $MODULE $S use_first_pass"
make_enrol_service enrol "$S enroll=prompt"
make_enrol_service late "$S enroll=prompt enroll_until=$(date -d "@$(($(test_now) - 86400))" +%F)"
make_enrol_service home "secret=%h/.pam_totp_f2b_$$ enroll=prompt"
# the PostgreSQL store through its plugin, with no server at that path
PG_REASONS="DB_INSECURE_TRANSPORT DB_KEY_NONE DB_UNAVAILABLE DB_UNAVAILABLE_IGNORED"
PG_PLUGIN="$top_builddir/pam_module/.libs/pam_totp_pg.so"
pg_usable=no
[ "${have_pq:-no}" = yes ] && [ -f "$PG_PLUGIN" ] && [ "$(stat -c %u "$PG_PLUGIN")" = 0 ] &&
	pg_usable=yes
PG="store=postgresql db=host=$T/nonexistent-dir db_key=none"
make_service pgdown "$PG db_insecure_transport=yes"
make_stack pgignore "auth required $MODULE $PG db_unavailable=ignore" "auth required pam_permit.so"

# Each case: the reasons it is for (one or more, in one word of the shell),
# the host it logs in from ("" none). Every line a case logged goes to
# $T/lines: case, reasons, host, priority, the line.
cases=0
keep() {  # REASONS HOST LOG
	cases=$((cases + 1))
	printf '%s\t%s\n' "$cases" "$1" >>"$T/cases"
	sed -n "s/.*SYSLOG(\([0-9]*\)): /$cases\t$1\t${2:--}\t\1\t/p" "$3" >>"$T/lines"
}
from() {  # REASONS HOST SERVICE USER ANSWER... ($OPTS: more pam_login options)
	local reason=$1 host=$2
	shift 2
	LD_PRELOAD="$NSS_WRAPPER_LIB" LOGIN_OPTS="${host:+-r $host} ${OPTS:-}" login "$@"
	keep "$reason" "$host" "$T/last.log"
}
enrol_start() {  # NAME HOST SERVICE USER: an enrolment at login, to its first prompt
	LD_PRELOAD="$NSS_WRAPPER_LIB${PRELOAD_TOO:+:$PRELOAD_TOO}" LOGIN_OPTS="${2:+-r $2}" \
		start_enrol "$1" "$3" "$4"
}
rec() { echo "$STORE/$1"; }

# ---- the verdicts, for users that exist ----
new_record "$(rec 0)"
new_record "$(rec 5001)"
new_record "$(rec 5002)"
new_record "$(rec 5003)"
from ACCEPTED 192.0.2.1 sshd "$U_SPACE" "$(code)"
from REPLAYED 192.0.2.2 sshd "$U_SPACE" "$(code)"
from WRONG_CODE 192.0.2.3 sshd "$U_RHOST" "$(wrong_code)"
from WRONG_CODE 2001:db8::4 sshd "$U_LONG" "$(wrong_code)"
from MALFORMED 192.0.2.5 sshd "$U_RHOST" "not-a-code"
new_record "$(rec 5001)" -f
from WRONG_CODE 192.0.2.6 lock "$U_SPACE" "$(wrong_code)"   # and locked until
from LOCKED_OUT 192.0.2.7 lock "$U_SPACE" "$(code)"
new_record "$(rec 5003)" -f -s 3
from DISABLED 192.0.2.8 lock "$U_LONG" "$(code)"
from WRONG_CODE "" sshd root "$(wrong_code)"
from CLOCK_DRIFT 192.0.2.9 sshd root "$(code 5)" "$(code 6)"
recovery=$(new_record "$(rec 5002)" -f -r 1)
from RECOVERY_USED 192.0.2.10 sshd "$U_RHOST" "$recovery"
echo "not a record" >"$(rec 5002)"
from RECORD_ERROR 192.0.2.11 sshd "$U_RHOST" "$(code)"
printf 'pam_totp-removed 1\nremoved=%s\nby=pt_f2b_admin\n' "$(test_now)" >"$(rec 5002)"
from REMOVED 192.0.2.36 sshd "$U_RHOST" "$(code)"

# ---- no record, no such user ----
from NOT_ENROLLED 192.0.2.12 sshd "$U_NEW" 123456
from NULLOK 192.0.2.13 nullok "$U_NEW"
from UNKNOWN_USER 192.0.2.14 sshd "$N_COLON" 123456
from UNKNOWN_USER 192.0.2.15 sshd "$N_SMUG" 123456
from UNKNOWN_USER 2001:db8::16 sshd "$N_NL" 123456
from UNKNOWN_USER 192.0.2.17 sshd "$N_LONG" 123456
from UNKNOWN_USER "" sshd "$N_SMUG" 123456

# ---- before the answer, and answers that are no code ----
from CONFIG_ERROR 192.0.2.18 bad "$N_SMUG" 123456
from NO_USER_NAME 192.0.2.19 sshd ""
from NO_CODE 192.0.2.20 sshd "$N_SMUG"
from NO_ANSWER 192.0.2.21 split "$N_NL"
from DEBUG 192.0.2.22 debug "$N_SMUG" 123456
OPTS="-a hunter2-pw" from ANSWER_WAS_PASSWORD 192.0.2.23 pw "$N_COLON" hunter2-pw
new_record "$(rec 0)" -f
OPTS="-a hunter2-pw" from STACKED_ASKING 192.0.2.24 try root "$(code)"
OPTS="-a hunter2-pw" from STACKED_DENIED 192.0.2.25 use "$N_SMUG"

# ---- enrolment at login ----
from ENROLL_NOT_OFFERED 192.0.2.26 late "$U_NEW" 123456
from ENROLL_FAILED 192.0.2.27 home "$U_NEW"
enrol_start e1 192.0.2.28 enrol "$U_NEW"
answer e1 "$(shown_code e1)"
finish e1
keep "ENROLL_STARTED ENROLLED" 192.0.2.28 "$T/e1.log"
check_eq "enrolment at login: the user enrolled" PAM_SUCCESS "$result"
rm -f "$(rec 5004)"
enrol_start e2 192.0.2.29 enrol "$U_NEW"
for i in 1 2 3; do answer e2 "$(wrong_code)"; done
finish e2
keep ENROLL_UNCONFIRMED 192.0.2.29 "$T/e2.log"
PRELOAD_TOO="$top_builddir/tests/shims/.libs/libfaultshim.so" FAULT_CALL=dlopen \
	FAULT_PATH=libqrencode FAULT_COUNT=0 enrol_start e3 192.0.2.30 enrol "$U_NEW"
finish e3
keep "ENROLL_NO_QR ENROLL_ABANDONED" 192.0.2.30 "$T/e3.log"
enrol_start e4 192.0.2.31 enrol "$U_NEW"
new_record "$(rec 5004)"   # another login's, meanwhile
answer e4 "$(shown_code e4)"
finish e4
keep "ENROLL_RESUMED ENROLL_EXISTS" 192.0.2.31 "$T/e4.log"
rm -f "$(rec 5004)"
enrol_start e5 192.0.2.37 enrol "$U_NEW"
finish e5
advance_clock 901
enrol_start e6 192.0.2.38 enrol "$U_NEW"
finish e6
keep ENROLL_EXPIRED 192.0.2.38 "$T/e6.log"
rm -f "$(rec 5004)"

# ---- the database out of reach ----
if [ "$pg_usable" = yes ]; then
	from DB_UNAVAILABLE 192.0.2.32 pgdown "$U_SPACE" 123456
	from DB_KEY_NONE 192.0.2.33 pgdown "$N_NL" 123456
	from DB_INSECURE_TRANSPORT 192.0.2.35 pgdown "$N_LONG" 123456
	from DB_UNAVAILABLE_IGNORED 192.0.2.34 pgignore root 123456
fi

# Each line: its reason, the one whose fixed text is the longest that
# begins the line after "rhost=HOST: "; its fields, which must be one word
# each (a user name cannot supply them). libpam logs a failed conversation
# itself, under the module's name: "(libpam)", no fields. Out: case,
# reasons of the case, host of the case, priority, reason of the line,
# rhost field, the line.
awk -F'\t' -v OFS='\t' '
	NR == FNR { n++; id[n] = $1; text[n] = $4; next }
	{
		line = $5; rhost = "(fields?)"; reason = "(none)"; best = 0
		if (line == "conversation failed")
			reason = "(libpam)"
		else if (match(line, /^user=[^ ]+ service=[^ ]+ rhost=[^ ]+: /)) {
			rest = substr(line, RLENGTH + 1)
			rhost = substr(line, 1, RLENGTH - 2)
			sub(/.* rhost=/, "", rhost)
			for (i = 1; i <= n; i++)
				if (length(text[i]) > best && substr(rest, 1, length(text[i])) == text[i]) {
					reason = id[i]; best = length(text[i])
				}
		}
		print $1, $2, $3, $4, reason, rhost, line
	}' "$T/reasons" "$T/lines" >"$T/classified"
show() { sed 's/^/#   /' "$@"; }
field() { cut -f"$1" "$T/$2" | sort -u; }

bad=$(awk -F'\t' '$6 != $3 && $5 != "(libpam)"' "$T/classified")
check "every line has the module's fields, one word each, with the host logged in from" \
	test -z "$bad"
[ -z "$bad" ] || show <<<"$bad"
bad=$(awk -F'\t' 'NR == FNR { prio[$1] = $2; next }
	$5 != "(libpam)" && (!($5 in prio) || prio[$5] != $4)' "$T/reasons" "$T/classified")
check "every line is one of the table's reasons, at its priority (or libpam's own)" \
	test -z "$bad"
[ -z "$bad" ] || show <<<"$bad"
bad=$(awk -F'\t' 'NR == FNR { want[$1] = $2; next } { had[$1] = had[$1] " " $5 " " }
	END { for (c in want) for (i = split(want[c], w, " "); i > 0; i--)
		if (index(had[c], " " w[i] " ") == 0) print "case " c ": no " w[i] ", but:" had[c] }' \
	"$T/cases" "$T/classified")
check "every case logged the reasons it is for" test -z "$bad"
[ -z "$bad" ] || show <<<"$bad"
missing=$(comm -23 <(cut -f1 "$T/reasons" | sort) <(cut -f5 "$T/classified" | sort -u))
if [ "$pg_usable" != yes ]; then
	for r in $PG_REASONS; do missing=$(grep -vx "$r" <<<"$missing"); done
	ok "# SKIP the database's reasons ($PG_REASONS): no PostgreSQL plugin owned by root"
fi
check_eq "every reason of the table was logged by a case (tests/shims/log_reasons)" "" \
	"$(echo $missing)"

# as syslog writes them: pam_syslog puts "pam_totp(SERVICE:auth): " first;
# the line's number is its process id
awk -F'\t' -v d="$(date '+%b %e %H:%M:%S')" '{
	service = "unknown"
	if (match($7, / service=[^ ]+ /)) service = substr($7, RSTART + 9, RLENGTH - 10)
	printf "%s testhost sshd[%d]: pam_totp(%s:auth): %s\n", d, NR, service, $7
}' "$T/classified" >"$T/auth.log"
fail2ban-regex --out '<ip> <msg>' "$T/auth.log" "$FILTER" >"$T/f2b.out" 2>"$T/f2b.err" || {
	show "$T/f2b.err"; bail "fail2ban-regex failed"; }
sed -n 's/^\([^ ]*\) .* testhost sshd\[\([0-9]*\)\]: .*/\2\t\1/p' "$T/f2b.out" >"$T/matched"
# per line: the reason, guess or not, the host expected to be matched
# (a guess's, when it has one), the host fail2ban matched
awk -F'\t' -v OFS='\t' '
	FILENAME == ARGV[1] { guess[$1] = $3 == "guess"; next }
	FILENAME == ARGV[2] { matched[$1] = $2; next }
	{ want = guess[$5] && $3 != "-" ? $3 : "-"
	  print $5, guess[$5] ? "guess" : "-", want, FNR in matched ? matched[FNR] : "-" }' \
	"$T/reasons" "$T/matched" "$T/classified" >"$T/verdicts"
for r in $(cut -f1 "$T/reasons"); do
	grep -q "^$r	" "$T/verdicts" || continue
	n=$(grep -c "^$r	" "$T/verdicts")
	bad=$(awk -F'\t' -v r="$r" '$1 == r && $3 != $4' "$T/verdicts")
	if [ "$(grep "^$r	" "$T/reasons" | cut -f3)" = guess ]; then
		what="$r (a guess): each of $n lines matched by its host, none without one"
	else
		what="$r: none of $n lines matched"
	fi
	check "$what" test -z "$bad"
	[ -z "$bad" ] || show <<<"$(awk -F'\t' '{ print "want " $3 ", matched " $4 }' <<<"$bad")"
done
check "lines of no reason of the table (libpam's) are not matched either" \
	test -z "$(awk -F'\t' '$1 ~ /^\(/ && $4 != "-"' "$T/verdicts")"
check "203.0.113.66, a host named only inside user names, is never matched" \
	test "$(grep -c 203.0.113.66 "$T/matched")" = 0

# the filter's reasons are exactly the texts of the table's guesses
filter_reasons=$(sed -n 's/^failregex = .*rhost=<HOST>: (?:\([^)]*\)).*/\1/p' "$FILTER" |
	tr '|' '\n' | sed 's/\\\(.\)/\1/g' | sort)
check_eq "the filter's reasons are the guesses of the table" \
	"$(awk -F'\t' '$3 == "guess" { print $4 }' "$T/reasons" | sort | tr '\n' '|')" \
	"$(tr '\n' '|' <<<"$filter_reasons")"
check "the filter takes the fields as one word each, no user name can supply one" \
	grep -Fq 'user=\S+ service=\S+ rhost=<HOST>: (?:' "$FILTER"

tap_done
