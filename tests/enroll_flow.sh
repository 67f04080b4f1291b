#!/bin/bash
# The interactive flow under a pseudo-terminal: nothing is written until a
# right code, Ctrl-C / EOF / three wrong codes leave an existing record as it
# was, --force keeps the old enrolment in force until the new one is
# confirmed, and the recovery codes shown once each log in once.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only; make distcheck-quick runs it in a plain build too"
. "$top_srcdir/tests/lib/enroll_env.sh"
rec="$T/root.rec"

# --- right code on the second try
enroll_pty wrong,right --recovery-codes 3 --png "$T/qr.png"
check_eq "wrong then right: enrolled" 0 "$pty_exit"
check "wrong code told, two tries left" grep -q "That code is not right. 2 tries left." "$T/pty.log"
check_eq "record is 0600" 600 "$(stat -c %a "$rec")"
check "PNG kept after success" test -s "$T/qr.png"
check "recovery codes said to be shown once" grep -q "They will not be shown again." "$T/pty.log"
check_eq "three recovery codes shown" 3 "$(wc -l <<<"$pty_recovery")"
check "record holds recovery hashes, not codes" \
	test "$(grep -c -F -f <(echo "$pty_recovery") "$rec")" -eq 0
check "record's last step is the confirming step" \
	grep -q "^state_a=[0-9]*:+0*$(( $(test_now) / 30 )):" "$rec"
check_login "the confirming code is refused at login (replay)" PAM_AUTH_ERR enr root \
	"$(uri_code "$pty_uri" 0)"
check_login "the next code logs in" PAM_SUCCESS enr root "$(uri_code "$pty_uri" 1)"

# --- recovery codes: each once
n=0
for c in $pty_recovery; do
	n=$((n + 1))
	check_login "recovery code $n logs in" PAM_SUCCESS enr root "$c"
	check_login "recovery code $n refused the second time" PAM_AUTH_ERR enr root "$c"
done
check "no recovery hashes left" test "$(grep -c '^recovery' "$rec")" -eq 0

# --- the window: one step either side of now (window=1), no further
for spec in "code:2,code:-2,code:1 +1 2" "code:-1 -1 0"; do
	set -- $spec
	rm -f "$rec"
	enroll_pty "$1" --qr=none --recovery-codes 0
	check_eq "window: $1 enrols" 0 "$pty_exit"
	check_eq "window: $1 refuses $3 codes" "$3" "$(grep -c 'not right' "$T/pty.log")"
	check "window: $1 stores step T$2 as used" \
		grep -q "^state_a=[0-9]*:+0*$(( $(test_now) / 30 $2 )):" "$rec"
done

# --- an existing record is refused without --force, and left alone
cp -p "$rec" "$T/before"
enroll --no-confirm
check_eq "existing enrolment without --force: exit 3" 3 "$enroll_rc"
check "and says to use --force" grep -q -- "--force" "$T/err"
check "record untouched" cmp -s "$rec" "$T/before"
enroll_pty right
check_eq "existing enrolment without --force under a pty: exit 3" 3 "$pty_exit"
check "record still untouched" cmp -s "$rec" "$T/before"

# --- three wrong codes, garbage counts, EOF, Ctrl-C: nothing written
for spec in "wrong,wrong,wrong 4 three-wrong-codes" "garbage,wrong,garbage 4 garbage-and-wrong" \
	"eof 4 EOF" "wrong,eof 4 wrong-then-EOF" "intr 130 Ctrl-C" "wrong,intr 130 wrong-then-Ctrl-C"; do
	set -- $spec
	rm -f "$T/qr.png" "$T/qr.svg"
	enroll_pty "$1" --force --png "$T/qr.png" --svg "$T/qr.svg"
	check_eq "$3: exit $2" "$2" "$pty_exit"
	check "$3: existing record exactly as it was" cmp -s "$rec" "$T/before"
	check "$3: QR files removed" test ! -e "$T/qr.png" -a ! -e "$T/qr.svg"
	check "$3: no temporary file left" test -z "$(ls "$T" | grep '\.tmp\.')"
done
last=$(tail -n 1 "$T/pty.log")
check "Ctrl-C at the prompt resets the terminal colours" test "${last%$'^C\e[0m\r'}" != "$last"
rm -f "$rec"
enroll_pty intr
check_eq "Ctrl-C without a record: exit 130" 130 "$pty_exit"
check "Ctrl-C without a record: none written" test ! -e "$rec"
enroll_pty wrong,wrong,wrong
check_eq "three wrong codes without a record: exit 4" 4 "$pty_exit"
check "three wrong codes: none written" test ! -e "$rec"
check "three wrong codes: says nothing was written" grep -q "nothing was written" "$T/pty.log"

# --- --force: the old enrolment works until the new one is confirmed
enroll --no-confirm --recovery-codes 0
old_uri=$(grep -o 'otpauth://[^ ]*' "$T/out")
rm -f "$T/go"
python3 "$top_srcdir/tests/lib/enroll_pty.py" "$T/pty.log" "pause:$T/go,right" \
	"$ENROLL" "${ENROLL_OPTS[@]}" --force --qr=none >"$T/force.out" &
pid=$!
wait_for 60 "the code prompt of the pending --force" grep -qs "Code from the app: " "$T/pty.log"
check_login "--force pending: the old code still logs in" PAM_SUCCESS enr root "$(uri_code "$old_uri" 0)"
touch "$T/go"
wait $pid
new_uri=$(sed -n 's/^uri: //p' "$T/force.out")
check_eq "--force confirmed: exit 0" 0 "$(sed -n 's/^exit: //p' "$T/force.out")"
check_login "after --force: the old secret is refused" PAM_AUTH_ERR enr root "$(uri_code "$old_uri" 1)"
check_login "after --force: the new secret logs in" PAM_SUCCESS enr root "$(uri_code "$new_uri" 1)"

# --- default number of recovery codes, and --quiet
rm -f "$rec"
enroll --no-confirm --quiet --qr=none
check_eq "--quiet --no-confirm: exit 0" 0 "$enroll_rc"
check_eq "ten recovery codes by default" 10 "$(grep -cE '^  [a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$' "$T/out")"
check "--quiet: no explanations" test "$(grep -c 'add the account by hand' "$T/out")" -eq 0

# --- a store that cannot take the record is found before any QR code:
# no secret made or shown, no prompt, so no phone keeps a dead entry
check_refused_early() {
	local name=$1 why=$2
	shift 2
	"$ENROLL" --conf "$T/conf" "$@" >"$T/out" 2>"$T/err" </dev/null
	check_eq "$name: exit 1" 1 "$?"
	check "$name: says why ($why) and that no QR code was shown" \
		grep -q "$why.*no QR code was shown" "$T/err"
	check "$name: no QR code, secret or URI shown, no prompt" \
		test "$(grep -c -e $'\e' -e otpauth -e 'Code:' "$T/out")" -eq 0 -a ! -s "$T/out"
}
# (root's records here are outside its home: the administrator's store,
# whose directory is made when missing, tests/enroll_user.sh; its parent
# is not)
check_refused_early "store directory whose parent is missing" "directory $T/missing does not exist" \
	--secret-path "$T/missing/store/%u"
mkdir -m 777 "$T/open"
check_refused_early "store directory anyone may write" "the store directory $T/open is unsafe" \
	--secret-path "$T/open/%u"
# outside the home even a sticky one: only root may write there
mkdir -m 1777 "$T/sticky"
check_refused_early "sticky store directory anyone may write" "the store directory $T/sticky is unsafe" \
	--secret-path "$T/sticky/%u"
# an unwritable directory (root writes outside the home: a read-only
# bind mount would be needed; the user's case is in tests/enroll_user.sh)

# --- options
enroll --digits 7
check_eq "--digits 7 refused" 2 "$enroll_rc"
enroll --recovery-codes 21
check_eq "--recovery-codes 21 refused" 2 "$enroll_rc"
enroll --period 0
check_eq "--period 0 refused" 2 "$enroll_rc"
enroll --algorithm MD5
check_eq "--algorithm MD5 refused" 2 "$enroll_rc"
enroll --frobnicate
check_eq "unknown option refused" 2 "$enroll_rc"
"$ENROLL" --help >"$T/out"
check "--help lists the exit codes" grep -q "4 not confirmed" "$T/out"
check "--version" "$ENROLL" --version
enroll --conf "$T/missing.conf" --no-confirm
check_eq "missing --conf file: exit 1" 1 "$enroll_rc"

tap_done
