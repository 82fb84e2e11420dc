//! Who makes a change, and the audit trail written for it.

use wahana_store::{AuditChange, Store, StoreError};

/// The person or program making a change, as written in the audit trail: `web:NAME`,
/// `api:NAME` or `cli:OS_USER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who(pub String);

impl Who {
    /// The command line: the operating-system user running it.
    pub fn cli() -> Who {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".to_string());
        Who(format!("cli:{user}"))
    }
}

/// Writes one change. `before` and `after` are the record's values as JSON.
pub async fn record(
    store: &Store,
    who: &Who,
    action: &'static str,
    entity_kind: &'static str,
    entity_id: &str,
    region_code: Option<&str>,
    before: Option<String>,
    after: Option<String>,
) -> Result<(), StoreError> {
    store
        .write_audit(&AuditChange {
            actor: who.0.clone(),
            action,
            entity_kind,
            entity_id: entity_id.to_string(),
            region_code: region_code.map(str::to_string),
            before,
            after,
        })
        .await
}

/// A value as JSON for the trail (`None` if it cannot be written, which serde_json only refuses
/// for maps with non-string keys).
pub fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}
