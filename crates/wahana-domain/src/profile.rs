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
//! - Age is whole years at the group's own survey date ([`Group::age_at_survey`]); "10 years or
//!   more" includes exactly 10. Bands: under 5, 5-9, 10-19, 20 and more.
//! - With no counted group every finding is false and its sentence says there is no data.
//! - A synthetic wave's sentences carry "synthetic data, not a measurement".

use crate::codes::{
    Code, Funding, GroupStatus, GroupType, MembershipBasis, Origin, Purpose, Value,
};
use crate::screening::Outcome;
use crate::{Date, Group, Lang, Level, RegionCode};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A finding about shares holds when the share is above this (a strict majority).
pub const MAJORITY: f64 = 0.5;
/// F2 holds when the mean number of groups per village is above this.
pub const DENSITY: f64 = 50.0;
/// F2 also reports the villages with more than this many groups.
pub const DENSE_VILLAGE: u64 = 50;
/// F1: a group this many years old or more is an old one.
pub const OLD_YEARS: i32 = 10;

const N_ORIGIN: usize = <Origin as Code>::ALL.len();
const N_BASIS: usize = <MembershipBasis as Code>::ALL.len();
const N_PURPOSE: usize = <Purpose as Code>::ALL.len();
const N_FUNDING: usize = <Funding as Code>::ALL.len();
const N_VALUE: usize = <Value as Code>::ALL.len();

/// Age band index: under 5, 5-9, 10-19, 20 and more.
fn age_band(age: i32) -> usize {
    match age {
        ..5 => 0,
        5..=9 => 1,
        10..=19 => 2,
        _ => 3,
    }
}

// ---------------------------------------------------------------------------------------------
// Tallies

/// The additive counts behind a profile: how many groups, and how many of them have each
/// property. One group's contribution is [`Tally::of`]; tallies of disjoint sets of groups add
/// up ([`Tally::add`]), so the store can keep one per village (and per village and type) as
/// integer columns ([`Tally::COLUMNS`]) and `SUM` them for any region.
///
/// Counts that a per-code count already gives (grown from the community = `origin[0]`, domicile
/// = `membership_basis[0]`, dues among funding = `funding[0]`, togetherness = `values[0]`...) are
/// not stored twice: see the accessor methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    pub groups: u64,
    /// Under 5, 5-9, 10-19, 20 and more years at the survey date.
    pub age_bands: [u64; 4],
    /// Groups with `integrasi_masyarakat` or `ketahanan_sosial` among their purposes (F3).
    pub integration_or_resilience: u64,
    /// Groups with `ketahanan_sosial` or `kesejahteraan_anggota` among their purposes (F4).
    pub resilience_or_welfare: u64,
    /// Groups whose main funding is `iuran_anggota` (F4).
    pub dues_main: u64,
    /// Groups recording at least one of `kebersamaan`, `tolong_menolong`, `gotong_royong` (F5).
    pub core_values: u64,
    /// Per origin code, in [`Origin`] order.
    pub origin: [u64; N_ORIGIN],
    /// Per membership basis code, in [`MembershipBasis`] order.
    pub membership_basis: [u64; N_BASIS],
    /// Per purpose code, in [`Purpose`] order.
    pub purposes: [u64; N_PURPOSE],
    /// Per funding code, in [`Funding`] order.
    pub funding: [u64; N_FUNDING],
    /// Per value code, in [`Value`] order.
    pub values: [u64; N_VALUE],
}

impl Tally {
    /// How many integers a tally holds.
    pub const WIDTH: usize = 9 + N_ORIGIN + N_BASIS + N_PURPOSE + N_FUNDING + N_VALUE;

    /// Column names for the store, in [`Tally::to_array`] order: the per-code columns are the
    /// field's prefix and the code.
    pub const COLUMNS: [&'static str; Tally::WIDTH] = [
        "groups",
        "age_lt5",
        "age_5_9",
        "age_10_19",
        "age_20_plus",
        "integration_or_resilience",
        "resilience_or_welfare",
        "dues_main",
        "core_values",
        "asal_tumbuh_masyarakat",
        "asal_dibentuk_pemerintah",
        "asal_dibentuk_pihak_luar",
        "dasar_domisili",
        "dasar_kekerabatan",
        "dasar_agama",
        "dasar_pekerjaan",
        "dasar_jenis_kelamin",
        "dasar_usia",
        "dasar_asal_daerah",
        "dasar_terbuka",
        "tujuan_ketahanan_sosial",
        "tujuan_kesejahteraan_anggota",
        "tujuan_integrasi_masyarakat",
        "tujuan_keagamaan",
        "tujuan_ekonomi",
        "tujuan_pendidikan",
        "tujuan_kesehatan",
        "tujuan_lingkungan",
        "tujuan_keamanan",
        "tujuan_budaya",
        "dana_iuran_anggota",
        "dana_donatur",
        "dana_bantuan_pemerintah",
        "dana_hasil_usaha",
        "dana_zakat_infaq",
        "dana_perantau",
        "nilai_kebersamaan",
        "nilai_tolong_menolong",
        "nilai_gotong_royong",
        "nilai_adat_istiadat",
        "nilai_keagamaan",
        "nilai_musyawarah",
    ];

    /// One group's contribution: zero if it has dissolved. Whether it qualifies is the
    /// caller's to decide (only qualifying groups are tallied).
    pub fn of(g: &Group) -> Tally {
        let mut t = Tally::default();
        if g.status == GroupStatus::Dissolved {
            return t;
        }
        t.groups = 1;
        t.age_bands[age_band(g.age_at_survey())] = 1;
        t.integration_or_resilience = u64::from(
            g.purposes.contains(Purpose::CommunityIntegration)
                || g.purposes.contains(Purpose::SocialResilience),
        );
        t.resilience_or_welfare = u64::from(
            g.purposes.contains(Purpose::SocialResilience)
                || g.purposes.contains(Purpose::MemberWelfare),
        );
        t.dues_main = u64::from(g.main_funding == Some(Funding::MemberDues));
        t.core_values = u64::from(
            g.values.contains(Value::Togetherness)
                || g.values.contains(Value::MutualHelp)
                || g.values.contains(Value::GotongRoyong),
        );
        t.origin[g.origin.index()] = 1;
        for c in g.membership_basis.iter() {
            t.membership_basis[c.index()] = 1;
        }
        for c in g.purposes.iter() {
            t.purposes[c.index()] = 1;
        }
        for c in g.funding.iter() {
            t.funding[c.index()] = 1;
        }
        for c in g.values.iter() {
            t.values[c.index()] = 1;
        }
        t
    }

    /// Visits every count, in [`Tally::COLUMNS`] order.
    fn each_mut(&mut self, mut f: impl FnMut(&mut u64)) {
        f(&mut self.groups);
        self.age_bands.iter_mut().for_each(&mut f);
        f(&mut self.integration_or_resilience);
        f(&mut self.resilience_or_welfare);
        f(&mut self.dues_main);
        f(&mut self.core_values);
        self.origin.iter_mut().for_each(&mut f);
        self.membership_basis.iter_mut().for_each(&mut f);
        self.purposes.iter_mut().for_each(&mut f);
        self.funding.iter_mut().for_each(&mut f);
        self.values.iter_mut().for_each(&mut f);
    }

    /// The counts in [`Tally::COLUMNS`] order.
    pub fn to_array(&self) -> [u64; Tally::WIDTH] {
        let mut out = [0; Tally::WIDTH];
        let mut i = 0;
        let mut t = *self;
        t.each_mut(|x| {
            out[i] = *x;
            i += 1;
        });
        out
    }

    /// A tally from counts in [`Tally::COLUMNS`] order; `None` if the length is wrong.
    pub fn from_slice(row: &[u64]) -> Option<Tally> {
        if row.len() != Tally::WIDTH {
            return None;
        }
        let mut t = Tally::default();
        let mut i = 0;
        t.each_mut(|x| {
            *x = row[i];
            i += 1;
        });
        Some(t)
    }

    /// Adds another tally (of groups not already counted).
    pub fn add(&mut self, other: &Tally) {
        let o = other.to_array();
        let mut i = 0;
        self.each_mut(|x| {
            *x = x.saturating_add(o[i]);
            i += 1;
        });
    }

    /// The sum of two tallies.
    #[must_use]
    pub fn merge(mut self, other: &Tally) -> Tally {
        self.add(other);
        self
    }

    /// Groups 10 years old or more.
    pub fn older_10(&self) -> u64 {
        self.age_bands[2] + self.age_bands[3]
    }
    pub fn grown_from_community(&self) -> u64 {
        self.origin[Origin::GrownFromCommunity.index()]
    }
    pub fn formed_by_government(&self) -> u64 {
        self.origin[Origin::FormedByGovernment.index()]
    }
    pub fn formed_by_outside_party(&self) -> u64 {
        self.origin[Origin::FormedByOutsideParty.index()]
    }
    /// Formed by government or by another outside party.
    pub fn formed_from_outside(&self) -> u64 {
        self.formed_by_government() + self.formed_by_outside_party()
    }
    pub fn domicile(&self) -> u64 {
        self.membership_basis[MembershipBasis::Domicile.index()]
    }
    /// Groups with member dues among their funding sources.
    pub fn dues_any(&self) -> u64 {
        self.funding[Funding::MemberDues.index()]
    }
    pub fn togetherness(&self) -> u64 {
        self.values[Value::Togetherness.index()]
    }
    pub fn mutual_help(&self) -> u64 {
        self.values[Value::MutualHelp.index()]
    }
    pub fn gotong_royong(&self) -> u64 {
        self.values[Value::GotongRoyong.index()]
    }
}

impl std::ops::AddAssign<&Tally> for Tally {
    fn add_assign(&mut self, other: &Tally) {
        self.add(other);
    }
}

impl<'t> std::iter::Sum<&'t Tally> for Tally {
    fn sum<I: Iterator<Item = &'t Tally>>(iter: I) -> Tally {
        let mut t = Tally::default();
        for x in iter {
            t.add(x);
        }
        t
    }
}

/// The few counts a per-village line needs: seven integers instead of a whole [`Tally`], so
/// the national case (83,762 villages) stays small. In store terms: `groups`,
/// `age_10_19 + age_20_plus`, `asal_tumbuh_masyarakat`, `dasar_domisili`,
/// `resilience_or_welfare`, `dana_iuran_anggota`, `core_values`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct BriefTally {
    pub groups: u64,
    pub older_10: u64,
    pub grown_from_community: u64,
    pub domicile: u64,
    pub resilience_or_welfare: u64,
    pub dues_any: u64,
    pub core_values: u64,
}

impl From<&Tally> for BriefTally {
    fn from(t: &Tally) -> BriefTally {
        BriefTally {
            groups: t.groups,
            older_10: t.older_10(),
            grown_from_community: t.grown_from_community(),
            domicile: t.domicile(),
            resilience_or_welfare: t.resilience_or_welfare,
            dues_any: t.dues_any(),
            core_values: t.core_values,
        }
    }
}

impl BriefTally {
    pub fn add(&mut self, o: &BriefTally) {
        self.groups += o.groups;
        self.older_10 += o.older_10;
        self.grown_from_community += o.grown_from_community;
        self.domicile += o.domicile;
        self.resilience_or_welfare += o.resilience_or_welfare;
        self.dues_any += o.dues_any;
        self.core_values += o.core_values;
    }
}

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

/// Accumulates tallies from groups in memory: for small sets, the CLI without a store, and
/// tests. The store computes the same sums in SQL.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    pub recorded: u64,
    pub total: Tally,
    /// Per village: recorded groups and the tally of qualifying ones.
    pub villages: BTreeMap<RegionCode, (u64, Tally)>,
    pub by_type: BTreeMap<GroupType, Tally>,
}

impl Tallies {
    /// Counts one recorded group; its tally only if it qualifies.
    pub fn add(&mut self, g: &Group, outcome: Outcome) {
        self.recorded += 1;
        let v = self.villages.entry(g.village.clone()).or_default();
        v.0 += 1;
        if outcome == Outcome::Qualifies {
            let t = Tally::of(g);
            v.1.add(&t);
            self.total.add(&t);
            self.by_type.entry(g.group_type).or_default().add(&t);
        }
    }

    /// The profile input, with village names from `name_of` (e.g. the region tree).
    pub fn input<'a>(
        &'a self,
        region: RegionRef<'a>,
        wave: WaveRef<'a>,
        rules: &'a str,
        villages_in_region: u64,
        name_of: impl Fn(&RegionCode) -> &'a str,
    ) -> ProfileInput<'a> {
        ProfileInput {
            region,
            wave,
            rules,
            groups_recorded: self.recorded,
            total: self.total,
            villages: self
                .villages
                .iter()
                .map(|(code, (recorded, t))| VillageEntry {
                    code: code.as_str(),
                    name: name_of(code),
                    recorded: *recorded,
                    qualifying: BriefTally::from(t),
                })
                .collect(),
            by_type: self.by_type.iter().map(|(k, t)| (*k, *t)).collect(),
            villages_in_region,
        }
    }
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

impl From<&BriefTally> for Brief {
    fn from(t: &BriefTally) -> Brief {
        let n = t.groups;
        Brief {
            groups: n,
            share_older_10: share(t.older_10, n),
            share_grown_from_community: share(t.grown_from_community, n),
            share_domicile: share(t.domicile, n),
            share_resilience_or_welfare: share(t.resilience_or_welfare, n),
            share_dues_any: share(t.dues_any, n),
            share_core_values: share(t.core_values, n),
        }
    }
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

fn code_counts<T: Code>(counts: &[u64], total: u64) -> Vec<CodeCount> {
    T::ALL
        .iter()
        .zip(counts)
        .map(|(c, n)| CodeCount {
            code: c.code(),
            label_id: c.label_id(),
            label_en: c.label_en(),
            groups: *n,
            share: share(*n, total),
        })
        .collect()
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

// ---------------------------------------------------------------------------------------------
// Numbers in words

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

// ---------------------------------------------------------------------------------------------
// Computation

/// Mean, median, min, max and the count above [`DENSE_VILLAGE`] of per-village counts.
fn density(counts: &mut [u64]) -> (f64, f64, u64, u64, u64) {
    let n = counts.len();
    if n == 0 {
        return (0.0, 0.0, 0, 0, 0);
    }
    let sum: u64 = counts.iter().sum();
    let min = counts.iter().copied().min().unwrap_or(0);
    let max = counts.iter().copied().max().unwrap_or(0);
    let over = counts.iter().filter(|c| **c > DENSE_VILLAGE).count() as u64;
    // Selection, not a sort: linear in the number of villages.
    let (lower, mid, _) = counts.select_nth_unstable(n / 2);
    let mid = *mid;
    let median = if n % 2 == 1 {
        mid as f64
    } else {
        let below = lower.iter().copied().max().unwrap_or(mid);
        (below as f64 + mid as f64) / 2.0
    };
    (sum as f64 / n as f64, median, min, max, over)
}

/// Builds the sentences: shared pieces in both languages.
struct Say<'p> {
    region: &'p str,
    groups: u64,
    recorded: u64,
    synthetic: bool,
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
}

fn pct(s: f64, lang: Lang) -> String {
    format_percent(s, lang)
}

impl<'a> Profile<'a> {
    /// Computes the profile from summed tallies: one pass over the villages, no per-group work.
    pub fn compute(input: ProfileInput<'a>) -> Profile<'a> {
        let t = &input.total;
        let n = t.groups;
        let say = Say {
            region: input.region.name,
            groups: n,
            recorded: input.groups_recorded,
            synthetic: input.wave.synthetic,
        };
        let no_data = n == 0;

        // Coverage and F2, over villages with recorded groups.
        let mut counts: Vec<u64> = input
            .villages
            .iter()
            .filter(|v| v.recorded > 0)
            .map(|v| v.qualifying.groups)
            .collect();
        let villages_with = counts.len() as u64;
        let coverage = Coverage {
            villages_in_region: input.villages_in_region,
            villages_with_groups: villages_with,
            villages_without_groups: input.villages_in_region.saturating_sub(villages_with),
            share_with_groups: share(villages_with, input.villages_in_region),
        };
        let groups_in_villages: u64 = counts.iter().sum();
        let (mean, median, min, max, over) = density(&mut counts);

        // F1
        let older = share(t.older_10(), n);
        let f1_holds = !no_data && older > MAJORITY;
        let (sid, sen) = if no_data {
            say.no_data()
        } else {
            let (id, en) = say.of_groups(older);
            say.finding(
                f1_holds,
                format!(
                    "{id} telah ada dan tumbuh di masyarakat selama 10 tahun atau lebih (umur dihitung pada tanggal pendataan tiap kelompok)."
                ),
                format!(
                    "{en} have existed and grown in the community for 10 years or more (age taken at each group's survey date)."
                ),
            )
        };
        let f1 = F1Age {
            holds: f1_holds,
            sentence_id: sid,
            sentence_en: sen,
            groups: n,
            share_older_10: older,
            age_bands: AgeBands {
                lt5: t.age_bands[0],
                from5_to9: t.age_bands[1],
                from10_to19: t.age_bands[2],
                from20: t.age_bands[3],
            },
        };

        // F2
        let share_over = share(over, villages_with);
        let f2_holds = !no_data && villages_with > 0 && mean > DENSITY;
        let (sid, sen) = if no_data || villages_with == 0 {
            say.no_data()
        } else {
            let r = say.region;
            let body = |l: Lang| {
                let (m, md, lo, hi) = (
                    format_number(mean, l),
                    format_number(median, l),
                    format_count(min, l),
                    format_count(max, l),
                );
                let (v, k, p) = (
                    format_count(villages_with, l),
                    format_count(over, l),
                    pct(share_over, l),
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
            say.finding(f2_holds, body(Lang::Id), body(Lang::En))
        };
        let f2 = F2Density {
            holds: f2_holds,
            sentence_id: sid,
            sentence_en: sen,
            villages: villages_with,
            groups: groups_in_villages,
            mean,
            median,
            min,
            max,
            villages_over_50: over,
            share_over_50: share_over,
        };

        // F3
        let grown = share(t.grown_from_community(), n);
        let outside = share(t.formed_from_outside(), n);
        let gov = share(t.formed_by_government(), n);
        let other = share(t.formed_by_outside_party(), n);
        let domicile = share(t.domicile(), n);
        let integration = share(t.integration_or_resilience, n);
        let f3_holds = !no_data && grown > MAJORITY && domicile > MAJORITY;
        let (sid, sen) = if no_data {
            say.no_data()
        } else {
            let (id, en) = say.of_groups(grown);
            say.finding(
                f3_holds,
                format!(
                    "{id} tumbuh dari masyarakat sendiri, {} dibentuk pihak luar ({} oleh pemerintah, {} oleh pihak lain); {} beranggotakan atas dasar domisili, dan {} bertujuan integrasi masyarakat atau ketahanan sosial.",
                    pct(outside, Lang::Id),
                    pct(gov, Lang::Id),
                    pct(other, Lang::Id),
                    pct(domicile, Lang::Id),
                    pct(integration, Lang::Id)
                ),
                format!(
                    "{en} grew from the community itself and {} were formed by outside parties ({} by government, {} by others); for {} membership is based on domicile, and {} aim at community integration or social resilience.",
                    pct(outside, Lang::En),
                    pct(gov, Lang::En),
                    pct(other, Lang::En),
                    pct(domicile, Lang::En),
                    pct(integration, Lang::En)
                ),
            )
        };
        let f3 = F3Formation {
            holds: f3_holds,
            sentence_id: sid,
            sentence_en: sen,
            groups: n,
            share_grown_from_community: grown,
            share_formed_from_outside: outside,
            share_formed_by_government: gov,
            share_formed_by_outside_party: other,
            share_domicile: domicile,
            share_integration_or_resilience: integration,
        };

        // F4
        let welfare = share(t.resilience_or_welfare, n);
        let dues = share(t.dues_any(), n);
        let dues_main = share(t.dues_main, n);
        let f4_holds = !no_data && welfare > MAJORITY && dues > MAJORITY;
        let (sid, sen) = if no_data {
            say.no_data()
        } else {
            let (id, en) = say.of_groups(welfare);
            say.finding(
                f4_holds,
                format!(
                    "{id} bertujuan menjaga ketahanan sosial atau meningkatkan kesejahteraan anggota; {} dibiayai iuran anggota, dan bagi {} iuran anggota adalah sumber dana utama.",
                    pct(dues, Lang::Id),
                    pct(dues_main, Lang::Id)
                ),
                format!(
                    "{en} aim to keep social resilience or raise members' welfare; {} are financed by members' dues, and for {} dues are the main source of funds.",
                    pct(dues, Lang::En),
                    pct(dues_main, Lang::En)
                ),
            )
        };
        let f4 = F4PurposeFunding {
            holds: f4_holds,
            sentence_id: sid,
            sentence_en: sen,
            groups: n,
            share_resilience_or_welfare: welfare,
            share_dues_any: dues,
            share_dues_main: dues_main,
        };

        // F5
        let any = share(t.core_values, n);
        let (a, b, c) = (
            share(t.togetherness(), n),
            share(t.mutual_help(), n),
            share(t.gotong_royong(), n),
        );
        let f5_holds = !no_data && any > MAJORITY;
        let (sid, sen) = if no_data {
            say.no_data()
        } else {
            let (id, en) = say.of_groups(any);
            say.finding(
                f5_holds,
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
        };
        let f5 = F5Values {
            holds: f5_holds,
            sentence_id: sid,
            sentence_en: sen,
            groups: n,
            share_any: any,
            share_togetherness: a,
            share_mutual_help: b,
            share_gotong_royong: c,
        };

        let counts = CodeCounts {
            origin: code_counts::<Origin>(&t.origin, n),
            membership_basis: code_counts::<MembershipBasis>(&t.membership_basis, n),
            purposes: code_counts::<Purpose>(&t.purposes, n),
            funding: code_counts::<Funding>(&t.funding, n),
            values: code_counts::<Value>(&t.values, n),
        };

        let by_village = input
            .villages
            .iter()
            .map(|v| VillageProfile {
                code: v.code,
                name: v.name,
                recorded: v.recorded,
                brief: Brief::from(&v.qualifying),
            })
            .collect();

        let mut types = input.by_type;
        types.sort_by_key(|(k, _)| *k);
        let by_type = types
            .iter()
            .filter(|(_, t)| t.groups > 0)
            .map(|(k, tt)| TypeProfile {
                code: *k,
                label_id: k.label_id(),
                label_en: k.label_en(),
                share_of_groups: share(tt.groups, n),
                brief: Brief::from(&BriefTally::from(tt)),
            })
            .collect();

        Profile {
            region: input.region,
            wave: input.wave,
            rules: input.rules,
            groups_recorded: input.groups_recorded,
            groups_qualifying: n,
            coverage,
            f1,
            f2,
            f3,
            f4,
            f5,
            counts,
            by_village,
            by_type,
        }
    }

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
                yes_no(f.holds, lang),
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
                yes_no(f.holds, lang),
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

fn yes_no(b: bool, lang: Lang) -> &'static str {
    match (b, lang) {
        (true, Lang::Id) => "ya",
        (false, Lang::Id) => "tidak",
        (true, Lang::En) => "yes",
        (false, Lang::En) => "no",
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
    use super::*;
    use crate::screening::RuleSet;
    use crate::{Context, RegionTree};
    use std::collections::HashMap;

    fn ctx() -> Context<'static> {
        Context {
            regions: RegionTree::official(),
            today: Date::new(2026, 11, 29).unwrap(),
            wave_date: None,
        }
    }

    fn group(fields: &[(&str, &str)]) -> Group {
        let mut m: HashMap<&str, &str> = HashMap::from([
            ("kode_wilayah", "73.08.21.1001"),
            ("nama", "Kelompok"),
            ("jenis", "arisan"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1990"),
            ("tanggal_pendataan", "2007-08-14"),
        ]);
        for (k, v) in fields {
            m.insert(k, v);
        }
        Group::from_fields(|k| m.get(k).copied(), || "K".into(), &ctx())
            .unwrap_or_else(|e| panic!("{fields:?}: {e:?}"))
    }

    const WAVE: WaveRef<'static> = WaveRef {
        id: "uji-2007",
        name: "Uji 2007",
        date: None,
        synthetic: false,
    };
    const KECAMATAN: RegionRef<'static> = RegionRef {
        code: "73.08.21",
        name: "Tanete Riattang",
        level: Some(Level::District),
    };

    /// Screens, tallies and computes, as the store would in SQL.
    fn profile_of<'a>(
        tallies: &'a mut Tallies,
        groups: &[Group],
        region: RegionRef<'a>,
        wave: WaveRef<'a>,
        villages_in_region: u64,
    ) -> Profile<'a> {
        let rules = RuleSet::seed_2007();
        for g in groups {
            tallies.add(g, rules.outcome(g));
        }
        let tallies: &'a Tallies = tallies;
        let tree = RegionTree::official();
        Profile::compute(
            tallies.input(region, wave, "seed-2007", villages_in_region, |c| {
                tree.get(c).map_or("?", |r| r.name.as_str())
            }),
        )
    }

    #[test]
    fn age_band_boundaries() {
        // (founding year, survey 2007: age, band)
        #[rustfmt::skip]
        let cases: &[(&str, i32, usize)] = &[
            ("2007", 0, 0),
            ("2003", 4, 0),
            ("2002", 5, 1),
            ("1998", 9, 1),
            ("1997", 10, 2),
            ("1988", 19, 2),
            ("1987", 20, 3),
            ("1900", 107, 3),
        ];
        for (year, age, band) in cases {
            let g = group(&[("tahun_berdiri", year)]);
            assert_eq!(g.age_at_survey(), *age, "{year}");
            let mut want = [0; 4];
            want[*band] = 1;
            assert_eq!(Tally::of(&g).age_bands, want, "{year}");
            assert_eq!(Tally::of(&g).older_10(), u64::from(*band >= 2), "{year}");
        }
    }

    #[test]
    fn tally_of_one_group() {
        let g = group(&[
            ("asal", "dibentuk_pemerintah"),
            ("dasar_keanggotaan", "domisili usia"),
            ("tujuan", "integrasi_masyarakat pendidikan"),
            ("sumber_dana", "iuran_anggota donatur"),
            ("sumber_dana_utama", "iuran_anggota"),
            ("nilai", "gotong_royong musyawarah"),
        ]);
        let t = Tally::of(&g);
        assert_eq!(t.groups, 1);
        assert_eq!(t.origin, [0, 1, 0]);
        assert_eq!(t.membership_basis, [1, 0, 0, 0, 0, 1, 0, 0]);
        assert_eq!(t.purposes, [0, 0, 1, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(t.funding, [1, 1, 0, 0, 0, 0]);
        assert_eq!(t.values, [0, 0, 1, 0, 0, 1]);
        assert_eq!(
            (
                t.integration_or_resilience,
                t.resilience_or_welfare,
                t.dues_main,
                t.core_values
            ),
            (1, 0, 1, 1)
        );
        assert_eq!(
            (
                t.formed_by_government(),
                t.domicile(),
                t.dues_any(),
                t.gotong_royong()
            ),
            (1, 1, 1, 1)
        );
        // A dissolved group counts for nothing.
        assert_eq!(Tally::of(&group(&[("status", "bubar")])), Tally::default());
        assert_eq!(Tally::of(&group(&[("status", "tidak_aktif")])).groups, 1);
    }

    #[test]
    fn tally_columns_and_round_trip() {
        assert_eq!(Tally::COLUMNS.len(), Tally::WIDTH);
        let per_code: Vec<String> = Origin::ALL
            .iter()
            .map(|c| format!("asal_{}", c.code()))
            .chain(
                MembershipBasis::ALL
                    .iter()
                    .map(|c| format!("dasar_{}", c.code())),
            )
            .chain(Purpose::ALL.iter().map(|c| format!("tujuan_{}", c.code())))
            .chain(Funding::ALL.iter().map(|c| format!("dana_{}", c.code())))
            .chain(Value::ALL.iter().map(|c| format!("nilai_{}", c.code())))
            .collect();
        assert_eq!(Tally::COLUMNS[9..], per_code[..]);
        let mut row = [0u64; Tally::WIDTH];
        for (i, x) in row.iter_mut().enumerate() {
            *x = i as u64 * 3 + 1;
        }
        let t = Tally::from_slice(&row).unwrap();
        assert_eq!(t.to_array(), row);
        assert_eq!((t.groups, t.core_values, t.values[5]), (1, 25, 124));
        assert_eq!(Tally::from_slice(&row[1..]), None);
        let sum = t.merge(&t);
        assert_eq!(sum.to_array()[41], 248);
        assert_eq!([t, t].iter().sum::<Tally>(), sum);
    }

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

    /// F2 from per-village counts, one line per case: (recorded, qualifying) per village, then
    /// mean, median, min, max, villages over 50, holds.
    #[test]
    fn density_table() {
        type Case = (&'static [(u64, u64)], f64, f64, u64, u64, u64, bool);
        #[rustfmt::skip]
        let cases: &[Case] = &[
            (&[(4, 3)], 3.0, 3.0, 3, 3, 0, false),
            (&[(1, 1), (3, 3), (4, 4), (10, 10)], 4.5, 3.5, 1, 10, 0, false),
            (&[(5, 5), (1, 1), (3, 3)], 3.0, 3.0, 1, 5, 0, false),
            (&[(2, 2), (2, 2), (2, 2), (2, 2)], 2.0, 2.0, 2, 2, 0, false),
            // A village with recorded but no counted group counts as 0; one with nothing
            // recorded is left out.
            (&[(3, 0), (60, 60), (0, 0), (51, 51), (50, 50)], 40.25, 50.5, 0, 60, 2, false),
            (&[(50, 50), (50, 50)], 50.0, 50.0, 50, 50, 0, false),
            (&[(51, 51), (50, 50)], 50.5, 50.5, 50, 51, 1, true),
            (&[(90, 80), (40, 40), (70, 70)], 190.0 / 3.0, 70.0, 40, 80, 2, true),
        ];
        for (villages, mean, median, min, max, over, holds) in cases {
            let entries: Vec<VillageEntry<'_>> = villages
                .iter()
                .map(|(recorded, groups)| VillageEntry {
                    code: "73.08.21.1001",
                    name: "Biru",
                    recorded: *recorded,
                    qualifying: BriefTally {
                        groups: *groups,
                        ..BriefTally::default()
                    },
                })
                .collect();
            let total = Tally {
                groups: villages.iter().map(|v| v.1).sum(),
                ..Tally::default()
            };
            let p = Profile::compute(ProfileInput {
                region: KECAMATAN,
                wave: WAVE,
                rules: "seed-2007",
                groups_recorded: villages.iter().map(|v| v.0).sum(),
                total,
                villages: entries,
                by_type: Vec::new(),
                villages_in_region: 8,
            });
            let f = &p.f2;
            let with = villages.iter().filter(|v| v.0 > 0).count() as u64;
            assert_eq!(
                (
                    f.villages,
                    f.mean,
                    f.median,
                    f.min,
                    f.max,
                    f.villages_over_50,
                    f.holds
                ),
                (with, *mean, *median, *min, *max, *over, *holds),
                "{villages:?}"
            );
            assert_eq!(f.share_over_50, *over as f64 / with as f64, "{villages:?}");
            assert_eq!(p.coverage.villages_with_groups, with);
            assert_eq!(p.coverage.villages_without_groups, 8 - with);
        }
    }

    /// The groups of the worked example: three villages of Tanete Riattang.
    fn worked_example() -> Vec<Group> {
        vec![
            // Biru: g1..g4
            group(&[
                ("anggota_perempuan", "20"),
                ("dasar_keanggotaan", "domisili"),
                ("tujuan", "kesejahteraan_anggota"),
                ("sumber_dana", "iuran_anggota"),
                ("sumber_dana_utama", "iuran_anggota"),
                ("nilai", "kebersamaan tolong_menolong"),
            ]),
            group(&[
                ("jenis", "pkk"),
                ("asal", "dibentuk_pemerintah"),
                ("tahun_berdiri", "2005"),
                ("anggota_perempuan", "30"),
                ("dasar_keanggotaan", "domisili jenis_kelamin"),
                ("tujuan", "ketahanan_sosial pendidikan"),
                ("sumber_dana", "bantuan_pemerintah iuran_anggota"),
                ("sumber_dana_utama", "bantuan_pemerintah"),
                ("nilai", "gotong_royong"),
            ]),
            group(&[
                ("jenis", "majelis_taklim"),
                ("tahun_berdiri", "1980"),
                ("anggota_perempuan", "40"),
                ("dasar_keanggotaan", "agama"),
                ("tujuan", "keagamaan kesejahteraan_anggota"),
                ("sumber_dana", "zakat_infaq"),
                ("nilai", "keagamaan gotong_royong"),
            ]),
            group(&[
                ("tahun_berdiri", "1997"),
                ("anggota_laki", "9"),
                ("tujuan", "kesejahteraan_anggota"),
                ("nilai", "kebersamaan"),
                ("status", "bubar"),
            ]),
            // Ta: g5, g6 (a party: does not qualify)
            group(&[
                ("kode_wilayah", "73.08.21.1002"),
                ("jenis", "karang_taruna"),
                ("asal", "dibentuk_pihak_luar"),
                ("tahun_berdiri", "2002"),
                ("anggota_laki", "15"),
                ("dasar_keanggotaan", "usia domisili"),
                ("tujuan", "integrasi_masyarakat"),
                ("sumber_dana", "iuran_anggota donatur"),
                ("sumber_dana_utama", "donatur"),
                ("nilai", "musyawarah"),
            ]),
            group(&[
                ("kode_wilayah", "73.08.21.1002"),
                ("jenis", "lainnya"),
                ("nama", "DPC Partai Contoh"),
                ("anggota_laki", "5"),
                ("tujuan", "keamanan"),
                ("nilai", "musyawarah"),
            ]),
            // Bukaka: g7, incomplete (no value recorded)
            group(&[
                ("kode_wilayah", "73.08.21.1004"),
                ("anggota_laki", "12"),
                ("tujuan", "kesejahteraan_anggota"),
            ]),
        ]
    }

    /// Hand-computed: counted groups g1, g2, g3, g5 (g4 dissolved, g6 a party, g7 incomplete).
    #[test]
    fn worked_example_profile() {
        let mut t = Tallies::default();
        let p = profile_of(&mut t, &worked_example(), KECAMATAN, WAVE, 8);
        assert_eq!((p.groups_recorded, p.groups_qualifying), (7, 4));
        assert_eq!(
            (
                p.coverage.villages_in_region,
                p.coverage.villages_with_groups,
                p.coverage.villages_without_groups
            ),
            (8, 3, 5)
        );
        // F1: ages 17, 2, 27, 5 → one per band; exactly half are 10 or more: does not hold.
        assert_eq!(
            p.f1.age_bands,
            AgeBands {
                lt5: 1,
                from5_to9: 1,
                from10_to19: 1,
                from20: 1
            }
        );
        assert_eq!((p.f1.share_older_10, p.f1.holds), (0.5, false));
        // F2: Biru 3 (g4 dissolved), Ta 1, Bukaka 0.
        assert_eq!(
            (p.f2.villages, p.f2.groups, p.f2.median, p.f2.min, p.f2.max),
            (3, 4, 1.0, 0, 3)
        );
        assert_eq!(p.f2.mean, 4.0 / 3.0);
        assert!(!p.f2.holds);
        // F3: grown g1 g3; government g2; other g5; domicile g1 g2 g5; integration/resilience g2 g5.
        let f3 = &p.f3;
        assert_eq!(
            (
                f3.share_grown_from_community,
                f3.share_formed_from_outside,
                f3.share_formed_by_government,
                f3.share_formed_by_outside_party,
                f3.share_domicile,
                f3.share_integration_or_resilience,
                f3.holds
            ),
            (0.5, 0.5, 0.25, 0.25, 0.75, 0.5, false)
        );
        // F4: resilience/welfare g1 g2 g3; dues g1 g2 g5; dues main g1.
        let f4 = &p.f4;
        assert_eq!(
            (
                f4.share_resilience_or_welfare,
                f4.share_dues_any,
                f4.share_dues_main,
                f4.holds
            ),
            (0.75, 0.75, 0.25, true)
        );
        // F5: togetherness g1; mutual help g1; gotong royong g2 g3; any g1 g2 g3.
        let f5 = &p.f5;
        assert_eq!(
            (
                f5.share_any,
                f5.share_togetherness,
                f5.share_mutual_help,
                f5.share_gotong_royong,
                f5.holds
            ),
            (0.75, 0.25, 0.25, 0.5, true)
        );

        assert_eq!(
            p.f1.sentence_en,
            "Does not hold: 50% of 4 groups in Tanete Riattang have existed and grown in the community for 10 years or more (age taken at each group's survey date)."
        );
        assert_eq!(
            p.f2.sentence_en,
            "Does not hold: on average 1.3 groups per village in Tanete Riattang, over the 3 villages with recorded groups (median 1, lowest 0, highest 3); 0 of 3 villages (0%) have more than 50 groups."
        );
        assert_eq!(
            p.f4.sentence_id,
            "Berlaku: 75% dari 4 kelompok di Tanete Riattang bertujuan menjaga ketahanan sosial atau meningkatkan kesejahteraan anggota; 75% dibiayai iuran anggota, dan bagi 25% iuran anggota adalah sumber dana utama."
        );
        assert_eq!(
            p.f5.sentence_en,
            "Holds: 75% of 4 groups in Tanete Riattang record the spirit of togetherness, mutual help or gotong royong (togetherness 25%, mutual help 25%, gotong royong 50%)."
        );

        // By village, in code order: Biru (3 of 4 recorded), Ta (1 of 2), Bukaka (0 of 1).
        let v: Vec<(&str, &str, u64, u64, f64)> = p
            .by_village
            .iter()
            .map(|v| {
                (
                    v.code,
                    v.name,
                    v.recorded,
                    v.brief.groups,
                    v.brief.share_older_10,
                )
            })
            .collect();
        assert_eq!(
            v,
            [
                ("73.08.21.1001", "Biru", 4, 3, 2.0 / 3.0),
                ("73.08.21.1002", "Ta", 2, 1, 0.0),
                ("73.08.21.1004", "Bukaka", 1, 0, 0.0),
            ]
        );
        // By type, in type order; the dissolved arisan does not count.
        let ty: Vec<(GroupType, u64, f64)> = p
            .by_type
            .iter()
            .map(|t| (t.code, t.brief.groups, t.share_of_groups))
            .collect();
        assert_eq!(
            ty,
            [
                (GroupType::Arisan, 1, 0.25),
                (GroupType::MajelisTaklim, 1, 0.25),
                (GroupType::Pkk, 1, 0.25),
                (GroupType::KarangTaruna, 1, 0.25),
            ]
        );
        let gotong = p
            .counts
            .values
            .iter()
            .find(|c| c.code == "gotong_royong")
            .unwrap();
        assert_eq!((gotong.groups, gotong.share), (2, 0.5));
    }

    /// The same groups, profiled for one village (Biru).
    #[test]
    fn village_level_profile() {
        let biru: Vec<Group> = worked_example()
            .into_iter()
            .filter(|g| g.village.as_str() == "73.08.21.1001")
            .collect();
        let region = RegionRef {
            code: "73.08.21.1001",
            name: "Biru",
            level: Some(Level::Village),
        };
        let mut t = Tallies::default();
        let p = profile_of(&mut t, &biru, region, WAVE, 1);
        assert_eq!((p.groups_recorded, p.groups_qualifying), (4, 3));
        assert_eq!(
            (p.f2.villages, p.f2.mean, p.f2.median, p.f2.min, p.f2.max),
            (1, 3.0, 3.0, 3, 3)
        );
        assert_eq!((p.f1.share_older_10, p.f1.holds), (2.0 / 3.0, true));
        assert_eq!(
            (
                p.coverage.villages_in_region,
                p.coverage.villages_with_groups,
                p.coverage.share_with_groups
            ),
            (1, 1, 1.0)
        );
        assert!(
            p.f1.sentence_id
                .starts_with("Berlaku: 67% dari 3 kelompok di Biru telah ada")
        );
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["region"]["level"], "desa_kelurahan");
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
            (Lang::En, true, &["# WKSBM profile: District Tanete Riattang", "SYNTHETIC DATA", "| F4 | Purpose and funding | yes | Holds: 75% of 4 groups", "Uji 2007 (uji-2007, 2007-08-31)", "| 73.08.21.1001 | Biru | 4 | 3 | 67% |", "Coverage: 3 of 8 villages"]),
            (Lang::Id, true, &["# Profil WKSBM: Kecamatan Tanete Riattang", "DATA SINTETIS", "| F1 | Umur | tidak | Tidak berlaku: 50% dari 4 kelompok", "Cakupan: 3 dari 8 desa/kelurahan", "| Majelis taklim | 25% |"]),
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
