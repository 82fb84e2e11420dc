//! Ids drawn inside a batch: the next free number of a prefix (`id_sequences`), and a new
//! record's id checked against every kind of actor. The kinds and prefixes: `crate::ids`.

use super::{Batch, BatchTx};
use crate::StoreError;
use crate::ids::{NewActor, already_observed, id_taken, suffix_number};
use crate::sqlite_tx;
use std::collections::HashSet;

/// Ids with a prefix, of every kind (`$1` the prefix, `$2` its end).
const IDS_UNDER_SQL: &str = "SELECT id FROM actors WHERE id >= $1 AND id < $2";

impl Batch {
    /// Draws `n` new ids `{prefix}NNNN` (at least four digits), none held by a group, a
    /// network or an institution (as this batch sees it) nor `taken` by the caller (ids a file
    /// gives on rows not written yet). The numbers come from `id_sequences`, in this batch's
    /// transaction: on SQLite the batch holds the write lock; on PostgreSQL the sequence's row
    /// stays locked until the batch ends, so concurrent writers draw one after another and
    /// never the same number. A prefix used for the first time starts after the highest
    /// all-digit suffix held under it.
    pub async fn allocate_ids(
        &mut self,
        prefix: &str,
        n: usize,
        taken: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let want = (n - out.len()) as i64;
            let bumped = self
                .fetch_i64(
                    "UPDATE id_sequences SET last = last + $2 WHERE prefix = $1 RETURNING last",
                    vec![prefix.into(), want.into()],
                )
                .await?;
            let last = match bumped {
                Some(last) => last,
                None => {
                    let held = self.highest_suffix(prefix).await?;
                    // Another writer may have seeded the prefix meanwhile (PostgreSQL: this
                    // waits for it to end): the conflict then draws after its numbers.
                    self.fetch_i64(
                        "INSERT INTO id_sequences (prefix, last) VALUES ($1, $2) \
                         ON CONFLICT (prefix) DO UPDATE SET last = id_sequences.last + $3 \
                         RETURNING last",
                        vec![prefix.into(), (held + want).into(), want.into()],
                    )
                    .await?
                    .ok_or_else(|| StoreError::Writer("id_sequences gave no row".into()))?
                }
            };
            let candidates: Vec<String> = (last - want + 1..=last)
                .map(|k| format!("{prefix}{k:04}"))
                .collect();
            let mut held = HashSet::new();
            held.extend(self.any_ids(&candidates).await?);
            if !held.is_empty() {
                // Ids given by hand or by a file above the sequence: go on after the highest.
                let highest = self.highest_suffix(prefix).await?;
                self.execute(
                    "UPDATE id_sequences SET last = $2 WHERE prefix = $1 AND last < $2",
                    vec![prefix.into(), highest.into()],
                )
                .await?;
            }
            out.extend(
                candidates
                    .into_iter()
                    .filter(|id| !held.contains(id) && !taken(id)),
            );
        }
        Ok(out)
    }

    /// The highest number after `prefix` of an id held in any actor table (0 when none).
    async fn highest_suffix(&mut self, prefix: &str) -> Result<i64, StoreError> {
        let end = format!("{prefix}~");
        let ids: Vec<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => {
                w.column(
                    IDS_UNDER_SQL,
                    vec![sqlite_tx::text(prefix), sqlite_tx::text(end)],
                )
                .await?
            }
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(IDS_UNDER_SQL)
                    .bind(prefix.to_string())
                    .bind(end)
                    .fetch_all(&mut **t)
                    .await?
            }
        };
        Ok(ids
            .iter()
            .filter_map(|id| suffix_number(id, prefix))
            .max()
            .unwrap_or(0))
    }

    /// `record` ready to insert as a new actor: without an id, it gets the next free one of
    /// its region's prefix ([`ActorKind::id_prefix`]); an id given that any actor holds is refused
    /// (`id_taken`, naming the kind that holds it).
    pub(crate) async fn with_id<T: NewActor>(&mut self, record: &T) -> Result<T, StoreError> {
        let mut record = record.clone();
        if record.id_mut().is_empty() {
            let prefix = T::KIND.id_prefix(record.id_region());
            if let Some(new) = self.allocate_ids(&prefix, 1, &|_| false).await?.pop() {
                *record.id_mut() = new;
            }
        } else if let Some(holder) = self.actor_kind(record.id_mut()).await? {
            return Err(id_taken(record.id_mut(), holder));
        }
        Ok(record)
    }

    /// `record` ready to be observed in `wave`: a new actor as [`Batch::with_id`] makes it, or
    /// an actor of the same kind held already and not yet observed in `wave` (a re-survey
    /// entered by hand). An actor the wave already observes is refused (`already_observed`).
    pub(crate) async fn with_id_in_wave<T: NewActor>(
        &mut self,
        wave: &str,
        record: &T,
    ) -> Result<T, StoreError> {
        let mut record = record.clone();
        let id = record.id_mut().clone();
        if id.is_empty() || self.actor_kind(&id).await? != Some(T::KIND) {
            return self.with_id(&record).await;
        }
        if self.observed_kind(wave, &id).await?.is_some() {
            return Err(already_observed(T::KIND, &id, wave));
        }
        Ok(record)
    }
}
