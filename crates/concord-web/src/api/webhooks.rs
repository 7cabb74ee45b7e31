//! Webhook subscriptions, for an administrator: register a URL and the events wanted,
//! see the delivery log, remove one. See docs/webhooks.md.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::FieldError;
use concord_domain::lifecycle::ActionKind;
use concord_domain::region::RegionCode;
use concord_store::webhooks::{Delivery, Webhook};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, AuthUser};
use crate::views::local_time;

fn admin_only(user: &concord_domain::org::Staff) -> Result<(), ApiError> {
    super::auth::require_admin(user, "订阅")
}

#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    /// The actions it hears of; empty for every event.
    pub events: Vec<String>,
    pub region: String,
    pub created_at: String,
    pub removed_at: Option<String>,
}

impl From<Webhook> for WebhookView {
    fn from(w: Webhook) -> Self {
        Self {
            id: w.id,
            url: w.url,
            events: w.events,
            region: w.region.to_string(),
            created_at: local_time(w.created_at),
            removed_at: w.removed_at.map(local_time),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where deliveries are POSTed (http or https).
    pub url: String,
    /// Action codes (`register`, `accept`, `assign`, `close`, …); empty or absent for all.
    #[serde(default)]
    pub events: Vec<String>,
    /// The region whose cases it hears of (default: the administrator's).
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RegisteredWebhook {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The HMAC-SHA256 key the `X-Concord-Signature` header is made with; shown once.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    pub case_id: i64,
    pub event: String,
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub created_at: String,
    pub attempts: i64,
    pub delivered_at: Option<String>,
    /// When the next try is due, while not delivered.
    pub next_attempt_at: Option<String>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        use concord_domain::time::from_micros;
        Self {
            id: d.id,
            case_id: d.case_id,
            event: d.event,
            body: serde_json::from_str(&d.body).unwrap_or_default(),
            created_at: local_time(from_micros(d.created_at)),
            attempts: d.attempts,
            delivered_at: d.delivered_at.map(|t| local_time(from_micros(t))),
            next_attempt_at: d
                .delivered_at
                .is_none()
                .then(|| local_time(from_micros(d.next_at))),
            last_status: d.last_status,
            last_error: d.last_error,
        }
    }
}

fn check(req: &NewWebhook, errs: &mut concord_domain::FieldErrors) {
    let url_ok = reqwest::Url::parse(&req.url)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
    if !url_ok {
        errs.push(FieldError::new(
            "url",
            "invalid_value",
            "应为 http:// 或 https:// 开头的完整地址",
        ));
    }
    for (i, e) in req.events.iter().enumerate() {
        if !ActionKind::ALL.iter().any(|a| a.as_str() == e) {
            errs.push(FieldError::new(
                format!("events[{i}]"),
                "invalid_value",
                format!("“{e}”不是事项的操作代码(如 register、accept、assign、close)"),
            ));
        }
    }
}

/// Administrator: the webhook subscriptions.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    responses((status = 200, body = Vec<WebhookView>), (status = 403, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Vec<WebhookView>>, ApiError> {
    admin_only(&user)?;
    let hooks = s.store.webhooks().await?;
    Ok(Json(hooks.into_iter().map(WebhookView::from).collect()))
}

/// Administrator: subscribe a URL to the events of a region's cases. Each delivery is a
/// POST of JSON signed in `X-Concord-Signature: sha256=HMAC(secret, body)`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", security(("bearer" = [])),
    request_body = NewWebhook,
    responses((status = 201, body = RegisteredWebhook), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn register(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    ApiJson(req): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<RegisteredWebhook>), ApiError> {
    admin_only(&user)?;
    let mut errs = concord_domain::FieldErrors::default();
    check(&req, &mut errs);
    let region = match req.region.as_deref() {
        Some(r) => errs.take(RegionCode::parse("region", r)),
        None => Some(user.region),
    };
    errs.into_result()?;
    let region = region.expect("checked above");
    if !user.region.contains(&region) {
        return Err(FieldError::new("region", "out_of_scope", "只能订阅本辖区的事项").into());
    }
    let (hook, secret) = s
        .store
        .add_webhook(&req.url, &req.events, &region, Timestamp::now())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RegisteredWebhook {
            webhook: hook.into(),
            secret,
        }),
    ))
}

/// Administrator: remove a subscription; nothing more is sent to it.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    admin_only(&user)?;
    if s.store.remove_webhook(id, Timestamp::now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("订阅"))
    }
}

/// Administrator: a subscription's delivery log, newest first (the last 200).
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DeliveryView>), (status = 403, body = ErrorBody)))]
pub async fn deliveries(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    admin_only(&user)?;
    let log = s.store.deliveries(id, 200).await?;
    Ok(Json(log.into_iter().map(DeliveryView::from).collect()))
}
