//! Loads the demonstration data (generated, deterministic, marked synthetic).

use anyhow::Result;
use serde::Serialize;
use wahana_domain::demo::{self, Density, VillageData};
use wahana_domain::{Region, RegionCode, RegionTree, Tie};
use wahana_store::{ActorKind, Store, TieEnd};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// The 8 kelurahan of Kecamatan Tanete Riattang (73.08.21), 50 to 65 groups each.
    Tanete,
    /// Every one of the 83,762 villages of Indonesia, about 4 million groups and about as many
    /// ties (one recorded tie per group, the shape of a real registry; for benchmarks), in one
    /// transaction: all or nothing.
    National,
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub wave: String,
    pub synthetic: bool,
    pub villages: u64,
    pub groups: u64,
    pub networks: u64,
    pub institutions: u64,
    pub ties: u64,
}

/// The kind of an actor from the generator's id convention (`K-`, `W-`, `L-`).
fn kind_of(id: &str) -> ActorKind {
    match id.chars().next() {
        Some(wahana_domain::Network::ID_LETTER) => ActorKind::Network,
        Some(wahana_domain::Institution::ID_LETTER) => ActorKind::Institution,
        _ => ActorKind::Group,
    }
}

/// An end of a generated tie: its kind and region from the generator's id convention
/// (`K-7308211001-0001`: the region's digits after the letter).
fn end_of(id: &str) -> Result<TieEnd> {
    let digits = id.split('-').nth(1).unwrap_or_default();
    let region = RegionCode::parse(digits)
        .map_err(|_| anyhow::anyhow!("generated id {id} names no region"))?;
    Ok(TieEnd {
        kind: kind_of(id),
        region: region.as_str().to_string(),
    })
}

/// The ties with their ends, each (from, to, type) once, as the store keeps them.
fn resolved(ties: &[Tie]) -> Result<Vec<(Tie, TieEnd, TieEnd)>> {
    let mut seen = std::collections::HashSet::new();
    ties.iter()
        .filter(|t| seen.insert((t.from.as_str(), t.to.as_str(), t.tie_type)))
        .map(|t| Ok((t.clone(), end_of(&t.from)?, end_of(&t.to)?)))
        .collect()
}

/// Villages generated and written at a time (the progress is told after each chunk).
const VILLAGES_PER_CHUNK: usize = 400;

/// Replaces the demonstration wave of that scale with freshly generated data, all or nothing:
/// the old wave's removal and every new record are one transaction, so a load that fails or is
/// killed leaves the database as it was (at national scale as well: SQLite's journal or
/// PostgreSQL's transaction takes it back). `progress` is told how many villages are done out
/// of how many; an error from it stops the load, which then writes nothing.
pub async fn load(
    store: &Store,
    scale: Scale,
    seed: u64,
    progress: &(dyn Fn(u64, u64) -> Result<()> + Sync),
) -> Result<DemoSummary> {
    let tree = RegionTree::official();
    let national = scale == Scale::National;
    let wave = demo::demo_wave(national);
    let mut batch = store.begin().await?;
    batch.delete_wave(&wave.id).await?;
    batch.save_wave(&wave).await?;
    let (villages, density): (Vec<&Region>, Density) = match scale {
        Scale::Tanete => (demo::tanete_villages(tree), demo::TANETE_DENSITY),
        Scale::National => (
            tree.at_level(wahana_domain::Level::Village)
                .iter()
                .collect(),
            demo::NATIONAL_DENSITY,
        ),
    };
    let total = villages.len() as u64;
    let mut summary = DemoSummary {
        wave: wave.id.clone(),
        synthetic: true,
        villages: total,
        groups: 0,
        networks: 0,
        institutions: 0,
        ties: 0,
    };
    let mut serial = 0u64;
    let mut done = 0u64;
    let mut all: Vec<VillageData> = Vec::new();
    // National: the last village of the chunk before, for the ties across village lines.
    let mut before: Option<VillageData> = None;
    for chunk in villages.chunks(VILLAGES_PER_CHUNK) {
        let mut data: Vec<VillageData> = chunk
            .iter()
            .map(|v| demo::generate_village(v, seed, density, &wave, &mut serial))
            .collect();
        if national {
            for i in 0..data.len() {
                let across = match i {
                    0 => before
                        .as_ref()
                        .map(|b| demo::cross_village_ties(b, &data[0]))
                        .unwrap_or_default(),
                    _ => demo::cross_village_ties(&data[i - 1], &data[i]),
                };
                data[i].ties.extend(across);
            }
        }
        let networks: Vec<_> = data
            .iter()
            .flat_map(|d| d.networks.iter().cloned())
            .collect();
        batch.save_actors(&wave.id, &networks).await?;
        let institutions: Vec<_> = data
            .iter()
            .flat_map(|d| d.institutions.iter().cloned())
            .collect();
        batch.save_actors(&wave.id, &institutions).await?;
        let groups: Vec<_> = data.iter().flat_map(|d| d.groups.iter().cloned()).collect();
        batch.save_groups(&wave.id, &groups, &[]).await?;
        let ties: Vec<Tie> = data.iter().flat_map(|d| d.ties.iter().cloned()).collect();
        let ties = resolved(&ties)?;
        batch.save_resolved_ties(&wave.id, &ties).await?;
        summary.ties += ties.len() as u64;
        for d in &data {
            summary.groups += d.groups.len() as u64;
            summary.networks += d.networks.len() as u64;
            summary.institutions += d.institutions.len() as u64;
        }
        done += chunk.len() as u64;
        // The batch rolls back when dropped: an error here lands nothing.
        progress(done, total)?;
        if national {
            before = data.pop();
        } else {
            all.extend(data);
        }
    }
    if !national {
        let extras = demo::tanete_extras(&all);
        batch.save_actors(&wave.id, &extras.institutions).await?;
        let ties = resolved(&extras.ties)?;
        batch.save_resolved_ties(&wave.id, &ties).await?;
        summary.institutions += extras.institutions.len() as u64;
        summary.ties += ties.len() as u64;
    }
    batch.commit().await?;
    Ok(summary)
}

/// What [`write_resurvey`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ResurveySummary {
    pub rows: u64,
    /// Rows that carry the earlier group's id.
    pub with_id: u64,
    /// Rows of earlier groups without their id (to be linked by name and the other fields).
    pub without_id: u64,
    /// Rows of groups the earlier wave did not have.
    pub new: u64,
    /// Of the rows of earlier groups, those found dissolved (`bubar`).
    pub dissolved: u64,
    /// Earlier groups with no row (not found again).
    pub not_refound: u64,
}

/// Writes a synthetic re-survey (*pemutakhiran*) of the Tanete Riattang demonstration wave made
/// with `seed`, as field staff would bring it back in August 2026: an instrument CSV of groups
/// where most groups continue (their names retyped, chairs changed, some found dissolved),
/// some are not found again and new ones appear (`wahana_domain::linking::resurvey`). One row
/// of an earlier group in `1 / id_every` keeps its id; the others come without one, as files
/// from the field often do, and are linked on import. Marked synthetic in every row's notes.
pub fn write_resurvey(path: &std::path::Path, seed: u64, id_every: u64) -> Result<ResurveySummary> {
    use crate::instrument::write::{CsvSink, RowSink, header_names};
    use wahana_domain::instrument::Table;
    use wahana_domain::linking::resurvey::{RESURVEY_DEFAULT, tanete_resurvey};
    let mut sink = CsvSink::create(path)?;
    sink.write_header(&header_names(Table::Groups, false))?;
    let mut s = ResurveySummary {
        rows: 0,
        with_id: 0,
        without_id: 0,
        new: 0,
        dissolved: 0,
        not_refound: 0,
    };
    let mut k = 0u64;
    for (earlier, rows) in tanete_resurvey(seed, &RESURVEY_DEFAULT) {
        s.not_refound +=
            (earlier.len() - rows.iter().filter(|r| r.previous.is_some()).count()) as u64;
        for row in rows {
            let mut g = row.group.clone();
            match row.previous {
                Some(_) => {
                    k += 1;
                    if g.status == wahana_domain::codes::GroupStatus::Dissolved {
                        s.dissolved += 1;
                    }
                    if id_every > 0 && k.is_multiple_of(id_every) {
                        s.with_id += 1;
                    } else {
                        g.id = String::new();
                        s.without_id += 1;
                    }
                }
                None => {
                    g.id = String::new();
                    s.new += 1;
                }
            }
            s.rows += 1;
            sink.write_row(&g.to_fields())?;
        }
    }
    Box::new(sink).finish()?;
    Ok(s)
}
