//! A PostgreSQL streaming replica (a hot standby) opened for reads.
//!
//! The server sends pages, reports and API reads there and everything else to the primary
//! (`wahana::web::replica`). Nothing here writes: the replica is opened without running a
//! migration (a standby cannot apply one; the primary's migrations reach it by replication),
//! with `default_transaction_read_only` on as a safety net, and checked to hold exactly this
//! binary's migrations before it is used.

use crate::{Backend, Pool, Store, StoreError, sqlite_tx, tally};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// The name the replica's connections carry (`pg_stat_activity.application_name`), unless
/// the URL names another.
pub const REPLICA_APPLICATION_NAME: &str = "wahana-replica";

/// How long a read waits for a connection to the replica before it fails (and the server
/// answers it from the primary): short, since the primary is there to answer. It bounds the
/// failover: sqlx keeps trying a refused connection until then, so a replica that stopped
/// delays the reads sent to it before it was found down by this much (2 s measured 2 s,
/// BENCHMARKS.md). A replica whose 16 connections are all busy this long sheds reads to the
/// primary the same way.
const REPLICA_ACQUIRE: Duration = Duration::from_millis(500);

/// Where a replica stands in replaying the primary's write-ahead log.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplayPosition {
    /// The server is a standby (`pg_is_in_recovery()`); false once it was promoted.
    pub in_recovery: bool,
    /// The last log position replayed, in bytes from the start (`pg_last_wal_replay_lsn()`;
    /// `None` on a server that is not a standby).
    pub replayed: Option<i64>,
    /// Seconds since the last transaction replayed was committed on the primary
    /// (`now() - pg_last_xact_replay_timestamp()`); `None` before any was replayed.
    pub since_last_replayed: Option<f64>,
}

impl Store {
    /// Opens the read replica at `url` (PostgreSQL only): no database created, no migration
    /// run, every transaction read-only. Refused when `url` is not PostgreSQL's, and, with the
    /// migrations each side holds, when the replica is not at exactly this binary's migrations
    /// (a replica still replaying an upgrade, or one of another installation).
    pub async fn open_replica(url: &str) -> Result<Store, StoreError> {
        if Backend::of_url(url) != Backend::Postgres {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "a read replica is a PostgreSQL server (postgres://...)".into(),
            )));
        }
        let mut opts =
            PgConnectOptions::from_str(url)?.options([("default_transaction_read_only", "on")]);
        if opts.get_application_name().is_none() {
            opts = opts.application_name(REPLICA_APPLICATION_NAME);
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(REPLICA_ACQUIRE)
            .connect_with(opts)
            .await?;
        // A database wahana never opened has no migration table at all.
        let (migrated,): (bool,) =
            sqlx::query_as("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                .fetch_one(&pool)
                .await?;
        let store = Store {
            pool: Pool::Postgres(pool),
            rules: tally::RulesCache::default(),
            writers: sqlite_tx::Idle::new(false),
        };
        let schema = if migrated {
            store.schema().await?
        } else {
            let carried = crate::known_migrations(Backend::Postgres);
            crate::Schema {
                known: carried.iter().copied().max().unwrap_or(0),
                applied: None,
                missing: carried,
                unknown: Vec::new(),
            }
        };
        if !schema.is_current() {
            store.close().await;
            return Err(StoreError::ReplicaSchema {
                known: schema.known,
                missing: schema.missing,
                unknown: schema.unknown,
            });
        }
        Ok(store)
    }

    /// Where this server stands in replaying the log (asked of a replica; a primary answers
    /// `in_recovery: false` and no position). PostgreSQL only (`None` on SQLite).
    pub async fn replay_position(&self) -> Result<Option<ReplayPosition>, StoreError> {
        let Pool::Postgres(p) = &self.pool else {
            return Ok(None);
        };
        let (in_recovery, replayed, since_last_replayed): (bool, Option<i64>, Option<f64>) =
            sqlx::query_as(
                "SELECT pg_is_in_recovery(), \
                 pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::bigint, \
                 EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8",
            )
            .fetch_one(p)
            .await?;
        Ok(Some(ReplayPosition {
            in_recovery,
            replayed,
            since_last_replayed,
        }))
    }

    /// The primary's log position flushed to disk, in bytes from the start
    /// (`pg_current_wal_flush_lsn()`: what it can have sent): what a replica has replayed is
    /// compared with it. `None` on SQLite and on a standby.
    pub async fn wal_position(&self) -> Result<Option<i64>, StoreError> {
        let Pool::Postgres(p) = &self.pool else {
            return Ok(None);
        };
        let (pos,): (Option<i64>,) = sqlx::query_as(
            "SELECT CASE WHEN pg_is_in_recovery() THEN NULL \
             ELSE pg_wal_lsn_diff(pg_current_wal_flush_lsn(), '0/0')::bigint END",
        )
        .fetch_one(p)
        .await?;
        Ok(pos)
    }
}
