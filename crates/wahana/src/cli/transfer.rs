//! `wahana import`, `wahana export`, `wahana instrument xlsform`.

use super::output;
use crate::service::{self, export::FileFormat, import::ImportOptions};
use anyhow::{Context as _, Result};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use wahana_domain::instrument::Table;
use wahana_domain::{Date, Lang, RegionTree};
use wahana_store::Store;

fn parse_table(s: &str) -> Result<Table, String> {
    Table::parse(s).ok_or_else(|| {
        format!("unknown table {s:?}; expected kelompok (groups), ikatan (ties), lembaga (institutions) or wahana (networks)")
    })
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
        .ok_or_else(|| format!("expected a date like 2007-08-14 or 14/08/2007, found {s:?}"))
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A CSV (comma or semicolon, UTF-8), XLSX or ODS file, or an ODK/KoBo export of them.
    pub file: PathBuf,
    /// kelompok (groups), ikatan (ties), lembaga (institutions) or wahana (networks); guessed
    /// from the headers when not given.
    #[arg(long, value_parser = parse_table)]
    pub table: Option<Table>,
    /// The sheet of a workbook (the first when not given).
    #[arg(long)]
    pub sheet: Option<String>,
    /// The wave (pendataan) to import into, by id or name; created when new.
    #[arg(long)]
    pub wave: Option<String>,
    /// The wave's date (YYYY-MM-DD): rows without tanggal_pendataan take it.
    #[arg(long, value_parser = parse_date)]
    pub date: Option<Date>,
    /// Write the clean rows even if others are rejected (use with --rejects).
    #[arg(long)]
    pub accept_clean: bool,
    /// Write the rejected rows to this file (CSV, or XLSX by extension), with a column saying
    /// why, ready to be fixed and imported again.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Ignore columns that are not the instrument's instead of refusing the file.
    #[arg(long)]
    pub ignore_unknown_columns: bool,
    /// Accept rows that look like groups already held (same village, type and name).
    #[arg(long)]
    pub allow_duplicates: bool,
    /// Check the file and report, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn import(store: &Store, args: ImportArgs, lang: Lang) -> Result<ExitCode> {
    let caller = crate::service::caller::Caller::cli();
    let within = caller.import_scope().map_err(|e| super::fail(e, lang))?;
    let opts = ImportOptions {
        table: args.table,
        sheet: args.sheet,
        wave: args.wave,
        wave_date: args.date,
        accept_clean: args.accept_clean,
        rejects: args.rejects,
        ignore_unknown: args.ignore_unknown_columns,
        allow_duplicates: args.allow_duplicates,
        dry_run: args.dry_run,
        lang,
        within,
        file_name: None,
        who: Some(caller.who()),
        ..ImportOptions::default()
    };
    let bar = output::progress_bar(lang.pick("baris", "rows"));
    let report = service::import::import_file(store, &args.file, &opts, service::today(), &|n| {
        bar.set_position(n)
    })
    .await
    .map_err(|e| super::fail(e, lang))?;
    bar.finish_and_clear();
    if args.json {
        output::print_json(&report)?;
    } else {
        for p in &report.problems {
            eprintln!("{}: {}", report.file, p.message(lang));
        }
        if report.problems_total > report.problems.len() as u64 {
            eprintln!(
                "{}",
                lang.pick(
                    &format!(
                        "… dan {} masalah lain",
                        report.problems_total - report.problems.len() as u64
                    ),
                    &format!(
                        "… and {} more problems",
                        report.problems_total - report.problems.len() as u64
                    ),
                )
            );
        }
        let table = report
            .table
            .map(|t| lang.pick(t.code(), t.code_en()))
            .unwrap_or("?");
        let wave = report.wave.as_deref().unwrap_or("-");
        let summary = if report.committed {
            lang.pick(
                &format!(
                    "{}: {} baris {table} dibaca; {} ditulis ke pendataan {wave} ({} baru, {} diperbarui); {} ditolak",
                    report.file, report.rows, report.written, report.created, report.updated, report.rejected
                ),
                &format!(
                    "{}: {} rows of {table} read; {} written to wave {wave} ({} new, {} updated); {} rejected",
                    report.file, report.rows, report.written, report.created, report.updated, report.rejected
                ),
            )
            .to_string()
                + &report.links_note(lang)
        } else if report.dry_run {
            lang.pick(
                &format!(
                    "{}: {} baris diperiksa, {} bermasalah; tidak ada yang ditulis (--dry-run)",
                    report.file, report.rows, report.rejected
                ),
                &format!(
                    "{}: {} rows checked, {} with problems; nothing written (--dry-run)",
                    report.file, report.rows, report.rejected
                ),
            )
            .to_string()
        } else {
            lang.pick(
                &format!(
                    "{}: {} masalah pada {} dari {} baris; TIDAK ADA yang ditulis. Perbaiki berkas, atau pakai --accept-clean --rejects FILE untuk menulis baris yang bersih",
                    report.file, report.problems_total, report.rejected, report.rows
                ),
                &format!(
                    "{}: {} problems in {} of {} rows; NOTHING was written. Fix the file, or use --accept-clean --rejects FILE to write the clean rows",
                    report.file, report.problems_total, report.rejected, report.rows
                ),
            )
            .to_string()
        };
        eprintln!("{summary}");
        if let Some(f) = &report.rejects_file {
            eprintln!(
                "{}: {f}",
                lang.pick("baris yang ditolak ditulis ke", "rejected rows written to")
            );
        }
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// kelompok (groups), ikatan (ties), lembaga (institutions) or wahana (networks).
    #[arg(long, value_parser = parse_table, default_value = "kelompok")]
    pub table: Table,
    /// Region code (any level) whose records to export; everything when not given.
    #[arg(long)]
    pub region: Option<String>,
    /// Only this wave.
    #[arg(long)]
    pub wave: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FileFormat,
    /// English column names instead of Indonesian.
    #[arg(long)]
    pub english: bool,
    /// The file to write.
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn export(store: &Store, args: ExportArgs, lang: Lang) -> Result<ExitCode> {
    let region = args
        .region
        .as_deref()
        .map(|r| service::regions::find(r, lang).map(|r| r.code.clone()))
        .transpose()?;
    let bar = output::progress_bar(lang.pick("baris", "rows"));
    let req = service::export::ExportRequest {
        table: args.table,
        region: region.as_ref(),
        wave: args.wave.as_deref(),
        format: args.format,
        english: args.english,
        out: &args.out,
    };
    let report = service::export::export(store, &req, &|n| bar.set_position(n)).await;
    bar.finish_and_clear();
    let report = report.map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!(
        "{}",
        lang.pick(
            &format!(
                "{} baris {} ditulis ke {}",
                report.rows,
                report.table.code(),
                report.file
            ),
            &format!(
                "{} {} rows written to {}",
                report.rows,
                report.table.code_en(),
                report.file
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand, Debug)]
pub enum InstrumentCommand {
    /// Write an XLSForm (for ODK Collect and KoboCollect) whose village list holds the villages
    /// under a region.
    Xlsform {
        /// Region code (any level): the form offers its villages only.
        #[arg(long)]
        region: String,
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn instrument(cmd: InstrumentCommand, lang: Lang) -> Result<ExitCode> {
    match cmd {
        InstrumentCommand::Xlsform { region, out } => {
            let region = service::regions::find(&region, lang)?;
            crate::instrument::write_xlsform(
                &out,
                &region.code,
                RegionTree::official(),
                service::today().year(),
            )
            .with_context(|| out.display().to_string())?;
            let villages = RegionTree::official().villages_under(&region.code).len();
            eprintln!(
                "{}",
                lang.pick(
                    &format!(
                        "XLSForm ditulis ke {} ({} desa/kelurahan di bawah {} {})",
                        out.display(),
                        villages,
                        region.code,
                        region.name
                    ),
                    &format!(
                        "XLSForm written to {} ({} villages under {} {})",
                        out.display(),
                        villages,
                        region.code,
                        region.name
                    ),
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
