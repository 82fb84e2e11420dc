//! Groups written in a batch, by the chunk: new groups and groups observed again, with their
//! tallies in the same transaction.

use super::{Batch, BatchTx, CHUNK};
use crate::StoreError;
use crate::columns::{
    GROUP_INSERT_COLUMNS, GROUP_UPSERT_SET, GROUP_WIDTH, GroupWrite, group_values,
};
use crate::ids::ActorKind;
use crate::sqlite_tx::{Rows, one_row_sql};
use sqlx::QueryBuilder;
use std::sync::LazyLock;
use wahana_domain::Group;

/// The single-row upsert of a group for the SQLite arm (the columns and the update of the
/// PostgreSQL arm's multi-row statement), and the same insert without the update.
pub(crate) static GROUP_UPSERT_SQL: LazyLock<String> =
    LazyLock::new(|| one_row_sql(&group_insert_head(), GROUP_WIDTH, &GROUP_UPSERT_SET));

static GROUP_INSERT_SQL: LazyLock<String> =
    LazyLock::new(|| one_row_sql(&group_insert_head(), GROUP_WIDTH, ""));

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
            let t = match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    // One buffer per chunk to the writer thread, bound there by reference into
                    // one prepared single-row statement; not waited for (sqlite_tx.rs).
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
                    continue;
                }
                BatchTx::Postgres(t) => t,
            };
            {
                // One statement may not upsert a row twice on PostgreSQL ("cannot affect row a
                // second time"): an id given twice in a chunk is written once, its last row.
                let mut last = std::collections::HashMap::new();
                if !distinct {
                    for (j, g) in chunk.iter().enumerate() {
                        last.insert(g.id.as_str(), j);
                    }
                }
                let rows = chunk
                    .iter()
                    .enumerate()
                    .filter(|(j, g)| distinct || last.get(g.id.as_str()) == Some(j));
                // Values are bound by reference where they can be (no copy per row before
                // sqlx's own).
                let mut qb = QueryBuilder::new(group_insert_head());
                qb.push_values(rows, |mut b, (j, group)| {
                    let provenance = prov.get(j).and_then(|p| p.as_deref());
                    let w = GroupWrite {
                        group,
                        wave: wave_id,
                        provenance,
                        now,
                    };
                    for v in group_values(&w) {
                        v.bind(&mut b);
                    }
                });
                qb.push(&*GROUP_UPSERT_SET);
                qb.build().execute(&mut **t).await?;
            }
        }
        self.refresh_statistics(groups.len()).await?;
        self.finish_tallies(tallies).await
    }

    /// PostgreSQL: after `written` more groups, refreshes the statistics of `groups` each time
    /// the batch's own rows have doubled (from 10,000). ANALYZE inside the transaction counts
    /// the rows it inserted; without it the planner knows nothing of a table a batch grows from
    /// nothing, guesses that 500 duplicate keys match half of it, and scans it whole for every
    /// chunk of an import (whose time then grows with the square of its rows). SQLite's
    /// planner takes an index whenever one fits.
    async fn refresh_statistics(&mut self, written: usize) -> Result<(), StoreError> {
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(());
        };
        self.groups_written += written as u64;
        if self.groups_written >= self.next_analyze {
            // The tables a batch's lookups read by key, all of them growing in one load.
            sqlx::query("ANALYZE groups, actors, networks, institutions, ties")
                .execute(&mut **t)
                .await?;
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
