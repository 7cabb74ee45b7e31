//! Retention (个人信息保存期限): a case closed longer ago than the center keeps personal
//! data loses it — parties' names become their place in the case, numbers and their
//! keyed hashes go, and the free text and files that name people (description,
//! address, room messages, session records, agreements' text, signatures, materials,
//! documents, search terms) are removed. What the figures count (category, region,
//! dates, status, outcome, satisfaction, petition levels) stays, and so do the timeline
//! and its audit chain; each anonymisation is itself an entry on the chain.

use concord_domain::audit::EntryKind;
use concord_domain::time::to_micros;
use jiff::Timestamp;

use crate::args::Marks;
use crate::audit::INSERT_ENTRY;
use crate::list::open_statuses;
use crate::{Store, StoreError, with_db};

/// Cases anonymised per transaction.
const BATCH: i64 = 500;

impl Store {
    /// Anonymises every case closed (no longer open) before `cutoff` and not yet
    /// anonymised; returns how many. `dry_run` only counts.
    pub async fn anonymise_closed(
        &self,
        cutoff: Timestamp,
        dry_run: bool,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        let pick = format!(
            "SELECT id FROM cases WHERE anonymised_at IS NULL AND status NOT IN ({})
             AND COALESCE(closed_at, registered_at) < $1 ORDER BY id LIMIT $2",
            open_statuses()
        );
        let (cut, at) = (to_micros(cutoff), to_micros(now));
        if dry_run {
            let sql = pick
                .replace("SELECT id", "SELECT COUNT(*)")
                .replace(" ORDER BY id LIMIT $2", "");
            let n: i64 = with_db!(self, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(cut).fetch_one(p).await?);
            return Ok(n as u64);
        }
        let search = match self.marks() {
            Marks::Anonymous => "DELETE FROM case_search WHERE rowid = $1",
            Marks::Numbered => "DELETE FROM case_search WHERE case_id = $1",
        };
        let mut total = 0;
        loop {
            let pick = pick.clone();
            let n = crate::writer::write_tx!(self, |conn| {
                let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(pick))
                    .bind(cut)
                    .bind(BATCH)
                    .fetch_all(&mut *conn)
                    .await?;
                for id in &ids {
                    for sql in SCRUB {
                        sqlx::query(sqlx::AssertSqlSafe(*sql))
                            .bind(id)
                            .execute(&mut *conn)
                            .await?;
                    }
                    sqlx::query(search).bind(id).execute(&mut *conn).await?;
                    sqlx::query("UPDATE cases SET anonymised_at = $2 WHERE id = $1")
                        .bind(id)
                        .bind(at)
                        .execute(&mut *conn)
                        .await?;
                    sqlx::query(INSERT_ENTRY)
                        .bind(EntryKind::Anonymise.as_str())
                        .bind(id)
                        .bind(at)
                        .bind(None::<i64>)
                        .bind("系统")
                        .bind("按个人信息保存期限匿名化")
                        .execute(&mut *conn)
                        .await?;
                }
                Ok::<u64, StoreError>(ids.len() as u64)
            })?;
            total += n;
            if n < BATCH as u64 {
                return Ok(total);
            }
        }
    }
}

/// What anonymising one case (`$1`) does, table by table.
const SCRUB: &[&str] = &[
    "UPDATE parties SET name = '当事人' || CAST(ordinal + 1 AS TEXT), phone = NULL,
        id_number = NULL, phone_key = NULL, id_key = NULL WHERE case_id = $1",
    "UPDATE cases SET description = '(已按个人信息保存期限匿名化)', address = '',
        tracking_hash = NULL WHERE id = $1",
    "DELETE FROM room_messages WHERE case_id = $1",
    "DELETE FROM signatures WHERE case_id = $1",
    "DELETE FROM attachments WHERE case_id = $1",
    "DELETE FROM documents WHERE case_id = $1",
    "DELETE FROM party_codes WHERE case_id = $1",
    "DELETE FROM one_time_codes WHERE case_id = $1",
    "UPDATE agreements SET facts = '', terms = '[]', text = '(已匿名化)' WHERE case_id = $1",
    "UPDATE mediation_sessions SET record = NULL, location = '' WHERE case_id = $1 AND record IS NOT NULL",
    "UPDATE open311_requests SET lat = NULL, long = NULL, address_id = NULL, media_url = NULL,
        email = NULL, device_id = NULL, account_id = NULL, attributes = '{}' WHERE case_id = $1",
];
