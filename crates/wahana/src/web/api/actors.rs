//! Networks, institutions and ties: add, change (from the version read), delete. Officers and
//! admins of the record's region may (for a tie, of both its ends' regions); the changes go to the audit trail (`service::actors`).

use super::{bad_json, check_write, signed_in};
use crate::service::actors;
use crate::service::audit::Who;
use crate::service::groups::fields_from_pairs;
use crate::service::users::{self, Principal, Write};
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
use wahana_domain::{RegionCode, RegionTree, Tie};
use wahana_store::Store;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecord {
    /// Instrument columns (Indonesian names or English aliases) as text.
    pub fields: BTreeMap<String, String>,
    pub wave: Option<String>,
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

fn region_field(fields: &std::collections::HashMap<&'static str, String>) -> Option<RegionCode> {
    fields
        .get("kode_wilayah")
        .and_then(|v| RegionTree::official().resolve(v).ok())
        .map(|r| r.code.clone())
}

/// Writes need an officer or admin whose region covers `code`; a record whose region does not
/// parse yet is left to validation (which refuses it), but only for those who may write at all.
fn may_write(who: &Principal, code: Option<&RegionCode>) -> Result<(), ApiError> {
    let ok = match code {
        Some(c) => users::can_write(Some(who), Write::Other, c),
        None => matches!(who.role, users::Role::Admin | users::Role::Officer),
    };
    if ok { Ok(()) } else { Err(ApiError::Forbidden) }
}

/// [`may_write`] for a held record (`kind` as a missing one is named): 404 as for a missing one
/// to those who may not read it.
fn may_write_held(
    who: &Principal,
    region: &RegionCode,
    kind: &'static str,
    id: &str,
) -> Result<(), ApiError> {
    if users::can_write(Some(who), Write::Other, region) {
        Ok(())
    } else {
        Err(crate::web::refusal(Some(who), region, kind, id))
    }
}

fn who_of(p: &Principal) -> Who {
    Who(format!("api:{}", p.name))
}

pub async fn create_network(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<NewRecord>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let fields = fields_from_pairs(Table::Networks, &pairs(&b.fields)).or_api(lang)?;
    may_write(&who, region_field(&fields).as_ref()).or_api(lang)?;
    let n = actors::add_network(
        &st.store,
        &fields,
        b.wave.as_deref().filter(|w| !w.is_empty()),
        &who_of(&who),
    )
    .await
    .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(n)).into_response())
}

pub async fn update_network(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Change>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let current = actors::stored_network(&st.store, &id).await.or_api(lang)?;
    may_write_held(&who, &current.record.village, "wahana", &id).or_api(lang)?;
    let changes = fields_from_pairs(Table::Networks, &pairs(&b.fields)).or_api(lang)?;
    if let Some(target) = region_field(&changes) {
        may_write(&who, Some(&target)).or_api(lang)?;
    }
    let n = actors::edit_network(&st.store, &id, &changes, Some(b.version), &who_of(&who))
        .await
        .or_api(lang)?;
    Ok(Json(n).into_response())
}

pub async fn delete_network(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let current = actors::stored_network(&st.store, &id).await.or_api(lang)?;
    may_write_held(&who, &current.record.village, "wahana", &id).or_api(lang)?;
    actors::delete_network(&st.store, &id, &who_of(&who))
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn create_institution(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<NewRecord>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let fields = fields_from_pairs(Table::Institutions, &pairs(&b.fields)).or_api(lang)?;
    may_write(&who, region_field(&fields).as_ref()).or_api(lang)?;
    let i = actors::add_institution(
        &st.store,
        &fields,
        b.wave.as_deref().filter(|w| !w.is_empty()),
        &who_of(&who),
    )
    .await
    .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

pub async fn update_institution(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<Change>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let current = actors::institution(&st.store, &id).await.or_api(lang)?;
    may_write_held(&who, &current.record.region, "lembaga", &id).or_api(lang)?;
    let changes = fields_from_pairs(Table::Institutions, &pairs(&b.fields)).or_api(lang)?;
    if let Some(target) = region_field(&changes) {
        may_write(&who, Some(&target)).or_api(lang)?;
    }
    let i = actors::edit_institution(&st.store, &id, &changes, Some(b.version), &who_of(&who))
        .await
        .or_api(lang)?;
    Ok(Json(i).into_response())
}

pub async fn delete_institution(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let current = actors::institution(&st.store, &id).await.or_api(lang)?;
    may_write_held(&who, &current.record.region, "lembaga", &id).or_api(lang)?;
    actors::delete_institution(&st.store, &id, &who_of(&who))
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ties need an officer or admin who may write at both ends (`users::can_write_tie`).
/// `held`: the tie's number, for a held one (see `web::tie_refusal`).
async fn may_write_tie(
    store: &Store,
    who: &Principal,
    tie: &Tie,
    held: Option<i64>,
) -> Result<(), ApiError> {
    let ends = actors::tie_regions(store, tie).await?;
    if users::can_write_tie(Some(who), &ends) {
        Ok(())
    } else {
        Err(crate::web::tie_refusal(who, tie, &ends, held))
    }
}

/// [`may_write_tie`] for a held tie: its ends as the kinds it records.
async fn may_delete_tie(
    store: &Store,
    who: &Principal,
    t: &wahana_store::TieRecord,
    id: i64,
) -> Result<(), ApiError> {
    let ends = actors::held_tie_regions(store, t).await?;
    if users::can_write_tie(Some(who), &ends) {
        Ok(())
    } else {
        Err(crate::web::tie_refusal(who, &t.tie, &ends, Some(id)))
    }
}

pub async fn create_tie(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<NewRecord>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let fields = fields_from_pairs(Table::Ties, &pairs(&b.fields)).or_api(lang)?;
    // Both ends must lie where the person may write (an unknown end is refused by the store),
    // read as the store will hold them.
    may_write(&who, None).or_api(lang)?;
    let tie = actors::tie_of(&fields).or_api(lang)?;
    may_write_tie(&st.store, &who, &tie, None)
        .await
        .or_api(lang)?;
    let t = actors::add_tie(
        &st.store,
        &fields,
        b.wave.as_deref().filter(|w| !w.is_empty()),
        &who_of(&who),
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
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let t = actors::tie(&st.store, id).await.or_api(lang)?;
    may_delete_tie(&st.store, &who, &t, id).await.or_api(lang)?;
    actors::delete_tie(&st.store, id, &who_of(&who))
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}
