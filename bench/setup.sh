# Shared by bench/run.sh and bench/compare.sh (sourced, not run): the
# anchors and tools from Debian, a build of pam_totp and the driver,
# throwaway accounts removed on exit, and run() for the driver.
# Needs: src (the source tree), build (the build directory).

[ "$(id -u)" = 0 ] || { echo "$0: run as root (it installs packages and creates accounts)" >&2; exit 1; }

# bench_install: the two anchors, valgrind and what building needs
bench_install() {
	local need=() p
	echo "== installing the anchors and valgrind"
	for p in libpam-google-authenticator libpam-oath valgrind libpam0g-dev libssl-dev \
		libqrencode-dev libpng-dev autoconf automake libtool pkg-config make gcc; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	fi
}

# bench_build SRC BUILD: the module and, with "driver", the bench programs
bench_build() {
	echo "== building $1 in $2"
	(cd "$1" && autoreconf -fi >/dev/null 2>&1)
	mkdir -p "$2"
	(cd "$2" && { [ -f Makefile ] || "$1/configure" -q; } && make -j"$(nproc)" >/dev/null)
	if [ "${3:-}" = driver ]; then
		(cd "$2" && make bench/pam_bench bench/pam_cold bench/pam_cold_sshd >/dev/null)
	fi
}

# bench_users N: N accounts pbench00.. in users[]; those made here go on exit
# with the scratch directory $dir
users=()
made_users=()
bench_cleanup() {
	local u
	for u in "${made_users[@]}"; do userdel "$u" 2>/dev/null || true; done
	rm -rf "$dir"
}
bench_users() {
	local i u
	for i in $(seq -w 0 $(($1 - 1))); do
		u="pbench$i"
		if ! id "$u" >/dev/null 2>&1; then
			useradd -r -M -d /nonexistent -s /usr/sbin/nologin "$u"
			made_users+=("$u")
		fi
		users+=("$u")
	done
}

# Without a syslog daemon (no /dev/log), glibc's syslog writes every log
# line to /dev/console: a serial console on many virtual machines, ~2 ms a
# line, which would dwarf what is measured. Then the bench runs in a private
# mount namespace where /dev/console is /dev/null, so a log line costs about
# what handing it to a local syslog socket costs. Nothing outside changes.
run() {
	if [ -S /dev/log ]; then
		"$@"
	else
		unshare --mount --propagation private \
			sh -c 'mount --bind /dev/null /dev/console && exec "$@"' sh "$@"
	fi
}
