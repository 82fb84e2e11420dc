//! `/admin/backups`: the backups and restores the audit trail holds, the latest first, with
//! the last backup's time and size (admins only). Backups are taken at the command line
//! (`wahana backup`); the page shows them, it does not start them.

use super::render;
use crate::service::backup::{self, BackupRecord};
use crate::web::errors::{OrRender, PageResult};
use crate::web::{AppState, Ctx};
use askama::Template;
use axum::extract::State;

/// Entries shown.
const SHOWN: i64 = 50;

/// One backup or restore, as the page shows it.
pub struct Row {
    pub record: BackupRecord,
    pub size: String,
    pub seconds: String,
}

#[derive(Template)]
#[template(path = "backups.html")]
struct BackupsPage<'a> {
    ctx: &'a Ctx,
    /// The latest backup (a restore is not one).
    last: Option<Row>,
    rows: Vec<Row>,
}

pub async fn page(State(st): State<AppState>, ctx: Ctx) -> PageResult {
    let records = backup::history(&st.store, &ctx.caller(), SHOWN)
        .await
        .or_page(&ctx)?;
    let row = |record: BackupRecord| Row {
        size: backup::size(record.bytes, ctx.lang),
        seconds: wahana_domain::profile::format_number(
            (record.seconds * 10.0).round() / 10.0,
            ctx.lang,
        ),
        record,
    };
    let last = records
        .iter()
        .find(|r| r.action == "backup")
        .cloned()
        .map(row);
    let page = BackupsPage {
        ctx: &ctx,
        last,
        rows: records.into_iter().map(row).collect(),
    };
    Ok(render(&ctx, &page))
}
