//! CSV cells a spreadsheet would run as formulas, and their guard (OWASP, "CSV Injection").
//!
//! Excel, LibreOffice and Google Sheets read a CSV cell that starts with `=`, `+`, `-`, `@`, TAB
//! or CR as a formula, so a group named `=HYPERLINK(...)` would run on the officer's machine. CSV
//! written for spreadsheets (exports, rejects files, `--format csv` tables) puts a `'` before such
//! a cell, which spreadsheets show as text. The rule, counting the cell's leading `'`s:
//! - written: a cell whose first character after its leading `'`s (none or more) is one of those
//!   gets one more `'` in front, unless the whole cell is a plain number (`-5.13`, `+62`: digits
//!   with a sign and at most one decimal point), which stays a number for the spreadsheet;
//! - read (imports from CSV): a cell of one or more `'`s followed by one of those characters
//!   loses one `'`.
//!
//! So an export imported back gives the same values, a value that itself starts with `'=` included
//! (written `''=`). XLSX needs no guard: its cells are written as strings, never formulas.

use std::borrow::Cow;

/// The first characters that make a cell a formula.
const TRIGGERS: &[u8] = b"=+-@\t\r";

/// Digits with an optional sign and at most one decimal point between digits.
fn is_plain_number(cell: &[u8]) -> bool {
    let digits = match cell.first() {
        Some(b'+' | b'-') => &cell[1..],
        _ => cell,
    };
    let (int, frac) = match digits.iter().position(|&b| b == b'.') {
        Some(i) => (&digits[..i], Some(&digits[i + 1..])),
        None => (digits, None),
    };
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    all_digits(int) && frac.is_none_or(all_digits)
}

/// The character after the leading `'`s, and how many there are.
fn after_quotes(cell: &[u8]) -> (usize, Option<u8>) {
    let k = cell.iter().take_while(|&&b| b == b'\'').count();
    (k, cell.get(k).copied())
}

/// Whether a cell written to CSV gets a `'` in front.
pub fn needs_guard(cell: &[u8]) -> bool {
    match after_quotes(cell) {
        (k, Some(c)) if TRIGGERS.contains(&c) => k > 0 || !is_plain_number(cell),
        _ => false,
    }
}

/// The cell as written to CSV.
pub fn guard(cell: &str) -> Cow<'_, str> {
    if needs_guard(cell.as_bytes()) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// Undoes [`guard`] on a cell read from CSV, in place.
pub fn unguard(cell: &mut String) {
    if let (1.., Some(c)) = after_quotes(cell.as_bytes())
        && TRIGGERS.contains(&c)
    {
        cell.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guard_and_unguard() {
        // (value, as written to CSV)
        let cases = [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+62 812", "'+62 812"),
            ("-minus", "'-minus"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=a", "''=a"),
            ("''@a", "'''@a"),
            ("-5.13", "-5.13"),
            ("+62", "+62"),
            ("-4", "-4"),
            ("-", "'-"),
            ("-5.", "'-5."),
            ("-.5", "'-.5"),
            ("-5.1.2", "'-5.1.2"),
            ("-1+2", "'-1+2"),
            ("'-5.13", "''-5.13"),
            ("Arisan = kumpul", "Arisan = kumpul"),
            ("Ta'", "Ta'"),
            ("'a", "'a"),
            ("'", "'"),
            ("", ""),
            ("5.13", "5.13"),
        ];
        for (value, written) in cases {
            assert_eq!(guard(value), written, "{value:?}");
            let mut back = written.to_string();
            unguard(&mut back);
            assert_eq!(back, value, "{written:?}");
        }
        // What a person typed to force text reads as the value.
        let mut typed = "'-5.13".to_string();
        unguard(&mut typed);
        assert_eq!(typed, "-5.13");
    }
}
