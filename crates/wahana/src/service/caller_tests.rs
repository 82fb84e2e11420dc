//! The permission matrix, asked of the use cases themselves: every kind of caller (the command
//! line's operator, each role inside and outside its region, an anonymous visitor) against
//! every write and every record read, on SQLite and on PostgreSQL. The web tests check only
//! that the answers map to their HTTP statuses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::ServiceError;
use super::caller::Caller;
use super::testing::stores;
use super::users::{Principal, Role};
use super::{actors, groups, review, users, waves};
use std::collections::HashMap;
use wahana_domain::{RegionCode, RegionTree};
use wahana_store::{GroupFilter, Store, StoreError};

/// A village of Kecamatan Tanete Riattang (73.08.21).
const INSIDE: &str = "73.08.21.1003";
const PASSWORD: &str = "kata-sandi-uji";

/// The wave `w1`, open, that the records of a test go into.
async fn open_wave(store: &Store, op: &Caller) {
    waves::add(
        store,
        op,
        &waves::WaveInput {
            id: Some("w1".into()),
            name: Some("Pendataan uji".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
}

fn person(name: &str, role: Role, region: Option<&str>) -> Caller {
    Caller::web(Some(&Principal {
        id: 1,
        name: name.to_string(),
        role,
        region: region.map(|r| RegionCode::parse(r).unwrap()),
    }))
}

/// Every kind of caller: name, caller, works inside 73.08.21.
fn callers() -> Vec<(&'static str, Caller)> {
    vec![
        ("operator", Caller::cli()),
        ("admin", person("admin", Role::Admin, None)),
        (
            "officer",
            person("officer", Role::Officer, Some("73.08.21")),
        ),
        (
            "enumerator",
            person("enumerator", Role::Enumerator, Some("73.08.21")),
        ),
        ("viewer", person("viewer", Role::Viewer, Some("73.08.21"))),
        (
            "officer_away",
            person("officer_away", Role::Officer, Some("73.08.22")),
        ),
        ("anonymous", Caller::Anonymous),
    ]
}

/// What a use case answered, as the matrix names it.
fn outcome<T>(r: &Result<T, ServiceError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(ServiceError::Forbidden { .. }) => "forbidden",
        Err(ServiceError::NotFound { .. }) => "missing",
        Err(ServiceError::Store(StoreError::Refused(wahana_store::Refusal::ActorNotFound {
            ..
        }))) => "missing",
        Err(ServiceError::Unauthenticated) => "sign_in",
        Err(e) => panic!(
            "unexpected refusal: {e:?} {}",
            e.message(wahana_domain::Lang::En)
        ),
    }
}

fn group_fields(name: &str) -> HashMap<&'static str, String> {
    [
        ("kode_wilayah", INSIDE),
        ("nama", name),
        ("jenis", "arisan"),
        ("asal", "tumbuh_masyarakat"),
        ("tahun_berdiri", "1990"),
        ("ketua", "Ibu Rahasia"),
        ("telepon", "081234567890"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

fn fields(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

/// The expected answer of each caller, in the order of [`callers`].
fn expect(row: [&'static str; 7]) -> HashMap<&'static str, &'static str> {
    callers().iter().map(|(n, _)| *n).zip(row).collect()
}

#[tokio::test]
async fn every_caller_against_every_use_case() {
    for (db, store, _dir) in stores().await {
        let op = Caller::cli();
        open_wave(&store, &op).await;
        let group = |name: &str| {
            let store = store.clone();
            let op = op.clone();
            let f = group_fields(name);
            async move {
                groups::add(&store, &op, &f, Some("w1"), true)
                    .await
                    .unwrap()
                    .group
                    .id
            }
        };
        let held = group("Arisan Uji").await;
        let other = group("Arisan Lain").await;

        //                      operator admin  officer enumerator viewer away  anonymous
        let cases: Vec<(&str, HashMap<&str, &str>)> = vec![
            (
                "add group",
                expect(["ok", "ok", "ok", "ok", "forbidden", "forbidden", "sign_in"]),
            ),
            (
                "show group",
                expect(["ok", "ok", "ok", "ok", "ok", "missing", "sign_in"]),
            ),
            (
                "edit group",
                expect(["ok", "ok", "ok", "ok", "forbidden", "missing", "sign_in"]),
            ),
            (
                "delete group",
                expect([
                    "ok",
                    "ok",
                    "ok",
                    "forbidden",
                    "forbidden",
                    "missing",
                    "sign_in",
                ]),
            ),
            (
                "members",
                expect(["ok", "ok", "ok", "ok", "forbidden", "missing", "sign_in"]),
            ),
            (
                "add member",
                expect(["ok", "ok", "ok", "ok", "forbidden", "missing", "sign_in"]),
            ),
            (
                "add network",
                expect([
                    "ok",
                    "ok",
                    "ok",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "sign_in",
                ]),
            ),
            (
                "add tie",
                expect([
                    "ok",
                    "ok",
                    "ok",
                    "forbidden",
                    "forbidden",
                    "missing",
                    "sign_in",
                ]),
            ),
            (
                "delete tie",
                expect([
                    "ok",
                    "ok",
                    "ok",
                    "forbidden",
                    "forbidden",
                    "missing",
                    "sign_in",
                ]),
            ),
            (
                "import",
                expect(["ok", "ok", "ok", "forbidden", "forbidden", "ok", "sign_in"]),
            ),
            (
                "add wave",
                expect([
                    "ok",
                    "ok",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "sign_in",
                ]),
            ),
            (
                "add user",
                expect([
                    "ok",
                    "ok",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "forbidden",
                    "sign_in",
                ]),
            ),
            (
                "review",
                expect(["ok", "ok", "ok", "forbidden", "forbidden", "ok", "sign_in"]),
            ),
        ];
        for (i, (name, caller)) in callers().into_iter().enumerate() {
            let fresh = group(&format!("Arisan Hapus {i}")).await;
            let mut got: HashMap<&str, &'static str> = HashMap::new();
            got.insert(
                "add group",
                outcome(
                    &groups::add(
                        &store,
                        &caller,
                        &group_fields(&format!("Baru {name}")),
                        Some("w1"),
                        true,
                    )
                    .await,
                ),
            );
            let shown = groups::show(&store, &caller, &held, None).await;
            // Personal data only to those whose role and region allow it.
            if let Ok(g) = &shown {
                let personal = matches!(name, "operator" | "admin" | "officer" | "enumerator");
                assert_eq!(g.group.chair.is_some(), personal, "{db} {name} chair");
                assert_eq!(g.group.phone.is_some(), personal, "{db} {name} phone");
            }
            got.insert("show group", outcome(&shown));
            got.insert(
                "edit group",
                outcome(
                    &groups::edit(
                        &store,
                        &caller,
                        &held,
                        None,
                        &[("catatan".to_string(), name.to_string())],
                        None,
                    )
                    .await,
                ),
            );
            got.insert(
                "delete group",
                outcome(&groups::delete(&store, &caller, &fresh, None).await),
            );
            got.insert(
                "members",
                outcome(&actors::members(&store, &caller, &held).await),
            );
            got.insert(
                "add member",
                outcome(
                    &actors::add_member(
                        &store,
                        &caller,
                        &held,
                        &format!("Anggota {name}"),
                        None,
                        None,
                    )
                    .await,
                ),
            );
            got.insert(
                "add network",
                outcome(
                    &actors::add::<wahana_domain::Network>(
                        &store,
                        &caller,
                        &fields(&[
                            ("kode_wilayah", INSIDE),
                            ("nama", &format!("Wahana {name}")),
                            ("tingkat", "desa"),
                        ]),
                        Some("w1"),
                    )
                    .await,
                ),
            );
            let tie_fields = fields(&[
                ("dari", &held),
                ("ke", &other),
                ("jenis_ikatan", "koordinasi"),
            ]);
            let added = actors::add_tie(&store, &caller, &tie_fields, Some("w1"), false).await;
            got.insert("add tie", outcome(&added));
            // A tie held for the delete: the operator's.
            let tie = match added {
                Ok(t) => t.id,
                Err(_) => {
                    actors::add_tie(&store, &op, &tie_fields, Some("w1"), false)
                        .await
                        .unwrap()
                        .id
                }
            };
            got.insert(
                "delete tie",
                outcome(&actors::delete_tie(&store, &caller, tie).await),
            );
            if got["delete tie"] != "ok" {
                actors::delete_tie(&store, &op, tie).await.unwrap();
            }
            let scope = caller.import_scope();
            got.insert("import", outcome(&scope));
            if let Ok(scope) = scope {
                let expected = match name {
                    "officer" => Some("73.08.21"),
                    "officer_away" => Some("73.08.22"),
                    _ => None,
                };
                assert_eq!(
                    scope.map(|c| c.to_string()).as_deref(),
                    expected,
                    "{db} {name}"
                );
            }
            got.insert(
                "add wave",
                outcome(
                    &waves::add(
                        &store,
                        &caller,
                        &waves::WaveInput {
                            id: Some(format!("w-{name}")),
                            name: Some(format!("Pendataan {name}")),
                            ..Default::default()
                        },
                    )
                    .await,
                ),
            );
            got.insert(
                "add user",
                outcome(
                    &users::add(
                        &store,
                        &caller,
                        &format!("u-{name}"),
                        PASSWORD,
                        "viewer",
                        None,
                    )
                    .await,
                ),
            );
            got.insert(
                "review",
                outcome(&review::list(&store, &caller, "w1", None, true).await),
            );
            for (case, want) in &cases {
                assert_eq!(
                    got[case], want[name],
                    "{db}: {name} / {case}: got {}, expected {}",
                    got[case], want[name]
                );
            }
        }

        // A list without a region is held to the caller's own region; another region's is
        // refused; the operator and admins see every region.
        let away = RegionTree::official()
            .villages_under(&RegionCode::parse("73.08.22").unwrap())
            .next()
            .unwrap()
            .code
            .to_string();
        let mut f = group_fields("Arisan Jauh");
        f.insert("kode_wilayah", away.clone());
        groups::add(&store, &op, &f, Some("w1"), true)
            .await
            .unwrap();
        for (name, caller) in callers() {
            let all = groups::list(&store, &caller, &GroupFilter::default(), 1000, 0).await;
            match name {
                "anonymous" => assert_eq!(outcome(&all), "sign_in"),
                "operator" | "admin" => {
                    let (list, _) = all.unwrap();
                    assert!(
                        list.iter().any(|g| g.group.village.to_string() == away),
                        "{db} {name}"
                    );
                }
                _ => {
                    let (list, total) = all.unwrap();
                    let root = if name == "officer_away" {
                        "73.08.22"
                    } else {
                        "73.08.21"
                    };
                    assert!(total > 0, "{db} {name}");
                    assert!(
                        list.iter()
                            .all(|g| g.group.village.to_string().starts_with(root)),
                        "{db} {name}: a list without a region goes beyond {root}"
                    );
                    let elsewhere = GroupFilter {
                        region: Some(
                            RegionCode::parse(if root == "73.08.21" {
                                "73.08.22"
                            } else {
                                "73.08.21"
                            })
                            .unwrap(),
                        ),
                        ..GroupFilter::default()
                    };
                    assert_eq!(
                        outcome(&groups::list(&store, &caller, &elsewhere, 10, 0).await),
                        "forbidden",
                        "{db} {name}"
                    );
                }
            }
        }
        // Who did it is the caller, in the audit trail.
        let trail = store.audit_of("kelompok", &held, 100).await.unwrap();
        for who in ["web:officer", "web:enumerator", "web:admin"] {
            assert!(
                trail.iter().any(|e| e.actor == who),
                "{db}: {who} not in the trail"
            );
        }
        assert!(
            trail.iter().any(|e| e.actor.starts_with("cli:")),
            "{db}: the operator"
        );
        assert!(
            !trail
                .iter()
                .any(|e| e.actor == "web:viewer" || e.actor == "web:officer_away"),
            "{db}: a refused write left an entry"
        );
    }
}

/// A save over somebody else's newer save is refused naming the kind of record it is about.
#[tokio::test]
async fn a_conflict_names_the_kind_of_record() {
    for (db, store, _dir) in stores().await {
        let op = Caller::cli();
        open_wave(&store, &op).await;
        let n = actors::add::<wahana_domain::Network>(
            &store,
            &op,
            &fields(&[
                ("kode_wilayah", INSIDE),
                ("nama", "Wahana Uji"),
                ("tingkat", "desa"),
            ]),
            Some("w1"),
        )
        .await
        .unwrap();
        let id = n.record.id.clone();
        let change = |name: &str| vec![("nama".to_string(), name.to_string())];
        actors::edit::<wahana_domain::Network>(&store, &op, &id, &change("Satu"), Some(n.version))
            .await
            .unwrap();
        let e = actors::edit::<wahana_domain::Network>(
            &store,
            &op,
            &id,
            &change("Dua"),
            Some(n.version),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), wahana_domain::ErrorCode::EditConflict, "{db}");
        let api = crate::web::errors::ApiError::from(e);
        let en = api.message(wahana_domain::Lang::En);
        let id_msg = api.message(wahana_domain::Lang::Id);
        assert!(
            en.starts_with(&format!("network {id} was changed")),
            "{db}: {en}"
        );
        assert!(
            id_msg.starts_with(&format!("wahana {id} telah diubah")),
            "{db}: {id_msg}"
        );
        assert!(!en.contains("group"), "{db}: {en}");
    }
}
