use axum::Json;
use axum::extract::State;
use concord_domain::FieldError;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, AuthUser};
use crate::views::{CaseSummaryView, summary};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A case number, a party's phone or ID number, or Chinese words (all required).
    q: Option<String>,
    /// At most this many, 1–100 (default 20).
    limit: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<CaseSummaryView>,
}

/// Search cases in your region, newest first: by number (`331125-2025-00042`), by a
/// party's phone or ID number, or by words of the description, address or party names.
#[utoipa::path(get, path = "/api/v1/search", tag = "cases", security(("bearer" = [])),
    params(SearchParams),
    responses((status = 200, body = SearchResults), (status = 422, body = ErrorBody)))]
pub async fn search(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Json<SearchResults>, ApiError> {
    let q = p.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Err(FieldError::new("q", "required", "请输入要查找的内容").into());
    }
    if q.chars().count() > 200 {
        return Err(FieldError::new("q", "too_long", "查询内容不能超过200个字").into());
    }
    let limit = p.limit.unwrap_or(20);
    let found = s.store.search(&q, &user.region, limit).await?;
    let now = Timestamp::now();
    let mine = concord_domain::access::Holding::of(&user);
    Ok(Json(SearchResults {
        items: found
            .iter()
            .filter(|c| mine.holds(&c.case))
            .map(|c| summary(&c.case, now))
            .collect(),
    }))
}
