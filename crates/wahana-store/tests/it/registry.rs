use crate::harness::backends;
use wahana_domain::codes::{GroupStatus, GroupType, LocalUnitKind, TieType};
use wahana_domain::demo::{self, TANETE_DENSITY};
use wahana_domain::registry::duplicate_key;
use wahana_domain::{Group, LocalUnit, RegionCode, RegionTree, Tie, Wave};
use wahana_store::{ActorKind, GroupFilter, Refusal, Store, StoreError};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// The demonstration data of two kelurahan, saved into the demo wave.
async fn seed(store: &Store) -> (Wave, Vec<Group>) {
    let wave = demo::demo_wave(false);
    store.save_wave(&wave).await.unwrap();
    let tree = RegionTree::official();
    let mut serial = 0;
    let mut groups = Vec::new();
    for v in ["73.08.21.1001", "73.08.21.1002"] {
        let region = tree.get(&code(v)).unwrap();
        let d = demo::generate_village(region, 1, TANETE_DENSITY, &wave, &mut serial);
        let mut batch = store.begin().await.unwrap();
        batch.save_actors(&wave.id, &d.networks).await.unwrap();
        batch.save_actors(&wave.id, &d.institutions).await.unwrap();
        batch.save_groups(&wave.id, &d.groups, &[]).await.unwrap();
        batch.save_ties(&wave.id, &d.ties).await.unwrap();
        batch.commit().await.unwrap();
        groups.extend(d.groups);
    }
    (wave, groups)
}

#[test]
fn migrations_come_in_pairs() {
    let names = |dir: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{dir}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    let sqlite = names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, names("postgres"));
}

#[tokio::test]
async fn region_tree_is_loaded_once() {
    for db in backends().await {
        let c = db.store.counts().await.unwrap();
        assert_eq!(c.regions, 38 + 514 + 7285 + 83_762, "{}", db.name);
        let again = db
            .store
            .ensure_regions(RegionTree::official())
            .await
            .unwrap();
        assert_eq!(again, 0, "{}: second load must write nothing", db.name);
    }
}

#[tokio::test]
async fn groups_round_trip_and_filter() {
    for db in backends().await {
        let s = &db.store;
        let (wave, groups) = seed(s).await;
        let first = &groups[0];
        let held = s.group(&first.id).await.unwrap().unwrap();
        assert_eq!(&held.group, first, "{}", db.name);
        assert_eq!(held.wave_id, wave.id);
        assert_eq!(held.version, 1);

        let count = |f: GroupFilter| async move { s.count_groups(&f).await.unwrap() };
        let all = GroupFilter::default();
        assert_eq!(count(all.clone()).await, groups.len() as i64, "{}", db.name);
        for (prefix, want) in [
            ("73", groups.len()),
            ("73.08", groups.len()),
            ("73.08.21", groups.len()),
            (
                "73.08.21.1001",
                groups
                    .iter()
                    .filter(|g| g.village.as_str() == "73.08.21.1001")
                    .count(),
            ),
            ("73.08.22", 0),
            ("11", 0),
        ] {
            let f = GroupFilter {
                region: Some(code(prefix)),
                ..Default::default()
            };
            assert_eq!(count(f).await, want as i64, "{}: region {prefix}", db.name);
        }
        let arisan = groups
            .iter()
            .filter(|g| g.group_type == GroupType::Arisan)
            .count();
        let f = GroupFilter {
            group_type: Some(GroupType::Arisan),
            ..Default::default()
        };
        assert_eq!(count(f).await, arisan as i64, "{}", db.name);
        let bubar = groups
            .iter()
            .filter(|g| g.status == GroupStatus::Dissolved)
            .count();
        let f = GroupFilter {
            status: Some(GroupStatus::Dissolved),
            ..Default::default()
        };
        assert_eq!(count(f).await, bubar as i64, "{}", db.name);
        let f = GroupFilter {
            wave: Some("another".into()),
            ..Default::default()
        };
        assert_eq!(count(f).await, 0, "{}", db.name);
        let f = GroupFilter {
            name: Some(first.name.to_uppercase()),
            ..Default::default()
        };
        assert!(count(f).await >= 1, "{}", db.name);

        let page1 = s.list_groups(&all, 10, 0).await.unwrap();
        let page2 = s.list_groups(&all, 10, 10).await.unwrap();
        assert_eq!(page1.len(), 10);
        assert!(
            page1
                .iter()
                .all(|a| page2.iter().all(|b| a.group.id != b.group.id))
        );
    }
}

#[tokio::test]
async fn edits_from_a_stale_version_are_refused() {
    for db in backends().await {
        let s = &db.store;
        let (wave, groups) = seed(s).await;
        let mut g = groups[3].clone();
        g.name = "Arisan Baru".into();
        let v2 = s
            .update_group(&g, &wave.id, 1, "cli:test")
            .await
            .unwrap()
            .version;
        assert_eq!(v2, 2, "{}", db.name);
        g.name = "Arisan Lain".into();
        match s.update_group(&g, &wave.id, 1, "cli:test").await {
            Err(StoreError::Conflict {
                expected: 1,
                found: 2,
                ..
            }) => {}
            other => panic!("{}: expected a conflict, got {other:?}", db.name),
        }
        assert_eq!(
            s.group(&g.id).await.unwrap().unwrap().group.name,
            "Arisan Baru"
        );
    }
}

#[tokio::test]
async fn a_batch_that_is_not_committed_leaves_nothing() {
    for db in backends().await {
        let s = &db.store;
        let (wave, groups) = seed(s).await;
        let before = s.counts().await.unwrap();
        let mut batch = s.begin().await.unwrap();
        let mut extra = groups[0].clone();
        extra.id = "K-EXTRA-1".into();
        batch.save_groups(&wave.id, &[extra], &[]).await.unwrap();
        batch.rollback().await.unwrap();
        assert_eq!(s.counts().await.unwrap(), before, "{}", db.name);
        // Dropped without commit: the same.
        let mut batch = s.begin().await.unwrap();
        let mut extra = groups[0].clone();
        extra.id = "K-EXTRA-2".into();
        batch.save_groups(&wave.id, &[extra], &[]).await.unwrap();
        drop(batch);
        assert_eq!(s.counts().await.unwrap(), before, "{}", db.name);
    }
}

#[tokio::test]
async fn ties_need_both_ends_and_are_deleted_with_their_group() {
    for db in backends().await {
        let s = &db.store;
        let (wave, groups) = seed(s).await;
        let region = code("73.08.21.1001");
        let ties = s.list_ties(&region, None).await.unwrap();
        assert!(!ties.is_empty(), "{}", db.name);
        assert!(
            ties.iter()
                .any(|t| t.to_kind == ActorKind::Network || t.from_kind == ActorKind::Institution)
        );

        let mut batch = s.begin().await.unwrap();
        let bad = Tie {
            from: groups[0].id.clone(),
            to: "K-NOPE".into(),
            tie_type: TieType::Coordination,
            since: None,
            notes: None,
        };
        match batch.save_ties(&wave.id, &[bad]).await {
            Err(StoreError::Refused(Refusal::ActorNotFound { id })) => assert_eq!(id, "K-NOPE"),
            other => panic!("{}: {other:?}", db.name),
        }
        drop(batch);

        let victim = ties
            .iter()
            .find(|t| t.from_kind == ActorKind::Group)
            .unwrap()
            .tie
            .from
            .clone();
        assert!(s.delete_group(&victim, None, "cli:test").await.unwrap());
        assert!(!s.delete_group(&victim, None, "cli:test").await.unwrap());
        let after = s.list_ties(&region, None).await.unwrap();
        assert!(
            after
                .iter()
                .all(|t| t.tie.from != victim && t.tie.to != victim),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn duplicates_ids_units_and_waves() {
    for db in backends().await {
        let s = &db.store;
        let (wave, groups) = seed(s).await;
        let g = &groups[5];
        let key = duplicate_key(
            &g.village,
            g.group_type,
            &format!("  {}!! ", g.name.to_uppercase()),
        );
        assert_eq!(
            s.groups_with_duplicate_key(&key, &wave.id).await.unwrap(),
            vec![g.id.clone()],
            "{}",
            db.name
        );

        let n = groups
            .iter()
            .filter(|x| x.village.as_str() == "73.08.21.1001")
            .count();
        let mut batch = s.begin().await.unwrap();
        let next = batch
            .allocate_ids("K-7308211001-", 2, &|_| false)
            .await
            .unwrap();
        assert_eq!(
            next,
            [1, 2].map(|k| format!("K-7308211001-{:04}", n + k)),
            "{}",
            db.name
        );
        assert_eq!(
            batch
                .allocate_ids("K-7308211005-", 1, &|_| false)
                .await
                .unwrap(),
            ["K-7308211005-0001"]
        );
        batch.rollback().await.unwrap();

        // A group the wave observes already is not recorded twice in it.
        match s.insert_group(&wave.id, g, "cli:test").await {
            Err(StoreError::Refused(Refusal::AlreadyObserved { kind, id, wave: w })) => {
                assert_eq!(
                    (kind, id, w),
                    (ActorKind::Group, g.id.clone(), wave.id.clone())
                )
            }
            other => panic!("{}: {other:?}", db.name),
        }

        let unit = LocalUnit {
            village: code("73.08.21.1001"),
            kind: LocalUnitKind::Rw,
            name: "RW 03".into(),
        };
        s.add_local_unit(&unit).await.unwrap();
        s.add_local_unit(&unit).await.unwrap();
        assert_eq!(
            s.local_units(&unit.village).await.unwrap(),
            vec![unit.clone()],
            "{}",
            db.name
        );

        assert_eq!(
            s.wave(&wave.id).await.unwrap().unwrap(),
            wave,
            "{}",
            db.name
        );
        assert!(s.waves().await.unwrap().iter().any(|w| w.synthetic));
        let removed = s.delete_wave(&wave.id).await.unwrap();
        assert_eq!(removed, groups.len() as u64, "{}", db.name);
        let c = s.counts().await.unwrap();
        assert_eq!(
            (c.groups, c.ties, c.networks, c.institutions, c.waves),
            (0, 0, 0, 0, 0),
            "{}",
            db.name
        );
    }
}

/// Many additions in one village at once, after ids with letters and with five digits: every
/// one gets an id of its own (none refused as taken), and no earlier record changes.
#[tokio::test]
async fn concurrent_additions_draw_distinct_ids() {
    for db in backends().await {
        let s = &db.store;
        let (wave, groups) = seed(s).await;
        let mut template = groups[0].clone();
        template.village = code("73.08.21.1001");
        let mut odd = Vec::new();
        for (id, name) in [
            ("K-7308211001-ABC", "Huruf"),
            ("K-7308211001-10000", "Lima Angka"),
        ] {
            let mut g = template.clone();
            g.id = id.into();
            g.name = name.into();
            odd.push(s.insert_group(&wave.id, &g, "cli:test").await.unwrap());
        }
        let before = s
            .list_groups(&GroupFilter::default(), 10_000, 0)
            .await
            .unwrap();
        let writers: Vec<_> = (0..24)
            .map(|i| {
                let s = s.clone();
                let wave = wave.id.clone();
                let mut g = template.clone();
                g.id = String::new();
                g.name = format!("Serentak {i}");
                tokio::spawn(async move { s.insert_group(&wave, &g, "api:test").await })
            })
            .collect();
        let mut ids = std::collections::BTreeSet::new();
        for w in writers {
            let stored = w
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{}: {e}", db.name));
            ids.insert(stored.group.id);
        }
        let want: std::collections::BTreeSet<String> = (10_001..10_025)
            .map(|k| format!("K-7308211001-{k}"))
            .collect();
        assert_eq!(ids, want, "{}", db.name);
        let after = s
            .list_groups(&GroupFilter::default(), 10_000, 0)
            .await
            .unwrap();
        for g in &before {
            assert!(after.contains(g), "{}: {} changed", db.name, g.group.id);
        }
        assert_eq!(after.len(), before.len() + 24, "{}", db.name);
    }
}

/// The name filter takes `%` and `_` as themselves and ignores case beyond ASCII, the same on
/// both databases.
#[tokio::test]
async fn name_filter_is_literal_and_unicode() {
    for db in backends().await {
        let s = &db.store;
        let (wave, groups) = seed(s).await;
        let mut made = Vec::new();
        for name in [
            "Tani_Makmur",
            "Diskon 50% Jaya",
            "ÉLOK Sejahtera",
            "back\\slash",
        ] {
            let mut g = groups[0].clone();
            g.id = String::new();
            g.name = name.into();
            made.push(
                s.insert_group(&wave.id, &g, "cli:test")
                    .await
                    .unwrap()
                    .group
                    .id,
            );
        }
        for (part, want) in [
            ("_", vec![0]),
            ("i_m", vec![0]),
            ("%", vec![1]),
            ("0%", vec![1]),
            ("élok", vec![2]),
            ("ÉLOK", vec![2]),
            ("Élok sej", vec![2]),
            ("\\", vec![3]),
        ] {
            let f = GroupFilter {
                name: Some(part.into()),
                ..Default::default()
            };
            let got: Vec<String> = s
                .list_groups(&f, 100, 0)
                .await
                .unwrap()
                .into_iter()
                .map(|g| g.group.id)
                .collect();
            let want: Vec<String> = want.iter().map(|i| made[*i].clone()).collect();
            assert_eq!(got, want, "{}: {part:?}", db.name);
            assert_eq!(s.count_groups(&f).await.unwrap(), want.len() as i64);
        }
    }
}
