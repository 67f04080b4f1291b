#!/bin/bash
# What totp-enroll shows is what the module checks: the PNG, the SVG and the
# terminal QR codes scan back to exactly the printed URI, the grouped secret
# is the URI's, and a code oathtool makes from the decoded URI logs in
# through pam_totp.so (SHA1/6/30 and SHA256/8/60).
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/enroll_env.sh"
tmp=$T
. "$top_srcdir/tests/lib/qr_lib.sh"

# --- SHA1/6/30 without confirmation: PNG, SVG and the UTF-8 terminal QR
umask 000
enroll --no-confirm --png "$T/qr.png" --svg "$T/qr.svg" --recovery-codes 0
check_eq "enrol SHA1/6/30 exits 0" 0 "$enroll_rc"
uri=$(grep -o 'otpauth://[^ ]*' "$T/out")
# SHA1, 6 digits and 30 s are the Key URI defaults: left out, for a
# smaller QR code; the secret last, since it is alphanumeric
case $uri in
"otpauth://totp/Test%20Co:root%40$(hostname)?issuer=Test%20Co&secret="*) ok "URI has label and issuer, then the secret" ;;
*) not_ok "URI has label and issuer, then the secret: '$uri'" ;;
esac
check_eq "URI leaves out the default algorithm, digits and period" "" \
	"$(grep -oE '(algorithm|digits|period)=' <<<"$uri")"
secret=$(uri_secret "$uri")
check_eq "SHA1 secret is 20 bytes (32 base32 characters)" 32 "${#secret}"
grouped=$(grep -E '^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$' "$T/out")
check_eq "secret shown in groups of four" "$secret" "${grouped// /}"
check_eq "PNG decodes to the printed URI" "$uri" "$(decode "$T/qr.png")"
check_eq "PNG is mode 0600 under umask 000" 600 "$(stat -c %a "$T/qr.png")"
rsvg-convert -z 10 -b white -o "$T/svg.png" "$T/qr.svg"
check_eq "SVG decodes to the printed URI" "$uri" "$(decode "$T/svg.png")"
check_eq "SVG is mode 0600" 600 "$(stat -c %a "$T/qr.svg")"
check_eq "terminal QR (utf8) decodes to the printed URI" "$uri" \
	"$(grep $'\e' "$T/out" | term_decode)"
check_eq "record is mode 0600 under umask 000" 600 "$(stat -c %a "$T/root.rec")"
umask 022
check_login "oathtool's code from the decoded URI logs in (SHA1/6/30)" PAM_SUCCESS enr root \
	"$(uri_code "$(decode "$T/qr.png")")"

# --- the ANSI rendering, and none
enroll --no-confirm --force --qr=ansi --recovery-codes 0
uri=$(grep -o 'otpauth://[^ ]*' "$T/out")
check_eq "terminal QR (ansi) decodes to the printed URI" "$uri" \
	"$(grep $'\e' "$T/out" | term_decode)"
enroll --no-confirm --force --qr=none --recovery-codes 0
check_eq "--qr=none draws nothing" 0 "$(grep -c $'\e' "$T/out")"

# --- issuer and label
enroll --no-confirm --force --qr=none --issuer 'Ops & Co' --label 'alice@example.org'
case $(grep -o 'otpauth://[^ ]*' "$T/out") in
"otpauth://totp/Ops%20%26%20Co:alice%40example.org?issuer=Ops%20%26%20Co&"*) ok "--issuer and --label in the URI" ;;
*) not_ok "--issuer and --label in the URI" ;;
esac

# --- SHA256/8/60: a warning, --no-confirm refused, then confirmed under a pty
rm -f "$T/root.rec"
enroll --algorithm SHA256 --digits 8 --period 60 --no-confirm
check_eq "--no-confirm refused for SHA256/8/60" 2 "$enroll_rc"
check "the warning names the apps" grep -q "Google Authenticator on Android" "$T/err"
check "nothing written" test ! -e "$T/root.rec"
enroll_pty right --algorithm SHA256 --digits 8 --period 60 --png "$T/qr256.png"
check_eq "SHA256/8/60 enrolled under a pty" 0 "$pty_exit"
check "SHA256 warning shown" grep -q "silently compute SHA1 codes" "$T/pty.log"
check_eq "SHA256 PNG decodes to the printed URI" "$pty_uri" "$(decode "$T/qr256.png")"
check_eq "SHA256 URI parameters" "SHA256 8 60" \
	"$(uri_param algorithm "$pty_uri") $(uri_param digits "$pty_uri") $(uri_param period "$pty_uri")"
s=$(uri_secret "$pty_uri")
check_eq "SHA256 secret is 32 bytes" 52 "${#s}"
check_login "the confirming code cannot be replayed (SHA256/8/60)" PAM_AUTH_ERR enr root \
	"$(uri_code "$pty_uri" 0)"
check_login "oathtool's next code logs in (SHA256/8/60)" PAM_SUCCESS enr root \
	"$(uri_code "$pty_uri" 1)"

# --- SHA512: 64 bytes of secret
enroll_pty right --algorithm SHA512 --force --qr=none
s=$(uri_secret "$pty_uri")
check_eq "SHA512 enrolled" 0 "$pty_exit"
check_eq "SHA512 secret is 64 bytes" 103 "${#s}"
check_login "oathtool's next code logs in (SHA512/6/30)" PAM_SUCCESS enr root \
	"$(uri_code "$pty_uri" 1)"

tap_done
