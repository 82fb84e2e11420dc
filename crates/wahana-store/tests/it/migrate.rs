//! Databases made by an earlier release open in this one with nothing lost: each migration is
//! tested from the schema before it, on both databases. [`old_release`] makes such a database
//! (the migrations up to a version applied, as that release did), to fill with raw SQL.

use crate::harness::{fresh_postgres_database, postgres_url};
use wahana_domain::codes::InstitutionKind;
use wahana_domain::{Institution, RegionCode};
use wahana_store::{GroupFilter, Pool, Store, on_pool};

/// A database at an earlier release's schema: the migrations numbered up to `version` applied
/// and recorded as that release applied them, so that [`Store::open`] runs only the later ones.
pub struct OldDb {
    pub name: &'static str,
    pub url: String,
    /// A plain pool on it (no migration of this release run), for writing old rows.
    pub pool: Pool,
    _dir: Option<tempfile::TempDir>,
}

/// The migrations of `backend` numbered up to `version`, copied into a directory of their own.
fn migrations_up_to(backend: &str, version: u32) -> tempfile::TempDir {
    let src = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let n: u32 = name.split('_').next().unwrap().parse().unwrap();
        if n <= version {
            std::fs::copy(e.path(), dir.path().join(&name)).unwrap();
        }
    }
    dir
}

/// One database per backend (SQLite; PostgreSQL with `WAHANA_TEST_POSTGRES_URL`) at the schema
/// of migration `version`.
pub async fn old_release(version: u32) -> Vec<OldDb> {
    use sqlx::migrate::Migrator;
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    let url = path.to_str().unwrap().to_string();
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .foreign_keys(true);
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await
        .unwrap();
    let mdir = migrations_up_to("sqlite", version);
    Migrator::new(mdir.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    out.push(OldDb {
        name: "sqlite",
        url,
        pool: Pool::Sqlite(pool),
        _dir: Some(dir),
    });
    if let Some(admin) = postgres_url() {
        let url = fresh_postgres_database(&admin).await;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap();
        let mdir = migrations_up_to("postgres", version);
        Migrator::new(mdir.path())
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        out.push(OldDb {
            name: "postgres",
            url,
            pool: Pool::Postgres(pool),
            _dir: None,
        });
    }
    out
}

impl OldDb {
    /// Runs statements without parameters, in order.
    pub async fn exec(&self, sqls: &[&str]) {
        for sql in sqls {
            on_pool!(self.pool, p => {
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(p)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {sql}: {e}", self.name));
            });
        }
    }

    /// Every row of every [`SNAPSHOT`] query: what a database holds, to compare before and
    /// after a migration.
    pub async fn snapshot(pool: &Pool) -> Vec<Vec<Vec<String>>> {
        let mut out = Vec::new();
        for q in SNAPSHOT {
            out.push(OldDb::rows(pool, q).await);
        }
        out
    }

    /// Every row of a query, each as its columns' text (NULL as "∅").
    pub async fn rows(pool: &Pool, sql: &str) -> Vec<Vec<String>> {
        on_pool!(pool, p => {
            use sqlx::Row;
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                .fetch_all(p)
                .await
                .unwrap();
            rows.iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| {
                            r.try_get::<Option<String>, _>(i)
                                .map(|v| v.unwrap_or_else(|| "∅".into()))
                                .or_else(|_| r.try_get::<Option<i64>, _>(i).map(|v| {
                                    v.map(|n| n.to_string()).unwrap_or_else(|| "∅".into())
                                }))
                                .unwrap()
                        })
                        .collect()
                })
                .collect()
        })
    }
}

/// What an old release's rows look like, table by table, in the columns it had.
const SNAPSHOT: [&str; 5] = [
    "SELECT id, wave_id, village_code, name, dup_key, group_type, status, network, notes, \
     provenance, version, created_at, updated_at FROM groups ORDER BY id",
    "SELECT id, wave_id, village_code, level, name, version, created_at, updated_at \
     FROM networks ORDER BY id",
    "SELECT id, wave_id, region_code, kind, name, version, created_at, updated_at \
     FROM institutions ORDER BY id",
    "SELECT id, wave_id, from_id, from_kind, to_id, to_kind, tie_type FROM ties ORDER BY id",
    "SELECT id, actor, action, entity_kind, entity_id FROM audit ORDER BY id",
];

const T: &str = "'2024-01-01T00:00:00Z'";

/// An old release's group row (the columns of migrations 0001–0005).
fn old_group(id: &str, village: &str, name: &str) -> String {
    let key = format!(
        "{}|kelompok_tani|{}",
        village.replace('.', ""),
        name.to_lowercase()
            .replace(|c: char| !c.is_alphanumeric(), "")
    );
    format!(
        "INSERT INTO groups (id, wave_id, village_code, name, dup_key, group_type, origin, \
         founded_year, membership_basis, purposes, activities, funding, social_values, status, \
         survey_date, created_at, updated_at) VALUES ('{id}', 'w1', '{village}', '{name}', \
         '{key}', 'kelompok_tani', 'tumbuh_masyarakat', 2010, 1, 1, 1, 1, 1, 'aktif', \
         '2024-01-01', {T}, {T})"
    )
}

#[tokio::test]
async fn ids_and_names_from_before_id_sequences() {
    for db in old_release(5).await {
        let mut sqls: Vec<String> = [
            "INSERT INTO regions (code, parent_code, level, kind, name, name_key) VALUES \
             ('73.08', '73', 2, 'kabupaten', 'Bone', 'bone'), \
             ('73.08.21', '73.08', 3, 'kecamatan', 'Tanete Riattang', 'taneteriattang'), \
             ('73.08.21.1001', '73.08.21', 4, 'kelurahan', 'Bukaka', 'bukaka'), \
             ('73.08.21.1002', '73.08.21', 4, 'kelurahan', 'Manurunge', 'manurunge')",
        ]
        .map(String::from)
        .to_vec();
        sqls.push(format!(
            "INSERT INTO waves (id, name, created_at) VALUES ('w1', 'Lama', {T})"
        ));
        for (id, village, name) in [
            ("K-7308211001-0001", "73.08.21.1001", "Tani Makmur"),
            ("K-7308211001-9999", "73.08.21.1001", "ÉLOK Jaya"),
            ("K-7308211001-10000", "73.08.21.1001", "Tani_Subur"),
            ("K-7308211001-ABC", "73.08.21.1001", "50% Nelayan"),
            // An older release let a group take a network's id (of another village).
            ("W-7308211002-0001", "73.08.21.1001", "Kembar"),
        ] {
            sqls.push(old_group(id, village, name));
        }
        sqls.push(format!(
            "INSERT INTO networks (id, wave_id, village_code, level, name, created_at, updated_at) \
             VALUES ('W-7308211002-0001', 'w1', '73.08.21.1002', 'desa', 'Wahana Manurunge', {T}, {T})"
        ));
        sqls.push(format!(
            "INSERT INTO institutions (id, wave_id, region_code, kind, name, created_at, updated_at) \
             VALUES ('L-730821-KUA', 'w1', '73.08.21', 'kua', 'KUA Tanete', {T}, {T}), \
             ('L-7308-DINSOS', 'w1', '73.08', 'dinas_sosial', 'Dinas Sosial', {T}, {T}), \
             ('L-7308211002-0001', 'w1', '73.08.21.1002', 'sekolah', 'SD 1', {T}, {T})"
        ));
        sqls.push(format!(
            "INSERT INTO ties (wave_id, from_id, from_kind, to_id, to_kind, tie_type, created_at) \
             VALUES ('w1', 'W-7308211002-0001', 'wahana', 'L-7308211002-0001', 'lembaga', 'pembinaan', {T})"
        ));
        let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
        db.exec(&refs).await;
        let before = OldDb::snapshot(&db.pool).await;
        on_pool!(db.pool, p => p.close().await);

        let store = Store::open(&db.url).await.unwrap();
        let after = OldDb::snapshot(store.pool()).await;
        assert_eq!(before, after, "{}: nothing lost or changed", db.name);

        // The name filter finds folded names, old rows included.
        let by_name = |n: &str| GroupFilter {
            name: Some(n.into()),
            ..Default::default()
        };
        for (part, want) in [
            ("élok", vec!["K-7308211001-9999"]),
            ("ÉLOK", vec!["K-7308211001-9999"]),
            ("_", vec!["K-7308211001-10000"]),
            ("%", vec!["K-7308211001-ABC"]),
        ] {
            let got: Vec<String> = store
                .list_groups(&by_name(part), 100, 0)
                .await
                .unwrap()
                .into_iter()
                .map(|g| g.group.id)
                .collect();
            assert_eq!(got, want, "{}: {part}", db.name);
        }

        // The next ids follow the highest number, whatever its width, and collide with nothing.
        let village = RegionCode::parse("73.08.21.1001").unwrap();
        let mut g = store
            .group("K-7308211001-0001")
            .await
            .unwrap()
            .unwrap()
            .group;
        g.id = String::new();
        g.name = "Baru".into();
        let new = store.insert_group("w1", &g, "cli:test").await.unwrap();
        assert_eq!(new.group.id, "K-7308211001-10001", "{}", db.name);
        assert_eq!(new.group.village, village);
        let inst = Institution {
            id: String::new(),
            region: RegionCode::parse("73.08.21").unwrap(),
            kind: InstitutionKind::Kua,
            name: "KUA baru".into(),
            address: None,
            contact: None,
            phone: None,
            latitude: None,
            longitude: None,
            notes: None,
        };
        let new = store.insert_actor("w1", &inst, "cli:test").await.unwrap();
        assert_eq!(new.record.id, "L-730821-0001", "{}", db.name);

        // The village's ties are its actors' ties: not the other village's network's, whose id
        // one of its groups took.
        let ties = store.list_ties(&village, None).await.unwrap();
        assert!(ties.is_empty(), "{}: {ties:?}", db.name);

        let again = OldDb::snapshot(store.pool()).await;
        for (t, (b, a)) in before.iter().zip(&again).enumerate() {
            for row in b {
                assert!(a.contains(row), "{}: table {t} lost {row:?}", db.name);
            }
        }
        store.close().await;
    }
}

/// The previous release's rows (schema 0007): each record becomes one entity with one
/// observation in its wave; members, ties, audit entries and tallies stay as they were; and the
/// migrated groups can then be observed again in a later wave without their earlier
/// observation changing.
#[tokio::test]
async fn records_become_entities_with_one_observation_each() {
    for db in old_release(7).await {
        let mut sqls: Vec<String> = vec![
            "INSERT INTO regions (code, parent_code, level, kind, name, name_key) VALUES \
             ('73.08', '73', 2, 'kabupaten', 'Bone', 'bone'), \
             ('73.08.21', '73.08', 3, 'kecamatan', 'Tanete Riattang', 'taneteriattang'), \
             ('73.08.21.1001', '73.08.21', 4, 'kelurahan', 'Bukaka', 'bukaka'), \
             ('73.08.21.1002', '73.08.21', 4, 'kelurahan', 'Manurunge', 'manurunge')"
                .into(),
            format!(
                "INSERT INTO waves (id, name, start_date, end_date, created_at) VALUES \
                 ('w1', 'Lama', '2007-01-01', '2007-06-30', {T}), \
                 ('w2', 'Baru', '2026-01-01', '2026-06-30', {T})"
            ),
        ];
        for (id, village, name) in [
            ("K-7308211001-0001", "73.08.21.1001", "Tani Makmur"),
            ("K-7308211001-0002", "73.08.21.1001", "Tani Subur"),
            ("K-7308211002-0001", "73.08.21.1002", "Tani Jaya"),
        ] {
            sqls.push(
                old_group(id, village, name)
                    .replace("'w1', '73.08.21.1002'", "'w2', '73.08.21.1002'"),
            );
        }
        sqls.push(
            "UPDATE groups SET name_fold = LOWER(name), chair = 'Ibu Ketua', phone = '0812'".into(),
        );
        sqls.push(format!(
            "INSERT INTO networks (id, wave_id, village_code, level, name, created_at, updated_at) \
             VALUES ('W-7308211001-0001', 'w1', '73.08.21.1001', 'desa', 'Wahana Bukaka', {T}, {T})"
        ));
        sqls.push(format!(
            "INSERT INTO institutions (id, wave_id, region_code, kind, name, created_at, updated_at) \
             VALUES ('L-730821-0001', 'w1', '73.08.21', 'kua', 'KUA Tanete', {T}, {T})"
        ));
        sqls.push(format!(
            "INSERT INTO ties (wave_id, from_id, from_kind, to_id, to_kind, tie_type, created_at) \
             VALUES ('w1', 'K-7308211001-0001', 'kelompok', 'W-7308211001-0001', 'wahana', 'koordinasi', {T}), \
             ('w1', 'K-7308211001-0002', 'kelompok', 'L-730821-0001', 'lembaga', 'pembinaan', {T})"
        ));
        sqls.push(format!(
            "INSERT INTO members (group_id, person_key, name, role, created_at) VALUES \
             ('K-7308211001-0001', 'n:ibu ketua', 'Ibu Ketua', 'ketua', {T}), \
             ('K-7308211001-0001', 'n:pak anggota', 'Pak Anggota', 'anggota', {T})"
        ));
        sqls.push(format!(
            "INSERT INTO audit (at, actor, action, entity_kind, entity_id, region_code) VALUES \
             ({T}, 'cli:test', 'create', 'kelompok', 'K-7308211001-0001', '73.08.21.1001')"
        ));
        let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
        db.exec(&refs).await;
        let before = OldDb::snapshot(&db.pool).await;
        let members_sql = "SELECT id, group_id, person_key, name, role FROM members ORDER BY id";
        let members_before = OldDb::rows(&db.pool, members_sql).await;
        on_pool!(db.pool, p => p.close().await);

        let store = Store::open(&db.url).await.unwrap();
        let n = db.name;
        let after = OldDb::snapshot(store.pool()).await;
        assert_eq!(before, after, "{n}: nothing lost or changed");
        assert_eq!(
            OldDb::rows(store.pool(), members_sql).await,
            members_before,
            "{n}: members kept"
        );
        assert_eq!(
            OldDb::rows(
                store.pool(),
                "SELECT id, kind, region_code FROM actors ORDER BY id"
            )
            .await,
            [
                ["K-7308211001-0001", "kelompok", "73.08.21.1001"],
                ["K-7308211001-0002", "kelompok", "73.08.21.1001"],
                ["K-7308211002-0001", "kelompok", "73.08.21.1002"],
                ["L-730821-0001", "lembaga", "73.08.21"],
                ["W-7308211001-0001", "wahana", "73.08.21.1001"],
            ]
            .map(|r| r.map(String::from).to_vec())
            .to_vec(),
            "{n}: one entity per record"
        );
        let waves = OldDb::rows(store.pool(), "SELECT id, status FROM waves ORDER BY id").await;
        assert_eq!(
            waves,
            [["w1", "open"], ["w2", "open"]]
                .map(|r| r.map(String::from).to_vec())
                .to_vec(),
            "{n}"
        );

        // Observed again in the later wave: a second observation; the first stays as it was.
        let first = store.group("K-7308211001-0001").await.unwrap().unwrap();
        assert_eq!(first.wave_id, "w1", "{n}");
        let mut again = first.group.clone();
        again.name = "Tani Makmur Baru".into();
        again.status = wahana_domain::codes::GroupStatus::Dissolved;
        store.insert_group("w2", &again, "cli:test").await.unwrap();
        let history = store.observations("K-7308211001-0001").await.unwrap();
        assert_eq!(
            history
                .iter()
                .map(|g| g.wave_id.as_str())
                .collect::<Vec<_>>(),
            ["w1", "w2"],
            "{n}"
        );
        assert_eq!(history[0], first, "{n}: the 2007 observation unchanged");
        assert_eq!(
            store
                .group("K-7308211001-0001")
                .await
                .unwrap()
                .unwrap()
                .group
                .name,
            "Tani Makmur Baru",
            "{n}: the latest observation"
        );
        assert_eq!(
            store.members_of("K-7308211001-0001").await.unwrap().len(),
            2,
            "{n}: members belong to the group, not to one observation"
        );
        // A closed wave is read-only.
        let mut w1 = store.wave("w1").await.unwrap().unwrap();
        w1.closed = true;
        store.save_wave(&w1).await.unwrap();
        let mut edit = first.group.clone();
        edit.name = "Diubah".into();
        assert!(
            matches!(
                store
                    .update_group(&edit, "w1", first.version, "cli:test")
                    .await,
                Err(wahana_store::StoreError::Refused(
                    wahana_store::Refusal::WaveClosed { .. }
                ))
            ),
            "{n}"
        );
        assert!(
            matches!(
                store
                    .delete_group("K-7308211001-0001", None, "cli:test")
                    .await,
                Err(wahana_store::StoreError::Refused(
                    wahana_store::Refusal::WaveClosed { .. }
                ))
            ),
            "{n}"
        );
        assert_eq!(
            store
                .group_in("K-7308211001-0001", "w1")
                .await
                .unwrap()
                .unwrap(),
            first,
            "{n}: nothing changed in the closed wave"
        );
        // Deleting the later observation only leaves the group with its 2007 one.
        assert!(
            store
                .delete_group("K-7308211001-0001", Some("w2"), "cli:test")
                .await
                .unwrap(),
            "{n}"
        );
        assert_eq!(
            store.observations("K-7308211001-0001").await.unwrap(),
            vec![first.clone()],
            "{n}"
        );
        store.close().await;
    }
}

/// Rows of a release before 0009: two regions' villages, a wave, two networks, two
/// institutions and three ties between them.
fn registry_rows() -> Vec<String> {
    vec![
        "INSERT INTO regions (code, parent_code, level, kind, name, name_key) VALUES \
         ('73.08', '73', 2, 'kabupaten', 'Bone', 'bone'), \
         ('73.08.21', '73.08', 3, 'kecamatan', 'Tanete Riattang', 'taneteriattang'), \
         ('73.08.21.1001', '73.08.21', 4, 'kelurahan', 'Bukaka', 'bukaka'), \
         ('73.08.21.1002', '73.08.21', 4, 'kelurahan', 'Manurunge', 'manurunge')"
            .into(),
        format!(
            "INSERT INTO waves (id, name, start_date, end_date, created_at) VALUES \
             ('w1', 'Lama', '2007-01-01', '2007-06-30', {T})"
        ),
        format!(
            "INSERT INTO actors (id, kind, region_code, created_at) VALUES \
             ('W-1', 'wahana', '73.08.21.1001', {T}), ('W-2', 'wahana', '73.08.21.1002', {T}), \
             ('L-1', 'lembaga', '73.08.21', {T}), ('L-2', 'lembaga', '73.08', {T})"
        ),
        format!(
            "INSERT INTO networks (id, wave_id, village_code, level, name, created_at, updated_at) \
             VALUES ('W-1', 'w1', '73.08.21.1001', 'desa', 'Wahana Bukaka', {T}, {T}), \
             ('W-2', 'w1', '73.08.21.1002', 'desa', 'Wahana Manurunge', {T}, {T})"
        ),
        format!(
            "INSERT INTO institutions (id, wave_id, region_code, kind, name, created_at, updated_at) \
             VALUES ('L-1', 'w1', '73.08.21', 'kua', 'KUA Tanete', {T}, {T}), \
             ('L-2', 'w1', '73.08', 'dinas_sosial', 'Dinas Sosial Bone', {T}, {T})"
        ),
        format!(
            "INSERT INTO ties (wave_id, from_id, from_kind, to_id, to_kind, tie_type, created_at) \
             VALUES ('w1', 'W-1', 'wahana', 'W-2', 'wahana', 'kegiatan_bersama', {T}), \
             ('w1', 'L-1', 'lembaga', 'W-1', 'wahana', 'pembinaan', {T}), \
             ('w1', 'L-2', 'lembaga', 'L-1', 'lembaga', 'pendanaan', {T})"
        ),
    ]
}

/// The previous release's networks, institutions and ties (schema 0008) are counted in the new
/// `tally_actors` (0009) when the database opens: the counts a profile reads are there at once,
/// equal to a count from scratch and to the hand count below.
#[tokio::test]
async fn actor_counts_are_filled_from_the_rows_held() {
    for db in old_release(8).await {
        let sqls: Vec<String> = registry_rows();
        let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
        db.exec(&refs).await;
        let before = OldDb::snapshot(&db.pool).await;
        on_pool!(db.pool, p => p.close().await);

        let store = Store::open(&db.url).await.unwrap();
        let n = db.name;
        let after = OldDb::snapshot(store.pool()).await;
        assert_eq!(
            before, after,
            "{n}: every record held before is there, unchanged"
        );
        assert_eq!(
            store
                .list_ties(&RegionCode::parse("73").unwrap(), Some("w1"))
                .await
                .unwrap()
                .len(),
            3,
            "{n}: the ties read back"
        );
        let held = store.actor_tallies("w1").await.unwrap();
        let want: wahana_store::ActorTallies = [
            ("", [2, 2, 3]),
            ("73", [2, 2, 3]),
            ("73.08", [2, 2, 3]),
            ("73.08.21", [2, 1, 3]),
            ("73.08.21.1001", [1, 0, 2]),
            ("73.08.21.1002", [1, 0, 1]),
        ]
        .into_iter()
        .map(|(r, c)| (r.to_string(), c))
        .collect();
        assert_eq!(held, want, "{n}: the hand count");
        assert_eq!(
            store.recount_actor_tallies("w1").await.unwrap(),
            want,
            "{n}: the count from scratch"
        );
        let kec = RegionCode::parse("73.08.21").unwrap();
        let c = store.actor_counts("w1", Some(&kec)).await.unwrap();
        assert_eq!(
            (c.networks, c.institutions, c.ties),
            (2, 1, 3),
            "{n}: what a profile reads"
        );
    }
}

/// A database of release 9 (schema 0009) opens in this one with every record there unchanged,
/// and the new `boundaries` table (0010) empty and in use: boundaries saved, read back by level
/// under a region, counted, replaced, and refused for a code that is not a region.
#[tokio::test]
async fn boundaries_table_is_added_and_nothing_is_lost() {
    for db in old_release(9).await {
        let sqls = registry_rows();
        let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
        db.exec(&refs).await;
        let before = OldDb::snapshot(&db.pool).await;
        on_pool!(db.pool, p => p.close().await);

        let store = Store::open(&db.url).await.unwrap();
        let n = db.name;
        let after = OldDb::snapshot(store.pool()).await;
        assert_eq!(
            before, after,
            "{n}: every record held before is there, unchanged"
        );
        assert!(store.boundary_counts().await.unwrap().is_empty(), "{n}");
        let kec = RegionCode::parse("73.08.21").unwrap();
        let square = |x: f64| {
            format!(
                r#"{{"type":"Polygon","coordinates":[[[{x},-4.5],[{},-4.5],[{},-4.4],[{x},-4.5]]]}}"#,
                x + 0.1,
                x + 0.1
            )
        };
        let rows = vec![
            wahana_store::NewBoundary {
                code: RegionCode::parse("73.08.21.1001").unwrap(),
                geometry: square(120.1),
                points: 4,
            },
            wahana_store::NewBoundary {
                code: RegionCode::parse("73.08.21.1002").unwrap(),
                geometry: square(120.2),
                points: 4,
            },
        ];
        store
            .save_boundaries(&rows, "a.geojson", "cli:uji")
            .await
            .unwrap();
        let under = store
            .boundaries_under(Some(&kec), wahana_domain::Level::Village)
            .await
            .unwrap();
        assert_eq!(
            under.iter().map(|(c, _)| c.as_str()).collect::<Vec<_>>(),
            ["73.08.21.1001", "73.08.21.1002"],
            "{n}"
        );
        assert!(
            store
                .boundaries_under(Some(&kec), wahana_domain::Level::District)
                .await
                .unwrap()
                .is_empty(),
            "{n}: by level"
        );
        // Loaded again: replaced, not doubled.
        store
            .save_boundaries(&rows[..1], "b.geojson", "cli:uji")
            .await
            .unwrap();
        let counts = store.boundary_counts().await.unwrap();
        assert_eq!(counts.len(), 1, "{n}");
        assert_eq!(
            (
                counts[0].province.as_str(),
                counts[0].level,
                counts[0].regions
            ),
            ("73", 4, 2),
            "{n}"
        );
        // A code that is no region is refused by the database, and nothing of the call lands.
        let stray = vec![
            wahana_store::NewBoundary {
                code: RegionCode::parse("73.08.21.1003").unwrap(),
                geometry: square(120.3),
                points: 4,
            },
            wahana_store::NewBoundary {
                code: RegionCode::parse("73.08.21.1999").unwrap(),
                geometry: square(120.4),
                points: 4,
            },
        ];
        assert!(
            store
                .save_boundaries(&stray, "c.geojson", "cli:uji")
                .await
                .is_err(),
            "{n}"
        );
        assert_eq!(store.boundary_counts().await.unwrap()[0].regions, 2, "{n}");
        store.close().await;
    }
}

/// A database of release 10 (schema 0010) opens in this one with every record there unchanged,
/// its people and waves kept (a person without a Digest hash yet and active, waves not
/// accepting submissions by themselves), and the submissions inbox (0011) empty and in use: a submission
/// kept with its attachment, sent again (attachments added, not doubled), refused with other
/// XML, listed under its village's region, rejected with its reason and its audit entry.
#[tokio::test]
async fn submissions_inbox_is_added_and_nothing_is_lost() {
    for db in old_release(10).await {
        let mut sqls = registry_rows();
        sqls.push(format!(
            "INSERT INTO users (name, password_hash, role, region_code, created_at) VALUES \
             ('petugas', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', \
             'officer', '73.08.21', {T})"
        ));
        let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
        db.exec(&refs).await;
        let users_sql = "SELECT id, name, password_hash, role, region_code FROM users ORDER BY id";
        let mut before = Vec::new();
        for q in SNAPSHOT.iter().chain([&users_sql]) {
            before.push(OldDb::rows(&db.pool, q).await);
        }
        on_pool!(db.pool, p => p.close().await);

        let store = Store::open(&db.url).await.unwrap();
        let n = db.name;
        let mut after = Vec::new();
        for q in SNAPSHOT.iter().chain([&users_sql]) {
            after.push(OldDb::rows(store.pool(), q).await);
        }
        assert_eq!(
            before, after,
            "{n}: every record held before is there, unchanged"
        );
        assert_eq!(store.digest_ha1("petugas").await.unwrap(), None, "{n}");
        let petugas = store.user_by_name("petugas").await.unwrap().unwrap();
        assert!(petugas.active, "{n}: a person of release 10 is active");
        assert_eq!(store.users().await.unwrap(), vec![petugas.clone()], "{n}");
        // Deactivating them is then kept, with its entry in the trail.
        let off = store
            .set_user_active("petugas", false, "cli:uji")
            .await
            .unwrap()
            .unwrap();
        assert!(!off.active, "{n}");
        assert!(
            !store.user_by_name("petugas").await.unwrap().unwrap().active,
            "{n}"
        );
        store
            .set_user_active("petugas", true, "cli:uji")
            .await
            .unwrap();
        let trail = store
            .audit_of("pengguna", &petugas.id.to_string(), 10)
            .await
            .unwrap();
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["activate", "deactivate"],
            "{n}"
        );
        assert!(!store.wave_auto_accept("w1").await.unwrap(), "{n}");
        assert!(store.auto_accept_waves().await.unwrap().is_empty(), "{n}");

        let village = RegionCode::parse("73.08.21.1001").unwrap();
        let kec = RegionCode::parse("73.08.21").unwrap();
        let xml =
            "<data id=\"wahana_kelompok\"><meta><instanceID>uuid:1</instanceID></meta></data>";
        let new = wahana_store::NewSubmission {
            instance_id: "uuid:1".into(),
            form_id: "wahana_kelompok".into(),
            form_version: Some("1".into()),
            region_code: kec.clone(),
            village_code: Some(village.clone()),
            xml: xml.into(),
            xml_md5: "m1".into(),
            deprecated_id: None,
            device_id: Some("collect:1".into()),
            submitted_by: "pendata".into(),
        };
        let photo = |name: &str| wahana_store::NewFile {
            name: name.into(),
            content_type: "image/jpeg".into(),
            bytes: vec![0xff, 0xd8, 0xff, 0x00, 0x01],
        };
        let id = match store
            .receive_submission(&new, &[photo("a.jpg")])
            .await
            .unwrap()
        {
            wahana_store::Received::Created { id } => id,
            other => panic!("{n}: {other:?}"),
        };
        assert_eq!(
            store
                .receive_submission(&new, &[photo("a.jpg"), photo("b.jpg")])
                .await
                .unwrap(),
            wahana_store::Received::Resent { id, files_added: 1 },
            "{n}: sent again with one more attachment"
        );
        let other = wahana_store::NewSubmission {
            xml_md5: "m2".into(),
            ..new.clone()
        };
        assert_eq!(
            store.receive_submission(&other, &[]).await.unwrap(),
            wahana_store::Received::Conflict { id },
            "{n}: the same instance with other answers"
        );
        let held = store.submission(id).await.unwrap().unwrap();
        assert_eq!(held.files.len(), 2, "{n}");
        assert_eq!(held.status, "pending", "{n}");
        assert_eq!(held.xml, xml, "{n}: the XML as received");
        assert_eq!(
            store.submission_file(id, "b.jpg").await.unwrap().unwrap().1,
            vec![0xff, 0xd8, 0xff, 0x00, 0x01],
            "{n}: the attachment's bytes"
        );
        let listed = store
            .submissions(Some(&kec), Some("pending"), 10, 0)
            .await
            .unwrap();
        assert_eq!(listed.iter().map(|s| s.id).collect::<Vec<_>>(), [id], "{n}");
        let elsewhere = RegionCode::parse("73.08.20").unwrap();
        assert!(
            store
                .submissions(Some(&elsewhere), None, 10, 0)
                .await
                .unwrap()
                .is_empty(),
            "{n}"
        );
        assert!(
            store
                .reject_submission(id, "bukan kelompok", "web:petugas", "73.08.21.1001")
                .await
                .unwrap(),
            "{n}"
        );
        assert!(
            !store
                .reject_submission(id, "lagi", "web:petugas", "73.08.21.1001")
                .await
                .unwrap(),
            "{n}: decided once"
        );
        let c = store.inbox_counts(Some(&kec)).await.unwrap();
        assert_eq!((c.pending, c.rejected), (0, 1), "{n}");
        let r = store.submission(id).await.unwrap().unwrap();
        assert_eq!(
            (
                r.status.as_str(),
                r.reason.as_deref(),
                r.decided_by.as_deref()
            ),
            ("rejected", Some("bukan kelompok"), Some("web:petugas")),
            "{n}: a rejected submission stays readable"
        );
        let trail = store
            .audit_of("kiriman", &id.to_string(), 10)
            .await
            .unwrap();
        assert_eq!(
            trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["reject", "receive"],
            "{n}"
        );
        store
            .set_wave_auto_accept("w1", true, "cli:uji")
            .await
            .unwrap();
        assert_eq!(store.auto_accept_waves().await.unwrap(), ["w1"], "{n}");
        store.close().await;
    }
}

/// Migration 0012: the tallies gain `age_10` (F1's "more than 10 years" beside its test). A
/// database of release 11 keeps every record; its tallies, counted without the column, are
/// dropped with the waves' screening, and the wave's next screening counts them again from the
/// group rows, now telling a group aged exactly 10 from an older one.
#[tokio::test]
async fn tallies_gain_age_10_and_are_counted_again() {
    for db in old_release(11).await {
        let n = db.name;
        let mut sqls = registry_rows();
        // Two groups of wave w1 (surveyed 2007-08-14): founded 1997 (exactly 10) and 1990.
        for (id, village, name, founded) in [
            ("K-1", "73.08.21.1001", "Arisan Sepuluh", 1997),
            ("K-2", "73.08.21.1002", "Arisan Tujuh Belas", 1990),
        ] {
            sqls.push(format!(
                "INSERT INTO actors (id, kind, region_code, created_at) VALUES \
                 ('{id}', 'kelompok', '{village}', {T})"
            ));
            sqls.push(format!(
                "INSERT INTO groups (id, wave_id, village_code, name, dup_key, group_type, origin, \
                 founded_year, membership_basis, purposes, activities, funding, social_values, \
                 status, survey_date, created_at, updated_at, name_fold) VALUES ('{id}', 'w1', \
                 '{village}', '{name}', '{id}', 'arisan', 'tumbuh_masyarakat', {founded}, 1, 1, 1, \
                 1, 1, 'aktif', '2007-08-14', {T}, {T}, '{}')",
                name.to_lowercase()
            ));
        }
        // The tallies as release 11 kept them (no `age_10`), and the pair registered.
        sqls.push(format!(
            "INSERT INTO rule_sets (version, name, toml, created_at) VALUES ('seed-2007', \
             'seed', '{}', {T})",
            include_str!("../../../wahana-domain/rules/seed-2007.toml").replace('\'', "''")
        ));
        sqls.push(format!(
            "INSERT INTO wave_rules (wave_id, rules_version, screened_at) VALUES \
             ('w1', 'seed-2007', {T})"
        ));
        sqls.push(
            "INSERT INTO tally_village (wave_id, rules_version, village_code, recorded, groups, \
             age_10_19) VALUES ('w1', 'seed-2007', '73.08.21.1001', 1, 1, 1), \
             ('w1', 'seed-2007', '73.08.21.1002', 1, 1, 1)"
                .into(),
        );
        let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
        db.exec(&refs).await;
        let before = OldDb::snapshot(&db.pool).await;
        on_pool!(db.pool, p => p.close().await);

        let store = Store::open(&db.url).await.unwrap();
        let after = OldDb::snapshot(store.pool()).await;
        assert_eq!(before, after, "{n}: every record is there, unchanged");
        // The old tallies are gone, and the wave is screened again when next asked.
        let left = OldDb::rows(store.pool(), "SELECT COUNT(*) FROM tally_village").await;
        assert_eq!(left, [["0"]], "{n}");
        assert!(!store.is_screened("w1", "seed-2007").await.unwrap(), "{n}");
        let region = RegionCode::parse("73.08.21").unwrap();
        let holding: Vec<String> = store
            .waves_holding(Some(&region))
            .await
            .unwrap()
            .into_iter()
            .map(|w| w.id)
            .collect();
        assert_eq!(holding, ["w1"], "{n}: found from the group rows meanwhile");
        let screened = store
            .screen_wave("w1", "seed-2007", |_, _| {})
            .await
            .unwrap();
        assert_eq!(screened, 2, "{n}");
        let t = store
            .profile_tallies("w1", "seed-2007", Some(&region))
            .await
            .unwrap();
        assert_eq!(
            (
                t.total.groups,
                t.total.older_10(),
                t.total.age_10,
                t.total.more_than_10()
            ),
            (2, 2, 1, 1),
            "{n}"
        );
        let col = OldDb::rows(
            store.pool(),
            "SELECT village_code, age_10 FROM tally_village ORDER BY village_code",
        )
        .await;
        assert_eq!(col, [["73.08.21.1001", "1"], ["73.08.21.1002", "0"]], "{n}");
    }
}

/// Migration 0013: SQLite gains a covering index of what the network reads of the groups. A
/// database of release 12 keeps every record, and the network's groups (the dissolved one left
/// out, the network name as written) are read the same after it, on both databases.
#[tokio::test]
async fn groups_network_index_is_added_and_nothing_is_lost() {
    for db in old_release(12).await {
        let n = db.name;
        let mut sqls = registry_rows();
        for (id, village, name, status, network) in [
            (
                "K-1",
                "73.08.21.1001",
                "Arisan Mawar",
                "aktif",
                "'Wahana Bukaka'",
            ),
            (
                "K-2",
                "73.08.21.1002",
                "Posyandu Melati",
                "tidak_aktif",
                "NULL",
            ),
            ("K-3", "73.08.21.1002", "Arisan Lama", "bubar", "NULL"),
        ] {
            sqls.push(format!(
                "INSERT INTO actors (id, kind, region_code, created_at) VALUES \
                 ('{id}', 'kelompok', '{village}', {T})"
            ));
            sqls.push(format!(
                "INSERT INTO groups (id, wave_id, village_code, name, dup_key, group_type, origin, \
                 founded_year, membership_basis, purposes, activities, funding, social_values, \
                 status, network, survey_date, created_at, updated_at, name_fold) VALUES ('{id}', \
                 'w1', '{village}', '{name}', '{id}', 'arisan', 'tumbuh_masyarakat', 1990, 1, 1, \
                 1, 1, 1, '{status}', {network}, '2007-08-14', {T}, {T}, '{}')",
                name.to_lowercase()
            ));
        }
        let refs: Vec<&str> = sqls.iter().map(String::as_str).collect();
        db.exec(&refs).await;
        let before = OldDb::snapshot(&db.pool).await;
        on_pool!(db.pool, p => p.close().await);

        let store = Store::open(&db.url).await.unwrap();
        let after = OldDb::snapshot(store.pool()).await;
        assert_eq!(before, after, "{n}: every record is there, unchanged");
        if let Pool::Sqlite(_) = store.pool() {
            let index = OldDb::rows(
                store.pool(),
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'groups_network'",
            )
            .await;
            assert_eq!(index, [["groups_network"]], "{n}");
        }
        let mut groups = Vec::new();
        store
            .for_each_scope_group(None, Some("w1"), |g| {
                groups.push((
                    g.id.to_string(),
                    g.village.to_string(),
                    g.network.map(str::to_string),
                ))
            })
            .await
            .unwrap();
        groups.sort();
        assert_eq!(
            groups,
            [
                (
                    "K-1".to_string(),
                    "73.08.21.1001".to_string(),
                    Some("Wahana Bukaka".to_string())
                ),
                ("K-2".to_string(), "73.08.21.1002".to_string(), None),
            ],
            "{n}"
        );
        let mut names = Vec::new();
        store
            .for_each_scope_group_name(None, Some("w1"), |id, name| {
                names.push((id.to_string(), name.to_string()))
            })
            .await
            .unwrap();
        names.sort();
        assert_eq!(
            names,
            [
                ("K-1".to_string(), "Arisan Mawar".to_string()),
                ("K-2".to_string(), "Posyandu Melati".to_string()),
            ],
            "{n}"
        );
    }
}
