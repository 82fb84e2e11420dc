//! Time to draw the maps (BENCHMARKS.md, "Maps"): the kecamatan of Kabupaten Bone (27, the
//! largest common case) and the provinces of the country, from the shipped boundaries, each
//! drawn RUNS times; prints the median and the minimum, the SVG's size and the shapes' points.
//! The first drawing of each also parses its level's embedded file (timed apart).
//!
//!     cargo run --release -p wahana --example map_bench -- [RUNS]

use std::collections::HashMap;
use std::time::{Duration, Instant};
use wahana::report::map::{Area, Measure, choropleth};
use wahana_domain::geo::{Boundaries, Shape};
use wahana_domain::{Lang, RegionTree};

fn median(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (v[v.len() / 2].as_secs_f64() * 1e3, v[0].as_secs_f64() * 1e3)
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50);
    let tree = RegionTree::official();
    let official = Boundaries::official();
    for (label, parent) in [
        ("kecamatan of Kabupaten Bone (73.08)", Some("73.08")),
        ("provinces of Indonesia", None),
        ("kelurahan of Tanete Riattang (73.08.21)", Some("73.08.21")),
    ] {
        let children = match parent.map(wahana_domain::RegionCode::parse) {
            Some(Ok(p)) => tree.children(&p),
            Some(Err(e)) => panic!("{e}"),
            None => tree.provinces(),
        };
        // The first lookup parses the level's file.
        let t = Instant::now();
        let shapes: HashMap<String, Shape> = children
            .iter()
            .filter_map(|c| {
                official
                    .shape(c.code.as_str())
                    .map(|s| (c.code.to_string(), s))
            })
            .collect();
        let first = t.elapsed();
        let mut lookups = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let n = children
                .iter()
                .filter_map(|c| official.shape(c.code.as_str()))
                .count();
            lookups.push(t.elapsed());
            assert_eq!(n, shapes.len());
        }
        let areas: Vec<Area<'_>> = children
            .iter()
            .enumerate()
            .map(|(i, c)| Area {
                code: c.code.as_str(),
                name: &c.name,
                shape: shapes.get(c.code.as_str()),
                centre: c.lat.zip(c.lng).map(|(lat, lng)| [lng, lat]),
                value: (i % 5 != 0).then_some((i * 37 % 101) as f64),
                href: format!("/regions/{}?measure=groups", c.code),
            })
            .collect();
        let mut draws = Vec::with_capacity(runs);
        let mut svg_len = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let m = choropleth(&areas, Measure::Groups, "bench", "peta", Lang::Id);
            draws.push(t.elapsed());
            svg_len = m.svg.len();
        }
        let points: usize = shapes.values().map(Shape::points).sum();
        let (lm, lmin) = median(lookups);
        let (dm, dmin) = median(draws);
        println!(
            "{label}: {} shapes, {points} points; first lookup (parses the level) {:.1} ms; \
             lookup median {lm:.2} ms (min {lmin:.2}); drawing median {dm:.2} ms (min {dmin:.2}); \
             SVG {svg_len} bytes",
            shapes.len(),
            first.as_secs_f64() * 1e3
        );
    }
}
