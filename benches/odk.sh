#!/usr/bin/env bash
# ODK Collect submissions (BENCHMARKS.md, "ODK Collect submissions"): throughput with 20
# concurrent senders and the time from a submission to the inbox, on SQLite (the default) and,
# when WAHANA_BENCH_POSTGRES_URL names a server, on PostgreSQL.
#
#   cargo build --release -p wahana
#   benches/odk.sh [SENDERS] [PER_SENDER]
set -euo pipefail
SENDERS=${1:-20}
PER=${2:-25}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${WAHANA_BIN:-$here/target/release/wahana}
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
echo "machine: $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"

run() {
  local db=$1 name=$2
  "$BIN" --database "$db" serve --demo --addr 127.0.0.1:0 > "$DIR/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 600); do grep -q '^wahana: http' "$DIR/serve.log" && break; sleep 0.2; done
  URL=$(sed -n 's|^wahana: \(http[^ ]*\)/$|\1|p' "$DIR/serve.log")
  echo "== $name: $SENDERS senders x $PER submissions"
  python3 "$here/benches/odk_senders.py" "$URL" "$SENDERS" "$PER"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
}

run "$DIR/odk.db" SQLite
if [ -n "${WAHANA_BENCH_POSTGRES_URL:-}" ]; then
  run "$WAHANA_BENCH_POSTGRES_URL" PostgreSQL
fi
