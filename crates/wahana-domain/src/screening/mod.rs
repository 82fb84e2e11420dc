//! Screening (*penyaringan*): does a recorded group qualify as a WKSBM group? (`domain.md`,
//! "Identification").
//!
//! A [`RuleSet`] is data, not a code path: it is read from a TOML file, and the default one,
//! `seed-2007`, is embedded from `rules/seed-2007.toml` (whose comments document the format).
//! TOML because the people who adapt a rule set to a regional regulation are Dinas Sosial
//! analysts, not programmers: it is plain text that takes comments in both languages beside each
//! rule, has no significant indentation (unlike YAML) and no quoting of every key or trailing-comma
//! traps (unlike JSON), and the program already reads its configuration in it.
//!
//! Each criterion is a tree of conditions over the instrument's columns, judged with three
//! values: holds, fails, or cannot be judged because a column it needs is empty. Missing data
//! therefore makes a group *incomplete* (`belum_lengkap`), never *does not qualify*
//! (`tidak_memenuhi`); only a recorded value that contradicts a criterion does that.
//!
//! The module's files: `outcome` the outcomes, reasons and summaries; `condition` the
//! testable fields, the condition trees and criteria and their evaluation; `parse` reading a
//! rule file (TOML) and its errors. The rule set itself is here.

mod condition;
mod outcome;
mod parse;
#[cfg(test)]
mod testing;

pub use condition::{Check, Condition, Criterion, CriterionKind, Field, Test};
pub use outcome::{CriterionCount, Outcome, Reason, ScreeningResult, Summary, summarise};
pub use parse::{Found, RuleError, RuleProblem};

use crate::registry::Group;
use outcome::combine;
use parse::Parser;

/// The default rule set's text.
const SEED_2007: &str = include_str!("../../rules/seed-2007.toml");

/// A versioned rule set (*aturan penyaringan*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    /// `seed-2007`, `perbup-bone-2020`...: stored with every screening result.
    pub version: String,
    pub name: String,
    pub description: String,
    pub criteria: Vec<Criterion>,
}

impl RuleSet {
    /// The default rule set, embedded from `rules/seed-2007.toml`.
    ///
    /// # Panics
    /// If the embedded file does not parse; the test `seed_2007_parses` guards against that.
    pub fn seed_2007() -> RuleSet {
        match RuleSet::parse(SEED_2007) {
            Ok(r) => r,
            Err(e) => panic!("embedded rules/seed-2007.toml is invalid: {e}"),
        }
    }

    /// The text of the default rule set, to copy and adapt.
    pub fn seed_2007_text() -> &'static str {
        SEED_2007
    }

    /// Reads a rule set, reporting every problem at once.
    pub fn parse(text: &str) -> Result<RuleSet, RuleError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| RuleError::Syntax {
            message: e.to_string().trim().to_string(),
        })?;
        let mut p = Parser::default();
        let rules = p.rule_set(&table);
        match rules {
            Some(r) if p.problems.is_empty() => Ok(r),
            _ => Err(RuleError::Invalid(p.problems)),
        }
    }

    /// The outcome alone, without building reasons (for screening a whole wave again).
    pub fn outcome(&self, g: &Group) -> Outcome {
        combine(self.criteria.iter().map(|c| c.passed(g)))
    }

    /// The outcome with a reason for every criterion, naming the field and its value.
    pub fn screen(&self, g: &Group) -> ScreeningResult {
        let mut reasons = Vec::new();
        for c in &self.criteria {
            c.reasons(g, &mut reasons);
        }
        let outcome = combine(self.criteria.iter().map(|c| c.passed(g)));
        ScreeningResult { outcome, reasons }
    }

    /// The instrument columns a group must have filled for the rule set to judge it: those
    /// tested by an inclusion criterion (a column left empty there leaves the group
    /// incomplete, *belum lengkap*, and so not counted), in the instrument's order of first
    /// use. Where an `any` offers alternatives, each of them is listed. Exclusion criteria
    /// are left out: their signs are looked for, not asked for.
    pub fn needed_columns(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for c in &self.criteria {
            if c.kind != CriterionKind::Include {
                continue;
            }
            for check in c.condition.checks() {
                if check.test == Test::Absent {
                    continue;
                }
                for col in check.field.columns() {
                    if !out.contains(col) {
                        out.push(col);
                    }
                }
            }
        }
        out
    }

    /// A criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::group;
    use super::*;

    #[test]
    fn seed_2007_needs_these_columns() {
        let r = RuleSet::seed_2007();
        assert_eq!(
            r.needed_columns(),
            [
                "kode_wilayah",
                "anggota_laki",
                "anggota_perempuan",
                "dasar_keanggotaan",
                "asal",
                "nilai",
                "tujuan",
                "kegiatan"
            ]
        );
    }

    #[test]
    fn seed_2007_parses() {
        let r = RuleSet::seed_2007();
        assert_eq!(r.version, "seed-2007");
        let ids: Vec<&str> = r.criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["C1", "C2", "X1", "X2", "X3"]);
        assert_eq!(r.criteria[2].kind, CriterionKind::Exclude);
        assert_eq!(r.criteria[0].kind, CriterionKind::Include);
    }

    /// One line per group: the changes to the base group, the outcome, and the criteria that
    /// did not pass with their verdict (`F` failed, `?` cannot be judged).
    #[test]
    fn seed_2007_outcomes() {
        use Outcome::*;
        #[rustfmt::skip]
        let cases: &[(&[(&str, &str)], Outcome, &str)] = &[
            (&[], Qualifies, ""),
            // C1: people
            (&[("anggota_perempuan", "")], Incomplete, "C1?"),
            (&[("anggota_perempuan", "0")], Incomplete, "C1?"),
            (&[("anggota_perempuan", ""), ("dasar_keanggotaan", "domisili")], Qualifies, ""),
            (&[("anggota_perempuan", "0"), ("anggota_laki", "3")], Qualifies, ""),
            // C2: values, purposes or activities
            (&[("nilai", "")], Incomplete, "C2?"),
            (&[("tujuan", ""), ("kegiatan", "santunan_duka")], Qualifies, ""),
            (&[("tujuan", "")], Incomplete, "C2?"),
            (&[("nilai", ""), ("anggota_perempuan", "")], Incomplete, "C1? C2?"),
            // X1: a business run for profit only
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha")], DoesNotQualify, "X1F"),
            (&[("jenis", "lainnya"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha")], DoesNotQualify, "X1F"),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi kesejahteraan_anggota"), ("sumber_dana", "hasil_usaha")], Qualifies, ""),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha iuran_anggota")], Qualifies, ""),
            (&[("jenis", "kelompok_tani"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha")], Qualifies, ""),
            (&[("jenis", "koperasi"), ("tujuan", ""), ("kegiatan", "simpan_pinjam"), ("sumber_dana", "hasil_usaha")], Incomplete, "X1?"),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "")], Incomplete, "X1?"),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha"), ("nilai", "")], DoesNotQualify, "C2? X1F"),
            // X2: a political party; X3: a government office
            (&[("jenis", "lainnya"), ("nama", "DPC Partai Maju Bone")], DoesNotQualify, "X2F"),
            (&[("jenis", "arisan"), ("nama", "Arisan Ibu-ibu Partai")], Qualifies, ""),
            (&[("jenis", "lainnya"), ("nama", "Kantor Kelurahan Bukaka")], DoesNotQualify, "X3F"),
            (&[("jenis", "lainnya"), ("nama", "Perkantoran Bersama")], Qualifies, ""),
            // Screening does not look at status: the profile leaves dissolved groups out.
            (&[("status", "bubar")], Qualifies, ""),
        ];
        let rules = RuleSet::seed_2007();
        for (changes, want, not_passed) in cases {
            let g = group(changes);
            let r = rules.screen(&g);
            assert_eq!(r.outcome, *want, "{changes:?}: {:#?}", r.reasons);
            assert_eq!(rules.outcome(&g), *want, "{changes:?}: fast path");
            let mut got: Vec<String> = Vec::new();
            for reason in &r.reasons {
                let tag = match reason.passed {
                    Some(true) => continue,
                    Some(false) => format!("{}F", reason.criterion),
                    None => format!("{}?", reason.criterion),
                };
                if !got.contains(&tag) {
                    got.push(tag);
                }
            }
            assert_eq!(got.join(" "), *not_passed, "{changes:?}: {:#?}", r.reasons);
            // Every criterion has at least one reason.
            for c in &rules.criteria {
                assert!(
                    r.reasons.iter().any(|x| x.criterion == c.id),
                    "{changes:?}: {}",
                    c.id
                );
            }
        }
    }

    /// A regional rule set: a requirement that fails gives "does not qualify".
    #[test]
    fn regional_rule_fails_on_contradicting_value() {
        let text = r#"
version = "perbup-contoh-2020"
name = "Contoh Perbup"
[[criterion]]
id = "P1"
label_id = "Berdiri paling sedikit 2 tahun dan punya SK"
label_en = "At least 2 years old, with a decree"
all = [
  { field = "umur", test = "at_least", value = 2 },
  { field = "status_hukum", test = "any_of", codes = ["sk_desa", "badan_hukum"] },
]
"#;
        let rules = RuleSet::parse(text).unwrap();
        #[rustfmt::skip]
        let cases: &[(&[(&str, &str)], Outcome)] = &[
            (&[("status_hukum", "sk_desa")], Outcome::Qualifies),
            (&[("status_hukum", "informal")], Outcome::DoesNotQualify),
            (&[], Outcome::Incomplete),
            (&[("tahun_berdiri", "2006"), ("status_hukum", "sk_desa")], Outcome::DoesNotQualify),
            (&[("tahun_berdiri", "2006")], Outcome::DoesNotQualify),
        ];
        for (changes, want) in cases {
            assert_eq!(rules.screen(&group(changes)).outcome, *want, "{changes:?}");
        }
    }
}
