//! The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched)
//! that a browser shows and prints cleanly to A4.

use super::charts::{self, Bar, VillageBar, esc};
use super::{
    VILLAGE_ROWS, betweenness_skipped, child_rows, method_notes, network_description,
    network_too_large, pct_of, title,
};
use crate::service::compare::CompareData;
use crate::service::network::ReportNetwork;
use crate::service::profile::ProfileData;
use crate::service::screening::Scope;
use std::fmt::Write as _;
use wahana_domain::Lang;
use wahana_domain::profile::{
    Brief, CodeCount, MAJORITY, Profile, format_count, format_number, format_percent,
};

const CSS: &str = r#"
:root { --ink:#1a202c; --grey:#4a5568; --rule:#cbd5e0; --dark:#2c5282; --ok:#276749; --no:#9b2c2c; --warn:#b7791f; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: var(--ink); margin: 0 auto; max-width: 60rem; padding: 1.5rem 2rem 3rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0.2rem 0 0.2rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.6rem; border-bottom: 2px solid var(--dark); padding-bottom: 0.15rem; break-after: avoid; }
h3 { font-size: 1rem; margin: 1rem 0 0.4rem; break-after: avoid; }
.meta { color: var(--grey); margin: 0 0 1rem; }
.meta span + span::before { content: " · "; }
.synthetic { border: 3px solid var(--warn); background: #fffaf0; padding: 0.7rem 1rem; margin: 0 0 1.2rem; }
.synthetic strong { color: #975a16; font-size: 1.1rem; letter-spacing: 0.03em; }
.stamp { display: none; }
.figures { display: grid; grid-template-columns: repeat(6, 1fr); gap: 0.6rem; margin: 0.8rem 0; }
.figure { border: 1px solid var(--rule); border-radius: 4px; padding: 0.5rem 0.7rem; }
.figure b { display: block; font-size: 1.35rem; }
.figure span { color: var(--grey); font-size: 0.85rem; }
.finding { border-left: 5px solid var(--rule); padding: 0.4rem 0.8rem; margin: 0.7rem 0; break-inside: avoid; }
.finding.holds { border-color: var(--ok); }
.finding.fails { border-color: var(--no); }
.finding h3 { margin: 0 0 0.2rem; }
.badge { display: inline-block; font-size: 0.8rem; font-weight: 600; padding: 0.05rem 0.5rem; border-radius: 3px; color: #fff; vertical-align: middle; margin-left: 0.4rem; }
.badge.holds { background: var(--ok); }
.badge.fails { background: var(--no); }
.finding p { margin: 0.2rem 0; }
.finding .other { color: var(--grey); font-style: italic; font-size: 0.9rem; }
.finding .claim { color: var(--grey); font-size: 0.85rem; }
figure { margin: 1rem 0; break-inside: avoid; }
figcaption { font-size: 0.88rem; color: var(--grey); margin-top: 0.2rem; }
figcaption b { color: var(--ink); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.5rem; }
.charts figure.wide { grid-column: 1 / -1; }
.charts figure.wide svg { max-width: 48rem; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 0.4rem 0 1rem; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.22rem 0.4rem; text-align: right; vertical-align: top; }
th { background: #edf2f7; font-weight: 600; }
th:first-child, td:first-child, td.t, th.t { text-align: left; }
tfoot td { font-weight: 600; border-top: 2px solid var(--grey); }
.note { color: var(--grey); font-size: 0.88rem; }
ul.method li { margin: 0.2rem 0; }
pre { font-size: 0.72rem; background: #f7fafc; border: 1px solid var(--rule); padding: 0.6rem; white-space: pre-wrap; }
footer { margin-top: 2rem; color: var(--grey); font-size: 0.8rem; border-top: 1px solid var(--rule); padding-top: 0.5rem; }
@media screen and (max-width: 40rem) {
  body { padding: 1rem 0.75rem 2rem; }
  .figures { grid-template-columns: repeat(2, 1fr); }
  .charts { grid-template-columns: 1fr; }
  .charts figure.wide { overflow-x: auto; }
  .charts figure.wide svg { min-width: 34rem; }
  table { display: block; overflow-x: auto; }
}
@media screen and (min-width: 40rem) and (max-width: 56rem) {
  .figures { grid-template-columns: repeat(3, 1fr); }
}
nav.wave-picker { background: #edf2f7; border-left: 4px solid var(--grey); padding: 0.4rem 0.75rem; margin: 0 0 1rem; font-size: 0.9rem; }
nav.wave-picker p { margin: 0.2rem 0; }
@page { size: A4; margin: 15mm 14mm 17mm; }
@media print {
  nav.wave-picker { display: none; }
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { margin-top: 1.2rem; }
  .charts { grid-template-columns: 1fr 1fr; }
  .stamp { display: block; position: fixed; bottom: -10mm; right: 0; font-size: 8pt; color: #975a16; font-weight: 600; }
  .pagebreak { break-before: page; }
  details > summary { list-style: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Bars of one coded field, dark where the finding counts the code.
fn code_bars(counts: &[CodeCount], lang: Lang, dark: &[&str]) -> Vec<Bar> {
    counts
        .iter()
        .map(|c| Bar {
            label: lang.pick(c.label_id, c.label_en).to_string(),
            value: c.groups as f64,
            text: format!(
                "{} ({})",
                format_count(c.groups, lang),
                format_percent(c.share, lang)
            ),
            dark: dark.contains(&c.code),
        })
        .collect()
}

fn brief_cells(b: &Brief, lang: Lang) -> String {
    let mut s = String::new();
    for x in [
        b.share_older_10,
        b.share_grown_from_community,
        b.share_domicile,
        b.share_resilience_or_welfare,
        b.share_dues_any,
        b.share_core_values,
    ] {
        let cell = if b.groups == 0 {
            "–".to_string()
        } else {
            format_percent(x, lang)
        };
        let _ = write!(s, "<td>{cell}</td>");
    }
    s
}

fn brief_headers(lang: Lang) -> String {
    let h = match lang {
        Lang::Id => [
            "≥ 10 tahun (F1)",
            "Tumbuh dari masyarakat (F3)",
            "Domisili (F3)",
            "Ketahanan/ kesejahteraan (F4)",
            "Iuran anggota (F4)",
            "Kebersamaan/ tolong-menolong/ gotong royong (F5)",
        ],
        Lang::En => [
            "≥ 10 years (F1)",
            "Grown from community (F3)",
            "Domicile (F3)",
            "Resilience/ welfare (F4)",
            "Member dues (F4)",
            "Togetherness/ mutual help/ gotong royong (F5)",
        ],
    };
    h.iter().map(|x| format!("<th>{}</th>", esc(x))).collect()
}

/// The start of a self-contained HTML file with the report's style, up to `<body>`.
pub fn document_head(title: &str, lang: Lang) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"wahana {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        lang.pick("id", "en"),
        env!("CARGO_PKG_VERSION"),
        esc(title)
    )
}

/// The report in one language; every finding also carries its sentence in the other. `network`
/// is the scope's network section ([`crate::service::network::report_section`]). With `change`
/// (a comparison ending with the report's wave, and whether its groups may be listed) the
/// report gains the section "Perubahan sejak …" / "Change since …".
pub fn render(
    data: &ProfileData,
    p: &Profile<'_>,
    lang: Lang,
    network: &ReportNetwork,
    change: Option<(&CompareData, bool)>,
) -> String {
    render_with(data, p, lang, network, change, "")
}

/// [`render`] with `nav` (HTML: the web page's wave picker) at the top of the body; hidden
/// when printed.
pub fn render_with(
    data: &ProfileData,
    p: &Profile<'_>,
    lang: Lang,
    network: &ReportNetwork,
    change: Option<(&CompareData, bool)>,
    nav: &str,
) -> String {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    let other = match lang {
        Lang::Id => Lang::En,
        Lang::En => Lang::Id,
    };
    let n = p.groups_qualifying;
    let mut s = String::with_capacity(64 * 1024);
    let heading = title(data, lang);
    s.push_str(&document_head(&heading, lang));
    s.push_str(nav);

    // The synthetic banner, and a stamp on every printed page.
    if data.wave.synthetic {
        let _ = write!(
            s,
            "<div class=\"synthetic\" role=\"note\"><strong>{}</strong><br>{}</div>\n<div class=\"stamp\">{}</div>\n",
            l(
                "DATA SINTETIS — BUKAN HASIL PENGUKURAN",
                "SYNTHETIC DATA — NOT A MEASUREMENT"
            ),
            esc(&match lang {
                Lang::Id => format!(
                    "Pendataan \"{}\" dibuat oleh program untuk demonstrasi ({}). Angka di laporan ini tidak menggambarkan {} dan tidak boleh dikutip sebagai temuan.",
                    data.wave.name,
                    data.wave.source.as_deref().unwrap_or("sintetis"),
                    data.scope.name()
                ),
                Lang::En => format!(
                    "The wave \"{}\" was generated by the program for demonstration ({}). The numbers in this report do not describe {} and must not be cited as findings.",
                    data.wave.name,
                    data.wave.source.as_deref().unwrap_or("synthetic"),
                    data.scope.name()
                ),
            }),
            l("DATA SINTETIS", "SYNTHETIC DATA")
        );
    }

    // Heading.
    let _ = writeln!(s, "<header>\n<h1>{}</h1>", esc(&heading));
    let mut meta = Vec::new();
    let ancestry = data.ancestry();
    if !ancestry.is_empty() {
        meta.push(esc(&ancestry));
    }
    if let Scope::Region(r) = data.scope {
        meta.push(format!("{} {}", l("kode", "code"), esc(r.code.as_str())));
    }
    let date = data
        .wave
        .date()
        .map(|d| format!(", {d}"))
        .unwrap_or_default();
    meta.push(format!(
        "{} {} ({}{date})",
        l("pendataan", "wave"),
        esc(&data.wave.name),
        esc(&data.wave.id)
    ));
    meta.push(format!(
        "{} <code>{}</code>",
        l("aturan", "rules"),
        esc(&data.rules.version)
    ));
    let _ = writeln!(
        s,
        "<p class=\"meta\">{}</p>\n</header>",
        meta.iter()
            .map(|m| format!("<span>{m}</span>"))
            .collect::<String>()
    );

    // Key figures.
    let c = &p.coverage;
    let a = &data.actors;
    let figures = [
        (
            format_count(p.groups_recorded, lang),
            l("kelompok tercatat", "groups recorded").to_string(),
        ),
        (
            format_count(n, lang),
            format!(
                "{} ({})",
                l("memenuhi syarat, belum bubar", "qualifying, not dissolved"),
                pct_of(n, p.groups_recorded, lang)
            ),
        ),
        (
            format!(
                "{} / {}",
                format_count(c.villages_with_groups, lang),
                format_count(c.villages_in_region, lang)
            ),
            format!(
                "{} ({})",
                l(
                    "desa/kelurahan dengan kelompok tercatat",
                    "villages with recorded groups"
                ),
                format_percent(c.share_with_groups, lang)
            ),
        ),
        (
            format_count(a.networks, lang),
            l("wahana (WKSBM)", "networks (WKSBM)").to_string(),
        ),
        (
            format_count(a.institutions, lang),
            l("lembaga pendukung", "support institutions").to_string(),
        ),
        (format_count(a.ties, lang), l("ikatan", "ties").to_string()),
    ];
    s.push_str("<div class=\"figures\">");
    for (v, label) in figures {
        let _ = write!(
            s,
            "<div class=\"figure\"><b>{}</b><span>{}</span></div>",
            esc(&v),
            esc(&label)
        );
    }
    s.push_str("</div>\n");

    // The five findings.
    let claims = [
        (
            "Kelompok telah ada dan tumbuh di masyarakat lebih dari 10 tahun.",
            "The groups have existed and grown in the community for more than 10 years.",
        ),
        (
            "Rata-rata lebih dari 50 kelompok per desa/kelurahan.",
            "On average more than 50 groups per village.",
        ),
        (
            "Kelompok tumbuh di dalam masyarakat, dan keanggotaannya terutama atas dasar domisili.",
            "The groups grew within the community, and membership is mostly based on domicile.",
        ),
        (
            "Kegiatan bertujuan menjaga ketahanan sosial melalui kesejahteraan anggota, dibiayai iuran anggota.",
            "Activities aim at social resilience through members' welfare, financed by member dues.",
        ),
        (
            "Kegiatan dijiwai kebersamaan: tolong-menolong dan gotong royong.",
            "Activities carry the spirit of togetherness: mutual help and gotong royong.",
        ),
    ];
    let _ = writeln!(
        s,
        "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
        l(
            "Lima temuan studi 2007",
            "The five findings of the 2007 study"
        ),
        esc(l(
            "Setiap temuan studi Tanete Riattang (2007) diuji dengan data pendataan ini: berlaku atau tidak, dengan angka dan penyebutnya.",
            "Each finding of the Tanete Riattang study (2007) is tested against this wave's data: whether it holds, with its number and denominator."
        ))
    );
    for (f, (cid, cen)) in p.findings().iter().zip(claims) {
        let class = if f.holds { "holds" } else { "fails" };
        let badge = if f.holds {
            l("berlaku", "holds")
        } else {
            l("tidak berlaku", "does not hold")
        };
        let _ = writeln!(
            s,
            "<div class=\"finding {class}\"><h3>{} {}<span class=\"badge {class}\">{}</span></h3>\
             <p class=\"claim\">{}: {}</p><p>{}</p><p class=\"other\" lang=\"{}\">{}</p></div>",
            f.id,
            esc(f.title(lang)),
            esc(badge),
            l("Temuan 2007", "2007 finding"),
            esc(lang.pick(cid, cen)),
            esc(f.sentence(lang)),
            lang.pick("en", "id"),
            esc(f.sentence(other))
        );
    }
    s.push_str("</section>\n");

    // Charts.
    let _ = writeln!(
        s,
        "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<div class=\"charts\">",
        l("Gambar", "Charts"),
        esc(&match lang {
            Lang::Id => format!(
                "Batang gelap: yang dihitung oleh temuan. Garis putus-putus: ambang temuan. Penyebut: {} kelompok yang memenuhi syarat dan belum bubar.",
                format_count(n, lang)
            ),
            Lang::En => format!(
                "Dark bars: what the finding counts. Dashed lines: the finding's threshold. Denominator: {} qualifying, not dissolved groups.",
                format_count(n, lang)
            ),
        })
    );
    let mut fig = 0;
    let mut figure = |s: &mut String, wide: bool, svg: String, caption: String| {
        fig += 1;
        let _ = writeln!(
            s,
            "<figure{}>{svg}<figcaption><b>{} {fig}.</b> {}</figcaption></figure>",
            if wide { " class=\"wide\"" } else { "" },
            l("Gambar", "Figure"),
            esc(&caption)
        );
    };
    let b = &p.f1.age_bands;
    let age = [
        (l("< 5 tahun", "< 5 years"), b.lt5, false),
        (l("5–9 tahun", "5–9 years"), b.from5_to9, false),
        (l("10–19 tahun", "10–19 years"), b.from10_to19, true),
        (l("≥ 20 tahun", "≥ 20 years"), b.from20, true),
    ]
    .map(|(label, v, dark)| Bar {
        label: label.to_string(),
        value: v as f64,
        text: format!("{} ({})", format_count(v, lang), pct_of(v, n, lang)),
        dark,
    });
    figure(
        &mut s,
        false,
        charts::vbars(
            l("Umur kelompok", "Age of groups"),
            &age,
            l("umur pada tanggal pendataan", "age at the survey date"),
        ),
        format!(
            "F1 — {} {}",
            l(
                "Umur kelompok pada tanggal pendataan.",
                "Age of groups at the survey date."
            ),
            match lang {
                Lang::Id => format!(
                    "{} berumur 10 tahun atau lebih.",
                    format_percent(p.f1.share_older_10, lang)
                ),
                Lang::En => format!(
                    "{} are 10 years old or more.",
                    format_percent(p.f1.share_older_10, lang)
                ),
            }
        ),
    );
    let half = Some((n as f64 * MAJORITY, "50%"));
    figure(
        &mut s,
        false,
        charts::hbars(
            l("Asal kelompok", "Origin of groups"),
            &code_bars(&p.counts.origin, lang, &["tumbuh_masyarakat"]),
            Some(n as f64),
            half,
        ),
        format!(
            "F3 — {}",
            l(
                "Asal kelompok: tumbuh dari masyarakat atau dibentuk pihak luar.",
                "Origin: grown from the community or formed by an outside party."
            )
        ),
    );
    // F2: one bar per village, or a histogram when there are many.
    let d = &p.f2;
    let f2_caption = match lang {
        Lang::Id => format!(
            "F2 — Kelompok per desa/kelurahan: rata-rata {}, median {}, terendah {}, tertinggi {}, atas {} desa/kelurahan dengan kelompok tercatat.",
            format_number(d.mean, lang),
            format_number(d.median, lang),
            format_count(d.min, lang),
            format_count(d.max, lang),
            format_count(d.villages, lang)
        ),
        Lang::En => format!(
            "F2 — Groups per village: mean {}, median {}, lowest {}, highest {}, over {} villages with recorded groups.",
            format_number(d.mean, lang),
            format_number(d.median, lang),
            format_count(d.min, lang),
            format_count(d.max, lang),
            format_count(d.villages, lang)
        ),
    };
    let mean_label = format!("{} {}", l("rata-rata", "mean"), format_number(d.mean, lang));
    let svg = if p.by_village.len() <= VILLAGE_ROWS {
        let bars: Vec<VillageBar<'_>> = p
            .by_village
            .iter()
            .map(|v| VillageBar {
                name: v.name,
                recorded: v.recorded,
                counted: v.brief.groups,
            })
            .collect();
        charts::village_bars(
            l("Kelompok per desa/kelurahan", "Groups per village"),
            &bars,
            d.mean,
            (
                l("tercatat", "recorded"),
                l("memenuhi syarat, belum bubar", "qualifying, not dissolved"),
                l("ambang 50", "threshold 50"),
                &mean_label,
            ),
        )
    } else {
        let counts: Vec<u64> = p
            .by_village
            .iter()
            .filter(|v| v.recorded > 0)
            .map(|v| v.brief.groups)
            .collect();
        charts::density_histogram(
            l(
                "Sebaran kelompok per desa/kelurahan",
                "Distribution of groups per village",
            ),
            &counts,
            (
                l(
                    "kelompok yang memenuhi syarat per desa/kelurahan (banyaknya desa/kelurahan pada sumbu tegak)",
                    "qualifying groups per village (number of villages on the vertical axis)",
                ),
                l("ambang 50", "threshold 50"),
            ),
        )
    };
    figure(&mut s, true, svg, f2_caption);
    figure(
        &mut s,
        false,
        charts::hbars(
            l("Dasar keanggotaan", "Membership basis"),
            &code_bars(&p.counts.membership_basis, lang, &["domisili"]),
            Some(n as f64),
            half,
        ),
        format!(
            "F3 — {}",
            l(
                "Dasar keanggotaan (sebuah kelompok dapat memiliki beberapa).",
                "Membership basis (a group may have several)."
            )
        ),
    );
    figure(
        &mut s,
        false,
        charts::hbars(
            l("Tujuan", "Purposes"),
            &code_bars(
                &p.counts.purposes,
                lang,
                &["ketahanan_sosial", "kesejahteraan_anggota"],
            ),
            Some(n as f64),
            half,
        ),
        format!(
            "F4 — {}",
            l(
                "Tujuan kelompok (sebuah kelompok dapat memiliki beberapa).",
                "Purposes (a group may have several)."
            )
        ),
    );
    figure(
        &mut s,
        false,
        charts::hbars(
            l("Sumber dana", "Funding sources"),
            &code_bars(&p.counts.funding, lang, &["iuran_anggota"]),
            Some(n as f64),
            half,
        ),
        format!(
            "F4 — {} {}",
            l(
                "Sumber dana (sebuah kelompok dapat memiliki beberapa).",
                "Funding sources (a group may have several)."
            ),
            match lang {
                Lang::Id => format!(
                    "Iuran anggota sebagai sumber utama: {}.",
                    format_percent(p.f4.share_dues_main, lang)
                ),
                Lang::En => format!(
                    "Member dues as the main source: {}.",
                    format_percent(p.f4.share_dues_main, lang)
                ),
            }
        ),
    );
    figure(
        &mut s,
        false,
        charts::hbars(
            l("Nilai dan norma", "Values and norms"),
            &code_bars(
                &p.counts.values,
                lang,
                &["kebersamaan", "tolong_menolong", "gotong_royong"],
            ),
            Some(n as f64),
            half,
        ),
        format!(
            "F5 — {}",
            l(
                "Nilai dan norma yang dicatat (sebuah kelompok dapat mencatat beberapa).",
                "Values and norms recorded (a group may record several)."
            )
        ),
    );
    s.push_str("</div>\n</section>\n");

    // Villages, or child regions when there are many villages.
    let children = child_rows(data, p);
    if p.by_village.len() > VILLAGE_ROWS && !children.is_empty() {
        let _ = writeln!(
            s,
            "<section class=\"pagebreak\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n<table><thead><tr><th>{}</th><th class=\"t\">{}</th><th>{}</th><th>{}</th><th>{}</th>{}</tr></thead><tbody>",
            l("Per wilayah", "By region"),
            esc(&match lang {
                Lang::Id => format!(
                    "{} desa/kelurahan memiliki kelompok tercatat; rinciannya ada di keluaran XLSX dan JSON.",
                    format_count(p.by_village.len() as u64, lang)
                ),
                Lang::En => format!(
                    "{} villages hold recorded groups; the XLSX and JSON outputs list each one.",
                    format_count(p.by_village.len() as u64, lang)
                ),
            }),
            l("Kode", "Code"),
            l("Wilayah", "Region"),
            l("Desa/kel. dengan kelompok", "Villages with groups"),
            l("Tercatat", "Recorded"),
            l("Memenuhi syarat", "Qualifying"),
            brief_headers(lang)
        );
        for r in &children {
            let brief = Brief::from(&r.counted);
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"t\">{}</td><td>{} / {}</td><td>{}</td><td>{}</td>{}</tr>",
                esc(&r.code),
                esc(&r.name),
                format_count(r.villages_with_groups, lang),
                format_count(r.villages_in_region, lang),
                format_count(r.recorded, lang),
                format_count(r.counted.groups, lang),
                brief_cells(&brief, lang)
            );
        }
        s.push_str("</tbody></table>\n</section>\n");
    } else {
        let _ = writeln!(
            s,
            "<section class=\"pagebreak\">\n<h2>{}</h2>\n<table><thead><tr><th>{}</th><th class=\"t\">{}</th><th>{}</th><th>{}</th>{}</tr></thead><tbody>",
            l("Per desa/kelurahan", "By village"),
            l("Kode", "Code"),
            l("Desa/kelurahan", "Village"),
            l("Tercatat", "Recorded"),
            l("Memenuhi syarat", "Qualifying"),
            brief_headers(lang)
        );
        for v in &p.by_village {
            let _ = writeln!(
                s,
                "<tr><td>{}</td><td class=\"t\">{}</td><td>{}</td><td>{}</td>{}</tr>",
                esc(v.code),
                esc(v.name),
                format_count(v.recorded, lang),
                format_count(v.brief.groups, lang),
                brief_cells(&v.brief, lang)
            );
        }
        let total = Brief {
            groups: n,
            share_older_10: p.f1.share_older_10,
            share_grown_from_community: p.f3.share_grown_from_community,
            share_domicile: p.f3.share_domicile,
            share_resilience_or_welfare: p.f4.share_resilience_or_welfare,
            share_dues_any: p.f4.share_dues_any,
            share_core_values: p.f5.share_any,
        };
        let _ = writeln!(
            s,
            "</tbody><tfoot><tr><td></td><td class=\"t\">{}</td><td>{}</td><td>{}</td>{}</tr></tfoot></table>",
            l("Jumlah", "Total"),
            format_count(p.groups_recorded, lang),
            format_count(n, lang),
            brief_cells(&total, lang)
        );
        if c.villages_without_groups > 0 {
            let _ = writeln!(
                s,
                "<p class=\"note\">{}</p>",
                esc(&match lang {
                    Lang::Id => format!(
                        "{} dari {} desa/kelurahan di wilayah ini tidak memiliki kelompok tercatat pada pendataan ini (cakupan {}).",
                        format_count(c.villages_without_groups, lang),
                        format_count(c.villages_in_region, lang),
                        format_percent(c.share_with_groups, lang)
                    ),
                    Lang::En => format!(
                        "{} of the {} villages of this region hold no recorded group in this wave (coverage {}).",
                        format_count(c.villages_without_groups, lang),
                        format_count(c.villages_in_region, lang),
                        format_percent(c.share_with_groups, lang)
                    ),
                })
            );
        }
        s.push_str("</section>\n");
    }

    // By group type.
    let _ = writeln!(
        s,
        "<section>\n<h2>{}</h2>\n<table><thead><tr><th class=\"t\">{}</th><th>{}</th><th>{}</th>{}</tr></thead><tbody>",
        l("Per jenis kelompok", "By group type"),
        l("Jenis", "Type"),
        l("Kelompok", "Groups"),
        l("Bagian", "Share"),
        brief_headers(lang)
    );
    for t in &p.by_type {
        let _ = writeln!(
            s,
            "<tr><td class=\"t\">{}</td><td>{}</td><td>{}</td>{}</tr>",
            esc(lang.pick(t.label_id, t.label_en)),
            format_count(t.brief.groups, lang),
            format_percent(t.share_of_groups, lang),
            brief_cells(&t.brief, lang)
        );
    }
    s.push_str("</tbody></table>\n</section>\n");

    if let Some((d, records)) = change {
        s.push_str(&super::compare::html_section(d, records, lang));
    }

    network_section(&mut s, data, network, lang);

    // Method.
    let _ = writeln!(
        s,
        "<section>\n<h2>{}</h2>\n<ul class=\"method\">",
        l("Catatan metode", "Method")
    );
    for note in data.notes(lang).iter().chain(method_notes(lang).iter()) {
        let _ = writeln!(s, "<li>{}</li>", esc(note));
    }
    s.push_str("</ul>\n</section>\n");

    // The rule set.
    let r = &data.rules;
    let _ = writeln!(
        s,
        "<section class=\"pagebreak\">\n<h2>{} <code>{}</code></h2>\n<p><b>{}</b></p>\n<p class=\"note\">{}</p>\n\
         <table><thead><tr><th class=\"t\">{}</th><th class=\"t\">{}</th><th class=\"t\">{}</th><th class=\"t\">{}</th></tr></thead><tbody>",
        l("Aturan penyaringan", "Screening rules"),
        esc(&r.version),
        esc(&r.name),
        esc(&r.description),
        l("Kriteria", "Criterion"),
        l("Jenis", "Kind"),
        l("Nama", "Name"),
        l("Catatan", "Note")
    );
    for crit in &r.criteria {
        let kind = match crit.kind.code() {
            "exclude" => l("pengecualian", "exclusion"),
            _ => l("syarat", "requirement"),
        };
        let _ = writeln!(
            s,
            "<tr><td>{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"t\">{}</td></tr>",
            esc(&crit.id),
            esc(kind),
            esc(crit.label(lang)),
            esc(crit.note.as_deref().unwrap_or(""))
        );
    }
    let _ = writeln!(
        s,
        "</tbody></table>\n<details open><summary>{}</summary>\n<pre>{}</pre></details>\n</section>",
        l(
            "Teks lengkap aturan (TOML)",
            "The rule set's full text (TOML)"
        ),
        esc(&data.rules_text)
    );

    let _ = writeln!(
        s,
        "<footer>{}</footer>\n</body>\n</html>",
        esc(&match lang {
            Lang::Id => format!(
                "Dibuat dengan wahana {} pada {}. Sumber pendataan: {}. Dasar: Sosio Konsepsia 12(1), 2007 (DOI 10.33007/ska.v12i1.616).",
                env!("CARGO_PKG_VERSION"),
                data.made_on,
                data.wave.source.as_deref().unwrap_or("-")
            ),
            Lang::En => format!(
                "Made with wahana {} on {}. Wave source: {}. Basis: Sosio Konsepsia 12(1), 2007 (DOI 10.33007/ska.v12i1.616).",
                env!("CARGO_PKG_VERSION"),
                data.made_on,
                data.wave.source.as_deref().unwrap_or("-")
            ),
        })
    );
    s
}

/// The network section: the measures, the picture and the brokers (`domain.md`, "The network").
fn network_section(s: &mut String, data: &ProfileData, network: &ReportNetwork, lang: Lang) {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    match network {
        ReportNetwork::Omitted => {}
        ReportNetwork::TooLarge { groups } => {
            let _ = writeln!(
                s,
                "<section>\n<h2>{}</h2>\n<p class=\"note\">{}</p>\n</section>",
                l("Jejaring", "The network"),
                esc(&network_too_large(data.scope, *groups, lang))
            );
        }
        ReportNetwork::Drawn(d) => {
            let m = &d.measures;
            let r = &m.measures;
            let _ = writeln!(
                s,
                "<section class=\"pagebreak\">\n<h2>{}</h2>\n<p class=\"note\">{}</p>",
                l("Jejaring", "The network"),
                network_description(lang)
            );
            let rows: [(&str, String); 9] = [
                (
                    l("Pelaku (simpul)", "Actors (nodes)"),
                    format!(
                        "{} ({} {}, {} {}, {} {})",
                        format_count(r.nodes as u64, lang),
                        format_count(r.groups as u64, lang),
                        l("kelompok", "groups"),
                        format_count(r.institutions as u64, lang),
                        l("lembaga", "institutions"),
                        format_count(r.networks as u64, lang),
                        l("wahana", "networks")
                    ),
                ),
                (l("Ikatan", "Ties"), format_count(r.ties as u64, lang)),
                (l("Kepadatan", "Density"), decimal(r.density, 4, lang)),
                (
                    l(
                        "Komponen terhubung (terbesar)",
                        "Connected components (largest)",
                    ),
                    format!(
                        "{} ({})",
                        format_count(r.components as u64, lang),
                        format_count(r.largest_component as u64, lang)
                    ),
                ),
                (
                    l(
                        "Kelompok terisolasi (tanpa ikatan)",
                        "Isolated groups (no tie)",
                    ),
                    format_count(r.isolates as u64, lang),
                ),
                (
                    l("Derajat rata-rata / maksimum", "Degree mean / max"),
                    format!("{} / {}", decimal(r.degree_mean, 2, lang), r.degree_max),
                ),
                (
                    l(
                        "Kelompok terikat ke lembaga",
                        "Groups tied to an institution",
                    ),
                    format_percent(r.share_tied_to_institution, lang),
                ),
                (
                    l("Ikatan lintas desa/kelurahan", "Ties across villages"),
                    format_count(r.cross_village_ties as u64, lang),
                ),
                (
                    l("Ikatan anggota bersama", "Co-membership ties"),
                    format_count(r.co_membership_ties as u64, lang),
                ),
            ];
            s.push_str("<table><tbody>\n");
            for (k, v) in rows {
                let _ = writeln!(
                    s,
                    "<tr><td class=\"t\">{}</td><td>{}</td></tr>",
                    esc(k),
                    esc(&v)
                );
            }
            s.push_str("</tbody></table>\n");
            let _ = writeln!(s, "<figure class=\"network\">{}</figure>", d.svg);
            if m.betweenness_computed && !r.top_brokers.is_empty() {
                let _ = writeln!(
                    s,
                    "<h3>{}</h3>\n<table><thead><tr><th class=\"t\">{}</th><th>Betweenness</th></tr></thead><tbody>",
                    l("Perantara utama", "Top brokers"),
                    l("Pelaku", "Actor")
                );
                for b in &r.top_brokers {
                    let _ = writeln!(
                        s,
                        "<tr><td class=\"t\">{} <small>{}</small></td><td>{}</td></tr>",
                        esc(&b.name),
                        esc(&b.id),
                        decimal(b.betweenness, 4, lang)
                    );
                }
                s.push_str("</tbody></table>\n");
            } else if !m.betweenness_computed {
                let _ = writeln!(s, "<p class=\"note\">{}</p>", betweenness_skipped(lang));
            }
            s.push_str("</section>\n");
        }
    }
}

/// `x` with `digits` decimals, with a decimal comma in Indonesian.
fn decimal(x: f64, digits: usize, lang: Lang) -> String {
    let s = format!("{x:.digits$}");
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}
