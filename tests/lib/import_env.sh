# The users and google-authenticator files of the import tests
# (tests/admin_import.sh, tests/admin_import_pg.sh): source after
# tests/lib/admin_env.sh. Needs root (files owned by the users).
#
#   import_users USER...  the users, in a user database of the test's own
#                         (tests/lib/nss_env.sh), each with a home $T/home/USER:
#                         totp-admin and the logins see them and nobody
#                         else, so import-ga --all takes this test's files
#                         alone, whoever else on the machine has one
#   ga_file USER          USER's ~/.google_authenticator
#   ga USER FLAGS...      the real google-authenticator command writes it
#   snapshot              every file under the homes: name, owner, mode,
#                         size, time, contents
command -v google-authenticator >/dev/null ||
	bail "google-authenticator not installed (apt-get install libpam-google-authenticator)"
. "$top_srcdir/tests/lib/nss_env.sh"
ADMIN_PRELOAD=$NSS_PRELOAD
PAM_LOGIN_PRELOAD=$NSS_WRAPPER_LIB

import_users() {
	local u
	for u in "$@"; do nss_user "$u"; done
}
ga_file() { echo "$T/home/$1/.google_authenticator"; }

# non-interactive: a window of 3, a rate limit of 3 in 30 s, as an
# administrator would set them; written as root (-s), then given the
# owner it would have (the command makes it mode 0400)
ga() {
	local u=$1; shift
	google-authenticator -f -q -Q NONE -r 3 -R 30 -w 3 -s "$(ga_file "$u")" "$@" </dev/null >/dev/null ||
		bail "google-authenticator $* failed"
	chown "$(nss_uid "$u"):$(nss_gid "$u")" "$(ga_file "$u")"
}

snapshot() {
	(cd "$T/home" && find . -printf '%p %U %m %s %T@ %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}
