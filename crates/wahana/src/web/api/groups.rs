//! Groups: list (one page at a time), add, show, change, delete, their audit trail; and imports.

use super::{bad_json, bad_query, check_write, signed_in};
use crate::service::groups as group_service;
use crate::service::import::ImportReport;
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::pages::import::Upload;
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tokio::io::AsyncWriteExt;
use wahana_domain::codes::{GroupStatus, GroupType};
use wahana_domain::instrument::Table;
use wahana_domain::{Code, FieldError, RegionTree};
use wahana_store::{AuditEntry, GroupFilter, StoredGroup, StoredMember};

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    pub region: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub group_type: Option<String>,
    pub status: Option<String>,
    pub wave: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct GroupPage {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub items: Vec<StoredGroup>,
}

pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<GroupPage>> {
    let lang = ctx.lang;
    let Query(q) = q.map_err(bad_query).or_api(lang)?;
    signed_in(&ctx).or_api(lang)?;
    let mut errors = Vec::new();
    let region = match q.region.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => match RegionTree::official().resolve(r) {
            Ok(reg) => Some(reg.code.clone()),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        None => None,
    };
    let group_type = match q.group_type.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => GroupType::from_code(t).or_else(|| {
            errors.push(FieldError::new(
                "type",
                t,
                "kode jenis kelompok",
                "a group type code",
            ));
            None
        }),
        None => None,
    };
    let status = match q.status.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => GroupStatus::from_code(t).or_else(|| {
            errors.push(FieldError::new(
                "status",
                t,
                "aktif, tidak_aktif atau bubar",
                "aktif, tidak_aktif or bubar",
            ));
            None
        }),
        None => None,
    };
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors)).or_api(lang);
    }
    let limit = i64::from(q.limit.unwrap_or(50).clamp(1, 500));
    let offset = i64::from(q.offset.unwrap_or(0));
    let filter = GroupFilter {
        region,
        group_type,
        status,
        wave: q.wave.filter(|w| !w.is_empty()),
        name: q.name.filter(|n| !n.is_empty()),
    };
    let (items, total) = group_service::list(&st.store, &ctx.api_caller(), &filter, limit, offset)
        .await
        .or_api(lang)?;
    Ok(Json(GroupPage {
        total,
        offset,
        limit,
        items,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// Instrument columns (Indonesian names or English aliases) and their values as text.
    pub fields: BTreeMap<String, String>,
    pub wave: Option<String>,
    #[serde(default)]
    pub allow_duplicate: bool,
}

fn pairs(fields: &BTreeMap<String, String>) -> Vec<(String, String)> {
    fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<NewGroup>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let fields = group_service::fields_from_pairs(Table::Groups, &pairs(&b.fields)).or_api(lang)?;
    let g = group_service::add(
        &st.store,
        &ctx.api_caller(),
        &fields,
        b.wave.as_deref().filter(|w| !w.is_empty()),
        b.allow_duplicate,
    )
    .await
    .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<StoredGroup>> {
    signed_in(&ctx).or_api(ctx.lang)?;
    let g = group_service::show(
        &st.store,
        &ctx.api_caller(),
        &id,
        ctx.query("wave").as_deref(),
    )
    .await
    .or_api(ctx.lang)?;
    Ok(Json(g))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupChange {
    /// The fields to change (instrument columns), as text; empty text clears a field.
    pub fields: BTreeMap<String, String>,
    /// The version the change was made from: a save over a newer one is refused (409).
    pub version: i64,
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<GroupChange>, JsonRejection>,
) -> ApiResult<Json<StoredGroup>> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let g = group_service::edit(
        &st.store,
        &ctx.api_caller(),
        &id,
        ctx.query("wave").as_deref(),
        &pairs(&b.fields),
        Some(b.version),
    )
    .await
    .or_api(lang)?;
    Ok(Json(g))
}

pub async fn delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    group_service::delete(
        &st.store,
        &ctx.api_caller(),
        &id,
        ctx.query("wave").as_deref(),
    )
    .await
    .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

/// A group's audit trail, for officers and admins of its region.
pub async fn audit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    let entries = group_service::audit(&st.store, &ctx.api_caller(), &id, 200)
        .await
        .or_api(lang)?;
    Ok(Json(entries))
}

/// A group's members (personal data): admins, and officers and enumerators of its region.
pub async fn members(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<StoredMember>>> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    let list = crate::service::actors::members(&st.store, &ctx.api_caller(), &id)
        .await
        .or_api(lang)?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub name: String,
    /// `ketua`, `sekretaris`, `bendahara` or `anggota` (the default).
    pub role: Option<String>,
    /// What identifies the person across groups (an id number); the name when absent.
    pub key: Option<String>,
}

pub async fn add_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<NewMember>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let m = crate::service::actors::add_member(
        &st.store,
        &ctx.api_caller(),
        &id,
        &b.name,
        b.role.as_deref(),
        b.key.as_deref(),
    )
    .await
    .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(m)).into_response())
}

pub async fn delete_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    signed_in(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let number: i64 = member
        .parse()
        .map_err(|_| ApiError::NotFound {
            kind: "anggota",
            id: member.clone(),
        })
        .or_api(lang)?;
    crate::service::actors::delete_member_of(&st.store, &ctx.api_caller(), &id, number)
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, Default)]
pub struct ImportQuery {
    /// The file's name; its extension says the format (`.csv`, `.xlsx`).
    pub filename: Option<String>,
    pub wave: Option<String>,
    /// Check everything and write nothing.
    pub dry_run: Option<bool>,
}

/// Imports one file sent as the request body (admins anywhere, officers inside their region);
/// the report lists every problem.
pub async fn import(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    q: Result<Query<ImportQuery>, QueryRejection>,
    body: Bytes,
) -> ApiResult<Json<ImportReport>> {
    let lang = ctx.lang;
    let Query(q) = q.map_err(bad_query).or_api(lang)?;
    signed_in(&ctx).or_api(lang)?;
    let caller = ctx.api_caller();
    let within = caller.import_scope().or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    // The file waits in a directory of its own, removed whatever the outcome (on drop).
    let io = |e: std::io::Error| ApiError::Internal(format!("upload: {e}"));
    let name = q.filename.as_deref().unwrap_or("upload.csv");
    let (upload, mut file) = Upload::create(&st.uploads, name)
        .await
        .map_err(io)
        .or_api(lang)?;
    file.write_all(&body).await.map_err(io).or_api(lang)?;
    file.flush().await.map_err(io).or_api(lang)?;
    drop(file);
    let dry_run = q.dry_run.unwrap_or(false);
    let result = crate::web::pages::import::run(
        &st,
        &upload.path,
        q.wave.as_deref().unwrap_or(""),
        dry_run,
        lang,
        within,
        caller.who(),
    )
    .await;
    drop(upload);
    Ok(Json(result.or_api(lang)?))
}
