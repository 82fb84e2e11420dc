//! Reading boundaries from GeoJSON: a `FeatureCollection` whose features carry
//! `properties.code` (the Kemendagri code; `kode` is accepted too) and a `Polygon` or
//! `MultiPolygon` geometry. Every feature is checked and every problem reported, naming the
//! feature, the field, what was found and what was expected; one problem refuses the file.

use super::{INDONESIA, Point, Polygon, Ring, Shape};
use crate::region::{RegionCode, RegionTree};
use crate::{FieldError, Lang};
use serde_json::Value;

/// A feature that passed: an official region and its shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub code: RegionCode,
    pub shape: Shape,
}

/// One problem with one feature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureProblem {
    /// The feature's place in the file, from 1.
    pub feature: usize,
    /// Its code as written, when it has one.
    pub code: Option<String>,
    pub error: FieldError,
}

impl FeatureProblem {
    /// `fitur 3 (73.08.21.9999): properties.code "73.08.21.9999" tidak sah; diharapkan …`
    pub fn message(&self, lang: Lang) -> String {
        let place = match &self.code {
            Some(c) => format!("{} {} ({c})", lang.pick("fitur", "feature"), self.feature),
            None => format!("{} {}", lang.pick("fitur", "feature"), self.feature),
        };
        format!("{place}: {}", self.error.message(lang))
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Not JSON at all: the parser's words, with line and column.
    NotJson(String),
    /// JSON, but not a `FeatureCollection` (what its `type` was).
    NotFeatureCollection(String),
    /// A `FeatureCollection` with no features.
    Empty,
    /// Features with problems: every one found.
    Features(Vec<FeatureProblem>),
}

impl ReadError {
    /// Every line of the refusal in `lang`.
    pub fn messages(&self, lang: Lang) -> Vec<String> {
        match self {
            ReadError::NotJson(e) => vec![format!(
                "{}: {e}",
                lang.pick("berkas bukan JSON yang sah", "the file is not valid JSON")
            )],
            ReadError::NotFeatureCollection(t) => vec![format!(
                "{} {t}; {}",
                lang.pick("jenis GeoJSON", "GeoJSON type"),
                lang.pick(
                    "diharapkan FeatureCollection (fitur dengan properties.code dan geometri Polygon/MultiPolygon)",
                    "expected a FeatureCollection (features with properties.code and a Polygon/MultiPolygon geometry)"
                )
            )],
            ReadError::Empty => vec![
                lang.pick(
                    "FeatureCollection tanpa fitur; diharapkan sedikitnya satu batas wilayah",
                    "a FeatureCollection without features; expected at least one region boundary",
                )
                .to_string(),
            ],
            ReadError::Features(ps) => ps.iter().map(|p| p.message(lang)).collect(),
        }
    }
}

const COORDS_ID: &str = "cincin [[bujur, lintang], …] dengan sedikitnya 4 titik angka";
const COORDS_EN: &str = "rings [[longitude, latitude], …] of at least 4 numeric positions";

/// A short rendering of a JSON value for a message.
fn show(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
    }
}

fn ring(v: &Value) -> Result<Ring, FieldError> {
    let bad = || FieldError::new("geometry.coordinates", show(v), COORDS_ID, COORDS_EN);
    let pts = v.as_array().ok_or_else(bad)?;
    let mut ring: Ring = Vec::with_capacity(pts.len());
    for p in pts {
        let xy = p.as_array().filter(|a| a.len() >= 2).ok_or_else(|| {
            FieldError::new("geometry.coordinates", show(p), COORDS_ID, COORDS_EN)
        })?;
        let (Some(x), Some(y)) = (xy[0].as_f64(), xy[1].as_f64()) else {
            return Err(FieldError::new(
                "geometry.coordinates",
                show(p),
                COORDS_ID,
                COORDS_EN,
            ));
        };
        let point: Point = [x, y];
        if !INDONESIA.contains(point) {
            return Err(FieldError::new(
                "geometry.coordinates",
                format!("[{x}, {y}]"),
                format!(
                    "titik di dalam wilayah Indonesia: bujur {} sampai {}, lintang {} sampai {} (bujur dulu, lalu lintang)",
                    INDONESIA.west, INDONESIA.east, INDONESIA.south, INDONESIA.north
                ),
                format!(
                    "a point within Indonesia: longitude {} to {}, latitude {} to {} (longitude first, then latitude)",
                    INDONESIA.west, INDONESIA.east, INDONESIA.south, INDONESIA.north
                ),
            ));
        }
        ring.push(point);
    }
    if ring.len() < 4 {
        return Err(FieldError::new(
            "geometry.coordinates",
            format!("{} {}", ring.len(), "titik / positions"),
            "cincin dengan sedikitnya 4 titik",
            "a ring of at least 4 positions",
        ));
    }
    if ring.first() != ring.last() {
        return Err(FieldError::new(
            "geometry.coordinates",
            format!("{:?} … {:?}", ring[0], ring[ring.len() - 1]),
            "cincin tertutup: titik terakhir sama dengan titik pertama",
            "a closed ring: the last position equal to the first",
        ));
    }
    Ok(ring)
}

fn polygon(v: &Value) -> Result<Polygon, FieldError> {
    let rings = v
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| FieldError::new("geometry.coordinates", show(v), COORDS_ID, COORDS_EN))?;
    rings.iter().map(ring).collect()
}

fn shape(geometry: Option<&Value>) -> Result<Shape, FieldError> {
    let g = geometry
        .filter(|g| !g.is_null())
        .ok_or_else(|| FieldError::required("geometry"))?;
    let kind = g.get("type").and_then(Value::as_str).unwrap_or("");
    let coords = g.get("coordinates").unwrap_or(&Value::Null);
    match kind {
        "Polygon" => Ok(Shape {
            polygons: vec![polygon(coords)?],
        }),
        "MultiPolygon" => {
            let polys = coords.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
                FieldError::new("geometry.coordinates", show(coords), COORDS_ID, COORDS_EN)
            })?;
            Ok(Shape {
                polygons: polys.iter().map(polygon).collect::<Result<_, _>>()?,
            })
        }
        other => Err(FieldError::new(
            "geometry.type",
            other,
            "Polygon atau MultiPolygon (batas wilayah)",
            "Polygon or MultiPolygon (a region's boundary)",
        )),
    }
}

/// A shape as a GeoJSON geometry (`Polygon` for one polygon, else `MultiPolygon`), its
/// coordinates to five decimals (about a metre).
pub fn geometry_json(shape: &Shape) -> String {
    fn num(out: &mut String, x: f64) {
        let s = format!("{x:.5}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        out.push_str(if s == "-0" { "0" } else { s });
    }
    fn polygon(out: &mut String, p: &Polygon) {
        out.push('[');
        for (i, r) in p.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('[');
            for (k, pt) in r.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                out.push('[');
                num(out, pt[0]);
                out.push(',');
                num(out, pt[1]);
                out.push(']');
            }
            out.push(']');
        }
        out.push(']');
    }
    let mut out = String::with_capacity(shape.points() * 20 + 40);
    if shape.polygons.len() == 1 {
        out.push_str("{\"type\":\"Polygon\",\"coordinates\":");
        polygon(&mut out, &shape.polygons[0]);
    } else {
        out.push_str("{\"type\":\"MultiPolygon\",\"coordinates\":[");
        for (i, p) in shape.polygons.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            polygon(&mut out, p);
        }
        out.push(']');
    }
    out.push('}');
    out
}

/// Reads one GeoJSON geometry (`Polygon` or `MultiPolygon`), checked as a feature's is.
pub fn read_geometry(text: &str) -> Result<Shape, FieldError> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        FieldError::new(
            "geometry",
            e.to_string(),
            "geometri GeoJSON",
            "a GeoJSON geometry",
        )
    })?;
    shape(Some(&v))
}

/// Reads a `FeatureCollection` of region boundaries, every feature checked against the
/// official `tree`: the code official and given once, the geometry a polygon, every
/// coordinate inside Indonesia's box. All problems are returned, or none and every feature.
pub fn read_features(text: &str, tree: &RegionTree) -> Result<Vec<Feature>, ReadError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| ReadError::NotJson(e.to_string()))?;
    let kind = doc.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "FeatureCollection" {
        return Err(ReadError::NotFeatureCollection(if kind.is_empty() {
            show(&doc)
        } else {
            kind.to_string()
        }));
    }
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or(ReadError::Empty)?;
    if features.is_empty() {
        return Err(ReadError::Empty);
    }
    let mut out = Vec::with_capacity(features.len());
    let mut problems = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (i, f) in features.iter().enumerate() {
        let n = i + 1;
        let props = f.get("properties");
        let raw = props
            .and_then(|p| p.get("code").or_else(|| p.get("kode")))
            .map(|c| match c {
                Value::String(s) => s.trim().to_string(),
                other => other.to_string(),
            });
        let code = match &raw {
            None => Err(FieldError::required("properties.code")),
            Some(c) => match c
                .parse::<RegionCode>()
                .ok()
                .filter(|c| tree.get(c).is_some())
            {
                Some(code) => match seen.insert(code.clone(), n) {
                    Some(first) => Err(FieldError::new(
                        "properties.code",
                        c,
                        format!("kode yang belum dipakai fitur lain (sudah di fitur {first})"),
                        format!("a code no other feature has (feature {first} has it)"),
                    )),
                    None => Ok(code),
                },
                None => Err(FieldError::new(
                    "properties.code",
                    c,
                    "kode wilayah resmi Kemendagri (mis. 73.08.21.1003)",
                    "an official Kemendagri region code (e.g. 73.08.21.1003)",
                )),
            },
        };
        let shape = shape(f.get("geometry"));
        match (code, shape) {
            (Ok(code), Ok(shape)) => out.push(Feature { code, shape }),
            (code, shape) => {
                for error in [code.err(), shape.err()].into_iter().flatten() {
                    problems.push(FeatureProblem {
                        feature: n,
                        code: raw.clone(),
                        error,
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(ReadError::Features(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(code: &str) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}"}},"geometry":{{"type":"Polygon","coordinates":[[[120.1,-4.5],[120.2,-4.5],[120.2,-4.4],[120.1,-4.5]]]}}}}"#
        )
    }

    fn collection(features: &[String]) -> String {
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        )
    }

    #[test]
    fn good_features_are_read() {
        let tree = RegionTree::official();
        let got = read_features(
            &collection(&[square("73.08.21.1003"), square("73.08")]),
            tree,
        )
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].code.as_str(), "73.08.21.1003");
        assert_eq!(got[1].shape.points(), 4);
    }

    #[test]
    fn every_bad_feature_is_named_with_what_was_expected() {
        let tree = RegionTree::official();
        let point = r#"{"type":"Feature","properties":{"code":"73.08.21.1001"},"geometry":{"type":"Point","coordinates":[120.3,-4.5]}}"#;
        let swapped = r#"{"type":"Feature","properties":{"code":"73.08.21.1002"},"geometry":{"type":"Polygon","coordinates":[[[-4.5,120.1],[-4.5,120.2],[-4.4,120.2],[-4.5,120.1]]]}}"#;
        let open = r#"{"type":"Feature","properties":{"code":"73.08.21.1004"},"geometry":{"type":"Polygon","coordinates":[[[120.1,-4.5],[120.2,-4.5],[120.2,-4.4],[120.15,-4.45]]]}}"#;
        let nocode = r#"{"type":"Feature","properties":{},"geometry":null}"#;
        let err = read_features(
            &collection(&[
                square("73.08.21.1003"),
                square("73.08.21.9999"),
                point.into(),
                swapped.into(),
                open.into(),
                nocode.into(),
                square("73.08.21.1003"),
            ]),
            tree,
        )
        .unwrap_err();
        let lines = err.messages(Lang::Id);
        assert_eq!(lines.len(), 7, "{lines:#?}");
        assert!(
            lines[0].starts_with("fitur 2 (73.08.21.9999)")
                && lines[0].contains("kode wilayah resmi"),
            "{}",
            lines[0]
        );
        assert!(
            lines[1].starts_with("fitur 3")
                && lines[1].contains("Point")
                && lines[1].contains("Polygon atau MultiPolygon"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("fitur 4")
                && lines[2].contains("[-4.5, 120.1]")
                && lines[2].contains("bujur dulu"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].starts_with("fitur 5") && lines[3].contains("tertutup"),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with("fitur 6") && lines[4].contains("properties.code"),
            "{}",
            lines[4]
        );
        assert!(
            lines[5].starts_with("fitur 6") && lines[5].contains("geometry"),
            "{}",
            lines[5]
        );
        assert!(
            lines[6].starts_with("fitur 7") && lines[6].contains("fitur 1"),
            "{}",
            lines[6]
        );
        let en = err.messages(Lang::En);
        assert!(en[2].contains("longitude first"), "{}", en[2]);
    }

    #[test]
    fn a_geometry_written_reads_back() {
        let tree = RegionTree::official();
        let f = read_features(&collection(&[square("73.08.21.1003")]), tree).unwrap();
        let text = geometry_json(&f[0].shape);
        assert_eq!(
            text,
            r#"{"type":"Polygon","coordinates":[[[120.1,-4.5],[120.2,-4.5],[120.2,-4.4],[120.1,-4.5]]]}"#
        );
        assert_eq!(read_geometry(&text).unwrap(), f[0].shape);
        let two = Shape {
            polygons: vec![
                f[0].shape.polygons[0].clone(),
                f[0].shape.polygons[0].clone(),
            ],
        };
        assert!(geometry_json(&two).starts_with(r#"{"type":"MultiPolygon","coordinates":[[[["#));
        assert_eq!(read_geometry(&geometry_json(&two)).unwrap(), two);
    }

    #[test]
    fn files_that_are_not_feature_collections_are_refused() {
        let tree = RegionTree::official();
        assert!(matches!(
            read_features("{", tree),
            Err(ReadError::NotJson(_))
        ));
        assert_eq!(
            read_features(r#"{"type":"Topology"}"#, tree),
            Err(ReadError::NotFeatureCollection("Topology".into()))
        );
        assert_eq!(
            read_features(r#"{"type":"FeatureCollection","features":[]}"#, tree),
            Err(ReadError::Empty)
        );
    }
}
