//! Reading a rule file (TOML), reporting every problem at once.

use super::condition::{Kind, words};
use super::{Check, Condition, Criterion, CriterionKind, Field, RuleSet, Test};
use crate::Lang;
use crate::registry::check_id;
use serde::Serialize;

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
pub(super) struct Parser {
    pub(super) problems: Vec<RuleProblem>,
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

    pub(super) fn rule_set(&mut self, t: &toml::Table) -> Option<RuleSet> {
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
                            "angka 0 atau lebih, tanpa tanda kutip",
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
    use super::super::RuleSet;
    use super::*;

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
}
