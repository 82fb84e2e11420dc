//! Store tests. Every test runs on SQLite (a file in a temporary directory) and, when
//! `WAHANA_TEST_POSTGRES_URL` is set, on PostgreSQL too, each in a database of its own. With
//! `CI` set, a missing PostgreSQL is a failure, not a skip.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod actors;
mod audit;
mod auth;
mod batch;
mod concurrency;
mod export;
mod failures;
mod harness;
mod links;
mod migrate;
mod registry;
mod tally;
mod waves;
