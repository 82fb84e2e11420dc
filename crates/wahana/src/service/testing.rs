//! What the service's tests share: a store on each database they run on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use wahana_store::Store;

/// An empty store on SQLite in a temporary directory (kept with it) and, when
/// `WAHANA_TEST_POSTGRES_URL` is set (always in CI), one on a fresh PostgreSQL database.
pub(crate) async fn stores() -> Vec<(&'static str, Store, tempfile::TempDir)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db").display().to_string();
    out.push((
        "sqlite",
        super::open_with(&path, wahana_store::Sharing::Shared)
            .await
            .unwrap(),
        dir,
    ));
    match std::env::var("WAHANA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            use sqlx::Connection;
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let name = format!(
                "wahana_service_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            );
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            for sql in [
                format!("DROP DATABASE IF EXISTS {name}"),
                format!("CREATE DATABASE {name}"),
            ] {
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            let (base, _) = url.rsplit_once('/').unwrap();
            let store = super::open_with(&format!("{base}/{name}"), wahana_store::Sharing::Shared)
                .await
                .unwrap();
            out.push(("postgres", store, tempfile::tempdir().unwrap()));
        }
        _ => assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but WAHANA_TEST_POSTGRES_URL is not"
        ),
    }
    out
}
