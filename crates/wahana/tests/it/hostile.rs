//! Generated outside input against the parsers that take it (issue: hostile input): none may
//! panic, and what one accepts must read back as it was given. The OpenRosa endpoint gets
//! generated bodies too: never a server error, and nothing kept unless it answered 201.

use crate::web::harness::Env;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use wahana::service::odk::{md5_hex, parse_submission};
use wahana_domain::screening::RuleSet;
use wahana_domain::{Date, RegionCode};

/// Text with the characters that break parsers: markup, quotes, entities, controls, non-ASCII.
fn nasty() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("<".to_string()),
            Just(">".to_string()),
            Just("&".to_string()),
            Just("&amp;".to_string()),
            Just("&#0;".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("]]>".to_string()),
            Just("<!DOCTYPE x [<!ENTITY a \"aaaa\">]>".to_string()),
            Just("\u{0}".to_string()),
            Just("\u{FEFF}".to_string()),
            Just(".".to_string()),
            Just("73".to_string()),
            "[a-zA-Z0-9 ]{0,8}",
            "\\PC{0,4}",
        ],
        0..24,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn submissions_parse_or_are_refused_never_panic(s in nasty()) {
        let _ = parse_submission(&s);
        let _ = parse_submission(&format!("<data id=\"f\">{s}<meta><instanceID>uuid:1</instanceID></meta></data>"));
    }

    #[test]
    fn answers_read_back_as_sent(
        fields in proptest::collection::vec(("[a-z][a-z_]{0,10}", "\\PC{0,30}"), 1..12)
    ) {
        let mut xml = String::from("<data id=\"wahana_kelompok\" version=\"1\"><g>");
        for (name, value) in &fields {
            xml.push_str(&format!("<{name}>{}</{name}>", wahana_domain::xml::Xml(value)));
        }
        xml.push_str("</g><meta><instanceID>uuid:x</instanceID></meta></data>");
        let a = parse_submission(&xml).unwrap();
        prop_assert_eq!(a.instance_id.as_str(), "uuid:x");
        for (i, (name, value)) in fields.iter().enumerate() {
            let (path, got) = &a.fields[i];
            prop_assert_eq!(path, &format!("g/{name}"));
            // The escaper turns characters XML cannot carry into U+FFFD, and XML reads line
            // ends as `\n`; everything else comes back as sent.
            let want: String = value
                .chars()
                .map(|c| {
                    let control = c < ' ' && !matches!(c, '\t' | '\n' | '\r');
                    if control || matches!(c, '\u{FFFE}' | '\u{FFFF}') { '\u{FFFD}' } else { c }
                })
                .collect();
            let want = want.replace("\r\n", "\n").replace('\r', "\n");
            prop_assert_eq!(got, &want);
        }
    }

    #[test]
    fn region_codes_parse_or_are_refused_and_read_back(s in nasty()) {
        if let Ok(code) = RegionCode::parse(&s) {
            prop_assert_eq!(RegionCode::parse(code.as_str()).unwrap(), code);
        }
    }

    #[test]
    fn dates_parse_or_are_refused_and_read_back(s in nasty()) {
        if let Some(d) = Date::parse(&s) {
            prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
        }
    }

    #[test]
    fn rule_sets_parse_or_are_refused_never_panic(s in nasty()) {
        let _ = RuleSet::parse(&s);
        let _ = RuleSet::parse(&format!("version = \"x\"\n[[criterion]]\nid = \"{s}\"\n"));
    }
}

/// An authorization for `uri` answering the challenge of a 401.
fn digest(challenge: &str, method: &str, uri: &str, user: &str, password: &str) -> String {
    let nonce = challenge
        .split("nonce=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    let ha1 = md5_hex(format!("{user}:wahana:{password}").as_bytes());
    let ha2 = md5_hex(format!("{method}:{uri}").as_bytes());
    let response = md5_hex(format!("{ha1}:{nonce}:00000001:c0ffee:auth:{ha2}").as_bytes());
    format!(
        "Digest username=\"{user}\", realm=\"wahana\", nonce=\"{nonce}\", uri=\"{uri}\", \
         qop=auth, nc=00000001, cnonce=\"c0ffee\", response=\"{response}\""
    )
}

/// Generated submission bodies from a signed-in enumerator: every answer is a 2xx or a 4xx
/// with an OpenRosa message, and a refused one keeps nothing.
#[tokio::test]
async fn generated_submissions_never_break_the_server() {
    let env = Env::new("sqlite", None).await;
    let uri = "/odk/73.08.21/submission";
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    });
    let bodies = (
        nasty(),
        prop_oneof![
            Just("multipart/form-data; boundary=b".to_string()),
            Just("multipart/form-data".to_string()),
            Just("text/xml".to_string()),
            "\\PC{0,20}",
        ],
        any::<bool>(),
    );
    let cases: Vec<_> = (0..96)
        .map(|_| bodies.new_tree(&mut runner).unwrap().current())
        .collect();
    for (i, (text, content_type, wrap)) in cases.into_iter().enumerate() {
        let body = if wrap {
            format!(
                "--b\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; \
                 filename=\"s.xml\"\r\nContent-Type: text/xml\r\n\r\n<data id=\"wahana_kelompok\">\
                 <wilayah><kode_wilayah>73.08.21.1003</kode_wilayah></wilayah>{text}\
                 <meta><instanceID>uuid:h{i}</instanceID></meta></data>\r\n--b--\r\n"
            )
        } else {
            text.clone()
        };
        // Collect's way: a 401 first, then the answer to its challenge.
        let first = env
            .send(Request::post(uri).body(Body::empty()).unwrap())
            .await;
        assert_eq!(first.status, StatusCode::UNAUTHORIZED);
        let challenge = first.headers[header::WWW_AUTHENTICATE].to_str().unwrap();
        let auth = digest(
            challenge,
            "POST",
            uri,
            "enumerator",
            crate::web::harness::PASSWORD,
        );
        let before = env.store.inbox_counts(None).await.unwrap();
        let res = env
            .send(
                Request::post(uri)
                    .header(header::AUTHORIZATION, auth)
                    .header(header::CONTENT_TYPE, content_type.as_str())
                    .body(Body::from(body.clone()))
                    .unwrap(),
            )
            .await;
        assert!(
            !res.status.is_server_error(),
            "case {i}: {} for {body:?} ({content_type}): {}",
            res.status,
            res.text
        );
        assert!(
            res.headers.contains_key("x-openrosa-version"),
            "case {i}: {}",
            res.status
        );
        let after = env.store.inbox_counts(None).await.unwrap();
        if res.status != StatusCode::CREATED {
            assert_eq!(before, after, "case {i}: refused ({}) but kept", res.status);
        }
    }
}
