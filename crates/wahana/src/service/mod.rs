//! Use cases: what a command, a page or an API call asks for, once. `cli/` and `web/` parse,
//! call a function here and render.

pub mod actors;
pub mod audit;
pub mod compare;
pub mod demo;
pub mod export;
pub mod groups;
pub mod import;
pub mod network;
pub mod profile;
pub mod regions;
pub mod resurvey;
pub mod review;
pub mod screening;
pub mod users;
pub mod waves;

use anyhow::{Context as _, Result};
use wahana_domain::{Context, Date, RegionTree};
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
    #[error(transparent)]
    Store(#[from] wahana_store::StoreError),
}

impl ServiceError {
    /// A stable code for APIs and scripts.
    #[allow(dead_code)] // the JSON API's error bodies carry it
    pub fn code(&self) -> &'static str {
        match self {
            ServiceError::Invalid(_) => "invalid_input",
            ServiceError::NotFound { .. } => "not_found",
            ServiceError::Duplicate { .. } => "likely_duplicate",
            ServiceError::NoOpenWave => "no_open_wave",
            ServiceError::Store(wahana_store::StoreError::WaveClosed { .. }) => "wave_closed",
            ServiceError::Store(wahana_store::StoreError::Conflict { .. }) => "edit_conflict",
            ServiceError::Store(wahana_store::StoreError::NotFound { .. }) => "not_found",
            ServiceError::Store(wahana_store::StoreError::Rejected { code, .. }) => code,
            ServiceError::Store(_) => "database_error",
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
                Lang::En => format!("{kind} {id} not found"),
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
            ServiceError::Store(e) => e.message(lang),
        }
    }
}
