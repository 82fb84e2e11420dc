#!/bin/sh
# The network benchmark, side by side in one run (BENCHMARKS.md, "Network measures"):
#  1. betweenness on a kecamatan-size random graph (5,000 nodes, 15,000 ties): wahana, then
#     python-igraph on the same edge list (and networkx unless --no-networkx is left out);
#  2. degrees and components on a national-size random graph (4,000,000 nodes) in memory;
#  3. end to end: `wahana network --region nasional` on the national demonstration database,
#     when WAHANA_BENCH_NATIONAL_DB names one (made by `wahana demo --scale national`).
# Needs: pip install igraph networkx.
set -eu
cd "$(dirname "$0")/.."
cargo build --release -p wahana -p wahana-domain --example network_bench
target/release/examples/network_bench target/network_bench_5k.edges
python3 benches/igraph_betweenness.py target/network_bench_5k.edges --runs 5 --no-networkx
if [ -n "${WAHANA_BENCH_NATIONAL_DB:-}" ]; then
    for i in 1 2 3; do
        /usr/bin/time -f "wall %e s, peak RSS %M KiB" target/release/wahana \
            --database "$WAHANA_BENCH_NATIONAL_DB" --lang en network --region nasional --timings \
            > /dev/null
    done
    target/release/wahana --database "$WAHANA_BENCH_NATIONAL_DB" --lang en network --region nasional
fi
