//! [`Profile::compute`]: the findings' arithmetic over summed tallies.

use super::sentences::Say;
use super::{
    AgeBands, Brief, BriefTally, CodeCount, CodeCounts, Coverage, DENSE_VILLAGE, DENSITY, F1Age,
    F2Density, F3Formation, F4PurposeFunding, F5Values, Intervals, MAJORITY, Profile, ProfileInput,
    TypeProfile, Verdict, VillageProfile, share, wilson_interval,
};
use crate::codes::{Code, Funding, MembershipBasis, Origin, Purpose, Value};

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

/// The 95% Wilson intervals of `shares` (key, count, denominator) when `sample`, else none.
fn intervals(sample: bool, shares: &[(&'static str, u64, u64)]) -> Intervals {
    if !sample {
        return Intervals::new();
    }
    shares
        .iter()
        .filter_map(|(k, x, n)| wilson_interval(*x, *n).map(|(lo, hi)| (*k, [lo, hi])))
        .collect()
}

/// The rule sets known to require a value recorded for a group to qualify (C2 of seed-2007):
/// F5's shares are then among groups that record one.
const RULES_REQUIRING_VALUE: &[&str] = &["seed-2007"];

impl<'a> Profile<'a> {
    /// Computes the profile from summed tallies: one pass over the villages, no per-group work.
    pub fn compute(input: ProfileInput<'a>) -> Profile<'a> {
        let t = &input.total;
        let n = t.groups;
        let no_data = n == 0;
        let sample = input.wave.sample;

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
            partial: villages_with > 0 && villages_with < input.villages_in_region,
        };
        let say = Say {
            region: input.region.name,
            groups: n,
            recorded: input.groups_recorded,
            synthetic: input.wave.synthetic,
            partial: coverage.partial_counts(),
            sample,
        };
        let groups_in_villages: u64 = counts.iter().sum();
        let (mean, median, min, max, over) = density(&mut counts);

        // F1
        let older = share(t.older_10(), n);
        let f1_holds = !no_data && older > MAJORITY;
        let mut f1 = F1Age {
            holds: f1_holds,
            verdict: Verdict::of(!no_data, f1_holds),
            sentence_id: String::new(),
            sentence_en: String::new(),
            groups: n,
            share_older_10: older,
            share_more_than_10: share(t.more_than_10(), n),
            age_bands: AgeBands {
                lt5: t.age_bands[0],
                from5_to9: t.age_bands[1],
                from10_to19: t.age_bands[2],
                from20: t.age_bands[3],
            },
            ci95: intervals(
                sample,
                &[
                    ("share_older_10", t.older_10(), n),
                    ("share_more_than_10", t.more_than_10(), n),
                ],
            ),
        };
        (f1.sentence_id, f1.sentence_en) = say.f1(&f1);

        // F2
        let f2_data = !no_data && villages_with > 0;
        let f2_holds = f2_data && mean > DENSITY;
        let mut f2 = F2Density {
            holds: f2_holds,
            verdict: Verdict::of(f2_data, f2_holds),
            sentence_id: String::new(),
            sentence_en: String::new(),
            villages: villages_with,
            groups: groups_in_villages,
            mean,
            median,
            min,
            max,
            villages_over_50: over,
            share_over_50: share(over, villages_with),
            mean_all_villages: share(groups_in_villages, input.villages_in_region),
            villages_in_region: input.villages_in_region,
            ci95: intervals(sample, &[("share_over_50", over, villages_with)]),
        };
        (f2.sentence_id, f2.sentence_en) = say.f2(&f2);

        // F3
        let grown = share(t.grown_from_community(), n);
        let domicile = share(t.domicile(), n);
        let f3_holds = !no_data && grown > MAJORITY && domicile > MAJORITY;
        let mut f3 = F3Formation {
            holds: f3_holds,
            verdict: Verdict::of(!no_data, f3_holds),
            sentence_id: String::new(),
            sentence_en: String::new(),
            groups: n,
            share_grown_from_community: grown,
            share_formed_from_outside: share(t.formed_from_outside(), n),
            share_formed_by_government: share(t.formed_by_government(), n),
            share_formed_by_outside_party: share(t.formed_by_outside_party(), n),
            share_domicile: domicile,
            share_integration_or_resilience: share(t.integration_or_resilience, n),
            ci95: intervals(
                sample,
                &[
                    ("share_grown_from_community", t.grown_from_community(), n),
                    ("share_domicile", t.domicile(), n),
                ],
            ),
        };
        (f3.sentence_id, f3.sentence_en) = say.f3(&f3);

        // F4
        let welfare = share(t.resilience_or_welfare, n);
        let dues = share(t.dues_any(), n);
        let f4_holds = !no_data && welfare > MAJORITY && dues > MAJORITY;
        let mut f4 = F4PurposeFunding {
            holds: f4_holds,
            verdict: Verdict::of(!no_data, f4_holds),
            sentence_id: String::new(),
            sentence_en: String::new(),
            groups: n,
            share_resilience_or_welfare: welfare,
            share_integration_or_resilience: share(t.integration_or_resilience, n),
            share_dues_any: dues,
            share_dues_main: share(t.dues_main, n),
            ci95: intervals(
                sample,
                &[
                    ("share_resilience_or_welfare", t.resilience_or_welfare, n),
                    ("share_dues_any", t.dues_any(), n),
                ],
            ),
        };
        (f4.sentence_id, f4.sentence_en) = say.f4(&f4);

        // F5
        let any = share(t.core_values, n);
        let f5_holds = !no_data && any > MAJORITY;
        let mut f5 = F5Values {
            holds: f5_holds,
            verdict: Verdict::of(!no_data, f5_holds),
            sentence_id: String::new(),
            sentence_en: String::new(),
            groups: n,
            share_any: any,
            share_togetherness: share(t.togetherness(), n),
            share_mutual_help: share(t.mutual_help(), n),
            share_gotong_royong: share(t.gotong_royong(), n),
            screening_requires_value: RULES_REQUIRING_VALUE.contains(&input.rules),
            ci95: intervals(sample, &[("share_any", t.core_values, n)]),
        };
        (f5.sentence_id, f5.sentence_en) = say.f5(&f5);

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
}

#[cfg(test)]
mod tests {
    use super::super::testing::{KECAMATAN, WAVE, profile_of, worked_example};
    use super::super::{RegionRef, Tallies, Tally, VillageEntry};
    use super::*;
    use crate::codes::GroupType;
    use crate::{Group, Lang, Level};

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
        // Aged 17 and 27 are more than 10; none is exactly 10.
        assert_eq!(p.f1.share_more_than_10, 0.5);
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
            "Does not hold in the 3 of 8 villages surveyed: 50% of 4 groups in Tanete Riattang have existed and grown in the community for 10 years or more, and 50% for more than 10 years (the test used: an age of 10 years or more at each group's survey date; the 2007 study says \"more than 10 years\")."
        );
        assert_eq!(
            p.f2.sentence_en,
            "Does not hold in the 3 of 8 villages surveyed: on average 1.3 groups per village in Tanete Riattang, over the 3 villages with recorded groups (median 1, lowest 0, highest 3); 0 of 3 villages (0%) have more than 50 groups. Counting the 5 villages without recorded groups as zero, the mean is 0.5 groups over 8 villages."
        );
        assert_eq!(
            p.f4.sentence_id,
            "Berlaku di 3 dari 8 desa/kelurahan yang didata: 75% dari 4 kelompok di Tanete Riattang bertujuan menjaga ketahanan sosial atau meningkatkan kesejahteraan anggota (50% bertujuan integrasi masyarakat atau ketahanan sosial); 75% dibiayai iuran anggota, dan bagi 25% iuran anggota adalah sumber dana utama."
        );
        assert_eq!(
            p.f5.sentence_en,
            "Holds in the 3 of 8 villages surveyed: 75% of 4 groups in Tanete Riattang record the spirit of togetherness, mutual help or gotong royong (togetherness 25%, mutual help 25%, gotong royong 50%). Note: the screening rules already require at least one value recorded, so this share is among groups that record some value."
        );
        assert_eq!(
            p.f3.sentence_en,
            "Does not hold in the 3 of 8 villages surveyed: 50% of 4 groups in Tanete Riattang grew from the community itself and 50% were formed by outside parties (25% by government, 25% by others); for 75% membership is based on domicile."
        );
        // F2 beside the villages without groups as zeros: 4 groups over the 8 villages.
        assert_eq!((p.f2.mean_all_villages, p.f2.villages_in_region), (0.5, 8));
        // F3's purpose measure is reported under F4 (and kept in F3's JSON for old clients).
        assert_eq!(p.f4.share_integration_or_resilience, 0.5);
        // A census carries no interval.
        assert!(p.f1.ci95.is_empty() && p.f4.ci95.is_empty());
        // Partial coverage: 3 of the 8 villages, in every badge.
        assert!(p.coverage.partial);
        let badges: Vec<String> = p.findings().iter().map(|f| f.badge(Lang::Id)).collect();
        assert_eq!(
            badges,
            [
                "tidak berlaku di 3 dari 8 desa/kelurahan yang didata",
                "tidak berlaku di 3 dari 8 desa/kelurahan yang didata",
                "tidak berlaku di 3 dari 8 desa/kelurahan yang didata",
                "berlaku di 3 dari 8 desa/kelurahan yang didata",
                "berlaku di 3 dari 8 desa/kelurahan yang didata",
            ]
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
}
