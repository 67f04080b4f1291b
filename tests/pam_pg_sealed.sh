#!/bin/bash
# Secrets sealed from the database (db_key=, on by default): with
# log_statement=all the server's log, and a pg_dump, hold neither the
# secret nor its hex after an import, logins and a recovery-code login
# (which rewrites the record); a sealed record moved to another user's
# row, a host with another key, and a row in the clear are each refused
# and logged. Without any db_key= the default key path seals (in a mount
# namespace of the test's own); db_key=none writes in the clear and says
# so at every start.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"
PG_SERVER_OPTS="-c fsync=off -c log_statement=all"
. "$top_srcdir/tests/lib/pg_env.sh"

# pg_env.sh's configs name a key in $T (db_key=$PG_KEY); its --init-db made it
KEY=$PG_KEY
SEALED_ADMIN=$ADMIN_CONF
SEALED_HOST=$HOST_A_CONF
# db_key=none: rows in the clear, said explicitly
CLEAR_ADMIN="$T/clear_admin.conf"
CLEAR_HOST="$T/clear_host.conf"
sed "s|^db_key=.*|db_key=none|" "$ADMIN_CONF" >"$CLEAR_ADMIN"
sed "s|^db_key=.*|db_key=none|" "$HOST_A_CONF" >"$CLEAR_HOST"
chmod 600 "$CLEAR_ADMIN" "$CLEAR_HOST"
make_service sealed "conf=$SEALED_HOST"

# ---- the key: made by --init-db when absent, kept after ----
check "totp-enroll --init-db made the key" test -s "$KEY"
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
pg_psql "$ADMIN_DB" -c "DELETE FROM pam_totp_records WHERE user_name = 'nobody'"
new_record "$T/files/nobody"
"$ENROLL" --import --quiet --conf "$CLEAR_ADMIN" "nobody=$T/files/nobody" 2>"$T/clear.err"
check "db_key=none: totp-enroll warns" grep -q "warning: db_key=none: rows are written in the clear" \
	"$T/clear.err"
check "  and writes the row in the clear" grep -q "^pam_totp 1$" \
	<<<"$(pg_value "SELECT record FROM pam_totp_records WHERE user_name = 'nobody'")"
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
make_service clear "conf=$CLEAR_HOST"
check_login "a sealed row on a host with db_key=none: refused" PAM_AUTHINFO_UNAVAIL clear root "$(code)"
check "  logged" logged "row of pam_totp_records is sealed"
check "  and db_key=none logged at the start" logged "db_key=none: the rows are read and written in the clear"

# ---- no db_key= at all: the default key path seals ----
# In a mount namespace of the test's own, $T/etc is bound over the build's
# sysconfdir (or its security directory), so the real key at the default
# path is never read or written. Where no mount namespace can be made (a
# chroot, as in ../shared/fresh-ci), the default path itself is used, but
# only when nothing is there; what the test made there is removed at exit.
default_key="$sysconfdir/security/pam_totp.key"
if env -u LD_PRELOAD unshare --mount --propagation private true 2>/dev/null; then
	if [ -d "$sysconfdir/security" ]; then
		ns_src="$T/etc/security" ns_dst="$sysconfdir/security"
	elif [ -d "$sysconfdir" ] && [ "$sysconfdir" != /etc ]; then
		ns_src="$T/etc" ns_dst="$sysconfdir"
	else
		bail "no directory to bind over for the default key path ($sysconfdir)"
	fi
	mkdir -p "$T/etc/security"
	made_key="$T/etc/security/pam_totp.key"
	# LD_PRELOAD (pam_wrapper, ASan's runtime) is for the program run
	# last, not for unshare, sh and mount
	cat >"$T/in_ns" <<EOF
#!/bin/sh
PRELOAD_LAST="\$LD_PRELOAD" exec env -u LD_PRELOAD unshare --mount --propagation private \\
	sh -c 'mount --bind "\$1" "\$2" && shift 2 && LD_PRELOAD="\$PRELOAD_LAST" exec "\$@"' \\
	sh "$ns_src" "$ns_dst" "\$@"
EOF
else
	[ ! -e "$default_key" ] ||
		bail "no mount namespace here, and $default_key exists: not touching it"
	made_dirs=""
	for d in "$sysconfdir" "$sysconfdir/security"; do
		[ -d "$d" ] && continue
		mkdir -m 755 "$d" || bail "cannot make $d"
		made_dirs="$d $made_dirs"
	done
	made_key=$default_key
	# shellcheck disable=SC2064 # the paths are fixed now
	trap "rm -f '$default_key'; for d in $made_dirs; do rmdir \"\$d\"; done; pg_cleanup; rm -rf '$T'" EXIT
	printf '#!/bin/sh\nexec "$@"\n' >"$T/in_ns"
fi
chmod 755 "$T/in_ns"
grep -v "^db_key=" "$ADMIN_CONF" >"$T/default_admin.conf"
grep -v "^db_key=" "$HOST_A_CONF" >"$T/default_host.conf"
chmod 600 "$T/default_admin.conf" "$T/default_host.conf"
make_service default_key "conf=$T/default_host.conf"
check "no db_key=: --init-db makes the key at the default path" \
	"$T/in_ns" "$ENROLL" --init-db --quiet --conf "$T/default_admin.conf"
check_eq "  $sysconfdir/security/pam_totp.key, root-only 0600" "600 root" \
	"$(stat -c '%a %U' "$made_key")"
new_record "$T/files/daemon"
check "  --import through it" "$T/in_ns" "$ENROLL" --import --quiet --conf "$T/default_admin.conf" \
	"daemon=$T/files/daemon"
check "  seals the row" grep -q "^pam_totp-sealed:1:" \
	<<<"$(pg_value "SELECT record FROM pam_totp_records WHERE user_name = 'daemon'")"
PAM_LOGIN_WRAPPER="$T/in_ns" check_login "  a host without db_key= opens it" PAM_SUCCESS \
	default_key daemon "$(code)"
check "  without a db_key=none warning" bash -c '! grep -q "db_key=none" "$1"' _ "$T/last.log"
check_login "a host with the test's key cannot (another key)" PAM_AUTHINFO_UNAVAIL sealed daemon \
	"$(code)"

# ---- key rotation: the fleet key A to a new key B while logins go on ----
# The hosts read under both (db_key=B db_key_old=A) and write under B;
# totp-enroll --rotate-key re-seals every row under A in one transaction.
KEY_A=$KEY KEY_B="$T/key_b"
# the id a key's rows carry: SHA-256("pam_totp key id" NUL key), 8 bytes
key_id() {
	python3 -c 'import hashlib, sys
print(hashlib.sha256(b"pam_totp key id\0" + bytes.fromhex(open(sys.argv[1]).read().strip())).hexdigest()[:16])' "$1"
}
rows_under() { # rows_under KEYFILE: how many rows are sealed under that key
	pg_value "SELECT count(*) FROM pam_totp_records
		WHERE record LIKE 'pam_totp-sealed:1:$(key_id "$1"):%'"
}
sed "s|^db_key=.*|db_key=$KEY_B|" "$ADMIN_CONF" >"$T/make_b.conf"
sed -e "s|^db_key=.*|db_key=$KEY_B\ndb_key_old=$KEY_A|" "$ADMIN_CONF" >"$T/rot_admin.conf"
# the hosts' db_timeout=120 (tests/lib/pg_env.sh) is room for a login that
# waits on the rotation
sed -e "s|^db_key=.*|db_key=$KEY_B\ndb_key_old=$KEY_A|" "$HOST_A_CONF" >"$T/rot_host.conf"
chmod 600 "$T/make_b.conf" "$T/rot_admin.conf" "$T/rot_host.conf"
make_service rot "conf=$T/rot_host.conf"
make_service only_b "conf=$T/make_b.conf"
make_service rel_key "conf=$HOST_A_CONF db_key=fleet.key"
check_login "db_key= a relative path: a configuration error" PAM_SERVICE_ERR rel_key root "$(code)"
check "  logged" logged "db_key=fleet.key is not an absolute path (or none)"
make_service old_alone "conf=$HOST_A_CONF db_key=none db_key_old=$KEY_A"
check_login "db_key_old= beside db_key=none: a configuration error" PAM_SERVICE_ERR old_alone root \
	"$(code)"
check "  logged" logged "db_key_old= must be an absolute path, beside a db_key= that is not none"
check "the new key B is made (--init-db with db_key=B)" \
	"$ENROLL" --init-db --quiet --conf "$T/make_b.conf"
check "  a key id is 16 hex digits" grep -qx "[0-9a-f]\{16\}" <<<"$(key_id "$KEY_A")"
check_eq "  the rows root and nobody are under A" 2 "$(rows_under "$KEY_A")"
for u in bin sys; do
	new_record "$T/files/$u"
	"$ENROLL" --import --quiet --conf "$ADMIN_CONF" "$u=$T/files/$u" || bail "cannot import $u"
done
check_eq "  bin and sys too" 4 "$(rows_under "$KEY_A")"
rc=0; "$ENROLL" --rotate-key --conf "$ADMIN_CONF" >/dev/null 2>"$T/rot.err" || rc=$?
check_eq "--rotate-key without db_key_old= is refused" 1 "$rc"
check "  saying what it needs" grep -q "needs db_key= (the new key) and db_key_old=" "$T/rot.err"
rc=0; "$ENROLL" --rotate-key --conf "$T/rot_admin.conf" >/dev/null 2>"$T/rot.err" || rc=$?
check_eq "a row under a third key (daemon's, the default path's) stops the rotation" 1 "$rc"
check "  naming the row and its key" grep -q "daemon's row is sealed under key [0-9a-f]\{16\}, neither" \
	"$T/rot.err"
check_eq "  nothing changed" 4 "$(rows_under "$KEY_A")"
pg_admin "DELETE FROM pam_totp_records WHERE user_name = 'daemon'"

# The rotation waits behind a session holding bin's row (the first it
# locks); meanwhile two logins per user race with one code. Then bin is
# released: the rotation re-seals while the racers are decided.
advance_clock 30
c=$(code)
check_login "control: a host with B alone cannot read the rows under A" PAM_AUTHINFO_UNAVAIL \
	only_b root "$c"
lines=$(wc -l <"$PGD/server.log")
pg_hold bin
"$ENROLL" --rotate-key --conf "$T/rot_admin.conf" >"$T/rot.out" 2>&1 7>&- &
rotation=$!
pg_wait_for "the rotation waits for bin's row" "SELECT count(*) = 1 FROM pg_stat_activity
	WHERE wait_event_type = 'Lock' AND query LIKE '%NOT LIKE%'"
rm -rf "$T/race" && mkdir "$T/race"
racers=()
# the syslog shim prints each racer's log line beside its result
SYSLOG_SHIM="$top_builddir/tests/shims/.libs/libsyslogshim.so"
for u in bin nobody root sys; do
	for i in 1 2; do
		LD_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$SYSLOG_SHIM" \
			"$PAM_LOGIN" -d "$T/pam" rot "$u" "$c" >"$T/race/$u.$i" 2>&1 7>&- &
		racers+=($!)
	done
done
# the other users' racers are decided meanwhile, on rows still under A
six_decided() { [ "$(cat "$T/race/"{nobody,root,sys}.* | grep -c '^result: ')" = 6 ]; }
wait_for 60 "the other users' six racers decided" six_decided
# (totp-enroll's session is a pam_totp one too: the rotation and bin's two)
pg_wait_for "bin's two racers alone left, waiting behind the rotation" "SELECT count(*) = 3 AND
	count(*) FILTER (WHERE wait_event_type = 'Lock') = 3
	FROM pg_stat_activity WHERE application_name = 'pam_totp'"
pg_release
rc=0; wait "$rotation" || rc=$?
check_eq "--rotate-key while logins race: done" 0 "$rc"
check "  4 rows re-sealed" grep -q "^4 rows re-sealed under $KEY_B" "$T/rot.out"
wait "${racers[@]}"
for u in bin nobody root sys; do
	check_eq "  $u: one racer accepted, one refused" "PAM_AUTH_ERR PAM_SUCCESS" \
		"$(sed -n 's/^result: //p' "$T/race/$u".* | sort | tr '\n' ' ' | sed 's/ $//')"
	grep -h "SYSLOG" "$T/race/$u".* | sed 's/^/#   /'
done
check_eq "  no row under A afterwards" 0 "$(rows_under "$KEY_A")"
check_eq "  every row under B" 4 "$(rows_under "$KEY_B")"
check "  the statements since carry neither the secret nor its hex" bash -c \
	'! tail -n +"$1" "$2" | grep -qi -e "$3" -e "$4"' _ "$((lines + 1))" "$PGD/server.log" \
	"$SECRET" "$HEX"
check "  (the statements were logged)" bash -c \
	'tail -n +"$1" "$2" | grep -q "UPDATE pam_totp_records SET record"' _ "$((lines + 1))" \
	"$PGD/server.log"
for u in bin root; do
	check_login "after: $u's code again is refused as a replay" PAM_AUTH_ERR rot "$u" "$c"
done
advance_clock 30
check_login "after: a new code through the rotating host" PAM_SUCCESS rot sys "$(code)"
check_login "after: a new code on a host with B alone" PAM_SUCCESS only_b nobody "$(code)"
check_login "after: a host with A alone is refused" PAM_AUTHINFO_UNAVAIL sealed root "$(code)"
check "  logged, naming both keys" logged "sealed under key $(key_id "$KEY_B"), this host's key is"
tap_done
