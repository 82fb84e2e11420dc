//! Who makes a change, and the audit trail written for it. The store's one-record writes take
//! the actor and write their entry in the change's own transaction; [`record_change`] is for a
//! change recorded after the fact (an import, committed by its own batch).

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

/// Writes one change, made by `who` (the change's `actor` is set from it), in a transaction of
/// its own.
pub async fn record_change(
    store: &Store,
    who: &Who,
    mut change: AuditChange,
) -> Result<(), StoreError> {
    change.actor = who.0.clone();
    store.write_audit(&change).await
}

/// A value as JSON for the trail (`None` if it cannot be written, which serde_json only refuses
/// for maps with non-string keys).
pub fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}
