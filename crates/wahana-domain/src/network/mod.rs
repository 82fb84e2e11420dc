//! The network (*jejaring*): a scope's actors (groups, support institutions, WKSBM networks) and
//! the ties between them, and the measures over them (`domain.md`, "The network").
//!
//! The graph is undirected and simple: parallel ties count once and a tie to itself is dropped.
//! Its nodes are held at dense `u32` indices in a compressed (CSR) adjacency, so that the
//! national graph (millions of nodes) fits in a few hundred megabytes and is walked in seconds.
//!
//! - [`Graph`]: built from the registry's nodes and ties ([`Graph::build`]) or from bare index
//!   pairs ([`Graph::from_edges`]).
//! - [`Graph::degrees`], [`Graph::components`], [`Graph::betweenness`]: the structural measures.
//! - [`measure`]: everything a report shows, as [`NetworkMeasures`] (JSON with stable keys).
//! - [`to_graphml`] for Gephi, [`layout`] and [`to_svg`] for a drawing.

mod algo;
mod draw;
mod graphml;
mod measure;

pub use algo::Components;
pub use draw::{DRAW_LIMIT, LAYOUT_LIMIT, MAP_DRAW_LIMIT, PLOT_FRAME, layout, to_svg, to_svg_over};
pub use graphml::to_graphml;
pub use measure::{
    Broker, Detail, NetworkMeasures, NodeMeasure, anonymise_measures, measure, measure_with,
};

use crate::codes::{Code, GroupStatus, GroupType, TieType};
use crate::{Group, Institution, Lang, Level, Network, RegionCode, Tie};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// What a node of the network is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NodeKind {
    /// A grassroots group (*kelompok*).
    #[serde(rename = "kelompok")]
    Group,
    /// A support institution (*lembaga*).
    #[serde(rename = "lembaga")]
    Institution,
    /// A WKSBM network (*wahana*).
    #[serde(rename = "wahana")]
    Network,
}

impl NodeKind {
    /// The wire code, as in the instrument's table names.
    pub fn code(self) -> &'static str {
        match self {
            NodeKind::Group => "kelompok",
            NodeKind::Institution => "lembaga",
            NodeKind::Network => "wahana",
        }
    }

    /// The label in the given language.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            NodeKind::Group => lang.pick("Kelompok", "Group"),
            NodeKind::Institution => lang.pick("Lembaga pendukung", "Support institution"),
            NodeKind::Network => lang.pick("Wahana (jejaring)", "WKSBM network"),
        }
    }
}

/// An actor of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    /// For groups only.
    pub group_type: Option<GroupType>,
    /// The desa/kelurahan, when the actor sits in one.
    pub village: Option<RegionCode>,
}

impl Node {
    /// A group as a node; `None` for a dissolved group (*bubar*), which is no longer an actor.
    pub fn group(g: &Group) -> Option<Node> {
        (g.status != GroupStatus::Dissolved).then(|| Node {
            id: g.id.clone(),
            name: g.name.clone(),
            kind: NodeKind::Group,
            group_type: Some(g.group_type),
            village: Some(g.village.clone()),
        })
    }

    /// An institution as a node; its village only when its region is a desa/kelurahan.
    pub fn institution(i: &Institution) -> Node {
        Node {
            id: i.id.clone(),
            name: i.name.clone(),
            kind: NodeKind::Institution,
            group_type: None,
            village: (i.region.level() == Level::Village).then(|| i.region.clone()),
        }
    }

    /// A WKSBM network as a node.
    pub fn network(n: &Network) -> Node {
        Node {
            id: n.id.clone(),
            name: n.name.clone(),
            kind: NodeKind::Network,
            group_type: None,
            village: Some(n.village.clone()),
        }
    }
}

/// What the measures need of an actor whose id and name are not held (a scope of millions of
/// nodes, [`Graph::from_traits`]): 8 bytes against a [`Node`]'s strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeTraits {
    pub kind: NodeKind,
    /// For groups only.
    pub group_type: Option<GroupType>,
    /// The desa/kelurahan, as an index into the villages given with the traits.
    pub village: Option<u32>,
}

/// The undirected simple graph of one scope, in compressed adjacency form.
///
/// Node `i` has neighbours `targets[offsets[i]..offsets[i + 1]]`, sorted and without repeats;
/// every tie is stored in both directions.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// The actors, by index; empty for a graph built with [`Graph::from_edges`] or
    /// [`Graph::from_traits`].
    nodes: Vec<Node>,
    /// The actors' kinds, types and villages, by index, for a graph built with
    /// [`Graph::from_traits`]; empty otherwise.
    traits: Vec<NodeTraits>,
    /// The villages `traits` point into.
    villages: Vec<RegionCode>,
    node_count: usize,
    offsets: Vec<usize>,
    targets: Vec<u32>,
    ties_leaving_scope: usize,
    co_membership_ties: usize,
}

/// The largest node count a graph takes: indices are `u32`.
const MAX_NODES: usize = u32::MAX as usize;

impl Graph {
    /// Builds the graph of `nodes` and the recorded `ties` between them, named by id.
    ///
    /// A node whose id repeats an earlier one is dropped. A tie whose end is not a node is
    /// ignored and counted in [`Graph::ties_leaving_scope`]; a tie to itself is dropped; parallel
    /// ties count once.
    pub fn build<'a>(
        nodes: Vec<Node>,
        ties: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Graph {
        Self::build_with_co_membership(nodes, ties, std::iter::empty())
    }

    /// As [`Graph::build`], plus co-membership ties (*anggota bersama*, see
    /// [`co_membership_ties`]): added as ties and counted in [`Graph::co_membership_ties`].
    /// Co-membership pairs with an end outside the scope are ignored without being counted as
    /// leaving it (they are derived, not recorded).
    pub fn build_with_co_membership<'a, 'b>(
        nodes: Vec<Node>,
        ties: impl IntoIterator<Item = (&'a str, &'a str)>,
        co_membership: impl IntoIterator<Item = (&'b str, &'b str)>,
    ) -> Graph {
        // Dense indices in node order, skipping repeated ids.
        let mut index: HashMap<&str, u32> = HashMap::with_capacity(nodes.len());
        let mut keep = Vec::with_capacity(nodes.len());
        for node in nodes.iter().take(MAX_NODES) {
            let next = index.len() as u32;
            let new = match index.entry(node.id.as_str()) {
                Entry::Vacant(e) => {
                    e.insert(next);
                    true
                }
                Entry::Occupied(_) => false,
            };
            keep.push(new);
        }
        let mut edges = Vec::new();
        let mut leaving = 0;
        for (a, b) in ties {
            match (index.get(a), index.get(b)) {
                (Some(&a), Some(&b)) => edges.push((a, b)),
                _ => leaving += 1,
            }
        }
        let mut co_pairs = Vec::new();
        for (a, b) in co_membership {
            if let (Some(&a), Some(&b)) = (index.get(a), index.get(b))
                && a != b
            {
                co_pairs.push((a.min(b), a.max(b)));
            }
        }
        drop(index);
        let nodes: Vec<Node> = nodes
            .into_iter()
            .zip(keep)
            .filter_map(|(n, k)| k.then_some(n))
            .collect();
        co_pairs.sort_unstable();
        co_pairs.dedup();
        edges.extend_from_slice(&co_pairs);
        let node_count = nodes.len();
        let (offsets, targets) = csr(node_count, &edges);
        Graph {
            nodes,
            traits: Vec::new(),
            villages: Vec::new(),
            node_count,
            offsets,
            targets,
            ties_leaving_scope: leaving,
            co_membership_ties: co_pairs.len(),
        }
    }

    /// Builds the graph of a scope from the registry: its groups that have not dissolved, its
    /// institutions and networks, its recorded ties, and the co-membership ties derived from
    /// `memberships` (`(person_key, group_id)` pairs). Recorded ties of type `anggota_bersama`
    /// count as co-membership ties.
    pub fn from_registry(
        groups: &[Group],
        institutions: &[Institution],
        networks: &[Network],
        ties: &[Tie],
        memberships: &[(String, String)],
    ) -> Graph {
        let nodes = groups
            .iter()
            .filter_map(Node::group)
            .chain(institutions.iter().map(Node::institution))
            .chain(networks.iter().map(Node::network))
            .collect();
        let derived = co_membership_ties(memberships.iter().map(|(p, g)| (p.as_str(), g.as_str())));
        let (shared, recorded): (Vec<&Tie>, Vec<&Tie>) = ties
            .iter()
            .partition(|t| t.tie_type == TieType::SharedMembers);
        Self::build_with_co_membership(
            nodes,
            recorded.iter().map(|t| (t.from.as_str(), t.to.as_str())),
            shared
                .iter()
                .copied()
                .chain(derived.iter())
                .map(|t| (t.from.as_str(), t.to.as_str())),
        )
    }

    /// Builds an anonymous graph over nodes `0..n` from index pairs: the fast path for large
    /// graphs and for tests. For a national graph, prefer this with the store's integer keys to
    /// [`Graph::build`]: resolving millions of string ids through a hash map costs far more than
    /// the graph algorithms themselves. Pairs naming a node `>= n` are ignored, as are self-ties; parallel
    /// pairs count once. `n` is capped at `u32::MAX`.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Graph {
        let n = n.min(MAX_NODES);
        let (offsets, targets) = csr(n, edges);
        Graph {
            nodes: Vec::new(),
            traits: Vec::new(),
            villages: Vec::new(),
            node_count: n,
            offsets,
            targets,
            ties_leaving_scope: 0,
            co_membership_ties: 0,
        }
    }

    /// Builds the graph of `nodes` from ties already given as index pairs into `nodes`: the
    /// path for a scope loaded from the store with its ids mapped to dense indices while
    /// streaming. Ids are not looked at (a large scope may leave them empty to save memory).
    /// Pairs naming a node out of range and self-ties are ignored; parallel pairs count once.
    /// `ties_leaving_scope` and `co_membership_ties` are the caller's counts, reported as given.
    pub fn from_indexed(
        nodes: Vec<Node>,
        edges: &[(u32, u32)],
        ties_leaving_scope: usize,
        co_membership_ties: usize,
    ) -> Graph {
        let mut nodes = nodes;
        nodes.truncate(MAX_NODES);
        let node_count = nodes.len();
        let (offsets, targets) = csr(node_count, edges);
        Graph {
            nodes,
            traits: Vec::new(),
            villages: Vec::new(),
            node_count,
            offsets,
            targets,
            ties_leaving_scope,
            co_membership_ties,
        }
    }

    /// Builds the graph of a scope too large to hold its actors' ids and names: each node's
    /// kind, group type and village (an index into `villages`) only, with ties given as index
    /// pairs as in [`Graph::from_indexed`]. The measures are those of the same graph built with
    /// [`Graph::from_indexed`]; [`Graph::node`] is `None` and [`Graph::node_id`] the index.
    pub fn from_traits(
        traits: Vec<NodeTraits>,
        villages: Vec<RegionCode>,
        edges: &[(u32, u32)],
        ties_leaving_scope: usize,
        co_membership_ties: usize,
    ) -> Graph {
        let mut traits = traits;
        traits.truncate(MAX_NODES);
        let node_count = traits.len();
        let (offsets, targets) = csr(node_count, edges);
        Graph {
            nodes: Vec::new(),
            traits,
            villages,
            node_count,
            offsets,
            targets,
            ties_leaving_scope,
            co_membership_ties,
        }
    }

    /// The kind of node `i` (a group for an anonymous graph).
    pub fn kind(&self, i: usize) -> NodeKind {
        match (self.nodes.get(i), self.traits.get(i)) {
            (Some(n), _) => n.kind,
            (None, Some(t)) => t.kind,
            (None, None) => NodeKind::Group,
        }
    }

    /// The group type of node `i`, for a group whose type is known.
    pub fn group_type(&self, i: usize) -> Option<GroupType> {
        match (self.nodes.get(i), self.traits.get(i)) {
            (Some(n), _) => n.group_type,
            (None, Some(t)) => t.group_type,
            (None, None) => None,
        }
    }

    /// The desa/kelurahan node `i` sits in, when known.
    pub fn village(&self, i: usize) -> Option<&RegionCode> {
        match (self.nodes.get(i), self.traits.get(i)) {
            (Some(n), _) => n.village.as_ref(),
            (None, Some(t)) => t.village.and_then(|v| self.villages.get(v as usize)),
            (None, None) => None,
        }
    }

    /// Whether the graph knows its nodes' kinds (built from actors, not from bare pairs).
    pub fn has_kinds(&self) -> bool {
        self.node_count == 0 || !self.nodes.is_empty() || !self.traits.is_empty()
    }

    /// The number of nodes.
    pub fn node_count(&self) -> usize {
        self.node_count
    }

    /// The number of distinct ties between distinct nodes of the scope.
    pub fn tie_count(&self) -> usize {
        self.targets.len() / 2
    }

    /// The same graph with every actor's id and name replaced by its kind or group type and a
    /// number in node order (`kelompok-12`, "Arisan 12"), for views that show no records: the
    /// shape, kinds, group types and villages stay, so measures and drawings are unchanged.
    pub fn anonymised(&self, lang: crate::Lang) -> Graph {
        let mut g = self.clone();
        for (i, n) in g.nodes.iter_mut().enumerate() {
            let label = match n.group_type {
                Some(t) => t.label(lang),
                None => match n.kind {
                    NodeKind::Group => lang.pick("Kelompok", "Group"),
                    NodeKind::Institution => lang.pick("Lembaga", "Institution"),
                    NodeKind::Network => lang.pick("Wahana", "Network"),
                },
            };
            n.id = format!("{}-{}", NodeKind::code(n.kind), i + 1);
            n.name = format!("{label} {}", i + 1);
        }
        g
    }

    /// The actors by index; empty for an anonymous graph ([`Graph::from_edges`]).
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The actor at index `i`, if the graph has actors.
    pub fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    /// The id of node `i`: the actor's id, or the index itself for an anonymous graph.
    pub fn node_id(&self, i: usize) -> Cow<'_, str> {
        match self.nodes.get(i) {
            Some(n) => Cow::Borrowed(n.id.as_str()),
            None => Cow::Owned(i.to_string()),
        }
    }

    /// The index of the node with this id (a linear scan).
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.id == id)
    }

    /// The neighbours of node `i`, ascending; empty for an index out of range.
    pub fn neighbors(&self, i: usize) -> &[u32] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&s), Some(&e)) => &self.targets[s..e],
            _ => &[],
        }
    }

    /// Each tie once, as `(a, b)` with `a < b`, in ascending order.
    pub fn ties(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.node_count).flat_map(move |a| {
            self.neighbors(a)
                .iter()
                .filter(move |&&b| (b as usize) > a)
                .map(move |&b| (a as u32, b))
        })
    }

    /// Recorded ties ignored because an end is not a node of the scope (another scope's actor,
    /// a dissolved group, or an unknown id).
    pub fn ties_leaving_scope(&self) -> usize {
        self.ties_leaving_scope
    }

    /// Distinct co-membership ties (*anggota bersama*) inside the scope.
    pub fn co_membership_ties(&self) -> usize {
        self.co_membership_ties
    }

    /// Bytes held by the adjacency (not counting the actors' names and ids).
    pub fn adjacency_bytes(&self) -> usize {
        self.offsets.capacity() * std::mem::size_of::<usize>()
            + self.targets.capacity() * std::mem::size_of::<u32>()
    }
}

/// The compressed adjacency of an undirected simple graph over `0..n`: both directions of each
/// pair, self-pairs and out-of-range pairs dropped, each list sorted and without repeats.
fn csr(n: usize, edges: &[(u32, u32)]) -> (Vec<usize>, Vec<u32>) {
    let valid = |a: u32, b: u32| a != b && (a as usize) < n && (b as usize) < n;
    // offsets[i] first counts i's ends, then (summed) marks where i's list ends; filling
    // backwards from there leaves it marking where the list starts.
    let mut offsets = vec![0usize; n + 1];
    for &(a, b) in edges {
        if valid(a, b) {
            offsets[a as usize] += 1;
            offsets[b as usize] += 1;
        }
    }
    let mut total = 0;
    for o in offsets.iter_mut().take(n) {
        total += *o;
        *o = total;
    }
    offsets[n] = total;
    let mut targets = vec![0u32; total];
    for &(a, b) in edges {
        if valid(a, b) {
            offsets[a as usize] -= 1;
            targets[offsets[a as usize]] = b;
            offsets[b as usize] -= 1;
            targets[offsets[b as usize]] = a;
        }
    }
    // Sort each list and drop repeats, compacting in place.
    let mut write = 0;
    for i in 0..n {
        let (start, end) = (offsets[i], offsets[i + 1]);
        offsets[i] = write;
        let list = &mut targets[start..end];
        list.sort_unstable();
        let mut last = None;
        for k in start..end {
            let t = targets[k];
            if last != Some(t) {
                targets[write] = t;
                write += 1;
                last = Some(t);
            }
        }
    }
    offsets[n] = write;
    if write < targets.len() {
        targets.truncate(write);
        targets.shrink_to_fit();
    }
    (offsets, targets)
}

/// The co-membership ties (*anggota bersama*) implied by member lists: two groups that share a
/// member or a leader are tied. `memberships` are `(person_key, group_id)` pairs; the person key
/// is whatever identifies a person across groups (NIK, or a normalised name and birth date) and
/// an empty key is skipped. Each pair of groups comes once, `from < to`, sorted.
pub fn co_membership_ties<'a>(
    memberships: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<Tie> {
    let mut m: Vec<(&str, &str)> = memberships
        .into_iter()
        .filter(|(p, _)| !p.is_empty())
        .collect();
    m.sort_unstable();
    m.dedup();
    let mut pairs = Vec::new();
    for person in m.chunk_by(|a, b| a.0 == b.0) {
        for (i, &(_, a)) in person.iter().enumerate() {
            for &(_, b) in &person[i + 1..] {
                // Sorted and deduplicated: a < b.
                pairs.push((a, b));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|(a, b)| Tie {
            from: a.to_owned(),
            to: b.to_owned(),
            tie_type: TieType::SharedMembers,
            since: None,
            notes: None,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A group node in village `village` (None: no village).
    pub(crate) fn group(id: &str, village: Option<&str>) -> Node {
        Node {
            id: id.to_owned(),
            name: format!("Kelompok {id}"),
            kind: NodeKind::Group,
            group_type: Some(GroupType::Arisan),
            village: village.map(|v| RegionCode::parse(v).unwrap()),
        }
    }

    pub(crate) fn actor(id: &str, kind: NodeKind) -> Node {
        Node {
            id: id.to_owned(),
            name: format!("{kind:?} {id}"),
            kind,
            group_type: (kind == NodeKind::Group).then_some(GroupType::Posyandu),
            village: None,
        }
    }

    /// Groups named by the letters of `ids`, tied as `ties` says ("ab bc").
    pub(crate) fn letters(ids: &str, ties: &str) -> Graph {
        let nodes = ids.chars().map(|c| group(&c.to_string(), None)).collect();
        let pairs: Vec<(String, String)> = ties
            .split_whitespace()
            .map(|t| {
                let mut c = t.chars();
                (c.next().unwrap().to_string(), c.next().unwrap().to_string())
            })
            .collect();
        Graph::build(nodes, pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())))
    }

    fn adjacency(g: &Graph) -> String {
        (0..g.node_count())
            .map(|i| {
                let n: String = g
                    .neighbors(i)
                    .iter()
                    .map(|&j| g.node_id(j as usize).into_owned())
                    .collect();
                format!("{}:{n}", g.node_id(i))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn build_drops_parallel_self_and_outside_ties() {
        // (nodes, ties, adjacency, tie count, leaving the scope)
        let cases = [
            ("abc", "ab ba ab bc", "a:b b:ac c:b", 2, 0),
            ("abc", "aa ab bb", "a:b b:a c:", 1, 0),
            ("ab", "ax xy ab", "a:b b:a", 1, 2),
            ("aab", "ab", "a:b b:a", 1, 0),
            ("", "ab", "", 0, 1),
            ("abcd", "da ca ba", "a:bcd b:a c:a d:a", 3, 0),
        ];
        for (ids, ties, adj, m, leaving) in cases {
            let g = letters(ids, ties);
            assert_eq!(adjacency(&g), adj, "{ids} {ties}");
            assert_eq!(g.tie_count(), m, "{ids} {ties}");
            assert_eq!(g.ties_leaving_scope(), leaving, "{ids} {ties}");
        }
    }

    #[test]
    fn anonymised_keeps_the_shape_and_hides_who_is_who() {
        let g = letters("abcd", "ab bc bd");
        let anon = g.anonymised(Lang::En);
        assert_eq!(
            adjacency(&anon),
            "kelompok-1:kelompok-2 kelompok-2:kelompok-1kelompok-3kelompok-4 kelompok-3:kelompok-2 kelompok-4:kelompok-2"
        );
        assert_eq!(anon.node(1).unwrap().name, "Rotating savings group 2");
        let m = measure(&g, 2);
        let am = anonymise_measures(&g, &anon, &m);
        assert_eq!(am.top_brokers[0].id, "kelompok-2");
        assert_eq!(am.top_brokers[0].name, "Rotating savings group 2");
        assert_eq!(am.top_brokers[0].betweenness, m.top_brokers[0].betweenness);
        assert_eq!(
            (am.nodes, am.ties, am.density),
            (m.nodes, m.ties, m.density)
        );
        assert!(!format!("{am:?}").contains("Kelompok b"));
    }

    #[test]
    fn from_edges_matches_build() {
        let g = Graph::from_edges(4, &[(0, 1), (1, 0), (2, 2), (3, 1), (1, 9)]);
        assert_eq!(adjacency(&g), "0:1 1:03 2: 3:1");
        assert_eq!(g.ties().collect::<Vec<_>>(), [(0, 1), (1, 3)]);
        assert_eq!(Graph::from_edges(0, &[(0, 1)]).tie_count(), 0);
    }

    #[test]
    fn from_indexed_matches_build() {
        let nodes: Vec<Node> = "abcd"
            .chars()
            .map(|c| group(&c.to_string(), None))
            .collect();
        let g = Graph::from_indexed(nodes, &[(0, 1), (1, 0), (2, 2), (3, 1), (1, 9)], 4, 1);
        assert_eq!(adjacency(&g), "a:b b:ad c: d:b");
        assert_eq!(
            (
                g.tie_count(),
                g.ties_leaving_scope(),
                g.co_membership_ties()
            ),
            (2, 4, 1)
        );
        assert_eq!(g.node(3).unwrap().id, "d");
    }

    #[test]
    fn from_traits_measures_as_from_indexed() {
        // Groups in two villages, an institution in none, a network: kinds, types and
        // villages held as traits give the same measures as the nodes themselves.
        let mut nodes = vec![
            group("a", Some("73.08.21.1001")),
            group("b", Some("73.08.21.1001")),
            group("c", Some("73.08.21.1002")),
            actor("l", NodeKind::Institution),
            actor("w", NodeKind::Network),
            group("d", None),
        ];
        nodes[1].group_type = Some(GroupType::Posyandu);
        let edges = [(0, 1), (1, 2), (2, 3), (3, 0), (4, 2), (1, 0), (5, 5)];
        let mut villages: Vec<RegionCode> = Vec::new();
        let traits: Vec<NodeTraits> = nodes
            .iter()
            .map(|n| NodeTraits {
                kind: n.kind,
                group_type: n.group_type,
                village: n
                    .village
                    .as_ref()
                    .map(|v| match villages.iter().position(|x| x == v) {
                        Some(k) => k as u32,
                        None => {
                            villages.push(v.clone());
                            villages.len() as u32 - 1
                        }
                    }),
            })
            .collect();
        let full = Graph::from_indexed(nodes.clone(), &edges, 3, 1);
        let light = Graph::from_traits(traits, villages, &edges, 3, 1);
        let detail = Detail {
            betweenness: false,
            per_node: false,
        };
        assert_eq!(
            measure_with(&light, 5, detail),
            measure_with(&full, 5, detail)
        );
        let m = measure_with(&light, 5, detail);
        assert_eq!((m.groups, m.institutions, m.networks), (4, 1, 1));
        assert_eq!(m.cross_village_ties, 1);
        for (i, n) in nodes.iter().enumerate() {
            assert_eq!(light.kind(i), n.kind);
            assert_eq!(light.group_type(i), n.group_type);
            assert_eq!(light.village(i), n.village.as_ref());
            assert!(light.node(i).is_none());
        }
        assert!(light.has_kinds() && !Graph::from_edges(2, &[]).has_kinds());
    }

    #[test]
    fn from_registry_leaves_out_dissolved_groups() {
        use crate::{Context, Date, RegionTree};
        let ctx = Context {
            regions: RegionTree::official(),
            today: Date::new(2026, 11, 29).unwrap(),
            wave_date: None,
        };
        let fields = |extra: &[(&'static str, &'static str)]| {
            let mut m: HashMap<&str, &str> = HashMap::from([
                ("kode_wilayah", "7308211003"),
                ("nama", "Arisan Jeppe'e"),
                ("jenis", "arisan"),
                ("asal", "tumbuh_masyarakat"),
                ("tahun_berdiri", "1990"),
                ("tanggal_pendataan", "14/08/2007"),
                ("jenis_lembaga", "puskesmas"),
            ]);
            m.extend(extra.iter().copied());
            m
        };
        let group = |id: &'static str, status: &'static str| {
            let m = fields(&[("id", id), ("status", status)]);
            Group::from_fields(|k| m.get(k).copied(), || unreachable!(), &ctx).unwrap()
        };
        let groups = [
            group("K1", "aktif"),
            group("K2", "tidak_aktif"),
            group("K3", "bubar"),
        ];
        let m = fields(&[("id", "L1"), ("kode_wilayah", "730821")]);
        let institution =
            Institution::from_fields(|k| m.get(k).copied(), || unreachable!(), &ctx).unwrap();
        let m = fields(&[("id", "W1")]);
        let network = Network::from_fields(|k| m.get(k).copied(), || unreachable!(), &ctx).unwrap();
        let tie = |a: &str, b: &str, t: TieType| Tie {
            from: a.to_owned(),
            to: b.to_owned(),
            tie_type: t,
            since: None,
            notes: None,
        };
        let ties = [
            tie("K1", "L1", TieType::Guidance),
            tie("K2", "K3", TieType::Coordination),
            tie("K1", "W1", TieType::Coordination),
            tie("K1", "K2", TieType::SharedMembers),
        ];
        let memberships = [
            ("p1".to_owned(), "K2".to_owned()),
            ("p1".to_owned(), "K1".to_owned()),
        ];
        let g = Graph::from_registry(&groups, &[institution], &[network], &ties, &memberships);
        let ids: Vec<&str> = g.nodes().iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["K1", "K2", "L1", "W1"]);
        // The institution sits in a kecamatan, not a village.
        assert_eq!(g.node(2).unwrap().village, None);
        assert_eq!(
            g.node(0).unwrap().village.as_ref().unwrap().as_str(),
            "73.08.21.1003"
        );
        assert_eq!(g.tie_count(), 3);
        assert_eq!(g.ties_leaving_scope(), 1);
        assert_eq!(g.co_membership_ties(), 1);
    }

    #[test]
    fn co_membership_pairs() {
        // (memberships "person:group ...", ties "from-to ...")
        let cases = [
            ("p:a p:b", "a-b"),
            ("p:a p:b q:b q:a", "a-b"),
            ("p:a p:b p:c", "a-b a-c b-c"),
            ("p:a p:a q:b", ""),
            (":a :b", ""),
            ("p:c q:a p:b q:c", "a-c b-c"),
        ];
        for (memberships, want) in cases {
            let m: Vec<(&str, &str)> = memberships
                .split_whitespace()
                .map(|x| x.split_once(':').unwrap())
                .collect();
            let ties = co_membership_ties(m);
            let got: Vec<String> = ties
                .iter()
                .map(|t| format!("{}-{}", t.from, t.to))
                .collect();
            assert_eq!(got.join(" "), want, "{memberships}");
            assert!(ties.iter().all(|t| t.tie_type == TieType::SharedMembers));
        }
    }

    #[test]
    fn co_membership_ties_are_added_once() {
        let nodes = "abc".chars().map(|c| group(&c.to_string(), None)).collect();
        let co = co_membership_ties([("p", "a"), ("p", "b"), ("q", "a"), ("q", "z")]);
        let g = Graph::build_with_co_membership(
            nodes,
            [("a", "b"), ("b", "c")],
            co.iter().map(|t| (t.from.as_str(), t.to.as_str())),
        );
        assert_eq!(g.tie_count(), 2);
        assert_eq!(g.co_membership_ties(), 1);
        assert_eq!(g.ties_leaving_scope(), 0);
    }
}
