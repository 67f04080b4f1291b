#!/bin/bash
# Build the libFuzzer targets with clang (ASan+UBSan) and run each for a
# while. usage: tests/fuzz.sh BUILDDIR [SECONDS-EACH]
# BUILDDIR is a configured build tree (for config.h). Prints one line per
# target and ends with "N passed, N failed" for the caller to add up.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$1
secs=${2:-30}
out="$build/fuzz"
mkdir -p "$out" && rm -f "$out"/fuzz_*.verdict
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$build -I$src/lib"
core="$src/lib/secure.c $src/lib/base32.c $src/lib/otp.c $src/lib/text.c"
declare -A sources=(
	[record]="$src/lib/record.c"
	[input]="$src/lib/input.c $src/lib/recovery.c $src/lib/record.c"
	[base32]=""
	[uri]="$src/lib/uri.c"
	[ga_file]="$src/lib/ga_file.c $src/lib/recovery.c $src/lib/input.c $src/lib/record.c"
	[oath_file]="$src/lib/oath_file.c"
	[catalog]="$src/lib/catalog.c"
)
# a seed from the build rather than tests/fuzz_T.seed
declare -A seeds=(
	[catalog]="$build/po/nl.gmo"
)
passed=0 failed=0
# build_target T: the target's binary and corpus in $out
build_target() {
	# shellcheck disable=SC2086
	clang $flags "$src/tests/fuzz_$1.c" ${sources[$1]} $core -lcrypto \
		-o "$out/fuzz_$1" 2>"$out/fuzz_$1.build.log" || return 1
	mkdir -p "$out/corpus_$1"
	local seed
	# and more seeds of the target, tests/fuzz_T_*.seed (record: a tombstone)
	for seed in "${seeds[$1]:-$src/tests/fuzz_$1.seed}" "$src/tests/fuzz_$1"_*.seed; do
		[ -f "$seed" ] && cp "$seed" "$out/corpus_$1/"
	done
	return 0
}
# run_target T: fuzz it for $secs; its verdict in $out/fuzz_T.verdict
run_target() {
	local dict=()
	[ -f "$src/tests/fuzz_$1.dict" ] && dict=(-dict="$src/tests/fuzz_$1.dict")
	if (cd "$out" && ./"fuzz_$1" -max_total_time="$secs" "${dict[@]}" "corpus_$1" \
		>"fuzz_$1.log" 2>&1); then
		echo "fuzz_$1: $(sed -n "s/^Done \([0-9]*\) runs.*/\1/p" "$out/fuzz_$1.log") runs in ${secs}s, no crash"
	else
		echo "fuzz_$1: FAILED"; grep -A12 -E 'ERROR|deadly' "$out/fuzz_$1.log" | head -30
	fi >"$out/fuzz_$1.verdict"
}
targets=(record input base32 uri ga_file oath_file catalog)
for t in "${targets[@]}"; do
	{ build_target "$t" || { echo "fuzz_$t: build failed" >"$out/fuzz_$t.verdict"; \
		tail -5 "$out/fuzz_$t.build.log" >>"$out/fuzz_$t.verdict"; }; } &
done
wait
# one target per core at a time
running=0
for t in "${targets[@]}"; do
	[ -x "$out/fuzz_$t" ] || continue
	if [ "$running" -ge "$(nproc)" ]; then wait -n; running=$((running - 1)); fi
	run_target "$t" &
	running=$((running + 1))
done
wait
for t in "${targets[@]}"; do
	cat "$out/fuzz_$t.verdict"
	if grep -q 'no crash$' "$out/fuzz_$t.verdict"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
