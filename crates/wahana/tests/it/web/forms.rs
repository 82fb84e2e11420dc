//! The forms: errors beside their fields, HTML and SQL in names stored as typed and shown
//! inert, a second save of the same version refused, the network, institution and tie forms,
//! deletes asked for on a page of their own, and redirect targets that stay on this site.

use super::harness::{INSIDE, PASSWORD, admin_adds, envs, new_group};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

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
        // Listed by its name (escaped) with a link to its page, the id beside it.
        assert!(
            page.text.contains(&format!(
                "→ <a href=\"/institutions/{inst}\">Masjid &#60;Uji&#62;</a> <small>{inst}</small>"
            )),
            "{n}"
        );
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
                .contains(&format!("→ <a href=\"/institutions/{inst}\">")),
            "{n}: the tie is gone from the list"
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
