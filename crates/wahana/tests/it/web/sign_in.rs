//! Signing in: forms carry the CSRF token, failed attempts are limited (per name and address,
//! also under many guesses at once, sparing an address the person signed in from), and the
//! database holds neither the session token nor its CSRF token.

use super::harness::{PASSWORD, envs};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use wahana::service::users;

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

/// Issue 16, point 1: an officer or enumerator lands on their own region after signing in; an
/// admin or a viewer on the national page; a safe `next` still wins and an unsafe one is
/// ignored.
#[tokio::test]
async fn sign_in_lands_on_own_region() {
    for env in envs().await {
        let n = env.name;
        let f = env.page("/signin", None).await;
        let cookie = f.headers[header::SET_COOKIE].to_str().unwrap().to_string();
        let token = cookie
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string();
        // who, the form's `next` (None: left out), where they land
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("officer", None, "/regions/73.08.21"),
            ("officer", Some("/"), "/regions/73.08.21"),
            ("officer_away", None, "/regions/73.08.22"),
            ("enumerator", None, "/regions/73.08.21"),
            ("enumerator_away", Some("/"), "/regions/73.08.22"),
            ("admin", None, "/"),
            ("viewer", None, "/"),
            ("admin", Some("/regions/73.08"), "/regions/73.08"),
            ("officer", Some("/groups/new"), "/groups/new"),
            ("officer", Some("//evil.example/x"), "/regions/73.08.21"),
            (
                "enumerator",
                Some("https://evil.example/"),
                "/regions/73.08.21",
            ),
        ];
        for &(who, next, lands) in cases {
            let next = next
                .map(|x| format!("&next={}", x.replace(':', "%3A").replace('/', "%2F")))
                .unwrap_or_default();
            let r = env
                .send(
                    Request::builder()
                        .method(Method::POST)
                        .uri("/signin")
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header(header::COOKIE, format!("wahana_csrf={token}"))
                        .body(Body::from(format!(
                            "name={who}&password={PASSWORD}&_csrf={token}{next}"
                        )))
                        .unwrap(),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "{n} {who} {next}: {}",
                r.text
            );
            assert_eq!(r.headers[header::LOCATION], lands, "{n} {who} {next}");
        }
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
                SignInRefused::Inactive => panic!("{n}: the admin is active"),
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
