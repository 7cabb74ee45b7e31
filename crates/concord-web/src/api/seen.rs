//! What the center has seen before (duplicates, repeat and skip-level petitions), the
//! intake check a clerk's form runs as they type, merging into a group case, and the
//! alerts the command center acts on.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::case::NewCaseInput;
use concord_store::alerts::Alert;
use concord_store::seen::{Match, Seen};
use concord_store::{Actor, StoreError};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser};
use crate::views::{CaseSummaryView, CaseView, case_view, local_time, summary};

#[derive(Serialize, ToSchema)]
pub struct MatchView {
    pub case: CaseSummaryView,
    /// 0 to 1.
    pub similarity: f64,
    /// Why it is thought to be the same, in Chinese.
    pub why: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SeenView {
    /// Open cases about the same matter from the same place or against the same party
    /// in the last 30 days: candidates to merge into one group case.
    pub duplicates: Vec<MatchView>,
    /// 重复访: the same person's earlier petition about the same matter.
    pub repeat_of: Option<MatchView>,
    /// 越级访: the same matter still open at a lower level.
    pub skip_level_of: Option<MatchView>,
}

fn match_view(m: Match, now: Timestamp) -> MatchView {
    MatchView {
        case: summary(&m.case, now),
        similarity: (m.similarity * 100.0).round() / 100.0,
        why: m.why,
    }
}

fn seen_view(s: Seen, now: Timestamp) -> SeenView {
    SeenView {
        duplicates: s
            .duplicates
            .into_iter()
            .map(|m| match_view(m, now))
            .collect(),
        repeat_of: s.repeat_of.map(|m| match_view(m, now)),
        skip_level_of: s.skip_level_of.map(|m| match_view(m, now)),
    }
}

/// What the center has seen before of this case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/related", tag = "intake", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = SeenView), (status = 404, body = ErrorBody)))]
pub async fn related(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<SeenView>, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let now = Timestamp::now();
    let seen = s
        .store
        .seen_before(&record.case.facts, Some(record.case.id), now)
        .await?;
    Ok(Json(seen_view(seen, now)))
}

#[derive(Serialize, ToSchema)]
pub struct IntakeCheck {
    pub classification: super::classify::ClassifyResponse,
    /// Where the routing rules would send it.
    pub routing: super::routing::RoutingView,
    pub seen: SeenView,
}

/// For a clerk's form as they type: the suggested category, the route, and what the
/// center has seen before — all from a draft that is checked but not stored. The body is
/// a case as for `POST /api/v1/cases`; `category` may be left out.
#[utoipa::path(post, path = "/api/v1/intake/check", tag = "intake", security(("bearer" = [])),
    request_body = NewCaseInput,
    responses((status = 200, body = IntakeCheck), (status = 422, body = ErrorBody)))]
pub async fn check(
    State(s): State<AppState>,
    AuthUser(_user): AuthUser,
    ApiJson(mut draft): ApiJson<serde_json::Value>,
) -> Result<Json<IntakeCheck>, ApiError> {
    let text = draft["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let classification = super::classify::suggest(&s, &text);
    // Only an object gets the suggestion; anything else is refused by the parse below.
    if let Some(fields) = draft.as_object_mut()
        && fields.get("category").is_none_or(|c| c.is_null())
    {
        let suggested = serde_json::json!(classification.suggestions[0].category);
        fields.insert("category".into(), suggested);
    }
    let input: NewCaseInput = crate::extract::parse_json(draft.to_string().as_bytes())?;
    let facts = input.validate()?;
    s.store.require_region("region", &facts.region).await?;
    let now = Timestamp::now();
    let decision = s.store.route(&facts).await?;
    let routing = super::routing::routing_view(&s, decision).await?;
    let seen = s.store.seen_before(&facts, None, now).await?;
    Ok(Json(IntakeCheck {
        classification,
        routing,
        seen: seen_view(seen, now),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The cases that join this one.
    pub cases: Vec<i64>,
    pub reason: String,
}

/// 并案: merge other cases about the same matter into this one. It takes their parties
/// and complainants; each of them is closed as merged. Reaching five complainants makes
/// it a mass case and alerts the county command center.
#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", tag = "intake", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = MergeRequest,
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> Result<Json<CaseView>, ApiError> {
    let target = super::cases::load_case(&s, &user, &id).await?.case.id;
    let now = Timestamp::now();
    let record = s
        .store
        .merge(&Actor::staff(&user), target, &req.cases, &req.reason, now)
        .await?;
    Ok(Json(case_view(record, now)))
}

#[derive(Serialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    pub kind: concord_domain::alert::AlertKind,
    pub kind_label: &'static str,
    pub level: concord_domain::alert::AlertLevel,
    pub level_label: &'static str,
    pub case_id: Option<i64>,
    pub region: String,
    pub message: String,
    pub created_at: String,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<String>,
}

fn alert_view(a: Alert) -> AlertView {
    AlertView {
        id: a.id,
        kind: a.kind,
        kind_label: a.kind.label(),
        level: a.level,
        level_label: a.level.label(),
        case_id: a.case_id,
        region: a.region.to_string(),
        message: a.message,
        created_at: local_time(a.created_at),
        acknowledged_by: a.acknowledged_by,
        acknowledged_at: a.acknowledged_at.map(local_time),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertQuery {
    /// `true`: only those nobody has acknowledged yet.
    open: Option<bool>,
}

/// Alerts for the centers in your region, newest first.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "intake", security(("bearer" = [])),
    params(AlertQuery), responses((status = 200, body = Vec<AlertView>)))]
pub async fn alerts(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<AlertQuery>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    let list = s
        .store
        .alerts(&user.region, q.open.unwrap_or(false))
        .await?;
    Ok(Json(list.into_iter().map(alert_view).collect()))
}

/// Acknowledge an alert: who saw it, and when, goes on record.
#[utoipa::path(post, path = "/api/v1/alerts/{id}/acknowledge", tag = "intake", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AlertView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn acknowledge(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<AlertView>), ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("预警"))?;
    let alert = s.store.alert(id).await?.ok_or(ApiError::NotFound("预警"))?;
    Actor::staff(&user).authorize_region(&alert.region)?;
    if !s
        .store
        .acknowledge_alert(id, user.id, Timestamp::now())
        .await?
    {
        return Err(StoreError::Conflict("该预警已被签收".into()).into());
    }
    let alert = s.store.alert(id).await?.ok_or(ApiError::NotFound("预警"))?;
    Ok((StatusCode::OK, Json(alert_view(alert))))
}
