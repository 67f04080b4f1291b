#!/bin/bash
# pam_totp.so exports the PAM entry points and nothing else, and loads on
# its own (every library it needs is linked) without libpq or libqrencode;
# the PostgreSQL store's plugin pam_totp_pg.so, beside it, exports its
# table alone.
. "$top_srcdir/tests/lib/tap.sh"
module="$top_builddir/pam_module/.libs/pam_totp.so"
[ -f "$module" ] || bail "$module not built"

exported=$(nm -D --defined-only "$module" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sort | tr '\n' ' ')
check_eq "only pam_sm_* exported" "pam_sm_authenticate pam_sm_setcred " "$exported"

# libpq (and the libraries it pulls in) is loaded only with store=postgresql
needed=$(readelf -d "$module" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check "pam_totp.so does not need libpq (NEEDED: $needed)" \
	test -n "$needed" -a "${needed/libpq/}" = "$needed"
check "nor does anything it loads" eval '! ldd "$module" | grep -q libpq'
# libqrencode is loaded when a QR code is first drawn (enrolment at login),
# not for every transaction (pam_module/qrencode_lazy.c)
check "pam_totp.so does not need libqrencode (NEEDED: $needed)" \
	test "${needed/libqrencode/}" = "$needed"
check "nor does anything it loads" eval '! ldd "$module" | grep -q libqrencode'
plugin="$top_builddir/pam_module/.libs/pam_totp_pg.so"
if [ "${have_pq:-no}" = yes ]; then
	check "the PostgreSQL plugin is built beside the module" test -f "$plugin"
	exported=$(nm -D --defined-only "$plugin" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' |
		sort | tr '\n' ' ')
	check_eq "the plugin exports its table alone" "pam_totp_store_pg_v6 " "$exported"
	check "the plugin needs libpq" eval 'readelf -d "$plugin" | grep -q "NEEDED.*\[libpq"'
else
	check "without libpq no PostgreSQL plugin is built" test ! -e "$plugin"
fi

# full RELRO: relocations bound at load and then read-only
sos=("$module")
[ "${have_pq:-no}" = yes ] && sos+=("$plugin")
for so in "${sos[@]}"; do
	check "${so##*/} is linked with full RELRO (BIND_NOW, GNU_RELRO)" eval \
		'readelf -d "$so" | grep -q "FLAGS.*BIND_NOW" && readelf -lW "$so" | grep -q GNU_RELRO'
done

# the sanitizer build's module needs its runtime loaded first
asan=$(asan_runtime "$module")
# dlopen_symbols FILE WANTED... -- HIDDEN...: "NAME found|missing" for each
# wanted symbol, "NAME hidden|LEAKED" for each hidden one
dlopen_symbols() {
	LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0 python3 - "$@" <<'PY'
import ctypes, os, sys
lib = ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW | os.RTLD_LOCAL)
sep = sys.argv.index("--")
for name in sys.argv[2:sep]:
    print(name, "found" if hasattr(lib, name) else "missing")
for name in sys.argv[sep + 1:]:
    try:
        getattr(lib, name)
        print(name, "LEAKED")
    except AttributeError:
        print(name, "hidden")
PY
}
internal="login_attempt verify_attempt record_parse otp_hotp config_load store_file_open base32_decode secure_wipe"
out=$(dlopen_symbols "$module" pam_sm_authenticate pam_sm_setcred -- $internal pg_plugin_load)
check "dlopen with RTLD_NOW succeeds" test -n "$out"
for name in pam_sm_authenticate pam_sm_setcred; do
	check "dlsym finds $name" grep -q "^$name found$" <<<"$out"
done
for name in $internal pg_plugin_load; do
	check "dlsym does not find internal $name" grep -q "^$name hidden$" <<<"$out"
done
if [ "${have_pq:-no}" = yes ]; then
	out=$(dlopen_symbols "$plugin" pam_totp_store_pg_v6 -- $internal store_session_open pg_connect)
	check "the plugin: dlopen with RTLD_NOW succeeds" test -n "$out"
	check "the plugin: dlsym finds pam_totp_store_pg_v6" grep -q "^pam_totp_store_pg_v6 found$" <<<"$out"
	for name in $internal store_session_open pg_connect; do
		check "the plugin: dlsym does not find internal $name" grep -q "^$name hidden$" <<<"$out"
	done
fi
tap_done
