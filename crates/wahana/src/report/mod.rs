//! Renderings of a profile beyond the domain's text and Markdown: a self-contained HTML report
//! (`html.rs`, with SVG charts from `charts.rs`) and an XLSX workbook (`xlsx.rs`); the
//! comparison of two waves and the report's section on it (`compare.rs`). What every
//! rendering shares (title, method notes, the breakdown by child region, the network section's
//! sentences) lives here.

pub mod charts;
pub mod compare;
pub mod html;
pub mod map;
pub mod xlsx;

/// The version of wahana that makes a report (its `generator` and footer).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// askama's escaper for the report's templates (`escape = "xml"`, `askama.toml`): the
/// codebase's one escaper of text for XML, SVG and HTML, [`wahana_domain::xml::Xml`], so that
/// the report's text is escaped exactly as its SVG charts and network drawing are.
#[derive(Debug, Clone, Copy, Default)]
pub struct XmlEscaper;

impl askama::filters::Escaper for XmlEscaper {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, text: &str) -> std::fmt::Result {
        write!(dest, "{}", wahana_domain::xml::Xml(text))
    }
}

use crate::service::network::REPORT_GROUP_LIMIT;
use crate::service::profile::ProfileData;
use crate::service::screening::Scope;
use wahana_domain::profile::{
    BriefTally, DENSITY, MAJORITY, OLD_YEARS, Profile, format_count, format_percent,
};
use wahana_domain::{Lang, Level, RegionTree};

/// The letterhead as a report shows it: the configuration's ([`crate::config::Letterhead`])
/// with its logo read once, as a data URI.
#[derive(Debug, Clone, Default)]
pub struct ReportHead {
    pub letterhead: crate::config::Letterhead,
    pub logo_uri: Option<String>,
}

impl ReportHead {
    /// Reads the logo named by the configuration; an unreadable logo is an error (said when the
    /// server starts or the command runs, not in the middle of a report).
    pub fn load(letterhead: &crate::config::Letterhead) -> anyhow::Result<ReportHead> {
        Ok(ReportHead {
            logo_uri: letterhead.logo_data_uri()?,
            letterhead: letterhead.clone(),
        })
    }
}

/// A report's file name without its extension, naming the region and the wave:
/// `profil-wksbm_kab-bone_pendataan-2007`, `profil-wksbm_kec-tanete-riattang_demo-2007-sintetis`,
/// `profil-wksbm_indonesia_…`.
pub fn file_stem(data: &ProfileData) -> String {
    use wahana_domain::{RegionKind, Wave};
    let region = match data.scope {
        Scope::National => "indonesia".to_string(),
        Scope::Region(r) => {
            let kind = match r.kind {
                RegionKind::Provinsi => "prov",
                RegionKind::Kabupaten => "kab",
                RegionKind::Kota => "kota",
                RegionKind::Kecamatan => "kec",
                RegionKind::Kelurahan => "kel",
                RegionKind::Desa | RegionKind::DesaAdat => "desa",
            };
            // Kabupaten and kota names carry their kind already.
            let name = r
                .name
                .strip_prefix("Kabupaten ")
                .or_else(|| r.name.strip_prefix("Kota "))
                .unwrap_or(&r.name);
            format!("{kind}-{}", Wave::slug(name))
        }
    };
    let wave = Wave::slug(&data.wave.id);
    let wave = if wave.starts_with("pendataan") {
        wave
    } else {
        format!("pendataan-{wave}")
    };
    format!("profil-wksbm_{region}_{wave}")
}

/// Above this many villages, reports show the region's children (districts, regencies,
/// provinces) instead of every village.
pub const VILLAGE_ROWS: usize = 60;

/// "Profil WKSBM: Kecamatan Tanete Riattang".
pub fn title(data: &ProfileData, lang: Lang) -> String {
    let head = lang.pick("Profil WKSBM", "WKSBM profile");
    match data.scope {
        Scope::National => format!("{head}: Indonesia"),
        Scope::Region(r) if r.level() == Level::Regency => format!("{head}: {}", r.name),
        Scope::Region(r) => format!("{head}: {} {}", r.level().label(lang), r.name),
    }
}

/// How the numbers are made: denominators, thresholds, what counts.
pub fn method_notes(lang: Lang) -> Vec<String> {
    let maj = format_percent(MAJORITY, lang);
    let dens = format_count(DENSITY as u64, lang);
    match lang {
        Lang::Id => vec![
            "Kelompok yang dihitung: yang memenuhi syarat menurut aturan penyaringan di bawah dan belum bubar. Kelompok tidak aktif tetap dihitung.".into(),
            format!("Penyebut F1, F3, F4 dan F5: jumlah kelompok yang dihitung. Sebuah temuan berlaku bila bagiannya lebih dari {maj} (mayoritas mutlak); tepat {maj} tidak cukup."),
            format!("F1: umur dalam tahun penuh pada tanggal pendataan tiap kelompok (tahun pendataan dikurangi tahun berdiri); {OLD_YEARS} tahun atau lebih dihitung tua. Studi 2007 menulis \"lebih dari 10 tahun\": bagian yang berumur lebih dari 10 tahun (11 tahun atau lebih) diberikan di sampingnya, tanpa diuji."),
            format!("F2: dihitung atas desa/kelurahan yang memiliki paling sedikit satu kelompok tercatat (apa pun hasil penyaringannya); berlaku bila rata-ratanya lebih dari {dens}. Median dari jumlah genap desa adalah rata-rata dua nilai tengah. Desa/kelurahan tanpa kelompok tercatat dilaporkan sebagai cakupan; rata-rata dengan desa/kelurahan itu dihitung nol diberikan di sampingnya. Bila pendataan hanya mencakup sebagian desa/kelurahan wilayah, setiap temuan dinyatakan untuk desa/kelurahan yang didata saja."),
            format!("F3 berlaku bila bagian yang tumbuh dari masyarakat dan bagian yang beranggotakan atas dasar domisili sama-sama lebih dari {maj}; F4 bila bagian yang bertujuan ketahanan sosial atau kesejahteraan anggota dan bagian yang dibiayai iuran anggota sama-sama lebih dari {maj}; F5 bila bagian yang mencatat kebersamaan, tolong-menolong atau gotong royong lebih dari {maj}. Bagian yang bertujuan integrasi masyarakat atau ketahanan sosial dilaporkan di F4, tanpa diuji. Aturan seed-2007 sudah mensyaratkan sedikitnya satu nilai tercatat, jadi bagian F5 dihitung di antara kelompok yang mencatat suatu nilai."),
            "Tanpa kelompok yang dihitung, temuan berstatus \"tidak ada data\", bukan \"tidak berlaku\". Bila pendataan berupa sampel, setiap bagian pokok disertai selang kepercayaan 95% menurut Wilson.".into(),
            "Angka dihitung dari penjumlahan yang disimpan per desa/kelurahan dan per jenis kelompok, yang diperbarui pada setiap perubahan data: profil selalu mencerminkan data terakhir.".into(),
        ],
        Lang::En => vec![
            "Counted groups: those that qualify under the screening rules below and have not dissolved. Inactive groups still count.".into(),
            format!("Denominator of F1, F3, F4 and F5: the counted groups. A finding holds when its share is above {maj} (a strict majority); exactly {maj} is not enough."),
            format!("F1: age in whole years at each group's own survey date (survey year minus founding year); {OLD_YEARS} years or more counts as old. The 2007 study says \"more than 10 years\": the share older than 10 (11 years or more) is given beside it, not tested."),
            format!("F2: over the villages holding at least one recorded group (whatever its screening outcome); holds when the mean is above {dens}. The median of an even number of villages is the mean of the middle two. Villages with no recorded group are reported as coverage; the mean counting them as zero is given beside it. When a wave covers only some of a region's villages, each finding is stated for the villages surveyed only."),
            format!("F3 holds when both the share grown from the community and the share with domicile-based membership are above {maj}; F4 when both the share aiming at social resilience or members' welfare and the share financed by member dues are above {maj}; F5 when the share recording togetherness, mutual help or gotong royong is above {maj}. The share aiming at community integration or social resilience is reported under F4, not tested. The seed-2007 rules already require a value recorded, so F5's share is among groups recording some value."),
            "With no counted group a finding's verdict is \"no data\", not \"does not hold\". When the wave is a sample, each main share carries its 95% Wilson confidence interval.".into(),
            "The numbers come from sums kept per village and per group type, updated on every change of the data: a profile always reflects the latest data.".into(),
        ],
    }
}

/// What the network section shows (`docs/network.md`, "The graph").
pub fn network_description(lang: Lang) -> &'static str {
    lang.pick(
        "Kelompok yang belum bubar, lembaga pendukung dan wahana di wilayah ini, dengan ikatan di antara mereka: ikatan tercatat, keanggotaan wahana dari kolom wahana kelompok, dan anggota bersama. Graf tak berarah dan sederhana.",
        "The groups that have not dissolved, the supporting institutions and the networks of this region, with the ties among them: recorded ties, network membership from the groups' network column, and shared members. The graph is undirected and simple.",
    )
}

/// The network section of a scope recording `groups` groups, above [`REPORT_GROUP_LIMIT`]:
/// why it is not built, and the command that measures it.
pub fn network_too_large(scope: Scope, groups: u64, lang: Lang) -> String {
    let code = scope
        .code()
        .map_or_else(|| "nasional".to_string(), |c| c.to_string());
    match lang {
        Lang::Id => format!(
            "Wilayah ini mencatat {} kelompok; laporan menggambar jejaring sampai {} kelompok. Ukuran jejaringnya: wahana network --region {code}",
            format_count(groups, lang),
            format_count(REPORT_GROUP_LIMIT, lang)
        ),
        Lang::En => format!(
            "This region records {} groups; the report draws networks of up to {} groups. Its network's measures: wahana network --region {code}",
            format_count(groups, lang),
            format_count(REPORT_GROUP_LIMIT, lang)
        ),
    }
}

/// Said instead of the brokers when betweenness was skipped.
pub fn betweenness_skipped(lang: Lang) -> &'static str {
    lang.pick(
        "Keperantaraan (seberapa sering sebuah pelaku menjadi perantara) tidak dihitung untuk jejaring sebesar ini.",
        "Betweenness is not computed for a network this large.",
    )
}

/// One child region of the profiled one (a district of a regency, a province of the country),
/// with the sums of its villages.
pub struct ChildRow {
    pub code: String,
    pub name: String,
    pub villages_in_region: u64,
    pub villages_with_groups: u64,
    pub recorded: u64,
    pub counted: BriefTally,
}

/// The profile's villages summed by child region, in code order (empty for a village).
pub fn child_rows(data: &ProfileData, profile: &Profile<'_>) -> Vec<ChildRow> {
    let tree = RegionTree::official();
    let children = match data.scope {
        Scope::National => tree.provinces(),
        Scope::Region(r) => tree.children(&r.code),
    };
    let mut rows: Vec<ChildRow> = children
        .iter()
        .filter(|c| c.level() != Level::Village)
        .map(|c| ChildRow {
            code: c.code.to_string(),
            name: c.name.clone(),
            villages_in_region: tree.villages_under(&c.code).len() as u64,
            villages_with_groups: 0,
            recorded: 0,
            counted: BriefTally::default(),
        })
        .collect();
    if rows.is_empty() {
        return rows;
    }
    // Villages come in code order, and so do the children: one merge.
    let mut i = 0;
    for (v, t) in profile.by_village.iter().zip(&data.tallies.villages) {
        let under = |code: &str| {
            v.code.len() > code.len()
                && v.code.starts_with(code)
                && v.code.as_bytes()[code.len()] == b'.'
        };
        while i < rows.len() && !under(&rows[i].code) {
            i += 1;
        }
        let Some(row) = rows.get_mut(i) else { break };
        row.villages_with_groups += 1;
        row.recorded += v.recorded;
        row.counted.add(&t.qualifying);
    }
    rows
}

/// `share` as a percentage of `n`, or a dash when `n` is 0.
pub fn pct_of(count: u64, n: u64, lang: Lang) -> String {
    if n == 0 {
        "–".into()
    } else {
        format_percent(count as f64 / n as f64, lang)
    }
}

/// The Markdown report: the domain's Markdown, then networks, notes, method and rules.
pub fn markdown(data: &ProfileData, profile: &Profile<'_>, lang: Lang) -> String {
    let mut s = profile.to_markdown(lang);
    let a = &data.actors;
    let l = |id: &'static str, en: &'static str| lang.pick(id, en);
    s.push_str(&format!(
        "\n## {}\n\n| | |\n|---|---|\n| {} | {} |\n| {} | {} |\n| {} | {} |\n",
        l(
            "Wahana, lembaga dan ikatan",
            "Networks, institutions and ties"
        ),
        l("Wahana (WKSBM)", "Networks (WKSBM)"),
        format_count(a.networks, lang),
        l("Lembaga pendukung", "Support institutions"),
        format_count(a.institutions, lang),
        l("Ikatan", "Ties"),
        format_count(a.ties, lang),
    ));
    s.push_str(&format!("\n## {}\n\n", l("Catatan metode", "Method")));
    for n in data.notes(lang).iter().chain(method_notes(lang).iter()) {
        s.push_str(&format!("- {n}\n"));
    }
    s.push_str(&format!(
        "\n## {} `{}`: {}\n\n| | {} | {} |\n|---|---|---|\n",
        l("Aturan penyaringan", "Screening rules"),
        data.rules.version,
        data.rules.name,
        l("Jenis", "Kind"),
        l("Kriteria", "Criterion"),
    ));
    for c in &data.rules.criteria {
        let kind = match c.kind.code() {
            "exclude" => l("pengecualian", "exclusion"),
            _ => l("syarat", "requirement"),
        };
        s.push_str(&format!("| {} | {kind} | {} |\n", c.id, c.label(lang)));
    }
    s
}

/// The text report: the domain's text, then networks and notes.
pub fn text(data: &ProfileData, profile: &Profile<'_>, lang: Lang) -> String {
    let mut s = profile.to_text(lang);
    let a = &data.actors;
    s.push_str(&format!(
        "\n{}: {} {}, {} {}, {} {}\n",
        lang.pick(
            "Wahana, lembaga dan ikatan",
            "Networks, institutions and ties"
        ),
        format_count(a.networks, lang),
        lang.pick("wahana", "networks"),
        format_count(a.institutions, lang),
        lang.pick("lembaga", "institutions"),
        format_count(a.ties, lang),
        lang.pick("ikatan", "ties"),
    ));
    s
}
