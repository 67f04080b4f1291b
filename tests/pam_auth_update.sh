#!/bin/bash
# The Debian package's PAM integration, in a throw-away root (the real
# pam-auth-update --root, the package's own maintainer scripts with
# DPKG_ROOT): the profile is off by default; enabled, it adds pam_totp.so
# with nullok after the primary block, so an unenrolled user still logs in;
# on removal it is taken out again, and every other PAM file that still
# names pam_totp.so is named in a warning.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "the maintainer scripts and pam-auth-update; the nullok login it ends with runs under ASan in pam_basic"
command -v pam-auth-update >/dev/null || bail "pam-auth-update not installed (libpam-runtime)"
[ -f /usr/share/pam-configs/unix ] || bail "no /usr/share/pam-configs/unix (libpam-runtime)"
. "$top_srcdir/tests/lib/pam_env.sh"

R="$T/root"
# never the real root: the scripts below write under $R
case $R in /tmp/pam_totp_test.*/root) ;; *) bail "throw-away root '$R' is not under \$T" ;; esac
mkdir -p "$R/etc/pam.d" "$R/var/lib/pam" "$R/usr/share/pam-configs" "$R/var/cache"
# pam-auth-update asks through debconf, which with DPKG_ROOT reads the
# root's own configuration and database: the host's, copied
cp /etc/debconf.conf "$R/etc/" && cp -a /var/cache/debconf "$R/var/cache/" ||
	bail "no debconf to copy"
cp /usr/share/pam-configs/unix "$R/usr/share/pam-configs/"
cp "$top_srcdir/debian/pam-configs/pam-totp" "$R/usr/share/pam-configs/"
auth_lines() { grep -v '^#' "$R/etc/pam.d/common-auth" | grep .; }
# pam-auth-update keeps its choices in debconf: with DPKG_ROOT, the copy in
# $R, never the host's (checked at the end)
pau() { DPKG_ROOT=$R pam-auth-update --root "$R" "$@"; }
# as an unattended install runs them: without a terminal debconf would
# otherwise say on stderr that it falls back from frontend to frontend
export DEBIAN_FRONTEND=noninteractive
host_debconf=$(sha256sum /var/cache/debconf/config.dat)

# a fresh system's common-* files, made by pam-auth-update itself
pau --force --package >"$T/pau.log" 2>&1 || { cat "$T/pau.log"; bail "pam-auth-update failed"; }
DPKG_ROOT=$R sh "$top_srcdir/debian/libpam-totp.postinst" configure >"$T/postinst.log" 2>&1
check_eq "postinst succeeds" 0 "$?"
check "off by default: common-auth does not name pam_totp.so" test "$(grep -c pam_totp "$R/etc/pam.d/common-auth")" = 0

check "the profile's name, what pam-auth-update shows, says what sshd needs" \
	grep -q '^Name: .*sshd needs KbdInteractiveAuthentication yes' "$R/usr/share/pam-configs/pam-totp"
pau --enable pam-totp >"$T/pau.log" 2>&1
check_eq "pam-auth-update --enable pam-totp" 0 "$?"
check_eq "enabled: one line, required, with nullok" "auth	required	pam_totp.so nullok" \
	"$(grep pam_totp "$R/etc/pam.d/common-auth")"
check_eq "it comes after the primary block (after pam_permit)" "pam_permit.so pam_totp.so" \
	"$(auth_lines | awk '{ print $NF == "nullok" ? $(NF-1) : $NF }' | tail -2 | tr '\n' ' ' | sed 's/ $//')"

# the generated stack through the real libpam, with the module of this
# build and pam_permit standing in for a right password: a user without a
# record passes (nullok), one with a record must give a code
mkdir "$T/conf"
printf 'secret=%s/%%u.rec\n' "$T" >"$T/conf/pam_totp.conf"
auth_lines | sed -e "s|pam_unix.so nullok|pam_permit.so|" \
	-e "s|pam_totp.so nullok|$MODULE nullok conf=$T/conf/pam_totp.conf|" >"$T/pam/common"
check_login "through the enabled stack: not enrolled, nullok lets the user in" PAM_SUCCESS common root
check "... and the module says so" logged "not enrolled, nullok: ignored"
new_record "$T/root.rec"
check_login "through the enabled stack: enrolled, a wrong code is refused" PAM_AUTH_ERR common root "$(wrong_code)"
check_login "through the enabled stack: enrolled, the right code lets in" PAM_SUCCESS common root "$(code)"

# removal: the profile goes, the other stacks are named
printf 'auth required pam_totp.so\n' >"$R/etc/pam.d/sshd"
printf '@include common-auth\n' >"$R/etc/pam.d/sudo"
DPKG_ROOT=$R sh "$top_srcdir/debian/libpam-totp.prerm" remove >"$T/prerm.out" 2>"$T/prerm.err"
check_eq "prerm remove succeeds" 0 "$?"
check "the profile is taken out of common-auth" test "$(grep -c pam_totp "$R/etc/pam.d/common-auth")" = 0
check "a warning names the file that still names pam_totp.so" grep -q "WARNING:   $R/etc/pam.d/sshd$" "$T/prerm.err"
check "... and only that one" test "$(grep -c "WARNING:   " "$T/prerm.err")" = 1
rm "$R/etc/pam.d/sshd"
DPKG_ROOT=$R sh "$top_srcdir/debian/libpam-totp.prerm" remove >"$T/prerm.out" 2>"$T/prerm.err"
check_eq "with nothing left to name, no warning" "" "$(cat "$T/prerm.err")"
DPKG_ROOT=$R sh "$top_srcdir/debian/libpam-totp.prerm" upgrade >"$T/prerm.out" 2>"$T/prerm.err"
check_eq "an upgrade leaves the profile alone and warns of nothing" "0" "$?$(cat "$T/prerm.err")"

check_eq "the host's debconf database is untouched" "$host_debconf" \
	"$(sha256sum /var/cache/debconf/config.dat)"

tap_done
