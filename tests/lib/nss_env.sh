# A user database of the test's own (nss_wrapper, Debian libnss-wrapper):
# source after tests/lib/pam_env.sh. Its users exist there alone, never in
# /etc/passwd, so what walks every user (totp-admin import-ga --all, list,
# missing: getpwent) sees this test's users and nobody else of the
# machine, and tests side by side share no user. Besides them it holds
# root and the administrator totp-admin names (the audit login uid's
# user), both with a home that does not exist: a record or a
# google-authenticator file in a real home is never this test's.
#
#   nss_user NAME [HOME [GROUP...]]  a user, uid and gid a number of this
#                          database (a group NAME of its own), in each
#                          GROUP (made by nss_group first); HOME by
#                          default $T/home/NAME, made (the user's, 0755)
#   nss_group NAME         a group
#   nss_uid NAME, nss_gid NAME   the user's numbers
#   with_nss CMD...        run CMD on this database (chown, stat, getent)
#   NSS_PRELOAD            the library for LD_PRELOAD (after ASan's runtime):
#                          tests set ADMIN_PRELOAD (tests/lib/admin_env.sh) and
#                          PAM_LOGIN_PRELOAD (tests/lib/pam_env.sh) to it
NSS_WRAPPER_LIB=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -1)
[ -n "$NSS_WRAPPER_LIB" ] || bail "nss_wrapper not installed (apt-get install libnss-wrapper)"
NSS_PRELOAD="${ASAN_LIB:+$ASAN_LIB:}$NSS_WRAPPER_LIB"
export NSS_WRAPPER_PASSWD="$T/nss/passwd" NSS_WRAPPER_GROUP="$T/nss/group"
mkdir -p "$T/nss"
# numbers no account of a usual machine has (useradd stops at 60000)
nss_next_id=4200000
nss_groups=()
declare -A nss_members=() nss_gids=()
{
	echo "root:x:0:0:root:$T/home/root:/bin/sh"
	nss_luid=$(cat /proc/self/loginuid 2>/dev/null)
	if [ -n "$nss_luid" ] && [ "$nss_luid" != 4294967295 ] && [ "$nss_luid" != 0 ] &&
		nss_admin=$(getent passwd "$nss_luid"); then
		echo "${nss_admin%%:*}:x:$nss_luid:$nss_luid::$T/home/${nss_admin%%:*}:/bin/sh"
	fi
} >"$NSS_WRAPPER_PASSWD"
nss_write_groups() {
	local g
	{
		echo "root:x:0:"
		for g in "${nss_groups[@]}"; do echo "$g:x:${nss_gids[$g]}:${nss_members[$g]}"; done
	} >"$NSS_WRAPPER_GROUP"
}
nss_write_groups

nss_group() {
	nss_groups+=("$1")
	nss_gids[$1]=$nss_next_id
	nss_members[$1]=
	nss_next_id=$((nss_next_id + 1))
	nss_write_groups
}
nss_user() {
	local name=$1 home=${2:-$T/home/$1} id=$nss_next_id g
	shift 2 2>/dev/null || shift
	nss_next_id=$((nss_next_id + 1))
	nss_groups+=("$name")
	nss_gids[$name]=$id
	nss_members[$name]=
	for g in "$@"; do nss_members[$g]+=${nss_members[$g]:+,}$name; done
	echo "$name:x:$id:$id::$home:/bin/sh" >>"$NSS_WRAPPER_PASSWD"
	nss_write_groups
	if [ "$home" = "$T/home/$name" ]; then
		mkdir -p -m 755 "$T/home" && mkdir -m 755 "$home" && chown "$id:$id" "$home" ||
			bail "cannot make $home"
	fi
}
nss_uid() { awk -F: -v u="$1" '$1 == u { print $3 }' "$NSS_WRAPPER_PASSWD"; }
nss_gid() { awk -F: -v u="$1" '$1 == u { print $4 }' "$NSS_WRAPPER_PASSWD"; }
with_nss() { LD_PRELOAD="$NSS_PRELOAD" "$@"; }
