use axum::Json;
use axum::extract::State;
use concord_domain::org::Staff;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, AuthToken};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub user: Staff,
}

/// Log in with a username and password; returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody)))]
pub async fn login(
    State(s): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ApiError> {
    match s
        .store
        .login(req.username.trim(), &req.password, s.demo)
        .await?
    {
        Some((token, user)) => Ok(Json(LoginResponse { token, user })),
        None => Err(ApiError::LoginFailed),
    }
}

/// Log out: the bearer token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(s): State<AppState>,
    AuthToken(token): AuthToken,
) -> Result<axum::http::StatusCode, ApiError> {
    s.store.logout(&token).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
