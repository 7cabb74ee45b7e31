//! Screening (排查): schedules for grid workers and mediators, the rounds they hold, what
//! each round found, findings reported as cases, and the ledger (排查台账), as JSON or
//! .xlsx.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use concord_domain::case::{CaseKind, Channel, Complexity, NewCaseInput, PartyInput, Status};
use concord_domain::org::Staff;
use concord_domain::screening::{
    self, FindingInput, PLANNERS, Period, RECORDERS, RoundInput, RoundState, ScheduleInput,
    ScheduleRef, Tally, periods, round_state,
};
use concord_domain::time::local_date;
use concord_store::Actor;
use concord_store::screening::{Finding, Round, SOURCE, Schedule};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::oversight::{allow, wants_xlsx};
use super::reports::{days, scope, xlsx};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser};

/// Periods shown per schedule, latest first.
const SHOWN_PERIODS: usize = 12;
/// Ledger lines answered as JSON; the .xlsx holds up to the ledger's own cap.
const LEDGER_JSON_ROWS: i64 = 500;

#[derive(Serialize, ToSchema)]
pub struct PeriodView {
    pub period: String,
    pub first: String,
    pub last: String,
    /// `done`, `late` (补录), `due` or `missed`.
    pub state: &'static str,
    pub state_label: &'static str,
    pub held_on: Option<String>,
}

fn period_view(p: &Period, state: RoundState) -> PeriodView {
    PeriodView {
        period: p.label(),
        first: p.first.to_string(),
        last: p.last.to_string(),
        state: state.code(),
        state_label: state.label(),
        held_on: match state {
            RoundState::Done { held_on, .. } => Some(held_on.to_string()),
            _ => None,
        },
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoundView {
    pub id: i64,
    pub period: String,
    pub held_on: String,
    pub visited: i64,
    pub notes: String,
    pub recorded_by: String,
}

impl From<Round> for RoundView {
    fn from(r: Round) -> Self {
        RoundView {
            id: r.id,
            period: r.period,
            held_on: r.held_on.to_string(),
            visited: r.visited,
            notes: r.notes,
            recorded_by: r.recorded_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScheduleView {
    pub id: i64,
    pub region: String,
    pub region_name: String,
    #[schema(value_type = String)]
    pub cadence: screening::Cadence,
    pub cadence_label: &'static str,
    #[schema(value_type = String)]
    pub focus: screening::Focus,
    pub focus_label: &'static str,
    pub title: String,
    pub assignee: Option<i64>,
    pub assignee_name: Option<String>,
    pub starts_on: String,
    /// The period holding today.
    pub current: PeriodView,
    /// Ended periods nobody screened, since the schedule began.
    pub missed: u64,
    /// The latest periods, current first.
    pub periods: Vec<PeriodView>,
    pub rounds: Vec<RoundView>,
}

/// A schedule as seen on `today`.
pub(crate) fn schedule_view(s: Schedule, today: Date) -> ScheduleView {
    let all = periods(s.cadence, s.starts_on, today.max(s.starts_on));
    let state = |p: &Period| round_state(p, s.held_on(&p.label()), today);
    let missed = all
        .iter()
        .filter(|p| state(p) == RoundState::Missed)
        .count() as u64;
    let current = s.cadence.period(today.max(s.starts_on));
    let shown = all
        .iter()
        .rev()
        .take(SHOWN_PERIODS)
        .map(|p| period_view(p, state(p)))
        .collect();
    ScheduleView {
        id: s.id,
        region: s.region.to_string(),
        region_name: s.region_name.clone(),
        cadence: s.cadence,
        cadence_label: s.cadence.label(),
        focus: s.focus,
        focus_label: s.focus.label(),
        title: s.title.clone(),
        assignee: s.assignee,
        assignee_name: s.assignee_name.clone(),
        starts_on: s.starts_on.to_string(),
        current: period_view(&current, state(&current)),
        missed,
        periods: shown,
        rounds: s.rounds.into_iter().map(Into::into).collect(),
    }
}

fn today() -> Date {
    local_date(Timestamp::now())
}

/// A user sees and screens the schedules of their region, and their own.
pub(crate) fn may_see(user: &Staff, s: &Schedule) -> bool {
    user.region.contains(&s.region) || s.assignee == Some(user.id)
}

async fn visible_schedule(s: &AppState, user: &Staff, id: &str) -> Result<Schedule, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("排查计划"))?;
    s.store
        .schedule(id)
        .await?
        .filter(|sch| may_see(user, sch))
        .ok_or(ApiError::NotFound("排查计划"))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    /// Default: your region.
    region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ScheduleList {
    pub items: Vec<ScheduleView>,
}

/// The screening schedules of a region, each with where it stands this period.
#[utoipa::path(get, path = "/api/v1/screening/schedules", tag = "screening", security(("bearer" = [])),
    params(ScheduleQuery),
    responses((status = 200, body = ScheduleList), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_schedules(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<ScheduleQuery>,
) -> Result<Json<ScheduleList>, ApiError> {
    let region = scope(&user, q.region.as_deref())?;
    let mine = q.region.is_none().then_some(user.id);
    let today = today();
    let items = s
        .store
        .schedules(&region, mine)
        .await?
        .into_iter()
        .map(|sch| schedule_view(sch, today))
        .collect();
    Ok(Json(ScheduleList { items }))
}

/// Plans a schedule: where, how often (一周一走访 / 一月一研判 / 一季度一汇总), what it
/// screens, and who.
#[utoipa::path(post, path = "/api/v1/screening/schedules", tag = "screening", security(("bearer" = [])),
    request_body = ScheduleInput,
    responses((status = 201, body = ScheduleView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_schedule(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<(StatusCode, Json<ScheduleView>), ApiError> {
    allow(&user, PLANNERS, "制定排查计划")?;
    let today = today();
    let new = input.validate(today)?;
    scope(&user, Some(new.region.as_str()))?;
    let id = s
        .store
        .add_schedule(new, &user.display_name, Timestamp::now())
        .await?;
    let sch = s
        .store
        .schedule(id)
        .await?
        .ok_or(ApiError::NotFound("排查计划"))?;
    Ok((StatusCode::CREATED, Json(schedule_view(sch, today))))
}

#[utoipa::path(get, path = "/api/v1/screening/schedules/{id}", tag = "screening", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ScheduleView), (status = 404, body = ErrorBody)))]
pub async fn get_schedule(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ScheduleView>, ApiError> {
    let sch = visible_schedule(&s, &user, &id).await?;
    Ok(Json(schedule_view(sch, today())))
}

#[derive(Serialize, ToSchema)]
pub struct FindingView {
    pub id: i64,
    pub round_id: i64,
    pub schedule_id: i64,
    pub schedule_title: String,
    pub focus_label: &'static str,
    pub period: String,
    pub found_on: String,
    pub region: String,
    pub region_name: String,
    pub category: String,
    pub category_label: &'static str,
    pub description: String,
    pub who: String,
    /// `resolved`, `watch` or `to_report` as recorded on the spot.
    pub outcome: String,
    /// What became of it: the outcome, or 已上报立案 once it is a case.
    pub outcome_label: String,
    pub recorded_by: String,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    pub case_status: Option<String>,
}

fn status_label(code: &str) -> &'static str {
    concord_domain::case::Status::parse("status", code).map_or("", Status::label)
}

impl From<Finding> for FindingView {
    fn from(f: Finding) -> Self {
        let outcome_label = crate::reports::screening::outcome_label(&f);
        FindingView {
            id: f.id,
            round_id: f.round_id,
            schedule_id: f.schedule_id,
            schedule_title: f.schedule_title,
            focus_label: f.focus.label(),
            period: f.period,
            found_on: f.found_on.to_string(),
            region: f.region.to_string(),
            region_name: f.region_name,
            category: f.category.as_str().into(),
            category_label: f.category.label(),
            description: f.description,
            who: f.who,
            outcome: f.outcome.as_str().into(),
            outcome_label,
            recorded_by: f.recorded_by,
            case_status: f.case.as_ref().map(|c| status_label(&c.status).to_string()),
            case_id: f.case.as_ref().map(|c| c.id),
            case_number: f.case.map(|c| c.number),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordedRound {
    pub round: RoundView,
    pub findings: Vec<FindingView>,
}

/// Records a round on a schedule with what it found; a period is screened once.
#[utoipa::path(post, path = "/api/v1/screening/schedules/{id}/rounds", tag = "screening", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RoundInput,
    responses((status = 201, body = RecordedRound), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_round(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RoundInput>,
) -> Result<(StatusCode, Json<RecordedRound>), ApiError> {
    allow(&user, RECORDERS, "记录排查")?;
    let sch = visible_schedule(&s, &user, &id).await?;
    let round = input.validate(
        ScheduleRef {
            region: &sch.region,
            cadence: sch.cadence,
            starts_on: sch.starts_on,
        },
        today(),
    )?;
    let round_id = s
        .store
        .record_round(&sch, round, &user.display_name, Timestamp::now())
        .await?;
    recorded(&s, round_id).await
}

async fn recorded(
    s: &AppState,
    round_id: i64,
) -> Result<(StatusCode, Json<RecordedRound>), ApiError> {
    let (_, r) = s
        .store
        .round(round_id)
        .await?
        .ok_or(ApiError::NotFound("排查记录"))?;
    let findings = s.store.round_findings(round_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(RecordedRound {
            round: r.into(),
            findings: findings.into_iter().map(Into::into).collect(),
        }),
    ))
}

/// Adds a finding to a round already recorded.
#[utoipa::path(post, path = "/api/v1/screening/rounds/{id}/findings", tag = "screening", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = FindingInput,
    responses((status = 201, body = RecordedRound), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn add_finding(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FindingInput>,
) -> Result<(StatusCode, Json<RecordedRound>), ApiError> {
    allow(&user, RECORDERS, "记录排查")?;
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("排查记录"))?;
    let (sch, round) = s
        .store
        .round(id)
        .await?
        .filter(|(sch, _)| may_see(&user, sch))
        .ok_or(ApiError::NotFound("排查记录"))?;
    let mut errs = concord_domain::FieldErrors::default();
    let finding = input.validate("", &sch.region, &mut errs);
    errs.into_result()?;
    let finding = finding.expect("checked");
    s.store
        .add_finding(
            id,
            round.held_on,
            finding,
            &user.display_name,
            Timestamp::now(),
        )
        .await?;
    recorded(&s, id).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// Default: your region.
    region: Option<String>,
    /// YYYY-MM-DD, default 1 January.
    from: Option<String>,
    /// YYYY-MM-DD, default today.
    to: Option<String>,
    /// `xlsx` for the ledger as a spreadsheet.
    format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TallyView {
    #[schema(value_type = Object)]
    pub counts: Tally,
    /// Ended periods screened in time.
    pub on_schedule_rate: Option<f64>,
    /// Disputes found that were settled on the spot (现场调解成功率).
    pub on_site_rate: Option<f64>,
}

impl From<Tally> for TallyView {
    fn from(t: Tally) -> Self {
        TallyView {
            on_schedule_rate: t.on_schedule_rate(),
            on_site_rate: t.on_site_rate(),
            counts: t,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Ledger {
    pub region: String,
    pub from: String,
    pub to: String,
    pub tally: TallyView,
    /// Latest first, at most 500 (the .xlsx holds them all).
    pub items: Vec<FindingView>,
}

/// The screening ledger (排查台账) of a region and span, with its tally; `format=xlsx`
/// for a workbook.
#[utoipa::path(get, path = "/api/v1/screening/findings", tag = "screening", security(("bearer" = [])),
    params(LedgerQuery),
    responses((status = 200, body = Ledger, description = "JSON; with format=xlsx, an .xlsx workbook"),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ledger(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> Result<Response, ApiError> {
    let as_xlsx = wants_xlsx(q.format.as_deref())?;
    let region = scope(&user, q.region.as_deref())?;
    let (from, to) = days(q.from.as_deref(), q.to.as_deref())?;
    if as_xlsx {
        let sheet = crate::reports::screening::ledger(&s.store, &region, from, to).await?;
        return xlsx(&format!("排查台账-{region}-{from}至{to}.xlsx"), &[sheet]);
    }
    let items: Vec<FindingView> = s
        .store
        .findings(&region, from, to, LEDGER_JSON_ROWS)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    let tally = s.store.screening_tally(&region, from, to, today()).await?;
    Ok(Json(Ledger {
        region: region.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        tally: tally.into(),
        items,
    })
    .into_response())
}

/// What the reporter adds to a finding to register it as a case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportFinding {
    pub parties: Vec<PartyInput>,
    #[serde(default)]
    pub address: Option<String>,
    /// Amount involved, in yuan.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub complainants: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportedView {
    pub finding_id: i64,
    pub case_id: i64,
    pub number: String,
}

/// Reports a finding to the township and registers it as a case (channel 网格员上报):
/// once only; the ledger then shows the case's number.
#[utoipa::path(post, path = "/api/v1/screening/findings/{id}/case", tag = "screening", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReportFinding,
    responses((status = 201, body = ReportedView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report_finding(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReportFinding>,
) -> Result<(StatusCode, Json<ReportedView>), ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("排查发现"))?;
    let f = s
        .store
        .finding(id)
        .await?
        .filter(|f| user.region.contains(&f.region))
        .ok_or(ApiError::NotFound("排查发现"))?;
    if let Some(c) = &f.case {
        return Err(ApiError::Conflict(format!(
            "这条排查发现已上报为事项{}",
            c.number
        )));
    }
    let description = match f.who.as_str() {
        "" => f.description.clone(),
        who => format!("{}(涉及:{who})", f.description),
    };
    let facts = NewCaseInput {
        kind: CaseKind::Dispute,
        channel: Channel::GridWorker,
        category: f.category,
        description,
        region: f.region.to_string(),
        address: req.address,
        amount: req.amount,
        complainants: req.complainants.unwrap_or(1),
        complexity: Complexity::General,
        level: None,
        tier: None,
        parties: req.parties,
        window: None,
        petition: None,
        transfer: None,
        source: Some(SOURCE.into()),
        external_ref: Some(id.to_string()),
    }
    .validate()?;
    let record = s
        .store
        .create_case(&Actor::staff(&user), facts, Timestamp::now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ReportedView {
            finding_id: id,
            case_id: record.case.id,
            number: record.case.number,
        }),
    ))
}
