# Shared set-up for the PAM tests: source after tests/lib/tap.sh.
#
# Every test gets its own directory ($T) with a PAM service directory
# ($T/pam) used through pam_wrapper, so the real libpam runs our service
# files and the module's syslog lines come out on stderr (captured per
# login in $T/last.log). Codes come from oathtool, an independent client.
#
#   make_service NAME ARGS...      service file: auth required pam_totp.so ARGS
#   make_stack NAME LINE...        a service file of several lines
#   new_record PATH [make_record options]   a record with the test secret
#   login SERVICE USER ANSWER...   run one authentication; sets $result
#                                  (PAM code name), output in $T/last.log
#   with_pam_wrapper CMD...        run CMD (pam_login) under pam_wrapper, and
#                                  PAM_LOGIN_PRELOAD (libraries) after it
#   code, advance_clock            from tests/lib/totp_code.sh (the test clock)
#   wrong_code                     a well-formed code that no step near now has
#   logged PATTERN                 did the last login log a line matching PATTERN

. "$top_srcdir/tests/lib/totp_code.sh"
PAM_WRAPPER_LIB=${PAM_WRAPPER_LIB:-$(ls /usr/lib/*/libpam_wrapper.so 2>/dev/null | head -1)}
[ -n "$PAM_WRAPPER_LIB" ] || bail "pam_wrapper not installed (apt-get install libpam-wrapper)"
MODULE="$top_builddir/pam_module/.libs/pam_totp.so"
PAM_LOGIN="$top_builddir/tests/shims/pam_login"
MAKE_RECORD="$top_builddir/tests/shims/make_record"
[ -f "$MODULE" ] || bail "$MODULE not built"
# In the sanitizer build the driver links ASan's runtime; pam_wrapper must
# still be preloaded, so tell ASan that it does not come first on purpose.
if in_sanitizer_build; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	# ASan refuses RTLD_DEEPBIND; pam_wrapper drops it when told: 1.1.4
	# (Debian 12) reads UID_WRAPPER_DISABLE_DEEPBIND (sic), 1.1.7 (Debian
	# 13) PAM_WRAPPER_DISABLE_DEEPBIND
	export UID_WRAPPER_DISABLE_DEEPBIND=1 PAM_WRAPPER_DISABLE_DEEPBIND=1
fi

T=$(mktemp -d /tmp/pam_totp_test.XXXXXX)
chmod 755 "$T"
mkdir "$T/pam"
echo "auth required pam_deny.so" >"$T/pam/other"
trap 'rm -rf "$T"' EXIT

make_service() {
	local name=$1; shift
	echo "auth required $MODULE $*" >"$T/pam/$name"
}

# make_enrol_service NAME ARGS... : like make_service, after a first factor
# that passed (tests/shims/pam_first_factor.c, standing in for pam_unix), which
# enrolment at login needs to see before it shows a secret
FIRST_FACTOR="auth requisite $top_builddir/tests/shims/.libs/pam_first_factor.so"
make_enrol_service() {
	local name=$1; shift
	printf '%s\n' "$FIRST_FACTOR" "auth required $MODULE $*" >"$T/pam/$name"
}

# make_stack NAME LINE... : a service file of several lines
make_stack() {
	local name=$1; shift
	printf '%s\n' "$@" >"$T/pam/$name"
}
SET_ITEMS="auth optional $(dirname "$PAM_WRAPPER_LIB")/pam_wrapper/pam_set_items.so"

new_record() {
	local path=$1; shift
	rm -f "$path"
	"$MAKE_RECORD" "$@" "$path" "$SECRET"
}

# In an AddressSanitizer build its runtime must come first of all the
# libraries loaded, before the preloaded pam_wrapper, or it refuses to run.
ASAN_LIB=$(asan_runtime "$PAM_LOGIN")
FIRST_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$PAM_WRAPPER_LIB"

# with_pam_wrapper CMD... : pam_login sets PAM_WRAPPER=1 itself under the
# lock (see tests/shims/pam_login.c), so that logins started together, from this
# test or another one running beside it, never share a pam_wrapper directory.
PAM_LOGIN_WRAPPER_LOCK=${PAM_LOGIN_WRAPPER_LOCK:-/tmp/.pam_totp_wrapper.lock}
with_pam_wrapper() {
	LD_PRELOAD="$FIRST_PRELOAD${PAM_LOGIN_PRELOAD:+:$PAM_LOGIN_PRELOAD}${LD_PRELOAD:+:$LD_PRELOAD}" \
		PAM_LOGIN_WRAPPER_LOCK="$PAM_LOGIN_WRAPPER_LOCK" \
		PAM_WRAPPER_SERVICE_DIR="$T/pam" PAM_WRAPPER_DEBUGLEVEL=2 "$@"
}

# login SERVICE USER ANSWER... : answers go to the prompts in order
login() {
	local service=$1 user=$2; shift 2
	with_pam_wrapper ${PAM_LOGIN_WRAPPER:-} "$PAM_LOGIN" $LOGIN_OPTS "$service" "$user" "$@" \
		>"$T/last.log" 2>&1
	result=$(sed -n 's/^result: //p' "$T/last.log" | tail -1)
	[ -n "$result" ] || result="(no result: $(tail -1 "$T/last.log"))"
}

# none of the codes within 20 steps, so it cannot be accepted or start a
# re-synchronisation with any max_skew up to 20
wrong_code() {
	local near c
	near=" $(for o in $(seq -20 20); do code "$o"; done | tr '\n' ' ') "
	for c in 000000 111111 222222 333333 444444; do
		case $near in *" $c "*) ;; *) echo "$c"; return ;; esac
	done
}

logged() { grep -q "SYSLOG([0-9]*): .*$1" "$T/last.log"; }

# check_login DESC EXPECTED_RESULT SERVICE USER ANSWER...
check_login() {
	local desc=$1 want=$2; shift 2
	login "$@"
	if [ "$result" = "$want" ]; then ok "$desc"; else
		not_ok "$desc (expected $want, got $result)"; sed 's/^/#   /' "$T/last.log"
	fi
}
