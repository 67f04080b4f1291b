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
mkdir -p "$out"
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I$build -I$src/lib"
core="$src/lib/secure.c $src/lib/base32.c $src/lib/otp.c $src/lib/text.c"
declare -A sources=(
	[record]="$src/lib/record.c"
	[input]="$src/lib/input.c $src/lib/recovery.c $src/lib/record.c"
	[base32]=""
	[uri]="$src/lib/uri.c"
	[ga_file]="$src/lib/ga_file.c $src/lib/recovery.c $src/lib/input.c $src/lib/record.c"
	[oath_file]="$src/lib/oath_file.c"
)
passed=0 failed=0
for t in record input base32 uri ga_file oath_file; do
	# shellcheck disable=SC2086
	if ! clang $flags "$src/tests/fuzz_$t.c" ${sources[$t]} $core -lcrypto \
		-o "$out/fuzz_$t" 2>"$out/fuzz_$t.build.log"; then
		echo "fuzz_$t: build failed"; tail -5 "$out/fuzz_$t.build.log"
		failed=$((failed + 1)); continue
	fi
	corpus="$out/corpus_$t"
	mkdir -p "$corpus"
	[ -f "$src/tests/fuzz_$t.seed" ] && cp "$src/tests/fuzz_$t.seed" "$corpus/"
	dict=()
	[ -f "$src/tests/fuzz_$t.dict" ] && dict=(-dict="$src/tests/fuzz_$t.dict")
	if (cd "$out" && ./"fuzz_$t" -max_total_time="$secs" "${dict[@]}" "$corpus" \
		>"fuzz_$t.log" 2>&1); then
		echo "fuzz_$t: $(sed -n "s/^Done \([0-9]*\) runs.*/\1/p" "$out/fuzz_$t.log") runs in ${secs}s, no crash"
		passed=$((passed + 1))
	else
		echo "fuzz_$t: FAILED"; grep -A12 -E 'ERROR|deadly' "$out/fuzz_$t.log" | head -30
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
