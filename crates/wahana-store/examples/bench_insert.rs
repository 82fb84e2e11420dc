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
    if std::env::var("NOIDX").is_ok() {
        batch.drop_secondary_group_indexes().await?;
    }
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
    store.close().await;
    if std::env::var("WAHANA_BENCH_DATABASE").is_err() {
        let s = rusqlite_insert(&path, &wave.id, &groups)?;
        println!(
            "rusqlite: {} groups in {:.2} s: {:.0} rows/s",
            groups.len(),
            s,
            groups.len() as f64 / s
        );
    }
    Ok(())
}

/// The same rows through rusqlite with one prepared single-row statement, for comparison.
#[allow(dead_code)]
pub fn rusqlite_insert(
    path: &std::path::Path,
    wave: &str,
    groups: &[wahana_domain::Group],
) -> rusqlite::Result<f64> {
    use wahana_domain::Code;
    let mut conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "wal")?;
    conn.pragma_update(None, "synchronous", "normal")?;
    if std::env::var("NOIDX").is_ok() {
        conn.execute_batch("DROP INDEX groups_village_wave; DROP INDEX groups_dup_key;")?;
    }
    let t = Instant::now();
    let tx = conn.transaction()?;
    {
        let mut st = tx.prepare(
            "INSERT INTO groups (id, wave_id, village_code, local_unit, name, dup_key, group_type, origin, founded_year, members_male, members_female, membership_basis, purposes, activities, funding, main_funding, dues_rupiah, dues_period, social_values, meeting_frequency, legal_status, status, network, chair, phone, latitude, longitude, survey_date, enumerator, notes, provenance, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22,$23,$24,$25,$26,$27,$28,$29,$30,$31,$32,$33)",
        )?;
        for g in groups {
            let id = format!("R{}", g.id);
            st.execute(rusqlite::params![
                id,
                wave,
                g.village.as_str(),
                g.local_unit,
                g.name,
                wahana_domain::registry::duplicate_key(&g.village, g.group_type, &g.name),
                g.group_type.code(),
                g.origin.code(),
                g.founded_year,
                g.members_male,
                g.members_female,
                g.membership_basis.bits(),
                g.purposes.bits(),
                g.activities.bits(),
                g.funding.bits(),
                g.main_funding.map(|c| c.code()),
                g.dues_rupiah,
                g.dues_period.map(|c| c.code()),
                g.values.bits(),
                g.meeting_frequency.map(|c| c.code()),
                g.legal_status.map(|c| c.code()),
                g.status.code(),
                g.network,
                g.chair,
                g.phone,
                g.latitude,
                g.longitude,
                g.survey_date.to_string(),
                g.enumerator,
                g.notes,
                Option::<String>::None,
                "2026",
                "2026"
            ])?;
        }
    }
    tx.commit()?;
    Ok(t.elapsed().as_secs_f64())
}
