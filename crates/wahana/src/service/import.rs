//! Importing the instrument's files: every problem of a file reported at once, and the file
//! written whole or not at all (or, when asked, its clean rows with the rejected ones returned
//! in a file of their own).

use crate::instrument::{self, HeaderMap, RowSink};
use crate::service::audit::{self, Who};
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wahana_domain::Code;
use wahana_domain::instrument::Table;
use wahana_domain::registry::{duplicate_key, push_duplicate_key};
use wahana_domain::{
    Context, Date, FieldError, Group, Institution, Lang, Network, RegionCode, RegionTree, Tie, Wave,
};
use wahana_store::{
    ActorKind, AuditChange, Backend, Batch, IdTable, NewLink, NewReview, Store, StoredGroup,
};

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The table, guessed from the headers when `None`.
    pub table: Option<Table>,
    /// The sheet of a workbook (the first when `None`).
    pub sheet: Option<String>,
    /// The wave (id or name) to import into; created when new. This year's manual wave when
    /// `None`.
    pub wave: Option<String>,
    /// The wave's date: rows without a survey date take it.
    pub wave_date: Option<Date>,
    /// Write the clean rows even when others are rejected.
    pub accept_clean: bool,
    /// Where to write the rejected rows (same columns plus `kesalahan`/`error`).
    pub rejects: Option<PathBuf>,
    /// Ignore columns that are not the instrument's instead of refusing the file.
    pub ignore_unknown: bool,
    /// Accept rows that look like groups already held (same village, type and name).
    pub allow_duplicates: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// The language of the rejects file's reasons.
    pub lang: Lang,
    /// Only records inside this region's subtree may be written (an officer's import): a row
    /// whose village or region lies outside it, a row updating a record held outside it, and
    /// a tie with an end outside it are problems like any other. `None`: anywhere.
    pub within: Option<RegionCode>,
    /// The file's name as the person knows it, when `path` is where the server keeps an upload
    /// (reports and the audit trail show this one).
    pub file_name: Option<String>,
    /// Who imports: a committed import writes its audit entry (the report) in its own
    /// transaction, so the rows and the entry land together or not at all.
    pub who: Option<Who>,
}

/// One problem found in a file.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A stable code: `invalid_value`, `likely_duplicate`, `actor_not_found`, `id_taken` (an
    /// id another kind of record holds), `outside_region`
    /// (an import restricted to a region, [`ImportOptions::within`]), a header problem's
    /// code, or a read error's.
    pub code: &'static str,
    /// The row as a spreadsheet shows it (the header is row 1); none for file-wide problems.
    pub row: Option<u64>,
    /// The column letter (A, B, … AA) where known.
    pub column: Option<String>,
    /// The instrument field (Indonesian name), or the header for header problems.
    pub field: String,
    pub value: String,
    pub expected_id: String,
    pub expected_en: String,
    /// `expected_*` hold whole messages (file, header and duplicate problems), not what a
    /// field should have held.
    #[serde(skip)]
    pub whole: bool,
}

impl Problem {
    fn from_field(row: u64, map: &HeaderMap, e: FieldError, code: &'static str) -> Problem {
        Problem {
            code,
            row: Some(row),
            column: map.locate(&e.field).map(|c| c.letter),
            field: e.field,
            value: e.value,
            expected_id: e.expected_id,
            expected_en: e.expected_en,
            whole: false,
        }
    }

    /// `baris 3, kolom B (kode_wilayah): "73.08.21.1099" tidak sah; diharapkan …`
    pub fn message(&self, lang: Lang) -> String {
        let mut place = Vec::new();
        if let Some(r) = self.row {
            place.push(format!("{} {r}", lang.pick("baris", "row")));
        }
        if let Some(c) = &self.column {
            place.push(format!("{} {c}", lang.pick("kolom", "column")));
        }
        let text = if self.whole {
            lang.pick(&self.expected_id, &self.expected_en).to_string()
        } else {
            FieldError::new(
                self.field.clone(),
                self.value.clone(),
                self.expected_id.clone(),
                self.expected_en.clone(),
            )
            .message(lang)
        };
        if place.is_empty() || self.whole && self.code != "likely_duplicate" {
            text
        } else {
            format!("{}: {text}", place.join(", "))
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub table: Option<Table>,
    pub wave: Option<String>,
    /// Data rows read (empty rows are not counted).
    pub rows: u64,
    /// Rows written (0 when nothing was committed).
    pub written: u64,
    /// Rows that became new groups (networks, institutions).
    pub created: u64,
    /// Rows that changed a record the wave already held.
    pub updated: u64,
    /// Rows that became this wave's observation of a group held from another wave: by its id
    /// (`same_id`) or linked by name and the other fields (`matched`, see `docs/linking.md`).
    pub linked: u64,
    /// Of `linked`, those linked without an id (`matched`).
    pub matched: u64,
    /// Rows that became new groups with a proposed earlier group for an officer to review.
    pub review: u64,
    /// Rows with at least one problem.
    pub rejected: u64,
    /// The problems, up to [`MAX_PROBLEMS`]; `problems_total` counts them all.
    pub problems: Vec<Problem>,
    pub problems_total: u64,
    /// Whether the rows were written.
    pub committed: bool,
    pub dry_run: bool,
    pub rejects_file: Option<String>,
}

impl ImportReport {
    fn new(file: &Path, dry_run: bool) -> Self {
        ImportReport {
            file: file.display().to_string(),
            table: None,
            wave: None,
            rows: 0,
            written: 0,
            created: 0,
            updated: 0,
            linked: 0,
            matched: 0,
            review: 0,
            rejected: 0,
            problems: Vec::new(),
            problems_total: 0,
            committed: false,
            dry_run,
            rejects_file: None,
        }
    }

    fn push(&mut self, p: Problem) {
        self.problems_total += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    pub fn ok(&self) -> bool {
        self.problems_total == 0
    }

    /// What the import did with groups held from other waves, for its summary line (empty when
    /// it observed none and proposed nothing).
    pub fn links_note(&self, lang: Lang) -> String {
        if self.linked == 0 && self.review == 0 {
            return String::new();
        }
        lang.pick(
            &format!(
                "; {} menjadi catatan baru kelompok yang sudah tercatat di pendataan lain ({} ditautkan menurut nama dan isian lain), {} diusulkan untuk ditinjau (wahana waves review)",
                self.linked, self.matched, self.review
            ),
            &format!(
                "; {} became new records of groups held from other waves ({} linked by name and the other fields), {} proposed for review (wahana waves review)",
                self.linked, self.matched, self.review
            ),
        )
        .to_string()
    }
}

/// Problems kept in a report (all are counted; the rejects file holds every rejected row).
pub const MAX_PROBLEMS: usize = 1000;
/// Valid rows written per statement group.
const FLUSH: usize = 2000;
/// Rows per message from the checking thread to the writing one.
const CHECKED_BATCH: usize = 1000;
/// Messages that may wait between the two (so memory stays bounded).
const CHECKED_QUEUE: usize = 8;

#[cfg(test)]
thread_local! {
    /// Tests: the row at which the checking of the next import started on this thread fails.
    pub(crate) static FAIL_CHECKING_AT: std::cell::Cell<Option<u64>> =
        const { std::cell::Cell::new(None) };
}

/// Why an import could not run at all (as opposed to rows it rejected).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] wahana_store::StoreError),
    #[error(transparent)]
    Write(#[from] instrument::WriteError),
    /// The reading and checking of the file stopped before its end without saying why (a
    /// panic): nothing was written.
    #[error("the checking of the file stopped before its end: {0}")]
    Checking(String),
}

impl ImportError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ImportError::Store(e) => e.message(lang),
            ImportError::Write(e) => e.to_string(),
            ImportError::Checking(why) => match lang {
                Lang::Id => format!(
                    "pemeriksaan berkas berhenti sebelum akhir berkas ({why}); tidak ada yang diimpor"
                ),
                Lang::En => format!(
                    "the checking of the file stopped before its end ({why}); nothing was imported"
                ),
            },
        }
    }
}

/// A 64-bit hash of a duplicate key: the file's own duplicates are found with 16 bytes a row
/// instead of the key's text (a national file has 4 million rows).
fn key_hash(state: &std::hash::RandomState, key: &str) -> u64 {
    let mut h = state.build_hasher();
    h.write(key.as_bytes());
    h.finish()
}

/// A hasher for keys that are already 64-bit hashes ([`key_hash`]): they are used as they
/// are instead of being hashed again.
#[derive(Default, Clone, Copy)]
struct PreHashed;

impl BuildHasher for PreHashed {
    type Hasher = PreHashedHasher;
    fn build_hasher(&self) -> PreHashedHasher {
        PreHashedHasher(0)
    }
}

#[derive(Default)]
struct PreHashedHasher(u64);

impl Hasher for PreHashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here; anything else still gets a usable (FNV-1a) hash.
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A record an import may give an id to (groups, networks, institutions).
trait Actor {
    const KIND: ActorKind;
    fn id(&self) -> &str;
    fn set_id(&mut self, id: String);
    /// The region whose prefix a drawn id takes.
    fn id_region(&self) -> &RegionCode;
}

macro_rules! actor {
    ($t:ty, $kind:expr, $region:ident) => {
        impl Actor for $t {
            const KIND: ActorKind = $kind;
            fn id(&self) -> &str {
                &self.id
            }
            fn set_id(&mut self, id: String) {
                self.id = id;
            }
            fn id_region(&self) -> &RegionCode {
                &self.$region
            }
        }
    };
}
actor!(Group, ActorKind::Group, village);
actor!(Network, ActorKind::Network, village);
actor!(Institution, ActorKind::Institution, region);

/// Gives every row without an id a new one, drawn by the store inside the import's batch
/// (`Batch::allocate_ids`): never an id held by any actor, nor one that a row of this flush
/// gives, so a row without an id always creates a record. Prefixes are drawn in their order,
/// so that concurrent imports on PostgreSQL lock the sequences in the same order.
async fn assign_ids<T: Actor>(
    batch: &mut Batch,
    pending: &mut [Pending<T>],
) -> Result<(), ImportError> {
    let given: HashSet<String> = pending
        .iter()
        .filter(|p| !p.record.id().is_empty())
        .map(|p| p.record.id().to_string())
        .collect();
    let mut by_prefix: std::collections::BTreeMap<String, Vec<usize>> = Default::default();
    for (i, p) in pending.iter().enumerate() {
        if p.record.id().is_empty() {
            by_prefix
                .entry(T::KIND.id_prefix(p.record.id_region()))
                .or_default()
                .push(i);
        }
    }
    for (prefix, rows) in by_prefix {
        let ids = batch
            .allocate_ids(&prefix, rows.len(), &|id| given.contains(id))
            .await?;
        for (i, id) in rows.into_iter().zip(ids) {
            pending[i].record.set_id(id);
        }
    }
    Ok(())
}

/// A valid row waiting to be written.
struct Pending<T> {
    row: u64,
    record: T,
    provenance: Option<String>,
    /// The row's cells, kept only when rejected rows are written to a file.
    cells: Option<Vec<String>>,
    /// The id came from the file (so it may name a record already held).
    explicit_id: bool,
    /// First load only: the file gave this id on an earlier row too (or, rarely, another id
    /// with the same 64-bit hash), so the database is asked whether it is held.
    repeated_id: bool,
}

/// A valid record of any table.
enum Record {
    Group(Group),
    Network(Network),
    Institution(Institution),
    Tie(Tie),
}

/// One row as the checking thread left it.
struct Checked {
    row: u64,
    /// Kept only when rejected rows are written to a file.
    cells: Option<Vec<String>>,
    outcome: Result<Pending<Record>, Vec<Problem>>,
}

/// What the checking thread sends.
enum Message {
    Rows(Vec<Checked>),
    /// The file could not be read to its end.
    ReadFailed(Problem),
    /// Every row was read and sent: the only way the writer learns that the file ended (a
    /// queue closed without it means the checking thread stopped early, and nothing is
    /// written).
    Done,
}

/// Imports one file. Problems with rows are in the report; an `Err` means the import could not
/// run (the database or the rejects file failed), and nothing was written.
pub async fn import_file(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    today: Date,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ImportReport, ImportError> {
    import_file_until(
        store,
        path,
        opts,
        today,
        progress,
        instrument::Cancel::new(),
    )
    .await
}

/// [`import_file`], whose reading stops once `cancel` is set (the web server's client went
/// away): the file is then refused whole with the problem `cancelled`, and nothing is written.
pub async fn import_file_until(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    today: Date,
    progress: &(dyn Fn(u64) + Sync),
    cancel: instrument::Cancel,
) -> Result<ImportReport, ImportError> {
    let result = import_whole(store, path, opts, today, progress, cancel).await;
    // Every import is logged: the file's name as the person knows it, rows and outcome.
    let file = opts
        .file_name
        .clone()
        .unwrap_or_else(|| path.display().to_string());
    match &result {
        Ok(r) => tracing::info!(
            file,
            table = r.table.map(|t| t.code()),
            wave = r.wave.as_deref(),
            rows = r.rows,
            written = r.written,
            rejected = r.rejected,
            committed = r.committed,
            dry_run = r.dry_run,
            "import"
        ),
        Err(e) => tracing::error!(file, error = %e, "import failed; nothing was written"),
    }
    result
}

async fn import_whole(
    store: &Store,
    path: &Path,
    opts: &ImportOptions,
    today: Date,
    progress: &(dyn Fn(u64) + Sync),
    cancel: instrument::Cancel,
) -> Result<ImportReport, ImportError> {
    let mut report = ImportReport::new(path, opts.dry_run);
    if let Some(name) = &opts.file_name {
        report.file = name.clone();
    }
    let reader = match instrument::open_table_until(path, opts.sheet.as_deref(), cancel) {
        Ok(r) => r,
        Err(e) => {
            report.push(read_problem(&e));
            return Ok(report);
        }
    };
    let map = match reader.map_headers(opts.table, opts.ignore_unknown) {
        Ok(m) => Arc::new(m),
        Err(problems) => {
            for p in problems {
                report.push(Problem {
                    code: p.code(),
                    row: Some(reader.header_row),
                    column: p.column_letter(),
                    field: p.header.clone(),
                    value: p.header.clone(),
                    expected_id: p.message(Lang::Id),
                    expected_en: p.message(Lang::En),
                    whole: true,
                });
            }
            return Ok(report);
        }
    };
    let table = map.table();
    report.table = Some(table);

    let mut batch = store.begin().await?;
    let wave = match resolve_wave(store, &mut batch, opts, today).await {
        Ok(w) => w,
        Err(e) => {
            batch.rollback().await?;
            return Err(e);
        }
    };
    report.wave = Some(wave.id.clone());
    if wave.closed {
        report.push(Problem {
            code: "wave_closed",
            row: None,
            column: None,
            field: "pendataan".into(),
            value: wave.id.clone(),
            expected_id: format!(
                "pendataan {} sudah ditutup: tidak ada yang diimpor (buka kembali dengan `wahana waves reopen {}`, atau impor ke pendataan lain)",
                wave.id, wave.id
            ),
            expected_en: format!(
                "wave {} is closed: nothing was imported (reopen it with `wahana waves reopen {}`, or import into another wave)",
                wave.id, wave.id
            ),
            whole: true,
        });
        batch.rollback().await?;
        return Ok(report);
    }
    let wave_date = opts.wave_date.or(wave.date());
    if table == Table::Groups
        && map.missing_conditional().contains(&"tanggal_pendataan")
        && wave_date.is_none()
    {
        report.push(Problem {
            code: "missing_column",
            row: Some(reader.header_row),
            column: None,
            field: "tanggal_pendataan".into(),
            value: String::new(),
            expected_id: "kolom tanggal_pendataan, atau impor ke gelombang bertanggal (--wave NAMA --date YYYY-MM-DD)".into(),
            expected_en: "a tanggal_pendataan (survey_date) column, or an import into a dated wave (--wave NAME --date YYYY-MM-DD)".into(),
            whole: false,
        });
        batch.rollback().await?;
        return Ok(report);
    }
    let mut rejects: Option<Box<dyn RowSink>> = match &opts.rejects {
        Some(p) => {
            let mut sink = open_sink(p)?;
            let mut headers: Vec<&str> = map.headers().iter().map(String::as_str).collect();
            headers.push(opts.lang.pick("kesalahan", "error"));
            sink.write_header(&headers)?;
            report.rejects_file = Some(p.display().to_string());
            Some(sink)
        }
        None => None,
    };

    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // First load into SQLite: with no group held when the import starts, the secondary group
    // indexes are dropped inside the import's transaction and built again before it commits
    // (one sort instead of 4 million random index inserts), and the lookups that could only
    // find rows of this same file are answered from memory. A killed or refused import rolls
    // the drop back with everything else.
    let first_load = table == Table::Groups
        && store.backend() == Backend::Sqlite
        && batch.groups_empty().await?;
    let dropped_indexes = if first_load {
        batch.drop_secondary_group_indexes().await?
    } else {
        Vec::new()
    };

    let mut importer = Importer {
        store,
        table,
        wave_id: wave.id.clone(),
        map: map.clone(),
        opts,
        other_ids: None,
        first_load,
        groups: Vec::with_capacity(FLUSH + CHECKED_BATCH),
        networks: Vec::new(),
        institutions: Vec::new(),
        ties: Vec::new(),
    };

    // Reading and checking run on a thread of their own, a bounded queue ahead of the writes,
    // so that on a 2-core machine the database work and the checks overlap.
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHECKED_QUEUE);
    let checker = Checker {
        table,
        map: map.clone(),
        file_name,
        allow_duplicates: opts.allow_duplicates,
        first_load,
        keep_cells: rejects.is_some(),
        hasher: std::hash::RandomState::new(),
        seen: HashMap::default(),
        greatest_id: String::new(),
        key: String::new(),
        today,
        wave_date,
        provenance_template: None,
        within: opts.within.clone(),
        #[cfg(test)]
        fail_at: FAIL_CHECKING_AT.get(),
    };
    let checking = tokio::task::spawn_blocking(move || checker.run(reader, tx));

    let result: Result<bool, ImportError> = async {
        let mut ended = false;
        while let Some(message) = rx.recv().await {
            let rows = match message {
                Message::Rows(rows) => rows,
                Message::ReadFailed(p) => {
                    // A file that cannot be read to its end is refused whole.
                    report.push(p);
                    report.rejected += 1;
                    return Ok(false);
                }
                Message::Done => {
                    ended = true;
                    break;
                }
            };
            for checked in rows {
                report.rows += 1;
                match checked.outcome {
                    Ok(p) => importer.push(p),
                    Err(problems) => {
                        let cells = checked.cells.unwrap_or_default();
                        debug_assert!(checked.row > 0);
                        reject(&mut report, &mut rejects, &cells, problems, opts.lang)?;
                    }
                }
                if importer.pending() >= FLUSH {
                    importer
                        .flush(&mut batch, &mut report, &mut rejects)
                        .await?;
                    progress(report.rows);
                }
            }
        }
        if !ended {
            // The queue closed without `Done`: the checking thread stopped early. What it
            // sent is only part of the file, and is never committed.
            return Err(ImportError::Checking(String::new()));
        }
        importer
            .flush(&mut batch, &mut report, &mut rejects)
            .await?;
        progress(report.rows);
        Ok(true)
    }
    .await;
    // The checking thread stops at its next send once the queue is gone.
    drop(rx);
    let stopped = checking.await;
    let result = match (result, stopped) {
        (Err(ImportError::Checking(_)), Err(e)) => Err(ImportError::Checking(join_reason(e))),
        (Err(ImportError::Checking(_)), Ok(())) => Err(ImportError::Checking(
            "the checking thread ended without finishing the file".into(),
        )),
        // The writer stopped first (its own error, or a refused file): the checking thread
        // stopped at its next send, which is no failure of its own.
        (result, _) => result,
    };
    match result {
        Ok(true) => {}
        Ok(false) => {
            batch.rollback().await?;
            return Ok(report);
        }
        Err(e) => {
            batch.rollback().await?;
            return Err(e);
        }
    }
    if !dropped_indexes.is_empty() {
        batch.create_indexes(&dropped_indexes).await?;
    }
    if let Some(sink) = rejects {
        sink.finish()?;
    }

    let commit = !opts.dry_run && (report.ok() || opts.accept_clean);
    if commit {
        report.committed = true;
        if let Some(who) = &opts.who {
            batch
                .write_audit(&AuditChange {
                    actor: who.0.clone(),
                    action: "import",
                    entity_kind: "impor",
                    entity_id: report.file.clone(),
                    region_code: opts.within.as_ref().map(|w| w.to_string()),
                    after: audit::json(&report),
                    ..Default::default()
                })
                .await?;
        }
        batch.commit().await?;
    } else {
        batch.rollback().await?;
        report.written = 0;
        report.created = 0;
        report.updated = 0;
    }
    Ok(report)
}

/// Why the checking thread stopped: its panic's message, or that it was cancelled.
fn join_reason(e: tokio::task::JoinError) -> String {
    if !e.is_panic() {
        return e.to_string();
    }
    let payload = e.into_panic();
    if let Some(s) = payload.downcast_ref::<&str>() {
        format!("panic: {s}")
    } else if let Some(s) = payload.downcast_ref::<String>() {
        format!("panic: {s}")
    } else {
        "panic".into()
    }
}

fn read_problem(e: &instrument::ReadError) -> Problem {
    Problem {
        code: e.code(),
        row: e.row(),
        column: None,
        field: String::new(),
        value: String::new(),
        expected_id: e.message(Lang::Id),
        expected_en: e.message(Lang::En),
        whole: true,
    }
}

fn open_sink(path: &Path) -> Result<Box<dyn RowSink>, ImportError> {
    let xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    Ok(if xlsx {
        Box::new(instrument::XlsxSink::create(path, "kesalahan")?)
    } else {
        Box::new(instrument::CsvSink::create(path)?)
    })
}

fn reject(
    report: &mut ImportReport,
    sink: &mut Option<Box<dyn RowSink>>,
    cells: &[String],
    problems: Vec<Problem>,
    lang: Lang,
) -> Result<(), ImportError> {
    report.rejected += 1;
    if let Some(sink) = sink {
        let mut out = cells.to_vec();
        out.push(
            problems
                .iter()
                .map(|p| {
                    let mut q = p.clone();
                    q.row = None;
                    q.message(lang)
                })
                .collect::<Vec<_>>()
                .join("; "),
        );
        sink.write_row(&out)?;
    }
    for p in problems {
        report.push(p);
    }
    Ok(())
}

/// The wave named by the options, found by id or name, or created under that name (inside
/// the batch). Without a name: the latest open wave; only a database with no open wave at all
/// gets one made for the import ("Pencatatan YEAR").
async fn resolve_wave(
    store: &Store,
    batch: &mut Batch,
    opts: &ImportOptions,
    today: Date,
) -> Result<Wave, ImportError> {
    let Some(name) = opts
        .wave
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    else {
        // `waves()` is ordered latest first.
        if let Some(w) = store.waves().await?.into_iter().find(|w| !w.closed) {
            return Ok(w);
        }
        let id = format!("pencatatan-{}", today.year());
        let w = Wave {
            id,
            name: format!("Pencatatan {}", today.year()),
            region: None,
            start_date: Date::new(today.year(), 1, 1),
            end_date: None,
            source: Some("impor berkas / file import".into()),
            synthetic: false,
            enumerators: None,
            closed: false,
            method: None,
            run_by: None,
        };
        batch.save_wave(&w).await?;
        return Ok(w);
    };
    let by_id = store.wave(name).await?;
    let by_slug = match by_id {
        Some(w) => Some(w),
        None => store.wave(&Wave::slug(name)).await?,
    };
    match by_slug {
        Some(mut w) => {
            if let Some(d) = opts.wave_date
                && w.date() != Some(d)
            {
                w.start_date = w.start_date.or(Some(d));
                w.end_date = Some(d);
                batch.save_wave(&w).await?;
            }
            Ok(w)
        }
        None => {
            let slug = Wave::slug(name);
            let w = Wave {
                id: if slug.is_empty() {
                    "pendataan".into()
                } else {
                    slug
                },
                name: name.to_string(),
                region: None,
                start_date: opts.wave_date,
                end_date: opts.wave_date,
                source: Some("impor berkas / file import".into()),
                synthetic: false,
                enumerators: None,
                closed: false,
                method: None,
                run_by: None,
            };
            batch.save_wave(&w).await?;
            Ok(w)
        }
    }
}

/// Reads and checks rows (on its own thread): everything about a row that needs no database.
struct Checker {
    table: Table,
    map: Arc<HeaderMap>,
    file_name: String,
    allow_duplicates: bool,
    first_load: bool,
    keep_cells: bool,
    hasher: std::hash::RandomState,
    /// Duplicate-key hashes of the file's valid group rows → the first row holding it and
    /// the hash of its id (first load: every row; otherwise rows without an id).
    seen: HashMap<u64, (u64, u64), PreHashed>,
    /// First load: the greatest id given so far. An id above it was not given before (a file
    /// in id order, as exports are, needs no set of 4 million ids); any other one may have
    /// been, and the database is asked.
    greatest_id: String,
    /// The duplicate key of the row being checked (one buffer for every row).
    key: String,
    today: Date,
    wave_date: Option<Date>,
    /// `{"baris":…,"berkas":…}` as serde_json writes it, split where the row number goes.
    provenance_template: Option<(String, String)>,
    /// See [`ImportOptions::within`].
    within: Option<RegionCode>,
    /// Tests: the row at which the checking fails (panics), to show nothing is written then.
    #[cfg(test)]
    fail_at: Option<u64>,
}

impl Checker {
    fn run(mut self, mut reader: instrument::TableReader, tx: tokio::sync::mpsc::Sender<Message>) {
        let ctx = Context {
            regions: wahana_domain::RegionTree::official(),
            today: self.today,
            wave_date: self.wave_date,
        };
        let mut cells = Vec::new();
        let mut out = Vec::with_capacity(CHECKED_BATCH);
        // CSV cells lose the `'` an export put before a formula-like value.
        let csv = reader.kind == instrument::FileKind::Csv;
        loop {
            let row = match reader.read_into(&mut cells) {
                Ok(Some(r)) if csv => {
                    cells.iter_mut().for_each(instrument::formula::unguard);
                    r
                }
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    if !out.is_empty() {
                        let _ = tx.blocking_send(Message::Rows(std::mem::take(&mut out)));
                    }
                    let _ = tx.blocking_send(Message::ReadFailed(read_problem(&e)));
                    return;
                }
            };
            #[cfg(test)]
            if self.fail_at == Some(row) {
                panic!("checking failed on purpose at row {row}");
            }
            let outcome = self.take_row(row, &cells, &ctx);
            let keep = self.keep_cells && outcome.is_err();
            out.push(Checked {
                row,
                cells: keep.then(|| cells.clone()),
                outcome,
            });
            if out.len() >= CHECKED_BATCH
                && tx
                    .blocking_send(Message::Rows(std::mem::replace(
                        &mut out,
                        Vec::with_capacity(CHECKED_BATCH),
                    )))
                    .is_err()
            {
                return;
            }
        }
        if !out.is_empty() && tx.blocking_send(Message::Rows(out)).is_err() {
            return;
        }
        let _ = tx.blocking_send(Message::Done);
    }

    fn provenance(&mut self, row: u64, cells: &[String]) -> Option<String> {
        let object = |row: u64| {
            let mut obj = serde_json::Map::new();
            obj.insert("berkas".into(), self.file_name.clone().into());
            obj.insert("baris".into(), row.into());
            obj
        };
        if self.map.has_metadata() {
            let mut obj = object(row);
            if let Some(serde_json::Value::Object(meta)) = self.map.provenance(cells) {
                obj.extend(meta);
            }
            return Some(serde_json::Value::Object(obj).to_string());
        }
        // Without metadata columns only the row number changes: the text serde_json writes is
        // made once and the number put in (a national file has 4 million rows).
        let (head, tail) = self.provenance_template.get_or_insert_with(|| {
            let text = serde_json::Value::Object(object(u64::MAX)).to_string();
            let mark = u64::MAX.to_string();
            match text.split_once(&mark) {
                Some((h, t)) => (h.to_string(), t.to_string()),
                None => (text, String::new()),
            }
        });
        let mut out = String::with_capacity(head.len() + tail.len() + 20);
        out.push_str(head);
        out.push_str(itoa::Buffer::new().format(row));
        out.push_str(tail);
        Some(out)
    }

    /// Checks one row: a valid one becomes a record waiting to be written, an invalid one gives
    /// its problems.
    fn take_row(
        &mut self,
        row: u64,
        cells: &[String],
        ctx: &Context<'_>,
    ) -> Result<Pending<Record>, Vec<Problem>> {
        let map = self.map.clone();
        let get = map.getter(cells);
        let explicit_id = map.get(cells, "id").is_some_and(|s| !s.trim().is_empty());
        let invalid = |errors: Vec<FieldError>| -> Vec<Problem> {
            errors
                .into_iter()
                .map(|e| Problem::from_field(row, &map, e, "invalid_value"))
                .collect()
        };
        let keep_cells = self.keep_cells;
        let pending =
            move |record: Record, provenance: Option<String>, repeated_id: bool| Pending {
                row,
                record,
                provenance,
                cells: keep_cells.then(|| cells.to_vec()),
                explicit_id,
                repeated_id,
            };
        match self.table {
            Table::Groups => {
                let g = Group::from_fields(get, String::new, ctx).map_err(invalid)?;
                inside(self.within.as_ref(), row, &map, "kode_wilayah", &g.village)?;
                let id_hash = if explicit_id {
                    key_hash(&self.hasher, &g.id)
                } else {
                    0
                };
                let mut repeated_id = false;
                if self.first_load && explicit_id {
                    if g.id > self.greatest_id {
                        self.greatest_id.clear();
                        self.greatest_id.push_str(&g.id);
                    } else {
                        repeated_id = true;
                    }
                }
                if !self.allow_duplicates && (self.first_load || !explicit_id) {
                    self.key.clear();
                    push_duplicate_key(&mut self.key, &g.village, g.group_type, &g.name);
                    let h = key_hash(&self.hasher, &self.key);
                    match self.seen.entry(h) {
                        // The same id again is the same group, given twice (the last wins).
                        Entry::Occupied(e) if explicit_id && e.get().1 == id_hash => {}
                        Entry::Occupied(e) => {
                            return Err(vec![duplicate_problem(
                                row,
                                &map,
                                &g,
                                &format!("baris/row {}", e.get().0),
                            )]);
                        }
                        Entry::Vacant(e) => {
                            e.insert((row, id_hash));
                        }
                    }
                }
                let provenance = self.provenance(row, cells);
                Ok(pending(Record::Group(g), provenance, repeated_id))
            }
            Table::Networks => {
                let n = Network::from_fields(get, String::new, ctx).map_err(invalid)?;
                inside(self.within.as_ref(), row, &map, "kode_wilayah", &n.village)?;
                Ok(pending(Record::Network(n), None, false))
            }
            Table::Institutions => {
                let i = Institution::from_fields(get, String::new, ctx).map_err(invalid)?;
                inside(self.within.as_ref(), row, &map, "kode_wilayah", &i.region)?;
                Ok(pending(Record::Institution(i), None, false))
            }
            Table::Ties => Tie::from_fields(get, ctx)
                .map(|t| pending(Record::Tie(t), None, false))
                .map_err(invalid),
        }
    }
}

struct Importer<'a> {
    store: &'a Store,
    table: Table,
    wave_id: String,
    map: Arc<HeaderMap>,
    opts: &'a ImportOptions,
    /// A group import: the ids of the networks and institutions held (a few per village, so
    /// a national file's ids are checked against them in memory), read at the first flush.
    other_ids: Option<HashMap<String, ActorKind>>,
    /// No group was held when the import started (SQLite): see `import_file`.
    first_load: bool,
    groups: Vec<Pending<Group>>,
    networks: Vec<Pending<Network>>,
    institutions: Vec<Pending<Institution>>,
    ties: Vec<Pending<Tie>>,
}

impl Importer<'_> {
    fn pending(&self) -> usize {
        self.groups.len() + self.networks.len() + self.institutions.len() + self.ties.len()
    }

    fn push(&mut self, p: Pending<Record>) {
        let Pending {
            row,
            record,
            provenance,
            cells,
            explicit_id,
            repeated_id,
        } = p;
        macro_rules! pend {
            ($list:expr, $r:expr) => {
                $list.push(Pending {
                    row,
                    record: $r,
                    provenance,
                    cells,
                    explicit_id,
                    repeated_id,
                })
            };
        }
        match record {
            Record::Group(r) => pend!(self.groups, r),
            Record::Network(r) => pend!(self.networks, r),
            Record::Institution(r) => pend!(self.institutions, r),
            Record::Tie(r) => pend!(self.ties, r),
        }
    }

    /// With a region restriction, a problem when the held actor `id` lies outside it (a
    /// record created earlier in this same import is not held yet, and was checked as a row).
    async fn held_outside(
        &self,
        row: u64,
        field: &str,
        kind: ActorKind,
        id: &str,
    ) -> Result<Option<Problem>, ImportError> {
        let Some(root) = &self.opts.within else {
            return Ok(None);
        };
        let region = match kind {
            ActorKind::Group => self.store.group(id).await?.map(|g| g.group.village),
            ActorKind::Network => self
                .store
                .actor::<Network>(id)
                .await?
                .map(|n| n.record.village),
            ActorKind::Institution => self
                .store
                .actor::<Institution>(id)
                .await?
                .map(|i| i.record.region),
        };
        Ok(region
            .filter(|r| !r.is_within(root))
            .map(|r| outside_problem(row, &self.map, field, id, root, Outside::Held(r))))
    }

    /// Refuses the rows whose id an actor of another kind holds (a group row naming a
    /// network's id, …): an id names one record of one kind, everywhere.
    async fn refuse_other_kinds<T: Actor>(
        &mut self,
        batch: &mut Batch,
        pending: Vec<Pending<T>>,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<Vec<Pending<T>>, ImportError> {
        let explicit: Vec<String> = pending
            .iter()
            .filter(|p| p.explicit_id)
            .map(|p| p.record.id().to_string())
            .collect();
        if explicit.is_empty() {
            return Ok(pending);
        }
        let tables = [
            (IdTable::Groups, ActorKind::Group),
            (IdTable::Networks, ActorKind::Network),
            (IdTable::Institutions, ActorKind::Institution),
        ];
        let mut holders: HashMap<String, ActorKind> = HashMap::new();
        if T::KIND == ActorKind::Group {
            if self.other_ids.is_none() {
                let mut all = HashMap::new();
                for (table, kind) in &tables[1..] {
                    for id in batch.all_ids(*table).await? {
                        all.insert(id, *kind);
                    }
                }
                self.other_ids = Some(all);
            }
            if let Some(all) = &self.other_ids {
                for id in &explicit {
                    if let Some(kind) = all.get(id) {
                        holders.insert(id.clone(), *kind);
                    }
                }
            }
        } else {
            for (table, kind) in tables.into_iter().filter(|(_, k)| *k != T::KIND) {
                for id in batch.existing_ids(table, &explicit).await? {
                    holders.insert(id, kind);
                }
            }
        }
        if holders.is_empty() {
            return Ok(pending);
        }
        let mut kept = Vec::with_capacity(pending.len());
        for p in pending {
            match holders.get(p.record.id()).filter(|_| p.explicit_id) {
                Some(kind) => {
                    let problem = id_taken_problem(p.row, &self.map, p.record.id(), *kind);
                    let cells = p.cells.unwrap_or_default();
                    reject(report, rejects, &cells, vec![problem], self.opts.lang)?;
                }
                None => kept.push(p),
            }
        }
        Ok(kept)
    }

    /// With a region restriction, refuses the rows that would change a record held outside
    /// it (an `id` column naming it), whatever region the row gives.
    async fn keep_inside<T: Actor>(
        &self,
        pending: Vec<Pending<T>>,
        held: &HashSet<String>,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<Vec<Pending<T>>, ImportError> {
        if self.opts.within.is_none() || held.is_empty() {
            return Ok(pending);
        }
        let mut kept = Vec::with_capacity(pending.len());
        for p in pending {
            let id = p.record.id();
            let problem = if held.contains(id) {
                self.held_outside(p.row, "id", T::KIND, id).await?
            } else {
                None
            };
            match problem {
                Some(problem) => {
                    let cells = p.cells.unwrap_or_default();
                    reject(report, rejects, &cells, vec![problem], self.opts.lang)?;
                }
                None => kept.push(p),
            }
        }
        Ok(kept)
    }

    /// Links the rows that came without an id to the groups their village had in earlier waves
    /// and this wave does not observe yet (`wahana_domain::linking::link_village`, one to one
    /// per village). A row matched takes the group's id (an observation of it: the link is
    /// returned, to be written with the rows); a row in the review band stays a new group, and
    /// its proposed pair is returned as (row index, earlier group id, score).
    async fn link_rows(
        &mut self,
        batch: &mut Batch,
        pending: &mut [Pending<Group>],
    ) -> Result<(Vec<NewLink>, Vec<(usize, String, f64)>), ImportError> {
        use wahana_domain::linking::{Candidate, Decision, Thresholds, link_village};
        let mut by_village: BTreeMap<RegionCode, Vec<usize>> = BTreeMap::new();
        for (i, p) in pending.iter().enumerate() {
            if !p.explicit_id && p.record.id.is_empty() {
                by_village
                    .entry(p.record.village.clone())
                    .or_default()
                    .push(i);
            }
        }
        let mut links = Vec::new();
        let mut proposed = Vec::new();
        if by_village.is_empty() {
            return Ok((links, proposed));
        }
        // Ids rows of this flush give: those groups are being observed here already.
        let given: HashSet<String> = pending
            .iter()
            .filter(|p| !p.record.id.is_empty())
            .map(|p| p.record.id.clone())
            .collect();
        let waves: HashMap<String, Option<Date>> = batch.wave_dates().await?;
        let this_date = self
            .opts
            .wave_date
            .or(waves.get(&self.wave_id).copied().flatten());
        for (village, rows) in by_village {
            // The latest earlier observation of each group (an undated wave counts as earlier
            // than a dated one; with this wave undated, every other wave is earlier).
            let mut latest: HashMap<String, (Option<Date>, StoredGroup)> = HashMap::new();
            for obs in batch.unobserved_in_village(&self.wave_id, &village).await? {
                if given.contains(&obs.group.id) {
                    continue;
                }
                let date = waves.get(&obs.wave_id).copied().flatten();
                let earlier = match (date, this_date) {
                    (Some(d), Some(t)) => d <= t,
                    _ => true,
                };
                if !earlier {
                    continue;
                }
                match latest.get(&obs.group.id) {
                    Some((d, _)) if *d >= date => {}
                    _ => {
                        latest.insert(obs.group.id.clone(), (date, obs));
                    }
                }
            }
            if latest.is_empty() {
                continue;
            }
            let mut previous: Vec<StoredGroup> = latest.into_values().map(|(_, g)| g).collect();
            previous.sort_by(|a, b| a.group.id.cmp(&b.group.id));
            let prev: Vec<Candidate> = previous
                .iter()
                .map(|g| Candidate::from_group(&g.group))
                .collect();
            let inc: Vec<Candidate> = rows
                .iter()
                .map(|&i| Candidate::from_group(&pending[i].record))
                .collect();
            for (k, d) in link_village(&prev, &inc, &Thresholds::default())
                .into_iter()
                .enumerate()
            {
                let i = rows[k];
                match d {
                    Decision::Matched { previous: j, score } => {
                        let id = previous[j].group.id.clone();
                        pending[i].record.id = id.clone();
                        links.push(NewLink {
                            from_id: id.clone(),
                            to_id: id,
                            kind: "continues",
                            method: "matched",
                            score: Some(score),
                            accepted_by: None,
                        });
                    }
                    Decision::Review {
                        previous: j, score, ..
                    } => proposed.push((i, previous[j].group.id.clone(), score)),
                    Decision::New => {}
                }
            }
        }
        Ok((links, proposed))
    }

    /// Writes what waits, after the checks that need the database: ids held, likely duplicates
    /// of groups held, the two ends of each tie.
    /// Writes the checked networks or institutions waiting in the batch (one path for both
    /// kinds): ids another kind holds refused, an officer's rows held to their region, ids
    /// drawn for rows without one.
    async fn flush_actors<T: Actor + wahana_store::ActorRecord>(
        &mut self,
        batch: &mut Batch,
        pending: Vec<Pending<T>>,
        id_table: IdTable,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<(), ImportError> {
        let explicit: Vec<String> = pending
            .iter()
            .filter(|p| p.explicit_id)
            .map(|p| Actor::id(&p.record).to_string())
            .collect();
        let held = batch.existing_ids(id_table, &explicit).await?;
        let pending = self
            .refuse_other_kinds(batch, pending, report, rejects)
            .await?;
        let mut pending = self.keep_inside(pending, &held, report, rejects).await?;
        assign_ids(batch, &mut pending).await?;
        let items: Vec<T> = pending.into_iter().map(|p| p.record).collect();
        batch.save_actors(&self.wave_id, &items).await?;
        let updated = items
            .iter()
            .filter(|r| held.contains(Actor::id(*r)))
            .count() as u64;
        report.written += items.len() as u64;
        report.updated += updated;
        report.created += items.len() as u64 - updated;
        Ok(())
    }

    async fn flush(
        &mut self,
        batch: &mut Batch,
        report: &mut ImportReport,
        rejects: &mut Option<Box<dyn RowSink>>,
    ) -> Result<(), ImportError> {
        let lang = self.opts.lang;
        match self.table {
            Table::Groups => {
                let pending =
                    std::mem::replace(&mut self.groups, Vec::with_capacity(FLUSH + CHECKED_BATCH));
                if pending.is_empty() {
                    return Ok(());
                }
                // First load: only an id the file gave before can be held, and the file's own
                // duplicates were found by the checking thread.
                let explicit: Vec<String> = pending
                    .iter()
                    .filter(|p| p.explicit_id && (!self.first_load || p.repeated_id))
                    .map(|p| p.record.id.clone())
                    .collect();
                // Groups held (in any wave), and those this wave observes already.
                let held = batch.existing_ids(IdTable::Groups, &explicit).await?;
                let observed = if held.is_empty() {
                    HashSet::new()
                } else {
                    let held: Vec<String> = held.iter().cloned().collect();
                    batch
                        .observed_ids(IdTable::Groups, &self.wave_id, &held)
                        .await?
                };
                let pending = self
                    .refuse_other_kinds(batch, pending, report, rejects)
                    .await?;
                let mut pending = self.keep_inside(pending, &held, report, rejects).await?;
                if !self.opts.allow_duplicates && !self.first_load {
                    let keys: Vec<String> = pending
                        .iter()
                        .filter(|p| !held.contains(&p.record.id))
                        .map(|p| {
                            duplicate_key(&p.record.village, p.record.group_type, &p.record.name)
                        })
                        .collect();
                    let found = batch.ids_by_duplicate_key(&self.wave_id, &keys).await?;
                    let mut kept = Vec::with_capacity(pending.len());
                    for p in pending {
                        let key =
                            duplicate_key(&p.record.village, p.record.group_type, &p.record.name);
                        match found.get(&key) {
                            Some(ids)
                                if !held.contains(&p.record.id) && !ids.contains(&p.record.id) =>
                            {
                                let problem =
                                    duplicate_problem(p.row, &self.map, &p.record, &ids.join(", "));
                                let cells = p.cells.unwrap_or_default();
                                reject(report, rejects, &cells, vec![problem], lang)?;
                            }
                            _ => kept.push(p),
                        }
                    }
                    pending = kept;
                }
                // Rows without an id: the same group as one of the village's earlier groups?
                let (links, proposed) = if self.first_load {
                    (Vec::new(), Vec::new())
                } else {
                    self.link_rows(batch, &mut pending).await?
                };
                assign_ids(batch, &mut pending).await?;
                let updated = pending
                    .iter()
                    .filter(|p| observed.contains(&p.record.id))
                    .count() as u64;
                let same_id = pending
                    .iter()
                    .filter(|p| held.contains(&p.record.id) && !observed.contains(&p.record.id))
                    .count() as u64;
                let reviews: Vec<NewReview> = proposed
                    .into_iter()
                    .map(|(i, candidate_id, score)| NewReview {
                        new_id: pending[i].record.id.clone(),
                        candidate_id,
                        score,
                    })
                    .collect();
                let (groups, prov): (Vec<Group>, Vec<Option<String>>) = pending
                    .into_iter()
                    .map(|p| (p.record, p.provenance))
                    .unzip();
                if self.first_load && held.is_empty() {
                    batch.save_new_groups(&self.wave_id, &groups, &prov).await?;
                } else {
                    batch.save_groups(&self.wave_id, &groups, &prov).await?;
                }
                batch.save_links(&self.wave_id, &links).await?;
                batch.save_reviews(&self.wave_id, &reviews).await?;
                let linked = same_id + links.len() as u64;
                report.written += groups.len() as u64;
                report.updated += updated;
                report.linked += linked;
                report.matched += links.len() as u64;
                report.review += reviews.len() as u64;
                report.created += groups.len() as u64 - updated - linked;
            }
            Table::Networks => {
                let pending = std::mem::take(&mut self.networks);
                self.flush_actors(batch, pending, IdTable::Networks, report, rejects)
                    .await?;
            }
            Table::Institutions => {
                let pending = std::mem::take(&mut self.institutions);
                self.flush_actors(batch, pending, IdTable::Institutions, report, rejects)
                    .await?;
            }
            Table::Ties => {
                let pending = std::mem::take(&mut self.ties);
                let mut resolved = Vec::with_capacity(pending.len());
                for p in pending {
                    let from = batch.observed_kind(&self.wave_id, &p.record.from).await?;
                    let to = batch.observed_kind(&self.wave_id, &p.record.to).await?;
                    let mut problems = Vec::new();
                    for (field, id, kind) in
                        [("dari", &p.record.from, from), ("ke", &p.record.to, to)]
                    {
                        if kind.is_none() {
                            problems.push(Problem::from_field(
                                p.row,
                                &self.map,
                                FieldError::new(
                                    field,
                                    id.as_str(),
                                    "id kelompok, wahana atau lembaga yang tercatat di pendataan ini (atau dibuat di impor yang sama)",
                                    "the id of a group, network or institution recorded in this wave (or created by the same import)",
                                ),
                                "actor_not_found",
                            ));
                        }
                    }
                    for (field, id, kind) in
                        [("dari", &p.record.from, from), ("ke", &p.record.to, to)]
                    {
                        if let Some(kind) = kind
                            && let Some(problem) = self.held_outside(p.row, field, kind, id).await?
                        {
                            problems.push(problem);
                        }
                    }
                    match (from, to) {
                        (Some(f), Some(t)) if problems.is_empty() => {
                            resolved.push((p.record, f, t))
                        }
                        _ => {
                            let cells = p.cells.unwrap_or_default();
                            reject(report, rejects, &cells, problems, lang)?
                        }
                    }
                }
                batch.save_resolved_ties(&self.wave_id, &resolved).await?;
                report.written += resolved.len() as u64;
                report.created += resolved.len() as u64;
            }
        }
        Ok(())
    }
}

/// A row's id is held by an actor of another kind.
fn id_taken_problem(row: u64, map: &HeaderMap, id: &str, holder: ActorKind) -> Problem {
    let (held_id, held_en) = match holder {
        ActorKind::Group => ("kelompok", "a group"),
        ActorKind::Network => ("wahana", "a network"),
        ActorKind::Institution => ("lembaga", "an institution"),
    };
    Problem::from_field(
        row,
        map,
        FieldError::new(
            "id",
            id,
            format!(
                "id yang belum dipakai data lain (id ini milik {held_id}; satu id menamai satu data)"
            ),
            format!(
                "an id no other record holds (this one is {held_en}'s; an id names one record)"
            ),
        ),
        "id_taken",
    )
}

fn duplicate_problem(row: u64, map: &HeaderMap, g: &Group, existing: &str) -> Problem {
    Problem {
        code: "likely_duplicate",
        row: Some(row),
        column: map.locate("nama").map(|c| c.letter),
        field: "nama".into(),
        value: g.name.clone(),
        expected_id: format!(
            "kemungkinan data ganda: \"{}\" ({}, {}) sama dengan {existing} (desa, jenis dan nama sama, tanpa memperhatikan huruf besar, spasi dan tanda baca); pakai --allow-duplicates bila memang kelompok lain",
            g.name,
            g.village,
            g.group_type.code()
        ),
        expected_en: format!(
            "likely duplicate: \"{}\" ({}, {}) matches {existing} (same village, type and name up to case, spacing and punctuation); use --allow-duplicates if it really is another group",
            g.name,
            g.village,
            g.group_type.code()
        ),
        whole: true,
    }
}

/// A row's record must lie inside the import's region, when it has one.
fn inside(
    within: Option<&RegionCode>,
    row: u64,
    map: &HeaderMap,
    field: &str,
    code: &RegionCode,
) -> Result<(), Vec<Problem>> {
    match within {
        Some(root) if !code.is_within(root) => {
            let what = if code.level() == wahana_domain::Level::Village {
                Outside::Village
            } else {
                Outside::Region
            };
            Err(vec![outside_problem(
                row,
                map,
                field,
                code.as_str(),
                root,
                what,
            )])
        }
        _ => Ok(()),
    }
}

/// What lies outside an import's region.
enum Outside {
    /// The row's village.
    Village,
    /// The row's region (an institution's may be above a village).
    Region,
    /// The record the row names, held in this region.
    Held(RegionCode),
}

/// `value` (a region code, or the id of a held record) lies outside `root`.
fn outside_problem(
    row: u64,
    map: &HeaderMap,
    field: &str,
    value: &str,
    root: &RegionCode,
    what: Outside,
) -> Problem {
    let name = RegionTree::official()
        .get(root)
        .map(|r| format!("{} ({root})", r.name))
        .unwrap_or_else(|| root.to_string());
    let (id, en) = match what {
        Outside::Village => (
            format!("desa/kelurahan di dalam {name}"),
            format!("a village inside {name}"),
        ),
        Outside::Region => (
            format!("wilayah di dalam {name}"),
            format!("a region inside {name}"),
        ),
        Outside::Held(at) => (
            format!("data di dalam {name} (data ini tercatat di {at})"),
            format!("a record inside {name} (this one is held in {at})"),
        ),
    };
    Problem::from_field(
        row,
        map,
        FieldError::new(field, value, id, en),
        "outside_region",
    )
}
