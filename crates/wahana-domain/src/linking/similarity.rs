//! The similarity of two candidates: name, founding year, type, chair and RT/RW.

use super::normalize::{distinctive, name_tokens, parse_local_unit, person_tokens};
use crate::Group;
use crate::codes::GroupType;

/// Optimal string alignment distance (Damerau-Levenshtein where a transposition counts one and
/// no substring is edited twice): a dropped, added, changed or swapped letter costs 1.
fn osa(a: &[char], b: &[char]) -> usize {
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        return m;
    }
    if m == 0 {
        return n;
    }
    let w = m + 1;
    let mut d = vec![0usize; (n + 1) * w];
    for i in 0..=n {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(m + 1) {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[n * w + m]
}

/// 1 - OSA distance / the longer length: 1 for equal strings, 0 for nothing in common.
fn char_similarity(a: &[char], b: &[char]) -> f64 {
    let longest = a.len().max(b.len());
    if longest == 0 {
        return 1.0;
    }
    1.0 - osa(a, b) as f64 / longest as f64
}

/// Words matched one to one (greedily, best first) when at least this similar.
const WORD_MATCH: f64 = 0.7;

/// Word-level similarity: the words are paired one to one by character similarity, and the
/// pairs' similarities are weighted by their letters (so "al" counts less than "baiturrahman").
/// Word order does not matter.
fn word_similarity(a: &[Vec<char>], b: &[Vec<char>]) -> f64 {
    let total: usize = a.iter().chain(b).map(Vec::len).sum();
    if total == 0 {
        return 1.0;
    }
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            let s = char_similarity(x, y);
            if s >= WORD_MATCH {
                pairs.push((s, i, j));
            }
        }
    }
    pairs.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)).then(p.2.cmp(&q.2)));
    let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut matched = 0.0;
    for (s, i, j) in pairs {
        if !used_a[i] && !used_b[j] {
            used_a[i] = true;
            used_b[j] = true;
            matched += s * (a[i].len() + b[j].len()) as f64;
        }
    }
    matched / total as f64
}

/// Prepared words of a name or a person: letters only, and the numbers apart.
#[derive(Debug, Clone, Default)]
struct Words {
    words: Vec<Vec<char>>,
    joined: Vec<char>,
    numbers: Vec<String>,
}

impl Words {
    fn new(tokens: &[String]) -> Words {
        let mut w = Words::default();
        for t in tokens {
            if t.chars().all(|c| c.is_ascii_digit()) {
                w.numbers.push(t.clone());
            } else {
                let chars: Vec<char> = t.chars().collect();
                w.joined.extend(&chars);
                w.words.push(chars);
            }
        }
        w.numbers.sort();
        w
    }

    fn is_empty(&self) -> bool {
        self.words.is_empty() && self.numbers.is_empty()
    }

    /// The better of the character similarity of the words run together (which forgives a
    /// space added or lost: "Nurulhuda") and the word similarity (which forgives the order).
    fn letters_similarity(&self, other: &Words) -> f64 {
        if self.words.is_empty() && other.words.is_empty() {
            return 1.0;
        }
        char_similarity(&self.joined, &other.joined).max(word_similarity(&self.words, &other.words))
    }
}

/// Numbers in two names that differ ("Dasawisma Mawar 1" and "... 2") say they are different
/// groups whatever the letters say: the name's similarity is held to this at most.
const NUMBERS_DIFFER_CAP: f64 = 0.5;

// ---------------------------------------------------------------------------------------------
// Candidates and the score

/// What linking looks at of a group or a row: the fields the issue names, nothing tied to the
/// database. The index of a candidate in its slice is its identity for [`link_village`](super::link_village).
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub name: String,
    pub group_type: Option<GroupType>,
    pub founded_year: Option<i32>,
    pub chair: Option<String>,
    /// `unit_lokal`: "RW 03", "RT 2/RW 5", "Dusun Biru".
    pub local_unit: Option<String>,
}

impl Candidate {
    pub fn from_group(g: &Group) -> Candidate {
        Candidate {
            name: g.name.clone(),
            group_type: Some(g.group_type),
            founded_year: Some(g.founded_year),
            chair: g.chair.clone(),
            local_unit: g.local_unit.clone(),
        }
    }
}

/// A candidate with its normalised forms computed once.
#[derive(Debug, Clone)]
pub(super) struct Prepared {
    full: Words,
    core: Words,
    group_type: Option<GroupType>,
    founded_year: Option<i32>,
    chair: Option<Words>,
    local_unit: Vec<(String, String)>,
}

impl Prepared {
    pub(super) fn new(c: &Candidate) -> Prepared {
        let tokens = name_tokens(&c.name);
        let chair = c
            .chair
            .as_deref()
            .map(|s| Words::new(&person_tokens(s)))
            .filter(|w| !w.is_empty());
        Prepared {
            full: Words::new(&tokens),
            core: Words::new(&distinctive(&tokens)),
            group_type: c.group_type,
            founded_year: c.founded_year,
            chair,
            local_unit: c
                .local_unit
                .as_deref()
                .map(parse_local_unit)
                .unwrap_or_default(),
        }
    }
}

/// The weights of the parts of the score. A part that is missing on either side drops out and
/// the others are scaled up, so a row without a chair is judged on what it has.
///
/// - The name carries half: it is the one field always present and the one that tells groups of
///   the same type apart.
/// - The founding year comes next: it does not change from wave to wave (but for a typing slip
///   of a year or so), and a new group that takes an old group's name is years apart from it.
/// - The type is a code, rarely miscoded, but many groups share it: it mainly keeps
///   "Arisan Mawar" from "Dasawisma Mawar".
/// - The chair: the same person is strong evidence, but chairs change over the years, so a
///   different chair counts only a little against ([`CHAIR_DIFFERS`]).
/// - The RT/RW: rarely changes, but is often left blank or written many ways.
pub const WEIGHT_NAME: f64 = 0.50;
pub const WEIGHT_YEAR: f64 = 0.20;
pub const WEIGHT_TYPE: f64 = 0.15;
pub const WEIGHT_CHAIR: f64 = 0.10;
pub const WEIGHT_LOCAL_UNIT: f64 = 0.05;

/// Two chairs at least this similar are taken for the same person.
const CHAIR_SAME: f64 = 0.85;
/// The chair part's value when the chairs differ: chairs change, so this is a weak sign.
const CHAIR_DIFFERS: f64 = 0.3;

/// The founding year part's value for a difference of 0, 1, 2, 3-5 years; further apart, 0.
fn year_value(diff: u32) -> f64 {
    match diff {
        0 => 1.0,
        1 => 0.85,
        2 => 0.5,
        3..=5 => 0.2,
        _ => 0.0,
    }
}

/// The parts of a pair's score, for an officer's review screen as much as for the decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// The weighted score in [0, 1].
    pub score: f64,
    pub name: f64,
    pub group_type: Option<f64>,
    pub founded_year: Option<f64>,
    pub chair: Option<f64>,
    pub local_unit: Option<f64>,
}

fn name_similarity(a: &Prepared, b: &Prepared) -> f64 {
    // The distinctive words when both have some, else the whole names ("Posyandu" alone).
    let (x, y) = if a.core.words.is_empty() || b.core.words.is_empty() {
        (&a.full, &b.full)
    } else {
        (&a.core, &b.core)
    };
    let s = x.letters_similarity(y);
    if a.full.numbers != b.full.numbers {
        s.min(NUMBERS_DIFFER_CAP)
    } else {
        s
    }
}

fn local_unit_value(a: &[(String, String)], b: &[(String, String)]) -> Option<f64> {
    let mut compared = false;
    for (ka, va) in a {
        for (kb, vb) in b {
            if ka == kb || ka.is_empty() || kb.is_empty() {
                compared = true;
                if va != vb {
                    return Some(0.0);
                }
            }
        }
    }
    compared.then_some(1.0)
}

pub(super) fn similarity_prepared(a: &Prepared, b: &Prepared) -> Similarity {
    let name = name_similarity(a, b);
    let group_type = match (a.group_type, b.group_type) {
        (Some(x), Some(y)) => Some(if x == y { 1.0 } else { 0.0 }),
        _ => None,
    };
    let founded_year = match (a.founded_year, b.founded_year) {
        (Some(x), Some(y)) => Some(year_value(x.abs_diff(y))),
        _ => None,
    };
    let chair = match (&a.chair, &b.chair) {
        (Some(x), Some(y)) => {
            let mut s = x.letters_similarity(y);
            if x.numbers != y.numbers {
                s = s.min(NUMBERS_DIFFER_CAP);
            }
            Some(if s >= CHAIR_SAME { 1.0 } else { CHAIR_DIFFERS })
        }
        _ => None,
    };
    let local_unit = local_unit_value(&a.local_unit, &b.local_unit);
    let mut sum = WEIGHT_NAME * name;
    let mut weight = WEIGHT_NAME;
    for (value, w) in [
        (group_type, WEIGHT_TYPE),
        (founded_year, WEIGHT_YEAR),
        (chair, WEIGHT_CHAIR),
        (local_unit, WEIGHT_LOCAL_UNIT),
    ] {
        if let Some(v) = value {
            sum += w * v;
            weight += w;
        }
    }
    Similarity {
        score: sum / weight,
        name,
        group_type,
        founded_year,
        chair,
        local_unit,
    }
}

/// How alike an earlier group and an incoming row are (symmetric).
pub fn similarity(a: &Candidate, b: &Candidate) -> Similarity {
    similarity_prepared(&Prepared::new(a), &Prepared::new(b))
}

#[cfg(test)]
mod tests {
    use super::super::Thresholds;
    use super::super::testing::cand;
    use super::*;

    #[test]
    fn retyped_names_score_high_and_other_names_low() {
        let prev = cand("Kelompok Tani Maju", GroupType::KelompokTani, 1995, "", "");
        for retyped in ["Kel. Tani Maju", "KELOMPOK TANI MAJU", "Poktan Maju."] {
            let s = similarity(&prev, &cand(retyped, GroupType::KelompokTani, 1995, "", ""));
            assert_eq!(s.name, 1.0, "{retyped}");
            assert_eq!(s.score, 1.0, "{retyped}");
        }
        let typo = similarity(
            &cand("Arisan Sipakalebbi", GroupType::Arisan, 1990, "", ""),
            &cand("arisan sipakalebi", GroupType::Arisan, 1991, "", ""),
        );
        assert!(typo.score > 0.85, "{typo:?}");
        let other = similarity(
            &cand("Arisan Sipakalebbi", GroupType::Arisan, 1990, "", ""),
            &cand("Arisan Sipakatau", GroupType::Arisan, 1990, "", ""),
        );
        assert!(other.name < 0.7, "{other:?}");
        let numbers = similarity(
            &cand("Dasawisma Mawar 1", GroupType::Dasawisma, 1990, "", ""),
            &cand("Dasawisma Mawar 2", GroupType::Dasawisma, 1990, "", ""),
        );
        assert_eq!(numbers.name, NUMBERS_DIFFER_CAP);
    }

    #[test]
    fn founding_year_chair_and_rw_weigh_in() {
        let prev = cand(
            "Arisan Mawar",
            GroupType::Arisan,
            1990,
            "Hj. Andi Rahmawati",
            "RW 03",
        );
        let same = similarity(
            &prev,
            &cand(
                "Arisan Mawar",
                GroupType::Arisan,
                1990,
                "Andi Rahmawati",
                "rw.3",
            ),
        );
        assert_eq!(same.chair, Some(1.0));
        assert_eq!(same.local_unit, Some(1.0));
        assert_eq!(same.score, 1.0);
        // A new group under an old name: years apart, another chair, another RW.
        let newcomer = similarity(
            &prev,
            &cand(
                "Arisan Mawar",
                GroupType::Arisan,
                2019,
                "Sitti Aminah",
                "RW 05",
            ),
        );
        assert_eq!(newcomer.founded_year, Some(0.0));
        assert_eq!(newcomer.local_unit, Some(0.0));
        assert!(
            newcomer.score < Thresholds::default().matched,
            "{newcomer:?}"
        );
        let off_by_one = similarity(
            &prev,
            &cand("Arisan Mawar", GroupType::Arisan, 1991, "", ""),
        );
        assert!(off_by_one.score >= Thresholds::default().matched);
    }
}
