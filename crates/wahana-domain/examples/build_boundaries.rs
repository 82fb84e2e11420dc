//! Makes the boundaries that ship with wahana (`data/boundaries/*.topojson.gz`) from the official
//! GeoJSON (see `data/boundaries/README.md` for the source and its licence):
//!
//! ```text
//! cargo run --release -p wahana-domain --example build_boundaries -- SOURCE_DIR data/boundaries
//! ```
//!
//! `SOURCE_DIR` holds `provinces.geojson`, `regencies.geojson`, `districts.geojson` and
//! `villages/73.geojson`. Each level becomes one topology (shared borders stored once),
//! snapped to a grid and simplified for the size it is drawn at: provinces on the country's
//! map, kabupaten on a province's, kecamatan on a kabupaten's, villages on a kecamatan's.
//! Names come from the official region tree, not the source.

use std::io::Write as _;
use std::path::Path;
use wahana_domain::geo::geojson::read_features;
use wahana_domain::geo::official::detail;
use wahana_domain::geo::topology::Topology;
use wahana_domain::{Level, RegionTree};

/// (source file, output file, level): each level at its [`detail`].
const LEVELS: &[(&str, &str, Level)] = &[
    ("provinces.geojson", "provinces.topojson", Level::Province),
    ("regencies.geojson", "regencies.topojson", Level::Regency),
    ("districts.geojson", "districts.topojson", Level::District),
    (
        "villages/73.geojson",
        "villages-73.topojson",
        Level::Village,
    ),
];

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [source, out] = args.as_slice() else {
        return Err("usage: build_boundaries SOURCE_DIR OUT_DIR".into());
    };
    let tree = RegionTree::official();
    for (file, output, level) in LEVELS {
        let (grid, tolerance) = detail(*level);
        let path = Path::new(source).join(file);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let text = clean(&text)?;
        let features = read_features(&text, tree).map_err(|e| {
            format!(
                "{}: {}",
                path.display(),
                e.messages(wahana_domain::Lang::En).join("\n")
            )
        })?;
        let named: Vec<(String, String, _)> = features
            .iter()
            .map(|f| {
                let name = tree
                    .get(&f.code)
                    .map(|r| r.name.clone())
                    .unwrap_or_default();
                (f.code.to_string(), name, &f.shape)
            })
            .collect();
        let before: usize = features.iter().map(|f| f.shape.points()).sum();
        let mut topo = Topology::build(
            named.iter().map(|(c, n, s)| (c.as_str(), n.as_str(), *s)),
            grid,
        );
        let arcs_points = topo.points();
        topo.simplify(tolerance);
        let object = output.trim_end_matches(".topojson");
        let json = topo.to_topojson(object);
        let target = Path::new(out).join(format!("{output}.gz"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(json.as_bytes()).map_err(|e| e.to_string())?;
        let bytes = gz.finish().map_err(|e| e.to_string())?;
        std::fs::write(&target, &bytes).map_err(|e| format!("{}: {e}", target.display()))?;
        println!(
            "{output}: {} features, {before} points in the source, {arcs_points} in {} arcs, {} kept; {} bytes, {} gzipped",
            features.len(),
            topo.arcs.len(),
            topo.points(),
            json.len(),
            bytes.len()
        );
    }
    Ok(())
}

/// The source as the reader wants it: rings of fewer than four positions (lines, not areas:
/// a few in the source) dropped, unclosed rings closed. Says what it changed.
fn clean(text: &str) -> Result<String, String> {
    let mut doc: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let (mut dropped, mut closed) = (0, 0);
    let mut fix_polygon = |p: &mut serde_json::Value| {
        if let Some(rings) = p.as_array_mut() {
            rings.retain(|r| {
                let keep = r.as_array().is_some_and(|r| r.len() >= 4);
                dropped += usize::from(!keep);
                keep
            });
            for r in rings.iter_mut().filter_map(|r| r.as_array_mut()) {
                if r.first() != r.last() {
                    let first = r[0].clone();
                    r.push(first);
                    closed += 1;
                }
            }
        }
    };
    let mut promoted = 0;
    if let Some(features) = doc.get_mut("features").and_then(|f| f.as_array_mut()) {
        for f in features {
            let g = &mut f["geometry"];
            if g["type"] == "Polygon" {
                let coords = g["coordinates"].take();
                g["type"] = "MultiPolygon".into();
                g["coordinates"] = serde_json::Value::Array(vec![coords]);
            }
            if let Some(polys) = g["coordinates"].as_array_mut() {
                polys.iter_mut().for_each(&mut fix_polygon);
                // A "hole" outside its polygon's outer ring is an island of its own.
                let mut out = Vec::new();
                for p in polys.drain(..) {
                    let serde_json::Value::Array(mut rings) = p else {
                        continue;
                    };
                    if rings.is_empty() {
                        continue;
                    }
                    let outer = points(&rings[0]);
                    let mut kept = vec![rings.remove(0)];
                    for r in rings {
                        let inside = points(&r).first().is_some_and(|p| inside(*p, &outer));
                        if inside {
                            kept.push(r);
                        } else {
                            promoted += 1;
                            out.push(serde_json::Value::Array(vec![r]));
                        }
                    }
                    out.push(serde_json::Value::Array(kept));
                }
                *polys = out;
            }
        }
    }
    if dropped + closed + promoted > 0 {
        println!(
            "  source: {dropped} rings of fewer than 4 positions dropped, {closed} rings closed, \
             {promoted} rings outside their outer ring made polygons of their own"
        );
    }
    Ok(doc.to_string())
}

fn points(ring: &serde_json::Value) -> Vec<[f64; 2]> {
    ring.as_array()
        .map(|r| {
            r.iter()
                .filter_map(|p| Some([p.get(0)?.as_f64()?, p.get(1)?.as_f64()?]))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `p` lies inside `ring` (even-odd crossings).
fn inside(p: [f64; 2], ring: &[[f64; 2]]) -> bool {
    let mut inside = false;
    for w in ring.windows(2) {
        let (a, b) = (w[0], w[1]);
        if (a[1] > p[1]) != (b[1] > p[1])
            && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0])
        {
            inside = !inside;
        }
    }
    inside
}
