//! Drawing the network: a deterministic force-directed layout and an SVG picture.

use super::{Graph, NetworkMeasures, NodeKind};
use crate::Lang;
use crate::codes::{Code, GroupType};
use crate::xml::Xml;
use std::fmt::Write;

/// Above this many nodes [`to_svg`] draws a summary instead of the network: a picture of more
/// nodes is a hairball that shows nothing.
pub const DRAW_LIMIT: usize = 300;

/// Above this many nodes [`layout`] returns the seeded starting positions without running the
/// simulation, whose cost grows with the square of the node count.
pub const LAYOUT_LIMIT: usize = 1000;

const ITERATIONS: usize = 300;
/// Pull toward the centre, so that isolated nodes and small components stay near the rest.
const GRAVITY: f64 = 2.0;

/// Positions for drawing, in the unit box `[0, 1] × [0, 1]` (centred, aspect kept):
/// Fruchterman–Reingold with a fixed number of iterations, started from positions derived from
/// each node's id. The same graph always gets the same picture.
pub fn layout(graph: &Graph) -> Vec<(f64, f64)> {
    let n = graph.node_count();
    let mut pos: Vec<(f64, f64)> = (0..n).map(|i| seed_position(&graph.node_id(i))).collect();
    if n < 2 {
        return vec![(0.5, 0.5); n];
    }
    if n <= LAYOUT_LIMIT {
        fruchterman_reingold(graph, &mut pos);
    }
    normalise(&mut pos);
    pos
}

/// A starting position from the id's FNV-1a hash, stirred by splitmix64.
fn seed_position(id: &str) -> (f64, f64) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let x = splitmix(&mut h);
    let y = splitmix(&mut h);
    let unit = |u: u64| (u >> 11) as f64 / (1u64 << 53) as f64;
    (unit(x), unit(y))
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fruchterman_reingold(graph: &Graph, pos: &mut [(f64, f64)]) {
    let n = pos.len();
    // Ideal distance for n nodes in the unit square.
    let k = (1.0 / n as f64).sqrt();
    let k2 = k * k;
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for it in 0..ITERATIONS {
        let temperature = 0.1 * (1.0 - it as f64 / ITERATIONS as f64);
        disp.fill((0.0, 0.0));
        for i in 0..n {
            for j in i + 1..n {
                let (mut dx, mut dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let mut d2 = dx * dx + dy * dy;
                if d2 < 1e-18 {
                    // Two nodes on one spot: part them in a direction fixed by their indices.
                    let a = (i * 31 + j * 17) as f64;
                    (dx, dy) = (1e-6 * a.cos(), 1e-6 * a.sin());
                    d2 = 1e-12;
                }
                // Repulsion k²/d along the unit vector.
                let f = k2 / d2;
                disp[i].0 += dx * f;
                disp[i].1 += dy * f;
                disp[j].0 -= dx * f;
                disp[j].1 -= dy * f;
            }
        }
        for (a, b) in graph.ties() {
            let (a, b) = (a as usize, b as usize);
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            // Attraction d²/k along the unit vector.
            let f = (dx * dx + dy * dy).sqrt() / k;
            disp[a].0 -= dx * f;
            disp[a].1 -= dy * f;
            disp[b].0 += dx * f;
            disp[b].1 += dy * f;
        }
        for (p, d) in pos.iter_mut().zip(&disp) {
            let dx = d.0 - GRAVITY * (p.0 - 0.5);
            let dy = d.1 - GRAVITY * (p.1 - 0.5);
            let len = (dx * dx + dy * dy).sqrt();
            if len > 0.0 {
                let step = len.min(temperature) / len;
                p.0 += dx * step;
                p.1 += dy * step;
            }
        }
    }
}

/// Scales and centres positions into the unit box, keeping the aspect.
fn normalise(pos: &mut [(f64, f64)]) {
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pos.iter() {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    let span = (x1 - x0).max(y1 - y0);
    for p in pos.iter_mut() {
        *p = if span > 1e-12 {
            (
                (p.0 - x0) / span + (1.0 - (x1 - x0) / span) / 2.0,
                (p.1 - y0) / span + (1.0 - (y1 - y0) / span) / 2.0,
            )
        } else {
            (0.5, 0.5)
        };
    }
}

/// Colours of the group types, in [`GroupType::ALL`] order ("other" last, in grey).
const PALETTE: [&str; 19] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
    "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2",
    "#dbdb8d", "#9edae5", "#7f7f7f",
];
const UNTYPED: &str = "#888888";

fn colour(t: Option<GroupType>) -> &'static str {
    t.and_then(|t| PALETTE.get(t.index()).copied())
        .unwrap_or(UNTYPED)
}

/// The network as an SVG picture, with labels in `lang`: nodes sized by degree and coloured by
/// group type, institutions as squares, networks as diamonds, the top brokers named, and a
/// legend. A network of more than [`DRAW_LIMIT`] nodes gets a summary picture instead (counts
/// and a histogram of component sizes). `positions` come from [`layout`]; if they do not match
/// the graph, the layout is computed here.
pub fn to_svg(
    graph: &Graph,
    measures: &NetworkMeasures,
    positions: &[(f64, f64)],
    lang: Lang,
) -> String {
    if graph.node_count() > DRAW_LIMIT {
        return summary_svg(graph, measures, lang);
    }
    let computed;
    let positions = if positions.len() == graph.node_count() {
        positions
    } else {
        computed = layout(graph);
        &computed
    };
    network_svg(graph, measures, positions, lang)
}

/// Where the nodes go in the picture: x and y of the plot's top-left corner and its side, in
/// SVG units (positions from 0 to 1 are scaled into it). A background drawn under the nodes
/// ([`to_svg_over`]) uses the same frame.
pub const PLOT_FRAME: (f64, f64, f64) = (PLOT_X + 20.0, PLOT_Y + 20.0, PLOT - 40.0);

/// Actors drawn one by one when placed on a map ([`to_svg_over`]); above, the summary.
pub const MAP_DRAW_LIMIT: usize = 3000;

/// [`to_svg`] with `background` (SVG elements in the picture's units, such as the borders of
/// the villages the nodes are placed in) drawn under the ties and nodes.
pub fn to_svg_over(
    graph: &Graph,
    measures: &NetworkMeasures,
    positions: &[(f64, f64)],
    background: &str,
    lang: Lang,
) -> String {
    // Placed, not laid out: a map reads with more actors than a force-directed drawing.
    if graph.node_count() > MAP_DRAW_LIMIT || positions.len() != graph.node_count() {
        return to_svg(graph, measures, positions, lang);
    }
    let svg = network_svg(graph, measures, positions, lang);
    // Under everything but the white page: right after the first rect.
    match svg.find("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n") {
        Some(i) => {
            let end = i + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n".len();
            format!("{}{background}\n{}", &svg[..end], &svg[end..])
        }
        None => svg,
    }
}

const WIDTH: f64 = 1000.0;
const HEIGHT: f64 = 760.0;
const PLOT: f64 = 640.0;
const PLOT_X: f64 = 30.0;
const PLOT_Y: f64 = 90.0;
const MAX_LABELS: usize = 10;

fn open_svg(out: &mut String, width: f64, height: f64, title: &str) {
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" role=\"img\" \
         aria-label=\"{t}\">\n<title>{t}</title>\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
        t = Xml(title)
    );
}

fn text(out: &mut String, x: f64, y: f64, size: u32, weight: &str, s: &str) {
    let _ = writeln!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" font-weight=\"{weight}\">{}</text>",
        Xml(s)
    );
}

/// The shape of one node, centred at (x, y) with size r.
fn shape(out: &mut String, kind: NodeKind, fill: &str, x: f64, y: f64, r: f64, tip: &str) {
    let tip = if tip.is_empty() {
        String::new()
    } else {
        format!("<title>{}</title>", Xml(tip))
    };
    let _ = match kind {
        NodeKind::Group => writeln!(
            out,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.1}\" fill=\"{fill}\" stroke=\"#ffffff\" \
             stroke-width=\"1\">{tip}</circle>"
        ),
        NodeKind::Institution => writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{s:.1}\" height=\"{s:.1}\" fill=\"#ffffff\" \
             stroke=\"#263238\" stroke-width=\"2\">{tip}</rect>",
            x - r * 0.9,
            y - r * 0.9,
            s = r * 1.8
        ),
        NodeKind::Network => writeln!(
            out,
            "<polygon points=\"{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}\" \
             fill=\"#263238\" stroke=\"#ffffff\" stroke-width=\"1\">{tip}</polygon>",
            y - r * 1.2,
            x + r * 1.2,
            y + r * 1.2,
            x - r * 1.2
        ),
    };
}

fn network_svg(
    graph: &Graph,
    measures: &NetworkMeasures,
    positions: &[(f64, f64)],
    lang: Lang,
) -> String {
    let n = graph.node_count();
    let degrees = graph.degrees();
    let radius = |i: usize| (4.0 + 2.2 * f64::from(degrees[i]).sqrt()).min(16.0);
    let at = |i: usize| {
        let (x, y) = positions[i];
        (
            PLOT_X + 20.0 + x * (PLOT - 40.0),
            PLOT_Y + 20.0 + y * (PLOT - 40.0),
        )
    };
    let kind = |i: usize| graph.node(i).map_or(NodeKind::Group, |x| x.kind);
    let name = |i: usize| {
        graph
            .node(i)
            .map_or_else(|| graph.node_id(i).into_owned(), |x| x.name.clone())
    };

    let title = format!(
        "{}: {} {}, {} {}, {} {}",
        lang.pick("Jejaring WKSBM", "WKSBM network"),
        num(n, lang),
        lang.pick("pelaku", "actors"),
        num(graph.tie_count(), lang),
        lang.pick("ikatan", "ties"),
        num(measures.components, lang),
        lang.pick("komponen", "components"),
    );
    let mut out = String::with_capacity(4000 + n * 300 + graph.tie_count() * 90);
    open_svg(&mut out, WIDTH, HEIGHT, &title);
    text(&mut out, 30.0, 36.0, 20, "bold", &title);
    text(
        &mut out,
        30.0,
        62.0,
        13,
        "normal",
        &format!(
            "{} {} · {} {} · {} {}",
            lang.pick("kepadatan", "density"),
            dec(measures.density, lang),
            lang.pick("kelompok terisolasi", "isolated groups"),
            num(measures.isolates, lang),
            lang.pick("ikatan lintas desa", "ties across villages"),
            num(measures.cross_village_ties, lang),
        ),
    );

    out.push_str("<g stroke=\"#9e9e9e\" stroke-opacity=\"0.6\" stroke-width=\"1\">\n");
    for (a, b) in graph.ties() {
        let ((x1, y1), (x2, y2)) = (at(a as usize), at(b as usize));
        let _ = writeln!(
            out,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"/>"
        );
    }
    out.push_str("</g>\n<g>\n");
    // Big nodes last, so that small ones are not hidden under them.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (degrees[i], i));
    for &i in &order {
        let (x, y) = at(i);
        let node = graph.node(i);
        let fill = colour(node.and_then(|x| x.group_type));
        let tip = format!(
            "{} ({}, {} {})",
            name(i),
            kind(i).label(lang),
            lang.pick("derajat", "degree"),
            degrees[i]
        );
        shape(&mut out, kind(i), fill, x, y, radius(i), &tip);
    }
    out.push_str(
        "</g>\n<g font-size=\"12\" paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\">\n",
    );
    for b in measures.top_brokers.iter().take(MAX_LABELS) {
        let Some(i) = (0..n).find(|&i| graph.node_id(i) == b.id.as_str()) else {
            continue;
        };
        let (x, y) = at(i);
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + radius(i) + 3.0,
            y + 4.0,
            Xml(&name(i))
        );
    }
    out.push_str("</g>\n");
    legend(&mut out, graph, measures, lang);
    out.push_str("</svg>\n");
    out
}

fn legend(out: &mut String, graph: &Graph, measures: &NetworkMeasures, lang: Lang) {
    let x = PLOT_X + PLOT + 20.0;
    let mut y = PLOT_Y;
    let mut present = [false; PALETTE.len()];
    let mut untyped = false;
    if graph.has_kinds() {
        for i in 0..graph.node_count() {
            match (graph.kind(i), graph.group_type(i)) {
                (NodeKind::Group, Some(t)) => present[t.index().min(PALETTE.len() - 1)] = true,
                (NodeKind::Group, None) => untyped = true,
                _ => {}
            }
        }
    } else {
        untyped = true;
    }
    text(
        out,
        x,
        y,
        14,
        "bold",
        lang.pick("Jenis kelompok", "Group type"),
    );
    y += 20.0;
    for t in GroupType::ALL.iter().filter(|t| present[t.index()]) {
        shape(
            out,
            NodeKind::Group,
            colour(Some(*t)),
            x + 6.0,
            y - 4.0,
            6.0,
            "",
        );
        text(out, x + 18.0, y, 12, "normal", t.label(lang));
        y += 17.0;
    }
    if untyped {
        shape(out, NodeKind::Group, UNTYPED, x + 6.0, y - 4.0, 6.0, "");
        text(
            out,
            x + 18.0,
            y,
            12,
            "normal",
            lang.pick("Tanpa jenis", "No type"),
        );
        y += 17.0;
    }
    y += 10.0;
    text(out, x, y, 14, "bold", lang.pick("Pelaku", "Actors"));
    y += 20.0;
    for kind in [NodeKind::Group, NodeKind::Institution, NodeKind::Network] {
        shape(out, kind, "#bdbdbd", x + 6.0, y - 4.0, 6.0, "");
        text(out, x + 18.0, y, 12, "normal", kind.label(lang));
        y += 18.0;
    }
    text(
        out,
        x,
        y,
        12,
        "normal",
        lang.pick(
            "Ukuran: jumlah ikatan (derajat)",
            "Size: number of ties (degree)",
        ),
    );
    y += 28.0;
    if !measures.top_brokers.is_empty() {
        text(
            out,
            x,
            y,
            14,
            "bold",
            lang.pick(
                "Perantara utama (keperantaraan)",
                "Top brokers (betweenness)",
            ),
        );
        y += 18.0;
        for (rank, b) in measures.top_brokers.iter().take(MAX_LABELS).enumerate() {
            let line = format!(
                "{}. {} ({})",
                rank + 1,
                clip(&b.name, 32),
                dec(b.betweenness, lang)
            );
            text(out, x, y, 12, "normal", &line);
            y += 16.0;
        }
    }
}

/// The picture for a network too large to draw: counts and the component sizes.
fn summary_svg(graph: &Graph, measures: &NetworkMeasures, lang: Lang) -> String {
    let (width, height) = (820.0, 620.0);
    let title = format!(
        "{}: {} {}, {} {}",
        lang.pick("Jejaring WKSBM", "WKSBM network"),
        num(measures.nodes, lang),
        lang.pick("pelaku", "actors"),
        num(measures.ties, lang),
        lang.pick("ikatan", "ties"),
    );
    let mut out = String::with_capacity(6000);
    open_svg(&mut out, width, height, &title);
    text(&mut out, 30.0, 36.0, 20, "bold", &title);
    text(
        &mut out,
        30.0,
        60.0,
        13,
        "normal",
        &format!(
            "{} {DRAW_LIMIT}{}",
            lang.pick(
                "Terlalu banyak pelaku untuk digambar dengan jelas (lebih dari",
                "Too many actors to draw legibly (more than"
            ),
            lang.pick("); ringkasannya:", "); in summary:")
        ),
    );
    let lines = [
        format!(
            "{}: {} {}, {} {}, {} {}",
            lang.pick("Pelaku", "Actors"),
            num(measures.groups, lang),
            lang.pick("kelompok", "groups"),
            num(measures.institutions, lang),
            lang.pick("lembaga", "institutions"),
            num(measures.networks, lang),
            lang.pick("wahana", "networks"),
        ),
        format!(
            "{}: {} · {}: {}",
            lang.pick("Ikatan", "Ties"),
            num(measures.ties, lang),
            lang.pick("kepadatan", "density"),
            dec(measures.density, lang)
        ),
        format!(
            "{}: {} · {}: {}",
            lang.pick("Komponen", "Components"),
            num(measures.components, lang),
            lang.pick("terbesar", "largest"),
            num(measures.largest_component, lang)
        ),
        format!(
            "{}: {} · {}: {}",
            lang.pick("Kelompok terisolasi", "Isolated groups"),
            num(measures.isolates, lang),
            lang.pick("ikatan lintas desa", "ties across villages"),
            num(measures.cross_village_ties, lang)
        ),
        format!(
            "{}: {} · {}: {}",
            lang.pick("Derajat rata-rata", "Mean degree"),
            dec(measures.degree_mean, lang),
            lang.pick("maksimum", "maximum"),
            num(measures.degree_max as usize, lang)
        ),
        format!(
            "{}: {}%",
            lang.pick(
                "Kelompok yang terikat ke lembaga pendukung",
                "Groups tied to a support institution"
            ),
            percent(measures.share_tied_to_institution, lang)
        ),
    ];
    let mut y = 95.0;
    for line in &lines {
        text(&mut out, 30.0, y, 14, "normal", line);
        y += 22.0;
    }

    // Component sizes in doubling bins: 1, 2, 3–4, 5–8, ...
    let sizes = graph.components().sizes;
    let mut bins: Vec<(usize, usize, usize)> = Vec::new();
    let (mut lo, mut hi) = (1usize, 1usize);
    let largest = sizes.iter().copied().max().unwrap_or(0) as usize;
    while lo <= largest {
        let count = sizes
            .iter()
            .filter(|&&s| (lo..=hi).contains(&(s as usize)))
            .count();
        bins.push((lo, hi, count));
        (lo, hi) = (hi + 1, hi * 2);
    }
    y += 20.0;
    text(
        &mut out,
        30.0,
        y,
        15,
        "bold",
        lang.pick(
            "Banyaknya komponen menurut ukuran (jumlah pelaku)",
            "Number of components by size (actors)",
        ),
    );
    y += 14.0;
    let max_count = bins.iter().map(|b| b.2).max().unwrap_or(0).max(1);
    let bar_h = ((height - y - 20.0) / bins.len().max(1) as f64).clamp(6.0, 22.0);
    for &(lo, hi, count) in &bins {
        let label = if lo == hi {
            num(lo, lang)
        } else {
            format!("{}–{}", num(lo, lang), num(hi, lang))
        };
        let w = if count == 0 {
            0.0
        } else {
            (520.0 * count as f64 / max_count as f64).max(1.0)
        };
        let _ = writeln!(
            out,
            "<text x=\"150\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\">{}</text>\
             <rect x=\"160\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#1f77b4\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\">{}</text>",
            y + bar_h * 0.75,
            Xml(&label),
            y + 1.0,
            bar_h - 2.0,
            166.0 + w,
            y + bar_h * 0.75,
            num(count, lang)
        );
        y += bar_h;
    }
    out.push_str("</svg>\n");
    out
}

/// A whole number with thousands separators: `12.345` in Indonesian, `12,345` in English.
fn num(n: usize, lang: Lang) -> String {
    let digits = n.to_string();
    let sep = lang.pick(".", ",");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// A fraction with three decimals, more for a small one so that it does not show as zero:
/// `0,125` in Indonesian, `0.125` in English.
fn dec(x: f64, lang: Lang) -> String {
    let decimals = if x > 0.0 && x < 0.01 {
        // Two significant digits.
        (1 - x.log10().floor() as i64).clamp(3, 12) as usize
    } else {
        3
    };
    localise(format!("{x:.decimals$}"), lang)
}

/// A share as a percentage with one decimal: `17,5` in Indonesian, `17.5` in English.
fn percent(share: f64, lang: Lang) -> String {
    localise(format!("{:.1}", 100.0 * share), lang)
}

fn localise(s: String, lang: Lang) -> String {
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut c: String = s.chars().take(max - 1).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{actor, letters};
    use super::super::{Graph, measure};
    use super::*;

    #[test]
    fn layout_is_deterministic_and_in_the_unit_box() {
        // (nodes, ties)
        let cases = [
            ("abcde", "ab bc cd de"),
            ("abcdefgh", "ab bc ca de ef fg gh he"),
            ("abcdef", ""),
            ("ab", "ab"),
        ];
        for (ids, ties) in cases {
            let g = letters(ids, ties);
            let p = layout(&g);
            assert_eq!(p, layout(&letters(ids, ties)), "{ids}");
            assert_eq!(p.len(), ids.len());
            assert!(
                p.iter()
                    .all(|&(x, y)| (0.0..=1.0).contains(&x) && (0.0..=1.0).contains(&y)),
                "{ids}: {p:?}"
            );
            // Distinct nodes get distinct places.
            for (i, a) in p.iter().enumerate() {
                for b in &p[i + 1..] {
                    assert!((a.0 - b.0).abs() + (a.1 - b.1).abs() > 1e-3, "{ids}: {p:?}");
                }
            }
        }
        assert_eq!(layout(&letters("a", "")), [(0.5, 0.5)]);
        assert!(layout(&letters("", "")).is_empty());
    }

    #[test]
    fn layout_keeps_tied_nodes_nearer_than_untied() {
        // Two triangles joined by one tie: within a triangle nodes sit closer than across.
        let g = letters("abcdef", "ab bc ca de ef fd cd");
        let p = layout(&g);
        let d = |i: usize, j: usize| ((p[i].0 - p[j].0).powi(2) + (p[i].1 - p[j].1).powi(2)).sqrt();
        assert!(d(0, 1) < d(0, 5), "{p:?}");
        assert!(d(4, 5) < d(1, 4), "{p:?}");
    }

    #[test]
    fn svg_draws_shapes_labels_and_escapes_names() {
        let mut nodes: Vec<_> = "abcde"
            .chars()
            .map(|c| super::super::tests::group(&c.to_string(), None))
            .collect();
        nodes[2].name = "<script>alert('x')</script> Tani & Ta’".to_owned();
        nodes.push(actor("i", NodeKind::Institution));
        nodes.push(actor("w", NodeKind::Network));
        let g = Graph::build(
            nodes,
            [
                ("a", "b"),
                ("b", "c"),
                ("c", "d"),
                ("d", "e"),
                ("c", "i"),
                ("w", "a"),
            ],
        );
        let m = measure(&g, 3);
        for lang in [Lang::Id, Lang::En] {
            let svg = to_svg(&g, &m, &layout(&g), lang);
            assert!(svg.starts_with("<svg "), "{svg}");
            assert!(!svg.contains("<script>"));
            assert!(
                svg.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; Tani &amp; Ta’")
            );
            assert_eq!(svg.matches("<line ").count(), 6);
            // One square institution and one diamond network, plus their legend swatches.
            assert_eq!(svg.matches("<rect x=").count(), 2);
            assert_eq!(svg.matches("<polygon ").count(), 2);
            assert!(svg.contains(lang.pick("Perantara utama", "Top brokers")));
            assert!(svg.contains(GroupType::Arisan.label(lang)));
            assert!(!svg.contains(GroupType::Koperasi.label(lang)));
        }
    }

    #[test]
    fn large_networks_get_a_summary() {
        let n = DRAW_LIMIT + 1;
        let edges: Vec<(u32, u32)> = (0..n as u32 - 5).map(|i| (i, i + 1)).collect();
        let g = Graph::from_edges(n, &edges);
        let m = measure(&g, 3);
        let svg = to_svg(&g, &m, &[], Lang::En);
        assert!(svg.contains("Too many actors"), "{svg}");
        assert!(!svg.contains("<circle"));
        assert!(!svg.contains("<line"));
        // Four isolated nodes and one path of 297: bins 1 (4) and 257–512 (1).
        assert!(svg.contains(">257–512</text>"), "{svg}");
        let svg_id = to_svg(&g, &m, &[], Lang::Id);
        assert!(svg_id.contains("Terlalu banyak pelaku"));
    }

    #[test]
    fn numbers_in_each_language() {
        let cases = [
            (0, "0", "0"),
            (999, "999", "999"),
            (1000, "1.000", "1,000"),
            (4_000_000, "4.000.000", "4,000,000"),
        ];
        for (n, id, en) in cases {
            assert_eq!(
                (num(n, Lang::Id), num(n, Lang::En)),
                (id.to_owned(), en.to_owned())
            );
        }
        assert_eq!(dec(0.125, Lang::Id), "0,125");
        assert_eq!(dec(0.125, Lang::En), "0.125");
        assert_eq!(dec(0.0018, Lang::En), "0.0018");
        assert_eq!(dec(0.000123, Lang::Id), "0,00012");
        assert_eq!(dec(0.0, Lang::En), "0.000");
        assert_eq!(percent(0.17513, Lang::Id), "17,5");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
