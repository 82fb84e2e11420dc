//! What the network of a scope is built from, streamed in as few columns as the graph needs so
//! that the national graph (millions of nodes) loads without holding whole records. On SQLite the
//! rows come through the bulk reader (`bulk.rs`), on PostgreSQL through sqlx's row stream; the
//! SQL is the same.

use crate::bulk::{read_rows, sqlite_file};
use crate::regions::bounds;
use crate::{Store, StoreError, on_pool};
use futures::TryStreamExt;
use wahana_domain::codes::{Code, GroupType, TieType};
use wahana_domain::network::{Node, NodeKind};
use wahana_domain::{Level, RegionCode};

fn parse_region(s: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(s).map_err(|_| StoreError::corrupt("region code", s))
}

const SCOPE_GROUPS: &str = "SELECT id, name, village_code, group_type, network FROM groups \
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

fn group_node(
    (id, name, village, group_type, network): (String, String, String, String, Option<String>),
) -> Result<(Node, Option<String>), StoreError> {
    let node = Node {
        id,
        name,
        kind: NodeKind::Group,
        group_type: Some(
            GroupType::from_code(&group_type)
                .ok_or_else(|| StoreError::corrupt("group type", group_type.clone()))?,
        ),
        village: Some(parse_region(&village)?),
    };
    Ok((node, network.filter(|s| !s.trim().is_empty())))
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

fn tie_row(
    (from, to, t): (String, String, String),
) -> Result<(String, String, TieType), StoreError> {
    let tie_type =
        TieType::from_code(&t).ok_or_else(|| StoreError::corrupt("tie type", t.clone()))?;
    Ok((from, to, tie_type))
}

/// Columns 0..3 of a row as text (a NULL as `None` for the last).
fn text3(row: &rusqlite::Row<'_>) -> Result<(String, String, String), StoreError> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
}

impl Store {
    /// Streams the groups of a region (all of Indonesia for `None`) that have not dissolved,
    /// in one wave or all, as network nodes with the network name their `wahana` column gives.
    /// The order is the database's: sort if it matters.
    pub async fn for_each_scope_group(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(Node, Option<String>),
    ) -> Result<u64, StoreError> {
        let (lo, hi) = bounds(region);
        let wave = wave.map(str::to_string);
        if let Some(path) = sqlite_file(&self.pool) {
            return read_rows(
                path,
                SCOPE_GROUPS,
                vec![Some(lo), Some(hi), wave],
                |r| group_node((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                |(node, network)| {
                    each(node, network);
                    Ok(())
                },
            )
            .await;
        }
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String, String, String, Option<String>)>(SCOPE_GROUPS)
                .bind(lo)
                .bind(hi)
                .bind(wave)
                .fetch(p);
            while let Some(row) = rows.try_next().await? {
                let (node, network) = group_node(row)?;
                each(node, network);
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
        mut each: impl FnMut(String, String, TieType),
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
            return read_rows(
                path,
                sql,
                params,
                |r| tie_row(text3(r)?),
                |(from, to, t)| {
                    each(from, to, t);
                    Ok(())
                },
            )
            .await;
        }
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut q = sqlx::query_as::<_, (String, String, String)>(sql);
            for v in params {
                q = q.bind(v);
            }
            let mut rows = q.fetch(p);
            while let Some(row) = rows.try_next().await? {
                let (from, to, t) = tie_row(row)?;
                each(from, to, t);
                n += 1;
            }
        });
        Ok(n)
    }
}
