#!/bin/bash
# What pam_totp.so says to the user, through the real libpam. A recovery
# code's message is said once, and in sshd (PAM_TTY "ssh") a prompt
# follows it: sshd keeps what comes after the last prompt for an
# interactive session and shows it there twice (OpenSSH bug 3481), for a
# command never. Enrolment at login shows its recovery codes once, and
# after three wrong first codes says what to do in the app, in English
# and in Dutch.
. "$top_srcdir/tests/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/pam_env.sh"
. "$top_srcdir/tests/locale_env.sh"
. "$top_srcdir/tests/enrol_login.sh"

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

tap_done
