//! Tests of the built `wahana` binary, run in a temporary directory. Each runs on SQLite and,
//! when `WAHANA_TEST_POSTGRES_URL` is set (always in CI), on a fresh PostgreSQL database too.

mod cli;
mod import;
mod harness;
