//! The web application and the JSON API: server-rendered pages (askama), Bahasa Indonesia by
//! default with an English switch, usable without JavaScript; the API under `/api/v1/`.
//!
//! Thin like `cli/`: parse the request, say who the caller is (`Ctx::caller`), call a
//! `service::` function (which checks what the caller may do), render. Static assets are
//! compiled into the binary.

// A page's error carries the request's context to render itself; errors are the rare path, so
// its size does not matter.
#![allow(clippy::result_large_err)]

pub mod api;
pub mod auth;
pub mod cache;
pub mod csrf;
pub mod errors;
pub mod limits;
pub mod metrics;
pub mod openrosa;
pub mod ops;
pub mod pages;
pub mod pdf;
pub mod replica;
pub mod tls;

use crate::service::users::{self, Principal};
use axum::Router;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::sync::Arc;
use wahana_domain::Lang;
use wahana_domain::{Institution, Network};
use wahana_store::Store;

/// How a server is set up: what `wahana serve`'s flags and its machine decide.
pub struct Options {
    /// Mark cookies `Secure` (the default; off only for a plain-HTTP LAN, `--http-cookies`).
    pub secure_cookies: bool,
    /// The headless browser that prints the profile report to PDF, when one is installed
    /// (`pdf::find_browser`); without one the PDF download answers 503 `pdf_unavailable`.
    pub pdf_browser: Option<std::path::PathBuf>,
    /// How many reports are printed at once (`pdf::PdfPrinters`).
    pub pdf_printers: pdf::PdfPrinters,
    /// Where uploaded files wait to be imported, one directory per upload
    /// (`pages::import::Upload`).
    pub uploads: std::path::PathBuf,
    /// The token that opens `/metrics` to peers beyond the local network (`--metrics-token`,
    /// `WAHANA_METRICS_TOKEN`); without one only local peers read it (`ops.rs`).
    pub metrics_token: Option<String>,
    /// How long a stopping server waits for the requests in flight ([`serve`]).
    pub shutdown_grace: std::time::Duration,
    /// The server itself serves HTTPS (`--tls-cert`, [`tls::acceptor`]): ODK Collect may then
    /// sign in with Basic authentication too (`openrosa.rs`).
    pub tls: Option<tokio_rustls::TlsAcceptor>,
    /// The profile report's letterhead and signature block, its logo read
    /// (`[letterhead]` of the configuration, [`crate::report::ReportHead::load`]).
    pub report_head: crate::report::ReportHead,
    /// A PostgreSQL read replica (`--read-replica`, `Store::open_replica`): reads go to it
    /// (`replica.rs`).
    pub read_replica: Option<Store>,
}

/// The whole application over a store: every page and API route, with the state they share.
/// The server's start-up ([`serve`]) builds it so, and so can anything else that serves it.
pub fn app(store: Store, options: Options) -> Router {
    application(&state(store, options))
}

/// The application over a state: with a read replica, a dispatcher between the application
/// over the primary and the same over the replica (`replica.rs`).
fn application(state: &AppState) -> Router {
    let primary = router(state.clone());
    match replica::replica_state(&state.shared) {
        None => primary,
        Some(replica_state) => Router::new()
            .fallback(replica::dispatch)
            .with_state(Arc::new(replica::Dispatch {
                shared: state.shared.clone(),
                primary,
                replica: router(replica_state),
            })),
    }
}

fn state(store: Store, options: Options) -> AppState {
    let profiles = Arc::new(cache::ProfileCache::default());
    let shared = Arc::new(Shared {
        primary: store.clone(),
        primary_profiles: profiles.clone(),
        replica: options.read_replica.map(replica::ReadReplica::new),
        secure_cookies: options.secure_cookies,
        pdf_browser: options.pdf_browser,
        pdf_printers: options.pdf_printers,
        uploads: options.uploads,
        metrics: metrics::Metrics::default(),
        metrics_token: options.metrics_token,
        stopping: tokio::sync::watch::Sender::new(false),
        tls: options.tls.is_some(),
        nonces: openrosa::Nonces::default(),
        odk_forms: crate::service::odk::FormCache::default(),
        report_head: options.report_head,
    });
    AppState {
        shared,
        store,
        profiles,
    }
}

/// What a handler is given (built by [`app`]): the state every handler shares, and the
/// database it reads, with the profiles made from it: the primary's, or for the reads routed
/// there, the read replica's (`replica.rs`).
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    /// The database of this request: the primary, or the replica for a read routed there.
    store: Store,
    /// Profiles made from `store`, reused between writes (see `cache.rs`).
    profiles: Arc<cache::ProfileCache>,
}

pub struct Shared {
    /// The primary database: every write, and the sessions (`Ctx`).
    primary: Store,
    /// The profiles made from the primary (see [`AppState::profiles`]).
    primary_profiles: Arc<cache::ProfileCache>,
    /// The read replica, when there is one (`replica.rs`).
    replica: Option<replica::ReadReplica>,
    /// See [`Options::secure_cookies`].
    secure_cookies: bool,
    /// See [`Options::pdf_browser`].
    pdf_browser: Option<std::path::PathBuf>,
    /// See [`Options::pdf_printers`].
    pdf_printers: pdf::PdfPrinters,
    /// See [`Options::uploads`].
    uploads: std::path::PathBuf,
    /// Requests, imports and the database's pool, for `/metrics`.
    metrics: metrics::Metrics,
    /// See [`Options::metrics_token`].
    metrics_token: Option<String>,
    /// Set once the server has been told to stop: imports in progress are cancelled and
    /// `/readyz` answers 503.
    stopping: tokio::sync::watch::Sender<bool>,
    /// See [`Options::tls`].
    tls: bool,
    /// The Digest nonces given to ODK Collect (`openrosa.rs`).
    nonces: openrosa::Nonces,
    /// The forms served to ODK Collect, made once per region (`service::odk::forms`).
    odk_forms: crate::service::odk::FormCache,
    /// See [`Options::report_head`].
    report_head: crate::report::ReportHead,
}

impl Shared {
    /// Resolves once the server has been told to stop.
    pub async fn stopped(&self) {
        let mut stopping = self.stopping.subscribe();
        if stopping.wait_for(|s| *s).await.is_err() {
            // The sender lives as long as `self`: never, but never a false stop either.
            std::future::pending::<()>().await;
        }
    }

    /// Tells the server's work in progress that it stops (see [`Shared::stopped`]).
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// Something was written through this server: every kept profile is stale, the
    /// primary's and the replica's.
    pub fn profiles_changed(&self) {
        self.primary_profiles.changed();
        if let Some(r) = &self.replica {
            r.profiles().changed();
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.shared
    }
}

pub const SESSION_COOKIE: &str = "wahana_session";
pub const LANG_COOKIE: &str = "wahana_lang";

/// The router of the whole server.
fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::regions::home))
        .route("/static/style.css", get(style))
        .route("/static/location.js", get(location_script))
        .route("/lang/{lang}", get(switch_lang))
        .route("/search", get(pages::regions::search))
        .route("/bantuan", get(pages::help::page))
        .route("/help", get(pages::help::page))
        .route("/regions/{code}", get(pages::regions::region))
        .route("/regions/{code}/report", get(pages::regions::report))
        .route(
            "/regions/{code}/report/pdf",
            get(pages::regions::report_pdf),
        )
        .route("/regions/{code}/compare", get(pages::compare::compare))
        .route("/regions/{code}/screening", get(pages::regions::screening))
        .route("/regions/{code}/audit", get(pages::regions::audit))
        .route("/audit/{id}", get(pages::audit::entry))
        .route("/audit/{id}/restore", post(pages::audit::restore))
        .route("/regions/{code}/export", get(pages::transfer::export_page))
        .route(
            "/regions/{code}/template",
            get(pages::transfer::region_template_page),
        )
        .route("/template", get(pages::transfer::template_page))
        .route("/regions/{code}/network", get(pages::network::network))
        .route("/regions/{code}/inbox", get(pages::inbox::list))
        .route("/inbox/auto-accept", post(pages::inbox::auto_accept))
        .route("/inbox/{id}", get(pages::inbox::show))
        .route("/inbox/{id}/accept", post(pages::inbox::accept))
        .route("/inbox/{id}/reject", post(pages::inbox::reject))
        .route("/inbox/{id}/edit", post(pages::inbox::edit))
        .route("/inbox/{id}/files/{name}", get(pages::inbox::file))
        .route("/waves/{id}/review", get(pages::review::list))
        .route("/waves/{id}/review/{n}", post(pages::review::decide))
        .route("/groups/new", get(pages::groups::new_form))
        .route("/groups", post(pages::groups::create))
        .route(
            "/groups/{id}",
            get(pages::groups::show).post(pages::groups::update),
        )
        .route("/groups/{id}/edit", get(pages::groups::edit_form))
        .route(
            "/groups/{id}/delete",
            get(pages::groups::delete_form).post(pages::groups::delete),
        )
        .route("/groups/{id}/members", post(pages::groups::add_member))
        .route(
            "/groups/{id}/members/{member}/delete",
            get(pages::groups::delete_member_form).post(pages::groups::delete_member),
        )
        .route("/import/{token}/rejects", get(pages::import::rejects))
        .route(
            "/import",
            get(pages::import::form).post(pages::import::upload).layer(
                axum::extract::DefaultBodyLimit::max(pages::import::UPLOAD_LIMIT),
            ),
        )
        .route("/networks", post(pages::actors::create::<Network>))
        .route("/networks/new", get(pages::actors::new_form::<Network>))
        .route(
            "/networks/{id}",
            get(pages::actors::show::<Network>).post(pages::actors::update::<Network>),
        )
        .route(
            "/networks/{id}/edit",
            get(pages::actors::edit_form::<Network>),
        )
        .route(
            "/networks/{id}/delete",
            get(pages::actors::delete_form::<Network>).post(pages::actors::delete::<Network>),
        )
        .route("/institutions", post(pages::actors::create::<Institution>))
        .route(
            "/institutions/new",
            get(pages::actors::new_form::<Institution>),
        )
        .route(
            "/institutions/{id}",
            get(pages::actors::show::<Institution>).post(pages::actors::update::<Institution>),
        )
        .route(
            "/institutions/{id}/edit",
            get(pages::actors::edit_form::<Institution>),
        )
        .route(
            "/institutions/{id}/delete",
            get(pages::actors::delete_form::<Institution>)
                .post(pages::actors::delete::<Institution>),
        )
        .route("/ties", post(pages::actors::create_tie))
        .route("/ties/new", get(pages::actors::new_tie))
        .route(
            "/ties/{id}/delete",
            get(pages::actors::delete_tie_form).post(pages::actors::delete_tie),
        )
        .route("/waves", get(pages::waves::list).post(pages::waves::create))
        .route("/waves/{id}", post(pages::waves::update))
        .route("/waves/{id}/edit", get(pages::waves::edit_form))
        .route("/waves/{id}/close", post(pages::waves::close))
        .route("/waves/{id}/reopen", post(pages::waves::reopen))
        .route(
            "/waves/{id}/delete",
            get(pages::waves::delete_form).post(pages::waves::delete),
        )
        .route("/signin", get(auth::signin_form).post(auth::signin))
        .route("/signout", post(auth::signout))
        .route("/admin/users", get(auth::users_page).post(auth::users_add))
        .route("/admin/users/deactivate", post(auth::users_deactivate))
        .route("/admin/users/activate", post(auth::users_activate))
        .route("/admin/users/password", post(auth::users_password))
        .route("/admin/backups", get(pages::backups::page))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(api::router())
        .merge(openrosa::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::check,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_request,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers))
}

/// A successful write makes every kept profile stale.
async fn note_writes(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let write = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let res = next.run(req).await;
    if write && (res.status().is_success() || res.status().is_redirection()) {
        st.profiles_changed();
    }
    res
}

/// Logs every request: its method, its path without the query string (a search may carry a
/// name), its status and how long it took; never a header, a cookie, a token or a body. A
/// refused write (403, 409) is logged again as a warning with who asked (the person's name and
/// role, looked up only then) and what kind of record the path names.
async fn log_request(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let start = std::time::Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let write = !matches!(method, axum::http::Method::GET | axum::http::Method::HEAD);
    // Kept to name who was refused, never logged themselves.
    let credentials: Vec<(header::HeaderName, HeaderValue)> = if write {
        [header::COOKIE, header::AUTHORIZATION]
            .into_iter()
            .flat_map(|h| {
                req.headers()
                    .get_all(&h)
                    .iter()
                    .map(move |v| (h.clone(), v.clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        Vec::new()
    };
    let attempt = req.extensions().get::<replica::ReplicaAttempt>().is_some();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    let ms = start.elapsed().as_millis() as u64;
    if attempt && res.status().is_server_error() {
        // A read the replica failed is answered again from the primary and logged then.
        tracing::debug!(target: "wahana::http", %method, %path, status, ms, "read failed on the replica");
        return res;
    }
    if matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics") && status == 200 {
        // Probes and scrapes come every few seconds: logged only when asked for.
        tracing::debug!(target: "wahana::http", %method, %path, status, ms, "request");
    } else {
        tracing::info!(target: "wahana::http", %method, %path, status, ms, "request");
    }
    if write && matches!(status, 403 | 409) {
        let mut b = axum::http::Request::builder();
        for (h, v) in credentials {
            b = b.header(h, v);
        }
        let who = match b.body(()) {
            Ok(r) => {
                let (mut parts, ()) = r.into_parts();
                match Ctx::from_request_parts(&mut parts, &st).await {
                    Ok(ctx) => ctx
                        .user()
                        .map(|u| format!("{} ({})", u.name, u.role.code()))
                        .unwrap_or_else(|| "anonymous".into()),
                    Err(_) => "unknown".into(),
                }
            }
            Err(_) => "unknown".into(),
        };
        let kind = record_kind(&path);
        tracing::warn!(target: "wahana::http", %method, %path, status, who, kind, "write refused");
    }
    res
}

/// The kind of record a path is about: its first segment after `/api/v1/`.
fn record_kind(path: &str) -> &str {
    let rest = path.strip_prefix("/api/v1").unwrap_or(path);
    rest.trim_start_matches('/').split('/').next().unwrap_or("")
}

async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

async fn not_found(ctx: Ctx, parts: axum::http::Uri) -> Response {
    if parts.path().starts_with("/api/") {
        errors::ApiError::NotFound {
            kind: "route",
            id: parts.path().to_string(),
        }
        .into_api(ctx.lang)
    } else {
        errors::ApiError::NotFound {
            kind: ctx.lang.pick("halaman", "page"),
            id: parts.path().to_string(),
        }
        .into_page(&ctx)
    }
}

const STYLE: &str = include_str!("../../static/style.css");

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

const LOCATION_SCRIPT: &str = include_str!("../../static/location.js");

/// The group form's "use my location" button (the only script; the pages work without it).
async fn location_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        LOCATION_SCRIPT,
    )
        .into_response()
}

/// `/lang/en?next=/regions/73`: remembers the language in a cookie and goes back.
async fn switch_lang(
    axum::extract::Path(lang): axum::extract::Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = if lang == "en" { "en" } else { "id" };
    let next = q
        .get("next")
        .and_then(|n| safe_local_path(n))
        .unwrap_or("/")
        .to_string();
    let cookie = format!("{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax");
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, next), (header::SET_COOKIE, cookie)],
    )
        .into_response()
}

/// A redirect target taken from a request (`next`, `back`) when it is a path on this site: one
/// `/` followed by something other than `/` or `\` (browsers read `//host` and `/\host` as
/// another site), in printable ASCII only (a URL's other characters are percent-encoded):
/// browsers drop TAB, CR and LF from URLs, so `/<TAB>/host` would become `//host`, and CR, LF,
/// NUL, DEL and non-ASCII bytes cannot go in a `Location` header. `None` otherwise: callers go
/// to the home page, or refuse a form before acting on it.
pub fn safe_local_path(target: &str) -> Option<&str> {
    let bytes = target.as_bytes();
    let local = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| (b' '..=b'~').contains(b));
    local.then_some(target)
}

/// A cookie's value from the request (the first of that name; pairs that do not parse are
/// passed over).
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .and_then(|c| c.value_raw())
}

/// Who is asking, in which language, and the form token of their session.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<Principal>,
    /// The session's CSRF token (signed in), for forms.
    pub csrf: Option<String>,
    /// The session token, from the cookie or an `Authorization: Bearer` header.
    pub token: Option<String>,
    /// The session came as a Bearer token (an API client), not a browser cookie.
    pub bearer: bool,
    /// The request's path and query, for the language switch.
    pub path: String,
}

impl Ctx {
    pub fn t<'a>(&self, id: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(id, en)
    }
    pub fn lang(&self) -> Lang {
        self.lang
    }
    /// A parameter of the request's query (`?wave=…`), decoded; `None` when absent or empty.
    pub fn query(&self, key: &str) -> Option<String> {
        let (_, q) = self.path.split_once('?')?;
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    }
    pub fn user(&self) -> Option<&Principal> {
        self.user.as_ref()
    }
    /// An audit entry's change in words (`menambah kelompok`).
    pub fn audit_change(&self, action: &str, entity_kind: &str) -> String {
        crate::service::audit::describe(action, entity_kind, self.lang)
    }
    /// [`Ctx::time`], in the zone of `region` when one is given (a record's own region).
    pub fn time_in(&self, utc: &str, region: Option<&str>) -> String {
        match region.and_then(|c| wahana_domain::RegionCode::parse(c).ok()) {
            Some(r) => wahana_domain::TimeZone::of(Some(&r)).local(utc, self.lang),
            None => self.time(utc),
        }
    }
    /// A stored UTC moment as the reader's clock shows it: in the time zone (WIB, WITA, WIT)
    /// of the region the page is about (`/regions/{code}/…`), else of the person's region, else
    /// WIB. `5 Desember 2026 13.43 WITA`.
    pub fn time(&self, utc: &str) -> String {
        let page_region = self
            .path
            .strip_prefix("/regions/")
            .and_then(|rest| rest.split(['/', '?']).next())
            .and_then(|c| wahana_domain::RegionCode::parse(c).ok());
        let region = page_region.or_else(|| self.user.as_ref().and_then(|u| u.region.clone()));
        wahana_domain::TimeZone::of(region.as_ref()).local(utc, self.lang)
    }
    /// The caller of a use case from a page.
    pub fn caller(&self) -> crate::service::caller::Caller {
        crate::service::caller::Caller::web(self.user())
    }
    /// The caller of a use case from the API.
    pub fn api_caller(&self) -> crate::service::caller::Caller {
        crate::service::caller::Caller::api(self.user())
    }
    /// The session's form token (empty when signed out).
    pub fn csrf_value(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }
    /// The link that switches to `lang` and comes back here.
    pub fn lang_link(&self, lang: &str) -> String {
        format!("/lang/{lang}?next={}", self.path_enc())
    }
    /// This page's path and query, percent-encoded for a `next=` parameter.
    pub fn path_enc(&self) -> String {
        pct(&self.path)
    }
}

/// What [`pct`] leaves as it is: unreserved characters and `/`.
const PCT_KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes everything but unreserved characters and `/` (for query values and paths).
pub fn pct(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, PCT_KEEP).to_string()
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, Response> {
        let query: HashMap<String, String> = parts
            .uri
            .query()
            .and_then(serde_urlencoded_pairs)
            .unwrap_or_default();
        let lang = query
            .get("lang")
            .map(String::as_str)
            .or_else(|| cookie(parts, LANG_COOKIE))
            .map(|l| if l == "en" { Lang::En } else { Lang::Id })
            .or_else(|| {
                // API clients say so in Accept-Language; pages default to Indonesian.
                parts.uri.path().starts_with("/api/").then(|| {
                    let al = parts
                        .headers
                        .get(header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if al.trim_start().starts_with("en") {
                        Lang::En
                    } else {
                        Lang::Id
                    }
                })
            })
            .unwrap_or(Lang::Id);
        let bearer_token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let bearer = bearer_token.is_some();
        let token = bearer_token.or_else(|| cookie(parts, SESSION_COOKIE).map(str::to_string));
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let (user, csrf) = match &token {
            Some(t) if !t.is_empty() && t.len() <= 128 => {
                // Always the primary's: a session made a moment ago is found, one ended is not.
                match users::session(&state.primary, t).await {
                    Ok(Some((p, c))) => (Some(p), Some(c)),
                    Ok(None) => (None, None),
                    Err(e) => {
                        return Err(errors::ApiError::from(e).into_api(lang));
                    }
                }
            }
            _ => (None, None),
        };
        Ok(Ctx {
            lang,
            user,
            csrf,
            token,
            bearer,
            path,
        })
    }
}

/// The client's address as the sign-in limits count it (`service::users::sign_in`): an IPv4
/// address, or the /64 network of an IPv6 one (one machine commonly holds a whole /64). Empty
/// when the server does not know it (a router served without connect info, as in tests). Behind
/// a reverse proxy every client has the proxy's address.
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::ConnectInfo;
        use std::net::{IpAddr, SocketAddr};
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddress(match ip {
            None => String::new(),
            Some(IpAddr::V4(v4)) => v4.to_string(),
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        }))
    }
}

/// Query pairs without pulling in another crate: `a=1&b=x%20y`.
fn serde_urlencoded_pairs(q: &str) -> Option<HashMap<String, String>> {
    axum::extract::Query::<HashMap<String, String>>::try_from_uri(&format!("/?{q}").parse().ok()?)
        .ok()
        .map(|Query(m)| m)
}

/// How long [`serve`] waits for the profiles made at start before it says it is ready.
const WARM_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Serves [`app`] until Ctrl-C or SIGTERM. `ready` is called with the bound address (port 0
/// picks a free one) once the country's and the provinces' profiles are made, or after
/// [`WARM_WAIT`] if they take longer. Uploads a previous run left unconfirmed in `options.uploads` are removed
/// first.
///
/// On the signal the server stops gracefully: it takes no new connection, imports in progress
/// are cancelled (each is one transaction: rolled back, nothing written, the client told so),
/// the other requests in flight are answered, and it returns once they are, or after
/// `options.shutdown_grace` (whatever still runs is then dropped, its transactions rolled
/// back). Either way the store is closed and the result is `Ok`.
pub async fn serve(
    store: Store,
    addr: &str,
    options: Options,
    ready: impl FnOnce(std::net::SocketAddr),
) -> anyhow::Result<()> {
    let signals = ops::StopSignals::listen();
    let listener = tokio::net::TcpListener::bind(addr).await?;
    pages::import::expire_uploads(&options.uploads).await;
    let grace = options.shutdown_grace;
    let acceptor = options.tls.clone();
    let replica_store = options.read_replica.clone();
    let state = state(store.clone(), options);
    // The country's and the provinces' profiles, made before anyone asks (`web/cache.rs`),
    // from either database. The server says it is ready once they are (well under a second
    // for the whole country), so that the first request to the home page or a province's page
    // finds them made; should they take longer than `WARM_WAIT` (a wave screened for the first
    // time), it says so at that point and they go on being made in the background.
    let mut warm = tokio::spawn(pages::regions::warm(state.clone()));
    if tokio::time::timeout(WARM_WAIT, &mut warm).await.is_err() {
        tracing::info!(
            seconds = WARM_WAIT.as_secs(),
            "the profiles of the country and the provinces are still being made; serving meanwhile"
        );
    }
    ready(listener.local_addr()?);
    if let Some(r) = &state.replica {
        r.check(&state.primary).await;
    }
    if let Some(replica_state) = replica::replica_state(&state.shared) {
        tokio::spawn(pages::regions::warm(replica_state));
    }
    let app = application(&state);
    let stop = {
        let state = state.clone();
        async move {
            let signal = signals.recv().await;
            tracing::info!(
                in_flight = state.metrics.in_flight(),
                "{signal}: stopping; the requests in flight are answered, imports in progress cancelled"
            );
            state.stop();
        }
    };
    let grace_over = async {
        state.stopped().await;
        tokio::time::sleep(grace).await;
    };
    let late = || {
        tracing::warn!(
            in_flight = state.metrics.in_flight(),
            "requests still in flight after {} s: stopping without them",
            grace.as_secs()
        )
    };
    match acceptor {
        Some(acceptor) => {
            tokio::select! {
                () = tls::serve(listener, acceptor, app, stop) => {},
                () = grace_over => late(),
            }
        }
        None => {
            let server = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(stop);
            tokio::select! {
                served = server.into_future() => served?,
                () = grace_over => late(),
            }
        }
    }
    // Connections still lent out after the grace period are not waited for.
    if tokio::time::timeout(std::time::Duration::from_secs(5), store.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still in use: closing without them");
    }
    if let Some(r) = replica_store
        && tokio::time::timeout(std::time::Duration::from_secs(5), r.close())
            .await
            .is_err()
    {
        tracing::warn!("read replica connections still in use: closing without them");
    }
    tracing::info!("stopped");
    Ok(())
}

/// How long a stopping server waits for the requests in flight, unless told otherwise.
pub const DEFAULT_SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);
