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

/// The instrument's columns (English aliases) with a good value each: generated tables are
/// mostly these, with hostile cells among them.
const COLUMNS: [(&str, &str); 6] = [
    ("name", "Posyandu Mawar"),
    ("type", "posyandu"),
    ("origin", "dibentuk_pemerintah"),
    ("founded_year", "1992"),
    ("region_code", "73.08.21.1006"),
    ("survey_date", "2025-08-16"),
];

/// A cell: the column's good value, hostile text, or a huge field (within the import's limits).
fn cell(good: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        12 => Just(good.to_string()),
        2 => nasty(),
        1 => (400usize..5_000).prop_map(|n| "x".repeat(n)),
    ]
}

/// A table: the instrument's headers (sometimes one more, or two swapped) and a few rows.
fn table() -> impl Strategy<Value = Vec<Vec<String>>> {
    let row = COLUMNS
        .iter()
        .map(|(_, good)| cell(good).boxed())
        .collect::<Vec<_>>();
    (
        proptest::option::of(nasty()),
        any::<bool>(),
        proptest::collection::vec(row, 0..6),
    )
        .prop_map(|(extra, swap, rows)| {
            let mut headers: Vec<String> = COLUMNS.iter().map(|(h, _)| h.to_string()).collect();
            if swap {
                headers.swap(0, 3);
            }
            let mut out = vec![headers];
            out.extend(rows);
            if let Some(extra) = extra {
                for (i, r) in out.iter_mut().enumerate() {
                    r.push(if i == 0 { extra.clone() } else { "z".into() });
                }
            }
            out
        })
}

/// A CSV file of a table: a delimiter, quoting or a stray quote per cell, line ends, a BOM, and
/// sometimes a byte that is not UTF-8.
fn csv_file() -> impl Strategy<Value = Vec<u8>> {
    (
        table(),
        prop_oneof![Just(","), Just(";"), Just("\t"), Just("|")],
        prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        any::<bool>(),
        proptest::collection::vec(0u8..12, 64),
        proptest::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(rows, sep, end, bom, quoting, bad_byte)| {
            let mut out = String::new();
            if bom {
                out.push('\u{FEFF}');
            }
            let mut k = 0;
            for (r, row) in rows.into_iter().enumerate() {
                let cells: Vec<String> = row
                    .iter()
                    .map(|c| {
                        k += 1;
                        match quoting[k % quoting.len()] {
                            0 => format!("\"{}\"", c.replace('"', "\"\"")),
                            1 if r > 0 => format!("\"{c}"),
                            _ => c.clone(),
                        }
                    })
                    .collect();
                out.push_str(&cells.join(sep));
                out.push_str(end);
            }
            let mut bytes = out.into_bytes();
            if let Some(i) = bad_byte
                && !bytes.is_empty()
            {
                let at = i.index(bytes.len());
                bytes.insert(at, 0xff);
            }
            bytes
        })
}

/// One store for every case of a property (each case is an import, one transaction).
struct ImportBench {
    rt: tokio::runtime::Runtime,
    store: wahana_store::Store,
    dir: tempfile::TempDir,
}

impl ImportBench {
    fn new() -> ImportBench {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = rt.block_on(async {
            let store = wahana::service::open_with(
                &dir.path().join("h.db").display().to_string(),
                wahana_store::Sharing::Shared,
            )
            .await
            .unwrap();
            wahana::service::demo::load(
                &store,
                wahana::service::demo::Scale::Tanete,
                wahana_domain::demo::DEFAULT_SEED,
                &|_, _| Ok(()),
            )
            .await
            .unwrap();
            store
        });
        ImportBench { rt, store, dir }
    }

    /// Imports the file at `path`: no panic (the runner catches one and shrinks it), and a
    /// refused or dry-run file leaves every count as it was.
    fn import(
        &self,
        path: &std::path::Path,
        accept_clean: bool,
        dry_run: bool,
    ) -> Result<(), TestCaseError> {
        use wahana::service::import::{ImportOptions, import_file};
        let opts = ImportOptions {
            accept_clean,
            dry_run,
            ..ImportOptions::default()
        };
        let before = self.rt.block_on(self.store.counts()).unwrap();
        let result = self.rt.block_on(import_file(
            &self.store,
            path,
            &opts,
            wahana::service::today(),
            &|_| {},
        ));
        let after = self.rt.block_on(self.store.counts()).unwrap();
        let written = matches!(&result, Ok(r) if r.committed && !dry_run);
        if !written {
            prop_assert_eq!(
                before,
                after,
                "refused or dry run, yet counts changed: {:?}",
                result.map(|r| r.problems_total)
            );
        }
        Ok(())
    }
}

#[test]
fn generated_csv_files_import_or_are_refused_leaving_the_counts() {
    let bench = ImportBench::new();
    let path = bench.dir.path().join("g.csv");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 160,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(csv_file(), any::<bool>(), any::<bool>()),
            |(bytes, accept_clean, dry_run)| {
                std::fs::write(&path, &bytes).unwrap();
                bench.import(&path, accept_clean, dry_run)
            },
        )
        .unwrap();
}

#[test]
fn generated_workbooks_import_or_are_refused_leaving_the_counts() {
    let bench = ImportBench::new();
    let path = bench.dir.path().join("g.xlsx");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    });
    // Cells as text, numbers or booleans; sometimes one far cell that claims a huge sheet.
    let kinds = proptest::collection::vec(0u8..16, 64);
    runner
        .run(
            &(table(), kinds, any::<bool>(), any::<bool>(), any::<bool>()),
            |(rows, kinds, far, accept_clean, dry_run)| {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                let mut k = 0;
                for (r, row) in rows.iter().enumerate() {
                    for (c, text) in row.iter().enumerate() {
                        k += 1;
                        let (r, c) = (r as u32, c as u16);
                        match if r == 0 { 9 } else { kinds[k % kinds.len()] } {
                            0 => sheet.write_number(r, c, k as f64 * -7.25).map(|_| ()),
                            1 => sheet.write_boolean(r, c, k % 2 == 0).map(|_| ()),
                            _ => sheet.write_string(r, c, text).map(|_| ()),
                        }
                        .unwrap_or(());
                    }
                }
                if far {
                    sheet.write_string(1_048_575, 16_383, "jauh").unwrap();
                }
                book.save(&path).unwrap();
                bench.import(&path, accept_clean, dry_run)
            },
        )
        .unwrap();
}

/// Generated search and filter parameters, and generated JSON bodies, through the router: a
/// 4xx or a success, never a server error.
#[tokio::test]
async fn generated_queries_and_json_bodies_never_break_the_server() {
    use axum::http::Method;
    let env = Env::new("sqlite", None).await;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 128,
        ..ProptestConfig::default()
    });
    let value = prop_oneof![
        nasty(),
        (-5i64..2_000_000).prop_map(|n| n.to_string()),
        (0usize..1_200).prop_map(|n| "q".repeat(n)),
    ];
    let name = prop_oneof![
        Just("q"),
        Just("name"),
        Just("region"),
        Just("type"),
        Just("status"),
        Just("wave"),
        Just("limit"),
        Just("offset"),
        Just("region_offset"),
        Just("outcome"),
        Just("lang"),
    ];
    let queries = proptest::collection::vec((name, value), 0..6);
    let fields = proptest::collection::btree_map(
        prop_oneof![
            Just("nama".to_string()),
            Just("jenis".to_string()),
            Just("kode_wilayah".to_string()),
            nasty()
        ],
        prop_oneof![nasty(), (0usize..3_000).prop_map(|n| "y".repeat(n))],
        0..8,
    );
    let cases: Vec<_> = (0..128)
        .map(|_| {
            (
                queries.new_tree(&mut runner).unwrap().current(),
                fields.new_tree(&mut runner).unwrap().current(),
            )
        })
        .collect();
    for (i, (pairs, fields)) in cases.into_iter().enumerate() {
        let q = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", wahana::web::pct(v)))
            .collect::<Vec<_>>()
            .join("&");
        for base in [
            "/search",
            "/api/v1/groups",
            "/regions/73.08.21",
            "/api/v1/regions/73.08.21/screening",
            "/api/v1/regions/73.08.21/inbox",
        ] {
            let r = env
                .api(Method::GET, &format!("{base}?{q}"), Some("admin"), None)
                .await;
            assert!(
                !r.status.is_server_error(),
                "case {i}: {base}?{q}: {} {}",
                r.status,
                r.text
            );
        }
        let body = serde_json::json!({"fields": fields});
        for (method, uri) in [
            (Method::POST, "/api/v1/groups".to_string()),
            (Method::POST, "/api/v1/networks".to_string()),
            (Method::PATCH, format!("/api/v1/groups/{}", env.away_group)),
        ] {
            let before = env.store.counts().await.unwrap();
            let r = env
                .api(method.clone(), &uri, Some("admin"), Some(body.clone()))
                .await;
            assert!(
                !r.status.is_server_error(),
                "case {i}: {method} {uri} {body}: {} {}",
                r.status,
                r.text
            );
            if !r.status.is_success() {
                assert_eq!(
                    before,
                    env.store.counts().await.unwrap(),
                    "case {i}: refused but changed"
                );
            }
        }
    }
}
