//! The online mediation room's transcript: every message, kept with the case.

use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;

use crate::{Store, StoreError, with_db};

/// Longest message a room takes.
pub const MAX_MESSAGE_CHARS: usize = 2000;

#[derive(Debug, Clone, Serialize)]
pub struct RoomMessage {
    pub id: i64,
    pub case_id: i64,
    #[serde(serialize_with = "crate::room::rfc3339")]
    pub at: Timestamp,
    /// Who said it: a staff member's name, or 申请人/被申请人 and the party's name.
    pub author: String,
    /// The party who said it (by position among the parties), or None for staff.
    pub party: Option<usize>,
    pub body: String,
}

fn rfc3339<S: serde::Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(
        &t.to_zoned(concord_domain::time::shanghai())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
    )
}

/// Who speaks in the room.
#[derive(Debug, Clone)]
pub enum Speaker {
    Staff {
        user_id: i64,
        name: String,
    },
    Party {
        ordinal: usize,
        name: String,
    },
    /// Notes the system adds: a signature made, the agreement changed.
    System,
}

type Row = (i64, i64, i64, Option<i64>, String, String);

impl Store {
    /// Appends a message to a case's room, durably, and returns it.
    pub async fn post_room_message(
        &self,
        case_id: i64,
        who: &Speaker,
        body: &str,
        now: Timestamp,
    ) -> Result<RoomMessage, StoreError> {
        let body = body.trim();
        if body.is_empty() {
            return Err(concord_domain::FieldError::new("body", "required", "消息不能为空").into());
        }
        if body.chars().count() > MAX_MESSAGE_CHARS {
            return Err(concord_domain::FieldError::new(
                "body",
                "too_long",
                format!("消息不能超过{MAX_MESSAGE_CHARS}字"),
            )
            .into());
        }
        let (user_id, party, author) = match who {
            Speaker::Staff { user_id, name } => (Some(*user_id), None, name.clone()),
            Speaker::Party { ordinal, name } => (None, Some(*ordinal as i64), name.clone()),
            Speaker::System => (None, None, "系统".to_string()),
        };
        let (text, at) = (body.to_string(), to_micros(now));
        let author2 = author.clone();
        let id = crate::writer::write_tx!(self, |conn| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO room_messages (case_id, at, user_id, party_ordinal, author, body)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(case_id)
            .bind(at)
            .bind(user_id)
            .bind(party)
            .bind(author2.clone())
            .bind(text.clone())
            .fetch_one(&mut *conn)
            .await?;
            Ok::<i64, StoreError>(id)
        })?;
        Ok(RoomMessage {
            id,
            case_id,
            at: now,
            author,
            party: party.map(|p| p as usize),
            body: body.to_string(),
        })
    }

    /// A room's messages after `after` (an id; 0 for all), oldest first.
    pub async fn room_messages(
        &self,
        case_id: i64,
        after: i64,
    ) -> Result<Vec<RoomMessage>, StoreError> {
        let rows: Vec<Row> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, case_id, at, party_ordinal, author, body FROM room_messages
                            WHERE case_id = $1 AND id > $2 ORDER BY id LIMIT 1000")
                .bind(case_id).bind(after).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, case_id, at, party, author, body)| RoomMessage {
                id,
                case_id,
                at: from_micros(at),
                author,
                party: party.map(|p| p as usize),
                body,
            })
            .collect())
    }
}
