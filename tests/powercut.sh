#!/bin/bash
# Power cuts, explored on the real code: the file-system calls of real
# operations on one record are recorded (tests/shims/powercut_recorder.c,
# preloaded), every state of the record's directory that a power cut at any
# point of them could leave is rebuilt (tests/shims/powercut_states.c), and the
# real module logs in on each one through libpam.
#
# The operations, one after another on one record (12 recovery codes, so
# a rewrite spans two sectors): a login (a state slot written in place),
# a failed login (a wrong code), a recovery-code login (the whole record
# rewritten: temporary file, fsync, rename, directory fsync), a
# re-enrolment by totp-enroll --force (the same writer) and a login on it.
# Each is "done" once its program returned what it reports. Then a first
# enrolment (no record before: the new file is linked into place) and a
# login, and a rewrite killed between its rename and its directory sync
# followed by a login.
#
# The persistence model (ext4 data=ordered-like; tests/shims/powercut_states.c
# applies it, HACKING.md "Power cuts" states it):
#   - a cut falls between two recorded calls, at every such point;
#   - a write is durable once an fsync or fdatasync of its file follows;
#     an unsynced write may be lost, in pieces cut at 512-byte sector
#     boundaries, each piece kept or lost independently (torn writes, lost
#     writes in any combination); a lost piece inside the file reads zeros;
#   - create, rename, link, unlink, mkdir, chmod and chown persist in call
#     order (ext4's journal), any prefix of them from the last one a sync
#     made durable: a directory fsync makes all earlier ones durable, a
#     file's fsync its own create/chmod/chown, an fdatasync none;
#   - data and names are not ordered with each other unless a sync orders
#     them: a rename may persist without the data written before it.
#
# On each state, with D the last operation done and F the one under way:
#   - the record parses and is exactly D's result or F's (same state
#     fields, same enrolment part): never lost, never older than what was
#     reported done, the failure count never going back;
#   - every code accepted by D (or by F when the state is F's) is refused;
#   - the next code is accepted, or denied with a logged record error, and
#     once accepted it is refused the second time.
# Then the explorer must find violations in broken variants: the recorder
# leaves the slot's fdatasync (POWERCUT_DROP=fdatasync) or the temporary
# file's fsync (POWERCUT_DROP=fsync) out of the trace, as if the code had
# no sync there.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pam_env.sh"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (records outside a home are root's)"; exit 0; }

RECORDER="$top_builddir/tests/shims/.libs/libpowercutrec.so"
STATES="$top_builddir/tests/shims/powercut_states"
RECORD_STATE="$top_builddir/tests/shims/record_state"
ENROLL_BIN="$top_builddir/tools/totp-enroll"
[ -f "$RECORDER" ] || bail "$RECORDER not built"
[ -x "$STATES" ] || bail "$STATES not built"
mkdir "$T/clock"
ENROLL=$(test_clock_wrapper "$ENROLL_BIN" "$T/clock")
printf 'issuer=Test Co\n' >"$T/enroll.conf"
chmod 644 "$T/enroll.conf"
STEP=$(($(test_now) / 30))
# plain_login SERVICE USER ANSWER: login (tests/lib/pam_env.sh) without
# pam_wrapper, at half its cost: the service file read with
# pam_start_confdir, the module's log lines on stderr through the syslog
# shim. Sets $result, output in $T/last.log.
SYSLOG_SHIM="$top_builddir/tests/shims/.libs/libsyslogshim.so"
plain_login() {
	LD_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$SYSLOG_SHIM${LD_PRELOAD:+:$LD_PRELOAD}" \
		"$PAM_LOGIN" -d "$T/pam" "$@" >"$T/last.log" 2>&1
	local line
	result="(no result)"
	while IFS= read -r line; do
		[[ $line == "result: "* ]] && result=${line#result: }
	done <"$T/last.log"
}

# code_of STEP SECRET: sets $CODE to the code of that step (each asked of
# oathtool once)
declare -A CODES
code_of() {
	[ -n "${CODES[$1:$2]:-}" ] || CODES[$1:$2]=$(oathtool --totp -b -d 6 -s 30 -N "@$(($1 * 30))" "$2")
	CODE=${CODES[$1:$2]}
}

# sig RECORD: what a record holds: its state fields and its enrolment
# part, or why it cannot be read
sig() {
	local st
	[ -e "$1" ] || { echo "no record"; return; }
	st=$("$RECORD_STATE" "$1" 2>&1) || { echo "unreadable: $st"; return; }
	echo "$st enrolment: $(sed 1,3d "$1")"
}

# Per operation label: SIG (the record after it), SEC (its secret), USED
# (every SECRET:ANSWER accepted up to and including it)
declare -A SIG SEC USED KILLED

# recorded LABEL CMD...: run one operation under the recorder
recorded() {
	local label=$1; shift
	echo "begin $label" >>"$TRACE"
	LD_PRELOAD="$RECORDER" POWERCUT_DIR="$D" POWERCUT_TRACE="$TRACE" "$@"
}
# finished LABEL PREV: the operation reported done; note what it left
finished() {
	echo "done $1" >>"$TRACE"
	SIG[$1]=$(sig "$REC")
	SEC[$1]=${SEC[$1]:-${SEC[$2]}}
	USED[$1]="${USED[$2]}${USED[$1]:-}"
}

# the operations, each after PREV; each bails if it does not report what
# it should
op_login() {      # LABEL PREV: the code of this step, a state slot written
	local c; code_of "$STEP" "${SEC[$2]}"; c=$CODE
	recorded "$1" plain_login store root "$c"
	[ "$result" = PAM_SUCCESS ] || bail "$1: $result"
	USED[$1]=" ${SEC[$2]}:$c"
	finished "$1" "$2"
}
op_failure() {    # a wrong code: the failure count written
	recorded "$1" plain_login store root "$(far_code)"
	[ "$result" = PAM_AUTH_ERR ] || bail "$1: $result"
	finished "$1" "$2"
}
op_recovery() {   # a recovery code: the whole record rewritten
	local c; c=$(sed -n 1p "$T/codes")
	recorded "$1" plain_login store root "$c"
	[ "$result" = PAM_SUCCESS ] || bail "$1: $result"
	USED[$1]=" ${SEC[$2]}:$c"
	finished "$1" "$2"
}
op_enrol() {      # totp-enroll --force: a new secret, the record replaced
	enrol "$@" --force
}
op_first() {      # totp-enroll, no record yet: the record created (link)
	enrol "$@"
}
enrol() {
	recorded "$1" "$ENROLL" --conf "$T/enroll.conf" --secret-path "$D/%u.rec" "${@:3}" \
		--no-confirm --qr=none --recovery-codes 5 </dev/null >"$T/enroll.out" 2>&1 ||
		bail "$1: totp-enroll failed: $(tail -1 "$T/enroll.out")"
	SEC[$1]=$(sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' "$T/enroll.out")
	[ -n "${SEC[$1]}" ] || bail "$1: no secret in totp-enroll's output"
	finished "$1" "$2"
}

op_killed() {     # a recovery-code login killed right after its rename,
	# before its directory sync: never reported, its effect may persist
	local c; c=$(sed -n 1p "$T/codes")
	POWERCUT_KILL_AFTER=rename recorded "$1" plain_login store root "$c"
	[ "$(tail -1 "$TRACE")" = killed ] || bail "$1: not killed after the rename"
	# the code was never reported accepted: it is used in this state only,
	# not in the history of what follows
	SIG[$1]=$(sig "$REC") SEC[$1]=${SEC[$2]} USED[$1]=${USED[$2]} KILLED[$1]=" ${SEC[$2]}:$c"
}
# far_code: a well-formed code of no step within 10 of now (max_skew), so
# it is a plain failure, not the first half of a re-synchronisation
far_code() {
	local near c
	near=" $(oathtool --totp -b -w 20 -N "@$(((STEP - 10) * 30))" "$SECRET" | tr '\n' ' ') "
	for c in 000000 111111 222222 333333 444444; do
		case $near in *" $c "*) ;; *) echo "$c"; return ;; esac
	done
}

# scenario NAME OP... : a fresh record (a code of the step before already
# used), or none when the first operation is "first", then the operations
# in order, recorded, and their states built into $T/NAME/states; the
# list of states in $T/NAME/list
scenario() {
	local name=$1 prev=init op n=0; shift
	D="$T/$name/store" REC="$T/$name/store/root.rec" TRACE="$T/$name/trace"
	mkdir -p "$T/$name/states" && mkdir -m 700 "$D"
	make_service store "secret=$D/%u.rec max_failures=100"
	SIG=() SEC=() USED=() KILLED=()
	SEC[init]= USED[init]= SIG[init]=$(sig "$REC")
	if [ "$1" != first ]; then
		new_record "$REC" -r 12 -i 1000 >"$T/codes" || bail "make_record failed"
		code_of $((STEP - 1)) "$SECRET"
		plain_login store root "$CODE"
		[ "$result" = PAM_SUCCESS ] || bail "set-up login: $result"
		SEC[init]=$SECRET SIG[init]=$(sig "$REC") USED[init]=" $SECRET:$CODE"
	fi
	find "$D" -mindepth 1 -printf 'init %i %f\n' >"$TRACE"
	cp -a "$D" "$T/$name/snapshot"
	for op in "$@"; do
		n=$((n + 1))
		"op_$op" "$op$n" "$prev"
		prev=$op$n
	done
	"$STATES" "$T/$name/snapshot" "$TRACE" "$T/$name/states" >"$T/$name/list" ||
		bail "$name: the states could not be built"
}

# check_state DIR DONE FLIGHT: the checks above on one state (FLIGHT: the
# operations under way, by commas: one killed, then the next); adds to
# $violations (a line each in $T/violations) and $denied
check_state() {
	local dir=$1 done=$2 flight=$3 x m pair c label last newest answers hist
	violation() {
		violations=$((violations + 1))
		echo "${dir##*/} (done $done, in flight $flight): ${*%%enrolment:*}" >>"$T/violations"
	}
	# service "chk" logs in on the state itself (it is not used again)
	make_service chk "secret=$dir/%u.rec max_failures=100"
	x=$(sig "$dir/root.rec")
	m=
	for label in $done ${flight//,/ }; do
		[ "$label" != - ] && [ "$x" = "${SIG[$label]}" ] && m=$label
	done
	if [ -z "$m" ]; then
		violation "the record is neither $done's nor the one in flight's: $x"
		# an older state: go on with it, to see what a login then does
		m=
		for label in "${!SIG[@]}"; do [ "$x" = "${SIG[$label]}" ] && m=$label; done
		[ -n "$m" ] || return 0
	fi
	if [ -z "${SEC[$m]}" ]; then # not enrolled yet: no code logs in
		plain_login chk root "$(far_code)"
		[ "$result" = PAM_SUCCESS ] && violation "a login without a record accepted"
		return 0
	fi
	# the answers used by D (and by F in F's state) under this state's
	# secret (another secret refuses them anyway): the newest code (older
	# steps are refused with it) and every recovery code. The operations
	# form one line, so of the two histories the longer holds the other.
	newest= answers= hist=${USED[$done]}
	[ ${#USED[$m]} -gt ${#hist} ] && hist=${USED[$m]}
	for pair in $hist ${KILLED[$m]:-}; do
		[ "${pair%%:*}" = "${SEC[$m]}" ] || continue
		case ${pair#*:} in
		[0-9][0-9][0-9][0-9][0-9][0-9]) newest=${pair#*:} ;;
		*) [[ " $answers " == *" ${pair#*:} "* ]] || answers="$answers ${pair#*:}" ;;
		esac
	done
	for c in $answers $newest; do
		plain_login chk root "$c"
		[ "$result" = PAM_SUCCESS ] || continue
		violation "the used answer $c accepted again"
		return 0 # the state has moved on: the checks below would not tell more
	done
	# the step after the newest one used (none yet: this step)
	last=$((STEP - 1))
	[[ $x =~ \ last=([0-9]+)\  ]] && last=${BASH_REMATCH[1]}
	code_of $((last + 1)) "${SEC[$m]}"
	c=$CODE
	plain_login chk root "$c"
	if [ "$result" = PAM_SUCCESS ]; then
		plain_login chk root "$c"
		[ "$result" = PAM_SUCCESS ] && violation "the next code accepted twice"
	elif logged "record error"; then
		denied=$((denied + 1))
	else
		violation "the next code denied without a record error: $result"
	fi
	return 0
}

# explore NAME [EVERY]: check every state of scenario NAME (or every
# EVERY-th); sets $violations, $denied, $checked
explore() {
	local id point done flight n=0
	violations=0 denied=0 checked=0
	: >"$T/violations"
	while read -r _ id point done flight; do
		n=$((n + 1))
		[ $(((n - 1) % ${2:-1})) -eq 0 ] || continue
		check_state "$T/$1/states/$id" "${done#done=}" "${flight#flight=}"
		checked=$((checked + 1))
	done < <(grep '^state ' "$T/$1/list")
}

# report NAME PREFIX: the counts per operation of scenario NAME, then the
# violations found (PREFIX before each)
report() {
	local label points states distinct
	while read -r _ label points states distinct; do
		echo "# $1 $label: ${points#*=} cut points, ${states#*=} states, ${distinct#*=} distinct"
	done < <(grep '^op ' "$T/$1/list")
	echo "# $1: $checked of $(grep -c '^state ' "$T/$1/list") distinct states checked, $denied denied with a record error"
	sed "s/^/# $2: /" "$T/violations"
}
SAMPLE=$(repeat_count 1 3 1)

# ---- the builder follows the model: a trace written by hand ----
# A new file of two sectors, renamed over "rec": without syncs a cut
# after it may keep the old name, lose the data or tear it at the sector
# boundary; with the file's fsync before the rename and the directory's
# after it, only the new record is left.
mkdir -p "$T/model/snap" && printf 'old\n' >"$T/model/snap/rec"
hex1024=$(head -c 1024 /dev/zero | tr '\0' a | od -An -v -tx1 | tr -d ' \n')
# model_states NAME [SYNC_LINES_AFTER_WRITE] [LINES_AFTER_RENAME]: the
# record contents a cut once the operation is done may leave, as "size
# first-byte last-byte" (the temporary file aside)
model_states() {
	mkdir "$T/model/$1"
	{
		echo "init $(stat -c %i "$T/model/snap/rec") rec"
		echo "begin op"
		echo "create 999999 tmp 0 0 600"
		echo "write 999999 0 1024 $hex1024"
		[ -n "$2" ] && echo "$2"
		echo "rename tmp rec"
		[ -n "$3" ] && echo "$3"
		echo "done op"
	} >"$T/model/$1.trace"
	"$STATES" "$T/model/snap" "$T/model/$1.trace" "$T/model/$1" >"$T/model/$1.list" ||
		bail "the builder refused a trace written by hand"
	sed -n 's/^state \(s[0-9]*\) .* done=op flight=-$/\1/p' "$T/model/$1.list" | while read -r id; do
		f="$T/model/$1/$id/rec"
		echo "$(stat -c %s "$f") $(head -c 1 "$f" | od -An -c | tr -d ' ')$(tail -c 1 "$f" | od -An -c | tr -d ' ')"
	done | sort -u | tr '\n' ';'
}
check_eq "unsynced: the old name, or the new file lost, torn either way, or whole" \
	"0 ;1024 \\0a;1024 aa;4 o\\n;512 aa;" "$(model_states unsynced)"
check_eq "file and directory synced: only the new record" "1024 aa;" \
	"$(model_states synced "fsync 999999" dirsync)"
check_eq "file synced, directory not: the old name or the whole new record" "1024 aa;4 o\\n;" \
	"$(model_states nodirsync "fsync 999999")"
check_eq "fdatasync does not make the name durable either" "1024 aa;4 o\\n;" \
	"$(model_states fdatasync "fdatasync 999999")"
printf 'init 1 rec\nunsupported ftruncate of 1\n' >"$T/model/bad.trace"
check "a call the builder cannot model fails it" \
	sh -c "! '$STATES' '$T/model/snap' '$T/model/bad.trace' '$T/model' 2>/dev/null"

# ---- the real protocol: no violation in any state ----
scenario all login failure recovery enrol login
check "each operation left its calls in the trace" awk '
	/^begin/ { op = $2 } /^done/ { ops[$2] = calls; calls = "" }
	/^(write|fdatasync|fsync|rename|dirsync|create)/ { calls = calls " " $1 }
	END { exit !(ops["login1"] ~ /write fdatasync/ && ops["failure2"] ~ /write fdatasync/ &&
		ops["recovery3"] ~ /create write fsync rename dirsync/ &&
		ops["enrol4"] ~ /create write fsync (rename|link) dirsync/ &&
		ops["login5"] ~ /write fdatasync/) }' "$T/all/trace"
check "the rewrites tore: a record written across a sector boundary" \
	awk '$1 == "write" && $4 > 512 { found = 1 } END { exit !found }' "$T/all/trace"
# every state in the plain build; every third under the sanitizers
# (tests/lib/tap.sh's repeat_count), where each login costs three times more
explore all "$SAMPLE"
report all violation
check_eq "$checked power-cut states of 5 operations: no used code accepted, no record lost or older" \
	0 "$violations"
check "every operation was explored" test "$(grep -c '^op ' "$T/all/list")" -eq 6

# ---- the first enrolment: the record created, then a login ----
scenario fresh first login
check "the first enrolment linked its record into place and synced the directory" \
	awk '/^begin first/ { on = 1 } /^done/ { on = 0 }
		on && /^link/ { l = 1 } on && l && /^dirsync/ { d = 1 } END { exit !d }' "$T/fresh/trace"
explore fresh "$SAMPLE"
report fresh violation
check_eq "$checked states of a first enrolment and a login: no record lost, no code twice" \
	0 "$violations"

# ---- broken variants: the explorer must find what they break ----
# The slot's fdatasync left out: once the login is done, a cut can still
# lose its slot, and the code it accepted is accepted again.
POWERCUT_DROP=fdatasync scenario nosync login
explore nosync
report nosync found
check "without the slot's fdatasync the explorer finds a used code accepted ($violations violations)" \
	grep -q "accepted again" "$T/violations"
# The temporary file's fsync left out: the rename can persist without the
# record's bytes, and the record is lost.
POWERCUT_DROP=fsync scenario nofsync recovery
explore nofsync
report nofsync found
check "without the temporary file's fsync the explorer finds the record lost ($violations violations)" \
	grep -q "neither.*unreadable" "$T/violations"

# ---- a rewrite killed between its rename and its directory sync ----
# The next login finds the new record marked (S_ISVTX) as not durably
# named, and syncs the directory before it writes its state.
scenario killed killed login
explore killed "$SAMPLE"
report killed violation
check_eq "$checked states after a rewrite killed before its directory sync: no violation" \
	0 "$violations"
check "the login after the killed rewrite synced the directory" \
	awk '/^begin login/ { on = 1 } on && /^dirsync/ { found = 1 } END { exit !found }' \
	"$T/killed/trace"
# Without the mark (the code before the model found the gap), the login
# writes its state into a name a cut can still take back.
POWERCUT_NO_MARK=1 scenario nomark killed login
explore nomark
report nomark found
check "without the mark the explorer finds the login's code accepted again ($violations violations)" \
	grep -q "accepted again" "$T/violations"

tap_done
