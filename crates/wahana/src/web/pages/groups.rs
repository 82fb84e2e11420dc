//! A group's page (every field, its ties, its history) and the forms to add, edit and delete
//! groups, with each error shown beside its field in the user's language.

use super::record::{
    ConfirmDelete, FormField, Pairs, Shown, TieView, as_pairs, crumbs_to, display, fields_of,
    label, mark_needed, offer_names, pick, refusal_beside_region, tie_views, values_of_table,
    wave_choices,
};
use super::render;
use crate::service::users::{self, Write};
use crate::service::{self, actors, groups};
use crate::web::errors::{ApiError, OrRender, PageError, PageResult};
use crate::web::{AppState, Ctx, csrf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use std::collections::HashMap;
use wahana_domain::codes::*;
use wahana_domain::instrument::{self, Table};
use wahana_domain::{Code, FieldError, Lang, RegionCode, RegionTree};
use wahana_store::{AuditEntry, StoredGroup};

/// The form's fields from values and errors.
fn fields(
    values: &HashMap<&'static str, String>,
    errors: &[FieldError],
    lang: Lang,
) -> Vec<FormField> {
    fields_of(Table::Groups, values, errors, lang)
}

#[derive(Template)]
#[template(path = "group_form.html")]
pub struct GroupForm<'a> {
    pub ctx: &'a Ctx,
    pub title: String,
    pub action: String,
    pub fields: Vec<FormField>,
    /// Errors not tied to a field of the form (a duplicate, a conflict, an unknown column).
    pub general: Vec<String>,
    pub version: Option<i64>,
    pub creating: bool,
    pub allow_duplicate: bool,
    pub cancel: String,
    /// Open waves a new record may go into: (id, label, selected).
    pub waves: Vec<(String, String, bool)>,
    /// The form asks for the wave (adding a record).
    pub pick_wave: bool,
    /// Some field is marked as needed for the group to be counted.
    pub has_needed: bool,
}

/// Fits the form's fields to the person filling them: the answers screening needs marked, the
/// village's networks offered for `wahana` (typed when the village is not known yet or holds
/// none). Returns whether any field is marked.
async fn fit_fields(
    st: &AppState,
    ctx: &Ctx,
    fields: &mut [FormField],
    village: Option<&RegionCode>,
) -> Result<bool, PageError> {
    let needed = service::screening::needed_columns(&st.store)
        .await
        .or_page(ctx)?;
    mark_needed(fields, &needed);
    if let Some(v) = village.filter(|v| v.level() == wahana_domain::Level::Village) {
        // Someone who may not read the village gets the typed field (and the refusal on save).
        if let Ok(held) =
            actors::list::<wahana_domain::Network>(&st.store, &ctx.caller(), Some(v), None).await
        {
            let mut names: Vec<String> = held.into_iter().map(|n| n.record.name).collect();
            names.sort();
            names.dedup();
            offer_names(fields, "wahana", &names);
        }
    }
    Ok(fields.iter().any(|f| f.needed))
}

/// The form's values by column: repeated keys joined with spaces; absent columns empty.
fn values_from(pairs: &Pairs) -> HashMap<&'static str, String> {
    values_of_table(Table::Groups, pairs)
}

fn village_of(values: &HashMap<&'static str, String>) -> Option<RegionCode> {
    values
        .get("kode_wilayah")
        .and_then(|v| RegionTree::official().resolve(v).ok())
        .map(|r| r.code.clone())
}

fn require_user(ctx: &Ctx) -> Result<&users::Principal, PageError> {
    ctx.user()
        .ok_or_else(|| PageError(ApiError::Unauthenticated, ctx.clone()))
}

#[derive(Debug, Deserialize, Default)]
pub struct NewQuery {
    pub village: Option<String>,
}

pub async fn new_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NewQuery>,
) -> PageResult {
    require_user(&ctx)?;
    let mut values: HashMap<&'static str, String> = HashMap::new();
    if let Some(v) = &q.village {
        let code = RegionTree::official()
            .resolve(v)
            .map_err(|_| {
                PageError(
                    ApiError::NotFound {
                        kind: ctx.t("wilayah", "region"),
                        id: v.clone(),
                    },
                    ctx.clone(),
                )
            })?
            .code
            .clone();
        ctx.caller()
            .check_write(Write::CreateGroup, Some(&code))
            .or_page(&ctx)?;
        values.insert("kode_wilayah", code.to_string());
    } else {
        ctx.caller()
            .check_write(Write::CreateGroup, None)
            .or_page(&ctx)?;
    }
    values.insert("status", "aktif".into());
    values.insert("tanggal_pendataan", service::today().to_string());
    let village = village_of(&values);
    let waves = wave_choices(&st, &ctx, None, village.as_ref()).await?;
    let cancel = q
        .village
        .map(|v| format!("/regions/{v}"))
        .unwrap_or_else(|| "/".into());
    let mut fields = fields(&values, &[], ctx.lang);
    let has_needed = fit_fields(&st, &ctx, &mut fields, village.as_ref()).await?;
    let form = GroupForm {
        has_needed,
        ctx: &ctx,
        title: ctx.t("Tambah kelompok", "Add a group").into(),
        action: "/groups".into(),
        fields,
        general: Vec::new(),
        version: None,
        creating: true,
        allow_duplicate: false,
        cancel,
        waves,
        pick_wave: true,
    };
    Ok(render(&ctx, &form))
}

/// The form again with the errors beside their fields (422).
#[allow(clippy::too_many_arguments)] // the form's whole state, each piece used once
async fn form_again(
    st: &AppState,
    ctx: &Ctx,
    waves: Vec<(String, String, bool)>,
    e: ApiError,
    values: &HashMap<&'static str, String>,
    creating: bool,
    id: Option<&str>,
    version: Option<i64>,
    allow_duplicate: bool,
) -> PageResult {
    // A failure of the server is no mistake in the form: its page, with a reference to quote,
    // and its detail in the log.
    if matches!(e, ApiError::Internal(_)) {
        return Ok(e.into_page(ctx));
    }
    let (field_errors, general) = match &e {
        ApiError::Invalid(errs) => {
            let known: Vec<&str> = instrument::columns(Table::Groups)
                .iter()
                .map(|c| c.id)
                .collect();
            let general = errs
                .iter()
                .filter(|x| !known.contains(&x.field.as_str()) || x.field == "id")
                .map(|x| x.message(ctx.lang))
                .collect();
            (errs.clone(), general)
        }
        other => (Vec::new(), vec![other.message(ctx.lang)]),
    };
    let status = e.status();
    let mut fields = fields(values, &field_errors, ctx.lang);
    refusal_beside_region(&mut fields, &e, ctx.lang);
    let has_needed = fit_fields(st, ctx, &mut fields, village_of(values).as_ref()).await?;
    let form = GroupForm {
        has_needed,
        ctx,
        title: if creating {
            ctx.t("Tambah kelompok", "Add a group").into()
        } else {
            format!(
                "{} {}",
                ctx.t("Ubah kelompok", "Edit group"),
                id.unwrap_or("")
            )
        },
        action: match id {
            Some(i) => format!("/groups/{i}"),
            None => "/groups".into(),
        },
        fields,
        general,
        version,
        creating,
        allow_duplicate,
        cancel: match id {
            Some(i) => format!("/groups/{i}"),
            None => values
                .get("kode_wilayah")
                .map(|v| format!("/regions/{v}"))
                .unwrap_or_else(|| "/".into()),
        },
        pick_wave: creating,
        waves,
    };
    let mut res = render(ctx, &form);
    *res.status_mut() = status;
    Ok(res)
}

pub async fn create(State(st): State<AppState>, ctx: Ctx, Form(pairs): Form<Pairs>) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let values = values_from(&pairs);
    let allow_duplicate = pick(&pairs, "allow_duplicate").is_some();
    let fields_in: HashMap<&'static str, String> = values
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.clone()))
        .collect();
    let wave = pick(&pairs, "_wave").filter(|w| !w.is_empty());
    match groups::add(&st.store, &ctx.caller(), &fields_in, wave, allow_duplicate).await {
        Ok(g) => Ok(Redirect::to(&format!("/groups/{}?saved=1", g.group.id)).into_response()),
        Err(e) => {
            let waves = wave_choices(&st, &ctx, wave, village_of(&values).as_ref()).await?;
            form_again(
                &st,
                &ctx,
                waves,
                e.into(),
                &values,
                true,
                None,
                None,
                allow_duplicate,
            )
            .await
        }
    }
}

fn values_of(g: &StoredGroup) -> HashMap<&'static str, String> {
    instrument::columns(Table::Groups)
        .iter()
        .map(|c| c.id)
        .zip(g.group.to_fields())
        .collect()
}

async fn load(st: &AppState, ctx: &Ctx, id: &str) -> Result<StoredGroup, PageError> {
    groups::show(&st.store, &ctx.caller(), id, ctx.query("wave").as_deref())
        .await
        .or_page(ctx)
}

pub async fn edit_form(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    require_user(&ctx)?;
    let g = load(&st, &ctx, &id).await?;
    ctx.caller()
        .check_write_held(Write::EditGroup, &g.group.village, "kelompok", &id)
        .or_page(&ctx)?;
    let mut fields = fields(&values_of(&g), &[], ctx.lang);
    let has_needed = fit_fields(&st, &ctx, &mut fields, Some(&g.group.village)).await?;
    let form = GroupForm {
        has_needed,
        ctx: &ctx,
        title: format!("{} {}", ctx.t("Ubah kelompok", "Edit group"), g.group.name),
        action: format!(
            "/groups/{}?wave={}",
            crate::web::pct(&id),
            crate::web::pct(&g.wave_id)
        ),
        fields,
        general: Vec::new(),
        version: Some(g.version),
        creating: false,
        allow_duplicate: false,
        cancel: format!("/groups/{id}"),
        waves: Vec::new(),
        pick_wave: false,
    };
    Ok(render(&ctx, &form))
}

pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    // Read as the caller may (a group they may not read is missing to them).
    let current = load(&st, &ctx, &id).await?;
    // The observation edited: the wave in the form's address (the one shown).
    let wave = Some(current.wave_id.clone());
    let values = values_from(&pairs);
    ctx.caller()
        .check_write_held(Write::EditGroup, &current.group.village, "kelompok", &id)
        .or_page(&ctx)?;
    let version = pick(&pairs, "version").and_then(|v| v.parse::<i64>().ok());
    let Some(version) = version else {
        return form_again(
            &st,
            &ctx,
            Vec::new(),
            ApiError::Invalid(vec![FieldError::new(
                "version",
                "",
                "versi yang disunting",
                "the version edited",
            )]),
            &values,
            false,
            Some(&id),
            Some(current.version),
            false,
        )
        .await;
    };
    match groups::edit(
        &st.store,
        &ctx.caller(),
        &id,
        wave.as_deref(),
        &as_pairs(&values),
        Some(version),
    )
    .await
    {
        Ok(g) => Ok(Redirect::to(&format!("/groups/{}?saved=1", g.group.id)).into_response()),
        Err(e) => {
            form_again(
                &st,
                &ctx,
                Vec::new(),
                e.into(),
                &values,
                false,
                Some(&id),
                Some(version),
                false,
            )
            .await
        }
    }
}

pub async fn delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let g = load(&st, &ctx, &id).await?;
    // The observation shown (its wave); a group no wave observes any more goes whole.
    let wave = Some(g.wave_id.clone());
    groups::delete(&st.store, &ctx.caller(), &id, wave.as_deref())
        .await
        .or_page(&ctx)?;
    Ok((
        StatusCode::SEE_OTHER,
        [(
            header::LOCATION,
            format!(
                "/regions/{}?deleted={}",
                g.group.village,
                crate::web::pct(&id)
            ),
        )],
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "group.html")]
pub struct GroupPage<'a> {
    pub ctx: &'a Ctx,
    /// Every wave that observed the group, oldest first; `current` is the one shown.
    pub observations: Vec<Observation>,
    /// The wave of the observation shown.
    pub wave_id: String,
    pub id: String,
    pub name: String,
    /// The region tree down to the group's village, each with its page.
    pub crumbs: Vec<super::regions::Crumb>,
    pub version: i64,
    pub wave: String,
    /// The wave is generated demonstration data.
    pub synthetic: bool,
    pub saved: bool,
    pub fields: Vec<Shown>,
    pub personal_hidden: bool,
    pub ties: Vec<TieView>,
    /// May add and delete ties (officers and admins of the region).
    pub can_write: bool,
    pub history: Option<Vec<AuditEntry>>,
    pub entries: Vec<AuditEntry>,
    /// The audit entry of the import that wrote this observation (its number, the file and
    /// row), for those who may read it.
    pub from_import: Option<(i64, String)>,
    pub can_edit: bool,
    pub can_delete: bool,
    /// The members (personal data): `None` for those not allowed to see them.
    pub members: Option<Vec<MemberView>>,
    /// May add and remove members (admins; officers and enumerators of the region).
    pub can_members: bool,
    /// The add-a-member form: its values, roles (code, label, selected) and error.
    pub member: MemberForm,
    /// Counted in the region's profile (screening's verdict on this observation).
    pub counted: bool,
    /// Why it is counted or not, in a sentence.
    pub counted_because: String,
}

/// Whether the group is counted in the profile, and if not which answer is missing or which
/// criterion a recorded answer does not meet, as a sentence for its page.
fn counted_sentence(c: &service::screening::Counted, lang: Lang) -> String {
    use wahana_domain::screening::Outcome;
    match c.outcome {
        Outcome::Qualifies => lang
            .pick(
                "semua syarat penyaringan terpenuhi.",
                "every screening criterion is met.",
            )
            .to_string(),
        Outcome::Incomplete => {
            let names: Vec<&str> = c.missing.iter().map(|m| label(m, lang)).collect();
            format!(
                "{} {}.",
                lang.pick(
                    "karena jawaban ini belum diisi:",
                    "because these answers are missing:",
                ),
                names.join(", ")
            )
        }
        Outcome::DoesNotQualify => {
            let why: Vec<&str> = c.failed.iter().map(|r| r.message(lang)).collect();
            format!(
                "{} {}.",
                lang.pick(
                    "karena tidak memenuhi syarat:",
                    "because it does not meet the criteria:",
                ),
                why.join("; ")
            )
        }
    }
}

/// A member as the group page shows it.
pub struct MemberView {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
}

/// The add-a-member form as last submitted (empty at first).
#[derive(Default)]
pub struct MemberForm {
    pub name: String,
    pub key: String,
    pub roles: Vec<(&'static str, &'static str, bool)>,
    pub error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct ShowQuery {
    pub saved: Option<String>,
}

pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    group_page(&st, &ctx, &id, q.saved.is_some(), MemberForm::default()).await
}

/// The group page; `member` is the add-a-member form as submitted (with its error).
async fn group_page(
    st: &AppState,
    ctx: &Ctx,
    id: &str,
    saved: bool,
    mut member: MemberForm,
) -> PageResult {
    let (st, ctx, id) = (st, ctx.clone(), id.to_string());
    require_user(&ctx)?;
    let caller = ctx.caller();
    let g = load(st, &ctx, &id).await?;
    let village = &g.group.village;
    let personal = caller.sees_personal(village);
    let members = if personal {
        Some(
            actors::members(&st.store, &caller, &id)
                .await
                .or_page(&ctx)?
                .into_iter()
                .map(|m| MemberView {
                    id: m.id,
                    name: m.member.name,
                    role: m.member.role.label(ctx.lang),
                })
                .collect(),
        )
    } else {
        None
    };
    let chosen = member
        .roles
        .iter()
        .find(|r| r.2)
        .map(|r| r.0)
        .unwrap_or("anggota");
    member.roles = MemberRole::ALL
        .iter()
        .map(|r| (r.code(), r.label(ctx.lang), r.code() == chosen))
        .collect();
    let lang = ctx.lang;
    let fields_shown = instrument::columns(Table::Groups)
        .iter()
        .zip(g.group.to_fields())
        .filter(|(c, _)| personal || !c.personal)
        .map(|(c, v)| Shown {
            label: label(c.id, lang),
            value: display(c.id, &v, lang),
        })
        .collect();
    let ties = tie_views(st, &ctx, &id).await?;
    let history = if caller.check_officer().is_ok() {
        Some(
            groups::audit(&st.store, &caller, &id, 50)
                .await
                .or_page(&ctx)?,
        )
    } else {
        None
    };
    let from_import =
        match service::audit::import_entry_of(&st.store, &caller, g.provenance.as_deref())
            .await
            .or_page(&ctx)?
        {
            Some(n) => {
                let p: serde_json::Value = g
                    .provenance
                    .as_deref()
                    .and_then(|p| serde_json::from_str(p).ok())
                    .unwrap_or_default();
                let file = p.get("berkas").and_then(|f| f.as_str()).unwrap_or_default();
                let row = p.get("baris").map(|r| r.to_string()).unwrap_or_default();
                Some((
                    n,
                    if row.is_empty() {
                        file.to_string()
                    } else {
                        format!("{file}, {} {row}", ctx.t("baris", "row"))
                    },
                ))
            }
            None => None,
        };
    let counted = service::screening::counted(&st.store, &g.group)
        .await
        .or_page(&ctx)?;
    let wave = st.store.wave(&g.wave_id).await.or_page(&ctx)?;
    let mut observations = Vec::new();
    for o in groups::history(&st.store, &caller, &id)
        .await
        .or_page(&ctx)?
    {
        let name = match st.store.wave(&o.wave_id).await.or_page(&ctx)? {
            Some(w) => w.name,
            None => o.wave_id.clone(),
        };
        observations.push(Observation {
            current: o.wave_id == g.wave_id,
            wave_id: o.wave_id,
            wave_name: name,
            name: o.group.name,
            status: o.group.status.label(lang).to_string(),
        });
    }
    let page = GroupPage {
        observations,
        wave_id: g.wave_id.clone(),
        ctx: &ctx,
        id: id.clone(),
        name: g.group.name.clone(),
        crumbs: crumbs_to(village),
        version: g.version,
        wave: match &wave {
            Some(w) => format!("{} ({})", w.name, w.id),
            None => g.wave_id.clone(),
        },
        synthetic: wave.is_some_and(|w| w.synthetic),
        saved,
        fields: fields_shown,
        personal_hidden: !personal,
        ties,
        entries: history.clone().unwrap_or_default(),
        history,
        from_import,
        can_write: caller.writes(Write::Other, village),
        can_edit: caller.writes(Write::EditGroup, village),
        can_delete: caller.writes(Write::DeleteGroup, village),
        can_members: personal && caller.writes(Write::Members, village),
        members,
        member,
        counted: counted.counted(),
        counted_because: counted_sentence(&counted, lang),
    };
    let mut res = render(&ctx, &page);
    if page.member.error.is_some() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// One wave's observation of a group, as its page lists them.
pub struct Observation {
    pub wave_id: String,
    pub wave_name: String,
    pub name: String,
    pub status: String,
    pub current: bool,
}

/// Asks before deleting a group (the page works without JavaScript, so no dialog).
pub async fn delete_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    require_user(&ctx)?;
    let g = load(&st, &ctx, &id).await?;
    ctx.caller()
        .check_write_held(Write::DeleteGroup, &g.group.village, "kelompok", &id)
        .or_page(&ctx)?;
    let page = ConfirmDelete {
        ctx: &ctx,
        id: id.clone(),
        name: g.group.name.clone(),
        crumbs: crumbs_to(&g.group.village),
        question: ctx.t(
            "Hapus catatan kelompok ini di pendataan ini?",
            "Delete this group's record in this wave?",
        ),
        note: ctx.t(
            "Catatan di pendataan lain tetap. Ikatannya di pendataan ini ikut terhapus; bila tidak ada pendataan lain yang mencatatnya, kelompok dan daftar anggotanya terhapus. Penghapusan dicatat di jejak perubahan; dari sana petugas dan admin wilayah ini dapat memulihkan catatan kelompok (tanpa ikatan dan anggota yang ikut terhapus).",
            "Its records in other waves stay. Its ties in this wave are deleted with it; when no other wave records it, the group and its member list go. The deletion is kept in the audit trail, from which officers and admins of this region can restore the group's record (without the ties and members deleted with it).",
        ),
        action: format!(
            "/groups/{}/delete?wave={}",
            crate::web::pct(&id),
            crate::web::pct(&g.wave_id)
        ),
        cancel: format!("/groups/{}", crate::web::pct(&id)),
        back: None,
    };
    Ok(render(&ctx, &page))
}

/// Refuses, as a page, a caller who may not add or remove the group's members.
async fn member_writer(st: &AppState, ctx: &Ctx, id: &str) -> Result<(), PageError> {
    require_user(ctx)?;
    let g = load(st, ctx, id).await?;
    ctx.caller()
        .check_write_held(Write::Members, &g.group.village, "kelompok", id)
        .or_page(ctx)
}

/// Adds a member from the form on the group page; a problem shows the page again with the
/// form as submitted and the problem beside it (422).
pub async fn add_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    member_writer(&st, &ctx, &id).await?;
    let name = pick(&pairs, "nama").unwrap_or("");
    let role = pick(&pairs, "peran");
    let key = pick(&pairs, "kunci");
    match actors::add_member(&st.store, &ctx.caller(), &id, name, role, key).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/groups/{}#anggota", crate::web::pct(&id))).into_response())
        }
        Err(e) => {
            let e = ApiError::from(e);
            if matches!(e, ApiError::Internal(_)) {
                return Ok(e.into_page(&ctx));
            }
            let message = e.message(ctx.lang);
            let form = MemberForm {
                name: name.to_string(),
                key: key.unwrap_or("").to_string(),
                roles: MemberRole::ALL
                    .iter()
                    .map(|r| (r.code(), "", Some(r.code()) == role))
                    .collect(),
                error: Some(message),
            };
            group_page(&st, &ctx, &id, false, form).await
        }
    }
}

/// Asks before removing a member (the link beside each name on the group page), like every
/// other delete; the page names the member to those who may see the group's members.
pub async fn delete_member_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
) -> PageResult {
    require_user(&ctx)?;
    member_writer(&st, &ctx, &id).await?;
    let not_found = || {
        PageError(
            ApiError::NotFound {
                kind: "anggota",
                id: member.clone(),
            },
            ctx.clone(),
        )
    };
    let number: i64 = member.parse().map_err(|_| not_found())?;
    let held = actors::members(&st.store, &ctx.caller(), &id)
        .await
        .or_page(&ctx)?;
    let m = held
        .into_iter()
        .find(|m| m.id == number)
        .ok_or_else(not_found)?;
    let g = load(&st, &ctx, &id).await?;
    let page = ConfirmDelete {
        ctx: &ctx,
        id: String::new(),
        name: format!("{} — {}", m.member.name, g.group.name),
        crumbs: crumbs_to(&g.group.village),
        question: ctx.t(
            "Hapus anggota ini dari kelompok?",
            "Remove this member from the group?",
        ),
        note: ctx.t(
            "Ikatan keanggotaan bersama yang berasal dari orang ini ikut hilang dari jejaring. Penghapusan dicatat di jejak perubahan, dari mana anggota ini dapat dipulihkan (nama hanya terlihat oleh yang boleh melihat data pribadi).",
            "The shared-membership ties that came from this person leave the network. The removal is kept in the audit trail, from which the member can be restored (the name is shown only to those who may see personal data).",
        ),
        action: format!(
            "/groups/{}/members/{number}/delete",
            crate::web::pct(&id)
        ),
        cancel: format!("/groups/{}#anggota", crate::web::pct(&id)),
        back: None,
    };
    Ok(render(&ctx, &page))
}

/// Removes a member (posted by the page that asks first).
pub async fn delete_member(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, member)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    require_user(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    member_writer(&st, &ctx, &id).await?;
    let number: i64 = member.parse().map_err(|_| {
        PageError(
            ApiError::NotFound {
                kind: "anggota",
                id: member.clone(),
            },
            ctx.clone(),
        )
    })?;
    actors::delete_member_of(&st.store, &ctx.caller(), &id, number)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/groups/{}#anggota", crate::web::pct(&id))).into_response())
}
