//! Server-rendered pages, one file per area.

pub mod actors;
pub mod audit;
pub mod backups;
pub mod compare;
pub mod groups;
pub mod help;
pub mod import;
pub mod inbox;
pub mod network;
pub mod record;
pub mod regions;
pub mod review;
pub mod transfer;
pub mod waves;

use super::Ctx;
use askama::Template;
use axum::response::{Html, IntoResponse, Response};

/// Renders a template into a response, or an error page.
pub fn render<T: Template>(ctx: &Ctx, t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => super::errors::ApiError::from(e).into_page(ctx),
    }
}

/// One page of a long list: where it starts and how to reach its neighbours.
#[derive(Debug, Clone)]
pub struct Pager {
    pub offset: i64,
    pub limit: i64,
    pub total: i64,
    /// The page's link without the `offset` parameter, ending in `?` or `&`.
    pub base: String,
}

impl Pager {
    pub fn first(&self) -> i64 {
        if self.total == 0 { 0 } else { self.offset + 1 }
    }
    pub fn last(&self) -> i64 {
        (self.offset + self.limit).min(self.total)
    }
    pub fn prev(&self) -> Option<String> {
        (self.offset > 0)
            .then(|| format!("{}offset={}", self.base, (self.offset - self.limit).max(0)))
    }
    pub fn next(&self) -> Option<String> {
        (self.offset + self.limit < self.total)
            .then(|| format!("{}offset={}", self.base, self.offset + self.limit))
    }
}

/// `1234567` → `1.234.567` (Indonesian) or `1,234,567` (English).
pub fn num(n: impl Into<i64>, lang: wahana_domain::Lang) -> String {
    wahana_domain::profile::format_count(n.into().max(0) as u64, lang)
}
