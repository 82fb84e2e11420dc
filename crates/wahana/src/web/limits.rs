//! Request limits on every route, checked in one middleware before any handler reads the
//! request: the body's size (413 `too_large`), the path's segments, the query string, each
//! query parameter and the range of `limit` and `offset` (422 `invalid_input`, naming the
//! parameter). The answer is JSON under `/api/` and `/odk/`, an error page elsewhere, in the
//! request's language; never a 500.
//!
//! Uploads (`/import`, `/api/v1/import`) and OpenRosa submissions keep their own, larger limits
//! (`pages::import::UPLOAD_LIMIT`, `openrosa::MAX_SUBMISSION`), enforced by their routes and
//! handlers; every other body (forms, JSON) is read here, up to [`BODY_LIMIT`].

use super::errors::ApiError;
use super::{AppState, Ctx};
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use wahana_domain::FieldError;

/// The largest body of a form or a JSON request: the largest form (a group's ~60 fields of at
/// most 500 characters, the notes of 2,000) is about a third of it.
pub const BODY_LIMIT: usize = 64 * 1024;
/// The longest query string, in bytes as sent (percent-encoded).
pub const MAX_QUERY: usize = 8 * 1024;
/// The most parameters in one query string.
pub const MAX_PARAMS: usize = 64;
/// The longest value of a query parameter (a search text, a wave's id), in characters once
/// decoded: the instrument's longest one-line text.
pub const MAX_VALUE: usize = 500;
/// The longest value of `next` (a path to come back to, with its own query).
pub const MAX_NEXT: usize = MAX_QUERY;
/// The longest name of a query parameter, in characters.
pub const MAX_NAME: usize = 64;
/// The longest path, in bytes as sent.
pub const MAX_PATH: usize = 2048;
/// The longest segment of a path (an id, a file's name), in bytes as sent.
pub const MAX_SEGMENT: usize = 255;
/// The largest `limit` of one page.
pub const MAX_LIMIT: i64 = 500;
/// The largest `offset` (and `…_offset`): far beyond any region's records.
pub const MAX_OFFSET: i64 = 10_000_000;

/// Whether a path's route reads its own (larger) body: the uploads and OpenRosa submissions.
fn own_body_limit(path: &str) -> bool {
    path == "/import"
        || path == "/api/v1/import"
        || (path.starts_with("/odk/") && path.ends_with("/submission"))
}

/// Whether a path answers in JSON rather than with a page.
fn answers_json(path: &str) -> bool {
    path.starts_with("/api/") || path.starts_with("/odk/")
}

/// The middleware: checks the path and the query, reads a small body whole (refusing it past
/// [`BODY_LIMIT`]), then calls the route.
pub async fn check(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let mut refused = path_problems(&path, route.as_deref());
    if let Some(q) = req.uri().query() {
        refused.extend(query_problems(q));
    }
    if !refused.is_empty() {
        return refuse(&st, req, ApiError::Invalid(refused)).await;
    }
    if own_body_limit(&path) {
        return next.run(req).await;
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let hinted = axum::body::HttpBody::size_hint(req.body()).lower();
    let too_large = ApiError::TooLarge { limit: BODY_LIMIT };
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) || hinted > BODY_LIMIT as u64 {
        return refuse(&st, req, too_large).await;
    }
    // A body of unknown length (chunked) is read here, up to the limit and no further.
    let (parts, body) = req.into_parts();
    let limited = http_body_util::Limited::new(body, BODY_LIMIT);
    match limited.collect().await {
        Ok(collected) => {
            let req = Request::from_parts(parts, Body::from(collected.to_bytes()));
            next.run(req).await
        }
        Err(e) => {
            let error = if e.is::<http_body_util::LengthLimitError>() {
                too_large
            } else {
                ApiError::BadRequest(e.to_string())
            };
            refuse(&st, Request::from_parts(parts, Body::empty()), error).await
        }
    }
}

/// The refusal, as JSON or as a page in the request's language.
async fn refuse(st: &AppState, req: Request, error: ApiError) -> Response {
    let json = answers_json(req.uri().path());
    let (mut parts, _) = req.into_parts();
    match Ctx::from_request_parts(&mut parts, st).await {
        Ok(ctx) if json => error.into_api(ctx.lang),
        Ok(ctx) => error.into_page(&ctx),
        Err(res) => res,
    }
}

/// What an over-long value is shown as: its start, never all of it.
fn shown(value: &str) -> String {
    const SHOWN: usize = 40;
    if value.chars().count() <= SHOWN {
        value.to_string()
    } else {
        let start: String = value.chars().take(SHOWN).collect();
        format!("{start}…")
    }
}

/// The path's problems: too long, or a segment too long (named by the route's parameter, such
/// as `id`, when the route has one there).
pub fn path_problems(path: &str, route: Option<&str>) -> Vec<FieldError> {
    if path.len() > MAX_PATH {
        return vec![FieldError::new(
            "path",
            shown(path),
            format!("alamat paling panjang {MAX_PATH} bita"),
            format!("a path of at most {MAX_PATH} bytes"),
        )];
    }
    let names: Vec<&str> = route.map(|r| r.split('/').collect()).unwrap_or_default();
    path.split('/')
        .enumerate()
        .filter(|(_, s)| s.len() > MAX_SEGMENT)
        .map(|(i, s)| {
            let name = names
                .get(i)
                .and_then(|n| n.strip_prefix('{'))
                .and_then(|n| n.strip_suffix('}'))
                .unwrap_or("path");
            FieldError::new(
                name,
                shown(s),
                format!("paling panjang {MAX_SEGMENT} bita"),
                format!("at most {MAX_SEGMENT} bytes"),
            )
        })
        .collect()
}

/// The query string's problems: too long, too many parameters, a name or a value too long, or
/// a `limit` or `offset` (or `…_offset`) that is a whole number out of range. A `limit` that
/// is not a number is left to the route, which says it does not parse (400).
pub fn query_problems(query: &str) -> Vec<FieldError> {
    if query.len() > MAX_QUERY {
        return vec![FieldError::new(
            "query",
            shown(query),
            format!("parameter alamat paling panjang {MAX_QUERY} bita"),
            format!("a query string of at most {MAX_QUERY} bytes"),
        )];
    }
    let mut problems = Vec::new();
    for (n, (name, value)) in form_urlencoded::parse(query.as_bytes()).enumerate() {
        if n == MAX_PARAMS {
            problems.push(FieldError::new(
                "query",
                shown(query),
                format!("paling banyak {MAX_PARAMS} parameter"),
                format!("at most {MAX_PARAMS} parameters"),
            ));
            break;
        }
        if name.chars().count() > MAX_NAME {
            problems.push(FieldError::new(
                "query",
                shown(&name),
                format!("nama parameter paling panjang {MAX_NAME} huruf"),
                format!("a parameter name of at most {MAX_NAME} characters"),
            ));
            continue;
        }
        let longest = if name == "next" { MAX_NEXT } else { MAX_VALUE };
        if value.chars().count() > longest {
            problems.push(FieldError::new(
                name.as_ref(),
                shown(&value),
                format!("paling panjang {longest} huruf"),
                format!("at most {longest} characters"),
            ));
            continue;
        }
        let range = match name.as_ref() {
            "limit" => Some((1, MAX_LIMIT)),
            "offset" => Some((0, MAX_OFFSET)),
            n if n.ends_with("_offset") => Some((0, MAX_OFFSET)),
            _ => None,
        };
        let whole = |v: &str| {
            let digits = v.strip_prefix('-').unwrap_or(v);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        };
        if let Some((low, high)) = range
            && whole(&value)
            && !value
                .parse::<i64>()
                .is_ok_and(|v| (low..=high).contains(&v))
        {
            problems.push(FieldError::new(
                name.as_ref(),
                shown(&value),
                format!("angka dari {low} sampai {high}"),
                format!("a whole number from {low} to {high}"),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_problems_name_the_parameter() {
        let long = "a".repeat(MAX_VALUE + 1);
        for (query, field) in [
            (format!("q={long}"), Some("q")),
            (format!("q={}", "a".repeat(MAX_VALUE)), None),
            ("limit=0".to_string(), Some("limit")),
            ("limit=501".to_string(), Some("limit")),
            ("limit=500".to_string(), None),
            ("limit=x".to_string(), None),
            ("offset=-1".to_string(), Some("offset")),
            (
                "region_offset=99999999999999999999999".to_string(),
                Some("region_offset"),
            ),
            ("offset=10000000".to_string(), None),
            (format!("{}=1", "k".repeat(MAX_NAME + 1)), Some("query")),
            ("a=1&".repeat(MAX_PARAMS + 1), Some("query")),
            (format!("q={}", "a".repeat(MAX_QUERY)), Some("query")),
            (format!("next=/x%3Fq%3D{long}"), None),
        ] {
            let got = query_problems(&query);
            assert_eq!(
                got.first().map(|e| e.field.as_str()),
                field,
                "{}",
                shown(&query)
            );
        }
    }

    #[test]
    fn path_problems_name_the_route_parameter() {
        let long = "x".repeat(MAX_SEGMENT + 1);
        let got = path_problems(&format!("/groups/{long}/edit"), Some("/groups/{id}/edit"));
        assert_eq!(got[0].field, "id");
        assert!(got[0].value.chars().count() < 50, "{}", got[0].value);
        let got = path_problems(&format!("/nowhere/{long}"), None);
        assert_eq!(got[0].field, "path");
        assert!(path_problems("/groups/K-1/edit", Some("/groups/{id}/edit")).is_empty());
        let got = path_problems(&"/a".repeat(MAX_PATH), None);
        assert_eq!(got[0].field, "path");
    }
}
