#!/bin/bash
# totp-admin check: every rule fires on a set-up with its danger (a PAM
# directory, configuration file and sshd settings of the test's own, with
# sshd -T's output saved in a file, so the machine's sshd plays no part)
# and names its file and line; and it is silent on the documented set-ups:
# README's stacks and sshd lines, every file of examples/pam.d,
# examples/sshd_config, examples/pam_totp.conf, and the pam-auth-update
# profile as pam-auth-update writes it into common-auth. Needs root
# (totp-admin is root only; files owned by others).
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (totp-admin is root only)"; exit 0; }
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/admin_env.sh"

P=$T/p                  # the PAM directory of each case
S=$T/store              # a record store as it should be
mkdir -m 700 "$S" "$T/c"
CONF=$T/c/pam_totp.conf # examples/pam_totp.conf, installed as make install does
install -m 644 "$top_srcdir/examples/pam_totp.conf" "$CONF"
EX_SSHD=$top_srcdir/examples/sshd_config

# readme_block HEADING N: the Nth indented block under "## HEADING" of README.md
readme_block() {
	awk -v h="## $1" -v n="$2" '
		$0 == h { on = 1; next }
		on && /^## / { exit }
		on && /^    / { if (!in_block) { b++; in_block = 1 } if (b == n) print substr($0, 5); next }
		on && $0 != "" { in_block = 0 }' "$top_srcdir/README.md"
}
# Debian 12's common-auth as pam-auth-update writes it (no profile of ours)
common_auth() {
	printf 'auth\t[success=1 default=ignore]\tpam_unix.so nullok\n'
	printf 'auth\trequisite\t\t\tpam_deny.so\n'
	printf 'auth\trequired\t\t\tpam_permit.so\n'
	printf 'auth\toptional\t\t\tpam_cap.so\n'
}
# new_pam: an empty PAM directory with Debian's common-auth
new_pam() { rm -rf "$P"; mkdir "$P"; common_auth >"$P/common-auth"; }
# service NAME LINE...: a service file; /var/lib/pam_totp becomes $S
service() {
	local name=$1; shift
	printf '%s\n' "$@" | sed "s|/var/lib/pam_totp|$S|g" >"$P/$name"
}
# conf NAME LINE...: a configuration file, root's, mode 0644; prints its path
conf() {
	local f=$T/c/$1; shift
	printf '%s\n' "$@" >"$f" && chmod 644 "$f" && echo "$f"
}
# sshd_t NAME LINE...: saved sshd -T output; prints its path
sshd_t() {
	local f=$T/$1; shift
	printf '%s\n' "$@" >"$f" && echo "$f"
}
GOOD_T=$(sshd_t good.T "usepam yes" "kbdinteractiveauthentication yes" \
	"passwordauthentication no" "pubkeyauthentication yes" \
	"authenticationmethods keyboard-interactive" "logingracetime 600")
# the usual arguments: the case's PAM directory, examples/pam_totp.conf,
# sshd as it should be
std=(--pam-dir "$P" --conf "$CONF" --sshd-T "$GOOD_T")

# One python for every question about JSON output: starting one costs more
# than a check.
coproc JSONQ { python3 -u -c '
import json, sys
for line in sys.stdin:
    path, expr = line.rstrip("\n").split("\t", 1)
    try:
        d = json.load(open(path))
        out = str(eval(expr))
    except Exception as e:
        out = "python: %r" % e
    print(out.replace("\n", "\\n"), flush=True)
'; }
# json_q FILE EXPR: EXPR on the parsed FILE (as d), in $REPLY
json_q() {
	printf '%s\t%s\n' "$1" "$2" >&"${JSONQ[1]}"
	IFS= read -r REPLY <&"${JSONQ[0]}"
}
# findings: the last run's findings in $REPLY, "severity rule FILE[:LINE]"
# with $T/ left out, sorted, "; " between
findings() {
	json_q "$T/admin.out" "'; '.join(sorted('%s %s %s%s' % (f['severity'], f['rule'], f['file'].replace('$T/', ''), ':%d' % f['line'] if f['line'] else '') for f in d))"
}
# expect DESC EXIT FINDINGS ARGS...: totp-admin check --json ARGS exits
# EXIT with exactly FINDINGS
expect() {
	local desc=$1 rc=$2 want=$3; shift 3
	admin check --json "$@"
	findings
	check_eq "$desc" "$rc|$want" "$admin_rc|$REPLY"
}
# silent DESC ARGS...: totp-admin check ARGS prints nothing and exits 0
silent() {
	local desc=$1; shift
	admin check "$@"
	check_eq "$desc" "0|" "$admin_rc|$(cat "$T/admin.out" "$T/admin.err")"
}
# message: the message and fix of the last run's first finding, in $REPLY
message() { json_q "$T/admin.out" "d[0]['message'] + ' FIX ' + d[0]['fix']"; }

# ---- silent on the documented set-ups ----

new_pam
service sshd "@include common-auth" "$(readme_block "SSH: password then code" 1)"
readme_block "SSH: password then code" 2 >"$T/password_code.sshd_config"
silent "README, SSH: password then code (with its sshd lines)" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/password_code.sshd_config"
silent "... and with examples/sshd_config" --pam-dir "$P" --conf "$CONF" --sshd-config "$EX_SSHD"
silent "... and with saved sshd -T output to the same effect" "${std[@]}"
admin check --pam-dir "$P" --conf "$CONF" --sshd-config "$EX_SSHD" --json
check_eq "--json: an empty array when clean" "[]" "$(cat "$T/admin.out")"

new_pam
service sshd $'auth requisite pam_unix.so\nauth required pam_totp.so'
silent "README and pam_totp(8): without common-auth, auth requisite pam_unix.so" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$EX_SSHD"

new_pam
service sshd "$(readme_block "SSH: password then code" 3)"
silent "README, one answer for the password and the code" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$EX_SSHD"

new_pam
service sshd "$(readme_block "SSH: key then code" 1)"
readme_block "SSH: key then code" 2 >"$T/key_code.sshd_config"
silent "README, SSH: key then code (with its sshd lines)" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/key_code.sshd_config"

for f in "$top_srcdir"/examples/pam.d/*; do
	name=$(basename "$f")
	new_pam
	case $name in
	sudo) service sudo "$(cat "$f")" ;;
	*) service sshd "$(cat "$f")" ;;
	esac
	case $name in
	sshd-key-code)
		# examples/sshd_config with its "key then code" lines in force
		sed -e 's/^AuthenticationMethods keyboard-interactive/#&/' \
			-e 's/^#\(PubkeyAuthentication\|AuthenticationMethods publickey\)/\1/' \
			"$EX_SSHD" >"$T/ex_key.sshd_config"
		sshd_config=$T/ex_key.sshd_config ;;
	*) sshd_config=$EX_SSHD ;;
	esac
	silent "examples/pam.d/$name" --pam-dir "$P" --conf "$CONF" --sshd-config "$sshd_config"
done

grep -q 'add `auth required pam_totp.so secret=/var/lib/pam_totp/%u`' "$top_srcdir/README.md" ||
	bail "README's sudo line has changed"
new_pam
service sudo "@include common-auth" "auth required pam_totp.so secret=/var/lib/pam_totp/%u"
service sudo-i "auth include sudo"
silent "README, sudo (and sudo-i, which includes it)" --pam-dir "$P" --conf "$CONF"

# enrolment at first login: README's stack with a deadline still ahead,
# examples/sshd_config with README's LoginGraceTime
new_pam
service sshd "$(readme_block "Enrolment at first login" 1 | sed 's/enroll_until=[0-9-]*/enroll_until=2099-12-31/')"
{ cat "$EX_SSHD"; readme_block "Enrolment at first login" 2; } >"$T/enrol.sshd_config"
check_eq "README names LoginGraceTime for enrolment" "LoginGraceTime 600" \
	"$(readme_block "Enrolment at first login" 2)"
silent "README, enrolment at first login, with its LoginGraceTime" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/enrol.sshd_config"
sed 's/^#LoginGraceTime/LoginGraceTime/' "$EX_SSHD" >"$T/enrol_ex.sshd_config"
silent "... and with examples/sshd_config's LoginGraceTime line" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/enrol_ex.sshd_config"
expect "... without it, sshd's 120 s are named (a warning: exit 0)" 0 \
	"warning sshd-grace $EX_SSHD" --pam-dir "$P" --conf "$CONF" --sshd-config "$EX_SSHD"
check "... at sshd's default, named as such" grep -q "LoginGraceTime 120 (the default)" "$T/admin.out"

# the pam-auth-update profile, as pam-auth-update writes it into common-auth
profile=$(sed -n '/^Auth:/{n;s/^[[:space:]]*//;p}' "$top_srcdir/debian/pam-configs/pam-totp")
check_eq "the profile's line" "required	pam_totp.so nullok" "$profile"
new_pam
{ common_auth | grep -v pam_cap; printf 'auth\t%s\n' "$profile"; } >"$P/common-auth"
service sshd "@include common-auth"
silent "pam-auth-update's common-auth, sshd as in README" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/password_code.sshd_config"
expect "... with only KbdInteractiveAuthentication yes and PasswordAuthentication no: a key alone still logs in (a warning)" \
	0 "warning sshd-methods kbd.T:4" --pam-dir "$P" --conf "$CONF" \
	--sshd-T "$(sshd_t kbd.T "usepam yes" "kbdinteractiveauthentication yes" \
		"passwordauthentication no" "authenticationmethods any" "pubkeyauthentication yes")"
service sudo "@include common-auth"
expect "... Debian's sudo includes it: records in the homes are named" 6 \
	"danger sudo-home p/common-auth:4" "${std[@]}"
silent "... not with secret=/var/lib/pam_totp/%u in the configuration file" --pam-dir "$P" \
	--conf "$(conf admin.conf "secret=$S/%u")" --sshd-T "$GOOD_T"

# ---- each rule fires, at its file and line ----

new_pam
service sshd $'auth required pam_unix.so\nauth required pam_totp.so'
expect "order: a required password module" 6 "danger order p/sshd:2" "${std[@]}"
message
check "... the message names the password line, the fix makes it requisite" \
	grep -q "wrong password at $P/sshd:1 (required pam_unix.so).*FIX make $P/sshd:1 requisite" <<<"$REPLY"
admin check "${std[@]}"
check "... as text: FILE:LINE: danger: WHAT; fix: HOW" \
	grep -Eq "^$P/sshd:2: danger: pam_totp runs after a wrong password .* \(service sshd\); fix: make $P/sshd:1 requisite" \
	"$T/admin.out"
check_eq "... one line" 1 "$(wc -l <"$T/admin.out")"
check_eq "... exit 6" 6 "$admin_rc"
service sshd $'auth required pam_unix.so\nauth required pam_totp.so enroll=prompt enroll_from=10.0.0.0/8 enroll_services=sshd secret=/var/lib/pam_totp/%u'
expect "... with enroll=prompt" 6 "danger order p/sshd:2" "${std[@]}"
message
check "... which enrols before the password is known" grep -q "enrols a phone before the password" <<<"$REPLY"
service sshd "# a line continued" "auth required \\" "	pam_unix.so" "auth required pam_totp.so"
expect "... a line continued is named by its first line" 6 "danger order p/sshd:4" "${std[@]}"
message
check "... as the password line" grep -q "wrong password at $P/sshd:2 (required pam_unix.so)" <<<"$REPLY"
service sshd "auth substack common-auth" "auth required pam_totp.so"
expect "order: common-auth as a substack (its requisite ends only the substack)" 6 \
	"danger order p/sshd:2" "${std[@]}"
message
check "... named, with include as the fix" grep -q "inside the substack of $P/sshd:1.*FIX take the file in with include" <<<"$REPLY"
service system-auth "auth required pam_env.so" "auth sufficient pam_unix.so nullok" \
	"auth required pam_deny.so"
service login "auth include system-auth" "auth required pam_totp.so"
service sshd "@include common-auth" "auth required pam_totp.so"
expect "order and unreached: sufficient pam_unix, required pam_deny (another system's system-auth)" \
	6 "danger order p/login:2; danger unreached p/login:2" "${std[@]}"
message
check "... the fix makes its pam_deny requisite" grep -q "FIX make $P/system-auth:3 (required pam_deny.so) requisite" <<<"$REPLY"

new_pam
service sshd "auth [success=done default=die] pam_unix.so" "auth required pam_totp.so"
expect "unreached: a right password ends the stack before pam_totp" 6 "danger unreached p/sshd:2" "${std[@]}"
service sshd "auth [success=2 default=ignore] pam_unix.so" "auth requisite pam_deny.so" \
	"auth required pam_totp.so" "auth required pam_permit.so"
expect "... a jump over pam_totp" 6 "danger unreached p/sshd:3" "${std[@]}"
service sshd "auth [success=ok default=die] pam_unix.so" "auth required pam_totp.so"
silent "[success=ok default=die] before pam_totp is safe" "${std[@]}"

new_pam
service sshd "@include common-auth" "auth required pam_totp.so secret=/var/lib/pam_totp/%u"
expect "enroll-limits: enroll=prompt in the configuration file, no limits" 6 \
	"danger enroll-limits c/enrol.conf:2" --pam-dir "$P" \
	--conf "$(conf enrol.conf "# enrolment" "enroll=prompt")" --sshd-T "$GOOD_T"
service sshd "@include common-auth" "auth required pam_totp.so secret=/var/lib/pam_totp/%u enroll=prompt enroll_from=10.0.0.0/8"
expect "... enroll_from alone is not enough" 6 "danger enroll-limits p/sshd:2" "${std[@]}"
message
check "... enroll_services is named" grep -q "without enroll_services.*FIX add enroll_services=sshd" <<<"$REPLY"

new_pam
service sshd "@include common-auth" "auth required pam_totp.so nullok enroll_until=2020-01-01"
expect "nullok-expired: nullok past enroll_until" 6 "danger nullok-expired p/sshd:2" "${std[@]}"
service sshd "@include common-auth" "auth required pam_totp.so enroll_until=2020-01-01"
expect "... nullok from the configuration file is named there" 6 \
	"danger nullok-expired c/nullok.conf:1" --pam-dir "$P" \
	--conf "$(conf nullok.conf nullok)" --sshd-T "$GOOD_T"
service sshd "@include common-auth" "auth required pam_totp.so nullok enroll_until=2099-12-31"
silent "... not before the deadline" "${std[@]}"

new_pam
service sudo "@include common-auth" "auth required pam_totp.so"
service sudo-i "auth include sudo"
expect "sudo-home: sudo with the records in the homes" 6 "danger sudo-home p/sudo:2" \
	--pam-dir "$P" --conf "$CONF"
json_q "$T/admin.out" "d[0]['message']"
check_eq "... once, for both services" "sudo checks codes against records in the home (secret=%h/.pam_totp, the default): the record is the user's, so any program the user runs can read the secret, reset the failures or put an older record back (services sudo, sudo-i)" \
	"$REPLY"

new_pam
service sshd "@include common-auth" "auth required pam_totp.so forward_pass"
expect "forward-pass on the line" 6 "danger forward-pass p/sshd:2" "${std[@]}"
service sshd "@include common-auth" "auth required pam_totp.so"
expect "forward-pass in the configuration file" 6 "danger forward-pass c/fp.conf:2" \
	--pam-dir "$P" --conf "$(conf fp.conf window=1 forward_pass)" --sshd-T "$GOOD_T"

expect "config: an option the module does not know, at its line" 6 "danger config c/bad.conf:3" \
	--pam-dir "$P" --conf "$(conf bad.conf "# x" "window=2" "windw=3")" --sshd-T "$GOOD_T"
message
check "... named" grep -q "unknown option 'windw=3'" <<<"$REPLY"
# owned DESC MODE OWNER PATH EXIT FINDINGS ARGS...: expect, PATH with MODE and OWNER
owned() {
	local desc=$1 mode=$2 owner=$3 path=$4; shift 4
	chmod "$mode" "$path" && chown "$owner" "$path" && expect "$desc" "$@"
}
f=$(conf others.conf window=1)
owned "config: a configuration file others may write" 664 root "$f" \
	6 "danger config c/others.conf" --pam-dir "$P" --conf "$f" --sshd-T "$GOOD_T"
owned "config: a configuration file that is not root's" 644 nobody "$f" \
	6 "danger config c/others.conf" --pam-dir "$P" --conf "$f" --sshd-T "$GOOD_T"
mkfifo "$T/c/fifo.conf"
expect "config: a FIFO in its place (refused; check does not hang on it)" 6 "danger config c/fifo.conf" \
	--pam-dir "$P" --conf "$T/c/fifo.conf" --sshd-T "$GOOD_T"
service sshd "@include common-auth" "auth required pam_totp.so conf=$T/c/missing.conf"
expect "config: a conf= file that does not exist" 6 "danger config c/missing.conf" "${std[@]}"
service sshd "@include common-auth" "auth required pam_totp.so window=99"
expect "config: a bad value on the line" 6 "danger config p/sshd:2" "${std[@]}"

new_pam
service sshd "@include common-auth" "auth required pam_totp.so secret=$T/open/%u"
mkdir "$T/open"
owned "store-dir: a store others may write" 777 root "$T/open" 6 "danger store-dir open" "${std[@]}"
owned "store-dir: a store others may look into (a warning)" 755 root "$T/open" \
	0 "warning store-dir open" "${std[@]}"
owned "store-dir: a store that is not root's" 700 nobody "$T/open" 6 "danger store-dir open" "${std[@]}"
service sshd "@include common-auth" "auth required pam_totp.so secret=$T/none/%u"
expect "store-dir: a store that does not exist (a warning)" 0 "warning store-dir none" "${std[@]}"

if [ -n "$have_pq" ]; then
	# store=postgresql: the key files, and the plugin beside the module
	mkdir "$T/mod"
	install -m 755 /dev/null "$T/mod/pam_totp_pg.so"
	pg_conf=$(conf pg.conf store=postgresql "db=host=/nonexistent dbname=totp" "db_key=$T/key")
	service sshd "@include common-auth" "auth required $T/mod/pam_totp.so"
	expect "key-file: missing" 6 "danger key-file key" --pam-dir "$P" --conf "$pg_conf" --sshd-T "$GOOD_T"
	printf '%064d\n' 0 >"$T/key"
	chmod 640 "$T/key"
	expect "key-file: group may read it" 6 "danger key-file key" --pam-dir "$P" --conf "$pg_conf" --sshd-T "$GOOD_T"
	chmod 600 "$T/key"
	silent "store=postgresql with its key file and plugin as they should be" \
		--pam-dir "$P" --conf "$pg_conf" --sshd-T "$GOOD_T"
	expect "key-file: db_key=none (a warning)" 0 "warning key-file c/none.conf:3" --pam-dir "$P" \
		--conf "$(conf none.conf store=postgresql "db=host=/nonexistent dbname=totp" db_key=none)" \
		--sshd-T "$GOOD_T"
	expect "key-file: db_key_old= missing" 6 "danger key-file old.key" --pam-dir "$P" \
		--conf "$(conf old.conf store=postgresql "db=host=/nonexistent dbname=totp" "db_key=$T/key" \
			"db_key_old=$T/old.key")" --sshd-T "$GOOD_T"
	chmod 775 "$T/mod/pam_totp_pg.so"
	expect "plugin: others may write it" 6 "danger plugin mod/pam_totp_pg.so" \
		--pam-dir "$P" --conf "$pg_conf" --sshd-T "$GOOD_T"
	rm "$T/mod/pam_totp_pg.so"
	expect "plugin: missing" 6 "danger plugin mod/pam_totp_pg.so" \
		--pam-dir "$P" --conf "$pg_conf" --sshd-T "$GOOD_T"
	install -m 755 /dev/null "$T/mod/pam_totp_pg.so"
	service sshd "@include common-auth" \
		"auth required $T/mod/pam_totp.so store=postgresql [db=host=/nonexistent dbname=totp password=x] db_key=$T/key"
	expect "config: a database password among the module's arguments" 6 "danger config p/sshd:2" \
		"${std[@]}"
	service sshd "@include common-auth" "auth required $T/mod/pam_totp.so"
	expect "config: a database password in a configuration file others may read" 6 \
		"danger config c/pw.conf:2" --pam-dir "$P" \
		--conf "$(conf pw.conf store=postgresql "db=host=/nonexistent dbname=totp password=x" "db_key=$T/key")" \
		--sshd-T "$GOOD_T"
else
	ok "# SKIP the PostgreSQL store's rules: built without libpq"
fi

# ---- sshd ----
new_pam
service sshd "@include common-auth" "auth required pam_totp.so"
expect "sshd-use-pam: UsePAM no" 6 "danger sshd-use-pam T1:1" --pam-dir "$P" --conf "$CONF" \
	--sshd-T "$(sshd_t T1 "usepam no" "kbdinteractiveauthentication yes" "passwordauthentication no")"
printf 'KbdInteractiveAuthentication yes\nPasswordAuthentication no\n' >"$T/nopam.sshd_config"
expect "... and UsePAM not set: sshd's default is no" 6 "danger sshd-use-pam nopam.sshd_config" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/nopam.sshd_config"
expect "sshd-kbdinteractive and sshd-password: Debian's sshd as it comes" 6 \
	"danger sshd-kbdinteractive T2:2; danger sshd-password T2:3; warning sshd-methods T2:4" \
	--pam-dir "$P" --conf "$CONF" --sshd-T "$(sshd_t T2 "usepam yes" \
	"kbdinteractiveauthentication no" "passwordauthentication yes" "authenticationmethods any" \
	"pubkeyauthentication yes")"
expect "sshd-password: not when AuthenticationMethods leaves the password method out" 0 "" \
	--pam-dir "$P" --conf "$CONF" --sshd-T "$(sshd_t T3 "usepam yes" \
	"kbdinteractiveauthentication yes" "passwordauthentication yes" \
	"authenticationmethods keyboard-interactive")"
expect "sshd-methods: publickey alone among the lists" 0 "warning sshd-methods T4:3" \
	--pam-dir "$P" --conf "$CONF" --sshd-T "$(sshd_t T4 "usepam yes" \
	"kbdinteractiveauthentication yes" "authenticationmethods publickey,keyboard-interactive publickey" \
	"passwordauthentication no")"
new_pam
service sshd "$(cat "$top_srcdir/examples/pam.d/sshd-key-code")"
expect "sshd-code-alone: the key-then-code stack with keyboard-interactive alone" 6 \
	"danger sshd-code-alone good.T:5" "${std[@]}"
message
check "... names the pam_totp line" grep -q "before pam_totp ($P/sshd:11)" <<<"$REPLY"

new_pam
service sshd "@include common-auth" "auth required pam_totp.so secret=/var/lib/pam_totp/%u enroll=prompt enroll_from=10.0.0.0/8 enroll_services=sshd"
expect "sshd-grace: enrolment at login with LoginGraceTime 120" 0 "warning sshd-grace T7:5" \
	--pam-dir "$P" --conf "$CONF" --sshd-T "$(sshd_t T7 "usepam yes" "kbdinteractiveauthentication yes" \
	"passwordauthentication no" "authenticationmethods keyboard-interactive" "logingracetime 120")"
silent "... not with LoginGraceTime 0 (no limit)" --pam-dir "$P" --conf "$CONF" \
	--sshd-T "$(sshd_t T5 "usepam yes" "kbdinteractiveauthentication yes" \
	"passwordauthentication no" "authenticationmethods keyboard-interactive" "logingracetime 0")"
silent "... nor with 10m" --pam-dir "$P" --conf "$CONF" \
	--sshd-T "$(sshd_t T6 "usepam yes" "kbdinteractiveauthentication yes" \
	"passwordauthentication no" "authenticationmethods keyboard-interactive" "logingracetime 10m")"
service sshd "@include common-auth" "auth required pam_totp.so secret=/var/lib/pam_totp/%u enroll=prompt enroll_from=10.0.0.0/8 enroll_services=sudo"
silent "... nor when sshd is not among enroll_services" "${std[@]}"

# sshd_config: the first value wins, Include, Match blocks on their own
new_pam
service sshd "@include common-auth" "auth required pam_totp.so"
mkdir "$T/sshd.d"
printf 'PasswordAuthentication no\n' >"$T/sshd.d/10-totp.conf"
cat >"$T/sshd_config" <<EOF
Include sshd.d/*.conf
UsePAM yes
KbdInteractiveAuthentication yes
PasswordAuthentication yes
AuthenticationMethods keyboard-interactive
Match User bob
	PasswordAuthentication yes
	AuthenticationMethods any
EOF
expect "sshd_config: an included file's value wins; a Match block is judged on its own" 6 \
	"danger sshd-password sshd_config:7; warning sshd-methods sshd_config:8" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/sshd_config"
message
check "... and says so" grep -q "(in the Match block at $T/sshd_config:6)" <<<"$REPLY"

expect "sshd-unchecked: sshd's settings cannot be read (a warning)" 0 "warning sshd-unchecked sshd.d" \
	--pam-dir "$P" --conf "$CONF" --sshd-config "$T/sshd.d"
# more Match blocks than the checker keeps: the rest is said to be
# unchecked, never folded into the last block it keeps
{
	printf 'UsePAM yes\nKbdInteractiveAuthentication yes\nPasswordAuthentication no\n'
	printf 'AuthenticationMethods keyboard-interactive\n'
	for i in $(seq 1 64); do printf 'Match User u%d\n\tX11Forwarding no\n' "$i"; done
	printf 'Match User u65\n\tPasswordAuthentication yes\n'
} >"$T/many_match"
expect "sshd-unchecked: Match blocks past the 64th are named, not folded into the 64th" 0 \
	"warning sshd-unchecked many_match:133" --pam-dir "$P" --conf "$CONF" --sshd-config "$T/many_match"

# ---- the rest: includes, no service, untrusted names, options ----
new_pam
service sshd "@include loop" "auth requisite pam_unix.so" "auth required pam_totp.so"
service loop "@include loop"
expect "include: files that include each other" 6 "danger include p/loop:1" "${std[@]}"

rm -rf "$P"
mkdir "$P"
common_auth >"$P/common-auth"
expect "no-service: no stack runs pam_totp (a warning)" 0 "warning no-service p" \
	--pam-dir "$P" --conf "$CONF"

new_pam
evil=$'ev\e]0;owned\a\nil'
service "$evil" "auth required pam_unix.so" "auth required pam_totp.so"
admin check --pam-dir "$P" --conf "$CONF"
check "a file name's control bytes are escaped" grep -qF 'ev\x1b]0;owned\x07\x0ail:2: danger:' "$T/admin.out"
check "... none reaches the terminal" not grep -q $'[\e\a]' "$T/admin.out"
admin check --json --pam-dir "$P" --conf "$CONF"
json_q "$T/admin.out" "d[0]['file'].split('/')[-1]"
check_eq "... nor the JSON, which parses" "ev\\x1b]0;owned\\x07\\x0ail" "$REPLY"

check_admin "--sshd-config and --sshd-T together: a usage error" 2 check --pam-dir "$P" \
	--sshd-config "$EX_SSHD" --sshd-T "$GOOD_T"
check_admin "--pam-dir with another command: a usage error" 2 list --pam-dir "$P"
check_admin "--secret-path does not go with check" 2 --secret-path /x/%u check
check_admin "a PAM directory that cannot be read: an error" 1 check --pam-dir "$T/nowhere"
check_admin "a --conf file that does not exist: an error" 1 check --pam-dir "$P" --conf "$T/nowhere"

exec {JSONQ[1]}>&-
tap_done
