//! The wahana library: everything but the command line. Use cases (`service`), the
//! instrument's files (`instrument`), the profile report's renderings (`report`) and the web
//! application with its JSON API (`web`), over `wahana-domain` (the rules) and `wahana-store`
//! (the databases). The binary (`src/main.rs`, `src/cli/`) parses a command line, says who the
//! caller is and calls in here; so does the server's start-up.

pub mod config;
pub mod instrument;
pub mod report;
pub mod service;
pub mod web;
