//! Home, region pages at every level (a village's page lists its records), search, the profile
//! report, the screening page and a region's audit trail.

use super::waves::{PickerBlock, WavePicker};
use super::{Pager, num, render};
use crate::report;
use crate::report::map::Measure;
use crate::service::profile::{ProfileData, ProfileRequest};
use crate::service::screening::{self, Scope};
use crate::service::users::{self, Role};
use crate::service::{self, actors as actor_service, groups};
use crate::web::errors::{ApiError, OrRender, PageResult};
use crate::web::{AppState, Ctx, pct};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse};
use serde::Deserialize;
use std::sync::Arc;
use wahana_domain::profile::format_percent;
use wahana_domain::{Code, Lang, Level, Region, RegionTree};
use wahana_store::{AuditEntry, GroupFilter, StoredGroup};

/// Rows per page in every list.
pub const PAGE: i64 = 50;

#[derive(Debug, Deserialize, Default)]
pub struct RegionQuery {
    pub wave: Option<String>,
    pub offset: Option<i64>,
    /// What colours the map (`report::map::Measure::key`).
    pub measure: Option<String>,
}

pub struct Crumb {
    pub code: String,
    pub name: String,
}

pub struct FindingView {
    pub id: &'static str,
    pub title: &'static str,
    pub holds: bool,
    /// `holds`, `fails` or `nodata` ([`wahana_domain::profile::Verdict::class`]).
    pub class: &'static str,
    /// "berlaku", "tidak berlaku di 8 dari 372 desa/kelurahan yang didata", "tidak ada data".
    pub badge: String,
    pub sentence: String,
}

pub struct ChildView {
    pub code: String,
    pub name: String,
    pub groups: String,
    pub coverage: String,
}

pub struct GroupLine {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub village: String,
    pub founded: i32,
    pub status: &'static str,
}

impl GroupLine {
    pub fn of(g: &StoredGroup, lang: Lang) -> GroupLine {
        let tree = RegionTree::official();
        GroupLine {
            id: g.group.id.clone(),
            name: g.group.name.clone(),
            kind: g.group.group_type.label(lang),
            village: tree
                .get(&g.group.village)
                .map(|r| r.name.clone())
                .unwrap_or_else(|| g.group.village.to_string()),
            founded: g.group.founded_year,
            status: g.group.status.label(lang),
        }
    }
}

pub struct ActorLine {
    pub id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Template)]
#[template(path = "region.html")]
pub struct RegionPage<'a> {
    pub ctx: &'a Ctx,
    pub code: String,
    pub title: String,
    pub crumbs: Vec<Crumb>,
    pub is_village: bool,
    /// Which wave the page shows, and the other waves of the region.
    pub picker: Option<WavePicker>,
    /// `wave=ID` for the page's links when a wave was chosen (empty for the default).
    pub wave_param: String,
    pub wave_line: Option<String>,
    pub synthetic: bool,
    pub stats: Vec<(String, String)>,
    pub findings: Vec<FindingView>,
    pub charts: Vec<BarChart>,
    pub map: Option<MapView>,
    /// The report can be printed to PDF here (the server has Chromium).
    pub pdf: bool,
    /// The profile report's path (`/regions/73.08.21/report`, `/regions/nasional/report`).
    pub report: String,
    pub children_heading: &'static str,
    pub children: Vec<ChildView>,
    pub no_data: Option<String>,
    pub can_read: bool,
    pub can_add: bool,
    /// May add networks and institutions (officers and admins).
    pub can_add_actors: bool,
    pub can_audit: bool,
    /// Submissions waiting in the region's inbox, for officers and admins who may read it.
    pub inbox_pending: Option<i64>,
    pub groups: Vec<GroupLine>,
    pub pager: Option<Pager>,
    pub networks: Vec<ActorLine>,
    pub institutions: Vec<ActorLine>,
    pub units: Vec<String>,
    pub ties: usize,
    /// The home page of a database that holds no person yet: it says how to begin.
    pub first_run: bool,
}

fn resolve(code: &str, ctx: &Ctx) -> Result<&'static Region, ApiError> {
    RegionTree::official()
        .resolve(code)
        .map_err(|_| ApiError::NotFound {
            kind: ctx.t("wilayah", "region"),
            id: code.to_string(),
        })
}

/// The profile of a scope, or the reason when there is no data for it yet; reused between
/// writes (`web/cache.rs`).
pub async fn profile_of(
    st: &AppState,
    scope: Scope,
    wave: Option<String>,
    lang: Lang,
) -> Result<Result<Arc<ProfileData>, String>, ApiError> {
    let key = scope.code_str();
    if let Some(hit) = st.profiles.get(key, wave.as_deref(), lang.code()) {
        return Ok(hit);
    }
    // The country and the provinces: the kept profile now, a new one made in the background.
    let wide = match scope {
        Scope::National => true,
        Scope::Region(r) => r.level() == Level::Province,
    };
    if wide && let Some(kept) = st.profiles.stale(key, wave.as_deref(), lang.code()) {
        if st.profiles.start_refresh(key, wave.as_deref(), lang.code()) {
            let st = st.clone();
            tokio::spawn(async move {
                let _ = make_profile(&st, scope, wave.clone(), lang).await;
                st.profiles
                    .end_refresh(scope.code_str(), wave.as_deref(), lang.code());
            });
        }
        return Ok(kept);
    }
    make_profile(st, scope, wave, lang).await
}

/// Makes the profile of a scope afresh and keeps it (see [`profile_of`]).
async fn make_profile(
    st: &AppState,
    scope: Scope,
    wave: Option<String>,
    lang: Lang,
) -> Result<Result<Arc<ProfileData>, String>, ApiError> {
    let key = scope.code_str();
    let generation = st.profiles.generation();
    let req = ProfileRequest {
        scope,
        wave: wave.clone(),
        rules: None,
    };
    let made = match service::profile::build(&st.store, &req, service::today(), lang).await {
        Ok(d) => Ok(Arc::new(d)),
        Err(e) => match ApiError::from_anyhow(e) {
            ApiError::Unavailable { message, .. } => Err(message),
            other => return Err(other),
        },
    };
    st.profiles
        .put(key, wave.as_deref(), lang.code(), generation, made.clone());
    Ok(made)
}

/// Makes the country's and every province's profile (default wave, both languages) when the
/// server starts, so that the first requests to the home page and to a province's page find
/// them made (see `web/cache.rs`).
pub async fn warm(st: AppState) {
    let started = std::time::Instant::now();
    // The shipped boundaries, parsed once here rather than by the first map of each level.
    let _ =
        tokio::task::spawn_blocking(|| wahana_domain::geo::Boundaries::official().coverage()).await;
    let provinces = RegionTree::official().provinces().iter().map(Scope::Region);
    for scope in std::iter::once(Scope::National).chain(provinces) {
        for lang in [Lang::Id, Lang::En] {
            if let Err(e) = make_profile(&st, scope, None, lang).await {
                tracing::warn!(scope = scope.code_str(), error = ?e, "profile not made at start");
                return;
            }
        }
    }
    tracing::info!(
        ms = started.elapsed().as_millis() as u64,
        "profiles of the country and the provinces made"
    );
}

/// A bar chart drawn with HTML and CSS on the pages (the report file keeps its SVG charts):
/// the text stays the page's size on a phone and on a desktop.
pub struct BarChart {
    pub title: &'static str,
    /// What the dark bars and the dashed line mean.
    pub note: &'static str,
    pub bars: Vec<BarView>,
    /// A threshold: its position in percent of the track, and its label.
    pub mark: Option<(String, String)>,
}

pub struct BarView {
    pub label: String,
    /// Width in percent of the track.
    pub width: String,
    pub text: String,
    pub dark: bool,
}

impl BarChart {
    fn new(
        title: &'static str,
        note: &'static str,
        bars: &[report::charts::Bar],
        max: Option<f64>,
        mark: Option<(f64, &str)>,
    ) -> BarChart {
        let max = max
            .unwrap_or_else(|| bars.iter().map(|b| b.value).fold(0.0, f64::max))
            .max(mark.map_or(0.0, |m| m.0))
            .max(1e-9);
        let pct = |v: f64| format!("{:.1}", (v / max * 100.0).clamp(0.0, 100.0));
        BarChart {
            title,
            note,
            bars: bars
                .iter()
                .map(|b| BarView {
                    label: b.label.clone(),
                    width: pct(b.value),
                    text: b.text.clone(),
                    dark: b.dark,
                })
                .collect(),
            mark: mark.map(|(v, label)| (pct(v), label.to_string())),
        }
    }
}

fn share_chart(p: &wahana_domain::profile::Profile<'_>, lang: Lang) -> BarChart {
    let l = |id: &'static str, en: &'static str| lang.pick(id, en).to_string();
    let bar = |label: String, v: f64, dark: bool| report::charts::Bar {
        label,
        value: v,
        text: format_percent(v, lang),
        dark,
    };
    let bars = vec![
        bar(
            l("F1 berumur ≥10 tahun", "F1 aged ≥10 years"),
            p.f1.share_older_10,
            p.f1.holds,
        ),
        bar(
            l("F3 tumbuh dari masyarakat", "F3 grown from the community"),
            p.f3.share_grown_from_community,
            p.f3.holds,
        ),
        bar(
            l("F3 anggota atas domisili", "F3 domicile membership"),
            p.f3.share_domicile,
            p.f3.holds,
        ),
        bar(
            l("F4 ketahanan/kesejahteraan", "F4 resilience/welfare"),
            p.f4.share_resilience_or_welfare,
            p.f4.holds,
        ),
        bar(
            l("F4 dibiayai iuran", "F4 financed by dues"),
            p.f4.share_dues_any,
            p.f4.holds,
        ),
        bar(
            l("F5 nilai kebersamaan", "F5 togetherness values"),
            p.f5.share_any,
            p.f5.holds,
        ),
    ];
    BarChart::new(
        lang.pick(
            "Bagian kelompok yang dihitung tiap temuan",
            "Share of the counted groups, per finding",
        ),
        lang.pick(
            "Batang gelap: temuannya berlaku. Garis putus-putus: ambang 50%.",
            "Dark bars: the finding holds. Dashed line: the 50% threshold.",
        ),
        &bars,
        Some(1.0),
        Some((0.5, "50%")),
    )
}

fn age_chart(p: &wahana_domain::profile::Profile<'_>, lang: Lang) -> BarChart {
    let a = p.f1.age_bands;
    let bar = |label: &str, n: u64, dark: bool| report::charts::Bar {
        label: label.to_string(),
        value: n as f64,
        text: num(n as i64, lang),
        dark,
    };
    BarChart::new(
        lang.pick(
            "F1 — umur kelompok (tahun) pada tanggal pendataan",
            "F1 — age of the groups (years) at their survey date",
        ),
        lang.pick(
            "Batang gelap: berumur 10 tahun atau lebih (dihitung oleh F1).",
            "Dark bars: 10 years or older (counted by F1).",
        ),
        &[
            bar("< 5", a.lt5, false),
            bar("5–9", a.from5_to9, false),
            bar("10–19", a.from10_to19, true),
            bar("20+", a.from20, true),
        ],
        None,
        None,
    )
}

/// What the template shows of a map.
pub struct MapView {
    pub svg: String,
    /// (key, label, chosen)
    pub measures: Vec<(&'static str, &'static str, bool)>,
    pub rows: Vec<report::map::Row>,
    /// Names of the regions drawn as points, joined.
    pub without_boundary: String,
    /// The wave shown, kept by the measure's form.
    pub wave: Option<String>,
}

/// The map of a region's children, coloured by the measure asked for.
async fn region_map(
    st: &AppState,
    region: Option<&'static Region>,
    data: Option<&ProfileData>,
    q: &RegionQuery,
    lang: Lang,
) -> Result<Option<MapView>, crate::service::ServiceError> {
    let measure = q
        .measure
        .as_deref()
        .and_then(Measure::parse)
        .unwrap_or_default();
    let stats = match data {
        Some(d) => report::map::area_stats(d, &d.profile()),
        None => report::map::empty_stats(region),
    };
    if stats.is_empty() {
        return Ok(None);
    }
    let shapes = crate::service::boundaries::children_shapes(&st.store, region).await?;
    let mut query = format!("?measure={}", measure.key());
    if let Some(w) = &q.wave {
        query.push_str(&format!("&wave={}", urlencoding(w)));
    }
    let Some(map) = report::map::region_map(region, &stats, &shapes, measure, Some(&query), lang)
    else {
        return Ok(None);
    };
    Ok(Some(MapView {
        svg: map.svg,
        measures: Measure::ALL
            .iter()
            .map(|m| (m.key(), m.label(lang), *m == measure))
            .collect(),
        rows: map.rows,
        without_boundary: map.without_boundary.join(", "),
        wave: q.wave.clone(),
    }))
}

/// A query value, percent-encoded.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn region_page(
    st: &AppState,
    ctx: &Ctx,
    region: Option<&'static Region>,
    q: RegionQuery,
) -> PageResult {
    let lang = ctx.lang;
    let tree = RegionTree::official();
    let scope = match region {
        Some(r) => Scope::Region(r),
        None => Scope::National,
    };
    let data = profile_of(st, scope, q.wave.clone(), lang)
        .await
        .or_page(ctx)?;
    let mut page = RegionPage {
        ctx,
        code: region.map(|r| r.code.to_string()).unwrap_or_default(),
        title: match region {
            Some(r) if r.level() == Level::Regency => r.name.clone(),
            Some(r) => r.titled(lang),
            None => "Indonesia".to_string(),
        },
        crumbs: region
            .map(|r| {
                r.code
                    .ancestors()
                    .iter()
                    .filter_map(|c| tree.get(c))
                    .map(|a| Crumb {
                        code: a.code.to_string(),
                        name: a.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        is_village: region.is_some_and(|r| r.level() == Level::Village),
        picker: None,
        wave_param: String::new(),
        wave_line: None,
        synthetic: false,
        stats: Vec::new(),
        findings: Vec::new(),
        charts: Vec::new(),
        map: None,
        pdf: st.pdf_browser.is_some(),
        report: format!(
            "/regions/{}/report",
            region
                .map(|r| r.code.to_string())
                .unwrap_or_else(|| "nasional".into())
        ),
        children_heading: match region.map(|r| r.level()) {
            None => ctx.t("Provinsi", "Provinces"),
            Some(Level::Province) => ctx.t("Kabupaten/kota", "Regencies and cities"),
            Some(Level::Regency) => ctx.t("Kecamatan", "Districts"),
            Some(_) => ctx.t("Desa/kelurahan", "Villages"),
        },
        children: Vec::new(),
        no_data: None,
        can_read: false,
        can_add: false,
        can_add_actors: false,
        can_audit: false,
        inbox_pending: None,
        groups: Vec::new(),
        pager: None,
        networks: Vec::new(),
        institutions: Vec::new(),
        units: Vec::new(),
        ties: 0,
        first_run: region.is_none() && users::first_run(&st.store).await.or_page(ctx)?,
    };
    let mut counts: std::collections::HashMap<&str, u64> = std::collections::HashMap::new();
    match &data {
        Err(reason) => page.no_data = Some(reason.clone()),
        Ok(d) => {
            let p = d.profile();
            page.synthetic = d.wave.synthetic;
            let picker = WavePicker::new(
                &d.wave,
                d.wave_by_default,
                &d.waves_holding,
                &match region {
                    Some(r) => format!("/regions/{}", r.code),
                    None => "/".to_string(),
                },
                "",
                lang,
            );
            page.wave_param = picker.param();
            page.picker = Some(picker);
            page.wave_line = Some(format!(
                "{}: {}",
                ctx.t("aturan penyaringan", "screening rules"),
                d.rules.version
            ));
            page.stats = vec![
                (
                    num(p.groups_recorded as i64, lang),
                    ctx.t("kelompok tercatat", "groups recorded").into(),
                ),
                (
                    num(p.groups_qualifying as i64, lang),
                    ctx.t("memenuhi syarat", "qualifying").into(),
                ),
                (
                    format!(
                        "{} / {}",
                        num(p.coverage.villages_with_groups as i64, lang),
                        num(p.coverage.villages_in_region as i64, lang)
                    ),
                    ctx.t("desa/kelurahan terdata", "villages covered").into(),
                ),
                (
                    num(d.actors.networks as i64, lang),
                    ctx.t("wahana (jaringan)", "networks").into(),
                ),
                (
                    num(d.actors.institutions as i64, lang),
                    ctx.t("lembaga pendukung", "institutions").into(),
                ),
                (
                    num(d.actors.ties as i64, lang),
                    ctx.t("ikatan", "ties").into(),
                ),
            ];
            page.findings = p
                .findings()
                .iter()
                .map(|f| FindingView {
                    id: f.id,
                    title: f.title(lang),
                    holds: f.holds,
                    class: f.verdict.class(),
                    badge: f.badge(lang),
                    // The page's banner says "synthetic" once: not after every sentence.
                    sentence: f.sentence_unmarked(lang).to_string(),
                })
                .collect();
            page.charts = vec![share_chart(&p, lang), age_chart(&p, lang)];
            let level = region.map(|r| r.level());
            // A kecamatan's list of villages, with their counts.
            if matches!(level, Some(Level::District)) {
                for v in &p.by_village {
                    counts.insert(v.code, v.recorded);
                }
            }
            if matches!(level, Some(Level::District)) {
                let children = region.map(|r| tree.children(&r.code)).unwrap_or(&[]);
                page.children = children
                    .iter()
                    .map(|c| {
                        let n = counts.get(c.code.as_str()).copied().unwrap_or(0);
                        ChildView {
                            code: c.code.to_string(),
                            name: c.name.clone(),
                            groups: num(n as i64, lang),
                            coverage: if n > 0 { "✓".into() } else { "–".into() },
                        }
                    })
                    .collect();
            } else if !matches!(level, Some(Level::Village)) {
                page.children = report::child_rows(d, &p)
                    .into_iter()
                    .map(|c| ChildView {
                        code: c.code,
                        name: c.name,
                        groups: num(c.recorded as i64, lang),
                        coverage: format!(
                            "{} / {} ({})",
                            num(c.villages_with_groups as i64, lang),
                            num(c.villages_in_region as i64, lang),
                            report::pct_of(c.villages_with_groups, c.villages_in_region, lang)
                        ),
                    })
                    .collect();
            }
        }
    }
    if data.is_err() {
        let children = match region {
            Some(r) => tree.children(&r.code),
            None => tree.provinces(),
        };
        page.children = children
            .iter()
            .map(|c| ChildView {
                code: c.code.to_string(),
                name: c.name.clone(),
                groups: "0".into(),
                coverage: "–".into(),
            })
            .collect();
    }
    page.map = region_map(st, region, data.as_ref().ok().map(|d| &**d), &q, lang)
        .await
        .or_page(ctx)?;
    if let Some(r) = region {
        let caller = ctx.caller();
        page.can_read = caller.reads_records(&r.code) && ctx.user().is_some();
        page.can_audit = page.can_read && caller.check_officer().is_ok();
        page.inbox_pending = super::inbox::pending_in(st, ctx, &r.code).await;
        if r.level() == Level::Village {
            page.can_add = caller.writes(users::Write::CreateGroup, &r.code);
            page.can_add_actors = caller.writes(users::Write::Other, &r.code);
            let units = st.store.local_units(&r.code).await.or_page(ctx)?;
            page.units = units
                .iter()
                .map(|u| format!("{} {}", u.kind.label(lang), u.name))
                .collect();
            // The lists follow the wave shown (none when no wave is held).
            let shown_wave = data.as_ref().ok().map(|d| d.wave.id.clone());
            if page.can_read
                && let Some(wave) = shown_wave
            {
                let offset = q.offset.unwrap_or(0).max(0);
                let filter = GroupFilter {
                    region: Some(r.code.clone()),
                    wave: Some(wave.clone()),
                    ..GroupFilter::default()
                };
                let (list, total) = groups::list(&st.store, &caller, &filter, PAGE, offset)
                    .await
                    .or_page(ctx)?;
                page.groups = list.iter().map(|g| GroupLine::of(g, lang)).collect();
                page.pager = Some(Pager {
                    offset,
                    limit: PAGE,
                    total,
                    base: if page.wave_param.is_empty() {
                        format!("/regions/{}?", r.code)
                    } else {
                        format!("/regions/{}?{}&", r.code, page.wave_param)
                    },
                });
                page.networks =
                    actor_lines::<wahana_domain::Network>(st, ctx, &r.code, &wave, |n| {
                        n.level.label(lang)
                    })
                    .await?;
                page.institutions =
                    actor_lines::<wahana_domain::Institution>(st, ctx, &r.code, &wave, |i| {
                        i.kind.label(lang)
                    })
                    .await?;
                page.ties =
                    actor_service::list_ties(&st.store, &ctx.caller(), &r.code, Some(&wave))
                        .await
                        .or_page(ctx)?
                        .len();
            }
        }
    }
    Ok(render(ctx, &page))
}

/// A region's networks or institutions in a wave, as the region page lists them (`kind`: the
/// label beside each name).
async fn actor_lines<T: actor_service::Actor>(
    st: &AppState,
    ctx: &Ctx,
    region: &wahana_domain::RegionCode,
    wave: &str,
    kind: impl Fn(&T) -> &'static str,
) -> Result<Vec<ActorLine>, crate::web::errors::PageError> {
    Ok(
        actor_service::list::<T>(&st.store, &ctx.caller(), Some(region), Some(wave))
            .await
            .or_page(ctx)?
            .into_iter()
            .map(|s| ActorLine {
                id: s.record.id().to_string(),
                name: s.record.name().to_string(),
                kind: kind(&s.record).to_string(),
            })
            .collect(),
    )
}

pub async fn home(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<RegionQuery>,
) -> PageResult {
    region_page(&st, &ctx, None, q).await
}

pub async fn region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<RegionQuery>,
) -> PageResult {
    let r = resolve(&code, &ctx).or_page(&ctx)?;
    region_page(&st, &ctx, Some(r), q).await
}

#[derive(Debug, Deserialize, Default)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub region: Option<String>,
    /// Where the page of groups starts.
    pub offset: Option<i64>,
    /// Where the page of regions starts.
    pub region_offset: Option<usize>,
}

/// Regions a search page shows at once.
pub const REGION_PAGE: usize = 20;

/// A region found by name, with the area it lies in ("Kec. Tanete Riattang, Kab. Bone").
pub struct RegionHit {
    pub code: String,
    pub name: String,
    pub parent: String,
}

/// Where the regions of a search page are in the whole list, and the links to the pages
/// before and after.
pub struct RegionPages {
    pub first: usize,
    pub last: usize,
    pub total: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage<'a> {
    pub ctx: &'a Ctx,
    pub q: String,
    pub regions: Vec<RegionHit>,
    pub region_pages: Option<RegionPages>,
    pub groups: Vec<GroupLine>,
    pub pager: Option<Pager>,
    pub signed_in: bool,
}

/// Searches region names (for everyone) and group names (within what the person may read).
pub async fn search(
    State(st): State<AppState>,
    ctx: Ctx,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let text = q.q.clone().unwrap_or_default().trim().to_string();
    let mut page = SearchPage {
        ctx: &ctx,
        q: text.clone(),
        regions: Vec::new(),
        region_pages: None,
        groups: Vec::new(),
        pager: None,
        signed_in: ctx.user.is_some(),
    };
    if !text.is_empty() {
        let tree = RegionTree::official();
        let region_offset = q.region_offset.unwrap_or(0);
        let found = tree.search_names(&text, region_offset, REGION_PAGE);
        page.regions = found
            .regions
            .iter()
            .map(|r| RegionHit {
                code: r.code.to_string(),
                name: r.titled(ctx.lang),
                parent: tree.parent_area(r).unwrap_or_default(),
            })
            .collect();
        if found.total > 0 {
            let link = |at: usize| {
                format!(
                    "/search?q={}{}&region_offset={at}",
                    pct(&text),
                    q.region
                        .as_deref()
                        .map(|r| format!("&region={}", pct(r)))
                        .unwrap_or_default()
                )
            };
            let last = region_offset.saturating_add(page.regions.len());
            page.region_pages = Some(RegionPages {
                first: if page.regions.is_empty() {
                    0
                } else {
                    region_offset + 1
                },
                last,
                total: found.total,
                prev: (region_offset > 0).then(|| link(region_offset.saturating_sub(REGION_PAGE))),
                next: (last < found.total).then(|| link(last)),
            });
        }
        if ctx.user().is_some() {
            // A person sees the groups of their own subtree (an admin, all of them): the
            // use case holds a search without a region to the caller's own.
            let scope = match &q.region {
                Some(r) => Some(resolve(r, &ctx).or_page(&ctx)?.code.clone()),
                None => None,
            };
            let offset = q.offset.unwrap_or(0).max(0);
            let filter = GroupFilter {
                region: scope.clone(),
                name: Some(text.clone()),
                ..GroupFilter::default()
            };
            let (list, total) = groups::list(&st.store, &ctx.caller(), &filter, PAGE, offset)
                .await
                .or_page(&ctx)?;
            page.groups = list.iter().map(|g| GroupLine::of(g, ctx.lang)).collect();
            page.pager = Some(Pager {
                offset,
                limit: PAGE,
                total,
                base: format!(
                    "/search?q={}{}&",
                    pct(&text),
                    scope.map(|s| format!("&region={s}")).unwrap_or_default()
                ),
            });
        }
    }
    Ok(render(&ctx, &page))
}

#[derive(Debug, Deserialize, Default)]
pub struct ReportQuery {
    pub wave: Option<String>,
    pub format: Option<String>,
    /// An earlier wave: the report gains the section "Perubahan sejak …" (what changed since).
    pub compare_with: Option<String>,
}

/// The page a PDF link leads to: it says the PDF is being prepared and asks for it at once
/// (`<meta http-equiv="refresh">`, no script: the pages allow none), so the person sees that
/// something is happening while Chromium prints; the browser keeps this page shown and saves
/// the PDF when it comes, or shows the refusal's page in the person's language (503
/// `pdf_busy` when every printer is in use).
pub async fn report_pdf(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let scope = if matches!(code.as_str(), "nasional" | "national" | "indonesia") {
        None
    } else {
        Some(resolve(&code, &ctx).or_page(&ctx)?)
    };
    let mut query = format!("format=pdf&lang={}", ctx.lang.code());
    if let Some(w) = q.wave.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        query.push_str(&format!("&wave={}", pct(w)));
    }
    if let Some(c) = q
        .compare_with
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        query.push_str(&format!("&compare_with={}", pct(c)));
    }
    let page = PdfWaitPage {
        ctx: &ctx,
        region: scope.map_or("Indonesia", |r| r.name.as_str()),
        back: format!(
            "/regions/{}",
            scope.map_or("nasional".to_string(), |r| r.code.to_string())
        ),
        pdf: format!(
            "/regions/{}/report?{query}",
            scope.map_or("nasional".to_string(), |r| r.code.to_string())
        ),
        available: st.pdf_browser.is_some(),
    };
    Ok(Html(page.render().map_err(ApiError::from).or_page(&ctx)?).into_response())
}

#[derive(Template)]
#[template(path = "report_pdf.html")]
struct PdfWaitPage<'a> {
    ctx: &'a Ctx,
    region: &'a str,
    /// The region's page.
    back: String,
    /// The PDF itself.
    pdf: String,
    /// The server has a browser to print with.
    available: bool,
}

/// The profile report (the profile issue's HTML report), as a page or a download.
pub async fn report(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<ReportQuery>,
) -> PageResult {
    let scope = if matches!(code.as_str(), "nasional" | "national" | "indonesia") {
        Scope::National
    } else {
        Scope::Region(resolve(&code, &ctx).or_page(&ctx)?)
    };
    let data = match profile_of(&st, scope, q.wave, ctx.lang)
        .await
        .or_page(&ctx)?
    {
        Ok(d) => d,
        Err(message) => {
            return Err(crate::web::errors::PageError(
                ApiError::Unavailable {
                    code: wahana_domain::ErrorCode::NoData,
                    message,
                },
                ctx.clone(),
            ));
        }
    };
    let p = data.profile();
    // What changed since an earlier wave, ending with the report's wave; its groups listed for
    // those who may read the region's records.
    let change = match q.compare_with.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(earlier) => {
            let Scope::Region(region) = scope else {
                return Err(crate::web::errors::PageError(
                    ApiError::from_compare(service::compare::CompareError::NotARegion, ctx.lang),
                    ctx.clone(),
                ));
            };
            let req = service::compare::CompareRequest {
                region,
                from: earlier.to_string(),
                to: data.wave.id.clone(),
                rules: None,
            };
            let d = service::compare::build(&st.store, &req, service::today(), ctx.lang)
                .await
                .map_err(|e| ApiError::from_compare(e, ctx.lang))
                .or_page(&ctx)?;
            Some((d, service::compare::records_for(ctx.user(), region)))
        }
    };
    let change = change.as_ref().map(|(d, records)| (d, *records));
    // `profil-wksbm_kab-bone_pendataan-2007`: the region and the wave.
    let name = report::file_stem(&data);
    let setting = |nav| report::html::Setting {
        lang: ctx.lang,
        head: &st.report_head,
        nav,
    };
    // The network section, for the HTML, PDF and XLSX forms; anonymous for those who may not
    // read the region's records.
    let network = if matches!(
        q.format.as_deref(),
        None | Some("" | "html" | "pdf" | "xlsx")
    ) {
        let public = match scope.code() {
            Some(c) => !users::can_read_records(ctx.user(), c),
            None => !matches!(ctx.user(), Some(u) if u.role == Role::Admin),
        };
        service::network::report_section(
            &st.store,
            scope,
            Some(data.wave.id.clone()),
            p.groups_recorded,
            ctx.lang,
            public,
        )
        .await
        .map_err(ApiError::from)
        .or_page(&ctx)?
    } else {
        service::network::ReportNetwork::Omitted
    };
    // The map of the region's children, for the same forms.
    let map = if matches!(
        q.format.as_deref(),
        None | Some("" | "html" | "pdf" | "xlsx")
    ) {
        let region = match scope {
            Scope::National => None,
            Scope::Region(r) => Some(r),
        };
        let shapes = service::boundaries::children_shapes(&st.store, region)
            .await
            .map_err(ApiError::from)
            .or_page(&ctx)?;
        report::map::report_map(&data, &p, &shapes, ctx.lang)
    } else {
        None
    };
    let map = map.as_ref();
    match q.format.as_deref() {
        None | Some("") => {
            let path = format!(
                "/regions/{}/report",
                scope
                    .code()
                    .map_or("nasional".to_string(), |c| c.to_string())
            );
            // Switching the wave keeps the comparison asked for.
            let keep = match q.compare_with.as_deref().map(str::trim) {
                None | Some("") => String::new(),
                Some(c) => format!("compare_with={}&", pct(c)),
            };
            let block = PickerBlock {
                ctx: &ctx,
                picker: Some(WavePicker::new(
                    &data.wave,
                    data.wave_by_default,
                    &data.waves_holding,
                    &path,
                    &keep,
                    ctx.lang,
                )),
            };
            let nav = block.render().map_err(ApiError::from).or_page(&ctx)?;
            // The report in the other language is another rendering of it, not a second line
            // under every sentence: a link switches (hidden when printed, like the picker).
            let (other, label) = match ctx.lang {
                Lang::Id => ("en", "English"),
                Lang::En => ("id", "Bahasa Indonesia"),
            };
            let nav = format!(
                "{nav}<nav class=\"wave-picker\"><p>{}: <a id=\"report-lang\" href=\"{}\" hreflang=\"{other}\">{label}</a></p></nav>",
                ctx.t(
                    "Laporan ini dalam bahasa lain",
                    "This report in the other language"
                ),
                wahana_domain::xml::Xml(&ctx.lang_link(other))
            );
            let html = report::html::render(&data, &p, setting(&nav), &network, map, change)
                .map_err(ApiError::from)
                .or_page(&ctx)?;
            Ok(Html(html).into_response())
        }
        Some("html") => Ok((
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}.html\""),
                ),
            ],
            report::html::render(&data, &p, setting(""), &network, map, change)
                .map_err(ApiError::from)
                .or_page(&ctx)?,
        )
            .into_response()),
        Some("xlsx") => {
            let bytes = report::xlsx::render(&data, &p, ctx.lang, &network, map, change)
                .map_err(|e| ApiError::Internal(format!("{e:#}")))
                .or_page(&ctx)?;
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
        Some("pdf") => {
            // Anyone may ask for a PDF, and each one is a Chromium: a few at a time.
            let turn = match &st.pdf_browser {
                Some(_) => match st.pdf_printers.turn().await {
                    Some(turn) => Some(turn),
                    None => {
                        tracing::warn!(region = %code, "PDF refused: every printer busy");
                        return Err(crate::web::errors::PageError(
                            ApiError::Busy {
                                code: wahana_domain::ErrorCode::PdfBusy,
                                retry_after_secs: crate::web::pdf::PDF_RETRY_AFTER_SECS,
                            },
                            ctx.clone(),
                        ));
                    }
                },
                None => None,
            };
            let html = report::html::render(&data, &p, setting(""), &network, map, change)
                .map_err(ApiError::from)
                .or_page(&ctx)?;
            let printed = match &st.pdf_browser {
                Some(browser) => crate::web::pdf::print_pdf(browser, &html).await.ok_or(ctx.t(
                    "Chromium di server gagal mencetak laporan ke PDF; unduh HTML lalu cetak dari peramban",
                    "Chromium on the server could not print the report to PDF; download the HTML and print it from a browser",
                )),
                None => Err(ctx.t(
                    "PDF memerlukan Chromium di server, dan server ini tidak memilikinya; unduh HTML lalu cetak dari peramban",
                    "PDF needs Chromium on the server, and this server has none; download the HTML and print it from a browser",
                )),
            };
            drop(turn);
            match printed {
                Ok(pdf) => Ok((
                    [
                        (header::CONTENT_TYPE, "application/pdf".to_string()),
                        (
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{name}.pdf\""),
                        ),
                    ],
                    pdf,
                )
                    .into_response()),
                Err(message) => Err(crate::web::errors::PageError(
                    ApiError::Unavailable {
                        code: wahana_domain::ErrorCode::PdfUnavailable,
                        message: message.to_string(),
                    },
                    ctx.clone(),
                )),
            }
        }
        Some(other) => Err(crate::web::errors::PageError(
            ApiError::Invalid(vec![wahana_domain::FieldError::new(
                "format",
                other,
                "html, xlsx atau pdf",
                "html, xlsx or pdf",
            )]),
            ctx.clone(),
        )),
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ScreeningQuery {
    pub wave: Option<String>,
    pub outcome: Option<String>,
    pub offset: Option<i64>,
}

#[derive(Template)]
#[template(path = "screening.html")]
pub struct ScreeningPage<'a> {
    pub ctx: &'a Ctx,
    pub code: String,
    pub title: String,
    pub report: screening::ScreenReport,
    pub show_groups: bool,
    pub pager: Option<Pager>,
    pub picker: Option<WavePicker>,
    /// The wave chosen, kept by the outcome filter (empty for the default).
    pub wave_chosen: String,
    pub outcome: String,
}

/// The screening of a region: criteria, the summary of outcomes, and (for those who may read
/// records) each group with its reasons.
pub async fn screening(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<ScreeningQuery>,
) -> PageResult {
    let r = resolve(&code, &ctx).or_page(&ctx)?;
    let show_groups = users::can_read_records(ctx.user(), &r.code);
    let offset = q.offset.unwrap_or(0).max(0);
    let outcome = match q.outcome.as_deref().filter(|o| !o.is_empty()) {
        None => None,
        Some(o) => Some(
            parse_outcome(o)
                .ok_or_else(|| {
                    ApiError::Invalid(vec![wahana_domain::FieldError::new(
                        "outcome",
                        o,
                        "memenuhi, tidak_memenuhi atau belum_lengkap",
                        "qualifies, does_not_qualify or incomplete",
                    )])
                })
                .or_page(&ctx)?,
        ),
    };
    let req = screening::ScreenRequest {
        scope: Scope::Region(r),
        wave: q.wave.clone(),
        rules: None,
        rebuild: false,
        outcome,
        limit: if show_groups { PAGE as usize } else { 0 },
        offset: offset as usize,
    };
    let report = screening::screen(&st.store, &req, ctx.lang)
        .await
        .map_err(ApiError::from_anyhow)
        .or_page(&ctx)?;
    let outcome_code = outcome.map(|o| o.code()).unwrap_or_default();
    let keep = if outcome_code.is_empty() {
        String::new()
    } else {
        format!("outcome={outcome_code}&")
    };
    let path = format!("/regions/{}/screening", r.code);
    let picker = report
        .shown
        .as_ref()
        .map(|shown| WavePicker::of(shown, &path, &keep, ctx.lang));
    let wave_param = picker.as_ref().map(WavePicker::param).unwrap_or_default();
    let pager = show_groups.then(|| Pager {
        offset,
        limit: PAGE,
        total: report.listed_total as i64,
        base: format!(
            "{path}?{keep}{}",
            if wave_param.is_empty() {
                String::new()
            } else {
                format!("{wave_param}&")
            }
        ),
    });
    let page = ScreeningPage {
        ctx: &ctx,
        code: r.code.to_string(),
        title: r.titled(ctx.lang),
        report,
        show_groups,
        pager,
        wave_chosen: picker
            .as_ref()
            .filter(|p| !p.by_default)
            .map(|p| p.id.clone())
            .unwrap_or_default(),
        picker,
        outcome: outcome_code.to_string(),
    };
    Ok(render(&ctx, &page))
}

/// An outcome by its wire code.
pub fn parse_outcome(s: &str) -> Option<wahana_domain::screening::Outcome> {
    <wahana_domain::screening::Outcome as Code>::from_code(s)
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage<'a> {
    pub ctx: &'a Ctx,
    pub code: String,
    pub title: String,
    pub entries: Vec<AuditEntry>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// A region's audit trail, for officers and admins of the region.
pub async fn audit(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<RegionQuery>,
) -> PageResult {
    let r = resolve(&code, &ctx).or_page(&ctx)?;
    let offset = q.offset.unwrap_or(0).max(0);
    let entries =
        crate::service::audit::region_trail(&st.store, &ctx.caller(), &r.code, PAGE + 1, offset)
            .await
            .or_page(&ctx)?;
    let more = entries.len() as i64 > PAGE;
    let page = AuditPage {
        ctx: &ctx,
        code: r.code.to_string(),
        title: r.titled(ctx.lang),
        entries: entries.into_iter().take(PAGE as usize).collect(),
        prev: (offset > 0).then(|| {
            format!(
                "/regions/{}/audit?offset={}",
                r.code,
                (offset - PAGE).max(0)
            )
        }),
        next: more.then(|| format!("/regions/{}/audit?offset={}", r.code, offset + PAGE)),
    };
    Ok(render(&ctx, &page))
}
