# Codes for the tests, from oathtool (an independent TOTP client). Source
# after tests/tap.sh; SECRET is the default base32 secret.
#
#   code [OFFSET [SECRET [ALG DIGITS PERIOD]]]  the code OFFSET steps from now
#   wait_mid_step [PERIOD]         wait until we are not near a step boundary

command -v oathtool >/dev/null || bail "oathtool not installed (apt-get install oathtool)"
SECRET=${SECRET:-GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ}

code() {
	local offset=${1:-0} secret=${2:-$SECRET} alg=${3:-SHA1} digits=${4:-6} period=${5:-30}
	oathtool --totp="$alg" -b -d "$digits" -s "$period" \
		-N "@$(($(date +%s) + offset * period))" "$secret"
}

wait_mid_step() {
	local period=${1:-30} into
	into=$(($(date +%s) % period))
	if [ "$into" -gt $((period - 5)) ]; then
		sleep $((period - into + 1))
	fi
}
