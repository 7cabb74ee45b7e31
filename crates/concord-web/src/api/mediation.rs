//! Sessions (坐诊、出诊、约诊、线上、联合会商) and their records, the calendars of
//! mediators and rooms, the agreement and its signatures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_domain::agreement::{AgreementInput, SignMethod, Term};
use concord_domain::session::{
    SessionInput, SessionMode, SessionRecord, SessionStatus, parse_time,
};
use concord_domain::{FieldError, FieldErrors};
use concord_store::Actor;
use concord_store::mediation::{AgreementRecord, SessionRow};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser};
use crate::views::{CaseView, case_view, local_time};

#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: i64,
    pub case_id: i64,
    pub mode: SessionMode,
    pub mode_label: &'static str,
    pub status: SessionStatus,
    pub status_label: &'static str,
    pub mediator: Option<i64>,
    pub room: Option<i64>,
    pub location: String,
    pub units: Vec<i64>,
    pub starts_at: String,
    pub ends_at: String,
    pub record: Option<SessionRecord>,
    pub cancel_reason: Option<String>,
}

pub fn session_view(s: SessionRow) -> SessionView {
    SessionView {
        id: s.id,
        case_id: s.case_id,
        mode: s.mode,
        mode_label: s.mode.label(),
        status: s.status,
        status_label: s.status.label(),
        mediator: s.mediator,
        room: s.room,
        location: s.location,
        units: s.units,
        starts_at: local_time(s.starts_at),
        ends_at: local_time(s.ends_at),
        record: s.record,
        cancel_reason: s.cancel_reason,
    }
}

#[derive(Serialize, ToSchema)]
pub struct Scheduled {
    pub session: SessionView,
    pub case: CaseView,
}

/// Book a session. A mediator or a room already booked at that time is refused (409).
#[utoipa::path(post, path = "/api/v1/cases/{id}/sessions", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SessionInput,
    responses((status = 201, body = Scheduled), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn schedule(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SessionInput>,
) -> Result<(StatusCode, Json<Scheduled>), ApiError> {
    let case_id = super::cases::load_case(&s, &user, &id).await?.case.id;
    let now = Timestamp::now();
    let (record, session) = s
        .store
        .schedule_session(&Actor::staff(&user), case_id, input, now)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Scheduled {
            session: session_view(session),
            case: case_view(record, now),
        }),
    ))
}

/// A case's sessions, in time order.
#[utoipa::path(get, path = "/api/v1/cases/{id}/sessions", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = [SessionView])))]
pub async fn list(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let case_id = super::cases::load_case(&s, &user, &id).await?.case.id;
    Ok(Json(
        s.store
            .sessions(case_id)
            .await?
            .into_iter()
            .map(session_view)
            .collect(),
    ))
}

fn session_id(s: &str) -> Result<i64, ApiError> {
    s.parse().map_err(|_| ApiError::NotFound("调解"))
}

/// Write a session's record (笔录): who took part, how, what was said and agreed, the next
/// appointment; a joint consultation's opinion.
#[utoipa::path(post, path = "/api/v1/cases/{id}/sessions/{session}/record", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path), ("session" = i64, Path)), request_body = SessionRecord,
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, session)): Path<(String, String)>,
    ApiJson(rec): ApiJson<SessionRecord>,
) -> Result<Json<CaseView>, ApiError> {
    let case_id = super::cases::load_case(&s, &user, &id).await?.case.id;
    let now = Timestamp::now();
    let r = s
        .store
        .record_session(
            &Actor::staff(&user),
            case_id,
            session_id(&session)?,
            rec,
            now,
        )
        .await?;
    Ok(Json(case_view(r, now)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason: String,
}

/// Cancel a booked session, with the reason; the mediator and the room are free again.
#[utoipa::path(post, path = "/api/v1/cases/{id}/sessions/{session}/cancel", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path), ("session" = i64, Path)), request_body = CancelRequest,
    responses((status = 200, body = CaseView), (status = 409, body = ErrorBody)))]
pub async fn cancel(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, session)): Path<(String, String)>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> Result<Json<CaseView>, ApiError> {
    let case_id = super::cases::load_case(&s, &user, &id).await?.case.id;
    let now = Timestamp::now();
    let r = s
        .store
        .cancel_session(
            &Actor::staff(&user),
            case_id,
            session_id(&session)?,
            &req.reason,
            now,
        )
        .await?;
    Ok(Json(case_view(r, now)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// From (default: today).
    from: Option<String>,
    /// To (default: 14 days on).
    to: Option<String>,
}

fn window(q: CalendarQuery) -> Result<(Timestamp, Timestamp), FieldErrors> {
    let mut errs = FieldErrors::default();
    let now = Timestamp::now();
    let from = q
        .from
        .and_then(|v| errs.take(parse_time("from", &v)))
        .unwrap_or(now - jiff::SignedDuration::from_hours(24));
    let to =
        q.to.and_then(|v| errs.take(parse_time("to", &v)))
            .unwrap_or(from + jiff::SignedDuration::from_hours(24 * 14));
    errs.into_result().map(|_| (from, to))
}

/// A mediator's calendar: their sessions between two times.
#[utoipa::path(get, path = "/api/v1/mediators/{id}/calendar", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path), CalendarQuery), responses((status = 200, body = [SessionView])))]
pub async fn mediator_calendar(
    State(s): State<AppState>,
    AuthUser(_user): AuthUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("调解员"))?;
    let (from, to) = window(q)?;
    Ok(Json(
        s.store
            .calendar_of(id, false, from, to)
            .await?
            .into_iter()
            .map(session_view)
            .collect(),
    ))
}

/// A mediation room's calendar.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/calendar", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path), CalendarQuery), responses((status = 200, body = [SessionView])))]
pub async fn room_calendar(
    State(s): State<AppState>,
    AuthUser(_user): AuthUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<CalendarQuery>,
) -> Result<Json<Vec<SessionView>>, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("调解室"))?;
    let (from, to) = window(q)?;
    Ok(Json(
        s.store
            .calendar_of(id, true, from, to)
            .await?
            .into_iter()
            .map(session_view)
            .collect(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct SignatureView {
    pub party: usize,
    pub method: SignMethod,
    pub signer: String,
    pub signed_at: String,
    /// Where the drawn signature is, when signed online.
    pub image_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementView {
    pub version: u32,
    pub facts: String,
    pub terms: Vec<Term>,
    /// The text the parties sign.
    pub text: String,
    /// Its SHA-256: send it back when signing, to sign exactly this text.
    pub text_hash: String,
    pub created_at: String,
    pub signatures: Vec<SignatureView>,
    /// Every party signed this version.
    pub all_signed: bool,
}

pub fn agreement_view(case_id: i64, a: AgreementRecord, all_signed: bool) -> AgreementView {
    AgreementView {
        version: a.version,
        facts: a.text.facts,
        terms: a.text.terms,
        text: a.signed_text,
        text_hash: a.hash,
        created_at: local_time(a.created_at),
        signatures: a
            .signatures
            .into_iter()
            .map(|g| SignatureView {
                party: g.party,
                method: g.method,
                signer: g.signer,
                signed_at: local_time(g.signed_at),
                image_url: g.has_image.then(|| {
                    format!(
                        "/api/v1/cases/{case_id}/agreement/signatures/{}.png",
                        g.party
                    )
                }),
            })
            .collect(),
        all_signed,
    }
}

/// Draft the agreement (调解协议书): facts and terms. Each draft is a new version; a
/// change after someone signed means everyone signs the new text.
#[utoipa::path(put, path = "/api/v1/cases/{id}/agreement", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AgreementInput,
    responses((status = 200, body = AgreementView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn draft(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<AgreementInput>,
) -> Result<Json<AgreementView>, ApiError> {
    let case_id = super::cases::load_case(&s, &user, &id).await?.case.id;
    let (record, a) = s
        .store
        .draft_agreement(&Actor::staff(&user), case_id, input, Timestamp::now())
        .await?;
    Ok(Json(agreement_view(
        case_id,
        a,
        record.case.agreement_signed,
    )))
}

/// The agreement in force, with who signed it.
#[utoipa::path(get, path = "/api/v1/cases/{id}/agreement", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = AgreementView), (status = 404, body = ErrorBody)))]
pub async fn agreement(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<AgreementView>, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let a = s
        .store
        .agreement(record.case.id)
        .await?
        .ok_or(ApiError::NotFound("调解协议"))?;
    Ok(Json(agreement_view(
        record.case.id,
        a,
        record.case.agreement_signed,
    )))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInPerson {
    /// The party's index in `parties`.
    pub party: usize,
    /// The `text_hash` of the version the party signed on paper.
    pub text_hash: String,
}

/// The mediator marks a party's signature on the printed agreement (现场签字).
#[utoipa::path(post, path = "/api/v1/cases/{id}/agreement/signatures", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = SignInPerson,
    responses((status = 200, body = AgreementView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign_in_person(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<SignInPerson>,
) -> Result<Json<AgreementView>, ApiError> {
    let case_id = super::cases::load_case(&s, &user, &id).await?.case.id;
    let now = Timestamp::now();
    let r = s
        .store
        .sign_agreement(
            &Actor::staff(&user),
            case_id,
            req.party,
            SignMethod::InPerson,
            &req.text_hash,
            None,
            now,
        )
        .await?;
    let a = s
        .store
        .agreement(case_id)
        .await?
        .ok_or(ApiError::NotFound("调解协议"))?;
    Ok(Json(agreement_view(case_id, a, r.case.agreement_signed)))
}

/// A party's drawn signature, as they drew it.
#[utoipa::path(get, path = "/api/v1/cases/{id}/agreement/signatures/{file}", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path), ("file" = String, Path, description = "`0.png`")),
    responses((status = 200, content_type = "image/png"), (status = 404, body = ErrorBody)))]
pub async fn signature_image(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let party: usize = file
        .strip_suffix(".png")
        .and_then(|p| p.parse().ok())
        .ok_or(ApiError::NotFound("签名"))?;
    let version = record
        .case
        .agreement_version
        .ok_or(ApiError::NotFound("签名"))?;
    let png = s
        .store
        .signature_image(record.case.id, version, party)
        .await?
        .ok_or(ApiError::NotFound("签名"))?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// A signature drawn on a phone, sent as a `data:image/png;base64,…` URL.
pub fn decode_signature(data_url: &str) -> Result<Vec<u8>, FieldError> {
    use base64::Engine;
    let bad = || {
        FieldError::new(
            "signature",
            "invalid_image",
            "签名应为PNG图片(data:image/png;base64,…)",
        )
    };
    let b64 = data_url
        .strip_prefix("data:image/png;base64,")
        .ok_or_else(bad)?;
    base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| bad())
}
