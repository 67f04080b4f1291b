#!/bin/bash
# Install every Debian 12 package that building, the demo and the tests need.
# Safe to run twice. Needs root (apt-get).
set -euo pipefail
packages=(
	# build
	build-essential autoconf automake libtool pkg-config
	libpam0g-dev libssl-dev libqrencode-dev libpng-dev
	# tests: unit tests, an independent TOTP client, the real libpam,
	# QR decoding, sanitizers and valgrind
	libcmocka-dev oathtool libpam-wrapper zbar-tools imagemagick
	clang libclang-rt-14-dev valgrind python3 python3-pexpect expect
	libpam-runtime
	# the record protocol's model checker (tests/spin_model.sh)
	spin
	# system tests: the real sshd and sudo; the Debian package
	openssh-server openssh-client sudo debhelper dpkg-dev lintian
	# the PostgreSQL store: libpq to build it, a server for its tests,
	# nss_wrapper for user names useradd refuses
	libpq-dev postgresql libnss-wrapper
	# the benchmark's anchors, whose driver the tests run (no timing)
	libpam-google-authenticator libpam-oath
)
missing=()
for p in "${packages[@]}"; do
	case $p in \#*) continue ;; esac
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
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "dependencies: all ${#packages[@]} packages installed"
