//! Rule sets (*aturan penyaringan*) held by version, and a whole wave screened again under one:
//! its tallies rebuilt from the group rows (kept current afterwards by every write,
//! `batch/tallies.rs`).

use crate::batch::BatchTx;
use crate::columns::GROUP_SELECT;
use crate::rows::GroupRow;
use crate::sqlite_tx;
use crate::tally::{Pending, TallySnapshot, WIDTH};
use crate::{Refusal, Store, StoreError, now_iso, on_pool};
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use std::sync::Arc;
use wahana_domain::profile::Tally;
use wahana_domain::screening::{Outcome, RuleSet};
use wahana_domain::{Group, Level, RegionTree};

/// Groups read per statement when a whole wave is screened again.
const REBUILD_VILLAGES: usize = 1000;

/// A rule set held in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSetInfo {
    pub version: String,
    pub name: String,
    pub created_at: String,
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
        let rules = RuleSet::parse(text).map_err(Refusal::InvalidRules)?;
        let normal = |s: &str| s.replace("\r\n", "\n").trim().to_string();
        if let Some(held) = self.rule_set_text(&rules.version).await? {
            if normal(&held) != normal(text) {
                return Err(Refusal::RulesVersionTaken {
                    version: rules.version.clone(),
                }
                .into());
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
                    w.call(move |c| crate::columns::group_rows(c, &sql, &params))
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
        batch.tallies_reshaped = true;
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
