#!/bin/bash
# The module through the real libpam: accepting, the window, replays, skew,
# re-synchronisation, input shapes, nullok, options and return codes.
. "$top_srcdir/tests/lib/tap.sh"
skip_in_plain_build_before_sanitizers "behaviour only; make distcheck-quick runs it in a plain build too"
. "$top_srcdir/tests/lib/pam_env.sh"

R="$T/%u.rec"
make_service basic "secret=$R max_skew=1"
make_service wide "secret=$R window=3 max_skew=3"
make_service drift "secret=$R window=1 max_skew=10"

new_record "$T/root.rec"
check_login "current code accepted" PAM_SUCCESS basic root "$(code)"
check "accept logged with its offset" logged "user=root service=basic rhost=-: accepted at offset 0"
check_login "same code again refused" PAM_AUTH_ERR basic root "$(code)"
check "replay logged" logged "replayed code refused"
check_login "older code after a newer one refused" PAM_AUTH_ERR basic root "$(code -1)"

# every offset around the window edges, each on a fresh record
for spec in "basic 1" "wide 3"; do
	set -- $spec
	svc=$1 w=$2
	for off in $(seq $((-w - 2)) $((w + 2))); do
		new_record "$T/root.rec"
		if [ "${off#-}" -le "$w" ]; then want=PAM_SUCCESS; else want=PAM_AUTH_ERR; fi
		check_login "window=$w offset $off" "$want" "$svc" root "$(code "$off")"
	done
done

# skew learning: accepted at +1, the window is then centred on +1
new_record "$T/root.rec"
check_login "code at +1 accepted" PAM_SUCCESS drift root "$(code 1)"
check "offset +1 logged" logged "accepted at offset 1"
check_login "code at +2 accepted after learning skew +1" PAM_SUCCESS drift root "$(code 2)"
check "offset +2 logged" logged "accepted at offset 2"
check "record holds skew +2" grep -q '^state_[ab]=[0-9]*:+[0-9]*:+000002:' "$T/root.rec"
new_record "$T/root.rec"
check_login "code at +1 with max_skew=1" PAM_SUCCESS basic root "$(code 1)"
check_login "code at +2 with max_skew=1: window centred on +1" PAM_SUCCESS basic root "$(code 2)"
check "skew is bounded by max_skew" grep -q '^state_[ab]=[0-9]*:+[0-9]*:+000001:' "$T/root.rec"

# re-synchronisation after a large drift: two consecutive codes
new_record "$T/root.rec"
check_login "far code then the next one re-synchronises" PAM_SUCCESS drift root "$(code 6)" "$(code 7)"
check "user told the clock is off" grep -q "info: Your phone's clock seems to be off" "$T/last.log"
check "re-sync accepted at offset 7" logged "accepted at offset 7"
check_login "after re-sync the drifted code works in the window" PAM_SUCCESS drift root "$(code 8)"
new_record "$T/root.rec"
check_login "far code then a non-consecutive one refused" PAM_AUTH_ERR drift root "$(code 6)" "$(code 8)"
# replaying old codes through re-sync
new_record "$T/root.rec"
check_login "accept a code at +6 via re-sync" PAM_SUCCESS drift root "$(code 5)" "$(code 6)"
check_login "old far codes cannot be replayed through re-sync" PAM_AUTH_ERR drift root "$(code 5)" "$(code 6)"
check_login "codes older than the last accepted are never re-synced" PAM_AUTH_ERR drift root "$(code -5)" "$(code -4)"

# input shapes
make_service patient "secret=$R max_skew=1 max_failures=100"
new_record "$T/root.rec"
c=$(code)
check_login "'123 456' form accepted" PAM_SUCCESS basic root "${c:0:3} ${c:3:3}"
new_record "$T/root.rec"
check_login "surrounding spaces accepted" PAM_SUCCESS basic root "  $(code)  "
for bad in "" "abcdef" "$(printf '1%.0s' $(seq 1000))" "$(printf '12\t3456')" "12345" "1234567" "12-34-56"; do
	check_login "bad input '${bad:0:12}' is a plain failure" PAM_AUTH_ERR patient root "$bad"
done
check "bad input logged, not counted" logged "malformed input: not counted"
# an answer that cannot be a code is no guess: never counted, never locks
new_record "$T/root.rec"
make_service strict "secret=$R max_failures=1 lockout_base=600"
for bad in "correct horse battery staple" "hunter2" "12345"; do
	check_login "strict: '$bad' refused" PAM_AUTH_ERR strict root "$bad"
done
check_login "strict: after three malformed answers the right code logs in" PAM_SUCCESS strict root "$(code)"

# sshd's PasswordAuthentication answers every prompt with the password: an
# answer equal to the password a module before us took (PAM_AUTHTOK) is
# refused, not counted, and logged saying what to change, whatever its
# shape (a six-digit password too)
new_record "$T/root.rec"
make_stack pwauth "$SET_ITEMS" "auth required $MODULE secret=$R max_failures=1 lockout_base=600"
for pw in "s3cret-password" "482913"; do
	for i in 1 2 3; do
		LOGIN_OPTS="-a $pw" check_login "password '$pw' as the code ($i): refused" \
			PAM_AUTH_ERR pwauth root "$pw"
	done
	check "password '$pw' as the code: logged what to change" \
		logged "the answer was the password, not a code: refused, not counted (sshd's PasswordAuthentication"
	check "password '$pw' as the code: not logged as a wrong or malformed code" \
		not logged "wrong code\|malformed"
done
LOGIN_OPTS="-a 482913" check_login "after six passwords as the code, the right code logs in" \
	PAM_SUCCESS pwauth root "$(code)"
LOGIN_OPTS="-a 482913" check_login "a wrong code that is not the password still counts" \
	PAM_AUTH_ERR pwauth root "$(wrong_code)"
check "  logged as a wrong code" logged "wrong code (1 consecutive failures), locked until"

# nullok, missing records, unknown users
rm -f "$T/root.rec"
make_stack nullok "auth required $MODULE secret=$R nullok" "auth required pam_permit.so"
check_login "nullok without a record: ignored, the stack decides" PAM_SUCCESS nullok root
check "nullok: logged as ignored" logged "not enrolled, nullok: ignored"
check "nullok did not prompt" test "$(grep -c '^prompt' "$T/last.log")" -eq 0
new_record "$T/root.rec"
check_login "nullok with a record: a wrong code is denied" PAM_AUTH_ERR nullok root 000000
check_login "nullok with a record: the right code is accepted" PAM_SUCCESS nullok root "$(code)"
rm -f "$T/root.rec"
check_login "missing record without nullok: denied" PAM_AUTH_ERR basic root 123456
check "missing record: still prompted" grep -q '^prompt: Code from the app' "$T/last.log"
check "missing record logged" logged "not enrolled"
check_login "unknown user: denied" PAM_AUTH_ERR basic no_such_user_pt 123456
check "unknown user: still prompted" grep -q '^prompt: Code from the app' "$T/last.log"
check "unknown user logged" logged "unknown user"

# options
new_record "$T/root.rec"
make_service bogus "secret=$R frobnicate"
check_login "unknown option denies" PAM_SERVICE_ERR bogus root 123456
check "unknown option logged" logged "configuration error: unknown option 'frobnicate'"
make_service badval "secret=$R window=abc"
check_login "bad option value denies" PAM_SERVICE_ERR badval root 123456
echo "window=2" >"$T/conf"
make_service conf "secret=$R conf=$T/conf"
check_login "window from the config file" PAM_SUCCESS conf root "$(code 2)"
chmod 666 "$T/conf"
check_login "world-writable config file refused" PAM_SERVICE_ERR conf root "$(code)"
chmod 644 "$T/conf"
make_service noconf "secret=$R conf=$T/missing.conf"
check_login "missing explicit config file refused" PAM_SERVICE_ERR noconf root "$(code)"
make_service prompt "secret=$R [prompt=Code from your phone: ]"
check_login "custom prompt" PAM_AUTH_ERR prompt root 000000
check "custom prompt shown" grep -q '^prompt: Code from your phone: ' "$T/last.log"
make_service echo "secret=$R echo"
check_login "echo option" PAM_AUTH_ERR echo root 000000
check "echo prompt style" grep -q '^prompt-echo: ' "$T/last.log"

# use_first_pass / try_first_pass / split_pass (more in tests/pam_factors.sh)
new_record "$T/root.rec"
make_stack first "$SET_ITEMS" "auth required $MODULE secret=$R use_first_pass"
LOGIN_OPTS="-a $(code)" check_login "use_first_pass takes the stacked token" PAM_SUCCESS first root
check "use_first_pass did not prompt" test "$(grep -c '^prompt' "$T/last.log")" -eq 0
make_stack try "$SET_ITEMS" "auth required $MODULE secret=$R try_first_pass"
LOGIN_OPTS="-a hunter2-password" check_login "try_first_pass prompts when the token is a password" PAM_SUCCESS try root "$(code 1)"
check "try_first_pass: password not counted" logged "accepted at offset 1"
new_record "$T/root.rec"
# pam_exec with expose_authtok stands for the password module that follows
printf '#!/bin/sh\ncat >%s/authtok\n' "$T" >"$T/save_authtok"
chmod 755 "$T/save_authtok"
make_stack fwd "auth requisite $MODULE secret=$R split_pass" \
	"auth requisite pam_exec.so expose_authtok $T/save_authtok" \
	"auth required $MODULE secret=$R"
check_login "split_pass: password and code in one answer" PAM_SUCCESS fwd root "s3cret99$(code)"
check_eq "split_pass hands the password on" "s3cret99" "$(tr -d '\0' <"$T/authtok")"

make_service debug "secret=$R debug window=2 max_skew=4"
check_login "debug option" PAM_AUTH_ERR debug root 999999
check "debug logs the settings" logged "debug: secret=$T/%u.rec window=2 max_skew=4 max_failures=5"

# remote host in the log line
LOGIN_OPTS="-r 192.0.2.7" check_login "wrong code" PAM_AUTH_ERR basic root 999999
check "rhost logged" logged "user=root service=basic rhost=192.0.2.7: wrong code"

# built without libpq there is no PostgreSQL plugin, and store=postgresql
# is refused as a configuration error (with libpq: tests/pam_pg.sh)
if [ "${have_pq:-no}" != yes ]; then
	make_service pg "store=postgresql db=dbname=totp"
	check_login "without libpq store=postgresql is refused" PAM_SERVICE_ERR pg root "$(code)"
	check "  saying so" logged "configuration error: store=postgresql: this pam_totp was built without"
	check "  and no plugin is built" test ! -e "$(dirname "$MODULE")/pam_totp_pg.so"
fi

tap_done
