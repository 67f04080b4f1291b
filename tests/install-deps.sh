#!/bin/bash
# Install every Debian 12 or 13 package that building, the demo and the tests
# need, then check that what the tests call is really there. Safe to run
# twice. Needs root (apt-get).
#
# One table: each row is a package, where it is needed, and what of it the
# build or the tests call (commands, or absolute paths with globs). A
# missing one fails here, in one line naming the package, instead of as a
# cascade of unrelated test failures.
#   where: build  building from a clone (not a package build dependency)
#          deb    building the Debian package, with its tests: must be in
#                 debian/control's Build-Depends (tests/deps_table.sh checks)
#          ci     the rest of the suite: system, PostgreSQL, sanitizer,
#                 fuzzing, benchmark and package tests
#          demo   examples/demo.sh
# usage: install-deps.sh [--print-table]
set -euo pipefail
table='
build-essential             build  gcc make
autoconf                    build  autoreconf
automake                    build  automake
libtool                     build  libtoolize
pkg-config                  deb    pkg-config
gettext                     deb    msgfmt xgettext msgmerge
libpam0g-dev                deb    /usr/include/security/pam_modules.h
libssl-dev                  deb    /usr/include/openssl/evp.h
libqrencode-dev             deb    /usr/include/qrencode.h
libpng-dev                  deb    /usr/include/png.h
libpq-dev                   deb    /usr/include/postgresql/libpq-fe.h
libcmocka-dev               deb    /usr/include/cmocka.h
oathtool                    deb    oathtool
libpam-wrapper              deb    /usr/lib/*/libpam_wrapper.so
zbar-tools                  deb    zbarimg
imagemagick                 deb    convert
librsvg2-bin                deb    rsvg-convert
python3                     deb    python3
python3-pexpect             deb    /usr/lib/python3/dist-packages/pexpect/__init__.py
libpam-runtime              deb    /usr/lib/*/security/pam_deny.so pam-auth-update
tmux                        deb    tmux
clang                       ci     clang
libclang-rt-dev             ci     /usr/lib/llvm-*/lib/clang/*/lib/*/libclang_rt.fuzzer*.a
clang-tools                 ci     scan-build
clang-format                ci     clang-format
llvm                        ci     llvm-symbolizer
valgrind                    deb    valgrind
spin                        deb    spin
expect                      demo   expect
openssh-server              ci     sshd
openssh-client              ci     ssh ssh-keygen
sudo                        ci     sudo visudo
debhelper                   ci     dh
dpkg-dev                    ci     dpkg-buildpackage
lintian                     ci     lintian
postgresql                  ci     /usr/lib/postgresql/*/bin/initdb /usr/lib/postgresql/*/bin/pg_ctl psql
pgbouncer                   ci     pgbouncer
libnss-wrapper              ci     /usr/lib/*/libnss_wrapper.so
openssl                     ci     openssl
iproute2                    ci     ip
libpam-google-authenticator deb    google-authenticator /usr/lib/*/security/pam_google_authenticator.so
libpam-oath                 deb    /usr/lib/*/security/pam_oath.so
fail2ban                    deb    fail2ban-regex
util-linux                  ci     setpriv runuser unshare
passwd                      ci     useradd userdel
'
if [ "${1:-}" = --print-table ]; then
	printf '%s\n' "$table" | sed '/^$/d'
	exit 0
fi

packages=()
while read -r pkg _; do
	[ -n "$pkg" ] && packages+=("$pkg")
done <<<"$table"
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	# Installing openssh-server must not start the system's sshd: the tests
	# run their own. policy-rc.d (if there is none) forbids it meanwhile.
	policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get update -qq
	# force-unsafe-io: dpkg does not sync every file it unpacks, which
	# takes minutes on a fresh machine (a power cut mid-install means
	# installing again); no manual-page index is rebuilt either
	echo 'man-db man-db/auto-update boolean false' | debconf-set-selections 2>/dev/null || true
	apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-unsafe-io \
		"${missing[@]}" >/dev/null
fi

# have WHAT: a command on PATH (sbin included), or an existing path (glob)
have() {
	local f
	case $1 in
	/*)
		for f in $1; do [ -e "$f" ] && return 0; done
		return 1 ;;
	*) PATH="$PATH:/usr/sbin:/sbin" command -v "$1" >/dev/null ;;
	esac
}
absent=0
while read -r pkg _ checks; do
	[ -n "$pkg" ] || continue
	for c in $checks; do
		if ! have "$c"; then
			echo "missing: $c (Debian package $pkg)"
			absent=$((absent + 1))
		fi
	done
done <<<"$table"
[ "$absent" -eq 0 ] || exit 1
echo "dependencies: all ${#packages[@]} packages installed, everything the tests call is there"
