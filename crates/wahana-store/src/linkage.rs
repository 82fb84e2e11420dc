//! What the linking of a re-survey needs inside an import's transaction: the groups a village
//! had in other waves and not yet in this one, and the links and proposed pairs it decides.
//! The decisions themselves are the domain's (`wahana_domain::linking`).

use crate::registry::{BatchTx, CHUNK, one_row_sql};
use crate::rows::{GROUP_SELECT, GroupRow};
use crate::sqlite_tx::{self, Rows};
use crate::{Batch, StoreError, StoredGroup};
use sqlx::{AssertSqlSafe, QueryBuilder};
use wahana_domain::RegionCode;

/// A link decided by an import or an officer: observation `to_id` in the batch's wave
/// continues group `from_id` (the same id unless two groups merged or one split).
#[derive(Debug, Clone, PartialEq)]
pub struct NewLink {
    pub from_id: String,
    pub to_id: String,
    /// `continues`, `merged` or `split`.
    pub kind: &'static str,
    /// `matched` or `reviewed` (`same_id` needs no row: the same id in two waves says it).
    pub method: &'static str,
    pub score: Option<f64>,
    pub accepted_by: Option<String>,
}

/// A proposed pair for an officer: the group `new_id` a row created, which may continue
/// `candidate_id`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReview {
    pub new_id: String,
    pub candidate_id: String,
    pub score: f64,
}

const LINK_INSERT: &str =
    "INSERT INTO links (wave_id, from_id, to_id, kind, method, score, accepted_by, created_at) ";
const LINK_UPSERT: &str = " ON CONFLICT (wave_id, from_id, to_id) DO UPDATE SET \
    kind = excluded.kind, method = excluded.method, score = excluded.score, \
    accepted_by = excluded.accepted_by";
const REVIEW_INSERT: &str =
    "INSERT INTO link_review (wave_id, new_id, candidate_id, score, created_at) ";
const REVIEW_KEEP: &str = " ON CONFLICT (wave_id, new_id, candidate_id) DO NOTHING";

impl Batch {
    /// The observations of `village`'s groups in waves other than `wave`, of groups `wave`
    /// does not observe (yet): what a row without an id may continue. Every observation is
    /// returned; the caller keeps the ones of earlier waves.
    pub async fn unobserved_in_village(
        &mut self,
        wave: &str,
        village: &RegionCode,
    ) -> Result<Vec<StoredGroup>, StoreError> {
        let sql = format!(
            "{GROUP_SELECT} WHERE village_code = $1 AND wave_id <> $2 AND NOT EXISTS \
             (SELECT 1 FROM groups h WHERE h.id = groups.id AND h.wave_id = $2)"
        );
        let rows: Vec<GroupRow> = match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let params = vec![sqlite_tx::text(village.as_str()), sqlite_tx::text(wave)];
                w.call(move |c| sqlite_tx::group_rows(c, &sql, &params))
                    .await?
            }
            BatchTx::Postgres(t) => {
                sqlx::query_as(AssertSqlSafe(sql))
                    .bind(village.as_str().to_string())
                    .bind(wave.to_string())
                    .fetch_all(&mut **t)
                    .await?
            }
        };
        rows.into_iter().map(GroupRow::into_stored).collect()
    }

    /// Records links into `wave` (one per (from, to); a link held is replaced).
    pub async fn save_links(&mut self, wave: &str, links: &[NewLink]) -> Result<(), StoreError> {
        self.ensure_open(wave).await?;
        for chunk in links.chunks(CHUNK) {
            let now = self.now.clone();
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut rows = Rows::new(8, chunk.len());
                    for l in chunk {
                        rows.text(wave)
                            .text(&l.from_id)
                            .text(&l.to_id)
                            .text(l.kind)
                            .text(l.method)
                            .opt_real(l.score)
                            .opt_text(l.accepted_by.as_deref())
                            .text(&now);
                    }
                    w.queue_rows(one_row_sql(LINK_INSERT, 8, LINK_UPSERT), rows)
                        .await?;
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(LINK_INSERT);
                    qb.push_values(chunk, |mut b, l| {
                        b.push_bind(wave.to_string())
                            .push_bind(l.from_id.clone())
                            .push_bind(l.to_id.clone())
                            .push_bind(l.kind)
                            .push_bind(l.method)
                            .push_bind(l.score)
                            .push_bind(l.accepted_by.clone())
                            .push_bind(now.clone());
                    });
                    qb.push(LINK_UPSERT);
                    qb.build().execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }

    /// Records pairs proposed for review in `wave` (a pair held already stays as it is).
    pub async fn save_reviews(
        &mut self,
        wave: &str,
        reviews: &[NewReview],
    ) -> Result<(), StoreError> {
        self.ensure_open(wave).await?;
        for chunk in reviews.chunks(CHUNK) {
            let now = self.now.clone();
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut rows = Rows::new(5, chunk.len());
                    for r in chunk {
                        rows.text(wave)
                            .text(&r.new_id)
                            .text(&r.candidate_id)
                            .opt_real(Some(r.score))
                            .text(&now);
                    }
                    w.queue_rows(one_row_sql(REVIEW_INSERT, 5, REVIEW_KEEP), rows)
                        .await?;
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(REVIEW_INSERT);
                    qb.push_values(chunk, |mut b, r| {
                        b.push_bind(wave.to_string())
                            .push_bind(r.new_id.clone())
                            .push_bind(r.candidate_id.clone())
                            .push_bind(r.score)
                            .push_bind(now.clone());
                    });
                    qb.push(REVIEW_KEEP);
                    qb.build().execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }
}
