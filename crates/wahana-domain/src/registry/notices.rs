//! What a record's reading reinterpreted: values accepted, but not as they were written, that
//! the person importing a file should see before the rows are written (warnings, not errors).
//!
//! A phone number that gained its leading zero (Excel keeps `081234567890` as the number
//! `81234567890`), a day-first date (`03/04/2025` is read as 3 April 2025, never March 4), an
//! Excel serial number read as a date, and a survey date outside the wave's period. Only values
//! the record's reader accepted give a notice: a rejected value is an error already.

use super::fields::lost_leading_zero;
use crate::instrument::Table;
use crate::{Date, Lang};

/// One reinterpreted value of a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// `phone_leading_zero`, `day_first_date`, `excel_serial_date` or `outside_wave`.
    pub code: &'static str,
    /// The instrument column (Indonesian name).
    pub field: &'static str,
    /// The value as the file holds it.
    pub value: String,
    /// The value as it will be written.
    pub became: String,
    /// What happened, in Indonesian and in English.
    pub says_id: String,
    pub says_en: String,
}

impl Notice {
    /// A notice that names only what kind and where (see [`each_notice`]).
    pub fn bare(code: &'static str, field: &'static str) -> Notice {
        Notice {
            code,
            field,
            value: String::new(),
            became: String::new(),
            says_id: String::new(),
            says_en: String::new(),
        }
    }

    /// Whether this notice was made bare: no text to show, only to count.
    pub fn is_bare(&self) -> bool {
        self.says_id.is_empty()
    }

    /// What happened, in a language.
    pub fn says(&self, lang: Lang) -> &str {
        lang.pick(&self.says_id, &self.says_en)
    }
}

/// The phone columns of a table.
fn phone_fields(table: Table) -> &'static [&'static str] {
    match table {
        Table::Groups | Table::Networks | Table::Institutions => &["telepon"],
        Table::Ties => &[],
    }
}

/// The date columns of a table, and whether the column is the survey date (compared with the
/// wave's period).
fn date_fields(table: Table) -> &'static [(&'static str, bool)] {
    match table {
        Table::Groups => &[("tanggal_pendataan", true)],
        Table::Networks => &[("tanggal_sk", false)],
        Table::Institutions | Table::Ties => &[],
    }
}

/// The survey period of a wave, either end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub start: Option<Date>,
    pub end: Option<Date>,
}

impl Period {
    fn holds(&self, d: Date) -> bool {
        self.start.is_none_or(|s| s <= d) && self.end.is_none_or(|e| d <= e)
    }

    fn text(&self, lang: Lang) -> String {
        let day = |d: Option<Date>| d.map(|d| d.long(lang)).unwrap_or_else(|| "…".into());
        format!("{} – {}", day(self.start), day(self.end))
    }
}

/// Hands `f` the reinterpreted values of one row that its record's reader accepted, one by one
/// (no list made for a row; `get` gives a column's raw text, as to `from_fields`). Cheap when
/// there is nothing to say: only the phone and date columns are looked at. With `detail` false the notices are bare (code and field, no text:
/// [`Notice::is_bare`]), for a caller that only counts them past the first few: a national file
/// whose survey dates all lie outside the wave's period has a notice on each of its 4 million
/// rows, and writing out their sentences took a quarter of the import's time.
pub fn each_notice<'f>(
    table: Table,
    get: impl Fn(&str) -> Option<&'f str>,
    period: Period,
    detail: bool,
    mut f: impl FnMut(Notice),
) {
    let mut push = |code: &'static str,
                    field: &'static str,
                    value: &str,
                    became: &dyn Fn() -> String,
                    says: &dyn Fn() -> (String, String)| {
        f(if detail {
            let (says_id, says_en) = says();
            Notice {
                code,
                field,
                value: value.to_string(),
                became: became(),
                says_id,
                says_en,
            }
        } else {
            Notice::bare(code, field)
        });
    };
    let raw = |field: &str| get(field).map(str::trim).filter(|s| !s.is_empty());
    for &field in phone_fields(table) {
        if let Some(s) = raw(field).filter(|s| lost_leading_zero(s)) {
            push("phone_leading_zero", field, s, &|| format!("0{s}"), &|| {
                (
                    format!(
                        "nomor telepon {s} dibaca sebagai 0{s}: angka 0 di depannya hilang (Excel menyimpannya sebagai bilangan)"
                    ),
                    format!(
                        "phone number {s} read as 0{s}: its leading zero was lost (Excel stored it as a number)"
                    ),
                )
            });
        }
    }
    for &(field, survey) in date_fields(table) {
        let Some(s) = raw(field) else { continue };
        let Some((date, serial)) = Date::from_cell(s) else {
            continue;
        };
        let became = || date.to_string();
        if serial {
            push("excel_serial_date", field, s, &became, &|| {
                (
                    format!(
                        "angka {s} dibaca sebagai tanggal menurut Excel: {}",
                        date.long(Lang::Id)
                    ),
                    format!(
                        "the number {s} read as an Excel date: {}",
                        date.long(Lang::En)
                    ),
                )
            });
        } else if Date::is_day_first(s) {
            push("day_first_date", field, s, &became, &|| {
                if date.day() <= 12 && date.day() != date.month() {
                    (
                        format!(
                            "tanggal {s} dibaca hari lebih dulu: {} (bukan {})",
                            date.long(Lang::Id),
                            swapped(date).map(|x| x.long(Lang::Id)).unwrap_or_default()
                        ),
                        format!(
                            "date {s} read day first: {} (not {})",
                            date.long(Lang::En),
                            swapped(date).map(|x| x.long(Lang::En)).unwrap_or_default()
                        ),
                    )
                } else {
                    (
                        format!(
                            "tanggal {s} dibaca hari lebih dulu: {}",
                            date.long(Lang::Id)
                        ),
                        format!("date {s} read day first: {}", date.long(Lang::En)),
                    )
                }
            });
        }
        if survey && !period.holds(date) {
            push("outside_wave", field, s, &became, &|| {
                (
                    format!(
                        "tanggal pendataan {} di luar masa pendataan gelombang ({})",
                        date.long(Lang::Id),
                        period.text(Lang::Id)
                    ),
                    format!(
                        "survey date {} is outside the wave's period ({})",
                        date.long(Lang::En),
                        period.text(Lang::En)
                    ),
                )
            });
        }
    }
}

/// The date with day and month exchanged, when that is a date.
fn swapped(d: Date) -> Option<Date> {
    Date::new(d.year(), d.day(), d.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(table: Table, cells: &[(&str, &str)], period: Period) -> Vec<Notice> {
        let m: HashMap<&str, &str> = cells.iter().copied().collect();
        let collect = |detail| {
            let mut v = Vec::new();
            each_notice(table, |k| m.get(k).copied(), period, detail, |n| v.push(n));
            v
        };
        let detailed = collect(true);
        // Bare, the same notices by code and field, with no text.
        let bare = collect(false);
        assert!(bare.iter().all(Notice::is_bare));
        assert!(detailed.iter().all(|n| !n.is_bare()));
        let kinds = |v: &[Notice]| v.iter().map(|n| (n.code, n.field)).collect::<Vec<_>>();
        assert_eq!(kinds(&bare), kinds(&detailed));
        detailed
    }

    #[test]
    fn a_phone_that_lost_its_zero_gets_it_back_and_says_so() {
        let got = run(
            Table::Groups,
            &[("telepon", "81234567890")],
            Period::default(),
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].code, "phone_leading_zero");
        assert_eq!(got[0].became, "081234567890");
        assert!(got[0].says(Lang::Id).contains("0 di depannya"));
        for fine in ["081234567890", "+62 812 3456 7890", "", "8123"] {
            assert!(
                run(Table::Groups, &[("telepon", fine)], Period::default()).is_empty(),
                "{fine}"
            );
        }
        assert_eq!(
            run(
                Table::Institutions,
                &[("telepon", "8123456789")],
                Period::default()
            )[0]
            .became,
            "08123456789"
        );
    }

    #[test]
    fn day_first_dates_say_how_they_were_read() {
        let got = run(
            Table::Groups,
            &[("tanggal_pendataan", "03/04/2025")],
            Period::default(),
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].code, "day_first_date");
        assert_eq!(got[0].became, "2025-04-03");
        assert_eq!(
            got[0].says(Lang::Id),
            "tanggal 03/04/2025 dibaca hari lebih dulu: 3 April 2025 (bukan 4 Maret 2025)"
        );
        // Unambiguous, still said; ISO dates and unreadable ones say nothing here.
        let got = run(
            Table::Groups,
            &[("tanggal_pendataan", "14/08/2025")],
            Period::default(),
        );
        assert_eq!(
            got[0].says(Lang::En),
            "date 14/08/2025 read day first: 14 August 2025"
        );
        for quiet in ["2025-08-14", "kemarin", "31/02/2025"] {
            assert!(
                run(
                    Table::Groups,
                    &[("tanggal_pendataan", quiet)],
                    Period::default()
                )
                .is_empty(),
                "{quiet}"
            );
        }
        let got = run(
            Table::Networks,
            &[("tanggal_sk", "45883")],
            Period::default(),
        );
        assert_eq!(got[0].code, "excel_serial_date");
        assert_eq!(got[0].became, "2025-08-14");
    }

    #[test]
    fn a_survey_date_outside_the_wave_is_said() {
        let period = Period {
            start: Date::new(2025, 8, 1),
            end: Date::new(2025, 8, 31),
        };
        let at = |s: &str| run(Table::Groups, &[("tanggal_pendataan", s)], period);
        assert!(at("2025-08-01").is_empty());
        assert!(at("2025-08-31").is_empty());
        let got = at("2025-09-01");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].code, "outside_wave");
        assert_eq!(
            got[0].says(Lang::Id),
            "tanggal pendataan 1 September 2025 di luar masa pendataan gelombang (1 Agustus 2025 – 31 Agustus 2025)"
        );
        // Day first and outside: both.
        let codes: Vec<&str> = at("02/07/2025").iter().map(|n| n.code).collect();
        assert_eq!(codes, ["day_first_date", "outside_wave"]);
        // A decree date is no survey date.
        assert!(run(Table::Networks, &[("tanggal_sk", "2001-01-01")], period).is_empty());
    }
}
