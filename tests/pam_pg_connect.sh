#!/bin/bash
# Connecting to the PostgreSQL store under real failures:
#  - db_unavailable=ignore steps aside only when the database is truly
#    unreachable; a configuration or trust error (an unknown database or
#    role, a rejected password, a missing CA file, a certificate that does
#    not verify) always denies, and so does a server that took the
#    connection and then says nothing or hangs up (tests/pam_pg_busy.sh:
#    full, busy or locked);
#  - a server list fails over past a first server that accepts and never
#    answers, within db_timeout;
#  - a resolver that never answers (a private network namespace) costs no
#    more than db_timeout, and a list fails over past it;
#  - over TCP only a server TLS verifies (sslmode=verify-full) is used:
#    anything less is a configuration error, unless db_insecure_transport=yes
#    (logged at every login); totp-enroll follows the same rule.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/pam_env.sh"
# an address of 127/8 for this run: tests side by side never share a port
PG_ADDR=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
PG_SERVER_OPTS="-c fsync=off -c listen_addresses=$PG_ADDR"
. "$top_srcdir/tests/lib/pg_env.sh"
. "$top_srcdir/tests/lib/pg_tls.sh"

# conf NAME DB [OPTION...]: a root-only config for the PAM role, and a
# stack NAME (pam_totp with db_unavailable=ignore, then pam_permit): a
# login that fails open returns PAM_SUCCESS whatever the code. Its
# db_timeout is 120 s, which no login needs (a slow TLS handshake must not
# turn a trust error into an outage), unless an OPTION sets the short one
# a check of the timeout itself bounds with stall_bound_ms (tests/lib/tap.sh).
conf() {
	local name=$1 db=$2; shift 2
	{ echo "store=postgresql"; echo "db=$db"; echo "db_key=$PG_KEY"; echo "db_timeout=120"
		printf '%s\n' "$@"; } \
		>"$T/$name.conf"
	chmod 600 "$T/$name.conf"
	make_stack "$name" "auth required $MODULE conf=$T/$name.conf db_unavailable=ignore" \
		"auth required pam_permit.so"
}
SOCK_DB="host=$PGSOCK dbname=totp user=pam_totp password=$PAM_PW"
pg_enroll root

# ---- db_unavailable=ignore: only true unreachability is skipped ----
# refused_denies NAME DESC LOG: a wrong code must not pass, and the reason
refused_denies() {
	check_login "$2, db_unavailable=ignore: denied" PAM_AUTHINFO_UNAVAIL "$1" root "$(wrong_code)"
	check "  logged as a configuration or trust error" \
		logged "database refused the connection (configuration or trust error): .*$3"
}
conf nodb "host=$PGSOCK dbname=no_such_db user=pam_totp password=$PAM_PW"
refused_denies nodb "an unknown database" 'database "no_such_db" does not exist'
conf norole "host=$PGSOCK dbname=totp user=no_such_role password=$PAM_PW"
refused_denies norole "an unknown role" 'no_such_role'
conf badpw "host=$PGSOCK dbname=totp user=pam_totp password=wrong"
refused_denies badpw "a rejected password" 'password authentication failed'
conf noca "$PG_TCP_DB sslmode=verify-full sslrootcert=$T/missing-ca.crt"
refused_denies noca "a missing CA file" 'missing-ca.crt'
conf otherca "$PG_TCP_DB sslmode=verify-full sslrootcert=$PG_TLS/other-ca.crt"
refused_denies otherca "a server certificate another CA signed" 'certificate verify failed'
conf wrongname "host=wrong.pam-totp.test hostaddr=$PG_ADDR dbname=totp user=pam_totp password=$PAM_PW sslmode=verify-full sslrootcert=$PG_TLS/ca.crt"
refused_denies wrongname "a certificate for another host name" 'does not match host name'
conf verified "$PG_TCP_DB sslmode=verify-full sslrootcert=$PG_TLS/ca.crt"
check_login "TLS verified (verify-full): a wrong code counts, the database was used" \
	PAM_AUTH_ERR verified root "$(wrong_code)"
check "  logged as a wrong code" logged "wrong code"

# ---- over TCP the server must be verified ----
for mode in "" disable allow prefer require verify-ca; do
	conf "tcp_$mode" "$PG_TCP_DB${mode:+ sslmode=$mode} sslrootcert=$PG_TLS/ca.crt"
	refused_denies "tcp_$mode" "TCP with sslmode=${mode:-(none)}" \
		"sslmode=${mode:-(none)} over TCP to db.pam-totp.test: the secret would travel unverified"
done
# a list is judged whole: a clear-text fall-back is refused even while
# the first server (a Unix socket) answers
conf tcp_list "host=$PGSOCK,$PG_ADDR dbname=totp user=pam_totp password=$PAM_PW sslmode=prefer"
refused_denies tcp_list "host=socket,TCP with sslmode=prefer" "sslmode=prefer over TCP to $PG_ADDR"
conf insecure "$PG_TCP_DB sslmode=disable" db_insecure_transport=yes
check_login "TCP with sslmode=disable and db_insecure_transport=yes: the database was used" \
	PAM_AUTH_ERR insecure root "$(wrong_code)"
check "  logged as a wrong code" logged "wrong code"
check "  the opt-out logged at the login" logged "db_insecure_transport=yes: the secret may cross the network"
# totp-enroll (administration) follows the same rule
admin_tcp="host=db.pam-totp.test hostaddr=$PG_ADDR dbname=totp user=totp_admin password=$ADMIN_PW"
enroll_conf() { # enroll_conf NAME DB [OPTION...]
	local name=$1 db=$2; shift 2
	{ echo "store=postgresql"; echo "db=$db"; echo "db_key=$PG_KEY"; printf '%s\n' "$@"; } \
		>"$T/$name.conf"
	chmod 600 "$T/$name.conf"
}
enroll_conf adm_require "$admin_tcp sslmode=require"
"$ENROLL" --init-db --conf "$T/adm_require.conf" >"$T/adm.out" 2>&1
check_eq "totp-enroll --init-db over TCP with sslmode=require: refused" 1 "$?"
check "  saying why" grep -q "sslmode=require over TCP to db.pam-totp.test" "$T/adm.out"
enroll_conf adm_verified "$admin_tcp sslmode=verify-full sslrootcert=$PG_TLS/ca.crt"
check "totp-enroll --init-db over TCP with sslmode=verify-full: done" \
	"$ENROLL" --init-db --conf "$T/adm_verified.conf"
enroll_conf adm_insecure "$admin_tcp sslmode=disable" db_insecure_transport=yes
"$ENROLL" --init-db --conf "$T/adm_insecure.conf" >"$T/adm.out" 2>&1
check_eq "totp-enroll with db_insecure_transport=yes: done" 0 "$?"
check "  with a warning" grep -q "warning: db_insecure_transport=yes" "$T/adm.out"

# a port where nothing listens, and a listener that accepts and never answers
HUNG_ADDR=${PG_ADDR%.*}.$(( (${PG_ADDR##*.} % 250) + 1 ))
silent_server hung "$HUNG_ADDR"
HUNG_PORT=$silent_port
check "a listener that never answers is up ($HUNG_ADDR:$HUNG_PORT)" test -n "$HUNG_PORT"
TLS_OK="sslmode=verify-full sslrootcert=$PG_TLS/ca.crt"
conf refused "host=$HUNG_ADDR port=1 dbname=totp user=pam_totp password=$PAM_PW $TLS_OK"
timed_login refused root "$(wrong_code)"
check_eq "connection refused, db_unavailable=ignore: the stack decides" PAM_SUCCESS "$result"
check "  logged as unavailable" logged "database unavailable: .*db_unavailable=ignore"
# the listener never answers: without the deadline the login would wait
# for ever (TCP keeps an idle connection open)
conf hung "host=$HUNG_ADDR port=$HUNG_PORT dbname=totp user=pam_totp password=$PAM_PW $TLS_OK" db_timeout=3
timed_login hung root "$(wrong_code)"
check_eq "a server that takes the connection and never answers, db_unavailable=ignore: denied" \
	PAM_AUTHINFO_UNAVAIL "$result"
check "  by db_timeout=3 (took $ms ms, bound $(stall_bound_ms 3))" test "$ms" -lt "$(stall_bound_ms 3)"
check "  logged as reached, not an outage" logged "database reached .*connected, and no answer within 3 s"

# a server that reads the start of a login and hangs up without a word, as
# a PostgreSQL stopping mid-login does (its backend ended by the shutdown):
# reached, so not an outage, and not a trust error either
mkdir -m 700 "$T/hangup"
python3 - "$T/hangup/.s.PGSQL.5432" >"$T/hangup.log" 2>&1 7>&- <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + ".tmp")
s.listen(64)
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    c = s.accept()[0]
    c.recv(4096)
    c.close()
PY
hangup_pid=$!
wait_for 60 "socket of the server that hangs up" test -S "$T/hangup/.s.PGSQL.5432"
conf hangup "host=$T/hangup dbname=totp user=pam_totp password=$PAM_PW"
timed_login hangup root "$(wrong_code)"
check_eq "a server that hangs up mid-login, db_unavailable=ignore: denied" \
	PAM_AUTHINFO_UNAVAIL "$result"
check "  logged as reached, ignore not applied" logged "database reached .*db_unavailable=ignore does not apply"
make_service hangup_deny "conf=$T/hangup.conf"
timed_login hangup_deny root "$(wrong_code)"
check_eq "  without db_unavailable=ignore: denied" PAM_AUTHINFO_UNAVAIL "$result"
check "  logged as reached, not as a trust error" logged "record error: database reached"
kill "$hangup_pid"

# ---- fail-over past a hung first server ----
# The first server has its share of db_timeout (half of it), the second
# the rest: 20 s leaves the second 10 s, room for a login on a loaded
# machine. Without the shares the login would wait on the first for ever.
pg_enroll root
c=$(code)
conf failover "host=$HUNG_ADDR,$PGSOCK port=$HUNG_PORT,5432 dbname=totp user=pam_totp password=$PAM_PW target_session_attrs=read-write $TLS_OK" db_timeout=20
make_service failover_deny "conf=$T/failover.conf"
timed_login failover_deny root "$c"
check_eq "host=hung,good: the second server accepts the code" PAM_SUCCESS "$result"
check "  by db_timeout=20 (took $ms ms, bound $(stall_bound_ms 20))" test "$ms" -lt "$(stall_bound_ms 20)"
check_eq "  its step is in the row" "$(($(test_now) / 30))" \
	"$(pg_value "SELECT last_step FROM pam_totp_records WHERE user_name = 'root'")"

# ---- a resolver that never answers ----
# In a private network namespace (no mount namespace: that cannot be made
# in a chroot, where / is no mount point): only lo, holding the addresses
# of the nameservers /etc/resolv.conf names (127.0.0.1, glibc's default,
# when it names none), each with a "server" on port 53 that reads queries
# and never answers. RES_OPTIONS makes glibc wait as long as it can (30 s,
# 5 times: 150 s for each), which stall_bound_ms of a short db_timeout
# tells apart. The database's Unix socket is still there.
cat >"$T/silent_dns.py" <<'PY'
import ipaddress, os, re, select, socket, subprocess, sys
servers = []
try:
    with open("/etc/resolv.conf") as f:
        for line in f:
            m = re.match(r"\s*nameserver\s+([^\s%]+)", line)
            if m and ipaddress.ip_address(m.group(1)) not in servers:
                servers.append(ipaddress.ip_address(m.group(1)))
except OSError:
    pass
socks = []
for ip in servers or [ipaddress.ip_address("127.0.0.1")]:
    if not ip.is_loopback:
        subprocess.run(["ip", "addr", "add", f"{ip}/{ip.max_prefixlen}", "dev", "lo"], check=True)
    s = socket.socket(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((str(ip), 53))
    socks.append(s)
os.rename(sys.argv[1] + "/dns.tmp", sys.argv[1] + "/dns.ready")
while True:
    for s in select.select(socks, [], [])[0]:
        s.recvfrom(512)
PY
in_netns() {
	unshare --net bash -c '
		ip link set lo up || exit 97
		python3 "$1/silent_dns.py" "$1" 7>&- &
		# the resolver is up (no tap.sh here for wait_for)
		while [ ! -e "$1/dns.ready" ]; do
			kill -0 $! 2>/dev/null || exit 97
			sleep 0.05 # not sync: the poll interval of a wait for a condition
		done
		rm -f "$1/dns.ready"
		shift; RES_OPTIONS="timeout:30 attempts:5" "$@"
		rc=$?
		kill %1
		exit $rc' _ "$T" "$@"
}
netns_login() {
	touch "$T/dns.tmp"
	rm -f "$T/netns.result"
		in_netns bash -c '. "$1"; shift; timed_login "$@"
		echo "$result $ms" >"$T/netns.result"' _ \
		"$T/netns_env.sh" "$@"
	# no result file: the namespace was not set up, and no check after it
	# may pass on the values of an earlier login
	if [ -s "$T/netns.result" ]; then
		read -r result ms <"$T/netns.result"
	else
		result="(no result: the private namespace could not be set up)" ms=999999
	fi
}
# what login needs, for the shell inside the namespace
{
	declare -p T MODULE PAM_LOGIN FIRST_PRELOAD PAM_LOGIN_WRAPPER_LOCK
	declare -f with_pam_wrapper login timed_login
} >"$T/netns_env.sh"
conf dns "host=db.pam-totp.test dbname=totp user=pam_totp password=$PAM_PW $TLS_OK" db_timeout=2
make_service dns_deny "conf=$T/dns.conf"
netns_login dns_deny root "$(wrong_code)"
check_eq "a silent resolver: denied" PAM_AUTHINFO_UNAVAIL "$result"
check "  by db_timeout=2, not the resolver's 150 s (took $ms ms, bound $(stall_bound_ms 2))" \
	test "$ms" -lt "$(stall_bound_ms 2)"
check "  logged: the name lookup had no answer" \
	grep -q "name lookup of db.pam-totp.test: no answer in time" "$T/last.log"
netns_login dns root "$(wrong_code)"
check_eq "  db_unavailable=ignore: an outage, the stack decides" PAM_SUCCESS "$result"
pg_enroll root
# half of db_timeout=20 for the lookup, as for the hung server above
conf dns_list "host=db.pam-totp.test,$PGSOCK dbname=totp user=pam_totp password=$PAM_PW $TLS_OK" db_timeout=20
make_service dns_list_deny "conf=$T/dns_list.conf"
netns_login dns_list_deny root "$(code)"
check_eq "host=silent-name,good: the second server accepts the code" PAM_SUCCESS "$result"
check "  by db_timeout=20, not the resolver's 150 s (took $ms ms, bound $(stall_bound_ms 20))" \
	test "$ms" -lt "$(stall_bound_ms 20)"
conf dns_clear "host=db.pam-totp.test dbname=totp user=pam_totp password=$PAM_PW"
netns_login dns_clear root "$(wrong_code)"
check_eq "a silent resolver and no sslmode, db_unavailable=ignore: denied (before the lookup)" \
	PAM_AUTHINFO_UNAVAIL "$result"
# a lookup of the silent name would have run to db_timeout=120
check "  without a lookup (took $ms ms, a lookup 120000)" test "$ms" -lt 60000
check "  logged as a configuration error" grep -q "sslmode=(none) over TCP to db.pam-totp.test" "$T/last.log"

tap_done
