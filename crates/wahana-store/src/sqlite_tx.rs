//! SQLite's side of a [`crate::Batch`]: one rusqlite connection on a thread of its own, holding
//! the batch's `BEGIN IMMEDIATE` transaction, fed jobs over a bounded channel.
//!
//! Why not a sqlx transaction: sqlx hands every statement and every bound value to its own
//! worker thread, one allocation per value, and reads results back the same way; for an import
//! of 4 million groups that was half of all the CPU. Here a batch's rows cross to the writer
//! thread as one buffer per few hundred rows ([`Rows`]: all their text in one `String`), and the
//! thread binds them by reference into statements prepared once (`prepare_cached`). The SQL
//! texts are the ones the PostgreSQL arms run: SQLite numbers `$n` parameters in order of first
//! appearance, so a statement whose `$1`, `$2`, … first appear in order binds positionally
//! ([`Rows`]); the other statements bind by name ([`bind_numbered`]).
//!
//! Writes that return nothing are queued without waiting ([`SqliteTx::queue`]), so the caller
//! prepares the next rows (tallies, encoding) while the thread writes these; the first error of
//! a queued job is kept, every later job is skipped, and the next job that is waited for (a read,
//! the commit) returns that error. Reads wait ([`SqliteTx::call`]) and see every write queued
//! before them (one thread, jobs in order). All or nothing: the transaction commits only on
//! [`SqliteTx::commit`]; a batch dropped without it, a failed job before the commit, or a killed
//! process leave the database as it was.

use crate::StoreError;
use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Jobs that may wait for the writer thread (each a few hundred rows at most).
const QUEUE: usize = 16;
/// Statements kept prepared per connection (the import uses about a dozen).
const STATEMENTS: usize = 64;
/// Idle connections kept for the next batch (their prepared statements with them).
const IDLE: usize = 2;

/// Opens a writing connection with the pool's settings (`Store::open_with`): WAL, or for a
/// bulk writer the rollback journal.
fn open(path: &Path, bulk: bool) -> Result<rusqlite::Connection, StoreError> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(if bulk {
        // The journal mode the claim set (`claim_rollback_journal`), or WAL if another
        // process switched the file back since.
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;"
    } else {
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -16384; PRAGMA temp_store = MEMORY;"
    })?;
    conn.set_prepared_statement_cache_capacity(STATEMENTS);
    Ok(conn)
}

/// Switches the file at `path` (created if missing) to the rollback journal if no other
/// connection has it open, and says whether it did. Leaving WAL needs the only connection:
/// with any other open (another process, or this one's pool), SQLite refuses at once (no busy
/// wait here) and the file stays as it was.
pub(crate) fn claim_rollback_journal(path: &str) -> bool {
    if path.is_empty() || path == ":memory:" || path.starts_with("file::memory:") {
        return false;
    }
    let mode = rusqlite::Connection::open(path).and_then(|c| {
        c.busy_timeout(std::time::Duration::ZERO)?;
        c.query_row("PRAGMA journal_mode = DELETE", [], |r| {
            r.get::<_, String>(0)
        })
    });
    matches!(mode, Ok(m) if m.eq_ignore_ascii_case("delete"))
}

/// Puts the file back in WAL mode after a bulk writer closed, if nobody else has it open.
pub(crate) fn restore_wal(path: &Path) {
    let _ =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
            .and_then(|c| {
                c.busy_timeout(std::time::Duration::ZERO)?;
                c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            });
}

/// Writing connections between batches, shared by every clone of a store: a new batch skips
/// opening the file and preparing its statements again.
#[derive(Clone, Debug, Default)]
pub(crate) struct Idle {
    conns: Arc<Mutex<Vec<rusqlite::Connection>>>,
    /// The store writes with a rollback journal ([`crate::Sharing::Bulk`]).
    bulk: bool,
}

impl Idle {
    pub(crate) fn new(bulk: bool) -> Idle {
        Idle {
            conns: Default::default(),
            bulk,
        }
    }

    pub(crate) fn bulk(&self) -> bool {
        self.bulk
    }

    fn take(&self) -> Option<rusqlite::Connection> {
        self.conns.lock().ok()?.pop()
    }

    fn put(&self, conn: rusqlite::Connection) {
        if let Ok(mut idle) = self.conns.lock()
            && idle.len() < IDLE
        {
            idle.push(conn);
        }
    }

    /// Closes the idle connections (the store is closing).
    pub(crate) fn clear(&self) {
        if let Ok(mut idle) = self.conns.lock() {
            idle.clear();
        }
    }
}

/// What the writer thread holds.
struct Writer {
    conn: rusqlite::Connection,
    /// The first error of a queued job: later jobs are skipped and the batch can only roll back.
    failed: Option<StoreError>,
    /// Committed or rolled back: the thread stops.
    done: bool,
}

impl Writer {
    /// Runs `f` inside the batch's transaction. SQLite ends a transaction by itself after some
    /// failures (a full disk, an I/O error): then the batch has lost its writes, so it fails
    /// whole instead of going on in autocommit mode, where every later statement would land
    /// on its own.
    fn run<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if self.conn.is_autocommit() {
            return Err(self.failed.take().unwrap_or_else(|| rolled_back("")));
        }
        let result = f(&self.conn);
        if let Err(e) = &result
            && self.conn.is_autocommit()
        {
            self.failed = Some(rolled_back(&e.to_string()));
        }
        result
    }
}

fn rolled_back(cause: &str) -> StoreError {
    StoreError::Writer(format!(
        "SQLite rolled the batch's transaction back ({cause}): none of its writes were kept"
    ))
}

type Job = Box<dyn FnOnce(&mut Writer) + Send>;

/// A batch's transaction on SQLite: the handle of its writer thread.
pub(crate) struct SqliteTx {
    jobs: tokio::sync::mpsc::Sender<Job>,
    /// Set when the batch is dropped: jobs still queued are skipped, the transaction rolls back.
    abort: Arc<AtomicBool>,
}

fn writer_gone() -> StoreError {
    StoreError::Writer("the SQLite writer thread stopped".into())
}

fn earlier_failure() -> StoreError {
    StoreError::Writer("an earlier write of this batch failed".into())
}

impl SqliteTx {
    /// Starts the writer thread on `path` and begins the transaction (`BEGIN IMMEDIATE`: the
    /// batch holds SQLite's one write lock from here, waiting up to the busy timeout for it).
    pub(crate) async fn begin(path: PathBuf, idle: Idle) -> Result<SqliteTx, StoreError> {
        let (jobs, mut rx) = tokio::sync::mpsc::channel::<Job>(QUEUE);
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        let abort = Arc::new(AtomicBool::new(false));
        let stop = abort.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                let conn = match idle.take() {
                    Some(c) => Ok(c),
                    None => open(&path, idle.bulk),
                };
                let conn = conn.and_then(|c| {
                    c.execute_batch("BEGIN IMMEDIATE")?;
                    Ok(c)
                });
                let conn = match conn {
                    Ok(c) => {
                        let _ = ready_tx.send(Ok(()));
                        c
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let mut w = Writer {
                    conn,
                    failed: None,
                    done: false,
                };
                while let Some(job) = rx.blocking_recv() {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    job(&mut w);
                    if w.done {
                        break;
                    }
                }
                // Not committed: nothing of the batch stays.
                if !w.conn.is_autocommit() && w.conn.execute_batch("ROLLBACK").is_err() {
                    return; // the connection is dropped, which rolls back too
                }
                if w.conn.is_autocommit() {
                    idle.put(w.conn);
                }
            })
            .map_err(|e| StoreError::Writer(format!("cannot start the SQLite writer: {e}")))?;
        ready_rx.await.map_err(|_| writer_gone())??;
        Ok(SqliteTx { jobs, abort })
    }

    async fn send(&self, job: Job) -> Result<(), StoreError> {
        self.jobs.send(job).await.map_err(|_| writer_gone())
    }

    /// Runs `f` on the writer thread after every job queued before it and waits for its
    /// result. A failure of `f` is returned and the transaction stays usable, unless SQLite
    /// rolled it back ([`Writer::run`]: then every later job and the commit fail); a failure
    /// of a queued job before it is returned instead of running `f`.
    pub(crate) async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send(Box::new(move |w: &mut Writer| {
            let result = match w.failed.take() {
                Some(e) => {
                    w.failed = Some(earlier_failure());
                    Err(e)
                }
                None => w.run(f),
            };
            let _ = tx.send(result);
        }))
        .await?;
        rx.await.map_err(|_| writer_gone())?
    }

    /// Queues `f` without waiting for it (see the module's documentation for its errors).
    pub(crate) async fn queue<F>(&self, f: F) -> Result<(), StoreError>
    where
        F: FnOnce(&rusqlite::Connection) -> Result<(), StoreError> + Send + 'static,
    {
        self.send(Box::new(move |w: &mut Writer| {
            if w.failed.is_none()
                && let Err(e) = w.run(f)
            {
                w.failed = Some(e);
            }
        }))
        .await
    }

    async fn finish(self, commit: bool) -> Result<(), StoreError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.send(Box::new(move |w: &mut Writer| {
            w.done = true;
            let result = match w.failed.take() {
                Some(e) => Err(e),
                None if commit && w.conn.is_autocommit() => Err(rolled_back("")),
                // Nothing left to roll back.
                None if w.conn.is_autocommit() => Ok(()),
                None if commit => w.conn.execute_batch("COMMIT").map_err(StoreError::from),
                None => w.conn.execute_batch("ROLLBACK").map_err(StoreError::from),
            };
            let _ = tx.send(result);
        }))
        .await?;
        rx.await.map_err(|_| writer_gone())?
    }

    /// Commits every write of the batch, or returns the first failure (and rolls back).
    pub(crate) async fn commit(self) -> Result<(), StoreError> {
        self.finish(true).await
    }

    pub(crate) async fn rollback(self) -> Result<(), StoreError> {
        self.finish(false).await
    }

    /// Runs one statement with `$n` parameters; returns the rows changed.
    pub(crate) async fn execute(
        &self,
        sql: impl Into<String>,
        params: Vec<Value>,
    ) -> Result<usize, StoreError> {
        let sql = sql.into();
        self.call(move |c| {
            let mut st = c.prepare_cached(&sql)?;
            bind_numbered(&mut st, &params)?;
            Ok(st.raw_execute()?)
        })
        .await
    }

    /// The first column of every row of a query with `$n` parameters.
    pub(crate) async fn column<T>(
        &self,
        sql: impl Into<String>,
        params: Vec<Value>,
    ) -> Result<Vec<T>, StoreError>
    where
        T: rusqlite::types::FromSql + Send + 'static,
    {
        let sql = sql.into();
        self.call(move |c| {
            let mut st = c.prepare_cached(&sql)?;
            bind_numbered(&mut st, &params)?;
            let mut rows = st.raw_query();
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(r.get(0)?);
            }
            Ok(out)
        })
        .await
    }

    /// The first column of the first row of a query, if it gives one.
    pub(crate) async fn first<T>(
        &self,
        sql: impl Into<String>,
        params: Vec<Value>,
    ) -> Result<Option<T>, StoreError>
    where
        T: rusqlite::types::FromSql + Send + 'static,
    {
        let sql = sql.into();
        self.call(move |c| {
            let mut st = c.prepare_cached(&sql)?;
            bind_numbered(&mut st, &params)?;
            let mut rows = st.raw_query();
            Ok(match rows.next()? {
                Some(r) => Some(r.get(0)?),
                None => None,
            })
        })
        .await
    }

    /// Runs `sql` (one row's statement, `$1`… in order) once per row of `rows`, queued.
    pub(crate) async fn queue_rows(&self, sql: String, rows: Rows) -> Result<(), StoreError> {
        if rows.is_empty() {
            return Ok(());
        }
        self.queue(move |c| write_rows(c, &sql, &rows)).await
    }
}

impl Drop for SqliteTx {
    fn drop(&mut self) {
        // After a commit or rollback the thread has already stopped; otherwise it skips what is
        // queued and rolls back.
        self.abort.store(true, Ordering::Release);
    }
}

/// Binds `$1`, `$2`, … by name, wherever they first appear in the statement.
pub(crate) fn bind_numbered(
    st: &mut rusqlite::Statement<'_>,
    params: &[Value],
) -> Result<(), StoreError> {
    for (i, v) in params.iter().enumerate() {
        let name = format!("${}", i + 1);
        let Some(index) = st.parameter_index(&name)? else {
            return Err(StoreError::Writer(format!(
                "no parameter {name} in statement"
            )));
        };
        st.raw_bind_parameter(index, v)?;
    }
    Ok(())
}

/// A one-row statement for the SQLite arm: `head VALUES ($1, …, $width) tail`.
pub(crate) fn one_row_sql(head: &str, width: usize, tail: &str) -> String {
    format!("{head}{}{tail}", values_clause(width))
}

/// `VALUES ($1, $2, …, $n)`.
pub(crate) fn values_clause(n: usize) -> String {
    let mut s = String::from("VALUES (");
    for i in 1..=n {
        if i > 1 {
            s.push_str(", ");
        }
        let _ = write!(s, "${i}");
    }
    s.push(')');
    s
}

/// One value of [`Rows`]: text is a range of the rows' shared buffer.
#[derive(Clone, Copy, Debug)]
enum Val {
    Null,
    Int(i64),
    Real(f64),
    Text(u32, u32),
}

/// Rows of values to write, `width` values a row, all their text in one buffer: a few hundred
/// rows cross to the writer thread as two allocations and are bound from there by reference.
#[derive(Debug)]
pub(crate) struct Rows {
    width: usize,
    text: String,
    vals: Vec<Val>,
}

impl Rows {
    pub(crate) fn new(width: usize, rows: usize) -> Rows {
        Rows {
            width,
            text: String::with_capacity(rows * width * 8),
            vals: Vec::with_capacity(rows * width),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.vals.is_empty()
    }

    /// Rows held (complete ones).
    pub(crate) fn len(&self) -> usize {
        self.vals.len() / self.width.max(1)
    }

    fn span(&mut self, start: usize) -> &mut Self {
        let end = self.text.len();
        // Batches stay far below 4 GiB of text.
        let (s, e) = (
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(end).unwrap_or(u32::MAX),
        );
        self.vals.push(Val::Text(s, e));
        self
    }

    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        let start = self.text.len();
        self.text.push_str(s);
        self.span(start)
    }

    pub(crate) fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub(crate) fn null(&mut self) -> &mut Self {
        self.vals.push(Val::Null);
        self
    }

    pub(crate) fn int(&mut self, n: i64) -> &mut Self {
        self.vals.push(Val::Int(n));
        self
    }

    pub(crate) fn opt_int(&mut self, n: Option<i64>) -> &mut Self {
        match n {
            Some(n) => self.int(n),
            None => self.null(),
        }
    }

    pub(crate) fn opt_real(&mut self, x: Option<f64>) -> &mut Self {
        self.vals.push(match x {
            Some(x) => Val::Real(x),
            None => Val::Null,
        });
        self
    }

    fn value(&self, v: Val) -> ValueRef<'_> {
        match v {
            Val::Null => ValueRef::Null,
            Val::Int(n) => ValueRef::Integer(n),
            Val::Real(x) => ValueRef::Real(x),
            Val::Text(s, e) => ValueRef::Text(
                self.text
                    .as_bytes()
                    .get(s as usize..e as usize)
                    .unwrap_or_default(),
            ),
        }
    }

    /// Binds `row` into `st` as `$1`… (positionally). A statement keeps its bindings from one
    /// run to the next, so a value equal to the one bound for `prev` (the row run before on
    /// this statement) is not bound again: a batch's wave and timestamps, and most codes, are
    /// bound once instead of once a row.
    fn bind(
        &self,
        st: &mut rusqlite::Statement<'_>,
        row: &[Val],
        prev: Option<&[Val]>,
    ) -> Result<(), StoreError> {
        for (i, v) in row.iter().enumerate() {
            if let Some(p) = prev.and_then(|p| p.get(i))
                && self.same(*p, *v)
            {
                continue;
            }
            st.raw_bind_parameter(i + 1, ToSqlOutput::Borrowed(self.value(*v)))?;
        }
        Ok(())
    }

    fn same(&self, a: Val, b: Val) -> bool {
        match (a, b) {
            (Val::Null, Val::Null) => true,
            (Val::Int(x), Val::Int(y)) => x == y,
            (Val::Real(x), Val::Real(y)) => x.to_bits() == y.to_bits(),
            (Val::Text(..), Val::Text(..)) => self.value(a) == self.value(b),
            _ => false,
        }
    }

    fn rows(&self) -> impl Iterator<Item = &[Val]> {
        self.vals.chunks_exact(self.width)
    }
}

/// Runs a one-row statement once per row (on the writer thread).
fn write_rows(c: &rusqlite::Connection, sql: &str, rows: &Rows) -> Result<(), StoreError> {
    let mut st = c.prepare_cached(sql)?;
    check_width(&st, rows.width, sql)?;
    let mut prev = None;
    for row in rows.rows() {
        rows.bind(&mut st, row, prev)?;
        st.raw_execute()?;
        prev = Some(row);
    }
    Ok(())
}

/// Runs `insert` (a one-row insert that does nothing on conflict) once per row, and `upsert`
/// (the same row's insert that updates on conflict) for the rows `insert` did not add; returns
/// per row whether it was added.
pub(crate) fn insert_or_update_rows(
    c: &rusqlite::Connection,
    insert: &str,
    upsert: &str,
    rows: &Rows,
) -> Result<Vec<bool>, StoreError> {
    let mut ins = c.prepare_cached(insert)?;
    check_width(&ins, rows.width, insert)?;
    let mut up = c.prepare_cached(upsert)?;
    check_width(&up, rows.width, upsert)?;
    let (mut prev_ins, mut prev_up) = (None, None);
    let mut added = Vec::with_capacity(rows.len());
    for row in rows.rows() {
        rows.bind(&mut ins, row, prev_ins)?;
        prev_ins = Some(row);
        if ins.raw_execute()? == 1 {
            added.push(true);
            continue;
        }
        rows.bind(&mut up, row, prev_up)?;
        prev_up = Some(row);
        up.raw_execute()?;
        added.push(false);
    }
    Ok(added)
}

/// The statement takes exactly `width` parameters, numbered in order of appearance.
fn check_width(st: &rusqlite::Statement<'_>, width: usize, sql: &str) -> Result<(), StoreError> {
    let in_order = (1..=width).all(|i| {
        st.parameter_name(i)
            .and_then(|n| n.strip_prefix('$'))
            .and_then(|n| n.parse::<usize>().ok())
            == Some(i)
    });
    if st.parameter_count() != width || !in_order {
        return Err(StoreError::Writer(format!(
            "statement does not take {width} parameters $1…${width} in order: {sql}"
        )));
    }
    Ok(())
}

/// Runs a one-row statement that returns one value for the single row of `rows`, if it gives
/// one (an upsert's `RETURNING`).
pub(crate) fn returning_one(
    c: &rusqlite::Connection,
    sql: &str,
    rows: &Rows,
) -> Result<Option<i64>, StoreError> {
    let mut st = c.prepare_cached(sql)?;
    check_width(&st, rows.width, sql)?;
    let Some(row) = rows.rows().next() else {
        return Ok(None);
    };
    rows.bind(&mut st, row, None)?;
    let mut out = st.raw_query();
    Ok(match out.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

/// An owned text value, for the `$n` parameters of [`SqliteTx::execute`] and friends.
pub(crate) fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

pub(crate) fn opt_text(s: Option<impl Into<String>>) -> Value {
    s.map_or(Value::Null, |s| Value::Text(s.into()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A statement that fills the disk makes SQLite roll the whole transaction back: the
    /// batch then fails, every later write and the commit with it, and nothing of it lands
    /// (before, the next statement ran in autocommit mode and was kept).
    #[tokio::test]
    async fn a_transaction_sqlite_rolled_back_fails_the_batch() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("full.db");
        let setup = rusqlite::Connection::open(&path).unwrap();
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT); CREATE INDEX t_x ON t (x);",
            )
            .unwrap();
        let pages: i64 = setup
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        let tx = SqliteTx::begin(path.clone(), Idle::new(false))
            .await
            .unwrap();
        tx.execute("INSERT INTO t (x) VALUES ($1)", vec![text("first")])
            .await
            .unwrap();
        // The writer's connection may grow the file by a few pages only.
        let limit = pages + 3;
        tx.call(move |c| {
            c.query_row(&format!("PRAGMA max_page_count = {limit}"), [], |_| Ok(()))?;
            Ok(())
        })
        .await
        .unwrap();
        let mut full = None;
        for i in 0..100 {
            let big = format!("{i}{}", "y".repeat(3000));
            if let Err(e) = tx
                .execute("INSERT INTO t (x) VALUES ($1)", vec![text(&big)])
                .await
            {
                full = Some(e);
                break;
            }
        }
        let full = full.unwrap();
        assert!(full.to_string().contains("full"), "{full}");
        let later = tx
            .execute("INSERT INTO t (x) VALUES ($1)", vec![text("after")])
            .await;
        assert!(
            matches!(&later, Err(StoreError::Writer(m)) if m.contains("rolled")),
            "{later:?}"
        );
        let committed = tx.commit().await;
        assert!(committed.is_err(), "{committed:?}");
        let held: i64 = setup
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(held, 0);
    }
}
