#!/usr/bin/env bash
# Import and export of the national groups file, side by side with their baselines, in one run:
#   - a plain Python csv + sqlite3.executemany load of the file (no validation): python_load.py,
#     once with Python's default settings (rollback journal) and once in WAL mode
#   - `wahana import` of the same file into a new database (every field checked)
#   - DuckDB `COPY groups TO 'file.csv'` of the same rows: duckdb_export.py
#   - `wahana export` of the national database's groups to CSV
# Each is run RUNS times; the table gives the median, rows/s at the median, the median CPU
# time (user + system, all threads) and peak RSS, and each run's load average is printed (the
# machine may be shared: compare figures of one run of this script, not across runs).
#
#   benches/import_export.sh [RUNS]
#   WAHANA_BENCH_ONLY=import benches/import_export.sh [RUNS]   # Python and wahana import only
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

ONLY=${WAHANA_BENCH_ONLY:-all}
declare -a t_py t_pw t_imp t_exp t_duck m_py m_pw m_imp m_exp c_py c_pw c_imp c_exp
timed() { # timed OUTVAR -- command...: wall s, peak RSS (KiB), CPU s into OUTVAR_t/_m/_c
  local name=$1; shift
  /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  local e m u s; read -r e m u s < "$WORK/time"
  printf -v "${name}_t" '%s' "$e"; printf -v "${name}_m" '%s' "$m"
  printf -v "${name}_c" '%s' "$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.1f", u + s}')"
}
for i in $(seq "$RUNS"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  # Python's own figure (opening the file to the commit) is its time; CPU is the process's.
  timed p python3 "$here/benches/python_load.py" "$CSV" "$WORK/py.db" default
  t=$(cut -d' ' -f1 "$WORK/out"); t_py+=("$t"); m_py+=("$p_m"); c_py+=("$p_c")
  rm -f "$WORK/py.db"*
  timed p python3 "$here/benches/python_load.py" "$CSV" "$WORK/py.db" wal
  tw=$(cut -d' ' -f1 "$WORK/out"); t_pw+=("$tw"); m_pw+=("$p_m"); c_pw+=("$p_c")
  rm -f "$WORK/py.db"*
  cp "$WORK/empty.db" "$WORK/imp.db"
  timed r "$BIN" --database "$WORK/imp.db" import "$CSV"
  t_imp+=("$r_t"); m_imp+=("$r_m"); c_imp+=("$r_c"); ti=$r_t; ci=$r_c
  rm -f "$WORK/imp.db"*
  echo "run $i (load $load, then $(cut -d' ' -f1 /proc/loadavg)): python $t s, python (WAL) $tw s, import $ti s ($ci s CPU)" >&2
done
# The exports after the imports, so that each finds the national database as the one before
# left it (the imports write 7 GB a round, which pushes it out of the page cache).
if [ "$ONLY" != import ]; then
  for i in $(seq "$RUNS"); do
    rm -f "$WORK/out.csv"
    timed r "$BIN" --database "$DB" export --out "$WORK/out.csv"
    t_exp+=("$r_t"); m_exp+=("$r_m"); c_exp+=("$r_c")
    cmp -s "$WORK/out.csv" "$CSV" || echo "warning: the export differs from $CSV" >&2
    rm -f "$WORK/out.csv"
    echo "export $i (load $(cut -d' ' -f1 /proc/loadavg)): $r_t s" >&2
  done
fi
if [ "$ONLY" != import ]; then
  mapfile -t t_duck < <(python3 "$here/benches/duckdb_export.py" "$CSV" "$WORK/duck.csv" "$RUNS" | cut -d' ' -f1)
  rm -f "$WORK/duck.csv"
fi

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
line() { # name, median seconds, peak KiB (or -), median CPU s (or -), all runs
  local rate; rate=$(awk -v n="$rows" -v t="$2" 'BEGIN {printf "%.0f", n/t}')
  local mem="-"; [ "$3" != "-" ] && mem="$(( $3 / 1024 )) MiB"
  printf '| %-38s | %8s | %9s | %7s | %8s | %s |\n' "$1" "$2" "$rate" "$4" "$mem" "$5"
}
echo
printf '| %-38s | %8s | %9s | %7s | %8s | %s |\n' "what" "median s" "rows/s" "CPU s" "peak RSS" "runs (s)"
echo "|---|---|---|---|---|---|"
line "Python csv + sqlite3.executemany load" "$(median "${t_py[@]}")" "$(median "${m_py[@]}")" "$(median "${c_py[@]}")" "${t_py[*]}"
line "the same, in WAL mode" "$(median "${t_pw[@]}")" "$(median "${m_pw[@]}")" "$(median "${c_pw[@]}")" "${t_pw[*]}"
line "wahana import (new database)" "$(median "${t_imp[@]}")" "$(median "${m_imp[@]}")" "$(median "${c_imp[@]}")" "${t_imp[*]}"
if [ "$ONLY" != import ]; then
  line "DuckDB COPY groups TO csv" "$(median "${t_duck[@]}")" - - "${t_duck[*]}"
  line "wahana export --out csv" "$(median "${t_exp[@]}")" "$(median "${m_exp[@]}")" "$(median "${c_exp[@]}")" "${t_exp[*]}"
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
