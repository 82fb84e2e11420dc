//! HTTP tests of waves: the waves page (read by everyone, written by admins: add, edit, close,
//! reopen, delete after a confirmation), the API, the wave picker of the region, screening,
//! network and report pages, and the wave select of the group form (open waves only; no wave
//! is ever made on the way).

use super::harness::{Env, envs, new_group};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

/// The demonstration wave (Tanete Riattang, August 2007).
const DEMO: &str = "demo-2007-sintetis";
const KECAMATAN: &str = "73.08.21";
/// A kelurahan that gets a group in the 2026 wave; another that does not.
const VILLAGE: &str = "73.08.21.1003";
const OTHER_VILLAGE: &str = "73.08.21.1001";

/// The first figure of a page's stats (groups recorded).
fn first_stat(text: &str) -> String {
    let at = text.find("<ul class=\"stats\"><li><b>").expect("stats") + 25;
    text[at..].split('<').next().unwrap().to_string()
}

/// The name of the wave a page shows (the picker's `#wave-shown`).
fn shown(text: &str) -> String {
    let at = text.find("id=\"wave-shown\">").expect("a wave picker") + 16;
    text[at..].split('<').next().unwrap().to_string()
}

async fn wave_json(env: &Env, id: &str) -> Value {
    let r = env
        .api(Method::GET, &format!("/api/v1/waves/{id}"), None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", env.name, r.text);
    r.json()
}

async fn wave_count(env: &Env) -> usize {
    let r = env.api(Method::GET, "/api/v1/waves", None, None).await;
    r.json().as_array().unwrap().len()
}

/// A 2026 wave (by an admin, through the API) with one group in [`VILLAGE`].
async fn second_wave(env: &Env) {
    let r = env
        .api(
            Method::POST,
            "/api/v1/waves",
            Some("admin"),
            Some(
                json!({"name": "Pemutakhiran 2026", "start_date": "2026-08-01",
                        "end_date": "2026-08-31", "method": "census",
                        "run_by": "Dinas Sosial Kabupaten Bone"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}: {}", env.name, r.text);
    assert_eq!(r.json()["id"], "pemutakhiran-2026");
    let mut g = new_group(VILLAGE, "Arisan Baru Dua Ribu Dua Enam");
    g["wave"] = json!("pemutakhiran-2026");
    let r = env
        .api(Method::POST, "/api/v1/groups", Some("officer"), Some(g))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}: {}", env.name, r.text);
    assert_eq!(r.json()["wave_id"], "pemutakhiran-2026");
}

#[tokio::test]
async fn waves_page_is_read_by_everyone_and_written_by_admins() {
    for env in envs().await {
        let n = env.name;
        for who in [None, Some("viewer"), Some("officer")] {
            let r = env.page("/waves", who).await;
            assert_eq!(r.status, StatusCode::OK, "{n} {who:?}");
            assert!(r.text.contains(DEMO) && r.text.contains("SINTETIS"), "{n}");
            assert!(
                !r.text.contains("action=\"/waves\""),
                "{n} {who:?}: no form"
            );
            assert!(!r.text.contains("/waves/demo-2007-sintetis/delete"), "{n}");
        }
        let admin = env.page("/waves", Some("admin")).await;
        assert!(admin.text.contains("action=\"/waves\""), "{n}");
        assert!(
            admin
                .text
                .contains("href=\"/waves/demo-2007-sintetis/delete\""),
            "{n}"
        );
        let add = [
            ("name", "Pemutakhiran PSKS 2026"),
            ("start_date", "2026-08-01"),
            ("end_date", "2026-08-31"),
            ("method", "census"),
            ("run_by", "Dinas Sosial Kabupaten Bone"),
            ("source", "Survei lapangan"),
        ];
        // Who may not: nothing is written.
        let before = wave_count(&env).await;
        for (who, csrf, status) in [
            (None, false, StatusCode::UNAUTHORIZED),
            (Some("officer"), true, StatusCode::FORBIDDEN),
            (Some("admin"), false, StatusCode::FORBIDDEN),
        ] {
            let r = env.form("/waves", who, &add, csrf).await;
            assert_eq!(r.status, status, "{n} {who:?}: {}", r.text);
        }
        assert_eq!(wave_count(&env).await, before, "{n}");

        // Errors beside their fields, the values kept.
        let r = env
            .form(
                "/waves",
                Some("admin"),
                &[
                    ("name", ""),
                    ("start_date", "2026-13-40"),
                    ("method", "survei"),
                    ("run_by", "Dinas Sosial"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        for f in ["name", "start_date"] {
            assert!(
                r.text.contains(&format!("id=\"wave-err-{f}\"")),
                "{n}: {f} error"
            );
        }
        assert!(r.text.contains("sensus (census) atau sampel"), "{n}");
        assert!(r.text.contains("value=\"Dinas Sosial\""), "{n}: kept");
        assert_eq!(wave_count(&env).await, before, "{n}");

        let r = env.form("/waves", Some("admin"), &add, true).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let id = "pemutakhiran-psks-2026";
        let w = wave_json(&env, id).await;
        assert_eq!(
            (
                &w["name"],
                &w["start_date"],
                &w["end_date"],
                &w["method"],
                &w["closed"],
                &w["synthetic"]
            ),
            (
                &json!("Pemutakhiran PSKS 2026"),
                &json!("2026-08-01"),
                &json!("2026-08-31"),
                &json!("census"),
                &json!(false),
                &json!(false)
            ),
            "{n}"
        );
        assert_eq!(w["holds"]["groups"], 0, "{n}");
        let list = env.page("/waves?saved=x", Some("admin")).await;
        assert!(
            list.text.contains("Pemutakhiran PSKS 2026") && list.text.contains("1–31 Agustus 2026"),
            "{n}"
        );
        // The same id again replaces nothing.
        let r = env.form("/waves", Some("admin"), &add, true).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert!(r.text.contains("sudah ada"), "{n}");

        // Edit.
        let r = env
            .page(&format!("/waves/{id}/edit"), Some("officer"))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env.page(&format!("/waves/{id}/edit"), Some("admin")).await;
        assert!(
            r.text.contains("value=\"Dinas Sosial Kabupaten Bone\""),
            "{n}"
        );
        let r = env
            .form(
                &format!("/waves/{id}"),
                Some("admin"),
                &[
                    ("name", "Pemutakhiran PSKS Bone 2026"),
                    ("start_date", "2026-08-01"),
                    ("end_date", ""),
                    ("method", "sample"),
                    ("run_by", "Dinas Sosial Kabupaten Bone"),
                    ("source", ""),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let w = wave_json(&env, id).await;
        assert_eq!(w["name"], "Pemutakhiran PSKS Bone 2026", "{n}");
        assert_eq!((&w["end_date"], &w["source"]), (&Value::Null, &Value::Null));
        assert_eq!(w["method"], "sample", "{n}");

        // Close: read-only for the pages, the API and every form.
        let r = env
            .form(&format!("/waves/{id}/close"), Some("officer"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .form(&format!("/waves/{id}/close"), Some("admin"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        assert_eq!(wave_json(&env, id).await["closed"], true, "{n}");
        let page = env.page("/waves?closed=x", Some("admin")).await;
        assert!(
            page.text
                .contains(&format!("action=\"/waves/{id}/reopen\"")),
            "{n}"
        );
        let r = env
            .form(
                &format!("/waves/{id}"),
                Some("admin"),
                &[("name", "Lain")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert!(r.text.contains("sudah ditutup"), "{n}");
        let mut g = new_group(VILLAGE, "Arisan Pendataan Tertutup");
        g["wave"] = json!(id);
        let r = env
            .api(Method::POST, "/api/v1/groups", Some("admin"), Some(g))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "wave_closed", "{n}");
        // A closed wave is no choice in the group form.
        let f = env
            .page(&format!("/groups/new?village={VILLAGE}"), Some("officer"))
            .await;
        assert!(!f.text.contains(&format!("value=\"{id}\"")), "{n}");
        let r = env
            .form(&format!("/waves/{id}/reopen"), Some("admin"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        assert_eq!(wave_json(&env, id).await["closed"], false, "{n}");

        // Delete: asked first; one holding records only when the box is ticked.
        let q = env
            .page(&format!("/waves/{DEMO}/delete"), Some("admin"))
            .await;
        assert_eq!(q.status, StatusCode::OK, "{n}");
        assert!(q.text.contains("id=\"wave-holds\"") && q.text.contains("name=\"force\""));
        let held = wave_json(&env, DEMO).await["holds"]["groups"].clone();
        assert!(held.as_u64().unwrap() > 400, "{n}: {held}");
        assert!(q.text.contains(&held.to_string()), "{n}: the count is said");
        let r = env
            .form(&format!("/waves/{DEMO}/delete"), Some("admin"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert!(r.text.contains("masih memuat"), "{n}");
        assert_eq!(wave_json(&env, DEMO).await["holds"]["groups"], held, "{n}");
        let r = env
            .form(&format!("/waves/{id}/delete"), Some("officer"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let q = env
            .page(&format!("/waves/{id}/delete"), Some("admin"))
            .await;
        assert!(
            !q.text.contains("name=\"force\""),
            "{n}: an empty wave needs no box"
        );
        let r = env
            .form(&format!("/waves/{id}/delete"), Some("admin"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        let r = env
            .api(Method::GET, &format!("/api/v1/waves/{id}"), None, None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");

        // Each change in the audit trail, by whom.
        let trail = env.store.audit_of("pendataan", id, 20).await.unwrap();
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["delete", "update", "update", "update", "create"],
            "{n}"
        );
        assert!(trail.iter().all(|e| e.actor == "web:admin"), "{n}");
    }
}

#[tokio::test]
async fn waves_through_the_api() {
    for env in envs().await {
        let n = env.name;
        let body = json!({"id": "w-2026", "name": "Pendataan 2026", "start_date": "2026-08-01"});
        for (who, status) in [
            (None, StatusCode::UNAUTHORIZED),
            (Some("officer"), StatusCode::FORBIDDEN),
            (Some("viewer"), StatusCode::FORBIDDEN),
        ] {
            let r = env
                .api(Method::POST, "/api/v1/waves", who, Some(body.clone()))
                .await;
            assert_eq!(r.status, status, "{n} {who:?}");
        }
        let r = env
            .api(
                Method::POST,
                "/api/v1/waves",
                Some("admin"),
                Some(json!({"name": "X", "end_date": "2026-01-01", "start_date": "2026-02-01", "colour": 1})),
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{n}: unknown key");
        let r = env
            .api(
                Method::POST,
                "/api/v1/waves",
                Some("admin"),
                Some(json!({"name": "X", "end_date": "2026-01-01", "start_date": "2026-02-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert_eq!(r.json()["fields"][0]["field"], "end_date", "{n}");
        let r = env
            .api(Method::POST, "/api/v1/waves", Some("admin"), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let list = env.api(Method::GET, "/api/v1/waves", None, None).await;
        let ids: Vec<String> = list
            .json()
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids, ["w-2026", DEMO], "{n}: the latest first");

        let patch = |who: &'static str, body: Value| {
            let env = &env;
            async move {
                env.api(Method::PATCH, "/api/v1/waves/w-2026", Some(who), Some(body))
                    .await
            }
        };
        assert_eq!(
            patch("officer", json!({"closed": true})).await.status,
            StatusCode::FORBIDDEN
        );
        let r = patch("admin", json!({"run_by": "Tim Survei", "closed": true})).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(
            (&r.json()["run_by"], &r.json()["closed"]),
            (&json!("Tim Survei"), &json!(true))
        );
        let r = patch("admin", json!({"name": "Y"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert_eq!(r.json()["error"], "wave_closed", "{n}");
        let r = patch("admin", json!({"id": "lain"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: closed first");
        let r = patch(
            "admin",
            json!({"closed": false, "name": "Pendataan Bone 2026"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(
            (&r.json()["name"], &r.json()["closed"]),
            (&json!("Pendataan Bone 2026"), &json!(false))
        );
        let r = patch("admin", json!({"id": "lain"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}: ids stay");

        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/waves/{DEMO}"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert_eq!(r.json()["error"], "wave_not_empty", "{n}");
        assert!(
            r.json()["message"].as_str().unwrap().contains("kelompok"),
            "{n}"
        );
        let r = env
            .api(
                Method::DELETE,
                "/api/v1/waves/w-2026",
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .api(Method::DELETE, "/api/v1/waves/w-2026", Some("admin"), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}");
        // Forced: the demonstration wave goes with every record of it.
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/waves/{DEMO}?force=true"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
        assert_eq!(wave_count(&env).await, 0, "{n}");
        let c = env.store.counts().await.unwrap();
        assert_eq!(
            (c.groups, c.networks, c.institutions, c.ties),
            (0, 0, 0, 0),
            "{n}"
        );
    }
}

#[tokio::test]
async fn the_wave_picker_shows_the_default_and_switches_between_waves() {
    for env in envs().await {
        let n = env.name;
        second_wave(&env).await;
        let demo_name = wave_json(&env, DEMO).await["name"]
            .as_str()
            .unwrap()
            .to_string();

        // The kecamatan: the 2026 wave holds one of its groups, so it is the default, said so.
        for who in [None, Some("officer")] {
            let k = env.page(&format!("/regions/{KECAMATAN}"), who).await;
            assert_eq!(k.status, StatusCode::OK, "{n}");
            assert_eq!(shown(&k.text), "Pemutakhiran 2026", "{n} {who:?}");
            assert!(
                k.text.contains("(terbaru yang memuat data wilayah ini)"),
                "{n}: the default is stated"
            );
            assert_eq!(first_stat(&k.text), "1", "{n}: one group in 2026");
            assert!(
                k.text
                    .contains(&format!("href=\"/regions/{KECAMATAN}?wave={DEMO}\"")),
                "{n}: the other wave offered"
            );
        }
        // Switched to 2007 by a plain link.
        let k = env
            .page(&format!("/regions/{KECAMATAN}?wave={DEMO}"), None)
            .await;
        assert_eq!(shown(&k.text), demo_name, "{n}");
        assert!(k.text.contains("(dipilih"), "{n}");
        assert!(
            k.text
                .contains("href=\"/regions/73.08.21?wave=pemutakhiran-2026\""),
            "{n}"
        );
        let old_count: u64 = first_stat(&k.text).replace('.', "").parse().unwrap();
        assert!(old_count > 400, "{n}: {old_count}");
        // Links from the page keep the wave chosen.
        assert!(
            k.text.contains(&format!(
                "href=\"/regions/{KECAMATAN}/screening?wave={DEMO}\""
            )),
            "{n}"
        );
        assert!(
            k.text.contains(&format!(
                "/regions/{KECAMATAN}/report?format=xlsx&amp;wave={DEMO}"
            )),
            "{n}"
        );
        // A village the 2026 wave did not visit keeps 2007 as its default.
        let v = env.page(&format!("/regions/{OTHER_VILLAGE}"), None).await;
        assert_eq!(shown(&v.text), demo_name, "{n}");
        assert!(v.text.contains("(terbaru yang memuat data wilayah ini)"));
        assert!(
            !v.text.contains("wave=pemutakhiran-2026"),
            "{n}: not offered"
        );

        // The village page lists the wave's groups.
        let v = env
            .page(&format!("/regions/{VILLAGE}"), Some("officer"))
            .await;
        assert!(v.text.contains("Arisan Baru Dua Ribu Dua Enam"), "{n}");
        assert_eq!(
            v.text.matches("<tr><td><a href=\"/groups/").count(),
            1,
            "{n}"
        );
        let v = env
            .page(&format!("/regions/{VILLAGE}?wave={DEMO}"), Some("officer"))
            .await;
        assert!(!v.text.contains("Arisan Baru Dua Ribu Dua Enam"), "{n}");
        // The next page of a long list keeps the wave chosen.
        let v = env
            .page(
                &format!("/regions/73.08.21.1007?wave={DEMO}"),
                Some("officer"),
            )
            .await;
        assert!(
            v.text
                .contains(&format!("/regions/73.08.21.1007?wave={DEMO}&#38;offset=50")),
            "{n}"
        );

        // Screening, network and report pages: the same picker.
        for (path, keeps) in [
            (format!("/regions/{KECAMATAN}/screening"), ""),
            (format!("/regions/{KECAMATAN}/network"), ""),
            (format!("/regions/{KECAMATAN}/report"), ""),
        ] {
            let p = env.page(&path, Some("officer")).await;
            assert_eq!(p.status, StatusCode::OK, "{n} {path}: {}", p.text);
            assert_eq!(shown(&p.text), "Pemutakhiran 2026", "{n} {path}");
            assert!(
                p.text.contains("(terbaru yang memuat data wilayah ini)"),
                "{n} {path}"
            );
            assert!(
                p.text
                    .contains(&format!("href=\"{path}?{keeps}wave={DEMO}\"")),
                "{n} {path}"
            );
            let p = env
                .page(&format!("{path}?wave={DEMO}"), Some("officer"))
                .await;
            assert_eq!(shown(&p.text), demo_name, "{n} {path}");
        }
        let s = env
            .page(&format!("/regions/{KECAMATAN}/screening"), Some("officer"))
            .await;
        assert!(
            s.text.contains("<b>1</b>disaring"),
            "{n}: one wave screened, not both"
        );
        let s = env
            .page(
                &format!("/regions/{KECAMATAN}/screening?wave={DEMO}&outcome=memenuhi"),
                Some("officer"),
            )
            .await;
        assert!(
            s.text.contains(&format!(
                "<input type=\"hidden\" name=\"wave\" value=\"{DEMO}\">"
            )),
            "{n}: the filter keeps the wave"
        );
        assert!(
            s.text.contains(
                "href=\"/regions/73.08.21/screening?outcome=memenuhi&#38;wave=pemutakhiran-2026\""
            ),
            "{n}: switching keeps the filter"
        );
        let api = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{KECAMATAN}/network"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(api.json()["wave"], "pemutakhiran-2026", "{n}");
        assert_eq!(api.json()["groups"], 1, "{n}");

        // A closed wave is shown as closed.
        let r = env
            .api(
                Method::PATCH,
                "/api/v1/waves/pemutakhiran-2026",
                Some("admin"),
                Some(json!({"closed": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        let k = env.page(&format!("/regions/{KECAMATAN}"), None).await;
        assert_eq!(
            shown(&k.text),
            "Pemutakhiran 2026",
            "{n}: closing changes no default"
        );
        assert!(k.text.contains("class=\"badge closed\""), "{n}");
    }
}

#[tokio::test]
async fn new_records_go_into_an_open_wave_never_one_made_on_the_way() {
    for env in envs().await {
        let n = env.name;
        second_wave(&env).await;
        // The form offers the open waves, the region's latest open one selected.
        let selected = |text: &str| {
            let at = text.find(" selected>").expect("a selected wave");
            let head = &text[..at];
            let v = head.rfind("value=\"").unwrap() + 7;
            head[v..].trim_end_matches('"').to_string()
        };
        let f = env
            .page(&format!("/groups/new?village={VILLAGE}"), Some("officer"))
            .await;
        assert!(f.text.contains(&format!("value=\"{DEMO}\"")), "{n}");
        let select = &f.text[f.text.find("id=\"in-wave\"").unwrap()..];
        assert_eq!(selected(select), "pemutakhiran-2026", "{n}");
        let f = env
            .page(
                &format!("/groups/new?village={OTHER_VILLAGE}"),
                Some("officer"),
            )
            .await;
        let select = &f.text[f.text.find("id=\"in-wave\"").unwrap()..];
        assert_eq!(
            selected(select),
            DEMO,
            "{n}: this village's latest open wave"
        );

        // Without a wave named, the village's latest open wave.
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(OTHER_VILLAGE, "Arisan Tanpa Pilihan")),
            )
            .await;
        assert_eq!(r.json()["wave_id"], DEMO, "{n}");

        // Every wave closed: a clear refusal, and no wave is made.
        for w in [DEMO, "pemutakhiran-2026"] {
            let r = env
                .api(
                    Method::PATCH,
                    &format!("/api/v1/waves/{w}"),
                    Some("admin"),
                    Some(json!({"closed": true})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{n}");
        }
        let waves = wave_count(&env).await;
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(VILLAGE, "Arisan Tanpa Pendataan")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "no_open_wave", "{n}");
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("wahana waves add")
        );
        let r = env
            .api(
                Method::POST,
                "/api/v1/networks",
                Some("officer"),
                Some(json!({"fields": {"kode_wilayah": VILLAGE, "nama": "WKSBM Baru", "tingkat": "desa"}})),
            )
            .await;
        assert_eq!(r.json()["error"], "no_open_wave", "{n}: {}", r.text);
        let f = env
            .page(&format!("/groups/new?village={VILLAGE}"), Some("officer"))
            .await;
        assert!(f.text.contains("id=\"no-open-wave\"") && f.text.contains("href=\"/waves\""));
        let r = env
            .form(
                "/groups",
                Some("officer"),
                &[
                    ("kode_wilayah", VILLAGE),
                    ("nama", "Arisan Formulir"),
                    ("jenis", "arisan"),
                    ("asal", "tumbuh_masyarakat"),
                    ("tahun_berdiri", "1999"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}");
        assert!(r.text.contains("buat pendataan dahulu"), "{n}");
        assert_eq!(wave_count(&env).await, waves, "{n}: no wave made");
        assert_eq!(env.groups_named("Arisan Formulir").await, 0, "{n}");
    }
}
