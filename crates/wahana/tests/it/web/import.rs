//! Imports through the API and the import page: every problem reported, an officer's import
//! held to their region, the size limits and broken forms, uploads removed or expired, and a
//! demonstration load that stops part way.

use super::harness::{INSIDE, audit_rows, audited, envs};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use wahana::service;
use wahana_domain::RegionCode;

#[tokio::test]
async fn import_through_the_api_reports_every_problem() {
    for env in envs().await {
        let n = env.name;
        let csv = format!(
            "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n{INSIDE},Arisan Impor,arisan,tumbuh_masyarakat,1990,2026-01-05\n{INSIDE},Rusak,bukan_jenis,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let send = |dry: bool, body: String| {
            Request::builder()
                .method(Method::POST)
                .uri(format!("/api/v1/import?filename=k.csv&dry_run={dry}"))
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", env.sessions["admin"].0),
                )
                .body(Body::from(body))
                .unwrap()
        };
        let mut rows = audit_rows(&env).await;
        let r = env.send(send(true, csv.clone())).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["rows"], 2, "{n}");
        assert_eq!(j["rejected"], 1, "{n}");
        assert_eq!(j["committed"], false);
        assert!(j["problems"][0]["field"] == "jenis", "{n}: {j}");
        assert_eq!(
            audit_rows(&env).await,
            rows,
            "{n}: a dry run is not audited"
        );
        // Refused whole (one bad row): nothing written, no entry.
        let r = env.send(send(false, csv.clone())).await.json();
        assert_eq!(r["committed"], false, "{n}: {r}");
        assert_eq!(
            audit_rows(&env).await,
            rows,
            "{n}: a refused import is not audited"
        );
        let good: String = csv.lines().take(2).map(|l| format!("{l}\n")).collect();
        let res = env.send(send(false, good)).await;
        let r = res.json();
        audited(&env, &mut rows, res, StatusCode::OK, 1, "import").await;
        assert_eq!(r["committed"], true, "{n}: {r}");
        assert_eq!(r["written"], 1);
        // The one entry is the committed report, under the upload's name, by who sent it.
        let trail = env.store.audit_of("impor", "k.csv", 10).await.unwrap();
        assert_eq!(trail.len(), 1, "{n}");
        assert_eq!(trail[0].action, "import", "{n}");
        assert_eq!(trail[0].actor, "api:admin", "{n}");
        let after: serde_json::Value =
            serde_json::from_str(trail[0].after.as_deref().unwrap()).unwrap();
        assert_eq!(after["committed"], true, "{n}: {after}");
        assert_eq!(after["written"], 1, "{n}: {after}");
        assert_eq!(after["file"], "k.csv", "{n}: {after}");
    }
}

/// An officer's import is held to their region: rows, held records and tie ends outside it
/// are problems with row, column, value and what was expected; nothing of the file is written.
#[tokio::test]
async fn officer_import_is_held_to_their_region() {
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        // One row inside, one outside: the file is refused whole.
        let csv = format!(
            "{header}\n{INSIDE},Arisan Dalam,arisan,tumbuh_masyarakat,1990,2026-01-05\n{},Arisan Luar,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
            env.away_village
        );
        let j = env
            .import_api(Some("officer"), "k.csv", &csv, false)
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(j["rows"], 2, "{n}");
        assert_eq!(j["rejected"], 1, "{n}");
        let p = &j["problems"][0];
        assert_eq!(
            (&p["code"], &p["row"], &p["column"], &p["field"]),
            (
                &json!("outside_region"),
                &json!(3),
                &json!("A"),
                &json!("kode_wilayah")
            ),
            "{n}: {j}"
        );
        assert_eq!(p["value"], env.away_village.as_str(), "{n}");
        assert_eq!(
            p["expected_en"], "a village inside Tanete Riattang (73.08.21)",
            "{n}: {j}"
        );
        assert_eq!(env.groups_named("Arisan Dalam").await, 0, "{n}");
        // The same file from an admin is written.
        let j = env
            .import_api(Some("admin"), "k.csv", &csv, false)
            .await
            .json();
        assert_eq!(j["committed"], true, "{n}: {j}");
        assert_eq!(j["written"], 2, "{n}");
        assert_eq!(j["file"], "k.csv", "{n}: the server's path is not shown");

        // A row naming a group held outside, moved into the region: refused on its id.
        let csv = format!(
            "id,{header}\n{},{INSIDE},Arisan Pindah,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
            env.away_group
        );
        let j = env
            .import_api(Some("officer"), "k.csv", &csv, false)
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(j["problems"][0]["field"], "id", "{n}: {j}");
        assert_eq!(j["problems"][0]["column"], "A", "{n}: {j}");
        assert!(
            j["problems"][0]["expected_en"]
                .as_str()
                .unwrap()
                .contains(&format!("held in {}", env.away_village)),
            "{n}: {j}"
        );
        // An institution of the regency, above the officer's district.
        let j = env
            .import_api(
                Some("officer"),
                "l.csv",
                "id,kode_wilayah,jenis_lembaga,nama\nL-UJI-IMPOR,73.08,dinas_sosial,Dinas Sosial Bone\n",
                false,
            )
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(
            j["problems"][0]["expected_id"], "wilayah di dalam Tanete Riattang (73.08.21)",
            "{n}: {j}"
        );
        // Ties: both ends inside is written; an end outside is a problem on its column.
        let (a, _) = env.group_in(INSIDE).await;
        let (b, _) = env.group_in("73.08.21.1007").await;
        let ties = format!(
            "dari,ke,jenis_ikatan\n{a},{b},kegiatan_bersama\n{a},{},rujukan\n",
            env.away_group
        );
        let j = env
            .import_api(Some("officer"), "i.csv", &ties, false)
            .await
            .json();
        assert_eq!(j["committed"], false, "{n}: {j}");
        assert_eq!(j["rejected"], 1, "{n}: {j}");
        assert_eq!(
            (&j["problems"][0]["row"], &j["problems"][0]["field"]),
            (&json!(3), &json!("ke")),
            "{n}: {j}"
        );
        let inside_only: String = ties.lines().take(2).map(|l| format!("{l}\n")).collect();
        let j = env
            .import_api(Some("officer"), "i.csv", &inside_only, false)
            .await
            .json();
        assert_eq!(j["committed"], true, "{n}: {j}");
        assert!(
            env.store
                .ties_of(&a)
                .await
                .unwrap()
                .iter()
                .any(|t| t.tie.to == b),
            "{n}"
        );
        // The officer's import is in the region's trail.
        let trail = env
            .store
            .audit_in(&RegionCode::parse("73.08.21").unwrap(), 20, 0)
            .await
            .unwrap();
        assert!(
            trail
                .iter()
                .any(|e| e.entity_kind == "impor" && e.actor == "api:officer"),
            "{n}"
        );

        // The page says where the officer may import and lists the problem as the CLI does.
        let page = env.page("/import", Some("officer")).await;
        assert!(
            page.text.contains("Kecamatan Tanete Riattang (73.08.21)"),
            "{n}"
        );
        let csv = format!(
            "{header}\n{},Arisan Luar Lagi,arisan,tumbuh_masyarakat,1990,2026-01-05\n",
            env.away_village
        );
        let r = env
            .upload(
                "/import?lang=en",
                Some("officer"),
                &[],
                Some(("k.csv", &csv)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            r.text.contains(&format!(
                "row 2, column A: kode_wilayah: &#34;{}&#34; is not valid; expected a village inside Tanete Riattang (73.08.21)",
                env.away_village
            )),
            "{n}: {}",
            r.text
        );
        assert!(!r.text.contains("name=\"confirm\""), "{n}: no confirmation");
        // Enumerators, viewers and anonymous visitors may not import.
        for who in [Some("enumerator"), Some("viewer"), None] {
            let r = env.import_api(who, "k.csv", &csv, true).await;
            let expect = if who.is_some() { 403 } else { 401 };
            assert_eq!(r.status.as_u16(), expect, "{n} {who:?}");
        }
    }
}

/// The import page takes what the API takes: a file over 2 MB is checked, one over the limit
/// gets 413 and a broken form 400, each with a message; a file name past what a file system
/// holds is shortened, on both imports.
#[tokio::test]
async fn import_page_size_limit_broken_forms_and_long_names() {
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        let mut csv = format!("{header}\n");
        let mut i = 0;
        while csv.len() < 3 * 1024 * 1024 {
            csv.push_str(&format!(
                "{INSIDE},Arisan Besar {i},arisan,tumbuh_masyarakat,1990,2026-01-05\n"
            ));
            i += 1;
        }
        let r = env
            .upload("/import", Some("officer"), &[], Some(("besar.csv", &csv)))
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{n}: {}",
            &r.text[..r.text.len().min(800)]
        );
        assert!(r.text.contains("name=\"confirm\""), "{n}: a clean dry run");
        assert_eq!(env.uploads_waiting(), 1, "{n}");

        let too_big = vec![b'x'; wahana::web::pages::import::UPLOAD_LIMIT + 1];
        let body = env.multipart(Some("officer"), &[], Some(("k.csv", &too_big)));
        drop(too_big);
        let r = env
            .upload_body("/import?lang=en", Some("officer"), body)
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{n}: {}", r.text);
        assert!(r.text.contains("at most 64 MB"), "{n}: {}", r.text);
        assert_eq!(env.uploads_waiting(), 1, "{n}: the part written is removed");

        let mut broken = env.multipart(Some("officer"), &[], Some(("k.csv", b"nama\nx\n")));
        broken.truncate(broken.len() - 30);
        let r = env.upload_body("/import", Some("officer"), broken).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{n}: {}", r.text);
        assert!(
            r.text.contains("permintaan tidak dapat dibaca"),
            "{n}: {}",
            r.text
        );
        assert_eq!(env.uploads_waiting(), 1, "{n}: nothing left of it");

        let long = format!("{}.csv", "k".repeat(300));
        let small = format!(
            "{header}\n{INSIDE},Arisan Nama Panjang,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let r = env
            .upload("/import", Some("officer"), &[], Some((&long, &small)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert!(r.text.contains(&format!("{}.csv:", "k".repeat(96))), "{n}");
        let r = env.import_api(Some("officer"), &long, &small, true).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(r.json()["file"], format!("{}.csv", "k".repeat(96)), "{n}");
    }
}

/// Uploads are not left behind: a confirmed import removes its file, a clean dry run keeps it
/// for its confirmation and a refused one for the download of its rejected rows, until they
/// expire; the API keeps nothing.
#[tokio::test]
async fn uploads_are_removed_when_refused_and_expire_unconfirmed() {
    use std::time::SystemTime;
    use wahana::web::pages::import::{UPLOAD_TTL, sweep_uploads};
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        let bad =
            format!("{header}\n{INSIDE},Arisan Salah,arisan,tumbuh_masyarakat,1990,kemarin\n");
        let r = env
            .upload("/import", Some("officer"), &[], Some(("k.csv", &bad)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(!r.text.contains("name=\"confirm\""), "{n}: refused");
        assert_eq!(
            env.uploads_waiting(),
            1,
            "{n}: a refused upload is kept for its rejected rows"
        );
        let r = env.import_api(Some("officer"), "k.csv", &bad, true).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert_eq!(env.uploads_waiting(), 1, "{n}: the API keeps nothing");

        let good =
            format!("{header}\n{INSIDE},Arisan Tunggu,arisan,tumbuh_masyarakat,1990,2026-01-05\n");
        for _ in 0..2 {
            let r = env
                .upload("/import", Some("officer"), &[], Some(("k.csv", &good)))
                .await;
            assert!(r.text.contains("name=\"confirm\""), "{n}: clean");
        }
        assert_eq!(env.uploads_waiting(), 3, "{n}: kept for confirmation");
        let token = {
            let r = env
                .upload("/import", Some("officer"), &[], Some(("k.csv", &good)))
                .await;
            r.confirm_token().expect("a confirmation")
        };
        assert_eq!(env.uploads_waiting(), 4, "{n}");
        let r = env
            .upload("/import", Some("officer"), &[("confirm", &token)], None)
            .await;
        assert!(r.text.contains("ditulis"), "{n}: {}", r.text);
        assert_eq!(
            env.uploads_waiting(),
            3,
            "{n}: a confirmed upload is removed"
        );

        // Expiry: fresh uploads stay, old ones go, and nothing else in the directory.
        std::fs::write(env.uploads.join("not-an-upload"), "x").unwrap();
        let past = SystemTime::now() - UPLOAD_TTL;
        assert_eq!(sweep_uploads(&env.uploads, past), 0, "{n}");
        assert_eq!(env.uploads_waiting(), 4, "{n}");
        let later = SystemTime::now() + UPLOAD_TTL;
        assert_eq!(sweep_uploads(&env.uploads, later), 3, "{n}");
        assert_eq!(env.uploads_waiting(), 1, "{n}: only the other file is left");
    }
}

/// Issue 11, point 11: a demonstration load that stops part way leaves the database as it was.
#[tokio::test]
async fn a_demo_load_that_fails_part_way_writes_nothing() {
    for env in envs().await {
        let n = env.name;
        let before = env.store.counts().await.unwrap();
        let waves = env.store.waves().await.unwrap().len();
        let r = service::demo::load(
            &env.store,
            service::demo::Scale::Tanete,
            wahana_domain::demo::DEFAULT_SEED + 1,
            &|done, _| {
                anyhow::ensure!(done == 0, "stopped after {done} villages");
                Ok(())
            },
        )
        .await;
        assert!(r.is_err(), "{n}");
        let after = env.store.counts().await.unwrap();
        assert_eq!(format!("{after:?}"), format!("{before:?}"), "{n}");
        assert_eq!(env.store.waves().await.unwrap().len(), waves, "{n}");
        // The group added to the demonstration wave by hand is still there.
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{}", env.away_group),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
    }
}
