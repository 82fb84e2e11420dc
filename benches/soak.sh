#!/usr/bin/env bash
# A long day (BENCHMARKS.md, "A long day: the soak"): the release server on the national
# demonstration set, loopback only, MINUTES of mixed traffic from benches/soak.py (page views,
# API reads, edits, sign-ins, an import every 5 minutes, a PDF every 2 minutes) at RATE
# requests per second; the server's errors, latency, RSS, file descriptors and database pool
# sampled throughout. Bounded: 30 minutes unless told otherwise.
#
#   cargo build --release -p wahana
#   benches/soak.sh [MINUTES] [RATE]     # WAHANA_BENCH_DIR (default /tmp/wahana-nat)
#
# The national set is made once in WAHANA_BENCH_DIR/national.db (about 1-2 minutes, 4.4 GB);
# what the soak writes goes into a wave of its own. Needs python3, curl and Chromium (the PDF).
set -euo pipefail
MINUTES=${1:-30}
RATE=${2:-40}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${WAHANA_BIN:-$here/target/release/wahana}
DIR=${WAHANA_BENCH_DIR:-/tmp/wahana-nat}
DB=${WAHANA_SOAK_DATABASE:-$DIR/national.db}
PORT=${WAHANA_BENCH_PORT:-18090}
OUT=$DIR/soak-$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$DIR" "$OUT"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(load)"
if [[ "$DB" != postgres* && ! -s "$DB" ]]; then
  echo "== the national set"
  "$BIN" --database "$DB" --lang en demo --scale national
fi
export WAHANA_NEW_PASSWORD=soak-$RANDOM$RANDOM
WORKERS=${WAHANA_SOAK_WORKERS:-8}
for u in soak soak-import $(seq -f 'soak-w%g' 0 $((WORKERS - 1))); do
  "$BIN" --database "$DB" users add "$u" --role officer --region 73.08.21 >/dev/null 2>&1 \
    || "$BIN" --database "$DB" users reset-password "$u" >/dev/null
done
WAVE=soak-$(date -u +%Y%m%d%H%M%S)
"$BIN" --database "$DB" waves add --id "$WAVE" --name "Uji ketahanan $WAVE" --region 73.08.21 \
  --start 2026-11-01 --synthetic >/dev/null
"$BIN" --database "$DB" serve --addr "127.0.0.1:$PORT" --http-cookies > "$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q '^wahana: http' "$OUT/serve.log" && break; sleep 0.2; done
echo "server $SERVER up; load $(load); writing to $OUT"
python3 "$here/benches/soak.py" --url "http://127.0.0.1:$PORT" --pid "$SERVER" \
  --minutes "$MINUTES" --rate "$RATE" --workers "$WORKERS" --user soak --password "$WAHANA_NEW_PASSWORD" \
  --region 73.08.21 --regions-dir "$here/data/regions" --wave "$WAVE" --out "$OUT" \
  2> "$OUT/client-errors.log" | tee "$OUT/summary.txt"
echo "load at the end: $(load)"
kill -TERM $SERVER; wait $SERVER || true
echo "server log lines at level WARN or ERROR: $(grep -c -E ' (WARN|ERROR) ' "$OUT/serve.log" || true)"
echo "client-side error lines: $(wc -l < "$OUT/client-errors.log")"
