//! The help page (`/bantuan`, `/help`): each role's section, the signed-in person's own first,
//! the group form's fields with their file columns, the terms explained; and the first-run
//! steps on a database that holds no person yet, on the help page and the home page.

use super::harness::envs;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

/// Where each heading of `sections` starts in `html` (`None` when absent).
fn positions(html: &str, headings: &[&str]) -> Vec<Option<usize>> {
    headings.iter().map(|h| html.find(h)).collect()
}

#[tokio::test]
async fn help_puts_the_persons_own_role_first_and_explains_fields_and_terms() {
    for env in envs().await {
        let n = env.name;
        // Anyone: everyone's section first, every role's section, the fields, the terms.
        let r = env.page("/bantuan", None).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let html = &r.text;
        let p = positions(
            html,
            &[
                "<section id=\"umum\">",
                "<section id=\"pendata\">",
                "<section id=\"petugas\">",
                "<section id=\"pembaca\">",
                "<section id=\"admin\">",
                "<section id=\"isian\">",
                "<section id=\"istilah\">",
            ],
        );
        assert!(p.iter().all(Option::is_some), "{n}: {p:?}");
        assert!(
            p[0] < p[1],
            "{n}: everyone's section comes first for a visitor"
        );
        // The fields: the label the form shows beside the file's column and its English name.
        assert!(
            html.contains("<td>Tahun berdiri</td><td><code>tahun_berdiri</code></td><td><code>founded_year</code></td>"),
            "{n}: {html}"
        );
        // The chair is personal data, and says so.
        let chair = html.find("<code>ketua</code>").expect("the chair's row");
        let row_end = html[chair..].find("</tr>").unwrap() + chair;
        assert!(html[chair..row_end].contains(">ya<"), "{n}");
        // Betweenness in plain words.
        assert!(html.contains("Keperantaraan"), "{n}");
        assert!(html.contains("jalur terpendek"), "{n}");
        // A database with people: the first steps are at the end, not announced.
        assert!(!html.contains("belum memiliki pengguna"), "{n}");
        assert!(
            html.find("<section id=\"mulai\">").unwrap() > p[6].unwrap(),
            "{n}"
        );

        // An officer: their own section first, marked, with links to their region's pages.
        let r = env.page("/bantuan", Some("officer")).await;
        let html = &r.text;
        let own = html.find("<section id=\"petugas\">").unwrap();
        let everyone = html.find("<section id=\"umum\">").unwrap();
        assert!(own < everyone, "{n}: the officer's own section comes first");
        assert!(html[own..].starts_with("<section id=\"petugas\">\n<h2>Petugas (TKSK, Dinas Sosial) <small>(peran Anda)</small>"), "{n}: {}", &html[own..own + 200]);
        assert!(html.contains("href=\"/regions/73.08.21/inbox\""), "{n}");

        // An admin, in English at /help: the admin's section first, in English.
        let r = env.page("/help?lang=en", Some("admin")).await;
        let html = &r.text;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let own = html.find("<section id=\"admin\">").unwrap();
        assert!(own < html.find("<section id=\"umum\">").unwrap(), "{n}");
        assert!(html.contains("<small>(your role)</small>"), "{n}");
        assert!(html.contains("<td>Year founded</td>"), "{n}");
        assert!(html.contains("Betweenness"), "{n}");

        // Every page links to the help.
        let home = env.page("/", None).await;
        assert!(
            home.text.contains("<a href=\"/bantuan\">Bantuan</a>"),
            "{n}"
        );
    }
}

#[tokio::test]
async fn an_empty_database_says_how_to_create_the_first_admin_and_load_data() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("kosong.db").display().to_string();
    let store = wahana::service::open_with(&url, wahana_store::Sharing::Shared)
        .await
        .unwrap();
    let app = wahana::web::app(
        store.clone(),
        wahana::web::Options {
            secure_cookies: true,
            pdf_browser: None,
            pdf_printers: wahana::web::pdf::PdfPrinters::new(1),
            uploads: dir.path().join("uploads"),
            metrics_token: None,
            shutdown_grace: wahana::web::DEFAULT_SHUTDOWN_GRACE,
            tls: None,
            report_head: Default::default(),
            read_replica: None,
        },
    );
    let get = |uri: &'static str| {
        let app = app.clone();
        async move {
            let res = app
                .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    };
    // The home page announces it and points to the steps.
    let (status, home) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Basis data ini belum memiliki pengguna."),
        "{home}"
    );
    assert!(home.contains("href=\"/bantuan#mulai\""), "{home}");
    // The help page puts the steps first: the command that makes the admin, the sign-in, the
    // waves, the import from the web, the people.
    let (_, help) = get("/bantuan").await;
    let steps = help
        .find("<section id=\"mulai\">")
        .expect("the first steps");
    assert!(steps < help.find("<section id=\"umum\">").unwrap());
    let section = &help[steps..];
    for needle in [
        "<code>wahana users add NAMA --role admin</code>",
        "href=\"/signin\"",
        "href=\"/waves\"",
        "href=\"/import\"",
        "href=\"/admin/users\"",
    ] {
        assert!(section.contains(needle), "{needle}: {section}");
    }
    // Once a person exists, neither page announces it any more.
    wahana::service::users::add(
        &store,
        &wahana::service::caller::Caller::Operator { user: "uji".into() },
        "admin1",
        "kata-sandi-panjang",
        "admin",
        None,
    )
    .await
    .unwrap();
    let (_, home) = get("/").await;
    assert!(!home.contains("belum memiliki pengguna"), "{home}");
    let (_, help) = get("/bantuan").await;
    assert!(!help.contains("belum memiliki pengguna"));
}
