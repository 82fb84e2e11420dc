//! The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched)
//! that a browser shows and prints cleanly to A4. The markup is the template
//! `templates/report/profile.html` (escaped by [`super::XmlEscaper`]); this module gathers
//! what it shows, in the report's language.

use super::charts::{self, Bar, VillageBar};
use super::{
    ReportHead, VILLAGE_ROWS, betweenness_skipped, child_rows, method_notes, network_description,
    network_too_large, pct_of, title,
};
use crate::service::compare::CompareData;
use crate::service::network::ReportNetwork;
use crate::service::profile::ProfileData;
use crate::service::screening::Scope;
use askama::Template;
use wahana_domain::Lang;
use wahana_domain::profile::{
    Brief, CodeCount, MAJORITY, Profile, format_count, format_number, format_percent,
};

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

/// The six shares of a brief, as the tables' last cells show them (a dash for no group).
fn brief_cells(b: &Brief, lang: Lang) -> [String; 6] {
    [
        b.share_older_10,
        b.share_grown_from_community,
        b.share_domicile,
        b.share_resilience_or_welfare,
        b.share_dues_any,
        b.share_core_values,
    ]
    .map(|x| {
        if b.groups == 0 {
            "–".to_string()
        } else {
            format_percent(x, lang)
        }
    })
}

/// The headers of [`brief_cells`].
fn brief_headers(lang: Lang) -> [&'static str; 6] {
    match lang {
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
    }
}

/// The profile report as `templates/report/profile.html` shows it.
#[derive(Template)]
#[template(path = "report/profile.html", escape = "xml", whitespace = "minimize")]
struct ProfileReport<'a> {
    lang: Lang,
    title: String,
    /// HTML already (the web page's wave picker), or empty.
    nav: &'a str,
    /// The synthetic banner's sentence, for a synthetic wave.
    synthetic: Option<String>,
    ancestry: String,
    code: Option<&'a str>,
    /// The wave in words (`pendataan "…"`, no word said twice).
    wave_name: String,
    wave_id: &'a str,
    wave_date: Option<String>,
    rules_version: &'a str,
    /// The key figures: value and label.
    figures: Vec<(String, String)>,
    /// The first page's letterhead: office, address, logo (a data URI).
    letterhead: Option<(String, String, Option<String>)>,
    /// The executive summary, the first page.
    summary: Summary,
    /// The signature block under the summary.
    signature: Option<Signature>,
    /// "Halaman 3 dari 12", for the printed pages' footer: the words around the numbers.
    page_words: (&'static str, &'static str),
    /// What every printed page's footer says of a synthetic wave (empty otherwise).
    page_stamp: &'static str,
    findings: Vec<FindingView>,
    charts_note: String,
    charts: Vec<Figure>,
    brief_headers: [&'static str; 6],
    places: Places,
    types: Vec<TypeRow>,
    /// The section on the change since an earlier wave.
    change: Option<super::compare::ChangeSection>,
    network: NetworkView,
    /// The map of the region's children: its SVG, and the names drawn as points.
    map: Option<(String, String)>,
    method: Vec<String>,
    rules_name: &'a str,
    rules_description: &'a str,
    criteria: Vec<CriterionRow<'a>>,
    footer: String,
}

/// The executive summary: what was surveyed, the coverage, what stands out (the findings are
/// [`ProfileReport::findings`], one sentence each).
struct Summary {
    surveyed: String,
    coverage: String,
    /// Said when the coverage is partial: the findings are the surveyed villages'.
    partial: Option<String>,
    stand_out: Vec<String>,
}

/// The signature block: place and date, the signatory's title, name and NIP.
struct Signature {
    place_date: String,
    title: String,
    name: String,
    nip: String,
}

impl ProfileReport<'_> {
    fn t(&self, id: &'static str, en: &'static str) -> &'static str {
        self.lang.pick(id, en)
    }
}

/// One of the five findings, tested.
struct FindingView {
    id: &'static str,
    /// `holds`, `fails` or `nodata` (the style).
    class: &'static str,
    title: &'static str,
    /// "berlaku", "tidak berlaku di 8 dari 372 desa/kelurahan yang didata", "tidak ada data".
    badge: String,
    /// The 2007 study's statement.
    claim: &'static str,
    /// In the report's language only, without the synthetic mark (said once per page).
    sentence: String,
}

impl FindingView {
    /// The sentence after its verdict, for a line that shows the verdict as its badge just
    /// before it ("berlaku" then "rata-rata 51,5 …", not "berlaku Berlaku: rata-rata …").
    fn after_badge(&self) -> String {
        let s = self.sentence.as_str();
        let head = s.get(..self.badge.len());
        match (head, s.get(self.badge.len()..)) {
            (Some(h), Some(rest))
                if h.eq_ignore_ascii_case(&self.badge) && rest.starts_with(": ") =>
            {
                let rest = &rest[2..];
                let mut c = rest.chars();
                match c.next() {
                    Some(first) => first.to_uppercase().chain(c).collect(),
                    None => String::new(),
                }
            }
            _ => self.sentence.clone(),
        }
    }
}

/// A chart (SVG, built by [`charts`]) and its caption; `wide` spans both columns.
struct Figure {
    wide: bool,
    svg: String,
    caption: String,
}

/// The table of places: the villages, or the child regions when there are many villages.
enum Places {
    Children {
        note: String,
        rows: Vec<PlaceRow>,
    },
    Villages {
        rows: Vec<PlaceRow>,
        total: Box<PlaceRow>,
        /// How many villages hold no recorded group, when some do not.
        coverage: Option<String>,
    },
}

struct PlaceRow {
    code: String,
    name: String,
    /// Villages with groups / villages (child regions only).
    villages: String,
    recorded: String,
    counted: String,
    brief: [String; 6],
}

struct TypeRow {
    name: &'static str,
    counted: String,
    share: String,
    brief: [String; 6],
}

/// The network section.
enum NetworkView {
    Omitted,
    /// Too many groups to draw: why, and the command that measures it.
    TooLarge(String),
    Drawn {
        description: &'static str,
        /// Measure and value.
        measures: Vec<(&'static str, String)>,
        svg: String,
        /// Name, id and betweenness.
        brokers: Vec<(String, String, String)>,
        /// Why there are no brokers, when betweenness was skipped.
        skipped: Option<&'static str>,
    },
}

struct CriterionRow<'a> {
    id: &'a str,
    kind: &'static str,
    label: &'a str,
    note: &'a str,
}

/// What a report is rendered with besides the profile: its language, the letterhead, and the
/// web page's navigation (HTML, hidden when printed; empty for a file).
#[derive(Clone, Copy)]
pub struct Setting<'a> {
    pub lang: Lang,
    pub head: &'a ReportHead,
    pub nav: &'a str,
}

/// The report, wholly in one language (the other language is another rendering: `?lang=en`,
/// `--lang en`): a first page for a decision-maker (letterhead, executive summary, signature),
/// then the details, the rule set as an appendix. `network` is the scope's network section
/// ([`crate::service::network::report_section`]). With `change` (a comparison ending with
/// the report's wave, and whether its groups may be listed) the report gains the section
/// "Perubahan sejak …" / "Change since …".
pub fn render(
    data: &ProfileData,
    p: &Profile<'_>,
    setting: Setting<'_>,
    network: &ReportNetwork,
    map: Option<&super::map::Choropleth>,
    change: Option<(&CompareData, bool)>,
) -> Result<String, askama::Error> {
    let Setting { lang, head, nav } = setting;
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    let n = p.groups_qualifying;

    // The synthetic banner, and a stamp on every printed page.
    let synthetic = data.wave.synthetic.then(|| match lang {
        Lang::Id => format!(
            "{} dibuat oleh program untuk demonstrasi ({}). Angka di laporan ini tidak menggambarkan {} dan tidak boleh dikutip sebagai temuan.",
            wahana_domain::Wave::named(&data.wave.name, lang, true),
            data.wave.source.as_deref().unwrap_or("sintetis"),
            data.scope.name()
        ),
        Lang::En => format!(
            "{} was generated by the program for demonstration ({}). The numbers in this report do not describe {} and must not be cited as findings.",
            wahana_domain::Wave::named(&data.wave.name, lang, true),
            data.wave.source.as_deref().unwrap_or("synthetic"),
            data.scope.name()
        ),
    });

    // Key figures.
    let c = &p.coverage;
    let a = &data.actors;
    let figures = vec![
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

    // The five findings, each with the 2007 study's statement.
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
    let findings: Vec<FindingView> = p
        .findings()
        .into_iter()
        .zip(claims)
        .map(|(f, (cid, cen))| FindingView {
            id: f.id,
            class: f.verdict.class(),
            title: f.title(lang),
            badge: f.badge(lang),
            claim: lang.pick(cid, cen),
            sentence: f.sentence_unmarked(lang).to_string(),
        })
        .collect();
    let summary = summary(data, p, lang);

    // Charts.
    let charts_note = match lang {
        Lang::Id => format!(
            "Batang gelap: yang dihitung oleh temuan. Garis putus-putus: ambang temuan. Penyebut: {} kelompok yang memenuhi syarat dan belum bubar.",
            format_count(n, lang)
        ),
        Lang::En => format!(
            "Dark bars: what the finding counts. Dashed lines: the finding's threshold. Denominator: {} qualifying, not dissolved groups.",
            format_count(n, lang)
        ),
    };
    let mut charts = Vec::new();
    let mut figure = |wide: bool, svg: String, caption: String| {
        charts.push(Figure { wide, svg, caption });
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
                    "{} berumur 10 tahun atau lebih; {} lebih dari 10 tahun.",
                    format_percent(p.f1.share_older_10, lang),
                    format_percent(p.f1.share_more_than_10, lang)
                ),
                Lang::En => format!(
                    "{} are 10 years old or more; {} more than 10.",
                    format_percent(p.f1.share_older_10, lang),
                    format_percent(p.f1.share_more_than_10, lang)
                ),
            }
        ),
    );
    let half = Some((n as f64 * MAJORITY, "50%"));
    figure(
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
    figure(true, svg, f2_caption);
    figure(
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

    // Villages, or child regions when there are many villages.
    let children = child_rows(data, p);
    let places = if p.by_village.len() > VILLAGE_ROWS && !children.is_empty() {
        Places::Children {
            note: match lang {
                Lang::Id => format!(
                    "{} desa/kelurahan memiliki kelompok tercatat; rinciannya ada di keluaran XLSX dan JSON.",
                    format_count(p.by_village.len() as u64, lang)
                ),
                Lang::En => format!(
                    "{} villages hold recorded groups; the XLSX and JSON outputs list each one.",
                    format_count(p.by_village.len() as u64, lang)
                ),
            },
            rows: children
                .iter()
                .map(|r| PlaceRow {
                    code: r.code.clone(),
                    name: r.name.clone(),
                    villages: format!(
                        "{} / {}",
                        format_count(r.villages_with_groups, lang),
                        format_count(r.villages_in_region, lang)
                    ),
                    recorded: format_count(r.recorded, lang),
                    counted: format_count(r.counted.groups, lang),
                    brief: brief_cells(&Brief::from(&r.counted), lang),
                })
                .collect(),
        }
    } else {
        let total = Brief {
            groups: n,
            share_older_10: p.f1.share_older_10,
            share_grown_from_community: p.f3.share_grown_from_community,
            share_domicile: p.f3.share_domicile,
            share_resilience_or_welfare: p.f4.share_resilience_or_welfare,
            share_dues_any: p.f4.share_dues_any,
            share_core_values: p.f5.share_any,
        };
        Places::Villages {
            rows: p
                .by_village
                .iter()
                .map(|v| PlaceRow {
                    code: v.code.to_string(),
                    name: v.name.to_string(),
                    villages: String::new(),
                    recorded: format_count(v.recorded, lang),
                    counted: format_count(v.brief.groups, lang),
                    brief: brief_cells(&v.brief, lang),
                })
                .collect(),
            total: Box::new(PlaceRow {
                code: String::new(),
                name: String::new(),
                villages: String::new(),
                recorded: format_count(p.groups_recorded, lang),
                counted: format_count(n, lang),
                brief: brief_cells(&total, lang),
            }),
            coverage: (c.villages_without_groups > 0).then(|| match lang {
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
            }),
        }
    };

    // By group type.
    let types = p
        .by_type
        .iter()
        .map(|t| TypeRow {
            name: lang.pick(t.label_id, t.label_en),
            counted: format_count(t.brief.groups, lang),
            share: format_percent(t.share_of_groups, lang),
            brief: brief_cells(&t.brief, lang),
        })
        .collect();

    let r = &data.rules;
    let lh = &head.letterhead;
    let letterhead = (lh.office.is_some() || head.logo_uri.is_some()).then(|| {
        (
            lh.office.clone().unwrap_or_default(),
            lh.address.clone().unwrap_or_default(),
            head.logo_uri.clone(),
        )
    });
    let signature =
        (lh.signatory_name.is_some() || lh.signatory_title.is_some()).then(|| Signature {
            place_date: match &lh.place {
                Some(place) => format!("{place}, {}", data.made_on.long(lang)),
                None => data.made_on.long(lang),
            },
            title: lh.signatory_title.clone().unwrap_or_default(),
            name: lh.signatory_name.clone().unwrap_or_default(),
            nip: lh.signatory_nip.clone().unwrap_or_default(),
        });
    let report = ProfileReport {
        lang,
        title: title(data, lang),
        nav,
        synthetic,
        ancestry: data.ancestry(),
        code: match data.scope {
            Scope::Region(r) => Some(r.code.as_str()),
            Scope::National => None,
        },
        wave_name: wahana_domain::Wave::named(&data.wave.name, lang, false),
        wave_id: &data.wave.id,
        wave_date: data.wave.date().map(|d| d.long(lang)),
        rules_version: &r.version,
        figures,
        letterhead,
        summary,
        signature,
        page_words: (l("Halaman", "Page"), l("dari", "of")),
        page_stamp: if data.wave.synthetic {
            l(
                "DATA SINTETIS — BUKAN HASIL PENGUKURAN",
                "SYNTHETIC DATA — NOT A MEASUREMENT",
            )
        } else {
            ""
        },
        findings,
        charts_note,
        charts,
        brief_headers: brief_headers(lang),
        places,
        types,
        change: change.map(|(d, records)| super::compare::ChangeSection::new(d, records, lang)),
        network: network_view(data, network, lang),
        map: map.map(|m| (m.svg.clone(), m.without_boundary.join(", "))),
        method: data
            .notes(lang)
            .into_iter()
            .chain(method_notes(lang))
            .collect(),
        rules_name: &r.name,
        rules_description: &r.description,
        criteria: r
            .criteria
            .iter()
            .map(|crit| CriterionRow {
                id: &crit.id,
                kind: match crit.kind.code() {
                    "exclude" => l("pengecualian", "exclusion"),
                    _ => l("syarat", "requirement"),
                },
                label: crit.label(lang),
                note: crit.note.as_deref().unwrap_or(""),
            })
            .collect(),
        footer: match lang {
            Lang::Id => format!(
                "Dibuat dengan wahana {} pada {}. Sumber pendataan: {}. Dasar: Sosio Konsepsia 12(1), 2007 (DOI 10.33007/ska.v12i1.616).",
                super::VERSION,
                data.made_on.long(lang),
                data.wave.source.as_deref().unwrap_or("-")
            ),
            Lang::En => format!(
                "Made with wahana {} on {}. Wave source: {}. Basis: Sosio Konsepsia 12(1), 2007 (DOI 10.33007/ska.v12i1.616).",
                super::VERSION,
                data.made_on.long(lang),
                data.wave.source.as_deref().unwrap_or("-")
            ),
        },
    };
    report.render()
}

/// The executive summary's paragraphs (`domain.md`: what was surveyed, its coverage, and what
/// stands out of the five findings).
fn summary(data: &ProfileData, p: &Profile<'_>, lang: Lang) -> Summary {
    let w = &data.wave;
    let region = match data.scope {
        Scope::National => "Indonesia".to_string(),
        Scope::Region(r) if r.level() == wahana_domain::Level::Regency => r.name.clone(),
        Scope::Region(r) => format!("{} {}", r.level().label(lang), r.name),
    };
    let period = match (w.start_date, w.end_date) {
        (Some(a), Some(b)) if a != b => format!(", {} – {}", a.long(lang), b.long(lang)),
        (Some(d), _) | (None, Some(d)) => format!(", {}", d.long(lang)),
        (None, None) => String::new(),
    };
    let design = match (w.method, lang) {
        (Some(wahana_domain::WaveMethod::Sample), Lang::Id) => {
            " Pendataan ini berupa sampel: setiap bagian disertai selang kepercayaan 95% (Wilson)."
        }
        (Some(wahana_domain::WaveMethod::Sample), Lang::En) => {
            " This wave is a sample: each share carries its 95% confidence interval (Wilson)."
        }
        (Some(wahana_domain::WaveMethod::Census), Lang::Id) => " Pendataan ini berupa sensus.",
        (Some(wahana_domain::WaveMethod::Census), Lang::En) => " This wave is a census.",
        (None, _) => "",
    };
    let (rec, n) = (
        format_count(p.groups_recorded, lang),
        format_count(p.groups_qualifying, lang),
    );
    let surveyed = match lang {
        Lang::Id => format!(
            "{}{period} mencatat {rec} kelompok di {region}; {n} di antaranya memenuhi syarat WKSBM menurut aturan penyaringan {} dan belum bubar.{design}",
            wahana_domain::Wave::named(&w.name, lang, true),
            data.rules.version
        ),
        Lang::En => format!(
            "{}{period} recorded {rec} groups in {region}; {n} of them qualify as WKSBM groups under the screening rules {} and have not dissolved.{design}",
            wahana_domain::Wave::named(&w.name, lang, true),
            data.rules.version
        ),
    };
    let c = &p.coverage;
    let (with, all) = (
        format_count(c.villages_with_groups, lang),
        format_count(c.villages_in_region, lang),
    );
    let coverage = match lang {
        Lang::Id => format!(
            "Cakupan: {with} dari {all} desa/kelurahan ({}) memiliki kelompok tercatat.",
            format_percent(c.share_with_groups, lang)
        ),
        Lang::En => format!(
            "Coverage: {with} of {all} villages ({}) hold recorded groups.",
            format_percent(c.share_with_groups, lang)
        ),
    };
    let partial = c.partial.then(|| match lang {
        Lang::Id => format!(
            "Pendataan ini hanya mencakup {with} dari {all} desa/kelurahan di {region}: setiap temuan di bawah berlaku untuk desa/kelurahan yang didata saja, bukan untuk seluruh {region}."
        ),
        Lang::En => format!(
            "This wave covers only {with} of the {all} villages of {region}: each finding below is about the villages surveyed, not about the whole of {region}."
        ),
    });
    let mut stand_out = Vec::new();
    let ids = |v: wahana_domain::profile::Verdict| -> Vec<&'static str> {
        p.findings()
            .iter()
            .filter(|f| f.verdict == v)
            .map(|f| f.id)
            .collect()
    };
    use wahana_domain::profile::Verdict;
    for (v, id, en) in [
        (Verdict::Holds, "Berlaku", "Hold"),
        (Verdict::DoesNotHold, "Tidak berlaku", "Do not hold"),
        (Verdict::NoData, "Tidak ada data", "No data"),
    ] {
        let found = ids(v);
        if !found.is_empty() {
            stand_out.push(format!("{}: {}.", lang.pick(id, en), found.join(", ")));
        }
    }
    if p.groups_qualifying > 0 {
        let d = &p.f2;
        stand_out.push(match lang {
            Lang::Id => format!(
                "Rata-rata {} kelompok per desa/kelurahan yang memiliki kelompok tercatat ({} bila semua {all} desa/kelurahan dihitung); studi 2007 menemukan lebih dari 50.",
                format_number(d.mean, lang),
                format_number(d.mean_all_villages, lang)
            ),
            Lang::En => format!(
                "On average {} groups per village with recorded groups ({} counting all {all} villages); the 2007 study found more than 50.",
                format_number(d.mean, lang),
                format_number(d.mean_all_villages, lang)
            ),
        });
        if let Some(top) = p.by_type.iter().max_by(|a, b| {
            a.brief
                .groups
                .cmp(&b.brief.groups)
                .then(b.code.cmp(&a.code))
        }) {
            stand_out.push(match lang {
                Lang::Id => format!(
                    "Jenis kelompok terbanyak: {} ({} dari kelompok yang dihitung).",
                    top.label_id,
                    format_percent(top.share_of_groups, lang)
                ),
                Lang::En => format!(
                    "The most common type of group: {} ({} of the counted groups).",
                    top.label_en,
                    format_percent(top.share_of_groups, lang)
                ),
            });
        }
    }
    Summary {
        surveyed,
        coverage,
        partial,
        stand_out,
    }
}

/// The network section: the measures, the picture and the brokers (`domain.md`, "The network").
fn network_view(data: &ProfileData, network: &ReportNetwork, lang: Lang) -> NetworkView {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    match network {
        ReportNetwork::Omitted => NetworkView::Omitted,
        ReportNetwork::TooLarge { groups } => {
            NetworkView::TooLarge(network_too_large(data.scope, *groups, lang))
        }
        ReportNetwork::Drawn(d) => {
            let m = &d.measures;
            let r = &m.measures;
            let measures = vec![
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
            let brokers = if m.betweenness_computed {
                r.top_brokers
                    .iter()
                    .map(|b| {
                        (
                            b.name.clone(),
                            b.id.clone(),
                            decimal(b.betweenness, 4, lang),
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            };
            NetworkView::Drawn {
                description: network_description(lang),
                measures,
                svg: d.svg.clone(),
                brokers,
                skipped: (!m.betweenness_computed).then(|| betweenness_skipped(lang)),
            }
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
