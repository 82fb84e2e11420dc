//! Regions, waves, profiles, screening, and a region's networks, institutions and ties.

use super::bad_query;
use crate::report;
use crate::service::profile::ProfileJson;
use crate::service::regions as region_service;
use crate::service::screening::{self, Scope};
use crate::service::users;
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::pages::regions::{PAGE, parse_outcome, profile_of};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use wahana_domain::{Region, RegionTree};

fn resolve(code: &str) -> Result<&'static Region, ApiError> {
    RegionTree::official()
        .resolve(code)
        .map_err(|_| ApiError::NotFound {
            kind: "region",
            id: code.to_string(),
        })
}

fn scope_of(code: &str) -> Result<Scope, ApiError> {
    if matches!(code, "nasional" | "national" | "indonesia") {
        Ok(Scope::National)
    } else {
        resolve(code).map(Scope::Region)
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct WaveQuery {
    pub wave: Option<String>,
}

pub async fn provinces(
    State(st): State<AppState>,
    ctx: Ctx,
    q: Result<Query<WaveQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<region_service::RegionLine>>> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    let lines = region_service::provinces(&st.store, q.wave.as_deref())
        .await
        .map_err(ApiError::from_anyhow)
        .or_api(ctx.lang)?;
    Ok(Json(lines))
}

pub async fn region(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<WaveQuery>, QueryRejection>,
) -> ApiResult<Json<region_service::RegionOverview>> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    let r = resolve(&code).or_api(ctx.lang)?;
    let o = region_service::overview(&st.store, r, q.wave.as_deref())
        .await
        .map_err(ApiError::from_anyhow)
        .or_api(ctx.lang)?;
    Ok(Json(o))
}

/// The same JSON object as `wahana profile --format json`.
pub async fn profile(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<WaveQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    let scope = scope_of(&code).or_api(ctx.lang)?;
    let data = match profile_of(&st, scope, q.wave, ctx.lang)
        .await
        .or_api(ctx.lang)?
    {
        Ok(d) => d,
        Err(message) => {
            return Err(ApiError::Unavailable {
                code: wahana_domain::ErrorCode::NoData,
                message,
            })
            .or_api(ctx.lang);
        }
    };
    let p = data.profile();
    let body = ProfileJson {
        profile: &p,
        actors: data.actors,
    };
    Ok(Json(body).into_response())
}

#[derive(Debug, Deserialize, Default)]
pub struct ScreeningQuery {
    pub wave: Option<String>,
    pub outcome: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

pub async fn screening(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<ScreeningQuery>, QueryRejection>,
) -> ApiResult<Json<screening::ScreenReport>> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    let r = resolve(&code).or_api(ctx.lang)?;
    let outcome = match q.outcome.as_deref().filter(|o| !o.is_empty()) {
        None => None,
        Some(o) => Some(
            parse_outcome(o)
                .ok_or_else(|| {
                    ApiError::Invalid(vec![wahana_domain::FieldError::new(
                        "outcome",
                        o,
                        "memenuhi, tidak_memenuhi atau belum_lengkap",
                        "memenuhi, tidak_memenuhi or belum_lengkap",
                    )])
                })
                .or_api(ctx.lang)?,
        ),
    };
    // Only those who may read the region's records get the list of groups.
    let limit = if users::can_read_records(ctx.user(), &r.code) {
        q.limit.unwrap_or(PAGE as u32).min(500) as usize
    } else {
        0
    };
    let req = screening::ScreenRequest {
        scope: Scope::Region(r),
        wave: q.wave,
        rules: None,
        rebuild: false,
        outcome,
        limit,
        offset: q.offset.unwrap_or(0) as usize,
    };
    let report = screening::screen(&st.store, &req, ctx.lang)
        .await
        .map_err(ApiError::from_anyhow)
        .or_api(ctx.lang)?;
    Ok(Json(report))
}

#[derive(Debug, Serialize)]
pub struct NetworkJson {
    pub id: String,
    pub wave_id: String,
    pub village: String,
    pub local_unit: Option<String>,
    pub level: &'static str,
    pub name: String,
    pub founded_year: Option<i32>,
    pub chair: Option<String>,
    pub secretary: Option<String>,
    pub treasurer: Option<String>,
    pub phone: Option<String>,
    pub decree_number: Option<String>,
    pub decree_date: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct InstitutionJson {
    pub id: String,
    pub wave_id: String,
    pub region: String,
    pub kind: &'static str,
    pub name: String,
    pub address: Option<String>,
    pub contact: Option<String>,
    pub phone: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub notes: Option<String>,
}

/// How a network or an institution is listed in the API (`NetworkJson`, `InstitutionJson`):
/// what differs between the two region lists, which are otherwise one handler.
pub trait ActorJson: crate::service::actors::Actor {
    type Json: Serialize;
    fn json(self, wave_id: String) -> Self::Json;
}

impl ActorJson for wahana_domain::Network {
    type Json = NetworkJson;
    fn json(self, wave_id: String) -> NetworkJson {
        use wahana_domain::Code;
        NetworkJson {
            id: self.id,
            wave_id,
            village: self.village.to_string(),
            local_unit: self.local_unit,
            level: self.level.code(),
            name: self.name,
            founded_year: self.founded_year,
            chair: self.chair,
            secretary: self.secretary,
            treasurer: self.treasurer,
            phone: self.phone,
            decree_number: self.decree_number,
            decree_date: self.decree_date.map(|d| d.to_string()),
            notes: self.notes,
        }
    }
}

impl ActorJson for wahana_domain::Institution {
    type Json = InstitutionJson;
    fn json(self, wave_id: String) -> InstitutionJson {
        use wahana_domain::Code;
        InstitutionJson {
            id: self.id,
            wave_id,
            region: self.region.to_string(),
            kind: self.kind.code(),
            name: self.name,
            address: self.address,
            contact: self.contact,
            phone: self.phone,
            latitude: self.latitude,
            longitude: self.longitude,
            notes: self.notes,
        }
    }
}

/// The networks (`/networks`) or institutions (`/institutions`) of a region, at most 5,000,
/// for those who may read its records; personal fields blanked by the use case for those who
/// may not see them.
pub async fn actors<T: ActorJson>(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<T::Json>>> {
    let r = resolve(&code).or_api(ctx.lang)?;
    let list = crate::service::actors::list::<T>(&st.store, &ctx.api_caller(), Some(&r.code), None)
        .await
        .or_api(ctx.lang)?;
    Ok(Json(
        list.into_iter()
            .take(5000)
            .map(|s| s.record.json(s.wave_id))
            .collect(),
    ))
}

#[derive(Debug, Serialize)]
pub struct TieJson {
    pub id: i64,
    pub wave_id: String,
    pub from: String,
    pub from_kind: &'static str,
    pub to: String,
    pub to_kind: &'static str,
    pub tie_type: &'static str,
    pub since: Option<i32>,
    pub notes: Option<String>,
}

impl TieJson {
    pub fn of(t: wahana_store::TieRecord) -> TieJson {
        use wahana_domain::Code;
        TieJson {
            id: t.id,
            wave_id: t.wave_id,
            from: t.tie.from,
            from_kind: t.from_kind.code(),
            to: t.tie.to,
            to_kind: t.to_kind.code(),
            tie_type: t.tie.tie_type.code(),
            since: t.tie.since,
            notes: t.tie.notes,
        }
    }
}

pub async fn ties(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<TieJson>>> {
    let r = resolve(&code).or_api(ctx.lang)?;
    let list = crate::service::actors::list_ties(&st.store, &ctx.api_caller(), &r.code, None)
        .await
        .or_api(ctx.lang)?;
    Ok(Json(list.into_iter().take(5000).map(TieJson::of).collect()))
}

#[derive(Debug, Deserialize, Default)]
pub struct MapQuery {
    pub wave: Option<String>,
    pub measure: Option<String>,
}

/// The children's sums and shapes for a map of `code` (the country for `nasional`): no
/// wave holding data gives the children with nothing counted (all hatched).
async fn map_parts(
    st: &AppState,
    ctx: &Ctx,
    code: &str,
    wave: Option<String>,
) -> Result<
    (
        Option<&'static Region>,
        Vec<report::map::AreaStats>,
        std::collections::HashMap<String, wahana_domain::geo::Shape>,
    ),
    ApiError,
> {
    let scope = scope_of(code)?;
    let region = match scope {
        Scope::National => None,
        Scope::Region(r) => Some(r),
    };
    let data = profile_of(st, scope, wave, ctx.lang).await?;
    let stats = match &data {
        Ok(d) => report::map::area_stats(d, &d.profile()),
        Err(_) => report::map::empty_stats(region),
    };
    let shapes = crate::service::boundaries::children_shapes(&st.store, region)
        .await
        .map_err(ApiError::from)?;
    Ok((region, stats, shapes))
}

fn parse_measure(m: Option<&str>) -> Result<report::map::Measure, ApiError> {
    match m.filter(|m| !m.is_empty()) {
        None => Ok(report::map::Measure::default()),
        Some(m) => report::map::Measure::parse(m).ok_or_else(|| {
            let keys: Vec<&str> = report::map::Measure::ALL.iter().map(|m| m.key()).collect();
            ApiError::Invalid(vec![wahana_domain::FieldError::new(
                "measure",
                m,
                format!("salah satu dari {}", keys.join(", ")),
                format!("one of {}", keys.join(", ")),
            )])
        }),
    }
}

/// The map of a region's children as SVG, coloured by `measure` (the region page's map).
pub async fn map_svg(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<MapQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    let measure = parse_measure(q.measure.as_deref()).or_api(ctx.lang)?;
    let (region, stats, shapes) = map_parts(&st, &ctx, &code, q.wave).await.or_api(ctx.lang)?;
    let query = format!("?measure={}", measure.key());
    let Some(map) =
        report::map::region_map(region, &stats, &shapes, measure, Some(&query), ctx.lang)
    else {
        return Err(ApiError::NotFound {
            kind: "map",
            id: code,
        })
        .or_api(ctx.lang);
    };
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "image/svg+xml; charset=utf-8",
        )],
        map.svg,
    )
        .into_response())
}

/// The children's boundaries with every measure as properties, for a GIS.
pub async fn measures_geojson(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<WaveQuery>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(q) = q.map_err(bad_query).or_api(ctx.lang)?;
    let (_, stats, shapes) = map_parts(&st, &ctx, &code, q.wave).await.or_api(ctx.lang)?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/geo+json")],
        report::map::measures_geojson(&stats, &shapes),
    )
        .into_response())
}
