//! Pages and forms for networks (*wahana*) and supporting institutions (*lembaga*), and the
//! forms that add and delete ties (*ikatan*). Officers and admins of the record's region may
//! write (for a tie, of both its ends' regions); the changes go to the audit trail (`service::actors`).

use super::record::{
    ConfirmDelete, FormField, Pairs, Shown, TieView, as_pairs, crumbs_to, display, fields_of,
    label, pick, refusal_beside_region, tie_types, tie_views, values_of_table, wave_choices,
};
use super::render;
use crate::service::actors::{self, Actor};
use crate::service::groups::region_field;
use crate::service::users::{Principal, Write};
use crate::web::errors::{ApiError, OrRender, PageError, PageResult};
use crate::web::{AppState, Ctx, csrf, pct, safe_local_path};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use wahana_domain::instrument::{self, Table};
use wahana_domain::{Code, FieldError, RegionCode, RegionTree};
use wahana_store::{ActorKind, AuditEntry};

/// Which kind of record a page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Network,
    Institution,
}

impl Kind {
    /// The kind of a record type.
    fn of<T: Actor>() -> Kind {
        match T::INSTRUMENT {
            Table::Networks => Kind::Network,
            _ => Kind::Institution,
        }
    }
    fn table(self) -> Table {
        match self {
            Kind::Network => Table::Networks,
            Kind::Institution => Table::Institutions,
        }
    }
    fn path(self) -> &'static str {
        match self {
            Kind::Network => "networks",
            Kind::Institution => "institutions",
        }
    }
    fn audit_kind(self) -> &'static str {
        match self {
            Kind::Network => "wahana",
            Kind::Institution => "lembaga",
        }
    }
    fn noun(self, ctx: &Ctx) -> &'static str {
        match self {
            Kind::Network => ctx.t("wahana", "network"),
            Kind::Institution => ctx.t("lembaga", "institution"),
        }
    }
    /// The question and the note of the page that asks before a delete.
    fn delete_question(self, ctx: &Ctx) -> (&'static str, &'static str) {
        match self {
            Kind::Network => (
                ctx.t("Hapus wahana ini?", "Delete this network?"),
                ctx.t(
                    "Ikatannya ikut terhapus; kelompok yang menyebutnya tetap ada. Penghapusan dicatat di jejak perubahan, dari mana petugas dan admin wilayahnya dapat memulihkannya (tanpa ikatan yang ikut terhapus).",
                    "Its ties are deleted with it; groups that name it stay. The deletion is kept in the audit trail, from which officers and admins of its region can restore it (without the ties deleted with it).",
                ),
            ),
            Kind::Institution => (
                ctx.t("Hapus lembaga ini?", "Delete this institution?"),
                ctx.t(
                    "Ikatannya ikut terhapus. Penghapusan dicatat di jejak perubahan, dari mana petugas dan admin wilayahnya dapat memulihkannya (tanpa ikatan yang ikut terhapus).",
                    "Its ties are deleted with it. The deletion is kept in the audit trail, from which officers and admins of its region can restore it (without the ties deleted with it).",
                ),
            ),
        }
    }
}

/// A record as the pages need it: id, name, region, version and its instrument fields.
struct Record {
    id: String,
    name: String,
    region: RegionCode,
    version: i64,
    wave: String,
    fields: Vec<String>,
}

async fn load<T: Actor>(st: &AppState, ctx: &Ctx, id: &str) -> Result<Record, PageError> {
    let r = actors::show::<T>(&st.store, &ctx.caller(), id)
        .await
        .or_page(ctx)?;
    Ok(Record {
        id: r.record.id().to_string(),
        name: r.record.name().to_string(),
        region: r.record.region().clone(),
        version: r.version,
        wave: r.wave_id.clone(),
        fields: r.record.fields(),
    })
}

fn require_user(ctx: &Ctx) -> Result<Principal, PageError> {
    ctx.user()
        .cloned()
        .ok_or_else(|| PageError(ApiError::Unauthenticated, ctx.clone()))
}

/// Refuses, as a page, a caller who may not write networks and institutions in `code`.
fn may_write(ctx: &Ctx, code: Option<&RegionCode>) -> Result<(), PageError> {
    ctx.caller().check_write(Write::Other, code).or_page(ctx)
}

/// [`may_write`] for a held record: as missing to those who may not read it.
fn may_write_held(ctx: &Ctx, region: &RegionCode, kind: Kind, id: &str) -> Result<(), PageError> {
    ctx.caller()
        .check_write_held(Write::Other, region, kind.audit_kind(), id)
        .or_page(ctx)
}

#[derive(Template)]
#[template(path = "group_form.html")]
struct ActorForm<'a> {
    ctx: &'a Ctx,
    title: String,
    action: String,
    fields: Vec<FormField>,
    general: Vec<String>,
    version: Option<i64>,
    creating: bool,
    allow_duplicate: bool,
    cancel: String,
    waves: Vec<(String, String, bool)>,
    pick_wave: bool,
    /// Some field is marked as needed for screening (groups only).
    has_needed: bool,
}

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    pub village: Option<String>,
}

pub async fn new_form<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let kind = Kind::of::<T>();
    require_user(&ctx)?;
    let mut values: HashMap<&'static str, String> = HashMap::new();
    let code = q
        .village
        .as_deref()
        .and_then(|v| RegionTree::official().resolve(v).ok())
        .map(|r| r.code.clone());
    may_write(&ctx, code.as_ref())?;
    if let Some(c) = &code {
        values.insert("kode_wilayah", c.to_string());
    }
    let form = ActorForm {
        has_needed: false,
        ctx: &ctx,
        title: format!("{} {}", ctx.t("Tambah", "Add"), kind.noun(&ctx)),
        action: format!("/{}", kind.path()),
        fields: fields_of(kind.table(), &values, &[], ctx.lang)
            .into_iter()
            .collect(),
        general: Vec::new(),
        version: None,
        creating: false,
        allow_duplicate: false,
        cancel: code
            .as_ref()
            .map(|c| format!("/regions/{c}"))
            .unwrap_or_else(|| "/".into()),
        waves: wave_choices(&st, &ctx, None, code.as_ref()).await?,
        pick_wave: true,
    };
    Ok(render(&ctx, &form))
}

#[allow(clippy::too_many_arguments)] // the form's whole state, each piece used once
fn form_again(
    ctx: &Ctx,
    kind: Kind,
    e: ApiError,
    values: &HashMap<&'static str, String>,
    id: Option<&str>,
    version: Option<i64>,
    waves: Vec<(String, String, bool)>,
) -> Response {
    let (field_errors, general): (Vec<FieldError>, Vec<String>) = match &e {
        ApiError::Invalid(errs) => {
            let known: Vec<&str> = instrument::columns(kind.table())
                .iter()
                .map(|c| c.id)
                .collect();
            (
                errs.clone(),
                errs.iter()
                    .filter(|x| !known.contains(&x.field.as_str()) || x.field == "id")
                    .map(|x| x.message(ctx.lang))
                    .collect(),
            )
        }
        other => (Vec::new(), vec![other.message(ctx.lang)]),
    };
    let mut fields = fields_of(kind.table(), values, &field_errors, ctx.lang);
    refusal_beside_region(&mut fields, &e, ctx.lang);
    let form = ActorForm {
        has_needed: false,
        ctx,
        title: match id {
            Some(i) => format!("{} {} {i}", ctx.t("Ubah", "Edit"), kind.noun(ctx)),
            None => format!("{} {}", ctx.t("Tambah", "Add"), kind.noun(ctx)),
        },
        action: match id {
            Some(i) => format!("/{}/{i}", kind.path()),
            None => format!("/{}", kind.path()),
        },
        fields,
        general,
        version,
        creating: false,
        allow_duplicate: false,
        cancel: match id {
            Some(i) => format!("/{}/{i}", kind.path()),
            None => "/".into(),
        },
        pick_wave: id.is_none(),
        waves,
    };
    let mut res = render(ctx, &form);
    *res.status_mut() = e.status();
    res
}

pub async fn create<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let kind = Kind::of::<T>();
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let values = values_of_table(kind.table(), &pairs);
    let given: HashMap<&'static str, String> = values
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    let wave = pick(&pairs, "_wave").filter(|w| !w.is_empty());
    let caller = ctx.caller();
    let made = actors::add::<T>(&st.store, &caller, &given, wave)
        .await
        .map(|r| r.record.id().to_string());
    match made {
        Ok(id) => {
            Ok(Redirect::to(&format!("/{}/{}?saved=1", kind.path(), pct(&id))).into_response())
        }
        Err(e) => {
            let waves = wave_choices(&st, &ctx, wave, region_field(&values).as_ref()).await?;
            Ok(form_again(&ctx, kind, e.into(), &values, None, None, waves))
        }
    }
}

pub async fn edit_form<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let kind = Kind::of::<T>();
    require_user(&ctx)?;
    let r = load::<T>(&st, &ctx, &id).await?;
    may_write_held(&ctx, &r.region, kind, &id)?;
    let values: HashMap<&'static str, String> = instrument::columns(kind.table())
        .iter()
        .map(|c| c.id)
        .zip(r.fields)
        .collect();
    let form = ActorForm {
        has_needed: false,
        ctx: &ctx,
        title: format!("{} {}", ctx.t("Ubah", "Edit"), r.name),
        action: format!("/{}/{}", kind.path(), pct(&id)),
        fields: fields_of(kind.table(), &values, &[], ctx.lang),
        general: Vec::new(),
        version: Some(r.version),
        creating: false,
        allow_duplicate: false,
        cancel: format!("/{}/{}", kind.path(), pct(&id)),
        waves: Vec::new(),
        pick_wave: false,
    };
    Ok(render(&ctx, &form))
}

pub async fn update<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let kind = Kind::of::<T>();
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let current = load::<T>(&st, &ctx, &id).await?;
    let values = values_of_table(kind.table(), &pairs);
    may_write_held(&ctx, &current.region, kind, &id)?;
    let version = pick(&pairs, "version").and_then(|v| v.parse::<i64>().ok());
    let caller = ctx.caller();
    let saved = actors::edit::<T>(&st.store, &caller, &id, &as_pairs(&values), version)
        .await
        .map(|_| ());
    match saved {
        Ok(()) => {
            Ok(Redirect::to(&format!("/{}/{}?saved=1", kind.path(), pct(&id))).into_response())
        }
        Err(e) => Ok(form_again(
            &ctx,
            kind,
            e.into(),
            &values,
            Some(&id),
            version,
            Vec::new(),
        )),
    }
}

/// Asks before deleting a network or an institution (the group's confirmation page).
pub async fn delete_form<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    let kind = Kind::of::<T>();
    require_user(&ctx)?;
    let r = load::<T>(&st, &ctx, &id).await?;
    may_write_held(&ctx, &r.region, kind, &id)?;
    let (question, note) = kind.delete_question(&ctx);
    let page = ConfirmDelete {
        ctx: &ctx,
        id: r.id.clone(),
        name: r.name.clone(),
        crumbs: crumbs_to(&r.region),
        question,
        note,
        action: format!("/{}/{}/delete", kind.path(), pct(&r.id)),
        cancel: format!("/{}/{}", kind.path(), pct(&r.id)),
        back: None,
    };
    Ok(render(&ctx, &page))
}

pub async fn delete<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let current = load::<T>(&st, &ctx, &id).await?;
    let caller = ctx.caller();
    actors::delete::<T>(&st.store, &caller, &id)
        .await
        .or_page(&ctx)?;
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, format!("/regions/{}", current.region))],
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "actor.html")]
struct ActorPage<'a> {
    ctx: &'a Ctx,
    path: &'static str,
    id: String,
    name: String,
    region_code: String,
    /// The region tree down to the record's region, each with its page.
    crumbs: Vec<super::regions::Crumb>,
    /// "wahana"/"network" or "lembaga"/"institution".
    noun: &'static str,
    version: i64,
    wave: String,
    /// The wave is generated demonstration data.
    synthetic: bool,
    saved: bool,
    fields: Vec<Shown>,
    personal_hidden: bool,
    ties: Vec<TieView>,
    can_write: bool,
    history: Option<Vec<AuditEntry>>,
    entries: Vec<AuditEntry>,
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    pub saved: Option<String>,
}

pub async fn show<T: Actor>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let kind = Kind::of::<T>();
    require_user(&ctx)?;
    let caller = ctx.caller();
    // Read as the caller may: missing to those who may not read it, personal data blanked.
    let r = load::<T>(&st, &ctx, &id).await?;
    let personal = caller.sees_personal(&r.region);
    let fields = instrument::columns(kind.table())
        .iter()
        .zip(r.fields.iter())
        .filter(|(c, _)| personal || !c.personal)
        .map(|(c, v)| Shown {
            label: label(c.id, ctx.lang),
            value: display(c.id, v, ctx.lang),
        })
        .collect();
    let history = if caller.check_officer().is_ok() {
        Some(
            st.store
                .audit_of(kind.audit_kind(), &id, 50)
                .await
                .or_page(&ctx)?,
        )
    } else {
        None
    };
    let wave = st.store.wave(&r.wave).await.or_page(&ctx)?;
    let page = ActorPage {
        ctx: &ctx,
        path: kind.path(),
        id: r.id.clone(),
        name: r.name.clone(),
        region_code: r.region.to_string(),
        crumbs: crumbs_to(&r.region),
        noun: kind.noun(&ctx),
        version: r.version,
        wave: match &wave {
            Some(w) => format!("{} ({})", w.name, w.id),
            None => r.wave.clone(),
        },
        synthetic: wave.is_some_and(|w| w.synthetic),
        saved: q.saved.is_some(),
        fields,
        personal_hidden: !personal,
        ties: tie_views(&st, &ctx, &id).await?,
        can_write: caller.writes(Write::Other, &r.region),
        entries: history.clone().unwrap_or_default(),
        history,
    };
    Ok(render(&ctx, &page))
}

/// Where to go back to after a tie form: the actor's own page (`/` when the form names none).
/// A `back` that is not a path on this site ([`safe_local_path`]) is refused before the tie is
/// written or deleted, so the answer never fails after the fact.
fn back_to(ctx: &Ctx, pairs: &Pairs) -> Result<String, PageError> {
    match pick(pairs, "back").filter(|b| !b.is_empty()) {
        None => Ok("/".to_string()),
        Some(b) => safe_local_path(b)
            .map(str::to_string)
            .ok_or_else(|| PageError(ApiError::BadReturnPath, ctx.clone())),
    }
}

/// A path on this site (`/` for anything else: no open redirect).
fn local_path(back: Option<&str>) -> String {
    back.and_then(safe_local_path).unwrap_or("/").to_string()
}

/// The form that adds a tie from one actor: the other end chosen from the region's groups,
/// networks and institutions (grouped by kind, narrowed by a name searched with a plain GET),
/// or typed as an id; every problem shown beside its field, the form as submitted.
#[derive(Template)]
#[template(path = "tie_form.html")]
struct TieForm<'a> {
    ctx: &'a Ctx,
    from_id: String,
    from_name: String,
    crumbs: Vec<super::regions::Crumb>,
    back: String,
    /// The name searched (empty: all).
    search: String,
    /// The form again without the search.
    show_all: String,
    /// (kind's label, [(id, name, selected)]) for groups, networks, institutions.
    choices: Vec<(&'static str, Vec<(String, String, bool)>)>,
    choices_empty: bool,
    /// The groups listed reached [`actors::TIE_CHOICES_LIMIT`].
    truncated: bool,
    /// The id typed instead of chosen.
    other: String,
    tie_types: Vec<(&'static str, &'static str, bool)>,
    since: String,
    ke_error: Option<String>,
    type_error: Option<String>,
    since_error: Option<String>,
    /// The question asked before a second tie of another type between the same pair.
    ask_second: Option<String>,
    general: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct TieQuery {
    pub dari: Option<String>,
    pub back: Option<String>,
    pub cari: Option<String>,
}

/// What the tie form was last given.
#[derive(Default)]
struct TieEntry {
    to: String,
    other: String,
    tie_type: String,
    since: String,
}

/// The tie form from `from`, with what was entered and the refusal it got, if any.
async fn tie_form(
    st: &AppState,
    ctx: &Ctx,
    from: &str,
    back: String,
    search: &str,
    entry: TieEntry,
    refusal: Option<ApiError>,
) -> PageResult {
    let caller = ctx.caller();
    let (from_name, region) = actors::tie_origin(&st.store, &caller, from)
        .await
        .or_page(ctx)?;
    let found = actors::tie_choices(&st.store, &caller, &region, Some(search))
        .await
        .or_page(ctx)?;
    let chosen = if entry.other.is_empty() {
        entry.to.as_str()
    } else {
        ""
    };
    let kinds = [
        (ActorKind::Group, ctx.t("Kelompok", "Groups")),
        (ActorKind::Network, ctx.t("Wahana", "Networks")),
        (ActorKind::Institution, ctx.t("Lembaga", "Institutions")),
    ];
    let truncated = found.iter().filter(|c| c.kind == ActorKind::Group).count()
        >= actors::TIE_CHOICES_LIMIT as usize;
    let choices: Vec<(&'static str, Vec<(String, String, bool)>)> = kinds
        .iter()
        .map(|(k, label)| {
            (
                *label,
                found
                    .iter()
                    .filter(|c| c.kind == *k && c.id != from)
                    .map(|c| (c.id.clone(), c.name.clone(), c.id == chosen))
                    .collect(),
            )
        })
        .collect();
    let (mut ke_error, mut type_error, mut since_error, mut ask_second) = (None, None, None, None);
    let mut general = Vec::new();
    let mut status = StatusCode::OK;
    if let Some(e) = refusal {
        status = e.status();
        match &e {
            ApiError::Invalid(errs) => {
                for x in errs {
                    let text = if x.field == actors::SECOND_TIE {
                        // What is held, then what to do on this form (the box below).
                        let held = x.expected(ctx.lang);
                        let held = held.split_inclusive(". ").next().unwrap_or(held);
                        format!(
                            "{}{}",
                            held,
                            ctx.t(
                                "Bila memang ada ikatan kedua dengan jenis lain, centang kotak di bawah ini lalu simpan lagi.",
                                "If there really is a second tie of another type, tick the box below and save again."
                            )
                        )
                    } else {
                        x.message(ctx.lang)
                    };
                    let slot = match x.field.as_str() {
                        "ke" | "dari" => &mut ke_error,
                        "jenis_ikatan" => &mut type_error,
                        "sejak" => &mut since_error,
                        f if f == actors::SECOND_TIE => &mut ask_second,
                        _ => {
                            general.push(text);
                            continue;
                        }
                    };
                    *slot = Some(match slot.take() {
                        Some(before) => format!("{before}; {text}"),
                        None => text,
                    });
                }
            }
            // A tie held already, ends not observed together, an end outside the person's
            // region: all about the other end chosen.
            other => ke_error = Some(other.message(ctx.lang)),
        }
    }
    let tie_type = if entry.tie_type.is_empty() {
        "koordinasi"
    } else {
        entry.tie_type.as_str()
    };
    let choices_empty = choices.iter().all(|c| c.1.is_empty());
    let page = TieForm {
        ctx,
        from_id: from.to_string(),
        from_name,
        crumbs: crumbs_to(&region),
        show_all: format!("/ties/new?dari={}&back={}", pct(from), pct(&back)),
        back,
        search: search.to_string(),
        choices,
        choices_empty,
        truncated,
        other: entry.other,
        tie_types: tie_types(ctx)
            .into_iter()
            .map(|(c, l)| (c, l, c == tie_type))
            .collect(),
        since: entry.since,
        ke_error,
        type_error,
        since_error,
        ask_second,
        general,
    };
    let mut res = render(ctx, &page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /ties/new?dari=ID[&cari=NAME][&back=PATH]`: the form that adds a tie from an actor.
pub async fn new_tie(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TieQuery>,
) -> PageResult {
    require_user(&ctx)?;
    let from = q.dari.unwrap_or_default();
    let back = q
        .back
        .as_deref()
        .and_then(safe_local_path)
        .map(str::to_string)
        .unwrap_or_else(|| local_path(None));
    tie_form(
        &st,
        &ctx,
        &from,
        back,
        q.cari.as_deref().unwrap_or(""),
        TieEntry::default(),
        None,
    )
    .await
}

/// Adds a tie from the tie form or an actor's page (`dari` is that actor); a refusal shows the
/// tie form again with what was entered and the problem beside its field.
pub async fn create_tie(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let back = back_to(&ctx, &pairs)?;
    let mut values = values_of_table(Table::Ties, &pairs);
    let other = pick(&pairs, "ke_lain").unwrap_or("").trim().to_string();
    if !other.is_empty() {
        values.insert("ke", other.clone());
    }
    let entry = TieEntry {
        to: values.get("ke").cloned().unwrap_or_default(),
        other,
        tie_type: values.get("jenis_ikatan").cloned().unwrap_or_default(),
        since: values.get("sejak").cloned().unwrap_or_default(),
    };
    let given: HashMap<&'static str, String> =
        values.into_iter().filter(|(_, v)| !v.is_empty()).collect();
    let second = pick(&pairs, actors::SECOND_TIE).is_some();
    match actors::add_tie(&st.store, &ctx.caller(), &given, None, second).await {
        Ok(_) => Ok(Redirect::to(&back).into_response()),
        Err(e) => {
            let e = ApiError::from(e);
            if matches!(e, ApiError::Internal(_)) {
                return Ok(e.into_page(&ctx));
            }
            let from = pick(&pairs, "dari").unwrap_or("").trim().to_string();
            let search = pick(&pairs, "cari").unwrap_or("").to_string();
            // Without an origin the person may read there is no form to show again: the
            // refusal's own page (a record they may not read stays missing).
            if actors::tie_origin(&st.store, &ctx.caller(), &from)
                .await
                .is_err()
            {
                return Ok(e.into_page(&ctx));
            }
            tie_form(&st, &ctx, &from, back, &search, entry, Some(e)).await
        }
    }
}

/// The number of a tie from the path (404 when it is not one).
fn tie_number(ctx: &Ctx, id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| {
        PageError(
            ApiError::NotFound {
                kind: "ikatan",
                id: id.to_string(),
            },
            ctx.clone(),
        )
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct BackQuery {
    pub back: Option<String>,
}

/// Asks before deleting a tie (the group's confirmation page); its form carries `back`.
pub async fn delete_tie_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<BackQuery>,
) -> PageResult {
    require_user(&ctx)?;
    let number = tie_number(&ctx, &id)?;
    let (t, [region, _]) = actors::tie_to_delete(&st.store, &ctx.caller(), number)
        .await
        .or_page(&ctx)?;
    let back = local_path(q.back.as_deref());
    let page = ConfirmDelete {
        ctx: &ctx,
        id: String::new(),
        name: format!(
            "{} → {}: {}",
            t.tie.from,
            t.tie.to,
            t.tie.tie_type.label(ctx.lang)
        ),
        crumbs: region.as_ref().map(crumbs_to).unwrap_or_default(),
        question: ctx.t("Hapus ikatan ini?", "Delete this tie?"),
        note: ctx.t(
            "Kedua ujungnya tetap ada. Penghapusan dicatat di jejak perubahan, dari mana ikatan ini dapat dipulihkan.",
            "Both ends stay. The deletion is kept in the audit trail, from which the tie can be restored.",
        ),
        action: format!("/ties/{number}/delete"),
        cancel: back.clone(),
        back: Some(back),
    };
    Ok(render(&ctx, &page))
}

pub async fn delete_tie(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let back = back_to(&ctx, &pairs)?;
    let id = tie_number(&ctx, &id)?;
    actors::delete_tie(&st.store, &ctx.caller(), id)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&back).into_response())
}
