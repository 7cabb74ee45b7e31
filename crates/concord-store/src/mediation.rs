//! What mediation writes beside a case's state, in the same transaction as the event
//! that records it: sessions (booked without double-booking a mediator or a room, then
//! recorded or cancelled), the agreement's versions, and the parties' signatures.

use concord_domain::agreement::{AgreementText, SignMethod};
use concord_domain::session::{Booking, SessionMode, SessionRecord, SessionStatus};
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::rows::corrupt;
use crate::{Store, StoreError, with_db};

/// The SHA-256 of an agreement's signed text, in hex: what a signature binds to.
pub fn text_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A write that goes with a transition.
pub(crate) enum Extra {
    None,
    Session(Booking),
    Record {
        session: i64,
        record: String,
    },
    Cancel {
        session: i64,
        reason: String,
    },
    Agreement {
        version: u32,
        text: AgreementText,
        signed_text: String,
        hash: String,
    },
    Signature(NewSignature),
}

pub(crate) struct NewSignature {
    pub version: u32,
    pub party: usize,
    pub method: SignMethod,
    pub signer: String,
    pub image: Option<Vec<u8>>,
    pub hash: String,
}

/// SQL that differs between the backends, chosen before the transaction.
pub(crate) struct Dialect {
    /// Serializes bookings of one mediator (PostgreSQL; SQLite has one writer anyway).
    pub lock_mediator: Option<&'static str>,
    pub lock_room: Option<&'static str>,
}

impl Store {
    pub(crate) fn dialect(&self) -> Dialect {
        match self.db {
            crate::Db::Sqlite(_) => Dialect {
                lock_mediator: None,
                lock_room: None,
            },
            crate::Db::Postgres(_) => Dialect {
                lock_mediator: Some("SELECT id FROM mediators WHERE id = $1 FOR UPDATE"),
                lock_room: Some("SELECT id FROM organizations WHERE id = $1 FOR UPDATE"),
            },
        }
    }
}

/// Carries out an `Extra` for case `$id` at `$at` (µs) by `$by` on `$conn`; evaluates to
/// the id of a new row, if it made one.
macro_rules! apply_extra {
    ($conn:expr, $id:expr, $extra:expr, $at:expr, $by:expr, $dialect:expr) => {{
        use $crate::mediation::Extra;
        let dialect: &$crate::mediation::Dialect = $dialect;
        match $extra {
            Extra::None => None,
            Extra::Session(b) => {
                if let (Some(lock), Some(m)) = (dialect.lock_mediator, b.mediator) {
                    sqlx::query(lock).bind(m).execute(&mut *$conn).await?;
                }
                if let (Some(lock), Some(r)) = (dialect.lock_room, b.room) {
                    sqlx::query(lock).bind(r).execute(&mut *$conn).await?;
                }
                let (start, end) = (concord_domain::time::to_micros(b.starts_at), concord_domain::time::to_micros(b.ends_at));
                let clash: Option<(i64, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT id, mediator_id, room_id FROM mediation_sessions WHERE status = 'scheduled' AND starts_at < $1 AND ends_at > $2
                     AND (mediator_id = $3 OR room_id = $4) LIMIT 1")
                    .bind(end).bind(start).bind(b.mediator.unwrap_or(-1)).bind(b.room.unwrap_or(-1))
                    .fetch_optional(&mut *$conn).await?;
                if let Some((other, m, _)) = clash {
                    let who = if m.is_some() && m == b.mediator { "该调解员" } else { "该调解室" };
                    return Err(StoreError::Conflict(format!("{who}在该时段已有预约(第{other}号),请另选时间")));
                }
                let units: Vec<String> = b.units.iter().map(i64::to_string).collect();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO mediation_sessions (case_id, mode, status, mediator_id, room_id, location, units, starts_at, ends_at, created_by, created_at)
                     VALUES ($1, $2, 'scheduled', $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
                    .bind($id).bind(b.mode.as_str()).bind(b.mediator).bind(b.room).bind(&b.location)
                    .bind(units.join(",")).bind(start).bind(end).bind(&$by).bind($at)
                    .fetch_one(&mut *$conn).await?;
                Some(id)
            }
            Extra::Record { session, record } => {
                let n = sqlx::query("UPDATE mediation_sessions SET status = 'held', record = $1, recorded_at = $2
                                     WHERE id = $3 AND case_id = $4 AND status = 'scheduled'")
                    .bind(record).bind($at).bind(session).bind($id)
                    .execute(&mut *$conn).await?.rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict("该次调解不是待举行状态".into()));
                }
                None
            }
            Extra::Cancel { session, reason } => {
                let n = sqlx::query("UPDATE mediation_sessions SET status = 'cancelled', cancel_reason = $1
                                     WHERE id = $2 AND case_id = $3 AND status = 'scheduled'")
                    .bind(reason).bind(session).bind($id)
                    .execute(&mut *$conn).await?.rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict("该次调解不是待举行状态".into()));
                }
                None
            }
            Extra::Agreement { version, text, signed_text, hash } => {
                let terms = serde_json::to_string(&text.terms).expect("terms serialize");
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO agreements (case_id, version, facts, terms, text, text_hash, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
                    .bind($id).bind(i64::from(version)).bind(&text.facts).bind(terms).bind(signed_text)
                    .bind(hash).bind(&$by).bind($at)
                    .fetch_one(&mut *$conn).await?;
                Some(id)
            }
            Extra::Signature(s) => {
                let done = sqlx::query(
                    "INSERT INTO signatures (case_id, agreement_version, party_ordinal, method, signer_name, image, text_hash, recorded_by, signed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                    .bind($id).bind(i64::from(s.version)).bind(s.party as i64).bind(s.method.as_str())
                    .bind(&s.signer).bind(s.image).bind(s.hash).bind(&$by).bind($at)
                    .execute(&mut *$conn).await;
                match done {
                    Ok(_) => None,
                    Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                        return Err(StoreError::Conflict("该当事人已签署,不能重复签署".into()));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }};
}
pub(crate) use apply_extra;

/// A session as stored.
#[derive(Debug, Clone, Serialize)]
pub struct SessionRow {
    pub id: i64,
    pub case_id: i64,
    pub mode: SessionMode,
    pub status: SessionStatus,
    pub mediator: Option<i64>,
    pub room: Option<i64>,
    pub location: String,
    pub units: Vec<i64>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub record: Option<SessionRecord>,
    pub cancel_reason: Option<String>,
}

type RawSession = (
    i64,
    i64,
    String,
    String,
    Option<i64>,
    Option<i64>,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

const SESSION_COLUMNS: &str = "id, case_id, mode, status, mediator_id, room_id, location, units, starts_at, ends_at, record, cancel_reason";

fn to_session(r: RawSession) -> Result<SessionRow, StoreError> {
    Ok(SessionRow {
        id: r.0,
        case_id: r.1,
        mode: SessionMode::parse("mode", &r.2).map_err(corrupt)?,
        status: SessionStatus::parse("status", &r.3).map_err(corrupt)?,
        mediator: r.4,
        room: r.5,
        location: r.6,
        units: r.7.split(',').filter_map(|u| u.parse().ok()).collect(),
        starts_at: from_micros(r.8),
        ends_at: from_micros(r.9),
        record: r
            .10
            .map(|s| serde_json::from_str(&s))
            .transpose()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        cancel_reason: r.11,
    })
}

/// An agreement version with its signatures.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementRecord {
    pub version: u32,
    pub text: AgreementText,
    pub signed_text: String,
    pub hash: String,
    pub created_at: Timestamp,
    pub signatures: Vec<SignatureRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignatureRecord {
    pub party: usize,
    pub method: SignMethod,
    pub signer: String,
    pub has_image: bool,
    pub signed_at: Timestamp,
}

impl Store {
    pub async fn sessions(&self, case_id: i64) -> Result<Vec<SessionRow>, StoreError> {
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM mediation_sessions WHERE case_id = $1 ORDER BY starts_at"
        );
        let rows: Vec<RawSession> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_id).fetch_all(pool).await?
        });
        rows.into_iter().map(to_session).collect()
    }

    pub async fn session(&self, id: i64) -> Result<Option<SessionRow>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM mediation_sessions WHERE id = $1");
        let row: Option<RawSession> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
        });
        row.map(to_session).transpose()
    }

    /// A mediator's (`room` false) or a room's sessions between two instants: their
    /// calendar.
    pub async fn calendar_of(
        &self,
        id: i64,
        room: bool,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<SessionRow>, StoreError> {
        let column = if room { "room_id" } else { "mediator_id" };
        let sql = format!(
            "SELECT {SESSION_COLUMNS} FROM mediation_sessions WHERE {column} = $1 AND starts_at < $2 AND ends_at > $3 ORDER BY starts_at"
        );
        let rows: Vec<RawSession> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).bind(to_micros(to)).bind(to_micros(from)).fetch_all(pool).await?
        });
        rows.into_iter().map(to_session).collect()
    }

    /// The agreement's current version with its signatures, if drafted.
    pub async fn agreement(&self, case_id: i64) -> Result<Option<AgreementRecord>, StoreError> {
        type Row = (i64, String, String, String, String, i64);
        let row: Option<Row> = with_db!(self, pool => {
            sqlx::query_as("SELECT version, facts, terms, text, text_hash, created_at FROM agreements
                            WHERE case_id = $1 ORDER BY version DESC LIMIT 1")
                .bind(case_id).fetch_optional(pool).await?
        });
        let Some((version, facts, terms, signed_text, hash, at)) = row else {
            return Ok(None);
        };
        let terms = serde_json::from_str(&terms).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        type Sig = (i64, String, String, bool, i64);
        let sigs: Vec<Sig> = with_db!(self, pool => {
            sqlx::query_as("SELECT party_ordinal, method, signer_name, image IS NOT NULL, signed_at FROM signatures
                            WHERE case_id = $1 AND agreement_version = $2 ORDER BY party_ordinal")
                .bind(case_id).bind(version).fetch_all(pool).await?
        });
        let signatures = sigs
            .into_iter()
            .map(|(p, m, signer, img, t)| {
                Ok(SignatureRecord {
                    party: p as usize,
                    method: SignMethod::parse("method", &m).map_err(corrupt)?,
                    signer,
                    has_image: img,
                    signed_at: from_micros(t),
                })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok(Some(AgreementRecord {
            version: version as u32,
            text: AgreementText { facts, terms },
            signed_text,
            hash,
            created_at: from_micros(at),
            signatures,
        }))
    }

    /// A party's drawn signature (PNG), if they signed online.
    pub async fn signature_image(
        &self,
        case_id: i64,
        version: u32,
        party: usize,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<Option<Vec<u8>>> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT image FROM signatures WHERE case_id = $1 AND agreement_version = $2 AND party_ordinal = $3")
                .bind(case_id).bind(i64::from(version)).bind(party as i64).fetch_optional(pool).await?
        });
        Ok(row.flatten())
    }
}
