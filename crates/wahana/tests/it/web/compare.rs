//! HTTP tests of the comparison of two waves: the API (statuses, fates, who gets the list of
//! groups), the compare page (counts for everyone, groups for readers, refusals beside the
//! form) and the report's section "Perubahan sejak …".

use super::harness::{Env, envs};
use axum::http::{Method, StatusCode};
use serde_json::Value;
use wahana_domain::codes::GroupStatus;
use wahana_domain::{Date, Wave};
use wahana_store::{GroupFilter, NewLink, StoredGroup};

const W1: &str = "demo-2007-sintetis";
const W2: &str = "uji-2026";
/// The village re-surveyed in W2.
const VILLAGE: &str = "73.08.21.1001";
/// A village of the same kecamatan that W2 does not observe.
const UNSURVEYED: &str = "73.08.21.1002";

/// What W2 holds, by id: (continuing same id, dissolved, continuing matched, new).
struct Truth {
    same: String,
    dissolved: String,
    matched: String,
    new: String,
    not_refound: u64,
}

/// A second wave observing three of the village's 2007 groups (one by id, one dissolved, one
/// linked by the importer's matching) and one new group; the others are not found again.
async fn second_wave(env: &Env) -> Truth {
    let s = &env.store;
    s.save_wave(&Wave {
        id: W2.into(),
        name: "Uji 2026".into(),
        region: None,
        start_date: Date::new(2026, 8, 1),
        end_date: None,
        source: None,
        synthetic: false,
        enumerators: None,
        closed: false,
        method: None,
        run_by: None,
    })
    .await
    .unwrap();
    let earlier: Vec<StoredGroup> = s
        .list_groups(
            &GroupFilter {
                region: Some(wahana_domain::RegionCode::parse(VILLAGE).unwrap()),
                wave: Some(W1.into()),
                ..GroupFilter::default()
            },
            10_000,
            0,
        )
        .await
        .unwrap();
    let live: Vec<&StoredGroup> = earlier
        .iter()
        .filter(|g| g.group.status != GroupStatus::Dissolved)
        .collect();
    assert!(live.len() > 5, "{}", env.name);
    let mut same = live[0].group.clone();
    same.survey_date = Date::new(2026, 8, 1).unwrap();
    let mut dissolved = live[1].group.clone();
    dissolved.status = GroupStatus::Dissolved;
    dissolved.survey_date = same.survey_date;
    let mut matched = live[2].group.clone();
    matched.name = format!("Kel. {}", matched.name);
    matched.survey_date = same.survey_date;
    let mut new = live[3].group.clone();
    new.id = "K-7308211001-9001".into();
    new.name = "Arisan Baru Sekali".into();
    new.survey_date = same.survey_date;
    let mut b = s.begin().await.unwrap();
    b.save_groups(
        W2,
        &[
            same.clone(),
            dissolved.clone(),
            matched.clone(),
            new.clone(),
        ],
        &[],
    )
    .await
    .unwrap();
    b.save_links(
        W2,
        &[NewLink {
            from_id: matched.id.clone(),
            to_id: matched.id.clone(),
            kind: "continues",
            method: "matched",
            score: Some(0.9),
            accepted_by: None,
        }],
    )
    .await
    .unwrap();
    b.commit().await.unwrap();
    Truth {
        same: same.id,
        dissolved: dissolved.id,
        matched: matched.id,
        new: new.id,
        not_refound: live.len() as u64 - 3,
    }
}

fn sheet_names(bytes: &[u8]) -> Vec<String> {
    use calamine::Reader;
    calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(bytes.to_vec()))
        .unwrap()
        .sheet_names()
}

fn entry<'a>(j: &'a Value, id_from: Option<&str>, id_to: Option<&str>) -> &'a Value {
    j["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id_from"].as_str() == id_from && g["id_to"].as_str() == id_to)
        .unwrap_or_else(|| panic!("no entry {id_from:?} → {id_to:?}"))
}

#[tokio::test]
async fn compare_api_fates_and_who_gets_the_groups() {
    for env in envs().await {
        let n = env.name;
        let t = second_wave(&env).await;
        let uri = format!("/api/v1/regions/{VILLAGE}/compare?from={W1}&to={W2}");
        let r = env.api(Method::GET, &uri, Some("officer"), None).await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let j = r.json();
        assert_eq!(j["from"]["id"], W1, "{n}");
        assert_eq!(j["to"]["id"], W2, "{n}");
        assert_eq!(j["to"]["observations"], 4, "{n}");
        let counts = &j["counts"];
        assert_eq!(
            (
                counts["continuing"].as_u64(),
                counts["dissolved"].as_u64(),
                counts["not_refound"].as_u64(),
                counts["new"].as_u64()
            ),
            (Some(2), Some(1), Some(t.not_refound), Some(1)),
            "{n}: {counts}"
        );
        let survival = 2.0 / (3 + t.not_refound) as f64;
        assert!(
            (j["survival_rate"].as_f64().unwrap() - survival).abs() < 1e-12,
            "{n}"
        );
        let same = entry(&j, Some(&t.same), Some(&t.same));
        assert_eq!(
            (&same["fate"], &same["link"], &same["score"]),
            (
                &Value::from("continuing"),
                &Value::from("same_id"),
                &Value::Null
            ),
            "{n}"
        );
        let matched = entry(&j, Some(&t.matched), Some(&t.matched));
        assert_eq!(matched["link"], "matched", "{n}");
        assert_eq!(matched["score"], 0.9, "{n}");
        assert!(
            matched["name_to"].as_str().unwrap().starts_with("Kel. "),
            "{n}"
        );
        assert_eq!(
            entry(&j, Some(&t.dissolved), Some(&t.dissolved))["fate"],
            "dissolved",
            "{n}"
        );
        let new = entry(&j, None, Some(&t.new));
        assert_eq!((&new["fate"], &new["link"]), (&"new".into(), &Value::Null));
        assert_eq!(
            j["groups"].as_array().unwrap().len() as u64,
            4 + t.not_refound,
            "{n}"
        );
        // The findings of both waves, each number with its change.
        let f1 = &j["findings"]["f1"]["share_older_10"];
        let change = f1["to"].as_f64().unwrap() - f1["from"].as_f64().unwrap();
        assert!(
            (f1["change"].as_f64().unwrap() - change).abs() < 1e-12,
            "{n}"
        );
        assert_eq!(
            j["findings"]["f1"]["groups"]["to"], 3,
            "{n}: 3 not dissolved"
        );
        assert!(j["findings"]["f2"]["holds"]["from"].is_boolean(), "{n}");

        // A reader of the region (a viewer too) gets the list; the public and an officer of
        // another kecamatan the counts and findings only, never an id or a name.
        for who in ["viewer", "admin"] {
            let r = env.api(Method::GET, &uri, Some(who), None).await.json();
            assert!(r["groups"].is_array(), "{n} {who}");
        }
        for who in [None, Some("officer_away")] {
            let r = env.api(Method::GET, &uri, who, None).await;
            assert_eq!(r.status, StatusCode::OK, "{n} {who:?}");
            let p = r.json();
            assert!(p.get("groups").is_none(), "{n} {who:?}: {}", r.text);
            assert_eq!(p["counts"], j["counts"], "{n} {who:?}");
            assert_eq!(p["findings"], j["findings"], "{n} {who:?}");
            assert!(!r.text.contains(&t.same), "{n} {who:?}: an id");
            assert!(
                !r.text.contains("Arisan Baru Sekali"),
                "{n} {who:?}: a name"
            );
        }

        // Refusals: each names the wave and the region, with the API's statuses.
        for (uri, status, code, names) in [
            (
                format!("/api/v1/regions/{VILLAGE}/compare?from={W1}&to={W1}"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "same_wave",
                W1,
            ),
            (
                format!("/api/v1/regions/{VILLAGE}/compare?from=tidak-ada&to={W2}"),
                StatusCode::NOT_FOUND,
                "wave_not_found",
                "tidak-ada",
            ),
            (
                format!("/api/v1/regions/{UNSURVEYED}/compare?from={W1}&to={W2}"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "wave_empty",
                W2,
            ),
            (
                format!("/api/v1/regions/nasional/compare?from={W1}&to={W2}"),
                StatusCode::UNPROCESSABLE_ENTITY,
                "region_required",
                "",
            ),
            (
                format!("/api/v1/regions/{VILLAGE}/compare?from={W1}"),
                StatusCode::BAD_REQUEST,
                "bad_request",
                "to",
            ),
        ] {
            let r = env.api(Method::GET, &uri, None, None).await;
            assert_eq!(r.status, status, "{n} {uri}: {}", r.text);
            let e = r.json();
            assert_eq!(e["error"], code, "{n} {uri}");
            let message = e["message"].as_str().unwrap();
            assert!(message.contains(names), "{n} {uri}: {message}");
            if code.starts_with("wave") || code == "same_wave" {
                assert!(
                    message.contains("73.08.21."),
                    "{n}: names the region: {message}"
                );
            }
        }
        let en = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{VILLAGE}/compare?from={W1}&to={W1}&lang=en"),
                None,
                None,
            )
            .await
            .json();
        assert!(
            en["message"]
                .as_str()
                .unwrap()
                .contains("comparing a wave with itself"),
            "{n}: {en}"
        );
    }
}

#[tokio::test]
async fn compare_page_counts_for_all_groups_for_readers() {
    for env in envs().await {
        let n = env.name;
        let t = second_wave(&env).await;
        // Linked from the region page.
        let region = env.page(&format!("/regions/{VILLAGE}"), None).await;
        assert!(
            region.text.contains(&format!("/regions/{VILLAGE}/compare")),
            "{n}"
        );
        // Without a choice, the latest two waves holding groups here: W1 to W2.
        let uri = format!("/regions/{VILLAGE}/compare");
        let public = env.page(&uri, None).await;
        assert_eq!(public.status, StatusCode::OK, "{n}: {}", public.text);
        let text = &public.text;
        assert!(text.contains("<form method=\"get\""), "{n}");
        assert!(text.contains("name=\"from\""), "{n}");
        assert!(
            text.contains(&format!("<option value=\"{W2}\" selected>")),
            "{n}"
        );
        assert!(text.contains("Perubahan sejak"), "{n}");
        assert!(text.contains("<svg"), "{n}: the chart");
        assert!(text.contains("Tidak ditemukan lagi"), "{n}");
        assert!(text.contains("id=\"compare-no-records\""), "{n}");
        assert!(!text.contains(&t.dissolved), "{n}: no id for the public");
        assert!(!text.contains("Arisan Baru Sekali"), "{n}: no name");

        let chosen = format!("{uri}?from={W1}&to={W2}");
        let officer = env.page(&chosen, Some("officer")).await;
        assert_eq!(officer.status, StatusCode::OK, "{n}");
        assert!(officer.text.contains("id=\"compare-groups\""), "{n}");
        assert!(officer.text.contains(&t.dissolved), "{n}");
        assert!(officer.text.contains("Arisan Baru Sekali"), "{n}");
        assert!(!officer.text.contains("compare-no-records"), "{n}");
        let away = env.page(&chosen, Some("officer_away")).await;
        assert!(!away.text.contains(&t.dissolved), "{n}");

        // English alongside.
        let en = env.page(&format!("{chosen}&lang=en"), None).await;
        assert!(en.text.contains("Change since"), "{n}");
        assert!(en.text.contains("Not found again"), "{n}");

        // A refusal beside the form, with the API's status.
        let same = env
            .page(&format!("{uri}?from={W2}&to={W2}"), Some("officer"))
            .await;
        assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(same.text.contains("id=\"compare-error\""), "{n}");
        assert!(same.text.contains(W2) && same.text.contains(VILLAGE), "{n}");
        assert!(same.text.contains("name=\"to\""), "{n}: the form stays");
        let missing = env
            .page(&format!("{uri}?from=tidak-ada&to={W2}"), None)
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{n}");
        assert!(missing.text.contains("tidak-ada"), "{n}");
        let empty = env
            .page(
                &format!("/regions/{UNSURVEYED}/compare?from={W1}&to={W2}"),
                None,
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        // A region with one wave only: nothing to compare yet, said plainly.
        let one = env
            .page(&format!("/regions/{UNSURVEYED}/compare"), None)
            .await;
        assert_eq!(one.status, StatusCode::OK, "{n}");
        assert!(one.text.contains("belum memiliki dua pendataan"), "{n}");
    }
}

#[tokio::test]
async fn report_with_a_comparison_wave_has_the_change_section() {
    for env in envs().await {
        let n = env.name;
        let t = second_wave(&env).await;
        let uri = format!("/regions/{VILLAGE}/report?wave={W2}&compare_with={W1}");
        let officer = env.page(&uri, Some("officer")).await;
        assert_eq!(officer.status, StatusCode::OK, "{n}: {}", officer.text);
        assert!(officer.text.contains("id=\"perubahan\""), "{n}");
        assert!(officer.text.contains("Perubahan sejak"), "{n}");
        assert!(
            officer.text.contains(&t.matched),
            "{n}: the groups for a reader"
        );
        let public = env.page(&uri, None).await;
        assert_eq!(public.status, StatusCode::OK, "{n}");
        assert!(public.text.contains("id=\"perubahan\""), "{n}");
        assert!(
            !public.text.contains(&t.matched),
            "{n}: no id for the public"
        );
        // Without the parameter the report has no such section.
        let plain = env
            .page(&format!("/regions/{VILLAGE}/report?wave={W2}"), None)
            .await;
        assert!(!plain.text.contains("id=\"perubahan\""), "{n}");
        // The workbook gains the comparison's sheets.
        let x = env
            .page(&format!("{uri}&format=xlsx"), Some("officer"))
            .await;
        assert_eq!(x.status, StatusCode::OK, "{n}");
        let text = sheet_names(&x.bytes);
        assert!(text.iter().any(|s| s == "Perubahan"), "{n}: {text:?}");
        assert!(text.iter().any(|s| s == "Perubahan_kelompok"), "{n}");
        let x = env.page(&format!("{uri}&format=xlsx"), None).await;
        let text = sheet_names(&x.bytes);
        assert!(text.iter().any(|s| s == "Perubahan"), "{n}");
        assert!(
            !text.iter().any(|s| s == "Perubahan_kelompok"),
            "{n}: {text:?}"
        );
        // A comparison wave that cannot be compared is refused like on the compare page.
        let r = env
            .page(
                &format!("/regions/{VILLAGE}/report?wave={W2}&compare_with={W2}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
    }
}
