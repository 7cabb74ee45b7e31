use axum::Json;
use axum::extract::State;
use concord_domain::org::Organization;
use concord_domain::region::{Region, RegionCode};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParentQuery {
    /// A region code; omit for the top of the tree.
    parent: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// A region code: that region's whole subtree; omit for all.
    region: Option<String>,
}

fn region_param(field: &str, v: Option<String>) -> Result<Option<RegionCode>, ApiError> {
    Ok(v.map(|v| RegionCode::parse(field, &v)).transpose()?)
}

/// The children of a region (or the roots): the territory tree, one level at a time.
#[utoipa::path(get, path = "/api/v1/regions", tag = "directory", params(ParentQuery),
    responses((status = 200, body = [Region]), (status = 422, body = ErrorBody)))]
pub async fn regions(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<ParentQuery>,
) -> Result<Json<Vec<Region>>, ApiError> {
    let parent = region_param("parent", q.parent)?;
    if let Some(p) = &parent {
        s.store.require_region("parent", p).await?;
    }
    Ok(Json(s.store.regions(parent.as_ref()).await?))
}

/// Organizations in a region's subtree: departments, committees, mediation rooms, the court…
#[utoipa::path(get, path = "/api/v1/organizations", tag = "directory", params(RegionQuery),
    responses((status = 200, body = [Organization]), (status = 422, body = ErrorBody)))]
pub async fn organizations(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<RegionQuery>,
) -> Result<Json<Vec<Organization>>, ApiError> {
    let region = region_param("region", q.region)?;
    Ok(Json(s.store.organizations(region.as_ref()).await?))
}
