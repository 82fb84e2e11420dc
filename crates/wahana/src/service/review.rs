//! The review of proposed links: rows of a re-survey that came without an id and look like an
//! earlier group, but not clearly enough to be linked with no person looking
//! (`docs/linking.md`). An officer accepts (the row becomes the earlier group's observation in
//! the wave, `link: reviewed`) or rejects (it stays a new group).

use super::ServiceError;
use super::caller::Caller;
use super::users::Write;
use wahana_domain::RegionCode;
use wahana_store::{ReviewRecord, Store};

/// The village of a pair's earlier group.
fn village(r: &ReviewRecord) -> Option<RegionCode> {
    r.village.as_deref().and_then(|v| RegionCode::parse(v).ok())
}

/// The pairs proposed in a wave (in a region when given): pending ones, or all with `all`;
/// for officers and admins, the pairs whose earlier group lies where they may read records.
pub async fn list(
    store: &Store,
    caller: &Caller,
    wave: &str,
    region: Option<&RegionCode>,
    all: bool,
) -> Result<Vec<ReviewRecord>, ServiceError> {
    caller.signed_in()?;
    caller.check_officer()?;
    if store.wave(wave).await?.is_none() {
        return Err(ServiceError::NotFound {
            kind: "pendataan",
            id: wave.to_string(),
        });
    }
    Ok(store
        .reviews(wave, region, all)
        .await?
        .into_iter()
        .filter(|r| village(r).is_some_and(|v| caller.reads_records(&v)))
        .collect())
}

/// May the caller decide this pair (edit groups in its village)?
pub fn may_decide(caller: &Caller, r: &ReviewRecord) -> bool {
    village(r).is_some_and(|v| caller.writes(Write::EditGroup, &v))
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

/// Accepts or rejects one pending pair of `wave`, for a caller who may edit groups in its
/// village. Another wave's pair, or one in a region the caller may not read, is not found.
pub async fn decide(
    store: &Store,
    caller: &Caller,
    wave: &str,
    id: i64,
    accept: bool,
) -> Result<ReviewRecord, ServiceError> {
    caller.signed_in()?;
    let missing = || ServiceError::NotFound {
        kind: "usulan tautan",
        id: id.to_string(),
    };
    let r = get(store, id).await?;
    let readable = village(&r).is_some_and(|v| caller.reads_records(&v));
    if r.wave_id != wave || !readable {
        return Err(missing());
    }
    if !may_decide(caller, &r) {
        return Err(caller.forbidden());
    }
    Ok(store.decide_review(id, accept, &caller.who().0).await?)
}
