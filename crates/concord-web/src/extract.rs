//! Extractors that turn bad requests into errors naming the field: JSON bodies, the
//! bearer token.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use concord_domain::org::Staff;
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::ApiError;
use crate::session;

/// A JSON body whose deserialization errors name the offending field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest {
                code: "body_unreadable",
                message: format!("请求体无法读取:{e}"),
                field: None,
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, mapping serde's complaint to a field path and a Chinese message.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::BadRequest {
                code: "malformed_json",
                message: format!("请求体不是有效的JSON:{inner}"),
                field: None,
            };
        }
        let msg = inner.to_string();
        let field = field_of(&path, &msg);
        ApiError::BadRequest {
            code: "invalid_field",
            message: format!("字段“{field}”有误:{msg}"),
            field: Some(field),
        }
    })
}

/// The field a serde error is about: its path, or the field named in the message when
/// the error is at the enclosing object (missing or unknown fields, the action tag).
fn field_of(path: &str, msg: &str) -> String {
    let base = if path == "." { "" } else { path };
    // The path of an unknown field already ends in it; a missing one is not in the path.
    let missing = msg
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    match missing {
        Some(name) if base.is_empty() => name.to_string(),
        Some(name) => format!("{base}.{name}"),
        None if base.is_empty() && msg.contains("variant") => "action".into(),
        None if base.is_empty() => "body".into(),
        None => base.to_string(),
    }
}

/// The request's session token: the bearer token, or the page session's cookie (then a
/// write must carry the session's CSRF token, see [`crate::session`]).
pub struct AuthToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for AuthToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if let Some(t) = bearer {
            return Ok(AuthToken(t.trim().to_string()));
        }
        let token = session::cookie_token(&parts.headers).ok_or(ApiError::Unauthorized)?;
        if !session::csrf_ok(&parts.method, &parts.headers, &token) {
            return Err(ApiError::Forbidden(
                "页面已过期或来源不明(CSRF令牌不符),请刷新页面后重试".into(),
            ));
        }
        Ok(AuthToken(token))
    }
}

/// The staff member behind the request's bearer token.
pub struct AuthUser(pub Staff);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let AuthToken(token) = AuthToken::from_request_parts(parts, state).await?;
        let staff = state.store.session_user(&token, state.demo).await?;
        staff.map(AuthUser).ok_or(ApiError::Unauthorized)
    }
}

/// Query parameters whose rejection is reported in the API's error format.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::BadRequest {
                code: "invalid_query",
                message: format!("查询参数有误:{}", e.body_text()),
                field: None,
            })
    }
}

/// The client's address (the peer of the connection), for per-address rate limits.
pub struct ClientIp(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(
            peer.unwrap_or(std::net::Ipv4Addr::LOCALHOST.into()),
        ))
    }
}
