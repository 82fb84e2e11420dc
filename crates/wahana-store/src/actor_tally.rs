//! Counts of networks, institutions and ties per (wave, region), kept current by every write
//! in its transaction, so that a profile, a region page or the API answers them from one row
//! (`tally_actors`, migration `0009_actor_tallies`) whatever the region's size.
//!
//! A network counts in its village and the regions above it; an institution in its own region
//! and those above; a tie in every region holding one of its ends (an end's region is its
//! entity's, `actors.region_code`), once where both ends share it; all of them in the country's
//! row (`region_code` ''). Writes gather deltas in the batch ([`ActorDeltas`]) and
//! [`crate::Batch::commit`] adds them, in key order (two writers on PostgreSQL take the rows'
//! locks in the same order). The writes that cannot know their rows' regions beforehand take
//! the rows' contributions away before and add them after ([`crate::Batch::retally_ties`],
//! [`crate::Batch::retally_observations`]). [`ACTOR_RECOUNT_SQL`] counts the same from scratch
//! (the migration's fill, and the tests' check).

use crate::ids::ActorKind;
use crate::{Store, StoreError, on_pool};
use std::collections::{BTreeMap, HashMap};
use wahana_domain::RegionCode;

/// The lengths of a province's, a regency's, a district's and a village's code
/// (`73`, `73.08`, `73.08.21`, `73.08.21.1001`).
const LEVEL_LENGTHS: [usize; 4] = [2, 5, 8, 13];

/// The codes of a region and the regions above it (not the country).
fn prefixes(code: &str) -> impl Iterator<Item = &str> {
    LEVEL_LENGTHS
        .iter()
        .filter(move |&&l| code.len() >= l && code.is_char_boundary(l))
        .map(move |&l| &code[..l])
}

/// The three counts of a row: networks, institutions, ties.
pub(crate) type ActorCounts3 = [i64; 3];

const TIE: usize = 2;

fn column(kind: ActorKind) -> Option<usize> {
    match kind {
        ActorKind::Network => Some(0),
        ActorKind::Institution => Some(1),
        ActorKind::Group => None,
    }
}

/// Deltas not written yet, per wave and region code.
#[derive(Default, Debug)]
pub(crate) struct ActorDeltas {
    waves: HashMap<String, HashMap<String, ActorCounts3>>,
}

impl ActorDeltas {
    fn bump(&mut self, wave: &str, region: &str, col: usize, sign: i64) {
        let regions = match self.waves.get_mut(wave) {
            Some(r) => r,
            None => self.waves.entry(wave.to_string()).or_default(),
        };
        let counts = match regions.get_mut(region) {
            Some(c) => c,
            None => regions.entry(region.to_string()).or_default(),
        };
        counts[col] += sign;
    }

    /// A network's or an institution's observation in `wave`, in `region`, added (`sign` 1)
    /// or taken away (-1). Groups are counted by the groups' tallies (`tally.rs`).
    pub(crate) fn add_observation(&mut self, wave: &str, kind: ActorKind, region: &str, sign: i64) {
        let Some(col) = column(kind) else {
            return;
        };
        self.bump(wave, "", col, sign);
        for p in prefixes(region) {
            self.bump(wave, p, col, sign);
        }
    }

    /// A tie of `wave` between actors of `from` and `to`, added or taken away.
    pub(crate) fn add_tie(&mut self, wave: &str, from: &str, to: &str, sign: i64) {
        self.bump(wave, "", TIE, sign);
        for p in prefixes(from) {
            self.bump(wave, p, TIE, sign);
        }
        for p in prefixes(to) {
            if !prefixes(from).any(|q| q == p) {
                self.bump(wave, p, TIE, sign);
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.waves.is_empty()
    }

    /// Drops the deltas of a wave deleted in the batch (its rows are gone with it).
    pub(crate) fn forget_wave(&mut self, wave: &str) {
        self.waves.remove(wave);
    }

    /// The non-zero deltas in key order.
    pub(crate) fn sorted(&self) -> Vec<(&str, &str, ActorCounts3)> {
        let mut out: Vec<(&str, &str, ActorCounts3)> = self
            .waves
            .iter()
            .flat_map(|(w, regions)| {
                regions
                    .iter()
                    .filter(|(_, c)| c.iter().any(|x| *x != 0))
                    .map(move |(r, c)| (w.as_str(), r.as_str(), *c))
            })
            .collect();
        out.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        out
    }
}

/// The start of the upsert that adds deltas (`VALUES` follow).
pub(crate) const ACTOR_TALLY_INSERT: &str =
    "INSERT INTO tally_actors (wave_id, region_code, networks, institutions, ties) ";
/// Its end: the counts add up.
pub(crate) const ACTOR_TALLY_UPSERT: &str = " ON CONFLICT (wave_id, region_code) DO UPDATE SET \
    networks = tally_actors.networks + excluded.networks, \
    institutions = tally_actors.institutions + excluded.institutions, \
    ties = tally_actors.ties + excluded.ties";

/// Every wave's counts from scratch: `wave_id, region_code, networks, institutions, ties`.
pub const ACTOR_RECOUNT_SQL: &str = "SELECT wave_id, region_code, SUM(n) AS networks, SUM(i) AS institutions, SUM(t) AS ties FROM ( \
    SELECT wave_id, '' AS region_code, 1 AS n, 0 AS i, 0 AS t FROM networks \
    UNION ALL SELECT wave_id, substr(village_code, 1, 2), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 2 \
    UNION ALL SELECT wave_id, substr(village_code, 1, 5), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 5 \
    UNION ALL SELECT wave_id, substr(village_code, 1, 8), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 8 \
    UNION ALL SELECT wave_id, substr(village_code, 1, 13), 1 AS n, 0 AS i, 0 AS t FROM networks WHERE length(village_code) >= 13 \
    UNION ALL SELECT wave_id, '' AS region_code, 0 AS n, 1 AS i, 0 AS t FROM institutions \
    UNION ALL SELECT wave_id, substr(region_code, 1, 2), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 2 \
    UNION ALL SELECT wave_id, substr(region_code, 1, 5), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 5 \
    UNION ALL SELECT wave_id, substr(region_code, 1, 8), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 8 \
    UNION ALL SELECT wave_id, substr(region_code, 1, 13), 0 AS n, 1 AS i, 0 AS t FROM institutions WHERE length(region_code) >= 13 \
    UNION ALL SELECT t.wave_id, '', 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id \
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 2), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 2 \
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 2), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 2 AND (length(f.region_code) < 2 OR substr(f.region_code, 1, 2) <> substr(o.region_code, 1, 2)) \
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 5), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 5 \
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 5), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 5 AND (length(f.region_code) < 5 OR substr(f.region_code, 1, 5) <> substr(o.region_code, 1, 5)) \
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 8), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 8 \
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 8), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 8 AND (length(f.region_code) < 8 OR substr(f.region_code, 1, 8) <> substr(o.region_code, 1, 8)) \
    UNION ALL SELECT t.wave_id, substr(f.region_code, 1, 13), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(f.region_code) >= 13 \
    UNION ALL SELECT t.wave_id, substr(o.region_code, 1, 13), 0, 0, 1 FROM ties t JOIN actors f ON f.id = t.from_id JOIN actors o ON o.id = t.to_id WHERE length(o.region_code) >= 13 AND (length(f.region_code) < 13 OR substr(f.region_code, 1, 13) <> substr(o.region_code, 1, 13)) \
) x GROUP BY wave_id, region_code";

/// A wave's counts per region code (`''` the country), rows of zeros left out.
pub type ActorTallies = BTreeMap<String, [i64; 3]>;

fn collect(rows: Vec<(String, i64, i64, i64)>) -> ActorTallies {
    rows.into_iter()
        .filter(|(_, n, i, t)| (*n, *i, *t) != (0, 0, 0))
        .map(|(r, n, i, t)| (r, [n, i, t]))
        .collect()
}

impl Store {
    /// The counts a wave's tallies hold, per region.
    pub async fn actor_tallies(&self, wave: &str) -> Result<ActorTallies, StoreError> {
        let rows: Vec<(String, i64, i64, i64)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT region_code, networks, institutions, ties FROM tally_actors \
                 WHERE wave_id = $1",
            )
            .bind(wave.to_string())
            .fetch_all(p)
            .await?
        });
        Ok(collect(rows))
    }

    /// The same counts from the rows themselves (for checks: they must equal
    /// [`Store::actor_tallies`]).
    pub async fn recount_actor_tallies(&self, wave: &str) -> Result<ActorTallies, StoreError> {
        let sql = format!(
            "SELECT region_code, CAST(networks AS BIGINT), CAST(institutions AS BIGINT), \
             CAST(ties AS BIGINT) FROM ({}) r WHERE wave_id = $1",
            ACTOR_RECOUNT_SQL
        );
        let rows: Vec<(String, i64, i64, i64)> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(wave.to_string())
                .fetch_all(p)
                .await?
        });
        Ok(collect(rows))
    }

    /// The counts of one region (the country when `None`) in a wave: one row read.
    pub(crate) async fn actor_tally(
        &self,
        wave: &str,
        region: Option<&RegionCode>,
    ) -> Result<ActorCounts3, StoreError> {
        let code = region.map(|r| r.as_str()).unwrap_or("").to_string();
        let row: Option<(i64, i64, i64)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT networks, institutions, ties FROM tally_actors \
                 WHERE wave_id = $1 AND region_code = $2",
            )
            .bind(wave.to_string())
            .bind(code.clone())
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(|(n, i, t)| [n, i, t]).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tie_counts_once_where_its_ends_meet() {
        let mut d = ActorDeltas::default();
        d.add_tie("w", "73.08.21.1001", "73.08.21.1002", 1);
        let got: Vec<(&str, i64)> = d.sorted().iter().map(|(_, r, c)| (*r, c[TIE])).collect();
        assert_eq!(
            got,
            [
                ("", 1),
                ("73", 1),
                ("73.08", 1),
                ("73.08.21", 1),
                ("73.08.21.1001", 1),
                ("73.08.21.1002", 1)
            ]
        );
        // Within one village, and to a regency's institution.
        let mut d = ActorDeltas::default();
        d.add_tie("w", "73.08.21.1001", "73.08.21.1001", 1);
        d.add_tie("w", "73.08", "73.08.21.1001", 1);
        let got: Vec<(&str, i64)> = d.sorted().iter().map(|(_, r, c)| (*r, c[TIE])).collect();
        assert_eq!(
            got,
            [
                ("", 2),
                ("73", 2),
                ("73.08", 2),
                ("73.08.21", 2),
                ("73.08.21.1001", 2)
            ]
        );
        // Taken away again: nothing left to write.
        d.add_tie("w", "73.08", "73.08.21.1001", -1);
        d.add_tie("w", "73.08.21.1001", "73.08.21.1001", -1);
        assert!(d.sorted().is_empty());
    }

    #[test]
    fn an_institution_counts_in_its_region_and_above() {
        let mut d = ActorDeltas::default();
        d.add_observation("w", ActorKind::Institution, "73.08", 1);
        d.add_observation("w", ActorKind::Network, "73.08.21.1001", 1);
        d.add_observation("w", ActorKind::Group, "73.08.21.1001", 1);
        let got: Vec<(&str, ActorCounts3)> = d.sorted().iter().map(|(_, r, c)| (*r, *c)).collect();
        assert_eq!(
            got,
            [
                ("", [1, 1, 0]),
                ("73", [1, 1, 0]),
                ("73.08", [1, 1, 0]),
                ("73.08.21", [1, 0, 0]),
                ("73.08.21.1001", [1, 0, 0])
            ]
        );
    }
}
