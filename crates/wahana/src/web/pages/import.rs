//! The import page: upload a CSV/XLSX file, see every problem as the command line reports it
//! (a dry run writes nothing), then confirm to write it whole.

use super::render;
use crate::service;
use crate::service::audit::Who;
use crate::service::import::{ImportOptions, ImportReport, Warning, import_file_until};
use crate::service::users::{self};
use crate::web::errors::{ApiError, OrRender, PageError, PageResult};
use crate::web::{AppState, Ctx, csrf};
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use tokio::io::AsyncWriteExt;
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
    /// Its code, for the templates' village lists.
    scope_code: Option<String>,
    /// The upload kept for writing only its clean rows (a dry run with rejected rows).
    clean: Option<String>,
    /// How many rows are clean.
    clean_rows: u64,
    /// The upload whose rejected rows can be downloaded.
    rejects: Option<String>,
    /// The warnings' sentences (values read otherwise than written), the first [`PAGE_WARNINGS`].
    warnings: Vec<String>,
    /// How many warnings of each kind, when there are more than those shown.
    warning_kinds: Vec<(u64, &'static str)>,
}

/// Warnings listed on the page (all are counted by kind).
const PAGE_WARNINGS: usize = 50;

/// The rejected rows of a dry run, beside its upload (never taken for the upload itself).
const REJECTS_NAME: &str = ".ditolak.csv";

/// `GET /import/{token}/rejects`: the rejected rows of a checked upload (same columns, with
/// the reason), to be fixed and imported again.
pub async fn rejects(
    State(st): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> PageResult {
    require_importer(&ctx)?;
    let gone = || {
        PageError(
            ApiError::NotFound {
                kind: "berkas",
                id: "ditolak.csv".into(),
            },
            ctx.clone(),
        )
    };
    let dir = upload_dir(&st.uploads, &token).ok_or_else(gone)?;
    let bytes = tokio::fs::read(dir.join(REJECTS_NAME))
        .await
        .map_err(|_| gone())?;
    Ok(super::transfer::download(
        "ditolak.csv",
        "text/csv; charset=utf-8",
        bytes,
    ))
}

/// The region the caller's import is held to (`None`: anywhere); refused, as a page, to
/// those who may not import ([`crate::service::caller::Caller::import_scope`]).
fn require_importer(ctx: &Ctx) -> Result<Option<RegionCode>, PageError> {
    ctx.caller().import_scope().or_page(ctx)
}

/// `Kecamatan Tanete Riattang (73.08.21)`.
pub fn region_label(code: &RegionCode, lang: Lang) -> String {
    match RegionTree::official().get(code) {
        Some(r) => format!("{} ({code})", r.titled(lang)),
        None => code.to_string(),
    }
}

pub async fn form(ctx: Ctx) -> PageResult {
    let within = require_importer(&ctx)?;
    let page = ImportPage {
        scope_code: within.as_ref().map(|w| w.to_string()),
        scope: within.map(|w| region_label(&w, ctx.lang)),
        ctx: &ctx,
        report: None,
        problems: Vec::new(),
        summary: String::new(),
        upload: None,
        clean: None,
        clean_rows: 0,
        rejects: None,
        wave: String::new(),
        error: None,
        warnings: Vec::new(),
        warning_kinds: Vec::new(),
    };
    Ok(render(&ctx, &page))
}

/// The largest file the import page and `POST /api/v1/import` take: a kecamatan's ordinary
/// XLSX is a few megabytes, a province's CSV tens.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// How long an upload waits for its confirmation after a clean dry run; older ones are removed
/// at start-up and whenever a file is uploaded (see [`sweep_uploads`]).
pub const UPLOAD_TTL: Duration = Duration::from_secs(2 * 60 * 60);

/// The longest file name kept for an upload (bytes, extension included); file systems refuse
/// names past 255 bytes.
const MAX_NAME: usize = 100;

/// What an upload's directory is called: `wahana-upload-<token>`, the token 64 hex digits.
const UPLOAD_PREFIX: &str = "wahana-upload-";

/// Where uploads wait for confirmation: one directory per upload under `root`, named by a random
/// token.
fn upload_dir(root: &Path, token: &str) -> Option<PathBuf> {
    is_token(token).then(|| root.join(format!("{UPLOAD_PREFIX}{token}")))
}

fn is_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An uploaded file on disk, in a directory of its own; the directory is removed when this is
/// dropped (a refused, failed or abandoned upload leaves nothing behind) unless [`Upload::keep`]
/// keeps it for a confirmation.
pub struct Upload {
    pub token: String,
    pub path: PathBuf,
    dir: PathBuf,
    kept: bool,
}

impl Upload {
    /// A new empty file named after `name` (cleaned, see [`clean_name`]) under `root`.
    pub async fn create(root: &Path, name: &str) -> std::io::Result<(Upload, tokio::fs::File)> {
        let token = users::random_token();
        let dir = upload_dir(root, &token)
            .ok_or_else(|| std::io::Error::other("the random token is not 64 hex digits"))?;
        tokio::fs::create_dir_all(&dir).await?;
        let path = dir.join(clean_name(name));
        let upload = Upload {
            token,
            path,
            dir,
            kept: false,
        };
        // On failure `upload` is dropped here, and the directory with it.
        let file = tokio::fs::File::create(&upload.path).await?;
        Ok((upload, file))
    }

    /// Leaves the file for a later confirmation (until [`UPLOAD_TTL`] has passed).
    pub fn keep(mut self) -> String {
        self.kept = true;
        std::mem::take(&mut self.token)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if !self.kept {
            remove_upload(&self.dir);
        }
    }
}

fn remove_upload(dir: &Path) {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!("removing the upload {}: {e}", dir.display()),
    }
}

/// Removes the uploads under `root` last changed before `cutoff` (unconfirmed dry runs, and
/// anything a crash left); returns how many. Other entries of `root` are not touched.
pub fn sweep_uploads(root: &Path, cutoff: SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(root) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let ours = name
            .to_str()
            .and_then(|n| n.strip_prefix(UPLOAD_PREFIX))
            .is_some_and(is_token);
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < cutoff);
        if ours && old && entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_upload(&entry.path());
            removed += 1;
        }
    }
    removed
}

/// [`sweep_uploads`] of the uploads older than [`UPLOAD_TTL`], on a blocking thread.
pub async fn expire_uploads(root: &Path) {
    let root = root.to_path_buf();
    let cutoff = SystemTime::now()
        .checked_sub(UPLOAD_TTL)
        .unwrap_or(SystemTime::UNIX_EPOCH);
    match tokio::task::spawn_blocking(move || sweep_uploads(&root, cutoff)).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("removed {n} expired uploads"),
        Err(e) => tracing::warn!("expiring uploads: {e}"),
    }
}

/// A file name without directories or odd characters, keeping its extension, at most
/// [`MAX_NAME`] bytes.
pub fn clean_name(name: &str) -> String {
    let base = Path::new(name)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("upload.csv");
    // ASCII only from here, so any byte is a character boundary.
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
    let s = if s.is_empty() || s.starts_with('.') {
        format!("upload{s}")
    } else {
        s
    };
    if s.len() <= MAX_NAME {
        return s;
    }
    match s.rsplit_once('.') {
        Some((stem, ext)) if ext.len() <= 16 => {
            format!("{}.{ext}", &stem[..MAX_NAME - ext.len() - 1])
        }
        _ => s[..MAX_NAME].to_string(),
    }
}

/// What went wrong reading the multipart form: too large (413) or not a form (400).
fn multipart_error(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge {
            limit: UPLOAD_LIMIT,
        }
    } else {
        ApiError::BadRequest(e.body_text())
    }
}

pub fn summary(r: &ImportReport, lang: Lang) -> String {
    let table = r
        .table
        .map(|t| lang.pick(t.code(), t.code_en()))
        .unwrap_or("?");
    let wave = r.wave.as_deref().unwrap_or("-");
    if r.committed {
        let head = match lang {
            Lang::Id => format!(
                "{} baris {table} dibaca; {} ditulis ke pendataan {wave} ({} baru, {} diperbarui); {} ditolak",
                r.rows, r.written, r.created, r.updated, r.rejected
            ),
            Lang::En => format!(
                "{} rows of {table} read; {} written to wave {wave} ({} new, {} updated); {} rejected",
                r.rows, r.written, r.created, r.updated, r.rejected
            ),
        };
        head + &r.links_note(lang)
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
    let within = require_importer(&ctx)?;
    let scope = within.as_ref().map(|w| region_label(w, ctx.lang));
    let scope_code = within.as_ref().map(|w| w.to_string());
    let mut csrf_token = None;
    let mut confirm = None;
    let mut accept_clean = false;
    let mut wave = String::new();
    let mut file: Option<Upload> = None;
    let io = |e: std::io::Error| ApiError::Internal(format!("upload: {e}"));
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))
        .or_page(&ctx)?
    {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "file" => {
                expire_uploads(&st.uploads).await;
                let fname = field.file_name().unwrap_or("upload.csv").to_string();
                // Straight to disk, chunk by chunk: a 64 MB file is not held in memory.
                let (up, mut out) = Upload::create(&st.uploads, &fname)
                    .await
                    .map_err(io)
                    .or_page(&ctx)?;
                let mut size = 0;
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|e| multipart_error(&e))
                    .or_page(&ctx)?
                {
                    size += chunk.len();
                    out.write_all(&chunk).await.map_err(io).or_page(&ctx)?;
                }
                out.flush().await.map_err(io).or_page(&ctx)?;
                if size > 0 {
                    file = Some(up);
                }
            }
            other => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(&e))
                    .or_page(&ctx)?;
                match other {
                    "_csrf" => csrf_token = Some(text),
                    "confirm" => confirm = Some(text),
                    "accept_clean" => accept_clean = text == "1",
                    "wave" => wave = text.trim().to_string(),
                    _ => {}
                }
            }
        }
    }
    csrf::check(&ctx, csrf_token.as_deref()).or_page(&ctx)?;
    let (path, dry_run, upload) = match (confirm, file) {
        (Some(token), _) if !token.is_empty() => {
            let dir = upload_dir(&st.uploads, &token)
                .ok_or_else(|| PageError(ApiError::Csrf, ctx.clone()))?;
            let mut found = None;
            if let Ok(mut rd) = tokio::fs::read_dir(&dir).await {
                while let Ok(Some(e)) = rd.next_entry().await {
                    if e.file_name() != REJECTS_NAME {
                        found = Some(e.path());
                    }
                }
            }
            let path = found.ok_or_else(|| {
                PageError(
                    ApiError::Unavailable {
                        code: wahana_domain::ErrorCode::UploadExpired,
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
            (path, false, None)
        }
        (_, Some(up)) => (up.path.clone(), true, Some(up)),
        _ => {
            let page = ImportPage {
                scope,
                scope_code,
                ctx: &ctx,
                report: None,
                problems: Vec::new(),
                summary: String::new(),
                upload: None,
                clean: None,
                clean_rows: 0,
                rejects: None,
                warnings: Vec::new(),
                warning_kinds: Vec::new(),
                wave,
                error: Some(
                    ctx.t("pilih berkas CSV atau XLSX", "choose a CSV or XLSX file")
                        .into(),
                ),
            };
            let mut res = render(&ctx, &page);
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(res);
        }
    };
    // A dry run that fails takes its upload with it (dropped); a failed confirmation keeps the
    // file for another try until it expires.
    // A dry run writes the rejected rows beside the upload, to be downloaded.
    let rejects_path = path.with_file_name(REJECTS_NAME);
    let report = run_with(
        &st,
        &path,
        &wave,
        dry_run,
        ctx.lang,
        within.clone(),
        ctx.caller().who(),
        accept_clean && !dry_run,
        dry_run.then(|| rejects_path.clone()),
    )
    .await
    .or_page(&ctx)?;
    if !dry_run {
        remove_upload(path.parent().unwrap_or(&path));
    }
    // A clean dry run is kept for its confirmation, and one with rejected rows for the
    // download of those rows and the writing of the clean ones; anything else is removed now.
    let offered = report.rows > 0 && (report.ok() || report.rejected > 0);
    let clean_rows = report.rows.saturating_sub(report.rejected);
    let rejected = dry_run && report.rejected > 0 && rejects_path.exists();
    let token = upload.filter(|_| offered).map(Upload::keep);
    let (upload_token, clean_token, rejects_token) = match token {
        Some(t) if report.ok() => (Some(t), None, None),
        Some(t) => (
            None,
            (clean_rows > 0).then(|| t.clone()),
            rejected.then_some(t),
        ),
        None => (None, None, None),
    };
    let page = ImportPage {
        scope,
        scope_code,
        ctx: &ctx,
        problems: report
            .problems
            .iter()
            .map(|p| p.message(ctx.lang))
            .collect(),
        summary: summary(&report, ctx.lang),
        warnings: report
            .warnings
            .iter()
            .take(PAGE_WARNINGS)
            .map(|w| w.message(ctx.lang))
            .collect(),
        warning_kinds: report
            .warning_counts
            .iter()
            .map(|(code, n)| (*n, Warning::kind_label(code, ctx.lang)))
            .collect(),
        upload: upload_token,
        clean: clean_token,
        clean_rows,
        rejects: rejects_token,
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
    run_with(st, path, wave, dry_run, lang, within, who, false, None).await
}

/// [`run`], writing the clean rows even when others are rejected (`accept_clean`) and the
/// rejected rows to `rejects` (same columns, with the reason).
#[allow(clippy::too_many_arguments)]
pub async fn run_with(
    st: &AppState,
    path: &Path,
    wave: &str,
    dry_run: bool,
    lang: Lang,
    within: Option<RegionCode>,
    who: Who,
    accept_clean: bool,
    rejects: Option<PathBuf>,
) -> Result<ImportReport, ApiError> {
    let opts = ImportOptions {
        table: None,
        sheet: None,
        wave: (!wave.is_empty()).then(|| wave.to_string()),
        wave_date: None::<Date>,
        accept_clean,
        rejects,
        ignore_unknown: false,
        allow_duplicates: false,
        dry_run,
        lang,
        within,
        // The file as the user named it, not where the server keeps it.
        file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
        who: Some(who),
        ..ImportOptions::default()
    };
    // The reader holds non-`Send` state across awaits: run it on a blocking thread.
    let store = st.store.clone();
    let file = path.to_path_buf();
    let handle = tokio::runtime::Handle::current();
    // When the client goes away this future is dropped, and with it the guard: the reading on
    // the blocking thread stops at its next row instead of running to the end.
    let cancel = crate::instrument::Cancel::new();
    let _stop_when_dropped = cancel.on_drop();
    let reading = cancel.clone();
    let mut import = tokio::task::spawn_blocking(move || {
        let today = service::today();
        handle.block_on(import_file_until(
            &store,
            &file,
            &opts,
            today,
            &|_| {},
            reading,
        ))
    });
    // A server told to stop cancels the import: its reading stops at the next row, the whole
    // file is refused (`cancelled`) and its transaction rolled back, and the client is told.
    let joined = tokio::select! {
        joined = &mut import => joined,
        () = st.stopped() => {
            tracing::info!(file = %path.display(), "the server stops: import cancelled");
            cancel.cancel();
            import.await
        }
    };
    let result = joined.map_err(|e| ApiError::Internal(e.to_string()))?;
    st.metrics.import(result.as_ref().ok());
    result.map_err(|e| match e {
        crate::service::import::ImportError::Store(s) => ApiError::from(s),
        e @ crate::service::import::ImportError::Checking(_) => ApiError::Internal(e.to_string()),
        other => ApiError::Unavailable {
            code: wahana_domain::ErrorCode::ImportFailed,
            message: other.message(lang),
        },
    })
}
