# Translations for tests: source after tests/pam_env.sh ($T). Compiles the
# Dutch locale into $T/locale (LOCPATH: the system's locales are left
# alone, and no locale needs to be generated beforehand) and installs the
# built catalogue into $T/share/locale, where localedir= points.
#
#   NL                  the Dutch locale's name
#   LOCALEDIR           the catalogue directory for localedir=
command -v localedef >/dev/null || bail "localedef not installed (apt-get install locales)"
NL=nl_NL.UTF-8
LOCALEDIR="$T/share/locale"
mkdir -p "$T/locale" "$LOCALEDIR/nl/LC_MESSAGES"
localedef -i nl_NL -f UTF-8 "$T/locale/$NL" 2>"$T/localedef.log" ||
	bail "localedef nl_NL.UTF-8 failed: $(tail -1 "$T/localedef.log")"
export LOCPATH="$T/locale:/usr/lib/locale"
cp "$top_builddir/po/nl.gmo" "$LOCALEDIR/nl/LC_MESSAGES/pam_totp.mo" || bail "po/nl.gmo not built"
