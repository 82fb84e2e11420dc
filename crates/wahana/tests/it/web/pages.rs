//! The pages anonymous visitors and signed-in people see, with their statuses: counts and not
//! records for the public, the language switch, security headers, and the report downloads
//! without a browser on the server.

use super::harness::{Env, INSIDE, envs};
use axum::http::{StatusCode, header};

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
        "attachment; filename=\"profil-wksbm_kec-tanete-riattang_pendataan-demo-2007-sintetis.html\""
    );
}

/// Issue 16, point 1: region search results name the area they lie in, understand "Kel." and
/// "Kec." before a name, and page past the first results.
#[tokio::test]
async fn search_page_shows_parent_areas_and_pages_regions() {
    for env in envs().await {
        let n = env.name;
        let s = env.page("/search?q=Kel.%20Watampone", None).await;
        assert_eq!(s.status, StatusCode::OK, "{n}");
        assert!(
            s.text.contains("Kelurahan Watampone</a> — <span class=\"parent\">Kec. Tanete Riattang, Kab. Bone</span>"),
            "{n}: {}",
            s.text
        );
        assert_eq!(s.text.matches("<li><a href=\"/regions/").count(), 1, "{n}");
        let s = env.page("/search?q=Kec.%20Tanete%20Riattang", None).await;
        assert!(
            s.text.contains("href=\"/regions/73.08.21\">Kecamatan Tanete Riattang</a> — <span class=\"parent\">Kab. Bone, Sulawesi Selatan</span>"),
            "{n}"
        );
        assert!(
            !s.text.contains("/regions/73.08.21.1003\""),
            "{n}: only kecamatan"
        );
        // "bone" names more than a page of regions: the first page, then the next.
        let hits = |text: &str| -> Vec<String> {
            text.match_indices("<li><a href=\"/regions/")
                .map(|(i, m)| {
                    let rest = &text[i + m.len()..];
                    rest[..rest.find('"').unwrap()].to_string()
                })
                .collect()
        };
        let first = env.page("/search?q=bone", None).await;
        let page1 = hits(&first.text);
        assert_eq!(page1.len(), 20, "{n}");
        assert_eq!(page1[0], "73.08", "{n}: the kabupaten first");
        assert!(first.text.contains("Kabupaten Bone</a>"), "{n}");
        assert!(!first.text.contains("Kabupaten Kabupaten"), "{n}");
        assert!(first.text.contains("region_offset=20"), "{n}");
        assert!(first.text.contains("Wilayah 1–20 dari"), "{n}");
        let second = env.page("/search?q=bone&region_offset=20", None).await;
        let page2 = hits(&second.text);
        assert!(!page2.is_empty(), "{n}");
        assert!(page2.iter().all(|c| !page1.contains(c)), "{n}: {page2:?}");
        assert!(second.text.contains("Wilayah 21–"), "{n}");
        assert!(second.text.contains("region_offset=0"), "{n}: a link back");
    }
}
