//! Signing in and out, and the admins' page for adding people.

use super::csrf::{self, PRE_SESSION_COOKIE};
use super::errors::{ApiError, OrRender, PageError, PageResult};
use super::pages::render;
use super::{AppState, ClientAddress, Ctx, SESSION_COOKIE};
use crate::service::users::{self, Role, SignInRefused};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use wahana_store::UserRecord;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage<'a> {
    ctx: &'a Ctx,
    token: String,
    next: String,
    name: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub struct NextQuery {
    pub next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    next.and_then(super::safe_local_path)
        .unwrap_or("/")
        .to_string()
}

pub fn session_cookie(st: &AppState, token: &str, max_age: u64) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if st.secure_cookies { "; Secure" } else { "" }
    )
}

fn sign_in_page(
    st: &AppState,
    ctx: &Ctx,
    next: String,
    name: String,
    error: Option<ApiError>,
) -> Response {
    let token = users::random_token();
    let status = error
        .as_ref()
        .map(ApiError::status)
        .unwrap_or(StatusCode::OK);
    let page = SignInPage {
        ctx,
        token: token.clone(),
        next,
        name,
        error: error.map(|e| e.message(ctx.lang)),
    };
    let mut res = render(ctx, &page);
    *res.status_mut() = status;
    if let Ok(v) = format!(
        "{PRE_SESSION_COOKIE}={token}; Path=/signin; HttpOnly; SameSite=Strict; Max-Age=3600{}",
        if st.secure_cookies { "; Secure" } else { "" }
    )
    .parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

pub async fn signin_form(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> Response {
    sign_in_page(&st, &ctx, safe_next(q.next.as_deref()), String::new(), None)
}

/// Where a person goes after signing in: the page they were sent from, if any; else an
/// officer or enumerator who works in a region (the people who enter its data) lands on that
/// region's page, and everyone else on the national page.
fn landing(next: String, who: &users::Principal) -> String {
    if next != "/" || !matches!(who.role, Role::Officer | Role::Enumerator) {
        return next;
    }
    match &who.region {
        Some(region) => format!("/regions/{region}"),
        None => next,
    }
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    pub name: String,
    pub password: String,
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
    pub next: Option<String>,
}

/// The sign-in form's cookie token, read from the request.
pub struct PreSession(pub Option<String>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PreSession {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PreSession(
            super::cookie(parts, PRE_SESSION_COOKIE).map(str::to_string),
        ))
    }
}

pub async fn signin(
    State(st): State<AppState>,
    ctx: Ctx,
    pre: PreSession,
    address: ClientAddress,
    Form(f): Form<SignInForm>,
) -> PageResult {
    let next = safe_next(f.next.as_deref());
    if let Err(e) = csrf::check_pre_session(pre.0.as_deref(), f.csrf.as_deref()) {
        return Ok(sign_in_page(&st, &ctx, next, f.name, Some(e)));
    }
    match users::sign_in(&st.store, &f.name, &f.password, &address.0)
        .await
        .or_page(&ctx)?
    {
        Ok((token, _csrf, who)) => Ok((
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, landing(next, &who)),
                (
                    header::SET_COOKIE,
                    session_cookie(&st, &token, users::SESSION_LENGTH.as_secs()),
                ),
            ],
        )
            .into_response()),
        Err(SignInRefused::BadCredentials) => Ok(sign_in_page(
            &st,
            &ctx,
            next,
            f.name,
            Some(ApiError::BadCredentials),
        )),
        Err(SignInRefused::TooManyFailures) => Ok(sign_in_page(
            &st,
            &ctx,
            next,
            f.name,
            Some(ApiError::TooManyFailures),
        )),
        Err(SignInRefused::Inactive) => Ok(sign_in_page(
            &st,
            &ctx,
            next,
            f.name,
            Some(ApiError::AccountInactive),
        )),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
}

pub async fn signout(State(st): State<AppState>, ctx: Ctx, Form(f): Form<CsrfOnly>) -> PageResult {
    csrf::check(&ctx, f.csrf.as_deref()).or_page(&ctx)?;
    if let Some(t) = &ctx.token {
        users::sign_out(&st.store, t).await.or_page(&ctx)?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/".to_string()),
            (header::SET_COOKIE, session_cookie(&st, "", 0)),
        ],
    )
        .into_response())
}

/// A person as the admins' page lists them: the role in the page's language.
struct PersonRow {
    name: String,
    role: &'static str,
    region: Option<String>,
    active: bool,
    /// The admin looking at the page (who cannot deactivate themselves).
    is_self: bool,
}

/// What the admins' page says besides the list: the add form's errors and values, the outcome
/// of the last change, and a refusal shown beside the row's field it concerns.
#[derive(Default)]
struct UsersNotice {
    error: Vec<String>,
    added: Option<String>,
    name: String,
    region: String,
    done: Option<String>,
    /// A generated password (name, password), shown this once.
    generated: Option<(String, String)>,
    /// (name, field: `active` or `password`, message).
    row_error: Option<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage<'a> {
    ctx: &'a Ctx,
    users: Vec<PersonRow>,
    roles: Vec<(&'static str, &'static str)>,
    notice: UsersNotice,
}

impl UsersPage<'_> {
    /// The refusal to show beside `field` of `name`'s row.
    fn row_error(&self, name: &str, field: &str) -> Option<&str> {
        match &self.notice.row_error {
            Some((n, f, m)) if n == name && *f == field => Some(m),
            _ => None,
        }
    }
}

fn require_admin(ctx: &Ctx) -> Result<(), PageError> {
    ctx.caller().check_admin().or_page(ctx)
}

async fn users_view(st: &AppState, ctx: &Ctx, notice: UsersNotice) -> PageResult {
    let me = ctx.user().map(|p| p.name.as_str());
    let users = users::list(&st.store, &ctx.caller())
        .await
        .or_page(ctx)?
        .into_iter()
        .map(|u: UserRecord| PersonRow {
            role: Role::parse(&u.role)
                .map(|r| r.label(ctx.lang))
                .unwrap_or("?"),
            is_self: me == Some(u.name.as_str()),
            name: u.name,
            region: u.region_code,
            active: u.active,
        })
        .collect();
    let page = UsersPage {
        ctx,
        users,
        roles: Role::ALL
            .iter()
            .map(|r| (r.code(), r.label(ctx.lang)))
            .collect(),
        notice,
    };
    Ok(render(ctx, &page))
}

pub async fn users_page(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    require_admin(&ctx)?;
    users_view(&st, &ctx, UsersNotice::default()).await
}

#[derive(Debug, Deserialize)]
pub struct AddUserForm {
    pub name: String,
    pub password: String,
    pub role: String,
    pub region: Option<String>,
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
}

/// The messages of a refusal, one per field for invalid input.
fn messages(e: &ApiError, ctx: &Ctx) -> Vec<String> {
    match e {
        ApiError::Invalid(errs) => errs.iter().map(|x| x.message(ctx.lang)).collect(),
        other => vec![other.message(ctx.lang)],
    }
}

pub async fn users_add(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<AddUserForm>,
) -> PageResult {
    require_admin(&ctx)?;
    csrf::check(&ctx, f.csrf.as_deref()).or_page(&ctx)?;
    match users::add(
        &st.store,
        &ctx.caller(),
        &f.name,
        &f.password,
        &f.role,
        f.region.as_deref(),
    )
    .await
    {
        Ok(u) => {
            let notice = UsersNotice {
                added: Some(u.name),
                ..UsersNotice::default()
            };
            users_view(&st, &ctx, notice).await
        }
        Err(e) => {
            let e: ApiError = e.into();
            let notice = UsersNotice {
                error: messages(&e, &ctx),
                name: f.name,
                region: f.region.unwrap_or_default(),
                ..UsersNotice::default()
            };
            let mut res = users_view(&st, &ctx, notice).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

/// A change to one person from their row of the admins' page.
#[derive(Debug, Deserialize)]
pub struct PersonForm {
    pub name: String,
    /// The new password (reset only); empty: generate one.
    pub password: Option<String>,
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
}

/// The page again after a change to `name`: its outcome on success, else the refusal beside
/// the row's `field`, with the refusal's status.
async fn after_change(
    st: &AppState,
    ctx: &Ctx,
    name: String,
    field: &'static str,
    outcome: Result<UsersNotice, crate::service::ServiceError>,
) -> PageResult {
    match outcome {
        Ok(notice) => users_view(st, ctx, notice).await,
        Err(e) => {
            let e: ApiError = e.into();
            let notice = UsersNotice {
                row_error: Some((name, field, messages(&e, ctx).join("; "))),
                ..UsersNotice::default()
            };
            let mut res = users_view(st, ctx, notice).await?;
            *res.status_mut() = e.status();
            Ok(res)
        }
    }
}

/// `POST /admin/users/deactivate`: the person can no longer sign in; their sessions end.
pub async fn users_deactivate(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PersonForm>,
) -> PageResult {
    require_admin(&ctx)?;
    csrf::check(&ctx, f.csrf.as_deref()).or_page(&ctx)?;
    let outcome = users::deactivate(&st.store, &ctx.caller(), &f.name)
        .await
        .map(|u| UsersNotice {
            done: Some(match ctx.lang {
                wahana_domain::Lang::Id => format!(
                    "{} dinonaktifkan: tidak dapat masuk lagi, sesinya diakhiri",
                    u.name
                ),
                wahana_domain::Lang::En => format!(
                    "{} deactivated: they can no longer sign in, their sessions have ended",
                    u.name
                ),
            }),
            ..UsersNotice::default()
        });
    after_change(&st, &ctx, f.name, "active", outcome).await
}

/// `POST /admin/users/activate`: the person signs in again.
pub async fn users_activate(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PersonForm>,
) -> PageResult {
    require_admin(&ctx)?;
    csrf::check(&ctx, f.csrf.as_deref()).or_page(&ctx)?;
    let outcome = users::activate(&st.store, &ctx.caller(), &f.name)
        .await
        .map(|u| UsersNotice {
            done: Some(match ctx.lang {
                wahana_domain::Lang::Id => format!("{} diaktifkan kembali", u.name),
                wahana_domain::Lang::En => format!("{} reactivated", u.name),
            }),
            ..UsersNotice::default()
        });
    after_change(&st, &ctx, f.name, "active", outcome).await
}

/// `POST /admin/users/password`: a new password (typed, or generated when left empty and
/// shown once); the person's sessions end.
pub async fn users_password(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PersonForm>,
) -> PageResult {
    require_admin(&ctx)?;
    csrf::check(&ctx, f.csrf.as_deref()).or_page(&ctx)?;
    let typed = f.password.as_deref().filter(|p| !p.is_empty());
    let outcome = users::reset_password(&st.store, &ctx.caller(), &f.name, typed)
        .await
        .map(|r| UsersNotice {
            done: Some(match ctx.lang {
                wahana_domain::Lang::Id => format!(
                    "kata sandi {} diganti; sesinya diakhiri, juga ODK Collect memakai kata sandi baru",
                    r.user.name
                ),
                wahana_domain::Lang::En => format!(
                    "{}'s password was changed; their sessions have ended, and ODK Collect takes the new password too",
                    r.user.name
                ),
            }),
            generated: r.generated.map(|p| (r.user.name.clone(), p)),
            ..UsersNotice::default()
        });
    after_change(&st, &ctx, f.name, "password", outcome).await
}
