#!/bin/bash
# totp-admin shows no byte of a user's to root's terminal raw: user names
# (from passwd, the command line, a usersfile), paths with a home in them,
# the lines of a ~/.google_authenticator or a pam_oath usersfile quoted in
# a refusal, and record errors come out with every byte outside printable
# ASCII (and the backslash) as \xHH, in every command, on stdout and
# stderr; --json gives them as \u00XX (the bytes read as Latin-1), so its
# output is ASCII too. The users, with escape sequences in their names,
# come from a passwd file of the test's own (nss_wrapper). Needs root
# (files of the users' uids).
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (chown)"; exit 0; }
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"
command -v google-authenticator >/dev/null ||
	bail "google-authenticator not installed (apt-get install libpam-google-authenticator)"
NSS_WRAPPER_LIB=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -1)
[ -n "$NSS_WRAPPER_LIB" ] || bail "nss_wrapper not installed (apt-get install libnss-wrapper)"
export LC_ALL=C

OSC=$'\e]0;evil\a'  # sets the terminal's title
CLEAR=$'\e[2J'       # clears the screen
C1=$'\x9b'           # CSI as one C1 byte
DEL=$'\x7f'
P=pt_esc
UA="${P}a$OSC"        # a good google-authenticator file: imported
UB="${P}b$C1$DEL"     # a file with an option line of escape sequences
UC="${P}c$CLEAR"      # no file, no record: missing
UD="${P}d"            # a record with ESC in its enrolled= line
UE="${P}e$OSC$CLEAR"  # imported from a usersfile
# uids in the human range of login.defs, for missing; nothing but this
# test's files ever has them (the names exist in $T/passwd alone)
{
	echo "root:x:0:0:root:/root:/bin/sh"
	uid=59990
	for u in "$UA" "$UB" "$UC" "$UD" "$UE"; do
		echo "$u:x:$uid:$uid::$T/home/$u:/bin/sh"
		mkdir -p "$T/home/$u"
		chown "$uid:$uid" "$T/home/$u"
		uid=$((uid + 1))
	done
} >"$T/passwd"
echo "root:x:0:" >"$T/group"
export NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group"
ADMIN_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$NSS_WRAPPER_LIB"
uid_of() { awk -F: -v u="$1" '$1 == u { print $3 }' "$T/passwd"; }

CONF="$T/pam_totp.conf"
printf 'secret=%%h/.pam_totp\n' >"$CONF"
# ga USER: the real google-authenticator command writes USER's file
ga() {
	local f="$T/home/$1/.google_authenticator"
	google-authenticator -t -d -f -q -Q NONE -r 3 -R 30 -w 3 -e 2 -s "$f" </dev/null >/dev/null ||
		bail "google-authenticator failed"
	chown "$(uid_of "$1"):$(uid_of "$1")" "$f"
}
ga "$UA"
ga "$UB"
printf '" %s%s%s31m%s\n' "$OSC" "$CLEAR" "$C1" "$DEL" >>"$T/home/$UB/.google_authenticator"
ub_line=$(wc -l <"$T/home/$UB/.google_authenticator")
new_record "$T/home/$UD/.pam_totp" -o "$(uid_of "$UD"):$(uid_of "$UD")" >/dev/null
# enrolled= as a login writes it, but with the remote host raw
printf 'enrolled=login,sshd,%s\n' "$OSC" >>"$T/home/$UD/.pam_totp"

# every byte totp-admin wrote (stdout, stderr and its log lines) is
# printable ASCII or a newline
clean() {
	if admin_ascii; then ok "$1: printable ASCII only"; else
		not_ok "$1: raw bytes"
		cat -v "$T/admin.out" "$T/admin.err" | sed 's/^/#   /' | head -20
	fi
}
# run DESC WANT_RC ARGS...: totp-admin, its exit status and clean output
run() { local d=$1; check_admin "$@"; clean "$d"; }
# shown TEXT: the output has TEXT (as it is, no pattern)
shown() { grep -aqF -- "$1" "$T/admin.out" "$T/admin.err"; }
# esc TEXT: TEXT as the text output shows it
esc() {
	python3 -c 'import os, sys
sys.stdout.write("".join(chr(b) if 32 <= b < 127 and b != 92 else "\\x%02x" % b
			 for b in os.fsencode(sys.argv[1])))' "$1"
}
# has_line START END: a line of the standard output starts with START and
# ends with END (both as they are, no pattern)
has_line() {
	local l
	while IFS= read -r l; do [[ $l == "$1"*"$2" ]] && return 0; done <"$T/admin.out"
	return 1
}
# json_has EXPR: EXPR (python, on the document d) is true; raw(S) is
# the bytes a string stands for (Latin-1), env(N) the variable's bytes
json_has() {
	python3 -c 'import json, os, sys
d = json.load(open(sys.argv[1], encoding="ascii"))
raw = lambda s: s.encode("latin-1")
env = lambda n: os.environb[n.encode()]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/admin.out" "$1"
}
export T UA UB UC UD UE

# ---- import-ga ----
run "import-ga --all --dry-run" 4 --conf "$CONF" import-ga --all --dry-run
check "... would import $(esc "$UA") from the escaped path" \
	shown "$(esc "$UA"): would import $(esc "$T/home/$UA")/.google_authenticator ("
check "... refuses $(esc "$UB") quoting the option line escaped" \
	shown "$(esc "$UB"): refused: $(esc "$T/home/$UB")/.google_authenticator: line $ub_line: unknown option '$(esc "$OSC$CLEAR${C1}31m$DEL")'"
run "import-ga by name --dry-run" 4 --conf "$CONF" import-ga "$UA" "$UB" --dry-run
run "import-ga of a name passwd does not have" 4 --conf "$CONF" import-ga "$P$CLEAR" --dry-run
check "... names it escaped" shown "no such user '$(esc "$P$CLEAR")'"
run "import-ga --all" 4 --conf "$CONF" import-ga --all
check "... imported $(esc "$UA")" shown "$(esc "$UA"): imported $(esc "$T/home/$UA")/.google_authenticator ("
check "... the record written" test -s "$T/home/$UA/.pam_totp"
run "import-ga of an enrolled user" 4 --conf "$CONF" import-ga "$UA"
check "... refused" shown "$(esc "$UA"): refused: already enrolled"

# ---- import-oath: a usersfile whose name and lines carry escapes ----
hex=3132333435363738393031323334353637383930
OATH="$T/users$OSC.oath"
{
	printf 'HOTP/T30 %s - %s\n' "$UE" "$hex"
	printf 'HOTP/T30 %s - %s\n' "$UE" "$hex"
	printf 'HOTP/T30 %s 1234 %s\n' "$UC" "$hex"
	printf '%s %s - %s\n' "$OSC" "$UC" "$hex"
	printf 'HOTP/T30 %s - %s\n' "$P$CLEAR" "$hex"
} >"$OATH"
chmod 600 "$OATH"
run "import-oath --dry-run" 4 --conf "$CONF" import-oath "$OATH" --dry-run
run "import-oath" 4 --conf "$CONF" import-oath "$OATH"
check "... imported $(esc "$UE") from the escaped file name" \
	shown "$(esc "$UE"): imported $(esc "$OATH") line 1 ("
check "... a second line of $(esc "$UE") refused, the name escaped" \
	shown "line 2: refused: $(esc "$UE") appears on an earlier line"
check "... a PIN refused, the name escaped" shown "line 3: refused: user $(esc "$UC") has a PIN"
check "... an unknown type refused, escaped" shown "line 4: refused: unknown type '$(esc "$OSC")'"
check "... a user passwd does not have, escaped" shown "no such user '$(esc "$P$CLEAR")'"
chmod 644 "$OATH"
run "import-oath of a file others may read" 1 --conf "$CONF" import-oath "$OATH"
check "... names the file escaped" shown "$(esc "$OATH") is accessible by group or others"
run "import-oath of a missing file" 1 --conf "$CONF" import-oath "$OATH$CLEAR"
check "... names it escaped" shown "cannot open $(esc "$OATH$CLEAR")"

# ---- list, status, missing ----
run "list" 1 --conf "$CONF" list
check "... shows $(esc "$UA")" has_line "$(esc "$UA") " " ok"
check "... shows $(esc "$UD")'s record error, its byte in hex" \
	grep -aq "^$UD .*error: .*: line [0-9]*: .*(0x1b)$" "$T/admin.out"
run "list --json" 1 --conf "$CONF" list --json
check "... the names' bytes, as Latin-1" json_has \
	"sorted(raw(u['user']) for u in d) == sorted([env('UA'), env('UD'), env('UE')])"
check "... the record paths' bytes" json_has \
	"any(raw(u['record']).startswith(env('T') + b'/home/' + env('UA')) for u in d)"
check "... \\u001b and \\u0007 in the text" grep -aqF '\u001b]0;evil\u0007' "$T/admin.out"
run "list --locked" 1 --conf "$CONF" list --locked
run "status of $(esc "$UA")" 0 --conf "$CONF" status "$UA"
check "... the user escaped" has_line "user: " " $(esc "$UA")"
check "... the record path escaped" shown "$(esc "$T/home/$UA")/.pam_totp"
run "status --json of $(esc "$UA")" 0 --conf "$CONF" status "$UA" --json
check "... the user's bytes" json_has "raw(d['user']) == env('UA')"
run "status of $(esc "$UD") (a record error)" 1 --conf "$CONF" status "$UD"
run "status --json of $(esc "$UD")" 1 --conf "$CONF" status "$UD" --json
check "... an error, valid JSON" json_has "d['state'] == 'error'"
run "status of $(esc "$UC") (not enrolled)" 3 --conf "$CONF" status "$UC"
check "... where the record would be, escaped" shown "$(esc "$UC") is not enrolled (no record at $(esc "$T/home/$UC")/.pam_totp)"
run "status --json of $(esc "$UC")" 3 --conf "$CONF" status "$UC" --json
check "... the user's bytes" json_has "raw(d['user']) == env('UC')"
run "status of a name passwd does not have" 3 --conf "$CONF" status "$P$OSC"
check "... names it escaped" shown "no such user '$(esc "$P$OSC")'"
run "missing" 0 --conf "$CONF" missing
check "... lists $(esc "$UB") and $(esc "$UC") escaped" \
	test "$(cat "$T/admin.out")" = "$(esc "$UB")"$'\n'"$(esc "$UC")"
run "missing --json" 0 --conf "$CONF" missing --json
check "... the names' bytes" json_has "[raw(s) for s in d] == [env('UB'), env('UC')]"
run "missing --group of a group there is not" 1 --conf "$CONF" missing --group "$P$CLEAR"
check "... names it escaped" shown "no such group '$(esc "$P$CLEAR")'"

# ---- unlock, remove ----
run "unlock $(esc "$UA") (not locked)" 0 --conf "$CONF" unlock "$UA"
check "... says so, escaped" shown "$(esc "$UA") is not locked"
run "unlock of a record error" 1 --conf "$CONF" unlock "$UD"
run "unlock of $(esc "$UC") (not enrolled)" 3 --conf "$CONF" unlock "$UC"
admin_input n --conf "$CONF" remove "$UA"
check_eq "remove $(esc "$UA") answered no" 5 "$admin_rc"
clean "remove $(esc "$UA") answered no"
check "... the question names the user escaped" shown "Remove the enrolment of $(esc "$UA")?"
run "remove --yes $(esc "$UE")" 0 --conf "$CONF" remove --yes "$UE"
check "... says so, escaped" shown "$(esc "$UE"): enrolment removed"
run "remove --yes $(esc "$UE") again (not enrolled)" 3 --conf "$CONF" remove --yes "$UE"

# ---- the command line ----
run "an unknown command" 2 "$CLEAR"
check "... named escaped" shown "unknown command '$(esc "$CLEAR")'"
run "an unexpected argument" 2 status "$UA" "$OSC"
check "... named escaped" shown "unexpected argument '$(esc "$OSC")'"
run "an unknown long option" 2 "--$OSC" list
check "... named escaped" shown "unknown option '--$(esc "$OSC")'"
run "a config file that is not there" 1 --conf "$T/$CLEAR" list
check "... named escaped" shown "$(esc "$T/$CLEAR")"

tap_done
