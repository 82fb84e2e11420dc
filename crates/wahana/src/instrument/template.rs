//! The blank template of a table: an XLSX workbook with one sheet named after the table holding
//! the instrument's Indonesian column names in its first row, a drop-down list (data validation)
//! on every single-valued coded column and an input message naming the allowed codes on the
//! multi-valued ones, and a codebook sheet `kode` listing every coded column's codes with their
//! Indonesian and English labels (and the villages of a region, for `kode_wilayah`).
//!
//! The importer reads the first sheet, so a template filled in and saved imports unchanged.

use rust_xlsxwriter::{DataValidation, Format, Formula, Workbook, Worksheet, XlsxError};
use wahana_domain::Code;
use wahana_domain::codes::{
    Activity, DuesPeriod, Funding, GroupStatus, GroupType, InstitutionKind, LegalStatus,
    MeetingFrequency, MembershipBasis, NetworkLevel, Origin, Purpose, TieType, Value,
};
use wahana_domain::instrument::{self, Table};
use wahana_domain::{Region, RegionCode, RegionTree};

/// The codebook sheet's name.
pub const CODEBOOK_SHEET: &str = "kode";
/// Rows of the data sheet the validations cover (the header excluded).
const DATA_ROWS: u32 = 10_000;
/// Villages listed for `kode_wilayah` at most (a validation list may point at any range, but a
/// drop-down of more is of no use; a region bigger than this gets no list).
const MAX_VILLAGES: usize = 5_000;

/// One code of a coded column: the code, its Indonesian and English labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeEntry {
    pub code: String,
    pub label_id: String,
    pub label_en: String,
}

/// A coded column of a table.
#[derive(Debug, Clone)]
pub struct CodedColumn {
    /// The column's Indonesian name.
    pub column: &'static str,
    /// Several codes in one cell (separated by spaces).
    pub multi: bool,
    pub codes: Vec<CodeEntry>,
}

fn entries<T: Code>() -> Vec<CodeEntry> {
    T::ALL
        .iter()
        .map(|c| CodeEntry {
            code: c.code().to_string(),
            label_id: c.label_id().to_string(),
            label_en: c.label_en().to_string(),
        })
        .collect()
}

fn coded<T: Code>(column: &'static str, multi: bool) -> CodedColumn {
    CodedColumn {
        column,
        multi,
        codes: entries::<T>(),
    }
}

/// The coded columns of a table, in column order.
pub fn coded_columns(table: Table) -> Vec<CodedColumn> {
    match table {
        Table::Groups => vec![
            coded::<GroupType>("jenis", false),
            coded::<Origin>("asal", false),
            coded::<MembershipBasis>("dasar_keanggotaan", true),
            coded::<Purpose>("tujuan", true),
            coded::<Activity>("kegiatan", true),
            coded::<Funding>("sumber_dana", true),
            coded::<Funding>("sumber_dana_utama", false),
            coded::<DuesPeriod>("iuran_periode", false),
            coded::<Value>("nilai", true),
            coded::<MeetingFrequency>("frekuensi_pertemuan", false),
            coded::<LegalStatus>("status_hukum", false),
            coded::<GroupStatus>("status", false),
        ],
        Table::Ties => vec![coded::<TieType>("jenis_ikatan", false)],
        Table::Institutions => vec![coded::<InstitutionKind>("jenis_lembaga", false)],
        Table::Networks => vec![coded::<NetworkLevel>("tingkat", false)],
    }
}

/// The villages a template for `region` lists for `kode_wilayah` (none when there are more
/// than a drop-down is of use for).
pub fn template_villages(region: Option<&RegionCode>) -> Vec<&'static Region> {
    let Some(code) = region else {
        return Vec::new();
    };
    let villages: Vec<&Region> = RegionTree::official().villages_under(code).collect();
    if villages.len() > MAX_VILLAGES {
        Vec::new()
    } else {
        villages
    }
}

/// Column index as rust_xlsxwriter takes it.
fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// Row index as rust_xlsxwriter takes it.
fn row(r: usize) -> u32 {
    u32::try_from(r).unwrap_or(u32::MAX)
}

/// The blank template of `table` (with the villages under `region` listed for `kode_wilayah`),
/// as the bytes of an XLSX file.
pub fn write_template(table: Table, region: Option<&RegionCode>) -> Result<Vec<u8>, XlsxError> {
    write_template_with_rows(table, region, &[])
}

/// The template with `rows` already filled in (cells in the table's column order), as a person
/// would fill it: for tests and examples.
pub fn write_template_with_rows(
    table: Table,
    region: Option<&RegionCode>,
    rows: &[Vec<String>],
) -> Result<Vec<u8>, XlsxError> {
    let columns = instrument::columns(table);
    let coded = coded_columns(table);
    let villages = template_villages(region);
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let mut workbook = Workbook::new();

    // The codebook first (the data sheet's validations point into it), moved behind the data
    // sheet by adding the data sheet first.
    let data = workbook.add_worksheet();
    data.set_name(table.code())?;
    let mut book = Worksheet::new();
    book.set_name(CODEBOOK_SHEET)?;
    for (c, h) in ["kolom", "kode", "label_id", "label_en"].iter().enumerate() {
        book.write_string_with_format(0, col(c), *h, &bold)?;
    }
    book.set_column_width(0, 22)?;
    book.set_column_width(1, 24)?;
    book.set_column_width(2, 40)?;
    book.set_column_width(3, 40)?;
    // Where each column's codes sit in the codebook: (first row, last row), 1-based.
    let mut ranges: Vec<(&'static str, usize, usize)> = Vec::new();
    let mut r = 1usize;
    for cc in &coded {
        let first = r + 1;
        for e in &cc.codes {
            book.write_string(row(r), 0, cc.column)?;
            book.write_string(row(r), 1, &e.code)?;
            book.write_string(row(r), 2, &e.label_id)?;
            book.write_string(row(r), 3, &e.label_en)?;
            r += 1;
        }
        ranges.push((cc.column, first, r));
    }
    if !villages.is_empty() {
        let first = r + 1;
        for v in &villages {
            book.write_string(row(r), 0, "kode_wilayah")?;
            book.write_string(row(r), 1, v.code.to_string())?;
            book.write_string(row(r), 2, &v.name)?;
            book.write_string(row(r), 3, &v.name)?;
            r += 1;
        }
        ranges.push(("kode_wilayah", first, r));
    }

    let data = workbook.worksheet_from_index(0)?;
    data.set_freeze_panes(1, 0)?;
    for (c, column) in columns.iter().enumerate() {
        data.set_column_width(col(c), (column.id.chars().count() as f64 + 4.0).max(12.0))?;
        // Text cells, so that a phone number or a village code keeps its leading zero.
        data.set_column_format(col(c), &text)?;
        data.write_string_with_format(0, col(c), column.id, &bold)?;
    }
    for (i, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            if !cell.is_empty() {
                data.write_string(row(i + 1), col(c), cell)?;
            }
        }
    }
    for (c, column) in columns.iter().enumerate() {
        let Some(&(_, first, last)) = ranges.iter().find(|(name, ..)| *name == column.id) else {
            continue;
        };
        let multi = coded
            .iter()
            .find(|cc| cc.column == column.id)
            .is_some_and(|cc| cc.multi);
        let validation = if multi {
            let codes: Vec<&str> = coded
                .iter()
                .find(|cc| cc.column == column.id)
                .map(|cc| cc.codes.iter().map(|e| e.code.as_str()).collect())
                .unwrap_or_default();
            // An input message holds at most 255 characters: the codes, else a pointer to the
            // codebook.
            let mut message = format!(
                "Beberapa kode dipisah spasi / several codes separated by spaces: {}",
                codes.join(" ")
            );
            if message.chars().count() > 255 {
                message = format!(
                    "Beberapa kode dipisah spasi; lihat lembar {CODEBOOK_SHEET} / several codes separated by spaces; see the {CODEBOOK_SHEET} sheet"
                );
            }
            DataValidation::new()
                .allow_any_value()
                .set_input_title(column.id)?
                .set_input_message(message)?
        } else {
            DataValidation::new()
                .allow_list_formula(Formula::new(format!(
                    "={CODEBOOK_SHEET}!$B${first}:$B${last}"
                )))
                .set_input_title(column.id)?
                .set_input_message(format!(
                    "Pilih kode (lihat lembar {CODEBOOK_SHEET}) / choose a code (see the {CODEBOOK_SHEET} sheet)"
                ))?
                .set_error_message(format!(
                    "Kode tidak dikenal; lihat lembar {CODEBOOK_SHEET} / unknown code; see the {CODEBOOK_SHEET} sheet"
                ))?
        };
        data.add_data_validation(1, col(c), DATA_ROWS, col(c), &validation)?;
    }
    workbook.push_worksheet(book);
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_coded_column_is_a_column_of_its_table() {
        for table in Table::ALL {
            for cc in coded_columns(table) {
                assert!(
                    instrument::columns(table).iter().any(|c| c.id == cc.column),
                    "{} in {}",
                    cc.column,
                    table.code()
                );
                assert!(!cc.codes.is_empty());
            }
        }
    }

    #[test]
    fn templates_of_every_table_are_written() {
        for table in Table::ALL {
            let bytes = write_template(table, None).unwrap();
            assert!(bytes.starts_with(b"PK"));
        }
    }
}
