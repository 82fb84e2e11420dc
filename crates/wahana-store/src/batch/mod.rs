//! The transaction a batch of writes runs in: [`Batch`], begun by [`Store::begin`], committed or
//! rolled back whole, with one arm per database (`BatchTx`). Each kind of write has its file
//! here (`groups.rs`, `ties.rs`, `waves.rs`, `ids.rs`, `lookups.rs`, `tallies.rs`); the few
//! `Batch` methods made of a topic's own types stay beside them (`actors.rs`, `linkage.rs`,
//! `audit.rs`, `waves.rs` of the crate), so that those files use the batch and not the reverse.

mod actor_tallies;
mod groups;
mod ids;
mod lookups;
mod tallies;
mod ties;
mod waves;

pub(crate) use groups::{GROUP_UPSERT_SQL, group_insert_head};
pub(crate) use tallies::TallyWork;
pub(crate) use waves::{DELETE_UNOBSERVED_ACTORS, DELETE_WAVE_GROUPS, DELETE_WAVE_SQL};

pub(crate) use crate::arg::{Arg, bind_args};
use crate::ids::ActorKind;
use crate::sqlite_tx::{self, Rows, SqliteTx, one_row_sql};
use crate::tally::{Pending, RulesCache};
use crate::{Pool, Refusal, Store, StoreError, now_iso};
use sqlx::AssertSqlSafe;
use std::collections::HashSet;
use wahana_domain::screening::RuleSet;

/// Rows per multi-row INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters
/// for the widest table (33 columns).
pub(crate) const CHUNK: usize = 500;

/// A transaction for a batch of writes that must land together or not at all (an import).
pub struct Batch {
    pub(crate) tx: BatchTx,
    pub(crate) now: String,
    /// The store's rule sets, for keeping tallies current (`tally.rs`).
    pub(crate) rules: RulesCache,
    /// Set while [`Batch::save_new_groups`] writes: the ids are known not to be held, so the
    /// tallies have no old row to take away and need not look for one.
    pub(crate) ids_known_new: bool,
    /// Waves this batch found open (`Batch::ensure_open`).
    pub(crate) open_waves: HashSet<String>,
    /// SQLite: the rule sets registered per wave, read once per batch (the batch holds the
    /// write lock, so nobody else changes them), so that writes need not wait for a read.
    pub(crate) wave_rules: std::collections::HashMap<String, Vec<std::sync::Arc<RuleSet>>>,
    /// Tally deltas not written yet (`tally.rs`, `Batch::finish_tallies`).
    pub(crate) deferred_tallies: Pending,
    /// PostgreSQL: groups this batch has written, and the count at which it next refreshes the
    /// table's statistics (`Batch::refresh_statistics`).
    pub(crate) groups_written: u64,
    pub(crate) next_analyze: u64,
    /// PostgreSQL: the COPY text of the last groups written (its memory kept for the next),
    /// and the staging tables this transaction has made (`groups_load` for upserts of
    /// groups, `batch/groups.rs`; the tallies', `tally.rs`).
    pub(crate) copy_rows: crate::copy::CopyText,
    pub(crate) staged: HashSet<&'static str>,
    /// The counts of networks, institutions and ties changed by this batch, written at the
    /// commit (`actor_tally.rs`).
    pub(crate) actor_deltas: crate::actor_tally::ActorDeltas,
    /// PostgreSQL: the tallies grew or changed wholesale (a large load, a wave screened anew):
    /// their statistics are refreshed before the commit ([`Batch::commit`]).
    pub(crate) tallies_reshaped: bool,
}

/// PostgreSQL: groups a batch writes before it first refreshes the planner's statistics.
const FIRST_ANALYZE: u64 = 10_000;

/// The transaction under a [`Batch`]. SQLite's is a rusqlite connection on a writer thread of
/// its own (`sqlite_tx.rs`: sqlx's per-value cost was half of an import's CPU); PostgreSQL's is
/// a sqlx transaction. Each method of the batch has one arm per database, with the same SQL
/// text wherever the statement is the same.
pub(crate) enum BatchTx {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

const ACTOR_KIND_SQL: &str = "SELECT kind FROM actors WHERE id = $1";

/// The kind of an actor observed in a wave (`$1` the id, `$2` the wave).
const OBSERVED_KIND_SQL: &str = "SELECT 'kelompok' FROM groups WHERE id = $1 AND wave_id = $2 \
    UNION ALL SELECT 'wahana' FROM networks WHERE id = $1 AND wave_id = $2 \
    UNION ALL SELECT 'lembaga' FROM institutions WHERE id = $1 AND wave_id = $2";

/// An entity's kind and region when the wave observes it (`$1` the id, `$2` the wave).
const OBSERVED_END_SQL: &str = "SELECT a.kind, a.region_code FROM actors a WHERE a.id = $1 AND \
    CASE a.kind WHEN 'kelompok' THEN EXISTS (SELECT 1 FROM groups g WHERE g.id = $1 AND g.wave_id = $2) \
    WHEN 'wahana' THEN EXISTS (SELECT 1 FROM networks n WHERE n.id = $1 AND n.wave_id = $2) \
    ELSE EXISTS (SELECT 1 FROM institutions i WHERE i.id = $1 AND i.wave_id = $2) END";

/// The same for many ids at once on PostgreSQL (`$1` a text array).
const OBSERVED_ENDS_PG: &str = "SELECT a.id, a.kind, a.region_code FROM actors a \
    WHERE a.id = ANY($1) AND CASE a.kind \
    WHEN 'kelompok' THEN EXISTS (SELECT 1 FROM groups g WHERE g.id = a.id AND g.wave_id = $2) \
    WHEN 'wahana' THEN EXISTS (SELECT 1 FROM networks n WHERE n.id = a.id AND n.wave_id = $2) \
    ELSE EXISTS (SELECT 1 FROM institutions i WHERE i.id = a.id AND i.wave_id = $2) END";

/// The entities of records about to be written; an entity held already stays as it is.
const ACTOR_INSERT: &str = "INSERT INTO actors (id, kind, region_code, created_at) ";

const ACTOR_KEEP: &str = " ON CONFLICT (id) DO NOTHING";

/// The same for many entities at once on PostgreSQL (`$1` the ids, `$3` their regions).
const ACTOR_INSERT_ARRAYS: &str = "INSERT INTO actors (id, kind, region_code, created_at) \
    SELECT id, $2, region, $4 FROM UNNEST($1::text[], $3::text[]) AS r(id, region) \
    ON CONFLICT (id) DO NOTHING";

impl Store {
    /// Starts a batch of writes that lands whole on [`Batch::commit`] or not at all. On SQLite
    /// the batch holds the database's one write lock from here to its end (other connections
    /// still read, as of before the batch); it needs a database file.
    pub async fn begin(&self) -> Result<Batch, StoreError> {
        let tx = match &self.pool {
            Pool::Sqlite(_) => {
                let Some(path) = crate::bulk::sqlite_file(&self.pool) else {
                    return Err(Refusal::SqliteInMemory.into());
                };
                BatchTx::Sqlite(SqliteTx::begin(path, self.writers.clone()).await?)
            }
            Pool::Postgres(p) => BatchTx::Postgres(p.begin().await?),
        };
        Ok(Batch {
            tx,
            now: now_iso(),
            rules: self.rules.clone(),
            ids_known_new: false,
            open_waves: HashSet::new(),
            wave_rules: Default::default(),
            deferred_tallies: Default::default(),
            groups_written: 0,
            next_analyze: FIRST_ANALYZE,
            copy_rows: Default::default(),
            staged: HashSet::new(),
            actor_deltas: Default::default(),
            tallies_reshaped: false,
        })
    }
}

impl Batch {
    /// Refuses a write into `wave` when it is closed (or not held). Each wave is looked at
    /// once per batch.
    pub async fn ensure_open(&mut self, wave: &str) -> Result<(), StoreError> {
        if self.open_waves.contains(wave) {
            return Ok(());
        }
        const SQL: &str = "SELECT status FROM waves WHERE id = $1";
        let status: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.first(SQL, vec![sqlite_tx::text(wave)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(SQL)
                    .bind(wave.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        match status.as_deref() {
            Some("open") => {
                self.open_waves.insert(wave.to_string());
                Ok(())
            }
            Some(_) => Err(Refusal::WaveClosed {
                wave: wave.to_string(),
            }
            .into()),
            None => Err(StoreError::NotFound {
                kind: "pendataan",
                id: wave.to_string(),
            }),
        }
    }

    /// Records the entities (`id`, region) of records about to be written; an entity held
    /// already stays as it is (its kind and first region do not change).
    pub(crate) async fn save_entities<'a>(
        &mut self,
        kind: ActorKind,
        items: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), StoreError> {
        let items: Vec<(&str, &str)> = items.collect();
        let now = self.now.as_str();
        match &mut self.tx {
            BatchTx::Sqlite(w) => {
                for chunk in items.chunks(CHUNK) {
                    let mut rows = Rows::new(4, chunk.len());
                    for (id, region) in chunk {
                        rows.text(id).text(kind.code()).text(region).text(now);
                    }
                    w.queue_rows(one_row_sql(ACTOR_INSERT, 4, ACTOR_KEEP), rows)
                        .await?;
                }
            }
            // PostgreSQL: the ids and regions as two arrays, one statement for them all (a
            // multi-row VALUES of 500 rows is parsed and planned each time: about 3.5 s of a
            // 500,000-row import, against about half of that this way).
            BatchTx::Postgres(t) => {
                if items.is_empty() {
                    return Ok(());
                }
                let (ids, regions): (Vec<&str>, Vec<&str>) = items.into_iter().unzip();
                sqlx::query(ACTOR_INSERT_ARRAYS)
                    .bind(ids)
                    .bind(kind.code())
                    .bind(regions)
                    .bind(now)
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }

    /// The kind of the actor `id` when it is observed in `wave` (a tie's ends must be).
    pub async fn observed_kind(
        &mut self,
        wave: &str,
        id: &str,
    ) -> Result<Option<ActorKind>, StoreError> {
        let kind: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => {
                w.first(
                    OBSERVED_KIND_SQL,
                    vec![sqlite_tx::text(id), sqlite_tx::text(wave)],
                )
                .await?
            }
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(OBSERVED_KIND_SQL)
                    .bind(id.to_string())
                    .bind(wave.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        kind.map(|k| ActorKind::parse(&k)).transpose()
    }

    /// The ends among `ids` that are observed in `wave`, with their kind and region, as this
    /// batch sees them (what it has written so far included); an id given twice is looked up
    /// once. One job (SQLite) or one statement per thousand ids (PostgreSQL), so that an
    /// import's ties cost no round trip each.
    pub async fn observed_ends(
        &mut self,
        wave: &str,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, crate::TieEnd>, StoreError> {
        let mut distinct: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let mut rows: Vec<(String, String, String)> = Vec::with_capacity(distinct.len());
        match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let wave = wave.to_string();
                rows = w
                    .call(move |c| {
                        let mut st = c.prepare_cached(OBSERVED_END_SQL)?;
                        let mut out = Vec::with_capacity(distinct.len());
                        for id in distinct {
                            let found = {
                                let mut q = st.query(rusqlite::params![id, wave])?;
                                match q.next()? {
                                    Some(r) => {
                                        Some((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                                    }
                                    None => None,
                                }
                            };
                            if let Some((kind, region)) = found {
                                out.push((id, kind, region));
                            }
                        }
                        Ok(out)
                    })
                    .await?;
            }
            BatchTx::Postgres(t) => {
                for chunk in distinct.chunks(1000) {
                    let found: Vec<(String, String, String)> = sqlx::query_as(OBSERVED_ENDS_PG)
                        .bind(chunk)
                        .bind(wave.to_string())
                        .fetch_all(&mut **t)
                        .await?;
                    rows.extend(found);
                }
            }
        }
        let mut out = std::collections::HashMap::with_capacity(rows.len());
        for (id, kind, region) in rows {
            let kind = ActorKind::parse(&kind)?;
            out.insert(id, crate::TieEnd { kind, region });
        }
        Ok(out)
    }

    /// Which table holds an actor id, looking at what this batch has written so far too.
    pub async fn actor_kind(&mut self, id: &str) -> Result<Option<ActorKind>, StoreError> {
        let kind: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.first(ACTOR_KIND_SQL, vec![sqlite_tx::text(id)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(ACTOR_KIND_SQL)
                    .bind(id.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        kind.map(|k| ActorKind::parse(&k)).transpose()
    }

    /// The region an actor lies in (its entity's), as this batch sees it.
    pub(crate) async fn actor_region(&mut self, id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .fetch_texts(
                "SELECT region_code FROM actors WHERE id = $1",
                vec![id.into()],
                1,
            )
            .await?
            .pop()
            .and_then(|mut row| row.pop()))
    }

    /// The waves that observe actor `id` (any kind).
    pub async fn waves_observing(&mut self, id: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT wave_id FROM groups WHERE id = $1 \
            UNION SELECT wave_id FROM networks WHERE id = $1 \
            UNION SELECT wave_id FROM institutions WHERE id = $1";
        match &mut self.tx {
            BatchTx::Sqlite(w) => w.column(SQL, vec![sqlite_tx::text(id)]).await,
            BatchTx::Postgres(t) => Ok(sqlx::query_scalar(SQL)
                .bind(id.to_string())
                .fetch_all(&mut **t)
                .await?),
        }
    }

    /// Runs one statement (`$n` parameters, one text for both databases) in the batch; returns
    /// the rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, StoreError> {
        Ok(match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let params = args.into_iter().map(Arg::into_sqlite).collect();
                w.execute(sql, params).await? as u64
            }
            BatchTx::Postgres(t) => bind_args(sqlx::query(AssertSqlSafe(sql)), args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }

    /// Runs one statement that gives one number (an id or a version from `RETURNING`, or a
    /// `SELECT`) in the batch; `None` when it gives no row.
    pub(crate) async fn fetch_i64(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<i64>, StoreError> {
        Ok(match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let params = args.into_iter().map(Arg::into_sqlite).collect();
                w.first(sql, params).await?
            }
            BatchTx::Postgres(t) => {
                use sqlx::Row;
                match bind_args(sqlx::query(AssertSqlSafe(sql)), args)
                    .fetch_optional(&mut **t)
                    .await?
                {
                    Some(row) => Some(row.try_get(0)?),
                    None => None,
                }
            }
        })
    }

    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.flush_deferred_tallies().await?;
        self.flush_actor_deltas().await?;
        if self.tallies_reshaped || self.groups_written >= FIRST_ANALYZE {
            self.analyze_tallies().await?;
        }
        match self.tx {
            BatchTx::Sqlite(w) => w.commit().await?,
            BatchTx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// PostgreSQL: refreshes the statistics of the tallies, in the batch's transaction (they
    /// land with its rows). Without them, right after a load into a new database, the planner
    /// knows nothing of `tally_region_type` (1.4 million rows for the national set) and reads
    /// the country's profile through the first two columns of its key, the region a filter over
    /// every row: 0.4-1.2 s a profile, until autovacuum came by, where 80 ms is its cost with
    /// statistics. SQLite's planner takes the key whenever it fits.
    pub(crate) async fn analyze_tallies(&mut self) -> Result<(), StoreError> {
        if let BatchTx::Postgres(t) = &mut self.tx {
            sqlx::query("ANALYZE tally_village, tally_region_type, tally_actors")
                .execute(&mut **t)
                .await?;
        }
        Ok(())
    }

    /// Drops every write of the batch.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.tx {
            BatchTx::Sqlite(w) => w.rollback().await?,
            BatchTx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}
