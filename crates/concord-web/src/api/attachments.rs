//! 材料: files attached to a case by staff (any role that may see the case) or by the
//! applicant with the case number and tracking code. What a file is comes from its
//! content (concord_domain::attachment); the bytes come back exactly as received, with
//! their SHA-256.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use concord_domain::attachment;
use concord_store::Actor;
use concord_store::attachments::Attachment;
use jiff::Timestamp;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AuthUser, ClientIp};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name as the uploader has it.
    name: Option<String>,
}

/// Attach a file (the request body, up to 10 MB): a photo, a PDF, a Word file or a
/// recording. Refused, naming `file` or `name`, if it is none of these.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path), UploadQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upload(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Attachment>), ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let file = attachment::check(q.name.as_deref().unwrap_or(""), &body)?;
    let a = s
        .store
        .add_attachment(
            record.case.id,
            &file,
            body.to_vec(),
            &Actor::staff(&user),
            Timestamp::now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// The files attached to a case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = [Object]), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<Attachment>>, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    Ok(Json(s.store.attachments(record.case.id).await?))
}

/// A file as it was received. Pictures and PDFs open in the browser; others download.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200), (status = 404, body = ErrorBody)))]
pub async fn download(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("材料"))?;
    let meta = s
        .store
        .attachment(id)
        .await?
        .ok_or(ApiError::NotFound("材料"))?;
    super::cases::load_case(&s, &user, &meta.case_id.to_string()).await?;
    let bytes = s
        .store
        .attachment_data(id)
        .await?
        .ok_or(ApiError::NotFound("材料"))?;
    let inline = meta.mime.starts_with("image/") || meta.mime == "application/pdf";
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        percent_encoding::utf8_percent_encode(&meta.name, percent_encoding::NON_ALPHANUMERIC)
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.mime),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src 'self'".into(),
            ),
            (
                header::HeaderName::from_static("x-content-sha256"),
                meta.sha256,
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicUploadQuery {
    number: Option<String>,
    code: Option<String>,
    name: Option<String>,
}

/// The applicant adds a photo or a document to their own case while it is being
/// handled, with its number and tracking code.
#[utoipa::path(post, path = "/api/v1/public/attachments", tag = "public", params(PublicUploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Object), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn public_upload(
    State(s): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<PublicUploadQuery>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let (number, code) = (q.number.unwrap_or_default(), q.code.unwrap_or_default());
    let r = crate::public::tracked_case(&s, ip, &number, &code).await?;
    if !r.case.status.is_open() {
        return Err(ApiError::Conflict(format!(
            "事项{},不能再补充材料",
            r.case.status.label()
        )));
    }
    let file = attachment::check(q.name.as_deref().unwrap_or(""), &body)?;
    let applicant = r.case.facts.parties.first().map_or("", |p| p.name.as_str());
    s.store
        .add_attachment(
            r.case.id,
            &file,
            body.to_vec(),
            &Actor::party(applicant),
            Timestamp::now(),
        )
        .await?;
    Ok(StatusCode::CREATED)
}
