//! The handling clock's interruptions: suspension (中止计时) while something outside the
//! center's hands is awaited, extensions a leader approves (延期), and another round
//! (轮次调处) after closure. Working days stopped or granted move the deadline.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use crate::FieldError;
use crate::calendar::WorkCalendar;
use crate::case::{Case, CaseKind};
use crate::deadline::statutory_deadline;
use crate::effects::{Effect, obj, with_reason};
use crate::lifecycle::{Context, TransitionError};
use crate::time::{end_of_day, local_date};

/// A petition's handling may be extended once, by 30 days (信访工作条例).
pub const PETITION_EXTENSION_DAYS: u32 = 30;
pub const MAX_EXTENSION_DAYS: u32 = 30;

fn blocked(code: &'static str, message: &str) -> TransitionError {
    TransitionError::Blocked(FieldError::new("action", code, message))
}

/// `deadline` moved later by `days` working days.
pub fn extend(cal: &WorkCalendar, deadline: Timestamp, days: u32) -> Timestamp {
    let last_day = local_date(deadline - SignedDuration::from_micros(1));
    end_of_day(cal.add_working_days(last_day, days))
}

pub(crate) fn suspend(c: &mut Case, reason: &str, ctx: &Context) -> Effect {
    if c.suspended_since.is_some() {
        return Err(blocked("already_suspended", "计时已中止,请先恢复计时"));
    }
    c.suspended_since = Some(ctx.now);
    with_reason(reason, [])
}

pub(crate) fn resume(c: &mut Case, ctx: &Context) -> Effect {
    let since = c
        .suspended_since
        .take()
        .ok_or_else(|| blocked("not_suspended", "计时未中止"))?;
    let stood = ctx
        .calendar
        .working_days_between(local_date(since), local_date(ctx.now));
    c.deadline = c.deadline.map(|d| extend(ctx.calendar, d, stood));
    Ok((None, obj([("suspended_working_days", json!(stood))])))
}

pub(crate) fn request_extension(c: &mut Case, days: u32, reason: &str) -> Effect {
    if c.pending_extension.is_some() {
        return Err(blocked("extension_pending", "已有延期申请待审批"));
    }
    if !(1..=MAX_EXTENSION_DAYS).contains(&days) {
        let e = FieldError::new(
            "working_days",
            "out_of_range",
            format!("延期应为1到{MAX_EXTENSION_DAYS}个工作日"),
        );
        return Err(TransitionError::Invalid(e.into()));
    }
    c.pending_extension = Some(days);
    with_reason(reason, [("working_days", json!(days))])
}

pub(crate) fn approve_extension(c: &mut Case, ctx: &Context) -> Effect {
    let days = c
        .pending_extension
        .take()
        .ok_or_else(|| blocked("no_extension_request", "没有待审批的延期申请"))?;
    c.deadline = c.deadline.map(|d| extend(ctx.calendar, d, days));
    // A petition's statutory limit may be extended once.
    if c.facts.kind == CaseKind::Petition && c.extensions == 0 {
        c.statutory_deadline = c.statutory_deadline.map(|d| {
            statutory_deadline(
                ctx.calendar,
                d - SignedDuration::from_micros(1),
                PETITION_EXTENSION_DAYS,
            )
        });
    }
    c.extensions += 1;
    Ok((None, obj([("working_days", json!(days))])))
}

pub(crate) fn deny_extension(c: &mut Case, reason: &str) -> Effect {
    c.pending_extension
        .take()
        .ok_or_else(|| blocked("no_extension_request", "没有待审批的延期申请"))?;
    with_reason(reason, [])
}

/// Back to the command center for another round: the old result stands on the
/// timeline; the case is open again on a fresh clock.
pub(crate) fn reopen(c: &mut Case, reason: &str, ctx: &Context) -> Effect {
    c.round += 1;
    c.outcome = None;
    c.closed_at = None;
    c.satisfaction = None;
    c.lead_unit = None;
    c.co_handlers.clear();
    c.responsible_person = None;
    c.agreement_signed = false;
    c.follow_up_due = None;
    c.performance = None;
    crate::effects::start_clock(c, ctx);
    with_reason(reason, [("round", json!(c.round))])
}
