//! Screening results kept current as additive tallies, and the rule sets they come from.
//!
//! A profile is a ratio of counts ([`Tally`]), and counts add up. So instead of scanning groups
//! when a profile is asked for, the store keeps, for every (wave, rule set) pair registered in
//! `wave_rules`, one row of counts per village (`tally_village`) and one per (region, group type)
//! for the province, regency, district and village of every group (`tally_region_type`). Every
//! write of a group — [`Batch::save_groups`] (imports, `insert_group`), `update_group`,
//! `delete_group`, `delete_wave` — takes the old row's contribution away and adds the new one's,
//! in the same transaction, for every rule set registered for the wave. A profile then reads at
//! most a few hundred tally rows plus one row per village: always fresh, no rebuild step.
//!
//! Why derive the old contribution from the old row rather than keep a per-group outcome table:
//! the contribution is the whole [`Tally::of`] the group, not only its outcome, so the old row
//! has to be read anyway; a fifth table of 4 million rows would cost every import a write per
//! group and buy nothing the row does not give.
//!
//! Deltas are accumulated in memory per call, keyed by (wave, rules, village, type), summed into
//! the levels above when written, and written with upserts that add
//! (`col = tbl.col + excluded.col`) in key order, so that two writers on PostgreSQL take row
//! locks in the same order: multi-row statements on PostgreSQL, one prepared single-row
//! statement on SQLite's writer thread (`sqlite_tx.rs`).

use crate::columns::GROUP_SELECT;
use crate::registry::{Batch, BatchTx, one_row_sql};
use crate::rows::GroupRow;
use crate::sqlite_tx::{self, Rows};
use crate::{Store, StoreError, now_iso, on_pool};
use serde::Serialize;
use sqlx::{AssertSqlSafe, QueryBuilder, Row};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use wahana_domain::codes::{Code, GroupType};
use wahana_domain::profile::Tally;
use wahana_domain::screening::{Outcome, RuleSet};
use wahana_domain::{Group, Level, RegionTree};

/// The rule set every new wave is screened with.
pub const DEFAULT_RULES: &str = "seed-2007";

/// `recorded` followed by the tally's columns.
pub(crate) const WIDTH: usize = 1 + Tally::WIDTH;
pub(crate) type Counts = [i64; WIDTH];

/// Rows per multi-row upsert: 47 parameters a row stays under SQLite's 32,766.
const CHUNK: usize = 500;
/// Groups read per statement when a whole wave is screened again.
const REBUILD_VILLAGES: usize = 1000;

/// Statements that drop a wave's tallies and registrations (run before the wave is deleted).
pub(crate) const DELETE_WAVE_SQL: [&str; 3] = [
    "DELETE FROM tally_village WHERE wave_id = $1",
    "DELETE FROM tally_region_type WHERE wave_id = $1",
    "DELETE FROM wave_rules WHERE wave_id = $1",
];

/// Parsed rule sets by version, shared by every clone of a [`Store`].
#[derive(Clone, Debug, Default)]
pub(crate) struct RulesCache(Arc<RwLock<HashMap<String, Arc<RuleSet>>>>);

impl RulesCache {
    fn get(&self, version: &str) -> Option<Arc<RuleSet>> {
        self.0.read().ok()?.get(version).cloned()
    }

    fn put(&self, rules: RuleSet) -> Arc<RuleSet> {
        let rules = Arc::new(rules);
        if let Ok(mut m) = self.0.write() {
            m.insert(rules.version.clone(), rules.clone());
        }
        rules
    }
}

/// A rule set held in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetInfo {
    pub version: String,
    pub name: String,
    pub created_at: String,
}

/// Every tally row of one (wave, rule set) pair, for checks: `recorded` then the tally columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TallySnapshot {
    pub villages: BTreeMap<String, Vec<i64>>,
    pub region_types: BTreeMap<(String, String), Vec<i64>>,
}

/// One group's contribution under a rule set, times `sign`.
fn contribution(g: &Group, outcome: Outcome, sign: i64) -> Counts {
    let mut c = [0i64; WIDTH];
    c[0] = sign;
    if outcome == Outcome::Qualifies {
        for (x, v) in c[1..].iter_mut().zip(Tally::of(g).to_array()) {
            *x = sign * i64::try_from(v).unwrap_or(i64::MAX);
        }
    }
    c
}

fn add_counts(into: &mut Counts, c: &Counts) {
    for (a, b) in into.iter_mut().zip(c) {
        *a += b;
    }
}

/// Per region code, per group type, counts to add (while gathered: per village only).
type RegionDeltas = BTreeMap<String, Vec<(GroupType, Counts)>>;

/// Tally changes not yet written, per (wave, rules version).
#[derive(Default)]
pub(crate) struct Pending {
    pairs: Vec<((String, String), RegionDeltas)>,
    /// (village, type) entries held, over every pair.
    entries: usize,
}

impl Pending {
    fn pair(&mut self, wave: &str, rules: &str) -> &mut RegionDeltas {
        let i = match self
            .pairs
            .iter()
            .position(|((w, r), _)| w == wave && r == rules)
        {
            Some(i) => i,
            None => {
                self.pairs
                    .push(((wave.to_string(), rules.to_string()), BTreeMap::new()));
                self.pairs.len() - 1
            }
        };
        &mut self.pairs[i].1
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) one group's contribution, at its village (the
    /// levels above are summed from the villages when the deltas are written: [`rolled_up`]).
    fn add(&mut self, wave: &str, rules: &str, g: &Group, outcome: Outcome, sign: i64) {
        let c = contribution(g, outcome, sign);
        let map = self.pair(wave, rules);
        let code = g.village.as_str();
        let types = match map.get_mut(code) {
            Some(t) => t,
            None => map.entry(code.to_string()).or_default(),
        };
        match types.iter_mut().find(|(t, _)| *t == g.group_type) {
            Some((_, x)) => add_counts(x, &c),
            None => {
                types.push((g.group_type, c));
                self.entries += 1;
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.pairs.iter().all(|(_, m)| m.is_empty())
    }

    /// Adds `other`'s deltas to these.
    fn merge(&mut self, other: Pending) {
        let mut added = 0;
        for ((wave, rules), villages) in other.pairs {
            let map = self.pair(&wave, &rules);
            for (village, types) in villages {
                let mine = map.entry(village).or_default();
                for (t, c) in types {
                    match mine.iter_mut().find(|(mt, _)| *mt == t) {
                        Some((_, x)) => add_counts(x, &c),
                        None => {
                            mine.push((t, c));
                            added += 1;
                        }
                    }
                }
            }
        }
        self.entries += added;
    }
}

/// SQLite: (village, type) deltas a batch keeps before writing them (about 7 MB). A file in
/// village order writes each village's rows once whatever this is; a file in another order (a
/// survey's submissions) would otherwise write the same villages' rows again every few thousand
/// groups.
const DEFERRED_ENTRIES: usize = 20_000;

/// `INSERT INTO table (keys, recorded, tally columns) `, and the upsert that adds.
fn upsert_sql(table: &str, keys: &[&str]) -> (String, String) {
    let cols: Vec<&str> = std::iter::once("recorded")
        .chain(Tally::COLUMNS.iter().copied())
        .collect();
    let head = format!(
        "INSERT INTO {table} ({}, {}) ",
        keys.join(", "),
        cols.join(", ")
    );
    let set: Vec<String> = cols
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    let tail = format!(
        " ON CONFLICT ({}) DO UPDATE SET {}",
        keys.join(", "),
        set.join(", ")
    );
    (head, tail)
}

/// The rows a flush writes for one pair: (region, type) rows and village rows.
struct PairRows<'p> {
    wave: &'p str,
    rules: &'p str,
    region_types: Vec<(&'p str, &'static str, &'p Counts)>,
    villages: Vec<(&'p str, Counts)>,
}

/// Village deltas with every level above added: a province, regency and district get the sum
/// of their villages' deltas, per group type.
fn rolled_up(villages: &RegionDeltas) -> RegionDeltas {
    let mut out = villages.clone();
    for (code, types) in villages {
        for (end, _) in code.match_indices('.') {
            let region = out.entry(code[..end].to_string()).or_default();
            for (t, c) in types {
                match region.iter_mut().find(|(rt, _)| rt == t) {
                    Some((_, x)) => add_counts(x, c),
                    None => region.push((*t, *c)),
                }
            }
        }
    }
    out
}

fn pair_rows<'p>(wave: &'p str, rules: &'p str, map: &'p RegionDeltas) -> PairRows<'p> {
    let mut region_types = Vec::new();
    let mut villages = Vec::new();
    for (region, types) in map {
        let mut sorted: Vec<&(GroupType, Counts)> = types.iter().collect();
        sorted.sort_by_key(|(t, _)| *t);
        let is_village = region.bytes().filter(|b| *b == b'.').count() == 3;
        let mut village = [0i64; WIDTH];
        for (t, c) in sorted {
            if c.iter().any(|x| *x != 0) {
                region_types.push((region.as_str(), t.code(), c));
            }
            if is_village {
                add_counts(&mut village, c);
            }
        }
        if is_village && village.iter().any(|x| *x != 0) {
            villages.push((region.as_str(), village));
        }
    }
    PairRows {
        wave,
        rules,
        region_types,
        villages,
    }
}

/// The tally rows left with no group, removed after a flush (so that coverage counts only
/// villages that hold groups and a region's types only those it has).
const DELETE_EMPTY_REGION_TYPE: &str = "DELETE FROM tally_region_type WHERE wave_id = $1 \
    AND rules_version = $2 AND region_code = $3 AND group_type = $4 AND recorded <= 0";
const DELETE_EMPTY_VILLAGE: &str = "DELETE FROM tally_village WHERE wave_id = $1 \
    AND rules_version = $2 AND village_code = $3 AND recorded <= 0";

/// The tables and keys of the two tallies.
const REGION_TYPE_KEYS: [&str; 4] = ["wave_id", "rules_version", "region_code", "group_type"];
const VILLAGE_KEYS: [&str; 3] = ["wave_id", "rules_version", "village_code"];

/// SQLite: the same upserts and deletes as `flush_on!`, one prepared single-row statement each,
/// queued on the batch's writer thread.
async fn flush_sqlite(w: &sqlite_tx::SqliteTx, pending: &Pending) -> Result<(), StoreError> {
    /// Rows per job, so that a large flush is written while the rest is encoded.
    const JOB: usize = 2048;
    let (rt_head, rt_tail) = upsert_sql("tally_region_type", &REGION_TYPE_KEYS);
    let (v_head, v_tail) = upsert_sql("tally_village", &VILLAGE_KEYS);
    let rt_width = REGION_TYPE_KEYS.len() + WIDTH;
    let v_width = VILLAGE_KEYS.len() + WIDTH;
    let rt_sql = one_row_sql(&rt_head, rt_width, &rt_tail);
    let v_sql = one_row_sql(&v_head, v_width, &v_tail);
    let mut rt = Rows::new(rt_width, JOB);
    let mut v = Rows::new(v_width, JOB);
    let mut rt_gone = Rows::new(4, 0);
    let mut v_gone = Rows::new(3, 0);
    for ((wave, rules), villages) in &pending.pairs {
        let map = rolled_up(villages);
        let rows = pair_rows(wave, rules, &map);
        for (region, t, c) in &rows.region_types {
            rt.text(wave).text(rules).text(region).text(t);
            for x in c.iter() {
                rt.int(*x);
            }
            if c[0] < 0 {
                rt_gone.text(wave).text(rules).text(region).text(t);
            }
            if rt.len() == JOB {
                let full = std::mem::replace(&mut rt, Rows::new(rt_width, JOB));
                w.queue_rows(rt_sql.clone(), full).await?;
            }
        }
        for (village, c) in &rows.villages {
            v.text(wave).text(rules).text(village);
            for x in c.iter() {
                v.int(*x);
            }
            if c[0] < 0 {
                v_gone.text(wave).text(rules).text(village);
            }
            if v.len() == JOB {
                let full = std::mem::replace(&mut v, Rows::new(v_width, JOB));
                w.queue_rows(v_sql.clone(), full).await?;
            }
        }
    }
    w.queue_rows(rt_sql, rt).await?;
    w.queue_rows(v_sql, v).await?;
    // After every upsert above (the writer runs jobs in order).
    w.queue_rows(DELETE_EMPTY_REGION_TYPE.to_string(), rt_gone)
        .await?;
    w.queue_rows(DELETE_EMPTY_VILLAGE.to_string(), v_gone).await
}

/// Writes pending deltas on a connection (`&mut DB::Connection`), then drops rows whose
/// `recorded` reached zero. A macro because the same code runs on either backend's connection.
macro_rules! flush_on {
    ($conn:expr, $pending:expr) => {{
        let (rt_head, rt_tail) = upsert_sql("tally_region_type", &REGION_TYPE_KEYS);
        let (v_head, v_tail) = upsert_sql("tally_village", &VILLAGE_KEYS);
        for ((wave, rules), villages) in &$pending.pairs {
            let map = rolled_up(villages);
            let rows = pair_rows(wave, rules, &map);
            for chunk in rows.region_types.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(rt_head.as_str());
                qb.push_values(chunk, |mut b, (region, t, c)| {
                    b.push_bind(rows.wave.to_string())
                        .push_bind(rows.rules.to_string())
                        .push_bind(region.to_string())
                        .push_bind(t.to_string());
                    for x in c.iter() {
                        b.push_bind(*x);
                    }
                });
                qb.push(rt_tail.as_str());
                qb.build().execute(&mut *$conn).await?;
            }
            for chunk in rows.villages.chunks(CHUNK) {
                let mut qb = QueryBuilder::new(v_head.as_str());
                qb.push_values(chunk, |mut b, (village, c)| {
                    b.push_bind(rows.wave.to_string())
                        .push_bind(rows.rules.to_string())
                        .push_bind(village.to_string());
                    for x in c.iter() {
                        b.push_bind(*x);
                    }
                });
                qb.push(v_tail.as_str());
                qb.build().execute(&mut *$conn).await?;
            }
            // Rows left with no group are removed.
            for (region, t, c) in &rows.region_types {
                if c[0] < 0 {
                    sqlx::query(DELETE_EMPTY_REGION_TYPE)
                        .bind(rows.wave.to_string())
                        .bind(rows.rules.to_string())
                        .bind(region.to_string())
                        .bind(t.to_string())
                        .execute(&mut *$conn)
                        .await?;
                }
            }
            for (village, c) in &rows.villages {
                if c[0] < 0 {
                    sqlx::query(DELETE_EMPTY_VILLAGE)
                        .bind(rows.wave.to_string())
                        .bind(rows.rules.to_string())
                        .bind(village.to_string())
                        .execute(&mut *$conn)
                        .await?;
                }
            }
        }
    }};
}

/// What a write of groups needs to keep tallies current: the rule sets registered per wave
/// (read once per call) and the deltas so far.
#[derive(Default)]
pub(crate) struct TallyWork {
    rules: HashMap<String, Vec<Arc<RuleSet>>>,
    pending: Pending,
}

impl Batch {
    /// A rule set by version, from the cache or (parsed once) from this transaction.
    async fn load_rules(&mut self, version: &str) -> Result<Arc<RuleSet>, StoreError> {
        if let Some(r) = self.rules.get(version) {
            return Ok(r);
        }
        const SQL: &str = "SELECT toml FROM rule_sets WHERE version = $1";
        let text: Option<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.first(SQL, vec![sqlite_tx::text(version)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(SQL)
                    .bind(version.to_string())
                    .fetch_optional(&mut **t)
                    .await?
            }
        };
        let text = text.ok_or_else(|| StoreError::NotFound {
            kind: "aturan penyaringan",
            id: version.to_string(),
        })?;
        let parsed =
            RuleSet::parse(&text).map_err(|e| StoreError::corrupt("rule set", e.to_string()))?;
        Ok(self.rules.put(parsed))
    }

    /// The rule sets whose tallies are kept for a wave (cached for the call).
    async fn wave_rule_sets(
        &mut self,
        work: &mut TallyWork,
        wave: &str,
    ) -> Result<Vec<Arc<RuleSet>>, StoreError> {
        if let Some(r) = work.rules.get(wave) {
            return Ok(r.clone());
        }
        // SQLite: kept for the whole batch, which holds the write lock (see `Batch`).
        if let Some(r) = self.wave_rules.get(wave) {
            work.rules.insert(wave.to_string(), r.clone());
            return Ok(r.clone());
        }
        const SQL: &str =
            "SELECT rules_version FROM wave_rules WHERE wave_id = $1 ORDER BY rules_version";
        let versions: Vec<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.column(SQL, vec![sqlite_tx::text(wave)]).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(SQL)
                    .bind(wave.to_string())
                    .fetch_all(&mut **t)
                    .await?
            }
        };
        let mut out = Vec::with_capacity(versions.len());
        for v in versions {
            out.push(self.load_rules(&v).await?);
        }
        work.rules.insert(wave.to_string(), out.clone());
        if let BatchTx::Sqlite(_) = self.tx {
            self.wave_rules.insert(wave.to_string(), out.clone());
        }
        Ok(out)
    }

    /// Starts keeping tallies for a write into `wave`. A wave that holds no group yet and has no
    /// rule set registered gets the default one, so that its tallies grow from its first group;
    /// a wave that already holds groups without tallies is screened on demand instead
    /// ([`Store::screen_wave`]).
    pub(crate) async fn start_tallies(&mut self, wave: &str) -> Result<TallyWork, StoreError> {
        let mut work = TallyWork::default();
        if self.wave_rule_sets(&mut work, wave).await?.is_empty() {
            let now = self.now.clone();
            const SQL: &str = "INSERT INTO wave_rules (wave_id, rules_version, screened_at) \
                SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM groups WHERE wave_id = $1) \
                ON CONFLICT (wave_id, rules_version) DO NOTHING";
            match &mut self.tx {
                BatchTx::Sqlite(w) => {
                    let params = vec![
                        sqlite_tx::text(wave),
                        sqlite_tx::text(DEFAULT_RULES),
                        sqlite_tx::text(now),
                    ];
                    w.execute(SQL, params).await?;
                }
                BatchTx::Postgres(t) => {
                    sqlx::query(SQL)
                        .bind(wave.to_string())
                        .bind(DEFAULT_RULES)
                        .bind(now)
                        .execute(&mut **t)
                        .await?;
                }
            }
            work.rules.remove(wave);
            self.wave_rules.remove(wave);
            self.wave_rule_sets(&mut work, wave).await?;
        }
        Ok(work)
    }

    /// The observations in `wave` of the groups `ids`, as this transaction sees them. On
    /// PostgreSQL the rows are locked until the transaction ends, so that the contribution taken
    /// away is the one of the row replaced; SQLite needs no lock (one writer at a time).
    async fn held_groups(
        &mut self,
        wave: &str,
        ids: &[&str],
    ) -> Result<Vec<(Group, String)>, StoreError> {
        let mut out = Vec::new();
        if let BatchTx::Sqlite(w) = &mut self.tx {
            // One prepared primary-key lookup per id, all in one job.
            let ids: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
            let wave = wave.to_string();
            let rows = w
                .call(move |c| {
                    let sql = format!("{GROUP_SELECT} WHERE id = $1 AND wave_id = $2");
                    let mut rows = Vec::new();
                    for id in ids {
                        let params = [
                            rusqlite::types::Value::Text(id),
                            rusqlite::types::Value::Text(wave.clone()),
                        ];
                        rows.extend(sqlite_tx::group_rows(c, &sql, &params)?);
                    }
                    Ok(rows)
                })
                .await?;
            for row in rows {
                let s = row.into_stored()?;
                out.push((s.group, s.wave_id));
            }
            return Ok(out);
        }
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(out);
        };
        for chunk in ids.chunks(CHUNK) {
            // A cheap look at the primary key first: imports of new ids find nothing here.
            let found: Vec<String> = {
                let mut qb = QueryBuilder::new("SELECT id FROM groups WHERE wave_id = ");
                qb.push_bind(wave.to_string()).push(" AND id IN (");
                let mut sep = qb.separated(", ");
                for id in chunk {
                    sep.push_bind(id.to_string());
                }
                qb.push(")");
                qb.build_query_scalar().fetch_all(&mut **t).await?
            };
            if found.is_empty() {
                continue;
            }
            let rows: Vec<GroupRow> = {
                let mut qb = QueryBuilder::new(format!("{GROUP_SELECT} WHERE wave_id = "));
                qb.push_bind(wave.to_string()).push(" AND id IN (");
                let mut sep = qb.separated(", ");
                for id in &found {
                    sep.push_bind(id.clone());
                }
                qb.push(") FOR UPDATE");
                qb.build_query_as().fetch_all(&mut **t).await?
            };
            for row in rows {
                let s = row.into_stored()?;
                out.push((s.group, s.wave_id));
            }
        }
        Ok(out)
    }

    /// Takes away the contributions of the observations in `wave` of the groups `ids` (before
    /// they are replaced or deleted).
    /// Returns how many of `ids` are observed there.
    pub(crate) async fn tally_remove(
        &mut self,
        work: &mut TallyWork,
        wave: &str,
        ids: &[&str],
    ) -> Result<usize, StoreError> {
        let held = self.held_groups(wave, ids).await?;
        let n = held.len();
        for (g, wave) in held {
            for rules in self.wave_rule_sets(work, &wave).await? {
                work.pending
                    .add(&wave, &rules.version, &g, rules.outcome(&g), -1);
            }
        }
        Ok(n)
    }

    /// Before `groups` are upserted into `wave`: takes away what the rows they replace
    /// contributed and adds what they will. Within one call an id given twice counts once (the
    /// last one wins, as in the upsert).
    /// `distinct`: the caller knows no id is given twice in `groups`. Returns how many of the
    /// ids are held (none when the batch knows the ids are new).
    pub(crate) async fn tally_upsert(
        &mut self,
        work: &mut TallyWork,
        wave: &str,
        groups: &[Group],
        distinct: bool,
    ) -> Result<usize, StoreError> {
        let mut last: HashMap<&str, usize> = HashMap::new();
        if !distinct {
            last.reserve(groups.len());
            for (i, g) in groups.iter().enumerate() {
                last.insert(g.id.as_str(), i);
            }
        }
        let counted = |i: usize, g: &Group| distinct || last.get(g.id.as_str()) == Some(&i);
        // Ids known new (`Batch::save_new_groups`) replace no row: nothing to take away.
        let mut held = 0;
        if !self.ids_known_new {
            let ids: Vec<&str> = groups
                .iter()
                .enumerate()
                .filter(|(i, g)| counted(*i, g))
                .map(|(_, g)| g.id.as_str())
                .collect();
            held = self.tally_remove(work, wave, &ids).await?;
        }
        let rule_sets = self.wave_rule_sets(work, wave).await?;
        for (i, g) in groups.iter().enumerate() {
            if !counted(i, g) {
                continue;
            }
            for rules in &rule_sets {
                work.pending
                    .add(wave, &rules.version, g, rules.outcome(g), 1);
            }
        }
        Ok(held)
    }

    /// Writes the deltas gathered.
    pub(crate) async fn finish_tallies(&mut self, work: TallyWork) -> Result<(), StoreError> {
        if let BatchTx::Sqlite(_) = self.tx {
            // Kept in the batch (nothing reads tallies through it) and written when they grow
            // or at the latest before the commit (`flush_deferred_tallies`).
            self.deferred_tallies.merge(work.pending);
            if self.deferred_tallies.entries < DEFERRED_ENTRIES {
                return Ok(());
            }
            return self.flush_deferred_tallies().await;
        }
        self.flush(&work.pending).await
    }

    /// Writes the tally deltas a SQLite batch kept (see [`Batch::finish_tallies`]).
    pub(crate) async fn flush_deferred_tallies(&mut self) -> Result<(), StoreError> {
        let pending = std::mem::take(&mut self.deferred_tallies);
        self.flush(&pending).await
    }

    async fn flush(&mut self, pending: &Pending) -> Result<(), StoreError> {
        if pending.is_empty() {
            return Ok(());
        }
        match &mut self.tx {
            BatchTx::Sqlite(w) => flush_sqlite(w, pending).await?,
            BatchTx::Postgres(t) => {
                let conn = &mut **t;
                flush_on!(conn, pending);
            }
        }
        Ok(())
    }
}

/// `[lo, hi)` bounds that cover every village code, about `per` villages of the official tree
/// each.
fn village_ranges(per: usize) -> Vec<(String, String)> {
    let villages = RegionTree::official().at_level(Level::Village);
    let mut bounds: Vec<String> = vec![String::new()];
    bounds.extend(
        villages
            .iter()
            .step_by(per)
            .skip(1)
            .map(|r| r.code.as_str().to_string()),
    );
    bounds.push("~".to_string());
    bounds
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect()
}

impl Store {
    /// Writes the default rule set if the database does not hold it (at open).
    pub(crate) async fn ensure_default_rules(&self) -> Result<(), StoreError> {
        let rules = RuleSet::seed_2007();
        on_pool!(self.pool, p => {
            sqlx::query(
                "INSERT INTO rule_sets (version, name, toml, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(rules.version.clone())
            .bind(rules.name.clone())
            .bind(RuleSet::seed_2007_text())
            .bind(now_iso())
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Registers a rule set from its TOML text. A version already held with the same text is
    /// returned as held; with another text it is refused, naming the version (a rule set's
    /// version names one text for ever, since results are stored under it).
    pub async fn register_rules(&self, text: &str) -> Result<Arc<RuleSet>, StoreError> {
        let rules = RuleSet::parse(text).map_err(|e| StoreError::Rejected {
            code: wahana_domain::ErrorCode::InvalidRules,
            message_id: e.message(wahana_domain::Lang::Id),
            message_en: e.message(wahana_domain::Lang::En),
        })?;
        let normal = |s: &str| s.replace("\r\n", "\n").trim().to_string();
        if let Some(held) = self.rule_set_text(&rules.version).await? {
            if normal(&held) != normal(text) {
                return Err(StoreError::Rejected {
                    code: wahana_domain::ErrorCode::RulesVersionTaken,
                    message_id: format!(
                        "aturan penyaringan versi {} sudah tercatat dengan isi yang berbeda; hasil penyaringan disimpan menurut versi, jadi beri berkas ini `version` yang baru",
                        rules.version
                    ),
                    message_en: format!(
                        "rule set version {} is already held with a different text; results are stored by version, so give this file a new `version`",
                        rules.version
                    ),
                });
            }
            return self
                .rule_set(&rules.version)
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    kind: "aturan penyaringan",
                    id: rules.version.clone(),
                });
        }
        on_pool!(self.pool, p => {
            sqlx::query(
                "INSERT INTO rule_sets (version, name, toml, created_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (version) DO NOTHING",
            )
            .bind(rules.version.clone())
            .bind(rules.name.clone())
            .bind(text.to_string())
            .bind(now_iso())
            .execute(p)
            .await?;
        });
        Ok(self.rules.put(rules))
    }

    /// A rule set held in the database, by version.
    pub async fn rule_set(&self, version: &str) -> Result<Option<Arc<RuleSet>>, StoreError> {
        if let Some(r) = self.rules.get(version) {
            return Ok(Some(r));
        }
        let Some(text) = self.rule_set_text(version).await? else {
            return Ok(None);
        };
        let parsed =
            RuleSet::parse(&text).map_err(|e| StoreError::corrupt("rule set", e.to_string()))?;
        Ok(Some(self.rules.put(parsed)))
    }

    /// The TOML text a rule set was registered with.
    pub async fn rule_set_text(&self, version: &str) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_scalar("SELECT toml FROM rule_sets WHERE version = $1")
                .bind(version.to_string())
                .fetch_optional(p)
                .await?
        }))
    }

    /// Every rule set held, by version.
    pub async fn rule_sets(&self) -> Result<Vec<RuleSetInfo>, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(self.pool, p => {
            sqlx::query_as("SELECT version, name, created_at FROM rule_sets ORDER BY version")
                .fetch_all(p)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(version, name, created_at)| RuleSetInfo {
                version,
                name,
                created_at,
            })
            .collect())
    }

    /// The rule set versions whose tallies are kept current for a wave.
    pub async fn wave_rules(&self, wave: &str) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT rules_version FROM wave_rules WHERE wave_id = $1 ORDER BY rules_version",
            )
            .bind(wave.to_string())
            .fetch_all(p)
            .await?
        }))
    }

    /// Whether a wave's tallies are kept under a rule set.
    pub async fn is_screened(&self, wave: &str, rules: &str) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self.pool, p => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM wave_rules WHERE wave_id = $1 AND rules_version = $2",
            )
            .bind(wave.to_string())
            .bind(rules.to_string())
            .fetch_one(p)
            .await?
        });
        Ok(n > 0)
    }

    /// Screens a whole wave again under a registered rule set: rebuilds that pair's tallies from
    /// the group rows in one transaction, reading about a thousand villages' groups at a time,
    /// and registers the pair so that every later write keeps it current. `each` sees every
    /// group with its outcome. Returns the number of groups screened.
    pub async fn screen_wave(
        &self,
        wave: &str,
        version: &str,
        mut each: impl FnMut(&Group, Outcome),
    ) -> Result<u64, StoreError> {
        let rules = self
            .rule_set(version)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                kind: "aturan penyaringan",
                id: version.to_string(),
            })?;
        if self.wave(wave).await?.is_none() {
            return Err(StoreError::NotFound {
                kind: "pendataan",
                id: wave.to_string(),
            });
        }
        let mut batch = self.begin().await?;
        // PostgreSQL: no group may change while the rows are read in pieces. SQLite: the
        // batch holds the database's write lock from its start, which does the same.
        if let BatchTx::Postgres(t) = &mut batch.tx {
            sqlx::query("LOCK TABLE groups IN SHARE MODE")
                .execute(&mut **t)
                .await?;
        }
        let now = batch.now.clone();
        const CLEAR: [&str; 2] = [
            "DELETE FROM tally_village WHERE wave_id = $1 AND rules_version = $2",
            "DELETE FROM tally_region_type WHERE wave_id = $1 AND rules_version = $2",
        ];
        const REGISTER: &str = "INSERT INTO wave_rules (wave_id, rules_version, screened_at) \
            VALUES ($1, $2, $3) \
            ON CONFLICT (wave_id, rules_version) DO UPDATE SET screened_at = excluded.screened_at";
        const COUNT: &str = "SELECT COUNT(*) FROM groups WHERE wave_id = $1";
        let n: i64 = match &mut batch.tx {
            BatchTx::Sqlite(w) => {
                use sqlite_tx::text;
                for sql in CLEAR {
                    w.execute(sql, vec![text(wave), text(version)]).await?;
                }
                w.execute(REGISTER, vec![text(wave), text(version), text(now)])
                    .await?;
                w.first(COUNT, vec![text(wave)]).await?.unwrap_or(0)
            }
            BatchTx::Postgres(t) => {
                for sql in CLEAR {
                    sqlx::query(sql)
                        .bind(wave.to_string())
                        .bind(version.to_string())
                        .execute(&mut **t)
                        .await?;
                }
                sqlx::query(REGISTER)
                    .bind(wave.to_string())
                    .bind(version.to_string())
                    .bind(now)
                    .execute(&mut **t)
                    .await?;
                sqlx::query_scalar(COUNT)
                    .bind(wave.to_string())
                    .fetch_one(&mut **t)
                    .await?
            }
        };
        batch.wave_rules.remove(wave);
        let ranges = if n <= 50_000 {
            vec![(String::new(), "~".to_string())]
        } else {
            village_ranges(REBUILD_VILLAGES)
        };
        // Each range by the (village_code, wave_id) index.
        let sql = format!(
            "{GROUP_SELECT} WHERE wave_id = $1 AND village_code >= $2 AND village_code < $3"
        );
        let mut screened = 0u64;
        for (lo, hi) in ranges {
            let rows: Vec<GroupRow> = match &mut batch.tx {
                BatchTx::Sqlite(w) => {
                    use sqlite_tx::text;
                    let (sql, params) = (sql.clone(), vec![text(wave), text(lo), text(hi)]);
                    w.call(move |c| sqlite_tx::group_rows(c, &sql, &params))
                        .await?
                }
                BatchTx::Postgres(t) => {
                    sqlx::query_as(AssertSqlSafe(sql.clone()))
                        .bind(wave.to_string())
                        .bind(lo)
                        .bind(hi)
                        .fetch_all(&mut **t)
                        .await?
                }
            };
            let mut pending = Pending::default();
            for row in rows {
                let g = row.into_stored()?.group;
                let outcome = rules.outcome(&g);
                each(&g, outcome);
                pending.add(wave, version, &g, outcome, 1);
                screened += 1;
            }
            batch.flush(&pending).await?;
        }
        batch.commit().await?;
        Ok(screened)
    }

    /// Every tally row of a (wave, rule set) pair, for checks against a recomputation.
    pub async fn tally_snapshot(
        &self,
        wave: &str,
        rules: &str,
    ) -> Result<TallySnapshot, StoreError> {
        let cols: String = std::iter::once("recorded")
            .chain(Tally::COLUMNS.iter().copied())
            .collect::<Vec<_>>()
            .join(", ");
        let mut snap = TallySnapshot::default();
        on_pool!(self.pool, p => {
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT village_code, {cols} FROM tally_village WHERE wave_id = $1 AND rules_version = $2"
            )))
            .bind(wave.to_string())
            .bind(rules.to_string())
            .fetch_all(p)
            .await?;
            for r in &rows {
                let code: String = r.try_get(0)?;
                let mut v = Vec::with_capacity(WIDTH);
                for i in 0..WIDTH {
                    v.push(r.try_get::<i64, _>(i + 1)?);
                }
                snap.villages.insert(code, v);
            }
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT region_code, group_type, {cols} FROM tally_region_type WHERE wave_id = $1 AND rules_version = $2"
            )))
            .bind(wave.to_string())
            .bind(rules.to_string())
            .fetch_all(p)
            .await?;
            for r in &rows {
                let code: String = r.try_get(0)?;
                let t: String = r.try_get(1)?;
                let mut v = Vec::with_capacity(WIDTH);
                for i in 0..WIDTH {
                    v.push(r.try_get::<i64, _>(i + 2)?);
                }
                snap.region_types.insert((code, t), v);
            }
        });
        Ok(snap)
    }
}

impl TallySnapshot {
    /// What the tallies of `groups` (all of one wave) must be under `rules`, computed from
    /// scratch and without the store's incremental code: for checks.
    pub fn recompute<'g>(groups: impl IntoIterator<Item = &'g Group>, rules: &RuleSet) -> Self {
        let mut snap = TallySnapshot::default();
        for g in groups {
            let mut row = vec![1i64];
            let t = if rules.outcome(g) == Outcome::Qualifies {
                Tally::of(g)
            } else {
                Tally::default()
            };
            row.extend(t.to_array().iter().map(|x| *x as i64));
            let mut regions: Vec<String> = g
                .village
                .ancestors()
                .iter()
                .map(|c| c.as_str().to_string())
                .collect();
            regions.push(g.village.as_str().to_string());
            for r in regions {
                let e = snap
                    .region_types
                    .entry((r, g.group_type.code().to_string()))
                    .or_insert_with(|| vec![0; WIDTH]);
                e.iter_mut().zip(&row).for_each(|(a, b)| *a += b);
            }
            let e = snap
                .villages
                .entry(g.village.as_str().to_string())
                .or_insert_with(|| vec![0; WIDTH]);
            e.iter_mut().zip(&row).for_each(|(a, b)| *a += b);
        }
        snap
    }
}
