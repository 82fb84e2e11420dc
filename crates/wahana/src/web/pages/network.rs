//! The network page of a region (a village, a kecamatan or larger) or of one WKSBM network in
//! it: the measures, the picture laid out on the server, and the brokers; with downloads of the
//! picture (SVG), the measures (JSON) and the graph (GraphML, for those who may read records).
//!
//! Those who may not read the region's records (anonymous visitors, readers elsewhere) see the
//! same numbers and picture with every actor named only by its kind and a number.

use super::waves::WavePicker;
use super::{num, render};
use crate::service::network::{self as net, DETAIL_LIMIT, ScopeRequest};
use crate::service::screening::Scope;
use crate::service::users;
use crate::web::errors::{ApiError, OrRender, PageResult};
use crate::web::{AppState, Ctx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;
use wahana_domain::{Lang, Level, RegionTree};

/// Above this many groups a scope's network is not built for a web request (it would take the
/// server seconds and hundreds of MiB); the page says so and points to its parts and the CLI.
pub const WEB_GROUP_LIMIT: u64 = DETAIL_LIMIT as u64;

#[derive(Debug, Deserialize, Default)]
pub struct NetworkQuery {
    pub wave: Option<String>,
    /// One WKSBM network's own graph.
    pub network: Option<String>,
    /// `svg`, `json` or `graphml` for a download; the page when absent.
    pub format: Option<String>,
    /// `peta`: the actors placed at their villages (or kecamatan) on the region's map.
    pub layout: Option<String>,
}

#[derive(Template)]
#[template(path = "network.html")]
pub struct NetworkPage<'a> {
    pub ctx: &'a Ctx,
    pub code: String,
    pub title: String,
    pub crumbs: Vec<(String, String)>,
    /// The query string for downloads (`?network=…&wave=…&`).
    pub query: String,
    pub network: Option<String>,
    pub public: bool,
    pub too_large: Option<String>,
    pub stats: Vec<(String, String)>,
    pub svg: String,
    pub brokers: Vec<(String, String, String, String)>,
    pub betweenness_note: Option<String>,
    /// Which wave the network is of, and the other waves of the region.
    pub picker: Option<WavePicker>,
    /// The region's children have shapes: the map layout is offered (`Some(chosen)`).
    pub on_map: Option<bool>,
}

fn dec(x: f64, lang: Lang) -> String {
    let s = format!("{x:.4}");
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

fn pct(x: f64, lang: Lang) -> String {
    let s = format!("{:.1}%", 100.0 * x);
    match lang {
        Lang::Id => s.replace('.', ","),
        Lang::En => s,
    }
}

/// The link of an actor's page by the kind its id names.
fn actor_link(kind: &str, id: &str) -> String {
    match kind {
        "lembaga" => format!("/institutions/{id}"),
        "wahana" => format!("/networks/{id}"),
        _ => format!("/groups/{id}"),
    }
}

/// The scope a path names (`nasional` for the whole country), and whether its network is shown
/// in public form (actors named by kind and number): for everyone who may not read its records.
pub fn scope_and_public(code: &str, ctx: &Ctx) -> Result<(Scope, bool), ApiError> {
    let scope = if matches!(code, "nasional" | "national" | "indonesia") {
        Scope::National
    } else {
        Scope::Region(
            RegionTree::official()
                .resolve(code)
                .map_err(|_| ApiError::NotFound {
                    kind: ctx.t("wilayah", "region"),
                    id: code.to_string(),
                })?,
        )
    };
    let public = match scope.code() {
        Some(c) => !users::can_read_records(ctx.user(), c),
        None => !matches!(ctx.user(), Some(u) if u.role == users::Role::Admin),
    };
    Ok((scope, public))
}

/// Why a scope's network is not built for a web request (more than [`WEB_GROUP_LIMIT`]
/// recorded groups, from the kept profile tallies), or `None` when it is.
pub async fn too_large(
    st: &AppState,
    scope: Scope,
    wave: Option<String>,
    lang: Lang,
) -> Result<Option<String>, ApiError> {
    let groups = match super::regions::profile_of(st, scope, wave, lang).await? {
        Ok(d) => d.profile().groups_recorded,
        Err(_) => 0,
    };
    if groups <= WEB_GROUP_LIMIT {
        return Ok(None);
    }
    let code = scope
        .code()
        .map_or("nasional".to_string(), |c| c.to_string());
    Ok(Some(match lang {
        Lang::Id => format!(
            "Wilayah ini mencatat {} kelompok; jejaring di atas {} kelompok tidak dihitung di halaman web. Buka salah satu wilayah di bawahnya, atau jalankan: wahana network --region {code}",
            num(groups as i64, lang),
            num(WEB_GROUP_LIMIT as i64, lang)
        ),
        Lang::En => format!(
            "This region records {} groups; networks above {} groups are not measured for a web page. Open one of the regions below it, or run: wahana network --region {code}",
            num(groups as i64, lang),
            num(WEB_GROUP_LIMIT as i64, lang)
        ),
    }))
}

/// `GET /regions/{code}/network`: the page, or a download with `format`.
pub async fn network(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NetworkQuery>,
) -> PageResult {
    let lang = ctx.lang;
    let tree = RegionTree::official();
    let (scope, public) = scope_and_public(&code, &ctx).or_page(&ctx)?;
    let network = q.network.clone().filter(|n| !n.trim().is_empty());
    // Which network it is, is itself a record: only for those who may read them.
    if network.is_some() && public {
        return Err(crate::web::errors::PageError(
            ApiError::Forbidden { writes_in: None },
            ctx.clone(),
        ));
    }
    // One wave: the one named, else the region's default (never every wave mixed).
    let shown = crate::service::waves::shown(&st.store, scope.code(), q.wave.as_deref())
        .await
        .or_page(&ctx)?;
    let wave = shown.as_ref().map(|s| s.wave.id.clone());
    let code_str = match scope {
        Scope::National => "nasional".to_string(),
        Scope::Region(r) => r.code.to_string(),
    };
    let title = match scope {
        Scope::National => "Indonesia".to_string(),
        Scope::Region(r) if r.level() == Level::Regency => r.name.clone(),
        Scope::Region(r) => r.titled(lang),
    };
    let crumbs = match scope {
        Scope::National => Vec::new(),
        Scope::Region(r) => r
            .code
            .ancestors()
            .iter()
            .filter_map(|c| tree.get(c))
            .chain(std::iter::once(r))
            .map(|a| (a.code.to_string(), a.name.clone()))
            .collect(),
    };
    let mut query = String::from("?");
    for (k, v) in [("network", &network), ("wave", &wave)] {
        if let Some(v) = v {
            query.push_str(&format!("{k}={}&", url_escape(v)));
        }
    }
    let keep = network
        .as_ref()
        .map(|n| format!("network={}&", url_escape(n)))
        .unwrap_or_default();
    let picker = shown
        .as_ref()
        .map(|s| WavePicker::of(s, &format!("/regions/{code_str}/network"), &keep, ctx.lang));
    let mut page = NetworkPage {
        picker,
        ctx: &ctx,
        code: code_str.clone(),
        title,
        crumbs,
        query,
        network: network.clone(),
        public,
        too_large: None,
        stats: Vec::new(),
        svg: String::new(),
        brokers: Vec::new(),
        betweenness_note: None,
        on_map: None,
    };

    page.too_large = too_large(&st, scope, wave.clone(), lang)
        .await
        .or_page(&ctx)?
        .filter(|_| network.is_none());
    if page.too_large.is_some() {
        if q.format.is_some() {
            return Err(crate::web::errors::PageError(
                ApiError::Unavailable {
                    code: wahana_domain::ErrorCode::ScopeTooLarge,
                    message: page.too_large.unwrap_or_default(),
                },
                ctx.clone(),
            ));
        }
        return Ok(render(&ctx, &page));
    }

    let req = ScopeRequest {
        scope,
        network,
        wave,
    };
    let file = format!(
        "jejaring-{}{}",
        code_str.replace('.', ""),
        req.network
            .as_ref()
            .map_or(String::new(), |n| format!("-{n}"))
    );
    if q.format.as_deref() == Some("graphml") {
        if public {
            return Err(crate::web::errors::PageError(
                ApiError::Forbidden { writes_in: None },
                ctx.clone(),
            ));
        }
        let (sg, m) = net::measure_scope(&st.store, &req, false)
            .await
            .map_err(ApiError::from)
            .or_page(&ctx)?;
        let xml = net::graphml(&sg, &m)
            .map_err(ApiError::from)
            .or_page(&ctx)?;
        return Ok((
            [
                (header::CONTENT_TYPE, "application/graphml+xml".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{file}.graphml\""),
                ),
            ],
            xml,
        )
            .into_response());
    }
    // On the map: a kecamatan's villages or a kabupaten's kecamatan (one network's own graph
    // and the larger scopes keep the force-directed drawing).
    let mappable = match scope {
        Scope::Region(r) if req.network.is_none() => {
            matches!(r.level(), Level::District | Level::Regency)
        }
        _ => false,
    };
    let on_map = mappable && q.layout.as_deref() == Some("peta");
    let drawing = if on_map {
        let region = match scope {
            Scope::Region(r) => Some(r),
            Scope::National => None,
        };
        let shapes = crate::service::boundaries::children_shapes(&st.store, region)
            .await
            .map_err(ApiError::from)
            .or_page(&ctx)?;
        net::svg_on_map(&st.store, &req, shapes, lang, public).await
    } else {
        net::svg_for_scope(&st.store, &req, lang, public).await
    }
    .map_err(ApiError::from)
    .or_page(&ctx)?;
    page.on_map = mappable.then_some(on_map);
    match q.format.as_deref() {
        None | Some("") => {}
        Some("svg") => {
            return Ok((
                [
                    (header::CONTENT_TYPE, "image/svg+xml".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{file}.svg\""),
                    ),
                ],
                drawing.svg,
            )
                .into_response());
        }
        Some("json") => {
            return Ok((
                [
                    (header::CONTENT_TYPE, "application/json".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{file}.json\""),
                    ),
                ],
                serde_json::to_string_pretty(&drawing.measures).unwrap_or_default(),
            )
                .into_response());
        }
        Some(other) => {
            return Err(crate::web::errors::PageError(
                ApiError::Invalid(vec![wahana_domain::FieldError::new(
                    "format",
                    other,
                    "svg, json atau graphml",
                    "svg, json or graphml",
                )]),
                ctx.clone(),
            ));
        }
    }
    let m = &drawing.measures;
    let r = &m.measures;
    page.stats = vec![
        (
            num(r.nodes as i64, lang),
            format!(
                "{} ({} {}, {} {}, {} {})",
                ctx.t("pelaku", "actors"),
                num(r.groups as i64, lang),
                ctx.t("kelompok", "groups"),
                num(r.institutions as i64, lang),
                ctx.t("lembaga", "institutions"),
                num(r.networks as i64, lang),
                ctx.t("wahana", "networks"),
            ),
        ),
        (num(r.ties as i64, lang), ctx.t("ikatan", "ties").into()),
        (dec(r.density, lang), ctx.t("kepadatan", "density").into()),
        (
            format!(
                "{} ({} {})",
                num(r.components as i64, lang),
                ctx.t("terbesar", "largest"),
                num(r.largest_component as i64, lang)
            ),
            ctx.t("komponen terhubung", "connected components").into(),
        ),
        (
            num(r.isolates as i64, lang),
            ctx.t("kelompok tanpa ikatan", "groups without ties").into(),
        ),
        (
            format!("{} / {}", dec(r.degree_mean, lang), r.degree_max),
            ctx.t("derajat rata-rata / maksimum", "degree mean / max")
                .into(),
        ),
        (
            pct(r.share_tied_to_institution, lang),
            ctx.t(
                "kelompok terikat ke lembaga",
                "groups tied to an institution",
            )
            .into(),
        ),
        (
            num(r.cross_village_ties as i64, lang),
            ctx.t("ikatan lintas desa/kelurahan", "ties across villages")
                .into(),
        ),
        (
            num(r.co_membership_ties as i64, lang),
            ctx.t("ikatan anggota bersama", "co-membership ties").into(),
        ),
        (
            num(m.implied_membership_ties as i64, lang),
            ctx.t(
                "ikatan dari kolom wahana kelompok",
                "ties from groups' network column",
            )
            .into(),
        ),
    ];
    if !m.betweenness_computed {
        page.betweenness_note = Some(
            ctx.t(
                "Keperantaraan (seberapa sering sebuah pelaku menjadi perantara) tidak dihitung untuk jejaring sebesar ini.",
                "Betweenness is not computed for a network this large.",
            )
            .to_string(),
        );
    }
    let kind_of = |id: &str| {
        r.per_node
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.kind.code().to_string())
            .unwrap_or_default()
    };
    page.brokers = r
        .top_brokers
        .iter()
        .map(|b| {
            let kind = kind_of(&b.id);
            (
                if public {
                    String::new()
                } else {
                    actor_link(&kind, &b.id)
                },
                b.name.clone(),
                b.id.clone(),
                dec(b.betweenness, lang),
            )
        })
        .collect();
    page.svg = drawing.svg;
    Ok(render(&ctx, &page))
}

/// What [`url_escape`] leaves as it is: unreserved characters.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Escapes a query-string value.
fn url_escape(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}
