# Translations for tests: source after tests/lib/pam_env.sh ($T). Installs the
# built catalogue into $T/share/locale, where localedir= points. No locale
# is generated and none is looked for: the module and totp-enroll read
# their catalogue by the language's name alone (lib/catalog.c), so the
# tests show Dutch on a machine that has C.UTF-8 only, as most servers do.
#
#   NL                  a Dutch locale's name, as LANG holds it
#   LOCALEDIR           the catalogue directory for localedir=
NL=nl_NL.UTF-8
LOCALEDIR="$T/share/locale"
mkdir -p "$LOCALEDIR/nl/LC_MESSAGES"
cp "$top_builddir/po/nl.gmo" "$LOCALEDIR/nl/LC_MESSAGES/pam_totp.mo" || bail "po/nl.gmo not built"
if locale -a 2>/dev/null | grep -qi '^nl'; then
	echo "# this machine has a Dutch locale ($(locale -a | grep -i '^nl' | head -1)):" \
		"the tests use none, but cannot show that none is needed here"
fi
