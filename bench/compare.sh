#!/bin/bash
# pam_totp as of an older commit against the work tree's, side by side with
# pam_oath, in one run: did a change make a login slower?
#
#   bash bench/compare.sh REV        (as root, from anywhere)
#
# Builds REV (a commit, tag or branch) from `git archive` in a scratch
# directory and the work tree in BUILD_DIR (as bench/run.sh), then runs
# `pam_bench compare`: figures 1 and 2 (back to back and spaced), 8
# (bursts), 9 (load and unload) and 10 to 12 (cold logins), the two builds
# and pam_oath taking turns. Prints a table: before, after, after ÷ before,
# pam_oath, after ÷ pam_oath. The figures go to
# bench/results/compare.csv. One run moves by a few percent (bursts by a
# fifth, see bench/README.md); take two before calling a difference real.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-/tmp/pam_totp-bench-build}
rev=${1:?usage: bash bench/compare.sh REV}

. "$src/bench/setup.sh"
git -C "$src" rev-parse -q --verify "$rev^{commit}" >/dev/null ||
	{ echo "compare.sh: $rev is not a commit" >&2; exit 2; }
bench_install
bench_build "$src" "$build" driver
dir=${BENCH_DIR:-$(mktemp -d /var/tmp/pam_totp_compare.XXXXXX)}
mkdir -p "$dir/before"
trap bench_cleanup EXIT
git -C "$src" archive "$rev" | tar -x -C "$dir/before"
bench_build "$dir/before" "$dir/before/_build"
bench_users 1

echo "== timing $(git -C "$src" rev-parse --short "$rev") (before) against the work tree (after)"
run "$build/bench/pam_bench" compare "$dir" "$build/pam_module/.libs/pam_totp.so" \
	"$dir/before/_build/pam_module/.libs/pam_totp.so" pam_oath.so "${users[0]}" >"$dir/figures.csv"
{
	echo "module,figure,value"
	cat "$dir/figures.csv"
	echo "machine,before,$(git -C "$src" rev-parse --short "$rev")"
	echo "machine,after,$(git -C "$src" describe --always --dirty)"
	echo "machine,loadavg_after,$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "machine,date,$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$src/bench/results/compare.csv"
echo
awk -F, -f "$src/bench/compare.awk" "$src/bench/results/compare.csv"
