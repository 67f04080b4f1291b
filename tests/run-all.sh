#!/bin/bash
# Install what is needed, build with -Werror, run every test: the normal
# build, then the whole suite again under AddressSanitizer+UBSan, then
# `make distcheck`. Ends with one line "N passed, N failed".
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1
bash tests/install-deps.sh || exit 1
(autoreconf -fi >/dev/null 2>&1) || { echo "autoreconf failed"; exit 1; }

passed=0
failed=0
jobs=$(nproc)

# run_suite NAME CONFIGURE-ARGS...: build in _build/NAME and run make check
run_suite() {
	local name=$1; shift
	local dir="$src/_build/$name"
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
	echo "== $name: configure $*"
	if ! "$src/configure" -q --enable-werror "$@" >configure.out 2>&1; then
		cat configure.out; failed=$((failed + 1)); cd "$src"; return 1
	fi
	if ! make -j"$jobs" >make.out 2>&1; then
		tail -40 make.out; failed=$((failed + 1)); cd "$src"; return 1
	fi
	make -j"$jobs" check >check.out 2>&1
	grep -E '^(FAIL|ERROR|XPASS)' check.out
	local p f
	p=$(awk '/^# PASS:/ {s += $3} END {print s + 0}' check.out)
	f=$(awk '/^# (FAIL|ERROR|XPASS):/ {s += $3} END {print s + 0}' check.out)
	if ! grep -q '^# TOTAL:' check.out; then
		tail -40 check.out; f=$((f + 1))
	fi
	[ "$f" -gt 0 ] && find . -name '*.log' -path '*tests/*' -exec grep -l -E '^(not ok|FAIL|ERROR)' {} + |
		while read -r log; do echo "--- $log"; tail -30 "$log"; done
	echo "== $name: $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
	cd "$src"
}

# --with-postgresql: the PostgreSQL store is built and tested, or the
# build fails (never a silent skip)
run_suite normal --with-postgresql
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	run_suite sanitize --with-postgresql CFLAGS="-O1 $san" LDFLAGS="$san"

echo "== distcheck"
if (cd "$src/_build/normal" && make -j"$jobs" distcheck >distcheck.out 2>&1); then
	echo "== distcheck: ok"; passed=$((passed + 1))
else
	tail -40 "$src/_build/normal/distcheck.out"; failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
