//! The network of a region or of one WKSBM network in it, as the JSON object `wahana network
//! --format json` prints (`service::network::ScopeMeasures`).
//!
//! Those who may not read the region's records get the same numbers with every actor named only
//! by its kind and a number, and may not ask for one network by id.

use super::bad_query;
use crate::service::network::{self as net, ScopeMeasures, ScopeRequest};
use crate::service::screening::Scope;
use crate::service::users;
use crate::web::errors::{ApiError, ApiResult, OrRender};
use crate::web::pages::network::WEB_GROUP_LIMIT;
use crate::web::pages::regions::profile_of;
use crate::web::{AppState, Ctx};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use wahana_domain::RegionTree;

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
    let scope = if matches!(code.as_str(), "nasional" | "national" | "indonesia") {
        Scope::National
    } else {
        Scope::Region(
            RegionTree::official()
                .resolve(&code)
                .map_err(|_| ApiError::NotFound {
                    kind: "region",
                    id: code.clone(),
                })
                .or_api(lang)?,
        )
    };
    let public = match scope.code() {
        Some(c) => !users::can_read_records(ctx.user(), c),
        None => !matches!(ctx.user(), Some(u) if u.role == users::Role::Admin),
    };
    let network = q.network.filter(|n| !n.trim().is_empty());
    let wave = q.wave.filter(|w| !w.trim().is_empty());
    if network.is_some() && public {
        return Err(ApiError::Forbidden).or_api(lang);
    }
    if network.is_none() {
        let groups = match profile_of(&st, scope, wave.clone(), lang)
            .await
            .or_api(lang)?
        {
            Ok(d) => d.profile().groups_recorded,
            Err(_) => 0,
        };
        if groups > WEB_GROUP_LIMIT {
            return Err(ApiError::Unavailable {
                code: "scope_too_large",
                message: match lang {
                    wahana_domain::Lang::Id => format!(
                        "wilayah ini mencatat {groups} kelompok; jejaring di atas {WEB_GROUP_LIMIT} kelompok diukur dengan: wahana network --region {code}"
                    ),
                    wahana_domain::Lang::En => format!(
                        "this region records {groups} groups; networks above {WEB_GROUP_LIMIT} groups are measured with: wahana network --region {code}"
                    ),
                },
            })
            .or_api(lang);
        }
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
