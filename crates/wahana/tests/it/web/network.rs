//! HTTP tests of the network page: the picture and measures for each kind of visitor, the
//! downloads, and that those who may not read a region's records see no actor's name.

use super::harness::envs;
use axum::http::{StatusCode, header};

const KECAMATAN: &str = "73.08.21";

#[tokio::test]
async fn network_page_named_for_readers_and_anonymous_for_the_public() {
    for env in envs().await {
        let name = env.name;
        let uri = format!("/regions/{KECAMATAN}/network");
        let officer = env.page(&uri, Some("officer")).await;
        assert_eq!(officer.status, StatusCode::OK, "{name}: {}", officer.text);
        assert!(officer.text.contains("<svg"), "{name}: a drawing");
        assert!(officer.text.contains("Perantara utama"), "{name}: brokers");
        // A village office of the demonstration data, named and linked for a reader.
        assert!(officer.text.contains("/institutions/L-"), "{name}");
        assert!(officer.text.contains("format=graphml"), "{name}");

        for who in [None, Some("officer_away")] {
            let public = env.page(&uri, who).await;
            assert_eq!(
                public.status,
                StatusCode::OK,
                "{name} {who:?}: {}",
                public.text
            );
            assert!(public.text.contains("<svg"), "{name} {who:?}");
            assert!(public.text.contains("Tampilan umum"), "{name} {who:?}");
            for secret in [
                "Kantor Kelurahan",
                "WKSBM Kelurahan",
                "/institutions/L-",
                "K-7308211",
                "format=graphml",
            ] {
                assert!(
                    !public.text.contains(secret),
                    "{name} {who:?}: {secret} shown"
                );
            }
            let graphml = env.page(&format!("{uri}?format=graphml"), who).await;
            assert_eq!(graphml.status, StatusCode::FORBIDDEN, "{name} {who:?}");
            let one = env
                .page(&format!("{uri}?network=W-7308211001-0001"), who)
                .await;
            assert_eq!(one.status, StatusCode::FORBIDDEN, "{name} {who:?}");
        }

        // The same numbers for everyone; the JSON download is the CLI's object.
        let named = env
            .page(&format!("{uri}?format=json"), Some("officer"))
            .await;
        let public = env.page(&format!("{uri}?format=json"), None).await;
        assert_eq!(named.status, StatusCode::OK, "{name}: {}", named.text);
        let (a, b) = (named.json(), public.json());
        for key in [
            "nodes",
            "ties",
            "density",
            "components",
            "largest_component",
            "isolates",
            "degree_mean",
            "degree_max",
            "share_tied_to_institution",
            "cross_village_ties",
        ] {
            assert!(a.get(key).is_some(), "{name}: {key}");
            assert_eq!(a[key], b[key], "{name}: {key}");
        }
        assert!(a["nodes"].as_u64().unwrap() > 400, "{name}: {}", a["nodes"]);
        let top = a["top_brokers"][0]["id"].as_str().unwrap();
        let top_public = b["top_brokers"][0]["id"].as_str().unwrap();
        assert_ne!(top, top_public, "{name}");
        assert!(!b.to_string().contains("Kantor"), "{name}");

        let svg = env.page(&format!("{uri}?format=svg"), None).await;
        assert_eq!(svg.headers[header::CONTENT_TYPE], "image/svg+xml", "{name}");
        assert!(svg.text.starts_with("<svg"), "{name}");

        let graphml = env
            .page(&format!("{uri}?format=graphml"), Some("officer"))
            .await;
        assert_eq!(graphml.status, StatusCode::OK, "{name}");
        assert!(graphml.text.contains("<graphml"), "{name}");

        let bad = env
            .page(&format!("{uri}?format=pdf"), Some("officer"))
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name}: {}",
            bad.text
        );
    }
}

#[tokio::test]
async fn network_page_of_one_network_and_of_a_village() {
    for env in envs().await {
        let name = env.name;
        let one = env
            .page(
                "/regions/73.08.21.1001/network?network=W-7308211001-0001",
                Some("officer"),
            )
            .await;
        assert_eq!(one.status, StatusCode::OK, "{name}: {}", one.text);
        assert!(one.text.contains("<svg"), "{name}");
        assert!(one.text.contains("W-7308211001-0001"), "{name}");
        // The network's page links to it.
        let page = env
            .page("/networks/W-7308211001-0001", Some("officer"))
            .await;
        assert!(
            page.text
                .contains("/regions/73.08.21.1001/network?network=W-7308211001-0001"),
            "{name}"
        );
        // A network outside the scope is refused with the reason.
        let outside = env
            .page(
                "/regions/73.08.21.1002/network?network=W-7308211001-0001",
                Some("officer"),
            )
            .await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let unknown = env.page("/regions/99.99/network", None).await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{name}");
        // The region page links to its network page.
        let region = env.page("/regions/73.08.21.1001", None).await;
        assert!(
            region.text.contains("/regions/73.08.21.1001/network"),
            "{name}"
        );
        // The whole country, for an admin, with English labels.
        let national = env
            .page("/regions/nasional/network?lang=en", Some("admin"))
            .await;
        assert_eq!(national.status, StatusCode::OK, "{name}: {}", national.text);
        assert!(national.text.contains("<svg"), "{name}");
    }
}

#[tokio::test]
async fn profile_report_has_a_network_section() {
    for env in envs().await {
        let name = env.name;
        let uri = format!("/regions/{KECAMATAN}/report");
        let named = env.page(&uri, Some("officer")).await;
        assert_eq!(named.status, StatusCode::OK, "{name}: {}", named.text);
        let section = &named.text[named
            .text
            .find("<h2>Jejaring</h2>")
            .unwrap_or_else(|| panic!("{name}: no network section"))..];
        assert!(section.contains("Kepadatan"), "{name}");
        assert!(section.contains("<svg"), "{name}");
        assert!(section.contains("Perantara utama"), "{name}");
        assert!(section.contains("<small>L-7308"), "{name}: brokers named");
        // The same report for a visitor names no actor.
        let public = env.page(&uri, None).await;
        assert_eq!(public.status, StatusCode::OK, "{name}");
        assert!(public.text.contains("<h2>Jejaring</h2>"), "{name}");
        let public_section = &public.text[public.text.find("<h2>Jejaring</h2>").unwrap()..];
        assert!(public_section.contains("<svg"), "{name}");
        assert!(
            !public_section.contains("7308211"),
            "{name}: an actor's id shown"
        );
        // English.
        let en = env.page(&format!("{uri}?lang=en"), Some("officer")).await;
        assert!(en.text.contains("<h2>The network</h2>"), "{name}");
    }
}

/// Every cell of every sheet of a workbook, as text, and its sheet names.
fn workbook_cells(bytes: &[u8]) -> (Vec<String>, Vec<String>) {
    use calamine::{Reader, Xlsx};
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = wb.sheet_names();
    let mut cells = Vec::new();
    for sheet in &names {
        let range = wb.worksheet_range(sheet).unwrap();
        cells.extend(range.cells().map(|(_, _, c)| c.to_string()));
    }
    (names, cells)
}

/// The value beside a measure's JSON key in the network sheet.
fn sheet_measure(bytes: &[u8], sheet: &str, key: &str) -> Option<f64> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().find_map(|r| match (r.get(1), r.get(2)) {
        (Some(Data::Float(x)), Some(Data::String(k))) if k == key => Some(*x),
        _ => None,
    })
}

#[tokio::test]
async fn profile_xlsx_has_the_network_sheet_with_no_actor_named_for_the_public() {
    use wahana::service::network::{ScopeRequest, measure_scope};
    use wahana::service::screening::Scope;
    for env in envs().await {
        let name = env.name;
        let uri = format!("/regions/{KECAMATAN}/report?format=xlsx");
        // Every actor of the region with its id and name, as a reader sees them, and every
        // group recorded there.
        let region = wahana_domain::RegionTree::official()
            .get(&wahana_domain::RegionCode::parse(KECAMATAN).unwrap())
            .unwrap();
        let (_, named) = measure_scope(
            &env.store,
            &ScopeRequest {
                scope: Scope::Region(region),
                network: None,
                wave: None,
            },
            false,
        )
        .await
        .unwrap();
        let named = named.measures;
        let mut secrets: Vec<String> = named
            .per_node
            .iter()
            .flat_map(|n| [n.id.clone(), n.name.clone()])
            .collect();
        let filter = wahana_store::GroupFilter {
            region: Some(region.code.clone()),
            ..Default::default()
        };
        let (groups, total) = wahana::service::groups::list(
            &env.store,
            &wahana::service::caller::Caller::cli(),
            &filter,
            10_000,
            0,
        )
        .await
        .unwrap();
        assert_eq!(groups.len() as i64, total, "{name}");
        assert!(total > 300, "{name}: {total} groups");
        secrets.extend(
            groups
                .iter()
                .flat_map(|g| [g.group.id.clone(), g.group.name.clone()]),
        );

        // A reader's workbook names the brokers.
        let officer = env.page(&uri, Some("officer")).await;
        assert_eq!(officer.status, StatusCode::OK, "{name}: {}", officer.text);
        let (sheets, cells) = workbook_cells(&officer.bytes);
        assert!(sheets.iter().any(|s| s == "Jejaring"), "{name}: {sheets:?}");
        let top = &named.top_brokers[0];
        assert!(cells.contains(&top.id), "{name}: {} not named", top.id);
        assert!(cells.contains(&top.name), "{name}: {} not named", top.name);
        assert!(
            secrets.iter().any(|s| cells.contains(s)),
            "{name}: the reader's workbook names no actor"
        );

        // The public's: the same numbers, no actor's id or name in any cell of any sheet.
        for who in [None, Some("officer_away")] {
            let public = env.page(&uri, who).await;
            assert_eq!(public.status, StatusCode::OK, "{name} {who:?}");
            let (sheets, cells) = workbook_cells(&public.bytes);
            assert!(
                sheets.iter().any(|s| s == "Jejaring"),
                "{name} {who:?}: {sheets:?}"
            );
            for key in ["nodes", "ties", "density", "components", "isolates"] {
                let want = match key {
                    "nodes" => named.nodes as f64,
                    "ties" => named.ties as f64,
                    "density" => named.density,
                    "components" => named.components as f64,
                    _ => named.isolates as f64,
                };
                assert_eq!(
                    sheet_measure(&public.bytes, "Jejaring", key),
                    Some(want),
                    "{name} {who:?}: {key}"
                );
            }
            for secret in &secrets {
                assert!(
                    !cells.iter().any(|c| c.contains(secret.as_str())),
                    "{name} {who:?}: {secret} shown"
                );
            }
            for part in ["K-7308211", "L-7308211", "W-7308211", "Kantor Kelurahan"] {
                assert!(
                    !cells.iter().any(|c| c.contains(part)),
                    "{name} {who:?}: {part} shown"
                );
            }
            // The brokers, by kind and number only.
            assert!(
                cells.iter().any(|c| c.starts_with("kelompok-")
                    || c.starts_with("lembaga-")
                    || c.starts_with("wahana-")),
                "{name} {who:?}: no anonymous broker"
            );
        }
    }
}

#[tokio::test]
async fn network_api_matches_the_page_and_hides_names_from_the_public() {
    for env in envs().await {
        let name = env.name;
        let uri = format!("/api/v1/regions/{KECAMATAN}/network");
        let named = env
            .api(axum::http::Method::GET, &uri, Some("officer"), None)
            .await;
        assert_eq!(named.status, StatusCode::OK, "{name}: {}", named.text);
        let public = env.api(axum::http::Method::GET, &uri, None, None).await;
        assert_eq!(public.status, StatusCode::OK, "{name}: {}", public.text);
        let (a, b) = (named.json(), public.json());
        assert_eq!(a["nodes"], b["nodes"], "{name}");
        assert_eq!(
            a["top_brokers"][0]["betweenness"], b["top_brokers"][0]["betweenness"],
            "{name}"
        );
        assert!(a.to_string().contains("L-7308"), "{name}");
        assert!(
            !b.to_string().contains("7308211"),
            "{name}: an actor's id shown"
        );
        let page = env
            .page(
                &format!("/regions/{KECAMATAN}/network?format=json"),
                Some("officer"),
            )
            .await
            .json();
        assert_eq!(a, page, "{name}: the API and the page's download differ");

        let one = format!("{uri}?network=W-7308211001-0001");
        let r = env
            .api(axum::http::Method::GET, &one, Some("officer"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{name}: {}", r.text);
        assert_eq!(r.json()["network"], "W-7308211001-0001", "{name}");
        let r = env.api(axum::http::Method::GET, &one, None, None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{name}");
        let r = env
            .api(
                axum::http::Method::GET,
                &format!("{uri}?wave=tidak-ada"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{name}: {}", r.text);
        assert_eq!(r.json()["error"], "not_found", "{name}");
        let r = env
            .api(
                axum::http::Method::GET,
                "/api/v1/regions/99.99/network",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{name}");
    }
}
