//! Webhooks: subscribers register a URL and the events they want; every sealed timeline
//! event in their region becomes a delivery row (so deliveries survive a restart), sent
//! in order per case — a case's next event waits until the one before it got through —
//! and retried with back-off. Cutting deliveries from the sealed audit chain, whose order
//! is final, means an event committed late is never skipped.

use concord_domain::region::RegionCode;
use concord_domain::time::{from_micros, shanghai, to_micros};
use jiff::Timestamp;
use rand::Rng;
use serde_json::json;

use crate::args::Arg;
use crate::{Store, StoreError, with_db};

/// A subscription, without its secret.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    /// Action codes; empty means every event.
    pub events: Vec<String>,
    pub region: RegionCode,
    pub created_at: Timestamp,
    pub removed_at: Option<Timestamp>,
}

type HookRow = (i64, String, String, String, i64, Option<i64>);

fn hook(r: HookRow) -> Result<Webhook, StoreError> {
    let (id, url, events, region, created, removed) = r;
    Ok(Webhook {
        id,
        url,
        events: parse_events(&events),
        region: RegionCode::parse("region_code", &region)
            .map_err(|e| StoreError::Corrupt(e.message))?,
        created_at: from_micros(created),
        removed_at: removed.map(from_micros),
    })
}

fn parse_events(s: &str) -> Vec<String> {
    if s == "*" {
        return Vec::new();
    }
    s.split(',').map(str::to_string).collect()
}

const HOOK_COLUMNS: &str = "id, url, events, region_code, created_at, removed_at";

/// One delivery, as the log shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    pub case_id: i64,
    pub chain_seq: i64,
    pub event: String,
    pub body: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_at: i64,
    pub delivered_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}

/// A delivery due now, with where and how to sign it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub case_id: i64,
    pub event: String,
    pub body: String,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
}

/// How long after the n-th failed attempt the next is made: 10 s, 20 s, 40 s, … at most
/// an hour. Deliveries are retried until they get through or the webhook is removed.
pub fn backoff(attempts: i64) -> jiff::SignedDuration {
    let secs = 10i64.saturating_mul(1 << attempts.clamp(1, 20).saturating_sub(1));
    jiff::SignedDuration::from_secs(secs.min(3600))
}

/// A sealed timeline event, joined to its case; an entry of another kind (a view of
/// personal data) has only its place in the chain.
#[derive(sqlx::FromRow)]
pub(crate) struct ChainRow {
    pub chain_seq: i64,
    pub case_id: Option<i64>,
    pub event_seq: Option<i64>,
    pub action: Option<String>,
    pub at: Option<i64>,
    pub reason: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub details: Option<String>,
    pub number: Option<String>,
    pub region_code: Option<String>,
    pub category: Option<String>,
}

/// A chain query: the columns of `ChainRow`, then `FROM audit_log a` and the rest.
macro_rules! chain_select {
    ($rest:literal) => {
        concat!(
            "SELECT a.chain_seq, e.case_id, e.seq AS event_seq, e.action, e.at, e.reason,
             e.from_status, e.to_status, e.details, c.number, c.region_code, c.category
             FROM audit_log a ",
            $rest
        )
    };
}

const CHAIN_SELECT: &str = chain_select!(
    "LEFT JOIN case_events e ON a.kind = 'event' AND e.case_id = a.case_id AND e.seq = a.event_seq
     LEFT JOIN cases c ON c.id = e.case_id
     WHERE a.chain_seq > $1 ORDER BY a.chain_seq LIMIT $2"
);

/// Timeline events only, from a bounded stretch of the chain, the old ones left out
/// before the join (an entry's `at` is its event's).
const FRESH_CHAIN_SELECT: &str = chain_select!(
    "JOIN case_events e ON e.case_id = a.case_id AND e.seq = a.event_seq
     JOIN cases c ON c.id = e.case_id
     WHERE a.chain_seq > $1 AND a.chain_seq <= $2 AND a.kind = 'event' AND a.at >= $3
     ORDER BY a.chain_seq LIMIT $4"
);

/// Events looked at per webhook per round.
const FAN_OUT_BATCH: i64 = 1000;

impl ChainRow {
    /// The body sent for this event: what happened to which case, no personal data.
    fn body(&self) -> Option<(i64, String, String)> {
        let (case_id, action) = (self.case_id?, self.action.clone()?);
        let label = concord_domain::lifecycle::ActionKind::ALL
            .iter()
            .find(|a| a.as_str() == action)
            .map(|a| a.label());
        let status_label = |s: &Option<String>| {
            s.as_deref().and_then(|s| {
                concord_domain::case::Status::ALL
                    .iter()
                    .find(|x| x.as_str() == s)
                    .map(|x| x.label())
            })
        };
        let at = self.at.map(|t| {
            from_micros(t)
                .to_zoned(shanghai())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
        });
        let body = json!({
            "event": action,
            "event_label": label,
            "at": at,
            "case": {
                "id": case_id,
                "number": self.number,
                "category": self.category,
                "region": self.region_code,
            },
            "seq": self.event_seq,
            "from_status": self.from_status,
            "to_status": self.to_status,
            "to_status_label": status_label(&self.to_status),
            "reason": self.reason,
        });
        Some((case_id, action, body.to_string()))
    }
}

impl Store {
    /// Registers a subscriber; returns it with the signing secret, shown this once.
    /// It hears of events sealed from now on.
    pub async fn add_webhook(
        &self,
        url: &str,
        events: &[String],
        region: &RegionCode,
        now: Timestamp,
    ) -> Result<(Webhook, String), StoreError> {
        self.require_region("region", region).await?;
        let secret_bytes: [u8; 24] = rand::rng().random();
        let secret = format!("whsec_{}", hex::encode(secret_bytes));
        let list = if events.is_empty() {
            "*".to_string()
        } else {
            events.join(",")
        };
        let id: i64 = with_db!(self, pool => {
            sqlx::query_scalar("INSERT INTO webhooks (url, secret, events, region_code, created_at, cursor)
                                VALUES ($1, $2, $3, $4, $5,
                                        (SELECT COALESCE(MAX(chain_seq), 0) FROM audit_log))
                                RETURNING id")
                .bind(url).bind(&secret).bind(&list).bind(region.as_str()).bind(to_micros(now))
                .fetch_one(pool).await?
        });
        let hook = Webhook {
            id,
            url: url.to_string(),
            events: events.to_vec(),
            region: *region,
            created_at: now,
            removed_at: None,
        };
        Ok((hook, secret))
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
        let sql = format!("SELECT {HOOK_COLUMNS} FROM webhooks ORDER BY id");
        let rows: Vec<HookRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        });
        rows.into_iter().map(hook).collect()
    }

    /// Stops a subscription: nothing more is cut or sent for it. False if none was live.
    pub async fn remove_webhook(&self, id: i64, now: Timestamp) -> Result<bool, StoreError> {
        let done = with_db!(self, pool => {
            sqlx::query("UPDATE webhooks SET removed_at = $1 WHERE id = $2 AND removed_at IS NULL")
                .bind(to_micros(now)).bind(id).execute(pool).await?.rows_affected()
        });
        Ok(done == 1)
    }

    /// Cuts deliveries for every live webhook from the events sealed since it last looked.
    /// Returns how many were cut.
    pub async fn fan_out_webhooks(&self, now: Timestamp) -> Result<usize, StoreError> {
        let live: Vec<(i64, String, String, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, events, region_code, cursor FROM webhooks WHERE removed_at IS NULL")
                .fetch_all(pool).await?
        });
        let mut cut = 0;
        for (id, events, region, cursor) in live {
            loop {
                let from = cursor_of(self, id, cursor).await?;
                let rows = self.sealed_after(from, FAN_OUT_BATCH).await?;
                let Some(last) = rows.last().map(|r| r.chain_seq) else {
                    break;
                };
                let wanted = parse_events(&events);
                let (lo, hi) = RegionCode::parse("region_code", &region)
                    .map_err(|e| StoreError::Corrupt(e.message))?
                    .subtree_range();
                let picked: Vec<(i64, i64, String, String)> = rows
                    .iter()
                    .filter(|r| {
                        r.region_code
                            .as_deref()
                            .is_some_and(|c| c >= lo.as_str() && c <= hi.as_str())
                    })
                    .filter_map(|r| {
                        let (case_id, action, body) = r.body()?;
                        (wanted.is_empty() || wanted.contains(&action)).then_some((
                            r.chain_seq,
                            case_id,
                            action,
                            body,
                        ))
                    })
                    .collect();
                cut += picked.len();
                self.store_cut(id, last, picked, now).await?;
                if (rows.len() as i64) < FAN_OUT_BATCH {
                    break;
                }
            }
        }
        Ok(cut)
    }

    /// Sealed events in (cursor, top] that happened at `since` or later, in chain order.
    pub(crate) async fn sealed_fresh(
        &self,
        cursor: i64,
        top: i64,
        since: i64,
        limit: i64,
    ) -> Result<Vec<ChainRow>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_as(FRESH_CHAIN_SELECT)
                .bind(cursor)
                .bind(top)
                .bind(since)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The last sealed place in the audit chain (0 when nothing is sealed).
    pub(crate) async fn chain_top(&self) -> Result<i64, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_scalar("SELECT COALESCE(MAX(chain_seq), 0) FROM audit_log")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Sealed chain entries after `cursor`, in chain order.
    pub(crate) async fn sealed_after(
        &self,
        cursor: i64,
        limit: i64,
    ) -> Result<Vec<ChainRow>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_as(CHAIN_SELECT).bind(cursor).bind(limit).fetch_all(pool).await?
        }))
    }

    /// Writes the deliveries cut for one webhook and moves its cursor, at once.
    async fn store_cut(
        &self,
        webhook: i64,
        last: i64,
        picked: Vec<(i64, i64, String, String)>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let marks = self.marks();
        let at = to_micros(now);
        let rows = picked.into_iter().map(|(seq, case_id, event, body)| {
            vec![
                Arg::Int(webhook),
                Arg::Int(case_id),
                Arg::Int(seq),
                Arg::Text(event),
                Arg::Text(body),
                Arg::Int(at),
                Arg::Int(at),
            ]
        });
        let statements = crate::bulk::statements(
            marks,
            "INSERT INTO webhook_deliveries (webhook_id, case_id, chain_seq, event, body,
             created_at, next_at) VALUES ",
            " ON CONFLICT (webhook_id, chain_seq) DO NOTHING",
            rows,
        );
        crate::writer::write_tx!(self, |conn| {
            for (sql, args) in &statements {
                let q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                crate::args::bind_all!(q, &args.0)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("UPDATE webhooks SET cursor = $1 WHERE id = $2 AND cursor < $1")
                .bind(last)
                .bind(webhook)
                .execute(&mut *conn)
                .await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Deliveries due at `now`: for each live webhook and case, only the earliest one not
    /// yet through (a case's events arrive in order).
    pub async fn due_deliveries(
        &self,
        now: Timestamp,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_as("SELECT d.id, d.webhook_id, d.case_id, d.event, d.body, d.attempts, w.url, w.secret
                FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
                WHERE d.delivered_at IS NULL AND d.next_at <= $1 AND w.removed_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                                  WHERE e.webhook_id = d.webhook_id AND e.case_id = d.case_id
                                    AND e.delivered_at IS NULL AND e.chain_seq < d.chain_seq)
                ORDER BY d.chain_seq LIMIT $2")
                .bind(to_micros(now)).bind(limit).fetch_all(pool).await?
        }))
    }

    /// Records one attempt: `Ok(status)` for an answer (2xx delivers), `Err` for none.
    pub async fn record_delivery(
        &self,
        id: i64,
        attempts_before: i64,
        outcome: Result<u16, String>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let attempts = attempts_before + 1;
        let (status, error) = match &outcome {
            Ok(s) => (Some(i64::from(*s)), None),
            Err(e) => (None, Some(e.chars().take(500).collect::<String>())),
        };
        let through = matches!(outcome, Ok(s) if (200..300).contains(&s));
        let delivered = through.then(|| to_micros(now));
        let next = to_micros(now + backoff(attempts));
        crate::writer::write_tx!(self, |conn| {
            sqlx::query(
                "UPDATE webhook_deliveries SET attempts = $1, last_status = $2, last_error = $3,
                 delivered_at = $4, next_at = $5 WHERE id = $6",
            )
            .bind(attempts)
            .bind(status)
            .bind(error.clone())
            .bind(delivered)
            .bind(next)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok::<(), StoreError>(())
        })
    }

    /// A webhook's delivery log, newest first.
    pub async fn deliveries(&self, webhook: i64, limit: i64) -> Result<Vec<Delivery>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_as("SELECT id, webhook_id, case_id, chain_seq, event, body, created_at, attempts,
                            next_at, delivered_at, last_status, last_error
                            FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY chain_seq DESC LIMIT $2")
                .bind(webhook).bind(limit).fetch_all(pool).await?
        }))
    }
}

/// The webhook's cursor as stored now (a round may have moved it).
async fn cursor_of(store: &Store, id: i64, fallback: i64) -> Result<i64, StoreError> {
    let c: Option<i64> = with_db!(store, pool => {
        sqlx::query_scalar("SELECT cursor FROM webhooks WHERE id = $1").bind(id).fetch_optional(pool).await?
    });
    Ok(c.unwrap_or(fallback))
}
