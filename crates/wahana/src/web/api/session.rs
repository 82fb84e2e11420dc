//! Signing in and out through the API.

use super::bad_json;
use crate::service::users::{self, Principal, SignInRefused};
use crate::web::auth::session_cookie;
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::{AppState, ClientAddress, Ctx};
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct Person {
    pub name: String,
    pub role: &'static str,
    pub region: Option<String>,
}

impl Person {
    pub fn of(p: &Principal) -> Person {
        Person {
            name: p.name.clone(),
            role: p.role.code(),
            region: p.region.as_ref().map(|r| r.to_string()),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Session {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    /// For cookie sessions: send as `X-CSRF-Token` on writes.
    pub csrf_token: String,
    pub user: Person,
}

pub async fn create(
    State(st): State<AppState>,
    ctx: Ctx,
    address: ClientAddress,
    body: Result<Json<SignIn>, JsonRejection>,
) -> ApiResult<Response> {
    let Json(b) = body.map_err(bad_json).or_api(ctx.lang)?;
    match users::sign_in(&st.store, &b.name, &b.password, &address.0)
        .await
        .or_api(ctx.lang)?
    {
        Ok((token, csrf, who)) => {
            let cookie = session_cookie(&st, &token, users::SESSION_LENGTH.as_secs());
            Ok((
                StatusCode::OK,
                [(header::SET_COOKIE, cookie)],
                Json(Session {
                    token,
                    csrf_token: csrf,
                    user: Person::of(&who),
                }),
            )
                .into_response())
        }
        Err(SignInRefused::BadCredentials) => Err(ApiError::BadCredentials).or_api(ctx.lang),
        Err(SignInRefused::TooManyFailures) => Err(ApiError::TooManyFailures).or_api(ctx.lang),
        Err(SignInRefused::Inactive) => Err(ApiError::AccountInactive).or_api(ctx.lang),
    }
}

pub async fn show(ctx: Ctx) -> ApiResult<Json<Person>> {
    let p = super::signed_in(&ctx).or_api(ctx.lang)?;
    Ok(Json(Person::of(p)))
}

pub async fn delete(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> ApiResult<Response> {
    super::signed_in(&ctx).or_api(ctx.lang)?;
    super::check_write(&ctx, &headers).or_api(ctx.lang)?;
    if let Some(t) = &ctx.token {
        users::sign_out(&st.store, t).await.or_api(ctx.lang)?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, session_cookie(&st, "", 0))],
    )
        .into_response())
}
