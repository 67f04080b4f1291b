#!/bin/bash
# What pam_totp.so says to the user, through the real libpam. A recovery
# code's message is said once, and in sshd (PAM_TTY "ssh") a prompt
# follows it: sshd keeps what comes after the last prompt for an
# interactive session and shows it there twice (OpenSSH bug 3481), for a
# command never. Enrolment at login shows its recovery codes once, and
# after three wrong first codes says what to do in the app, in English
# and in Dutch. helpdesk= adds its text, as written, to every refusal:
# the same for an unknown user, one without a record and one with a
# wrong code, so it tells nothing about the account; nothing when unset;
# no control character reaches the terminal.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/pam_env.sh"
. "$top_srcdir/tests/lib/locale_env.sh"
. "$top_srcdir/tests/lib/enroll_login.sh"

R="$T/%u.rec"
make_service plain "secret=$R"
STORE="$T/store"
mkdir -m 700 "$STORE"
make_enrol_service enrol "secret=$STORE/%u enroll=prompt"
make_enrol_service enrol_nl "secret=$STORE/%u enroll=prompt language=nl localedir=$LOCALEDIR"

# --- a recovery code: how many are left, said once
mapfile -t rc < <(new_record "$T/root.rec" -r 3)
check_login "a recovery code logs in" PAM_SUCCESS plain root "${rc[0]}"
check_eq "  told once how many are left" 1 \
	"$(grep -cx 'info: Recovery code accepted. You have 2 recovery codes left.' "$T/last.log")"
check_eq "  and asked nothing more outside sshd" 1 "$(grep -c '^prompt:' "$T/last.log")"
LOGIN_OPTS="-t ssh" check_login "in sshd: a recovery code logs in" PAM_SUCCESS plain root "${rc[1]}" ""
check_eq "  told once how many are left" 1 \
	"$(grep -cx 'info: Recovery code accepted. You have 1 recovery code left.' "$T/last.log")"
check_eq "  then asked to press Enter, so that sshd shows it with that prompt" \
	"prompt: Press Enter to continue: " \
	"$(grep -A1 '^info: Recovery code accepted' "$T/last.log" | tail -1)"
LOGIN_OPTS="-t ssh" check_login "in sshd, no answer to that prompt: logged in all the same" \
	PAM_SUCCESS plain root "${rc[2]}"
check_login "  and the recovery code is used up" PAM_AUTH_ERR plain root "${rc[2]}"

# --- enrolment at login: the recovery codes once
start_enrol a enrol root
answer a "$(shown_code a)"
finish a
check_eq "enrolment at login: logged in" PAM_SUCCESS "$result"
check_eq "  the recovery codes explained once" 1 \
	"$(grep -c '^Recovery codes: each one lets you log in once without the app.$' "$T/a.log")"
check_eq "  each of the ten shown once" 10 \
	"$(grep -E '^  [a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$' "$T/a.log" | sort -u | wc -l)"
check_eq "  and no line of text twice (the QR code aside)" "" \
	"$(grep -v -e '^PWRAP' -e '^$' -e "$(printf '\033')" "$T/a.log" | sort | uniq -d)"
check "  said what now" grep -qx \
	"info: Done: the app is linked. From now on you type the code from the app when you log in." \
	"$T/a.log"

# --- three wrong first codes: the app is not linked yet, the account in
# the app can go, the next login shows a new QR code
rm -f "$STORE/root"
start_enrol b enrol root
answer b "$(wrong_code)"
answer b "$(wrong_code)"
answer b "$(wrong_code)"
finish b
check_eq "three wrong first codes: refused" PAM_AUTH_ERR "$result"
check "  told what to do in the app" grep -qx "error: The app is not linked yet. You can delete the account you just added in the app. When you log in again, you get a new QR code." "$T/b.log"
start_enrol c enrol_nl root
for i in 1 2 3; do answer c "$(wrong_code)"; done
finish c
check "  in Dutch" grep -qx "error: De app is nog niet gekoppeld. Het account dat je net in de app hebt toegevoegd, kun je weer verwijderen. Log je opnieuw in, dan krijg je een nieuwe QR-code." "$T/c.log"
check "  with the Dutch prompt" grep -qx "prompt: Code uit de app: " "$T/c.log"
start_enrol d enrol_nl root
answer d "$(shown_code d)"
finish d
check "a Dutch enrolment: said what now, in Dutch" grep -qx \
	"info: Klaar: de app is gekoppeld. Vanaf nu typ je bij het inloggen de code uit de app." \
	"$T/d.log"
check "  and what the recovery codes are for" grep -qx \
	"Je typt hem dan in plaats van de code uit de app." "$T/d.log"

# --- helpdesk=: after every refusal, the same words for everyone
HD="Call the service desk: 020 123 4567 (Mon-Fri)."
printf 'helpdesk=%s\n' "$HD" >"$T/hd.conf"
chmod 644 "$T/hd.conf"
make_service hd "secret=$R conf=$T/hd.conf"
bad=$(wrong_code)
new_record "$T/root.rec"
login hd root "$bad"
check_eq "helpdesk=, a wrong code: the refusal, then the helpdesk text" \
	"error: That code is not right. $HD" "$(grep '^error:' "$T/last.log")"
wrong_msg=$(grep '^error:' "$T/last.log")
login hd daemon "$bad"
check_eq "  a user without a record: the same words" "$wrong_msg" "$(grep '^error:' "$T/last.log")"
login hd "pt_nobody_$$" "$bad"
check_eq "  an unknown user: the same words" "$wrong_msg" "$(grep '^error:' "$T/last.log")"
login hd root "not a code"
check_eq "  an answer that is no code: the same words" "$wrong_msg" "$(grep '^error:' "$T/last.log")"
make_stack hdpw "$SET_ITEMS" "auth required $MODULE secret=$R conf=$T/hd.conf"
LOGIN_OPTS="-a s3cret-password" login hdpw root "s3cret-password"
check_eq "  the password as the code: the same words" "$wrong_msg" "$(grep '^error:' "$T/last.log")"
make_enrol_service hdlate "secret=$R conf=$T/hd.conf enroll=prompt enroll_until=2020-01-31"
login hdlate daemon "$bad"
check_eq "  enrolment at login no longer offered: the same words" "$wrong_msg" \
	"$(grep '^error:' "$T/last.log")"
check "    (not offered, logged)" logged "enrolment at login refused"
check_login "the right code" PAM_SUCCESS hd root "$(code)"
check_login "  the same code again" PAM_AUTH_ERR hd root "$(code)"
check_eq "  a replay: the refusal, then the helpdesk text" \
	"error: This code was already used. Wait for the next code in the app. $HD" \
	"$(grep '^error:' "$T/last.log")"
make_service hdlock "secret=$R conf=$T/hd.conf max_failures=1 lockout_base=60"
new_record "$T/root.rec"
login hdlock root "$bad"
check_eq "  a lock-out: the refusal, then the helpdesk text" \
	"error: Too many wrong codes. Try again in 60 seconds. Until then no code works anywhere, SSH and sudo included. $HD" \
	"$(grep '^error:' "$T/last.log")"
make_service hdceil "secret=$R conf=$T/hd.conf max_failures=1 failure_ceiling=1"
new_record "$T/root.rec" -s 1
login hdceil root "$(code)"
check_eq "  the failure ceiling: the refusal, then the helpdesk text" \
	"error: Too many wrong codes. Ask the service desk (your administrator) to unlock your account. Until then no code works anywhere, SSH and sudo included. $HD" \
	"$(grep '^error:' "$T/last.log")"

# enrolment at login: three wrong first codes, a store that cannot take
# the record, another login first
make_enrol_service hdenrol "secret=$STORE/%u enroll=prompt conf=$T/hd.conf"
rm -f "$STORE/root"
start_enrol e hdenrol root
for i in 1 2 3; do answer e "$bad"; done
finish e
check "  three wrong first codes: the refusal, then the helpdesk text" grep -qx \
	"error: The app is not linked yet. You can delete the account you just added in the app. When you log in again, you get a new QR code. $HD" \
	"$T/e.log"
check_eq "    and only there, not after each wrong code" 1 "$(grep -cF "$HD" "$T/e.log")"
make_enrol_service hdhome "secret=%h/.pam_totp_msgs_$$ enroll=prompt conf=$T/hd.conf"
login hdhome root
check_eq "  enrolment that cannot be saved: refused" PAM_AUTHINFO_UNAVAIL "$result"
check_eq "    the refusal, then the helpdesk text" \
	"error: Setting up the app did not work. Ask the service desk (your administrator). $HD" \
	"$(grep '^error:' "$T/last.log")"
enrol_race hdenrol root
check "  another login enrolled first: the refusal, then the helpdesk text" grep -qx \
	"error: This was not saved: at the same moment another login linked an app to your account. Delete the account you just added in the app, then log in again. $HD" \
	"$T/q.log"

# --- unset: nothing is added
new_record "$T/root.rec"
login plain root "$bad"
check_eq "no helpdesk=: the refusal alone" "error: That code is not right." "$(grep '^error:' "$T/last.log")"

# --- a module argument (in brackets, for the spaces), shown as written but
# for control characters, which become spaces: no escape sequence, no C1
# control reaches the terminal
esc=$(printf '\033') csi=$(printf '\302\233')
make_service hdarg "secret=$R [helpdesk=Bel ${esc}[2Jde servicedesk${csi}: 112]"
login hdarg root "$bad"
check_eq "helpdesk= as a module argument: control characters shown as spaces" \
	"error: That code is not right. Bel  [2Jde servicedesk  : 112" "$(grep '^error:' "$T/last.log")"
make_service hdlong "secret=$R helpdesk=$(printf 'x%.0s' $(seq 256))"
check_login "a helpdesk= of 256 bytes: a configuration error" PAM_SERVICE_ERR hdlong root "$bad"
check "  logged" logged "configuration error: bad value in 'helpdesk="
make_service hdmax "secret=$R helpdesk=$(printf 'x%.0s' $(seq 255))"
check_login "255 bytes are taken" PAM_AUTH_ERR hdmax root "$bad"
check "  and shown whole" grep -q "^error: That code is not right. x\{255\}$" "$T/last.log"

tap_done
