//! Linking a wave's rows to the lasting groups of earlier waves when the ids are lost
//! (`domain.md`, Groups over time).
//!
//! Field files of a re-survey (*pemutakhiran*) often come back without ids and with the names
//! retyped: "Kel. Tani" for "Kelompok Tani", other capitals, a dropped letter, a founding year
//! off by one. A row without an id is compared with the groups of the same village seen in
//! earlier waves and not yet observed in this one; pairs are assigned one to one; a clear match
//! becomes an observation of that group (`matched`), a middle band is proposed to an officer
//! (`reviewed` once accepted), the rest are new groups.
//!
//! - [`normalize_name`]: case, spacing, punctuation and the common abbreviations of group types.
//! - [`similarity`]: a score in [0, 1] from the name, type, founding year, chair and RT/RW.
//! - [`link_village`]: the one-to-one assignment and the decision per row.
//! - [`Link`], [`LinkMethod`], [`LinkKind`]: what the store keeps of every link.
//! - [`resurvey`]: a generator of re-surveys with known truth, and the measurement of quality.
//!
//! `docs/linking.md` gives the weights, the thresholds and the measured figures.

use crate::Group;
use crate::codes::GroupType;

pub mod resurvey;

// ---------------------------------------------------------------------------------------------
// Normalisation

/// Phrase rewrites applied to the words of a name, longest match first: abbreviations of group
/// types and common words to their full form, and a few long forms to the acronym everyone uses
/// (so "Kelompok Usaha Bersama" and "KUBE" compare equal).
const REWRITES: &[(&[&str], &[&str])] = &[
    (&["kerukunan", "kel"], &["kerukunan", "keluarga"]),
    (&["kerukunan", "klg"], &["kerukunan", "keluarga"]),
    (&["kelompok", "usaha", "bersama"], &["kube"]),
    (&["pemberdayaan", "kesejahteraan", "keluarga"], &["pkk"]),
    (&["tp", "pkk"], &["pkk"]),
    (&["lembaga", "kesejahteraan", "sosial"], &["lks"]),
    (&["dasa", "wisma"], &["dasawisma"]),
    (&["pos", "yandu"], &["posyandu"]),
    (&["kel"], &["kelompok"]),
    (&["klp"], &["kelompok"]),
    (&["kelp"], &["kelompok"]),
    (&["klpk"], &["kelompok"]),
    (&["kelomp"], &["kelompok"]),
    (&["kelompk"], &["kelompok"]),
    (&["poktan"], &["kelompok", "tani"]),
    (&["gapoktan"], &["gabungan", "kelompok", "tani"]),
    (&["mt"], &["majelis", "taklim"]),
    (&["majlis"], &["majelis"]),
    (&["mjl"], &["majelis"]),
    (&["mjls"], &["majelis"]),
    (&["talim"], &["taklim"]),
    (&["kt"], &["karang", "taruna"]),
    (&["kartar"], &["karang", "taruna"]),
    (&["rk"], &["rukun", "kematian"]),
    (&["rukem"], &["rukun", "kematian"]),
    (&["remas"], &["remaja", "masjid"]),
    (&["irmas"], &["remaja", "masjid"]),
    (&["risma"], &["remaja", "masjid"]),
    (&["mesjid"], &["masjid"]),
    (&["kub"], &["kube"]),
    (&["kop"], &["koperasi"]),
    (&["kopr"], &["koperasi"]),
    (&["lemb"], &["lembaga"]),
    (&["ds"], &["desa"]),
    (&["dsn"], &["dusun"]),
    (&["kp"], &["kampung"]),
    (&["kmp"], &["kampung"]),
    (&["lingk"], &["lingkungan"]),
    (&["bpk"], &["bapak"]),
    (&["bp"], &["bapak"]),
    (&["pak"], &["bapak"]),
    (&["bu"], &["ibu"]),
    (&["no"], &[]),
    (&["nomor"], &[]),
    (&["nr"], &[]),
    (&["muh"], &["muhammad"]),
    (&["moh"], &["muhammad"]),
    (&["mhd"], &["muhammad"]),
    (&["muhd"], &["muhammad"]),
    (&["mohd"], &["muhammad"]),
    (&["muhamad"], &["muhammad"]),
    (&["mohammad"], &["muhammad"]),
    (&["mohamad"], &["muhammad"]),
    (&["abd"], &["abdul"]),
    (&["h"], &["haji"]),
    (&["hj"], &["hajah"]),
    (&["hajjah"], &["hajah"]),
];

/// Words written doubled with a "2" ("ibu2" is "ibu ibu"); after any other word a trailing
/// digit is a number ("Mawar2" is "Mawar 2").
const REDUPLICATED: &[&str] = &["ibu", "bapak", "anak", "remaja", "pemuda", "kawan", "warga"];

/// The words that name a group's kind rather than the group: every type's label and a few
/// generic words. They are left out of the *distinctive* part of a name, which is what tells
/// "Arisan Mawar" from "Arisan Melati" (the type itself is compared as a code).
const GENERIC: &[&[&str]] = &[
    &["gabungan", "kelompok", "tani"],
    &["rukun", "kematian"],
    &["majelis", "taklim"],
    &["remaja", "masjid"],
    &["karang", "taruna"],
    &["kelompok", "tani"],
    &["kelompok", "nelayan"],
    &["kelompok", "ronda"],
    &["kelompok", "seni"],
    &["kerukunan", "keluarga"],
    &["paguyuban", "daerah"],
    &["lembaga", "adat"],
    &["kelompok"],
    &["arisan"],
    &["pkk"],
    &["dasawisma"],
    &["posyandu"],
    &["kube"],
    &["koperasi"],
    &["lks"],
    &["lainnya"],
    &["paguyuban"],
    &["kerukunan"],
    &["desa"],
    &["dusun"],
    &["kelurahan"],
    &["ibu"],
    &["bapak"],
];

/// Titles and degrees around a person's name, left out when chairs are compared.
const TITLES: &[&str] = &[
    "haji", "hajah", "bapak", "ibu", "drs", "dra", "ir", "dr", "prof", "s", "pd", "spd", "se",
    "sh", "st", "sag", "ag", "sos", "ssos", "mm",
];

fn fold_char(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        let folded = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            other => other,
        };
        out.push(folded);
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '`' | '\u{B4}' | '\u{2BC}' | '\u{2BB}'
    )
}

fn roman(s: &str) -> Option<u32> {
    const R: &[&str] = &[
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
    ];
    R.iter().position(|r| *r == s).map(|p| p as u32 + 1)
}

/// Lowercased words and numbers: apostrophes vanish ("Ta'lim" is "talim"), other punctuation
/// separates, letters and digits part ("RW03"), numbers lose leading zeros, Roman numerals
/// become numbers. `acronyms` joins runs of single letters ("M.T." is "mt", "K.U.B.E." "kube").
fn raw_tokens(s: &str, acronyms: bool) -> Vec<String> {
    let mut text = String::with_capacity(s.len());
    for c in s.chars() {
        if is_apostrophe(c) {
            continue;
        }
        if c.is_alphanumeric() {
            fold_char(c, &mut text);
        } else {
            text.push(' ');
        }
    }
    let mut out: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        // Split at letter/digit boundaries.
        let mut parts: Vec<String> = Vec::new();
        let mut cur = String::new();
        let mut cur_digit = None;
        for c in word.chars() {
            let d = c.is_numeric();
            if cur_digit.is_some_and(|x| x != d) {
                parts.push(std::mem::take(&mut cur));
            }
            cur_digit = Some(d);
            cur.push(c);
        }
        if !cur.is_empty() {
            parts.push(cur);
        }
        if parts.len() == 2 && parts[1] == "2" && REDUPLICATED.contains(&parts[0].as_str()) {
            let w = parts[0].clone();
            out.push(w.clone());
            out.push(w);
            continue;
        }
        for p in parts {
            if p.chars().all(|c| c.is_ascii_digit()) {
                let t = p.trim_start_matches('0');
                out.push(if t.is_empty() { "0".into() } else { t.into() });
            } else {
                out.push(p);
            }
        }
    }
    if acronyms {
        let mut joined: Vec<String> = Vec::with_capacity(out.len());
        let mut run = String::new();
        let mut run_len = 0;
        let flush = |joined: &mut Vec<String>, run: &mut String, run_len: &mut usize| {
            if *run_len > 0 {
                joined.push(std::mem::take(run));
                *run_len = 0;
            }
        };
        for t in out {
            let single = t.chars().count() == 1 && t.chars().all(char::is_alphabetic);
            if single {
                run.push_str(&t);
                run_len += 1;
            } else {
                flush(&mut joined, &mut run, &mut run_len);
                joined.push(t);
            }
        }
        flush(&mut joined, &mut run, &mut run_len);
        out = joined;
    }
    // Roman numerals (after acronyms, so "M.T." is not read as numbers).
    for t in &mut out {
        if let Some(n) = roman(t) {
            *t = n.to_string();
        }
    }
    out
}

/// Applies [`REWRITES`], longest match first.
fn rewrite(tokens: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len() + 2);
    let mut i = 0;
    while i < tokens.len() {
        let mut best: Option<(usize, &[&str])> = None;
        for (from, to) in REWRITES {
            let n = from.len();
            if i + n <= tokens.len()
                && from.iter().zip(&tokens[i..i + n]).all(|(a, b)| *a == b)
                && best.is_none_or(|(m, _)| n > m)
            {
                best = Some((n, to));
            }
        }
        match best {
            Some((n, to)) => {
                out.extend(to.iter().map(|s| s.to_string()));
                i += n;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// The words of a group's name in canonical form.
pub fn name_tokens(name: &str) -> Vec<String> {
    rewrite(raw_tokens(name, true))
}

/// A group's name in canonical form: lowercase, no punctuation, single spaces, the common
/// abbreviations written out ("Kel. Tani  MAJU" and "Kelompok Tani Maju" both give
/// `kelompok tani maju`).
pub fn normalize_name(name: &str) -> String {
    name_tokens(name).join(" ")
}

/// The distinctive words of a canonical name: without [`GENERIC`] phrases.
fn distinctive(tokens: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    'outer: while i < tokens.len() {
        for g in GENERIC {
            let n = g.len();
            if i + n <= tokens.len() && g.iter().zip(&tokens[i..i + n]).all(|(a, b)| *a == b) {
                i += n;
                continue 'outer;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

fn person_tokens(name: &str) -> Vec<String> {
    rewrite(raw_tokens(name, false))
        .into_iter()
        .filter(|t| !TITLES.contains(&t.as_str()))
        .collect()
}

/// A person's name in canonical form, without titles and degrees ("Hj. Andi Rahmawati, S.Pd."
/// is `andi rahmawati`).
pub fn normalize_person(name: &str) -> String {
    person_tokens(name).join(" ")
}

/// A local unit (`unit_lokal`) as (kind, value) pairs: "RW 03", "rw.3" and "RW3" are all
/// `("rw", "3")`; "RT 2/RW 5" gives both; "Dusun Biru" gives `("dusun", "biru")`; a bare
/// number gives `("", "3")`.
pub fn parse_local_unit(s: &str) -> Vec<(String, String)> {
    let tokens = rewrite(raw_tokens(s, false));
    let kinds = ["rt", "rw", "dusun", "lingkungan", "kampung"];
    let mut out: Vec<(String, String)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].as_str();
        if kinds.contains(&t) {
            let mut value = Vec::new();
            let mut j = i + 1;
            while j < tokens.len() && !kinds.contains(&tokens[j].as_str()) {
                value.push(tokens[j].clone());
                j += 1;
                if value
                    .last()
                    .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit()))
                {
                    break;
                }
            }
            out.push((t.to_string(), value.join(" ")));
            i = j;
        } else {
            if t.chars().all(|c| c.is_ascii_digit()) && out.is_empty() {
                out.push((String::new(), t.to_string()));
            }
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// String similarity

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
/// database. The index of a candidate in its slice is its identity for [`link_village`].
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
struct Prepared {
    full: Words,
    core: Words,
    group_type: Option<GroupType>,
    founded_year: Option<i32>,
    chair: Option<Words>,
    local_unit: Vec<(String, String)>,
}

impl Prepared {
    fn new(c: &Candidate) -> Prepared {
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

fn similarity_prepared(a: &Prepared, b: &Prepared) -> Similarity {
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

// ---------------------------------------------------------------------------------------------
// Assignment and decisions

/// Where the bands of [`link_village`] lie. [`Thresholds::default`] holds the tuned values
/// (`docs/linking.md`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// At or above, with [`Thresholds::margin`], a row is linked with no person looking.
    pub matched: f64,
    /// At or above (and not matched), the pair is proposed for review; below, the row is new.
    pub review: f64,
    /// How far the pair must stand above every other pair of the same row or of the same
    /// earlier group to be linked without review.
    pub margin: f64,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            matched: 0.80,
            review: 0.55,
            margin: 0.10,
        }
    }
}

/// What becomes of one incoming row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision {
    /// The row is an observation of earlier group `previous` (an index into `previous`):
    /// `link: matched`, with its score.
    Matched { previous: usize, score: f64 },
    /// Proposed pair for an officer to accept or reject. `ambiguous`: the score would have
    /// matched, but another pair of the same row or group comes too close.
    Review {
        previous: usize,
        score: f64,
        ambiguous: bool,
    },
    /// No earlier group is close enough: a new group.
    New,
}

impl Decision {
    /// The earlier group proposed or linked, if any.
    pub fn previous(&self) -> Option<usize> {
        match self {
            Decision::Matched { previous, .. } | Decision::Review { previous, .. } => {
                Some(*previous)
            }
            Decision::New => None,
        }
    }
}

/// Links the rows of one village that came without ids (`incoming`) to the village's groups
/// seen in earlier waves and not yet observed in this one (`previous`). Returns one decision per
/// incoming row, in order.
///
/// Assignment is greedy, one to one: all pairs at or above the review threshold, best score
/// first (ties: lower incoming index, then lower previous index), each taken if neither side is
/// taken yet. Greedy rather than an optimal (Hungarian) assignment: an automatic link must be
/// the clear best of both its row and its group (the margin rule), and for such pairs the two
/// methods agree; they differ only where pairs compete closely, and those go to review anyway.
/// Greedy is also what an officer can follow by hand ("the best pair first").
///
/// The margin rule compares a pair with every other pair of its row and of its group, taken
/// or not: a row whose best group went to another row is never linked automatically.
///
/// Deterministic: the same input gives the same decisions.
pub fn link_village(
    previous: &[Candidate],
    incoming: &[Candidate],
    thresholds: &Thresholds,
) -> Vec<Decision> {
    let prev: Vec<Prepared> = previous.iter().map(Prepared::new).collect();
    let inc: Vec<Prepared> = incoming.iter().map(Prepared::new).collect();
    let np = prev.len();
    let mut scores = vec![0.0f64; inc.len() * np];
    for (i, a) in inc.iter().enumerate() {
        for (j, b) in prev.iter().enumerate() {
            scores[i * np + j] = similarity_prepared(b, a).score;
        }
    }
    let score = |i: usize, j: usize| scores[i * np + j];

    let mut pairs: Vec<(usize, usize)> = (0..inc.len())
        .flat_map(|i| (0..np).map(move |j| (i, j)))
        .filter(|&(i, j)| score(i, j) >= thresholds.review)
        .collect();
    pairs.sort_by(|&(i, j), &(k, l)| {
        score(k, l)
            .total_cmp(&score(i, j))
            .then(i.cmp(&k))
            .then(j.cmp(&l))
    });

    let mut decisions = vec![Decision::New; inc.len()];
    let mut prev_taken = vec![false; np];
    let mut inc_taken = vec![false; inc.len()];
    for (i, j) in pairs {
        if inc_taken[i] || prev_taken[j] {
            continue;
        }
        inc_taken[i] = true;
        prev_taken[j] = true;
        let s = score(i, j);
        let runner_up = (0..np)
            .filter(|&l| l != j)
            .map(|l| score(i, l))
            .chain((0..inc.len()).filter(|&k| k != i).map(|k| score(k, j)))
            .fold(0.0f64, f64::max);
        let clear = s - runner_up >= thresholds.margin;
        decisions[i] = if s >= thresholds.matched && clear {
            Decision::Matched {
                previous: j,
                score: s,
            }
        } else {
            Decision::Review {
                previous: j,
                score: s,
                ambiguous: s >= thresholds.matched,
            }
        };
    }
    decisions
}

// ---------------------------------------------------------------------------------------------
// Provenance

/// How a row came to be an observation of a lasting group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMethod {
    /// The row carried the group's id.
    SameId,
    /// Linked by [`link_village`] with no person looking.
    Matched,
    /// A proposed pair an officer accepted.
    Reviewed,
}

/// What a link says happened to the earlier group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The same group, observed again (`previous` and `current` are the same id).
    Continues,
    /// `previous` became part of `current` together with at least one other group.
    Merged,
    /// `current` is one of at least two groups that `previous` split into.
    Split,
}

impl LinkMethod {
    /// The code held in the database and written in JSON (`same_id`).
    pub fn code(self) -> &'static str {
        match self {
            LinkMethod::SameId => "same_id",
            LinkMethod::Matched => "matched",
            LinkMethod::Reviewed => "reviewed",
        }
    }

    pub fn parse(s: &str) -> Option<LinkMethod> {
        [
            LinkMethod::SameId,
            LinkMethod::Matched,
            LinkMethod::Reviewed,
        ]
        .into_iter()
        .find(|m| m.code() == s)
    }
}

impl LinkKind {
    /// The code held in the database and written in JSON (`continues`).
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::Continues => "continues",
            LinkKind::Merged => "merged",
            LinkKind::Split => "split",
        }
    }

    pub fn parse(s: &str) -> Option<LinkKind> {
        [LinkKind::Continues, LinkKind::Merged, LinkKind::Split]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// One link between an earlier group and the group a later wave's row observes, with how it
/// was made. The store keeps these; nothing here is changed after it is recorded.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    /// The group's id in the earlier wave.
    pub previous: String,
    /// The group's id in this wave (the same id when the group continues).
    pub current: String,
    pub kind: LinkKind,
    pub method: LinkMethod,
    /// The score of the pair (`matched`, `reviewed`); none for `same_id`.
    pub score: Option<f64>,
    /// Who accepted the pair (`reviewed`, and any merge or split, which a person records).
    pub accepted_by: Option<String>,
}

impl Link {
    pub fn same_id(id: &str) -> Link {
        Link {
            previous: id.to_string(),
            current: id.to_string(),
            kind: LinkKind::Continues,
            method: LinkMethod::SameId,
            score: None,
            accepted_by: None,
        }
    }

    /// The link a [`Decision::Matched`] makes: the row becomes an observation of `id`.
    pub fn matched(id: &str, score: f64) -> Link {
        Link {
            method: LinkMethod::Matched,
            score: Some(score),
            ..Link::same_id(id)
        }
    }

    /// The link a reviewed pair makes once `officer` accepts it.
    pub fn reviewed(id: &str, score: f64, officer: &str) -> Link {
        Link {
            method: LinkMethod::Reviewed,
            score: Some(score),
            accepted_by: Some(officer.to_string()),
            ..Link::same_id(id)
        }
    }
}

/// Something wrong with a set of links of one wave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    /// A `continues` link between two different ids.
    ContinuesChangesId { previous: String, current: String },
    /// An earlier group continued by more than one link, or both continued and split/merged.
    ClaimedTwice { previous: String },
    /// A merge into `current` from fewer than two earlier groups.
    MergeOfOne { current: String },
    /// A split of `previous` into fewer than two groups.
    SplitIntoOne { previous: String },
    /// A score missing or outside [0, 1] on a matched or reviewed link, or present on same_id.
    BadScore { previous: String },
    /// A reviewed link, merge or split with no one named as having accepted it.
    NotAccepted { previous: String },
}

/// Checks a wave's links: continues keeps the id and is one to one; a merge joins two or more
/// groups into one; a split makes two or more of one; an earlier group has one fate;
/// `matched`/`reviewed` carry a score in [0, 1]; a person accepted every reviewed link, merge
/// and split.
pub fn check_links(links: &[Link]) -> Vec<LinkProblem> {
    use std::collections::BTreeMap;
    let mut problems = Vec::new();
    let mut fate: BTreeMap<&str, Vec<LinkKind>> = BTreeMap::new();
    let mut merged_into: BTreeMap<&str, usize> = BTreeMap::new();
    let mut split_from: BTreeMap<&str, usize> = BTreeMap::new();
    for l in links {
        fate.entry(&l.previous).or_default().push(l.kind);
        match l.kind {
            LinkKind::Continues if l.previous != l.current => {
                problems.push(LinkProblem::ContinuesChangesId {
                    previous: l.previous.clone(),
                    current: l.current.clone(),
                });
            }
            LinkKind::Continues => {}
            LinkKind::Merged => *merged_into.entry(&l.current).or_default() += 1,
            LinkKind::Split => *split_from.entry(&l.previous).or_default() += 1,
        }
        let score_ok = match (l.method, l.score) {
            (LinkMethod::SameId, None) => true,
            (LinkMethod::Matched | LinkMethod::Reviewed, Some(s)) => (0.0..=1.0).contains(&s),
            _ => false,
        };
        if !score_ok {
            problems.push(LinkProblem::BadScore {
                previous: l.previous.clone(),
            });
        }
        let needs_person = l.method == LinkMethod::Reviewed || l.kind != LinkKind::Continues;
        if needs_person && l.accepted_by.as_deref().is_none_or(|s| s.trim().is_empty()) {
            problems.push(LinkProblem::NotAccepted {
                previous: l.previous.clone(),
            });
        }
    }
    for (previous, kinds) in &fate {
        let splits = kinds.iter().filter(|k| **k == LinkKind::Split).count();
        let others = kinds.len() - splits;
        if others > 1 || (others == 1 && splits > 0) {
            problems.push(LinkProblem::ClaimedTwice {
                previous: previous.to_string(),
            });
        }
    }
    for (current, n) in merged_into {
        if n < 2 {
            problems.push(LinkProblem::MergeOfOne {
                current: current.to_string(),
            });
        }
    }
    for (previous, n) in split_from {
        if n < 2 {
            problems.push(LinkProblem::SplitIntoOne {
                previous: previous.to_string(),
            });
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(name: &str, t: GroupType, year: i32, chair: &str, unit: &str) -> Candidate {
        Candidate {
            name: name.into(),
            group_type: Some(t),
            founded_year: Some(year),
            chair: (!chair.is_empty()).then(|| chair.into()),
            local_unit: (!unit.is_empty()).then(|| unit.into()),
        }
    }

    #[test]
    fn names_normalise_case_spacing_punctuation_and_abbreviations() {
        for (a, b) in [
            ("Kel. Tani Maju", "Kelompok Tani Maju"),
            ("KLP TANI  maju.", "kelompok tani maju"),
            ("Poktan Maju", "Kelompok Tani Maju"),
            ("MT Nurul Huda", "Majelis Taklim Nurul Huda"),
            ("M.T. Nurul-Huda", "Majelis Taklim Nurul Huda"),
            ("Majlis Ta'lim Al-Ikhlas", "Majelis taklim Al Ikhlas"),
            ("Majelis Ta\u{2019}lim Al-Ikhlas", "majelis talim al ikhlas"),
            ("Arisan Ibu2 Mawar", "Arisan Ibu Ibu Mawar"),
            ("Dasawisma Mawar 03", "Dasa Wisma Mawar 3"),
            ("Dasawisma Mawar II", "Dasawisma Mawar 2"),
            ("Dasawisma Mawar No. 2", "Dasawisma Mawar2"),
            ("K.U.B.E. Sejahtera", "Kelompok Usaha Bersama Sejahtera"),
            ("Kerukunan Kel. Sipatuo", "Kerukunan Keluarga Sipatuo"),
            ("RK Resopa", "Rukun Kematian Resopa"),
            ("Remas Al-Falah", "Remaja Mesjid Al Falah"),
            ("KT Tunas Muda", "Karang Taruna Tunas Muda"),
            ("Arisan Jeppe'e", "ARISAN JEPPEE"),
            ("  Kelompok   Séni  Padaidi ", "kelompok seni padaidi"),
        ] {
            assert_eq!(normalize_name(a), normalize_name(b), "{a} ~ {b}");
        }
        assert_eq!(normalize_name("Kel. Tani Maju"), "kelompok tani maju");
        assert_ne!(
            normalize_name("Dasawisma Mawar 1"),
            normalize_name("Dasawisma Mawar 2")
        );
    }

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

    #[test]
    fn local_units_parse_in_their_many_spellings() {
        let rw3 = vec![("rw".to_string(), "3".to_string())];
        for s in ["RW 03", "rw.3", "RW03", "Rw. 003"] {
            assert_eq!(parse_local_unit(s), rw3, "{s}");
        }
        assert_eq!(
            parse_local_unit("RT 2/RW 5"),
            vec![("rt".into(), "2".into()), ("rw".into(), "5".into())]
        );
        assert_eq!(
            parse_local_unit("Dusun Biru"),
            vec![("dusun".into(), "biru".into())]
        );
        assert_eq!(parse_local_unit("03"), vec![(String::new(), "3".into())]);
    }

    #[test]
    fn assignment_is_one_to_one() {
        let t = Thresholds::default();
        let prev = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", "RW 01"),
            cand("Arisan Melati", GroupType::Arisan, 1985, "", "RW 02"),
            cand("Posyandu Anggrek", GroupType::Posyandu, 2001, "", "RW 01"),
        ];
        let inc = vec![
            cand("Posyandu Anggrek", GroupType::Posyandu, 2001, "", "RW 01"),
            cand("arisan  melati", GroupType::Arisan, 1986, "", "RW 2"),
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", "RW 1"),
            // The same name again, but founded last year elsewhere: the earlier group is taken.
            cand("Arisan Mawar", GroupType::Arisan, 2025, "", "RW 04"),
        ];
        let d = link_village(&prev, &inc, &t);
        assert_eq!(d.len(), 4);
        assert!(
            matches!(d[0], Decision::Matched { previous: 2, .. }),
            "{d:?}"
        );
        assert!(
            matches!(d[1], Decision::Matched { previous: 1, .. }),
            "{d:?}"
        );
        assert!(
            matches!(d[2], Decision::Matched { previous: 0, .. }),
            "{d:?}"
        );
        assert_eq!(d[3], Decision::New, "{d:?}");
        let mut linked: Vec<usize> = d.iter().filter_map(Decision::previous).collect();
        linked.sort();
        linked.dedup();
        assert_eq!(linked.len(), 3);
        assert_eq!(d, link_village(&prev, &inc, &t), "deterministic");
    }

    #[test]
    fn ambiguous_pairs_go_to_review() {
        let t = Thresholds::default();
        // Two earlier groups the row fits almost equally well: neither is linked without a
        // person, though the score alone would match.
        let prev = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", "RW 01"),
            cand("Arisan Mawar", GroupType::Arisan, 1991, "", "RW 02"),
        ];
        let inc = vec![cand("Arisan Mawar", GroupType::Arisan, 1990, "", "")];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(
                d[0],
                Decision::Review {
                    previous: 0,
                    ambiguous: true,
                    ..
                }
            ),
            "{d:?}"
        );
        // A clear best among similar names is linked.
        let prev = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1990, "", ""),
            cand("Arisan Mawar Indah", GroupType::Arisan, 1990, "", ""),
        ];
        let inc = vec![cand("Arisan Mawar Indh", GroupType::Arisan, 1990, "", "")];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(d[0], Decision::Matched { previous: 1, .. }),
            "{d:?}"
        );
        // Two rows that fit one earlier group equally well: the first is proposed, not linked.
        let prev = vec![cand("Arisan Mawar", GroupType::Arisan, 1990, "", "")];
        let inc = vec![
            cand("Arisan Mawar", GroupType::Arisan, 1991, "", ""),
            cand("Arisan Mawar", GroupType::Arisan, 1989, "", ""),
        ];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(
                d[0],
                Decision::Review {
                    previous: 0,
                    ambiguous: true,
                    ..
                }
            ),
            "{d:?}"
        );
        assert_eq!(d[1], Decision::New);
        // The middle band: alike, but not enough.
        let prev = vec![cand("Arisan Mawar", GroupType::Arisan, 1990, "", "")];
        let inc = vec![cand("Arisan Mawar", GroupType::Dasawisma, 1993, "", "")];
        let d = link_village(&prev, &inc, &t);
        assert!(
            matches!(
                d[0],
                Decision::Review {
                    previous: 0,
                    ambiguous: false,
                    ..
                }
            ),
            "{d:?}"
        );
        // Nothing alike: new.
        let inc = vec![cand(
            "Kelompok Ronda Resopa",
            GroupType::KelompokRonda,
            2015,
            "",
            "",
        )];
        assert_eq!(link_village(&prev, &inc, &t), vec![Decision::New]);
    }

    #[test]
    fn links_are_checked() {
        let ok = vec![
            Link::same_id("K-1"),
            Link::matched("K-2", 0.9),
            Link::reviewed("K-3", 0.7, "petugas"),
            Link {
                previous: "K-4".into(),
                current: "K-9".into(),
                kind: LinkKind::Merged,
                method: LinkMethod::Reviewed,
                score: Some(0.6),
                accepted_by: Some("petugas".into()),
            },
            Link {
                previous: "K-5".into(),
                current: "K-9".into(),
                kind: LinkKind::Merged,
                method: LinkMethod::Reviewed,
                score: Some(0.6),
                accepted_by: Some("petugas".into()),
            },
        ];
        assert_eq!(check_links(&ok), vec![]);
        let bad = vec![
            Link {
                current: "K-8".into(),
                ..Link::same_id("K-1")
            },
            Link::matched("K-2", 1.5),
            Link::matched("K-3", 0.9),
            Link::matched("K-3", 0.95),
            Link {
                accepted_by: None,
                ..Link::reviewed("K-4", 0.7, "x")
            },
            Link {
                kind: LinkKind::Split,
                ..Link::reviewed("K-5", 0.7, "petugas")
            },
        ];
        assert_eq!(
            check_links(&bad),
            vec![
                LinkProblem::ContinuesChangesId {
                    previous: "K-1".into(),
                    current: "K-8".into()
                },
                LinkProblem::BadScore {
                    previous: "K-2".into()
                },
                LinkProblem::NotAccepted {
                    previous: "K-4".into()
                },
                LinkProblem::ClaimedTwice {
                    previous: "K-3".into()
                },
                LinkProblem::SplitIntoOne {
                    previous: "K-5".into()
                },
            ]
        );
    }
}
