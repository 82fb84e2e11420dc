//! The audit trail: one entry by its number, and the restore of the record a delete entry
//! holds ([`crate::service::audit`]).

use super::{check_write, signed_in};
use crate::service::audit;
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use wahana_store::{ActorKind, AuditEntry};

fn number(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| ApiError::NotFound {
        kind: "entri",
        id: id.to_string(),
    })
}

/// One entry, for officers and admins who may read its region's records.
pub async fn entry(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<AuditEntry>> {
    let lang = ctx.lang;
    let id = number(&id).or_api(lang)?;
    signed_in(&ctx).or_api(lang)?;
    let e = audit::entry(&st.store, &ctx.api_caller(), id)
        .await
        .or_api(lang)?;
    Ok(Json(e))
}

/// What a restore wrote back.
#[derive(Serialize)]
pub struct RestoredJson {
    /// `kelompok`, `wahana`, `lembaga`, `ikatan`, `anggota`.
    pub kind: &'static str,
    /// The record's id (a tie's or a member's new number).
    pub id: String,
    /// The kind and id of the record a restored tie (its first end) or member (its group)
    /// belongs to.
    pub owner_kind: Option<ActorKind>,
    pub owner: Option<String>,
}

/// Restores the record the delete entry `id` holds.
pub async fn restore(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<(StatusCode, Json<RestoredJson>)> {
    let lang = ctx.lang;
    let id = number(&id).or_api(lang)?;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let done = audit::restore(&st.store, &ctx.api_caller(), id)
        .await
        .or_api(lang)?;
    let (owner_kind, owner) = match done.owner {
        Some((k, o)) => (Some(k), Some(o)),
        None => (None, None),
    };
    Ok((
        StatusCode::CREATED,
        Json(RestoredJson {
            kind: done.kind,
            id: done.id,
            owner_kind,
            owner,
        }),
    ))
}
