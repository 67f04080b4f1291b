#!/bin/bash
# The demo: install what is needed, build, enrol a sandbox user with
# totp-enroll (QR code in the terminal and as a PNG), then log in through the
# real PAM stack with codes from oathtool, an independent TOTP client.
# Safe to run twice. Needs root (apt-get, useradd).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"
bash tests/install-deps.sh
autoreconf -fi >/dev/null 2>&1
mkdir -p _build/demo
cd _build/demo
[ -f Makefile ] || "$src/configure" -q
make -j"$(nproc)" >/dev/null
make -j"$(nproc)" tests/shims/pam_login >/dev/null
build=$PWD

user=pamtotp-demo
sandbox=/tmp/pam_totp_demo
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
rm -rf "$sandbox"
mkdir -m 700 "$sandbox" "$sandbox/pam.d"
# a PAM service of the demo's own: /etc/pam.d is not touched
echo "auth required $build/pam_module/.libs/pam_totp.so secret=$sandbox/%u" >"$sandbox/pam.d/demo"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
login() { "$build/tests/shims/pam_login" -d "$sandbox/pam.d" demo "$user" "$@" | grep -v '^prompt'; }

say "1. Enrol $user: totp-enroll shows the QR code, asks for a code, writes the record"
python3 "$src/tests/lib/enroll_pty.py" "$sandbox/transcript" right \
	"$build/tools/totp-enroll" --user "$user" --secret-path "$sandbox/%u" \
	--issuer "Zorg & Co (demo)" --png "$sandbox/qr.png" >"$sandbox/enrolled"
cat "$sandbox/transcript"
uri=$(sed -n 's/^uri: //p' "$sandbox/enrolled")
mapfile -t recovery < <(sed -n 's/^recovery: //p' "$sandbox/enrolled")

say "2. The PNG decodes (zbarimg) to the same URI"
decoded=$(zbarimg --raw -q "$sandbox/qr.png" 2>/dev/null)
echo "$decoded"
[ "$decoded" = "$uri" ] && echo "(same as printed)" || { echo "DIFFERENT"; exit 1; }
secret=$(sed 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/' <<<"$uri")
ls -l "$sandbox/$user"

say "3. Log in through the real PAM stack with oathtool's code"
code=$(oathtool --totp -b "$secret")
echo "oathtool says: $code (the code used to confirm the enrolment)"
login "$code" || true
echo "(refused: the code that confirmed the enrolment is already used)"
wait=$((30 - $(date +%s) % 30 + 1))
echo "waiting ${wait}s for the app's next code..."
sleep "$wait"
code=$(oathtool --totp -b "$secret")
echo "oathtool says: $code"
login "$code"

say "4. The same code again is refused (replay)"
login "$code" || true

say "5. A recovery code works once"
login "${recovery[0]}"
login "${recovery[0]}" || true

say "Done. The record: $sandbox/$user (see pam_totp(5)); remove the demo user with: userdel -r $user"
