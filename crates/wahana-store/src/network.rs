//! What the network of a scope is built from, streamed in as few columns as the graph needs so
//! that the national graph (millions of nodes) loads without holding whole records.

use crate::actors::bounds;
use crate::{Store, StoreError, on_pool};
use futures::TryStreamExt;
use wahana_domain::codes::{Code, GroupType, TieType};
use wahana_domain::network::{Node, NodeKind};
use wahana_domain::{Level, RegionCode};

fn parse_region(s: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(s).map_err(|_| StoreError::corrupt("region code", s))
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
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String, String, String, Option<String>)>(
                "SELECT id, name, village_code, group_type, network FROM groups \
                 WHERE village_code >= $1 AND village_code < $2 AND status <> 'bubar' \
                 AND ($3 IS NULL OR wave_id = $3)",
            )
            .bind(lo)
            .bind(hi)
            .bind(wave.map(str::to_string))
            .fetch(p);
            while let Some((id, name, village, group_type, network)) = rows.try_next().await? {
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
                each(node, network.filter(|s| !s.trim().is_empty()));
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
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String, String)>(
                "SELECT id, name, region_code FROM institutions \
                 WHERE region_code >= $1 AND region_code < $2 AND ($3 IS NULL OR wave_id = $3)",
            )
            .bind(lo)
            .bind(hi)
            .bind(wave.map(str::to_string))
            .fetch(p);
            while let Some((id, name, code)) = rows.try_next().await? {
                let code = parse_region(&code)?;
                each(Node {
                    id,
                    name,
                    kind: NodeKind::Institution,
                    group_type: None,
                    village: (code.level() == Level::Village).then_some(code),
                });
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
        let mut n = 0;
        on_pool!(self.pool, p => {
            let mut rows = sqlx::query_as::<_, (String, String, String)>(
                "SELECT id, name, village_code FROM networks \
                 WHERE village_code >= $1 AND village_code < $2 AND ($3 IS NULL OR wave_id = $3)",
            )
            .bind(lo)
            .bind(hi)
            .bind(wave.map(str::to_string))
            .fetch(p);
            while let Some((id, name, village)) = rows.try_next().await? {
                each(Node {
                    id,
                    name,
                    kind: NodeKind::Network,
                    group_type: None,
                    village: Some(parse_region(&village)?),
                });
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
        let mut n = 0;
        macro_rules! drain {
            ($rows:expr) => {{
                let mut rows = $rows;
                while let Some((from, to, t)) = rows.try_next().await? {
                    let t: String = t;
                    let tie_type = TieType::from_code(&t)
                        .ok_or_else(|| StoreError::corrupt("tie type", t.clone()))?;
                    each(from, to, tie_type);
                    n += 1;
                }
            }};
        }
        match region {
            // Everything: no need to find which ends lie in the scope.
            None => on_pool!(self.pool, p => drain!(
                sqlx::query_as::<_, (String, String, String)>(
                    "SELECT from_id, to_id, tie_type FROM ties WHERE ($1 IS NULL OR wave_id = $1)",
                )
                .bind(wave)
                .fetch(p)
            )),
            Some(r) => {
                let (lo, hi) = bounds(Some(r));
                on_pool!(self.pool, p => drain!(
                    sqlx::query_as::<_, (String, String, String)>(
                        "WITH actors AS ( \
                           SELECT id FROM groups WHERE village_code >= $1 AND village_code < $2 \
                           UNION SELECT id FROM networks WHERE village_code >= $1 AND village_code < $2 \
                           UNION SELECT id FROM institutions WHERE region_code >= $1 AND region_code < $2) \
                         SELECT from_id, to_id, tie_type FROM ties \
                         WHERE (from_id IN (SELECT id FROM actors) OR to_id IN (SELECT id FROM actors)) \
                         AND ($3 IS NULL OR wave_id = $3)",
                    )
                    .bind(lo)
                    .bind(hi)
                    .bind(wave)
                    .fetch(p)
                ))
            }
        }
        Ok(n)
    }
}
