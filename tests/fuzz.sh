#!/bin/bash
# Build the libFuzzer targets of tests/fuzz/ with clang (ASan+UBSan) and
# run each for a while. usage: tests/fuzz.sh BUILDDIR [SECONDS-EACH]
# BUILDDIR is made (or remade) as a tree configured with
# --enable-fuzzing; the targets are whatever tests/fuzz/local.mk lists
# (`make print-fuzz-targets`). Prints one line per target and ends with
# "N passed, N failed" for the caller to add up.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1" || exit 1
build=$(cd "$1" && pwd)
secs=${2:-30}
out="$build/fuzz"
san="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined"
# coverage for libFuzzer in every object; its main only in the targets
# (FUZZ_LDFLAGS, from configure)
cd "$build" || exit 1
if ! "$src/configure" -q --enable-werror --enable-fuzzing CC=clang \
	CFLAGS="$san -fsanitize=fuzzer-no-link" LDFLAGS="$san" >configure.out 2>&1; then
	tail -20 configure.out; echo "0 passed, 1 failed"; exit 1
fi
# the catalogue's seed is the build's own po/nl.gmo
if ! make -j"$(nproc)" fuzz-targets po/nl.gmo >make.out 2>&1; then
	tail -30 make.out; echo "0 passed, 1 failed"; exit 1
fi
mkdir -p "$out" && rm -f "$out"/fuzz_*.verdict
read -r -a targets <<<"$(make -s print-fuzz-targets)"
targets=("${targets[@]##*/}")
declare -A seeds=(
	[catalog]="$build/po/nl.gmo"
)
passed=0 failed=0
# corpus T: the target's seeds, tests/fuzz/fuzz_T.seed (or the build's
# file above) and more seeds, tests/fuzz/fuzz_T_*.seed
corpus() {
	local seed
	rm -rf "$out/corpus_$1" && mkdir -p "$out/corpus_$1"
	for seed in "${seeds[$1]:-$src/tests/fuzz/$1.seed}" "$src/tests/fuzz/$1"_*.seed; do
		[ -f "$seed" ] && cp "$seed" "$out/corpus_$1/"
	done
}
# run_target T: fuzz it for $secs; its verdict in $out/T.verdict
run_target() {
	local dict=()
	[ -f "$src/tests/fuzz/$1.dict" ] && dict=(-dict="$src/tests/fuzz/$1.dict")
	if (cd "$out" && "$build/tests/fuzz/$1" -max_total_time="$secs" "${dict[@]}" "corpus_$1" \
		>"$1.log" 2>&1); then
		echo "$1: $(sed -n "s/^Done \([0-9]*\) runs.*/\1/p" "$out/$1.log") runs in ${secs}s, no crash"
	else
		echo "$1: FAILED"; grep -A12 -E 'ERROR|deadly' "$out/$1.log" | head -30
	fi >"$out/$1.verdict"
}
# one target per core at a time
running=0
for t in "${targets[@]}"; do
	corpus "$t"
	if [ "$running" -ge "$(nproc)" ]; then wait -n; running=$((running - 1)); fi
	run_target "$t" &
	running=$((running + 1))
done
wait
for t in "${targets[@]}"; do
	cat "$out/$t.verdict"
	if grep -q 'no crash$' "$out/$t.verdict"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
