//! Use cases: what a command, a page or an API call asks for, once. `cli/` and `web/` parse,
//! call a function here and render.

pub mod actors;
pub mod audit;
pub mod backup;
pub mod boundaries;
pub mod caller;
#[cfg(test)]
mod caller_tests;
pub mod compare;
pub mod demo;
pub mod export;
pub mod groups;
pub mod import;
pub mod inbox;
pub mod network;
pub mod odk;
pub mod profile;
pub mod refusals;
pub mod regions;
pub mod resurvey;
pub mod review;
pub mod screening;
#[cfg(test)]
mod testing;
pub mod users;
pub mod waves;

use anyhow::{Context as _, Result};
use wahana_domain::{Context, Date, ErrorCode, RegionTree};
use wahana_store::{Sharing, Store};

/// Opens the database, runs migrations and makes sure the official region tree is loaded.
/// `sharing`: [`Sharing::Bulk`] for a command that writes in bulk (on SQLite, a rollback
/// journal when no other process has the file open), [`Sharing::Shared`] otherwise.
pub async fn open_with(database: &str, sharing: Sharing) -> Result<Store> {
    let store = Store::open_with(database, sharing)
        .await
        .with_context(|| format!("opening database {}", crate::config::redact_url(database)))?;
    store
        .ensure_regions(RegionTree::official())
        .await
        .context("loading the official region tree")?;
    Ok(store)
}

/// Opens the read replica at `url` as it is (`Store::open_replica`: no migration, read-only,
/// refused unless at this binary's migrations).
pub async fn open_replica(url: &str) -> Result<Store> {
    Store::open_replica(url).await.with_context(|| {
        let url = crate::config::redact_url(url);
        format!(
            "membuka replika baca {url} (replika harus standby dari basis data ini, dengan migrasi yang sama) / \
             opening the read replica {url} (it must be a standby of this database, at the same migrations)"
        )
    })
}

/// Today's date, read once here: the domain never reads the clock.
pub fn today() -> Date {
    wahana_store::today()
}

/// The validation context for records written today.
pub fn context(wave_date: Option<Date>) -> Context<'static> {
    Context {
        regions: RegionTree::official(),
        today: today(),
        wave_date,
    }
}

/// What a use case can refuse, each with a stable code and a message in the user's language.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Fields that do not validate; every problem is listed.
    #[error("invalid input")]
    Invalid(Vec<wahana_domain::FieldError>),
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    /// Looks like a group already held (same village, type and name).
    #[error("likely duplicate of {existing:?}")]
    Duplicate { existing: Vec<String> },
    /// No wave is open to take a new record: one is created on purpose, never on the way.
    #[error("no open wave")]
    NoOpenWave,
    /// The use case needs a signed-in caller.
    #[error("sign-in required")]
    Unauthenticated,
    /// The caller may not do this here; `writes_in` is the region they may write in (`None`:
    /// their role writes nowhere, or everywhere but not this).
    #[error("not allowed")]
    Forbidden {
        writes_in: Option<wahana_domain::RegionCode>,
    },
    /// A tie with no wave named whose two ends no open wave records together (`only_closed`:
    /// closed waves do).
    #[error("{from} and {to} are not recorded together in an open wave")]
    NotObservedTogether {
        from: String,
        to: String,
        only_closed: bool,
    },
    /// A re-survey that cannot be prepared.
    #[error("re-survey refused: {0:?}")]
    CarryForward(resurvey::CarryForwardRefusal),
    /// A submission of the inbox that is no longer pending (someone decided it first).
    #[error("submission {id} is {status}")]
    AlreadyDecided { id: i64, status: String },
    /// An admin asked to deactivate their own account (someone must be left to reactivate
    /// people).
    #[error("an admin cannot deactivate their own account")]
    OwnAccount,
    #[error(transparent)]
    Store(#[from] wahana_store::StoreError),
}

impl ServiceError {
    /// The code of the refusal: the API's `error`, the HTTP status, the exit status.
    pub fn code(&self) -> ErrorCode {
        match self {
            ServiceError::Invalid(_) => ErrorCode::InvalidInput,
            ServiceError::NotFound { .. } => ErrorCode::NotFound,
            ServiceError::Duplicate { .. } => ErrorCode::LikelyDuplicate,
            ServiceError::NoOpenWave => ErrorCode::NoOpenWave,
            ServiceError::Unauthenticated => ErrorCode::SignInRequired,
            ServiceError::Forbidden { .. } => ErrorCode::Forbidden,
            ServiceError::NotObservedTogether { .. } => ErrorCode::NotObservedTogether,
            ServiceError::CarryForward(r) => r.code(),
            ServiceError::AlreadyDecided { .. } => ErrorCode::EditConflict,
            ServiceError::OwnAccount => ErrorCode::OwnAccount,
            ServiceError::Store(e) => store_code(e),
        }
    }

    pub fn message(&self, lang: wahana_domain::Lang) -> String {
        use wahana_domain::Lang;
        match self {
            ServiceError::Invalid(errors) => errors
                .iter()
                .map(|e| e.message(lang))
                .collect::<Vec<_>>()
                .join("\n"),
            ServiceError::NotFound { kind, id } => match lang {
                Lang::Id => format!("{kind} {id} tidak ditemukan"),
                Lang::En => format!("{} {id} not found", kind_en(kind)),
            },
            ServiceError::Duplicate { existing } => match lang {
                Lang::Id => format!(
                    "kemungkinan data ganda: kelompok dengan desa, jenis dan nama yang sama sudah tercatat ({}); pakai --allow-duplicate bila memang berbeda",
                    existing.join(", ")
                ),
                Lang::En => format!(
                    "likely duplicate: a group with the same village, type and name is already held ({}); use --allow-duplicate if it really is another group",
                    existing.join(", ")
                ),
            },
            ServiceError::NoOpenWave => match lang {
                Lang::Id => "belum ada pendataan yang terbuka untuk menampung catatan baru: buat pendataan dahulu (`wahana waves add`, atau halaman Pendataan di /waves), atau buka kembali pendataan yang ditutup".to_string(),
                Lang::En => "no survey wave is open to take new records: create a wave first (`wahana waves add`, or the Waves page at /waves), or reopen a closed one".to_string(),
            },
            ServiceError::Unauthenticated => {
                lang.pick("silakan masuk terlebih dahulu", "please sign in first").to_string()
            }
            ServiceError::Forbidden { writes_in } => forbidden_message(writes_in.as_ref(), lang),
            ServiceError::NotObservedTogether {
                from,
                to,
                only_closed,
            } => match lang {
                Lang::Id => format!(
                    "{from} dan {to} tidak tercatat bersama di pendataan yang masih terbuka{}",
                    if *only_closed {
                        " (hanya di pendataan yang sudah ditutup)"
                    } else {
                        ""
                    }
                ),
                Lang::En => format!(
                    "{from} and {to} are not recorded together in any open wave{}",
                    if *only_closed { " (only in closed ones)" } else { "" }
                ),
            },
            ServiceError::CarryForward(r) => r.message(lang),
            ServiceError::AlreadyDecided { id, status } => {
                let (sid, sen) = match status.as_str() {
                    "accepted" => ("sudah diterima", "was accepted"),
                    "rejected" => ("sudah ditolak", "was rejected"),
                    "replaced" => ("sudah diganti kiriman suntingan", "was replaced by an edit"),
                    _ => ("sudah diputuskan", "was decided"),
                };
                match lang {
                    Lang::Id => format!("kiriman #{id} {sid}: tidak ada yang diubah"),
                    Lang::En => format!("submission #{id} {sen}: nothing was changed"),
                }
            }
            ServiceError::OwnAccount => lang
                .pick(
                    "Anda tidak dapat menonaktifkan akun Anda sendiri; minta admin lain melakukannya",
                    "you cannot deactivate your own account; ask another admin to do it",
                )
                .to_string(),
            ServiceError::Store(e) => refusals::store_message(e, lang),
        }
    }
}

impl From<wahana_store::Refusal> for ServiceError {
    fn from(r: wahana_store::Refusal) -> ServiceError {
        ServiceError::Store(r.into())
    }
}

/// The code of a store's refusal.
pub fn store_code(e: &wahana_store::StoreError) -> ErrorCode {
    use wahana_store::StoreError;
    match e {
        StoreError::Refused(r) => r.code(),
        StoreError::Conflict { .. } => ErrorCode::EditConflict,
        StoreError::NotFound { .. } => ErrorCode::NotFound,
        _ => ErrorCode::DatabaseError,
    }
}

/// "You may not do this here", saying where the caller may write when they may somewhere.
pub fn forbidden_message(
    writes_in: Option<&wahana_domain::RegionCode>,
    lang: wahana_domain::Lang,
) -> String {
    let base = lang.pick(
        "Anda tidak berwenang melakukan ini di wilayah ini",
        "you are not allowed to do this in this region",
    );
    match writes_in.and_then(|c| RegionTree::official().get(c)) {
        Some(r) => format!(
            "{base}{} {} ({})",
            lang.pick("; Anda dapat menulis di", "; you may write in"),
            r.titled(lang),
            r.code
        ),
        None => base.to_string(),
    }
}

/// A kind of record as the Indonesian messages name it (`kelompok`), in English.
pub fn kind_en(kind: &str) -> &str {
    match kind {
        "kelompok" => "group",
        "wahana" => "network",
        "lembaga" => "institution",
        "ikatan" => "tie",
        "pendataan" => "wave",
        "anggota" => "member",
        "usulan tautan" => "proposed link",
        "pengguna" => "user",
        "wilayah" => "region",
        other => other,
    }
}
