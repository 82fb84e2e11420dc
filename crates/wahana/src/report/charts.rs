//! Charts as inline SVG, written by hand: a few bars and lines need no plotting library, and the
//! report stays one self-contained file that prints sharply at any size.

use std::fmt::Write as _;
use wahana_domain::xml::Xml;

/// Dark: counted in the finding; light: shown for comparison.
pub const DARK: &str = "#2c5282";
pub const LIGHT: &str = "#a3bfe0";
const PALE: &str = "#dbe6f3";
const INK: &str = "#1a202c";
const GREY: &str = "#4a5568";
const RULE: &str = "#cbd5e0";
const MARK: &str = "#c05621";

/// One bar: a label, its value, the text written after it, and whether the finding counts it.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub dark: bool,
}

/// Width of a half-page chart (two side by side) and of a full-width one, in SVG units; text is
/// 10 units, so that it prints at about 9-10 pt either way.
const HALF: f64 = 360.0;
const FULL: f64 = 720.0;

fn svg_open(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height:.0}\" \
         width=\"100%\" role=\"img\" aria-label=\"{}\" font-family=\"'Segoe UI', 'Helvetica Neue', Arial, sans-serif\" font-size=\"10\">\
         <title>{}</title>",
        Xml(title),
        Xml(title)
    )
}

/// Horizontal bars, one per category, with the value written after each. `mark` draws a
/// dashed vertical line at that value with its label (a threshold).
pub fn hbars(title: &str, bars: &[Bar], max: Option<f64>, mark: Option<(f64, &str)>) -> String {
    let label_w = 150.0;
    let text_w = 64.0;
    let plot_w = HALF - label_w - text_w - 6.0;
    let row = 18.0;
    let top = if mark.is_some() { 16.0 } else { 4.0 };
    let height = top + row * bars.len().max(1) as f64 + 6.0;
    let max = max
        .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
        .max(mark.map_or(0.0, |m| m.0))
        .max(1e-9);
    let mut s = svg_open(HALF, height, title);
    let x0 = label_w;
    let _ = write!(
        s,
        "<line x1=\"{x0}\" y1=\"{top}\" x2=\"{x0}\" y2=\"{:.1}\" stroke=\"{RULE}\"/>",
        height - 4.0
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row * i as f64;
        let w = (b.value / max * plot_w).max(if b.value > 0.0 { 1.0 } else { 0.0 });
        let fill = if b.dark { DARK } else { LIGHT };
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>\
             <rect x=\"{x0}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{fill}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{GREY}\">{}</text>",
            x0 - 5.0,
            y + 12.5,
            Xml(&b.label),
            y + 3.0,
            row - 6.0,
            x0 + w + 4.0,
            y + 12.5,
            Xml(&b.text)
        );
    }
    if let Some((v, label)) = mark {
        let x = x0 + v / max * plot_w;
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{MARK}\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{x:.1}\" y=\"10\" text-anchor=\"middle\" fill=\"{MARK}\">{}</text>",
            top - 2.0,
            height - 4.0,
            Xml(label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Vertical bars (few categories, e.g. age bands), the value written above each.
pub fn vbars(title: &str, bars: &[Bar], axis_label: &str) -> String {
    let height = 170.0;
    let (left, bottom, top) = (10.0, 34.0, 20.0);
    let plot_h = height - bottom - top;
    let n = bars.len().max(1) as f64;
    let slot = (HALF - left - 10.0) / n;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max).max(1e-9);
    let mut s = svg_open(HALF, height, title);
    let base = height - bottom;
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\" stroke=\"{RULE}\"/>",
        HALF - 10.0
    );
    for (i, b) in bars.iter().enumerate() {
        let h = b.value / max * plot_h;
        let x = left + slot * i as f64 + slot * 0.2;
        let w = slot * 0.6;
        let fill = if b.dark { DARK } else { LIGHT };
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{fill}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{GREY}\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{INK}\">{}</text>",
            base - h,
            x + w / 2.0,
            base - h - 5.0,
            Xml(&b.text),
            x + w / 2.0,
            base + 15.0,
            Xml(&b.label)
        );
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{GREY}\">{}</text></svg>",
        left + (HALF - left) / 2.0,
        height - 4.0,
        Xml(axis_label)
    );
    s
}

/// One village: its name, recorded groups and counted (qualifying, not dissolved) groups.
pub struct VillageBar<'a> {
    pub name: &'a str,
    pub recorded: u64,
    pub counted: u64,
}

/// Groups per village: recorded (pale) behind counted (dark), with the threshold of 50 and the
/// mean as dashed lines.
pub fn village_bars(
    title: &str,
    villages: &[VillageBar<'_>],
    mean: f64,
    labels: (&str, &str, &str, &str),
) -> String {
    let (recorded_l, counted_l, threshold_l, mean_l) = labels;
    let label_w = 150.0;
    let text_w = 60.0;
    let plot_w = FULL - label_w - text_w - 10.0;
    let row = 16.0;
    let top = 46.0;
    let height = top + row * villages.len().max(1) as f64 + 8.0;
    let max = villages
        .iter()
        .map(|v| v.recorded.max(v.counted) as f64)
        .fold(55.0, f64::max);
    let x0 = label_w;
    let mut s = svg_open(FULL, height, title);
    // Legend.
    let _ = write!(
        s,
        "<rect x=\"{x0}\" y=\"2\" width=\"10\" height=\"10\" fill=\"{PALE}\" stroke=\"{LIGHT}\"/>\
         <text x=\"{:.1}\" y=\"11\" fill=\"{INK}\">{}</text>\
         <rect x=\"{:.1}\" y=\"2\" width=\"10\" height=\"10\" fill=\"{DARK}\"/>\
         <text x=\"{:.1}\" y=\"11\" fill=\"{INK}\">{}</text>",
        x0 + 14.0,
        Xml(recorded_l),
        x0 + 110.0,
        x0 + 124.0,
        Xml(counted_l)
    );
    for (i, v) in villages.iter().enumerate() {
        let y = top + row * i as f64;
        let wr = v.recorded as f64 / max * plot_w;
        let wc = v.counted as f64 / max * plot_w;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>\
             <rect x=\"{x0}\" y=\"{:.1}\" width=\"{wr:.1}\" height=\"{:.1}\" fill=\"{PALE}\" stroke=\"{LIGHT}\" stroke-width=\"0.5\"/>\
             <rect x=\"{x0}\" y=\"{:.1}\" width=\"{wc:.1}\" height=\"{:.1}\" fill=\"{DARK}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{GREY}\">{} / {}</text>",
            x0 - 6.0,
            y + 11.5,
            Xml(v.name),
            y + 2.0,
            row - 4.0,
            y + 4.0,
            row - 8.0,
            x0 + wr.max(wc) + 4.0,
            y + 11.5,
            v.counted,
            v.recorded
        );
    }
    // Threshold and mean labels on two lines, so that they never overlap.
    for (value, label, dy) in [(50.0, threshold_l, 26.0), (mean, mean_l, 38.0)] {
        let x = x0 + value / max * plot_w;
        let anchor = "middle";
        let dx = 0.0;
        let _ = write!(
            s,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{MARK}\" stroke-dasharray=\"4 3\"/>\
             <text x=\"{:.1}\" y=\"{dy}\" text-anchor=\"{anchor}\" fill=\"{MARK}\">{}</text>",
            dy + 3.0,
            height - 4.0,
            x + dx,
            Xml(label)
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{x0}\" y1=\"{:.1}\" x2=\"{x0}\" y2=\"{:.1}\" stroke=\"{RULE}\"/></svg>",
        top - 2.0,
        height - 4.0
    );
    s
}

/// For many villages: how many villages hold 0-4, 5-9, ... counted groups, with the threshold
/// of 50 marked.
pub fn density_histogram(title: &str, counts: &[u64], labels: (&str, &str)) -> String {
    let (x_label, threshold_l) = labels;
    let max_count = counts.iter().copied().max().unwrap_or(0);
    let width = 5u64;
    let bins = (max_count.max(55) / width + 1) as usize;
    let mut hist = vec![0u64; bins];
    for c in counts {
        hist[(*c / width) as usize] += 1;
    }
    let height = 200.0;
    let (left, bottom, top) = (50.0, 36.0, 16.0);
    let plot_h = height - bottom - top;
    let plot_w = FULL - left - 10.0;
    let slot = plot_w / bins as f64;
    let hmax = hist.iter().copied().max().unwrap_or(0).max(1) as f64;
    let base = height - bottom;
    let mut s = svg_open(FULL, height, title);
    for (i, n) in hist.iter().enumerate() {
        let h = *n as f64 / hmax * plot_h;
        let x = left + slot * i as f64;
        let fill = if (i as u64) * width > 50 { DARK } else { LIGHT };
        let _ = write!(
            s,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{fill}\"><title>{}-{}: {n}</title></rect>",
            x + 0.5,
            base - h,
            (slot - 1.0).max(0.5),
            i as u64 * width,
            i as u64 * width + width - 1
        );
        if i % 2 == 0 {
            let _ = write!(
                s,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{GREY}\">{}</text>",
                base + 13.0,
                i as u64 * width
            );
        }
    }
    let x50 = left + 50.0 / width as f64 * slot;
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{base}\" x2=\"{:.1}\" y2=\"{base}\" stroke=\"{RULE}\"/>\
         <line x1=\"{x50:.1}\" y1=\"{top}\" x2=\"{x50:.1}\" y2=\"{base}\" stroke=\"{MARK}\" stroke-dasharray=\"4 3\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" fill=\"{MARK}\">{}</text>\
         <text x=\"{left}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{GREY}\">{}</text>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{GREY}\">{}</text></svg>",
        FULL - 10.0,
        x50 + 3.0,
        top + 8.0,
        Xml(threshold_l),
        top + 8.0,
        hmax as u64,
        left + plot_w / 2.0,
        height - 4.0,
        Xml(x_label)
    );
    s
}

/// One row of a stacked bar chart: its label and one count per series.
pub struct StackRow {
    pub label: String,
    pub values: Vec<u64>,
}

/// Horizontal stacked bars, one per row (e.g. a village), one colour per series (e.g. a fate),
/// with a legend above and each row's total after its bar.
pub fn stacked_bars(title: &str, rows: &[StackRow], series: &[(&str, &str)]) -> String {
    let label_w = 150.0;
    let text_w = 40.0;
    let plot_w = FULL - label_w - text_w - 10.0;
    let row = 18.0;
    let top = 24.0;
    let height = top + row * rows.len().max(1) as f64 + 8.0;
    let max = rows
        .iter()
        .map(|r| r.values.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let x0 = label_w;
    let mut s = svg_open(FULL, height, title);
    let mut lx = x0;
    for (name, colour) in series {
        let _ = write!(
            s,
            "<rect x=\"{lx:.1}\" y=\"2\" width=\"10\" height=\"10\" fill=\"{colour}\"/>\
             <text x=\"{:.1}\" y=\"11\" fill=\"{INK}\">{}</text>",
            lx + 14.0,
            Xml(name)
        );
        lx += 14.0 + 6.5 * name.chars().count() as f64 + 16.0;
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + row * i as f64;
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{INK}\">{}</text>",
            x0 - 6.0,
            y + 12.5,
            Xml(&r.label)
        );
        let mut x = x0;
        for (v, (name, colour)) in r.values.iter().zip(series) {
            let w = *v as f64 / max * plot_w;
            if *v > 0 {
                let _ = write!(
                    s,
                    "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {v}</title></rect>",
                    y + 3.0,
                    row - 6.0,
                    Xml(name)
                );
            }
            x += w;
        }
        let _ = write!(
            s,
            "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"{GREY}\">{}</text>",
            x + 4.0,
            y + 12.5,
            r.values.iter().sum::<u64>()
        );
    }
    let _ = write!(
        s,
        "<line x1=\"{x0}\" y1=\"{:.1}\" x2=\"{x0}\" y2=\"{:.1}\" stroke=\"{RULE}\"/></svg>",
        top - 2.0,
        height - 4.0
    );
    s
}

/// The colours of the four fates of a comparison: continuing, dissolved, not found again, new.
pub const FATE_COLOURS: [&str; 4] = [DARK, "#9b2c2c", "#a0aec0", "#68a063"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_well_formed_enough() {
        let bars = [
            Bar {
                label: "a <b>".into(),
                value: 3.0,
                text: "3 (60%)".into(),
                dark: true,
            },
            Bar {
                label: "c".into(),
                value: 2.0,
                text: "2".into(),
                dark: false,
            },
        ];
        for svg in [
            hbars("t", &bars, None, Some((2.5, "50%"))),
            vbars("t", &bars, "umur"),
            density_histogram("t", &[0, 3, 52, 60], ("x", "50")),
            village_bars(
                "t",
                &[VillageBar {
                    name: "Biru",
                    recorded: 60,
                    counted: 52,
                }],
                52.0,
                ("r", "c", "50", "mean"),
            ),
            stacked_bars(
                "t",
                &[
                    StackRow {
                        label: "a <b>".into(),
                        values: vec![3, 0, 1, 2],
                    },
                    StackRow {
                        label: "kosong".into(),
                        values: vec![0, 0, 0, 0],
                    },
                ],
                &[("x", DARK), ("y", LIGHT), ("z", PALE), ("w", MARK)],
            ),
        ] {
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
            assert!(!svg.contains("a <b>") && !svg.contains("NaN"), "{svg}");
            assert_eq!(svg.matches("<svg").count(), 1);
        }
        let stacked = stacked_bars(
            "t",
            &[StackRow {
                label: "v".into(),
                values: vec![1, 3],
            }],
            &[("x", DARK), ("y", LIGHT)],
        );
        // One rectangle per non-empty series, the total after the bar.
        assert_eq!(stacked.matches("<rect").count(), 2 + 2, "{stacked}");
        assert!(stacked.contains(">4</text>"), "{stacked}");
    }
}
