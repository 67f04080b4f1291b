# TLS for the throw-away cluster of tests/lib/pg_env.sh: source right after it
# with PG_SERVER_OPTS="$PG_TLS_SERVER_OPTS" set before sourcing pg_env.sh.
#
# A throw-away CA and a server certificate (openssl), for the name
# db.pam-totp.test and the address $PG_ADDR (a 127/8 address of this run,
# so that tests running side by side never share a port), another CA that
# signed nothing the server has ($PG_TLS/other-ca.crt), and pg_hba.conf
# lines for TCP from 127/8 with SCRAM, over TLS or not.
#
#   PG_ADDR, PG_TLS          the server's TCP address; the certificates' directory
#   PG_TLS/ca.crt            the CA that signed the server's certificate
#   PG_TLS/other-ca.crt      a CA that did not
#   PG_TCP_DB                the PAM role's connection string over TCP, no sslmode

command -v openssl >/dev/null || bail "openssl not installed"
PG_TLS="$PGD/tls"
mkdir -p "$PG_TLS"
# The certificates must be valid on the test clock (tests/lib/totp_code.sh),
# which libpq's verification in pam_login and totp-enroll reads, and which
# may be behind the real one: made on that clock a day back, for 3 days.
openssl() {
	LD_PRELOAD="$TIME_SHIM" PAM_TOTP_TEST_NOW=$(($(test_now) - 86400)) command openssl "$@"
}
tls_ca() { # tls_ca NAME: a CA key and self-signed certificate
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3 \
		-subj "/CN=pam_totp test $1" -keyout "$PG_TLS/$1.key" -out "$PG_TLS/$1.crt" \
		>/dev/null 2>&1
}
tls_ca ca && tls_ca other-ca || bail "openssl cannot make a CA"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-subj "/CN=db.pam-totp.test" -keyout "$PG_TLS/server.key" -out "$PG_TLS/server.csr" \
	>/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:db.pam-totp.test,IP:%s\n' "$PG_ADDR" >"$PG_TLS/san.ext" &&
	openssl x509 -req -in "$PG_TLS/server.csr" -CA "$PG_TLS/ca.crt" -CAkey "$PG_TLS/ca.key" \
		-CAcreateserial -days 3 -extfile "$PG_TLS/san.ext" -out "$PG_TLS/server.crt" \
		>/dev/null 2>&1 || bail "openssl cannot sign the server's certificate"
chmod 600 "$PG_TLS/server.key"
unset -f openssl
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$PG_TLS"
# first: initdb's "host ... reject" lines would match before them
{
	echo "hostssl all all 127.0.0.0/8 scram-sha-256"
	echo "hostnossl all all 127.0.0.0/8 scram-sha-256"
	cat "$PGD/data/pg_hba.conf"
} >"$PGD/hba.new" && cat "$PGD/hba.new" >"$PGD/data/pg_hba.conf" || bail "cannot write pg_hba.conf"
{ pg_admin "ALTER SYSTEM SET ssl_cert_file = '$PG_TLS/server.crt'" &&
	pg_admin "ALTER SYSTEM SET ssl_key_file = '$PG_TLS/server.key'" &&
	pg_admin "ALTER SYSTEM SET ssl = on" &&
	pg_admin "SELECT pg_reload_conf()" >/dev/null; } || bail "cannot turn TLS on"
pg_wait_for "TLS on" "SELECT current_setting('ssl') = 'on'" || bail "TLS did not come on"
PG_TCP_DB="host=db.pam-totp.test hostaddr=$PG_ADDR dbname=totp user=pam_totp password=$PAM_PW"
