#!/bin/bash
# Enrolment at first login (enroll=prompt) through the real libpam: the QR
# code the module sent scans back to the Key URI, a code from oathtool for
# the secret shown confirms, the record is root's and 0600 in the root
# store, and the confirming code is used up. The limits (enroll_until,
# enroll_from, enroll_services), three wrong codes, a dropped connection
# and two first logins at once leave nothing written or exactly one record.
# Without libqrencode the key alone is shown.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"
export LC_ALL=C
tmp=$T
. "$top_srcdir/tests/lib/qr_lib.sh"
. "$top_srcdir/tests/lib/admin_env.sh"

STORE="$T/store"
mkdir -m 700 "$STORE"
REC="$STORE/root"
make_enrol_service enrol "secret=$STORE/%u enroll=prompt"
make_enrol_service sshd "secret=$STORE/%u enroll=prompt enroll_services=sshd,login"
make_enrol_service sudo "secret=$STORE/%u enroll=prompt enroll_services=sshd,login"
make_enrol_service office "secret=$STORE/%u enroll=prompt enroll_from=10.0.0.0/8,2001:db8::/32"
today=$(date -d "@$(test_now)" +%F)
yesterday=$(date -d "@$(($(test_now) - 86400))" +%F)
make_enrol_service today "secret=$STORE/%u enroll=prompt enroll_until=$today"
make_enrol_service late "secret=$STORE/%u enroll=prompt enroll_until=$yesterday"
make_enrol_service home "secret=%h/.pam_totp_enrol_$$ enroll=prompt"

. "$top_srcdir/tests/lib/enroll_login.sh"

# ---- enrolment, start to end ----
LOGIN_OPTS="-r 192.0.2.7" start_enrol a enrol root
check "no record: the module shows a Key URI" test -s "$T/a.uri"
check "the Key URI is a TOTP one for root" grep -q '^otpauth://totp/.*root' "$T/a.uri"
check "the secret in groups of four" grep -qx "$(sed 's/..../& /g; s/ $//' "$T/a.secret")" "$T/a.log"
check "asks for the first code" grep -q '^prompt: Code from the app: ' "$T/a.log"
qr=$(qr_message a)
check "the QR code is a message of its own" test -n "$qr"
check_eq "the QR code scans back to the Key URI" "$(cat "$T/a.uri")" "$(screen_blocks <"$qr" | term_decode)"
check "the QR code fits 24 lines with the prompt" test "$(wc -l <"$qr")" -le 22
answer a "$(shown_code a)"
finish a
check_eq "the right first code: the login goes on" PAM_SUCCESS "$result"
check_eq "the record: root's, 0600" "root 600" "$(stat -c '%U %a' "$REC")"
check "the record holds the secret shown" grep -q "$(cat "$T/a.secret")" "$REC"
check "ten recovery codes shown once" test "$(grep -cE '^  [a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$' "$T/a.log")" -eq 10
check "... then a prompt, so that sshd shows them too" grep -q '^prompt: Press Enter to continue: ' "$T/a.log"
check "enrolment logged with user, service and rhost" \
	in_log a "user=root service=enrol rhost=192.0.2.7: enrolled at login"
check "no secret in the log" sh -c "! grep SYSLOG '$T/a.log' | grep -q '$(cat "$T/a.secret")'"
check "no code in the log" sh -c "! grep SYSLOG '$T/a.log' | grep -q '$(shown_code a)'"

check "the record says where it was made (enrolled=)" \
	grep -qx "enrolled=login,enrol,192.0.2.7" "$REC"
printf 'secret=%s/%%u\n' "$STORE" >"$T/admin.conf"
check_admin "totp-admin status of the user enrolled at a login" 0 --conf "$T/admin.conf" status root
check "... tells how and where from" \
	grep -qx "enrolled: *at a login to enrol from 192.0.2.7" "$T/admin.out"
check_admin "totp-admin list --json" 0 --conf "$T/admin.conf" list --json
check_eq "... has it too" "login enrol 192.0.2.7" "$(json_get "$T/admin.out" \
	"' '.join(u['enrolled'][k] for u in d if u['user'] == 'root' for k in ('at', 'service', 'rhost'))")"
check_login "the confirming code is refused at the next login" PAM_AUTH_ERR enrol root \
	"$(shown_code a)"
check "... as a replay" logged "replayed code refused"
check_login "the next code is accepted" PAM_SUCCESS enrol root "$(shown_code a 1)"
check "an enrolled user is not enrolled again" sh -c "! grep -q otpauth '$T/last.log'"

# ---- in sshd (PAM_TTY "ssh"): the QR code without escape sequences,
# which OpenSSH's client would show as text (tests/system_enroll.sh) ----
rm -f "$REC"
LOGIN_OPTS="-t ssh" start_enrol s enrol root
qr=$(grep -l "$(printf '\342\226')" "$T/s.msgs"/* | head -1)
check "PAM_TTY=ssh: the QR code is a message of its own" test -n "$qr"
check "... with no escape character in it" sh -c "! grep -q \"\$(printf '\\033')\" '$qr'"
check_eq "... it scans back to the Key URI on a light background" "$(cat "$T/s.uri")" \
	"$(screen_blocks <"$qr" | term_decode light)"
check_eq "... and on a dark one (the inverted code beside it)" "$(cat "$T/s.uri")" \
	"$(screen_blocks <"$qr" | term_decode dark)"
check "... the words over it and the codes fit 24 lines with the prompt" \
	test "$(wc -l <"$qr")" -le 22
check "... the words say what to do" grep -q 'scan a QR code below' "$qr"
answer s "$(shown_code s)"
finish s
check_eq "... and the enrolment goes on" PAM_SUCCESS "$result"
check "... the record says: no remote host" grep -qx "enrolled=login,enrol," "$REC"
check_admin "... totp-admin status" 0 --conf "$T/admin.conf" status root --json
check_eq "... in JSON: the rhost null" "enrol None" \
	"$(json_get "$T/admin.out" "d['enrolled']['service'] + ' ' + str(d['enrolled']['rhost'])")"
# the same screen in Dutch: the words fit too, each on a line of its own
. "$top_srcdir/tests/lib/locale_env.sh"
make_enrol_service enrol_nl "secret=$STORE/%u enroll=prompt language=nl localedir=$LOCALEDIR"
mv "$REC" "$T/rec.kept"
LOGIN_OPTS="-t ssh" start_enrol d enrol_nl root
qr_nl=$(grep -l "$(printf '\342\226')" "$T/d.msgs"/* | head -1)
check "language=nl, PAM_TTY=ssh: the words over the codes are Dutch" \
	grep -q 'scan een QR-code hieronder' "$qr_nl"
check_eq "... each fits 80 columns" "" \
	"$(python3 -c 'import sys
for l in open(sys.argv[1], encoding="utf-8"):
    if len(l.rstrip("\n")) > 80: print(l)' "$qr_nl")"
check "... they and the codes fit 24 lines with the prompt" test "$(wc -l <"$qr_nl")" -le 22
check_eq "... both codes scan (light background)" "$(cat "$T/d.uri")" \
	"$(screen_blocks <"$qr_nl" | term_decode light)"
check_eq "... (dark background)" "$(cat "$T/d.uri")" "$(screen_blocks <"$qr_nl" | term_decode dark)"
finish d
mv "$T/rec.kept" "$REC"

# ---- nothing written ----
rm -f "$REC"
start_enrol b enrol root
answer b "$(wrong_code)"
answer b "12"
answer b "$(wrong_code)"
finish b
check_eq "three wrong first codes: denied" PAM_AUTH_ERR "$result"
check "... each told" test "$(grep -c '^error: ' "$T/b.log")" -ge 3
check "... no enrolment: only the secret shown, pending and void" \
	test "$(grep -c '^pending=' "$REC")" = 1
check "... logged" in_log b "enrolment at login not confirmed (3 wrong first codes): not enrolled"
# walking away (or sshd's LoginGraceTime): the secret shown is kept,
# pending, and the next login shows it again, so the account the app has
# just added works (issue 25, point 3)
start_enrol c enrol root
check "after three wrong codes, the next login shows a new secret" \
	test "$(cat "$T/c.secret")" != "$(cat "$T/b.secret")"
finish c
check_eq "a connection dropped at the code: a conversation error" PAM_CONV_ERR "$result"
check "... the secret shown is kept, pending, root's and 0600" \
	test "$(stat -c '%U %a' "$REC" 2>&1) $(grep -c '^pending=' "$REC")" = "root 600 1"
check "... logged as abandoned, pending until when" \
	in_log c "enrolment at login abandoned: the conversation ended; the code shown stays pending until"
make_service plain "secret=$STORE/%u"
check_login "... a pending enrolment is no enrolment: its code does not log in" PAM_AUTH_ERR \
	plain root "$(code 0 "$(cat "$T/c.secret")")"
check "... logged as not enrolled" logged "not enrolled (record .*: enrolment at login not yet confirmed"
make_stack pending_nullok "auth required $MODULE secret=$STORE/%u nullok" \
	"auth required pam_permit.so"
check_login "... and nullok lets its user through, as before the enrolment" PAM_SUCCESS \
	pending_nullok root
check "... as not enrolled" logged "not enrolled, nullok: ignored"
check_admin "... totp-admin status: not enrolled (exit 3)" 3 --conf "$T/admin.conf" status root
check "... saying an enrolment at login is pending" \
	grep -q "^root is not enrolled: an enrolment at login was shown and not confirmed" "$T/admin.out"
cp -p "$REC" "$T/pending.kept"
check_admin "... totp-admin remove: a leaver cannot finish it" 0 --conf "$T/admin.conf" remove --yes root
check "... a tombstone in its place" grep -q "^pam_totp-removed 1" "$REC"
cp -p "$T/pending.kept" "$REC"
start_enrol d enrol root
check "the next login shows the same secret again" \
	test "$(cat "$T/d.secret")" = "$(cat "$T/c.secret")"
answer d "$(shown_code d)"
finish d
check_eq "... and its code confirms it" PAM_SUCCESS "$result"
check "... logged as resumed" in_log d "enrolment at login resumed: the code first shown at"
check "... its record written, no longer pending" \
	test "$(grep -c '^pending=' "$REC")" = 0
# an empty answer is no guess (ssh sends one at every prompt when its
# terminal goes away): it ends the attempt and voids nothing
rm -f "$REC"
start_enrol e enrol root
answer e ""
finish e
check_eq "an empty answer at the code: denied" PAM_AUTH_ERR "$result"
check "... the code shown stays pending, not void" test "$(grep -c '^pending=' "$REC")" = 1
check "... logged as abandoned, nothing typed" \
	in_log e "enrolment at login abandoned: nothing was typed; the code shown stays pending until"
start_enrol f enrol root
check "... the next login shows the same secret" test "$(cat "$T/f.secret")" = "$(cat "$T/e.secret")"
answer f "$(shown_code f)"
finish f
check_eq "... whose code confirms it" PAM_SUCCESS "$result"
# not confirmed within enroll_pending= (15 minutes by default): a new one
rm -f "$REC"
start_enrol x enrol root
finish x
advance_clock 901
start_enrol y enrol root
check "a pending enrolment 901 s old: the next login shows a new secret" \
	test "$(cat "$T/y.secret")" != "$(cat "$T/x.secret")"
answer y "$(shown_code y)"
finish y
check_eq "... which confirms" PAM_SUCCESS "$result"
check "... logged as expired" in_log y "enrolment at login expired: the code shown at .* was not confirmed by"
make_enrol_service short "secret=$STORE/%u enroll=prompt enroll_pending=60"
rm -f "$REC"
start_enrol x2 short root
finish x2
advance_clock 61
start_enrol y2 short root
check "enroll_pending=60: 61 s later a new secret" \
	test "$(cat "$T/y2.secret")" != "$(cat "$T/x2.secret")"
finish y2
rm -f "$REC"

# ---- libqrencode cannot be loaded (pam_totp.so loads it when it first
# draws a code): the key is shown without the QR code, the log says why,
# and the enrolment goes on ----
rm -f "$REC"
LD_PRELOAD="$top_builddir/tests/shims/.libs/libfaultshim.so" FAULT_CALL=dlopen \
	FAULT_PATH=libqrencode FAULT_COUNT=0 start_enrol q enrol root
check "libqrencode not loadable: the shim refused it" grep -q "fault_shim: dlopen" "$T/q.err"
check "... the key is still shown" \
	grep -qx "$(sed 's/..../& /g; s/ $//' "$T/q.secret")" "$T/q.log"
check "... no QR code" test -z "$(qr_message q)"
check "... the user is told to type the key in" grep -q "add the account by hand" "$T/q.log"
answer q "$(shown_code q)"
finish q
check "... the log says why" in_log q "no QR code shown: cannot load libqrencode"
check_eq "... the first code confirms" PAM_SUCCESS "$result"
check "... the record is written" test -s "$REC"

# ---- the limits ----
check_limit() {  # DESC SERVICE WHY [pam_login options]
	local desc=$1 service=$2 why=$3
	rm -f "$REC"
	LOGIN_OPTS=${4:-} check_login "$desc: refused like a missing record" PAM_AUTH_ERR \
		"$service" root 123456
	check "... no QR code or key shown" sh -c "! grep -q otpauth '$T/last.log'"
	check "... nothing written" test ! -e "$REC"
	check "... the reason logged" logged "enrolment at login refused: $why"
}
check_limit "outside enroll_from" office "the remote host is not in enroll_from" "-r 192.0.2.7"
check_limit "no remote host with enroll_from" office "the remote host is not in enroll_from"
check_limit "a host name with enroll_from" office "the remote host is not in enroll_from" \
	"-r office.example"
check_limit "after enroll_until" late "enroll_until=$yesterday has passed"
check_limit "a service not in enroll_services" sudo "the service is not in enroll_services"
# no proof that the first factor passed: no password module before
# pam_totp, or one that failed but was only `required` (a stranger's
# wrong password reaches pam_totp): never a secret
make_service alone "secret=$STORE/%u enroll=prompt"
check_limit "no first factor before pam_totp" alone "no proof that the first factor passed"
make_stack failed "auth required $top_builddir/tests/shims/.libs/pam_first_factor.so fail" \
	"auth required $MODULE secret=$STORE/%u enroll=prompt"
check_limit "a failed first factor, required not requisite" failed \
	"no proof that the first factor passed"
for spec in "office 10.20.30.40" "office ::ffff:10.1.2.3" "office 2001:db8:1::5" \
	"today 192.0.2.7" "sshd 192.0.2.7"; do
	set -- $spec
	rm -f "$REC"
	LOGIN_OPTS="-r $2" start_enrol e "$1" root
	finish e
	check "$1 from $2: enrolment offered" test -s "$T/e.uri"
	check "... when dropped, only the pending secret kept" \
		test "$(grep -c '^pending=' "$REC" 2>&1)" = 1
done

# ---- two first logins of one user at once ----
rm -f "$REC"
enrol_race enrol root
check "... exactly one record" test "$(ls "$STORE" | wc -l)" -eq 1
check_login "... the first's secret is the one kept" PAM_SUCCESS enrol root "$(shown_code p 1)"

# ---- configuration ----
rm -f "$REC"
LOGIN_OPTS="" start_enrol h home root
finish h
check_eq "enroll=prompt with a record the user could read: refused" PAM_AUTHINFO_UNAVAIL "$result"
check "... before any secret is shown" sh -c "! grep -q otpauth '$T/h.log'"
check "... logged" in_log h "enroll=prompt needs a record outside the home"
check "... nothing written" test ! -e "$(getent passwd root | cut -d: -f6)/.pam_totp_enrol_$$"
chmod 770 "$STORE"
start_enrol g enrol root
finish g
check_eq "a store directory others may write: refused" PAM_AUTHINFO_UNAVAIL "$result"
check "... before any secret is shown" sh -c "! grep -q otpauth '$T/g.log'"
chmod 700 "$STORE"
for bad in "enroll=yes" "enroll_until=2025-02-30" "enroll_until=tomorrow" \
	"enroll_from=10.0.0.0/33" "enroll_from=office.example"; do
	make_service bad "secret=$STORE/%u $bad"
	check_login "$bad: a configuration error" PAM_SERVICE_ERR bad root 123456
done

# ---- a leaver: removed, and not enrolled again at a login until reset ----
tombstone_file() {
	[ "$(stat -c '%U %a' "$REC")" = "root 600" ] && [ "$(head -1 "$REC")" = "pam_totp-removed 1" ] &&
		! grep -q '^secret=' "$REC"
}
tombstone_ok() { check "... the record a tombstone: root's, 0600, no secret" tombstone_file; }
rm -f "$REC"
leaver_round "secret=$STORE/%u" "$T/admin.conf"
tap_done
