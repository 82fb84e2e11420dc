//! Groups written in a batch: new groups and groups observed again, with their tallies in the
//! same transaction. SQLite by the chunk on the batch's writer thread; PostgreSQL by `COPY`,
//! one per call, straight in or through a staging table.

use super::{Batch, BatchTx, CHUNK};
use crate::StoreError;
use crate::columns::{
    GROUP_INSERT_COLUMNS, GROUP_UPSERT_SET, GROUP_WIDTH, GroupWrite, group_values,
};
use crate::copy::copy_in;
use crate::ids::ActorKind;
use crate::sqlite_tx::{Rows, one_row_sql};
use sqlx::AssertSqlSafe;
use std::sync::LazyLock;
use wahana_domain::Group;

/// The single-row upsert of a group (SQLite's batches, and one group at a time on both
/// databases), and the same insert without the update.
pub(crate) static GROUP_UPSERT_SQL: LazyLock<String> =
    LazyLock::new(|| one_row_sql(&group_insert_head(), GROUP_WIDTH, &GROUP_UPSERT_SET));

static GROUP_INSERT_SQL: LazyLock<String> =
    LazyLock::new(|| one_row_sql(&group_insert_head(), GROUP_WIDTH, ""));

/// PostgreSQL: the rows of a batch's groups, straight into `groups` (ids known not held).
static GROUP_COPY_SQL: LazyLock<String> =
    LazyLock::new(|| format!("COPY groups ({GROUP_INSERT_COLUMNS}) FROM STDIN"));

/// PostgreSQL: the same rows into the batch's staging table, when some may be held.
static GROUP_STAGE_SQL: LazyLock<String> =
    LazyLock::new(|| format!("COPY groups_load ({GROUP_INSERT_COLUMNS}) FROM STDIN"));

/// PostgreSQL: the staged rows upserted into `groups` (the update of [`GROUP_UPSERT_SQL`]).
static GROUP_UPSERT_STAGED_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{}SELECT {GROUP_INSERT_COLUMNS} FROM groups_load{}",
        group_insert_head(),
        &*GROUP_UPSERT_SET
    )
});

pub(crate) fn group_insert_head() -> String {
    format!("INSERT INTO groups ({GROUP_INSERT_COLUMNS}) ")
}

/// Whether no id is given twice (a file in id order is checked without hashing).
fn ids_distinct(groups: &[Group]) -> bool {
    if groups.windows(2).all(|w| w[0].id < w[1].id) {
        return true;
    }
    let mut seen = std::collections::HashSet::with_capacity(groups.len());
    groups.iter().all(|g| seen.insert(g.id.as_str()))
}

impl Batch {
    /// Saves groups into a wave: a group not held yet becomes an entity with its first
    /// observation; a group held is observed in this wave (a new observation, or the one the
    /// wave holds updated: its version goes up). Earlier waves' observations never change.
    /// `provenance` gives each group's provenance JSON, if any.
    pub async fn save_groups(
        &mut self,
        wave_id: &str,
        groups: &[Group],
        provenance: &[Option<String>],
    ) -> Result<(), StoreError> {
        self.ensure_open(wave_id).await?;
        self.save_entities(
            ActorKind::Group,
            groups.iter().map(|g| (g.id.as_str(), g.village.as_str())),
        )
        .await?;
        // Tallies (tally.rs): old rows' contributions out, new rows' in, same transaction.
        let mut tallies = self.start_tallies(wave_id).await?;
        let distinct = ids_distinct(groups);
        if let BatchTx::Postgres(_) = self.tx {
            let held = self
                .tally_upsert(&mut tallies, wave_id, groups, distinct)
                .await?;
            self.copy_groups(wave_id, groups, provenance, distinct, held)
                .await?;
            self.refresh_statistics(groups.len()).await?;
            return self.finish_tallies(tallies).await;
        }
        for (i, chunk) in groups.chunks(CHUNK).enumerate() {
            let held = self
                .tally_upsert(&mut tallies, wave_id, chunk, distinct)
                .await?;
            // SQLite, no id of the chunk held (as the tallies just looked, or known new) and
            // each given once: a plain INSERT writes the same rows as the upsert, and SQLite
            // runs it without a statement journal (an upsert may abort after changing a row,
            // so SQLite first copies every page it touches).
            let plain_insert = distinct && held == 0;
            let now = self.now.as_str();
            let prov = provenance.get(i * CHUNK..).unwrap_or_default();
            let BatchTx::Sqlite(w) = &mut self.tx else {
                continue;
            };
            // One buffer per chunk to the writer thread, bound there by reference into one
            // prepared single-row statement; not waited for (sqlite_tx.rs).
            let mut rows = Rows::new(GROUP_WIDTH, chunk.len());
            for (j, group) in chunk.iter().enumerate() {
                let provenance = prov.get(j).and_then(|p| p.as_deref());
                let w = GroupWrite {
                    group,
                    wave: wave_id,
                    provenance,
                    now,
                };
                for v in group_values(&w) {
                    v.push(&mut rows);
                }
            }
            let sql = if plain_insert {
                GROUP_INSERT_SQL.clone()
            } else {
                GROUP_UPSERT_SQL.clone()
            };
            w.queue_rows(sql, rows).await?;
        }
        self.finish_tallies(tallies).await
    }

    /// PostgreSQL: writes the rows of [`Batch::save_groups`] with `COPY ... FROM STDIN` in
    /// the batch's transaction. When no id is held in the wave (`held`, as the tallies just
    /// looked, or known new) and none is given twice, the rows go straight into `groups`;
    /// otherwise into a staging table, from which one `INSERT ... SELECT` upserts them (an id
    /// given twice is written once, its last row: one statement may not change a row twice).
    async fn copy_groups(
        &mut self,
        wave_id: &str,
        groups: &[Group],
        provenance: &[Option<String>],
        distinct: bool,
        held: usize,
    ) -> Result<(), StoreError> {
        let mut last = std::collections::HashMap::new();
        if !distinct {
            for (j, g) in groups.iter().enumerate() {
                last.insert(g.id.as_str(), j);
            }
        }
        let mut rows = std::mem::take(&mut self.copy_rows);
        rows.clear();
        for (j, group) in groups.iter().enumerate() {
            if !distinct && last.get(group.id.as_str()) != Some(&j) {
                continue;
            }
            let w = GroupWrite {
                group,
                wave: wave_id,
                provenance: provenance.get(j).and_then(|p| p.as_deref()),
                now: &self.now,
            };
            for v in group_values(&w) {
                v.copy(&mut rows);
            }
            rows.end_row();
        }
        let straight = distinct && held == 0;
        let create_staging = !straight && self.staged.insert("groups_load");
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(());
        };
        if straight {
            copy_in(t, &GROUP_COPY_SQL, &rows).await?;
        } else {
            if create_staging {
                sqlx::query(
                    "CREATE TEMP TABLE groups_load (LIKE groups INCLUDING DEFAULTS) \
                     ON COMMIT DROP",
                )
                .execute(&mut **t)
                .await?;
            }
            copy_in(t, &GROUP_STAGE_SQL, &rows).await?;
            sqlx::query(AssertSqlSafe(GROUP_UPSERT_STAGED_SQL.as_str()))
                .execute(&mut **t)
                .await?;
            sqlx::query("TRUNCATE groups_load")
                .execute(&mut **t)
                .await?;
        }
        // The buffer's memory serves the next call.
        self.copy_rows = rows;
        Ok(())
    }

    /// PostgreSQL: after `written` more groups, refreshes the statistics of `groups`, `actors`
    /// and the other tables looked up by key each time the batch's own rows have doubled (from
    /// 10,000). ANALYZE inside the
    /// transaction counts the rows it inserted; without it the planner knows nothing of a table
    /// a batch grows from nothing and scans it whole for every chunk of an import, whose time
    /// then grows with the square of its rows: 500 duplicate keys taken to match half of
    /// `groups`, and the ids held looked for in `actors` by a scan (a 500,000-row import into a
    /// new database took 476 s: over its first 96,000 rows that lookup was 68 of the server's
    /// 74 s, its time growing with every flush).
    /// Groups known new are written without lookups in `groups`, and a first load looks
    /// nothing up by duplicate key: then only `actors` is analyzed (four columns; repeated ids
    /// are still looked up there), and `groups` (35 columns, about 4 s of such a load) when a
    /// write that looks up comes. SQLite's planner takes an index whenever one fits.
    async fn refresh_statistics(&mut self, written: usize) -> Result<(), StoreError> {
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(());
        };
        self.groups_written += written as u64;
        if self.groups_written >= self.next_analyze {
            // The tables a batch's lookups read by key, all of them growing in one load.
            let sql = if self.ids_known_new {
                "ANALYZE actors"
            } else {
                "ANALYZE groups, actors, networks, institutions, ties"
            };
            sqlx::query(sql).execute(&mut **t).await?;
            self.next_analyze = self.groups_written * 2;
        }
        Ok(())
    }

    /// [`Batch::save_groups`] for groups whose ids the caller knows are not held (a first
    /// load into an empty table): the same rows and tallies, without looking for old rows.
    pub async fn save_new_groups(
        &mut self,
        wave_id: &str,
        groups: &[Group],
        provenance: &[Option<String>],
    ) -> Result<(), StoreError> {
        self.ids_known_new = true;
        let saved = self.save_groups(wave_id, groups, provenance).await;
        self.ids_known_new = false;
        saved
    }
}
