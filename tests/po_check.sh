#!/bin/bash
# Every catalogue is complete and correct: msgfmt --check passes (formats
# match their msgid, so a translation cannot crash a printf), and every
# message the sources mark (extracted afresh with the same keywords as
# `make update-po`) has a translation that is neither missing, empty nor
# fuzzy. Every source that marks messages is in POTFILES.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_sanitizer_build "msgfmt and xgettext on the catalogues: no code of ours runs here"
command -v xgettext >/dev/null || bail "xgettext not installed (apt-get install gettext)"
tmp=$(mktemp -d) || bail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
cd "$top_srcdir" || bail "no source tree"

# the keywords and file list, from Makefile.am: one source of truth
mk_var() {
	sed -n "/^$1 = /,/[^\\\\]\$/p" Makefile.am | sed -e "s/^$1 = //" -e 's/\\$//' | tr -s ' \t\n' ' '
}
potfiles=$(mk_var POTFILES)
keywords=$(mk_var XGETTEXT_KEYWORDS)
[ -n "$potfiles" ] && [ -n "$keywords" ] || bail "POTFILES or XGETTEXT_KEYWORDS not found in Makefile.am"

# shellcheck disable=SC2086
xgettext --from-code=UTF-8 $keywords -o "$tmp/all.pot" $potfiles 2>"$tmp/xgettext.log"
check "xgettext extracts the sources' messages" test -s "$tmp/all.pot"
n=$(grep -c '^msgid ' "$tmp/all.pot")
check "more than 50 messages are marked ($n)" test "$((n - 1))" -gt 50

for po in po/*.po; do
	lang=$(basename "$po" .po)
	check "$lang: msgfmt --check" msgfmt --check -o /dev/null "$po"
	# msgcmp counts an untranslated (empty) or fuzzy entry as missing
	if msgcmp "$po" "$tmp/all.pot" 2>"$tmp/msgcmp.log"; then
		ok "$lang: every message of the sources is translated"
	else
		not_ok "$lang: every message of the sources is translated"
		sed 's/^/#   /' "$tmp/msgcmp.log" | head -20
	fi
	check_eq "$lang: no fuzzy entry" 0 "$(grep -c '^#, .*fuzzy' "$po")"
	check "$lang: the catalogue's header says UTF-8" grep -q 'charset=UTF-8' "$po"
done

# a source that marks messages (calls _, P_ or a messages_ function) but
# is not in POTFILES would go untranslated unseen
missing=
for f in $(grep -lE '(\<_|\<P_|messages_(say|say_n|format|append_line|refuse|refuse_n))\("' tools/*.c pam_module/*.c lib/*.c); do
	case " $potfiles " in *" $f "*) ;; *) missing="$missing $f" ;; esac
done
check_eq "every source that marks messages is in POTFILES" "" "$missing"

tap_done
