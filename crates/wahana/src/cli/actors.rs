//! `wahana networks|institutions|ties|members`: the other actors of the network and the ties
//! between them, one record at a time.

use super::output::{self, Format};
use crate::service::audit::Who;
use crate::service::{self, ServiceError, actors, groups};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::collections::HashMap;
use std::process::ExitCode;
use wahana_domain::codes::Code;
use wahana_domain::instrument::{self, Table};
use wahana_domain::{Lang, RegionCode};
use wahana_store::{Store, StoredInstitution, StoredNetwork, TieRecord};

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected COLUMN=VALUE, found {s:?}")),
    }
}

fn fail(e: ServiceError, lang: Lang) -> anyhow::Error {
    anyhow::anyhow!("{}", e.message(lang))
}

fn region(r: Option<&str>, lang: Lang) -> Result<Option<RegionCode>> {
    r.map(|r| service::regions::find(r, lang).map(|r| r.code.clone()))
        .transpose()
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Region code or name (any level); everything when not given.
    #[arg(long)]
    region: Option<String>,
    /// Wave id.
    #[arg(long)]
    wave: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Include personal data (board, contact, phone).
    #[arg(long)]
    personal: bool,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    id: String,
    /// COLUMN=VALUE with an instrument column name (Indonesian or English), repeatable.
    #[arg(long = "set", value_name = "COLUMN=VALUE", value_parser = parse_pair, required = true)]
    set: Vec<(String, String)>,
    /// The version you started from (see `show`): the save is refused if somebody saved the
    /// record since.
    #[arg(long)]
    version: Option<i64>,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    id: String,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Include personal data.
    #[arg(long)]
    personal: bool,
}

#[derive(Subcommand, Debug)]
pub enum NetworksCommand {
    /// Add a network (wahana): --region VILLAGE --name NAME, other columns (tingkat, ketua,
    /// sekretaris, bendahara, nomor_sk, tanggal_sk, ...) with --set.
    Add {
        /// Village (desa/kelurahan) code.
        #[arg(long)]
        region: String,
        #[arg(long)]
        name: String,
        #[arg(long = "set", value_name = "COLUMN=VALUE", value_parser = parse_pair)]
        set: Vec<(String, String)>,
        /// Wave id; the village's latest open wave when not given (`wahana waves`).
        #[arg(long)]
        wave: Option<String>,
    },
    /// List networks.
    List(ListArgs),
    /// One network with its board, decree, member groups and supporting institutions.
    Show(ShowArgs),
    /// Change fields of a network with --set COLUMN=VALUE.
    Edit(EditArgs),
    /// Delete a network and its ties.
    Delete { id: String },
}

#[derive(Subcommand, Debug)]
pub enum InstitutionsCommand {
    /// Add a support institution (lembaga): --region CODE (any level) --kind KIND --name NAME.
    Add {
        #[arg(long)]
        region: String,
        /// kantor_desa, puskesmas, kua, sekolah, rumah_ibadah, dinas_sosial, lsm, ...
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        #[arg(long = "set", value_name = "COLUMN=VALUE", value_parser = parse_pair)]
        set: Vec<(String, String)>,
        /// Wave id; the region's latest open wave when not given (`wahana waves`).
        #[arg(long)]
        wave: Option<String>,
    },
    /// List institutions.
    List(ListArgs),
    /// One institution with its ties.
    Show(ShowArgs),
    /// Change fields of an institution with --set COLUMN=VALUE.
    Edit(EditArgs),
    /// Delete an institution and its ties.
    Delete { id: String },
}

#[derive(Subcommand, Debug)]
pub enum TiesCommand {
    /// Add a tie between two actors (groups, institutions or networks, by id).
    Add {
        from: String,
        to: String,
        /// koordinasi, kegiatan_bersama, pendanaan, rujukan, pembinaan, anggota_bersama.
        #[arg(long = "type")]
        tie_type: String,
        /// Year the tie started.
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        notes: Option<String>,
        /// Wave id; the latest open wave observing both ends when not given.
        #[arg(long)]
        wave: Option<String>,
    },
    /// List the ties of a region's actors, or of one actor.
    List {
        /// Region code or name (any level).
        #[arg(long, required_unless_present = "actor")]
        region: Option<String>,
        /// One actor's ties.
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        wave: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Delete a tie by its number (see `ties list`).
    Delete { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum MembersCommand {
    /// Add a member (anggota) to a group. Personal data.
    Add {
        group: String,
        #[arg(long)]
        name: String,
        /// ketua, sekretaris, bendahara or anggota (default).
        #[arg(long)]
        role: Option<String>,
        /// What identifies the person across groups (an id number such as the NIK); the
        /// normalised name when not given.
        #[arg(long)]
        key: Option<String>,
    },
    /// List a group's members: names only with --personal.
    List {
        group: String,
        #[arg(long)]
        personal: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Delete a member by number.
    Delete { id: i64 },
}

fn saved(lang: Lang, what_id: &str, what_en: &str, id: &str, version: i64) {
    println!(
        "{}",
        lang.pick(
            &format!("{what_id} {id} disimpan (versi {version})"),
            &format!("{what_en} {id} saved (version {version})"),
        )
    );
}

fn deleted(lang: Lang, what_id: &str, what_en: &str, id: &str) {
    println!(
        "{}",
        lang.pick(
            &format!("{what_id} {id} dihapus"),
            &format!("{what_en} {id} deleted")
        )
    );
}

/// The fields of an `add`: the named flags, then `--set` pairs.
fn add_fields(
    table: Table,
    named: &[(&str, &str)],
    set: &[(String, String)],
    lang: Lang,
) -> Result<HashMap<&'static str, String>> {
    let mut pairs: Vec<(String, String)> = named
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.extend(set.iter().cloned());
    groups::fields_from_pairs(table, &pairs).map_err(|e| fail(e, lang))
}

pub async fn networks(store: &Store, cmd: NetworksCommand, lang: Lang) -> Result<ExitCode> {
    let who = Who::cli();
    match cmd {
        NetworksCommand::Add {
            region,
            name,
            set,
            wave,
        } => {
            let fields = add_fields(
                Table::Networks,
                &[("kode_wilayah", &region), ("nama", &name)],
                &set,
                lang,
            )?;
            let n = actors::add_network(store, &fields, wave.as_deref(), &who)
                .await
                .map_err(|e| fail(e, lang))?;
            saved(lang, "wahana", "network", &n.record.id, n.version);
        }
        NetworksCommand::List(a) => {
            let region = region(a.region.as_deref(), lang)?;
            let list = actors::list_networks(store, region.as_ref(), a.wave.as_deref())
                .await
                .map_err(|e| fail(e, lang))?;
            let shown: Vec<StoredNetwork> = list
                .into_iter()
                .map(|n| hide_network(n, a.personal))
                .collect();
            match a.format {
                Format::Json => output::print_json(&shown)?,
                Format::Csv => print_fields_csv(
                    Table::Networks,
                    shown.iter().map(|n| n.record.to_fields()),
                    a.personal,
                )?,
                Format::Table => {
                    let rows: Vec<Vec<String>> = shown
                        .iter()
                        .map(|n| {
                            let w = &n.record;
                            vec![
                                w.id.clone(),
                                w.village.to_string(),
                                w.name.clone(),
                                w.level.label(lang).to_string(),
                                w.decree_number.clone().unwrap_or_default(),
                            ]
                        })
                        .collect();
                    output::print_table(
                        &[
                            "id",
                            lang.pick("desa/kelurahan", "village"),
                            lang.pick("nama", "name"),
                            lang.pick("tingkat", "level"),
                            lang.pick("nomor SK", "decree"),
                        ],
                        &rows,
                    );
                }
            }
        }
        NetworksCommand::Show(a) => {
            let mut d = actors::network(store, &a.id)
                .await
                .map_err(|e| fail(e, lang))?;
            d.stored = hide_network(d.stored, a.personal);
            match a.format {
                Format::Json => output::print_json(&d)?,
                _ => {
                    print_record(
                        Table::Networks,
                        d.stored.record.to_fields(),
                        &d.stored.wave_id,
                        d.stored.version,
                        a.personal,
                        lang,
                    );
                    for (title_id, title_en, list) in [
                        ("Kelompok anggota", "Member groups", &d.member_groups),
                        (
                            "Lembaga pendukung",
                            "Supporting institutions",
                            &d.institutions,
                        ),
                        ("Wahana lain", "Other networks", &d.networks),
                    ] {
                        println!("\n{} ({})", lang.pick(title_id, title_en), list.len());
                        let rows: Vec<Vec<String>> = list
                            .iter()
                            .map(|x| {
                                let mut how: Vec<&str> =
                                    x.tie_types.iter().map(|t| t.code()).collect();
                                if x.by_name {
                                    how.push(lang.pick("kolom wahana", "wahana column"));
                                }
                                vec![x.id.clone(), x.name.clone(), how.join(", ")]
                            })
                            .collect();
                        if !rows.is_empty() {
                            output::print_table(
                                &["id", lang.pick("nama", "name"), lang.pick("melalui", "via")],
                                &rows,
                            );
                        }
                    }
                }
            }
        }
        NetworksCommand::Edit(a) => {
            let changes =
                groups::fields_from_pairs(Table::Networks, &a.set).map_err(|e| fail(e, lang))?;
            let n = actors::edit_network(store, &a.id, &changes, a.version, &who)
                .await
                .map_err(|e| fail(e, lang))?;
            saved(lang, "wahana", "network", &n.record.id, n.version);
        }
        NetworksCommand::Delete { id } => {
            actors::delete_network(store, &id, &who)
                .await
                .map_err(|e| fail(e, lang))?;
            deleted(lang, "wahana", "network", &id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn hide_network(n: StoredNetwork, personal: bool) -> StoredNetwork {
    if personal {
        n
    } else {
        StoredNetwork {
            record: n.record.without_personal_data(),
            ..n
        }
    }
}

fn hide_institution(i: StoredInstitution, personal: bool) -> StoredInstitution {
    if personal {
        i
    } else {
        StoredInstitution {
            record: i.record.without_personal_data(),
            ..i
        }
    }
}

/// One record as a two-column table of its instrument columns (personal ones when asked).
fn print_record(
    table: Table,
    fields: Vec<String>,
    wave: &str,
    version: i64,
    personal: bool,
    lang: Lang,
) {
    let mut rows: Vec<Vec<String>> = instrument::columns(table)
        .iter()
        .zip(fields)
        .filter(|(c, _)| personal || !c.personal)
        .map(|(c, v)| vec![c.id.to_string(), v])
        .collect();
    rows.push(vec!["pendataan".into(), wave.to_string()]);
    rows.push(vec!["versi".into(), version.to_string()]);
    output::print_table(
        &[lang.pick("kolom", "column"), lang.pick("nilai", "value")],
        &rows,
    );
}

fn print_fields_csv(
    table: Table,
    records: impl Iterator<Item = Vec<String>>,
    personal: bool,
) -> Result<()> {
    let cols: Vec<(usize, &instrument::Column)> = instrument::columns(table)
        .iter()
        .enumerate()
        .filter(|(_, c)| personal || !c.personal)
        .collect();
    let headers: Vec<&str> = cols.iter().map(|(_, c)| c.id).collect();
    let rows: Vec<Vec<String>> = records
        .map(|f| cols.iter().map(|(i, _)| f[*i].clone()).collect())
        .collect();
    output::print_csv(&headers, &rows)
}

pub async fn institutions(store: &Store, cmd: InstitutionsCommand, lang: Lang) -> Result<ExitCode> {
    let who = Who::cli();
    match cmd {
        InstitutionsCommand::Add {
            region,
            kind,
            name,
            set,
            wave,
        } => {
            let fields = add_fields(
                Table::Institutions,
                &[
                    ("kode_wilayah", &region),
                    ("jenis_lembaga", &kind),
                    ("nama", &name),
                ],
                &set,
                lang,
            )?;
            let i = actors::add_institution(store, &fields, wave.as_deref(), &who)
                .await
                .map_err(|e| fail(e, lang))?;
            saved(lang, "lembaga", "institution", &i.record.id, i.version);
        }
        InstitutionsCommand::List(a) => {
            let region = region(a.region.as_deref(), lang)?;
            let list = actors::list_institutions(store, region.as_ref(), a.wave.as_deref())
                .await
                .map_err(|e| fail(e, lang))?;
            let shown: Vec<StoredInstitution> = list
                .into_iter()
                .map(|i| hide_institution(i, a.personal))
                .collect();
            match a.format {
                Format::Json => output::print_json(&shown)?,
                Format::Csv => print_fields_csv(
                    Table::Institutions,
                    shown.iter().map(|i| i.record.to_fields()),
                    a.personal,
                )?,
                Format::Table => {
                    let rows: Vec<Vec<String>> = shown
                        .iter()
                        .map(|i| {
                            let x = &i.record;
                            vec![
                                x.id.clone(),
                                x.region.to_string(),
                                x.name.clone(),
                                x.kind.label(lang).to_string(),
                            ]
                        })
                        .collect();
                    output::print_table(
                        &[
                            "id",
                            lang.pick("wilayah", "region"),
                            lang.pick("nama", "name"),
                            lang.pick("jenis", "kind"),
                        ],
                        &rows,
                    );
                }
            }
        }
        InstitutionsCommand::Show(a) => {
            let i = actors::institution(store, &a.id)
                .await
                .map_err(|e| fail(e, lang))?;
            let i = hide_institution(i, a.personal);
            let ties = actors::ties_of(store, &a.id)
                .await
                .map_err(|e| fail(e, lang))?;
            match a.format {
                Format::Json => {
                    output::print_json(&serde_json::json!({"institution": i, "ties": ties}))?
                }
                _ => {
                    print_record(
                        Table::Institutions,
                        i.record.to_fields(),
                        &i.wave_id,
                        i.version,
                        a.personal,
                        lang,
                    );
                    println!("\n{} ({})", lang.pick("Ikatan", "Ties"), ties.len());
                    print_ties(&ties, Format::Table, lang)?;
                }
            }
        }
        InstitutionsCommand::Edit(a) => {
            let changes = groups::fields_from_pairs(Table::Institutions, &a.set)
                .map_err(|e| fail(e, lang))?;
            let i = actors::edit_institution(store, &a.id, &changes, a.version, &who)
                .await
                .map_err(|e| fail(e, lang))?;
            saved(lang, "lembaga", "institution", &i.record.id, i.version);
        }
        InstitutionsCommand::Delete { id } => {
            actors::delete_institution(store, &id, &who)
                .await
                .map_err(|e| fail(e, lang))?;
            deleted(lang, "lembaga", "institution", &id);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_ties(ties: &[TieRecord], format: Format, lang: Lang) -> Result<()> {
    match format {
        Format::Json => output::print_json(&ties),
        Format::Csv | Format::Table => {
            let rows: Vec<Vec<String>> = ties
                .iter()
                .map(|t| {
                    vec![
                        t.id.to_string(),
                        t.tie.from.clone(),
                        t.from_kind.code().to_string(),
                        t.tie.to.clone(),
                        t.to_kind.code().to_string(),
                        t.tie.tie_type.code().to_string(),
                        t.tie.since.map(|y| y.to_string()).unwrap_or_default(),
                        t.wave_id.clone(),
                    ]
                })
                .collect();
            let headers = [
                lang.pick("no", "no"),
                "dari",
                lang.pick("jenis", "kind"),
                "ke",
                lang.pick("jenis", "kind"),
                "jenis_ikatan",
                "sejak",
                "pendataan",
            ];
            if format == Format::Csv {
                output::print_csv(&headers, &rows)
            } else {
                output::print_table(&headers, &rows);
                Ok(())
            }
        }
    }
}

pub async fn ties(store: &Store, cmd: TiesCommand, lang: Lang) -> Result<ExitCode> {
    let who = Who::cli();
    match cmd {
        TiesCommand::Add {
            from,
            to,
            tie_type,
            since,
            notes,
            wave,
        } => {
            let mut named = vec![
                ("dari", from.as_str()),
                ("ke", to.as_str()),
                ("jenis_ikatan", tie_type.as_str()),
            ];
            if let Some(s) = &since {
                named.push(("sejak", s));
            }
            if let Some(n) = &notes {
                named.push(("catatan", n));
            }
            let fields = add_fields(Table::Ties, &named, &[], lang)?;
            let t = actors::add_tie(store, &fields, wave.as_deref(), &who)
                .await
                .map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                lang.pick(
                    &format!(
                        "ikatan {} disimpan: {} – {} ({})",
                        t.id,
                        t.tie.from,
                        t.tie.to,
                        t.tie.tie_type.code()
                    ),
                    &format!(
                        "tie {} saved: {} – {} ({})",
                        t.id,
                        t.tie.from,
                        t.tie.to,
                        t.tie.tie_type.code()
                    ),
                )
            );
        }
        TiesCommand::List {
            region: r,
            actor,
            wave,
            format,
        } => {
            let ties = match (actor, region(r.as_deref(), lang)?) {
                (Some(a), _) => actors::ties_of(store, &a).await,
                (None, Some(r)) => actors::list_ties(store, &r, wave.as_deref()).await,
                (None, None) => Ok(Vec::new()),
            }
            .map_err(|e| fail(e, lang))?;
            print_ties(&ties, format, lang)?;
        }
        TiesCommand::Delete { id } => {
            actors::delete_tie(store, id, &who)
                .await
                .map_err(|e| fail(e, lang))?;
            deleted(lang, "ikatan", "tie", &id.to_string());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn members(store: &Store, cmd: MembersCommand, lang: Lang) -> Result<ExitCode> {
    let who = Who::cli();
    match cmd {
        MembersCommand::Add {
            group,
            name,
            role,
            key,
        } => {
            let m = actors::add_member(store, &group, &name, role.as_deref(), key.as_deref(), &who)
                .await
                .map_err(|e| fail(e, lang))?;
            println!(
                "{}",
                lang.pick(
                    &format!("anggota {} ditambahkan ke kelompok {group}", m.id),
                    &format!("member {} added to group {group}", m.id),
                )
            );
        }
        MembersCommand::List {
            group,
            personal,
            format,
        } => {
            let list = actors::members(store, &group)
                .await
                .map_err(|e| fail(e, lang))?;
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|m| {
                    let mut r = vec![m.id.to_string(), m.member.role.label(lang).to_string()];
                    if personal {
                        r.push(m.member.name.clone());
                        r.push(m.member.person_key.clone());
                    }
                    r
                })
                .collect();
            let mut headers = vec![lang.pick("no", "no"), lang.pick("peran", "role")];
            if personal {
                headers.push(lang.pick("nama", "name"));
                headers.push(lang.pick("kunci", "key"));
            }
            match format {
                Format::Json if personal => output::print_json(&list)?,
                Format::Json => output::print_json(
                    &list
                        .iter()
                        .map(|m| serde_json::json!({"id": m.id, "group_id": m.member.group_id, "role": m.member.role}))
                        .collect::<Vec<_>>(),
                )?,
                Format::Csv => output::print_csv(&headers, &rows)?,
                Format::Table => {
                    output::print_table(&headers, &rows);
                    if !personal {
                        eprintln!(
                            "{}",
                            lang.pick(
                                "nama anggota adalah data pribadi: tampilkan dengan --personal",
                                "members' names are personal data: show them with --personal",
                            )
                        );
                    }
                }
            }
        }
        MembersCommand::Delete { id } => {
            actors::delete_member(store, id, &who)
                .await
                .map_err(|e| fail(e, lang))?;
            deleted(lang, "anggota", "member", &id.to_string());
        }
    }
    Ok(ExitCode::SUCCESS)
}
