//! HTTP tests on the router itself (`tower::ServiceExt::oneshot`): every route, the permission
//! matrix, personal data, CSRF, edit conflicts, the audit trail, inert HTML and SQL in names.
//! Every test runs on SQLite and, when `WAHANA_TEST_POSTGRES_URL` is set, on a fresh PostgreSQL
//! database too.

use super::{AppState, Shared, router};
use crate::service::{self, caller::Caller, users};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;
use wahana_domain::{RegionCode, RegionTree};
use wahana_store::Store;

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A village of the demonstration data (Kelurahan in Tanete Riattang).
const INSIDE: &str = "73.08.21.1003";
/// The roles and their regions: officers and others work in Tanete Riattang (73.08.21).
const PEOPLE: [(&str, &str, Option<&str>); 6] = [
    ("admin", "admin", None),
    ("officer", "officer", Some("73.08.21")),
    ("officer_away", "officer", Some("73.08.22")),
    ("enumerator", "enumerator", Some("73.08.21")),
    ("viewer", "viewer", Some("73.08.21")),
    ("enumerator_away", "enumerator", Some("73.08.22")),
];
pub const PASSWORD: &str = "kata-sandi-uji";

pub struct Env {
    pub name: &'static str,
    pub app: Router,
    pub store: Store,
    _dir: tempfile::TempDir,
    /// Session token and CSRF token per person.
    pub sessions: HashMap<&'static str, (String, String)>,
    /// Where uploads wait for confirmation.
    pub uploads: std::path::PathBuf,
    /// A village outside Tanete Riattang (in 73.08.22) and a group there.
    pub away_village: String,
    pub away_group: String,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
    /// The body as sent (downloads that are not text).
    pub bytes: Vec<u8>,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

async fn fresh_postgres(admin: &str) -> String {
    use sqlx::Connection;
    let name = format!(
        "wahana_web_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut c)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut c)
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

/// SQLite always; PostgreSQL when asked (and always in CI).
pub async fn envs() -> Vec<Env> {
    let mut out = vec![Env::new("sqlite", None).await];
    match std::env::var("WAHANA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            out.push(Env::new("postgres", Some(fresh_postgres(&url).await)).await)
        }
        _ => assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but WAHANA_TEST_POSTGRES_URL is not"
        ),
    }
    out
}

impl Env {
    async fn new(name: &'static str, url: Option<String>) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let url = url.unwrap_or_else(|| dir.path().join("w.db").display().to_string());
        let store = service::open_with(&url, wahana_store::Sharing::Shared)
            .await
            .unwrap();
        service::demo::load(
            &store,
            service::demo::Scale::Tanete,
            wahana_domain::demo::DEFAULT_SEED,
            &|_, _| Ok(()),
        )
        .await
        .unwrap();
        let mut sessions = HashMap::new();
        for (who, role, region) in PEOPLE {
            users::add(&store, &Caller::cli(), who, PASSWORD, role, region)
                .await
                .unwrap();
            let (token, csrf, _) = users::sign_in(&store, who, PASSWORD, "")
                .await
                .unwrap()
                .unwrap();
            sessions.insert(who, (token, csrf));
        }
        let away = RegionCode::parse("73.08.22").unwrap();
        let away_village = RegionTree::official()
            .villages_under(&away)
            .next()
            .unwrap()
            .code
            .to_string();
        let app = router(AppState(Arc::new(Shared {
            store: store.clone(),
            secure_cookies: true,
            profiles: Default::default(),
            // No PDF printing here: `tests/it/browser.rs` prints with the real Chromium.
            pdf_browser: None,
            pdf_printers: super::pdf::PdfPrinters::new(2),
            uploads: dir.path().join("uploads"),
        })));
        let mut env = Env {
            name,
            app,
            uploads: dir.path().join("uploads"),
            store,
            _dir: dir,
            sessions,
            away_village: away_village.clone(),
            away_group: String::new(),
        };
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("admin"),
                Some(new_group(&away_village, "Arisan Jauh")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        env.away_group = r.json()["id"].as_str().unwrap().to_string();
        env
    }

    pub async fn send(&self, req: Request<Body>) -> Res {
        let res = self.app.clone().oneshot(req).await.unwrap();
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

    /// An API call with a Bearer token (or anonymous).
    pub async fn api(
        &self,
        method: Method,
        uri: &str,
        who: Option<&str>,
        body: Option<Value>,
    ) -> Res {
        let mut b = Request::builder().method(method).uri(uri);
        if let Some(w) = who {
            b = b.header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.sessions[w].0),
            );
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// A page with the session cookie (or anonymous).
    pub async fn page(&self, uri: &str, who: Option<&str>) -> Res {
        let mut b = Request::builder().uri(uri);
        if let Some(w) = who {
            b = b.header(
                header::COOKIE,
                format!("wahana_session={}", self.sessions[w].0),
            );
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// A form POST with the session cookie and (unless `csrf` is false) the session's token.
    pub async fn form(
        &self,
        uri: &str,
        who: Option<&str>,
        pairs: &[(&str, &str)],
        csrf: bool,
    ) -> Res {
        let mut pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(w) = who {
            b = b.header(
                header::COOKIE,
                format!("wahana_session={}", self.sessions[w].0),
            );
            if csrf {
                pairs.push(("_csrf".into(), self.sessions[w].1.clone()));
            }
        }
        let body = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", super::pct(k), super::pct(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// A file sent to `POST /api/v1/import` with a Bearer token (or anonymous).
    pub async fn import_api(
        &self,
        who: Option<&str>,
        name: &str,
        body: &str,
        dry_run: bool,
    ) -> Res {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/import?filename={name}&dry_run={dry_run}"));
        if let Some(w) = who {
            b = b.header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.sessions[w].0),
            );
        }
        self.send(b.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// A multipart form POST (the import page) with the session cookie and its token.
    pub async fn upload(
        &self,
        uri: &str,
        who: Option<&str>,
        fields: &[(&str, &str)],
        file: Option<(&str, &str)>,
    ) -> Res {
        let body = self.multipart(who, fields, file.map(|(n, t)| (n, t.as_bytes())));
        self.upload_body(uri, who, body).await
    }

    /// The body of a multipart form (with the person's CSRF token) holding a file.
    pub fn multipart(
        &self,
        who: Option<&str>,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> Vec<u8> {
        let boundary = "wahana-test-boundary";
        let mut body = Vec::new();
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        if let Some(w) = who {
            fields.push(("_csrf", &self.sessions[w].1));
        }
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, bytes)) = file {
            body.extend_from_slice(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n"
            ).as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        body
    }

    /// Sends a multipart body as [`Env::multipart`] makes it, with the session cookie.
    pub async fn upload_body(&self, uri: &str, who: Option<&str>, body: Vec<u8>) -> Res {
        let mut b = Request::builder().method(Method::POST).uri(uri).header(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=wahana-test-boundary",
        );
        if let Some(w) = who {
            b = b.header(
                header::COOKIE,
                format!("wahana_session={}", self.sessions[w].0),
            );
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// How many uploads wait on disk.
    pub fn uploads_waiting(&self) -> usize {
        std::fs::read_dir(&self.uploads).map_or(0, |d| d.count())
    }

    /// How many groups of a name are held (as an admin sees them).
    pub async fn groups_named(&self, name: &str) -> i64 {
        let r = self
            .api(
                Method::GET,
                &format!("/api/v1/groups?name={}", super::pct(name)),
                Some("admin"),
                None,
            )
            .await;
        r.json()["total"].as_i64().unwrap()
    }

    /// Some group of the demonstration data in a village.
    pub async fn group_in(&self, village: &str) -> (String, i64) {
        let r = self
            .api(
                Method::GET,
                &format!("/api/v1/groups?region={village}&limit=1"),
                Some("admin"),
                None,
            )
            .await;
        let g = &r.json()["items"][0];
        (
            g["id"].as_str().unwrap().to_string(),
            g["version"].as_i64().unwrap(),
        )
    }
}

pub fn new_group(village: &str, name: &str) -> Value {
    json!({"fields": {
        "kode_wilayah": village, "nama": name, "jenis": "arisan", "asal": "tumbuh_masyarakat",
        "tahun_berdiri": "1990", "ketua": "Ibu Rahasia", "telepon": "081234567890",
        "tujuan": "ketahanan_sosial", "nilai": "gotong_royong", "dasar_keanggotaan": "domisili"
    }, "allow_duplicate": true})
}

#[tokio::test]
async fn anonymous_pages_and_statuses() {
    for env in envs().await {
        let n = env.name;
        for (uri, status) in [
            ("/", 200),
            ("/regions/73", 200),
            ("/regions/73.08", 200),
            ("/regions/73.08.21", 200),
            ("/regions/7308211003", 200),
            ("/regions/73.08.21/report", 200),
            ("/regions/73.08.21/report?format=xlsx", 200),
            ("/regions/73.08.21/report?format=doc", 422),
            ("/regions/nasional/report", 200),
            ("/regions/73.08.21/screening", 200),
            ("/regions/73.08.21/audit", 401),
            ("/regions/99.99", 404),
            ("/search?q=tanete", 200),
            ("/signin", 200),
            ("/import", 401),
            ("/admin/users", 401),
            ("/groups/new", 401),
            ("/static/style.css", 200),
            ("/nowhere", 404),
            ("/lang/en?next=/regions/73", 303),
        ] {
            let r = env.page(uri, None).await;
            assert_eq!(
                r.status.as_u16(),
                status,
                "{n} {uri}: {}",
                &r.text[..r.text.len().min(400)]
            );
        }
        let (id, _) = env.group_in(INSIDE).await;
        assert_eq!(
            env.page(&format!("/groups/{id}"), None).await.status,
            StatusCode::UNAUTHORIZED
        );
        // The village page of an anonymous visitor: counts, not records.
        let v = env.page(&format!("/regions/{INSIDE}"), None).await;
        assert!(
            !v.text.contains("/groups/K-"),
            "{n}: anonymous sees group links"
        );
        assert!(v.text.contains("Lima temuan"), "{n}");
        // The findings' charts are HTML bars with a caption; the report downloads are linked
        // (PDF only where the server can print it: not here).
        let k = env.page("/regions/73.08.21", None).await;
        assert!(k.text.contains("class=\"bars\""), "{n}");
        assert!(
            k.text.contains("/regions/73.08.21/report?format=xlsx"),
            "{n}"
        );
        assert!(!k.text.contains("format=pdf"), "{n}");
        assert!(k.text.contains("class=\"map\""), "{n}: a district's map");
        assert!(
            k.text.contains(">Watampone</text>"),
            "{n}: villages named on the map"
        );
        assert!(
            !v.text.contains("class=\"map\""),
            "{n}: no map of one village"
        );
        // English by cookie or query; the switch keeps the page.
        let en = env.page("/regions/73.08.21?lang=en", None).await;
        assert!(en.text.contains("The five findings"), "{n}");
        let sw = env.page("/lang/en?next=/regions/73", None).await;
        assert_eq!(sw.headers[header::LOCATION], "/regions/73");
        assert!(
            sw.headers[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("wahana_lang=en")
        );
        // An open redirect is refused.
        let sw = env.page("/lang/en?next=//evil.example", None).await;
        assert_eq!(sw.headers[header::LOCATION], "/");
        // Security headers on every response.
        assert!(v.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    }
}

#[tokio::test]
async fn signed_in_pages() {
    for env in envs().await {
        let n = env.name;
        let (id, _) = env.group_in(INSIDE).await;
        for (uri, who, status) in [
            (format!("/groups/{id}"), "officer", 200),
            (format!("/groups/{id}"), "viewer", 200),
            // Another region's group is answered as missing.
            (format!("/groups/{id}"), "officer_away", 404),
            (format!("/groups/{id}/edit"), "enumerator", 200),
            (format!("/groups/{id}/edit"), "viewer", 403),
            (format!("/groups/{id}/delete"), "officer", 200),
            (format!("/groups/{id}/delete"), "enumerator", 403),
            (format!("/groups/{id}/delete"), "viewer", 403),
            (format!("/groups/new?village={INSIDE}"), "enumerator", 200),
            (
                format!("/groups/new?village={INSIDE}"),
                "enumerator_away",
                403,
            ),
            ("/regions/73.08.21/audit".to_string(), "officer", 200),
            ("/regions/73.08.21/audit".to_string(), "enumerator", 403),
            ("/admin/users".to_string(), "admin", 200),
            ("/admin/users".to_string(), "officer", 403),
            ("/import".to_string(), "admin", 200),
            ("/import".to_string(), "officer", 200),
            ("/import".to_string(), "enumerator", 403),
            ("/import".to_string(), "viewer", 403),
            ("/search?q=arisan".to_string(), "officer", 200),
            (
                "/search?q=arisan&region=73.08.22".to_string(),
                "officer",
                403,
            ),
            (format!("/regions/{INSIDE}/screening"), "officer", 200),
        ] {
            let r = env.page(&uri, Some(who)).await;
            assert_eq!(
                r.status.as_u16(),
                status,
                "{n} {who} {uri}: {}",
                &r.text[..r.text.len().min(300)]
            );
        }
        let v = env.page("/regions/73.08.21.1007", Some("viewer")).await;
        assert!(
            v.text.contains("/groups/K-"),
            "{n}: a viewer of the region sees its groups"
        );
        // A group's page links back up the region tree and says its data is synthetic; its
        // delete button asks first, on a page of its own.
        let g = env.page(&format!("/groups/{id}"), Some("officer")).await;
        assert!(
            g.text
                .contains("<a href=\"/regions/73.08.21\">Tanete Riattang</a>")
                && g.text
                    .contains("<a href=\"/regions/73.08\">Kabupaten Bone</a>"),
            "{n}: crumbs"
        );
        assert!(g.text.contains("class=\"synthetic\""), "{n}");
        assert!(
            g.text.contains(&format!(
                "href=\"/groups/{id}/delete?wave=demo-2007-sintetis\""
            )),
            "{n}: delete is a link to the question"
        );
        let q = env
            .page(&format!("/groups/{id}/delete"), Some("officer"))
            .await;
        assert!(
            q.text.contains(&format!(
                "action=\"/groups/{id}/delete?wave=demo-2007-sintetis\""
            )) && q.text.contains("Ya, hapus"),
            "{n}"
        );
        let s = env.page("/search?q=arisan", Some("officer")).await;
        assert!(s.text.contains("/groups/K-7308211"), "{n}");
        assert!(
            !s.text.contains("Arisan Jauh"),
            "{n}: search leaves the officer's region"
        );
        let s = env.page("/search?q=arisan%20jauh", Some("admin")).await;
        assert!(
            s.text.contains("Arisan Jauh"),
            "{n}: an admin searches everywhere"
        );
        // Every list pages: 50 rows at most, with a link to the next page.
        assert!(
            v.text.matches("<tr><td><a href=\"/groups/").count() <= 50,
            "{n}"
        );
        assert!(
            v.text.contains("offset=50"),
            "{n}: a village of 50+ groups has a next page"
        );
    }
}

#[tokio::test]
async fn sign_in_with_csrf_and_failure_limit() {
    for env in envs().await {
        let n = env.name;
        // The form sets its token cookie; posting it back signs in.
        let f = env.page("/signin", None).await;
        let cookie = f.headers[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite"),
            "{n}"
        );
        let token = cookie
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string();
        assert!(f.text.contains(&token), "{n}");
        let post = |body: String, with_cookie: bool| {
            let mut b = Request::builder()
                .method(Method::POST)
                .uri("/signin")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            if with_cookie {
                b = b.header(header::COOKIE, format!("wahana_csrf={token}"));
            }
            b.body(Body::from(body)).unwrap()
        };
        let ok = env
            .send(post(
                format!("name=officer&password={PASSWORD}&_csrf={token}&next=/regions/73"),
                true,
            ))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{n}: {}", ok.text);
        assert_eq!(ok.headers[header::LOCATION], "/regions/73");
        let set = ok.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(
            set.starts_with("wahana_session=")
                && set.contains("HttpOnly")
                && set.contains("SameSite=Lax")
                && set.contains("Secure"),
            "{n}: {set}"
        );
        // Without the matching cookie: refused.
        let no = env
            .send(post(
                format!("name=officer&password={PASSWORD}&_csrf={token}"),
                false,
            ))
            .await;
        assert_eq!(no.status, StatusCode::FORBIDDEN, "{n}");
        // Wrong passwords: 401 five times, then 429 even with the right one.
        for _ in 0..users::MAX_FAILURES {
            let r = env
                .send(post(
                    format!("name=viewer&password=salah&_csrf={token}"),
                    true,
                ))
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{n}");
            assert!(
                r.text.contains("nama pengguna atau kata sandi salah"),
                "{n}"
            );
        }
        let r = env
            .send(post(
                format!("name=viewer&password={PASSWORD}&_csrf={token}"),
                true,
            ))
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{n}");
        let r = env
            .api(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"name": "viewer", "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{n}");
        assert_eq!(r.json()["error"], "too_many_failures");
        // The API sign-in gives a Bearer token that works.
        let r = env
            .api(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"name": "officer", "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let t = r.json()["token"].as_str().unwrap().to_string();
        let me = env
            .send(
                Request::builder()
                    .uri("/api/v1/session")
                    .header(header::AUTHORIZATION, format!("Bearer {t}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(me.json()["role"], "officer", "{n}");
        // Signing out ends the session.
        let out = env.form("/signout", Some("enumerator"), &[], true).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{n}");
        assert_eq!(
            env.page("/groups/new", Some("enumerator")).await.status,
            StatusCode::UNAUTHORIZED,
            "{n}"
        );
    }
}

/// Every role × every write route × inside and outside its region.
#[tokio::test]
async fn permission_matrix() {
    for env in envs().await {
        let n = env.name;
        // (role, may create, may edit, may delete) inside 73.08.21; outside only admin may.
        let rules: [(&str, bool, bool, bool); 6] = [
            ("admin", true, true, true),
            ("officer", true, true, true),
            ("enumerator", true, true, false),
            ("viewer", false, false, false),
            ("officer_away", true, true, true),
            ("enumerator_away", true, true, false),
        ];
        for (who, create, edit, delete) in rules {
            for (village, in_tanete) in [(INSIDE, true), (env.away_village.as_str(), false)] {
                // The `_away` people work in 73.08.22: for them the other village is inside.
                let inside = in_tanete != who.ends_with("_away");
                let allowed = |x: bool| x && (inside || who == "admin");
                // A held record of a region the person may not read is answered as missing.
                let refused = if inside { 403 } else { 404 };
                // API create.
                let r = env
                    .api(
                        Method::POST,
                        "/api/v1/groups",
                        Some(who),
                        Some(new_group(village, &format!("Uji {who} {inside}"))),
                    )
                    .await;
                let expect = if allowed(create) { 201 } else { 403 };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} create api inside={inside}: {}",
                    r.text
                );
                // HTML create.
                let r = env
                    .form(
                        "/groups",
                        Some(who),
                        &[
                            ("kode_wilayah", village),
                            ("nama", &format!("Form {who} {inside}")),
                            ("jenis", "pkk"),
                            ("asal", "dibentuk_pemerintah"),
                            ("tahun_berdiri", "2001"),
                            ("allow_duplicate", "1"),
                        ],
                        true,
                    )
                    .await;
                let expect = if allowed(create) { 303 } else { 403 };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} create form inside={inside}: {}",
                    &r.text[..r.text.len().min(300)]
                );
                // API and HTML edit of an existing group.
                let (id, version) = env.group_in(village).await;
                let r = env.api(Method::PATCH, &format!("/api/v1/groups/{id}"), Some(who), Some(json!({"fields": {"catatan": format!("oleh {who}")}, "version": version}))).await;
                let expect = if allowed(edit) { 200 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} edit api inside={inside}: {}",
                    r.text
                );
                let (id, version) = env.group_in(village).await;
                let v = version.to_string();
                let mut pairs: Vec<(&str, String)> = Vec::new();
                let g = env
                    .api(
                        Method::GET,
                        &format!("/api/v1/groups/{id}"),
                        Some("admin"),
                        None,
                    )
                    .await
                    .json();
                pairs.push(("kode_wilayah", g["village"].as_str().unwrap().into()));
                pairs.push(("nama", g["name"].as_str().unwrap().into()));
                pairs.push(("jenis", g["group_type"].as_str().unwrap().into()));
                pairs.push(("asal", g["origin"].as_str().unwrap().into()));
                pairs.push(("tahun_berdiri", g["founded_year"].to_string()));
                pairs.push((
                    "tanggal_pendataan",
                    g["survey_date"].as_str().unwrap().into(),
                ));
                pairs.push(("version", v));
                let pairs_ref: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = env
                    .form(&format!("/groups/{id}"), Some(who), &pairs_ref, true)
                    .await;
                let expect = if allowed(edit) { 303 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} edit form inside={inside}: {}",
                    &r.text[..r.text.len().min(600)]
                );
                // API and HTML delete.
                let (id, _) = env.group_in(village).await;
                let r = env
                    .api(
                        Method::DELETE,
                        &format!("/api/v1/groups/{id}"),
                        Some(who),
                        None,
                    )
                    .await;
                let expect = if allowed(delete) { 204 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} delete api inside={inside}: {}",
                    r.text
                );
                let (id, _) = env.group_in(village).await;
                let q = env.page(&format!("/groups/{id}/delete"), Some(who)).await;
                let expect = if allowed(delete) { 200 } else { refused };
                assert_eq!(
                    q.status.as_u16(),
                    expect,
                    "{n} {who} delete question inside={inside}"
                );
                let r = env
                    .form(&format!("/groups/{id}/delete"), Some(who), &[], true)
                    .await;
                let expect = if allowed(delete) { 303 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} delete form inside={inside}"
                );
                // Members: admins, and officers and enumerators of the group's region; through
                // the API and the group page's forms.
                let may_members = who == "admin"
                    || (inside && (who.starts_with("officer") || who.starts_with("enumerator")));
                let (id, _) = env.group_in(village).await;
                let members = format!("/api/v1/groups/{id}/members");
                let r = env
                    .api(
                        Method::POST,
                        &members,
                        Some(who),
                        Some(json!({"name": format!("Anggota {who} {inside}"), "role": "anggota"})),
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 201 } else { refused },
                    "{n} {who} add member api inside={inside}: {}",
                    r.text
                );
                let r = env
                    .form(
                        &format!("/groups/{id}/members"),
                        Some(who),
                        &[
                            ("nama", &format!("Anggota Formulir {who} {inside}")),
                            ("peran", "bendahara"),
                        ],
                        true,
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 303 } else { refused },
                    "{n} {who} add member form inside={inside}"
                );
                let mut held = Vec::new();
                for i in 0..2 {
                    let m = env
                        .api(
                            Method::POST,
                            &members,
                            Some("admin"),
                            Some(json!({"name": format!("Anggota Admin {who} {inside} {i}")})),
                        )
                        .await;
                    held.push(m.json()["id"].as_i64().unwrap());
                }
                let r = env
                    .api(
                        Method::DELETE,
                        &format!("{members}/{}", held[0]),
                        Some(who),
                        None,
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 204 } else { refused },
                    "{n} {who} delete member api inside={inside}: {}",
                    r.text
                );
                let r = env
                    .form(
                        &format!("/groups/{id}/members/{}/delete", held[1]),
                        Some(who),
                        &[],
                        true,
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 303 } else { refused },
                    "{n} {who} delete member form inside={inside}"
                );
                // Import: admins anywhere, officers inside their region (a row outside it is a
                // problem and nothing is written), nobody else; through the API and the page.
                let importer = who == "admin" || who.starts_with("officer");
                let may_import = who == "admin" || (importer && inside);
                for via_page in [false, true] {
                    let name = format!("Impor {who} {inside} {via_page}");
                    let csv = format!(
                        "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n{village},{name},arisan,tumbuh_masyarakat,1990,2026-01-05\n"
                    );
                    let r = if via_page {
                        env.upload("/import", Some(who), &[], Some(("k.csv", &csv)))
                            .await
                    } else {
                        env.import_api(Some(who), "k.csv", &csv, false).await
                    };
                    assert_eq!(
                        r.status.as_u16(),
                        if importer { 200 } else { 403 },
                        "{n} {who} import page={via_page} inside={inside}: {}",
                        &r.text[..r.text.len().min(400)]
                    );
                    if via_page && r.status == StatusCode::OK {
                        // The page checks first (a dry run), then confirms the kept upload.
                        let token = r
                            .text
                            .split("name=\"confirm\" value=\"")
                            .nth(1)
                            .map(|t| t[..64].to_string());
                        assert_eq!(token.is_some(), may_import, "{n} {who} {inside}");
                        if let Some(t) = token {
                            let c = env
                                .upload("/import", Some(who), &[("confirm", &t)], None)
                                .await;
                            assert_eq!(c.status, StatusCode::OK, "{n} {who}: {}", c.text);
                        } else {
                            assert!(r.text.contains("kode_wilayah"), "{n} {who}");
                        }
                    } else if r.status == StatusCode::OK {
                        let j = r.json();
                        assert_eq!(j["committed"], may_import, "{n} {who} {inside}: {j}");
                        if !may_import {
                            assert_eq!(j["problems"][0]["code"], "outside_region", "{n}: {j}");
                            assert_eq!(j["problems"][0]["field"], "kode_wilayah", "{n}");
                            assert_eq!(j["problems"][0]["row"], 2, "{n}");
                            assert_eq!(j["problems"][0]["column"], "A", "{n}");
                        }
                    }
                    assert_eq!(
                        env.groups_named(&name).await,
                        i64::from(may_import),
                        "{n} {who} import page={via_page} inside={inside}"
                    );
                }
            }
        }
        // Anonymous: every write refused with 401, HTML and API.
        let (id, version) = env.group_in(INSIDE).await;
        assert_eq!(
            env.api(
                Method::POST,
                "/api/v1/groups",
                None,
                Some(new_group(INSIDE, "x"))
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.api(
                Method::PATCH,
                &format!("/api/v1/groups/{id}"),
                None,
                Some(json!({"fields": {}, "version": version}))
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.api(Method::DELETE, &format!("/api/v1/groups/{id}"), None, None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.form("/groups", None, &[("nama", "x")], false)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.form(&format!("/groups/{id}/delete"), None, &[], false)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let r = env
            .form(
                "/admin/users",
                Some("officer"),
                &[("name", "x"), ("password", "12345678"), ("role", "admin")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .form(
                "/admin/users",
                Some("admin"),
                &[
                    ("name", "baru"),
                    ("password", "12345678"),
                    ("role", "viewer"),
                    ("region", "73.08.21"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            env.store.user_by_name("baru").await.unwrap().is_some(),
            "{n}"
        );
    }
}

/// The fields of a new network or institution (`kind`: `networks` or `institutions`).
fn actor_fields(kind: &str, id: &str, village: &str, name: &str) -> Value {
    if kind == "networks" {
        json!({"fields": {"id": id, "kode_wilayah": village, "nama": name, "tingkat": "desa"}})
    } else {
        json!({"fields": {"id": id, "kode_wilayah": village, "nama": name, "jenis_lembaga": "puskesmas"}})
    }
}

/// A network or an institution added by the admin.
async fn admin_adds(env: &Env, kind: &str, id: &str, village: &str) {
    let r = env
        .api(
            Method::POST,
            &format!("/api/v1/{kind}"),
            Some("admin"),
            Some(actor_fields(kind, id, village, "Matriks Awal")),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{} {kind}: {}",
        env.name,
        r.text
    );
}

/// A network or an institution as held: its version and its instrument fields.
async fn held_actor(env: &Env, kind: &str, id: &str) -> Option<(i64, Vec<String>)> {
    if kind == "networks" {
        env.store
            .actor::<wahana_domain::Network>(id)
            .await
            .unwrap()
            .map(|x| (x.version, x.record.to_fields()))
    } else {
        env.store
            .actor::<wahana_domain::Institution>(id)
            .await
            .unwrap()
            .map(|x| (x.version, x.record.to_fields()))
    }
}

/// How many networks or institutions of a name a village holds.
async fn actors_named(env: &Env, kind: &str, village: &str, name: &str) -> usize {
    let code = RegionCode::parse(village).unwrap();
    if kind == "networks" {
        env.store
            .list_actors::<wahana_domain::Network>(Some(&code), None)
            .await
            .unwrap()
            .iter()
            .filter(|x| x.record.name == name)
            .count()
    } else {
        env.store
            .list_actors::<wahana_domain::Institution>(Some(&code), None)
            .await
            .unwrap()
            .iter()
            .filter(|x| x.record.name == name)
            .count()
    }
}

/// A tie added by the admin; its number.
async fn admin_ties(env: &Env, from: &str, to: &str) -> i64 {
    let r = env
        .api(
            Method::POST,
            "/api/v1/ties",
            Some("admin"),
            Some(json!({"fields": {"dari": from, "ke": to, "jenis_ikatan": "koordinasi"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}: {}", env.name, r.text);
    r.json()["id"].as_i64().unwrap()
}

/// The permission matrix of networks, institutions and ties: every person (and an anonymous
/// visitor) × every write route, API and form (and the pages that lead to the forms) × a record
/// in Tanete Riattang (73.08.21) and one in 73.08.22. Admins write anywhere, officers in their
/// region's subtree, enumerators and viewers nowhere, anonymous visitors get 401; a tie needs
/// write permission at both ends (an officer neither ties another region's actor to theirs nor
/// cuts such a tie). Every refusal leaves the store as it was.
#[tokio::test]
async fn permission_matrix_networks_institutions_ties() {
    let people: [Option<&str>; 7] = [
        Some("admin"),
        Some("officer"),
        Some("officer_away"),
        Some("enumerator"),
        Some("enumerator_away"),
        Some("viewer"),
        None,
    ];
    // May this person write networks, institutions and ties in this village?
    let writes = |who: Option<&str>, village: &str| match who {
        Some("admin") => true,
        Some("officer") => village.starts_with("73.08.21."),
        Some("officer_away") => village.starts_with("73.08.22."),
        _ => false,
    };
    // The status expected: `ok` when allowed, 403 when refused, 401 for anonymous visitors.
    let expect = |who: Option<&str>, allowed: bool, ok: u16| match (who, allowed) {
        (None, _) => 401,
        (Some(_), true) => ok,
        (Some(_), false) => 403,
    };
    // May this person read the records of this village? A held record they may not read is
    // answered as missing (404), one they may read but not change with 403.
    let reads = |who: Option<&str>, village: &str| match who {
        Some("admin") => true,
        Some(w) if w.ends_with("_away") => village.starts_with("73.08.22."),
        Some(_) => village.starts_with("73.08.21."),
        None => false,
    };
    let expect_held =
        |who: Option<&str>, village: &str, allowed: bool, ok: u16| match expect(who, allowed, ok) {
            403 if !reads(who, village) => 404,
            other => other,
        };
    let seq = AtomicU32::new(0);
    let next = |prefix: &str| format!("{prefix}-MX-{}", seq.fetch_add(1, Ordering::SeqCst));
    for env in envs().await {
        let n = env.name;
        let away = env.away_village.clone();
        assert!(away.starts_with("73.08.22."), "{n}");
        for kind in ["networks", "institutions"] {
            let prefix = if kind == "networks" { "W" } else { "L" };
            for who in people {
                for village in [INSIDE, away.as_str()] {
                    let allowed = writes(who, village);
                    let at = format!("{n} {kind} {who:?} {village}");
                    // API create.
                    let id = next(prefix);
                    let r = env
                        .api(
                            Method::POST,
                            &format!("/api/v1/{kind}"),
                            who,
                            Some(actor_fields(kind, &id, village, "Matriks API")),
                        )
                        .await;
                    let want = expect(who, allowed, 201);
                    assert_eq!(r.status.as_u16(), want, "{at} create api: {}", r.text);
                    assert_eq!(
                        held_actor(&env, kind, &id).await.is_some(),
                        want == 201,
                        "{at} create api"
                    );
                    // The add form, and what it posts.
                    let r = env
                        .page(&format!("/{kind}/new?village={village}"), who)
                        .await;
                    assert_eq!(r.status.as_u16(), expect(who, allowed, 200), "{at} new");
                    let name = format!("Matriks Formulir {}", next(prefix));
                    let mut pairs = vec![("kode_wilayah", village), ("nama", name.as_str())];
                    pairs.push(if kind == "networks" {
                        ("tingkat", "desa")
                    } else {
                        ("jenis_lembaga", "rumah_ibadah")
                    });
                    let r = env.form(&format!("/{kind}"), who, &pairs, true).await;
                    let want = expect(who, allowed, 303);
                    assert_eq!(
                        r.status.as_u16(),
                        want,
                        "{at} create form: {}",
                        &r.text[..r.text.len().min(400)]
                    );
                    assert_eq!(
                        actors_named(&env, kind, village, &name).await,
                        usize::from(want == 303),
                        "{at} create form"
                    );
                    // API change, in place and moved to the other region (allowed only to
                    // those who may write in both).
                    let id = next(prefix);
                    admin_adds(&env, kind, &id, village).await;
                    let before = held_actor(&env, kind, &id).await.unwrap();
                    let r = env
                        .api(
                            Method::PATCH,
                            &format!("/api/v1/{kind}/{id}"),
                            who,
                            Some(
                                json!({"fields": {"nama": "Matriks Diubah"}, "version": before.0}),
                            ),
                        )
                        .await;
                    let want = expect_held(who, village, allowed, 200);
                    assert_eq!(r.status.as_u16(), want, "{at} edit api: {}", r.text);
                    let after = held_actor(&env, kind, &id).await.unwrap();
                    if want == 200 {
                        assert_eq!(after.0, before.0 + 1, "{at} edit api");
                    } else {
                        assert_eq!(after, before, "{at} edit api refused: unchanged");
                    }
                    let other = if village == INSIDE {
                        away.as_str()
                    } else {
                        INSIDE
                    };
                    let r = env
                        .api(
                            Method::PATCH,
                            &format!("/api/v1/{kind}/{id}"),
                            who,
                            Some(json!({"fields": {"kode_wilayah": other}, "version": after.0})),
                        )
                        .await;
                    let want = if allowed {
                        expect(who, writes(who, other), 200)
                    } else {
                        expect_held(who, village, false, 200)
                    };
                    assert_eq!(r.status.as_u16(), want, "{at} move api: {}", r.text);
                    let moved = held_actor(&env, kind, &id).await.unwrap();
                    if want == 200 {
                        assert_eq!(moved.0, after.0 + 1, "{at} move api");
                    } else {
                        assert_eq!(moved, after, "{at} move api refused: unchanged");
                    }
                    // The edit form, and what it posts (every field as held, the name changed).
                    let id = next(prefix);
                    admin_adds(&env, kind, &id, village).await;
                    let r = env.page(&format!("/{kind}/{id}/edit"), who).await;
                    assert_eq!(
                        r.status.as_u16(),
                        expect_held(who, village, allowed, 200),
                        "{at} edit page"
                    );
                    let before = held_actor(&env, kind, &id).await.unwrap();
                    let table = if kind == "networks" {
                        wahana_domain::instrument::Table::Networks
                    } else {
                        wahana_domain::instrument::Table::Institutions
                    };
                    let version = before.0.to_string();
                    let mut pairs: Vec<(&str, &str)> = wahana_domain::instrument::columns(table)
                        .iter()
                        .map(|c| c.id)
                        .zip(before.1.iter().map(String::as_str))
                        .filter(|(k, _)| *k != "nama")
                        .collect();
                    pairs.push(("nama", "Matriks Formulir Diubah"));
                    pairs.push(("version", &version));
                    let r = env.form(&format!("/{kind}/{id}"), who, &pairs, true).await;
                    let want = expect_held(who, village, allowed, 303);
                    assert_eq!(
                        r.status.as_u16(),
                        want,
                        "{at} edit form: {}",
                        &r.text[..r.text.len().min(400)]
                    );
                    let after = held_actor(&env, kind, &id).await.unwrap();
                    if want == 303 {
                        assert_eq!(after.0, before.0 + 1, "{at} edit form");
                    } else {
                        assert_eq!(after, before, "{at} edit form refused: unchanged");
                    }
                    // The delete question, then the form's delete.
                    let r = env.page(&format!("/{kind}/{id}/delete"), who).await;
                    assert_eq!(
                        r.status.as_u16(),
                        expect_held(who, village, allowed, 200),
                        "{at} delete question"
                    );
                    let r = env
                        .form(&format!("/{kind}/{id}/delete"), who, &[], true)
                        .await;
                    let want = expect_held(who, village, allowed, 303);
                    assert_eq!(r.status.as_u16(), want, "{at} delete form");
                    assert_eq!(
                        held_actor(&env, kind, &id).await.is_none(),
                        want == 303,
                        "{at} delete form"
                    );
                    // API delete.
                    let id = next(prefix);
                    admin_adds(&env, kind, &id, village).await;
                    let r = env
                        .api(Method::DELETE, &format!("/api/v1/{kind}/{id}"), who, None)
                        .await;
                    let want = expect_held(who, village, allowed, 204);
                    assert_eq!(r.status.as_u16(), want, "{at} delete api: {}", r.text);
                    assert_eq!(
                        held_actor(&env, kind, &id).await.is_none(),
                        want == 204,
                        "{at} delete api"
                    );
                }
            }
        }
        // Ties: from a group (or, for deletes, a network) to an institution, both ends inside,
        // both outside, and one end each way round.
        let (group_in, _) = env.group_in(INSIDE).await;
        let group_of = |village: &str| {
            if village == INSIDE {
                group_in.clone()
            } else {
                env.away_group.clone()
            }
        };
        for who in people {
            for (from, to) in [
                (INSIDE, INSIDE),
                (away.as_str(), away.as_str()),
                (INSIDE, away.as_str()),
                (away.as_str(), INSIDE),
            ] {
                let allowed = writes(who, from) && writes(who, to);
                // Refused: a new tie to an actor the person may not read is answered as one
                // to an actor not held (409), a held tie none of whose ends they may read as
                // missing (404); enumerators and viewers write no ties (403).
                let officer = matches!(who, Some("officer" | "officer_away"));
                let expect_new = |ok: u16| match expect(who, allowed, ok) {
                    403 if officer => 409,
                    other => other,
                };
                let expect_held = |ok: u16| match expect(who, allowed, ok) {
                    403 if !reads(who, from) && !reads(who, to) => 404,
                    other => other,
                };
                let at = format!("{n} tie {who:?} {from} → {to}");
                let group = group_of(from);
                // API create; the ends padded with spaces are still the held actors.
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let r = env
                    .api(
                        Method::POST,
                        "/api/v1/ties",
                        who,
                        Some(json!({"fields": {"dari": format!(" {group} "), "ke": format!(" {inst}"), "jenis_ikatan": "pembinaan"}})),
                    )
                    .await;
                let want = expect_new(201);
                assert_eq!(r.status.as_u16(), want, "{at} create api: {}", r.text);
                assert_eq!(
                    env.store.ties_of(&inst).await.unwrap().len(),
                    usize::from(want == 201),
                    "{at} create api"
                );
                // Form create, from the group's page.
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let back = format!("/groups/{group}");
                let r = env
                    .form(
                        "/ties",
                        who,
                        &[
                            ("dari", &group),
                            ("ke", &inst),
                            ("jenis_ikatan", "pembinaan"),
                            ("back", &back),
                        ],
                        true,
                    )
                    .await;
                let want = expect_new(303);
                assert_eq!(
                    r.status.as_u16(),
                    want,
                    "{at} create form: {}",
                    &r.text[..r.text.len().min(400)]
                );
                assert_eq!(
                    env.store.ties_of(&inst).await.unwrap().len(),
                    usize::from(want == 303),
                    "{at} create form"
                );
                // The delete question, then the form's delete (a network to an institution).
                let net = next("W");
                admin_adds(&env, "networks", &net, from).await;
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let tie = admin_ties(&env, &net, &inst).await;
                let r = env
                    .page(&format!("/ties/{tie}/delete?back=/networks/{net}"), who)
                    .await;
                assert_eq!(r.status.as_u16(), expect_held(200), "{at} delete question");
                let r = env
                    .form(
                        &format!("/ties/{tie}/delete"),
                        who,
                        &[("back", &format!("/networks/{net}"))],
                        true,
                    )
                    .await;
                let want = expect_held(303);
                assert_eq!(r.status.as_u16(), want, "{at} delete form");
                assert_eq!(
                    env.store.tie(tie).await.unwrap().is_none(),
                    want == 303,
                    "{at} delete form"
                );
                // API delete (a group to an institution).
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let tie = admin_ties(&env, &group, &inst).await;
                let r = env
                    .api(Method::DELETE, &format!("/api/v1/ties/{tie}"), who, None)
                    .await;
                let want = expect_held(204);
                assert_eq!(r.status.as_u16(), want, "{at} delete api: {}", r.text);
                assert_eq!(
                    env.store.tie(tie).await.unwrap().is_none(),
                    want == 204,
                    "{at} delete api"
                );
            }
        }
    }
}

#[tokio::test]
async fn no_personal_data_for_anonymous_or_viewer() {
    for env in envs().await {
        let n = env.name;
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(INSIDE, "Arisan Pribadi")),
            )
            .await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(r.json()["telepon"], Value::Null);
        assert_eq!(
            r.json()["phone"],
            "081234567890",
            "{n}: the officer sees it"
        );
        for who in [None, Some("viewer")] {
            for uri in [
                format!("/api/v1/groups/{id}"),
                format!("/api/v1/groups/{id}/members"),
                format!("/api/v1/groups?region={INSIDE}&limit=500"),
                format!("/api/v1/regions/{INSIDE}/networks"),
                format!("/api/v1/regions/{INSIDE}/institutions"),
                format!("/api/v1/regions/{INSIDE}/profile"),
                format!("/api/v1/regions/{INSIDE}/screening"),
                format!("/groups/{id}"),
                format!("/regions/{INSIDE}"),
                "/search?q=pribadi".to_string(),
            ] {
                let r = if uri.starts_with("/api/") {
                    env.api(Method::GET, &uri, who, None).await
                } else {
                    env.page(&uri, who).await
                };
                assert!(
                    !r.text.contains("081234567890") && !r.text.contains("Ibu Rahasia"),
                    "{n} {who:?} {uri}: personal data shown"
                );
                // Demonstration chairs are "Contoh Ketua …", phones "0812-0000-…".
                assert!(
                    !r.text.contains("Contoh Ketua") && !r.text.contains("0812-0000"),
                    "{n} {who:?} {uri}: personal data shown"
                );
            }
        }
        let r = env
            .api(Method::GET, &format!("/api/v1/groups/{id}"), None, None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{n}: anonymous gets no records"
        );
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{INSIDE}/networks"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{n}");
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{INSIDE}/screening"),
                None,
                None,
            )
            .await;
        assert_eq!(
            r.json()["groups"],
            json!([]),
            "{n}: anonymous screening lists no groups"
        );
        let r = env.page(&format!("/groups/{id}"), Some("enumerator")).await;
        assert!(
            r.text.contains("081234567890"),
            "{n}: the enumerator of the region sees it"
        );
    }
}

#[tokio::test]
async fn html_and_sql_in_names_are_stored_as_typed_and_shown_inert() {
    for env in envs().await {
        let n = env.name;
        let evil = "<script>alert('x')</script>'; DROP TABLE groups;--";
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(INSIDE, evil)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let back = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{id}"),
                Some("officer"),
                None,
            )
            .await
            .json();
        assert_eq!(back["name"], evil, "{n}: stored as typed");
        for uri in [
            format!("/groups/{id}"),
            format!("/regions/{INSIDE}?offset=0"),
            "/search?q=script".to_string(),
        ] {
            let page = env.page(&uri, Some("officer")).await;
            if let Some(i) = page.text.find("<script>") {
                panic!(
                    "{n} {uri}: a script tag reached the page: {}",
                    &page.text[i.saturating_sub(300)..(i + 100).min(page.text.len())]
                );
            }
            assert!(
                page.text.contains(
                    "&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;&#39;; DROP TABLE groups;--"
                ),
                "{n} {uri}: the name is shown, escaped"
            );
        }
        // The form round trip keeps it too.
        let r = env
            .form(
                "/groups",
                Some("officer"),
                &[
                    ("kode_wilayah", INSIDE),
                    ("nama", evil),
                    ("jenis", "pkk"),
                    ("asal", "dibentuk_pemerintah"),
                    ("tahun_berdiri", "2001"),
                    ("allow_duplicate", "1"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        assert!(
            env.store.counts().await.unwrap().groups > 400,
            "{n}: the table is still there"
        );
        // A search string with SQL in it is a search string.
        let r = env
            .api(
                Method::GET,
                "/api/v1/groups?name=%27%3B%20DROP%20TABLE%20groups%3B--",
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert_eq!(r.json()["total"], 2, "{n}");
    }
}

#[tokio::test]
async fn form_errors_beside_fields_then_fixed() {
    for env in envs().await {
        let n = env.name;
        let base = [
            ("kode_wilayah", INSIDE),
            ("nama", "Majelis Uji"),
            ("jenis", "majelis_taklim"),
            ("asal", "tumbuh_masyarakat"),
        ];
        let mut bad = base.to_vec();
        bad.push(("tahun_berdiri", "tahun lalu"));
        let r = env.form("/groups", Some("enumerator"), &bad, true).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        let field = r
            .text
            .split("id=\"field-tahun_berdiri\"")
            .nth(1)
            .unwrap()
            .split("id=\"field-")
            .next()
            .unwrap();
        assert!(
            field.contains("class=\"field-error\"") && field.contains("tidak sah"),
            "{n}: {field}"
        );
        assert!(
            r.text.contains("value=\"Majelis Uji\""),
            "{n}: the values typed are kept"
        );
        let r = env
            .form("/groups?lang=en", Some("enumerator"), &bad, true)
            .await;
        assert!(r.text.contains("is not valid"), "{n}: English");
        let mut good = base.to_vec();
        good.push(("tahun_berdiri", "1999"));
        let r = env.form("/groups", Some("enumerator"), &good, true).await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{n}: {}",
            &r.text[..r.text.len().min(800)]
        );
        let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
        assert!(
            env.page(&loc, Some("enumerator"))
                .await
                .text
                .contains("Majelis Uji"),
            "{n}"
        );
        // The same again is a likely duplicate, said at the top of the form.
        let r = env.form("/groups", Some("enumerator"), &good, true).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert!(r.text.contains("kemungkinan data ganda"), "{n}");
        // Missing CSRF token: refused.
        let r = env.form("/groups", Some("enumerator"), &good, false).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        // API errors: JSON with a stable code and messages per field, in the user's language.
        let r = env.api(Method::POST, "/api/v1/groups?lang=en", Some("officer"), Some(json!({"fields": {"kode_wilayah": INSIDE, "nama": "x", "jenis": "bukan", "asal": "tumbuh_masyarakat", "tahun_berdiri": "1990"}}))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        let j = r.json();
        assert_eq!(j["error"], "invalid_input");
        assert_eq!(j["fields"][0]["field"], "jenis");
        assert!(j["message"].as_str().unwrap().contains("expected"), "{n}");
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(json!({"nope": 1})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{n}");
        assert_eq!(r.json()["error"], "bad_request");
    }
}

#[tokio::test]
async fn second_save_of_the_same_version_is_refused_and_audited() {
    for env in envs().await {
        let n = env.name;
        let (id, version) = env.group_in(INSIDE).await;
        let first = env
            .api(
                Method::PATCH,
                &format!("/api/v1/groups/{id}"),
                Some("officer"),
                Some(json!({"fields": {"catatan": "pertama"}, "version": version})),
            )
            .await;
        assert_eq!(first.status, StatusCode::OK, "{n}");
        let second = env
            .api(
                Method::PATCH,
                &format!("/api/v1/groups/{id}"),
                Some("enumerator"),
                Some(json!({"fields": {"catatan": "kedua"}, "version": version})),
            )
            .await;
        assert_eq!(second.status, StatusCode::CONFLICT, "{n}");
        assert_eq!(second.json()["error"], "edit_conflict");
        let g = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{id}"),
                Some("officer"),
                None,
            )
            .await
            .json();
        assert_eq!(g["notes"], "pertama", "{n}: the first save stands");
        // The same through the form: the message says what happened.
        let g = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{id}"),
                Some("admin"),
                None,
            )
            .await
            .json();
        let r = env
            .form(
                &format!("/groups/{id}"),
                Some("enumerator"),
                &[
                    ("kode_wilayah", INSIDE),
                    ("nama", g["name"].as_str().unwrap()),
                    ("jenis", g["group_type"].as_str().unwrap()),
                    ("asal", g["origin"].as_str().unwrap()),
                    ("tahun_berdiri", &g["founded_year"].to_string()),
                    ("tanggal_pendataan", g["survey_date"].as_str().unwrap()),
                    ("version", &version.to_string()),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert!(r.text.contains("telah diubah orang lain"), "{n}");
        // The audit trail: who, when, before and after; on the group page for officers.
        let a = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{id}/audit"),
                Some("officer"),
                None,
            )
            .await
            .json();
        let e = &a[0];
        assert_eq!(e["actor"], "api:officer", "{n}");
        assert_eq!(e["action"], "update");
        assert!(
            e["before"]
                .as_str()
                .unwrap()
                .contains(&format!("\"version\":{version}")),
            "{n}"
        );
        assert!(e["after"].as_str().unwrap().contains("pertama"), "{n}");
        assert_eq!(
            env.api(
                Method::GET,
                &format!("/api/v1/groups/{id}/audit"),
                Some("viewer"),
                None
            )
            .await
            .status,
            StatusCode::FORBIDDEN
        );
        let page = env.page(&format!("/groups/{id}"), Some("officer")).await;
        assert!(page.text.contains("api:officer"), "{n}");
        let page = env.page("/regions/73.08.21/audit", Some("officer")).await;
        assert!(page.text.contains(&id), "{n}");
        // Deleting is audited with the values before.
        env.api(
            Method::DELETE,
            &format!("/api/v1/groups/{id}"),
            Some("officer"),
            None,
        )
        .await;
        let trail = env.store.audit_of("kelompok", &id, 10).await.unwrap();
        assert_eq!(trail[0].action, "delete");
        assert!(trail[0].before.is_some() && trail[0].after.is_none(), "{n}");
    }
}

/// Every audit entry the store holds.
async fn audit_rows(env: &Env) -> i64 {
    wahana_store::on_pool!(env.store.pool(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit").fetch_one(p).await.unwrap()
    })
}

/// Checks a response's status and how many audit entries it added since `rows`.
async fn audited(env: &Env, rows: &mut i64, r: Res, status: StatusCode, added: i64, what: &str) {
    let n = env.name;
    assert_eq!(r.status, status, "{n} {what}: {}", r.text);
    let now = audit_rows(env).await;
    assert_eq!(now - *rows, added, "{n} {what}: audit entries added");
    *rows = now;
}

/// A write refused for the person's role or region (403), a stale version (409) or a record
/// not held (404) adds no audit entry; an accepted one adds exactly one, naming who made it.
#[tokio::test]
async fn refused_writes_add_no_audit_entry_accepted_ones_exactly_one() {
    use StatusCode as S;
    use wahana_domain::codes::Code;
    for env in envs().await {
        let n = env.name;
        let (id, version) = env.group_in(INSIDE).await;
        let group = format!("/api/v1/groups/{id}");
        let patch = |v: i64| Some(json!({"fields": {"catatan": "diubah"}, "version": v}));
        let mut rows = audit_rows(&env).await;
        let e = &env;
        let r = e.api(Method::PATCH, &group, Some("officer_away"), patch(version));
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "edit away").await;
        let r = e.api(Method::PATCH, &group, Some("viewer"), patch(version));
        audited(e, &mut rows, r.await, S::FORBIDDEN, 0, "viewer edit").await;
        let r = e.api(Method::PATCH, &group, Some("officer"), patch(version + 1));
        audited(
            e,
            &mut rows,
            r.await,
            S::CONFLICT,
            0,
            "edit from a version not held",
        )
        .await;
        let r = e.api(Method::PATCH, &group, Some("officer"), patch(version));
        audited(e, &mut rows, r.await, S::OK, 1, "edit").await;
        let r = e.api(Method::PATCH, &group, Some("enumerator"), patch(version));
        audited(
            e,
            &mut rows,
            r.await,
            S::CONFLICT,
            0,
            "second save of a version",
        )
        .await;
        let trail = e.store.audit_of("kelompok", &id, 10).await.unwrap();
        assert_eq!(
            (trail[0].actor.as_str(), trail[0].action.as_str()),
            ("api:officer", "update"),
            "{n}"
        );
        // The same through the form: refused away, accepted in the region.
        let g = e.store.group(&id).await.unwrap().unwrap();
        let year = g.group.founded_year.to_string();
        let date = g.group.survey_date.to_string();
        let held = (g.version).to_string();
        let fields = [
            ("kode_wilayah", INSIDE),
            ("nama", g.group.name.as_str()),
            ("jenis", g.group.group_type.code()),
            ("asal", g.group.origin.code()),
            ("tahun_berdiri", &year),
            ("tanggal_pendataan", &date),
            ("version", &held),
        ];
        let page = format!("/groups/{id}");
        let r = e.form(&page, Some("officer_away"), &fields, true);
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "form edit away").await;
        let r = e.form(&page, Some("officer"), &fields, true);
        audited(e, &mut rows, r.await, S::SEE_OTHER, 1, "form edit").await;

        // Members, networks and ties.
        let members = format!("{group}/members");
        let member = || Some(json!({"name": "Andi Rahasia", "role": "anggota"}));
        let r = e.api(Method::POST, &members, Some("viewer"), member());
        audited(
            e,
            &mut rows,
            r.await,
            S::FORBIDDEN,
            0,
            "viewer adds a member",
        )
        .await;
        let r = e.api(Method::POST, &members, Some("enumerator"), member());
        audited(e, &mut rows, r.await, S::CREATED, 1, "member added").await;
        let not_held = format!("{members}/999999");
        let r = e.api(Method::DELETE, &not_held, Some("officer"), None);
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "member not held").await;
        let net = json!({"fields": {"id": "W-AUDIT", "kode_wilayah": INSIDE, "nama": "WKSBM Audit", "tingkat": "desa"}});
        let r = e.api(
            Method::POST,
            "/api/v1/networks",
            Some("enumerator"),
            Some(net.clone()),
        );
        audited(
            e,
            &mut rows,
            r.await,
            S::FORBIDDEN,
            0,
            "enumerator adds a network",
        )
        .await;
        let r = e.api(
            Method::POST,
            "/api/v1/networks",
            Some("officer"),
            Some(net.clone()),
        );
        audited(e, &mut rows, r.await, S::CREATED, 1, "network added").await;
        let r = e.api(Method::POST, "/api/v1/networks", Some("officer"), Some(net));
        audited(e, &mut rows, r.await, S::CONFLICT, 0, "network id taken").await;
        let tie = json!({"fields": {"dari": id, "ke": "W-AUDIT", "jenis_ikatan": "koordinasi"}});
        let r = e.api(
            Method::POST,
            "/api/v1/ties",
            Some("officer_away"),
            Some(tie.clone()),
        );
        audited(e, &mut rows, r.await, S::CONFLICT, 0, "tie away").await;
        let r = e.api(Method::POST, "/api/v1/ties", Some("officer"), Some(tie));
        audited(e, &mut rows, r.await, S::CREATED, 1, "tie added").await;

        // Deleting: refused, accepted once (the ties go with the group, in its entry), then gone.
        let r = e.api(Method::DELETE, &group, Some("viewer"), None);
        audited(e, &mut rows, r.await, S::FORBIDDEN, 0, "viewer deletes").await;
        let r = e.api(Method::DELETE, &group, Some("officer"), None);
        audited(e, &mut rows, r.await, S::NO_CONTENT, 1, "delete").await;
        let r = e.api(Method::DELETE, &group, Some("officer"), None);
        audited(e, &mut rows, r.await, S::NOT_FOUND, 0, "delete again").await;
    }
}

#[tokio::test]
async fn api_reads_and_csrf_for_cookie_sessions() {
    for env in envs().await {
        let n = env.name;
        for (uri, who, status) in [
            ("/api/v1/regions", None, 200),
            ("/api/v1/regions?wave=demo-2007-sintetis", None, 200),
            ("/api/v1/regions/73.08.21", None, 200),
            ("/api/v1/regions/99", None, 404),
            ("/api/v1/regions/73.08.21/profile", None, 200),
            ("/api/v1/regions/nasional/profile", None, 200),
            ("/api/v1/regions/73.08.21/profile?lang=en", None, 200),
            (
                "/api/v1/groups?region=73.08.21&lang=en",
                Some("viewer"),
                200,
            ),
            ("/api/v1/regions/73.08.21/profile?wave=none", None, 404),
            (
                "/api/v1/regions/73.08.21/screening?outcome=memenuhi",
                Some("officer"),
                200,
            ),
            ("/api/v1/regions/73.08.21/screening?outcome=x", None, 422),
            ("/api/v1/regions/73.08.21/screening?limit=x", None, 400),
            ("/api/v1/regions/73.08.21/ties", Some("viewer"), 200),
            ("/api/v1/regions/73.08.21/ties", Some("officer_away"), 403),
            ("/api/v1/waves", None, 200),
            (
                "/api/v1/groups?type=arisan&status=aktif",
                Some("officer"),
                200,
            ),
            ("/api/v1/groups?type=x", Some("officer"), 422),
            ("/api/v1/groups?region=73.08.22", Some("officer"), 403),
            ("/api/v1/groups/K-none", Some("officer"), 404),
            ("/api/v1/nothing", None, 404),
            ("/api/openapi.json", None, 200),
        ] {
            let r = env.api(Method::GET, uri, who, None).await;
            assert_eq!(
                r.status.as_u16(),
                status,
                "{n} {uri}: {}",
                &r.text[..r.text.len().min(300)]
            );
            assert!(
                r.headers[header::CONTENT_TYPE]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json"),
                "{n} {uri}"
            );
            if status >= 400 {
                let code = r.json()["error"].as_str().unwrap().to_string();
                assert!(
                    wahana_domain::ErrorCode::parse(&code).is_some(),
                    "{n} {uri}: {code}"
                );
            }
        }
        // The officer's list defaults to their own region.
        let r = env
            .api(
                Method::GET,
                "/api/v1/groups?limit=500",
                Some("officer"),
                None,
            )
            .await
            .json();
        assert!(
            r["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["village"].as_str().unwrap().starts_with("73.08.21.")),
            "{n}"
        );
        assert_eq!(r["limit"], 500);
        // Cookie sessions need the X-CSRF-Token header on writes; Bearer tokens do not.
        let (id, version) = env.group_in(INSIDE).await;
        let (token, csrf) = env.sessions["officer"].clone();
        let patch = |with: Option<&str>| {
            let mut b = Request::builder()
                .method(Method::PATCH)
                .uri(format!("/api/v1/groups/{id}"))
                .header(header::COOKIE, format!("wahana_session={token}"))
                .header(header::CONTENT_TYPE, "application/json");
            if let Some(c) = with {
                b = b.header("x-csrf-token", c);
            }
            b.body(Body::from(
                json!({"fields": {"catatan": "cookie"}, "version": version}).to_string(),
            ))
            .unwrap()
        };
        assert_eq!(
            env.send(patch(None)).await.status,
            StatusCode::FORBIDDEN,
            "{n}"
        );
        assert_eq!(
            env.send(patch(Some("salah"))).await.status,
            StatusCode::FORBIDDEN,
            "{n}"
        );
        assert_eq!(
            env.send(patch(Some(&csrf))).await.status,
            StatusCode::OK,
            "{n}"
        );
    }
}

#[tokio::test]
async fn profile_api_is_the_commands_json() {
    for env in envs().await {
        let n = env.name;
        let api = env
            .api(Method::GET, "/api/v1/regions/73.08.21/profile", None, None)
            .await
            .json();
        let scope =
            service::screening::Scope::Region(RegionTree::official().resolve("73.08.21").unwrap());
        let req = service::profile::ProfileRequest {
            scope,
            wave: None,
            rules: None,
        };
        let data =
            service::profile::build(&env.store, &req, service::today(), wahana_domain::Lang::Id)
                .await
                .unwrap();
        let p = data.profile();
        // Through text, as the API's body is (serde_json's float parsing is not exact).
        let text = serde_json::to_string(&service::profile::ProfileJson {
            profile: &p,
            actors: data.actors,
        })
        .unwrap();
        let expected: Value = serde_json::from_str(&text).unwrap();
        for (k, v) in expected.as_object().unwrap() {
            assert_eq!(&api[k], v, "{n}: {k}");
        }
        assert_eq!(api, expected, "{n}");
        // A group added through the web changes the profile's counts at once.
        let before = api["groups_recorded"].as_u64().unwrap();
        let mut g = new_group(INSIDE, "Arisan Baru Sekali");
        g["wave"] = json!("demo-2007-sintetis");
        g["fields"]["tanggal_pendataan"] = json!("2007-08-20");
        let r = env
            .api(Method::POST, "/api/v1/groups", Some("officer"), Some(g))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}");
        let after = env
            .api(Method::GET, "/api/v1/regions/73.08.21/profile", None, None)
            .await
            .json();
        assert_eq!(
            after["groups_recorded"].as_u64().unwrap(),
            before + 1,
            "{n}"
        );
    }
}

#[tokio::test]
async fn every_documented_path_is_routed() {
    let env = Env::new("sqlite", None).await;
    let spec = super::api::openapi::spec();
    let (id, _) = env.group_in(INSIDE).await;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let uri = path
                .replace("{code}", "73.08.21")
                .replace("{id}", &id)
                .replace("{member}", "1");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = env.api(m.clone(), &uri, None, None).await;
            let routed = !(r.status == StatusCode::NOT_FOUND && r.text.contains("route"))
                && r.status != StatusCode::METHOD_NOT_ALLOWED;
            assert!(
                routed,
                "{method} {uri} is documented but not routed: {}",
                r.text
            );
            let documented = ops[method]["responses"].as_object().unwrap();
            assert!(
                documented.contains_key(r.status.as_str()),
                "{method} {uri}: {} not documented",
                r.status
            );
        }
    }
}

#[tokio::test]
async fn import_through_the_api_reports_every_problem() {
    for env in envs().await {
        let n = env.name;
        let csv = format!(
            "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n{INSIDE},Arisan Impor,arisan,tumbuh_masyarakat,1990,2026-01-05\n{INSIDE},Rusak,bukan_jenis,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let send = |dry: bool, body: String| {
            Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/import?filename=k.csv&dry_run={dry}"))
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", env.sessions["admin"].0),
                )
                .body(Body::from(body))
                .unwrap()
        };
        let mut rows = audit_rows(&env).await;
        let r = env.send(send(true, csv.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["rows"], 2, "{n}");
        assert_eq!(j["rejected"], 1, "{n}");
        assert_eq!(j["committed"], false);
        assert!(j["problems"][0]["field"] == "jenis", "{n}: {j}");
        assert_eq!(
            audit_rows(&env).await,
            rows,
            "{n}: a dry run is not audited"
        );
        // Refused whole (one bad row): nothing written, no entry.
        let r = env.send(send(false, csv.clone())).await.json();
        assert_eq!(r["committed"], false, "{n}: {r}");
        assert_eq!(
            audit_rows(&env).await,
            rows,
            "{n}: a refused import is not audited"
        );
        let good: String = csv.lines().take(2).map(|l| format!("{l}\n")).collect();
        let res = env.send(send(false, good)).await;
        let r = res.json();
        audited(&env, &mut rows, res, StatusCode::OK, 1, "import").await;
        assert_eq!(r["committed"], true, "{n}: {r}");
        assert_eq!(r["written"], 1);
        // The one entry is the committed report, under the upload's name, by who sent it.
        let trail = env.store.audit_of("impor", "k.csv", 10).await.unwrap();
        assert_eq!(trail.len(), 1, "{n}");
        assert_eq!(trail[0].action, "import", "{n}");
        assert_eq!(trail[0].actor, "api:admin", "{n}");
        let after: serde_json::Value =
            serde_json::from_str(trail[0].after.as_deref().unwrap()).unwrap();
        assert_eq!(after["committed"], true, "{n}: {after}");
        assert_eq!(after["written"], 1, "{n}: {after}");
        assert_eq!(after["file"], "k.csv", "{n}: {after}");
    }
}

#[tokio::test]
async fn networks_institutions_and_ties_through_the_api() {
    for env in envs().await {
        let n = env.name;
        // Explicit ids: the store's next free id misreads the demonstration's `W-…-01` (reported).
        let seq = std::sync::atomic::AtomicU32::new(0);
        let network = |village: &str| json!({"fields": {"id": format!("W-UJI-{}", seq.fetch_add(1, Ordering::SeqCst)), "kode_wilayah": village, "nama": "WKSBM Uji", "tingkat": "desa"}});
        let institution = |village: &str| json!({"fields": {"id": format!("L-UJI-{}", seq.fetch_add(1, Ordering::SeqCst)), "kode_wilayah": village, "nama": "Puskesmas Uji", "jenis_lembaga": "puskesmas"}});
        for (who, inside, away) in [
            ("admin", 201, 201),
            ("officer", 201, 403),
            ("enumerator", 403, 403),
            ("viewer", 403, 403),
        ] {
            for (village, expect) in [(INSIDE, inside), (env.away_village.as_str(), away)] {
                let r = env
                    .api(
                        Method::POST,
                        "/api/v1/networks",
                        Some(who),
                        Some(network(village)),
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} network {village}: {}",
                    r.text
                );
                let r = env
                    .api(
                        Method::POST,
                        "/api/v1/institutions",
                        Some(who),
                        Some(institution(village)),
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} institution {village}: {}",
                    r.text
                );
            }
        }
        assert_eq!(
            env.api(
                Method::POST,
                "/api/v1/networks",
                None,
                Some(network(INSIDE))
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        // Change from the version read; a stale version is refused.
        let r = env
            .api(
                Method::POST,
                "/api/v1/institutions",
                Some("officer"),
                Some(institution(INSIDE)),
            )
            .await
            .json();
        let id = r["id"].as_str().unwrap().to_string();
        let v = r["version"].as_i64().unwrap();
        let ok = env
            .api(
                Method::PATCH,
                &format!("/api/v1/institutions/{id}"),
                Some("officer"),
                Some(json!({"fields": {"alamat": "Jl. Uji 1"}, "version": v})),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{n}: {}", ok.text);
        let stale = env
            .api(
                Method::PATCH,
                &format!("/api/v1/institutions/{id}"),
                Some("officer"),
                Some(json!({"fields": {"alamat": "Jl. Uji 2"}, "version": v})),
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{n}: {}", stale.text);
        // A tie between a group and the institution; the officer away may not touch it (and
        // is told of the group as of an actor not held: they may not read it).
        let (group, _) = env.group_in(INSIDE).await;
        let tie = json!({"fields": {"dari": group, "ke": id, "jenis_ikatan": "pembinaan", "sejak": "2001"}});
        let r = env
            .api(
                Method::POST,
                "/api/v1/ties",
                Some("officer_away"),
                Some(tie.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "actor_not_found", "{n}");
        let r = env
            .api(Method::POST, "/api/v1/ties", Some("officer"), Some(tie))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let tie_id = r.json()["id"].as_i64().unwrap();
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/ties/{tie_id}"),
                Some("viewer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/ties/{tie_id}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
        let r = env
            .api(Method::DELETE, "/api/v1/ties/x", Some("officer"), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/institutions/{id}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}");
        let trail = env.store.audit_of("lembaga", &id, 10).await.unwrap();
        assert_eq!(trail.len(), 3, "{n}: create, update, delete audited");
    }
}

#[tokio::test]
async fn network_institution_and_tie_forms() {
    for env in envs().await {
        let n = env.name;
        for (who, status) in [("officer", 200), ("enumerator", 403), ("viewer", 403)] {
            let r = env
                .page(&format!("/networks/new?village={INSIDE}"), Some(who))
                .await;
            assert_eq!(r.status.as_u16(), status, "{n} {who}");
        }
        let r = env
            .form(
                "/institutions",
                Some("officer"),
                &[
                    ("kode_wilayah", INSIDE),
                    ("nama", "Masjid <Uji>"),
                    ("jenis_lembaga", "bukan"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(
            r.text
                .contains("class=\"invalid\" id=\"field-jenis_lembaga\""),
            "{n}"
        );
        let r = env
            .form(
                "/institutions",
                Some("officer"),
                &[
                    ("kode_wilayah", INSIDE),
                    ("nama", "Masjid <Uji>"),
                    ("jenis_lembaga", "rumah_ibadah"),
                    ("kontak", "Pak Rahasia"),
                ],
                true,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{n}: {}",
            &r.text[..r.text.len().min(500)]
        );
        let loc = r.headers[header::LOCATION].to_str().unwrap().to_string();
        let inst = loc
            .trim_start_matches("/institutions/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let page = env
            .page(&format!("/institutions/{inst}"), Some("viewer"))
            .await;
        assert_eq!(page.status, StatusCode::OK, "{n}");
        assert!(
            page.text.contains("Masjid &#60;Uji&#62;") && !page.text.contains("Pak Rahasia"),
            "{n}"
        );
        assert!(
            env.page(&format!("/institutions/{inst}"), Some("officer"))
                .await
                .text
                .contains("Pak Rahasia"),
            "{n}"
        );
        let r = env
            .form(
                "/institutions",
                Some("officer"),
                &[
                    ("kode_wilayah", &env.away_village),
                    ("nama", "Jauh"),
                    ("jenis_lembaga", "rumah_ibadah"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        // A tie from a group's page to the institution, then deleted.
        let (group, _) = env.group_in(INSIDE).await;
        let back = format!("/groups/{group}");
        let r = env
            .form(
                "/ties",
                Some("officer"),
                &[
                    ("dari", &group),
                    ("ke", &inst),
                    ("jenis_ikatan", "pembinaan"),
                    ("sejak", "2003"),
                    ("back", &back),
                ],
                true,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "{n}: {}",
            &r.text[..r.text.len().min(500)]
        );
        let page = env.page(&back, Some("officer")).await;
        assert!(page.text.contains(&format!("→ {inst}")), "{n}");
        let tie = env
            .store
            .ties_of(&group)
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.tie.to == inst)
            .unwrap();
        // The tie's delete button is a link to the question, which comes back to the page.
        let confirm = format!("/ties/{}/delete?back={back}", tie.id);
        assert!(
            page.text.contains(&format!("href=\"{confirm}\"")),
            "{n}: the tie's delete asks first"
        );
        for (who, status) in [
            ("viewer", 403),
            ("enumerator", 403),
            // A tie none of whose ends they may read is answered as missing.
            ("officer_away", 404),
            ("officer", 200),
            ("admin", 200),
        ] {
            let q = env.page(&confirm, Some(who)).await;
            assert_eq!(q.status.as_u16(), status, "{n} {who}: tie question");
        }
        let q = env.page(&confirm, Some("officer")).await;
        assert!(
            q.text
                .contains(&format!("action=\"/ties/{}/delete\"", tie.id))
                && q.text.contains(&format!("name=\"back\" value=\"{back}\""))
                && q.text.contains("name=\"_csrf\"")
                && q.text.contains(&format!("<a href=\"{back}\">Batal</a>"))
                && q.text
                    .contains("<a href=\"/regions/73.08.21\">Tanete Riattang</a>")
                && q.text.contains(&inst),
            "{n}: {}",
            q.text
        );
        // Asking deletes nothing; a `back` off the site is not followed.
        assert!(env.store.tie(tie.id).await.unwrap().is_some(), "{n}");
        let q = env
            .page(
                &format!("/ties/{}/delete?back=//evil.example", tie.id),
                Some("officer"),
            )
            .await;
        assert!(
            q.text.contains("name=\"back\" value=\"/\"")
                && q.text.contains("<a href=\"/\">Batal</a>")
                && !q.text.contains("value=\"//evil"),
            "{n}"
        );
        assert_eq!(
            env.page("/ties/x/delete", Some("officer")).await.status,
            StatusCode::NOT_FOUND,
            "{n}"
        );
        let r = env
            .form(
                &format!("/ties/{}/delete", tie.id),
                Some("officer"),
                &[("back", &back)],
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: no CSRF token");
        let r = env
            .form(
                &format!("/ties/{}/delete", tie.id),
                Some("viewer"),
                &[("back", &back)],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .form(
                &format!("/ties/{}/delete", tie.id),
                Some("officer"),
                &[("back", &back)],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        assert_eq!(r.headers[header::LOCATION], back.as_str(), "{n}");
        assert!(
            !env.page(&back, Some("officer"))
                .await
                .text
                .contains(&format!("→ {inst}")),
            "{n}"
        );
        let q = env
            .page(&format!("/institutions/{inst}/delete"), Some("officer"))
            .await;
        assert!(
            q.text
                .contains(&format!("action=\"/institutions/{inst}/delete\"")),
            "{n}"
        );
        let r = env
            .form(
                &format!("/institutions/{inst}/delete"),
                Some("officer"),
                &[],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
    }
}

/// A network's and an institution's pages show the region tree from the province and say when
/// their wave is synthetic, like a group's; their delete buttons ask first on the group's
/// confirmation page, with the same permissions as the delete itself.
#[tokio::test]
async fn network_and_institution_pages_ask_before_deleting() {
    for env in envs().await {
        let n = env.name;
        for (path, question) in [
            ("networks", "Hapus wahana ini?"),
            ("institutions", "Hapus lembaga ini?"),
        ] {
            let list = env
                .api(
                    Method::GET,
                    &format!("/api/v1/regions/{INSIDE}/{path}"),
                    Some("admin"),
                    None,
                )
                .await
                .json();
            let id = list[0]["id"].as_str().unwrap().to_string();
            let village = list[0][if path == "networks" {
                "village"
            } else {
                "region"
            }]
            .as_str()
            .unwrap()
            .to_string();
            let p = env.page(&format!("/{path}/{id}"), Some("officer")).await;
            assert_eq!(p.status, StatusCode::OK, "{n} {path}");
            assert!(
                p.text.contains(
                    "<p class=\"crumbs\"><a href=\"/\">Indonesia</a> › <a href=\"/regions/73\">"
                ) && p
                    .text
                    .contains("<a href=\"/regions/73.08\">Kabupaten Bone</a>")
                    && p.text
                        .contains("<a href=\"/regions/73.08.21\">Tanete Riattang</a>")
                    && p.text.contains(&format!("<a href=\"/regions/{village}\">")),
                "{n} {path}: crumbs"
            );
            assert!(
                p.text.contains("class=\"synthetic\""),
                "{n} {path}: synthetic"
            );
            let en = env
                .page(&format!("/{path}/{id}?lang=en"), Some("officer"))
                .await;
            assert!(
                en.text.contains(&format!(
                    "SYNTHETIC DATA — this {} was generated",
                    path.trim_end_matches('s')
                )),
                "{n} {path}: synthetic in English"
            );
            let delete = format!("/{path}/{id}/delete");
            assert!(
                p.text.contains(&format!("href=\"{delete}\""))
                    && !p.text.contains(&format!("action=\"{delete}\"")),
                "{n} {path}: delete is a link to the question"
            );
            for (who, status) in [
                ("admin", 200),
                ("officer", 200),
                ("enumerator", 403),
                ("viewer", 403),
                ("officer_away", 404),
                ("enumerator_away", 404),
            ] {
                let q = env.page(&delete, Some(who)).await;
                assert_eq!(q.status.as_u16(), status, "{n} {who} {delete}");
            }
            assert_eq!(
                env.page(&delete, None).await.status,
                StatusCode::UNAUTHORIZED,
                "{n}"
            );
            assert_eq!(
                env.page(&format!("/{path}/nope/delete"), Some("officer"))
                    .await
                    .status,
                StatusCode::NOT_FOUND,
                "{n}"
            );
            let q = env.page(&delete, Some("officer")).await;
            assert!(
                q.text.contains(&format!("action=\"{delete}\""))
                    && q.text.contains(question)
                    && q.text.contains("Ya, hapus")
                    && q.text.contains("name=\"_csrf\"")
                    && q.text
                        .contains(&format!("<a href=\"/{path}/{id}\">Batal</a>"))
                    && q.text
                        .contains("<a href=\"/regions/73.08\">Kabupaten Bone</a>"),
                "{n} {path}: {}",
                q.text
            );
            // Asking deletes nothing; the POST keeps its CSRF and permission checks.
            assert_eq!(
                env.page(&format!("/{path}/{id}"), Some("officer"))
                    .await
                    .status,
                StatusCode::OK,
                "{n}"
            );
            let r = env.form(&delete, Some("officer"), &[], false).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{n} {path}: no CSRF");
            // Another region's record is answered as missing.
            for (who, status) in [
                ("enumerator", StatusCode::FORBIDDEN),
                ("viewer", StatusCode::FORBIDDEN),
                ("officer_away", StatusCode::NOT_FOUND),
            ] {
                let r = env.form(&delete, Some(who), &[], true).await;
                assert_eq!(r.status, status, "{n} {who} {path}");
            }
            let r = env.form(&delete, Some("officer"), &[], true).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{n} {path}");
            assert_eq!(
                env.page(&format!("/{path}/{id}"), Some("officer"))
                    .await
                    .status,
                StatusCode::NOT_FOUND,
                "{n} {path}: deleted"
            );
        }
    }
}

/// An officer's import is held to their region: rows, held records and tie ends outside it
/// are problems with row, column, value and what was expected; nothing of the file is written.
#[tokio::test]
async fn officer_import_is_held_to_their_region() {
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        // One row inside, one outside: the file is refused whole.
        let csv = format!(
            "{header}\n{INSIDE},Arisan Dalam,arisan,tumbuh_masyarakat,1990,2026-01-05\n{},Arisan Luar,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
            env.away_village
        );
        let j = env
            .import_api(Some("officer"), "k.csv", &csv, false)
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(j["rows"], 2, "{n}");
        assert_eq!(j["rejected"], 1, "{n}");
        let p = &j["problems"][0];
        assert_eq!(
            (&p["code"], &p["row"], &p["column"], &p["field"]),
            (
                &json!("outside_region"),
                &json!(3),
                &json!("A"),
                &json!("kode_wilayah")
            ),
            "{n}: {j}"
        );
        assert_eq!(p["value"], env.away_village.as_str(), "{n}");
        assert_eq!(
            p["expected_en"], "a village inside Tanete Riattang (73.08.21)",
            "{n}: {j}"
        );
        assert_eq!(env.groups_named("Arisan Dalam").await, 0, "{n}");
        // The same file from an admin is written.
        let j = env
            .import_api(Some("admin"), "k.csv", &csv, false)
            .await
            .json();
        assert_eq!(j["committed"], true, "{n}: {j}");
        assert_eq!(j["written"], 2, "{n}");
        assert_eq!(j["file"], "k.csv", "{n}: the server's path is not shown");

        // A row naming a group held outside, moved into the region: refused on its id.
        let csv = format!(
            "id,{header}\n{},{INSIDE},Arisan Pindah,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
            env.away_group
        );
        let j = env
            .import_api(Some("officer"), "k.csv", &csv, false)
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(j["problems"][0]["field"], "id", "{n}: {j}");
        assert_eq!(j["problems"][0]["column"], "A", "{n}: {j}");
        assert!(
            j["problems"][0]["expected_en"]
                .as_str()
                .unwrap()
                .contains(&format!("held in {}", env.away_village)),
            "{n}: {j}"
        );
        // An institution of the regency, above the officer's district.
        let j = env
            .import_api(
                Some("officer"),
                "l.csv",
                "id,kode_wilayah,jenis_lembaga,nama\nL-UJI-IMPOR,73.08,dinas_sosial,Dinas Sosial Bone\n",
                false,
            )
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(
            j["problems"][0]["expected_id"], "wilayah di dalam Tanete Riattang (73.08.21)",
            "{n}: {j}"
        );
        // Ties: both ends inside is written; an end outside is a problem on its column.
        let (a, _) = env.group_in(INSIDE).await;
        let (b, _) = env.group_in("73.08.21.1007").await;
        let ties = format!(
            "dari,ke,jenis_ikatan\n{a},{b},kegiatan_bersama\n{a},{},rujukan\n",
            env.away_group
        );
        let j = env
            .import_api(Some("officer"), "i.csv", &ties, false)
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(j["rejected"], 1, "{n}: {j}");
        assert_eq!(
            (&j["problems"][0]["row"], &j["problems"][0]["field"]),
            (&json!(3), &json!("ke")),
            "{n}: {j}"
        );
        let inside_only: String = ties.lines().take(2).map(|l| format!("{l}\n")).collect();
        let j = env
            .import_api(Some("officer"), "i.csv", &inside_only, false)
            .await
            .json();
        assert_eq!(j["committed"], true, "{n}: {j}");
        assert!(
            env.store
                .ties_of(&a)
                .await
                .unwrap()
                .iter()
                .any(|t| t.tie.to == b),
            "{n}"
        );
        // The officer's import is in the region's trail.
        let trail = env
            .store
            .audit_in(&RegionCode::parse("73.08.21").unwrap(), 20, 0)
            .await
            .unwrap();
        assert!(
            trail
                .iter()
                .any(|e| e.entity_kind == "impor" && e.actor == "api:officer"),
            "{n}"
        );

        // The page says where the officer may import and lists the problem as the CLI does.
        let page = env.page("/import", Some("officer")).await;
        assert!(
            page.text.contains("Kecamatan Tanete Riattang (73.08.21)"),
            "{n}"
        );
        let csv = format!(
            "{header}\n{},Arisan Luar Lagi,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
            env.away_village
        );
        let r = env
            .upload(
                "/import?lang=en",
                Some("officer"),
                &[],
                Some(("k.csv", &csv)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            r.text.contains(&format!(
                "row 2, column A: kode_wilayah: &#34;{}&#34; is not valid; expected a village inside Tanete Riattang (73.08.21)",
                env.away_village
            )),
            "{n}: {}",
            r.text
        );
        assert!(!r.text.contains("name=\"confirm\""), "{n}: no confirmation");
        // Enumerators, viewers and anonymous visitors may not import.
        for who in [Some("enumerator"), Some("viewer"), None] {
            let r = env.import_api(who, "k.csv", &csv, true).await;
            let expect = if who.is_some() { 403 } else { 401 };
            assert_eq!(r.status.as_u16(), expect, "{n} {who:?}");
        }
    }
}

/// Members on the group page and through the API: personal data, shown and changed only by
/// admins and the region's officers and enumerators; each change audited; never a name to a
/// viewer or an anonymous visitor.
#[tokio::test]
async fn group_members_pages_and_api() {
    for env in envs().await {
        let n = env.name;
        let (id, _) = env.group_in(INSIDE).await;
        let page = format!("/groups/{id}");
        // Added on the page by an officer: back to the members, listed, audited with the village.
        let r = env
            .form(
                &format!("{page}/members"),
                Some("officer"),
                &[("nama", "Hj. Sitti Rahasia"), ("peran", "ketua")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(r.headers[header::LOCATION], format!("{page}#anggota"));
        let shown = env.page(&page, Some("officer")).await;
        assert!(shown.text.contains("id=\"anggota\""), "{n}");
        assert!(shown.text.contains("Hj. Sitti Rahasia"), "{n}");
        assert!(shown.text.contains("<td>Ketua</td>"), "{n}");
        // Through the API by the enumerator of the region, with a key (an id number).
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/groups/{id}/members"),
                Some("enumerator"),
                Some(json!({"name": "Andi <b>Rahasia</b>", "key": "7308 0112"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let m = r.json();
        assert_eq!(m["role"], "anggota", "{n}: {m}");
        assert_eq!(m["person_key"], "k:73080112", "{n}: {m}");
        let list = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{id}/members"),
                Some("enumerator"),
                None,
            )
            .await
            .json();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Hj. Sitti Rahasia", "Andi <b>Rahasia</b>"], "{n}");
        let shown = env.page(&page, Some("enumerator")).await;
        assert!(
            shown.text.contains("Andi &#60;b&#62;Rahasia&#60;/b&#62;"),
            "{n}: names are escaped"
        );
        let trail = env
            .store
            .audit_in(&RegionCode::parse(INSIDE).unwrap(), 10, 0)
            .await
            .unwrap();
        let added: Vec<_> = trail
            .iter()
            .filter(|e| e.entity_kind == "anggota" && e.action == "create")
            .collect();
        assert_eq!(added.len(), 2, "{n}");
        assert!(
            added
                .iter()
                .all(|e| !e.after.as_deref().unwrap_or("").contains("Rahasia")),
            "{n}: the trail names the group and role, not the person"
        );
        // Viewers and anonymous visitors get no names, in HTML or JSON.
        for who in [None, Some("viewer")] {
            let r = env.page(&page, who).await;
            assert!(!r.text.contains("Rahasia"), "{n} {who:?}: names in HTML");
            assert!(!r.text.contains("id=\"anggota\""), "{n} {who:?}");
            let r = env
                .api(
                    Method::GET,
                    &format!("/api/v1/groups/{id}/members"),
                    who,
                    None,
                )
                .await;
            assert!(!r.text.contains("Rahasia"), "{n} {who:?}: names in JSON");
            let expect = if who.is_some() { 403 } else { 401 };
            assert_eq!(r.status.as_u16(), expect, "{n} {who:?}");
            let r = env
                .api(Method::GET, &format!("/api/v1/groups/{id}"), who, None)
                .await;
            assert!(!r.text.contains("Rahasia"), "{n} {who:?}");
        }
        // The viewer sees the page but no members section and no form.
        let r = env.page(&page, Some("viewer")).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            !r.text.contains("/members\""),
            "{n}: no member form for a viewer"
        );
        // A bad form shows the page again with the problem beside the form (422).
        let r = env
            .form(
                &format!("{page}/members?lang=en"),
                Some("officer"),
                &[("nama", " "), ("peran", "raja")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(r.text.contains("role=\"alert\""), "{n}");
        assert!(r.text.contains("peran"), "{n}: {}", r.text);
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/groups/{id}/members"),
                Some("officer"),
                Some(json!({"name": "X", "role": "raja"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        assert_eq!(r.json()["error"], "invalid_input", "{n}");
        // The same person twice in one group is refused (by name, or by key when given).
        let r = env
            .form(
                &format!("{page}/members"),
                Some("officer"),
                &[("nama", "hj sitti  RAHASIA")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(r.text.contains("sudah anggota nomor"), "{n}");
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/groups/{id}/members"),
                Some("officer"),
                Some(json!({"name": "Andi Lain", "key": "73080112"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        assert_eq!(r.json()["fields"][0]["field"], "kunci", "{n}");
        // Forms need the session's token.
        let r = env
            .form(
                &format!("{page}/members"),
                Some("officer"),
                &[("nama", "Tanpa Token")],
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        // Removing: a member of another group is not found through this one.
        let first = list[0]["id"].as_i64().unwrap();
        let (other, _) = env.group_in("73.08.21.1007").await;
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{other}/members/{first}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}: {}", r.text);
        let r = env
            .form(
                &format!("{page}/members/{first}/delete"),
                Some("viewer"),
                &[],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .form(
                &format!("{page}/members/{first}/delete"),
                Some("officer"),
                &[],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        assert!(
            !env.page(&page, Some("officer"))
                .await
                .text
                .contains("Hj. Sitti Rahasia"),
            "{n}"
        );
        let trail = env
            .store
            .audit_in(&RegionCode::parse(INSIDE).unwrap(), 10, 0)
            .await
            .unwrap();
        assert!(
            trail
                .iter()
                .any(|e| e.entity_kind == "anggota" && e.action == "delete"),
            "{n}"
        );
        // Unknown groups and member numbers.
        let r = env
            .api(
                Method::GET,
                "/api/v1/groups/K-TIDAK-ADA/members",
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{id}/members/x"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
    }
}

/// Without a browser on the server, the PDF download says so (503), in the user's language,
/// instead of failing; the HTML and XLSX downloads still work.
#[tokio::test]
async fn report_pdf_without_a_browser_is_a_clear_error() {
    let env = Env::new("sqlite", None).await;
    let r = env.page("/regions/73.08.21/report?format=pdf", None).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.text
            .contains("PDF memerlukan Chromium di server, dan server ini tidak memilikinya"),
        "{}",
        r.text
    );
    let r = env
        .page("/regions/73.08.21/report?format=pdf&lang=en", None)
        .await;
    assert!(
        r.text
            .contains("download the HTML and print it from a browser"),
        "{}",
        r.text
    );
    let r = env.page("/regions/73.08.21/report?format=html", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"profil-730821.html\""
    );
}

/// Redirect targets taken from a request (`next` of `/lang` and sign-in, `back` of the tie forms)
/// stay on this site: one `/` then anything but `/` or `\`, printable ASCII only. Otherwise
/// `/lang` and sign-in go home, and the tie forms are refused before writing or deleting.
#[tokio::test]
async fn redirect_targets_stay_on_this_site() {
    // (as sent in the query, the Location expected)
    let cases = [
        ("/regions/73", "/regions/73"),
        ("%2Fregions%2F73%3Flang%3Den", "/regions/73?lang=en"),
        ("/", "/"),
        ("/%5Cevil.example", "/"),
        ("%5C%5Cevil.example", "/"),
        ("//evil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("/%09/evil.example", "/"),
        ("%2F%09%2Fevil.example", "/"),
        ("/%0D%0ASet-Cookie:%20x=1", "/"),
        ("/%0Aevil", "/"),
        ("/%00", "/"),
        ("/%7F", "/"),
        ("/d%C3%A9sa", "/"),
        ("https://evil.example", "/"),
        ("evil.example", "/"),
        ("", "/"),
    ];
    for env in envs().await {
        let n = env.name;
        for (next, expected) in cases {
            let sw = env.page(&format!("/lang/en?next={next}"), None).await;
            assert_eq!(sw.status, StatusCode::SEE_OTHER, "{n}: /lang next={next}");
            assert_eq!(
                sw.headers[header::LOCATION],
                expected,
                "{n}: /lang next={next}"
            );
            // Sign-in: the form carries the target, the answer goes there.
            let f = env.page(&format!("/signin?next={next}"), None).await;
            assert_eq!(f.status, StatusCode::OK, "{n}: signin next={next}");
            let shown = expected.replace('&', "&#38;").replace('=', "&#61;");
            assert!(
                f.text
                    .contains(&format!("name=\"next\" value=\"{expected}\""))
                    || f.text.contains(&format!("name=\"next\" value=\"{shown}\"")),
                "{n}: signin form next={next}"
            );
            let cookie = f.headers[header::SET_COOKIE].to_str().unwrap().to_string();
            let token = cookie.split(';').next().unwrap().split_once('=').unwrap().1;
            let ok = env
                .send(
                    Request::builder()
                        .method(Method::POST)
                        .uri("/signin")
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header(header::COOKIE, format!("wahana_csrf={token}"))
                        .body(Body::from(format!(
                            "name=viewer&password={PASSWORD}&_csrf={token}&next={next}"
                        )))
                        .unwrap(),
                )
                .await;
            assert_eq!(ok.status, StatusCode::SEE_OTHER, "{n}: signin next={next}");
            assert_eq!(
                ok.headers[header::LOCATION],
                expected,
                "{n}: signin next={next}"
            );
        }

        // The tie forms: a bad `back` is refused with a message before anything changes.
        let (group, _) = env.group_in(INSIDE).await;
        let inst = "L-REDIRECT-1";
        admin_adds(&env, "institutions", inst, INSIDE).await;
        let env = &env;
        let tie_form = |back: &'static str| {
            let group = group.clone();
            async move {
                let body = format!(
                    "dari={group}&ke={inst}&jenis_ikatan=pembinaan&back={back}&_csrf={}",
                    env.sessions["officer"].1
                );
                env.send(
                    Request::builder()
                        .method(Method::POST)
                        .uri("/ties")
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header(
                            header::COOKIE,
                            format!("wahana_session={}", env.sessions["officer"].0),
                        )
                        .body(Body::from(body))
                        .unwrap(),
                )
                .await
            }
        };
        for back in [
            "/%5Cevil.example",
            "//evil.example",
            "/%09/evil.example",
            "/x%0D%0Ay",
            "/x%00",
            "/x%7F",
            "https://evil.example",
        ] {
            let r = tie_form(back).await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{n}: back={back}: {}",
                r.text
            );
            assert!(
                r.text.contains("bukan halaman di situs ini"),
                "{n}: back={back}: {}",
                r.text
            );
            assert!(
                env.store.ties_of(inst).await.unwrap().is_empty(),
                "{n}: back={back}: nothing written"
            );
        }
        let r = tie_form("/groups/x%3Fa%3D1").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(r.headers[header::LOCATION], "/groups/x?a=1", "{n}");
        let tie = env.store.ties_of(inst).await.unwrap()[0].id;
        for back in [
            "/x\r\ny",
            "/x\u{0}",
            "/x\u{7f}",
            "/\\evil.example",
            "/\t/evil",
        ] {
            let r = env
                .form(
                    &format!("/ties/{tie}/delete"),
                    Some("officer"),
                    &[("back", back)],
                    true,
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::BAD_REQUEST,
                "{n}: delete back={back:?}"
            );
            assert!(
                env.store.tie(tie).await.unwrap().is_some(),
                "{n}: back={back:?}: nothing deleted"
            );
        }
        // The question page falls back to the home page for such a `back`.
        let q = env
            .page(
                &format!("/ties/{tie}/delete?back=/%09/evil"),
                Some("officer"),
            )
            .await;
        assert!(q.text.contains("name=\"back\" value=\"/\""), "{n}");
        let r = env
            .form(&format!("/ties/{tie}/delete"), Some("officer"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        assert_eq!(r.headers[header::LOCATION], "/", "{n}");
        assert!(env.store.tie(tie).await.unwrap().is_none(), "{n}");
    }
}

/// The import page takes what the API takes: a file over 2 MB is checked, one over the limit
/// gets 413 and a broken form 400, each with a message; a file name past what a file system
/// holds is shortened, on both imports.
#[tokio::test]
async fn import_page_size_limit_broken_forms_and_long_names() {
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        let mut csv = format!("{header}\n");
        let mut i = 0;
        while csv.len() < 3 * 1024 * 1024 {
            csv.push_str(&format!(
                "{INSIDE},Arisan Besar {i},arisan,tumbuh_masyarakat,1990,2026-01-05\n"
            ));
            i += 1;
        }
        let r = env
            .upload("/import", Some("officer"), &[], Some(("besar.csv", &csv)))
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{n}: {}",
            &r.text[..r.text.len().min(800)]
        );
        assert!(r.text.contains("name=\"confirm\""), "{n}: a clean dry run");
        assert_eq!(env.uploads_waiting(), 1, "{n}");

        let too_big = vec![b'x'; crate::web::pages::import::UPLOAD_LIMIT + 1];
        let body = env.multipart(Some("officer"), &[], Some(("k.csv", &too_big)));
        drop(too_big);
        let r = env
            .upload_body("/import?lang=en", Some("officer"), body)
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{n}: {}", r.text);
        assert!(r.text.contains("at most 64 MB"), "{n}: {}", r.text);
        assert_eq!(env.uploads_waiting(), 1, "{n}: the part written is removed");

        let mut broken = env.multipart(Some("officer"), &[], Some(("k.csv", b"nama\nx\n")));
        broken.truncate(broken.len() - 30);
        let r = env.upload_body("/import", Some("officer"), broken).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{n}: {}", r.text);
        assert!(
            r.text.contains("permintaan tidak dapat dibaca"),
            "{n}: {}",
            r.text
        );
        assert_eq!(env.uploads_waiting(), 1, "{n}: nothing left of it");

        let long = format!("{}.csv", "k".repeat(300));
        let small = format!(
            "{header}\n{INSIDE},Arisan Nama Panjang,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let r = env
            .upload("/import", Some("officer"), &[], Some((&long, &small)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert!(r.text.contains(&format!("{}.csv:", "k".repeat(96))), "{n}");
        let r = env.import_api(Some("officer"), &long, &small, true).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(r.json()["file"], format!("{}.csv", "k".repeat(96)), "{n}");
    }
}

/// Uploads are not left behind: a refused dry run and a confirmed import remove their file, a
/// clean dry run keeps it for its confirmation until it expires; the API keeps nothing.
#[tokio::test]
async fn uploads_are_removed_when_refused_and_expire_unconfirmed() {
    use crate::web::pages::import::{UPLOAD_TTL, sweep_uploads};
    use std::time::SystemTime;
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        let bad =
            format!("{header}\n{INSIDE},Arisan Salah,arisan,tumbuh_masyarakat,1990,kemarin\n");
        let r = env
            .upload("/import", Some("officer"), &[], Some(("k.csv", &bad)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(!r.text.contains("name=\"confirm\""), "{n}: refused");
        assert_eq!(env.uploads_waiting(), 0, "{n}: a refused upload is removed");
        let r = env.import_api(Some("officer"), "k.csv", &bad, true).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert_eq!(env.uploads_waiting(), 0, "{n}: the API keeps nothing");

        let good =
            format!("{header}\n{INSIDE},Arisan Tunggu,arisan,tumbuh_masyarakat,1990,2026-01-05\n");
        for _ in 0..2 {
            let r = env
                .upload("/import", Some("officer"), &[], Some(("k.csv", &good)))
                .await;
            assert!(r.text.contains("name=\"confirm\""), "{n}: clean");
        }
        assert_eq!(env.uploads_waiting(), 2, "{n}: kept for confirmation");
        let token = {
            let r = env
                .upload("/import", Some("officer"), &[], Some(("k.csv", &good)))
                .await;
            let (_, rest) = r.text.split_once("name=\"confirm\" value=\"").unwrap();
            rest[..64].to_string()
        };
        assert_eq!(env.uploads_waiting(), 3, "{n}");
        let r = env
            .upload("/import", Some("officer"), &[("confirm", &token)], None)
            .await;
        assert!(r.text.contains("ditulis"), "{n}: {}", r.text);
        assert_eq!(
            env.uploads_waiting(),
            2,
            "{n}: a confirmed upload is removed"
        );

        // Expiry: fresh uploads stay, old ones go, and nothing else in the directory.
        std::fs::write(env.uploads.join("not-an-upload"), "x").unwrap();
        let past = SystemTime::now() - UPLOAD_TTL;
        assert_eq!(sweep_uploads(&env.uploads, past), 0, "{n}");
        assert_eq!(env.uploads_waiting(), 3, "{n}");
        let later = SystemTime::now() + UPLOAD_TTL;
        assert_eq!(sweep_uploads(&env.uploads, later), 2, "{n}");
        assert_eq!(env.uploads_waiting(), 1, "{n}: only the other file is left");
    }
}

/// Issue 11, points 2 and 3: with ids of letters and of five digits held in a village, new
/// groups from the API, a form and an import all get ids of their own (none refused as taken,
/// no earlier record replaced); an id names one record of one kind (a group may not take a
/// network's, from the API or an import); and an officer cannot cut another region's tie
/// through a group that took, in an older release, the id of a network there.
#[tokio::test]
async fn new_ids_never_collide_and_an_id_names_one_record() {
    for env in envs().await {
        let n = env.name;
        let digits = INSIDE.replace('.', "");
        let mut odd = Vec::new();
        for suffix in ["ABC", "10000"] {
            let mut g = new_group(INSIDE, &format!("Arisan Ganjil {suffix}"));
            g["fields"]["id"] = json!(format!("K-{digits}-{suffix}"));
            let r = env
                .api(Method::POST, "/api/v1/groups", Some("admin"), Some(g))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
            odd.push(r.json()["id"].as_str().unwrap().to_string());
        }
        let code = RegionCode::parse(INSIDE).unwrap();
        let filter = wahana_store::GroupFilter {
            region: Some(code.clone()),
            ..Default::default()
        };
        let before = env.store.list_groups(&filter, 10_000, 0).await.unwrap();

        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(INSIDE, "Arisan API")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        assert_eq!(r.json()["id"], format!("K-{digits}-10001"), "{n}");
        let form = [
            ("kode_wilayah", INSIDE),
            ("nama", "Majelis Formulir"),
            ("jenis", "majelis_taklim"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1999"),
        ];
        let r = env.form("/groups", Some("officer"), &form, true).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let csv = format!(
            "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n\
             {INSIDE},Arisan Impor Satu,arisan,tumbuh_masyarakat,1990,2026-01-05\n\
             {INSIDE},Arisan Impor Dua,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let import = |body: String| {
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/import?filename=k.csv")
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", env.sessions["officer"].0),
                )
                .body(Body::from(body))
                .unwrap()
        };
        let r = env.send(import(csv)).await.json();
        assert_eq!(r["committed"], true, "{n}: {r}");
        assert_eq!(
            (r["created"].clone(), r["updated"].clone()),
            (json!(2), json!(0))
        );

        let after = env.store.list_groups(&filter, 10_000, 0).await.unwrap();
        assert_eq!(after.len(), before.len() + 4, "{n}");
        for g in &before {
            assert!(after.contains(g), "{n}: {} changed", g.group.id);
        }
        let new_ids: std::collections::BTreeSet<String> = after
            .iter()
            .filter(|g| !before.contains(g))
            .map(|g| g.group.id.clone())
            .collect();
        let want: std::collections::BTreeSet<String> = (10_001..10_005)
            .map(|k| format!("K-{digits}-{k}"))
            .collect();
        assert_eq!(new_ids, want, "{n}");

        // A network's id is not a group's: refused from the API (409, naming the kind) and
        // from an import (a problem of that row).
        let away = env.away_village.clone();
        admin_adds(&env, "networks", "W-JAUH-1", &away).await;
        admin_adds(&env, "institutions", "L-JAUH-1", &away).await;
        let mut g = new_group(INSIDE, "Arisan Kembar");
        g["fields"]["id"] = json!("W-JAUH-1");
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups?lang=en",
                Some("admin"),
                Some(g),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "id_taken", "{n}");
        assert!(r.text.contains("a network"), "{n}: {}", r.text);
        let csv = format!(
            "id,kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n\
             W-JAUH-1,{INSIDE},Arisan Kembar,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let r = env.send(import(csv)).await.json();
        assert_eq!(r["committed"], false, "{n}: {r}");
        assert_eq!(r["problems"][0]["code"], "id_taken", "{n}: {r}");
        assert!(env.store.group("W-JAUH-1").await.unwrap().is_none(), "{n}");

        // An older release's collision: a group of Tanete Riattang holding the id of the
        // network of 73.08.22 that is tied there. The officer of Tanete Riattang can neither
        // see nor cut that tie.
        let tie = admin_ties(&env, "W-JAUH-1", "L-JAUH-1").await;
        let mut twin = before[0].group.clone();
        twin.id = "W-JAUH-1".into();
        env.store
            .save_groups(&before[0].wave_id, &[twin])
            .await
            .unwrap();
        let r = env
            .api(
                Method::GET,
                "/api/v1/regions/73.08.21/ties",
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            !r.json().to_string().contains("L-JAUH-1"),
            "{n}: {}",
            r.text
        );
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/ties/{tie}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}: {}", r.text);
        let r = env
            .form(&format!("/ties/{tie}/delete"), Some("officer"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
        assert!(env.store.tie(tie).await.unwrap().is_some(), "{n}");
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/ties/{tie}"),
                Some("officer_away"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
    }
}

/// Issue 11, point 6: of many wrong guesses at once, at most the limit get a password check;
/// guesses from other addresses do not lock a person out of an address they signed in from.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sign_in_limit_holds_under_parallel_guesses_and_spares_a_known_address() {
    use users::SignInRefused;
    const ATTACKER: &str = "203.0.113.9";
    for env in envs().await {
        let n = env.name;
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let store = env.store.clone();
                tokio::spawn(async move {
                    users::sign_in(&store, "admin", "salah-tebak", ATTACKER)
                        .await
                        .unwrap()
                        .err()
                        .unwrap()
                })
            })
            .collect();
        let (mut checked, mut locked) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                SignInRefused::BadCredentials => checked += 1,
                SignInRefused::TooManyFailures => locked += 1,
            }
        }
        assert_eq!(
            (checked, locked),
            (users::MAX_FAILURES, 50 - users::MAX_FAILURES),
            "{n}"
        );
        // The right password from the attacker's address is refused too.
        let r = users::sign_in(&env.store, "admin", PASSWORD, ATTACKER)
            .await
            .unwrap();
        assert_eq!(r.err(), Some(SignInRefused::TooManyFailures), "{n}");
        // Guesses from many addresses lock the name everywhere...
        for i in 0..users::MAX_NAME_FAILURES {
            let _ = users::sign_in(
                &env.store,
                "admin",
                "salah",
                &format!("10.0.{}.{}", i / 200, i % 200),
            )
            .await
            .unwrap();
        }
        let r = users::sign_in(&env.store, "admin", PASSWORD, "198.51.100.7")
            .await
            .unwrap();
        assert_eq!(
            r.err(),
            Some(SignInRefused::TooManyFailures),
            "{n}: a new address"
        );
        // ...but the admin signs in from the address they signed in from before (the test's
        // sessions were opened from the unknown address, "").
        let r = users::sign_in(&env.store, "admin", PASSWORD, "")
            .await
            .unwrap();
        assert!(r.is_ok(), "{n}: the known address: {r:?}");
        // Through HTTP: the connection's address is the one counted.
        let req = |addr: &str| {
            let mut req = Request::builder()
                .method(Method::POST)
                .uri("/api/v1/session")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"name": "admin", "password": PASSWORD}).to_string(),
                ))
                .unwrap();
            req.extensions_mut().insert(axum::extract::ConnectInfo(
                format!("{addr}:40000")
                    .parse::<std::net::SocketAddr>()
                    .unwrap(),
            ));
            req
        };
        let r = env.send(req(ATTACKER)).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "too_many_failures", "{n}");
        let r = env.send(req("192.0.2.1")).await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{n}: the name is locked"
        );
    }
}

/// Issue 11, point 13: the database holds neither the session token nor its CSRF token.
#[tokio::test]
async fn session_tokens_are_stored_hashed() {
    for env in envs().await {
        let n = env.name;
        let r = env
            .api(
                Method::POST,
                "/api/v1/session",
                None,
                Some(json!({"name": "officer", "password": PASSWORD})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let token = r.json()["token"].as_str().unwrap().to_string();
        let csrf = r.json()["csrf_token"].as_str().unwrap().to_string();
        let cookie = r.headers[header::SET_COOKIE].to_str().unwrap().to_string();
        assert!(
            cookie.starts_with(&format!("wahana_session={token};")),
            "{n}"
        );
        let held: Vec<(String, String, String)> = wahana_store::on_pool!(env.store.pool(), p => {
            sqlx::query_as("SELECT token_hash, created_at, expires_at FROM sessions")
                .fetch_all(p)
                .await
                .unwrap()
        });
        assert!(!held.is_empty(), "{n}");
        for (h, a, b) in &held {
            for secret in [&token, &csrf] {
                assert!(
                    !h.contains(secret.as_str())
                        && !a.contains(secret.as_str())
                        && !b.contains(secret.as_str()),
                    "{n}: a token is held in clear"
                );
            }
        }
        assert!(
            held.iter()
                .any(|(h, _, _)| *h == wahana_store::token_hash(&token)),
            "{n}"
        );
        // The cookie still opens the session, and its CSRF token still guards writes.
        let me = env
            .send(
                Request::builder()
                    .uri("/api/v1/session")
                    .header(header::COOKIE, format!("wahana_session={token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(me.json()["name"], "officer", "{n}");
        assert_eq!(csrf, users::csrf_token(&token), "{n}");
    }
}

/// Issue 11, point 13: to someone who may not read another region's record, asking for it
/// (reading, editing, deleting, its members) is answered exactly as for an id that is not held;
/// someone who may read it but not change it is told so (403).
#[tokio::test]
async fn another_regions_record_is_answered_as_missing() {
    for env in envs().await {
        let n = env.name;
        let away = env.away_group.clone();
        let missing = "K-TIDAK-ADA-99";
        let same = |a: &Res, b: &Res, what: &str| {
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{n} {what}: {}", a.text);
            assert_eq!(a.status, b.status, "{n} {what}");
            assert_eq!(
                a.text.replace(&away, "ID"),
                b.text.replace(missing, "ID"),
                "{n} {what}"
            );
            assert!(
                !a.text.contains("73.08.22") && !a.text.contains("Forbidden"),
                "{n} {what}"
            );
        };
        let edit = json!({"fields": {"nama_kelompok": "X"}, "version": 1});
        for who in ["officer", "viewer", "enumerator"] {
            for (method, path, body) in [
                (Method::GET, "/api/v1/groups/ID", None),
                (Method::DELETE, "/api/v1/groups/ID", None),
                (Method::PATCH, "/api/v1/groups/ID", Some(edit.clone())),
                (Method::GET, "/api/v1/groups/ID/members", None),
            ] {
                let a = env
                    .api(
                        method.clone(),
                        &path.replace("ID", &away),
                        Some(who),
                        body.clone(),
                    )
                    .await;
                let b = env
                    .api(
                        method.clone(),
                        &path.replace("ID", missing),
                        Some(who),
                        body,
                    )
                    .await;
                same(&a, &b, &format!("{who} {method} {path}"));
            }
            for path in ["/groups/ID", "/groups/ID/edit", "/groups/ID/delete"] {
                let a = env.page(&path.replace("ID", &away), Some(who)).await;
                let b = env.page(&path.replace("ID", missing), Some(who)).await;
                same(&a, &b, &format!("{who} {path}"));
            }
        }
        // A viewer of the group's own region may read it, not delete it: 403.
        let home = env
            .api(
                Method::GET,
                "/api/v1/groups?region=73.08.21&limit=1",
                Some("viewer"),
                None,
            )
            .await;
        let id = home.json()["items"][0]["id"].as_str().unwrap().to_string();
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{id}"),
                Some("viewer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: {}", r.text);
    }
}

/// Issue 11, point 11: a demonstration load that stops part way leaves the database as it was.
#[tokio::test]
async fn a_demo_load_that_fails_part_way_writes_nothing() {
    for env in envs().await {
        let n = env.name;
        let before = env.store.counts().await.unwrap();
        let waves = env.store.waves().await.unwrap().len();
        let r = service::demo::load(
            &env.store,
            service::demo::Scale::Tanete,
            wahana_domain::demo::DEFAULT_SEED + 1,
            &|done, _| {
                anyhow::ensure!(done == 0, "stopped after {done} villages");
                Ok(())
            },
        )
        .await;
        assert!(r.is_err(), "{n}");
        let after = env.store.counts().await.unwrap();
        assert_eq!(format!("{after:?}"), format!("{before:?}"), "{n}");
        assert_eq!(env.store.waves().await.unwrap().len(), waves, "{n}");
        // The group added to the demonstration wave by hand is still there.
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{}", env.away_group),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
    }
}

/// The review page of a re-survey's proposed links: officers of the region see and decide their
/// pairs; a viewer may not; the decision happens once.
#[tokio::test]
async fn review_page_lists_and_decides_proposed_links() {
    for env in envs().await {
        let n = env.name;
        let file = env._dir.path().join("pemutakhiran.csv");
        service::demo::write_resurvey(&file, wahana_domain::demo::DEFAULT_SEED, 2).unwrap();
        let opts = service::import::ImportOptions {
            wave: Some("Pemutakhiran 2026".into()),
            wave_date: wahana_domain::Date::new(2026, 8, 31),
            ..Default::default()
        };
        let report =
            service::import::import_file(&env.store, &file, &opts, service::today(), &|_| {})
                .await
                .unwrap();
        assert!(report.committed, "{n}: {report:?}");
        assert!(report.review > 0, "{n}");
        let uri = "/waves/pemutakhiran-2026/review";
        assert_eq!(
            env.page(uri, Some("viewer")).await.status,
            StatusCode::FORBIDDEN,
            "{n}"
        );
        let away = env.page(uri, Some("officer_away")).await;
        assert_eq!(away.status, StatusCode::OK, "{n}");
        assert!(away.text.contains("(0)"), "{n}: none of theirs");
        let page = env.page(uri, Some("officer")).await;
        assert_eq!(page.status, StatusCode::OK, "{n}: {}", page.text);
        let pending = env
            .store
            .reviews("pemutakhiran-2026", None, false)
            .await
            .unwrap();
        assert_eq!(pending.len() as u64, report.review, "{n}");
        let first = &pending[0];
        assert!(page.text.contains(&first.candidate_id), "{n}");
        assert!(
            page.text.contains("keputusan"),
            "{n}: the officer may decide"
        );
        let action = format!("{uri}/{}", first.id);
        // The officer of another district may not decide it, and is not told it exists.
        let r = env
            .form(
                &action,
                Some("officer_away"),
                &[("keputusan", "terima")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}: {}", r.text);
        // Without the form token nothing happens.
        let r = env
            .form(&action, Some("officer"), &[("keputusan", "terima")], false)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: {}", r.text);
        let r = env
            .form(&action, Some("officer"), &[("keputusan", "terima")], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let after = env.store.review(first.id).await.unwrap().unwrap();
        assert_eq!(after.status, "accepted", "{n}");
        assert_eq!(after.decided_by.as_deref(), Some("web:officer"), "{n}");
        let obs = env
            .store
            .group_in(&first.candidate_id, "pemutakhiran-2026")
            .await
            .unwrap();
        assert!(
            obs.is_some(),
            "{n}: the row is the earlier group's 2026 record"
        );
        let again = env
            .form(&action, Some("officer"), &[("keputusan", "tolak")], true)
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{n}: {}", again.text);
    }
}
