//! `wahana compare`: what changed between two waves of a region, as text, JSON, Markdown, HTML
//! or XLSX.

use crate::report;
use crate::service::compare::{self, CompareRequest};
use anyhow::{Context as _, Result};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompareFormat {
    Text,
    /// The JSON object of docs/compare-json.md.
    Json,
    Markdown,
    /// One self-contained file (SVG chart, prints to A4).
    Html,
    /// A workbook: counts, findings, groups.
    Xlsx,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Region code or name at any level, from a province to one village (73.08.21,
    /// "Tanete Riattang").
    #[arg(long)]
    region: String,
    /// The earlier wave's id.
    #[arg(long, value_name = "WAVE")]
    from: String,
    /// The later wave's id.
    #[arg(long, value_name = "WAVE")]
    to: String,
    /// Rule set version (default seed-2007) or a TOML file, for the findings.
    #[arg(long, value_name = "NAME|FILE")]
    rules: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: CompareFormat,
    /// Write to this file instead of standard output; html and xlsx go to
    /// perubahan-<region>-<from>-<to>.<ext> in the current directory when not given.
    #[arg(long, short, visible_alias = "out", value_name = "FILE")]
    output: Option<PathBuf>,
}

pub async fn run(store: &Store, a: CompareArgs, lang: Lang) -> Result<ExitCode> {
    let region = compare::region(&a.region, lang)?.map_err(|e| super::fail(e, lang))?;
    let req = CompareRequest {
        region,
        from: a.from,
        to: a.to,
        rules: a.rules,
    };
    let d = compare::build(store, &req, crate::service::today(), lang)
        .await
        .map_err(|e| super::fail(e, lang))?;
    // Whoever runs the command reads the database itself: the groups are listed.
    let records = true;
    let bytes: Vec<u8> = match a.format {
        CompareFormat::Text => report::compare::text(&d, records, lang).into_bytes(),
        CompareFormat::Markdown => report::compare::markdown(&d, records, lang).into_bytes(),
        CompareFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&d.json(records))?;
            v.push(b'\n');
            v
        }
        CompareFormat::Html => report::compare::html(&d, records, lang)?.into_bytes(),
        CompareFormat::Xlsx => report::compare::xlsx(&d, records, lang)?,
    };
    let default_file = matches!(a.format, CompareFormat::Html | CompareFormat::Xlsx).then(|| {
        let ext = if a.format == CompareFormat::Html {
            "html"
        } else {
            "xlsx"
        };
        PathBuf::from(format!(
            "perubahan-{}-{}-{}.{ext}",
            region.code.digits(),
            d.from.wave.id,
            d.to.wave.id
        ))
    });
    match a.output.or(default_file) {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("{}", path.display()))?;
            eprintln!(
                "{}",
                lang.pick(
                    &format!("ditulis: {}", path.display()),
                    &format!("written: {}", path.display())
                )
            );
        }
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(&bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
