//! What the linking of a re-survey needs inside an import's transaction: the groups a village
//! had in other waves and not yet in this one, and the links and proposed pairs it decides.
//! The decisions themselves are the domain's (`wahana_domain::linking`).

use crate::Refusal;
use crate::batch::{Arg, BatchTx, CHUNK};
use crate::columns::GROUP_SELECT;
use crate::ids::already_observed;
use crate::rows::GroupRow;
use crate::sqlite_tx::{self, Rows, one_row_sql};
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
                w.call(move |c| crate::columns::group_rows(c, &sql, &params))
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

    /// The date of every wave (its end, else its start), as this batch sees them: read inside
    /// the batch, since on SQLite a bulk import's writes may keep other connections out.
    pub async fn wave_dates(
        &mut self,
    ) -> Result<std::collections::HashMap<String, Option<wahana_domain::Date>>, StoreError> {
        const SQL: &str = "SELECT id, COALESCE(end_date, start_date) FROM waves";
        let rows: Vec<(String, Option<String>)> = match &mut self.tx {
            BatchTx::Sqlite(w) => {
                w.call(|c| {
                    let mut st = c.prepare_cached(SQL)?;
                    let rows = st
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(rows)
                })
                .await?
            }
            BatchTx::Postgres(t) => sqlx::query_as(SQL).fetch_all(&mut **t).await?,
        };
        Ok(rows
            .into_iter()
            .map(|(id, d)| (id, d.as_deref().and_then(wahana_domain::Date::parse)))
            .collect())
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

/// A proposed pair as held, with what an officer needs to decide it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewRecord {
    pub id: i64,
    pub wave_id: String,
    /// The group the import created for the row.
    pub new_id: String,
    pub new_name: Option<String>,
    /// The earlier group it may continue.
    pub candidate_id: String,
    pub candidate_name: Option<String>,
    pub village: Option<String>,
    pub score: f64,
    /// `pending`, `accepted`, `rejected` or `superseded` (another pair of the same group was
    /// accepted).
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ReviewRow {
    id: i64,
    wave_id: String,
    new_id: String,
    new_name: Option<String>,
    candidate_id: String,
    candidate_name: Option<String>,
    village: Option<String>,
    score: f64,
    status: String,
    decided_by: Option<String>,
    decided_at: Option<String>,
}

impl From<ReviewRow> for ReviewRecord {
    fn from(r: ReviewRow) -> ReviewRecord {
        ReviewRecord {
            id: r.id,
            wave_id: r.wave_id,
            new_id: r.new_id,
            new_name: r.new_name,
            candidate_id: r.candidate_id,
            candidate_name: r.candidate_name,
            village: r.village,
            score: r.score,
            status: r.status,
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        }
    }
}

const REVIEW_SELECT: &str = "SELECT r.id, r.wave_id, r.new_id, \
    (SELECT g.name FROM groups g WHERE g.id = r.new_id AND g.wave_id = r.wave_id) AS new_name, \
    r.candidate_id, \
    (SELECT g.name FROM groups g WHERE g.id = r.candidate_id AND g.wave_id <> r.wave_id \
     ORDER BY g.wave_id DESC LIMIT 1) AS candidate_name, \
    (SELECT a.region_code FROM actors a WHERE a.id = r.candidate_id) AS village, \
    r.score, r.status, r.decided_by, r.decided_at FROM link_review r";

impl crate::Store {
    /// The pairs proposed in `wave`, in a region (by the earlier group's village) when given,
    /// pending ones only unless `all`; best score first.
    pub async fn reviews(
        &self,
        wave: &str,
        region: Option<&RegionCode>,
        all: bool,
    ) -> Result<Vec<ReviewRecord>, StoreError> {
        let (lo, hi) = crate::regions::bounds(region);
        let sql = format!(
            "SELECT * FROM ({REVIEW_SELECT} WHERE r.wave_id = $1 AND ($4 OR r.status = 'pending')) q \
             WHERE q.village >= $2 AND q.village < $3 ORDER BY q.score DESC, q.id"
        );
        let rows: Vec<ReviewRow> = crate::on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(wave.to_string())
                .bind(lo)
                .bind(hi)
                .bind(all)
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().map(ReviewRecord::from).collect())
    }

    /// One proposed pair.
    pub async fn review(&self, id: i64) -> Result<Option<ReviewRecord>, StoreError> {
        let sql = format!("{REVIEW_SELECT} WHERE r.id = $1");
        let row: Option<ReviewRow> = crate::on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        });
        Ok(row.map(ReviewRecord::from))
    }

    /// Decides a pending pair. Accepted: the group the row created becomes the wave's
    /// observation of the earlier group (its id, ties in the wave and members move to it, the
    /// created group goes), with a `reviewed` link naming `officer` and the score; the other
    /// pending pairs of either group are superseded. Rejected: the row stays a new group. One
    /// transaction, with an audit entry; refused when the wave is closed, the pair is decided
    /// already, or the earlier group is observed in the wave meanwhile.
    pub async fn decide_review(
        &self,
        id: i64,
        accept: bool,
        officer: &str,
    ) -> Result<ReviewRecord, StoreError> {
        let Some(r) = self.review(id).await? else {
            return Err(StoreError::NotFound {
                kind: "usulan tautan",
                id: id.to_string(),
            });
        };
        if r.status != "pending" {
            return Err(Refusal::ReviewDecided {
                review: id,
                status: r.status,
            }
            .into());
        }
        let mut batch = self.begin().await?;
        batch.ensure_open(&r.wave_id).await?;
        let (new, cand, wave) = (
            r.new_id.as_str(),
            r.candidate_id.as_str(),
            r.wave_id.as_str(),
        );
        if accept {
            if batch.observed_kind(wave, cand).await?.is_some() {
                return Err(already_observed(crate::ActorKind::Group, cand, wave));
            }
            // The ties re-keyed to the earlier group move to its region in the counts.
            const REKEYED: &str =
                "t.wave_id = $3 AND (t.from_id IN ($1, $2) OR t.to_id IN ($1, $2))";
            let args = || -> Vec<Arg> { vec![new.into(), cand.into(), wave.into()] };
            batch.retally_ties(-1, REKEYED, args()).await?;
            for sql in [
                "UPDATE groups SET id = $2 WHERE id = $1 AND wave_id = $3",
                "UPDATE ties SET from_id = $2 WHERE from_id = $1 AND wave_id = $3",
                "UPDATE ties SET to_id = $2 WHERE to_id = $1 AND wave_id = $3",
            ] {
                batch.execute(sql, args()).await?;
            }
            batch.retally_ties(1, REKEYED, args()).await?;
            batch
                .execute(
                    "UPDATE members SET group_id = $2 WHERE group_id = $1 \
                     AND NOT EXISTS (SELECT 1 FROM groups WHERE groups.id = $1)",
                    vec![new.into(), cand.into()],
                )
                .await?;
            batch
                .execute(
                    "DELETE FROM actors WHERE id = $1 \
                     AND NOT EXISTS (SELECT 1 FROM groups WHERE groups.id = $1)",
                    vec![new.into()],
                )
                .await?;
            batch
                .save_links(
                    wave,
                    &[NewLink {
                        from_id: cand.to_string(),
                        to_id: cand.to_string(),
                        kind: "continues",
                        method: "reviewed",
                        score: Some(r.score),
                        accepted_by: Some(officer.to_string()),
                    }],
                )
                .await?;
            batch
                .execute(
                    "UPDATE link_review SET status = 'superseded' WHERE wave_id = $1 \
                     AND status = 'pending' AND (new_id = $2 OR candidate_id = $3)",
                    vec![wave.into(), new.into(), cand.into()],
                )
                .await?;
        }
        let now = batch.now.clone();
        batch
            .execute(
                "UPDATE link_review SET status = $2, decided_by = $3, decided_at = $4 WHERE id = $1",
                vec![
                    id.into(),
                    (if accept { "accepted" } else { "rejected" }).into(),
                    officer.into(),
                    now.into(),
                ],
            )
            .await?;
        let change = crate::AuditChange::new(
            officer,
            if accept { "link_accept" } else { "link_reject" },
            "kelompok",
            if accept { cand } else { new },
        )
        .region(r.village.as_deref())
        .before(&r);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(self.review(id).await?.unwrap_or(r))
    }
}

impl Batch {
    /// Copies the networks and institutions `from` observes in a region (by village, or by an
    /// institution's own region) into `to` as unconfirmed observations (`confirmed = false`,
    /// until the re-survey confirms or ends them), with the ties `from` holds between them.
    /// Returns how many networks, institutions and ties were copied.
    pub async fn carry_actors(
        &mut self,
        from: &str,
        to: &str,
        region: &RegionCode,
    ) -> Result<(u64, u64, u64), StoreError> {
        self.ensure_open(to).await?;
        let (lo, hi) = crate::regions::bounds(Some(region));
        let args = || -> Vec<Arg> {
            vec![
                from.into(),
                to.into(),
                lo.as_str().into(),
                hi.as_str().into(),
            ]
        };
        // The counts of `to`: its rows go before the copy and come back with the copies after.
        self.retally_wave(to, -1).await?;
        let networks = self
            .execute(
                "INSERT INTO networks (id, wave_id, village_code, local_unit, level, name, \
                 founded_year, chair, secretary, treasurer, phone, decree_number, decree_date, \
                 notes, created_at, updated_at, confirmed) \
                 SELECT id, $2, village_code, local_unit, level, name, founded_year, chair, \
                 secretary, treasurer, phone, decree_number, decree_date, notes, created_at, \
                 updated_at, FALSE FROM networks WHERE wave_id = $1 \
                 AND village_code >= $3 AND village_code < $4",
                args(),
            )
            .await?;
        let institutions = self
            .execute(
                "INSERT INTO institutions (id, wave_id, region_code, kind, name, address, \
                 contact, phone, latitude, longitude, notes, created_at, updated_at, confirmed) \
                 SELECT id, $2, region_code, kind, name, address, contact, phone, latitude, \
                 longitude, notes, created_at, updated_at, FALSE FROM institutions \
                 WHERE wave_id = $1 AND region_code >= $3 AND region_code < $4",
                args(),
            )
            .await?;
        let ties = self
            .execute(
                "INSERT INTO ties (wave_id, from_id, from_kind, to_id, to_kind, tie_type, since, \
                 notes, created_at, confirmed) \
                 SELECT $2, t.from_id, t.from_kind, t.to_id, t.to_kind, t.tie_type, t.since, \
                 t.notes, t.created_at, FALSE FROM ties t WHERE t.wave_id = $1 \
                 AND t.from_kind <> 'kelompok' AND t.to_kind <> 'kelompok' \
                 AND EXISTS (SELECT 1 FROM networks n WHERE n.id = t.from_id AND n.wave_id = $2 \
                   AND n.village_code >= $3 AND n.village_code < $4 \
                   UNION ALL SELECT 1 FROM institutions i WHERE i.id = t.from_id \
                   AND i.wave_id = $2 AND i.region_code >= $3 AND i.region_code < $4) \
                 AND EXISTS (SELECT 1 FROM networks n WHERE n.id = t.to_id AND n.wave_id = $2 \
                   UNION ALL SELECT 1 FROM institutions i WHERE i.id = t.to_id AND i.wave_id = $2)",
                args(),
            )
            .await?;
        self.retally_wave(to, 1).await?;
        Ok((networks, institutions, ties))
    }
}

impl crate::Store {
    /// Records by hand that group `to_id`, observed in `wave`, continues group `from_id` of an
    /// earlier wave: `kind` is `merged` (two or more groups became one: one link per earlier
    /// group), `split` (one group became two or more: one link per later group) or
    /// `continues`. The link is `reviewed`, accepted by `officer`, with an audit entry. Refused
    /// when the wave is closed, `to_id` is not observed in it, or `from_id` is observed in no
    /// other wave.
    pub async fn record_link(
        &self,
        wave: &str,
        from_id: &str,
        to_id: &str,
        kind: &'static str,
        officer: &str,
    ) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        batch.ensure_open(wave).await?;
        if batch.observed_kind(wave, to_id).await? != Some(crate::ActorKind::Group) {
            return Err(Refusal::NotObserved {
                group: to_id.to_string(),
                wave: wave.to_string(),
            }
            .into());
        }
        let elsewhere = batch
            .waves_observing(from_id)
            .await?
            .into_iter()
            .any(|w| w != wave);
        if !elsewhere {
            return Err(Refusal::ObservedNowhereElse {
                group: from_id.to_string(),
                wave: wave.to_string(),
            }
            .into());
        }
        batch
            .save_links(
                wave,
                &[NewLink {
                    from_id: from_id.to_string(),
                    to_id: to_id.to_string(),
                    kind,
                    method: "reviewed",
                    score: None,
                    accepted_by: Some(officer.to_string()),
                }],
            )
            .await?;
        let change = crate::AuditChange::new(officer, "link", "kelompok", to_id)
            .after(&serde_json::json!({"wave": wave, "from": from_id, "to": to_id, "kind": kind}));
        batch.write_audit(&change).await?;
        batch.commit().await
    }
}
