//! The review of proposed links: rows of a re-survey that came without an id and look like an
//! earlier group, but not clearly enough to be linked with no person looking
//! (`docs/linking.md`). An officer accepts (the row becomes the earlier group's observation in
//! the wave, `link: reviewed`) or rejects (it stays a new group).

use super::ServiceError;
use super::audit::Who;
use wahana_domain::RegionCode;
use wahana_store::{ReviewRecord, Store};

/// The pairs proposed in a wave (in a region when given): pending ones, or all with `all`.
pub async fn list(
    store: &Store,
    wave: &str,
    region: Option<&RegionCode>,
    all: bool,
) -> Result<Vec<ReviewRecord>, ServiceError> {
    if store.wave(wave).await?.is_none() {
        return Err(ServiceError::NotFound {
            kind: "pendataan",
            id: wave.to_string(),
        });
    }
    Ok(store.reviews(wave, region, all).await?)
}

/// One proposed pair.
pub async fn get(store: &Store, id: i64) -> Result<ReviewRecord, ServiceError> {
    store
        .review(id)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            kind: "usulan tautan",
            id: id.to_string(),
        })
}

/// Accepts or rejects one pending pair, as `who`.
pub async fn decide(
    store: &Store,
    id: i64,
    accept: bool,
    who: &Who,
) -> Result<ReviewRecord, ServiceError> {
    Ok(store.decide_review(id, accept, &who.0).await?)
}
