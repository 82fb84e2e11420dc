//! The audit trail is written in the transaction of the change it records: a batch that does
//! not commit leaves neither, every one-record write that lands has exactly one entry (with the
//! record as held before and after), and a refused write has none.

use crate::actors::{group, institution, network, seed, tie};
use crate::harness::backends;
use serde::Serialize;
use wahana_domain::codes::{GroupStatus, TieType};
use wahana_domain::member::Member;
use wahana_domain::{Institution, Network};
use wahana_store::{AuditChange, AuditEntry, Store, StoreError};

const ACTOR: &str = "web:petugas";

/// Every entry the store holds, on either database.
async fn entries(s: &Store) -> i64 {
    wahana_store::on_pool!(s.pool(), p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit").fetch_one(p).await.unwrap()
    })
}

/// The only entry of a record.
async fn only_entry(s: &Store, kind: &str, id: &str) -> AuditEntry {
    let mut trail = s.audit_of(kind, id, 10).await.unwrap();
    assert_eq!(trail.len(), 1, "{kind} {id}: {trail:?}");
    trail.remove(0)
}

fn json(v: &impl Serialize) -> Option<String> {
    Some(serde_json::to_string(v).unwrap())
}

fn change(id: &str) -> AuditChange {
    AuditChange {
        actor: ACTOR.into(),
        action: "create",
        entity_kind: "kelompok",
        entity_id: id.into(),
        region_code: Some("73.08.21.1001".into()),
        before: None,
        after: Some("{}".into()),
    }
}

#[tokio::test]
async fn an_entry_lands_with_its_batch_or_not_at_all() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        seed(s).await;
        let before = entries(s).await;
        let g = group("g9", "73.08.21.1001", GroupStatus::Active, None);

        // Dropped without a commit, then rolled back: neither the group nor its entry.
        let mut batch = s.begin().await.unwrap();
        batch
            .save_groups("w1", std::slice::from_ref(&g), &[])
            .await
            .unwrap();
        batch.write_audit(&change("g9")).await.unwrap();
        drop(batch);
        let mut batch = s.begin().await.unwrap();
        batch.write_audit(&change("g9")).await.unwrap();
        batch
            .save_groups("w1", std::slice::from_ref(&g), &[])
            .await
            .unwrap();
        batch.rollback().await.unwrap();
        assert!(s.group("g9").await.unwrap().is_none(), "{n}");
        assert_eq!(entries(s).await, before, "{n}: no entry without its change");

        // Committed: both, the entry once, timed as the batch.
        let mut batch = s.begin().await.unwrap();
        batch
            .save_groups("w1", std::slice::from_ref(&g), &[])
            .await
            .unwrap();
        batch.write_audit(&change("g9")).await.unwrap();
        batch.commit().await.unwrap();
        let held = s.group("g9").await.unwrap().unwrap();
        let e = only_entry(s, "kelompok", "g9").await;
        assert_eq!(entries(s).await, before + 1, "{n}");
        assert_eq!(
            (
                e.actor.as_str(),
                e.action.as_str(),
                e.region_code.as_deref()
            ),
            (ACTOR, "create", Some("73.08.21.1001")),
            "{n}"
        );
        assert_eq!(
            e.at, held.created_at,
            "{n}: the entry's time is the change's"
        );
    }
}

#[tokio::test]
async fn every_write_of_one_record_has_one_entry_with_the_record_as_held() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let start = entries(s).await;
        seed(s).await; // three groups, a network, an institution
        assert_eq!(entries(s).await, start + 5, "{n}");

        // Groups: created, changed, deleted; each entry holds the record as read back.
        let e = only_entry(s, "kelompok", "g1").await;
        let g1 = s.group("g1").await.unwrap().unwrap();
        assert_eq!((e.before, e.after), (None, json(&g1)), "{n}");
        let mut changed = g1.group.clone();
        changed.name = "Kelompok Baru".into();
        let stored = s
            .update_group(&changed, &g1.wave_id, 1, ACTOR)
            .await
            .unwrap();
        let held = s.group("g1").await.unwrap().unwrap();
        assert_eq!(stored, held, "{n}");
        let trail = s.audit_of("kelompok", "g1", 10).await.unwrap();
        assert_eq!(trail.len(), 2, "{n}");
        assert_eq!(trail[0].action, "update", "{n}");
        assert_eq!(
            (trail[0].before.clone(), trail[0].after.clone()),
            (json(&g1), json(&held)),
            "{n}"
        );
        assert!(s.delete_group("g2", None, ACTOR).await.unwrap(), "{n}");
        let trail = s.audit_of("kelompok", "g2", 10).await.unwrap();
        assert_eq!(
            (trail.len(), trail[0].action.as_str()),
            (2, "delete"),
            "{n}"
        );
        assert!(trail[0].before.is_some() && trail[0].after.is_none(), "{n}");

        // Networks and institutions.
        let w1 = s.actor::<Network>("w1").await.unwrap().unwrap();
        assert_eq!(only_entry(s, "wahana", "w1").await.after, json(&w1), "{n}");
        let mut nw = w1.record.clone();
        nw.decree_number = Some("SK-2".into());
        let stored = s.update_actor(&nw, 1, ACTOR).await.unwrap();
        assert_eq!(
            Some(&stored),
            s.actor::<Network>("w1").await.unwrap().as_ref(),
            "{n}"
        );
        let e = &s.audit_of("wahana", "w1", 10).await.unwrap()[0];
        assert_eq!((&e.before, &e.after), (&json(&w1), &json(&stored)), "{n}");
        let l1 = s.actor::<Institution>("l1").await.unwrap().unwrap();
        assert_eq!(only_entry(s, "lembaga", "l1").await.after, json(&l1), "{n}");
        let mut inst = l1.record.clone();
        inst.name = "Kantor Baru".into();
        let stored = s.update_actor(&inst, 1, ACTOR).await.unwrap();
        assert_eq!(
            Some(&stored),
            s.actor::<Institution>("l1").await.unwrap().as_ref(),
            "{n}"
        );

        // Ties: the entry names the number the database gave.
        let t = s
            .insert_tie("w1", &tie("g1", "w1", TieType::Coordination), ACTOR)
            .await
            .unwrap();
        assert_eq!(s.tie(t.id).await.unwrap().as_ref(), Some(&t), "{n}");
        let e = only_entry(s, "ikatan", &t.id.to_string()).await;
        assert_eq!(e.after, json(&t), "{n}");
        assert!(s.delete_tie(t.id, ACTOR).await.unwrap(), "{n}");
        let e = &s.audit_of("ikatan", &t.id.to_string(), 10).await.unwrap()[0];
        assert_eq!((&e.action[..], &e.before), ("delete", &json(&t)), "{n}");

        // Members: the group, its village and the role, never the person, on their addition.
        let m = Member::new("g1", "Andi Baso", Some("ketua"), Some("7308")).unwrap();
        let stored = s.add_member(&m, ACTOR).await.unwrap();
        let held = s.members_of("g1").await.unwrap();
        assert_eq!(held, std::slice::from_ref(&stored), "{n}");
        let e = only_entry(s, "anggota", &stored.id.to_string()).await;
        let trail = r#"{"group_id":"g1","role":"ketua"}"#;
        assert_eq!(e.after.as_deref(), Some(trail), "{n}");
        assert_eq!(e.region_code.as_deref(), Some("73.08.21.1001"), "{n}");
        assert!(s.delete_member(stored.id, ACTOR).await.unwrap(), "{n}");
        let e = &s
            .audit_of("anggota", &stored.id.to_string(), 10)
            .await
            .unwrap()[0];
        // Its delete keeps what restoring needs: the name and the person key too.
        let deleted = format!(
            r#"{{"group_id":"g1","role":"ketua","name":"Andi Baso","person_key":"{}"}}"#,
            stored.member.person_key
        );
        assert_eq!(
            (&e.action[..], e.before.as_deref()),
            ("delete", Some(deleted.as_str()))
        );

        // People: the record without its password.
        let u = s
            .create_user("petugas", "$argon2id$x", "officer", Some("73.08.21"), ACTOR)
            .await
            .unwrap();
        let e = only_entry(s, "pengguna", &u.id.to_string()).await;
        assert_eq!(
            e.after,
            json(&s.user_by_name("petugas").await.unwrap()),
            "{n}"
        );
        assert!(!e.after.unwrap().contains("argon2"), "{n}");

        // Deletes of a network and an institution, with their ties.
        s.insert_tie("w1", &tie("l1", "w1", TieType::Guidance), ACTOR)
            .await
            .unwrap();
        assert!(s.delete_actor::<Network>("w1", ACTOR).await.unwrap(), "{n}");
        assert!(
            s.delete_actor::<Institution>("l1", ACTOR).await.unwrap(),
            "{n}"
        );
        assert_eq!(s.audit_of("wahana", "w1", 10).await.unwrap().len(), 3);
        assert_eq!(s.audit_of("lembaga", "l1", 10).await.unwrap().len(), 3);

        // One entry per change that landed.
        assert_eq!(entries(s).await, start + 5 + 12, "{n}");
    }
}

#[tokio::test]
async fn a_refused_write_has_no_entry() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        seed(s).await;
        s.insert_tie("w1", &tie("g1", "w1", TieType::Coordination), ACTOR)
            .await
            .unwrap();
        s.create_user("petugas", "$argon2id$x", "officer", None, ACTOR)
            .await
            .unwrap();
        let g1 = s.group("g1").await.unwrap().unwrap();
        s.update_group(&g1.group, &g1.wave_id, 1, ACTOR)
            .await
            .unwrap();
        let before = entries(s).await;

        let stale = s.update_group(&g1.group, &g1.wave_id, 1, ACTOR).await;
        assert!(
            matches!(stale, Err(StoreError::Conflict { found: 2, .. })),
            "{n}"
        );
        let missing = group("g404", "73.08.21.1001", GroupStatus::Active, None);
        let gone = s.update_group(&missing, &g1.wave_id, 1, ACTOR).await;
        assert!(matches!(gone, Err(StoreError::NotFound { .. })), "{n}");
        assert!(s.insert_group("w1", &g1.group, ACTOR).await.is_err(), "{n}");
        assert!(!s.delete_group("g404", None, ACTOR).await.unwrap(), "{n}");

        let w1 = network("w1", "73.08.21.1001");
        assert!(s.update_actor(&w1, 7, ACTOR).await.is_err(), "{n}");
        assert!(s.insert_actor("w1", &w1, ACTOR).await.is_err(), "{n}");
        assert!(
            !s.delete_actor::<Network>("w404", ACTOR).await.unwrap(),
            "{n}"
        );
        let l1 = institution("l1", "73.08.21");
        assert!(s.update_actor(&l1, 7, ACTOR).await.is_err(), "{n}");
        assert!(s.insert_actor("w1", &l1, ACTOR).await.is_err(), "{n}");
        assert!(
            !s.delete_actor::<Institution>("l404", ACTOR).await.unwrap(),
            "{n}"
        );

        let again = tie("w1", "g1", TieType::Coordination);
        assert!(s.insert_tie("w1", &again, ACTOR).await.is_err(), "{n}");
        let to_nothing = tie("g1", "zz", TieType::Referral);
        assert!(s.insert_tie("w1", &to_nothing, ACTOR).await.is_err(), "{n}");
        assert!(!s.delete_tie(404, ACTOR).await.unwrap(), "{n}");

        let m = Member::new("g404", "Andi Baso", None, None).unwrap();
        assert!(s.add_member(&m, ACTOR).await.is_err(), "{n}");
        assert!(!s.delete_member(404, ACTOR).await.unwrap(), "{n}");
        let dup = s
            .create_user("petugas", "$argon2id$y", "viewer", None, ACTOR)
            .await;
        assert!(dup.is_err(), "{n}");

        assert_eq!(
            entries(s).await,
            before,
            "{n}: no entry for a refused write"
        );
        assert_eq!(
            s.actor::<Network>("w1").await.unwrap().unwrap().version,
            1,
            "{n}"
        );
    }
}
