//! Reading a table from a CSV or XLSX file, row by row.
//!
//! CSV is streamed: the reader holds one record at a time, so a 1.4 GB file of 4 million rows
//! reads in constant memory. A workbook's sheet is streamed too, by a thread of its own
//! (`super::workbook`): memory follows the cells present, not the size the sheet claims. What a
//! file may hold is bounded ([`super::limits`]); beyond, it is refused with a message naming
//! what was found and the limit.
//!
//! What comes out is text, as a person would read the cells: numbers as Excel shows them
//! (`1990`, not `1990.0`), date cells as ISO dates (`2007-08-14`), row numbers as a spreadsheet
//! shows them (the header row of a CSV is row 1).

use super::workbook::{Feed, SparseRow};
use super::{column_letter, limits};
use calamine::Data;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use wahana_domain::Lang;

/// How much of a CSV the reader looks at to find the header line and its delimiter.
const HEAD_CHUNK: usize = 64 * 1024;
/// Longest header line searched for its end before giving up and counting what was read.
const HEAD_LIMIT: usize = 1024 * 1024;
/// The CSV reader's buffer.
const CSV_BUFFER: usize = 256 * 1024;

/// One data row: the row number a spreadsheet shows (the header is row 1 of a CSV) and the cells,
/// one per header, empty where the row is short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    pub row: u64,
    pub cells: Vec<String>,
}

/// What kind of file a table comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Delimited text: comma, semicolon or tab.
    Csv,
    /// A workbook read through calamine: XLSX and XLSM, and also XLS, XLSB and ODS.
    Xlsx,
}

/// A flag that stops a reading: set it (from any thread) and the reader returns
/// [`ReadError::Cancelled`] at its next row, and a workbook's thread ends at its next cells.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Cancel::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// A guard that cancels when it is dropped: held by the side that awaits the reading, so
    /// that the reading stops when that side goes away (a client that left).
    pub fn on_drop(&self) -> CancelOnDrop {
        CancelOnDrop(self.clone())
    }
}

/// See [`Cancel::on_drop`].
#[derive(Debug)]
pub struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Why a table could not be read. Messages come in both languages ([`ReadError::message`]);
/// `Display` is English.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// A cell is not UTF-8 (the file was saved as "CSV" in a Windows code page).
    #[error("row {row}, column {}: the text is not UTF-8", column_letter(*column))]
    NotUtf8 { row: u64, column: usize },
    /// A UTF-16 text file ("Unicode text" in Excel).
    #[error("the file is UTF-16 text, not UTF-8 CSV")]
    Utf16,
    /// Binary content that is neither a workbook nor text.
    #[error("the file is neither CSV text nor a spreadsheet workbook")]
    NotATable,
    /// calamine could not open or read the workbook.
    #[error("the workbook cannot be read: {message}")]
    Workbook { message: String },
    #[error("no sheet named {sheet:?}; the workbook has: {}", available.join(", "))]
    SheetNotFound {
        sheet: String,
        available: Vec<String>,
    },
    #[error("the workbook has no sheet")]
    NoSheet,
    /// No row with a header in it.
    #[error("the file is empty: no header row")]
    NoHeader,
    /// A non-blank cell beyond [`limits::MAX_COLUMNS`] or [`limits::MAX_SHEET_ROWS`].
    #[error("{}", self.limit_message(Lang::En))]
    CellOutOfRange {
        sheet: String,
        /// As the spreadsheet shows it (1-based).
        row: u64,
        /// 0-based.
        column: u64,
    },
    #[error("{}", self.limit_message(Lang::En))]
    TooManyCells { sheet: String },
    /// A CSV header row wider than [`limits::MAX_COLUMNS`].
    #[error("{}", self.limit_message(Lang::En))]
    TooManyColumns { found: usize },
    /// A CSV longer than [`limits::MAX_CSV_ROWS`].
    #[error("{}", self.limit_message(Lang::En))]
    TooManyRows,
    #[error("{}", self.limit_message(Lang::En))]
    CellTooLong {
        row: u64,
        column: usize,
        chars: usize,
    },
    /// A CSV record longer than [`limits::MAX_CSV_RECORD_BYTES`].
    #[error("{}", self.limit_message(Lang::En))]
    RowTooLong { row: u64 },
    /// A sheet's rows going back (a streamed sheet is read in its order).
    #[error("{}", self.limit_message(Lang::En))]
    RowsOutOfOrder { sheet: String, row: u64, after: u64 },
    /// A zip-based workbook too large once decompressed (all of it, or one part).
    #[error("{}", self.limit_message(Lang::En))]
    ArchiveTooLarge {
        entry: Option<String>,
        size: u64,
        limit: u64,
    },
    /// A part compressed more than [`limits::MAX_COMPRESSION_RATIO`] times: a zip bomb.
    #[error("{}", self.limit_message(Lang::En))]
    ArchiveRatio { entry: String, ratio: u64 },
    #[error("{}", self.limit_message(Lang::En))]
    ArchiveEntries { found: u64 },
    /// An old `.xls` whose sheets span more than [`limits::MAX_XLS_CELLS`].
    #[error("{}", self.limit_message(Lang::En))]
    XlsTooLarge { cells: u64 },
    /// The reading was stopped ([`Cancel`]).
    #[error(
        "the reading was stopped: the request was abandoned or the server is stopping; nothing was imported"
    )]
    Cancelled,
}

impl ReadError {
    /// A stable code for API bodies and logs.
    pub fn code(&self) -> &'static str {
        match self {
            ReadError::Io { .. } => "io",
            ReadError::NotUtf8 { .. } => "not_utf8",
            ReadError::Utf16 => "utf16",
            ReadError::NotATable => "not_a_table",
            ReadError::Workbook { .. } => "workbook",
            ReadError::SheetNotFound { .. } => "sheet_not_found",
            ReadError::NoSheet => "no_sheet",
            ReadError::NoHeader => "no_header",
            ReadError::CellOutOfRange { .. } => "cell_out_of_range",
            ReadError::TooManyCells { .. } => "too_many_cells",
            ReadError::TooManyColumns { .. } => "too_many_columns",
            ReadError::TooManyRows => "too_many_rows",
            ReadError::CellTooLong { .. } => "cell_too_long",
            ReadError::RowTooLong { .. } => "row_too_long",
            ReadError::RowsOutOfOrder { .. } => "rows_out_of_order",
            ReadError::ArchiveTooLarge { .. } => "archive_too_large",
            ReadError::ArchiveRatio { .. } => "archive_ratio",
            ReadError::ArchiveEntries { .. } => "archive_entries",
            ReadError::XlsTooLarge { .. } => "xls_too_large",
            ReadError::Cancelled => "cancelled",
        }
    }

    /// The row the problem is on, where there is one.
    pub fn row(&self) -> Option<u64> {
        match self {
            ReadError::NotUtf8 { row, .. }
            | ReadError::CellTooLong { row, .. }
            | ReadError::RowTooLong { row } => Some(*row),
            ReadError::CellOutOfRange { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// The column the problem is in, as the spreadsheet shows it (`D`), where there is one.
    pub fn column_letter(&self) -> Option<String> {
        match self {
            ReadError::NotUtf8 { column, .. } | ReadError::CellTooLong { column, .. } => {
                Some(column_letter(*column))
            }
            ReadError::CellOutOfRange { column, .. } => Some(column_letter(*column as usize)),
            _ => None,
        }
    }

    /// The message in the user's language, with what to do about it.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ReadError::Io { path, source }, Lang::Id) => {
                format!("{}: tidak dapat dibaca ({source})", path.display())
            }
            (ReadError::NotUtf8 { row, column }, Lang::Id) => format!(
                "baris {row}, kolom {}: teks bukan UTF-8; simpan ulang berkas sebagai \
                 \"CSV UTF-8 (Comma delimited)\" (Excel) atau pilih set karakter Unicode (UTF-8) \
                 (LibreOffice)",
                column_letter(*column)
            ),
            (ReadError::NotUtf8 { row, column }, Lang::En) => format!(
                "row {row}, column {}: the text is not UTF-8; save the file again as \
                 \"CSV UTF-8 (Comma delimited)\" (Excel) or choose the Unicode (UTF-8) character \
                 set (LibreOffice)",
                column_letter(*column)
            ),
            (ReadError::Utf16, Lang::Id) => "berkas berupa teks UTF-16 (\"Unicode Text\"); simpan \
                 ulang sebagai \"CSV UTF-8 (Comma delimited)\" atau sebagai XLSX"
                .to_string(),
            (ReadError::Utf16, Lang::En) => "the file is UTF-16 text (\"Unicode Text\"); save it \
                 again as \"CSV UTF-8 (Comma delimited)\" or as XLSX"
                .to_string(),
            (ReadError::NotATable, Lang::Id) => {
                "berkas bukan teks CSV dan bukan buku kerja spreadsheet (XLSX, XLS, ODS)"
                    .to_string()
            }
            (ReadError::NotATable, Lang::En) => {
                "the file is neither CSV text nor a spreadsheet workbook (XLSX, XLS, ODS)"
                    .to_string()
            }
            (ReadError::Workbook { message }, Lang::Id) => {
                format!("buku kerja tidak dapat dibaca: {message}")
            }
            (ReadError::SheetNotFound { sheet, available }, Lang::Id) => format!(
                "tidak ada lembar bernama \"{sheet}\"; lembar yang ada: {}",
                available.join(", ")
            ),
            (ReadError::NoSheet, Lang::Id) => "buku kerja tidak berisi lembar".to_string(),
            (ReadError::NoHeader, Lang::Id) => {
                "berkas kosong: tidak ada baris judul kolom".to_string()
            }
            (ReadError::Cancelled, Lang::Id) => {
                "pembacaan dihentikan: permintaan ditinggalkan atau server sedang berhenti; tidak ada yang diimpor"
                    .to_string()
            }
            (
                ReadError::CellOutOfRange { .. }
                | ReadError::TooManyCells { .. }
                | ReadError::TooManyColumns { .. }
                | ReadError::TooManyRows
                | ReadError::CellTooLong { .. }
                | ReadError::RowTooLong { .. }
                | ReadError::RowsOutOfOrder { .. }
                | ReadError::ArchiveTooLarge { .. }
                | ReadError::ArchiveRatio { .. }
                | ReadError::ArchiveEntries { .. }
                | ReadError::XlsTooLarge { .. },
                Lang::Id,
            ) => self.limit_message(Lang::Id),
            (e, Lang::En) => e.to_string(),
        }
    }

    /// The messages of the limits ([`super::limits`]): what was found, the limit, what to do.
    fn limit_message(&self, lang: Lang) -> String {
        let id = lang == Lang::Id;
        let n = |v: u64| grouped(v, if id { '.' } else { ',' });
        let mib = |v: u64| format!("{} MiB", n(v.div_ceil(1024 * 1024)));
        match self {
            ReadError::CellOutOfRange { sheet, row, column } => {
                let cell = format!("{}{row}", column_letter(*column as usize));
                let beyond_columns = *column >= limits::MAX_COLUMNS as u64;
                match (id, beyond_columns) {
                    (true, true) => format!(
                        "lembar \"{sheet}\" berisi sel di {cell}, di luar {} kolom yang dibaca \
                         wahana; kosongkan sel itu (atau salin tabelnya saja ke lembar baru) lalu \
                         coba lagi",
                        n(limits::MAX_COLUMNS as u64)
                    ),
                    (true, false) => format!(
                        "lembar \"{sheet}\" berisi sel di {cell}, di luar {} baris yang dibaca \
                         wahana; kosongkan sel itu (atau salin tabelnya saja ke lembar baru) lalu \
                         coba lagi",
                        n(limits::MAX_SHEET_ROWS)
                    ),
                    (false, true) => format!(
                        "the sheet \"{sheet}\" has a cell at {cell}, beyond the {} columns wahana \
                         reads; clear that cell (or copy the table alone to a new sheet) and try \
                         again",
                        n(limits::MAX_COLUMNS as u64)
                    ),
                    (false, false) => format!(
                        "the sheet \"{sheet}\" has a cell at {cell}, beyond the {} rows wahana \
                         reads; clear that cell (or copy the table alone to a new sheet) and try \
                         again",
                        n(limits::MAX_SHEET_ROWS)
                    ),
                }
            }
            ReadError::TooManyCells { sheet } if id => format!(
                "lembar \"{sheet}\" berisi lebih dari {} sel terisi, batas yang dibaca wahana \
                 dari satu lembar; pecah lembarnya atau simpan sebagai CSV",
                n(limits::MAX_SHEET_CELLS)
            ),
            ReadError::TooManyCells { sheet } => format!(
                "the sheet \"{sheet}\" has more than {} non-blank cells, the most wahana reads \
                 from one sheet; split it or save it as CSV",
                n(limits::MAX_SHEET_CELLS)
            ),
            ReadError::TooManyColumns { found } if id => format!(
                "baris judul berisi {} kolom, melebihi {} kolom yang dibaca wahana",
                n(*found as u64),
                n(limits::MAX_COLUMNS as u64)
            ),
            ReadError::TooManyColumns { found } => format!(
                "the header row has {} columns, beyond the {} wahana reads",
                n(*found as u64),
                n(limits::MAX_COLUMNS as u64)
            ),
            ReadError::TooManyRows if id => format!(
                "berkas berisi lebih dari {} baris, batas yang dibaca wahana dari satu berkas; \
                 pecah berkasnya",
                n(limits::MAX_CSV_ROWS)
            ),
            ReadError::TooManyRows => format!(
                "the file has more than {} rows, the most wahana reads from one file; split it",
                n(limits::MAX_CSV_ROWS)
            ),
            ReadError::CellTooLong { row, column, chars } if id => format!(
                "baris {row}, kolom {}: sel berisi {} karakter, melebihi {} karakter yang dibaca \
                 wahana (batas Excel sendiri)",
                column_letter(*column),
                n(*chars as u64),
                n(limits::MAX_CELL_CHARS as u64)
            ),
            ReadError::CellTooLong { row, column, chars } => format!(
                "row {row}, column {}: the cell holds {} characters, beyond the {} wahana reads \
                 (Excel's own limit)",
                column_letter(*column),
                n(*chars as u64),
                n(limits::MAX_CELL_CHARS as u64)
            ),
            ReadError::RowTooLong { row } if id => format!(
                "baris {row} lebih panjang dari {}: apakah ada tanda kutip yang tidak ditutup?",
                mib(limits::MAX_CSV_RECORD_BYTES as u64)
            ),
            ReadError::RowTooLong { row } => format!(
                "row {row} is longer than {}: is a quotation mark left open?",
                mib(limits::MAX_CSV_RECORD_BYTES as u64)
            ),
            ReadError::RowsOutOfOrder { sheet, row, after } if id => format!(
                "lembar \"{sheet}\" mencantumkan baris {row} sesudah baris {after}; buka di \
                 program spreadsheet lalu simpan ulang"
            ),
            ReadError::RowsOutOfOrder { sheet, row, after } => format!(
                "the sheet \"{sheet}\" lists row {row} after row {after}; open it in a \
                 spreadsheet program and save it again"
            ),
            ReadError::ArchiveTooLarge { entry, size, limit } => match (entry, id) {
                (None, true) => format!(
                    "buku kerja berisi {} setelah dibuka (didekompresi), melebihi {} yang dibaca \
                     wahana; simpan tabelnya sebagai CSV",
                    mib(*size),
                    mib(*limit)
                ),
                (None, false) => format!(
                    "the workbook holds {} once decompressed, beyond the {} wahana reads; save \
                     the table as CSV",
                    mib(*size),
                    mib(*limit)
                ),
                (Some(e), true) => format!(
                    "bagian {e} dari buku kerja berisi {} setelah dibuka (didekompresi), melebihi \
                     {} yang dibaca wahana; simpan tabelnya sebagai CSV",
                    mib(*size),
                    mib(*limit)
                ),
                (Some(e), false) => format!(
                    "the part {e} of the workbook holds {} once decompressed, beyond the {} \
                     wahana reads; save the table as CSV",
                    mib(*size),
                    mib(*limit)
                ),
            },
            ReadError::ArchiveRatio { entry, ratio } if id => format!(
                "bagian {entry} dari buku kerja dimampatkan {} kali, melebihi {} kali yang \
                 diterima wahana: bom zip atau berkas rusak",
                n(*ratio),
                n(limits::MAX_COMPRESSION_RATIO)
            ),
            ReadError::ArchiveRatio { entry, ratio } => format!(
                "the part {entry} of the workbook is compressed {} times, beyond the {} times \
                 wahana accepts: a zip bomb or a damaged file",
                n(*ratio),
                n(limits::MAX_COMPRESSION_RATIO)
            ),
            ReadError::ArchiveEntries { found } if id => format!(
                "buku kerja berisi {} bagian, melebihi {} yang dibaca wahana",
                n(*found),
                n(limits::MAX_ARCHIVE_ENTRIES as u64)
            ),
            ReadError::ArchiveEntries { found } => format!(
                "the workbook has {} parts, beyond the {} wahana reads",
                n(*found),
                n(limits::MAX_ARCHIVE_ENTRIES as u64)
            ),
            ReadError::XlsTooLarge { cells } if id => format!(
                "lembar-lembar buku kerja .xls lama ini mencakup {} sel, melebihi {} sel yang \
                 dibaca wahana dari .xls (yang dibaca utuh); simpan sebagai .xlsx atau CSV",
                n(*cells),
                n(limits::MAX_XLS_CELLS)
            ),
            ReadError::XlsTooLarge { cells } => format!(
                "the sheets of this old .xls workbook span {} cells, beyond the {} wahana reads \
                 from an .xls (it is read whole); save it as .xlsx or CSV",
                n(*cells),
                n(limits::MAX_XLS_CELLS)
            ),
            other => other.to_string(),
        }
    }

    pub(super) fn io(path: &Path, source: io::Error) -> ReadError {
        ReadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A number with its thousands grouped: `1,048,576` (English), `1.048.576` (Indonesian).
fn grouped(v: u64, sep: char) -> String {
    let digits = v.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

/// Decides how to read a file: by its first bytes (a ZIP or OLE header is a workbook, whatever
/// the name says), then by its extension.
pub fn detect_kind(path: &Path) -> Result<FileKind, ReadError> {
    let mut head = [0u8; 8];
    let mut file = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let n = read_up_to(&mut file, &mut head).map_err(|e| ReadError::io(path, e))?;
    Ok(kind_from(&head[..n], path))
}

fn kind_from(head: &[u8], path: &Path) -> FileKind {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if head.starts_with(ZIP) || head.starts_with(OLE) {
        return FileKind::Xlsx;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        // A workbook extension on a file that is not a ZIP: let calamine say what is wrong.
        "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" if !looks_like_text(head) => FileKind::Xlsx,
        _ => FileKind::Csv,
    }
}

fn looks_like_text(head: &[u8]) -> bool {
    !head.is_empty() && !head.contains(&0)
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Opens a table: a CSV file, or a sheet of a workbook (the first unless `sheet` names one,
/// matched ignoring case). The header row is read; rows follow from [`TableReader::read_into`]
/// or the `Iterator`.
pub fn open_table(path: &Path, sheet: Option<&str>) -> Result<TableReader, ReadError> {
    open_table_until(path, sheet, Cancel::new())
}

/// [`open_table`], stopping with [`ReadError::Cancelled`] once `cancel` is set.
pub fn open_table_until(
    path: &Path,
    sheet: Option<&str>,
    cancel: Cancel,
) -> Result<TableReader, ReadError> {
    let mut reader = match detect_kind(path)? {
        FileKind::Csv => open_csv(path)?,
        FileKind::Xlsx => open_sheet(path, sheet, cancel.clone())?,
    };
    reader.cancel = cancel;
    Ok(reader)
}

/// A table being read: its headers, then its rows.
///
/// Headers that are empty at the end of the header row are dropped, with their cells. Rows whose
/// cells are all empty are skipped (their row numbers still count).
pub struct TableReader {
    /// The header row's cells, as written (not trimmed).
    pub headers: Vec<String>,
    /// The row number of the header row.
    pub header_row: u64,
    /// The spreadsheet column of `headers[0]` (0 = A); a sheet's table may start further right.
    pub first_column: usize,
    pub kind: FileKind,
    /// The sheet read, for workbooks.
    pub sheet: Option<String>,
    /// The delimiter found, for CSV.
    pub delimiter: Option<u8>,
    source: Source,
    cancel: Cancel,
}

enum Source {
    Csv(Box<CsvSource>),
    Sheet(SheetSource),
}

impl TableReader {
    /// Reads the next non-empty row into `cells` (resized to the number of headers, reusing its
    /// strings), returning its row number, or `None` at the end. This is the fast path.
    pub fn read_into(&mut self, cells: &mut Vec<String>) -> Result<Option<u64>, ReadError> {
        if self.cancel.is_cancelled() {
            return Err(ReadError::Cancelled);
        }
        let width = self.headers.len();
        if cells.len() != width {
            cells.resize_with(width, String::new);
        }
        match &mut self.source {
            Source::Csv(s) => s.read_into(cells),
            Source::Sheet(s) => s.read_into(cells),
        }
    }

    /// Reads the next non-empty row.
    pub fn next_row(&mut self) -> Result<Option<RawRow>, ReadError> {
        let mut cells = Vec::new();
        Ok(self.read_into(&mut cells)?.map(|row| RawRow { row, cells }))
    }

    /// Maps this table's headers (see [`super::headers::map_headers`]), naming columns by the
    /// letters the spreadsheet shows.
    pub fn map_headers(
        &self,
        table: Option<wahana_domain::instrument::Table>,
        ignore_unknown: bool,
    ) -> Result<super::HeaderMap, Vec<super::HeaderProblem>> {
        super::headers::map_headers_at(table, &self.headers, self.first_column, ignore_unknown)
    }
}

impl Iterator for TableReader {
    type Item = Result<RawRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_row().transpose()
    }
}

// ---------------------------------------------------------------------------------------------
// CSV

/// A CSV being read with `csv-core`, which leaves the buffering to us: that way the empty lines
/// it would skip unseen are counted, and a record's row is what a spreadsheet shows (one row per
/// record, however many line breaks its quoted cells hold, and one per empty line).
struct CsvSource {
    path: PathBuf,
    input: Box<dyn Read + Send>,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    core: csv_core::Reader,
    /// The current record's field bytes, one after another, and where each field ends.
    out: Vec<u8>,
    ends: Vec<usize>,
    nfields: usize,
    /// Rows so far, as a spreadsheet counts them: records and empty lines.
    rows: u64,
    /// The last record ended on a carriage return, so a line feed that follows ends the same row.
    pending_cr: bool,
    /// The last byte csv-core consumed.
    last_byte: u8,
    width: usize,
}

impl CsvSource {
    fn new(path: PathBuf, head: Vec<u8>, input: Box<dyn Read + Send>, delimiter: u8) -> Self {
        let len = head.len();
        CsvSource {
            path,
            input,
            buf: head,
            pos: 0,
            len,
            eof: false,
            core: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            nfields: 0,
            rows: 0,
            pending_cr: false,
            last_byte: 0,
            width: 0,
        }
    }

    /// Refills the buffer once it is all consumed.
    fn fill(&mut self) -> Result<(), ReadError> {
        if self.eof {
            return Ok(());
        }
        if self.buf.len() < CSV_BUFFER {
            self.buf.resize(CSV_BUFFER, 0);
        }
        let n = loop {
            match self.input.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(ReadError::io(&self.path, e)),
            }
        };
        self.pos = 0;
        self.len = n;
        self.eof = n == 0;
        Ok(())
    }

    fn field(&self, i: usize) -> Option<&[u8]> {
        if i >= self.nfields {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.out.get(start..self.ends[i])
    }

    fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.nfields).filter_map(|i| self.field(i))
    }

    /// Reads the next record, whatever it holds; returns its row number.
    fn next_record(&mut self) -> Result<Option<u64>, ReadError> {
        // Empty lines: csv-core would skip them unseen; skip them here, counting them.
        loop {
            if self.pos == self.len {
                if self.eof {
                    return Ok(None);
                }
                self.fill()?;
                continue;
            }
            match self.buf[self.pos] {
                b'\n' if self.pending_cr => self.pending_cr = false,
                b'\n' => self.rows += 1,
                b'\r' => {
                    self.rows += 1;
                    self.pending_cr = true;
                }
                _ => break,
            }
            self.pos += 1;
        }
        self.pending_cr = false;
        self.rows += 1;
        if self.rows > limits::MAX_CSV_ROWS {
            return Err(ReadError::TooManyRows);
        }
        let row = self.rows;
        let (mut nout, mut nend) = (0, 0);
        loop {
            let input = &self.buf[self.pos..self.len];
            let (result, nin, o, e) =
                self.core
                    .read_record(input, &mut self.out[nout..], &mut self.ends[nend..]);
            if nin > 0 {
                self.last_byte = input[nin - 1];
            }
            self.pos += nin;
            nout += o;
            nend += e;
            match result {
                csv_core::ReadRecordResult::InputEmpty => self.fill()?,
                csv_core::ReadRecordResult::OutputFull => {
                    let grown = self.out.len() * 2;
                    if grown > limits::MAX_CSV_RECORD_BYTES {
                        return Err(ReadError::RowTooLong { row });
                    }
                    self.out.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    // Empty fields take no bytes in `out`: bound their count too.
                    let grown = self.ends.len() * 2;
                    if grown > limits::MAX_CSV_RECORD_BYTES / 16 {
                        return Err(ReadError::RowTooLong { row });
                    }
                    self.ends.resize(grown, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    self.nfields = nend;
                    self.pending_cr = self.last_byte == b'\r';
                    self.last_byte = 0;
                    return Ok(Some(row));
                }
                csv_core::ReadRecordResult::End => return Ok(None),
            }
        }
    }

    fn read_into(&mut self, cells: &mut [String]) -> Result<Option<u64>, ReadError> {
        loop {
            let Some(row) = self.next_record()? else {
                return Ok(None);
            };
            let blank = (0..self.width.min(self.nfields))
                .filter_map(|i| self.field(i))
                .all(|f| f.iter().all(u8::is_ascii_whitespace));
            if blank {
                continue;
            }
            for (i, cell) in cells.iter_mut().enumerate() {
                cell.clear();
                if let Some(bytes) = self.field(i) {
                    let text = std::str::from_utf8(bytes)
                        .map_err(|_| ReadError::NotUtf8 { row, column: i })?;
                    check_length(text, row, i)?;
                    cell.push_str(text);
                }
            }
            return Ok(Some(row));
        }
    }
}

fn open_csv(path: &Path) -> Result<TableReader, ReadError> {
    let mut file = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let mut head = vec![0u8; HEAD_CHUNK];
    let n = read_up_to(&mut file, &mut head).map_err(|e| ReadError::io(path, e))?;
    head.truncate(n);
    // Make sure the header line is whole before counting delimiters in it.
    while head.len() < HEAD_LIMIT && header_line_end(strip_bom(&head)).is_none() {
        let mut more = vec![0u8; HEAD_CHUNK];
        let k = read_up_to(&mut file, &mut more).map_err(|e| ReadError::io(path, e))?;
        if k == 0 {
            break;
        }
        head.extend_from_slice(&more[..k]);
    }
    csv_from_parts(path, head, Box::new(file))
}

/// Builds a CSV reader from the first bytes of the input (already read) and the rest of it.
fn csv_from_parts(
    path: &Path,
    mut head: Vec<u8>,
    rest: Box<dyn Read + Send>,
) -> Result<TableReader, ReadError> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(ReadError::Utf16);
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        head.drain(..3);
    }
    if head.iter().take(4096).any(|&b| b == 0) {
        // UTF-16 without a byte-order mark has a NUL in every other byte.
        let nuls = head.iter().take(4096).filter(|&&b| b == 0).count();
        let sample = head.len().min(4096);
        return Err(if nuls * 3 >= sample {
            ReadError::Utf16
        } else {
            ReadError::NotATable
        });
    }
    // Excel's "sep=;" first line names the delimiter; Excel does not show it as a row.
    let mut delimiter = None;
    if let Some(rest_of_line) = head.strip_prefix(b"sep=")
        && let Some(&d) = rest_of_line.first()
        && rest_of_line
            .get(1)
            .is_none_or(|&b| b == b'\r' || b == b'\n')
    {
        delimiter = Some(d);
        let skip = head
            .iter()
            .position(|&b| b == b'\n')
            .map_or(head.len(), |i| i + 1);
        head.drain(..skip);
    }
    let delimiter = delimiter.unwrap_or_else(|| detect_delimiter(&head));
    let mut source = CsvSource::new(path.to_path_buf(), head, rest, delimiter);
    // The header is the first row with anything in it.
    let header_row = loop {
        let Some(row) = source.next_record()? else {
            return Err(ReadError::NoHeader);
        };
        if source
            .fields()
            .any(|f| !f.iter().all(u8::is_ascii_whitespace))
        {
            break row;
        }
    };
    let mut headers = Vec::with_capacity(source.nfields);
    for (i, field) in source.fields().enumerate() {
        let text = std::str::from_utf8(field).map_err(|_| ReadError::NotUtf8 {
            row: header_row,
            column: i,
        })?;
        check_length(text, header_row, i)?;
        headers.push(text.to_string());
    }
    drop_trailing_blanks(&mut headers);
    if headers.len() > limits::MAX_COLUMNS {
        return Err(ReadError::TooManyColumns {
            found: headers.len(),
        });
    }
    source.width = headers.len();
    Ok(TableReader {
        headers,
        header_row,
        first_column: 0,
        kind: FileKind::Csv,
        sheet: None,
        delimiter: Some(delimiter),
        source: Source::Csv(Box::new(source)),
        cancel: Cancel::new(),
    })
}

/// Refuses a cell longer than [`limits::MAX_CELL_CHARS`] characters.
fn check_length(text: &str, row: u64, column: usize) -> Result<(), ReadError> {
    if text.len() > limits::MAX_CELL_CHARS {
        let chars = text.chars().count();
        if chars > limits::MAX_CELL_CHARS {
            return Err(ReadError::CellTooLong { row, column, chars });
        }
    }
    Ok(())
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes)
}

/// Where the first line ends, ignoring line breaks inside quotes.
fn header_line_end(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// The delimiter of the header line (the first line with more than delimiters and spaces in
/// it): the most frequent of `,`, `;` and tab outside quotes; a comma when there is none (a
/// one-column file) or on a tie.
fn detect_delimiter(bytes: &[u8]) -> u8 {
    let mut rest = bytes;
    let line = loop {
        let end = header_line_end(rest).unwrap_or(rest.len());
        let line = &rest[..end];
        let filler = |b: &u8| matches!(b, b',' | b';' | b'\t' | b' ' | b'\r' | b'\n');
        if !line.iter().all(filler) || end == rest.len() {
            break line;
        }
        rest = &rest[end + 1..];
    };
    let (mut commas, mut semicolons, mut tabs) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for &b in line {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            b'\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if semicolons > commas && semicolons >= tabs {
        b';'
    } else if tabs > commas && tabs > semicolons {
        b'\t'
    } else {
        b','
    }
}

fn drop_trailing_blanks(headers: &mut Vec<String>) {
    while headers.last().is_some_and(|h| h.trim().is_empty()) {
        headers.pop();
    }
}

// ---------------------------------------------------------------------------------------------
// Workbooks

/// A sheet being read by its thread (`super::workbook`), one batch of non-blank rows at a time.
struct SheetSource {
    rx: Receiver<Feed>,
    batch: std::vec::IntoIter<SparseRow>,
    /// The spreadsheet column of the first header (0-based), and how many headers.
    first_column: usize,
    width: usize,
    done: bool,
    /// Tells the thread the rows are no longer wanted.
    stop: Arc<AtomicBool>,
}

impl Drop for SheetSource {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl SheetSource {
    /// The next non-blank row of the sheet, whatever its columns.
    fn next_sparse(&mut self) -> Result<Option<SparseRow>, ReadError> {
        loop {
            if let Some(row) = self.batch.next() {
                return Ok(Some(row));
            }
            if self.done {
                return Ok(None);
            }
            match self.rx.recv() {
                Ok(Feed::Rows(rows)) => self.batch = rows.into_iter(),
                Ok(Feed::Start { .. }) => {}
                Ok(Feed::End) => self.done = true,
                Ok(Feed::Failed(e)) => {
                    self.done = true;
                    return Err(e);
                }
                Err(_) => {
                    self.done = true;
                    return Err(ReadError::Workbook {
                        message: "the reading of the sheet stopped before its end".into(),
                    });
                }
            }
        }
    }

    fn read_into(&mut self, cells: &mut [String]) -> Result<Option<u64>, ReadError> {
        let columns = self.first_column..self.first_column + self.width;
        loop {
            let Some(row) = self.next_sparse()? else {
                return Ok(None);
            };
            if !row.cells.iter().any(|(c, _)| columns.contains(c)) {
                continue;
            }
            for cell in cells.iter_mut() {
                cell.clear();
            }
            for (c, text) in row.cells {
                if let Some(slot) = c
                    .checked_sub(self.first_column)
                    .and_then(|j| cells.get_mut(j))
                {
                    *slot = text;
                }
            }
            return Ok(Some(row.row));
        }
    }
}

fn open_sheet(path: &Path, sheet: Option<&str>, cancel: Cancel) -> Result<TableReader, ReadError> {
    let stop = Arc::new(AtomicBool::new(false));
    let rx = super::workbook::spawn(path, sheet, cancel, stop.clone())?;
    let mut source = SheetSource {
        rx,
        batch: Vec::new().into_iter(),
        first_column: 0,
        width: 0,
        done: false,
        stop,
    };
    let name = match source.rx.recv() {
        Ok(Feed::Start { sheet }) => sheet,
        Ok(Feed::Failed(e)) => return Err(e),
        _ => {
            return Err(ReadError::Workbook {
                message: "the sheet could not be read".into(),
            });
        }
    };
    // The header is the first row with anything in it; the table starts at its first cell.
    let header = source.next_sparse()?.ok_or(ReadError::NoHeader)?;
    let first_column = header.cells.first().map_or(0, |c| c.0);
    let last_column = header.cells.last().map_or(first_column, |c| c.0);
    let mut headers = vec![String::new(); last_column - first_column + 1];
    for (c, text) in header.cells {
        if let Some(slot) = c.checked_sub(first_column).and_then(|j| headers.get_mut(j)) {
            *slot = text;
        }
    }
    drop_trailing_blanks(&mut headers);
    source.first_column = first_column;
    source.width = headers.len();
    Ok(TableReader {
        headers,
        header_row: header.row,
        first_column,
        kind: FileKind::Xlsx,
        sheet: Some(name),
        delimiter: None,
        source: Source::Sheet(source),
        cancel: Cancel::new(),
    })
}

/// Appends a cell's text as a person reads it in the spreadsheet.
pub(super) fn push_cell_text(out: &mut String, data: &Data) {
    use std::fmt::Write as _;
    match data {
        Data::Empty => {}
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => out.push_str(s),
        Data::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Data::Float(f) => push_number(out, *f),
        Data::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _ms) = dt.to_ymd_hms_milli();
            let serial = dt.as_f64();
            if (0.0..1.0).contains(&serial) {
                // A time of day with no date.
                let _ = write!(out, "{h:02}:{mi:02}:{s:02}");
            } else if (h, mi, s) == (0, 0, 0) {
                let _ = write!(out, "{y:04}-{mo:02}-{d:02}");
            } else {
                let _ = write!(out, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            }
        }
        Data::DateTime(dt) => push_number(out, dt.as_f64()),
        Data::Error(e) => {
            let _ = write!(out, "{e}");
        }
    }
}

/// A number as Excel shows it in General format: whole numbers without a decimal point,
/// others in their shortest exact form.
pub(super) fn push_number(out: &mut String, f: f64) {
    use std::fmt::Write as _;
    if f.fract() == 0.0 && f.abs() < 1e15 {
        let _ = write!(out, "{}", f as i64);
    } else {
        let _ = write!(out, "{f}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn csv_text(bytes: &[u8]) -> TableReader {
        csv_from_parts(Path::new("test.csv"), bytes.to_vec(), Box::new(io::empty())).unwrap()
    }

    fn rows(mut r: TableReader) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        while let Some(row) = r.next_row().unwrap() {
            out.push((row.row, row.cells));
        }
        out
    }

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn delimiter_detection_table() {
        for (line, want) in [
            ("a,b,c\n", b','),
            ("a;b;c\n", b';'),
            ("a\tb\tc\n", b'\t'),
            ("\"x;y\",b,c\n", b','),
            ("\"x,y,z\";b;c\n", b';'),
            ("nama\n", b','),
            ("a,b;c\n", b','),
            ("\n\r\na;b\n", b';'),
            (";;\n\nnama,jenis\n", b','),
            (",,,\r\nnama;jenis;asal\r\n", b';'),
        ] {
            assert_eq!(
                detect_delimiter(line.as_bytes()) as char,
                want as char,
                "{line:?}"
            );
        }
    }

    #[test]
    fn semicolon_bom_crlf() {
        let r = csv_text(b"\xEF\xBB\xBFnama;jenis\r\nArisan Ta';arisan\r\nPKK Biru;pkk\r\n");
        assert_eq!(r.delimiter, Some(b';'));
        assert_eq!(r.headers, cells(&["nama", "jenis"]));
        assert_eq!(
            rows(r),
            vec![
                (2, cells(&["Arisan Ta'", "arisan"])),
                (3, cells(&["PKK Biru", "pkk"]))
            ]
        );
    }

    #[test]
    fn quotes_apostrophes_and_multiline_cells_keep_row_numbers() {
        let text = "nama,catatan\n\
                    \"Arisan \"\"Bunga\"\"\",\"satu\r\ndua\"\n\
                    Jeppe'e,Regapu\u{2019}u\n\
                    \n\
                    \"Ta'\",\"a,b\"\n";
        let got = rows(csv_text(text.as_bytes()));
        assert_eq!(
            got,
            vec![
                (2, cells(&["Arisan \"Bunga\"", "satu\r\ndua"])),
                (3, cells(&["Jeppe'e", "Regapu\u{2019}u"])),
                // The blank line is row 4, as a spreadsheet shows it.
                (5, cells(&["Ta'", "a,b"])),
            ]
        );
    }

    #[test]
    fn trailing_empty_columns_and_rows() {
        let text = "nama;jenis;;\r\nA;arisan;;\r\n;;;\r\nB;pkk;;x\r\n;;;\r\n;;;\r\n";
        let r = csv_text(text.as_bytes());
        assert_eq!(r.headers, cells(&["nama", "jenis"]));
        assert_eq!(
            rows(r),
            vec![(2, cells(&["A", "arisan"])), (4, cells(&["B", "pkk"])),]
        );
    }

    #[test]
    fn short_rows_are_padded_and_header_after_blank_lines() {
        let text = ",,\n\nnama,jenis,asal\nA\n";
        let r = csv_text(text.as_bytes());
        assert_eq!(r.header_row, 3);
        assert_eq!(rows(r), vec![(4, cells(&["A", "", ""]))]);
    }

    /// Row numbers do not depend on where the input's chunks end (a CR at the end of one chunk
    /// and its LF at the start of the next, a quoted line break split).
    #[test]
    fn rows_are_the_same_whatever_the_chunking() {
        struct OneByte(Vec<u8>, usize);
        impl Read for OneByte {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                match (self.0.get(self.1), buf.first_mut()) {
                    (Some(b), Some(slot)) => {
                        *slot = *b;
                        self.1 += 1;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let text: &[u8] = b"\xEF\xBB\xBFnama;catatan\r\n\r\nA;\"x\r\ny\"\r\n;\r\n\r\nB;z\r\n\nC;w";
        let whole = rows(csv_text(text));
        assert_eq!(
            whole,
            vec![
                (3, cells(&["A", "x\r\ny"])),
                (6, cells(&["B", "z"])),
                (8, cells(&["C", "w"])),
            ]
        );
        // As `open_csv` does, the first chunk holds the header line: here it ends on its CR.
        let cut = 3 + "nama;catatan\r".len();
        let head = text[..cut].to_vec();
        let split = csv_from_parts(
            Path::new("t"),
            head,
            Box::new(OneByte(text[cut..].to_vec(), 0)),
        )
        .unwrap();
        assert_eq!(rows(split), whole);
    }

    #[test]
    fn excel_sep_line_is_not_a_row() {
        let r = csv_text(b"sep=;\r\nnama;jenis\r\nA;arisan\r\n");
        assert_eq!(r.delimiter, Some(b';'));
        assert_eq!(r.header_row, 1);
        assert_eq!(rows(r), vec![(2, cells(&["A", "arisan"]))]);
    }

    #[test]
    fn invalid_utf8_names_row_and_column() {
        let mut r = csv_text(b"nama;catatan\r\nA;ok\r\nB;Regapu\x92u\r\n");
        assert!(r.next_row().unwrap().is_some());
        let err = r.next_row().unwrap_err();
        assert!(
            matches!(err, ReadError::NotUtf8 { row: 3, column: 1 }),
            "{err:?}"
        );
        assert!(err.message(Lang::En).contains("row 3, column B"));
        assert_eq!(err.row(), Some(3));
        assert_eq!(err.column_letter().as_deref(), Some("B"));
        assert!(err.message(Lang::En).contains("CSV UTF-8"));
        assert!(err.message(Lang::Id).contains("baris 3, kolom B"));
    }

    #[test]
    fn utf16_and_binary_are_refused_clearly() {
        let err = csv_from_parts(
            Path::new("t"),
            b"\xFF\xFEn\0a\0".to_vec(),
            Box::new(io::empty()),
        )
        .err()
        .unwrap();
        assert!(matches!(err, ReadError::Utf16));
        let err = csv_from_parts(
            Path::new("t"),
            b"n\0a\0m\0a\0".to_vec(),
            Box::new(io::empty()),
        )
        .err()
        .unwrap();
        assert!(matches!(err, ReadError::Utf16));
        let err = csv_from_parts(Path::new("t"), Vec::new(), Box::new(io::empty()))
            .err()
            .unwrap();
        assert!(matches!(err, ReadError::NoHeader));
    }

    #[test]
    fn header_split_across_chunks_is_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.csv");
        // Three long headers (each within the cell limit) make a line longer than a chunk.
        let long = "x".repeat(HEAD_CHUNK / 3 + 10);
        let mut f = File::create(&path).unwrap();
        write!(f, "{long};{long};{long};b;c\r\n1;2;3;4;5\r\n").unwrap();
        drop(f);
        let r = open_table(&path, None).unwrap();
        assert_eq!(r.delimiter, Some(b';'));
        assert_eq!(r.headers.len(), 5);
        assert_eq!(rows(r), vec![(2, cells(&["1", "2", "3", "4", "5"]))]);
    }

    #[test]
    fn read_into_reuses_the_buffer() {
        let mut r = csv_text(b"a,b\n1,2\n3,4\n");
        let mut buf = Vec::new();
        assert_eq!(r.read_into(&mut buf).unwrap(), Some(2));
        assert_eq!(buf, cells(&["1", "2"]));
        assert_eq!(r.read_into(&mut buf).unwrap(), Some(3));
        assert_eq!(buf, cells(&["3", "4"]));
        assert_eq!(r.read_into(&mut buf).unwrap(), None);
    }

    #[test]
    fn kind_by_magic_then_extension() {
        let p = Path::new;
        assert_eq!(kind_from(b"PK\x03\x04..", p("a.csv")), FileKind::Xlsx);
        assert_eq!(kind_from(b"nama,jenis", p("a.xlsx")), FileKind::Csv);
        assert_eq!(kind_from(b"nama,jenis", p("a.TXT")), FileKind::Csv);
        assert_eq!(kind_from(b"\x00\x01", p("a.XLSX")), FileKind::Xlsx);
        assert_eq!(kind_from(b"nama", p("a")), FileKind::Csv);
    }

    #[test]
    fn xlsx_round_trip_numbers_dates_and_row_numbers() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut wb = Workbook::new();
        let first = wb.add_worksheet();
        first.set_name("petunjuk").unwrap();
        first.write_string(0, 0, "Isi lembar kelompok").unwrap();
        let ws = wb.add_worksheet();
        ws.set_name("Kelompok").unwrap();
        let date = Format::new().set_num_format("dd/mm/yyyy");
        // The table starts at B3: two empty rows and an empty column before it.
        for (c, h) in [
            "nama",
            "tahun_berdiri",
            "lintang",
            "tanggal_pendataan",
            "aktif",
            "",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(2, 1 + c as u16, *h).unwrap();
        }
        ws.write_string(3, 1, "Arisan Ta'").unwrap();
        ws.write_number(3, 2, 1990.0).unwrap();
        ws.write_number(3, 3, -4.535727).unwrap();
        ws.write_datetime_with_format(3, 4, ExcelDateTime::from_ymd(2007, 8, 14).unwrap(), &date)
            .unwrap();
        ws.write_boolean(3, 5, true).unwrap();
        // Row 5 is empty and skipped; row 6 has a date with a time.
        ws.write_string(5, 1, "PKK").unwrap();
        ws.write_number(5, 2, 12.5).unwrap();
        let dt = ExcelDateTime::parse_from_str("2024-01-31 13:45:10").unwrap();
        ws.write_datetime_with_format(
            5,
            4,
            dt,
            &Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
        )
        .unwrap();
        wb.save(&path).unwrap();

        let err = open_table(&path, Some("ikatan")).err().unwrap();
        assert!(err.to_string().contains("petunjuk, Kelompok"), "{err}");

        let r = open_table(&path, Some("kelompok")).unwrap();
        assert_eq!(r.kind, FileKind::Xlsx);
        assert_eq!(r.header_row, 3);
        assert_eq!(r.first_column, 1);
        assert_eq!(
            r.headers,
            cells(&[
                "nama",
                "tahun_berdiri",
                "lintang",
                "tanggal_pendataan",
                "aktif"
            ])
        );
        assert_eq!(
            rows(r),
            vec![
                (
                    4,
                    cells(&["Arisan Ta'", "1990", "-4.535727", "2007-08-14", "true"])
                ),
                (6, cells(&["PKK", "12.5", "", "2024-01-31T13:45:10", ""])),
            ]
        );

        // Without a sheet name, the first sheet.
        let r = open_table(&path, None).unwrap();
        assert_eq!(r.sheet.as_deref(), Some("petunjuk"));
    }

    fn hostile(name: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/hostile")
            .join(name)
    }

    /// A zip of the given parts, deflated.
    fn write_zip(path: &Path, parts: &[(&str, &str)]) {
        use zip::write::SimpleFileOptions;
        let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
        for (name, body) in parts {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(body.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }

    /// An XLSX of one sheet, "kelompok", with the given `sheetData` content.
    fn write_xlsx(path: &Path, sheet_data: &str) {
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
        let workbook = r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="kelompok" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
        let workbook_rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
        let sheet = format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData>{sheet_data}</sheetData></worksheet>"#
        );
        write_zip(
            path,
            &[
                ("_rels/.rels", rels),
                ("xl/workbook.xml", workbook),
                ("xl/_rels/workbook.xml.rels", workbook_rels),
                ("xl/worksheets/sheet1.xml", &sheet),
            ],
        );
    }

    fn inline(cell: &str, text: &str) -> String {
        format!(r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    /// The probe's file: a table, then one cell at XFD1048576. It used to make the reader
    /// allocate a dense grid of 1,048,576 × 16,384 cells and abort the process.
    #[test]
    fn a_cell_at_xfd1048576_is_refused_with_its_address() {
        let mut r = open_table(&hostile("xfd1048576.xlsx"), None).unwrap();
        assert_eq!(r.headers.len(), 6);
        assert_eq!(r.next_row().unwrap().unwrap().row, 2);
        assert_eq!(r.next_row().unwrap().unwrap().row, 3);
        let err = r.next_row().unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::CellOutOfRange {
                    row: 1_048_576,
                    column: 16_383,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.code(), "cell_out_of_range");
        assert_eq!(err.row(), Some(1_048_576));
        assert_eq!(err.column_letter().as_deref(), Some("XFD"));
        assert!(
            err.message(Lang::En).contains(
                "the sheet \"kelompok\" has a cell at XFD1048576, beyond the 1,024 columns \
                 wahana reads"
            ),
            "{}",
            err.message(Lang::En)
        );
        assert!(
            err.message(Lang::Id)
                .contains("sel di XFD1048576, di luar 1.024 kolom yang dibaca wahana"),
            "{}",
            err.message(Lang::Id)
        );
    }

    /// A sparse sheet costs its cells: far rows read with their numbers, styled blank cells far
    /// right and a dimension claiming the whole sheet cost nothing, the last column read is
    /// AMJ (1,024 columns) and AMK is refused.
    #[test]
    fn sparse_sheets_read_in_the_memory_of_their_cells() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sparse.xlsx");
        let data = format!(
            r#"<row r="2">{}{}</row><row r="3">{}<c r="XFD3" s="1"/><c r="ZZ3" t="inlineStr"><is><t>  </t></is></c></row><row r="5"><c r="AMJ5"><v>7</v></c></row><row r="1000000">{}{}</row><row r="1048576">{}</row>"#,
            inline("B2", "nama"),
            inline("C2", "jenis"),
            inline("B3", "Arisan"),
            inline("C1000000", "pkk"),
            inline("AMJ1000000", "far but within"),
            inline("B1048576", "Last"),
        );
        write_xlsx(&path, &data);
        let r = open_table(&path, None).unwrap();
        assert_eq!((r.header_row, r.first_column), (2, 1));
        assert_eq!(r.headers, cells(&["nama", "jenis"]));
        assert_eq!(
            rows(r),
            vec![
                (3, cells(&["Arisan", ""])),
                (1_000_000, cells(&["", "pkk"])),
                (1_048_576, cells(&["Last", ""])),
            ]
        );

        write_xlsx(
            &path,
            &format!(
                r#"<row r="1">{}</row><row r="4"><c r="AMK4"><v>1</v></c></row>"#,
                inline("A1", "nama")
            ),
        );
        let mut r = open_table(&path, None).unwrap();
        let err = r.next_row().unwrap_err();
        assert!(err.message(Lang::En).contains("a cell at AMK4"), "{err}");

        write_xlsx(
            &path,
            &format!(
                r#"<row r="1">{}</row><row r="1048577">{}</row>"#,
                inline("A1", "nama"),
                inline("A1048577", "x")
            ),
        );
        let mut r = open_table(&path, None).unwrap();
        let err = r.next_row().unwrap_err();
        assert!(
            err.message(Lang::En)
                .contains("a cell at A1048577, beyond the 1,048,576 rows wahana reads"),
            "{err}"
        );
    }

    /// calamine reserves room for the strings a shared strings table claims: ten billion of
    /// them would abort the process.
    #[test]
    fn a_shared_strings_table_claiming_too_much_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        write_zip(
            &path,
            &[
                (
                    "_rels/.rels",
                    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
                ),
                (
                    "xl/workbook.xml",
                    r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="kelompok" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
                ),
                (
                    "xl/sharedStrings.xml",
                    r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="10000000000"><si><t>nama</t></si></sst>"#,
                ),
                (
                    "xl/worksheets/sheet1.xml",
                    r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#,
                ),
            ],
        );
        let err = open_table(&path, None).err().unwrap();
        assert!(
            err.to_string()
                .contains("claims 10000000000 strings in 123 bytes"),
            "{err}"
        );
    }

    #[test]
    fn zip_bombs_are_refused_before_decompressing() {
        let err = open_table(&hostile("zip_bomb.xlsx"), None).err().unwrap();
        assert!(
            matches!(&err, ReadError::ArchiveRatio { entry, ratio }
                if entry == "xl/worksheets/sheet1.xml" && *ratio > limits::MAX_COMPRESSION_RATIO),
            "{err:?}"
        );
        assert_eq!(err.code(), "archive_ratio");
        assert!(err.message(Lang::En).contains("a zip bomb"), "{err}");
        assert!(err.message(Lang::Id).contains("bom zip"), "{err}");
    }

    #[test]
    fn ods_repeats_cost_nothing_when_empty_and_are_refused_when_full() {
        let mut r = open_table(&hostile("rows_repeated.ods"), None).unwrap();
        assert_eq!(r.headers.len(), 6);
        assert_eq!(r.next_row().unwrap().unwrap().row, 2);
        let err = r.next_row().unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::CellOutOfRange {
                    row: 2_000_000_002,
                    column: 0,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.message(Lang::En).contains("beyond the 1,048,576 rows"));
    }

    #[test]
    fn ods_values_text_and_sheets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.ods");
        let content = r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="petunjuk"><table:table-row><table:table-cell office:value-type="string"><text:p>Isi lembar kelompok</text:p></table:table-cell></table:table-row></table:table>
<table:table table:name="Kelompok"><table:table-column table:number-columns-repeated="1024"/>
<table:table-row><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
<table:table-row><table:table-cell/><table:table-cell office:value-type="string"><text:p>nama</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>tahun</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>tanggal</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>aktif</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>catatan</text:p></table:table-cell><table:table-cell table:number-columns-repeated="16378"/></table:table-row>
<table:table-row><table:table-cell/><table:table-cell office:value-type="string"><text:p>Arisan <text:span>Ta&apos;</text:span><text:s text:c="3"/>&amp; co</text:p><office:annotation><text:p>a note</text:p></office:annotation></table:table-cell><table:table-cell office:value-type="float" office:value="1990"><text:p>1.990</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2007-08-14"><text:p>14/08/07</text:p></table:table-cell><table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>satu<text:tab/>dua<text:line-break/>tiga</text:p><text:p>empat</text:p></table:table-cell></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
<table:table-row table:number-rows-repeated="2"><table:table-cell/><table:table-cell table:number-columns-repeated="2" office:value-type="float" office:value="-4.5"><text:p>-4,5</text:p></table:table-cell><table:covered-table-cell/></table:table-row>
<table:table-row table:number-rows-repeated="1048471"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
        write_zip(
            &path,
            &[
                ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
                ("content.xml", content),
            ],
        );
        let err = open_table(&path, Some("ikatan")).err().unwrap();
        assert!(err.to_string().contains("petunjuk, Kelompok"), "{err}");
        assert_eq!(
            open_table(&path, None).unwrap().sheet.as_deref(),
            Some("petunjuk")
        );
        let r = open_table(&path, Some(" kelompok ")).unwrap();
        assert_eq!(r.sheet.as_deref(), Some("Kelompok"));
        assert_eq!((r.header_row, r.first_column), (2, 1));
        assert_eq!(
            r.headers,
            cells(&["nama", "tahun", "tanggal", "aktif", "catatan"])
        );
        assert_eq!(
            rows(r),
            vec![
                (
                    3,
                    cells(&[
                        "Arisan Ta'   & co",
                        "1990",
                        "2007-08-14",
                        "true",
                        "satu\tdua\ntiga\nempat"
                    ])
                ),
                (6, cells(&["-4.5", "-4.5", "", "", ""])),
                (7, cells(&["-4.5", "-4.5", "", "", ""])),
            ]
        );
    }

    #[test]
    fn old_xls_spanning_too_many_cells_is_refused() {
        let err = open_table(&hostile("far_cell.xls"), None).err().unwrap();
        assert!(
            matches!(err, ReadError::XlsTooLarge { cells } if cells == 65_536 * 256),
            "{err:?}"
        );
        assert!(err.message(Lang::En).contains("16,777,216 cells"), "{err}");
    }

    #[test]
    fn csv_limits() {
        let long = "x".repeat(limits::MAX_CELL_CHARS + 1);
        let mut r = csv_text(format!("nama,catatan\nA,ok\nB,{long}\n").as_bytes());
        assert!(r.next_row().unwrap().is_some());
        let err = r.next_row().unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::CellTooLong {
                    row: 3,
                    column: 1,
                    chars: 32_768
                }
            ),
            "{err:?}"
        );
        assert!(
            err.message(Lang::En)
                .contains("32,768 characters, beyond the 32,767")
        );
        // Excel's own limit is read.
        let at_limit = "é".repeat(limits::MAX_CELL_CHARS);
        let r = csv_text(format!("nama\n{at_limit}\n").as_bytes());
        assert_eq!(rows(r)[0].1[0].chars().count(), limits::MAX_CELL_CHARS);

        let wide = (0..2000)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",");
        let err = csv_from_parts(
            Path::new("t"),
            format!("{wide}\n").into_bytes(),
            Box::new(io::empty()),
        )
        .err()
        .unwrap();
        assert!(
            matches!(err, ReadError::TooManyColumns { found: 2000 }),
            "{err:?}"
        );

        // A quote left open: the rest of the file would be one cell.
        let mut text = b"nama,catatan\nA,\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', limits::MAX_CSV_RECORD_BYTES + 10));
        let mut r = csv_text(&text);
        let err = r.next_row().unwrap_err();
        assert!(matches!(err, ReadError::RowTooLong { row: 2 }), "{err:?}");
        // So would a line of delimiters.
        let mut text = b"nama,catatan\n".to_vec();
        text.extend(std::iter::repeat_n(b',', limits::MAX_CSV_RECORD_BYTES));
        let mut r = csv_text(&text);
        assert!(matches!(
            r.next_row(),
            Err(ReadError::RowTooLong { row: 2 })
        ));
    }

    #[test]
    fn a_cancelled_reading_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.xlsx");
        let mut data = format!(r#"<row r="1">{}</row>"#, inline("A1", "nama"));
        for r in 2..5000 {
            data.push_str(&format!(
                r#"<row r="{r}">{}</row>"#,
                inline(&format!("A{r}"), "x")
            ));
        }
        write_xlsx(&path, &data);
        let cancel = Cancel::new();
        let mut r = open_table_until(&path, None, cancel.clone()).unwrap();
        assert_eq!(r.next_row().unwrap().unwrap().row, 2);
        cancel.cancel();
        assert!(matches!(r.next_row(), Err(ReadError::Cancelled)));
        // The guard of the awaiting side cancels when dropped.
        let cancel = Cancel::new();
        drop(cancel.on_drop());
        assert!(cancel.is_cancelled());
        let mut r = open_table_until(&path, None, cancel).unwrap();
        assert!(matches!(r.next_row(), Err(ReadError::Cancelled)));
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(1_048_576, ','), "1,048,576");
        assert_eq!(grouped(1024, '.'), "1.024");
        assert_eq!(grouped(999, ','), "999");
        assert_eq!(grouped(0, ','), "0");
    }

    #[test]
    fn number_text() {
        for (f, want) in [
            (1990.0, "1990"),
            (-0.0, "0"),
            (7308211003.0, "7308211003"),
            (0.1, "0.1"),
            (120.323581, "120.323581"),
            (1e16, "10000000000000000"),
        ] {
            let mut s = String::new();
            push_number(&mut s, f);
            assert_eq!(s, want);
        }
    }
}
