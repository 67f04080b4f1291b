#!/bin/bash
# The record protocol's model (tests/record_protocol.pml) checked by spin:
# every interleaving of two logins and an administrator's rewrite, with a
# kill -9 at any step and a power cut at any moment, meets its invariants;
# and each deliberately broken variant of the protocol is caught, so the
# model can tell. Exhaustive: pan must report no unexplored depth.
set -u
. "${top_srcdir:-.}/tests/lib/tap.sh"
model="${top_srcdir:-.}/tests/record_protocol.pml"

skip_in_sanitizer_build "the model runs no code of ours"
command -v spin >/dev/null || bail "spin not installed (tests/install-deps.sh)"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cp "$model" "$T/" || bail "cannot copy $model"

# verify OPT DEFINE...: build pan for the model with those defines, compiled
# with OPT, and run it; its report goes to $T/out
verify() {
	local opt=$1
	shift
	(cd "$T" && rm -f pan pan.* ./*.trail &&
		spin -a "$@" record_protocol.pml >spin.out 2>&1 &&
		gcc "$opt" -w -DSAFETY -o pan pan.c &&
		./pan -m400000 >out 2>&1)
}

verify -O2
check "the protocol: no invariant violated" grep -q "errors: 0" "$T/out"
check "the search was exhaustive (depth limit never reached)" \
	sh -c "! grep -q 'max search depth too small' '$T/out'"
states=$(sed -n 's/^ *\([0-9]*\) states, stored.*/\1/p' "$T/out")
echo "# $states states checked"
for broken in BROKEN_NO_MARK BROKEN_NO_SYNC BROKEN_SAME_SLOT; do
	# -O0: a broken variant fails within a few thousand states, so the
	# compiler's time is all there is to save
	verify -O0 "-D$broken"
	check "$broken: a violation found" grep -q "assertion violated" "$T/out"
done
tap_done
