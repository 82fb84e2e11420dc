//! The outcome of screening a group, the reasons for it, and counts over many groups.

use crate::Lang;
use crate::codes::Code;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The result of screening one group (*hasil penyaringan*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    /// `memenuhi`: every criterion holds.
    Qualifies,
    /// `tidak_memenuhi`: a recorded value contradicts a criterion.
    DoesNotQualify,
    /// `belum_lengkap`: nothing contradicts, but a column some criterion needs is empty.
    Incomplete,
}

impl Code for Outcome {
    const FIELD: &'static str = "hasil_penyaringan";
    const ALL: &'static [Self] = &[
        Outcome::Qualifies,
        Outcome::DoesNotQualify,
        Outcome::Incomplete,
    ];
    fn code(self) -> &'static str {
        match self {
            Outcome::Qualifies => "memenuhi",
            Outcome::DoesNotQualify => "tidak_memenuhi",
            Outcome::Incomplete => "belum_lengkap",
        }
    }
    fn label_id(self) -> &'static str {
        match self {
            Outcome::Qualifies => "Memenuhi syarat",
            Outcome::DoesNotQualify => "Tidak memenuhi syarat",
            Outcome::Incomplete => "Belum lengkap",
        }
    }
    fn label_en(self) -> &'static str {
        match self {
            Outcome::Qualifies => "Qualifies",
            Outcome::DoesNotQualify => "Does not qualify",
            Outcome::Incomplete => "Incomplete",
        }
    }
    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Outcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Outcome {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Outcome::from_code(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown outcome {s:?}; expected {}",
                Outcome::expected()
            ))
        })
    }
}

/// Why one criterion passed, failed or could not be judged, through one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// The criterion's id (`C1`).
    pub criterion: String,
    /// The criterion's verdict (for an exclusion: `true` when its sign is absent); `None`
    /// when it cannot be judged.
    pub passed: Option<bool>,
    /// The instrument column (`jumlah_anggota`).
    pub field: &'static str,
    /// Its value as the instrument writes it; empty when empty.
    pub value: String,
    pub message_id: String,
    pub message_en: String,
}

impl Reason {
    pub fn message(&self, lang: Lang) -> &str {
        lang.pick(&self.message_id, &self.message_en)
    }
}

/// The outcome for one group and the reasons for it, criterion by criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningResult {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
}

impl Serialize for ScreeningResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ScreeningResult", 4)?;
        st.serialize_field("outcome", &self.outcome)?;
        st.serialize_field("outcome_label_id", self.outcome.label_id())?;
        st.serialize_field("outcome_label_en", self.outcome.label_en())?;
        st.serialize_field("reasons", &self.reasons)?;
        st.end()
    }
}

/// Combines criterion verdicts: any failure wins, then any unknown.
pub(super) fn combine(verdicts: impl Iterator<Item = Option<bool>>) -> Outcome {
    let mut incomplete = false;
    for v in verdicts {
        match v {
            Some(false) => return Outcome::DoesNotQualify,
            None => incomplete = true,
            Some(true) => {}
        }
    }
    if incomplete {
        Outcome::Incomplete
    } else {
        Outcome::Qualifies
    }
}

// ---------------------------------------------------------------------------------------------
// Summary

/// How many groups passed, failed or could not be judged on one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CriterionCount {
    pub criterion: String,
    pub passed: u64,
    pub failed: u64,
    pub incomplete: u64,
}

/// Counts of screening results, per outcome and per criterion.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub total: u64,
    pub qualifies: u64,
    pub does_not_qualify: u64,
    pub incomplete: u64,
    /// In the order the criteria first appear.
    pub by_criterion: Vec<CriterionCount>,
}

impl Summary {
    /// Adds one result.
    pub fn add(&mut self, r: &ScreeningResult) {
        self.add_outcome(r.outcome);
        let mut last: Option<&str> = None;
        for reason in &r.reasons {
            // A criterion's reasons are consecutive and share its verdict: count it once.
            if last == Some(reason.criterion.as_str()) {
                continue;
            }
            last = Some(reason.criterion.as_str());
            let i = match self
                .by_criterion
                .iter()
                .position(|c| c.criterion == reason.criterion)
            {
                Some(i) => i,
                None => {
                    self.by_criterion.push(CriterionCount {
                        criterion: reason.criterion.clone(),
                        passed: 0,
                        failed: 0,
                        incomplete: 0,
                    });
                    self.by_criterion.len() - 1
                }
            };
            let c = &mut self.by_criterion[i];
            match reason.passed {
                Some(true) => c.passed += 1,
                Some(false) => c.failed += 1,
                None => c.incomplete += 1,
            }
        }
    }

    /// Adds an outcome known without reasons.
    pub fn add_outcome(&mut self, o: Outcome) {
        self.total += 1;
        match o {
            Outcome::Qualifies => self.qualifies += 1,
            Outcome::DoesNotQualify => self.does_not_qualify += 1,
            Outcome::Incomplete => self.incomplete += 1,
        }
    }

    pub fn count(&self, o: Outcome) -> u64 {
        match o {
            Outcome::Qualifies => self.qualifies,
            Outcome::DoesNotQualify => self.does_not_qualify,
            Outcome::Incomplete => self.incomplete,
        }
    }
}

/// Counts results per outcome and per criterion.
pub fn summarise<'a>(results: impl IntoIterator<Item = &'a ScreeningResult>) -> Summary {
    let mut s = Summary::default();
    for r in results {
        s.add(r);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::super::RuleSet;
    use super::super::testing::group;
    use super::*;

    #[test]
    fn summary_counts_outcomes_and_criteria() {
        let rules = RuleSet::seed_2007();
        let results: Vec<ScreeningResult> = [
            &[][..],
            &[("nilai", "")],
            &[("jenis", "lainnya"), ("nama", "DPD Partai X")],
            &[],
        ]
        .iter()
        .map(|c| rules.screen(&group(c)))
        .collect();
        let s = summarise(&results);
        assert_eq!(
            (s.total, s.qualifies, s.does_not_qualify, s.incomplete),
            (4, 2, 1, 1)
        );
        assert_eq!(s.count(Outcome::Incomplete), 1);
        let c2 = s.by_criterion.iter().find(|c| c.criterion == "C2").unwrap();
        assert_eq!((c2.passed, c2.failed, c2.incomplete), (3, 0, 1));
        let x2 = s.by_criterion.iter().find(|c| c.criterion == "X2").unwrap();
        assert_eq!((x2.passed, x2.failed, x2.incomplete), (3, 1, 0));
        assert_eq!(s.by_criterion.len(), 5);
    }

    #[test]
    fn outcome_codes_round_trip() {
        for o in Outcome::ALL {
            let json = serde_json::to_string(o).unwrap();
            assert_eq!(serde_json::from_str::<Outcome>(&json).unwrap(), *o);
        }
        assert_eq!(
            serde_json::to_string(&Outcome::Incomplete).unwrap(),
            "\"belum_lengkap\""
        );
        assert_eq!(
            Outcome::from_code("TIDAK_MEMENUHI"),
            Some(Outcome::DoesNotQualify)
        );
    }
}
