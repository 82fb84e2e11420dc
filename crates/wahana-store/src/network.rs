//! What the network of a scope is built from, streamed in as few columns as the graph needs so
//! that the national graph (millions of nodes) loads without holding whole records. On SQLite the
//! rows come through the bulk reader (`bulk.rs`); on PostgreSQL the groups and ties, the
//! millions, come by `COPY ... TO STDOUT` (`copy::copy_out`) and the rest through sqlx's row
//! stream; the SQL is the same. Groups and ties are handed over borrowed ([`GroupRow`], `&str`
//! ends), from the buffer they arrived in, so that a row costs no allocation.

use crate::bulk::{Packed, read_packed, read_rows, sqlite_file, text_ref};
use crate::copy::copy_out;
use crate::regions::bounds;
use crate::{Pool, Refusal, Store, StoreError, on_pool};
use futures::TryStreamExt;
use wahana_domain::codes::{Code, GroupType, TieType};
use wahana_domain::network::{Node, NodeKind};
use wahana_domain::{Level, RegionCode};

fn parse_region(s: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(s).map_err(|_| StoreError::corrupt("region code", s))
}

/// What the graph reads of every group: all of it in migration 0013's covering index
/// `groups_network`, so that the scan never reads the wide group rows.
const SCOPE_GROUPS: &str = "SELECT id, village_code, group_type, network FROM groups \
     WHERE village_code >= $1 AND village_code < $2 AND status <> 'bubar' \
     AND ($3 IS NULL OR wave_id = $3)";

/// The groups' names, read only for a graph that shows them (a scope of up to 100,000 nodes).
const SCOPE_GROUP_NAMES: &str = "SELECT id, name FROM groups \
     WHERE village_code >= $1 AND village_code < $2 AND status <> 'bubar' \
     AND ($3 IS NULL OR wave_id = $3)";

const SCOPE_INSTITUTIONS: &str = "SELECT id, name, region_code FROM institutions \
     WHERE region_code >= $1 AND region_code < $2 AND ($3 IS NULL OR wave_id = $3)";

const SCOPE_NETWORKS: &str = "SELECT id, name, village_code FROM networks \
     WHERE village_code >= $1 AND village_code < $2 AND ($3 IS NULL OR wave_id = $3)";

const ALL_TIES: &str =
    "SELECT from_id, to_id, tie_type FROM ties WHERE ($1 IS NULL OR wave_id = $1)";

const SCOPE_TIES: &str = "WITH actors AS ( \
       SELECT id FROM groups WHERE village_code >= $1 AND village_code < $2 \
       UNION SELECT id FROM networks WHERE village_code >= $1 AND village_code < $2 \
       UNION SELECT id FROM institutions WHERE region_code >= $1 AND region_code < $2) \
     SELECT from_id, to_id, tie_type FROM ties \
     WHERE (from_id IN (SELECT id FROM actors) OR to_id IN (SELECT id FROM actors)) \
     AND ($3 IS NULL OR wave_id = $3)";

/// A group as the network reads it, borrowed from the rows being read (its name is read
/// apart, [`Store::for_each_scope_group_name`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupRow<'a> {
    pub id: &'a str,
    pub village: &'a RegionCode,
    pub group_type: GroupType,
    /// The network its `wahana` column names; `None` when blank.
    pub network: Option<&'a str>,
}

fn group_type(s: &str) -> Result<GroupType, StoreError> {
    GroupType::from_code(s).ok_or_else(|| StoreError::corrupt("group type", s))
}

fn tie_type(s: &str) -> Result<TieType, StoreError> {
    TieType::from_code(s).ok_or_else(|| StoreError::corrupt("tie type", s))
}

fn blank_none(s: &str) -> Option<&str> {
    (!s.trim().is_empty()).then_some(s)
}

/// Groups packed for the bulk reader: each row's id and network in `text` (two ends a row in
/// `ends`), its type, and its village as an index into the batch's distinct villages
/// (rows come in village order, so a village is parsed once a batch).
#[derive(Default)]
struct GroupBatch {
    text: String,
    ends: Vec<u32>,
    types: Vec<GroupType>,
    village_of: Vec<u32>,
    villages: Vec<RegionCode>,
    /// The text of the last village parsed in this batch.
    last_village: String,
}

impl Packed for GroupBatch {
    fn rows(&self) -> usize {
        self.types.len()
    }
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.types.clear();
        self.village_of.clear();
        self.villages.clear();
        self.last_village.clear();
    }
}

/// The end of what `text` holds, as a batch offset (a batch holds a few thousand rows).
fn end(text: &str) -> Result<u32, StoreError> {
    u32::try_from(text.len()).map_err(|_| StoreError::corrupt("bulk batch", "over 4 GiB"))
}

impl GroupBatch {
    /// Adds a row of `SCOPE_GROUPS`.
    fn add(&mut self, r: &rusqlite::Row<'_>) -> Result<(), StoreError> {
        for col in [0, 3] {
            self.text.push_str(text_ref(r, col)?);
            self.ends.push(end(&self.text)?);
        }
        let village = text_ref(r, 1)?;
        if self.villages.is_empty() || village != self.last_village {
            self.villages.push(parse_region(village)?);
            self.last_village.clear();
            self.last_village.push_str(village);
        }
        self.village_of.push(self.villages.len() as u32 - 1);
        self.types.push(group_type(text_ref(r, 2)?)?);
        Ok(())
    }

    fn row(&self, i: usize) -> GroupRow<'_> {
        let start = if i == 0 {
            0
        } else {
            self.ends[2 * i - 1] as usize
        };
        let (a, b) = (self.ends[2 * i] as usize, self.ends[2 * i + 1] as usize);
        GroupRow {
            id: &self.text[start..a],
            village: &self.villages[self.village_of[i] as usize],
            group_type: self.types[i],
            network: blank_none(&self.text[a..b]),
        }
    }
}

/// Ties packed for the bulk reader: each row's two ends in `text` (two ends a row in `ends`).
#[derive(Default)]
struct TieBatch {
    text: String,
    ends: Vec<u32>,
    types: Vec<TieType>,
}

impl Packed for TieBatch {
    fn rows(&self) -> usize {
        self.types.len()
    }
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.types.clear();
    }
}

/// Pairs of text packed for the bulk reader (a group's id and name).
#[derive(Default)]
struct PairBatch {
    text: String,
    ends: Vec<u32>,
}

impl Packed for PairBatch {
    fn rows(&self) -> usize {
        self.ends.len() / 2
    }
    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }
}

impl PairBatch {
    fn add(&mut self, r: &rusqlite::Row<'_>) -> Result<(), StoreError> {
        for col in [0, 1] {
            self.text.push_str(text_ref(r, col)?);
            self.ends.push(end(&self.text)?);
        }
        Ok(())
    }

    fn row(&self, i: usize) -> (&str, &str) {
        let start = if i == 0 {
            0
        } else {
            self.ends[2 * i - 1] as usize
        };
        let (a, b) = (self.ends[2 * i] as usize, self.ends[2 * i + 1] as usize);
        (&self.text[start..a], &self.text[a..b])
    }
}

impl TieBatch {
    fn add(&mut self, r: &rusqlite::Row<'_>) -> Result<(), StoreError> {
        for col in [0, 1] {
            self.text.push_str(text_ref(r, col)?);
            self.ends.push(end(&self.text)?);
        }
        self.types.push(tie_type(text_ref(r, 2)?)?);
        Ok(())
    }

    fn row(&self, i: usize) -> (&str, &str, TieType) {
        let start = if i == 0 {
            0
        } else {
            self.ends[2 * i - 1] as usize
        };
        let (a, b) = (self.ends[2 * i] as usize, self.ends[2 * i + 1] as usize);
        (&self.text[start..a], &self.text[a..b], self.types[i])
    }
}

fn institution_node((id, name, code): (String, String, String)) -> Result<Node, StoreError> {
    let code = parse_region(&code)?;
    Ok(Node {
        id,
        name,
        kind: NodeKind::Institution,
        group_type: None,
        village: (code.level() == Level::Village).then_some(code),
    })
}

fn network_node((id, name, village): (String, String, String)) -> Result<Node, StoreError> {
    Ok(Node {
        id,
        name,
        kind: NodeKind::Network,
        group_type: None,
        village: Some(parse_region(&village)?),
    })
}

/// Columns 0..3 of a row as text (a NULL as `None` for the last).
fn text3(row: &rusqlite::Row<'_>) -> Result<(String, String, String), StoreError> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

impl Store {
    /// Streams the groups of a region (all of Indonesia for `None`) that have not dissolved,
    /// in one wave or all, with the network name their `wahana` column gives. The order is the
    /// database's: sort if it matters.
    pub async fn for_each_scope_group(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(GroupRow<'_>),
    ) -> Result<u64, StoreError> {
        let (lo, hi) = bounds(region);
        let wave = wave.map(str::to_string);
        if let Some(path) = sqlite_file(&self.pool) {
            return read_packed(
                path,
                SCOPE_GROUPS,
                vec![Some(lo), Some(hi), wave],
                |r, b: &mut GroupBatch| b.add(r),
                |b| {
                    for i in 0..b.rows() {
                        each(b.row(i));
                    }
                    Ok(())
                },
            )
            .await;
        }
        let Pool::Postgres(p) = &self.pool else {
            return Err(Refusal::SqliteInMemory.into());
        };
        // The rows come in the table's order, a village's groups together: each village's
        // code is parsed once.
        let mut village: Option<RegionCode> = None;
        copy_out(p, SCOPE_GROUPS, &[Some(lo), Some(hi), wave], |row| {
            let [Some(id), Some(code), Some(kind), network] = row else {
                return Err(StoreError::corrupt("group row", format!("{row:?}")));
            };
            if village.as_ref().map(RegionCode::as_str) != Some(*code) {
                village = Some(parse_region(code)?);
            }
            let Some(village) = &village else {
                unreachable!("set above")
            };
            each(GroupRow {
                id,
                village,
                group_type: group_type(kind)?,
                network: network.and_then(blank_none),
            });
            Ok(())
        })
        .await
    }

    /// Streams `(id, name)` of the groups [`Store::for_each_scope_group`] streams.
    pub async fn for_each_scope_group_name(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(&str, &str),
    ) -> Result<u64, StoreError> {
        let (lo, hi) = bounds(region);
        let wave = wave.map(str::to_string);
        if let Some(path) = sqlite_file(&self.pool) {
            return read_packed(
                path,
                SCOPE_GROUP_NAMES,
                vec![Some(lo), Some(hi), wave],
                |r, b: &mut PairBatch| b.add(r),
                |b| {
                    for i in 0..b.rows() {
                        let (id, name) = b.row(i);
                        each(id, name);
                    }
                    Ok(())
                },
            )
            .await;
        }
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String)>(SCOPE_GROUP_NAMES)
                .bind(lo)
                .bind(hi)
                .bind(wave)
                .fetch(p);
            while let Some((id, name)) = rows.try_next().await? {
                each(&id, &name);
                n += 1;
            }
        });
        Ok(n)
    }

    /// Streams the institutions of a region's subtree (any level) as network nodes; an
    /// institution's village is its region when that is a desa/kelurahan.
    pub async fn for_each_scope_institution(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(Node),
    ) -> Result<u64, StoreError> {
        let (lo, hi) = bounds(region);
        let wave = wave.map(str::to_string);
        if let Some(path) = sqlite_file(&self.pool) {
            return read_rows(
                path,
                SCOPE_INSTITUTIONS,
                vec![Some(lo), Some(hi), wave],
                |r| institution_node(text3(r)?),
                |node| {
                    each(node);
                    Ok(())
                },
            )
            .await;
        }
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String, String)>(SCOPE_INSTITUTIONS)
                .bind(lo)
                .bind(hi)
                .bind(wave)
                .fetch(p);
            while let Some(row) = rows.try_next().await? {
                each(institution_node(row)?);
                n += 1;
            }
        });
        Ok(n)
    }

    /// Streams the networks of a region's subtree as network nodes.
    pub async fn for_each_scope_network(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(Node),
    ) -> Result<u64, StoreError> {
        let (lo, hi) = bounds(region);
        let wave = wave.map(str::to_string);
        if let Some(path) = sqlite_file(&self.pool) {
            return read_rows(
                path,
                SCOPE_NETWORKS,
                vec![Some(lo), Some(hi), wave],
                |r| network_node(text3(r)?),
                |node| {
                    each(node);
                    Ok(())
                },
            )
            .await;
        }
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String, String)>(SCOPE_NETWORKS)
                .bind(lo)
                .bind(hi)
                .bind(wave)
                .fetch(p);
            while let Some(row) = rows.try_next().await? {
                each(network_node(row)?);
                n += 1;
            }
        });
        Ok(n)
    }

    /// Streams `(from, to, type)` for the recorded ties with at least one end among the actors
    /// of a region (every tie for `None`), in one wave or all.
    pub async fn for_each_scope_tie(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(&str, &str, TieType),
    ) -> Result<u64, StoreError> {
        let wave = wave.map(str::to_string);
        // Everything needs no look at which ends lie in the scope.
        let (sql, params) = match region {
            None => (ALL_TIES, vec![wave]),
            Some(r) => {
                let (lo, hi) = bounds(Some(r));
                (SCOPE_TIES, vec![Some(lo), Some(hi), wave])
            }
        };
        if let Some(path) = sqlite_file(&self.pool) {
            return read_packed(
                path,
                sql,
                params,
                |r, b: &mut TieBatch| b.add(r),
                |b| {
                    for i in 0..b.rows() {
                        let (from, to, t) = b.row(i);
                        each(from, to, t);
                    }
                    Ok(())
                },
            )
            .await;
        }
        let Pool::Postgres(p) = &self.pool else {
            return Err(Refusal::SqliteInMemory.into());
        };
        copy_out(p, sql, &params, |row| {
            let [Some(from), Some(to), Some(t)] = row else {
                return Err(StoreError::corrupt("tie row", format!("{row:?}")));
            };
            each(from, to, tie_type(t)?);
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SQLite file holding `n` groups over villages of a few rows each (so that villages
    /// change inside and across batches) and `n` ties, as the bulk reader reads them.
    fn file(n: usize) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bulk.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE groups (id TEXT, name TEXT, village_code TEXT, group_type TEXT, \
             network TEXT, status TEXT, wave_id TEXT); \
             CREATE TABLE ties (from_id TEXT, to_id TEXT, tie_type TEXT, wave_id TEXT);",
        )
        .unwrap();
        let tx = conn.unchecked_transaction().unwrap();
        for i in 0..n {
            let village = format!("73.08.21.{}", 1001 + i / 7);
            let network = match i % 3 {
                0 => None,
                1 => Some("  ".to_string()),
                _ => Some(format!("WKSBM {}", i / 7)),
            };
            tx.execute(
                "INSERT INTO groups VALUES (?1, ?2, ?3, ?4, ?5, 'aktif', 'w')",
                rusqlite::params![
                    format!("K-{i:06}"),
                    format!("Kelompok ke-{i} {}", "é".repeat(i % 5)),
                    village,
                    if i % 2 == 0 { "arisan" } else { "posyandu" },
                    network
                ],
            )
            .unwrap();
            tx.execute(
                "INSERT INTO ties VALUES (?1, ?2, ?3, 'w')",
                rusqlite::params![
                    format!("K-{i:06}"),
                    format!("W-{}", i % 11),
                    if i % 2 == 0 {
                        "koordinasi"
                    } else {
                        "anggota_bersama"
                    }
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        (dir, path)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn packed_batches_give_every_row_as_it_was_written() {
        // More rows than two batches hold, so that batches are refilled.
        let n = 2 * crate::bulk::BATCH + 123;
        let (_dir, path) = file(n);
        let mut groups = Vec::new();
        let read = read_packed(
            path.clone(),
            SCOPE_GROUPS,
            vec![Some(String::new()), Some("~".to_string()), None],
            |r, b: &mut GroupBatch| b.add(r),
            |b| {
                for i in 0..b.rows() {
                    let g = b.row(i);
                    groups.push((
                        g.id.to_string(),
                        g.village.as_str().to_string(),
                        g.group_type,
                        g.network.map(str::to_string),
                    ));
                }
                Ok(())
            },
        )
        .await
        .unwrap();
        assert_eq!(read as usize, n);
        groups.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, g) in groups.iter().enumerate() {
            let network = (i % 3 == 2).then(|| format!("WKSBM {}", i / 7));
            let want = (
                format!("K-{i:06}"),
                format!("73.08.21.{}", 1001 + i / 7),
                if i % 2 == 0 {
                    GroupType::Arisan
                } else {
                    GroupType::Posyandu
                },
                network,
            );
            assert_eq!(*g, want);
        }

        let mut names = Vec::new();
        let read = read_packed(
            path.clone(),
            SCOPE_GROUP_NAMES,
            vec![Some(String::new()), Some("~".to_string()), None],
            |r, b: &mut PairBatch| b.add(r),
            |b| {
                for i in 0..b.rows() {
                    let (id, name) = b.row(i);
                    names.push((id.to_string(), name.to_string()));
                }
                Ok(())
            },
        )
        .await
        .unwrap();
        assert_eq!(read as usize, n);
        names.sort();
        for (i, g) in names.iter().enumerate() {
            let name = format!("Kelompok ke-{i} {}", "é".repeat(i % 5));
            assert_eq!(*g, (format!("K-{i:06}"), name));
        }

        let mut ties = Vec::new();
        let read = read_packed(
            path,
            ALL_TIES,
            vec![None],
            |r, b: &mut TieBatch| b.add(r),
            |b| {
                for i in 0..b.rows() {
                    let (from, to, t) = b.row(i);
                    ties.push((from.to_string(), to.to_string(), t));
                }
                Ok(())
            },
        )
        .await
        .unwrap();
        assert_eq!(read as usize, n);
        ties.sort_by(|a, b| a.0.cmp(&b.0));
        for (i, t) in ties.iter().enumerate() {
            let want_type = if i % 2 == 0 {
                TieType::Coordination
            } else {
                TieType::SharedMembers
            };
            assert_eq!(
                *t,
                (format!("K-{i:06}"), format!("W-{}", i % 11), want_type)
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_groups_are_read_from_the_covering_index_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.db");
        let store = crate::Store::open(path.to_str().unwrap()).await.unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(&path).unwrap();
        for (lo, hi, wave) in [("", "~", None), ("73.08.21", "73.08.22", Some("w1"))] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {SCOPE_GROUPS}"))
                .unwrap()
                .query_map(rusqlite::params![lo, hi, wave], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(
                plan,
                [
                    "SEARCH groups USING COVERING INDEX groups_network (village_code>? AND village_code<?)"
                ],
                "{lo}..{hi}"
            );
        }
    }
}
