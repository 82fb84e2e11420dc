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
//! - With no counted group every finding is false and its sentence says there is no data.
//! - A synthetic wave's sentences carry "synthetic data, not a measurement".
//!
//! The module's files: `tally` the additive counts, `compute` the findings' arithmetic,
//! `sentences` the sentences and numbers in words in both languages, `render` the text and
//! Markdown renderers. The types of the input and of the result (the JSON contract) are here.

mod compute;
mod render;
mod sentences;
mod tally;
#[cfg(test)]
mod testing;

pub use sentences::{format_count, format_number, format_percent};
pub use tally::{BriefTally, Tallies, Tally};

use crate::codes::GroupType;
use crate::{Date, Lang, Level};
use serde::{Serialize, Serializer};

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
}

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
    pub sentence_id: String,
    pub sentence_en: String,
    /// The denominator.
    pub groups: u64,
    /// Aged 10 years or more at the survey date.
    pub share_older_10: f64,
    pub age_bands: AgeBands,
}

/// F2: on average more than 50 groups per desa/kelurahan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F2Density {
    pub holds: bool,
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
}

/// F3: formed within the community, to integrate it and keep its resilience; membership mostly
/// by domicile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F3Formation {
    pub holds: bool,
    pub sentence_id: String,
    pub sentence_en: String,
    pub groups: u64,
    pub share_grown_from_community: f64,
    /// Formed by government or another outside party.
    pub share_formed_from_outside: f64,
    pub share_formed_by_government: f64,
    pub share_formed_by_outside_party: f64,
    pub share_domicile: f64,
    pub share_integration_or_resilience: f64,
}

/// F4: aimed at social resilience through members' welfare, financed by members' dues.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F4PurposeFunding {
    pub holds: bool,
    pub sentence_id: String,
    pub sentence_en: String,
    pub groups: u64,
    pub share_resilience_or_welfare: f64,
    pub share_dues_any: f64,
    pub share_dues_main: f64,
}

/// F5: the spirit of togetherness: mutual help and gotong royong.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct F5Values {
    pub holds: bool,
    pub sentence_id: String,
    pub sentence_en: String,
    pub groups: u64,
    /// Recording at least one of the three.
    pub share_any: f64,
    pub share_togetherness: f64,
    pub share_mutual_help: f64,
    pub share_gotong_royong: f64,
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
    pub sentence_id: &'p str,
    pub sentence_en: &'p str,
}

impl Finding<'_> {
    pub fn title(&self, lang: Lang) -> &'static str {
        lang.pick(self.title_id, self.title_en)
    }
    pub fn sentence(&self, lang: Lang) -> &str {
        lang.pick(self.sentence_id, self.sentence_en)
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
                sentence_id: &self.f1.sentence_id,
                sentence_en: &self.f1.sentence_en,
            },
            Finding {
                id: "F2",
                title_id: "Kepadatan",
                title_en: "Density",
                holds: self.f2.holds,
                sentence_id: &self.f2.sentence_id,
                sentence_en: &self.f2.sentence_en,
            },
            Finding {
                id: "F3",
                title_id: "Pembentukan dan keanggotaan",
                title_en: "Formation and membership",
                holds: self.f3.holds,
                sentence_id: &self.f3.sentence_id,
                sentence_en: &self.f3.sentence_en,
            },
            Finding {
                id: "F4",
                title_id: "Tujuan dan pendanaan",
                title_en: "Purpose and funding",
                holds: self.f4.holds,
                sentence_id: &self.f4.sentence_id,
                sentence_en: &self.f4.sentence_en,
            },
            Finding {
                id: "F5",
                title_id: "Nilai",
                title_en: "Values",
                holds: self.f5.holds,
                sentence_id: &self.f5.sentence_id,
                sentence_en: &self.f5.sentence_en,
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
            ("wave", &["id", "name", "date", "synthetic"]),
            ("coverage", &["villages_in_region", "villages_with_groups", "villages_without_groups", "share_with_groups"]),
            ("f1", &["holds", "sentence_id", "sentence_en", "groups", "share_older_10", "age_bands"]),
            ("f2", &["holds", "sentence_id", "sentence_en", "villages", "groups", "mean", "median", "min", "max", "villages_over_50", "share_over_50"]),
            ("f3", &["holds", "sentence_id", "sentence_en", "groups", "share_grown_from_community", "share_formed_from_outside", "share_formed_by_government", "share_formed_by_outside_party", "share_domicile", "share_integration_or_resilience"]),
            ("f4", &["holds", "sentence_id", "sentence_en", "groups", "share_resilience_or_welfare", "share_dues_any", "share_dues_main"]),
            ("f5", &["holds", "sentence_id", "sentence_en", "groups", "share_any", "share_togetherness", "share_mutual_help", "share_gotong_royong"]),
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
