#!/bin/bash
# pam_totp.so exports the PAM entry points and nothing else, and loads on
# its own (every library it needs is linked).
. "$top_srcdir/tests/tap.sh"
module="$top_builddir/pam_module/.libs/pam_totp.so"
[ -f "$module" ] || bail "$module not built"

exported=$(nm -D --defined-only "$module" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort | tr '\n' ' ')
check_eq "only pam_sm_* exported" "pam_sm_authenticate pam_sm_setcred " "$exported"

# the sanitizer build's module needs its runtime loaded first
asan=$(ldd "$module" | awk '/libasan/ { print $3 }')
out=$(LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0 python3 - "$module" <<'PY'
import ctypes, os, sys
lib = ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW | os.RTLD_LOCAL)
for name in ("pam_sm_authenticate", "pam_sm_setcred"):
    print(name, "found" if hasattr(lib, name) else "missing")
for name in ("login_attempt", "verify_attempt", "record_parse", "otp_hotp",
             "config_load", "store_file_open", "base32_decode", "secure_wipe"):
    try:
        getattr(lib, name)
        print(name, "LEAKED")
    except AttributeError:
        print(name, "hidden")
PY
)
check "dlopen with RTLD_NOW succeeds" test -n "$out"
for name in pam_sm_authenticate pam_sm_setcred; do
	check "dlsym finds $name" grep -q "^$name found$" <<<"$out"
done
for name in login_attempt verify_attempt record_parse otp_hotp config_load store_file_open base32_decode secure_wipe; do
	check "dlsym does not find internal $name" grep -q "^$name hidden$" <<<"$out"
done
tap_done
