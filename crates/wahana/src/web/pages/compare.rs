//! The compare page, `/regions/{code}/compare?from=&to=`: a form with two wave selects (a plain
//! GET form, no JavaScript) and what changed between them. Counts, the chart and the findings
//! for everyone; the list of groups (ids and names) only for those who may read the region's
//! records (`service::compare::records_for`).

use super::regions::Crumb;
use crate::report;
use crate::service::compare::{self, CompareRequest};
use crate::web::api::compare::region_of;
use crate::web::errors::{ApiError, OrRender, PageResult};
use crate::web::{AppState, Ctx, pct};
use askama::Template;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use wahana_domain::compare::Fate;
use wahana_domain::profile::format_count;
use wahana_domain::{Level, RegionTree};
use wahana_store::GroupFilter;

/// Rows of the group list shown on the page; the downloads hold them all.
const GROUP_ROWS: usize = 1000;

#[derive(Debug, Deserialize, Default)]
pub struct CompareQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

pub struct WaveOption {
    pub id: String,
    pub label: String,
}

pub struct TableView {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Leading columns holding text (left-aligned).
    pub text_cols: usize,
}

impl TableView {
    fn of(t: (Vec<String>, Vec<Vec<String>>), text_cols: usize) -> TableView {
        TableView {
            headers: t.0,
            rows: t.1,
            text_cols,
        }
    }
}

pub struct CompareView {
    pub heading: String,
    pub from_line: String,
    pub to_line: String,
    pub synthetic: bool,
    /// (number, label) per fate, then the survival rate.
    pub figures: Vec<(String, String)>,
    pub survival: String,
    pub chart: String,
    pub villages: TableView,
    pub types: TableView,
    pub findings: TableView,
    /// The groups, for those who may read them.
    pub groups: Option<TableView>,
    /// Said when the list is cut.
    pub groups_cut: Option<String>,
    pub notes: Vec<String>,
    /// The profile report of the later wave with this comparison as a section.
    pub report: String,
    /// The same comparison as JSON.
    pub json: String,
}

#[derive(Template)]
#[template(path = "compare.html")]
pub struct ComparePage<'a> {
    pub ctx: &'a Ctx,
    pub code: String,
    pub title: String,
    pub crumbs: Vec<Crumb>,
    pub waves: Vec<WaveOption>,
    pub from: String,
    pub to: String,
    pub error: Option<String>,
    pub result: Option<CompareView>,
}

pub async fn compare(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<CompareQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let region = region_of(&code, &ctx).or_page(&ctx)?;
    let tree = RegionTree::official();
    // The waves, each with its number of groups in the region; those holding some come first
    // as the default pair (the latest two).
    let mut waves = Vec::new();
    let mut holding = Vec::new();
    for w in st.store.waves().await.or_page(&ctx)? {
        let n = st
            .store
            .count_groups(&GroupFilter {
                region: Some(region.code.clone()),
                wave: Some(w.id.clone()),
                ..GroupFilter::default()
            })
            .await
            .or_page(&ctx)?;
        if n > 0 {
            holding.push(w.id.clone());
        }
        waves.push(WaveOption {
            label: format!(
                "{} ({}) — {} {}",
                w.name,
                w.id,
                format_count(n as u64, lang),
                ctx.t("kelompok", "groups")
            ),
            id: w.id,
        });
    }
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    let asked = given(&q.from).is_some() || given(&q.to).is_some();
    let from = given(&q.from)
        .map(str::to_string)
        .or_else(|| holding.get(1).cloned())
        .unwrap_or_default();
    let to = given(&q.to)
        .map(str::to_string)
        .or_else(|| holding.first().cloned())
        .unwrap_or_default();
    let mut page = ComparePage {
        ctx: &ctx,
        code: region.code.to_string(),
        title: if region.level() == Level::Regency {
            region.name.clone()
        } else {
            region.titled(lang)
        },
        crumbs: region
            .code
            .ancestors()
            .iter()
            .filter_map(|c| tree.get(c))
            .chain([region])
            .map(|a| Crumb {
                code: a.code.to_string(),
                name: a.name.clone(),
            })
            .collect(),
        waves,
        from: from.clone(),
        to: to.clone(),
        error: None,
        result: None,
    };
    if !asked && holding.len() < 2 {
        page.error = Some(
            ctx.t(
                "Wilayah ini belum memiliki dua pendataan yang memuat kelompok: belum ada yang dapat dibandingkan.",
                "This region does not yet have two waves holding groups: there is nothing to compare yet.",
            )
            .to_string(),
        );
        return Ok(super::render(&ctx, &page));
    }
    let req = CompareRequest {
        region,
        from,
        to,
        rules: None,
    };
    let d = match compare::build(&st.store, &req, crate::service::today(), lang).await {
        Ok(d) => d,
        Err(e) => {
            let e = ApiError::from_compare(e, lang);
            if matches!(e, ApiError::Internal(_)) {
                return Err(crate::web::errors::PageError(e, ctx.clone()));
            }
            // The refusal on the page itself, with the form to choose again.
            let status = e.status();
            page.error = Some(e.message(lang));
            let mut resp = super::render(&ctx, &page);
            *resp.status_mut() = status;
            return Ok(resp);
        }
    };
    let records = compare::records_for(ctx.user(), region);
    let c = &d.comparison.counts;
    let mut t = report::compare::tables(&d, lang);
    let groups_cut = (t.groups.1.len() > GROUP_ROWS).then(|| match lang {
        wahana_domain::Lang::Id => format!(
            "{} kelompok pertama dari {}; unduhan memuat semuanya.",
            format_count(GROUP_ROWS as u64, lang),
            format_count(t.groups.1.len() as u64, lang)
        ),
        wahana_domain::Lang::En => format!(
            "The first {} of {} groups; the downloads hold them all.",
            format_count(GROUP_ROWS as u64, lang),
            format_count(t.groups.1.len() as u64, lang)
        ),
    });
    t.groups.1.truncate(GROUP_ROWS);
    let mut figures: Vec<(String, String)> = Fate::ALL
        .iter()
        .map(|f| (format_count(c.get(*f), lang), f.label(lang).to_string()))
        .collect();
    figures.push((
        report::compare::rate(c.survival_rate(), lang),
        ctx.t("tingkat bertahan", "survival rate").to_string(),
    ));
    page.result = Some(CompareView {
        heading: report::compare::heading(&d, lang),
        from_line: report::compare::wave_line(&d.from.wave, d.observed_from, lang),
        to_line: report::compare::wave_line(&d.to.wave, d.observed_to, lang),
        synthetic: d.synthetic(),
        figures,
        survival: report::compare::survival_sentence(&d, lang),
        chart: report::compare::chart(&d, lang),
        villages: TableView::of(t.villages, 1),
        types: TableView::of(t.types, 1),
        findings: TableView::of(t.findings, 2),
        groups: records.then(|| TableView::of(t.groups, 8)),
        groups_cut: groups_cut.filter(|_| records),
        notes: report::compare::notes(&d, lang),
        report: format!(
            "/regions/{}/report?wave={}&compare_with={}",
            region.code,
            pct(&d.to.wave.id),
            pct(&d.from.wave.id)
        ),
        json: format!(
            "/api/v1/regions/{}/compare?from={}&to={}",
            region.code,
            pct(&d.from.wave.id),
            pct(&d.to.wave.id)
        ),
    });
    Ok(super::render(&ctx, &page))
}
