#!/bin/bash
# The benchmark: pam_totp against google-authenticator-libpam and pam_oath.
#
#   bash bench/run.sh            (as root, from anywhere)
#
# Installs the two anchors (and valgrind) from Debian, builds pam_totp and
# the driver in a build directory of its own, creates 17 throwaway accounts
# (removed on exit), runs every figure through the real libpam, prints one
# table, and writes bench/results/latest.csv (the figures) and
# bench/results/samples.csv (every timed login, not committed).
#
# Environment: BENCH_DIR (scratch directory on the disk to measure, default
# a new one under /var/tmp), BUILD_DIR (default /tmp/pam_totp-bench-build),
# PAM_BENCH_LOGINS (default 500), PAM_BENCH_SCALE_LOGINS (default 200).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
results="$src/bench/results"
build=${BUILD_DIR:-/tmp/pam_totp-bench-build}

. "$src/bench/setup.sh"
bench_install
bench_build "$src" "$build" driver
driver="$build/bench/pam_bench"
totp_so="$build/pam_module/.libs/pam_totp.so"

dir=${BENCH_DIR:-$(mktemp -d /var/tmp/pam_totp_bench.XXXXXX)}
mkdir -p "$dir"
trap bench_cleanup EXIT
bench_users 17

csv="$dir/figures.csv"
mkdir -p "$results"
echo "== timing (sequential, parallel, replay race, scaling, bursts, cold logins) in $dir"
PAM_BENCH_SAMPLES="$results/samples.csv" run "$driver" run "$dir" "$totp_so" \
	pam_google_authenticator.so pam_oath.so "${users[@]}" >"$csv"

# module_of totp|ga|oath: sets so (what a service file names) and name (as
# the figures print it)
module_of() {
	case $1 in
	totp) so=$totp_so; name=pam_totp ;;
	ga) so=pam_google_authenticator.so; name=google_authenticator ;;
	oath) so=pam_oath.so; name=pam_oath ;;
	esac
}

echo "== counting instructions (callgrind, pam_authenticate only)"
for m in totp ga oath; do
	module_of "$m"
	for kind in ok fail; do
		out="$dir/callgrind.$m.$kind"
		run valgrind -q --tool=callgrind --toggle-collect=counted_authenticate \
			--callgrind-out-file="$out" "$driver" count "$m" "$dir" "$so" "${users[0]}" "$kind" 10 >>"$csv"
		total=$(sed -n 's/^totals: *//p' "$out")
		[ -n "$total" ] || total=$(sed -n 's/^summary: *//p' "$out")
		echo "$name,instructions_$kind,$((total / 10))" >>"$csv"
	done
done

# Figure 13: a cold login in a fresh process (bench/pam_cold under
# callgrind), pam_start_confdir and pam_authenticate counted separately:
# each one's inclusive cost from callgrind_annotate. pam_start is the same
# whatever the code, so it is printed for the right code only.
echo "== counting instructions of cold logins (callgrind, fresh process)"
inclusive() { # FUNCTION CALLGRIND_OUT: the function's inclusive count
	callgrind_annotate --inclusive=yes --threshold=100 "$2" 2>/dev/null |
		awk -v f="$1" '$0 ~ ":" f " " { gsub(",", "", $1); print $1; exit }'
}
for m in totp ga oath; do
	module_of "$m"
	for kind in ok replay fail; do
		out="$dir/callgrind.cold.$m.$kind"
		run "$driver" cold-count "$m" "$dir" "$so" "${users[0]}" "$kind" valgrind -q \
			--tool=callgrind --toggle-collect=counted_start \
			--toggle-collect=counted_authenticate --callgrind-out-file="$out" >>"$csv"
		[ "$kind" != ok ] || echo "$name,cold_instructions_ok_start,$(inclusive counted_start "$out")" >>"$csv"
		echo "$name,cold_instructions_${kind}_auth,$(inclusive counted_authenticate "$out")" >>"$csv"
	done
done

# the machine, for the record
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
fs=$(findmnt -n -o SOURCE,FSTYPE,OPTIONS -T "$dir" 2>/dev/null | head -1 | tr ',' ' ' || true)
disk=$(lsblk -ndo NAME,SIZE,ROTA,MODEL "$(findmnt -n -o SOURCE -T "$dir" 2>/dev/null | head -1 || true)" 2>/dev/null | tr ',' ' ' || true)
{
	echo "module,figure,value"
	cat "$csv"
	echo "machine,nproc,$(nproc)"
	echo "machine,cpu,$(echo "$cpu" | tr ',' ' ')"
	echo "machine,bench_dir_fs,$fs"
	echo "machine,disk,$disk (name size rotational model)"
	echo "machine,kernel,$(uname -r)"
	echo "machine,loadavg_after,$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "machine,date,$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "machine,syslog,$([ -S /dev/log ] && echo /dev/log || echo 'none: /dev/console bound to /dev/null')"
} >"$results/latest.csv"

echo
awk -F, -f "$src/bench/table.awk" "$results/latest.csv"
echo
echo "figures: $results/latest.csv   every timed login: $results/samples.csv"
