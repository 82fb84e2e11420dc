//! The waves page (`/waves`): every wave with what it holds, for everyone; adding, editing,
//! closing, reopening and deleting (after a confirmation page) for admins. And the wave picker
//! every region page, profile report, screening and network page shows: which wave it shows,
//! and links (`?wave=ID`, no JavaScript) to the other waves holding data of the region.

use super::render;
use crate::service::caller::Caller;
use crate::service::users::Role;
use crate::service::waves::{self, ShownWave, WaveInput};
use crate::web::errors::{ApiError, OrRender, PageError, PageResult};
use crate::web::{AppState, Ctx, csrf, pct};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;
use wahana_domain::{FieldError, Lang, RegionCode, Wave};
use wahana_store::WaveContents;

// ---- the picker ----

/// One other wave to show the page in.
pub struct WaveLink {
    pub href: String,
    pub name: String,
    pub period: String,
    pub closed: bool,
}

/// Which wave a page shows, why, and the other waves holding data of its region.
pub struct WavePicker {
    pub id: String,
    pub name: String,
    pub period: String,
    pub closed: bool,
    /// No wave was named: it is the region's default.
    pub by_default: bool,
    /// The wave shown holds observations of the region's groups.
    pub holds_region: bool,
    /// The page in the region's default wave, when another is shown.
    pub default_href: Option<String>,
    pub others: Vec<WaveLink>,
}

impl WavePicker {
    /// The picker of a page at `path` (`/regions/73.08.21/screening`), whose other query
    /// parameters are `keep` (`outcome=memenuhi&`, or empty), showing `wave`.
    pub fn new(
        wave: &Wave,
        by_default: bool,
        holding: &[Wave],
        path: &str,
        keep: &str,
        lang: Lang,
    ) -> WavePicker {
        let href = |id: &str| format!("{path}?{keep}wave={}", pct(id));
        WavePicker {
            id: wave.id.clone(),
            name: wave.name.clone(),
            period: waves::period_long(wave, lang),
            closed: wave.closed,
            by_default,
            holds_region: holding.iter().any(|w| w.id == wave.id),
            default_href: if by_default {
                None
            } else {
                let plain = keep.trim_end_matches('&');
                Some(if plain.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}?{plain}")
                })
            },
            others: holding
                .iter()
                .filter(|w| w.id != wave.id)
                .map(|w| WaveLink {
                    href: href(&w.id),
                    name: w.name.clone(),
                    period: waves::period_long(w, lang),
                    closed: w.closed,
                })
                .collect(),
        }
    }

    /// [`WavePicker::new`] from the service's choice.
    pub fn of(shown: &ShownWave, path: &str, keep: &str, lang: Lang) -> WavePicker {
        WavePicker::new(
            &shown.wave,
            shown.by_default,
            &shown.holding,
            path,
            keep,
            lang,
        )
    }

    /// `wave=ID` for links that keep the wave chosen; empty when the default is shown (every
    /// page finds the same default).
    pub fn param(&self) -> String {
        if self.by_default {
            String::new()
        } else {
            format!("wave={}", pct(&self.id))
        }
    }
}

/// The picker alone, as HTML (for the profile report, a document of its own).
#[derive(Template)]
#[template(path = "wave_picker.html")]
pub struct PickerBlock<'a> {
    pub ctx: &'a Ctx,
    pub picker: Option<WavePicker>,
}

// ---- the form's choices ----

/// The open waves a new record may go into, for a form's select: (id, label, selected). The
/// one chosen is selected, else the region's latest open wave (as the service would choose).
pub async fn open_choices(
    st: &AppState,
    chosen: Option<&str>,
    region: Option<&RegionCode>,
    lang: Lang,
) -> Result<Vec<(String, String, bool)>, ApiError> {
    let open: Vec<Wave> = st
        .store
        .waves_latest_first()
        .await?
        .into_iter()
        .filter(|w| !w.closed)
        .collect();
    let default = match chosen.filter(|c| !c.is_empty()) {
        Some(c) => Some(c.to_string()),
        None => st.store.latest_open_wave(region).await?.map(|w| w.id),
    };
    Ok(open
        .into_iter()
        .map(|w| {
            let selected = default.as_deref() == Some(w.id.as_str());
            let period = waves::period_long(&w, lang);
            let mut label = w.name.clone();
            if !period.is_empty() {
                label.push_str(&format!(" ({period})"));
            }
            if w.synthetic {
                label.push_str(&format!(" — {}", lang.pick("SINTETIS", "SYNTHETIC")));
            }
            (w.id, label, selected)
        })
        .collect())
}

// ---- the page ----

/// A wave as listed on the page.
pub struct WaveLine {
    pub id: String,
    pub name: String,
    pub region: String,
    pub period: String,
    pub source: String,
    pub method: &'static str,
    pub run_by: String,
    pub synthetic: bool,
    pub closed: bool,
    pub groups: u64,
    pub villages: u64,
    pub others: String,
}

impl WaveLine {
    fn of(w: &Wave, c: &WaveContents, lang: Lang) -> WaveLine {
        WaveLine {
            id: w.id.clone(),
            name: w.name.clone(),
            region: w.region.as_ref().map(|r| r.to_string()).unwrap_or_default(),
            period: waves::period_long(w, lang),
            source: w.source.clone().unwrap_or_default(),
            method: waves::method_label(w.method, lang),
            run_by: w.run_by.clone().unwrap_or_default(),
            synthetic: w.synthetic,
            closed: w.closed,
            groups: c.groups,
            villages: c.villages,
            others: format!(
                "{} {}, {} {}, {} {}",
                c.networks,
                lang.pick("wahana", "networks"),
                c.institutions,
                lang.pick("lembaga", "institutions"),
                c.ties,
                lang.pick("ikatan", "ties")
            ),
        }
    }
}

/// A field of the wave form.
pub struct WaveField {
    pub id: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub value: String,
    pub error: Option<String>,
}

/// The wave form's state: values as typed and the errors beside them.
pub struct WaveForm {
    pub action: String,
    pub fields: Vec<WaveField>,
    pub method: String,
    pub method_error: Option<String>,
    pub synthetic: bool,
    pub creating: bool,
}

const TEXT_FIELDS: [&str; 7] = [
    "id",
    "name",
    "region",
    "start_date",
    "end_date",
    "source",
    "run_by",
];

fn label(id: &str, lang: Lang) -> (&'static str, &'static str) {
    let (l, h) = match id {
        "id" => (
            ("ID", "ID"),
            (
                "huruf kecil, angka dan -; kosong: dibuat dari nama",
                "lowercase letters, digits and -; empty: made from the name",
            ),
        ),
        "name" => (
            ("Nama", "Name"),
            (
                "mis. Pemutakhiran PSKS Bone 2026",
                "e.g. Pemutakhiran PSKS Bone 2026",
            ),
        ),
        "region" => (
            ("Kode wilayah", "Region code"),
            (
                "daerah yang didata, mis. 73.08",
                "the area covered, e.g. 73.08",
            ),
        ),
        "start_date" => (
            (
                "Tanggal (atau awal periode)",
                "Date (or start of the period)",
            ),
            ("YYYY-MM-DD", "YYYY-MM-DD"),
        ),
        "end_date" => (
            ("Akhir periode", "End of the period"),
            ("YYYY-MM-DD", "YYYY-MM-DD"),
        ),
        "source" => (("Sumber", "Source"), ("", "")),
        "run_by" => (
            ("Pelaksana", "Run by"),
            (
                "kantor atau tim yang mendata",
                "the office or team that ran it",
            ),
        ),
        _ => (("", ""), ("", "")),
    };
    (lang.pick(l.0, l.1), lang.pick(h.0, h.1))
}

impl WaveForm {
    fn new(
        action: String,
        values: &HashMap<String, String>,
        errors: &[FieldError],
        creating: bool,
        lang: Lang,
    ) -> WaveForm {
        let error_of = |id: &str| {
            errors
                .iter()
                .filter(|e| e.field == id)
                .map(|e| e.message(lang))
                .reduce(|a, b| format!("{a}; {b}"))
        };
        WaveForm {
            action,
            fields: TEXT_FIELDS
                .iter()
                .filter(|id| creating || **id != "id")
                .map(|id| {
                    let (label, hint) = label(id, lang);
                    WaveField {
                        id,
                        label,
                        hint,
                        value: values.get(*id).cloned().unwrap_or_default(),
                        error: error_of(id),
                    }
                })
                .collect(),
            method: values.get("method").cloned().unwrap_or_default(),
            method_error: error_of("method"),
            synthetic: values.get("synthetic").is_some_and(|v| !v.is_empty()),
            creating,
        }
    }

    /// The values of a held wave.
    fn values_of(w: &Wave) -> HashMap<String, String> {
        let mut v = HashMap::new();
        v.insert("id".into(), w.id.clone());
        v.insert("name".into(), w.name.clone());
        v.insert(
            "region".into(),
            w.region.as_ref().map(|r| r.to_string()).unwrap_or_default(),
        );
        v.insert(
            "start_date".into(),
            w.start_date.map(|d| d.to_string()).unwrap_or_default(),
        );
        v.insert(
            "end_date".into(),
            w.end_date.map(|d| d.to_string()).unwrap_or_default(),
        );
        v.insert("source".into(), w.source.clone().unwrap_or_default());
        v.insert("run_by".into(), w.run_by.clone().unwrap_or_default());
        v.insert(
            "method".into(),
            w.method.map(|m| m.code().to_string()).unwrap_or_default(),
        );
        if w.synthetic {
            v.insert("synthetic".into(), "1".into());
        }
        v
    }
}

#[derive(Template)]
#[template(path = "waves.html")]
pub struct WavesPage<'a> {
    pub ctx: &'a Ctx,
    pub waves: Vec<WaveLine>,
    pub admin: bool,
    /// May review a re-survey's proposed links (officers and admins).
    pub reviewer: bool,
    pub done: Option<String>,
    pub general: Vec<String>,
    pub form: WaveForm,
}

#[derive(Template)]
#[template(path = "wave_form.html")]
pub struct WaveEditPage<'a> {
    pub ctx: &'a Ctx,
    pub title: String,
    pub general: Vec<String>,
    pub form: WaveForm,
}

#[derive(Template)]
#[template(path = "wave_delete.html")]
pub struct WaveDeletePage<'a> {
    pub ctx: &'a Ctx,
    pub id: String,
    pub name: String,
    pub holds: WaveContents,
    pub closed: bool,
    pub general: Vec<String>,
}

fn is_admin(ctx: &Ctx) -> bool {
    ctx.user().is_some() && ctx.caller().check_admin().is_ok()
}

/// Writes are for admins: 401 signed out, 403 for every other role (the use cases check
/// again).
fn require_admin(ctx: &Ctx) -> Result<Caller, PageError> {
    let caller = ctx.caller();
    caller.signed_in().or_page(ctx)?;
    caller.check_admin().or_page(ctx)?;
    Ok(caller)
}

/// The submitted form.
type Pairs = Vec<(String, String)>;

fn values(pairs: &Pairs) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in pairs {
        if k != "_csrf" {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// The service's input from a submitted form: every field present (an empty one clears it);
/// an unticked box is `synthetic: false`.
fn input(v: &HashMap<String, String>, creating: bool) -> WaveInput {
    let get = |k: &str| v.get(k).cloned().or_else(|| Some(String::new()));
    WaveInput {
        id: if creating { v.get("id").cloned() } else { None },
        name: v
            .get("name")
            .cloned()
            .or_else(|| creating.then(String::new)),
        region: get("region"),
        start_date: get("start_date"),
        end_date: get("end_date"),
        source: get("source"),
        method: get("method"),
        run_by: get("run_by"),
        synthetic: Some(v.get("synthetic").is_some_and(|s| !s.is_empty())),
    }
}

/// Errors beside fields, and the others above the form.
fn split(e: &ApiError, lang: Lang) -> (Vec<FieldError>, Vec<String>) {
    match e {
        ApiError::Invalid(errs) => (
            errs.clone(),
            errs.iter()
                .filter(|x| !TEXT_FIELDS.contains(&x.field.as_str()) && x.field != "method")
                .map(|x| x.message(lang))
                .collect(),
        ),
        other => (Vec::new(), vec![other.message(lang)]),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListQuery {
    pub saved: Option<String>,
    pub closed: Option<String>,
    pub reopened: Option<String>,
    pub deleted: Option<String>,
}

async fn page(
    st: &AppState,
    ctx: &Ctx,
    done: Option<String>,
    general: Vec<String>,
    form: WaveForm,
) -> Result<Response, PageError> {
    let list = waves::summaries(&st.store).await.or_page(ctx)?;
    let page = WavesPage {
        ctx,
        waves: list
            .iter()
            .map(|(w, c)| WaveLine::of(w, c, ctx.lang))
            .collect(),
        admin: is_admin(ctx),
        reviewer: ctx
            .user()
            .is_some_and(|u| matches!(u.role, Role::Admin | Role::Officer)),
        done,
        general,
        form,
    };
    Ok(render(ctx, &page))
}

/// `GET /waves`.
pub async fn list(State(st): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> PageResult {
    let t = |id: &str, en: &str| ctx.t(id, en).to_string();
    let done = if let Some(id) = q.saved {
        Some(format!(
            "{} {id} {}",
            t("Pendataan", "Wave"),
            t("disimpan", "saved")
        ))
    } else if let Some(id) = q.closed {
        Some(format!(
            "{} {id} {}",
            t("Pendataan", "Wave"),
            t(
                "ditutup: datanya tidak dapat diubah lagi sampai dibuka kembali",
                "closed: its records cannot be changed until it is reopened"
            )
        ))
    } else if let Some(id) = q.reopened {
        Some(format!(
            "{} {id} {}",
            t("Pendataan", "Wave"),
            t("dibuka kembali", "reopened")
        ))
    } else {
        q.deleted.map(|id| {
            format!(
                "{} {id} {}",
                t("Pendataan", "Wave"),
                t("dihapus", "deleted")
            )
        })
    };
    let form = WaveForm::new("/waves".into(), &HashMap::new(), &[], true, ctx.lang);
    page(&st, &ctx, done, Vec::new(), form).await
}

/// `POST /waves`: adds a wave.
pub async fn create(State(st): State<AppState>, ctx: Ctx, Form(pairs): Form<Pairs>) -> PageResult {
    let caller = require_admin(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let v = values(&pairs);
    match waves::add(&st.store, &caller, &input(&v, true)).await {
        Ok(w) => Ok(Redirect::to(&format!("/waves?saved={}", pct(&w.id))).into_response()),
        Err(e) => {
            let e: ApiError = e.into();
            let (fields, general) = split(&e, ctx.lang);
            let form = WaveForm::new("/waves".into(), &v, &fields, true, ctx.lang);
            let mut res = page(&st, &ctx, None, general, form).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

fn pick<'a>(pairs: &'a Pairs, key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn held(st: &AppState, ctx: &Ctx, id: &str) -> Result<(Wave, WaveContents), PageError> {
    waves::show(&st.store, id).await.or_page(ctx)
}

/// `GET /waves/{id}/edit`.
pub async fn edit_form(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    require_admin(&ctx)?;
    let (w, _) = held(&st, &ctx, &id).await?;
    let general = if w.closed {
        vec![
            ctx.t(
                "Pendataan ini ditutup: buka kembali dahulu untuk mengubahnya.",
                "This wave is closed: reopen it first to change it.",
            )
            .to_string(),
        ]
    } else {
        Vec::new()
    };
    let form = WaveForm::new(
        format!("/waves/{}", pct(&id)),
        &WaveForm::values_of(&w),
        &[],
        false,
        ctx.lang,
    );
    let page = WaveEditPage {
        ctx: &ctx,
        title: format!(
            "{} {}",
            ctx.t("Ubah", "Edit"),
            wahana_domain::Wave::named(&w.name, ctx.lang, false)
        ),
        general,
        form,
    };
    Ok(render(&ctx, &page))
}

/// `POST /waves/{id}`: saves the edit form.
pub async fn update(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let caller = require_admin(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let (w, _) = held(&st, &ctx, &id).await?;
    let v = values(&pairs);
    match waves::edit(&st.store, &caller, &id, &input(&v, false)).await {
        Ok(w) => Ok(Redirect::to(&format!("/waves?saved={}", pct(&w.id))).into_response()),
        Err(e) => {
            let e: ApiError = e.into();
            let (fields, general) = split(&e, ctx.lang);
            let form = WaveForm::new(format!("/waves/{}", pct(&id)), &v, &fields, false, ctx.lang);
            let page = WaveEditPage {
                ctx: &ctx,
                title: format!(
                    "{} {}",
                    ctx.t("Ubah", "Edit"),
                    wahana_domain::Wave::named(&w.name, ctx.lang, false)
                ),
                general,
                form,
            };
            let mut res = render(&ctx, &page);
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

async fn set_closed(st: AppState, ctx: Ctx, id: String, pairs: Pairs, closed: bool) -> PageResult {
    let caller = require_admin(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let w = waves::set_closed(&st.store, &caller, &id, closed)
        .await
        .or_page(&ctx)?;
    let what = if closed { "closed" } else { "reopened" };
    Ok(Redirect::to(&format!("/waves?{what}={}", pct(&w.id))).into_response())
}

/// `POST /waves/{id}/close`.
pub async fn close(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    set_closed(st, ctx, id, pairs, true).await
}

/// `POST /waves/{id}/reopen`.
pub async fn reopen(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    set_closed(st, ctx, id, pairs, false).await
}

/// `GET /waves/{id}/delete`: asks first, saying what the wave holds (the page works without
/// JavaScript, so no dialog); a wave holding records needs a box ticked to go with them.
pub async fn delete_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> PageResult {
    require_admin(&ctx)?;
    let (w, holds) = held(&st, &ctx, &id).await?;
    let page = WaveDeletePage {
        ctx: &ctx,
        id: w.id,
        name: w.name,
        holds,
        closed: w.closed,
        general: Vec::new(),
    };
    Ok(render(&ctx, &page))
}

/// `POST /waves/{id}/delete` (`force` ticked to delete a wave with its records).
pub async fn delete(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    let caller = require_admin(&ctx)?;
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let force = pick(&pairs, "force").is_some_and(|v| !v.is_empty());
    let (w, holds) = held(&st, &ctx, &id).await?;
    match waves::delete(&st.store, &caller, &id, force).await {
        Ok(_) => Ok(Redirect::to(&format!("/waves?deleted={}", pct(&id))).into_response()),
        Err(e) => {
            let e: ApiError = e.into();
            let page = WaveDeletePage {
                ctx: &ctx,
                id: w.id,
                name: w.name,
                holds,
                closed: w.closed,
                general: vec![e.message(ctx.lang)],
            };
            let mut res = render(&ctx, &page);
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}
