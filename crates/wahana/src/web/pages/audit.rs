//! One entry of the audit trail (`/audit/{id}`): what changed, who, when; an import's report
//! (its file and counts); and for the delete of a record, "Pulihkan" (restore), which writes the
//! record back as it was (`POST /audit/{id}/restore`, [`crate::service::audit::restore`]).

use super::render;
use crate::service::audit;
use crate::web::errors::{ApiError, OrRender, PageResult};
use crate::web::{AppState, Ctx, csrf, pct};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use wahana_store::{ActorKind, AuditEntry};

/// The page of a record of `kind` (as the trail names it) with `id`, if it has one.
pub fn record_link(kind: &str, id: &str) -> Option<String> {
    let path = match kind {
        "kelompok" => "groups",
        "wahana" => "networks",
        "lembaga" => "institutions",
        _ => return None,
    };
    Some(format!("/{path}/{}", pct(id)))
}

fn actor_page(kind: ActorKind, id: &str) -> String {
    let path = match kind {
        ActorKind::Group => "groups",
        ActorKind::Network => "networks",
        ActorKind::Institution => "institutions",
    };
    format!("/{path}/{}", pct(id))
}

#[derive(Template)]
#[template(path = "audit_entry.html")]
pub struct EntryPage<'a> {
    pub ctx: &'a Ctx,
    pub e: AuditEntry,
    pub action: String,
    /// The record's page, when it has one.
    pub link: Option<String>,
    /// An import's report, as (label, value) lines.
    pub import: Vec<(&'static str, String)>,
    /// The entry is the delete of a record held whole in it.
    pub restorable: bool,
    /// The caller may restore it (else `why_not` says why).
    pub can_restore: bool,
    pub why_not: Option<String>,
}

/// An import's report lines from its entry's JSON.
fn import_lines(e: &AuditEntry, ctx: &Ctx) -> Vec<(&'static str, String)> {
    let Some(v) = e
        .after
        .as_deref()
        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
    else {
        return Vec::new();
    };
    let text = |k: &str| match v.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    [
        (ctx.t("Berkas", "File"), "file"),
        (ctx.t("Tabel", "Table"), "table"),
        (ctx.t("Pendataan", "Wave"), "wave"),
        (ctx.t("Baris dibaca", "Rows read"), "rows"),
        (ctx.t("Baris ditulis", "Rows written"), "written"),
        (ctx.t("Baru", "Created"), "created"),
        (ctx.t("Diperbarui", "Updated"), "updated"),
        (ctx.t("Ditolak", "Rejected"), "rejected"),
        (ctx.t("ID impor", "Import id"), "import_id"),
    ]
    .into_iter()
    .map(|(label, key)| (label, text(key)))
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

/// One entry of the trail, for officers and admins who may read its region's records.
pub async fn entry(State(st): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> PageResult {
    let caller = ctx.caller();
    let e = audit::entry(&st.store, &caller, id).await.or_page(&ctx)?;
    let (restorable, can_restore, why_not) = match audit::may_restore(&st.store, &caller, &e).await
    {
        None => (false, false, None),
        Some(Ok(())) => (true, true, None),
        Some(Err(why)) => (true, false, Some(ApiError::from(why).message(ctx.lang))),
    };
    let page = EntryPage {
        action: ctx.audit_change(&e.action, &e.entity_kind),
        link: record_link(&e.entity_kind, &e.entity_id),
        import: if e.entity_kind == "impor" {
            import_lines(&e, &ctx)
        } else {
            Vec::new()
        },
        restorable,
        can_restore,
        why_not,
        ctx: &ctx,
        e,
    };
    Ok(render(&ctx, &page))
}

/// Restores the record a delete entry holds, then shows it (a tie's first end, a member's
/// group); a refusal is shown on an error page with its reason.
pub async fn restore(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(pairs): Form<super::record::Pairs>,
) -> PageResult {
    csrf::check(&ctx, super::record::pick(&pairs, "_csrf")).or_page(&ctx)?;
    let done = audit::restore(&st.store, &ctx.caller(), id)
        .await
        .or_page(&ctx)?;
    let to = match (&done.owner, record_link(done.kind, &done.id)) {
        (Some((kind, owner)), _) if done.kind == "anggota" => {
            format!("{}#anggota", actor_page(*kind, owner))
        }
        (Some((kind, owner)), _) => actor_page(*kind, owner),
        (None, Some(page)) => page,
        (None, None) => format!("/audit/{id}"),
    };
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response())
}
