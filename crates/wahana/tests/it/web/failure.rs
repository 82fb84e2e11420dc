//! The error paths that must keep their promises: an internal error shows a reference and
//! never its detail, PDF printing is limited, reads and a sign-in during an import wait instead
//! of failing, requests are logged without what they carry. (An import whose checking fails
//! part way is tested beside the import, `service/import/tests.rs`.) Every test runs on SQLite
//! and, when `WAHANA_TEST_POSTGRES_URL` is set, on PostgreSQL too.

use super::harness::envs;

/// What a test's tracing subscriber wrote (the log lines of the requests it sent).
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Collects this thread's log (a current-thread test runtime: the handlers run here).
    pub fn start() -> (Captured, tracing::subscriber::DefaultGuard) {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || writer.clone())
            .finish();
        (out, tracing::subscriber::set_default(subscriber))
    }
}

/// The reference an error message ends with (`… (reference 1a2b3c4d)`).
fn reference_in(message: &str) -> &str {
    let (_, r) = message
        .rsplit_once("reference ")
        .or_else(|| message.rsplit_once("rujukan "))
        .unwrap_or_else(|| panic!("no reference in {message}"));
    let r = &r[..r.len().min(8)];
    assert!(
        r.len() == 8 && r.chars().all(|c| c.is_ascii_hexdigit()),
        "{message}"
    );
    r
}

/// A database failure under a public page and the API is a 500 that shows a reference number
/// and nothing of the failure (the table, the SQL), which goes to the log with the reference.
#[tokio::test]
async fn a_database_failure_is_a_500_with_a_reference_and_its_detail_only_in_the_log() {
    use axum::http::{Method, StatusCode};
    for env in envs().await {
        let n = env.name;
        wahana_store::on_pool!(env.store.pool(), p => {
            sqlx::query("DROP TABLE tally_village").execute(p).await.unwrap();
        });
        let (log, _guard) = Captured::start();
        let r = env
            .api(
                Method::GET,
                "/api/v1/regions/73.08.21/screening?lang=en",
                None,
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{n}: {}",
            r.text
        );
        assert!(!r.text.contains("tally_village"), "{n}: {}", r.text);
        assert!(!r.text.contains("database"), "{n}: {}", r.text);
        let body = r.json();
        assert_eq!(body["error"], "internal_error", "{n}");
        let reference = reference_in(body["message"].as_str().unwrap()).to_string();
        let logged = log.text();
        let line = logged
            .lines()
            .find(|l| l.contains(&reference))
            .unwrap_or_else(|| panic!("{n}: reference {reference} not logged: {logged}"));
        assert!(line.contains("tally_village"), "{n}: {line}");

        let r = env.page("/regions/73.08.21/screening?lang=en", None).await;
        assert_eq!(
            r.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{n}: {}",
            r.text
        );
        assert!(!r.text.contains("tally_village"), "{n}: {}", r.text);
        let reference = reference_in(&r.text).to_string();
        assert!(log.text().contains(&reference), "{n}");
    }
}

/// PDF printing takes a turn among a few printers: with every turn held, a request is answered
/// 503 with `Retry-After` at once, and no browser is started; with a turn free it prints (here
/// with a browser that does not exist, so printing fails: 503 without `Retry-After`).
#[tokio::test]
async fn pdf_printing_is_limited_and_a_request_without_a_turn_gets_503_retry_after() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use wahana::web::{self, pdf::PdfPrinters};
    for env in envs().await {
        let n = env.name;
        let dir = tempfile::tempdir().unwrap();
        let printers = PdfPrinters::with_wait(1, std::time::Duration::from_millis(50));
        let app = web::app(
            env.store.clone(),
            web::Options {
                secure_cookies: true,
                pdf_browser: Some(dir.path().join("no-such-chromium")),
                pdf_printers: printers.clone(),
                uploads: dir.path().join("uploads"),
                metrics_token: None,
                shutdown_grace: web::DEFAULT_SHUTDOWN_GRACE,
                tls: None,
                report_head: Default::default(),
                read_replica: None,
            },
        );
        let ask = || async {
            let req = Request::get("/regions/73.08.21/report?format=pdf&lang=en")
                .body(Body::empty())
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            let status = res.status();
            let retry = res.headers().get(header::RETRY_AFTER).cloned();
            let body = res.into_body().collect().await.unwrap().to_bytes();
            (status, retry, String::from_utf8_lossy(&body).into_owned())
        };
        let held = printers.turn().await.unwrap();
        let (status, retry, body) = ask().await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{n}: {body}");
        assert_eq!(retry.unwrap(), "10", "{n}");
        assert!(body.contains("every PDF printer"), "{n}: {body}");
        drop(held);
        let (status, retry, body) = ask().await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{n}: {body}");
        assert!(retry.is_none(), "{n}");
        assert!(body.contains("could not print"), "{n}: {body}");
        // The turn was given back after the failed print.
        assert!(printers.turn().await.is_some(), "{n}");
    }
}

/// While an import's batch holds the database's write lock (longer than SQLite's busy timeout
/// of 10 s), pages and the API read as before the import, and a sign-in waits for the lock
/// instead of failing with a 500.
#[tokio::test]
async fn reads_and_a_sign_in_during_an_import_succeed() {
    use super::harness::PASSWORD;
    use axum::http::{Method, StatusCode};
    use serde_json::json;
    use std::time::Duration;
    for env in envs().await {
        let n = env.name;
        let groups_before = env.store.counts().await.unwrap().groups;
        let mut batch = env.store.begin().await.unwrap();
        let mut wave = wahana_domain::demo::demo_wave(false);
        wave.id = "impor-berjalan".into();
        wave.name = "Impor berjalan".into();
        batch.save_wave(&wave).await.unwrap();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let import = tokio::spawn(async move {
            // Held past the pool's busy timeout, unless the reads and the sign-in are done.
            let _ = tokio::time::timeout(Duration::from_secs(11), rx).await;
            batch.commit().await.unwrap();
        });
        for path in [
            "/",
            "/regions/73.08.21",
            "/regions/73.08.21/report",
            "/waves",
        ] {
            let r = tokio::time::timeout(Duration::from_secs(5), env.page(path, None))
                .await
                .unwrap_or_else(|_| panic!("{n}: {path} waited for the import"));
            assert_eq!(r.status, StatusCode::OK, "{n}: {path}: {}", r.text);
            assert!(!r.text.contains("Impor berjalan"), "{n}: {path}");
        }
        let r = tokio::time::timeout(
            Duration::from_secs(5),
            env.api(Method::GET, "/api/v1/waves", None, None),
        )
        .await
        .unwrap();
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let r = env
            .api(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"name": "viewer", "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let _ = tx.send(());
        import.await.unwrap();
        assert!(
            env.store.wave("impor-berjalan").await.unwrap().is_some(),
            "{n}"
        );
        assert_eq!(
            env.store.counts().await.unwrap().groups,
            groups_before,
            "{n}"
        );
    }
}

/// Every request is logged with its method, its path without the query, its status and its
/// time; a refused write again with who asked and the kind of record; never a token.
#[tokio::test]
async fn requests_and_refused_writes_are_logged_without_queries_or_tokens() {
    use axum::http::{Method, StatusCode};
    for env in envs().await {
        let n = env.name;
        let (log, _guard) = Captured::start();
        let r = env.page("/search?q=NamaRahasia", None).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("viewer"),
                Some(super::harness::new_group("73.08.21.1003", "Arisan Uji Log")),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: {}", r.text);
        let text = log.text();
        let search = text
            .lines()
            .find(|l| l.contains("path=/search"))
            .unwrap_or_else(|| panic!("{n}: {text}"));
        assert!(
            search.contains("status=200") && search.contains("method=GET"),
            "{n}: {search}"
        );
        assert!(!text.contains("NamaRahasia"), "{n}: {text}");
        let refused = text
            .lines()
            .find(|l| l.contains("write refused"))
            .unwrap_or_else(|| panic!("{n}: {text}"));
        assert!(refused.contains("viewer (viewer)"), "{n}: {refused}");
        assert!(
            refused.contains("kind=\"groups\"") || refused.contains("kind=groups"),
            "{n}: {refused}"
        );
        assert!(refused.contains("status=403"), "{n}: {refused}");
        assert!(
            !text.contains(&env.sessions["viewer"].0),
            "{n}: a token was logged"
        );
    }
}
