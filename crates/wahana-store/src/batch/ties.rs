//! Ties written in a batch: both ends observed in the wave, parallel ties written once.

use super::{Batch, BatchTx, CHUNK};
use crate::StoreError;
use crate::ids::{TieEnd, actor_not_found};
use crate::sqlite_tx::{Rows, insert_or_update_rows, one_row_sql};
use sqlx::QueryBuilder;
use wahana_domain::Tie;
use wahana_domain::codes::Code;

/// The columns and upsert of a tie: one text for both arms.
const TIE_INSERT: &str = "INSERT INTO ties (wave_id, from_id, from_kind, to_id, to_kind, tie_type, \
    since, notes, created_at) ";

const TIE_WIDTH: usize = 9;

/// A tie added only when the wave does not hold it yet (SQLite: then [`TIE_UPSERT`] updates it).
const TIE_KEEP: &str = " ON CONFLICT (from_id, to_id, tie_type, wave_id) DO NOTHING";

/// A tie (a network, an institution) carried forward unconfirmed is confirmed when the
/// re-survey records it again.
const TIE_UPSERT: &str = " ON CONFLICT (from_id, to_id, tie_type, wave_id) DO UPDATE SET \
    since = excluded.since, notes = excluded.notes, confirmed = TRUE";

impl Batch {
    /// Saves ties whose two ends are observed in the wave (check with [`Batch::observed_ends`]
    /// first to report missing ends row by row). A tie the wave holds already (same ends and
    /// type) is updated.
    pub async fn save_ties(&mut self, wave_id: &str, ties: &[Tie]) -> Result<(), StoreError> {
        let ids: Vec<&str> = ties
            .iter()
            .flat_map(|t| [t.from.as_str(), t.to.as_str()])
            .collect();
        let ends = self.observed_ends(wave_id, &ids).await?;
        let mut resolved = Vec::with_capacity(ties.len());
        for tie in ties {
            let (Some(from), Some(to)) = (ends.get(&tie.from), ends.get(&tie.to)) else {
                let missing = if ends.contains_key(&tie.from) {
                    &tie.to
                } else {
                    &tie.from
                };
                return Err(actor_not_found(missing));
            };
            resolved.push((tie.clone(), from.clone(), to.clone()));
        }
        self.save_resolved_ties(wave_id, &resolved).await
    }

    /// Saves ties whose ends the caller already knows (a generator, an import that resolved
    /// them with [`Batch::observed_ends`]). Parallel ties in the input are written once. The
    /// ties added (not those updated) are counted in the wave's tallies (`actor_tally.rs`).
    pub async fn save_resolved_ties(
        &mut self,
        wave_id: &str,
        ties: &[(Tie, TieEnd, TieEnd)],
    ) -> Result<(), StoreError> {
        self.ensure_open(wave_id).await?;
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<&(Tie, TieEnd, TieEnd)> = ties
            .iter()
            .filter(|(t, _, _)| seen.insert((t.from.as_str(), t.to.as_str(), t.tie_type)))
            .collect();
        for chunk in unique.chunks(CHUNK) {
            let now = &self.now;
            let added: Vec<bool> = match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut rows = Rows::new(TIE_WIDTH, chunk.len());
                    for (tie, f, t) in chunk {
                        rows.text(wave_id)
                            .text(&tie.from)
                            .text(f.kind.code())
                            .text(&tie.to)
                            .text(t.kind.code())
                            .text(tie.tie_type.code())
                            .opt_int(tie.since.map(i64::from))
                            .opt_text(tie.notes.as_deref())
                            .text(now);
                    }
                    let insert = one_row_sql(TIE_INSERT, TIE_WIDTH, TIE_KEEP);
                    let upsert = one_row_sql(TIE_INSERT, TIE_WIDTH, TIE_UPSERT);
                    w.call(move |c| insert_or_update_rows(c, &insert, &upsert, &rows))
                        .await?
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(TIE_INSERT);
                    qb.push_values(chunk, |mut b, (tie, f, t)| {
                        b.push_bind(wave_id.to_string())
                            .push_bind(tie.from.clone())
                            .push_bind(f.kind.code())
                            .push_bind(tie.to.clone())
                            .push_bind(t.kind.code())
                            .push_bind(tie.tie_type.code())
                            .push_bind(tie.since.map(i64::from))
                            .push_bind(tie.notes.clone())
                            .push_bind(now.clone());
                    });
                    qb.push(TIE_UPSERT);
                    // A row the upsert added has no deleting transaction yet (`xmax = 0`);
                    // one it updated has this one's.
                    qb.push(" RETURNING from_id, to_id, tie_type, (xmax = 0)");
                    let rows: Vec<(String, String, String, bool)> =
                        qb.build_query_as().fetch_all(&mut **t).await?;
                    let added: std::collections::HashSet<(String, String, String)> = rows
                        .into_iter()
                        .filter(|r| r.3)
                        .map(|(f, t, k, _)| (f, t, k))
                        .collect();
                    chunk
                        .iter()
                        .map(|(tie, _, _)| {
                            added.contains(&(
                                tie.from.clone(),
                                tie.to.clone(),
                                tie.tie_type.code().to_string(),
                            ))
                        })
                        .collect()
                }
            };
            for ((_, f, t), added) in chunk.iter().zip(added) {
                if added {
                    self.actor_deltas.add_tie(wave_id, &f.region, &t.region, 1);
                }
            }
        }
        Ok(())
    }
}
