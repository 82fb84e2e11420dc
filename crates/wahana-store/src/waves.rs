//! Waves (*pendataan*) as things people manage: created on purpose, edited, closed (read-only)
//! and reopened, deleted only when empty unless the deletion of everything in them is
//! confirmed; what each holds; and which wave a region is shown in by default.
//!
//! Each change writes its audit entry (`pendataan`) in its own transaction. What a wave holds is
//! read from the tallies (`tally_village`, one row per village holding groups of the wave, its
//! `recorded` column counting them), never from the group rows, except for a wave holding
//! groups that was never screened (no rule set registered), which is counted from its rows.

use crate::audit::AuditChange;
use crate::batch::{DELETE_UNOBSERVED_ACTORS, DELETE_WAVE_GROUPS, DELETE_WAVE_SQL};
use crate::regions::bounds;
use crate::rows::{WAVE_SELECT, WaveRow};
use crate::{Batch, Refusal, Store, StoreError, on_pool};
use serde::Serialize;
use sqlx::AssertSqlSafe;
use wahana_domain::{RegionCode, Wave};

/// What a wave holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WaveContents {
    /// Observations of groups.
    pub groups: u64,
    /// Villages (desa/kelurahan) holding at least one of them.
    pub villages: u64,
    pub networks: u64,
    pub institutions: u64,
    pub ties: u64,
}

impl WaveContents {
    /// Holds no observation of any kind.
    pub fn is_empty(&self) -> bool {
        self.groups == 0 && self.networks == 0 && self.institutions == 0 && self.ties == 0
    }
}

/// The latest wave first: by its date (end, else start; undated last), then by id.
const LATEST_FIRST: &str = " ORDER BY COALESCE(end_date, start_date, '') DESC, id DESC";

/// Waves holding observations of groups in the code range `[$1, $2)`: a row of the wave's
/// village tallies in the range, or, for a wave never screened, a group row there.
/// (The rule sets are named so that the village range is a range of the tallies' primary key:
/// without them the query read every village row of the wave.)
const HOLDING_IN_RANGE: &str = " WHERE EXISTS (SELECT 1 FROM tally_village t \
    WHERE t.wave_id = waves.id \
    AND t.rules_version IN (SELECT r.rules_version FROM wave_rules r WHERE r.wave_id = waves.id) \
    AND t.village_code >= $1 AND t.village_code < $2 AND t.recorded > 0) \
    OR (NOT EXISTS (SELECT 1 FROM wave_rules r WHERE r.wave_id = waves.id) \
    AND EXISTS (SELECT 1 FROM groups g WHERE g.wave_id = waves.id \
    AND g.village_code >= $1 AND g.village_code < $2))";

/// What [`WaveContents`] is read from, in its field order (`$1` the wave): the groups and
/// villages from the tallies of the first rule set the wave is kept under, the networks,
/// institutions and ties from the country's row of `tally_actors` (`actor_tally.rs`).
const CONTENTS_SQL: [&str; 5] = [
    "SELECT CAST(COALESCE(SUM(recorded), 0) AS BIGINT) FROM tally_village WHERE wave_id = $1 \
     AND rules_version = (SELECT MIN(rules_version) FROM wave_rules WHERE wave_id = $1)",
    "SELECT COUNT(*) FROM tally_village WHERE wave_id = $1 AND recorded > 0 \
     AND rules_version = (SELECT MIN(rules_version) FROM wave_rules WHERE wave_id = $1)",
    "SELECT COALESCE(MAX(networks), 0) FROM tally_actors WHERE wave_id = $1 AND region_code = ''",
    "SELECT COALESCE(MAX(institutions), 0) FROM tally_actors WHERE wave_id = $1 AND region_code = ''",
    "SELECT COALESCE(MAX(ties), 0) FROM tally_actors WHERE wave_id = $1 AND region_code = ''",
];
/// Whether the wave is kept in tallies at all.
const SCREENED_SQL: &str = "SELECT COUNT(*) FROM wave_rules WHERE wave_id = $1";
/// A wave never screened: its groups and villages from its rows.
const UNSCREENED_SQL: [&str; 2] = [
    "SELECT COUNT(*) FROM groups WHERE wave_id = $1",
    "SELECT COUNT(DISTINCT village_code) FROM groups WHERE wave_id = $1",
];

fn count(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

fn contents_of(n: [i64; 5], unscreened: Option<[i64; 2]>) -> WaveContents {
    let (groups, villages) = match unscreened {
        Some([g, v]) => (g, v),
        None => (n[0], n[1]),
    };
    WaveContents {
        groups: count(groups),
        villages: count(villages),
        networks: count(n[2]),
        institutions: count(n[3]),
        ties: count(n[4]),
    }
}

impl Batch {
    /// What a wave holds, as this transaction sees it.
    async fn wave_contents(&mut self, id: &str) -> Result<WaveContents, StoreError> {
        let mut n = [0i64; 5];
        for (x, sql) in n.iter_mut().zip(CONTENTS_SQL) {
            *x = self.fetch_i64(sql, vec![id.into()]).await?.unwrap_or(0);
        }
        let screened = self
            .fetch_i64(SCREENED_SQL, vec![id.into()])
            .await?
            .unwrap_or(0)
            > 0;
        let unscreened = if screened {
            None
        } else {
            let mut u = [0i64; 2];
            for (x, sql) in u.iter_mut().zip(UNSCREENED_SQL) {
                *x = self.fetch_i64(sql, vec![id.into()]).await?.unwrap_or(0);
            }
            Some(u)
        };
        Ok(contents_of(n, unscreened))
    }
}

impl Store {
    /// Creates a wave, or updates the one with the same id.
    pub async fn save_wave(&self, wave: &Wave) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        batch.save_wave(wave).await?;
        batch.commit().await
    }

    pub async fn wave(&self, id: &str) -> Result<Option<Wave>, StoreError> {
        let row: Option<WaveRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!("{WAVE_SELECT} WHERE id = $1")))
                .bind(id.to_string())
                .fetch_optional(p)
                .await?
        });
        row.map(WaveRow::into_domain).transpose()
    }

    /// All waves, the latest first.
    pub async fn waves(&self) -> Result<Vec<Wave>, StoreError> {
        let rows: Vec<WaveRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{WAVE_SELECT} ORDER BY COALESCE(end_date, start_date, '') DESC, id"
            )))
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(WaveRow::into_domain).collect()
    }

    /// Deletes a wave and everything recorded in it. Returns the number of groups removed.
    pub async fn delete_wave(&self, id: &str) -> Result<u64, StoreError> {
        let n = on_pool!(self.pool, p => {
            let mut tx = p.begin().await?;
            let mut groups = 0;
            for sql in DELETE_WAVE_SQL {
                let n = sqlx::query(sql)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if sql == DELETE_WAVE_GROUPS {
                    groups = n;
                }
            }
            sqlx::query(DELETE_UNOBSERVED_ACTORS).execute(&mut *tx).await?;
            tx.commit().await?;
            groups
        });
        Ok(n)
    }

    /// Creates a wave, made by `actor`, with its audit entry. An id already held is refused
    /// (`wave_exists`): a wave is never replaced by creating another.
    pub async fn create_wave(&self, wave: &Wave, actor: &str) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        let held = batch
            .fetch_i64(
                "SELECT COUNT(*) FROM waves WHERE id = $1",
                vec![wave.id.as_str().into()],
            )
            .await?
            .unwrap_or(0);
        if held > 0 {
            batch.rollback().await?;
            return Err(Refusal::WaveExists {
                wave: wave.id.clone(),
            }
            .into());
        }
        batch.save_wave(wave).await?;
        let change = AuditChange::new(actor, "create", "pendataan", &wave.id)
            .region(wave.region.as_ref().map(RegionCode::as_str))
            .after(wave);
        batch.write_audit(&change).await?;
        batch.commit().await
    }

    /// Replaces the descriptive fields of a wave (name, region, dates, source, method, who ran
    /// it, synthetic, enumerators), made by `actor`, with its audit entry. Whether it is closed
    /// is not changed here ([`Store::set_wave_closed`]); a closed wave is refused
    /// (`WaveClosed`: reopen it first). Returns the wave as held.
    pub async fn update_wave(&self, wave: &Wave, actor: &str) -> Result<Wave, StoreError> {
        let before = self
            .wave(&wave.id)
            .await?
            .ok_or_else(|| wave_not_found(&wave.id))?;
        let mut batch = self.begin().await?;
        batch.ensure_open(&wave.id).await?;
        let after = Wave {
            closed: false,
            ..wave.clone()
        };
        batch.save_wave(&after).await?;
        let change = AuditChange::new(actor, "update", "pendataan", &wave.id)
            .region(
                after
                    .region
                    .as_ref()
                    .or(before.region.as_ref())
                    .map(RegionCode::as_str),
            )
            .before(&before)
            .after(&after);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(after)
    }

    /// Closes a wave (every write into it is then refused, `WaveClosed`) or reopens it, made by
    /// `actor`, with its audit entry. A wave already so is left as it is (no entry). Returns
    /// the wave as held.
    pub async fn set_wave_closed(
        &self,
        id: &str,
        closed: bool,
        actor: &str,
    ) -> Result<Wave, StoreError> {
        let before = self.wave(id).await?.ok_or_else(|| wave_not_found(id))?;
        if before.closed == closed {
            return Ok(before);
        }
        let after = Wave {
            closed,
            ..before.clone()
        };
        let mut batch = self.begin().await?;
        let status = if closed { "closed" } else { "open" };
        let n = batch
            .execute(
                "UPDATE waves SET status = $2 WHERE id = $1",
                vec![id.into(), status.into()],
            )
            .await?;
        if n == 0 {
            batch.rollback().await?;
            return Err(wave_not_found(id));
        }
        let change = AuditChange::new(actor, "update", "pendataan", id)
            .region(before.region.as_ref().map(RegionCode::as_str))
            .before(&before)
            .after(&after);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(after)
    }

    /// Deletes a wave, made by `actor`, with its audit entry. A wave holding observations of
    /// groups, networks, institutions or ties is refused (`wave_not_empty`, with what it
    /// holds) unless `force`: then the wave and everything of it (observations, ties, links,
    /// tallies; entities no other wave observes, with their members) go in one transaction.
    /// A closed wave is refused (`WaveClosed`: reopen it first). Returns what was deleted.
    pub async fn delete_wave_checked(
        &self,
        id: &str,
        force: bool,
        actor: &str,
    ) -> Result<WaveContents, StoreError> {
        let before = self.wave(id).await?.ok_or_else(|| wave_not_found(id))?;
        let mut batch = self.begin().await?;
        batch.ensure_open(id).await?;
        let contents = batch.wave_contents(id).await?;
        if !contents.is_empty() && !force {
            batch.rollback().await?;
            return Err(Refusal::WaveNotEmpty {
                wave: id.to_string(),
                contents,
            }
            .into());
        }
        batch.delete_wave(id).await?;
        let change = AuditChange::new(actor, "delete", "pendataan", id)
            .region(before.region.as_ref().map(RegionCode::as_str))
            .before(&before);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(contents)
    }

    /// What a wave holds: groups and villages from its tallies, networks, institutions and
    /// ties counted.
    pub async fn wave_contents(&self, id: &str) -> Result<WaveContents, StoreError> {
        let mut n = [0i64; 5];
        let screened: i64;
        let mut u = [0i64; 2];
        on_pool!(self.pool, p => {
            for (x, sql) in n.iter_mut().zip(CONTENTS_SQL) {
                *x = sqlx::query_scalar(sql).bind(id.to_string()).fetch_one(p).await?;
            }
            screened = sqlx::query_scalar(SCREENED_SQL)
                .bind(id.to_string())
                .fetch_one(p)
                .await?;
            if screened == 0 {
                for (x, sql) in u.iter_mut().zip(UNSCREENED_SQL) {
                    *x = sqlx::query_scalar(sql).bind(id.to_string()).fetch_one(p).await?;
                }
            }
        });
        Ok(contents_of(n, (screened == 0).then_some(u)))
    }

    /// Every wave, the latest first (by date, end else start, then id), with what it holds.
    pub async fn wave_summaries(&self) -> Result<Vec<(Wave, WaveContents)>, StoreError> {
        let mut out = Vec::new();
        for w in self.waves_latest_first().await? {
            let c = self.wave_contents(&w.id).await?;
            out.push((w, c));
        }
        Ok(out)
    }

    /// Every wave, the latest first (by date, end else start, then id).
    pub async fn waves_latest_first(&self) -> Result<Vec<Wave>, StoreError> {
        let rows: Vec<WaveRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!("{WAVE_SELECT}{LATEST_FIRST}")))
                .fetch_all(p)
                .await?
        });
        rows.into_iter().map(WaveRow::into_domain).collect()
    }

    /// The waves holding observations of groups in a region (the whole country when `None`),
    /// the latest first: read from the village tallies of the region's code range.
    pub async fn waves_holding(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<Vec<Wave>, StoreError> {
        let (lo, hi) = bounds(region);
        let rows: Vec<WaveRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{WAVE_SELECT}{HOLDING_IN_RANGE}{LATEST_FIRST}"
            )))
            .bind(lo.clone())
            .bind(hi.clone())
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(WaveRow::into_domain).collect()
    }

    /// The wave a region is shown in when none is named: the latest (by date, end else start,
    /// then id) holding observations of the region's groups; `None` when no wave does. Never
    /// "the wave of the last edit": adding to an older wave does not change it.
    pub async fn default_wave(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<Option<Wave>, StoreError> {
        Ok(self.waves_holding(region).await?.into_iter().next())
    }

    /// The wave a new record of a region goes into when none is named: the latest open wave
    /// holding observations of the region's groups, else the latest open wave at all; `None`
    /// when no wave is open (a wave is then to be created on purpose).
    pub async fn latest_open_wave(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<Option<Wave>, StoreError> {
        if let Some(w) = self
            .waves_holding(region)
            .await?
            .into_iter()
            .find(|w| !w.closed)
        {
            return Ok(Some(w));
        }
        Ok(self
            .waves_latest_first()
            .await?
            .into_iter()
            .find(|w| !w.closed))
    }
}

fn wave_not_found(id: &str) -> StoreError {
    StoreError::NotFound {
        kind: "pendataan",
        id: id.to_string(),
    }
}
