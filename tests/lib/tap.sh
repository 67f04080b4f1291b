# TAP helpers for shell tests: source it, call ok/not_ok/check, then tap_done.
tap_n=0
tap_failed=0
tap_started=$SECONDS
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
# not CMD...: check that CMD fails (check DESC not logged TEXT)
not() { ! "$@"; }
# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# wait_for SECONDS WHAT COMMAND...: run COMMAND until it succeeds. SECONDS
# is a deadline for a test that is stuck, not a measurement: give it room
# for a machine running at half speed. Past it: a failed check, status 1.
wait_for() {
	local limit=$1 what=$2 end
	shift 2
	end=$((SECONDS + limit))
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then not_ok "no $what within $limit s"; return 1; fi
		sleep 0.05 # not sync: the poll interval of a wait for a condition
	done
}
# stall_bound_ms SECONDS: how long (ms) a step may take that a timeout of
# SECONDS must end, in a test of that timeout with the stall injected (a
# frozen server, a held lock, an address that never answers): the timeout
# and twice as much again, at least 20 s more, which a machine at load
# average 20 on 2 cores still meets. It tells "ended by the timeout" from
# waiting for ever or for the system's own minutes-long timeouts: each use
# says which it guards against. Any other test gives its timeouts far more
# than it needs (db_timeout=120, lock_timeout=120): no verdict may depend
# on whether a timeout that is not the test's subject runs out.
stall_bound_ms() {
	local room=$(($1 * 2))
	[ "$room" -ge 20 ] || room=20
	echo $((($1 + room) * 1000))
}
# asan_runtime PROGRAM: the sanitizer runtime PROGRAM links, which must be
# preloaded first into processes that load our code: gcc's libasan, or
# clang's libclang_rt.asan (built with -shared-libsan). Empty in a plain build.
asan_runtime() { ldd "$1" 2>/dev/null | awk '/libasan|libclang_rt\.asan/ { print $3; exit }'; }
# in_sanitizer_build: whether this build's programs run under ASan/UBSan
in_sanitizer_build() { [ -n "$(asan_runtime "$top_builddir/tests/shims/pam_login")" ]; }
# repeat_count SUITE REPEAT SOAK: how many rounds (or kills) a race or
# crash test runs. SUITE in the plain build, which is every run of the
# test command; REPEAT in the sanitizer build and `make distcheck`
# (PAM_TOTP_REPEAT_RUN=1), which look for memory errors and packaging
# faults that a few rounds show as well as many; SOAK when
# PAM_TOTP_SOAK=1, for a long hunt for a rare interleaving (HACKING.md).
repeat_count() {
	if [ -n "${PAM_TOTP_SOAK:-}" ]; then echo "$3"
	elif [ -n "${PAM_TOTP_REPEAT_RUN:-}" ] || in_sanitizer_build; then echo "$2"
	else echo "$1"; fi
}
# the closing lines: the plan, and how long the test took (run-all.sh
# lists the slowest)
# skip_in_sanitizer_build WHY: a test that adds nothing under ASan/UBSan
# (it runs no code of ours, or only what other tests already run there)
# runs in the plain build only
skip_in_sanitizer_build() {
	if in_sanitizer_build; then
		echo "1..0 # SKIP sanitizer build: $1"
		exit 0
	fi
}
# skip_in_plain_build_before_sanitizers WHY: a test of behaviour, not of
# time, concurrency or the optimised build, runs once per run of the test
# command: tests/run-all.sh's plain suite sets PAM_TOTP_SANITIZER_RUN_FOLLOWS
# and leaves it to the sanitizer suite that comes next. `make check` alone
# runs it.
skip_in_plain_build_before_sanitizers() {
	if [ -n "${PAM_TOTP_SANITIZER_RUN_FOLLOWS:-}" ] && ! in_sanitizer_build; then
		echo "1..0 # SKIP plain build: the sanitizer suite runs it next ($1)"
		exit 0
	fi
}
tap_done() {
	echo "1..$tap_n"
	echo "# duration: $((SECONDS - tap_started)) s"
	[ "$tap_failed" -eq 0 ]
}
bail() { echo "Bail out! $*"; exit 1; }
