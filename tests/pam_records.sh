#!/bin/bash
# Malformed and unsafe records: every one denies (PAM_AUTHINFO_UNAVAIL)
# with its own logged reason, without a crash, and (in the plain build, a
# sixth of them) clean under valgrind. The record is never changed.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pam_env.sh"

# Under valgrind: every case in a soak run, every sixth in the plain
# suite (a valgrind login costs seconds; the sanitizer build runs every
# case under ASan, and fuzz_record the parser under both), none in the
# sanitizer build, which the sanitizers watch instead.
if in_sanitizer_build; then
	VALGRIND="" valgrind_every=0
else
	command -v valgrind >/dev/null || bail "valgrind not installed"
	VALGRIND="valgrind -q --error-exitcode=42 --leak-check=full --errors-for-leak-kinds=definite"
	valgrind_every=$(repeat_count 6 6 1)
fi
n_case=0

mkdir -m 700 "$T/store"
make_service rec "secret=$T/store/%u"
good="$T/good"
new_record "$good" -r 2 >/dev/null
# a user of the test's own (tests/lib/nss_env.sh), with a home in $T; only
# its logins and chowns use that database (valgrind watches the others)
. "$top_srcdir/tests/lib/nss_env.sh"
nss_user pt_rec_owner
owner_login() { PAM_LOGIN_PRELOAD=$NSS_WRAPPER_LIB login "$@"; }

# size, time, inode and (for a regular file: never open a FIFO) contents
fingerprint() {
	stat -c '%s %Y %i %F' "$T/store/root" 2>/dev/null
	if [ -f "$T/store/root" ] && [ ! -L "$T/store/root" ]; then sha256sum <"$T/store/root"; fi
}

# bad_case DESCRIPTION LOG-REASON : the record at $T/store/root is set up
bad_case() {
	local desc=$1 reason=$2 before
	before=$(fingerprint)
	n_case=$((n_case + 1))
	if [ "$valgrind_every" -gt 0 ] && [ $(((n_case - 1) % valgrind_every)) -eq 0 ]; then
		PAM_LOGIN_WRAPPER=$VALGRIND login rec root 123456
	else
		login rec root 123456
	fi
	if [ "$result" = PAM_AUTHINFO_UNAVAIL ] && logged "record error: .*$reason"; then
		ok "$desc: denied, logged '$reason'"
	else
		not_ok "$desc: expected PAM_AUTHINFO_UNAVAIL and '$reason', got $result"
		sed 's/^/#   /' "$T/last.log" | grep -v PWRAP_DEBUG
	fi
	if grep -q '^==[0-9]*==' "$T/last.log"; then
		not_ok "$desc: valgrind reported errors"; grep '^==' "$T/last.log" | head -20 | sed 's/^/#   /'
	fi
	[ "$before" = "$(fingerprint)" ] || not_ok "$desc: the record was changed"
	rm -rf "$T/store/root"
}

# put CONTENT-COMMAND... : write the record from the good one through a filter
put() { "$@" <"$good" >"$T/store/root"; chmod 600 "$T/store/root"; }
put_text() { printf '%b' "$1" >"$T/store/root"; chmod 600 "$T/store/root"; }
slots_end=$((11 + 2 * 115))

put_text ""
bad_case "empty file" "empty record"
put head -c 40
bad_case "truncated in the slots" "truncated in the state slots"
put head -c $((slots_end + 20))
bad_case "truncated mid-line in the enrolment part" "missing final newline"
head -c 4096 /dev/urandom >"$T/store/root"; chmod 600 "$T/store/root"
bad_case "binary garbage" "bad magic"
put sed 's/^pam_totp 1$/pam_totp 2/'
bad_case "version 2" "unsupported version 2"
put sed '1s/^pam_totp 1$/PAM_TOTP 1/'
bad_case "bad magic" "bad magic"
{ cat "$good"; head -c 70000 /dev/zero | tr '\0' 'a'; } >"$T/store/root"; chmod 600 "$T/store/root"
bad_case "over 64 KiB" "larger than 64 KiB"
put sed '$a digits=6'
bad_case "duplicate key" "duplicate key 'digits'"
put sed '$a colour=blue'
bad_case "unknown key" "unknown key 'colour'"
put sed 's/^secret=.*/secret=JBSW1Y3DPEHPK3PXP/'
bad_case "bad base32 secret" "secret: bad base32"
put sed 's/^secret=.*/secret=MZXW6YTB/'
bad_case "secret too short" "secret: shorter than 10 bytes"
put sed 's/^digits=.*/digits=5/'
bad_case "digits 5" "digits: out of range 6..8"
put sed 's/^digits=.*/digits=9/'
bad_case "digits 9" "digits: out of range 6..8"
put sed 's/^period=.*/period=0/'
bad_case "period 0" "period: out of range 1..300"
put sed 's/^period=.*/period=301/'
bad_case "period 301" "period: out of range 1..300"
put sed 's/^algorithm=.*/algorithm=MD5/'
bad_case "unknown algorithm" "algorithm: unknown algorithm"
put sed '/^secret=/d'
bad_case "missing secret" "missing required key 'secret'"
put sed 's/^created=.*/created=-5/'
bad_case "negative created" "created: negative number"
put sed 's/^digits=6$/digits=6\r/'
bad_case "CRLF line" "carriage return"
put sed 's/^period=30$/period=3\x000/'
bad_case "NUL byte" "(0x00)"
put sed 's/^digits=6$/digits = 6/'
bad_case "spaces around =" "space around '='"
put sed 's/^digits=6$/digits=6\n/'
bad_case "empty line" "empty line"
put sed "s/^algorithm=SHA1\$/algorithm=SHA1$(printf 'x%.0s' $(seq 1100))/"
bad_case "overlong line" "longer than 1024 bytes"
put sed '/^recovery_kdf=/d'
bad_case "recovery hashes without kdf" "recovery hashes without recovery_kdf"
put sed 's/^recovery=\([0-9a-f]*\),/recovery=\1,XYZ,/'
bad_case "bad recovery hash" "bad hash"
put sed -e "2s/^\(.\{40\}\)./\1X/" -e "3s/^\(.\{40\}\)./\1X/"
bad_case "both state slots torn" "both state slots invalid"
put sed -e '2s/^state_a/state_b/' -e '3s/^state_b/state_a/'
bad_case "slots swapped" "both state slots invalid"

# unsafe files
ln -s /etc/shadow "$T/store/root"
bad_case "symlink to /etc/shadow" "refusing a symbolic link"
mkfifo -m 600 "$T/store/root"
bad_case "a FIFO" "is not a regular file"
mkdir -m 700 "$T/store/root"
bad_case "a directory" "Is a directory"
put cat; chmod 644 "$T/store/root"
bad_case "mode 0644" "accessible by group or others"
put cat; chmod 640 "$T/store/root"
bad_case "mode 0640" "accessible by group or others"
put cat; with_nss chown pt_rec_owner "$T/store/root"
bad_case "owned by another user" "wrong owner"
put cat; ln "$T/store/root" "$T/store/hardlink"
bad_case "a second hard link" "more than one hard link"
rm -f "$T/store/hardlink"
# the administrator's store directory itself: whoever may write it may
# replace the record, so a record in a directory others may write is
# refused at login, as totp-enroll refuses to write one there
for mode in 777 775 1777; do
	put cat; chmod "$mode" "$T/store"
	bad_case "the store directory mode $mode" "its directory may be written by others than root"
done
chmod 700 "$T/store"
# outside the home a record is root's alone: one its user owns (who could
# read the secret and reset the failures) is refused, unchanged
new_record "$T/store/pt_rec_owner"
with_nss chown pt_rec_owner "$T/store/pt_rec_owner"
before=$(sha256sum <"$T/store/pt_rec_owner")
owner_login rec pt_rec_owner "$(code)"
check_eq "the user's own record in the administrator's store is refused" PAM_AUTHINFO_UNAVAIL "$result"
check "  logged: outside the home it must be root's" \
	logged "record error: record $T/store/pt_rec_owner has the wrong owner (outside the home it must be root's)"
check_eq "  the record is unchanged" "$before" "$(sha256sum <"$T/store/pt_rec_owner")"
chown root "$T/store/pt_rec_owner"
owner_login rec pt_rec_owner "$(code)"
check_eq "  owned by root it works" PAM_SUCCESS "$result"
rm -f "$T/store/pt_rec_owner"
# a record in a home directory must belong to the user, even if root owns it
home="$T/home/pt_rec_owner"
make_service home "secret=%h/.pam_totp"
new_record "$home/.pam_totp"      # owned by root
owner_login home pt_rec_owner 123456
check_eq "root-owned record in a user's home denied" PAM_AUTHINFO_UNAVAIL "$result"
check "logged: the user cannot open it" logged "cannot open .*Permission denied"
with_nss chown pt_rec_owner "$home/.pam_totp"
owner_login home pt_rec_owner "$(code)"
check_eq "the user's own record in the home works" PAM_SUCCESS "$result"
ln -sf /etc/shadow "$home/.pam_totp"
owner_login home pt_rec_owner 123456
check_eq "symlinked home record denied" PAM_AUTHINFO_UNAVAIL "$result"

# A rewrite killed between its rename and the directory's fsync leaves its
# new file marked S_ISVTX (lib/store_file.c, sync_uncommitted_name): the
# next login syncs the directory, clears the mark and goes on.
new_record "$T/store/root"
chmod 1600 "$T/store/root"
login rec root "$(code)"
check_eq "a record still marked by a killed rewrite logs in" PAM_SUCCESS "$result"
check_eq "that login cleared the mark" 600 "$(stat -c %a "$T/store/root")"
login rec root "$(code)"
check_eq "and its code is not accepted again" PAM_AUTH_ERR "$result"

tap_done
