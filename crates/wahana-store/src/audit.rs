//! The audit trail: every change, who made it, when, and the values before and after.
//!
//! An entry is written in the transaction of the change it records ([`Batch::write_audit`]):
//! both land or neither does. The store's one-record writes (`insert_group`, `update_network`,
//! `delete_tie`, `add_member`, `create_user`, …) take the actor and write their entry
//! themselves, with the record before and after as the store holds it; a refused write (not
//! found, stale version, id taken) writes none.

use crate::arg::Arg;
use crate::regions::range_end;
use crate::{Batch, Store, StoreError, on_pool};
use serde::Serialize;
use wahana_domain::RegionCode;

/// One change to write.
#[derive(Debug, Clone, Default)]
pub struct AuditChange {
    /// `web:NAME`, `api:NAME` or `cli:OS_USER`.
    pub actor: String,
    /// `create`, `update`, `delete` or `restore` (a deleted record written back from its
    /// delete's entry); `import`; for people also `activate`, `deactivate` and `password`
    /// (set by an admin).
    pub action: &'static str,
    /// `kelompok`, `wahana`, `lembaga`, `ikatan`, `pengguna`.
    pub entity_kind: &'static str,
    pub entity_id: String,
    /// The village or region the record lives in, so a region's trail can be listed.
    pub region_code: Option<String>,
    /// The record before and after, as JSON (absent on create and delete respectively).
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One change as held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    pub region_code: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

type AuditRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn entry(r: AuditRow) -> AuditEntry {
    AuditEntry {
        id: r.0,
        at: r.1,
        actor: r.2,
        action: r.3,
        entity_kind: r.4,
        entity_id: r.5,
        region_code: r.6,
        before: r.7,
        after: r.8,
    }
}

const AUDIT_SELECT: &str = "SELECT id, at, actor, action, entity_kind, entity_id, region_code, \
                            before_json, after_json FROM audit";

const AUDIT_INSERT: &str = "INSERT INTO audit (at, actor, action, entity_kind, entity_id, \
    region_code, before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

impl AuditChange {
    /// A change to one record by `actor`, without region or values yet.
    pub(crate) fn new(
        actor: &str,
        action: &'static str,
        entity_kind: &'static str,
        entity_id: impl ToString,
    ) -> AuditChange {
        AuditChange {
            actor: actor.to_string(),
            action,
            entity_kind,
            entity_id: entity_id.to_string(),
            ..AuditChange::default()
        }
    }

    pub(crate) fn region(mut self, code: Option<&str>) -> AuditChange {
        self.region_code = code.map(str::to_string);
        self
    }

    /// The record before the change, as JSON.
    pub(crate) fn before(mut self, value: &impl Serialize) -> AuditChange {
        self.before = json(value);
        self
    }

    /// The record after the change, as JSON.
    pub(crate) fn after(mut self, value: &impl Serialize) -> AuditChange {
        self.after = json(value);
        self
    }
}

/// A value as JSON for the trail (`None` if it cannot be written, which serde_json only refuses
/// for maps with non-string keys).
fn json(value: &impl Serialize) -> Option<String> {
    serde_json::to_string(value).ok()
}

impl Batch {
    /// Writes one change to the trail in this batch's transaction: the entry lands with the
    /// batch's commit, or not at all. Its time is the batch's (that of the change's
    /// `updated_at`).
    pub async fn write_audit(&mut self, change: &AuditChange) -> Result<(), StoreError> {
        let args: Vec<Arg> = vec![
            self.now.as_str().into(),
            change.actor.as_str().into(),
            change.action.into(),
            change.entity_kind.into(),
            change.entity_id.as_str().into(),
            change.region_code.as_deref().into(),
            change.before.as_deref().into(),
            change.after.as_deref().into(),
        ];
        self.execute(AUDIT_INSERT, args).await?;
        Ok(())
    }
}

impl Store {
    /// The changes to one record, newest first.
    pub async fn audit_of(
        &self,
        entity_kind: &str,
        entity_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE entity_kind = $1 AND entity_id = $2 ORDER BY id DESC LIMIT $3"
            )))
            .bind(entity_kind.to_string())
            .bind(entity_id.to_string())
            .bind(limit)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(entry).collect())
    }

    /// One entry of the trail, by its number.
    pub async fn audit_entry(&self, id: i64) -> Result<Option<AuditEntry>, StoreError> {
        let row: Option<AuditRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("{AUDIT_SELECT} WHERE id = $1")))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        Ok(row.map(entry))
    }

    /// The entry of the import whose id is `import_id` (the `impor` of a record's provenance),
    /// if it was recorded. An import id is letters and digits; anything else names none.
    pub async fn import_entry(&self, import_id: &str) -> Result<Option<AuditEntry>, StoreError> {
        if import_id.is_empty() || !import_id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Ok(None);
        }
        let pattern = format!("%\"import_id\":\"{import_id}\"%");
        let row: Option<AuditRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE entity_kind = 'impor' AND after_json LIKE $1 \
                 ORDER BY id LIMIT 1"
            )))
            .bind(pattern)
            .fetch_optional(p)
            .await?
        });
        Ok(row.map(entry))
    }

    /// Writes one entry in the trail on its own: a change of the whole database (a backup, a
    /// restore) rather than of a record.
    pub async fn write_audit_entry(&self, change: &AuditChange) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        batch.write_audit(change).await?;
        batch.commit().await
    }

    /// The entries about one kind of thing (`cadangan`: backups and restores), newest first.
    pub async fn audit_of_kind(
        &self,
        entity_kind: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE entity_kind = $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(entity_kind.to_string())
            .bind(limit)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(entry).collect())
    }

    /// The changes to records in a region's subtree, newest first, one page at a time.
    pub async fn audit_in(
        &self,
        region: &RegionCode,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows: Vec<AuditRow> = on_pool!(self.pool, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE region_code >= $1 AND region_code < $2 \
                 ORDER BY id DESC LIMIT $3 OFFSET $4"
            )))
            .bind(region.as_str().to_string())
            .bind(range_end(region))
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(entry).collect())
    }
}
