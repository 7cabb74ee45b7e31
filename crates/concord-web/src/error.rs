//! The HTTP error: every failure becomes `{"error": {"code", "message", "field"}}` with a
//! 4xx status for bad input; causes of 5xx are logged and never shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use concord_domain::lifecycle::TransitionError;
use concord_domain::{FieldError, FieldErrors};
use concord_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    #[error("输入有误")]
    Invalid(FieldErrors),
    #[error("需要登录")]
    Unauthorized,
    #[error("用户名或密码错误")]
    LoginFailed,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}不存在")]
    NotFound(&'static str),
    #[error("{0}")]
    NotFoundMessage(String),
    #[error("尝试次数过多")]
    TooManyRequests,
    /// The account is locked after repeated failed logins, until the given time.
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    Duplicate(String),
    #[error("{0}")]
    NotAllowed(TransitionError),
    /// Allowed in this state, but something must happen first (409 with its own code).
    #[error("{0}")]
    Blocked(FieldError),
    #[error("{0}")]
    Conflict(String),
    /// Nothing was written; trying again may succeed.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_id_number`, `action_not_allowed`.
    pub code: String,
    /// What is wrong, in Chinese.
    pub message: String,
    /// The field at fault (e.g. `parties[0].phone`), when there is one.
    pub field: Option<String>,
    /// Every field error, when several fields are wrong at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldErrorBody>,
}

#[derive(Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        Self::Invalid(e.into())
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Invalid(errs) => Self::Invalid(errs),
            StoreError::Transition(TransitionError::Invalid(errs)) => Self::Invalid(errs),
            StoreError::Transition(TransitionError::Ladder(fe)) => Self::BadRequest {
                code: fe.code,
                message: fe.message,
                field: Some(fe.field),
            },
            StoreError::Transition(TransitionError::Blocked(fe)) => Self::Blocked(fe),
            StoreError::Transition(t) => Self::NotAllowed(t),
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::Forbidden(m) => Self::Forbidden(m),
            StoreError::Unavailable(m) => Self::Unavailable(m),
            StoreError::Duplicate(m) => Self::Duplicate(m),
            other => Self::Internal(Box::new(other)),
        }
    }
}

fn detail(code: &str, message: String, field: Option<String>) -> ErrorDetail {
    ErrorDetail {
        code: code.into(),
        message,
        field,
        fields: Vec::new(),
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = match self {
            Self::BadRequest {
                code,
                message,
                field,
            } => (StatusCode::BAD_REQUEST, detail(code, message, field)),
            Self::Invalid(errs) => (StatusCode::UNPROCESSABLE_ENTITY, field_errors(errs)),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                detail(
                    "unauthorized",
                    "需要登录:请在 Authorization 头中提供有效的 Bearer 令牌".into(),
                    None,
                ),
            ),
            Self::LoginFailed => (
                StatusCode::UNAUTHORIZED,
                detail(
                    "login_failed",
                    "用户名或密码错误".into(),
                    Some("password".into()),
                ),
            ),
            Self::Forbidden(m) => (StatusCode::FORBIDDEN, detail("forbidden", m, None)),
            Self::NotFound(what) => (
                StatusCode::NOT_FOUND,
                detail("not_found", format!("{what}不存在"), None),
            ),
            Self::NotFoundMessage(m) => (StatusCode::NOT_FOUND, detail("not_found", m, None)),
            Self::Duplicate(m) => (
                StatusCode::CONFLICT,
                detail("duplicate", m, Some("external_ref".into())),
            ),
            Self::Locked(m) => (
                StatusCode::TOO_MANY_REQUESTS,
                detail("account_locked", m, Some("username".into())),
            ),
            Self::TooManyRequests => (
                StatusCode::TOO_MANY_REQUESTS,
                detail("too_many_requests", "尝试次数过多,请稍后再试".into(), None),
            ),
            Self::NotAllowed(t) => (
                StatusCode::CONFLICT,
                detail("action_not_allowed", t.to_string(), Some("action".into())),
            ),
            Self::Conflict(m) => (StatusCode::CONFLICT, detail("version_conflict", m, None)),
            Self::Blocked(fe) => (
                StatusCode::CONFLICT,
                detail(fe.code, fe.message, Some(fe.field)),
            ),
            Self::Unavailable(m) => {
                tracing::warn!(reason = %m, "write refused");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    detail("unavailable", m, None),
                )
            }
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    detail("internal", "服务器内部错误,请稍后再试".into(), None),
                )
            }
        };
        (status, Json(ErrorBody { error: detail })).into_response()
    }
}

fn field_errors(errs: FieldErrors) -> ErrorDetail {
    let fields: Vec<FieldErrorBody> = errs
        .0
        .into_iter()
        .map(|e| FieldErrorBody {
            field: e.field,
            code: e.code.into(),
            message: e.message,
        })
        .collect();
    let first = fields.first();
    ErrorDetail {
        code: first.map_or("invalid", |f| f.code.as_str()).to_string(),
        message: first.map_or_else(
            || "输入有误".into(),
            |f| format!("{}:{}", f.field, f.message),
        ),
        field: first.map(|f| f.field.clone()),
        fields,
    }
}

/// The answer for a request whose handler panicked (logged; the server goes on).
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(ErrorBody {
            error: detail("internal", "服务器内部错误,已记录,请稍后再试".into(), None),
        }),
    )
        .into_response()
}
