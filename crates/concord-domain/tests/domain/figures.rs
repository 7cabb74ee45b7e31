//! The figures a leader reads, from hand-built case histories: each count falls in the
//! period its step happened in, periods add up, and the rates divide the right things.

use concord_domain::calendar::WorkCalendar;
use concord_domain::case::{Case, CaseKind, Level, Satisfaction};
use concord_domain::figures::{Counts, Figures, contributions, rate};
use concord_domain::lifecycle::{Action, ActionKind, Context, ReferralTarget, apply, register};
use jiff::{Span, Timestamp};
use proptest::prelude::*;

use crate::lifecycle::{new_case, sample};

fn t(s: &str) -> Timestamp {
    format!("{s}:00+08:00").parse().unwrap()
}

/// How a history ends.
#[derive(Debug, Clone, Copy)]
enum End {
    Agreement(Level, Satisfaction),
    Referral,
    StillOpen,
}

/// A dispute registered at `at`, each later step a day after the one before.
fn history(at: Timestamp, end: End) -> Case {
    let cal = WorkCalendar::builtin();
    let mut now = at;
    let (mut c, _) = register(new_case(CaseKind::Dispute), "n".into(), &ctx(&cal, now));
    let mut step = |c: &Case, a: Action| {
        now += Span::new().hours(24);
        apply(c, a, &ctx(&cal, now)).unwrap().0
    };
    c = step(&c, sample(ActionKind::Accept, 0));
    let level = match end {
        End::Agreement(l, _) => Some(l),
        _ => None,
    };
    let mut assign = sample(ActionKind::Assign, 0);
    if let Action::Assign { level: l, .. } = &mut assign {
        *l = level;
    }
    c = step(&c, assign);
    c = step(&c, sample(ActionKind::StartMediation, 0));
    match end {
        End::StillOpen => c,
        End::Referral => {
            c = step(&c, sample(ActionKind::FailMediation, 0));
            c = step(
                &c,
                Action::Refer {
                    to: ReferralTarget::Litigation,
                    reason: "调解不成,引导诉讼".into(),
                },
            );
            step(&c, sample(ActionKind::Close, 0))
        }
        End::Agreement(_, satisfaction) => {
            c = step(&c, sample(ActionKind::ReachAgreement, 0));
            c = step(&c, sample(ActionKind::DraftAgreement, 1));
            c = step(&c, sample(ActionKind::SignAgreement, 2)); // all signed
            c = step(&c, sample(ActionKind::Close, 0));
            let mut follow = sample(ActionKind::FollowUp, 0);
            if let Action::FollowUp {
                satisfaction: s, ..
            } = &mut follow
            {
                *s = satisfaction;
            }
            step(&c, follow)
        }
    }
}

fn ctx(cal: &WorkCalendar, now: Timestamp) -> Context<'_> {
    Context {
        now,
        calendar: cal,
        routing: None,
    }
}

fn counts(cases: &[Case], from: Timestamp, to: Timestamp) -> Counts {
    let mut n = Counts::default();
    for c in cases {
        n.add(&Counts::of_case(c, from, to));
    }
    n
}

#[test]
fn each_step_counts_in_the_period_it_happened_in() {
    let c = history(
        t("2026-11-02T09:00"),
        End::Agreement(Level::Village, Satisfaction::Satisfied),
    );
    // Registered on the 2nd, accepted on the 3rd, closed on the 9th.
    let early = Counts::of_case(&c, t("2026-11-01T00:00"), t("2026-11-04T00:00"));
    assert_eq!((early.registered, early.accepted, early.closed), (1, 1, 0));
    let late = Counts::of_case(&c, t("2026-11-04T00:00"), t("2026-12-01T00:00"));
    assert_eq!((late.registered, late.closed, late.resolved), (0, 1, 1));
    assert_eq!((late.followed_up, late.satisfied), (1, 1));
    assert_eq!(late.resolved_by_level, [1, 0, 0, 0]);
    // Accepted Tuesday the 3rd, closed Monday the 9th: four working days after the
    // start (the 4th, 5th, 6th and 9th), the weekend not counted.
    assert_eq!(late.close_work_days, 4);
    assert_eq!(late.average_work_days(), Some(4.0));
    assert_eq!(early.close_work_days, 0, "counted when it closed");
    let mut both = early.clone();
    both.add(&late);
    assert_eq!(
        both,
        Counts::of_case(&c, t("2026-11-01T00:00"), t("2026-12-01T00:00"))
    );
}

#[test]
fn a_case_is_counted_under_its_channel_unit_and_mediator() {
    use concord_domain::figures::{Dimension, Tally, dimensions};
    let c = history(
        t("2026-11-02T09:00"),
        End::Agreement(Level::Village, Satisfaction::Dissatisfied),
    );
    let dims: Vec<Dimension> = dimensions(&c).into_iter().map(|d| d.0).collect();
    assert_eq!(dims[0], Dimension::Channel);
    assert_eq!(dims.contains(&Dimension::Unit), c.lead_unit.is_some());
    let n = Counts::of_case(&c, t("2026-11-01T00:00"), t("2026-12-01T00:00"));
    let tally = Tally::of(&n);
    assert_eq!(
        (
            tally.registered,
            tally.closed,
            tally.resolved,
            tally.dissatisfied
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(tally.success_rate(), Some(1.0));
    let mut twice = tally.clone();
    twice.add(&tally);
    assert_eq!(twice.registered, 2);
    assert_eq!(twice.average_work_days(), tally.average_work_days());
}

#[test]
fn the_rates_divide_what_they_say() {
    let at = t("2026-03-02T09:00");
    let cases = [
        history(at, End::Agreement(Level::Village, Satisfaction::Satisfied)),
        history(
            at,
            End::Agreement(Level::Village, Satisfaction::Dissatisfied),
        ),
        history(
            at,
            End::Agreement(Level::Township, Satisfaction::BasicallySatisfied),
        ),
        history(at, End::Referral),
        history(at, End::StillOpen),
    ];
    let n = counts(&cases, t("2026-01-01T00:00"), t("2027-01-01T00:00"));
    assert_eq!((n.registered, n.accepted, n.closed), (5, 5, 4));
    // 3 agreements of 4 mediated to an end; 4 of 5 accepted closed.
    assert_eq!(n.success_rate(), Some(0.75));
    assert_eq!(n.closure_rate(), Some(0.8));
    // Satisfied and basically satisfied, of three followed up.
    assert_eq!(n.satisfaction_rate(), Some(0.667));
    assert_eq!(n.shares_631(), Some([0.667, 0.333, 0.0]));
    assert_eq!(
        Counts::default().success_rate(),
        None,
        "nothing to divide by"
    );
    assert_eq!(rate(1, 0), None);
}

#[test]
fn the_631_shares_follow_the_level_that_resolved() {
    let at = t("2026-05-11T09:00");
    let mut cases = Vec::new();
    for (level, n) in [
        (Level::Village, 6),
        (Level::Township, 3),
        (Level::County, 1),
    ] {
        for _ in 0..n {
            cases.push(history(at, End::Agreement(level, Satisfaction::Satisfied)));
        }
    }
    let n = counts(&cases, t("2026-05-01T00:00"), t("2026-07-01T00:00"));
    assert_eq!(n.shares_631(), Some([0.6, 0.3, 0.1]));
}

#[test]
fn overdue_and_open_are_counted_now_not_in_the_period() {
    let open = history(t("2026-01-05T09:00"), End::StillOpen);
    let closed = history(
        t("2026-01-05T09:00"),
        End::Agreement(Level::Village, Satisfaction::Satisfied),
    );
    let mut f = Figures::default();
    // A period long before either case: no counts, but the open one is overdue now.
    let (from, to) = (t("2025-01-01T00:00"), t("2025-02-01T00:00"));
    let now = t("2026-06-01T00:00");
    f.add_case(&open, from, to, now, Some("331125003000"));
    f.add_case(&closed, from, to, now, Some("331125003000"));
    assert_eq!((f.open_now, f.overdue_now), (1, 1));
    assert_eq!(f.counts, Counts::default());
    assert!(f.weekly.is_empty() && f.by_category.is_empty());
    assert_eq!(f.by_region["331125003000"], Counts::default());
}

#[test]
fn the_week_starts_on_monday_in_china() {
    use concord_domain::figures::week_of;
    // Sunday 23:30 in Beijing is still the week of Monday the 16th.
    assert_eq!(week_of(t("2026-11-22T23:30")).to_string(), "2026-11-16");
    assert_eq!(week_of(t("2026-11-23T00:10")).to_string(), "2026-11-23");
}

proptest! {
    /// Counts over [a, c) are the counts over [a, b) plus those over [b, c), for any b:
    /// what lets figures be kept per day and summed for any period.
    #[test]
    fn periods_add_up(
        starts in prop::collection::vec((0i64..400, 0usize..4), 1..12),
        split in 0i64..420,
    ) {
        let base = t("2025-01-01T09:00");
        let ends = [
            End::Agreement(Level::Village, Satisfaction::Satisfied),
            End::Agreement(Level::County, Satisfaction::Dissatisfied),
            End::Referral,
            End::StillOpen,
        ];
        let cases: Vec<Case> = starts
            .iter()
            .map(|(d, e)| history(base + Span::new().hours(24 * d), ends[*e]))
            .collect();
        let (a, c) = (base, base + Span::new().hours(24 * 430));
        let b = base + Span::new().hours(24 * split);
        let mut parts = counts(&cases, a, b);
        parts.add(&counts(&cases, b, c));
        prop_assert_eq!(parts, counts(&cases, a, c));
    }

    /// What a case adds day by day sums, over any run of whole days, to what it adds to
    /// that period: the kept per-day figures can be trusted for any date range.
    #[test]
    fn daily_contributions_sum_to_the_period(
        start in 0i64..60,
        hour in 0i64..24,
        end in 0usize..4,
        from_day in 0i64..80,
        days in 1i64..80,
    ) {
        let ends = [
            End::Agreement(Level::Village, Satisfaction::Satisfied),
            End::Agreement(Level::Township, Satisfaction::Dissatisfied),
            End::Referral,
            End::StillOpen,
        ];
        let base = t("2026-01-01T00:00");
        let c = history(base + Span::new().hours(24 * start + hour), ends[end]);
        let from = concord_domain::time::local_date(base) + Span::new().days(from_day);
        let to = from + Span::new().days(days);
        let mut summed = Counts::default();
        for (d, n) in contributions(&c) {
            if d >= from && d < to {
                summed.add(&n);
            }
        }
        let (a, b) = (
            concord_domain::time::start_of_day(from),
            concord_domain::time::start_of_day(to),
        );
        prop_assert_eq!(summed, Counts::of_case(&c, a, b));
    }
}
