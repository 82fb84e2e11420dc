#!/usr/bin/env bash
# Hostile files against `wahana import --dry-run`: workbooks that claim more than they hold
# (far cell references, sparse sheets, ODS repeats), zip bombs of several ratios, deep and long
# XML, huge shared strings, long cells, broken CSV, old .xls with far cells; each in several
# sizes (crates/wahana/examples/hostile_files.rs writes them). Each import runs under a timeout;
# the table gives its exit status, wall time, peak RSS and the last problem's code (a refusal
# of the whole file comes last), and the last line counts aborts (killed by a signal: 134 is
# an allocation failure) and hangs (over the timeout). The goal is zero of both.
#
#   benches/hostile_files.sh [DIR]   # DIR: where the files are (written there if it is empty)
#
# Needs release builds of wahana and of the generator:
#   cargo build --release && cargo build --release --example hostile_files
# WAHANA_BIN names the binary, WAHANA_GEN the generator, WAHANA_BENCH_TIMEOUT the timeout (10 s).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$here/target}
BIN=${WAHANA_BIN:-$TARGET/release/wahana}
GEN=${WAHANA_GEN:-$TARGET/release/examples/hostile_files}
TIMEOUT=${WAHANA_BENCH_TIMEOUT:-10}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FILES=${1:-$WORK/files}
mkdir -p "$FILES"
if [ -z "$(ls -A "$FILES")" ]; then
  "$GEN" campaign "$FILES" || exit 1
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load: $(cut -d' ' -f1-3 /proc/loadavg); timeout ${TIMEOUT} s"
"$BIN" --database "$WORK/w.db" init >/dev/null 2>&1 || exit 1
aborts=0 hangs=0 total=0
printf '%-40s %10s %6s %7s %10s  %s\n' file "size" status "time s" "peak RSS" "last problem"
for f in "$FILES"/*; do
  total=$((total + 1))
  /usr/bin/time -f "%e %M" -o "$WORK/time" timeout -s KILL "$TIMEOUT" \
    "$BIN" --database "$WORK/w.db" --lang en import --dry-run --json "$f" >"$WORK/out" 2>"$WORK/err"
  status=$?
  read -r secs rss < <(tail -1 "$WORK/time")
  code=$(jq -r '.problems[-1].code // "none"' "$WORK/out" 2>/dev/null || echo "-")
  if [ "$status" -eq 137 ] || [ "$status" -eq 124 ]; then
    hangs=$((hangs + 1)); code="HANG"
  elif [ "$status" -gt 128 ]; then
    aborts=$((aborts + 1)); code="ABORT ($(tail -c 200 "$WORK/err" | tr '\n' ' '))"
  fi
  printf '%-40s %10s %6s %7s %7s MiB  %s\n' "$(basename "$f")" "$(du -h "$f" | cut -f1)" \
    "$status" "$secs" "$((rss / 1024))" "$code"
done
echo "files: $total; aborts: $aborts; hangs (over ${TIMEOUT} s): $hangs"
[ "$aborts" -eq 0 ] && [ "$hangs" -eq 0 ]
