//! The measures a report shows for one scope's network.

use super::{Graph, NodeKind};
use serde::{Deserialize, Serialize};

/// A broker: a node that lies on many shortest paths between others.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Broker {
    pub id: String,
    pub name: String,
    pub betweenness: f64,
}

/// One node's measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeMeasure {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    pub degree: u32,
    pub betweenness: f64,
}

/// The measures of one scope's network. Serialises to JSON with these keys, which are stable.
///
/// An anonymous graph ([`Graph::from_edges`]) reports its nodes by index, as groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkMeasures {
    /// Actors: groups that have not dissolved, institutions and networks.
    pub nodes: usize,
    /// Of which groups, institutions and networks.
    pub groups: usize,
    pub institutions: usize,
    pub networks: usize,
    /// Distinct ties between distinct actors of the scope.
    pub ties: usize,
    /// Recorded ties with an end outside the scope, left out.
    pub ties_leaving_scope: usize,
    /// `2m / (n (n - 1))`; 0 when there are fewer than two nodes.
    pub density: f64,
    /// Connected components, counting each isolated node as one.
    pub components: usize,
    pub largest_component: usize,
    /// The number of isolated groups (groups without any tie): `isolated_groups.len()` when
    /// measured with per-node detail.
    pub isolates: usize,
    /// Their ids, in node order (empty when measured without per-node detail, see [`Detail`]).
    pub isolated_groups: Vec<String>,
    /// `2m / n`; 0 for an empty graph.
    pub degree_mean: f64,
    pub degree_max: u32,
    /// The nodes with the highest betweenness, highest first, ties broken by id; nodes with
    /// betweenness 0 broker nothing and are left out.
    pub top_brokers: Vec<Broker>,
    /// The share of groups tied to at least one support institution; 0 without groups.
    pub share_tied_to_institution: f64,
    /// Ties whose two ends both have a village, and different ones.
    pub cross_village_ties: usize,
    /// Co-membership ties (*anggota bersama*) among `ties`.
    pub co_membership_ties: usize,
    /// Every node, in node order (empty when measured without per-node detail).
    pub per_node: Vec<NodeMeasure>,
}

/// How much [`measure_with`] computes beyond the linear measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detail {
    /// Betweenness (O(n·m)); without it `top_brokers` is empty and every node's betweenness 0.
    pub betweenness: bool,
    /// The lists with one entry per node: `per_node` and `isolated_groups` (their count,
    /// `isolates`, is always given).
    pub per_node: bool,
}

impl Detail {
    /// Everything.
    pub const FULL: Detail = Detail {
        betweenness: true,
        per_node: true,
    };
}

/// Measures `graph`, naming the `top_k` brokers. Betweenness is O(n·m) (see
/// [`Graph::betweenness`]); the rest is linear.
pub fn measure(graph: &Graph, top_k: usize) -> NetworkMeasures {
    measure_with(graph, top_k, Detail::FULL)
}

/// [`measure`] with less detail, for graphs too large for betweenness (O(n·m)) or for lists of
/// every node: a national graph of millions of nodes is measured in linear time.
pub fn measure_with(graph: &Graph, top_k: usize, detail: Detail) -> NetworkMeasures {
    let n = graph.node_count();
    let m = graph.tie_count();
    let degrees = graph.degrees();
    let betweenness = if detail.betweenness {
        graph.betweenness()
    } else {
        vec![0.0; n]
    };
    let components = graph.components();
    let kind = |i: usize| graph.kind(i);
    let name = |i: usize| graph.node(i).map_or_else(String::new, |x| x.name.clone());

    let count = |k: NodeKind| (0..n).filter(|&i| kind(i) == k).count();
    let groups = count(NodeKind::Group);
    let isolated = (0..n).filter(|&i| kind(i) == NodeKind::Group && degrees[i] == 0);
    let (isolates, isolated_groups): (usize, Vec<String>) = if detail.per_node {
        let ids: Vec<String> = isolated.map(|i| graph.node_id(i).into_owned()).collect();
        (ids.len(), ids)
    } else {
        (isolated.count(), Vec::new())
    };
    let tied_to_institution = (0..n)
        .filter(|&i| {
            kind(i) == NodeKind::Group
                && graph
                    .neighbors(i)
                    .iter()
                    .any(|&j| kind(j as usize) == NodeKind::Institution)
        })
        .count();
    let cross_village_ties = graph
        .ties()
        .filter(|&(a, b)| {
            let village = |i: u32| graph.village(i as usize);
            matches!((village(a), village(b)), (Some(x), Some(y)) if x != y)
        })
        .count();

    let mut ranked: Vec<usize> = (0..n).filter(|&i| betweenness[i] > 0.0).collect();
    ranked.sort_by(|&a, &b| {
        betweenness[b]
            .total_cmp(&betweenness[a])
            .then_with(|| graph.node_id(a).cmp(&graph.node_id(b)))
    });
    let top_brokers = ranked
        .into_iter()
        .take(top_k)
        .map(|i| Broker {
            id: graph.node_id(i).into_owned(),
            name: name(i),
            betweenness: betweenness[i],
        })
        .collect();

    let per_node = (0..n)
        .filter(|_| detail.per_node)
        .map(|i| NodeMeasure {
            id: graph.node_id(i).into_owned(),
            name: name(i),
            kind: kind(i),
            degree: degrees[i],
            betweenness: betweenness[i],
        })
        .collect();

    NetworkMeasures {
        nodes: n,
        groups,
        institutions: count(NodeKind::Institution),
        networks: count(NodeKind::Network),
        ties: m,
        ties_leaving_scope: graph.ties_leaving_scope(),
        density: density(n, m),
        components: components.count,
        largest_component: components.largest,
        isolates,
        isolated_groups,
        degree_mean: if n == 0 {
            0.0
        } else {
            2.0 * m as f64 / n as f64
        },
        degree_max: degrees.iter().copied().max().unwrap_or(0),
        top_brokers,
        share_tied_to_institution: if groups == 0 {
            0.0
        } else {
            tied_to_institution as f64 / groups as f64
        },
        cross_village_ties,
        co_membership_ties: graph.co_membership_ties(),
        per_node,
    }
}

/// `2m / (n (n - 1))`, 0 when `n < 2`.
pub(crate) fn density(n: usize, m: usize) -> f64 {
    if n < 2 {
        0.0
    } else {
        2.0 * m as f64 / (n as f64 * (n - 1) as f64)
    }
}

/// `m`, measured on `graph`, with every actor named as in `anon` (the same graph,
/// [`super::Graph::anonymised`]): brokers, per-node measures and isolated groups keep their
/// numbers under the anonymous ids and names.
pub fn anonymise_measures(graph: &Graph, anon: &Graph, m: &NetworkMeasures) -> NetworkMeasures {
    let index: std::collections::HashMap<&str, usize> = graph
        .nodes()
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let rename = |id: &str| -> (String, String) {
        match index.get(id).and_then(|&i| anon.node(i)) {
            Some(n) => (n.id.clone(), n.name.clone()),
            None => (String::new(), String::new()),
        }
    };
    let mut out = m.clone();
    for b in &mut out.top_brokers {
        (b.id, b.name) = rename(&b.id);
    }
    for p in &mut out.per_node {
        (p.id, p.name) = rename(&p.id);
    }
    for g in &mut out.isolated_groups {
        *g = rename(g).0;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::{actor, group, letters};
    use super::super::{Graph, NodeKind, co_membership_ties};
    use super::*;

    #[test]
    fn counts_density_degree_isolates() {
        // (nodes, ties, ties, density, components, largest, isolated groups, degree mean, max)
        let cases = [
            ("abcde", "ab bc cd de", 4, 0.4, 1, 5, "", 1.6, 2),
            ("abcde", "ab", 1, 0.1, 4, 2, "c d e", 0.4, 1),
            ("abcd", "ab ac ad bc bd cd", 6, 1.0, 1, 4, "", 3.0, 3),
            ("a", "", 0, 0.0, 1, 1, "a", 0.0, 0),
            ("", "", 0, 0.0, 0, 0, "", 0.0, 0),
            ("abc", "ab ab ba aa", 1, 1.0 / 3.0, 2, 2, "c", 2.0 / 3.0, 1),
        ];
        for (ids, ties, m, dens, comps, largest, isolated, mean, max) in cases {
            let r = measure(&letters(ids, ties), 3);
            let label = format!("{ids} {ties}");
            assert_eq!(r.nodes, ids.len(), "{label}");
            assert_eq!(r.ties, m, "{label}");
            assert!((r.density - dens).abs() < 1e-12, "{label}: {}", r.density);
            assert_eq!(
                (r.components, r.largest_component),
                (comps, largest),
                "{label}"
            );
            assert_eq!(r.isolated_groups.join(" "), isolated, "{label}");
            assert_eq!(r.isolates, r.isolated_groups.len(), "{label}");
            assert!((r.degree_mean - mean).abs() < 1e-12, "{label}");
            assert_eq!(r.degree_max, max, "{label}");
        }
    }

    #[test]
    fn top_brokers_ranked_by_betweenness_then_id() {
        // (nodes, ties, top 2 "id=betweenness")
        let cases = [
            ("abcde", "ab bc cd de", "c=0.667 b=0.500"),
            // b and d tie: by id.
            ("edcba", "ab bc cd de", "c=0.667 b=0.500"),
            ("abc", "ab bc ca", ""),
            ("abcd", "ab bc", "b=0.333"),
        ];
        for (ids, ties, want) in cases {
            let r = measure(&letters(ids, ties), 2);
            let got: Vec<String> = r
                .top_brokers
                .iter()
                .map(|b| format!("{}={:.3}", b.id, b.betweenness))
                .collect();
            assert_eq!(got.join(" "), want, "{ids} {ties}");
            assert!(
                r.top_brokers
                    .iter()
                    .all(|b| b.name == format!("Kelompok {}", b.id))
            );
        }
    }

    #[test]
    fn institutions_villages_and_co_membership() {
        let v1 = Some("73.08.21.1003");
        let v2 = Some("73.08.21.2004");
        let nodes = vec![
            group("g1", v1),
            group("g2", v1),
            group("g3", v2),
            group("g4", None),
            actor("i1", NodeKind::Institution),
            actor("w1", NodeKind::Network),
        ];
        let co = co_membership_ties([
            ("nik1", "g1"),
            ("nik1", "g3"),
            ("nik2", "g3"),
            ("nik2", "g1"),
        ]);
        let g = Graph::build_with_co_membership(
            nodes,
            // g1-g2 same village; g2-g3 crosses; g3-g4 has one end without a village;
            // g1 and g3 tied to the institution; one tie leaves the scope.
            [
                ("g1", "g2"),
                ("g2", "g3"),
                ("g3", "g4"),
                ("g1", "i1"),
                ("i1", "g3"),
                ("g4", "x"),
            ],
            co.iter().map(|t| (t.from.as_str(), t.to.as_str())),
        );
        let r = measure(&g, 5);
        assert_eq!((r.groups, r.institutions, r.networks), (4, 1, 1));
        assert_eq!(r.ties, 6);
        assert_eq!(r.ties_leaving_scope, 1);
        // g1-g3 (co-membership, villages differ) and g2-g3.
        assert_eq!(r.cross_village_ties, 2);
        assert_eq!(r.co_membership_ties, 1);
        assert!((r.share_tied_to_institution - 0.5).abs() < 1e-12);
        // The network is the only actor without ties, and it is not a group.
        assert_eq!(r.isolates, 0);
        assert_eq!(r.components, 2);
        assert_eq!(r.per_node[5].kind, NodeKind::Network);
    }

    #[test]
    fn less_detail_keeps_the_linear_measures() {
        let g = letters("abcdef", "ab bc cd");
        let full = measure(&g, 3);
        let light = measure_with(
            &g,
            3,
            Detail {
                betweenness: false,
                per_node: false,
            },
        );
        assert_eq!(light.isolates, 2);
        assert!(light.isolated_groups.is_empty() && light.per_node.is_empty());
        assert!(light.top_brokers.is_empty());
        let strip = |mut r: NetworkMeasures| {
            r.isolated_groups.clear();
            r.per_node.clear();
            r.top_brokers.clear();
            r
        };
        assert_eq!(strip(full), light);
        let no_b = measure_with(
            &g,
            3,
            Detail {
                betweenness: false,
                per_node: true,
            },
        );
        assert_eq!(no_b.isolated_groups, ["e", "f"]);
        assert!(no_b.per_node.iter().all(|x| x.betweenness == 0.0));
    }

    #[test]
    fn json_keys_are_stable() {
        let r = measure(&letters("abc", "ab bc"), 1);
        let v = serde_json::to_value(&r).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut want = vec![
            "nodes",
            "groups",
            "institutions",
            "networks",
            "ties",
            "ties_leaving_scope",
            "density",
            "components",
            "largest_component",
            "isolates",
            "isolated_groups",
            "degree_mean",
            "degree_max",
            "top_brokers",
            "share_tied_to_institution",
            "cross_village_ties",
            "co_membership_ties",
            "per_node",
        ];
        let mut keys = keys;
        keys.sort_unstable();
        want.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(
            v["top_brokers"][0],
            serde_json::json!({"id": "b", "name": "Kelompok b", "betweenness": 1.0})
        );
        assert_eq!(
            v["per_node"][1],
            serde_json::json!({"id": "b", "name": "Kelompok b", "kind": "kelompok", "degree": 2, "betweenness": 1.0})
        );
        let back: NetworkMeasures = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }
}
