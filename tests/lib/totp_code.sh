# Codes for the tests, from oathtool (an independent TOTP client), and the
# tests' clock. Source after tests/lib/tap.sh; SECRET is the default base32
# secret.
#
# The clock: PAM_TOTP_TEST_NOW (exported) is the time, in epoch seconds,
# that the code under test sees (tests/shims/time_shim.c: linked into pam_login
# and make_record, preloaded with $TIME_SHIM into totp-enroll and sshd).
# It starts 15 s into a step of both 30 s and 60 s, so no step boundary
# falls inside a test, and it moves only when a test moves it: nothing
# waits for the wall clock. A test of a program that cannot be given the
# shim (setuid sudo) unsets it and must hold on either side of a boundary.
#
#   code [OFFSET [SECRET [ALG DIGITS PERIOD]]]  the code OFFSET steps from now
#   advance_clock SECONDS          move the test clock on
#   test_now                       the test clock (or the real one, unset)

command -v oathtool >/dev/null || bail "oathtool not installed (apt-get install oathtool)"
SECRET=${SECRET:-GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ}
TIME_SHIM="$top_builddir/tests/shims/.libs/libtimeshim.so"
[ -f "$TIME_SHIM" ] || bail "$TIME_SHIM not built"
if [ -z "${PAM_TOTP_TEST_NOW:-}" ]; then
	PAM_TOTP_TEST_NOW=$(($(date +%s) / 60 * 60 + 15))
fi
export PAM_TOTP_TEST_NOW

test_now() { echo "${PAM_TOTP_TEST_NOW:-$(date +%s)}"; }

advance_clock() { PAM_TOTP_TEST_NOW=$((PAM_TOTP_TEST_NOW + $1)); }

code() {
	local offset=${1:-0} secret=${2:-$SECRET} alg=${3:-SHA1} digits=${4:-6} period=${5:-30}
	oathtool --totp="$alg" -b -d "$digits" -s "$period" \
		-N "@$(($(test_now) + offset * period))" "$secret"
}

# test_clock_wrapper PROGRAM DIR: writes DIR/NAME, a script that runs
# PROGRAM (built as it is installed) on the test clock: the shim preloaded,
# after ASan's runtime in a sanitizer build. Prints the script's path.
test_clock_wrapper() {
	local prog=$1 out asan
	out="$2/$(basename "$1")"
	asan=$(asan_runtime "$prog")
	printf '#!/bin/sh\nLD_PRELOAD="%s${LD_PRELOAD:+:$LD_PRELOAD}" exec "%s" "$@"\n' \
		"${asan:+$asan:}$TIME_SHIM" "$prog" >"$out" && chmod 755 "$out" && echo "$out"
}
