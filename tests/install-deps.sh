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
	# the PostgreSQL store: libpq to build it, a server for its tests,
	# nss_wrapper for user names useradd refuses
	libpq-dev postgresql libnss-wrapper
)
missing=()
for p in "${packages[@]}"; do
	case $p in \#*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "dependencies: all ${#packages[@]} packages installed"
