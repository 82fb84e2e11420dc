//! `wahana waves`: the survey waves (pendataan), created on purpose and managed: list, add,
//! show, edit, close, reopen, delete; and the re-survey's commands (`carry-forward`, `review`,
//! `link`, in `resurvey.rs`).

use super::output::{Format, print_csv, print_json, print_table};
use super::resurvey;
use crate::service::caller::Caller;
use crate::service::waves::{self, WaveInput, WaveView};
use crate::service::{ServiceError, waves::period};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::process::ExitCode;
use wahana_domain::{Lang, Wave};
use wahana_store::{Store, WaveContents};

#[derive(Subcommand, Debug)]
pub enum WavesCommand {
    /// List every wave, the latest first: id, name, date or period, source, method, who ran
    /// it, synthetic, open or closed, and the groups and villages it holds.
    List {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Add a wave (open). New groups, networks and institutions go into the wave named with
    /// --wave, else the latest open wave of their region: no wave is ever made on the way.
    Add(AddArgs),
    /// One wave: its fields and what it holds.
    Show {
        id: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Change fields of a wave (not of a closed one: reopen it first). An empty value clears
    /// an optional field (--source "").
    Edit(EditArgs),
    /// Close a wave: from then on it is read-only (the web, the API, the command line and
    /// imports refuse every write into it) until it is reopened.
    Close { id: String },
    /// Reopen a closed wave.
    Reopen { id: String },
    /// Delete a wave. One holding groups, networks, institutions or ties is refused (and what
    /// it holds is listed) unless --force: then the wave and all of its records go, in one
    /// transaction. A closed wave is refused: reopen it first.
    Delete {
        id: String,
        /// Delete the wave with every record it holds.
        #[arg(long)]
        force: bool,
    },
    /// Prepare the next round from an earlier wave: the region's groups (and ties) pre-filled
    /// with their ids, and an XLSForm listing each village's earlier groups; optionally copy
    /// networks, institutions and their ties as unconfirmed observations.
    CarryForward(resurvey::CarryForwardArgs),
    /// The links an import proposed for review (rows without an id that look like an earlier
    /// group): list them, accept or reject.
    Review(resurvey::ReviewArgs),
    /// Record by hand that a group of WAVE continues an earlier group, or that groups merged
    /// or split (the link keeps who recorded it).
    Link(resurvey::LinkArgs),
}

/// A wave's fields (the same for add and edit).
#[derive(Args, Debug, Default)]
pub struct WaveFields {
    /// The area it covered: a region code or name of any level (73.08.21, "Tanete Riattang").
    #[arg(long)]
    region: Option<String>,
    /// Its date, or the first day of its period (2026-08-01 or 01/08/2026).
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// The last day of its period.
    #[arg(long, value_name = "DATE")]
    end: Option<String>,
    /// Where the data come from (a study, a Dinas Sosial survey).
    #[arg(long)]
    source: Option<String>,
    /// How groups were found: census (sensus: every group of the area) or sample (sampel); a
    /// sample's profile shares carry 95% confidence intervals. Also `--design`.
    #[arg(long, visible_alias = "design")]
    method: Option<String>,
    /// Who ran it (an office, a study team).
    #[arg(long, value_name = "WHO")]
    run_by: Option<String>,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The wave's name, e.g. "Pemutakhiran PSKS Bone 2026".
    #[arg(long)]
    name: String,
    /// Its id: lowercase letters, digits and -; made from the name when not given.
    #[arg(long)]
    id: Option<String>,
    #[command(flatten)]
    fields: WaveFields,
    /// Generated data, never to be shown as a measurement.
    #[arg(long)]
    synthetic: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    id: String,
    #[arg(long)]
    name: Option<String>,
    #[command(flatten)]
    fields: WaveFields,
    /// Whether it holds generated data: true or false.
    #[arg(long, value_name = "true|false")]
    synthetic: Option<bool>,
}

fn fail(e: ServiceError, lang: Lang) -> anyhow::Error {
    super::fail(e, lang)
}

fn input(
    id: Option<String>,
    name: Option<String>,
    f: WaveFields,
    synthetic: Option<bool>,
    lang: Lang,
) -> Result<WaveInput> {
    // A region named (code or name) is found here; an empty value clears it.
    let region = match f.region {
        Some(r) if !r.trim().is_empty() => {
            Some(crate::service::regions::find(&r, lang)?.code.to_string())
        }
        other => other,
    };
    Ok(WaveInput {
        id,
        name,
        region,
        start_date: f.start,
        end_date: f.end,
        source: f.source,
        method: f.method,
        run_by: f.run_by,
        synthetic,
    })
}

fn headers(lang: Lang) -> [&'static str; 10] {
    [
        "id",
        lang.pick("nama", "name"),
        lang.pick("tanggal", "date"),
        lang.pick("sumber", "source"),
        lang.pick("metode", "method"),
        lang.pick("pelaksana", "run by"),
        lang.pick("sintetis", "synthetic"),
        "status",
        lang.pick("kelompok", "groups"),
        lang.pick("desa", "villages"),
    ]
}

fn row(w: &Wave, c: &WaveContents, lang: Lang) -> Vec<String> {
    vec![
        w.id.clone(),
        w.name.clone(),
        period(w),
        w.source.clone().unwrap_or_default(),
        waves::method_label(w.method, lang).to_string(),
        w.run_by.clone().unwrap_or_default(),
        if w.synthetic {
            lang.pick("ya", "yes").to_string()
        } else {
            String::new()
        },
        waves::status_label(w.closed, lang).to_string(),
        c.groups.to_string(),
        c.villages.to_string(),
    ]
}

fn print_one(w: &Wave, c: &WaveContents, format: Format, lang: Lang) -> Result<()> {
    match format {
        Format::Json => print_json(&WaveView::of(w, *c)),
        Format::Csv => print_csv(&headers(lang), &[row(w, c, lang)]),
        Format::Table => {
            let lines = [
                ("id", w.id.clone()),
                (lang.pick("nama", "name"), w.name.clone()),
                (
                    lang.pick("wilayah", "region"),
                    w.region.as_ref().map(|r| r.to_string()).unwrap_or_default(),
                ),
                (lang.pick("tanggal", "date"), period(w)),
                (
                    lang.pick("sumber", "source"),
                    w.source.clone().unwrap_or_default(),
                ),
                (
                    lang.pick("metode", "method"),
                    waves::method_label(w.method, lang).to_string(),
                ),
                (
                    lang.pick("pelaksana", "run by"),
                    w.run_by.clone().unwrap_or_default(),
                ),
                (
                    lang.pick("sintetis", "synthetic"),
                    lang.pick(
                        if w.synthetic { "ya" } else { "tidak" },
                        if w.synthetic { "yes" } else { "no" },
                    )
                    .to_string(),
                ),
                ("status", waves::status_label(w.closed, lang).to_string()),
                (lang.pick("kelompok", "groups"), c.groups.to_string()),
                (
                    lang.pick("desa/kelurahan", "villages"),
                    c.villages.to_string(),
                ),
                (lang.pick("wahana", "networks"), c.networks.to_string()),
                (
                    lang.pick("lembaga", "institutions"),
                    c.institutions.to_string(),
                ),
                (lang.pick("ikatan", "ties"), c.ties.to_string()),
            ];
            let width = lines
                .iter()
                .map(|(k, _)| k.chars().count())
                .max()
                .unwrap_or(0);
            for (k, v) in lines {
                println!("{k}{}  {v}", " ".repeat(width - k.chars().count()));
            }
            Ok(())
        }
    }
}

pub async fn run(store: &Store, cmd: WavesCommand, lang: Lang) -> Result<ExitCode> {
    let who = Caller::cli();
    match cmd {
        WavesCommand::List { format } => {
            let list = waves::summaries(store).await.map_err(|e| fail(e, lang))?;
            match format {
                Format::Json => print_json(
                    &list
                        .iter()
                        .map(|(w, c)| WaveView::of(w, *c))
                        .collect::<Vec<_>>(),
                )?,
                Format::Csv => print_csv(
                    &headers(lang),
                    &list
                        .iter()
                        .map(|(w, c)| row(w, c, lang))
                        .collect::<Vec<_>>(),
                )?,
                Format::Table => {
                    print_table(
                        &headers(lang),
                        &list
                            .iter()
                            .map(|(w, c)| row(w, c, lang))
                            .collect::<Vec<_>>(),
                    );
                    if list.is_empty() {
                        eprintln!(
                            "{}",
                            lang.pick(
                                "belum ada pendataan; buat dengan: wahana waves add --name NAMA",
                                "no wave yet; create one with: wahana waves add --name NAME",
                            )
                        );
                    }
                }
            }
        }
        WavesCommand::Add(a) => {
            let w = waves::add(
                store,
                &who,
                &input(a.id, Some(a.name), a.fields, Some(a.synthetic), lang)?,
            )
            .await
            .map_err(|e| fail(e, lang))?;
            if a.format == Format::Table {
                println!(
                    "{}",
                    lang.pick(
                        &format!("pendataan {} ({}) dibuat, terbuka", w.id, w.name),
                        &format!("wave {} ({}) created, open", w.id, w.name),
                    )
                );
            } else {
                print_one(&w, &WaveContents::default(), a.format, lang)?;
            }
        }
        WavesCommand::Show { id, format } => {
            let (w, c) = waves::show(store, &id).await.map_err(|e| fail(e, lang))?;
            print_one(&w, &c, format, lang)?;
        }
        WavesCommand::Edit(a) => {
            let w = waves::edit(
                store,
                &who,
                &a.id,
                &input(None, a.name, a.fields, a.synthetic, lang)?,
            )
            .await
            .map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                lang.pick(
                    &format!("pendataan {} disimpan", w.id),
                    &format!("wave {} saved", w.id),
                )
            );
        }
        WavesCommand::Close { id } => {
            let w = waves::set_closed(store, &who, &id, true)
                .await
                .map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "pendataan {} ditutup: datanya tidak dapat diubah lagi sampai dibuka kembali (wahana waves reopen {})",
                        w.id, w.id
                    ),
                    &format!(
                        "wave {} closed: its records cannot be changed until it is reopened (wahana waves reopen {})",
                        w.id, w.id
                    ),
                )
            );
        }
        WavesCommand::Reopen { id } => {
            let w = waves::set_closed(store, &who, &id, false)
                .await
                .map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                lang.pick(
                    &format!("pendataan {} dibuka kembali", w.id),
                    &format!("wave {} reopened", w.id),
                )
            );
        }
        WavesCommand::Delete { id, force } => {
            let c = match waves::delete(store, &who, &id, force).await {
                Ok(c) => c,
                Err(
                    e @ ServiceError::Store(wahana_store::StoreError::Refused(
                        wahana_store::Refusal::WaveNotEmpty { .. },
                    )),
                ) => {
                    return Err(anyhow::anyhow!(
                        "{}\n{}",
                        e.message(lang),
                        lang.pick(
                            &format!("hapus beserta seluruh isinya: wahana waves delete {id} --force"),
                            &format!("to delete it with everything in it: wahana waves delete {id} --force"),
                        )
                    ));
                }
                Err(e) => return Err(fail(e, lang)),
            };
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "pendataan {id} dihapus, beserta {} kelompok, {} wahana, {} lembaga dan {} ikatan",
                        c.groups, c.networks, c.institutions, c.ties
                    ),
                    &format!(
                        "wave {id} deleted, with {} groups, {} networks, {} institutions and {} ties",
                        c.groups, c.networks, c.institutions, c.ties
                    ),
                )
            );
        }
        WavesCommand::CarryForward(args) => {
            return resurvey::carry_forward(store, args, lang).await;
        }
        WavesCommand::Review(args) => return resurvey::review(store, args, lang).await,
        WavesCommand::Link(args) => return resurvey::link(store, args, lang).await,
    }
    Ok(ExitCode::SUCCESS)
}
