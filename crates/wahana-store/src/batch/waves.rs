//! Waves written in a batch: an import's new wave created with its rows, a wave deleted whole.

use super::{Batch, BatchTx};
use crate::StoreError;
use crate::sqlite_tx::{self, text};
use wahana_domain::Wave;

/// What deleting a wave runs, in order: its tallies and rule sets, then its records.
pub(crate) const DELETE_WAVE_GROUPS: &str = "DELETE FROM groups WHERE wave_id = $1";

pub(crate) const DELETE_WAVE_SQL: [&str; 11] = [
    "DELETE FROM tally_actors WHERE wave_id = $1",
    crate::tally::DELETE_WAVE_SQL[0],
    crate::tally::DELETE_WAVE_SQL[1],
    crate::tally::DELETE_WAVE_SQL[2],
    "DELETE FROM ties WHERE wave_id = $1",
    "DELETE FROM links WHERE wave_id = $1",
    "DELETE FROM link_review WHERE wave_id = $1",
    DELETE_WAVE_GROUPS,
    "DELETE FROM networks WHERE wave_id = $1",
    "DELETE FROM institutions WHERE wave_id = $1",
    "DELETE FROM waves WHERE id = $1",
];

/// Entities with no observation left, after a wave is deleted: they go with their members.
pub(crate) const DELETE_UNOBSERVED_ACTORS: &str = "DELETE FROM actors \
    WHERE NOT EXISTS (SELECT 1 FROM groups WHERE groups.id = actors.id) \
    AND NOT EXISTS (SELECT 1 FROM networks WHERE networks.id = actors.id) \
    AND NOT EXISTS (SELECT 1 FROM institutions WHERE institutions.id = actors.id)";

impl Batch {
    /// Creates or updates a wave inside the batch, so that an import's new wave lands with its
    /// rows or not at all.
    pub async fn save_wave(&mut self, wave: &Wave) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO waves (id, name, region_code, start_date, end_date, source, \
            synthetic, enumerators, created_at, status, method, run_by) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, \
            start_date = excluded.start_date, end_date = excluded.end_date, source = excluded.source, \
            synthetic = excluded.synthetic, enumerators = excluded.enumerators, \
            status = excluded.status, method = excluded.method, run_by = excluded.run_by";
        let status = if wave.closed { "closed" } else { "open" };
        let now = self.now.clone();
        match &mut self.tx {
            BatchTx::Sqlite(w) => {
                use sqlite_tx::opt_text;
                let params = vec![
                    text(wave.id.as_str()),
                    text(wave.name.as_str()),
                    opt_text(wave.region.as_ref().map(|r| r.to_string())),
                    opt_text(wave.start_date.map(|d| d.to_string())),
                    opt_text(wave.end_date.map(|d| d.to_string())),
                    opt_text(wave.source.clone()),
                    rusqlite::types::Value::Integer(i64::from(wave.synthetic)),
                    opt_text(wave.enumerators.clone()),
                    text(now),
                    text(status),
                    opt_text(wave.method.map(|m| m.code().to_string())),
                    opt_text(wave.run_by.clone()),
                ];
                w.execute(SQL, params).await?;
            }
            BatchTx::Postgres(t) => {
                sqlx::query(SQL)
                    .bind(wave.id.clone())
                    .bind(wave.name.clone())
                    .bind(wave.region.as_ref().map(|r| r.to_string()))
                    .bind(wave.start_date.map(|d| d.to_string()))
                    .bind(wave.end_date.map(|d| d.to_string()))
                    .bind(wave.source.clone())
                    .bind(wave.synthetic)
                    .bind(wave.enumerators.clone())
                    .bind(now)
                    .bind(status)
                    .bind(wave.method.map(|m| m.code()))
                    .bind(wave.run_by.clone())
                    .execute(&mut **t)
                    .await?;
            }
        }
        Ok(())
    }

    /// Deletes a wave and everything recorded in it, in the batch (as
    /// [`crate::Store::delete_wave`]).
    pub async fn delete_wave(&mut self, id: &str) -> Result<(), StoreError> {
        self.flush_deferred_tallies().await?;
        for sql in DELETE_WAVE_SQL {
            self.execute(sql, vec![id.into()]).await?;
        }
        self.execute(DELETE_UNOBSERVED_ACTORS, Vec::new()).await?;
        self.wave_rules.remove(id);
        self.actor_deltas.forget_wave(id);
        Ok(())
    }
}
