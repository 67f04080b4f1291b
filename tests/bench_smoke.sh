#!/bin/bash
# The benchmark's driver still measures what it claims to, without timing
# anything (speed is measured by `bash bench/run.sh`, never by a test): for
# pam_totp and both anchors, through the real libpam, every right code is
# accepted and every wrong one refused in the instruction-count and
# sequential phases; the floor is measured both ways; and the table prints
# every figure, from a fresh run and from the committed
# bench/results/latest.csv that the README's table comes from.
. "$top_srcdir/tests/tap.sh"
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
	for kind in ok fail; do
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
for f in inplace inplace_spaced tmprename tmprename_spaced; do
	check "floor $f measured" \
		awk -F, -v f="${f}_median_ms" '$1 == "floor" && $2 == f && $3 > 0 { found = 1 } END { exit !found }' \
		"$T/seq.csv"
done

# every row of figures 1 and 2 filled in for all three modules and the
# ratios; then the committed CSV: every figure row has pam_totp's number
table=$(awk -F, -f "$top_srcdir/bench/table.awk" "$T/seq.csv")
rows=$(echo "$table" | grep -E '^\| [12]\. (successful|failed) login,' | wc -l)
check_eq "table: ten rows for figures 1 and 2" "10" "$rows"
empty=$(echo "$table" | grep -E '^\| [12]\. (successful|failed) login,' |
	awk -F'|' '{ for (i = 3; i <= 5; i++) if ($i ~ /^ *$/) print }')
check_eq "table: no module's cell empty in those rows" "" "$empty"
latest="$top_srcdir/bench/results/latest.csv"
empty=$(awk -F, -f "$top_srcdir/bench/table.awk" "$latest" |
	grep -E '^\| [1-6]\. ' | grep -v 'floor:' | awk -F'|' '$3 ~ /^ *(\/)? *$/ { print $2 }')
check_eq "bench/results/latest.csv: every figure of pam_totp present" "" "$empty"
tap_done
