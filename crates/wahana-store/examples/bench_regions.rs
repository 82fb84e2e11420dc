//! Benchmark: loading the whole official region tree (91,599 regions) into a new database.
//!
//! `cargo run --release -p wahana-store --example bench_regions [RUNS]`; also on PostgreSQL
//! when `WAHANA_BENCH_POSTGRES_URL` names a server (each run in a fresh database).

use std::time::{Duration, Instant};
use wahana_domain::RegionTree;
use wahana_store::Store;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let t = Instant::now();
    let tree = RegionTree::official();
    println!(
        "parse embedded tree: {:?} ({} regions)",
        t.elapsed(),
        tree.len()
    );

    let mut sqlite = Vec::new();
    for _ in 0..runs {
        let dir = tempfile::tempdir()?;
        let store = Store::open(dir.path().join("b.db").to_str().unwrap_or("b.db")).await?;
        let t = Instant::now();
        store.load_regions(tree).await?;
        sqlite.push(t.elapsed());
        store.close().await;
    }
    println!(
        "sqlite: median {:?} of {runs} runs (min {:?}, max {:?})",
        median(sqlite.clone()),
        sqlite.iter().min().unwrap_or(&Duration::ZERO),
        sqlite.iter().max().unwrap_or(&Duration::ZERO)
    );

    if let Ok(admin) = std::env::var("WAHANA_BENCH_POSTGRES_URL") {
        use sqlx::Connection;
        let mut pg = Vec::new();
        for i in 0..runs {
            let name = format!("wahana_bench_{}_{i}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&admin).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await?;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            let store = Store::open(&format!("{base}/{name}")).await?;
            let t = Instant::now();
            store.load_regions(tree).await?;
            pg.push(t.elapsed());
            store.close().await;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}")))
                .execute(&mut conn)
                .await?;
        }
        println!(
            "postgres: median {:?} of {runs} runs (min {:?}, max {:?})",
            median(pg.clone()),
            pg.iter().min().unwrap_or(&Duration::ZERO),
            pg.iter().max().unwrap_or(&Duration::ZERO)
        );
    }
    Ok(())
}
