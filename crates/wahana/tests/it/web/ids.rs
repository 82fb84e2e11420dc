//! Ids drawn for new records never collide with those held, and an id names one record.

use super::harness::{INSIDE, admin_adds, admin_ties, envs, new_group};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use wahana_domain::RegionCode;

/// Issue 11, points 2 and 3: with ids of letters and of five digits held in a village, new
/// groups from the API, a form and an import all get ids of their own (none refused as taken,
/// no earlier record replaced); an id names one record of one kind (a group may not take a
/// network's, from the API or an import); and an officer cannot cut another region's tie
/// through a group that took, in an older release, the id of a network there.
#[tokio::test]
async fn new_ids_never_collide_and_an_id_names_one_record() {
    for env in envs().await {
        let n = env.name;
        let digits = INSIDE.replace('.', "");
        let mut odd = Vec::new();
        for suffix in ["ABC", "10000"] {
            let mut g = new_group(INSIDE, &format!("Arisan Ganjil {suffix}"));
            g["fields"]["id"] = json!(format!("K-{digits}-{suffix}"));
            let r = env
                .api(Method::POST, "/api/v1/groups", Some("admin"), Some(g))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
            odd.push(r.json()["id"].as_str().unwrap().to_string());
        }
        let code = RegionCode::parse(INSIDE).unwrap();
        let filter = wahana_store::GroupFilter {
            region: Some(code.clone()),
            ..Default::default()
        };
        let before = env.store.list_groups(&filter, 10_000, 0).await.unwrap();

        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(INSIDE, "Arisan API")),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        assert_eq!(r.json()["id"], format!("K-{digits}-10001"), "{n}");
        let form = [
            ("kode_wilayah", INSIDE),
            ("nama", "Majelis Formulir"),
            ("jenis", "majelis_taklim"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1999"),
        ];
        let r = env.form("/groups", Some("officer"), &form, true).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let csv = format!(
            "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n\
             {INSIDE},Arisan Impor Satu,arisan,tumbuh_masyarakat,1990,2026-01-05\n\
             {INSIDE},Arisan Impor Dua,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let import = |body: String| {
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/import?filename=k.csv")
                .header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", env.sessions["officer"].0),
                )
                .body(Body::from(body))
                .unwrap()
        };
        let r = env.send(import(csv)).await.json();
        assert_eq!(r["committed"], true, "{n}: {r}");
        assert_eq!(
            (r["created"].clone(), r["updated"].clone()),
            (json!(2), json!(0))
        );

        let after = env.store.list_groups(&filter, 10_000, 0).await.unwrap();
        assert_eq!(after.len(), before.len() + 4, "{n}");
        for g in &before {
            assert!(after.contains(g), "{n}: {} changed", g.group.id);
        }
        let new_ids: std::collections::BTreeSet<String> = after
            .iter()
            .filter(|g| !before.contains(g))
            .map(|g| g.group.id.clone())
            .collect();
        let want: std::collections::BTreeSet<String> = (10_001..10_005)
            .map(|k| format!("K-{digits}-{k}"))
            .collect();
        assert_eq!(new_ids, want, "{n}");

        // A network's id is not a group's: refused from the API (409, naming the kind) and
        // from an import (a problem of that row).
        let away = env.away_village.clone();
        admin_adds(&env, "networks", "W-JAUH-1", &away).await;
        admin_adds(&env, "institutions", "L-JAUH-1", &away).await;
        let mut g = new_group(INSIDE, "Arisan Kembar");
        g["fields"]["id"] = json!("W-JAUH-1");
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups?lang=en",
                Some("admin"),
                Some(g),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        assert_eq!(r.json()["error"], "id_taken", "{n}");
        assert!(r.text.contains("a network"), "{n}: {}", r.text);
        let csv = format!(
            "id,kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n\
             W-JAUH-1,{INSIDE},Arisan Kembar,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let r = env.send(import(csv)).await.json();
        assert_eq!(r["committed"], false, "{n}: {r}");
        assert_eq!(r["problems"][0]["code"], "id_taken", "{n}: {r}");
        assert!(env.store.group("W-JAUH-1").await.unwrap().is_none(), "{n}");

        // An older release's collision: a group of Tanete Riattang holding the id of the
        // network of 73.08.22 that is tied there. The officer of Tanete Riattang can neither
        // see nor cut that tie.
        let tie = admin_ties(&env, "W-JAUH-1", "L-JAUH-1").await;
        let mut twin = before[0].group.clone();
        twin.id = "W-JAUH-1".into();
        env.store
            .save_groups(&before[0].wave_id, &[twin])
            .await
            .unwrap();
        let r = env
            .api(
                Method::GET,
                "/api/v1/regions/73.08.21/ties",
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            !r.json().to_string().contains("L-JAUH-1"),
            "{n}: {}",
            r.text
        );
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/ties/{tie}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}: {}", r.text);
        let r = env
            .form(&format!("/ties/{tie}/delete"), Some("officer"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{n}");
        assert!(env.store.tie(tie).await.unwrap().is_some(), "{n}");
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/ties/{tie}"),
                Some("officer_away"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
    }
}
