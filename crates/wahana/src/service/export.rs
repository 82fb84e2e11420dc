//! Exporting a table in the instrument's format, streamed from the database.

use crate::instrument::{self, RowSink};
use serde::Serialize;
use std::path::Path;
use wahana_domain::RegionCode;
use wahana_domain::instrument::Table;
use wahana_store::{GroupFilter, Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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
    pub out: &'a Path,
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
        out,
    } = *req;
    let mut sink: Box<dyn RowSink> = match format {
        FileFormat::Csv => Box::new(instrument::CsvSink::create(out)?),
        FileFormat::Xlsx => Box::new(instrument::XlsxSink::create(out, table.code())?),
    };
    sink.write_header(&instrument::header_names(table, english))?;
    let mut n = 0u64;
    let mut tick =
        |sink: &mut Box<dyn RowSink>, row: Vec<String>| -> Result<(), instrument::WriteError> {
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
                    sink.write_cells(cells)?;
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
