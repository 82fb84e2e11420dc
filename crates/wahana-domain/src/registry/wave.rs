//! Waves (*pendataan*), the identification surveys records belong to, and the local units
//! (dusun, RW, RT) under a village.

use crate::Date;
use crate::codes::*;
use crate::region::RegionCode;
use serde::Serialize;

/// One identification survey (*pendataan*).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wave {
    pub id: String,
    pub name: String,
    pub region: Option<RegionCode>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    /// Where the data came from (a study, a Dinas Sosial survey, a generator).
    pub source: Option<String>,
    /// Generated data, never to be shown as a measurement.
    pub synthetic: bool,
    pub enumerators: Option<String>,
    /// A closed wave is read-only: every write into it is refused.
    pub closed: bool,
    /// How the groups were found: every group of the area (census) or a sample.
    pub method: Option<WaveMethod>,
    /// Who ran the survey (an office, a study team).
    pub run_by: Option<String>,
}

/// How a wave found its groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WaveMethod {
    /// Every group of the area was sought (*sensus*).
    Census,
    /// A sample of villages or groups (*sampel*).
    Sample,
}

impl WaveMethod {
    pub fn code(self) -> &'static str {
        match self {
            WaveMethod::Census => "census",
            WaveMethod::Sample => "sample",
        }
    }
    /// Reads `census`/`sensus` or `sample`/`sampel` (any case).
    pub fn parse(s: &str) -> Option<WaveMethod> {
        match s.trim().to_lowercase().as_str() {
            "census" | "sensus" => Some(WaveMethod::Census),
            "sample" | "sampel" => Some(WaveMethod::Sample),
            _ => None,
        }
    }
    /// The name shown in Indonesian.
    pub fn label_id(self) -> &'static str {
        match self {
            WaveMethod::Census => "sensus",
            WaveMethod::Sample => "sampel",
        }
    }
}

impl Wave {
    /// The wave surveyed a sample, not every group of its area: shares computed from it carry
    /// confidence intervals. A wave that does not say is taken as a census.
    pub fn is_sample(&self) -> bool {
        self.method == Some(WaveMethod::Sample)
    }

    /// The date a wave's groups are dated by when they carry none: its end, else its start.
    pub fn date(&self) -> Option<Date> {
        self.end_date.or(self.start_date)
    }

    /// A wave named in a sentence: `pendataan "Pemutakhiran 2026"` (`the wave "…"`), or only
    /// the quoted name when it already says what it is (`"Pendataan contoh 2007"`), so that no
    /// word is said twice. `start`: it begins the sentence (capitalised).
    pub fn named(name: &str, lang: crate::Lang, start: bool) -> String {
        const SAYS_IT: [&str; 8] = [
            "pendataan",
            "survei",
            "survey",
            "gelombang",
            "wave",
            "sensus",
            "census",
            "pemutakhiran",
        ];
        let first = name.split_whitespace().next().unwrap_or("").to_lowercase();
        if SAYS_IT.contains(&first.as_str()) {
            return format!("\"{name}\"");
        }
        let word = match (lang, start) {
            (crate::Lang::Id, false) => "pendataan",
            (crate::Lang::Id, true) => "Pendataan",
            (crate::Lang::En, false) => "the wave",
            (crate::Lang::En, true) => "The wave",
        };
        format!("{word} \"{name}\"")
    }

    /// Makes a wave id from a name: lowercase letters and digits joined by `-`.
    pub fn slug(name: &str) -> String {
        let mut out = String::new();
        for c in name.trim().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        let out = out.trim_end_matches('-').to_string();
        out.chars().take(64).collect()
    }
}

/// A local unit under a village: dusun, RW or RT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocalUnit {
    pub village: RegionCode,
    pub kind: LocalUnitKind,
    pub name: String,
}

#[cfg(test)]
mod named_tests {
    use super::Wave;
    use crate::Lang;

    #[test]
    fn a_wave_is_named_without_a_word_said_twice() {
        assert_eq!(
            Wave::named("Pendataan contoh 2007", Lang::Id, true),
            "\"Pendataan contoh 2007\""
        );
        assert_eq!(
            Wave::named("Bone 2026", Lang::Id, false),
            "pendataan \"Bone 2026\""
        );
        assert_eq!(
            Wave::named("Bone 2026", Lang::En, true),
            "The wave \"Bone 2026\""
        );
        assert_eq!(
            Wave::named("Survey of Bone", Lang::En, false),
            "\"Survey of Bone\""
        );
    }
}
