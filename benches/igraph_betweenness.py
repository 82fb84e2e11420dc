#!/usr/bin/env python3
"""Times betweenness centrality in python-igraph and networkx on the graph that wahana's
`network_bench` example writes, to set beside wahana's own figures:

    cargo run --release -p wahana-domain --example network_bench
    python3 benches/igraph_betweenness.py target/network_bench_5k.edges [--runs 5] [--no-networkx]

The edge file starts with `# n=N m=M` (so that isolated nodes count) and has one `a b` pair per
line. When `EDGES.wahana.json` (wahana's normalised betweenness) sits beside it, the results are
compared too. Needs `pip install igraph networkx`.
"""

import argparse
import json
import os
import statistics
import time


def read_edges(path):
    n = None
    edges = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("#"):
                for part in line[1:].split():
                    key, _, value = part.partition("=")
                    if key == "n":
                        n = int(value)
            elif line:
                a, b = line.split()
                edges.append((int(a), int(b)))
    if n is None:
        n = 1 + max((max(e) for e in edges), default=-1)
    return n, edges


def timed(f, runs):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), result


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("edges", nargs="?", default="target/network_bench_5k.edges")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-networkx", action="store_true", help="skip networkx (about a minute)")
    args = p.parse_args()
    n, edges = read_edges(args.edges)
    print(f"{args.edges}: {n} nodes, {len(edges)} ties")
    # Normalised as networkx does for undirected graphs: unordered pairs * 2 / ((n-1)(n-2)).
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0

    import igraph

    g = igraph.Graph(n=n, edges=edges, directed=False).simplify()
    med, best, raw = timed(lambda: g.betweenness(directed=False), args.runs)
    ig = [b * scale for b in raw]
    print(f"  python-igraph {igraph.__version__}: median {med:.3f} s of {args.runs} runs (min {best:.3f} s)")

    nxb = None
    if not args.no_networkx:
        import networkx as nx

        h = nx.Graph()
        h.add_nodes_from(range(n))
        h.add_edges_from(edges)
        h.remove_edges_from(list(nx.selfloop_edges(h)))
        med, best, res = timed(lambda: nx.betweenness_centrality(h), 1)
        nxb = [res[v] for v in range(n)]
        print(f"  networkx {nx.__version__}: {med:.3f} s (1 run)")
        print(f"  igraph vs networkx: largest difference {max(abs(a - b) for a, b in zip(ig, nxb)):.3g}")

    wahana = args.edges + ".wahana.json"
    if os.path.exists(wahana):
        with open(wahana, encoding="utf-8") as f:
            w = json.load(f)
        print(f"  wahana vs igraph: largest difference {max(abs(a - b) for a, b in zip(w, ig)):.3g}")
        if nxb is not None:
            print(f"  wahana vs networkx: largest difference {max(abs(a - b) for a, b in zip(w, nxb)):.3g}")


if __name__ == "__main__":
    main()
