//! A look at an old `.xls` workbook before calamine reads it.
//!
//! calamine reads every sheet of an `.xls` at once into dense ranges (rows × columns of the
//! cells' extent), so a single cell far away would cost the whole rectangle. The BIFF records
//! of the workbook stream are walked here first, keeping only each sheet's extent, and a
//! workbook whose sheets span more than [`limits::MAX_XLS_CELLS`] is refused.

use super::limits;
use super::read::ReadError;
use std::io::{BufReader, Read};
use std::path::Path;

/// BIFF records that hold a cell, its row and column in their first four bytes.
const CELL_RECORDS: [u16; 7] = [
    0x0203, // Number
    0x0204, // Label
    0x00D6, // RString
    0x0205, // BoolErr
    0x027E, // Rk
    0x00FD, // LabelSst
    0x0006, // Formula
];
const MUL_RK: u16 = 0x00BD;
/// The Dimensions record, from which calamine reserves room for rows × columns cells.
const DIMENSIONS: u16 = 0x0200;
const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;

/// Refuses a workbook whose sheets would be too large once read whole. A file that is not a
/// compound file, or has no workbook stream, is left for calamine to describe.
pub(super) fn check(path: &Path) -> Result<(), ReadError> {
    let Ok(mut cf) = cfb::open(path) else {
        return Ok(());
    };
    let name = if cf.exists("/Workbook") {
        "/Workbook"
    } else if cf.exists("/Book") {
        "/Book"
    } else {
        return Ok(());
    };
    let stream = cf.open_stream(name).map_err(|e| ReadError::io(path, e))?;
    let cells = extent(BufReader::new(stream)).map_err(|e| ReadError::io(path, e))?;
    if cells > limits::MAX_XLS_CELLS {
        return Err(ReadError::XlsTooLarge { cells });
    }
    Ok(())
}

/// The cells the sheets' dense ranges would hold, summed over the sheets, or the most a sheet's
/// Dimensions record claims, whichever is larger.
fn extent(mut r: impl Read) -> std::io::Result<u64> {
    let mut total: u64 = 0;
    // The largest rectangle a Dimensions record claims.
    let mut claimed: u64 = 0;
    // (first row, last row, first column, last column) of the current substream.
    let mut bounds: Option<(u16, u16, u16, u16)> = None;
    let mut head = [0u8; 4];
    let mut body = vec![0u8; usize::from(u16::MAX)];
    let area = |b: Option<(u16, u16, u16, u16)>| {
        b.map_or(0, |(r0, r1, c0, c1)| {
            (u64::from(r1) - u64::from(r0) + 1) * (u64::from(c1) - u64::from(c0) + 1)
        })
    };
    loop {
        match r.read_exact(&mut head) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = &mut body[..len];
        match r.read_exact(data) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e),
        }
        let u16_at = |i: usize| data.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        let mut seen = |row: u16, col: u16| {
            bounds = Some(match bounds {
                None => (row, row, col, col),
                Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(col), c1.max(col)),
            });
        };
        if CELL_RECORDS.contains(&typ) {
            if let (Some(row), Some(col)) = (u16_at(0), u16_at(2)) {
                seen(row, col);
            }
        } else if typ == MUL_RK {
            if let (Some(row), Some(first), Some(last)) =
                (u16_at(0), u16_at(2), len.checked_sub(2).and_then(u16_at))
            {
                seen(row, first);
                seen(row, last);
            }
        } else if typ == DIMENSIONS {
            // Read as calamine reads it (its reservation is what must stay bounded).
            let u32_at = |i: usize| {
                data.get(i..i + 4)
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            };
            let (rf, rl, cf, cl) = match len {
                10 => (
                    u16_at(0).map(u32::from),
                    u16_at(2).map(u32::from),
                    u16_at(4),
                    u16_at(6),
                ),
                14 | 16 => (u32_at(0), u32_at(4), u16_at(8), u16_at(10)),
                _ => (None, None, None, None),
            };
            if let (Some(rf), Some(rl), Some(cf), Some(cl)) = (rf, rl, cf, cl) {
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 {
                    let rows = u64::from((rl - 1).wrapping_sub(rf)) + 1;
                    let cols = u64::from((u32::from(cl) - 1).wrapping_sub(u32::from(cf))) + 1;
                    claimed = claimed.max(rows.saturating_mul(cols));
                }
            }
        } else if typ == BOF || typ == EOF {
            total = total.saturating_add(area(bounds.take()));
        }
    }
    Ok(total.saturating_add(area(bounds)).max(claimed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend_from_slice(&(data.len() as u16).to_le_bytes());
        v.extend_from_slice(data);
        v
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend_from_slice(&col.to_le_bytes());
        d.extend_from_slice(&[0; 10]);
        record(0x0203, &d)
    }

    #[test]
    fn extent_is_the_sum_of_the_sheets_rectangles() {
        let mut s = record(BOF, &[0; 16]);
        s.extend(record(EOF, &[]));
        s.extend(record(BOF, &[0; 16]));
        s.extend(number(0, 0));
        s.extend(number(9, 2));
        s.extend(record(EOF, &[]));
        s.extend(record(BOF, &[0; 16]));
        s.extend(number(65_535, 65_535));
        s.extend(number(0, 0));
        s.extend(record(EOF, &[]));
        assert_eq!(extent(&s[..]).unwrap(), 30 + 65_536 * 65_536);

        // A Dimensions record claiming a million rows of 256 columns, over two cells.
        let mut s = record(BOF, &[0; 16]);
        let mut dims = 0u32.to_le_bytes().to_vec();
        dims.extend_from_slice(&1_000_000u32.to_le_bytes());
        dims.extend_from_slice(&0u16.to_le_bytes());
        dims.extend_from_slice(&256u16.to_le_bytes());
        dims.extend_from_slice(&[0, 0]);
        s.extend(record(DIMENSIONS, &dims));
        s.extend(number(0, 0));
        s.extend(number(1, 1));
        s.extend(record(EOF, &[]));
        assert_eq!(extent(&s[..]).unwrap(), 256_000_000);
    }
}
