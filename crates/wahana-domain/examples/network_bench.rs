//! Times the network measures:
//!
//! - betweenness on a random graph of 5,000 nodes and 15,000 ties (median of several runs), the
//!   graph also written as an edge list for `benches/igraph_betweenness.py` (python-igraph and
//!   networkx on the same graph), with wahana's values beside it for a cross-check;
//! - building, degrees and components on a national-size random graph of 4,000,000 nodes and
//!   12,000,000 ties, with the process's peak memory.
//!
//! ```text
//! cargo run --release -p wahana-domain --example network_bench [-- EDGE_FILE [--ids]]
//! python3 benches/igraph_betweenness.py target/network_bench_5k.edges
//! ```
//!
//! `--ids` also times building the national graph from string ids ([`Graph::build`]).
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::Instant;
use wahana_domain::network::{Graph, Node, NodeKind};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
}

/// `m` distinct random ties over `n` nodes, none to itself.
fn distinct_random_edges(rng: &mut Rng, n: u32, m: usize) -> Vec<(u32, u32)> {
    let mut seen = HashSet::with_capacity(m);
    let mut edges = Vec::with_capacity(m);
    while edges.len() < m {
        let (a, b) = (rng.below(n), rng.below(n));
        if a != b && seen.insert((a.min(b), a.max(b))) {
            edges.push((a, b));
        }
    }
    edges
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn seconds(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

/// Peak and current resident memory of this process, in MiB (Linux).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or_else(|| "?".to_owned(), |kb| format!("{:.0} MiB", kb / 1024.0))
    };
    format!("rss {}, peak {}", field("VmRSS:"), field("VmHWM:"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let edge_file = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "target/network_bench_5k.edges".to_owned());
    let with_ids = args.iter().any(|a| a == "--ids");
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());

    // Betweenness, 5,000 nodes and 15,000 ties.
    let (n, m) = (5_000u32, 15_000usize);
    let mut rng = Rng(42);
    let edges = distinct_random_edges(&mut rng, n, m);
    let graph = Graph::from_edges(n as usize, &edges);
    let mut text = format!("# n={n} m={m}\n");
    for (a, b) in &edges {
        let _ = writeln!(text, "{a} {b}");
    }
    std::fs::write(&edge_file, text)?;
    let mut result = Vec::new();
    let runs = 7;
    let all: Vec<f64> = (0..runs)
        .map(|_| seconds(|| result = graph.betweenness()))
        .collect();
    let one: Vec<f64> = (0..3)
        .map(|_| seconds(|| result = graph.betweenness_with_threads(1)))
        .collect();
    std::fs::write(
        format!("{edge_file}.wahana.json"),
        serde_json::to_string(&result)?,
    )?;
    println!("betweenness, {n} nodes, {m} ties (edge list in {edge_file}):");
    println!(
        "  wahana, {threads} threads: median {:.3} s of {runs} runs (min {:.3} s)",
        median(all.clone()),
        all.iter().copied().fold(f64::MAX, f64::min)
    );
    println!("  wahana, 1 thread:  median {:.3} s of 3 runs", median(one));

    // National: 4,000,000 nodes, 12,000,000 ties.
    let (n, m) = (4_000_000u32, 12_000_000usize);
    let mut rng = Rng(7);
    // Random pairs: a few hundred repeat or tie a node to itself, which the build drops.
    let edges: Vec<(u32, u32)> = (0..m).map(|_| (rng.below(n), rng.below(n))).collect();
    println!("national, {n} nodes, {m} random ties:");
    println!("  before building: {}", memory());
    let mut graph = Graph::default();
    let build = seconds(|| graph = Graph::from_edges(n as usize, &edges));
    println!(
        "  build {build:.3} s ({} distinct ties; adjacency {:.0} MiB; {})",
        graph.tie_count(),
        graph.adjacency_bytes() as f64 / (1 << 20) as f64,
        memory()
    );
    let mut degrees = Vec::new();
    let t_degrees = seconds(|| degrees = graph.degrees());
    let mut components = Default::default();
    let t_components = seconds(|| components = graph.components());
    let wahana_domain::network::Components { count, largest, .. } = &components;
    println!(
        "  degrees {t_degrees:.3} s (max {}), components {t_components:.3} s ({count} components, \
         largest {largest})",
        degrees.iter().max().copied().unwrap_or(0)
    );
    println!(
        "  build + degrees + components {:.3} s; {}",
        build + t_degrees + t_components,
        memory()
    );
    drop((graph, degrees, components));

    if with_ids {
        let nodes: Vec<Node> = (0..n)
            .map(|i| Node {
                id: format!("K-{i:07}"),
                name: String::new(),
                kind: NodeKind::Group,
                group_type: None,
                village: None,
            })
            .collect();
        let ids: Vec<(String, String)> = edges
            .iter()
            .map(|&(a, b)| (format!("K-{a:07}"), format!("K-{b:07}")))
            .collect();
        drop(edges);
        let mut graph = Graph::default();
        let t = seconds(|| {
            graph = Graph::build(nodes, ids.iter().map(|(a, b)| (a.as_str(), b.as_str())))
        });
        println!(
            "  build from string ids {t:.3} s ({} ties; {})",
            graph.tie_count(),
            memory()
        );
    }
    Ok(())
}
