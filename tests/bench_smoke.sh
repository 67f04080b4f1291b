#!/bin/bash
# The benchmark's driver still measures what it claims to, without timing
# anything (speed is measured by `bash bench/run.sh`, never by a test): for
# pam_totp and both anchors, through the real libpam, every right code is
# accepted and every wrong or replayed one refused in the instruction-count,
# sequential and cold phases; the floor is measured both ways; every burst
# round, warm or cold, accepts its code (pam_totp's once); and the table prints
# every figure, from a fresh run and from the committed
# bench/results/latest.csv that the README's table comes from.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "a check of the benchmark driver; the module's logins run under ASan in the other tests"
driver="$top_builddir/bench/pam_bench"
totp_so="$top_builddir/pam_module/.libs/pam_totp.so"
[ -x "$driver" ] || bail "$driver not built"
[ -f "$totp_so" ] || bail "$totp_so not built"
for so in pam_google_authenticator.so pam_oath.so; do
	find /lib /usr/lib -path '*/security/*' -name "$so" 2>/dev/null | grep -q . ||
		bail "$so is not installed (tests/install-deps.sh installs it)"
done
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
user=$(id -un) # records, secrets and the users file are this user's

# As bench/run.sh: with no syslog daemon, glibc may write log lines to
# /dev/console, so the driver runs where that is /dev/null when it can.
run() {
	if [ ! -S /dev/log ] && unshare --mount --propagation private true 2>/dev/null; then
		unshare --mount --propagation private \
			sh -c 'mount --bind /dev/null /dev/console && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

so_of() {
	case $1 in
	totp) echo "$totp_so" ;;
	ga) echo pam_google_authenticator.so ;;
	oath) echo pam_oath.so ;;
	esac
}
name_of() {
	case $1 in
	totp) echo pam_totp ;;
	ga) echo google_authenticator ;;
	oath) echo pam_oath ;;
	esac
}

# pam_oath never frees the conversation's answer: in the sanitizer build
# LeakSanitizer would fail any process that loads it. Leak checking stays
# on where only pam_totp is loaded.
anchor_env() { [ "$1" = totp ] || echo "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"; }

for m in totp ga oath; do
	for kind in ok fail replay; do
		out=$(run env $(anchor_env "$m") "$driver" count "$m" "$T" "$(so_of "$m")" "$user" \
			"$kind" 3 2>"$T/err")
		check_eq "$(name_of "$m"): every $kind login in the count phase went as expected" \
			"$(name_of "$m"),count_${kind}_unexpected_results,0" "$out"
	done
done

mkdir "$T/seq"
{
	echo "module,figure,value"
	PAM_BENCH_LOGINS=10 run env $(anchor_env oath) "$driver" seq "$T/seq" "$totp_so" \
		pam_google_authenticator.so pam_oath.so "$user"
} >"$T/seq.csv" 2>"$T/err"
for m in pam_totp google_authenticator pam_oath; do
	for phase in sequential sequential_spaced; do
		check "$m: $phase phase, every right code accepted and every wrong one refused" \
			grep -qx "$m,${phase}_unexpected_results,0" "$T/seq.csv"
	done
done
for m in pam_totp google_authenticator pam_oath; do
	check "$m: figure 9 (pam_start + pam_end) measured" \
		awk -F, -v m="$m" '$1 == m && $2 == "load_unload_median_ms" && $3 > 0 { found = 1 }
			END { exit !found }' "$T/seq.csv"
done
for f in inplace inplace_spaced tmprename tmprename_spaced; do
	check "floor $f measured" \
		awk -F, -v f="${f}_median_ms" '$1 == "floor" && $2 == f && $3 > 0 { found = 1 } END { exit !found }' \
		"$T/seq.csv"
done

# figure 8, two rounds: the modules take turns within each round; each
# round accepts the code (pam_totp exactly once), for 16 and 32 logins
mkdir "$T/burst"
PAM_BENCH_BURST_ROUNDS=2 run env $(anchor_env oath) "$driver" burst "$T/burst" "$totp_so" \
	pam_google_authenticator.so pam_oath.so "$user" >"$T/burst.csv" 2>"$T/err"
for n in 16 32; do
	for m in pam_totp google_authenticator pam_oath; do
		check "$m: burst of $n, every round accepted the code" \
			grep -qx "$m,burst_${n}_rounds_accepted_never,0" "$T/burst.csv"
		check "$m: burst of $n, its round measured" \
			awk -F, -v m="$m" -v f="burst_${n}_round_median_ms" \
				'$1 == m && $2 == f && $3 > 0 { found = 1 } END { exit !found }' "$T/burst.csv"
	done
	check "pam_totp: burst of $n, never accepted twice" \
		grep -qx "pam_totp,burst_${n}_rounds_accepted_more_than_once,0" "$T/burst.csv"
done
mkdir "$T/only"
out=$(PAM_BENCH_BURST_ROUNDS=1 PAM_BENCH_ONLY=pam_oath run env $(anchor_env oath) "$driver" burst \
	"$T/only" "$totp_so" pam_google_authenticator.so pam_oath.so "$user" 2>>"$T/err" |
	cut -d, -f1 | sort -u | tr '\n' ' ')
check_eq "PAM_BENCH_ONLY runs that module alone" "pam_oath " "$out"

# figures 10 to 12, the cold logins, two rounds and one burst round each:
# in fresh processes (bench/pam_cold) and in children forked from a
# process that used libcrypto (bench/pam_cold_sshd), every right code
# accepted and every wrong code and replay refused; every cold burst round
# accepts its code, pam_totp's once; and figure 13's cold login, run here
# without valgrind, goes as expected for each kind
mkdir "$T/cold"
{
	echo "module,figure,value"
	PAM_BENCH_COLD_LOGINS=2 PAM_BENCH_COLD_ROUNDS=1 run env $(anchor_env oath) "$driver" cold \
		"$T/cold" "$totp_so" pam_google_authenticator.so pam_oath.so "$user"
} >"$T/cold.csv" 2>"$T/err"
for m in pam_totp google_authenticator pam_oath; do
	for mode in cold_fresh cold_forked; do
		check "$m: $mode, every right code accepted, every wrong code and replay refused" \
			grep -qx "$m,${mode}_unexpected_results,0" "$T/cold.csv"
		for kind in ok replay fail; do
			check "$m: $mode $kind, login and pam_authenticate measured" \
				awk -F, -v m="$m" -v p="${mode}_${kind}_" \
					'$1 == m && ($2 == p "login_median_ms" || $2 == p "auth_median_ms") && $3 > 0 { n++ }
					END { exit n != 2 }' "$T/cold.csv"
		done
	done
	for n in 16 32; do
		check "$m: cold burst of $n, every round accepted the code" \
			grep -qx "$m,cold_burst_${n}_rounds_accepted_never,0" "$T/cold.csv"
	done
done
for n in 16 32; do
	check "pam_totp: cold burst of $n, never accepted twice" \
		grep -qx "pam_totp,cold_burst_${n}_rounds_accepted_more_than_once,0" "$T/cold.csv"
done
for m in totp ga oath; do
	for kind in ok replay fail; do
		out=$(run env $(anchor_env "$m") "$driver" cold-count "$m" "$T" "$(so_of "$m")" "$user" \
			"$kind" 2>"$T/err")
		check_eq "$(name_of "$m"): a cold $kind login as figure 13 counts it went as expected" \
			"$(name_of "$m"),cold_count_${kind}_unexpected_results,0" "$out"
	done
done
# bench/compare.sh's run: two builds of pam_totp (here the same one twice)
# and pam_oath, every login as expected in each phase, and every row of
# its table filled in for all three
mkdir "$T/cmp"
{
	echo "module,figure,value"
	PAM_BENCH_LOGINS=10 PAM_BENCH_BURST_ROUNDS=1 PAM_BENCH_COLD_LOGINS=2 PAM_BENCH_COLD_ROUNDS=1 \
		run env $(anchor_env oath) "$driver" compare "$T/cmp" "$totp_so" "$totp_so" pam_oath.so "$user"
} >"$T/cmp.csv" 2>"$T/err"
for m in pam_totp pam_totp_before pam_oath; do
	bad=$(awk -F, -v m="$m" '$1 == m && $2 ~ /_unexpected_results$/ && $3 != 0 { print $2 }
		$1 == m && $2 ~ /^(cold_)?burst_[0-9]+_rounds_accepted_never$/ && $3 != 0 { print $2 }
		$1 == m && $2 ~ /_unexpected_results$/ { n++ }
		END { if (n < 4) print "only " n " phases reported" }' "$T/cmp.csv")
	check_eq "compare, $m: every login in every phase went as expected" "" "$bad"
done
for m in pam_totp pam_totp_before; do
	for n in 16 32; do
		check "compare, $m: no burst of $n, warm or cold, accepted the code twice" \
			awk -F, -v m="$m" -v f="burst_${n}_rounds_accepted_more_than_once" \
				'$1 == m && ($2 == f || $2 == "cold_" f) && $3 == 0 { k++ } END { exit k != 2 }' "$T/cmp.csv"
	done
done
table=$(awk -F, -f "$top_srcdir/bench/compare.awk" "$T/cmp.csv")
rows=$(echo "$table" | grep -E '^\| [0-9]+\. ' | wc -l)
filled=$(echo "$table" | grep -E '^\| [0-9]+\. ' |
	awk -F'|' '$3 !~ /^ *$/ && $4 !~ /^ *$/ && $5 !~ /^ *$/ && $6 !~ /^ *$/' | wc -l)
check_eq "compare table: all 15 rows, before, after, ratio and pam_oath filled" "15 15" "$rows $filled"

table=$(awk -F, -f "$top_srcdir/bench/table.awk" "$T/cold.csv")
rows=$(echo "$table" | grep -E '^\| 1[012]\. ' | awk -F'|' '$3 !~ /^ *$/ && $4 !~ /^ *$/ && $5 !~ /^ *$/' | wc -l)
check_eq "table: the 24 rows of figures 10 to 12 filled for all three modules" "24" "$rows"

# every row of figures 1 and 2 filled in for all three modules and the
# ratios; then the committed CSV: every figure row has pam_totp's number
table=$(awk -F, -f "$top_srcdir/bench/table.awk" "$T/seq.csv")
rows=$(echo "$table" | grep -E '^\| [12]\. (successful|failed) login,' | wc -l)
check_eq "table: ten rows for figures 1 and 2" "10" "$rows"
empty=$(echo "$table" | grep -E '^\| [12]\. (successful|failed) login,' |
	awk -F'|' '{ for (i = 3; i <= 5; i++) if ($i ~ /^ *$/) print }')
check_eq "table: no module's cell empty in those rows" "" "$empty"
rows=$(echo "$table" | grep -E '^\| 9\. ' | awk -F'|' '$3 !~ /^ *$/ && $4 !~ /^ *$/ && $5 !~ /^ *$/' | wc -l)
check_eq "table: figure 9's two rows filled for all three modules" "2" "$rows"
latest="$top_srcdir/bench/results/latest.csv"
empty=$(awk -F, -f "$top_srcdir/bench/table.awk" "$latest" |
	grep -E '^\| [1-689]\. ' | grep -v 'floor:' | awk -F'|' '$3 ~ /^ *(\/)? *$/ { print $2 }')
check_eq "bench/results/latest.csv: every figure of pam_totp present" "" "$empty"
# the table the documentation shows is the one the committed CSV prints
missing=$(awk -F, -f "$top_srcdir/bench/table.awk" "$latest" | grep -E '^\| [0-9]+\. ' |
	while IFS= read -r line; do
		cat "$top_srcdir/README.md" "$top_srcdir/bench/README.md" 2>/dev/null |
			grep -qxF -- "$line" || echo "$line"
	done)
check_eq "the documented table is bench/results/latest.csv's, row for row" "" "$missing"
tap_done
