use axum::Json;
use axum::extract::{Path, State};
use concord_domain::org::Role;
use concord_domain::routing::{Decision, Rule, RuleSet};
use concord_store::{Actor, TaskRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, AuthUser};
use crate::views::local_time;

/// The routing rules in force, with their version.
#[utoipa::path(get, path = "/api/v1/routing/rules", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = RuleSet)))]
pub async fn get_rules(
    State(s): State<AppState>,
    AuthUser(_user): AuthUser,
) -> Result<Json<RuleSet>, ApiError> {
    Ok(Json(s.store.routing_rules().await?))
}

/// An earlier version of the routing rules, as it was.
#[utoipa::path(get, path = "/api/v1/routing/rules/{version}", tag = "routing", security(("bearer" = [])),
    params(("version" = i64, Path)),
    responses((status = 200, body = RuleSet), (status = 404, body = ErrorBody)))]
pub async fn get_rules_version(
    State(s): State<AppState>,
    AuthUser(_user): AuthUser,
    Path(version): Path<String>,
) -> Result<Json<RuleSet>, ApiError> {
    let v: i64 = version
        .parse()
        .map_err(|_| ApiError::NotFound("规则版本"))?;
    let rules = s.store.routing_rules_version(v).await?;
    rules.map(Json).ok_or(ApiError::NotFound("规则版本"))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutRules {
    /// The whole ordered table; it becomes the next version.
    pub rules: Vec<Rule>,
    /// What changed and why.
    #[serde(default)]
    pub note: String,
}

/// Administrator: replace the routing rules (a new version; earlier ones are kept).
#[utoipa::path(put, path = "/api/v1/routing/rules", tag = "routing", security(("bearer" = [])),
    request_body = PutRules,
    responses((status = 200, body = RuleSet), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_rules(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(body): ApiJson<PutRules>,
) -> Result<Json<RuleSet>, ApiError> {
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden("只有系统管理员可以修改分流规则".into()));
    }
    let set = s
        .store
        .put_routing_rules(&Actor::staff(&user), body.rules, body.note.trim())
        .await?;
    Ok(Json(set))
}

#[derive(Serialize, ToSchema)]
pub struct RoutingView {
    #[serde(flatten)]
    pub decision: Decision,
    pub level_label: &'static str,
    pub tier_label: &'static str,
    pub unit_name: Option<String>,
}

/// Where the routing rules would send this case, and why.
#[utoipa::path(get, path = "/api/v1/cases/{id}/routing", tag = "routing", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = RoutingView), (status = 404, body = ErrorBody)))]
pub async fn case_routing(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<RoutingView>, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let decision = s.store.route(&record.case.facts).await?;
    Ok(Json(routing_view(&s, decision).await?))
}

/// A decision with the names a person reads.
pub async fn routing_view(s: &AppState, decision: Decision) -> Result<RoutingView, ApiError> {
    let orgs = s.store.organizations(None).await?;
    let unit_name = decision
        .unit
        .and_then(|u| orgs.iter().find(|o| o.id == u))
        .map(|o| o.name.clone());
    Ok(RoutingView {
        level_label: decision.level.label(),
        tier_label: decision.tier.label(),
        unit_name,
        decision,
    })
}

#[derive(Serialize, ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub org_id: i64,
    pub responsible_person: Option<i64>,
    /// `open`, `done`, `returned` or `cancelled`.
    pub status: String,
    pub opened_at: String,
    pub deadline: String,
    pub closed_at: Option<String>,
    pub note: String,
}

impl From<TaskRecord> for TaskView {
    fn from(t: TaskRecord) -> Self {
        Self {
            id: t.id,
            org_id: t.org_id,
            responsible_person: t.responsible_person,
            status: t.status,
            opened_at: local_time(t.opened_at),
            deadline: local_time(t.deadline),
            closed_at: t.closed_at.map(local_time),
            note: t.note,
        }
    }
}

/// The co-handlers' child tasks of a case (finish one with the `complete_task` or
/// `return_task` transition).
#[utoipa::path(get, path = "/api/v1/cases/{id}/tasks", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TaskView>), (status = 404, body = ErrorBody)))]
pub async fn case_tasks(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<TaskView>>, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let tasks = s.store.tasks(record.case.id).await?;
    Ok(Json(tasks.into_iter().map(TaskView::from).collect()))
}

#[derive(Serialize, ToSchema)]
pub struct CustodyView {
    /// The lead unit; null while with the command center.
    pub unit: Option<i64>,
    pub unit_name: String,
    pub from: String,
    pub to: Option<String>,
    pub deadline: Option<String>,
    /// Days of this stretch past the deadline then in force.
    pub overdue_days: f64,
}

#[derive(Serialize, ToSchema)]
pub struct TaskOverdue {
    pub task: i64,
    pub unit: i64,
    pub unit_name: String,
    pub overdue_days: f64,
}

#[derive(Serialize, ToSchema)]
pub struct CustodyReport {
    pub periods: Vec<CustodyView>,
    pub tasks: Vec<TaskOverdue>,
}

fn days(micros: i64) -> f64 {
    (micros as f64 / 86_400_000_000.0 * 100.0).round() / 100.0
}

/// Who held the case when, and whose its overdue time was: each lead unit (or the
/// command center) for its stretches, each co-handler for its own task.
#[utoipa::path(get, path = "/api/v1/cases/{id}/custody", tag = "routing", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CustodyReport), (status = 404, body = ErrorBody)))]
pub async fn custody(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CustodyReport>, ApiError> {
    use concord_domain::custody::{Move, custody, task_overdue};
    let record = super::cases::load_case(&s, &user, &id).await?;
    let now = jiff::Timestamp::now();
    let orgs = s.store.organizations(None).await?;
    let name = |u: Option<i64>| match u.and_then(|u| orgs.iter().find(|o| o.id == u)) {
        Some(o) => o.name.clone(),
        None => "指挥中心".to_string(),
    };
    let moves: Vec<Move> = record
        .events
        .iter()
        .map(|e| Move {
            at: e.at,
            to: e.to,
            changes: &e.details["changes"],
        })
        .collect();
    let periods = custody(&moves, now)
        .into_iter()
        .map(|p| CustodyView {
            unit: p.unit,
            unit_name: name(p.unit),
            from: local_time(p.from),
            to: p.to.map(local_time),
            deadline: p.deadline.map(local_time),
            overdue_days: days(p.overdue_micros),
        })
        .collect();
    let tasks = s
        .store
        .tasks(record.case.id)
        .await?
        .into_iter()
        .filter(|t| t.status != "cancelled")
        .map(|t| TaskOverdue {
            task: t.id,
            unit: t.org_id,
            unit_name: name(Some(t.org_id)),
            overdue_days: days(task_overdue(t.deadline, t.closed_at, now)),
        })
        .collect();
    Ok(Json(CustodyReport { periods, tasks }))
}
