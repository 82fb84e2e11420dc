//! The findings' sentences in Bahasa Indonesia and in English, and numbers in words.

use super::{F1Age, F2Density, F3Formation, F4PurposeFunding, F5Values};
use crate::Lang;

/// A whole number with thousands separators: `4.000.000` (id), `4,000,000` (en).
pub fn format_count(n: u64, lang: Lang) -> String {
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

/// A decimal with one digit, with a decimal comma in Indonesian; whole numbers without it.
pub fn format_number(x: f64, lang: Lang) -> String {
    if x.fract() == 0.0 && (0.0..1e15).contains(&x) {
        return format_count(x as u64, lang);
    }
    let s = format!("{x:.1}");
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// A share as a whole percentage (`78%`); with one decimal when rounding would hide which
/// side of the 50% threshold it is on (`50.4%`).
pub fn format_percent(share: f64, lang: Lang) -> String {
    let p = share * 100.0;
    let whole = p.round();
    let s = if whole == 50.0 && p != 50.0 {
        format!("{p:.1}")
    } else {
        format!("{whole:.0}")
    };
    match lang {
        Lang::Id => format!("{}%", s.replace('.', ",")),
        Lang::En => format!("{s}%"),
    }
}

/// What a synthetic wave's sentences end with, in each language.
const SYNTHETIC_MARK: (&str, &str) = (
    " [data sintetis, bukan hasil pengukuran]",
    " [synthetic data, not a measurement]",
);

/// A finding's sentence without the synthetic mark, for a page that says it once.
pub fn unmarked(sentence: &str, lang: Lang) -> &str {
    let mark = lang.pick(SYNTHETIC_MARK.0, SYNTHETIC_MARK.1);
    sentence.strip_suffix(mark).unwrap_or(sentence)
}

/// "di 8 dari 372 desa/kelurahan yang didata" / "in the 8 of 372 villages surveyed".
pub(super) fn in_surveyed(surveyed: u64, all: u64, lang: Lang) -> String {
    match lang {
        Lang::Id => format!(
            "di {} dari {} desa/kelurahan yang didata",
            format_count(surveyed, lang),
            format_count(all, lang)
        ),
        Lang::En => format!(
            "in the {} of {} villages surveyed",
            format_count(surveyed, lang),
            format_count(all, lang)
        ),
    }
}

/// A 95% interval in words: "IK 95% 71–84%" / "95% CI 71–84%".
fn interval_words(ci: Option<&[f64; 2]>, lang: Lang) -> String {
    match ci {
        Some([lo, hi]) => format!(
            " ({} {}–{})",
            lang.pick("IK 95%", "95% CI"),
            format_percent(*lo, lang).trim_end_matches('%'),
            format_percent(*hi, lang)
        ),
        None => String::new(),
    }
}

/// Builds the sentences: shared pieces in both languages.
pub(super) struct Say<'p> {
    pub(super) region: &'p str,
    /// Counted groups: with none, every sentence says there is no data.
    pub(super) groups: u64,
    pub(super) recorded: u64,
    pub(super) synthetic: bool,
    /// `Some((surveyed, all))`: the wave covered only part of the region's villages.
    pub(super) partial: Option<(u64, u64)>,
    /// A sample: the main shares carry their 95% intervals.
    pub(super) sample: bool,
}

impl Say<'_> {
    /// "Holds: " (or "Holds in the 8 of 372 villages surveyed: ") + body, with the synthetic
    /// warning.
    fn finding(&self, holds: bool, id: String, en: String) -> (String, String) {
        let (pid, pen) = if holds {
            ("Berlaku", "Holds")
        } else {
            ("Tidak berlaku", "Does not hold")
        };
        let (sid, sen) = match self.partial {
            Some((n, m)) => (
                format!(" {}", in_surveyed(n, m, Lang::Id)),
                format!(" {}", in_surveyed(n, m, Lang::En)),
            ),
            None => (String::new(), String::new()),
        };
        (
            self.mark(format!("{pid}{sid}: {id}"), Lang::Id),
            self.mark(format!("{pen}{sen}: {en}"), Lang::En),
        )
    }

    fn mark(&self, s: String, lang: Lang) -> String {
        if self.synthetic {
            format!("{s}{}", lang.pick(SYNTHETIC_MARK.0, SYNTHETIC_MARK.1))
        } else {
            s
        }
    }

    fn no_data(&self) -> (String, String) {
        let r = self.region;
        let (id, en) = if self.recorded == 0 {
            (
                format!("Tidak ada data: belum ada kelompok tercatat di {r} pada pendataan ini."),
                format!("No data: no groups are recorded in {r} in this survey wave."),
            )
        } else {
            (
                format!(
                    "Tidak ada data: tidak satu pun dari {} kelompok tercatat di {r} memenuhi syarat dan belum bubar.",
                    format_count(self.recorded, Lang::Id)
                ),
                format!(
                    "No data: none of the {} groups recorded in {r} qualifies and has not dissolved.",
                    format_count(self.recorded, Lang::En)
                ),
            )
        };
        (self.mark(id, Lang::Id), self.mark(en, Lang::En))
    }

    /// `78% dari 412 kelompok di Tanete Riattang` / `78% of 412 groups in Tanete Riattang`;
    /// for a sample, with the share's 95% interval (`78% (IK 95% 74–82%) dari …`).
    fn of_groups(&self, s: f64, ci: Option<&[f64; 2]>) -> (String, String) {
        let ci = if self.sample { ci } else { None };
        (
            format!(
                "{}{} dari {} kelompok di {}",
                format_percent(s, Lang::Id),
                interval_words(ci, Lang::Id),
                format_count(self.groups, Lang::Id),
                self.region
            ),
            format!(
                "{}{} of {} groups in {}",
                format_percent(s, Lang::En),
                interval_words(ci, Lang::En),
                format_count(self.groups, Lang::En),
                self.region
            ),
        )
    }

    /// F1's sentences.
    pub(super) fn f1(&self, f: &F1Age) -> (String, String) {
        if self.groups == 0 {
            return self.no_data();
        }
        let (id, en) = self.of_groups(f.share_older_10, f.ci95.get("share_older_10"));
        let ci = if self.sample {
            f.ci95.get("share_more_than_10")
        } else {
            None
        };
        let strict = |l: Lang| format!("{}{}", pct(f.share_more_than_10, l), interval_words(ci, l));
        self.finding(
            f.holds,
            format!(
                "{id} telah ada dan tumbuh di masyarakat selama 10 tahun atau lebih, dan {} lebih dari 10 tahun (uji yang dipakai: umur 10 tahun atau lebih pada tanggal pendataan tiap kelompok; studi 2007 menulis \"lebih dari 10 tahun\").",
                strict(Lang::Id)
            ),
            format!(
                "{en} have existed and grown in the community for 10 years or more, and {} for more than 10 years (the test used: an age of 10 years or more at each group's survey date; the 2007 study says \"more than 10 years\").",
                strict(Lang::En)
            ),
        )
    }

    /// F2's sentences; no data also when no village holds a recorded group.
    pub(super) fn f2(&self, f: &F2Density) -> (String, String) {
        if self.groups == 0 || f.villages == 0 {
            return self.no_data();
        }
        let r = self.region;
        let body = |l: Lang| {
            let (m, md, lo, hi) = (
                format_number(f.mean, l),
                format_number(f.median, l),
                format_count(f.min, l),
                format_count(f.max, l),
            );
            let (v, k, p) = (
                format_count(f.villages, l),
                format_count(f.villages_over_50, l),
                pct(f.share_over_50, l),
            );
            // Beside it, the mean with the villages without a recorded group as zeros.
            let (z, all, za) = (
                format_count(f.villages_in_region.saturating_sub(f.villages), l),
                format_count(f.villages_in_region, l),
                format_number(f.mean_all_villages, l),
            );
            let zeros = f.villages_in_region > f.villages;
            match l {
                Lang::Id if zeros => format!(
                    "rata-rata {m} kelompok per desa/kelurahan di {r}, dihitung atas {v} desa/kelurahan yang memiliki kelompok tercatat (median {md}, terendah {lo}, tertinggi {hi}); {k} dari {v} desa/kelurahan ({p}) memiliki lebih dari 50 kelompok. Bila {z} desa/kelurahan tanpa kelompok tercatat dihitung nol, rata-ratanya {za} kelompok atas {all} desa/kelurahan."
                ),
                Lang::Id => format!(
                    "rata-rata {m} kelompok per desa/kelurahan di {r}, dihitung atas {v} desa/kelurahan yang memiliki kelompok tercatat (median {md}, terendah {lo}, tertinggi {hi}); {k} dari {v} desa/kelurahan ({p}) memiliki lebih dari 50 kelompok."
                ),
                Lang::En if zeros => format!(
                    "on average {m} groups per village in {r}, over the {v} villages with recorded groups (median {md}, lowest {lo}, highest {hi}); {k} of {v} villages ({p}) have more than 50 groups. Counting the {z} villages without recorded groups as zero, the mean is {za} groups over {all} villages."
                ),
                Lang::En => format!(
                    "on average {m} groups per village in {r}, over the {v} villages with recorded groups (median {md}, lowest {lo}, highest {hi}); {k} of {v} villages ({p}) have more than 50 groups."
                ),
            }
        };
        self.finding(f.holds, body(Lang::Id), body(Lang::En))
    }

    /// F3's sentences.
    pub(super) fn f3(&self, f: &F3Formation) -> (String, String) {
        if self.groups == 0 {
            return self.no_data();
        }
        let (id, en) = self.of_groups(
            f.share_grown_from_community,
            f.ci95.get("share_grown_from_community"),
        );
        let ci = if self.sample {
            f.ci95.get("share_domicile")
        } else {
            None
        };
        self.finding(
            f.holds,
            format!(
                "{id} tumbuh dari masyarakat sendiri, {} dibentuk pihak luar ({} oleh pemerintah, {} oleh pihak lain); {}{} beranggotakan atas dasar domisili.",
                pct(f.share_formed_from_outside, Lang::Id),
                pct(f.share_formed_by_government, Lang::Id),
                pct(f.share_formed_by_outside_party, Lang::Id),
                pct(f.share_domicile, Lang::Id),
                interval_words(ci, Lang::Id)
            ),
            format!(
                "{en} grew from the community itself and {} were formed by outside parties ({} by government, {} by others); for {}{} membership is based on domicile.",
                pct(f.share_formed_from_outside, Lang::En),
                pct(f.share_formed_by_government, Lang::En),
                pct(f.share_formed_by_outside_party, Lang::En),
                pct(f.share_domicile, Lang::En),
                interval_words(ci, Lang::En)
            ),
        )
    }

    /// F4's sentences.
    pub(super) fn f4(&self, f: &F4PurposeFunding) -> (String, String) {
        if self.groups == 0 {
            return self.no_data();
        }
        let (id, en) = self.of_groups(
            f.share_resilience_or_welfare,
            f.ci95.get("share_resilience_or_welfare"),
        );
        let ci = if self.sample {
            f.ci95.get("share_dues_any")
        } else {
            None
        };
        self.finding(
            f.holds,
            format!(
                "{id} bertujuan menjaga ketahanan sosial atau meningkatkan kesejahteraan anggota ({} bertujuan integrasi masyarakat atau ketahanan sosial); {}{} dibiayai iuran anggota, dan bagi {} iuran anggota adalah sumber dana utama.",
                pct(f.share_integration_or_resilience, Lang::Id),
                pct(f.share_dues_any, Lang::Id),
                interval_words(ci, Lang::Id),
                pct(f.share_dues_main, Lang::Id)
            ),
            format!(
                "{en} aim to keep social resilience or raise members' welfare ({} aim at community integration or social resilience); {}{} are financed by members' dues, and for {} dues are the main source of funds.",
                pct(f.share_integration_or_resilience, Lang::En),
                pct(f.share_dues_any, Lang::En),
                interval_words(ci, Lang::En),
                pct(f.share_dues_main, Lang::En)
            ),
        )
    }

    /// F5's sentences.
    pub(super) fn f5(&self, f: &F5Values) -> (String, String) {
        if self.groups == 0 {
            return self.no_data();
        }
        let (id, en) = self.of_groups(f.share_any, f.ci95.get("share_any"));
        let (a, b, c) = (
            f.share_togetherness,
            f.share_mutual_help,
            f.share_gotong_royong,
        );
        let (note_id, note_en) = if f.screening_requires_value {
            (
                " Catatan: aturan penyaringan sudah mensyaratkan sedikitnya satu nilai tercatat, jadi bagian ini dihitung di antara kelompok yang mencatat suatu nilai.",
                " Note: the screening rules already require at least one value recorded, so this share is among groups that record some value.",
            )
        } else {
            ("", "")
        };
        self.finding(
            f.holds,
            format!(
                "{id} mencatat semangat kebersamaan, tolong-menolong atau gotong royong (kebersamaan {}, tolong-menolong {}, gotong royong {}).{note_id}",
                pct(a, Lang::Id),
                pct(b, Lang::Id),
                pct(c, Lang::Id)
            ),
            format!(
                "{en} record the spirit of togetherness, mutual help or gotong royong (togetherness {}, mutual help {}, gotong royong {}).{note_en}",
                pct(a, Lang::En),
                pct(b, Lang::En),
                pct(c, Lang::En)
            ),
        )
    }
}

pub(super) fn pct(s: f64, lang: Lang) -> String {
    format_percent(s, lang)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{KECAMATAN, WAVE, group, profile_of};
    use super::super::{Tallies, WaveRef};
    use super::*;
    use crate::{Date, Group};

    #[test]
    fn number_formats() {
        #[rustfmt::skip]
        let cases: &[(f64, &str, &str)] = &[
            (0.5, "50%", "50%"),
            (0.504, "50,4%", "50.4%"),
            (0.4962, "49,6%", "49.6%"),
            (0.78, "78%", "78%"),
            (1.0, "100%", "100%"),
            (0.0, "0%", "0%"),
            (2.0 / 3.0, "67%", "67%"),
        ];
        for (x, id, en) in cases {
            assert_eq!(format_percent(*x, Lang::Id), *id, "{x}");
            assert_eq!(format_percent(*x, Lang::En), *en, "{x}");
        }
        assert_eq!(format_count(4_000_000, Lang::Id), "4.000.000");
        assert_eq!(format_count(83_762, Lang::En), "83,762");
        assert_eq!(format_count(412, Lang::En), "412");
        assert_eq!(format_number(3.5, Lang::Id), "3,5");
        assert_eq!(format_number(4.0 / 3.0, Lang::En), "1.3");
        assert_eq!(format_number(1234.0, Lang::En), "1,234");
    }

    /// No group recorded, and groups recorded but none counted: no finding holds, every
    /// sentence says there is no data, and no share is NaN.
    #[test]
    fn no_data_cases() {
        let none: &[Group] = &[];
        let incomplete = [
            group(&[("anggota_laki", "3"), ("tujuan", "budaya")]),
            group(&[
                ("status", "bubar"),
                ("anggota_laki", "3"),
                ("tujuan", "budaya"),
                ("nilai", "kebersamaan"),
            ]),
        ];
        #[rustfmt::skip]
        let cases: &[(&[Group], u64, &str)] = &[
            (none, 0, "No data: no groups are recorded in Tanete Riattang in this survey wave."),
            (&incomplete, 2, "No data: none of the 2 groups recorded in Tanete Riattang qualifies and has not dissolved."),
        ];
        for (groups, recorded, sentence) in cases {
            let mut t = Tallies::default();
            let dated = WaveRef {
                date: Date::new(2007, 8, 31),
                ..WAVE
            };
            let p = profile_of(&mut t, groups, KECAMATAN, dated, 8);
            assert_eq!((p.groups_recorded, p.groups_qualifying), (*recorded, 0));
            for f in p.findings() {
                assert!(!f.holds, "{}", f.id);
                assert_eq!(f.verdict, super::super::Verdict::NoData, "{}", f.id);
                assert_eq!(f.badge(Lang::Id), "tidak ada data", "{}", f.id);
                assert_eq!(f.badge(Lang::En), "no data", "{}", f.id);
                assert!(!f.sentence_en.contains("not hold"), "{}", f.id);
                assert_eq!(f.sentence_en, *sentence, "{}", f.id);
                assert!(f.sentence_id.starts_with("Tidak ada data"), "{}", f.id);
            }
            let json = serde_json::to_string(&p).unwrap();
            assert!(!json.contains("NaN") && !json.contains("null"), "{json}");
            assert_eq!(p.f1.share_older_10, 0.0);
            assert_eq!(p.f2.villages, if *recorded == 0 { 0 } else { 1 });
            assert!(p.by_type.is_empty());
        }
    }

    /// A sample wave: each main share carries its 95% Wilson interval, in the sentence and the
    /// JSON; the same groups as a census carry none. The interval of 3 of 4 (F4's welfare
    /// share) is statsmodels' `proportion_confint(3, 4, method='wilson')`: 0.30064184258240184–0.9544127391902995.
    #[test]
    fn sample_waves_carry_intervals() {
        let groups = super::super::testing::worked_example();
        let sample = WaveRef {
            sample: true,
            ..WAVE
        };
        let mut t = Tallies::default();
        let p = profile_of(&mut t, &groups, KECAMATAN, sample, 3);
        let [lo, hi] = p.f4.ci95["share_resilience_or_welfare"];
        assert!((lo - 0.30064184258240184).abs() < 1e-12, "{lo}");
        assert!((hi - 0.9544127391902995).abs() < 1e-12, "{hi}");
        assert!(
            p.f4.sentence_id.starts_with(
                "Berlaku: 75% (IK 95% 30–95%) dari 4 kelompok di Tanete Riattang bertujuan"
            ),
            "{}",
            p.f4.sentence_id
        );
        assert!(
            p.f1.sentence_en.contains("50% (95% CI 15–85%) of 4 groups"),
            "{}",
            p.f1.sentence_en
        );
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["wave"]["sample"], true);
        assert_eq!(
            json["f5"]["ci95"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["share_any"]
        );
        // Every village surveyed: not partial, and no "di N dari M" anywhere.
        assert!(!p.coverage.partial);
        assert!(
            p.findings()
                .iter()
                .all(|f| !f.sentence_id.contains("yang didata"))
        );
        let mut t = Tallies::default();
        let census = profile_of(&mut t, &groups, KECAMATAN, WAVE, 3);
        let json = serde_json::to_value(&census).unwrap();
        assert!(json["f4"].get("ci95").is_none());
        assert!(!census.f4.sentence_id.contains("IK 95%"));
    }

    /// The synthetic mark comes off for pages that say it once.
    #[test]
    fn unmarked_sentences() {
        let synthetic = WaveRef {
            synthetic: true,
            ..WAVE
        };
        let mut t = Tallies::default();
        let groups = super::super::testing::worked_example();
        let p = profile_of(&mut t, &groups, KECAMATAN, synthetic, 3);
        for f in p.findings() {
            for lang in [Lang::Id, Lang::En] {
                assert!(f.sentence(lang).ends_with(']'), "{}", f.id);
                let plain = f.sentence_unmarked(lang);
                assert!(!plain.contains('[') && plain.ends_with('.'), "{plain}");
            }
        }
    }
}
