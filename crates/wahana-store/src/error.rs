use crate::ActorKind;
use crate::waves::WaveContents;
use wahana_domain::ErrorCode;
use wahana_domain::codes::TieType;
use wahana_domain::screening::RuleError;

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
    /// A write the registry refuses (a closed wave, an id used twice, a tie to nothing): what
    /// was refused, as data. The service words it for people (`wahana::service::refusals`);
    /// this text is for logs.
    #[error("refused ({}): {:?}", .0.code(), .0)]
    Refused(Refusal),
    /// A read replica whose migrations are not this binary's (`Store::open_replica`): still
    /// replaying an upgrade, or the replica of another installation.
    #[error(
        "the read replica is not at this wahana's migrations (it knows up to {known:04}; the replica lacks {missing:?} and holds unknown {unknown:?})"
    )]
    ReplicaSchema {
        known: i64,
        missing: Vec<i64>,
        unknown: Vec<i64>,
    },
}

/// What the store refuses, with the data a sentence about it needs. The store writes no
/// sentence: the service words each refusal in both languages.
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    /// A write into a closed wave (a closed wave is read-only until reopened).
    WaveClosed { wave: String },
    /// A new wave whose id is held already.
    WaveExists { wave: String },
    /// The delete of a wave that still holds observations, asked without force.
    WaveNotEmpty {
        wave: String,
        contents: WaveContents,
    },
    /// A new record whose id an actor of another kind (`holder`) has.
    IdTaken { id: String, holder: ActorKind },
    /// A second observation of actor `id` in one wave.
    AlreadyObserved {
        kind: ActorKind,
        id: String,
        wave: String,
    },
    /// A tie to `id`, which is no held actor.
    ActorNotFound { id: String },
    /// The same tie (either way round) in the same wave, held as tie number `tie`.
    TieExists {
        tie_type: TieType,
        from: String,
        to: String,
        tie: i64,
    },
    /// A link to group `group`, which wave `wave` does not record.
    NotObserved { group: String, wave: String },
    /// A link from group `group`, which no wave but `wave` records.
    ObservedNowhereElse { group: String, wave: String },
    /// A decision on a proposed link that is decided already (`status`).
    ReviewDecided { review: i64, status: String },
    /// A new person whose name is held.
    UserExists { name: String },
    /// A rule set that does not parse.
    InvalidRules(RuleError),
    /// A rule set whose version is held with another text.
    RulesVersionTaken { version: String },
    /// A batch of writes, or a bulk read (the network's groups and ties), on an in-memory
    /// SQLite database: both work on a database file.
    SqliteInMemory,
}

impl Refusal {
    /// The refusal's code: the API's `error`, the HTTP status, the exit status.
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::WaveClosed { .. } => ErrorCode::WaveClosed,
            Refusal::WaveExists { .. } => ErrorCode::WaveExists,
            Refusal::WaveNotEmpty { .. } => ErrorCode::WaveNotEmpty,
            Refusal::IdTaken { .. } => ErrorCode::IdTaken,
            Refusal::AlreadyObserved { .. } => ErrorCode::AlreadyObserved,
            Refusal::ActorNotFound { .. } => ErrorCode::ActorNotFound,
            Refusal::TieExists { .. } => ErrorCode::TieExists,
            Refusal::NotObserved { .. } | Refusal::ObservedNowhereElse { .. } => {
                ErrorCode::NotObserved
            }
            Refusal::ReviewDecided { .. } => ErrorCode::ReviewDecided,
            Refusal::UserExists { .. } => ErrorCode::UserExists,
            Refusal::InvalidRules(_) => ErrorCode::InvalidRules,
            Refusal::RulesVersionTaken { .. } => ErrorCode::RulesVersionTaken,
            Refusal::SqliteInMemory => ErrorCode::SqliteInMemory,
        }
    }
}

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> StoreError {
        StoreError::Refused(r)
    }
}

impl StoreError {
    /// The refusal, when the store refused the write.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            StoreError::Refused(r) => Some(r),
            _ => None,
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
        other => Err(not_at_version(
            kind,
            id,
            other.as_ref().map(version),
            expected,
        )),
    }
}

/// An update refused: the record is not held (`found` is `None`) or at another version.
pub(crate) fn not_at_version(
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
