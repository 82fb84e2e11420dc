//! Networks (*wahana*), support institutions (*lembaga*) and ties (*ikatan*) one record at a
//! time: what the command line, the API and the web forms add, show, edit and delete. Imports
//! write them in bulk through [`crate::Batch`].

use crate::registry::{FIRST_VERSION, at_version, range_end, refused};
use crate::rows::{INSTITUTION_SELECT, InstitutionRow, NETWORK_SELECT, NetworkRow};
use crate::{ActorKind, AuditChange, Store, StoreError, TieRecord, on_pool};
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

/// The latest observation first (the one of the latest wave, by date then id).
const LATEST_NETWORK: &str = " ORDER BY (SELECT COALESCE(w.end_date, w.start_date, '') \
    FROM waves w WHERE w.id = networks.wave_id) DESC, wave_id DESC LIMIT 1";
const LATEST_GROUP: &str = " ORDER BY (SELECT COALESCE(w.end_date, w.start_date, '') \
    FROM waves w WHERE w.id = groups.wave_id) DESC, wave_id DESC LIMIT 1";
const LATEST_INSTITUTION: &str = " ORDER BY (SELECT COALESCE(w.end_date, w.start_date, '') \
    FROM waves w WHERE w.id = institutions.wave_id) DESC, wave_id DESC LIMIT 1";

impl Store {
    // ---- networks ----

    pub async fn network(&self, id: &str) -> Result<Option<StoredNetwork>, StoreError> {
        let row: Option<StoredNetworkRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{} WHERE id = $1{LATEST_NETWORK}",
                with_version(NETWORK_SELECT)
            )))
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

    /// Adds one new network, made by `actor`, with its audit entry; an id already used by any
    /// actor is refused, and a network without an id gets the next free one of its village
    /// (`W-<village>-NNNN`) in the same transaction. Returns the network as held.
    pub async fn insert_network(
        &self,
        wave_id: &str,
        network: &Network,
        actor: &str,
    ) -> Result<StoredNetwork, StoreError> {
        let mut batch = self.begin().await?;
        let network = &batch.with_id_in_wave(wave_id, network).await?;
        batch
            .save_networks(wave_id, std::slice::from_ref(network))
            .await?;
        let stored = StoredNetwork {
            network: network.clone(),
            wave_id: wave_id.to_string(),
            version: FIRST_VERSION,
            created_at: batch.now.clone(),
            updated_at: batch.now.clone(),
        };
        let change = AuditChange::new(actor, "create", "wahana", &network.id)
            .region(Some(network.village.as_str()))
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Replaces a network's fields if it is still at `expected_version`, with the audit entry
    /// of `actor`'s change; returns the network as held now. A save from a stale version is
    /// refused with [`StoreError::Conflict`] and changes nothing.
    pub async fn update_network(
        &self,
        n: &Network,
        expected_version: i64,
        actor: &str,
    ) -> Result<StoredNetwork, StoreError> {
        let current = self.network(&n.id).await?;
        let current = at_version("wahana", &n.id, current, |c| c.version, expected_version)?;
        let mut batch = self.begin().await?;
        batch.ensure_open(&current.wave_id).await?;
        let updated = batch
            .fetch_i64(
                "UPDATE networks SET village_code = $2, local_unit = $3, level = $4, name = $5, \
                 founded_year = $6, chair = $7, secretary = $8, treasurer = $9, phone = $10, \
                 decree_number = $11, decree_date = $12, notes = $13, version = version + 1, confirmed = TRUE, \
                 updated_at = $14 WHERE id = $1 AND version = $15 AND wave_id = $16 \
                 RETURNING version",
                vec![
                    n.id.as_str().into(),
                    n.village.as_str().into(),
                    n.local_unit.as_deref().into(),
                    n.level.code().into(),
                    n.name.as_str().into(),
                    n.founded_year.map(i64::from).into(),
                    n.chair.as_deref().into(),
                    n.secretary.as_deref().into(),
                    n.treasurer.as_deref().into(),
                    n.phone.as_deref().into(),
                    n.decree_number.as_deref().into(),
                    n.decree_date.map(|d| d.to_string()).into(),
                    n.notes.as_deref().into(),
                    batch.now.as_str().into(),
                    expected_version.into(),
                    current.wave_id.as_str().into(),
                ],
            )
            .await?;
        let Some(version) = updated else {
            batch.rollback().await?;
            let found = self.network(&n.id).await?.map(|c| c.version);
            return Err(refused("wahana", &n.id, found, expected_version));
        };
        let stored = StoredNetwork {
            network: n.clone(),
            version,
            updated_at: batch.now.clone(),
            ..current.clone()
        };
        let change = AuditChange::new(actor, "update", "wahana", &n.id)
            .region(Some(n.village.as_str()))
            .before(&current)
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Deletes a network and its ties, with the audit entry of `actor`'s change. Returns
    /// whether it was held. Groups naming it in their `wahana` column keep the name, which then
    /// names no network.
    pub async fn delete_network(&self, id: &str, actor: &str) -> Result<bool, StoreError> {
        let Some(current) = self.network(id).await? else {
            return Ok(false);
        };
        let change = AuditChange::new(actor, "delete", "wahana", id)
            .region(Some(current.network.village.as_str()))
            .before(&current);
        self.delete_actor("DELETE FROM networks WHERE id = $1", id, &change)
            .await
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
            sqlx::query_as(AssertSqlSafe(format!(
                "{} WHERE id = $1{LATEST_INSTITUTION}",
                with_version(INSTITUTION_SELECT)
            )))
                .bind(id.to_string())
                .fetch_optional(p)
                .await?
        });
        row.map(StoredInstitutionRow::into_stored).transpose()
    }

    /// Adds one new institution, made by `actor`, with its audit entry; an id already used by
    /// any actor is refused, and an institution without an id gets the next free one of its
    /// region (`L-<region>-NNNN`) in the same transaction. Returns the institution as held.
    pub async fn insert_institution(
        &self,
        wave_id: &str,
        institution: &Institution,
        actor: &str,
    ) -> Result<StoredInstitution, StoreError> {
        let mut batch = self.begin().await?;
        let institution = &batch.with_id_in_wave(wave_id, institution).await?;
        batch
            .save_institutions(wave_id, std::slice::from_ref(institution))
            .await?;
        let stored = StoredInstitution {
            institution: institution.clone(),
            wave_id: wave_id.to_string(),
            version: FIRST_VERSION,
            created_at: batch.now.clone(),
            updated_at: batch.now.clone(),
        };
        let change = AuditChange::new(actor, "create", "lembaga", &institution.id)
            .region(Some(institution.region.as_str()))
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Replaces an institution's fields if it is still at `expected_version`, with the audit
    /// entry of `actor`'s change; returns the institution as held now, or
    /// [`StoreError::Conflict`] (nothing changed).
    pub async fn update_institution(
        &self,
        i: &Institution,
        expected_version: i64,
        actor: &str,
    ) -> Result<StoredInstitution, StoreError> {
        let current = self.institution(&i.id).await?;
        let current = at_version("lembaga", &i.id, current, |c| c.version, expected_version)?;
        let mut batch = self.begin().await?;
        batch.ensure_open(&current.wave_id).await?;
        let updated = batch
            .fetch_i64(
                "UPDATE institutions SET region_code = $2, kind = $3, name = $4, address = $5, \
                 contact = $6, phone = $7, latitude = $8, longitude = $9, notes = $10, \
                 version = version + 1, confirmed = TRUE, updated_at = $11 \
                 WHERE id = $1 AND version = $12 \
                 AND wave_id = $13 RETURNING version",
                vec![
                    i.id.as_str().into(),
                    i.region.as_str().into(),
                    i.kind.code().into(),
                    i.name.as_str().into(),
                    i.address.as_deref().into(),
                    i.contact.as_deref().into(),
                    i.phone.as_deref().into(),
                    i.latitude.into(),
                    i.longitude.into(),
                    i.notes.as_deref().into(),
                    batch.now.as_str().into(),
                    expected_version.into(),
                    current.wave_id.as_str().into(),
                ],
            )
            .await?;
        let Some(version) = updated else {
            batch.rollback().await?;
            let found = self.institution(&i.id).await?.map(|c| c.version);
            return Err(refused("lembaga", &i.id, found, expected_version));
        };
        let stored = StoredInstitution {
            institution: i.clone(),
            version,
            updated_at: batch.now.clone(),
            ..current.clone()
        };
        let change = AuditChange::new(actor, "update", "lembaga", &i.id)
            .region(Some(i.region.as_str()))
            .before(&current)
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Deletes an institution and its ties, with the audit entry of `actor`'s change. Returns
    /// whether it was held.
    pub async fn delete_institution(&self, id: &str, actor: &str) -> Result<bool, StoreError> {
        let Some(current) = self.institution(id).await? else {
            return Ok(false);
        };
        let change = AuditChange::new(actor, "delete", "lembaga", id)
            .region(Some(current.institution.region.as_str()))
            .before(&current);
        self.delete_actor("DELETE FROM institutions WHERE id = $1", id, &change)
            .await
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

    /// Deletes a network or an institution (`delete`, by id: every observation of it) with
    /// its ties and its entity, and writes `change`, in one transaction. Returns whether it
    /// was held (nothing is written when it was not). Refused when a closed wave observes it.
    async fn delete_actor(
        &self,
        delete: &'static str,
        id: &str,
        change: &AuditChange,
    ) -> Result<bool, StoreError> {
        let mut batch = self.begin().await?;
        for wave in batch.waves_observing(id).await? {
            batch.ensure_open(&wave).await?;
        }
        batch
            .execute(
                "DELETE FROM ties WHERE from_id = $1 OR to_id = $1",
                vec![id.into()],
            )
            .await?;
        if batch.execute(delete, vec![id.into()]).await? == 0 {
            // Deleted meanwhile: that delete has its entry.
            batch.rollback().await?;
            return Ok(false);
        }
        batch
            .execute("DELETE FROM actors WHERE id = $1", vec![id.into()])
            .await?;
        batch.write_audit(change).await?;
        batch.commit().await?;
        Ok(true)
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

    /// Adds one tie between two held actors, made by `actor`, with its audit entry. A tie of
    /// the same type between the same two actors, in either direction, is refused
    /// (`tie_exists`): the network is undirected.
    pub async fn insert_tie(
        &self,
        wave_id: &str,
        tie: &Tie,
        actor: &str,
    ) -> Result<TieRecord, StoreError> {
        // The check is made inside the writing transaction, so that two inserts of the same
        // tie (either way round) at once cannot both pass it: SQLite's batch holds the
        // database's one write lock; on PostgreSQL the two ends' entities are locked (in id
        // order, until the batch ends), so inserts between the same two actors take turns and
        // the second sees the first's tie.
        let mut batch = self.begin().await?;
        if let crate::registry::BatchTx::Postgres(_) = batch.tx {
            batch
                .execute(
                    "SELECT id FROM actors WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
                    vec![tie.from.as_str().into(), tie.to.as_str().into()],
                )
                .await?;
        }
        let existing = batch
            .fetch_i64(
                "SELECT id FROM ties WHERE tie_type = $3 AND wave_id = $4 AND \
                 ((from_id = $1 AND to_id = $2) OR (from_id = $2 AND to_id = $1))",
                vec![
                    tie.from.as_str().into(),
                    tie.to.as_str().into(),
                    tie.tie_type.code().into(),
                    wave_id.into(),
                ],
            )
            .await?;
        if let Some(id) = existing {
            batch.rollback().await?;
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
        batch.save_ties(wave_id, std::slice::from_ref(tie)).await?;
        let held = batch
            .fetch_i64(
                "SELECT id FROM ties WHERE from_id = $1 AND to_id = $2 AND tie_type = $3 \
                 AND wave_id = $4",
                vec![
                    tie.from.as_str().into(),
                    tie.to.as_str().into(),
                    tie.tie_type.code().into(),
                    wave_id.into(),
                ],
            )
            .await?;
        // `save_ties` refuses a tie whose ends are not held, so both are.
        let (Some(id), Some(from_kind), Some(to_kind)) = (
            held,
            batch.actor_kind(&tie.from).await?,
            batch.actor_kind(&tie.to).await?,
        ) else {
            return Err(StoreError::NotFound {
                kind: "ikatan",
                id: format!("{}-{}", tie.from, tie.to),
            });
        };
        let record = TieRecord {
            id,
            wave_id: wave_id.to_string(),
            tie: tie.clone(),
            from_kind,
            to_kind,
        };
        let change = AuditChange::new(actor, "create", "ikatan", id).after(&record);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(record)
    }

    /// Deletes one tie, with the audit entry of `actor`'s change. Returns whether it was held.
    pub async fn delete_tie(&self, id: i64, actor: &str) -> Result<bool, StoreError> {
        let Some(current) = self.tie(id).await? else {
            return Ok(false);
        };
        let mut batch = self.begin().await?;
        batch.ensure_open(&current.wave_id).await?;
        if batch
            .execute("DELETE FROM ties WHERE id = $1", vec![id.into()])
            .await?
            == 0
        {
            batch.rollback().await?;
            return Ok(false);
        }
        let change = AuditChange::new(actor, "delete", "ikatan", id).before(&current);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(true)
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

    /// The waves that observe both `a` and `b` (a tie between them can be recorded there),
    /// latest first, with whether each is open.
    pub async fn waves_observing_both(
        &self,
        a: &str,
        b: &str,
    ) -> Result<Vec<(String, bool)>, StoreError> {
        const OBS: &str = "(SELECT 1 FROM groups WHERE id = {x} AND wave_id = w.id \
            UNION ALL SELECT 1 FROM networks WHERE id = {x} AND wave_id = w.id \
            UNION ALL SELECT 1 FROM institutions WHERE id = {x} AND wave_id = w.id)";
        let sql = format!(
            "SELECT w.id, w.status FROM waves w WHERE EXISTS {} AND EXISTS {} \
             ORDER BY COALESCE(w.end_date, w.start_date, '') DESC, w.id DESC",
            OBS.replace("{x}", "$1"),
            OBS.replace("{x}", "$2")
        );
        let rows: Vec<(String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(a.to_string())
                .bind(b.to_string())
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, status)| (id, status == "open"))
            .collect())
    }

    /// The name of an actor of any kind, with its kind.
    pub async fn actor_name(&self, id: &str) -> Result<Option<(ActorKind, String)>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self.pool, p => {
            // The kind from the entity, the name from its latest observation.
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT a.kind, COALESCE( \
                   (SELECT name FROM groups WHERE id = a.id{LATEST_GROUP}), \
                   (SELECT name FROM networks WHERE id = a.id{LATEST_NETWORK}), \
                   (SELECT name FROM institutions WHERE id = a.id{LATEST_INSTITUTION})) \
                 FROM actors a WHERE a.id = $1"
            )))
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
