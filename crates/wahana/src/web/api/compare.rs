//! `GET /api/v1/regions/{code}/compare?from=&to=`: what changed between two waves of a region,
//! the same object as `wahana compare --format json` (`docs/compare-json.md`). The `groups`
//! list (ids and names) only for those who may read the region's records; counts and findings
//! for everyone.

use super::bad_query;
use crate::service::compare::{self, CompareError, CompareRequest};
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use wahana_domain::{Region, RegionTree};

#[derive(Debug, Deserialize)]
pub struct CompareQuery {
    /// The earlier wave's id.
    pub from: String,
    /// The later wave's id.
    pub to: String,
}

/// The region of a path: a code; the whole country is refused (a comparison needs a region).
pub fn region_of(code: &str, ctx: &Ctx) -> Result<&'static Region, ApiError> {
    if matches!(code, "nasional" | "national" | "indonesia") {
        return Err(ApiError::from_compare(CompareError::NotARegion, ctx.lang));
    }
    RegionTree::official()
        .resolve(code)
        .map_err(|_| ApiError::NotFound {
            kind: ctx.t("wilayah", "region"),
            id: code.to_string(),
        })
}

pub async fn compare(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<CompareQuery>, QueryRejection>,
) -> ApiResult<Json<serde_json::Value>> {
    let lang = ctx.lang;
    let Query(q) = q.map_err(bad_query).or_api(lang)?;
    let region = region_of(&code, &ctx).or_api(lang)?;
    let req = CompareRequest {
        region,
        from: q.from,
        to: q.to,
        rules: None,
    };
    let d = compare::build(&st.store, &req, crate::service::today(), lang)
        .await
        .map_err(|e| ApiError::from_compare(e, lang))
        .or_api(lang)?;
    Ok(Json(d.json(compare::records_for(ctx.user(), region))))
}
