//! Screening (*penyaringan*): does a recorded group qualify as a WKSBM group? (`domain.md`,
//! "Identification").
//!
//! A [`RuleSet`] is data, not a code path: it is read from a TOML file, and the default one,
//! `seed-2007`, is embedded from `rules/seed-2007.toml` (whose comments document the format).
//! TOML because the people who adapt a rule set to a regional regulation are Dinas Sosial
//! analysts, not programmers: it is plain text that takes comments in both languages beside each
//! rule, has no significant indentation (unlike YAML) and no quoting of every key or trailing-comma
//! traps (unlike JSON), and the program already reads its configuration in it.
//!
//! Each criterion is a tree of conditions over the instrument's columns, judged with three
//! values: holds, fails, or cannot be judged because a column it needs is empty. Missing data
//! therefore makes a group *incomplete* (`belum_lengkap`), never *does not qualify*
//! (`tidak_memenuhi`); only a recorded value that contradicts a criterion does that.

use crate::Lang;
use crate::codes::{
    Activity, Code, CodeSet, DuesPeriod, Funding, GroupStatus, GroupType, LegalStatus,
    MeetingFrequency, MembershipBasis, Origin, Purpose, Value,
};
use crate::registry::{Group, check_id};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The default rule set's text.
const SEED_2007: &str = include_str!("../rules/seed-2007.toml");

// ---------------------------------------------------------------------------------------------
// Outcome

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

// ---------------------------------------------------------------------------------------------
// Fields and tests

/// A column of the group instrument that a rule may test, by its Indonesian name; two are
/// computed (`jumlah_anggota`, `umur`). Personal data (`ketua`, `telepon`) and bookkeeping
/// columns (`id`, `tanggal_pendataan`, `pendata`, coordinates) are not testable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `kode_wilayah`.
    Region,
    /// `unit_lokal`.
    LocalUnit,
    /// `nama`.
    Name,
    /// `jenis`.
    Type,
    /// `asal`.
    Origin,
    /// `tahun_berdiri`.
    FoundedYear,
    /// `umur`: survey year minus founding year ([`Group::age_at_survey`]).
    Age,
    /// `anggota_laki`.
    MembersMale,
    /// `anggota_perempuan`.
    MembersFemale,
    /// `jumlah_anggota`: male plus female members; empty when both are.
    Members,
    /// `dasar_keanggotaan`.
    MembershipBasis,
    /// `tujuan`.
    Purposes,
    /// `kegiatan`.
    Activities,
    /// `sumber_dana`.
    Funding,
    /// `sumber_dana_utama`.
    MainFunding,
    /// `iuran_rupiah`.
    Dues,
    /// `iuran_periode`.
    DuesPeriod,
    /// `nilai`.
    Values,
    /// `frekuensi_pertemuan`.
    MeetingFrequency,
    /// `status_hukum`.
    LegalStatus,
    /// `status`.
    Status,
    /// `wahana`.
    Network,
    /// `catatan`.
    Notes,
}

/// What kind of value a field holds, which decides the tests it takes.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Number,
    /// One code.
    Code(CodeList),
    /// A set of codes.
    Codes(CodeList),
}

/// A code enum seen through function pointers, so [`Field`] can name its codes without generics.
#[derive(Clone, Copy)]
struct CodeList {
    bit: fn(&str) -> Option<u32>,
    names: fn(u32) -> Vec<&'static str>,
    expected: fn() -> String,
}

fn code_list<T: Code>() -> CodeList {
    CodeList {
        bit: |s| T::from_code(s).map(CodeSet::<T>::bit),
        names: |bits| CodeSet::<T>::from_bits(bits).iter().map(T::code).collect(),
        expected: T::expected,
    }
}

/// A field's value in one group.
#[derive(Clone, Copy)]
enum Val<'g> {
    Empty,
    Text(&'g str),
    Number(i64),
    Codes(u32),
}

fn text(s: &Option<String>) -> Val<'_> {
    match s.as_deref() {
        Some(s) if !s.trim().is_empty() => Val::Text(s),
        _ => Val::Empty,
    }
}

fn number<N: Into<i64>>(n: Option<N>) -> Val<'static> {
    n.map_or(Val::Empty, |n| Val::Number(n.into()))
}

fn one<T: Code>(c: Option<T>) -> Val<'static> {
    c.map_or(Val::Empty, |c| Val::Codes(CodeSet::<T>::bit(c)))
}

fn set<T: Code>(s: CodeSet<T>) -> Val<'static> {
    if s.is_empty() {
        Val::Empty
    } else {
        Val::Codes(s.bits())
    }
}

impl Field {
    pub const ALL: &'static [Field] = &[
        Field::Region,
        Field::LocalUnit,
        Field::Name,
        Field::Type,
        Field::Origin,
        Field::FoundedYear,
        Field::Age,
        Field::MembersMale,
        Field::MembersFemale,
        Field::Members,
        Field::MembershipBasis,
        Field::Purposes,
        Field::Activities,
        Field::Funding,
        Field::MainFunding,
        Field::Dues,
        Field::DuesPeriod,
        Field::Values,
        Field::MeetingFrequency,
        Field::LegalStatus,
        Field::Status,
        Field::Network,
        Field::Notes,
    ];

    /// The Indonesian column name, as rule files and reasons write it.
    pub fn name(self) -> &'static str {
        match self {
            Field::Region => "kode_wilayah",
            Field::LocalUnit => "unit_lokal",
            Field::Name => "nama",
            Field::Type => "jenis",
            Field::Origin => "asal",
            Field::FoundedYear => "tahun_berdiri",
            Field::Age => "umur",
            Field::MembersMale => "anggota_laki",
            Field::MembersFemale => "anggota_perempuan",
            Field::Members => "jumlah_anggota",
            Field::MembershipBasis => "dasar_keanggotaan",
            Field::Purposes => "tujuan",
            Field::Activities => "kegiatan",
            Field::Funding => "sumber_dana",
            Field::MainFunding => "sumber_dana_utama",
            Field::Dues => "iuran_rupiah",
            Field::DuesPeriod => "iuran_periode",
            Field::Values => "nilai",
            Field::MeetingFrequency => "frekuensi_pertemuan",
            Field::LegalStatus => "status_hukum",
            Field::Status => "status",
            Field::Network => "wahana",
            Field::Notes => "catatan",
        }
    }

    /// Finds a field by its Indonesian name, ignoring case and surrounding space.
    pub fn from_name(s: &str) -> Option<Field> {
        let s = s.trim();
        Field::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }

    fn kind(self) -> Kind {
        match self {
            Field::Region | Field::LocalUnit | Field::Name | Field::Network | Field::Notes => {
                Kind::Text
            }
            Field::FoundedYear
            | Field::Age
            | Field::MembersMale
            | Field::MembersFemale
            | Field::Members
            | Field::Dues => Kind::Number,
            Field::Type => Kind::Code(code_list::<GroupType>()),
            Field::Origin => Kind::Code(code_list::<Origin>()),
            Field::MainFunding => Kind::Code(code_list::<Funding>()),
            Field::DuesPeriod => Kind::Code(code_list::<DuesPeriod>()),
            Field::MeetingFrequency => Kind::Code(code_list::<MeetingFrequency>()),
            Field::LegalStatus => Kind::Code(code_list::<LegalStatus>()),
            Field::Status => Kind::Code(code_list::<GroupStatus>()),
            Field::MembershipBasis => Kind::Codes(code_list::<MembershipBasis>()),
            Field::Purposes => Kind::Codes(code_list::<Purpose>()),
            Field::Activities => Kind::Codes(code_list::<Activity>()),
            Field::Funding => Kind::Codes(code_list::<Funding>()),
            Field::Values => Kind::Codes(code_list::<Value>()),
        }
    }

    fn codes(self) -> Option<CodeList> {
        match self.kind() {
            Kind::Code(c) | Kind::Codes(c) => Some(c),
            Kind::Text | Kind::Number => None,
        }
    }

    fn value(self, g: &Group) -> Val<'_> {
        match self {
            Field::Region => Val::Text(g.village.as_str()),
            Field::LocalUnit => text(&g.local_unit),
            Field::Name => Val::Text(&g.name),
            Field::Type => one(Some(g.group_type)),
            Field::Origin => one(Some(g.origin)),
            Field::FoundedYear => Val::Number(i64::from(g.founded_year)),
            Field::Age => Val::Number(i64::from(g.age_at_survey())),
            Field::MembersMale => number(g.members_male),
            Field::MembersFemale => number(g.members_female),
            Field::Members => number(g.members_total()),
            Field::MembershipBasis => set(g.membership_basis),
            Field::Purposes => set(g.purposes),
            Field::Activities => set(g.activities),
            Field::Funding => set(g.funding),
            Field::MainFunding => one(g.main_funding),
            Field::Dues => number(g.dues_rupiah),
            Field::DuesPeriod => one(g.dues_period),
            Field::Values => set(g.values),
            Field::MeetingFrequency => one(g.meeting_frequency),
            Field::LegalStatus => one(g.legal_status),
            Field::Status => one(Some(g.status)),
            Field::Network => text(&g.network),
            Field::Notes => text(&g.notes),
        }
    }

    /// The value as the instrument writes it (codes separated by spaces); empty when empty.
    fn show(self, v: Val<'_>) -> String {
        match v {
            Val::Empty => String::new(),
            Val::Text(s) => s.to_string(),
            Val::Number(n) => n.to_string(),
            Val::Codes(bits) => self
                .codes()
                .map(|c| (c.names)(bits).join(" "))
                .unwrap_or_default(),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a condition checks of its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// `present`: the field is filled in. Empty means "cannot be judged", never "fails".
    Present,
    /// `absent`: the field is empty (judged either way).
    Absent,
    /// `any_of`: holds at least one of these codes (a bitmask in the field's code order).
    AnyOf(u32),
    /// `none_of`: holds none of these codes.
    NoneOf(u32),
    /// `only`: every code it holds is among these.
    Only(u32),
    /// `at_least`: a number, or the count of codes of a multi-code field, is at least this.
    AtLeast(i64),
    /// `at_most`: a number, or the count of codes, is at most this.
    AtMost(i64),
    /// `has_word`: the text holds one of these words (lowercase, whole words).
    HasWord(Vec<String>),
}

impl Test {
    const NAMES: &'static str =
        "present, absent, any_of, none_of, only, at_least, at_most, has_word";

    /// The test's name in rule files.
    pub fn name(&self) -> &'static str {
        match self {
            Test::Present => "present",
            Test::Absent => "absent",
            Test::AnyOf(_) => "any_of",
            Test::NoneOf(_) => "none_of",
            Test::Only(_) => "only",
            Test::AtLeast(_) => "at_least",
            Test::AtMost(_) => "at_most",
            Test::HasWord(_) => "has_word",
        }
    }
}

/// One test of one field: the leaf of a condition tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub field: Field,
    pub test: Test,
}

/// Splits text into lowercase words (letters and digits).
fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl Check {
    /// `Some(true)` holds, `Some(false)` fails, `None` cannot be judged (the field is empty).
    pub fn eval(&self, g: &Group) -> Option<bool> {
        let v = self.field.value(g);
        match (&self.test, v) {
            (Test::Absent, Val::Empty) => Some(true),
            (Test::Absent, _) => Some(false),
            (_, Val::Empty) => None,
            (Test::Present, _) => Some(true),
            (Test::AnyOf(m), Val::Codes(b)) => Some(b & m != 0),
            (Test::NoneOf(m), Val::Codes(b)) => Some(b & m == 0),
            (Test::Only(m), Val::Codes(b)) => Some(b & !m == 0),
            (Test::AtLeast(n), Val::Number(x)) => Some(x >= *n),
            (Test::AtMost(n), Val::Number(x)) => Some(x <= *n),
            (Test::AtLeast(n), Val::Codes(b)) => Some(i64::from(b.count_ones()) >= *n),
            (Test::AtMost(n), Val::Codes(b)) => Some(i64::from(b.count_ones()) <= *n),
            (Test::HasWord(ws), Val::Text(s)) => Some(words(s).any(|w| ws.contains(&w))),
            // The parser only pairs a test with a field kind it can judge.
            _ => None,
        }
    }

    /// What the check asks for, in words: "at least 1", "one of: koperasi, lainnya".
    pub fn describe(&self, lang: Lang) -> String {
        let multi = matches!(self.field.kind(), Kind::Codes(_));
        let list = |bits: u32| {
            self.field
                .codes()
                .map(|c| (c.names)(bits).join(", "))
                .unwrap_or_default()
        };
        let (id, en) = match &self.test {
            Test::Present => ("terisi".to_string(), "recorded".to_string()),
            Test::Absent => ("kosong".to_string(), "empty".to_string()),
            Test::AnyOf(b) if multi => (
                format!("memuat salah satu dari: {}", list(*b)),
                format!("includes one of: {}", list(*b)),
            ),
            Test::AnyOf(b) => (
                format!("salah satu dari: {}", list(*b)),
                format!("one of: {}", list(*b)),
            ),
            Test::NoneOf(b) if multi => (
                format!("tidak memuat satu pun dari: {}", list(*b)),
                format!("includes none of: {}", list(*b)),
            ),
            Test::NoneOf(b) => (
                format!("bukan salah satu dari: {}", list(*b)),
                format!("none of: {}", list(*b)),
            ),
            Test::Only(b) => (
                format!("hanya memuat kode dari: {}", list(*b)),
                format!("only codes from: {}", list(*b)),
            ),
            Test::AtLeast(n) if multi => (
                format!("paling sedikit {n} kode"),
                format!("at least {n} codes"),
            ),
            Test::AtLeast(n) => (format!("paling sedikit {n}"), format!("at least {n}")),
            Test::AtMost(n) if multi => (
                format!("paling banyak {n} kode"),
                format!("at most {n} codes"),
            ),
            Test::AtMost(n) => (format!("paling banyak {n}"), format!("at most {n}")),
            Test::HasWord(ws) => (
                format!("memuat kata: {}", ws.join(", ")),
                format!("contains a word: {}", ws.join(", ")),
            ),
        };
        match lang {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

/// A tree of checks, judged with three values (holds, fails, cannot be judged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Fails if one fails; else cannot be judged if one cannot; else holds.
    All(Vec<Condition>),
    /// Holds if one holds; else cannot be judged if one cannot; else fails.
    Any(Vec<Condition>),
    Check(Check),
}

impl Condition {
    /// The condition's verdict, without explanation (the fast path for bulk screening).
    pub fn eval(&self, g: &Group) -> Option<bool> {
        match self {
            Condition::Check(c) => c.eval(g),
            Condition::All(cs) => {
                let mut unknown = false;
                for c in cs {
                    match c.eval(g) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            Condition::Any(cs) => {
                let mut unknown = false;
                for c in cs {
                    match c.eval(g) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown { None } else { Some(false) }
            }
        }
    }

    /// The verdict and the checks that decided it, each with its own verdict: for a failing
    /// `all`, its first failing part; for a holding `any`, its first holding part; for a condition
    /// that cannot be judged, the parts that cannot be judged (and, in an `any`, those that
    /// failed, since they explain why the empty ones matter).
    fn explain<'r>(&'r self, g: &Group, out: &mut Vec<(&'r Check, Option<bool>)>) -> Option<bool> {
        let (cs, is_all) = match self {
            Condition::Check(c) => {
                let v = c.eval(g);
                out.push((c, v));
                return v;
            }
            Condition::All(cs) => (cs, true),
            Condition::Any(cs) => (cs, false),
        };
        let parts: Vec<(Option<bool>, Vec<(&Check, Option<bool>)>)> = cs
            .iter()
            .map(|c| {
                let mut buf = Vec::new();
                let v = c.explain(g, &mut buf);
                (v, buf)
            })
            .collect();
        let verdicts = parts.iter().map(|(v, _)| *v);
        let result = if is_all {
            if verdicts.clone().any(|v| v == Some(false)) {
                Some(false)
            } else if verdicts.clone().any(|v| v.is_none()) {
                None
            } else {
                Some(true)
            }
        } else if verdicts.clone().any(|v| v == Some(true)) {
            Some(true)
        } else if verdicts.clone().any(|v| v.is_none()) {
            None
        } else {
            Some(false)
        };
        let mut first = true;
        for (v, buf) in parts {
            let keep = match (is_all, result) {
                (true, Some(true)) | (false, Some(false)) => true,
                (true, Some(false)) => v == Some(false) && std::mem::take(&mut first),
                (false, Some(true)) => v == Some(true) && std::mem::take(&mut first),
                (_, None) => v != Some(true),
            };
            if keep {
                out.extend(buf);
            }
        }
        result
    }
}

/// Whether a criterion must hold, or is a sign that excludes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CriterionKind {
    /// The group must meet it.
    Include,
    /// A sign that the record is not a group (a business, a party, an office): when it holds,
    /// the group does not qualify.
    Exclude,
}

impl CriterionKind {
    pub fn code(self) -> &'static str {
        match self {
            CriterionKind::Include => "include",
            CriterionKind::Exclude => "exclude",
        }
    }
}

/// One criterion of a rule set (C1, C2, X1...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub id: String,
    pub kind: CriterionKind,
    pub label_id: String,
    pub label_en: String,
    /// Legal basis or reasoning, free text.
    pub note: Option<String>,
    pub condition: Condition,
}

impl Criterion {
    /// Whether the group passes this criterion: for an exclusion, whether its sign is absent.
    /// `None` when it cannot be judged.
    pub fn passed(&self, g: &Group) -> Option<bool> {
        let v = self.condition.eval(g);
        match self.kind {
            CriterionKind::Include => v,
            CriterionKind::Exclude => v.map(|m| !m),
        }
    }

    pub fn label(&self, lang: Lang) -> &str {
        lang.pick(&self.label_id, &self.label_en)
    }

    /// The criterion's reasons for one group: one per deciding check.
    fn reasons(&self, g: &Group, out: &mut Vec<Reason>) {
        let mut checks = Vec::new();
        let v = self.condition.explain(g, &mut checks);
        let passed = match self.kind {
            CriterionKind::Include => v,
            CriterionKind::Exclude => v.map(|m| !m),
        };
        let exclude = self.kind == CriterionKind::Exclude;
        for (check, verdict) in checks {
            let raw = check.field.value(g);
            let value = check.field.show(raw);
            let field = check.field.name();
            let (seen_id, seen_en) = if value.is_empty() {
                (format!("{field} kosong"), format!("{field} is empty"))
            } else {
                (
                    format!("{field} = \"{value}\""),
                    format!("{field} = \"{value}\""),
                )
            };
            let (test_id, test_en) = if exclude {
                ("ciri", "sign")
            } else {
                ("syarat", "test")
            };
            let (said_id, said_en) = match (verdict, exclude) {
                (None, _) => ("kosong, belum dapat dinilai", "empty, cannot be judged"),
                (Some(true), false) => ("terpenuhi", "met"),
                (Some(false), false) => ("tidak terpenuhi", "not met"),
                (Some(true), true) => ("cocok", "matches"),
                (Some(false), true) => ("tidak cocok", "does not match"),
            };
            out.push(Reason {
                criterion: self.id.clone(),
                passed,
                field,
                message_id: format!(
                    "{} {}: {seen_id}; {test_id}: {} → {said_id}",
                    self.id,
                    self.label_id,
                    check.describe(Lang::Id)
                ),
                message_en: format!(
                    "{} {}: {seen_en}; {test_en}: {} → {said_en}",
                    self.id,
                    self.label_en,
                    check.describe(Lang::En)
                ),
                value,
            });
        }
    }
}

/// A versioned rule set (*aturan penyaringan*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    /// `seed-2007`, `perbup-bone-2020`...: stored with every screening result.
    pub version: String,
    pub name: String,
    pub description: String,
    pub criteria: Vec<Criterion>,
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
fn combine(verdicts: impl Iterator<Item = Option<bool>>) -> Outcome {
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

impl RuleSet {
    /// The default rule set, embedded from `rules/seed-2007.toml`.
    ///
    /// # Panics
    /// If the embedded file does not parse; the test `seed_2007_parses` guards against that.
    pub fn seed_2007() -> RuleSet {
        match RuleSet::parse(SEED_2007) {
            Ok(r) => r,
            Err(e) => panic!("embedded rules/seed-2007.toml is invalid: {e}"),
        }
    }

    /// The text of the default rule set, to copy and adapt.
    pub fn seed_2007_text() -> &'static str {
        SEED_2007
    }

    /// Reads a rule set, reporting every problem at once.
    pub fn parse(text: &str) -> Result<RuleSet, RuleError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| RuleError::Syntax {
            message: e.to_string().trim().to_string(),
        })?;
        let mut p = Parser::default();
        let rules = p.rule_set(&table);
        match rules {
            Some(r) if p.problems.is_empty() => Ok(r),
            _ => Err(RuleError::Invalid(p.problems)),
        }
    }

    /// The outcome alone, without building reasons (for screening a whole wave again).
    pub fn outcome(&self, g: &Group) -> Outcome {
        combine(self.criteria.iter().map(|c| c.passed(g)))
    }

    /// The outcome with a reason for every criterion, naming the field and its value.
    pub fn screen(&self, g: &Group) -> ScreeningResult {
        let mut reasons = Vec::new();
        for c in &self.criteria {
            c.reasons(g, &mut reasons);
        }
        let outcome = combine(self.criteria.iter().map(|c| c.passed(g)));
        ScreeningResult { outcome, reasons }
    }

    /// A criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
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

// ---------------------------------------------------------------------------------------------
// Errors

/// What was found where something else was expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Found {
    /// The key is missing.
    Missing,
    /// The key is not one the format knows.
    UnknownKey,
    /// This value (as TOML writes it).
    Value(String),
}

/// One problem in a rule file: where (criterion, condition, key), what was found and what was
/// expected, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleProblem {
    /// The criterion's id, or `#3` (its position) when it has no usable id; `None` at the top.
    pub criterion: Option<String>,
    /// The condition's position inside the criterion: `2`, or `2.1` for the first part of the
    /// second condition.
    pub condition: Option<String>,
    pub key: String,
    pub found: Found,
    pub expected_id: String,
    pub expected_en: String,
}

impl RuleProblem {
    pub fn message(&self, lang: Lang) -> String {
        let mut place = Vec::new();
        if let Some(c) = &self.criterion {
            place.push(format!("{} {c}", lang.pick("kriteria", "criterion")));
        }
        if let Some(c) = &self.condition {
            place.push(format!("{} {c}", lang.pick("syarat", "condition")));
        }
        place.push(format!("{} `{}`", lang.pick("kunci", "key"), self.key));
        let found = match &self.found {
            Found::Missing => lang.pick("tidak ada", "missing").to_string(),
            Found::UnknownKey => lang.pick("kunci tidak dikenal", "unknown key").to_string(),
            Found::Value(v) => format!("{} {v}", lang.pick("ditemukan", "found")),
        };
        format!(
            "{}: {found}; {} {}",
            place.join(", "),
            lang.pick("diharapkan", "expected"),
            lang.pick(&self.expected_id, &self.expected_en)
        )
    }
}

/// A rule file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// Not TOML at all; the message names the line and column.
    #[error("the rule file is not valid TOML: {message}")]
    Syntax { message: String },
    /// TOML, but not a rule set: every problem found.
    #[error("{}", .0.iter().map(|p| p.message(Lang::En)).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<RuleProblem>),
}

impl RuleError {
    pub fn message(&self, lang: Lang) -> String {
        match self {
            RuleError::Syntax { message } => format!(
                "{}: {message}",
                lang.pick(
                    "berkas aturan bukan TOML yang sah",
                    "the rule file is not valid TOML"
                )
            ),
            RuleError::Invalid(ps) => ps
                .iter()
                .map(|p| p.message(lang))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The problems, empty for a syntax error.
    pub fn problems(&self) -> &[RuleProblem] {
        match self {
            RuleError::Syntax { .. } => &[],
            RuleError::Invalid(ps) => ps,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

/// Where the parser is: which criterion, which condition.
#[derive(Clone, Default)]
struct Place {
    criterion: Option<String>,
    condition: Vec<usize>,
}

impl Place {
    fn condition(&self) -> Option<String> {
        (!self.condition.is_empty()).then(|| {
            self.condition
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(".")
        })
    }
}

#[derive(Default)]
struct Parser {
    problems: Vec<RuleProblem>,
}

fn show(v: &toml::Value) -> String {
    match v {
        toml::Value::Table(_) => "a table".to_string(),
        v => v.to_string(),
    }
}

const TOP_KEYS: &[&str] = &["version", "name", "description", "criterion"];
const CRITERION_KEYS: &[&str] = &["id", "kind", "label_id", "label_en", "note", "all", "any"];
const CONDITION_KEYS: &[&str] = &["field", "test", "codes", "value", "words", "all", "any"];

impl Parser {
    fn problem(
        &mut self,
        at: &Place,
        key: &str,
        found: Found,
        expected_id: impl Into<String>,
        expected_en: impl Into<String>,
    ) {
        self.problems.push(RuleProblem {
            criterion: at.criterion.clone(),
            condition: at.condition(),
            key: key.to_string(),
            found,
            expected_id: expected_id.into(),
            expected_en: expected_en.into(),
        });
    }

    fn unknown_keys(&mut self, at: &Place, t: &toml::Table, known: &[&str]) {
        for k in t.keys() {
            if !known.contains(&k.as_str()) {
                self.problem(
                    at,
                    k,
                    Found::UnknownKey,
                    format!("salah satu dari: {}", known.join(", ")),
                    format!("one of: {}", known.join(", ")),
                );
            }
        }
    }

    /// A text value; `required` decides whether a missing key is a problem.
    fn text(&mut self, at: &Place, t: &toml::Table, key: &str, required: bool) -> Option<String> {
        match t.get(key) {
            None if required => {
                self.problem(at, key, Found::Missing, "sebuah teks", "a text");
                None
            }
            None => None,
            Some(toml::Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(v) => {
                self.problem(
                    at,
                    key,
                    Found::Value(show(v)),
                    "teks yang tidak kosong, dalam tanda kutip",
                    "a non-empty text, in quotes",
                );
                None
            }
        }
    }

    fn rule_set(&mut self, t: &toml::Table) -> Option<RuleSet> {
        let top = Place::default();
        self.unknown_keys(&top, t, TOP_KEYS);
        let version = self
            .text(&top, t, "version", true)
            .and_then(|v| match check_id(&v) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.problem(
                        &top,
                        "version",
                        Found::Value(format!("\"{v}\"")),
                        e.expected_id,
                        e.expected_en,
                    );
                    None
                }
            });
        let name = self.text(&top, t, "name", true);
        let description = self.text(&top, t, "description", false).unwrap_or_default();
        let criteria = match t.get("criterion") {
            Some(toml::Value::Array(items)) if !items.is_empty() => {
                let mut seen: Vec<String> = Vec::new();
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(c) = self.criterion(i, item, &mut seen) {
                        out.push(c);
                    }
                }
                Some(out)
            }
            found => {
                self.problem(
                    &top,
                    "criterion",
                    found.map_or(Found::Missing, |v| Found::Value(show(v))),
                    "paling sedikit satu tabel [[criterion]]",
                    "at least one [[criterion]] table",
                );
                None
            }
        };
        Some(RuleSet {
            version: version?,
            name: name?,
            description,
            criteria: criteria?,
        })
    }

    fn criterion(
        &mut self,
        index: usize,
        item: &toml::Value,
        seen: &mut Vec<String>,
    ) -> Option<Criterion> {
        let mut at = Place {
            criterion: Some(format!("#{}", index + 1)),
            condition: Vec::new(),
        };
        let Some(t) = item.as_table() else {
            self.problem(
                &at,
                "criterion",
                Found::Value(show(item)),
                "sebuah tabel [[criterion]]",
                "a [[criterion]] table",
            );
            return None;
        };
        let id = self.text(&at, t, "id", true).and_then(|id| {
            if check_id(&id).is_err() {
                self.problem(
                    &at,
                    "id",
                    Found::Value(format!("\"{id}\"")),
                    "kode pendek dari huruf, angka atau - _ . : (mis. C1, X2)",
                    "a short code of letters, digits or - _ . : (e.g. C1, X2)",
                );
                None
            } else {
                Some(id)
            }
        });
        if let Some(id) = &id {
            at.criterion = Some(id.clone());
            if seen.contains(id) {
                self.problem(
                    &at,
                    "id",
                    Found::Value(format!("\"{id}\"")),
                    "kode yang belum dipakai kriteria lain",
                    "an id no other criterion uses",
                );
            }
            seen.push(id.clone());
        }
        self.unknown_keys(&at, t, CRITERION_KEYS);
        let kind = match t.get("kind") {
            None => Some(CriterionKind::Include),
            Some(toml::Value::String(s)) if s.trim() == "include" => Some(CriterionKind::Include),
            Some(toml::Value::String(s)) if s.trim() == "exclude" => Some(CriterionKind::Exclude),
            Some(v) => {
                self.problem(
                    &at,
                    "kind",
                    Found::Value(show(v)),
                    "\"include\" atau \"exclude\"",
                    "\"include\" or \"exclude\"",
                );
                None
            }
        };
        let label_id = self.text(&at, t, "label_id", true);
        let label_en = self.text(&at, t, "label_en", true);
        let note = self.text(&at, t, "note", false);
        let condition = self.group(
            &at,
            t,
            "all = [...] atau any = [...]",
            "all = [...] or any = [...]",
        );
        Some(Criterion {
            id: id?,
            kind: kind?,
            label_id: label_id?,
            label_en: label_en?,
            note,
            condition: condition?,
        })
    }

    /// The `all` or `any` list of a criterion or a nested condition: exactly one of the two.
    fn group(
        &mut self,
        at: &Place,
        t: &toml::Table,
        expected_id: &str,
        expected_en: &str,
    ) -> Option<Condition> {
        let (key, list) = match (t.get("all"), t.get("any")) {
            (Some(a), None) => ("all", a),
            (None, Some(a)) => ("any", a),
            (Some(_), Some(_)) => {
                self.problem(
                    at,
                    "any",
                    Found::Value("all dan any / all and any".to_string()),
                    "hanya satu dari all atau any",
                    "only one of all or any",
                );
                return None;
            }
            (None, None) => {
                self.problem(at, "all", Found::Missing, expected_id, expected_en);
                return None;
            }
        };
        let items = match list {
            toml::Value::Array(items) if !items.is_empty() => items,
            v => {
                self.problem(
                    at,
                    key,
                    Found::Value(show(v)),
                    "daftar syarat yang tidak kosong: [ { field = ..., test = ... }, ... ]",
                    "a non-empty list of conditions: [ { field = ..., test = ... }, ... ]",
                );
                return None;
            }
        };
        let mut parts = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let mut inner = at.clone();
            inner.condition.push(i + 1);
            match self.condition(&inner, item) {
                Some(c) => parts.push(c),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        Some(if key == "all" {
            Condition::All(parts)
        } else {
            Condition::Any(parts)
        })
    }

    fn condition(&mut self, at: &Place, item: &toml::Value) -> Option<Condition> {
        let Some(t) = item.as_table() else {
            self.problem(
                at,
                "condition",
                Found::Value(show(item)),
                "{ field = \"...\", test = \"...\" } atau { any = [...] } / { all = [...] }",
                "{ field = \"...\", test = \"...\" } or { any = [...] } / { all = [...] }",
            );
            return None;
        };
        self.unknown_keys(at, t, CONDITION_KEYS);
        if t.contains_key("all") || t.contains_key("any") {
            for k in ["field", "test", "codes", "value", "words"] {
                if let Some(v) = t.get(k) {
                    self.problem(
                        at,
                        k,
                        Found::Value(show(v)),
                        "tidak ada kunci ini di samping all/any (pisahkan menjadi syarat sendiri)",
                        "no such key beside all/any (make it a condition of its own)",
                    );
                }
            }
            return self.group(at, t, "", "");
        }
        let fields = || {
            Field::ALL
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let field = match t.get("field") {
            Some(toml::Value::String(s)) => match Field::from_name(s) {
                Some(f) => Some(f),
                None => {
                    self.problem(
                        at,
                        "field",
                        Found::Value(format!("\"{s}\"")),
                        format!("nama kolom instrumen, salah satu dari: {}", fields()),
                        format!("an instrument column name, one of: {}", fields()),
                    );
                    None
                }
            },
            found => {
                self.problem(
                    at,
                    "field",
                    found.map_or(Found::Missing, |v| Found::Value(show(v))),
                    format!(
                        "nama kolom dalam tanda kutip, salah satu dari: {}",
                        fields()
                    ),
                    format!("a column name in quotes, one of: {}", fields()),
                );
                None
            }
        };
        let test_name = match t.get("test") {
            Some(toml::Value::String(s)) => {
                let s = s.trim();
                if Test::NAMES.split(", ").any(|n| n == s) {
                    Some(s)
                } else {
                    self.problem(
                        at,
                        "test",
                        Found::Value(format!("\"{s}\"")),
                        format!("salah satu dari: {}", Test::NAMES),
                        format!("one of: {}", Test::NAMES),
                    );
                    None
                }
            }
            found => {
                self.problem(
                    at,
                    "test",
                    found.map_or(Found::Missing, |v| Found::Value(show(v))),
                    format!(
                        "nama uji dalam tanda kutip, salah satu dari: {}",
                        Test::NAMES
                    ),
                    format!("a test name in quotes, one of: {}", Test::NAMES),
                );
                None
            }
        };
        let (field, test_name) = (field?, test_name?);
        let kind = field.kind();
        // Which argument key the test takes, and whether the field's kind suits it.
        let (arg, suits, kinds_id, kinds_en) = match test_name {
            "present" | "absent" => (None, true, "", ""),
            "any_of" | "none_of" | "only" => (
                Some("codes"),
                matches!(kind, Kind::Code(_) | Kind::Codes(_)),
                "kolom berkode",
                "a coded column",
            ),
            "at_least" | "at_most" => (
                Some("value"),
                matches!(kind, Kind::Number | Kind::Codes(_)),
                "kolom angka atau kolom berkode ganda",
                "a number column or a multi-code column",
            ),
            _ => (
                Some("words"),
                matches!(kind, Kind::Text),
                "kolom teks",
                "a text column",
            ),
        };
        if !suits {
            self.problem(
                at,
                "test",
                Found::Value(format!("\"{test_name}\" untuk/for {field}")),
                format!("uji {test_name} hanya untuk {kinds_id}"),
                format!("test {test_name} only on {kinds_en}"),
            );
            return None;
        }
        for k in ["codes", "value", "words"] {
            if Some(k) != arg
                && let Some(v) = t.get(k)
            {
                self.problem(
                    at,
                    k,
                    Found::Value(show(v)),
                    format!(
                        "tidak ada kunci ini untuk uji {test_name}{}",
                        arg.map(|a| format!(" (yang dipakai: {a})"))
                            .unwrap_or_default()
                    ),
                    format!(
                        "no such key for test {test_name}{}",
                        arg.map(|a| format!(" (it takes: {a})")).unwrap_or_default()
                    ),
                );
            }
        }
        let test = match test_name {
            "present" => Some(Test::Present),
            "absent" => Some(Test::Absent),
            "any_of" | "none_of" | "only" => {
                let bits = self.codes(at, t, field)?;
                Some(match test_name {
                    "any_of" => Test::AnyOf(bits),
                    "none_of" => Test::NoneOf(bits),
                    _ => Test::Only(bits),
                })
            }
            "at_least" | "at_most" => {
                let n = match t.get("value") {
                    Some(toml::Value::Integer(n)) if *n >= 0 => Some(*n),
                    found => {
                        self.problem(
                            at,
                            "value",
                            found.map_or(Found::Missing, |v| Found::Value(show(v))),
                            "bilangan bulat 0 atau lebih, tanpa tanda kutip",
                            "a whole number 0 or more, without quotes",
                        );
                        None
                    }
                }?;
                Some(if test_name == "at_least" {
                    Test::AtLeast(n)
                } else {
                    Test::AtMost(n)
                })
            }
            _ => {
                let list = self.strings(at, t, "words", "kata", "words")?;
                let mut ws = Vec::new();
                for w in list {
                    let parts: Vec<String> = words(&w).collect();
                    if parts.len() == 1 {
                        ws.extend(parts);
                    } else {
                        self.problem(
                            at,
                            "words",
                            Found::Value(format!("\"{w}\"")),
                            "satu kata per isian (huruf dan angka saja)",
                            "one word per entry (letters and digits only)",
                        );
                    }
                }
                if ws.is_empty() {
                    return None;
                }
                Some(Test::HasWord(ws))
            }
        }?;
        Some(Condition::Check(Check { field, test }))
    }

    /// A non-empty list of texts.
    fn strings(
        &mut self,
        at: &Place,
        t: &toml::Table,
        key: &str,
        what_id: &str,
        what_en: &str,
    ) -> Option<Vec<String>> {
        match t.get(key) {
            Some(toml::Value::Array(items))
                if !items.is_empty() && items.iter().all(toml::Value::is_str) =>
            {
                Some(
                    items
                        .iter()
                        .filter_map(toml::Value::as_str)
                        .map(str::to_string)
                        .collect(),
                )
            }
            found => {
                self.problem(
                    at,
                    key,
                    found.map_or(Found::Missing, |v| Found::Value(show(v))),
                    format!("daftar {what_id} dalam tanda kutip, mis. [\"a\", \"b\"]"),
                    format!("a list of {what_en} in quotes, e.g. [\"a\", \"b\"]"),
                );
                None
            }
        }
    }

    /// The `codes` list of a coded test, as a bitmask of the field's codes.
    fn codes(&mut self, at: &Place, t: &toml::Table, field: Field) -> Option<u32> {
        let list = self.strings(at, t, "codes", "kode", "codes")?;
        let c = field.codes()?;
        let mut bits = 0;
        let mut ok = true;
        for code in list {
            match (c.bit)(&code) {
                Some(b) => bits |= b,
                None => {
                    ok = false;
                    self.problem(
                        at,
                        "codes",
                        Found::Value(format!("\"{code}\"")),
                        format!("kode {field}: {}", (c.expected)()),
                        format!("a code of {field}: {}", (c.expected)()),
                    );
                }
            }
        }
        ok.then_some(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, Date, RegionTree};
    use std::collections::HashMap;

    fn ctx() -> Context<'static> {
        Context {
            regions: RegionTree::official(),
            today: Date::new(2026, 11, 29).unwrap(),
            wave_date: None,
        }
    }

    /// A group that qualifies under seed-2007.
    fn base() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("kode_wilayah", "7308211003"),
            ("nama", "Arisan Jeppe'e"),
            ("jenis", "arisan"),
            ("asal", "tumbuh_masyarakat"),
            ("tahun_berdiri", "1990"),
            ("tanggal_pendataan", "14/08/2007"),
            ("anggota_perempuan", "25"),
            ("nilai", "kebersamaan"),
            ("tujuan", "kesejahteraan_anggota"),
            ("sumber_dana", "iuran_anggota"),
        ])
    }

    /// The base group with some columns changed; `""` empties a column.
    fn group(changes: &[(&'static str, &'static str)]) -> Group {
        let mut m = base();
        for (k, v) in changes {
            m.insert(k, v);
        }
        Group::from_fields(|k| m.get(k).copied(), || "K-1".into(), &ctx())
            .unwrap_or_else(|e| panic!("{changes:?}: {e:?}"))
    }

    #[test]
    fn seed_2007_parses() {
        let r = RuleSet::seed_2007();
        assert_eq!(r.version, "seed-2007");
        let ids: Vec<&str> = r.criteria.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["C1", "C2", "X1", "X2", "X3"]);
        assert_eq!(r.criteria[2].kind, CriterionKind::Exclude);
        assert_eq!(r.criteria[0].kind, CriterionKind::Include);
    }

    /// One line per group: the changes to the base group, the outcome, and the criteria that
    /// did not pass with their verdict (`F` failed, `?` cannot be judged).
    #[test]
    fn seed_2007_outcomes() {
        use Outcome::*;
        #[rustfmt::skip]
        let cases: &[(&[(&str, &str)], Outcome, &str)] = &[
            (&[], Qualifies, ""),
            // C1: people
            (&[("anggota_perempuan", "")], Incomplete, "C1?"),
            (&[("anggota_perempuan", "0")], Incomplete, "C1?"),
            (&[("anggota_perempuan", ""), ("dasar_keanggotaan", "domisili")], Qualifies, ""),
            (&[("anggota_perempuan", "0"), ("anggota_laki", "3")], Qualifies, ""),
            // C2: values, purposes or activities
            (&[("nilai", "")], Incomplete, "C2?"),
            (&[("tujuan", ""), ("kegiatan", "santunan_duka")], Qualifies, ""),
            (&[("tujuan", "")], Incomplete, "C2?"),
            (&[("nilai", ""), ("anggota_perempuan", "")], Incomplete, "C1? C2?"),
            // X1: a business run for profit only
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha")], DoesNotQualify, "X1F"),
            (&[("jenis", "lainnya"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha")], DoesNotQualify, "X1F"),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi kesejahteraan_anggota"), ("sumber_dana", "hasil_usaha")], Qualifies, ""),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha iuran_anggota")], Qualifies, ""),
            (&[("jenis", "kelompok_tani"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha")], Qualifies, ""),
            (&[("jenis", "koperasi"), ("tujuan", ""), ("kegiatan", "simpan_pinjam"), ("sumber_dana", "hasil_usaha")], Incomplete, "X1?"),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "")], Incomplete, "X1?"),
            (&[("jenis", "koperasi"), ("tujuan", "ekonomi"), ("sumber_dana", "hasil_usaha"), ("nilai", "")], DoesNotQualify, "C2? X1F"),
            // X2: a political party; X3: a government office
            (&[("jenis", "lainnya"), ("nama", "DPC Partai Maju Bone")], DoesNotQualify, "X2F"),
            (&[("jenis", "arisan"), ("nama", "Arisan Ibu-ibu Partai")], Qualifies, ""),
            (&[("jenis", "lainnya"), ("nama", "Kantor Kelurahan Bukaka")], DoesNotQualify, "X3F"),
            (&[("jenis", "lainnya"), ("nama", "Perkantoran Bersama")], Qualifies, ""),
            // Screening does not look at status: the profile leaves dissolved groups out.
            (&[("status", "bubar")], Qualifies, ""),
        ];
        let rules = RuleSet::seed_2007();
        for (changes, want, not_passed) in cases {
            let g = group(changes);
            let r = rules.screen(&g);
            assert_eq!(r.outcome, *want, "{changes:?}: {:#?}", r.reasons);
            assert_eq!(rules.outcome(&g), *want, "{changes:?}: fast path");
            let mut got: Vec<String> = Vec::new();
            for reason in &r.reasons {
                let tag = match reason.passed {
                    Some(true) => continue,
                    Some(false) => format!("{}F", reason.criterion),
                    None => format!("{}?", reason.criterion),
                };
                if !got.contains(&tag) {
                    got.push(tag);
                }
            }
            assert_eq!(got.join(" "), *not_passed, "{changes:?}: {:#?}", r.reasons);
            // Every criterion has at least one reason.
            for c in &rules.criteria {
                assert!(
                    r.reasons.iter().any(|x| x.criterion == c.id),
                    "{changes:?}: {}",
                    c.id
                );
            }
        }
    }

    /// The reasons name the field and its value.
    #[test]
    fn reasons_name_field_and_value() {
        let rules = RuleSet::seed_2007();
        let r = rules.screen(&group(&[("anggota_perempuan", "0")]));
        let fields: Vec<(&str, &str, &str, Option<bool>)> = r
            .reasons
            .iter()
            .map(|x| (x.criterion.as_str(), x.field, x.value.as_str(), x.passed))
            .collect();
        assert_eq!(
            fields,
            [
                ("C1", "jumlah_anggota", "0", None),
                ("C1", "dasar_keanggotaan", "", None),
                ("C2", "nilai", "kebersamaan", Some(true)),
                ("C2", "tujuan", "kesejahteraan_anggota", Some(true)),
                ("X1", "jenis", "arisan", Some(true)),
                ("X2", "jenis", "arisan", Some(true)),
                ("X3", "jenis", "arisan", Some(true)),
            ]
        );
        assert_eq!(
            r.reasons[0].message_en,
            "C1 Community association: jumlah_anggota = \"0\"; test: at least 1 → not met"
        );
        assert_eq!(
            r.reasons[1].message_id,
            "C1 Perkumpulan sosial masyarakat: dasar_keanggotaan kosong; syarat: terisi → kosong, belum dapat dinilai"
        );
        assert_eq!(
            r.reasons[4].message_en,
            "X1 Not a group: a business run for profit only (record as an institution): jenis = \"arisan\"; sign: one of: koperasi, lainnya → does not match"
        );
        // The region is reported even though a Group always has a valid village.
        let ok = rules.screen(&group(&[]));
        assert!(
            ok.reasons
                .iter()
                .any(|x| x.field == "kode_wilayah" && x.value == "73.08.21.1003")
        );
        let json = serde_json::to_value(&ok).unwrap();
        assert_eq!(json["outcome"], "memenuhi");
        assert_eq!(json["outcome_label_en"], "Qualifies");
        assert_eq!(json["reasons"][0]["field"], "kode_wilayah");
    }

    /// Each test on each kind of field: (field, test and argument, column changes, verdict).
    #[test]
    fn tests_table() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, &[(&str, &str)], Option<bool>)] = &[
            ("nilai", "test = \"present\"", &[], Some(true)),
            ("nilai", "test = \"present\"", &[("nilai", "")], None),
            ("status_hukum", "test = \"absent\"", &[], Some(true)),
            ("status_hukum", "test = \"absent\"", &[("status_hukum", "informal")], Some(false)),
            ("status_hukum", "test = \"any_of\", codes = [\"sk_desa\", \"badan_hukum\"]", &[("status_hukum", "informal")], Some(false)),
            ("status_hukum", "test = \"any_of\", codes = [\"sk_desa\", \"badan_hukum\"]", &[("status_hukum", "sk_desa")], Some(true)),
            ("status_hukum", "test = \"any_of\", codes = [\"sk_desa\"]", &[], None),
            ("sumber_dana", "test = \"none_of\", codes = [\"hasil_usaha\"]", &[], Some(true)),
            ("sumber_dana", "test = \"none_of\", codes = [\"hasil_usaha\"]", &[("sumber_dana", "iuran_anggota hasil_usaha")], Some(false)),
            ("sumber_dana", "test = \"only\", codes = [\"iuran_anggota\", \"donatur\"]", &[("sumber_dana", "donatur iuran_anggota")], Some(true)),
            ("sumber_dana", "test = \"only\", codes = [\"iuran_anggota\"]", &[("sumber_dana", "donatur iuran_anggota")], Some(false)),
            ("jumlah_anggota", "test = \"at_least\", value = 26", &[("anggota_laki", "1")], Some(true)),
            ("jumlah_anggota", "test = \"at_least\", value = 27", &[("anggota_laki", "1")], Some(false)),
            ("jumlah_anggota", "test = \"at_most\", value = 25", &[], Some(true)),
            ("anggota_laki", "test = \"at_least\", value = 0", &[], None),
            ("umur", "test = \"at_least\", value = 17", &[], Some(true)),
            ("umur", "test = \"at_least\", value = 18", &[], Some(false)),
            ("nilai", "test = \"at_least\", value = 2", &[("nilai", "kebersamaan gotong_royong")], Some(true)),
            ("nilai", "test = \"at_most\", value = 1", &[("nilai", "kebersamaan gotong_royong")], Some(false)),
            ("nama", "test = \"has_word\", words = [\"JEPPE\"]", &[], Some(true)),
            ("nama", "test = \"has_word\", words = [\"jepp\"]", &[], Some(false)),
            ("catatan", "test = \"has_word\", words = [\"x\"]", &[], None),
        ];
        for (field, test, changes, want) in cases {
            let text = format!(
                "version = \"t\"\nname = \"t\"\n[[criterion]]\nid = \"R\"\nlabel_id = \"r\"\nlabel_en = \"r\"\nall = [ {{ field = \"{field}\", {test} }} ]\n"
            );
            let rules = RuleSet::parse(&text).unwrap_or_else(|e| panic!("{text}\n{e}"));
            let g = group(changes);
            assert_eq!(
                rules.criteria[0].passed(&g),
                *want,
                "{field} {test} {changes:?}"
            );
        }
    }

    /// A regional rule set: a requirement that fails gives "does not qualify".
    #[test]
    fn regional_rule_fails_on_contradicting_value() {
        let text = r#"
version = "perbup-contoh-2020"
name = "Contoh Perbup"
[[criterion]]
id = "P1"
label_id = "Berdiri paling sedikit 2 tahun dan punya SK"
label_en = "At least 2 years old, with a decree"
all = [
  { field = "umur", test = "at_least", value = 2 },
  { field = "status_hukum", test = "any_of", codes = ["sk_desa", "badan_hukum"] },
]
"#;
        let rules = RuleSet::parse(text).unwrap();
        #[rustfmt::skip]
        let cases: &[(&[(&str, &str)], Outcome)] = &[
            (&[("status_hukum", "sk_desa")], Outcome::Qualifies),
            (&[("status_hukum", "informal")], Outcome::DoesNotQualify),
            (&[], Outcome::Incomplete),
            (&[("tahun_berdiri", "2006"), ("status_hukum", "sk_desa")], Outcome::DoesNotQualify),
            (&[("tahun_berdiri", "2006")], Outcome::DoesNotQualify),
        ];
        for (changes, want) in cases {
            assert_eq!(rules.screen(&group(changes)).outcome, *want, "{changes:?}");
        }
    }

    const GOOD_HEAD: &str = "version = \"v1\"\nname = \"n\"\n";

    /// One bad file per line: a fragment of the file after a good head, and the fragments the
    /// English message must hold.
    #[test]
    fn bad_rule_files() {
        let crit = "[[criterion]]\nid = \"C1\"\nlabel_id = \"a\"\nlabel_en = \"b\"\n";
        #[rustfmt::skip]
        let cases: Vec<(String, &[&str])> = vec![
            ("version = \n".to_string(), &["not valid TOML", "line 1"]),
            (format!("name = \"n\"\n{crit}all = [{{ field = \"nilai\", test = \"present\" }}]"), &["key `version`: missing; expected a text"]),
            (format!("version = 2007\nname = \"n\"\n{crit}all = [{{ field = \"nilai\", test = \"present\" }}]"), &["key `version`: found 2007; expected a non-empty text"]),
            (format!("version = \"seed 2007\"\nname = \"n\"\n{crit}all = [{{ field = \"nilai\", test = \"present\" }}]"), &["key `version`: found \"seed 2007\"", "letters, digits"]),
            (format!("{GOOD_HEAD}nama = \"x\"\n{crit}all = [{{ field = \"nilai\", test = \"present\" }}]"), &["key `nama`: unknown key; expected one of: version, name, description, criterion"]),
            (GOOD_HEAD.to_string(), &["key `criterion`: missing; expected at least one [[criterion]] table"]),
            (format!("{GOOD_HEAD}[[criterion]]\nid = \"C1\"\nlabel_id = \"a\"\nall = [{{ field = \"nilai\", test = \"present\" }}]"), &["criterion C1, key `label_en`: missing"]),
            (format!("{GOOD_HEAD}[[criterion]]\nlabel_id = \"a\"\nlabel_en = \"b\"\nall = [{{ field = \"nilai\", test = \"present\" }}]"), &["criterion #1, key `id`: missing"]),
            (format!("{GOOD_HEAD}{crit}kind = \"exclusion\"\nall = [{{ field = \"nilai\", test = \"present\" }}]"), &["criterion C1, key `kind`: found \"exclusion\"; expected \"include\" or \"exclude\""]),
            (format!("{GOOD_HEAD}{crit}lable = \"x\"\nall = [{{ field = \"nilai\", test = \"present\" }}]"), &["criterion C1, key `lable`: unknown key"]),
            (format!("{GOOD_HEAD}{crit}"), &["criterion C1, key `all`: missing; expected all = [...] or any = [...]"]),
            (format!("{GOOD_HEAD}{crit}all = []"), &["criterion C1, key `all`: found []; expected a non-empty list"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"anggota\", test = \"present\" }}]"), &["criterion C1, condition 1, key `field`: found \"anggota\"; expected an instrument column name, one of: kode_wilayah"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\", test = \"presnt\" }}]"), &["criterion C1, condition 1, key `test`: found \"presnt\"; expected one of: present, absent"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\" }}]"), &["condition 1, key `test`: missing"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\", test = \"present\" }}, {{ field = \"tujuan\", test = \"any_of\", codes = [\"ekonomis\"] }}]"), &["criterion C1, condition 2, key `codes`: found \"ekonomis\"; expected a code of tujuan: ketahanan_sosial"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"tujuan\", test = \"any_of\" }}]"), &["condition 1, key `codes`: missing; expected a list of codes"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"tujuan\", test = \"has_word\", words = [\"x\"] }}]"), &["condition 1, key `test`: found \"has_word\" untuk/for tujuan; expected test has_word only on a text column"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"umur\", test = \"any_of\", codes = [\"x\"] }}]"), &["test any_of only on a coded column"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"umur\", test = \"at_least\", value = -1 }}]"), &["condition 1, key `value`: found -1; expected a whole number 0 or more"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"umur\", test = \"at_least\", value = \"10\" }}]"), &["key `value`: found \"10\""]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\", test = \"present\", codes = [\"x\"] }}]"), &["condition 1, key `codes`: found [\"x\"]; expected no such key for test present"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nama\", test = \"has_word\", words = [\"kantor desa\"] }}]"), &["key `words`: found \"kantor desa\"; expected one word per entry"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\", test = \"present\" }}, {{ any = [{{ field = \"nilai\", test = \"present\" }}, {{ field = \"x\", test = \"present\" }}] }}]"), &["criterion C1, condition 2.2, key `field`: found \"x\""]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\", test = \"present\", any = [] }}]"), &["condition 1, key `field`: found \"nilai\"; expected no such key beside all/any"]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\", test = \"present\" }}]\nany = [{{ field = \"nilai\", test = \"present\" }}]"), &["criterion C1, key `any`", "only one of all or any"]),
            (format!("{GOOD_HEAD}{crit}all = [\"nilai\"]"), &["condition 1, key `condition`: found \"nilai\""]),
            (format!("{GOOD_HEAD}{crit}all = [{{ field = \"nilai\", test = \"present\" }}]\n{crit}all = [{{ field = \"nilai\", test = \"present\" }}]"), &["criterion C1, key `id`: found \"C1\"; expected an id no other criterion uses"]),
        ];
        for (text, fragments) in &cases {
            let err = RuleSet::parse(text).expect_err(text);
            let msg = err.message(Lang::En);
            for f in *fragments {
                assert!(
                    msg.contains(f),
                    "file:\n{text}\nmessage:\n{msg}\nlacks {f:?}"
                );
            }
            assert!(!err.message(Lang::Id).is_empty());
        }
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = "version = \"v\"\n[[criterion]]\nid = \"C1\"\nlabel_id = \"a\"\nall = [{ field = \"x\", test = \"present\" }, { field = \"nilai\", test = \"y\" }]";
        let err = RuleSet::parse(text).unwrap_err();
        let keys: Vec<(Option<&str>, Option<&str>, &str)> = err
            .problems()
            .iter()
            .map(|p| {
                (
                    p.criterion.as_deref(),
                    p.condition.as_deref(),
                    p.key.as_str(),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                (None, None, "name"),
                (Some("C1"), None, "label_en"),
                (Some("C1"), Some("1"), "field"),
                (Some("C1"), Some("2"), "test"),
            ]
        );
        assert!(
            err.message(Lang::Id)
                .contains("kriteria C1, kunci `label_en`: tidak ada; diharapkan sebuah teks")
        );
    }

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

    #[test]
    fn field_names_are_instrument_columns() {
        use crate::instrument::{Table, find_column};
        for f in Field::ALL {
            let computed = matches!(f, Field::Members | Field::Age);
            assert_eq!(
                find_column(Table::Groups, f.name()).is_some(),
                !computed,
                "{f}"
            );
        }
    }
}
