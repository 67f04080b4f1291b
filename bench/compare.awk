# Print bench/compare.sh's table (markdown) from bench/results/compare.csv:
#   awk -F, -f bench/compare.awk bench/results/compare.csv
# A row per figure: the older build, the newer, their ratio (below 1: the
# newer is faster), pam_oath, and the newer build's ratio to pam_oath.
NR > 1 { v[$1 "," $2] = $3 }

function val(m, f) { return ((m "," f) in v) ? v[m "," f] : "" }
function ratio(a, b) {
	if (a == "" || b == "" || b + 0 == 0) return ""
	return sprintf("%.2f", a / b)
}
function ms(x) { return x == "" ? "" : sprintf("%.3f", x) }
function row(label, f,    a, b, o) {
	b = val("pam_totp_before", f); a = val("pam_totp", f); o = val("pam_oath", f)
	printf "| %s | %s | %s | %s | %s | %s |\n", label, ms(b), ms(a), ratio(a, b), ms(o), ratio(a, o)
}

END {
	print "| figure, median (ms) | before | after | after ÷ before | pam_oath | after ÷ oath |"
	print "| --- | ---: | ---: | ---: | ---: | ---: |"
	row("1. successful login, back to back", "success_median_ms")
	row("1. successful login, spaced", "success_spaced_median_ms")
	row("2. failed login, back to back", "failure_median_ms")
	row("2. failed login, spaced", "failure_spaced_median_ms")
	row("8. burst of 16 logins of one user, round", "burst_16_round_median_ms")
	row("8. burst of 32 logins of one user, round", "burst_32_round_median_ms")
	row("9. pam_start + pam_end around a successful login", "load_unload_median_ms")
	split("ok right code;replay replay;fail wrong code", k, ";")
	for (i = 1; i <= 3; i++) {
		split(k[i], w, " ")
		name = substr(k[i], length(w[1]) + 2)
		row("10. fresh process (sudo), " name ", pam_start to pam_end", "cold_fresh_" w[1] "_login_median_ms")
		row("11. forked child (sshd), " name ", pam_start to pam_end", "cold_forked_" w[1] "_login_median_ms")
	}
	row("12. cold burst of 16 fresh processes, round", "cold_burst_16_round_median_ms")
	row("12. cold burst of 32 fresh processes, round", "cold_burst_32_round_median_ms")
	printf "\nbefore: %s; after: %s; load average after: %s; %s\n", val("machine", "before"),
		val("machine", "after"), val("machine", "loadavg_after"), val("machine", "date")
}
