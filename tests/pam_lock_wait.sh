#!/bin/bash
# A login while another process holds the record's lock (lib/store_file.c,
# store_file_open_login; lib/login.c, settled_without_lock). A refusal
# that changes nothing (a replay) is settled from the record as read,
# without the lock, so a burst of logins with one code does not queue; a
# grant never is: it waits for the lock, and when the holder writes the
# record the waiter reads it again. The test shell holds the lock itself
# (flock on its own descriptor), so every check is made while the lock is
# provably held, with no timing involved.
. "$top_srcdir/tests/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/pam_env.sh"

REC="$T/root.rec"
COPY="$T/copy/root.rec"
mkdir -m 700 "$T/copy"
make_service wait "secret=$T/%u.rec lock_timeout=60"
make_service short "secret=$T/%u.rec lock_timeout=1"
make_service copy "secret=$T/copy/%u.rec"

hold_lock() { exec 9<"$REC" && flock -x 9; }
drop_lock() { exec 9<&-; }
lock_still_held() { ! flock -n -x "$REC" true; }

new_record "$REC"
c1=$(code)
check_login "a code is accepted" PAM_SUCCESS wait root "$c1"

hold_lock
# the login must not inherit the lock's descriptor
login wait root "$c1" 9<&-
check_eq "lock held elsewhere: the used code is refused" PAM_AUTH_ERR "$result"
check "... as a replay (settled without the lock)" logged "replay"
check "... while the other process still holds the lock" lock_still_held

advance_clock 30
c2=$(code)
login short root "$c2" 9<&-
check_eq "lock held elsewhere: a fresh code is not granted" PAM_AUTHINFO_UNAVAIL "$result"
check "... the login waited for the lock, and says so" logged "cannot lock $REC"
drop_lock
check_login "the lock free, that code is accepted: nothing was used up" PAM_SUCCESS wait root "$c2"

# The holder writes the record while a login waits: the waiter reads it
# again and is settled by what was written, the lock still held.
advance_clock 30
c3=$(code)
cp -p "$REC" "$COPY"
check_login "the next code, used on a copy of the record" PAM_SUCCESS copy root "$c3"
hold_lock
(login wait root "$c3"; echo "$result" >"$T/bg.result") 9<&- &
bg=$!
waiting_on_lock() {
	local p
	for p in $(pgrep -f "pam_login.* wait root"); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -q 'anon_inode:inotify' && return 0
	done
	return 1
}
if wait_for 60 "login waiting for the lock" waiting_on_lock; then
	ok "a login with that code waits for the lock"
fi
# written in place, as the holder's slot write would be
cat "$COPY" >"$REC"
wait "$bg"
check_eq "the holder wrote the code as used: the waiting login is refused" PAM_AUTH_ERR \
	"$(cat "$T/bg.result")"
check "... as a replay" logged "replay"
check "... before the lock was free" lock_still_held
drop_lock
check_login "afterwards the code stays refused" PAM_AUTH_ERR wait root "$c3"
advance_clock 30
check_login "and the next one is accepted" PAM_SUCCESS wait root "$(code)"
tap_done
