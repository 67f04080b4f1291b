#!/bin/bash
# Races through the real libpam: 32 logins released together (pam_login -b)
# on one record. One valid code: exactly one success, every other racer a
# logged replay, and the code never accepted again. One recovery code: the
# same, the other recovery code intact and every loser counted. Wrong codes:
# every one counted, so parallel connections cannot dodge the lock-out.
#
# Each round is on a fresh record, so a step boundary mid-round is harmless:
# the code stays inside the window. A round costs ~0.3 s of CPU (32
# processes); the counts are repeat_count's (tests/lib/tap.sh): the plain
# suite's fit its time budget, PAM_TOTP_SOAK=1 runs 630 rounds (~3 min
# idle). The racers run the real libpam with pam_start_confdir
# (pam_login -d) and a syslog shim (tests/shims/syslog_shim.c) for the log
# lines; each waits at a barrier (a FIFO it opens for reading) and the
# test opens it for writing once all 32 are there, so they are released
# at one moment.
RACERS=32
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pam_env.sh"
CODE_ROUNDS=$(repeat_count 30 5 500)
RECOVERY_ROUNDS=$(repeat_count 8 2 100)
WRONG_ROUNDS=$(repeat_count 5 1 20)
LOCKOUT_ROUNDS=$(repeat_count 3 1 10)

REC="$T/root.rec"
# lock_timeout: 32 racers queue on one flock on a machine that may be
# busy (the default 10 s ran out at load average 20); 120 s is far more
# than they need, so no racer is turned away by it
make_service otp "secret=$T/%u.rec lock_timeout=120"
make_service patient "secret=$T/%u.rec max_failures=100 lock_timeout=120"
make_service strict "secret=$T/%u.rec max_failures=5 lock_timeout=120"

# state_of FILE: the newest valid-looking state slot as
# "SEQ LAST SKEW FAILURES LOCKED_UNTIL" (lib/record.h has the layout)
state_of() {
	sed -n '2,3p' "$1" | awk -F'[=:]' '
		$2 + 0 >= best { best = $2 + 0; out = ($2 + 0) " " ($3 + 0) " " ($4 + 0) " " ($5 + 0) " " ($6 + 0) }
		END { print out }'
}
failures_of() { state_of "$1" | cut -d' ' -f4; }
recovery_left() { sed -n 's/^recovery=//p' "$1" | tr ',' '\n' | grep -c .; }

# A code no step within 12 of now (window and max_skew of every service
# here) could take: a wrong code that can never be a replay or a re-sync.
wrong_code() {
	local near c
	near=$(oathtool --totp -b -w 24 -N "@$(($(test_now) - 12 * 30))" "$SECRET")
	for c in 000000 111111 222222 333333 444444 555555 666666 777777 888888 999999; do
		grep -qx "$c" <<<"$near" || { echo "$c"; return; }
	done
}

# Round set-ups: a fresh record, and what all racers answer
fresh_code() { new_record "$REC"; answer=$(code); }
fresh_wrong() { new_record "$REC"; answer=$(wrong_code); }
fresh_recovery() {
	local codes
	rm -f "$REC"
	codes=$("$MAKE_RECORD" -r 2 -i 1000 "$REC" "$SECRET")
	rc1=$(sed -n 1p <<<"$codes") rc2=$(sed -n 2p <<<"$codes")
	answer=$rc1
}

# race SETUP SERVICE: run SETUP (it makes a fresh record and sets $answer),
# then $RACERS logins of $answer released together; their outputs in
# $T/race/1..N, the results counted in $n_success and $n_autherr.
# Fails (1) when pam_wrapper itself broke the round: a process outside
# this test, not using the lock, took the same /tmp/pam.X. Such a round
# says nothing about the module; race_again runs it again, from SETUP.
barrier_timeouts=0
redone=0
# The racers use pam_start_confdir on our service directory, not pam_wrapper
# (whose set-up has to be taken in turns: ~20 ms a racer); the syslog shim
# prints the module's log lines to stderr in pam_wrapper's format.
SYSLOG_SHIM="$top_builddir/tests/shims/.libs/libsyslogshim.so"
[ -f "$SYSLOG_SHIM" ] || bail "$SYSLOG_SHIM not built"
RACER_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$SYSLOG_SHIM"
race() {
	local setup=$1 svc=$2 i
	"$setup"
	rm -rf "$T/race" "$T/barrier" && mkdir "$T/race" "$T/barrier" &&
		mkfifo "$T/barrier/go" "$T/barrier/ready"
	# held open both ways (never blocks), so each racer's "ready" byte
	# lands here whenever it comes
	exec 4<>"$T/barrier/ready"
	for i in $(seq "$RACERS"); do
		LD_PRELOAD="$RACER_PRELOAD" "$PAM_LOGIN" -d "$T/pam" -b "$T/barrier" \
			"$svc" root "$answer" >"$T/race/$i" 2>&1 &
	done
	# release them together once every one is set up and waiting at the
	# barrier (a deadline, in case one died on the way)
	read -r -t 120 -N "$RACERS" -u 4 _ || barrier_timeouts=$((barrier_timeouts + 1))
	# held open (read-write: never blocks) until all are done, so a racer
	# still on its way to the barrier cannot miss the release
	exec 3<>"$T/barrier/go"
	wait
	exec 3>&- 4>&-
	if grep -lq -e 'PWRAP_ERROR.*pwrap_init' -e '^result: pam_start failed' \
		-e 'no default config' "$T/race/"*; then
		grep -h -e PWRAP_ERROR -e '^result: pam_start' "$T/race/"* | sort | uniq -c |
			head -3 | sed 's/^/# pam_wrapper: /'
		return 1
	fi
	n_success=$(grep -l '^result: PAM_SUCCESS$' "$T/race/"* | wc -l)
	n_autherr=$(grep -l '^result: PAM_AUTH_ERR$' "$T/race/"* | wc -l)
}

race_again() {
	local tries=0
	until race "$@"; do
		redone=$((redone + 1))
		[ $((tries += 1)) -lt 5 ] || bail "pam_wrapper failed 5 times in a row"
	done
}

# show_round ROUND WHY: diagnostics for a failing round
bad_rounds=0
show_round() {
	bad_rounds=$((bad_rounds + 1))
	[ "$bad_rounds" -gt 5 ] && return
	echo "# round $1: $2"
	echo "#   results: $(sed -n 's/^result: //p' "$T/race/"* | sort | uniq -c | tr -s ' \n' ' ')"
	echo "#   record: $(state_of "$REC")"
	grep -h 'SYSLOG' "$T/race/"* | sed 's/.*SYSLOG([0-9]*): //' | sort | uniq -c | head -5 |
		sed 's/^/#   /'
}

race_summary() {
	echo "# release: $barrier_timeouts rounds released before every racer was ready;" \
		"$redone rounds run again after a pam_wrapper failure"
	barrier_timeouts=0 redone=0 bad_rounds=0
}

# rounds N SETUP SERVICE JUDGE DESCRIPTION: N races; the function JUDGE
# says whether a round went right (else why, in $why); one TAP line for
# all N (DESCRIPTION with %s for the count of good rounds)
rounds() {
	local n=$1 setup=$2 svc=$3 judge=$4 desc=$5 round good=0
	for round in $(seq "$n"); do
		race_again "$setup" "$svc"
		if "$judge"; then good=$((good + 1)); else show_round "$round" "$why"; fi
	done
	race_summary
	# shellcheck disable=SC2059
	check_eq "$(printf "$desc" "$good/$n")" "$n" "$good"
}

# ---- one valid TOTP code ----
judge_code() {
	local replays
	replays=$(grep -l 'replayed code refused' "$T/race/"* | wc -l)
	why="$n_success successes, $n_autherr PAM_AUTH_ERR, $replays replays logged"
	[ "$n_success" -eq 1 ] && [ "$n_autherr" -eq $((RACERS - 1)) ] &&
		[ "$replays" -eq $((RACERS - 1)) ] || return 1
	login otp root "$answer"
	why="the raced code afterwards: $result"
	[ "$result" = PAM_AUTH_ERR ] && logged 'replayed code refused'
}
rounds "$CODE_ROUNDS" fresh_code otp judge_code \
	"one code, $RACERS racers: %s rounds with exactly one success, the rest logged replays, the code refused afterwards"

# ---- one recovery code ----
judge_recovery() {
	local wrong
	wrong=$(grep -l 'wrong code' "$T/race/"* | wc -l)
	why="$n_success successes, $n_autherr PAM_AUTH_ERR, $wrong logged as wrong"
	[ "$n_success" -eq 1 ] && [ "$n_autherr" -eq $((RACERS - 1)) ] &&
		grep -q 'recovery code used, 1 left' "$T/race/"* &&
		[ "$wrong" -eq $((RACERS - 1)) ] || return 1
	# every loser came after the rename, on the new file: all counted
	why="record holds $(recovery_left "$REC") recovery codes, $(failures_of "$REC") failures"
	[ "$(recovery_left "$REC")" = 1 ] && [ "$(failures_of "$REC")" = $((RACERS - 1)) ] || return 1
	login patient root "$rc1"
	why="the raced recovery code afterwards: $result"
	[ "$result" = PAM_AUTH_ERR ] || return 1
	login patient root "$rc2"
	why="the other recovery code afterwards: $result"
	[ "$result" = PAM_SUCCESS ] && logged 'recovery code used, 0 left'
}
rounds "$RECOVERY_ROUNDS" fresh_recovery patient judge_recovery \
	"one recovery code, $RACERS racers: %s rounds with exactly one success, every loser counted, the other code intact"

# ---- wrong codes: every one counted ----
want_counts=$(seq "$RACERS" | tr '\n' ' ')
judge_wrong() {
	local counts
	counts=$(sed -n 's/.*wrong code (\([0-9]*\) consecutive failures).*/\1/p' "$T/race/"* |
		sort -n | tr '\n' ' ')
	why="$n_autherr PAM_AUTH_ERR, counts logged: $counts"
	[ "$n_autherr" -eq "$RACERS" ] && [ "$counts" = "$want_counts" ] &&
		[ "$(failures_of "$REC")" = "$RACERS" ]
}
rounds "$WRONG_ROUNDS" fresh_wrong patient judge_wrong \
	"$RACERS wrong codes at once: %s rounds counted 1..$RACERS, record holds $RACERS failures"

# ---- the lock-out holds against parallel guesses ----
# max_failures=5: exactly 5 guesses are checked, the other racers are
# turned away unchecked by the lock-out the 5th started.
judge_lockout() {
	local checked locked
	checked=$(grep -l 'wrong code (' "$T/race/"* | wc -l)
	locked=$(grep -l 'locked out until' "$T/race/"* | wc -l)
	why="$checked codes checked, $locked turned away locked"
	[ "$n_autherr" -eq "$RACERS" ] && [ "$checked" -eq 5 ] &&
		[ "$locked" -eq $((RACERS - 5)) ] && [ "$(failures_of "$REC")" = 5 ] &&
		grep -q 'wrong code (5 consecutive failures), locked until' "$T/race/"*
}
rounds "$LOCKOUT_ROUNDS" fresh_wrong strict judge_lockout \
	"$RACERS guesses at once with max_failures=5: %s rounds checked exactly 5, locked out the rest"

tap_done
