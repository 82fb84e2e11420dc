//! Preparing a re-survey (*pemutakhiran*): `wahana waves carry-forward`. From an earlier wave,
//! the files the next round starts from: the region's groups (and ties) pre-filled in the
//! instrument's format, each row with its group's id, and an XLSForm whose group list for each
//! village comes from the earlier wave. Importing them into the new wave adds observations of
//! the same groups. Optionally, the earlier wave's networks and institutions (and the ties
//! between them) are copied into the new wave as unconfirmed observations.

use super::ServiceError;
use super::caller::Caller;
use super::export::FileFormat;
use super::users::Write;
use crate::instrument;
use crate::instrument::xlsform::PreviousGroup;
use serde::Serialize;
use std::path::{Path, PathBuf};
use wahana_domain::instrument::Table;
use wahana_domain::{ErrorCode, FieldError, Lang, RegionCode, RegionTree};
use wahana_store::{GroupFilter, Refusal, Store};

/// What to prepare.
pub struct CarryForward<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub region: &'a RegionCode,
    /// Where the files go (created when missing).
    pub out_dir: &'a Path,
    /// Copy the earlier wave's networks, institutions and their ties into the new wave.
    pub copy_actors: bool,
}

/// What was prepared.
#[derive(Debug, Clone, Serialize)]
pub struct CarryReport {
    pub from: String,
    pub to: String,
    pub region: String,
    /// Groups of the earlier wave in the region (rows of the pre-filled file).
    pub groups: u64,
    /// Ties of the earlier wave in the region (rows of the pre-filled ties file).
    pub ties: u64,
    pub files: Vec<String>,
    pub networks_copied: u64,
    pub institutions_copied: u64,
    pub ties_copied: u64,
}

/// Why a re-survey cannot be prepared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CarryForwardRefusal {
    /// The new wave already holds `groups` groups of the region (`region`: its name and code).
    TargetNotEmpty {
        wave: String,
        groups: i64,
        region: String,
    },
    /// The earlier wave holds no group in the region.
    SourceEmpty { wave: String, region: String },
    /// The output folder cannot be created (`error`: the system's reason).
    FolderNotMade { folder: String, error: String },
    /// A pre-filled file cannot be written.
    FileNotWritten { error: String },
    /// The XLSForm cannot be written.
    FormNotWritten { error: String },
}

impl CarryForwardRefusal {
    pub fn code(&self) -> ErrorCode {
        match self {
            CarryForwardRefusal::TargetNotEmpty { .. } => ErrorCode::CarryForwardTargetNotEmpty,
            CarryForwardRefusal::SourceEmpty { .. } => ErrorCode::CarryForwardSourceEmpty,
            CarryForwardRefusal::FolderNotMade { .. }
            | CarryForwardRefusal::FileNotWritten { .. }
            | CarryForwardRefusal::FormNotWritten { .. } => ErrorCode::CarryForwardIo,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use CarryForwardRefusal as R;
        match (self, lang) {
            (
                R::TargetNotEmpty {
                    wave,
                    groups,
                    region,
                },
                Lang::Id,
            ) => format!(
                "pendataan {wave} sudah memuat {groups} kelompok di {region}: pemutakhiran disiapkan untuk pendataan yang belum memuat wilayah ini"
            ),
            (
                R::TargetNotEmpty {
                    wave,
                    groups,
                    region,
                },
                Lang::En,
            ) => format!(
                "wave {wave} already holds {groups} groups in {region}: a re-survey is prepared for a wave that holds nothing of the region yet"
            ),
            (R::SourceEmpty { wave, region }, Lang::Id) => {
                format!("pendataan {wave} tidak memuat kelompok di {region}")
            }
            (R::SourceEmpty { wave, region }, Lang::En) => {
                format!("wave {wave} holds no groups in {region}")
            }
            (R::FolderNotMade { folder, error }, Lang::Id) => {
                format!("folder {folder} tidak dapat dibuat: {error}")
            }
            (R::FolderNotMade { folder, error }, Lang::En) => {
                format!("folder {folder} cannot be created: {error}")
            }
            (R::FileNotWritten { error }, Lang::Id) => {
                format!("berkas tidak dapat ditulis: {error}")
            }
            (R::FileNotWritten { error }, Lang::En) => format!("file cannot be written: {error}"),
            (R::FormNotWritten { error }, Lang::Id) => {
                format!("formulir tidak dapat ditulis: {error}")
            }
            (R::FormNotWritten { error }, Lang::En) => {
                format!("the form cannot be written: {error}")
            }
        }
    }
}

fn refused(r: CarryForwardRefusal) -> ServiceError {
    ServiceError::CarryForward(r)
}

/// Prepares the re-survey. Refused, writing nothing, when the two waves are the same, either
/// does not exist, the new wave is closed or already holds observations of the region, or the
/// earlier wave holds none there.
pub async fn carry_forward(
    store: &Store,
    caller: &Caller,
    req: &CarryForward<'_>,
) -> Result<CarryReport, ServiceError> {
    // It prepares the region's next round (and, asked, copies its networks and institutions).
    caller.check_write(Write::Other, Some(req.region))?;
    if req.from == req.to {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "--to",
            req.to,
            "pendataan lain dari --from",
            "a wave other than --from",
        )]));
    }
    let mut waves = Vec::new();
    for id in [req.from, req.to] {
        waves.push(
            store
                .wave(id)
                .await?
                .ok_or_else(|| ServiceError::NotFound {
                    kind: "pendataan",
                    id: id.to_string(),
                })?,
        );
    }
    let (from, to) = (&waves[0], &waves[1]);
    if to.closed {
        return Err(Refusal::WaveClosed {
            wave: to.id.clone(),
        }
        .into());
    }
    let name = RegionTree::official()
        .get(req.region)
        .map(|r| format!("{} ({})", r.name, r.code))
        .unwrap_or_else(|| req.region.to_string());
    let count = |wave: &str| GroupFilter {
        region: Some(req.region.clone()),
        wave: Some(wave.to_string()),
        ..GroupFilter::default()
    };
    let held_to = store.count_groups(&count(&to.id)).await?;
    if held_to > 0 {
        return Err(refused(CarryForwardRefusal::TargetNotEmpty {
            wave: to.id.clone(),
            groups: held_to,
            region: name,
        }));
    }
    let groups = store.count_groups(&count(&from.id)).await?;
    if groups == 0 {
        return Err(refused(CarryForwardRefusal::SourceEmpty {
            wave: from.id.clone(),
            region: name,
        }));
    }
    std::fs::create_dir_all(req.out_dir).map_err(|e| {
        refused(CarryForwardRefusal::FolderNotMade {
            folder: req.out_dir.display().to_string(),
            error: e.to_string(),
        })
    })?;
    let digits = req.region.digits();
    let path = |name: String| -> PathBuf { req.out_dir.join(name) };
    let mut files = Vec::new();
    let mut ties = 0;
    for (table, format, file) in [
        (
            Table::Groups,
            FileFormat::Csv,
            format!("kelompok-{}-{digits}.csv", to.id),
        ),
        (
            Table::Groups,
            FileFormat::Xlsx,
            format!("kelompok-{}-{digits}.xlsx", to.id),
        ),
        (
            Table::Ties,
            FileFormat::Csv,
            format!("ikatan-{}-{digits}.csv", to.id),
        ),
    ] {
        let out = path(file);
        let r = super::export::export(
            store,
            &super::export::ExportRequest {
                table,
                region: Some(req.region),
                wave: Some(&from.id),
                format,
                english: false,
                dialect: crate::instrument::CsvDialect::Standard,
                personal: true,
                out: &out,
            },
            &|_| {},
        )
        .await
        .map_err(|e| match e {
            super::export::ExportError::Store(s) => ServiceError::Store(s),
            super::export::ExportError::Refused(e) => e,
            super::export::ExportError::Write(w) => refused(CarryForwardRefusal::FileNotWritten {
                error: w.to_string(),
            }),
        })?;
        if table == Table::Ties {
            ties = r.rows;
        }
        files.push(out.display().to_string());
    }
    let previous = groups_of(store, &from.id, req.region).await?;
    let form = path(format!("formulir-{}-{digits}.xlsx", to.id));
    instrument::xlsform::write_resurvey_xlsform(
        &form,
        req.region,
        RegionTree::official(),
        super::today().year(),
        &previous,
    )
    .map_err(|e| {
        refused(CarryForwardRefusal::FormNotWritten {
            error: e.to_string(),
        })
    })?;
    files.push(form.display().to_string());
    let (mut networks_copied, mut institutions_copied, mut ties_copied) = (0, 0, 0);
    if req.copy_actors {
        let mut batch = store.begin().await?;
        let (n, i, t) = batch.carry_actors(&from.id, &to.id, req.region).await?;
        batch.commit().await?;
        (networks_copied, institutions_copied, ties_copied) = (n, i, t);
    }
    Ok(CarryReport {
        from: from.id.clone(),
        to: to.id.clone(),
        region: req.region.to_string(),
        groups: groups as u64,
        ties,
        files,
        networks_copied,
        institutions_copied,
        ties_copied,
    })
}

/// The groups of `wave` under `region`, as a re-survey's form lists them (by village, name
/// and id).
async fn groups_of(
    store: &Store,
    wave: &str,
    region: &RegionCode,
) -> Result<Vec<PreviousGroup>, ServiceError> {
    let filter = GroupFilter {
        region: Some(region.clone()),
        wave: Some(wave.to_string()),
        ..GroupFilter::default()
    };
    Ok(store
        .list_groups(&filter, i64::MAX, 0)
        .await?
        .into_iter()
        .map(|g| PreviousGroup {
            id: g.group.id,
            name: g.group.name,
            village: g.group.village,
        })
        .collect())
}

/// The earlier groups a re-survey's form offers in each village (`wahana instrument xform
/// --resurvey-wave`, the XForm served to ODK Collect): the groups `wave` recorded under
/// `region`. The caller must read the region's records (group names and ids are listed); the
/// wave must exist and hold groups there (else [`CarryForwardRefusal::SourceEmpty`], as for a
/// carry-forward).
pub async fn previous_groups(
    store: &Store,
    caller: &Caller,
    wave: &str,
    region: &RegionCode,
) -> Result<Vec<PreviousGroup>, ServiceError> {
    caller.check_read(region, "wilayah", &region.to_string())?;
    let wave = store
        .wave(wave)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            kind: "pendataan",
            id: wave.to_string(),
        })?;
    let groups = groups_of(store, &wave.id, region).await?;
    if groups.is_empty() {
        let name = RegionTree::official()
            .get(region)
            .map(|r| format!("{} ({})", r.name, r.code))
            .unwrap_or_else(|| region.to_string());
        return Err(refused(CarryForwardRefusal::SourceEmpty {
            wave: wave.id,
            region: name,
        }));
    }
    Ok(groups)
}

/// Records by hand that the group `to` observed in `wave` continues, merges into or splits
/// from the earlier group `from`, for a caller who may edit groups in the village of `to`.
pub async fn record_link(
    store: &Store,
    caller: &Caller,
    wave: &str,
    from: &str,
    to: &str,
    kind: &'static str,
) -> Result<(), ServiceError> {
    caller.signed_in()?;
    if let Some(g) = store.group_in(to, wave).await? {
        caller.check_write_held(Write::EditGroup, &g.group.village, "kelompok", to)?;
    } else {
        caller.check_write(Write::EditGroup, None)?;
    }
    Ok(store
        .record_link(wave, from, to, kind, &caller.who().0)
        .await?)
}
