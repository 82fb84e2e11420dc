//! Undo: a deleted group, tie or member restored from its delete's audit entry through the
//! web and the API, as it was, counted again, audited; refused to those who may not write it
//! and when the id is held again. A record's page links the import that wrote it, and an
//! admin's or the command line's import is listed on its region's trail.

use super::harness::{
    Env, INSIDE, Res, admin_adds, admin_ties, audit_rows, audited, envs, held_actor,
};
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use wahana::service::{self, caller::Caller};
use wahana_domain::RegionCode;
use wahana_store::{AuditEntry, DEFAULT_RULES, GroupFilter, TallySnapshot};

/// The latest entry about a record.
/// The officer of Tanete Riattang asks, on the web, for the record of an audit entry back.
async fn restore_on_web(env: &Env, entry: i64) -> Res {
    env.form(
        &format!("/audit/{entry}/restore"),
        Some("officer"),
        &[],
        true,
    )
    .await
}

async fn latest(env: &Env, kind: &str, id: &str) -> AuditEntry {
    env.store.audit_of(kind, id, 1).await.unwrap().remove(0)
}

/// The tallies of a wave as held, checked against a count from the rows themselves.
async fn sound_tallies(env: &Env, wave: &str) -> TallySnapshot {
    let n = env.name;
    let f = GroupFilter {
        wave: Some(wave.into()),
        ..Default::default()
    };
    let groups: Vec<_> = env
        .store
        .list_groups(&f, 1_000_000, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.group)
        .collect();
    let held = env.store.tally_snapshot(wave, DEFAULT_RULES).await.unwrap();
    let want = TallySnapshot::recompute(&groups, &wahana_domain::screening::RuleSet::seed_2007());
    assert_eq!(held.villages, want.villages, "{n}: village tallies");
    assert_eq!(held.region_types, want.region_types, "{n}: region tallies");
    assert_eq!(
        env.store.actor_tallies(wave).await.unwrap(),
        env.store.recount_actor_tallies(wave).await.unwrap(),
        "{n}: counts of networks, institutions and ties"
    );
    held
}

/// The groups a village's tallies record.
fn recorded(snap: &TallySnapshot) -> i64 {
    snap.villages.get(INSIDE).map_or(0, |v| v[0])
}

/// The restore of one delete entry, seen by everyone who may not make it: the entry's page
/// and its POST refused (a viewer and an enumerator of the region, an officer of another),
/// no audit entry added; the officer of the region is offered the button.
async fn refused_to_others(env: &Env, entry: i64, rows: &mut i64) {
    let n = env.name;
    let page = format!("/audit/{entry}");
    let post = format!("/audit/{entry}/restore");
    for (who, status) in [
        ("viewer", StatusCode::FORBIDDEN),
        ("enumerator", StatusCode::FORBIDDEN),
        ("officer_away", StatusCode::NOT_FOUND),
    ] {
        let r = env.page(&page, Some(who)).await;
        assert_eq!(r.status, status, "{n} {who}: {}", r.text);
        let r = env.form(&post, Some(who), &[], true).await;
        audited(env, rows, r, status, 0, &format!("{who} restores")).await;
    }
    let r = env.page(&page, None).await;
    assert_ne!(r.status, StatusCode::OK, "{n}: anonymous");
    // Forms need the session's token.
    let r = env.form(&post, Some("officer"), &[], false).await;
    audited(env, rows, r, StatusCode::FORBIDDEN, 0, "no CSRF token").await;
    let r = env.page(&page, Some("officer")).await;
    assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
    assert!(
        r.text.contains(&format!("action=\"{post}\"")),
        "{n}: {}",
        r.text
    );
    assert!(r.text.contains("Pulihkan"), "{n}");
}

#[tokio::test]
async fn deleted_tie_member_and_group_restored_from_their_history() {
    for env in envs().await {
        let n = env.name;
        let (gid, _) = env.group_in(INSIDE).await;
        let original = env.store.group(&gid).await.unwrap().unwrap();
        let wave = original.wave_id.clone();
        let before = sound_tallies(&env, &wave).await;

        // A tie, deleted through its page, then restored.
        admin_adds(&env, "networks", "W-PULIH", INSIDE).await;
        let tie = admin_ties(&env, &gid, "W-PULIH").await;
        let r = env
            .form(&format!("/ties/{tie}/delete"), Some("officer"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let ties_of = |env: &Env| {
            let store = env.store.clone();
            let gid = gid.clone();
            async move {
                store
                    .ties_of(&gid)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|t| t.tie.to == "W-PULIH")
                    .count()
            }
        };
        assert_eq!(ties_of(&env).await, 0, "{n}");
        let gone = latest(&env, "ikatan", &tie.to_string()).await;
        assert_eq!(gone.action, "delete", "{n}");
        assert_eq!(
            gone.region_code.as_deref(),
            Some(INSIDE),
            "{n}: a region's trail lists it"
        );
        let mut rows = audit_rows(&env).await;
        refused_to_others(&env, gone.id, &mut rows).await;
        let r = restore_on_web(&env, gone.id).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(
            r.headers[header::LOCATION],
            format!("/groups/{gid}").as_str(),
            "{n}"
        );
        rows += 1;
        assert_eq!(audit_rows(&env).await, rows, "{n}: one entry");
        assert_eq!(ties_of(&env).await, 1, "{n}: the tie is back");
        let back = env.store.ties_of(&gid).await.unwrap();
        let back = back.iter().find(|t| t.tie.to == "W-PULIH").unwrap();
        let restored = latest(&env, "ikatan", &back.id.to_string()).await;
        assert_eq!(
            (restored.action.as_str(), restored.actor.as_str()),
            ("restore", "web:officer"),
            "{n}"
        );
        assert_eq!(back.wave_id, wave, "{n}: same wave");
        sound_tallies(&env, &wave).await;
        // Twice: the tie is held again, refused, nothing written.
        let r = restore_on_web(&env, gone.id).await;
        audited(
            &env,
            &mut rows,
            r,
            StatusCode::CONFLICT,
            0,
            "tie restored twice",
        )
        .await;

        // A network, deleted and restored through the API; its ties do not come back.
        admin_adds(&env, "networks", "W-HAPUS", INSIDE).await;
        let r = env
            .api(
                Method::DELETE,
                "/api/v1/networks/W-HAPUS",
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
        let gone_network = latest(&env, "wahana", "W-HAPUS").await;
        for who in ["viewer", "officer_away"] {
            let r = env
                .api(
                    Method::POST,
                    &format!("/api/v1/audit/{}/restore", gone_network.id),
                    Some(who),
                    None,
                )
                .await;
            assert!(r.status.is_client_error(), "{n} {who}: {}", r.text);
        }
        assert!(
            held_actor(&env, "networks", "W-HAPUS").await.is_none(),
            "{n}"
        );
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/audit/{}/restore", gone_network.id),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        assert_eq!(r.json()["id"], "W-HAPUS", "{n}");
        assert!(
            held_actor(&env, "networks", "W-HAPUS").await.is_some(),
            "{n}"
        );
        assert_eq!(
            latest(&env, "wahana", "W-HAPUS").await.action,
            "restore",
            "{n}"
        );
        sound_tallies(&env, &wave).await;

        // A member, removed through the page that asks first, then restored.
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/groups/{gid}/members"),
                Some("officer"),
                Some(json!({"name": "Andi Pulih", "role": "bendahara"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let member = r.json()["id"].as_i64().unwrap();
        let ask = env
            .page(
                &format!("/groups/{gid}/members/{member}/delete"),
                Some("officer"),
            )
            .await;
        assert_eq!(ask.status, StatusCode::OK, "{n}: the delete asks first");
        let r = env
            .form(
                &format!("/groups/{gid}/members/{member}/delete"),
                Some("officer"),
                &[],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        let gone = latest(&env, "anggota", &member.to_string()).await;
        rows = audit_rows(&env).await;
        refused_to_others(&env, gone.id, &mut rows).await;
        // The member's name is shown to the officer of the region only.
        let r = env
            .page(&format!("/audit/{}", gone.id), Some("officer"))
            .await;
        assert!(r.text.contains("Andi Pulih"), "{n}");
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/audit/{}/restore", gone.id),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        assert_eq!(r.json()["kind"], "anggota", "{n}");
        assert_eq!(r.json()["owner"], gid.as_str(), "{n}");
        rows += 1;
        let members = env.store.members_of(&gid).await.unwrap();
        let m = members
            .iter()
            .find(|m| m.member.name == "Andi Pulih")
            .expect("the member is back");
        assert_eq!(m.member.role.to_string(), "bendahara", "{n}");
        let restored = latest(&env, "anggota", &m.id.to_string()).await;
        assert_eq!(restored.action, "restore", "{n}");
        let r = restore_on_web(&env, gone.id).await;
        assert!(
            r.text.contains("sudah anggota nomor"),
            "{n}: the refusal says why: {}",
            r.text
        );
        audited(
            &env,
            &mut rows,
            r,
            StatusCode::UNPROCESSABLE_ENTITY,
            0,
            "member restored twice",
        )
        .await;

        // The group, deleted through the page that asks first: no longer counted.
        let r = env
            .form(&format!("/groups/{gid}/delete"), Some("officer"), &[], true)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert!(env.store.group(&gid).await.unwrap().is_none(), "{n}");
        let after_delete = sound_tallies(&env, &wave).await;
        assert_eq!(recorded(&after_delete), recorded(&before) - 1, "{n}");
        let gone = latest(&env, "kelompok", &gid).await;
        assert_eq!(gone.action, "delete", "{n}");
        // The region's trail offers it.
        let trail = env.page("/regions/73.08.21/audit", Some("officer")).await;
        assert!(
            trail
                .text
                .contains(&format!("href=\"/audit/{}#pulihkan\"", gone.id)),
            "{n}: {}",
            trail.text
        );
        rows = audit_rows(&env).await;
        refused_to_others(&env, gone.id, &mut rows).await;
        assert!(env.store.group(&gid).await.unwrap().is_none(), "{n}");
        let r = restore_on_web(&env, gone.id).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{n}: {}", r.text);
        assert_eq!(
            r.headers[header::LOCATION],
            format!("/groups/{gid}").as_str(),
            "{n}"
        );
        rows += 1;
        assert_eq!(audit_rows(&env).await, rows, "{n}: one entry");
        let back = env.store.group(&gid).await.unwrap().expect("restored");
        assert_eq!(back.group, original.group, "{n}: as it was");
        assert_eq!(back.wave_id, original.wave_id, "{n}: same wave");
        assert_eq!(back.provenance, original.provenance, "{n}: same provenance");
        let restored = latest(&env, "kelompok", &gid).await;
        assert_eq!(
            (restored.action.as_str(), restored.actor.as_str()),
            ("restore", "web:officer"),
            "{n}"
        );
        assert_eq!(restored.region_code.as_deref(), Some(INSIDE), "{n}");
        // Counted again: the tallies are those before the delete.
        let again = sound_tallies(&env, &wave).await;
        assert_eq!(again.villages, before.villages, "{n}: counted again");
        let page = env.page(&format!("/groups/{gid}"), Some("officer")).await;
        assert_eq!(page.status, StatusCode::OK, "{n}");

        // Refused when the id is held again: the group restored (a second restore), or a
        // new group given the id after another delete.
        let r = restore_on_web(&env, gone.id).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{n}: {}", r.text);
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{gid}"),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
        let deleted_again = latest(&env, "kelompok", &gid).await;
        let mut newcomer = original.group.clone();
        newcomer.name = "Kelompok Baru Berid Sama".into();
        env.store
            .insert_group(&wave, &newcomer, "cli:test")
            .await
            .unwrap();
        rows = audit_rows(&env).await;
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/audit/{}/restore", deleted_again.id),
                Some("admin"),
                None,
            )
            .await;
        audited(&env, &mut rows, r, StatusCode::CONFLICT, 0, "id re-used").await;
        let held = env.store.group(&gid).await.unwrap().unwrap();
        assert_eq!(
            held.group.name, "Kelompok Baru Berid Sama",
            "{n}: untouched"
        );
        // An entry that deletes nothing cannot be restored.
        let r = env
            .api(
                Method::POST,
                &format!("/api/v1/audit/{}/restore", restored.id),
                Some("admin"),
                None,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{n}: {}",
            r.text
        );
    }
}

#[tokio::test]
async fn record_links_its_import_and_admin_and_cli_imports_are_on_the_region_trail() {
    for env in envs().await {
        let n = env.name;
        let header = "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan";
        let csv = format!(
            "{header}\n{INSIDE},Arisan Asal Impor,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
        );
        let r = env
            .import_api(Some("admin"), "asal-admin.csv", &csv, false)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}: {}", r.text);
        let import_id = r.json()["import_id"].as_str().unwrap().to_string();
        let entry = env.store.import_entry(&import_id).await.unwrap().unwrap();
        assert_eq!(entry.actor, "api:admin", "{n}");
        assert_eq!(
            entry.region_code.as_deref(),
            Some(INSIDE),
            "{n}: the lowest region holding what it wrote"
        );
        // The group it wrote links the import's entry.
        let f = GroupFilter {
            name: Some("Arisan Asal Impor".into()),
            ..Default::default()
        };
        let g = env.store.list_groups(&f, 10, 0).await.unwrap().remove(0);
        let page = env
            .page(&format!("/groups/{}", g.group.id), Some("officer"))
            .await;
        assert!(
            page.text.contains(&format!("href=\"/audit/{}\"", entry.id)),
            "{n}: {}",
            page.text
        );
        // Not to a viewer, who reads no trail.
        let page = env
            .page(&format!("/groups/{}", g.group.id), Some("viewer"))
            .await;
        assert!(!page.text.contains(&format!("/audit/{}", entry.id)), "{n}");
        // The entry's page names the file and the counts.
        let e = env
            .page(&format!("/audit/{}", entry.id), Some("officer"))
            .await;
        assert_eq!(e.status, StatusCode::OK, "{n}: {}", e.text);
        assert!(e.text.contains("asal-admin.csv"), "{n}");
        assert!(e.text.contains(&import_id), "{n}");
        // The region's trail lists it, to the region's officer.
        let trail = env.page("/regions/73.08.21/audit", Some("officer")).await;
        assert!(trail.text.contains(&format!("/audit/{}", entry.id)), "{n}");

        // The command line's import, of two villages of one kecamatan: the region is the
        // kecamatan, the lowest holding them both.
        let other = "73.08.21.1007";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("asal-cli.csv");
        std::fs::write(
            &path,
            format!(
                "{header}\n{INSIDE},Arisan Baris Satu,arisan,tumbuh_masyarakat,1990,2026-01-05\n{other},Arisan Baris Dua,arisan,tumbuh_masyarakat,1990,2026-01-05\n"
            ),
        )
        .unwrap();
        let opts = service::import::ImportOptions {
            who: Some(Caller::cli().who()),
            ..Default::default()
        };
        let report =
            service::import::import_file(&env.store, &path, &opts, service::today(), &|_| {})
                .await
                .unwrap();
        assert!(report.committed, "{n}: {report:?}");
        let entry = env
            .store
            .import_entry(&report.import_id)
            .await
            .unwrap()
            .unwrap();
        assert!(entry.actor.starts_with("cli:"), "{n}");
        assert_eq!(entry.region_code.as_deref(), Some("73.08.21"), "{n}");
        let listed = env
            .store
            .audit_in(&RegionCode::parse("73.08.21").unwrap(), 5, 0)
            .await
            .unwrap();
        assert!(listed.iter().any(|e| e.id == entry.id), "{n}");
        let trail = env.page("/regions/73.08.21/audit", Some("officer")).await;
        assert!(trail.text.contains(&format!("/audit/{}", entry.id)), "{n}");
        // A village's trail does not list an import wider than it.
        let village = env
            .store
            .audit_in(&RegionCode::parse(INSIDE).unwrap(), 50, 0)
            .await
            .unwrap();
        assert!(!village.iter().any(|e| e.id == entry.id), "{n}");
    }
}

/// A group whose wave was deleted after it cannot be restored: the refusal names the wave,
/// and nothing is written.
#[tokio::test]
async fn restore_refused_when_its_wave_is_gone() {
    for env in envs().await {
        let n = env.name;
        let r = env
            .api(
                Method::POST,
                "/api/v1/waves",
                Some("admin"),
                Some(json!({"name": "Pendataan Sementara", "start_date": "2026-08-01"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let wave = r.json()["id"].as_str().unwrap().to_string();
        let mut g = super::harness::new_group(INSIDE, "Arisan Pendataan Hilang");
        g["wave"] = json!(wave);
        let r = env
            .api(Method::POST, "/api/v1/groups", Some("officer"), Some(g))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{n}: {}", r.text);
        let id = r.json()["id"].as_str().unwrap().to_string();
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{id}"),
                Some("officer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{n}: {}", r.text);
        let gone = latest(&env, "kelompok", &id).await;
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/waves/{wave}"),
                Some("admin"),
                None,
            )
            .await;
        assert!(r.status.is_success(), "{n}: {}", r.text);
        let mut rows = audit_rows(&env).await;
        let r = restore_on_web(&env, gone.id).await;
        assert!(r.text.contains(&wave), "{n}: names the wave: {}", r.text);
        audited(&env, &mut rows, r, StatusCode::NOT_FOUND, 0, "wave gone").await;
        assert!(env.store.group(&id).await.unwrap().is_none(), "{n}");
    }
}
