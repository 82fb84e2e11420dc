//! Downloads of a region's tables (`/regions/{code}/export`) and of the blank templates
//! (`/template`, `/regions/{code}/template`); the API's `/api/v1/regions/{code}/export` and
//! `/api/v1/template` answer with the same files.

use super::import::Upload;
use crate::instrument::CsvDialect;
use crate::instrument::template;
use crate::service::export::{self, ExportError, ExportRequest, FileFormat};
use crate::web::errors::{ApiError, OrRender, PageResult};
use crate::web::{AppState, Ctx, pct};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wahana_domain::instrument::Table;
use wahana_domain::{RegionCode, RegionTree};

/// The query of an export: `?table=kelompok&format=csv&dialect=excel-id&wave=W&english=1`.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// kelompok, ikatan, lembaga or wahana (or their English names); kelompok when missing.
    pub table: Option<String>,
    pub format: Option<FileFormat>,
    pub dialect: Option<CsvDialect>,
    pub wave: Option<String>,
    /// English column names.
    #[serde(default)]
    pub english: bool,
}

/// The query of a template: `?table=kelompok&region=73.08`.
#[derive(Debug, Deserialize)]
pub struct TemplateQuery {
    pub table: Option<String>,
    /// Its villages are listed for `kode_wilayah`.
    pub region: Option<String>,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn table_of(s: Option<&str>) -> Result<Table, ApiError> {
    match s {
        None | Some("") => Ok(Table::Groups),
        Some(t) => Table::parse(t).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "unknown table {t:?}; expected kelompok, ikatan, lembaga or wahana"
            ))
        }),
    }
}

fn region_of(code: &str) -> Result<RegionCode, ApiError> {
    RegionTree::official()
        .resolve(code)
        .map(|r| r.code.clone())
        .map_err(|_| ApiError::NotFound {
            kind: "region",
            id: code.to_string(),
        })
}

/// A file to download, named.
pub fn download(name: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let plain: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .collect();
    let disposition = format!(
        "attachment; filename=\"{plain}\"; filename*=UTF-8''{}",
        pct(name)
    );
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// One table of a region as a file, for the caller (as [`export::export_for`]).
pub async fn export_file(
    st: &AppState,
    ctx: &Ctx,
    code: &str,
    q: &ExportQuery,
) -> Result<Response, ApiError> {
    let table = table_of(q.table.as_deref())?;
    let region = region_of(code)?;
    let format = q.format.unwrap_or(FileFormat::Csv);
    let ext = match format {
        FileFormat::Csv => "csv",
        FileFormat::Xlsx => "xlsx",
    };
    let name = format!(
        "{}-{}.{ext}",
        table.code(),
        region.as_str().replace('.', "")
    );
    let io = |e: std::io::Error| ApiError::Internal(format!("export: {e}"));
    let (upload, file) = Upload::create(&st.uploads, &name).await.map_err(io)?;
    drop(file);
    let req = ExportRequest {
        table,
        region: Some(&region),
        wave: q.wave.as_deref().filter(|w| !w.is_empty()),
        format,
        english: q.english,
        dialect: q.dialect.unwrap_or_default(),
        personal: true,
        out: &upload.path,
    };
    export::export_for(&st.store, &ctx.caller(), &region, &req)
        .await
        .map_err(|e| match e {
            ExportError::Refused(e) => ApiError::from(e),
            ExportError::Store(e) => ApiError::from(e),
            ExportError::Write(e) => ApiError::Internal(format!("export: {e}")),
        })?;
    let bytes = tokio::fs::read(&upload.path).await.map_err(io)?;
    let ct = match format {
        FileFormat::Csv => "text/csv; charset=utf-8",
        FileFormat::Xlsx => XLSX,
    };
    Ok(download(&name, ct, bytes))
}

/// The blank template of a table (with `region`'s villages listed for `kode_wilayah`).
pub fn template_file(table: Option<&str>, region: Option<&str>) -> Result<Response, ApiError> {
    let table = table_of(table)?;
    let region = region
        .filter(|r| !r.is_empty())
        .map(region_of)
        .transpose()?;
    let bytes = template::write_template(table, region.as_ref())
        .map_err(|e| ApiError::Internal(format!("template: {e}")))?;
    let name = match &region {
        Some(r) => format!(
            "templat-{}-{}.xlsx",
            table.code(),
            r.as_str().replace('.', "")
        ),
        None => format!("templat-{}.xlsx", table.code()),
    };
    Ok(download(&name, XLSX, bytes))
}

/// `GET /regions/{code}/export`.
pub async fn export_page(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<ExportQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Query(q) = q.map_err(crate::web::api::bad_query).or_page(&ctx)?;
    export_file(&st, &ctx, &code, &q).await.or_page(&ctx)
}

/// `GET /template`.
pub async fn template_page(
    ctx: Ctx,
    q: Result<Query<TemplateQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Query(q) = q.map_err(crate::web::api::bad_query).or_page(&ctx)?;
    template_file(q.table.as_deref(), q.region.as_deref()).or_page(&ctx)
}

/// `GET /regions/{code}/template`.
pub async fn region_template_page(
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<TemplateQuery>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    let Query(q) = q.map_err(crate::web::api::bad_query).or_page(&ctx)?;
    template_file(q.table.as_deref(), Some(&code)).or_page(&ctx)
}
