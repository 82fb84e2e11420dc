//! Tallies kept current inside a batch: every write of groups takes the old rows'
//! contributions away and adds the new rows', in the same transaction (the tallies: `tally.rs`).

use super::{Batch, BatchTx};
use crate::StoreError;
use crate::columns::GROUP_SELECT;
use crate::rows::GroupRow;
use crate::sqlite_tx;
use crate::tally::{CHUNK, DEFAULT_RULES, DEFERRED_ENTRIES, Pending, flush_postgres, flush_sqlite};
use sqlx::QueryBuilder;
use std::collections::HashMap;
use std::sync::Arc;
use wahana_domain::Group;
use wahana_domain::screening::RuleSet;

/// What a write of groups needs to keep tallies current: the rule sets registered per wave
/// (read once per call) and the deltas so far.
#[derive(Default)]
pub(crate) struct TallyWork {
    rules: HashMap<String, Vec<Arc<RuleSet>>>,
    pending: Pending,
}

impl Batch {
    /// A rule set by version, from the cache or (parsed once) from this transaction.
    async fn load_rules(&mut self, version: &str) -> Result<Arc<RuleSet>, StoreError> {
        if let Some(r) = self.rules.get(version) {
            return Ok(r);
        }
        const SQL: &str = "SELECT toml FROM rule_sets WHERE version = $1";
        let text: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.first(SQL, vec![sqlite_tx::text(version)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(SQL)
                    .bind(version.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        let text = text.ok_or_else(|| StoreError::NotFound {
            kind: "aturan penyaringan",
            id: version.to_string(),
        })?;
        let parsed =
            RuleSet::parse(&text).map_err(|e| StoreError::corrupt("rule set", e.to_string()))?;
        Ok(self.rules.put(parsed))
    }

    /// The rule sets whose tallies are kept for a wave (cached for the call).
    async fn wave_rule_sets(
        &mut self,
        work: &mut TallyWork,
        wave: &str,
    ) -> Result<Vec<Arc<RuleSet>>, StoreError> {
        if let Some(r) = work.rules.get(wave) {
            return Ok(r.clone());
        }
        // SQLite: kept for the whole batch, which holds the write lock (see `Batch`).
        if let Some(r) = self.wave_rules.get(wave) {
            work.rules.insert(wave.to_string(), r.clone());
            return Ok(r.clone());
        }
        const SQL: &str =
            "SELECT rules_version FROM wave_rules WHERE wave_id = $1 ORDER BY rules_version";
        let versions: Vec<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.column(SQL, vec![sqlite_tx::text(wave)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(SQL)
                    .bind(wave.to_string())
                    .fetch_all(&mut **t)
                    .await?
            }
        };
        let mut out = Vec::with_capacity(versions.len());
        for v in versions {
            out.push(self.load_rules(&v).await?);
        }
        work.rules.insert(wave.to_string(), out.clone());
        if let BatchTx::Sqlite(_) = self.tx {
            self.wave_rules.insert(wave.to_string(), out.clone());
        }
        Ok(out)
    }

    /// Starts keeping tallies for a write into `wave`. A wave that holds no group yet and has no
    /// rule set registered gets the default one, so that its tallies grow from its first group;
    /// a wave that already holds groups without tallies is screened on demand instead
    /// ([`Store::screen_wave`]).
    pub(crate) async fn start_tallies(&mut self, wave: &str) -> Result<TallyWork, StoreError> {
        let mut work = TallyWork::default();
        if self.wave_rule_sets(&mut work, wave).await?.is_empty() {
            let now = self.now.clone();
            const SQL: &str = "INSERT INTO wave_rules (wave_id, rules_version, screened_at) \
                SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM groups WHERE wave_id = $1) \
                ON CONFLICT (wave_id, rules_version) DO NOTHING";
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let params = vec![
                        sqlite_tx::text(wave),
                        sqlite_tx::text(DEFAULT_RULES),
                        sqlite_tx::text(now),
                    ];
                    w.execute(SQL, params).await?;
                }
                BatchTx::Postgres(t) => {
                    sqlx::query(SQL)
                        .bind(wave.to_string())
                        .bind(DEFAULT_RULES)
                        .bind(now)
                        .execute(&mut **t)
                        .await?;
                }
            }
            work.rules.remove(wave);
            self.wave_rules.remove(wave);
            self.wave_rule_sets(&mut work, wave).await?;
        }
        Ok(work)
    }

    /// The observations in `wave` of the groups `ids`, as this transaction sees them. On
    /// PostgreSQL the rows are locked until the transaction ends, so that the contribution taken
    /// away is the one of the row replaced; SQLite needs no lock (one writer at a time).
    async fn held_groups(
        &mut self,
        wave: &str,
        ids: &[&str],
    ) -> Result<Vec<(Group, String)>, StoreError> {
        let mut out = Vec::new();
        if let BatchTx::Sqlite(w) = &mut self.tx {
            // One prepared primary-key lookup per id, all in one job.
            let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
            let wave = wave.to_string();
            let rows = w
                .call(move |c| {
                    let sql = format!("{GROUP_SELECT} WHERE id = $1 AND wave_id = $2");
                    let mut rows = Vec::new();
                    for id in ids {
                        let params = [
                            rusqlite::types::Value::Text(id),
                            rusqlite::types::Value::Text(wave.clone()),
                        ];
                        rows.extend(crate::columns::group_rows(c, &sql, &params)?);
                    }
                    Ok(rows)
                })
                .await?;
            for row in rows {
                let s = row.into_stored()?;
                out.push((s.group, s.wave_id));
            }
            return Ok(out);
        }
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(out);
        };
        for chunk in ids.chunks(CHUNK) {
            // A cheap look at the primary key first: imports of new ids find nothing here.
            let found: Vec<String> = {
                let mut qb = QueryBuilder::new("SELECT id FROM groups WHERE wave_id = ");
                qb.push_bind(wave.to_string()).push(" AND id IN (");
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(id.to_string());
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(&mut **t).await?
            };
            if found.is_empty() {
                continue;
            }
            let rows: Vec<GroupRow> = {
                let mut qb = QueryBuilder::new(format!("{GROUP_SELECT} WHERE wave_id = "));
                qb.push_bind(wave.to_string()).push(" AND id IN (");
                let mut sep = qb.separated(", ");
                for id in &found {
                    sep.push_bind(id.clone());
                }
                qb.push(") FOR UPDATE");
                qb.build_query_as().fetch_all(&mut **t).await?
            };
            for row in rows {
                let s = row.into_stored()?;
                out.push((s.group, s.wave_id));
            }
        }
        Ok(out)
    }

    /// Takes away the contributions of the observations in `wave` of the groups `ids` (before
    /// they are replaced or deleted).
    /// Returns how many of `ids` are observed there.
    pub(crate) async fn tally_remove(
        &mut self,
        work: &mut TallyWork,
        wave: &str,
        ids: &[&str],
    ) -> Result<usize, StoreError> {
        let held = self.held_groups(wave, ids).await?;
        let n = held.len();
        for (g, wave) in held {
            for rules in self.wave_rule_sets(work, &wave).await? {
                work.pending
                    .add(&wave, &rules.version, &g, rules.outcome(&g), -1);
            }
        }
        Ok(n)
    }

    /// Before `groups` are upserted into `wave`: takes away what the rows they replace
    /// contributed and adds what they will. Within one call an id given twice counts once (the
    /// last one wins, as in the upsert).
    /// `distinct`: the caller knows no id is given twice in `groups`. Returns how many of the
    /// ids are held (none when the batch knows the ids are new).
    pub(crate) async fn tally_upsert(
        &mut self,
        work: &mut TallyWork,
        wave: &str,
        groups: &[Group],
        distinct: bool,
    ) -> Result<usize, StoreError> {
        let mut last: HashMap<&str, usize> = HashMap::new();
        if !distinct {
            last.reserve(groups.len());
            for (i, g) in groups.iter().enumerate() {
                last.insert(g.id.as_str(), i);
            }
        }
        let counted = |i: usize, g: &Group| distinct || last.get(g.id.as_str()) == Some(&i);
        // Ids known new (`Batch::save_new_groups`) replace no row: nothing to take away.
        let mut held = 0;
        if !self.ids_known_new {
            let ids: Vec<&str> = groups
                .iter()
                .enumerate()
                .filter(|(i, g)| counted(*i, g))
                .map(|(_, g)| g.id.as_str())
                .collect();
            held = self.tally_remove(work, wave, &ids).await?;
        }
        let rule_sets = self.wave_rule_sets(work, wave).await?;
        for (i, g) in groups.iter().enumerate() {
            if !counted(i, g) {
                continue;
            }
            for rules in &rule_sets {
                work.pending
                    .add(wave, &rules.version, g, rules.outcome(g), 1);
            }
        }
        Ok(held)
    }

    /// Keeps the deltas gathered in the batch (nothing reads tallies through it) and writes
    /// them when they grow or at the latest before the commit (`flush_deferred_tallies`): a
    /// file in survey order then writes each region's tally rows about once, not once per
    /// flush of the import.
    pub(crate) async fn finish_tallies(&mut self, work: TallyWork) -> Result<(), StoreError> {
        self.deferred_tallies.merge(work.pending);
        if self.deferred_tallies.entries < DEFERRED_ENTRIES {
            return Ok(());
        }
        self.flush_deferred_tallies().await
    }

    /// Writes the tally deltas the batch kept (see [`Batch::finish_tallies`]).
    pub(crate) async fn flush_deferred_tallies(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.deferred_tallies);
        self.flush(&pending).await
    }

    pub(crate) async fn flush(&mut self, pending: &Pending) -> Result<(), StoreError> {
        if pending.is_empty() {
            return Ok(());
        }
        match &mut self.tx {
            BatchTx::Sqlite(w) => flush_sqlite(w, pending).await?,
            BatchTx::Postgres(t) => flush_postgres(t, pending, &mut self.staged).await?,
        }
        Ok(())
    }
}
