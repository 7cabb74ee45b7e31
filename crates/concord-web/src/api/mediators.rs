//! The mediator directory (with each one's open caseload and record), the parties'
//! picks (点单), and declared relations that rule a mediator out.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::FieldErrors;
use concord_domain::category::Category;
use concord_domain::mediator::{agreed, eligible};
use concord_domain::org::{Mediator, Role};
use concord_domain::person::{IdNumber, Phone};
use concord_domain::region::RegionCode;
use concord_store::mediators::Load;
use concord_store::{Actor, CaseRecord};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser, ClientIp};

#[derive(Serialize, ToSchema)]
pub struct MediatorEntry {
    #[serde(flatten)]
    pub mediator: Mediator,
    pub org_name: String,
    /// Cases they are handling now.
    pub open_cases: u32,
    pub closed_cases: u32,
    /// Agreements among closed cases, 0 to 1; null before the first.
    pub success_rate: Option<f64>,
}

async fn entries(s: &AppState, list: Vec<Mediator>) -> Result<Vec<MediatorEntry>, ApiError> {
    let loads = s.store.mediator_loads().await?;
    let orgs: HashMap<i64, String> = s
        .store
        .organizations(None)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    Ok(list
        .into_iter()
        .map(|m| {
            let l = loads.get(&m.id).copied().unwrap_or(Load::default());
            MediatorEntry {
                org_name: orgs.get(&m.org_id).cloned().unwrap_or_default(),
                open_cases: l.open,
                closed_cases: l.closed,
                success_rate: (l.closed > 0).then(|| {
                    (f64::from(l.agreements) / f64::from(l.closed) * 1000.0).round() / 1000.0
                }),
                mediator: m,
            }
        })
        .collect())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    /// A region code: mediators working in that region's subtree.
    region: Option<String>,
    /// Only those with this expertise (or none listed, who take any).
    category: Option<String>,
}

/// The mediator directory (公开): expertise, languages, where, open caseload and record.
#[utoipa::path(get, path = "/api/v1/mediators", tag = "directory", params(DirectoryQuery),
    responses((status = 200, body = [MediatorEntry]), (status = 422, body = ErrorBody)))]
pub async fn directory(
    State(s): State<AppState>,
    ApiQuery(q): ApiQuery<DirectoryQuery>,
) -> Result<Json<Vec<MediatorEntry>>, ApiError> {
    let mut errs = FieldErrors::default();
    let region = q
        .region
        .and_then(|v| errs.take(RegionCode::parse("region", &v)));
    let category = q
        .category
        .and_then(|v| errs.take(Category::parse("category", &v)));
    errs.into_result()?;
    let list: Vec<Mediator> = s
        .store
        .mediators(region.as_ref())
        .await?
        .into_iter()
        .filter(|m| {
            m.active && category.is_none_or(|c| m.expertise.is_empty() || m.expertise.contains(&c))
        })
        .collect();
    Ok(Json(entries(&s, list).await?))
}

#[derive(Serialize, ToSchema, Default)]
pub struct CaseMediators {
    /// Mediators who may take this case and have no conflict, least loaded first.
    pub eligible: Vec<MediatorEntry>,
    /// Each party's pick: party index (0-based, as in `parties`) and mediator.
    pub picks: Vec<PickView>,
    /// The mediator every party picked, once they agree.
    pub agreed: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PickView {
    pub party: usize,
    pub mediator: i64,
}

pub(crate) async fn case_mediators(
    s: &AppState,
    r: &CaseRecord,
) -> Result<CaseMediators, ApiError> {
    let mut list = Vec::new();
    for m in s.store.mediators(None).await? {
        if eligible(&m, &r.case.facts) && s.store.conflicts(m.id, &r.case).await?.is_empty() {
            list.push(m);
        }
    }
    let mut eligible = entries(s, list).await?;
    eligible.sort_by_key(|e| (e.open_cases, e.mediator.id));
    let picks = s.store.picks(r.case.id).await?;
    Ok(CaseMediators {
        agreed: agreed(&r.case.facts.parties, &picks),
        picks: picks
            .into_iter()
            .map(|(party, mediator)| PickView { party, mediator })
            .collect(),
        eligible,
    })
}

/// Who may mediate this case (no conflict of interest), the parties' picks, and the
/// mediator they agreed on.
#[utoipa::path(get, path = "/api/v1/cases/{id}/mediators", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = CaseMediators), (status = 404, body = ErrorBody)))]
pub async fn for_case(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<CaseMediators>, ApiError> {
    let r = super::cases::load_case(&s, &user, &id).await?;
    Ok(Json(case_mediators(&s, &r).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickRequest {
    /// Which party picks: its index in the case's `parties` (0 is the first applicant).
    pub party: usize,
    pub mediator: i64,
}

/// Record a party's pick from the directory (点单), e.g. told at the window. When every
/// party has picked the same mediator, the assignment gets them.
#[utoipa::path(post, path = "/api/v1/cases/{id}/mediator-picks", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = PickRequest,
    responses((status = 200, body = CaseMediators), (status = 422, body = ErrorBody)))]
pub async fn pick(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PickRequest>,
) -> Result<Json<CaseMediators>, ApiError> {
    if !matches!(user.role, Role::Clerk | Role::Dispatcher | Role::Admin) {
        return Err(ApiError::Forbidden(
            "只有窗口或指挥中心可以代当事人点单".into(),
        ));
    }
    let r = super::cases::load_case(&s, &user, &id).await?;
    picks_open(&r)?;
    s.store
        .record_pick(&r.case, req.party, req.mediator, Timestamp::now())
        .await?;
    Ok(Json(case_mediators(&s, &r).await?))
}

/// Picks are for cases not yet with a mediator at work.
fn picks_open(r: &CaseRecord) -> Result<(), ApiError> {
    use concord_domain::case::Status::*;
    if matches!(r.case.status, Registered | Accepted | Escalated) {
        Ok(())
    } else {
        Err(ApiError::Conflict(format!(
            "事项已{},不能再点单",
            r.case.status.label()
        )))
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicPick {
    pub number: String,
    pub code: String,
    pub mediator: i64,
}

/// The applicant picks a mediator for their own case, with its number and tracking code.
#[utoipa::path(post, path = "/api/v1/public/mediator-picks", tag = "public", request_body = PublicPick,
    responses((status = 200, body = CaseMediators), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn public_pick(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<PublicPick>,
) -> Result<Json<CaseMediators>, ApiError> {
    let r = crate::public::tracked_case(&s, ip, &req.number, &req.code).await?;
    picks_open(&r)?;
    s.store
        .record_pick(&r.case, 0, req.mediator, Timestamp::now())
        .await?;
    Ok(Json(case_mediators(&s, &r).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicCaseQuery {
    number: Option<String>,
    code: Option<String>,
}

/// The mediators the applicant may pick for their own case (点单), least loaded first,
/// with the picks made so far.
#[utoipa::path(get, path = "/api/v1/public/mediator-picks", tag = "public", params(PublicCaseQuery),
    responses((status = 200, body = CaseMediators), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn public_eligible(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    axum::extract::Query(q): axum::extract::Query<PublicCaseQuery>,
) -> Result<Json<CaseMediators>, ApiError> {
    let (number, code) = (q.number.unwrap_or_default(), q.code.unwrap_or_default());
    let r = crate::public::tracked_case(&s, ip, &number, &code).await?;
    picks_open(&r)?;
    Ok(Json(case_mediators(&s, &r).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationRequest {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
    /// e.g. 亲属, 同事, 邻居.
    pub relation: String,
}

/// Declare a mediator's relation to a person: whenever that person is a party, the
/// mediator is ruled out (回避).
#[utoipa::path(post, path = "/api/v1/mediators/{id}/relations", tag = "directory", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = RelationRequest,
    responses((status = 201), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add_relation(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RelationRequest>,
) -> Result<StatusCode, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("调解员"))?;
    let m = s
        .store
        .mediator(id)
        .await?
        .ok_or(ApiError::NotFound("调解员"))?;
    let own = m.user_id == Some(user.id);
    if !(own || matches!(user.role, Role::Admin | Role::Dispatcher)) {
        return Err(ApiError::Forbidden("只能申报本人的回避关系".into()));
    }
    Actor::staff(&user).authorize_region(&m.region)?;
    let mut errs = FieldErrors::default();
    let name = errs.take(concord_domain::case::text("name", &req.name, 100, true));
    let relation = errs.take(concord_domain::case::text(
        "relation",
        &req.relation,
        50,
        true,
    ));
    let phone = req
        .phone
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| errs.take(Phone::parse("phone", &p)));
    let idn = req
        .id_number
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| errs.take(IdNumber::parse("id_number", &p)));
    errs.into_result()?;
    let (name, relation) = (name.unwrap_or_default(), relation.unwrap_or_default());
    s.store
        .add_relation(id, &name, phone.as_ref(), idn.as_ref(), &relation)
        .await?;
    Ok(StatusCode::CREATED)
}
