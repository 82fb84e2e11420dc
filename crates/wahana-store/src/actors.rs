//! Networks (*wahana*), support institutions (*lembaga*) and ties (*ikatan*) one record at a
//! time: what the command line, the API and the web forms add, show, edit and delete. Imports
//! write them in bulk through [`crate::Batch`].

use crate::registry::range_end;
use crate::rows::{INSTITUTION_SELECT, InstitutionRow, NETWORK_SELECT, NetworkRow};
use crate::{ActorKind, Store, StoreError, TieRecord, now_iso, on_pool};
use serde::Serialize;
use sqlx::AssertSqlSafe;
use wahana_domain::codes::{Code, TieType};
use wahana_domain::region::name_key;
use wahana_domain::{Institution, Network, RegionCode, Tie};

/// A network as held: the domain record plus what the store keeps about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredNetwork {
    #[serde(flatten)]
    pub network: Network,
    pub wave_id: String,
    /// Incremented on every save; an edit names the version it started from.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// An institution as held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredInstitution {
    #[serde(flatten)]
    pub institution: Institution,
    pub wave_id: String,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct StoredNetworkRow {
    #[sqlx(flatten)]
    row: NetworkRow,
    version: i64,
    created_at: String,
    updated_at: String,
}

#[derive(sqlx::FromRow)]
struct StoredInstitutionRow {
    #[sqlx(flatten)]
    row: InstitutionRow,
    version: i64,
    created_at: String,
    updated_at: String,
}

/// The select lists with the bookkeeping columns added (`... FROM table` becomes
/// `..., version, created_at, updated_at FROM table`).
fn with_version(select: &str) -> String {
    select.replacen(" FROM ", ", version, created_at, updated_at FROM ", 1)
}

#[derive(sqlx::FromRow)]
pub(crate) struct TieRow {
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

pub(crate) const TIE_SELECT: &str =
    "SELECT id, wave_id, from_id, from_kind, to_id, to_kind, tie_type, since, notes FROM ties";

impl TieRow {
    pub(crate) fn into_record(self) -> Result<TieRecord, StoreError> {
        Ok(TieRecord {
            id: self.id,
            wave_id: self.wave_id,
            tie: Tie {
                from: self.from_id,
                to: self.to_id,
                tie_type: TieType::from_code(&self.tie_type)
                    .ok_or_else(|| StoreError::corrupt("tie type", self.tie_type.clone()))?,
                since: self.since.and_then(|y| i32::try_from(y).ok()),
                notes: self.notes,
            },
            from_kind: ActorKind::parse(&self.from_kind)?,
            to_kind: ActorKind::parse(&self.to_kind)?,
        })
    }
}

fn id_taken(id: &str, kind: ActorKind) -> StoreError {
    StoreError::Rejected {
        code: "id_taken",
        message_id: format!("id {id} sudah dipakai ({})", kind.code()),
        message_en: format!("id {id} is already used ({})", kind.code()),
    }
}

impl Store {
    // ---- networks ----

    pub async fn network(&self, id: &str) -> Result<Option<StoredNetwork>, StoreError> {
        let row: Option<StoredNetworkRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!("{} WHERE id = $1", with_version(NETWORK_SELECT))))
                .bind(id.to_string())
                .fetch_optional(p)
                .await?
        });
        row.map(|r| {
            let (network, wave_id) = r.row.into_domain()?;
            Ok(StoredNetwork {
                network,
                wave_id,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
        })
        .transpose()
    }

    /// Adds one new network; an id already used by any actor is refused.
    pub async fn insert_network(&self, wave_id: &str, network: &Network) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        if let Some(kind) = batch.actor_kind(&network.id).await? {
            return Err(id_taken(&network.id, kind));
        }
        batch
            .save_networks(wave_id, std::slice::from_ref(network))
            .await?;
        batch.commit().await
    }

    /// Replaces a network's fields if it is still at `expected_version`; returns the new
    /// version. A save from a stale version is refused with [`StoreError::Conflict`].
    pub async fn update_network(
        &self,
        n: &Network,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        let updated: Option<i64> = on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "UPDATE networks SET village_code = $2, local_unit = $3, level = $4, name = $5, \
                 founded_year = $6, chair = $7, secretary = $8, treasurer = $9, phone = $10, \
                 decree_number = $11, decree_date = $12, notes = $13, version = version + 1, \
                 updated_at = $14 WHERE id = $1 AND version = $15 RETURNING version",
            )
            .bind(n.id.clone())
            .bind(n.village.to_string())
            .bind(n.local_unit.clone())
            .bind(n.level.code())
            .bind(n.name.clone())
            .bind(n.founded_year.map(i64::from))
            .bind(n.chair.clone())
            .bind(n.secretary.clone())
            .bind(n.treasurer.clone())
            .bind(n.phone.clone())
            .bind(n.decree_number.clone())
            .bind(n.decree_date.map(|d| d.to_string()))
            .bind(n.notes.clone())
            .bind(now_iso())
            .bind(expected_version)
            .fetch_optional(p)
            .await?
        });
        match updated {
            Some(v) => Ok(v),
            None => match self.network(&n.id).await? {
                None => Err(StoreError::NotFound {
                    kind: "wahana",
                    id: n.id.clone(),
                }),
                Some(current) => Err(StoreError::Conflict {
                    kind: "wahana",
                    id: n.id.clone(),
                    expected: expected_version,
                    found: current.version,
                }),
            },
        }
    }

    /// Deletes a network and its ties. Returns whether it was held. Groups naming it in their
    /// `wahana` column keep the name, which then names no network.
    pub async fn delete_network(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_actor("networks", id).await
    }

    /// The networks of a region (any level) with their bookkeeping, ordered by village and name.
    pub async fn list_stored_networks(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
    ) -> Result<Vec<StoredNetwork>, StoreError> {
        let (lo, hi) = bounds(region);
        let rows: Vec<StoredNetworkRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{} WHERE village_code >= $1 AND village_code < $2 \
                 AND ($3 IS NULL OR wave_id = $3) ORDER BY village_code, name, id",
                with_version(NETWORK_SELECT)
            )))
            .bind(lo)
            .bind(hi)
            .bind(wave.map(str::to_string))
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                let (network, wave_id) = r.row.into_domain()?;
                Ok(StoredNetwork {
                    network,
                    wave_id,
                    version: r.version,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                })
            })
            .collect()
    }

    /// The groups of a village whose `wahana` column names this network (up to case, spaces,
    /// apostrophes, dashes and dots), as `(id, name)` ordered by id.
    pub async fn groups_naming_network(
        &self,
        village: &RegionCode,
        network_name: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT id, name, network FROM groups WHERE village_code = $1 \
                 AND network IS NOT NULL AND status <> 'bubar' ORDER BY id",
            )
            .bind(village.to_string())
            .fetch_all(p)
            .await?
        });
        let key = name_key(network_name);
        Ok(rows
            .into_iter()
            .filter(|(_, _, n)| name_key(n) == key)
            .map(|(id, name, _)| (id, name))
            .collect())
    }

    // ---- institutions ----

    pub async fn institution(&self, id: &str) -> Result<Option<StoredInstitution>, StoreError> {
        let row: Option<StoredInstitutionRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!("{} WHERE id = $1", with_version(INSTITUTION_SELECT))))
                .bind(id.to_string())
                .fetch_optional(p)
                .await?
        });
        row.map(StoredInstitutionRow::into_stored).transpose()
    }

    /// Adds one new institution; an id already used by any actor is refused.
    pub async fn insert_institution(
        &self,
        wave_id: &str,
        institution: &Institution,
    ) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        if let Some(kind) = batch.actor_kind(&institution.id).await? {
            return Err(id_taken(&institution.id, kind));
        }
        batch
            .save_institutions(wave_id, std::slice::from_ref(institution))
            .await?;
        batch.commit().await
    }

    /// Replaces an institution's fields if it is still at `expected_version`; returns the new
    /// version, or [`StoreError::Conflict`].
    pub async fn update_institution(
        &self,
        i: &Institution,
        expected_version: i64,
    ) -> Result<i64, StoreError> {
        let updated: Option<i64> = on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "UPDATE institutions SET region_code = $2, kind = $3, name = $4, address = $5, \
                 contact = $6, phone = $7, latitude = $8, longitude = $9, notes = $10, \
                 version = version + 1, updated_at = $11 WHERE id = $1 AND version = $12 \
                 RETURNING version",
            )
            .bind(i.id.clone())
            .bind(i.region.to_string())
            .bind(i.kind.code())
            .bind(i.name.clone())
            .bind(i.address.clone())
            .bind(i.contact.clone())
            .bind(i.phone.clone())
            .bind(i.latitude)
            .bind(i.longitude)
            .bind(i.notes.clone())
            .bind(now_iso())
            .bind(expected_version)
            .fetch_optional(p)
            .await?
        });
        match updated {
            Some(v) => Ok(v),
            None => match self.institution(&i.id).await? {
                None => Err(StoreError::NotFound {
                    kind: "lembaga",
                    id: i.id.clone(),
                }),
                Some(current) => Err(StoreError::Conflict {
                    kind: "lembaga",
                    id: i.id.clone(),
                    expected: expected_version,
                    found: current.version,
                }),
            },
        }
    }

    /// Deletes an institution and its ties. Returns whether it was held.
    pub async fn delete_institution(&self, id: &str) -> Result<bool, StoreError> {
        self.delete_actor("institutions", id).await
    }

    /// The institutions of a region's subtree (any level), ordered by region and name.
    pub async fn list_stored_institutions(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
    ) -> Result<Vec<StoredInstitution>, StoreError> {
        let (lo, hi) = bounds(region);
        let rows: Vec<StoredInstitutionRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{} WHERE region_code >= $1 AND region_code < $2 \
                 AND ($3 IS NULL OR wave_id = $3) ORDER BY region_code, name, id",
                with_version(INSTITUTION_SELECT)
            )))
            .bind(lo)
            .bind(hi)
            .bind(wave.map(str::to_string))
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(StoredInstitutionRow::into_stored)
            .collect()
    }

    /// Deletes a network or an institution with its ties, in one transaction.
    async fn delete_actor(&self, table: &'static str, id: &str) -> Result<bool, StoreError> {
        let n = on_pool!(self.pool, p => {
            let mut tx = p.begin().await?;
            sqlx::query("DELETE FROM ties WHERE from_id = $1 OR to_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query(AssertSqlSafe(format!("DELETE FROM {table} WHERE id = $1")))
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            n
        });
        Ok(n > 0)
    }

    // ---- ties ----

    pub async fn tie(&self, id: i64) -> Result<Option<TieRecord>, StoreError> {
        let row: Option<TieRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!("{TIE_SELECT} WHERE id = $1")))
                .bind(id)
                .fetch_optional(p)
                .await?
        });
        row.map(TieRow::into_record).transpose()
    }

    /// Adds one tie between two held actors. A tie of the same type between the same two
    /// actors, in either direction, is refused (`tie_exists`): the network is undirected.
    pub async fn insert_tie(&self, wave_id: &str, tie: &Tie) -> Result<TieRecord, StoreError> {
        let existing: Option<i64> = on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT id FROM ties WHERE tie_type = $3 AND \
                 ((from_id = $1 AND to_id = $2) OR (from_id = $2 AND to_id = $1))",
            )
            .bind(tie.from.clone())
            .bind(tie.to.clone())
            .bind(tie.tie_type.code())
            .fetch_optional(p)
            .await?
        });
        if let Some(id) = existing {
            return Err(StoreError::Rejected {
                code: "tie_exists",
                message_id: format!(
                    "ikatan {} antara {} dan {} sudah tercatat (ikatan {id})",
                    tie.tie_type.code(),
                    tie.from,
                    tie.to
                ),
                message_en: format!(
                    "a {} tie between {} and {} is already held (tie {id})",
                    tie.tie_type.code(),
                    tie.from,
                    tie.to
                ),
            });
        }
        let mut batch = self.begin().await?;
        batch.save_ties(wave_id, std::slice::from_ref(tie)).await?;
        batch.commit().await?;
        let row: Option<TieRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{TIE_SELECT} WHERE from_id = $1 AND to_id = $2 AND tie_type = $3"
            )))
            .bind(tie.from.clone())
            .bind(tie.to.clone())
            .bind(tie.tie_type.code())
            .fetch_optional(p)
            .await?
        });
        row.ok_or_else(|| StoreError::NotFound {
            kind: "ikatan",
            id: format!("{}-{}", tie.from, tie.to),
        })?
        .into_record()
    }

    /// Deletes one tie. Returns whether it was held.
    pub async fn delete_tie(&self, id: i64) -> Result<bool, StoreError> {
        let n = on_pool!(self.pool, p => {
            sqlx::query("DELETE FROM ties WHERE id = $1")
                .bind(id)
                .execute(p)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    /// The ties of one actor (either end), ordered by id.
    pub async fn ties_of(&self, actor_id: &str) -> Result<Vec<TieRecord>, StoreError> {
        let rows: Vec<TieRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{TIE_SELECT} WHERE from_id = $1 OR to_id = $1 ORDER BY id"
            )))
            .bind(actor_id.to_string())
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(TieRow::into_record).collect()
    }

    /// The name of an actor of any kind, with its kind.
    pub async fn actor_name(&self, id: &str) -> Result<Option<(ActorKind, String)>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT 'kelompok', name FROM groups WHERE id = $1 \
                 UNION ALL SELECT 'wahana', name FROM networks WHERE id = $1 \
                 UNION ALL SELECT 'lembaga', name FROM institutions WHERE id = $1",
            )
            .bind(id.to_string())
            .fetch_optional(p)
            .await?
        });
        row.map(|(k, name)| Ok((ActorKind::parse(&k)?, name)))
            .transpose()
    }
}

impl StoredInstitutionRow {
    fn into_stored(self) -> Result<StoredInstitution, StoreError> {
        let (institution, wave_id) = self.row.into_domain()?;
        Ok(StoredInstitution {
            institution,
            wave_id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// The code range of a region, or of everything.
pub(crate) fn bounds(region: Option<&RegionCode>) -> (String, String) {
    match region {
        Some(r) => (r.as_str().to_string(), range_end(r)),
        None => (String::new(), "~".to_string()),
    }
}
