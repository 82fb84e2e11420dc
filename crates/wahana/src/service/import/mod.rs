//! Importing the instrument's files: every problem of a file reported at once, and the file
//! written whole or not at all (or, when asked, its clean rows with the rejected ones returned
//! in a file of their own).

mod check;
#[cfg(test)]
mod tests;
mod write;

use crate::instrument::{self, HeaderMap, RowSink};
use crate::service::audit::{self, Who};
use check::Checker;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wahana_domain::Code;
use wahana_domain::instrument::Table;
use wahana_domain::{
    Date, FieldError, Group, Institution, Lang, Network, RegionCode, RegionTree, Tie, Wave,
};
use wahana_store::{ActorKind, AuditChange, Batch, Store};
use write::Importer;

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
    /// The inbox's submission this import accepts (a one-row file of its answers): marked
    /// accepted, with the record it became, in the import's own transaction; an import that
    /// finds it decided already writes nothing.
    pub submission: Option<i64>,
    /// Rows without an id become new groups, never linked to an earlier one by name (an
    /// officer who said so).
    pub no_linking: bool,
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

/// A value of an accepted row that was read otherwise than it was written: a phone number that
/// gained its leading zero, a day-first date, an Excel serial number read as a date, a survey
/// date outside the wave's period. Written as read; said so the person can check.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    /// `phone_leading_zero`, `day_first_date`, `excel_serial_date` or `outside_wave`.
    pub code: &'static str,
    pub row: u64,
    /// The column letter (A, B, … AA) where known.
    pub column: Option<String>,
    /// The instrument field (Indonesian name).
    pub field: String,
    /// The value as the file holds it.
    pub value: String,
    /// The value as it is written.
    pub became: String,
    pub says_id: String,
    pub says_en: String,
}

impl Warning {
    fn from_notice(row: u64, map: &HeaderMap, n: wahana_domain::registry::Notice) -> Warning {
        Warning {
            code: n.code,
            row,
            column: map.locate(n.field).map(|c| c.letter),
            field: n.field.to_string(),
            value: n.value,
            became: n.became,
            says_id: n.says_id,
            says_en: n.says_en,
        }
    }

    /// What warnings of a code say, in a sentence's beginning: "3 nomor telepon …".
    pub fn kind_label(code: &str, lang: Lang) -> &'static str {
        match code {
            "phone_leading_zero" => lang.pick(
                "nomor telepon mendapat kembali angka 0 di depannya",
                "phone numbers got their leading zero back",
            ),
            "day_first_date" => lang.pick(
                "tanggal dibaca hari lebih dulu (hari/bulan/tahun)",
                "dates read day first (day/month/year)",
            ),
            "excel_serial_date" => lang.pick(
                "angka dibaca sebagai tanggal Excel",
                "numbers read as Excel dates",
            ),
            "outside_wave" => lang.pick(
                "tanggal pendataan di luar masa pendataan gelombang",
                "survey dates outside the wave's period",
            ),
            _ => lang.pick("nilai dibaca lain", "values read otherwise"),
        }
    }

    /// `baris 3, kolom W (telepon): nomor telepon 81234567890 dibaca sebagai 081234567890: …`
    pub fn message(&self, lang: Lang) -> String {
        let mut place = format!("{} {}", lang.pick("baris", "row"), self.row);
        if let Some(c) = &self.column {
            place.push_str(&format!(", {} {c}", lang.pick("kolom", "column")));
        }
        format!(
            "{place} ({}): {}",
            self.field,
            lang.pick(&self.says_id, &self.says_en)
        )
    }
}

/// The first accepted rows of a file, as they will be written (a check's preview).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Preview {
    /// The instrument's columns that hold a value in at least one previewed row, in export
    /// order (Indonesian names).
    pub columns: Vec<String>,
    /// Each row's number in the file and its values under `columns` (a new group's id is
    /// empty: it is drawn when written).
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Rows in a check's preview.
pub const PREVIEW_ROWS: usize = 10;

impl Preview {
    /// Whether the first column is the id (empty for a new record).
    pub fn new_id_first(&self) -> bool {
        self.columns.first().is_some_and(|c| c == "id")
    }

    /// Keeps the rows' non-empty columns only.
    fn build(table: Table, rows: Vec<(u64, Vec<String>)>) -> Preview {
        let all = wahana_domain::instrument::columns(table);
        let keep: Vec<usize> = (0..all.len())
            .filter(|&i| {
                rows.iter()
                    .any(|(_, v)| v.get(i).is_some_and(|s| !s.is_empty()))
            })
            .collect();
        Preview {
            columns: keep.iter().map(|&i| all[i].id.to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|(row, v)| (row, keep.iter().map(|&i| v[i].clone()).collect()))
                .collect(),
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
    /// Values read otherwise than written, up to [`MAX_PROBLEMS`]; `warnings_total` counts them
    /// all. Warnings never stop an import.
    pub warnings: Vec<Warning>,
    pub warnings_total: u64,
    /// How many warnings of each code.
    pub warning_counts: std::collections::BTreeMap<&'static str, u64>,
    /// The first accepted rows as they will be written.
    pub preview: Preview,
    /// Whether the rows were written.
    pub committed: bool,
    pub dry_run: bool,
    pub rejects_file: Option<String>,
    /// The import's id: its audit entry holds this report, and every record it wrote names it
    /// (`impor` in the record's provenance, beside `berkas` and `baris`).
    pub import_id: String,
    /// The ids of the groups written, kept only for a submission's import
    /// ([`ImportOptions::submission`]).
    #[serde(skip)]
    pub written_ids: Vec<String>,
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
            warnings: Vec::new(),
            warnings_total: 0,
            warning_counts: Default::default(),
            preview: Preview::default(),
            committed: false,
            dry_run,
            rejects_file: None,
            written_ids: Vec::new(),
            import_id: crate::service::users::random_token()
                .chars()
                .take(16)
                .collect(),
        }
    }

    fn push(&mut self, p: Problem) {
        self.problems_total += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    /// A warning past the kept ones: counted only.
    fn count_warning(&mut self, code: &'static str) {
        self.warnings_total += 1;
        *self.warning_counts.entry(code).or_default() += 1;
    }

    fn warn(&mut self, w: Warning) {
        self.count_warning(w.code);
        if self.warnings.len() < MAX_PROBLEMS {
            self.warnings.push(w);
        }
    }

    pub fn ok(&self) -> bool {
        self.problems_total == 0
    }

    /// The batch was rolled back: no row was written, created or updated.
    fn nothing_written(&mut self) {
        self.written = 0;
        self.created = 0;
        self.updated = 0;
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
            ImportError::Store(e) => crate::service::refusals::store_message(e, lang),
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
    /// What the reading of an accepted row reinterpreted (empty, and unallocated, for most).
    warnings: Vec<Warning>,
    /// The same past the first [`MAX_PROBLEMS`] warnings: their codes only, to be counted.
    counted: BareWarnings,
}

/// The codes of a row's warnings that are only counted (a row has at most three: its phone,
/// and its date read otherwise and outside the wave's period), held without an allocation.
#[derive(Debug, Default)]
struct BareWarnings {
    n: u8,
    codes: [&'static str; 4],
}

impl BareWarnings {
    fn push(&mut self, code: &'static str) {
        if let Some(slot) = self.codes.get_mut(usize::from(self.n)) {
            *slot = code;
            self.n += 1;
        }
    }

    fn codes(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.codes[..usize::from(self.n)].iter().copied()
    }
}

impl Record {
    /// The record as the instrument's columns hold it, in export order.
    fn to_fields(&self) -> Vec<String> {
        match self {
            Record::Group(g) => g.to_fields(),
            Record::Network(n) => n.to_fields(),
            Record::Institution(i) => i.to_fields(),
            Record::Tie(t) => t.to_fields(),
        }
    }
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
    // First load: with no group held when the import starts (and none written by anyone else
    // until it ends: `Batch::claim_first_load`), the lookups that could only find rows of this
    // same file are answered from memory and the groups are written as known new (on
    // PostgreSQL, COPY straight into the table). On SQLite the secondary group indexes are
    // also dropped inside the import's transaction and built again before it commits (one
    // sort instead of 4 million random index inserts). A killed or refused import rolls the
    // drop back with everything else.
    let first_load = table == Table::Groups && batch.claim_first_load().await?;
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
        touched: None,
    };

    // Reading and checking run on a thread of their own, a bounded queue ahead of the writes,
    // so that on a 2-core machine the database work and the checks overlap.
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHECKED_QUEUE);
    let checker = Checker {
        table,
        map: map.clone(),
        file_name,
        import_id: report.import_id.clone(),
        allow_duplicates: opts.allow_duplicates,
        first_load,
        keep_cells: rejects.is_some(),
        hasher: std::hash::RandomState::new(),
        seen: HashMap::default(),
        greatest_id: String::new(),
        key: String::new(),
        today,
        wave_date,
        period: wahana_domain::registry::Period {
            start: wave.start_date,
            end: wave.end_date,
        },
        provenance_template: None,
        warnings_detailed: 0,
        within: opts.within.clone(),
        #[cfg(test)]
        fail_at: FAIL_CHECKING_AT.get(),
    };
    let checking = tokio::task::spawn_blocking(move || checker.run(reader, tx));

    let mut preview = Vec::with_capacity(PREVIEW_ROWS);
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
                    Ok(p) => {
                        for w in checked.warnings {
                            report.warn(w);
                        }
                        for code in checked.counted.codes() {
                            report.count_warning(code);
                        }
                        if preview.len() < PREVIEW_ROWS {
                            preview.push((p.row, p.record.to_fields()));
                        }
                        importer.push(p)
                    }
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
    report.preview = Preview::build(table, preview);
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
            // Refused part way (a file not readable to its end, a reading cancelled): the
            // rows flushed so far are rolled back with the rest.
            batch.rollback().await?;
            report.nothing_written();
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

    let mut commit = !opts.dry_run && (report.ok() || opts.accept_clean);
    if let (true, Some(id)) = (commit, opts.submission) {
        let actor = opts.who.as_ref().map(|w| w.0.as_str()).unwrap_or("sistem");
        let group = report.written_ids.first().cloned().unwrap_or_default();
        if !batch.accept_submission(id, &wave.id, &group, actor).await? {
            report.push(Problem {
                code: "already_decided",
                row: None,
                column: None,
                field: "kiriman".into(),
                value: id.to_string(),
                expected_id: format!(
                    "kiriman #{id} sudah diputuskan orang lain: tidak ada yang ditulis"
                ),
                expected_en: format!(
                    "submission #{id} was decided by someone else: nothing was written"
                ),
                whole: true,
            });
            commit = false;
        }
    }
    if commit {
        report.committed = true;
        if let Some(who) = &opts.who {
            batch
                .write_audit(&AuditChange {
                    actor: who.0.clone(),
                    action: "import",
                    entity_kind: "impor",
                    entity_id: report.file.clone(),
                    // An officer's import: their region; else (an admin's, the command
                    // line's) the lowest region holding what it wrote, so that the region's
                    // trail lists it.
                    region_code: opts
                        .within
                        .clone()
                        .or_else(|| importer.touched_region())
                        .map(|w| w.to_string()),
                    after: audit::json(&report),
                    ..Default::default()
                })
                .await?;
        }
        batch.commit().await?;
    } else {
        batch.rollback().await?;
        report.nothing_written();
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

/// A row's id is held by an actor of another kind.
fn id_taken_problem(row: u64, map: &HeaderMap, id: &str, holder: ActorKind) -> Problem {
    let (held_id, _, held_en) = crate::service::refusals::actor_nouns(holder);
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
