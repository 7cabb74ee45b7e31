//! The tamper-evident record (see `concord_domain::audit`): entries are written in the
//! same transaction as what they record (a trigger for timeline events, `reveal_party`
//! for views of personal data) and sealed into the chain shortly after, by one sealer at
//! a time. Sealing after commit keeps concurrent writers from queueing on the chain's
//! head; an entry is unsealed for at most one sealing interval.

use std::collections::HashSet;

use concord_domain::audit::{
    Entry, EntryKind, EventContent, GENESIS, Problem, Stored, Walker, chain_hash, event_digest,
    view_digest,
};
use concord_domain::time::to_micros;
use jiff::Timestamp;

use crate::accounts::Actor;
use crate::args::Arg;
use crate::bulk::statements;
use crate::{Store, StoreError, with_db};

/// Entries sealed per transaction: small enough not to hold the SQLite writer long
/// (a few tens of milliseconds).
const SEAL_BATCH: i64 = 5000;
/// Entries read per page while verifying.
const VERIFY_PAGE: i64 = 10_000;

/// Serialises sealers: on PostgreSQL two servers may share a database.
pub(crate) trait ChainLock {
    fn lock_chain(&mut self) -> impl Future<Output = Result<(), sqlx::Error>> + Send;
}

impl ChainLock for sqlx::SqliteConnection {
    /// SQLite's writer already runs one write at a time.
    async fn lock_chain(&mut self) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

impl ChainLock for sqlx::PgConnection {
    async fn lock_chain(&mut self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_advisory_xact_lock(7262616)")
            .execute(self)
            .await
            .map(|_| ())
    }
}

/// Writes an entry that stands for itself (kind `$1`: a view, an anonymisation) for case
/// `$2`, in the transaction of what it records.
pub(crate) const INSERT_ENTRY: &str =
    "INSERT INTO audit_log (kind, case_id, event_seq, at, actor_id, actor_name, detail)
     VALUES ($1, $2, NULL, $3, $4, $5, $6)";

const ENTRY_COLUMNS: &str =
    "a.id, a.kind, a.case_id, a.event_seq, a.at, a.actor_id, a.actor_name, a.detail,
     a.chain_seq, a.digest, a.hash,
     e.seq AS e_seq, e.at AS e_at, e.actor_id AS e_actor_id, e.actor_name AS e_actor_name,
     e.action AS e_action, e.reason AS e_reason, e.from_status AS e_from, e.to_status AS e_to,
     e.details AS e_details
     FROM audit_log a LEFT JOIN case_events e
       ON a.kind = 'event' AND e.case_id = a.case_id AND e.seq = a.event_seq";

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    kind: String,
    case_id: i64,
    event_seq: Option<i64>,
    at: i64,
    actor_id: Option<i64>,
    actor_name: String,
    detail: String,
    chain_seq: Option<i64>,
    digest: Option<String>,
    hash: Option<String>,
    e_seq: Option<i64>,
    e_at: Option<i64>,
    e_actor_id: Option<i64>,
    e_actor_name: Option<String>,
    e_action: Option<String>,
    e_reason: Option<String>,
    e_from: Option<String>,
    e_to: Option<String>,
    e_details: Option<String>,
}

impl EntryRow {
    fn kind(&self) -> Result<EntryKind, StoreError> {
        EntryKind::parse(&self.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("audit entry kind {}", self.kind)))
    }

    /// The event's content as it stands now; None when the event is gone.
    fn event(&self) -> Option<EventContent> {
        Some(EventContent {
            case_id: self.case_id,
            seq: self.e_seq?,
            at: self.e_at?,
            actor_id: self.e_actor_id,
            actor_name: self.e_actor_name.clone()?,
            action: self.e_action.clone()?,
            reason: self.e_reason.clone(),
            from_status: self.e_from.clone(),
            to_status: self.e_to.clone()?,
            details: self.e_details.clone()?,
        })
    }

    fn entry(&self, kind: EntryKind, chain_seq: i64, digest: String) -> Entry {
        Entry {
            chain_seq,
            kind,
            case_id: self.case_id,
            event_seq: self.event_seq,
            at: self.at,
            actor_id: self.actor_id,
            actor_name: self.actor_name.clone(),
            detail: self.detail.clone(),
            digest,
        }
    }

    /// The digest of what the entry stands for, as it is now.
    fn current_digest(&self, kind: EntryKind) -> String {
        match kind {
            EntryKind::Event => self
                .event()
                .map_or_else(|| "missing".into(), |e| event_digest(&e)),
            EntryKind::View | EntryKind::Anonymise => view_digest(
                self.case_id,
                self.at,
                self.actor_id,
                &self.actor_name,
                &self.detail,
            ),
        }
    }
}

/// A party's numbers in full.
#[derive(Debug, Clone)]
pub struct RevealedParty {
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

/// What `concord audit verify` found.
#[derive(Debug)]
pub struct AuditReport {
    /// Entries checked, in chain order.
    pub entries: i64,
    /// Of which views of personal data.
    pub views: i64,
    /// Entries sealed by this check before walking.
    pub sealed_now: u64,
    /// The last hash: note it down, and a later check shows nothing was cut off the end.
    pub head: String,
    /// The first entry altered or removed, if any.
    pub problem: Option<Problem>,
}

impl Store {
    /// A party's full phone and ID numbers, for `by`; the view is on the record before
    /// the numbers are returned. None when the case has no such party.
    pub async fn reveal_party(
        &self,
        case_id: i64,
        ordinal: i64,
        by: &Actor,
        now: Timestamp,
    ) -> Result<Option<RevealedParty>, StoreError> {
        let (who, user, at) = (by.name.clone(), by.user_id, to_micros(now));
        let row =
            crate::writer::write_tx!(self, |conn| {
                let row: Option<(String, Option<String>, Option<String>)> = sqlx::query_as(
                "SELECT name, phone, id_number FROM parties WHERE case_id = $1 AND ordinal = $2")
                .bind(case_id).bind(ordinal).fetch_optional(&mut *conn).await?;
                if let Some((name, _, _)) = &row {
                    let detail = format!("查看当事人{name}的完整电话和身份证号");
                    sqlx::query(INSERT_ENTRY)
                        .bind(EntryKind::View.as_str())
                        .bind(case_id)
                        .bind(at)
                        .bind(user)
                        .bind(who)
                        .bind(detail)
                        .execute(&mut *conn)
                        .await?;
                }
                Ok::<_, StoreError>(row)
            })?;
        row.map(|(name, phone, id_number)| {
            Ok(RevealedParty {
                name,
                phone: self.party_key.open_column(phone)?,
                id_number: self.party_key.open_column(id_number)?,
            })
        })
        .transpose()
    }

    /// Chains every entry not yet sealed; returns how many. Each batch is read, hashed
    /// and written back in one transaction, the writes as a few multi-row updates.
    pub async fn seal_audit(&self) -> Result<u64, StoreError> {
        // The server asks every second: with nothing pending, no write transaction.
        let pending: Option<i64> = with_db!(self, p => {
            sqlx::query_scalar("SELECT id FROM audit_log WHERE chain_seq IS NULL LIMIT 1")
                .fetch_optional(p).await?
        });
        if pending.is_none() {
            return Ok(0);
        }
        let marks = self.marks();
        let mut total = 0;
        loop {
            let n = crate::writer::write_tx!(self, |conn| {
                use crate::audit::ChainLock;
                conn.lock_chain().await?;
                let head: Option<(i64, String)> = sqlx::query_as(
                    "SELECT chain_seq, hash FROM audit_log
                     WHERE chain_seq = (SELECT MAX(chain_seq) FROM audit_log)",
                )
                .fetch_optional(&mut *conn)
                .await?;
                let (mut seq, mut prev) = head.unwrap_or((0, GENESIS.to_string()));
                let sql = format!(
                    "SELECT {ENTRY_COLUMNS} WHERE a.chain_seq IS NULL ORDER BY a.id LIMIT $1"
                );
                let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(SEAL_BATCH)
                    .fetch_all(&mut *conn)
                    .await?;
                let mut sealed = Vec::with_capacity(rows.len());
                for r in &rows {
                    let kind = r.kind()?;
                    seq += 1;
                    let entry = r.entry(kind, seq, r.current_digest(kind));
                    prev = chain_hash(&prev, &entry);
                    sealed.push(vec![
                        Arg::Int(r.id),
                        Arg::Int(seq),
                        Arg::Text(entry.digest),
                        Arg::Text(prev.clone()),
                    ]);
                }
                let head = "UPDATE audit_log SET chain_seq = v.column2, digest = v.column3, hash = v.column4 FROM (VALUES ";
                for (sql, args) in
                    statements(marks, head, ") AS v WHERE audit_log.id = v.column1", sealed)
                {
                    crate::args::bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), &args.0)
                        .execute(&mut *conn)
                        .await?;
                }
                Ok::<u64, StoreError>(rows.len() as u64)
            })?;
            total += n;
            if n < SEAL_BATCH as u64 {
                return Ok(total);
            }
        }
    }

    /// Seals what is pending, then walks the whole chain and checks that every timeline
    /// event is in it, and that it passes through `since` (a head noted down earlier).
    /// Stops at the first problem.
    pub async fn verify_audit(&self, since: Option<&str>) -> Result<AuditReport, StoreError> {
        let since = since.map(str::trim);
        let mut seen_since = since.is_none();
        let sealed_now = self.seal_audit().await?;
        // Events first: entries written meanwhile only add to the second count.
        let events: i64 = with_db!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM case_events").fetch_one(p).await?);
        let recorded: i64 = with_db!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE kind = 'event'").fetch_one(p).await?);
        let mut walker = Walker::default();
        let mut views = 0;
        let sql =
            format!("SELECT {ENTRY_COLUMNS} WHERE a.chain_seq > $1 ORDER BY a.chain_seq LIMIT $2");
        let mut problem = None;
        'pages: loop {
            let rows: Vec<EntryRow> = with_db!(self, p => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(walker.checked()).bind(VERIFY_PAGE).fetch_all(p).await?
            });
            for r in &rows {
                let kind = r.kind()?;
                let (Some(chain_seq), Some(digest), Some(hash)) =
                    (r.chain_seq, r.digest.clone(), r.hash.clone())
                else {
                    continue;
                };
                let stored = Stored {
                    entry: r.entry(kind, chain_seq, digest),
                    hash,
                    event: r.event(),
                };
                if let Err(p) = walker.check(&stored) {
                    problem = Some(p);
                    break 'pages;
                }
                views += i64::from(kind == EntryKind::View);
                seen_since |= since == Some(stored.hash.as_str());
            }
            if (rows.len() as i64) < VERIFY_PAGE {
                break;
            }
        }
        if let (None, false, Some(h)) = (&problem, seen_since, since) {
            problem = Some(Problem::HeadNotFound(h.trim().to_string()));
        }
        if problem.is_none() && events > recorded {
            problem = self.first_unrecorded_event().await?;
        }
        Ok(AuditReport {
            entries: walker.checked(),
            views,
            sealed_now,
            head: walker.head().to_string(),
            problem,
        })
    }

    /// The first timeline event without an entry (only looked for when the counts differ).
    async fn first_unrecorded_event(&self) -> Result<Option<Problem>, StoreError> {
        let recorded: Vec<(i64, i64)> = with_db!(self, p => sqlx::query_as(
            "SELECT case_id, event_seq FROM audit_log WHERE kind = 'event'").fetch_all(p).await?);
        let recorded: HashSet<(i64, i64)> = recorded.into_iter().collect();
        let mut after = 0i64;
        loop {
            let page: Vec<(i64, i64, i64)> = with_db!(self, p => sqlx::query_as(
                "SELECT id, case_id, seq FROM case_events WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after).bind(VERIFY_PAGE).fetch_all(p).await?);
            if let Some(&(_, case_id, event_seq)) =
                page.iter().find(|(_, c, s)| !recorded.contains(&(*c, *s)))
            {
                return Ok(Some(Problem::Unrecorded { case_id, event_seq }));
            }
            match page.last() {
                Some(&(id, _, _)) if page.len() as i64 == VERIFY_PAGE => after = id,
                _ => return Ok(None),
            }
        }
    }
}
