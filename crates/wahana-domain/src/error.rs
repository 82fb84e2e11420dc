//! Errors of the domain: one problem with one field ([`FieldError`]), and the layer's error enum.

use serde::Serialize;
use std::fmt;

/// The language of messages and labels. Bahasa Indonesia first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// Picks the Indonesian or the English text.
    pub fn pick<'a>(self, id: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "id" | "ind" | "indonesia" => Ok(Lang::Id),
            "en" | "eng" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?}; expected id or en")),
        }
    }
}

/// One problem with one field: which field, the value found, and what was expected (in both
/// languages). Row and file are added by whoever reads files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub value: String,
    pub expected_id: String,
    pub expected_en: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        value: impl Into<String>,
        expected_id: impl Into<String>,
        expected_en: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            value: value.into(),
            expected_id: expected_id.into(),
            expected_en: expected_en.into(),
        }
    }

    /// A required field left empty.
    pub fn required(field: impl Into<String>) -> Self {
        Self::new(
            field,
            "",
            "sebuah nilai (wajib diisi)",
            "a value (required)",
        )
    }

    pub fn expected(&self, lang: Lang) -> &str {
        lang.pick(&self.expected_id, &self.expected_en)
    }

    /// The whole message, e.g. `jenis: "arsan" tidak sah; diharapkan salah satu dari ...`.
    pub fn message(&self, lang: Lang) -> String {
        let expected = self.expected(lang);
        match (lang, self.value.is_empty()) {
            (Lang::Id, true) => format!("{}: kosong; diharapkan {}", self.field, expected),
            (Lang::Id, false) => format!(
                "{}: \"{}\" tidak sah; diharapkan {}",
                self.field, self.value, expected
            ),
            (Lang::En, true) => format!("{}: empty; expected {}", self.field, expected),
            (Lang::En, false) => format!(
                "{}: \"{}\" is not valid; expected {}",
                self.field, self.value, expected
            ),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for FieldError {}

/// The domain layer's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    /// One or more fields of one record are invalid; every problem is listed.
    #[error("{}", .0.iter().map(|e| e.message(Lang::En)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
}

impl DomainError {
    pub(crate) fn invalid_code<T: crate::codes::Code>(value: &str) -> Self {
        DomainError::Invalid(vec![FieldError::new(
            T::FIELD,
            value,
            format!("salah satu dari: {}", T::expected()),
            format!("one of: {}", T::expected()),
        )])
    }

    /// The field errors, for callers that report them one by one.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            DomainError::Invalid(v) => v,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        self.field_errors()
            .iter()
            .map(|e| e.message(lang))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        DomainError::Invalid(vec![e])
    }
}

impl From<Vec<FieldError>> for DomainError {
    fn from(v: Vec<FieldError>) -> Self {
        DomainError::Invalid(v)
    }
}
