//! What imports and exports need from the database: lookups by the hundred inside an import's
//! transaction, and rows streamed out in a stable order without holding them in memory.

use crate::actors::bounds;
use crate::columns::{Cell, GROUP_CELLS, GROUP_EXPORT_SELECT, GROUP_FIELDS, GROUP_SELECT};
use crate::registry::{BatchTx, push_group_filter, range_end};
use crate::rows::GroupRow;
use crate::sqlite_tx::{self, text};
use crate::{Batch, GroupFilter, Pool, Store, StoreError, StoredGroup, TieRecord, on_pool};
use futures::TryStreamExt;
use sqlx::{AssertSqlSafe, QueryBuilder};
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use wahana_domain::codes::{Code, TieType};
use wahana_domain::{RegionCode, Tie, Wave};

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

    /// Creates or updates a wave inside the batch, so that an import's new wave lands with its
    /// rows or not at all.
    pub async fn save_wave(&mut self, wave: &Wave) -> Result<(), StoreError> {
        const SQL: &str = "INSERT INTO waves (id, name, region_code, start_date, end_date, source, \
            synthetic, enumerators, created_at, status, method, run_by) \
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, region_code = excluded.region_code, \
            start_date = excluded.start_date, end_date = excluded.end_date, source = excluded.source, \
            synthetic = excluded.synthetic, enumerators = excluded.enumerators, \
            status = excluded.status, method = excluded.method, run_by = excluded.run_by";
        let status = if wave.closed { "closed" } else { "open" };
        let now = self.now.clone();
        match &mut self.tx {
            BatchTx::Sqlite(w) => {
                use sqlite_tx::opt_text;
                let params = vec![
                    text(wave.id.as_str()),
                    text(wave.name.as_str()),
                    opt_text(wave.region.as_ref().map(|r| r.to_string())),
                    opt_text(wave.start_date.map(|d| d.to_string())),
                    opt_text(wave.end_date.map(|d| d.to_string())),
                    opt_text(wave.source.clone()),
                    rusqlite::types::Value::Integer(i64::from(wave.synthetic)),
                    opt_text(wave.enumerators.clone()),
                    text(now),
                    text(status),
                    opt_text(wave.method.map(|m| m.code().to_string())),
                    opt_text(wave.run_by.clone()),
                ];
                w.execute(SQL, params).await?;
            }
            BatchTx::Postgres(t) => {
                sqlx::query(SQL)
                    .bind(wave.id.clone())
                    .bind(wave.name.clone())
                    .bind(wave.region.as_ref().map(|r| r.to_string()))
                    .bind(wave.start_date.map(|d| d.to_string()))
                    .bind(wave.end_date.map(|d| d.to_string()))
                    .bind(wave.source.clone())
                    .bind(wave.synthetic)
                    .bind(wave.enumerators.clone())
                    .bind(now)
                    .bind(status)
                    .bind(wave.method.map(|m| m.code()))
                    .bind(wave.run_by.clone())
                    .execute(&mut **t)
                    .await?;
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

/// A held value as read, its text (if any) in the batch's bytes.
#[derive(Clone, Copy)]
enum Field {
    Null,
    /// Text ending at this offset of [`FieldRows::text`] (starting where the previous text
    /// field ended).
    Text(usize),
    Int(i64),
    Real(f64),
}

/// Rows of held values, a batch at a time. The reading thread only copies values out of
/// SQLite; turning them into text (numbers, code sets, UTF-8 checks) is left to the receiving
/// thread, so that the two threads of a 2-core machine share the work.
struct FieldRows {
    text: Vec<u8>,
    fields: Vec<Field>,
}

/// Rows per batch handed from the reading thread.
const FIELD_BATCH: usize = 2048;

impl FieldRows {
    fn new() -> Self {
        FieldRows {
            text: Vec::with_capacity(FIELD_BATCH * 512),
            fields: Vec::with_capacity(FIELD_BATCH * GROUP_FIELDS),
        }
    }

    fn push(&mut self, v: rusqlite::types::ValueRef<'_>) -> Result<(), StoreError> {
        use rusqlite::types::ValueRef;
        self.fields.push(match v {
            ValueRef::Null => Field::Null,
            ValueRef::Integer(n) => Field::Int(n),
            ValueRef::Real(x) => Field::Real(x),
            ValueRef::Text(t) => {
                self.text.extend_from_slice(t);
                Field::Text(self.text.len())
            }
            ValueRef::Blob(_) => return Err(StoreError::corrupt("group field", "BLOB")),
        });
        Ok(())
    }
}

/// Formats one row of held values as the instrument's text (what `Group::to_fields` gives for
/// the values the row holds; NULL is empty) into `scratch`, returning where each field ends.
fn format_row(
    text: &str,
    start: &mut usize,
    row: &[Field],
    scratch: &mut String,
    ends: &mut [usize; GROUP_FIELDS],
) -> Result<(), StoreError> {
    scratch.clear();
    for ((field, cell), end) in row.iter().zip(GROUP_CELLS).zip(ends.iter_mut()) {
        match (*field, cell) {
            (Field::Null, _) => {}
            (Field::Text(e), _) => {
                let t = text
                    .get(*start..e)
                    .ok_or_else(|| StoreError::corrupt("text", "not UTF-8"))?;
                *start = e;
                scratch.push_str(t);
            }
            (Field::Int(n), Cell::Codes(f)) => f(
                u32::try_from(n).map_err(|_| StoreError::corrupt("code set", n.to_string()))?,
                scratch,
            ),
            (Field::Int(n), Cell::Plain) => scratch.push_str(itoa::Buffer::new().format(n)),
            (Field::Real(x), _) => push_f64(scratch, x),
        }
        *end = scratch.len();
    }
    Ok(())
}

/// `x` as `Display` writes it (shortest round-trip digits, never an exponent), through ryu for
/// the usual coordinates (four times faster than `Display`).
fn push_f64(out: &mut String, x: f64) {
    let mut buf = ryu::Buffer::new();
    let s = buf.format(x);
    if !x.is_finite() || s.contains('e') {
        let _ = write!(out, "{x}");
    } else {
        out.push_str(s.strip_suffix(".0").unwrap_or(s));
    }
}

/// `WHERE …` for a group filter with `$n` placeholders and the values they take (the same
/// conditions as `push_group_filter`, for the rusqlite reader).
fn group_filter_sql(f: &GroupFilter) -> (String, Vec<String>) {
    let mut sql = String::from(" WHERE 1=1");
    let mut params = Vec::new();
    let mut cond = |sql: &mut String, text: &str, value: String| {
        params.push(value);
        let _ = write!(sql, " AND {text} ${}", params.len());
    };
    if let Some(r) = &f.region {
        cond(&mut sql, "village_code >=", r.as_str().to_string());
        cond(&mut sql, "village_code <", range_end(r));
    }
    if let Some(t) = f.group_type {
        cond(&mut sql, "group_type =", t.code().to_string());
    }
    if let Some(s) = f.status {
        cond(&mut sql, "status =", s.code().to_string());
    }
    if let Some(w) = &f.wave {
        cond(&mut sql, "wave_id =", w.clone());
    }
    if let Some(n) = &f.name {
        cond(
            &mut sql,
            "name_fold LIKE",
            crate::registry::contains_pattern(n),
        );
        sql.push_str(" ESCAPE '\\'");
    }
    (sql, params)
}

type FieldSender = tokio::sync::mpsc::Sender<Result<FieldRows, StoreError>>;

/// Reads a group export on its own read-only connection (one read transaction, so one
/// snapshot) and sends it in batches, until the receiver goes away.
fn read_group_fields(path: PathBuf, filter: GroupFilter, tx: FieldSender) {
    let run = || -> Result<(), StoreError> {
        use rusqlite::OpenFlags;
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let (filter_sql, params) = group_filter_sql(&filter);
        let mut st = conn.prepare(&format!("{GROUP_EXPORT_SELECT}{filter_sql} ORDER BY id"))?;
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let mut batch = FieldRows::new();
        while let Some(row) = rows.next()? {
            for i in 0..GROUP_FIELDS {
                batch.push(row.get_ref(i)?)?;
            }
            if batch.fields.len() >= FIELD_BATCH * GROUP_FIELDS {
                let full = std::mem::replace(&mut batch, FieldRows::new());
                if tx.blocking_send(Ok(full)).is_err() {
                    return Ok(());
                }
            }
        }
        if !batch.fields.is_empty() {
            let _ = tx.blocking_send(Ok(batch));
        }
        Ok(())
    };
    if let Err(e) = run() {
        let _ = tx.blocking_send(Err(e));
    }
}

impl Store {
    /// Streams the groups matching a filter in id order as the instrument's text fields
    /// ([`GROUP_FIELDS`] of them, what `Group::to_fields` gives), to `each` (which may stop the
    /// stream by returning an error). Memory does not grow with the number of rows.
    ///
    /// Bulk unloading is where the two databases differ: on SQLite the rows are read on a
    /// read-only rusqlite connection in a thread of its own and formatted straight from the
    /// column values (sqlx decodes every row into owned values and the domain type first, about
    /// ten times slower), while `each` runs on the caller's thread; on PostgreSQL they come
    /// through [`Store::for_each_group`].
    pub async fn for_each_group_fields<E>(
        &self,
        filter: &GroupFilter,
        mut each: impl FnMut(&[&str]) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
        let Pool::Sqlite(p) = &self.pool else {
            return self
                .for_each_group(filter, |g| {
                    let fields = g.group.to_fields();
                    let cells: Vec<&str> = fields.iter().map(String::as_str).collect();
                    each(&cells)
                })
                .await;
        };
        let path = p.connect_options().get_filename().to_path_buf();
        let (tx, mut rx) = tokio::sync::mpsc::channel(4);
        let reader = tokio::task::spawn_blocking({
            let filter = filter.clone();
            move || read_group_fields(path, filter, tx)
        });
        let mut n = 0u64;
        let mut scratch = String::with_capacity(1024);
        let mut ends = [0usize; GROUP_FIELDS];
        while let Some(batch) = rx.recv().await {
            let batch = batch?;
            // Checked once per batch; each field's bounds are checked again as it is sliced.
            let text = std::str::from_utf8(&batch.text)
                .map_err(|e| StoreError::corrupt("text", e.to_string()))?;
            let mut text_start = 0;
            for row in batch.fields.chunks_exact(GROUP_FIELDS) {
                format_row(text, &mut text_start, row, &mut scratch, &mut ends)?;
                let mut cells = [""; GROUP_FIELDS];
                let mut start = 0;
                for (cell, &end) in cells.iter_mut().zip(&ends) {
                    *cell = scratch.get(start..end).unwrap_or_default();
                    start = end;
                }
                if let Err(e) = each(&cells) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        }
        // The reader has finished (its sender is gone); a panic there is a failed export.
        reader
            .await
            .map_err(|e| StoreError::corrupt("export reader", e.to_string()))?;
        Ok(Ok(n))
    }

    /// Streams the groups matching a filter, in id order, to `each` (which may stop the stream
    /// by returning an error). Memory does not grow with the number of rows.
    pub async fn for_each_group<E>(
        &self,
        filter: &GroupFilter,
        mut each: impl FnMut(StoredGroup) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let mut qb = QueryBuilder::new(GROUP_SELECT.to_string());
            push_group_filter(&mut qb, filter);
            qb.push(" ORDER BY id");
            let mut rows = qb.build_query_as::<GroupRow>().fetch(p);
            while let Some(row) = rows.try_next().await? {
                if let Err(e) = each(row.into_stored()?) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
    }

    /// Streams the ties whose `from` end lies in a region (so that each tie of a partition of
    /// regions is exported once), in id order.
    pub async fn for_each_tie<E>(
        &self,
        region: Option<&RegionCode>,
        wave: Option<&str>,
        mut each: impl FnMut(TieRecord) -> Result<(), E>,
    ) -> Result<Result<u64, E>, StoreError> {
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
        let (lo, hi) = bounds(region);
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let q = sqlx::query_as::<_, Row>(
                "SELECT t.id, t.wave_id, t.from_id, t.from_kind, t.to_id, t.to_kind, t.tie_type, t.since, t.notes \
                 FROM ties t WHERE ($3 IS NULL OR t.wave_id = $3) AND ( \
                   EXISTS (SELECT 1 FROM groups g WHERE g.id = t.from_id AND g.village_code >= $1 AND g.village_code < $2) \
                   OR EXISTS (SELECT 1 FROM networks w WHERE w.id = t.from_id AND w.village_code >= $1 AND w.village_code < $2) \
                   OR EXISTS (SELECT 1 FROM institutions l WHERE l.id = t.from_id AND l.region_code >= $1 AND l.region_code < $2)) \
                 ORDER BY t.id",
            )
            .bind(lo.clone())
            .bind(hi.clone())
            .bind(wave.map(str::to_string));
            let mut rows = q.fetch(p);
            while let Some(r) = rows.try_next().await? {
                let rec = TieRecord {
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
                    from_kind: crate::ActorKind::parse(&r.from_kind)?,
                    to_kind: crate::ActorKind::parse(&r.to_kind)?,
                };
                if let Err(e) = each(rec) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
    }
}
