# The users and google-authenticator files of the import tests
# (tests/admin_import.sh, tests/admin_import_pg.sh): source after
# tests/pam_env.sh. Needs root.
#
#   import_users USER...  the users, each with a home $T/home/USER (left
#                         over ones of an interrupted run removed first);
#                         waits until no other import test runs: a file
#                         of its users would be taken by import-ga --all
#   drop_users            remove them again: the caller's EXIT trap runs it
#   ga_file USER          USER's ~/.google_authenticator
#   ga USER FLAGS...      the real google-authenticator command writes it
#   snapshot              every file under the homes: name, owner, mode,
#                         size, time, contents
command -v google-authenticator >/dev/null ||
	bail "google-authenticator not installed (apt-get install libpam-google-authenticator)"

IMPORT_USERS=
drop_users() { for u in $IMPORT_USERS; do userdel "$u" 2>/dev/null; done; }
import_users() {
	exec 9>"${TMPDIR:-/tmp}/.pam_totp_import.lock"
	flock -w 600 9 || bail "another import test holds ${TMPDIR:-/tmp}/.pam_totp_import.lock"
	IMPORT_USERS="$*"
	drop_users
	mkdir -m 755 "$T/home"
	for u in $IMPORT_USERS; do
		useradd -m -d "$T/home/$u" -s /bin/sh "$u" || bail "useradd $u failed"
	done
}
ga_file() { echo "$T/home/$1/.google_authenticator"; }

# non-interactive: a window of 3, a rate limit of 3 in 30 s, as an
# administrator would set them; written as root (-s), then given the
# owner it would have (the command makes it mode 0400)
ga() {
	local u=$1; shift
	google-authenticator -f -q -Q NONE -r 3 -R 30 -w 3 -s "$(ga_file "$u")" "$@" </dev/null >/dev/null ||
		bail "google-authenticator $* failed"
	chown "$u:" "$(ga_file "$u")"
}

snapshot() {
	(cd "$T/home" && find . -printf '%p %U %m %s %T@ %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort)
}
