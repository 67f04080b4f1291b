# Shared set-up for the system tests (the real sshd and sudo, as root, on
# loopback only): source after tests/lib/tap.sh.
#
# These tests change the machine: they add users, files in /etc/pam.d and
# /etc/sudoers.d, and run a daemon. Everything is registered with
# at_exit as it is made and undone by the EXIT trap, also when a test fails
# or is interrupted. Names carry the test's process id, so two runs never
# share a user or a file.
#
# When they cannot run (not root, sshd or sudo missing) they are skipped,
# unless PAM_TOTP_SYSTEM_TESTS=required (tests/run-all.sh sets it: CI must
# run them), when that is a failure. PAM_TOTP_SYSTEM_TESTS=no skips them
# (the Debian package build). In the sanitizer build they are always
# skipped: the system's sshd and sudo cannot load a module built with ASan.
#
#   system_require COMMAND...     skip (or fail) unless the commands exist
#   at_exit COMMAND-STRING        run it at exit (last registered runs first)
#   new_user NAME                 a user with a home and a random password;
#                                 its password is then in $user_password
#   pam_service NAME LINE...      /etc/pam.d/NAME with these lines
#   note_service                  an "auth optional pam_exec.so" line that
#                                 appends "$PAM_SERVICE $PAM_USER" to $T/services
#   example_auth FILE ARGS...     the auth lines of examples/pam.d/FILE with
#                                 pam_totp.so (and its secret=) replaced by the
#                                 built module ARGS
#   admin_record USER             a record in the root-only store $STORE
#   home_record USER              ~USER/.pam_totp, owned by USER, mode 0600
#   answer [-t SECS] [-a REGEX ANSWER | -c REGEX SHELL-CMD]... -- CMD...
#                                 run CMD on a pty answering prompts (-c:
#                                 with what SHELL-CMD prints, given the
#                                 screen so far, tests/lib/pty_answer.py); sets
#                                 $status, transcript in $T/last.log
#   key_code_cmd                  for answer -c at an enrolment's code
#                                 prompt ("Code from the app:"): the code for the key in groups of four
#                                 on the screen, on the test clock if set
#   screen_uri / screen_qr        the Key URI in $T/last.log, and the lines
#                                 between it and the "Code from the app:" prompt

MODULE="$top_builddir/pam_module/.libs/pam_totp.so"
MAKE_RECORD="$top_builddir/tests/shims/make_record"
PTY_ANSWER="$top_srcdir/tests/lib/pty_answer.py"

system_skip() {
	if [ "${PAM_TOTP_SYSTEM_TESTS:-}" = required ]; then
		bail "system tests required but cannot run: $*"
	fi
	echo "ok 1 # SKIP $*"
	echo "1..1"
	exit 0
}

[ -f "$MODULE" ] || bail "$MODULE not built"
# Checked first and always a skip: an ASan module in a system daemon can
# only fail ("ASan runtime does not come first"), whatever is required.
if ldd "$MODULE" 2>/dev/null | grep -q -E 'lib(a|ub)san' ||
	nm -D --undefined-only "$MODULE" 2>/dev/null | grep -q -E '__(asan|ubsan)_'; then
	echo "ok 1 # SKIP sanitizer build: system sshd/sudo cannot load an ASan module"
	echo "1..1"
	exit 0
fi
[ "${PAM_TOTP_SYSTEM_TESTS:-}" = no ] && system_skip "PAM_TOTP_SYSTEM_TESTS=no"
[ "$(id -u)" -eq 0 ] || system_skip "system tests need root (they add users and PAM services)"

system_require() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || system_skip "$c not installed"
	done
}
system_require useradd userdel chpasswd python3 oathtool
python3 -c 'import pexpect' 2>/dev/null || system_skip "python3-pexpect not installed"
. "$top_srcdir/tests/lib/totp_code.sh"
# codes of another secret: always wrong (but for a one-in-a-million match)
OTHER_SECRET=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP

T=$(mktemp -d /tmp/pam_totp_sys.XXXXXX)
chmod 755 "$T"
STORE="$T/store"
mkdir -m 700 "$STORE"
exit_cmds=()
at_exit() { exit_cmds+=("$1"); }
run_exit_cmds() {
	local i
	for ((i = ${#exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${exit_cmds[i]}" >/dev/null 2>&1
	done
	rm -rf "$T"
}
trap run_exit_cmds EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

new_user() {
	local name=$1
	getent passwd "$name" >/dev/null && bail "user $name exists already"
	useradd -m -s /bin/sh -c "pam_totp system test" "$name" || bail "useradd $name failed"
	at_exit "userdel -f -r '$name'"
	user_password="pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
	echo "$name:$user_password" | chpasswd || bail "chpasswd $name failed"
}

pam_service() {
	local name=$1; shift
	[ -e "/etc/pam.d/$name" ] && ! grep -q "^# pam_totp system test $$" "/etc/pam.d/$name" &&
		bail "/etc/pam.d/$name exists already"
	at_exit "rm -f '/etc/pam.d/$name'"
	{ echo "# pam_totp system test $$: removed when the test ends"; printf '%s\n' "$@"; } \
		>"/etc/pam.d/$name"
}

printf '#!/bin/sh\necho "$PAM_TYPE $PAM_SERVICE $PAM_USER" >>%s/services\n' "$T" >"$T/note_service"
chmod 755 "$T/note_service"
note_service="auth optional pam_exec.so quiet seteuid $T/note_service"

example_auth() {
	local file="$top_srcdir/examples/pam.d/$1"; shift
	[ -f "$file" ] || bail "$file missing"
	grep -E '^(auth|@include common-auth)' "$file" |
		sed -e "s| secret=[^ ]*||" -e "s|pam_totp\.so|$MODULE $*|"
}

admin_record() { "$MAKE_RECORD" -f "$STORE/$1" "$SECRET"; }

home_record() {
	local user=$1 home uid gid
	home=$(getent passwd "$user" | cut -d: -f6)
	uid=$(id -u "$user") gid=$(id -g "$user")
	"$MAKE_RECORD" -f -o "$uid:$gid" "$home/.pam_totp" "$SECRET"
}

# answer [pty_answer.py options] -- CMD...
answer() {
	python3 "$PTY_ANSWER" "$@" >"$T/last.log" 2>&1
	status=$?
}

# $T/screen_key: the key in groups of four on the screen (stdin), without
# the spaces, as a user typing it into the app by hand reads it
printf '%s\n' '#!/bin/sh' \
	"tr -d '\\r' | grep -E '^[A-Z2-7]{4}( [A-Z2-7]{1,4})+\$' | tail -1 | tr -d ' '" \
	>"$T/screen_key"
chmod 755 "$T/screen_key"
key_code_cmd() {
	echo "oathtool --totp -b ${PAM_TOTP_TEST_NOW:+-N @$PAM_TOTP_TEST_NOW} \"\$($T/screen_key)\""
}
screen_uri() { tr -d '\r' <"$T/last.log" | grep -E '^otpauth://' | tail -1; }
screen_qr() {
	tr -d '\r' <"$T/last.log" | awk '/^otpauth:\/\// { on = 1; next } /^Code from the app: / { on = 0 } on'
}

# show the last transcript (and more files) as TAP comments
show() {
	sed 's/^/#   /' "$T/last.log"
	local f
	for f in "$@"; do
		[ -f "$f" ] && { echo "#   --- $f"; tail -30 "$f" | sed 's/^/#   /'; }
	done
}
