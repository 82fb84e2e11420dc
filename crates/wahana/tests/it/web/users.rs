//! People managed by admins (issue 16, point 10): a deactivated person is refused by every
//! sign-in (the form, the API, ODK Collect's Digest and Basic) and their sessions end; a
//! password set by an admin replaces both hashes and ends the sessions; roles are listed in
//! the page's language; every change is in the audit trail without a secret.

use super::harness::{Env, PASSWORD, Res, audit_rows, audited, envs};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use wahana::service::odk::md5_hex;
use wahana::service::users;

const FORM_LIST: &str = "/odk/73.08.21/formList";

/// The Digest authorization for `uri` answering a challenge's nonce, computed from the
/// password as RFC 7616 says (not with the server's own hash function).
fn digest(challenge: &str, uri: &str, user: &str, password: &str) -> String {
    let nonce = challenge
        .split("nonce=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let ha1 = md5_hex(format!("{user}:wahana:{password}").as_bytes());
    let ha2 = md5_hex(format!("GET:{uri}").as_bytes());
    let response = md5_hex(format!("{ha1}:{nonce}:00000001:0a4f113b:auth:{ha2}").as_bytes());
    format!(
        "Digest username=\"{user}\", realm=\"wahana\", nonce=\"{nonce}\", uri=\"{uri}\", \
         qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"{response}\""
    )
}

/// ODK Collect's form list fetched as `user` with `password` through Digest: its status.
async fn collect_status(env: &Env, user: &str, password: &str) -> StatusCode {
    let first = env
        .send(Request::get(FORM_LIST).body(Body::empty()).unwrap())
        .await;
    assert_eq!(first.status, StatusCode::UNAUTHORIZED, "{}", env.name);
    let challenge = first.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
    env.send(
        Request::get(FORM_LIST)
            .header(
                header::AUTHORIZATION,
                digest(challenge, FORM_LIST, user, password),
            )
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .status
}

/// An API sign-in (`POST /api/v1/session`).
async fn api_sign_in(env: &Env, name: &str, password: &str) -> Res {
    env.api(
        Method::POST,
        "/api/v1/session",
        None,
        Some(json!({"name": name, "password": password})),
    )
    .await
}

/// The sign-in form posted with its token cookie.
async fn form_sign_in(env: &Env, name: &str, password: &str) -> Res {
    let f = env.page("/signin", None).await;
    let cookie = f.headers[header::SET_COOKIE].to_str().unwrap();
    let token = cookie
        .split(';')
        .next()
        .and_then(|c| c.split_once('='))
        .unwrap()
        .1
        .to_string();
    let body = format!(
        "name={}&password={}&_csrf={token}",
        wahana::web::pct(name),
        wahana::web::pct(password)
    );
    env.send(
        Request::post("/signin")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("wahana_csrf={token}"))
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

/// The latest audit entry about people: (action, actor, before, after).
async fn last_people_entry(env: &Env) -> (String, String, Value, Value) {
    let row: (String, String, Option<String>, Option<String>) = wahana_store::on_pool!(env.store.pool(), p => {
        sqlx::query_as(
            "SELECT action, actor, before_json, after_json FROM audit \
             WHERE entity_kind = 'pengguna' ORDER BY id DESC LIMIT 1",
        )
        .fetch_one(p)
        .await
        .unwrap()
    });
    let all = format!("{:?}{:?}", row.2, row.3);
    assert!(
        !all.contains("argon2") && !all.contains("password_hash") && !all.contains("digest"),
        "{}: a secret in the trail: {all}",
        env.name
    );
    let parse = |v: Option<String>| serde_json::from_str(&v.unwrap()).unwrap();
    (row.0, row.1, parse(row.2), parse(row.3))
}

async fn user_id(env: &Env, name: &str) -> i64 {
    env.store.user_by_name(name).await.unwrap().unwrap().id
}

#[tokio::test]
async fn a_deactivated_person_is_refused_everywhere_until_reactivated() {
    for env in envs().await {
        let n = env.name;
        let mut rows = audit_rows(&env).await;
        // Before: the enumerator's session, the API, the form and ODK Collect all let them in.
        let me = env
            .api(Method::GET, "/api/v1/session", Some("enumerator"), None)
            .await;
        assert_eq!(me.status, StatusCode::OK, "{n}: {}", me.text);
        assert_eq!(
            collect_status(&env, "enumerator", PASSWORD).await,
            StatusCode::OK,
            "{n}"
        );
        assert!(
            env.store
                .session_count(user_id(&env, "enumerator").await)
                .await
                .unwrap()
                > 0,
            "{n}"
        );

        // Only admins: others get 403 and nothing changes.
        for who in ["officer", "viewer", "enumerator"] {
            let r = env
                .form(
                    "/admin/users/deactivate",
                    Some(who),
                    &[("name", "enumerator")],
                    true,
                )
                .await;
            audited(&env, &mut rows, r, StatusCode::FORBIDDEN, 0, who).await;
            let r = env
                .api(
                    Method::POST,
                    "/api/v1/users/enumerator/deactivate",
                    Some(who),
                    None,
                )
                .await;
            audited(&env, &mut rows, r, StatusCode::FORBIDDEN, 0, who).await;
        }
        let r = env
            .api(
                Method::POST,
                "/api/v1/users/enumerator/deactivate",
                None,
                None,
            )
            .await;
        audited(&env, &mut rows, r, StatusCode::UNAUTHORIZED, 0, "anonymous").await;
        // Without the form's token: refused.
        let r = env
            .form(
                "/admin/users/deactivate",
                Some("admin"),
                &[("name", "enumerator")],
                false,
            )
            .await;
        audited(&env, &mut rows, r, StatusCode::FORBIDDEN, 0, "no csrf").await;

        // An admin cannot deactivate themselves: said beside the row, nothing written.
        let r = env
            .form(
                "/admin/users/deactivate",
                Some("admin"),
                &[("name", "admin")],
                true,
            )
            .await;
        assert!(
            r.text
                .contains("tidak dapat menonaktifkan akun Anda sendiri"),
            "{n}: {}",
            r.text
        );
        audited(&env, &mut rows, r, StatusCode::CONFLICT, 0, "self, page").await;
        let r = env
            .api(
                Method::POST,
                "/api/v1/users/admin/deactivate",
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.json()["error"], "own_account", "{n}");
        audited(&env, &mut rows, r, StatusCode::CONFLICT, 0, "self, api").await;
        let r = env
            .api(
                Method::POST,
                "/api/v1/users/nobody/deactivate",
                Some("admin"),
                None,
            )
            .await;
        audited(&env, &mut rows, r, StatusCode::NOT_FOUND, 0, "unknown").await;

        // The admin deactivates the enumerator from the page.
        let r = env
            .form(
                "/admin/users/deactivate",
                Some("admin"),
                &[("name", "enumerator")],
                true,
            )
            .await;
        assert!(
            r.text.contains("enumerator dinonaktifkan"),
            "{n}: {}",
            r.text
        );
        let row = r
            .text
            .split("<tr data-name=\"enumerator\"")
            .nth(1)
            .and_then(|t| t.split("</tr>").next())
            .unwrap()
            .to_string();
        assert!(
            row.contains("nonaktif") && row.contains("Aktifkan kembali"),
            "{n}: {row}"
        );
        audited(&env, &mut rows, r, StatusCode::OK, 1, "deactivate").await;
        let (action, actor, before, after) = last_people_entry(&env).await;
        assert_eq!(
            (action.as_str(), actor.as_str()),
            ("deactivate", "web:admin"),
            "{n}"
        );
        assert_eq!(
            (&before["active"], &after["active"]),
            (&json!(true), &json!(false))
        );
        assert_eq!(after["name"], "enumerator", "{n}");

        // Their session ended at once, and no sign-in of any kind lets them in.
        assert_eq!(
            env.store
                .session_count(user_id(&env, "enumerator").await)
                .await
                .unwrap(),
            0,
            "{n}"
        );
        let me = env
            .api(Method::GET, "/api/v1/session", Some("enumerator"), None)
            .await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{n}: {}", me.text);
        let page = env.page("/regions/73.08.21", Some("enumerator")).await;
        assert!(!page.text.contains("/signout"), "{n}: still signed in");
        let r = api_sign_in(&env, "enumerator", PASSWORD).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "account_inactive", "{n}");
        let r = form_sign_in(&env, "enumerator", PASSWORD).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: {}", r.text);
        assert!(
            r.text.contains("akun Anda dinonaktifkan"),
            "{n}: {}",
            r.text
        );
        assert!(
            r.headers
                .get_all(header::SET_COOKIE)
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("wahana_session="))
        );
        // A wrong password says only that it is wrong.
        let r = api_sign_in(&env, "enumerator", "salah-sekali").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{n}: {}", r.text);
        assert_eq!(
            collect_status(&env, "enumerator", PASSWORD).await,
            StatusCode::UNAUTHORIZED,
            "{n}: Digest"
        );
        // HTTP Basic (ODK Collect over HTTPS) checks the same way.
        assert_eq!(
            users::check_password(&env.store, "enumerator", PASSWORD, "10.0.0.9")
                .await
                .unwrap(),
            None,
            "{n}: Basic"
        );
        // Listed as inactive to the API too; deactivating again changes nothing.
        let r = env
            .api(
                Method::POST,
                "/api/v1/users/enumerator/deactivate",
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.json()["active"], false, "{n}");
        audited(&env, &mut rows, r, StatusCode::OK, 0, "again").await;

        // Reactivated through the API: every sign-in works again with the same password.
        let r = env
            .api(
                Method::POST,
                "/api/v1/users/enumerator/activate",
                Some("admin"),
                None,
            )
            .await;
        let v = r.json();
        assert_eq!(
            (&v["active"], &v["role"], &v["region"]),
            (&json!(true), &json!("enumerator"), &json!("73.08.21")),
            "{n}"
        );
        assert!(v.get("password_hash").is_none(), "{n}");
        audited(&env, &mut rows, r, StatusCode::OK, 1, "activate").await;
        let (action, actor, before, after) = last_people_entry(&env).await;
        assert_eq!(
            (action.as_str(), actor.as_str()),
            ("activate", "api:admin"),
            "{n}"
        );
        assert_eq!(
            (&before["active"], &after["active"]),
            (&json!(false), &json!(true))
        );
        let r = api_sign_in(&env, "enumerator", PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let r = form_sign_in(&env, "enumerator", PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(
            collect_status(&env, "enumerator", PASSWORD).await,
            StatusCode::OK,
            "{n}"
        );
        assert!(
            users::check_password(&env.store, "enumerator", PASSWORD, "10.0.0.9")
                .await
                .unwrap()
                .is_some(),
            "{n}"
        );
    }
}

#[tokio::test]
async fn an_admin_sets_a_password_and_every_sign_in_follows() {
    for env in envs().await {
        let n = env.name;
        let mut rows = audit_rows(&env).await;
        let uri = "/api/v1/users/enumerator/password";
        for who in ["officer", "viewer", "enumerator"] {
            let r = env
                .api(
                    Method::POST,
                    uri,
                    Some(who),
                    Some(json!({"password": "dicoba-orang-lain"})),
                )
                .await;
            audited(&env, &mut rows, r, StatusCode::FORBIDDEN, 0, who).await;
        }
        let r = env
            .api(
                Method::POST,
                uri,
                Some("admin"),
                Some(json!({"password": "pendek"})),
            )
            .await;
        assert_eq!(r.json()["fields"][0]["field"], "password", "{n}");
        audited(
            &env,
            &mut rows,
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            0,
            "short",
        )
        .await;
        let r = env
            .api(Method::POST, uri, Some("admin"), Some(json!({"kata": "x"})))
            .await;
        audited(
            &env,
            &mut rows,
            r,
            StatusCode::BAD_REQUEST,
            0,
            "unknown field",
        )
        .await;
        let r = env
            .api(
                Method::POST,
                "/api/v1/users/nobody/password",
                Some("admin"),
                Some(json!({})),
            )
            .await;
        audited(&env, &mut rows, r, StatusCode::NOT_FOUND, 0, "unknown").await;

        // A typed password: not echoed, the old one refused, the new one taken everywhere.
        let new = "kata-sandi-baru-1";
        let r = env
            .api(
                Method::POST,
                uri,
                Some("admin"),
                Some(json!({"password": new})),
            )
            .await;
        assert!(r.json().get("password").is_none(), "{n}: {}", r.text);
        assert!(!r.text.contains(new), "{n}");
        audited(&env, &mut rows, r, StatusCode::OK, 1, "typed").await;
        let (action, actor, _, after) = last_people_entry(&env).await;
        assert_eq!(
            (action.as_str(), actor.as_str()),
            ("password", "api:admin"),
            "{n}"
        );
        assert_eq!(after["password_changed"], true, "{n}");
        assert!(!after.to_string().contains(new), "{n}");
        let me = env
            .api(Method::GET, "/api/v1/session", Some("enumerator"), None)
            .await;
        assert_eq!(me.status, StatusCode::UNAUTHORIZED, "{n}: session ended");
        assert_eq!(
            api_sign_in(&env, "enumerator", PASSWORD).await.status,
            StatusCode::UNAUTHORIZED,
            "{n}"
        );
        assert_eq!(
            collect_status(&env, "enumerator", PASSWORD).await,
            StatusCode::UNAUTHORIZED,
            "{n}: Digest with the old password"
        );
        assert_eq!(
            collect_status(&env, "enumerator", new).await,
            StatusCode::OK,
            "{n}: Digest with the new password"
        );
        assert_eq!(
            env.store.digest_ha1("enumerator").await.unwrap(),
            Some(md5_hex(format!("enumerator:wahana:{new}").as_bytes())),
            "{n}"
        );
        assert_eq!(
            api_sign_in(&env, "enumerator", new).await.status,
            StatusCode::OK,
            "{n}"
        );

        // `{}`: a generated password, answered once, that signs in.
        let r = env
            .api(Method::POST, uri, Some("admin"), Some(json!({})))
            .await;
        let generated = r.json()["password"].as_str().unwrap().to_string();
        assert!(generated.chars().count() >= 8, "{n}: {generated}");
        audited(&env, &mut rows, r, StatusCode::OK, 1, "generated").await;
        assert!(
            !last_people_entry(&env)
                .await
                .3
                .to_string()
                .contains(&generated)
        );
        assert_eq!(
            api_sign_in(&env, "enumerator", new).await.status,
            StatusCode::UNAUTHORIZED,
            "{n}"
        );
        assert_eq!(
            collect_status(&env, "enumerator", &generated).await,
            StatusCode::OK,
            "{n}"
        );

        // The page: a short password is refused beside the row's field; empty generates one,
        // shown on the page; a typed one is taken.
        let r = env
            .form(
                "/admin/users/password",
                Some("admin"),
                &[("name", "enumerator"), ("password", "pendek")],
                true,
            )
            .await;
        let row = r
            .text
            .split("<tr data-name=\"enumerator\"")
            .nth(1)
            .and_then(|t| t.split("</tr>").next())
            .unwrap()
            .to_string();
        assert!(
            row.contains("class=\"field-error\"")
                && row.contains("kata sandi paling sedikit 8 karakter")
                && row.contains("aria-invalid"),
            "{n}: {row}"
        );
        audited(
            &env,
            &mut rows,
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            0,
            "page short",
        )
        .await;
        let r = env
            .form(
                "/admin/users/password",
                Some("admin"),
                &[("name", "enumerator"), ("password", "")],
                true,
            )
            .await;
        let shown = r
            .text
            .split("id=\"generated-password\"")
            .nth(1)
            .and_then(|t| t.split("<code>").nth(1))
            .and_then(|t| t.split("</code>").next())
            .unwrap_or_else(|| panic!("{n}: no password shown: {}", r.text))
            .to_string();
        audited(&env, &mut rows, r, StatusCode::OK, 1, "page generated").await;
        assert_eq!(
            form_sign_in(&env, "enumerator", &shown).await.status,
            StatusCode::SEE_OTHER,
            "{n}"
        );
        // Shown once: the page read again does not show it.
        let again = env.page("/admin/users", Some("admin")).await;
        assert!(!again.text.contains(&shown), "{n}");
        let r = env
            .form(
                "/admin/users/password",
                Some("admin"),
                &[("name", "enumerator"), ("password", PASSWORD)],
                true,
            )
            .await;
        assert!(!r.text.contains("generated-password"), "{n}");
        audited(&env, &mut rows, r, StatusCode::OK, 1, "page typed").await;
        assert!(
            users::check_password(&env.store, "enumerator", PASSWORD, "10.0.0.9")
                .await
                .unwrap()
                .is_some(),
            "{n}: Basic"
        );
        let r = env
            .form(
                "/admin/users/password",
                Some("officer"),
                &[("name", "enumerator"), ("password", "kata-sandi-petugas")],
                true,
            )
            .await;
        audited(&env, &mut rows, r, StatusCode::FORBIDDEN, 0, "officer page").await;
    }
}

/// Roles are listed in the page's language, never as codes; status and actions per row.
#[tokio::test]
async fn people_are_listed_with_roles_in_the_page_language() {
    let env = Env::new("sqlite", None).await;
    let page = env.page("/admin/users", Some("admin")).await;
    assert_eq!(page.status, StatusCode::OK);
    // Each row: the name, then the role's label (the people here are named after their roles).
    let row = |who: &str, role: &str| format!("data-name=\"{who}\"><td>{who}</td><td>{role}</td>");
    for (who, label) in [
        ("officer", "petugas Dinas Sosial"),
        ("enumerator", "pencacah"),
        ("viewer", "pembaca"),
    ] {
        assert!(page.text.contains(&row(who, label)), "{who}: {}", page.text);
        assert!(!page.text.contains(&row(who, who)), "{who}: the code shown");
    }
    assert!(page.text.contains("(akun Anda)"));
    assert_eq!(page.text.matches("class=\"danger deactivate\"").count(), 5);
    let en = env.page("/admin/users?lang=en", Some("admin")).await;
    for who in ["officer", "enumerator", "viewer"] {
        assert!(en.text.contains(&row(who, who)), "{who}: {}", en.text);
    }
    assert!(en.text.contains(">active<") && en.text.contains("Deactivate"));
    for who in ["officer", "viewer", "enumerator"] {
        assert_eq!(
            env.page("/admin/users", Some(who)).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
}
