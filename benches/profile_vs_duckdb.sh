#!/usr/bin/env bash
# wahana's profile against DuckDB's, side by side, on the national demonstration set.
#
#   target/release/wahana --database /tmp/national.db demo --scale national   # once, ~2 min
#   benches/profile_vs_duckdb.sh /tmp/national.db [RUNS]
#
# The database may be a SQLite file or postgres://…; the groups CSV for DuckDB is exported once
# next to a SQLite file (or to $CSV). Needs `python3 -m pip install duckdb`.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=$1
RUNS=${2:-7}
BIN=${WAHANA:-target/release/wahana}
WAVE=demo-nasional-sintetis
KEC=${KEC:-73.08.21}
if [ -z "${CSV:-}" ]; then
  case "$DB" in
    postgres://*|postgresql://*) CSV=${TMPDIR:-/tmp}/wahana-kelompok-nasional.csv ;;
    *) CSV=$(dirname "$DB")/kelompok-nasional.csv ;;
  esac
fi
[ -s "$CSV" ] || "$BIN" --database "$DB" export --table kelompok --wave "$WAVE" --out "$CSV"
echo "== wahana ($DB)"
for region in nasional "$KEC"; do
  "$BIN" --database "$DB" profile --region "$region" --wave "$WAVE" --bench "$RUNS" | tr -d '\n '; echo
done
echo "== DuckDB ($CSV)"
python3 benches/duckdb_profile.py --csv "$CSV" --region "$KEC" --runs "$RUNS"
