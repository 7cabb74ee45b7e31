//! What a party reaches with their own code (the applicant's tracking code, or a code a
//! clerk or mediator gives a party): the agreement, and signing it online with a
//! signature drawn on a phone.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::agreement::SignMethod;
use concord_domain::org::Role;
use concord_store::Actor;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::mediation::{AgreementView, agreement_view, decode_signature};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, AuthUser, ClientIp};

#[derive(Serialize, ToSchema)]
pub struct PartyCode {
    pub party: usize,
    /// Give it to the party: with the case number it opens the mediation room and the
    /// agreement for signing. Shown once.
    pub code: String,
}

/// Give a party their own code (the applicant's tracking code also works).
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{party}/access-code", tag = "mediation", security(("bearer" = [])),
    params(("id" = i64, Path), ("party" = usize, Path)),
    responses((status = 201, body = PartyCode), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn issue(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, party)): Path<(String, String)>,
) -> Result<(StatusCode, Json<PartyCode>), ApiError> {
    if !matches!(
        user.role,
        Role::Clerk | Role::Mediator | Role::Dispatcher | Role::Admin
    ) {
        return Err(ApiError::Forbidden(
            "只有窗口、调解员或指挥中心可以发放当事人码".into(),
        ));
    }
    let record = super::cases::load_case(&s, &user, &id).await?;
    let party: usize = party.parse().map_err(|_| ApiError::NotFound("当事人"))?;
    if party >= record.case.facts.parties.len() {
        return Err(ApiError::NotFound("当事人"));
    }
    let code = s
        .store
        .issue_party_code(record.case.id, party, &user.display_name)
        .await?;
    Ok((StatusCode::CREATED, Json(PartyCode { party, code })))
}

#[derive(Serialize, ToSchema)]
pub struct RevealedParty {
    pub party: usize,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

/// A party's full phone and ID numbers, for the roles that call or identify parties;
/// every such view goes on the tamper-evident record (who, when, whose numbers).
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{party}/reveal", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path), ("party" = usize, Path)),
    responses((status = 200, body = RevealedParty), (status = 404, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn reveal(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, party)): Path<(String, String)>,
) -> Result<Json<RevealedParty>, ApiError> {
    if !concord_domain::access::may_see_personal_data(user.role) {
        return Err(ApiError::Forbidden(format!(
            "“{}”角色只能看到遮蔽后的号码",
            user.role.label()
        )));
    }
    let record = super::cases::load_case(&s, &user, &id).await?;
    let party: usize = party.parse().map_err(|_| ApiError::NotFound("当事人"))?;
    let shown = s
        .store
        .reveal_party(
            record.case.id,
            party as i64,
            &Actor::staff(&user),
            Timestamp::now(),
        )
        .await?
        .ok_or(ApiError::NotFound("当事人"))?;
    Ok(Json(RevealedParty {
        party,
        name: shown.name,
        phone: shown.phone,
        id_number: shown.id_number,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    number: Option<String>,
    code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PartyAgreement {
    /// Which party the code belongs to.
    pub party: usize,
    pub party_name: String,
    pub agreement: AgreementView,
}

pub(crate) async fn party_of(
    s: &AppState,
    ip: std::net::IpAddr,
    number: &str,
    code: &str,
) -> Result<(concord_store::CaseRecord, usize), ApiError> {
    if !s.limits.track.allow(ip) {
        return Err(ApiError::TooManyRequests);
    }
    let not_found = || ApiError::NotFoundMessage("未找到该事项:请核对事项编号和当事人码".into());
    let (id, party) = s
        .store
        .party_by_code(number, code)
        .await?
        .ok_or_else(not_found)?;
    let record = s.store.case(id).await?.ok_or_else(not_found)?;
    Ok((record, party))
}

/// The agreement as the party sees it, with the `text_hash` to sign.
#[utoipa::path(get, path = "/api/v1/public/agreement", tag = "public", params(CodeQuery),
    responses((status = 200, body = PartyAgreement), (status = 404, body = ErrorBody)))]
pub async fn view(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiQuery(q): ApiQuery<CodeQuery>,
) -> Result<Json<PartyAgreement>, ApiError> {
    let (record, party) = party_of(
        &s,
        ip,
        &q.number.unwrap_or_default(),
        &q.code.unwrap_or_default(),
    )
    .await?;
    let a = s
        .store
        .agreement(record.case.id)
        .await?
        .ok_or(ApiError::NotFound("调解协议"))?;
    let mut view = agreement_view(record.case.id, a, record.case.agreement_signed);
    view.signatures.iter_mut().for_each(|g| g.image_url = None);
    Ok(Json(PartyAgreement {
        party,
        party_name: record.case.facts.parties[party].name.clone(),
        agreement: view,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnlineSignature {
    pub number: String,
    pub code: String,
    /// The `text_hash` of the text the party read.
    pub text_hash: String,
    /// The signature drawn on the screen: `data:image/png;base64,…`.
    pub signature: String,
}

/// Sign the agreement online: once, and only the text just read.
#[utoipa::path(post, path = "/api/v1/public/agreement/signatures", tag = "public", request_body = OnlineSignature,
    responses((status = 200, body = PartyAgreement), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn sign(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<OnlineSignature>,
) -> Result<Json<PartyAgreement>, ApiError> {
    let (record, party) = party_of(&s, ip, &req.number, &req.code).await?;
    let image = decode_signature(&req.signature)?;
    let actor = Actor::party(&record.case.facts.parties[party].name);
    let now = Timestamp::now();
    let r = s
        .store
        .sign_agreement(
            &actor,
            record.case.id,
            party,
            SignMethod::Online,
            &req.text_hash,
            Some(image),
            now,
        )
        .await?;
    let name = r.case.facts.parties[party].name.clone();
    // The room hears of it; the signature stands whether or not this note is kept.
    let note = format!("{name}已在线签署调解协议。");
    match s
        .store
        .post_room_message(r.case.id, &concord_store::room::Speaker::System, &note, now)
        .await
    {
        Ok(m) => s.rooms.announce(m),
        Err(e) => tracing::warn!(error = %e, "room note not kept"),
    }
    let a = s
        .store
        .agreement(r.case.id)
        .await?
        .ok_or(ApiError::NotFound("调解协议"))?;
    let mut view = agreement_view(r.case.id, a, r.case.agreement_signed);
    view.signatures.iter_mut().for_each(|g| g.image_url = None);
    Ok(Json(PartyAgreement {
        party,
        party_name: name,
        agreement: view,
    }))
}
