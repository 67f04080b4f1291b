#!/bin/bash
# Secrets sealed from the database (db_key=): with log_statement=all the
# server's log, and a pg_dump, hold neither the secret nor its hex after an
# import, logins and a recovery-code login (which rewrites the record); a
# sealed record moved to another user's row, a host with another key, and
# a row in the clear are each refused and logged.
. "$top_srcdir/tests/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/pam_env.sh"
PG_SERVER_OPTS="-c fsync=off -c log_statement=all"
. "$top_srcdir/tests/pg_env.sh"

KEY="$T/fleet.key"
SEALED_ADMIN="$T/sealed_admin.conf"
SEALED_HOST="$T/sealed_host.conf"
{ cat "$ADMIN_CONF"; echo "db_key=$KEY"; } >"$SEALED_ADMIN"
{ cat "$HOST_A_CONF"; echo "db_key=$KEY"; } >"$SEALED_HOST"
chmod 600 "$SEALED_ADMIN" "$SEALED_HOST"
make_service sealed "conf=$SEALED_HOST"

# ---- the key: made by --init-db when absent, kept after ----
check "totp-enroll --init-db makes the key" "$ENROLL" --init-db --quiet --conf "$SEALED_ADMIN"
check_eq "  root-only 0600" "600 root" "$(stat -c '%a %U' "$KEY")"
cp "$KEY" "$T/key.before"
check "  --init-db again keeps it" "$ENROLL" --init-db --quiet --conf "$SEALED_ADMIN"
check "  unchanged" cmp -s "$KEY" "$T/key.before"

# ---- import, logins, a recovery code ----
HEX=$(python3 -c 'import base64, sys; print(base64.b32decode(sys.argv[1]).hex())' "$SECRET")
mkdir -p "$T/files"
new_record "$T/files/root" -r 3 -i 1000 >"$T/recovery"
check "--import with db_key" "$ENROLL" --import --quiet --conf "$SEALED_ADMIN" \
	"root=$T/files/root"
row=$(pg_value "SELECT record FROM pam_totp_records WHERE user_name = 'root'")
check "  the row is sealed" grep -q "^pam_totp-sealed:1:[0-9a-f]\{16\}:" <<<"$row"
check_login "a code is accepted through the sealed row" PAM_SUCCESS sealed root "$(code)"
check_login "a wrong code is counted" PAM_AUTH_ERR sealed root "$(wrong_code)"
check_login "a recovery code is accepted" PAM_SUCCESS sealed root "$(sed -n 1p "$T/recovery")"
check "  two left" logged "recovery code used, 2 left"
row2=$(pg_value "SELECT record FROM pam_totp_records WHERE user_name = 'root'")
check "  the record was rewritten, sealed again" \
	test "$row2" != "$row" -a "${row2#pam_totp-sealed:1:}" != "$row2"
check_login "  the same recovery code is refused" PAM_AUTH_ERR sealed root "$(sed -n 1p "$T/recovery")"

PGPASSWORD="$ADMIN_PW" "$PGBIN/pg_dump" -h "$PGSOCK" -U totp_admin totp \
	>"$T/dump.sql" 2>"$T/dump.err"
check "pg_dump holds the rows" grep -q "pam_totp-sealed:1:" "$T/dump.sql"
check "the server logged the statements (log_statement=all)" \
	grep -q "UPDATE pam_totp_records" "$PGD/server.log"
for f in "$PGD/server.log" "$T/dump.sql"; do
	check "$(basename "$f"): not the secret" bash -c '! grep -qi "$1" "$2"' _ "$SECRET" "$f"
	check "$(basename "$f"): not its hex" bash -c '! grep -qi "$1" "$2"' _ "$HEX" "$f"
done

# ---- what is refused ----
pg_admin "INSERT INTO pam_totp_records (user_name, record)
	SELECT 'nobody', record FROM pam_totp_records WHERE user_name = 'root'"
check_login "root's sealed record in nobody's row: refused" PAM_AUTHINFO_UNAVAIL sealed nobody "$(code)"
check "  logged" logged "does not open for this user with this key"
sed "s|^db_key=.*|db_key=$T/other.key|" "$SEALED_ADMIN" >"$T/other_admin.conf"
sed "s|^db_key=.*|db_key=$T/other.key|" "$SEALED_HOST" >"$T/other_host.conf"
chmod 600 "$T/other_admin.conf" "$T/other_host.conf"
"$ENROLL" --init-db --quiet --conf "$T/other_admin.conf" >/dev/null 2>&1
make_service other_key "conf=$T/other_host.conf"
check "another key file was made" test -s "$T/other.key"
check_login "a host with another key: refused" PAM_AUTHINFO_UNAVAIL other_key root "$(code)"
check "  logged, naming both keys" logged "sealed under key [0-9a-f]\{16\}, this host's key is"
chmod 644 "$T/other.key"
check_login "a key file others may read: refused" PAM_AUTHINFO_UNAVAIL other_key root "$(code)"
check "  logged" logged "db_key: key file .*mode 0600"
pg_enroll nobody
check_login "a row in the clear while db_key is set: refused" PAM_AUTHINFO_UNAVAIL sealed nobody "$(code)"
check "  logged" logged "row of pam_totp_records is not sealed"
check "control: that row, written in the clear, does show in the server's log" \
	grep -qi "$SECRET" "$PGD/server.log"
lines=$(wc -l <"$PGD/server.log")
check "--init-db with db_key seals the rows in the clear" \
	"$ENROLL" --init-db --quiet --conf "$SEALED_ADMIN"
check "  nobody's row is sealed now" grep -q "^pam_totp-sealed:1:" \
	<<<"$(pg_value "SELECT record FROM pam_totp_records WHERE user_name = 'nobody'")"
check "  without the secret in its statements" \
	bash -c '! tail -n +"$1" "$2" | grep -qi "$3"' _ "$((lines + 1))" "$PGD/server.log" "$SECRET"
check_login "  and it opens for nobody" PAM_SUCCESS sealed nobody "$(code)"
make_service clear "conf=$HOST_A_CONF"
check_login "a sealed row on a host without db_key: refused" PAM_AUTHINFO_UNAVAIL clear root "$(code)"
check "  logged" logged "row of pam_totp_records is sealed"
tap_done
