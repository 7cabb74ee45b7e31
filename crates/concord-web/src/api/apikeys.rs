//! Keys for the systems that file disputes over Open311: issued, listed and revoked by
//! an administrator (also `concord apikey`). A key is shown once, when it is issued.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::case::Channel;
use concord_domain::region::RegionCode;
use concord_store::open311::ApiKey;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, AuthUser};
use crate::views::local_time;

fn admin_only(user: &concord_domain::org::Staff) -> Result<(), ApiError> {
    super::auth::require_admin(user, "对接密钥")
}

#[derive(Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    pub channel: Channel,
    pub channel_label: &'static str,
    /// The region it may file into.
    pub region: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        Self {
            id: k.id,
            name: k.name,
            channel: k.channel,
            channel_label: k.channel.label(),
            region: k.region.to_string(),
            created_at: local_time(k.created_at),
            revoked_at: k.revoked_at.map(local_time),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// Who uses it, e.g. 12345热线; its work-order numbers are kept under this name.
    pub name: String,
    /// The channel its cases count under (default `hotline`).
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The region it may file into (default: the administrator's own).
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedApiKey {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The key itself: shown this once, never stored.
    pub secret: String,
}

/// Administrator: the Open311 keys (never their secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "open311", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiKeyView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Vec<ApiKeyView>>, ApiError> {
    admin_only(&user)?;
    let keys = s.store.api_keys().await?;
    Ok(Json(keys.into_iter().map(ApiKeyView::from).collect()))
}

/// Administrator: issue a key to an integrating system (a 12345 hotline, a city app).
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "open311", security(("bearer" = [])),
    request_body = NewApiKey,
    responses((status = 201, body = IssuedApiKey), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn issue(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(req): ApiJson<NewApiKey>,
) -> Result<(StatusCode, Json<IssuedApiKey>), ApiError> {
    admin_only(&user)?;
    let region = match req.region.as_deref() {
        Some(r) => RegionCode::parse("region", r)?,
        None => user.region,
    };
    if !user.region.contains(&region) {
        return Err(concord_domain::FieldError::new(
            "region",
            "out_of_scope",
            "只能为本辖区发放密钥",
        )
        .into());
    }
    let channel = req.channel.unwrap_or(Channel::Hotline);
    let (key, secret) = s
        .store
        .add_api_key(&req.name, channel, &region, Timestamp::now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedApiKey {
            key: key.into(),
            secret,
        }),
    ))
}

/// Administrator: stop a key working.
#[utoipa::path(post, path = "/api/v1/api-keys/{id}/revoke", tag = "open311",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn revoke(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    admin_only(&user)?;
    if s.store.revoke_api_key(id, Timestamp::now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("有效的密钥"))
    }
}
