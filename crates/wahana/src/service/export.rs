//! Exporting a table in the instrument's format, streamed from the database.

use super::ServiceError;
use super::caller::Caller;
use crate::instrument::{self, CsvDialect, RowSink};
use serde::Serialize;
use std::path::Path;
use wahana_domain::RegionCode;
use wahana_domain::instrument::Table;
use wahana_store::{GroupFilter, Store, StoreError};

/// The format of an exported file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub table: Table,
    pub rows: u64,
    pub file: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] instrument::WriteError),
    /// The caller may not export this region's records.
    #[error(transparent)]
    Refused(#[from] ServiceError),
}

/// Rows between progress reports.
const TICK: u64 = 10_000;

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportRequest<'a> {
    pub table: Table,
    pub region: Option<&'a RegionCode>,
    pub wave: Option<&'a str>,
    pub format: FileFormat,
    /// English column names instead of Indonesian.
    pub english: bool,
    /// The CSV dialect (XLSX ignores it).
    pub dialect: CsvDialect,
    /// Write the personal columns' values (chair, phone, contact, board); blank otherwise.
    pub personal: bool,
    pub out: &'a Path,
}

/// Exports one table of `region` for `caller`: refused to those who may not read the region's
/// records (as [`Caller::check_read`]), personal columns blank for those who may not see the
/// region's personal data.
pub async fn export_for(
    store: &Store,
    caller: &Caller,
    region: &RegionCode,
    req: &ExportRequest<'_>,
) -> Result<ExportReport, ExportError> {
    caller.check_read(region, "wilayah", region.as_str())?;
    let req = ExportRequest {
        region: Some(region),
        personal: req.personal && caller.sees_personal(region),
        ..req.clone()
    };
    export(store, &req, &|_| {}).await
}

/// The indexes of a table's personal columns.
fn personal_columns(table: Table) -> Vec<usize> {
    wahana_domain::instrument::columns(table)
        .iter()
        .enumerate()
        .filter(|(_, c)| c.personal)
        .map(|(i, _)| i)
        .collect()
}

/// Writes one table of a region (and wave) in id order. Memory does not grow with the rows.
pub async fn export(
    store: &Store,
    req: &ExportRequest<'_>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ExportReport, ExportError> {
    let ExportRequest {
        table,
        region,
        wave,
        format,
        english,
        dialect,
        personal,
        out,
    } = *req;
    let blank = if personal {
        Vec::new()
    } else {
        personal_columns(table)
    };
    let mut sink: Box<dyn RowSink + Send> = match format {
        FileFormat::Csv => Box::new(instrument::CsvSink::create_dialect(out, dialect)?),
        FileFormat::Xlsx => Box::new(instrument::XlsxSink::create(out, table.code())?),
    };
    sink.write_header(&instrument::header_names(table, english))?;
    let mut n = 0u64;
    let mut tick = |sink: &mut Box<dyn RowSink + Send>,
                    mut row: Vec<String>|
     -> Result<(), instrument::WriteError> {
        for &i in &blank {
            if let Some(cell) = row.get_mut(i) {
                cell.clear();
            }
        }
        sink.write_row(&row)?;
        n += 1;
        if n.is_multiple_of(TICK) {
            progress(n);
        }
        Ok(())
    };
    let written = match table {
        Table::Groups => {
            let filter = GroupFilter {
                region: region.cloned(),
                wave: wave.map(str::to_string),
                ..GroupFilter::default()
            };
            // Straight from the held values to the file, without domain records in between.
            let mut n = 0u64;
            store
                .for_each_group_fields(&filter, |cells| {
                    if blank.is_empty() {
                        sink.write_cells(cells)?;
                    } else {
                        let mut cells = cells.to_vec();
                        for &i in &blank {
                            if let Some(cell) = cells.get_mut(i) {
                                *cell = "";
                            }
                        }
                        sink.write_cells(&cells)?;
                    }
                    n += 1;
                    if n.is_multiple_of(TICK) {
                        progress(n);
                    }
                    Ok::<_, instrument::WriteError>(())
                })
                .await?
        }
        Table::Networks => {
            store
                .for_each_actor::<wahana_domain::Network, _>(region, wave, |x, _| {
                    tick(&mut sink, x.to_fields())
                })
                .await?
        }
        Table::Institutions => {
            store
                .for_each_actor::<wahana_domain::Institution, _>(region, wave, |x, _| {
                    tick(&mut sink, x.to_fields())
                })
                .await?
        }
        Table::Ties => {
            store
                .for_each_tie(region, wave, |t| tick(&mut sink, t.tie.to_fields()))
                .await?
        }
    };
    let rows = written?;
    progress(rows);
    sink.finish()?;
    Ok(ExportReport {
        table,
        rows,
        file: out.display().to_string(),
    })
}
