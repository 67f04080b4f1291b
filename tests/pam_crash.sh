#!/bin/bash
# Crashes: kill -9 an update loop (tests/shims/update_loop.c, the real file store)
# at a random moment, KILLS times. After every kill the record opens and
# parses, holds the same secret, and its last step is the one the loop last
# reported stored or the one after (never older). Every KILL_LOGIN_EVERY
# kills, and at the end, a real login works on the record as the crash
# left it, temporary files of interrupted rewrites and all. Then torn slots
# written by hand: one falls back to the other slot and the next login
# repairs it; both torn deny without touching the record.
#
# A kill costs ~30 ms (0-30 ms of loop); under ASan ~100 ms. One update
# in REWRITE_EVERY is a whole-record rewrite, so kills also land between
# its temporary file and its rename (~40% of kills left one behind).
REWRITE_EVERY=5
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pam_env.sh"
# how many kills: tests/lib/tap.sh's repeat_count
KILLS=$(repeat_count 100 20 1000)
KILL_LOGIN_EVERY=$(repeat_count 50 10 100)
UPDATE_LOOP="$top_builddir/tests/shims/update_loop"

mkdir -m 700 "$T/store" "$T/copy"
REC="$T/store/root"
make_service otp "secret=$T/store/%u"
make_service copy "secret=$T/copy/%u"
new_record "$REC"
PROGRESS="$T/progress"
echo -1 >"$PROGRESS"

# login_on_copy: a real login on a copy of the store as the crash left it
# (logging in on the record itself would move its last step to now, and
# the loop would then carry it on into the future)
login_on_copy() {
	rm -rf "$T/copy" && cp -a "$T/store" "$T/copy"
	login copy root "$(code)"
}

# Each loop says on fd 3 (a FIFO this shell holds open both ways, so
# neither side can block on opening it) when its first update is stored;
# the kill comes a random 0-30 ms after that.
mkfifo "$T/ready"
exec 3<>"$T/ready"
bad=0 moved=0 copy_logins=0 copy_ok=0 not_ready=0
last=-1   # the record's last step after the previous kill
# at least KILLS kills, and on until one has left a rewrite's temporary
# file behind (what the login after them must cope with): at a few dozen
# kills, as in the sanitizer build, none may have landed there yet
tmp_left() { [ -n "$(find "$T/store" -name 'root.tmp.*' -print -quit)" ]; }
k=0
while [ "$k" -lt "$KILLS" ] || { ! tmp_left && [ "$k" -lt $((KILLS * 10)) ]; }; do
	k=$((k + 1))
	"$UPDATE_LOOP" run "$REC" "$PROGRESS" "$REWRITE_EVERY" 3 &
	pid=$!
	if ! read -r -t 60 -N 1 -u 3 _; then
		not_ready=$((not_ready + 1))
		[ "$not_ready" -le 5 ] && echo "# kill $k: the loop stored nothing in 60 s"
	fi
	sleep "0.0$(printf '%02d' $((RANDOM % 31)))" # not sync: where in the loop the kill lands
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	if ! out=$("$UPDATE_LOOP" check "$REC" "$SECRET" "$PROGRESS" 2>&1); then
		bad=$((bad + 1))
		[ "$bad" -le 5 ] && echo "# kill $k: $(tr '\n' ' ' <<<"$out")"
	fi
	now=$(sed -n 's/^last_step=\(-*[0-9]*\) .*/\1/p' <<<"$out")
	[ -n "$now" ] && [ "$now" -gt "$last" ] && moved=$((moved + 1))
	last=${now:-$last}
	if [ $((k % KILL_LOGIN_EVERY)) -eq 0 ]; then
		login_on_copy
		copy_logins=$((copy_logins + 1))
		if [ "$result" = PAM_SUCCESS ]; then copy_ok=$((copy_ok + 1)); else
			echo "# kill $k: login on the crashed record: $result"
			grep SYSLOG "$T/last.log" | sed 's/^/#   /'
		fi
	fi
done
KILLS=$k
tmps=$(find "$T/store" -name 'root.tmp.*' | wc -l)
echo "# $moved of $KILLS runs stored something before the kill; $tmps temporary files left by killed rewrites; last step $last"
check_eq "$KILLS kills mid-update: the record always parses, keeps its secret, its last step never goes back" 0 "$bad"
check_eq "every loop stored an update before its kill" 0 "$not_ready"
check_eq "so the record moved on at every kill" "$KILLS" "$moved"
check_eq "$copy_logins logins on the record as crashes left it" "$copy_logins" "$copy_ok"
check "killed rewrites left temporary files to test with" test "$tmps" -gt 0
check_login "a login on the crashed record itself, temporary files beside it" PAM_SUCCESS otp root "$(code)"
check "the login is the record's newest state" \
	sh -c "'$UPDATE_LOOP' check '$REC' '$SECRET' | grep -q \"^last_step=$(($(test_now) / 30))\""

# ---- torn slots ----
SLOT_LEN=115
slot_offset() { echo $((11 + $1 * SLOT_LEN)); }
# newest_slot: 0 (A) or 1 (B), as the store reads it
newest_slot() { "$UPDATE_LOOP" check "$REC" "$SECRET" | sed -n 's/.* slot=\([01]\) .*/\1/p'; }
slots_valid() { "$UPDATE_LOOP" check "$REC" "$SECRET" | sed -n 's/.*slots_valid=\([0-9]\).*/\1/p'; }
# tear SLOT HALF BYTES: overwrite the first (0) or second (1) half of a
# slot with the given bytes (printf format), as a write cut short would
tear() {
	local off
	off=$(($(slot_offset "$1") + $2 * 57))
	printf "$3" | head -c 57 | dd of="$REC" bs=1 seek="$off" conv=notrunc status=none
}
garbage=$(printf 'x%.0s' $(seq 57))
zeros=$(printf '\\0%.0s' $(seq 57))

for spec in "0 $garbage first-half-garbage" "1 $garbage second-half-garbage" "0 $zeros NUL-bytes"; do
	set -- $spec
	half=$1 bytes=$2 name=$3
	new_record "$REC"
	login otp root "$(code -1)"        # stored in slot B, seq 1
	s=$(newest_slot)
	tear "$s" "$half" "$bytes"
	check_eq "$name over the newest slot: the other one is read" "$((1 - s)) 1" \
		"$(newest_slot) $(( $(slots_valid) == (1 << (1 - s)) ))"
	check_login "$name: a login still works on the older slot" PAM_SUCCESS otp root "$(code)"
	check_eq "$name: the login repaired the torn slot" 3 "$(slots_valid)"
	check_login "$name: the code is not accepted again" PAM_AUTH_ERR otp root "$(code)"
done

new_record "$REC"
login otp root "$(code)"
tear 0 0 "$garbage"
tear 1 1 "$zeros"
before=$(sha256sum <"$REC")
check_login "both slots torn: denied as unavailable" PAM_AUTHINFO_UNAVAIL otp root "$(code 1)"
check "both slots torn: logged" logged "both state slots invalid"
check_eq "both slots torn: the record is left as it was" "$before" "$(sha256sum <"$REC")"

tap_done
