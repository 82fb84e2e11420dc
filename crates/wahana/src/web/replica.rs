//! Reads from a PostgreSQL read replica (`serve --read-replica URL`): where each request goes.
//!
//! The application is built twice over the same shared state (`web::app`): once over the
//! primary's store, once over the replica's, each with its own profile cache. [`dispatch`]
//! sends every request to one of them:
//!
//! - the primary: every write (any method but GET and HEAD), the OpenRosa routes, the sign-in
//!   form and the operators' probes ([`pinned`]); and the reads that must see a write: the
//!   writer's own for [`OWN_WRITES`] after it (a cookie set on every successful write's
//!   answer, so that it holds with several servers behind a balancer, and the session's token
//!   remembered here for API clients that keep no cookie), and every read while the replica is
//!   down or replays more than [`MAX_LAG`] behind;
//! - the replica: every other GET and HEAD (pages, reports, maps, API reads).
//!
//! Sessions are always looked up on the primary (`Ctx`): a session made a moment ago is
//! found, and one ended (a sign-out, a person deactivated) ends at once.
//!
//! A read the replica fails (an answer of 500 or more: connection refused, a timeout, a query
//! cancelled by recovery) marks it down and is answered again from the primary at once; GET
//! and HEAD change nothing, so asking twice is safe. The replica is checked again in the
//! background every [`CHECK_EVERY`] while requests come ([`ReadReplica::check`]: it answers,
//! how far behind it replays), and takes reads again once it answers. Only an answer already
//! being streamed when the replica dies (an export) can still break.

use super::{AppState, SESSION_COOKIE, Shared, cache::ProfileCache};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::response::Response;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tower::ServiceExt;
use wahana_store::Store;

/// How long a writer's reads stay on the primary after a write. Longer than [`MAX_LAG`] and
/// a check's period together: once it is over, the replica has replayed the write or is
/// found too far behind and skipped.
pub const OWN_WRITES: Duration = Duration::from_secs(15);

/// Past this replay lag every read goes to the primary.
pub const MAX_LAG: Duration = Duration::from_secs(5);

/// How often the replica is checked while requests come.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);

/// How long a check waits for the replica.
const CHECK_WAIT: Duration = Duration::from_secs(2);

/// The cookie set on the answer to every successful write: while it lasts, the writer's
/// reads go to the primary.
pub const PRIMARY_COOKIE: &str = "wahana_primary";

/// The replica's lag while unknown (not checked yet, or not comparable).
const LAG_UNKNOWN: u64 = u64::MAX;

/// Why a read was served where it was (the `/metrics` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// On the replica.
    Replica,
    /// On the primary: a route that always is (sign-in, OpenRosa, probes).
    Pinned,
    /// On the primary: the reader wrote within [`OWN_WRITES`].
    OwnWrite,
    /// On the primary: the replica did not answer its last check or failed a read.
    ReplicaDown,
    /// On the primary: the replica replays more than [`MAX_LAG`] behind, or its lag is not
    /// known yet.
    ReplicaLag,
    /// On the primary after the replica failed this very read.
    Fallback,
}

impl Route {
    const ALL: [Route; 6] = [
        Route::Replica,
        Route::Pinned,
        Route::OwnWrite,
        Route::ReplicaDown,
        Route::ReplicaLag,
        Route::Fallback,
    ];

    fn label(self) -> (&'static str, &'static str) {
        match self {
            Route::Replica => ("replica", "replica"),
            Route::Pinned => ("primary", "pinned"),
            Route::OwnWrite => ("primary", "own_write"),
            Route::ReplicaDown => ("primary", "replica_down"),
            Route::ReplicaLag => ("primary", "replica_lag"),
            Route::Fallback => ("primary", "fallback"),
        }
    }

    fn index(self) -> usize {
        Route::ALL.iter().position(|r| *r == self).unwrap_or(0)
    }
}

/// Set on the request sent to the replica: should it fail, `metrics::track` and the request
/// log leave it out (the same request is answered again from the primary and counted then).
#[derive(Debug, Clone, Copy)]
pub struct ReplicaAttempt;

/// The read replica as this server sees it: its store, its own profile cache, whether it
/// answers and how far behind it is, and the counts `/metrics` shows.
pub struct ReadReplica {
    store: Store,
    profiles: Arc<ProfileCache>,
    up: AtomicBool,
    in_recovery: AtomicBool,
    /// Milliseconds behind the primary at the last check ([`LAG_UNKNOWN`]: not known).
    lag_ms: AtomicU64,
    last_check: Mutex<Option<Instant>>,
    checking: AtomicBool,
    /// The primary's flushed log position at the recent checks, oldest first (see
    /// [`ReadReplica::check`]).
    positions: Mutex<VecDeque<(Instant, i64)>>,
    /// Sessions (their token's hash) that wrote, and when.
    writers: Mutex<HashMap<String, Instant>>,
    /// Reads by [`Route`].
    reads: [AtomicU64; 6],
    /// Reads the replica failed, answered again from the primary.
    fallbacks: AtomicU64,
}

/// What `/readyz` says of the replica.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReplicaState {
    /// It answered its last check and has failed no read since.
    pub reachable: bool,
    /// It is still a standby (false once promoted: then it takes no reads).
    pub in_recovery: bool,
    /// Seconds behind the primary at the last check (`None`: not known).
    pub lag_seconds: Option<f64>,
    /// Reads go to it now (reachable, a standby, within [`MAX_LAG`]).
    pub serving_reads: bool,
}

impl ReadReplica {
    /// The replica opened by `Store::open_replica`. Its lag is not known until the first
    /// check, which the first request (or `/readyz`) starts: reads go to the primary until
    /// then.
    pub fn new(store: Store) -> ReadReplica {
        ReadReplica {
            store,
            profiles: Arc::new(ProfileCache::default()),
            up: AtomicBool::new(true),
            in_recovery: AtomicBool::new(true),
            lag_ms: AtomicU64::new(LAG_UNKNOWN),
            last_check: Mutex::new(None),
            checking: AtomicBool::new(false),
            positions: Mutex::new(VecDeque::new()),
            writers: Mutex::new(HashMap::new()),
            reads: Default::default(),
            fallbacks: AtomicU64::new(0),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(super) fn profiles(&self) -> &Arc<ProfileCache> {
        &self.profiles
    }

    /// Asks the replica whether it answers and how far behind the primary it replays, and
    /// keeps the answer. The lag is zero when it has replayed at least the primary's flushed
    /// log position read just before. Otherwise it is the age of the latest check at which the
    /// primary stood no further than the replica stands now (within a check's period of the
    /// truth); when the replica is behind every position kept, the time since the last
    /// transaction it replayed was committed (an upper bound). That last measure alone would
    /// call an idle registry's replica minutes behind at its first write after a quiet night.
    pub async fn check(&self, primary: &Store) {
        let asked = tokio::time::timeout(CHECK_WAIT, async {
            let flushed = primary.wal_position().await.ok().flatten();
            let pos = self.store.replay_position().await?;
            Ok::<_, wahana_store::StoreError>((flushed, pos))
        })
        .await;
        if let Ok(mut t) = self.last_check.lock() {
            *t = Some(Instant::now());
        }
        match asked {
            Ok(Ok((flushed, Some(pos)))) => {
                let lag = match (flushed, pos.replayed) {
                    (Some(f), Some(r)) => self.lag_at(f, r, pos.since_last_replayed),
                    _ => None,
                };
                self.lag_ms
                    .store(lag.unwrap_or(LAG_UNKNOWN), Ordering::Relaxed);
                self.in_recovery.store(pos.in_recovery, Ordering::Relaxed);
                if !self.up.swap(true, Ordering::Relaxed) {
                    tracing::info!("read replica answers again: reads go to it");
                }
            }
            Ok(Ok((_, None))) => self.lag_ms.store(LAG_UNKNOWN, Ordering::Relaxed),
            Ok(Err(e)) => self.down(&e.to_string()),
            Err(_) => self.down("no answer within the check's time"),
        }
    }

    /// The lag of a replica that has replayed up to `replayed` while the primary has flushed
    /// up to `flushed` (see [`ReadReplica::check`]), in milliseconds.
    fn lag_at(&self, flushed: i64, replayed: i64, since_last_replayed: Option<f64>) -> Option<u64> {
        let now = Instant::now();
        let mut kept = self.positions.lock().ok()?;
        kept.push_back((now, flushed));
        while kept.len() > 16 {
            kept.pop_front();
        }
        lag_of(&kept, now, replayed, since_last_replayed)
    }

    fn down(&self, why: &str) {
        if self.up.swap(false, Ordering::Relaxed) {
            // The error's text may name the replica's host: for the log only.
            tracing::warn!(error = why, "read replica down: reads go to the primary");
        }
    }

    /// Starts a check in the background when the last one is older than [`CHECK_EVERY`]
    /// (one at a time).
    fn check_soon(shared: &Arc<Shared>) {
        let Some(r) = shared.replica.as_ref() else {
            return;
        };
        let due = r
            .last_check
            .lock()
            .map(|t| t.is_none_or(|t| t.elapsed() >= CHECK_EVERY))
            .unwrap_or(false);
        if due && !r.checking.swap(true, Ordering::AcqRel) {
            let shared = shared.clone();
            tokio::spawn(async move {
                if let Some(r) = shared.replica.as_ref() {
                    r.check(&shared.primary).await;
                    r.checking.store(false, Ordering::Release);
                }
            });
        }
    }

    /// What `/readyz` shows.
    pub fn state(&self) -> ReplicaState {
        let lag = self.lag_ms.load(Ordering::Relaxed);
        ReplicaState {
            reachable: self.up.load(Ordering::Relaxed),
            in_recovery: self.in_recovery.load(Ordering::Relaxed),
            lag_seconds: (lag != LAG_UNKNOWN).then(|| lag as f64 / 1000.0),
            serving_reads: self.serving().is_none(),
        }
    }

    /// `None` when reads may go to the replica, else why not.
    fn serving(&self) -> Option<Route> {
        if !self.up.load(Ordering::Relaxed) {
            return Some(Route::ReplicaDown);
        }
        let lag = self.lag_ms.load(Ordering::Relaxed);
        // A promoted replica no longer follows this primary: it takes no reads.
        if !self.in_recovery.load(Ordering::Relaxed) || lag > MAX_LAG.as_millis() as u64 {
            return Some(Route::ReplicaLag);
        }
        None
    }

    fn wrote(&self, token: &str) {
        if let Ok(mut w) = self.writers.lock() {
            if w.len() >= 4096 {
                w.retain(|_, at| at.elapsed() < OWN_WRITES);
            }
            w.insert(wahana_store::token_hash(token), Instant::now());
        }
    }

    fn wrote_lately(&self, token: &str) -> bool {
        self.writers
            .lock()
            .ok()
            .and_then(|w| w.get(&wahana_store::token_hash(token)).copied())
            .is_some_and(|at| at.elapsed() < OWN_WRITES)
    }

    fn count(&self, route: Route) {
        self.reads[route.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// The replica's series for `/metrics`: reads by target and reason, fallbacks, whether
    /// it answers and its lag.
    pub fn render_metrics(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(
            out,
            "# HELP wahana_reads_total Reads (GET, HEAD) by the database that served them and why.\n\
             # TYPE wahana_reads_total counter"
        );
        for route in Route::ALL {
            let (target, reason) = route.label();
            let _ = writeln!(
                out,
                "wahana_reads_total{{target=\"{target}\",reason=\"{reason}\"}} {}",
                self.reads[route.index()].load(Ordering::Relaxed)
            );
        }
        let state = self.state();
        let _ = writeln!(
            out,
            "# HELP wahana_replica_fallbacks_total Reads the replica failed, answered again from the primary.\n\
             # TYPE wahana_replica_fallbacks_total counter\n\
             wahana_replica_fallbacks_total {}\n\
             # HELP wahana_replica_up Whether the read replica answered its last check.\n\
             # TYPE wahana_replica_up gauge\n\
             wahana_replica_up {}\n\
             # HELP wahana_replica_serving_reads Whether reads go to the replica now.\n\
             # TYPE wahana_replica_serving_reads gauge\n\
             wahana_replica_serving_reads {}",
            self.fallbacks.load(Ordering::Relaxed),
            u8::from(state.reachable),
            u8::from(state.serving_reads),
        );
        if let Some(lag) = state.lag_seconds {
            let _ = writeln!(
                out,
                "# HELP wahana_replica_lag_seconds How far behind the primary the replica replayed at the last check.\n\
                 # TYPE wahana_replica_lag_seconds gauge\n\
                 wahana_replica_lag_seconds {lag}"
            );
        }
    }
}

/// The lag, in milliseconds at `now`, of a replica that has replayed up to `replayed`, from
/// the primary's flushed positions at the checks `kept` (oldest first, the last one now's).
fn lag_of(
    kept: &VecDeque<(Instant, i64)>,
    now: Instant,
    replayed: i64,
    since_last_replayed: Option<f64>,
) -> Option<u64> {
    match kept.iter().rev().find(|(_, p)| *p <= replayed) {
        Some((at, _)) => Some(now.duration_since(*at).as_millis() as u64),
        None => since_last_replayed.map(|s| (s.max(0.0) * 1000.0) as u64),
    }
}

/// Routes that always go to the primary, whatever the method: the OpenRosa server (phones
/// sign in and send within moments), the sign-in form, and the probes (which report on both
/// databases themselves).
fn pinned(path: &str) -> bool {
    path.starts_with("/odk/")
        || path == "/odk"
        || matches!(
            path,
            "/signin" | "/healthz" | "/readyz" | "/metrics" | "/static/style.css"
        )
        || path.starts_with("/lang/")
}

/// The session token a request carries (Bearer header, else the session cookie).
fn token_of(parts: &axum::http::request::Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .or_else(|| super::cookie(parts, SESSION_COOKIE).map(str::to_string))
        .filter(|t| !t.is_empty() && t.len() <= 128)
}

/// The two applications a server with a replica dispatches between ([`dispatch`]).
#[derive(Clone)]
pub struct Dispatch {
    pub(super) shared: Arc<Shared>,
    pub(super) primary: axum::Router,
    pub(super) replica: axum::Router,
}

/// Sends a request to the primary's or the replica's application (see the module's text).
pub async fn dispatch(State(d): State<Arc<Dispatch>>, req: Request) -> Response {
    let Some(r) = d.shared.replica.as_ref() else {
        return call(&d.primary, req).await;
    };
    ReadReplica::check_soon(&d.shared);
    let (parts, body) = req.into_parts();
    let read = matches!(parts.method, Method::GET | Method::HEAD);
    let token = token_of(&parts);
    if !read {
        let res = call(&d.primary, Request::from_parts(parts, body)).await;
        return own_write(&d.shared, r, token.as_deref(), res);
    }
    let route = if pinned(parts.uri.path()) {
        Route::Pinned
    } else if super::cookie(&parts, PRIMARY_COOKIE).is_some()
        || token.as_deref().is_some_and(|t| r.wrote_lately(t))
    {
        Route::OwnWrite
    } else {
        r.serving().unwrap_or(Route::Replica)
    };
    if route != Route::Replica {
        r.count(route);
        return call(&d.primary, Request::from_parts(parts, body)).await;
    }
    let mut attempt = Request::from_parts(parts.clone(), body);
    attempt.extensions_mut().insert(ReplicaAttempt);
    let res = call(&d.replica, attempt).await;
    if !res.status().is_server_error() {
        r.count(Route::Replica);
        return res;
    }
    // The replica failed this read: it is down until a check finds it answering (one is
    // started now, so a replica that only failed this query is back within moments).
    r.fallbacks.fetch_add(1, Ordering::Relaxed);
    r.count(Route::Fallback);
    r.down(&format!(
        "a read failed on the replica ({} {})",
        res.status().as_u16(),
        parts.uri.path()
    ));
    if let Ok(mut t) = r.last_check.lock() {
        *t = None;
    }
    ReadReplica::check_soon(&d.shared);
    call(&d.primary, Request::from_parts(parts, Body::empty())).await
}

/// After a successful write, the writer's reads go to the primary for [`OWN_WRITES`]: the
/// cookie (every server behind a balancer honours it) and, for clients that keep no cookie,
/// the session remembered here.
fn own_write(shared: &Shared, r: &ReadReplica, token: Option<&str>, mut res: Response) -> Response {
    if !(res.status().is_success() || res.status().is_redirection()) {
        return res;
    }
    if let Some(t) = token {
        r.wrote(t);
    }
    // A sign-in's answer carries a new session: remembered too.
    let new_session = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| cookie::Cookie::parse(v).ok())
        .find(|c| c.name() == SESSION_COOKIE && !c.value().is_empty())
        .map(|c| c.value().to_string());
    if let Some(t) = new_session {
        r.wrote(&t);
    }
    let secure = if shared.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{PRIMARY_COOKIE}=1; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        OWN_WRITES.as_secs()
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn call(app: &axum::Router, req: Request) -> Response {
    match app.clone().oneshot(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    }
}

/// The state of the application over the replica: the shared state, the replica's store and
/// its profile cache.
pub(super) fn replica_state(shared: &Arc<Shared>) -> Option<AppState> {
    shared.replica.as_ref().map(|r| AppState {
        shared: shared.clone(),
        store: r.store.clone(),
        profiles: r.profiles.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_sign_in_and_openrosa_stay_on_the_primary() {
        for (path, want) in [
            ("/odk/73.08.21/formList", true),
            ("/signin", true),
            ("/readyz", true),
            ("/metrics", true),
            ("/lang/en", true),
            ("/regions/73", false),
            ("/api/v1/groups", false),
            ("/odkx", false),
        ] {
            assert_eq!(pinned(path), want, "{path}");
        }
    }

    #[test]
    fn the_lag_is_the_age_of_the_latest_position_the_replica_has_replayed() {
        let now = Instant::now();
        let ago = |s: u64| now - Duration::from_secs(s);
        let kept: VecDeque<_> = [(ago(6), 100), (ago(4), 200), (ago(2), 300), (now, 400)].into();
        for (replayed, since, want) in [
            (400, Some(900.0), Some(0)),    // caught up with now's position
            (450, None, Some(0)),           // past it (the primary flushed since)
            (300, Some(900.0), Some(2000)), // where the primary stood 2 s ago
            (250, Some(900.0), Some(4000)), // between: at most 4 s behind
            (100, None, Some(6000)),
            // Behind every position kept: the time since its last replayed transaction.
            (50, Some(900.0), Some(900_000)),
            (50, None, None),
        ] {
            assert_eq!(lag_of(&kept, now, replayed, since), want, "{replayed}");
        }
    }

    #[test]
    fn every_route_has_its_own_counter() {
        let labels: std::collections::HashSet<_> = Route::ALL.iter().map(|r| r.label()).collect();
        assert_eq!(labels.len(), Route::ALL.len());
        for (i, r) in Route::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
    }
}
