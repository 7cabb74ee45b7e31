//! Materials attached to a case, kept in the database with the case (so that a backup
//! of the database is a backup of everything), each with the SHA-256 of its content.

use concord_domain::attachment::CheckedFile;
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::accounts::Actor;
use crate::{Store, StoreError, with_db};

/// An attachment's particulars (its bytes are fetched separately).
#[derive(Debug, Clone, Serialize)]
pub struct Attachment {
    pub id: i64,
    pub case_id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub at: Timestamp,
}

type Row = (i64, i64, String, String, i64, String, String, i64);

fn from_row((id, case_id, name, mime, size, sha256, uploaded_by, at): Row) -> Attachment {
    Attachment {
        id,
        case_id,
        name,
        mime,
        size,
        sha256,
        uploaded_by,
        at: from_micros(at),
    }
}

const COLUMNS: &str = "id, case_id, name, mime, size, sha256, uploaded_by, at";

impl Store {
    /// Keeps a checked file with its case; answers once it is durable.
    pub async fn add_attachment(
        &self,
        case_id: i64,
        file: &CheckedFile,
        bytes: Vec<u8>,
        by: &Actor,
        now: Timestamp,
    ) -> Result<Attachment, StoreError> {
        let sha = hex::encode(Sha256::digest(&bytes));
        let (name, mime, size) = (file.name.clone(), file.mime, bytes.len() as i64);
        let (who, user, at) = (by.name.clone(), by.user_id, to_micros(now));
        let id = crate::writer::write_tx!(self, |conn| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO attachments (case_id, name, mime, size, sha256, data, uploaded_by, user_id, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
                .bind(case_id).bind(name).bind(mime).bind(size).bind(sha).bind(bytes).bind(who).bind(user).bind(at)
                .fetch_one(&mut *conn).await?;
            Ok::<i64, StoreError>(id)
        })?;
        self.attachment(id)
            .await?
            .ok_or(StoreError::NotFound("材料"))
    }

    pub async fn attachments(&self, case_id: i64) -> Result<Vec<Attachment>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM attachments WHERE case_id = $1 ORDER BY id");
        let rows: Vec<Row> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(case_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(from_row).collect())
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<Attachment>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = $1");
        let row: Option<Row> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(from_row))
    }

    pub async fn attachment_data(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_scalar("SELECT data FROM attachments WHERE id = $1").bind(id).fetch_optional(pool).await?
        }))
    }
}
