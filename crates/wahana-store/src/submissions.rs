//! What phones send (OpenRosa submissions from ODK Collect): one row per `instanceID`, its XML
//! exactly as received, its attachments, and where it stands in the inbox (pending, accepted,
//! rejected, replaced). Nothing here is ever deleted: a rejected submission stays readable.
//!
//! The store keeps what it is given: the server has parsed the XML, checked who sent it and
//! for which region, and decides what an accepted submission becomes (an import of its answers,
//! `Batch::accept_submission` inside the import's own transaction).

use crate::audit::AuditChange;
use crate::batch::{Arg, Batch};
use crate::regions::bounds;
use crate::{Store, StoreError, on_pool};
use serde::Serialize;
use wahana_domain::RegionCode;

/// A submission as received.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    /// `uuid:…`, the form's `meta/instanceID`.
    pub instance_id: String,
    pub form_id: String,
    pub form_version: Option<String>,
    /// The region of the address it was sent to.
    pub region_code: RegionCode,
    /// The village its answers name, when they name one in the region tree.
    pub village_code: Option<RegionCode>,
    pub xml: String,
    /// MD5 of `xml`, hex.
    pub xml_md5: String,
    /// `meta/deprecatedID`: the earlier submission this one edits.
    pub deprecated_id: Option<String>,
    pub device_id: Option<String>,
    /// The account that sent it.
    pub submitted_by: String,
}

/// An attachment as received.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// What became of a submission sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A new submission, pending in its region's inbox.
    Created { id: i64 },
    /// The same instance with the same XML, sent again (ODK Collect does so with the
    /// attachments that did not fit): the attachments not held yet are added.
    Resent { id: i64, files_added: usize },
    /// The same instance with another XML: refused.
    Conflict { id: i64 },
}

/// An attachment held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    pub name: String,
    pub content_type: String,
    pub size: i64,
}

/// A submission held, with its attachments' names (not their bytes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubmissionRecord {
    pub id: i64,
    pub instance_id: String,
    pub form_id: String,
    pub form_version: Option<String>,
    pub region_code: String,
    pub village_code: Option<String>,
    #[serde(skip)]
    pub xml: String,
    pub deprecated_id: Option<String>,
    pub device_id: Option<String>,
    pub submitted_by: String,
    pub received_at: String,
    /// `pending`, `accepted`, `rejected` or `replaced`.
    pub status: String,
    pub reason: Option<String>,
    /// The answers an officer changed before accepting (a JSON object, field path -> value).
    #[serde(skip)]
    pub edited: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub wave_id: Option<String>,
    pub group_id: Option<String>,
    pub files: Vec<FileInfo>,
}

impl SubmissionRecord {
    /// The village it names, or else the region it was sent to: where it belongs.
    pub fn place(&self) -> &str {
        self.village_code.as_deref().unwrap_or(&self.region_code)
    }
}

/// How many submissions a region's inbox holds, by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InboxCounts {
    pub pending: i64,
    pub accepted: i64,
    pub rejected: i64,
    pub replaced: i64,
}

#[derive(sqlx::FromRow)]
struct SubmissionRow {
    id: i64,
    instance_id: String,
    form_id: String,
    form_version: Option<String>,
    region_code: String,
    village_code: Option<String>,
    xml: String,
    deprecated_id: Option<String>,
    device_id: Option<String>,
    submitted_by: String,
    received_at: String,
    status: String,
    reason: Option<String>,
    edited: Option<String>,
    decided_by: Option<String>,
    decided_at: Option<String>,
    wave_id: Option<String>,
    group_id: Option<String>,
}

const SELECT: &str = "SELECT id, instance_id, form_id, form_version, region_code, village_code, \
    xml, deprecated_id, device_id, submitted_by, received_at, status, reason, edited, \
    decided_by, decided_at, wave_id, group_id FROM submissions";

fn record(r: SubmissionRow) -> SubmissionRecord {
    SubmissionRecord {
        id: r.id,
        instance_id: r.instance_id,
        form_id: r.form_id,
        form_version: r.form_version,
        region_code: r.region_code,
        village_code: r.village_code,
        xml: r.xml,
        deprecated_id: r.deprecated_id,
        device_id: r.device_id,
        submitted_by: r.submitted_by,
        received_at: r.received_at,
        status: r.status,
        reason: r.reason,
        edited: r.edited,
        decided_by: r.decided_by,
        decided_at: r.decided_at,
        wave_id: r.wave_id,
        group_id: r.group_id,
        files: Vec::new(),
    }
}

/// Where a submission belongs, for a region's range of codes.
const PLACE: &str = "COALESCE(village_code, region_code)";

impl Store {
    /// Keeps a submission sent (see [`Received`]), with its attachments, in one transaction.
    /// An edit (`deprecated_id`) of a submission still pending marks that one `replaced`.
    pub async fn receive_submission(
        &self,
        s: &NewSubmission,
        files: &[NewFile],
    ) -> Result<Received, StoreError> {
        // A batch: on SQLite the write lock is taken first (BEGIN IMMEDIATE, waiting its turn),
        // so that phones sending at once queue instead of failing busy.
        let mut batch = self.begin().await?;
        let now = batch.now.clone();
        let held = batch
            .fetch_i64(
                "SELECT id FROM submissions WHERE instance_id = $1",
                vec![s.instance_id.as_str().into()],
            )
            .await?;
        let (id, created) = match held {
            Some(id) => {
                let same = batch
                    .fetch_i64(
                        "SELECT id FROM submissions WHERE id = $1 AND xml_md5 = $2",
                        vec![id.into(), s.xml_md5.as_str().into()],
                    )
                    .await?;
                if same.is_none() {
                    batch.rollback().await?;
                    return Ok(Received::Conflict { id });
                }
                (id, false)
            }
            None => {
                let id = batch
                    .fetch_i64(
                        "INSERT INTO submissions (instance_id, form_id, form_version, region_code, \
                         village_code, xml, xml_md5, deprecated_id, device_id, submitted_by, \
                         received_at, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                         'pending') RETURNING id",
                        vec![
                            s.instance_id.as_str().into(),
                            s.form_id.as_str().into(),
                            s.form_version.clone().into(),
                            s.region_code.as_str().into(),
                            s.village_code.as_ref().map(|c| c.as_str()).into(),
                            s.xml.as_str().into(),
                            s.xml_md5.as_str().into(),
                            s.deprecated_id.clone().into(),
                            s.device_id.clone().into(),
                            s.submitted_by.as_str().into(),
                            now.as_str().into(),
                        ],
                    )
                    .await?
                    .ok_or(StoreError::Database(sqlx::Error::RowNotFound))?;
                if let Some(old) = &s.deprecated_id {
                    batch
                        .execute(
                            "UPDATE submissions SET status = 'replaced', reason = $2 \
                             WHERE instance_id = $1 AND status = 'pending'",
                            vec![
                                old.as_str().into(),
                                format!("diganti oleh kiriman #{id} (suntingan dari ponsel)")
                                    .into(),
                            ],
                        )
                        .await?;
                }
                (id, true)
            }
        };
        let mut added = 0usize;
        for f in files {
            added += batch
                .execute(
                    "INSERT INTO submission_files (submission_id, name, content_type, size, bytes, \
                     received_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (submission_id, name) DO NOTHING",
                    vec![
                        id.into(),
                        f.name.as_str().into(),
                        f.content_type.as_str().into(),
                        (f.bytes.len() as i64).into(),
                        Arg::Bytes(f.bytes.clone()),
                        now.as_str().into(),
                    ],
                )
                .await? as usize;
        }
        if created {
            let change =
                AuditChange::new(&format!("odk:{}", s.submitted_by), "receive", "kiriman", id)
                    .region(Some(
                        s.village_code.as_ref().unwrap_or(&s.region_code).as_str(),
                    ))
                    .after(&serde_json::json!({
                        "instance_id": s.instance_id,
                        "form_id": s.form_id,
                        "form_version": s.form_version,
                        "deprecated_id": s.deprecated_id,
                        "device_id": s.device_id,
                        "files": files.iter().map(|f| &f.name).collect::<Vec<_>>(),
                    }));
            batch.write_audit(&change).await?;
        }
        batch.commit().await?;
        Ok(if created {
            Received::Created { id }
        } else {
            Received::Resent {
                id,
                files_added: added,
            }
        })
    }

    /// One submission, with its attachments' names.
    pub async fn submission(&self, id: i64) -> Result<Option<SubmissionRecord>, StoreError> {
        let row: Option<SubmissionRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        let Some(mut s) = row.map(record) else {
            return Ok(None);
        };
        let files: Vec<(String, String, i64)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT name, content_type, size FROM submission_files \
                 WHERE submission_id = $1 ORDER BY name",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        });
        s.files = files
            .into_iter()
            .map(|(name, content_type, size)| FileInfo {
                name,
                content_type,
                size,
            })
            .collect();
        Ok(Some(s))
    }

    /// The submission of an `instanceID`.
    pub async fn submission_by_instance(
        &self,
        instance_id: &str,
    ) -> Result<Option<SubmissionRecord>, StoreError> {
        let id: Option<i64> = on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT id FROM submissions WHERE instance_id = $1")
                .bind(instance_id.to_string())
                .fetch_optional(p)
                .await?
        });
        match id {
            Some(id) => self.submission(id).await,
            None => Ok(None),
        }
    }

    /// The submissions that belong under `region` (by the village they name, else the region
    /// they were sent to), with `status` when given, the newest first; attachments not read.
    pub async fn submissions(
        &self,
        region: Option<&RegionCode>,
        status: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SubmissionRecord>, StoreError> {
        let (lo, hi) = bounds(region);
        let rows: Vec<SubmissionRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE {PLACE} >= $1 AND {PLACE} < $2 AND ($3 IS NULL OR status = $3) \
                 ORDER BY id DESC LIMIT $4 OFFSET $5"
            )))
            .bind(lo)
            .bind(hi)
            .bind(status.map(str::to_string))
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(record).collect())
    }

    /// How many submissions belong under `region`, by status.
    pub async fn inbox_counts(
        &self,
        region: Option<&RegionCode>,
    ) -> Result<InboxCounts, StoreError> {
        let (lo, hi) = bounds(region);
        let rows: Vec<(String, i64)> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT status, COUNT(*) FROM submissions WHERE {PLACE} >= $1 AND {PLACE} < $2 \
                 GROUP BY status"
            )))
            .bind(lo)
            .bind(hi)
            .fetch_all(p)
            .await?
        });
        let mut c = InboxCounts::default();
        for (status, n) in rows {
            match status.as_str() {
                "pending" => c.pending = n,
                "accepted" => c.accepted = n,
                "rejected" => c.rejected = n,
                "replaced" => c.replaced = n,
                _ => {}
            }
        }
        Ok(c)
    }

    /// One attachment's type and bytes.
    pub async fn submission_file(
        &self,
        id: i64,
        name: &str,
    ) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT content_type, bytes FROM submission_files \
                 WHERE submission_id = $1 AND name = $2",
            )
            .bind(id)
            .bind(name.to_string())
            .fetch_optional(p)
            .await?
        }))
    }

    /// Rejects a pending submission with a reason, with its audit entry; `false` when it is
    /// no longer pending (someone decided first).
    pub async fn reject_submission(
        &self,
        id: i64,
        reason: &str,
        actor: &str,
        region: &str,
    ) -> Result<bool, StoreError> {
        let mut batch = self.begin().await?;
        let now = batch.now.clone();
        let n = batch
            .execute(
                "UPDATE submissions SET status = 'rejected', reason = $2, decided_by = $3, \
                 decided_at = $4 WHERE id = $1 AND status = 'pending'",
                vec![id.into(), reason.into(), actor.into(), now.as_str().into()],
            )
            .await?;
        if n == 0 {
            batch.rollback().await?;
            return Ok(false);
        }
        let change = AuditChange::new(actor, "reject", "kiriman", id)
            .region(Some(region))
            .after(&serde_json::json!({ "reason": reason }));
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(true)
    }

    /// The answers an officer changed before accepting (kept beside the XML, never in it).
    pub async fn set_submission_edits(&self, id: i64, edited: &str) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query("UPDATE submissions SET edited = $2 WHERE id = $1 AND status = 'pending'")
                .bind(id)
                .bind(edited.to_string())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// The HTTP Digest hash of a person's password (`MD5(name:realm:password)`), kept so that
    /// ODK Collect can sign in with Digest authentication.
    pub async fn set_digest_ha1(&self, user_id: i64, ha1: &str) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query("UPDATE users SET digest_ha1 = $2 WHERE id = $1")
                .bind(user_id)
                .bind(ha1.to_string())
                .execute(p)
                .await?;
        });
        Ok(())
    }

    /// A person's Digest hash, when one is kept.
    pub async fn digest_ha1(&self, name: &str) -> Result<Option<String>, StoreError> {
        let v: Option<Option<String>> = on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT digest_ha1 FROM users WHERE name = $1")
                .bind(name.to_string())
                .fetch_optional(p)
                .await?
        });
        Ok(v.flatten())
    }

    /// Whether clean, unmatched submissions go into wave `id` with no person looking.
    pub async fn wave_auto_accept(&self, id: &str) -> Result<bool, StoreError> {
        let v: Option<i64> = on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT auto_accept FROM waves WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(p)
                .await?
        });
        Ok(v.unwrap_or(0) != 0)
    }

    /// The open waves that accept clean submissions automatically, the latest first.
    pub async fn auto_accept_waves(&self) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT id FROM waves WHERE auto_accept <> 0 AND status = 'open' \
                 ORDER BY COALESCE(end_date, start_date, '') DESC, id",
            )
            .fetch_all(p)
            .await?
        }))
    }

    /// Sets whether wave `id` accepts clean submissions automatically, with its audit entry.
    pub async fn set_wave_auto_accept(
        &self,
        id: &str,
        on: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        batch
            .execute(
                "UPDATE waves SET auto_accept = $2 WHERE id = $1",
                vec![id.into(), i64::from(on).into()],
            )
            .await?;
        let change = AuditChange::new(actor, "update", "pendataan", id)
            .after(&serde_json::json!({ "auto_accept": on }));
        batch.write_audit(&change).await?;
        batch.commit().await
    }
}

impl Batch {
    /// Marks a pending submission accepted into `wave` as the record `group_id`, in the
    /// transaction that writes that record (an import of its answers); `false` when it is no
    /// longer pending, and the caller rolls the batch back.
    pub async fn accept_submission(
        &mut self,
        id: i64,
        wave: &str,
        group_id: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now.clone();
        let n = self
            .execute(
                "UPDATE submissions SET status = 'accepted', wave_id = $2, group_id = $3, \
                 decided_by = $4, decided_at = $5, reason = NULL WHERE id = $1 AND status = 'pending'",
                vec![
                    id.into(),
                    wave.into(),
                    group_id.into(),
                    actor.into(),
                    now.as_str().into(),
                ],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        let change = AuditChange::new(actor, "accept", "kiriman", id).after(&serde_json::json!({
            "wave": wave,
            "group": group_id,
        }));
        self.write_audit(&change).await?;
        Ok(true)
    }
}
