//! The official boundaries that ship with the program (`data/boundaries/*.topojson.gz`, made by
//! `cargo run --release -p wahana-domain --example build_boundaries`, see its README): every
//! province, kabupaten/kota and kecamatan, and the villages of the provinces in
//! [`VILLAGE_PROVINCES`]. Each file is parsed the first time one of its shapes is asked for.

use super::Shape;
use super::topology::Topology;
use crate::Level;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The detail each level is kept at, for the map it is drawn on (provinces on the country's,
/// kabupaten on a province's, kecamatan on a kabupaten's, villages on a kecamatan's): the grid
/// its points snap to and the tolerance its arcs are thinned to, in degrees (0.001° is about
/// 110 m).
pub fn detail(level: Level) -> (f64, f64) {
    match level {
        Level::Province => (1e-3, 0.015),
        Level::Regency => (5e-4, 0.002),
        Level::District => (1e-4, 0.0005),
        Level::Village => (1e-5, 0.0001),
    }
}

/// The provinces whose villages ship with the program.
pub const VILLAGE_PROVINCES: &[&str] = &["73"];

struct Layer {
    file: &'static str,
    bytes: &'static [u8],
    parsed: OnceLock<(Topology, HashMap<String, usize>)>,
}

impl Layer {
    const fn new(file: &'static str, bytes: &'static [u8]) -> Layer {
        Layer {
            file,
            bytes,
            parsed: OnceLock::new(),
        }
    }

    fn get(&self) -> &(Topology, HashMap<String, usize>) {
        self.parsed.get_or_init(|| {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(self.bytes),
                &mut text,
            ) {
                panic!("embedded boundaries {} do not decompress: {e}", self.file);
            }
            match Topology::from_topojson(&text) {
                Ok(t) => {
                    let index = t
                        .features
                        .iter()
                        .enumerate()
                        .map(|(i, f)| (f.code.clone(), i))
                        .collect();
                    (t, index)
                }
                Err(e) => panic!("embedded boundaries {} are invalid: {e}", self.file),
            }
        })
    }
}

/// The embedded boundaries, by region code.
pub struct Boundaries {
    levels: [Layer; 3],
    villages: [(&'static str, Layer); 1],
}

/// How many regions of each level have a boundary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Coverage {
    pub provinces: usize,
    pub regencies: usize,
    pub districts: usize,
    /// Villages with a boundary, per province code.
    pub villages: Vec<(String, usize)>,
}

static OFFICIAL: Boundaries = Boundaries {
    levels: [
        Layer::new(
            "provinces.topojson.gz",
            include_bytes!("../../../../data/boundaries/provinces.topojson.gz"),
        ),
        Layer::new(
            "regencies.topojson.gz",
            include_bytes!("../../../../data/boundaries/regencies.topojson.gz"),
        ),
        Layer::new(
            "districts.topojson.gz",
            include_bytes!("../../../../data/boundaries/districts.topojson.gz"),
        ),
    ],
    villages: [(
        "73",
        Layer::new(
            "villages-73.topojson.gz",
            include_bytes!("../../../../data/boundaries/villages-73.topojson.gz"),
        ),
    )],
};

impl Boundaries {
    /// The boundaries embedded in the program.
    pub fn official() -> &'static Boundaries {
        &OFFICIAL
    }

    fn layer(&self, code: &str) -> Option<&Layer> {
        match code.bytes().filter(|b| *b == b'.').count() {
            d @ 0..=2 => self.levels.get(d),
            3 => self
                .villages
                .iter()
                .find(|(p, _)| code.starts_with(p) && code.as_bytes().get(p.len()) == Some(&b'.'))
                .map(|(_, l)| l),
            _ => None,
        }
    }

    /// The shape of a region (its dotted code), when one ships.
    pub fn shape(&self, code: &str) -> Option<Shape> {
        let (t, index) = self.layer(code)?.get();
        index.get(code).map(|&i| t.shape(&t.features[i]))
    }

    /// Whether a shape ships for the region.
    pub fn contains(&self, code: &str) -> bool {
        self.layer(code)
            .is_some_and(|l| l.get().1.contains_key(code))
    }

    /// Whether the villages of a province (its code) ship.
    pub fn contains_villages_of(&self, province: &str) -> bool {
        self.villages.iter().any(|(p, _)| *p == province)
    }

    /// How many regions of each level have a shipped boundary.
    pub fn coverage(&self) -> Coverage {
        Coverage {
            provinces: self.levels[0].get().1.len(),
            regencies: self.levels[1].get().1.len(),
            districts: self.levels[2].get().1.len(),
            villages: self
                .villages
                .iter()
                .map(|(p, l)| ((*p).to_string(), l.get().1.len()))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RegionTree;

    #[test]
    fn the_embedded_boundaries_parse_and_are_official_regions() {
        let b = Boundaries::official();
        let c = b.coverage();
        assert!(
            c.provinces >= 37 && c.regencies >= 514 && c.districts >= 7284,
            "{c:?}"
        );
        assert!(c.villages[0].1 >= 3056, "{c:?}");
        let tree = RegionTree::official();
        for layer in b.levels.iter().chain(b.villages.iter().map(|(_, l)| l)) {
            let (t, _) = layer.get();
            for f in &t.features {
                let code: crate::RegionCode = f.code.parse().unwrap();
                assert!(tree.get(&code).is_some(), "{} is not official", f.code);
                let s = t.shape(f);
                assert!(s.area() > 0.0, "{} has no area", f.code);
                assert!(super::super::INDONESIA.contains(s.label_point().unwrap()));
            }
        }
        // The demonstration kecamatan's eight kelurahan.
        for v in tree.villages_under(&"73.08.21".parse().unwrap()) {
            assert!(b.contains(v.code.as_str()), "{}", v.code);
        }
        assert!(b.shape("73.08.21").is_some() && b.shape("11.01.01.2001").is_none());
    }
}
