//! The network (*jejaring*) of a scope: one WKSBM network, a village, a kecamatan or larger, up
//! to all of Indonesia. Built from the store, measured and drawn by `wahana_domain::network`.
//! The same functions serve `wahana network`, the network page and the profile report.
//!
//! What the graph is (`domain.md`, "The network"): undirected and simple (parallel ties count
//! once, a tie to itself is dropped); its nodes are the scope's groups that have not dissolved,
//! its institutions and its networks. Its ties are
//! - the recorded ties (`ikatan`) between two of them (a tie with an end outside the scope is
//!   left out and counted in `ties_leaving_scope`);
//! - membership by name: a group whose `wahana` column names a network of its own village (up to
//!   case, spaces, apostrophes, dashes and dots) is tied to it (as `koordinasi`) when no tie
//!   between the two is recorded (counted in `implied_membership_ties`);
//! - co-membership (*anggota bersama*): two groups sharing a member or a leader (the same person
//!   key in their member lists, `wahana members`), and recorded ties of type `anggota_bersama`.
//!
//! Without a wave, every record held in the scope counts (a group is held in one wave only);
//! with one, only the groups, institutions, networks and ties of that wave.
//!
//! Size: a scope of up to [`DETAIL_LIMIT`] nodes keeps every actor's id and name and lists
//! every node; betweenness (O(n·m)) is computed up to [`BETWEENNESS_LIMIT`] nodes and skipped
//! above, which the result states (`betweenness_computed`). Larger scopes (a province, the
//! country) are measured in linear time from ids mapped to dense integers while streaming, each
//! node held as its kind, type and village index ([`NodeTraits`]); ids are kept in one buffer
//! while loading, not as a string per node, and the groups' names are read only for a graph
//! that lists its nodes. One network's own graph is listed whatever the size of its scope.

use super::ServiceError;
use super::screening::Scope;
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::Serialize;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::time::Instant;
use wahana_domain::RegionCode;
use wahana_domain::codes::{GroupType, TieType};
use wahana_domain::network::{
    DRAW_LIMIT, Detail, Graph, NetworkMeasures, Node, NodeKind, NodeTraits, anonymise_measures,
    layout, measure_with, to_graphml, to_svg,
};
use wahana_domain::region::{name_key, name_key_chars};
use wahana_domain::{FieldError, Lang};
use wahana_store::Store;

/// Above this many nodes a scope is held without ids and names, and measured without per-node
/// lists, top brokers, GraphML or a drawing.
pub const DETAIL_LIMIT: usize = 100_000;
/// Above this many nodes betweenness is not computed (a kabupaten of 20,000 nodes takes
/// seconds; a province of 400,000 would take hours).
pub const BETWEENNESS_LIMIT: usize = 20_000;
/// How many brokers are named.
pub const TOP_BROKERS: usize = 10;

/// Which network to build.
#[derive(Debug, Clone)]
pub struct ScopeRequest {
    /// A region of any level, or the whole country.
    pub scope: Scope,
    /// One WKSBM network's own graph (the network and the actors tied to it, or naming it, with
    /// the ties among them), inside `scope`.
    pub network: Option<String>,
    /// One wave, or every record held.
    pub wave: Option<String>,
}

/// The graph of a scope, with what the measures do not say about how it was built.
#[derive(Debug, Clone)]
pub struct ScopeGraph {
    pub request: ScopeRequest,
    pub graph: Graph,
    /// Ties added from groups' `wahana` column (no tie between the two was recorded).
    pub implied_membership_ties: usize,
    /// Whether nodes carry their ids and names (at most [`DETAIL_LIMIT`] nodes).
    pub detailed: bool,
    /// Seconds spent reading the store and building the graph.
    pub load_seconds: f64,
}

/// The measures of a scope. JSON: the scope, then the keys of [`NetworkMeasures`] (`nodes`,
/// `ties`, `density`, `components`, `largest_component`, `isolates`, `degree_mean`,
/// `degree_max`, `top_brokers`, `share_tied_to_institution`, `cross_village_ties`, `per_node`,
/// ...), then how the graph was built and measured. The keys are stable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeMeasures {
    /// The region code, or `nasional`.
    pub scope: String,
    pub scope_name: String,
    /// The network id when one network's own graph was measured.
    pub network: Option<String>,
    pub wave: Option<String>,
    #[serde(flatten)]
    pub measures: NetworkMeasures,
    pub implied_membership_ties: usize,
    /// False when betweenness was skipped (above [`BETWEENNESS_LIMIT`] nodes, or asked):
    /// `top_brokers` is then empty and every node's betweenness 0.
    pub betweenness_computed: bool,
    /// False above [`DETAIL_LIMIT`] nodes: `per_node` and `isolated_groups` are then empty.
    pub per_node_listed: bool,
    /// Seconds spent measuring (not part of the stable keys' meaning; for benchmarks).
    #[serde(skip)]
    pub measure_seconds: f64,
}

/// A drawing of a scope's network, with its measures.
#[derive(Debug, Clone)]
pub struct ScopeDrawing {
    /// A self-contained SVG document: the network laid out on the server (force-directed,
    /// deterministic for the same data) up to [`DRAW_LIMIT`] nodes, a summary picture above.
    pub svg: String,
    pub measures: ScopeMeasures,
}

/// Builds the graph of a scope from the store (see the module documentation for what it holds).
/// Refuses an unknown network, or one outside the scope.
pub async fn scope_graph(store: &Store, req: &ScopeRequest) -> Result<ScopeGraph, ServiceError> {
    let started = Instant::now();
    let region = req.scope.code();
    if let Some(id) = &req.network {
        let n = store
            .actor::<wahana_domain::Network>(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound {
                kind: "wahana",
                id: id.clone(),
            })?;
        if let Some(r) = region
            && !n.record.village.as_str().starts_with(r.as_str())
        {
            return Err(ServiceError::Invalid(vec![FieldError::new(
                "wahana",
                id.as_str(),
                format!(
                    "wahana di dalam wilayah {r} (wahana ini di {})",
                    n.record.village
                ),
                format!(
                    "a network inside region {r} (this one is in {})",
                    n.record.village
                ),
            )]));
        }
    }
    if let Some(w) = &req.wave
        && store.wave(w).await?.is_none()
    {
        return Err(ServiceError::NotFound {
            kind: "pendataan",
            id: w.clone(),
        });
    }
    let wave = req.wave.as_deref();
    let mut b = Builder::default();

    // Networks first, so that groups naming one can be tied to it as they stream past.
    let mut networks_by_name: HashMap<String, (String, u32)> = HashMap::new();
    store
        .for_each_scope_network(region, wave, |node| {
            let village = node.village.as_ref().map_or("", |v| v.as_str());
            let key = format!("{village}|{}", name_key(&node.name));
            if let Some(i) = b.add_node(&node) {
                // Two networks of one village with the same name: the lowest id.
                match networks_by_name.get(&key) {
                    Some((held, _)) if *held <= node.id => {}
                    _ => {
                        networks_by_name.insert(key, (node.id, i));
                    }
                }
            }
        })
        .await?;
    store
        .for_each_scope_institution(region, wave, |node| {
            b.add_node(&node);
        })
        .await?;
    let mut implied: Vec<(u32, u32)> = Vec::new();
    let mut key = String::new();
    // The last group's village and network name, and the network they name: a village's groups
    // come together and mostly name the same network.
    let mut last: (Option<RegionCode>, String, Option<u32>) = (None, String::new(), None);
    store
        .for_each_scope_group(region, wave, |g| {
            // The `village|name` key of the network the group names.
            let named = g.network.and_then(|name| {
                if last.0.as_ref() == Some(g.village) && last.1 == name {
                    return last.2;
                }
                key.clear();
                key.push_str(g.village.as_str());
                key.push('|');
                key.extend(name_key_chars(name));
                let w = networks_by_name.get(&key).map(|&(_, w)| w);
                if last.0.as_ref() != Some(g.village) {
                    last.0 = Some(g.village.clone());
                }
                last.1.clear();
                last.1.push_str(name);
                last.2 = w;
                w
            });
            let Some(i) = b.add(
                g.id,
                "",
                NodeKind::Group,
                Some(g.group_type),
                Some(g.village),
            ) else {
                return;
            };
            if let Some(w) = named {
                implied.push((i.min(w), i.max(w)));
            }
        })
        .await?;
    drop(networks_by_name);

    let mut recorded: Vec<(u32, u32)> = Vec::new();
    let mut co: Vec<(u32, u32)> = Vec::new();
    let mut leaving = 0usize;
    // Ties come in order of their first end (SQLite's unique index): look it up once a run.
    let mut last_from: (String, Option<u32>) = (String::new(), None);
    store
        .for_each_scope_tie(region, wave, |from, to, tie_type| {
            if from != last_from.0 || last_from.0.is_empty() {
                last_from.0.clear();
                last_from.0.push_str(from);
                last_from.1 = b.ids.get(from);
            }
            match (last_from.1, b.ids.get(to)) {
                (Some(a), Some(c)) if a != c => {
                    let pair = (a.min(c), a.max(c));
                    if tie_type == TieType::SharedMembers {
                        co.push(pair);
                    }
                    recorded.push(pair);
                }
                (Some(_), Some(_)) => {}
                _ => leaving += 1,
            }
        })
        .await?;

    // Co-membership from member lists: every pair of groups sharing a person key.
    let mut person = String::new();
    let mut groups_of_person: Vec<u32> = Vec::new();
    let flush = |groups: &mut Vec<u32>, co: &mut Vec<(u32, u32)>| {
        groups.sort_unstable();
        groups.dedup();
        for (k, &a) in groups.iter().enumerate() {
            for &c in &groups[k + 1..] {
                co.push((a, c));
            }
        }
        groups.clear();
    };
    store
        .for_each_membership(region, wave, |p, g| {
            if p != person {
                flush(&mut groups_of_person, &mut co);
                person = p;
            }
            if let Some(i) = b.ids.get(&g) {
                groups_of_person.push(i);
            }
        })
        .await?;
    flush(&mut groups_of_person, &mut co);
    co.sort_unstable();
    co.dedup();

    // Membership by name counts where no tie between the two is recorded.
    recorded.sort_unstable();
    recorded.dedup();
    implied.sort_unstable();
    implied.dedup();
    // Both sorted: one walk along `recorded`.
    let mut r = recorded.iter().peekable();
    implied.retain(|p| {
        while r.next_if(|q| *q < p).is_some() {}
        r.peek() != Some(&p)
    });

    let mut edges = recorded;
    edges.extend_from_slice(&implied);
    edges.extend_from_slice(&co);

    let n = b.traits.len();
    // One network's own graph: the network and the actors tied to it (none when the network
    // is not a node of the scope).
    let ego_keep: Option<Vec<bool>> = req.network.as_ref().map(|id| {
        let mut keep = vec![false; n];
        if let Some(centre) = b.ids.get(id) {
            keep[centre as usize] = true;
            for &(a, c) in &edges {
                if a == centre {
                    keep[c as usize] = true;
                } else if c == centre {
                    keep[a as usize] = true;
                }
            }
        }
        keep
    });
    // The groups' names, read only for a graph that lists its nodes.
    let listed = |i: u32| ego_keep.as_ref().is_none_or(|k| k[i as usize]);
    if ego_keep
        .as_ref()
        .map_or(n <= DETAIL_LIMIT, |k| k.contains(&true))
    {
        let Builder {
            ids,
            traits,
            group_names,
            ..
        } = &mut b;
        store
            .for_each_scope_group_name(region, wave, |id, name| {
                if let Some(i) = ids.get(id)
                    && traits[i as usize].kind == NodeKind::Group
                    && listed(i)
                {
                    group_names.insert(i, name.to_string());
                }
            })
            .await?;
    }

    let (graph, implied_count, detailed) = match ego_keep {
        None if n <= DETAIL_LIMIT => {
            // A stable node order whatever order the database returned the rows in.
            let order = b.sorted((0..n as u32).collect());
            let new_of = inverse(&order, n);
            for p in edges.iter_mut() {
                let (a, c) = (new_of[p.0 as usize], new_of[p.1 as usize]);
                *p = (a.min(c), a.max(c));
            }
            let nodes = order.iter().map(|&i| b.node(i)).collect();
            (
                Graph::from_indexed(nodes, &edges, leaving, co.len()),
                implied.len(),
                true,
            )
        }
        None => {
            let Builder {
                ids,
                names,
                traits,
                villages,
                ..
            } = b;
            // The ids and names are not kept above DETAIL_LIMIT nodes.
            drop((ids, names));
            (
                Graph::from_traits(traits, villages, &edges, leaving, co.len()),
                implied.len(),
                false,
            )
        }
        Some(keep) => {
            let (graph, implied) = ego(&b, &keep, &edges, &co, &implied);
            let detailed = graph.node_count() <= DETAIL_LIMIT;
            (graph, implied, detailed)
        }
    };
    Ok(ScopeGraph {
        request: req.clone(),
        graph,
        implied_membership_ties: implied_count,
        detailed,
        load_seconds: started.elapsed().as_secs_f64(),
    })
}

/// Where each of `order`'s indices (a permutation of `0..n`) goes.
fn inverse(order: &[u32], n: usize) -> Vec<u32> {
    let mut new_of = vec![0u32; n];
    for (new, &old) in order.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    new_of
}

/// One network's own graph: the network and the actors tied to it (`keep`), and the ties among
/// them. Ties from them to anyone else count as leaving it. The nodes come in the order of a
/// detailed scope's (kind, then id).
fn ego(
    b: &Builder,
    keep: &[bool],
    edges: &[(u32, u32)],
    co: &[(u32, u32)],
    implied: &[(u32, u32)],
) -> (Graph, usize) {
    if !keep.contains(&true) {
        return (Graph::from_indexed(Vec::new(), &[], 0, 0), 0);
    }
    let n = keep.len();
    let kept = b.sorted((0..n as u32).filter(|&i| keep[i as usize]).collect());
    let mut new_of = vec![u32::MAX; n];
    for (new, &old) in kept.iter().enumerate() {
        new_of[old as usize] = new as u32;
    }
    let nodes: Vec<Node> = kept.iter().map(|&i| b.node(i)).collect();
    let inside = |&(a, c): &(u32, u32)| keep[a as usize] && keep[c as usize];
    let map = |&(a, c): &(u32, u32)| {
        let (a, c) = (new_of[a as usize], new_of[c as usize]);
        (a.min(c), a.max(c))
    };
    let mut distinct: Vec<(u32, u32)> = edges.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let leaving = distinct
        .iter()
        .filter(|&&(a, c)| keep[a as usize] != keep[c as usize])
        .count();
    let sub: Vec<(u32, u32)> = distinct.iter().filter(|p| inside(p)).map(map).collect();
    let co_inside = co.iter().filter(|p| inside(p)).count();
    let implied_inside = implied.iter().filter(|p| inside(p)).count();
    (
        Graph::from_indexed(nodes, &sub, leaving, co_inside),
        implied_inside,
    )
}

/// Strings in one buffer, the `i`th at `text[ends[i - 1]..ends[i]]`: millions of ids or names
/// without an allocation each.
#[derive(Default)]
struct Arena {
    text: String,
    ends: Vec<u32>,
}

impl Arena {
    /// Appends `s`; `false` when the buffer would pass 4 GiB.
    fn push(&mut self, s: &str) -> bool {
        match u32::try_from(self.text.len() + s.len()) {
            Ok(end) => {
                self.text.push_str(s);
                self.ends.push(end);
                true
            }
            Err(_) => false,
        }
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// Ids mapped to dense node indices: the ids in an [`Arena`] in index order, and a hash table
/// of `(index, hash)` (8 bytes an entry) that compares against the arena only when the hashes
/// agree, and grows without reading the ids again.
#[derive(Default)]
struct Ids {
    arena: Arena,
    table: hashbrown::HashTable<(u32, u32)>,
}

impl Ids {
    /// A 32-bit hash of an id (FxHash folded).
    fn hash(s: &str) -> u32 {
        let h = FxBuildHasher.hash_one(s);
        (h ^ (h >> 32)) as u32
    }

    /// The table's 64-bit hash of a 32-bit one: every bit spread over the position (low bits)
    /// and the tag (high bits).
    fn spread(h: u32) -> u64 {
        u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// The index of `id`.
    fn get(&self, id: &str) -> Option<u32> {
        let h = Self::hash(id);
        self.table
            .find(Self::spread(h), |&(i, hi)| {
                hi == h && self.arena.get(i) == id
            })
            .map(|&(i, _)| i)
    }

    /// Gives `id` the next index; `None` when it is already held or the arena is full.
    fn insert(&mut self, id: &str) -> Option<u32> {
        let Ids { arena, table } = self;
        let i = u32::try_from(arena.ends.len()).ok()?;
        let h = Self::hash(id);
        match table.entry(
            Self::spread(h),
            |&(j, hj)| hj == h && arena.get(j) == id,
            |&(_, hj)| Self::spread(hj),
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => None,
            hashbrown::hash_table::Entry::Vacant(e) => {
                if !arena.push(id) {
                    return None;
                }
                e.insert((i, h));
                Some(i)
            }
        }
    }
}

/// Collects nodes while they stream in: ids mapped to dense indices, names in a buffer, and
/// each node's kind, type and village (villages held once each). Groups come without their
/// names, read afterwards into `group_names` for a graph that lists them.
#[derive(Default)]
struct Builder {
    ids: Ids,
    names: Arena,
    group_names: FxHashMap<u32, String>,
    traits: Vec<NodeTraits>,
    villages: Vec<RegionCode>,
    village_index: FxHashMap<String, u32>,
    /// The village of the last node added (rows come in village order).
    last_village: Option<u32>,
}

impl Builder {
    /// Adds a node; `None` when its id is already held (an id names one actor) or the graph is
    /// full (`u32` indices).
    fn add(
        &mut self,
        id: &str,
        name: &str,
        kind: NodeKind,
        group_type: Option<GroupType>,
        village: Option<&RegionCode>,
    ) -> Option<u32> {
        if self.traits.len() >= u32::MAX as usize {
            return None;
        }
        let i = self.ids.insert(id)?;
        if !self.names.push(name) {
            // Past 4 GiB of names: keep the indices aligned with none.
            self.names.push("");
        }
        let village = village.map(|v| self.village(v));
        self.traits.push(NodeTraits {
            kind,
            group_type,
            village,
        });
        Some(i)
    }

    fn add_node(&mut self, n: &Node) -> Option<u32> {
        self.add(&n.id, &n.name, n.kind, n.group_type, n.village.as_ref())
    }

    /// The index of a village in `villages`, adding it when new.
    fn village(&mut self, v: &RegionCode) -> u32 {
        if let Some(k) = self.last_village
            && self.villages[k as usize] == *v
        {
            return k;
        }
        let k = match self.village_index.get(v.as_str()) {
            Some(&k) => k,
            None => {
                let k = self.villages.len() as u32;
                self.villages.push(v.clone());
                self.village_index.insert(v.as_str().to_string(), k);
                k
            }
        };
        self.last_village = Some(k);
        k
    }

    /// Node `i` with its id and name.
    fn node(&self, i: u32) -> Node {
        let t = self.traits[i as usize];
        let name = match self.group_names.get(&i) {
            Some(name) => name.clone(),
            None => self.names.get(i).to_string(),
        };
        Node {
            id: self.ids.arena.get(i).to_string(),
            name,
            kind: t.kind,
            group_type: t.group_type,
            village: t.village.map(|v| self.villages[v as usize].clone()),
        }
    }

    /// `indices` by kind, then id.
    fn sorted(&self, mut indices: Vec<u32>) -> Vec<u32> {
        indices.sort_by(|&a, &c| {
            let key = |i: u32| (self.traits[i as usize].kind, self.ids.arena.get(i));
            key(a).cmp(&key(c))
        });
        indices
    }
}

/// Measures a scope's graph (CPU work: betweenness is O(n·m); call from a blocking context or
/// use [`measure_scope`]). `skip_betweenness` skips it whatever the size.
pub fn measure(sg: &ScopeGraph, skip_betweenness: bool) -> ScopeMeasures {
    let started = Instant::now();
    let n = sg.graph.node_count();
    let detail = Detail {
        betweenness: !skip_betweenness && sg.detailed && n <= BETWEENNESS_LIMIT,
        per_node: sg.detailed,
    };
    let measures = measure_with(&sg.graph, TOP_BROKERS, detail);
    ScopeMeasures {
        scope: sg
            .request
            .scope
            .code()
            .map_or_else(|| "nasional".to_string(), |c| c.to_string()),
        scope_name: sg.request.scope.name().to_string(),
        network: sg.request.network.clone(),
        wave: sg.request.wave.clone(),
        measures,
        implied_membership_ties: sg.implied_membership_ties,
        betweenness_computed: detail.betweenness,
        per_node_listed: detail.per_node,
        measure_seconds: started.elapsed().as_secs_f64(),
    }
}

/// Builds and measures a scope's network; the measuring runs on a blocking thread.
pub async fn measure_scope(
    store: &Store,
    req: &ScopeRequest,
    skip_betweenness: bool,
) -> Result<(ScopeGraph, ScopeMeasures), ServiceError> {
    let sg = scope_graph(store, req).await?;
    blocking(move || {
        let m = measure(&sg, skip_betweenness);
        (sg, m)
    })
    .await
}

/// The picture of a measured scope (CPU work: the layout is O(n²) per step up to
/// [`DRAW_LIMIT`] nodes). Above [`DRAW_LIMIT`] nodes, or without per-node detail, a summary.
pub fn draw(sg: &ScopeGraph, measures: &ScopeMeasures, lang: Lang) -> String {
    let positions = if sg.detailed && sg.graph.node_count() <= DRAW_LIMIT {
        layout(&sg.graph)
    } else {
        Vec::new()
    };
    to_svg(&sg.graph, &measures.measures, &positions, lang)
}

/// The scope's network as an SVG picture with its measures: nodes sized by degree and coloured
/// by group type, institutions as squares, networks as diamonds, brokers labelled; above
/// [`DRAW_LIMIT`] nodes an honest summary (counts, component sizes) instead of a hairball.
///
/// `public` is for those who may not read the scope's records (anonymous visitors, readers
/// outside its region): the picture and the numbers are the same, but every actor is named only
/// by its kind or group type and a number ([`Graph::anonymised`]).
pub async fn svg_for_scope(
    store: &Store,
    req: &ScopeRequest,
    lang: Lang,
    public: bool,
) -> Result<ScopeDrawing, ServiceError> {
    let (sg, measures) = measure_scope(store, req, false).await?;
    blocking(move || {
        let (sg, measures) = if public {
            anonymise(sg, measures, lang)
        } else {
            (sg, measures)
        };
        ScopeDrawing {
            svg: draw(&sg, &measures, lang),
            measures,
        }
    })
    .await
}

/// The scope's network placed on its map: each actor at the centre of the child region of the
/// scope (a village of a kecamatan, a kecamatan of a kabupaten) it sits in, spread a little
/// around it, over the children's borders (`shapes`, by code); actors in no child (an
/// institution of the kecamatan itself) around the middle. `public` as in [`svg_for_scope`].
/// The force-directed drawing when the scope has no children or too many nodes to draw.
pub async fn svg_on_map(
    store: &Store,
    req: &ScopeRequest,
    shapes: std::collections::HashMap<String, wahana_domain::geo::Shape>,
    lang: Lang,
    public: bool,
) -> Result<ScopeDrawing, ServiceError> {
    let (sg, measures) = measure_scope(store, req, false).await?;
    blocking(move || {
        let (sg, measures) = if public {
            anonymise(sg, measures, lang)
        } else {
            (sg, measures)
        };
        let svg = match map_positions(&sg, &shapes) {
            Some((positions, background)) => wahana_domain::network::to_svg_over(
                &sg.graph,
                &measures.measures,
                &positions,
                &background,
                lang,
            ),
            None => draw(&sg, &measures, lang),
        };
        ScopeDrawing { svg, measures }
    })
    .await
}

/// Positions (0 to 1) of the nodes at their child regions' centres and the children's borders
/// in the picture's units; `None` without shapes or nodes to place.
fn map_positions(
    sg: &ScopeGraph,
    shapes: &std::collections::HashMap<String, wahana_domain::geo::Shape>,
) -> Option<(Vec<(f64, f64)>, String)> {
    use std::fmt::Write as _;
    use wahana_domain::geo::Bbox;
    let g = &sg.graph;
    if shapes.is_empty()
        || !sg.detailed
        || g.node_count() == 0
        || g.node_count() > wahana_domain::network::MAP_DRAW_LIMIT
    {
        return None;
    }
    let mut b = Bbox::EMPTY;
    for s in shapes.values() {
        b.union(&s.bbox());
    }
    let kx = ((b.south + b.north) / 2.0).to_radians().cos();
    let span = ((b.east - b.west) * kx).max(b.north - b.south).max(1e-9);
    let (ox, oy) = (
        (1.0 - (b.east - b.west) * kx / span) / 2.0,
        (1.0 - (b.north - b.south) / span) / 2.0,
    );
    let unit = |p: [f64; 2]| {
        (
            ox + (p[0] - b.west) * kx / span,
            oy + (b.north - p[1]) / span,
        )
    };
    // The centre of each child, and the codes by length to find a village's child.
    let centres: std::collections::HashMap<&str, (f64, f64)> = shapes
        .iter()
        .filter_map(|(c, s)| s.label_point().map(|p| (c.as_str(), unit(p))))
        .collect();
    let child_len = shapes.keys().map(String::len).next().unwrap_or(0);
    let positions: Vec<(f64, f64)> = (0..g.node_count())
        .map(|i| {
            let node = g.node(i);
            let at = node
                .and_then(|n| n.village.as_ref())
                .and_then(|v| v.as_str().get(..child_len))
                .and_then(|c| centres.get(c).copied())
                .unwrap_or((0.5, 0.5));
            // A spread that depends on the id only: the same picture every time.
            let h = g.node_id(i).bytes().fold(0xcbf29ce484222325u64, |h, c| {
                (h ^ u64::from(c)).wrapping_mul(0x100000001b3)
            });
            let angle = (h % 3600) as f64 / 3600.0 * std::f64::consts::TAU;
            let radius = 0.012 + ((h >> 16) % 1000) as f64 / 1000.0 * 0.035;
            (
                (at.0 + radius * angle.cos()).clamp(0.0, 1.0),
                (at.1 + radius * angle.sin()).clamp(0.0, 1.0),
            )
        })
        .collect();
    let (x0, y0, side) = wahana_domain::network::PLOT_FRAME;
    let mut bg = String::from(
        "<g fill=\"#f3f1ea\" stroke=\"#b7b2a6\" stroke-width=\"1\" fill-rule=\"evenodd\">",
    );
    let mut codes: Vec<&String> = shapes.keys().collect();
    codes.sort();
    for code in codes {
        let mut d = String::new();
        for ring in shapes[code].polygons.iter().flatten() {
            for (k, p) in ring.iter().enumerate() {
                let (ux, uy) = unit(*p);
                let _ = write!(
                    d,
                    "{}{:.1} {:.1}",
                    if k == 0 { 'M' } else { 'L' },
                    x0 + ux * side,
                    y0 + uy * side
                );
            }
            d.push('Z');
        }
        let _ = write!(bg, "<path d=\"{d}\" data-code=\"{code}\"/>");
    }
    bg.push_str("</g>");
    Some((positions, bg))
}

/// Above this many recorded groups a report or a web page does not build the scope's network
/// (seconds and hundreds of MiB for a province); `wahana network` measures it.
pub const REPORT_GROUP_LIMIT: u64 = DETAIL_LIMIT as u64;

/// The network section of a profile report.
#[derive(Debug, Clone)]
pub enum ReportNetwork {
    /// Not asked for (a report format without one).
    Omitted,
    /// The scope records more than [`REPORT_GROUP_LIMIT`] groups: how many.
    TooLarge {
        groups: u64,
    },
    Drawn(Box<ScopeDrawing>),
}

/// The network section for a profile report of `scope` with `groups` recorded groups; `public`
/// as in [`svg_for_scope`].
pub async fn report_section(
    store: &Store,
    scope: super::screening::Scope,
    wave: Option<String>,
    groups: u64,
    lang: Lang,
    public: bool,
) -> Result<ReportNetwork, ServiceError> {
    if groups > REPORT_GROUP_LIMIT {
        return Ok(ReportNetwork::TooLarge { groups });
    }
    let req = ScopeRequest {
        scope,
        network: None,
        wave,
    };
    let drawing = svg_for_scope(store, &req, lang, public).await?;
    Ok(ReportNetwork::Drawn(Box::new(drawing)))
}

/// The graph and its measures with every actor named by kind and number only.
pub fn anonymise(sg: ScopeGraph, mut m: ScopeMeasures, lang: Lang) -> (ScopeGraph, ScopeMeasures) {
    let anon = sg.graph.anonymised(lang);
    m.measures = anonymise_measures(&sg.graph, &anon, &m.measures);
    if m.network.is_some() {
        // Which network it is stays visible only to those who may read it.
        m.network = Some(lang.pick("wahana", "network").to_string());
    }
    (ScopeGraph { graph: anon, ..sg }, m)
}

/// The scope's network as GraphML (for Gephi, Cytoscape, yEd, networkx), with each node's
/// degree and betweenness. Refused above [`DETAIL_LIMIT`] nodes, where ids are not held.
pub fn graphml(sg: &ScopeGraph, measures: &ScopeMeasures) -> Result<String, ServiceError> {
    if !sg.detailed {
        let n = sg.graph.node_count();
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "format",
            "graphml",
            format!(
                "wilayah yang lebih kecil: GraphML dibuat sampai {DETAIL_LIMIT} simpul, wilayah ini {n}"
            ),
            format!(
                "a smaller region: GraphML is written up to {DETAIL_LIMIT} nodes, this one has {n}"
            ),
        )]));
    }
    Ok(to_graphml(&sg.graph, &measures.measures))
}

/// Runs CPU work off the async threads; a panic in it is passed on.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ServiceError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => Ok(v),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(ServiceError::Invalid(vec![FieldError::new(
            "network",
            e.to_string(),
            "pekerjaan selesai (dibatalkan saat program berhenti)",
            "the work to finish (cancelled as the program stopped)",
        )])),
    }
}
