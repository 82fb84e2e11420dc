//! What operators and their machines ask of a running server: `/healthz` (the process
//! answers), `/readyz` (it can serve: the database answers and is at this binary's
//! migrations), `/metrics` (Prometheus' text format, to the local network or with a token),
//! and the signals that stop it gracefully.
//!
//! None of them needs a sign-in and none says anything about a record or a person. They read
//! no session either (no `Ctx`): a probe must not depend on the sessions table, and answers
//! in both languages at once.

use super::AppState;
use axum::extract::ConnectInfo;
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// How long `/readyz` waits for the database before it answers 503.
const READY_WAIT: Duration = Duration::from_secs(2);

const NO_STORE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "no-store");

/// `/healthz`: the process is up and answers. It asks nothing of the database (a database
/// that is down makes the server unready, not dead: restarting it would not help).
pub async fn healthz() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            NO_STORE,
        ],
        "ok\n",
    )
        .into_response()
}

/// Why the server cannot serve now.
struct NotReady {
    reason: &'static str,
    id: String,
    en: String,
}

/// `/readyz`: 200 when the database answers a trivial query within [`READY_WAIT`] and holds
/// exactly the migrations this binary carries; 503 with the reason otherwise, and while the
/// server stops (so that a load balancer sends no more). With a read replica, the answer
/// also says whether it is reachable and how far behind it is (`replica`), without failing
/// when only the replica is down.
pub async fn readyz(State(st): State<AppState>) -> Response {
    match ready(&st).await {
        Ok(migration) => (
            StatusCode::OK,
            [NO_STORE],
            axum::Json(match replica_state(&st).await {
                None => json!({
                    "status": "ready",
                    "database": backend_name(st.primary.backend()),
                    "migration": migration,
                }),
                Some(replica) => json!({
                    "status": "ready",
                    "database": backend_name(st.primary.backend()),
                    "migration": migration,
                    "replica": replica,
                }),
            }),
        )
            .into_response(),
        Err(n) => {
            tracing::warn!(target: "wahana::http", reason = n.reason, detail = %n.en, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [NO_STORE],
                axum::Json(json!({
                    "status": "not_ready",
                    "reason": n.reason,
                    "message": n.id,
                    "message_en": n.en,
                })),
            )
                .into_response()
        }
    }
}

/// The read replica's state, checked now (`replica.rs`); `None` without one. A replica that
/// is down or behind does not make the server unready: the primary answers its reads.
async fn replica_state(st: &AppState) -> Option<super::replica::ReplicaState> {
    let r = st.replica.as_ref()?;
    r.check(&st.primary).await;
    Some(r.state())
}

async fn ready(st: &AppState) -> Result<i64, NotReady> {
    if *st.stopping.borrow() {
        return Err(NotReady {
            reason: "stopping",
            id: "server sedang berhenti".into(),
            en: "the server is stopping".into(),
        });
    }
    let timeout = || NotReady {
        reason: "database_timeout",
        id: format!(
            "basis data tidak menjawab dalam {} detik",
            READY_WAIT.as_secs()
        ),
        en: format!(
            "the database did not answer within {} seconds",
            READY_WAIT.as_secs()
        ),
    };
    let checked = tokio::time::timeout(READY_WAIT, async {
        st.primary.ping().await?;
        st.primary.schema().await
    })
    .await;
    let schema = match checked {
        Err(_) => return Err(timeout()),
        Ok(Err(e)) => {
            // The error's text may name the database's host: logged, never answered.
            tracing::warn!(target: "wahana::http", error = %e, "readiness: the database failed");
            return Err(NotReady {
                reason: "database_unreachable",
                id: "basis data tidak dapat dihubungi".into(),
                en: "the database cannot be reached".into(),
            });
        }
        Ok(Ok(s)) => s,
    };
    let list = |v: &[i64]| {
        v.iter()
            .map(|n| format!("{n:04}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !schema.unknown.is_empty() {
        return Err(NotReady {
            reason: "migrations_ahead",
            id: format!(
                "basis data memuat migrasi yang tidak dikenal wahana ini ({}; yang dikenal sampai {:04}): basis data dimutakhirkan oleh wahana yang lebih baru",
                list(&schema.unknown),
                schema.known
            ),
            en: format!(
                "the database holds migrations this wahana does not know ({}; it knows up to {:04}): a newer wahana upgraded it",
                list(&schema.unknown),
                schema.known
            ),
        });
    }
    if !schema.missing.is_empty() {
        return Err(NotReady {
            reason: "migrations_behind",
            id: format!(
                "migrasi belum dijalankan pada basis data: {} (jalankan `wahana init`)",
                list(&schema.missing)
            ),
            en: format!(
                "migrations not applied to the database: {} (run `wahana init`)",
                list(&schema.missing)
            ),
        });
    }
    Ok(schema.known)
}

fn backend_name(b: wahana_store::Backend) -> &'static str {
    match b {
        wahana_store::Backend::Sqlite => "sqlite",
        wahana_store::Backend::Postgres => "postgres",
    }
}

/// `/metrics`: every series of `web/metrics.rs`, to a peer on this machine or a private
/// network, or to anyone showing the configured token; 403 otherwise.
pub async fn metrics(State(st): State<AppState>, parts: Parts) -> Response {
    if !may_read_metrics(&parts, st.metrics_token.as_deref()) {
        return (
            StatusCode::FORBIDDEN,
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                NO_STORE,
            ],
            "Ditolak: /metrics hanya untuk jaringan lokal, atau dengan token (Authorization: Bearer).\n\
             Refused: /metrics is for the local network only, or with the token (Authorization: Bearer).\n",
        )
            .into_response();
    }
    let mut text = st
        .metrics
        .render(st.primary.backend(), st.primary.pool_use());
    if let Some(r) = &st.replica {
        r.render_metrics(&mut text);
    }
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            NO_STORE,
        ],
        text,
    )
        .into_response()
}

/// A local peer (this machine or a private network) that came straight here, or any peer
/// with the token. A request that passed through a reverse proxy (it says so in
/// `Forwarded`, `X-Forwarded-For` or `X-Real-IP`) is not local whatever the proxy's address:
/// behind a proxy on this machine every client would otherwise look local. Without the
/// connection's address (a router served without connect info) nobody is local.
fn may_read_metrics(parts: &Parts, token: Option<&str>) -> bool {
    if let Some(token) = token.filter(|t| !t.is_empty()) {
        let shown = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if shown.is_some_and(|s| same_secret(s, token)) {
            return true;
        }
    }
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    peer.is_some_and(is_local) && !forwarded(&parts.headers)
}

fn forwarded(headers: &HeaderMap) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h))
}

/// Loopback, private (RFC 1918; IPv6 unique local) and link-local addresses.
pub fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_local(IpAddr::V4(v4)),
            None => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
        },
    }
}

/// Compares two secrets in a time that does not depend on where they differ: their SHA-256
/// digests are compared whole.
fn same_secret(a: &str, b: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (da, db) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    da.iter()
        .zip(db.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The signals that stop the server: Ctrl-C (SIGINT) and, on Unix, SIGTERM (what service
/// managers and container runtimes send). Listened to from the start, so that a signal that
/// comes early still stops the server gracefully instead of killing it.
pub struct StopSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    pub fn listen() -> StopSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let term = signal(SignalKind::terminate())
                .inspect_err(|e| tracing::warn!("SIGTERM cannot be listened to: {e}"))
                .ok();
            StopSignals { term }
        }
        #[cfg(not(unix))]
        {
            StopSignals {}
        }
    }

    /// Resolves with the signal's name once one comes.
    pub async fn recv(self) -> &'static str {
        let interrupt = async {
            if let Err(e) = tokio::signal::ctrl_c().await {
                // Without it only SIGTERM stops the server; never stop on the error itself.
                tracing::warn!("Ctrl-C cannot be listened to: {e}");
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        {
            let terminate = async {
                match self.term {
                    Some(mut t) => {
                        t.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = interrupt => "SIGINT",
                () = terminate => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            interrupt.await;
            "Ctrl-C"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses() {
        for (ip, local) in [
            ("127.0.0.1", true),
            ("10.1.2.3", true),
            ("172.16.0.9", true),
            ("172.32.0.9", false),
            ("192.168.1.20", true),
            ("169.254.3.4", true),
            ("8.8.8.8", false),
            ("100.64.0.1", false),
            ("::1", true),
            ("fd12:3456::1", true),
            ("fe80::1", true),
            ("2001:db8::1", false),
            ("::ffff:192.168.1.2", true),
            ("::ffff:8.8.8.8", false),
        ] {
            assert_eq!(is_local(ip.parse().unwrap()), local, "{ip}");
        }
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("rahasia-panjang", "rahasia-panjang"));
        assert!(!same_secret("rahasia-panjang", "rahasia-panjanG"));
        assert!(!same_secret("rahasia", "rahasia-panjang"));
        assert!(!same_secret("", "x"));
    }

    fn parts(peer: Option<&str>, headers: &[(&str, &str)]) -> Parts {
        let mut b = axum::http::Request::builder().uri("/metrics");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let (mut p, ()) = b.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            p.extensions
                .insert(ConnectInfo::<SocketAddr>(peer.parse().unwrap()));
        }
        p
    }

    #[test]
    fn who_may_read_the_metrics() {
        let bearer = [("authorization", "Bearer token-rahasia")];
        let wrong = [("authorization", "Bearer token-salah")];
        let proxied = [("x-forwarded-for", "203.0.113.9")];
        for (peer, headers, token, allowed) in [
            (Some("127.0.0.1:9"), &[][..], None, true),
            (Some("192.168.1.5:9"), &[][..], None, true),
            (Some("203.0.113.9:9"), &[][..], None, false),
            (Some("203.0.113.9:9"), &bearer[..], None, false),
            (
                Some("203.0.113.9:9"),
                &bearer[..],
                Some("token-rahasia"),
                true,
            ),
            (
                Some("203.0.113.9:9"),
                &wrong[..],
                Some("token-rahasia"),
                false,
            ),
            (Some("203.0.113.9:9"), &bearer[..], Some(""), false),
            (Some("127.0.0.1:9"), &proxied[..], None, false),
            (
                Some("127.0.0.1:9"),
                &proxied[..],
                Some("token-rahasia"),
                false,
            ),
            (None, &[][..], None, false),
            (None, &bearer[..], Some("token-rahasia"), true),
        ] {
            assert_eq!(
                may_read_metrics(&parts(peer, headers), token),
                allowed,
                "{peer:?} {headers:?} {token:?}"
            );
        }
    }
}
