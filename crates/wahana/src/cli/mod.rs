//! The command line: parse, call a `service::` function, render.

mod actors;
mod backup;
mod boundaries;
mod compare;
mod groups;
mod network;
mod output;
mod profile;
mod regions;
mod resurvey;
mod screen;
mod serve;
mod transfer;
mod users;
mod waves;

use crate::config::Config;
use crate::service;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use wahana_domain::{ErrorCode, Lang};

const ABOUT: &str = "wahana: daftar dan profil Wahana Kesejahteraan Sosial Berbasis Masyarakat (WKSBM)\n\
wahana: the registry and profile of community-based social-welfare networks (WKSBM)";

#[derive(Parser, Debug)]
#[command(name = "wahana", version, about = ABOUT, long_about = None)]
pub struct Cli {
    /// Database: a SQLite file (default ./wahana.db) or postgres://user@host/db.
    #[arg(long, global = true, value_name = "URL")]
    pub database: Option<String>,
    /// Language of messages: id (Bahasa Indonesia, default) or en.
    #[arg(long, global = true, value_name = "id|en")]
    pub lang: Option<String>,
    /// Configuration file (TOML; default ./wahana.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create or upgrade the database and load the official region tree.
    Init,
    /// Show a region (code or name), its ancestors and its children with group counts.
    Regions(regions::RegionsArgs),
    /// Survey waves (pendataan): list, add, show, edit, close, reopen, delete; review the
    /// links a re-survey proposed. New records go into an existing open wave: a wave is only
    /// ever created on purpose, here or on the waves page.
    #[command(subcommand)]
    Waves(waves::WavesCommand),
    /// Add, list, show, edit and delete groups (kelompok).
    #[command(subcommand)]
    Groups(groups::GroupsCommand),
    /// Local units (dusun, RW, RT) under a village.
    #[command(subcommand)]
    Units(regions::UnitsCommand),
    /// Fill the database with the demonstration data (SYNTHETIC, never a measurement). All or
    /// nothing: the load is one transaction, so an interrupted one leaves the database as it
    /// was (run it again to load).
    Demo(DemoArgs),
    /// Import a CSV/XLSX/ODK/KoBo file of groups, ties, institutions or networks: whole or not
    /// at all, every problem reported.
    Import(transfer::ImportArgs),
    /// Export a table as CSV or XLSX in the instrument's format.
    Export(transfer::ExportArgs),
    /// The field instrument: an XLSForm for ODK Collect and KoboCollect, and the XForm (with
    /// its media) that wahana serves to ODK Collect.
    #[command(subcommand)]
    Instrument(transfer::InstrumentCommand),
    /// Serve the web application and the JSON API.
    Serve(serve::ServeArgs),
    /// Back up the whole database into a file while the server runs: a consistent snapshot.
    /// SQLite: `VACUUM INTO`, which copies inside one read transaction (the database as of the
    /// start, writers not held up; a compact file), rather than the online backup API, which
    /// starts its copy again after every write made meanwhile unless it copies in one step.
    /// PostgreSQL: `pg_dump --format=custom` (one transaction's snapshot), which must be
    /// installed. Recorded in the audit trail, shown to admins at /admin/backups.
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty database (or, with --force, replace one holding
    /// records). SQLite: the backup is checked (integrity_check) and copied into place, never
    /// while another process (a running server) has the file open. PostgreSQL: `pg_restore`
    /// in one transaction. A backup of an earlier wahana is then migrated.
    Restore(backup::RestoreArgs),
    /// People who may sign in, with their role and region.
    #[command(subcommand)]
    Users(users::UsersCommand),
    /// Screen the groups of a region under a rule set: qualifies, does not qualify or
    /// incomplete, with a reason for every criterion.
    Screen(screen::ScreenArgs),
    /// The profile of a region: the five findings, by village and by group type (text, JSON,
    /// Markdown, HTML report or XLSX).
    Profile(profile::ProfileArgs),
    /// What changed between two waves of a region: each group's fate (continuing, dissolved,
    /// not found again, new) and how it was linked, counts by village and group type, the
    /// survival rate, and the five findings in both waves (text, JSON, Markdown, HTML or XLSX).
    Compare(compare::CompareArgs),
    /// Add, list, show, edit and delete WKSBM networks (wahana).
    #[command(subcommand)]
    Networks(actors::NetworksCommand),
    /// Add, list, show, edit and delete support institutions (lembaga).
    #[command(subcommand)]
    Institutions(actors::InstitutionsCommand),
    /// Add, list and delete ties (ikatan) between groups, institutions and networks.
    #[command(subcommand)]
    Ties(actors::TiesCommand),
    /// Members (anggota) of a group: personal data, used for co-membership ties.
    #[command(subcommand)]
    Members(actors::MembersCommand),
    /// The network of a scope (one network, a village, a kecamatan or larger): degree,
    /// betweenness, components, isolated groups, density, ties to institutions and across
    /// villages, as text, JSON, GraphML or SVG.
    Network(network::NetworkArgs),
    /// Region boundaries for the maps: load more from GeoJSON (e.g. every village of a
    /// province), and see which levels and provinces are covered. Provinces, kabupaten/kota,
    /// kecamatan and the villages of Sulawesi Selatan ship with the program.
    #[command(subcommand)]
    Boundaries(boundaries::BoundariesCommand),
}

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Tanete Riattang (8 kelurahan of 73.08.21) or every village of Indonesia.
    #[arg(long, value_enum, default_value = "tanete")]
    pub scale: service::demo::Scale,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, default_value_t = wahana_domain::demo::DEFAULT_SEED)]
    pub seed: u64,
    /// Instead of loading anything, write a synthetic re-survey (pemutakhiran, August 2026) of
    /// the Tanete Riattang demonstration wave made with --seed to this CSV file, to import
    /// into a second wave: retyped names, dissolved, missing and new groups. Rows of earlier
    /// groups carry their id one time in --resurvey-id-every; the others come without one.
    #[arg(long, value_name = "FILE")]
    pub resurvey_file: Option<std::path::PathBuf>,
    /// With --resurvey-file: one row of an earlier group in N keeps its id (0: none does).
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub resurvey_id_every: u64,
}

/// Runs a parsed command line; prints errors in the chosen language.
pub async fn run(cli: Cli) -> ExitCode {
    let config = match Config::load(
        cli.config.as_deref(),
        cli.database.as_deref(),
        cli.lang.as_deref(),
    ) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("wahana: {e:#}");
            return ExitCode::from(2);
        }
    };
    let lang = config.lang().unwrap_or_default();
    match dispatch(cli.command, &config, lang).await {
        Ok(code) => code,
        Err(e) => {
            let prefix = lang.pick("galat", "error");
            let (message, code) = described(&e, lang);
            eprintln!("wahana: {prefix}: {message}");
            match code {
                Some(code) => ExitCode::from(exit_status(code)),
                None => ExitCode::FAILURE,
            }
        }
    }
}

/// An error as the person reads it, with the code of the refusal it holds, if any: its chain
/// of causes (`outer: inner`), where a refusal of the service or the store is said in its own
/// words in `lang` (the store's text is for logs) and ends the chain.
fn described(e: &anyhow::Error, lang: Lang) -> (String, Option<ErrorCode>) {
    use service::ServiceError;
    use service::refusals::{is_refusal, store_message};
    let mut said = Vec::new();
    for cause in e.chain() {
        let refusal = if let Some(r) = cause.downcast_ref::<Refused>() {
            Some((r.message.clone(), r.code))
        } else if let Some(e) = cause.downcast_ref::<ServiceError>() {
            match e {
                ServiceError::Store(s) if !is_refusal(s) => None,
                e => Some((e.message(lang), e.code())),
            }
        } else if let Some(e) = cause.downcast_ref::<wahana_store::StoreError>() {
            is_refusal(e).then(|| (store_message(e, lang), service::store_code(e)))
        } else {
            None
        };
        match refusal {
            Some((message, code)) => {
                said.push(message);
                return (said.join(": "), Some(code));
            }
            None => said.push(cause.to_string()),
        }
    }
    (said.join(": "), None)
}

/// A use case's refusal at the command line: its code (for the exit status) and its message
/// in the user's language.
#[derive(Debug)]
pub struct Refused {
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refused {}

/// A refusal with a code: the service's, a comparison's, a field's.
pub trait Coded {
    fn code(&self) -> ErrorCode;
    fn message(&self, lang: Lang) -> String;
}

impl Coded for service::ServiceError {
    fn code(&self) -> ErrorCode {
        service::ServiceError::code(self)
    }
    fn message(&self, lang: Lang) -> String {
        service::ServiceError::message(self, lang)
    }
}

impl Coded for service::compare::CompareError {
    fn code(&self) -> ErrorCode {
        service::compare::CompareError::code(self)
    }
    fn message(&self, lang: Lang) -> String {
        service::compare::CompareError::message(self, lang)
    }
}

impl Coded for service::import::ImportError {
    fn code(&self) -> ErrorCode {
        match self {
            service::import::ImportError::Store(e) => service::store_code(e),
            #[allow(unreachable_patterns)]
            _ => ErrorCode::ImportFailed,
        }
    }
    fn message(&self, lang: Lang) -> String {
        service::import::ImportError::message(self, lang)
    }
}

impl Coded for wahana_domain::FieldError {
    fn code(&self) -> ErrorCode {
        ErrorCode::InvalidInput
    }
    fn message(&self, lang: Lang) -> String {
        wahana_domain::FieldError::message(self, lang)
    }
}

/// A refusal as the command line reports it (see [`exit_status`]).
pub fn fail(e: impl Coded, lang: Lang) -> anyhow::Error {
    anyhow::Error::new(Refused {
        code: e.code(),
        message: e.message(lang),
    })
}

/// The exit status of a refusal, by its code: 3 input that does not validate, 4 something not
/// held, 5 a conflict with what is held (a duplicate, a newer version, a closed wave), 6 not
/// allowed; 1 for everything else (a file or database failure); 2 is a bad command line.
pub fn exit_status(code: ErrorCode) -> u8 {
    use ErrorCode as C;
    match code {
        C::InvalidInput
        | C::BadRequest
        | C::BadReturnPath
        | C::TooLarge
        | C::SameWave
        | C::RegionRequired
        | C::InvalidRules
        | C::ImportFailed => 3,
        C::NotFound
        | C::WaveNotFound
        | C::ActorNotFound
        | C::NoData
        | C::Unavailable
        | C::UploadExpired
        | C::WaveEmpty
        | C::NotObserved
        | C::CarryForwardSourceEmpty => 4,
        C::LikelyDuplicate
        | C::EditConflict
        | C::NoOpenWave
        | C::WaveClosed
        | C::WaveExists
        | C::WaveNotEmpty
        | C::IdTaken
        | C::AlreadyObserved
        | C::NotObservedTogether
        | C::TieExists
        | C::UserExists
        | C::OwnAccount
        | C::ReviewDecided
        | C::RulesVersionTaken
        | C::CarryForwardTargetNotEmpty => 5,
        C::Forbidden
        | C::SignInRequired
        | C::BadCredentials
        | C::CsrfFailed
        | C::AccountInactive
        | C::TooManyFailures => 6,
        C::InternalError
        | C::DatabaseError
        | C::ScopeTooLarge
        | C::PdfUnavailable
        | C::PdfBusy
        | C::ServerBusy
        | C::SqliteInMemory
        | C::CarryForwardIo => 1,
    }
}

async fn dispatch(command: Command, config: &Config, lang: Lang) -> anyhow::Result<ExitCode> {
    // A backup takes the database as it is and a restore replaces it: neither opens it as
    // the other commands do (which would create it, or migrate it first).
    let command = match command {
        Command::Backup(args) => return backup::run_backup(config, args, lang).await,
        Command::Restore(args) => return backup::run_restore(config, args, lang).await,
        other => other,
    };
    // The commands that write millions of rows take the SQLite file for themselves when no
    // other process has it open (rollback journal: the rows are written once, not twice).
    let sharing = match &command {
        Command::Import(_) | Command::Demo(_) => wahana_store::Sharing::Bulk,
        _ => wahana_store::Sharing::Shared,
    };
    // A read replica on a SQLite database is refused before the file is opened (or made).
    if let Command::Serve(args) = &command {
        config.read_replica(args.read_replica.as_deref())?;
    }
    let store = service::open_with(&config.database, sharing).await?;
    let result = match command {
        Command::Init => {
            let c = store.counts().await?;
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "basis data siap: {} ({} wilayah, {} kelompok)",
                        crate::config::redact_url(&config.database),
                        c.regions,
                        c.groups
                    ),
                    &format!(
                        "database ready: {} ({} regions, {} groups)",
                        crate::config::redact_url(&config.database),
                        c.regions,
                        c.groups
                    ),
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Regions(args) => regions::run(&store, args, lang).await,
        Command::Waves(cmd) => waves::run(&store, cmd, lang).await,
        Command::Groups(cmd) => groups::run(&store, cmd, lang).await,
        Command::Units(cmd) => regions::run_units(&store, cmd, lang).await,
        Command::Demo(args) => demo(&store, args, lang).await,
        Command::Import(args) => transfer::import(&store, args, lang).await,
        Command::Export(args) => transfer::export(&store, args, lang).await,
        Command::Instrument(cmd) => transfer::instrument(&store, cmd, lang).await,
        Command::Serve(args) => serve::run(&store, args, config, lang).await,
        Command::Users(cmd) => users::run(&store, cmd, lang).await,
        Command::Screen(args) => screen::run(&store, args, lang).await,
        Command::Profile(args) => profile::run(&store, args, &config.letterhead, lang).await,
        Command::Compare(args) => compare::run(&store, args, lang).await,
        Command::Networks(cmd) => actors::networks(&store, cmd, lang).await,
        Command::Institutions(cmd) => actors::institutions(&store, cmd, lang).await,
        Command::Ties(cmd) => actors::ties(&store, cmd, lang).await,
        Command::Members(cmd) => actors::members(&store, cmd, lang).await,
        Command::Network(args) => network::run(&store, args, lang).await,
        Command::Boundaries(cmd) => boundaries::run(&store, cmd, lang).await,
        Command::Backup(_) | Command::Restore(_) => Err(anyhow::Error::msg(
            "backup and restore run before the database is opened",
        )),
    };
    store.close().await;
    result
}

async fn demo(store: &wahana_store::Store, args: DemoArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.resurvey_file {
        let s = service::demo::write_resurvey(path, args.seed, args.resurvey_id_every)?;
        println!(
            "{}",
            lang.pick(
                &format!(
                    "PEMUTAKHIRAN SINTETIS ditulis ke {}: {} baris ({} dengan id, {} tanpa id, {} kelompok baru; {} bubar; {} kelompok lama tidak ditemukan lagi). Bukan hasil pengukuran.",
                    path.display(), s.rows, s.with_id, s.without_id, s.new, s.dissolved, s.not_refound
                ),
                &format!(
                    "SYNTHETIC RE-SURVEY written to {}: {} rows ({} with an id, {} without, {} new groups; {} dissolved; {} earlier groups not found again). Not a measurement.",
                    path.display(), s.rows, s.with_id, s.without_id, s.new, s.dissolved, s.not_refound
                ),
            )
        );
        return Ok(ExitCode::SUCCESS);
    }
    let started = std::time::Instant::now();
    let bar = output::progress_bar(lang.pick("desa", "villages"));
    let summary = service::demo::load(store, args.scale, args.seed, &|done, total| {
        bar.set_length(total);
        bar.set_position(done);
        Ok(())
    })
    .await?;
    bar.finish_and_clear();
    println!(
        "{}",
        lang.pick(
            &format!(
                "DATA SINTETIS dimuat ke pendataan {}: {} desa/kelurahan, {} kelompok, {} wahana, {} lembaga, {} ikatan ({:.1} detik). Bukan hasil pengukuran.",
                summary.wave, summary.villages, summary.groups, summary.networks, summary.institutions, summary.ties,
                started.elapsed().as_secs_f64()
            ),
            &format!(
                "SYNTHETIC DATA loaded into wave {}: {} villages, {} groups, {} networks, {} institutions, {} ties ({:.1} s). Not a measurement.",
                summary.wave, summary.villages, summary.groups, summary.networks, summary.institutions, summary.ties,
                started.elapsed().as_secs_f64()
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use service::ServiceError;
    use wahana_store::{ActorKind, Refusal, StoreError};

    #[test]
    fn a_refusal_in_an_errors_chain_is_said_in_the_services_words() {
        let closed =
            anyhow::Error::new(StoreError::from(Refusal::WaveClosed { wave: "w1".into() }))
                .context("saving the unit");
        assert_eq!(
            described(&closed, Lang::Id),
            (
                "saving the unit: pendataan w1 sudah ditutup: datanya tidak dapat diubah lagi \
                 (buka kembali dahulu)"
                    .to_string(),
                Some(ErrorCode::WaveClosed)
            )
        );
        let taken = anyhow::Error::new(ServiceError::from(Refusal::IdTaken {
            id: "K-1".into(),
            holder: ActorKind::Network,
        }));
        assert_eq!(
            described(&taken, Lang::En),
            (
                "id K-1 is already used by a network; an id names one record".to_string(),
                Some(ErrorCode::IdTaken)
            )
        );
        assert_eq!(exit_status(ErrorCode::IdTaken), 5);
        // A failure of the database is no refusal: it says itself, and the status is 1.
        let failed = anyhow::Error::new(StoreError::Writer("the writer stopped".into()));
        assert_eq!(
            described(&failed, Lang::Id),
            ("database error: the writer stopped".to_string(), None)
        );
    }
}
