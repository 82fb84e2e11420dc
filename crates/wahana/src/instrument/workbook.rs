//! One sheet of a workbook, read as a stream of rows in memory that follows the cells present.
//!
//! A sheet claims its size (a cell at `XFD1048576`, `number-rows-repeated="1000000000"`); what
//! it costs here is only what it holds. A thread of its own reads the workbook (calamine's
//! streaming cell readers for XLSX and XLSB, the reader below for ODS) and sends the non-blank
//! rows, each as its non-blank cells, over a bounded channel to the [`super::TableReader`]. The
//! limits of [`super::limits`] are checked as cells arrive, and a zip-based workbook is checked
//! before anything in it is decompressed.

use super::limits;
use super::read::{Cancel, ReadError};
use calamine::{Data, DataRef, Reader as _};
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};

/// Rows sent at most in one message.
const BATCH: usize = 256;
/// Messages queued ahead of the reader of the rows.
const QUEUE: usize = 8;
/// Cells (blank ones too) read between two looks at the stop flags.
const CANCEL_EVERY: u64 = 4096;

/// A non-blank row: its number as the spreadsheet shows it and its non-blank cells (0-based
/// column, text), by column.
#[derive(Debug)]
pub(super) struct SparseRow {
    pub row: u64,
    pub cells: Vec<(usize, String)>,
}

/// What the sheet's thread sends.
pub(super) enum Feed {
    /// The sheet chosen; rows follow.
    Start {
        sheet: String,
    },
    Rows(Vec<SparseRow>),
    Failed(ReadError),
    /// The sheet was read to its end.
    End,
}

/// The kinds of workbook, as found in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

/// Starts the thread that reads a sheet. `stop` is set when the rows are no longer wanted.
pub(super) fn spawn(
    path: &Path,
    wanted: Option<&str>,
    cancel: Cancel,
    stop: Arc<AtomicBool>,
) -> Result<Receiver<Feed>, ReadError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(QUEUE);
    let path = path.to_path_buf();
    let wanted = wanted.map(str::to_string);
    std::thread::Builder::new()
        .name("wahana-sheet".into())
        .spawn(move || {
            let mut out = Out {
                tx: &tx,
                cancel: &cancel,
                stop: &stop,
                sheet: String::new(),
                row: None,
                cells: Vec::new(),
                batch: Vec::new(),
                batch_target: 1,
                count: 0,
                seen: 0,
            };
            // A reader that panics on a damaged file ends this thread, not the process.
            let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                read_workbook(&path, wanted.as_deref(), &mut out)
            }));
            let feed = match read {
                Ok(Ok(())) => Feed::End,
                Ok(Err(e)) => {
                    // The whole rows read before the problem, then the problem.
                    if !out.batch.is_empty() {
                        let rows = std::mem::take(&mut out.batch);
                        let _ = tx.send(Feed::Rows(rows));
                    }
                    Feed::Failed(e)
                }
                Err(_) => Feed::Failed(ReadError::Workbook {
                    message: "the workbook is damaged".into(),
                }),
            };
            let _ = tx.send(feed);
        })
        .map_err(|e| ReadError::Workbook {
            message: format!("no thread to read it: {e}"),
        })?;
    Ok(rx)
}

fn read_workbook(path: &Path, wanted: Option<&str>, out: &mut Out<'_>) -> Result<(), ReadError> {
    let file = File::open(path).map_err(|e| ReadError::io(path, e))?;
    let mut file = BufReader::new(file);
    let mut head = [0u8; 4];
    let n = file.read(&mut head).map_err(|e| ReadError::io(path, e))?;
    file.rewind().map_err(|e| ReadError::io(path, e))?;
    let kind = if head[..n] == *b"PK\x03\x04" {
        zip_kind(&mut file)?
    } else {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match ext.as_str() {
            "xlsx" | "xlsm" => Kind::Xlsx,
            "xlsb" => Kind::Xlsb,
            "ods" => Kind::Ods,
            _ => Kind::Xls,
        }
    };
    match kind {
        Kind::Xlsx => {
            let mut wb: calamine::Xlsx<_> =
                calamine::Reader::new(file).map_err(|e| workbook_error(&e))?;
            let name = choose_sheet(&wb.sheet_names(), wanted)?;
            out.start(&name)?;
            let mut cells = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| workbook_error(&e))?;
            while let Some(cell) = cells.next_cell().map_err(|e| workbook_error(&e))? {
                let (row, col) = cell.get_position();
                out.value(u64::from(row), u64::from(col), cell.get_value())?;
            }
            out.finish()
        }
        Kind::Xlsb => {
            let mut wb: calamine::Xlsb<_> =
                calamine::Reader::new(file).map_err(|e| workbook_error(&e))?;
            let name = choose_sheet(&wb.sheet_names(), wanted)?;
            out.start(&name)?;
            let mut cells = wb
                .worksheet_cells_reader(&name)
                .map_err(|e| workbook_error(&e))?;
            while let Some(cell) = cells.next_cell().map_err(|e| workbook_error(&e))? {
                let (row, col) = cell.get_position();
                out.value(u64::from(row), u64::from(col), cell.get_value())?;
            }
            out.finish()
        }
        Kind::Ods => read_ods(file, wanted, out),
        Kind::Xls => {
            super::xls::check(path)?;
            let mut wb: calamine::Xls<_> =
                calamine::Reader::new(file).map_err(|e| workbook_error(&e))?;
            let name = choose_sheet(&wb.sheet_names(), wanted)?;
            out.start(&name)?;
            let range = wb.worksheet_range(&name).map_err(|e| workbook_error(&e))?;
            let (r0, c0) = range.start().unwrap_or((0, 0));
            for (r, c, data) in range.used_cells() {
                out.data(u64::from(r0) + r as u64, u64::from(c0) + c as u64, data)?;
            }
            out.finish()
        }
    }
}

fn workbook_error(e: &dyn std::fmt::Display) -> ReadError {
    ReadError::Workbook {
        message: e.to_string(),
    }
}

fn zip_error(e: zip::result::ZipError) -> ReadError {
    ReadError::Workbook {
        message: e.to_string(),
    }
}

/// Checks a zip-based workbook's archive before anything in it is decompressed, and says which
/// kind of workbook it holds. The zip reader stops any entry at its declared size, so declared
/// sizes bound what reading can decompress.
fn zip_kind<R: Read + Seek>(file: &mut R) -> Result<Kind, ReadError> {
    let mut zip = zip::ZipArchive::new(&mut *file).map_err(zip_error)?;
    check_archive(&mut zip)?;
    check_shared_strings(&mut zip)?;
    let kind = if zip.index_for_name("content.xml").is_some()
        && zip.index_for_name("xl/workbook.xml").is_none()
    {
        Kind::Ods
    } else if zip.index_for_name("xl/workbook.bin").is_some() {
        Kind::Xlsb
    } else {
        Kind::Xlsx
    };
    drop(zip);
    file.rewind().map_err(|e| ReadError::Workbook {
        message: e.to_string(),
    })?;
    Ok(kind)
}

/// Refuses archives whose entries are too many, too large or too much compressed.
pub(super) fn check_archive<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<(), ReadError> {
    if zip.len() > limits::MAX_ARCHIVE_ENTRIES {
        return Err(ReadError::ArchiveEntries {
            found: zip.len() as u64,
        });
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(zip_error)?;
        let size = entry.size();
        let name = || entry.name().map(|n| n.into_owned()).unwrap_or_default();
        total = total.saturating_add(size);
        if size > limits::RATIO_CHECKED_FROM {
            let ratio = size / entry.compressed_size().max(1);
            if ratio > limits::MAX_COMPRESSION_RATIO {
                return Err(ReadError::ArchiveRatio {
                    entry: name(),
                    ratio,
                });
            }
        }
        if size > limits::MAX_UNZIPPED_PART {
            let n = name();
            // Only the sheets may be large; what is loaded whole (the shared strings, the
            // styles) must be smaller.
            if !is_sheet_part(&n) {
                return Err(ReadError::ArchiveTooLarge {
                    entry: Some(n),
                    size,
                    limit: limits::MAX_UNZIPPED_PART,
                });
            }
        }
    }
    if total > limits::MAX_UNZIPPED {
        return Err(ReadError::ArchiveTooLarge {
            entry: None,
            size: total,
            limit: limits::MAX_UNZIPPED,
        });
    }
    Ok(())
}

/// calamine reserves room for as many shared strings as the table says it has before reading
/// them: a table claiming more strings than its bytes can hold is refused.
fn check_shared_strings<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    let mut names = Vec::new();
    for i in 0..zip.len() {
        let name = zip
            .by_index_raw(i)
            .and_then(|e| e.name().map(|n| n.into_owned()))
            .map_err(zip_error)?;
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            names.push(name);
        }
    }
    for name in names {
        let entry = zip.by_name(&name).map_err(zip_error)?;
        let size = entry.size();
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(entry.take(64 * 1024)));
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                    let count = attr(&e, "uniqueCount")?
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .unwrap_or(0);
                    // `<si/>` is the shortest string: five bytes.
                    if count > size / 5 + 1 {
                        return Err(ReadError::Workbook {
                            message: format!(
                                "{name} claims {count} strings in {size} bytes: the file is damaged"
                            ),
                        });
                    }
                    break;
                }
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
        }
    }
    Ok(())
}

fn is_sheet_part(name: &str) -> bool {
    name == "content.xml" || name.starts_with("xl/worksheets/")
}

/// The sheet to read: the one named (exactly, else ignoring case and spaces around), or the
/// first.
fn choose_sheet(names: &[String], wanted: Option<&str>) -> Result<String, ReadError> {
    match wanted {
        Some(wanted) => {
            let w = wanted.trim();
            names
                .iter()
                .find(|n| n.as_str() == w)
                .or_else(|| names.iter().find(|n| same_sheet(n, w)))
                .cloned()
                .ok_or_else(|| ReadError::SheetNotFound {
                    sheet: wanted.to_string(),
                    available: names.to_vec(),
                })
        }
        None => names.first().cloned().ok_or(ReadError::NoSheet),
    }
}

fn same_sheet(name: &str, wanted_trimmed: &str) -> bool {
    name.trim().to_lowercase() == wanted_trimmed.to_lowercase()
}

/// Gathers cells into rows and rows into messages, checking the limits.
struct Out<'a> {
    tx: &'a SyncSender<Feed>,
    cancel: &'a Cancel,
    stop: &'a AtomicBool,
    sheet: String,
    /// The row being gathered (0-based).
    row: Option<u64>,
    cells: Vec<(usize, String)>,
    batch: Vec<SparseRow>,
    /// The first rows go out at once (the header is awaited), then in batches.
    batch_target: usize,
    /// Non-blank cells so far.
    count: u64,
    /// Cells so far, blank or not.
    seen: u64,
}

impl Out<'_> {
    fn start(&mut self, sheet: &str) -> Result<(), ReadError> {
        self.sheet = sheet.to_string();
        self.send(Feed::Start {
            sheet: sheet.to_string(),
        })
    }

    fn send(&self, feed: Feed) -> Result<(), ReadError> {
        self.tx.send(feed).map_err(|_| ReadError::Cancelled)
    }

    /// Looks at the stop flags now and then.
    fn tick(&mut self) -> Result<(), ReadError> {
        self.seen += 1;
        if self.seen.is_multiple_of(CANCEL_EVERY)
            && (self.cancel.is_cancelled() || self.stop.load(Ordering::Relaxed))
        {
            return Err(ReadError::Cancelled);
        }
        Ok(())
    }

    /// A cell from calamine's streaming readers.
    fn value(&mut self, row: u64, col: u64, value: &DataRef<'_>) -> Result<(), ReadError> {
        self.tick()?;
        let mut text = String::new();
        match value {
            DataRef::Empty => return Ok(()),
            DataRef::SharedString(s) => {
                if s.trim().is_empty() {
                    return Ok(());
                }
                text.push_str(s);
            }
            DataRef::String(s) => {
                if s.trim().is_empty() {
                    return Ok(());
                }
                text.push_str(s);
            }
            other => super::read::push_cell_text(&mut text, &Data::from(other.clone())),
        }
        self.cell(row, col, text)
    }

    /// A cell from a dense range (old .xls).
    fn data(&mut self, row: u64, col: u64, data: &Data) -> Result<(), ReadError> {
        self.tick()?;
        let mut text = String::new();
        super::read::push_cell_text(&mut text, data);
        self.cell(row, col, text)
    }

    /// A cell's text, at its 0-based row and column; blank cells are let go.
    fn cell(&mut self, row: u64, col: u64, text: String) -> Result<(), ReadError> {
        if text.trim().is_empty() {
            return Ok(());
        }
        // The rows before this cell are whole: they go first, so that a refusal comes after
        // them, as a CSV's does.
        match self.row {
            Some(r) if r == row => {}
            Some(r) if row < r => {
                return Err(ReadError::RowsOutOfOrder {
                    sheet: self.sheet.clone(),
                    row: row + 1,
                    after: r + 1,
                });
            }
            _ => {
                self.end_row()?;
                self.row = Some(row);
            }
        }
        if row >= limits::MAX_SHEET_ROWS || col >= limits::MAX_COLUMNS as u64 {
            return Err(ReadError::CellOutOfRange {
                sheet: self.sheet.clone(),
                row: row.saturating_add(1),
                column: col,
            });
        }
        if text.len() > limits::MAX_CELL_CHARS {
            let chars = text.chars().count();
            if chars > limits::MAX_CELL_CHARS {
                return Err(ReadError::CellTooLong {
                    row: row + 1,
                    column: col as usize,
                    chars,
                });
            }
        }
        self.count += 1;
        if self.count > limits::MAX_SHEET_CELLS {
            return Err(ReadError::TooManyCells {
                sheet: self.sheet.clone(),
            });
        }
        self.cells.push((col as usize, text));
        Ok(())
    }

    fn end_row(&mut self) -> Result<(), ReadError> {
        let Some(row) = self.row.take() else {
            return Ok(());
        };
        if self.cells.is_empty() {
            return Ok(());
        }
        let mut cells = std::mem::take(&mut self.cells);
        if !cells.is_sorted_by_key(|c| c.0) {
            cells.sort_by_key(|c| c.0);
        }
        // A cell written twice keeps its last value.
        cells.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                std::mem::swap(&mut later.1, &mut earlier.1);
                true
            } else {
                false
            }
        });
        self.batch.push(SparseRow {
            row: row + 1,
            cells,
        });
        if self.batch.len() >= self.batch_target {
            self.batch_target = (self.batch_target * 2).min(BATCH);
            let rows = std::mem::take(&mut self.batch);
            self.send(Feed::Rows(rows))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), ReadError> {
        self.end_row()?;
        if !self.batch.is_empty() {
            let rows = std::mem::take(&mut self.batch);
            self.send(Feed::Rows(rows))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// ODS

/// Reads a sheet of an OpenDocument spreadsheet from `content.xml`, one row at a time: repeated
/// empty rows and cells only move the counters.
fn read_ods<R: Read + Seek>(
    file: R,
    wanted: Option<&str>,
    out: &mut Out<'_>,
) -> Result<(), ReadError> {
    let mut zip = zip::ZipArchive::new(file).map_err(zip_error)?;
    check_archive(&mut zip)?;
    let entry = zip.by_name("content.xml").map_err(zip_error)?;
    let mut xml = quick_xml::Reader::from_reader(BufReader::new(entry));
    let mut buf = Vec::new();
    let mut names = Vec::new();
    let wanted = wanted.map(str::trim);
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(xml_error)? {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == "table:table" => {
                let name = attr(&e, "table:name")?.unwrap_or_default();
                let chosen = match wanted {
                    None => true,
                    Some(w) => name == w || same_sheet(&name, w),
                };
                if chosen {
                    out.start(&name)?;
                    read_ods_table(&mut xml, out)?;
                    return out.finish();
                }
                names.push(name);
                let end = e.to_end().into_owned();
                let mut skip = Vec::new();
                xml.read_to_end_into(end.name(), &mut skip)
                    .map_err(xml_error)?;
                out.tick()?;
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    match wanted {
        None => Err(ReadError::NoSheet),
        Some(w) => Err(ReadError::SheetNotFound {
            sheet: w.to_string(),
            available: names,
        }),
    }
}

fn xml_error(e: quick_xml::Error) -> ReadError {
    ReadError::Workbook {
        message: e.to_string(),
    }
}

fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Result<Option<String>, ReadError> {
    match e.try_get_attribute(name) {
        Ok(Some(a)) => Ok(Some(
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(xml_error)?
                .into_owned(),
        )),
        Ok(None) => Ok(None),
        Err(e) => Err(xml_error(e.into())),
    }
}

fn repeat(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Result<u64, ReadError> {
    Ok(attr(e, name)?
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1)
        .max(1))
}

type OdsXml<R> = quick_xml::Reader<BufReader<R>>;

fn read_ods_table<R: Read>(xml: &mut OdsXml<R>, out: &mut Out<'_>) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    let mut buf = Vec::new();
    let mut row: u64 = 0;
    let mut cells: Vec<(u64, String)> = Vec::new();
    let mut depth: usize = 0;
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(xml_error)? {
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                let times = repeat(&e, "table:number-rows-repeated")?;
                read_ods_row(xml, row, &mut cells, out)?;
                // A row repeated beyond the last row is refused before any of it is sent.
                if let Some((col, _)) = cells.first()
                    && row.saturating_add(times) > limits::MAX_SHEET_ROWS
                {
                    return Err(ReadError::CellOutOfRange {
                        sheet: out.sheet.clone(),
                        row: row.saturating_add(times),
                        column: *col,
                    });
                }
                if !cells.is_empty() {
                    for k in 0..times {
                        let r = row.saturating_add(k);
                        for (col, text) in &cells {
                            out.tick()?;
                            out.cell(r, *col, text.clone())?;
                        }
                    }
                    // The row is whole.
                    out.end_row()?;
                }
                row = row.saturating_add(times);
            }
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                row = row.saturating_add(repeat(&e, "table:number-rows-repeated")?);
                out.tick()?;
            }
            Event::Start(_) => depth += 1,
            Event::End(e) if e.name().as_ref() == "table:table" && depth == 0 => return Ok(()),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => {
                return Err(ReadError::Workbook {
                    message: "content.xml ends inside a table".into(),
                });
            }
            _ => out.tick()?,
        }
    }
}

/// Reads one row's cells (the `table:table-row` start is read); `cells` gets its non-blank
/// cells, repeated as the row says.
fn read_ods_row<R: Read>(
    xml: &mut OdsXml<R>,
    row: u64,
    cells: &mut Vec<(u64, String)>,
    out: &mut Out<'_>,
) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    cells.clear();
    let mut buf = Vec::new();
    let mut col: u64 = 0;
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf).map_err(xml_error)?;
        out.tick()?;
        let (e, has_content) = match event {
            Event::Start(e) => (e, true),
            Event::Empty(e) => (e, false),
            Event::End(e) if e.name().as_ref() == "table:table-row" => return Ok(()),
            Event::Eof => {
                return Err(ReadError::Workbook {
                    message: "content.xml ends inside a row".into(),
                });
            }
            _ => continue,
        };
        let name = e.name();
        let is_cell = matches!(
            name.as_ref(),
            "table:table-cell" | "table:covered-table-cell"
        );
        if !is_cell {
            if has_content {
                let end = e.to_end().into_owned();
                let mut skip = Vec::new();
                xml.read_to_end_into(end.name(), &mut skip)
                    .map_err(xml_error)?;
            }
            continue;
        }
        let times = repeat(&e, "table:number-columns-repeated")?;
        let mut text = ods_value(&e)?;
        if has_content {
            let end = e.to_end().into_owned();
            let body = read_ods_text(xml, end.name().as_ref(), (row, col), out)?;
            if text.is_none() {
                text = Some(body);
            }
        }
        let text = text.unwrap_or_default();
        if !text.trim().is_empty() {
            for k in 0..times {
                let c = col.saturating_add(k);
                if c >= limits::MAX_COLUMNS as u64 {
                    return Err(ReadError::CellOutOfRange {
                        sheet: out.sheet.clone(),
                        row: row.saturating_add(1),
                        column: c,
                    });
                }
                cells.push((c, text.clone()));
            }
        }
        col = col.saturating_add(times);
    }
}

/// The value a cell's attributes give, as text; `None` for text cells (their text is in the
/// paragraphs).
fn ods_value(e: &quick_xml::events::BytesStart<'_>) -> Result<Option<String>, ReadError> {
    let Some(kind) = attr(e, "office:value-type")? else {
        return Ok(None);
    };
    Ok(match kind.as_str() {
        "float" | "percentage" | "currency" => {
            attr(e, "office:value")?.map(|v| match v.trim().parse::<f64>() {
                Ok(f) => {
                    let mut s = String::new();
                    super::read::push_number(&mut s, f);
                    s
                }
                Err(_) => v,
            })
        }
        "date" => attr(e, "office:date-value")?,
        "time" => attr(e, "office:time-value")?,
        "boolean" => attr(e, "office:boolean-value")?,
        _ => None,
    })
}

/// Reads a cell's paragraphs up to the cell's end, as text: paragraphs on lines of their own,
/// `text:s` as spaces, `text:tab` as a tab, `text:line-break` as a line break; notes left out.
fn read_ods_text<R: Read>(
    xml: &mut OdsXml<R>,
    end: &str,
    (row, col): (u64, u64),
    out: &mut Out<'_>,
) -> Result<String, ReadError> {
    use quick_xml::events::Event;
    let mut buf = Vec::new();
    let mut text = String::new();
    let mut depth: usize = 0;
    let mut in_p: usize = 0;
    let mut paragraphs = 0usize;
    let mut note: usize = 0;
    let too_long = |text: &String| {
        // A byte count is enough to stop early; the characters are counted later.
        if text.len() > 4 * limits::MAX_CELL_CHARS {
            Err(ReadError::CellTooLong {
                row: row.saturating_add(1),
                column: col as usize,
                chars: text.chars().count(),
            })
        } else {
            Ok(())
        }
    };
    loop {
        buf.clear();
        let event = xml.read_event_into(&mut buf).map_err(xml_error)?;
        out.tick()?;
        match event {
            Event::Start(e) => {
                depth += 1;
                match e.name().as_ref() {
                    "office:annotation" => note += 1,
                    "text:p" | "text:h" if note == 0 => {
                        if paragraphs > 0 {
                            text.push('\n');
                        }
                        paragraphs += 1;
                        in_p += 1;
                    }
                    _ => {}
                }
            }
            Event::Empty(e) if note == 0 && in_p > 0 => match e.name().as_ref() {
                "text:s" => {
                    let n = attr(&e, "text:c")?
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(1)
                        .min(4 * limits::MAX_CELL_CHARS + 1);
                    text.extend(std::iter::repeat_n(' ', n));
                    too_long(&text)?;
                }
                "text:tab" => text.push('\t'),
                "text:line-break" => text.push('\n'),
                _ => {}
            },
            Event::Empty(e) if note == 0 && matches!(e.name().as_ref(), "text:p" | "text:h") => {
                if paragraphs > 0 {
                    text.push('\n');
                }
                paragraphs += 1;
            }
            Event::Text(t) if note == 0 && in_p > 0 => {
                text.push_str(&t.xml10_content());
                too_long(&text)?;
            }
            Event::CData(t) if note == 0 && in_p > 0 => {
                text.push_str(&t.xml10_content());
                too_long(&text)?;
            }
            Event::GeneralRef(r) if note == 0 && in_p > 0 => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text.push_str(s);
                }
            }
            Event::End(e) => {
                if depth == 0 {
                    if e.name().as_ref() == end {
                        return Ok(text);
                    }
                    return Err(ReadError::Workbook {
                        message: "content.xml: a cell is not closed".into(),
                    });
                }
                depth -= 1;
                match e.name().as_ref() {
                    "office:annotation" => note = note.saturating_sub(1),
                    "text:p" | "text:h" if note == 0 => in_p = in_p.saturating_sub(1),
                    _ => {}
                }
            }
            Event::Eof => {
                return Err(ReadError::Workbook {
                    message: "content.xml ends inside a cell".into(),
                });
            }
            _ => {}
        }
    }
}
