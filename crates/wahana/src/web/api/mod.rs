//! The JSON API under `/api/v1/`, and its OpenAPI 3.1 document at `/api/openapi.json`.
//!
//! Signed-in browsers use their session cookie and send the session's CSRF token in
//! `X-CSRF-Token` on writes; other clients sign in at `POST /api/v1/session` and send
//! `Authorization: Bearer TOKEN` (no CSRF token needed: nothing ambient is carried).

pub mod actors;
pub mod audit;
pub mod compare;
pub mod groups;
pub mod inbox;
pub mod network;
pub mod openapi;
pub mod regions;
pub mod session;
pub mod transfer;
pub mod users;
pub mod waves;

use super::errors::ApiError;
use super::{AppState, Ctx};
use axum::Router;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use wahana_domain::{Institution, Network};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi::document))
        .route(
            "/api/v1/session",
            post(session::create)
                .delete(session::delete)
                .get(session::show),
        )
        .route("/api/v1/waves", get(waves::list).post(waves::create))
        .route(
            "/api/v1/waves/{id}",
            get(waves::show).patch(waves::update).delete(waves::delete),
        )
        .route("/api/v1/regions", get(regions::provinces))
        .route("/api/v1/regions/{code}", get(regions::region))
        .route("/api/v1/regions/{code}/profile", get(regions::profile))
        .route("/api/v1/regions/{code}/map.svg", get(regions::map_svg))
        .route(
            "/api/v1/regions/{code}/measures.geojson",
            get(regions::measures_geojson),
        )
        .route("/api/v1/regions/{code}/compare", get(compare::compare))
        .route("/api/v1/regions/{code}/screening", get(regions::screening))
        .route("/api/v1/regions/{code}/network", get(network::network))
        .route(
            "/api/v1/regions/{code}/networks",
            get(regions::actors::<Network>),
        )
        .route(
            "/api/v1/regions/{code}/institutions",
            get(regions::actors::<Institution>),
        )
        .route("/api/v1/regions/{code}/ties", get(regions::ties))
        .route("/api/v1/regions/{code}/export", get(transfer::export))
        .route("/api/v1/template", get(transfer::template))
        .route("/api/v1/regions/{code}/inbox", get(inbox::list))
        .route("/api/v1/submissions/{id}", get(inbox::show))
        .route("/api/v1/submissions/{id}/accept", post(inbox::accept))
        .route("/api/v1/submissions/{id}/reject", post(inbox::reject))
        .route(
            "/api/v1/submissions/{id}/answers",
            axum::routing::put(inbox::answers),
        )
        .route("/api/v1/submissions/{id}/files/{name}", get(inbox::file))
        .route("/api/v1/groups", get(groups::list).post(groups::create))
        .route(
            "/api/v1/groups/{id}",
            get(groups::show)
                .patch(groups::update)
                .delete(groups::delete),
        )
        .route("/api/v1/groups/{id}/audit", get(groups::audit))
        .route("/api/v1/audit/{id}", get(audit::entry))
        .route("/api/v1/audit/{id}/restore", post(audit::restore))
        .route(
            "/api/v1/groups/{id}/members",
            get(groups::members).post(groups::add_member),
        )
        .route(
            "/api/v1/groups/{id}/members/{member}",
            axum::routing::delete(groups::delete_member),
        )
        .route("/api/v1/networks", post(actors::create::<Network>))
        .route(
            "/api/v1/networks/{id}",
            axum::routing::patch(actors::update::<Network>).delete(actors::delete::<Network>),
        )
        .route("/api/v1/institutions", post(actors::create::<Institution>))
        .route(
            "/api/v1/institutions/{id}",
            axum::routing::patch(actors::update::<Institution>)
                .delete(actors::delete::<Institution>),
        )
        .route("/api/v1/ties", post(actors::create_tie))
        .route(
            "/api/v1/ties/{id}",
            axum::routing::delete(actors::delete_tie),
        )
        .route("/api/v1/users/{name}/deactivate", post(users::deactivate))
        .route("/api/v1/users/{name}/activate", post(users::activate))
        .route("/api/v1/users/{name}/password", post(users::password))
        .route(
            "/api/v1/import",
            post(groups::import).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::pages::import::UPLOAD_LIMIT,
            )),
        )
}

/// A query string that did not parse: 400 with the reason.
pub fn bad_query(e: QueryRejection) -> ApiError {
    ApiError::BadRequest(e.body_text())
}

/// A JSON body that did not parse: 400 with the reason.
pub fn bad_json(e: JsonRejection) -> ApiError {
    ApiError::BadRequest(e.body_text())
}

/// The signed-in person, or 401.
pub fn signed_in(ctx: &Ctx) -> Result<&crate::service::users::Principal, ApiError> {
    ctx.user().ok_or(ApiError::Unauthenticated)
}

/// Checks a write's CSRF header (cookie sessions only).
pub fn check_write(ctx: &Ctx, headers: &HeaderMap) -> Result<(), ApiError> {
    super::csrf::check_api(
        ctx,
        headers.get("x-csrf-token").and_then(|v| v.to_str().ok()),
    )
}
