//! Boundaries loaded into the database (`wahana boundaries import`): one row per region, its
//! geometry as GeoJSON text, drawn instead of the shape that ships with the program. A file's
//! boundaries land in one transaction with their audit entry, or not at all.

use crate::audit::AuditChange;
use crate::regions::bounds;
use crate::{Store, StoreError, on_pool};
use serde::Serialize;
use wahana_domain::{Level, RegionCode};

/// One region's boundary to save: its code, its GeoJSON geometry and how many positions it
/// holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBoundary {
    pub code: RegionCode,
    pub geometry: String,
    pub points: i64,
}

/// How many boundaries the database holds, per province and level (1 province ... 4 village).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BoundaryCount {
    pub province: String,
    pub level: i64,
    pub regions: i64,
    pub points: i64,
}

#[derive(Serialize)]
struct ImportAudit<'a> {
    source: &'a str,
    features: usize,
    points: i64,
    first: Option<&'a str>,
    last: Option<&'a str>,
}

impl Store {
    /// Saves boundaries read from `source` (a file's name) for `actor`, replacing any held for
    /// the same regions, with one audit entry, in one transaction.
    pub async fn save_boundaries(
        &self,
        rows: &[NewBoundary],
        source: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        let now = batch.now.clone();
        for b in rows {
            batch
                .execute(
                    "INSERT INTO boundaries (region_code, level, geometry, points, source, imported_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (region_code) DO UPDATE SET \
                     level = excluded.level, geometry = excluded.geometry, points = excluded.points, \
                     source = excluded.source, imported_at = excluded.imported_at",
                    vec![
                        b.code.as_str().into(),
                        b.code.level().number().into(),
                        b.geometry.as_str().into(),
                        b.points.into(),
                        source.into(),
                        now.as_str().into(),
                    ],
                )
                .await?;
        }
        let summary = ImportAudit {
            source,
            features: rows.len(),
            points: rows.iter().map(|b| b.points).sum(),
            first: rows.first().map(|b| b.code.as_str()),
            last: rows.last().map(|b| b.code.as_str()),
        };
        let change = AuditChange::new(actor, "import", "batas_wilayah", source).after(&summary);
        batch.write_audit(&change).await?;
        batch.commit().await
    }

    /// The boundaries held for the regions of `level` under `region` (the country when `None`):
    /// code and GeoJSON geometry, in code order.
    pub async fn boundaries_under(
        &self,
        region: Option<&RegionCode>,
        level: Level,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let (lo, hi) = bounds(region);
        Ok(on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT region_code, geometry FROM boundaries WHERE level = $1 \
                 AND region_code >= $2 AND region_code < $3 ORDER BY region_code",
            )
            .bind(level.number())
            .bind(lo)
            .bind(hi)
            .fetch_all(p)
            .await?
        }))
    }

    /// How many boundaries are held, per province and level.
    pub async fn boundary_counts(&self) -> Result<Vec<BoundaryCount>, StoreError> {
        let rows: Vec<(String, i64, i64, i64)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT substr(region_code, 1, 2), level, COUNT(*), CAST(SUM(points) AS BIGINT) \
                 FROM boundaries GROUP BY substr(region_code, 1, 2), level ORDER BY 1, 2",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(province, level, regions, points)| BoundaryCount {
                province,
                level,
                regions,
                points,
            })
            .collect())
    }
}
