use std::collections::{BTreeSet, VecDeque};

use concord_domain::action::{FollowUpMethod, Performance};
use concord_domain::agreement::SignMethod;
use concord_domain::calendar::WorkCalendar;
use concord_domain::case::{
    CaseKind, Channel, Complexity, NewCaseInput, PartyInput, PartyKind, PartyRole, RiskLevel,
    Satisfaction, Status,
};
use concord_domain::category::Category;
use concord_domain::lifecycle::{
    Action, ActionKind, CoHandler, Context, ReferralTarget, TransitionError, allowed_actions,
    apply, register, target,
};
use concord_domain::session::{SessionMethod, SessionMode};
use jiff::Timestamp;
use proptest::prelude::*;

pub fn new_case(kind: CaseKind) -> concord_domain::case::NewCase {
    NewCaseInput {
        kind,
        channel: Channel::Window,
        category: Category::Neighbor,
        description: "邻居建房导致我家墙面开裂,要求赔偿".into(),
        region: "331125003002".into(),
        address: None,
        amount: Some(5000.0),
        complainants: 1,
        complexity: Complexity::General,
        level: None,
        tier: None,
        parties: vec![PartyInput {
            role: PartyRole::Applicant,
            kind: PartyKind::Person,
            name: "王某某".into(),
            phone: Some("13800138000".into()),
            id_number: None,
        }],
        window: None,
        petition: None,
        transfer: None,
        source: None,
        external_ref: None,
    }
    .validate()
    .unwrap()
}

/// One concrete action of each kind, with a valid payload.
pub fn sample(kind: ActionKind, n: u8) -> Action {
    let reason = format!("理由{n}");
    match kind {
        ActionKind::Register | ActionKind::Accept => Action::Accept { complexity: None },
        ActionKind::Reject => Action::Reject {
            reason,
            guidance: "请向人民法院起诉".into(),
        },
        ActionKind::Assign => Action::Assign {
            lead_unit: i64::from(n % 5) + 1,
            co_handlers: vec![CoHandler::Unit(10)],
            responsible_person: Some(3),
            mediator: None,
            level: None,
            tier: None,
            reason: None,
        },
        ActionKind::StartMediation => Action::StartMediation { mediator: Some(7) },
        ActionKind::ReachAgreement => Action::ReachAgreement {
            summary: "赔偿3000元".into(),
        },
        ActionKind::FailMediation => Action::FailMediation { reason },
        ActionKind::EscalateLevel => Action::EscalateLevel { reason },
        ActionKind::EscalateTier => Action::EscalateTier { reason },
        ActionKind::Refer => Action::Refer {
            to: ReferralTarget::Litigation,
            reason,
        },
        ActionKind::ApplyConfirmation => Action::ApplyConfirmation {
            court: Some(2),
            green_channel: false,
        },
        ActionKind::Confirm => Action::Confirm { ruling: None },
        ActionKind::DenyConfirmation => Action::DenyConfirmation { reason },
        ActionKind::Close => Action::Close { summary: None },
        ActionKind::FollowUp => Action::FollowUp {
            satisfaction: Satisfaction::Satisfied,
            method: Some(FollowUpMethod::Phone),
            performance: Some(Performance::Full),
            note: None,
        },
        ActionKind::Suspend => Action::Suspend { reason },
        ActionKind::Resume => Action::Resume {},
        ActionKind::RequestExtension => Action::RequestExtension {
            working_days: u32::from(n % 30) + 1,
            reason,
        },
        ActionKind::ApproveExtension => Action::ApproveExtension { note: None },
        ActionKind::DenyExtension => Action::DenyExtension { reason },
        ActionKind::Reopen => Action::Reopen { reason },
        ActionKind::ScheduleSession => Action::ScheduleSession {
            session: i64::from(n),
            mode: SessionMode::AtCenter,
            starts_at: "2025-10-10 09:00".into(),
        },
        ActionKind::RecordSession => Action::RecordSession {
            session: i64::from(n),
            method: SessionMethod::FaceToFace,
        },
        ActionKind::CancelSession => Action::CancelSession {
            session: i64::from(n),
            reason,
        },
        ActionKind::DraftAgreement => Action::DraftAgreement {
            version: u32::from(n),
            hash: format!("h{n}"),
        },
        ActionKind::SignAgreement => Action::SignAgreement {
            party: 0,
            method: SignMethod::InPerson,
            version: 1,
            all_signed: n.is_multiple_of(2),
        },
        ActionKind::Archive => Action::Archive {},
        ActionKind::Withdraw => Action::Withdraw { reason },
        // A reason always: a downgrade without one is refused by design (tested in the API).
        ActionKind::Reclassify => Action::Reclassify {
            category: Category::ALL[usize::from(n) % Category::ALL.len()],
            reason: Some(reason.clone()),
        },
        ActionKind::AssessRisk => Action::AssessRisk {
            level: RiskLevel::ALL[usize::from(n) % RiskLevel::ALL.len()],
            reason: Some(reason.clone()),
        },
        ActionKind::Return => Action::Return { reason },
        ActionKind::CompleteTask => Action::CompleteTask {
            task: i64::from(n),
            note: "已完成协办".into(),
        },
        ActionKind::ReturnTask => Action::ReturnTask {
            task: i64::from(n),
            reason,
        },
        ActionKind::Merge => Action::Merge {
            cases: vec![i64::from(n) + 100],
            complainants: u32::from(n % 4) + 1,
            reason,
        },
        ActionKind::MergeInto => Action::MergeInto {
            into: i64::from(n) + 100,
            reason,
        },
    }
}

/// Every move but registration.
const MOVES: &[ActionKind] = {
    let all = ActionKind::ALL;
    all.split_at(1).1
};

#[test]
fn every_state_is_reachable_from_registration() {
    let mut seen = BTreeSet::from([Status::Registered]);
    let mut queue = VecDeque::from([Status::Registered]);
    while let Some(s) = queue.pop_front() {
        for a in allowed_actions(s) {
            let t = target(s, *a);
            if seen.insert(t) {
                queue.push_back(t);
            }
        }
    }
    assert_eq!(seen.len(), Status::ALL.len(), "reached {seen:?}");
}

#[test]
fn a_refused_action_names_the_state_and_what_is_allowed() {
    let cal = WorkCalendar::builtin();
    let ctx = Context {
        now: Timestamp::now(),
        calendar: &cal,
        routing: None,
    };
    let (case, _) = register(
        new_case(CaseKind::Dispute),
        "331125-2025-00001".into(),
        &ctx,
    );
    let err = apply(&case, sample(ActionKind::Close, 0), &ctx).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(
        err,
        TransitionError::NotAllowed {
            status: Status::Registered,
            ..
        }
    ));
    assert!(
        msg.contains("已登记") && msg.contains("registered"),
        "{msg}"
    );
    assert!(
        msg.contains("受理(accept)") && msg.contains("撤回(withdraw)"),
        "{msg}"
    );
}

#[test]
fn escalation_climbs_both_ladders_and_stops_at_the_top() {
    let cal = WorkCalendar::builtin();
    let ctx = Context {
        now: Timestamp::now(),
        calendar: &cal,
        routing: None,
    };
    let (mut case, _) = register(new_case(CaseKind::Dispute), "n".into(), &ctx);
    let step = |c: &concord_domain::case::Case, k| apply(c, sample(k, 1), &ctx).map(|(c, _)| c);
    case = step(&case, ActionKind::Accept).unwrap();
    let mut levels = vec![case.facts.level];
    loop {
        case = step(&case, ActionKind::Assign).unwrap();
        case = step(&case, ActionKind::StartMediation).unwrap();
        case = step(&case, ActionKind::FailMediation).unwrap();
        match step(&case, ActionKind::EscalateLevel) {
            Ok(c) => {
                case = c;
                levels.push(case.facts.level);
            }
            Err(TransitionError::Ladder(e)) => {
                assert_eq!(e.code, "top_level");
                break;
            }
            Err(e) => panic!("{e}"),
        }
    }
    let names: Vec<_> = levels.iter().map(|l| l.as_str()).collect();
    assert_eq!(names, ["village", "township", "county", "city"]);
    case = step(&case, ActionKind::EscalateTier).unwrap();
    assert_eq!(case.facts.tier.as_str(), "administrative");
}

#[test]
fn a_petition_carries_its_statutory_clocks() {
    let cal = WorkCalendar::builtin();
    let ctx = Context {
        now: Timestamp::now(),
        calendar: &cal,
        routing: None,
    };
    let (case, _) = register(new_case(CaseKind::Petition), "n".into(), &ctx);
    assert!(case.acceptance_due.is_some());
    let (case, _) = apply(&case, sample(ActionKind::Accept, 0), &ctx).unwrap();
    assert!(case.statutory_deadline.unwrap() > case.deadline.unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_sequence_of_actions_keeps_the_invariants(
        petition in any::<bool>(),
        moves in prop::collection::vec((0..MOVES.len(), any::<u8>()), 0..60),
    ) {
        let cal = WorkCalendar::builtin();
        let mut now: Timestamp = "2025-09-28T01:00:00Z".parse().unwrap();
        let kind = if petition { CaseKind::Petition } else { CaseKind::Dispute };
        let ctx = Context { now, calendar: &cal, routing: None };
        let (mut case, first) = register(new_case(kind), "331125-2025-00001".into(), &ctx);
        let mut events = vec![first];
        for (i, n) in moves {
            now = now.checked_add(jiff::Span::new().hours(7)).unwrap();
            let ctx = Context { now, calendar: &cal, routing: None };
            let kind = MOVES[i];
            let allowed = allowed_actions(case.status).contains(&kind);
            match apply(&case, sample(kind, n), &ctx) {
                Ok((next, event)) => {
                    prop_assert!(allowed, "{kind} applied in {}", case.status);
                    prop_assert_eq!(next.status, target(case.status, kind));
                    prop_assert_eq!(event.from, Some(case.status));
                    prop_assert_eq!(event.to, next.status);
                    prop_assert_eq!(next.version, case.version + 1);
                    events.push(event);
                    case = next;
                }
                Err(TransitionError::NotAllowed { status, action }) => {
                    prop_assert!(!allowed);
                    prop_assert_eq!((status, action), (case.status, kind));
                }
                Err(TransitionError::Ladder(_)) => {
                    prop_assert!(matches!(kind, ActionKind::EscalateLevel | ActionKind::EscalateTier));
                }
                // Allowed here, but something must happen first (a signature, a request…).
                Err(TransitionError::Blocked(_)) => prop_assert!(allowed, "{kind} blocked in {}", case.status),
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
            check_invariants(&case)?;
        }
        // One event per transition, registration included, chained state to state.
        prop_assert_eq!(events.len() as i64, case.version);
        for w in events.windows(2) {
            prop_assert_eq!(w[1].from, Some(w[0].to));
        }
    }
}

fn check_invariants(c: &concord_domain::case::Case) -> Result<(), TestCaseError> {
    use Status::*;
    if matches!(
        c.status,
        Closed | FollowedUp | Rejected | Withdrawn | Merged
    ) {
        prop_assert!(c.outcome.is_some(), "{} without an outcome", c.status);
    }
    if c.status == Merged {
        prop_assert!(c.merged_into.is_some(), "merged into nothing");
    }
    if matches!(c.status, Closed | FollowedUp)
        && c.outcome == Some(concord_domain::case::Outcome::Agreement)
    {
        prop_assert!(c.agreement_signed, "an agreement closed unsigned");
    }
    if matches!(c.status, Closed | FollowedUp) {
        prop_assert!(
            c.follow_up_due.is_some_and(|d| Some(d) > c.closed_at),
            "no follow-up due"
        );
    }
    if !c.status.is_open() {
        prop_assert!(c.pending_extension.is_none() && c.suspended_since.is_none());
    }
    if matches!(c.status, Closed | FollowedUp) {
        prop_assert!(c.closed_at.is_some());
    }
    if c.accepted_at.is_some() {
        prop_assert!(c.deadline.is_some(), "accepted without a deadline");
    }
    if matches!(
        c.status,
        Accepted
            | Assigned
            | InMediation
            | Agreed
            | Failed
            | Escalated
            | Referred
            | Confirming
            | Closed
            | FollowedUp
    ) {
        prop_assert!(c.accepted_at.is_some(), "{} never accepted", c.status);
    }
    if c.status == Assigned {
        prop_assert!(c.lead_unit.is_some());
    }
    if c.facts.kind == CaseKind::Petition && c.accepted_at.is_some() {
        prop_assert!(c.statutory_deadline.is_some());
    }
    if c.status == FollowedUp {
        prop_assert!(c.satisfaction.is_some());
    }
    Ok(())
}
