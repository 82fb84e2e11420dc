//! Networks, institutions and ties: add, change (from the version read), delete. Officers and
//! admins of the record's region may (for a tie, of both its ends' regions); the changes go to the audit trail (`service::actors`).

use super::{bad_json, check_write, signed_in};
use crate::service::actors::{self, Actor};
use crate::service::groups::fields_from_pairs;
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::collections::BTreeMap;
use wahana_domain::instrument::Table;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// Instrument columns (Indonesian names or English aliases) as text.
    pub fields: BTreeMap<String, String>,
    pub wave: Option<String>,
    /// A tie only: a second tie of another type between a pair already tied is meant.
    #[serde(default)]
    pub ikatan_kedua: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub fields: BTreeMap<String, String>,
    pub version: i64,
}

fn pairs(f: &BTreeMap<String, String>) -> Vec<(String, String)> {
    f.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// `POST /api/v1/networks` and `/api/v1/institutions`: one path for both kinds.
pub async fn create<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<NewRecord>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let fields = fields_from_pairs(T::INSTRUMENT, &pairs(&b.fields)).or_api(lang)?;
    let r = actors::add::<T>(
        &st.store,
        &ctx.api_caller(),
        &fields,
        b.wave.as_deref().filter(|w| !w.is_empty()),
    )
    .await
    .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(r)).into_response())
}

/// `PATCH /api/v1/networks/{id}` and `/api/v1/institutions/{id}`.
pub async fn update<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Change>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let r = actors::edit::<T>(
        &st.store,
        &ctx.api_caller(),
        &id,
        &pairs(&b.fields),
        Some(b.version),
    )
    .await
    .or_api(lang)?;
    Ok(Json(r).into_response())
}

/// `DELETE /api/v1/networks/{id}` and `/api/v1/institutions/{id}`.
pub async fn delete<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    actors::delete::<T>(&st.store, &ctx.api_caller(), &id)
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn create_tie(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<NewRecord>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let fields = fields_from_pairs(Table::Ties, &pairs(&b.fields)).or_api(lang)?;
    let t = actors::add_tie(
        &st.store,
        &ctx.api_caller(),
        &fields,
        b.wave.as_deref().filter(|w| !w.is_empty()),
        b.ikatan_kedua,
    )
    .await
    .or_api(lang)?;
    Ok((
        StatusCode::CREATED,
        Json(crate::web::api::regions::TieJson::of(t)),
    )
        .into_response())
}

pub async fn delete_tie(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    let id: i64 = id
        .parse()
        .map_err(|_| ApiError::NotFound {
            kind: "ikatan",
            id: id.clone(),
        })
        .or_api(lang)?;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    actors::delete_tie(&st.store, &ctx.api_caller(), id)
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}
