//! `wahana`: the registry and profile of Indonesia's community-based social-welfare networks
//! (Wahana Kesejahteraan Sosial Berbasis Masyarakat, WKSBM).

mod cli;

// The library's modules, under the names the command line uses.
use wahana::{config, instrument, report, service, web};

use clap::Parser;
use std::process::ExitCode;

/// Logs go to stderr (stdout stays the commands' output): `RUST_LOG` filters them (default:
/// for the server, wahana's own at info and others' warnings; for every other command,
/// warnings only, since the command prints its own outcome), `WAHANA_LOG_FORMAT=json` writes
/// one JSON object a line instead of text.
fn init_logs(server: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(if server {
            "warn,wahana=info,wahana_store=info"
        } else {
            "warn"
        })
    });
    let json = std::env::var("WAHANA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    // Colours only on a terminal: a log written to a file or a journal stays plain text.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    // A subscriber set already (none is, outside tests) keeps its place.
    let _ = if json {
        logs.json().try_init()
    } else {
        logs.try_init()
    };
}

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    init_logs(matches!(args.command, cli::Command::Serve(_)));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("wahana: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(cli::run(args))
}
