#!/usr/bin/env bash
# Speed at the shape of a real national registry (BENCHMARKS.md, "The national set of the real
# shape"), every figure with its side-by-side comparison, in one run:
#   1. `wahana demo --scale national` into an empty SQLite file: time, size, what it holds;
#   2. the profile use case (`wahana profile --bench RUNS`: median of RUNS, counts of networks,
#      institutions and ties included) for the country, province 73 and kecamatan 73.08.21,
#      and DuckDB scanning the exported groups file for the same regions (duckdb_profile.py);
#   3. the web: the first request to the home page and to a province page after the server
#      starts, then `wrk` with 32 connections on the profile API, a different kecamatan on
#      every request (national_shape.lua), and on one kecamatan;
#   4. the ties file imported into a database holding the national groups, networks and
#      institutions (`wahana import` of the exported `ikatan` table): ties/s;
#   5. `wahana network --region nasional` end to end, five runs (igraph on the same kind of
#      graph: network_vs_igraph.sh).
# With WAHANA_BENCH_PG=postgres://… (a server the user may create databases on), 1, 2, 3 and 5 run
# on PostgreSQL too, in a database made for the run and dropped after it.
#
#   cargo build --release -p wahana
#   benches/national_shape.sh [RUNS]            # WAHANA_BENCH_DIR (default /tmp/wahana-nat)
#
# Needs python3 with duckdb (pip install duckdb), wrk, curl, sqlite3; psql for PostgreSQL. The
# machine may be shared: the load average is printed beside each part.
set -euo pipefail
RUNS=${1:-9}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${WAHANA_BIN:-$here/target/release/wahana}
DIR=${WAHANA_BENCH_DIR:-/tmp/wahana-nat}
DB=$DIR/national.db
WAVE=demo-nasional-sintetis
PORT=${WAHANA_BENCH_PORT:-18080}
mkdir -p "$DIR"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(load)"

# 1. The national set.
if [ ! -s "$DB" ]; then
  echo "== 1. demo --scale national (SQLite)"
  /usr/bin/time -f "wall %e s, CPU %U+%S s, peak RSS %M KiB" \
    "$BIN" --database "$DB" --lang en demo --scale national
  echo "file: $(du -h "$DB" | cut -f1); load $(load)"
fi
sqlite3 "$DB" "SELECT 'groups', COUNT(*) FROM groups; SELECT 'networks', COUNT(*) FROM networks; \
  SELECT 'institutions', COUNT(*) FROM institutions; SELECT 'ties', COUNT(*) FROM ties;" | tr '|' ' '

exported() { # exported TABLE: the table's file from the national database, made once
  local f=$DIR/$1.csv
  [ -s "$f" ] || "$BIN" --database "$DB" export --table "$1" --wave "$WAVE" --out "$f" >/dev/null
  echo "$f"
}

profiles() { # profiles DATABASE: the use case's median for the three regions
  for region in nasional 73 73.08.21; do
    printf '%-10s ' "$region"
    "$BIN" --database "$1" --lang en profile --region "$region" --wave "$WAVE" --bench "$RUNS" \
      | tr -d '\n'; echo "  (load $(load))"
  done
}

# 2. The profile.
echo "== 2. profile use case, SQLite, median of $RUNS"
profiles "$DB"
GROUPS_CSV=$(exported kelompok)
echo "== 2. DuckDB scanning $GROUPS_CSV"
for region in 73 73.08.21; do
  python3 "$here/benches/duckdb_profile.py" --csv "$GROUPS_CSV" --region "$region" --runs "$RUNS"
done

web() { # web DATABASE LABEL
  "$BIN" --database "$1" serve --addr "127.0.0.1:$PORT" >"$DIR/serve.log" 2>&1 &
  local pid=$!
  # Up when its style sheet is served (no database read: the first page request is measured).
  for _ in $(seq 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/static/style.css" && break; sleep 0.1
  done
  echo "== 3. web ($2): first requests after start (load $(load))"
  for path in / /regions/73; do
    curl -s -o /dev/null -w "$path: %{http_code} in %{time_total} s\n" "http://127.0.0.1:$PORT$path"
  done
  sqlite3 "$DB" "SELECT code FROM regions WHERE level = 3 ORDER BY code" > "$DIR/kecamatan.txt"
  echo "-- profile API, 32 connections, a different kecamatan on every request"
  KECAMATAN_FILE="$DIR/kecamatan.txt" wrk -t2 -c32 -d20s --latency \
    -s "$here/benches/national_shape.lua" "http://127.0.0.1:$PORT" | sed -n '/Latency Distribution/,$p'
  echo "-- profile API, 32 connections, one kecamatan (73.08.21)"
  wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$PORT/api/v1/regions/73.08.21/profile" \
    | sed -n '/Latency Distribution/,$p'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
web "$DB" SQLite

# 4. The ties file into a database holding the national groups, networks and institutions.
echo "== 4. import of the ties file (SQLite)"
TIES_CSV=$(exported ikatan)
IMP=$DIR/ties-import.db
if [ ! -s "$DIR/before-ties.db" ]; then
  rm -f "$IMP"*
  "$BIN" --database "$IMP" --lang en import "$GROUPS_CSV" --wave "$WAVE" >/dev/null
  "$BIN" --database "$IMP" --lang en import "$(exported wahana)" --table wahana --wave "$WAVE" >/dev/null
  "$BIN" --database "$IMP" --lang en import "$(exported lembaga)" --table lembaga --wave "$WAVE" >/dev/null
  cp "$IMP" "$DIR/before-ties.db"
fi
ties=$(( $(wc -l < "$TIES_CSV") - 1 ))
for i in 1 2 3; do
  cp "$DIR/before-ties.db" "$IMP"
  l=$(load)
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time" \
    "$BIN" --database "$IMP" --lang en import "$TIES_CSV" --table ikatan --wave "$WAVE" >/dev/null
  read -r e u s m < "$DIR/time"
  echo "run $i: $ties ties in $e s ($(awk -v n="$ties" -v e="$e" 'BEGIN {printf "%.0f", n / e}') ties/s; CPU $u user + $s system; peak RSS $m KiB; load $l)"
done
rm -f "$IMP"*

# 5. The national network: five runs on the database $1 (named $2).
networks() {
  echo "== 5. network --region nasional, end to end ($2, load $(load))"
  for i in 1 2 3 4 5; do
    l=$(load)
    /usr/bin/time -f "wall %e s, CPU %U+%S s, peak RSS %M KiB (load $l)" "$BIN" --database "$1" \
      --lang en network --region nasional --wave "$WAVE" --timings > /dev/null
  done
}
networks "$DB" SQLite

if [ -n "${WAHANA_BENCH_PG:-}" ]; then
  PGDB="wahana_bench_$$"
  psql "$WAHANA_BENCH_PG" -qc "CREATE DATABASE $PGDB" >/dev/null
  PGURL="${WAHANA_BENCH_PG%/*}/$PGDB"
  trap 'psql "$WAHANA_BENCH_PG" -qc "DROP DATABASE IF EXISTS $PGDB" >/dev/null' EXIT
  echo "== 1. demo --scale national (PostgreSQL)"
  /usr/bin/time -f "wall %e s, CPU %U+%S s, peak RSS %M KiB" \
    "$BIN" --database "$PGURL" --lang en demo --scale national
  psql "$PGURL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))"
  echo "== 2. profile use case, PostgreSQL, median of $RUNS"
  profiles "$PGURL"
  web "$PGURL" PostgreSQL
  networks "$PGURL" PostgreSQL
fi
