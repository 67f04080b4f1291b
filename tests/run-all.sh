#!/bin/bash
# Install what is needed, build with -Werror, run every test: the normal
# build (gcc, the hardening flags, LTO), then the whole suite again under
# AddressSanitizer+UBSan (clang), the fuzzers, clang's static analyzer
# (scan-build) on a clang build with the hardening flags, `make distcheck`,
# then the Debian package built, installed, logged in through and purged.
# Each part ends with its time; the whole with one line "N passed, N failed".
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src" || exit 1
bash tests/install-deps.sh || exit 1
echo "== install: ${SECONDS} s"
(autoreconf -fi >/dev/null 2>&1) || { echo "autoreconf failed"; exit 1; }

passed=0
failed=0
jobs=$(nproc)
# tests wait more than they compute (daemons, sshd, timeouts): two per
# core (three measured no faster: 262 s for the plain suite either way)
check_jobs=$((2 * jobs))
# the system tests (real sshd and sudo) must run here, not skip
export PAM_TOTP_SYSTEM_TESTS=required
# and so must the PostgreSQL tests (they skip when not run as root)
export PAM_TOTP_PG_TESTS=required

# show_failed_logs DIR: the end of every test log under DIR with a failure
show_failed_logs() {
	find "$@" -name '*.log' -path '*tests/*' -exec grep -l -E '^(not ok|FAIL|ERROR)' {} + 2>/dev/null |
		while read -r log; do echo "--- $log"; tail -30 "$log"; done
}

# run_suite NAME CONFIGURE-ARGS...: build in _build/NAME and run make check
run_suite() {
	local name=$1 t0=$SECONDS; shift
	local dir="$src/_build/$name"
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
	echo "== $name: configure $*"
	if ! "$src/configure" -q --enable-werror "$@" >configure.out 2>&1; then
		cat configure.out; failed=$((failed + 1)); cd "$src"; return 1
	fi
	if ! make -j"$jobs" >make.out 2>&1; then
		tail -40 make.out; failed=$((failed + 1)); cd "$src"; return 1
	fi
	make -j"$check_jobs" check >check.out 2>&1
	grep -E '^(FAIL|ERROR|XPASS)' check.out
	local p f
	p=$(awk '/^# PASS:/ {s += $3} END {print s + 0}' check.out)
	f=$(awk '/^# (FAIL|ERROR|XPASS):/ {s += $3} END {print s + 0}' check.out)
	if ! grep -q '^# TOTAL:' check.out; then
		tail -40 check.out; f=$((f + 1))
	fi
	[ "$f" -gt 0 ] && show_failed_logs .
	echo "== $name: slowest tests: $(grep -H '^# duration:' tests/*.log tests/*/*.log 2>/dev/null |
		sed 's|^tests/\(.*\)\.log:# duration: \([0-9]*\) s$|\2 \1|' | sort -rn | head -6 |
		awk '{ printf "%s%s %ss", sep, $2, $1; sep = ", " }')"
	echo "== $name: $p passed, $f failed ($((SECONDS - t0)) s)"
	passed=$((passed + p)); failed=$((failed + f))
	cd "$src"
}

# Two compilers, each with -Werror: gcc for the normal suite, with the
# hardening flags distributions build with and link-time optimisation;
# clang for the sanitizer suite, and again, with the hardening flags, for
# scan-build below.
hardening="-O2 -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection -fcf-protection"
# --with-postgresql: the PostgreSQL store is built and tested, or the
# build fails (never a silent skip)
# the plain suite leaves to the sanitizer suite the tests of behaviour
# only (tests/lib/tap.sh: skip_in_plain_build_before_sanitizers); the package
# and distcheck parts run a login through the plain build again.
# -flto=auto: as -flto, with the link's code generation on every core
PAM_TOTP_SANITIZER_RUN_FOLLOWS=1 run_suite normal --with-postgresql CC=gcc \
	CFLAGS="$hardening -flto=auto" LDFLAGS="-flto=auto"
# clang's ASan runtime as a shared library (-shared-libsan), as gcc's
# libasan: the tests preload it before pam_wrapper and the shims (tests/
# tap.sh, asan_runtime). In CC, because libtool drops the flag from the
# links of shared libraries (the module, the shims); the runtime's
# directory, wherever this clang keeps it, as an rpath, since it is not in
# the loader's path.
san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
asan_so=$(clang -fsanitize=address -shared-libsan -### -x c /dev/null 2>&1 |
	grep -o '[^" ]*libclang_rt\.asan[^" ]*\.so' | head -1)
if [ -f "$asan_so" ]; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions="$src/tests/lsan.supp":print_suppressions=0 \
		PAM_TOTP_REPEAT_RUN=1 run_suite sanitize --with-postgresql CC="clang -shared-libsan" \
		CFLAGS="-O1 $san" LDFLAGS="$san -Wl,-rpath,${asan_so%/*}"
else
	echo "== sanitize: clang's shared ASan runtime not found ('$asan_so')"; failed=$((failed + 1))
fi

t0=$SECONDS
echo "== fuzz: every libFuzzer target for ${FUZZ_SECONDS:=10}s"
# a tree of its own: clang, libFuzzer, ASan+UBSan, --enable-fuzzing
fuzz_out=$(bash "$src/tests/fuzz.sh" "$src/_build/fuzz" "$FUZZ_SECONDS")
echo "$fuzz_out"
fp=$(tail -1 <<<"$fuzz_out" | awk '/passed/ { print $1 + 0 }')
ff=$(tail -1 <<<"$fuzz_out" | awk '/failed/ { print $3 + 0 }')
[ -n "$fp" ] || { fp=0; ff=1; }
passed=$((passed + fp)); failed=$((failed + ff))
echo "== fuzz: $((SECONDS - t0)) s"

# scan-build: clang's static analyzer over a clang build with the
# hardening flags and -Werror of everything `make check` compiles; any
# finding not in tests/scan_build_known.txt fails it. Then that build's
# unit tests: the clang-built code with _FORTIFY_SOURCE at work.
t0=$SECONDS
echo "== scan-build: clang $hardening"
if bash "$src/tests/scan_build.sh" "$src/_build/scan" --with-postgresql CFLAGS="$hardening"; then
	passed=$((passed + 1))
	out="$src/_build/scan/check.out"
	make -C "$src/_build/scan" -j"$check_jobs" check TESTS='$(UNIT_TESTS)' >"$out" 2>&1
	p=$(awk '/^# PASS:/ {s += $3} END {print s + 0}' "$out")
	f=$(awk '/^# (FAIL|ERROR|XPASS):/ {s += $3} END {print s + 0}' "$out")
	grep -q '^# TOTAL:' "$out" || { tail -20 "$out"; f=$((f + 1)); }
	[ "$f" -gt 0 ] && grep -E '^(FAIL|ERROR|XPASS)' "$out"
	echo "== scan-build: unit tests of the clang build: $p passed, $f failed"
	passed=$((passed + p)); failed=$((failed + f))
else
	echo "== scan-build: FAILED"; failed=$((failed + 1))
fi
echo "== scan-build: $((SECONDS - t0)) s"

# dist_missing TARBALL: the files of this clone the tarball lacks (a
# distcheck that runs part of the suite would not notice a missing test)
dist_missing() {
	git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
		{ echo "(not a git clone: nothing to compare the tarball with)"; return; }
	comm -23 <(git -C "$src" ls-files | grep -v -x -E '\.ci/run|\.gitignore|.*/\.keep' | sort) \
		<(tar -tzf "$1" | sed 's|^[^/]*/||' | sort)
}
echo "== distcheck"
t0=$SECONDS
if (cd "$src/_build/normal" && PAM_TOTP_REPEAT_RUN=1 make -j"$jobs" distcheck-quick >distcheck.out 2>&1); then
	missing=$(dist_missing "$(ls "$src"/_build/normal/pam_totp-*.tar.gz)")
	if [ -z "$missing" ]; then
		echo "== distcheck: ok ($((SECONDS - t0)) s)"; passed=$((passed + 1))
	else
		echo "== distcheck: the tarball lacks:" $missing; failed=$((failed + 1))
	fi
else
	tail -40 "$src/_build/normal/distcheck.out"; failed=$((failed + 1))
	# a failed distcheck leaves its tree, and the failed tests' logs, behind
	grep -E '^(FAIL|ERROR|XPASS):' "$src/_build/normal/distcheck.out"
	show_failed_logs "$src/_build/normal"/pam_totp-*/_build
fi

# deb_test: build the .deb from a clean copy of the distributed tree,
# install it, log in once through the installed module, purge it.
deb_test() {
	local d=$deb_dir pkg=libpam-totp build="$src/_build/normal" pamdir code lrc
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then
		echo "$pkg is installed already: not touching it"; return 1
	fi
	(cd "$build" && make -s distdir distdir="$d/src" >/dev/null) || return 1
	# nocheck: the suite has just run three times on this very tree
	if ! (cd "$d/src" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$d/build.log" 2>&1; then
		tail -40 "$d/build.log"; return 1
	fi
	echo "built: $(cd "$d" && ls ./*.deb | tr '\n' ' ')"
	# lintian is in the dependency table: its errors and warnings fail
	lintian --fail-on error,warning "$d"/*.changes >"$d/lintian.log" 2>&1
	lrc=$?
	grep -v 'running with root privileges' "$d/lintian.log"
	[ "$lrc" -eq 0 ] || { echo "lintian found errors or warnings"; return 1; }
	echo "lintian $(lintian --version | awk '{ print $NF }'): no error, no warning"
	deb_installed=1
	dpkg -i "$d/${pkg}_"*.deb >"$d/install.log" 2>&1 || { cat "$d/install.log"; return 1; }
	pamdir=$(dirname "$(dpkg -L "$pkg" | grep '/security/pam_totp\.so$')")
	[ -e "$pamdir/pam_unix.so" ] || { echo "module not next to pam_unix.so: $pamdir"; return 1; }
	dpkg-query -W -f='${Conffiles}' "$pkg" | grep -q ' /etc/security/pam_totp.conf ' ||
		{ echo "/etc/security/pam_totp.conf is not a conffile"; return 1; }
	# the module by name only: libpam finds it where the package put it
	mkdir -m 700 "$d/pam" "$d/store"
	echo "auth required pam_totp.so secret=$d/store/%u" >"$d/pam/deb-login"
	"$build/tests/shims/make_record" "$d/store/root" GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ || return 1
	code=$(oathtool --totp -b GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ)
	"$build/tests/shims/pam_login" -d "$d/pam" deb-login root "$code" >"$d/login.log" 2>&1
	grep -q '^result: PAM_SUCCESS' "$d/login.log" || { cat "$d/login.log"; return 1; }
	"$build/tests/shims/pam_login" -d "$d/pam" deb-login root "$code" >"$d/login.log" 2>&1
	grep -q '^result: PAM_AUTH_ERR' "$d/login.log" || { echo "replay not refused"; cat "$d/login.log"; return 1; }
	# the PostgreSQL store: a root-only plugin beside the module, which
	# itself does not need libpq; the module loads it (a server that is not
	# there is "unavailable", a plugin not loaded a service error)
	[ -n "$(find "$pamdir/pam_totp_pg.so" -type f -user root ! -perm /022 2>/dev/null)" ] ||
		{ echo "pam_totp_pg.so: $(ls -l "$pamdir/pam_totp_pg.so" 2>&1)"; return 1; }
	! readelf -d "$pamdir/pam_totp.so" | grep -q 'NEEDED.*\(libpq\|libqrencode\)' ||
		{ echo "the installed pam_totp.so needs libpq or libqrencode"; return 1; }
	echo "auth required pam_totp.so store=postgresql db=host=$d/no-server db_key=none" \
		>"$d/pam/deb-pg"
	# the syslog shim prints the module's log lines
	LD_PRELOAD="$build/tests/shims/.libs/libsyslogshim.so" \
		"$build/tests/shims/pam_login" -d "$d/pam" deb-pg root 123456 >"$d/login.log" 2>&1
	grep -q '^result: PAM_AUTHINFO_UNAVAIL' "$d/login.log" &&
		grep -q 'denied: database unavailable' "$d/login.log" ||
		{ echo "the installed module did not reach its plugin"; cat "$d/login.log"; return 1; }
	dpkg --purge "$pkg" >/dev/null 2>&1 || return 1
	[ ! -e "$pamdir/pam_totp.so" ] && [ ! -e "$pamdir/pam_totp_pg.so" ] &&
		[ ! -e /etc/security/pam_totp.conf ] || { echo "purge left files behind"; return 1; }
}
echo "== deb"
t0=$SECONDS
deb_dir=$(mktemp -d /tmp/pam_totp_deb.XXXXXX)
if deb_test; then
	echo "== deb: ok ($((SECONDS - t0)) s)"; passed=$((passed + 1))
else
	echo "== deb: FAILED"; failed=$((failed + 1))
	[ "${deb_installed:-0}" = 1 ] && dpkg --purge libpam-totp >/dev/null 2>&1
fi
rm -rf "$deb_dir"

echo "== all: $SECONDS s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
