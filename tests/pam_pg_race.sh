#!/bin/bash
# The database store under a race: 32 logins with one code, half through
# host A's configuration and half through host B's, released together
# (pam_login -s), round after round, each on a fresh row. Exactly one succeeds in
# every round; every other racer is refused as a replay. The row lock makes
# the fleet one record, as flock makes one host one.
#
# The number of rounds: tests/lib/tap.sh's repeat_count; PG_RACE_ROUNDS
# overrides it.
RACERS=32
. "$top_srcdir/tests/lib/tap.sh"
ROUNDS=${PG_RACE_ROUNDS:-$(repeat_count 8 2 200)}
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/pg_env.sh"

make_service a "conf=$HOST_A_CONF"
make_service b "conf=$HOST_B_CONF"

# One round: a fresh row, one code, $RACERS logins released together.
# The racers read the service files with pam_start_confdir (pam_login -d),
# not through pam_wrapper: 32 processes starting at once would collide in
# pam_wrapper's one-letter /tmp/pam.X directories. Their log lines then go
# to syslog, so a replay is told by the row: a replay changes nothing,
# while a wrong code would count a failure and any success writes the row.
# Sets n_success, n_autherr, writes (seq after - seq before), failures.
round() {
	local c start i seq0
	pg_admin "UPDATE pam_totp_records SET last_step = -1, failures = 0, locked_until = 0,
		resync_step = -1, seq = seq + 1 WHERE user_name = 'root'" || return 1
	seq0=$(row seq)
	c=$(code)
	rm -rf "$T/race" && mkdir "$T/race"
	start=$(($(date +%s%N) + 200000000))
	for i in $(seq "$RACERS"); do
		"$PAM_LOGIN" -d "$T/pam" -s "$start" "$([ $((i % 2)) -eq 0 ] && echo a || echo b)" \
			root "$c" >"$T/race/$i" 2>&1 &
	done
	wait
	n_success=$(grep -l '^result: PAM_SUCCESS$' "$T/race/"* | wc -l)
	n_autherr=$(grep -l '^result: PAM_AUTH_ERR$' "$T/race/"* | wc -l)
	writes=$(($(row seq) - seq0))
	failures=$(row failures)
}
row() { pg_value "SELECT $1 FROM pam_totp_records WHERE user_name = 'root'"; }

pg_enroll root
bad_rounds=0
t0=$(date +%s)
for r in $(seq "$ROUNDS"); do
	round
	if [ "$n_success" -ne 1 ] || [ "$n_autherr" -ne $((RACERS - 1)) ] ||
		[ "$writes" -ne 1 ] || [ "$failures" -ne 0 ]; then
		bad_rounds=$((bad_rounds + 1))
		echo "# round $r: $n_success accepted, $n_autherr refused, $writes writes, $failures failures"
		grep -h '^result' "$T/race/"* | sort | uniq -c | sed 's/^/#   /'
	fi
done
elapsed=$(($(date +%s) - t0))
check_eq "$ROUNDS rounds of $RACERS racers over two hosts: one success and $((RACERS - 1)) replays each (${elapsed} s)" \
	0 "$bad_rounds"
check_eq "no connection left behind" 0 \
	"$(pg_value "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pam_totp'")"

tap_done
