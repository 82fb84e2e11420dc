//! PostgreSQL's `COPY ... FROM STDIN` text format: rows written into one buffer
//! ([`CopyText`]) and sent in one go ([`copy_in`]). A value is its text with `\`, tab,
//! newline and carriage return escaped; `\N` is NULL; columns end with a tab and rows with a
//! newline. Used where PostgreSQL loads many rows: the region tree, a batch's groups.

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
}
