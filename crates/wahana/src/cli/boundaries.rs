//! `wahana boundaries`: load region boundaries from GeoJSON, and say which are covered.

use super::output::{self, Format};
use crate::service::{self, caller::Caller};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_store::Store;

#[derive(Subcommand, Debug)]
pub enum BoundariesCommand {
    /// Load boundaries from a GeoJSON FeatureCollection: each feature's `properties.code` an
    /// official region code, its geometry a Polygon or MultiPolygon in longitude, latitude.
    /// Replaces the boundaries held for the same regions; thinned for drawing as the shipped
    /// ones are. Every bad feature is reported (its number, code, field, what was found and
    /// what was expected) and then nothing is written.
    Import {
        /// The GeoJSON file, e.g. every village of a province.
        file: PathBuf,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Which levels and provinces have boundaries: shipped with the program, loaded into the
    /// database, or neither (such regions are drawn as points at their centres).
    Status {
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub async fn run(store: &Store, cmd: BoundariesCommand, lang: Lang) -> Result<ExitCode> {
    match cmd {
        BoundariesCommand::Import { file, json } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
            let source = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            let done = service::boundaries::import(store, &Caller::cli(), &text, &source)
                .await
                .map_err(|e| super::fail(e, lang))?;
            match done {
                Err(refusal) => {
                    for line in refusal.messages(lang) {
                        eprintln!("{source}: {line}");
                    }
                    eprintln!(
                        "{source}: {}",
                        lang.pick(
                            "tidak ada yang ditulis; perbaiki berkasnya lalu impor lagi",
                            "nothing was written; fix the file and import it again"
                        )
                    );
                    Ok(ExitCode::from(super::exit_status(
                        wahana_domain::ErrorCode::InvalidInput,
                    )))
                }
                Ok(summary) if json => {
                    output::print_json(&summary)?;
                    Ok(ExitCode::SUCCESS)
                }
                Ok(summary) => {
                    println!(
                        "{}",
                        lang.pick(
                            &format!(
                                "{source}: {} batas wilayah dimuat ({} titik dibaca, {} disimpan setelah penyederhanaan)",
                                summary.features, summary.points_read, summary.points_kept
                            ),
                            &format!(
                                "{source}: {} boundaries loaded ({} positions read, {} kept after thinning)",
                                summary.features, summary.points_read, summary.points_kept
                            ),
                        )
                    );
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        BoundariesCommand::Status { format } => {
            let lines = service::boundaries::coverage(store).await?;
            match format {
                Format::Json => output::print_json(&lines)?,
                Format::Csv => {
                    println!("level,province,regions,shipped,loaded,covered");
                    for l in &lines {
                        println!(
                            "{},{},{},{},{},{}",
                            l.level,
                            l.province.as_deref().unwrap_or(""),
                            l.regions,
                            l.shipped,
                            l.loaded,
                            l.covered
                        );
                    }
                }
                Format::Table => {
                    for l in &lines {
                        let what = match &l.province {
                            Some(p) => format!(
                                "{} {p}",
                                lang.pick("desa/kelurahan provinsi", "villages of province")
                            ),
                            None => wahana_domain::Level::from_code(l.level)
                                .map(|lv| lv.label(lang).to_string())
                                .unwrap_or_else(|| l.level.to_string()),
                        };
                        println!(
                            "{what}: {} / {} {} ({} {}, {} {})",
                            l.covered,
                            l.regions,
                            lang.pick("berbatas", "with a boundary"),
                            l.shipped,
                            lang.pick("bawaan program", "shipped"),
                            l.loaded,
                            lang.pick("dimuat ke basis data", "loaded into the database"),
                        );
                    }
                    println!(
                        "{}",
                        lang.pick(
                            "Wilayah tanpa batas digambar sebagai titik di pusatnya. Muat lebih banyak: wahana boundaries import BERKAS.geojson",
                            "Regions without a boundary are drawn as points at their centres. Load more: wahana boundaries import FILE.geojson"
                        )
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
