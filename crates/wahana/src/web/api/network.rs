//! The network of a region or of one WKSBM network in it, as the JSON object `wahana network
//! --format json` prints (`service::network::ScopeMeasures`).
//!
//! Those who may not read the region's records get the same numbers with every actor named only
//! by its kind and a number, and may not ask for one network by id.

use super::bad_query;
use crate::service::network::{self as net, ScopeMeasures, ScopeRequest};
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::pages::network::{scope_and_public, too_large};
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct NetworkQuery {
    pub wave: Option<String>,
    pub network: Option<String>,
}

/// `GET /api/v1/regions/{code}/network`.
pub async fn network(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    q: Result<Query<NetworkQuery>, QueryRejection>,
) -> ApiResult<Json<ScopeMeasures>> {
    let lang = ctx.lang;
    let Query(q) = q.map_err(bad_query).or_api(lang)?;
    let (scope, public) = scope_and_public(&code, &ctx).or_api(lang)?;
    let network = q.network.filter(|n| !n.trim().is_empty());
    if network.is_some() && public {
        return Err(ApiError::Forbidden { writes_in: None }).or_api(lang);
    }
    // The wave named, else the region's default (never every wave mixed).
    let wave = crate::service::waves::shown(&st.store, scope.code(), q.wave.as_deref())
        .await
        .or_api(lang)?
        .map(|s| s.wave.id);
    if network.is_none()
        && let Some(message) = too_large(&st, scope, wave.clone(), lang)
            .await
            .or_api(lang)?
    {
        return Err(ApiError::Unavailable {
            code: wahana_domain::ErrorCode::ScopeTooLarge,
            message,
        })
        .or_api(lang);
    }
    let req = ScopeRequest {
        scope,
        network,
        wave,
    };
    let (sg, m) = net::measure_scope(&st.store, &req, false)
        .await
        .map_err(ApiError::from)
        .or_api(lang)?;
    let m = if public {
        net::anonymise(sg, m, lang).1
    } else {
        m
    };
    Ok(Json(m))
}
