//! The additive counts behind a profile ([`Tally`]), the seven a village line needs
//! ([`BriefTally`]), and their accumulation from groups in memory ([`Tallies`]).

use super::{ProfileInput, RegionRef, VillageEntry, WaveRef};
use crate::codes::{
    Code, Funding, GroupStatus, GroupType, MembershipBasis, Origin, Purpose, Value,
};
use crate::screening::Outcome;
use crate::{Group, RegionCode};
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// Aged exactly 10 years at the survey date: what separates F1's test, "10 years or more",
    /// from the 2007 abstract's words, "more than 10 years".
    pub age_10: u64,
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
    pub const WIDTH: usize = 10 + N_ORIGIN + N_BASIS + N_PURPOSE + N_FUNDING + N_VALUE;

    /// Column names for the store, in [`Tally::to_array`] order: the per-code columns are the
    /// field's prefix and the code.
    pub const COLUMNS: [&'static str; Tally::WIDTH] = [
        "groups",
        "age_lt5",
        "age_5_9",
        "age_10_19",
        "age_20_plus",
        "age_10",
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
        let age = g.age_at_survey();
        t.age_bands[age_band(age)] = 1;
        t.age_10 = u64::from(age == 10);
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
        f(&mut self.age_10);
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
    /// Groups more than 10 years old (11 whole years or more): the 2007 abstract's words.
    pub fn more_than_10(&self) -> u64 {
        self.older_10().saturating_sub(self.age_10)
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

#[cfg(test)]
mod tests {
    use super::super::testing::group;
    use super::*;

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
        // Exactly 10 years old at the survey date: 10 or more, not more than 10.
        for (founded, old, exactly_10, more) in
            [("1997", 1, 1, 0), ("1996", 1, 0, 1), ("1998", 0, 0, 0)]
        {
            let t = Tally::of(&group(&[("tahun_berdiri", founded)]));
            assert_eq!(
                (t.older_10(), t.age_10, t.more_than_10()),
                (old, exactly_10, more),
                "{founded}"
            );
        }
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
        assert_eq!(Tally::COLUMNS[10..], per_code[..]);
        let mut row = [0u64; Tally::WIDTH];
        for (i, x) in row.iter_mut().enumerate() {
            *x = i as u64 * 3 + 1;
        }
        let t = Tally::from_slice(&row).unwrap();
        assert_eq!(t.to_array(), row);
        assert_eq!(
            (t.groups, t.age_10, t.core_values, t.values[5]),
            (1, 16, 28, 127)
        );
        assert_eq!(Tally::from_slice(&row[1..]), None);
        let sum = t.merge(&t);
        assert_eq!(sum.to_array()[41], 248);
        assert_eq!([t, t].iter().sum::<Tally>(), sum);
    }
}
