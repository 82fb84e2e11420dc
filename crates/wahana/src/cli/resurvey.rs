//! The re-survey (*pemutakhiran*) from the command line: `wahana waves carry-forward` prepares
//! the next round from an earlier wave; `wahana waves review` lists the links an import
//! proposed, to accept or reject.

use super::output::{Format, print_csv, print_json, print_table};
use crate::service::{self, caller::Caller};
use anyhow::Result;
use clap::Args;
use std::process::ExitCode;
use wahana_domain::{Lang, RegionTree};
use wahana_store::Store;

#[derive(Args, Debug)]
pub struct CarryForwardArgs {
    /// The earlier wave, whose groups the next round re-visits.
    #[arg(long)]
    pub from: String,
    /// The new wave (created beforehand, open, holding nothing of the region yet).
    #[arg(long)]
    pub to: String,
    /// The region (code or name) to prepare: a kecamatan, a village, a regency…
    #[arg(long)]
    pub region: String,
    /// Folder for the files: the groups pre-filled (CSV and XLSX, each row with its id), the
    /// ties (CSV), and an XLSForm whose group list for each village comes from --from.
    #[arg(long, default_value = ".")]
    pub out: std::path::PathBuf,
    /// Also copy --from's networks and institutions of the region (and the ties between them)
    /// into --to as unconfirmed observations, which the re-survey confirms or ends.
    #[arg(long)]
    pub carry_forward: bool,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub async fn carry_forward(store: &Store, args: CarryForwardArgs, lang: Lang) -> Result<ExitCode> {
    let region = RegionTree::official()
        .resolve(&args.region)
        .map_err(|e| super::fail(e, lang))?
        .code
        .clone();
    let r = service::resurvey::carry_forward(
        store,
        &Caller::cli(),
        &service::resurvey::CarryForward {
            from: &args.from,
            to: &args.to,
            region: &region,
            out_dir: &args.out,
            copy_actors: args.carry_forward,
        },
    )
    .await
    .map_err(|e| super::fail(e, lang))?;
    if args.format == Format::Json {
        print_json(&r)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}",
        lang.pick(
            &format!(
                "pemutakhiran {} → {} untuk {}: {} kelompok dan {} ikatan dari {} disiapkan; {} wahana, {} lembaga, {} ikatan disalin belum dikonfirmasi",
                r.from, r.to, r.region, r.groups, r.ties, r.from, r.networks_copied, r.institutions_copied, r.ties_copied
            ),
            &format!(
                "re-survey {} → {} for {}: {} groups and {} ties of {} prepared; {} networks, {} institutions, {} ties copied unconfirmed",
                r.from, r.to, r.region, r.groups, r.ties, r.from, r.networks_copied, r.institutions_copied, r.ties_copied
            ),
        )
    );
    for f in &r.files {
        println!("  {f}");
    }
    println!(
        "{}",
        lang.pick(
            &format!(
                "impor hasilnya dengan: wahana import BERKAS --wave {}",
                r.to
            ),
            &format!(
                "import the results with: wahana import FILE --wave {}",
                r.to
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// The wave whose import proposed the pairs.
    pub wave: String,
    /// Only pairs whose earlier group lies in this region (code or name).
    #[arg(long)]
    pub region: Option<String>,
    /// Decided pairs too (accepted, rejected, superseded), not only pending ones.
    #[arg(long)]
    pub all: bool,
    /// Accept these pairs (numbers from the list): the row becomes the earlier group's
    /// observation in the wave (link: reviewed).
    #[arg(long, value_name = "N", num_args = 1..)]
    pub accept: Vec<i64>,
    /// Reject these pairs: the row stays a new group.
    #[arg(long, value_name = "N", num_args = 1..)]
    pub reject: Vec<i64>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

pub async fn review(store: &Store, args: ReviewArgs, lang: Lang) -> Result<ExitCode> {
    let fail = |e: service::ServiceError| super::fail(e, lang);
    let caller = Caller::cli();
    for (ids, accept) in [(&args.accept, true), (&args.reject, false)] {
        for &id in ids {
            let r = service::review::decide(store, &caller, &args.wave, id, accept)
                .await
                .map_err(fail)?;
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "usulan {id} {}: {} ↔ {}",
                        if accept { "diterima" } else { "ditolak" },
                        r.new_id,
                        r.candidate_id
                    ),
                    &format!(
                        "proposal {id} {}: {} ↔ {}",
                        if accept { "accepted" } else { "rejected" },
                        r.new_id,
                        r.candidate_id
                    ),
                )
            );
        }
    }
    if !args.accept.is_empty() || !args.reject.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let region = match &args.region {
        Some(r) => Some(
            RegionTree::official()
                .resolve(r)
                .map_err(|e| super::fail(e, lang))?
                .code
                .clone(),
        ),
        None => None,
    };
    let list = service::review::list(store, &caller, &args.wave, region.as_ref(), args.all)
        .await
        .map_err(fail)?;
    let headers = [
        lang.pick("no", "no"),
        lang.pick("desa", "village"),
        lang.pick("kelompok baru", "new group"),
        lang.pick("nama baru", "new name"),
        lang.pick("kelompok lama", "earlier group"),
        lang.pick("nama lama", "earlier name"),
        lang.pick("skor", "score"),
        "status",
    ];
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.village.clone().unwrap_or_default(),
                r.new_id.clone(),
                r.new_name.clone().unwrap_or_default(),
                r.candidate_id.clone(),
                r.candidate_name.clone().unwrap_or_default(),
                format!("{:.2}", r.score),
                r.status.clone(),
            ]
        })
        .collect();
    match args.format {
        Format::Json => print_json(&list)?,
        Format::Csv => print_csv(&headers, &rows)?,
        Format::Table => {
            print_table(&headers, &rows);
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "{} usulan; terima dengan --accept N, tolak dengan --reject N",
                        list.len()
                    ),
                    &format!(
                        "{} proposals; accept with --accept N, reject with --reject N",
                        list.len()
                    ),
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What a link recorded by hand says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LinkKind {
    /// The same group, recorded again (its id was lost).
    Continues,
    /// Two or more earlier groups became this one (one link per earlier group).
    Merged,
    /// One earlier group became two or more (one link per later group).
    Split,
}

#[derive(Args, Debug)]
pub struct LinkArgs {
    /// The wave that records the later group.
    pub wave: String,
    /// The earlier group (recorded in another wave).
    #[arg(long)]
    pub from: String,
    /// The later group, recorded in WAVE.
    #[arg(long)]
    pub to: String,
    #[arg(long, value_enum, default_value = "continues")]
    pub kind: LinkKind,
}

pub async fn link(store: &Store, args: LinkArgs, lang: Lang) -> Result<ExitCode> {
    let kind = match args.kind {
        LinkKind::Continues => "continues",
        LinkKind::Merged => "merged",
        LinkKind::Split => "split",
    };
    service::resurvey::record_link(
        store,
        &Caller::cli(),
        &args.wave,
        &args.from,
        &args.to,
        kind,
    )
    .await
    .map_err(|e| super::fail(e, lang))?;
    println!(
        "{}",
        lang.pick(
            &format!(
                "tautan dicatat: {} → {} ({kind}, pendataan {})",
                args.from, args.to, args.wave
            ),
            &format!(
                "link recorded: {} → {} ({kind}, wave {})",
                args.from, args.to, args.wave
            ),
        )
    );
    Ok(ExitCode::SUCCESS)
}
