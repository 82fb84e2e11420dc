//! The limits of the importer: what a file may hold before it is refused, with a message naming
//! what was found and the limit. They keep one hostile or broken file from taking the memory or
//! the time of a server that others share; ordinary files are far within them. README.md
//! ("Limits of the importer") lists them.

/// Rows of a sheet (Excel's own limit): a non-blank cell further down is refused.
pub const MAX_SHEET_ROWS: u64 = 1_048_576;
/// Columns of a table, from column A: a non-blank cell further right is refused (Excel's sheets
/// have 16,384 columns; the instrument's widest table has a few dozen).
pub const MAX_COLUMNS: usize = 1_024;
/// Non-blank cells of a sheet (2^24).
pub const MAX_SHEET_CELLS: u64 = 16_777_216;
/// Characters in one cell (Excel's own limit).
pub const MAX_CELL_CHARS: usize = 32_767;
/// Rows of a CSV file (2^24; the national file has about 4 million).
pub const MAX_CSV_ROWS: u64 = 16_777_216;
/// Bytes of one CSV record: more is most likely a quote left open.
pub const MAX_CSV_RECORD_BYTES: usize = 16 * 1024 * 1024;
/// Bytes a zip-based workbook (XLSX, XLSB, ODS) may hold once decompressed, all parts together.
pub const MAX_UNZIPPED: u64 = 512 * 1024 * 1024;
/// Bytes of one decompressed part other than a sheet (the shared strings, the styles: these
/// are held whole in memory).
pub const MAX_UNZIPPED_PART: u64 = 128 * 1024 * 1024;
/// Entries of a zip-based workbook.
pub const MAX_ARCHIVE_ENTRIES: usize = 10_000;
/// How many times its compressed size a part may be once decompressed (ordinary sheets are
/// 5 to 50; a zip bomb about 1,000) ...
pub const MAX_COMPRESSION_RATIO: u64 = 200;
/// ... for parts larger than this once decompressed.
pub const RATIO_CHECKED_FROM: u64 = 1024 * 1024;
/// Cells of the rectangles an old `.xls` workbook's sheets span (calamine reads them whole).
pub const MAX_XLS_CELLS: u64 = 4_194_304;
