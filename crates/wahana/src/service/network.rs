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
//! country) are measured in linear time from ids mapped to dense integers while streaming.

use super::ServiceError;
use super::screening::Scope;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Instant;
use wahana_domain::codes::TieType;
use wahana_domain::network::{
    DRAW_LIMIT, Detail, Graph, NetworkMeasures, Node, anonymise_measures, layout, measure_with,
    to_graphml, to_svg,
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
            let id = node.id.clone();
            if let Some(i) = b.add(node) {
                // Two networks of one village with the same name: the lowest id.
                match networks_by_name.get(&key) {
                    Some((held, _)) if *held <= id => {}
                    _ => {
                        networks_by_name.insert(key, (id, i));
                    }
                }
            }
        })
        .await?;
    store
        .for_each_scope_institution(region, wave, |node| {
            b.add(node);
        })
        .await?;
    let mut implied: Vec<(u32, u32)> = Vec::new();
    let mut key = String::new();
    store
        .for_each_scope_group(region, wave, |node, network_name| {
            // The `village|name` key of the network the group names, before the node moves.
            let named = match (&network_name, &node.village) {
                (Some(name), Some(village)) => {
                    key.clear();
                    key.push_str(village.as_str());
                    key.push('|');
                    key.extend(name_key_chars(name));
                    networks_by_name.get(&key).map(|&(_, w)| w)
                }
                _ => None,
            };
            let Some(i) = b.add(node) else { return };
            if let Some(w) = named {
                implied.push((i.min(w), i.max(w)));
            }
        })
        .await?;
    drop(networks_by_name);

    let mut recorded: Vec<(u32, u32)> = Vec::new();
    let mut co: Vec<(u32, u32)> = Vec::new();
    let mut leaving = 0usize;
    store
        .for_each_scope_tie(region, wave, |from, to, tie_type| {
            match (b.index.get(from.as_str()), b.index.get(to.as_str())) {
                (Some(&a), Some(&c)) if a != c => {
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
            if let Some(&i) = b.index.get(g.as_str()) {
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
    implied.retain(|p| recorded.binary_search(p).is_err());

    let Builder {
        mut nodes,
        index,
        detailed,
    } = b;
    drop(index);
    let mut edges = recorded;
    edges.extend_from_slice(&implied);
    edges.extend_from_slice(&co);

    if detailed {
        // A stable node order whatever order the database returned the rows in.
        let mut order: Vec<u32> = (0..nodes.len() as u32).collect();
        order.sort_by(|&a, &c| {
            let (x, y) = (&nodes[a as usize], &nodes[c as usize]);
            (x.kind, &x.id).cmp(&(y.kind, &y.id))
        });
        let mut new_of = vec![0u32; nodes.len()];
        for (new, &old) in order.iter().enumerate() {
            new_of[old as usize] = new as u32;
        }
        let remap = |v: &mut Vec<(u32, u32)>| {
            for p in v.iter_mut() {
                let (a, c) = (new_of[p.0 as usize], new_of[p.1 as usize]);
                *p = (a.min(c), a.max(c));
            }
        };
        remap(&mut edges);
        remap(&mut co);
        remap(&mut implied);
        let mut slots: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
        nodes = order
            .iter()
            .filter_map(|&old| slots[old as usize].take())
            .collect();
    }

    let (graph, implied_count) = match &req.network {
        None => (
            Graph::from_indexed(nodes, &edges, leaving, co.len()),
            implied.len(),
        ),
        Some(id) => ego(nodes, &edges, &co, &implied, id),
    };
    Ok(ScopeGraph {
        request: req.clone(),
        graph,
        implied_membership_ties: implied_count,
        detailed,
        load_seconds: started.elapsed().as_secs_f64(),
    })
}

/// One network's own graph: the network, the actors tied to it, and the ties among them. Ties
/// from them to anyone else count as leaving it.
fn ego(
    nodes: Vec<Node>,
    edges: &[(u32, u32)],
    co: &[(u32, u32)],
    implied: &[(u32, u32)],
    id: &str,
) -> (Graph, usize) {
    let Some(centre) = nodes.iter().position(|n| n.id == id) else {
        return (Graph::from_indexed(Vec::new(), &[], 0, 0), 0);
    };
    let centre = centre as u32;
    let mut keep: Vec<bool> = vec![false; nodes.len()];
    keep[centre as usize] = true;
    for &(a, c) in edges {
        if a == centre {
            keep[c as usize] = true;
        } else if c == centre {
            keep[a as usize] = true;
        }
    }
    let mut new_of = vec![u32::MAX; nodes.len()];
    let mut kept = Vec::new();
    for (old, node) in nodes.into_iter().enumerate() {
        if keep[old] {
            new_of[old] = kept.len() as u32;
            kept.push(node);
        }
    }
    let inside = |&(a, c): &(u32, u32)| keep[a as usize] && keep[c as usize];
    let map = |&(a, c): &(u32, u32)| (new_of[a as usize], new_of[c as usize]);
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
        Graph::from_indexed(kept, &sub, leaving, co_inside),
        implied_inside,
    )
}

/// Collects nodes and maps their ids to dense indices while they stream in.
struct Builder {
    nodes: Vec<Node>,
    /// Ids to node indices (FxHash: SipHash was a seventh of the national graph's load).
    index: FxHashMap<Box<str>, u32>,
    /// Nodes keep their ids and names while there are at most [`DETAIL_LIMIT`].
    detailed: bool,
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            nodes: Vec::new(),
            index: FxHashMap::default(),
            detailed: true,
        }
    }
}

impl Builder {
    /// Adds a node; `None` when its id is already held (an id names one actor) or the graph is
    /// full (`u32` indices).
    fn add(&mut self, mut node: Node) -> Option<u32> {
        let i = u32::try_from(self.nodes.len())
            .ok()
            .filter(|&i| i < u32::MAX)?;
        if self.detailed && self.nodes.len() >= DETAIL_LIMIT {
            self.detailed = false;
            for n in &mut self.nodes {
                n.id = String::new();
                n.name = String::new();
            }
        }
        let key: Box<str> = if self.detailed {
            node.id.as_str().into()
        } else {
            node.name = String::new();
            std::mem::take(&mut node.id).into_boxed_str()
        };
        match self.index.entry(key) {
            Entry::Occupied(_) => return None,
            Entry::Vacant(e) => {
                e.insert(i);
            }
        }
        self.nodes.push(node);
        Some(i)
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
