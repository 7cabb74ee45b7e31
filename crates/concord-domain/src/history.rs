//! Histories told after the fact: a case from an old ledger or another system arrives
//! with where it ended (accepted, in mediation, closed with an outcome, rejected,
//! withdrawn) and when. It is replayed through the same lifecycle as every live case, so
//! its events, deadlines and figures are what they would have been; nothing is set by
//! hand. A case closed by agreement gets the agreement the ledger records, signed by
//! its parties in person (the paper original stays in the archive).

use jiff::Timestamp;

use crate::FieldError;
use crate::action::{Action, ReferralTarget};
use crate::agreement::{AgreementText, SignMethod, Term};
use crate::calendar::WorkCalendar;
use crate::case::{Case, Level, Satisfaction, Tier};
use crate::labelled_enum;
use crate::lifecycle::{self, Context, EventDraft};
use crate::mediator::choosers;

labelled_enum! {
    /// Where a past case stood when it was written down.
    pub enum PastStatus {
        Registered = ("registered", "已登记"),
        Accepted = ("accepted", "已受理"),
        InMediation = ("in_mediation", "调解中"),
        Closed = ("closed", "已办结"),
        Rejected = ("rejected", "不予受理"),
        Withdrawn = ("withdrawn", "已撤回"),
    }
}

labelled_enum! {
    /// How a past case was closed.
    pub enum PastOutcome {
        Resolved = ("resolved", "调解成功"),
        Litigation = ("litigation", "调解不成·引导诉讼"),
        Arbitration = ("arbitration", "调解不成·引导仲裁"),
    }
}

/// A past case's end, as its ledger says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Past {
    pub status: Option<PastStatus>,
    pub outcome: Option<PastOutcome>,
    /// When it closed, was rejected or withdrawn (default: when it was registered).
    pub ended_at: Option<Timestamp>,
    pub satisfaction: Option<Satisfaction>,
    /// The ledger's words on it (the agreement, the reason); a plain default otherwise.
    pub note: Option<String>,
}

/// The unit that handled it: (lead unit, level, tier).
pub type Handler = (i64, Level, Tier);

/// The agreement a past case closed with, and who signed it when.
#[derive(Debug, Clone)]
pub struct PastAgreement {
    pub text: AgreementText,
    pub drafted_at: Timestamp,
    /// (party, when), in person.
    pub signatures: Vec<(usize, Timestamp)>,
}

/// A past case replayed: the case as it ended, its events after registration, and its
/// agreement.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub case: Case,
    pub events: Vec<EventDraft>,
    pub agreement: Option<PastAgreement>,
}

impl Past {
    /// Checks that the parts fit together, and happened by `now`, before anything is
    /// replayed.
    pub fn check(&self, registered_at: Timestamp, now: Timestamp) -> Result<(), FieldError> {
        let status = self.status.unwrap_or(PastStatus::Registered);
        if status == PastStatus::Closed && self.outcome.is_none() {
            return Err(FieldError::new(
                "outcome",
                "required",
                "已办结的事项应写明办理结果(调解成功、引导诉讼或引导仲裁)",
            ));
        }
        if status != PastStatus::Closed && self.outcome.is_some() {
            return Err(FieldError::new(
                "outcome",
                "not_closed",
                "只有已办结的事项才有办理结果",
            ));
        }
        if status != PastStatus::Closed && self.satisfaction.is_some() {
            return Err(FieldError::new(
                "satisfaction",
                "not_closed",
                "只有已办结的事项才有回访满意度",
            ));
        }
        if self.ended_at.is_some_and(|t| t > now) {
            return Err(FieldError::new(
                "closed_at",
                "in_future",
                "办结时间晚于现在",
            ));
        }
        if self.ended_at.is_some_and(|t| t < registered_at) {
            return Err(FieldError::new(
                "closed_at",
                "before_registration",
                "办结时间早于登记时间",
            ));
        }
        Ok(())
    }

    /// Whether replaying needs the unit that handled it.
    pub fn needs_handler(&self) -> bool {
        matches!(
            self.status,
            Some(PastStatus::InMediation | PastStatus::Closed)
        )
    }
}

fn note(past: &Past, default: &str) -> String {
    past.note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(default)
        .to_string()
}

struct Replay<'a> {
    case: Case,
    events: Vec<EventDraft>,
    calendar: &'a WorkCalendar,
}

impl Replay<'_> {
    fn step(&mut self, at: Timestamp, action: Action) -> Result<(), FieldError> {
        let ctx = Context {
            now: at,
            calendar: self.calendar,
            routing: None,
        };
        let (next, event) = lifecycle::apply(&self.case, action, &ctx)
            .map_err(|e| FieldError::new("status", "cannot_replay", e.to_string()))?;
        self.case = next;
        self.events.push(event);
        Ok(())
    }
}

/// Replays a just-registered `case` to where `past` says it ended, by `now`. `handler`
/// is needed for cases in mediation or closed (see [`Past::needs_handler`]).
pub fn replay(
    case: Case,
    past: &Past,
    handler: Option<Handler>,
    calendar: &WorkCalendar,
    now: Timestamp,
) -> Result<Replayed, FieldError> {
    past.check(case.registered_at, now)?;
    let t0 = case.registered_at;
    let t1 = past.ended_at.unwrap_or(t0);
    let mut r = Replay {
        case,
        events: Vec::new(),
        calendar,
    };
    let status = past.status.unwrap_or(PastStatus::Registered);
    if status == PastStatus::Registered {
        return Ok(done(r, None));
    }
    if status == PastStatus::Rejected {
        let reason = note(past, "原台账记载不予受理");
        let guidance = "详见原台账记载".to_string();
        r.step(t1, Action::Reject { reason, guidance })?;
        return Ok(done(r, None));
    }
    r.step(t0, Action::Accept { complexity: None })?;
    if status == PastStatus::Withdrawn {
        let reason = note(past, "当事人撤回(原台账记载)");
        r.step(t1, Action::Withdraw { reason })?;
        return Ok(done(r, None));
    }
    if status == PastStatus::Accepted {
        return Ok(done(r, None));
    }
    let (unit, level, tier) = handler.ok_or_else(|| {
        FieldError::new(
            "lead_unit",
            "required",
            "调解中或已办结的事项应写明承办单位(或由分流规则确定)",
        )
    })?;
    r.step(
        t0,
        Action::Assign {
            lead_unit: unit,
            co_handlers: Vec::new(),
            responsible_person: None,
            mediator: None,
            level: Some(level),
            tier: Some(tier),
            reason: Some("历史数据导入".into()),
        },
    )?;
    r.step(t0, Action::StartMediation { mediator: None })?;
    let agreement = match past.outcome {
        None => None,
        Some(PastOutcome::Resolved) => Some(agree(&mut r, past, t1)?),
        Some(o) => {
            let to = match o {
                PastOutcome::Arbitration => ReferralTarget::Arbitration,
                _ => ReferralTarget::Litigation,
            };
            let reason = note(past, "调解不成(原台账记载)");
            r.step(
                t1,
                Action::FailMediation {
                    reason: reason.clone(),
                },
            )?;
            r.step(t1, Action::Refer { to, reason })?;
            None
        }
    };
    if status == PastStatus::Closed {
        r.step(
            t1,
            Action::Close {
                summary: past.note.clone(),
            },
        )?;
        if let Some(satisfaction) = past.satisfaction {
            r.step(
                t1,
                Action::FollowUp {
                    satisfaction,
                    method: None,
                    performance: None,
                    note: Some("历史数据导入".into()),
                },
            )?;
        }
    }
    Ok(done(r, agreement))
}

/// The agreement the ledger records, signed in person by every party who chooses.
fn agree(r: &mut Replay<'_>, past: &Past, at: Timestamp) -> Result<PastAgreement, FieldError> {
    let text = AgreementText {
        facts: r.case.facts.description.clone(),
        terms: vec![Term {
            text: note(past, "双方达成调解协议(历史数据导入,协议原件存档)"),
            due: None,
            amount: None,
        }],
    };
    r.step(
        at,
        Action::DraftAgreement {
            version: 1,
            hash: String::new(),
        },
    )?;
    let who = choosers(&r.case.facts.parties);
    let mut signatures = Vec::new();
    for (i, party) in who.iter().enumerate() {
        r.step(
            at,
            Action::SignAgreement {
                party: *party,
                method: SignMethod::InPerson,
                version: 1,
                all_signed: i + 1 == who.len(),
            },
        )?;
        signatures.push((*party, at));
    }
    let summary = note(past, "双方达成调解协议");
    r.step(at, Action::ReachAgreement { summary })?;
    Ok(PastAgreement {
        text,
        drafted_at: at,
        signatures,
    })
}

fn done(r: Replay<'_>, agreement: Option<PastAgreement>) -> Replayed {
    Replayed {
        case: r.case,
        events: r.events,
        agreement,
    }
}
