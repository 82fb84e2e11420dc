//! `wahana`: the registry and profile of Indonesia's community-based social-welfare networks
//! (Wahana Kesejahteraan Sosial Berbasis Masyarakat, WKSBM).

mod cli;
mod config;
mod instrument;
mod report;
mod service;
mod web;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
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
