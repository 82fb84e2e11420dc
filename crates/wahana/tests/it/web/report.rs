//! The profile report a Bupati signs and a reviewer trusts (issue 16, points 12–15): the
//! executive summary, one language per rendering, findings stated for the villages surveyed
//! when the wave covered part of a region, "no data" as its own verdict, the file names, the
//! API's added fields, and the page that says a PDF is being prepared.
//!
//! The demonstration data covers the 8 kelurahan of Tanete Riattang; the harness adds a group in
//! one village of Kecamatan 73.08.22: 9 of Kabupaten Bone's 372 villages hold groups.

use super::harness::{Env, envs};
use axum::http::{Method, StatusCode, header};
use serde_json::Value;

/// The text of an HTML page with its entities undone, for comparing with sentences.
fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#38;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The synthetic mark the domain puts at the end of every sentence of a synthetic wave.
fn unmarked(s: &str) -> &str {
    s.trim_end_matches(" [data sintetis, bukan hasil pengukuran]")
        .trim_end_matches(" [synthetic data, not a measurement]")
}

async fn profile(env: &Env, code: &str) -> Value {
    let r = env
        .api(
            Method::GET,
            &format!("/api/v1/regions/{code}/profile"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", env.name, r.text);
    r.json()
}

/// Point 13: Kabupaten Bone, covered in 9 of its 372 villages. The API says so (fields added,
/// none removed), every sentence and badge is about the villages surveyed, and the region page
/// shows those badges; a kecamatan whose every village is covered says nothing of the kind.
#[tokio::test]
async fn a_partly_covered_region_states_each_finding_for_the_villages_surveyed() {
    for env in envs().await {
        let n = env.name;
        let p = profile(&env, "73.08").await;
        let c = &p["coverage"];
        assert_eq!(
            (
                c["villages_with_groups"].as_u64(),
                c["villages_in_region"].as_u64(),
                c["partial"].as_bool()
            ),
            (Some(9), Some(372), Some(true)),
            "{n}: {c}"
        );
        for f in ["f1", "f2", "f3", "f4", "f5"] {
            // The earlier fields stay; the verdict is added beside `holds`.
            let holds = p[f]["holds"].as_bool().unwrap();
            let verdict = p[f]["verdict"].as_str().unwrap();
            assert_eq!(
                verdict,
                if holds { "holds" } else { "does_not_hold" },
                "{n}: {f}"
            );
            let id = p[f]["sentence_id"].as_str().unwrap();
            let en = p[f]["sentence_en"].as_str().unwrap();
            assert!(
                id.contains(" di 9 dari 372 desa/kelurahan yang didata: "),
                "{n}: {f}: {id}"
            );
            assert!(
                en.contains(" in the 9 of 372 villages surveyed: "),
                "{n}: {f}: {en}"
            );
            // A census: no interval.
            assert!(p[f].get("ci95").is_none(), "{n}: {f}");
        }
        // F2 beside the unsurveyed villages counted as zero; F3's purpose measure under F4.
        let groups = p["f2"]["groups"].as_f64().unwrap();
        assert_eq!(
            p["f2"]["mean_all_villages"].as_f64(),
            Some(groups / 372.0),
            "{n}"
        );
        assert_eq!(
            p["f4"]["share_integration_or_resilience"], p["f3"]["share_integration_or_resilience"],
            "{n}"
        );
        assert_eq!(p["f5"]["screening_requires_value"], true, "{n}");
        assert_eq!(p["wave"]["sample"], false, "{n}");

        // The region page: each finding's badge names the coverage, in the page's language.
        let page = env.page("/regions/73.08", None).await;
        assert_eq!(page.status, StatusCode::OK, "{n}");
        let text = unescape(&page.text);
        for (f, id) in [
            ("f1", "F1"),
            ("f2", "F2"),
            ("f3", "F3"),
            ("f4", "F4"),
            ("f5", "F5"),
        ] {
            let word = if p[f]["holds"] == true {
                "berlaku"
            } else {
                "tidak berlaku"
            };
            assert!(
                text.contains(&format!(
                    "{id} {word} di 9 dari 372 desa/kelurahan yang didata</span>"
                )),
                "{n}: {id}"
            );
            // Said once by the page's banner, not after each sentence.
            let sentence = unmarked(p[f]["sentence_id"].as_str().unwrap());
            assert!(text.contains(&format!("<br>{sentence}</li>")), "{n}: {f}");
        }
        assert_eq!(
            text.matches("DATA SINTETIS").count(),
            1,
            "{n}: the synthetic notice once"
        );
        let page = env.page("/regions/73.08?lang=en", None).await;
        assert!(
            page.text
                .contains("F4 holds in the 9 of 372 villages surveyed</span>"),
            "{n}"
        );

        // Tanete Riattang: all 8 kelurahan hold groups; nothing is qualified.
        let k = profile(&env, "73.08.21").await;
        assert_eq!(k["coverage"]["partial"], false, "{n}");
        assert!(
            k["f1"]["sentence_id"]
                .as_str()
                .unwrap()
                .starts_with("Berlaku: "),
            "{n}: {}",
            k["f1"]["sentence_id"]
        );
        let page = env.page("/regions/73.08.21", None).await;
        assert!(
            page.text.contains("F1 berlaku</span>") && !page.text.contains("yang didata</span>"),
            "{n}"
        );
    }
}

/// Point 13: a region whose groups all fail screening has no data for any finding: the verdict
/// is `no_data`, its own badge ("tidak ada data"), never "does not hold".
#[tokio::test]
async fn no_counted_group_is_no_data_never_does_not_hold() {
    for env in envs().await {
        let n = env.name;
        // A village whose one group records no value: it cannot qualify (C2).
        let village = if env.away_village == "73.08.22.1002" {
            "73.08.22.1003"
        } else {
            "73.08.22.1002"
        };
        let mut group = super::harness::new_group(village, "Arisan Tanpa Nilai");
        group["fields"].as_object_mut().unwrap().remove("nilai");
        let r = env
            .api(Method::POST, "/api/v1/groups", Some("admin"), Some(group))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let p = profile(&env, village).await;
        assert_eq!(p["groups_recorded"], 1, "{n}: {p}");
        assert_eq!(p["groups_qualifying"], 0, "{n}");
        for f in ["f1", "f2", "f3", "f4", "f5"] {
            assert_eq!(p[f]["verdict"], "no_data", "{n}: {f}");
            assert_eq!(p[f]["holds"], false, "{n}: {f}");
            assert!(
                p[f]["sentence_en"]
                    .as_str()
                    .unwrap()
                    .starts_with("No data: none of the 1 groups"),
                "{n}: {f}: {}",
                p[f]["sentence_en"]
            );
        }
        let page = env.page(&format!("/regions/{village}"), None).await;
        assert_eq!(page.status, StatusCode::OK, "{n}");
        assert!(
            page.text
                .contains("class=\"badge nodata\">F1 tidak ada data</span>"),
            "{n}: {}",
            page.text
        );
        assert!(!page.text.contains("tidak berlaku"), "{n}");
        let page = env.page(&format!("/regions/{village}?lang=en"), None).await;
        assert!(
            page.text.contains("F5 no data</span>") && !page.text.contains("does not hold"),
            "{n}"
        );
    }
}

/// Point 12: the report's first page is the executive summary (what was surveyed, coverage,
/// the five findings one sentence each, what stands out), wholly in the language asked for,
/// the synthetic notice once per printed page instead of after every sentence, the rules as an
/// appendix table, page numbers, dates in words, and file names naming region and wave.
#[tokio::test]
async fn the_report_opens_with_an_executive_summary_in_one_language() {
    for env in envs().await {
        let n = env.name;
        let p = profile(&env, "73.08").await;
        let r = env.page("/regions/73.08/report", None).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let html = unescape(&r.text);
        let summary_at = html.find("Ringkasan eksekutif").expect("a summary");
        let details_at = html.find("Lima temuan studi 2007").expect("the details");
        assert!(summary_at < details_at, "{n}: the summary comes first");
        let summary = &html[summary_at..details_at];
        assert!(
            summary.contains("mencatat 438 kelompok di Kabupaten Bone")
                && summary.contains("Cakupan: 9 dari 372 desa/kelurahan")
                && summary.contains(
                    "Pendataan ini hanya mencakup 9 dari 372 desa/kelurahan di Kabupaten Bone"
                )
                && summary.contains("Yang menonjol")
                && summary.contains("1 Agustus 2007 – 31 Agustus 2007"),
            "{n}: {summary}"
        );
        for f in ["f1", "f2", "f3", "f4", "f5"] {
            let sentence = unmarked(p[f]["sentence_id"].as_str().unwrap());
            // Beside its verdict's badge, the sentence goes on after the verdict.
            let (_, rest) = sentence.split_once(": ").unwrap();
            let mut c = rest.chars();
            let rest: String = c.next().unwrap().to_uppercase().chain(c).collect();
            assert!(summary.contains(&rest), "{n}: {f} in the summary: {rest}");
            // The other language is not under it.
            let en = unmarked(p[f]["sentence_en"].as_str().unwrap());
            assert!(!html.contains(en), "{n}: {f}");
        }
        // The synthetic notice: the banner once, and each printed page's footer; no sentence
        // carries it.
        assert!(
            !html.contains("[data sintetis, bukan hasil pengukuran]"),
            "{n}"
        );
        assert!(
            html.contains("@bottom-left { content: \"DATA SINTETIS — BUKAN HASIL PENGUKURAN\"")
                && html.contains("content: \"Halaman \" counter(page) \" dari \" counter(pages)"),
            "{n}"
        );
        // The rule set: a readable table in an appendix, not its TOML.
        assert!(html.contains("Lampiran: aturan penyaringan"), "{n}");
        assert!(
            !html.contains("<pre>") && !html.contains("[[criteria]]"),
            "{n}"
        );
        // Dates in words.
        assert!(html.contains("31 Agustus 2007"), "{n}");
        // A switch to the other language, which the page keeps (wave and all).
        assert!(
            html.contains("<a id=\"report-lang\" href=\"/lang/en?next=/regions/73.08/report\" hreflang=\"en\">English</a>"),
            "{n}"
        );

        // The same report in English: wholly English.
        let r = env.page("/regions/73.08/report?lang=en", None).await;
        let html = unescape(&r.text);
        assert!(
            html.contains("Executive summary")
                && html.contains("Coverage: 9 of 372 villages")
                && html.contains("31 August 2007")
                && !html.contains("Ringkasan eksekutif"),
            "{n}"
        );
        for f in ["f1", "f2", "f3", "f4", "f5"] {
            let en = unmarked(p[f]["sentence_en"].as_str().unwrap());
            assert!(html.contains(en), "{n}: {f}");
            assert!(!html.contains(unmarked(p[f]["sentence_id"].as_str().unwrap())));
        }

        // Downloads are named for the region and the wave.
        for (format, ext) in [("html", "html"), ("xlsx", "xlsx")] {
            let r = env
                .page(&format!("/regions/73.08/report?format={format}"), None)
                .await;
            assert_eq!(r.status, StatusCode::OK, "{n}");
            assert_eq!(
                r.headers[header::CONTENT_DISPOSITION],
                format!(
                    "attachment; filename=\"profil-wksbm_kab-bone_pendataan-demo-2007-sintetis.{ext}\""
                ),
                "{n}"
            );
        }
        let r = env.page("/regions/73.08.21/report?format=html", None).await;
        assert_eq!(
            r.headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"profil-wksbm_kec-tanete-riattang_pendataan-demo-2007-sintetis.html\"",
            "{n}"
        );
    }
}

/// Point 14: a wave recorded as a sample carries 95% Wilson intervals on its shares, in the
/// JSON and in the sentences; as a census again, none.
#[tokio::test]
async fn a_sample_wave_carries_wilson_intervals() {
    for env in envs().await {
        let n = env.name;
        let wave = "demo-2007-sintetis";
        let r = env
            .api(
                Method::PATCH,
                &format!("/api/v1/waves/{wave}"),
                Some("admin"),
                Some(serde_json::json!({"method": "sample"})),
            )
            .await;
        assert!(r.status.is_success(), "{n}: {}", r.text);
        let p = profile(&env, "73.08.21").await;
        assert_eq!(p["wave"]["sample"], true, "{n}");
        let n1 = p["f1"]["groups"].as_f64().unwrap();
        let share = p["f1"]["share_older_10"].as_f64().unwrap();
        let [lo, hi] = [0, 1].map(|i| p["f1"]["ci95"]["share_older_10"][i].as_f64().unwrap());
        assert!(
            lo < share && share < hi && hi - lo < 0.1,
            "{n}: {lo} {share} {hi} of {n1}"
        );
        for (f, key) in [
            ("f1", "share_older_10"),
            ("f3", "share_domicile"),
            ("f4", "share_dues_any"),
            ("f5", "share_any"),
        ] {
            assert!(p[f]["ci95"][key].is_array(), "{n}: {f}.{key}");
        }
        assert!(
            p["f1"]["sentence_id"]
                .as_str()
                .unwrap()
                .contains("(IK 95% ")
                && p["f1"]["sentence_en"]
                    .as_str()
                    .unwrap()
                    .contains("(95% CI "),
            "{n}: {}",
            p["f1"]["sentence_id"]
        );
        let r = env.page("/regions/73.08.21/report", None).await;
        assert!(
            r.text.contains("Pendataan ini berupa sampel"),
            "{n}: the summary says it is a sample"
        );
        let r = env
            .api(
                Method::PATCH,
                &format!("/api/v1/waves/{wave}"),
                Some("admin"),
                Some(serde_json::json!({"method": "census"})),
            )
            .await;
        assert!(r.status.is_success(), "{n}: {}", r.text);
        let p = profile(&env, "73.08.21").await;
        assert!(p["f1"].get("ci95").is_none(), "{n}");
        assert!(!p["f1"]["sentence_id"].as_str().unwrap().contains("IK 95%"));
    }
}

/// Point 15: the PDF link leads to a page that says the PDF is being prepared and asks for it
/// (a refresh, no script), in the person's language; with every printer busy the PDF request
/// is a 503 `pdf_busy` page saying so in that language.
#[tokio::test]
async fn the_pdf_link_says_it_is_being_prepared_and_busy_is_said_plainly() {
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
        let get = |uri: String| {
            let app = app.clone();
            async move {
                use http_body_util::BodyExt;
                use tower::ServiceExt;
                let req = axum::http::Request::get(uri)
                    .body(axum::body::Body::empty())
                    .unwrap();
                let res = app.oneshot(req).await.unwrap();
                let status = res.status();
                let body = res.into_body().collect().await.unwrap().to_bytes();
                (status, String::from_utf8_lossy(&body).into_owned())
            }
        };
        // The region page links to the page that prepares the PDF, keeping the wave.
        let (status, page) = get("/regions/73.08.21?wave=demo-2007-sintetis".into()).await;
        assert_eq!(status, StatusCode::OK, "{n}");
        assert!(
            page.contains(
                "<a id=\"pdf-link\" href=\"/regions/73.08.21/report/pdf?wave=demo-2007-sintetis\">PDF</a>"
            ),
            "{n}: {page}"
        );
        let (status, wait) =
            get("/regions/73.08.21/report/pdf?wave=demo-2007-sintetis".into()).await;
        assert_eq!(status, StatusCode::OK, "{n}");
        let wait = unescape(&wait);
        assert!(
            wait.contains("<meta http-equiv=\"refresh\" content=\"0;url=/regions/73.08.21/report?format=pdf&lang=id&wave=demo-2007-sintetis\">")
                && wait.contains("PDF sedang disiapkan")
                && wait.contains("class=\"spinner\""),
            "{n}: {wait}"
        );
        let (_, wait) = get("/regions/73.08.21/report/pdf?lang=en".into()).await;
        assert!(
            wait.contains("The PDF is being prepared") && !wait.contains("sedang disiapkan"),
            "{n}"
        );
        // Every printer busy: the refresh's request is answered 503 in the person's language.
        let held = printers.turn().await.unwrap();
        let (status, busy) = get("/regions/73.08.21/report?format=pdf&lang=id".into()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{n}");
        assert!(
            busy.contains("Sedang sibuk")
                && busy.contains("semua pencetak PDF server sedang dipakai"),
            "{n}: {busy}"
        );
        let (_, busy) = get("/regions/73.08.21/report?format=pdf&lang=en".into()).await;
        assert!(
            busy.contains("every PDF printer of the server is in use"),
            "{n}"
        );
        drop(held);
    }
}
