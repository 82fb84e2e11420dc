//! Shapes as a topology, the way TopoJSON keeps them: every ring cut into arcs at the points
//! where neighbours part, each arc stored once however many rings use it. Simplifying the arcs
//! then simplifies a shared border once, so neighbours keep meeting without gaps or overlaps;
//! and the points are whole numbers on a grid (quantised), which keeps the files small.
//!
//! [`Topology::build`] makes one from shapes, [`Topology::simplify`] thins its arcs,
//! [`Topology::to_topojson`] and [`Topology::from_topojson`] write and read it as TopoJSON
//! (quantised and delta-encoded, readable by mapshaper, QGIS and `topojson-client`), and
//! [`Topology::shape`] gives a feature's shape back.

use super::{Point, Polygon, Ring, Shape};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// A point on the grid: `(x, y)` in units of [`Topology::scale`].
type Q = (i32, i32);

/// One feature: its code, its name, and its polygons as rings of arc references (`i` for arc
/// `i` as stored, `!i` (TopoJSON's `~i`) for it reversed).
#[derive(Debug, Clone, PartialEq)]
pub struct TopoFeature {
    pub code: String,
    pub name: String,
    pub polygons: Vec<Vec<Vec<i64>>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Topology {
    /// Degrees per grid unit.
    pub scale: f64,
    /// Degrees added after scaling: `[longitude, latitude]`.
    pub translate: [f64; 2],
    /// Arcs in grid units, absolute (delta-encoded only in TopoJSON).
    pub arcs: Vec<Vec<Q>>,
    pub features: Vec<TopoFeature>,
}

/// An arc reference: `i`, or `!i` for arc `i` reversed.
fn arc_ref(i: usize, reversed: bool) -> i64 {
    let i = i as i64;
    if reversed { !i } else { i }
}

fn arc_index(r: i64) -> (usize, bool) {
    if r < 0 {
        ((!r) as usize, true)
    } else {
        (r as usize, false)
    }
}

/// Arcs stored once, found again forwards or backwards.
#[derive(Default)]
struct ArcSet {
    arcs: Vec<Vec<Q>>,
    index: HashMap<Vec<Q>, usize>,
}

impl ArcSet {
    fn add(&mut self, points: Vec<Q>) -> i64 {
        if let Some(&i) = self.index.get(&points) {
            return arc_ref(i, false);
        }
        let reversed: Vec<Q> = points.iter().rev().copied().collect();
        if let Some(&i) = self.index.get(&reversed) {
            return arc_ref(i, true);
        }
        let i = self.arcs.len();
        self.index.insert(points.clone(), i);
        self.arcs.push(points);
        arc_ref(i, false)
    }
}

/// A ring on the grid, open (no repeated last point), without repeated neighbours; `None`
/// when fewer than three distinct points are left.
fn grid_ring(ring: &[Point], scale: f64, translate: [f64; 2]) -> Option<Vec<Q>> {
    let mut out: Vec<Q> = Vec::with_capacity(ring.len());
    for p in ring {
        let q = (
            ((p[0] - translate[0]) / scale).round() as i32,
            ((p[1] - translate[1]) / scale).round() as i32,
        );
        if out.last() != Some(&q) {
            out.push(q);
        }
    }
    while out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    (out.len() >= 3).then_some(out)
}

fn sorted_pair(a: Q, b: Q) -> (Q, Q) {
    if a <= b { (a, b) } else { (b, a) }
}

/// Distance from `p` to the segment `a`–`b`, in grid units.
fn seg_dist(p: Q, a: Q, b: Q) -> f64 {
    let (px, py) = (f64::from(p.0), f64::from(p.1));
    let (ax, ay) = (f64::from(a.0), f64::from(a.1));
    let (bx, by) = (f64::from(b.0), f64::from(b.1));
    let (dx, dy) = (bx - ax, by - ay);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((px - ax) * dx + (py - ay) * dy) / len2).clamp(0.0, 1.0)
    };
    let (cx, cy) = (ax + t * dx, ay + t * dy);
    ((px - cx).powi(2) + (py - cy).powi(2)).sqrt()
}

/// Douglas–Peucker on one arc, its ends kept: the indexes of the points to keep. At least
/// `min_inner` inner points stay (when the arc has them), so that a ring made of one or two
/// arcs keeps an area.
fn douglas_peucker(points: &[Q], tolerance: f64, min_inner: usize) -> Vec<usize> {
    let n = points.len();
    if n <= 2 {
        return (0..n).collect();
    }
    // Every split the full recursion makes, with its distance from its chord.
    let mut splits: Vec<(usize, f64)> = Vec::new();
    let mut stack = vec![(0usize, n - 1)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut k, mut d) = (a + 1, -1.0);
        for (i, p) in points.iter().enumerate().take(b).skip(a + 1) {
            let di = seg_dist(*p, points[a], points[b]);
            if di > d {
                (k, d) = (i, di);
            }
        }
        splits.push((k, d));
        // Below the tolerance a range is done, unless inner points are still wanted.
        if d > tolerance || splits.len() < min_inner {
            stack.push((a, k));
            stack.push((k, b));
        }
    }
    let mut keep: Vec<usize> = vec![0, n - 1];
    let mut kept = 0;
    for (k, d) in &splits {
        if *d > tolerance {
            keep.push(*k);
            kept += 1;
        }
    }
    if kept < min_inner {
        // The farthest splits first, until the ring has its area.
        let mut rest: Vec<&(usize, f64)> = splits.iter().filter(|(_, d)| *d <= tolerance).collect();
        rest.sort_by(|x, y| y.1.total_cmp(&x.1));
        keep.extend(rest.iter().take(min_inner - kept).map(|(k, _)| *k));
    }
    keep.sort_unstable();
    keep.dedup();
    keep
}

impl Topology {
    /// The topology of `features` (code, name, shape) on a grid of `scale` degrees. Points
    /// closer than the grid snap together, so borders that nearly coincide become shared.
    pub fn build<'a>(
        features: impl IntoIterator<Item = (&'a str, &'a str, &'a Shape)>,
        scale: f64,
    ) -> Topology {
        let translate = [0.0, 0.0];
        // Rings on the grid, kept in their features' structure.
        let gridded: Vec<(&str, &str, Vec<Vec<Vec<Q>>>)> = features
            .into_iter()
            .map(|(code, name, shape)| {
                let polygons = shape
                    .polygons
                    .iter()
                    .filter_map(|p| {
                        let mut rings = p.iter();
                        let outer = grid_ring(rings.next()?, scale, translate)?;
                        let mut out = vec![outer];
                        out.extend(rings.filter_map(|r| grid_ring(r, scale, translate)));
                        Some(out)
                    })
                    .collect();
                (code, name, polygons)
            })
            .collect();
        // Which rings use each edge: a border two rings share is the run of edges both use.
        let mut users: HashMap<(Q, Q), Vec<u32>> = HashMap::new();
        for (id, ring) in gridded
            .iter()
            .flat_map(|f| f.2.iter().flatten())
            .enumerate()
        {
            let n = ring.len();
            for i in 0..n {
                let v = users
                    .entry(sorted_pair(ring[i], ring[(i + 1) % n]))
                    .or_default();
                if v.last() != Some(&(id as u32)) {
                    v.push(id as u32);
                }
            }
        }
        // A junction: a point where the rings beside the edge before differ from those beside
        // the edge after. Both rings of a shared border are cut at the same points, and a
        // point two borders merely touch is no junction (simplifying may move it).
        let mut set = ArcSet::default();
        let mut out = Vec::with_capacity(gridded.len());
        for (code, name, polygons) in &gridded {
            let polygons = polygons
                .iter()
                .map(|rings| {
                    rings
                        .iter()
                        .map(|ring| {
                            let n = ring.len();
                            let edge =
                                |i: usize| &users[&sorted_pair(ring[i % n], ring[(i + 1) % n])];
                            let junction: Vec<bool> =
                                (0..n).map(|i| edge(i + n - 1) != edge(i)).collect();
                            cut_ring(ring, &junction, &mut set)
                        })
                        .collect()
                })
                .collect();
            out.push(TopoFeature {
                code: (*code).to_string(),
                name: (*name).to_string(),
                polygons,
            });
        }
        Topology {
            scale,
            translate,
            arcs: set.arcs,
            features: out,
        }
    }

    /// Thins every arc by Douglas–Peucker to within `tolerance` degrees, once per arc, so a
    /// border two regions share stays one line. Rings keep at least three corners.
    /// Islands and holes smaller than the tolerance both across and up are dropped first
    /// (each region keeps its largest polygon), as they would be less than a stroke wide.
    pub fn simplify(&mut self, tolerance: f64) {
        let tol = tolerance / self.scale;
        self.drop_specks(tol);
        // The inner points each arc must keep: a ring of one arc needs two, of two arcs one.
        let mut min_inner = vec![0usize; self.arcs.len()];
        for ring in self
            .features
            .iter()
            .flat_map(|f| f.polygons.iter().flatten())
        {
            let need = match ring.len() {
                1 => 2,
                2 => 1,
                _ => 0,
            };
            for r in ring {
                let (i, _) = arc_index(*r);
                min_inner[i] = min_inner[i].max(need);
            }
        }
        for (arc, need) in self.arcs.iter_mut().zip(min_inner) {
            let keep = douglas_peucker(arc, tol, need);
            *arc = keep.into_iter().map(|i| arc[i]).collect();
        }
    }

    /// The width and height of a ring, in grid units.
    fn ring_extent(&self, refs: &[i64]) -> (f64, f64) {
        let (mut x0, mut y0, mut x1, mut y1) = (i32::MAX, i32::MAX, i32::MIN, i32::MIN);
        for r in refs {
            for q in &self.arcs[arc_index(*r).0] {
                x0 = x0.min(q.0);
                y0 = y0.min(q.1);
                x1 = x1.max(q.0);
                y1 = y1.max(q.1);
            }
        }
        (f64::from(x1) - f64::from(x0), f64::from(y1) - f64::from(y0))
    }

    /// Drops polygons and holes within `tol` grid units both ways (keeping each feature's
    /// largest polygon), then the arcs no ring uses.
    fn drop_specks(&mut self, tol: f64) {
        let big = |(w, h): (f64, f64)| w > tol || h > tol;
        let mut features = std::mem::take(&mut self.features);
        for f in &mut features {
            let sizes: Vec<(f64, f64)> = f
                .polygons
                .iter()
                .map(|p| p.first().map(|r| self.ring_extent(r)).unwrap_or((0.0, 0.0)))
                .collect();
            let largest = sizes
                .iter()
                .enumerate()
                .max_by(|a, b| (a.1.0 * a.1.1).total_cmp(&(b.1.0 * b.1.1)))
                .map(|(i, _)| i);
            let mut i = 0;
            f.polygons.retain(|_| {
                let keep = Some(i) == largest || big(sizes[i]);
                i += 1;
                keep
            });
            for p in &mut f.polygons {
                let mut k = 0;
                p.retain(|r| {
                    k += 1;
                    k == 1 || big(self.ring_extent(r))
                });
            }
        }
        self.features = features;
        // Arcs still used, renumbered in their order.
        let mut new_index: Vec<Option<usize>> = vec![None; self.arcs.len()];
        for r in self
            .features
            .iter()
            .flat_map(|f| f.polygons.iter().flatten().flatten())
        {
            new_index[arc_index(*r).0] = Some(0);
        }
        for (next, slot) in new_index.iter_mut().filter(|s| s.is_some()).enumerate() {
            *slot = Some(next);
        }
        let arcs = std::mem::take(&mut self.arcs);
        self.arcs = arcs
            .into_iter()
            .zip(&new_index)
            .filter_map(|(a, i)| i.map(|_| a))
            .collect();
        for r in self
            .features
            .iter_mut()
            .flat_map(|f| f.polygons.iter_mut().flatten().flatten())
        {
            let (i, reversed) = arc_index(*r);
            if let Some(n) = new_index[i] {
                *r = arc_ref(n, reversed);
            }
        }
    }

    /// How many points the arcs hold.
    pub fn points(&self) -> usize {
        self.arcs.iter().map(Vec::len).sum()
    }

    fn degrees(&self, q: Q) -> Point {
        [
            f64::from(q.0) * self.scale + self.translate[0],
            f64::from(q.1) * self.scale + self.translate[1],
        ]
    }

    fn ring(&self, refs: &[i64]) -> Ring {
        let mut ring: Ring = Vec::new();
        for r in refs {
            let (i, reversed) = arc_index(*r);
            let Some(arc) = self.arcs.get(i) else {
                continue;
            };
            let mut pts: Box<dyn Iterator<Item = &Q>> = if reversed {
                Box::new(arc.iter().rev())
            } else {
                Box::new(arc.iter())
            };
            if !ring.is_empty() {
                pts.next();
            }
            ring.extend(pts.map(|q| self.degrees(*q)));
        }
        if ring.first() != ring.last()
            && let Some(p) = ring.first().copied()
        {
            ring.push(p);
        }
        ring
    }

    /// A feature's shape in degrees.
    pub fn shape(&self, feature: &TopoFeature) -> Shape {
        Shape {
            polygons: feature
                .polygons
                .iter()
                .map(|rings| -> Polygon { rings.iter().map(|r| self.ring(r)).collect() })
                .collect(),
        }
    }

    /// The topology as TopoJSON with one object, `object`, of polygon geometries whose
    /// properties are `code` and `name`. Quantised: `transform` and delta-encoded arcs.
    pub fn to_topojson(&self, object: &str) -> String {
        let mut s = String::with_capacity(self.points() * 8);
        let _ = write!(
            s,
            "{{\"type\":\"Topology\",\"transform\":{{\"scale\":[{sc},{sc}],\"translate\":[{},{}]}},\"objects\":{{{}:{{\"type\":\"GeometryCollection\",\"geometries\":[",
            self.translate[0],
            self.translate[1],
            json_string(object),
            sc = self.scale,
        );
        for (n, f) in self.features.iter().enumerate() {
            if n > 0 {
                s.push(',');
            }
            let list = |rings: &Vec<Vec<i64>>| -> String {
                let rings: Vec<String> = rings
                    .iter()
                    .map(|r| {
                        format!(
                            "[{}]",
                            r.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                        )
                    })
                    .collect();
                format!("[{}]", rings.join(","))
            };
            let (kind, arcs) = if f.polygons.len() == 1 {
                ("Polygon", list(&f.polygons[0]))
            } else {
                (
                    "MultiPolygon",
                    format!(
                        "[{}]",
                        f.polygons.iter().map(list).collect::<Vec<_>>().join(",")
                    ),
                )
            };
            let _ = write!(
                s,
                "\n{{\"type\":\"{kind}\",\"arcs\":{arcs},\"properties\":{{\"code\":{},\"name\":{}}}}}",
                json_string(&f.code),
                json_string(&f.name)
            );
        }
        s.push_str("]}},\"arcs\":[");
        for (n, arc) in self.arcs.iter().enumerate() {
            s.push_str(if n > 0 { ",\n[" } else { "\n[" });
            let mut prev = (0i32, 0i32);
            for (k, q) in arc.iter().enumerate() {
                if k > 0 {
                    s.push(',');
                }
                let _ = write!(s, "[{},{}]", q.0 - prev.0, q.1 - prev.1);
                prev = *q;
            }
            s.push(']');
        }
        s.push_str("]}\n");
        s
    }

    /// Reads quantised TopoJSON (with `transform`): the first object's polygon geometries,
    /// each with a `code` property (`name` optional). Other geometry types are skipped.
    pub fn from_topojson(text: &str) -> Result<Topology, String> {
        #[derive(Deserialize)]
        struct Tj {
            #[serde(rename = "type")]
            kind: String,
            transform: Option<Transform>,
            objects: serde_json::Map<String, serde_json::Value>,
            arcs: Vec<Vec<[i64; 2]>>,
        }
        #[derive(Deserialize)]
        struct Transform {
            scale: [f64; 2],
            translate: [f64; 2],
        }
        #[derive(Deserialize)]
        struct Object {
            geometries: Vec<Geometry>,
        }
        #[derive(Deserialize)]
        struct Geometry {
            #[serde(rename = "type")]
            kind: String,
            #[serde(default)]
            arcs: serde_json::Value,
            #[serde(default)]
            properties: serde_json::Map<String, serde_json::Value>,
        }
        let tj: Tj = serde_json::from_str(text).map_err(|e| format!("not TopoJSON: {e}"))?;
        if tj.kind != "Topology" {
            return Err(format!("type {:?}, expected \"Topology\"", tj.kind));
        }
        let t = tj
            .transform
            .ok_or("TopoJSON without a transform (not quantised)")?;
        if t.scale[0] != t.scale[1] {
            return Err("TopoJSON with different scales across and up".into());
        }
        let mut arcs = Vec::with_capacity(tj.arcs.len());
        for arc in tj.arcs {
            let (mut x, mut y) = (0i64, 0i64);
            let mut out = Vec::with_capacity(arc.len());
            for [dx, dy] in arc {
                x += dx;
                y += dy;
                out.push((
                    i32::try_from(x).map_err(|_| "arc coordinate out of range")?,
                    i32::try_from(y).map_err(|_| "arc coordinate out of range")?,
                ));
            }
            arcs.push(out);
        }
        let object = tj
            .objects
            .into_iter()
            .next()
            .ok_or("TopoJSON without objects")?
            .1;
        let object: Object = serde_json::from_value(object).map_err(|e| format!("object: {e}"))?;
        let n_arcs = arcs.len() as i64;
        let refs = |v: &serde_json::Value| -> Result<Vec<Vec<i64>>, String> {
            let rings: Vec<Vec<i64>> =
                serde_json::from_value(v.clone()).map_err(|e| format!("arcs: {e}"))?;
            for r in rings.iter().flatten() {
                let (i, _) = arc_index(*r);
                if i as i64 >= n_arcs {
                    return Err(format!("arc {r} of {n_arcs}"));
                }
            }
            Ok(rings)
        };
        let mut features = Vec::new();
        for g in object.geometries {
            let polygons = match g.kind.as_str() {
                "Polygon" => vec![refs(&g.arcs)?],
                "MultiPolygon" => g
                    .arcs
                    .as_array()
                    .ok_or("MultiPolygon arcs are not a list")?
                    .iter()
                    .map(refs)
                    .collect::<Result<_, _>>()?,
                _ => continue,
            };
            let text = |k: &str| {
                g.properties
                    .get(k)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            features.push(TopoFeature {
                code: text("code").ok_or("a geometry without properties.code")?,
                name: text("name").unwrap_or_default(),
                polygons,
            });
        }
        Ok(Topology {
            scale: t.scale[0],
            translate: t.translate,
            arcs,
            features,
        })
    }
}

/// A ring cut into arcs at its junctions (or kept whole, from a canonical start, when it has
/// none), each added to `set`: the ring's arc references.
fn cut_ring(ring: &[Q], junction: &[bool], set: &mut ArcSet) -> Vec<i64> {
    let n = ring.len();
    match (0..n).find(|&i| junction[i]) {
        None => {
            // A ring nobody else touches, or one another ring repeats whole (an enclave and
            // the hole it fills): start at its least point, go the way of its lesser
            // neighbour, so both are found as one arc.
            let start = (0..n).min_by_key(|&i| ring[i]).unwrap_or(0);
            let forward = ring[(start + 1) % n] <= ring[(start + n - 1) % n];
            let pts: Vec<Q> = (0..=n)
                .map(|k| {
                    if forward {
                        ring[(start + k) % n]
                    } else {
                        ring[(start + n - k % n) % n]
                    }
                })
                .collect();
            // The arc runs the canonical way; the ring uses it backwards when it runs the other.
            let r = set.add(pts);
            vec![if forward { r } else { !r }]
        }
        Some(j0) => {
            let mut refs = Vec::new();
            let mut arc = vec![ring[j0]];
            for k in 1..=n {
                let q = ring[(j0 + k) % n];
                arc.push(q);
                if k == n || junction[(j0 + k) % n] {
                    refs.push(set.add(std::mem::replace(&mut arc, vec![q])));
                }
            }
            refs
        }
    }
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Shape {
        Shape {
            polygons: vec![vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]],
        }
    }

    /// Two squares side by side, the shared side wiggling in many small steps.
    fn neighbours() -> (Shape, Shape) {
        let wiggle: Vec<Point> = (0..=100)
            .map(|i| {
                let y = -4.0 + f64::from(i) * 0.02;
                [121.0 + if i % 2 == 1 { 0.0003 } else { 0.0 }, y]
            })
            .collect();
        let mut left: Ring = vec![[120.0, -4.0]];
        left.extend(wiggle.iter().copied());
        left.extend([[120.0, -2.0], [120.0, -4.0]]);
        let mut right: Ring = vec![[122.0, -4.0], [122.0, -2.0]];
        right.extend(wiggle.iter().rev().copied());
        right.push([122.0, -4.0]);
        (
            Shape {
                polygons: vec![vec![left]],
            },
            Shape {
                polygons: vec![vec![right]],
            },
        )
    }

    #[test]
    fn a_shared_border_is_one_arc_simplified_once() {
        let (a, b) = neighbours();
        let mut t = Topology::build([("A", "a", &a), ("B", "b", &b)], 1e-5);
        // The shared side is one arc, used by both rings (once each way).
        let shared: Vec<usize> = (0..t.arcs.len())
            .filter(|&i| {
                t.features
                    .iter()
                    .all(|f| f.polygons[0][0].iter().any(|r| arc_index(*r).0 == i))
            })
            .collect();
        assert_eq!(shared.len(), 1, "{:?}", t.features);
        assert_eq!(t.arcs[shared[0]].len(), 101);
        t.simplify(0.001);
        // The wiggle is under the tolerance: its ends stay, and one inner point, as each
        // ring is made of two arcs (a ring of two straight arcs would have no area).
        assert_eq!(t.arcs[shared[0]].len(), 3);
        let (sa, sb) = (t.shape(&t.features[0]), t.shape(&t.features[1]));
        // The border points of one are the border points of the other.
        let on_border = |s: &Shape| -> Vec<[i64; 2]> {
            let mut v: Vec<[i64; 2]> = s.polygons[0][0]
                .iter()
                .filter(|p| (p[0] - 121.0).abs() < 0.01)
                .map(|p| [(p[0] * 1e5).round() as i64, (p[1] * 1e5).round() as i64])
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        assert_eq!(on_border(&sa), on_border(&sb));
        // No gap and no overlap: the two areas still add up to the whole.
        assert!((sa.area() + sb.area() - 4.0).abs() < 1e-9);
        assert!((sa.area() - 2.0).abs() < 1e-3 && (sb.area() - 2.0).abs() < 1e-3);
    }

    #[test]
    fn topojson_round_trip_keeps_every_point() {
        let (a, b) = neighbours();
        let hole = Shape {
            polygons: vec![vec![
                rect(130.0, -5.0, 131.0, -4.0).polygons[0][0].clone(),
                rect(130.2, -4.8, 130.4, -4.6).polygons[0][0].clone(),
            ]],
        };
        // The enclave that fills the hole: the same ring, the other way round.
        let mut enclave = rect(130.2, -4.8, 130.4, -4.6);
        enclave.polygons[0][0].reverse();
        let t = Topology::build(
            [
                ("73.01", "A \"quoted\"", &a),
                ("73.02", "B", &b),
                ("73.03", "C", &hole),
                ("73.04", "D", &enclave),
            ],
            1e-5,
        );
        // The hole and the enclave share their one arc.
        assert_eq!(
            arc_index(t.features[2].polygons[0][1][0]).0,
            arc_index(t.features[3].polygons[0][0][0]).0
        );
        let text = t.to_topojson("regions");
        let back = Topology::from_topojson(&text).unwrap();
        assert_eq!(back, t);
        for (f, shape) in back.features.iter().zip([&a, &b, &hole, &enclave]) {
            let got = back.shape(f);
            assert_eq!(got.points(), shape.points(), "{}", f.code);
            assert!((got.area() - shape.area()).abs() < 1e-6, "{}", f.code);
        }
        assert_eq!(back.features[0].name, "A \"quoted\"");
    }

    #[test]
    fn a_small_ring_keeps_an_area_however_coarse_the_tolerance() {
        let island = Shape {
            polygons: vec![vec![vec![
                [120.0, -4.0],
                [120.01, -4.0],
                [120.012, -3.995],
                [120.01, -3.99],
                [120.0, -3.99],
                [120.0, -4.0],
            ]]],
        };
        let mut t = Topology::build([("X", "x", &island)], 1e-5);
        t.simplify(1.0);
        let s = t.shape(&t.features[0]);
        assert!(s.polygons[0][0].len() >= 4, "{:?}", s);
        assert!(s.area() > 0.0);
    }

    #[test]
    fn bad_topojson_is_refused_with_a_reason() {
        assert!(
            Topology::from_topojson("{")
                .unwrap_err()
                .contains("not TopoJSON")
        );
        let no_transform = r#"{"type":"Topology","objects":{"a":{"type":"GeometryCollection","geometries":[]}},"arcs":[]}"#;
        assert!(
            Topology::from_topojson(no_transform)
                .unwrap_err()
                .contains("transform")
        );
        let bad_arc = r#"{"type":"Topology","transform":{"scale":[1,1],"translate":[0,0]},"objects":{"a":{"type":"GeometryCollection","geometries":[{"type":"Polygon","arcs":[[3]],"properties":{"code":"73"}}]}},"arcs":[]}"#;
        assert!(
            Topology::from_topojson(bad_arc)
                .unwrap_err()
                .contains("arc 3")
        );
    }
}
