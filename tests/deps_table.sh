#!/bin/bash
# The dependency table in tests/install-deps.sh is the one list of what the
# build and the tests need: every package it marks "deb" (the package
# build's tests use it) is in debian/control's Build-Depends, and every
# Build-Depends package is in the table. The table's own checks (that each
# command and file is there) run before the suite, in tests/run-all.sh.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "no code of ours runs here"
table=$(bash "$top_srcdir/tests/install-deps.sh" --print-table) || bail "cannot read the table"
# Build-Depends: the package names, without versions, profiles or commas
build_deps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$top_srcdir/debian/control" |
	sed -e 's/^Build-Depends://' -e '/^[A-Z]/d' | tr ',' '\n' |
	sed -e 's/[(<].*//' -e 's/[[:space:]]//g' | sed '/^$/d' | sort -u)
[ -n "$build_deps" ] || bail "no Build-Depends in debian/control"
while read -r pkg where _; do
	[ "$where" = deb ] || continue
	check "$pkg (needed by the package build's tests) is in Build-Depends" \
		grep -qx "$pkg" <<<"$build_deps"
done <<<"$table"
for pkg in $build_deps; do
	[ "$pkg" = debhelper-compat ] && continue
	check "Build-Depends $pkg is in tests/install-deps.sh's table" \
		awk -v p="$pkg" '$1 == p { found = 1 } END { exit !found }' <<<"$table"
done
tap_done
