use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use concord_domain::FieldErrors;
use concord_domain::calendar::parse_date;
use concord_domain::case::{Level, NewCaseInput, Status};
use concord_domain::category::Category;
use concord_domain::lifecycle::Action;
use concord_domain::org::Staff;
use concord_domain::region::RegionCode;
use concord_domain::time::{end_of_day, from_micros, start_of_day};
use concord_store::{Actor, CaseFilter};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser};
use crate::views::{CaseSummaryView, CaseView, case_view, summary};

/// Register a case (登记). Returns it with its number and first event.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    request_body = NewCaseInput,
    responses((status = 201, body = CaseView), (status = 400, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn create_case(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(input): ApiJson<NewCaseInput>,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    let facts = input.validate()?;
    let now = Timestamp::now();
    let record = s
        .store
        .create_case(&Actor::staff(&user), facts, now)
        .await?;
    Ok((StatusCode::CREATED, Json(case_view(record, now))))
}

/// One case with its parties (masked), allowed actions and timeline.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody)))]
pub async fn get_case(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let record = load_case(&s, &user, &id).await?;
    Ok(Json(case_view(record, Timestamp::now())))
}

/// A case the user may see, by the id in the path.
pub async fn load_case(
    s: &AppState,
    user: &concord_domain::org::Staff,
    id: &str,
) -> Result<concord_store::CaseRecord, ApiError> {
    let id = case_id(id)?;
    let record = s.store.case(id).await?.ok_or(ApiError::NotFound("事项"))?;
    Actor::staff(user).authorize_case(&record.case)?;
    Ok(record)
}

fn case_id(s: &str) -> Result<i64, ApiError> {
    s.parse::<i64>().map_err(|_| ApiError::NotFound("事项"))
}

/// Move a case through its lifecycle. The body names the action and what it needs,
/// e.g. `{"action": "accept"}` or `{"action": "reject", "reason": …, "guidance": …}`.
/// Send `If-Match: <version>` to refuse the move if someone else changed the case first.
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path), ("If-Match" = Option<i64>, Header, description = "the version you saw")),
    request_body = Action,
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn transition(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(action): ApiJson<Action>,
) -> Result<Json<CaseView>, ApiError> {
    let id = case_id(&id)?;
    let expected = match headers.get("if-match") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .map(|v| v.trim_matches('"'))
                .and_then(|v| v.parse().ok())
                .ok_or(ApiError::BadRequest {
                    code: "invalid_if_match",
                    message: "If-Match 应为事项的版本号".into(),
                    field: Some("If-Match".into()),
                })?,
        ),
    };
    let now = Timestamp::now();
    let record = s
        .store
        .transition(&Actor::staff(&user), id, action, expected, now)
        .await?;
    Ok(Json(case_view(record, now)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A lifecycle state, e.g. `in_mediation`.
    status: Option<String>,
    category: Option<String>,
    /// A region code: that region's whole subtree.
    region: Option<String>,
    level: Option<String>,
    /// `true`: open cases past their deadline; `false`: the others.
    overdue: Option<String>,
    /// Registered on or after this date (YYYY-MM-DD).
    from: Option<String>,
    /// Registered on or before this date (YYYY-MM-DD).
    to: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CasePageView {
    pub items: Vec<CaseSummaryView>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// List cases, newest first, with filters and keyset pagination. Only cases in the
/// user's region subtree are listed.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = CasePageView), (status = 422, body = ErrorBody)))]
pub async fn list_cases(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CasePageView>, ApiError> {
    let filter = scoped_filter(&user, q)?;
    let now = Timestamp::now();
    let page = s.store.list_cases(&filter, now).await?;
    Ok(Json(CasePageView {
        items: page.items.iter().map(|i| summary(&i.case, now)).collect(),
        next_cursor: page
            .next
            .map(|(at, id)| format!("{}_{id}", at.as_microsecond())),
    }))
}

/// The list's filter from its query, kept within the user's region and holding.
pub(crate) fn scoped_filter(user: &Staff, q: ListQuery) -> Result<CaseFilter, ApiError> {
    let mut filter = parse_filter(q)?;
    let home = user.region;
    filter.region = match filter.region {
        Some(r) if home.contains(&r) => Some(r),
        Some(r) if r.contains(&home) => Some(home),
        Some(r) => {
            return Err(ApiError::Forbidden(format!(
                "区划{r}不在您的管辖范围({home})内"
            )));
        }
        None => Some(home),
    };
    filter.holding = concord_domain::access::Holding::of(user);
    Ok(filter)
}

fn parse_filter(q: ListQuery) -> Result<CaseFilter, ApiError> {
    let mut errs = FieldErrors::default();
    let mut f = CaseFilter {
        limit: 50,
        ..Default::default()
    };
    f.status = q
        .status
        .and_then(|v| errs.take(Status::parse("status", &v)));
    f.category = q
        .category
        .and_then(|v| errs.take(Category::parse("category", &v)));
    f.level = q.level.and_then(|v| errs.take(Level::parse("level", &v)));
    f.region = q
        .region
        .and_then(|v| errs.take(RegionCode::parse("region", &v)));
    f.overdue = q.overdue.and_then(|v| errs.take(parse_bool("overdue", &v)));
    f.from = q
        .from
        .and_then(|v| errs.take(parse_date("from", &v)))
        .map(start_of_day);
    f.to =
        q.to.and_then(|v| errs.take(parse_date("to", &v)))
            .map(end_of_day);
    f.after = q.cursor.and_then(|v| errs.take(parse_cursor(&v)));
    if let Some(l) = q.limit {
        f.limit = errs.take(parse_limit(&l)).unwrap_or(50);
    }
    errs.into_result()?;
    Ok(f)
}

fn parse_bool(field: &str, v: &str) -> Result<bool, concord_domain::FieldError> {
    match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(concord_domain::FieldError::new(
            field,
            "invalid_value",
            "应为 true 或 false",
        )),
    }
}

fn parse_limit(v: &str) -> Result<u32, concord_domain::FieldError> {
    v.parse::<u32>()
        .ok()
        .filter(|n| (1..=concord_store::list::MAX_PAGE).contains(n))
        .ok_or_else(|| {
            concord_domain::FieldError::new("limit", "out_of_range", "每页条数应在1到200之间")
        })
}

fn parse_cursor(v: &str) -> Result<(Timestamp, i64), concord_domain::FieldError> {
    let bad = || concord_domain::FieldError::new("cursor", "invalid_cursor", "分页游标无效");
    let (at, id) = v.split_once('_').ok_or_else(bad)?;
    let at: i64 = at.parse().map_err(|_| bad())?;
    let id: i64 = id.parse().map_err(|_| bad())?;
    Ok((from_micros(at), id))
}
