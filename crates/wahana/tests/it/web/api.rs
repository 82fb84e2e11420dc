//! The JSON API: reads for each kind of visitor, CSRF for cookie sessions, the profile as the
//! command line gives it, every documented path routed, networks, institutions and ties.

use super::harness::{Env, INSIDE, envs, new_group};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use wahana::service;
use wahana_domain::RegionTree;

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
    let spec = wahana::web::api::openapi::spec();
    let (id, _) = env.group_in(INSIDE).await;
    for (path, ops) in spec["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let uri = path
                .replace("{code}", "73.08.21")
                .replace("{id}", &id)
                .replace("{member}", "1")
                .replace("{name}", "foto.jpg");
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
        // A second tie of another type between the same two: asked first, written when meant.
        let second = json!({"fields": {"dari": id, "ke": group, "jenis_ikatan": "pendanaan"}});
        let r = env
            .api(
                Method::POST,
                "/api/v1/ties",
                Some("officer"),
                Some(second.clone()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        let j = r.json();
        assert_eq!(j["fields"][0]["field"], "ikatan_kedua", "{n}: {j}");
        assert!(
            j["message"]
                .as_str()
                .unwrap()
                .contains("sudah terikat (Pembinaan)"),
            "{n}: {j}"
        );
        let mut meant = second;
        meant["ikatan_kedua"] = json!(true);
        let r = env
            .api(Method::POST, "/api/v1/ties", Some("officer"), Some(meant))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let second_id = r.json()["id"].as_i64().unwrap();
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/ties/{second_id}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
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

/// The country's profile is served from what the server kept, however old, while a new one is
/// made in the background (`web/cache.rs`): a write made elsewhere (here straight into the store,
/// as the command line would) shows on the request after the one that finds the kept profile
/// old; a write through the server shows at once.
#[tokio::test]
async fn the_countrys_profile_is_served_kept_and_made_anew_behind() {
    for env in envs().await {
        let n = env.name;
        let url = "/api/v1/regions/nasional/profile?wave=demo-2007-sintetis";
        let first = env.api(Method::GET, url, None, None).await.json();
        let before = first["groups_recorded"].as_u64().unwrap();
        // Written by another process: the server does not know.
        let mut g = env
            .store
            .group(&env.away_group)
            .await
            .unwrap()
            .unwrap()
            .group;
        g.id = String::new();
        g.name = "Arisan Dari Baris Perintah".into();
        env.store
            .insert_group("demo-2007-sintetis", &g, "cli:test")
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        let kept = env.api(Method::GET, url, None, None).await.json();
        assert_eq!(
            kept["groups_recorded"].as_u64().unwrap(),
            before,
            "{n}: kept one served"
        );
        let mut fresh = kept;
        for _ in 0..50 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            fresh = env.api(Method::GET, url, None, None).await.json();
            if fresh["groups_recorded"].as_u64() != Some(before) {
                break;
            }
        }
        assert_eq!(
            fresh["groups_recorded"].as_u64().unwrap(),
            before + 1,
            "{n}: made anew behind it"
        );
        // Through the server: at once.
        let mut g = new_group(INSIDE, "Arisan Lewat Peladen");
        g["wave"] = json!("demo-2007-sintetis");
        g["fields"]["tanggal_pendataan"] = json!("2007-08-20");
        let r = env
            .api(Method::POST, "/api/v1/groups", Some("officer"), Some(g))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}");
        let after = env.api(Method::GET, url, None, None).await.json();
        assert_eq!(
            after["groups_recorded"].as_u64().unwrap(),
            before + 2,
            "{n}: a write through the server shows at once"
        );
    }
}
