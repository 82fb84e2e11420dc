//! The audit trail: every change, who made it, when, and the values before and after.

use crate::registry::range_end;
use crate::{Store, StoreError, now_iso, on_pool};
use serde::Serialize;
use wahana_domain::RegionCode;

/// One change to write.
#[derive(Debug, Clone, Default)]
pub struct AuditChange {
    /// `web:NAME`, `api:NAME` or `cli:OS_USER`.
    pub actor: String,
    /// `create`, `update` or `delete`.
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

impl Store {
    pub async fn write_audit(&self, change: &AuditChange) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query(
                "INSERT INTO audit (at, actor, action, entity_kind, entity_id, region_code, \
                 before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(now_iso())
            .bind(change.actor.clone())
            .bind(change.action.to_string())
            .bind(change.entity_kind.to_string())
            .bind(change.entity_id.clone())
            .bind(change.region_code.clone())
            .bind(change.before.clone())
            .bind(change.after.clone())
            .execute(p)
            .await?;
        });
        Ok(())
    }

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
