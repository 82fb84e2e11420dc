//! `wahana groups add|list|show|edit|delete`.

use super::output::{self, Format};
use crate::service::caller::Caller;
use crate::service::{self, ServiceError, groups};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::process::ExitCode;
use wahana_domain::Lang;
use wahana_domain::codes::{Code, GroupStatus, GroupType};
use wahana_domain::instrument::{self, Table};
use wahana_store::{GroupFilter, Store, StoredGroup};

#[derive(Subcommand, Debug)]
pub enum GroupsCommand {
    /// Add a group. Required: --region, --name, --type, --origin, --founded, and a survey date
    /// (--survey-date, today when not given); any other instrument column with --set.
    Add(AddArgs),
    /// List groups, filtered by region, type, status, wave or name.
    List(ListArgs),
    /// Show every field of one group, as one wave observed it (its latest when no --wave), and
    /// the waves that observed it.
    Show {
        id: String,
        /// The wave whose observation to show (default: the group's latest).
        #[arg(long)]
        wave: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Include personal data (chair, phone).
        #[arg(long)]
        personal: bool,
    },
    /// Change fields of a group's observation in one wave with --set COLUMN=VALUE; other
    /// waves' observations stay as they are.
    Edit {
        id: String,
        /// The wave whose observation to change (default: the group's latest).
        #[arg(long)]
        wave: Option<String>,
        /// COLUMN=VALUE with an instrument column name (Indonesian or English), repeatable.
        #[arg(long = "set", value_name = "COLUMN=VALUE", value_parser = parse_pair, required = true)]
        set: Vec<(String, String)>,
        /// The version you started from (see `groups show`): the save is refused if somebody
        /// saved the group since.
        #[arg(long)]
        version: Option<i64>,
    },
    /// Delete a group's observation in one wave (--wave), or the whole group: every
    /// observation, its members and its ties.
    Delete {
        id: String,
        /// Delete only this wave's observation.
        #[arg(long)]
        wave: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Village (desa/kelurahan) code, e.g. 73.08.21.1003.
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    name: Option<String>,
    /// Group type code (arisan, rukun_kematian, majelis_taklim, ...).
    #[arg(long = "type")]
    group_type: Option<String>,
    /// tumbuh_masyarakat, dibentuk_pemerintah or dibentuk_pihak_luar.
    #[arg(long)]
    origin: Option<String>,
    /// Year founded.
    #[arg(long)]
    founded: Option<String>,
    /// Survey date (2007-08-14 or 14/08/2007); today when not given.
    #[arg(long)]
    survey_date: Option<String>,
    /// Any other column, COLUMN=VALUE (Indonesian or English name), repeatable.
    #[arg(long = "set", value_name = "COLUMN=VALUE", value_parser = parse_pair)]
    set: Vec<(String, String)>,
    /// The wave (pendataan) id; the village's latest open wave when not given (`wahana waves`).
    #[arg(long)]
    wave: Option<String>,
    /// Add even when a group with the same village, type and name is held.
    #[arg(long)]
    allow_duplicate: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Region code prefix (any level): 73, 73.08, 73.08.21, 73.08.21.1003.
    #[arg(long)]
    region: Option<String>,
    /// Group type code.
    #[arg(long = "type")]
    group_type: Option<String>,
    /// aktif, tidak_aktif or bubar.
    #[arg(long)]
    status: Option<String>,
    /// Wave id.
    #[arg(long)]
    wave: Option<String>,
    /// Part of the name.
    #[arg(long)]
    name: Option<String>,
    /// Rows at most: the table shows 100 unless told, JSON and CSV every match.
    #[arg(long)]
    limit: Option<i64>,
    #[arg(long, default_value_t = 0)]
    offset: i64,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Include personal data (chair, phone).
    #[arg(long)]
    personal: bool,
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected COLUMN=VALUE, found {s:?}")),
    }
}

fn fail(e: ServiceError, lang: Lang) -> anyhow::Error {
    super::fail(e, lang)
}

pub async fn run(store: &Store, cmd: GroupsCommand, lang: Lang) -> Result<ExitCode> {
    match cmd {
        GroupsCommand::Add(a) => {
            let mut pairs: Vec<(String, String)> = Vec::new();
            for (k, v) in [
                ("kode_wilayah", a.region),
                ("nama", a.name),
                ("jenis", a.group_type),
                ("asal", a.origin),
                ("tahun_berdiri", a.founded),
                ("tanggal_pendataan", a.survey_date),
            ] {
                if let Some(v) = v {
                    pairs.push((k.to_string(), v));
                }
            }
            pairs.extend(a.set);
            let fields =
                groups::fields_from_pairs(Table::Groups, &pairs).map_err(|e| fail(e, lang))?;
            let g = groups::add(
                store,
                &Caller::cli(),
                &fields,
                a.wave.as_deref(),
                a.allow_duplicate,
            )
            .await
            .map_err(|e| fail(e, lang))?;
            print_one(&g, a.format, lang, true)?;
        }
        GroupsCommand::List(a) => {
            let filter = filter(&a, lang)?;
            let limit = output::limit_for(a.format, a.limit);
            let (page, total) = groups::list(store, &Caller::cli(), &filter, limit, a.offset)
                .await
                .map_err(|e| fail(e, lang))?;
            print_many(&page, a.format, lang, a.personal)?;
            if a.format == Format::Table {
                eprintln!(
                    "{}",
                    lang.pick(
                        &format!(
                            "{} dari {} kelompok (mulai {})",
                            page.len(),
                            total,
                            a.offset + 1
                        ),
                        &format!("{} of {} groups (from {})", page.len(), total, a.offset + 1),
                    )
                );
            }
            output::note_cut(lang, total - a.offset.max(0) - page.len() as i64);
        }
        GroupsCommand::Show {
            id,
            wave,
            format,
            personal,
        } => {
            let g = groups::show(store, &Caller::cli(), &id, wave.as_deref())
                .await
                .map_err(|e| fail(e, lang))?;
            print_one(&g, format, lang, personal)?;
        }
        GroupsCommand::Edit {
            id,
            wave,
            set,
            version,
        } => {
            let g = groups::edit(store, &Caller::cli(), &id, wave.as_deref(), &set, version)
                .await
                .map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "kelompok {} disimpan di pendataan {} (versi {})",
                        g.group.id, g.wave_id, g.version
                    ),
                    &format!(
                        "group {} saved in wave {} (version {})",
                        g.group.id, g.wave_id, g.version
                    ),
                )
            );
        }
        GroupsCommand::Delete { id, wave } => {
            groups::delete(store, &Caller::cli(), &id, wave.as_deref())
                .await
                .map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                lang.pick(
                    &format!("kelompok {id} dihapus"),
                    &format!("group {id} deleted")
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn filter(a: &ListArgs, lang: Lang) -> Result<GroupFilter> {
    let region = a
        .region
        .as_deref()
        .map(|r| service::regions::find(r, lang).map(|r| r.code.clone()))
        .transpose()?;
    let group_type = a
        .group_type
        .as_deref()
        .map(|t| {
            GroupType::from_code(t).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    lang.pick(
                        &format!(
                            "jenis \"{t}\" tidak dikenal; salah satu dari: {}",
                            GroupType::expected()
                        ),
                        &format!("unknown type \"{t}\"; one of: {}", GroupType::expected()),
                    )
                )
            })
        })
        .transpose()?;
    let status = a
        .status
        .as_deref()
        .map(|s| {
            GroupStatus::from_code(s).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}",
                    lang.pick(
                        &format!(
                            "status \"{s}\" tidak dikenal; salah satu dari: {}",
                            GroupStatus::expected()
                        ),
                        &format!(
                            "unknown status \"{s}\"; one of: {}",
                            GroupStatus::expected()
                        ),
                    )
                )
            })
        })
        .transpose()?;
    Ok(GroupFilter {
        region,
        group_type,
        status,
        wave: a.wave.clone(),
        name: a.name.clone(),
    })
}

/// The columns shown to a reader: personal ones only when asked for.
fn visible(personal: bool) -> Vec<(usize, &'static instrument::Column)> {
    instrument::columns(Table::Groups)
        .iter()
        .enumerate()
        .filter(|(_, c)| personal || !c.personal)
        .collect()
}

fn print_one(g: &StoredGroup, format: Format, lang: Lang, personal: bool) -> Result<()> {
    let g = if personal {
        g.clone()
    } else {
        StoredGroup {
            group: g.group.clone().without_personal_data(),
            ..g.clone()
        }
    };
    match format {
        Format::Json => output::print_json(&g),
        Format::Csv => print_many(std::slice::from_ref(&g), Format::Csv, lang, personal),
        Format::Table => {
            let fields = g.group.to_fields();
            let mut rows: Vec<Vec<String>> = visible(personal)
                .into_iter()
                .map(|(i, c)| vec![c.id.to_string(), fields[i].clone()])
                .collect();
            rows.push(vec!["pendataan".into(), g.wave_id.clone()]);
            rows.push(vec!["versi".into(), g.version.to_string()]);
            rows.push(vec!["diperbarui".into(), g.updated_at.clone()]);
            output::print_table(
                &[lang.pick("kolom", "column"), lang.pick("nilai", "value")],
                &rows,
            );
            Ok(())
        }
    }
}

fn print_many(groups: &[StoredGroup], format: Format, lang: Lang, personal: bool) -> Result<()> {
    match format {
        Format::Json => {
            let shown: Vec<StoredGroup> = groups
                .iter()
                .map(|g| StoredGroup {
                    group: if personal {
                        g.group.clone()
                    } else {
                        g.group.clone().without_personal_data()
                    },
                    ..g.clone()
                })
                .collect();
            output::print_json(&shown)
        }
        Format::Csv => {
            let cols = visible(personal);
            let mut headers: Vec<&str> = cols.iter().map(|(_, c)| c.id).collect();
            headers.push("pendataan");
            let rows: Vec<Vec<String>> = groups
                .iter()
                .map(|g| {
                    let f = g.group.to_fields();
                    let mut r: Vec<String> = cols.iter().map(|(i, _)| f[*i].clone()).collect();
                    r.push(g.wave_id.clone());
                    r
                })
                .collect();
            output::print_csv(&headers, &rows)
        }
        Format::Table => {
            let mut headers = vec![
                "id",
                lang.pick("desa/kelurahan", "village"),
                lang.pick("nama", "name"),
                lang.pick("jenis", "type"),
                lang.pick("berdiri", "founded"),
                "status",
            ];
            if personal {
                headers.push(lang.pick("ketua", "chair"));
                headers.push(lang.pick("telepon", "phone"));
            }
            let rows: Vec<Vec<String>> = groups
                .iter()
                .map(|g| {
                    let g = &g.group;
                    let mut r = vec![
                        g.id.clone(),
                        g.village.to_string(),
                        g.name.clone(),
                        g.group_type.label(lang).to_string(),
                        g.founded_year.to_string(),
                        g.status.label(lang).to_string(),
                    ];
                    if personal {
                        r.push(g.chair.clone().unwrap_or_default());
                        r.push(g.phone.clone().unwrap_or_default());
                    }
                    r
                })
                .collect();
            output::print_table(&headers, &rows);
            Ok(())
        }
    }
}
