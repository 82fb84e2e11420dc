//! Screening results kept current as additive tallies, and the rule sets they come from.
//!
//! A profile is a ratio of counts ([`Tally`]), and counts add up. So instead of scanning groups
//! when a profile is asked for, the store keeps, for every (wave, rule set) pair registered in
//! `wave_rules`, one row of counts per village (`tally_village`) and one per (region, group type)
//! for the province, regency, district and village of every group (`tally_region_type`). Every
//! write of a group — [`crate::Batch::save_groups`] (imports, `insert_group`), `update_group`,
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
//! locks in the same order: COPY into a staging table and one `INSERT ... SELECT` on
//! PostgreSQL, one prepared single-row statement on SQLite's writer thread (`sqlite_tx.rs`).

use crate::StoreError;
use crate::copy::{CopyText, copy_in};
use crate::sqlite_tx::{self, Rows, one_row_sql};
use sqlx::AssertSqlSafe;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use wahana_domain::Group;
use wahana_domain::codes::{Code, GroupType};
use wahana_domain::profile::Tally;
use wahana_domain::screening::{Outcome, RuleSet};

/// The rule set every new wave is screened with.
pub const DEFAULT_RULES: &str = "seed-2007";

/// `recorded` followed by the tally's columns.
pub(crate) const WIDTH: usize = 1 + Tally::WIDTH;
pub(crate) type Counts = [i64; WIDTH];

/// Rows per multi-row upsert: 47 parameters a row stays under SQLite's 32,766.
pub(crate) const CHUNK: usize = 500;
/// Statements that drop a wave's tallies and registrations (run before the wave is deleted).
pub(crate) const DELETE_WAVE_SQL: [&str; 3] = [
    "DELETE FROM tally_village WHERE wave_id = $1",
    "DELETE FROM tally_region_type WHERE wave_id = $1",
    "DELETE FROM wave_rules WHERE wave_id = $1",
];

/// Parsed rule sets by version, shared by every clone of a [`crate::Store`].
#[derive(Clone, Debug, Default)]
pub(crate) struct RulesCache(Arc<RwLock<HashMap<String, Arc<RuleSet>>>>);

impl RulesCache {
    pub(crate) fn get(&self, version: &str) -> Option<Arc<RuleSet>> {
        self.0.read().ok()?.get(version).cloned()
    }

    pub(crate) fn put(&self, rules: RuleSet) -> Arc<RuleSet> {
        let rules = Arc::new(rules);
        if let Ok(mut m) = self.0.write() {
            m.insert(rules.version.clone(), rules.clone());
        }
        rules
    }
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
    pub(crate) entries: usize,
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
    pub(crate) fn add(&mut self, wave: &str, rules: &str, g: &Group, outcome: Outcome, sign: i64) {
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

    pub(crate) fn is_empty(&self) -> bool {
        self.pairs.iter().all(|(_, m)| m.is_empty())
    }

    /// Adds `other`'s deltas to these.
    pub(crate) fn merge(&mut self, other: Pending) {
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

/// (village, type) deltas a batch keeps before writing them (about 7 MB). A file in
/// village order writes each village's rows once whatever this is; a file in another order (a
/// survey's submissions) would otherwise write the same villages' rows again every few thousand
/// groups.
pub(crate) const DEFERRED_ENTRIES: usize = 20_000;

/// `INSERT INTO table (keys, recorded, tally columns) `, and the upsert that adds.
fn upsert_sql(table: &str, keys: &[&str]) -> (String, String) {
    let cols: Vec<&str> = std::iter::once("recorded")
        .chain(Tally::COLUMNS.iter().copied())
        .collect();
    let head = format!(
        "INSERT INTO {table} ({}, {}) ",
        keys.join(", "),
        counts_columns()
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
pub(crate) async fn flush_sqlite(
    w: &sqlite_tx::SqliteTx,
    pending: &Pending,
) -> Result<(), StoreError> {
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

/// PostgreSQL: writes pending deltas in the batch's transaction, then drops rows whose
/// `recorded` reached zero. The rows go by COPY into a staging table per tally (made once per
/// transaction), and one `INSERT ... SELECT ... ORDER BY` the key adds them: the same order of
/// row locks as before, without parsing and planning a multi-row VALUES of 25,000 parameters
/// per 500 rows (about a fifth of a 500,000-group import's time on the server).
/// `staged` names the staging tables this transaction has made.
pub(crate) async fn flush_postgres(
    conn: &mut sqlx::PgConnection,
    pending: &Pending,
    staged: &mut HashSet<&'static str>,
) -> Result<(), StoreError> {
    let (rt_head, rt_tail) = upsert_sql("tally_region_type", &REGION_TYPE_KEYS);
    let (v_head, v_tail) = upsert_sql("tally_village", &VILLAGE_KEYS);
    let cols = counts_columns();
    let mut rt = CopyText::default();
    let mut v = CopyText::default();
    let mut rt_gone = Vec::new();
    let mut v_gone = Vec::new();
    for ((wave, rules), villages) in &pending.pairs {
        let map = rolled_up(villages);
        let rows = pair_rows(wave, rules, &map);
        for (region, t, c) in &rows.region_types {
            rt.text(rows.wave).text(rows.rules).text(region).text(t);
            for x in c.iter() {
                rt.int(*x);
            }
            rt.end_row();
            // Rows left with no group are removed.
            if c[0] < 0 {
                rt_gone.push([rows.wave, rows.rules, region, t].map(str::to_string));
            }
        }
        for (village, c) in &rows.villages {
            v.text(rows.wave).text(rows.rules).text(village);
            for x in c.iter() {
                v.int(*x);
            }
            v.end_row();
            if c[0] < 0 {
                v_gone.push([rows.wave, rows.rules, village].map(str::to_string));
            }
        }
    }
    for (table, load, keys, rows, head, tail) in [
        (
            "tally_region_type",
            "tally_region_type_load",
            &REGION_TYPE_KEYS[..],
            &rt,
            &rt_head,
            &rt_tail,
        ),
        (
            "tally_village",
            "tally_village_load",
            &VILLAGE_KEYS[..],
            &v,
            &v_head,
            &v_tail,
        ),
    ] {
        if rows.as_str().is_empty() {
            continue;
        }
        let keys = keys.join(", ");
        if staged.insert(load) {
            sqlx::query(AssertSqlSafe(format!(
                "CREATE TEMP TABLE {load} (LIKE {table}) ON COMMIT DROP"
            )))
            .execute(&mut *conn)
            .await?;
        }
        copy_in(
            conn,
            &format!("COPY {load} ({keys}, {cols}) FROM STDIN"),
            rows,
        )
        .await?;
        sqlx::query(AssertSqlSafe(format!(
            "{head}SELECT {keys}, {cols} FROM {load} ORDER BY {keys}{tail}"
        )))
        .execute(&mut *conn)
        .await?;
        sqlx::query(AssertSqlSafe(format!("TRUNCATE {load}")))
            .execute(&mut *conn)
            .await?;
    }
    for [wave, rules, region, t] in rt_gone {
        sqlx::query(DELETE_EMPTY_REGION_TYPE)
            .bind(wave)
            .bind(rules)
            .bind(region)
            .bind(t)
            .execute(&mut *conn)
            .await?;
    }
    for [wave, rules, village] in v_gone {
        sqlx::query(DELETE_EMPTY_VILLAGE)
            .bind(wave)
            .bind(rules)
            .bind(village)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// `recorded` and the tally's columns, as a column list.
fn counts_columns() -> String {
    let cols: Vec<&str> = std::iter::once("recorded")
        .chain(Tally::COLUMNS.iter().copied())
        .collect();
    cols.join(", ")
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
