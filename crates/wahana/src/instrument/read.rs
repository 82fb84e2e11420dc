//! Reading a table from a CSV or XLSX file, row by row.
//!
//! CSV is streamed: the reader holds one record at a time, so a 1.4 GB file of 4 million rows
//! reads in constant memory. XLSX goes through calamine, which loads one sheet (Excel itself
//! stops at 1,048,576 rows, so that is bounded).
//!
//! What comes out is text, as a person would read the cells: numbers as Excel shows them
//! (`1990`, not `1990.0`), date cells as ISO dates (`2007-08-14`), row numbers as a spreadsheet
//! shows them (the header row of a CSV is row 1).

use super::column_letter;
use calamine::{Data, Reader as _};
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
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
        }
    }

    /// The row the problem is on, where there is one.
    pub fn row(&self) -> Option<u64> {
        match self {
            ReadError::NotUtf8 { row, .. } => Some(*row),
            _ => None,
        }
    }

    /// The column the problem is in, as the spreadsheet shows it (`D`), where there is one.
    pub fn column_letter(&self) -> Option<String> {
        match self {
            ReadError::NotUtf8 { column, .. } => Some(column_letter(*column)),
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
            (e, Lang::En) => e.to_string(),
        }
    }

    fn io(path: &Path, source: io::Error) -> ReadError {
        ReadError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
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
    match detect_kind(path)? {
        FileKind::Csv => open_csv(path),
        FileKind::Xlsx => open_sheet(path, sheet),
    }
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
}

enum Source {
    Csv(Box<CsvSource>),
    Sheet(SheetSource),
}

impl TableReader {
    /// Reads the next non-empty row into `cells` (resized to the number of headers, reusing its
    /// strings), returning its row number, or `None` at the end. This is the fast path.
    pub fn read_into(&mut self, cells: &mut Vec<String>) -> Result<Option<u64>, ReadError> {
        let width = self.headers.len();
        if cells.len() != width {
            cells.resize_with(width, String::new);
        }
        match &mut self.source {
            Source::Csv(s) => s.read_into(cells),
            Source::Sheet(s) => Ok(s.read_into(cells)),
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
                    self.out.resize(grown, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let grown = self.ends.len() * 2;
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
        headers.push(text.to_string());
    }
    drop_trailing_blanks(&mut headers);
    source.width = headers.len();
    Ok(TableReader {
        headers,
        header_row,
        first_column: 0,
        kind: FileKind::Csv,
        sheet: None,
        delimiter: Some(delimiter),
        source: Source::Csv(Box::new(source)),
    })
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

struct SheetSource {
    range: calamine::Range<Data>,
    /// The next row to read, relative to the range.
    next: usize,
    /// The range's first row and column in the sheet (0-based).
    start_row: u32,
    width: usize,
}

impl SheetSource {
    fn read_into(&mut self, cells: &mut [String]) -> Option<u64> {
        loop {
            let i = self.next;
            let row = self.range.rows().nth(i)?;
            self.next += 1;
            let row_number = u64::from(self.start_row) + i as u64 + 1;
            let width = self.width.min(row.len());
            if row[..width].iter().all(is_blank) {
                continue;
            }
            for (j, cell) in cells.iter_mut().enumerate() {
                cell.clear();
                if let Some(data) = row.get(j) {
                    push_cell_text(cell, data);
                }
            }
            return Some(row_number);
        }
    }
}

fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

fn open_sheet(path: &Path, sheet: Option<&str>) -> Result<TableReader, ReadError> {
    let mut workbook = calamine::open_workbook_auto(path).map_err(|e| match e {
        calamine::Error::Io(io) => ReadError::io(path, io),
        other => ReadError::Workbook {
            message: other.to_string(),
        },
    })?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => {
            let wanted_trim = wanted.trim();
            names
                .iter()
                .find(|n| n.as_str() == wanted_trim)
                .or_else(|| {
                    names
                        .iter()
                        .find(|n| n.trim().to_lowercase() == wanted_trim.to_lowercase())
                })
                .cloned()
                .ok_or_else(|| ReadError::SheetNotFound {
                    sheet: wanted.to_string(),
                    available: names.clone(),
                })?
        }
        None => names.first().cloned().ok_or(ReadError::NoSheet)?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| ReadError::Workbook {
            message: e.to_string(),
        })?;
    sheet_reader(range, name)
}

fn sheet_reader(range: calamine::Range<Data>, name: String) -> Result<TableReader, ReadError> {
    let (start_row, start_col) = range.start().ok_or(ReadError::NoHeader)?;
    // The header is the first row with anything in it.
    let mut header_index = None;
    for (i, row) in range.rows().enumerate() {
        if !row.iter().all(is_blank) {
            header_index = Some(i);
            break;
        }
    }
    let header_index = header_index.ok_or(ReadError::NoHeader)?;
    let mut headers: Vec<String> = range
        .rows()
        .nth(header_index)
        .unwrap_or_default()
        .iter()
        .map(|d| {
            let mut s = String::new();
            push_cell_text(&mut s, d);
            s
        })
        .collect();
    drop_trailing_blanks(&mut headers);
    let width = headers.len();
    Ok(TableReader {
        headers,
        header_row: u64::from(start_row) + header_index as u64 + 1,
        first_column: start_col as usize,
        kind: FileKind::Xlsx,
        sheet: Some(name),
        delimiter: None,
        source: Source::Sheet(SheetSource {
            range,
            next: header_index + 1,
            start_row,
            width,
        }),
    })
}

/// Appends a cell's text as a person reads it in the spreadsheet.
fn push_cell_text(out: &mut String, data: &Data) {
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
fn push_number(out: &mut String, f: f64) {
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
        let long = "x".repeat(HEAD_CHUNK + 10);
        let mut f = File::create(&path).unwrap();
        write!(f, "{long};b;c\r\n1;2;3\r\n").unwrap();
        drop(f);
        let r = open_table(&path, None).unwrap();
        assert_eq!(r.delimiter, Some(b';'));
        assert_eq!(r.headers.len(), 3);
        assert_eq!(rows(r), vec![(2, cells(&["1", "2", "3"]))]);
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
