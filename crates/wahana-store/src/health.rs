//! What the server's readiness probe and metrics ask of the database: that it answers, that
//! its schema is the one this binary was built for, and how its pool of connections is used.

use crate::{Store, StoreError, on_pool};
use sqlx::migrate::Migrator;

/// The migrations this binary carries, one list per database (run by [`Store::open`]).
pub(crate) static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
pub(crate) static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// The database's migrations against this binary's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Schema {
    /// The latest migration this binary carries.
    pub known: i64,
    /// The latest migration the database records as applied (`None`: none).
    pub applied: Option<i64>,
    /// Migrations of this binary the database has not applied (or whose run failed).
    pub missing: Vec<i64>,
    /// Migrations the database records that this binary does not carry: a newer wahana
    /// upgraded it.
    pub unknown: Vec<i64>,
}

impl Schema {
    /// The database is at exactly this binary's migrations.
    pub fn is_current(&self) -> bool {
        self.missing.is_empty() && self.unknown.is_empty()
    }
}

/// How the pool of database connections is used at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open (idle or lent out).
    pub size: u32,
    /// Connections open and waiting to be lent.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

impl Store {
    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query("SELECT 1").execute(p).await?;
        });
        Ok(())
    }

    /// The migrations the database records, against those this binary carries.
    pub async fn schema(&self) -> Result<Schema, StoreError> {
        let applied: Vec<(i64, bool)> = on_pool!(self.pool, p => {
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(p)
                .await?
        });
        let carried = crate::known_migrations(self.backend());
        let done = |v: i64| applied.iter().any(|&(a, ok)| a == v && ok);
        Ok(Schema {
            known: carried.iter().copied().max().unwrap_or(0),
            applied: applied.iter().filter(|(_, ok)| *ok).map(|(v, _)| *v).max(),
            missing: carried.iter().copied().filter(|&v| !done(v)).collect(),
            unknown: applied
                .iter()
                .map(|(v, _)| *v)
                .filter(|v| !carried.contains(v))
                .collect(),
        })
    }

    /// How the pool of connections is used now.
    pub fn pool_use(&self) -> PoolUse {
        on_pool!(self.pool, p => PoolUse {
            size: p.size(),
            idle: u32::try_from(p.num_idle()).unwrap_or(u32::MAX),
            max: p.options().get_max_connections(),
        })
    }
}
