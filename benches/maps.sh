#!/usr/bin/env bash
# Maps (BENCHMARKS.md, "Maps"): the binary's size, the time to draw the maps alone, and the
# pages and map endpoints served from a national data set.
#   1. the release binary's size, stripped (compare with a build of an earlier commit:
#      WAHANA_OLD_BIN=path/to/old/wahana);
#   2. `examples/map_bench.rs`: the kecamatan of Kabupaten Bone and the provinces of the
#      country drawn RUNS times from the shipped boundaries (median, minimum);
#   3. a server on the national set (`wahana demo --scale national`, made once in
#      WAHANA_BENCH_DIR, as benches/national_shape.sh does): the first request after start and
#      then the median of RUNS requests of the home page, a province page, Bone's page,
#      Tanete Riattang's page (each with its map), and map.svg / measures.geojson of Bone and
#      of the country, with curl.
#
#   cargo build --release -p wahana --example map_bench && cargo build --release -p wahana
#   benches/maps.sh [RUNS]
set -euo pipefail
RUNS=${1:-21}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${WAHANA_BIN:-$here/target/release/wahana}
DIR=${WAHANA_BENCH_DIR:-/tmp/wahana-nat}
DB=$DIR/national.db
PORT=${WAHANA_BENCH_PORT:-18090}
mkdir -p "$DIR"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores; load: $(load)"

echo "== 1. binary size (stripped)"
strip -o "$DIR/wahana.stripped" "$BIN"
echo "this build: $(stat -c %s "$DIR/wahana.stripped") bytes"
if [ -n "${WAHANA_OLD_BIN:-}" ]; then
  strip -o "$DIR/old.stripped" "$WAHANA_OLD_BIN"
  echo "earlier build: $(stat -c %s "$DIR/old.stripped") bytes"
fi
echo "shipped boundaries: $(cat "$here"/data/boundaries/*.topojson.gz | wc -c) bytes"

echo "== 2. drawing alone, $RUNS runs (load $(load))"
"$here/target/release/examples/map_bench" "$RUNS"

echo "== 3. served from the national set"
if [ ! -s "$DB" ]; then
  "$BIN" --database "$DB" --lang en demo --scale national
fi
"$BIN" --database "$DB" serve --addr "127.0.0.1:$PORT" > "$DIR/maps-serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q '^wahana: http' "$DIR/maps-serve.log" && break; sleep 0.1; done
# The server warms the country's and the provinces' profiles (and parses the boundaries) at
# start; the first requests are timed after that, as a user arriving a minute later sees them.
for _ in $(seq 1 1200); do grep -q 'provinces made' "$DIR/maps-serve.log" && break; sleep 0.1; done
base="http://127.0.0.1:$PORT"
ms() { curl -s -o /dev/null -w '%{time_total}\n' "$1" | awk '{printf "%.1f", $1*1000}'; }
median() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]}'; }
for path in / /regions/73 /regions/73.08 /regions/73.08.21 "/regions/73.08?measure=f3" \
  /api/v1/regions/73.08/map.svg /api/v1/regions/nasional/map.svg \
  /api/v1/regions/73.08/measures.geojson /api/v1/regions/nasional/measures.geojson; do
  first=$(ms "$base$path")
  med=$(for _ in $(seq 1 "$RUNS"); do ms "$base$path"; echo; done | median)
  size=$(curl -s "$base$path" | wc -c)
  printf '%-42s first %7s ms, median %7s ms, %8s bytes (load %s)\n' "$path" "$first" "$med" "$size" "$(load)"
done
