//! The inbox of submissions from ODK Collect: submissions arrive as a phone's do
//! (`service::odk::receive`, the OpenRosa handler's use case), then officers list, open, edit,
//! accept and reject them through the pages and the API.

use super::harness::{Env, INSIDE, envs, new_group};
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use wahana::service::{self, users};
use wahana_domain::RegionCode;
use wahana_store::NewFile;

/// The wave submissions are accepted into.
const WAVE: &str = "kiriman-2026";
/// The chair's name a submission carries: personal data.
const CHAIR: &str = "Ibu Ketua Rahasia Kiriman";

/// The answers of one form instance, as ODK Collect sends them (`xlsform.rs` `build()`).
fn instance(uuid: &str, name: &str, year: &str, jenis: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" id="wahana_kelompok" version="1 (2026)">
  <start>2026-11-01T09:00:00.000+08:00</start>
  <deviceid>collect:uji-{uuid}</deviceid>
  <pendataan><tanggal_pendataan>2026-11-01</tanggal_pendataan><pendata>Pendata Uji</pendata></pendataan>
  <wilayah><kecamatan>73.08.21</kecamatan><kode_wilayah>{INSIDE}</kode_wilayah></wilayah>
  <identitas><nama>{name}</nama><jenis>{jenis}</jenis><asal>tumbuh_masyarakat</asal><tahun_berdiri>{year}</tahun_berdiri></identitas>
  <keanggotaan><anggota_laki>5</anggota_laki><anggota_perempuan>12</anggota_perempuan><dasar_keanggotaan>domisili</dasar_keanggotaan></keanggotaan>
  <program><tujuan>ketahanan_sosial</tujuan><nilai>gotong_royong</nilai></program>
  <kelembagaan><ketua>{CHAIR}</ketua><telepon>081200001111</telepon></kelembagaan>
  <meta><instanceID>uuid:{uuid}</instanceID></meta>
</data>"#
    )
}

/// A signed-in person as the OpenRosa handler knows them.
async fn principal(env: &Env, who: &str) -> users::Principal {
    users::session(&env.store, &env.sessions[who].0)
        .await
        .unwrap()
        .unwrap()
        .0
}

/// Sends an instance from the enumerator's phone, with its attachments; its number.
async fn send(env: &Env, xml: &str, files: Vec<NewFile>) -> service::odk::Receipt {
    let person = principal(env, "enumerator").await;
    let region = RegionCode::parse("73.08.21").unwrap();
    service::odk::receive(&env.store, &person, &region, xml, files)
        .await
        .unwrap_or_else(|e| panic!("{}: the submission was refused: {e:?}", env.name))
}

/// The wave the tests accept into (open, 2026).
async fn add_wave(env: &Env) {
    let r = env
        .api(
            Method::POST,
            "/api/v1/waves",
            Some("admin"),
            Some(json!({"id": WAVE, "name": "Pendataan kiriman 2026", "start_date": "2026-10-01", "end_date": "2026-12-31"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}: {}", env.name, r.text);
}

async fn submission(env: &Env, id: i64) -> Value {
    let r = env
        .api(
            Method::GET,
            &format!("/api/v1/submissions/{id}"),
            Some("officer"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}: {}", env.name, r.text);
    r.json()
}

/// A small JPEG's first bytes (the server keeps them as sent).
const PHOTO: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00,
];

#[tokio::test]
async fn an_officer_lists_opens_and_accepts_a_submission_as_a_new_group() {
    for env in envs().await {
        let n = env.name;
        add_wave(&env).await;
        let name = "Arisan Kiriman Pertama";
        let receipt = send(
            &env,
            &instance("a1", name, "1990", "arisan"),
            vec![NewFile {
                name: "foto.jpg".into(),
                content_type: "image/jpeg".into(),
                bytes: PHOTO.to_vec(),
            }],
        )
        .await;
        assert!(receipt.created && receipt.auto_accepted.is_none(), "{n}");
        let id = receipt.id;

        // The officer's list shows it, pending, with its village and group name.
        let r = env.page("/regions/73.08.21/inbox", Some("officer")).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert!(r.text.contains(name), "{n}: {}", r.text);
        assert!(r.text.contains(&format!("/inbox/{id}")), "{n}");
        assert!(r.text.contains("Menunggu (1)"), "{n}: {}", r.text);
        // The region page links to it, with the count; the nav links to the officer's inbox.
        let r = env.page("/regions/73.08.21", Some("officer")).await;
        assert!(
            r.text.contains(
                r#"<a id="inbox-link" href="/regions/73.08.21/inbox">Kotak masuk kiriman (1)</a>"#
            ),
            "{n}: {}",
            r.text
        );
        assert!(
            r.text
                .contains(r#"<a href="/regions/73.08.21/inbox">Kotak masuk</a>"#),
            "{n}: the menu links to the officer's inbox"
        );
        let r = env.page("/regions/73.08.21", Some("viewer")).await;
        assert!(!r.text.contains("inbox-link"), "{n}");
        assert!(!r.text.contains("/inbox\">"), "{n}");
        // In English; by page; a status not known is a bad request.
        let r = env
            .page("/regions/73.08.21/inbox?lang=en&page=1", Some("officer"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(r.text.contains("Submissions inbox"), "{n}");
        assert!(
            r.text.contains("Pending (1)") && r.text.contains(name),
            "{n}"
        );
        let r = env
            .page("/regions/73.08.21/inbox?page=2", Some("officer"))
            .await;
        assert!(!r.text.contains(name), "{n}: page 2 is empty");
        let r = env
            .page("/regions/73.08.21/inbox?status=semua", Some("officer"))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{n}");
        // The whole country's inbox is the admins'.
        let r = env.page("/regions/nasional/inbox", Some("admin")).await;
        assert!(r.text.contains(name), "{n}");
        let r = env.page("/regions/nasional/inbox", Some("officer")).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let api = env
            .api(
                Method::GET,
                "/api/v1/regions/73.08.21/inbox",
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(api.status, StatusCode::OK, "{n}: {}", api.text);
        let j = api.json();
        assert_eq!(j["counts"]["pending"], 1, "{n}: {j}");
        assert_eq!(j["items"][0]["id"], id, "{n}");
        assert_eq!(j["items"][0]["name"], name, "{n}");

        // Opened: metadata, answers (with the chair: the officer sees personal data), the
        // attachment as a thumbnail, the accept and reject forms.
        let r = env.page(&format!("/inbox/{id}"), Some("officer")).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        for want in [
            "uuid:a1",
            "wahana_kelompok",
            "collect:uji-a1",
            "enumerator",
            "identitas/nama",
            CHAIR,
            &format!(r#"<img src="/inbox/{id}/files/foto.jpg""#),
            r#"id="accept-form""#,
            r#"id="reject-form""#,
            &format!(r#"<option value="{WAVE}""#),
        ] {
            assert!(r.text.contains(want), "{n}: {want} missing: {}", r.text);
        }
        let item = submission(&env, id).await;
        assert_eq!(item["status"], "pending", "{n}");
        assert!(
            item["problems"].as_array().unwrap().is_empty(),
            "{n}: {item}"
        );
        assert!(
            item["group"].is_object(),
            "{n}: the answers describe a group: {item}"
        );

        // The attachment: to readers only, inline, with its type.
        let r = env
            .page(&format!("/inbox/{id}/files/foto.jpg"), Some("officer"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(r.bytes, PHOTO, "{n}");
        assert_eq!(r.headers[header::CONTENT_TYPE], "image/jpeg", "{n}");
        let cd = r.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(cd.starts_with("inline; filename=\"foto.jpg\""), "{n}: {cd}");
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{n}");
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/submissions/{id}/files/foto.jpg"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert_eq!(r.bytes, PHOTO, "{n}");
        for (who, status) in [
            (None, 401),
            (Some("enumerator"), 403),
            (Some("viewer"), 403),
            (Some("officer_away"), 404),
        ] {
            let r = env.page(&format!("/inbox/{id}/files/foto.jpg"), who).await;
            assert_eq!(r.status.as_u16(), status, "{n} {who:?}: {}", r.text);
            assert_ne!(r.bytes, PHOTO, "{n} {who:?}");
        }
        let r = env
            .page(&format!("/inbox/{id}/files/lain.jpg"), Some("officer"))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");

        // Nobody else sees or decides it, and nothing they get carries the chair's name.
        for (who, list, page) in [
            (None, 401, 401),
            (Some("enumerator"), 403, 403),
            (Some("viewer"), 403, 403),
            (Some("officer_away"), 403, 404),
        ] {
            let r = env.page("/regions/73.08.21/inbox", who).await;
            assert_eq!(r.status.as_u16(), list, "{n} {who:?} list: {}", r.text);
            assert!(!r.text.contains(name), "{n} {who:?}");
            let r = env.page(&format!("/inbox/{id}"), who).await;
            assert_eq!(r.status.as_u16(), page, "{n} {who:?} page");
            assert!(!r.text.contains(CHAIR), "{n} {who:?}");
            let r = env
                .api(Method::GET, &format!("/api/v1/submissions/{id}"), who, None)
                .await;
            assert_eq!(r.status.as_u16(), page, "{n} {who:?} api");
            assert!(!r.text.contains(CHAIR), "{n} {who:?}");
            let r = env
                .api(
                    Method::POST,
                    &format!("/api/v1/submissions/{id}/accept"),
                    who,
                    Some(json!({"wave": WAVE, "target": "new"})),
                )
                .await;
            assert_eq!(r.status.as_u16(), page, "{n} {who:?} accept: {}", r.text);
            let r = env
                .api(
                    Method::POST,
                    &format!("/api/v1/submissions/{id}/reject"),
                    who,
                    Some(json!({"reason": "bukan urusan saya"})),
                )
                .await;
            assert_eq!(r.status.as_u16(), page, "{n} {who:?} reject: {}", r.text);
            if let Some(w) = who {
                let r = env
                    .form(
                        &format!("/inbox/{id}/accept"),
                        Some(w),
                        &[("wave", WAVE), ("target", "new")],
                        true,
                    )
                    .await;
                assert_eq!(r.status.as_u16(), page, "{n} {w} accept form");
            }
        }
        assert_eq!(submission(&env, id).await["status"], "pending", "{n}");
        assert_eq!(env.groups_named(name).await, 0, "{n}");

        // Accept as a new group: redirected to the submission, which names its group.
        let r = env
            .form(
                &format!("/inbox/{id}/accept"),
                Some("officer"),
                &[("wave", WAVE), ("target", "new")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(
            r.headers[header::LOCATION],
            format!("/inbox/{id}?accepted=1")
        );
        let item = submission(&env, id).await;
        assert_eq!(item["status"], "accepted", "{n}");
        assert_eq!(item["wave_id"], WAVE, "{n}");
        assert_eq!(item["decided_by"], "web:officer", "{n}");
        let gid = item["group_id"].as_str().unwrap().to_string();
        let r = env
            .page(&format!("/inbox/{id}?accepted=1"), Some("officer"))
            .await;
        assert!(
            r.text.contains(&format!("/groups/{gid}?wave={WAVE}")),
            "{n}"
        );
        assert!(r.text.contains("Diterima sebagai kelompok"), "{n}");
        assert!(!r.text.contains(r#"id="accept-form""#), "{n}");

        // The group exists in the wave, its page shows it, the profile counts it.
        assert_eq!(env.groups_named(name).await, 1, "{n}");
        let r = env
            .page(&format!("/groups/{gid}?wave={WAVE}"), Some("officer"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(r.text.contains(name), "{n}");
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{INSIDE}/profile?wave={WAVE}"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert_eq!(r.json()["groups_recorded"], 1, "{n}: {}", r.text);

        // The audit has the acceptance, by the officer.
        let audit = env
            .store
            .audit_of("kiriman", &id.to_string(), 10)
            .await
            .unwrap();
        assert!(
            audit.iter().any(|e| e.action == "accept"
                && e.actor == "web:officer"
                && e.after.as_deref().is_some_and(|a| a.contains(&gid))),
            "{n}: {audit:?}"
        );

        // A second acceptance, or a rejection, is a conflict; nothing more is written.
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/submissions/{id}/accept"),
                Some("officer"),
                Some(json!({"wave": WAVE, "target": "new"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "edit_conflict", "{n}");
        let r = env
            .form(
                &format!("/inbox/{id}/reject"),
                Some("officer"),
                &[("alasan", "terlambat")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        assert_eq!(env.groups_named(name).await, 1, "{n}");

        // Listed under accepted now.
        let r = env
            .page("/regions/73.08.21/inbox?status=accepted", Some("officer"))
            .await;
        assert!(r.text.contains(name), "{n}");
        assert!(r.text.contains("Menunggu (0)"), "{n}");
    }
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_stays_readable() {
    for env in envs().await {
        let n = env.name;
        let name = "Arisan Kiriman Ditolak";
        let id = send(&env, &instance("r1", name, "1990", "arisan"), Vec::new())
            .await
            .id;
        // Without a reason: the page again, the error beside the field, nothing changed.
        let r = env
            .form(
                &format!("/inbox/{id}/reject"),
                Some("officer"),
                &[("alasan", "  ")],
                true,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        let beside = r
            .text
            .split(r#"<div id="field-alasan" class="invalid">"#)
            .nth(1)
            .unwrap_or_else(|| panic!("{n}: no error beside the field: {}", r.text));
        assert!(
            beside
                .split("</div>")
                .next()
                .unwrap()
                .contains("wajib diisi"),
            "{n}: {beside}"
        );
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/submissions/{id}/reject"),
                Some("officer"),
                Some(json!({"reason": ""})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        assert_eq!(submission(&env, id).await["status"], "pending", "{n}");
        // Without a CSRF token: refused.
        let r = env
            .form(
                &format!("/inbox/{id}/reject"),
                Some("officer"),
                &[("alasan", "ganda")],
                false,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");

        // With a reason.
        let r = env
            .form(
                &format!("/inbox/{id}/reject"),
                Some("officer"),
                &[("alasan", "Kelompok ganda, sudah terdaftar")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let r = env.page(&format!("/inbox/{id}"), Some("officer")).await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(r.text.contains("Kelompok ganda, sudah terdaftar"), "{n}");
        assert!(r.text.contains("Ditolak"), "{n}");
        assert!(!r.text.contains(r#"id="reject-form""#), "{n}");
        let item = submission(&env, id).await;
        assert_eq!(item["status"], "rejected", "{n}");
        assert_eq!(item["reason"], "Kelompok ganda, sudah terdaftar", "{n}");
        assert_eq!(item["decided_by"], "web:officer", "{n}");
        assert_eq!(env.groups_named(name).await, 0, "{n}");
        // Decided: neither accepted nor rejected again.
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/submissions/{id}/accept"),
                Some("officer"),
                Some(json!({})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        let r = env
            .page("/regions/73.08.21/inbox?status=rejected", Some("officer"))
            .await;
        assert!(r.text.contains(name), "{n}");
        let r = env
            .api(
                Method::GET,
                "/api/v1/regions/73.08.21/inbox?status=rejected",
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.json()["counts"]["rejected"], 1, "{n}");
    }
}

#[tokio::test]
async fn an_edit_is_written_on_acceptance_and_problems_write_nothing() {
    for env in envs().await {
        let n = env.name;
        add_wave(&env).await;
        // An edit before accepting: only the changed value is kept, and it is what is written.
        let name = "Arisan Kiriman Disunting";
        let id = send(&env, &instance("e1", name, "1990", "arisan"), Vec::new())
            .await
            .id;
        let r = env
            .form(
                &format!("/inbox/{id}/edit"),
                Some("officer"),
                &[
                    ("a:identitas/tahun_berdiri", "1995"),
                    ("a:identitas/nama", name),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let item = submission(&env, id).await;
        let edited: Vec<&Value> = item["answers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| !a["edited"].is_null())
            .collect();
        assert_eq!(edited.len(), 1, "{n}: {item}");
        assert_eq!(edited[0]["path"], "identitas/tahun_berdiri", "{n}");
        assert_eq!(edited[0]["value"], "1990", "{n}");
        assert_eq!(edited[0]["edited"], "1995", "{n}");
        let r = env.page(&format!("/inbox/{id}"), Some("officer")).await;
        assert!(r.text.contains("<del>1990</del> <mark>1995</mark>"), "{n}");
        // A viewer may not edit.
        let r = env
            .api(
                Method::PUT,
                &format!("/api/v1/submissions/{id}/answers"),
                Some("viewer"),
                Some(json!({"identitas/tahun_berdiri": "2001"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/submissions/{id}/accept"),
                Some("officer"),
                Some(json!({"wave": WAVE, "target": "new"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let gid = r.json()["group_id"].as_str().unwrap().to_string();
        let g = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{gid}?wave={WAVE}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(g.status, StatusCode::OK, "{n}: {}", g.text);
        assert!(
            g.text.contains("1995") && !g.text.contains("1990"),
            "{n}: {}",
            g.text
        );

        // Problems (a year to come, a type not in the list): every one shown, nothing written.
        let bad = "Arisan Kiriman Bermasalah";
        let id = send(
            &env,
            &instance("p1", bad, "2990", "bukan_jenis"),
            Vec::new(),
        )
        .await
        .id;
        let r = env.page(&format!("/inbox/{id}"), Some("officer")).await;
        assert!(r.text.contains(r#"id="problems""#), "{n}: {}", r.text);
        let r = env
            .form(
                &format!("/inbox/{id}/accept"),
                Some("officer"),
                &[("wave", WAVE), ("target", "new")],
                true,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        let refused = r
            .text
            .split(r#"<div class="err" id="refused">"#)
            .nth(1)
            .unwrap_or_else(|| panic!("{n}: no problems shown: {}", r.text));
        assert!(refused.contains("tidak ada yang ditulis"), "{n}");
        for want in ["tahun_berdiri", "2990", "jenis", "bukan_jenis"] {
            assert!(refused.contains(want), "{n}: {want} missing: {refused}");
        }
        // In English too.
        let r = env
            .form(
                &format!("/inbox/{id}/accept?lang=en"),
                Some("officer"),
                &[("wave", WAVE), ("target", "new")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(r.text.contains("nothing was written"), "{n}");
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/submissions/{id}/accept"),
                Some("officer"),
                Some(json!({"wave": WAVE, "target": "new"})),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
        let fields: Vec<String> = r.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with("tahun_berdiri")),
            "{n}: {fields:?}"
        );
        assert!(
            fields.iter().any(|f| f.starts_with("jenis")),
            "{n}: {fields:?}"
        );
        assert_eq!(env.groups_named(bad).await, 0, "{n}");
        assert_eq!(submission(&env, id).await["status"], "pending", "{n}");
    }
}

#[tokio::test]
async fn a_wave_accepts_clean_unmatched_submissions_by_itself() {
    for env in envs().await {
        let n = env.name;
        add_wave(&env).await;

        // Only admins switch it on.
        let r = env
            .form(
                "/inbox/auto-accept",
                Some("officer"),
                &[
                    ("wave", WAVE),
                    ("on", "1"),
                    ("back", "/regions/73.08.21/inbox"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env.page("/regions/73.08.21/inbox", Some("admin")).await;
        assert!(r.text.contains(r#"id="auto-accept""#), "{n}");
        let r = env
            .form(
                "/inbox/auto-accept",
                Some("admin"),
                &[
                    ("wave", WAVE),
                    ("on", "1"),
                    ("back", "/regions/73.08.21/inbox"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert!(env.store.wave_auto_accept(WAVE).await.unwrap(), "{n}");

        // A clean submission like no group of the village: accepted on arrival.
        let clean = "Kelompok Tani Sendiri Unik";
        let receipt = send(&env, &instance("o1", clean, "1990", "arisan"), Vec::new()).await;
        let gid = receipt
            .auto_accepted
            .clone()
            .unwrap_or_else(|| panic!("{n}: not accepted on arrival"));
        let item = submission(&env, receipt.id).await;
        assert_eq!(item["status"], "accepted", "{n}");
        assert_eq!(item["wave_id"], WAVE, "{n}");
        assert_eq!(item["group_id"], gid.as_str(), "{n}");
        assert_eq!(env.groups_named(clean).await, 1, "{n}");

        // A group held, for a submission to match.
        let held = "Arisan Kembar Uji Kiriman";
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("admin"),
                Some(new_group(INSIDE, held)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let held_id = r.json()["id"].as_str().unwrap().to_string();
        // One like it waits for an officer, with the match shown.
        let receipt = send(&env, &instance("o2", held, "1990", "arisan"), Vec::new()).await;
        assert!(receipt.auto_accepted.is_none(), "{n}");
        let item = submission(&env, receipt.id).await;
        assert_eq!(item["status"], "pending", "{n}");
        assert!(
            item["matches"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["name"] == held),
            "{n}: {item}"
        );
        let r = env
            .page(&format!("/inbox/{}", receipt.id), Some("officer"))
            .await;
        assert!(r.text.contains(r#"id="matches""#), "{n}");
        assert_eq!(env.groups_named(held).await, 1, "{n}");
        // Accepted as the held group's record in the wave: still one group, now in the wave too.
        assert!(
            r.text
                .contains(&format!(r#"name="target" value="{held_id}""#)),
            "{n}: the match is a target"
        );
        let r = env
            .form(
                &format!("/inbox/{}/accept", receipt.id),
                Some("officer"),
                &[("wave", WAVE), ("target", held_id.as_str())],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let item = submission(&env, receipt.id).await;
        assert_eq!(item["group_id"], held_id.as_str(), "{n}: {item}");
        assert_eq!(env.groups_named(held).await, 1, "{n}");
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/groups/{held_id}?wave={WAVE}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        assert!(r.text.contains(&format!("\"{WAVE}\"")), "{n}: {}", r.text);

        // Switched off: a clean one waits too.
        let r = env
            .form(
                "/inbox/auto-accept",
                Some("admin"),
                &[
                    ("wave", WAVE),
                    ("on", "0"),
                    ("back", "/regions/73.08.21/inbox"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}");
        let receipt = send(
            &env,
            &instance("o3", "Kelompok Lain Sama Sekali", "1990", "arisan"),
            Vec::new(),
        )
        .await;
        assert!(receipt.auto_accepted.is_none(), "{n}");
    }
}
