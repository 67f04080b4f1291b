#!/bin/bash
# The demo: install what is needed, build, then show pam_totp at work.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
bash tests/install-deps.sh
autoreconf -fi >/dev/null 2>&1
mkdir -p _build/demo && cd _build/demo
[ -f Makefile ] || "$src/configure" -q
make -j"$(nproc)" >/dev/null
make -j"$(nproc)" tests/otp_cli >/dev/null

secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
now=$(date +%s)
echo "Codes for the secret $secret at $(date -u -d "@$now" '+%F %T') UTC,"
echo "from pam_totp's core and from oathtool (an independent client):"
printf '%-8s %-7s %-10s %-10s\n' algorithm digits pam_totp oathtool
for alg in SHA1 SHA256 SHA512; do
	for digits in 6 8; do
		ours=$(tests/otp_cli totp "$secret" "$alg" "$digits" 30 "$now")
		theirs=$(oathtool --totp="$alg" -b -d "$digits" -N "@$now" "$secret")
		printf '%-9s %-7s %-10s %-10s %s\n' "$alg" "$digits" "$ours" "$theirs" \
			"$([ "$ours" = "$theirs" ] && echo same || echo DIFFERENT)"
	done
done
