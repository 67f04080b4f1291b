#!/bin/bash
# totp-admin unlock, remove and reset racing 32 logins of the same user on the
# PostgreSQL store (tests/lib/admin_race_lib.sh has the rounds): the row lock
# orders them; no lost write, no code accepted twice, a valid row after.
. "$top_srcdir/tests/lib/tap.sh"
# rounds of each kind: tests/lib/tap.sh's repeat_count; ADMIN_RACE_ROUNDS overrides
ROUNDS=${ADMIN_RACE_ROUNDS:-$(repeat_count 3 1 20)}
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/pg_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"
. "$top_srcdir/tests/lib/admin_race_lib.sh"

policy='max_failures=100\nfailure_ceiling=100\n'
printf "$policy" >>"$HOST_A_CONF"
# 33 transactions queue on one row lock on a machine that may be busy:
# the hosts' db_timeout=120 (tests/lib/pg_env.sh) is far more than a queue
# that long needs (a login that ran out of it would be refused, write
# nothing, and fail the round)
printf "$policy" >>"$ADMIN_CONF"
RACE_CONF=$HOST_A_CONF        # the logins: the PAM role
RACE_ADMIN_CONF=$ADMIN_CONF   # totp-admin: the owner of the tables
make_service race "conf=$RACE_CONF"
fresh() { pg_enroll root "$@"; }
field() { pg_value "SELECT $1 FROM pam_totp_records WHERE user_name = 'root'"; }
present() { [ "$(pg_value "SELECT count(*) FROM pam_totp_records WHERE user_name = 'root'")" = 1 ]; }

rounds "$ROUNDS" round_unlock_code \
	"unlock and $RACERS logins with one code at the ceiling: %s rounds with at most one success, both writes kept"
rounds "$ROUNDS" round_unlock_wrong \
	"unlock and $RACERS wrong codes: %s rounds where every failure is either cleared or still counted"
rounds "$ROUNDS" round_remove \
	"remove and $RACERS logins with one code: %s rounds with at most one success, no record error, a tombstone after"
rounds "$ROUNDS" round_reset \
	"reset and $RACERS logins with one code: %s rounds with at most one success, no record error, the row gone"
check_eq "no connection left behind" 0 \
	"$(pg_value "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pam_totp'")"

tap_done
