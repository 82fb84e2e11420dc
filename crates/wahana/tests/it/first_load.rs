//! A first load of groups (none held when the import starts): on SQLite the import drops the
//! secondary group indexes inside its transaction, writes through the batch's writer thread
//! and builds them again before committing; it tells repeated ids from the file's order.

use crate::harness::envs;
use std::io::Write;

/// Rows of groups with ids over the 8 kelurahan of Tanete Riattang: `(id number, name)`.
fn file_with_ids(path: &std::path::Path, rows: &[(usize, String)]) {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        w,
        "id,kode_wilayah,nama,jenis,asal,tahun_berdiri,tujuan,nilai,tanggal_pendataan"
    )
    .unwrap();
    for (i, name) in rows {
        writeln!(
            w,
            "K-UJI-{i:07},73.08.21.100{},{name},arisan,tumbuh_masyarakat,{},ketahanan_sosial,kebersamaan,2007-08-14",
            1 + i % 8,
            1950 + i % 50
        )
        .unwrap();
    }
}

/// The secondary indexes of `groups`, SQLite's integrity check and the journal mode.
fn sqlite_state(database: &str) -> (Vec<String>, String, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{database}"))
            .await
            .unwrap();
        let indexes = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'groups' \
             AND sql IS NOT NULL ORDER BY name",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        let check = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut c)
            .await
            .unwrap();
        let journal = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(&mut c)
            .await
            .unwrap();
        (indexes, check, journal)
    })
}

/// Killed while it writes, after its indexes were dropped: nothing changed, indexes included.
/// The import has the file to itself, so it writes with a rollback journal: the kill leaves a
/// hot journal, which the next open rolls back; the file is in WAL mode again after.
#[test]
fn a_first_load_killed_midway_leaves_the_database_as_before() {
    // PostgreSQL drops no index and has no first-load path: the other kill test covers it.
    for env in envs().into_iter().filter(|e| e.name == "sqlite") {
        env.ok(&["init"]);
        let before = sqlite_state(&env.database);
        assert_eq!(before.2, "wal");
        let journal = std::path::PathBuf::from(format!("{}-journal", env.database));
        let big = env.path("pertama.csv");
        let rows: Vec<(usize, String)> = (0..400_000)
            .map(|i| (i, format!("Arisan Uji {i}")))
            .collect();
        file_with_ids(&big, &rows);
        for delay_ms in [300u64, 1500] {
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_wahana"))
                .current_dir(env.dir.path())
                .args(["--database", &env.database, "import"])
                .arg(&big)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            if delay_ms >= 1500 {
                // Once it writes: the rollback journal appears (later on a busy machine).
                for _ in 0..600 {
                    if journal.exists() || child.try_wait().unwrap().is_some() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                assert!(
                    journal.exists(),
                    "killed after {delay_ms} ms: the import wrote with a rollback journal"
                );
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "{}: the import ended before {delay_ms} ms; make the file bigger",
                env.name
            );
            child.kill().unwrap(); // SIGKILL: no chance to clean up
            child.wait().unwrap();
            assert_eq!(
                env.group_count(),
                0,
                "{}: killed after {delay_ms} ms",
                env.name
            );
            assert_eq!(
                sqlite_state(&env.database),
                before,
                "killed at {delay_ms} ms"
            );
        }
        assert!(!journal.exists(), "the hot journal was rolled back");
        env.ok(&["import", &big.to_string_lossy()]);
        assert!(!journal.exists());
        assert_eq!(env.group_count(), rows.len());
        assert_eq!(sqlite_state(&env.database), before, "after the load");
    }
}

/// A file out of id order, giving some ids twice (near each other and thousands of rows
/// apart): each id is one group, holding its last row.
#[test]
fn a_first_load_out_of_id_order_keeps_the_last_row_of_each_id() {
    for env in envs() {
        env.ok(&["init"]);
        let mut rows: Vec<(usize, String)> = (0..12_000)
            .map(|i| (i, format!("Arisan Uji {i}")))
            .collect();
        rows.reverse();
        // 11990 again before its row; the others again after theirs, 7 in the same batch of
        // rows, 5000 and 11999 thousands of rows later.
        rows.insert(3, (11_990, "Arisan Ulang 11990".into()));
        rows.push((11_999, "Arisan Ulang 11999".into()));
        rows.push((7, "Arisan Ulang 7".into()));
        rows.push((5_000, "Arisan Ulang 5000".into()));
        let path = env.path("acak.csv");
        file_with_ids(&path, &rows);
        let out = env.ok(&["import", "--json", &path.to_string_lossy()]);
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(report["committed"], true, "{}: {report}", env.name);
        assert_eq!(report["rows"], rows.len(), "{}", env.name);
        assert_eq!(env.group_count(), 12_000, "{}", env.name);
        for (i, last) in [
            (7usize, "Arisan Ulang 7"),
            (5_000, "Arisan Ulang 5000"),
            (11_990, "Arisan Uji 11990"),
            (11_999, "Arisan Ulang 11999"),
        ] {
            let shown = env.ok(&["groups", "show", &format!("K-UJI-{i:07}")]);
            assert!(shown.contains(last), "{}: {shown}", env.name);
        }
        if env.name == "sqlite" {
            assert_eq!(sqlite_state(&env.database).1, "ok");
        }
    }
}
