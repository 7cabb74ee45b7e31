//! Notifications: cut from the sealed timeline (as webhooks are) and from dates coming
//! near, written once each (a dedupe key), then sent and retried by the server's notifier.
//! Only events from the last day are told: an import of history or a demo load tells
//! no one, and a server down for longer does not wake people with stale news.

use concord_domain::action::ActionKind;
use concord_domain::case::{Case, Status};
use concord_domain::notice::{self, Audience, Context, Notice, NoticeKind};
use concord_domain::time::{local_date, to_micros};
use jiff::{SignedDuration, Timestamp};

use crate::args::Arg;
use crate::{Store, StoreError, with_db};

/// A notification as the case page and the API show it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub party_ordinal: Option<i64>,
    pub user_id: Option<i64>,
    /// The user's display name, for staff notices.
    pub user_name: Option<String>,
    pub channel: String,
    pub subject: String,
    pub text: String,
    pub state: String,
    pub attempts: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

/// A notification due to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueNotice {
    pub id: i64,
    pub case_id: i64,
    pub kind: String,
    pub party_ordinal: Option<i64>,
    pub user_id: Option<i64>,
    pub channel: String,
    pub subject: String,
    pub text: String,
    pub attempts: i64,
    /// The staff user's e-mail address, if any.
    pub email: Option<String>,
}

/// What sending one notice came to.
#[derive(Debug, Clone)]
pub enum Sent {
    Delivered,
    /// No phone or e-mail address on file: nothing to retry.
    NoAddress,
    Failed(String),
}

const CURSOR_KEY: &str = "notify_cursor";
/// Events older than this when cut are not told.
const FRESH: SignedDuration = SignedDuration::from_hours(24);
/// Fresh events read at a time.
const BATCH: i64 = 1000;
/// Chain entries one read passes over at most, so that no read runs long.
const WINDOW: i64 = 100_000;
/// Cases looked at per date rule per round.
const DATE_BATCH: i64 = 500;

/// The statuses in which a case is still being worked (its deadline runs).
fn working() -> Vec<&'static str> {
    Status::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}

impl Store {
    /// Cuts notices from timeline events sealed since the last round. Returns how many.
    /// The chain is read in windows with the old entries left out by the database, so that
    /// after a bulk load of history the cutter passes millions of entries in a few reads.
    pub async fn cut_notifications(&self, now: Timestamp) -> Result<usize, StoreError> {
        let mut cursor = match self.meta(CURSOR_KEY).await? {
            Some(v) => v.parse().unwrap_or(0),
            None => 0,
        };
        let top = self.chain_top().await?;
        let since = to_micros(now - FRESH);
        let mut cut = 0;
        while cursor < top {
            let window = (cursor + WINDOW).min(top);
            let rows = self.sealed_fresh(cursor, window, since, BATCH).await?;
            // A full batch may stop short of the window; otherwise the window is done.
            let reached = match rows.last() {
                Some(r) if rows.len() as i64 == BATCH => r.chain_seq,
                _ => window,
            };
            let notices = self.notices_for(&rows).await?;
            cut += self.store_notices(notices, Some(reached), now).await?;
            cursor = reached;
        }
        Ok(cut)
    }

    /// The notices that sealed events tell, each with its dedupe key.
    async fn notices_for(
        &self,
        rows: &[crate::webhooks::ChainRow],
    ) -> Result<Vec<(i64, String, Notice)>, StoreError> {
        let mut notices = Vec::new();
        for r in rows {
            let (Some(case_id), Some(action)) = (r.case_id, &r.action) else {
                continue;
            };
            let Some(kind) = ActionKind::ALL.iter().find(|k| k.as_str() == action) else {
                continue;
            };
            if !tells(*kind) {
                continue;
            }
            let Some(record) = self.case(case_id).await? else {
                continue;
            };
            let details: serde_json::Value = r
                .details
                .as_deref()
                .and_then(|d| serde_json::from_str(d).ok())
                .unwrap_or_default();
            let ctx = self.notice_context(&record.case, &details).await?;
            let key = |n: &Notice| format!("{}:{}:{}", r.chain_seq, n.kind, audience_key(n.to));
            for n in notice::after_event(*kind, &record.case, &ctx) {
                notices.push((case_id, key(&n), n));
            }
        }
        Ok(notices)
    }

    /// Cuts notices for deadlines near (80 % of the time used) or passed in the last week,
    /// and follow-ups due within three days. Returns how many.
    pub async fn date_notifications(&self, now: Timestamp) -> Result<usize, StoreError> {
        let t = to_micros(now);
        let statuses: Vec<String> = working().into_iter().map(String::from).collect();
        let mut w = crate::list::Where::default();
        let marks: Vec<String> = statuses
            .iter()
            .map(|s| w.args.push(Arg::Text(s.clone())))
            .collect();
        let at = w.args.push(Arg::Int(t));
        let week = w.args.push(Arg::Int(t - 7 * 86_400_000_000));
        let limit = w.args.push(Arg::Int(DATE_BATCH));
        let in_work = format!("status IN ({})", marks.join(", "));
        // Cases already told of this deadline are passed over, so that each round reaches
        // new ones (an extension moves the deadline, and tells again).
        let untold = |kind: NoticeKind| {
            format!(
                "NOT EXISTS (SELECT 1 FROM notifications n WHERE n.case_id = cases.id
                 AND n.kind = '{kind}' AND n.dedupe_key LIKE
                 CAST(cases.id AS TEXT) || ':{kind}:' || CAST(cases.deadline AS TEXT) || ':%')"
            )
        };
        let overdue = format!(
            "SELECT id FROM cases WHERE {in_work} AND deadline <= {at} AND deadline > {week}
             AND suspended_since IS NULL AND {} ORDER BY deadline DESC LIMIT {limit}",
            untold(NoticeKind::Overdue)
        );
        let near = format!(
            "SELECT id FROM cases WHERE {in_work} AND deadline > {at} AND clock_start IS NOT NULL
             AND suspended_since IS NULL
             AND clock_start + (deadline - clock_start) * 4 / 5 <= {at} AND {}
             ORDER BY deadline LIMIT {limit}",
            untold(NoticeKind::NearDeadline)
        );
        let mut cut = 0;
        for (kind, sql) in [
            (NoticeKind::Overdue, overdue),
            (NoticeKind::NearDeadline, near),
        ] {
            let ids: Vec<i64> = with_db!(self, pool => {
                let q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
                crate::args::bind_all!(q, &w.args.0).fetch_all(pool).await?
            });
            let mut notices = Vec::new();
            for id in ids {
                let Some(record) = self.case(id).await? else {
                    continue;
                };
                let c = &record.case;
                let ctx = self.notice_context(c, &serde_json::Value::Null).await?;
                let about = c.deadline.map_or(0, to_micros);
                for n in notice::about_deadline(kind, c, &ctx) {
                    let key = format!("{id}:{kind}:{about}:{}", audience_key(n.to));
                    notices.push((id, key, n));
                }
            }
            cut += self.store_notices(notices, None, now).await?;
        }
        cut += self.follow_up_notifications(now).await?;
        Ok(cut)
    }

    async fn follow_up_notifications(&self, now: Timestamp) -> Result<usize, StoreError> {
        let (t, soon) = (
            to_micros(now),
            to_micros(now + SignedDuration::from_hours(72)),
        );
        let ids: Vec<i64> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT id FROM cases WHERE status = 'closed' AND follow_up_due > $1
                                AND follow_up_due <= $2 AND NOT EXISTS (SELECT 1 FROM notifications n
                                WHERE n.case_id = cases.id AND n.kind = 'follow_up_due')
                                ORDER BY follow_up_due LIMIT $3")
                .bind(t).bind(soon).bind(DATE_BATCH).fetch_all(pool).await?
        });
        let mut notices = Vec::new();
        for id in ids {
            let Some(record) = self.case(id).await? else {
                continue;
            };
            let c = &record.case;
            let (lo, hi) = c.facts.region.numbering_county().subtree_range();
            let staff: Vec<i64> = with_db!(self, pool => {
                sqlx::query_scalar("SELECT id FROM users WHERE role = 'follow_up'
                                    AND region_code BETWEEN $1 AND $2 ORDER BY id")
                    .bind(lo).bind(hi).fetch_all(pool).await?
            });
            let due = c.follow_up_due.map_or(String::new(), last_day);
            for n in notice::follow_up_due(c, &staff, &due) {
                let key = format!("{id}:follow_up_due:{due}:{}", audience_key(n.to));
                notices.push((id, key, n));
            }
        }
        self.store_notices(notices, None, now).await
    }

    /// Who works the case and what the texts name.
    async fn notice_context(
        &self,
        c: &Case,
        details: &serde_json::Value,
    ) -> Result<Context, StoreError> {
        let mut ctx = Context {
            deadline_day: c.deadline.map(last_day),
            ..Default::default()
        };
        if let Some(unit) = c.lead_unit {
            let name: Option<String> = with_db!(self, pool => {
                sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
                    .bind(unit).fetch_optional(pool).await?
            });
            ctx.lead_unit = name;
            let users: Vec<i64> = with_db!(self, pool => {
                sqlx::query_scalar("SELECT id FROM users WHERE org_id = $1 ORDER BY id")
                    .bind(unit).fetch_all(pool).await?
            });
            ctx.handlers.extend(users);
        }
        if let Some(m) = c.mediator {
            let row: Option<(String, Option<i64>)> = with_db!(self, pool => {
                sqlx::query_as("SELECT name, user_id FROM mediators WHERE id = $1")
                    .bind(m).fetch_optional(pool).await?
            });
            if let Some((name, user)) = row {
                ctx.mediator_name = Some(name);
                ctx.handlers.splice(0..0, user);
            }
        }
        // The event keeps a session's start in local time, "2030-03-04 09:00".
        if ctx.handlers.is_empty() {
            // Nobody works it yet: the county's command center hears instead.
            let (lo, hi) = c.facts.region.numbering_county().subtree_range();
            let dispatchers: Vec<i64> = with_db!(self, pool => {
                sqlx::query_scalar("SELECT id FROM users WHERE role = 'dispatcher'
                                    AND region_code BETWEEN $1 AND $2 ORDER BY id")
                    .bind(lo).bind(hi).fetch_all(pool).await?
            });
            ctx.handlers = dispatchers;
        }
        if let (Some(at), Some(mode)) = (details["starts_at"].as_str(), details["mode"].as_str())
            && let Ok(t) = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", at)
        {
            let how = concord_domain::session::SessionMode::parse("mode", mode)
                .map_or(mode.to_string(), |m| m.label().to_string());
            ctx.session = Some((t.strftime("%Y年%m月%d日 %H:%M").to_string(), how));
        }
        Ok(ctx)
    }

    /// Writes notices once each (by their keys), and moves the event cursor, at once.
    /// Returns how many were new.
    async fn store_notices(
        &self,
        notices: Vec<(i64, String, Notice)>,
        cursor: Option<i64>,
        now: Timestamp,
    ) -> Result<usize, StoreError> {
        let at = to_micros(now);
        let rows = notices.into_iter().map(|(case_id, key, n)| {
            let (party, user, channel) = match n.to {
                Audience::Party(i) => (Some(i as i64), None, "sms"),
                Audience::Staff(u) => (None, Some(u), "email"),
            };
            vec![
                Arg::Int(case_id),
                Arg::Text(n.kind.as_str().to_string()),
                Arg::OptInt(party),
                Arg::OptInt(user),
                Arg::Text(channel.to_string()),
                Arg::Text(n.subject),
                Arg::Text(n.text),
                Arg::Text(key),
                Arg::Int(at),
                Arg::Int(at),
            ]
        });
        let statements = crate::bulk::statements(
            self.marks(),
            "INSERT INTO notifications (case_id, kind, party_ordinal, user_id, channel, subject,
             text, dedupe_key, created_at, next_at) VALUES ",
            " ON CONFLICT (dedupe_key) DO NOTHING",
            rows,
        );
        crate::writer::write_tx!(self, |conn| {
            let mut new = 0;
            for (sql, args) in &statements {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                new += crate::args::bind_all!(q, &args.0)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected() as usize;
            }
            if let Some(c) = cursor {
                sqlx::query(
                    "INSERT INTO meta (key, value) VALUES ($1, $2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(CURSOR_KEY)
                .bind(c.to_string())
                .execute(&mut *conn)
                .await?;
            }
            Ok::<usize, StoreError>(new)
        })
    }

    /// Notices due at `now`, oldest first.
    pub async fn due_notifications(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<DueNotice>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_as("SELECT n.id, n.case_id, n.kind, n.party_ordinal, n.user_id, n.channel,
                n.subject, n.text, n.attempts, u.email
                FROM notifications n LEFT JOIN users u ON u.id = n.user_id
                WHERE n.state = 'pending' AND n.next_at <= $1 ORDER BY n.id LIMIT $2")
                .bind(to_micros(now)).bind(limit).fetch_all(pool).await?
        }))
    }

    /// A party's phone number, opened, to send them a notice.
    pub async fn party_phone(
        &self,
        case_id: i64,
        ordinal: i64,
    ) -> Result<Option<String>, StoreError> {
        let sealed: Option<Option<String>> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT phone FROM parties WHERE case_id = $1 AND ordinal = $2")
                .bind(case_id).bind(ordinal).fetch_optional(pool).await?
        });
        self.party_key.open_column(sealed.flatten())
    }

    /// Records one try: delivered, nothing to send to, or failed (retried with the
    /// webhooks' back-off).
    pub async fn record_notification(
        &self,
        id: i64,
        attempts_before: i64,
        outcome: Sent,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let at = to_micros(now);
        let attempts = attempts_before + 1;
        let (state, sent, error) = match &outcome {
            Sent::Delivered => ("sent", Some(at), None),
            Sent::NoAddress => (
                "skipped",
                None,
                Some("没有可用的手机号或电子邮件地址".to_string()),
            ),
            Sent::Failed(e) => ("pending", None, Some(e.chars().take(500).collect())),
        };
        let next = to_micros(now + crate::webhooks::backoff(attempts));
        crate::writer::write_tx!(self, |conn| {
            sqlx::query(
                "UPDATE notifications SET state = $1, sent_at = $2, last_error = $3,
                 attempts = $4, next_at = $5 WHERE id = $6",
            )
            .bind(state)
            .bind(sent)
            .bind(error.clone())
            .bind(attempts)
            .bind(next)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok::<(), StoreError>(())
        })
    }

    /// A case's notifications, oldest first.
    pub async fn case_notifications(
        &self,
        case_id: i64,
    ) -> Result<Vec<NotificationRow>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_as("SELECT n.id, n.case_id, n.kind, n.party_ordinal, n.user_id,
                u.display_name AS user_name, n.channel, n.subject, n.text, n.state, n.attempts,
                n.created_at, n.sent_at, n.last_error
                FROM notifications n LEFT JOIN users u ON u.id = n.user_id
                WHERE n.case_id = $1 ORDER BY n.id")
                .bind(case_id).fetch_all(pool).await?
        }))
    }
}

/// The actions parties or staff are told of.
fn tells(k: ActionKind) -> bool {
    matches!(
        k,
        ActionKind::Accept
            | ActionKind::Assign
            | ActionKind::ScheduleSession
            | ActionKind::DraftAgreement
    )
}

fn audience_key(a: Audience) -> String {
    match a {
        Audience::Party(i) => format!("p{i}"),
        Audience::Staff(u) => format!("u{u}"),
    }
}

/// The day a deadline that ends at midnight belongs to.
fn last_day(t: Timestamp) -> String {
    local_date(t - SignedDuration::from_micros(1)).to_string()
}
