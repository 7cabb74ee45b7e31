use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::calendar::{CalendarDay, parse_date};
use concord_domain::org::Role;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    /// e.g. 2025; omit for every year.
    year: Option<String>,
}

/// The days that differ from the weekday rule: public holidays and make-up working days.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", params(YearQuery),
    responses((status = 200, body = [CalendarDay]), (status = 422, body = ErrorBody)))]
pub async fn list_days(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> Result<Json<Vec<CalendarDay>>, ApiError> {
    let year = q
        .year
        .map(|y| y.parse::<i16>().ok().filter(|y| (1900..=2200).contains(y)))
        .map(|y| {
            y.ok_or_else(|| concord_domain::FieldError::new("year", "invalid_value", "年份无效"))
        })
        .transpose()?;
    Ok(Json(s.store.calendar_days(year).await?))
}

fn require_admin(role: Role) -> Result<(), ApiError> {
    (role == Role::Admin)
        .then_some(())
        .ok_or_else(|| ApiError::Forbidden("只有系统管理员可以修改工作日历".into()))
}

/// Add or change days, e.g. next year's arrangements once the State Council publishes them.
#[utoipa::path(put, path = "/api/v1/calendar", tag = "calendar", security(("bearer" = [])),
    request_body = [CalendarDay],
    responses((status = 204), (status = 403, body = ErrorBody), (status = 400, body = ErrorBody)))]
pub async fn put_days(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(days): ApiJson<Vec<CalendarDay>>,
) -> Result<StatusCode, ApiError> {
    require_admin(user.role)?;
    s.store.upsert_calendar_days(&days).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a day's override: it follows the weekday rule again.
#[utoipa::path(delete, path = "/api/v1/calendar/{date}", tag = "calendar", security(("bearer" = [])),
    params(("date" = String, Path, description = "YYYY-MM-DD")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_day(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(date): Path<String>,
) -> Result<StatusCode, ApiError> {
    require_admin(user.role)?;
    let date = parse_date("date", &date)?;
    if s.store.delete_calendar_day(date).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("该日期的设置"))
    }
}
