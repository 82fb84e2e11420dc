//! The probes and the metrics (`web/ops.rs`, `web/metrics.rs`): `/healthz`, `/readyz` (and
//! its 503s: a database that cannot be reached, migrations this binary does not carry or has
//! not run), `/metrics` (its content after some requests and imports, and who may read it).

use super::harness::{Env, INSIDE, Res, envs};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use std::net::SocketAddr;
use wahana::web;

/// `GET uri` from a peer at `peer` (none: served without connect info), with extra headers.
async fn from(
    env: &Env,
    app: Option<&axum::Router>,
    uri: &str,
    peer: Option<&str>,
    headers: &[(&str, &str)],
) -> Res {
    let mut b = Request::builder().uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut req = b.body(Body::empty()).unwrap();
    if let Some(p) = peer {
        req.extensions_mut()
            .insert(ConnectInfo::<SocketAddr>(p.parse().unwrap()));
    }
    match app {
        None => env.send(req).await,
        Some(app) => {
            use http_body_util::BodyExt;
            use tower::ServiceExt;
            let res = app.clone().oneshot(req).await.unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let bytes = res.into_body().collect().await.unwrap().to_bytes();
            Res {
                status,
                headers,
                text: String::from_utf8_lossy(&bytes).into_owned(),
                bytes: bytes.to_vec(),
            }
        }
    }
}

/// The value of the sample written exactly as `series` (name and labels), if any.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map(|v| v.parse().unwrap())
}

/// Records migration `version` as run, as a newer wahana would.
async fn record_migration(env: &Env, version: i64) {
    wahana_store::on_pool!(env.store.pool(), p => {
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES ($1, 'dari wahana yang lebih baru', $2, $3, 0)",
        )
        .bind(version)
        .bind(true)
        .bind(vec![0u8; 48])
        .execute(p)
        .await
        .unwrap();
    });
}

async fn forget_migration(env: &Env, version: i64) {
    wahana_store::on_pool!(env.store.pool(), p => {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = $1")
            .bind(version)
            .execute(p)
            .await
            .unwrap();
    });
}

#[tokio::test]
async fn healthz_and_readyz_answer_without_sign_in_and_readyz_says_why_it_is_not_ready() {
    for env in envs().await {
        let n = env.name;
        let r = env.page("/healthz", None).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert_eq!(r.text, "ok\n", "{n}");
        assert!(r.headers.get(header::SET_COOKIE).is_none(), "{n}");

        let schema = env.store.schema().await.unwrap();
        assert!(schema.is_current(), "{n}: {schema:?}");
        assert_eq!(schema.applied, Some(schema.known), "{n}");
        let r = env.page("/readyz", None).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["status"], "ready", "{n}");
        assert_eq!(j["database"], n, "{n}");
        assert_eq!(j["migration"], schema.known, "{n}");

        // A migration of a newer wahana recorded in the database.
        record_migration(&env, 9999).await;
        let r = env.page("/readyz", None).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["status"], "not_ready", "{n}");
        assert_eq!(j["reason"], "migrations_ahead", "{n}");
        assert!(j["message"].as_str().unwrap().contains("9999"), "{n}: {j}");
        assert!(
            j["message_en"].as_str().unwrap().contains("9999"),
            "{n}: {j}"
        );
        forget_migration(&env, 9999).await;
        assert_eq!(
            env.page("/readyz", None).await.status,
            StatusCode::OK,
            "{n}"
        );

        // This binary's latest migration not recorded as run.
        forget_migration(&env, schema.known).await;
        let r = env.page("/readyz", None).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["reason"], "migrations_behind", "{n}");
        let known = format!("{:04}", schema.known);
        assert!(j["message"].as_str().unwrap().contains(&known), "{n}: {j}");
        assert!(
            j["message_en"].as_str().unwrap().contains("wahana init"),
            "{n}: {j}"
        );

        // A database that cannot be reached: readiness fails, liveness does not.
        env.store.close().await;
        let r = env.page("/readyz", None).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["reason"], "database_unreachable", "{n}");
        assert!(
            !r.text.contains("127.0.0.1") && !r.text.contains(".db"),
            "{n}: {}",
            r.text
        );
        assert_eq!(
            env.page("/healthz", None).await.status,
            StatusCode::OK,
            "{n}"
        );
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_status_and_time_and_imports_by_outcome() {
    for env in envs().await {
        let n = env.name;
        let (id, _) = env.group_in(INSIDE).await;
        for _ in 0..2 {
            assert_eq!(
                env.page("/regions/73.08.21", None).await.status,
                StatusCode::OK
            );
        }
        let r = env.page(&format!("/groups/{id}"), Some("admin")).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let r = env.page("/groups/K-TIDAK-ADA", Some("admin")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
        let r = env.page("/tidak/ada/halaman-rahasia", None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
        // One import written, one refused (an unknown village), one dry run.
        let good = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tujuan,nilai,tanggal_pendataan\n\
                    73.08.21.1003,Arisan Metrik Satu,arisan,tumbuh_masyarakat,1990,ketahanan_sosial,kebersamaan,2007-08-14\n\
                    73.08.21.1003,Arisan Metrik Dua,arisan,tumbuh_masyarakat,1991,ketahanan_sosial,kebersamaan,2007-08-14\n";
        let r = env
            .import_api(Some("admin"), "metrik.csv", good, false)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(r.json()["written"], 2, "{n}: {}", r.text);
        let bad = good.replace("Metrik", "Metrik Salah").replace(
            "73.08.21.1003,Arisan Metrik Salah Dua",
            "99.99.99.9999,Arisan Metrik Salah Dua",
        );
        let r = env
            .import_api(Some("admin"), "metrik-salah.csv", &bad, false)
            .await;
        assert_eq!(r.json()["committed"], false, "{n}: {}", r.text);
        let dry = good.replace("Metrik", "Metrik Coba");
        let r = env
            .import_api(Some("admin"), "metrik-coba.csv", &dry, true)
            .await;
        assert_eq!(r.json()["dry_run"], true, "{n}: {}", r.text);

        let r = from(&env, None, "/metrics", Some("127.0.0.1:40000"), &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
        assert!(ct.starts_with("text/plain; version=0.0.4"), "{n}: {ct}");
        let m = &r.text;
        let get = |series: &str| {
            sample(m, series).unwrap_or_else(|| panic!("{n}: {series} missing from\n{m}"))
        };
        let region = r#"method="GET",route="/regions/{code}""#;
        assert_eq!(
            get(&format!(
                "wahana_http_requests_total{{{region},status=\"200\"}}"
            )),
            2.0
        );
        assert_eq!(
            get(&format!(
                "wahana_http_request_duration_seconds_count{{{region}}}"
            )),
            2.0
        );
        assert_eq!(
            get(&format!(
                "wahana_http_request_duration_seconds_bucket{{{region},le=\"+Inf\"}}"
            )),
            2.0
        );
        assert!(
            get(&format!(
                "wahana_http_request_duration_seconds_sum{{{region}}}"
            )) > 0.0
        );
        let group = r#"method="GET",route="/groups/{id}""#;
        assert_eq!(
            get(&format!(
                "wahana_http_requests_total{{{group},status=\"200\"}}"
            )),
            1.0
        );
        assert_eq!(
            get(&format!(
                "wahana_http_requests_total{{{group},status=\"404\"}}"
            )),
            1.0
        );
        assert_eq!(
            get(r#"wahana_http_requests_total{method="GET",route="unmatched",status="404"}"#),
            1.0
        );
        assert_eq!(
            get(r#"wahana_http_requests_total{method="POST",route="/api/v1/import",status="200"}"#),
            3.0
        );
        // Templates only: never a path as asked, an id or a name.
        for raw in [
            id.as_str(),
            "K-TIDAK-ADA",
            "halaman-rahasia",
            "73.08.21",
            "Metrik",
        ] {
            assert!(!m.contains(raw), "{n}: {raw} in the metrics\n{m}");
        }
        // This request itself is in flight while the metrics are written.
        assert_eq!(get("wahana_http_requests_in_flight"), 1.0, "{n}");
        assert_eq!(
            get(r#"wahana_imports_total{outcome="written"}"#),
            1.0,
            "{n}"
        );
        assert_eq!(
            get(r#"wahana_imports_total{outcome="refused"}"#),
            1.0,
            "{n}"
        );
        assert_eq!(
            get(r#"wahana_imports_total{outcome="checked"}"#),
            1.0,
            "{n}"
        );
        assert_eq!(get(r#"wahana_imports_total{outcome="failed"}"#), 0.0, "{n}");
        assert_eq!(get("wahana_import_rows_read_total"), 6.0, "{n}");
        assert_eq!(get("wahana_import_rows_written_total"), 2.0, "{n}");
        assert_eq!(get("wahana_import_rows_rejected_total"), 1.0, "{n}");
        assert_eq!(get("wahana_openrosa_submissions_total"), 0.0, "{n}");
        let pool = env.store.pool_use();
        assert!(get("wahana_db_pool_size") >= 1.0, "{n}");
        assert!(
            get("wahana_db_pool_idle") <= get("wahana_db_pool_size"),
            "{n}"
        );
        assert_eq!(get("wahana_db_pool_max"), f64::from(pool.max), "{n}");
        assert_eq!(
            get(&format!(
                "wahana_build_info{{version=\"{}\",database=\"{n}\"}}",
                env!("CARGO_PKG_VERSION")
            )),
            1.0
        );
        // The scrape itself is counted once it is answered.
        let again = from(&env, None, "/metrics", Some("127.0.0.1:40000"), &[]).await;
        assert_eq!(
            sample(
                &again.text,
                r#"wahana_http_requests_total{method="GET",route="/metrics",status="200"}"#
            ),
            Some(1.0),
            "{n}"
        );
    }
}

#[tokio::test]
async fn metrics_are_refused_beyond_the_local_network_without_the_token() {
    let env = Env::new("sqlite", None).await;
    let dir = tempfile::tempdir().unwrap();
    let with_token = web::app(
        env.store.clone(),
        web::Options {
            secure_cookies: true,
            pdf_browser: None,
            pdf_printers: web::pdf::PdfPrinters::new(1),
            uploads: dir.path().join("uploads"),
            metrics_token: Some("token-metrik-uji".into()),
            shutdown_grace: web::DEFAULT_SHUTDOWN_GRACE,
            tls: None,
            report_head: Default::default(),
            read_replica: None,
        },
    );
    let bearer = [("authorization", "Bearer token-metrik-uji")];
    let wrong = [("authorization", "Bearer token-lain")];
    let session = format!("Bearer {}", env.sessions["admin"].0);
    let admin = [("authorization", session.as_str())];
    let proxied = [("x-forwarded-for", "203.0.113.9")];
    let far = Some("203.0.113.9:50000");
    for (what, app, peer, headers, status) in [
        ("loopback", None, Some("127.0.0.1:1"), &[][..], 200),
        ("IPv6 loopback", None, Some("[::1]:1"), &[][..], 200),
        ("private network", None, Some("10.20.30.40:1"), &[][..], 200),
        ("far, no token configured", None, far, &[][..], 403),
        (
            "far, a token where none is configured",
            None,
            far,
            &bearer[..],
            403,
        ),
        (
            "far, an admin's session is no metrics token",
            Some(&with_token),
            far,
            &admin[..],
            403,
        ),
        ("far, no token", Some(&with_token), far, &[][..], 403),
        (
            "far, the wrong token",
            Some(&with_token),
            far,
            &wrong[..],
            403,
        ),
        ("far, the token", Some(&with_token), far, &bearer[..], 200),
        (
            "through a proxy on this machine",
            Some(&with_token),
            Some("127.0.0.1:1"),
            &proxied[..],
            403,
        ),
        (
            "through a proxy, with the token",
            Some(&with_token),
            Some("127.0.0.1:1"),
            &[proxied[0], bearer[0]][..],
            200,
        ),
        ("no connection address", None, None, &[][..], 403),
    ] {
        let r = from(&env, app, "/metrics", peer, headers).await;
        assert_eq!(r.status.as_u16(), status, "{what}: {}", r.text);
        if status == 403 {
            assert!(
                r.text.contains("Ditolak") && r.text.contains("Refused"),
                "{what}: {}",
                r.text
            );
            assert!(!r.text.contains("wahana_http"), "{what}");
        } else {
            assert!(
                r.text.contains("# TYPE wahana_http_requests_total counter"),
                "{what}"
            );
        }
    }
    // The probes need nothing, from anywhere.
    for uri in ["/healthz", "/readyz"] {
        let r = from(&env, Some(&with_token), uri, far, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.text);
    }
    // And the API's own path list documents all three.
    let spec = wahana::web::api::openapi::spec();
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert!(
            spec["paths"][path]["get"].is_object(),
            "{path} not documented"
        );
    }
}
