//! The inbox of submissions from ODK Collect (`service::inbox`): a region's list, one
//! submission, accepting, rejecting, editing its answers, and its attachments.

use super::{bad_json, bad_query, check_write};
use crate::service::inbox::{self, AcceptError, Accepted, InboxItem};
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::pages::inbox::{attachment, group_name, region_of, submission_id, target_of};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use wahana_domain::FieldError;
use wahana_store::{InboxCounts, SubmissionRecord};

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// `pending` (the default), `accepted`, `rejected`, `replaced` or `all`.
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub lang: Option<String>,
}

/// One submission of a list, with the group name its answers give.
#[derive(Debug, Serialize)]
pub struct ListItem {
    #[serde(flatten)]
    pub record: SubmissionRecord,
    pub name: String,
}

/// A region's inbox.
#[derive(Debug, Serialize)]
pub struct InboxList {
    pub counts: InboxCounts,
    pub items: Vec<ListItem>,
}

/// `GET /api/v1/regions/{code}/inbox`.
pub async fn list(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<InboxList>> {
    let lang = ctx.lang;
    let Query(q) = q.map_err(bad_query).or_api(lang)?;
    let region = region_of(&code, &ctx).or_api(lang)?;
    let caller = ctx.api_caller();
    if region.is_none() {
        caller.signed_in().or_api(lang)?;
        if !caller.reads_everywhere() {
            return Err(caller.forbidden()).or_api(lang);
        }
    }
    let status = q.status.unwrap_or_else(|| "pending".into());
    if !crate::web::pages::inbox::STATUSES
        .iter()
        .any(|(s, _, _)| *s == status)
    {
        return Err(ApiError::BadRequest(format!(
            "status: {status:?}; expected pending, accepted, rejected, replaced or all"
        )))
        .or_api(lang);
    }
    let limit = q.limit.unwrap_or(100).clamp(1, 500);
    let offset = q.offset.unwrap_or(0).clamp(0, 1_000_000);
    let wanted = (status != "all").then_some(status.as_str());
    let (rows, counts) = inbox::list(&st.store, &caller, region.as_ref(), wanted, limit, offset)
        .await
        .or_api(lang)?;
    let items = rows
        .into_iter()
        .map(|record| ListItem {
            name: group_name(&record),
            record,
        })
        .collect();
    Ok(Json(InboxList { counts, items }))
}

/// `GET /api/v1/submissions/{id}`.
pub async fn show(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> ApiResult<Json<InboxItem>> {
    ctx.api_caller().signed_in().or_api(ctx.lang)?;
    let id = submission_id(&id).or_api(ctx.lang)?;
    Ok(Json(
        inbox::item(&st.store, &ctx.api_caller(), id)
            .await
            .or_api(ctx.lang)?,
    ))
}

/// What accepting asks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// An open wave; the region's latest open wave when absent.
    pub wave: Option<String>,
    /// `as_sent` (the default), `new`, or the id of the group it is an observation of.
    pub target: Option<String>,
}

/// `POST /api/v1/submissions/{id}/accept`: 200 with what it became; 422 with every problem
/// when the import's checks refuse it (nothing written); 409 when it was decided already.
pub async fn accept(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<AcceptBody>, JsonRejection>,
) -> ApiResult<Json<Accepted>> {
    let lang = ctx.lang;
    let caller = ctx.api_caller();
    caller.signed_in().or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let id = submission_id(&id).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    let target = target_of(b.target.as_deref().unwrap_or("as_sent").trim());
    match inbox::accept(&st.store, &caller, id, b.wave.as_deref(), target).await {
        Ok(a) => Ok(Json(a)),
        Err(AcceptError::Service(e)) => Err(e).or_api(lang),
        Err(AcceptError::Refused(report)) => {
            let fields = report
                .problems
                .into_iter()
                .map(|p| FieldError {
                    field: match p.row {
                        Some(r) => format!("{} ({} {r})", p.field, lang.pick("baris", "row")),
                        None => p.field,
                    },
                    value: p.value,
                    expected_id: p.expected_id,
                    expected_en: p.expected_en,
                })
                .collect();
            Err(ApiError::Invalid(fields)).or_api(lang)
        }
    }
}

/// What rejecting asks for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    pub reason: String,
}

/// `POST /api/v1/submissions/{id}/reject`: the reason is required (422 without).
pub async fn reject(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<RejectBody>, JsonRejection>,
) -> ApiResult<Json<SubmissionRecord>> {
    let lang = ctx.lang;
    let caller = ctx.api_caller();
    caller.signed_in().or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let id = submission_id(&id).or_api(lang)?;
    let Json(b) = body.map_err(bad_json).or_api(lang)?;
    Ok(Json(
        inbox::reject(&st.store, &caller, id, &b.reason)
            .await
            .or_api(lang)?,
    ))
}

/// `PUT /api/v1/submissions/{id}/answers`: the officer's edits (field path -> value), replacing
/// earlier ones; values equal to the answer as sent are dropped. Answers with the submission.
pub async fn answers(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Json<BTreeMap<String, String>>, JsonRejection>,
) -> ApiResult<Json<InboxItem>> {
    let lang = ctx.lang;
    let caller = ctx.api_caller();
    caller.signed_in().or_api(lang)?;
    check_write(&ctx, &headers).or_api(lang)?;
    let id = submission_id(&id).or_api(lang)?;
    let Json(edits) = body.map_err(bad_json).or_api(lang)?;
    inbox::edit(&st.store, &caller, id, &edits)
        .await
        .or_api(lang)?;
    Ok(Json(
        inbox::item(&st.store, &caller, id).await.or_api(lang)?,
    ))
}

/// `GET /api/v1/submissions/{id}/files/{name}`: an attachment, for readers of the submission.
pub async fn file(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((id, name)): Path<(String, String)>,
) -> ApiResult<Response> {
    ctx.api_caller().signed_in().or_api(ctx.lang)?;
    let id = submission_id(&id).or_api(ctx.lang)?;
    let (ct, bytes) = inbox::file(&st.store, &ctx.api_caller(), id, &name)
        .await
        .or_api(ctx.lang)?;
    Ok(attachment(&name, &ct, bytes))
}
