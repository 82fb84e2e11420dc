//! One error type for pages and the API. The HTTP status is decided in one `match`
//! ([`ApiError::status`]); bodies carry a stable code and a message in the user's language,
//! never internals.

use super::Ctx;
use crate::service::ServiceError;
use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use wahana_domain::{ErrorCode, FieldError, Lang};

#[derive(Debug)]
pub enum ApiError {
    /// Fields that do not validate, each with what was expected.
    Invalid(Vec<FieldError>),
    NotFound {
        kind: &'static str,
        id: String,
    },
    /// A likely duplicate of groups already held.
    Duplicate {
        existing: Vec<String>,
    },
    /// Somebody else saved the record since it was read.
    Conflict {
        /// `kelompok`, `wahana`, `lembaga`: the kind of record, as the message names it.
        kind: &'static str,
        id: String,
        expected: i64,
        found: i64,
    },
    /// The request needs a signed-in person.
    Unauthenticated,
    /// The person may not do this here; `writes_in`: where they may write, said in the message.
    Forbidden {
        writes_in: Option<wahana_domain::RegionCode>,
    },
    /// The form's CSRF token is missing or wrong.
    Csrf,
    /// Too many failed sign-ins for this name lately.
    TooManyFailures,
    /// Wrong name or password.
    BadCredentials,
    /// The right password of a deactivated person.
    AccountInactive,
    /// A request the server understood but cannot serve (no wave yet, a bad parameter), with a
    /// message already in the user's language.
    Unavailable {
        code: ErrorCode,
        message: String,
    },
    /// A request that is well formed but asks for something that cannot be done (two waves
    /// that cannot be compared), with a message already in the user's language.
    Unprocessable {
        code: ErrorCode,
        message: String,
    },
    /// A use case's refusal that is none of the above (an id used twice, a tie to nothing, the
    /// same tie again, a closed wave), worded by the service.
    Refused(ServiceError),
    /// A request that does not parse (query string, JSON body, multipart form), with the
    /// parser's reason.
    BadRequest(String),
    /// A form's `back` (where to go afterwards) is not a path on this site.
    BadReturnPath,
    /// A body (an upload, a form, a JSON request) larger than the route takes (`limit` bytes).
    TooLarge {
        limit: usize,
    },
    /// The server cannot serve this now, but will soon (`server_busy`: a long write such as an
    /// import holds the database; `pdf_busy`: every PDF printer is in use): 503 with
    /// `Retry-After`.
    Busy {
        code: ErrorCode,
        retry_after_secs: u64,
    },
    /// Something broke inside; the detail goes to the log, not to the user.
    Internal(String),
}

#[derive(Serialize)]
pub struct ErrorBody {
    pub error: ErrorCode,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldBody>,
}

#[derive(Serialize)]
pub struct FieldBody {
    pub field: String,
    pub value: String,
    pub message: String,
}

impl ApiError {
    /// The HTTP status: one per code.
    pub fn status(&self) -> StatusCode {
        status_of(self.code())
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Invalid(_) => ErrorCode::InvalidInput,
            ApiError::NotFound { .. } => ErrorCode::NotFound,
            ApiError::Duplicate { .. } => ErrorCode::LikelyDuplicate,
            ApiError::Conflict { .. } => ErrorCode::EditConflict,
            ApiError::Unauthenticated => ErrorCode::SignInRequired,
            ApiError::Forbidden { .. } => ErrorCode::Forbidden,
            ApiError::Csrf => ErrorCode::CsrfFailed,
            ApiError::TooManyFailures => ErrorCode::TooManyFailures,
            ApiError::BadCredentials => ErrorCode::BadCredentials,
            ApiError::AccountInactive => ErrorCode::AccountInactive,
            ApiError::Unavailable { code, .. } | ApiError::Unprocessable { code, .. } => *code,
            ApiError::Refused(e) => e.code(),
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::BadReturnPath => ErrorCode::BadReturnPath,
            ApiError::TooLarge { .. } => ErrorCode::TooLarge,
            ApiError::Busy { code, .. } => *code,
            ApiError::Internal(_) => ErrorCode::InternalError,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let s = |id: &str, en: &str| lang.pick(id, en).to_string();
        match self {
            ApiError::Invalid(errors) => errors
                .iter()
                .map(|e| e.message(lang))
                .collect::<Vec<_>>()
                .join("; "),
            ApiError::NotFound { kind, id } => match lang {
                Lang::Id => format!("{kind} {id} tidak ditemukan"),
                Lang::En => format!("{} {id} not found", crate::service::kind_en(kind)),
            },
            ApiError::Duplicate { existing } => match lang {
                Lang::Id => format!(
                    "kemungkinan data ganda: kelompok dengan desa, jenis dan nama yang sama sudah tercatat ({}); centang \"memang kelompok lain\" bila memang berbeda",
                    existing.join(", ")
                ),
                Lang::En => format!(
                    "likely duplicate: a group with the same village, type and name is already held ({}); tick \"really another group\" if it is",
                    existing.join(", ")
                ),
            },
            ApiError::Conflict {
                kind,
                id,
                expected,
                found,
            } => match lang {
                Lang::Id => format!(
                    "{kind} {id} telah diubah orang lain sejak Anda membukanya (versi {found}, Anda menyunting versi {expected}). Perubahan Anda tidak disimpan: muat ulang halaman, lalu ulangi perubahan."
                ),
                Lang::En => format!(
                    "{} {id} was changed by someone else since you opened it (version {found}; you edited version {expected}). Your changes were not saved: reload the page and make them again.",
                    crate::service::kind_en(kind)
                ),
            },
            ApiError::Unauthenticated => s("silakan masuk terlebih dahulu", "please sign in first"),
            ApiError::Forbidden { writes_in } => {
                crate::service::forbidden_message(writes_in.as_ref(), lang)
            }
            ApiError::Csrf => s(
                "formulir kedaluwarsa atau tidak sah; muat ulang halaman lalu kirim lagi",
                "the form expired or is not valid; reload the page and submit it again",
            ),
            ApiError::TooManyFailures => s(
                "terlalu banyak percobaan masuk yang gagal; coba lagi 15 menit lagi",
                "too many failed sign-ins; try again in 15 minutes",
            ),
            ApiError::BadCredentials => s(
                "nama pengguna atau kata sandi salah",
                "wrong user name or password",
            ),
            ApiError::AccountInactive => s(
                "akun Anda dinonaktifkan; hubungi admin wahana untuk mengaktifkannya kembali",
                "your account has been deactivated; ask a wahana admin to reactivate it",
            ),
            ApiError::Unavailable { message, .. } | ApiError::Unprocessable { message, .. } => {
                message.clone()
            }
            ApiError::Refused(e) => e.message(lang),
            ApiError::BadRequest(reason) => match lang {
                Lang::Id => format!("permintaan tidak dapat dibaca: {reason}"),
                Lang::En => format!("the request cannot be read: {reason}"),
            },
            ApiError::BadReturnPath => s(
                "alamat kembali (back) formulir ini bukan halaman di situs ini; tidak ada yang diubah",
                "this form's return address (back) is not a page of this site; nothing was changed",
            ),
            ApiError::TooLarge { limit } if *limit < 1024 * 1024 => {
                let kb = limit / 1024;
                match lang {
                    Lang::Id => format!(
                        "isi permintaan terlalu besar: paling banyak {kb} KB; tidak ada yang diubah"
                    ),
                    Lang::En => format!(
                        "the request's body is too large: at most {kb} KB; nothing was changed"
                    ),
                }
            }
            ApiError::TooLarge { limit } => {
                let mb = limit / (1024 * 1024);
                match lang {
                    Lang::Id => format!(
                        "berkas terlalu besar: paling banyak {mb} MB; bagi menjadi beberapa berkas"
                    ),
                    Lang::En => {
                        format!(
                            "the file is too large: at most {mb} MB; split it into several files"
                        )
                    }
                }
            }
            ApiError::Busy {
                code: ErrorCode::PdfBusy,
                ..
            } => s(
                "semua pencetak PDF server sedang dipakai; coba lagi sebentar lagi, atau unduh HTML lalu cetak dari peramban",
                "every PDF printer of the server is in use; try again in a moment, or download the HTML and print it from a browser",
            ),
            ApiError::Busy { .. } => s(
                "server sedang menulis data dalam jumlah besar (impor); coba lagi sebentar lagi",
                "the server is busy writing a large amount of data (an import); try again in a moment",
            ),
            // Never the detail: it may name files, tables or records.
            ApiError::Internal(_) => s(
                "terjadi kesalahan di server; sudah dicatat",
                "something went wrong on the server; it has been logged",
            ),
        }
    }

    /// An internal error goes to the log with a reference number of its own, which is all the
    /// person is shown of it (to quote when reporting it); other errors log nothing.
    fn log(&self) -> Option<String> {
        let ApiError::Internal(detail) = self else {
            return None;
        };
        let reference = format!("{:08x}", rand::random::<u32>());
        tracing::error!(reference = %reference, error = %detail, "internal error");
        Some(reference)
    }

    /// [`ApiError::message`], with the reference of an internal error ([`ApiError::log`]).
    fn message_with(&self, lang: Lang, reference: Option<&str>) -> String {
        match reference {
            Some(r) => format!(
                "{} ({} {r})",
                self.message(lang),
                lang.pick("nomor rujukan", "reference")
            ),
            None => self.message(lang),
        }
    }

    pub fn body(&self, lang: Lang) -> ErrorBody {
        ErrorBody {
            error: self.code(),
            message: self.message(lang),
            fields: match self {
                ApiError::Invalid(errors) => errors
                    .iter()
                    .map(|e| FieldBody {
                        field: e.field.clone(),
                        value: e.value.clone(),
                        message: e.message(lang),
                    })
                    .collect(),
                _ => Vec::new(),
            },
        }
    }

    /// The JSON response.
    pub fn into_api(self, lang: Lang) -> Response {
        let reference = self.log();
        let mut body = self.body(lang);
        body.message = self.message_with(lang, reference.as_deref());
        let res = (self.status(), Json(body)).into_response();
        self.with_retry_after(res)
    }

    /// A busy answer says when to try again.
    fn with_retry_after(&self, mut res: Response) -> Response {
        if let ApiError::Busy {
            retry_after_secs, ..
        } = self
        {
            res.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after_secs),
            );
        }
        res
    }

    /// The HTML page.
    pub fn into_page(self, ctx: &Ctx) -> Response {
        let reference = self.log();
        let page = ErrorPage {
            ctx,
            title: match self.status() {
                StatusCode::NOT_FOUND => ctx.t("Tidak ditemukan", "Not found"),
                StatusCode::UNAUTHORIZED => ctx.t("Perlu masuk", "Sign-in needed"),
                StatusCode::FORBIDDEN => ctx.t("Tidak diizinkan", "Not allowed"),
                StatusCode::CONFLICT => ctx.t("Bentrok", "Conflict"),
                StatusCode::PAYLOAD_TOO_LARGE => ctx.t("Terlalu besar", "Too large"),
                StatusCode::INTERNAL_SERVER_ERROR => ctx.t("Kesalahan", "Error"),
                StatusCode::SERVICE_UNAVAILABLE if matches!(self, ApiError::Busy { .. }) => {
                    ctx.t("Sedang sibuk", "Busy")
                }
                _ => ctx.t("Tidak dapat diproses", "Cannot be done"),
            },
            message: self.message_with(ctx.lang, reference.as_deref()),
            sign_in: matches!(self, ApiError::Unauthenticated),
        };
        match page.render() {
            Ok(html) => self.with_retry_after((self.status(), Html(html)).into_response()),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    title: &'a str,
    message: String,
    sign_in: bool,
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        use wahana_store::StoreError;
        match e {
            ServiceError::Invalid(errors) => ApiError::Invalid(errors),
            ServiceError::NotFound { kind, id } => ApiError::NotFound { kind, id },
            ServiceError::Duplicate { existing } => ApiError::Duplicate { existing },
            ServiceError::Unauthenticated => ApiError::Unauthenticated,
            ServiceError::Forbidden { writes_in } => ApiError::Forbidden { writes_in },
            ServiceError::Store(StoreError::Conflict {
                kind,
                id,
                expected,
                found,
            }) => ApiError::Conflict {
                kind,
                id,
                expected,
                found,
            },
            ServiceError::Store(StoreError::NotFound { kind, id }) => {
                ApiError::NotFound { kind, id }
            }
            e @ (ServiceError::NoOpenWave
            | ServiceError::NotObservedTogether { .. }
            | ServiceError::CarryForward(_)
            | ServiceError::AlreadyDecided { .. }
            | ServiceError::OwnAccount
            | ServiceError::Store(StoreError::Refused(_))) => ApiError::Refused(e),
            // A write that waited its longest for SQLite's write lock (held by an import).
            ServiceError::Store(e) if e.is_busy() => ApiError::Busy {
                code: ErrorCode::ServerBusy,
                retry_after_secs: 30,
            },
            ServiceError::Store(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl ApiError {
    /// A comparison refused (`service::compare`), in the user's language: 404 for a wave not
    /// held, 422 for a wave compared with itself, a wave holding nothing in the region or the
    /// whole country as the region.
    pub fn from_compare(e: crate::service::compare::CompareError, lang: Lang) -> ApiError {
        use crate::service::compare::CompareError;
        match e {
            CompareError::Other(e) => ApiError::from_anyhow(e),
            e @ CompareError::WaveNotFound { .. } => ApiError::Unavailable {
                code: e.code(),
                message: e.message(lang),
            },
            e => ApiError::Unprocessable {
                code: e.code(),
                message: e.message(lang),
            },
        }
    }
}

impl From<wahana_store::StoreError> for ApiError {
    fn from(e: wahana_store::StoreError) -> ApiError {
        ApiError::from(ServiceError::Store(e))
    }
}

impl From<askama::Error> for ApiError {
    fn from(e: askama::Error) -> ApiError {
        ApiError::Internal(format!("template: {e}"))
    }
}

impl ApiError {
    /// An error of a use case that reports through `anyhow` (profile, screening, regions):
    /// a message the use case wrote for the person (an `anyhow!` text with nothing under it)
    /// is shown; a record not held is a 404; anything else (the database, a file, a bug) is
    /// internal: a 500 whose detail goes only to the log.
    pub fn from_anyhow(e: anyhow::Error) -> ApiError {
        use wahana_store::StoreError;
        let written_for_people = e.chain().count() == 1
            && (e.downcast_ref::<String>().is_some() || e.downcast_ref::<&'static str>().is_some());
        if written_for_people {
            return ApiError::Unavailable {
                code: ErrorCode::Unavailable,
                message: e.to_string(),
            };
        }
        match e.downcast_ref::<StoreError>() {
            Some(StoreError::NotFound { kind, id }) => ApiError::NotFound {
                kind,
                id: id.clone(),
            },
            _ => ApiError::Internal(format!("{e:#}")),
        }
    }
}

/// A page handler's result: the page or an error page.
pub type PageResult = Result<Response, PageError>;

/// An error with the context to render it as a page.
pub struct PageError(pub ApiError, pub Ctx);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.into_page(&self.1)
    }
}

/// An API handler's result.
pub type ApiResult<T> = Result<T, ApiFail>;

/// An error with the language to write its message in.
pub struct ApiFail(pub ApiError, pub Lang);

impl IntoResponse for ApiFail {
    fn into_response(self) -> Response {
        self.0.into_api(self.1)
    }
}

/// `.or_page(&ctx)?` and `.or_api(lang)?` attach the context an error needs to render.
pub trait OrRender<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError>;
    fn or_api(self, lang: Lang) -> Result<T, ApiFail>;
}

impl<T, E: Into<ApiError>> OrRender<T> for Result<T, E> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| PageError(e.into(), ctx.clone()))
    }
    fn or_api(self, lang: Lang) -> Result<T, ApiFail> {
        self.map_err(|e| ApiFail(e.into(), lang))
    }
}

/// The HTTP status of each code, in one `match`: the API, the pages and the OpenAPI document
/// take it from here.
pub fn status_of(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::InvalidInput | C::SameWave | C::WaveEmpty | C::RegionRequired => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        C::NotFound
        | C::Unavailable
        | C::NoData
        | C::ScopeTooLarge
        | C::UploadExpired
        | C::ImportFailed
        | C::WaveNotFound => StatusCode::NOT_FOUND,
        C::LikelyDuplicate
        | C::EditConflict
        | C::NoOpenWave
        | C::WaveClosed
        | C::WaveExists
        | C::WaveNotEmpty
        | C::IdTaken
        | C::AlreadyObserved
        | C::NotObserved
        | C::NotObservedTogether
        | C::ActorNotFound
        | C::TieExists
        | C::UserExists
        | C::OwnAccount
        | C::ReviewDecided
        | C::InvalidRules
        | C::RulesVersionTaken
        | C::SqliteInMemory
        | C::CarryForwardTargetNotEmpty
        | C::CarryForwardSourceEmpty => StatusCode::CONFLICT,
        C::SignInRequired | C::BadCredentials => StatusCode::UNAUTHORIZED,
        C::Forbidden | C::CsrfFailed | C::AccountInactive => StatusCode::FORBIDDEN,
        C::TooManyFailures => StatusCode::TOO_MANY_REQUESTS,
        C::PdfUnavailable | C::PdfBusy | C::ServerBusy => StatusCode::SERVICE_UNAVAILABLE,
        C::BadRequest | C::BadReturnPath => StatusCode::BAD_REQUEST,
        C::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::InternalError | C::DatabaseError | C::CarryForwardIo => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The detail of an internal error never reaches the person; its reference does.
    #[tokio::test]
    async fn an_internal_error_shows_a_reference_not_its_detail() {
        let detail = "reading /srv/wahana/secret.toml: permission denied";
        let e = ApiError::from_anyhow(anyhow::Error::new(std::io::Error::other(detail)));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let res = e.into_api(Lang::En);
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let message = body["message"].as_str().unwrap();
        assert!(!message.contains("secret"), "{message}");
        let reference = message
            .rsplit_once("reference ")
            .map(|(_, r)| r.trim_end_matches(')'))
            .unwrap_or_else(|| panic!("no reference in {message}"));
        assert_eq!(reference.len(), 8, "{message}");
        assert!(
            reference.chars().all(|c| c.is_ascii_hexdigit()),
            "{message}"
        );
        assert_eq!(body["error"], "internal_error");
        // A message a use case wrote for the person is shown as it is.
        let e = ApiError::from_anyhow(anyhow::anyhow!("wilayah \"x\" tidak ditemukan"));
        assert_eq!(e.message(Lang::Id), "wilayah \"x\" tidak ditemukan");
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
    }
}
