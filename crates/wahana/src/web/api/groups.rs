//! Groups: list (one page at a time), add, show, change, delete, their audit trail; and imports.

use super::{bad_json, bad_query, check_write, signed_in};
use crate::service::audit::Who;
use crate::service::groups as group_service;
use crate::service::import::ImportReport;
use crate::service::users::{self, Role, Write};
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::pages::import::Upload;
use crate::web::{AppState, Ctx, refusal};
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

/// A group as the API gives it: personal data only to those allowed to see it.
fn visible(mut g: StoredGroup, personal: bool) -> StoredGroup {
    if !personal {
        g.group.chair = None;
        g.group.phone = None;
    }
    g
}

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
    let who = signed_in(&ctx).or_api(lang)?;
    let mut errors = Vec::new();
    let region = match q.region.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => match RegionTree::official().resolve(r) {
            Ok(reg) => Some(reg.code.clone()),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        None if who.role == Role::Admin => None,
        None => who.region.clone(),
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
    if let Some(r) = &region
        && !users::can_read_records(Some(who), r)
    {
        return Err(ApiError::Forbidden).or_api(lang);
    }
    let personal = match &region {
        Some(r) => users::can_see_personal(Some(who), r),
        None => who.role == Role::Admin,
    };
    let limit = i64::from(q.limit.unwrap_or(50).clamp(1, 500));
    let offset = i64::from(q.offset.unwrap_or(0));
    let filter = GroupFilter {
        region,
        group_type,
        status,
        wave: q.wave.filter(|w| !w.is_empty()),
        name: q.name.filter(|n| !n.is_empty()),
    };
    let (items, total) = group_service::list(&st.store, &filter, limit, offset)
        .await
        .or_api(lang)?;
    Ok(Json(GroupPage {
        total,
        offset,
        limit,
        items: items.into_iter().map(|g| visible(g, personal)).collect(),
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
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let mut fields =
        group_service::fields_from_pairs(Table::Groups, &pairs(&b.fields)).or_api(lang)?;
    let village = fields
        .get("kode_wilayah")
        .and_then(|v| RegionTree::official().resolve(v).ok())
        .map(|r| r.code.clone());
    match &village {
        Some(v) if !users::can_write(Some(&who), Write::CreateGroup, v) => {
            return Err(ApiError::Forbidden).or_api(lang);
        }
        None if !matches!(who.role, Role::Admin | Role::Officer | Role::Enumerator) => {
            return Err(ApiError::Forbidden).or_api(lang);
        }
        _ => {}
    }
    fields
        .entry("tanggal_pendataan")
        .or_insert_with(|| crate::service::today().to_string());
    let g = group_service::add(
        &st.store,
        &fields,
        b.wave.as_deref().filter(|w| !w.is_empty()),
        b.allow_duplicate,
        &Who(format!("api:{}", who.name)),
    )
    .await
    .or_api(lang)?;
    Ok((StatusCode::CREATED, Json(g)).into_response())
}

async fn load_readable(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<(StoredGroup, bool), ApiError> {
    let who = signed_in(ctx)?;
    let g = group_service::show(&st.store, id, ctx.query("wave").as_deref()).await?;
    if !users::can_read_records(Some(who), &g.group.village) {
        return Err(refusal(Some(who), &g.group.village, "kelompok", id));
    }
    let personal = users::can_see_personal(Some(who), &g.group.village);
    Ok((g, personal))
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<StoredGroup>> {
    let (g, personal) = load_readable(&st, &ctx, &id).await.or_api(ctx.lang)?;
    Ok(Json(visible(g, personal)))
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
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let wave = ctx.query("wave");
    let current = group_service::show(&st.store, &id, wave.as_deref())
        .await
        .or_api(lang)?;
    // Before the fields are checked: an answer about them would tell that the group exists.
    if !users::can_write(Some(&who), Write::EditGroup, &current.group.village) {
        return Err(refusal(Some(&who), &current.group.village, "kelompok", &id)).or_api(lang);
    }
    let changes =
        group_service::fields_from_pairs(Table::Groups, &pairs(&b.fields)).or_api(lang)?;
    let target = changes
        .get("kode_wilayah")
        .and_then(|v| RegionTree::official().resolve(v).ok())
        .map(|r| r.code.clone())
        .unwrap_or_else(|| current.group.village.clone());
    if !users::can_write(Some(&who), Write::EditGroup, &target) {
        return Err(ApiError::Forbidden).or_api(lang);
    }
    let g = group_service::edit(
        &st.store,
        &id,
        Some(current.wave_id.as_str()),
        &changes,
        Some(b.version),
        &Who(format!("api:{}", who.name)),
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
    let who = signed_in(&ctx).or_api(lang)?.clone();
    check_write(&ctx, &headers).or_api(lang)?;
    let wave = ctx.query("wave");
    let current = group_service::show(&st.store, &id, wave.as_deref())
        .await
        .or_api(lang)?;
    if !users::can_write(Some(&who), Write::DeleteGroup, &current.group.village) {
        return Err(refusal(Some(&who), &current.group.village, "kelompok", &id)).or_api(lang);
    }
    group_service::delete(
        &st.store,
        &id,
        wave.as_deref(),
        &Who(format!("api:{}", who.name)),
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
    let (g, _) = load_readable(&st, &ctx, &id).await.or_api(lang)?;
    let who = signed_in(&ctx).or_api(lang)?;
    if !matches!(who.role, Role::Admin | Role::Officer) {
        return Err(ApiError::Forbidden).or_api(lang);
    }
    let entries = st
        .store
        .audit_of("kelompok", &g.group.id, 200)
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
    let (g, personal) = load_readable(&st, &ctx, &id).await.or_api(lang)?;
    if !personal {
        return Err(ApiError::Forbidden).or_api(lang);
    }
    let list = crate::service::actors::members(&st.store, &g.group.id)
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

/// The caller's name, when they may add or remove the group's members.
async fn member_writer(st: &AppState, ctx: &Ctx, id: &str) -> Result<String, ApiError> {
    let who = signed_in(ctx)?.clone();
    let g = group_service::show(&st.store, id, ctx.query("wave").as_deref()).await?;
    if !users::can_write(Some(&who), Write::Members, &g.group.village) {
        return Err(refusal(Some(&who), &g.group.village, "kelompok", id));
    }
    Ok(who.name)
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
    let who = member_writer(&st, &ctx, &id).await.or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let m = crate::service::actors::add_member(
        &st.store,
        &id,
        &b.name,
        b.role.as_deref(),
        b.key.as_deref(),
        &Who(format!("api:{who}")),
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
    let who = member_writer(&st, &ctx, &id).await.or_api(lang)?;
    let number: i64 = member
        .parse()
        .map_err(|_| ApiError::NotFound {
            kind: "anggota",
            id: member.clone(),
        })
        .or_api(lang)?;
    crate::service::actors::delete_member_of(&st.store, &id, number, &Who(format!("api:{who}")))
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
    let who = signed_in(&ctx).or_api(lang)?.clone();
    let within = crate::web::pages::import::importer(Some(&who)).or_api(lang)?;
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
        Who(format!("api:{}", who.name)),
    )
    .await;
    drop(upload);
    Ok(Json(result.or_api(lang)?))
}
