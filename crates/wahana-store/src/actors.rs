//! Networks (*wahana*), support institutions (*lembaga*) and ties (*ikatan*) one record at a
//! time: what the command line, the API and the web forms add, show, edit and delete. Imports
//! write them in bulk through [`crate::Batch::save_actors`].
//!
//! Networks and institutions take one path: what differs between them (table, region column,
//! columns, values, the row's conversion) is [`ActorRecord`]; every statement is made from it.

use crate::Refusal;
use crate::batch::{Arg, BatchTx, CHUNK};
use crate::columns::Val;
use crate::error::{FIRST_VERSION, at_version, not_at_version};
use crate::ids::NewActor;
use crate::regions::{bounds, range_end};
use crate::rows::{InstitutionRow, NetworkRow};
use crate::sqlite_tx::{Rows, one_row_sql};
use crate::{ActorKind, AuditChange, Batch, Store, StoreError, on_pool};
use futures::TryStreamExt;
use serde::Serialize;
use sqlx::{AssertSqlSafe, QueryBuilder};
use wahana_domain::codes::{Code, TieType};
use wahana_domain::region::name_key;
use wahana_domain::{Institution, Network, RegionCode, Tie};

/// A network or an institution as held: the domain record plus what the store keeps about it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Stored<T> {
    #[serde(flatten)]
    pub record: T,
    pub wave_id: String,
    /// Incremented on every save; an edit names the version it started from.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub type StoredNetwork = Stored<Network>;
pub type StoredInstitution = Stored<Institution>;

/// What differs between the kinds of actor kept one record at a time beside groups (networks,
/// institutions): the store's generic methods (`actor`, `insert_actor`, `update_actor`,
/// `delete_actor`, `list_actors`, `for_each_actor`, `Batch::save_actors`) make their SQL from it.
pub trait ActorRecord: NewActor + Serialize + Send + Sync + Unpin + 'static {
    /// The table of its observations.
    const TABLE: &'static str;
    /// The column of the region it lies in (a network's village, an institution's region).
    const REGION_COLUMN: &'static str;
    /// The columns after `id, wave_id`, in the order [`ActorRecord::values`] gives.
    const COLUMNS: &'static [&'static str];
    /// A row as held, with its bookkeeping columns.
    #[doc(hidden)]
    type Row: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin;
    fn id(&self) -> &str;
    /// The values of [`ActorRecord::COLUMNS`].
    #[doc(hidden)]
    fn values(&self) -> Vec<Val<'_>>;
    #[doc(hidden)]
    fn from_row(row: Self::Row) -> Result<Stored<Self>, StoreError>;
}

impl ActorRecord for Network {
    const TABLE: &'static str = "networks";
    const REGION_COLUMN: &'static str = "village_code";
    const COLUMNS: &'static [&'static str] = &[
        "village_code",
        "local_unit",
        "level",
        "name",
        "founded_year",
        "chair",
        "secretary",
        "treasurer",
        "phone",
        "decree_number",
        "decree_date",
        "notes",
    ];
    type Row = NetworkRow;
    fn id(&self) -> &str {
        &self.id
    }
    fn values(&self) -> Vec<Val<'_>> {
        vec![
            Val::text(self.village.as_str()),
            Val::Text(self.local_unit.as_deref()),
            Val::text(self.level.code()),
            Val::text(&self.name),
            Val::Int(self.founded_year.map(i64::from)),
            Val::Text(self.chair.as_deref()),
            Val::Text(self.secretary.as_deref()),
            Val::Text(self.treasurer.as_deref()),
            Val::Text(self.phone.as_deref()),
            Val::Text(self.decree_number.as_deref()),
            Val::Owned(self.decree_date.map(|d| d.to_string())),
            Val::Text(self.notes.as_deref()),
        ]
    }
    fn from_row(row: NetworkRow) -> Result<Stored<Network>, StoreError> {
        row.into_stored()
    }
}

impl ActorRecord for Institution {
    const TABLE: &'static str = "institutions";
    const REGION_COLUMN: &'static str = "region_code";
    const COLUMNS: &'static [&'static str] = &[
        "region_code",
        "kind",
        "name",
        "address",
        "contact",
        "phone",
        "latitude",
        "longitude",
        "notes",
    ];
    type Row = InstitutionRow;
    fn id(&self) -> &str {
        &self.id
    }
    fn values(&self) -> Vec<Val<'_>> {
        vec![
            Val::text(self.region.as_str()),
            Val::text(self.kind.code()),
            Val::text(&self.name),
            Val::Text(self.address.as_deref()),
            Val::Text(self.contact.as_deref()),
            Val::Text(self.phone.as_deref()),
            Val::Real(self.latitude),
            Val::Real(self.longitude),
            Val::Text(self.notes.as_deref()),
        ]
    }
    fn from_row(row: InstitutionRow) -> Result<Stored<Institution>, StoreError> {
        row.into_stored()
    }
}

/// `SELECT … FROM table` of every column a row holds.
fn select<T: ActorRecord>() -> String {
    format!(
        "SELECT id, wave_id, {}, version, created_at, updated_at FROM {}",
        T::COLUMNS.join(", "),
        T::TABLE
    )
}

/// The latest observation first (the one of the latest wave, by date then id).
pub(crate) fn latest(table: &str) -> String {
    format!(
        " ORDER BY (SELECT COALESCE(w.end_date, w.start_date, '') FROM waves w \
         WHERE w.id = {table}.wave_id) DESC, wave_id DESC LIMIT 1"
    )
}

/// `WHERE` the region column lies in `$1..$2`, and the wave is `$3` when given.
fn in_region<T: ActorRecord>() -> String {
    let c = T::REGION_COLUMN;
    format!(" WHERE {c} >= $1 AND {c} < $2 AND ($3 IS NULL OR wave_id = $3)")
}

/// The values written for one record, in the order of [`insert_head`]'s columns.
fn row_values<'a, T: ActorRecord>(
    r: &'a T,
    wave: &'a str,
    now: &'a str,
) -> impl Iterator<Item = Val<'a>> {
    [Val::text(r.id()), Val::text(wave)]
        .into_iter()
        .chain(r.values())
        .chain([Val::text(now), Val::text(now)])
}

fn insert_head<T: ActorRecord>() -> String {
    format!(
        "INSERT INTO {} (id, wave_id, {}, created_at, updated_at) ",
        T::TABLE,
        T::COLUMNS.join(", ")
    )
}

fn width<T: ActorRecord>() -> usize {
    T::COLUMNS.len() + 4
}

/// An observation already held in the wave is replaced (and confirmed, if it was carried
/// forward unconfirmed).
fn upsert<T: ActorRecord>() -> String {
    let set: Vec<String> = T::COLUMNS
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        " ON CONFLICT (id, wave_id) DO UPDATE SET {}, version = {}.version + 1, \
         updated_at = excluded.updated_at, confirmed = TRUE",
        set.join(", "),
        T::TABLE
    )
}

/// The update of one observation at an expected version: `$1` the id, the columns, then the
/// time, the version and the wave.
fn update_sql<T: ActorRecord>() -> String {
    let n = T::COLUMNS.len();
    let set: Vec<String> = T::COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ${}", i + 2))
        .collect();
    format!(
        "UPDATE {} SET {}, version = version + 1, confirmed = TRUE, updated_at = ${} \
         WHERE id = $1 AND version = ${} AND wave_id = ${} RETURNING version",
        T::TABLE,
        set.join(", "),
        n + 2,
        n + 3,
        n + 4
    )
}

/// A tie as held, with the kinds of its two ends.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct TieRecord {
    pub id: i64,
    pub wave_id: String,
    #[serde(flatten)]
    pub tie: Tie,
    pub from_kind: ActorKind,
    pub to_kind: ActorKind,
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

impl Store {
    /// The latest observation of a network or an institution.
    pub async fn actor<T: ActorRecord>(&self, id: &str) -> Result<Option<Stored<T>>, StoreError> {
        let row: Option<T::Row> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{} WHERE id = $1{}",
                select::<T>(),
                latest(T::TABLE)
            )))
            .bind(id.to_string())
            .fetch_optional(p)
            .await?
        });
        row.map(T::from_row).transpose()
    }

    /// Adds one new network or institution, made by `actor`, with its audit entry; an id
    /// already used by any actor is refused, and a record without an id gets the next free one
    /// of its region (`W-<village>-NNNN`, `L-<region>-NNNN`) in the same transaction. Returns
    /// the record as held.
    pub async fn insert_actor<T: ActorRecord>(
        &self,
        wave_id: &str,
        record: &T,
        actor: &str,
    ) -> Result<Stored<T>, StoreError> {
        let mut batch = self.begin().await?;
        let record = batch.with_id_in_wave(wave_id, record).await?;
        batch
            .save_actors(wave_id, std::slice::from_ref(&record))
            .await?;
        let stored = Stored {
            record,
            wave_id: wave_id.to_string(),
            version: FIRST_VERSION,
            created_at: batch.now.clone(),
            updated_at: batch.now.clone(),
        };
        let change = AuditChange::new(actor, "create", T::KIND.code(), stored.record.id())
            .region(Some(stored.record.id_region().as_str()))
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Replaces a network's or an institution's fields (its latest observation) if it is still
    /// at `expected_version`, with the audit entry of `actor`'s change; returns the record as
    /// held now. A save from a stale version is refused with [`StoreError::Conflict`] and
    /// changes nothing.
    pub async fn update_actor<T: ActorRecord>(
        &self,
        record: &T,
        expected_version: i64,
        actor: &str,
    ) -> Result<Stored<T>, StoreError> {
        let (kind, id) = (T::KIND.code(), record.id());
        let current = self.actor::<T>(id).await?;
        let current = at_version(kind, id, current, |c| c.version, expected_version)?;
        let mut batch = self.begin().await?;
        batch.ensure_open(&current.wave_id).await?;
        let mut args: Vec<Arg> = vec![id.into()];
        args.extend(record.values().into_iter().map(Val::into_arg));
        args.extend([
            batch.now.as_str().into(),
            expected_version.into(),
            current.wave_id.as_str().into(),
        ]);
        let Some(version) = batch.fetch_i64(&update_sql::<T>(), args).await? else {
            batch.rollback().await?;
            let found = self.actor::<T>(id).await?.map(|c| c.version);
            return Err(not_at_version(kind, id, found, expected_version));
        };
        let wave = current.wave_id.as_str();
        batch
            .actor_deltas
            .add_observation(wave, T::KIND, current.record.id_region().as_str(), -1);
        batch
            .actor_deltas
            .add_observation(wave, T::KIND, record.id_region().as_str(), 1);
        let stored = Stored {
            record: record.clone(),
            version,
            updated_at: batch.now.clone(),
            ..current.clone()
        };
        let change = AuditChange::new(actor, "update", kind, id)
            .region(Some(record.id_region().as_str()))
            .before(&current)
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Deletes a network or an institution (every observation of it) with its ties and its
    /// entity, and writes the audit entry of `actor`'s change, in one transaction. Returns
    /// whether it was held (nothing is written when it was not). Refused when a closed wave
    /// observes it. Groups naming a deleted network in their `wahana` column keep the name,
    /// which then names no network.
    pub async fn delete_actor<T: ActorRecord>(
        &self,
        id: &str,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let Some(current) = self.actor::<T>(id).await? else {
            return Ok(false);
        };
        let change = AuditChange::new(actor, "delete", T::KIND.code(), id)
            .region(Some(current.record.id_region().as_str()))
            .before(&current);
        let mut batch = self.begin().await?;
        for wave in batch.waves_observing(id).await? {
            batch.ensure_open(&wave).await?;
        }
        batch
            .retally_ties(-1, "t.from_id = $1 OR t.to_id = $1", vec![id.into()])
            .await?;
        batch
            .retally_observations(T::KIND, -1, "id = $1", vec![id.into()])
            .await?;
        batch
            .execute(
                "DELETE FROM ties WHERE from_id = $1 OR to_id = $1",
                vec![id.into()],
            )
            .await?;
        let delete = format!("DELETE FROM {} WHERE id = $1", T::TABLE);
        if batch.execute(&delete, vec![id.into()]).await? == 0 {
            // Deleted meanwhile: that delete has its entry.
            batch.rollback().await?;
            return Ok(false);
        }
        batch
            .execute("DELETE FROM actors WHERE id = $1", vec![id.into()])
            .await?;
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(true)
    }

    /// Writes a deleted network or institution back into its wave, with its fields as they
    /// were (the counts in the same transaction), and an audit entry `restore` of `actor`'s
    /// change. Refused, writing nothing, when the wave is no longer held or closed, or when the
    /// id is held again. Returns the record as held now.
    pub async fn restore_actor<T: ActorRecord>(
        &self,
        held: &Stored<T>,
        actor: &str,
    ) -> Result<Stored<T>, StoreError> {
        let mut batch = self.begin().await?;
        batch.ensure_open(&held.wave_id).await?;
        let record = batch.with_id_in_wave(&held.wave_id, &held.record).await?;
        batch
            .save_actors(&held.wave_id, std::slice::from_ref(&record))
            .await?;
        let stored = Stored {
            record,
            wave_id: held.wave_id.clone(),
            version: FIRST_VERSION,
            created_at: batch.now.clone(),
            updated_at: batch.now.clone(),
        };
        let change = AuditChange::new(actor, "restore", T::KIND.code(), stored.record.id())
            .region(Some(stored.record.id_region().as_str()))
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// The networks or institutions of a region's subtree (any level; all when `None`), of one
    /// wave or all, with their bookkeeping, ordered by region, name and id.
    pub async fn list_actors<T: ActorRecord>(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
    ) -> Result<Vec<Stored<T>>, StoreError> {
        let (lo, hi) = bounds(region);
        let rows: Vec<T::Row> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{}{} ORDER BY {}, name, id",
                select::<T>(),
                in_region::<T>(),
                T::REGION_COLUMN
            )))
            .bind(lo)
            .bind(hi)
            .bind(wave.map(str::to_string))
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(T::from_row).collect()
    }

    /// Streams the networks or institutions of a region (and wave) in id order, each with the
    /// wave that observes it, to `each` (which may stop the stream by returning an error).
    pub async fn for_each_actor<T: ActorRecord, E>(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(T, String) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
        let (lo, hi) = bounds(region);
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let sql = format!("{}{} ORDER BY id", select::<T>(), in_region::<T>());
            let q = sqlx::query_as::<_, T::Row>(AssertSqlSafe(sql))
                .bind(lo.clone())
                .bind(hi.clone())
                .bind(wave.map(str::to_string));
            let mut rows = q.fetch(p);
            while let Some(row) = rows.try_next().await? {
                let stored = T::from_row(row)?;
                if let Err(e) = each(stored.record, stored.wave_id) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
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

    // ---- ties ----

    /// Ties with at least one end among the groups, networks or institutions of a region (an
    /// end is its id *and* its kind: an id another kind holds elsewhere, which older releases
    /// let in, does not bring that actor's ties in).
    pub async fn list_ties(
        &self,
        region: &RegionCode,
        wave: Option<&str>,
    ) -> Result<Vec<TieRecord>, StoreError> {
        let rows: Vec<TieRow> = on_pool!(self.pool, p => {
            sqlx::query_as(
                "WITH actors AS ( \
                   SELECT id, 'kelompok' AS kind FROM groups \
                   WHERE village_code >= $1 AND village_code < $2 \
                   UNION ALL SELECT id, 'wahana' FROM networks \
                   WHERE village_code >= $1 AND village_code < $2 \
                   UNION ALL SELECT id, 'lembaga' FROM institutions \
                   WHERE region_code >= $1 AND region_code < $2) \
                 SELECT id, wave_id, from_id, from_kind, to_id, to_kind, tie_type, since, notes FROM ties \
                 WHERE (EXISTS (SELECT 1 FROM actors a WHERE a.id = ties.from_id AND a.kind = ties.from_kind) \
                 OR EXISTS (SELECT 1 FROM actors a WHERE a.id = ties.to_id AND a.kind = ties.to_kind)) \
                 AND ($3 IS NULL OR wave_id = $3) ORDER BY id",
            )
            .bind(region.as_str().to_string())
            .bind(range_end(region))
            .bind(wave.map(str::to_string))
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(TieRow::into_record).collect()
    }

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
        self.write_tie(wave_id, tie, actor, "create").await
    }

    /// Writes a deleted tie back into its wave, as [`Store::insert_tie`] adds one (the same
    /// checks, the tallies in the same transaction), with an audit entry `restore`. The tie
    /// gets a new number; its ends, type, wave, year and notes are those it had.
    pub async fn restore_tie(
        &self,
        held: &TieRecord,
        actor: &str,
    ) -> Result<TieRecord, StoreError> {
        self.write_tie(&held.wave_id, &held.tie, actor, "restore")
            .await
    }

    /// A new tie, its audit entry's action `action` (`create`, `restore`); its region is that
    /// of its first end, so that a region's trail lists it.
    async fn write_tie(
        &self,
        wave_id: &str,
        tie: &Tie,
        actor: &str,
        action: &'static str,
    ) -> Result<TieRecord, StoreError> {
        // The check is made inside the writing transaction, so that two inserts of the same
        // tie (either way round) at once cannot both pass it: SQLite's batch holds the
        // database's one write lock; on PostgreSQL the two ends' entities are locked (in id
        // order, until the batch ends), so inserts between the same two actors take turns and
        // the second sees the first's tie.
        let mut batch = self.begin().await?;
        if let BatchTx::Postgres(_) = batch.tx {
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
            return Err(Refusal::TieExists {
                tie_type: tie.tie_type,
                from: tie.from.clone(),
                to: tie.to.clone(),
                tie: id,
            }
            .into());
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
        let region = batch.actor_region(&tie.from).await?;
        let change = AuditChange::new(actor, action, "ikatan", id)
            .region(region.as_deref())
            .after(&record);
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
        batch.retally_ties(-1, "t.id = $1", vec![id.into()]).await?;
        if batch
            .execute("DELETE FROM ties WHERE id = $1", vec![id.into()])
            .await?
            == 0
        {
            batch.rollback().await?;
            return Ok(false);
        }
        let region = batch.actor_region(&current.tie.from).await?;
        let change = AuditChange::new(actor, "delete", "ikatan", id)
            .region(region.as_deref())
            .before(&current);
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
                   (SELECT name FROM groups WHERE id = a.id{}), \
                   (SELECT name FROM networks WHERE id = a.id{}), \
                   (SELECT name FROM institutions WHERE id = a.id{})) \
                 FROM actors a WHERE a.id = $1",
                latest("groups"),
                latest("networks"),
                latest("institutions")
            )))
            .bind(id.to_string())
            .fetch_optional(p)
            .await?
        });
        row.map(|(k, name)| Ok((ActorKind::parse(&k)?, name)))
            .transpose()
    }
}

impl Batch {
    /// Saves networks or institutions into a wave: a record not held yet becomes an entity with
    /// its first observation; one held is observed in this wave (a new observation, or the one
    /// the wave holds replaced and confirmed).
    pub async fn save_actors<T: ActorRecord>(
        &mut self,
        wave_id: &str,
        records: &[T],
    ) -> Result<(), StoreError> {
        self.ensure_open(wave_id).await?;
        self.save_entities(
            T::KIND,
            records.iter().map(|r| (r.id(), r.id_region().as_str())),
        )
        .await?;
        let (head, upsert, width) = (insert_head::<T>(), upsert::<T>(), width::<T>());
        for chunk in records.chunks(CHUNK) {
            // The counts: the observations replaced go, the records come.
            if !self.ids_known_new {
                let mut condition = String::from("wave_id = $1 AND id IN (");
                let mut args: Vec<Arg> = vec![wave_id.into()];
                for (i, r) in chunk.iter().enumerate() {
                    if i > 0 {
                        condition.push_str(", ");
                    }
                    condition.push_str(&format!("${}", i + 2));
                    args.push(r.id().into());
                }
                condition.push(')');
                self.retally_observations(T::KIND, -1, &condition, args)
                    .await?;
            }
            for r in chunk {
                self.actor_deltas
                    .add_observation(wave_id, T::KIND, r.id_region().as_str(), 1);
            }
            let now = self.now.as_str();
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut rows = Rows::new(width, chunk.len());
                    for r in chunk {
                        for v in row_values(r, wave_id, now) {
                            v.push(&mut rows);
                        }
                    }
                    w.queue_rows(one_row_sql(&head, width, &upsert), rows)
                        .await?;
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(head.as_str());
                    qb.push_values(chunk, |mut b, r| {
                        for v in row_values(r, wave_id, now) {
                            v.bind(&mut b);
                        }
                    });
                    qb.push(upsert.as_str());
                    qb.build().execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }
}
