//! The follow-up queue, accountability (约谈, not advanced, overdue and rectification),
//! the mediators' assessments and training, and per-case subsidies (以奖代补).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::calendar::parse_date;
use concord_domain::org::{Role, Staff};
use concord_domain::time::{end_of_day, start_of_day};
use concord_domain::{FieldError, FieldErrors};
use concord_store::oversight::{Accountable, MediatorFigures, half_year};
use concord_store::records::{Assessment, Rectification, Training};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser};
use crate::views::{CaseSummaryView, summary};
use axum::response::{IntoResponse, Response};
use concord_docs::sheet::{Cell, Sheet};

pub(crate) fn allow(user: &Staff, roles: &[Role], what: &str) -> Result<(), ApiError> {
    if user.role == Role::Admin || roles.contains(&user.role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "“{}”角色不能{what}",
            user.role.label()
        )))
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Limit {
    limit: Option<u32>,
}

/// The follow-up queue: closed cases awaiting their call, the most urgent first (a call is
/// due within a month of closure).
#[utoipa::path(get, path = "/api/v1/followups", tag = "oversight", security(("bearer" = [])),
    params(Limit), responses((status = 200, body = [CaseSummaryView])))]
pub async fn followups(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<Limit>,
) -> Result<Json<Vec<CaseSummaryView>>, ApiError> {
    allow(
        &user,
        &[Role::FollowUp, Role::Dispatcher, Role::Leader],
        "查看回访队列",
    )?;
    let now = Timestamp::now();
    let cases = s
        .store
        .follow_up_queue(&user.region, q.limit.unwrap_or(100))
        .await?;
    Ok(Json(cases.iter().map(|c| summary(c, now)).collect()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// YYYY-MM-DD (default: this year's start).
    from: Option<String>,
    /// YYYY-MM-DD, inclusive (default: today).
    to: Option<String>,
}

fn period(q: Period) -> Result<(Timestamp, Timestamp), FieldErrors> {
    let mut errs = FieldErrors::default();
    let today = concord_domain::time::local_date(Timestamp::now());
    let from = q
        .from
        .and_then(|v| errs.take(parse_date("from", &v)))
        .unwrap_or(jiff::civil::date(today.year(), 1, 1));
    let to =
        q.to.and_then(|v| errs.take(parse_date("to", &v)))
            .unwrap_or(today);
    if to < from {
        errs.push(FieldError::new(
            "to",
            "out_of_range",
            "结束日期早于开始日期",
        ));
    }
    errs.into_result()
        .map(|_| (start_of_day(from), end_of_day(to)))
}

#[derive(Serialize, ToSchema)]
pub struct AccountableView {
    pub id: i64,
    pub name: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub record: Accountable,
}

#[derive(Serialize, ToSchema)]
pub struct AccountabilityView {
    pub from: String,
    pub to: String,
    /// Units: dissatisfied follow-ups (3: interview 约谈; 5: not advanced), overdue time
    /// they held, rectifications filed.
    pub units: Vec<AccountableView>,
    pub mediators: Vec<AccountableView>,
}

/// Accountability over a period, per unit and per mediator, from the record.
#[utoipa::path(get, path = "/api/v1/accountability", tag = "oversight", security(("bearer" = [])),
    params(Period), responses((status = 200, body = AccountabilityView), (status = 403, body = ErrorBody)))]
pub async fn accountability(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<Period>,
) -> Result<Json<AccountabilityView>, ApiError> {
    allow(&user, &[Role::Leader, Role::Dispatcher], "查看责任追究情况")?;
    let (from, to) = period(q)?;
    let a = s.store.accountability(&user.region, from, to).await?;
    let orgs = s.store.organizations(None).await?;
    let mediators = s.store.mediators(None).await?;
    let unit = |id: i64| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let person = |id: i64| {
        mediators
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    Ok(Json(AccountabilityView {
        from: crate::views::local_time(from),
        to: crate::views::local_time(to),
        units: a
            .units
            .into_iter()
            .map(|(id, record)| AccountableView {
                id,
                name: unit(id),
                record,
            })
            .collect(),
        mediators: a
            .mediators
            .into_iter()
            .map(|(id, record)| AccountableView {
                id,
                name: person(id),
                record,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectificationRequest {
    /// The unit that held the clock when the case ran over.
    pub org: i64,
    /// 说明原因
    pub explanation: String,
    /// 整改措施
    pub measures: String,
    /// 整改期限 (YYYY-MM-DD)
    pub due_date: String,
}

/// An overdue unit files its explanation and rectification (说明原因、限期整改).
#[utoipa::path(post, path = "/api/v1/cases/{id}/rectifications", tag = "oversight", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RectificationRequest,
    responses((status = 201, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rectify(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RectificationRequest>,
) -> Result<(StatusCode, Json<Rectification>), ApiError> {
    allow(
        &user,
        &[Role::DepartmentHandler, Role::Mediator, Role::Dispatcher],
        "填报整改",
    )?;
    let record = super::cases::load_case(&s, &user, &id).await?;
    let overdue = record
        .case
        .deadline
        .is_some_and(|d| record.case.closed_at.unwrap_or_else(Timestamp::now) > d);
    if !overdue {
        return Err(ApiError::Conflict("该事项未超期,无需说明原因和整改".into()));
    }
    if !s
        .store
        .organizations(None)
        .await?
        .iter()
        .any(|o| o.id == req.org)
    {
        return Err(FieldError::new(
            "org",
            "unknown_reference",
            format!("编号为{}的单位不存在", req.org),
        )
        .into());
    }
    let r = s
        .store
        .file_rectification(
            record.case.id,
            req.org,
            &req.explanation,
            &req.measures,
            &req.due_date,
            &user.display_name,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HalfYear {
    /// e.g. 2026H1
    period: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentLine {
    pub mediator: i64,
    pub name: String,
    pub org_name: String,
    pub active: bool,
    #[schema(value_type = Object)]
    pub figures: MediatorFigures,
}

fn half(q: Option<String>) -> Result<(String, Timestamp, Timestamp), ApiError> {
    let p = q.ok_or_else(|| FieldError::new("period", "required", "请指定考核期,如 2026H1"))?;
    let (a, b) = half_year(&p).ok_or_else(|| {
        FieldError::new("period", "invalid_value", "考核期应为如 2026H1 或 2026H2")
    })?;
    Ok((p, a, b))
}

/// The half-year assessment sheet: every mediator's cases, success and satisfaction from
/// the record, and training hours.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "oversight", security(("bearer" = [])),
    params(HalfYear, Export), responses((status = 200, body = [AssessmentLine], description = "JSON; with format=xlsx, an .xlsx workbook")))]
pub async fn sheet(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<HalfYear>,
    ApiQuery(x): ApiQuery<Export>,
) -> Result<Response, ApiError> {
    let xlsx = x.xlsx()?;
    let p = q.period.clone().unwrap_or_default();
    let lines = assessment_lines(&s, &user, q).await?;
    if !xlsx {
        return Ok(Json(lines).into_response());
    }
    let mut sheet = Sheet::new(
        "调解员考核",
        &[
            "调解员",
            "所属组织",
            "在册",
            "办结",
            "调解成功",
            "调解成功率",
            "回访",
            "满意",
            "满意率",
            "不满意",
            "培训学时",
        ],
    );
    for l in lines {
        let f = &l.figures;
        sheet.push(vec![
            l.name.into(),
            l.org_name.into(),
            (if l.active { "是" } else { "否" }).into(),
            u64::from(f.closed).into(),
            u64::from(f.agreements).into(),
            f.success_rate.into(),
            u64::from(f.followed_up).into(),
            u64::from(f.satisfied).into(),
            f.satisfaction_rate.into(),
            u64::from(f.dissatisfied).into(),
            f.training_hours.into(),
        ]);
    }
    super::reports::xlsx(&format!("调解员半年考核-{p}.xlsx"), &[sheet])
}

async fn assessment_lines(
    s: &AppState,
    user: &Staff,
    q: HalfYear,
) -> Result<Vec<AssessmentLine>, ApiError> {
    allow(user, &[Role::Leader], "查看调解员考核")?;
    let (_, from, to) = half(q.period)?;
    let mut figures = s.store.mediator_figures(&user.region, from, to).await?;
    let orgs = s.store.organizations(None).await?;
    let lines = s
        .store
        .mediators(Some(&user.region))
        .await?
        .into_iter()
        .map(|m| AssessmentLine {
            figures: figures.remove(&m.id).unwrap_or_default(),
            org_name: orgs
                .iter()
                .find(|o| o.id == m.org_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            mediator: m.id,
            name: m.name,
            active: m.active,
        })
        .collect();
    Ok(lines)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Export {
    /// `xlsx` for a spreadsheet instead of JSON.
    format: Option<String>,
}

impl Export {
    fn xlsx(&self) -> Result<bool, FieldError> {
        wants_xlsx(self.format.as_deref())
    }
}

/// Whether `format` asks for a spreadsheet rather than JSON.
pub(crate) fn wants_xlsx(format: Option<&str>) -> Result<bool, FieldError> {
    match format {
        None | Some("json") => Ok(false),
        Some("xlsx") => Ok(true),
        Some(_) => Err(FieldError::new(
            "format",
            "invalid_value",
            "格式应为 json 或 xlsx",
        )),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessRequest {
    pub period: String,
    pub qualified: bool,
    /// Required when not qualified: the mediator is then removed from the directory.
    #[serde(default)]
    pub reason: String,
}

/// Record a mediator's assessment for a half-year; an unqualified one leaves the
/// directory (清退), with the reason on record.
#[utoipa::path(post, path = "/api/v1/mediators/{id}/assessments", tag = "oversight", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AssessRequest,
    responses((status = 201, body = Object), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn assess(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<AssessRequest>,
) -> Result<(StatusCode, Json<Assessment>), ApiError> {
    allow(&user, &[Role::Leader], "考核调解员")?;
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("调解员"))?;
    s.store
        .mediator(id)
        .await?
        .ok_or(ApiError::NotFound("调解员"))?;
    let (p, from, to) = half(Some(req.period))?;
    let figures = s
        .store
        .mediator_figures(&user.region, from, to)
        .await?
        .remove(&id)
        .unwrap_or_default();
    let a = s
        .store
        .assess(
            id,
            &p,
            &figures,
            req.qualified,
            &req.reason,
            &user.display_name,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingRequest {
    pub day: String,
    pub title: String,
    pub hours: f64,
    #[serde(default)]
    pub organizer: String,
}

/// Record a training a mediator attended.
#[utoipa::path(post, path = "/api/v1/mediators/{id}/trainings", tag = "oversight", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = TrainingRequest,
    responses((status = 201, body = Object), (status = 422, body = ErrorBody)))]
pub async fn train(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TrainingRequest>,
) -> Result<(StatusCode, Json<Training>), ApiError> {
    allow(&user, &[Role::Leader, Role::Dispatcher], "登记培训")?;
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("调解员"))?;
    s.store
        .mediator(id)
        .await?
        .ok_or(ApiError::NotFound("调解员"))?;
    let t = s
        .store
        .add_training(id, &req.day, &req.title, req.hours, &req.organizer)
        .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Subsidy rates (以奖代补), yuan per resolved case of each type: a category code, or
/// `petition` (e.g. ¥1,000 for a resolved long-standing petition).
#[utoipa::path(put, path = "/api/v1/subsidies/rates", tag = "oversight", security(("bearer" = [])),
    request_body = Object, responses((status = 200, body = Object), (status = 422, body = ErrorBody)))]
pub async fn put_rates(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(rates): ApiJson<BTreeMap<String, f64>>,
) -> Result<Json<BTreeMap<String, f64>>, ApiError> {
    allow(&user, &[], "设置以奖代补标准")?;
    let mut errs = FieldErrors::default();
    let mut fen = BTreeMap::new();
    for (k, v) in &rates {
        let known = k == "petition" || concord_domain::category::Category::parse(k, k).is_ok();
        if !known {
            errs.push(FieldError::new(
                k.clone(),
                "invalid_value",
                "类型应为纠纷类别代码或 petition",
            ));
        }
        if !v.is_finite() || !(0.0..=1_000_000.0).contains(v) {
            errs.push(FieldError::new(
                k.clone(),
                "out_of_range",
                "金额应在0到100万元之间",
            ));
        }
        fen.insert(k.clone(), (v * 100.0).round() as i64);
    }
    errs.into_result()?;
    s.store.put_subsidy_rates(&fen, &user.display_name).await?;
    Ok(Json(rates))
}

#[derive(Serialize, ToSchema)]
pub struct PayoutLine {
    pub mediator: i64,
    pub name: String,
    /// Per case type: resolved cases and yuan due.
    #[schema(value_type = Object)]
    pub lines: BTreeMap<String, (u32, f64)>,
    pub total: f64,
}

/// The subsidy payout for cases resolved in a period, per mediator.
#[utoipa::path(get, path = "/api/v1/subsidies/payout", tag = "oversight", security(("bearer" = [])),
    params(Period, Export), responses((status = 200, body = [PayoutLine], description = "JSON; with format=xlsx, an .xlsx workbook")))]
pub async fn payout(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<Period>,
    ApiQuery(x): ApiQuery<Export>,
) -> Result<Response, ApiError> {
    allow(&user, &[Role::Leader], "查看以奖代补")?;
    let xlsx = x.xlsx()?;
    let label = format!(
        "{}至{}",
        q.from.as_deref().unwrap_or("年初"),
        q.to.as_deref().unwrap_or("今日")
    );
    let (from, to) = period(q)?;
    let mediators = s.store.mediators(None).await?;
    let out: Vec<PayoutLine> = s
        .store
        .subsidy_payout(&user.region, from, to)
        .await?
        .into_iter()
        .map(|(m, lines)| {
            let lines: BTreeMap<String, (u32, f64)> = lines
                .into_iter()
                .map(|(k, (n, fen))| (k, (n, fen as f64 / 100.0)))
                .collect();
            PayoutLine {
                mediator: m,
                name: mediators
                    .iter()
                    .find(|x| x.id == m)
                    .map(|x| x.name.clone())
                    .unwrap_or_default(),
                total: lines.values().map(|l| l.1).sum(),
                lines,
            }
        })
        .collect();
    if !xlsx {
        return Ok(Json(out).into_response());
    }
    let mut sheet = Sheet::new(
        "以奖代补",
        &["调解员", "案件类型", "成功件数", "标准(元/件)", "金额(元)"],
    );
    for l in &out {
        for (kind, (n, yuan)) in &l.lines {
            let label = concord_domain::category::Category::parse("k", kind)
                .map_or("信访积案", |c| c.label());
            let each = if *n > 0 { yuan / f64::from(*n) } else { 0.0 };
            sheet.push(vec![
                l.name.clone().into(),
                label.into(),
                u64::from(*n).into(),
                each.into(),
                (*yuan).into(),
            ]);
        }
        sheet.push(vec![
            l.name.clone().into(),
            "合计".into(),
            Cell::Empty,
            Cell::Empty,
            l.total.into(),
        ]);
    }
    super::reports::xlsx(&format!("以奖代补发放表-{label}.xlsx"), &[sheet])
}
