//! Surges (异常增多) by township and category, computed now from the kept figures.

use axum::Json;
use axum::extract::State;
use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::{FieldError, alert::AlertLevel, category::Category};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, AuthUser};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurgeQuery {
    /// A county or a township (default: your region).
    region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SurgeView {
    pub region: String,
    pub region_name: String,
    pub category: Category,
    pub category_label: &'static str,
    /// The mean of the twelve earlier seven-day windows.
    pub expected: f64,
    /// The last seven days.
    pub observed: u32,
    /// Standard deviations above the expectation.
    pub z: f64,
    pub level: AlertLevel,
    /// The first day of the run above normal.
    pub since: String,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct SurgeList {
    pub items: Vec<SurgeView>,
}

/// Categories rising in a township far above their own history: expected n, observed
/// m, since when, and a level. The same findings are raised as early warnings (预警)
/// by the server every hour.
#[utoipa::path(get, path = "/api/v1/surges", tag = "figures", security(("bearer" = [])),
    params(SurgeQuery),
    responses((status = 200, body = SurgeList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn surges(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<SurgeQuery>,
) -> Result<Json<SurgeList>, ApiError> {
    let region = match q.region {
        Some(r) => RegionCode::parse("region", &r)?,
        None => user.region,
    };
    if region.level() < RegionLevel::County {
        return Err(FieldError::new("region", "too_wide", "请选择一个县或乡镇").into());
    }
    if !(user.region.contains(&region) || region.contains(&user.region)) {
        return Err(ApiError::Forbidden(format!(
            "区划{region}不在您的管辖范围内"
        )));
    }
    let found = s.store.surges(&region, Timestamp::now()).await?;
    let items = found
        .into_iter()
        .filter(|f| user.region.contains(&f.region) && (region.contains(&f.region)))
        .map(|f| SurgeView {
            region: f.region.to_string(),
            region_name: f.region_name,
            category: f.category,
            category_label: f.category_label,
            expected: f.surge.expected,
            observed: f.surge.observed,
            z: f.surge.z,
            level: f.surge.level,
            since: f.since.to_string(),
            message: f.message,
        })
        .collect();
    Ok(Json(SurgeList { items }))
}
