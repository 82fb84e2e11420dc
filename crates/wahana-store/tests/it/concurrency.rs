//! Writes at the same time, on both databases: two saves of one version of a group, ids drawn
//! at once, the same tie inserted both ways round at once.

use crate::actors::{group, seed, tie};
use crate::harness::backends;
use std::collections::HashSet;
use wahana_domain::codes::{GroupStatus, TieType};
use wahana_store::{Refusal, StoreError};

/// Two edits of one group from the same version at once: exactly one is saved, the other is
/// refused as a conflict, and the audit trail has one entry of an update.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_edits_of_one_group_at_once_one_wins() {
    for db in backends().await {
        let n = db.name;
        seed(&db.store).await;
        for round in 0..5 {
            let held = db.store.group("g1").await.unwrap().unwrap();
            let mut a = held.group.clone();
            a.name = format!("Kelompok A {round}");
            let mut b = held.group.clone();
            b.name = format!("Kelompok B {round}");
            let (sa, sb) = (db.store.clone(), db.store.clone());
            let v = held.version;
            let (ra, rb) = tokio::join!(
                tokio::spawn(async move { sa.update_group(&a, "w1", v, "web:a").await }),
                tokio::spawn(async move { sb.update_group(&b, "w1", v, "web:b").await }),
            );
            let results = [ra.unwrap(), rb.unwrap()];
            let saved: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
            assert_eq!(saved.len(), 1, "{n}: {results:?}");
            assert!(
                results
                    .iter()
                    .any(|r| matches!(r, Err(StoreError::Conflict { .. }))),
                "{n}: {results:?}"
            );
            let now = db.store.group("g1").await.unwrap().unwrap();
            assert_eq!(now.version, v + 1, "{n}");
            assert_eq!(now.group.name, saved[0].group.name, "{n}");
        }
        let updates = db
            .store
            .audit_of("kelompok", "g1", 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "update")
            .count();
        assert_eq!(updates, 5, "{n}: one entry per round");
    }
}

/// Groups without an id added at once in one village each get an id of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ids_drawn_at_once_are_distinct() {
    const N: usize = 12;
    for db in backends().await {
        let n = db.name;
        seed(&db.store).await;
        let mut tasks = Vec::new();
        for i in 0..N {
            let s = db.store.clone();
            let mut g = group("", "73.08.21.1003", GroupStatus::Active, None);
            g.name = format!("Kelompok Serentak {i}");
            tasks.push(tokio::spawn(async move {
                s.insert_group("w1", &g, "web:uji").await
            }));
        }
        let mut ids = HashSet::new();
        for t in tasks {
            let stored = t.await.unwrap().unwrap_or_else(|e| panic!("{n}: {e}"));
            assert!(
                stored.group.id.starts_with("K-7308211003-"),
                "{n}: {}",
                stored.group.id
            );
            ids.insert(stored.group.id);
        }
        assert_eq!(ids.len(), N, "{n}: {ids:?}");
        for id in &ids {
            assert!(db.store.group(id).await.unwrap().is_some(), "{n}: {id}");
        }
    }
}

/// The same tie inserted at once, one each way round: one is held, the other refused
/// (`tie_exists`), and the audit trail has one entry of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_tie_both_ways_at_once_is_held_once() {
    for db in backends().await {
        let n = db.name;
        seed(&db.store).await;
        for (round, t) in [TieType::Coordination, TieType::Funding, TieType::Referral]
            .into_iter()
            .enumerate()
        {
            let (sa, sb) = (db.store.clone(), db.store.clone());
            let (forth, back) = (tie("g1", "l1", t), tie("l1", "g1", t));
            let (ra, rb) = tokio::join!(
                tokio::spawn(async move { sa.insert_tie("w1", &forth, "web:a").await }),
                tokio::spawn(async move { sb.insert_tie("w1", &back, "web:b").await }),
            );
            let results = [ra.unwrap(), rb.unwrap()];
            assert_eq!(
                results.iter().filter(|r| r.is_ok()).count(),
                1,
                "{n} round {round}: {results:?}"
            );
            assert!(
                results
                    .iter()
                    .any(|r| matches!(r, Err(StoreError::Refused(Refusal::TieExists { .. })))),
                "{n}: {results:?}"
            );
        }
        let ties = db.store.ties_of("g1").await.unwrap();
        let with_l1 = ties
            .iter()
            .filter(|t| t.tie.from == "l1" || t.tie.to == "l1")
            .count();
        assert_eq!(with_l1, 3, "{n}: {ties:?}");
        let created = wahana_store::on_pool!(db.store.pool(), p => {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM audit WHERE entity_kind = 'ikatan' AND action = 'create'",
            )
            .fetch_one(p)
            .await
            .unwrap()
        });
        assert_eq!(created, 3, "{n}");
    }
}
