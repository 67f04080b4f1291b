#!/bin/bash
# totp-admin unlock, remove and reset racing 32 logins of the same user on
# the file store (tests/lib/admin_race_lib.sh has the rounds): no lost write, no code
# accepted twice, a valid record afterwards, no temporary file left.
. "$top_srcdir/tests/lib/tap.sh"
# rounds of each kind: tests/lib/tap.sh's repeat_count; ADMIN_RACE_ROUNDS overrides
ROUNDS=${ADMIN_RACE_ROUNDS:-$(repeat_count 3 1 20)}
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"
. "$top_srcdir/tests/lib/admin_race_lib.sh"

mkdir -m 700 "$T/store"
REC="$T/store/root"
RACE_CONF="$T/race.conf"
# lock_timeout: 33 processes queue on one flock on a machine that may be
# busy; 120 s is far more than they need (a login that ran out of it would
# be refused and fail the round: no verdict may hang on that)
printf 'secret=%s/store/%%u\nmax_failures=100\nfailure_ceiling=100\nlock_timeout=120\n' "$T" >"$RACE_CONF"
make_service race "conf=$RACE_CONF"
fresh() { rm -f "$REC"; "$MAKE_RECORD" "$@" "$REC" "$SECRET"; }
field() { record_field "$REC" "$([ "$1" = last_step ] && echo last || echo "$1")"; }
present() { [ -e "$REC" ]; }

rounds "$ROUNDS" round_unlock_code \
	"unlock and $RACERS logins with one code at the ceiling: %s rounds with at most one success, both writes kept"
rounds "$ROUNDS" round_unlock_wrong \
	"unlock and $RACERS wrong codes: %s rounds where every failure is either cleared or still counted"
valid() { "$RECORD_STATE" "$REC" >/dev/null; }
check "the record is valid after the rounds" valid
rounds "$ROUNDS" round_remove \
	"remove and $RACERS logins with one code: %s rounds with at most one success, no record error, a tombstone after"
rounds "$ROUNDS" round_reset \
	"reset and $RACERS logins with one code: %s rounds with at most one success, no record error, the record gone"
check_eq "no temporary file left in the store" "" "$(ls "$T/store")"

tap_done
