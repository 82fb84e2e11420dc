//! Backups and restores, the database's side: SQLite's consistent copy of a live file
//! (`VACUUM INTO`), the check of a SQLite backup, what a restore's target holds and whether
//! another connection has it open, and the trail of backups. PostgreSQL's backups are made
//! and restored by its own tools, `pg_dump` and `pg_restore`, which `wahana::service::backup`
//! runs.
//!
//! Nothing here creates or migrates the database it looks at: a backup is of the database as
//! it is, and a restore's target is judged as it is.

use crate::{Backend, StoreError};
use serde::Serialize;
use std::path::Path;
use std::time::Duration;

/// The tables of what people recorded: a restore into a database holding rows in any of them
/// replaces someone's work (the region tree and the rule sets come with every database).
const RECORD_TABLES: [&str; 7] = [
    "waves",
    "groups",
    "networks",
    "institutions",
    "ties",
    "users",
    "audit",
];

/// Rows of what people recorded, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Records {
    pub waves: i64,
    pub groups: i64,
    pub networks: i64,
    pub institutions: i64,
    pub ties: i64,
    pub users: i64,
    pub audit: i64,
}

impl Records {
    pub fn total(&self) -> i64 {
        self.waves
            + self.groups
            + self.networks
            + self.institutions
            + self.ties
            + self.users
            + self.audit
    }

    fn set(&mut self, table: &str, n: i64) {
        match table {
            "waves" => self.waves = n,
            "groups" => self.groups = n,
            "networks" => self.networks = n,
            "institutions" => self.institutions = n,
            "ties" => self.ties = n,
            "users" => self.users = n,
            _ => self.audit = n,
        }
    }
}

/// What a restore's target holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    /// The database holds wahana's tables (it records migrations).
    pub schema: bool,
    pub records: Records,
}

/// A SQLite file as SQLite checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// The first line of `PRAGMA integrity_check` (or `quick_check`): `ok` when sound.
    pub integrity: String,
    /// The migrations the file records as run (empty: not a wahana database).
    pub migrations: Vec<i64>,
}

/// The path of a SQLite database from its URL (`sqlite://`, `sqlite:` or a plain path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// The migrations this binary carries for a database.
pub fn known_migrations(backend: Backend) -> Vec<i64> {
    let migrator = match backend {
        Backend::Sqlite => &crate::health::SQLITE_MIGRATIONS,
        Backend::Postgres => &crate::health::POSTGRES_MIGRATIONS,
    };
    migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| m.version)
        .collect()
}

/// A connection to an existing SQLite file that creates nothing (no file, no journal mode).
fn open_existing(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    let c = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(Duration::from_secs(10))?;
    Ok(c)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Writer(e.to_string()))?
}

/// Writes a consistent copy of the SQLite database at `path` into `out`, which must not
/// exist, while others go on reading and writing it. `VACUUM INTO` copies inside one read
/// transaction: the copy is the database as of the statement's start, whatever is written
/// meanwhile (in WAL mode writers are not held up), and it is compact (free pages are left
/// out). SQLite's online backup API would give the same snapshot only when copied in one step
/// (copied in steps, it starts again after every write by another connection); `VACUUM INTO`
/// needs no more than SQL.
pub async fn sqlite_snapshot(path: &Path, out: &Path) -> Result<(), StoreError> {
    let (path, out) = (path.to_path_buf(), out.to_string_lossy().into_owned());
    blocking(move || {
        let c = open_existing(&path)?;
        c.execute("VACUUM INTO ?1", [out])?;
        Ok(())
    })
    .await
}

/// Checks a SQLite file: `PRAGMA integrity_check` (`full`) or `quick_check`, and the
/// migrations it records. A file that is not a SQLite database is an error.
pub async fn sqlite_check(path: &Path, full: bool) -> Result<FileCheck, StoreError> {
    let path = path.to_path_buf();
    blocking(move || {
        let c = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let pragma = if full {
            "PRAGMA integrity_check"
        } else {
            "PRAGMA quick_check"
        };
        let integrity: String = c.query_row(pragma, [], |r| r.get(0))?;
        let has_migrations: i64 = c.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            [],
            |r| r.get(0),
        )?;
        let migrations = if has_migrations == 0 {
            Vec::new()
        } else {
            let mut st =
                c.prepare("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")?;
            st.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<i64>, _>>()?
        };
        Ok(FileCheck {
            integrity,
            migrations,
        })
    })
    .await
}

/// What the database at `url` holds, without creating, migrating or changing it: `None` for
/// a SQLite file that does not exist or is empty.
pub async fn inspect(url: &str) -> Result<Option<Holding>, StoreError> {
    match Backend::of_url(url) {
        Backend::Sqlite => {
            let path = Path::new(sqlite_path(url)).to_path_buf();
            if std::fs::metadata(&path).map_or(true, |m| m.len() == 0) {
                return Ok(None);
            }
            blocking(move || {
                let c = open_existing(&path)?;
                let exists = |table: &str| -> Result<bool, StoreError> {
                    let n: i64 = c.query_row(
                        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                        [table],
                        |r| r.get(0),
                    )?;
                    Ok(n > 0)
                };
                let mut records = Records::default();
                for t in RECORD_TABLES {
                    if exists(t)? {
                        let n: i64 =
                            c.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))?;
                        records.set(t, n);
                    }
                }
                Ok(Some(Holding {
                    schema: exists("_sqlx_migrations")?,
                    records,
                }))
            })
            .await
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(url).await?;
            let exists = async |c: &mut sqlx::PgConnection, table: &str| {
                sqlx::query_scalar::<_, bool>(
                    "SELECT EXISTS (SELECT 1 FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = $1)",
                )
                .bind(table.to_string())
                .fetch_one(c)
                .await
            };
            let mut records = Records::default();
            for t in RECORD_TABLES {
                if exists(&mut c, t).await? {
                    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) FROM {t}"
                    )))
                    .fetch_one(&mut c)
                    .await?;
                    records.set(t, n);
                }
            }
            let schema = exists(&mut c, "_sqlx_migrations").await?;
            c.close().await?;
            Ok(Some(Holding { schema, records }))
        }
    }
}

/// Whether another connection has the SQLite file at `path` open: a running server, a
/// command. Leaving WAL mode needs the only connection, and an exclusive lock needs no other
/// reader or writer; either refused at once means the file is in use. The file is left in
/// rollback-journal mode (a restore is about to replace it; the next open puts WAL back).
pub async fn sqlite_in_use(path: &Path) -> Result<bool, StoreError> {
    let path = path.to_path_buf();
    blocking(move || {
        let c = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(Duration::ZERO)?;
        let mode = c.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        });
        if !matches!(mode, Ok(m) if m.eq_ignore_ascii_case("delete")) {
            return Ok(true);
        }
        if c.execute_batch("BEGIN EXCLUSIVE").is_err() {
            return Ok(true);
        }
        c.execute_batch("ROLLBACK")?;
        Ok(false)
    })
    .await
}
