//! Formatted documents (格式文书): made from the case as it stands, by the template in
//! force, as PDF and .docx, and kept with the case; and the templates themselves.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_docs::Template;
use concord_domain::FieldError;
use concord_domain::case::{PartyRole, Status};
use concord_domain::lifecycle::ActionKind;
use concord_domain::org::{OrgKind, Organization, Role};
use concord_domain::time::shanghai;
use concord_store::documents::{DocumentMeta, TemplateInfo};
use concord_store::{CaseRecord, EventRecord};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, AuthUser};
use crate::views::local_time;

/// 2026年11月25日
fn date(t: Timestamp) -> String {
    t.to_zoned(shanghai())
        .strftime("%Y年%-m月%-d日")
        .to_string()
}

fn last_event(r: &CaseRecord, kind: ActionKind) -> Option<&EventRecord> {
    r.events.iter().rev().find(|e| e.action == kind)
}

fn org_name(orgs: &[Organization], id: Option<i64>) -> String {
    id.and_then(|id| orgs.iter().find(|o| o.id == id))
        .map(|o| o.name.clone())
        .unwrap_or_default()
}

fn parties(r: &CaseRecord) -> String {
    r.case
        .facts
        .parties
        .iter()
        .map(|p| format!("{}：{}", p.role.label(), p.name))
        .collect::<Vec<_>>()
        .join("\n")
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// The values a template may use, from the case as it stands.
async fn values(
    s: &AppState,
    r: &CaseRecord,
    kind: &str,
) -> Result<BTreeMap<&'static str, String>, ApiError> {
    let orgs = s.store.organizations(None).await?;
    let c = &r.case;
    let f = &c.facts;
    let county = f.region.numbering_county();
    let center = orgs
        .iter()
        .find(|o| o.kind == OrgKind::Center && o.region == county)
        .map_or_else(|| "矛盾纠纷调处化解中心".to_string(), |o| o.name.clone());
    let first = |role: PartyRole| {
        f.parties
            .iter()
            .find(|p| p.role == role)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    };
    let mut v: BTreeMap<&'static str, String> = BTreeMap::from([
        ("number", c.number.clone()),
        ("center", center),
        ("date", date(Timestamp::now())),
        ("region", r.region_name.clone()),
        ("applicant", first(PartyRole::Applicant)),
        ("respondent", first(PartyRole::Respondent)),
        ("category", f.category.label().to_string()),
        ("description", f.description.clone()),
        ("registered", date(c.registered_at)),
        ("accepted", c.accepted_at.map(date).unwrap_or_default()),
        (
            "deadline",
            c.deadline
                .map(|d| date(d - jiff::SignedDuration::from_micros(1)))
                .unwrap_or_default(),
        ),
        ("parties", parties(r)),
        ("to_unit", org_name(&orgs, c.lead_unit)),
        ("committee", org_name(&orgs, c.lead_unit)),
        (
            "co_handlers",
            c.co_handlers
                .iter()
                .map(|u| org_name(&orgs, Some(*u)))
                .collect::<Vec<_>>()
                .join("、"),
        ),
    ]);
    if let Some(m) = c.mediator {
        v.insert(
            "mediator",
            s.store
                .mediator(m)
                .await?
                .map(|m| m.name)
                .unwrap_or_default(),
        );
    }
    let reason_of = |k: ActionKind| {
        last_event(r, k)
            .and_then(|e| e.reason.clone())
            .unwrap_or_default()
    };
    v.insert("note", reason_of(ActionKind::Assign));
    if let Some(e) = last_event(r, ActionKind::Reject) {
        v.insert("reason", e.reason.clone().unwrap_or_default());
        v.insert(
            "guidance",
            e.details["guidance"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        );
    }
    if kind == "referral_letter" {
        referral(r, &mut v);
    }
    if matches!(kind, "mediation_agreement" | "confirmation_application") {
        agreement(s, r, &orgs, &mut v).await?;
    }
    if kind == "followup_record" {
        follow_up(r, &mut v);
    }
    Ok(v)
}

fn referral(r: &CaseRecord, v: &mut BTreeMap<&'static str, String>) {
    if let Some(e) = last_event(r, ActionKind::Refer) {
        let to = if e.details["to"] == "arbitration" {
            "仲裁"
        } else {
            "诉讼"
        };
        v.insert("to", to.to_string());
        v.insert("reason", e.reason.clone().unwrap_or_default());
    }
    let history: Vec<String> = r
        .events
        .iter()
        .map(|e| {
            format!(
                "{} {}{}",
                date(e.at),
                e.action.label(),
                e.reason
                    .as_ref()
                    .map(|x| format!(":{x}"))
                    .unwrap_or_default()
            )
        })
        .collect();
    v.insert("history", history.join("\n"));
}

async fn agreement(
    s: &AppState,
    r: &CaseRecord,
    orgs: &[Organization],
    v: &mut BTreeMap<&'static str, String>,
) -> Result<(), ApiError> {
    let a = s
        .store
        .agreement(r.case.id)
        .await?
        .ok_or_else(|| ApiError::Conflict("尚未起草调解协议书".into()))?;
    let terms: Vec<String> = a
        .text
        .terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let due = t
                .due
                .map(|d| format!("（履行期限：{d}）"))
                .unwrap_or_default();
            format!(
                "{}、{}{due}",
                NUMERALS.get(i).copied().unwrap_or("其他"),
                t.text
            )
        })
        .collect();
    v.insert("facts", a.text.facts.clone());
    v.insert("terms", terms.join("\n"));
    v.insert("agreement_date", date(a.created_at));
    let signed: Vec<String> = r
        .case
        .facts
        .parties
        .iter()
        .enumerate()
        .map(|(i, p)| match a.signatures.iter().find(|g| g.party == i) {
            Some(g) => format!(
                "{}(签名):{}(已于{}{})",
                p.role.label(),
                p.name,
                date(g.signed_at),
                g.method.label()
            ),
            None => format!("{}(签名):", p.role.label()),
        })
        .collect();
    v.insert("signatures", signed.join("\n"));
    let court = last_event(r, ActionKind::ApplyConfirmation)
        .and_then(|e| e.details["court"].as_i64())
        .or_else(|| orgs.iter().find(|o| o.kind == OrgKind::Court).map(|o| o.id));
    v.insert("court", org_name(orgs, court));
    Ok(())
}

fn follow_up(r: &CaseRecord, v: &mut BTreeMap<&'static str, String>) {
    let c = &r.case;
    v.insert("closed", c.closed_at.map(date).unwrap_or_default());
    v.insert(
        "outcome",
        c.outcome.map(|o| o.label().to_string()).unwrap_or_default(),
    );
    v.insert(
        "satisfaction",
        c.satisfaction
            .map(|x| x.label().to_string())
            .unwrap_or_default(),
    );
    v.insert(
        "performance",
        c.performance
            .map(|x| x.label().to_string())
            .unwrap_or_default(),
    );
    if let Some(e) = last_event(r, ActionKind::FollowUp) {
        v.insert("followed_up", date(e.at));
        v.insert("staff", e.actor_name.clone());
        v.insert(
            "note",
            e.details["note"].as_str().unwrap_or_default().to_string(),
        );
        let method = e.details["method"]
            .as_str()
            .and_then(|m| concord_domain::action::FollowUpMethod::parse("method", m).ok());
        v.insert(
            "method",
            method.map(|m| m.label().to_string()).unwrap_or_default(),
        );
    }
}

/// Which documents make sense in which state.
fn fits(kind: &str, status: Status) -> bool {
    use Status::*;
    match kind {
        "rejection_notice" => status == Rejected,
        "acceptance_notice" => !matches!(status, Registered | Rejected),
        "referral_letter" => matches!(status, Referred | Closed | FollowedUp | Archived),
        "followup_record" => matches!(status, FollowedUp | Archived),
        _ => true,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateRequest {
    /// acceptance_notice, rejection_notice, transfer_form, party_notice,
    /// mediation_agreement, confirmation_application, referral_letter, followup_record
    pub kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct DocumentView {
    pub id: i64,
    pub kind: String,
    pub version: i64,
    pub title: String,
    pub created_by: String,
    pub created_at: String,
    pub pdf_url: String,
    pub docx_url: String,
}

fn document_view(d: DocumentMeta) -> DocumentView {
    DocumentView {
        pdf_url: format!("/api/v1/documents/{}.pdf", d.id),
        docx_url: format!("/api/v1/documents/{}.docx", d.id),
        id: d.id,
        kind: d.kind,
        version: d.version,
        title: d.title,
        created_by: d.created_by,
        created_at: local_time(d.created_at),
    }
}

/// Make a document from the case as it stands, by the template in force, as PDF and
/// .docx; it is kept with the case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/documents", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = GenerateRequest,
    responses((status = 201, body = DocumentView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn generate(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<GenerateRequest>,
) -> Result<(StatusCode, Json<DocumentView>), ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let t = s.store.template(&req.kind).await?;
    if !fits(t.kind, record.case.status) {
        return Err(ApiError::Conflict(format!(
            "事项当前状态为“{}”,不能出具{}",
            record.case.status.label(),
            t.title
        )));
    }
    let template = Template::parse(&t.source, t.fields)
        .map_err(|e| FieldError::new("kind", "invalid_template", e.to_string()))?;
    let v = values(&s, &record, t.kind).await?;
    let title = t.title;
    let doc = tokio::task::spawn_blocking(move || {
        let doc = template.render(title, &v);
        (doc.plain_text(), doc.to_pdf(), doc.to_docx())
    })
    .await
    .map_err(|e| ApiError::Internal(Box::new(e)))?;
    let meta = s
        .store
        .save_document(
            record.case.id,
            t.kind,
            title,
            &doc.0,
            doc.1,
            doc.2,
            &user.display_name,
            Timestamp::now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(document_view(meta))))
}

/// The documents kept with a case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/documents", tag = "documents", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = [DocumentView])))]
pub async fn list(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<DocumentView>>, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    Ok(Json(
        s.store
            .documents(record.case.id)
            .await?
            .into_iter()
            .map(document_view)
            .collect(),
    ))
}

/// A document's file: `12.pdf` or `12.docx`.
#[utoipa::path(get, path = "/api/v1/documents/{file}", tag = "documents", security(("bearer" = [])),
    params(("file" = String, Path)),
    responses((status = 200, content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
pub async fn file(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let (stem, docx) = match file.rsplit_once('.') {
        Some((stem, "pdf")) => (stem, false),
        Some((stem, "docx")) => (stem, true),
        _ => return Err(ApiError::NotFound("文书")),
    };
    let id: i64 = stem.parse().map_err(|_| ApiError::NotFound("文书"))?;
    let meta = s
        .store
        .document(id)
        .await?
        .ok_or(ApiError::NotFound("文书"))?;
    super::cases::load_case(&s, &user, &meta.case_id.to_string()).await?;
    let bytes = s
        .store
        .document_file(id, docx)
        .await?
        .ok_or(ApiError::NotFound("文书"))?;
    let mime = if docx {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    } else {
        "application/pdf"
    };
    let name = format!(
        "attachment; filename=\"document-{id}.{}\"",
        if docx { "docx" } else { "pdf" }
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        bytes,
    )
        .into_response())
}

/// Every kind of document, with the fields its template may use and the template in
/// force.
#[utoipa::path(get, path = "/api/v1/templates", tag = "documents", security(("bearer" = [])),
    responses((status = 200, body = [Object])))]
pub async fn templates(
    State(s): State<AppState>,
    AuthUser(_user): AuthUser,
) -> Result<Json<Vec<TemplateInfo>>, ApiError> {
    let mut out = Vec::new();
    for k in concord_docs::kinds::KINDS {
        out.push(s.store.template(k.code).await?);
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    /// The template text; null restores the default.
    pub source: Option<String>,
}

/// Administrator: replace a template (checked: only its kind's fields).
#[utoipa::path(put, path = "/api/v1/templates/{kind}", tag = "documents", security(("bearer" = [])),
    params(("kind" = String, Path)), request_body = TemplateRequest,
    responses((status = 200, body = Object), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn put_template(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(kind): Path<String>,
    ApiJson(req): ApiJson<TemplateRequest>,
) -> Result<Json<TemplateInfo>, ApiError> {
    if user.role != Role::Admin {
        return Err(ApiError::Forbidden("只有系统管理员可以修改文书模板".into()));
    }
    Ok(Json(
        s.store
            .put_template(&kind, req.source.as_deref(), &user.display_name)
            .await?,
    ))
}
