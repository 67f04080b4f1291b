#!/bin/bash
# New C code is laid out as .clang-format says: tabs, braces, spaces, the
# return type on its own line. Files written before the check are named
# in tests/clang_format_known.txt and kept as they are (HACKING.md,
# "Style"); every other C file must come out of clang-format unchanged,
# and a named file that does must leave the list. Debian 12's
# clang-format (14) and Debian 13's (19) find the same files out of line
# (checked 2026-12-08). To lay a file out: clang-format -i FILE.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "the layout of the source does not depend on the build"
command -v clang-format >/dev/null || bail "clang-format is not installed (tests/install-deps.sh installs it)"
known="$top_srcdir/tests/clang_format_known.txt"
[ -f "$top_srcdir/.clang-format" ] && [ -f "$known" ] || bail "$top_srcdir/.clang-format or $known is missing"
cd "$top_srcdir" || bail "cannot enter $top_srcdir"
files=$(find lib pam_module tools tests bench -name '*.[ch]' | LC_ALL=C sort)
n=$(echo "$files" | grep -c .)
check "there are C files to check ($n)" test "$n" -gt 100
grep -v '^#' "$known" | LC_ALL=C sort >"${TMPDIR:-/tmp}/cf_known.$$"
trap 'rm -f "${TMPDIR:-/tmp}/cf_known.$$"' EXIT
new="" left=""
for f in $files; do
	if clang-format --style=file "$f" | cmp -s - "$f"; then
		grep -qxF "$f" "${TMPDIR:-/tmp}/cf_known.$$" && left="$left $f"
	else
		grep -qxF "$f" "${TMPDIR:-/tmp}/cf_known.$$" || new="$new $f"
	fi
done
version=$(clang-format --version | sed -n 's/.*version \([0-9]*\).*/\1/p')
check_eq "clang-format $version: every C file not in clang_format_known.txt laid out as .clang-format says" \
	"" "${new# }"
check_eq "clang-format $version: no file in clang_format_known.txt that is already in line" "" "${left# }"
gone=$(while read -r f; do [ -f "$f" ] || echo "$f"; done <"${TMPDIR:-/tmp}/cf_known.$$")
check_eq "clang_format_known.txt names only files that exist" "" "$(echo $gone)"
tap_done
