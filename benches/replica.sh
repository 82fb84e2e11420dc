#!/usr/bin/env bash
# Reads with and without a PostgreSQL read replica, and the failover window
# (BENCHMARKS.md, "PostgreSQL read replica (issue 18)"):
#   1. the demonstration data (Tanete Riattang) in a database made for the run on the primary,
#      waited for on the replica;
#   2. the same read load (replica_load.py: THREADS keep-alive clients over region pages,
#      profile and wave API reads) on `wahana serve` without, then with, --read-replica; the
#      server's /metrics say where the reads were served;
#   3. the failover: with the replica, the load runs for 16 s, the replica is stopped
#      (`pg_ctl stop -m fast`) at 5 s and started again at 10 s. Every request's status and
#      time are kept: the failed ones (none expected), the slowest around the stop, the reads
#      the replica failed and were answered again from the primary (/metrics), and how soon
#      after its restart the replica serves reads again.
#
#   cargo build --release -p wahana
#   WAHANA_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres \
#   WAHANA_BENCH_REPLICA=postgres://postgres@127.0.0.1:5433/postgres \
#   WAHANA_BENCH_REPLICA_DATA=/path/to/replica/data \
#     benches/replica.sh [SECONDS] [THREADS]
#
# The replica's data directory is needed for part 3 only (pg_ctl runs as its owner, through
# `runuser -u postgres` when run as root). Needs python3, curl, psql and pg_ctl. The machine may
# be shared: the load average is printed beside each part.
set -euo pipefail
SECONDS_RUN=${1:-15}
THREADS=${2:-4}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${WAHANA_BIN:-$here/target/release/wahana}
PG=${WAHANA_BENCH_PG:?set WAHANA_BENCH_PG to the primary (postgres://.../postgres)}
REPLICA=${WAHANA_BENCH_REPLICA:?set WAHANA_BENCH_REPLICA to its streaming replica}
DATA=${WAHANA_BENCH_REPLICA_DATA:-}
PORT=${WAHANA_BENCH_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
DB=wahana_bench_replica
DIR=$(mktemp -d)
load() { cut -d' ' -f1-3 /proc/loadavg; }
with_db() { echo "${1%/*}/$2"; }
PATHS=(/regions/73.08.21 /regions/73.08.21.1003 /api/v1/regions/73.08.21/profile /api/v1/waves /api/v1/regions/73.08.21 /regions/73.08.21/screening)
if command -v pg_ctl >/dev/null 2>&1; then PG_CTL=pg_ctl; else PG_CTL=$(ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1); fi
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  if [ -n "$DATA" ] && ! as_owner "$PG_CTL" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$PG_CTL" -D "$DATA" -w -l "$(dirname "$DATA")/replica.log" -o "$OPTS" start >/dev/null || true
  fi
  psql "$PG" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT
# The options the replica was started with (postmaster.opts without -D), to start it again.
OPTS=
if [ -n "$DATA" ]; then
  OPTS=$(python3 -c '
import shlex, sys
q = open(sys.argv[1] + "/postmaster.opts").read().split("\"")[1::2]
out, i = [], 0
while i < len(q):
    if q[i] == "-D": i += 2; continue
    out.append(shlex.quote(q[i])); i += 1
print(" ".join(out))' "$DATA")
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(load)"

echo "== 1. the demonstration data, on the primary and replayed on the replica"
psql "$PG" -qc "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
"$BIN" --database "$(with_db "$PG" $DB)" --lang en demo >/dev/null
for _ in $(seq 600); do
  want=$(psql "$PG" -Atc "SELECT pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::bigint")
  got=$(psql "$(with_db "$REPLICA" $DB)" -Atc "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint" 2>/dev/null || echo 0)
  [ "$got" -ge "$want" ] && break
  sleep 0.1
done
echo "replica caught up; load $(load)"

start_server() {
  "$BIN" --database "$(with_db "$PG" $DB)" serve --addr "127.0.0.1:$PORT" --http-cookies "$@" \
    >"$DIR/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done
  kill -0 "$server" || { echo "the server did not start:"; tail -5 "$DIR/serve.log"; exit 1; }
  # Warm: the profiles made once, and the replica checked.
  for p in "${PATHS[@]}"; do curl -sf -o /dev/null "http://127.0.0.1:$PORT$p"; done
}
stop_server() {
  kill "$server" || { echo "the server had stopped:"; tail -20 "$DIR/serve.log"; exit 1; }
  wait "$server" 2>/dev/null || true
  server=
}
reads() { curl -s "http://127.0.0.1:$PORT/metrics" | grep -E '^wahana_(reads_total|replica_fallbacks_total)' || true; }

echo "== 2. reads, $THREADS clients, $SECONDS_RUN s"
start_server
echo "without a replica: $(python3 "$here/benches/replica_load.py" --port "$PORT" --threads "$THREADS" --seconds "$SECONDS_RUN" "${PATHS[@]}"); load $(load)"
stop_server
start_server --read-replica "$(with_db "$REPLICA" $DB)"
echo "with the replica:  $(python3 "$here/benches/replica_load.py" --port "$PORT" --threads "$THREADS" --seconds "$SECONDS_RUN" "${PATHS[@]}"); load $(load)"
reads

if [ -z "$DATA" ]; then
  echo "(no WAHANA_BENCH_REPLICA_DATA: the failover is not measured)"
  exit 0
fi
echo "== 3. failover: the replica stopped at 5 s, started again at 10 s, load for 16 s"
before=$(reads)
python3 "$here/benches/replica_load.py" --port "$PORT" --threads "$THREADS" --seconds 16 \
  --record "$DIR/failover.json" "${PATHS[@]}" >"$DIR/failover.out" &
client=$!
t0=$(date +%s.%N)
since() { python3 -c "import sys; print(round(float(sys.argv[1]) - float(sys.argv[2]), 2))" "$(date +%s.%N)" "$t0"; }
sleep 5
t_asked=$(since)
as_owner "$PG_CTL" -D "$DATA" -m fast -w stop >/dev/null
t_stop=$(since)
sleep 5
as_owner "$PG_CTL" -D "$DATA" -w -l "$(dirname "$DATA")/replica.log" -o "$OPTS" start >/dev/null
t_start=$(since)
back=
for i in $(seq 200); do
  if curl -s "http://127.0.0.1:$PORT/metrics" | grep -q '^wahana_replica_serving_reads 1'; then
    back=$(python3 -c "import sys; print(round(float(sys.argv[1]) - float(sys.argv[2]) - float(sys.argv[3]), 1))" "$(date +%s.%N)" "$t0" "$t_start")
    break
  fi
  sleep 0.1
done
wait "$client"
echo "load: $(cat "$DIR/failover.out"); load $(load)"
echo "replica told to stop at $t_asked s, stopped at $t_stop s, started again at $t_start s; serving reads again ${back:-?} s after its start"
echo "counters before:"; echo "$before"
echo "counters after:"; reads
python3 - "$DIR/failover.json" "$t_asked" "$t_stop" <<'EOF'
import json, sys
rec = json.load(open(sys.argv[1]))
asked, stop = float(sys.argv[2]), float(sys.argv[3])
bad = [r for r in rec if r[2] != 200]
print(f"requests: {len(rec)}, not 200: {len(bad)} {bad[:5]}")
def lat(rs):
    return sorted((e - s) * 1000 for s, e, _, _ in rs)
before = lat([r for r in rec if r[1] < asked])
window = lat([r for r in rec if r[1] >= asked and r[0] <= stop + 1.0])
slow = [r for r in rec if (r[1] - r[0]) > 0.25]
if before:
    print(f"before the stop: {len(before)} requests, p50 {before[len(before)//2]:.1f} ms, p99 {before[int(len(before)*0.99)]:.1f} ms")
if window:
    print(f"answered from the stop asked until 1 s after it stopped: {len(window)} requests, p50 {window[len(window)//2]:.1f} ms, slowest {window[-1]:.1f} ms")
print(f"requests slower than 250 ms in the whole run: {len(slow)}: " + ", ".join(f"{(e - s) * 1000:.0f} ms at {s:.2f} s" for s, e, _, _ in slow[:8]))
EOF
