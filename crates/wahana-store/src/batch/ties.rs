//! Ties written in a batch: both ends observed in the wave, parallel ties written once.

use super::{Batch, BatchTx, CHUNK};
use crate::StoreError;
use crate::ids::ActorKind;
use crate::ids::actor_not_found;
use crate::sqlite_tx::{Rows, one_row_sql};
use sqlx::QueryBuilder;
use wahana_domain::Tie;
use wahana_domain::codes::Code;

/// The columns and upsert of a tie: one text for both arms.
const TIE_INSERT: &str = "INSERT INTO ties (wave_id, from_id, from_kind, to_id, to_kind, tie_type, \
    since, notes, created_at) ";

const TIE_WIDTH: usize = 9;

/// A tie (a network, an institution) carried forward unconfirmed is confirmed when the
/// re-survey records it again.
const TIE_UPSERT: &str = " ON CONFLICT (from_id, to_id, tie_type, wave_id) DO UPDATE SET \
    since = excluded.since, notes = excluded.notes, confirmed = TRUE";

impl Batch {
    /// Saves ties whose two ends are observed in the wave (check with [`Batch::observed_kind`]
    /// first to report missing ends row by row). A tie the wave holds already (same ends and
    /// type) is updated.
    pub async fn save_ties(&mut self, wave_id: &str, ties: &[Tie]) -> Result<(), StoreError> {
        let mut kinds: std::collections::HashMap<String, ActorKind> = Default::default();
        let mut resolved = Vec::with_capacity(ties.len());
        for tie in ties {
            let mut ends = [None, None];
            for (slot, id) in ends.iter_mut().zip([&tie.from, &tie.to]) {
                *slot = match kinds.get(id) {
                    Some(k) => Some(*k),
                    None => {
                        let k = self.observed_kind(wave_id, id).await?;
                        if let Some(k) = k {
                            kinds.insert(id.clone(), k);
                        }
                        k
                    }
                };
            }
            let [Some(fk), Some(tk)] = ends else {
                let missing = if ends[0].is_none() {
                    &tie.from
                } else {
                    &tie.to
                };
                return Err(actor_not_found(missing));
            };
            resolved.push((tie.clone(), fk, tk));
        }
        self.save_resolved_ties(wave_id, &resolved).await
    }

    /// Saves ties whose ends' kinds the caller already knows (a generator, an import that
    /// resolved them). Parallel ties in the input are written once.
    pub async fn save_resolved_ties(
        &mut self,
        wave_id: &str,
        ties: &[(Tie, ActorKind, ActorKind)],
    ) -> Result<(), StoreError> {
        self.ensure_open(wave_id).await?;
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<&(Tie, ActorKind, ActorKind)> = ties
            .iter()
            .filter(|(t, _, _)| seen.insert((t.from.as_str(), t.to.as_str(), t.tie_type)))
            .collect();
        for chunk in unique.chunks(CHUNK) {
            let now = &self.now;
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut rows = Rows::new(TIE_WIDTH, chunk.len());
                    for (tie, fk, tk) in chunk {
                        rows.text(wave_id)
                            .text(&tie.from)
                            .text(fk.code())
                            .text(&tie.to)
                            .text(tk.code())
                            .text(tie.tie_type.code())
                            .opt_int(tie.since.map(i64::from))
                            .opt_text(tie.notes.as_deref())
                            .text(now);
                    }
                    let sql = one_row_sql(TIE_INSERT, TIE_WIDTH, TIE_UPSERT);
                    w.queue_rows(sql, rows).await?;
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(TIE_INSERT);
                    qb.push_values(chunk, |mut b, (tie, fk, tk)| {
                        b.push_bind(wave_id.to_string())
                            .push_bind(tie.from.clone())
                            .push_bind(fk.code())
                            .push_bind(tie.to.clone())
                            .push_bind(tk.code())
                            .push_bind(tie.tie_type.code())
                            .push_bind(tie.since.map(i64::from))
                            .push_bind(tie.notes.clone())
                            .push_bind(now.clone());
                    });
                    qb.push(TIE_UPSERT);
                    qb.build().execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }
}
