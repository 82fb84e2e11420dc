//! `wahana backup` and `wahana restore`: the whole database to a file and back.

use crate::config::{Config, redact_url};
use crate::service::backup::{self, BackupError};
use crate::service::caller::Caller;
use std::path::PathBuf;
use std::process::ExitCode;
use wahana_domain::Lang;

#[derive(clap::Args, Debug)]
pub struct BackupArgs {
    /// The backup file to write; it must not exist (a backup never replaces a file). It is
    /// written beside itself first and renamed into place once complete.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct RestoreArgs {
    /// A backup written by `wahana backup` for the same kind of database.
    pub file: PathBuf,
    /// Replace a database that holds records (waves, groups, networks, institutions, ties,
    /// users, audit entries). Without it only an empty database is restored into.
    #[arg(long)]
    pub force: bool,
}

/// Seconds to a tenth, as the language writes them (`0,4` / `0.4`).
fn seconds(s: f64, lang: Lang) -> String {
    wahana_domain::profile::format_number((s * 10.0).round() / 10.0, lang)
}

fn said(e: BackupError, lang: Lang) -> anyhow::Error {
    anyhow::Error::msg(e.message(lang))
}

pub async fn run_backup(config: &Config, args: BackupArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let done = backup::backup(&config.database, &args.out, &Caller::cli())
        .await
        .map_err(|e| said(e, lang))?;
    let r = &done.record;
    println!(
        "{}",
        lang.pick(
            &format!(
                "cadangan ditulis: {} ({}, {}, {} detik; keadaan basis data pada {})",
                args.out.display(),
                backup::size(r.bytes, lang),
                r.method,
                seconds(r.seconds, lang),
                r.started
            ),
            &format!(
                "backup written: {} ({}, {}, {} s; the database as of {})",
                args.out.display(),
                backup::size(r.bytes, lang),
                r.method,
                seconds(r.seconds, lang),
                r.started
            ),
        )
    );
    match done.recorded {
        Ok(true) => {}
        Ok(false) => eprintln!(
            "wahana: {}",
            lang.pick(
                "cadangan tidak dicatat di jejak audit: skema basis data bukan skema wahana ini (jalankan `wahana init`)",
                "the backup is not recorded in the audit trail: the database's schema is not this wahana's (run `wahana init`)",
            )
        ),
        Err(e) => eprintln!(
            "wahana: {}: {e}",
            lang.pick(
                "cadangan tidak dapat dicatat di jejak audit",
                "the backup could not be recorded in the audit trail",
            )
        ),
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn run_restore(
    config: &Config,
    args: RestoreArgs,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let (done, store) = backup::restore(&config.database, &args.file, args.force, &Caller::cli())
        .await
        .map_err(|e| said(e, lang))?;
    let c = store.counts().await?;
    store.close().await;
    println!(
        "{}",
        lang.pick(
            &format!(
                "dipulihkan dari {} ke {} ({} detik): {} pendataan, {} kelompok, {} wahana, {} lembaga, {} ikatan",
                args.file.display(),
                redact_url(&config.database),
                seconds(done.record.seconds, lang),
                c.waves,
                c.groups,
                c.networks,
                c.institutions,
                c.ties
            ),
            &format!(
                "restored from {} into {} ({} s): {} waves, {} groups, {} networks, {} institutions, {} ties",
                args.file.display(),
                redact_url(&config.database),
                seconds(done.record.seconds, lang),
                c.waves,
                c.groups,
                c.networks,
                c.institutions,
                c.ties
            ),
        )
    );
    if let Err(e) = done.recorded {
        eprintln!(
            "wahana: {}: {e}",
            lang.pick(
                "pemulihan tidak dapat dicatat di jejak audit",
                "the restore could not be recorded in the audit trail",
            )
        );
    }
    Ok(ExitCode::SUCCESS)
}
