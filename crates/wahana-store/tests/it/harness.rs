use std::sync::atomic::{AtomicU32, Ordering};
use wahana_domain::RegionTree;
use wahana_store::Store;

/// A database to test on; the SQLite file lives as long as this value.
pub struct TestDb {
    pub name: &'static str,
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server to test on, if any. Fails when CI is set and none is given.
pub fn postgres_url() -> Option<String> {
    match std::env::var("WAHANA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI is set but WAHANA_TEST_POSTGRES_URL is not: the PostgreSQL tests must run in CI"
            );
            None
        }
    }
}

/// Creates a fresh, empty PostgreSQL database on the test server and returns its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!(
        "wahana_test_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to the test PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name}"
    )))
    .execute(&mut conn)
    .await
    .expect("drop test database");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// Every backend to run a test on, each opened fresh with the region tree loaded.
pub async fn backends() -> Vec<TestDb> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("test.db");
    let store = Store::open(path.to_str().expect("utf-8 path"))
        .await
        .expect("open sqlite");
    store
        .ensure_regions(RegionTree::official())
        .await
        .expect("regions");
    out.push(TestDb {
        name: "sqlite",
        store,
        _dir: Some(dir),
    });
    if let Some(admin) = postgres_url() {
        let url = fresh_postgres_database(&admin).await;
        let store = Store::open(&url).await.expect("open postgres");
        store
            .ensure_regions(RegionTree::official())
            .await
            .expect("regions");
        out.push(TestDb {
            name: "postgres",
            store,
            _dir: None,
        });
    }
    out
}
