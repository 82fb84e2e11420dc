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

    /// A value of a coded field that names no code: what is accepted and, when the value is a
    /// slip of one code, that code ("maksud Anda `rukun_kematian`?").
    pub fn unknown_code<T: crate::codes::Code>(field: impl Into<String>, value: &str) -> Self {
        let (hint_id, hint_en) = match T::nearest(value) {
            Some(c) => (
                format!("; maksud Anda `{}`?", c.code()),
                format!("; did you mean `{}`?", c.code()),
            ),
            None => (String::new(), String::new()),
        };
        Self::new(
            field,
            value,
            format!(
                "salah satu dari: {} (atau labelnya){hint_id}",
                T::expected()
            ),
            format!("one of: {} (or their labels){hint_en}", T::expected()),
        )
    }

    /// A list of a coded field with values that name no code: each of them, with the code it
    /// is a slip of where there is one.
    pub fn unknown_codes<T: crate::codes::Code>(
        field: impl Into<String>,
        value: &str,
        unknown: &[String],
    ) -> Self {
        let list = |lang: Lang| {
            unknown
                .iter()
                .map(|u| match T::nearest(u) {
                    Some(c) => format!(
                        "{u} ({} `{}`?)",
                        lang.pick("maksud Anda", "did you mean"),
                        c.code()
                    ),
                    None => u.clone(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        Self::new(
            field,
            value,
            format!(
                "kode atau label dipisah spasi, koma atau titik koma, dari: {} (tidak dikenal: {})",
                T::expected(),
                list(Lang::Id)
            ),
            format!(
                "codes or labels separated by spaces, commas or semicolons, from: {} (unknown: {})",
                T::expected(),
                list(Lang::En)
            ),
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
        DomainError::Invalid(vec![FieldError::unknown_code::<T>(T::FIELD, value)])
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

/// Declares [`ErrorCode`]: each variant with its wire code and what it means (the OpenAPI
/// document's description of the code).
macro_rules! error_codes {
    ($($variant:ident = $code:literal: $meaning:literal,)*) => {
        /// Every refusal wahana answers with, one meaning each. The JSON API's `error` field,
        /// the OpenAPI document's list of codes, the HTTP status (`web::errors`) and the command
        /// line's exit status (`cli`) all derive from it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $(#[doc = $meaning] $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire code, e.g. `edit_conflict`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// What the code means, in English.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $meaning,)*
                }
            }
        }
    };
}

error_codes! {
    InvalidInput = "invalid_input": "Fields that do not validate; each is listed in `fields` with what was expected.",
    NotFound = "not_found": "No such record, or one the caller may not read (the two are answered alike).",
    LikelyDuplicate = "likely_duplicate": "A group with the same village, type and name is already held.",
    EditConflict = "edit_conflict": "Somebody else saved the record since the version the change was made from.",
    SignInRequired = "sign_in_required": "The request needs a signed-in person.",
    BadCredentials = "bad_credentials": "Wrong user name or password.",
    Forbidden = "forbidden": "The caller's role or region does not allow this.",
    CsrfFailed = "csrf_failed": "The form's or request's CSRF token is missing or wrong.",
    TooManyFailures = "too_many_failures": "Too many failed sign-ins for this name lately.",
    BadRequest = "bad_request": "The request (query, JSON body, form) does not parse.",
    BadReturnPath = "bad_return_path": "A form's return address is not a page of this site.",
    TooLarge = "too_large": "The upload is larger than the server takes.",
    InternalError = "internal_error": "Something broke inside; the details are in the server's log under the reference given.",
    Unavailable = "unavailable": "The request cannot be served (a parameter names nothing held).",
    NoData = "no_data": "Nothing is held for the region or wave asked for.",
    ScopeTooLarge = "scope_too_large": "The network asked for is too large to draw; choose a smaller region.",
    PdfUnavailable = "pdf_unavailable": "The server cannot print PDF (no browser).",
    PdfBusy = "pdf_busy": "Every PDF printer of the server is in use; try again after `Retry-After` seconds.",
    ServerBusy = "server_busy": "The database is held by a long write (an import); try again after `Retry-After` seconds.",
    UploadExpired = "upload_expired": "The upload waiting for confirmation has expired; send the file again.",
    ImportFailed = "import_failed": "The file cannot be read as a table of the instrument.",
    NoOpenWave = "no_open_wave": "No survey wave is open to take new records.",
    WaveClosed = "wave_closed": "The wave is closed: its records cannot change (reopen it first).",
    WaveExists = "wave_exists": "A wave with this id is already held.",
    WaveNotEmpty = "wave_not_empty": "The wave still holds records (delete with force to delete them too).",
    WaveNotFound = "wave_not_found": "No wave with this id is held.",
    SameWave = "same_wave": "A wave cannot be compared with itself.",
    WaveEmpty = "wave_empty": "The wave holds nothing in the region.",
    RegionRequired = "region_required": "A region is needed (not the whole country).",
    IdTaken = "id_taken": "The id already names another record (of another kind).",
    AlreadyObserved = "already_observed": "The record is already recorded in this wave.",
    NotObserved = "not_observed": "The record is not recorded in the wave named.",
    NotObservedTogether = "not_observed_together": "The two ends of a tie are not recorded together in an open wave.",
    ActorNotFound = "actor_not_found": "An end of the tie is no group, network or institution the caller may read.",
    TieExists = "tie_exists": "The same tie between the same two actors is already held.",
    UserExists = "user_exists": "A person with this user name already exists.",
    AccountInactive = "account_inactive": "The person's account is deactivated; an admin can reactivate it.",
    OwnAccount = "own_account": "An admin cannot deactivate their own account.",
    ReviewDecided = "review_decided": "The proposed link has been decided already.",
    InvalidRules = "invalid_rules": "The screening rule set does not parse.",
    RulesVersionTaken = "rules_version_taken": "A different rule set is already held under this version.",
    SqliteInMemory = "sqlite_in_memory": "An in-memory SQLite database cannot take batched writes or bulk reads.",
    CarryForwardTargetNotEmpty = "carry_forward_target_not_empty": "The wave a re-survey is prepared into already holds the region.",
    CarryForwardSourceEmpty = "carry_forward_source_empty": "The earlier wave holds nothing in the region to carry forward.",
    CarryForwardIo = "carry_forward_io": "The pre-filled files of a re-survey cannot be written.",
    DatabaseError = "database_error": "The database failed (details in the server's log).",
}

impl ErrorCode {
    /// The code of a wire text (`None` for none).
    pub fn parse(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod code_tests {
    use super::ErrorCode;

    #[test]
    fn every_code_is_distinct_and_round_trips() {
        let mut seen = std::collections::HashSet::new();
        for c in ErrorCode::ALL {
            assert!(seen.insert(c.as_str()), "{c} twice");
            assert_eq!(ErrorCode::parse(c.as_str()), Some(*c));
            assert_eq!(
                serde_json::to_value(c).ok(),
                Some(serde_json::json!(c.as_str()))
            );
            assert!(!c.meaning().is_empty());
        }
    }
}
