//! Backups and restores of the whole database (`wahana backup`, `wahana restore`), and their
//! trail (the admins' page `/admin/backups`).
//!
//! A backup is taken while the server runs and is a consistent snapshot: on SQLite
//! `VACUUM INTO` (one read transaction; `wahana_store::sqlite_snapshot` says why rather than
//! the online backup API), on PostgreSQL `pg_dump --format=custom` (one transaction's
//! snapshot). It is written beside its destination and renamed into place once complete, so
//! a failed backup never leaves a file that looks like one. A restore goes into an empty
//! database (no wave, group, network, institution, tie, user or audit entry), or replaces a
//! database that holds records when forced; a SQLite file another process has open (a running
//! server) is never replaced. Both are written to the audit trail: the backup in the database
//! it copied, the restore in the database restored.

use crate::service::caller::Caller;
use crate::service::{ServiceError, audit::Who};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;
use wahana_domain::Lang;
use wahana_store::{AuditChange, Backend, Records, Store, StoreError};

/// The audit trail's kind for backups and restores.
pub const AUDIT_KIND: &str = "cadangan";

/// Why a backup or a restore did not happen (nothing was written or replaced).
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The backup's destination exists: a backup never replaces a file.
    #[error("{0} exists")]
    OutExists(PathBuf),
    /// No SQLite database at the path given.
    #[error("no database at {0}")]
    NoDatabase(PathBuf),
    /// A PostgreSQL tool is not installed (or not on `PATH`).
    #[error("{tool} not found")]
    ToolMissing { tool: &'static str },
    /// A PostgreSQL tool failed: its exit status and the end of what it said.
    #[error("{tool} failed ({status}): {said}")]
    ToolFailed {
        tool: &'static str,
        status: String,
        said: String,
    },
    /// The file to restore is not a wahana backup for this database.
    #[error("{file} is not a backup: {found}")]
    NotABackup { file: PathBuf, found: String },
    /// The backup records migrations this binary does not carry.
    #[error("{file} comes from a newer wahana")]
    FromNewer {
        file: PathBuf,
        unknown: Vec<i64>,
        known: i64,
    },
    /// The restore's target holds records and the restore was not forced.
    #[error("the database holds records: {0:?}")]
    NotEmpty(Records),
    /// Another process has the SQLite file open.
    #[error("the database is in use")]
    InUse(PathBuf),
    #[error("{what}: {error}")]
    Io { what: String, error: std::io::Error },
    /// The database restored does not open (its migrations, the region tree).
    #[error("the restored database does not open: {0:#}")]
    Reopen(anyhow::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl BackupError {
    /// What went wrong, what was found and what was expected, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (BackupError::OutExists(p), Lang::Id) => format!(
                "{} sudah ada: cadangan tidak pernah menimpa berkas; pilih nama lain (mis. dengan tanggal)",
                p.display()
            ),
            (BackupError::OutExists(p), Lang::En) => format!(
                "{} exists: a backup never replaces a file; choose another name (e.g. with the date)",
                p.display()
            ),
            (BackupError::NoDatabase(p), Lang::Id) => {
                format!("tidak ada basis data SQLite di {}", p.display())
            }
            (BackupError::NoDatabase(p), Lang::En) => {
                format!("there is no SQLite database at {}", p.display())
            }
            (BackupError::ToolMissing { tool }, Lang::Id) => format!(
                "{tool} tidak ditemukan: cadangan PostgreSQL memakai alat klien PostgreSQL (pasang postgresql-client dengan versi utama server atau lebih baru, atau taruh {tool} di PATH)"
            ),
            (BackupError::ToolMissing { tool }, Lang::En) => format!(
                "{tool} was not found: PostgreSQL backups use the PostgreSQL client tools (install postgresql-client of the server's major version or newer, or put {tool} on PATH)"
            ),
            (BackupError::ToolFailed { tool, status, said }, Lang::Id) => {
                format!("{tool} gagal ({status}): {said}")
            }
            (BackupError::ToolFailed { tool, status, said }, Lang::En) => {
                format!("{tool} failed ({status}): {said}")
            }
            (BackupError::NotABackup { file, found }, Lang::Id) => format!(
                "{} bukan cadangan wahana untuk basis data ini: {found}",
                file.display()
            ),
            (BackupError::NotABackup { file, found }, Lang::En) => format!(
                "{} is not a wahana backup for this database: {found}",
                file.display()
            ),
            (
                BackupError::FromNewer {
                    file,
                    unknown,
                    known,
                },
                Lang::Id,
            ) => format!(
                "{} dibuat oleh wahana yang lebih baru (migrasi {}; wahana ini mengenal sampai {known:04}): pulihkan dengan wahana versi itu",
                file.display(),
                versions(unknown)
            ),
            (
                BackupError::FromNewer {
                    file,
                    unknown,
                    known,
                },
                Lang::En,
            ) => format!(
                "{} was made by a newer wahana (migrations {}; this wahana knows up to {known:04}): restore it with that version",
                file.display(),
                versions(unknown)
            ),
            (BackupError::NotEmpty(r), Lang::Id) => format!(
                "basis data tujuan tidak kosong ({}): pulihkan ke basis data kosong, atau tambahkan --force untuk menggantinya seluruhnya",
                held(r, lang)
            ),
            (BackupError::NotEmpty(r), Lang::En) => format!(
                "the target database is not empty ({}): restore into an empty database, or add --force to replace it whole",
                held(r, lang)
            ),
            (BackupError::InUse(p), Lang::Id) => format!(
                "{} sedang dibuka oleh proses lain (server wahana?): hentikan dulu, lalu pulihkan",
                p.display()
            ),
            (BackupError::InUse(p), Lang::En) => format!(
                "{} is open in another process (a wahana server?): stop it first, then restore",
                p.display()
            ),
            (BackupError::Io { what, error }, _) => format!("{what}: {error}"),
            (BackupError::Reopen(e), Lang::Id) => {
                format!("basis data yang dipulihkan tidak dapat dibuka: {e:#}")
            }
            (BackupError::Reopen(e), Lang::En) => {
                format!("the restored database does not open: {e:#}")
            }
            (BackupError::Store(e), _) => crate::service::refusals::store_message(e, lang),
        }
    }
}

fn versions(v: &[i64]) -> String {
    v.iter()
        .map(|n| format!("{n:04}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The records held, as a person reads them: `12 pendataan, 480 kelompok, …`.
fn held(r: &Records, lang: Lang) -> String {
    [
        (r.waves, "pendataan", "waves"),
        (r.groups, "kelompok", "groups"),
        (r.networks, "wahana", "networks"),
        (r.institutions, "lembaga", "institutions"),
        (r.ties, "ikatan", "ties"),
        (r.users, "pengguna", "users"),
        (r.audit, "catatan audit", "audit entries"),
    ]
    .iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, id, en)| format!("{n} {}", lang.pick(id, en)))
    .collect::<Vec<_>>()
    .join(", ")
}

fn io(what: String) -> impl FnOnce(std::io::Error) -> BackupError {
    move |error| BackupError::Io { what, error }
}

/// What a backup or a restore wrote, as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupRecord {
    /// `backup` or `restore`.
    #[serde(default)]
    pub action: String,
    /// When the entry was written (ISO 8601, UTC).
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub who: String,
    /// The backup file as the operator named it.
    pub file: String,
    pub bytes: u64,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// `VACUUM INTO`, `pg_dump --format=custom`, `copy`, `pg_restore`.
    pub method: String,
    /// When the snapshot was taken, or the restore began (ISO 8601, UTC).
    pub started: String,
    pub seconds: f64,
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// A file beside `target` to write first and rename into place once complete.
fn beside(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Renames a complete file into place and makes the rename durable.
fn put_in_place(tmp: &Path, target: &Path) -> Result<(), BackupError> {
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("{}", tmp.display())))?;
    std::fs::rename(tmp, target).map_err(io(format!("{}", target.display())))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        // A directory's entries are made durable through the directory itself (Unix).
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

/// Removes a partial file left by a failed step (it may not exist).
fn discard(tmp: &Path) {
    if let Err(e) = std::fs::remove_file(tmp)
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(file = %tmp.display(), "a partial file could not be removed: {e}");
    }
}

/// A PostgreSQL URL without its password, and the password (given to the tools in
/// `PGPASSWORD`, never on their command line, which every user of the machine can read).
fn without_password(url: &str) -> (String, Option<String>) {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return (url.to_string(), None);
    };
    let end = url[start..].find('/').map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    let Some(at) = authority.rfind('@') else {
        return (url.to_string(), None);
    };
    let Some(colon) = authority[..at].find(':') else {
        return (url.to_string(), None);
    };
    let password = percent_encoding::percent_decode_str(&authority[colon + 1..at])
        .decode_utf8_lossy()
        .into_owned();
    let url = format!(
        "{}{}{}",
        &url[..start + colon],
        &authority[at..],
        &url[end..]
    );
    (url, Some(password))
}

/// Runs a PostgreSQL tool on a database; its error when it cannot start or fails.
async fn run_tool(
    tool: &'static str,
    database: &str,
    args: &[std::ffi::OsString],
) -> Result<std::process::Output, BackupError> {
    let (url, password) = without_password(database);
    let mut cmd = tokio::process::Command::new(tool);
    cmd.arg("--no-password").arg(format!("--dbname={url}"));
    cmd.args(args);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            BackupError::ToolMissing { tool }
        } else {
            BackupError::Io {
                what: tool.to_string(),
                error: e,
            }
        }
    })?;
    if !out.status.success() {
        return Err(tool_failed(tool, &out));
    }
    Ok(out)
}

fn tool_failed(tool: &'static str, out: &std::process::Output) -> BackupError {
    BackupError::ToolFailed {
        tool,
        status: out.status.to_string(),
        said: said(out),
    }
}

/// The last lines a tool wrote to its standard error.
fn said(out: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(5)..].join(" / ")
}

/// Backs up the database at `database` into `out`, which must not exist, and records it in
/// the database's audit trail (when its schema is this binary's: a backup changes nothing
/// else, so it never migrates the database first).
pub async fn backup(database: &str, out: &Path, caller: &Caller) -> Result<Done, BackupError> {
    if out.exists() {
        return Err(BackupError::OutExists(out.to_path_buf()));
    }
    let backend = Backend::of_url(database);
    let tmp = beside(out, "partial");
    let started = wahana_store::now_iso();
    let clock = Instant::now();
    let taken = match backend {
        Backend::Sqlite => sqlite_backup(database, &tmp).await,
        Backend::Postgres => postgres_backup(database, &tmp).await,
    };
    if let Err(e) = taken {
        discard(&tmp);
        return Err(e);
    }
    if out.exists() {
        discard(&tmp);
        return Err(BackupError::OutExists(out.to_path_buf()));
    }
    put_in_place(&tmp, out)?;
    let bytes = std::fs::metadata(out)
        .map_err(io(format!("{}", out.display())))?
        .len();
    let record = BackupRecord {
        action: "backup".into(),
        at: String::new(),
        who: String::new(),
        file: out.display().to_string(),
        bytes,
        database: backend_name(backend).into(),
        method: match backend {
            Backend::Sqlite => "VACUUM INTO",
            Backend::Postgres => "pg_dump --format=custom",
        }
        .into(),
        started,
        seconds: clock.elapsed().as_secs_f64(),
    };
    let recorded = record_backup(database, &record, &caller.who()).await;
    Ok(Done { record, recorded })
}

async fn sqlite_backup(database: &str, tmp: &Path) -> Result<(), BackupError> {
    let path = Path::new(wahana_store::sqlite_path(database));
    if !path.is_file() {
        return Err(BackupError::NoDatabase(path.to_path_buf()));
    }
    discard(tmp);
    wahana_store::sqlite_snapshot(path, tmp).await?;
    let check = wahana_store::sqlite_check(tmp, false).await?;
    if check.integrity != "ok" {
        return Err(BackupError::NotABackup {
            file: tmp.to_path_buf(),
            found: check.integrity,
        });
    }
    Ok(())
}

async fn postgres_backup(database: &str, tmp: &Path) -> Result<(), BackupError> {
    run_tool(
        "pg_dump",
        database,
        &["--format=custom".into(), "--file".into(), tmp.into()],
    )
    .await?;
    // The archive reads back (its table of contents).
    list_archive(tmp).await
}

/// `pg_restore --list`: the file is a custom-format archive that reads.
async fn list_archive(file: &Path) -> Result<(), BackupError> {
    let out = tokio::process::Command::new("pg_restore")
        .arg("--list")
        .arg(file)
        .output()
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => BackupError::ToolMissing { tool: "pg_restore" },
            _ => BackupError::Io {
                what: "pg_restore".into(),
                error: e,
            },
        })?;
    if !out.status.success() {
        return Err(BackupError::NotABackup {
            file: file.to_path_buf(),
            found: said(&out),
        });
    }
    Ok(())
}

/// The backup in the trail of the database it copied: `Ok(false)` when that database is not
/// at this binary's migrations (then nothing is written to it).
async fn record_backup(
    database: &str,
    record: &BackupRecord,
    who: &Who,
) -> Result<bool, StoreError> {
    let store = Store::open_existing(database).await?;
    let current = store.schema().await?.is_current();
    if current {
        store
            .write_audit_entry(&AuditChange {
                actor: who.0.clone(),
                action: "backup",
                entity_kind: AUDIT_KIND,
                entity_id: record.file.clone(),
                after: crate::service::audit::json(record),
                ..Default::default()
            })
            .await?;
    }
    store.close().await;
    Ok(current)
}

/// What a backup or a restore did; `recorded` is whether its audit entry was written (the
/// error when it could not be: the backup itself is there).
#[derive(Debug)]
pub struct Done {
    pub record: BackupRecord,
    pub recorded: Result<bool, StoreError>,
}

/// Restores the backup `file` into `database`: refused when the database holds records unless
/// `force`, and (SQLite) when another process has it open. The database restored is then
/// opened as every command opens it (a backup of an earlier wahana is migrated) and the
/// restore recorded in its trail.
pub async fn restore(
    database: &str,
    file: &Path,
    force: bool,
    caller: &Caller,
) -> Result<(Done, Store), BackupError> {
    if !file.is_file() {
        return Err(BackupError::Io {
            what: file.display().to_string(),
            error: std::io::Error::from(std::io::ErrorKind::NotFound),
        });
    }
    let backend = Backend::of_url(database);
    let started = wahana_store::now_iso();
    let clock = Instant::now();
    match backend {
        Backend::Sqlite => sqlite_restore(database, file, force).await?,
        Backend::Postgres => postgres_restore(database, file, force).await?,
    }
    let store = crate::service::open_with(database, wahana_store::Sharing::Shared)
        .await
        .map_err(BackupError::Reopen)?;
    let record = BackupRecord {
        action: "restore".into(),
        at: String::new(),
        who: String::new(),
        file: file.display().to_string(),
        bytes: std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
        database: backend_name(backend).into(),
        method: match backend {
            Backend::Sqlite => "copy",
            Backend::Postgres => "pg_restore",
        }
        .into(),
        started,
        seconds: clock.elapsed().as_secs_f64(),
    };
    let recorded = store
        .write_audit_entry(&AuditChange {
            actor: caller.who().0,
            action: "restore",
            entity_kind: AUDIT_KIND,
            entity_id: record.file.clone(),
            after: crate::service::audit::json(&record),
            ..Default::default()
        })
        .await
        .map(|()| true);
    Ok((Done { record, recorded }, store))
}

fn refuse_held(held: Option<wahana_store::Holding>, force: bool) -> Result<(), BackupError> {
    match held {
        Some(h) if h.records.total() > 0 && !force => Err(BackupError::NotEmpty(h.records)),
        _ => Ok(()),
    }
}

async fn sqlite_restore(database: &str, file: &Path, force: bool) -> Result<(), BackupError> {
    let not_sqlite = |e: StoreError| BackupError::NotABackup {
        file: file.to_path_buf(),
        found: e.to_string(),
    };
    let check = wahana_store::sqlite_check(file, true)
        .await
        .map_err(not_sqlite)?;
    if check.integrity != "ok" {
        return Err(BackupError::NotABackup {
            file: file.to_path_buf(),
            found: format!("integrity_check: {}", check.integrity),
        });
    }
    newer_than_this(file, &check.migrations, Backend::Sqlite)?;
    let target = Path::new(wahana_store::sqlite_path(database));
    refuse_held(wahana_store::inspect(database).await?, force)?;
    if target.exists() && wahana_store::sqlite_in_use(target).await? {
        return Err(BackupError::InUse(target.to_path_buf()));
    }
    let tmp = beside(target, "restoring");
    if let Err(e) = std::fs::copy(file, &tmp) {
        discard(&tmp);
        return Err(io(format!("{}", tmp.display()))(e));
    }
    // What the file being replaced left beside it would be read as the new file's: a hot
    // journal rolled back into it, a log replayed over it.
    for suffix in ["-wal", "-shm", "-journal"] {
        discard(Path::new(&format!("{}{suffix}", target.display())));
    }
    put_in_place(&tmp, target)
}

/// Refuses a backup recording migrations this binary does not carry.
fn newer_than_this(file: &Path, recorded: &[i64], backend: Backend) -> Result<(), BackupError> {
    if recorded.is_empty() {
        return Err(BackupError::NotABackup {
            file: file.to_path_buf(),
            found: "no migration recorded (_sqlx_migrations)".into(),
        });
    }
    let known = wahana_store::known_migrations(backend);
    let unknown: Vec<i64> = recorded
        .iter()
        .copied()
        .filter(|v| !known.contains(v))
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(BackupError::FromNewer {
            file: file.to_path_buf(),
            unknown,
            known: known.iter().copied().max().unwrap_or(0),
        })
    }
}

async fn postgres_restore(database: &str, file: &Path, force: bool) -> Result<(), BackupError> {
    list_archive(file).await?;
    let held = wahana_store::inspect(database).await?;
    let schema = held.is_some_and(|h| h.schema);
    refuse_held(held, force)?;
    // One transaction: the database is restored whole or left as it was. A database holding
    // wahana's tables has them dropped first, in the same transaction.
    let mut args: Vec<std::ffi::OsString> = vec![
        "--single-transaction".into(),
        "--exit-on-error".into(),
        "--no-owner".into(),
        "--no-privileges".into(),
    ];
    if schema {
        args.push("--clean".into());
        args.push("--if-exists".into());
    }
    args.push(file.into());
    run_tool("pg_restore", database, &args).await?;
    Ok(())
}

/// The backups and restores the trail holds, newest first (admins only).
pub async fn history(
    store: &Store,
    caller: &Caller,
    limit: i64,
) -> Result<Vec<BackupRecord>, ServiceError> {
    caller.check_admin()?;
    let entries = store.audit_of_kind(AUDIT_KIND, limit).await?;
    Ok(entries
        .into_iter()
        .filter_map(|e| {
            let mut r: BackupRecord = serde_json::from_str(e.after.as_deref()?).ok()?;
            r.action = e.action;
            r.at = e.at;
            r.who = e.actor;
            Some(r)
        })
        .collect())
}

/// A size as a person reads it: `12,3 MB` (Indonesian) or `12.3 MB`.
pub fn size(bytes: u64, lang: Lang) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut x = bytes as f64;
    let mut unit = 0;
    while x >= 1000.0 && unit + 1 < UNITS.len() {
        x /= 1000.0;
        unit += 1;
    }
    let number = if unit == 0 {
        bytes.to_string()
    } else {
        wahana_domain::profile::format_number((x * 10.0).round() / 10.0, lang)
    };
    format!("{number} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url() {
        for (url, want, password) in [
            (
                "postgres://u:rahasia@h:5432/db",
                "postgres://u@h:5432/db",
                Some("rahasia"),
            ),
            (
                "postgres://u:a%40b@h/db?sslmode=disable",
                "postgres://u@h/db?sslmode=disable",
                Some("a@b"),
            ),
            ("postgres://u@h/db", "postgres://u@h/db", None),
            ("postgresql://h/db", "postgresql://h/db", None),
        ] {
            let (u, p) = without_password(url);
            assert_eq!(u, want, "{url}");
            assert_eq!(p.as_deref(), password, "{url}");
        }
    }

    #[test]
    fn sizes_read_in_both_languages() {
        for (bytes, id, en) in [
            (512, "512 B", "512 B"),
            (12_345_678, "12,3 MB", "12.3 MB"),
            (3_000_000_000, "3 GB", "3 GB"),
        ] {
            assert_eq!(size(bytes, Lang::Id), id);
            assert_eq!(size(bytes, Lang::En), en);
        }
    }

    #[test]
    fn a_refused_restore_names_what_the_database_holds() {
        let r = Records {
            groups: 480,
            users: 2,
            ..Default::default()
        };
        let id = BackupError::NotEmpty(r).message(Lang::Id);
        assert!(
            id.contains("480 kelompok, 2 pengguna") && id.contains("--force"),
            "{id}"
        );
        let en = BackupError::NotEmpty(r).message(Lang::En);
        assert!(
            en.contains("480 groups, 2 users") && en.contains("--force"),
            "{en}"
        );
    }
}
