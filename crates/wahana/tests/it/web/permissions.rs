//! That the service's refusals map to their HTTP statuses (the service's own matrix is
//! `service/caller_tests.rs`): every role × every write route of groups, networks,
//! institutions and ties, inside and outside its region; another region's record answered as
//! missing; no personal data to anonymous visitors or viewers.

use super::harness::{
    INSIDE, Res, actor_fields, actors_named, admin_adds, admin_ties, envs, held_actor, new_group,
};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU32, Ordering};

/// Every role × every write route × inside and outside its region.
#[tokio::test]
async fn permission_matrix() {
    for env in envs().await {
        let n = env.name;
        // (role, may create, may edit, may delete) inside 73.08.21; outside only admin may.
        let rules: [(&str, bool, bool, bool); 6] = [
            ("admin", true, true, true),
            ("officer", true, true, true),
            ("enumerator", true, true, false),
            ("viewer", false, false, false),
            ("officer_away", true, true, true),
            ("enumerator_away", true, true, false),
        ];
        for (who, create, edit, delete) in rules {
            for (village, in_tanete) in [(INSIDE, true), (env.away_village.as_str(), false)] {
                // The `_away` people work in 73.08.22: for them the other village is inside.
                let inside = in_tanete != who.ends_with("_away");
                let allowed = |x: bool| x && (inside || who == "admin");
                // A held record of a region the person may not read is answered as missing.
                let refused = if inside { 403 } else { 404 };
                // API create.
                let r = env
                    .api(
                        Method::POST,
                        "/api/v1/groups",
                        Some(who),
                        Some(new_group(village, &format!("Uji {who} {inside}"))),
                    )
                    .await;
                let expect = if allowed(create) { 201 } else { 403 };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} create api inside={inside}: {}",
                    r.text
                );
                // HTML create.
                let r = env
                    .form(
                        "/groups",
                        Some(who),
                        &[
                            ("kode_wilayah", village),
                            ("nama", &format!("Form {who} {inside}")),
                            ("jenis", "pkk"),
                            ("asal", "dibentuk_pemerintah"),
                            ("tahun_berdiri", "2001"),
                            ("allow_duplicate", "1"),
                        ],
                        true,
                    )
                    .await;
                let expect = if allowed(create) { 303 } else { 403 };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} create form inside={inside}: {}",
                    &r.text[..r.text.len().min(300)]
                );
                // API and HTML edit of an existing group.
                let (id, version) = env.group_in(village).await;
                let r = env.api(Method::PATCH, &format!("/api/v1/groups/{id}"), Some(who), Some(json!({"fields": {"catatan": format!("oleh {who}")}, "version": version}))).await;
                let expect = if allowed(edit) { 200 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} edit api inside={inside}: {}",
                    r.text
                );
                let (id, version) = env.group_in(village).await;
                let v = version.to_string();
                let mut pairs: Vec<(&str, String)> = Vec::new();
                let g = env
                    .api(
                        Method::GET,
                        &format!("/api/v1/groups/{id}"),
                        Some("admin"),
                        None,
                    )
                    .await
                    .json();
                pairs.push(("kode_wilayah", g["village"].as_str().unwrap().into()));
                pairs.push(("nama", g["name"].as_str().unwrap().into()));
                pairs.push(("jenis", g["group_type"].as_str().unwrap().into()));
                pairs.push(("asal", g["origin"].as_str().unwrap().into()));
                pairs.push(("tahun_berdiri", g["founded_year"].to_string()));
                pairs.push((
                    "tanggal_pendataan",
                    g["survey_date"].as_str().unwrap().into(),
                ));
                pairs.push(("version", v));
                let pairs_ref: Vec<(&str, &str)> =
                    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = env
                    .form(&format!("/groups/{id}"), Some(who), &pairs_ref, true)
                    .await;
                let expect = if allowed(edit) { 303 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} edit form inside={inside}: {}",
                    &r.text[..r.text.len().min(600)]
                );
                // API and HTML delete.
                let (id, _) = env.group_in(village).await;
                let r = env
                    .api(
                        Method::DELETE,
                        &format!("/api/v1/groups/{id}"),
                        Some(who),
                        None,
                    )
                    .await;
                let expect = if allowed(delete) { 204 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} delete api inside={inside}: {}",
                    r.text
                );
                let (id, _) = env.group_in(village).await;
                let q = env.page(&format!("/groups/{id}/delete"), Some(who)).await;
                let expect = if allowed(delete) { 200 } else { refused };
                assert_eq!(
                    q.status.as_u16(),
                    expect,
                    "{n} {who} delete question inside={inside}"
                );
                let r = env
                    .form(&format!("/groups/{id}/delete"), Some(who), &[], true)
                    .await;
                let expect = if allowed(delete) { 303 } else { refused };
                assert_eq!(
                    r.status.as_u16(),
                    expect,
                    "{n} {who} delete form inside={inside}"
                );
                // Members: admins, and officers and enumerators of the group's region; through
                // the API and the group page's forms.
                let may_members = who == "admin"
                    || (inside && (who.starts_with("officer") || who.starts_with("enumerator")));
                let (id, _) = env.group_in(village).await;
                let members = format!("/api/v1/groups/{id}/members");
                let r = env
                    .api(
                        Method::POST,
                        &members,
                        Some(who),
                        Some(json!({"name": format!("Anggota {who} {inside}"), "role": "anggota"})),
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 201 } else { refused },
                    "{n} {who} add member api inside={inside}: {}",
                    r.text
                );
                let r = env
                    .form(
                        &format!("/groups/{id}/members"),
                        Some(who),
                        &[
                            ("nama", &format!("Anggota Formulir {who} {inside}")),
                            ("peran", "bendahara"),
                        ],
                        true,
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 303 } else { refused },
                    "{n} {who} add member form inside={inside}"
                );
                let mut held = Vec::new();
                for i in 0..2 {
                    let m = env
                        .api(
                            Method::POST,
                            &members,
                            Some("admin"),
                            Some(json!({"name": format!("Anggota Admin {who} {inside} {i}")})),
                        )
                        .await;
                    held.push(m.json()["id"].as_i64().unwrap());
                }
                let r = env
                    .api(
                        Method::DELETE,
                        &format!("{members}/{}", held[0]),
                        Some(who),
                        None,
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 204 } else { refused },
                    "{n} {who} delete member api inside={inside}: {}",
                    r.text
                );
                let r = env
                    .form(
                        &format!("/groups/{id}/members/{}/delete", held[1]),
                        Some(who),
                        &[],
                        true,
                    )
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    if may_members { 303 } else { refused },
                    "{n} {who} delete member form inside={inside}"
                );
                // Import: admins anywhere, officers inside their region (a row outside it is a
                // problem and nothing is written), nobody else; through the API and the page.
                let importer = who == "admin" || who.starts_with("officer");
                let may_import = who == "admin" || (importer && inside);
                for via_page in [false, true] {
                    let name = format!("Impor {who} {inside} {via_page}");
                    let csv = format!(
                        "kode_wilayah,nama,jenis,asal,tahun_berdiri,tanggal_pendataan\n{village},{name},arisan,tumbuh_masyarakat,1990,2026-01-05\n"
                    );
                    let r = if via_page {
                        env.upload("/import", Some(who), &[], Some(("k.csv", &csv)))
                            .await
                    } else {
                        env.import_api(Some(who), "k.csv", &csv, false).await
                    };
                    assert_eq!(
                        r.status.as_u16(),
                        if importer { 200 } else { 403 },
                        "{n} {who} import page={via_page} inside={inside}: {}",
                        &r.text[..r.text.len().min(400)]
                    );
                    if via_page && r.status == StatusCode::OK {
                        // The page checks first (a dry run), then confirms the kept upload.
                        let token = r.confirm_token();
                        assert_eq!(token.is_some(), may_import, "{n} {who} {inside}");
                        if let Some(t) = token {
                            let c = env
                                .upload("/import", Some(who), &[("confirm", &t)], None)
                                .await;
                            assert_eq!(c.status, StatusCode::OK, "{n} {who}: {}", c.text);
                        } else {
                            assert!(r.text.contains("kode_wilayah"), "{n} {who}");
                        }
                    } else if r.status == StatusCode::OK {
                        let j = r.json();
                        assert_eq!(j["committed"], may_import, "{n} {who} {inside}: {j}");
                        if !may_import {
                            assert_eq!(j["problems"][0]["code"], "outside_region", "{n}: {j}");
                            assert_eq!(j["problems"][0]["field"], "kode_wilayah", "{n}");
                            assert_eq!(j["problems"][0]["row"], 2, "{n}");
                            assert_eq!(j["problems"][0]["column"], "A", "{n}");
                        }
                    }
                    assert_eq!(
                        env.groups_named(&name).await,
                        i64::from(may_import),
                        "{n} {who} import page={via_page} inside={inside}"
                    );
                }
            }
        }
        // Anonymous: every write refused with 401, HTML and API.
        let (id, version) = env.group_in(INSIDE).await;
        assert_eq!(
            env.api(
                Method::POST,
                "/api/v1/groups",
                None,
                Some(new_group(INSIDE, "x"))
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.api(
                Method::PATCH,
                &format!("/api/v1/groups/{id}"),
                None,
                Some(json!({"fields": {}, "version": version}))
            )
            .await
            .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.api(Method::DELETE, &format!("/api/v1/groups/{id}"), None, None)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.form("/groups", None, &[("nama", "x")], false)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            env.form(&format!("/groups/{id}/delete"), None, &[], false)
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
        let r = env
            .form(
                "/admin/users",
                Some("officer"),
                &[("name", "x"), ("password", "12345678"), ("role", "admin")],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}");
        let r = env
            .form(
                "/admin/users",
                Some("admin"),
                &[
                    ("name", "baru"),
                    ("password", "12345678"),
                    ("role", "viewer"),
                    ("region", "73.08.21"),
                ],
                true,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{n}");
        assert!(
            env.store.user_by_name("baru").await.unwrap().is_some(),
            "{n}"
        );
    }
}

/// The permission matrix of networks, institutions and ties: every person (and an anonymous
/// visitor) × every write route, API and form (and the pages that lead to the forms) × a record
/// in Tanete Riattang (73.08.21) and one in 73.08.22. Admins write anywhere, officers in their
/// region's subtree, enumerators and viewers nowhere, anonymous visitors get 401; a tie needs
/// write permission at both ends (an officer neither ties another region's actor to theirs nor
/// cuts such a tie). Every refusal leaves the store as it was.
#[tokio::test]
async fn permission_matrix_networks_institutions_ties() {
    let people: [Option<&str>; 7] = [
        Some("admin"),
        Some("officer"),
        Some("officer_away"),
        Some("enumerator"),
        Some("enumerator_away"),
        Some("viewer"),
        None,
    ];
    // May this person write networks, institutions and ties in this village?
    let writes = |who: Option<&str>, village: &str| match who {
        Some("admin") => true,
        Some("officer") => village.starts_with("73.08.21."),
        Some("officer_away") => village.starts_with("73.08.22."),
        _ => false,
    };
    // The status expected: `ok` when allowed, 403 when refused, 401 for anonymous visitors.
    let expect = |who: Option<&str>, allowed: bool, ok: u16| match (who, allowed) {
        (None, _) => 401,
        (Some(_), true) => ok,
        (Some(_), false) => 403,
    };
    // May this person read the records of this village? A held record they may not read is
    // answered as missing (404), one they may read but not change with 403.
    let reads = |who: Option<&str>, village: &str| match who {
        Some("admin") => true,
        Some(w) if w.ends_with("_away") => village.starts_with("73.08.22."),
        Some(_) => village.starts_with("73.08.21."),
        None => false,
    };
    let expect_held =
        |who: Option<&str>, village: &str, allowed: bool, ok: u16| match expect(who, allowed, ok) {
            403 if !reads(who, village) => 404,
            other => other,
        };
    let seq = AtomicU32::new(0);
    let next = |prefix: &str| format!("{prefix}-MX-{}", seq.fetch_add(1, Ordering::SeqCst));
    for env in envs().await {
        let n = env.name;
        let away = env.away_village.clone();
        assert!(away.starts_with("73.08.22."), "{n}");
        for kind in ["networks", "institutions"] {
            let prefix = if kind == "networks" { "W" } else { "L" };
            for who in people {
                for village in [INSIDE, away.as_str()] {
                    let allowed = writes(who, village);
                    let at = format!("{n} {kind} {who:?} {village}");
                    // API create.
                    let id = next(prefix);
                    let r = env
                        .api(
                            Method::POST,
                            &format!("/api/v1/{kind}"),
                            who,
                            Some(actor_fields(kind, &id, village, "Matriks API")),
                        )
                        .await;
                    let want = expect(who, allowed, 201);
                    assert_eq!(r.status.as_u16(), want, "{at} create api: {}", r.text);
                    assert_eq!(
                        held_actor(&env, kind, &id).await.is_some(),
                        want == 201,
                        "{at} create api"
                    );
                    // The add form, and what it posts.
                    let r = env
                        .page(&format!("/{kind}/new?village={village}"), who)
                        .await;
                    assert_eq!(r.status.as_u16(), expect(who, allowed, 200), "{at} new");
                    let name = format!("Matriks Formulir {}", next(prefix));
                    let mut pairs = vec![("kode_wilayah", village), ("nama", name.as_str())];
                    pairs.push(if kind == "networks" {
                        ("tingkat", "desa")
                    } else {
                        ("jenis_lembaga", "rumah_ibadah")
                    });
                    let r = env.form(&format!("/{kind}"), who, &pairs, true).await;
                    let want = expect(who, allowed, 303);
                    assert_eq!(
                        r.status.as_u16(),
                        want,
                        "{at} create form: {}",
                        &r.text[..r.text.len().min(400)]
                    );
                    assert_eq!(
                        actors_named(&env, kind, village, &name).await,
                        usize::from(want == 303),
                        "{at} create form"
                    );
                    // API change, in place and moved to the other region (allowed only to
                    // those who may write in both).
                    let id = next(prefix);
                    admin_adds(&env, kind, &id, village).await;
                    let before = held_actor(&env, kind, &id).await.unwrap();
                    let r = env
                        .api(
                            Method::PATCH,
                            &format!("/api/v1/{kind}/{id}"),
                            who,
                            Some(
                                json!({"fields": {"nama": "Matriks Diubah"}, "version": before.0}),
                            ),
                        )
                        .await;
                    let want = expect_held(who, village, allowed, 200);
                    assert_eq!(r.status.as_u16(), want, "{at} edit api: {}", r.text);
                    let after = held_actor(&env, kind, &id).await.unwrap();
                    if want == 200 {
                        assert_eq!(after.0, before.0 + 1, "{at} edit api");
                    } else {
                        assert_eq!(after, before, "{at} edit api refused: unchanged");
                    }
                    let other = if village == INSIDE {
                        away.as_str()
                    } else {
                        INSIDE
                    };
                    let r = env
                        .api(
                            Method::PATCH,
                            &format!("/api/v1/{kind}/{id}"),
                            who,
                            Some(json!({"fields": {"kode_wilayah": other}, "version": after.0})),
                        )
                        .await;
                    let want = if allowed {
                        expect(who, writes(who, other), 200)
                    } else {
                        expect_held(who, village, false, 200)
                    };
                    assert_eq!(r.status.as_u16(), want, "{at} move api: {}", r.text);
                    let moved = held_actor(&env, kind, &id).await.unwrap();
                    if want == 200 {
                        assert_eq!(moved.0, after.0 + 1, "{at} move api");
                    } else {
                        assert_eq!(moved, after, "{at} move api refused: unchanged");
                    }
                    // The edit form, and what it posts (every field as held, the name changed).
                    let id = next(prefix);
                    admin_adds(&env, kind, &id, village).await;
                    let r = env.page(&format!("/{kind}/{id}/edit"), who).await;
                    assert_eq!(
                        r.status.as_u16(),
                        expect_held(who, village, allowed, 200),
                        "{at} edit page"
                    );
                    let before = held_actor(&env, kind, &id).await.unwrap();
                    let table = if kind == "networks" {
                        wahana_domain::instrument::Table::Networks
                    } else {
                        wahana_domain::instrument::Table::Institutions
                    };
                    let version = before.0.to_string();
                    let mut pairs: Vec<(&str, &str)> = wahana_domain::instrument::columns(table)
                        .iter()
                        .map(|c| c.id)
                        .zip(before.1.iter().map(String::as_str))
                        .filter(|(k, _)| *k != "nama")
                        .collect();
                    pairs.push(("nama", "Matriks Formulir Diubah"));
                    pairs.push(("version", &version));
                    let r = env.form(&format!("/{kind}/{id}"), who, &pairs, true).await;
                    let want = expect_held(who, village, allowed, 303);
                    assert_eq!(
                        r.status.as_u16(),
                        want,
                        "{at} edit form: {}",
                        &r.text[..r.text.len().min(400)]
                    );
                    let after = held_actor(&env, kind, &id).await.unwrap();
                    if want == 303 {
                        assert_eq!(after.0, before.0 + 1, "{at} edit form");
                    } else {
                        assert_eq!(after, before, "{at} edit form refused: unchanged");
                    }
                    // The delete question, then the form's delete.
                    let r = env.page(&format!("/{kind}/{id}/delete"), who).await;
                    assert_eq!(
                        r.status.as_u16(),
                        expect_held(who, village, allowed, 200),
                        "{at} delete question"
                    );
                    let r = env
                        .form(&format!("/{kind}/{id}/delete"), who, &[], true)
                        .await;
                    let want = expect_held(who, village, allowed, 303);
                    assert_eq!(r.status.as_u16(), want, "{at} delete form");
                    assert_eq!(
                        held_actor(&env, kind, &id).await.is_none(),
                        want == 303,
                        "{at} delete form"
                    );
                    // API delete.
                    let id = next(prefix);
                    admin_adds(&env, kind, &id, village).await;
                    let r = env
                        .api(Method::DELETE, &format!("/api/v1/{kind}/{id}"), who, None)
                        .await;
                    let want = expect_held(who, village, allowed, 204);
                    assert_eq!(r.status.as_u16(), want, "{at} delete api: {}", r.text);
                    assert_eq!(
                        held_actor(&env, kind, &id).await.is_none(),
                        want == 204,
                        "{at} delete api"
                    );
                }
            }
        }
        // Ties: from a group (or, for deletes, a network) to an institution, both ends inside,
        // both outside, and one end each way round.
        let (group_in, _) = env.group_in(INSIDE).await;
        let group_of = |village: &str| {
            if village == INSIDE {
                group_in.clone()
            } else {
                env.away_group.clone()
            }
        };
        for who in people {
            for (from, to) in [
                (INSIDE, INSIDE),
                (away.as_str(), away.as_str()),
                (INSIDE, away.as_str()),
                (away.as_str(), INSIDE),
            ] {
                let allowed = writes(who, from) && writes(who, to);
                // Refused: a new tie to an actor the person may not read is answered as one
                // to an actor not held (409), a held tie none of whose ends they may read as
                // missing (404); enumerators and viewers write no ties (403).
                let officer = matches!(who, Some("officer" | "officer_away"));
                let expect_new = |ok: u16| match expect(who, allowed, ok) {
                    403 if officer => 409,
                    other => other,
                };
                let expect_held = |ok: u16| match expect(who, allowed, ok) {
                    403 if !reads(who, from) && !reads(who, to) => 404,
                    other => other,
                };
                let at = format!("{n} tie {who:?} {from} → {to}");
                let group = group_of(from);
                // API create; the ends padded with spaces are still the held actors.
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let r = env
                    .api(
                        Method::POST,
                        "/api/v1/ties",
                        who,
                        Some(json!({"fields": {"dari": format!(" {group} "), "ke": format!(" {inst}"), "jenis_ikatan": "pembinaan"}})),
                    )
                    .await;
                let want = expect_new(201);
                assert_eq!(r.status.as_u16(), want, "{at} create api: {}", r.text);
                assert_eq!(
                    env.store.ties_of(&inst).await.unwrap().len(),
                    usize::from(want == 201),
                    "{at} create api"
                );
                // Form create, from the group's page.
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let back = format!("/groups/{group}");
                let r = env
                    .form(
                        "/ties",
                        who,
                        &[
                            ("dari", &group),
                            ("ke", &inst),
                            ("jenis_ikatan", "pembinaan"),
                            ("back", &back),
                        ],
                        true,
                    )
                    .await;
                let want = expect_new(303);
                assert_eq!(
                    r.status.as_u16(),
                    want,
                    "{at} create form: {}",
                    &r.text[..r.text.len().min(400)]
                );
                assert_eq!(
                    env.store.ties_of(&inst).await.unwrap().len(),
                    usize::from(want == 303),
                    "{at} create form"
                );
                // The delete question, then the form's delete (a network to an institution).
                let net = next("W");
                admin_adds(&env, "networks", &net, from).await;
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let tie = admin_ties(&env, &net, &inst).await;
                let r = env
                    .page(&format!("/ties/{tie}/delete?back=/networks/{net}"), who)
                    .await;
                assert_eq!(r.status.as_u16(), expect_held(200), "{at} delete question");
                let r = env
                    .form(
                        &format!("/ties/{tie}/delete"),
                        who,
                        &[("back", &format!("/networks/{net}"))],
                        true,
                    )
                    .await;
                let want = expect_held(303);
                assert_eq!(r.status.as_u16(), want, "{at} delete form");
                assert_eq!(
                    env.store.tie(tie).await.unwrap().is_none(),
                    want == 303,
                    "{at} delete form"
                );
                // API delete (a group to an institution).
                let inst = next("L");
                admin_adds(&env, "institutions", &inst, to).await;
                let tie = admin_ties(&env, &group, &inst).await;
                let r = env
                    .api(Method::DELETE, &format!("/api/v1/ties/{tie}"), who, None)
                    .await;
                let want = expect_held(204);
                assert_eq!(r.status.as_u16(), want, "{at} delete api: {}", r.text);
                assert_eq!(
                    env.store.tie(tie).await.unwrap().is_none(),
                    want == 204,
                    "{at} delete api"
                );
            }
        }
    }
}

/// Issue 11, point 13: to someone who may not read another region's record, asking for it
/// (reading, editing, deleting, its members) is answered exactly as for an id that is not held;
/// someone who may read it but not change it is told so (403).
#[tokio::test]
async fn another_regions_record_is_answered_as_missing() {
    for env in envs().await {
        let n = env.name;
        let away = env.away_group.clone();
        let missing = "K-TIDAK-ADA-99";
        let same = |a: &Res, b: &Res, what: &str| {
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{n} {what}: {}", a.text);
            assert_eq!(a.status, b.status, "{n} {what}");
            assert_eq!(
                a.text.replace(&away, "ID"),
                b.text.replace(missing, "ID"),
                "{n} {what}"
            );
            assert!(
                !a.text.contains("73.08.22") && !a.text.contains("Forbidden"),
                "{n} {what}"
            );
        };
        let edit = json!({"fields": {"nama_kelompok": "X"}, "version": 1});
        for who in ["officer", "viewer", "enumerator"] {
            for (method, path, body) in [
                (Method::GET, "/api/v1/groups/ID", None),
                (Method::DELETE, "/api/v1/groups/ID", None),
                (Method::PATCH, "/api/v1/groups/ID", Some(edit.clone())),
                (Method::GET, "/api/v1/groups/ID/members", None),
            ] {
                let a = env
                    .api(
                        method.clone(),
                        &path.replace("ID", &away),
                        Some(who),
                        body.clone(),
                    )
                    .await;
                let b = env
                    .api(
                        method.clone(),
                        &path.replace("ID", missing),
                        Some(who),
                        body,
                    )
                    .await;
                same(&a, &b, &format!("{who} {method} {path}"));
            }
            for path in ["/groups/ID", "/groups/ID/edit", "/groups/ID/delete"] {
                let a = env.page(&path.replace("ID", &away), Some(who)).await;
                let b = env.page(&path.replace("ID", missing), Some(who)).await;
                same(&a, &b, &format!("{who} {path}"));
            }
        }
        // A viewer of the group's own region may read it, not delete it: 403.
        let home = env
            .api(
                Method::GET,
                "/api/v1/groups?region=73.08.21&limit=1",
                Some("viewer"),
                None,
            )
            .await;
        let id = home.json()["items"][0]["id"].as_str().unwrap().to_string();
        let r = env
            .api(
                Method::DELETE,
                &format!("/api/v1/groups/{id}"),
                Some("viewer"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{n}: {}", r.text);
    }
}

#[tokio::test]
async fn no_personal_data_for_anonymous_or_viewer() {
    for env in envs().await {
        let n = env.name;
        let r = env
            .api(
                Method::POST,
                "/api/v1/groups",
                Some("officer"),
                Some(new_group(INSIDE, "Arisan Pribadi")),
            )
            .await;
        let id = r.json()["id"].as_str().unwrap().to_string();
        assert_eq!(r.json()["telepon"], Value::Null);
        assert_eq!(
            r.json()["phone"],
            "081234567890",
            "{n}: the officer sees it"
        );
        for who in [None, Some("viewer")] {
            for uri in [
                format!("/api/v1/groups/{id}"),
                format!("/api/v1/groups/{id}/members"),
                format!("/api/v1/groups?region={INSIDE}&limit=500"),
                format!("/api/v1/regions/{INSIDE}/networks"),
                format!("/api/v1/regions/{INSIDE}/institutions"),
                format!("/api/v1/regions/{INSIDE}/profile"),
                format!("/api/v1/regions/{INSIDE}/screening"),
                format!("/groups/{id}"),
                format!("/regions/{INSIDE}"),
                "/search?q=pribadi".to_string(),
            ] {
                let r = if uri.starts_with("/api/") {
                    env.api(Method::GET, &uri, who, None).await
                } else {
                    env.page(&uri, who).await
                };
                assert!(
                    !r.text.contains("081234567890") && !r.text.contains("Ibu Rahasia"),
                    "{n} {who:?} {uri}: personal data shown"
                );
                // Demonstration chairs are "Contoh Ketua …", phones "0812-0000-…".
                assert!(
                    !r.text.contains("Contoh Ketua") && !r.text.contains("0812-0000"),
                    "{n} {who:?} {uri}: personal data shown"
                );
            }
        }
        let r = env
            .api(Method::GET, &format!("/api/v1/groups/{id}"), None, None)
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "{n}: anonymous gets no records"
        );
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{INSIDE}/networks"),
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{n}");
        let r = env
            .api(
                Method::GET,
                &format!("/api/v1/regions/{INSIDE}/screening"),
                None,
                None,
            )
            .await;
        assert_eq!(
            r.json()["groups"],
            json!([]),
            "{n}: anonymous screening lists no groups"
        );
        let r = env.page(&format!("/groups/{id}"), Some("enumerator")).await;
        assert!(
            r.text.contains("081234567890"),
            "{n}: the enumerator of the region sees it"
        );
    }
}
