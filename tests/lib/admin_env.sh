# totp-admin for the tests: source after tests/lib/tap.sh and tests/lib/pam_env.sh.
#
#   ADMIN                  totp-admin on the test clock (ADMIN_BIN: itself)
#   admin ARGS...          run totp-admin; stdout in $T/admin.out, stderr
#                          (with its syslog lines, through the syslog shim)
#                          in $T/admin.err, exit status in $admin_rc
#   admin_logged PATTERN   did the last totp-admin log a line matching it
#   admin_ascii            did the last totp-admin write printable ASCII
#                          and newlines only (stdout, stderr, log lines)
#   json_get FILE EXPR     a value from JSON output (python3): EXPR applied
#                          to the parsed document as `d`
#   record_field PATH KEY  a field of record_state's line (failures, last...)
#   ADMIN_NAME             the name totp-admin logs as the administrator

ADMIN_BIN="$top_builddir/tools/totp-admin"
[ -x "$ADMIN_BIN" ] || bail "$ADMIN_BIN not built"
# on the test clock (lock-outs are judged against it); the wrapper puts
# ASan's runtime first in a sanitizer build
mkdir -p "$T/clock"
ADMIN=$(test_clock_wrapper "$ADMIN_BIN" "$T/clock")
SYSLOG_SHIM="$top_builddir/tests/shims/.libs/libsyslogshim.so"
[ -f "$SYSLOG_SHIM" ] || bail "$SYSLOG_SHIM not built"
RECORD_STATE="$top_builddir/tests/shims/record_state"

# ADMIN_PRELOAD: libraries preloaded into totp-admin before the syslog shim
admin() {
	LD_PRELOAD="${ADMIN_PRELOAD:+$ADMIN_PRELOAD:}$SYSLOG_SHIM" "$ADMIN" "$@" >"$T/admin.out" \
		2>"$T/admin.err" </dev/null
	admin_rc=$?
}
# admin_input TEXT ARGS...: the same, with TEXT on standard input
admin_input() {
	local input=$1; shift
	printf '%s\n' "$input" | LD_PRELOAD="${ADMIN_PRELOAD:+$ADMIN_PRELOAD:}$SYSLOG_SHIM" \
		"$ADMIN" "$@" >"$T/admin.out" \
		2>"$T/admin.err"
	admin_rc=$?
}
admin_logged() { grep -q "SYSLOG([0-9]*): .*$1" "$T/admin.err"; }
admin_ascii() { ! LC_ALL=C grep -aq '[^ -~]' "$T/admin.out" "$T/admin.err"; }
json_get() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
record_field() { "$RECORD_STATE" "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# Who totp-admin names: the audit login uid's user when there is one,
# else (in these tests, no terminal) SUDO_USER, else root.
ADMIN_NAME=root
luid=$(cat /proc/self/loginuid 2>/dev/null)
if [ -n "$luid" ] && [ "$luid" != 4294967295 ] && getent passwd "$luid" >/dev/null; then
	ADMIN_NAME=$(getent passwd "$luid" | cut -d: -f1)
elif [ -n "${SUDO_USER:-}" ]; then
	ADMIN_NAME=$SUDO_USER
fi

# check_admin DESC WANT_RC ARGS...: run totp-admin, ok when it exits WANT_RC
check_admin() {
	local desc=$1 want=$2; shift 2
	admin "$@"
	if [ "$admin_rc" = "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $admin_rc, expected $want)"
		sed 's/^/#   /' "$T/admin.out" "$T/admin.err" | head -20
	fi
}
