//! The profile as Markdown and as plain text, in one language.

use super::sentences::pct;
use super::{Brief, Profile, Verdict, format_count, format_number, share};
use crate::{Lang, Level};
use std::fmt::Write as _;

impl Profile<'_> {
    /// The heading lines both renderers share: title, region, wave, rules, counts, coverage.
    fn heading(&self, lang: Lang) -> (String, Vec<String>) {
        let l = |id: &'static str, en: &'static str| lang.pick(id, en);
        // Regency names carry their own "Kabupaten"/"Kota"; the country needs no level.
        let title = match self.region.level {
            None | Some(Level::Regency) => {
                format!(
                    "{} {}",
                    l("Profil WKSBM:", "WKSBM profile:"),
                    self.region.name
                )
            }
            Some(_) => format!(
                "{} {} {}",
                l("Profil WKSBM:", "WKSBM profile:"),
                self.region.level_label(lang),
                self.region.name
            ),
        };
        let mut lines = Vec::new();
        if !self.region.code.is_empty() {
            lines.push(format!(
                "{}: {}",
                l("Kode wilayah", "Region code"),
                self.region.code
            ));
        }
        let date = self.wave.date.map(|d| format!(", {d}")).unwrap_or_default();
        lines.push(format!(
            "{}: {} ({}{date})",
            l("Pendataan", "Survey wave"),
            self.wave.name,
            self.wave.id
        ));
        lines.push(format!(
            "{}: {}",
            l("Aturan penyaringan", "Screening rules"),
            self.rules
        ));
        lines.push(format!(
            "{}: {}; {}: {}",
            l("Kelompok tercatat", "Groups recorded"),
            format_count(self.groups_recorded, lang),
            l(
                "memenuhi syarat dan belum bubar",
                "qualifying and not dissolved"
            ),
            format_count(self.groups_qualifying, lang)
        ));
        let c = &self.coverage;
        lines.push(match lang {
            Lang::Id => format!(
                "Cakupan: {} dari {} desa/kelurahan memiliki kelompok tercatat ({}); {} tanpa kelompok tercatat",
                format_count(c.villages_with_groups, lang),
                format_count(c.villages_in_region, lang),
                pct(c.share_with_groups, lang),
                format_count(c.villages_without_groups, lang)
            ),
            Lang::En => format!(
                "Coverage: {} of {} villages hold recorded groups ({}); {} without recorded groups",
                format_count(c.villages_with_groups, lang),
                format_count(c.villages_in_region, lang),
                pct(c.share_with_groups, lang),
                format_count(c.villages_without_groups, lang)
            ),
        });
        (title, lines)
    }

    fn synthetic_warning(lang: Lang) -> &'static str {
        lang.pick(
            "DATA SINTETIS: dibuat program untuk demonstrasi, bukan hasil pengukuran.",
            "SYNTHETIC DATA: generated for demonstration, not a measurement.",
        )
    }

    fn brief_headers(lang: Lang) -> [&'static str; 7] {
        match lang {
            Lang::Id => [
                "Kelompok",
                "≥ 10 tahun",
                "Tumbuh dari masyarakat",
                "Domisili",
                "Ketahanan/kesejahteraan",
                "Iuran anggota",
                "Kebersamaan/tolong-menolong/gotong royong",
            ],
            Lang::En => [
                "Groups",
                "≥ 10 years",
                "Grown from community",
                "Domicile",
                "Resilience/welfare",
                "Member dues",
                "Togetherness/mutual help/gotong royong",
            ],
        }
    }

    fn brief_cells(b: &Brief, lang: Lang) -> [String; 7] {
        [
            format_count(b.groups, lang),
            pct(b.share_older_10, lang),
            pct(b.share_grown_from_community, lang),
            pct(b.share_domicile, lang),
            pct(b.share_resilience_or_welfare, lang),
            pct(b.share_dues_any, lang),
            pct(b.share_core_values, lang),
        ]
    }

    /// The detail tables both renderers show: (title, header, rows).
    fn tables(&self, lang: Lang) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
        let l = |id: &'static str, en: &'static str| lang.pick(id, en).to_string();
        let mut out = Vec::new();
        let n = self.groups_qualifying;
        let b = &self.f1.age_bands;
        out.push((
            format!("F1 {}", l("Umur kelompok", "Age of groups")),
            vec![
                l("Umur", "Age"),
                l("Kelompok", "Groups"),
                l("Bagian", "Share"),
            ],
            [
                (l("di bawah 5 tahun", "under 5 years"), b.lt5),
                (l("5-9 tahun", "5-9 years"), b.from5_to9),
                (l("10-19 tahun", "10-19 years"), b.from10_to19),
                (l("20 tahun atau lebih", "20 years or more"), b.from20),
            ]
            .into_iter()
            .map(|(k, v)| vec![k, format_count(v, lang), pct(share(v, n), lang)])
            .collect(),
        ));
        let d = &self.f2;
        out.push((
            format!(
                "F2 {}",
                l("Kelompok per desa/kelurahan", "Groups per village")
            ),
            vec![l("Ukuran", "Measure"), l("Nilai", "Value")],
            vec![
                vec![
                    l(
                        "Desa/kelurahan dengan kelompok tercatat",
                        "Villages with recorded groups",
                    ),
                    format_count(d.villages, lang),
                ],
                vec![l("Rata-rata", "Mean"), format_number(d.mean, lang)],
                vec![l("Median", "Median"), format_number(d.median, lang)],
                vec![l("Terendah", "Lowest"), format_count(d.min, lang)],
                vec![l("Tertinggi", "Highest"), format_count(d.max, lang)],
                vec![
                    l(
                        "Desa/kelurahan dengan lebih dari 50 kelompok",
                        "Villages with more than 50 groups",
                    ),
                    format!(
                        "{} ({})",
                        format_count(d.villages_over_50, lang),
                        pct(d.share_over_50, lang)
                    ),
                ],
            ],
        ));
        let codes = [
            (l("Asal", "Origin"), &self.counts.origin),
            (
                l("Dasar keanggotaan", "Membership basis"),
                &self.counts.membership_basis,
            ),
            (l("Tujuan", "Purposes"), &self.counts.purposes),
            (l("Sumber dana", "Funding"), &self.counts.funding),
            (l("Nilai", "Values"), &self.counts.values),
        ];
        for (title, list) in codes {
            out.push((
                title,
                vec![
                    l("Kategori", "Category"),
                    l("Kelompok", "Groups"),
                    l("Bagian", "Share"),
                ],
                list.iter()
                    .map(|c| {
                        vec![
                            lang.pick(c.label_id, c.label_en).to_string(),
                            format_count(c.groups, lang),
                            pct(c.share, lang),
                        ]
                    })
                    .collect(),
            ));
        }
        let mut header = vec![l("Jenis", "Type"), l("Bagian", "Share")];
        header.extend(Self::brief_headers(lang).map(str::to_string));
        out.push((
            l("Per jenis kelompok", "By group type"),
            header,
            self.by_type
                .iter()
                .map(|t| {
                    let mut row = vec![
                        lang.pick(t.label_id, t.label_en).to_string(),
                        pct(t.share_of_groups, lang),
                    ];
                    row.extend(Self::brief_cells(&t.brief, lang));
                    row
                })
                .collect(),
        ));
        out
    }

    fn village_table(&self, lang: Lang) -> (String, Vec<String>, Vec<Vec<String>>) {
        let l = |id: &'static str, en: &'static str| lang.pick(id, en).to_string();
        let mut header = vec![
            l("Kode", "Code"),
            l("Desa/kelurahan", "Village"),
            l("Tercatat", "Recorded"),
        ];
        header.extend(Self::brief_headers(lang).map(str::to_string));
        let rows = self
            .by_village
            .iter()
            .map(|v| {
                let mut row = vec![
                    v.code.to_string(),
                    v.name.to_string(),
                    format_count(v.recorded, lang),
                ];
                row.extend(Self::brief_cells(&v.brief, lang));
                row
            })
            .collect();
        (l("Per desa/kelurahan", "By village"), header, rows)
    }

    /// The profile as Markdown, in one language: heading, the five findings, detail tables,
    /// and every village.
    pub fn to_markdown(&self, lang: Lang) -> String {
        let (title, lines) = self.heading(lang);
        let mut s = format!("# {}\n\n", md(&title));
        if self.wave.synthetic {
            let _ = writeln!(s, "> **{}**\n", Self::synthetic_warning(lang));
        }
        for line in lines {
            let _ = writeln!(s, "- {}", md(&line));
        }
        let _ = write!(
            s,
            "\n## {}\n\n| | {} | {} | {} |\n|---|---|---|---|\n",
            lang.pick("Temuan", "Findings"),
            lang.pick("Temuan", "Finding"),
            lang.pick("Berlaku", "Holds"),
            lang.pick("Pernyataan", "Statement")
        );
        for f in self.findings() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                f.id,
                f.title(lang),
                yes_no(f.verdict, lang),
                md(f.sentence(lang))
            );
        }
        let mut tables = self.tables(lang);
        tables.push(self.village_table(lang));
        for (title, header, rows) in tables {
            let _ = write!(s, "\n## {}\n\n", md(&title));
            let _ = writeln!(
                s,
                "| {} |",
                header.iter().map(|h| md(h)).collect::<Vec<_>>().join(" | ")
            );
            let _ = writeln!(s, "|{}", "---|".repeat(header.len()));
            for row in rows {
                let _ = writeln!(
                    s,
                    "| {} |",
                    row.iter().map(|c| md(c)).collect::<Vec<_>>().join(" | ")
                );
            }
        }
        s
    }

    /// The profile as plain text for a terminal, in one language. Villages are listed when
    /// there are at most [`Profile::TEXT_VILLAGES`]; above that, the Markdown and JSON forms
    /// carry them.
    pub fn to_text(&self, lang: Lang) -> String {
        let (title, lines) = self.heading(lang);
        let mut s = format!("{title}\n{}\n", "=".repeat(title.chars().count()));
        if self.wave.synthetic {
            let _ = writeln!(s, "{}", Self::synthetic_warning(lang));
        }
        for line in lines {
            let _ = writeln!(s, "{line}");
        }
        let _ = writeln!(s, "\n{}", lang.pick("Temuan", "Findings"));
        for f in self.findings() {
            let _ = writeln!(
                s,
                "  {} {} [{}]\n     {}",
                f.id,
                f.title(lang),
                yes_no(f.verdict, lang),
                f.sentence(lang)
            );
        }
        let mut tables = self.tables(lang);
        if self.by_village.len() <= Self::TEXT_VILLAGES {
            tables.push(self.village_table(lang));
        }
        for (title, header, rows) in tables {
            let _ = writeln!(s, "\n{title}");
            s.push_str(&text_table(&header, &rows));
        }
        if self.by_village.len() > Self::TEXT_VILLAGES {
            let _ = writeln!(
                s,
                "\n{}",
                match lang {
                    Lang::Id => format!(
                        "{} desa/kelurahan: rinciannya ada pada keluaran Markdown dan JSON.",
                        format_count(self.by_village.len() as u64, lang)
                    ),
                    Lang::En => format!(
                        "{} villages: see the Markdown or JSON output for each one.",
                        format_count(self.by_village.len() as u64, lang)
                    ),
                }
            );
        }
        s
    }

    /// The most villages [`Profile::to_text`] lists one by one.
    pub const TEXT_VILLAGES: usize = 100;
}

/// Whether a finding holds, in a word; no data is its own answer, never "no".
fn yes_no(v: Verdict, lang: Lang) -> &'static str {
    match v {
        Verdict::Holds => lang.pick("ya", "yes"),
        Verdict::DoesNotHold => lang.pick("tidak", "no"),
        Verdict::NoData => lang.pick("tidak ada data", "no data"),
    }
}

/// Escapes the characters Markdown would read as markup inside a table cell.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Columns padded to their widest cell; numbers are left as they are (already formatted).
fn text_table(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from(" ");
        for (c, w) in cells.iter().zip(&widths) {
            let _ = write!(s, " {c}{}", " ".repeat(w - c.chars().count()));
        }
        s.trim_end().to_string() + "\n"
    };
    let mut s = line(header);
    for row in rows {
        s.push_str(&line(row));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::testing::{KECAMATAN, WAVE, profile_of, worked_example};
    use super::super::{Tallies, WaveRef};
    use super::*;
    use crate::Date;

    #[test]
    fn renderers() {
        let mut t = Tallies::default();
        let synthetic = WaveRef {
            synthetic: true,
            date: Date::new(2007, 8, 31),
            ..WAVE
        };
        let p = profile_of(&mut t, &worked_example(), KECAMATAN, synthetic, 8);
        assert!(
            p.f5.sentence_en
                .ends_with("[synthetic data, not a measurement]")
        );
        assert!(
            p.f5.sentence_id
                .ends_with("[data sintetis, bukan hasil pengukuran]")
        );
        #[rustfmt::skip]
        let cases: &[(Lang, bool, &[&str])] = &[
            (Lang::En, true, &["# WKSBM profile: District Tanete Riattang", "SYNTHETIC DATA", "| F4 | Purpose and funding | yes | Holds in the 3 of 8 villages surveyed: 75% of 4 groups", "Uji 2007 (uji-2007, 2007-08-31)", "| 73.08.21.1001 | Biru | 4 | 3 | 67% |", "Coverage: 3 of 8 villages"]),
            (Lang::Id, true, &["# Profil WKSBM: Kecamatan Tanete Riattang", "DATA SINTETIS", "| F1 | Umur | tidak | Tidak berlaku di 3 dari 8 desa/kelurahan yang didata: 50% dari 4 kelompok", "Cakupan: 3 dari 8 desa/kelurahan", "| Majelis taklim | 25% |"]),
            (Lang::En, false, &["WKSBM profile: District Tanete Riattang\n=====", "SYNTHETIC DATA", "F4 Purpose and funding [yes]", "73.08.21.1004 Bukaka", "By group type"]),
            (Lang::Id, false, &["Profil WKSBM: Kecamatan Tanete Riattang", "F2 Kepadatan [tidak]", "Per desa/kelurahan"]),
        ];
        for (lang, markdown, fragments) in cases {
            let s = if *markdown {
                p.to_markdown(*lang)
            } else {
                p.to_text(*lang)
            };
            for f in *fragments {
                assert!(
                    s.contains(f),
                    "{lang:?} markdown={markdown}: lacks {f:?} in\n{s}"
                );
            }
        }
        assert_eq!(md("a|b_c"), "a\\|b\\_c");
    }
}
