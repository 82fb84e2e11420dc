//! Renderings of a comparison of two waves (`service::compare`): text, Markdown, a
//! self-contained HTML file, an XLSX workbook, and the section "Perubahan sejak …" / "Change
//! since …" that the profile report gains when it is asked with a comparison wave. The list of
//! groups (ids and names) is rendered only when `records` is true.

use super::charts::{self, FATE_COLOURS, StackRow};
use crate::service::compare::{CompareData, village_name};
use anyhow::Result;
use askama::Template;
use rust_xlsxwriter::{Format, Workbook};
use std::fmt::Write as _;
use wahana_domain::compare::{Fate, FateCounts, FindingChange, GroupChange};
use wahana_domain::linking::LinkMethod;
use wahana_domain::profile::{format_count, format_number, format_percent};
use wahana_domain::{Code, Lang, Level, Wave};

/// Above this many villages the chart shows the first ones only (the tables list all).
const CHART_VILLAGES: usize = 40;

/// "Perubahan sejak Pendataan 2007" / "Change since Pendataan 2007".
pub fn heading(d: &CompareData, lang: Lang) -> String {
    match lang {
        Lang::Id => format!("Perubahan sejak {}", d.from.wave.name),
        Lang::En => format!("Change since {}", d.from.wave.name),
    }
}

/// "Kecamatan Tanete Riattang (73.08.21)".
pub fn place(d: &CompareData, lang: Lang) -> String {
    let r = d.region;
    if r.level() == Level::Regency {
        format!("{} ({})", r.name, r.code)
    } else {
        format!("{} {} ({})", r.level().label(lang), r.name, r.code)
    }
}

/// "Pemutakhiran 2026 (pemutakhiran-2026, 2026-08-31): 485 kelompok tercatat".
pub fn wave_line(w: &Wave, observations: u64, lang: Lang) -> String {
    let date = w.date().map(|d| format!(", {d}")).unwrap_or_default();
    format!(
        "{} ({}{date}): {} {}",
        w.name,
        w.id,
        format_count(observations, lang),
        lang.pick("kelompok tercatat", "groups recorded")
    )
}

/// The survival rate in percent, or a dash when it is undefined.
pub fn rate(r: Option<f64>, lang: Lang) -> String {
    r.map_or_else(|| "–".to_string(), |x| format_percent(x, lang))
}

/// A share in percent, or a number with one decimal.
pub fn value(x: f64, share: bool, lang: Lang) -> String {
    if share {
        format_percent(x, lang)
    } else {
        format_number(x, lang)
    }
}

/// A change with its sign: percentage points for shares (`+5,0 poin` / `+5.0 pp`).
pub fn change(x: f64, share: bool, lang: Lang) -> String {
    let v = if share { x * 100.0 } else { x };
    let s = format!("{v:+.1}");
    let s = match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    };
    if share {
        format!("{s} {}", lang.pick("poin", "pp"))
    } else {
        s
    }
}

/// A finding's verdict in a word: no data is its own answer, never "does not hold".
pub fn holds(v: wahana_domain::profile::Verdict, lang: Lang) -> &'static str {
    use wahana_domain::profile::Verdict;
    match v {
        Verdict::Holds => lang.pick("berlaku", "holds"),
        Verdict::DoesNotHold => lang.pick("tidak berlaku", "does not hold"),
        Verdict::NoData => lang.pick("tidak ada data", "no data"),
    }
}

pub fn link_label(m: Option<LinkMethod>, lang: Lang) -> &'static str {
    match m {
        None => "–",
        Some(LinkMethod::SameId) => lang.pick("id sama", "same id"),
        Some(LinkMethod::Matched) => lang.pick("dicocokkan", "matched"),
        Some(LinkMethod::Reviewed) => lang.pick("ditinjau petugas", "reviewed"),
    }
}

fn score(s: Option<f64>, lang: Lang) -> String {
    s.map_or_else(String::new, |x| {
        let t = format!("{x:.2}");
        match lang {
            Lang::Id => t.replace('.', ","),
            Lang::En => t,
        }
    })
}

/// What the denominator of a finding counts.
fn unit(f: &FindingChange, lang: Lang) -> &'static str {
    if f.villages {
        lang.pick("desa/kelurahan", "villages")
    } else {
        lang.pick("kelompok", "groups")
    }
}

/// The survival rate's sentence.
pub fn survival_sentence(d: &CompareData, lang: Lang) -> String {
    let c = &d.comparison.counts;
    let earlier = c.continuing + c.dissolved + c.not_refound;
    match lang {
        Lang::Id => format!(
            "Tingkat bertahan: {} ({} berlanjut dari {} kelompok pendataan awal yang berlanjut, bubar atau tidak ditemukan lagi).",
            rate(c.survival_rate(), lang),
            format_count(c.continuing, lang),
            format_count(earlier, lang)
        ),
        Lang::En => format!(
            "Survival rate: {} ({} continuing of the {} earlier groups that continued, dissolved or were not found again).",
            rate(c.survival_rate(), lang),
            format_count(c.continuing, lang),
            format_count(earlier, lang)
        ),
    }
}

/// What the tables mean: the fates, the survival rate, what has no fate.
pub fn notes(d: &CompareData, lang: Lang) -> Vec<String> {
    let mut out = vec![lang
        .pick(
            "Berlanjut: tercatat pada kedua pendataan dan belum bubar pada yang kedua. Bubar: tercatat pada pendataan awal dan berstatus bubar pada yang kedua. Tidak ditemukan lagi: tercatat (belum bubar) pada pendataan awal, tidak pada yang kedua. Baru: tercatat pada pendataan kedua tanpa catatan atau tautan ke pendataan awal.",
            "Continuing: observed in both waves and not dissolved in the second. Dissolved: observed in the first wave and dissolved in the second. Not found again: observed (not dissolved) in the first wave, not in the second. New: observed in the second wave with no observation of or link to the first.",
        )
        .to_string(),
        lang.pick(
            "Tautan: id sama (baris membawa id kelompok), dicocokkan (baris tanpa id dicocokkan otomatis, dengan skornya), ditinjau petugas (pasangan usulan yang diterima petugas).",
            "Link: same id (the row carried the group's id), matched (a row without an id linked automatically, with its score), reviewed (a proposed pair an officer accepted).",
        )
        .to_string(),
        lang.pick(
            "Tingkat bertahan = berlanjut / (berlanjut + bubar + tidak ditemukan lagi); kelompok baru tidak termasuk.",
            "Survival rate = continuing / (continuing + dissolved + not found again); new groups are left out.",
        )
        .to_string()];
    if d.comparison.dissolved_before > 0 {
        out.push(match lang {
            Lang::Id => format!(
                "{} kelompok sudah bubar pada pendataan awal dan tidak tercatat lagi: tidak dihitung dalam nasib mana pun.",
                format_count(d.comparison.dissolved_before, lang)
            ),
            Lang::En => format!(
                "{} groups had dissolved by the first wave and were not recorded again: they have no fate here.",
                format_count(d.comparison.dissolved_before, lang)
            ),
        });
    }
    if d.synthetic() {
        out.push(
            lang.pick(
                "DATA SINTETIS: sedikitnya satu pendataan dibuat program untuk demonstrasi; angka ini bukan hasil pengukuran.",
                "SYNTHETIC DATA: at least one wave was generated for demonstration; these numbers are not a measurement.",
            )
            .to_string(),
        );
    }
    out
}

fn fate_headers(lang: Lang) -> Vec<String> {
    Fate::ALL
        .iter()
        .map(|f| f.label(lang).to_string())
        .chain([lang.pick("Tingkat bertahan", "Survival rate").to_string()])
        .collect()
}

fn fate_cells(c: &FateCounts, lang: Lang) -> Vec<String> {
    Fate::ALL
        .iter()
        .map(|f| format_count(c.get(*f), lang))
        .chain([rate(c.survival_rate(), lang)])
        .collect()
}

/// The tables every rendering shows, each as headers and rows of text: fates by village and
/// by group type (with a total row), the findings of both waves, and the groups.
pub struct Tables {
    pub villages: (Vec<String>, Vec<Vec<String>>),
    pub types: (Vec<String>, Vec<Vec<String>>),
    pub findings: (Vec<String>, Vec<Vec<String>>),
    pub groups: (Vec<String>, Vec<Vec<String>>),
}

fn group_row(g: &GroupChange, lang: Lang) -> Vec<String> {
    vec![
        village_name(&g.village),
        g.id_from.clone().unwrap_or_default(),
        g.name_from.clone().unwrap_or_default(),
        g.id_to.clone().unwrap_or_default(),
        g.name_to.clone().unwrap_or_default(),
        g.fate.label(lang).to_string(),
        link_label(g.link, lang).to_string(),
        score(g.score, lang),
    ]
}

pub fn tables(d: &CompareData, lang: Lang) -> Tables {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en).to_string();
    let c = &d.comparison;
    let mut vh = vec![l("Desa/kelurahan", "Village")];
    vh.extend(fate_headers(lang));
    let mut villages: Vec<Vec<String>> = c
        .by_village
        .iter()
        .map(|(code, n)| {
            let mut r = vec![village_name(code)];
            r.extend(fate_cells(n, lang));
            r
        })
        .collect();
    let mut total = vec![l("Jumlah", "Total")];
    total.extend(fate_cells(&c.counts, lang));
    villages.push(total.clone());
    let mut th = vec![l("Jenis kelompok", "Group type")];
    th.extend(fate_headers(lang));
    let mut types: Vec<Vec<String>> = c
        .by_type
        .iter()
        .map(|(t, n)| {
            let mut r = vec![t.label(lang).to_string()];
            r.extend(fate_cells(n, lang));
            r
        })
        .collect();
    types.push(total);
    let (from, to) = (&d.from.wave.id, &d.to.wave.id);
    let fh = vec![
        l("Temuan", "Finding"),
        l("Ukuran", "Measure"),
        from.clone(),
        to.clone(),
        l("Perubahan", "Change"),
    ];
    let mut findings = Vec::new();
    for f in d.findings() {
        let name = format!("{} {}", f.id, f.title(lang));
        findings.push(vec![
            name.clone(),
            l("Pernyataan 2007", "2007 statement"),
            holds(f.verdict_from, lang).to_string(),
            holds(f.verdict_to, lang).to_string(),
            if f.verdict_from == f.verdict_to {
                l("sama", "same")
            } else {
                l("berubah", "changed")
            },
        ]);
        findings.push(vec![
            name.clone(),
            format!("{} ({})", l("Penyebut", "Denominator"), unit(&f, lang)),
            format_count(f.denominator_from, lang),
            format_count(f.denominator_to, lang),
            format!("{:+}", f.denominator_to as i64 - f.denominator_from as i64),
        ]);
        for m in &f.measures {
            findings.push(vec![
                name.clone(),
                m.label(lang).to_string(),
                value(m.from, m.share, lang),
                value(m.to, m.share, lang),
                change(m.change(), m.share, lang),
            ]);
        }
    }
    let gh = vec![
        l("Desa/kelurahan", "Village"),
        format!("id ({from})"),
        format!("{} ({from})", l("Nama", "Name")),
        format!("id ({to})"),
        format!("{} ({to})", l("Nama", "Name")),
        l("Nasib", "Fate"),
        l("Tautan", "Link"),
        l("Skor", "Score"),
    ];
    let groups = c.groups.iter().map(|g| group_row(g, lang)).collect();
    Tables {
        villages: (vh, villages),
        types: (th, types),
        findings: (fh, findings),
        groups: (gh, groups),
    }
}

/// Rows aligned in columns (widths in characters).
fn aligned(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            s.push_str(&" ".repeat(w.saturating_sub(c.chars().count())));
        }
        format!("  {}\n", s.trim_end())
    };
    let mut out = line(headers);
    out.push_str(&line(
        &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
    ));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// The comparison as plain text.
pub fn text(d: &CompareData, records: bool, lang: Lang) -> String {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    let c = &d.comparison.counts;
    let t = tables(d, lang);
    let mut s = format!("{}: {}\n", heading(d, lang), place(d, lang));
    let _ = writeln!(
        s,
        "{}: {}",
        l("Dari", "From"),
        wave_line(&d.from.wave, d.observed_from, lang)
    );
    let _ = writeln!(
        s,
        "{}: {}",
        l("Ke", "To"),
        wave_line(&d.to.wave, d.observed_to, lang)
    );
    let _ = writeln!(s, "\n{}", l("Nasib kelompok", "Fate of the groups"));
    let width = Fate::ALL
        .iter()
        .map(|f| f.label(lang).chars().count())
        .max()
        .unwrap_or(0);
    for f in Fate::ALL {
        let label = f.label(lang);
        let _ = writeln!(
            s,
            "  {label}{}  {:>6}",
            " ".repeat(width - label.chars().count()),
            format_count(c.get(f), lang)
        );
    }
    let _ = writeln!(s, "  {}", survival_sentence(d, lang));
    let _ = writeln!(s, "\n{}", l("Per desa/kelurahan", "By village"));
    s.push_str(&aligned(&t.villages.0, &t.villages.1));
    let _ = writeln!(s, "\n{}", l("Per jenis kelompok", "By group type"));
    s.push_str(&aligned(&t.types.0, &t.types.1));
    let _ = writeln!(
        s,
        "\n{}",
        l(
            "Lima temuan pada kedua pendataan",
            "The five findings in both waves"
        )
    );
    s.push_str(&aligned(&t.findings.0, &t.findings.1));
    if records {
        let _ = writeln!(s, "\n{}", l("Kelompok", "Groups"));
        s.push_str(&aligned(&t.groups.0, &t.groups.1));
    }
    let _ = writeln!(s, "\n{}", l("Catatan", "Notes"));
    for n in notes(d, lang) {
        let _ = writeln!(s, "- {n}");
    }
    s
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|")
}

fn md_table(headers: &[String], rows: &[Vec<String>]) -> String {
    let mut s = format!(
        "| {} |\n|{}\n",
        headers
            .iter()
            .map(|h| md_cell(h))
            .collect::<Vec<_>>()
            .join(" | "),
        "---|".repeat(headers.len())
    );
    for r in rows {
        let _ = writeln!(
            s,
            "| {} |",
            r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    s
}

/// The comparison as Markdown.
pub fn markdown(d: &CompareData, records: bool, lang: Lang) -> String {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    let c = &d.comparison.counts;
    let t = tables(d, lang);
    let mut s = format!("# {}: {}\n\n", heading(d, lang), md_cell(&place(d, lang)));
    let _ = writeln!(
        s,
        "- {}: {}\n- {}: {}\n",
        l("Dari", "From"),
        md_cell(&wave_line(&d.from.wave, d.observed_from, lang)),
        l("Ke", "To"),
        md_cell(&wave_line(&d.to.wave, d.observed_to, lang))
    );
    let _ = writeln!(s, "## {}\n", l("Nasib kelompok", "Fate of the groups"));
    let rows: Vec<Vec<String>> = Fate::ALL
        .iter()
        .map(|f| vec![f.label(lang).to_string(), format_count(c.get(*f), lang)])
        .collect();
    s.push_str(&md_table(
        &[l("Nasib", "Fate").into(), l("Kelompok", "Groups").into()],
        &rows,
    ));
    let _ = writeln!(s, "\n{}\n", survival_sentence(d, lang));
    let _ = writeln!(s, "## {}\n", l("Per desa/kelurahan", "By village"));
    s.push_str(&md_table(&t.villages.0, &t.villages.1));
    let _ = writeln!(s, "\n## {}\n", l("Per jenis kelompok", "By group type"));
    s.push_str(&md_table(&t.types.0, &t.types.1));
    let _ = writeln!(
        s,
        "\n## {}\n",
        l(
            "Lima temuan pada kedua pendataan",
            "The five findings in both waves"
        )
    );
    s.push_str(&md_table(&t.findings.0, &t.findings.1));
    if records {
        let _ = writeln!(s, "\n## {}\n", l("Kelompok", "Groups"));
        s.push_str(&md_table(&t.groups.0, &t.groups.1));
    }
    let _ = writeln!(s, "\n## {}\n", l("Catatan", "Notes"));
    for n in notes(d, lang) {
        let _ = writeln!(s, "- {}", md_cell(&n));
    }
    s
}

/// The chart: the fates of the groups of each village, stacked.
pub fn chart(d: &CompareData, lang: Lang) -> String {
    let rows: Vec<StackRow> = d
        .comparison
        .by_village
        .iter()
        .take(CHART_VILLAGES)
        .map(|(code, n)| StackRow {
            label: village_name(code),
            values: Fate::ALL.iter().map(|f| n.get(*f)).collect(),
        })
        .collect();
    let series: Vec<(&str, &str)> = Fate::ALL
        .iter()
        .zip(FATE_COLOURS)
        .map(|(f, c)| (f.label(lang), c))
        .collect();
    charts::stacked_bars(
        lang.pick(
            "Nasib kelompok per desa/kelurahan",
            "Fate of the groups by village",
        ),
        &rows,
        &series,
    )
}

/// The section "Perubahan sejak …" / "Change since …" (`templates/report/change.html`): the
/// counts, the chart, the tables by village, by type and of the findings, and the groups when
/// the caller may see them.
#[derive(Template)]
#[template(path = "report/change.html", escape = "xml", whitespace = "minimize")]
pub struct ChangeSection {
    lang: Lang,
    heading: String,
    from: String,
    to: String,
    /// Each fate's count and name.
    fates: Vec<(String, &'static str)>,
    survival_rate: String,
    survival: String,
    /// SVG.
    chart: String,
    chart_caption: String,
    tables: Vec<HtmlTable>,
    notes: Vec<String>,
}

/// A table of the section, under its heading; the first `text_columns` columns are text
/// (aligned left).
struct HtmlTable {
    heading: &'static str,
    note: Option<&'static str>,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    text_columns: usize,
}

impl ChangeSection {
    /// The section of comparison `d`; the groups (ids and names) only when `records`.
    pub fn new(d: &CompareData, records: bool, lang: Lang) -> ChangeSection {
        let l = |id: &'static str, en: &'static str| lang.pick(id, en);
        let c = &d.comparison.counts;
        let t = tables(d, lang);
        let table =
            |heading, note, (headers, rows): (Vec<String>, Vec<Vec<String>>), text| HtmlTable {
                heading,
                note,
                headers,
                rows,
                text_columns: text,
            };
        let mut tables = vec![
            table(l("Per desa/kelurahan", "By village"), None, t.villages, 1),
            table(l("Per jenis kelompok", "By group type"), None, t.types, 1),
            table(
                l(
                    "Lima temuan pada kedua pendataan",
                    "The five findings in both waves",
                ),
                Some(l(
                    "Apakah tiap pernyataan studi 2007 berlaku pada tiap pendataan, dengan penyebut masing-masing; perubahan bagian dalam poin persen.",
                    "Whether each statement of the 2007 study held in each wave, with each wave's denominator; changes of shares in percentage points.",
                )),
                t.findings,
                2,
            ),
        ];
        if records {
            tables.push(table(l("Kelompok", "Groups"), None, t.groups, 8));
        }
        ChangeSection {
            lang,
            heading: heading(d, lang),
            from: wave_line(&d.from.wave, d.observed_from, lang),
            to: wave_line(&d.to.wave, d.observed_to, lang),
            fates: Fate::ALL
                .iter()
                .map(|f| (format_count(c.get(*f), lang), f.label(lang)))
                .collect(),
            survival_rate: rate(c.survival_rate(), lang),
            survival: survival_sentence(d, lang),
            chart: chart(d, lang),
            chart_caption: match (d.comparison.by_village.len() > CHART_VILLAGES, lang) {
                (true, Lang::Id) => format!(
                    "{} desa/kelurahan pertama menurut kode; tabel di bawah memuat semuanya.",
                    CHART_VILLAGES
                ),
                (true, Lang::En) => format!(
                    "The first {} villages by code; the table below lists them all.",
                    CHART_VILLAGES
                ),
                (false, _) => l(
                    "Jumlah kelompok per nasib di tiap desa/kelurahan.",
                    "Groups per fate in each village.",
                )
                .to_string(),
            },
            tables,
            notes: notes(d, lang),
        }
    }

    fn t(&self, id: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(id, en)
    }
}

/// The comparison as one self-contained HTML file (`templates/report/comparison.html`).
#[derive(Template)]
#[template(
    path = "report/comparison.html",
    escape = "xml",
    whitespace = "minimize"
)]
struct ComparisonReport {
    lang: Lang,
    title: String,
    synthetic: bool,
    section: ChangeSection,
    footer: String,
}

impl ComparisonReport {
    fn t(&self, id: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(id, en)
    }
}

/// The comparison as one self-contained HTML file.
pub fn html(d: &CompareData, records: bool, lang: Lang) -> Result<String, askama::Error> {
    ComparisonReport {
        lang,
        title: format!("{}: {}", heading(d, lang), place(d, lang)),
        synthetic: d.synthetic(),
        section: ChangeSection::new(d, records, lang),
        footer: match lang {
            Lang::Id => format!(
                "Dibuat dengan wahana {} pada {}.",
                super::VERSION,
                d.made_on
            ),
            Lang::En => format!("Made with wahana {} on {}.", super::VERSION, d.made_on),
        },
    }
    .render()
}

/// Adds the comparison's sheets to a workbook: `Perubahan` (counts by fate, by village and by
/// type), `Perubahan_temuan` (the findings of both waves) and, when `records`,
/// `Perubahan_kelompok` (one row per group).
pub fn xlsx_sheets(wb: &mut Workbook, d: &CompareData, records: bool, lang: Lang) -> Result<()> {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    let bold = Format::new().set_bold();
    let pct = Format::new().set_num_format("0.0%");
    let c = &d.comparison;

    let ws = wb.add_worksheet();
    ws.set_name(l("Perubahan", "Change"))?;
    ws.write_string_with_format(
        0,
        0,
        format!("{}: {}", heading(d, lang), place(d, lang)),
        &bold,
    )?;
    let mut row = 1;
    if d.synthetic() {
        ws.write_string_with_format(
            row,
            0,
            l(
                "DATA SINTETIS: dibuat program untuk demonstrasi, bukan hasil pengukuran.",
                "SYNTHETIC DATA: generated for demonstration, not a measurement.",
            ),
            &bold,
        )?;
        row += 1;
    }
    for (k, w, n) in [
        (l("dari", "from"), &d.from.wave, d.observed_from),
        (l("ke", "to"), &d.to.wave, d.observed_to),
    ] {
        ws.write_string(row, 0, k)?;
        ws.write_string(row, 1, &w.id)?;
        ws.write_string(row, 2, &w.name)?;
        ws.write_number(row, 3, n as f64)?;
        row += 1;
    }
    row += 1;
    let counts_header = |name: &'static str| {
        let mut h = vec![name];
        h.extend(Fate::ALL.iter().map(|f| f.code()));
        h.push("survival_rate");
        h
    };
    let write_counts =
        |ws: &mut rust_xlsxwriter::Worksheet, row: u32, n: &FateCounts| -> Result<()> {
            for (i, f) in Fate::ALL.iter().enumerate() {
                ws.write_number(row, 1 + i as u16, n.get(*f) as f64)?;
            }
            if let Some(r) = n.survival_rate() {
                ws.write_number_with_format(row, 5, r, &pct)?;
            }
            Ok(())
        };
    for (i, h) in counts_header(l("desa", "village")).iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *h, &bold)?;
    }
    for (code, n) in &c.by_village {
        row += 1;
        ws.write_string(row, 0, format!("{} {}", code, village_name(code)))?;
        write_counts(ws, row, n)?;
    }
    row += 1;
    ws.write_string_with_format(row, 0, l("Jumlah", "Total"), &bold)?;
    write_counts(ws, row, &c.counts)?;
    row += 2;
    for (i, h) in counts_header(l("jenis", "type")).iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *h, &bold)?;
    }
    for (t, n) in &c.by_type {
        row += 1;
        ws.write_string(row, 0, t.code())?;
        write_counts(ws, row, n)?;
    }
    row += 2;
    for n in notes(d, lang) {
        ws.write_string(row, 0, n)?;
        row += 1;
    }
    ws.set_column_width(0, 28)?;

    let ws = wb.add_worksheet();
    ws.set_name(l("Perubahan_temuan", "Change_findings"))?;
    for (i, h) in [
        l("temuan", "finding"),
        l("ukuran", "measure"),
        l("dari", "from"),
        l("ke", "to"),
        l("perubahan", "change"),
    ]
    .iter()
    .enumerate()
    {
        ws.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    let mut row = 0;
    for f in d.findings() {
        row += 1;
        ws.write_string(row, 0, f.id)?;
        ws.write_string(row, 1, "holds")?;
        ws.write_boolean(row, 2, f.holds_from)?;
        ws.write_boolean(row, 3, f.holds_to)?;
        row += 1;
        ws.write_string(row, 0, f.id)?;
        ws.write_string(row, 1, if f.villages { "villages" } else { "groups" })?;
        ws.write_number(row, 2, f.denominator_from as f64)?;
        ws.write_number(row, 3, f.denominator_to as f64)?;
        ws.write_number(row, 4, f.denominator_to as f64 - f.denominator_from as f64)?;
        for m in &f.measures {
            row += 1;
            ws.write_string(row, 0, f.id)?;
            ws.write_string(row, 1, m.key)?;
            if m.share {
                ws.write_number_with_format(row, 2, m.from, &pct)?;
                ws.write_number_with_format(row, 3, m.to, &pct)?;
                ws.write_number_with_format(row, 4, m.change(), &pct)?;
            } else {
                ws.write_number(row, 2, m.from)?;
                ws.write_number(row, 3, m.to)?;
                ws.write_number(row, 4, m.change())?;
            }
        }
    }
    ws.set_column_width(1, 32)?;

    if records {
        let ws = wb.add_worksheet();
        ws.set_name(l("Perubahan_kelompok", "Change_groups"))?;
        for (i, h) in [
            "village",
            "id_from",
            "name_from",
            "id_to",
            "name_to",
            "fate",
            "link",
            "score",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string_with_format(0, i as u16, *h, &bold)?;
        }
        for (i, g) in c.groups.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, g.village.as_str())?;
            ws.write_string(r, 1, g.id_from.as_deref().unwrap_or(""))?;
            ws.write_string(r, 2, g.name_from.as_deref().unwrap_or(""))?;
            ws.write_string(r, 3, g.id_to.as_deref().unwrap_or(""))?;
            ws.write_string(r, 4, g.name_to.as_deref().unwrap_or(""))?;
            ws.write_string(r, 5, g.fate.code())?;
            ws.write_string(r, 6, g.link.map_or("", LinkMethod::code))?;
            if let Some(x) = g.score {
                ws.write_number(r, 7, x)?;
            }
        }
    }
    Ok(())
}

/// The comparison as a workbook.
pub fn xlsx(d: &CompareData, records: bool, lang: Lang) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    xlsx_sheets(&mut wb, d, records, lang)?;
    Ok(wb.save_to_buffer()?)
}
