#!/bin/bash
# A full disk, for real: the record on a 256 KiB tmpfs filled to the last
# byte. Logins still succeed or fail as they should and store their state
# (a slot is overwritten in place: no new blocks), while a recovery code,
# which rewrites the whole record, fails closed: denied, the record
# intact, no temporary file. Needs root (mount); skipped otherwise.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP needs root to mount a tmpfs"; exit 0; fi
. "$top_srcdir/tests/lib/pam_env.sh"

RECORD_STATE="$top_builddir/tests/shims/record_state"
M="$T/full"
mkdir "$M"
mount -t tmpfs -o size=256k,mode=700 pam_totp_full "$M" ||
	{ echo "1..0 # SKIP cannot mount a tmpfs here"; exit 0; }
# unmount on every way out, then remove $T as pam_env.sh would
trap 'umount "$M" 2>/dev/null || umount -l "$M"; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

REC="$M/root.rec"
make_service full "secret=$M/%u.rec max_failures=10"
new_record "$REC" -r 3 -i 1000 >"$T/codes" || bail "make_record failed"
RCODE=$(sed -n 1p "$T/codes")

# fill every byte: dd stops at ENOSPC
dd if=/dev/zero of="$M/fill" bs=4k >/dev/null 2>&1
dd if=/dev/zero of="$M/fill2" bs=1 >/dev/null 2>&1
disk_full() { ! (echo x >"$M/probe") 2>/dev/null; }
check "the filesystem is full" disk_full
rm -f "$M/probe"

state() { "$RECORD_STATE" "$REC"; }
field() { state | tr ' ' '\n' | sed -n "s/^$1=//p"; }

for n in 1 2 3; do
	check_login "full disk: wrong code $n denied" PAM_AUTH_ERR full root "$(wrong_code)"
	check "full disk: wrong code $n logged" logged "wrong code ($n consecutive failures)"
	check_eq "full disk: the failure count is stored" "$n" "$(field failures)"
done
seq_before=$(field seq)
check_login "full disk: the right code is accepted" PAM_SUCCESS full root "$(code)"
check_eq "full disk: failures reset" 0 "$(field failures)"
check_eq "full disk: the last step is stored" "$(($(test_now) / 30))" "$(field last)"
check_eq "full disk: a newer state" "$((seq_before + 1))" "$(field seq)"
check_login "full disk: the same code again is a replay" PAM_AUTH_ERR full root "$(code)"
check "full disk: replay logged" logged "replayed code refused"
check "full disk: still full after the logins" disk_full
rm -f "$M/probe"

# a recovery code needs a new file: no room, so it fails closed
cp -p "$REC" "$T/before"
check_login "full disk: a recovery code is denied" PAM_AUTHINFO_UNAVAIL full root "$RCODE"
check "full disk: the cause is logged" \
	logged "record error: cannot write $REC.tmp.*: No space left on device"
check "full disk: the record is byte-for-byte as before" cmp -s "$REC" "$T/before"
check "full disk: no temporary file left" test -z "$(ls -a "$M" | grep '\.tmp\.')"
check_eq "full disk: the recovery code is still there" 3 "$(field recovery)"

# room again: the same recovery code works, once
rm -f "$M/fill" "$M/fill2"
check_login "room again: the recovery code is accepted" PAM_SUCCESS full root "$RCODE"
check_eq "room again: the used code is gone" 2 "$(field recovery)"
check_login "room again: the recovery code works only once" PAM_AUTH_ERR full root "$RCODE"

tap_done
