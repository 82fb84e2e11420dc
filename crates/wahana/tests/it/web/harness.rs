//! What the web tests share: `Env`, the application over a store with the demonstration data
//! and one signed-in session per role (`envs()`: SQLite, and a fresh PostgreSQL database when
//! `WAHANA_TEST_POSTGRES_URL` is set), the requests (`api`, `page`, `form`, `upload`, …) and
//! their answer (`Res`), and the records the tests add.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::collections::HashMap;
use tower::ServiceExt;
use wahana::service::{self, caller::Caller, users};
use wahana::web::{self, pct};
use wahana_domain::{RegionCode, RegionTree};
use wahana_store::Store;

/// A village of the demonstration data (Kelurahan in Tanete Riattang).
pub const INSIDE: &str = "73.08.21.1003";
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
    /// The database's URL (the SQLite file's path, or PostgreSQL's URL).
    pub database: String,
    /// The temporary directory of the test (the SQLite file, uploads, files a test writes).
    pub dir: tempfile::TempDir,
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
    /// The upload an import page keeps for its confirmation (the form's `confirm` value), when
    /// the page offers one.
    pub fn confirm_token(&self) -> Option<String> {
        let (_, rest) = self.text.split_once("name=\"confirm\" value=\"")?;
        rest.split('"').next().map(str::to_string)
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

/// SQLite always; PostgreSQL when asked (and always in CI).
pub async fn envs() -> Vec<Env> {
    let mut out = vec![Env::new("sqlite", None).await];
    if let Some(admin) = crate::harness::postgres_url() {
        let url = crate::harness::create_postgres_database(&admin, "wahana_web").await;
        out.push(Env::new("postgres", Some(url)).await);
    }
    out
}

impl Env {
    /// The application over a fresh database (`url`, else SQLite in a temporary directory)
    /// holding the demonstration data, the people of `PEOPLE` signed in, and a group outside
    /// Tanete Riattang.
    pub async fn new(name: &'static str, url: Option<String>) -> Env {
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
        let app = web::app(
            store.clone(),
            web::Options {
                secure_cookies: true,
                // No PDF printing here: `tests/it/browser.rs` prints with the real Chromium.
                pdf_browser: None,
                pdf_printers: web::pdf::PdfPrinters::new(2),
                uploads: dir.path().join("uploads"),
                metrics_token: None,
                shutdown_grace: web::DEFAULT_SHUTDOWN_GRACE,
                tls: None,
                report_head: Default::default(),
                read_replica: None,
            },
        );
        let mut env = Env {
            name,
            app,
            uploads: dir.path().join("uploads"),
            store,
            database: url,
            dir,
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

    /// Serves the application again with `replica` as its read replica (`web/replica.rs`).
    pub fn serve_with_replica(&mut self, replica: Store) {
        self.app = web::app(
            self.store.clone(),
            web::Options {
                secure_cookies: true,
                pdf_browser: None,
                pdf_printers: web::pdf::PdfPrinters::new(2),
                uploads: self.uploads.clone(),
                metrics_token: None,
                shutdown_grace: web::DEFAULT_SHUTDOWN_GRACE,
                tls: None,
                report_head: Default::default(),
                read_replica: Some(replica),
            },
        );
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
            .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
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
                &format!("/api/v1/groups?name={}", pct(name)),
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

/// The fields of a new network or institution (`kind`: `networks` or `institutions`).
pub fn actor_fields(kind: &str, id: &str, village: &str, name: &str) -> Value {
    if kind == "networks" {
        json!({"fields": {"id": id, "kode_wilayah": village, "nama": name, "tingkat": "desa"}})
    } else {
        json!({"fields": {"id": id, "kode_wilayah": village, "nama": name, "jenis_lembaga": "puskesmas"}})
    }
}

/// A network or an institution added by the admin.
pub async fn admin_adds(env: &Env, kind: &str, id: &str, village: &str) {
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
pub async fn held_actor(env: &Env, kind: &str, id: &str) -> Option<(i64, Vec<String>)> {
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
pub async fn actors_named(env: &Env, kind: &str, village: &str, name: &str) -> usize {
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
pub async fn admin_ties(env: &Env, from: &str, to: &str) -> i64 {
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

/// Every audit entry the store holds.
pub async fn audit_rows(env: &Env) -> i64 {
    wahana_store::on_pool!(env.store.pool(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit").fetch_one(p).await.unwrap()
    })
}

/// Checks a response's status and how many audit entries it added since `rows`.
pub async fn audited(
    env: &Env,
    rows: &mut i64,
    r: Res,
    status: StatusCode,
    added: i64,
    what: &str,
) {
    let n = env.name;
    assert_eq!(r.status, status, "{n} {what}: {}", r.text);
    let now = audit_rows(env).await;
    assert_eq!(now - *rows, added, "{n} {what}: audit entries added");
    *rows = now;
}
