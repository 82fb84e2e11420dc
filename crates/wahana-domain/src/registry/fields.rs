//! Reading one record's named fields: every value checked, every problem collected
//! (`Fields`), and the checks shared by every kind of record.

use crate::codes::*;
use crate::region::{Level, RegionCode, RegionTree};
use crate::{Date, FieldError};

/// What validation needs from outside: the region tree, today's date (the domain never reads
/// the clock) and, when importing into a wave, that wave's date.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub regions: &'a RegionTree,
    pub today: Date,
    pub wave_date: Option<Date>,
}

/// Earliest founding year the instrument accepts.
pub const MIN_FOUNDED_YEAR: i32 = 1800;
/// Longest name or one-line text field, in characters.
const MAX_TEXT: usize = 500;
/// Longest note or address, in characters.
const MAX_NOTES: usize = 4000;

/// Reads named fields of one record and collects every problem.
pub(super) struct Fields<'f, F: Fn(&str) -> Option<&'f str>> {
    pub(super) get: F,
    pub(super) errors: Vec<FieldError>,
}

impl<'f, F: Fn(&str) -> Option<&'f str>> Fields<'f, F> {
    pub(super) fn raw(&self, field: &str) -> Option<&'f str> {
        (self.get)(field).map(str::trim).filter(|s| !s.is_empty())
    }

    pub(super) fn text(&mut self, field: &str, required: bool) -> Option<String> {
        match self.raw(field) {
            None => {
                if required {
                    self.errors.push(FieldError::required(field));
                }
                None
            }
            Some(s) if s.chars().count() > MAX_TEXT || s.chars().any(|c| c.is_control()) => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!("teks satu baris, paling banyak {MAX_TEXT} huruf"),
                    format!("one line of text, at most {MAX_TEXT} characters"),
                ));
                None
            }
            Some(s) => Some(s.to_string()),
        }
    }

    /// Free text that may run over several lines (Alt+Enter in Excel): notes, addresses.
    pub(super) fn notes(&mut self, field: &str) -> Option<String> {
        let s = self.raw(field)?;
        let bad = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
        if s.chars().count() > MAX_NOTES || s.chars().any(bad) {
            self.errors.push(FieldError::new(
                field,
                s,
                format!("teks paling banyak {MAX_NOTES} huruf"),
                format!("text of at most {MAX_NOTES} characters"),
            ));
            return None;
        }
        Some(s.replace("\r\n", "\n"))
    }

    pub(super) fn code<T: Code>(&mut self, field: &str, required: bool) -> Option<T> {
        let s = match self.raw(field) {
            None => {
                if required {
                    self.errors.push(FieldError::new(
                        field,
                        "",
                        format!("salah satu dari: {} (wajib diisi)", T::expected()),
                        format!("one of: {} (required)", T::expected()),
                    ));
                }
                return None;
            }
            Some(s) => s,
        };
        match T::from_code(s) {
            Some(c) => Some(c),
            None => {
                self.errors.push(FieldError::unknown_code::<T>(field, s));
                None
            }
        }
    }

    /// A list of codes; `None` when it does not parse (the problem is reported), so that checks
    /// against the list can tell "empty" from "unreadable".
    pub(super) fn codes<T: Code>(&mut self, field: &str) -> Option<CodeSet<T>> {
        let Some(s) = self.raw(field) else {
            return Some(CodeSet::EMPTY);
        };
        match CodeSet::<T>::parse(s) {
            Ok(set) => Some(set),
            Err(bad) => {
                self.errors
                    .push(FieldError::unknown_codes::<T>(field, s, &bad));
                None
            }
        }
    }

    /// A whole number in a range; Excel may write `12.0`.
    pub(super) fn integer(
        &mut self,
        field: &str,
        min: i64,
        max: i64,
        required: bool,
    ) -> Option<i64> {
        let s = match self.raw(field) {
            None => {
                if required {
                    self.errors.push(FieldError::new(
                        field,
                        "",
                        format!("angka {min} sampai {max} (wajib diisi)"),
                        format!("a whole number from {min} to {max} (required)"),
                    ));
                }
                return None;
            }
            Some(s) => s,
        };
        let parsed = s.parse::<i64>().ok().or_else(|| {
            s.parse::<f64>()
                .ok()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        });
        match parsed {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!("angka {min} sampai {max}"),
                    format!("a whole number from {min} to {max}"),
                ));
                None
            }
        }
    }

    pub(super) fn decimal(&mut self, field: &str, min: f64, max: f64) -> Option<f64> {
        let s = self.raw(field)?;
        match s.replace(',', ".").parse::<f64>() {
            Ok(f) if f.is_finite() && (min..=max).contains(&f) => Some(f),
            _ => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!("angka desimal antara {min} dan {max} (di dalam Indonesia)"),
                    format!("a decimal number between {min} and {max} (inside Indonesia)"),
                ));
                None
            }
        }
    }

    pub(super) fn date(&mut self, field: &str, not_after: Option<Date>) -> Option<Date> {
        let s = self.raw(field)?;
        // Excel stores dates as serial numbers; a spreadsheet reader may hand us one.
        let parsed = Date::from_cell(s).map(|(d, _)| d);
        match parsed {
            Some(d) if not_after.is_none_or(|t| d <= t) => Some(d),
            Some(d) => {
                let t = not_after.map(|t| t.to_string()).unwrap_or_default();
                self.errors.push(FieldError::new(
                    field,
                    d.to_string(),
                    format!("tanggal yang tidak melewati hari ini ({t})"),
                    format!("a date not after today ({t})"),
                ));
                None
            }
            None => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    "tanggal seperti 2007-08-14 atau 14/08/2007",
                    "a date like 2007-08-14 or 14/08/2007",
                ));
                None
            }
        }
    }

    pub(super) fn id(&mut self, field: &str) -> Option<String> {
        let s = self.raw(field)?;
        match check_id(s) {
            Ok(id) => Some(id),
            Err(e) => {
                self.errors.push(FieldError {
                    field: field.into(),
                    ..e
                });
                None
            }
        }
    }

    pub(super) fn phone(&mut self, field: &str) -> Option<String> {
        let s = self.raw(field)?;
        if lost_leading_zero(s) {
            return Some(format!("0{s}"));
        }
        if is_indonesian_phone(s) {
            Some(s.to_string())
        } else {
            self.errors.push(FieldError::new(
                field,
                s,
                "nomor telepon Indonesia seperti 0812-3456-7890 atau +62 812 3456 7890",
                "an Indonesian phone number like 0812-3456-7890 or +62 812 3456 7890",
            ));
            None
        }
    }

    pub(super) fn region(
        &mut self,
        field: &str,
        ctx: &Context<'_>,
        village_only: bool,
    ) -> Option<RegionCode> {
        let Some(s) = self.raw(field) else {
            self.errors.push(FieldError::new(
                field,
                "",
                "kode desa/kelurahan, mis. 73.08.21.1003 (wajib diisi)",
                "a village code, e.g. 73.08.21.1003 (required)",
            ));
            return None;
        };
        match ctx.regions.resolve(s) {
            Ok(r) if village_only && r.code.level() != Level::Village => {
                self.errors.push(FieldError::new(
                    field,
                    s,
                    format!(
                        "kode desa/kelurahan (10 angka); {} adalah {}",
                        r.name,
                        r.code.level().label_id()
                    ),
                    format!(
                        "a village code (10 digits); {} is a {}",
                        r.name,
                        r.code.level().label_en()
                    ),
                ));
                None
            }
            Ok(r) => Some(r.code.clone()),
            Err(e) => {
                self.errors.push(FieldError {
                    field: field.into(),
                    ..e
                });
                None
            }
        }
    }

    pub(super) fn finish<T>(self, value: Option<T>) -> Result<T, Vec<FieldError>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

/// A value's text for a file cell, empty when absent.
pub(super) fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// Checks a stable identifier: 1 to 64 of letters, digits and `-_.:`.
pub fn check_id(s: &str) -> Result<String, FieldError> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(FieldError::new(
            "id",
            s,
            "1 sampai 64 huruf, angka atau - _ . :",
            "1 to 64 letters, digits or - _ . :",
        ))
    }
}

/// Excel keeps a typed 081234567890 as the number 81234567890: such a value is read with its
/// 0 given back (and the importer says so: [`super::notices`]).
pub(super) fn lost_leading_zero(s: &str) -> bool {
    s.starts_with('8') && (9..=13).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

/// An Indonesian number: `08…` or `+62…`/`62…`, 9 to 15 digits, with spaces, dashes, dots or
/// parentheses between them.
pub fn is_indonesian_phone(s: &str) -> bool {
    let s = s.trim();
    if !s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '+'))
        || s.chars().skip(1).any(|c| c == '+')
    {
        return false;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let national = if let Some(rest) = digits.strip_prefix("62") {
        format!("0{rest}")
    } else {
        digits
    };
    national.starts_with('0') && !national.starts_with("00") && (9..=15).contains(&national.len())
}
