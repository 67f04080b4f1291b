#!/bin/bash
# The QR code fits the terminal it is shown in. totp-enroll runs in tmux, a
# real terminal emulator, at 80x24: when "Code from the app:" appears, the
# whole QR code is on the screen above it (read back from the screen and
# decoded, with a dark terminal background around it), the code the app
# then shows enrols, and the decoded URI logs in. Measured for the default parameters with an
# issuer of 30 characters and an account of 40, and for --qr=ansi at 80
# columns; a window too small for any QR code gets one line saying so.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "tmux's view of totp-enroll's screen; the drawing runs under ASan in enroll_qr and qr_decode"
. "$top_srcdir/tests/lib/enroll_env.sh"
tmp=$T
. "$top_srcdir/tests/lib/qr_lib.sh"
. "$top_srcdir/tests/lib/tmux_env.sh"

ISSUER30=Zorggroep-Voorbeeld-Thuiszorg1
ACCOUNT40=uxstaff4@ssh01.zorggroep-voorbeeld.nl.xx
[ ${#ISSUER30} -eq 30 ] && [ ${#ACCOUNT40} -eq 40 ] || bail "test texts of the wrong length"
trap 'tmux_cleanup; rm -rf "$T"' EXIT

# tmux_start LINES COLUMNS ARGS...: totp-enroll ARGS in a fresh tmux window
# of that size; the window stays after it exits so its screen can be read.
# The tmux server's environment need not be ours: the test clock is passed
# on the command line.
tmux_start() {
	local lines=$1 columns=$2 cmd
	shift 2
	printf -v cmd '%q ' env "PAM_TOTP_TEST_NOW=$PAM_TOTP_TEST_NOW" "$ENROLL" "${ENROLL_OPTS[@]}" "$@"
	tmux_open "$lines" "$columns" "$cmd; echo \"exit: \$?\""
}

# The QR code on the screen just above the "Code from the app:" prompt, in
# the form term2pgm reads (tests/lib/term_screen.py); fails when it is not there.
screen_qr() {
	"${TM[@]}" capture-pane -p -e -N | python3 "$top_srcdir/tests/lib/term_screen.py"
}

# decode_dark: a terminal rendering on stdin, decoded with a wide dark
# border around it, as on a terminal with a dark background
decode_dark() {
	term2pgm >"$T/screen.pgm" &&
		convert "$T/screen.pgm" -scale 800% -bordercolor black -border 80 "$T/screen.png" &&
		decode "$T/screen.png"
}

# qr_size: "LINES COLUMNS" of the QR code on stdin (screen_qr's output)
qr_size() {
	local first n=0 line
	while IFS= read -r line; do
		[ $n -eq 0 ] && first=$line
		n=$((n + 1))
	done
	first=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$first")
	echo "$n ${#first}"
}

# enrol_on_screen NAME LINES COLUMNS ARGS...: enrol in a LINESxCOLUMNS
# window; checks that the QR code on screen when "Code from the app: "
# appears decodes to the URI printed, that the app's code for it enrols, and that the next
# code logs in. Sets $qr_lines, $qr_columns and $uri.
enrol_on_screen() {
	local name=$1 lines=$2 columns=$3 decoded
	shift 3
	rm -f "$T/root.rec"
	tmux_start "$lines" "$columns" "$@"
	if ! wait_screen "^Code from the app:"; then
		not_ok "$name: prompt shown"; screen | sed 's/^/#   /'
		return
	fi
	screen_qr >"$T/qr.txt"
	read -r qr_lines qr_columns < <(qr_size <"$T/qr.txt")
	uri=$(history | grep -o 'otpauth://[^ ]*')
	decoded=$(decode_dark <"$T/qr.txt")
	check_eq "$name: the QR code on screen with the prompt decodes to the URI" "$uri" "$decoded"
	tmux_keys "$(uri_code "$decoded")" Enter
	wait_screen "^exit: " || true
	check "$name: the app's code from the screen enrols" grep -q '^exit: 0$' <(screen)
	check_login "$name: the next code for the decoded URI logs in" PAM_SUCCESS enr root \
		"$(uri_code "$decoded" 1)"
}

# --- 80x24, default parameters, an issuer of 30 and an account of 40
enrol_on_screen "80x24, issuer 30, account 40" 24 80 \
	--issuer "$ISSUER30" --label "$ACCOUNT40" --recovery-codes 0
check "80x24: the QR code and the prompt fit 24 lines ($qr_lines + 1)" test "$qr_lines" -le 23
check "80x24: the QR code fits 80 columns ($qr_columns)" test "$qr_columns" -le 80
check_eq "80x24: no algorithm, digits or period in the URI (the defaults)" "" \
	"$(grep -oE '(algorithm|digits|period)=' <<<"$uri")"
case $uri in
"otpauth://totp/$ISSUER30:${ACCOUNT40/@/%40}?secret="*) ok "80x24: the issuer in the label, the secret last" ;;
*) not_ok "80x24: the issuer in the label, the secret last: '$uri'" ;;
esac
echo "# 80x24, issuer 30, account 40: QR $qr_lines lines x $qr_columns columns"

# --- the default issuer and label (the config's issuer, root@host): the
# standard quiet zone, and issuer= repeated for the apps that prefer it
enrol_on_screen "80x24, defaults" 24 80 --recovery-codes 0
check "80x24 defaults: the QR code and the prompt fit 24 lines ($qr_lines + 1)" test "$qr_lines" -le 23
check "80x24 defaults: issuer= in the URI" grep -q '?issuer=Test%20Co&secret=' <<<"$uri"
echo "# 80x24, defaults: QR $qr_lines lines x $qr_columns columns"

# --- --qr=ansi: two columns a module; 80 columns for the defaults (its
# height is the module count, so the window is taller)
enrol_on_screen "ansi 80x50, defaults" 50 80 --qr=ansi --recovery-codes 0
check "ansi: fits 80 columns ($qr_columns)" test "$qr_columns" -le 80
echo "# ansi 80x50, defaults: QR $qr_lines lines x $qr_columns columns"

# --- a window too small for any QR code: one line saying so, suggesting
# --png, and the key to type by hand is still there
rm -f "$T/root.rec"
tmux_start 20 80 --issuer "$ISSUER30" --label "$ACCOUNT40" --recovery-codes 0
wait_screen "^Code from the app:" || { screen | sed "s/^/#   /"; bail "no prompt in a 20-line window"; }
check "80x20: says the window is too small and suggests --png" \
	grep -q 'window is too small for the QR code.*--png' <(history)
check_eq "80x20: no QR code drawn" "" "$(screen | grep $'\342\226')"
check "80x20: the key is shown for typing by hand" \
	grep -qE '^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$' <(history)
tmux_keys C-c

tap_done
