//! Request limits on every route (`web/limits.rs`): every operation of the OpenAPI document and
//! every page route gets oversized input (a path segment, a query parameter, a `limit` out of
//! range, a body past the limit, JSON text past the instrument's limits, a list past a bound)
//! and answers 413 or 422 with a message naming what was refused, in the request's language;
//! never a server error, never a success.

use super::harness::{Env, INSIDE, envs};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use wahana::web::limits::{BODY_LIMIT, MAX_SEGMENT, MAX_VALUE};

/// The page routes of `web::router` (the API's are read from the OpenAPI document), with their
/// methods.
const PAGES: &[(&str, &[&str])] = &[
    ("/", &["get"]),
    ("/lang/{lang}", &["get"]),
    ("/search", &["get"]),
    ("/regions/{code}", &["get"]),
    ("/regions/{code}/report", &["get"]),
    ("/regions/{code}/compare", &["get"]),
    ("/regions/{code}/screening", &["get"]),
    ("/regions/{code}/audit", &["get"]),
    ("/regions/{code}/network", &["get"]),
    ("/regions/{code}/inbox", &["get"]),
    ("/inbox/auto-accept", &["post"]),
    ("/inbox/{id}", &["get"]),
    ("/inbox/{id}/accept", &["post"]),
    ("/inbox/{id}/reject", &["post"]),
    ("/inbox/{id}/edit", &["post"]),
    ("/inbox/{id}/files/{name}", &["get"]),
    ("/waves/{id}/review", &["get"]),
    ("/waves/{id}/review/{n}", &["post"]),
    ("/groups/new", &["get"]),
    ("/groups", &["post"]),
    ("/groups/{id}", &["get", "post"]),
    ("/groups/{id}/edit", &["get"]),
    ("/groups/{id}/delete", &["get", "post"]),
    ("/groups/{id}/members", &["post"]),
    ("/groups/{id}/members/{member}/delete", &["get", "post"]),
    ("/networks", &["post"]),
    ("/networks/new", &["get"]),
    ("/networks/{id}", &["get", "post"]),
    ("/networks/{id}/edit", &["get"]),
    ("/networks/{id}/delete", &["get", "post"]),
    ("/institutions", &["post"]),
    ("/institutions/new", &["get"]),
    ("/institutions/{id}", &["get", "post"]),
    ("/institutions/{id}/edit", &["get"]),
    ("/institutions/{id}/delete", &["get", "post"]),
    ("/ties", &["post"]),
    ("/ties/new", &["get"]),
    ("/ties/{id}/delete", &["get", "post"]),
    ("/waves", &["get", "post"]),
    ("/waves/{id}", &["post"]),
    ("/waves/{id}/edit", &["get"]),
    ("/waves/{id}/close", &["post"]),
    ("/waves/{id}/reopen", &["post"]),
    ("/waves/{id}/delete", &["get", "post"]),
    ("/signin", &["get", "post"]),
    ("/signout", &["post"]),
    ("/admin/users", &["get", "post"]),
    ("/admin/backups", &["get"]),
    ("/odk/{code}/formList", &["get"]),
    ("/odk/{code}/forms/{file}", &["get"]),
    ("/odk/{code}/forms/{form}/manifest", &["get"]),
    ("/odk/{code}/forms/{form}/media/{file}", &["get"]),
];

/// The path's parameters (`{id}`), in order.
fn params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .collect()
}

/// The path with ordinary values, and with one parameter (`long`) oversized.
fn fill(path: &str, group: &str, long: Option<&str>) -> String {
    let over = "x".repeat(MAX_SEGMENT + 1);
    path.split('/')
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(p) if Some(p) == long => over.clone(),
                Some("code") => "73.08.21".to_string(),
                Some("id") => group.to_string(),
                Some("lang") => "en".to_string(),
                Some("member" | "n") => "1".to_string(),
                Some("name" | "file") => "foto.jpg".to_string(),
                Some("form") => "wahana_kelompok".to_string(),
                Some(_) => "x".to_string(),
                None => s.to_string(),
            },
        )
        .collect::<Vec<_>>()
        .join("/")
}

/// The OpenAPI document's operations of one path.
fn spec_of(path: &str) -> Value {
    wahana::web::api::openapi::spec()["paths"][path].clone()
}

fn with_query(uri: &str, query: &str) -> String {
    format!("{uri}?{query}")
}

/// A request as an admin: Bearer under `/api/`, the session cookie elsewhere.
async fn send(
    env: &Env,
    method: &str,
    uri: &str,
    content_type: &str,
    body: Vec<u8>,
) -> super::harness::Res {
    let (token, _) = &env.sessions["admin"];
    let mut b = Request::builder()
        .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
        .uri(uri);
    b = if uri.starts_with("/api/") {
        b.header(header::AUTHORIZATION, format!("Bearer {token}"))
    } else {
        b.header(header::COOKIE, format!("wahana_session={token}"))
    };
    if !body.is_empty() {
        b = b.header(header::CONTENT_TYPE, content_type);
    }
    env.send(b.body(Body::from(body)).unwrap()).await
}

/// The refusal names `field` and says what is allowed, in `lang`, as JSON or as a page.
fn refused_naming(r: &super::harness::Res, json: bool, field: &str, en: bool, what: &str) {
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {}",
        r.text
    );
    let at_most = if en { "expected" } else { "diharapkan" };
    if json {
        let b = r.json();
        assert_eq!(b["error"], "invalid_input", "{what}");
        assert_eq!(b["fields"][0]["field"], field, "{what}: {b}");
        let message = b["message"].as_str().unwrap();
        assert!(message.contains(at_most), "{what}: {message}");
        assert!(message.contains(field), "{what}: {message}");
        assert!(
            b["fields"][0]["value"].as_str().unwrap().chars().count() < 50,
            "{what}: the whole value echoed"
        );
    } else {
        assert!(r.text.contains("<html"), "{what}: not a page: {}", r.text);
        assert!(r.text.contains(at_most), "{what}: {}", r.text);
        assert!(r.text.contains(field), "{what}: {}", r.text);
    }
}

fn too_large(r: &super::harness::Res, json: bool, en: bool, what: &str) {
    assert_eq!(
        r.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{what}: {}",
        r.text
    );
    let said = if en { "too large" } else { "terlalu besar" };
    if json {
        let b = r.json();
        assert_eq!(b["error"], "too_large", "{what}");
        let message = b["message"].as_str().unwrap();
        assert!(
            message.contains(said) && message.contains("64 KB"),
            "{what}: {message}"
        );
    } else {
        assert!(r.text.contains("<html"), "{what}: not a page: {}", r.text);
        assert!(
            r.text.contains(said) && r.text.contains("64 KB"),
            "{what}: {}",
            r.text
        );
    }
}

/// Every route of both lists with every kind of oversized request line and body.
async fn walk(env: &Env, routes: &[(String, Vec<String>, bool)], group: &str) {
    let n = env.name;
    let long_value = "é".repeat(MAX_VALUE + 1);
    let big = vec![b'a'; BODY_LIMIT + 1];
    for (path, methods, has_body) in routes {
        let json = path.starts_with("/api/") || path.starts_with("/odk/");
        for method in methods {
            let what = format!("{n}: {method} {path}");
            if json && path.starts_with("/api/") {
                let documented = &spec_of(path)[method.as_str()]["responses"];
                assert!(documented["422"].is_object(), "{what}: 422 not documented");
                if method != "get" {
                    assert!(documented["413"].is_object(), "{what}: 413 not documented");
                }
            }
            for p in params(path) {
                let uri = fill(path, group, Some(p));
                let r = send(env, method, &uri, "", Vec::new()).await;
                refused_naming(&r, json, p, false, &format!("{what}, long {p}"));
            }
            let uri = fill(path, group, None);
            let r = send(
                env,
                method,
                &with_query(
                    &uri,
                    &format!("lang=en&wave={}", wahana::web::pct(&long_value)),
                ),
                "",
                Vec::new(),
            )
            .await;
            refused_naming(&r, json, "wave", true, &format!("{what}, long wave"));
            for query in ["limit=100000", "limit=0", "offset=-1"] {
                let field = query.split('=').next().unwrap();
                let r = send(env, method, &with_query(&uri, query), "", Vec::new()).await;
                refused_naming(&r, json, field, false, &format!("{what}, {query}"));
            }
            if method != "get" && *has_body {
                let content_type = if json {
                    "application/json"
                } else {
                    "application/x-www-form-urlencoded"
                };
                let r = send(env, method, &uri, content_type, big.clone()).await;
                too_large(&r, json, false, &format!("{what}, big body"));
                let r = send(
                    env,
                    method,
                    &with_query(&uri, "lang=en"),
                    content_type,
                    big.clone(),
                )
                .await;
                too_large(&r, json, true, &format!("{what}, big body (en)"));
            }
        }
    }
}

#[tokio::test]
async fn every_route_refuses_oversized_input_with_413_or_422() {
    for env in envs().await {
        let (group, _) = env.group_in(INSIDE).await;
        let spec = wahana::web::api::openapi::spec();
        let mut routes: Vec<(String, Vec<String>, bool)> = Vec::new();
        for (path, ops) in spec["paths"].as_object().unwrap() {
            let ops = ops.as_object().unwrap();
            let methods: Vec<String> = ops.keys().cloned().collect();
            // The import takes files up to its own limit (`tests/it/import.rs`).
            let json_body = ops
                .values()
                .any(|op| op["requestBody"]["content"]["application/json"].is_object());
            routes.push((path.clone(), methods, json_body));
        }
        for (path, methods) in PAGES {
            let methods: Vec<String> = methods.iter().map(|m| m.to_string()).collect();
            let form = methods.iter().any(|m| m == "post");
            routes.push((path.to_string(), methods, form));
        }
        walk(&env, &routes, &group).await;
        // The search box: its text, named.
        let r = env
            .page(&format!("/search?q={}", "a".repeat(MAX_VALUE + 1)), None)
            .await;
        refused_naming(&r, false, "q", false, "search text");
        // Unparsable numbers are still the route's own 400.
        let r = env
            .api(
                Method::GET,
                "/api/v1/regions/73.08.21/screening?limit=x",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    }
}

/// The JSON string properties of a request body's schema, filled with text past every limit
/// of the instrument (500 characters, the notes' 2,000), and `fields` maps past any bound.
fn hostile_bodies(spec: &Value, op: &Value) -> Vec<Value> {
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let schema = match schema["$ref"].as_str() {
        Some(r) => &spec["components"]["schemas"][r.rsplit('/').next().unwrap()],
        None => schema,
    };
    let long = "ü".repeat(2_001);
    let mut out = Vec::new();
    let Some(props) = schema["properties"].as_object() else {
        // A map of answers: one long answer, then many.
        out.push(json!({"identitas/nama": long}));
        let many: serde_json::Map<String, Value> =
            (0..3_000).map(|i| (format!("f{i}"), json!("x"))).collect();
        out.push(Value::Object(many));
        return out;
    };
    let base = |fields: Value| {
        let mut o = serde_json::Map::new();
        for (k, p) in props {
            let t = p["type"].clone();
            let kind = t.as_str().or_else(|| t[0].as_str()).unwrap_or("string");
            let v = match (k.as_str(), kind) {
                ("fields", _) => fields.clone(),
                ("version", _) => json!(1),
                (_, "boolean") => json!(false),
                (_, "integer") => json!(1),
                _ => json!(long),
            };
            o.insert(k.clone(), v);
        }
        Value::Object(o)
    };
    let text_fields = json!({
        "kode_wilayah": INSIDE, "nama": long, "jenis": "arisan", "asal": "tumbuh_masyarakat",
        "tahun_berdiri": "1995", "catatan": long, "id": long, "tingkat": "desa",
        "jenis_lembaga": "puskesmas", "dari": long, "ke": long, "jenis_hubungan": long
    });
    out.push(base(text_fields));
    let many: serde_json::Map<String, Value> = (0..3_000)
        .map(|i| (format!("kolom_{i}"), json!("x")))
        .collect();
    out.push(base(Value::Object(many)));
    out
}

#[tokio::test]
async fn json_bodies_past_the_instruments_limits_are_field_errors() {
    for env in envs().await {
        let n = env.name;
        let (group, _) = env.group_in(INSIDE).await;
        let spec = wahana::web::api::openapi::spec();
        for (path, ops) in spec["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                if !op["requestBody"]["content"]["application/json"].is_object() {
                    continue;
                }
                let uri = fill(path, &group, None);
                for body in hostile_bodies(&spec, op) {
                    let sent = body.to_string();
                    assert!(sent.len() <= BODY_LIMIT, "{path}: {}", sent.len());
                    let r = send(&env, method, &uri, "application/json", sent.into_bytes()).await;
                    let what = format!("{n}: {method} {path}");
                    assert!(
                        r.status.is_client_error(),
                        "{what}: {} {}",
                        r.status,
                        r.text
                    );
                    let b = r.json();
                    assert!(
                        b["message"].as_str().is_some_and(|m| !m.is_empty()),
                        "{what}: {b}"
                    );
                    if r.status == StatusCode::UNPROCESSABLE_ENTITY {
                        assert_eq!(b["error"], "invalid_input", "{what}: {b}");
                        assert!(b["fields"][0]["field"].is_string(), "{what}: {b}");
                    }
                }
            }
        }
        // The writes that exist: a group, a member, a wave, all with text past the limits.
        let long = "a".repeat(501);
        for (method, uri, body, field) in [
            (
                Method::POST,
                "/api/v1/groups".to_string(),
                json!({"fields": {"kode_wilayah": INSIDE, "nama": long, "jenis": "arisan", "asal": "tumbuh_masyarakat", "tahun_berdiri": "1995"}}),
                "nama",
            ),
            (
                Method::POST,
                format!("/api/v1/groups/{group}/members"),
                json!({"name": long}),
                "nama",
            ),
            (
                Method::POST,
                "/api/v1/waves".to_string(),
                json!({"name": "Uji batas", "source": long}),
                "source",
            ),
        ] {
            let r = env.api(method, &uri, Some("admin"), Some(body)).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{n}: {uri}: {}",
                r.text
            );
            let b = r.json();
            assert_eq!(b["error"], "invalid_input", "{n}: {uri}");
            assert!(
                b["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["field"] == field),
                "{n}: {uri}: {b}"
            );
        }
    }
}

/// A body whose length is not said (sent in chunks) is read up to the limit and refused past
/// it, as JSON under the API and as a page elsewhere; one within it reaches the route.
#[tokio::test]
async fn a_body_of_unknown_length_is_refused_past_the_limit() {
    use http_body_util::{BodyStream, Full, StreamBody};
    let env = Env::new("sqlite", None).await;
    let unsized_body = |bytes: Vec<u8>| {
        let body = Body::new(StreamBody::new(BodyStream::new(Full::new(
            axum::body::Bytes::from(bytes),
        ))));
        assert_eq!(axum::body::HttpBody::size_hint(&body).upper(), None);
        body
    };
    let (token, _) = &env.sessions["admin"];
    for (uri, json) in [("/api/v1/groups?lang=en", true), ("/groups?lang=en", false)] {
        let mut b = Request::post(uri);
        b = if json {
            b.header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
        } else {
            b.header(header::COOKIE, format!("wahana_session={token}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        };
        let r = env
            .send(b.body(unsized_body(vec![b' '; BODY_LIMIT + 1])).unwrap())
            .await;
        too_large(&r, json, true, uri);
    }
    // Within the limit, the route reads it: a group is added.
    let body = json!({"fields": {"kode_wilayah": INSIDE, "nama": "Arisan Bertahap", "jenis": "arisan", "asal": "tumbuh_masyarakat", "tahun_berdiri": "1995"}});
    let r = env
        .send(
            Request::post("/api/v1/groups")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(unsized_body(body.to_string().into_bytes()))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
