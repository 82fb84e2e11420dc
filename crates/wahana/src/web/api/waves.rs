//! Waves: everyone may list them and read one (its fields and what it holds, counts only);
//! admins add, change, close, reopen and delete them (`service::waves`, each change in the
//! audit trail).

use super::{bad_json, bad_query, check_write};
use crate::service::caller::Caller;
use crate::service::waves::{self, WaveInput, WaveView};
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// A change to a wave: any of its fields, and `closed` to close or reopen it (a closed wave's
/// fields change only once it is reopened, which this does first).
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct WavePatch {
    pub id: Option<String>,
    pub name: Option<String>,
    pub region: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub source: Option<String>,
    pub method: Option<String>,
    pub run_by: Option<String>,
    pub synthetic: Option<bool>,
    pub closed: Option<bool>,
}

impl WavePatch {
    fn input(&self) -> WaveInput {
        WaveInput {
            id: self.id.clone(),
            name: self.name.clone(),
            region: self.region.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            source: self.source.clone(),
            method: self.method.clone(),
            run_by: self.run_by.clone(),
            synthetic: self.synthetic,
        }
    }

    fn changes_fields(&self) -> bool {
        self.id.is_some()
            || self.name.is_some()
            || self.region.is_some()
            || self.start_date.is_some()
            || self.end_date.is_some()
            || self.source.is_some()
            || self.method.is_some()
            || self.run_by.is_some()
            || self.synthetic.is_some()
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct DeleteQuery {
    /// Delete a wave holding records, with all of them.
    pub force: Option<bool>,
}

/// Admins only: 401 signed out, 403 for every other role (checked before the body is read;
/// the use cases check again).
fn admin(ctx: &Ctx) -> Result<Caller, ApiError> {
    let caller = ctx.api_caller();
    caller.signed_in()?;
    caller.check_admin()?;
    Ok(caller)
}

async fn view(st: &AppState, id: &str) -> Result<WaveView, ApiError> {
    let (w, c) = waves::show(&st.store, id).await?;
    Ok(WaveView::of(&w, c))
}

/// `GET /api/v1/waves`: every wave, the latest first, with what each holds.
pub async fn list(State(st): State<AppState>, ctx: Ctx) -> ApiResult<Json<Vec<WaveView>>> {
    Ok(Json(waves::list(&st.store).await.or_api(ctx.lang)?))
}

/// `GET /api/v1/waves/{id}`.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<WaveView>> {
    Ok(Json(view(&st, &id).await.or_api(ctx.lang)?))
}

/// `POST /api/v1/waves`: adds a wave (open).
pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Result<Json<WaveInput>, JsonRejection>,
) -> ApiResult<Response> {
    let lang = ctx.lang;
    let caller = admin(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(input) = body.map_err(bad_json).or_api(lang)?;
    let w = waves::add(&st.store, &caller, &input).await.or_api(lang)?;
    let v = view(&st, &w.id).await.or_api(lang)?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// `PATCH /api/v1/waves/{id}`: changes fields, closes or reopens.
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<WavePatch>, JsonRejection>,
) -> ApiResult<Json<WaveView>> {
    let lang = ctx.lang;
    let caller = admin(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Json(patch) = body.map_err(bad_json).or_api(lang)?;
    // The wave must be held before anything is looked at.
    waves::show(&st.store, &id).await.or_api(lang)?;
    if patch.closed == Some(false) {
        waves::set_closed(&st.store, &caller, &id, false)
            .await
            .or_api(lang)?;
    }
    if patch.changes_fields() {
        waves::edit(&st.store, &caller, &id, &patch.input())
            .await
            .or_api(lang)?;
    }
    if patch.closed == Some(true) {
        waves::set_closed(&st.store, &caller, &id, true)
            .await
            .or_api(lang)?;
    }
    Ok(Json(view(&st, &id).await.or_api(lang)?))
}

/// `DELETE /api/v1/waves/{id}[?force=true]`.
pub async fn delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    q: Result<Query<DeleteQuery>, QueryRejection>,
) -> ApiResult<StatusCode> {
    let lang = ctx.lang;
    let caller = admin(&ctx).or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let Query(q) = q.map_err(bad_query).or_api(lang)?;
    waves::delete(&st.store, &caller, &id, q.force.unwrap_or(false))
        .await
        .or_api(lang)?;
    Ok(StatusCode::NO_CONTENT)
}
