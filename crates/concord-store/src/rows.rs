//! Turning stored text back into domain values; a bad value is corruption, not user error.

use concord_domain::FieldError;
use concord_domain::category::Category;
use concord_domain::region::RegionCode;

use crate::StoreError;

pub(crate) fn corrupt(e: FieldError) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

pub(crate) fn region_code(s: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse("region_code", s).map_err(corrupt)
}

pub(crate) fn parse_categories(s: &str) -> Result<Vec<Category>, StoreError> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(|c| Category::parse("categories", c).map_err(corrupt))
        .collect()
}

use concord_domain::action::Performance;
use concord_domain::case::{
    Case, CaseKind, Channel, Complexity, Level, NewCase, Outcome, Party, PartyKind, PartyRole,
    RiskLevel, Satisfaction, Status, Tier,
};
use concord_domain::intake::{Intake, Window};
use concord_domain::lifecycle::{ActionKind, EventDraft};
use concord_domain::person::{IdNumber, Phone};
use concord_domain::time::from_micros;
use jiff::Timestamp;

use crate::accounts::Actor;

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub channel: String,
    pub category: String,
    pub description: String,
    pub region_code: String,
    pub address: String,
    pub amount_fen: Option<i64>,
    pub complainants: i64,
    pub complexity: String,
    pub level: String,
    pub tier: String,
    pub status: String,
    pub lead_unit: Option<i64>,
    pub responsible_person: Option<i64>,
    pub mediator: Option<i64>,
    pub registered_at: i64,
    pub accepted_at: Option<i64>,
    pub clock_start: Option<i64>,
    pub deadline: Option<i64>,
    pub acceptance_due: Option<i64>,
    pub statutory_deadline: Option<i64>,
    pub outcome: Option<String>,
    pub closed_at: Option<i64>,
    pub satisfaction: Option<String>,
    pub version: i64,
    pub category_confirmed: bool,
    pub intake_window: Option<String>,
    pub petition: Option<String>,
    pub transfer: Option<String>,
    pub source: Option<String>,
    pub external_ref: Option<String>,
    pub repeat_of: Option<i64>,
    pub skip_level_of: Option<i64>,
    pub merged_into: Option<i64>,
    pub open_tasks: i64,
    pub suspended_since: Option<i64>,
    pub pending_extension: Option<i64>,
    pub extensions: i64,
    pub round: i64,
    pub agreement_version: Option<i64>,
    pub agreement_signed: bool,
    pub follow_up_due: Option<i64>,
    pub performance: Option<String>,
    pub risk_level: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PartyRow {
    pub role: String,
    pub kind: String,
    pub name: String,
    pub phone: Option<String>,
    pub id_number: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub seq: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub reason: Option<String>,
    pub from_status: Option<String>,
    pub to_status: String,
    pub details: String,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub seq: i64,
    pub at: Timestamp,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: ActionKind,
    pub reason: Option<String>,
    pub from: Option<Status>,
    pub to: Status,
    pub details: serde_json::Value,
}

impl EventRecord {
    pub(crate) fn from_draft(seq: i64, e: &EventDraft, a: &Actor) -> Self {
        Self {
            seq,
            at: e.at,
            actor_id: a.user_id,
            actor_name: a.name.clone(),
            action: e.action,
            reason: e.reason.clone(),
            from: e.from,
            to: e.to,
            details: e.details.clone(),
        }
    }
}

fn opt<T>(
    s: Option<String>,
    f: impl Fn(&str) -> Result<T, FieldError>,
) -> Result<Option<T>, StoreError> {
    s.as_deref().map(|s| f(s).map_err(corrupt)).transpose()
}

fn ts(us: Option<i64>) -> Option<Timestamp> {
    us.map(from_micros)
}

pub(crate) fn case_from_rows(
    r: CaseRow,
    parties: Vec<PartyRow>,
    co: Vec<i64>,
) -> Result<Case, StoreError> {
    let parties = parties
        .into_iter()
        .map(party_from_row)
        .collect::<Result<_, _>>()?;
    let facts = NewCase {
        kind: CaseKind::parse("kind", &r.kind).map_err(corrupt)?,
        channel: Channel::parse("channel", &r.channel).map_err(corrupt)?,
        category: Category::parse("category", &r.category).map_err(corrupt)?,
        description: r.description,
        region: region_code(&r.region_code)?,
        address: r.address,
        amount_fen: r.amount_fen,
        complainants: u32::try_from(r.complainants)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        complexity: Complexity::parse("complexity", &r.complexity).map_err(corrupt)?,
        level: Level::parse("level", &r.level).map_err(corrupt)?,
        tier: Tier::parse("tier", &r.tier).map_err(corrupt)?,
        parties,
        intake: Intake {
            window: opt(r.intake_window, |s| Window::parse("intake_window", s))?,
            petition: json_col(r.petition)?,
            transfer: json_col(r.transfer)?,
            source: r.source,
            external_ref: r.external_ref,
        },
    };
    Ok(Case {
        id: r.id,
        number: r.number,
        facts,
        status: Status::parse("status", &r.status).map_err(corrupt)?,
        lead_unit: r.lead_unit,
        co_handlers: co,
        responsible_person: r.responsible_person,
        mediator: r.mediator,
        registered_at: from_micros(r.registered_at),
        accepted_at: ts(r.accepted_at),
        clock_start: ts(r.clock_start),
        deadline: ts(r.deadline),
        acceptance_due: ts(r.acceptance_due),
        statutory_deadline: ts(r.statutory_deadline),
        outcome: opt(r.outcome, |s| Outcome::parse("outcome", s))?,
        closed_at: ts(r.closed_at),
        satisfaction: opt(r.satisfaction, |s| Satisfaction::parse("satisfaction", s))?,
        category_confirmed: r.category_confirmed,
        open_tasks: u32::try_from(r.open_tasks).unwrap_or(0),
        repeat_of: r.repeat_of,
        skip_level_of: r.skip_level_of,
        merged_into: r.merged_into,
        suspended_since: ts(r.suspended_since),
        pending_extension: r.pending_extension.map(|d| d as u32),
        extensions: r.extensions as u32,
        round: r.round as u32,
        agreement_version: r.agreement_version.map(|v| v as u32),
        agreement_signed: r.agreement_signed,
        follow_up_due: ts(r.follow_up_due),
        performance: opt(r.performance, |s| Performance::parse("performance", s))?,
        risk_level: opt(r.risk_level, |s| RiskLevel::parse("risk_level", s))?,
        version: r.version,
    })
}

fn json_col<T: serde::de::DeserializeOwned>(s: Option<String>) -> Result<Option<T>, StoreError> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

fn party_from_row(p: PartyRow) -> Result<Party, StoreError> {
    Ok(Party {
        role: PartyRole::parse("role", &p.role).map_err(corrupt)?,
        kind: PartyKind::parse("kind", &p.kind).map_err(corrupt)?,
        name: p.name,
        phone: opt(p.phone, |s| Phone::parse("phone", s))?,
        id_number: opt(p.id_number, |s| IdNumber::parse("id_number", s))?,
    })
}

pub(crate) fn event_from_row(e: EventRow) -> Result<EventRecord, StoreError> {
    Ok(EventRecord {
        seq: e.seq,
        at: from_micros(e.at),
        actor_id: e.actor_id,
        actor_name: e.actor_name,
        action: ActionKind::parse("action", &e.action).map_err(corrupt)?,
        reason: e.reason,
        from: opt(e.from_status, |s| Status::parse("from_status", s))?,
        to: Status::parse("to_status", &e.to_status).map_err(corrupt)?,
        details: serde_json::from_str(&e.details)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    })
}
