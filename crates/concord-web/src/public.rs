//! What citizens reach without an account: the report form (from a QR code or the web),
//! its JSON endpoint, tracking a case with its number and tracking code, and the QR codes
//! themselves. Rate-limited per address.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use concord_domain::case::{CaseKind, Channel, NewCaseInput, PartyInput, Status};
use concord_domain::category::Category;
use concord_domain::deadline::{Clock, clock};
use concord_domain::intake::PetitionInfo;
use concord_domain::lifecycle::ActionKind;
use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::{FieldError, FieldErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ClientIp};
use crate::views::local_time;

/// A citizen's own account of a dispute.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicCaseInput {
    /// `dispute` (default) or `petition`.
    #[serde(default)]
    pub kind: Option<CaseKind>,
    /// `online` (default) or `qr_code`.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// If the citizen knows it; otherwise the classifier suggests one for the dispatcher
    /// to confirm.
    #[serde(default)]
    pub category: Option<Category>,
    pub description: String,
    pub region: String,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default)]
    pub complainants: Option<u32>,
    pub parties: Vec<PartyInput>,
    #[serde(default)]
    pub petition: Option<PetitionInfo>,
}

#[derive(Serialize, ToSchema)]
pub struct Submitted {
    /// Readable aloud: 331125-2026-00042.
    pub number: String,
    /// Shown once: with the number it opens the case's progress.
    pub tracking_code: String,
    pub category: Category,
    pub category_label: &'static str,
    /// What happens next, in Chinese.
    pub next_step: String,
}

/// Submit a dispute without an account (网上申请 / 码上反映). Returns the case number
/// and a tracking code.
#[utoipa::path(post, path = "/api/v1/public/cases", tag = "public",
    request_body = PublicCaseInput,
    responses((status = 201, body = Submitted), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn submit(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<PublicCaseInput>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    if !s.limits.submit.allow(ip) {
        return Err(ApiError::TooManyRequests);
    }
    let facts = citizen_case(&s, input)?.validate()?;
    let (record, code) = s.store.create_public_case(facts, Timestamp::now()).await?;
    let c = &record.case;
    let next_step = if c.facts.kind == CaseKind::Petition {
        "中心将在15日内告知是否受理。".to_string()
    } else {
        "中心将在1个工作日内决定是否受理,受理后按期限办结。".to_string()
    };
    Ok((
        StatusCode::CREATED,
        Json(Submitted {
            number: c.number.clone(),
            tracking_code: code,
            category: c.facts.category,
            category_label: c.facts.category.label(),
            next_step,
        }),
    ))
}

fn citizen_case(s: &AppState, input: PublicCaseInput) -> Result<NewCaseInput, FieldErrors> {
    let channel = input.channel.unwrap_or(Channel::Online);
    if !matches!(channel, Channel::Online | Channel::QrCode) {
        return Err(FieldError::new(
            "channel",
            "invalid_value",
            "网上提交的渠道应为 online 或 qr_code",
        )
        .into());
    }
    // An unknown category is the classifier's first guess; the dispatcher confirms it.
    let category = input.category.unwrap_or_else(|| {
        s.classifier
            .model()
            .classify(&input.description, 1)
            .suggestions[0]
            .category
    });
    Ok(NewCaseInput {
        kind: input.kind.unwrap_or(CaseKind::Dispute),
        channel,
        category,
        description: input.description,
        region: input.region,
        address: input.address,
        amount: input.amount,
        complainants: input.complainants.unwrap_or(1),
        complexity: concord_domain::case::Complexity::General,
        level: None,
        tier: None,
        parties: input.parties,
        window: None,
        petition: input.petition,
        transfer: None,
        source: None,
        external_ref: None,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrackQuery {
    number: Option<String>,
    code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicStep {
    pub at: String,
    pub label: String,
    pub note: Option<String>,
}

/// What a citizen sees of their case: where it stands, the deadline, each step.
#[derive(Serialize, ToSchema)]
pub struct PublicCaseView {
    pub number: String,
    pub status: Status,
    pub status_label: &'static str,
    pub category_label: &'static str,
    pub registered_at: String,
    pub lead_unit_name: Option<String>,
    pub deadline: Option<String>,
    pub deadline_date: Option<String>,
    pub clock: Option<Clock>,
    /// The follow-up's answer, once followed up (or rated online).
    pub satisfaction_label: Option<&'static str>,
    pub steps: Vec<PublicStep>,
}

/// Follow a case with its number and tracking code. A wrong pair and an unknown number
/// get the same answer; repeated failures from one address are refused for a while.
#[utoipa::path(get, path = "/api/v1/public/track", tag = "public", params(TrackQuery),
    responses((status = 200, body = PublicCaseView), (status = 404, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn track(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<TrackQuery>,
) -> Result<Json<PublicCaseView>, ApiError> {
    let (number, code) = (q.number.unwrap_or_default(), q.code.unwrap_or_default());
    let record = tracked_case(&s, ip, &number, &code).await?;
    Ok(Json(public_view(&s, record).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OneTimeCodeRequest {
    /// The case number.
    pub number: String,
    /// A phone number given for one of the case's parties.
    pub phone: String,
}

#[derive(Serialize, ToSchema)]
pub struct OneTimeCodeSent {
    pub message: String,
}

/// Ask for a one-time code (短信验证码) by SMS, for a citizen without their tracking
/// code: the case number and a phone given for one of its parties. The code goes only to
/// that phone and then works as the tracking code for ten minutes (at most three codes
/// per case in that time; five wrong guesses on a case and its codes stop working). The
/// answer is the same whether or not the phone matched, so that it tells nothing about
/// the case.
#[utoipa::path(post, path = "/api/v1/public/one-time-codes", tag = "public", request_body = OneTimeCodeRequest,
    responses((status = 202, body = OneTimeCodeSent), (status = 422, body = ErrorBody),
              (status = 429, body = ErrorBody)))]
pub async fn one_time_code(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<OneTimeCodeRequest>,
) -> Result<(StatusCode, Json<OneTimeCodeSent>), ApiError> {
    let mut errs = FieldErrors::default();
    if req.number.trim().is_empty() || req.number.len() > 40 {
        errs.push(FieldError::new("number", "required", "请输入事项编号"));
    }
    let phone = errs.take(concord_domain::person::Phone::parse("phone", &req.phone));
    errs.into_result()?;
    if !s.limits.track.allow(ip) {
        return Err(ApiError::TooManyRequests);
    }
    let phone = phone.expect("checked above");
    match s.store.issue_one_time_code(&req.number, &phone, Timestamp::now()).await? {
        concord_store::OneTime::Issued { code, phone } => s.sms.send(
            phone,
            format!(
                "【矛盾纠纷调处化解中心】您查询事项{}的验证码为{code},{}分钟内有效。如非本人操作请忽略。",
                req.number.trim(),
                concord_store::ONE_TIME_MINUTES
            ),
        ),
        // Saying "too many" only for a matching phone would tell that it matched.
        concord_store::OneTime::TooMany | concord_store::OneTime::NoMatch => {}
    }
    let message = format!(
        "如果手机号与该事项登记的一致,验证码已发送,{}分钟内有效",
        concord_store::ONE_TIME_MINUTES
    );
    Ok((StatusCode::ACCEPTED, Json(OneTimeCodeSent { message })))
}

/// The case a citizen names by its number and tracking code. A wrong pair and an unknown
/// number get the same answer; repeated tries from one address are refused for a while.
pub(crate) async fn tracked_case(
    s: &AppState,
    ip: std::net::IpAddr,
    number: &str,
    code: &str,
) -> Result<concord_store::CaseRecord, ApiError> {
    let mut errs = FieldErrors::default();
    for (f, v, what) in [("number", number, "事项编号"), ("code", code, "查询码")] {
        if v.trim().is_empty() || v.len() > 40 {
            errs.push(FieldError::new(f, "required", format!("请输入{what}")));
        }
    }
    errs.into_result()?;
    if !s.limits.track.allow(ip) {
        return Err(ApiError::TooManyRequests);
    }
    let id = s.store.track(number, code).await?;
    match id {
        Some(id) => s.store.case(id).await?,
        None => None,
    }
    .ok_or_else(|| ApiError::NotFoundMessage("未找到该事项:请核对事项编号和查询码".into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicRating {
    pub number: String,
    pub code: String,
    pub satisfaction: concord_domain::case::Satisfaction,
    /// Whether the agreement is being kept, if there was one.
    #[serde(default)]
    pub performance: Option<concord_domain::action::Performance>,
    /// What they want to say (at most 500 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// 评价: the applicant rates the handling of their closed case online, with its number and
/// tracking code. It is the case's follow-up (网上回访): once, and a dissatisfied rating
/// counts toward the unit's accountability like any other.
#[utoipa::path(post, path = "/api/v1/public/ratings", tag = "public", request_body = PublicRating,
    responses((status = 200, body = PublicCaseView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rate(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    crate::extract::ApiJson(req): crate::extract::ApiJson<PublicRating>,
) -> Result<Json<PublicCaseView>, ApiError> {
    let note = req
        .note
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 500) {
        return Err(FieldError::new("note", "too_long", "意见不能超过500字").into());
    }
    let r = tracked_case(&s, ip, &req.number, &req.code).await?;
    if r.case.status != concord_domain::case::Status::Closed {
        return Err(ApiError::Conflict(format!(
            "事项{},现在不能评价",
            r.case.status.label()
        )));
    }
    let applicant = r.case.facts.parties.first().map_or("", |p| p.name.as_str());
    let action = concord_domain::lifecycle::Action::FollowUp {
        satisfaction: req.satisfaction,
        method: Some(concord_domain::action::FollowUpMethod::Online),
        performance: req.performance,
        note,
    };
    let record = s
        .store
        .transition(
            &concord_store::Actor::party_rating(applicant),
            r.case.id,
            action,
            None,
            Timestamp::now(),
        )
        .await?;
    Ok(Json(public_view(&s, record).await?))
}

async fn public_view(
    s: &AppState,
    r: concord_store::CaseRecord,
) -> Result<PublicCaseView, ApiError> {
    let orgs = s.store.organizations(None).await?;
    let name = |id: Option<i64>| {
        id.and_then(|u| orgs.iter().find(|o| o.id == u))
            .map(|o| o.name.clone())
    };
    let c = &r.case;
    let now = Timestamp::now();
    let steps = r
        .events
        .iter()
        .filter(|e| {
            !matches!(
                e.action,
                ActionKind::Reclassify
                    | ActionKind::AssessRisk
                    | ActionKind::CompleteTask
                    | ActionKind::ReturnTask
            )
        })
        .map(|e| {
            let unit = e.details["changes"]["lead_unit"][1].as_i64();
            let note = match e.action {
                ActionKind::Assign => name(unit).map(|u| format!("交由{u}办理")),
                ActionKind::Reject => Some(format!(
                    "{};{}",
                    e.reason.clone().unwrap_or_default(),
                    e.details["guidance"].as_str().unwrap_or("")
                )),
                _ => None,
            };
            PublicStep {
                at: local_time(e.at),
                label: e.action.label().to_string(),
                note,
            }
        })
        .collect();
    let light = match (c.status.is_open(), c.clock_start, c.deadline) {
        (true, Some(st), Some(d)) => Some(clock(st, d, now)),
        _ => None,
    };
    Ok(PublicCaseView {
        number: c.number.clone(),
        status: c.status,
        status_label: c.status.label(),
        category_label: c.facts.category.label(),
        registered_at: local_time(c.registered_at),
        lead_unit_name: name(c.lead_unit),
        deadline: c.deadline.map(local_time),
        deadline_date: c.deadline.map(crate::views::last_day),
        clock: light,
        satisfaction_label: c.satisfaction.map(|x| x.label()),
        steps,
    })
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    region: String,
    region_name: Option<String>,
    center_name: Option<String>,
    townships: Vec<(String, String)>,
    categories: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize)]
pub struct ReportQuery {
    region: Option<String>,
    center: Option<i64>,
}

/// The report form, with the place filled in when a QR code says where.
pub async fn report_page(
    State(s): State<AppState>,
    Query(q): Query<ReportQuery>,
) -> Result<Html<String>, ApiError> {
    let region = match q.region.as_deref().map(|r| RegionCode::parse("region", r)) {
        Some(Ok(code)) => s.store.region(&code).await?,
        _ => None,
    };
    let orgs = s.store.organizations(None).await?;
    let center_name = q
        .center
        .and_then(|id| orgs.iter().find(|o| o.id == id))
        .map(|o| o.name.clone());
    let townships = match region {
        Some(_) => Vec::new(),
        None => township_choices(&s).await?,
    };
    let page = ReportPage {
        region: region
            .as_ref()
            .map(|r| r.code.to_string())
            .unwrap_or_default(),
        region_name: region.map(|r| r.name),
        center_name,
        townships,
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), c.label()))
            .collect(),
    };
    Ok(Html(
        page.render().map_err(|e| ApiError::Internal(Box::new(e)))?,
    ))
}

/// The townships of every county in the system, for a form reached without a QR code.
async fn township_choices(s: &AppState) -> Result<Vec<(String, String)>, ApiError> {
    let mut out = Vec::new();
    let mut queue = s.store.regions(None).await?;
    while let Some(r) = queue.pop() {
        match r.level {
            RegionLevel::Township => out.push((r.code.to_string(), r.name)),
            RegionLevel::Village => {}
            _ => queue.extend(s.store.regions(Some(&r.code)).await?),
        }
    }
    out.sort();
    Ok(out)
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    number: String,
}

#[derive(Deserialize)]
pub struct TrackPageQuery {
    number: Option<String>,
}

pub async fn track_page(Query(q): Query<TrackPageQuery>) -> Result<Html<String>, ApiError> {
    let page = TrackPage {
        number: q.number.unwrap_or_default(),
    };
    Ok(Html(
        page.render().map_err(|e| ApiError::Internal(Box::new(e)))?,
    ))
}

/// A file name `331125003002.svg` → (the code part, whether PNG).
fn qr_file(file: &str) -> Result<(&str, bool), ApiError> {
    match file.rsplit_once('.') {
        Some((stem, "svg")) => Ok((stem, false)),
        Some((stem, "png")) => Ok((stem, true)),
        _ => Err(FieldError::new("format", "invalid_value", "二维码格式应为 .svg 或 .png").into()),
    }
}

fn qr_response(data: &str, png: bool) -> Response {
    if png {
        ([(header::CONTENT_TYPE, "image/png")], crate::qr::png(data)).into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "image/svg+xml")],
            crate::qr::svg(data),
        )
            .into_response()
    }
}

/// The QR code of a region: it opens the report form with that place filled in.
#[utoipa::path(get, path = "/api/v1/qr/regions/{file}", tag = "public",
    params(("file" = String, Path, description = "`331125003002.svg` or `.png`")),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn region_qr(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (stem, png) = qr_file(&file)?;
    let code = RegionCode::parse("region", stem)?;
    s.store.require_region("region", &code).await?;
    let url = format!("{}/report?region={code}&via=qr", s.public_url);
    Ok(qr_response(&url, png))
}

/// The QR code of a center or any organization: the form with its place and name.
#[utoipa::path(get, path = "/api/v1/qr/organizations/{file}", tag = "public",
    params(("file" = String, Path, description = "`12.svg` or `12.png`")),
    responses((status = 200, content_type = "image/svg+xml"), (status = 404, body = ErrorBody)))]
pub async fn org_qr(
    State(s): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (stem, png) = qr_file(&file)?;
    let id: i64 = stem.parse().map_err(|_| ApiError::NotFound("单位"))?;
    let orgs = s.store.organizations(None).await?;
    let org = orgs
        .iter()
        .find(|o| o.id == id)
        .ok_or(ApiError::NotFound("单位"))?;
    let url = format!(
        "{}/report?region={}&center={id}&via=qr",
        s.public_url, org.region
    );
    Ok(qr_response(&url, png))
}
