//! The case lifecycle as an explicit state machine. Each action is allowed in a fixed set
//! of states and leads to one state; applying it yields the new case and the event that
//! records it (who, when, what, why, before and after). Pure: `now` comes from the caller.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use utoipa::ToSchema;

use crate::calendar::WorkCalendar;
use crate::case::{
    Case, CaseKind, Complexity, Level, NewCase, Outcome, Satisfaction, Status, Tier, text,
};
use crate::category::Category;
use crate::deadline::{
    PETITION_ACCEPTANCE_DAYS, PETITION_HANDLING_DAYS, handling_deadline, statutory_deadline,
};
use crate::labelled_enum;
use crate::routing::Decision;
use crate::{FieldError, FieldErrors};

labelled_enum! {
    /// The name of every move on a case, `register` included.
    pub enum ActionKind {
        Register = ("register", "登记"),
        Accept = ("accept", "受理"),
        Reject = ("reject", "不予受理"),
        Assign = ("assign", "交办"),
        StartMediation = ("start_mediation", "开始调解"),
        ReachAgreement = ("reach_agreement", "达成调解协议"),
        FailMediation = ("fail_mediation", "调解不成"),
        EscalateLevel = ("escalate_level", "提级处理"),
        EscalateTier = ("escalate_tier", "转入下一调解层次"),
        Refer = ("refer", "引导诉讼或仲裁"),
        ApplyConfirmation = ("apply_confirmation", "申请司法确认"),
        Confirm = ("confirm", "司法确认"),
        DenyConfirmation = ("deny_confirmation", "不予确认"),
        Close = ("close", "办结"),
        Reclassify = ("reclassify", "确认或更正类别"),
        Return = ("return", "退回指挥中心"),
        CompleteTask = ("complete_task", "协办完成"),
        ReturnTask = ("return_task", "协办退回"),
        Merge = ("merge", "并案"),
        MergeInto = ("merge_into", "并入他案"),
        FollowUp = ("follow_up", "回访"),
        Archive = ("archive", "归档"),
        Withdraw = ("withdraw", "撤回"),
    }
}

labelled_enum! {
    pub enum ReferralTarget {
        Litigation = ("litigation", "诉讼"),
        Arbitration = ("arbitration", "仲裁"),
    }
}

/// A co-handling unit (协办单位): just its id, or with its own responsible person and
/// working days (its child task's deadline; by default the case's).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CoHandler {
    Unit(i64),
    Task {
        unit: i64,
        #[serde(default)]
        responsible_person: Option<i64>,
        #[serde(default)]
        working_days: Option<u32>,
    },
}

impl CoHandler {
    pub fn unit(&self) -> i64 {
        match self {
            Self::Unit(u) | Self::Task { unit: u, .. } => *u,
        }
    }

    pub fn responsible_person(&self) -> Option<i64> {
        match self {
            Self::Unit(_) => None,
            Self::Task {
                responsible_person, ..
            } => *responsible_person,
        }
    }

    pub fn working_days(&self) -> Option<u32> {
        match self {
            Self::Unit(_) => None,
            Self::Task { working_days, .. } => *working_days,
        }
    }
}

/// A requested move, with what it needs.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// 受理: sets the deadline from the complexity (which may be revised here).
    Accept {
        #[serde(default)]
        complexity: Option<Complexity>,
    },
    /// 不予受理: with the reason and guidance on where to turn instead.
    Reject {
        reason: String,
        guidance: String,
    },
    /// 分流交办: the level and tier, one lead unit, co-handlers, the responsible person.
    Assign {
        lead_unit: i64,
        #[serde(default)]
        co_handlers: Vec<CoHandler>,
        #[serde(default)]
        responsible_person: Option<i64>,
        #[serde(default)]
        mediator: Option<i64>,
        #[serde(default)]
        level: Option<Level>,
        #[serde(default)]
        tier: Option<Tier>,
        /// Why; required when the assignment differs from the routing suggestion.
        #[serde(default)]
        reason: Option<String>,
    },
    /// 确认或更正类别: the dispatcher's word on the category (a training example).
    Reclassify {
        category: Category,
        #[serde(default)]
        reason: Option<String>,
    },
    /// 退回: the unit hands the case back to the command center, saying why.
    Return {
        reason: String,
    },
    /// A co-handler reports its part done.
    CompleteTask {
        task: i64,
        note: String,
    },
    /// A co-handler hands its part back, saying why.
    ReturnTask {
        task: i64,
        reason: String,
    },
    /// 并案: other cases about the same matter join this one (the merge endpoint).
    #[serde(skip)]
    Merge {
        cases: Vec<i64>,
        /// Their complainants, added to this case's.
        complainants: u32,
        reason: String,
    },
    /// This case joins another (the merge endpoint).
    #[serde(skip)]
    MergeInto {
        into: i64,
        reason: String,
    },
    StartMediation {
        #[serde(default)]
        mediator: Option<i64>,
    },
    ReachAgreement {
        summary: String,
    },
    FailMediation {
        reason: String,
    },
    /// To the next level: village → township → county → city.
    EscalateLevel {
        reason: String,
    },
    /// To the next tier: people's → administrative → judicial mediation.
    EscalateTier {
        reason: String,
    },
    Refer {
        to: ReferralTarget,
        reason: String,
    },
    ApplyConfirmation {
        #[serde(default)]
        court: Option<i64>,
    },
    Confirm {
        #[serde(default)]
        ruling: Option<String>,
    },
    DenyConfirmation {
        reason: String,
    },
    Close {
        #[serde(default)]
        summary: Option<String>,
    },
    FollowUp {
        satisfaction: Satisfaction,
        #[serde(default)]
        note: Option<String>,
    },
    Archive {},
    Withdraw {
        reason: String,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        use ActionKind as K;
        match self {
            Self::Accept { .. } => K::Accept,
            Self::Reject { .. } => K::Reject,
            Self::Assign { .. } => K::Assign,
            Self::StartMediation { .. } => K::StartMediation,
            Self::ReachAgreement { .. } => K::ReachAgreement,
            Self::FailMediation { .. } => K::FailMediation,
            Self::EscalateLevel { .. } => K::EscalateLevel,
            Self::EscalateTier { .. } => K::EscalateTier,
            Self::Refer { .. } => K::Refer,
            Self::ApplyConfirmation { .. } => K::ApplyConfirmation,
            Self::Confirm { .. } => K::Confirm,
            Self::DenyConfirmation { .. } => K::DenyConfirmation,
            Self::Close { .. } => K::Close,
            Self::FollowUp { .. } => K::FollowUp,
            Self::Archive {} => K::Archive,
            Self::Withdraw { .. } => K::Withdraw,
            Self::Reclassify { .. } => K::Reclassify,
            Self::Return { .. } => K::Return,
            Self::CompleteTask { .. } => K::CompleteTask,
            Self::ReturnTask { .. } => K::ReturnTask,
            Self::Merge { .. } => K::Merge,
            Self::MergeInto { .. } => K::MergeInto,
        }
    }
}

/// The actions allowed in a state: the transition table.
pub fn allowed_actions(s: Status) -> &'static [ActionKind] {
    use ActionKind as K;
    match s {
        Status::Registered => &[
            K::Accept,
            K::Reject,
            K::Reclassify,
            K::Merge,
            K::MergeInto,
            K::Withdraw,
        ],
        Status::Accepted | Status::Escalated => &[
            K::Assign,
            K::Reclassify,
            K::Merge,
            K::MergeInto,
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
            K::Withdraw,
        ],
        Status::Failed => &[
            K::EscalateLevel,
            K::EscalateTier,
            K::Refer,
            K::Reclassify,
            K::Withdraw,
        ],
        Status::Agreed => &[
            K::ApplyConfirmation,
            K::Close,
            K::CompleteTask,
            K::ReturnTask,
            K::Reclassify,
            K::Withdraw,
        ],
        Status::Confirming => &[K::Confirm, K::DenyConfirmation],
        Status::Referred => &[K::Close],
        Status::Closed => &[K::FollowUp],
        Status::FollowedUp | Status::Rejected | Status::Withdrawn | Status::Merged => &[K::Archive],
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
        K::Reclassify | K::CompleteTask | K::ReturnTask | K::Merge => from,
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

type Effect = Result<(Option<String>, Map<String, Value>), TransitionError>;

/// The action's own effect on the case beyond its new status.
fn effect(c: &mut Case, action: Action, ctx: &Context) -> Effect {
    match action {
        Action::Accept { complexity } => accept(c, complexity, ctx),
        Action::Reject { reason, guidance } => {
            let guidance = required("guidance", &guidance)?;
            c.outcome = Some(Outcome::Rejected);
            with_reason(&reason, [("guidance", json!(guidance))])
        }
        Action::Assign {
            lead_unit,
            co_handlers,
            responsible_person,
            mediator,
            level,
            tier,
            reason,
        } => {
            let units: Vec<i64> = co_handlers.iter().map(CoHandler::unit).collect();
            assign(c, lead_unit, units, responsible_person, mediator)?;
            c.facts.level = level
                .or(ctx.routing.map(|d| d.level))
                .unwrap_or(c.facts.level);
            c.facts.tier = tier.or(ctx.routing.map(|d| d.tier)).unwrap_or(c.facts.tier);
            // Routing a case accepts its category: it becomes a training example.
            c.category_confirmed = true;
            let reason = optional(reason.as_deref())?;
            let routing = routing_record(c, ctx.routing, reason.is_some())?;
            Ok((
                reason,
                obj([("co_handlers", json!(co_handlers)), ("routing", routing)]),
            ))
        }
        Action::Reclassify { category, reason } => {
            let confirmed = category == c.facts.category;
            c.facts.category = category;
            c.category_confirmed = true;
            let reason = optional(reason.as_deref())?;
            Ok((reason, obj([("confirmed", json!(confirmed))])))
        }
        Action::CompleteTask { task, note } => {
            c.open_tasks = c.open_tasks.saturating_sub(1);
            let note = required("note", &note)?;
            Ok((None, obj([("task", json!(task)), ("note", json!(note))])))
        }
        Action::ReturnTask { task, reason } => {
            c.open_tasks = c.open_tasks.saturating_sub(1);
            with_reason(&reason, [("task", json!(task))])
        }
        Action::Merge {
            cases,
            complainants,
            reason,
        } => {
            c.facts.complainants = c.facts.complainants.saturating_add(complainants);
            with_reason(&reason, [("merged", json!(cases))])
        }
        Action::MergeInto { into, reason } => {
            c.merged_into = Some(into);
            close(c, Outcome::Merged, ctx);
            with_reason(&reason, [("into", json!(into))])
        }
        Action::Return { reason } => {
            let by = c.lead_unit;
            c.lead_unit = None;
            c.co_handlers.clear();
            c.responsible_person = None;
            c.mediator = None;
            with_reason(&reason, [("returned_by", json!(by))])
        }
        Action::StartMediation { mediator } => {
            c.mediator = mediator.or(c.mediator);
            Ok((None, Map::new()))
        }
        Action::ReachAgreement { summary } => {
            let summary = required("summary", &summary)?;
            Ok((None, obj([("summary", json!(summary))])))
        }
        Action::FailMediation { reason } => with_reason(&reason, []),
        Action::EscalateLevel { reason } => escalate(c, true, &reason, ctx),
        Action::EscalateTier { reason } => escalate(c, false, &reason, ctx),
        Action::Refer { to, reason } => {
            c.outcome = Some(match to {
                ReferralTarget::Litigation => Outcome::ReferredLitigation,
                ReferralTarget::Arbitration => Outcome::ReferredArbitration,
            });
            with_reason(&reason, [("to", json!(to))])
        }
        Action::ApplyConfirmation { court } => Ok((None, obj([("court", json!(court))]))),
        Action::Confirm { ruling } => {
            no_open_tasks(c)?;
            close(c, Outcome::AgreementConfirmed, ctx);
            Ok((None, obj([("ruling", json!(optional(ruling.as_deref())?))])))
        }
        Action::DenyConfirmation { reason } => with_reason(&reason, []),
        Action::Close { summary } => {
            no_open_tasks(c)?;
            let outcome = c.outcome.unwrap_or(Outcome::Agreement);
            close(c, outcome, ctx);
            Ok((
                None,
                obj([("summary", json!(optional(summary.as_deref())?))]),
            ))
        }
        Action::FollowUp { satisfaction, note } => {
            c.satisfaction = Some(satisfaction);
            Ok((None, obj([("note", json!(optional(note.as_deref())?))])))
        }
        Action::Archive {} => Ok((None, Map::new())),
        Action::Withdraw { reason } => {
            c.outcome = Some(Outcome::Withdrawn);
            with_reason(&reason, [])
        }
    }
}

fn accept(c: &mut Case, complexity: Option<Complexity>, ctx: &Context) -> Effect {
    c.facts.complexity = complexity.unwrap_or(c.facts.complexity);
    c.accepted_at = Some(ctx.now);
    start_clock(c, ctx);
    if c.facts.kind == CaseKind::Petition {
        c.statutory_deadline = Some(statutory_deadline(
            ctx.calendar,
            ctx.now,
            PETITION_HANDLING_DAYS,
        ));
    }
    Ok((None, Map::new()))
}

fn start_clock(c: &mut Case, ctx: &Context) {
    c.clock_start = Some(ctx.now);
    c.deadline = Some(handling_deadline(ctx.calendar, ctx.now, c.facts.complexity));
}

fn assign(
    c: &mut Case,
    lead_unit: i64,
    co_handlers: Vec<i64>,
    responsible_person: Option<i64>,
    mediator: Option<i64>,
) -> Result<(), TransitionError> {
    let mut errs = FieldErrors::default();
    if co_handlers.contains(&lead_unit) {
        errs.push(FieldError::new(
            "co_handlers",
            "lead_unit_repeated",
            "协办单位不能包含牵头单位",
        ));
    }
    let mut unique = co_handlers.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != co_handlers.len() {
        errs.push(FieldError::new(
            "co_handlers",
            "duplicate",
            "协办单位有重复",
        ));
    }
    errs.into_result().map_err(TransitionError::Invalid)?;
    c.lead_unit = Some(lead_unit);
    c.co_handlers = co_handlers;
    c.responsible_person = responsible_person;
    c.mediator = mediator;
    Ok(())
}

/// One step up a ladder; the case then awaits assignment there, on a fresh clock.
fn escalate(c: &mut Case, by_level: bool, reason: &str, ctx: &Context) -> Effect {
    if by_level {
        c.facts.level = c.facts.level.next().ok_or_else(|| {
            TransitionError::Ladder(FieldError::new(
                "action",
                "top_level",
                "已在市级,无法再提级",
            ))
        })?;
    } else {
        c.facts.tier = c.facts.tier.next().ok_or_else(|| {
            TransitionError::Ladder(FieldError::new(
                "action",
                "top_tier",
                "已在司法调解层次,无法再上转;可引导诉讼或仲裁",
            ))
        })?;
    }
    c.lead_unit = None;
    c.co_handlers.clear();
    c.responsible_person = None;
    c.mediator = None;
    start_clock(c, ctx);
    with_reason(reason, [])
}

/// What the routing rules suggested and whether the assignment followed it; a departure
/// needs a reason (`has_reason`).
fn routing_record(
    c: &Case,
    d: Option<&Decision>,
    has_reason: bool,
) -> Result<Value, TransitionError> {
    let Some(d) = d else { return Ok(Value::Null) };
    let followed = c.facts.level == d.level
        && c.facts.tier == d.tier
        && (d.unit.is_none() || c.lead_unit == d.unit);
    if !followed && !has_reason {
        return Err(TransitionError::Invalid(
            FieldError::new(
                "reason",
                "override_reason_required",
                "交办与分流建议不一致,请说明理由",
            )
            .into(),
        ));
    }
    Ok(json!({
        "version": d.version,
        "fired": d.fired,
        "reasons": d.reasons,
        "suggested": {"level": d.level, "tier": d.tier, "unit": d.unit},
        "followed": followed,
    }))
}

fn no_open_tasks(c: &Case) -> Result<(), TransitionError> {
    if c.open_tasks == 0 {
        return Ok(());
    }
    Err(TransitionError::Blocked(FieldError::new(
        "action",
        "open_tasks",
        format!("尚有{}项协办任务未完成,不能办结", c.open_tasks),
    )))
}

fn close(c: &mut Case, outcome: Outcome, ctx: &Context) {
    c.outcome = Some(outcome);
    c.closed_at = Some(ctx.now);
}

fn required(field: &str, s: &str) -> Result<String, TransitionError> {
    text(field, s, MAX_REASON_CHARS, true).map_err(|e| TransitionError::Invalid(e.into()))
}

fn optional(s: Option<&str>) -> Result<Option<String>, TransitionError> {
    let t = text("reason", s.unwrap_or(""), MAX_REASON_CHARS, false)
        .map_err(|e| TransitionError::Invalid(e.into()))?;
    Ok((!t.is_empty()).then_some(t))
}

fn with_reason<const N: usize>(reason: &str, extra: [(&str, Value); N]) -> Effect {
    Ok((Some(required("reason", reason)?), obj(extra)))
}

fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
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
