# Print the benchmark table (markdown) from bench/results/latest.csv:
#   awk -F, -f bench/table.awk bench/results/latest.csv
# A row per figure, a column per module plus the floor, and pam_totp's
# ratio to each anchor and to the faster of the two (pam_totp's figure
# divided by the anchor's: below 1 is better for times and instruction
# counts, above 1 for throughput).
NR > 1 { v[$1 "," $2] = $3 }

function val(m, f) { return ((m "," f) in v) ? v[m "," f] : "" }
function ratio(a, b) {
	if (a == "" || b == "" || b + 0 == 0) return ""
	return sprintf("%.2f", a / b)
}
function fmt(x, kind) {
	if (x == "") return ""
	if (kind == "ms") return sprintf("%.3f", x)
	if (kind == "n") return sprintf("%\047d", x)
	return x
}
# the faster anchor's figure: the smaller time or count, the larger
# throughput; none for counts of outcomes (kind "")
function faster(f, kind,    g, o) {
	g = val("google_authenticator", f); o = val("pam_oath", f)
	if (kind == "" || g == "" || o == "") return ""
	if (f ~ /_per_s$/) return g + 0 > o + 0 ? g : o
	return g + 0 < o + 0 ? g : o
}
function row(label, f, kind, fl,    t, g, o) {
	t = val("pam_totp", f); g = val("google_authenticator", f); o = val("pam_oath", f)
	printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label, fmt(t, kind), fmt(g, kind),
		fmt(o, kind), fmt(fl, kind), ratio(t, g), ratio(t, o), ratio(t, faster(f, kind))
}
function text_row(label, t, g, o, fl) {
	printf "| %s | %s | %s | %s | %s | | | |\n", label, t, g, o, fl
}
function of(m, a, b) { return val(m, a) " / " val(m, b) }
function floor_ratio(label, f, fl,    d) {
	d = val("floor", fl)
	printf "| %s | %s | %s | %s | | | | |\n", label, ratio(val("pam_totp", f), d),
		ratio(val("google_authenticator", f), d), ratio(val("pam_oath", f), d)
}
function floor_row(label, f) {
	text_row(label ", median / p90 (ms)", "", "", "",
		fmt(val("floor", f "_median_ms"), "ms") " / " fmt(val("floor", f "_p90_ms"), "ms"))
}

# Figures 10 and 11: per kind of login, pam_start_confdir to pam_end
# (the login; 10's right-code median is the cold headline) and
# pam_authenticate alone.
function cold_rows(num, what, f,    i, k, name) {
	split("ok right code;replay replay;fail wrong code", k, ";")
	for (i = 1; i <= 3; i++) {
		name = substr(k[i], index(k[i], " ") + 1)
		split(k[i], key, " ")
		row(num ". " what ", " name ", pam_start to pam_end, median (ms)",
			f "_" key[1] "_login_median_ms", "ms", "")
		row(num ". " what ", " name ", pam_start to pam_end, p90 (ms)",
			f "_" key[1] "_login_p90_ms", "ms", "")
		row(num ". " what ", " name ", pam_authenticate, median (ms)",
			f "_" key[1] "_auth_median_ms", "ms", "")
	}
}

END {
	print "| figure | pam_totp | google-authenticator | pam_oath | floor | pam_totp ÷ GA | pam_totp ÷ oath | pam_totp ÷ faster anchor |"
	print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	row("1. successful login, back to back, median (ms)", "success_median_ms", "ms", val("floor", "inplace_median_ms"))
	row("1. successful login, back to back, p90 (ms)", "success_p90_ms", "ms", val("floor", "inplace_p90_ms"))
	row("1. successful login, back to back, p99 (ms)", "success_p99_ms", "ms", val("floor", "inplace_p99_ms"))
	floor_ratio("1. back to back: median ÷ in-place floor", "success_median_ms", "inplace_median_ms")
	row("1. successful login, spaced, median (ms)", "success_spaced_median_ms", "ms", val("floor", "inplace_spaced_median_ms"))
	row("1. successful login, spaced, p90 (ms)", "success_spaced_p90_ms", "ms", val("floor", "inplace_spaced_p90_ms"))
	row("1. successful login, spaced, p99 (ms)", "success_spaced_p99_ms", "ms", val("floor", "inplace_spaced_p99_ms"))
	floor_ratio("1. spaced: median ÷ in-place floor (spaced)", "success_spaced_median_ms", "inplace_spaced_median_ms")
	row("2. failed login, back to back, median (ms)", "failure_median_ms", "ms", "")
	row("2. failed login, back to back, p90 (ms)", "failure_p90_ms", "ms", "")
	row("2. failed login, spaced, median (ms)", "failure_spaced_median_ms", "ms", "")
	row("2. failed login, spaced, p90 (ms)", "failure_spaced_p90_ms", "ms", "")
	row("3. instructions per successful login", "instructions_ok", "n", "")
	row("3. instructions per failed login", "instructions_fail", "n", "")
	row("4. login at 100 users, median (ms)", "scale_100_median_ms", "ms", "")
	row("4. login at 10,000 users, median (ms)", "scale_10000_median_ms", "ms", "")
	row("4. login at 100,000 users, median (ms)", "scale_100000_median_ms", "ms", "")
	printf "| 4. 100,000 users ÷ 100 users | %s | %s | %s | | | | |\n",
		ratio(val("pam_totp", "scale_100000_median_ms"), val("pam_totp", "scale_100_median_ms")),
		ratio(val("google_authenticator", "scale_100000_median_ms"), val("google_authenticator", "scale_100_median_ms")),
		ratio(val("pam_oath", "scale_100000_median_ms"), val("pam_oath", "scale_100_median_ms"))
	text_row("5. parallel: accepted / legitimate", of("pam_totp", "parallel_accepted", "parallel_expected"),
		of("google_authenticator", "parallel_accepted", "parallel_expected"),
		of("pam_oath", "parallel_accepted", "parallel_expected"), "")
	row("5. parallel: accepted logins per second", "parallel_logins_per_s", "n", "")
	row("6. replay race: rounds with >1 accepted (of 50)", "replay_rounds_accepted_more_than_once", "", "")
	row("6. replay race: most accepted in one round", "replay_most_accepted_in_a_round", "", "")
	floor_row("7. floor: in-place 512 B write + fdatasync, back to back", "inplace")
	floor_row("7. floor: in-place 512 B write + fdatasync, spaced", "inplace_spaced")
	floor_row("7. floor: temp file + fsync + rename, back to back", "tmprename")
	floor_row("7. floor: temp file + fsync + rename, spaced", "tmprename_spaced")
	row("8. burst of 16 logins of one user, round, median (ms)", "burst_16_round_median_ms", "ms", "")
	row("8. burst of 16 logins of one user, round, p90 (ms)", "burst_16_round_p90_ms", "ms", "")
	row("8. burst of 16: rounds with >1 accepted", "burst_16_rounds_accepted_more_than_once", "", "")
	row("8. burst of 32 logins of one user, round, median (ms)", "burst_32_round_median_ms", "ms", "")
	row("8. burst of 32 logins of one user, round, p90 (ms)", "burst_32_round_p90_ms", "ms", "")
	row("8. burst of 32: rounds with >1 accepted", "burst_32_rounds_accepted_more_than_once", "", "")
	row("9. pam_start + pam_end around a successful login, median (ms)", "load_unload_median_ms", "ms", "")
	row("9. pam_start + pam_end around a successful login, p90 (ms)", "load_unload_p90_ms", "ms", "")
	cold_rows("10", "fresh process per login (sudo)", "cold_fresh")
	cold_rows("11", "child forked from a process that used libcrypto (sshd)", "cold_forked")
	for (n = 16; n <= 32; n *= 2) {
		row("12. cold burst of " n " fresh processes of one user, round, median (ms)",
			"cold_burst_" n "_round_median_ms", "ms", "")
		row("12. cold burst of " n ", round, p90 (ms)", "cold_burst_" n "_round_p90_ms", "ms", "")
		row("12. cold burst of " n ": rounds with >1 accepted", "cold_burst_" n "_rounds_accepted_more_than_once", "", "")
	}
	row("13. instructions, fresh process, right code: pam_start", "cold_instructions_ok_start", "n", "")
	split("ok right code;replay replay;fail wrong code", kinds, ";")
	for (i = 1; i <= 3; i++) {
		split(kinds[i], kw, " ")
		row("13. instructions, fresh process, " substr(kinds[i], length(kw[1]) + 2) ": pam_authenticate",
			"cold_instructions_" kw[1] "_auth", "n", "")
	}
	printf "\nmachine: %s CPUs, %s; bench dir on %s (disk %s); kernel %s; syslog: %s; load average after: %s; %s\n",
		val("machine", "nproc"), val("machine", "cpu"), val("machine", "bench_dir_fs"), val("machine", "disk"),
		val("machine", "kernel"), val("machine", "syslog"), val("machine", "loadavg_after"), val("machine", "date")
}
