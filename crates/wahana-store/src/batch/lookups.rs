//! What an import looks up inside its batch, by the hundred: ids held or observed, groups by
//! duplicate key; and the drop and rebuild of indexes around a first load.

use super::{Batch, BatchTx};
use crate::StoreError;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::{HashMap, HashSet};

/// Keys per `IN (...)` lookup.
const LOOKUP: usize = 500;

impl Batch {
    /// Whether no group is held (as this batch sees it).
    pub async fn groups_empty(&mut self) -> Result<bool, StoreError> {
        // BIGINT: PostgreSQL would type a bare 1 as INT4.
        const SQL: &str = "SELECT CAST(1 AS BIGINT) FROM groups LIMIT 1";
        let any: Option<i64> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.first(SQL, Vec::new()).await?,
            BatchTx::Postgres(t) => sqlx::query_scalar(SQL).fetch_optional(&mut **t).await?,
        };
        Ok(any.is_none())
    }

    /// Whether this batch loads groups into an empty table that stays its own until the batch
    /// ends (a first load: an import then answers from memory what only its own rows could
    /// answer, and writes its groups as known new). SQLite: the batch holds the database's one
    /// write lock already. PostgreSQL: once the table is seen empty, it is locked against
    /// other writers until the batch ends (`SHARE ROW EXCLUSIVE`: reads go on) and looked at
    /// again under the lock.
    pub async fn claim_first_load(&mut self) -> Result<bool, StoreError> {
        if !self.groups_empty().await? {
            return Ok(false);
        }
        if let BatchTx::Postgres(t) = &mut self.tx {
            sqlx::query("LOCK TABLE groups IN SHARE ROW EXCLUSIVE MODE")
                .execute(&mut **t)
                .await?;
            return self.groups_empty().await;
        }
        Ok(true)
    }

    /// SQLite: drops the indexes of `groups` other than its primary key inside the batch and
    /// returns the statements that create them again (for [`Batch::create_indexes`] before
    /// commit; a rollback brings them back by itself). Loading a table then building its
    /// indexes sorts once instead of inserting each row into each index in random order.
    /// PostgreSQL: drops nothing (a dropped index would lock the table for the whole load).
    pub async fn drop_secondary_group_indexes(&mut self) -> Result<Vec<String>, StoreError> {
        let BatchTx::Sqlite(w) = &mut self.tx else {
            return Ok(Vec::new());
        };
        w.call(|c| {
            let indexes: Vec<(String, String)> = c
                .prepare(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
                     AND tbl_name = 'groups' AND sql IS NOT NULL ORDER BY name",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (name, _) in &indexes {
                c.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
            }
            Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
        })
        .await
    }

    /// Runs index definitions returned by [`Batch::drop_secondary_group_indexes`].
    pub async fn create_indexes(&mut self, sqls: &[String]) -> Result<(), StoreError> {
        match &mut self.tx {
            BatchTx::Sqlite(w) => {
                let sqls = sqls.to_vec();
                w.call(move |c| {
                    for sql in &sqls {
                        c.execute_batch(sql)?;
                    }
                    Ok(())
                })
                .await?;
            }
            BatchTx::Postgres(t) => {
                for sql in sqls {
                    sqlx::query(AssertSqlSafe(sql.clone()))
                        .execute(&mut **t)
                        .await?;
                }
            }
        }
        Ok(())
    }

    /// Which of `ids` are held as entities of `table`'s kind (observed in any wave), as this
    /// batch sees it.
    pub async fn existing_ids(
        &mut self,
        table: crate::IdTable,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let sql = format!(
            "SELECT 1 FROM actors WHERE id = $1 AND kind = '{}'",
            table.kind().code()
        );
        self.ids_matching(sql, None, ids).await
    }

    /// Which of `ids` any entity holds, whatever its kind.
    pub async fn any_ids(&mut self, ids: &[String]) -> Result<HashSet<String>, StoreError> {
        self.ids_matching("SELECT 1 FROM actors WHERE id = $1".into(), None, ids)
            .await
    }

    /// Which of `ids` are observed in `wave` in `table` (as this batch sees it).
    pub async fn observed_ids(
        &mut self,
        table: crate::IdTable,
        wave: &str,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let sql = format!(
            "SELECT 1 FROM {} WHERE id = $1 AND wave_id = $2",
            table.name()
        );
        self.ids_matching(sql, Some(wave), ids).await
    }

    /// Which of `ids` make `sql` (`$1` the id, `$2` the optional extra value) find a row.
    async fn ids_matching(
        &mut self,
        sql: String,
        extra: Option<&str>,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let mut out = HashSet::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let extra = extra.map(str::to_string);
        if let BatchTx::Sqlite(w) = &mut self.tx {
            // One prepared primary-key lookup per id, all in one job.
            let ids = ids.to_vec();
            return w
                .call(move |c| {
                    let mut st = c.prepare_cached(&sql)?;
                    let mut held = HashSet::new();
                    for id in ids {
                        let found = match &extra {
                            Some(x) => st.exists([&id, x])?,
                            None => st.exists([&id])?,
                        };
                        if found {
                            held.insert(id);
                        }
                    }
                    Ok(held)
                })
                .await;
        }
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(out);
        };
        // One statement per chunk of ids: `id = ANY($1)` with the chunk as an array.
        let any_sql =
            sql.replacen("id = $1", "id = ANY($1)", 1)
                .replacen("SELECT 1", "SELECT id", 1);
        for chunk in ids.chunks(LOOKUP) {
            let q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(any_sql.clone()))
                .bind(chunk.to_vec());
            let q = match &extra {
                Some(x) => q.bind(x.clone()),
                None => q,
            };
            let found: Vec<String> = q.fetch_all(&mut **t).await?;
            out.extend(found);
        }
        Ok(out)
    }

    /// Every id held in `table` (as this batch sees it): for checking a large file's ids
    /// against a small table in memory.
    pub async fn all_ids(&mut self, table: crate::IdTable) -> Result<HashSet<String>, StoreError> {
        let sql = format!(
            "SELECT id FROM actors WHERE kind = '{}'",
            table.kind().code()
        );
        let ids: Vec<String> = match &mut self.tx {
            BatchTx::Sqlite(w) => w.column(&sql, Vec::new()).await?,
            BatchTx::Postgres(t) => {
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                    .fetch_all(&mut **t)
                    .await?
            }
        };
        Ok(ids.into_iter().collect())
    }

    /// For each duplicate key, the ids of groups `wave` observes with it (as this batch sees it):
    /// the likely-duplicate check applies within a wave.
    pub async fn ids_by_duplicate_key(
        &mut self,
        wave: &str,
        keys: &[String],
    ) -> Result<HashMap<String, Vec<String>>, StoreError> {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        if keys.is_empty() {
            return Ok(out);
        }
        if let BatchTx::Sqlite(w) = &mut self.tx {
            // One prepared index lookup per key, all in one job.
            let keys = keys.to_vec();
            let wave = wave.to_string();
            return w
                .call(move |c| {
                    let mut st = c.prepare_cached(
                        "SELECT id FROM groups WHERE dup_key = $1 AND wave_id = $2 ORDER BY id",
                    )?;
                    let mut out: HashMap<String, Vec<String>> = HashMap::new();
                    for k in keys {
                        if out.contains_key(&k) {
                            continue;
                        }
                        let ids: Vec<String> = st
                            .query_map([&k, &wave], |r| r.get(0))?
                            .collect::<Result<_, _>>()?;
                        if !ids.is_empty() {
                            out.insert(k, ids);
                        }
                    }
                    Ok(out)
                })
                .await;
        }
        let BatchTx::Postgres(t) = &mut self.tx else {
            return Ok(out);
        };
        for chunk in keys.chunks(LOOKUP) {
            let found: Vec<(String, String)> = {
                let mut qb = QueryBuilder::new("SELECT dup_key, id FROM groups WHERE wave_id = ");
                qb.push_bind(wave.to_string()).push(" AND dup_key IN (");
                let mut sep = qb.separated(", ");
                for k in chunk {
                    sep.push_bind(k.clone());
                }
                qb.push(") ORDER BY id");
                qb.build_query_as().fetch_all(&mut **t).await?
            };
            for (k, id) in found {
                out.entry(k).or_default().push(id);
            }
        }
        Ok(out)
    }
}
