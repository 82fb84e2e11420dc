#!/usr/bin/env bash
# Import and export of the national groups file, side by side with their baselines, in one run:
#   - a plain Python csv + sqlite3.executemany load of the file (no validation): python_load.py
#   - `wahana import` of the same file into a new database (every field checked)
#   - DuckDB `COPY groups TO 'file.csv'` of the same rows: duckdb_export.py
#   - `wahana export` of the national database's groups to CSV
# Each is run RUNS times; the table gives the median, rows/s at the median, and peak RSS.
#
#   benches/import_export.sh [RUNS]
#
# Needs a release build (cargo build --release), python3 with duckdb (pip install duckdb) and
# the national set: `wahana demo --scale national` in an empty directory, then
# `wahana export --out national.csv` there. WAHANA_BENCH_DIR names that directory
# (default /tmp/nat: wahana.db and national.csv); WAHANA_BIN the binary.
set -euo pipefail
RUNS=${1:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${WAHANA_BIN:-$here/target/release/wahana}
DIR=${WAHANA_BENCH_DIR:-/tmp/nat}
CSV=$DIR/national.csv
DB=$DIR/wahana.db
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

rows=$(( $(sqlite3 "$DB" "SELECT COUNT(*) FROM groups") ))
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rows: $rows; file: $(du -h "$CSV" | cut -f1); runs: $RUNS"

# An initialized database (region tree loaded, no group), copied for every import.
"$BIN" --database "$WORK/empty.db" init >/dev/null 2>&1

declare -a t_py t_imp t_exp t_duck m_imp m_exp
timed() { # timed OUTVAR -- command...: wall seconds and peak RSS (KiB) into OUTVAR_t / OUTVAR_m
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  read -r "${name}_t" "${name}_m" < "$WORK/time"
}
for i in $(seq "$RUNS"); do
  t=$(python3 "$here/benches/python_load.py" "$CSV" "$WORK/py.db" | cut -d' ' -f1); t_py+=("$t")
  rm -f "$WORK/py.db"*
  cp "$WORK/empty.db" "$WORK/imp.db"
  timed r "$BIN" --database "$WORK/imp.db" import "$CSV"; t_imp+=("$r_t"); m_imp+=("$r_m"); ti=$r_t
  rm -f "$WORK/imp.db"*
  rm -f "$WORK/out.csv"
  timed r "$BIN" --database "$DB" export --out "$WORK/out.csv"; t_exp+=("$r_t"); m_exp+=("$r_m")
  cmp -s "$WORK/out.csv" "$CSV" || echo "warning: the export differs from $CSV" >&2
  rm -f "$WORK/out.csv"
  echo "run $i: python $t s, import $ti s, export $r_t s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done
mapfile -t t_duck < <(python3 "$here/benches/duckdb_export.py" "$CSV" "$WORK/duck.csv" "$RUNS" | cut -d' ' -f1)
rm -f "$WORK/duck.csv"

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
line() { # name, median seconds, peak KiB (or -), all runs
  local rate; rate=$(awk -v n="$rows" -v t="$2" 'BEGIN {printf "%.0f", n/t}')
  local mem="-"; [ "$3" != "-" ] && mem="$(( $3 / 1024 )) MiB"
  printf '| %-38s | %8s | %9s | %8s | %s |\n' "$1" "$2" "$rate" "$mem" "$4"
}
echo
printf '| %-38s | %8s | %9s | %8s | %s |\n' "what" "median s" "rows/s" "peak RSS" "runs (s)"
echo "|---|---|---|---|---|"
line "Python csv + sqlite3.executemany load" "$(median "${t_py[@]}")" - "${t_py[*]}"
line "wahana import (new database)" "$(median "${t_imp[@]}")" "$(median "${m_imp[@]}")" "${t_imp[*]}"
line "DuckDB COPY groups TO csv" "$(median "${t_duck[@]}")" - "${t_duck[*]}"
line "wahana export --out csv" "$(median "${t_exp[@]}")" "$(median "${m_exp[@]}")" "${t_exp[*]}"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
