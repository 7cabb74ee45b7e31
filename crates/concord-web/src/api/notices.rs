//! Who was told what about a case, and when (通知记录).

use axum::Json;
use axum::extract::{Path, State};
use concord_domain::notice::NoticeKind;
use concord_domain::time::from_micros;
use concord_store::notifications::NotificationRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::AuthUser;
use crate::views::local_time;

#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub kind: String,
    pub kind_label: &'static str,
    /// The party (by name) or the staff member told.
    pub to: String,
    /// `sms` or `email`.
    pub channel: String,
    pub subject: String,
    pub text: String,
    /// `pending`, `sent`, or `skipped` (no phone or address on file).
    pub state: String,
    pub attempts: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
}

fn view(n: NotificationRow, party_names: &[String]) -> NotificationView {
    let to = match (n.party_ordinal, &n.user_name) {
        (Some(i), _) => party_names
            .get(i as usize)
            .cloned()
            .unwrap_or_else(|| format!("当事人{}", i + 1)),
        (None, Some(name)) => name.clone(),
        (None, None) => "工作人员".into(),
    };
    NotificationView {
        id: n.id,
        kind_label: NoticeKind::parse("kind", &n.kind).map_or("通知", |k| k.label()),
        kind: n.kind,
        to,
        channel: n.channel,
        subject: n.subject,
        text: n.text,
        state: n.state,
        attempts: n.attempts,
        created_at: local_time(from_micros(n.created_at)),
        sent_at: n.sent_at.map(|t| local_time(from_micros(t))),
        last_error: n.last_error,
    }
}

/// The notifications sent (or waiting) about a case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/notifications", tag = "cases",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<NotificationView>), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody)))]
pub async fn list(
    State(s): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<NotificationView>>, ApiError> {
    let record = super::cases::load_case(&s, &user, &id).await?;
    let names: Vec<String> = record
        .case
        .facts
        .parties
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let rows = s.store.case_notifications(record.case.id).await?;
    Ok(Json(rows.into_iter().map(|n| view(n, &names)).collect()))
}
