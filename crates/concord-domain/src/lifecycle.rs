//! The case lifecycle as an explicit state machine. Each action is allowed in a fixed set
//! of states and leads to one state; applying it yields the new case and the event that
//! records it (who, when, what, why, before and after). Pure: `now` comes from the caller.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::calendar::WorkCalendar;
use crate::case::{Case, CaseKind, NewCase, Status};
use crate::deadline::{PETITION_ACCEPTANCE_DAYS, statutory_deadline};
use crate::routing::Decision;
use crate::{FieldError, FieldErrors};

pub use crate::action::{Action, ActionKind, CoHandler, ReferralTarget};
use crate::effects::{effect, obj};

/// The actions allowed in a state: the transition table.
pub fn allowed_actions(s: Status) -> &'static [ActionKind] {
    use ActionKind as K;
    match s {
        Status::Registered => &[
            K::Accept,
            K::Reject,
            K::Reclassify,
            K::AssessRisk,
            K::Merge,
            K::MergeInto,
            K::Withdraw,
        ],
        Status::Accepted | Status::Escalated => &[
            K::Assign,
            K::Reclassify,
            K::AssessRisk,
            K::Merge,
            K::MergeInto,
            K::Suspend,
            K::Resume,
            K::RequestExtension,
            K::ApproveExtension,
            K::DenyExtension,
            K::Withdraw,
        ],
        Status::Assigned => &[
            K::StartMediation,
            K::Return,
            K::Merge,
            K::MergeInto,
            K::CompleteTask,
            K::ReturnTask,
            K::Reclassify,
            K::AssessRisk,
            K::ScheduleSession,
            K::RecordSession,
            K::CancelSession,
            K::Suspend,
            K::Resume,
            K::RequestExtension,
            K::ApproveExtension,
            K::DenyExtension,
            K::Withdraw,
        ],
        Status::InMediation => &[
            K::ReachAgreement,
            K::FailMediation,
            K::Return,
            K::Merge,
            K::MergeInto,
            K::CompleteTask,
            K::ReturnTask,
            K::Reclassify,
            K::AssessRisk,
            K::ScheduleSession,
            K::RecordSession,
            K::CancelSession,
            K::DraftAgreement,
            K::SignAgreement,
            K::Suspend,
            K::Resume,
            K::RequestExtension,
            K::ApproveExtension,
            K::DenyExtension,
            K::Withdraw,
        ],
        Status::Failed => &[
            K::EscalateLevel,
            K::EscalateTier,
            K::Refer,
            K::Reclassify,
            K::AssessRisk,
            K::Suspend,
            K::Resume,
            K::Withdraw,
        ],
        Status::Agreed => &[
            K::ApplyConfirmation,
            K::Close,
            K::CompleteTask,
            K::ReturnTask,
            K::Reclassify,
            K::AssessRisk,
            K::ScheduleSession,
            K::RecordSession,
            K::CancelSession,
            K::DraftAgreement,
            K::SignAgreement,
            K::Suspend,
            K::Resume,
            K::RequestExtension,
            K::ApproveExtension,
            K::DenyExtension,
            K::Withdraw,
        ],
        Status::Confirming => &[K::Confirm, K::DenyConfirmation, K::AssessRisk],
        Status::Referred => &[K::Close],
        Status::Closed => &[K::FollowUp, K::Reopen],
        Status::FollowedUp => &[K::Archive, K::Reopen],
        Status::Rejected | Status::Withdrawn | Status::Merged => &[K::Archive],
        Status::Archived => &[],
    }
}

/// Where an allowed action leads.
pub fn target(from: Status, a: ActionKind) -> Status {
    use ActionKind as K;
    match a {
        K::Register => Status::Registered,
        K::Accept => Status::Accepted,
        K::Reject => Status::Rejected,
        K::Assign => Status::Assigned,
        K::StartMediation => Status::InMediation,
        K::ReachAgreement => Status::Agreed,
        K::FailMediation => Status::Failed,
        K::EscalateLevel | K::EscalateTier => Status::Escalated,
        K::Refer => Status::Referred,
        K::ApplyConfirmation => Status::Confirming,
        K::Confirm | K::Close => Status::Closed,
        K::DenyConfirmation => Status::Agreed,
        K::FollowUp => Status::FollowedUp,
        K::Archive => Status::Archived,
        K::Reclassify
        | K::AssessRisk
        | K::CompleteTask
        | K::ReturnTask
        | K::Merge
        | K::Suspend
        | K::Resume
        | K::RequestExtension
        | K::ApproveExtension
        | K::DenyExtension
        | K::ScheduleSession
        | K::RecordSession
        | K::CancelSession
        | K::DraftAgreement
        | K::SignAgreement => from,
        K::Reopen => Status::Accepted,
        K::MergeInto => Status::Merged,
        K::Return => Status::Accepted,
        K::Withdraw => {
            debug_assert!(from.is_open());
            Status::Withdrawn
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TransitionError {
    #[error("{}", not_allowed_message(*.status, *.action))]
    NotAllowed { status: Status, action: ActionKind },
    #[error("{0}")]
    Ladder(FieldError),
    /// Allowed in this state, but something else must happen first.
    #[error("{0}")]
    Blocked(FieldError),
    #[error("输入有误")]
    Invalid(FieldErrors),
}

fn not_allowed_message(status: Status, action: ActionKind) -> String {
    let allowed: Vec<String> = allowed_actions(status)
        .iter()
        .map(|a| format!("{}({})", a.label(), a.as_str()))
        .collect();
    let allowed = if allowed.is_empty() {
        "无".to_string()
    } else {
        allowed.join("、")
    };
    format!(
        "事项当前状态为“{}”({}),不能执行“{}”;当前可执行:{}",
        status.label(),
        status.as_str(),
        action.label(),
        allowed
    )
}

/// What a transition needs from outside: the time and the working-day calendar.
pub struct Context<'a> {
    pub now: Timestamp,
    pub calendar: &'a WorkCalendar,
    /// Where the routing rules would send the case (for `assign`).
    pub routing: Option<&'a Decision>,
}

/// The record of one transition, to be appended to the case's timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    pub at: Timestamp,
    pub action: ActionKind,
    pub from: Option<Status>,
    pub to: Status,
    pub reason: Option<String>,
    /// `{"changes": {field: [before, after]}, ...action details}`.
    pub details: Value,
}

pub const MAX_REASON_CHARS: usize = 2_000;

/// A newly registered case and its first event. Petitions get their 15-day clock to
/// decide on acceptance.
pub fn register(facts: NewCase, number: String, ctx: &Context) -> (Case, EventDraft) {
    let acceptance_due = (facts.kind == CaseKind::Petition)
        .then(|| statutory_deadline(ctx.calendar, ctx.now, PETITION_ACCEPTANCE_DAYS));
    let case = Case {
        id: 0,
        number,
        facts,
        status: Status::Registered,
        lead_unit: None,
        co_handlers: Vec::new(),
        responsible_person: None,
        mediator: None,
        registered_at: ctx.now,
        accepted_at: None,
        clock_start: None,
        deadline: None,
        acceptance_due,
        statutory_deadline: None,
        outcome: None,
        closed_at: None,
        satisfaction: None,
        category_confirmed: false,
        open_tasks: 0,
        repeat_of: None,
        skip_level_of: None,
        merged_into: None,
        suspended_since: None,
        pending_extension: None,
        extensions: 0,
        round: 1,
        agreement_version: None,
        agreement_signed: false,
        follow_up_due: None,
        performance: None,
        risk_level: None,
        version: 1,
    };
    let event = EventDraft {
        at: ctx.now,
        action: ActionKind::Register,
        from: None,
        to: Status::Registered,
        reason: None,
        details: json!({ "changes": {} }),
    };
    (case, event)
}

/// Applies `action` to `case`, or says why it cannot be done.
pub fn apply(
    case: &Case,
    action: Action,
    ctx: &Context,
) -> Result<(Case, EventDraft), TransitionError> {
    let kind = action.kind();
    if !allowed_actions(case.status).contains(&kind) {
        return Err(TransitionError::NotAllowed {
            status: case.status,
            action: kind,
        });
    }
    let mut next = case.clone();
    next.status = target(case.status, kind);
    next.version += 1;
    let (reason, extra) = effect(&mut next, action, ctx)?;
    // A case no longer open has no clock to stop and nothing left to extend.
    if !next.status.is_open() {
        next.pending_extension = None;
        next.suspended_since = None;
    }
    let mut details = Map::new();
    details.insert("changes".into(), Value::Object(diff(case, &next)));
    details.extend(extra);
    let event = EventDraft {
        at: ctx.now,
        action: kind,
        from: Some(case.status),
        to: next.status,
        reason,
        details: Value::Object(details),
    };
    Ok((next, event))
}

/// The lifecycle fields a transition may change, as JSON, to record before and after.
fn snapshot(c: &Case) -> Map<String, Value> {
    let ts = |t: Option<Timestamp>| json!(t.map(|t| t.to_string()));
    obj([
        ("status", json!(c.status)),
        ("complexity", json!(c.facts.complexity)),
        ("level", json!(c.facts.level)),
        ("tier", json!(c.facts.tier)),
        ("lead_unit", json!(c.lead_unit)),
        ("co_handlers", json!(c.co_handlers)),
        ("responsible_person", json!(c.responsible_person)),
        ("mediator", json!(c.mediator)),
        ("deadline", ts(c.deadline)),
        ("statutory_deadline", ts(c.statutory_deadline)),
        ("outcome", json!(c.outcome)),
        ("satisfaction", json!(c.satisfaction)),
        ("category", json!(c.facts.category)),
        ("complainants", json!(c.facts.complainants)),
        ("merged_into", json!(c.merged_into)),
        ("suspended_since", ts(c.suspended_since)),
        ("pending_extension", json!(c.pending_extension)),
        ("round", json!(c.round)),
        ("agreement_version", json!(c.agreement_version)),
        ("agreement_signed", json!(c.agreement_signed)),
        ("risk_level", json!(c.risk_level)),
    ])
}

fn diff(before: &Case, after: &Case) -> Map<String, Value> {
    let (b, a) = (snapshot(before), snapshot(after));
    a.into_iter()
        .filter(|(k, v)| b.get(k) != Some(v))
        .map(|(k, v)| {
            let old = b.get(&k).cloned().unwrap_or(Value::Null);
            (k, json!([old, v]))
        })
        .collect()
}
