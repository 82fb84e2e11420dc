//! Waves managed on purpose: created (never over another), edited, closed and reopened,
//! deleted only when empty unless forced; what each holds; the default wave of a region and
//! the wave a new record goes into.

use crate::actors::{group, institution, network, tie};
use crate::harness::backends;
use wahana_domain::codes::{GroupStatus, TieType};
use wahana_domain::{Date, RegionCode, Wave, WaveMethod};
use wahana_store::{Refusal, Store, StoreError, WaveContents};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn wave(id: &str, start: Option<Date>, end: Option<Date>) -> Wave {
    Wave {
        id: id.into(),
        name: format!("Pendataan {id}"),
        region: Some(code("73.08.21")),
        start_date: start,
        end_date: end,
        source: Some("Dinas Sosial".into()),
        synthetic: false,
        enumerators: None,
        closed: false,
        method: Some(WaveMethod::Census),
        run_by: Some("Dinas Sosial Kabupaten Bone".into()),
    }
}

fn d(y: i32, m: u8, day: u8) -> Option<Date> {
    Date::new(y, m, day)
}

async fn audit_count(s: &Store, id: &str) -> usize {
    s.audit_of("pendataan", id, 100).await.unwrap().len()
}

fn ids(waves: &[Wave]) -> Vec<&str> {
    waves.iter().map(|w| w.id.as_str()).collect()
}

#[tokio::test]
async fn waves_are_created_edited_closed_and_reopened_with_their_audit() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let w = wave("w2007", d(2007, 8, 1), d(2007, 8, 31));
        s.create_wave(&w, "cli:test").await.unwrap();
        assert_eq!(s.wave("w2007").await.unwrap().unwrap(), w, "{n}");
        // A second creation with the same id replaces nothing.
        let mut other = w.clone();
        other.name = "Lain".into();
        match s.create_wave(&other, "cli:test").await {
            Err(StoreError::Refused(Refusal::WaveExists { wave })) => assert_eq!(wave, "w2007"),
            e => panic!("{n}: {e:?}"),
        }
        assert_eq!(s.wave("w2007").await.unwrap().unwrap().name, w.name, "{n}");

        let mut edited = w.clone();
        edited.name = "Pendataan Tanete 2007".into();
        edited.method = Some(WaveMethod::Sample);
        edited.source = None;
        let held = s.update_wave(&edited, "cli:test").await.unwrap();
        assert_eq!(held, edited, "{n}");
        assert_eq!(s.wave("w2007").await.unwrap().unwrap(), edited, "{n}");

        s.save_groups(
            "w2007",
            &[group("g1", "73.08.21.1001", GroupStatus::Active, None)],
        )
        .await
        .unwrap();
        let closed = s.set_wave_closed("w2007", true, "cli:test").await.unwrap();
        assert!(closed.closed, "{n}");
        assert!(s.wave("w2007").await.unwrap().unwrap().closed, "{n}");
        // Closed: no write into it, its description included, and no delete.
        let g2 = group("g2", "73.08.21.1001", GroupStatus::Active, None);
        for refused in [
            s.save_groups("w2007", std::slice::from_ref(&g2))
                .await
                .map(|_| ()),
            s.update_wave(&edited, "cli:test").await.map(|_| ()),
            s.delete_wave_checked("w2007", true, "cli:test")
                .await
                .map(|_| ()),
        ] {
            match refused {
                Err(StoreError::Refused(Refusal::WaveClosed { wave })) => {
                    assert_eq!(wave, "w2007", "{n}")
                }
                e => panic!("{n}: {e:?}"),
            }
        }
        assert_eq!(s.group_in("g2", "w2007").await.unwrap(), None, "{n}");
        // Closing again changes nothing and writes no entry.
        let entries = audit_count(s, "w2007").await;
        s.set_wave_closed("w2007", true, "cli:test").await.unwrap();
        assert_eq!(audit_count(s, "w2007").await, entries, "{n}");

        let open = s.set_wave_closed("w2007", false, "cli:test").await.unwrap();
        assert!(!open.closed, "{n}");
        s.save_groups("w2007", std::slice::from_ref(&g2))
            .await
            .unwrap();
        assert!(s.group_in("g2", "w2007").await.unwrap().is_some(), "{n}");

        // create, update, close, reopen: one entry each, newest first, by whom.
        let trail = s.audit_of("pendataan", "w2007", 100).await.unwrap();
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["update", "update", "update", "create"],
            "{n}"
        );
        assert!(trail.iter().all(|e| e.actor == "cli:test"), "{n}");
        assert!(
            trail[0]
                .after
                .as_deref()
                .unwrap()
                .contains("\"closed\":false"),
            "{n}: {:?}",
            trail[0].after
        );
        assert!(
            trail[1]
                .after
                .as_deref()
                .unwrap()
                .contains("\"closed\":true"),
            "{n}"
        );
        assert_eq!(trail[0].region_code.as_deref(), Some("73.08.21"), "{n}");

        for missing in [
            s.set_wave_closed("nowhere", true, "cli:test")
                .await
                .map(|_| ()),
            s.update_wave(&wave("nowhere", None, None), "cli:test")
                .await
                .map(|_| ()),
            s.delete_wave_checked("nowhere", false, "cli:test")
                .await
                .map(|_| ()),
        ] {
            match missing {
                Err(StoreError::NotFound { id, .. }) => assert_eq!(id, "nowhere", "{n}"),
                e => panic!("{n}: {e:?}"),
            }
        }
        assert_eq!(s.wave("nowhere").await.unwrap(), None, "{n}");
    }
}

/// Fills a wave with groups in two villages, a network, an institution and a tie.
async fn fill(s: &Store, wave: &str, prefix: &str) {
    let mut batch = s.begin().await.unwrap();
    batch
        .save_groups(
            wave,
            &[
                group(
                    &format!("{prefix}a"),
                    "73.08.21.1001",
                    GroupStatus::Active,
                    None,
                ),
                group(
                    &format!("{prefix}b"),
                    "73.08.21.1001",
                    GroupStatus::Active,
                    None,
                ),
                group(
                    &format!("{prefix}c"),
                    "73.08.21.1002",
                    GroupStatus::Active,
                    None,
                ),
            ],
            &[],
        )
        .await
        .unwrap();
    batch
        .save_actors(wave, &[network(&format!("{prefix}n"), "73.08.21.1001")])
        .await
        .unwrap();
    batch
        .save_actors(wave, &[institution(&format!("{prefix}l"), "73.08.21")])
        .await
        .unwrap();
    batch
        .save_ties(
            wave,
            &[tie(
                &format!("{prefix}a"),
                &format!("{prefix}l"),
                TieType::Coordination,
            )],
        )
        .await
        .unwrap();
    batch.commit().await.unwrap();
}

#[tokio::test]
async fn a_wave_holding_records_is_deleted_only_when_forced_and_then_whole() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        for id in ["w1", "w2", "empty"] {
            s.create_wave(&wave(id, d(2007, 8, 1), None), "cli:test")
                .await
                .unwrap();
        }
        fill(s, "w1", "x").await;
        fill(s, "w2", "y").await;
        // One group observed in both waves: it stays, with its observation in w2.
        s.save_groups(
            "w2",
            &[group("xa", "73.08.21.1001", GroupStatus::Active, None)],
        )
        .await
        .unwrap();
        let held = WaveContents {
            groups: 3,
            villages: 2,
            networks: 1,
            institutions: 1,
            ties: 1,
        };
        assert_eq!(s.wave_contents("w1").await.unwrap(), held, "{n}");
        let before = s.counts().await.unwrap();

        match s.delete_wave_checked("w1", false, "cli:test").await {
            Err(StoreError::Refused(Refusal::WaveNotEmpty { wave, contents })) => {
                assert_eq!((wave.as_str(), contents), ("w1", held), "{n}")
            }
            e => panic!("{n}: {e:?}"),
        }
        let after = s.counts().await.unwrap();
        assert_eq!(
            (
                after.waves,
                after.groups,
                after.networks,
                after.institutions,
                after.ties
            ),
            (
                before.waves,
                before.groups,
                before.networks,
                before.institutions,
                before.ties
            ),
            "{n}: a refused delete writes nothing"
        );
        assert_eq!(audit_count(s, "w1").await, 1, "{n}: the creation only");

        assert_eq!(
            s.delete_wave_checked("w1", true, "cli:test").await.unwrap(),
            held,
            "{n}"
        );
        assert_eq!(s.wave("w1").await.unwrap(), None, "{n}");
        assert_eq!(
            s.wave_contents("w1").await.unwrap(),
            WaveContents::default()
        );
        let after = s.counts().await.unwrap();
        assert_eq!(
            (
                after.waves,
                after.groups,
                after.networks,
                after.institutions,
                after.ties
            ),
            (
                before.waves - 1,
                before.groups - 3,
                before.networks - 1,
                before.institutions - 1,
                before.ties - 1
            ),
            "{n}"
        );
        // Groups only w1 observed are gone whole; the one w2 observes too stays there.
        assert_eq!(s.group("xb").await.unwrap(), None, "{n}");
        assert_eq!(s.group("xa").await.unwrap().unwrap().wave_id, "w2", "{n}");
        assert!(s.group_in("ya", "w2").await.unwrap().is_some(), "{n}");
        // Its tallies went with it: w2's are as before.
        assert_eq!(s.wave_contents("w2").await.unwrap().groups, 4, "{n}");
        let trail = s.audit_of("pendataan", "w1", 10).await.unwrap();
        assert_eq!(trail[0].action, "delete", "{n}");
        assert!(trail[0].before.as_deref().unwrap().contains("Pendataan w1"));

        // An empty wave goes without being forced.
        assert_eq!(
            s.delete_wave_checked("empty", false, "cli:test")
                .await
                .unwrap(),
            WaveContents::default(),
            "{n}"
        );
        assert_eq!(s.wave("empty").await.unwrap(), None, "{n}");
    }
}

#[tokio::test]
async fn the_default_wave_is_the_latest_holding_the_regions_groups() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let village_a = code("73.08.21.1001");
        let village_b = code("73.08.21.1002");
        let district = code("73.08.21");
        // 2007 (a period), 2026 (a date), an empty later wave, and an undated one.
        s.create_wave(&wave("w2007", d(2007, 8, 1), d(2007, 8, 31)), "t")
            .await
            .unwrap();
        s.create_wave(&wave("w2026", d(2026, 8, 1), None), "t")
            .await
            .unwrap();
        s.create_wave(&wave("w2030", d(2030, 1, 1), None), "t")
            .await
            .unwrap();
        s.create_wave(&wave("undated", None, None), "t")
            .await
            .unwrap();
        assert_eq!(s.default_wave(Some(&village_a)).await.unwrap(), None, "{n}");
        assert_eq!(s.default_wave(None).await.unwrap(), None, "{n}");

        fill(s, "w2007", "a").await;
        s.save_groups(
            "w2026",
            &[group("aa", "73.08.21.1001", GroupStatus::Active, None)],
        )
        .await
        .unwrap();
        s.save_groups(
            "undated",
            &[group("u1", "73.08.21.1002", GroupStatus::Active, None)],
        )
        .await
        .unwrap();
        let default = |r: Option<RegionCode>| async move {
            s.default_wave(r.as_ref()).await.unwrap().map(|w| w.id)
        };
        assert_eq!(
            default(Some(village_a.clone())).await.as_deref(),
            Some("w2026"),
            "{n}"
        );
        assert_eq!(
            default(Some(village_b.clone())).await.as_deref(),
            Some("w2007"),
            "{n}"
        );
        assert_eq!(
            default(Some(district.clone())).await.as_deref(),
            Some("w2026"),
            "{n}"
        );
        assert_eq!(default(None).await.as_deref(), Some("w2026"), "{n}");
        assert_eq!(default(Some(code("73.08.22"))).await, None, "{n}");
        assert_eq!(
            ids(&s.waves_holding(Some(&village_b)).await.unwrap()),
            ["w2007", "undated"],
            "{n}"
        );
        assert_eq!(
            ids(&s.waves_holding(Some(&district)).await.unwrap()),
            ["w2026", "w2007", "undated"],
            "{n}"
        );

        // Stable: an edit in the older wave does not make it the default.
        s.save_groups(
            "w2007",
            &[group("a9", "73.08.21.1001", GroupStatus::Active, None)],
        )
        .await
        .unwrap();
        assert_eq!(
            default(Some(village_a.clone())).await.as_deref(),
            Some("w2026"),
            "{n}"
        );
        // A wave whose last group there goes no longer holds the village.
        assert!(
            s.delete_group("aa", Some("w2026"), "t").await.unwrap(),
            "{n}"
        );
        assert_eq!(
            default(Some(village_a.clone())).await.as_deref(),
            Some("w2007"),
            "{n}"
        );

        // Same date: the greater id is the later.
        s.create_wave(&wave("w2007b", d(2007, 8, 31), None), "t")
            .await
            .unwrap();
        s.save_groups(
            "w2007b",
            &[group("b1", "73.08.21.1002", GroupStatus::Active, None)],
        )
        .await
        .unwrap();
        assert_eq!(
            default(Some(village_b.clone())).await.as_deref(),
            Some("w2007b"),
            "{n}"
        );

        // The wave a new record goes into: the latest open one holding the region, else the
        // latest open one at all.
        let open = |r: Option<RegionCode>| async move {
            s.latest_open_wave(r.as_ref()).await.unwrap().map(|w| w.id)
        };
        assert_eq!(
            open(Some(village_b.clone())).await.as_deref(),
            Some("w2007b"),
            "{n}"
        );
        s.set_wave_closed("w2007b", true, "t").await.unwrap();
        assert_eq!(
            open(Some(village_b.clone())).await.as_deref(),
            Some("w2007"),
            "{n}"
        );
        // The closed wave is still the one shown.
        assert_eq!(
            default(Some(village_b.clone())).await.as_deref(),
            Some("w2007b"),
            "{n}"
        );
        assert_eq!(
            open(Some(code("73.08.22"))).await.as_deref(),
            Some("w2030"),
            "{n}"
        );
        for w in ["w2007", "w2026", "w2030", "undated"] {
            s.set_wave_closed(w, true, "t").await.unwrap();
        }
        assert_eq!(open(Some(village_b.clone())).await, None, "{n}");
        assert_eq!(open(None).await, None, "{n}");
    }
}
