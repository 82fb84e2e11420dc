//! PostgreSQL's `COPY` text format: rows written into one buffer ([`CopyText`]) and sent in one
//! go ([`copy_in`]), and rows read back in bulk ([`copy_out`]). A value is its text with `\`,
//! tab, newline and carriage return escaped; `\N` is NULL; columns end with a tab and rows with
//! a newline. Used where PostgreSQL loads many rows (the region tree, a batch's groups) and
//! where it hands over millions of them (the national network's groups and ties).

use crate::StoreError;

/// Rows in COPY's text format, one buffer.
pub(crate) struct CopyText {
    buf: String,
    /// Whether the next value starts a row (no tab before it).
    row_start: bool,
}

impl Default for CopyText {
    fn default() -> Self {
        CopyText::with_capacity(0)
    }
}

impl CopyText {
    pub(crate) fn with_capacity(bytes: usize) -> Self {
        CopyText {
            buf: String::with_capacity(bytes),
            row_start: true,
        }
    }

    fn sep(&mut self) {
        if !self.row_start {
            self.buf.push('\t');
        }
        self.row_start = false;
    }

    pub(crate) fn text(&mut self, s: &str) -> &mut Self {
        self.sep();
        escape_into(&mut self.buf, s);
        self
    }

    pub(crate) fn opt_text(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    pub(crate) fn null(&mut self) -> &mut Self {
        self.sep();
        self.buf.push_str("\\N");
        self
    }

    pub(crate) fn int(&mut self, n: i64) -> &mut Self {
        self.sep();
        self.buf.push_str(itoa::Buffer::new().format(n));
        self
    }

    pub(crate) fn opt_int(&mut self, n: Option<i64>) -> &mut Self {
        match n {
            Some(n) => self.int(n),
            None => self.null(),
        }
    }

    /// The shortest text that reads back as the same `f64` (PostgreSQL reads it with a
    /// correctly rounded `strtod`). Not finite values are written as PostgreSQL spells them.
    pub(crate) fn opt_real(&mut self, x: Option<f64>) -> &mut Self {
        let Some(x) = x else {
            return self.null();
        };
        self.sep();
        if x.is_finite() {
            self.buf.push_str(ryu::Buffer::new().format_finite(x));
        } else if x.is_nan() {
            self.buf.push_str("NaN");
        } else if x > 0.0 {
            self.buf.push_str("Infinity");
        } else {
            self.buf.push_str("-Infinity");
        }
        self
    }

    pub(crate) fn end_row(&mut self) {
        self.buf.push('\n');
        self.row_start = true;
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.buf
    }

    /// Empties the buffer for the next rows, keeping its memory.
    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.row_start = true;
    }
}

/// Appends `s` escaped for COPY's text format: a backslash, tab, newline or carriage return
/// would otherwise end a value or a row, or start an escape (`\N`, the NULL marker, is then
/// written `\\N` and reads back as the two characters).
fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, b) in bytes.iter().enumerate() {
        let esc = match b {
            b'\\' => "\\\\",
            b'\t' => "\\t",
            b'\n' => "\\n",
            b'\r' => "\\r",
            _ => continue,
        };
        // The special bytes are ASCII, so `from..i` falls on character boundaries.
        out.push_str(&s[from..i]);
        out.push_str(esc);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// Runs `statement` (a `COPY ... FROM STDIN` in text format) with `rows` as its data, on the
/// connection (a batch's transaction); returns the rows PostgreSQL read.
pub(crate) async fn copy_in(
    conn: &mut sqlx::PgConnection,
    statement: &str,
    rows: &CopyText,
) -> Result<u64, StoreError> {
    // A failed send drops the copy, which tells the server to fail it; the batch's
    // transaction is then rolled back with everything else.
    let mut copy = conn.copy_in_raw(statement).await?;
    copy.send(rows.as_str().as_bytes()).await?;
    Ok(copy.finish().await?)
}

/// Columns [`copy_out`] hands over at most.
pub(crate) const COPY_OUT_COLUMNS: usize = 8;

/// `s` as a PostgreSQL string constant that reads back as `s` whatever the server's
/// `standard_conforming_strings` (an `E''` constant, its quotes and backslashes escaped).
/// `COPY` takes no parameters, so [`copy_out`] writes its values into the statement this way.
fn literal(s: &str) -> Result<String, StoreError> {
    if s.contains('\0') {
        return Err(StoreError::corrupt("query value (holds a NUL)", s));
    }
    let mut out = String::with_capacity(s.len() + 4);
    out.push_str("E'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// `query` with `$1`, `$2`, … replaced by `params` as constants (`NULL` for `None`), in one
/// pass (a value that holds `$2` stays as it is).
fn with_constants(query: &str, params: &[Option<String>]) -> Result<String, StoreError> {
    let mut sql = String::with_capacity(query.len() + 64);
    let mut rest = query;
    while let Some(at) = rest.find('$') {
        sql.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let number: usize = rest[at + 1..at + 1 + digits].parse().unwrap_or(0);
        match params.get(number.wrapping_sub(1)) {
            Some(v) if digits > 0 => {
                let value = match v {
                    Some(v) => literal(v)?,
                    None => "NULL".to_string(),
                };
                sql.push('(');
                sql.push_str(&value);
                sql.push_str(")::text");
            }
            _ => sql.push_str(&rest[at..at + 1 + digits]),
        }
        rest = &rest[at + 1 + digits..];
    }
    sql.push_str(rest);
    Ok(sql)
}

/// Undoes COPY's text escapes in `raw` (a value that holds a backslash) into `out`.
fn unescape_into(out: &mut String, raw: &str) {
    out.clear();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some(other) => out.push(other),
            None => {}
        }
    }
}

/// One row of COPY's text format (without its newline) handed to `each`, its values borrowed
/// from `bytes` or, for a value whose escapes had to be undone, from `scratch`.
fn copy_row(
    bytes: &[u8],
    scratch: &mut [String],
    each: &mut impl FnMut(&[Option<&str>]) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let text = std::str::from_utf8(bytes).map_err(|_| {
        StoreError::corrupt(
            "COPY row (not UTF-8)",
            String::from_utf8_lossy(bytes).into_owned(),
        )
    })?;
    let mut values: [Option<&str>; COPY_OUT_COLUMNS] = [None; COPY_OUT_COLUMNS];
    // The values whose escapes were undone into `scratch`, by column.
    let mut unescaped = [false; COPY_OUT_COLUMNS];
    let mut n = 0;
    for (i, raw) in text.split('\t').enumerate() {
        if i == COPY_OUT_COLUMNS {
            return Err(StoreError::corrupt("COPY row (too many columns)", text));
        }
        n = i + 1;
        if raw == "\\N" {
            continue; // NULL
        }
        if raw.contains('\\') {
            unescape_into(&mut scratch[i], raw);
            unescaped[i] = true;
        } else {
            values[i] = Some(raw);
        }
    }
    for (i, _) in unescaped.iter().enumerate().filter(|(_, u)| **u) {
        values[i] = Some(scratch[i].as_str());
    }
    each(&values[..n])
}

/// Rows of COPY's text format out of the chunks they arrive in (a chunk may end inside a row).
struct CopyRows {
    /// The start of a row the last chunk cut off.
    carry: Vec<u8>,
    scratch: Vec<String>,
    rows: u64,
}

impl CopyRows {
    fn new() -> CopyRows {
        CopyRows {
            carry: Vec::new(),
            scratch: vec![String::new(); COPY_OUT_COLUMNS],
            rows: 0,
        }
    }

    fn feed(
        &mut self,
        chunk: &[u8],
        each: &mut impl FnMut(&[Option<&str>]) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut rest = chunk;
        if !self.carry.is_empty() {
            let Some(end) = rest.iter().position(|b| *b == b'\n') else {
                self.carry.extend_from_slice(rest);
                return Ok(());
            };
            self.carry.extend_from_slice(&rest[..end]);
            copy_row(&self.carry, &mut self.scratch, each)?;
            self.rows += 1;
            self.carry.clear();
            rest = &rest[end + 1..];
        }
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            copy_row(&rest[..end], &mut self.scratch, each)?;
            self.rows += 1;
            rest = &rest[end + 1..];
        }
        self.carry.extend_from_slice(rest);
        Ok(())
    }

    /// The rows read; a last row without its newline is handed over first.
    fn finish(
        mut self,
        each: &mut impl FnMut(&[Option<&str>]) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        if !self.carry.is_empty() {
            copy_row(&self.carry, &mut self.scratch, each)?;
            self.rows += 1;
        }
        Ok(self.rows)
    }
}

/// Runs `query` (a `SELECT` of at most [`COPY_OUT_COLUMNS`] text columns, its `$n` taken
/// from `params`) as `COPY (query) TO STDOUT` and hands every row to `each` as it arrives:
/// its values borrowed from the data received (NULL as `None`). One statement streams every
/// row in COPY's text format with no per-row message to decode: for the national network's 4
/// million groups and 4 million ties this is what lets PostgreSQL's reading keep pace with
/// the server. Returns the rows read. A failure part way (a row `each` refuses, a broken
/// connection) closes the connection rather than give it back to the pool in the middle of
/// a `COPY`.
pub(crate) async fn copy_out(
    pool: &sqlx::PgPool,
    query: &str,
    params: &[Option<String>],
    mut each: impl FnMut(&[Option<&str>]) -> Result<(), StoreError>,
) -> Result<u64, StoreError> {
    use futures::TryStreamExt;
    let statement = format!("COPY ({}) TO STDOUT", with_constants(query, params)?);
    let mut conn = pool.acquire().await?;
    let read = async {
        let mut stream = conn.copy_out_raw(&statement).await?;
        let mut rows = CopyRows::new();
        while let Some(chunk) = stream.try_next().await? {
            rows.feed(&chunk, &mut each)?;
        }
        rows.finish(&mut each)
    }
    .await;
    if read.is_err() {
        conn.close_on_drop();
    }
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_nulls_marked() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            ("a\tb", "a\\tb"),
            ("a\nb", "a\\nb"),
            ("a\rb", "a\\rb"),
            ("back\\slash", "back\\\\slash"),
            ("\\N", "\\\\N"),
            ("\"quoted\" 'single'", "\"quoted\" 'single'"),
            (
                "Kelompok Tani Ma'ju — Ñ 日本 \u{1F33E}",
                "Kelompok Tani Ma'ju — Ñ 日本 \u{1F33E}",
            ),
            ("\t\n\\", "\\t\\n\\\\"),
            ("", ""),
        ];
        for (raw, want) in cases {
            let mut out = String::new();
            escape_into(&mut out, raw);
            assert_eq!(out, *want, "{raw:?}");
        }
        let mut rows = CopyText::with_capacity(64);
        rows.text("K-1")
            .opt_text(None)
            .int(-7)
            .opt_int(None)
            .opt_real(Some(-5.123_456_789_012_345))
            .opt_real(Some(0.1))
            .opt_real(None)
            .text("x\ty");
        rows.end_row();
        rows.text("K-2").opt_real(Some(f64::NAN));
        rows.end_row();
        assert_eq!(
            rows.as_str(),
            "K-1\t\\N\t-7\t\\N\t-5.123456789012345\t0.1\t\\N\tx\\ty\nK-2\tNaN\n"
        );
        rows.clear();
        rows.int(1);
        rows.end_row();
        assert_eq!(rows.as_str(), "1\n");
    }

    #[test]
    fn escapes_are_undone_and_constants_quoted() {
        for raw in [
            "plain",
            "a\tb\nc\rd",
            "back\\slash \\N",
            "\\",
            "Ma'ju — 日本",
            "",
        ] {
            let mut escaped = String::new();
            escape_into(&mut escaped, raw);
            let mut back = String::new();
            unescape_into(&mut back, &escaped);
            assert_eq!(back, raw);
        }
        let mut back = String::new();
        unescape_into(&mut back, "\\b\\f\\v");
        assert_eq!(back, "\u{8}\u{c}\u{b}");
        assert_eq!(literal("it's a \\ test").unwrap(), "E'it\\'s a \\\\ test'");
        assert!(literal("nul\0").is_err());
        assert_eq!(
            with_constants("a = $1 AND b = $2 OR $1 IS NULL", &[Some("x".into()), None]).unwrap(),
            "a = (E'x')::text AND b = (NULL)::text OR (E'x')::text IS NULL"
        );
        assert_eq!(
            with_constants("$2 $1 $3", &[Some("$2".into()), Some("b".into())]).unwrap(),
            "(E'b')::text (E'$2')::text $3"
        );
    }

    #[test]
    fn rows_are_read_whatever_the_chunks() {
        let data = "K-1\t73.08\tarisan\t\\N\nK-2\t73.09\tpkk\tWKSBM a\\tb\\\\\n\\\\N\t\t\tx\n";
        let want: Vec<Vec<Option<String>>> = vec![
            vec![
                Some("K-1".into()),
                Some("73.08".into()),
                Some("arisan".into()),
                None,
            ],
            vec![
                Some("K-2".into()),
                Some("73.09".into()),
                Some("pkk".into()),
                Some("WKSBM a\tb\\".into()),
            ],
            vec![
                Some("\\N".into()),
                Some("".into()),
                Some("".into()),
                Some("x".into()),
            ],
        ];
        let collect = |got: &mut Vec<Vec<Option<String>>>, row: &[Option<&str>]| {
            got.push(row.iter().map(|v| v.map(str::to_string)).collect());
            Ok(())
        };
        // Every split of the data into two chunks, and one chunk a byte.
        for cut in 0..=data.len() {
            let mut got = Vec::new();
            let mut each = |row: &[Option<&str>]| collect(&mut got, row);
            let mut rows = CopyRows::new();
            rows.feed(&data.as_bytes()[..cut], &mut each).unwrap();
            rows.feed(&data.as_bytes()[cut..], &mut each).unwrap();
            assert_eq!(rows.finish(&mut each).unwrap(), 3, "cut at {cut}");
            assert_eq!(got, want, "cut at {cut}");
        }
        let mut got = Vec::new();
        let mut each = |row: &[Option<&str>]| collect(&mut got, row);
        let mut rows = CopyRows::new();
        for b in data.as_bytes() {
            rows.feed(std::slice::from_ref(b), &mut each).unwrap();
        }
        assert_eq!(rows.finish(&mut each).unwrap(), 3);
        assert_eq!(got, want);
        // A row past the columns it may have, and bytes that are not UTF-8, are refused.
        let mut none = |_: &[Option<&str>]| Ok(());
        let wide = "a\t".repeat(COPY_OUT_COLUMNS) + "a\n";
        assert!(CopyRows::new().feed(wide.as_bytes(), &mut none).is_err());
        assert!(CopyRows::new().feed(b"\xff\n", &mut none).is_err());
    }
}
