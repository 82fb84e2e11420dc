//! The import page: upload a CSV/XLSX file, see every problem as the command line reports it
//! (a dry run writes nothing), then confirm to write it whole.

use super::render;
use crate::service;
use crate::service::audit::Who;
use crate::service::import::{ImportOptions, ImportReport, import_file_until};
use crate::service::users::{self, Role};
use crate::web::errors::{ApiError, OrRender, PageError, PageResult};
use crate::web::{AppState, Ctx, csrf};
use askama::Template;
use axum::extract::{Multipart, State};
use std::path::{Path, PathBuf};
use wahana_domain::{Date, Lang, RegionCode, RegionTree};

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage<'a> {
    ctx: &'a Ctx,
    report: Option<ImportReport>,
    problems: Vec<String>,
    summary: String,
    /// The upload kept for confirmation.
    upload: Option<String>,
    wave: String,
    error: Option<String>,
    /// The region an officer's import is held to (`Kecamatan … (73.08.21)`).
    scope: Option<String>,
}

/// Who may import, and where: admins anywhere; officers inside their region's subtree (every
/// row is checked against it, [`ImportOptions::within`]); nobody else.
pub fn importer(who: Option<&users::Principal>) -> Result<Option<RegionCode>, ApiError> {
    match who {
        None => Err(ApiError::Unauthenticated),
        Some(u) if u.role == Role::Admin => Ok(None),
        Some(u) if u.role == Role::Officer => Ok(u.region.clone()),
        Some(_) => Err(ApiError::Forbidden),
    }
}

/// The person's name and the region their import is held to.
fn require_importer(ctx: &Ctx) -> Result<(String, Option<RegionCode>), PageError> {
    let within = importer(ctx.user()).or_page(ctx)?;
    let name = ctx.user().map(|u| u.name.clone()).unwrap_or_default();
    Ok((name, within))
}

/// `Kecamatan Tanete Riattang (73.08.21)`.
pub fn region_label(code: &RegionCode, lang: Lang) -> String {
    match RegionTree::official().get(code) {
        Some(r) => format!("{} {} ({code})", r.kind.label(lang), r.name),
        None => code.to_string(),
    }
}

pub async fn form(ctx: Ctx) -> PageResult {
    let (_, within) = require_importer(&ctx)?;
    let page = ImportPage {
        scope: within.map(|w| region_label(&w, ctx.lang)),
        ctx: &ctx,
        report: None,
        problems: Vec::new(),
        summary: String::new(),
        upload: None,
        wave: String::new(),
        error: None,
    };
    Ok(render(&ctx, &page))
}

/// Where uploads wait for confirmation: one directory per upload, named by a random token.
fn upload_dir(token: &str) -> Option<PathBuf> {
    (token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| std::env::temp_dir().join(format!("wahana-upload-{token}")))
}

/// A file name without directories or odd characters, keeping its extension.
fn clean_name(name: &str) -> String {
    let base = Path::new(name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("upload.csv");
    let s: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("upload{s}")
    } else {
        s
    }
}

pub fn summary(r: &ImportReport, lang: Lang) -> String {
    let table = r
        .table
        .map(|t| lang.pick(t.code(), t.code_en()))
        .unwrap_or("?");
    let wave = r.wave.as_deref().unwrap_or("-");
    if r.committed {
        match lang {
            Lang::Id => format!(
                "{} baris {table} dibaca; {} ditulis ke pendataan {wave} ({} baru, {} diperbarui); {} ditolak",
                r.rows, r.written, r.created, r.updated, r.rejected
            ),
            Lang::En => format!(
                "{} rows of {table} read; {} written to wave {wave} ({} new, {} updated); {} rejected",
                r.rows, r.written, r.created, r.updated, r.rejected
            ),
        }
    } else if r.dry_run {
        match lang {
            Lang::Id => format!(
                "{} baris {table} diperiksa, {} bermasalah ({} masalah); belum ada yang ditulis",
                r.rows, r.rejected, r.problems_total
            ),
            Lang::En => format!(
                "{} rows of {table} checked, {} with problems ({} problems); nothing written yet",
                r.rows, r.rejected, r.problems_total
            ),
        }
    } else {
        match lang {
            Lang::Id => format!(
                "{} masalah pada {} dari {} baris; TIDAK ADA yang ditulis",
                r.problems_total, r.rejected, r.rows
            ),
            Lang::En => format!(
                "{} problems in {} of {} rows; NOTHING was written",
                r.problems_total, r.rejected, r.rows
            ),
        }
    }
}

pub async fn upload(State(st): State<AppState>, ctx: Ctx, mut mp: Multipart) -> PageResult {
    let (who, within) = require_importer(&ctx)?;
    let scope = within.as_ref().map(|w| region_label(w, ctx.lang));
    let mut csrf_token = None;
    let mut confirm = None;
    let mut wave = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|e| ApiError::Unavailable {
            code: "bad_upload",
            message: e.body_text(),
        })
        .or_page(&ctx)?
    {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                let fname = clean_name(field.file_name().unwrap_or("upload.csv"));
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| ApiError::Unavailable {
                        code: "bad_upload",
                        message: e.body_text(),
                    })
                    .or_page(&ctx)?;
                if !bytes.is_empty() {
                    file = Some((fname, bytes.to_vec()));
                }
            }
            other => {
                let text = field.text().await.unwrap_or_default();
                match other {
                    "_csrf" => csrf_token = Some(text),
                    "confirm" => confirm = Some(text),
                    "wave" => wave = text.trim().to_string(),
                    _ => {}
                }
            }
        }
    }
    csrf::check(&ctx, csrf_token.as_deref()).or_page(&ctx)?;
    let (path, token, dry_run) = match (confirm, file) {
        (Some(token), _) if !token.is_empty() => {
            let dir = upload_dir(&token).ok_or_else(|| PageError(ApiError::Csrf, ctx.clone()))?;
            let mut found = None;
            if let Ok(mut rd) = tokio::fs::read_dir(&dir).await {
                while let Ok(Some(e)) = rd.next_entry().await {
                    found = Some(e.path());
                }
            }
            let path = found.ok_or_else(|| {
                PageError(
                    ApiError::Unavailable {
                        code: "upload_expired",
                        message: ctx
                            .t(
                                "berkas unggahan tidak ditemukan lagi; unggah ulang",
                                "the uploaded file is gone; upload it again",
                            )
                            .into(),
                    },
                    ctx.clone(),
                )
            })?;
            (path, token, false)
        }
        (_, Some((fname, bytes))) => {
            let token = users::random_token();
            let dir = upload_dir(&token)
                .ok_or_else(|| PageError(ApiError::Internal("token".into()), ctx.clone()))?;
            tokio::fs::create_dir_all(&dir)
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))
                .or_page(&ctx)?;
            let path = dir.join(fname);
            tokio::fs::write(&path, bytes)
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))
                .or_page(&ctx)?;
            (path, token, true)
        }
        _ => {
            let page = ImportPage {
                scope,
                ctx: &ctx,
                report: None,
                problems: Vec::new(),
                summary: String::new(),
                upload: None,
                wave,
                error: Some(
                    ctx.t("pilih berkas CSV atau XLSX", "choose a CSV or XLSX file")
                        .into(),
                ),
            };
            let mut res = render(&ctx, &page);
            *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
    };
    let report = run(
        &st,
        &path,
        &wave,
        dry_run,
        ctx.lang,
        within.clone(),
        Who(format!("web:{who}")),
    )
    .await
    .or_page(&ctx)?;
    if !dry_run {
        let _ = tokio::fs::remove_dir_all(path.parent().unwrap_or(&path)).await;
    }
    let page = ImportPage {
        scope,
        ctx: &ctx,
        problems: report
            .problems
            .iter()
            .map(|p| p.message(ctx.lang))
            .collect(),
        summary: summary(&report, ctx.lang),
        upload: (dry_run && report.ok() && report.rows > 0).then_some(token),
        report: Some(report),
        wave,
        error: None,
    };
    Ok(render(&ctx, &page))
}

/// Runs one import (or its dry run) of a stored file, held to a region's subtree when `within`
/// is given; `who` is the person (the audit entry is written in the import's transaction).
pub async fn run(
    st: &AppState,
    path: &Path,
    wave: &str,
    dry_run: bool,
    lang: Lang,
    within: Option<RegionCode>,
    who: Who,
) -> Result<ImportReport, ApiError> {
    let opts = ImportOptions {
        table: None,
        sheet: None,
        wave: (!wave.is_empty()).then(|| wave.to_string()),
        wave_date: None::<Date>,
        accept_clean: false,
        rejects: None,
        ignore_unknown: false,
        allow_duplicates: false,
        dry_run,
        lang,
        within,
        // The file as the user named it, not where the server keeps it.
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        who: Some(who),
    };
    // The reader holds non-`Send` state across awaits: run it on a blocking thread.
    let store = st.store.clone();
    let file = path.to_path_buf();
    let handle = tokio::runtime::Handle::current();
    // When the client goes away this future is dropped, and with it the guard: the reading on
    // the blocking thread stops at its next row instead of running to the end.
    let cancel = crate::instrument::Cancel::new();
    let _stop_when_dropped = cancel.on_drop();
    tokio::task::spawn_blocking(move || {
        let today = service::today();
        handle.block_on(import_file_until(
            &store,
            &file,
            &opts,
            today,
            &|_| {},
            cancel,
        ))
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
    .map_err(|e| match e {
        crate::service::import::ImportError::Store(s) => ApiError::from(s),
        other => ApiError::Unavailable {
            code: "import_failed",
            message: other.message(lang),
        },
    })
}
