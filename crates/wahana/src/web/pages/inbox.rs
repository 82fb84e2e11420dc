//! The inbox of submissions sent from ODK Collect (`service::inbox`): a region's list
//! (`/regions/{code}/inbox`), one submission (`/inbox/{id}`) with its accept, edit and reject
//! forms, its attachments (`/inbox/{id}/files/{name}`), and the admins' switch that lets a
//! wave accept clean, unmatched submissions by itself.

use super::record::{Pairs, pick};
use super::{Pager, render};
use crate::service::inbox::{self, AcceptError, InboxItem, Target};
use crate::service::odk::parse_submission;
use crate::service::users::Write;
use crate::web::errors::{ApiError, OrRender, PageError, PageResult};
use crate::web::{AppState, Ctx, csrf, pct};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use wahana_domain::{Code, Lang, RegionCode, RegionTree};
use wahana_store::{InboxCounts, SubmissionRecord};

/// Submissions a page of the inbox lists.
pub const PAGE_SIZE: i64 = 50;

/// The statuses a list can show, in the tabs' order, each with its labels.
pub const STATUSES: [(&str, &str, &str); 5] = [
    ("pending", "Menunggu", "Pending"),
    ("accepted", "Diterima", "Accepted"),
    ("rejected", "Ditolak", "Rejected"),
    ("replaced", "Diganti", "Replaced"),
    ("all", "Semua", "All"),
];

/// A status's label in `lang`.
pub fn status_label(status: &str, lang: Lang) -> &'static str {
    STATUSES
        .iter()
        .find(|(s, _, _)| *s == status)
        .map(|(_, id, en)| lang.pick(id, en))
        .unwrap_or("?")
}

/// The region of an inbox's path: a region code, or `nasional` for the whole country (admins).
pub fn region_of(code: &str, ctx: &Ctx) -> Result<Option<RegionCode>, ApiError> {
    if matches!(code, "nasional" | "national" | "indonesia") {
        return Ok(None);
    }
    RegionTree::official()
        .resolve(code)
        .map(|r| Some(r.code.clone()))
        .map_err(|_| ApiError::NotFound {
            kind: ctx.t("wilayah", "region"),
            id: code.to_string(),
        })
}

/// A submission's number from a path: a number, else not found.
pub fn submission_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>().map_err(|_| ApiError::NotFound {
        kind: "kiriman",
        id: text.to_string(),
    })
}

/// The village's name of a code, with the code when the tree does not hold it.
fn village_name(code: Option<&str>) -> String {
    code.and_then(|c| RegionCode::parse(c).ok())
        .and_then(|c| RegionTree::official().get(&c).map(|r| r.name.clone()))
        .or_else(|| code.map(str::to_string))
        .unwrap_or_default()
}

/// The name of the group a submission's answers give (the officer's edit first).
pub fn group_name(r: &SubmissionRecord) -> String {
    let Ok(a) = parse_submission(&r.xml) else {
        return String::new();
    };
    let edited: BTreeMap<String, String> = r
        .edited
        .as_deref()
        .and_then(|e| serde_json::from_str(e).ok())
        .unwrap_or_default();
    a.fields
        .iter()
        .find(|(p, _)| p.rsplit('/').next() == Some("nama"))
        .map(|(p, v)| edited.get(p).unwrap_or(v).clone())
        .unwrap_or_default()
}

/// One line of the list.
pub struct Line {
    pub id: i64,
    pub received_at: String,
    pub village: String,
    pub name: String,
    pub sender: String,
    pub status: String,
    pub status_label: &'static str,
}

/// A tab of the list: a status, its count and its link.
pub struct Tab {
    pub status: &'static str,
    pub label: &'static str,
    pub count: i64,
    pub current: bool,
}

/// A wave's automatic acceptance, as the admins' form shows it.
pub struct AutoWave {
    pub id: String,
    pub name: String,
    pub on: bool,
}

#[derive(Template)]
#[template(path = "inbox.html")]
pub struct InboxPage<'a> {
    pub ctx: &'a Ctx,
    /// The path's region (`nasional` for the whole country).
    pub code: String,
    pub title: String,
    pub status: String,
    pub tabs: Vec<Tab>,
    pub lines: Vec<Line>,
    pub pager: Option<Pager>,
    /// Open waves and whether each accepts clean submissions by itself (admins only).
    pub auto: Vec<AutoWave>,
    pub notice: Option<String>,
}

fn count_of(c: &InboxCounts, status: &str) -> i64 {
    match status {
        "pending" => c.pending,
        "accepted" => c.accepted,
        "rejected" => c.rejected,
        "replaced" => c.replaced,
        _ => c.pending + c.accepted + c.rejected + c.replaced,
    }
}

/// `GET /regions/{code}/inbox?status=…&offset=…`: a region's submissions, by status.
pub async fn list(State(st): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> PageResult {
    let region = region_of(&code, &ctx).or_page(&ctx)?;
    let status = ctx.query("status").unwrap_or_else(|| "pending".into());
    if !STATUSES.iter().any(|(s, _, _)| *s == status) {
        return Err(PageError(
            ApiError::BadRequest(format!(
                "status: {status:?}; diharapkan pending, accepted, rejected, replaced atau all / expected pending, accepted, rejected, replaced or all"
            )),
            ctx.clone(),
        ));
    }
    // `offset=` as the pager writes it, or `page=` (from 1).
    let offset = ctx
        .query("offset")
        .and_then(|o| o.parse::<i64>().ok())
        .or_else(|| {
            ctx.query("page")
                .and_then(|p| p.parse::<i64>().ok())
                .map(|p| (p.max(1) - 1).saturating_mul(PAGE_SIZE))
        })
        .unwrap_or(0)
        .clamp(0, 1_000_000);
    let caller = ctx.caller();
    if region.is_none() {
        // The whole country's inbox is the admins' (a person with a region reads theirs).
        caller.signed_in().or_page(&ctx)?;
        if !caller.reads_everywhere() {
            return Err(PageError(caller.forbidden().into(), ctx.clone()));
        }
    }
    let wanted = (status != "all").then_some(status.as_str());
    let (rows, counts) = inbox::list(
        &st.store,
        &caller,
        region.as_ref(),
        wanted,
        PAGE_SIZE,
        offset,
    )
    .await
    .or_page(&ctx)?;
    let lang = ctx.lang;
    let lines = rows
        .iter()
        .map(|r| Line {
            id: r.id,
            received_at: r.received_at.clone(),
            village: village_name(r.village_code.as_deref()),
            name: group_name(r),
            sender: r.submitted_by.clone(),
            status: r.status.clone(),
            status_label: status_label(&r.status, lang),
        })
        .collect();
    let tabs = STATUSES
        .iter()
        .map(|(s, id, en)| Tab {
            status: s,
            label: lang.pick(id, en),
            count: count_of(&counts, s),
            current: *s == status,
        })
        .collect();
    let total = count_of(&counts, &status);
    let title = match &region {
        Some(r) => RegionTree::official()
            .get(r)
            .map(|x| x.titled(lang))
            .unwrap_or_else(|| r.to_string()),
        None => "Indonesia".into(),
    };
    let auto = if caller.check_admin().is_ok() {
        let mut out = Vec::new();
        for w in st.store.waves_latest_first().await.or_page(&ctx)? {
            if w.closed {
                continue;
            }
            let on = st.store.wave_auto_accept(&w.id).await.or_page(&ctx)?;
            out.push(AutoWave {
                id: w.id,
                name: w.name,
                on,
            });
        }
        out
    } else {
        Vec::new()
    };
    let page = InboxPage {
        ctx: &ctx,
        code: code.clone(),
        title,
        tabs,
        lines,
        pager: (total > PAGE_SIZE).then(|| Pager {
            offset,
            limit: PAGE_SIZE,
            total,
            base: format!("/regions/{}/inbox?status={status}&", pct(&code)),
        }),
        status,
        auto,
        notice: ctx.query("auto").map(|w| {
            format!(
                "{}: {w}",
                ctx.t("Penerimaan otomatis diubah", "Automatic acceptance changed")
            )
        }),
    };
    Ok(render(&ctx, &page))
}

/// `POST /inbox/auto-accept` (admins): `wave`, `on=1|0`, `back` (the inbox to return to).
pub async fn auto_accept(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    if ctx.user().is_none() {
        return Err(PageError(ApiError::Unauthenticated, ctx.clone()));
    }
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let wave = pick(&pairs, "wave").unwrap_or("").to_string();
    let on = pick(&pairs, "on") == Some("1");
    inbox::set_auto_accept(&st.store, &ctx.caller(), &wave, on)
        .await
        .or_page(&ctx)?;
    let back = pick(&pairs, "back")
        .and_then(crate::web::safe_local_path)
        .unwrap_or("/")
        .to_string();
    let sep = if back.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{back}{sep}auto={}", pct(&wave))).into_response())
}

/// One answer as the page shows it.
pub struct AnswerView {
    pub path: String,
    pub value: String,
    pub edited: Option<String>,
    /// What the edit form holds.
    pub current: String,
}

/// One reason of the screening, in the page's language.
pub struct ReasonView {
    pub criterion: String,
    pub passed: Option<bool>,
    pub message: String,
}

/// A likely match as the page shows it.
pub struct MatchView {
    pub id: String,
    pub name: String,
    pub wave: String,
    pub percent: String,
}

/// An attachment's link.
pub struct FileView {
    pub name: String,
    pub href: String,
    pub content_type: String,
    pub size: i64,
    pub image: bool,
}

/// A choice of wave in the accept form.
pub struct WaveChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// A problem of a refused acceptance, in the page's language.
pub struct ProblemView {
    pub row: String,
    pub field: String,
    pub value: String,
    pub expected: String,
}

#[derive(Template)]
#[template(path = "submission.html")]
pub struct SubmissionPage<'a> {
    pub ctx: &'a Ctx,
    pub id: i64,
    pub item: InboxItem,
    pub status_label: &'static str,
    pub village: String,
    pub name: String,
    /// The region whose inbox lists it.
    pub inbox: String,
    pub answers: Vec<AnswerView>,
    pub problems: Vec<String>,
    pub outcome: Option<String>,
    pub reasons: Vec<ReasonView>,
    pub matches: Vec<MatchView>,
    pub files: Vec<FileView>,
    /// Pending, and the user may decide it.
    pub can_decide: bool,
    pub waves: Vec<WaveChoice>,
    /// The target chosen by default: `as_sent`, `new` or a group id.
    pub target: String,
    pub reason: String,
    pub reason_error: Option<String>,
    pub refused: Vec<ProblemView>,
    pub notice: Option<String>,
}

/// What a page shows besides the submission: a form's error or a notice.
#[derive(Default)]
struct Extra {
    reason: String,
    reason_error: Option<String>,
    refused: Vec<ProblemView>,
    wave: Option<String>,
    target: Option<String>,
}

async fn submission_page(
    st: &AppState,
    ctx: &Ctx,
    id: i64,
    extra: Extra,
    status: StatusCode,
) -> PageResult {
    let caller = ctx.caller();
    let item = inbox::item(&st.store, &caller, id).await.or_page(ctx)?;
    let lang = ctx.lang;
    let place = RegionCode::parse(item.record.place()).ok();
    let can_decide = item.record.status == "pending"
        && place
            .as_ref()
            .is_some_and(|p| caller.writes(Write::CreateGroup, p));
    let mut waves = Vec::new();
    if can_decide {
        let default = match &extra.wave {
            Some(w) => Some(w.clone()),
            None => st
                .store
                .latest_open_wave(place.as_ref())
                .await
                .or_page(ctx)?
                .map(|w| w.id),
        };
        for w in st.store.waves_latest_first().await.or_page(ctx)? {
            if w.closed {
                continue;
            }
            waves.push(WaveChoice {
                selected: default.as_deref() == Some(w.id.as_str()),
                id: w.id,
                name: w.name,
            });
        }
    }
    let target = extra.target.clone().unwrap_or_else(|| {
        if item.names_group.is_some() {
            "as_sent".into()
        } else {
            "new".into()
        }
    });
    let answers = item
        .answers
        .iter()
        .map(|a| AnswerView {
            path: a.path.clone(),
            value: a.value.clone(),
            edited: a.edited.clone(),
            current: a.current().to_string(),
        })
        .collect();
    let problems = item.problems.iter().map(|p| p.message(lang)).collect();
    let (outcome, reasons) = match &item.screening {
        Some(s) => (
            Some(s.outcome.label(lang).to_string()),
            s.reasons
                .iter()
                .map(|r| ReasonView {
                    criterion: r.criterion.clone(),
                    passed: r.passed,
                    message: r.message(lang).to_string(),
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let matches = item
        .matches
        .iter()
        .map(|m| MatchView {
            id: m.id.clone(),
            name: m.name.clone(),
            wave: m.wave_id.clone(),
            percent: format!("{:.0}%", m.score * 100.0),
        })
        .collect();
    let files = item
        .record
        .files
        .iter()
        .map(|f| FileView {
            href: format!("/inbox/{id}/files/{}", pct(&f.name)),
            name: f.name.clone(),
            content_type: f.content_type.clone(),
            size: f.size,
            image: f.content_type.starts_with("image/"),
        })
        .collect();
    let inbox = item
        .record
        .village_code
        .as_deref()
        .and_then(|v| RegionCode::parse(v).ok())
        .and_then(|v| v.ancestors().last().cloned())
        .map(|d| d.to_string())
        .unwrap_or_else(|| item.record.region_code.clone());
    let notice = match (item.record.status.as_str(), &item.record.group_id) {
        ("accepted", Some(g)) if ctx.query("accepted").is_some() => Some(format!(
            "{} {g}",
            ctx.t("Diterima sebagai kelompok", "Accepted as group")
        )),
        ("rejected", _) if ctx.query("rejected").is_some() => Some(
            ctx.t("Kiriman ditolak.", "The submission was rejected.")
                .into(),
        ),
        ("pending", _) if ctx.query("edited").is_some() => {
            Some(ctx.t("Suntingan disimpan.", "The edits were saved.").into())
        }
        _ => None,
    };
    let page = SubmissionPage {
        ctx,
        id,
        status_label: status_label(&item.record.status, lang),
        village: village_name(item.record.village_code.as_deref()),
        name: item
            .answers
            .iter()
            .find(|a| a.path.rsplit('/').next() == Some("nama"))
            .map(|a| a.current().to_string())
            .unwrap_or_default(),
        inbox,
        answers,
        problems,
        outcome,
        reasons,
        matches,
        files,
        can_decide,
        waves,
        target,
        reason: extra.reason,
        reason_error: extra.reason_error,
        refused: extra.refused,
        notice,
        item,
    };
    let mut res = render(ctx, &page);
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /inbox/{id}`: one submission.
pub async fn show(State(st): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> PageResult {
    let id = submission_id(&id).or_page(&ctx)?;
    submission_page(&st, &ctx, id, Extra::default(), StatusCode::OK).await
}

/// A form's CSRF token and a signed-in user, checked first.
fn form_checks(ctx: &Ctx, pairs: &Pairs) -> Result<(), PageError> {
    if ctx.user().is_none() {
        return Err(PageError(ApiError::Unauthenticated, ctx.clone()));
    }
    csrf::check(ctx, pick(pairs, "_csrf")).or_page(ctx)
}

/// `POST /inbox/{id}/accept`: `wave`, `target` (`as_sent`, `new` or a group id).
pub async fn accept(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    form_checks(&ctx, &pairs)?;
    let id = submission_id(&id).or_page(&ctx)?;
    let wave = pick(&pairs, "wave")
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string);
    let target_text = pick(&pairs, "target")
        .unwrap_or("as_sent")
        .trim()
        .to_string();
    let target = target_of(&target_text);
    match inbox::accept(&st.store, &ctx.caller(), id, wave.as_deref(), target).await {
        Ok(_) => Ok(Redirect::to(&format!("/inbox/{id}?accepted=1")).into_response()),
        Err(AcceptError::Service(e)) => Err(PageError(e.into(), ctx.clone())),
        Err(AcceptError::Refused(report)) => {
            let lang = ctx.lang;
            let refused = report
                .problems
                .iter()
                .map(|p| ProblemView {
                    row: p.row.map(|r| r.to_string()).unwrap_or_default(),
                    field: p.field.clone(),
                    value: p.value.clone(),
                    expected: lang.pick(&p.expected_id, &p.expected_en).to_string(),
                })
                .collect();
            let extra = Extra {
                refused,
                wave,
                target: Some(target_text),
                ..Extra::default()
            };
            submission_page(&st, &ctx, id, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The target a form or the API names.
pub fn target_of(text: &str) -> Target {
    match text {
        "" | "as_sent" => Target::AsSent,
        "new" => Target::New,
        g => Target::Group(g.to_string()),
    }
}

/// `POST /inbox/{id}/reject`: `alasan` (required).
pub async fn reject(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    form_checks(&ctx, &pairs)?;
    let id = submission_id(&id).or_page(&ctx)?;
    let reason = pick(&pairs, "alasan").unwrap_or("").to_string();
    match inbox::reject(&st.store, &ctx.caller(), id, &reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/inbox/{id}?rejected=1")).into_response()),
        Err(crate::service::ServiceError::Invalid(errors))
            if errors.iter().any(|e| e.field == "alasan") =>
        {
            let extra = Extra {
                reason,
                reason_error: errors.first().map(|e| e.message(ctx.lang)),
                ..Extra::default()
            };
            submission_page(&st, &ctx, id, extra, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(PageError(e.into(), ctx.clone())),
    }
}

/// `POST /inbox/{id}/edit`: `a:PATH=value` for every answer; only changed values are kept.
pub async fn edit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    form_checks(&ctx, &pairs)?;
    let id = submission_id(&id).or_page(&ctx)?;
    let edits: BTreeMap<String, String> = pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("a:")
                .map(|p| (p.to_string(), v.trim().to_string()))
        })
        .collect();
    inbox::edit(&st.store, &ctx.caller(), id, &edits)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/inbox/{id}?edited=1")).into_response())
}

/// An attachment as a response: its type, inline, with its file name.
pub fn attachment(name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ct = HeaderValue::from_str(content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    // Only a plain name goes in the header; anything else is percent-encoded (RFC 6266).
    let plain: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .collect();
    let disposition = format!(
        "inline; filename=\"{plain}\"; filename*=UTF-8''{}",
        pct(name)
    );
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, ct);
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    res
}

/// `GET /inbox/{id}/files/{name}`: an attachment, for readers of the submission.
pub async fn file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, name)): Path<(String, String)>,
) -> PageResult {
    let id = submission_id(&id).or_page(&ctx)?;
    let (ct, bytes) = inbox::file(&st.store, &ctx.caller(), id, &name)
        .await
        .or_page(&ctx)?;
    Ok(attachment(&name, &ct, bytes))
}

/// How many submissions wait in `region`'s inbox, for a person who may see it (`None`
/// otherwise, or when none waits).
pub async fn pending_in(st: &AppState, ctx: &Ctx, region: &RegionCode) -> Option<i64> {
    let caller = ctx.caller();
    if ctx.user().is_none() || caller.check_officer().is_err() || !caller.reads_records(region) {
        return None;
    }
    let n = st.store.inbox_counts(Some(region)).await.ok()?.pending;
    (n > 0).then_some(n)
}
