# Shared set-up for the totp-enroll tests: source after tests/lib/tap.sh. Builds
# on tests/lib/pam_env.sh ($T, services, login, code) and adds:
#
#   ENROLL                      the totp-enroll under test, on the test clock
#   ENROLL_BIN                  the program itself (for a copy another user runs)
#   $T/conf                     a config file (root's, 0644) with issuer=Test Co
#   service "enr"               the module reading the records totp-enroll writes
#   enroll ARGS...              run it without a terminal; output in $T/out,
#                               errors in $T/err, status in $enroll_rc
#   enroll_pty ACTIONS ARGS...  run it under a pty (tests/lib/enroll_pty.py);
#                               sets $pty_uri, $pty_exit, $pty_recovery;
#                               transcript in $T/pty.log
#   uri_param NAME URI          a query parameter of an otpauth URI
#   uri_secret URI              its secret
. "$top_srcdir/tests/lib/pam_env.sh"
ENROLL_BIN="$top_builddir/tools/totp-enroll"
[ -x "$ENROLL_BIN" ] || bail "$ENROLL_BIN not built"
mkdir "$T/clock"
ENROLL=$(test_clock_wrapper "$ENROLL_BIN" "$T/clock")
python3 -c 'import pexpect' 2>/dev/null || bail "python3-pexpect not installed"
export LC_ALL=C.UTF-8

printf 'issuer=Test Co\n' >"$T/conf"
chmod 644 "$T/conf"
REC="$T/%u.rec"
ENROLL_OPTS=(--conf "$T/conf" --secret-path "$REC")
make_service enr "secret=$REC conf=$T/conf"

enroll() {
	"$ENROLL" "${ENROLL_OPTS[@]}" "$@" >"$T/out" 2>"$T/err" </dev/null
	enroll_rc=$?
}

enroll_pty() {
	local actions=$1 out
	shift
	out=$(python3 "$top_srcdir/tests/lib/enroll_pty.py" "$T/pty.log" "$actions" \
		"$ENROLL" "${ENROLL_OPTS[@]}" "$@")
	pty_uri=$(sed -n 's/^uri: //p' <<<"$out")
	pty_exit=$(sed -n 's/^exit: //p' <<<"$out")
	pty_recovery=$(sed -n 's/^recovery: //p' <<<"$out")
}

uri_param() {
	local q=${2#*\?}
	tr '&' '\n' <<<"$q" | sed -n "s/^$1=//p"
}
uri_secret() { uri_param secret "$1"; }

# oathtool's code OFFSET steps from now for the secret and parameters of URI
uri_code() {
	local uri=$1 offset=${2:-0}
	code "$offset" "$(uri_secret "$uri")" "$(uri_param algorithm "$uri")" \
		"$(uri_param digits "$uri")" "$(uri_param period "$uri")"
}
