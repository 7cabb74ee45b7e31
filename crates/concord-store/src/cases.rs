//! Cases: registration with a gapless number, the timeline, and transitions written in
//! the same transaction as their event.

use concord_domain::case::Case;
use concord_domain::lifecycle::{self, Action, Context, EventDraft};
use concord_domain::time::to_micros;
use jiff::Timestamp;

use crate::accounts::Actor;
use crate::figures::{Rollup, apply_rollup};
use crate::keys::PartyKey;
use crate::mediation::{Extra, apply_extra};
use crate::rows::{CaseRow, EventRow, PartyRow, case_from_rows, event_from_row};
use crate::tasks::{apply_task_change, task_change};
use crate::writer::write_tx;
use crate::{Store, StoreError, with_db};

pub use crate::rows::EventRecord;

/// A case with where it lies and its timeline, oldest event first.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub case: Case,
    pub region_name: String,
    pub events: Vec<EventRecord>,
}

/// A case built elsewhere (the demo, an import) with its whole history, to be stored as is.
#[derive(Debug, Clone)]
pub struct BuiltCase {
    pub case: Case,
    pub events: Vec<(EventDraft, Actor)>,
    /// What search finds it by (see [`BuiltCase::new`]).
    pub search_terms: String,
    /// A citizen's tracking code, hashed (online submissions).
    pub tracking_hash: Option<String>,
    /// The agreement the history drafted, and its signatures (demo histories).
    pub agreement: Option<BuiltAgreement>,
    /// The Open311 request it came as, and the request's token.
    pub open311: Option<(crate::open311::Filing, String)>,
    /// The parties' numbers sealed ahead of the writer (see [`BuiltCase::seal_parties`]).
    sealed: Vec<crate::bulk::SealedParty>,
}

/// An agreement made in a built history: version 1 and who signed it when.
#[derive(Debug, Clone)]
pub struct BuiltAgreement {
    pub text: concord_domain::agreement::AgreementText,
    pub by: String,
    pub at: Timestamp,
    /// (party, method, when).
    pub signatures: Vec<(usize, concord_domain::agreement::SignMethod, Timestamp)>,
}

impl BuiltCase {
    /// A case and its history, with its search terms worked out here — in the caller's
    /// task, not in the single writer that stores it.
    pub fn new(case: Case, events: Vec<(EventDraft, Actor)>) -> Self {
        let search_terms = search_terms_of(&case);
        Self {
            case,
            events,
            search_terms,
            tracking_hash: None,
            agreement: None,
            open311: None,
            sealed: Vec::new(),
        }
    }

    /// Seals the parties' phone and ID numbers now, off the writer; call it once the
    /// parties are final (storing seals whatever was not sealed here).
    pub fn seal_parties(&mut self, key: &PartyKey) {
        let parties = &self.case.facts.parties;
        self.sealed = parties
            .iter()
            .map(|p| crate::bulk::SealedParty::of(p, key))
            .collect();
    }

    /// Whether every party's numbers were sealed ahead.
    fn is_sealed(&self) -> bool {
        self.sealed.len() == self.case.facts.parties.len()
    }

    /// The parties' sealed numbers: those sealed ahead, or sealed now.
    pub(crate) fn sealed_parties(&self, key: &PartyKey) -> Vec<crate::bulk::SealedParty> {
        if self.is_sealed() {
            return self.sealed.clone();
        }
        self.case
            .facts
            .parties
            .iter()
            .map(|p| crate::bulk::SealedParty::of(p, key))
            .collect()
    }
}

/// The texts a case is found by: description, address, party names.
pub(crate) fn search_terms_of(c: &Case) -> String {
    let f = &c.facts;
    let texts = [f.description.as_str(), f.address.as_str()]
        .into_iter()
        .chain(f.parties.iter().map(|p| p.name.as_str()));
    concord_text::tokens::index_terms(texts)
}

pub(crate) const CASE_COLUMNS: &str = "id, number, kind, channel, category, description, region_code, address,
    amount_fen, complainants, complexity, level, tier, status, lead_unit, responsible_person, mediator,
    registered_at, accepted_at, clock_start, deadline, acceptance_due, statutory_deadline, outcome,
    closed_at, satisfaction, version, category_confirmed, intake_window, petition, transfer, source,
    external_ref, repeat_of, skip_level_of, merged_into,
    (SELECT COUNT(*) FROM case_tasks t WHERE t.case_id = cases.id AND t.status = 'open') AS open_tasks,
    suspended_since, pending_extension, extensions, round, agreement_version, agreement_signed,
    follow_up_due, performance, risk_level";

pub(crate) const UPDATE_CASE: &str =
    "UPDATE cases SET complexity = $1, level = $2, tier = $3, status = $4,
    lead_unit = $5, responsible_person = $6, mediator = $7, accepted_at = $8, clock_start = $9,
    deadline = $10, statutory_deadline = $11, outcome = $12, closed_at = $13, satisfaction = $14,
    version = $15, category = $16, category_confirmed = $17, complainants = $18, merged_into = $19,
    suspended_since = $20, pending_extension = $21, extensions = $22, round = $23,
    agreement_version = $24, agreement_signed = $25, follow_up_due = $26, performance = $27,
    risk_level = $28 WHERE id = $29 AND version = $30";

pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO case_events (case_id, seq, at, actor_id, actor_name, action,
    reason, from_status, to_status, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// Case numbers people can read aloud: the county's 6-digit code, the year, a sequence
/// without gaps — 331125-2025-00042.
pub fn format_number(county: &str, year: i16, seq: i64) -> String {
    format!("{county}-{year}-{seq:05}")
}

impl Store {
    /// An assignment gets its mediator (named, picked by the parties, or by load); a
    /// mediator named anywhere must be free of conflicts of interest.
    async fn with_mediator(
        &self,
        case: &Case,
        action: Action,
    ) -> Result<(Action, Option<crate::mediators::ChosenBy>), StoreError> {
        match action {
            Action::Assign {
                lead_unit,
                co_handlers,
                responsible_person,
                mediator,
                level,
                tier,
                reason,
            } => {
                let (mediator, by) = self.choose_mediator(case, lead_unit, mediator).await?;
                let a = Action::Assign {
                    lead_unit,
                    co_handlers,
                    responsible_person,
                    mediator,
                    level,
                    tier,
                    reason,
                };
                Ok((a, by))
            }
            Action::StartMediation { mediator: Some(m) } => {
                self.refuse_conflicts(m, case).await?;
                Ok((Action::StartMediation { mediator: Some(m) }, None))
            }
            other => Ok((other, None)),
        }
    }
}

fn ts(t: Option<Timestamp>) -> Option<i64> {
    t.map(to_micros)
}

/// Appends one event to a case's timeline.
macro_rules! insert_event {
    ($tx:expr, $case_id:expr, $seq:expr, $e:expr, $actor:expr) => {{
        let e: &concord_domain::lifecycle::EventDraft = $e;
        let a: &$crate::accounts::Actor = $actor;
        sqlx::query($crate::cases::INSERT_EVENT)
            .bind($case_id)
            .bind($seq)
            .bind(concord_domain::time::to_micros(e.at))
            .bind(a.user_id)
            .bind(&a.name)
            .bind(e.action.as_str())
            .bind(e.reason.as_deref())
            .bind(e.from.map(|s| s.as_str()))
            .bind(e.to.as_str())
            .bind(e.details.to_string())
            .execute(&mut *$tx)
            .await?;
    }};
}

pub(crate) use insert_event;

macro_rules! insert_co_handlers {
    ($tx:expr, $id:expr, $orgs:expr) => {{
        sqlx::query("DELETE FROM case_co_handlers WHERE case_id = $1")
            .bind($id)
            .execute(&mut *$tx)
            .await?;
        for org in $orgs {
            sqlx::query("INSERT INTO case_co_handlers (case_id, org_id) VALUES ($1, $2)")
                .bind($id)
                .bind(*org)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

impl Store {
    /// Stores cases with their whole histories, numbering them as they go, all or none.
    /// Returns them with their ids and numbers, once durable.
    pub async fn insert_built_cases(
        &self,
        batch: Vec<BuiltCase>,
    ) -> Result<Vec<BuiltCase>, StoreError> {
        let mut batch = batch;
        for b in batch.iter_mut().filter(|b| !b.is_sealed()) {
            b.seal_parties(&self.party_key);
        }
        match &self.db {
            crate::Db::Sqlite(_) => self.writer().register(batch).await,
            crate::Db::Postgres(_) => self.pg_writer().register(batch).await,
        }
    }

    /// A party row with its phone and ID numbers opened.
    fn open_party(&self, mut p: PartyRow) -> Result<PartyRow, StoreError> {
        p.phone = self.party_key.open_column(p.phone)?;
        p.id_number = self.party_key.open_column(p.id_number)?;
        Ok(p)
    }

    pub async fn case(&self, id: i64) -> Result<Option<CaseRecord>, StoreError> {
        let rows = with_db!(self, pool => {
            let mut conn = pool.acquire().await?;
            let sql = format!("SELECT {CASE_COLUMNS} FROM cases WHERE id = $1");
            let row: Option<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await?;
            match row {
                None => None,
                Some(row) => {
                    let parties: Vec<PartyRow> = sqlx::query_as("SELECT role, kind, name, phone, id_number FROM parties WHERE case_id = $1 ORDER BY ordinal")
                        .bind(id).fetch_all(&mut *conn).await?;
                    let co: Vec<i64> = sqlx::query_scalar("SELECT org_id FROM case_co_handlers WHERE case_id = $1 ORDER BY org_id")
                        .bind(id).fetch_all(&mut *conn).await?;
                    let events: Vec<EventRow> = sqlx::query_as("SELECT seq, at, actor_id, actor_name, action, reason, from_status, to_status, details
                                                                FROM case_events WHERE case_id = $1 ORDER BY seq")
                        .bind(id).fetch_all(&mut *conn).await?;
                    let name: Option<String> = sqlx::query_scalar("SELECT name FROM regions WHERE code = $1")
                        .bind(&row.region_code).fetch_optional(&mut *conn).await?;
                    Some((row, parties, co, events, name))
                }
            }
        });
        let Some((row, parties, co, events, name)) = rows else {
            return Ok(None);
        };
        let parties = parties
            .into_iter()
            .map(|p| self.open_party(p))
            .collect::<Result<_, _>>()?;
        let case = case_from_rows(row, parties, co)?;
        let events = events
            .into_iter()
            .map(event_from_row)
            .collect::<Result<_, _>>()?;
        Ok(Some(CaseRecord {
            case,
            region_name: name.unwrap_or_default(),
            events,
        }))
    }

    /// Applies an action to a case: authorization, the state machine, references checked,
    /// the new state and its event written together. `expected_version`, when given, must
    /// match, so that nobody overwrites a change they have not seen.
    pub async fn transition(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        expected_version: Option<i64>,
        now: Timestamp,
    ) -> Result<CaseRecord, StoreError> {
        let dissatisfied = matches!(
            action,
            Action::FollowUp {
                satisfaction: concord_domain::case::Satisfaction::Dissatisfied,
                ..
            }
        );
        let (record, _) = self
            .transition_with(actor, id, action, expected_version, now, Extra::None)
            .await?;
        if dissatisfied {
            self.accountability_alert(&record.case, now).await?;
        }
        if let Some(e) = record.events.last()
            && matches!(
                e.action,
                concord_domain::lifecycle::ActionKind::Reclassify
                    | concord_domain::lifecycle::ActionKind::AssessRisk
            )
            && e.details.get("downgraded_from").is_some()
        {
            self.downgrade_alert(&record.case, e, now).await?;
        }
        Ok(record)
    }

    /// Reports a downgrade to the command center and the leaders: who, from what, why.
    async fn downgrade_alert(
        &self,
        c: &concord_domain::case::Case,
        e: &EventRecord,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        use concord_domain::case::RiskLevel;
        use concord_domain::category::Category;
        let from = e.details["downgraded_from"].as_str().unwrap_or_default();
        let what = match e.action {
            concord_domain::lifecycle::ActionKind::AssessRisk => format!(
                "风险等级由“{}”调为“{}”",
                RiskLevel::parse("from", from).map_or("", |r| r.label()),
                c.risk_level.map_or("", |r| r.label())
            ),
            _ => format!(
                "由“{}”调为“{}”(风险类别调低)",
                Category::parse("from", from).map_or("", |c| c.label()),
                c.facts.category.label()
            ),
        };
        let a = crate::alerts::NewAlert {
            kind: concord_domain::alert::AlertKind::Downgrade,
            level: concord_domain::alert::AlertLevel::Yellow,
            case_id: Some(c.id),
            region: c.facts.region.numbering_county(),
            message: format!(
                "{}{what},操作人{},理由:{}",
                c.number,
                e.actor_name,
                e.reason.as_deref().unwrap_or("")
            ),
        };
        self.raise_alert(&a, now).await.map(|_| ())
    }

    /// A transition and what goes with it (a session, an agreement, a signature),
    /// written together; returns the case and the id of the row `extra` made, if any.
    pub(crate) async fn transition_with(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
        expected_version: Option<i64>,
        now: Timestamp,
        extra: Extra,
    ) -> Result<(CaseRecord, Option<i64>), StoreError> {
        let current = self.case(id).await?.ok_or(StoreError::NotFound("事项"))?;
        actor.authorize(action.kind(), &current.case)?;
        if let Some(v) = expected_version.filter(|v| *v != current.case.version) {
            return Err(StoreError::Conflict(stale_message(&current, v)));
        }
        self.check_references(&action).await?;
        self.check_task(id, &action).await?;
        let (action, chosen_by) = self.with_mediator(&current.case, action).await?;
        let routing = match &action {
            Action::Assign { .. } => Some(self.route(&current.case.facts).await?),
            _ => None,
        };
        let calendar = self.calendar();
        let ctx = Context {
            now,
            calendar: &calendar,
            routing: routing.as_ref(),
        };
        let (next, mut event) = lifecycle::apply(&current.case, action.clone(), &ctx)?;
        if let Some(by) = chosen_by {
            event.details["mediator_chosen_by"] = serde_json::json!(by);
        }
        let tasks = task_change(&action, &next, &calendar, now);
        let seq = current.events.len() as i64 + 1;
        let (old_version, old_co) = (current.case.version, current.case.co_handlers.clone());
        let (by, at) = (actor.clone(), to_micros(now));
        let (by_name, dialect) = (actor.name.clone(), self.dialect());
        let rollup = Rollup::of_move(Some(&current.case), &next).statements(self.marks());
        let (next, event, made) = write_tx!(self, |conn| {
            let n = bind_update(sqlx::query(UPDATE_CASE), &next, old_version)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if n != 1 {
                return Err(StoreError::Conflict("事项刚被他人修改,请刷新后重试".into()));
            }
            apply_rollup!(conn, rollup);
            let made = apply_extra!(conn, id, extra, at, by_name, &dialect);
            let mut event = event;
            if let Some(row) = made {
                // The event names the session or agreement row it goes with.
                for key in ["session", "agreement"] {
                    if event.details.get(key).is_some() {
                        event.details[key] = serde_json::json!(row);
                    }
                }
            }
            insert_event!(conn, id, seq, &event, &by);
            if next.co_handlers != old_co {
                insert_co_handlers!(conn, id, &next.co_handlers);
            }
            apply_task_change!(conn, id, tasks, at);
            Ok((next, event, made))
        })?;
        let mut events = current.events;
        events.push(EventRecord::from_draft(seq, &event, actor));
        let record = CaseRecord {
            case: next,
            region_name: current.region_name,
            events,
        };
        Ok((record, made))
    }
}

pub(crate) fn bind_update<'q, DB: sqlx::Database>(
    q: sqlx::query::Query<'q, DB, DB::Arguments>,
    c: &'q Case,
    old_version: i64,
) -> sqlx::query::Query<'q, DB, DB::Arguments>
where
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<&'q str>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    bool: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let f = &c.facts;
    q.bind(f.complexity.as_str())
        .bind(f.level.as_str())
        .bind(f.tier.as_str())
        .bind(c.status.as_str())
        .bind(c.lead_unit)
        .bind(c.responsible_person)
        .bind(c.mediator)
        .bind(ts(c.accepted_at))
        .bind(ts(c.clock_start))
        .bind(ts(c.deadline))
        .bind(ts(c.statutory_deadline))
        .bind(c.outcome.map(|o| o.as_str()))
        .bind(ts(c.closed_at))
        .bind(c.satisfaction.map(|s| s.as_str()))
        .bind(c.version)
        .bind(f.category.as_str())
        .bind(c.category_confirmed)
        .bind(i64::from(f.complainants))
        .bind(c.merged_into)
        .bind(ts(c.suspended_since))
        .bind(c.pending_extension.map(i64::from))
        .bind(i64::from(c.extensions))
        .bind(i64::from(c.round))
        .bind(c.agreement_version.map(i64::from))
        .bind(c.agreement_signed)
        .bind(ts(c.follow_up_due))
        .bind(c.performance.map(|p| p.as_str()))
        .bind(c.risk_level.map(|r| r.as_str()))
        .bind(c.id)
        .bind(old_version)
}

/// A 409's words: which version the caller saw, which is current, and what happened in
/// between (each version is one event on the timeline).
fn stale_message(current: &CaseRecord, seen: i64) -> String {
    let since: Vec<String> = current
        .events
        .iter()
        .filter(|e| e.seq > seen)
        .map(|e| {
            let at = e.at.to_zoned(concord_domain::time::shanghai());
            format!(
                "{} {}({})",
                e.actor_name,
                e.action.label(),
                at.strftime("%m-%d %H:%M")
            )
        })
        .collect();
    let between = if since.is_empty() {
        String::new()
    } else {
        format!(":其间 {}", since.join(";"))
    };
    format!(
        "事项已被他人修改(您看到的是第{seen}版,当前为第{}版){between}。请刷新后重试",
        current.case.version
    )
}
