//! Bulk reads on SQLite: millions of rows (the national network's nodes and ties) read on a
//! read-only rusqlite connection of their own, in a blocking thread, and handed to the caller in
//! batches. sqlx decodes each row into owned values through its worker thread, about ten times
//! slower (48 s against under 3 s for the national graph's 4.4 million rows here); PostgreSQL
//! keeps sqlx's row stream, which is not the bottleneck there.
//!
//! [`read_rows`] hands over one owned value a row; [`read_packed`] fills batches the caller
//! defines (all of a batch's text in one buffer, say) and hands each over by reference, then
//! reuses it, so that millions of rows cost no allocation each.
//!
//! The SQL is the same text the sqlx path runs: SQLite numbers `$n` parameters in order of first
//! appearance, so statements whose `$1`, `$2`, … first appear in order bind positionally.

use crate::{Pool, StoreError};
use std::path::{Path, PathBuf};

/// Rows per batch sent from the reading thread.
pub(crate) const BATCH: usize = 4096;

/// The file of a SQLite store, for a connection of its own; `None` on PostgreSQL and for a
/// database rusqlite cannot open beside the pool (in memory).
pub(crate) fn sqlite_file(pool: &Pool) -> Option<PathBuf> {
    let Pool::Sqlite(p) = pool else {
        return None;
    };
    let opts = p.connect_options();
    let f = opts.get_filename();
    let s = f.to_string_lossy();
    if s.is_empty() || s == ":memory:" || s.starts_with("file::memory:") {
        return None;
    }
    Some(f.to_path_buf())
}

fn open_read_only(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(conn)
}

/// Runs `sql` with `params` on a read-only connection to the SQLite file at `path` (one read
/// transaction, so one snapshot), turns each row into a `T` with `map` on the reading thread,
/// and gives the values to `each` on the caller's. Returns how many rows were read.
pub(crate) async fn read_rows<T, M>(
    path: PathBuf,
    sql: &'static str,
    params: Vec<Option<String>>,
    map: M,
    mut each: impl FnMut(T) -> Result<(), StoreError>,
) -> Result<u64, StoreError>
where
    T: Send + 'static,
    M: Fn(&rusqlite::Row<'_>) -> Result<T, StoreError> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<T>, StoreError>>(4);
    let reader = tokio::task::spawn_blocking(move || {
        let run = || -> Result<(), StoreError> {
            let conn = open_read_only(&path)?;
            let mut st = conn.prepare(sql)?;
            let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
            let mut batch = Vec::with_capacity(BATCH);
            while let Some(row) = rows.next()? {
                batch.push(map(row)?);
                if batch.len() == BATCH {
                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                    if tx.blocking_send(Ok(full)).is_err() {
                        // The caller stopped reading.
                        return Ok(());
                    }
                }
            }
            if !batch.is_empty() {
                let _ = tx.blocking_send(Ok(batch));
            }
            Ok(())
        };
        if let Err(e) = run() {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let mut n = 0u64;
    while let Some(batch) = rx.recv().await {
        for item in batch? {
            each(item)?;
            n += 1;
        }
    }
    // The reader has finished (its sender is gone); a panic there is a failed read.
    reader
        .await
        .map_err(|e| StoreError::corrupt("bulk reader", e.to_string()))?;
    Ok(n)
}

/// A batch of rows packed as its reader likes (text in one buffer, codes as small integers),
/// emptied and filled again rather than allocated anew.
pub(crate) trait Packed: Default + Send + 'static {
    /// Rows held.
    fn rows(&self) -> usize;
    /// Forgets the rows, keeping the buffers.
    fn clear(&mut self);
}

/// As [`read_rows`], with each row added to a batch by `add` on the reading thread and each
/// full batch given to `each` by reference on the caller's; emptied batches go back to the
/// reader to be filled again. Returns how many rows were read.
pub(crate) async fn read_packed<B, A>(
    path: PathBuf,
    sql: &'static str,
    params: Vec<Option<String>>,
    add: A,
    mut each: impl FnMut(&B) -> Result<(), StoreError>,
) -> Result<u64, StoreError>
where
    B: Packed,
    A: Fn(&rusqlite::Row<'_>, &mut B) -> Result<(), StoreError> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<B, StoreError>>(4);
    let (back, empties) = std::sync::mpsc::channel::<B>();
    let reader = tokio::task::spawn_blocking(move || {
        let run = || -> Result<(), StoreError> {
            let conn = open_read_only(&path)?;
            let mut st = conn.prepare(sql)?;
            let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
            let mut batch = B::default();
            while let Some(row) = rows.next()? {
                add(row, &mut batch)?;
                if batch.rows() == BATCH {
                    let full =
                        std::mem::replace(&mut batch, empties.try_recv().unwrap_or_default());
                    if tx.blocking_send(Ok(full)).is_err() {
                        // The caller stopped reading.
                        return Ok(());
                    }
                }
            }
            if batch.rows() > 0 {
                let _ = tx.blocking_send(Ok(batch));
            }
            Ok(())
        };
        if let Err(e) = run() {
            let _ = tx.blocking_send(Err(e));
        }
    });
    let mut n = 0u64;
    while let Some(batch) = rx.recv().await {
        let mut batch = batch?;
        each(&batch)?;
        n += batch.rows() as u64;
        batch.clear();
        // The reader may have finished: the batch is then dropped.
        let _ = back.send(batch);
    }
    reader
        .await
        .map_err(|e| StoreError::corrupt("bulk reader", e.to_string()))?;
    Ok(n)
}

/// Column `i` of a row as borrowed text; NULL as the empty string.
pub(crate) fn text_ref<'r>(row: &'r rusqlite::Row<'_>, i: usize) -> Result<&'r str, StoreError> {
    use rusqlite::types::ValueRef;
    match row.get_ref(i)? {
        ValueRef::Text(b) => {
            std::str::from_utf8(b).map_err(|e| StoreError::corrupt("text column", e.to_string()))
        }
        ValueRef::Null => Ok(""),
        other => Err(StoreError::corrupt(
            "text column",
            format!("{:?}", other.data_type()),
        )),
    }
}
