#!/bin/bash
# totp-enroll and other users (run as root): --user gives the record the
# user's ownership and mode 0600 under any umask, does its work in the home
# as the user (a symlink planted there is replaced, never followed), is
# refused to anyone but root, and a failed write leaves the old record.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only"
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (useradd)"; exit 0; }
command -v useradd >/dev/null || { echo "1..0 # SKIP no useradd"; exit 0; }
. "$top_srcdir/tests/lib/enroll_env.sh"

U=ptenr$$
useradd -m -d "$T/home" -s /bin/sh "$U" >/dev/null 2>&1 || bail "useradd $U failed"
trap 'userdel -r "$U" >/dev/null 2>&1; userdel "$U" >/dev/null 2>&1; rm -rf "$T"' EXIT
G=$(id -gn "$U")
HOME_U="$T/home"
# a copy the user may run, wherever the build tree is
cp "$ENROLL_BIN" "$T/totp-enroll"
chmod 755 "$T/totp-enroll"
as_user() { setpriv --reuid="$U" --regid="$G" --init-groups "$@"; }
HOMEOPTS=(--conf "$T/conf" --secret-path '%h/.pam_totp')
make_service home "secret=%h/.pam_totp conf=$T/conf"

# --- root enrols the user in the user's home
umask 077
"$ENROLL" "${HOMEOPTS[@]}" --user "$U" --no-confirm --qr=none >"$T/out" 2>"$T/err"
check_eq "root --user: exit 0" 0 "$?"
check_eq "record owned by the user, mode 0600 (umask 077)" "$U:$G 600" \
	"$(stat -c '%U:%G %a' "$HOME_U/.pam_totp")"
check "label is the user's" grep -q "otpauth://totp/Test%20Co:$U%40" "$T/out"
uri=$(grep -o 'otpauth://[^ ]*' "$T/out")
check_login "the user logs in with the new secret" PAM_SUCCESS home "$U" "$(uri_code "$uri")"
"$ENROLL" "${HOMEOPTS[@]}" --user "$U" --no-confirm --qr=none >/dev/null 2>"$T/err"
check_eq "root --user on an enrolled user without --force: exit 3" 3 "$?"

# --- an administrator's store outside the home: root's alone
umask 000
mkdir -m 755 "$T/store"
"$ENROLL" --conf "$T/conf" --secret-path "$T/store/%u" --user "$U" --no-confirm --qr=none \
	>"$T/out" 2>"$T/err"
check_eq "root --user into a root store: exit 0" 0 "$?"
check_eq "store record owned by root, mode 0600 (umask 000)" "root:root 600" \
	"$(stat -c '%U:%G %a' "$T/store/$U")"
uri=$(grep -o 'otpauth://[^ ]*' "$T/out")
make_service admin "secret=$T/store/%u conf=$T/conf"
check_login "the user logs in with the root-owned record" PAM_SUCCESS admin "$U" "$(uri_code "$uri")"
umask 022
"$ENROLL" --conf "$T/conf" --secret-path "$T/newstore/%u" --user "$U" --no-confirm --qr=none \
	>/dev/null 2>"$T/err"
check_eq "a missing store directory is made: exit 0" 0 "$?"
check_eq "  root's, mode 0700" "root 700" "$(stat -c '%U %a' "$T/newstore")"
for bad in "user-owned:chown $U" "group-writable:chmod 770" "world-writable:chmod 1777"; do
	mkdir -m 700 "$T/bad"
	${bad#*:} "$T/bad"
	"$ENROLL" --conf "$T/conf" --secret-path "$T/bad/%u" --user "$U" --no-confirm --qr=none \
		>/dev/null 2>"$T/err"
	check_eq "a ${bad%%:*} store directory is refused: exit 1" 1 "$?"
	check "  saying why" grep -q "the store directory $T/bad is unsafe: it must be a directory owned by root" "$T/err"
	check "  nothing written" test ! -e "$T/bad/$U"
	rm -rf "$T/bad"
done
cp -p "$T/store/$U" "$T/store_record.before"
as_user "$T/totp-enroll" --conf "$T/conf" --secret-path "$T/store/%u" --force --no-confirm \
	--qr=none >/dev/null 2>"$T/err"
check_eq "a user cannot enrol into the administrator's store: exit 1" 1 "$?"
check "  told in plain words to ask the service desk, and that nothing changed" \
	grep -qx "totp-enroll: you cannot set up the app yourself on this computer. Ask the service desk (your administrator) to do it for you. Nothing was changed." "$T/err"
check "  and nothing else" test "$(wc -l <"$T/err")" -eq 1
check "  the record there is unchanged" cmp -s "$T/store/$U" "$T/store_record.before"
{ cat "$T/conf"; echo "helpdesk=Call the service desk: 020 123 4567"; } >"$T/hd.conf"
chmod 644 "$T/hd.conf"
as_user "$T/totp-enroll" --conf "$T/hd.conf" --secret-path "$T/store/%u" --force --no-confirm \
	--qr=none >/dev/null 2>"$T/err"
check_eq "  with helpdesk= in the configuration: exit 1" 1 "$?"
check_eq "  its text follows, as the module says it after a refusal" \
	"Call the service desk: 020 123 4567" "$(sed -n 2p "$T/err")"

# --- --png/--svg never truncate or take over a file that is not one's own
printf 'the user file\n' >"$T/users.png"
chown "$U:$G" "$T/users.png"
chmod 666 "$T/users.png"
cp -p "$T/users.png" "$T/users.before"
"$ENROLL" "${HOMEOPTS[@]}" --user "$U" --force --no-confirm --qr=none --png "$T/users.png" \
	>/dev/null 2>"$T/err"
check_eq "root: --png onto the user's file refused: exit 1" 1 "$?"
check "  the file is byte-identical" cmp -s "$T/users.png" "$T/users.before"
check_eq "  its owner and mode unchanged" "$U 666" "$(stat -c '%U %a' "$T/users.png")"
printf 'root file\n' >"$T/roots.svg"
chmod 666 "$T/roots.svg"
cp -p "$T/roots.svg" "$T/roots.before"
as_user "$T/totp-enroll" "${HOMEOPTS[@]}" --force --no-confirm --qr=none --svg "$T/roots.svg" \
	>/dev/null 2>"$T/err"
check_eq "the user: --svg onto root's writable file refused: exit 1" 1 "$?"
check "  the file is byte-identical" cmp -s "$T/roots.svg" "$T/roots.before"

# --- not root: --user refused, self-enrolment allowed
as_user "$T/totp-enroll" "${HOMEOPTS[@]}" --user root --no-confirm >/dev/null 2>"$T/err"
check_eq "non-root --user: exit 2" 2 "$?"
check "non-root --user: says only root" grep -q "only root" "$T/err"
as_user "$T/totp-enroll" "${HOMEOPTS[@]}" --user "$U" --no-confirm >/dev/null 2>"$T/err"
check_eq "non-root --user naming oneself: still refused" 2 "$?"
rm -f "$HOME_U/.pam_totp"
as_user "$T/totp-enroll" "${HOMEOPTS[@]}" --no-confirm --qr=none >"$T/out" 2>"$T/err"
check_eq "non-root self-enrolment: exit 0" 0 "$?"
check_eq "self-enrolled record: the user's, 0600" "$U:$G 600" \
	"$(stat -c '%U:%G %a' "$HOME_U/.pam_totp")"
as_user "$T/totp-enroll" "${HOMEOPTS[@]}" --no-confirm --qr=none >/dev/null 2>"$T/err"
check_eq "non-root re-enrolment without --force: exit 3" 3 "$?"

# --- a symlink the user planted in the home is replaced, never followed
echo "root's file" >"$T/target"
chmod 644 "$T/target"
as_user ln -sf "$T/target" "$HOME_U/.pam_totp"
"$ENROLL" "${HOMEOPTS[@]}" --user "$U" --force --no-confirm --qr=none >/dev/null 2>"$T/err"
check_eq "root --force over a planted symlink: exit 0" 0 "$?"
check_eq "the symlink's target untouched" "root's file" "$(cat "$T/target")"
check "the record is now a regular file" test -f "$HOME_U/.pam_totp" -a ! -L "$HOME_U/.pam_totp"

# --- a failed write leaves the existing record
cp -p "$HOME_U/.pam_totp" "$T/before"
chmod 555 "$HOME_U"
"$ENROLL" "${HOMEOPTS[@]}" --user "$U" --force --no-confirm --qr=none >/dev/null 2>"$T/err"
check_eq "write fails in a home the user cannot write: exit 1" 1 "$?"
check "the error says nothing was written" grep -q "nothing was written" "$T/err"
check "found before any QR code was shown" grep -q "cannot write to the directory $HOME_U.*no QR code was shown" "$T/err"
check "existing record unchanged" cmp -s "$HOME_U/.pam_totp" "$T/before"
check "no temporary file left" test -z "$(ls -a "$HOME_U" | grep '\.tmp\.')"
chmod 755 "$HOME_U"

"$ENROLL" "${HOMEOPTS[@]}" --user no_such_user_pt --no-confirm >/dev/null 2>"$T/err"
check_eq "unknown --user: exit 1" 1 "$?"

tap_done
