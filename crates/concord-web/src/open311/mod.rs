//! Open311 GeoReport v2 under `/open311/v2`, in JSON and XML (by the file extension):
//! discovery, the categories as services, their extra questions, filing a request with an
//! API key, reading requests back with filters, and tokens. Errors are the spec's list of
//! `{code, description}` with status 400, 403 or 404 — never a 500 for bad input.
//! See docs/open311.md for the dispute extension and what is shown to whom.

mod xml;

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_domain::case::{CaseKind, NewCaseInput, PartyInput, PartyRole, Status};
use concord_domain::category::Category;
use concord_domain::open311::{ATTRIBUTES, RequestInput, group, is_open, status_notes};
use concord_domain::region::{Region, RegionCode, RegionLevel};
use concord_domain::{FieldError, FieldErrors};
use concord_store::StoreError;
use concord_store::open311::{ApiKey, FiledRequest, Filing, RequestFilter};
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::AppState;
use crate::views::local_time;

pub fn routes() -> Router<AppState> {
    use axum::routing::get;
    let v2 = Router::new()
        .route("/{file}", get(root_get).post(post_request))
        .route("/services/{file}", get(service_definition))
        // The `open311` client on PyPI asks for `service/…`; both are served.
        .route("/service/{file}", get(service_definition))
        .route("/requests/{file}", get(one_request))
        .route("/tokens/{file}", get(token))
        .method_not_allowed_fallback(wrong_method);
    let open311 = Router::new()
        .nest("/v2", v2)
        .route("/{file}", get(discovery_only))
        .method_not_allowed_fallback(wrong_method)
        .fallback(|| async { Fault::not_found("没有这一 Open311 资源").reply(Format::Json) });
    Router::new().nest("/open311", open311)
}

/// A method the resource does not take: 405, in the spec's error form.
async fn wrong_method(method: axum::http::Method) -> Response {
    Fault {
        status: StatusCode::METHOD_NOT_ALLOWED,
        descriptions: vec![format!("该资源不接受 {method} 请求")],
    }
    .reply(Format::Json)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Json,
    Xml,
}

/// `services.json` → (`services`, JSON).
fn split(file: &str) -> Result<(&str, Format), Fault> {
    match file.rsplit_once('.') {
        Some((name, "json")) => Ok((name, Format::Json)),
        Some((name, "xml")) => Ok((name, Format::Xml)),
        _ => Err(Fault::bad(format!(
            "“{file}”须以 .json 或 .xml 结尾,以指明返回格式"
        ))),
    }
}

/// An error in the spec's form.
#[derive(Debug)]
struct Fault {
    status: StatusCode,
    descriptions: Vec<String>,
}

impl Fault {
    fn bad(d: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            descriptions: vec![d.into()],
        }
    }

    fn forbidden(d: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            descriptions: vec![d.into()],
        }
    }

    fn not_found(d: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            descriptions: vec![d.into()],
        }
    }

    /// One error per field at fault, each naming its field.
    fn fields(errs: FieldErrors) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            descriptions: errs
                .0
                .into_iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        }
    }

    fn reply(self, format: Format) -> Response {
        let code = self.status.as_u16();
        let errors: Vec<Value> = self
            .descriptions
            .into_iter()
            .map(|d| json!({"code": code, "description": d}))
            .collect();
        reply(format, self.status, "errors", Value::Array(errors))
    }
}

impl From<StoreError> for Fault {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(errs) => Self::fields(errs),
            StoreError::Duplicate(m) => Self::bad(m),
            StoreError::NotFound(what) => Self::not_found(format!("{what}不存在")),
            StoreError::Forbidden(m) => Self::forbidden(m),
            other => {
                tracing::error!(error = %other, "an Open311 call failed");
                Self {
                    status: StatusCode::SERVICE_UNAVAILABLE,
                    descriptions: vec!["服务暂时不可用,请稍后重试".into()],
                }
            }
        }
    }
}

fn reply(format: Format, status: StatusCode, root: &str, value: Value) -> Response {
    match format {
        Format::Json => (status, axum::Json(value)).into_response(),
        Format::Xml => (
            status,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            xml::document(root, &value),
        )
            .into_response(),
    }
}

/// Runs `f` for the format the file names, answering its faults in that format.
async fn answer<F, Fut>(file: &str, f: F) -> Response
where
    F: FnOnce(String, Format) -> Fut,
    Fut: Future<Output = Result<(&'static str, Value), Fault>>,
{
    let (name, format) = match split(file) {
        Ok(x) => x,
        Err(fault) => return fault.reply(Format::Json),
    };
    match f(name.to_string(), format).await {
        Ok((root, value)) => reply(format, StatusCode::OK, root, value),
        Err(fault) => fault.reply(format),
    }
}

type Params = Vec<(String, String)>;

fn params(raw: Option<&str>) -> Params {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// The last non-empty value of `name`.
fn param<'a>(p: &'a Params, name: &str) -> Option<&'a str> {
    p.iter()
        .rev()
        .find(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// The jurisdiction named, if any; an unknown one is the spec's 404.
async fn jurisdiction(s: &AppState, p: &Params) -> Result<Option<Region>, Fault> {
    let Some(id) = param(p, "jurisdiction_id") else {
        return Ok(None);
    };
    let unknown = || Fault::not_found(format!("jurisdiction_id “{id}”不是本系统的辖区"));
    let code = RegionCode::parse("jurisdiction_id", id).map_err(|_| unknown())?;
    s.store.region(&code).await?.map(Some).ok_or_else(unknown)
}

/// The caller's key when one is given; a wrong one is refused.
async fn caller_key(s: &AppState, p: &Params) -> Result<Option<ApiKey>, Fault> {
    match param(p, "api_key") {
        None => Ok(None),
        Some(secret) => match s.store.api_key(secret).await? {
            Some(k) => Ok(Some(k)),
            None => Err(Fault::forbidden("api_key 无效或已停用")),
        },
    }
}

async fn discovery_only(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    answer(&file, |name, _| async move {
        match name.as_str() {
            "discovery" => Ok(("discovery", discovery(&s))),
            _ => Err(Fault::not_found("没有这一 Open311 资源")),
        }
    })
    .await
}

async fn root_get(
    State(s): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = params(q.as_deref());
    answer(&file, |name, _| async move {
        match name.as_str() {
            "discovery" => Ok(("discovery", discovery(&s))),
            "services" => {
                jurisdiction(&s, &p).await?;
                Ok(("services", Value::Array(services())))
            }
            "requests" => Ok(("service_requests", list_requests(&s, &p).await?)),
            _ => Err(Fault::not_found("没有这一 Open311 资源")),
        }
    })
    .await
}

/// Builds the `changeset`: when this service list last changed (with the release).
const CHANGESET: &str = "2026-11-25T00:00:00+08:00";

fn discovery(s: &AppState) -> Value {
    json!({
        "changeset": CHANGESET,
        "contact": "矛盾纠纷调处化解中心 信息化管理员",
        "key_service": "API 密钥由中心管理员在“管理 → 对接密钥”或用 concord apikey add 发放",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": format!("{}/open311/v2", s.public_url),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    })
}

fn keywords(c: Category) -> String {
    concord_text::lexicon::lexicon()
        .iter()
        .find(|(cat, _)| *cat == c)
        .map(|(_, words)| words.iter().take(8).copied().collect::<Vec<_>>().join(", "))
        .unwrap_or_default()
}

fn services() -> Vec<Value> {
    Category::ALL
        .iter()
        .map(|&c| {
            json!({
                "service_code": c.as_str(),
                "service_name": c.label(),
                "description": format!("{}类矛盾纠纷", c.label()),
                "metadata": true,
                "type": "realtime",
                "keywords": keywords(c),
                "group": group(c),
            })
        })
        .collect()
}

async fn service_definition(
    State(s): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = params(q.as_deref());
    answer(&file, |code, _| async move {
        jurisdiction(&s, &p).await?;
        let c = Category::parse("service_code", &code)
            .map_err(|_| Fault::not_found(format!("没有服务代码“{code}”")))?;
        let attributes: Vec<Value> = ATTRIBUTES
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let values: Vec<Value> = a
                    .values
                    .iter()
                    .map(|(k, n)| json!({"key": k, "name": n}))
                    .collect();
                json!({
                    "variable": true,
                    "code": a.code,
                    "datatype": a.datatype,
                    "required": a.required,
                    "datatype_description": a.datatype_description,
                    "order": i + 1,
                    "description": a.description,
                    "values": values,
                })
            })
            .collect();
        Ok((
            "service_definition",
            json!({"service_code": c.as_str(), "attributes": attributes}),
        ))
    })
    .await
}

async fn post_request(
    State(s): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    // Clients put api_key and jurisdiction_id in the query, the body, or both.
    let mut p = params(q.as_deref());
    p.extend(form_urlencoded::parse(&body).into_owned());
    answer(&file, |name, _| async move {
        if name != "requests" {
            return Err(Fault::not_found("只能向 requests 提交服务请求"));
        }
        Ok(("service_requests", file_request(&s, &p).await?))
    })
    .await
}

async fn file_request(s: &AppState, p: &Params) -> Result<Value, Fault> {
    let key = caller_key(s, p)
        .await?
        .ok_or_else(|| Fault::forbidden("提交服务请求须提供 api_key"))?;
    let fields: Params = p.iter().filter(|(k, _)| k != "api_key").cloned().collect();
    let input = RequestInput::parse(&fields).map_err(Fault::fields)?;
    let area = match jurisdiction(s, p).await? {
        Some(r) => r.code,
        None => key.region,
    };
    if !key.region.contains(&area) {
        return Err(Fault::forbidden(format!(
            "该 api_key 只能向辖区 {} 提交",
            key.region
        )));
    }
    let region = place(s, &area, &input).await?;
    let facts = case_input(&key, &input, region)
        .validate()
        .map_err(Fault::fields)?;
    let filing = Filing {
        api_key_id: key.id,
        service_code: input.service_code.as_str().to_string(),
        lat: input.lat.clone(),
        long: input.long.clone(),
        address_id: input.address_id.clone(),
        media_url: input.media_url.clone(),
        email: input.email.clone(),
        device_id: input.device_id.clone(),
        account_id: input.account_id.clone(),
        attributes: serde_json::to_string(&input.attributes).expect("a map serializes"),
    };
    let (record, token) = s
        .store
        .create_open311_case(&key, facts, filing, Timestamp::now())
        .await?;
    let notice = match record.case.facts.kind {
        CaseKind::Petition => "已登记,中心将在15日内告知是否受理",
        CaseKind::Dispute => "已登记,中心将在1个工作日内决定是否受理",
    };
    Ok(json!([{
        "service_request_id": record.case.number,
        "token": token,
        "service_notice": notice,
        "account_id": input.account_id,
    }]))
}

/// Where the dispute arose: the address id if it is a region in the jurisdiction, else
/// the deepest region in the jurisdiction the address names, else the jurisdiction.
async fn place(s: &AppState, area: &RegionCode, input: &RequestInput) -> Result<RegionCode, Fault> {
    if let Some(id) = &input.address_id {
        let bad = || {
            Fault::fields(
                FieldError::new(
                    "address_id",
                    "unknown_region",
                    format!("“{id}”不是辖区 {area} 内的区划代码"),
                )
                .into(),
            )
        };
        let code = RegionCode::parse("address_id", id).map_err(|_| bad())?;
        if !area.contains(&code) || s.store.region(&code).await?.is_none() {
            return Err(bad());
        }
        return Ok(code);
    }
    let named = match &input.address_string {
        Some(address) => s
            .store
            .regions_within(area)
            .await?
            .into_iter()
            .filter(|r| address.contains(r.name.as_str()))
            .max_by_key(|r| r.code.level()),
        None => None,
    };
    let best = named.map_or(*area, |r| r.code);
    if best.level() < RegionLevel::County {
        return Err(Fault::fields(
            FieldError::new(
                "address_string",
                "unknown_region",
                "无法确定事发地所在的县(区):请在地址中写明县、乡镇或村,或给出 address_id",
            )
            .into(),
        ));
    }
    Ok(best)
}

fn case_input(key: &ApiKey, r: &RequestInput, region: RegionCode) -> NewCaseInput {
    let mut parties = vec![PartyInput {
        role: PartyRole::Applicant,
        kind: concord_domain::case::PartyKind::Person,
        name: r.applicant_name(),
        phone: r.phone.clone(),
        id_number: None,
    }];
    if let Some(name) = &r.respondent_name {
        parties.push(PartyInput {
            role: PartyRole::Respondent,
            kind: concord_domain::case::PartyKind::Person,
            name: name.clone(),
            phone: r.respondent_phone.clone(),
            id_number: None,
        });
    }
    NewCaseInput {
        kind: r.kind,
        channel: key.channel,
        category: r.service_code,
        description: r.description.clone(),
        region: region.as_str().to_string(),
        address: r.address_string.clone(),
        amount: r.amount,
        complainants: r.complainants,
        complexity: concord_domain::case::Complexity::General,
        level: None,
        tier: None,
        parties,
        window: None,
        petition: None,
        transfer: None,
        source: r.work_order_no.as_ref().map(|_| key.name.clone()),
        external_ref: r.work_order_no.clone(),
    }
}

/// Requests in the last 90 days unless dates are given; never a span over 90 days.
const MAX_DAYS: i64 = 90;
/// At most this many requests in one answer.
const MAX_REQUESTS: i64 = 1000;

async fn list_requests(s: &AppState, p: &Params) -> Result<Value, Fault> {
    let key = caller_key(s, p).await?;
    let mut f = RequestFilter {
        region: jurisdiction(s, p).await?.map(|r| r.code),
        limit: MAX_REQUESTS,
        ..Default::default()
    };
    if let Some(ids) = param(p, "service_request_id") {
        // The spec: a list of ids overrides every other filter.
        f.numbers = ids.split(',').map(|i| i.trim().to_string()).collect();
    } else {
        filter_by_codes(&mut f, p)?;
        filter_by_dates(&mut f, p, Timestamp::now())?;
    }
    let found = s.store.open311_requests(&f).await?;
    let extended = param(p, "extensions") == Some("true");
    let mut out = Vec::with_capacity(found.len());
    for r in &found {
        out.push(request_json(s, r, key.as_ref(), extended).await?);
    }
    Ok(Value::Array(out))
}

fn filter_by_codes(f: &mut RequestFilter, p: &Params) -> Result<(), Fault> {
    if let Some(codes) = param(p, "service_code") {
        for c in codes.split(',') {
            let c = Category::parse("service_code", c.trim())
                .map_err(|e| Fault::bad(format!("service_code: {}", e.message)))?;
            f.categories.push(c);
        }
    }
    if let Some(statuses) = param(p, "status") {
        let (mut open, mut closed) = (false, false);
        for st in statuses.split(',') {
            match st.trim() {
                "open" => open = true,
                "closed" => closed = true,
                other => {
                    return Err(Fault::bad(format!(
                        "status: “{other}”无效,可选 open、closed"
                    )));
                }
            }
        }
        f.statuses = Status::ALL
            .iter()
            .copied()
            .filter(|s| if is_open(*s) { open } else { closed })
            .collect();
    }
    Ok(())
}

fn filter_by_dates(f: &mut RequestFilter, p: &Params, now: Timestamp) -> Result<(), Fault> {
    let date = |name: &str| -> Result<Option<Timestamp>, Fault> {
        param(p, name)
            .map(|v| {
                v.parse::<Timestamp>().map_err(|_| {
                    Fault::bad(format!(
                        "{name}: “{v}”不是 W3C 日期时间,例如 2026-11-01T00:00:00Z"
                    ))
                })
            })
            .transpose()
    };
    let span = jiff::SignedDuration::from_hours(24 * MAX_DAYS);
    let (start, end) = match (date("start_date")?, date("end_date")?) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, a + span),
        (None, Some(b)) => (b - span, b),
        (None, None) => (now - span, now),
    };
    if end < start {
        return Err(Fault::bad("end_date 早于 start_date"));
    }
    if end.duration_since(start) > span {
        return Err(Fault::bad(format!(
            "start_date 与 end_date 相隔不能超过 {MAX_DAYS} 天"
        )));
    }
    f.start = Some(start);
    f.end = Some(end);
    Ok(())
}

async fn one_request(
    State(s): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = params(q.as_deref());
    answer(&file, |id, _| async move {
        let key = caller_key(&s, &p).await?;
        let f = RequestFilter {
            region: jurisdiction(&s, &p).await?.map(|r| r.code),
            numbers: vec![id.clone()],
            limit: 1,
            ..Default::default()
        };
        let found = s.store.open311_requests(&f).await?;
        let r = found
            .first()
            .ok_or_else(|| Fault::not_found(format!("没有服务请求“{id}”")))?;
        let extended = param(&p, "extensions") == Some("true");
        let one = request_json(&s, r, key.as_ref(), extended).await?;
        Ok(("service_requests", Value::Array(vec![one])))
    })
    .await
}

async fn token(State(s): State<AppState>, Path(file): Path<String>) -> Response {
    answer(&file, |token, _| async move {
        let number = s
            .store
            .open311_token(&token)
            .await?
            .ok_or_else(|| Fault::not_found(format!("没有令牌“{token}”")))?;
        Ok((
            "service_requests",
            json!([{"service_request_id": number, "token": token}]),
        ))
    })
    .await
}

/// A request as the spec shows it. What the citizen said and where is shown only to the
/// system that filed it; everyone sees where the case stands.
async fn request_json(
    s: &AppState,
    r: &FiledRequest,
    key: Option<&ApiKey>,
    extended: bool,
) -> Result<Value, Fault> {
    let own = key.is_some_and(|k| k.id == r.api_key_id);
    let private = |v: Value| if own { v } else { Value::Null };
    let coord = |v: &Option<String>| {
        v.as_deref()
            .and_then(|x| x.parse::<f64>().ok())
            .map_or(Value::Null, |x| json!(x))
    };
    let mut v = json!({
        "service_request_id": r.number,
        "status": if is_open(r.status) { "open" } else { "closed" },
        "status_notes": status_notes(r.status, r.lead_unit.as_deref()),
        "service_name": r.category.label(),
        "service_code": r.category.as_str(),
        "description": private(json!(r.description)),
        "agency_responsible": r.lead_unit,
        "service_notice": Value::Null,
        "requested_datetime": local_time(r.registered_at),
        "updated_datetime": local_time(r.updated_at),
        "expected_datetime": r.deadline.map(local_time),
        "address": private(json!(r.address)),
        "address_id": private(json!(r.address_id)),
        "zipcode": Value::Null,
        "lat": private(coord(&r.lat)),
        "long": private(coord(&r.long)),
        "media_url": private(json!(r.media_url)),
    });
    if own && extended {
        v["extensions"] = extensions(s, r.case_id).await?;
    }
    Ok(v)
}

/// The dispute extension: who is involved, at which level and tier, at which stage, with
/// which units, by when, and how it ended (docs/open311.md).
async fn extensions(s: &AppState, case_id: i64) -> Result<Value, Fault> {
    let record = s
        .store
        .case(case_id)
        .await?
        .ok_or(Fault::not_found("服务请求不存在"))?;
    let c = &record.case;
    let units: HashMap<i64, String> = s
        .store
        .organizations(Some(&c.facts.region.numbering_county()))
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let name = |id: &i64| {
        units
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("单位{id}"))
    };
    let parties: Vec<Value> = c
        .facts
        .parties
        .iter()
        .map(|p| {
            json!({
                "role": p.role.as_str(),
                "role_label": p.role.label(),
                "name": p.name,
                "phone": p.phone.as_ref().map(|ph| ph.masked()),
            })
        })
        .collect();
    let labelled = |code: Option<&str>, label: Option<&str>| match (code, label) {
        (Some(c), Some(l)) => json!({"code": c, "label": l}),
        _ => Value::Null,
    };
    Ok(json!({
        "parties": parties,
        "level": labelled(Some(c.facts.level.as_str()), Some(c.facts.level.label())),
        "tier": labelled(Some(c.facts.tier.as_str()), Some(c.facts.tier.label())),
        "stage": labelled(Some(c.status.as_str()), Some(c.status.label())),
        "lead_unit": c.lead_unit.as_ref().map(name),
        "co_handlers": c.co_handlers.iter().map(name).collect::<Vec<_>>(),
        "deadline": c.deadline.map(local_time),
        "outcome": labelled(c.outcome.map(|o| o.as_str()), c.outcome.map(|o| o.label())),
        "round": c.round,
    }))
}
