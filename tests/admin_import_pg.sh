#!/bin/bash
# totp-admin import-ga and import-oath into the PostgreSQL store (a
# throw-away cluster, tests/lib/pg_env.sh): files made by the real
# google-authenticator command and a pam_oath usersfile become rows with
# the same secret. The import runs with the administrator's config (the
# role that may insert); the logins, through libpam, with the PAM role's:
# an oathtool code logs in, the same code again is a replay, each scratch
# code is accepted once as a recovery code. A user who already has a row
# and HOTP are refused with their reason and the rest go on; --dry-run
# writes no row; the originals are never changed. tests/admin_import.sh
# covers the file store and every refusal of a file's contents.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (files of other users)"; exit 0; }
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/pg_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"
. "$top_srcdir/tests/lib/import_env.sh"

P=pt_adm_ip
GA_USERS="${P}ga ${P}hotp ${P}row"
OATH_USERS="${P}oa ${P}ob"
import_users $GA_USERS $OATH_USERS
make_service a "conf=$HOST_A_CONF"
ga ${P}ga -t -d -e 3
ga ${P}hotp -c
ga ${P}row -t -d
ga_secret=$(head -1 "$(ga_file ${P}ga)")
mapfile -t scratch < <(grep -E '^[0-9]{8}$' "$(ga_file ${P}ga)")
check_eq "the real command wrote 3 scratch codes" 3 "${#scratch[@]}"
# a user enrolled before the import: a row with $SECRET
pg_enroll ${P}row || bail "enrolling ${P}row"

# rows [USER...]: the whole table but the rows of the USERs
rows() {
	local but="$*"
	but=${but// /\',\'}
	pg_admin "SELECT * FROM pam_totp_records WHERE user_name NOT IN ('$but') ORDER BY user_name"
}
n_rows() { pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = '$1'"; }
rows_before=$(rows)
files_before=$(snapshot)

# ---- google-authenticator ----
# --all: every user of the test's own user database (tests/lib/nss_env.sh)
# with a file, this test's three and nobody else's
check_admin "import-ga --all --dry-run: some refused (exit 4)" 4 \
	--conf "$ADMIN_CONF" import-ga --all --dry-run
check "--dry-run says what it would import" \
	grep -q "^${P}ga: would import $(ga_file ${P}ga) (SHA1, 6 digits, 30 s, 3 scratch codes" "$T/admin.out"
check "--dry-run refuses the user who has a row, saying why" \
	grep -q "^${P}row: refused: already enrolled (totp-admin reset first to replace it)" "$T/admin.out"
check "--dry-run says nothing was written" \
	grep -q "1 to import, 2 refused, 0 failed (dry run: nothing written)" "$T/admin.out"
check_eq "--dry-run wrote no row: the table as before" "$rows_before" "$(rows)"
check_eq "--dry-run: every file under the homes byte for byte as before" "$files_before" "$(snapshot)"

check_admin "import-ga --all: some refused (exit 4)" 4 --conf "$ADMIN_CONF" import-ga --all
cp "$T/admin.out" "$T/import.out"
check "imported ${P}ga" grep -q "^${P}ga: imported $(ga_file ${P}ga) (SHA1, 6 digits, 30 s, 3 scratch codes" "$T/import.out"
check "HOTP file refused with its reason" \
	grep -q "^${P}hotp: refused: .*HOTP_COUNTER: a counter-based (HOTP) file" "$T/import.out"
check "the user who has a row refused with its reason" \
	grep -q "^${P}row: refused: already enrolled (totp-admin reset first to replace it)" "$T/import.out"
check "the import is logged" admin_logged "user=${P}ga by=$ADMIN_NAME: imported from $(ga_file ${P}ga)"
check_eq "one row written, ${P}ga's" 1 "$(n_rows ${P}ga)"
check_eq "no row for the HOTP user" 0 "$(n_rows ${P}hotp)"
check_eq "the rows of everyone else as before" "$rows_before" "$(rows ${P}ga)"
check_eq "the google-authenticator files untouched" "$files_before" "$(snapshot)"
check_admin "status ${P}ga" 0 --conf "$ADMIN_CONF" status ${P}ga
check "... in the database, with 3 recovery codes" \
	grep -qx "record: *postgresql: pam_totp_records" "$T/admin.out"
check "... with 3 recovery codes" grep -Eqx "recovery codes left: *3" "$T/admin.out"

# the app keeps working: codes for the same secret, from oathtool
c=$(code 0 "$ga_secret")
check_login "a login with the app's code, through the PAM role" PAM_SUCCESS a ${P}ga "$c"
check_login "the same code again is refused" PAM_AUTH_ERR a ${P}ga "$c"
check "... as a replay" logged "replayed code refused"
for i in 0 1 2; do
	check_login "scratch code $((i + 1)) is accepted as a recovery code" PAM_SUCCESS a ${P}ga "${scratch[$i]}"
	check "... logged with the codes left" logged "recovery code used, $((2 - i)) left"
	check_login "scratch code $((i + 1)) is refused the second time" PAM_AUTH_ERR a ${P}ga "${scratch[$i]}"
done
check_login "${P}row still logs in with its own secret" PAM_SUCCESS a ${P}row "$(code)"
check_admin "import-ga of ${P}ga, now with a row: refused (exit 4)" 4 --conf "$ADMIN_CONF" import-ga ${P}ga
check "... as already enrolled" grep -q "^${P}ga: refused: already enrolled" "$T/admin.out"

# ---- pam_oath usersfile ----
hex_a=3132333435363738393031323334353637383930
hex_b=3132333435363738393031323334353637383931
OATH="$T/users.oath"
cat >"$OATH" <<OATHEOF
# pam_oath users
HOTP/T30 ${P}oa - $hex_a
HOTP/T60/8 ${P}ob - $hex_b
HOTP ${P}hotp - $hex_a 5
HOTP/T30 ${P}row - $hex_b
HOTP/T30 pt_adm_ip_nosuchuser - $hex_a
OATHEOF
chmod 600 "$OATH"
oath_before=$(sha256sum <"$OATH")
rows_before=$(rows)
check_admin "import-oath --dry-run: some refused (exit 4)" 4 --conf "$ADMIN_CONF" import-oath "$OATH" --dry-run
check "--dry-run says what it would import" \
	grep -q "^${P}oa: would import $OATH line 2 (SHA1, 6 digits, 30 s)" "$T/admin.out"
check_eq "--dry-run wrote no row: the table as before" "$rows_before" "$(rows)"
check_admin "import-oath: some refused (exit 4)" 4 --conf "$ADMIN_CONF" import-oath "$OATH"
cp "$T/admin.out" "$T/oath.out"
check "HOTP/T30 imported" grep -q "^${P}oa: imported $OATH line 2 (SHA1, 6 digits, 30 s)" "$T/oath.out"
check "HOTP/T60/8 imported" grep -q "^${P}ob: imported $OATH line 3 (SHA1, 8 digits, 60 s)" "$T/oath.out"
check "an HOTP line refused with its reason" \
	grep -q "^line 4: refused: type HOTP is counter-based" "$T/oath.out"
check "the user who has a row refused with its reason" \
	grep -q "^${P}row: refused: already enrolled (totp-admin reset first to replace it)" "$T/oath.out"
check "a user unknown here refused with its reason" \
	grep -q "^line 6: refused: no such user 'pt_adm_ip_nosuchuser' here" "$T/oath.out"
check "... and no row for that user" test "$(n_rows pt_adm_ip_nosuchuser)" = 0
check "3 lines refused" grep -q "^2 imported, 3 refused, 0 failed$" "$T/oath.out"
check_eq "the rows of everyone else as before" "$rows_before" "$(rows ${P}oa ${P}ob)"
check_eq "the usersfile untouched" "$oath_before" "$(sha256sum <"$OATH")"
c=$(oathtool --totp -d 6 -s 30 -N "@$(test_now)" "$hex_a")
check_login "HOTP/T30 user logs in with an oathtool code" PAM_SUCCESS a ${P}oa "$c"
check_login "the same code again is refused" PAM_AUTH_ERR a ${P}oa "$c"
check "... as a replay" logged "replayed code refused"
check_login "HOTP/T60/8 user logs in with an 8-digit code" PAM_SUCCESS a ${P}ob \
	"$(oathtool --totp -d 8 -s 60 -N "@$(test_now)" "$hex_b")"
check_login "${P}row's secret is still its own, not the usersfile's" PAM_AUTH_ERR a ${P}row \
	"$(oathtool --totp -d 6 -s 30 -N "@$(($(test_now) + 30))" "$hex_b")"

# a removed user is not imported over the tombstone: reset first
check_admin "remove --yes ${P}ga" 0 --conf "$ADMIN_CONF" remove --yes ${P}ga
check_admin "import-ga of the removed user: refused (exit 4)" 4 --conf "$ADMIN_CONF" import-ga ${P}ga
check "... saying by whom, and reset first" grep -q \
	"^${P}ga: refused: row of pam_totp_records: removed by an administrator on .* by $ADMIN_NAME (totp-admin reset first to import)" \
	"$T/admin.out"
check_admin "reset --yes ${P}ga" 0 --conf "$ADMIN_CONF" reset --yes ${P}ga
check_admin "... then it imports" 0 --conf "$ADMIN_CONF" import-ga ${P}ga

tap_done
