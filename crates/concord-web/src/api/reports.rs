//! Figures and reports: the figures of a region and period with every breakdown, the
//! ledger of cases as .xlsx, and the monthly risk assessment (研判报告) as PDF, kept.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_domain::FieldError;
use concord_domain::calendar::parse_date;
use concord_domain::figures::{Counts, Dimension, Tally};
use concord_domain::org::{Role, Staff};
use concord_domain::region::RegionCode;
use concord_domain::time::local_date;
use concord_store::reports::ReportMeta;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cases::{ListQuery, scoped_filter};
use super::oversight::allow;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser};
use crate::reports::monthly::{Month, keep};
use crate::reports::{BreakdownLine, FigureReport, Names, ledger};

/// `region` or the user's own, refused outside their subtree.
pub(crate) fn scope(user: &Staff, region: Option<&str>) -> Result<RegionCode, ApiError> {
    let region = match region.filter(|r| !r.is_empty()) {
        Some(r) => RegionCode::parse("region", r)?,
        None => user.region,
    };
    if !user.region.contains(&region) {
        return Err(ApiError::Forbidden(format!(
            "区划{region}不在您的管辖范围({})内",
            user.region
        )));
    }
    Ok(region)
}

/// [from, to] from the query: this year so far by default.
pub(crate) fn days(from: Option<&str>, to: Option<&str>) -> Result<(Date, Date), ApiError> {
    let today = local_date(Timestamp::now());
    let mut errs = concord_domain::FieldErrors::default();
    let mut get = |field: &str, v: Option<&str>, default: Date| match v.filter(|s| !s.is_empty()) {
        Some(v) => errs.take(parse_date(field, v)).unwrap_or(default),
        None => default,
    };
    let from = get("from", from, Date::new(today.year(), 1, 1).unwrap_or(today));
    let to = get("to", to, today);
    if to < from {
        errs.push(FieldError::new(
            "to",
            "out_of_range",
            "结束日期早于开始日期",
        ));
    }
    errs.into_result()?;
    Ok((from, to))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresQuery {
    /// A region code (default: your region): its whole subtree.
    region: Option<String>,
    /// First day, YYYY-MM-DD (default: 1 January this year).
    from: Option<String>,
    /// Last day, YYYY-MM-DD, counted (default: today).
    to: Option<String>,
}

/// Rates derived from counts; null where there is nothing to divide by.
#[derive(Serialize, ToSchema)]
pub struct Rates {
    pub success_rate: Option<f64>,
    pub closure_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
    /// Working days from acceptance to closure, on average.
    pub average_work_days: Option<f64>,
    /// Resolved at village, township, county and above (the 631 goal: 0.6, 0.3, 0.1).
    pub shares_631: Option<[f64; 3]>,
}

impl Rates {
    fn of(c: &Counts) -> Rates {
        Rates {
            success_rate: c.success_rate(),
            closure_rate: c.closure_rate(),
            on_time_rate: c.on_time_rate(),
            satisfaction_rate: c.satisfaction_rate(),
            average_work_days: c.average_work_days(),
            shares_631: c.shares_631(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RegionFigures {
    pub code: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub counts: Counts,
    pub rates: Rates,
}

#[derive(Serialize, ToSchema)]
pub struct CategoryCount {
    pub category: String,
    pub label: &'static str,
    pub registered: u64,
}

/// One line of a breakdown by channel, lead unit or mediator.
#[derive(Serialize, ToSchema)]
pub struct BreakdownView {
    /// The channel's code, or the unit's or mediator's id.
    pub key: String,
    pub name: String,
    #[schema(value_type = Object)]
    pub counts: Tally,
    pub success_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    pub average_work_days: Option<f64>,
}

impl From<BreakdownLine> for BreakdownView {
    fn from(l: BreakdownLine) -> Self {
        BreakdownView {
            success_rate: l.tally.success_rate(),
            on_time_rate: l.tally.on_time_rate(),
            average_work_days: l.tally.average_work_days(),
            key: l.key,
            name: l.name,
            counts: l.tally,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WeekCount {
    /// The Monday of the week.
    pub week: String,
    pub registered: u64,
}

/// The figures of a region and period (docs/figures.md).
#[derive(Serialize, ToSchema)]
pub struct FiguresView {
    pub region: String,
    pub region_name: String,
    pub from: String,
    pub to: String,
    #[schema(value_type = Object)]
    pub counts: Counts,
    pub rates: Rates,
    /// Open now, and open past the deadline now (not period figures).
    pub open_now: u64,
    pub overdue_now: u64,
    pub by_category: Vec<CategoryCount>,
    /// The child regions, with what happened in each.
    pub by_region: Vec<RegionFigures>,
    pub by_channel: Vec<BreakdownView>,
    /// Lead units, busiest first (the ranking of units).
    pub by_unit: Vec<BreakdownView>,
    pub by_mediator: Vec<BreakdownView>,
    pub weekly: Vec<WeekCount>,
}

impl From<FigureReport> for FiguresView {
    fn from(r: FigureReport) -> Self {
        let breakdown = |d| r.breakdown(d).into_iter().map(Into::into).collect();
        let (by_channel, by_unit, by_mediator) = (
            breakdown(Dimension::Channel),
            breakdown(Dimension::Unit),
            breakdown(Dimension::Mediator),
        );
        let f = &r.figures;
        let mut by_category: Vec<CategoryCount> = f
            .by_category
            .iter()
            .map(|(c, n)| CategoryCount {
                category: c.as_str().into(),
                label: c.label(),
                registered: *n,
            })
            .collect();
        by_category.sort_by_key(|c| std::cmp::Reverse(c.registered));
        FiguresView {
            region: r.region.to_string(),
            region_name: r.region_name.clone(),
            from: r.from.to_string(),
            to: r.to.to_string(),
            rates: Rates::of(&f.counts),
            counts: f.counts.clone(),
            open_now: f.open_now,
            overdue_now: f.overdue_now,
            by_category,
            by_region: f
                .by_region
                .iter()
                .map(|(code, n)| RegionFigures {
                    code: code.clone(),
                    name: r.names.region(code),
                    counts: n.clone(),
                    rates: Rates::of(n),
                })
                .collect(),
            by_channel,
            by_unit,
            by_mediator,
            weekly: f
                .weekly
                .iter()
                .map(|(w, n)| WeekCount {
                    week: w.clone(),
                    registered: *n,
                })
                .collect(),
        }
    }
}

/// The figures of a region's subtree over a period: counts, rates, the 631 shares, and
/// breakdowns by child region, category, channel, lead unit and mediator. Kept as cases
/// move, so the answer does not slow as cases pile up.
#[utoipa::path(get, path = "/api/v1/figures", tag = "figures", security(("bearer" = [])),
    params(FiguresQuery),
    responses((status = 200, body = FiguresView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn figures(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> Result<Json<FiguresView>, ApiError> {
    let region = scope(&user, q.region.as_deref())?;
    let (from, to) = days(q.from.as_deref(), q.to.as_deref())?;
    let r = FigureReport::load(&s.store, &region, from, to, Timestamp::now()).await?;
    Ok(Json(r.into()))
}

/// Who may write a report (and the administrator).
pub(crate) const REPORT_WRITERS: &[Role] = &[Role::Leader, Role::Dispatcher];

pub(crate) const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A file to download.
pub(crate) fn download(mime: &str, name: &str, bytes: Vec<u8>) -> Response {
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename=\"report\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// A workbook of `sheets` as a download.
pub(crate) fn xlsx(
    name: &str,
    sheets: &[concord_docs::sheet::Sheet],
) -> Result<Response, ApiError> {
    let bytes =
        concord_docs::sheet::to_xlsx(sheets).map_err(|e| ApiError::Internal(Box::new(e)))?;
    Ok(download(XLSX, name, bytes))
}

/// The ledger (台账) of the cases the list's filters select, as .xlsx: one row per case,
/// up to 200,000 rows (narrow the filter for more).
#[utoipa::path(get, path = "/api/v1/reports/ledger", tag = "figures", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, description = "An .xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ledger_xlsx(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Response, ApiError> {
    let filter = scoped_filter(&user, q)?;
    let region = filter.region.unwrap_or(user.region);
    let names = Names::for_ledger(&s.store, &region).await?;
    let sheet = ledger::ledger(&s.store, filter, &names, Timestamp::now())
        .await?
        .ok_or_else(|| {
            FieldError::new(
                "filter",
                "too_many",
                format!(
                    "超过{}件,请缩小筛选范围(区划、日期、状态)",
                    ledger::MAX_ROWS
                ),
            )
        })?;
    let today = local_date(Timestamp::now());
    xlsx(&format!("矛盾纠纷台账-{region}-{today}.xlsx"), &[sheet])
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// A region code (default: your region).
    #[serde(default)]
    pub region: Option<String>,
    /// The month reported on, YYYY-MM.
    pub month: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub kind: String,
    pub region: String,
    pub period: String,
    pub title: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    pub created_by: String,
    /// Where to fetch the PDF.
    pub href: String,
}

impl From<ReportMeta> for ReportView {
    fn from(m: ReportMeta) -> Self {
        ReportView {
            href: format!("/api/v1/reports/{}", m.id),
            id: m.id,
            kind: m.kind,
            region: m.region,
            period: m.period,
            title: m.title,
            created_at: m.created_at,
            created_by: m.created_by,
        }
    }
}

/// Generate the monthly risk assessment (研判报告) of a region for a month, as PDF, and
/// keep it (replacing an earlier one for the same region and month).
#[utoipa::path(post, path = "/api/v1/reports", tag = "figures", security(("bearer" = [])),
    request_body = ReportRequest,
    responses((status = 201, body = ReportView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn generate(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(req): ApiJson<ReportRequest>,
) -> Result<(StatusCode, Json<ReportView>), ApiError> {
    allow(&user, REPORT_WRITERS, "生成研判报告")?;
    let region = scope(&user, req.region.as_deref())?;
    s.store.require_region("region", &region).await?;
    let today = local_date(Timestamp::now());
    let month = Month::parse(&req.month)
        .filter(|m| m.first() <= today)
        .ok_or_else(|| {
            FieldError::new("month", "invalid_value", "月份应为已开始的月份,如 2026-11")
        })?;
    let kept = keep(
        &s.store,
        &region,
        month,
        &user.display_name,
        Timestamp::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(kept.meta.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportsQuery {
    /// A region code (default: your region): reports on its whole subtree.
    region: Option<String>,
}

/// The reports kept for a region's subtree, newest month first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "figures", security(("bearer" = [])),
    params(ReportsQuery),
    responses((status = 200, body = [ReportView]), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiQuery(q): ApiQuery<ReportsQuery>,
) -> Result<Json<Vec<ReportView>>, ApiError> {
    let region = scope(&user, q.region.as_deref())?;
    let items = s.store.reports(&region).await?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

/// A kept report, as PDF.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "figures", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, description = "The report", content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
pub async fn file(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("报告"))?;
    let (meta, pdf) = s
        .store
        .report(id)
        .await?
        .ok_or(ApiError::NotFound("报告"))?;
    let region = RegionCode::parse("region", &meta.region)?;
    if !user.region.contains(&region) {
        return Err(ApiError::NotFound("报告"));
    }
    Ok(download(
        "application/pdf",
        &format!("{}.pdf", meta.title),
        pdf,
    ))
}
