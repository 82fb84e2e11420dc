//! Reading the links a wave recorded (`links`, migration 0008): how each of its observations
//! was tied to a group of an earlier wave. Written by imports and review decisions
//! (`linkage.rs`); read here by the comparison of two waves.

use crate::{StoreError, on_pool};
use serde::Serialize;
use sqlx::AssertSqlSafe;
use wahana_domain::RegionCode;
use wahana_domain::linking::{Link, LinkKind, LinkMethod};

/// A link as held: observation `to_id` in wave `wave_id` continues (or merged from, or split
/// from) group `from_id` of an earlier wave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkRecord {
    pub wave_id: String,
    pub from_id: String,
    pub to_id: String,
    pub kind: LinkKind,
    pub method: LinkMethod,
    pub score: Option<f64>,
    pub accepted_by: Option<String>,
    pub created_at: String,
}

impl LinkRecord {
    /// The domain's link.
    pub fn link(&self) -> Link {
        Link {
            previous: self.from_id.clone(),
            current: self.to_id.clone(),
            kind: self.kind,
            method: self.method,
            score: self.score,
            accepted_by: self.accepted_by.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    wave_id: String,
    from_id: String,
    to_id: String,
    kind: String,
    method: String,
    score: Option<f64>,
    accepted_by: Option<String>,
    created_at: String,
}

impl LinkRow {
    fn into_record(self) -> Result<LinkRecord, StoreError> {
        Ok(LinkRecord {
            kind: LinkKind::parse(&self.kind)
                .ok_or_else(|| StoreError::corrupt("link kind", &self.kind))?,
            method: LinkMethod::parse(&self.method)
                .ok_or_else(|| StoreError::corrupt("link method", &self.method))?,
            wave_id: self.wave_id,
            from_id: self.from_id,
            to_id: self.to_id,
            score: self.score,
            accepted_by: self.accepted_by,
            created_at: self.created_at,
        })
    }
}

impl crate::Store {
    /// The links `wave` recorded for its observations of groups in `region`'s subtree (by the
    /// village of the observation in `wave`), by earlier id, then later id.
    pub async fn links_in(
        &self,
        wave: &str,
        region: &RegionCode,
    ) -> Result<Vec<LinkRecord>, StoreError> {
        let (lo, hi) = crate::regions::bounds(Some(region));
        const SQL: &str = "SELECT l.wave_id, l.from_id, l.to_id, l.kind, l.method, l.score, \
            l.accepted_by, l.created_at FROM links l WHERE l.wave_id = $1 AND EXISTS \
            (SELECT 1 FROM groups g WHERE g.id = l.to_id AND g.wave_id = l.wave_id \
             AND g.village_code >= $2 AND g.village_code < $3) \
            ORDER BY l.from_id, l.to_id";
        let rows: Vec<LinkRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(SQL))
                .bind(wave.to_string())
                .bind(lo)
                .bind(hi)
                .fetch_all(p)
                .await?
        });
        rows.into_iter().map(LinkRow::into_record).collect()
    }
}
