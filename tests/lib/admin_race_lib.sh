# totp-admin racing logins: the rounds shared by tests/admin_race.sh (file
# store) and tests/admin_pg_race.sh (PostgreSQL store). Source after
# tests/lib/admin_env.sh; the test defines, for user root on its store:
#   fresh [make_record options]  a new record with $SECRET
#   field NAME                   seq, failures, last_step of the record
#   present                      whether the record exists
#   RACE_CONF                    the config of the racers' service "race"
#                                and of totp-admin (unless RACE_ADMIN_CONF)
# Each round releases $RACERS logins and one totp-admin command together:
# all wait at a barrier (a FIFO they open for reading, tests/shims/pam_login.c)
# that the test opens once every one of them has written its byte into
# the FIFO ready. No sleeps.
RACERS=32
RACER_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$SYSLOG_SHIM"

# race ANSWER ADMIN-ARGS...: outputs in $T/race/1..N and $T/race/admin
race() {
	local answer=$1 i; shift
	rm -rf "$T/race" "$T/barrier" && mkdir "$T/race" "$T/barrier" &&
		mkfifo "$T/barrier/go" "$T/barrier/ready"
	# held open both ways (never blocks), so each one's "ready" byte lands
	# here whenever it comes
	exec 4<>"$T/barrier/ready"
	for i in $(seq "$RACERS"); do
		LD_PRELOAD="$RACER_PRELOAD" "$PAM_LOGIN" -d "$T/pam" -b "$T/barrier" \
			race root "$answer" >"$T/race/$i" 2>&1 &
	done
	# the administrator at the same barrier: says ready, then opening the
	# FIFO blocks until the release, then the shell becomes totp-admin
	(
		printf a >"$T/barrier/ready"
		exec 4<"$T/barrier/go"
		LD_PRELOAD="$SYSLOG_SHIM" exec "$ADMIN" --conf "${RACE_ADMIN_CONF:-$RACE_CONF}" "$@"
	) >"$T/race/admin" 2>&1 </dev/null &
	# released together once every one is waiting (a deadline, in case one
	# died on the way)
	read -r -t 120 -N $((RACERS + 1)) -u 4 _ || bail "racers never all reached the barrier"
	# held open (read-write: never blocks) until all are done
	exec 3<>"$T/barrier/go"
	wait
	exec 3>&- 4>&-
	n_success=$(grep -l '^result: PAM_SUCCESS$' "$T/race/"[0-9]* | wc -l)
	n_autherr=$(grep -l '^result: PAM_AUTH_ERR$' "$T/race/"[0-9]* | wc -l)
	n_replay=$(grep -l 'replayed code refused' "$T/race/"[0-9]* | wc -l)
	n_disabled=$(grep -l 'disabled after' "$T/race/"[0-9]* | wc -l)
	n_unavail=$(grep -l '^result: PAM_AUTHINFO_UNAVAIL$' "$T/race/"[0-9]* | wc -l)
	admin_out=$(grep -v '^SYSLOG' "$T/race/admin")
}

bad_rounds=0
show_round() {
	bad_rounds=$((bad_rounds + 1))
	[ "$bad_rounds" -gt 5 ] && return
	echo "# round $1: $2"
	echo "#   results: $(sed -n 's/^result: //p' "$T/race/"[0-9]* | sort | uniq -c | tr -s ' \n' ' ')"
	echo "#   refusals: $(grep -h 'SYSLOG' "$T/race/"[0-9]* | sed 's/.*SYSLOG([0-9]*): //; s/([0-9]* consecutive.*//' | sort | uniq -c | head -4 | tr -s ' \n' ' ')"
	echo "#   admin: $(tr '\n' ' ' <"$T/race/admin")"
}

# rounds N ROUND DESCRIPTION: N times ROUND (a function: 0 when the round
# went right, else why in $why); one TAP line
rounds() {
	local n=$1 fn=$2 desc=$3 r good=0
	bad_rounds=0
	spread=
	for r in $(seq "$n"); do
		if "$fn"; then good=$((good + 1)); else show_round "$r" "$why"; fi
	done
	# how the administrator fell among the logins: rounds that always
	# put it first or last would show no race at all
	echo "# $fn: $(tr ' ' '\n' <<<"$spread" | grep . | sort -V | uniq -c | tr -s ' \n' ' ')"
	# shellcheck disable=SC2059
	check_eq "$(printf "$desc" "$good/$n")" "$n" "$good"
}

# ---- unlock against one valid code, the record at the failure ceiling:
# before the unlock every racer is refused unchecked; after it the first
# is accepted and the rest are replays. Never two successes; the unlock's
# write and the login's both land (seq counts them). ----
round_unlock_code() {
	local seq0 c
	fresh -s 100 >/dev/null || { why="fresh record failed"; return 1; }
	seq0=$(field seq)
	c=$(code)
	race "$c" unlock root
	spread+=" refused-before-unlock=$n_disabled"
	why="$n_success accepted, $n_replay replays, $n_disabled refused disabled; admin: $admin_out"
	[ "$n_success" -le 1 ] && [ $((n_success + n_replay + n_disabled)) -eq "$RACERS" ] &&
		grep -q '^root unlocked (100 failures cleared)' <<<"$admin_out" || return 1
	why="seq moved by $(($(field seq) - seq0)), $n_success success(es) + 1 unlock"
	[ $(($(field seq) - seq0)) -eq $((n_success + 1)) ] || return 1
	why="failures $(field failures) after the round"
	[ "$(field failures)" = 0 ] || return 1
	login race root "$c"
	why="the raced code afterwards: $result"
	if [ "$n_success" -eq 1 ]; then
		[ "$result" = PAM_AUTH_ERR ] && logged 'replayed code refused'
	else
		[ "$result" = PAM_SUCCESS ]  # the unlock came last: the code is still fresh
	fi
}

# ---- unlock against 32 wrong codes: every wrong code is counted, before
# the unlock (then cleared by it) or after (then still in the record) ----
round_unlock_wrong() {
	local seq0 cleared after
	fresh >/dev/null || { why="fresh record failed"; return 1; }
	seq0=$(field seq)
	race "$(wrong_code)" unlock root
	cleared=$(sed -n 's/^root unlocked (\([0-9]*\) failures cleared)$/\1/p' <<<"$admin_out")
	grep -q '^root is not locked' <<<"$admin_out" && cleared=0
	after=$(field failures)
	spread+=" cleared=$cleared"
	why="$n_autherr refused, $cleared cleared by the unlock, $after left; admin: $admin_out"
	[ "$n_autherr" -eq "$RACERS" ] && [ -n "$cleared" ] &&
		[ $((cleared + after)) -eq "$RACERS" ] || return 1
	why="seq moved by $(($(field seq) - seq0)) for $RACERS failures and an unlock of $cleared"
	[ $(($(field seq) - seq0)) -eq $((RACERS + (cleared > 0 ? 1 : 0))) ]
}

# race_admin_code COMMAND REFUSAL SAID: a fresh record, whose valid code
# $RACERS logins race with totp-admin COMMAND --yes root (the code in $c).
# Right when at most one login succeeded, each of the others was a replay
# or logged REFUSAL, never a record error, and totp-admin said SAID.
race_admin_code() {
	local cmd=$1 refusal=$2 said=$3 n_refused
	fresh >/dev/null || { why="fresh record failed"; return 1; }
	c=$(code)
	race "$c" "$cmd" --yes root
	n_refused=$(grep -l "$refusal" "$T/race/"[0-9]* | wc -l)
	spread+=" logins-before-$cmd=$((n_success + n_replay))"
	why="$n_success accepted, $n_replay replays, $n_refused $refusal; admin: $admin_out"
	[ "$n_success" -le 1 ] && [ $((n_success + n_replay + n_refused)) -eq "$RACERS" ] &&
		grep -q "^root: $said" <<<"$admin_out"
}

# ---- remove against one valid code: at most one success, the others
# replays or denied as removed; a tombstone in the record's place after ----
round_remove() {
	local c
	race_admin_code remove 'removed by an administrator' 'enrolment removed' || return 1
	admin --conf "${RACE_ADMIN_CONF:-$RACE_CONF}" status root --json
	why="not a tombstone after the round: exit $admin_rc, $(cat "$T/admin.out" "$T/admin.err")"
	[ "$admin_rc" = 3 ] && [ "$(json_get "$T/admin.out" "d['state']")" = removed ] || return 1
	login race root "$c"
	why="the raced code afterwards: $result"
	[ "$result" = PAM_AUTH_ERR ] && logged 'removed by an administrator'
}

# ---- reset against one valid code: at most one success, the others
# replays or not enrolled; the record gone after ----
round_reset() {
	local c
	race_admin_code reset 'not enrolled' reset || return 1
	why="the record is still there"
	! present || return 1
	login race root "$c"
	why="the raced code afterwards: $result"
	[ "$result" = PAM_AUTH_ERR ] && logged 'not enrolled'
}
