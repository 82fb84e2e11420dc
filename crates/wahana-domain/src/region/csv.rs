//! Reading the embedded CSV files of the official tree, each row checked against its level
//! and its parents.

use super::code::{Level, RegionKind, parse_code};
use super::unit::Region;
use std::borrow::Cow;

/// Parses one level's CSV, checking each row against its level and its parents.
pub(crate) fn parse_level(
    text: &str,
    level: Level,
    parents: Option<&[Region]>,
) -> Result<Vec<Region>, String> {
    const HEADER: [&str; 6] = ["code", "parent_code", "name", "lat", "lng", "kind"];
    let mut reader = CsvReader::new(text.strip_prefix('\u{feff}').unwrap_or(text));
    let mut fields = Vec::with_capacity(HEADER.len());
    let line = reader.line;
    if !reader.next_record(&mut fields)? || fields != HEADER {
        return Err(format!(
            "line {line}: expected the header {}",
            HEADER.join(",")
        ));
    }
    let mut regions: Vec<Region> = Vec::with_capacity(text.len() / 48);
    let mut parent_cursor = 0;
    loop {
        let line = reader.line;
        if !reader.next_record(&mut fields)? {
            break;
        }
        let region = parse_row(&fields, level, parents, &mut parent_cursor)
            .map_err(|e| format!("line {line}: {e}"))?;
        if let Some(previous) = regions.last()
            && previous.code >= region.code
        {
            let (code, previous) = (&region.code, &previous.code);
            return Err(format!(
                "line {line}: {code} is not after {previous} (rows must be sorted, no duplicates)"
            ));
        }
        regions.push(region);
    }
    Ok(regions)
}

pub(crate) fn parse_row(
    fields: &[Cow<'_, str>],
    level: Level,
    parents: Option<&[Region]>,
    cursor: &mut usize,
) -> Result<Region, String> {
    let [code, parent_code, name, lat, lng, kind] = fields else {
        return Err(format!("expected 6 fields, found {}", fields.len()));
    };
    let code = match parse_code(code) {
        Some(parsed) if parsed.as_str() == code => parsed,
        _ => return Err(format!("invalid code {code:?}")),
    };
    if code.level() != level {
        return Err(format!("{code} is not at level {}", level.code()));
    }
    let parent = code.0.rfind('.').map(|i| &code.0[..i]);
    match (parent, parents) {
        (None, _) if parent_code.is_empty() => {}
        (Some(parent), Some(parents)) if parent == parent_code => {
            // Rows come sorted, so the parent is at or after the previous row's parent.
            while parents
                .get(*cursor)
                .is_some_and(|r| r.code.0.as_str() < parent)
            {
                *cursor += 1;
            }
            if parents.get(*cursor).is_none_or(|r| r.code.0 != parent) {
                match parents.binary_search_by(|r| r.code.0.as_str().cmp(parent)) {
                    Ok(i) => *cursor = i,
                    Err(_) => return Err(format!("{code}: parent {parent} does not exist")),
                }
            }
        }
        _ => return Err(format!("{code}: wrong parent_code {parent_code:?}")),
    }
    if name.trim().is_empty() {
        return Err(format!("{code}: empty name"));
    }
    let kind =
        RegionKind::from_code(kind).ok_or_else(|| format!("{code}: unknown kind {kind:?}"))?;
    if kind.level() != level || code.village_kind().is_some_and(|k| k != kind) {
        return Err(format!(
            "{code}: kind {} does not fit the code",
            kind.code()
        ));
    }
    let (lat, lng) = match (lat.as_ref(), lng.as_ref()) {
        ("", "") => (None, None),
        (lat, lng) => (
            Some(
                parse_coordinate(lat, 90.0)
                    .ok_or_else(|| format!("{code}: invalid lat {lat:?}"))?,
            ),
            Some(
                parse_coordinate(lng, 180.0)
                    .ok_or_else(|| format!("{code}: invalid lng {lng:?}"))?,
            ),
        ),
    };
    Ok(Region {
        code,
        name: name.clone().into_owned(),
        kind,
        lat,
        lng,
    })
}

pub(crate) fn parse_coordinate(s: &str, bound: f64) -> Option<f64> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && v.abs() <= bound)
}

/// A minimal RFC 4180 reader: fields separated by commas, records by LF or CRLF, fields
/// optionally quoted with `""` for a quote inside. Fields borrow from the text unless they
/// contain an escaped quote.
pub(crate) struct CsvReader<'a> {
    rest: &'a str,
    /// 1-based line number of `rest`'s start, for error messages.
    line: usize,
}

impl<'a> CsvReader<'a> {
    fn new(text: &'a str) -> Self {
        CsvReader {
            rest: text,
            line: 1,
        }
    }

    /// Reads the next record into `fields`; `false` at the end of the text.
    fn next_record(&mut self, fields: &mut Vec<Cow<'a, str>>) -> Result<bool, String> {
        fields.clear();
        if self.rest.is_empty() {
            return Ok(false);
        }
        loop {
            fields.push(self.field()?);
            let bytes = self.rest.as_bytes();
            match bytes.first() {
                Some(b',') => self.rest = &self.rest[1..],
                Some(b'\n') => {
                    self.rest = &self.rest[1..];
                    self.line += 1;
                    return Ok(true);
                }
                Some(b'\r') if bytes.get(1) == Some(&b'\n') => {
                    self.rest = &self.rest[2..];
                    self.line += 1;
                    return Ok(true);
                }
                None => return Ok(true),
                Some(_) => {
                    return Err(format!(
                        "line {}: expected a comma or the end of the line after a quoted field",
                        self.line
                    ));
                }
            }
        }
    }

    /// Reads one field, leaving `rest` at the separator after it.
    fn field(&mut self) -> Result<Cow<'a, str>, String> {
        let Some(quoted) = self.rest.strip_prefix('"') else {
            let end = self
                .rest
                .find([',', '\n', '\r', '"'])
                .unwrap_or(self.rest.len());
            let (value, rest) = self.rest.split_at(end);
            if rest.starts_with('"') {
                return Err(format!(
                    "line {}: quote inside an unquoted field",
                    self.line
                ));
            }
            self.rest = rest;
            return Ok(Cow::Borrowed(value));
        };
        let mut value: Cow<'a, str> = Cow::Borrowed("");
        let mut rest = quoted;
        loop {
            let Some(end) = rest.find('"') else {
                return Err(format!("line {}: unterminated quoted field", self.line));
            };
            let part = &rest[..end];
            self.line += part.matches('\n').count();
            if value.is_empty() {
                value = Cow::Borrowed(part);
            } else {
                value.to_mut().push_str(part);
            }
            rest = &rest[end + 1..];
            match rest.strip_prefix('"') {
                Some(after) => {
                    value.to_mut().push('"');
                    rest = after;
                }
                None => break,
            }
        }
        self.rest = rest;
        Ok(value)
    }
}
