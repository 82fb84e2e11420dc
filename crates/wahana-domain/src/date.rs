//! A calendar date without a clock: parsed from the forms people write, and from Excel serials.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A proleptic Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// 1970-01-01.
    pub const UNIX_EPOCH: Date = Date {
        year: 1970,
        month: 1,
        day: 1,
    };

    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    pub fn year(self) -> i32 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Parses `2007-08-14` (ISO, as ODK writes; a time part after `T` or a space is ignored),
    /// `14/08/2007` or `14-08-2007` (day first, as Indonesian spreadsheets write).
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let s = s.split(['T', ' ']).next().unwrap_or(s);
        let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4) {
            return None;
        }
        let n: Vec<i32> = parts
            .iter()
            .map(|p| p.parse::<i32>())
            .collect::<Result<_, _>>()
            .ok()?;
        let (y, m, d) = if parts[0].len() == 4 {
            (n[0], n[1], n[2])
        } else if parts[2].len() == 4 {
            (n[2], n[1], n[0])
        } else {
            return None;
        };
        Date::new(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?)
    }

    /// Whether `s` is written day first (`14/08/2007`, `14-08-2007`), the form [`Date::parse`]
    /// reads as day, month, year; `03/04/2025` is then 3 April, never March 4.
    pub fn is_day_first(s: &str) -> bool {
        let s = s.trim();
        let s = s.split(['T', ' ']).next().unwrap_or(s);
        let mut parts = s.split(['-', '/', '.']);
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(day), Some(_), Some(year), None) => day.len() <= 2 && year.len() == 4,
            _ => false,
        }
    }

    /// A date as a spreadsheet may hand one over: text [`Date::parse`] reads, else an Excel
    /// serial number (`45883` is 2025-08-14). The second says which it was (`true`: a serial).
    pub fn from_cell(s: &str) -> Option<(Date, bool)> {
        if let Some(d) = Date::parse(s) {
            return Some((d, false));
        }
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| (1.0..2_958_466.0).contains(f))
            .and_then(Date::from_excel_serial)
            .map(|d| (d, true))
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The inverse of [`Date::to_days`].
    pub fn from_days(z: i64) -> Option<Date> {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Date::new(
            i32::try_from(y).ok()?,
            u8::try_from(m).ok()?,
            u8::try_from(d).ok()?,
        )
    }

    /// An Excel serial date (1900 system, with Excel's fictitious 1900-02-29 accounted for).
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !serial.is_finite() || serial < 1.0 {
            return None;
        }
        let whole = serial.floor() as i64;
        // Serial 25569 is 1970-01-01. Excel counts a 1900-02-29 that never was (serial 60):
        // serials before it are off by one, and it names no date.
        let days = match whole {
            60 => return None,
            ..60 => whole - 25_568,
            _ => whole - 25_569,
        };
        Date::from_days(days)
    }

    /// Whole years from `self` to `later` (an age at a date).
    pub fn years_until(self, later: Date) -> i32 {
        let mut years = later.year - self.year;
        if (later.month, later.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// The date written out as a letter or a report dates itself: `3 Desember 2026` (id),
    /// `3 December 2026` (en).
    pub fn long(self, lang: crate::Lang) -> String {
        const ID: [&str; 12] = [
            "Januari",
            "Februari",
            "Maret",
            "April",
            "Mei",
            "Juni",
            "Juli",
            "Agustus",
            "September",
            "Oktober",
            "November",
            "Desember",
        ];
        const EN: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let months = match lang {
            crate::Lang::Id => &ID,
            crate::Lang::En => &EN,
        };
        let month = months[usize::from(self.month.clamp(1, 12)) - 1];
        format!("{} {month} {}", self.day, self.year)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = crate::FieldError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Date::parse(s).ok_or_else(|| {
            crate::FieldError::new(
                "tanggal",
                s,
                "tanggal seperti 2007-08-14 atau 14/08/2007",
                "a date like 2007-08-14 or 14/08/2007",
            )
        })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("invalid date {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let cases: &[(&str, Option<(i32, u8, u8)>)] = &[
            ("2007-08-14", Some((2007, 8, 14))),
            ("14/08/2007", Some((2007, 8, 14))),
            ("14-08-2007", Some((2007, 8, 14))),
            ("1/8/2007", Some((2007, 8, 1))),
            ("2007-08-14T09:30:00.000+08:00", Some((2007, 8, 14))),
            ("2007-08-14 09:30", Some((2007, 8, 14))),
            ("2007-02-29", None),
            ("2008-02-29", Some((2008, 2, 29))),
            ("31/04/2007", None),
            ("08/14/07", None),
            ("2007-13-01", None),
            ("", None),
            ("kemarin", None),
        ];
        for (input, want) in cases {
            let got = Date::parse(input).map(|d| (d.year(), d.month(), d.day()));
            assert_eq!(got, *want, "input {input:?}");
        }
    }

    #[test]
    fn days_and_excel_serials() {
        let cases: &[(f64, &str)] = &[
            (39308.0, "2007-08-14"),
            (25569.0, "1970-01-01"),
            (59.0, "1900-02-28"),
            (1.0, "1900-01-01"),
            (61.0, "1900-03-01"),
            (45658.75, "2025-01-01"),
        ];
        for (serial, want) in cases {
            let got = Date::from_excel_serial(*serial).map(|d| d.to_string());
            assert_eq!(got.as_deref(), Some(*want), "serial {serial}");
        }
        assert_eq!(Date::from_excel_serial(60.0), None);
        for days in [-700_000i64, -1, 0, 1, 13_739, 2_932_896] {
            let d = Date::from_days(days);
            assert_eq!(d.map(Date::to_days), Some(days));
        }
    }

    #[test]
    fn years_until() {
        let d = |s| Date::parse(s).unwrap_or_else(|| panic!("{s}"));
        assert_eq!(d("1997-08-14").years_until(d("2007-08-14")), 10);
        assert_eq!(d("1997-08-15").years_until(d("2007-08-14")), 9);
    }

    #[test]
    fn long_dates() {
        use crate::Lang;
        #[rustfmt::skip]
        let cases: &[((i32, u8, u8), &str, &str)] = &[
            ((2026, 12, 3), "3 Desember 2026", "3 December 2026"),
            ((2007, 8, 14), "14 Agustus 2007", "14 August 2007"),
            ((2024, 2, 29), "29 Februari 2024", "29 February 2024"),
            ((2026, 1, 1), "1 Januari 2026", "1 January 2026"),
            ((2026, 5, 31), "31 Mei 2026", "31 May 2026"),
        ];
        for ((y, m, d), id, en) in cases {
            let date = Date::new(*y, *m, *d).unwrap();
            assert_eq!(date.long(Lang::Id), *id);
            assert_eq!(date.long(Lang::En), *en);
        }
    }
}
