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

/// Builds the sentences: shared pieces in both languages.
pub(super) struct Say<'p> {
    pub(super) region: &'p str,
    /// Counted groups: with none, every sentence says there is no data.
    pub(super) groups: u64,
    pub(super) recorded: u64,
    pub(super) synthetic: bool,
}

impl Say<'_> {
    /// "Holds: " + body, with the synthetic warning.
    fn finding(&self, holds: bool, id: String, en: String) -> (String, String) {
        let (pid, pen) = if holds {
            ("Berlaku", "Holds")
        } else {
            ("Tidak berlaku", "Does not hold")
        };
        (
            self.mark(format!("{pid}: {id}"), Lang::Id),
            self.mark(format!("{pen}: {en}"), Lang::En),
        )
    }

    fn mark(&self, s: String, lang: Lang) -> String {
        if self.synthetic {
            format!(
                "{s} [{}]",
                lang.pick(
                    "data sintetis, bukan hasil pengukuran",
                    "synthetic data, not a measurement"
                )
            )
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

    /// `78% dari 412 kelompok di Tanete Riattang` / `78% of 412 groups in Tanete Riattang`.
    fn of_groups(&self, s: f64) -> (String, String) {
        (
            format!(
                "{} dari {} kelompok di {}",
                format_percent(s, Lang::Id),
                format_count(self.groups, Lang::Id),
                self.region
            ),
            format!(
                "{} of {} groups in {}",
                format_percent(s, Lang::En),
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
        let (id, en) = self.of_groups(f.share_older_10);
        self.finding(
            f.holds,
            format!(
                "{id} telah ada dan tumbuh di masyarakat selama 10 tahun atau lebih (umur dihitung pada tanggal pendataan tiap kelompok)."
            ),
            format!(
                "{en} have existed and grown in the community for 10 years or more (age taken at each group's survey date)."
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
            match l {
                Lang::Id => format!(
                    "rata-rata {m} kelompok per desa/kelurahan di {r}, dihitung atas {v} desa/kelurahan yang memiliki kelompok tercatat (median {md}, terendah {lo}, tertinggi {hi}); {k} dari {v} desa/kelurahan ({p}) memiliki lebih dari 50 kelompok."
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
        let (id, en) = self.of_groups(f.share_grown_from_community);
        self.finding(
            f.holds,
            format!(
                "{id} tumbuh dari masyarakat sendiri, {} dibentuk pihak luar ({} oleh pemerintah, {} oleh pihak lain); {} beranggotakan atas dasar domisili, dan {} bertujuan integrasi masyarakat atau ketahanan sosial.",
                pct(f.share_formed_from_outside, Lang::Id),
                pct(f.share_formed_by_government, Lang::Id),
                pct(f.share_formed_by_outside_party, Lang::Id),
                pct(f.share_domicile, Lang::Id),
                pct(f.share_integration_or_resilience, Lang::Id)
            ),
            format!(
                "{en} grew from the community itself and {} were formed by outside parties ({} by government, {} by others); for {} membership is based on domicile, and {} aim at community integration or social resilience.",
                pct(f.share_formed_from_outside, Lang::En),
                pct(f.share_formed_by_government, Lang::En),
                pct(f.share_formed_by_outside_party, Lang::En),
                pct(f.share_domicile, Lang::En),
                pct(f.share_integration_or_resilience, Lang::En)
            ),
        )
    }

    /// F4's sentences.
    pub(super) fn f4(&self, f: &F4PurposeFunding) -> (String, String) {
        if self.groups == 0 {
            return self.no_data();
        }
        let (id, en) = self.of_groups(f.share_resilience_or_welfare);
        self.finding(
            f.holds,
            format!(
                "{id} bertujuan menjaga ketahanan sosial atau meningkatkan kesejahteraan anggota; {} dibiayai iuran anggota, dan bagi {} iuran anggota adalah sumber dana utama.",
                pct(f.share_dues_any, Lang::Id),
                pct(f.share_dues_main, Lang::Id)
            ),
            format!(
                "{en} aim to keep social resilience or raise members' welfare; {} are financed by members' dues, and for {} dues are the main source of funds.",
                pct(f.share_dues_any, Lang::En),
                pct(f.share_dues_main, Lang::En)
            ),
        )
    }

    /// F5's sentences.
    pub(super) fn f5(&self, f: &F5Values) -> (String, String) {
        if self.groups == 0 {
            return self.no_data();
        }
        let (id, en) = self.of_groups(f.share_any);
        let (a, b, c) = (
            f.share_togetherness,
            f.share_mutual_help,
            f.share_gotong_royong,
        );
        self.finding(
            f.holds,
            format!(
                "{id} mencatat semangat kebersamaan, tolong-menolong atau gotong royong (kebersamaan {}, tolong-menolong {}, gotong royong {}).",
                pct(a, Lang::Id),
                pct(b, Lang::Id),
                pct(c, Lang::Id)
            ),
            format!(
                "{en} record the spirit of togetherness, mutual help or gotong royong (togetherness {}, mutual help {}, gotong royong {}).",
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
}
