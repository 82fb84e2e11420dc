//! HTTP tests on the application itself (`wahana::web::app`, requests sent with
//! `tower::ServiceExt::oneshot`), one file per area. Every test runs on SQLite and, when
//! `WAHANA_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL database too (`harness::envs`).

mod api;
mod audit;
mod backup;
mod compare;
mod failure;
mod field;
mod forms;
pub(crate) mod harness;
mod help;
mod ids;
mod import;
mod inbox;
mod language;
mod limits;
mod maps;
mod members;
mod network;
mod ops;
mod pages;
mod permissions;
mod replica;
mod report;
mod restore;
mod review;
mod sign_in;
mod transfer;
mod users;
mod waves;
