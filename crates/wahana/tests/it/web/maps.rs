//! HTTP tests of the maps: the region pages draw their children with their borders, coloured
//! by the measure chosen; the SVG and the GeoJSON through the API; the report's map; and
//! boundaries loaded into the database drawn instead of the shipped ones.

use super::harness::envs;
use axum::http::{Method, StatusCode, header};
use wahana::service::{self, caller::Caller};

const KECAMATAN: &str = "73.08.21";

/// The `data-code` of every shape (`<path`) in a text.
fn shape_codes(text: &str) -> Vec<String> {
    text.split("<path ")
        .skip(1)
        .filter_map(|p| {
            let tag = &p[..p.find('>').unwrap_or(p.len())];
            let at = tag.find("data-code=\"")? + "data-code=\"".len();
            Some(tag[at..at + tag[at..].find('"')?].to_string())
        })
        .collect()
}

/// The fill of the shape of `code`.
fn fill_of(text: &str, code: &str) -> String {
    let at = text.find(&format!("data-code=\"{code}\"")).unwrap();
    let tag_start = text[..at].rfind("<path").unwrap();
    let tag = &text[tag_start..at];
    let f = tag.find("fill=\"").unwrap() + 6;
    tag[f..f + tag[f..].find('"').unwrap()].to_string()
}

#[tokio::test]
async fn the_kecamatan_page_draws_its_eight_kelurahan_linked_and_coloured() {
    let tree = wahana_domain::RegionTree::official();
    let villages: Vec<String> = tree
        .villages_under(&KECAMATAN.parse().unwrap())
        .map(|v| v.code.to_string())
        .collect();
    assert_eq!(villages.len(), 8);
    for env in envs().await {
        let name = env.name;
        let page = env.page(&format!("/regions/{KECAMATAN}"), None).await;
        assert_eq!(page.status, StatusCode::OK, "{name}: {}", page.text);
        let map = &page.text[page.text.find("id=\"peta\"").expect("a map section")..];
        let codes = shape_codes(map);
        assert_eq!(
            codes, villages,
            "{name}: each kelurahan a shape, in code order"
        );
        for v in &villages {
            assert!(
                map.contains(&format!("<a href=\"/regions/{v}?measure=groups\">")),
                "{name}: {v} links to its page"
            );
        }
        // Every kelurahan holds demonstration groups: coloured, none hatched; the legend
        // says its classes' ranges and the hatching.
        for v in &villages {
            assert!(fill_of(map, v).starts_with('#'), "{name}: {v}");
        }
        assert!(
            map.contains("Kelompok tercatat"),
            "{name}: the legend's title"
        );
        assert!(map.contains("tidak ada kelompok tercatat"), "{name}");
        assert!(
            map.contains("Daftar wilayah di peta (8)"),
            "{name}: the list"
        );
        assert!(
            !map.contains("digambar sebagai titik di pusatnya:"),
            "{name}"
        );

        // Another measure: F1's share, in fifths; the form keeps the choice.
        let f1 = env
            .page(&format!("/regions/{KECAMATAN}?measure=f1"), None)
            .await;
        assert_eq!(f1.status, StatusCode::OK, "{name}");
        assert!(f1.text.contains("<option value=\"f1\" selected>"), "{name}");
        assert!(f1.text.contains("80–100%"), "{name}: share classes");
        assert!(f1.text.contains("?measure=f1\""), "{name}: links keep it");
        // An unknown measure on a page falls back to the groups recorded.
        let odd = env
            .page(&format!("/regions/{KECAMATAN}?measure=nope"), None)
            .await;
        assert_eq!(odd.status, StatusCode::OK, "{name}");
        assert!(
            odd.text.contains("<option value=\"groups\" selected>"),
            "{name}"
        );
    }
}

#[tokio::test]
async fn regions_without_groups_are_hatched_and_every_level_has_its_map() {
    for env in envs().await {
        let name = env.name;
        // Kabupaten Bone: its 27 kecamatan, Tanete Riattang coloured, the others hatched
        // (Tanete Riattang Barat holds the one group outside the demonstration).
        let bone = env.page("/regions/73.08", None).await;
        assert_eq!(bone.status, StatusCode::OK, "{name}");
        let map = &bone.text[bone.text.find("id=\"peta\"").unwrap()..];
        let codes = shape_codes(map);
        assert_eq!(codes.len(), 27, "{name}");
        assert!(fill_of(map, KECAMATAN).starts_with('#'), "{name}");
        assert_eq!(fill_of(map, "73.08.01"), "url(#peta-nodata)", "{name}");
        assert!(
            map.contains("Kelompok tercatat — Kabupaten Bone"),
            "{name}: the map's title"
        );
        assert!(!map.contains("Kabupaten Kabupaten"), "{name}");
        // The country: every province drawn, Kalimantan Selatan from its kabupaten.
        let home = env.page("/", None).await;
        let map = &home.text[home.text.find("id=\"peta\"").unwrap()..];
        let codes = shape_codes(map);
        assert_eq!(codes.len(), 38, "{name}: {codes:?}");
        assert!(codes.iter().any(|c| c == "63"), "{name}");
        // A village has no map.
        let village = env.page("/regions/73.08.21.1001", None).await;
        assert!(!village.text.contains("id=\"peta\""), "{name}");
        // A kecamatan whose villages have no shipped boundary: points, and it says so.
        let aceh = env.page("/regions/11.01.01", None).await;
        assert!(
            aceh.text.contains("digambar sebagai titik di pusatnya:"),
            "{name}"
        );
        assert!(aceh.text.contains("<circle"), "{name}");
    }
}

#[tokio::test]
async fn map_svg_and_measures_geojson_through_the_api() {
    for env in envs().await {
        let name = env.name;
        let svg = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{KECAMATAN}/map.svg?measure=coverage"),
                None,
                None,
            )
            .await;
        assert_eq!(svg.status, StatusCode::OK, "{name}: {}", svg.text);
        assert!(
            svg.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("image/svg+xml"),
            "{name}"
        );
        assert!(
            svg.text
                .starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{name}"
        );
        assert_eq!(shape_codes(&svg.text).len(), 8, "{name}");
        assert!(svg.text.contains("Cakupan pendataan"), "{name}");
        let bad = env
            .api(
                Method::GET,
                "/api/v1/regions/nasional/map.svg?measure=f9&lang=en",
                None,
                None,
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(
            bad.text.contains("one of groups, per_village"),
            "{name}: {}",
            bad.text
        );
        let national = env
            .api(Method::GET, "/api/v1/regions/nasional/map.svg", None, None)
            .await;
        assert_eq!(national.status, StatusCode::OK, "{name}");
        assert_eq!(shape_codes(&national.text).len(), 38, "{name}");
        let village = env
            .api(
                Method::GET,
                "/api/v1/regions/73.08.21.1001/map.svg",
                None,
                None,
            )
            .await;
        assert_eq!(village.status, StatusCode::NOT_FOUND, "{name}");

        let gj = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{KECAMATAN}/measures.geojson"),
                None,
                None,
            )
            .await;
        assert_eq!(gj.status, StatusCode::OK, "{name}");
        assert_eq!(gj.headers[header::CONTENT_TYPE], "application/geo+json");
        let v = gj.json();
        let features = v["features"].as_array().unwrap();
        assert_eq!(features.len(), 8, "{name}");
        // The numbers are the profile's: the villages' recorded groups add up to the
        // kecamatan's, and each share is a fraction.
        let profile = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{KECAMATAN}/profile"),
                None,
                None,
            )
            .await
            .json();
        let sum: u64 = features
            .iter()
            .map(|f| f["properties"]["groups_recorded"].as_u64().unwrap())
            .sum();
        assert_eq!(sum, profile["groups_recorded"].as_u64().unwrap(), "{name}");
        for f in features {
            assert_eq!(f["geometry"]["type"], "Polygon", "{name}");
            let f1 = f["properties"]["f1"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&f1), "{name}");
        }
        // No personal data: only codes, names of regions and numbers.
        assert!(!gj.text.contains("K-73"), "{name}");
    }
}

#[tokio::test]
async fn boundaries_loaded_are_drawn_and_a_bad_file_writes_nothing() {
    for env in envs().await {
        let name = env.name;
        // A square for one kelurahan, far from its real shape, loaded into the database.
        let square = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"73.08.21.1001"},"geometry":{"type":"Polygon","coordinates":[[[120.30,-4.60],[120.31,-4.60],[120.31,-4.59],[120.30,-4.59],[120.30,-4.60]]]}}]}"#;
        let bad = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"73.08.21.1002"},"geometry":{"type":"Polygon","coordinates":[[[120.30,-4.60],[120.31,-4.60],[120.31,-4.59],[120.30,-4.59],[120.30,-4.60]]]}},{"type":"Feature","properties":{"code":"99.99"},"geometry":{"type":"Point","coordinates":[120.3,-4.6]}}]}"#;
        let refused = service::boundaries::import(&env.store, &Caller::cli(), bad, "bad.geojson")
            .await
            .unwrap()
            .unwrap_err();
        let lines = refused.messages(wahana_domain::Lang::Id);
        assert_eq!(lines.len(), 2, "{name}: {lines:?}");
        assert!(
            lines[0].starts_with("fitur 2 (99.99): properties.code"),
            "{name}"
        );
        assert!(lines[1].contains("geometry.type"), "{name}");
        assert!(
            env.store.boundary_counts().await.unwrap().is_empty(),
            "{name}: the good feature was not written either"
        );
        // A viewer may not load boundaries.
        let viewer = wahana::service::users::Principal {
            id: 1,
            name: "viewer".into(),
            role: wahana::service::users::Role::Viewer,
            region: Some(KECAMATAN.parse().unwrap()),
        };
        let denied = service::boundaries::import(
            &env.store,
            &Caller::web(Some(&viewer)),
            square,
            "s.geojson",
        )
        .await;
        assert!(
            matches!(denied, Err(service::ServiceError::Forbidden { .. })),
            "{name}"
        );

        let before = env
            .page("/api/v1/regions/73.08.21/map.svg", None)
            .await
            .text;
        let done = service::boundaries::import(&env.store, &Caller::cli(), square, "s.geojson")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(done.features, 1, "{name}");
        let after = env
            .page("/api/v1/regions/73.08.21/map.svg", None)
            .await
            .text;
        assert_ne!(before, after, "{name}: the loaded shape is drawn");
        let gj = env
            .page("/api/v1/regions/73.08.21/measures.geojson", None)
            .await
            .json();
        let first = &gj["features"][0];
        assert_eq!(first["properties"]["code"], "73.08.21.1001");
        assert_eq!(
            first["geometry"]["coordinates"][0][0],
            serde_json::json!([120.3, -4.6]),
            "{name}"
        );
        let lines = service::boundaries::coverage(&env.store).await.unwrap();
        let v73 = lines
            .iter()
            .find(|l| l.province.as_deref() == Some("73"))
            .unwrap();
        assert_eq!(
            (v73.loaded, v73.shipped, v73.regions),
            (1, 3056, 3059),
            "{name}"
        );
        // The import is in the audit trail.
        assert!(
            super::harness::audit_rows(&env).await > 0,
            "{name}: audited"
        );
    }
}

#[tokio::test]
async fn the_report_carries_the_map() {
    for env in envs().await {
        let name = env.name;
        let html = env
            .page(&format!("/regions/{KECAMATAN}/report?format=html"), None)
            .await;
        assert_eq!(html.status, StatusCode::OK, "{name}");
        assert!(html.text.contains("<section class=\"map\">"), "{name}");
        assert_eq!(shape_codes(&html.text).len(), 8, "{name}");
        // No links in a report file.
        let map = &html.text[html.text.find("<section class=\"map\">").unwrap()..];
        let map = &map[..map.find("</section>").unwrap()];
        assert!(!map.contains("<a href"), "{name}");

        let xlsx = env
            .page(&format!("/regions/{KECAMATAN}/report?format=xlsx"), None)
            .await;
        assert_eq!(xlsx.status, StatusCode::OK, "{name}");
        // Read back by another library: the map sheet and its picture.
        let path = env.dir.path().join("r.xlsx");
        std::fs::write(&path, &xlsx.bytes).unwrap();
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        assert!(wb.sheet_names().contains(&"Peta".to_string()), "{name}");
        let sheet = wb.worksheet_range("Peta").unwrap();
        let names: Vec<String> = sheet.rows().skip(3).map(|r| r[1].to_string()).collect();
        assert_eq!(names.len(), 8, "{name}: {names:?}");
        let zip = zip::ZipArchive::new(std::io::Cursor::new(&xlsx.bytes)).unwrap();
        let png: Vec<String> = zip
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.to_string())
            .filter(|n| n.ends_with(".png"))
            .collect();
        assert_eq!(png.len(), 1, "{name}: the map as a picture");
    }
}

#[tokio::test]
async fn the_network_page_places_the_actors_on_the_kecamatan_map() {
    for env in envs().await {
        let name = env.name;
        let plain = env
            .page(&format!("/regions/{KECAMATAN}/network"), Some("officer"))
            .await;
        assert_eq!(plain.status, StatusCode::OK, "{name}");
        assert!(
            plain.text.contains("layout=peta\">di peta</a>"),
            "{name}: the map layout is offered"
        );
        let on_map = env
            .page(
                &format!("/regions/{KECAMATAN}/network?layout=peta"),
                Some("officer"),
            )
            .await;
        assert_eq!(on_map.status, StatusCode::OK, "{name}: {}", on_map.text);
        let figure = &on_map.text[on_map.text.find("<figure class=\"network\">").unwrap()..];
        let figure = &figure[..figure.find("</figure>").unwrap()];
        // The eight kelurahan under the actors, and the actors drawn one by one (the
        // force-directed drawing of the same 439 actors is only a summary).
        assert_eq!(shape_codes(figure).len(), 8, "{name}");
        assert!(figure.matches("<circle").count() > 300, "{name}");
        assert!(
            !plain.text.contains("<circle cx"),
            "{name}: the summary has no nodes"
        );
        assert!(
            figure.contains("Wahana"),
            "{name}: brokers named for a reader"
        );
        // The public sees the same placement with every actor by kind and number only.
        let public = env
            .page(&format!("/regions/{KECAMATAN}/network?layout=peta"), None)
            .await;
        assert_eq!(public.status, StatusCode::OK, "{name}");
        assert!(!public.text.contains("WKSBM Kelurahan"), "{name}");
        assert!(!public.text.contains("Kantor Kelurahan"), "{name}");
        assert!(public.text.contains("Tampilan umum"), "{name}");
        // A village's network has no map layout.
        let village = env
            .page("/regions/73.08.21.1001/network", Some("officer"))
            .await;
        assert!(!village.text.contains("layout=peta"), "{name}");
    }
}
