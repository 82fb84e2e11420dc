//! The registry's reads and writes: regions, waves, groups, networks, institutions, ties.

use crate::columns::{
    GROUP_INSERT_COLUMNS, GROUP_SELECT, GROUP_UPSERT_SET, GROUP_WIDTH, GroupWrite, group_values,
};
use crate::rows::{GroupRow, WAVE_SELECT, WaveRow};
use crate::sqlite_tx::{self, Rows, SqliteTx};
use crate::{AuditChange, Pool, Store, StoreError, now_iso, on_pool};
use serde::Serialize;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::HashSet;
use std::sync::LazyLock;
use wahana_domain::codes::{Code, GroupStatus, GroupType, LocalUnitKind, TieType};
use wahana_domain::region::name_key;
use wahana_domain::screening::RuleSet;
use wahana_domain::{Group, Institution, LocalUnit, Network, RegionCode, RegionTree, Tie, Wave};

/// Rows per multi-row INSERT: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters
/// for the widest table (33 columns).
pub(crate) const CHUNK: usize = 500;

/// A group as held: the domain record plus what the store keeps about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredGroup {
    #[serde(flatten)]
    pub group: Group,
    pub wave_id: String,
    /// Incremented on every save; an edit names the version it started from.
    pub version: i64,
    /// Where the record came from (an import's file, row and ODK/KoBo metadata), as JSON.
    pub provenance: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a list of groups is filtered by.
#[derive(Debug, Clone, Default)]
pub struct GroupFilter {
    /// The region whose subtree holds the groups (any level).
    pub region: Option<RegionCode>,
    pub group_type: Option<GroupType>,
    pub status: Option<GroupStatus>,
    pub wave: Option<String>,
    /// Part of the name, ignoring case.
    pub name: Option<String>,
}

/// A region with the number of groups recorded in its subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionCount {
    pub code: String,
    pub groups: i64,
}

/// Which table an actor of a tie lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Group,
    Network,
    Institution,
}

impl ActorKind {
    pub fn code(self) -> &'static str {
        match self {
            ActorKind::Group => "kelompok",
            ActorKind::Network => "wahana",
            ActorKind::Institution => "lembaga",
        }
    }
    /// The prefix of the ids drawn for a new actor of this kind in `region` (its village, or
    /// an institution's region): `K-7308211001-`, `W-7308211001-`, `L-730821-`.
    pub fn id_prefix(self, region: &RegionCode) -> String {
        let letter = match self {
            ActorKind::Group => Group::ID_LETTER,
            ActorKind::Network => Network::ID_LETTER,
            ActorKind::Institution => Institution::ID_LETTER,
        };
        wahana_domain::registry::id_prefix(letter, region)
    }

    pub(crate) fn parse(s: &str) -> Result<ActorKind, StoreError> {
        match s {
            "kelompok" => Ok(ActorKind::Group),
            "wahana" => Ok(ActorKind::Network),
            "lembaga" => Ok(ActorKind::Institution),
            other => Err(StoreError::corrupt("actor kind", other)),
        }
    }
}

/// A tie as held, with the kinds of its two ends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TieRecord {
    pub id: i64,
    pub wave_id: String,
    #[serde(flatten)]
    pub tie: Tie,
    pub from_kind: ActorKind,
    pub to_kind: ActorKind,
}

/// The upper bound of a region's code range: `[code, code || '/')` holds the region and every
/// region under it, because '/' sorts right after '.' and before the digits.
pub(crate) fn range_end(code: &RegionCode) -> String {
    format!("{}/", code.as_str())
}

pub(crate) fn push_group_filter<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, f: &GroupFilter)
where
    String: for<'a> sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    qb.push(" WHERE 1=1");
    if let Some(r) = &f.region {
        qb.push(" AND village_code >= ")
            .push_bind(r.as_str().to_string())
            .push(" AND village_code < ")
            .push_bind(range_end(r));
    }
    if let Some(t) = f.group_type {
        qb.push(" AND group_type = ")
            .push_bind(t.code().to_string());
    }
    if let Some(s) = f.status {
        qb.push(" AND status = ").push_bind(s.code().to_string());
    }
    if let Some(w) = &f.wave {
        qb.push(" AND wave_id = ").push_bind(w.clone());
    }
    if let Some(n) = &f.name {
        qb.push(" AND name_fold LIKE ")
            .push_bind(contains_pattern(n))
            .push(" ESCAPE '\\'");
    }
}

/// A name as the name filter compares it: lowercased by Rust (Unicode), the same on both
/// databases (SQLite's `LOWER` folds ASCII only; PostgreSQL's depends on the database's
/// locale). Every write of a group keeps it in `groups.name_fold`.
pub(crate) fn fold_name(name: &str) -> String {
    name.to_lowercase()
}

/// The `LIKE` pattern (with `ESCAPE '\'`) of names holding `part` anywhere, ignoring case:
/// `%` and `_` in `part` are themselves, not wildcards.
pub(crate) fn contains_pattern(part: &str) -> String {
    let mut out = String::with_capacity(part.len() + 4);
    out.push('%');
    for c in fold_name(part).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
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
            let mut text = String::with_capacity(regions.len() * 64);
            for r in &regions {
                let parent = r
                    .code
                    .parent()
                    .map(|c| c.as_str().to_string())
                    .unwrap_or_default();
                let opt = |v: Option<f64>| v.map(|f| f.to_string()).unwrap_or_default();
                text.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    r.code.as_str(),
                    if parent.is_empty() {
                        "\\N".to_string()
                    } else {
                        parent
                    },
                    r.code.level() as i64 + 1,
                    r.kind.code(),
                    copy_escape(&r.name),
                    copy_escape(&name_key(&r.name)),
                    if r.lat.is_some() {
                        opt(r.lat)
                    } else {
                        "\\N".to_string()
                    },
                    if r.lng.is_some() {
                        opt(r.lng)
                    } else {
                        "\\N".to_string()
                    },
                ));
            }
            let mut copy = tx
                .copy_in_raw(
                    "COPY regions_load (code, parent_code, level, kind, name, name_key, lat, lng) FROM STDIN",
                )
                .await?;
            copy.send(text.into_bytes()).await?;
            copy.finish().await?;
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

/// Escapes a value for PostgreSQL's COPY text format.
fn copy_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// A transaction for a batch of writes that must land together or not at all (an import).
pub struct Batch {
    pub(crate) tx: BatchTx,
    pub(crate) now: String,
    /// The store's rule sets, for keeping tallies current (`tally.rs`).
    pub(crate) rules: crate::tally::RulesCache,
    /// Set while [`Batch::save_new_groups`] writes: the ids are known not to be held, so the
    /// tallies have no old row to take away and need not look for one.
    pub(crate) ids_known_new: bool,
    /// Waves this batch found open (`Batch::ensure_open`).
    pub(crate) open_waves: HashSet<String>,
    /// SQLite: the rule sets registered per wave, read once per batch (the batch holds the
    /// write lock, so nobody else changes them), so that writes need not wait for a read.
    pub(crate) wave_rules: std::collections::HashMap<String, Vec<std::sync::Arc<RuleSet>>>,
    /// SQLite: tally deltas not written yet (`tally.rs`, `Batch::finish_tallies`).
    pub(crate) deferred_tallies: crate::tally::Pending,
    /// PostgreSQL: groups this batch has written, and the count at which it next refreshes the
    /// table's statistics (`Batch::refresh_statistics`).
    pub(crate) groups_written: u64,
    pub(crate) next_analyze: u64,
}

/// What deleting a wave runs, in order: its tallies and rule sets, then its records.
const DELETE_WAVE_GROUPS: &str = "DELETE FROM groups WHERE wave_id = $1";
const DELETE_WAVE_SQL: [&str; 10] = [
    crate::tally::DELETE_WAVE_SQL[0],
    crate::tally::DELETE_WAVE_SQL[1],
    crate::tally::DELETE_WAVE_SQL[2],
    "DELETE FROM ties WHERE wave_id = $1",
    "DELETE FROM links WHERE wave_id = $1",
    "DELETE FROM link_review WHERE wave_id = $1",
    DELETE_WAVE_GROUPS,
    "DELETE FROM networks WHERE wave_id = $1",
    "DELETE FROM institutions WHERE wave_id = $1",
    "DELETE FROM waves WHERE id = $1",
];

/// Entities with no observation left, after a wave is deleted: they go with their members.
const DELETE_UNOBSERVED_ACTORS: &str = "DELETE FROM actors \
    WHERE NOT EXISTS (SELECT 1 FROM groups WHERE groups.id = actors.id) \
    AND NOT EXISTS (SELECT 1 FROM networks WHERE networks.id = actors.id) \
    AND NOT EXISTS (SELECT 1 FROM institutions WHERE institutions.id = actors.id)";

/// PostgreSQL: groups a batch writes before it first refreshes the planner's statistics.
const FIRST_ANALYZE: u64 = 10_000;

/// The transaction under a [`Batch`]. SQLite's is a rusqlite connection on a writer thread of
/// its own (`sqlite_tx.rs`: sqlx's per-value cost was half of an import's CPU); PostgreSQL's is
/// a sqlx transaction. Each method of the batch has one arm per database, with the same SQL
/// text wherever the statement is the same.
pub(crate) enum BatchTx {
    Sqlite(SqliteTx),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// A value for a `$n` parameter of [`Batch::execute`] and [`Batch::fetch_i64`], which bind it on
/// either database. A NULL keeps its type: PostgreSQL refuses a text NULL for a number column.
pub(crate) enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Real(Option<f64>),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(Some(s.to_string()))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(Some(s))
    }
}

impl From<Option<&str>> for Arg {
    fn from(s: Option<&str>) -> Arg {
        Arg::Text(s.map(str::to_string))
    }
}

impl From<Option<String>> for Arg {
    fn from(s: Option<String>) -> Arg {
        Arg::Text(s)
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Int(Some(n))
    }
}

impl From<Option<i64>> for Arg {
    fn from(n: Option<i64>) -> Arg {
        Arg::Int(n)
    }
}

impl From<Option<f64>> for Arg {
    fn from(x: Option<f64>) -> Arg {
        Arg::Real(x)
    }
}

impl Arg {
    fn into_sqlite(self) -> rusqlite::types::Value {
        use rusqlite::types::Value;
        match self {
            Arg::Text(s) => s.map_or(Value::Null, Value::Text),
            Arg::Int(n) => n.map_or(Value::Null, Value::Integer),
            Arg::Real(x) => x.map_or(Value::Null, Value::Real),
        }
    }
}

/// `args` bound in order to a PostgreSQL statement.
fn bind_args(
    mut q: sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments>,
    args: Vec<Arg>,
) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s),
            Arg::Int(n) => q.bind(n),
            Arg::Real(x) => q.bind(x),
        };
    }
    q
}

/// The columns and upsert of a tie: one text for both arms.
const TIE_INSERT: &str = "INSERT INTO ties (wave_id, from_id, from_kind, to_id, to_kind, tie_type, \
    since, notes, created_at) ";
const TIE_WIDTH: usize = 9;
/// A tie (a network, an institution) carried forward unconfirmed is confirmed when the
/// re-survey records it again.
const TIE_UPSERT: &str = " ON CONFLICT (from_id, to_id, tie_type, wave_id) DO UPDATE SET \
    since = excluded.since, notes = excluded.notes, confirmed = TRUE";
const ACTOR_KIND_SQL: &str = "SELECT kind FROM actors WHERE id = $1";
/// The kind of an actor observed in a wave (`$1` the id, `$2` the wave).
const OBSERVED_KIND_SQL: &str = "SELECT 'kelompok' FROM groups WHERE id = $1 AND wave_id = $2 \
    UNION ALL SELECT 'wahana' FROM networks WHERE id = $1 AND wave_id = $2 \
    UNION ALL SELECT 'lembaga' FROM institutions WHERE id = $1 AND wave_id = $2";
/// The entities of records about to be written; an entity held already stays as it is.
const ACTOR_INSERT: &str = "INSERT INTO actors (id, kind, region_code, created_at) ";
const ACTOR_KEEP: &str = " ON CONFLICT (id) DO NOTHING";

/// The refusal of a tie to `id`, which is no held actor.
pub fn actor_not_found(id: &str) -> StoreError {
    StoreError::Rejected {
        code: wahana_domain::ErrorCode::ActorNotFound,
        message_id: format!(
            "pelaku {id} tidak ditemukan (bukan kelompok, wahana atau lembaga yang tercatat)"
        ),
        message_en: format!("actor {id} not found (not a recorded group, network or institution)"),
    }
}

/// The version of a record just inserted (the `version` columns' default).
pub(crate) const FIRST_VERSION: i64 = 1;

/// The refusal of a new record whose id an actor of `kind` already has.
pub(crate) fn id_taken(id: &str, kind: ActorKind) -> StoreError {
    let (id_name, en_name) = match kind {
        ActorKind::Group => ("kelompok", "a group"),
        ActorKind::Network => ("wahana", "a network"),
        ActorKind::Institution => ("lembaga", "an institution"),
    };
    StoreError::Rejected {
        code: wahana_domain::ErrorCode::IdTaken,
        message_id: format!("id {id} sudah dipakai oleh {id_name} lain; satu id menamai satu data"),
        message_en: format!("id {id} is already used by {en_name}; an id names one record"),
    }
}

/// The refusal of a second observation of actor `id` in one wave.
pub(crate) fn already_observed(kind: ActorKind, id: &str, wave: &str) -> StoreError {
    let (id_name, en_name) = match kind {
        ActorKind::Group => ("kelompok", "group"),
        ActorKind::Network => ("wahana", "network"),
        ActorKind::Institution => ("lembaga", "institution"),
    };
    StoreError::Rejected {
        code: wahana_domain::ErrorCode::AlreadyObserved,
        message_id: format!(
            "{id_name} {id} sudah tercatat di pendataan {wave}; sunting catatan itu"
        ),
        message_en: format!("{en_name} {id} is already recorded in wave {wave}; edit that record"),
    }
}

/// The number an id ends with after `prefix`, when the rest is digits only.
fn suffix_number(id: &str, prefix: &str) -> Option<i64> {
    let rest = id.strip_prefix(prefix)?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok()
}

/// A record that [`Batch::with_id`] gives an id.
pub trait NewActor: Clone {
    const KIND: ActorKind;
    fn id_mut(&mut self) -> &mut String;
    /// The region whose prefix a drawn id takes.
    fn id_region(&self) -> &RegionCode;
}

impl NewActor for Group {
    const KIND: ActorKind = ActorKind::Group;
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
    fn id_region(&self) -> &RegionCode {
        &self.village
    }
}

impl NewActor for Network {
    const KIND: ActorKind = ActorKind::Network;
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
    fn id_region(&self) -> &RegionCode {
        &self.village
    }
}

impl NewActor for Institution {
    const KIND: ActorKind = ActorKind::Institution;
    fn id_mut(&mut self) -> &mut String {
        &mut self.id
    }
    fn id_region(&self) -> &RegionCode {
        &self.region
    }
}

/// Ids with a prefix, of every kind (`$1` the prefix, `$2` its end).
const IDS_UNDER_SQL: &str = "SELECT id FROM actors WHERE id >= $1 AND id < $2";

/// The record read before an update from `expected`, refused when it is not held or at another
/// version: the row the update replaces is then this one (every save raises the version).
pub(crate) fn at_version<T>(
    kind: &'static str,
    id: &str,
    held: Option<T>,
    version: impl Fn(&T) -> i64,
    expected: i64,
) -> Result<T, StoreError> {
    match held {
        Some(r) if version(&r) == expected => Ok(r),
        other => Err(refused(kind, id, other.as_ref().map(version), expected)),
    }
}

/// An update refused: the record is not held (`found` is `None`) or at another version.
pub(crate) fn refused(
    kind: &'static str,
    id: &str,
    found: Option<i64>,
    expected: i64,
) -> StoreError {
    match found {
        None => StoreError::NotFound {
            kind,
            id: id.to_string(),
        },
        Some(found) => StoreError::Conflict {
            kind,
            id: id.to_string(),
            expected,
            found,
        },
    }
}

/// The single-row upsert of a group for the SQLite arm (the columns and the update of the
/// PostgreSQL arm's multi-row statement), and the same insert without the update.
static GROUP_UPSERT_SQL: LazyLock<String> =
    LazyLock::new(|| one_row_sql(&group_insert_head(), GROUP_WIDTH, &GROUP_UPSERT_SET));
static GROUP_INSERT_SQL: LazyLock<String> =
    LazyLock::new(|| one_row_sql(&group_insert_head(), GROUP_WIDTH, ""));

fn group_insert_head() -> String {
    format!("INSERT INTO groups ({GROUP_INSERT_COLUMNS}) ")
}

/// Whether no id is given twice (a file in id order is checked without hashing).
fn ids_distinct(groups: &[Group]) -> bool {
    if groups.windows(2).all(|w| w[0].id < w[1].id) {
        return true;
    }
    let mut seen = std::collections::HashSet::with_capacity(groups.len());
    groups.iter().all(|g| seen.insert(g.id.as_str()))
}

/// A one-row statement for the SQLite arm: `head VALUES ($1, …, $width) tail`.
pub(crate) fn one_row_sql(head: &str, width: usize, tail: &str) -> String {
    format!("{head}{}{tail}", sqlite_tx::values_clause(width))
}

impl Batch {
    /// Refuses a write into `wave` when it is closed (or not held). Each wave is looked at
    /// once per batch.
    pub async fn ensure_open(&mut self, wave: &str) -> Result<(), StoreError> {
        if self.open_waves.contains(wave) {
            return Ok(());
        }
        const SQL: &str = "SELECT status FROM waves WHERE id = $1";
        let status: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.first(SQL, vec![sqlite_tx::text(wave)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(SQL)
                    .bind(wave.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        match status.as_deref() {
            Some("open") => {
                self.open_waves.insert(wave.to_string());
                Ok(())
            }
            Some(_) => Err(StoreError::WaveClosed {
                id: wave.to_string(),
            }),
            None => Err(StoreError::NotFound {
                kind: "pendataan",
                id: wave.to_string(),
            }),
        }
    }

    /// Records the entities (`id`, region) of records about to be written; an entity held
    /// already stays as it is (its kind and first region do not change).
    pub(crate) async fn save_entities<'a>(
        &mut self,
        kind: ActorKind,
        items: impl Iterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), StoreError> {
        let items: Vec<(&str, &str)> = items.collect();
        for chunk in items.chunks(CHUNK) {
            let now = self.now.as_str();
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut rows = Rows::new(4, chunk.len());
                    for (id, region) in chunk {
                        rows.text(id).text(kind.code()).text(region).text(now);
                    }
                    w.queue_rows(one_row_sql(ACTOR_INSERT, 4, ACTOR_KEEP), rows)
                        .await?;
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(ACTOR_INSERT);
                    qb.push_values(chunk, |mut b, (id, region)| {
                        b.push_bind(*id)
                            .push_bind(kind.code())
                            .push_bind(*region)
                            .push_bind(now);
                    });
                    qb.push(ACTOR_KEEP);
                    qb.build().execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }

    /// The kind of the actor `id` when it is observed in `wave` (a tie's ends must be).
    pub async fn observed_kind(
        &mut self,
        wave: &str,
        id: &str,
    ) -> Result<Option<ActorKind>, StoreError> {
        let kind: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => {
                w.first(
                    OBSERVED_KIND_SQL,
                    vec![sqlite_tx::text(id), sqlite_tx::text(wave)],
                )
                .await?
            }
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(OBSERVED_KIND_SQL)
                    .bind(id.to_string())
                    .bind(wave.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        kind.map(|k| ActorKind::parse(&k)).transpose()
    }

    /// Saves groups into a wave: a group not held yet becomes an entity with its first
    /// observation; a group held is observed in this wave (a new observation, or the one the
    /// wave holds updated: its version goes up). Earlier waves' observations never change.
    /// `provenance` gives each group's provenance JSON, if any.
    pub async fn save_groups(
        &mut self,
        wave_id: &str,
        groups: &[Group],
        provenance: &[Option<String>],
    ) -> Result<(), StoreError> {
        self.ensure_open(wave_id).await?;
        self.save_entities(
            ActorKind::Group,
            groups.iter().map(|g| (g.id.as_str(), g.village.as_str())),
        )
        .await?;
        // Tallies (tally.rs): old rows' contributions out, new rows' in, same transaction.
        let mut tallies = self.start_tallies(wave_id).await?;
        let distinct = ids_distinct(groups);
        for (i, chunk) in groups.chunks(CHUNK).enumerate() {
            let held = self
                .tally_upsert(&mut tallies, wave_id, chunk, distinct)
                .await?;
            // SQLite, no id of the chunk held (as the tallies just looked, or known new) and
            // each given once: a plain INSERT writes the same rows as the upsert, and SQLite
            // runs it without a statement journal (an upsert may abort after changing a row,
            // so SQLite first copies every page it touches).
            let plain_insert = distinct && held == 0;
            let now = self.now.as_str();
            let prov = provenance.get(i * CHUNK..).unwrap_or_default();
            let t = match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    // One buffer per chunk to the writer thread, bound there by reference into
                    // one prepared single-row statement; not waited for (sqlite_tx.rs).
                    let mut rows = Rows::new(GROUP_WIDTH, chunk.len());
                    for (j, group) in chunk.iter().enumerate() {
                        let provenance = prov.get(j).and_then(|p| p.as_deref());
                        let w = GroupWrite {
                            group,
                            wave: wave_id,
                            provenance,
                            now,
                        };
                        for v in group_values(&w) {
                            v.push(&mut rows);
                        }
                    }
                    let sql = if plain_insert {
                        GROUP_INSERT_SQL.clone()
                    } else {
                        GROUP_UPSERT_SQL.clone()
                    };
                    w.queue_rows(sql, rows).await?;
                    continue;
                }
                BatchTx::Postgres(t) => t,
            };
            {
                // One statement may not upsert a row twice on PostgreSQL ("cannot affect row a
                // second time"): an id given twice in a chunk is written once, its last row.
                let mut last = std::collections::HashMap::new();
                if !distinct {
                    for (j, g) in chunk.iter().enumerate() {
                        last.insert(g.id.as_str(), j);
                    }
                }
                let rows = chunk
                    .iter()
                    .enumerate()
                    .filter(|(j, g)| distinct || last.get(g.id.as_str()) == Some(j));
                // Values are bound by reference where they can be (no copy per row before
                // sqlx's own).
                let mut qb = QueryBuilder::new(group_insert_head());
                qb.push_values(rows, |mut b, (j, group)| {
                    let provenance = prov.get(j).and_then(|p| p.as_deref());
                    let w = GroupWrite {
                        group,
                        wave: wave_id,
                        provenance,
                        now,
                    };
                    for v in group_values(&w) {
                        v.bind(&mut b);
                    }
                });
                qb.push(&*GROUP_UPSERT_SET);
                qb.build().execute(&mut **t).await?;
            }
        }
        self.refresh_statistics(groups.len()).await?;
        self.finish_tallies(tallies).await
    }

    /// PostgreSQL: after `written` more groups, refreshes the statistics of `groups` each time
    /// the batch's own rows have doubled (from 10,000). ANALYZE inside the transaction counts
    /// the rows it inserted; without it the planner knows nothing of a table a batch grows from
    /// nothing, guesses that 500 duplicate keys match half of it, and scans it whole for every
    /// chunk of an import (whose time then grows with the square of its rows). SQLite's
    /// planner takes an index whenever one fits.
    async fn refresh_statistics(&mut self, written: usize) -> Result<(), StoreError> {
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(());
        };
        self.groups_written += written as u64;
        if self.groups_written >= self.next_analyze {
            sqlx::query("ANALYZE groups").execute(&mut **t).await?;
            self.next_analyze = self.groups_written * 2;
        }
        Ok(())
    }

    /// [`Batch::save_groups`] for groups whose ids the caller knows are not held (a first
    /// load into an empty table): the same rows and tallies, without looking for old rows.
    pub async fn save_new_groups(
        &mut self,
        wave_id: &str,
        groups: &[Group],
        provenance: &[Option<String>],
    ) -> Result<(), StoreError> {
        self.ids_known_new = true;
        let saved = self.save_groups(wave_id, groups, provenance).await;
        self.ids_known_new = false;
        saved
    }

    /// Draws `n` new ids `{prefix}NNNN` (at least four digits), none held by a group, a
    /// network or an institution (as this batch sees it) nor `taken` by the caller (ids a file
    /// gives on rows not written yet). The numbers come from `id_sequences`, in this batch's
    /// transaction: on SQLite the batch holds the write lock; on PostgreSQL the sequence's row
    /// stays locked until the batch ends, so concurrent writers draw one after another and
    /// never the same number. A prefix used for the first time starts after the highest
    /// all-digit suffix held under it.
    pub async fn allocate_ids(
        &mut self,
        prefix: &str,
        n: usize,
        taken: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let want = (n - out.len()) as i64;
            let bumped = self
                .fetch_i64(
                    "UPDATE id_sequences SET last = last + $2 WHERE prefix = $1 RETURNING last",
                    vec![prefix.into(), want.into()],
                )
                .await?;
            let last = match bumped {
                Some(last) => last,
                None => {
                    let held = self.highest_suffix(prefix).await?;
                    // Another writer may have seeded the prefix meanwhile (PostgreSQL: this
                    // waits for it to end): the conflict then draws after its numbers.
                    self.fetch_i64(
                        "INSERT INTO id_sequences (prefix, last) VALUES ($1, $2) \
                         ON CONFLICT (prefix) DO UPDATE SET last = id_sequences.last + $3 \
                         RETURNING last",
                        vec![prefix.into(), (held + want).into(), want.into()],
                    )
                    .await?
                    .ok_or_else(|| StoreError::Writer("id_sequences gave no row".into()))?
                }
            };
            let candidates: Vec<String> = (last - want + 1..=last)
                .map(|k| format!("{prefix}{k:04}"))
                .collect();
            let mut held = HashSet::new();
            held.extend(self.any_ids(&candidates).await?);
            if !held.is_empty() {
                // Ids given by hand or by a file above the sequence: go on after the highest.
                let highest = self.highest_suffix(prefix).await?;
                self.execute(
                    "UPDATE id_sequences SET last = $2 WHERE prefix = $1 AND last < $2",
                    vec![prefix.into(), highest.into()],
                )
                .await?;
            }
            out.extend(
                candidates
                    .into_iter()
                    .filter(|id| !held.contains(id) && !taken(id)),
            );
        }
        Ok(out)
    }

    /// The highest number after `prefix` of an id held in any actor table (0 when none).
    async fn highest_suffix(&mut self, prefix: &str) -> Result<i64, StoreError> {
        let end = format!("{prefix}~");
        let ids: Vec<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => {
                w.column(
                    IDS_UNDER_SQL,
                    vec![sqlite_tx::text(prefix), sqlite_tx::text(end)],
                )
                .await?
            }
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(IDS_UNDER_SQL)
                    .bind(prefix.to_string())
                    .bind(end)
                    .fetch_all(&mut **t)
                    .await?
            }
        };
        Ok(ids
            .iter()
            .filter_map(|id| suffix_number(id, prefix))
            .max()
            .unwrap_or(0))
    }

    /// `record` ready to insert as a new actor: without an id, it gets the next free one of
    /// its region's prefix ([`ActorKind::id_prefix`]); an id given that any actor holds is refused
    /// (`id_taken`, naming the kind that holds it).
    pub(crate) async fn with_id<T: NewActor>(&mut self, record: &T) -> Result<T, StoreError> {
        let mut record = record.clone();
        if record.id_mut().is_empty() {
            let prefix = T::KIND.id_prefix(record.id_region());
            if let Some(new) = self.allocate_ids(&prefix, 1, &|_| false).await?.pop() {
                *record.id_mut() = new;
            }
        } else if let Some(holder) = self.actor_kind(record.id_mut()).await? {
            return Err(id_taken(record.id_mut(), holder));
        }
        Ok(record)
    }

    /// `record` ready to be observed in `wave`: a new actor as [`Batch::with_id`] makes it, or
    /// an actor of the same kind held already and not yet observed in `wave` (a re-survey
    /// entered by hand). An actor the wave already observes is refused (`already_observed`).
    pub(crate) async fn with_id_in_wave<T: NewActor>(
        &mut self,
        wave: &str,
        record: &T,
    ) -> Result<T, StoreError> {
        let mut record = record.clone();
        let id = record.id_mut().clone();
        if id.is_empty() || self.actor_kind(&id).await? != Some(T::KIND) {
            return self.with_id(&record).await;
        }
        if self.observed_kind(wave, &id).await?.is_some() {
            return Err(already_observed(T::KIND, &id, wave));
        }
        Ok(record)
    }

    /// The waves that observe actor `id` (any kind).
    pub async fn waves_observing(&mut self, id: &str) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT wave_id FROM groups WHERE id = $1 \
            UNION SELECT wave_id FROM networks WHERE id = $1 \
            UNION SELECT wave_id FROM institutions WHERE id = $1";
        match &mut self.tx {
            BatchTx::Sqlite(w) => w.column(SQL, vec![sqlite_tx::text(id)]).await,
            BatchTx::Postgres(t) => Ok(sqlx::query_scalar(SQL)
                .bind(id.to_string())
                .fetch_all(&mut **t)
                .await?),
        }
    }

    /// Which table holds an actor id, looking at what this batch has written so far too.
    pub async fn actor_kind(&mut self, id: &str) -> Result<Option<ActorKind>, StoreError> {
        let kind: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.first(ACTOR_KIND_SQL, vec![sqlite_tx::text(id)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(ACTOR_KIND_SQL)
                    .bind(id.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        kind.map(|k| ActorKind::parse(&k)).transpose()
    }

    /// Saves ties whose two ends are observed in the wave (check with [`Batch::observed_kind`]
    /// first to report missing ends row by row). A tie the wave holds already (same ends and
    /// type) is updated.
    pub async fn save_ties(&mut self, wave_id: &str, ties: &[Tie]) -> Result<(), StoreError> {
        let mut kinds: std::collections::HashMap<String, ActorKind> = Default::default();
        let mut resolved = Vec::with_capacity(ties.len());
        for tie in ties {
            let mut ends = [None, None];
            for (slot, id) in ends.iter_mut().zip([&tie.from, &tie.to]) {
                *slot = match kinds.get(id) {
                    Some(k) => Some(*k),
                    None => {
                        let k = self.observed_kind(wave_id, id).await?;
                        if let Some(k) = k {
                            kinds.insert(id.clone(), k);
                        }
                        k
                    }
                };
            }
            let [Some(fk), Some(tk)] = ends else {
                let missing = if ends[0].is_none() {
                    &tie.from
                } else {
                    &tie.to
                };
                return Err(actor_not_found(missing));
            };
            resolved.push((tie.clone(), fk, tk));
        }
        self.save_resolved_ties(wave_id, &resolved).await
    }

    /// Saves ties whose ends' kinds the caller already knows (a generator, an import that
    /// resolved them). Parallel ties in the input are written once.
    pub async fn save_resolved_ties(
        &mut self,
        wave_id: &str,
        ties: &[(Tie, ActorKind, ActorKind)],
    ) -> Result<(), StoreError> {
        self.ensure_open(wave_id).await?;
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<&(Tie, ActorKind, ActorKind)> = ties
            .iter()
            .filter(|(t, _, _)| seen.insert((t.from.as_str(), t.to.as_str(), t.tie_type)))
            .collect();
        for chunk in unique.chunks(CHUNK) {
            let now = &self.now;
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let mut rows = Rows::new(TIE_WIDTH, chunk.len());
                    for (tie, fk, tk) in chunk {
                        rows.text(wave_id)
                            .text(&tie.from)
                            .text(fk.code())
                            .text(&tie.to)
                            .text(tk.code())
                            .text(tie.tie_type.code())
                            .opt_int(tie.since.map(i64::from))
                            .opt_text(tie.notes.as_deref())
                            .text(now);
                    }
                    let sql = one_row_sql(TIE_INSERT, TIE_WIDTH, TIE_UPSERT);
                    w.queue_rows(sql, rows).await?;
                }
                BatchTx::Postgres(t) => {
                    let mut qb = QueryBuilder::new(TIE_INSERT);
                    qb.push_values(chunk, |mut b, (tie, fk, tk)| {
                        b.push_bind(wave_id.to_string())
                            .push_bind(tie.from.clone())
                            .push_bind(fk.code())
                            .push_bind(tie.to.clone())
                            .push_bind(tk.code())
                            .push_bind(tie.tie_type.code())
                            .push_bind(tie.since.map(i64::from))
                            .push_bind(tie.notes.clone())
                            .push_bind(now.clone());
                    });
                    qb.push(TIE_UPSERT);
                    qb.build().execute(&mut **t).await?;
                }
            }
        }
        Ok(())
    }

    /// Runs one statement (`$n` parameters, one text for both databases) in the batch; returns
    /// the rows it changed.
    pub(crate) async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, StoreError> {
        Ok(match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let params = args.into_iter().map(Arg::into_sqlite).collect();
                w.execute(sql, params).await? as u64
            }
            BatchTx::Postgres(t) => bind_args(sqlx::query(AssertSqlSafe(sql)), args)
                .execute(&mut **t)
                .await?
                .rows_affected(),
        })
    }

    /// Runs one statement that gives one number (an id or a version from `RETURNING`, or a
    /// `SELECT`) in the batch; `None` when it gives no row.
    pub(crate) async fn fetch_i64(
        &mut self,
        sql: &str,
        args: Vec<Arg>,
    ) -> Result<Option<i64>, StoreError> {
        Ok(match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let params = args.into_iter().map(Arg::into_sqlite).collect();
                w.first(sql, params).await?
            }
            BatchTx::Postgres(t) => {
                use sqlx::Row;
                match bind_args(sqlx::query(AssertSqlSafe(sql)), args)
                    .fetch_optional(&mut **t)
                    .await?
                {
                    Some(row) => Some(row.try_get(0)?),
                    None => None,
                }
            }
        })
    }

    pub async fn commit(mut self) -> Result<(), StoreError> {
        self.flush_deferred_tallies().await?;
        match self.tx {
            BatchTx::Sqlite(w) => w.commit().await?,
            BatchTx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Deletes a wave and everything recorded in it, in the batch (as [`Store::delete_wave`]).
    pub async fn delete_wave(&mut self, id: &str) -> Result<(), StoreError> {
        self.flush_deferred_tallies().await?;
        for sql in DELETE_WAVE_SQL {
            self.execute(sql, vec![id.into()]).await?;
        }
        self.execute(DELETE_UNOBSERVED_ACTORS, Vec::new()).await?;
        self.wave_rules.remove(id);
        Ok(())
    }

    /// Drops every write of the batch.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.tx {
            BatchTx::Sqlite(w) => w.rollback().await?,
            BatchTx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

impl Store {
    /// Starts a batch of writes that lands whole on [`Batch::commit`] or not at all. On SQLite
    /// the batch holds the database's one write lock from here to its end (other connections
    /// still read, as of before the batch); it needs a database file.
    pub async fn begin(&self) -> Result<Batch, StoreError> {
        let tx = match &self.pool {
            Pool::Sqlite(_) => {
                let Some(path) = crate::bulk::sqlite_file(&self.pool) else {
                    return Err(StoreError::Rejected {
                        code: wahana_domain::ErrorCode::SqliteInMemory,
                        message_id: "basis data SQLite di memori tidak dapat ditulis per batch; \
                            pakai berkas"
                            .into(),
                        message_en: "an in-memory SQLite database cannot take batches of \
                            writes; use a file"
                            .into(),
                    });
                };
                BatchTx::Sqlite(SqliteTx::begin(path, self.writers.clone()).await?)
            }
            Pool::Postgres(p) => BatchTx::Postgres(p.begin().await?),
        };
        Ok(Batch {
            tx,
            now: now_iso(),
            rules: self.rules.clone(),
            ids_known_new: false,
            open_waves: HashSet::new(),
            wave_rules: Default::default(),
            deferred_tallies: Default::default(),
            groups_written: 0,
            next_analyze: FIRST_ANALYZE,
        })
    }

    // ---- waves ----

    /// Creates a wave, or updates the one with the same id.
    pub async fn save_wave(&self, wave: &Wave) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        batch.save_wave(wave).await?;
        batch.commit().await
    }

    pub async fn wave(&self, id: &str) -> Result<Option<Wave>, StoreError> {
        let row: Option<WaveRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!("{WAVE_SELECT} WHERE id = $1")))
                .bind(id.to_string())
                .fetch_optional(p)
                .await?
        });
        row.map(WaveRow::into_domain).transpose()
    }

    /// All waves, the latest first.
    pub async fn waves(&self) -> Result<Vec<Wave>, StoreError> {
        let rows: Vec<WaveRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{WAVE_SELECT} ORDER BY COALESCE(end_date, start_date, '') DESC, id"
            )))
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(WaveRow::into_domain).collect()
    }

    // ---- groups ----

    /// Saves groups into a wave in one transaction (see [`Batch::save_groups`]).
    pub async fn save_groups(&self, wave_id: &str, groups: &[Group]) -> Result<(), StoreError> {
        let mut batch = self.begin().await?;
        batch.save_groups(wave_id, groups, &[]).await?;
        batch.commit().await
    }

    /// Adds one observation of a group to a wave, made by `actor`, with its audit entry. A
    /// group without an id is a new one and gets the next free id of its village
    /// (`K-<village>-NNNN`), drawn in the same transaction; an id given is either new, or a
    /// group held and not yet observed in this wave (a re-survey entered by hand). An id held
    /// by a network or an institution, or a group the wave already observes, is refused.
    /// Returns the observation as held.
    pub async fn insert_group(
        &self,
        wave_id: &str,
        group: &Group,
        actor: &str,
    ) -> Result<StoredGroup, StoreError> {
        let mut batch = self.begin().await?;
        batch.ensure_open(wave_id).await?;
        let group = &batch.with_id_in_wave(wave_id, group).await?;
        batch
            .save_groups(wave_id, std::slice::from_ref(group), &[])
            .await?;
        let stored = StoredGroup {
            group: group.clone(),
            wave_id: wave_id.to_string(),
            version: FIRST_VERSION,
            provenance: None,
            created_at: batch.now.clone(),
            updated_at: batch.now.clone(),
        };
        let change = AuditChange::new(actor, "create", "kelompok", &group.id)
            .region(Some(group.village.as_str()))
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Deletes a wave and everything recorded in it. Returns the number of groups removed.
    pub async fn delete_wave(&self, id: &str) -> Result<u64, StoreError> {
        let n = on_pool!(self.pool, p => {
            let mut tx = p.begin().await?;
            let mut groups = 0;
            for sql in DELETE_WAVE_SQL {
                let n = sqlx::query(sql)
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if sql == DELETE_WAVE_GROUPS {
                    groups = n;
                }
            }
            sqlx::query(DELETE_UNOBSERVED_ACTORS).execute(&mut *tx).await?;
            tx.commit().await?;
            groups
        });
        Ok(n)
    }

    /// The latest observation of a group (the one of its latest wave, by date then id).
    pub async fn group(&self, id: &str) -> Result<Option<StoredGroup>, StoreError> {
        Ok(self.observations(id).await?.pop())
    }

    /// A group as a wave observed it.
    pub async fn group_in(&self, id: &str, wave: &str) -> Result<Option<StoredGroup>, StoreError> {
        let row: Option<GroupRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{GROUP_SELECT} WHERE id = $1 AND wave_id = $2"
            )))
            .bind(id.to_string())
            .bind(wave.to_string())
            .fetch_optional(p)
            .await?
        });
        row.map(GroupRow::into_stored).transpose()
    }

    /// Every observation of a group, oldest wave first (by date, then id).
    pub async fn observations(&self, id: &str) -> Result<Vec<StoredGroup>, StoreError> {
        let rows: Vec<GroupRow> = on_pool!(self.pool, p => {
            sqlx::query_as(AssertSqlSafe(format!(
                "{GROUP_SELECT} WHERE id = $1 ORDER BY (SELECT COALESCE(w.end_date, \
                 w.start_date, '') FROM waves w WHERE w.id = groups.wave_id), wave_id"
            )))
            .bind(id.to_string())
            .fetch_all(p)
            .await?
        });
        rows.into_iter().map(GroupRow::into_stored).collect()
    }

    /// Replaces the fields of a group's observation in `wave` if it is still at
    /// `expected_version`, with the audit entry of `actor`'s change; returns the observation
    /// as held now. A save from a stale version is refused with [`StoreError::Conflict`] and
    /// changes nothing; so is a save into a closed wave. Other waves' observations stay.
    pub async fn update_group(
        &self,
        group: &Group,
        wave: &str,
        expected_version: i64,
        actor: &str,
    ) -> Result<StoredGroup, StoreError> {
        let current = self.group_in(&group.id, wave).await?;
        let current = at_version(
            "kelompok",
            &group.id,
            current,
            |g| g.version,
            expected_version,
        )?;
        // In a transaction with the tallies (tally.rs) and the audit entry.
        let mut batch = self.begin().await?;
        batch.ensure_open(wave).await?;
        let mut tallies = batch.start_tallies(&current.wave_id).await?;
        batch
            .tally_upsert(
                &mut tallies,
                &current.wave_id,
                std::slice::from_ref(group),
                true,
            )
            .await?;
        let now = batch.now.clone();
        let write = GroupWrite {
            group,
            wave: &current.wave_id,
            provenance: current.provenance.as_deref(),
            now: &now,
        };
        let updated: Option<i64> = match &mut batch.tx {
            BatchTx::Sqlite(w) => {
                let mut rows = Rows::new(GROUP_WIDTH + 1, 1);
                for v in group_values(&write) {
                    v.push(&mut rows);
                }
                rows.int(expected_version);
                let sql = format!(
                    "{} WHERE groups.version = ${} RETURNING version",
                    *GROUP_UPSERT_SQL,
                    GROUP_WIDTH + 1
                );
                w.call(move |c| sqlite_tx::returning_one(c, &sql, &rows))
                    .await?
            }
            BatchTx::Postgres(t) => {
                let mut qb = QueryBuilder::new(group_insert_head());
                qb.push_values(std::iter::once(&write), |mut b, w| {
                    for v in group_values(w) {
                        v.bind(&mut b);
                    }
                });
                qb.push(&*GROUP_UPSERT_SET);
                qb.push(" WHERE groups.version = ")
                    .push_bind(expected_version);
                qb.push(" RETURNING version");
                qb.build_query_scalar().fetch_optional(&mut **t).await?
            }
        };
        // A version other than the next one is a row inserted because the group was deleted
        // meanwhile: not an update.
        let Some(version) = updated.filter(|v| *v == expected_version + 1) else {
            batch.rollback().await?;
            let found = self.group_in(&group.id, wave).await?.map(|g| g.version);
            return Err(refused("kelompok", &group.id, found, expected_version));
        };
        let stored = StoredGroup {
            group: group.clone(),
            version,
            updated_at: now,
            ..current.clone()
        };
        let change = AuditChange::new(actor, "update", "kelompok", &group.id)
            .region(Some(group.village.as_str()))
            .before(&current)
            .after(&stored);
        batch.write_audit(&change).await?;
        batch.finish_tallies(tallies).await?;
        batch.commit().await?;
        Ok(stored)
    }

    /// Deletes a group's observation in `wave`, or every observation of it (the group itself,
    /// with its members and links) when `wave` is `None`, with its ties in those waves and the
    /// audit entry of `actor`'s change. A group no wave observes any more goes whole. Returns
    /// whether anything was held (nothing is written when not). A closed wave is refused.
    pub async fn delete_group(
        &self,
        id: &str,
        wave: Option<&str>,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let observations: Vec<StoredGroup> = match wave {
            Some(w) => self.group_in(id, w).await?.into_iter().collect(),
            None => self.observations(id).await?,
        };
        let Some(latest) = observations.last().cloned() else {
            return Ok(false);
        };
        // In a transaction with the tallies (tally.rs): the deleted rows' contributions go.
        let mut batch = self.begin().await?;
        let mut tallies = crate::tally::TallyWork::default();
        let mut n = 0;
        for obs in &observations {
            batch.ensure_open(&obs.wave_id).await?;
            batch
                .tally_remove(&mut tallies, &obs.wave_id, &[id])
                .await?;
            batch
                .execute(
                    "DELETE FROM ties WHERE wave_id = $2 AND (from_id = $1 OR to_id = $1)",
                    vec![id.into(), obs.wave_id.as_str().into()],
                )
                .await?;
            batch
                .execute(
                    "DELETE FROM links WHERE wave_id = $2 AND (from_id = $1 OR to_id = $1)",
                    vec![id.into(), obs.wave_id.as_str().into()],
                )
                .await?;
            n += batch
                .execute(
                    "DELETE FROM groups WHERE id = $1 AND wave_id = $2",
                    vec![id.into(), obs.wave_id.as_str().into()],
                )
                .await?;
        }
        if n == 0 {
            // Deleted meanwhile: that delete has its entry.
            batch.rollback().await?;
            return Ok(false);
        }
        // The entity goes (with its members) once no wave observes it.
        batch
            .execute(
                "DELETE FROM actors WHERE id = $1 \
                 AND NOT EXISTS (SELECT 1 FROM groups WHERE groups.id = $1)",
                vec![id.into()],
            )
            .await?;
        let before: Vec<&StoredGroup> = observations.iter().collect();
        let mut change = AuditChange::new(actor, "delete", "kelompok", id)
            .region(Some(latest.group.village.as_str()));
        change = if before.len() == 1 {
            change.before(&latest)
        } else {
            change.before(&before)
        };
        batch.write_audit(&change).await?;
        batch.finish_tallies(tallies).await?;
        batch.commit().await?;
        Ok(true)
    }

    /// Groups matching a filter, ordered by village then name, one page at a time.
    pub async fn list_groups(
        &self,
        filter: &GroupFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<StoredGroup>, StoreError> {
        let rows: Vec<GroupRow> = on_pool!(self.pool, p => {
            let mut qb = QueryBuilder::new(GROUP_SELECT.to_string());
            push_group_filter(&mut qb, filter);
            qb.push(" ORDER BY village_code, name, id LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
            qb.build_query_as().fetch_all(p).await?
        });
        rows.into_iter().map(GroupRow::into_stored).collect()
    }

    pub async fn count_groups(&self, filter: &GroupFilter) -> Result<i64, StoreError> {
        Ok(on_pool!(self.pool, p => {
            let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM groups");
            push_group_filter(&mut qb, filter);
            qb.build_query_scalar().fetch_one(p).await?
        }))
    }

    /// Ids of groups `wave` already observes with the same duplicate key (village, type, name
    /// up to case, spacing and punctuation). Across waves the same group is a link, not a
    /// duplicate.
    pub async fn groups_with_duplicate_key(
        &self,
        key: &str,
        wave: &str,
    ) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT id FROM groups WHERE dup_key = $1 AND wave_id = $2 ORDER BY id",
            )
                .bind(key.to_string())
                .bind(wave.to_string())
                .fetch_all(p)
                .await?
        }))
    }

    /// The number of groups under each of `regions` (each counted over its subtree), optionally
    /// in one wave.
    pub async fn group_counts(
        &self,
        regions: &[RegionCode],
        wave: Option<&str>,
    ) -> Result<Vec<RegionCount>, StoreError> {
        let mut out = Vec::with_capacity(regions.len());
        for r in regions {
            let n: i64 = on_pool!(self.pool, p => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM groups WHERE village_code >= $1 AND village_code < $2 \
                     AND ($3 IS NULL OR wave_id = $3)",
                )
                .bind(r.as_str().to_string())
                .bind(range_end(r))
                .bind(wave.map(str::to_string))
                .fetch_one(p)
                .await?
            });
            out.push(RegionCount {
                code: r.to_string(),
                groups: n,
            });
        }
        Ok(out)
    }

    // ---- networks, institutions, ties, local units ----

    /// Ties with at least one end among the groups, networks or institutions of a region (an
    /// end is its id *and* its kind: an id another kind holds elsewhere, which older releases
    /// let in, does not bring that actor's ties in).
    pub async fn list_ties(
        &self,
        region: &RegionCode,
        wave: Option<&str>,
    ) -> Result<Vec<TieRecord>, StoreError> {
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
        let rows: Vec<Row> = on_pool!(self.pool, p => {
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
        rows.into_iter()
            .map(|r| {
                Ok(TieRecord {
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
                    from_kind: ActorKind::parse(&r.from_kind)?,
                    to_kind: ActorKind::parse(&r.to_kind)?,
                })
            })
            .collect()
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

    /// Counts of what the database holds, for `init` and health checks.
    pub async fn counts(&self) -> Result<Counts, StoreError> {
        let (regions, waves, groups, networks, institutions, ties): (i64, i64, i64, i64, i64, i64) = on_pool!(self.pool, p => {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM regions), (SELECT COUNT(*) FROM waves), \
                 (SELECT COUNT(*) FROM groups), (SELECT COUNT(*) FROM networks), \
                 (SELECT COUNT(*) FROM institutions), (SELECT COUNT(*) FROM ties)",
            )
            .fetch_one(p)
            .await?
        });
        Ok(Counts {
            regions,
            waves,
            groups,
            networks,
            institutions,
            ties,
        })
    }
}

/// Which table an id is drawn for.
#[derive(Debug, Clone, Copy)]
pub enum IdTable {
    Groups,
    Networks,
    Institutions,
}

impl IdTable {
    /// The table of the observations.
    pub fn name(self) -> &'static str {
        match self {
            IdTable::Groups => "groups",
            IdTable::Networks => "networks",
            IdTable::Institutions => "institutions",
        }
    }
    /// The kind of the entities, as `actors.kind` names it.
    pub fn kind(self) -> ActorKind {
        match self {
            IdTable::Groups => ActorKind::Group,
            IdTable::Networks => ActorKind::Network,
            IdTable::Institutions => ActorKind::Institution,
        }
    }
}

/// How many rows each table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub regions: i64,
    pub waves: i64,
    pub groups: i64,
    pub networks: i64,
    pub institutions: i64,
    pub ties: i64,
}
