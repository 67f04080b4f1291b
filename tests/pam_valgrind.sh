#!/bin/bash
# Memcheck over whole logins through the real libpam: every path the module
# takes (accept, wrong, malformed input, malformed record, no record, a
# recovery code rewriting the record, a store failure putting a slot back)
# (and a conversation that fails) must run without a memory error or a definite leak. Skipped in a
# sanitizer build (the two do not mix) or without valgrind.
. "$top_srcdir/tests/lib/tap.sh"
command -v valgrind >/dev/null || { echo "1..0 # SKIP valgrind not installed"; exit 0; }
. "$top_srcdir/tests/lib/pam_env.sh"
if nm -D "$MODULE" 2>/dev/null | grep -q '__[at]san_\|__ubsan_'; then
	echo "1..0 # SKIP sanitizer build"; exit 0
fi

SHIM="$top_builddir/tests/shims/.libs/libfaultshim.so"
D="$T/store"
mkdir -m 700 "$D"
REC="$D/root.rec"
make_service totp "secret=$D/%u.rec"
VG="valgrind -q --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite"
VG="$VG --show-leak-kinds=definite --track-origins=yes --log-file=$T/vg.log"

# vg_login DESC EXPECTED ANSWER [VAR=VALUE...]: one login under memcheck;
# with settings, through tests/shims/fault_shim.c with them exported to it
vg_login() {
	local desc=$1 want=$2 answer=$3; shift 3
	rm -f "$T/vg.log"
	(
		if [ $# -gt 0 ]; then export "$@"; LD_PRELOAD="$SHIM"; fi
		PAM_LOGIN_WRAPPER="$VG" login totp root "$answer"
	)
	result=$(sed -n 's/^result: //p' "$T/last.log" | tail -1)
	if [ "$result" = "$want" ]; then ok "$desc: $want"; else
		not_ok "$desc: expected $want, got $result"; sed 's/^/#   /' "$T/last.log"
	fi
	# -q: the log holds only what memcheck found
	if [ -f "$T/vg.log" ] && [ ! -s "$T/vg.log" ]; then ok "$desc: no memory errors, no definite leaks"
	else not_ok "$desc: memcheck found something"; sed 's/^/#   /' "$T/vg.log" 2>/dev/null; fi
}

new_record "$REC" -r 2 -i 1000 >"$T/codes" || bail "make_record failed"
vg_login "valid code" PAM_SUCCESS "$(code)"
vg_login "wrong code" PAM_AUTH_ERR "$(wrong_code)"
vg_login "far code, no answer to the re-sync prompt" PAM_CONV_ERR "$(code 5)"
vg_login "malformed input" PAM_AUTH_ERR "12ab56"
vg_login "recovery code (the record rewritten)" PAM_SUCCESS "$(sed -n 1p "$T/codes")"
# a store failure: the slot written, the sync refused, the old slot put back
vg_login "sync failure" PAM_AUTHINFO_UNAVAIL "$(code 1)" FAULT_PATH="$D" FAULT_CALL=fdatasync
printf 'pam_totp 1\nstate_a=garbage\n' >"$REC"
chmod 600 "$REC"
vg_login "malformed record" PAM_AUTHINFO_UNAVAIL "$(code)"
rm -f "$REC"
vg_login "no record" PAM_AUTH_ERR "$(code)"

tap_done
