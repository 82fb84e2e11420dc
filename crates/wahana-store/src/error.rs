use wahana_domain::Lang;

/// The store layer's error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// From the rusqlite connections of SQLite's bulk paths.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer thread of a SQLite batch could not start, stopped, or refused a job because
    /// an earlier one failed.
    #[error("database error: {0}")]
    Writer(String),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// Somebody else saved the record since it was read (optimistic concurrency).
    #[error("{kind} {id} was changed by someone else (version {found}, expected {expected})")]
    Conflict {
        kind: &'static str,
        id: String,
        expected: i64,
        found: i64,
    },
    /// A value held in the database no longer parses (written by another version, or by hand).
    #[error("corrupt {what} in the database: {value:?}")]
    Corrupt { what: String, value: String },
    /// A write into a closed wave (a closed wave is read-only).
    #[error("wave {id} is closed: it can no longer be changed (reopen it first)")]
    WaveClosed { id: String },
    /// A write that would break a rule of the registry (an id used twice, a tie to nothing).
    #[error("{message_en}")]
    Rejected {
        code: wahana_domain::ErrorCode,
        message_id: String,
        message_en: String,
    },
}

impl StoreError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (StoreError::NotFound { kind, id }, Lang::Id) => format!("{kind} {id} tidak ditemukan"),
            (
                StoreError::Conflict {
                    kind,
                    id,
                    expected,
                    found,
                },
                Lang::Id,
            ) => format!(
                "{kind} {id} telah diubah orang lain (versi {found}, yang Anda sunting versi {expected}); muat ulang lalu ulangi perubahan"
            ),
            (StoreError::Rejected { message_id, .. }, Lang::Id) => message_id.clone(),
            (StoreError::WaveClosed { id }, Lang::Id) => format!(
                "pendataan {id} sudah ditutup: datanya tidak dapat diubah lagi (buka kembali dahulu)"
            ),
            (e, _) => e.to_string(),
        }
    }

    /// SQLite's write lock was held by another writer (an import's batch) for longer than the
    /// busy timeout.
    pub fn is_busy(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => e
                .code()
                .and_then(|c| c.parse::<i32>().ok())
                .is_some_and(|c| c & 0xff == 5), // SQLITE_BUSY and its extended codes
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                e.code == rusqlite::ErrorCode::DatabaseBusy
            }
            _ => false,
        }
    }

    pub(crate) fn corrupt(what: impl Into<String>, value: impl Into<String>) -> Self {
        StoreError::Corrupt {
            what: what.into(),
            value: value.into(),
        }
    }
}

/// The version of a record just inserted (the `version` columns' default).
pub(crate) const FIRST_VERSION: i64 = 1;

/// The record read before an update from `expected`, refused when it is not held or at another
/// version: the row the update replaces is then this one (every save raises the version).
pub(crate) fn at_version<T>(
    kind: &'static str,
    id: &str,
    held: Option<T>,
    version: impl Fn(&T) -> i64,
    expected: i64,
) -> Result<T, StoreError> {
    match held {
        Some(r) if version(&r) == expected => Ok(r),
        other => Err(refused(kind, id, other.as_ref().map(version), expected)),
    }
}

/// An update refused: the record is not held (`found` is `None`) or at another version.
pub(crate) fn refused(
    kind: &'static str,
    id: &str,
    found: Option<i64>,
    expected: i64,
) -> StoreError {
    match found {
        None => StoreError::NotFound {
            kind,
            id: id.to_string(),
        },
        Some(found) => StoreError::Conflict {
            kind,
            id: id.to_string(),
            expected,
            found,
        },
    }
}
