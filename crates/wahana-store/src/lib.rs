//! wahana's database: SQLite (the default, a file) and PostgreSQL, through one SQL text.
//!
//! Each query is written once with `$n` placeholders and run on whichever pool is open through
//! [`on_pool!`], which expands the same code once per backend. Store methods are shaped by
//! intent (`insert_groups`, `list_groups`) and own their transactions.

mod actor_tally;
mod actors;
mod arg;
mod audit;
mod auth;
mod backup;
mod batch;
mod boundaries;
mod bulk;
mod columns;
mod copy;
mod error;
mod groups;
mod health;
mod ids;
mod linkage;
mod links;
mod members;
mod network;
mod profile;
mod regions;
mod replica;
mod rows;
mod screening;
mod sqlite_tx;
mod submissions;
mod tally;
mod transfer;
mod waves;

pub use actor_tally::{ACTOR_RECOUNT_SQL, ActorTallies};
pub use actors::{ActorRecord, Stored, StoredInstitution, StoredNetwork, TieRecord};
pub use audit::{AuditChange, AuditEntry};
pub use auth::{UserRecord, token_hash};
pub use backup::{
    FileCheck, Holding, Records, inspect, known_migrations, sqlite_check, sqlite_in_use,
    sqlite_path, sqlite_snapshot,
};
pub use batch::Batch;
pub use boundaries::{BoundaryCount, NewBoundary};
pub use error::{Refusal, StoreError};
pub use groups::{GroupFilter, RegionCount, StoredGroup};
pub use health::{PoolUse, Schema};
pub use ids::{ActorKind, IdTable, NewActor, TieEnd, actor_not_found};
pub use linkage::{NewLink, NewReview, ReviewRecord};
pub use links::LinkRecord;
pub use members::StoredMember;
pub use network::GroupRow;
pub use profile::{ActorCounts, ProfileRead, ProfileTallies, VillageTally};
pub use replica::{REPLICA_APPLICATION_NAME, ReplayPosition};
pub use screening::RuleSetInfo;
pub use submissions::{FileInfo, InboxCounts, NewFile, NewSubmission, Received, SubmissionRecord};
pub use tally::{DEFAULT_RULES, TallySnapshot};
pub use waves::WaveContents;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// The open database.
#[derive(Clone, Debug)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A pooled connection idle for longer than this is checked (a ping) before it is handed out.
const PING_AFTER_IDLE: Duration = Duration::from_secs(10);

/// The pools' check before handing out a connection: a ping, one round trip, only for a
/// connection that sat idle (a server restarted meanwhile has closed it; the pool then opens
/// another). A connection in steady use is handed out as it is: sqlx's default pings every
/// time, which on PostgreSQL doubled the round trips of each short query.
async fn ping_when_idle<C: sqlx::Connection>(
    conn: &mut C,
    meta: sqlx::pool::PoolConnectionMetadata,
) -> Result<bool, sqlx::Error> {
    if meta.idle_for > PING_AFTER_IDLE {
        conn.ping().await?;
    }
    Ok(true)
}

/// Runs the same code on whichever pool is open: `on_pool!(self.pool, p => query.fetch_all(p))`.
#[macro_export]
macro_rules! on_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match &$pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// How this process shares a SQLite file with others (PostgreSQL ignores it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sharing {
    /// Write-ahead log: readers go on while one batch writes, and other processes may open the
    /// file at the same time (the server, every command but the bulk writers).
    #[default]
    Shared,
    /// For a command that writes millions of rows (an import, the demonstration set) while no
    /// other process has the file open: a rollback journal and `synchronous = FULL`. Pages the
    /// transaction adds to the file are written once, not to the log and again at the
    /// checkpoint (about a third of a national import's time); a kill or a power cut still
    /// leaves the database as before (the journal holds every page the transaction changed).
    /// Falls back to `Shared` when another connection holds the file. [`Store::close`] puts
    /// the file back in WAL mode; a process that died first leaves it to the next open.
    Bulk,
}

/// The store: a pool and the methods over it.
#[derive(Clone, Debug)]
pub struct Store {
    pub(crate) pool: Pool,
    /// Parsed rule sets by version (tallies are kept per rule set).
    pub(crate) rules: tally::RulesCache,
    /// SQLite: writing connections kept between batches (`sqlite_tx.rs`).
    pub(crate) writers: sqlite_tx::Idle,
}

impl Store {
    /// Opens (creating if needed) the database at `url` and runs the migrations.
    ///
    /// `url` is `postgres://...` for PostgreSQL, otherwise a SQLite file path (optionally
    /// prefixed with `sqlite://` or `sqlite:`).
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        Store::open_with(url, Sharing::Shared).await
    }

    /// [`Store::open`] with a choice of [`Sharing`] for SQLite.
    pub async fn open_with(url: &str, sharing: Sharing) -> Result<Store, StoreError> {
        let store = Store::connect(url, sharing, true).await?;
        match &store.pool {
            Pool::Postgres(p) => health::POSTGRES_MIGRATIONS.run(p).await?,
            Pool::Sqlite(p) => health::SQLITE_MIGRATIONS.run(p).await?,
        }
        store.ensure_default_rules().await?;
        store.fold_names().await?;
        Ok(store)
    }

    /// Opens an existing database as it is: nothing created (a SQLite file that does not
    /// exist is an error), no migration run. For what must not change the schema: the
    /// audit entry of a backup ([`Store::schema`] says whether it is this binary's).
    pub async fn open_existing(url: &str) -> Result<Store, StoreError> {
        Store::connect(url, Sharing::Shared, false).await
    }

    async fn connect(url: &str, sharing: Sharing, create: bool) -> Result<Store, StoreError> {
        let mut bulk = false;
        let pool = match Backend::of_url(url) {
            Backend::Postgres => {
                let opts = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(ping_when_idle(conn, meta)))
                    .connect_with(opts)
                    .await?;
                Pool::Postgres(pool)
            }
            Backend::Sqlite => {
                let path = backup::sqlite_path(url);
                bulk = sharing == Sharing::Bulk && sqlite_tx::claim_rollback_journal(path);
                let opts = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(create);
                // A bulk store leaves the journal mode as the claim set it: should another
                // process open the file meanwhile and switch it to WAL, this one follows.
                let opts = if bulk {
                    opts.synchronous(SqliteSynchronous::Full)
                } else {
                    opts.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                };
                let opts = opts
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    .pragma("cache_size", "-16384")
                    .pragma("temp_store", "memory");
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .test_before_acquire(false)
                    .before_acquire(|conn, meta| Box::pin(ping_when_idle(conn, meta)))
                    .connect_with(opts)
                    .await?;
                Pool::Sqlite(pool)
            }
        };
        Ok(Store {
            pool,
            rules: tally::RulesCache::default(),
            writers: sqlite_tx::Idle::new(bulk),
        })
    }

    /// Fills `groups.name_fold` where migration `0006_id_sequences` could not (names with
    /// letters beyond ASCII, which SQL cannot fold the same way on both databases). Nothing
    /// to do, through an empty partial index, once done.
    async fn fold_names(&self) -> Result<(), StoreError> {
        loop {
            let rows: Vec<(String, String, String)> = on_pool!(self.pool, p => {
                sqlx::query_as(
                    "SELECT id, wave_id, name FROM groups WHERE name_fold IS NULL LIMIT 1000",
                )
                    .fetch_all(p)
                    .await?
            });
            if rows.is_empty() {
                return Ok(());
            }
            on_pool!(self.pool, p => {
                let mut tx = p.begin().await?;
                for (id, wave, name) in &rows {
                    sqlx::query("UPDATE groups SET name_fold = $3 WHERE id = $1 AND wave_id = $2")
                        .bind(id.clone())
                        .bind(wave.clone())
                        .bind(columns::fold_name(name))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
            });
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// Closes every connection. A store opened for [`Sharing::Bulk`] puts the file back in
    /// WAL mode (unless another process opened it meanwhile; the next open then does it).
    pub async fn close(&self) {
        self.writers.clear();
        on_pool!(self.pool, p => p.close().await);
        if let (Pool::Sqlite(p), true) = (&self.pool, self.writers.bulk()) {
            sqlite_tx::restore_wal(p.connect_options().get_filename());
        }
    }

    /// Counts of what the database holds, for `init` and health checks.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let (regions, waves, groups, networks, institutions, ties): (i64, i64, i64, i64, i64, i64) = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM regions), (SELECT COUNT(*) FROM waves), \
                 (SELECT COUNT(*) FROM groups), (SELECT COUNT(*) FROM networks), \
                 (SELECT COUNT(*) FROM institutions), (SELECT COUNT(*) FROM ties)",
            )
            .fetch_one(p)
            .await?
        });
        Ok(Counts {
            regions,
            waves,
            groups,
            networks,
            institutions,
            ties,
        })
    }

    /// SQLite: whether this store writes with a rollback journal ([`Sharing::Bulk`] granted).
    pub fn bulk(&self) -> bool {
        self.writers.bulk()
    }
}

/// How many rows each table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub regions: i64,
    pub waves: i64,
    pub groups: i64,
    pub networks: i64,
    pub institutions: i64,
    pub ties: i64,
}

/// The current time as an ISO 8601 UTC timestamp, for `created_at`/`updated_at`.
pub fn now_iso() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let date = wahana_domain::Date::from_days(days)
        .map(|d| d.to_string())
        .unwrap_or_default();
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Today's date (UTC), for callers that must pass the date into the domain.
pub fn today() -> wahana_domain::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    wahana_domain::Date::from_days((secs / 86_400) as i64)
        .unwrap_or(wahana_domain::Date::UNIX_EPOCH)
}
