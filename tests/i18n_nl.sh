#!/bin/bash
# Dutch from our catalogue, with no Dutch locale on the machine (none is
# generated: tests/lib/locale_env.sh). totp-enroll follows the user's
# language (LANG, and LANGUAGE under C.UTF-8, which glibc 2.39's gettext
# ignores) through a whole enrolment under a pty, and falls back to
# English for a language it has no catalogue for. pam_totp.so, through
# the real libpam, speaks Dutch with language= as administrators write it
# (nl, nl_NL, nl_NL.UTF-8) or with LANG (or LANGUAGE, LC_ALL,
# LC_MESSAGES) in the PAM environment (set by pam_env), and English
# otherwise, whatever the process's own LANGUAGE says; it never touches
# the process's locale or text domain, and its log lines stay English even
# in a process whose locale is Dutch (sudo's).
# Its refusals say what went wrong in words the user can act on, the same
# words for users who are not enrolled or do not exist, and helpdesk=
# follows them as written.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
. "$top_srcdir/tests/lib/enroll_env.sh"
. "$top_srcdir/tests/lib/locale_env.sh"
printf 'localedir=%s\n' "$LOCALEDIR" >>"$T/conf"

# --- totp-enroll in Dutch, from LANG
unset LC_ALL LANGUAGE
export LANG=$NL
enroll_pty wrong,right --recovery-codes 2
check_eq "LANG=$NL: enrolled" 0 "$pty_exit"
for text in "De authenticator-app instellen voor root." \
	"kies \"Ander account\" en scan de QR-code hieronder." \
	"Typ de code die je nu ziet achter \"Code uit de app:\" hieronder." \
	"Lukt scannen niet? Voeg het account dan met de hand toe met deze sleutel:" \
	"Die code klopt niet. Je mag het nog 2 keer proberen." \
	"Herstelcodes: met elke code kun je één keer inloggen zonder de app." \
	"Je typt hem dan in plaats van de code uit de app." \
	"Bewaar ze op een veilige plek. Je krijgt ze niet nog een keer te zien." \
	"Klaar: de app is gekoppeld voor root"; do
	check "LANG=$NL: says '$text'" grep -qF "$text" "$T/pty.log"
done
check "LANG=$NL: no English explanation" test "$(grep -c 'Setting up the authenticator' "$T/pty.log")" -eq 0
check_eq "LANG=$NL: two recovery codes shown" 2 "$(wc -l <<<"$pty_recovery")"
check_login "the Dutch enrolment's secret logs in" PAM_SUCCESS enr root "$(uri_code "$pty_uri" 1)"
nl_uri=$pty_uri

# --- C.UTF-8 with LANGUAGE=nl: Dutch too (glibc 2.39's gettext ignores
# LANGUAGE there; ours does not)
export LANG=C.UTF-8 LANGUAGE=nl
enroll --no-confirm --force --qr=none --recovery-codes 0
check "C.UTF-8 + LANGUAGE=nl: Dutch" grep -q "De authenticator-app instellen" "$T/out"
unset LANGUAGE
# --- the language alone, and LANGUAGE's list with a language before it
# that has no catalogue
for env in "LANG=nl" "LANG=nl_NL" "LANG=C.UTF-8 LANGUAGE=de:nl"; do
	# shellcheck disable=SC2086,SC2163 # $env is NAME=VALUE pairs, split on purpose
	(unset LANG LANGUAGE; export $env; enroll --no-confirm --force --qr=none --recovery-codes 0)
	check "$env: Dutch" grep -q "De authenticator-app instellen" "$T/out"
done

# --- a language without a catalogue falls back to English
export LANG=de_DE.UTF-8
enroll --no-confirm --force --qr=none --recovery-codes 0
check "LANG=de_DE.UTF-8 (no catalogue): English" grep -q "Setting up the authenticator app" "$T/out"
export LANG=xx_YY.UTF-8
enroll --no-confirm --force --qr=none --recovery-codes 0
check "LANG=xx_YY.UTF-8 (no such locale): English" grep -q "Setting up the authenticator app" "$T/out"
export LC_ALL=C.UTF-8
unset LANG
# back to the secret enrolled in Dutch, for the module's tests
enroll --no-confirm --force --qr=none --recovery-codes 0
uri=$(grep -o 'otpauth://[^ ]*' "$T/out")

# --- the module: language= as administrators write it
# (a service per language, by number: libpam lowercases service names)
n=0
for lang in nl nl_NL nl-NL; do
	n=$((n + 1))
	make_service "nl$n" "secret=$REC conf=$T/conf language=$lang"
	login "nl$n" root "$(wrong_code)"
	check "language=$lang: Dutch prompt" grep -q '^prompt: Code uit de app: $' "$T/last.log"
	check "language=$lang: a wrong code is told in Dutch" \
		grep -qx 'error: Die code klopt niet.' "$T/last.log"
done
make_service nl "secret=$REC conf=$T/conf language=$NL"
login nl root "$(wrong_code)"
check "language=$NL: Dutch prompt" grep -q '^prompt: Code uit de app: $' "$T/last.log"
check "language=$NL: a wrong code is told in Dutch" grep -qx 'error: Die code klopt niet.' "$T/last.log"
wrong_msg=$(grep '^error:' "$T/last.log")
check_login "language=$NL: the right code logs in" PAM_SUCCESS nl root "$(uri_code "$uri" 0)"
check_login "language=$NL: the same code again is refused" PAM_AUTH_ERR nl root "$(uri_code "$uri" 0)"
check "language=$NL: replay told in Dutch" \
	grep -qF 'error: Deze code is al gebruikt. Wacht op de volgende code in de app.' "$T/last.log"
check "the replay is logged in English" logged "replayed code refused"

# --- the module: LANG in the PAM environment (put there by the application)
LOGIN_OPTS="-e LANG=$NL" login enr root "$(wrong_code)"
check "LANG=$NL in the PAM environment: Dutch prompt" grep -q '^prompt: Code uit de app: $' "$T/last.log"
check "LANG=$NL in the PAM environment: Dutch message" grep -qx 'error: Die code klopt niet.' "$T/last.log"
# and LANGUAGE there (pam_env reads it from /etc/default/locale), which
# counts before LANG as for gettext, under C.UTF-8 too
LOGIN_OPTS="-e LANG=C.UTF-8 -e LANGUAGE=nl" login enr root "$(wrong_code)"
check "LANGUAGE=nl with LANG=C.UTF-8 in the PAM environment: Dutch prompt" \
	grep -q '^prompt: Code uit de app: $' "$T/last.log"
LOGIN_OPTS="-e LANG=$NL -e LC_ALL=C.UTF-8" login enr root "$(wrong_code)"
check "LC_ALL=C.UTF-8 before LANG=$NL in the PAM environment: English" \
	grep -q '^prompt: Code from the app: $' "$T/last.log"

# --- log lines stay English in a Dutch process: sudo sets the user's
# locale, and under LANGUAGE=nl libpam's own words for a PAM code
# (pam_strerror) are Dutch, even with C.UTF-8 and on a machine without a
# Dutch locale. The code prompt gets no answer here.
LANG=C.UTF-8 LANGUAGE=nl LOGIN_OPTS=-l login nl root
check "language=$NL, no answer: told nothing, refused" test "$result" = PAM_CONV_ERR
check "  and the log line says so in English" logged "no code (Conversation error)$"

# --- English otherwise: no language=, no LANG; the process's LANGUAGE
# does not count; an unknown language=
LANGUAGE=nl login enr root "$(wrong_code)"
check "no language: English prompt (LANGUAGE=nl in the process ignored)" \
	grep -q '^prompt: Code from the app: $' "$T/last.log"
make_service xx "secret=$REC conf=$T/conf language=xx_YY.UTF-8"
login xx root "$(wrong_code)"
check "language=xx_YY.UTF-8: English" grep -q '^prompt: Code from the app: $' "$T/last.log"
make_service custom "secret=$REC conf=$T/conf language=$NL prompt=Code_van_de_telefoon:"
login custom root "$(wrong_code)"
check "prompt= is shown as written, untranslated" grep -q '^prompt: Code_van_de_telefoon:$' "$T/last.log"

# --- the same words whether the user is enrolled, not enrolled or unknown
login nl daemon "$(wrong_code)"
check_eq "not enrolled: the same message as a wrong code" "$wrong_msg" "$(grep '^error:' "$T/last.log")"
login nl no_such_user_i18n "$(wrong_code)"
check_eq "unknown user: the same message as a wrong code" "$wrong_msg" "$(grep '^error:' "$T/last.log")"

# --- a lock-out, in Dutch, says it holds for SSH and sudo too
enroll --no-confirm --force --qr=none --recovery-codes 0
make_service nllock "secret=$REC conf=$T/conf language=$NL max_failures=1 lockout_base=60"
login nllock root "$(wrong_code)"
check "lock-out told in Dutch, for every service" \
	grep -qF 'error: Je hebt te vaak een verkeerde code getypt. Probeer het over 60 seconden opnieuw. Tot die tijd werkt geen enkele code, ook niet bij SSH of sudo.' "$T/last.log"

# --- helpdesk= is said as written after a Dutch refusal
enroll --no-confirm --force --qr=none --recovery-codes 0
make_service nlhd "secret=$REC conf=$T/conf language=$NL [helpdesk=Bel de servicedesk: 020 123 4567]"
login nlhd root "$(wrong_code)"
check_eq "helpdesk= after a refusal in Dutch, as written" \
	"error: Die code klopt niet. Bel de servicedesk: 020 123 4567" "$(grep '^error:' "$T/last.log")"

# --- never the process's text domain or locale: our own catalogue reader
undefined=$(nm -D --undefined-only "$MODULE")
check "pam_totp.so never calls textdomain()" test "$(grep -cw textdomain <<<"$undefined")" -eq 0
check "pam_totp.so looks its messages up itself: no gettext, setlocale, newlocale or uselocale" \
	test "$(grep -cwE '(b|d|dc|dcn|dn|n)?gettext|bindtextdomain|setlocale|newlocale|uselocale' <<<"$undefined")" -eq 0

tap_done
