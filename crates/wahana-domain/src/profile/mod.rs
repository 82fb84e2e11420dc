//! The profile of a region (`domain.md`, "The profile of a region"): the five findings of the
//! 2007 study (F1 age, F2 density, F3 formation and membership, F4 purpose and funding, F5
//! values), measured for any region at any level and any survey wave, each stated as a sentence
//! in Bahasa Indonesia and in English that says whether it holds.
//!
//! Built for speed at national scale (4 million groups, 83,762 villages): every measure is a
//! ratio of counts, and the counts are a [`Tally`] of plain integers that adds up. The store keeps
//! one tally per village (and per village and group type) as columns, sums them with SQL, and
//! hands the sums to [`Profile::compute`], which does no per-group work: only one pass over the
//! villages, for the density figures (F2), which a sum cannot give.
//!
//! Decisions (the spec leaves them open):
//! - Counted groups: those that qualify under the rule set and have not dissolved (`bubar`).
//!   Inactive (`tidak_aktif`) groups still count: they exist in the community.
//! - Denominators: every share in F1, F3, F4 and F5 is over the counted groups; F2 is over the
//!   villages holding at least one *recorded* group (any outcome, any status), and a village whose
//!   recorded groups all fail or dissolved counts there with 0. Villages with no recorded group
//!   are reported as coverage, not as zeros.
//! - "Holds" is a strict majority, [`MAJORITY`] = 0.5: F1 when the share aged 10 years or more
//!   is above it; F2 when the mean is above [`DENSITY`] = 50 groups per village; F3 when both
//!   the share grown from the community and the share with domicile membership are above it (the
//!   share with integration or resilience purposes is reported, not required); F4 when both the
//!   share aiming at resilience or members' welfare and the share funded by dues are above it;
//!   F5 when the share recording at least one of togetherness, mutual help and gotong royong is
//!   above it (the abstract names them as one spirit, not three separate ones).
//! - Age is whole years at the group's own survey date ([`Group::age_at_survey`](crate::Group::age_at_survey)); "10 years or
//!   more" includes exactly 10. Bands: under 5, 5-9, 10-19, 20 and more.
//! - With no counted group every finding's verdict is [`Verdict::NoData`] (`holds` false) and
//!   its sentence says there is no data: never "does not hold".
//! - When the wave recorded groups in only some of the region's villages
//!   ([`Coverage::partial`]), every finding is stated for the villages surveyed, in its
//!   sentence and its badge ("di 8 dari 372 desa/kelurahan yang didata").
//! - F1 tests "10 years or more"; the 2007 abstract says "more than 10 years", and the sentence
//!   says which test was used.
//! - F2 also gives the mean over every village of the region, those without a recorded group
//!   counted as zero ([`F2Density::mean_all_villages`]).
//! - A sample wave's shares carry 95% Wilson intervals ([`wilson_interval`]); a census's none.
//! - A synthetic wave's sentences carry "synthetic data, not a measurement" ([`unmarked`]
//!   takes it off for a rendering that says it once per page).
//!
//! The module's files: `tally` the additive counts, `compute` the findings' arithmetic,
//! `sentences` the sentences and numbers in words in both languages, `render` the text and
//! Markdown renderers. The types of the input and of the result (the JSON contract) are here.

mod compute;
mod interval;
mod render;
mod sentences;
mod tally;
#[cfg(test)]
mod testing;

pub use interval::wilson_interval;
pub use sentences::{format_count, format_number, format_percent, unmarked};
pub use tally::{BriefTally, Tallies, Tally};

use crate::codes::GroupType;
use crate::{Date, Lang, Level};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

/// A finding about shares holds when the share is above this (a strict majority).
pub const MAJORITY: f64 = 0.5;
/// F2 holds when the mean number of groups per village is above this.
pub const DENSITY: f64 = 50.0;
/// F2 also reports the villages with more than this many groups.
pub const DENSE_VILLAGE: u64 = 50;
/// F1: a group this many years old or more is an old one.
pub const OLD_YEARS: i32 = 10;

// ---------------------------------------------------------------------------------------------
// Input

/// The region a profile is about. `level` is `None` for the whole country (code empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RegionRef<'a> {
    pub code: &'a str,
    pub name: &'a str,
    #[serde(serialize_with = "level_code")]
    pub level: Option<Level>,
}

fn level_code<S: Serializer>(level: &Option<Level>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(level.map_or("nasional", Level::code))
}

impl RegionRef<'_> {
    /// The whole country.
    pub const NATIONAL: RegionRef<'static> = RegionRef {
        code: "",
        name: "Indonesia",
        level: None,
    };

    pub fn level_label(&self, lang: Lang) -> &'static str {
        match self.level {
            Some(l) => l.label(lang),
            None => lang.pick("Nasional", "National"),
        }
    }
}

/// The survey wave a profile is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WaveRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub date: Option<Date>,
    /// Generated data: every sentence and rendering says so.
    pub synthetic: bool,
    /// The wave surveyed a sample (`Wave::method` is `sample`), not every group of the area: its
    /// shares carry 95% confidence intervals ([`wilson_interval`]). A census, or a wave that does
    /// not say, carries none.
    pub sample: bool,
}

/// One village's line: its recorded groups (any outcome) and the counts of its qualifying,
/// not dissolved ones. Names are borrowed, not copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VillageEntry<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub recorded: u64,
    pub qualifying: BriefTally,
}

/// What [`Profile::compute`] needs; the store fills it from its sums.
#[derive(Debug, Clone)]
pub struct ProfileInput<'a> {
    pub region: RegionRef<'a>,
    pub wave: WaveRef<'a>,
    /// The rule set's version the outcomes come from (`seed-2007`).
    pub rules: &'a str,
    /// Groups recorded in the region and wave, whatever their outcome and status.
    pub groups_recorded: u64,
    /// The tally of qualifying, not dissolved groups of the whole region.
    pub total: Tally,
    /// The villages of the region that hold recorded groups (others may be given with
    /// `recorded = 0`; they are ignored by F2). Listed in the order given.
    pub villages: Vec<VillageEntry<'a>>,
    /// Tallies per group type (any order; types with no counted group are left out).
    pub by_type: Vec<(GroupType, Tally)>,
    /// All villages of the region in the official tree, recorded or not (coverage).
    pub villages_in_region: u64,
}

// ---------------------------------------------------------------------------------------------
// Output

/// `n / d`, or 0 when `d` is 0 (never NaN).
fn share(n: u64, d: u64) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// The region's villages against those holding recorded groups.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Coverage {
    pub villages_in_region: u64,
    pub villages_with_groups: u64,
    pub villages_without_groups: u64,
    pub share_with_groups: f64,
    /// The wave recorded groups in some of the region's villages but not all: every finding is
    /// stated for the villages surveyed only ("di 8 dari 372 desa/kelurahan yang didata").
    pub partial: bool,
}

impl Coverage {
    /// `Some((surveyed, all))` when the coverage is partial.
    pub fn partial_counts(&self) -> Option<(u64, u64)> {
        self.partial
            .then_some((self.villages_with_groups, self.villages_in_region))
    }
}

/// What the data says of a finding: it holds, it does not, or there is no data to say
/// (no counted group): never "does not hold" for want of data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Holds,
    DoesNotHold,
    NoData,
}

impl Verdict {
    /// From whether there is data and whether the finding's test passes.
    pub fn of(has_data: bool, holds: bool) -> Verdict {
        match (has_data, holds) {
            (false, _) => Verdict::NoData,
            (true, true) => Verdict::Holds,
            (true, false) => Verdict::DoesNotHold,
        }
    }

    /// `holds`, `fails` or `nodata`: the class a page styles a badge with.
    pub fn class(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "fails",
            Verdict::NoData => "nodata",
        }
    }

    /// The badge: "berlaku", "tidak berlaku", "tidak ada data"; with partial coverage
    /// (`Some((surveyed, all))`), "berlaku di 8 dari 372 desa/kelurahan yang didata".
    pub fn badge(self, partial: Option<(u64, u64)>, lang: Lang) -> String {
        let word = match self {
            Verdict::Holds => lang.pick("berlaku", "holds"),
            Verdict::DoesNotHold => lang.pick("tidak berlaku", "does not hold"),
            Verdict::NoData => return lang.pick("tidak ada data", "no data").to_string(),
        };
        match partial {
            None => word.to_string(),
            Some((n, m)) => format!("{word} {}", sentences::in_surveyed(n, m, lang)),
        }
    }
}

/// 95% confidence intervals (Wilson) of a finding's shares, by the share's JSON key
/// (`share_older_10`: `[low, high]`); empty, and left out of the JSON, unless the wave is a
/// sample.
pub type Intervals = BTreeMap<&'static str, [f64; 2]>;

/// Groups per age band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeBands {
    pub lt5: u64,
    #[serde(rename = "5_9")]
    pub from5_to9: u64,
    #[serde(rename = "10_19")]
    pub from10_to19: u64,
    #[serde(rename = "20_plus")]
    pub from20: u64,
}

/// F1: the groups have existed and grown in the community for more than 10 years.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F1Age {
    pub holds: bool,
    pub verdict: Verdict,
    pub sentence_id: String,
    pub sentence_en: String,
    /// The denominator.
    pub groups: u64,
    /// Aged 10 years or more at the survey date: the test F1 uses (the 2007 study writes
    /// "more than 10 years"; the sentence says which test was used).
    pub share_older_10: f64,
    /// More than 10 years old (11 whole years or more), as the 2007 abstract words it: given
    /// beside the test used, not tested.
    pub share_more_than_10: f64,
    pub age_bands: AgeBands,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ci95: Intervals,
}

/// F2: on average more than 50 groups per desa/kelurahan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F2Density {
    pub holds: bool,
    pub verdict: Verdict,
    pub sentence_id: String,
    pub sentence_en: String,
    /// The denominator: villages with at least one recorded group.
    pub villages: u64,
    /// Counted groups in those villages.
    pub groups: u64,
    pub mean: f64,
    /// The middle count; with an even number of villages, the mean of the middle two.
    pub median: f64,
    pub min: u64,
    pub max: u64,
    /// Villages with more than 50 groups.
    pub villages_over_50: u64,
    pub share_over_50: f64,
    /// The mean over every village of the region, those without a recorded group counted as
    /// zero (`groups / coverage.villages_in_region`): the floor beside `mean`.
    pub mean_all_villages: f64,
    /// The villages that mean is over.
    pub villages_in_region: u64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ci95: Intervals,
}

/// F3: formed within the community, to integrate it and keep its resilience; membership mostly
/// by domicile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F3Formation {
    pub holds: bool,
    pub verdict: Verdict,
    pub sentence_id: String,
    pub sentence_en: String,
    pub groups: u64,
    pub share_grown_from_community: f64,
    /// Formed by government or another outside party.
    pub share_formed_from_outside: f64,
    pub share_formed_by_government: f64,
    pub share_formed_by_outside_party: f64,
    pub share_domicile: f64,
    /// Kept for earlier clients: the measure is a purpose, reported under F4
    /// (`f4.share_integration_or_resilience`) and no longer in F3's sentence.
    pub share_integration_or_resilience: f64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ci95: Intervals,
}

/// F4: aimed at social resilience through members' welfare, financed by members' dues.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F4PurposeFunding {
    pub holds: bool,
    pub verdict: Verdict,
    pub sentence_id: String,
    pub sentence_en: String,
    pub groups: u64,
    pub share_resilience_or_welfare: f64,
    /// With community integration or social resilience among their purposes (reported, not
    /// required).
    pub share_integration_or_resilience: f64,
    pub share_dues_any: f64,
    pub share_dues_main: f64,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ci95: Intervals,
}

/// F5: the spirit of togetherness: mutual help and gotong royong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F5Values {
    pub holds: bool,
    pub verdict: Verdict,
    pub sentence_id: String,
    pub sentence_en: String,
    pub groups: u64,
    /// Recording at least one of the three.
    pub share_any: f64,
    pub share_togetherness: f64,
    pub share_mutual_help: f64,
    pub share_gotong_royong: f64,
    /// The rule set already requires a value recorded to qualify (seed-2007's C2), so the
    /// shares are among groups that record some value.
    pub screening_requires_value: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ci95: Intervals,
}

/// The measures of one village or group type, in brief.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Brief {
    /// Counted groups (qualifying, not dissolved).
    pub groups: u64,
    pub share_older_10: f64,
    pub share_grown_from_community: f64,
    pub share_domicile: f64,
    pub share_resilience_or_welfare: f64,
    pub share_dues_any: f64,
    /// Recording togetherness, mutual help or gotong royong.
    pub share_core_values: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VillageProfile<'a> {
    pub code: &'a str,
    pub name: &'a str,
    /// Recorded groups, any outcome.
    pub recorded: u64,
    #[serde(flatten)]
    pub brief: Brief,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TypeProfile {
    /// The type's code (`arisan`).
    pub code: GroupType,
    pub label_id: &'static str,
    pub label_en: &'static str,
    /// This type's share of all counted groups.
    pub share_of_groups: f64,
    #[serde(flatten)]
    pub brief: Brief,
}

/// One code's count, for charts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CodeCount {
    pub code: &'static str,
    pub label_id: &'static str,
    pub label_en: &'static str,
    pub groups: u64,
    pub share: f64,
}

/// Counts per code of the multi-valued fields, for charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeCounts {
    pub origin: Vec<CodeCount>,
    pub membership_basis: Vec<CodeCount>,
    pub purposes: Vec<CodeCount>,
    pub funding: Vec<CodeCount>,
    pub values: Vec<CodeCount>,
}

/// The profile of one region in one wave: the JSON contract of `wahana profile` and the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile<'a> {
    pub region: RegionRef<'a>,
    pub wave: WaveRef<'a>,
    /// The rule set's version.
    pub rules: &'a str,
    pub groups_recorded: u64,
    /// Qualifying and not dissolved: the denominator of F1, F3, F4, F5.
    pub groups_qualifying: u64,
    pub coverage: Coverage,
    pub f1: F1Age,
    pub f2: F2Density,
    pub f3: F3Formation,
    pub f4: F4PurposeFunding,
    pub f5: F5Values,
    pub counts: CodeCounts,
    pub by_village: Vec<VillageProfile<'a>>,
    pub by_type: Vec<TypeProfile>,
}

/// One finding, seen uniformly (for renderers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding<'p> {
    /// `F1`...`F5`.
    pub id: &'static str,
    pub title_id: &'static str,
    pub title_en: &'static str,
    pub holds: bool,
    pub verdict: Verdict,
    pub sentence_id: &'p str,
    pub sentence_en: &'p str,
    /// `Some((surveyed, all))` when the wave covered only part of the region's villages.
    pub partial: Option<(u64, u64)>,
}

impl Finding<'_> {
    pub fn title(&self, lang: Lang) -> &'static str {
        lang.pick(self.title_id, self.title_en)
    }
    pub fn sentence(&self, lang: Lang) -> &str {
        lang.pick(self.sentence_id, self.sentence_en)
    }
    /// The sentence without the synthetic mark, for a rendering that says it once per page.
    pub fn sentence_unmarked(&self, lang: Lang) -> &str {
        unmarked(self.sentence(lang), lang)
    }
    /// The badge ([`Verdict::badge`]).
    pub fn badge(&self, lang: Lang) -> String {
        self.verdict.badge(self.partial, lang)
    }
}

impl Profile<'_> {
    /// The five findings, in order.
    pub fn findings(&self) -> [Finding<'_>; 5] {
        [
            Finding {
                id: "F1",
                title_id: "Umur",
                title_en: "Age",
                holds: self.f1.holds,
                verdict: self.f1.verdict,
                sentence_id: &self.f1.sentence_id,
                sentence_en: &self.f1.sentence_en,
                partial: self.coverage.partial_counts(),
            },
            Finding {
                id: "F2",
                title_id: "Kepadatan",
                title_en: "Density",
                holds: self.f2.holds,
                verdict: self.f2.verdict,
                sentence_id: &self.f2.sentence_id,
                sentence_en: &self.f2.sentence_en,
                partial: self.coverage.partial_counts(),
            },
            Finding {
                id: "F3",
                title_id: "Pembentukan dan keanggotaan",
                title_en: "Formation and membership",
                holds: self.f3.holds,
                verdict: self.f3.verdict,
                sentence_id: &self.f3.sentence_id,
                sentence_en: &self.f3.sentence_en,
                partial: self.coverage.partial_counts(),
            },
            Finding {
                id: "F4",
                title_id: "Tujuan dan pendanaan",
                title_en: "Purpose and funding",
                holds: self.f4.holds,
                verdict: self.f4.verdict,
                sentence_id: &self.f4.sentence_id,
                sentence_en: &self.f4.sentence_en,
                partial: self.coverage.partial_counts(),
            },
            Finding {
                id: "F5",
                title_id: "Nilai",
                title_en: "Values",
                holds: self.f5.holds,
                verdict: self.f5.verdict,
                sentence_id: &self.f5.sentence_id,
                sentence_en: &self.f5.sentence_en,
                partial: self.coverage.partial_counts(),
            },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{KECAMATAN, WAVE, profile_of, worked_example};
    use super::*;

    #[test]
    fn json_contract() {
        let mut t = Tallies::default();
        let p = profile_of(&mut t, &worked_example(), KECAMATAN, WAVE, 8);
        let json = serde_json::to_value(&p).unwrap();
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        #[rustfmt::skip]
        let cases: &[(&str, &[&str])] = &[
            ("", &["region", "wave", "rules", "groups_recorded", "groups_qualifying", "coverage", "f1", "f2", "f3", "f4", "f5", "counts", "by_village", "by_type"]),
            ("region", &["code", "name", "level"]),
            ("wave", &["id", "name", "date", "synthetic", "sample"]),
            ("coverage", &["villages_in_region", "villages_with_groups", "villages_without_groups", "share_with_groups", "partial"]),
            ("f1", &["holds", "verdict", "sentence_id", "sentence_en", "groups", "share_older_10", "share_more_than_10", "age_bands"]),
            ("f2", &["holds", "verdict", "sentence_id", "sentence_en", "villages", "groups", "mean", "median", "min", "max", "villages_over_50", "share_over_50", "mean_all_villages", "villages_in_region"]),
            ("f3", &["holds", "verdict", "sentence_id", "sentence_en", "groups", "share_grown_from_community", "share_formed_from_outside", "share_formed_by_government", "share_formed_by_outside_party", "share_domicile", "share_integration_or_resilience"]),
            ("f4", &["holds", "verdict", "sentence_id", "sentence_en", "groups", "share_resilience_or_welfare", "share_integration_or_resilience", "share_dues_any", "share_dues_main"]),
            ("f5", &["holds", "verdict", "sentence_id", "sentence_en", "groups", "share_any", "share_togetherness", "share_mutual_help", "share_gotong_royong", "screening_requires_value"]),
            ("counts", &["origin", "membership_basis", "purposes", "funding", "values"]),
        ];
        for (path, want) in cases {
            let v = if path.is_empty() { &json } else { &json[path] };
            let mut got = keys(v);
            let mut want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{path}");
        }
        assert_eq!(json["region"]["level"], "kecamatan");
        assert_eq!(json["rules"], "seed-2007");
        assert_eq!(
            json["f1"]["age_bands"],
            serde_json::json!({"lt5": 1, "5_9": 1, "10_19": 1, "20_plus": 1})
        );
        assert_eq!(
            json["by_village"][0],
            serde_json::json!({
                "code": "73.08.21.1001", "name": "Biru", "recorded": 4, "groups": 3,
                "share_older_10": 2.0 / 3.0, "share_grown_from_community": 2.0 / 3.0,
                "share_domicile": 2.0 / 3.0, "share_resilience_or_welfare": 1.0,
                "share_dues_any": 2.0 / 3.0, "share_core_values": 1.0
            })
        );
        assert_eq!(json["by_type"][0]["code"], "arisan");
        assert_eq!(json["by_type"][0]["label_en"], "Rotating savings group");
        let national = RegionRef::NATIONAL;
        assert_eq!(serde_json::to_value(national).unwrap()["level"], "nasional");
    }
}
