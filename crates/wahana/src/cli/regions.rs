//! `wahana regions` and `wahana units`.

use super::output::{self, Format};
use crate::service::{self, regions::RegionLine};
use anyhow::Result;
use clap::{Args, Subcommand};
use serde::Serialize;
use std::process::ExitCode;
use wahana_domain::codes::{Code, LocalUnitKind};
use wahana_domain::{Lang, Level, LocalUnit, RegionTree};
use wahana_store::Store;

#[derive(Args, Debug)]
pub struct RegionsArgs {
    /// A region code (73.08.21 or 730821) or name (ignoring case, spaces and apostrophes);
    /// none lists the provinces.
    pub region: Option<String>,
    /// Count groups of this wave only.
    #[arg(long)]
    pub wave: Option<String>,
    /// Search region names instead (prefix and substring matches).
    #[arg(long, value_name = "TEXT", conflicts_with = "region")]
    pub search: Option<String>,
    /// With --search: results at most; the table shows 100 unless told, JSON and CSV every
    /// match.
    #[arg(long, requires = "search")]
    pub limit: Option<i64>,
    /// With --search: results to skip (the next page starts at offset + limit).
    #[arg(long, default_value_t = 0, requires = "search")]
    pub offset: i64,
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

/// One region found by `regions --search`, with the area it lies in.
#[derive(Debug, Serialize)]
struct SearchLine {
    code: String,
    name: String,
    kind: &'static str,
    /// Its kecamatan and kabupaten/kota (for a village), and so on up; empty for a province.
    parent: String,
    lat: Option<f64>,
    lng: Option<f64>,
}

fn search(query: &str, args: &RegionsArgs, lang: Lang) -> Result<()> {
    let tree = RegionTree::official();
    let offset = usize::try_from(args.offset.max(0)).unwrap_or(usize::MAX);
    let limit =
        usize::try_from(output::limit_for(args.format, args.limit).max(0)).unwrap_or(usize::MAX);
    let found = tree.search_names(query, offset, limit);
    let lines: Vec<SearchLine> = found
        .regions
        .iter()
        .map(|r| SearchLine {
            code: r.code.to_string(),
            name: r.name.clone(),
            kind: r.kind.code(),
            parent: tree.parent_area(r).unwrap_or_default(),
            lat: r.lat,
            lng: r.lng,
        })
        .collect();
    match args.format {
        Format::Json => output::print_json(&lines)?,
        Format::Csv | Format::Table => {
            let headers = [
                lang.pick("kode", "code"),
                lang.pick("nama", "name"),
                lang.pick("jenis", "kind"),
                lang.pick("wilayah induk", "parent area"),
            ];
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|l| {
                    vec![
                        l.code.clone(),
                        l.name.clone(),
                        if args.format == Format::Csv {
                            l.kind.to_string()
                        } else {
                            kind_label(l.kind, lang).to_string()
                        },
                        l.parent.clone(),
                    ]
                })
                .collect();
            if args.format == Format::Csv {
                output::print_csv(&headers, &rows)?;
            } else {
                output::print_table(&headers, &rows);
            }
        }
    }
    let shown = offset.saturating_add(lines.len());
    output::note_cut(
        lang,
        i64::try_from(found.total.saturating_sub(shown)).unwrap_or(i64::MAX),
    );
    Ok(())
}

pub async fn run(store: &Store, args: RegionsArgs, lang: Lang) -> Result<ExitCode> {
    if let Some(q) = &args.search {
        search(q, &args, lang)?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(input) = &args.region else {
        let lines = service::regions::provinces(store, args.wave.as_deref()).await?;
        render_lines(&lines, args.format, lang, true)?;
        return Ok(ExitCode::SUCCESS);
    };
    let region = service::regions::find(input, lang)?;
    let ov = service::regions::overview(store, region, args.wave.as_deref()).await?;
    match args.format {
        Format::Json => output::print_json(&ov)?,
        Format::Csv => {
            let mut all = ov.ancestors.clone();
            all.push(ov.region.clone());
            all.extend(ov.children.iter().cloned());
            render_lines(&all, Format::Csv, lang, true)?;
        }
        Format::Table => {
            for (depth, a) in ov.ancestors.iter().enumerate() {
                println!(
                    "{}{} {} ({}) — {} {}",
                    "  ".repeat(depth),
                    a.code,
                    a.name,
                    level_label(a.level, lang),
                    a.groups,
                    lang.pick("kelompok", "groups")
                );
            }
            let depth = ov.ancestors.len();
            println!(
                "{}{} {} ({}) — {} {}",
                "  ".repeat(depth),
                ov.region.code,
                ov.region.name,
                level_label(ov.region.level, lang),
                ov.region.groups,
                lang.pick("kelompok", "groups")
            );
            if !ov.children.is_empty() {
                println!();
                render_lines(&ov.children, Format::Table, lang, true)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn level_label(code: &str, lang: Lang) -> &'static str {
    Level::from_code(code).map(|l| l.label(lang)).unwrap_or("")
}

fn kind_label(code: &str, lang: Lang) -> &'static str {
    wahana_domain::RegionKind::from_code(code)
        .map(|k| k.label(lang))
        .unwrap_or("")
}

fn render_lines(lines: &[RegionLine], format: Format, lang: Lang, counts: bool) -> Result<()> {
    match format {
        Format::Json => output::print_json(&lines),
        Format::Csv | Format::Table => {
            let mut headers = vec![
                lang.pick("kode", "code"),
                lang.pick("nama", "name"),
                lang.pick("jenis", "kind"),
            ];
            if counts {
                headers.push(lang.pick("kelompok", "groups"));
            }
            let rows: Vec<Vec<String>> = lines
                .iter()
                .map(|l| {
                    let mut r = vec![
                        l.code.clone(),
                        l.name.clone(),
                        if format == Format::Csv {
                            l.kind.to_string()
                        } else {
                            kind_label(l.kind, lang).to_string()
                        },
                    ];
                    if counts {
                        r.push(l.groups.to_string());
                    }
                    r
                })
                .collect();
            if format == Format::Csv {
                output::print_csv(&headers, &rows)
            } else {
                output::print_table(&headers, &rows);
                Ok(())
            }
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum UnitsCommand {
    /// Add a dusun, RW or RT under a village.
    Add {
        /// The village (desa/kelurahan) code.
        village: String,
        #[arg(long, value_parser = ["dusun", "rw", "rt"])]
        kind: String,
        /// Its name, e.g. "RW 03" or "Dusun Jeppe'e".
        #[arg(long)]
        name: String,
    },
    /// List the local units of a village.
    List {
        village: String,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

pub async fn run_units(store: &Store, cmd: UnitsCommand, lang: Lang) -> Result<ExitCode> {
    let village_of = |input: &str| -> Result<wahana_domain::RegionCode> {
        let r = service::regions::find(input, lang)?;
        if r.code.level() != Level::Village {
            anyhow::bail!(
                "{}",
                lang.pick(
                    &format!("{} {} bukan desa/kelurahan", r.code, r.name),
                    &format!("{} {} is not a village", r.code, r.name)
                )
            );
        }
        Ok(r.code.clone())
    };
    match cmd {
        UnitsCommand::Add {
            village,
            kind,
            name,
        } => {
            let village = village_of(&village)?;
            let kind = LocalUnitKind::from_code(&kind)
                .ok_or_else(|| anyhow::anyhow!("{kind}: dusun, rw, rt"))?;
            let name = name.trim().to_string();
            if name.is_empty() {
                anyhow::bail!(
                    "{}",
                    lang.pick("nama unit kosong", "the unit's name is empty")
                );
            }
            store
                .add_local_unit(&LocalUnit {
                    village: village.clone(),
                    kind,
                    name: name.clone(),
                })
                .await?;
            println!("{village} {} {name}", kind.label(lang));
        }
        UnitsCommand::List { village, format } => {
            let village = village_of(&village)?;
            let units = store.local_units(&village).await?;
            match format {
                Format::Json => output::print_json(&units)?,
                _ => {
                    let rows: Vec<Vec<String>> = units
                        .iter()
                        .map(|u| vec![u.kind.code().to_string(), u.name.clone()])
                        .collect();
                    let headers = [lang.pick("jenis", "kind"), lang.pick("nama", "name")];
                    if format == Format::Csv {
                        output::print_csv(&headers, &rows)?;
                    } else {
                        output::print_table(&headers, &rows);
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
