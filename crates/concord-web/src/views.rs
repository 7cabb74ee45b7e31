//! What the API returns: cases with their timeline, in Asia/Shanghai time; personal data
//! masked.

use concord_domain::case::{
    Case, CaseKind, Channel, Complexity, Level, Outcome, PartyKind, PartyRole, Satisfaction,
    Status, Tier,
};
use concord_domain::category::Category;
use concord_domain::deadline::{Clock, clock};
use concord_domain::intake::{PetitionInfo, TransferInfo, Window};
use concord_domain::lifecycle::{ActionKind, allowed_actions};
use concord_domain::time::{local_date, shanghai};
use concord_store::{CaseRecord, EventRecord};
use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// RFC 3339 in Asia/Shanghai, e.g. `2025-10-15T00:00:00+08:00`.
pub fn local_time(t: Timestamp) -> String {
    t.to_zoned(shanghai())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// The day a deadline that ends at midnight belongs to.
pub fn last_day(t: Timestamp) -> String {
    let just_before = t - jiff::Span::new().microseconds(1);
    local_date(just_before).to_string()
}

fn opt_time(t: Option<Timestamp>) -> Option<String> {
    t.map(local_time)
}

#[derive(Serialize, ToSchema)]
pub struct PartyView {
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: String,
    /// Masked: 138****8000.
    pub phone: Option<String>,
    /// Masked: 3311**********1234.
    pub id_number: Option<String>,
}

#[derive(Clone, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: ActionKind,
    pub action_label: &'static str,
    pub reason: Option<String>,
    pub from: Option<Status>,
    pub to: Status,
    /// `changes`: each changed field as `[before, after]`; plus the action's details.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// A case as listed: its facts and where it stands, without parties or timeline.
#[derive(Serialize, ToSchema)]
pub struct CaseSummaryView {
    pub id: i64,
    /// Readable aloud: county code, year, sequence.
    #[schema(example = "331125-2025-00042")]
    pub number: String,
    pub kind: CaseKind,
    pub channel: Channel,
    pub category: Category,
    pub category_label: &'static str,
    pub description: String,
    pub region: String,
    pub address: String,
    /// In yuan.
    pub amount: Option<f64>,
    pub complainants: u32,
    /// Five or more complainants (群体性).
    pub mass_case: bool,
    pub complexity: Complexity,
    pub level: Level,
    pub tier: Tier,
    pub status: Status,
    pub status_label: &'static str,
    pub lead_unit: Option<i64>,
    pub responsible_person: Option<i64>,
    pub mediator: Option<i64>,
    pub registered_at: String,
    pub accepted_at: Option<String>,
    pub deadline: Option<String>,
    /// The last working day of the deadline (it ends at that day's close).
    pub deadline_date: Option<String>,
    /// The deadline light while the case is open.
    pub clock: Option<Clock>,
    pub acceptance_due: Option<String>,
    pub statutory_deadline: Option<String>,
    pub outcome: Option<Outcome>,
    pub closed_at: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    /// A dispatcher confirmed or corrected the category.
    pub category_confirmed: bool,
    /// The window it was registered at (channel `window`).
    pub window: Option<Window>,
    pub petition: Option<PetitionInfo>,
    pub transfer: Option<TransferInfo>,
    /// Where an imported work order came from, and its number there.
    pub source: Option<String>,
    pub external_ref: Option<String>,
    /// 重复访: the earlier petition of the same person about the same matter.
    pub repeat_of: Option<i64>,
    /// 越级访: the lower-level case still handling the same matter.
    pub skip_level_of: Option<i64>,
    /// 并案: the group case this one was merged into.
    pub merged_into: Option<i64>,
    /// Co-handlers' tasks still open.
    pub open_tasks: u32,
    /// The clock stands still since then (中止计时).
    pub suspended_since: Option<String>,
    /// Working days asked for, awaiting a leader (延期申请).
    pub pending_extension: Option<u32>,
    /// The round of handling: 2 and more after reopening (轮次调处).
    pub round: u32,
    /// The agreement's current version, once drafted.
    pub agreement_version: Option<u32>,
    /// Every party signed it.
    pub agreement_signed: bool,
    /// The follow-up call is due by then.
    pub follow_up_due: Option<String>,
    /// Whether the agreement is kept, as follow-up found.
    pub performance: Option<concord_domain::action::Performance>,
    /// The command center's risk level (风险等级), once judged.
    pub risk_level: Option<concord_domain::case::RiskLevel>,
    pub version: i64,
}

/// A case with its parties, what can be done next, and its timeline, oldest first.
#[derive(Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub summary: CaseSummaryView,
    pub region_name: String,
    pub co_handlers: Vec<i64>,
    pub parties: Vec<PartyView>,
    pub allowed_actions: Vec<ActionKind>,
    pub events: Vec<EventView>,
    /// How likely the open case is to turn, and why (None once it is no longer open).
    pub risk: Option<concord_domain::risk::RiskAssessment>,
}

pub fn summary(c: &Case, now: Timestamp) -> CaseSummaryView {
    let f = &c.facts;
    let light = match (c.status.is_open(), c.clock_start, c.deadline) {
        (true, Some(s), Some(d)) => Some(clock(s, d, now)),
        _ => None,
    };
    CaseSummaryView {
        id: c.id,
        number: c.number.clone(),
        kind: f.kind,
        channel: f.channel,
        category: f.category,
        category_label: f.category.label(),
        description: f.description.clone(),
        region: f.region.to_string(),
        address: f.address.clone(),
        amount: f.amount_fen.map(|a| a as f64 / 100.0),
        complainants: f.complainants,
        mass_case: c.is_mass(),
        complexity: f.complexity,
        level: f.level,
        tier: f.tier,
        status: c.status,
        status_label: c.status.label(),
        lead_unit: c.lead_unit,
        responsible_person: c.responsible_person,
        mediator: c.mediator,
        registered_at: local_time(c.registered_at),
        accepted_at: opt_time(c.accepted_at),
        deadline: opt_time(c.deadline),
        deadline_date: c.deadline.map(last_day),
        clock: light,
        acceptance_due: opt_time(c.acceptance_due),
        statutory_deadline: opt_time(c.statutory_deadline),
        outcome: c.outcome,
        closed_at: opt_time(c.closed_at),
        satisfaction: c.satisfaction,
        category_confirmed: c.category_confirmed,
        window: f.intake.window,
        petition: f.intake.petition.clone(),
        transfer: f.intake.transfer.clone(),
        source: f.intake.source.clone(),
        external_ref: f.intake.external_ref.clone(),
        repeat_of: c.repeat_of,
        skip_level_of: c.skip_level_of,
        merged_into: c.merged_into,
        open_tasks: c.open_tasks,
        suspended_since: opt_time(c.suspended_since),
        pending_extension: c.pending_extension,
        round: c.round,
        agreement_version: c.agreement_version,
        agreement_signed: c.agreement_signed,
        follow_up_due: opt_time(c.follow_up_due),
        performance: c.performance,
        risk_level: c.risk_level,
        version: c.version,
    }
}

pub fn case_view(r: CaseRecord, now: Timestamp) -> CaseView {
    let c = &r.case;
    CaseView {
        summary: summary(c, now),
        region_name: r.region_name.clone(),
        co_handlers: c.co_handlers.clone(),
        parties: c
            .facts
            .parties
            .iter()
            .map(|p| PartyView {
                role: p.role,
                kind: p.kind,
                name: p.name.clone(),
                phone: p.phone.as_ref().map(|x| x.masked()),
                id_number: p.id_number.as_ref().map(|x| x.masked()),
            })
            .collect(),
        allowed_actions: allowed_actions(c.status).to_vec(),
        risk: c
            .status
            .is_open()
            .then(|| concord_domain::risk::assess(c, &Default::default(), now)),
        events: r.events.into_iter().map(event_view).collect(),
    }
}

fn event_view(e: EventRecord) -> EventView {
    EventView {
        seq: e.seq,
        at: local_time(e.at),
        actor_id: e.actor_id,
        actor_name: e.actor_name,
        action: e.action,
        action_label: e.action.label(),
        reason: e.reason,
        from: e.from,
        to: e.to,
        details: e.details,
    }
}
