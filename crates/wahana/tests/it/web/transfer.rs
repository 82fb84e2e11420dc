//! Exports and templates from the web and the API: a region's table in the Indonesian Excel
//! CSV dialect imported back unchanged, personal columns blank for those who may not see them,
//! the blank XLSX template (drop-down lists, codebook) filled in and imported, and every record
//! of an import naming the import its audit entry describes.

use super::harness::{INSIDE, envs, new_group};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use calamine::Reader;
use std::io::Read;
use wahana::instrument::template;
use wahana_domain::RegionCode;
use wahana_domain::instrument::{Table, columns};

/// `POST /api/v1/import` of raw bytes as `who`.
fn import_request(token: &str, name: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/import?filename={name}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn region_export_in_the_excel_dialect_round_trips_and_hides_personal_data() {
    for env in envs().await {
        let n = env.name;
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("admin"),
                Some(new_group(INSIDE, "Arisan Ekspor Dialek")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let uri =
            format!("/api/v1/regions/{INSIDE}/export?table=kelompok&format=csv&dialect=excel-id");

        let full = env.api(Method::GET, &uri, Some("admin"), None).await;
        assert_eq!(full.status, StatusCode::OK, "{n}: {}", full.text);
        assert!(
            full.headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment;"),
            "{n}"
        );
        assert!(full.bytes.starts_with("\u{feff}".as_bytes()), "{n}: a BOM");
        let text = full.text.trim_start_matches('\u{feff}');
        let header_line = text.split("\r\n").next().unwrap();
        let expected: Vec<&str> = columns(Table::Groups).iter().map(|c| c.id).collect();
        assert_eq!(header_line, expected.join(";"), "{n}");
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "{n}: every line ends with CRLF"
        );
        assert!(
            text.contains("Ibu Rahasia") && text.contains("081234567890"),
            "{n}"
        );
        let data_rows = text.split("\r\n").filter(|l| !l.is_empty()).count() - 1;
        assert!(data_rows > 1, "{n}");

        // A viewer of the region reads the records, not their personal columns.
        let viewer = env.api(Method::GET, &uri, Some("viewer"), None).await;
        assert_eq!(viewer.status, StatusCode::OK, "{n}: {}", viewer.text);
        assert!(viewer.text.contains("Arisan Ekspor Dialek"), "{n}");
        assert!(
            !viewer.text.contains("Ibu Rahasia") && !viewer.text.contains("081234567890"),
            "{n}: personal data given to a viewer"
        );
        // Nobody signed in, and an officer of another district, get nothing.
        let anon = env.api(Method::GET, &uri, None, None).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{n}");
        let away = env.api(Method::GET, &uri, Some("officer_away"), None).await;
        assert_eq!(away.status, StatusCode::NOT_FOUND, "{n}");
        // The page answers with the same file.
        let page = env
            .page(
                &format!("/regions/{INSIDE}/export?table=kelompok&format=csv&dialect=excel-id"),
                Some("admin"),
            )
            .await;
        assert_eq!(page.status, StatusCode::OK, "{n}");
        assert!(page.bytes.starts_with("\u{feff}".as_bytes()), "{n}");

        // Imported back: every row accepted, the same records (updated, none new).
        let before = env.groups_named("Arisan Ekspor Dialek").await;
        let r = env
            .send(import_request(
                &env.sessions["admin"].0,
                "ekspor.csv",
                full.bytes.clone(),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["committed"], true, "{n}: {j}");
        assert_eq!(j["rows"], data_rows as u64, "{n}: {j}");
        assert_eq!(j["rejected"], 0, "{n}: {j}");
        assert_eq!(j["written"], data_rows as u64, "{n}: {j}");
        assert_eq!(
            env.groups_named("Arisan Ekspor Dialek").await,
            before,
            "{n}"
        );

        // An XLSX export of the same table reads back with the same header.
        let x = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{INSIDE}/export?table=lembaga&format=xlsx"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(x.status, StatusCode::OK, "{n}: {}", x.text);
        let mut book =
            calamine::open_workbook_auto_from_rs(std::io::Cursor::new(x.bytes.clone())).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let head: Vec<String> = sheet
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let expected: Vec<&str> = columns(Table::Institutions).iter().map(|c| c.id).collect();
        assert_eq!(head, expected, "{n}");
    }
}

/// The sheets, the first sheet's header and the data validations of a template.
fn read_template(bytes: &[u8]) -> (Vec<String>, Vec<String>, Vec<Vec<String>>, String) {
    let mut book =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let names = book.sheet_names().to_vec();
    let data = book.worksheet_range_at(0).unwrap().unwrap();
    let head = data
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let kode = book.worksheet_range(template::CODEBOOK_SHEET).unwrap();
    let codebook = kode
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    (names, head, codebook, xml)
}

#[tokio::test]
async fn template_has_drop_downs_and_a_codebook_and_imports_once_filled() {
    for env in envs().await {
        let n = env.name;
        let r = env
            .api(
                Method::GET,
                "/api/v1/template?table=kelompok&region=73.08.21",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let (names, head, codebook, xml) = read_template(&r.bytes);
        assert_eq!(names, ["kelompok", template::CODEBOOK_SHEET], "{n}");
        let expected: Vec<&str> = columns(Table::Groups).iter().map(|c| c.id).collect();
        assert_eq!(head, expected, "{n}");
        assert_eq!(
            codebook[0],
            ["kolom", "kode", "label_id", "label_en"],
            "{n}"
        );
        assert!(
            codebook
                .iter()
                .any(|r| r[0] == "jenis" && r[1] == "arisan" && r[2] == "Arisan"),
            "{n}"
        );
        assert!(
            codebook
                .iter()
                .any(|r| r[0] == "kode_wilayah" && r[1] == INSIDE),
            "{n}: the region's villages are listed"
        );
        // One validation per coded column, and one for kode_wilayah: lists on the
        // single-valued ones, input messages on the multi-valued ones.
        let coded = template::coded_columns(Table::Groups);
        assert_eq!(
            xml.matches("<dataValidation ").count(),
            coded.len() + 1,
            "{n}: {xml}"
        );
        let lists = coded.iter().filter(|c| !c.multi).count() + 1;
        assert_eq!(xml.matches("type=\"list\"").count(), lists, "{n}");
        assert!(xml.contains("kode!$B$"), "{n}");

        // The pages give the same workbook.
        for uri in [
            "/template?table=lembaga",
            "/regions/73.08.21/template?table=ikatan",
        ] {
            let p = env.page(uri, None).await;
            assert_eq!(p.status, StatusCode::OK, "{n}: {uri}");
            assert!(p.bytes.starts_with(b"PK"), "{n}: {uri}");
        }
        let bad = env
            .api(Method::GET, "/api/v1/template?table=meja", None, None)
            .await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{n}");

        // Filled in as a person would, the template imports unchanged; the record names the
        // import its audit entry describes.
        let mut row = vec![String::new(); expected.len()];
        for (field, value) in [
            ("kode_wilayah", INSIDE),
            ("nama", "Arisan Templat"),
            ("jenis", "arisan"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1999"),
            ("tujuan", "ketahanan_sosial ekonomi"),
            ("telepon", "081299990000"),
            ("tanggal_pendataan", "2026-02-01"),
        ] {
            let i = expected.iter().position(|c| *c == field).unwrap();
            row[i] = value.to_string();
        }
        let region = RegionCode::parse("73.08.21").unwrap();
        let filled =
            template::write_template_with_rows(Table::Groups, Some(&region), &[row]).unwrap();
        let r = env
            .send(import_request(
                &env.sessions["admin"].0,
                "templat.xlsx",
                filled,
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["committed"], true, "{n}: {j}");
        assert_eq!(j["written"], 1, "{n}: {j}");
        let import_id = j["import_id"].as_str().unwrap().to_string();
        assert_eq!(import_id.len(), 16, "{n}");
        assert_eq!(env.groups_named("Arisan Templat").await, 1, "{n}");

        let trail = env
            .store
            .audit_of("impor", "templat.xlsx", 10)
            .await
            .unwrap();
        assert_eq!(trail.len(), 1, "{n}");
        assert_eq!(trail[0].actor, "api:admin", "{n}");
        let after: serde_json::Value =
            serde_json::from_str(trail[0].after.as_deref().unwrap()).unwrap();
        assert_eq!(after["import_id"], import_id.as_str(), "{n}: {after}");
        assert_eq!(after["written"], 1, "{n}: {after}");
        assert_eq!(after["file"], "templat.xlsx", "{n}: {after}");

        let list = env
            .api(
                Method::GET,
                &format!("/api/v1/groups?region={INSIDE}&name=Arisan%20Templat"),
                Some("admin"),
                None,
            )
            .await
            .json();
        let id = list["items"][0]["id"].as_str().unwrap();
        let g = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{id}"),
                Some("admin"),
                None,
            )
            .await
            .json();
        let provenance: serde_json::Value =
            serde_json::from_str(g["provenance"].as_str().unwrap()).unwrap();
        assert_eq!(provenance["impor"], import_id.as_str(), "{n}: {provenance}");
        assert_eq!(provenance["berkas"], "templat.xlsx", "{n}");
        assert_eq!(provenance["baris"], 2, "{n}");
        assert_eq!(g["phone"], "081299990000", "{n}: {g}");
    }
}

/// The import page offers what the command line does: a file with rejected rows gives their
/// download (same columns, with the reason) and a button writing only the clean rows.
#[tokio::test]
async fn import_page_writes_the_clean_rows_and_gives_the_rejected_ones() {
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        let csv = format!(
            "{header}\n{INSIDE},Arisan Bersih Satu,arisan,tumbuh_masyarakat,1990,2026-01-05\n{INSIDE},Arisan Rusak,bukan_jenis,tumbuh_masyarakat,1990,2026-01-05\n{INSIDE},Arisan Bersih Dua,arisan,tumbuh_masyarakat,1991,2026-01-05\n"
        );
        let r = env
            .upload("/import", Some("officer"), &[], Some(("campur.csv", &csv)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert!(r.text.contains("id=\"accept-clean\""), "{n}: {}", r.text);
        let token = r
            .text
            .split("/import/")
            .nth(1)
            .and_then(|s| s.split("/rejects").next())
            .unwrap()
            .to_string();
        let rejected = env
            .page(&format!("/import/{token}/rejects"), Some("officer"))
            .await;
        assert_eq!(rejected.status, StatusCode::OK, "{n}");
        let lines: Vec<&str> = rejected.text.lines().collect();
        assert_eq!(lines.len(), 2, "{n}: {}", rejected.text);
        assert!(lines[0].starts_with(header), "{n}: {}", lines[0]);
        assert!(
            lines[1].contains("Arisan Rusak") && lines[1].contains("bukan_jenis"),
            "{n}"
        );
        // Nobody else gets it.
        let anon = env.page(&format!("/import/{token}/rejects"), None).await;
        assert_ne!(anon.status, StatusCode::OK, "{n}");
        assert_eq!(
            env.groups_named("Arisan Bersih").await,
            0,
            "{n}: nothing written yet"
        );

        let r = env
            .upload(
                "/import",
                Some("officer"),
                &[("confirm", &token), ("accept_clean", "1")],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(
            env.groups_named("Arisan Bersih").await,
            2,
            "{n}: {}",
            r.text
        );
        assert_eq!(env.groups_named("Arisan Rusak").await, 0, "{n}");
        let trail = env.store.audit_of("impor", "campur.csv", 10).await.unwrap();
        assert_eq!(trail.len(), 1, "{n}");
        assert_eq!(trail[0].actor, "web:officer", "{n}");
    }
}

/// The check of a file says which values it read otherwise than written (a phone that gained
/// its leading zero, a day-first date, a survey date outside the wave's period) as warnings
/// that do not stop the import, and previews the rows as they will be written; the API's
/// report carries the same.
#[tokio::test]
async fn import_check_warns_of_reinterpreted_values_and_previews_the_rows() {
    for env in envs().await {
        let n = env.name;
        let r = env
            .api(
                Method::POST,
                "/api/v1/waves",
                Some("admin"),
                Some(
                    serde_json::json!({"name": "Pendataan Agustus", "start_date": "2026-08-01",
                        "end_date": "2026-08-31", "method": "census"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan,telepon";
        let csv = format!(
            "{header}\n\
             {INSIDE},Arisan Nol Hilang,arisan,tumbuh_masyarakat,1990,2026-08-05,81234567890\n\
             {INSIDE},Arisan Tanggal Hari Dulu,arisan,tumbuh_masyarakat,1991,03/08/2026,\n\
             {INSIDE},Arisan Di Luar Masa,arisan,tumbuh_masyarakat,1992,2026-09-15,0812-0000-0003\n"
        );
        let r = env
            .upload(
                "/import",
                Some("officer"),
                &[("wave", "pendataan-agustus")],
                Some(("peringatan.csv", &csv)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let text = &r.text;
        assert!(text.contains("id=\"warnings\""), "{n}: {text}");
        assert!(
            text.contains(
                "baris 2, kolom G (telepon): nomor telepon 81234567890 dibaca sebagai 081234567890"
            ),
            "{n}: {text}"
        );
        assert!(
            text.contains(
                "baris 3, kolom F (tanggal_pendataan): tanggal 03/08/2026 dibaca hari lebih dulu: 3 Agustus 2026 (bukan 8 Maret 2026)"
            ),
            "{n}: {text}"
        );
        assert!(
            text.contains("baris 4, kolom F (tanggal_pendataan): tanggal pendataan 15 September 2026 di luar masa pendataan gelombang (1 Agustus 2026 – 31 Agustus 2026)"),
            "{n}: {text}"
        );
        // The preview: the values as they will be written, new ids marked.
        let preview = text
            .split("id=\"preview\"")
            .nth(1)
            .unwrap_or_else(|| panic!("{n}: no preview: {text}"));
        assert!(preview.contains("<th>telepon</th>"), "{n}: {preview}");
        assert!(preview.contains("<td>081234567890</td>"), "{n}: {preview}");
        assert!(preview.contains("<td>2026-08-03</td>"), "{n}: {preview}");
        assert!(
            !preview.contains("<th>id</th>"),
            "{n}: no id given, none shown"
        );
        // Warnings do not stop the import: the confirmation is offered, and writes all three.
        let token = r
            .confirm_token()
            .unwrap_or_else(|| panic!("{n}: no confirmation: {text}"));
        let r = env
            .upload(
                "/import",
                Some("officer"),
                &[("confirm", &token), ("wave", "pendataan-agustus")],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(
            env.groups_named("Arisan Nol Hilang").await,
            1,
            "{n}: {}",
            r.text
        );
        assert_eq!(env.groups_named("Arisan Di Luar Masa").await, 1, "{n}");
        let g = env
            .store
            .list_groups(&Default::default(), 1000, 0)
            .await
            .unwrap()
            .into_iter()
            .find(|g| g.group.name == "Arisan Nol Hilang")
            .unwrap()
            .group;
        assert_eq!(g.phone.as_deref(), Some("081234567890"), "{n}");

        // The API's report: warnings with their codes, counts by code, the preview.
        let token = &env.sessions["admin"].0;
        let csv2 = csv.replace("Arisan ", "Kelompok Lain ");
        let r = env
            .send(import_request(
                token,
                "peringatan.csv&wave=pendataan-agustus&dry_run=true",
                csv2.into_bytes(),
            ))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["warnings_total"], 3, "{n}: {j}");
        let codes: Vec<&str> = j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            ["phone_leading_zero", "day_first_date", "outside_wave"],
            "{n}"
        );
        assert_eq!(j["warning_counts"]["day_first_date"], 1, "{n}");
        assert_eq!(j["preview"]["rows"].as_array().unwrap().len(), 3, "{n}");
    }
}
