#!/bin/bash
# Login latency and throughput of the file store and the PostgreSQL store,
# measured the same way through the real libpam (bench/store_bench.c).
#
#   bench/store_bench.sh BUILD_DIR [LOGINS [PROCS]]
#
# Run as root after building (make -C BUILD_DIR check builds the driver):
# it starts a throw-away PostgreSQL cluster like the tests do (server with
# fsync on, on a Unix socket, SCRAM authentication, a new connection per
# login) and keeps the file store's records on the same disk. For each
# store: LOGINS (default 300) accepted logins of one user one after another
# (latency), then PROCS (default 8) users at once, LOGINS each (throughput:
# different users, so no row or file lock is shared).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
export top_srcdir=$src
top_builddir=$(cd "${1:?usage: store_bench.sh BUILD_DIR [LOGINS [PROCS]]}" && pwd)
export top_builddir
LOGINS=${2:-300}
PROCS=${3:-8}
have_pq=$(sed -n 's/^have_pq = //p' "$top_builddir/Makefile")
export have_pq with_postgresql=yes
DRIVER="$top_builddir/bench/store_bench"
[ -x "$DRIVER" ] || make -C "$top_builddir" bench/store_bench >/dev/null
set +u
. "$src/tests/lib/tap.sh"
. "$src/tests/lib/pam_env.sh"
PG_SERVER_OPTS="-c fsync=on"
. "$src/tests/lib/pg_env.sh"
set -u

mapfile -t users < <(getent passwd | cut -d: -f1 | head -"$PROCS")
[ "${#users[@]}" -eq "$PROCS" ] || bail "need $PROCS accounts in passwd"
mkdir -p "$T/files"
make_service file "secret=$T/files/%u"
make_service postgresql "conf=$HOST_A_CONF"
for u in "${users[@]}"; do
	new_record "$T/files/$u"
	pg_enroll "$u"
done

echo "store,logins,processes,wall_s,logins_per_s,median_us,p90_us,max_us"
run=0
for store in file postgresql; do
	for procs in 1 "$PROCS"; do
		run=$((run + 1))
		line=$(STORE_BENCH_RUN=$run "$DRIVER" "$T/pam" "$store" "$LOGINS" "${users[@]:0:$procs}")
		eval "${line// /; }"
		echo "$store,$logins,$procs,$wall_s,$per_s,$median_us,$p90_us,$max_us"
	done
done
