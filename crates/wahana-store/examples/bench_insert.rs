//! Benchmark: writing groups through `Batch::save_groups` (the path imports use).
//!
//! `cargo run --release -p wahana-store --example bench_insert [VILLAGES]`

use std::time::Instant;
use wahana_domain::demo::{self, NATIONAL_DENSITY};
use wahana_domain::{Level, RegionTree};
use wahana_store::Store;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let villages: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    let tree = RegionTree::official();
    let wave = demo::demo_wave(true);
    let mut serial = 0;
    let t = Instant::now();
    let groups: Vec<_> = tree.at_level(Level::Village)[..villages]
        .iter()
        .flat_map(|v| demo::generate_village(v, 1, NATIONAL_DENSITY, &wave, &mut serial).groups)
        .collect();
    println!("generated {} groups in {:?}", groups.len(), t.elapsed());
    let url = std::env::var("WAHANA_BENCH_DATABASE").ok();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("b.db");
    let url = url.unwrap_or_else(|| path.to_string_lossy().into_owned());
    let store = Store::open(&url).await?;
    store.ensure_regions(tree).await?;
    store.save_wave(&wave).await?;
    let t = Instant::now();
    let mut batch = store.begin().await?;
    for chunk in groups.chunks(10_000) {
        batch.save_groups(&wave.id, chunk, &[]).await?;
    }
    batch.commit().await?;
    let s = t.elapsed().as_secs_f64();
    println!(
        "saved {} groups in {:.2} s: {:.0} rows/s",
        groups.len(),
        s,
        groups.len() as f64 / s
    );
    Ok(())
}
