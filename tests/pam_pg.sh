#!/bin/bash
# The PostgreSQL store through the real libpam: two "hosts" (two service
# configurations, one database), odd user names, nullok, the configuration's
# safety checks, enrolment and import, and a database that stops, freezes
# or holds the row lock mid-run.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pam_env.sh"
# rows in the clear, said so: this test reads and writes the record column
# (the recovery codes a row keeps, a malformed row); sealing has
# tests/pam_pg_sealed.sh
PG_KEY=none
. "$top_srcdir/tests/lib/pg_env.sh"

make_service a "conf=$HOST_A_CONF"
make_service b "conf=$HOST_B_CONF"
make_service patient "conf=$HOST_A_CONF max_failures=100 failure_ceiling=100"
make_stack a_nullok "auth required $MODULE conf=$HOST_A_CONF nullok" "auth required pam_permit.so"
make_stack a_ignore "auth required $MODULE conf=$HOST_A_CONF db_unavailable=ignore" \
	"auth required pam_permit.so"
make_service file "secret=$T/files/%u"

# state USER: "last failures seq" of USER's row
state() {
	pg_psql "$ADMIN_DB" -F ' ' -v u="$1" \
		<<<"SELECT last_step, failures, seq FROM pam_totp_records WHERE user_name = :'u';"
}
step_now() { echo $(($(test_now) / 30)); }

# ---- two hosts, one database ----
pg_enroll root
c=$(code)
check_login "host A accepts the current code" PAM_SUCCESS a root "$c"
check_login "host B refuses the same code" PAM_AUTH_ERR b root "$c"
check "host B logs it as a replay" logged "replayed code refused"
check_login "host A refuses it again" PAM_AUTH_ERR a root "$c"
check_eq "the last accepted step is in the database" "$(step_now) 0" "$(state root | cut -d' ' -f1,2)"
check_login "host B accepts the next code" PAM_SUCCESS b root "$(code 1)"
check_login "host A refuses that one" PAM_AUTH_ERR a root "$(code 1)"
check_login "host A refuses an older code" PAM_AUTH_ERR a root "$c"
check_eq "the last accepted step moved for every host" "$(($(step_now) + 1))" \
	"$(state root | cut -d' ' -f1)"
check_login "a wrong code through B" PAM_AUTH_ERR b root "$(wrong_code)"
check_eq "failures are counted for every host" 1 "$(state root | cut -d' ' -f2)"

# libpq's environment is the caller's (su): it must not choose the database
pg_enroll root
PGHOST=/nonexistent PGDATABASE=nope PGSERVICE=evil PGSERVICEFILE=/nonexistent \
	PGSSLMODE=require HOME=/nonexistent check_login \
	"PG* variables and HOME of the caller are ignored" PAM_SUCCESS a root "$(code)"

# ---- roles: the PAM side can only read and update ----
pam_psql() {
	PGPASSWORD="$PAM_PW" "$PGBIN/psql" -X -q -A -t "host=$PGSOCK dbname=totp user=pam_totp" \
		-c "$1" >/dev/null 2>&1
}
check "the PAM role may read the table" pam_psql "SELECT count(*) FROM pam_totp_records"
pam_refused() { ! pam_psql "$1"; }
check "the PAM role may not insert" pam_refused \
	"INSERT INTO pam_totp_records (user_name, record) VALUES ('x', 'y')"
check "the PAM role may not delete" pam_refused "DELETE FROM pam_totp_records"
check "the PAM role may not change the schema version" pam_refused \
	"UPDATE pam_totp_schema SET version = 1"

# ---- nullok: a user without a row ----
pg_admin "DELETE FROM pam_totp_records WHERE user_name = 'root'"
check_login "no row, nullok: ignored, the stack decides" PAM_SUCCESS a_nullok root
check "no row, nullok: logged" logged "not enrolled, nullok: ignored"
check "no row, nullok: not prompted" test "$(grep -c '^prompt' "$T/last.log")" -eq 0
check_login "no row without nullok: denied" PAM_AUTH_ERR a root 123456
check "no row without nullok: still prompted" grep -q '^prompt: Code from the app' "$T/last.log"
check "no row without nullok: logged" logged "not enrolled (no row in pam_totp_records"
pg_enroll root
check_login "a row and nullok: a wrong code is denied" PAM_AUTH_ERR a_nullok root "$(wrong_code)"
check_login "a row and nullok: the right code is accepted" PAM_SUCCESS a_nullok root "$(code)"

# ---- user names with quotes, backslashes, semicolons, non-ASCII ----
# nss_wrapper gives them passwd entries without touching /etc/passwd
NSS_WRAPPER_LIB=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -1)
[ -n "$NSS_WRAPPER_LIB" ] || bail "nss_wrapper not installed (apt-get install libnss-wrapper)"
odd_users=("o'brien" 'back\slash' 'semi;colon' 'jürgen' 'quo"te' 'x'"'"'; DROP TABLE pam_totp_records; --' '日本語')
{
	echo "root:x:0:0:root:/root:/bin/sh"
	for u in "${odd_users[@]}"; do echo "$u:x:0:0::/root:/bin/sh"; done
} >"$T/passwd"
echo "root:x:0:" >"$T/group"
for u in "${odd_users[@]}"; do
	pg_enroll "$u" || not_ok "enrolling '$u'"
	NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" LD_PRELOAD="$NSS_WRAPPER_LIB" \
		check_login "user '$u': accepted on host A" PAM_SUCCESS a "$u" "$(code)"
	NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" LD_PRELOAD="$NSS_WRAPPER_LIB" \
		check_login "user '$u': replay refused on host B" PAM_AUTH_ERR b "$u" "$(code)"
	check_eq "user '$u': the row under the exact name holds the step" "$(step_now)" \
		"$(state "$u" | cut -d' ' -f1)"
done
check_eq "every odd user has its row, and the table survived" "$((${#odd_users[@]} + 1))" \
	"$(pg_value "SELECT count(*) FROM pam_totp_records")"
pg_admin "DELETE FROM pam_totp_records WHERE user_name <> 'root'"
NSS_WRAPPER_PASSWD="$T/passwd" NSS_WRAPPER_GROUP="$T/group" LD_PRELOAD="$NSS_WRAPPER_LIB" \
	check_login "user 'o'brien' without a row: denied" PAM_AUTH_ERR a "o'brien" "$(code)"
check "  logged as not enrolled" logged "user=o'brien service=a rhost=-: not enrolled"

# ---- configuration safety ----
cp "$HOST_A_CONF" "$T/open.conf"
chmod 644 "$T/open.conf"
make_service open "conf=$T/open.conf"
check_login "a config file with a password readable by others is refused" PAM_SERVICE_ERR open root 123456
check "  and the reason logged" logged "holds a database password (line 2): it must be readable by root alone"
make_service argpw "store=postgresql [db=host=$PGSOCK dbname=totp user=pam_totp password=$PAM_PW]"
check_login "a password among module arguments is refused" PAM_SERVICE_ERR argpw root 123456
check "  and the reason logged" logged "a database password must not be a module argument"
# libpq decodes %-escapes in a URI's keywords: pass%77ord= is a password
pct_uri="postgresql:///totp?host=$PGSOCK&user=pam_totp&pass%77ord=$PAM_PW"
printf 'store=postgresql\ndb=%s\ndb_timeout=120\ndb_key=%s\n' "$pct_uri" "$PG_KEY" >"$T/pct.conf"
chmod 600 "$T/pct.conf"
make_stack pct "auth required $MODULE conf=$T/pct.conf nullok" "auth required pam_permit.so"
check_login "pass%77ord= in a root-only file: libpq takes it as the password" PAM_SUCCESS pct nobody
check "  (connected: nobody has no row)" logged "not enrolled, nullok: ignored"
chmod 644 "$T/pct.conf"
check_login "pass%77ord= in a file others may read is refused like password=" PAM_SERVICE_ERR pct nobody
check "  and the reason logged" logged "holds a database password (line 2): it must be readable by root alone"
make_service pctarg "store=postgresql [db=$pct_uri]"
check_login "pass%77ord= among module arguments is refused like password=" PAM_SERVICE_ERR pctarg root 123456
check "  and the reason logged" logged "a database password must not be a module argument"
make_service nodb "store=postgresql"
check_login "store=postgresql without db= is refused" PAM_SERVICE_ERR nodb root 123456
make_service badstore "store=ldap secret=$T/%u"
check_login "an unknown store is refused" PAM_SERVICE_ERR badstore root 123456
printf 'store=postgresql\ndb=host=%s dbname=totp user=pam_totp password=wrong\ndb_timeout=120\ndb_key=%s\n' \
	"$PGSOCK" "$PG_KEY" >"$T/wrongpw.conf"
chmod 600 "$T/wrongpw.conf"
make_service wrongpw "conf=$T/wrongpw.conf"
check_login "a rejected database password denies" PAM_AUTHINFO_UNAVAIL wrongpw root "$(code)"
check "  and says why" logged "password authentication failed"
printf 'store=postgresql\ndb=host=%s dbname=totp user=pam_totp bogus_option=1\ndb_timeout=120\ndb_key=%s\n' \
	"$PGSOCK" "$PG_KEY" >"$T/badconn.conf"
# root-only: a string libpq cannot parse may hide a password (see below)
chmod 600 "$T/badconn.conf"
make_stack badconn "auth required $MODULE conf=$T/badconn.conf db_unavailable=ignore" \
	"auth required pam_permit.so"
check_login "a connection string libpq refuses denies, even with db_unavailable=ignore" \
	PAM_AUTHINFO_UNAVAIL badconn root "$(code)"
check "  and says why" logged 'record error: bad db= connection string: invalid connection option "bogus_option"'
chmod 644 "$T/badconn.conf"
check_login "  in a file others may read it is refused: it may hide a password" \
	PAM_SERVICE_ERR badconn root "$(code)"
pg_admin "UPDATE pam_totp_schema SET version = 2"
check_login "an unknown schema version denies" PAM_AUTHINFO_UNAVAIL a root "$(code)"
check "  and says which" logged "schema version 2, this pam_totp needs 1"
pg_admin "UPDATE pam_totp_schema SET version = 1"
"$ENROLL" --init-db --quiet --conf "$ADMIN_CONF" >/dev/null 2>&1
check_eq "--init-db twice changes nothing" "1 1" \
	"$(pg_value "SELECT count(*), min(version) FROM pam_totp_schema" | tr '|' ' ')"

# ---- the plugin: pam_totp_pg.so beside the module, or no login ----
# Copies of the module in directories of their own, with the right code
# for an enrolled user and the database up: only the plugin differs.
plugin_case() { # plugin_case NAME: $T/NAME/pam_totp.so and a service NAME
	mkdir -p "$T/$1"
	cp "$MODULE" "$T/$1/pam_totp.so"
	make_stack "$1" "auth required $T/$1/pam_totp.so conf=$HOST_A_CONF $2" \
		"auth required pam_permit.so"
}
plugin_case copy ""
cp "$PG_PLUGIN" "$T/copy/"
plugin_case missing "db_unavailable=ignore"
plugin_case missing_nullok "nullok"
plugin_case groupw ""
cp "$PG_PLUGIN" "$T/groupw/" && chmod g+w "$T/groupw/pam_totp_pg.so"
plugin_case otherw ""
cp "$PG_PLUGIN" "$T/otherw/" && chmod o+w "$T/otherw/pam_totp_pg.so"
plugin_case notroot ""
cp "$PG_PLUGIN" "$T/notroot/" && chown nobody "$T/notroot/pam_totp_pg.so"
plugin_case nosym ""
cp "$top_builddir/tests/shims/.libs/libsyslogshim.so" "$T/nosym/pam_totp_pg.so"
# another build's plugin: the version string in its table changed (same length)
plugin_case otherversion ""
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$top_builddir/Makefile")
other=$(tr '0-9' '1-90' <<<"$version")
VERSION=$version OTHER=$other perl -0777 -pe 's/\x00\Q$ENV{VERSION}\E\x00/\x00$ENV{OTHER}\x00/g' \
	"$PG_PLUGIN" >"$T/otherversion/pam_totp_pg.so"
# denied_by_plugin NAME DESC LOG: the right code is denied before any prompt
denied_by_plugin() {
	pg_enroll root
	local before=$(state root)
	check_login "$2: denied" PAM_SERVICE_ERR "$1" root "$(code)"
	check "  not prompted" test "$(grep -c '^prompt' "$T/last.log")" -eq 0
	check "  logged, naming the plugin's path" \
		logged "configuration error: PostgreSQL store plugin $T/$1/pam_totp_pg.so: $3"
	check_eq "  nothing written to the row" "$before" "$(state root)"
}
pg_enroll root
check_login "a copy of the module with the plugin beside it: accepted" PAM_SUCCESS copy root "$(code)"
denied_by_plugin missing "no plugin beside the module, db_unavailable=ignore" \
	"No such file or directory"
denied_by_plugin missing_nullok "no plugin beside the module, nullok" "No such file or directory"
denied_by_plugin groupw "a group-writable plugin" "refused: it must be a regular file owned by root"
denied_by_plugin otherw "a plugin writable by others" "refused: it must be a regular file owned by root"
denied_by_plugin notroot "a plugin not owned by root" "refused: it must be a regular file owned by root"
denied_by_plugin nosym "a library without the store's table" "no pam_totp_store_pg_v6 in it"
n=$(cmp -l "$PG_PLUGIN" "$T/otherversion/pam_totp_pg.so" | wc -l)
check "another build's plugin differs in the version string alone ($n bytes)" \
	test "$n" -ge 1 -a "$n" -le "${#version}"
denied_by_plugin otherversion "a plugin of another build" \
	"it is version $other, pam_totp.so is $version: install both from one build"
check_login "the module beside the plugin still accepts" PAM_SUCCESS a root "$(code)"

# ---- enrolment through totp-enroll writes the row ----
pg_admin "DELETE FROM pam_totp_records"
out=$("$ENROLL" --user root --conf "$ADMIN_CONF" --no-confirm --quiet --qr=none 2>&1)
check_eq "totp-enroll enrols into the database" 0 "$?"
enrolled_secret=$(sed -n 's/^otpauth:.*secret=\([A-Z2-7]*\).*/\1/p' <<<"$out")
check_login "its code is accepted on host A" PAM_SUCCESS a root "$(code 0 "$enrolled_secret")"
check_login "  and refused on host B" PAM_AUTH_ERR b root "$(code 0 "$enrolled_secret")"
rc=0; "$ENROLL" --user root --conf "$ADMIN_CONF" --no-confirm --quiet --qr=none >/dev/null 2>&1 || rc=$?
check_eq "enrolling again without --force: exit 3" 3 "$rc"
rc=0; "$ENROLL" --user root --conf "$HOST_A_CONF" --no-confirm --force --quiet --qr=none \
	>/dev/null 2>&1 || rc=$?
check_eq "the PAM role cannot enrol (no INSERT)" 1 "$rc"

# ---- import of file records ----
mkdir -p "$T/files"
pg_admin "DELETE FROM pam_totp_records"
new_record "$T/files/root" -r 3 -i 1000 >"$T/recovery"
check_login "file store: a code accepted" PAM_SUCCESS file root "$(code)"
check_login "file store: a wrong code counted" PAM_AUTH_ERR file root "$(wrong_code)"
cp "$T/files/root" "$T/files/before"
SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJRAAAAAAAA new_record "$T/files/other" -a SHA256 -d 8 -p 60
rc=0; "$ENROLL" --import --quiet --conf "$ADMIN_CONF" --secret-path "$T/files/%u" root \
	"nobody=$T/files/other" >"$T/import.out" 2>&1 || rc=$?
check_eq "--import of two records" 0 "$rc"
check_eq "  both rows are there" 2 "$(pg_value "SELECT count(*) FROM pam_totp_records")"
pg_psql "$ADMIN_DB" -c "SELECT record FROM pam_totp_records WHERE user_name = 'root'" |
	grep -v -e '^state_' -e '^$' >"$T/db_enrolment"
grep -v '^state_' "$T/files/before" >"$T/file_enrolment"
check "  every enrolment field carried over (secret, parameters, created, recovery)" \
	diff "$T/db_enrolment" "$T/file_enrolment"
file_state=$("$top_builddir/tests/shims/record_state" "$T/files/before")
db_state=$(pg_psql "$ADMIN_DB" -F ' ' -c "SELECT 'seq=' || seq, 'last=' || last_step, 'skew=' || skew,
	'failures=' || failures, 'locked=' || locked_until, 'resync=' || resync_step
	FROM pam_totp_records WHERE user_name = 'root'")
check_eq "  the state carried over" "${file_state% recovery=*}" "$db_state"
check_eq "  the other record's parameters carried over" "SHA256 8 60" "$(pg_psql "$ADMIN_DB" -c \
	"SELECT record FROM pam_totp_records WHERE user_name = 'nobody'" |
	sed -n 's/^\(algorithm\|digits\|period\)=//p' | tr '\n' ' ' | sed 's/ $//')"
check_login "after import: the code used on the file store is still refused" PAM_AUTH_ERR a root "$(code)"
check "  as a replay" logged "replayed code refused"
check_login "after import: the next code is accepted" PAM_SUCCESS b root "$(code 1)"
rc1=$(sed -n 1p "$T/recovery")
check_login "after import: a recovery code is accepted" PAM_SUCCESS a root "$rc1"
check "  two left" logged "recovery code used, 2 left"
check_login "  and refused the second time, on the other host" PAM_AUTH_ERR b root "$rc1"
check_eq "  the row keeps two recovery codes" 2 "$(pg_psql "$ADMIN_DB" -c "SELECT record FROM pam_totp_records
	WHERE user_name = 'root'" | sed -n 's/^recovery=//p' | tr ',' '\n' | grep -c .)"
new_record "$T/files/third"
rc=0; "$ENROLL" --import --quiet --conf "$ADMIN_CONF" "third=$T/files/third" \
	"root=$T/files/before" >"$T/import.out" 2>&1 || rc=$?
check_eq "importing a user already in the database: exit 3" 3 "$rc"
check "  naming the user" grep -q "root already has a row in pam_totp_records; nothing was imported" \
	"$T/import.out"
check_eq "  and nothing of that import was written" 0 \
	"$(pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = 'third'")"
rc=0; "$ENROLL" --import --quiet --conf "$ADMIN_CONF" "third=$T/files/third" \
	"third=$T/files/third" >"$T/import.out" 2>&1 || rc=$?
check_eq "a user twice in one import: exit 3, nothing written" "3 0" \
	"$rc $(pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = 'third'")"
rc=0; "$ENROLL" --import --quiet --conf "$ADMIN_CONF" "third=$T/files/missing" >/dev/null 2>&1 || rc=$?
check_eq "a missing record file: exit 1" 1 "$rc"
rc=0; "$ENROLL" --import --quiet --conf "$HOST_A_CONF" "third=$T/files/third" >/dev/null 2>&1 || rc=$?
check_eq "the PAM role cannot import" 1 "$rc"

# ---- the database stops, freezes, or holds the lock ----
# Most of this is waiting for db_timeout; under ASan the same code (a
# failed connect, a deadline, a statement timeout) runs in pam_pg_connect
# and pam_pg_stall, so the sanitizer build leaves it to the plain build.
outage_checks() {
	# timed_login (tests/lib/pg_env.sh) times pam_authenticate alone. The checks
	# of db_timeout itself (a frozen server, a held row lock) give the login
	# a short one and bound it with stall_bound_ms (tests/lib/tap.sh); every
	# other login here has the hosts' db_timeout=120, which none may need.
	make_service a_frozen "conf=$HOST_A_CONF db_timeout=3"
	# the connection and BEGIN must be made before the deadline for the
	# wait to be the row lock's: 10 s leaves that room on a loaded machine
	make_service a_locked "conf=$HOST_A_CONF db_timeout=10"
	pg_enroll root
	check_login "before the outage: accepted" PAM_SUCCESS a root "$(code)"
	used=$(code)
	# Logins of wrong codes, one after another, while the server stops and
	# comes back: the loop runs until told to stop; the stop and the start wait
	# for what the loop has seen, not for the clock.
	wrong=$(wrong_code)
	(
		while [ ! -e "$T/outage.done" ]; do
			timed_login patient root "$wrong"
			echo "$result $ms"
			if [ "$result" = PAM_AUTHINFO_UNAVAIL ]; then
				# no socket: unavailable; a server stopping or starting
				# answers "shutting down" / "starting up": reached
				if logged 'denied: database unavailable\|record error: database reached'
				then echo "reason-logged"
				else echo "other-reason $(grep 'SYSLOG' "$T/last.log" | tail -1)"; fi
			fi
		done >"$T/outage"
	) &
	loop=$!
	count() { grep -c "^$1 " "$T/outage"; }
	at_least() { [ "$(count "$1")" -ge "$2" ]; }
	wait_for 60 "wrong codes counted before the outage" at_least PAM_AUTH_ERR 2
	pg_stop
	wait_for 60 "logins denied during the outage" at_least PAM_AUTHINFO_UNAVAIL 3
	err_before=$(count PAM_AUTH_ERR)
	pg_start
	wait_for 60 "wrong codes counted after the outage" at_least PAM_AUTH_ERR $((err_before + 2))
	touch "$T/outage.done"
	wait "$loop"
	n_err=$(count PAM_AUTH_ERR)
	n_unavail=$(count PAM_AUTHINFO_UNAVAIL)
	n_total=$(grep -c '^PAM_' "$T/outage")
	check "during the outage: denied (PAM_AUTHINFO_UNAVAIL), $n_unavail of $n_total logins" \
		test "$n_unavail" -gt 0
	n_logged=$(grep -c '^reason-logged' "$T/outage")
	check "  each with its reason logged" test "$n_logged" -eq "$n_unavail"
	[ "$n_logged" -eq "$n_unavail" ] || grep '^other-reason' "$T/outage" | sed 's/^/#   /'
	check "  before and after it: wrong codes counted ($n_err)" test "$n_err" -gt 0
	check_eq "  no other result" "$n_total" "$((n_err + n_unavail))"
	# a server stopped, stopping or starting answers at once (no socket, or
	# "shutting down" / "starting up"): a login that waited on it instead
	# would take its db_timeout=120 s; 60 s is room for a loaded machine
	slowest=$(awk '{ print $2 }' "$T/outage" | sort -n | tail -1)
	check "  none waited for db_timeout=120 (slowest ${slowest} ms)" test "$slowest" -lt 60000
	check_eq "  nothing lost: every counted failure is in the row" "$n_err" \
		"$(state root | cut -d' ' -f2)"
	check_login "after the outage: the code used before it is still refused" PAM_AUTH_ERR a root "$used"
	check_login "after the outage: the next code is accepted" PAM_SUCCESS b root "$(code 1)"

	pg_stop
	timed_login a root "$(code 2)"
	check_eq "server down: denied" PAM_AUTHINFO_UNAVAIL "$result"
	check "  logged with the reason" logged "denied: database unavailable: connection to server on socket"
	timed_login a_ignore root "$(code 2)"
	check_eq "server down, db_unavailable=ignore: the stack decides" PAM_SUCCESS "$result"
	check "  logged as such" logged "db_unavailable=ignore: the stack decides"
	pg_start

	# a frozen server accepts and never answers: without the deadline the
	# login would wait until the thaw, which comes after it
	pg_freeze
	timed_login a_frozen root "$(code 2)"
	pg_thaw
	check_eq "server frozen: denied" PAM_AUTHINFO_UNAVAIL "$result"
	check "  by db_timeout=3 (took $ms ms, bound $(stall_bound_ms 3))" \
		test "$ms" -ge 2500 -a "$ms" -lt "$(stall_bound_ms 3)"
	# the socket connects (the kernel's backlog): reached, not an outage
	check "  logged with the reason" logged "record error: database reached .*connected, and no answer within 3 s"

	# another session holds the row lock longer than db_timeout: it takes the
	# lock, then sleeps (600 s, what the login would wait without the
	# statement timeout) until it is ended below; the login starts once the
	# server shows the lock taken
	pg_enroll root
	pg_psql "$ADMIN_DB" -c "BEGIN; SELECT 1 FROM pam_totp_records WHERE user_name = 'root' FOR UPDATE;
		SELECT pg_sleep(600); COMMIT;" >/dev/null 2>&1 &
	holder=$!
	holder_sleeps() {
		[ "$(pg_value "SELECT count(*) FROM pg_stat_activity
			WHERE query LIKE '%pg_sleep(600)%' AND wait_event = 'PgSleep'")" = 1 ]
	}
	wait_for 60 "row lock taken by the other session" holder_sleeps
	timed_login a_locked root "$(code)"
	check_eq "row locked too long: denied" PAM_AUTHINFO_UNAVAIL "$result"
	check "  by db_timeout=10 (took $ms ms, bound $(stall_bound_ms 10))" \
		test "$ms" -ge 9000 -a "$ms" -lt "$(stall_bound_ms 10)"
	check "  logged: the statement timed out" logged "record error: database reached .*ERROR: canceling statement due to statement timeout"
	pg_value "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query LIKE '%pg_sleep(600)%' AND pid <> pg_backend_pid()" >/dev/null
	wait "$holder"
	check_login "the lock released: the same code is accepted" PAM_SUCCESS a root "$(code)"

}
if in_sanitizer_build; then
	echo "# sanitizer build: the outage, freeze and lock-wait checks run in the plain build"
else
	outage_checks
fi

tap_done
