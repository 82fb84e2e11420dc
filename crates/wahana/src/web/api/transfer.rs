//! `GET /api/v1/regions/{code}/export` and `GET /api/v1/template`: the same files as the pages
//! (`web::pages::transfer`), errors as JSON.

use super::bad_query;
use crate::web::errors::{ApiResult, OrRender};
use crate::web::pages::transfer::{ExportQuery, TemplateQuery, export_file, template_file};
use crate::web::{AppState, Ctx};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::Response;

/// One table of a region as CSV or XLSX (personal columns blank for those who may not see them).
pub async fn export(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<ExportQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    export_file(&st, &ctx, &code, &q).await.or_api(ctx.lang)
}

/// The blank XLSX template of a table.
pub async fn template(
    ctx: Ctx,
    q: Result<Query<TemplateQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    template_file(q.table.as_deref(), q.region.as_deref()).or_api(ctx.lang)
}
