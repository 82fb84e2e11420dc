//! The review of proposed links (`/waves/{id}/review`): rows of a re-survey's import that came
//! without an id and look like an earlier group, for an officer of the group's region to accept
//! (the row becomes the earlier group's record in the wave) or reject (it stays a new group).

use super::record::{Pairs, pick};
use super::render;
use crate::service::{self};
use crate::web::errors::{ApiError, OrRender, PageError, PageResult};
use crate::web::{AppState, Ctx, csrf};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use wahana_store::ReviewRecord;

/// One proposed pair as the page shows it.
pub struct PairView {
    pub record: ReviewRecord,
    /// The signed-in user may decide it (an officer or admin of the group's region).
    pub can_decide: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
pub struct ReviewPage<'a> {
    pub ctx: &'a Ctx,
    pub wave: String,
    pub wave_name: String,
    pub pairs: Vec<PairView>,
    pub decided: Vec<ReviewRecord>,
}

/// The pairs of a wave that the user may read: those whose earlier group lies in a region
/// whose records they may read (every pair for an admin).
pub async fn list(State(st): State<AppState>, ctx: Ctx, Path(wave): Path<String>) -> PageResult {
    let caller = ctx.caller();
    let all = service::review::list(&st.store, &caller, &wave, None, true)
        .await
        .or_page(&ctx)?;
    let w = st.store.wave(&wave).await.or_page(&ctx)?.ok_or_else(|| {
        PageError(
            ApiError::NotFound {
                kind: "pendataan",
                id: wave.clone(),
            },
            ctx.clone(),
        )
    })?;
    let (pending, decided): (Vec<ReviewRecord>, Vec<ReviewRecord>) =
        all.into_iter().partition(|r| r.status == "pending");
    let pairs = pending
        .into_iter()
        .map(|record| {
            let can_decide = !w.closed && service::review::may_decide(&caller, &record);
            PairView { record, can_decide }
        })
        .collect();
    let page = ReviewPage {
        ctx: &ctx,
        wave: w.id.clone(),
        wave_name: w.name.clone(),
        pairs,
        decided,
    };
    Ok(render(&ctx, &page))
}

/// Accepts or rejects one pair (`keputusan=terima|tolak`).
pub async fn decide(
    State(st): State<AppState>,
    ctx: Ctx,
    Path((wave, id)): Path<(String, i64)>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    if ctx.user().is_none() {
        return Err(PageError(ApiError::Unauthenticated, ctx.clone()));
    }
    csrf::check(&ctx, pick(&pairs, "_csrf")).or_page(&ctx)?;
    let accept = match pick(&pairs, "keputusan") {
        Some("terima") => true,
        Some("tolak") => false,
        other => {
            return Err(PageError(
                ApiError::BadRequest(format!(
                    "keputusan: {:?}; diharapkan terima atau tolak / expected terima or tolak",
                    other.unwrap_or("")
                )),
                ctx.clone(),
            ));
        }
    };
    service::review::decide(&st.store, &ctx.caller(), &wave, id, accept)
        .await
        .or_page(&ctx)?;
    Ok(Redirect::to(&format!("/waves/{}/review", crate::web::pct(&wave))).into_response())
}
