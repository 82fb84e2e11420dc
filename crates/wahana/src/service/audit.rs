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

/// Writes one change, made by `who` (the change's `actor` is set from it).
pub async fn record_change(
    store: &Store,
    who: &Who,
    mut change: AuditChange,
) -> Result<(), StoreError> {
    change.actor = who.0.clone();
    store.write_audit(&change).await
}

/// Writes one change. `before` and `after` are the record's values as JSON.
#[allow(clippy::too_many_arguments)] // kept for `actors.rs`; new code uses `record_change`
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
    record_change(
        store,
        who,
        AuditChange {
            actor: String::new(),
            action,
            entity_kind,
            entity_id: entity_id.to_string(),
            region_code: region_code.map(str::to_string),
            before,
            after,
        },
    )
    .await
}

/// A value as JSON for the trail (`None` if it cannot be written, which serde_json only refuses
/// for maps with non-string keys).
pub fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}
