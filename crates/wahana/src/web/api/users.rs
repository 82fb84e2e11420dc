//! People through the API: admins deactivate, reactivate and set passwords
//! (`service::users`, each change in the audit trail).

use super::{bad_json, check_write};
use crate::service::caller::Caller;
use crate::service::users::{self, Role};
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};
use wahana_domain::Lang;
use wahana_store::UserRecord;

/// A person as the API gives them (never a password or its hashes).
#[derive(Debug, Serialize)]
pub struct UserView {
    pub name: String,
    /// `admin`, `officer`, `enumerator` or `viewer`.
    pub role: String,
    /// The role in the caller's language.
    pub role_label: &'static str,
    /// `null`: the whole country.
    pub region: Option<String>,
    pub active: bool,
    pub created_at: String,
}

impl UserView {
    pub fn of(u: &UserRecord, lang: Lang) -> UserView {
        UserView {
            name: u.name.clone(),
            role: u.role.clone(),
            role_label: Role::parse(&u.role).map(|r| r.label(lang)).unwrap_or(""),
            region: u.region_code.clone(),
            active: u.active,
            created_at: u.created_at.clone(),
        }
    }
}

/// A new password: `{"password": "..."}`, or `{}` to have one generated.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    pub password: Option<String>,
}

/// The person after a password change, with the generated password (given this once).
#[derive(Debug, Serialize)]
pub struct PasswordSet {
    pub user: UserView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// Admins only: 401 signed out, 403 for every other role or a missing CSRF token (checked
/// before the body is read; the use cases check again).
fn admin(ctx: &Ctx, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let caller = ctx.api_caller();
    caller.signed_in()?;
    caller.check_admin()?;
    check_write(ctx, headers)?;
    Ok(caller)
}

/// `POST /api/v1/users/{name}/deactivate`.
pub async fn deactivate(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Json<UserView>> {
    let caller = admin(&ctx, &headers).or_api(ctx.lang)?;
    let u = users::deactivate(&st.store, &caller, &name)
        .await
        .or_api(ctx.lang)?;
    Ok(Json(UserView::of(&u, ctx.lang)))
}

/// `POST /api/v1/users/{name}/activate`.
pub async fn activate(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Json<UserView>> {
    let caller = admin(&ctx, &headers).or_api(ctx.lang)?;
    let u = users::activate(&st.store, &caller, &name)
        .await
        .or_api(ctx.lang)?;
    Ok(Json(UserView::of(&u, ctx.lang)))
}

/// `POST /api/v1/users/{name}/password`.
pub async fn password(
    State(st): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Result<Json<NewPassword>, JsonRejection>,
) -> ApiResult<Json<PasswordSet>> {
    let caller = admin(&ctx, &headers).or_api(ctx.lang)?;
    let Json(b) = body.map_err(bad_json).or_api(ctx.lang)?;
    let r = users::reset_password(&st.store, &caller, &name, b.password.as_deref())
        .await
        .or_api(ctx.lang)?;
    Ok(Json(PasswordSet {
        user: UserView::of(&r.user, ctx.lang),
        password: r.generated,
    }))
}
