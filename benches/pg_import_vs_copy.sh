#!/usr/bin/env bash
# Import into PostgreSQL against a plain `psql \copy` of the same file, side by side, in one run:
#   - `wahana import` of a groups file of the instrument (500,000 rows by default) into a new
#     database of the running PostgreSQL (region tree loaded, no group): every field checked,
#     the file's duplicates looked for, tallies kept, one transaction
#   - `psql \copy` of the same file into a new table of the file's columns (all TEXT, no
#     check at all) with one index, the primary key on the id
#   - `psql \copy` of the rows as wahana writes them (dumped from the first import) into
#     wahana's own `groups` table of a new database: its four indexes and two foreign keys,
#     no check, no tally, no entity: what the table itself costs the server
# Each is run RUNS times, alternating, each into a database made for it and dropped after; the
# table gives the median, rows/s at the median, and every run with the load average before it
# (the machine may be shared: compare figures of one run of this script, not across runs).
#
#   WAHANA_BENCH_POSTGRES_URL=postgres://user@host:port/postgres benches/pg_import_vs_copy.sh [RUNS] [ROWS]
#
# The URL is an administrative database of the server (the script creates and drops its own
# databases there); WAHANA_TEST_POSTGRES_URL is taken when WAHANA_BENCH_POSTGRES_URL is not set.
# The groups file is WAHANA_BENCH_CSV if given; otherwise it is made once in WAHANA_BENCH_DIR
# (default: a directory under TMPDIR) from the national demonstration set: `wahana demo
# --scale national` into a SQLite file (a few minutes, about 3 GB, deleted as soon as the
# groups are exported), `wahana export --table kelompok`, and its first ROWS rows (default
# 500,000). Needs a release build (cargo build --release -p wahana; WAHANA_BIN names another
# binary) and psql.
set -euo pipefail
RUNS=${1:-5}
ROWS=${2:-500000}
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${WAHANA_BIN:-$here/target/release/wahana}
ADMIN=${WAHANA_BENCH_POSTGRES_URL:-${WAHANA_TEST_POSTGRES_URL:-}}
[ -n "$ADMIN" ] || { echo "set WAHANA_BENCH_POSTGRES_URL (or WAHANA_TEST_POSTGRES_URL)" >&2; exit 2; }
DIR=${WAHANA_BENCH_DIR:-${TMPDIR:-/tmp}/wahana-bench-pg}
CSV=${WAHANA_BENCH_CSV:-$DIR/kelompok-$ROWS.csv}
BASE=${ADMIN%/*}
WORK=$(mktemp -d)
DB=wahana_bench_import_$$
cleanup() {
  psql -q "$ADMIN" -c "DROP DATABASE IF EXISTS ${DB}_w" -c "DROP DATABASE IF EXISTS ${DB}_c" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -s "$CSV" ]; then
  mkdir -p "$DIR"
  echo "making $CSV from the national demonstration set" >&2
  rm -f "$DIR/national.db"*
  "$BIN" --database "$DIR/national.db" demo --scale national >/dev/null
  "$BIN" --database "$DIR/national.db" export --table kelompok --out "$DIR/national.csv" >/dev/null 2>&1
  rm -f "$DIR/national.db"*
  head -n "$((ROWS + 1))" "$DIR/national.csv" > "$CSV"
  rm -f "$DIR/national.csv"
fi
rows=$(( $(wc -l < "$CSV") - 1 ))
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: $(psql -Atq "$ADMIN" -c 'SHOW server_version')"
echo "rows: $rows; file: $(du -h "$CSV" | cut -f1); runs: $RUNS"

# The table psql copies into: the file's header as TEXT columns, the first (the id) the key.
cols=$(head -n 1 "$CSV" | tr -d '\r' | awk -F, '{for (i = 1; i <= NF; i++) printf "%s\"%s\" TEXT%s", (i > 1 ? ", " : ""), $i, (i == 1 ? " PRIMARY KEY" : "")}')

declare -a t_imp t_copy t_own c_imp
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b - a) / 1e9}'; }
for i in $(seq "$RUNS"); do
  load_i=$(cut -d' ' -f1 /proc/loadavg)
  psql -q "$ADMIN" -c "CREATE DATABASE ${DB}_w" >/dev/null
  "$BIN" --database "$BASE/${DB}_w" init >/dev/null 2>&1
  /usr/bin/time -f "%e %U %S" -o "$WORK/time" "$BIN" --database "$BASE/${DB}_w" import "$CSV" >"$WORK/out" 2>"$WORK/err" \
    || { cat "$WORK/err" >&2; exit 1; }
  read -r e u s < "$WORK/time"
  held=$(psql -Atq "$BASE/${DB}_w" -c "SELECT COUNT(*) FROM groups")
  [ "$held" = "$rows" ] || { echo "the import holds $held groups, not $rows" >&2; cat "$WORK/err" >&2; exit 1; }
  if [ ! -s "$WORK/groups.copy" ]; then
    gcols=$(psql -Atq "$BASE/${DB}_w" -c "SELECT string_agg(column_name, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'groups' AND column_name <> 'version'")
    psql -q "$BASE/${DB}_w" -c "\\copy waves TO '$WORK/waves.copy'" -c "\\copy (SELECT $gcols FROM groups) TO '$WORK/groups.copy'" >/dev/null
  fi
  psql -q "$ADMIN" -c "DROP DATABASE ${DB}_w" >/dev/null
  t_imp+=("$e"); c_imp+=("$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.1f", u + s}')")

  load_c=$(cut -d' ' -f1 /proc/loadavg)
  psql -q "$ADMIN" -c "CREATE DATABASE ${DB}_c" >/dev/null
  psql -q "$BASE/${DB}_c" -c "CREATE TABLE groups_copy ($cols)" >/dev/null
  start=$(date +%s%N)
  psql -q -v ON_ERROR_STOP=1 "$BASE/${DB}_c" -c "\\copy groups_copy FROM '$CSV' WITH (FORMAT csv, HEADER true)" >/dev/null
  end=$(date +%s%N)
  t=$(secs "$start" "$end")
  psql -q "$ADMIN" -c "DROP DATABASE ${DB}_c" >/dev/null
  t_copy+=("$t")
  load_o=$(cut -d' ' -f1 /proc/loadavg)
  psql -q "$ADMIN" -c "CREATE DATABASE ${DB}_c" >/dev/null
  "$BIN" --database "$BASE/${DB}_c" init >/dev/null 2>&1
  psql -q "$BASE/${DB}_c" -c "\\copy waves FROM '$WORK/waves.copy'" >/dev/null
  start=$(date +%s%N)
  psql -q -v ON_ERROR_STOP=1 "$BASE/${DB}_c" -c "\\copy groups ($gcols) FROM '$WORK/groups.copy'" >/dev/null
  end=$(date +%s%N)
  o=$(secs "$start" "$end")
  psql -q "$ADMIN" -c "DROP DATABASE ${DB}_c" >/dev/null
  t_own+=("$o")
  echo "run $i: import $e s (wahana CPU ${c_imp[-1]} s; load $load_i), psql \\copy $t s (load $load_c), into wahana's groups $o s (load $load_o)" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
line() { # name, median seconds, all runs
  local rate; rate=$(awk -v n="$rows" -v t="$2" 'BEGIN {printf "%.0f", n/t}')
  printf '| %-44s | %8s | %9s | %s |\n' "$1" "$2" "$rate" "$3"
}
echo
printf '| %-44s | %8s | %9s | %s |\n' "what" "median s" "rows/s" "runs (s)"
echo "|---|---|---|---|"
mi=$(median "${t_imp[@]}"); mc=$(median "${t_copy[@]}")
line "wahana import (new database)" "$mi" "${t_imp[*]}"
line "psql \\copy, TEXT columns, one index" "$mc" "${t_copy[*]}"
line "psql \\copy into wahana's groups table" "$(median "${t_own[@]}")" "${t_own[*]}"
echo "import / copy: $(awk -v a="$mi" -v b="$mc" 'BEGIN {printf "%.2f", a / b}'); wahana CPU (median): $(median "${c_imp[@]}") s"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
