#!/bin/bash
# The clang static analyzer over everything `make check` compiles: a fresh
# build in BUILDDIR with clang through scan-build, -Werror and the CFLAGS
# given, then each finding judged against tests/scan_build_known.txt (the
# known false positives, each with why). Fails on a build error or on any
# finding not listed there.
# usage: tests/scan_build.sh BUILDDIR [CONFIGURE-ARGS...]
#
# Not scan-build --status-bugs: it would fail on the known findings too.
# Without it scan-build's status is the build's, and the findings are read
# from its plist files here.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
shift
command -v scan-build >/dev/null || { echo "scan-build not installed (apt-get install clang-tools)"; exit 1; }
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || exit 1
# configured for clang itself: scan-build puts its compiler wrapper in make's
# CC, and analysing configure's test programs would only cost time
if ! CC=clang "$src/configure" -q --enable-werror "$@" >configure.out 2>&1; then
	tail -20 configure.out; echo "scan-build: configure failed"; exit 1
fi
if ! scan-build --use-cc=clang -plist -o "$dir/report" make -j"$(nproc)" check TESTS= \
	>build.out 2>&1; then
	grep -E -A5 'error:' build.out | head -40; tail -5 build.out
	echo "scan-build: the build failed"; exit 1
fi
python3 - "$src" "$dir" "$src/tests/scan_build_known.txt" <<'PY'
import glob, os, plistlib, sys

src, build, known_file = sys.argv[1:4]
known = {}
for line in open(known_file):
    if line.strip() and not line.startswith("#"):
        checker, path, function = line.split()[:3]
        known[(checker, path, function)] = 0
new = 0
for plist in sorted(glob.glob(os.path.join(build, "report", "*", "*.plist"))):
    with open(plist, "rb") as f:
        report = plistlib.load(f)
    for d in report.get("diagnostics", []):
        loc = d["location"]
        path = os.path.relpath(os.path.realpath(os.path.join(build, report["files"][loc["file"]])), src)
        key = (d.get("check_name", "?"), path, d.get("issue_context", "?"))
        where = "%s:%d: %s: %s (in %s)" % (path, loc["line"], key[0], d["description"], key[2])
        if key in known:
            known[key] += 1
            print("known: " + where)
        else:
            new += 1
            print("NEW: " + where)
for key, seen in known.items():
    if not seen:
        print("not found any more (remove it from tests/scan_build_known.txt): " + " ".join(key))
print("scan-build: %d new finding%s, %d known" % (new, "" if new == 1 else "s",
                                                  sum(known.values())))
sys.exit(1 if new else 0)
PY
