//! Batches where SQLite's writer thread could behave differently from a sqlx transaction: a
//! first load (indexes dropped and rebuilt, ids known new, plain inserts), failures of writes
//! that were queued without waiting, batches dropped without a commit, and reads through the
//! pool while a batch writes.

use crate::harness::backends;
use crate::tally::assert_current;
use std::time::Duration;
use wahana_domain::demo::{self, TANETE_DENSITY};
use wahana_domain::screening::RuleSet;
use wahana_domain::{Group, RegionCode, RegionTree, Wave};
use wahana_store::{Backend, GroupFilter, Sharing, Store};

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// The generated groups of some kelurahan of Tanete Riattang, in id order.
fn generated(wave: &Wave, villages: &[&str]) -> Vec<Group> {
    let tree = RegionTree::official();
    let mut serial = 0;
    let mut out = Vec::new();
    for v in villages {
        let d = demo::generate_village(
            tree.get(&code(v)).unwrap(),
            3,
            TANETE_DENSITY,
            wave,
            &mut serial,
        );
        out.extend(d.groups);
    }
    out
}

/// The secondary indexes of `groups` on SQLite (none are dropped on PostgreSQL).
async fn group_indexes(store: &Store) -> Vec<String> {
    let wahana_store::Pool::Sqlite(p) = store.pool() else {
        return Vec::new();
    };
    sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'groups' \
         AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(p)
    .await
    .unwrap()
}

/// Reads through the pool must not wait for a batch's write lock.
async fn soon<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(5), f)
        .await
        .unwrap_or_else(|_| panic!("{what}: a read waited for the writing batch"))
}

#[tokio::test]
async fn a_first_load_keeps_tallies_and_indexes() {
    let seed = RuleSet::seed_2007();
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let w = demo::demo_wave(false);
        let indexes = group_indexes(s).await;
        let all = generated(&w, &["73.08.21.1001", "73.08.21.1002", "73.08.21.1003"]);
        let (first, rest) = all.split_at(all.len() / 2);

        let mut batch = s.begin().await.unwrap();
        batch.save_wave(&w).await.unwrap();
        assert!(batch.groups_empty().await.unwrap(), "{n}");
        let dropped = batch.drop_secondary_group_indexes().await.unwrap();
        assert_eq!(dropped.len(), indexes.len(), "{n}");
        // In id order, then out of order, then an id given twice in one call (the last wins),
        // then ids this batch wrote already (an upsert that sees the batch's own rows).
        batch.save_new_groups(&w.id, first, &[]).await.unwrap();
        let mut shuffled = rest.to_vec();
        shuffled.reverse();
        let mut twice = shuffled.pop().unwrap();
        batch.save_new_groups(&w.id, &shuffled, &[]).await.unwrap();
        let mut again = twice.clone();
        again.name = "Kelompok Diulang".into();
        twice.founded_year = 1999;
        batch
            .save_new_groups(&w.id, &[twice, again.clone()], &[])
            .await
            .unwrap();
        let mut edited = first[0].clone();
        edited.status = wahana_domain::codes::GroupStatus::Dissolved;
        batch
            .save_groups(&w.id, std::slice::from_ref(&edited), &[])
            .await
            .unwrap();
        assert!(!batch.groups_empty().await.unwrap(), "{n}");
        batch.create_indexes(&dropped).await.unwrap();
        batch.commit().await.unwrap();

        assert_eq!(group_indexes(s).await, indexes, "{n}: indexes rebuilt");
        let held = s.group(&again.id).await.unwrap().unwrap();
        assert_eq!(held.group, again, "{n}: the last of an id given twice wins");
        let held = s.group(&edited.id).await.unwrap().unwrap();
        assert_eq!(held.group, edited, "{n}");
        assert_eq!(s.counts().await.unwrap().groups, all.len() as i64, "{n}");
        assert_current(s, n, &w.id, &seed, "first load").await;
    }
}

#[tokio::test]
async fn a_failed_write_in_a_batch_leaves_nothing() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        let all = generated(&w, &["73.08.21.1001", "73.08.21.1002"]);
        let (kept, later) = all.split_at(10);
        s.save_groups(&w.id, kept).await.unwrap();
        let before = s.counts().await.unwrap();
        let tallies = s.tally_snapshot(&w.id, "seed-2007").await.unwrap();

        // A village the region table does not hold: the foreign key refuses the row. On
        // SQLite the write was queued, so the failure comes back from a later call.
        let mut bad = later[5].clone();
        bad.village = code("99.99.99.9999");
        let mut batch = s.begin().await.unwrap();
        let failed = async {
            batch.save_groups(&w.id, &later[..5], &[]).await?;
            batch.save_groups(&w.id, &[bad], &[]).await?;
            batch.save_groups(&w.id, &later[6..], &[]).await?;
            batch.actor_kind(&later[0].id).await
        }
        .await;
        assert!(failed.is_err(), "{n}: {failed:?}");
        if db.store.backend() == Backend::Sqlite {
            // Every later job refuses too, the commit included.
            assert!(batch.actor_kind(&later[0].id).await.is_err(), "{n}");
            assert!(batch.commit().await.is_err(), "{n}");
        } else {
            drop(batch);
        }
        assert_eq!(s.counts().await.unwrap(), before, "{n}");
        assert_eq!(
            s.tally_snapshot(&w.id, "seed-2007").await.unwrap(),
            tallies,
            "{n}"
        );
        // The write lock is free again: the next batch writes.
        s.save_groups(&w.id, &later[..3]).await.unwrap();
        assert_eq!(s.counts().await.unwrap().groups, before.groups + 3, "{n}");
    }
}

#[tokio::test]
async fn a_dropped_batch_rolls_back_and_frees_the_database() {
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        let all = generated(&w, &["73.08.21.1001"]);
        let before = s.counts().await.unwrap();
        for _ in 0..3 {
            let mut batch = s.begin().await.unwrap();
            batch.save_groups(&w.id, &all, &[]).await.unwrap();
            drop(batch);
        }
        assert_eq!(s.counts().await.unwrap(), before, "{n}");
        // A batch dropped halfway through its writes, then one that commits at once.
        let mut batch = s.begin().await.unwrap();
        batch.save_groups(&w.id, &all[..20], &[]).await.unwrap();
        let saved = batch.actor_kind(&all[0].id).await.unwrap();
        assert!(saved.is_some(), "{n}: a batch reads its own writes");
        drop(batch);
        s.insert_group(&w.id, &all[0], "cli:test").await.unwrap();
        let after = s.counts().await.unwrap();
        assert_eq!(after.groups, before.groups + 1, "{n}");
    }
}

#[tokio::test]
async fn reads_go_on_while_a_batch_writes() {
    let seed = RuleSet::seed_2007();
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        let all = generated(&w, &["73.08.21.1001", "73.08.21.1002", "73.08.21.1003"]);
        let (old, new) = all.split_at(40);
        s.save_groups(&w.id, old).await.unwrap();
        let filter = GroupFilter {
            wave: Some(w.id.clone()),
            ..Default::default()
        };

        let mut batch = s.begin().await.unwrap();
        batch.save_groups(&w.id, &new[..50], &[]).await.unwrap();
        // Wait until the writer has written them (a read in the batch sees them).
        assert!(batch.actor_kind(&new[0].id).await.unwrap().is_some(), "{n}");
        for chunk in new[50..].chunks(25) {
            batch.save_groups(&w.id, chunk, &[]).await.unwrap();
            // Other connections read what was committed before the batch, without waiting.
            let seen = soon(n, s.count_groups(&filter)).await.unwrap();
            assert_eq!(seen, old.len() as i64, "{n}");
            let listed = soon(n, s.list_groups(&filter, 5, 0)).await.unwrap();
            assert_eq!(listed.len(), 5, "{n}");
            let held = soon(n, s.group(&new[0].id)).await.unwrap();
            assert!(held.is_none(), "{n}: a row of the open batch is not seen");
        }
        batch.commit().await.unwrap();
        assert_eq!(
            s.count_groups(&filter).await.unwrap(),
            all.len() as i64,
            "{n}"
        );
        assert_current(s, n, &w.id, &seed, "after the batch").await;
    }
}

/// A file in survey order (villages interleaved, a village's groups spread over many writes):
/// the tally deltas a batch keeps between writes add up to the recomputed tallies, the groups
/// edited and dissolved later in the same batch included.
#[tokio::test]
async fn a_batch_in_survey_order_keeps_tallies() {
    let seed = RuleSet::seed_2007();
    let villages = [
        "73.08.21.1001",
        "73.08.21.1002",
        "73.08.21.1003",
        "73.08.21.1004",
        "73.08.21.1005",
        "73.08.21.1006",
    ];
    for db in backends().await {
        let (s, n) = (&db.store, db.name);
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        let mut all = generated(&w, &villages);
        // A fixed interleaving: every 7th group, starting at 0, 1, … (a stride coprime to
        // nothing in particular, so each write holds groups of several villages).
        let mut order: Vec<usize> = (0..7)
            .flat_map(|start| (start..all.len()).step_by(7))
            .collect();
        order.dedup();
        let shuffled: Vec<Group> = order.iter().map(|&i| all[i].clone()).collect();
        assert_eq!(shuffled.len(), all.len(), "{n}");
        let mut batch = s.begin().await.unwrap();
        for chunk in shuffled.chunks(11) {
            batch.save_groups(&w.id, chunk, &[]).await.unwrap();
        }
        // Later in the same batch: one group dissolved, one moved to another village.
        all[2].status = wahana_domain::codes::GroupStatus::Dissolved;
        all[9].village = code("73.08.21.1007");
        batch
            .save_groups(&w.id, &[all[2].clone(), all[9].clone()], &[])
            .await
            .unwrap();
        batch.commit().await.unwrap();
        assert_eq!(s.counts().await.unwrap().groups, all.len() as i64, "{n}");
        assert_current(s, n, &w.id, &seed, "survey order").await;
    }
}

async fn journal_mode(store: &Store) -> String {
    let wahana_store::Pool::Sqlite(p) = store.pool() else {
        unreachable!("SQLite only")
    };
    sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(p)
        .await
        .unwrap()
}

/// A bulk writer that has the file to itself writes with a rollback journal, all or nothing
/// as before, and gives the file back in WAL mode; with the file open elsewhere it stays in
/// WAL and writes all the same.
#[tokio::test]
async fn a_bulk_store_has_the_file_to_itself_or_shares_it() {
    let seed = RuleSet::seed_2007();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.db");
    let url = path.to_str().unwrap();
    let journal = dir.path().join("bulk.db-journal");

    let s = Store::open_with(url, Sharing::Bulk).await.unwrap();
    assert!(s.bulk(), "nobody else has the file open");
    assert_eq!(journal_mode(&s).await, "delete");
    s.ensure_regions(RegionTree::official()).await.unwrap();
    let w = demo::demo_wave(false);
    s.save_wave(&w).await.unwrap();
    let all = generated(&w, &["73.08.21.1001", "73.08.21.1002"]);
    let (first, second) = all.split_at(20);

    // Not committed: nothing stays, and the journal is gone with the transaction.
    let mut batch = s.begin().await.unwrap();
    batch.save_groups(&w.id, first, &[]).await.unwrap();
    // A read through the batch waits for the writes queued before it.
    assert!(!batch.groups_empty().await.unwrap());
    assert!(journal.exists(), "the batch writes with a rollback journal");
    batch.rollback().await.unwrap();
    assert!(!journal.exists());
    assert_eq!(s.counts().await.unwrap().groups, 0);

    let mut batch = s.begin().await.unwrap();
    batch.save_groups(&w.id, first, &[]).await.unwrap();
    batch.commit().await.unwrap();
    assert_eq!(s.counts().await.unwrap().groups, first.len() as i64);
    assert_current(&s, "sqlite bulk", &w.id, &seed, "bulk").await;
    s.close().await;
    assert!(!journal.exists());

    // Given back in WAL mode; a shared store holds it, so a second bulk writer shares it.
    let shared = Store::open(url).await.unwrap();
    assert_eq!(journal_mode(&shared).await, "wal");
    assert_eq!(shared.counts().await.unwrap().groups, first.len() as i64);
    let other = Store::open_with(url, Sharing::Bulk).await.unwrap();
    assert!(!other.bulk(), "the file is open elsewhere");
    assert_eq!(journal_mode(&other).await, "wal");
    other.save_groups(&w.id, second).await.unwrap();
    assert_eq!(shared.counts().await.unwrap().groups, all.len() as i64);
    assert_current(&shared, "sqlite shared", &w.id, &seed, "shared").await;
    other.close().await;
    assert_eq!(journal_mode(&shared).await, "wal");
    shared.close().await;
}

/// PostgreSQL: a batch that grows `groups` from nothing refreshes the planner's statistics as
/// it goes (else the planner, knowing nothing of the rows, scans the whole table for every
/// chunk's duplicate-key lookup); the refreshed row count is the batch's own rows.
#[tokio::test]
async fn a_postgres_batch_keeps_the_planners_statistics_current() {
    for db in backends().await {
        let wahana_store::Pool::Postgres(p) = db.store.pool() else {
            continue;
        };
        let s = &db.store;
        let w = demo::demo_wave(false);
        s.save_wave(&w).await.unwrap();
        let model = generated(&w, &["73.08.21.1001"]).remove(0);
        let many: Vec<Group> = (0..12_000)
            .map(|i| {
                let mut g = model.clone();
                g.id = format!("K-UJI-{i:06}");
                g.name = format!("Arisan Uji {i}");
                g
            })
            .collect();
        let reltuples = || async {
            sqlx::query_scalar::<_, f32>("SELECT reltuples FROM pg_class WHERE relname = 'groups'")
                .fetch_one(p)
                .await
                .unwrap()
        };
        assert!(reltuples().await <= 0.0, "never analyzed before the batch");
        let mut batch = s.begin().await.unwrap();
        for chunk in many.chunks(1000) {
            batch.save_groups(&w.id, chunk, &[]).await.unwrap();
        }
        batch.commit().await.unwrap();
        let counted = reltuples().await;
        assert!(
            (10_000.0..=12_000.0).contains(&counted),
            "statistics refreshed inside the batch: {counted}"
        );
    }
}
