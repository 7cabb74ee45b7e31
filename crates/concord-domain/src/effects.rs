//! What each move does to a case beyond its new state: deadlines, units, outcomes, and
//! the details its event records.

use serde_json::{Map, Value, json};

use crate::FieldError;
use crate::FieldErrors;
use crate::case::{Case, CaseKind, Complexity, Outcome, text};
use crate::clock;
use crate::deadline::{
    PETITION_HANDLING_DAYS, confirmation_deadline, handling_deadline, statutory_deadline,
};
use crate::lifecycle::{
    Action, CoHandler, Context, MAX_REASON_CHARS, ReferralTarget, TransitionError,
};
use crate::routing::Decision;

pub(crate) type Effect = Result<(Option<String>, Map<String, Value>), TransitionError>;

/// The action's own effect on the case beyond its new status.
pub(crate) fn effect(c: &mut Case, action: Action, ctx: &Context) -> Effect {
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
            let lowered = category.stability_rank() < c.facts.category.stability_rank();
            let from = json!(c.facts.category);
            c.facts.category = category;
            c.category_confirmed = true;
            let mut extra = obj([("confirmed", json!(confirmed))]);
            let reason = lowering(lowered.then_some(from), reason, &mut extra)?;
            Ok((reason, extra))
        }
        Action::AssessRisk { level, reason } => {
            let before = c.risk_level.filter(|b| level.rank() < b.rank());
            c.risk_level = Some(level);
            let mut extra = Map::new();
            let reason = lowering(before.map(|b| json!(b)), reason, &mut extra)?;
            Ok((reason, extra))
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
        Action::ApplyConfirmation {
            court,
            green_channel,
        } => {
            agreement_signed(c)?;
            // The court's clock: the case's deadline is now its decision's.
            c.clock_start = Some(ctx.now);
            c.deadline = Some(confirmation_deadline(ctx.calendar, ctx.now, green_channel));
            Ok((
                None,
                obj([
                    ("court", json!(court)),
                    ("green_channel", json!(green_channel)),
                ]),
            ))
        }
        Action::Confirm { ruling } => {
            no_open_tasks(c)?;
            close(c, Outcome::AgreementConfirmed, ctx);
            Ok((None, obj([("ruling", json!(optional(ruling.as_deref())?))])))
        }
        Action::DenyConfirmation { reason } => with_reason(&reason, []),
        Action::Close { summary } => {
            no_open_tasks(c)?;
            if c.outcome.is_none() {
                agreement_signed(c)?;
            }
            let outcome = c.outcome.unwrap_or(Outcome::Agreement);
            close(c, outcome, ctx);
            Ok((
                None,
                obj([("summary", json!(optional(summary.as_deref())?))]),
            ))
        }
        Action::FollowUp {
            satisfaction,
            method,
            performance,
            note,
        } => {
            c.satisfaction = Some(satisfaction);
            c.performance = performance;
            let note = optional(note.as_deref())?;
            Ok((
                None,
                obj([
                    ("note", json!(note)),
                    ("method", json!(method)),
                    ("performance", json!(performance)),
                ]),
            ))
        }
        Action::Suspend { reason } => clock::suspend(c, &reason, ctx),
        Action::Resume {} => clock::resume(c, ctx),
        Action::RequestExtension {
            working_days,
            reason,
        } => clock::request_extension(c, working_days, &reason),
        Action::ApproveExtension { note } => {
            let note = optional(note.as_deref())?;
            let (_, mut extra) = clock::approve_extension(c, ctx)?;
            extra.insert("note".into(), json!(note));
            Ok((None, extra))
        }
        Action::DenyExtension { reason } => clock::deny_extension(c, &reason),
        Action::Reopen { reason } => clock::reopen(c, &reason, ctx),
        Action::ScheduleSession {
            session,
            mode,
            starts_at,
        } => Ok((
            None,
            obj([
                ("session", json!(session)),
                ("mode", json!(mode)),
                ("starts_at", json!(starts_at)),
            ]),
        )),
        Action::RecordSession { session, method } => Ok((
            None,
            obj([("session", json!(session)), ("method", json!(method))]),
        )),
        Action::CancelSession { session, reason } => {
            with_reason(&reason, [("session", json!(session))])
        }
        Action::DraftAgreement { version, hash } => {
            c.agreement_version = Some(version);
            c.agreement_signed = false;
            Ok((
                None,
                obj([("version", json!(version)), ("hash", json!(hash))]),
            ))
        }
        Action::SignAgreement {
            party,
            method,
            version,
            all_signed,
        } => {
            c.agreement_signed = all_signed;
            Ok((
                None,
                obj([
                    ("party", json!(party)),
                    ("method", json!(method)),
                    ("version", json!(version)),
                    ("all_signed", json!(all_signed)),
                ]),
            ))
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

pub(crate) fn start_clock(c: &mut Case, ctx: &Context) {
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

/// An agreement is closed or sent for confirmation only once every party signed it.
fn agreement_signed(c: &Case) -> Result<(), TransitionError> {
    if c.agreement_signed {
        return Ok(());
    }
    let why = match c.agreement_version {
        None => "尚未起草调解协议书",
        Some(_) => "调解协议书尚未经全部当事人签署",
    };
    Err(TransitionError::Blocked(FieldError::new(
        "action",
        "agreement_unsigned",
        why,
    )))
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

/// Closes with `outcome`; a case closed with a result is called back within a month.
pub(crate) fn close(c: &mut Case, outcome: Outcome, ctx: &Context) {
    c.outcome = Some(outcome);
    c.closed_at = Some(ctx.now);
    if !matches!(
        outcome,
        Outcome::Merged | Outcome::Withdrawn | Outcome::Rejected
    ) {
        c.follow_up_due = ctx
            .now
            .to_zoned(crate::time::shanghai())
            .checked_add(jiff::Span::new().months(1))
            .ok()
            .map(|z| z.timestamp());
    }
}

fn required(field: &str, s: &str) -> Result<String, TransitionError> {
    text(field, s, MAX_REASON_CHARS, true).map_err(|e| TransitionError::Invalid(e.into()))
}

fn optional(s: Option<&str>) -> Result<Option<String>, TransitionError> {
    let t = text("reason", s.unwrap_or(""), MAX_REASON_CHARS, false)
        .map_err(|e| TransitionError::Invalid(e.into()))?;
    Ok((!t.is_empty()).then_some(t))
}

/// A move that lowers the attention a case gets (a category of lower stability risk, a
/// lower risk level) must say why, and records what it lowered from; other moves may
/// give a reason.
fn lowering(
    from: Option<Value>,
    reason: Option<String>,
    extra: &mut Map<String, Value>,
) -> Result<Option<String>, TransitionError> {
    match from {
        Some(from) => {
            extra.insert("downgraded_from".into(), from);
            Ok(Some(required("reason", &reason.unwrap_or_default())?))
        }
        None => optional(reason.as_deref()),
    }
}

pub(crate) fn with_reason<const N: usize>(reason: &str, extra: [(&str, Value); N]) -> Effect {
    Ok((Some(required("reason", reason)?), obj(extra)))
}

pub(crate) fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}
