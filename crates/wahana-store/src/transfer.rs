//! What imports and exports need from the database: lookups by the hundred inside an import's
//! transaction, and rows streamed out in a stable order without holding them in memory.

use crate::registry::{on_tx, push_group_filter, range_end};
use crate::rows::{
    GROUP_SELECT, GroupRow, INSTITUTION_SELECT, InstitutionRow, NETWORK_SELECT, NetworkRow,
};
use crate::{Batch, GroupFilter, Store, StoreError, StoredGroup, TieRecord, on_pool};
use futures::TryStreamExt;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::{HashMap, HashSet};
use wahana_domain::codes::{Code, TieType};
use wahana_domain::{Institution, Network, RegionCode, Tie, Wave};

/// Keys per `IN (...)` lookup.
const LOOKUP: usize = 500;

impl Batch {
    #[doc(hidden)]
    pub async fn drop_group_indexes_for_bench(&mut self) -> Result<(), StoreError> {
        on_tx!(self.tx, t => {
            for sql in ["DROP INDEX groups_village_wave", "DROP INDEX groups_wave", "DROP INDEX groups_dup_key"] {
                sqlx::query(sql).execute(&mut **t).await?;
            }
        });
        Ok(())
    }

    /// Creates or updates a wave inside the batch, so that an import's new wave lands with its
    /// rows or not at all.
    pub async fn save_wave(&mut self, wave: &Wave) -> Result<(), StoreError> {
        let now = self.now.clone();
        on_tx!(self.tx, t => {
            sqlx::query(
                "INSERT INTO waves (id, name, region_code, start_date, end_date, source, synthetic, enumerators, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, \
                 start_date = excluded.start_date, end_date = excluded.end_date, source = excluded.source, \
                 synthetic = excluded.synthetic, enumerators = excluded.enumerators",
            )
            .bind(wave.id.clone())
            .bind(wave.name.clone())
            .bind(wave.region.as_ref().map(|r| r.to_string()))
            .bind(wave.start_date.map(|d| d.to_string()))
            .bind(wave.end_date.map(|d| d.to_string()))
            .bind(wave.source.clone())
            .bind(wave.synthetic)
            .bind(wave.enumerators.clone())
            .bind(now)
            .execute(&mut **t)
            .await?;
        });
        Ok(())
    }

    /// Which of `ids` are held in `table` (as this batch sees it).
    pub async fn existing_ids(
        &mut self,
        table: crate::IdTable,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let name = match table {
            crate::IdTable::Groups => "groups",
            crate::IdTable::Networks => "networks",
            crate::IdTable::Institutions => "institutions",
        };
        let mut out = HashSet::new();
        for chunk in ids.chunks(LOOKUP) {
            let found: Vec<String> = on_tx!(self.tx, t => {
                let mut qb = QueryBuilder::new(format!("SELECT id FROM {name} WHERE id IN ("));
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(id.clone());
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(&mut **t).await?
            });
            out.extend(found);
        }
        Ok(out)
    }

    /// For each duplicate key, the ids of groups held with it (as this batch sees it).
    pub async fn ids_by_duplicate_key(
        &mut self,
        keys: &[String],
    ) -> Result<HashMap<String, Vec<String>>, StoreError> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        for chunk in keys.chunks(LOOKUP) {
            let found: Vec<(String, String)> = on_tx!(self.tx, t => {
                let mut qb = QueryBuilder::new("SELECT dup_key, id FROM groups WHERE dup_key IN (");
                let mut sep = qb.separated(", ");
                for k in chunk {
                    sep.push_bind(k.clone());
                }
                qb.push(") ORDER BY id");
                qb.build_query_as().fetch_all(&mut **t).await?
            });
            for (k, id) in found {
                out.entry(k).or_default().push(id);
            }
        }
        Ok(out)
    }

    /// The highest sequential id with a prefix held (as this batch sees it), as a number.
    pub async fn max_seq(
        &mut self,
        table: crate::IdTable,
        prefix: &str,
    ) -> Result<u64, StoreError> {
        let sql = match table {
            crate::IdTable::Groups => "SELECT MAX(id) FROM groups WHERE id >= $1 AND id < $2",
            crate::IdTable::Networks => "SELECT MAX(id) FROM networks WHERE id >= $1 AND id < $2",
            crate::IdTable::Institutions => {
                "SELECT MAX(id) FROM institutions WHERE id >= $1 AND id < $2"
            }
        };
        let max: Option<String> = on_tx!(self.tx, t => {
            sqlx::query_scalar(sql)
                .bind(prefix.to_string())
                .bind(format!("{prefix}~"))
                .fetch_one(&mut **t)
                .await?
        });
        Ok(max
            .and_then(|m| m.strip_prefix(prefix).and_then(|n| n.parse::<u64>().ok()))
            .unwrap_or(0))
    }
}

impl Store {
    /// Streams the groups matching a filter, in id order, to `each` (which may stop the stream
    /// by returning an error). Memory does not grow with the number of rows.
    pub async fn for_each_group<E>(
        &self,
        filter: &GroupFilter,
        mut each: impl FnMut(StoredGroup) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let mut qb = QueryBuilder::new(GROUP_SELECT);
            push_group_filter(&mut qb, filter);
            qb.push(" ORDER BY id");
            let mut rows = qb.build_query_as::<GroupRow>().fetch(p);
            while let Some(row) = rows.try_next().await? {
                if let Err(e) = each(row.into_stored()?) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
    }

    /// Streams the networks of a region (and wave) in id order.
    pub async fn for_each_network<E>(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(Network, String) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
        let (lo, hi) = bounds(region);
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let q = sqlx::query_as::<_, NetworkRow>(AssertSqlSafe(format!(
                "{NETWORK_SELECT} WHERE village_code >= $1 AND village_code < $2 \
                 AND ($3 IS NULL OR wave_id = $3) ORDER BY id"
            )))
            .bind(lo.clone())
            .bind(hi.clone())
            .bind(wave.map(str::to_string));
            let mut rows = q.fetch(p);
            while let Some(row) = rows.try_next().await? {
                let (net, wave) = row.into_domain()?;
                if let Err(e) = each(net, wave) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
    }

    /// Streams the institutions of a region (and wave) in id order.
    pub async fn for_each_institution<E>(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(Institution, String) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
        let (lo, hi) = bounds(region);
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let q = sqlx::query_as::<_, InstitutionRow>(AssertSqlSafe(format!(
                "{INSTITUTION_SELECT} WHERE region_code >= $1 AND region_code < $2 \
                 AND ($3 IS NULL OR wave_id = $3) ORDER BY id"
            )))
            .bind(lo.clone())
            .bind(hi.clone())
            .bind(wave.map(str::to_string));
            let mut rows = q.fetch(p);
            while let Some(row) = rows.try_next().await? {
                let (inst, wave) = row.into_domain()?;
                if let Err(e) = each(inst, wave) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
    }

    /// Streams the ties whose `from` end lies in a region (so that each tie of a partition of
    /// regions is exported once), in id order.
    pub async fn for_each_tie<E>(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(TieRecord) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            wave_id: String,
            from_id: String,
            from_kind: String,
            to_id: String,
            to_kind: String,
            tie_type: String,
            since: Option<i64>,
            notes: Option<String>,
        }
        let (lo, hi) = bounds(region);
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let q = sqlx::query_as::<_, Row>(
                "SELECT t.id, t.wave_id, t.from_id, t.from_kind, t.to_id, t.to_kind, t.tie_type, t.since, t.notes \
                 FROM ties t WHERE ($3 IS NULL OR t.wave_id = $3) AND ( \
                   EXISTS (SELECT 1 FROM groups g WHERE g.id = t.from_id AND g.village_code >= $1 AND g.village_code < $2) \
                   OR EXISTS (SELECT 1 FROM networks w WHERE w.id = t.from_id AND w.village_code >= $1 AND w.village_code < $2) \
                   OR EXISTS (SELECT 1 FROM institutions l WHERE l.id = t.from_id AND l.region_code >= $1 AND l.region_code < $2)) \
                 ORDER BY t.id",
            )
            .bind(lo.clone())
            .bind(hi.clone())
            .bind(wave.map(str::to_string));
            let mut rows = q.fetch(p);
            while let Some(r) = rows.try_next().await? {
                let rec = TieRecord {
                    id: r.id,
                    wave_id: r.wave_id,
                    tie: Tie {
                        from: r.from_id,
                        to: r.to_id,
                        tie_type: TieType::from_code(&r.tie_type)
                            .ok_or_else(|| StoreError::corrupt("tie type", r.tie_type.clone()))?,
                        since: r.since.and_then(|y| i32::try_from(y).ok()),
                        notes: r.notes,
                    },
                    from_kind: crate::ActorKind::parse(&r.from_kind)?,
                    to_kind: crate::ActorKind::parse(&r.to_kind)?,
                };
                if let Err(e) = each(rec) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
    }
}

/// The code range of a region, or of everything.
fn bounds(region: Option<&RegionCode>) -> (String, String) {
    match region {
        Some(r) => (r.as_str().to_string(), range_end(r)),
        None => (String::new(), "~".to_string()),
    }
}
