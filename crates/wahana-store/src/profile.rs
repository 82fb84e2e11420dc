//! What a profile reads: the tallies of one region, one wave and one rule set, never the group
//! rows (see `tally.rs`), and the counts of networks, institutions and ties beside them.

use crate::regions::bounds;
use crate::tally::WIDTH;
use crate::{Store, StoreError, on_pool};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::borrow::Cow;
use wahana_domain::codes::{Code, GroupType};
use wahana_domain::profile::{BriefTally, ProfileInput, RegionRef, Tally, VillageEntry, WaveRef};
use wahana_domain::{Level, RegionCode, RegionTree};

/// One village's line, its code and name borrowed from the official tree where it is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageTally {
    pub code: Cow<'static, str>,
    pub name: &'static str,
    pub recorded: u64,
    pub qualifying: BriefTally,
}

/// The sums a profile is computed from (see [`wahana_domain::profile::ProfileInput`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileTallies {
    pub recorded: u64,
    pub total: Tally,
    pub by_type: Vec<(GroupType, Tally)>,
    /// Villages holding recorded groups, in code order.
    pub villages: Vec<VillageTally>,
    /// Every village of the region in the official tree (coverage).
    pub villages_in_region: u64,
}

impl ProfileTallies {
    /// The domain's input, borrowing from these tallies.
    pub fn input<'a>(
        &'a self,
        region: RegionRef<'a>,
        wave: WaveRef<'a>,
        rules: &'a str,
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
                .map(|v| VillageEntry {
                    code: &v.code,
                    name: v.name,
                    recorded: v.recorded,
                    qualifying: v.qualifying,
                })
                .collect(),
            by_type: self.by_type.clone(),
            villages_in_region: self.villages_in_region,
        }
    }
}

/// Networks, institutions and ties recorded in a region and wave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActorCounts {
    pub networks: u64,
    pub institutions: u64,
    /// Ties with at least one end in the region.
    pub ties: u64,
}

fn count(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

impl Store {
    /// The tallies of a region (the whole country when `None`) in one wave under one rule set.
    /// Reads the region's own rows of `tally_region_type` (for the country, the 38 provinces')
    /// and one row per village holding groups; never a group row.
    pub async fn profile_tallies(
        &self,
        wave: &str,
        rules: &str,
        region: Option<&RegionCode>,
    ) -> Result<ProfileTallies, StoreError> {
        let tree = RegionTree::official();
        let (lo, hi) = bounds(region);
        let cols: String = std::iter::once("recorded")
            .chain(Tally::COLUMNS.iter().copied())
            .collect::<Vec<_>>()
            .join(", ");
        // A region's own rows; for the country, the 38 provinces' rows (a seek each, where a
        // range over every region would read all of them).
        let own: Vec<String> = match region {
            Some(r) => vec![r.as_str().to_string()],
            None => tree
                .provinces()
                .iter()
                .map(|p| p.code.as_str().to_string())
                .collect(),
        };
        let type_sql = format!(
            "SELECT group_type, {cols} FROM tally_region_type WHERE wave_id = $1 \
             AND rules_version = $2 AND region_code IN ({})",
            (3..own.len() + 3)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut out = ProfileTallies::default();
        let mut by_type: Vec<(GroupType, Tally)> = Vec::new();
        on_pool!(self.pool, p => {
            let mut q = sqlx::query(AssertSqlSafe(type_sql))
                .bind(wave.to_string())
                .bind(rules.to_string());
            for code in &own {
                q = q.bind(code.clone());
            }
            let rows = q.fetch_all(p).await?;
            for r in &rows {
                let code: &str = r.try_get(0)?;
                let t = GroupType::from_code(code)
                    .ok_or_else(|| StoreError::corrupt("group type", code))?;
                let mut c = [0u64; WIDTH];
                for (i, x) in c.iter_mut().enumerate() {
                    *x = count(r.try_get::<i64, _>(i + 1)?);
                }
                out.recorded += c[0];
                let tally = Tally::from_slice(&c[1..])
                    .ok_or_else(|| StoreError::corrupt("tally", code))?;
                match by_type.iter_mut().find(|(k, _)| *k == t) {
                    Some((_, x)) => x.add(&tally),
                    None => by_type.push((t, tally)),
                }
            }
        });
        by_type.sort_by_key(|(k, _)| *k);
        out.total = by_type.iter().map(|(_, t)| t).sum();
        out.by_type = by_type;

        let tree_villages: &'static [wahana_domain::Region] = match region {
            Some(r) => tree.villages_under(r).as_slice(),
            None => tree.at_level(Level::Village),
        };
        out.villages_in_region = tree_villages.len() as u64;
        // One text value for all the villages: `code,recorded,groups,...;code,...`. With one
        // row per village, sqlx's cost per value (about a microsecond) would dominate the
        // national profile; the aggregate costs SQLite about 50 ms for 83,762 villages.
        let village_sql = "SELECT string_agg(format('%s,%s,%s,%s,%s,%s,%s,%s,%s', village_code, \
             recorded, groups, age_10_19 + age_20_plus, asal_tumbuh_masyarakat, dasar_domisili, \
             resilience_or_welfare, dana_iuran_anggota, core_values), ';') FROM tally_village \
             WHERE wave_id = $1 AND rules_version = $2 AND village_code >= $3 AND village_code < $4 \
             AND recorded > 0";
        let packed: Option<String> = on_pool!(self.pool, p => {
            sqlx::query_scalar(village_sql)
                .bind(wave.to_string())
                .bind(rules.to_string())
                .bind(lo.clone())
                .bind(hi.clone())
                .fetch_one(p)
                .await?
        });
        let packed = packed.unwrap_or_default();
        let mut rows: Vec<(&str, [u64; 8])> = Vec::new();
        for line in packed.split(';').filter(|l| !l.is_empty()) {
            let mut parts = line.split(',');
            let code = parts.next().unwrap_or_default();
            let mut c = [0u64; 8];
            for x in c.iter_mut() {
                let part = parts.next().unwrap_or_default();
                *x = part
                    .parse::<i64>()
                    .map(count)
                    .map_err(|_| StoreError::corrupt("village tally", line))?;
            }
            rows.push((code, c));
        }
        if !rows.is_sorted_by(|a, b| a.0 <= b.0) {
            rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        }
        // A merge with the tree's villages of the region (both in code order) gives each its
        // name without a lookup or a copy.
        let mut in_tree = tree_villages.iter().peekable();
        let mut villages = Vec::with_capacity(rows.len());
        for (code, c) in rows {
            while in_tree.next_if(|v| v.code.as_str() < code).is_some() {}
            let (code, name) = match in_tree.next_if(|v| v.code.as_str() == code) {
                Some(v) => (Cow::Borrowed(v.code.as_str()), v.name.as_str()),
                None => (Cow::Owned(code.to_string()), "?"),
            };
            villages.push(VillageTally {
                code,
                name,
                recorded: c[0],
                qualifying: BriefTally {
                    groups: c[1],
                    older_10: c[2],
                    grown_from_community: c[3],
                    domicile: c[4],
                    resilience_or_welfare: c[5],
                    dues_any: c[6],
                    core_values: c[7],
                },
            });
        }
        out.villages = villages;
        Ok(out)
    }

    /// Whether a wave holds groups in a region (the whole country when `None`). Answered from
    /// the tallies when the wave is screened under `rules`, else from the group rows.
    pub async fn wave_holds_groups(
        &self,
        wave: &str,
        rules: &str,
        region: Option<&RegionCode>,
    ) -> Result<bool, StoreError> {
        let (lo, hi) = bounds(region);
        let screened = self.is_screened(wave, rules).await?;
        let n: i64 = on_pool!(self.pool, p => {
            if screened {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM tally_village WHERE wave_id = $1 \
                     AND rules_version = $2 AND village_code >= $3 AND village_code < $4 LIMIT 1) x",
                )
                .bind(wave.to_string())
                .bind(rules.to_string())
                .bind(lo.clone())
                .bind(hi.clone())
                .fetch_one(p)
                .await?
            } else {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM groups WHERE wave_id = $1 \
                     AND village_code >= $2 AND village_code < $3 LIMIT 1) x",
                )
                .bind(wave.to_string())
                .bind(lo.clone())
                .bind(hi.clone())
                .fetch_one(p)
                .await?
            }
        });
        Ok(n > 0)
    }

    /// Networks, institutions and ties of a region (the whole country when `None`) in a wave:
    /// one row of `tally_actors` (`actor_tally.rs`), whatever the region's size.
    pub async fn actor_counts(
        &self,
        wave: &str,
        region: Option<&RegionCode>,
    ) -> Result<ActorCounts, StoreError> {
        let [networks, institutions, ties] = self.actor_tally(wave, region).await?;
        Ok(ActorCounts {
            networks: count(networks),
            institutions: count(institutions),
            ties: count(ties),
        })
    }
}
