#!/usr/bin/env python3
"""Checks wahana's network measures against networkx.

Reads the JSON written by the `network_fixture` example (random and hand-made networks with
wahana's results) and recomputes every measure with networkx:

    cargo run -p wahana-domain --example network_fixture -- target/network_fixture.json
    python3 tests/networkx_check.py target/network_fixture.json

Needs networkx (`pip install networkx`). Exits non-zero, naming each difference, when wahana and
networkx disagree.
"""

import itertools
import json
import sys

import networkx as nx

TOL = 1e-9


def build(case):
    """The graph as wahana defines it: simple, undirected, ties outside the scope left out."""
    g = nx.Graph()
    ids = [n["id"] for n in case["nodes"]]
    g.add_nodes_from(ids)
    known = set(ids)
    leaving = 0
    for a, b in case["ties"]:
        if a in known and b in known:
            g.add_edge(a, b)
        else:
            leaving += 1
    by_person = {}
    for person, group in case["memberships"]:
        if person:
            by_person.setdefault(person, set()).add(group)
    co = set()
    for groups in by_person.values():
        for a, b in itertools.combinations(sorted(groups), 2):
            if a in known and b in known:
                co.add((a, b))
    g.add_edges_from(co)
    g.remove_edges_from(list(nx.selfloop_edges(g)))
    return g, leaving, co


def check(case):
    errors = []
    name = case["name"]
    w = case["wahana"]

    def expect(what, got, want, tol=None):
        ok = (
            abs(got - want) <= tol
            if tol is not None
            else got == want
        )
        if not ok:
            errors.append(f"{name}: {what}: wahana {got!r}, networkx {want!r}")

    g, leaving, co = build(case)
    ids = [n["id"] for n in case["nodes"]]
    kind = {n["id"]: n["kind"] for n in case["nodes"]}
    village = {n["id"]: n["village"] for n in case["nodes"]}
    n, m = g.number_of_nodes(), g.number_of_edges()

    expect("nodes", w["nodes"], n)
    expect("ties", w["ties"], m)
    expect("ties_leaving_scope", w["ties_leaving_scope"], leaving)
    expect("co_membership_ties", w["co_membership_ties"], len(co))
    expect("density", w["density"], nx.density(g) if n > 1 else 0.0, 1e-12)

    comps = list(nx.connected_components(g))
    expect("components", w["components"], len(comps))
    expect("largest_component", w["largest_component"], max((len(c) for c in comps), default=0))
    # The same partition: each networkx component carries one wahana number, and no two share.
    membership = dict(zip(ids, case["component_membership"]))
    numbers = [{membership[v] for v in c} for c in comps]
    if any(len(s) != 1 for s in numbers) or len(set().union(*numbers) if numbers else set()) != len(comps):
        errors.append(f"{name}: component membership differs from networkx's components")

    per_node = {p["id"]: p for p in w["per_node"]}
    expect("per_node ids", [p["id"] for p in w["per_node"]], ids)
    for v in ids:
        expect(f"degree of {v}", per_node[v]["degree"], g.degree(v))
    degrees = [d for _, d in g.degree()]
    expect("degree_max", w["degree_max"], max(degrees, default=0))
    expect("degree_mean", w["degree_mean"], (2 * m / n) if n else 0.0, 1e-12)

    bc = nx.betweenness_centrality(g)
    worst = max((abs(per_node[v]["betweenness"] - bc[v]) for v in ids), default=0.0)
    if worst > TOL:
        errors.append(f"{name}: betweenness differs from networkx by up to {worst:.3g}")

    # Top brokers: highest betweenness first, ties by id, nodes with 0 left out.
    brokers = w["top_brokers"]
    for b in brokers:
        expect(f"broker {b['id']} betweenness", b["betweenness"], bc[b["id"]], TOL)
    want = sorted((v for v in ids if bc[v] > TOL), key=lambda v: (-bc[v], v))[: case["top_k"]]
    got = [b["id"] for b in brokers]
    if got != want:
        # Only a near-tie (within the tolerance) may order differently.
        same_values = len(got) == len(want) and all(
            abs(bc[a] - bc[b]) <= TOL for a, b in zip(got, want)
        )
        if not same_values:
            errors.append(f"{name}: top brokers {got}, networkx {want}")

    isolated = [v for v in ids if kind[v] == "kelompok" and g.degree(v) == 0]
    expect("isolated_groups", w["isolated_groups"], isolated)
    expect("isolates", w["isolates"], len(isolated))

    groups = [v for v in ids if kind[v] == "kelompok"]
    tied = [v for v in groups if any(kind[u] == "lembaga" for u in g[v])]
    share = len(tied) / len(groups) if groups else 0.0
    expect("share_tied_to_institution", w["share_tied_to_institution"], share, 1e-12)
    cross = sum(
        1
        for a, b in g.edges()
        if village[a] is not None and village[b] is not None and village[a] != village[b]
    )
    expect("cross_village_ties", w["cross_village_ties"], cross)
    return errors, worst


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} FIXTURE.json")
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f)
    all_errors = []
    worst = 0.0
    for case in doc["graphs"]:
        errors, case_worst = check(case)
        worst = max(worst, case_worst)
        status = "ok" if not errors else f"{len(errors)} differences"
        print(f"{case['name']:>20}: {case['wahana']['nodes']:>5} nodes {case['wahana']['ties']:>5} ties  {status}")
        all_errors.extend(errors)
    print(f"networkx {nx.__version__}; largest betweenness difference {worst:.3g} (tolerance {TOL})")
    if all_errors:
        print("\n".join(all_errors), file=sys.stderr)
        sys.exit(1)
    print(f"all {len(doc['graphs'])} graphs agree with networkx")


if __name__ == "__main__":
    main()
