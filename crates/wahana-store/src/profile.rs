//! What a profile reads: the tallies of one region, one wave and one rule set, never the group
//! rows (see `tally.rs`), and the counts of networks, institutions and ties beside them.

use crate::regions::bounds;
use crate::tally::WIDTH;
use crate::{Store, StoreError, on_pool};
use serde::Serialize;
use sqlx::AssertSqlSafe;
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

/// Everything a profile reads from the store, read in one statement (see
/// [`Store::profile_read`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileRead {
    pub tallies: ProfileTallies,
    pub actors: ActorCounts,
    /// The rule set's TOML text, as registered.
    pub rules_text: String,
}

/// The statement of [`Store::profile_read`], with `own` placeholders for the region's own rows
/// of `tally_region_type` (`$6` on). Scalar subqueries, so one round trip answers it: whether
/// the pair is screened, the rule set's text, the rows by type packed as
/// `type,recorded,c1,...;type,...`, the villages packed as `code,recorded,...;code,...` (with one
/// row per village, a driver's cost per value, about a microsecond, would dominate the national
/// profile), and the networks, institutions and ties. `concat_ws`, not `||`: PostgreSQL plans
/// this statement afresh on every execution (a custom plan for its range), and resolving fifty
/// `bigint || text` operators took 0.6 ms of planning each time, six times the execution.
fn profile_sql(own: usize) -> String {
    let type_cols: String = std::iter::once("group_type")
        .chain(std::iter::once("recorded"))
        .chain(Tally::COLUMNS.iter().copied())
        .collect::<Vec<_>>()
        .join(", ");
    let own: String = (6..own + 6)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT \
         (SELECT COUNT(*) FROM wave_rules WHERE wave_id = $1 AND rules_version = $2), \
         (SELECT toml FROM rule_sets WHERE version = $2), \
         (SELECT string_agg(concat_ws(',', {type_cols}), ';') FROM tally_region_type WHERE wave_id = $1 \
          AND rules_version = $2 AND region_code IN ({own})), \
         (SELECT string_agg(concat_ws(',', village_code, recorded, groups, \
          age_10_19 + age_20_plus, asal_tumbuh_masyarakat, dasar_domisili, \
          resilience_or_welfare, dana_iuran_anggota, core_values), ';') \
          FROM tally_village WHERE wave_id = $1 AND rules_version = $2 \
          AND village_code >= $3 AND village_code < $4 AND recorded > 0), \
         (SELECT concat_ws(',', region_code, networks, institutions, ties) FROM tally_actors \
          WHERE wave_id = $1 AND region_code = $5)"
    )
}

/// The numbers of a packed line, after its first field.
fn numbers<'a, const N: usize>(
    line: &'a str,
    what: &'static str,
) -> Result<(&'a str, [u64; N]), StoreError> {
    let mut parts = line.split(',');
    let first = parts.next().unwrap_or_default();
    let mut c = [0u64; N];
    for x in c.iter_mut() {
        *x = parts
            .next()
            .and_then(|p| p.parse::<i64>().ok())
            .map(count)
            .ok_or_else(|| StoreError::corrupt(what, line))?;
    }
    Ok((first, c))
}

impl Store {
    /// The tallies of a region (the whole country when `None`) in one wave under one rule set
    /// (see [`Store::profile_read`]); empty when the pair was never screened.
    pub async fn profile_tallies(
        &self,
        wave: &str,
        rules: &str,
        region: Option<&RegionCode>,
    ) -> Result<ProfileTallies, StoreError> {
        Ok(self
            .profile_read(wave, rules, region)
            .await?
            .map(|r| r.tallies)
            .unwrap_or_default())
    }

    /// What a profile of a region (the whole country when `None`) in one wave under one rule
    /// set reads, in one statement (one round trip on PostgreSQL): the region's own rows of
    /// `tally_region_type` (for the country, the 38 provinces'), one row per village holding
    /// groups, the region's row of `tally_actors` and the rule set's text; never a group row.
    /// `None` when the wave was never screened under the rule set (its tallies are not kept).
    pub async fn profile_read(
        &self,
        wave: &str,
        rules: &str,
        region: Option<&RegionCode>,
    ) -> Result<Option<ProfileRead>, StoreError> {
        static ONE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        static PROVINCES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let tree = RegionTree::official();
        let (lo, hi) = bounds(region);
        // A region's own rows; for the country, the 38 provinces' rows (a seek each, where a
        // range over every region would read all of them).
        let own: Vec<&str> = match region {
            Some(r) => vec![r.as_str()],
            None => tree.provinces().iter().map(|p| p.code.as_str()).collect(),
        };
        let sql = match region {
            Some(_) => ONE.get_or_init(|| profile_sql(1)),
            None => PROVINCES.get_or_init(|| profile_sql(tree.provinces().len())),
        };
        let actor_region = region.map(|r| r.as_str()).unwrap_or("").to_string();
        type Packed = (
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let (screened, toml, types, packed, actors): Packed = on_pool!(self.pool, p => {
            let mut q = sqlx::query_as(AssertSqlSafe(sql.as_str()))
                .bind(wave.to_string())
                .bind(rules.to_string())
                .bind(lo.clone())
                .bind(hi.clone())
                .bind(actor_region.clone());
            for code in &own {
                q = q.bind(code.to_string());
            }
            q.fetch_one(p).await?
        });
        if screened == 0 {
            return Ok(None);
        }
        let mut out = ProfileTallies::default();
        let mut by_type: Vec<(GroupType, Tally)> = Vec::new();
        for line in types
            .as_deref()
            .unwrap_or_default()
            .split(';')
            .filter(|l| !l.is_empty())
        {
            let (code, c) = numbers::<WIDTH>(line, "tally")?;
            let t = GroupType::from_code(code)
                .ok_or_else(|| StoreError::corrupt("group type", code))?;
            out.recorded += c[0];
            let tally =
                Tally::from_slice(&c[1..]).ok_or_else(|| StoreError::corrupt("tally", line))?;
            match by_type.iter_mut().find(|(k, _)| *k == t) {
                Some((_, x)) => x.add(&tally),
                None => by_type.push((t, tally)),
            }
        }
        by_type.sort_by_key(|(k, _)| *k);
        out.total = by_type.iter().map(|(_, t)| t).sum();
        out.by_type = by_type;

        let tree_villages: &'static [wahana_domain::Region] = match region {
            Some(r) => tree.villages_under(r).as_slice(),
            None => tree.at_level(Level::Village),
        };
        out.villages_in_region = tree_villages.len() as u64;
        let packed = packed.unwrap_or_default();
        let mut rows: Vec<(&str, [u64; 8])> = Vec::new();
        for line in packed.split(';').filter(|l| !l.is_empty()) {
            rows.push(numbers::<8>(line, "village tally")?);
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
        let actors = match actors.as_deref() {
            // The region's code first, as every packed line has a key before its numbers.
            Some(line) => {
                let (_, [networks, institutions, ties]) = numbers::<3>(line, "actor tally")?;
                ActorCounts {
                    networks,
                    institutions,
                    ties,
                }
            }
            None => ActorCounts::default(),
        };
        Ok(Some(ProfileRead {
            tallies: out,
            actors,
            rules_text: toml.unwrap_or_default(),
        }))
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
