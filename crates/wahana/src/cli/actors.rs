//! `wahana networks|institutions|ties|members`: the other actors of the network and the ties
//! between them, one record at a time.

use super::output::{self, Format};
use crate::service::actors::{self, Actor};
use crate::service::caller::Caller;
use crate::service::{self, ServiceError, groups};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::collections::HashMap;
use std::process::ExitCode;
use wahana_domain::codes::Code;
use wahana_domain::instrument::{self, Table};
use wahana_domain::{Institution, Lang, Network, RegionCode};
use wahana_store::{Store, Stored, TieRecord};

fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected COLUMN=VALUE, found {s:?}")),
    }
}

fn fail(e: ServiceError, lang: Lang) -> anyhow::Error {
    super::fail(e, lang)
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
        /// The two are already tied with another type and this second tie is meant (without
        /// it such a tie is refused, naming the types held).
        #[arg(long = "ikatan-kedua", alias = "second-type")]
        ikatan_kedua: bool,
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

/// The kind's words for the messages: `wahana`/`network`, `lembaga`/`institution`.
fn words<T: Actor>() -> (&'static str, &'static str) {
    (T::noun(), service::kind_en(T::noun()))
}

async fn add_one<T: Actor>(
    store: &Store,
    fields: &HashMap<&'static str, String>,
    wave: Option<&str>,
    lang: Lang,
) -> Result<()> {
    let r = actors::add::<T>(store, &Caller::cli(), fields, wave)
        .await
        .map_err(|e| fail(e, lang))?;
    let (id_word, en_word) = words::<T>();
    saved(lang, id_word, en_word, r.record.id(), r.version);
    Ok(())
}

async fn edit_one<T: Actor>(store: &Store, a: EditArgs, lang: Lang) -> Result<()> {
    let r = actors::edit::<T>(store, &Caller::cli(), &a.id, &a.set, a.version)
        .await
        .map_err(|e| fail(e, lang))?;
    let (id_word, en_word) = words::<T>();
    saved(lang, id_word, en_word, r.record.id(), r.version);
    Ok(())
}

async fn delete_one<T: Actor>(store: &Store, id: &str, lang: Lang) -> Result<()> {
    actors::delete::<T>(store, &Caller::cli(), id)
        .await
        .map_err(|e| fail(e, lang))?;
    let (id_word, en_word) = words::<T>();
    deleted(lang, id_word, en_word, id);
    Ok(())
}

/// A record as printed: personal fields only when asked for.
fn hide<T: Actor>(mut r: Stored<T>, personal: bool) -> Stored<T> {
    if !personal {
        r.record = r.record.public();
    }
    r
}

/// `list`: JSON and CSV alike for both kinds; the table's columns are the kind's (`row`).
async fn list_some<T: Actor>(
    store: &Store,
    a: ListArgs,
    lang: Lang,
    headers: &[&str],
    row: impl Fn(&T) -> Vec<String>,
) -> Result<()> {
    let region = region(a.region.as_deref(), lang)?;
    let shown: Vec<Stored<T>> =
        actors::list::<T>(store, &Caller::cli(), region.as_ref(), a.wave.as_deref())
            .await
            .map_err(|e| fail(e, lang))?
            .into_iter()
            .map(|r| hide(r, a.personal))
            .collect();
    match a.format {
        Format::Json => output::print_json(&shown)?,
        Format::Csv => print_fields_csv(
            T::INSTRUMENT,
            shown.iter().map(|r| r.record.fields()),
            a.personal,
        )?,
        Format::Table => {
            let rows: Vec<Vec<String>> = shown.iter().map(|r| row(&r.record)).collect();
            output::print_table(headers, &rows);
        }
    }
    Ok(())
}

pub async fn networks(store: &Store, cmd: NetworksCommand, lang: Lang) -> Result<ExitCode> {
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
            add_one::<Network>(store, &fields, wave.as_deref(), lang).await?;
        }
        NetworksCommand::List(a) => {
            let headers = [
                "id",
                lang.pick("desa/kelurahan", "village"),
                lang.pick("nama", "name"),
                lang.pick("tingkat", "level"),
                lang.pick("nomor SK", "decree"),
            ];
            list_some::<Network>(store, a, lang, &headers, |w| {
                vec![
                    w.id.clone(),
                    w.village.to_string(),
                    w.name.clone(),
                    w.level.label(lang).to_string(),
                    w.decree_number.clone().unwrap_or_default(),
                ]
            })
            .await?;
        }
        NetworksCommand::Show(a) => {
            let mut d = actors::network(store, &Caller::cli(), &a.id)
                .await
                .map_err(|e| fail(e, lang))?;
            d.stored = hide(d.stored, a.personal);
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
        NetworksCommand::Edit(a) => edit_one::<Network>(store, a, lang).await?,
        NetworksCommand::Delete { id } => delete_one::<Network>(store, &id, lang).await?,
    }
    Ok(ExitCode::SUCCESS)
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
            add_one::<Institution>(store, &fields, wave.as_deref(), lang).await?;
        }
        InstitutionsCommand::List(a) => {
            let headers = [
                "id",
                lang.pick("wilayah", "region"),
                lang.pick("nama", "name"),
                lang.pick("jenis", "kind"),
            ];
            list_some::<Institution>(store, a, lang, &headers, |x| {
                vec![
                    x.id.clone(),
                    x.region.to_string(),
                    x.name.clone(),
                    x.kind.label(lang).to_string(),
                ]
            })
            .await?;
        }
        InstitutionsCommand::Show(a) => {
            let i = actors::show::<Institution>(store, &Caller::cli(), &a.id)
                .await
                .map_err(|e| fail(e, lang))?;
            let i = hide(i, a.personal);
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
        InstitutionsCommand::Edit(a) => edit_one::<Institution>(store, a, lang).await?,
        InstitutionsCommand::Delete { id } => delete_one::<Institution>(store, &id, lang).await?,
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
    let who = Caller::cli();
    match cmd {
        TiesCommand::Add {
            from,
            to,
            tie_type,
            since,
            notes,
            wave,
            ikatan_kedua,
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
            let t = actors::add_tie(store, &who, &fields, wave.as_deref(), ikatan_kedua)
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
                (None, Some(r)) => {
                    actors::list_ties(store, &Caller::cli(), &r, wave.as_deref()).await
                }
                (None, None) => Ok(Vec::new()),
            }
            .map_err(|e| fail(e, lang))?;
            print_ties(&ties, format, lang)?;
        }
        TiesCommand::Delete { id } => {
            actors::delete_tie(store, &who, id)
                .await
                .map_err(|e| fail(e, lang))?;
            deleted(lang, "ikatan", "tie", &id.to_string());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn members(store: &Store, cmd: MembersCommand, lang: Lang) -> Result<ExitCode> {
    let who = Caller::cli();
    match cmd {
        MembersCommand::Add {
            group,
            name,
            role,
            key,
        } => {
            let m = actors::add_member(store, &who, &group, &name, role.as_deref(), key.as_deref())
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
            let list = actors::members(store, &Caller::cli(), &group)
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
            actors::delete_member(store, &who, id)
                .await
                .map_err(|e| fail(e, lang))?;
            deleted(lang, "anggota", "member", &id.to_string());
        }
    }
    Ok(ExitCode::SUCCESS)
}
