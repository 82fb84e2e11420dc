//! Indonesia's three time zones and the times people read in them.
//!
//! wahana keeps every moment in UTC (`2026-12-05T05:43:02Z`); a person reads it in the time of
//! the region it concerns: WIB (UTC+7) in Sumatra, Java, West and Central Kalimantan; WITA
//! (UTC+8) in Bali, Nusa Tenggara, South, East and North Kalimantan and Sulawesi; WIT (UTC+9)
//! in Maluku and Papua. The domain reads no clock: it turns a stored moment into words.

use crate::{Date, Lang, RegionCode};

/// One of Indonesia's time zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeZone {
    /// Waktu Indonesia Barat, UTC+7.
    Wib,
    /// Waktu Indonesia Tengah, UTC+8.
    Wita,
    /// Waktu Indonesia Timur, UTC+9.
    Wit,
}

impl TimeZone {
    /// The zone of a region (of its province); WIB, the capital's, for the whole country.
    pub fn of(region: Option<&RegionCode>) -> TimeZone {
        let Some(code) = region else {
            return TimeZone::Wib;
        };
        match code.to_string().get(..2).and_then(|p| p.parse::<u8>().ok()) {
            // Bali, NTB, NTT; South, East and North Kalimantan; the six Sulawesi provinces.
            Some(51..=53 | 63..=65 | 71..=76) => TimeZone::Wita,
            // Maluku, Maluku Utara, and the Papua provinces.
            Some(81..=82 | 91..=99) => TimeZone::Wit,
            _ => TimeZone::Wib,
        }
    }

    /// Hours ahead of UTC.
    pub fn offset_hours(self) -> i64 {
        match self {
            TimeZone::Wib => 7,
            TimeZone::Wita => 8,
            TimeZone::Wit => 9,
        }
    }

    /// `WIB`, `WITA` or `WIT` (the same in both languages).
    pub fn label(self) -> &'static str {
        match self {
            TimeZone::Wib => "WIB",
            TimeZone::Wita => "WITA",
            TimeZone::Wit => "WIT",
        }
    }

    /// A stored UTC moment (`2026-12-05T05:43:02Z`, fractions and a space instead of `T`
    /// accepted) in this zone: `5 Desember 2026 13.43 WITA` (Indonesian writes the time with a
    /// period), `5 December 2026 13:43 WITA`. Text that is no such moment comes back as it was.
    pub fn local(self, utc: &str, lang: Lang) -> String {
        let Some((date, minutes)) = parse_utc(utc) else {
            return utc.to_string();
        };
        let total = date.to_days() * 1440 + minutes + self.offset_hours() * 60;
        let (days, minute_of_day) = (total.div_euclid(1440), total.rem_euclid(1440));
        let Some(day) = Date::from_days(days) else {
            return utc.to_string();
        };
        let sep = lang.pick(".", ":");
        format!(
            "{} {:02}{sep}{:02} {}",
            day.long(lang),
            minute_of_day / 60,
            minute_of_day % 60,
            self.label()
        )
    }
}

/// `YYYY-MM-DD[T ]HH:MM[:SS[.fff]][Z|+00:00]` → the date and the minute of the day.
fn parse_utc(s: &str) -> Option<(Date, i64)> {
    let s = s.trim();
    if s.len() < 16 || !s.is_char_boundary(10) || !s.is_char_boundary(11) {
        return None;
    }
    let (date, rest) = (&s[..10], &s[11..]);
    if !matches!(s.as_bytes()[10], b'T' | b' ') {
        return None;
    }
    let date: Date = date.parse().ok()?;
    let rest = rest
        .trim_end_matches('Z')
        .trim_end_matches("+00:00")
        .trim_end_matches("+0000");
    let mut parts = rest.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    if let Some(sec) = parts.next() {
        sec.split('.').next()?.parse::<u8>().ok()?;
    }
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some((date, h * 60 + m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn each_province_has_its_zone() {
        for (c, z) in [
            ("11", TimeZone::Wib),
            ("31.71", TimeZone::Wib),
            ("62", TimeZone::Wib),
            ("51", TimeZone::Wita),
            ("53", TimeZone::Wita),
            ("64.72", TimeZone::Wita),
            ("73.08.21.1002", TimeZone::Wita),
            ("76", TimeZone::Wita),
            ("81", TimeZone::Wit),
            ("82", TimeZone::Wit),
            ("91", TimeZone::Wit),
            ("96", TimeZone::Wit),
        ] {
            assert_eq!(TimeZone::of(Some(&code(c))), z, "{c}");
        }
        assert_eq!(TimeZone::of(None), TimeZone::Wib);
        // Every province of the official tree falls in one of the three.
        for p in crate::RegionTree::official().provinces() {
            let z = TimeZone::of(Some(&p.code));
            assert!((7..=9).contains(&z.offset_hours()), "{}", p.code);
        }
    }

    #[test]
    fn a_moment_in_each_zone_and_language() {
        let at = "2026-12-05T05:43:02Z";
        assert_eq!(
            TimeZone::Wib.local(at, Lang::Id),
            "5 Desember 2026 12.43 WIB"
        );
        assert_eq!(
            TimeZone::Wita.local(at, Lang::Id),
            "5 Desember 2026 13.43 WITA"
        );
        assert_eq!(
            TimeZone::Wit.local(at, Lang::En),
            "5 December 2026 14:43 WIT"
        );
        // Across midnight, a month and a year.
        assert_eq!(
            TimeZone::Wit.local("2026-12-31 20:30:00.123", Lang::Id),
            "1 Januari 2027 05.30 WIT"
        );
        assert_eq!(
            TimeZone::Wib.local("2024-02-28T17:00:00+00:00", Lang::Id),
            "29 Februari 2024 00.00 WIB"
        );
        for odd in [
            "",
            "kemarin",
            "2026-12-05",
            "2026-12-05T25:00:00Z",
            "2026-12-05X05:43",
        ] {
            assert_eq!(TimeZone::Wib.local(odd, Lang::Id), odd);
        }
    }
}
