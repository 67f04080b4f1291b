#!/bin/bash
# totp-admin import-ga and import-oath: files made by the real
# google-authenticator command (Debian libpam-google-authenticator) and a
# pam_oath usersfile become records with the same secret: a login with an
# oathtool code works, each scratch code is accepted once as a recovery
# code, a step google-authenticator saw used stays used. HOTP, unknown
# options, unsafe and broken files are refused per user with their reason
# and the rest go on; the originals are never changed; --dry-run writes
# nothing (every file under the homes checked byte for byte). The users
# are the test's own (tests/lib/nss_env.sh): --all walks them and nobody else
# of the machine. Needs root.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (files of other users)"; exit 0; }
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"
. "$top_srcdir/tests/lib/import_env.sh"

P=pt_adm_i
GA_USERS="${P}good ${P}hotp ${P}open ${P}link ${P}broken ${P}option ${P}scratch ${P}none"
OATH_USERS="${P}oa ${P}ob ${P}oc ${P}od"
import_users $GA_USERS $OATH_USERS
CONF="$T/pam_totp.conf"
printf 'secret=%%h/.pam_totp\n' >"$CONF"
make_service imp "conf=$CONF"
ga ${P}good -t -d -e 3
# the step of a login google-authenticator saw: DISALLOW_REUSE lists it
used_step=$(($(test_now) / 30))
sed -i "s/^\" DISALLOW_REUSE\$/\" DISALLOW_REUSE $used_step/" "$(ga_file ${P}good)"
ga ${P}hotp -c
ga ${P}open -t -d
chmod 644 "$(ga_file ${P}open)"
ga ${P}link -t -d
mv "$(ga_file ${P}link)" "$T/home/${P}link/elsewhere"
ln -s elsewhere "$(ga_file ${P}link)"
ga ${P}broken -t -d
printf 'not base32!\n" TOTP_AUTH\n' >"$(ga_file ${P}broken)"
ga ${P}option -t -d
echo '" FUTURE_OPTION 1' >>"$(ga_file ${P}option)"
ga ${P}scratch -t -d -e 2
echo 1234567 >>"$(ga_file ${P}scratch)"
good_secret=$(head -1 "$(ga_file ${P}good)")
mapfile -t scratch < <(grep -E '^[0-9]{8}$' "$(ga_file ${P}good)")
check_eq "the real command wrote 3 scratch codes" 3 "${#scratch[@]}"

before=$(snapshot)

check_admin "import-ga --all --dry-run: some refused (exit 4)" 4 --conf "$CONF" import-ga --all --dry-run
check_eq "--dry-run wrote nothing: every file under the homes byte for byte as before" \
	"$before" "$(snapshot)"
check "--dry-run says what it would import" \
	grep -q "^${P}good: would import $(ga_file ${P}good) (SHA1, 6 digits, 30 s, 3 scratch codes" "$T/admin.out"
check "--dry-run says nothing was written" grep -q "1 to import, 6 refused, 0 failed (dry run: nothing written)" "$T/admin.out"

check_admin "import-ga --all: some refused (exit 4)" 4 --conf "$CONF" import-ga --all
cp "$T/admin.out" "$T/import.out"
refused() { grep -q "^$1: refused: .*$2" "$T/import.out"; }
check "imported the good file" grep -q "^${P}good: imported $(ga_file ${P}good)" "$T/import.out"
check "HOTP file refused with its reason" refused ${P}hotp "HOTP_COUNTER: a counter-based (HOTP) file"
check "world-readable file refused with its reason" refused ${P}open "accessible by group or others (mode 0644)"
check "symbolic link refused with its reason" refused ${P}link "is a symbolic link"
check "broken file refused with its reason" refused ${P}broken "line 1: the secret is not base32"
check "unknown option refused with its reason" refused ${P}option "unknown option 'FUTURE_OPTION'"
check "a scratch code of another shape refused with its reason" refused ${P}scratch "a scratch code of 7 digits"
check "a user without a file is not mentioned" test "$(grep -c "^${P}none:" "$T/import.out")" = 0
check "the import is logged" admin_logged "user=${P}good by=$ADMIN_NAME: imported from $(ga_file ${P}good)"
check_eq "the google-authenticator files are untouched" \
	"$(grep -E 'google_authenticator|elsewhere' <<<"$before")" \
	"$(snapshot | grep -E 'google_authenticator|elsewhere')"
check_eq "one record written, the user's, mode 0600" "${P}good 600" \
	"$(with_nss stat -c '%U %a' "$T/home/${P}good/.pam_totp")"
for u in ${P}hotp ${P}open ${P}link ${P}broken ${P}option ${P}scratch ${P}none; do
	[ -e "$T/home/$u/.pam_totp" ] && not_ok "a record was written for refused $u"
done

# the app keeps working: codes for the same secret, from oathtool
# (the test clock is still in the step google-authenticator saw used)
check_login "the code of the step google-authenticator saw used is refused" \
	PAM_AUTH_ERR imp ${P}good "$(code 0 "$good_secret")"
check "... as a replay" logged "replayed code refused"
check_login "a login with the app's next code" PAM_SUCCESS imp ${P}good "$(code 1 "$good_secret")"
for i in 0 1 2; do
	check_login "scratch code $((i + 1)) is accepted as a recovery code" PAM_SUCCESS imp ${P}good "${scratch[$i]}"
	check "... logged with the codes left" logged "recovery code used, $((2 - i)) left"
	check_login "scratch code $((i + 1)) is refused the second time" PAM_AUTH_ERR imp ${P}good "${scratch[$i]}"
done
check_admin "import-ga of an enrolled user: refused (exit 4)" 4 --conf "$CONF" import-ga ${P}good
check "... as already enrolled" grep -q "^${P}good: refused: already enrolled" "$T/admin.out"
check_admin "import-ga needs names or --all" 2 --conf "$CONF" import-ga
check_admin "import-ga --dry-run is exact, not --dry" 2 --conf "$CONF" import-ga --dry ${P}good

# ---- pam_oath usersfile ----
# the last-use time below and the codes after it: in one 60 s step of
# the test clock (it starts 15 s into one)
hex_a=3132333435363738393031323334353637383930
hex_b=3132333435363738393031323334353637383931
last=$(date -d "@$(test_now)" +%Y-%m-%dT%H:%M:%SL)
OATH="$T/users.oath"
cat >"$OATH" <<OATHEOF
# pam_oath users
HOTP/T30 ${P}oa - $hex_a
HOTP/T60/8 ${P}ob - $hex_b 0 12345678 $last
HOTP ${P}oc - $hex_a 5
HOTP/T30 ${P}od 4321 $hex_a
HOTP/T30 pt_adm_nosuchuser - $hex_a
HOTP/T30 ${P}oa - $hex_b
OATHEOF
chmod 600 "$OATH"
before=$(snapshot; sha256sum <"$OATH")
check_admin "import-oath --dry-run: some refused (exit 4)" 4 --conf "$CONF" import-oath "$OATH" --dry-run
check_eq "--dry-run wrote nothing" "$before" "$(snapshot; sha256sum <"$OATH")"
check_admin "import-oath: some refused (exit 4)" 4 --conf "$CONF" import-oath "$OATH"
cp "$T/admin.out" "$T/oath.out"
check "HOTP/T30 imported" grep -q "^${P}oa: imported $OATH line 2 (SHA1, 6 digits, 30 s)" "$T/oath.out"
check "HOTP/T60/8 imported" grep -q "^${P}ob: imported $OATH line 3 (SHA1, 8 digits, 60 s)" "$T/oath.out"
check "an HOTP line refused with its reason" grep -q "^line 4: refused: type HOTP is counter-based" "$T/oath.out"
check "a line with a PIN refused with its reason" grep -q "^line 5: refused: user ${P}od has a PIN" "$T/oath.out"
check "an unknown user refused" grep -q "no such user 'pt_adm_nosuchuser'" "$T/admin.err"
check "a second line for one user refused" grep -q "^line 7: refused: ${P}oa appears on an earlier line" "$T/oath.out"
check_eq "the usersfile is untouched" "$(tail -1 <<<"$before")" "$(sha256sum <"$OATH")"
check_login "HOTP/T30 user logs in with an oathtool code" PAM_SUCCESS imp ${P}oa \
	"$(oathtool --totp -d 6 -s 30 -N "@$(test_now)" "$hex_a")"
check_login "HOTP/T60/8: the step pam_oath saw used is refused" PAM_AUTH_ERR imp ${P}ob \
	"$(oathtool --totp -d 8 -s 60 -N "@$(test_now)" "$hex_b")"
check_login "HOTP/T60/8 user logs in with the next 8-digit code" PAM_SUCCESS imp ${P}ob \
	"$(oathtool --totp -d 8 -s 60 -N "@$(($(test_now) + 60))" "$hex_b")"

# into the administrator's store: as totp-enroll writes there, the
# directory made root's 0700, the record root's 0600
CONF2="$T/store.conf"
printf 'secret=%s/adminstore/%%u\n' "$T" >"$CONF2"
OATH2="$T/store.oath"
printf 'HOTP/T30 %s - %s\n' "${P}none" "$hex_a" >"$OATH2"
chmod 600 "$OATH2"
check_admin "import-oath into a missing root store" 0 --conf "$CONF2" import-oath "$OATH2"
check_eq "... the store directory made root's, mode 0700" "root 700" "$(stat -c '%U %a' "$T/adminstore")"
check_eq "... the record root's, mode 0600" "root:root 600" "$(stat -c '%U:%G %a' "$T/adminstore/${P}none")"
make_service imp_store "conf=$CONF2"
check_login "... and the module takes it" PAM_SUCCESS imp_store ${P}none \
	"$(oathtool --totp -d 6 -s 30 -N "@$(test_now)" "$hex_a")"
rm -rf "$T/adminstore"
mkdir -m 777 "$T/adminstore"
check_admin "import-oath into a store directory others may write fails" 1 --conf "$CONF2" import-oath "$OATH2"
check "... saying why" grep -q "^${P}none: failed: the store directory $T/adminstore is unsafe" "$T/admin.out"
check "... nothing written" test ! -e "$T/adminstore/${P}none"

chmod 644 "$OATH"
check_admin "a usersfile readable by others is refused whole" 1 --conf "$CONF" import-oath "$OATH"
check "... with its reason" grep -q "accessible by group or others" "$T/admin.err"

tap_done
