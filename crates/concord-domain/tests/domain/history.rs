//! Past cases replayed from a ledger end where the ledger says, through the lifecycle:
//! any status, outcome and satisfaction, at any span after registration.

use concord_domain::calendar::WorkCalendar;
use concord_domain::case::{CaseKind, Level, Outcome, Satisfaction, Status, Tier};
use concord_domain::history::{Past, PastOutcome, PastStatus, replay};
use concord_domain::lifecycle::{Context, register};
use jiff::{Span, Timestamp};
use proptest::prelude::*;

use crate::lifecycle::new_case;

fn registered(at: Timestamp, cal: &WorkCalendar) -> concord_domain::case::Case {
    let ctx = Context {
        now: at,
        calendar: cal,
        routing: None,
    };
    register(new_case(CaseKind::Dispute), "n".into(), &ctx).0
}

fn now() -> Timestamp {
    "2026-12-05T10:00:00+08:00".parse().unwrap()
}

fn at() -> Timestamp {
    "2026-03-02T09:00:00+08:00".parse().unwrap()
}

#[test]
fn a_closed_agreement_is_signed_by_every_party_and_followed_up() {
    let cal = WorkCalendar::builtin();
    let past = Past {
        status: Some(PastStatus::Closed),
        outcome: Some(PastOutcome::Resolved),
        ended_at: Some(at() + Span::new().hours(24 * 9)),
        satisfaction: Some(Satisfaction::Satisfied),
        note: Some("被申请人赔偿修缮费3000元".into()),
    };
    let r = replay(
        registered(at(), &cal),
        &past,
        Some((7, Level::Village, Tier::People)),
        &cal,
        now(),
    )
    .unwrap();
    assert_eq!(r.case.status, Status::FollowedUp);
    assert_eq!(r.case.outcome, Some(Outcome::Agreement));
    assert_eq!(r.case.lead_unit, Some(7));
    assert_eq!(r.case.closed_at, past.ended_at);
    let a = r.agreement.unwrap();
    let (text, signed) = (a.text, a.signatures);
    assert_eq!(text.terms[0].text, "被申请人赔偿修缮费3000元");
    let parties = concord_domain::mediator::choosers(&r.case.facts.parties);
    assert!(!parties.is_empty());
    assert_eq!(signed.len(), parties.len(), "every party signs");
    assert!(r.case.agreement_signed);
}

#[test]
fn what_does_not_fit_is_refused_naming_the_column() {
    let cal = WorkCalendar::builtin();
    let case = || registered(at(), &cal);
    let field = |past: Past, handler| {
        replay(case(), &past, handler, &cal, now())
            .unwrap_err()
            .field
    };
    let closed = Past {
        status: Some(PastStatus::Closed),
        ..Default::default()
    };
    assert_eq!(field(closed.clone(), None), "outcome");
    let early = Past {
        outcome: Some(PastOutcome::Resolved),
        ended_at: Some(at() - Span::new().hours(1)),
        ..closed.clone()
    };
    assert_eq!(field(early, None), "closed_at");
    let ahead = Past {
        outcome: Some(PastOutcome::Resolved),
        ended_at: Some(now() + Span::new().hours(1)),
        ..closed.clone()
    };
    assert_eq!(field(ahead, None), "closed_at");
    let no_unit = Past {
        outcome: Some(PastOutcome::Litigation),
        ..closed
    };
    assert_eq!(field(no_unit, None), "lead_unit");
    let happy_but_open = Past {
        status: Some(PastStatus::Accepted),
        satisfaction: Some(Satisfaction::Satisfied),
        ..Default::default()
    };
    assert_eq!(field(happy_but_open, None), "satisfaction");
}

fn any_past() -> impl Strategy<Value = Past> {
    let status = prop::sample::select(PastStatus::ALL.to_vec());
    let outcome = prop::sample::select(PastOutcome::ALL.to_vec());
    let satisfaction = prop::option::of(prop::sample::select(Satisfaction::ALL.to_vec()));
    (status, outcome, satisfaction, 0i64..2_000).prop_map(
        |(status, outcome, satisfaction, hours)| {
            let closed = status == PastStatus::Closed;
            Past {
                status: Some(status),
                outcome: closed.then_some(outcome),
                ended_at: Some(at() + Span::new().hours(hours)),
                satisfaction: satisfaction.filter(|_| closed),
                note: None,
            }
        },
    )
}

proptest! {
    /// Every valid past ends in the status it names, with its outcome.
    #[test]
    fn every_past_replays_to_where_its_ledger_says(past in any_past()) {
        let cal = WorkCalendar::builtin();
        let r = replay(registered(at(), &cal), &past, Some((3, Level::Township, Tier::People)), &cal, now()).unwrap();
        let want = match past.status.unwrap() {
            PastStatus::Registered => Status::Registered,
            PastStatus::Accepted => Status::Accepted,
            PastStatus::InMediation => Status::InMediation,
            PastStatus::Closed if past.satisfaction.is_some() => Status::FollowedUp,
            PastStatus::Closed => Status::Closed,
            PastStatus::Rejected => Status::Rejected,
            PastStatus::Withdrawn => Status::Withdrawn,
        };
        prop_assert_eq!(r.case.status, want);
        let outcome = match past.outcome {
            Some(PastOutcome::Resolved) => Some(Outcome::Agreement),
            Some(PastOutcome::Litigation) => Some(Outcome::ReferredLitigation),
            Some(PastOutcome::Arbitration) => Some(Outcome::ReferredArbitration),
            None => r.case.outcome,
        };
        prop_assert_eq!(r.case.outcome, outcome);
        if matches!(want, Status::Closed | Status::FollowedUp) {
            prop_assert_eq!(r.case.closed_at, past.ended_at);
        }
        prop_assert_eq!(r.case.satisfaction, past.satisfaction);
    }
}
