#!/bin/bash
# Fault injection through the real libpam: tests/shims/fault_shim.c fails one
# file-system call at a time (EIO, ENOSPC, a short write) on a login that
# updates a state slot and on one that rewrites the enrolment part (a
# recovery code). Every failure must deny with PAM_AUTHINFO_UNAVAIL (a
# store failure is a record error, not a wrong code), log its cause, leave
# the record reading exactly as before and leave no temporary file; with
# the fault gone the same code must then work, which shows the state
# really is as it was. Interrupted calls that the store retries must not
# deny at all. Logins that run while a sync fails keep what they wrote.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"

SHIM="$top_builddir/tests/shims/.libs/libfaultshim.so"
RECORD_STATE="$top_builddir/tests/shims/record_state"
[ -f "$SHIM" ] || bail "$SHIM not built"

D="$T/store"
mkdir -m 700 "$D"
REC="$D/root.rec"
make_service totp "secret=$D/%u.rec max_failures=100"

# The pristine record: recovery codes, and slots that differ (A: seq 0,
# B: seq 1 with one failure), so the slot a login writes is the older one.
new_record "$REC" -r 5 -i 1000 >"$T/codes" || bail "make_record failed"
login totp root "$(wrong_code)"
[ "$result" = PAM_AUTH_ERR ] || bail "set-up login: $result"
cp -p "$REC" "$T/pristine"
RCODE=$(sed -n 1p "$T/codes")
STATE0=$("$RECORD_STATE" "$T/pristine")
case $STATE0 in *failures=1*recovery=5) ;; *) bail "unexpected pristine state: $STATE0" ;; esac

no_temp() { ! ls -a "$D" | grep -q '\.tmp\.'; }
reset() { cp -p "$T/pristine" "$REC"; }
enrolment_part() { tail -n +4 "$1"; }

# faulty ANSWER VAR=VALUE... : one login through the shim, the FAULT_*
# settings exported to it alone
faulty() {
	local answer=$1; shift
	(
		export FAULT_PATH="$D" "$@"
		LD_PRELOAD="$SHIM"
		login totp root "$answer"
	)
	result=$(sed -n 's/^result: //p' "$T/last.log" | tail -1)
}

# deny_case DESC KIND CAUSE VAR=VALUE...
#   KIND: totp (a valid code: state slot update) or recovery (a recovery
#   code: enrolment-part rewrite). CAUSE: what the log line must say.
#   With TORN=1 the failed write may leave a torn slot behind: then the
#   enrolment part must be byte-for-byte the same and the state must
#   parse to the previous one, instead of the whole file being the same.
deny_case() {
	local desc=$1 kind=$2 cause=$3 answer; shift 3
	reset
	if [ "$kind" = totp ]; then answer=$(code); else answer=$RCODE; fi
	faulty "$answer" "$@"
	local bad=""
	[ "$result" = PAM_AUTHINFO_UNAVAIL ] || bad="$bad result=$result"
	grep -q '^fault_shim: ' "$T/last.log" || bad="$bad fault-not-injected"
	logged "record error: .*$cause" || bad="$bad no-log-line-with-'$cause'"
	if [ "${TORN:-0}" = 1 ]; then
		cmp -s <(enrolment_part "$REC") <(enrolment_part "$T/pristine") ||
			bad="$bad enrolment-part-changed"
		[ "$("$RECORD_STATE" "$REC")" = "$STATE0" ] ||
			bad="$bad state=$("$RECORD_STATE" "$REC")"
	else
		cmp -s "$REC" "$T/pristine" || bad="$bad record-changed"
	fi
	no_temp || bad="$bad temporary-file-left:$(ls "$D" | tr '\n' ' ')"
	if [ -z "$bad" ]; then ok "$desc: denied, logged, record as before, no temporary file"
	else not_ok "$desc:$bad"; sed 's/^/#   /' "$T/last.log"; diff "$T/pristine" "$REC" | sed 's/^/#   /'; fi
	# the fault gone, the same code works: nothing was used up
	login totp root "$answer"
	if [ "$result" = PAM_SUCCESS ]; then ok "$desc: then the same $kind code is accepted"
	else not_ok "$desc: then the same $kind code is accepted (got $result)"; sed 's/^/#   /' "$T/last.log"; fi
}

# ---- one fault at a time, EIO and ENOSPC, on both paths ----
# totp: a valid code, the state slot updated in place; recovery: a
# recovery code, the enrolment part rewritten (temporary file, fsync,
# lock, rename, directory fsync). Columns: path | what fails | shim
# settings | what the log line must say (the errno text follows).
while IFS='|' read -r -u 3 kind what settings cause; do
	for e in EIO ENOSPC; do
		[ $e = EIO ] && why="Input/output error" || why="No space left on device"
		# shellcheck disable=SC2086 # settings are words
		deny_case "$kind, $what ($e)" "$kind" "$cause: $why" $settings FAULT_ERRNO=$e
	done
done 3<<EOF
totp|open fails|FAULT_CALL=open|cannot open $REC
totp|read fails|FAULT_CALL=read|cannot read $REC
totp|flock fails|FAULT_CALL=flock|cannot lock $REC
totp|pwrite of the slot fails|FAULT_CALL=pwrite|cannot write state to $REC
totp|every pwrite fails|FAULT_CALL=pwrite FAULT_COUNT=0|cannot write state to $REC
totp|fdatasync fails after the slot write: the old slot is put back|FAULT_CALL=fdatasync|cannot sync state of $REC
totp|every fdatasync fails|FAULT_CALL=fdatasync FAULT_COUNT=0|cannot sync state of $REC
recovery|open of the record fails|FAULT_CALL=open|cannot open $REC
recovery|open of the directory fails|FAULT_CALL=open FAULT_NTH=2|cannot open the directory of $REC
recovery|read fails|FAULT_CALL=read|cannot read $REC
recovery|flock of the record fails|FAULT_CALL=flock|cannot lock $REC
recovery|mkostemp fails|FAULT_CALL=mkostemp|cannot create a temporary file beside $REC
recovery|fchown of the new file fails|FAULT_CALL=fchown|cannot set the owner of $REC.tmp.*
recovery|fchmod of the new file fails|FAULT_CALL=fchmod|cannot write $REC.tmp.*
recovery|writing the new file fails|FAULT_CALL=write|cannot write $REC.tmp.*
recovery|fsync of the new file fails|FAULT_CALL=fsync|cannot write $REC.tmp.*
recovery|flock of the new file fails|FAULT_CALL=flock FAULT_NTH=2|cannot lock $REC.tmp.*
recovery|rename fails|FAULT_CALL=rename|cannot rename over $REC
recovery|directory fsync fails after the rename: the old record is put back|FAULT_CALL=fsync FAULT_NTH=2|cannot sync the directory of $REC
EOF

# half the slot reaches the file, then the disk refuses everything,
# the attempt to put the old bytes back included: a torn slot
TORN=1 deny_case "totp, short slot write then ENOSPC (torn slot)" totp \
	"cannot write state to $REC: No space left on device" \
	FAULT_CALL=pwrite FAULT_SHORT=1 FAULT_COUNT=0 FAULT_ERRNO=ENOSPC
# prove that the case above really tore a slot, so the fallback was tested
reset
faulty "$(code)" FAULT_CALL=pwrite FAULT_SHORT=1 FAULT_COUNT=0 FAULT_ERRNO=ENOSPC
check "the torn slot differs from both old and new: the file is not as before" \
	test "$(cmp -s "$REC" "$T/pristine"; echo $?)" = 1
parses() { "$RECORD_STATE" "$REC" >/dev/null; }
check "the torn slot fails its checksum, the record still parses" parses

# Two faults: the directory sync fails and so does the sync of the copy
# that would put the old record back. Renaming an unsynced copy over the
# record could lose it in a crash, so the new record (whole and synced,
# the recovery code gone) stays, and the login is still denied.
reset
faulty "$RCODE" FAULT_CALL=fsync FAULT_NTH=2 FAULT_COUNT=0
check_eq "recovery, directory and restore fsync both fail: denied" PAM_AUTHINFO_UNAVAIL "$result"
check "recovery, directory and restore fsync both fail: logged" \
	logged "record error: cannot sync the directory of $REC: Input/output error"
check "recovery, directory and restore fsync both fail: no temporary file" no_temp
check_eq "recovery, directory and restore fsync both fail: the new record, whole, code used up" \
	"seq=2 last=-1 skew=0 failures=0 locked=0 resync=-1 recovery=4" "$("$RECORD_STATE" "$REC")"
check "recovery, directory and restore fsync both fail: secret and settings unchanged" \
	cmp -s <(enrolment_part "$REC" | grep -v '^recovery=') <(enrolment_part "$T/pristine" | grep -v '^recovery=')
check_login "recovery, directory and restore fsync both fail: the code stays used up" \
	PAM_AUTH_ERR totp root "$RCODE"

# A failed sync with other logins in between. The store lets go of the
# lock before its fdatasync; when that fails it takes the lock back and
# puts its old slot back only if nobody wrote since. Here logins B and C
# (the next two steps' codes) run inside A's failing fdatasync
# (FAULT_EXEC): B writes the other slot, C the one A wrote and would put
# back. A must leave it, or C's code could be used again.
reset
a_code=$(code)
b_code=$(code 1)
c_code=$(code 2)
# (A set PAM_WRAPPER=1 for itself under the lock, tests/shims/pam_login.c; B
# and C take the lock for their own set-up, as every login does)
{
	echo '#!/bin/sh'
	printf 'env -u PAM_WRAPPER "%s" totp root %s >"%s" 2>&1\n' "$PAM_LOGIN" "$b_code" "$T/b.log"
	printf 'env -u PAM_WRAPPER "%s" totp root %s >"%s" 2>&1\n' "$PAM_LOGIN" "$c_code" "$T/c.log"
} >"$T/logins_bc"
chmod 755 "$T/logins_bc"
faulty "$a_code" FAULT_CALL=fdatasync FAULT_EXEC="$T/logins_bc"
check_eq "a failed sync with two logins in between: both accepted" \
	"result: PAM_SUCCESS result: PAM_SUCCESS" \
	"$(cat "$T/b.log" "$T/c.log" | grep '^result: ' | tr '\n' ' ' | sed 's/ $//')"
check_eq "... the failing one denied" PAM_AUTHINFO_UNAVAIL "$result"
check "... and logged" logged "record error: cannot sync state of $REC: Input/output error"
check_login "... the last one's code stays used" PAM_AUTH_ERR totp root "$c_code"
check "... refused as a replay" logged "replayed code refused"

deny_case "recovery, short write of the new file then ENOSPC" recovery \
	"cannot write $REC.tmp.*: No space left on device" \
	FAULT_CALL=write FAULT_SHORT=1 FAULT_COUNT=0 FAULT_ERRNO=ENOSPC

# ---- calls the store retries: an interruption or a short write alone is no failure ----
# retry_case DESC KIND VAR=VALUE... : accepted, and the login's effect is stored
retry_case() {
	local desc=$1 kind=$2 answer state; shift 2
	reset
	if [ "$kind" = totp ]; then answer=$(code); else answer=$RCODE; fi
	faulty "$answer" "$@"
	state=$("$RECORD_STATE" "$REC")
	if [ "$result" = PAM_SUCCESS ] && grep -q '^fault_shim: ' "$T/last.log" && no_temp &&
		case $kind in totp) [[ $state == *failures=0*recovery=5 ]] ;;
			*) [[ $state == *recovery=4 ]] ;; esac; then
		ok "$desc: retried and accepted, state stored"
	else
		not_ok "$desc: expected PAM_SUCCESS and a stored state (got $result, $state)"
		sed 's/^/#   /' "$T/last.log"
	fi
}
retry_case "totp, interrupted read" totp FAULT_CALL=read FAULT_ERRNO=EINTR
retry_case "totp, interrupted slot write" totp FAULT_CALL=pwrite FAULT_ERRNO=EINTR
retry_case "totp, interrupted flock" totp FAULT_CALL=flock FAULT_ERRNO=EINTR
retry_case "totp, short slot write, the rest written" totp FAULT_CALL=pwrite FAULT_SHORT=1
retry_case "recovery, interrupted write of the new file" recovery FAULT_CALL=write FAULT_ERRNO=EINTR
retry_case "recovery, short write of the new file, the rest written" recovery FAULT_CALL=write FAULT_SHORT=1
# the lock is taken without waiting, so a busy record is polled, not an error
retry_case "totp, record busy at first" totp FAULT_CALL=flock FAULT_ERRNO=EAGAIN FAULT_COUNT=3

# ---- enrolment (make_record, same store): a failed create leaves nothing ----
for spec in "mkostemp 1" "write 1" "fsync 1" "link 1" "open 1" "fsync 2"; do
	set -- $spec
	rm -f "$D/new.rec"
	env FAULT_PATH="$D" FAULT_CALL=$1 FAULT_NTH=$2 LD_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$SHIM" \
		"$MAKE_RECORD" -r 2 -i 1000 "$D/new.rec" "$SECRET" >"$T/enrol.log" 2>&1
	rc=$?
	if [ "$1 $2" = "fsync 2" ]; then
		# the directory sync fails after the link: reported, the new
		# record (nothing to put back) whole
		if [ $rc -ne 0 ] && "$RECORD_STATE" "$D/new.rec" >/dev/null && no_temp; then
			ok "enrolment, directory fsync fails: an error, a whole record, no temporary file"
		else not_ok "enrolment, directory fsync fails (rc $rc)"; sed 's/^/#   /' "$T/enrol.log"; fi
	elif [ $rc -ne 0 ] && [ ! -e "$D/new.rec" ] && no_temp && grep -q '^fault_shim: ' "$T/enrol.log"; then
		ok "enrolment, $1 #$2 fails: an error, no record, no temporary file"
	else
		not_ok "enrolment, $1 #$2 fails (rc $rc, $(ls "$D" | tr '\n' ' '))"; sed 's/^/#   /' "$T/enrol.log"
	fi
done

# ---- the shim stays out of the way of everything else ----
faulty "$RCODE" FAULT_PATH="$T/nowhere" FAULT_CALL=open FAULT_COUNT=0
check_eq "with no matching path the shim changes nothing" PAM_SUCCESS "$result"
check "no fault reported" test "$(grep -c '^fault_shim: ' "$T/last.log")" -eq 0

tap_done
