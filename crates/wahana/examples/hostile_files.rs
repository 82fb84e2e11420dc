//! Writes hostile tables: workbooks that claim more than they hold (a cell at `XFD1048576`,
//! sparse sheets, ODS repeats), zip bombs of several ratios, deep and long XML, huge shared
//! strings, long cells, broken CSV, an old `.xls` with a far cell. Each is a table of groups
//! that a dry-run import would otherwise read.
//!
//!   cargo run --release --example hostile_files -- campaign DIR   # many kinds, many sizes
//!   cargo run --release --example hostile_files -- fixtures DIR   # the small ones the tests use
//!
//! `benches/hostile_files.sh` runs `wahana import --dry-run` over the campaign.

use std::error::Error;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use zip::write::SimpleFileOptions;

type Res<T> = Result<T, Box<dyn Error>>;
type Body<'a> = &'a dyn Fn(&mut dyn Write) -> io::Result<()>;

const HEADERS: [&str; 6] = [
    "name",
    "type",
    "origin",
    "founded_year",
    "region_code",
    "survey_date",
];
const ROW: [&str; 6] = [
    "Posyandu Mawar",
    "posyandu",
    "dibentuk_pemerintah",
    "1992",
    "73.08.21.1006",
    "2025-08-16",
];

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(mode), Some(dir)) = (args.get(1), args.get(2)) else {
        return Err("usage: hostile_files campaign|fixtures DIR".into());
    };
    let dir = Path::new(dir);
    std::fs::create_dir_all(dir)?;
    match mode.as_str() {
        "fixtures" => fixtures(dir),
        "campaign" => campaign(dir),
        _ => Err("usage: hostile_files campaign|fixtures DIR".into()),
    }
}

/// The small files the tests read (tests/fixtures/hostile).
fn fixtures(dir: &Path) -> Res<()> {
    xlsx(&dir.join("xfd1048576.xlsx"), None, &|w| {
        table_rows(w, 3)?;
        write!(
            w,
            r#"<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#
        )
    })?;
    // 20 MiB of blanks in one sheet, deflated about 1,000 times.
    xlsx(&dir.join("zip_bomb.xlsx"), None, &|w| {
        table_rows(w, 3)?;
        padding(w, 20 << 20)
    })?;
    ods(&dir.join("rows_repeated.ods"), &|w| {
        ods_table_rows(w, 2)?;
        write!(
            w,
            r#"<table:table-row table:number-rows-repeated="1000000000"><table:table-cell table:number-columns-repeated="1000000000"/></table:table-row>"#
        )?;
        write!(
            w,
            r#"<table:table-row table:number-rows-repeated="1000000000">{}</table:table-row>"#,
            ods_cells(&ROW)
        )
    })?;
    xls(&dir.join("far_cell.xls"), &[(0, 0), (65_535, 255)], None)?;
    Ok(())
}

/// Many kinds, many sizes (see BENCHMARKS.md).
fn campaign(dir: &Path) -> Res<()> {
    // Far references, as Excel allows them and beyond.
    for (name, cell, row) in [
        ("ref_XFD1048576", "XFD1048576", 1_048_576u64),
        ("ref_XFD4", "XFD4", 4),
        ("ref_AMK4", "AMK4", 4),
        ("ref_A1048576", "A1048576", 1_048_576),
        ("ref_A1048577", "A1048577", 1_048_577),
        ("ref_A4000000000", "A4000000000", 4_000_000_000),
        ("ref_ZZZZZZ4", "ZZZZZZ4", 4),
    ] {
        xlsx(&dir.join(format!("{name}.xlsx")), None, &|w| {
            table_rows(w, 3)?;
            write!(w, r#"<row r="{row}"><c r="{cell}"><v>1</v></c></row>"#)
        })?;
    }
    // A dimension that claims the whole sheet.
    xlsx(
        &dir.join("dimension_lie.xlsx"),
        Some("A1:XFD1048576"),
        &|w| table_rows(w, 3),
    )?;
    // Sparse sheets: cells scattered over the sheet, and styled blank cells far away.
    // (A million rows of real cells is a full sheet's work, not a hostile claim: measured on its
    // own in BENCHMARKS.md.)
    for n in [100u64, 10_000, 300_000] {
        xlsx(&dir.join(format!("sparse_{n}.xlsx")), None, &|w| {
            table_rows(w, 1)?;
            for i in 0..n {
                let row = 3 + i * (1_048_000 / n);
                write!(
                    w,
                    r#"<row r="{row}"><c r="{}{row}" t="inlineStr"><is><t>x</t></is></c></row>"#,
                    col((i % 6) as usize)
                )?;
            }
            Ok(())
        })?;
        xlsx(&dir.join(format!("styled_blanks_{n}.xlsx")), None, &|w| {
            table_rows(w, 1)?;
            for i in 0..n {
                let row = 3 + i;
                write!(w, r#"<row r="{row}"><c r="XFD{row}" s="0"/></row>"#)?;
            }
            Ok(())
        })?;
    }
    xlsx(&dir.join("styled_blanks_1000000.xlsx"), None, &|w| {
        table_rows(w, 1)?;
        for i in 0..1_000_000u64 {
            let row = 3 + i;
            write!(w, r#"<row r="{row}"><c r="XFD{row}" s="0"/></row>"#)?;
        }
        Ok(())
    })?;
    // Zip bombs: blanks (whitespace between rows) deflated about 1,000 times, and a table of
    // rows deflated less.
    for mib in [8u64, 64, 512, 2048] {
        xlsx(
            &dir.join(format!("bomb_blanks_{mib}MiB.xlsx")),
            None,
            &|w| {
                table_rows(w, 3)?;
                padding(w, mib << 20)
            },
        )?;
    }
    for rows in [100_000u64, 300_000, 4_000_000] {
        xlsx(&dir.join(format!("bomb_rows_{rows}.xlsx")), None, &|w| {
            table_rows(w, rows)
        })?;
    }
    // Shared strings: many, and one huge.
    for n in [100_000u64, 2_000_000, 20_000_000] {
        xlsx_shared(&dir.join(format!("shared_strings_{n}.xlsx")), n)?;
    }
    // Long cells, deep and long XML.
    for kib in [64u64, 1024, 65_536] {
        xlsx(&dir.join(format!("long_cell_{kib}KiB.xlsx")), None, &|w| {
            table_rows(w, 2)?;
            write!(w, r#"<row r="4"><c r="A4" t="inlineStr"><is><t>"#)?;
            padding_text(w, kib << 10)?;
            write!(w, "</t></is></c></row>")
        })?;
    }
    for depth in [10_000u64, 1_000_000] {
        xlsx(&dir.join(format!("deep_xml_{depth}.xlsx")), None, &|w| {
            table_rows(w, 2)?;
            write!(w, r#"<row r="4"><c r="A4" t="inlineStr"><is><t>x</t>"#)?;
            for _ in 0..depth {
                w.write_all(b"<x>")?;
            }
            for _ in 0..depth {
                w.write_all(b"</x>")?;
            }
            write!(w, "</is></c></row>")
        })?;
        ods(&dir.join(format!("deep_xml_{depth}.ods")), &|w| {
            ods_table_rows(w, 1)?;
            write!(w, "<table:table-row><table:table-cell><text:p>")?;
            for _ in 0..depth {
                w.write_all(b"<text:span>")?;
            }
            for _ in 0..depth {
                w.write_all(b"</text:span>")?;
            }
            write!(w, "</text:p></table:table-cell></table:table-row>")
        })?;
    }
    for n in [100_000u64, 10_000_000] {
        xlsx(&dir.join(format!("many_attributes_{n}.xlsx")), None, &|w| {
            table_rows(w, 2)?;
            write!(w, r#"<row r="4"><c r="A4""#)?;
            for i in 0..n {
                write!(w, r#" a{i}="1""#)?;
            }
            write!(w, "><v>1</v></c></row>")
        })?;
    }
    // ODS repeats: empty ones (cheap, as LibreOffice writes them), non-empty ones (refused).
    for times in [1_048_471u64, 1_000_000_000, u64::MAX] {
        ods(&dir.join(format!("ods_empty_rows_{times}.ods")), &|w| {
            ods_table_rows(w, 2)?;
            write!(
                w,
                r#"<table:table-row table:number-rows-repeated="{times}"><table:table-cell table:number-columns-repeated="{times}"/></table:table-row>"#
            )
        })?;
        ods(&dir.join(format!("ods_full_rows_{times}.ods")), &|w| {
            ods_table_rows(w, 1)?;
            write!(
                w,
                r#"<table:table-row table:number-rows-repeated="{times}">{}</table:table-row>"#,
                ods_cells(&ROW)
            )
        })?;
        ods(&dir.join(format!("ods_full_columns_{times}.ods")), &|w| {
            ods_table_rows(w, 1)?;
            write!(
                w,
                r#"<table:table-row><table:table-cell table:number-columns-repeated="{times}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>"#
            )
        })?;
    }
    for n in [10_000u64, 1_000_000] {
        ods(&dir.join(format!("ods_empty_rows_each_{n}.ods")), &|w| {
            ods_table_rows(w, 1)?;
            for _ in 0..n {
                write!(
                    w,
                    r#"<table:table-row><table:table-cell table:number-columns-repeated="16384"/></table:table-row>"#
                )?;
            }
            Ok(())
        })?;
        ods(&dir.join(format!("ods_spaces_{n}.ods")), &|w| {
            ods_table_rows(w, 1)?;
            write!(
                w,
                r#"<table:table-row><table:table-cell><text:p>a<text:s text:c="{n}"/>b</text:p></table:table-cell></table:table-row>"#
            )
        })?;
    }
    for mib in [64u64, 2048] {
        ods(&dir.join(format!("ods_bomb_{mib}MiB.ods")), &|w| {
            ods_table_rows(w, 2)?;
            padding(w, mib << 20)
        })?;
    }
    // Old .xls: a far cell, cells at the corners of several sheets.
    xls(
        &dir.join("xls_far_cell.xls"),
        &[(0, 0), (65_535, 255)],
        None,
    )?;
    xls(
        &dir.join("xls_far_column.xls"),
        &[(0, 0), (65_535, 65_535)],
        None,
    )?;
    xls(&dir.join("xls_small.xls"), &[(0, 0), (100, 10)], None)?;
    // A Dimensions record claiming far more than the sheet holds (calamine reserves it).
    for rows in [1_000_000u32, u32::MAX] {
        xls(
            &dir.join(format!("xls_dimensions_{rows}.xls")),
            &[(0, 0), (1, 1)],
            Some((0, rows, 0, 256)),
        )?;
    }
    // A shared strings table claiming ten billion strings.
    xlsx_shared_claim(&dir.join("shared_strings_claim.xlsx"), 10_000_000_000)?;
    // CSV: a quote left open, a header of many columns, a long cell.
    for mib in [1u64, 64] {
        text_file(&dir.join(format!("csv_open_quote_{mib}MiB.csv")), &|w| {
            writeln!(w, "{}", HEADERS.join(","))?;
            write!(w, "\"")?;
            padding_text(w, mib << 20)
        })?;
    }
    for n in [2_000u64, 1_000_000] {
        text_file(&dir.join(format!("csv_columns_{n}.csv")), &|w| {
            write!(w, "{}", HEADERS.join(","))?;
            for i in 0..n {
                write!(w, ",c{i}")?;
            }
            writeln!(w)
        })?;
    }
    text_file(&dir.join("csv_empty_fields.csv"), &|w| {
        writeln!(w, "{}", HEADERS.join(","))?;
        for _ in 0..(64u64 << 20) / 1024 {
            w.write_all(&[b','; 1024])?;
        }
        writeln!(w)
    })?;
    Ok(())
}

fn col(i: usize) -> String {
    let mut n = i + 1;
    let mut s = Vec::new();
    while n > 0 {
        s.push(b'A' + ((n - 1) % 26) as u8);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// The header row and `rows - 1` data rows, as inline strings.
fn table_rows(w: &mut dyn Write, rows: u64) -> io::Result<()> {
    for r in 1..=rows {
        write!(w, r#"<row r="{r}">"#)?;
        let cells = if r == 1 { &HEADERS } else { &ROW };
        for (i, v) in cells.iter().enumerate() {
            write!(
                w,
                r#"<c r="{}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#,
                col(i)
            )?;
        }
        write!(w, "</row>")?;
    }
    Ok(())
}

/// `bytes` of spaces, in an XML-safe place.
fn padding(w: &mut dyn Write, bytes: u64) -> io::Result<()> {
    let chunk = vec![b' '; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// `bytes` of letters.
fn padding_text(w: &mut dyn Write, bytes: u64) -> io::Result<()> {
    let chunk = vec![b'x'; 1 << 20];
    let mut left = bytes;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        w.write_all(&chunk[..n])?;
        left -= n as u64;
    }
    Ok(())
}

fn zip_parts(path: &Path, parts: &[(&str, Body<'_>)]) -> Res<()> {
    let mut zip = zip::ZipWriter::new(BufWriter::new(File::create(path)?));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, body) in parts {
        zip.start_file(*name, options)?;
        body(&mut zip)?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="kelompok" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;

fn workbook_rels(shared: bool) -> String {
    let mut s = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    );
    if shared {
        s.push_str(r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>"#);
    }
    s.push_str("</Relationships>");
    s
}

/// An XLSX of one sheet, "kelompok", whose `sheetData` is what `body` writes.
fn xlsx(path: &Path, dimension: Option<&str>, body: Body<'_>) -> Res<()> {
    let rels = workbook_rels(false);
    zip_parts(
        path,
        &[
            ("[Content_Types].xml", &|w| {
                w.write_all(CONTENT_TYPES.as_bytes())
            }),
            ("_rels/.rels", &|w| w.write_all(RELS.as_bytes())),
            ("xl/workbook.xml", &|w| w.write_all(WORKBOOK.as_bytes())),
            ("xl/_rels/workbook.xml.rels", &|w| {
                w.write_all(rels.as_bytes())
            }),
            ("xl/worksheets/sheet1.xml", &|w| {
                write!(
                    w,
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
                )?;
                if let Some(d) = dimension {
                    write!(w, r#"<dimension ref="{d}"/>"#)?;
                }
                write!(w, "<sheetData>")?;
                body(w)?;
                write!(w, "</sheetData></worksheet>")
            }),
        ],
    )
}

/// An XLSX whose table's names come from a shared strings table of `n` strings.
fn xlsx_shared(path: &Path, n: u64) -> Res<()> {
    let rels = workbook_rels(true);
    zip_parts(
        path,
        &[
            ("[Content_Types].xml", &|w| {
                w.write_all(CONTENT_TYPES.as_bytes())
            }),
            ("_rels/.rels", &|w| w.write_all(RELS.as_bytes())),
            ("xl/workbook.xml", &|w| w.write_all(WORKBOOK.as_bytes())),
            ("xl/_rels/workbook.xml.rels", &|w| {
                w.write_all(rels.as_bytes())
            }),
            ("xl/sharedStrings.xml", &|w| {
                write!(
                    w,
                    r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">"#
                )?;
                for i in 0..n {
                    write!(w, "<si><t>s{i}</t></si>")?;
                }
                write!(w, "</sst>")
            }),
            ("xl/worksheets/sheet1.xml", &|w| {
                write!(
                    w,
                    r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
                )?;
                table_rows(w, 1)?;
                write!(
                    w,
                    r#"<row r="2"><c r="A2" t="s"><v>{}</v></c></row></sheetData></worksheet>"#,
                    n.saturating_sub(1)
                )
            }),
        ],
    )
}

/// An XLSX whose shared strings table says it has `claimed` strings and has one.
fn xlsx_shared_claim(path: &Path, claimed: u64) -> Res<()> {
    let rels = workbook_rels(true);
    zip_parts(
        path,
        &[
            ("[Content_Types].xml", &|w| {
                w.write_all(CONTENT_TYPES.as_bytes())
            }),
            ("_rels/.rels", &|w| w.write_all(RELS.as_bytes())),
            ("xl/workbook.xml", &|w| w.write_all(WORKBOOK.as_bytes())),
            ("xl/_rels/workbook.xml.rels", &|w| {
                w.write_all(rels.as_bytes())
            }),
            ("xl/sharedStrings.xml", &|w| {
                write!(
                    w,
                    r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{claimed}" uniqueCount="{claimed}"><si><t>nama</t></si></sst>"#
                )
            }),
            ("xl/worksheets/sheet1.xml", &|w| {
                write!(
                    w,
                    r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
                )
            }),
        ],
    )
}

fn ods_cells(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| {
            format!(r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#)
        })
        .collect()
}

/// The header row and `rows - 1` data rows of an ODS table.
fn ods_table_rows(w: &mut dyn Write, rows: u64) -> io::Result<()> {
    for r in 0..rows {
        let cells = if r == 0 { &HEADERS } else { &ROW };
        write!(w, "<table:table-row>{}</table:table-row>", ods_cells(cells))?;
    }
    Ok(())
}

const MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// An ODS of one sheet, "kelompok", whose table rows are what `body` writes.
fn ods(path: &Path, body: Body<'_>) -> Res<()> {
    zip_parts(
        path,
        &[
            ("mimetype", &|w| {
                w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
            }),
            ("META-INF/manifest.xml", &|w| {
                w.write_all(MANIFEST.as_bytes())
            }),
            ("content.xml", &|w| {
                write!(
                    w,
                    r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="kelompok"><table:table-column table:number-columns-repeated="16384"/>"#
                )?;
                body(w)?;
                write!(
                    w,
                    "</table:table></office:spreadsheet></office:body></office:document-content>"
                )
            }),
        ],
    )
}

/// An old `.xls` (BIFF8 in a compound file) with a number at each (row, column) given, and
/// a Dimensions record (first row, last row + 1, first column, last column + 1) if asked.
fn xls(path: &Path, cells: &[(u16, u16)], dims: Option<(u32, u32, u16, u16)>) -> Res<()> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&(data.len() as u16).to_le_bytes());
        out.extend_from_slice(data);
    }
    let bof = |kind: u16| {
        let mut d = vec![0u8; 16];
        d[0..2].copy_from_slice(&0x0600u16.to_le_bytes());
        d[2..4].copy_from_slice(&kind.to_le_bytes());
        d
    };
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    // BoundSheet8, pointing at the sheet's BOF (filled in below).
    let name = b"kelompok";
    let mut sheet_rec = vec![0u8; 4];
    sheet_rec.extend_from_slice(&[0, 0, name.len() as u8, 0]);
    sheet_rec.extend_from_slice(name);
    let bound_at = globals.len() + 4;
    record(&mut globals, 0x0085, &sheet_rec);
    record(&mut globals, 0x000A, &[]);
    let sheet_start = globals.len() as u32;
    globals[bound_at..bound_at + 4].copy_from_slice(&sheet_start.to_le_bytes());
    let mut stream = globals;
    record(&mut stream, 0x0809, &bof(0x0010));
    if let Some((rf, rl, cf, cl)) = dims {
        let mut d = Vec::new();
        d.extend_from_slice(&rf.to_le_bytes());
        d.extend_from_slice(&rl.to_le_bytes());
        d.extend_from_slice(&cf.to_le_bytes());
        d.extend_from_slice(&cl.to_le_bytes());
        d.extend_from_slice(&[0, 0]);
        record(&mut stream, 0x0200, &d);
    }
    for (row, column) in cells {
        let mut d = Vec::new();
        d.extend_from_slice(&row.to_le_bytes());
        d.extend_from_slice(&column.to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        d.extend_from_slice(&1.0f64.to_le_bytes());
        record(&mut stream, 0x0203, &d);
    }
    record(&mut stream, 0x000A, &[]);
    let mut cf = cfb::create(path)?;
    let mut s = cf.create_stream("/Workbook")?;
    s.write_all(&stream)?;
    drop(s);
    cf.flush()?;
    Ok(())
}

fn text_file(path: &Path, body: Body<'_>) -> Res<()> {
    let mut w = BufWriter::new(File::create(path)?);
    body(&mut w)?;
    w.flush()?;
    Ok(())
}
