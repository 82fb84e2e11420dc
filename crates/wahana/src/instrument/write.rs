//! Writing exports, one row at a time, in constant memory.
//!
//! [`CsvSink`] writes RFC 4180 CSV (comma, UTF-8 without a byte-order mark, LF, quotes only where
//! needed), with a `'` before a data cell a spreadsheet would run as a formula
//! ([`super::formula`]). [`XlsxSink`] writes one sheet through rust_xlsxwriter's constant-memory
//! mode (strings, numbers and dates, never formulas): numeric columns (years, counts, amounts,
//! coordinates) as numbers, dates as date cells, everything else (codes, ids, region codes, phone
//! numbers) as text, so Excel does not eat leading zeros.

use super::formula;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use wahana_domain::Date;
use wahana_domain::instrument::{self, Table};

/// CSV output buffer.
const CSV_BUFFER: usize = 256 * 1024;
/// Rows a sheet holds, the header included.
const XLSX_MAX_ROWS: u32 = 1_048_576;

/// Columns written as numbers in XLSX (Indonesian names; English aliases are looked up).
const NUMERIC_COLUMNS: &[&str] = &[
    "tahun_berdiri",
    "anggota_laki",
    "anggota_perempuan",
    "iuran_rupiah",
    "lintang",
    "bujur",
    "sejak",
];
/// Columns written as date cells in XLSX.
const DATE_COLUMNS: &[&str] = &["tanggal_pendataan", "tanggal_sk"];

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing XLSX: {0}")]
    Xlsx(#[from] XlsxError),
    #[error(
        "an XLSX sheet holds at most {} rows of data; export as CSV instead",
        XLSX_MAX_ROWS - 1
    )]
    TooManyRows,
}

/// Where exported rows go.
pub trait RowSink {
    fn write_header(&mut self, cols: &[&str]) -> Result<(), WriteError>;
    fn write_cells(&mut self, cells: &[&str]) -> Result<(), WriteError>;
    fn write_row(&mut self, cells: &[String]) -> Result<(), WriteError> {
        let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
        self.write_cells(&cells)
    }
    /// Flushes and closes; an export is complete only once this returns `Ok`.
    fn finish(self: Box<Self>) -> Result<(), WriteError>;
}

/// The header names of a table's export, Indonesian or English.
pub fn header_names(table: Table, english: bool) -> Vec<&'static str> {
    instrument::columns(table)
        .iter()
        .map(|c| if english { c.en } else { c.id })
        .collect()
}

/// RFC 4180 CSV: the bytes the `csv` crate writes with `QuoteStyle::Necessary` and an LF
/// terminator (a field is quoted when it holds a comma, a quote, CR or LF, quotes doubled), written
/// by hand because the export of a national table (4 million rows) spends its time here.
pub struct CsvSink<W: Write> {
    inner: W,
    /// Records not yet written to `inner` (flushed past [`CSV_BUFFER`]).
    buf: Vec<u8>,
    /// The field separator: `,`, or `;` in the Indonesian Excel dialect.
    sep: u8,
    /// Records end with CRLF instead of LF.
    crlf: bool,
}

/// The shape of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CsvDialect {
    /// RFC 4180: comma, UTF-8 without a byte-order mark, LF.
    #[default]
    Standard,
    /// What Excel in an Indonesian locale reads and writes: `;`, a UTF-8 byte-order mark (so
    /// Excel reads UTF-8), CRLF.
    ExcelId,
}

impl CsvSink<File> {
    /// Creates (or truncates) a file.
    pub fn create(path: &Path) -> Result<Self, WriteError> {
        let file = File::create(path).map_err(|source| WriteError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::new(file))
    }

    /// Creates (or truncates) a file in a dialect.
    pub fn create_dialect(path: &Path, dialect: CsvDialect) -> Result<Self, WriteError> {
        let file = File::create(path).map_err(|source| WriteError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::with_dialect(file, dialect))
    }
}

/// Whether a field must be quoted.
fn needs_quotes(field: &[u8], sep: u8) -> bool {
    field
        .iter()
        .any(|&b| b == sep || matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

impl<W: Write> CsvSink<W> {
    /// Writes to any writer (a file, stdout, an HTTP body); buffered inside.
    pub fn new(inner: W) -> Self {
        Self::with_dialect(inner, CsvDialect::Standard)
    }

    /// Writes in a dialect; the Indonesian Excel one starts with the byte-order mark.
    pub fn with_dialect(inner: W, dialect: CsvDialect) -> Self {
        let mut buf = Vec::with_capacity(CSV_BUFFER + 64 * 1024);
        let (sep, crlf) = match dialect {
            CsvDialect::Standard => (b',', false),
            CsvDialect::ExcelId => {
                buf.extend_from_slice("\u{feff}".as_bytes());
                (b';', true)
            }
        };
        Self {
            inner,
            buf,
            sep,
            crlf,
        }
    }

    /// Flushes and gives the writer back.
    pub fn into_inner(mut self) -> Result<W, WriteError> {
        self.flush().map_err(|e| WriteError::Csv(e.into()))?;
        Ok(self.inner)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.write_all(&self.buf)?;
        self.buf.clear();
        self.inner.flush()
    }

    /// Writes one record; `guard` puts a `'` before cells that would be formulas (data rows, not
    /// the header).
    fn record<'a>(
        &mut self,
        cells: impl ExactSizeIterator<Item = &'a [u8]>,
        guard: bool,
    ) -> io::Result<()> {
        // A record of one empty field is written `""`, or it would read as no record at all.
        let lone = cells.len() == 1;
        let (sep, crlf) = (self.sep, self.crlf);
        let buf = &mut self.buf;
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                buf.push(sep);
            }
            let guarded = guard && formula::needs_guard(cell);
            if needs_quotes(cell, sep) || lone && cell.is_empty() {
                buf.push(b'"');
                if guarded {
                    buf.push(b'\'');
                }
                for (j, part) in cell.split(|&b| b == b'"').enumerate() {
                    if j > 0 {
                        buf.extend_from_slice(b"\"\"");
                    }
                    buf.extend_from_slice(part);
                }
                buf.push(b'"');
            } else {
                if guarded {
                    buf.push(b'\'');
                }
                buf.extend_from_slice(cell);
            }
        }
        if crlf {
            buf.push(b'\r');
        }
        buf.push(b'\n');
        if buf.len() >= CSV_BUFFER {
            self.inner.write_all(buf)?;
            buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> RowSink for CsvSink<W> {
    fn write_header(&mut self, cols: &[&str]) -> Result<(), WriteError> {
        self.record(cols.iter().map(|c| c.as_bytes()), false)
            .map_err(|e| WriteError::Csv(e.into()))
    }

    fn write_cells(&mut self, cells: &[&str]) -> Result<(), WriteError> {
        self.record(cells.iter().map(|c| c.as_bytes()), true)
            .map_err(|e| WriteError::Csv(e.into()))
    }

    fn finish(self: Box<Self>) -> Result<(), WriteError> {
        self.into_inner().map(drop)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Text,
    Number,
    Date,
}

/// One sheet of an XLSX workbook, written in constant memory.
pub struct XlsxSink {
    path: PathBuf,
    workbook: Workbook,
    kinds: Vec<CellKind>,
    /// The next row to write (0-based).
    row: u32,
    bold: Format,
    date: Format,
}

impl XlsxSink {
    /// A workbook at `path` (written by [`RowSink::finish`]) with one sheet named `sheet`
    /// (e.g. the table's code, `kelompok`).
    pub fn create(path: &Path, sheet: &str) -> Result<Self, WriteError> {
        let mut workbook = Workbook::new();
        let ws = workbook.add_worksheet_with_constant_memory()?;
        ws.set_name(sheet)?;
        Ok(Self {
            path: path.to_path_buf(),
            workbook,
            kinds: Vec::new(),
            row: 0,
            bold: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
        })
    }

    fn next_row(&mut self) -> Result<u32, WriteError> {
        if self.row >= XLSX_MAX_ROWS {
            return Err(WriteError::TooManyRows);
        }
        let r = self.row;
        self.row += 1;
        Ok(r)
    }
}

fn kind_of(header: &str) -> CellKind {
    let h = header.trim().to_lowercase();
    let id = Table::ALL
        .into_iter()
        .find_map(|t| instrument::find_column(t, &h))
        .map_or(h.as_str(), |c| c.id);
    if NUMERIC_COLUMNS.contains(&id) {
        CellKind::Number
    } else if DATE_COLUMNS.contains(&id) {
        CellKind::Date
    } else {
        CellKind::Text
    }
}

/// Column index as rust_xlsxwriter takes it (a sheet has 16,384 columns).
fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

impl RowSink for XlsxSink {
    fn write_header(&mut self, cols: &[&str]) -> Result<(), WriteError> {
        self.kinds = cols.iter().map(|h| kind_of(h)).collect();
        let row = self.next_row()?;
        let ws = self.workbook.worksheet_from_index(0)?;
        // Widths must be set before rows are written in constant-memory mode.
        for (c, name) in cols.iter().enumerate() {
            ws.set_column_width(col(c), (name.chars().count() as f64 + 2.0).max(10.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (c, name) in cols.iter().enumerate() {
            ws.write_string_with_format(row, col(c), *name, &self.bold)?;
        }
        Ok(())
    }

    fn write_cells(&mut self, cells: &[&str]) -> Result<(), WriteError> {
        let row = self.next_row()?;
        let ws = self.workbook.worksheet_from_index(0)?;
        for (c, cell) in cells.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let kind = self.kinds.get(c).copied().unwrap_or(CellKind::Text);
            match kind {
                CellKind::Number => match cell.trim().parse::<f64>() {
                    Ok(n) if n.is_finite() => {
                        ws.write_number(row, col(c), n)?;
                    }
                    _ => {
                        ws.write_string(row, col(c), *cell)?;
                    }
                },
                CellKind::Date => {
                    match Date::parse(cell).and_then(|d| {
                        let y = u16::try_from(d.year()).ok()?;
                        ExcelDateTime::from_ymd(y, d.month(), d.day()).ok()
                    }) {
                        Some(dt) => {
                            ws.write_datetime_with_format(row, col(c), dt, &self.date)?;
                        }
                        None => {
                            ws.write_string(row, col(c), *cell)?;
                        }
                    }
                }
                CellKind::Text => {
                    ws.write_string(row, col(c), *cell)?;
                }
            }
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<(), WriteError> {
        self.workbook.save(&self.path)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instrument::read::open_table;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn excel_id_dialect_has_semicolons_a_bom_and_crlf() {
        let mut sink = CsvSink::with_dialect(Vec::new(), CsvDialect::ExcelId);
        sink.write_header(&["nama", "catatan"]).unwrap();
        sink.write_row(&s(&["Arisan, Bunga", "x;y"])).unwrap();
        let out = String::from_utf8(sink.into_inner().unwrap()).unwrap();
        assert_eq!(out, "\u{feff}nama;catatan\r\n\"Arisan, Bunga\";\"x;y\"\r\n");
    }

    #[test]
    fn csv_quoting_is_rfc4180_with_lf() {
        let mut sink = CsvSink::new(Vec::new());
        sink.write_header(&["nama", "catatan"]).unwrap();
        for row in [
            s(&["Arisan \"Bunga\"", "a,b"]),
            s(&["Jeppe'e", "Regapu\u{2019}u"]),
            s(&["baris\ndua", ""]),
            s(&[" spasi ", "x;y"]),
        ] {
            sink.write_row(&row).unwrap();
        }
        let out = String::from_utf8(sink.into_inner().unwrap()).unwrap();
        assert_eq!(
            out,
            "nama,catatan\n\
             \"Arisan \"\"Bunga\"\"\",\"a,b\"\n\
             Jeppe'e,Regapu\u{2019}u\n\
             \"baris\ndua\",\n\
             \x20spasi ,x;y\n"
        );
    }

    #[test]
    fn csv_bytes_are_the_csv_crates() {
        let rows: Vec<Vec<&str>> = vec![
            vec![
                "a",
                "",
                "b,c",
                "say \"hi\"",
                "\"",
                "cr\rx",
                "lf\ny",
                "crlf\r\n",
                " ",
                "ä;é",
            ],
            vec![""],
            vec!["", ""],
            vec!["#x", "'0812", "1.5", "\"\"\"", ",", "\t"],
        ];
        let mut ours = CsvSink::new(Vec::new());
        let mut theirs = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .flexible(true)
            .from_writer(Vec::new());
        for r in &rows {
            ours.write_cells(r).unwrap();
            theirs
                .write_record(r.iter().map(|c| formula::guard(c).into_owned()))
                .unwrap();
        }
        assert_eq!(
            String::from_utf8(ours.into_inner().unwrap()).unwrap(),
            String::from_utf8(theirs.into_inner().unwrap()).unwrap()
        );
    }

    #[test]
    fn csv_guards_formulas_in_data_cells() {
        let mut sink = CsvSink::new(Vec::new());
        sink.write_header(&["-nama", "bujur", "catatan"]).unwrap();
        sink.write_row(&s(&[
            "=HYPERLINK(\"http://x\",\"a,b\")",
            "-5.13",
            "@SUM(A1)",
        ]))
        .unwrap();
        sink.write_row(&s(&["+62 812", "-5.1x", "\tx"])).unwrap();
        sink.write_row(&s(&["'=a", "+62", "Arisan - Bunga"]))
            .unwrap();
        let out = String::from_utf8(sink.into_inner().unwrap()).unwrap();
        assert_eq!(
            out,
            "-nama,bujur,catatan\n\
             \"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\",-5.13,'@SUM(A1)\n\
             '+62 812,'-5.1x,'\tx\n\
             ''=a,+62,Arisan - Bunga\n"
        );
    }

    #[test]
    fn xlsx_writes_formula_text_as_strings() {
        use calamine::{Data, Reader, open_workbook_auto};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        let mut sink: Box<dyn RowSink> = Box::new(XlsxSink::create(&path, "kelompok").unwrap());
        sink.write_header(&["nama", "catatan"]).unwrap();
        sink.write_row(&s(&["=1+1", "@SUM(A1)"])).unwrap();
        sink.finish().unwrap();
        let mut wb = open_workbook_auto(&path).unwrap();
        let range = wb.worksheet_range("kelompok").unwrap();
        let r1 = range.rows().nth(1).unwrap();
        assert_eq!(r1[0], Data::String("=1+1".into()));
        assert_eq!(r1[1], Data::String("@SUM(A1)".into()));
        assert!(
            wb.worksheet_formula("kelompok")
                .unwrap()
                .used_cells()
                .next()
                .is_none(),
            "no formula in the sheet"
        );
    }

    #[test]
    fn csv_round_trips_through_the_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut sink: Box<dyn RowSink> = Box::new(CsvSink::create(&path).unwrap());
        let rows = [
            s(&["K-1", "Arisan \"Bunga\"", "satu\r\ndua"]),
            s(&["K-2", "Ta'", ""]),
        ];
        sink.write_header(&["id", "nama", "catatan"]).unwrap();
        for r in &rows {
            sink.write_row(r).unwrap();
        }
        sink.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]));
        let got: Vec<Vec<String>> = open_table(&path, None)
            .unwrap()
            .map(|r| r.unwrap().cells)
            .collect();
        assert_eq!(got, rows);
    }

    #[test]
    fn header_names_both_languages() {
        let id = header_names(Table::Ties, false);
        let en = header_names(Table::Ties, true);
        assert_eq!(id, ["dari", "ke", "jenis_ikatan", "sejak", "catatan"]);
        assert_eq!(en, ["from", "to", "tie_type", "since", "notes"]);
        assert_eq!(header_names(Table::Groups, false).len(), 28);
    }

    #[test]
    fn xlsx_numbers_as_numbers_codes_as_text() {
        use calamine::{Data, Reader, open_workbook_auto};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.xlsx");
        let mut sink: Box<dyn RowSink> = Box::new(XlsxSink::create(&path, "kelompok").unwrap());
        sink.write_header(&[
            "id",
            "kode_wilayah",
            "founded_year",
            "lintang",
            "telepon",
            "tanggal_pendataan",
            "iuran_rupiah",
        ])
        .unwrap();
        sink.write_row(&s(&[
            "0012",
            "73.08.21.1003",
            "1990",
            "-4.53407",
            "0812-0000-0001",
            "2007-08-14",
            "",
        ]))
        .unwrap();
        sink.write_row(&s(&[
            "K-2",
            "7308211001",
            "x",
            "",
            "",
            "14/08/2007",
            "5000",
        ]))
        .unwrap();
        sink.finish().unwrap();

        let mut wb = open_workbook_auto(&path).unwrap();
        assert_eq!(wb.sheet_names(), ["kelompok"]);
        let range = wb.worksheet_range("kelompok").unwrap();
        let r1: Vec<&Data> = range.rows().nth(1).unwrap().iter().collect();
        assert_eq!(*r1[0], Data::String("0012".into()));
        assert_eq!(*r1[1], Data::String("73.08.21.1003".into()));
        assert_eq!(*r1[2], Data::Float(1990.0));
        assert_eq!(*r1[3], Data::Float(-4.53407));
        assert_eq!(*r1[4], Data::String("0812-0000-0001".into()));
        assert!(matches!(r1[5], Data::DateTime(_)));
        let r2 = range.rows().nth(2).unwrap();
        assert_eq!(
            r2[1],
            Data::String("7308211001".into()),
            "region codes stay text"
        );
        assert_eq!(
            r2[2],
            Data::String("x".into()),
            "a bad number stays as written"
        );
        assert_eq!(r2[6], Data::Float(5000.0));

        // And back through the reader, as an importer would see it.
        let rows: Vec<Vec<String>> = open_table(&path, None)
            .unwrap()
            .map(|r| r.unwrap().cells)
            .collect();
        assert_eq!(
            rows[0],
            s(&[
                "0012",
                "73.08.21.1003",
                "1990",
                "-4.53407",
                "0812-0000-0001",
                "2007-08-14",
                ""
            ])
        );
        assert_eq!(rows[1][5], "2007-08-14");
    }
}
