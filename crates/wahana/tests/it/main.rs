//! Tests of the built `wahana` binary, run in a temporary directory, and of its web application
//! over HTTP (`web/`). Each runs on SQLite and, when `WAHANA_TEST_POSTGRES_URL` is set (always
//! in CI), on a fresh PostgreSQL database too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic: that is how they fail

mod browser;
mod cli;
mod compare;
mod first_load;
mod harness;
mod hostile;
mod import;
mod network;
mod profile;
mod resurvey;
mod shutdown;
mod waves;
mod web;
