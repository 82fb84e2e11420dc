//! What exports need from the database: rows streamed out in a stable order without holding
//! them in memory. (What an import looks up inside its transaction: `batch/lookups.rs`.)

use crate::actors::TieRow;
use crate::columns::{Cell, GROUP_CELLS, GROUP_EXPORT_SELECT, GROUP_FIELDS, GROUP_SELECT};
use crate::groups::{contains_pattern, push_group_filter};
use crate::regions::{bounds, range_end};
use crate::rows::GroupRow;
use crate::{GroupFilter, Pool, Store, StoreError, StoredGroup, TieRecord, on_pool};
use futures::TryStreamExt;
use sqlx::QueryBuilder;
use std::fmt::Write as _;
use std::path::PathBuf;
use wahana_domain::RegionCode;
use wahana_domain::codes::Code;

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
        cond(&mut sql, "name_fold LIKE", contains_pattern(n));
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
        let (lo, hi) = bounds(region);
        let mut n = 0u64;
        on_pool!(self.pool, p => {
            let q = sqlx::query_as::<_, TieRow>(
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
                let rec = r.into_record()?;
                if let Err(e) = each(rec) {
                    return Ok(Err(e));
                }
                n += 1;
            }
        });
        Ok(Ok(n))
    }
}
