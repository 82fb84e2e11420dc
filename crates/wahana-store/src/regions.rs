//! Regions as held: the official tree loaded once (COPY on PostgreSQL), a region as a range of
//! codes, and the local units (dusun, RW, RT) under a village.

use crate::copy::{CopyText, copy_in};
use crate::{Pool, Store, StoreError, on_pool};
use sqlx::{AssertSqlSafe, QueryBuilder};
use wahana_domain::codes::{Code, LocalUnitKind};
use wahana_domain::region::name_key;
use wahana_domain::{LocalUnit, RegionCode, RegionTree};

/// The upper bound of a region's code range: `[code, code || '/')` holds the region and every
/// region under it, because '/' sorts right after '.' and before the digits.
pub(crate) fn range_end(code: &RegionCode) -> String {
    format!("{}/", code.as_str())
}

/// The code range of a region, or of everything.
pub(crate) fn bounds(region: Option<&RegionCode>) -> (String, String) {
    match region {
        Some(r) => (r.as_str().to_string(), range_end(r)),
        None => (String::new(), "~".to_string()),
    }
}

pub(crate) async fn load_regions(store: &Store, tree: &RegionTree) -> Result<usize, StoreError> {
    let regions: Vec<_> = tree.all().collect();
    const UPSERT: &str = " ON CONFLICT (code) DO UPDATE SET parent_code = excluded.parent_code, \
        level = excluded.level, kind = excluded.kind, name = excluded.name, \
        name_key = excluded.name_key, lat = excluded.lat, lng = excluded.lng";
    match &store.pool {
        Pool::Sqlite(p) => {
            let mut tx = p.begin().await?;
            for chunk in regions.chunks(4000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO regions (code, parent_code, level, kind, name, name_key, lat, lng) ",
                );
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(r.code.as_str().to_string())
                        .push_bind(r.code.parent().map(|c| c.as_str().to_string()))
                        .push_bind(r.code.level() as i64 + 1)
                        .push_bind(r.kind.code())
                        .push_bind(r.name.clone())
                        .push_bind(name_key(&r.name))
                        .push_bind(r.lat)
                        .push_bind(r.lng);
                });
                qb.push(UPSERT);
                qb.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        // Bulk loading is where the two databases really differ: PostgreSQL takes rows fastest
        // through COPY (about five times faster than multi-row INSERTs here), into a staging
        // table so that an existing tree is updated in place.
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query(
                "CREATE TEMP TABLE regions_load (LIKE regions INCLUDING DEFAULTS) ON COMMIT DROP",
            )
            .execute(&mut *tx)
            .await?;
            let mut rows = CopyText::with_capacity(regions.len() * 64);
            for r in &regions {
                let parent = r.code.parent();
                rows.text(r.code.as_str())
                    .opt_text(parent.as_ref().map(|c| c.as_str()))
                    .int(r.code.level() as i64 + 1)
                    .text(r.kind.code())
                    .text(&r.name)
                    .text(&name_key(&r.name))
                    .opt_real(r.lat)
                    .opt_real(r.lng);
                rows.end_row();
            }
            copy_in(
                &mut tx,
                "COPY regions_load (code, parent_code, level, kind, name, name_key, lat, lng) \
                 FROM STDIN",
                &rows,
            )
            .await?;
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO regions SELECT * FROM regions_load ORDER BY level, code{UPSERT}"
            )))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
    }
    Ok(regions.len())
}

impl Store {
    /// Loads the official region tree if the database does not hold it yet (or holds another
    /// version of it). Returns the number of regions written (0 when already current).
    pub async fn ensure_regions(&self, tree: &RegionTree) -> Result<usize, StoreError> {
        let held: i64 = on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT COUNT(*) FROM regions").fetch_one(p).await?
        });
        if usize::try_from(held).ok() == Some(tree.len()) {
            return Ok(0);
        }
        self.load_regions(tree).await
    }

    /// Writes the whole region tree in one transaction, parents before children.
    pub async fn load_regions(&self, tree: &RegionTree) -> Result<usize, StoreError> {
        load_regions(self, tree).await
    }

    /// Adds a local unit (dusun, RW, RT) under a village; adding one twice is harmless.
    pub async fn add_local_unit(&self, unit: &LocalUnit) -> Result<(), StoreError> {
        on_pool!(self.pool, p => {
            sqlx::query(
                "INSERT INTO local_units (village_code, kind, name) VALUES ($1, $2, $3) \
                 ON CONFLICT (village_code, kind, name) DO NOTHING",
            )
            .bind(unit.village.to_string())
            .bind(unit.kind.code())
            .bind(unit.name.clone())
            .execute(p)
            .await?;
        });
        Ok(())
    }

    pub async fn local_units(&self, village: &RegionCode) -> Result<Vec<LocalUnit>, StoreError> {
        let rows: Vec<(String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as("SELECT kind, name FROM local_units WHERE village_code = $1 ORDER BY kind, name")
                .bind(village.to_string())
                .fetch_all(p)
                .await?
        });
        rows.into_iter()
            .map(|(kind, name)| {
                Ok(LocalUnit {
                    village: village.clone(),
                    kind: LocalUnitKind::from_code(&kind)
                        .ok_or_else(|| StoreError::corrupt("local unit kind", kind.clone()))?,
                    name,
                })
            })
            .collect()
    }
}
