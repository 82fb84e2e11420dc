//! `wahana import`, `wahana export`, `wahana instrument xlsform`, `wahana instrument xform`.

use super::output;
use crate::instrument::CsvDialect;
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

/// Warnings printed in full before they are counted by kind.
const CLI_WARNINGS: usize = 20;

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
        // Warnings: the first few in full, then how many of each kind.
        for w in report.warnings.iter().take(CLI_WARNINGS) {
            eprintln!(
                "{}: {}: {}",
                report.file,
                lang.pick("peringatan", "warning"),
                w.message(lang)
            );
        }
        if report.warnings_total > CLI_WARNINGS as u64 {
            for (code, n) in &report.warning_counts {
                eprintln!(
                    "{}: {}: {n} {}",
                    report.file,
                    lang.pick("peringatan", "warnings"),
                    service::import::Warning::kind_label(code, lang)
                );
            }
            eprintln!(
                "{}",
                lang.pick(
                    "(daftarnya, sampai 1000 peringatan: --json)",
                    "(the list, up to 1000 warnings: --json)"
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
                    "{}: {} masalah pada {} dari {} baris; TIDAK ADA yang ditulis. Perbaiki berkas, atau pakai --accept-clean --rejects BERKAS untuk menulis baris yang bersih",
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
    /// The CSV dialect: standard (comma, LF) or excel-id (what Excel in an Indonesian locale
    /// opens directly: semicolon, UTF-8 byte-order mark, CRLF).
    #[arg(long, value_enum, default_value = "standard")]
    pub dialect: CsvDialect,
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
        dialect: args.dialect,
        personal: true,
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
    /// Write the XForm that ODK Collect downloads from wahana (the same form as the XLSForm,
    /// as pyxform converts it): DIR/FORM_ID.xml and its media, desa.csv (the villages under
    /// the region) and, for a re-survey, kelompok_lama.csv (the groups of the earlier wave).
    /// The blank template of a table: an XLSX with one row of headers, drop-down lists on the
    /// coded columns and a codebook sheet (`kode`).
    Template {
        /// kelompok (groups), ikatan (ties), lembaga (institutions) or wahana (networks).
        #[arg(long, value_parser = parse_table, default_value = "kelompok")]
        table: Table,
        /// Region code (any level): its villages are listed for kode_wilayah.
        #[arg(long)]
        region: Option<String>,
        /// The file to write (.xlsx).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    Xform {
        /// Region code (any level): the form offers its villages only.
        #[arg(long)]
        region: String,
        /// The folder the form and its media are written to (created when missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// A re-survey's form (wahana_kelompok_ulang): in each village, the enumerator picks
        /// the group re-visited from the groups this wave (its id) recorded, or a new one.
        #[arg(long, value_name = "WAVE")]
        resurvey_wave: Option<String>,
    },
}

pub async fn instrument(store: &Store, cmd: InstrumentCommand, lang: Lang) -> Result<ExitCode> {
    match cmd {
        InstrumentCommand::Template { table, region, out } => {
            let region = region
                .as_deref()
                .map(|r| service::regions::find(r, lang).map(|r| r.code.clone()))
                .transpose()?;
            let bytes = crate::instrument::template::write_template(table, region.as_ref())?;
            std::fs::write(&out, bytes).with_context(|| out.display().to_string())?;
            eprintln!(
                "{}",
                lang.pick(
                    &format!("templat {} ditulis ke {}", table.code(), out.display()),
                    &format!("{} template written to {}", table.code_en(), out.display()),
                )
            );
        }
        InstrumentCommand::Xform {
            region,
            out,
            resurvey_wave,
        } => {
            let region = service::regions::find(&region, lang)?;
            let tree = RegionTree::official();
            let year = service::today().year();
            let (form, groups) = match &resurvey_wave {
                Some(wave) => {
                    let previous = service::resurvey::previous_groups(
                        store,
                        &crate::service::caller::Caller::cli(),
                        wave,
                        &region.code,
                    )
                    .await
                    .map_err(|e| super::fail(e, lang))?;
                    let form =
                        crate::instrument::resurvey_xform(&region.code, tree, year, &previous)?;
                    (form, Some(previous.len()))
                }
                None => (crate::instrument::xform(&region.code, tree, year)?, None),
            };
            std::fs::create_dir_all(&out).with_context(|| out.display().to_string())?;
            let mut written = vec![out.join(format!("{}.xml", form.form_id))];
            std::fs::write(&written[0], form.xml.as_bytes())
                .with_context(|| written[0].display().to_string())?;
            for m in &form.media {
                let path = out.join(&m.name);
                std::fs::write(&path, &m.bytes).with_context(|| path.display().to_string())?;
                written.push(path);
            }
            let villages = tree.villages_under(&region.code).len();
            eprintln!(
                "{}",
                lang.pick(
                    &format!(
                        "XForm {} versi {} ditulis ({} desa/kelurahan di bawah {} {}{}):",
                        form.form_id,
                        form.version,
                        villages,
                        region.code,
                        region.name,
                        groups
                            .map(|n| format!("; {n} kelompok pendataan sebelumnya"))
                            .unwrap_or_default()
                    ),
                    &format!(
                        "XForm {} version {} written ({} villages under {} {}{}):",
                        form.form_id,
                        form.version,
                        villages,
                        region.code,
                        region.name,
                        groups
                            .map(|n| format!("; {n} groups of the earlier wave"))
                            .unwrap_or_default()
                    ),
                )
            );
            for path in written {
                eprintln!("  {}", path.display());
            }
        }
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
