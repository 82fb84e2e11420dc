//! Writes random networks with wahana's measures of them to a JSON file, for
//! `tests/networkx_check.py` to check against networkx.
//!
//! ```text
//! cargo run -p wahana-domain --example network_fixture -- target/network_fixture.json
//! python3 tests/networkx_check.py target/network_fixture.json
//! ```
//!
//! Deterministic: the graphs come from a fixed seed (splitmix64).

use serde_json::{Value, json};
use wahana_domain::RegionCode;
use wahana_domain::codes::{Code, GroupType};
use wahana_domain::network::{Graph, Node, NodeKind, co_membership_ties, measure};

const SEED: u64 = 0x5EED_2007;
const TOP_K: usize = 5;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A case: its nodes, raw ties (as index pairs; an index past the nodes names an actor outside
/// the scope) and member lists.
struct Case {
    name: String,
    n: usize,
    ties: Vec<(usize, usize)>,
    memberships: Vec<(String, usize)>,
}

fn case(name: &str, n: usize, ties: Vec<(usize, usize)>) -> Case {
    Case {
        name: name.to_owned(),
        n,
        ties,
        memberships: Vec::new(),
    }
}

fn cases(rng: &mut Rng) -> Vec<Case> {
    let mut out = vec![
        case("empty", 0, vec![]),
        case("single", 1, vec![]),
        case("pair", 2, vec![(0, 1)]),
        case("path5", 5, (0..4).map(|i| (i, i + 1)).collect()),
        case("star", 6, (1..6).map(|i| (0, i)).collect()),
        case("cycle7", 7, (0..7).map(|i| (i, (i + 1) % 7)).collect()),
        case(
            "complete6",
            6,
            (0..6)
                .flat_map(|a| (a + 1..6).map(move |b| (a, b)))
                .collect(),
        ),
        case(
            "two_components",
            6,
            vec![(0, 1), (1, 2), (2, 0), (3, 4), (4, 5)],
        ),
        case(
            "parallel_and_self",
            4,
            vec![
                (0, 1),
                (1, 0),
                (0, 1),
                (1, 1),
                (1, 2),
                (2, 3),
                (3, 3),
                (2, 9),
            ],
        ),
    ];
    // A grid: many shortest paths of equal length.
    let side = 25;
    let mut grid = Vec::new();
    for r in 0..side {
        for c in 0..side {
            let v = r * side + c;
            if c + 1 < side {
                grid.push((v, v + 1));
            }
            if r + 1 < side {
                grid.push((v, v + side));
            }
        }
    }
    out.push(case("grid25", side * side, grid));
    // A hypercube of dimension 9: path counts up to 9!.
    let dim = 9;
    let cube = (0..1usize << dim)
        .flat_map(|v| (0..dim).map(move |b| (v, v ^ (1 << b))))
        .filter(|&(a, b)| a < b)
        .collect();
    out.push(case("hypercube9", 1 << dim, cube));
    // A barbell: two cliques joined by a path.
    let mut barbell: Vec<(usize, usize)> = Vec::new();
    for base in [0, 15] {
        for a in 0..10 {
            for b in a + 1..10 {
                barbell.push((base + a, base + b));
            }
        }
    }
    barbell.extend((9..15).map(|i| (i, i + 1)));
    out.push(case("barbell", 25, barbell));
    // Random trees.
    for n in [10, 100, 1000] {
        let ties = (1..n).map(|v| (rng.below(v), v)).collect();
        out.push(case(&format!("tree{n}"), n, ties));
    }
    // Random graphs with a given number of raw ties, some parallel, to themselves or leaving.
    for (n, m) in [
        (3, 2),
        (10, 8),
        (10, 30),
        (30, 20),
        (30, 60),
        (100, 90),
        (100, 300),
        (300, 250),
        (300, 1200),
        (1000, 1500),
        (1000, 3000),
        (2000, 6000),
    ] {
        let mut ties: Vec<(usize, usize)> = (0..m).map(|_| (rng.below(n), rng.below(n))).collect();
        for _ in 0..m / 20 {
            // Outside the scope.
            ties.push((rng.below(n), n + rng.below(5)));
        }
        let people = n / 3 + 1;
        let memberships = (0..n / 2)
            .map(|_| (format!("nik{}", rng.below(people)), rng.below(n)))
            .collect();
        out.push(Case {
            name: format!("random_{n}_{m}"),
            n,
            ties,
            memberships,
        });
    }
    out
}

fn nodes(rng: &mut Rng, n: usize) -> Vec<Node> {
    let villages = ["73.08.21.1003", "73.08.21.1004", "73.08.21.2005"];
    (0..n)
        .map(|i| {
            let kind = match rng.below(10) {
                0 => NodeKind::Institution,
                1 => NodeKind::Network,
                _ => NodeKind::Group,
            };
            let village = match rng.below(4) {
                3 => None,
                v => RegionCode::parse(villages[v]).ok(),
            };
            let group_type =
                (kind == NodeKind::Group).then(|| GroupType::ALL[rng.below(GroupType::ALL.len())]);
            Node {
                id: format!("v{i}"),
                name: format!("Aktor <{i}> & 'Jeppe'e'"),
                kind,
                group_type,
                village,
            }
        })
        .collect()
}

fn id(i: usize) -> String {
    format!("v{i}")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: network_fixture OUTPUT.json")?;
    let mut rng = Rng(SEED);
    let mut graphs = Vec::new();
    for c in cases(&mut rng) {
        let nodes = nodes(&mut rng, c.n);
        let ties: Vec<(String, String)> = c.ties.iter().map(|&(a, b)| (id(a), id(b))).collect();
        let memberships: Vec<(String, String)> = c
            .memberships
            .iter()
            .map(|(p, g)| (p.clone(), id(*g)))
            .collect();
        let co = co_membership_ties(memberships.iter().map(|(p, g)| (p.as_str(), g.as_str())));
        let graph = Graph::build_with_co_membership(
            nodes.clone(),
            ties.iter().map(|(a, b)| (a.as_str(), b.as_str())),
            co.iter().map(|t| (t.from.as_str(), t.to.as_str())),
        );
        let measures = measure(&graph, TOP_K);
        let components = graph.components();
        let node_json: Vec<Value> = nodes
            .iter()
            .map(|n| {
                json!({
                    "id": n.id,
                    "kind": n.kind,
                    "village": n.village.as_ref().map(|v| v.as_str()),
                })
            })
            .collect();
        graphs.push(json!({
            "name": c.name,
            "nodes": node_json,
            "ties": ties,
            "memberships": memberships,
            "top_k": TOP_K,
            "component_membership": components.membership,
            "wahana": measures,
        }));
        eprintln!(
            "{}: {} nodes, {} ties",
            c.name,
            graph.node_count(),
            graph.tie_count()
        );
    }
    let doc = json!({ "seed": SEED, "graphs": graphs });
    std::fs::write(&path, serde_json::to_string(&doc)?)?;
    eprintln!("wrote {path}");
    Ok(())
}
