//! Choropleth maps drawn on the server: a region's children as their shapes, coloured by a
//! measure in classes, with a legend that says the ranges; SVG with no script, legible on a
//! 360-pixel phone and in print. A child with no boundary is drawn as a point at its centre;
//! a child with no recorded group is hatched, not coloured as a low value.
//!
//! [`area_stats`] sums a profile's villages by child; [`Measure`] is what can colour the map;
//! [`choropleth`] draws it. The shapes come from the caller (the service finds them: loaded
//! into the database, or shipped with the program).

use crate::service::profile::ProfileData;
use crate::service::screening::Scope;
use std::collections::HashMap;
use std::fmt::Write as _;
use wahana_domain::geo::topology::Topology;
use wahana_domain::geo::{Bbox, Point, Shape};
use wahana_domain::profile::{BriefTally, Profile, format_count, format_number, format_percent};
use wahana_domain::xml::Xml;
use wahana_domain::{Lang, Region, RegionTree};

/// What colours the map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// Groups recorded (any screening outcome).
    #[default]
    Groups,
    /// Counted groups per surveyed village (F2's mean).
    PerVillage,
    /// The share of villages with recorded groups.
    Coverage,
    F1,
    F2,
    F3,
    F4,
    F5,
}

impl Measure {
    pub const ALL: [Measure; 8] = [
        Measure::Groups,
        Measure::PerVillage,
        Measure::Coverage,
        Measure::F1,
        Measure::F2,
        Measure::F3,
        Measure::F4,
        Measure::F5,
    ];

    /// The name in URLs (`?measure=`) and in the GeoJSON's properties.
    pub fn key(self) -> &'static str {
        match self {
            Measure::Groups => "groups",
            Measure::PerVillage => "per_village",
            Measure::Coverage => "coverage",
            Measure::F1 => "f1",
            Measure::F2 => "f2",
            Measure::F3 => "f3",
            Measure::F4 => "f4",
            Measure::F5 => "f5",
        }
    }

    pub fn parse(s: &str) -> Option<Measure> {
        let s = s.trim().to_ascii_lowercase();
        Measure::ALL.into_iter().find(|m| m.key() == s)
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Measure::Groups => lang.pick("Kelompok tercatat", "Groups recorded"),
            Measure::PerVillage => lang.pick(
                "Kelompok terhitung per desa/kelurahan terdata",
                "Counted groups per surveyed village",
            ),
            Measure::Coverage => lang.pick(
                "Cakupan pendataan: desa/kelurahan dengan kelompok",
                "Survey coverage: villages with groups",
            ),
            Measure::F1 => lang.pick(
                "F1 — berumur 10 tahun atau lebih",
                "F1 — 10 years old or more",
            ),
            Measure::F2 => lang.pick(
                "F2 — desa/kelurahan dengan lebih dari 50 kelompok",
                "F2 — villages with more than 50 groups",
            ),
            Measure::F3 => lang.pick(
                "F3 — tumbuh dari masyarakat",
                "F3 — grown from the community",
            ),
            Measure::F4 => lang.pick(
                "F4 — bertujuan ketahanan atau kesejahteraan anggota",
                "F4 — aiming at resilience or members' welfare",
            ),
            Measure::F5 => lang.pick(
                "F5 — kebersamaan, tolong-menolong, gotong royong",
                "F5 — togetherness, mutual help, gotong royong",
            ),
        }
    }

    /// A share (0 to 1, drawn in fixed classes of 20 points) rather than a count.
    pub fn is_share(self) -> bool {
        !matches!(self, Measure::Groups | Measure::PerVillage)
    }

    /// The value as people read it.
    pub fn format(self, v: f64, lang: Lang) -> String {
        match self {
            Measure::Groups => format_count(v.round() as u64, lang),
            Measure::PerVillage => format_number(v, lang),
            _ => format_percent(v, lang),
        }
    }
}

/// One child region's sums, from the profile's villages.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaStats {
    pub code: String,
    pub name: String,
    /// Villages of the child in the official tree.
    pub villages: u64,
    /// Villages holding recorded groups.
    pub surveyed: u64,
    /// Surveyed villages with more than 50 counted groups.
    pub over_50: u64,
    pub recorded: u64,
    pub counted: BriefTally,
    /// The child's centre in the official tree, where it has one.
    pub centre: Option<Point>,
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

impl AreaStats {
    /// The measure's value; `None` when the child has no recorded group (or, for a share of
    /// counted groups, none counted), which the map hatches.
    pub fn value(&self, m: Measure) -> Option<f64> {
        if self.recorded == 0 {
            return None;
        }
        let c = &self.counted;
        match m {
            Measure::Groups => Some(self.recorded as f64),
            Measure::PerVillage => ratio(c.groups, self.surveyed),
            Measure::Coverage => ratio(self.surveyed, self.villages),
            Measure::F1 => ratio(c.older_10, c.groups),
            Measure::F2 => ratio(self.over_50, self.surveyed),
            Measure::F3 => ratio(c.grown_from_community, c.groups),
            Measure::F4 => ratio(c.resilience_or_welfare, c.groups),
            Measure::F5 => ratio(c.core_values, c.groups),
        }
    }
}

/// The children of `region` (the provinces for the country) with nothing counted yet.
pub fn empty_stats(region: Option<&Region>) -> Vec<AreaStats> {
    let tree = RegionTree::official();
    let children = match region {
        None => tree.provinces(),
        Some(r) => tree.children(&r.code),
    };
    children
        .iter()
        .map(|c| AreaStats {
            code: c.code.to_string(),
            name: c.name.clone(),
            villages: tree.villages_under(&c.code).len().max(1) as u64,
            surveyed: 0,
            over_50: 0,
            recorded: 0,
            counted: BriefTally::default(),
            centre: c.lat.zip(c.lng).map(|(lat, lng)| [lng, lat]),
        })
        .collect()
}

/// The profile's villages summed by child of its region (provinces for the country; the
/// villages themselves for a kecamatan), in code order; empty for a village.
pub fn area_stats(data: &ProfileData, profile: &Profile<'_>) -> Vec<AreaStats> {
    let mut rows = empty_stats(match data.scope {
        Scope::National => None,
        Scope::Region(r) => Some(r),
    });
    // Villages come in code order, and so do the children: one merge.
    let mut i = 0;
    for (v, t) in profile.by_village.iter().zip(&data.tallies.villages) {
        let under = |code: &str| {
            v.code == code
                || (v.code.len() > code.len()
                    && v.code.starts_with(code)
                    && v.code.as_bytes()[code.len()] == b'.')
        };
        while i < rows.len() && !under(&rows[i].code) {
            i += 1;
        }
        let Some(row) = rows.get_mut(i) else { break };
        if v.recorded > 0 {
            row.surveyed += 1;
        }
        if t.qualifying.groups > wahana_domain::profile::DENSE_VILLAGE {
            row.over_50 += 1;
        }
        row.recorded += v.recorded;
        row.counted.add(&t.qualifying);
    }
    rows
}

/// The map of a region's children (`stats`, from [`area_stats`] or [`empty_stats`]) with their
/// `shapes` by code, coloured by `measure`; each links to its page with `query` (`?measure=…`),
/// or to nothing when `query` is `None` (a report file). `None` when the region has no
/// children (a village).
pub fn region_map(
    region: Option<&Region>,
    stats: &[AreaStats],
    shapes: &HashMap<String, Shape>,
    measure: Measure,
    query: Option<&str>,
    lang: Lang,
) -> Option<Choropleth> {
    if stats.is_empty() {
        return None;
    }
    let areas: Vec<Area<'_>> = stats
        .iter()
        .map(|s| Area {
            code: &s.code,
            name: &s.name,
            shape: shapes.get(&s.code),
            centre: s.centre,
            value: s.value(measure),
            href: match query {
                None => String::new(),
                Some(q) => format!("/regions/{}{q}", s.code),
            },
        })
        .collect();
    // A kabupaten's or kota's name already says which it is ("Kabupaten Bone").
    let place = match region {
        Some(r) if r.level() == wahana_domain::Level::Regency => r.name.clone(),
        Some(r) => r.titled(lang),
        None => "Indonesia".to_string(),
    };
    let title = format!("{} — {place}", measure.label(lang));
    Some(choropleth(&areas, measure, &title, "peta", lang))
}

/// The children as a GeoJSON `FeatureCollection` for a GIS (QGIS, ogr2ogr): each its boundary
/// (or, without one, a `Point` at its centre) and, as properties, its code, name, counts and
/// every measure (`null` where the map hatches), shares as fractions of 1.
pub fn measures_geojson(stats: &[AreaStats], shapes: &HashMap<String, Shape>) -> String {
    use serde_json::{Value, json};
    let mut out = String::from("{\"type\":\"FeatureCollection\",\"features\":[");
    for (i, s) in stats.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        let geometry = match (shapes.get(&s.code), s.centre) {
            (Some(shape), _) => wahana_domain::geo::geojson::geometry_json(shape),
            (None, Some(p)) => json!({"type": "Point", "coordinates": [p[0], p[1]]}).to_string(),
            (None, None) => "null".to_string(),
        };
        let mut props = serde_json::Map::new();
        props.insert("code".into(), json!(s.code));
        props.insert("name".into(), json!(s.name));
        props.insert("has_boundary".into(), json!(shapes.contains_key(&s.code)));
        props.insert("villages".into(), json!(s.villages));
        props.insert("villages_surveyed".into(), json!(s.surveyed));
        props.insert("groups_recorded".into(), json!(s.recorded));
        props.insert("groups_counted".into(), json!(s.counted.groups));
        for m in Measure::ALL {
            props.insert(
                m.key().into(),
                s.value(m).map(|v| json!(v)).unwrap_or(Value::Null),
            );
        }
        let _ = write!(
            out,
            "{{\"type\":\"Feature\",\"properties\":{},\"geometry\":{geometry}}}",
            Value::Object(props)
        );
    }
    out.push_str("]}\n");
    out
}

/// One region on the map.
#[derive(Debug, Clone)]
pub struct Area<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// Its boundary, when there is one.
    pub shape: Option<&'a Shape>,
    /// Where its point goes when it has no boundary.
    pub centre: Option<Point>,
    /// `None`: no recorded group (hatched).
    pub value: Option<f64>,
    /// Where its shape links.
    pub href: String,
}

/// A class of the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    pub colour: &'static str,
    /// The lower bound (included).
    pub from: f64,
    pub label: String,
}

/// A line of the list beside the map.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub code: String,
    pub name: String,
    pub href: String,
    /// The fill: a class's colour, or `None` for no recorded group.
    pub colour: Option<&'static str>,
    pub value: String,
    pub has_boundary: bool,
}

/// A drawn map and what goes beside it.
#[derive(Debug, Clone)]
pub struct Choropleth {
    /// The SVG, legend included, standalone (it carries its namespace).
    pub svg: String,
    pub classes: Vec<Class>,
    pub rows: Vec<Row>,
    /// Names of the regions drawn as points (no boundary known).
    pub without_boundary: Vec<String>,
}

/// Viridis in five steps, light to dark: ordered, and told apart with any colour vision.
pub const PALETTE: [&str; 5] = ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"];
/// The fill of "no recorded group".
const NO_DATA: &str = "url(#nodata)";

/// Two significant digits, for a class bound people can read.
fn nice(v: f64) -> f64 {
    if v <= 0.0 {
        return 0.0;
    }
    let mag = 10f64
        .powi(v.log10().floor() as i32 - 1)
        .max(if v >= 1.0 { 1.0 } else { 0.01 });
    (v / mag).round() * mag
}

/// The classes for a measure's values: fixed fifths for shares; for counts, bounds at the
/// quintiles of the values, rounded.
pub fn classes(measure: Measure, values: &[f64], lang: Lang) -> Vec<Class> {
    if measure.is_share() {
        return (0..5)
            .map(|i| {
                let (lo, hi) = (i as f64 * 0.2, (i + 1) as f64 * 0.2);
                Class {
                    colour: PALETTE[i],
                    from: lo,
                    label: format!(
                        "{}–{}",
                        format_percent(lo, lang).trim_end_matches('%'),
                        format_percent(hi, lang)
                    ),
                }
            })
            .collect();
    }
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let Some(&max) = sorted.last() else {
        return Vec::new();
    };
    let min = sorted[0];
    let whole = measure == Measure::Groups;
    let mut bounds: Vec<f64> = vec![if whole {
        min.floor()
    } else {
        nice(min).min(min)
    }];
    for q in 1..5 {
        let v = sorted[(sorted.len() * q / 5).min(sorted.len() - 1)];
        let b = if whole { nice(v).round() } else { nice(v) };
        if b > *bounds.last().unwrap_or(&f64::MIN) && b <= max {
            bounds.push(b);
        }
    }
    // Colours spread over the palette when there are fewer classes.
    let n = bounds.len();
    let pick = |i: usize| -> &'static str {
        if n <= 1 {
            PALETTE[2]
        } else {
            PALETTE[i * (PALETTE.len() - 1) / (n - 1)]
        }
    };
    let show = |v: f64| measure.format(v, lang);
    (0..n)
        .map(|i| {
            let lo = bounds[i];
            let label = match bounds.get(i + 1) {
                Some(&hi) if whole => {
                    if hi - 1.0 > lo {
                        format!("{}–{}", show(lo), show(hi - 1.0))
                    } else {
                        show(lo)
                    }
                }
                Some(&hi) => format!(
                    "{}–{} ({})",
                    show(lo),
                    show(hi),
                    lang.pick("tidak termasuk", "exclusive")
                ),
                None if lo < max => format!("{}–{}", show(lo), show(max)),
                None => show(lo),
            };
            Class {
                colour: pick(i),
                from: lo,
                label,
            }
        })
        .collect()
}

fn class_of(classes: &[Class], v: f64) -> Option<&Class> {
    classes
        .iter()
        .rev()
        .find(|c| v >= c.from - 1e-9)
        .or(classes.first())
}

/// `<a href="…">` around a shape, or nothing for a map without links (a report file).
fn open_link(href: &str) -> String {
    if href.is_empty() {
        String::new()
    } else {
        format!("<a href=\"{}\">", Xml(href))
    }
}

fn close_link(href: &str) -> &'static str {
    if href.is_empty() { "" } else { "</a>" }
}

/// The map's width in SVG units; a 360-pixel phone shows it at about 0.85 px per unit, so
/// text of 13 units reads at 11 px.
const WIDTH: f64 = 400.0;
const MAX_HEIGHT: f64 = 440.0;
const PAD: f64 = 6.0;
const FONT: f64 = 13.0;
/// Regions named on the map itself (more would overlap; the list names them all).
const LABELS_MAX: usize = 12;

/// Draws `areas` coloured by `measure`. `title` names the map for screen readers and print;
/// `id` keeps the hatch pattern's id apart from another map's on the same page.
pub fn choropleth(
    areas: &[Area<'_>],
    measure: Measure,
    title: &str,
    id: &str,
    lang: Lang,
) -> Choropleth {
    let values: Vec<f64> = areas.iter().filter_map(|a| a.value).collect();
    let classes = classes(measure, &values, lang);
    let colour_of = |v: Option<f64>| v.and_then(|v| class_of(&classes, v)).map(|c| c.colour);

    // The frame: every shape and every point.
    let mut b = Bbox::EMPTY;
    for a in areas {
        match a.shape {
            Some(s) => b.union(&s.bbox()),
            None => {
                if let Some(p) = a.centre {
                    b.extend(p);
                }
            }
        }
    }
    if b.is_empty() {
        b = Bbox {
            west: 0.0,
            south: 0.0,
            east: 1.0,
            north: 1.0,
        };
    }
    // Equirectangular, narrowed by the cosine of the middle latitude.
    let kx = ((b.south + b.north) / 2.0).to_radians().cos();
    let span_x = ((b.east - b.west) * kx).max(1e-6);
    let span_y = (b.north - b.south).max(1e-6);
    let s = ((WIDTH - 2.0 * PAD) / span_x).min((MAX_HEIGHT - 2.0 * PAD) / span_y);
    let map_h = span_y * s + 2.0 * PAD;
    let ox = (WIDTH - span_x * s) / 2.0;
    let x = |lon: f64| ox + (lon - b.west) * kx * s;
    let y = |lat: f64| PAD + (b.north - lat) * s;

    // The shapes as one topology at the drawing's own resolution: a border two regions share
    // is thinned once, so they still meet.
    let units_per_degree = s;
    let shaped: Vec<(usize, &Shape)> = areas
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.shape.map(|s| (i, s)))
        .collect();
    let keys: Vec<String> = shaped.iter().map(|(i, _)| i.to_string()).collect();
    let mut topo = Topology::build(
        shaped
            .iter()
            .zip(&keys)
            .map(|((_, shape), k)| (k.as_str(), "", *shape)),
        0.2 / units_per_degree,
    );
    topo.simplify(0.35 / units_per_degree);
    let mut drawn: Vec<Option<Shape>> = vec![None; areas.len()];
    for f in &topo.features {
        if let Ok(i) = f.code.parse::<usize>() {
            drawn[i] = Some(topo.shape(f));
        }
    }

    let legend_rows = classes.len() + 1;
    let legend_h = 8.0 + FONT * 1.5 * (legend_rows as f64 + 1.0);
    let height = map_h + legend_h;
    let mut svg = String::with_capacity(16 * 1024);
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" width=\"100%\" role=\"img\" aria-label=\"{t}\" font-family=\"system-ui, Arial, sans-serif\" font-size=\"{FONT}\" class=\"choropleth\"><title>{t}</title>\
         <defs><pattern id=\"{id}-nodata\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#8a8a8a\" stroke-width=\"2\"/></pattern></defs>\
         <rect width=\"{WIDTH}\" height=\"{map_h:.0}\" fill=\"#eef3f8\"/>",
        t = Xml(title),
    );
    let no_data = NO_DATA.replace("nodata", &format!("{id}-nodata"));
    let mut rows = Vec::with_capacity(areas.len());
    let mut without_boundary = Vec::new();
    for (i, a) in areas.iter().enumerate() {
        let fill = colour_of(a.value).unwrap_or(no_data.as_str()).to_string();
        let value_text = a.value.map(|v| measure.format(v, lang)).unwrap_or_else(|| {
            lang.pick("tidak ada kelompok tercatat", "no group recorded")
                .to_string()
        });
        let tip = format!("{}: {}", a.name, value_text);
        match &drawn[i] {
            Some(shape) => {
                let mut d = String::new();
                for ring in shape.polygons.iter().flatten() {
                    let mut last = (f64::NAN, f64::NAN);
                    for (k, p) in ring.iter().enumerate() {
                        let (px, py) = (
                            (x(p[0]) * 10.0).round() / 10.0,
                            (y(p[1]) * 10.0).round() / 10.0,
                        );
                        if (px, py) == last {
                            continue;
                        }
                        last = (px, py);
                        d.push(if k == 0 { 'M' } else { 'L' });
                        let _ = write!(d, "{px} {py}");
                    }
                    d.push('Z');
                }
                let _ = write!(
                    svg,
                    "{}<path d=\"{d}\" fill=\"{fill}\" fill-rule=\"evenodd\" stroke=\"#3a3a3a\" stroke-width=\"0.6\" stroke-linejoin=\"round\" data-code=\"{}\"><title>{}</title></path>{}",
                    open_link(&a.href),
                    Xml(a.code),
                    Xml(&tip),
                    close_link(&a.href)
                );
            }
            None => {
                without_boundary.push(a.name.to_string());
                if let Some(p) = a.centre {
                    let _ = write!(
                        svg,
                        "{}<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5\" fill=\"{fill}\" stroke=\"#1a202c\" stroke-width=\"0.8\" data-code=\"{}\"><title>{}</title></circle>{}",
                        open_link(&a.href),
                        x(p[0]),
                        y(p[1]),
                        Xml(a.code),
                        Xml(&tip),
                        close_link(&a.href)
                    );
                }
            }
        }
        rows.push(Row {
            code: a.code.to_string(),
            name: a.name.to_string(),
            href: a.href.clone(),
            colour: colour_of(a.value),
            value: value_text,
            has_boundary: drawn[i].is_some(),
        });
    }
    // Names on the map when few, over a white halo so they read on any colour.
    if areas.len() <= LABELS_MAX {
        for (i, a) in areas.iter().enumerate() {
            let at = drawn[i].as_ref().and_then(Shape::label_point).or(a.centre);
            if let Some(p) = at {
                let _ = write!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1a202c\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\" stroke-linejoin=\"round\" pointer-events=\"none\">{}</text>",
                    x(p[0]),
                    y(p[1]) + FONT / 3.0,
                    Xml(a.name)
                );
            }
        }
    }
    // The legend, under the map.
    let mut ly = map_h + 8.0 + FONT * 1.2;
    let _ = write!(
        svg,
        "<text x=\"{PAD}\" y=\"{ly:.1}\" font-weight=\"bold\">{}</text>",
        Xml(measure.label(lang))
    );
    let sw = FONT * 1.1;
    let mut key = |fill: &str, label: &str| {
        ly += FONT * 1.5;
        let _ = write!(
            svg,
            "<rect x=\"{PAD}\" y=\"{:.1}\" width=\"{sw:.1}\" height=\"{sw:.1}\" fill=\"{fill}\" stroke=\"#3a3a3a\" stroke-width=\"0.6\"/><text x=\"{:.1}\" y=\"{ly:.1}\">{}</text>",
            ly - sw + 2.0,
            PAD + sw + 6.0,
            Xml(label)
        );
    };
    for c in &classes {
        key(c.colour, &c.label);
    }
    key(
        &no_data,
        lang.pick("tidak ada kelompok tercatat", "no group recorded"),
    );
    svg.push_str("</svg>");
    Choropleth {
        svg,
        classes,
        rows,
        without_boundary,
    }
}

/// The map a profile report carries: the children coloured by the groups recorded, without
/// links (the report is a file). `None` for a village.
pub fn report_map(
    data: &ProfileData,
    profile: &Profile<'_>,
    shapes: &HashMap<String, Shape>,
    lang: Lang,
) -> Option<Choropleth> {
    let region = match data.scope {
        Scope::National => None,
        Scope::Region(r) => Some(r),
    };
    region_map(
        region,
        &area_stats(data, profile),
        shapes,
        Measure::Groups,
        None,
        lang,
    )
}

/// The fonts the PNG rendering of a map finds on this machine, loaded once.
fn fonts() -> std::sync::Arc<resvg::usvg::fontdb::Database> {
    static FONTS: std::sync::OnceLock<std::sync::Arc<resvg::usvg::fontdb::Database>> =
        std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_system_fonts();
            // `sans-serif` is whatever sans face the machine has (DejaVu, Liberation, Noto…).
            let sans = db
                .faces()
                .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
                .find(|name| name.contains("Sans") && !name.contains("Mono"))
                .or_else(|| {
                    db.faces()
                        .next()
                        .and_then(|f| f.families.first().map(|(n, _)| n.clone()))
                });
            if let Some(sans) = sans {
                db.set_sans_serif_family(sans);
            }
            std::sync::Arc::new(db)
        })
        .clone()
}

/// A map's SVG as a PNG `width` pixels wide (for the XLSX report, which takes no SVG).
pub fn png(svg: &str, width: u32) -> Result<Vec<u8>, String> {
    let opt = resvg::usvg::Options {
        fontdb: fonts(),
        ..resvg::usvg::Options::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| e.to_string())?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| format!("no image of {width}×{height}"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x: f64, y: f64) -> Shape {
        Shape {
            polygons: vec![vec![vec![
                [x, y],
                [x + 0.1, y],
                [x + 0.1, y + 0.1],
                [x, y + 0.1],
                [x, y],
            ]]],
        }
    }

    #[test]
    fn share_classes_are_fifths_and_count_classes_follow_the_values() {
        let c = classes(Measure::F1, &[0.1, 0.9], Lang::Id);
        assert_eq!(c.len(), 5);
        assert_eq!(c[0].label, "0–20%");
        assert_eq!(c[4].label, "80–100%");
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        let c = classes(Measure::Groups, &values, Lang::En);
        assert_eq!(c.len(), 5, "{c:?}");
        assert_eq!(c[0].label, "1–20");
        assert_eq!(c[4].label, "81–100");
        // Every value lands in the class whose range says it.
        assert_eq!(class_of(&c, 20.0).unwrap().label, "1–20");
        assert_eq!(class_of(&c, 21.0).unwrap().label, "21–40");
        // One value: one class.
        assert_eq!(classes(Measure::Groups, &[7.0, 7.0], Lang::En).len(), 1);
    }

    #[test]
    fn shapes_link_to_their_pages_points_stand_in_and_no_data_is_hatched() {
        let (a, b) = (square(120.0, -4.0), square(120.1, -4.0));
        let areas = [
            Area {
                code: "73.08.21.1001",
                name: "Bukaka",
                shape: Some(&a),
                centre: None,
                value: Some(12.0),
                href: "/regions/73.08.21.1001".into(),
            },
            Area {
                code: "73.08.21.1002",
                name: "Manurunge <&>",
                shape: Some(&b),
                centre: None,
                value: None,
                href: "/regions/73.08.21.1002".into(),
            },
            Area {
                code: "73.08.21.1003",
                name: "Macanang",
                shape: None,
                centre: Some([120.05, -3.95]),
                value: Some(40.0),
                href: "/regions/73.08.21.1003".into(),
            },
        ];
        let m = choropleth(&areas, Measure::Groups, "Peta", "m1", Lang::Id);
        assert_eq!(m.svg.matches("<path").count(), 2);
        assert_eq!(m.svg.matches("<circle").count(), 1);
        assert!(m.svg.contains("href=\"/regions/73.08.21.1001\""));
        assert!(m.svg.contains("fill=\"url(#m1-nodata)\""), "hatched");
        assert!(m.svg.contains("Manurunge &lt;&amp;&gt;"));
        assert_eq!(m.without_boundary, vec!["Macanang".to_string()]);
        assert_eq!(m.rows[1].colour, None);
        assert_ne!(
            m.rows[0].colour, m.rows[2].colour,
            "12 and 40 in different classes"
        );
        // The shared side is drawn at the same place by both squares: its two corners.
        let corners = |n: usize| -> std::collections::BTreeSet<String> {
            let d = m
                .svg
                .split(" d=\"")
                .nth(n)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            d.split(['M', 'L', 'Z'])
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect()
        };
        assert_eq!(corners(1).intersection(&corners(2)).count(), 2);
    }
}
