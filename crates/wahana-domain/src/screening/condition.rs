//! What a rule may test: the instrument's fields, the tests, condition trees judged with three
//! values, and criteria with the reasons they give.

use super::Reason;
use crate::Lang;
use crate::codes::{
    Activity, Code, CodeSet, DuesPeriod, Funding, GroupStatus, GroupType, LegalStatus,
    MeetingFrequency, MembershipBasis, Origin, Purpose, Value,
};
use crate::registry::Group;
use serde::Serialize;
use std::fmt;

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
pub(super) enum Kind {
    Text,
    Number,
    /// One code.
    Code(CodeList),
    /// A set of codes.
    Codes(CodeList),
}

/// A code enum seen through function pointers, so [`Field`] can name its codes without generics.
#[derive(Clone, Copy)]
pub(super) struct CodeList {
    pub(super) bit: fn(&str) -> Option<u32>,
    pub(super) names: fn(u32) -> Vec<&'static str>,
    pub(super) expected: fn() -> String,
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

    /// The instrument columns a value of this field comes from: a computed field's sources
    /// (`jumlah_anggota`: both member counts; `umur`: the founding year), else its own column.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Field::Members => &["anggota_laki", "anggota_perempuan"],
            Field::Age => &["tahun_berdiri"],
            Field::Region => &["kode_wilayah"],
            Field::LocalUnit => &["unit_lokal"],
            Field::Name => &["nama"],
            Field::Type => &["jenis"],
            Field::Origin => &["asal"],
            Field::FoundedYear => &["tahun_berdiri"],
            Field::MembersMale => &["anggota_laki"],
            Field::MembersFemale => &["anggota_perempuan"],
            Field::MembershipBasis => &["dasar_keanggotaan"],
            Field::Purposes => &["tujuan"],
            Field::Activities => &["kegiatan"],
            Field::Funding => &["sumber_dana"],
            Field::MainFunding => &["sumber_dana_utama"],
            Field::Dues => &["iuran_rupiah"],
            Field::DuesPeriod => &["iuran_periode"],
            Field::Values => &["nilai"],
            Field::MeetingFrequency => &["frekuensi_pertemuan"],
            Field::LegalStatus => &["status_hukum"],
            Field::Status => &["status"],
            Field::Network => &["wahana"],
            Field::Notes => &["catatan"],
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

    pub(super) fn kind(self) -> Kind {
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

    pub(super) fn codes(self) -> Option<CodeList> {
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
    pub(super) const NAMES: &'static str =
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
pub(super) fn words(s: &str) -> impl Iterator<Item = String> + '_ {
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
    /// Every check of the tree, in order.
    pub fn checks(&self) -> Vec<&Check> {
        match self {
            Condition::Check(c) => vec![c],
            Condition::All(cs) | Condition::Any(cs) => cs.iter().flat_map(|c| c.checks()).collect(),
        }
    }

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
    pub(super) fn reasons(&self, g: &Group, out: &mut Vec<Reason>) {
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

#[cfg(test)]
mod tests {
    use super::super::RuleSet;
    use super::super::testing::group;
    use super::*;

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
