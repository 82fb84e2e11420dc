//! Who makes a change, and the audit trail written for it. The store's one-record writes take
//! the actor and write their entry in the change's own transaction; an import writes its entry
//! (the report) in its batch, before the commit (`service::import`).

/// The person or program making a change, as written in the audit trail: `web:NAME`,
/// `api:NAME` or `cli:OS_USER` ([`super::caller::Caller::who`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who(pub String);

/// A value as JSON for the trail (`None` if it cannot be written, which serde_json only refuses
/// for maps with non-string keys).
pub fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}
