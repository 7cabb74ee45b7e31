//! The figures a center lives by, each defined once: counts that add up (so that they can
//! be kept per day and place and summed for any region and period) and the rates derived
//! from them. See docs/figures.md.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::case::{Case, CaseKind, Level, Outcome, Satisfaction, Status};
use crate::category::Category;
use crate::intake::VisitLevel;

/// The 631 goal (六三一): of the disputes resolved, 60 % at village level, 30 % at
/// township level, 10 % at county level and above.
pub const GOAL_631: [(Level, f64); 3] = [
    (Level::Village, 0.6),
    (Level::Township, 0.3),
    (Level::County, 0.1),
];

/// Counts over a region and period. Every field adds: two periods' counts sum to the
/// counts of both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Registered in the period (登记).
    pub registered: u64,
    /// Accepted in the period (受理).
    pub accepted: u64,
    /// Closed in the period (办结), whatever the outcome.
    pub closed: u64,
    /// Closed with an agreement, confirmed or not (调解成功).
    pub resolved: u64,
    /// Closed after mediation ended either way: agreements and referrals (调解终结).
    pub mediated_to_end: u64,
    /// Resolved, by the level that resolved it: village, township, county, city.
    pub resolved_by_level: [u64; 4],
    /// Closed by their deadline, among those closed that had one.
    pub closed_on_time: u64,
    pub closed_with_deadline: u64,
    /// Follow-ups of cases closed in the period, and how many were satisfied or
    /// basically satisfied.
    pub followed_up: u64,
    pub satisfied: u64,
    pub dissatisfied: u64,
    /// Petitions registered (信访), repeat (重复访), skip-level (越级访), and those that
    /// went to the city or higher (赴市及以上).
    pub petitions: u64,
    pub repeat_petitions: u64,
    pub skip_level_petitions: u64,
    pub petitions_to_city: u64,
    /// Registered with five or more complainants (群体性).
    pub mass_cases: u64,
}

impl Counts {
    /// The counts a case adds to a period [from, to): by what happened in it then.
    pub fn of_case(c: &Case, from: Timestamp, to: Timestamp) -> Counts {
        let within = |t: Option<Timestamp>| t.is_some_and(|t| t >= from && t < to);
        let mut n = Counts::default();
        if within(Some(c.registered_at)) {
            n.registered = 1;
            n.mass_cases = u64::from(c.is_mass());
            if c.facts.kind == CaseKind::Petition {
                n.petitions = 1;
                n.repeat_petitions = u64::from(c.repeat_of.is_some());
                n.skip_level_petitions = u64::from(c.skip_level_of.is_some());
                let visited = c.facts.intake.petition.as_ref().map(|p| p.visited_level);
                n.petitions_to_city = u64::from(matches!(
                    visited,
                    Some(VisitLevel::City | VisitLevel::Province | VisitLevel::Central)
                ));
            }
        }
        n.accepted = u64::from(within(c.accepted_at));
        if within(c.closed_at) {
            n.add_closure(c);
        }
        n
    }

    fn add_closure(&mut self, c: &Case) {
        self.closed = 1;
        let resolved = matches!(
            c.outcome,
            Some(Outcome::Agreement | Outcome::AgreementConfirmed)
        );
        let ended = resolved
            || matches!(
                c.outcome,
                Some(Outcome::ReferredLitigation | Outcome::ReferredArbitration)
            );
        self.resolved = u64::from(resolved);
        self.mediated_to_end = u64::from(ended);
        if resolved {
            self.resolved_by_level[level_index(c.facts.level)] = 1;
        }
        if let (Some(deadline), Some(closed)) = (c.deadline, c.closed_at) {
            self.closed_with_deadline = 1;
            self.closed_on_time = u64::from(closed <= deadline);
        }
        if let Some(s) = c.satisfaction {
            self.followed_up = 1;
            self.satisfied = u64::from(s != Satisfaction::Dissatisfied);
            self.dissatisfied = u64::from(s == Satisfaction::Dissatisfied);
        }
    }

    pub fn add(&mut self, o: &Counts) {
        self.registered += o.registered;
        self.accepted += o.accepted;
        self.closed += o.closed;
        self.resolved += o.resolved;
        self.mediated_to_end += o.mediated_to_end;
        for i in 0..4 {
            self.resolved_by_level[i] += o.resolved_by_level[i];
        }
        self.closed_on_time += o.closed_on_time;
        self.closed_with_deadline += o.closed_with_deadline;
        self.followed_up += o.followed_up;
        self.satisfied += o.satisfied;
        self.dissatisfied += o.dissatisfied;
        self.petitions += o.petitions;
        self.repeat_petitions += o.repeat_petitions;
        self.skip_level_petitions += o.skip_level_petitions;
        self.petitions_to_city += o.petitions_to_city;
        self.mass_cases += o.mass_cases;
    }

    /// 调解成功率: agreements among cases mediated to an end.
    pub fn success_rate(&self) -> Option<f64> {
        rate(self.resolved, self.mediated_to_end)
    }

    /// 办结率: closed among accepted in the period.
    pub fn closure_rate(&self) -> Option<f64> {
        rate(self.closed, self.accepted).map(|r| r.min(1.0))
    }

    /// 按期办结率.
    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.closed_on_time, self.closed_with_deadline)
    }

    /// 满意率: satisfied or basically satisfied among those followed up.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        rate(self.satisfied, self.followed_up)
    }

    /// The share of resolved disputes at village, township, and county-and-above level,
    /// to set beside [`GOAL_631`].
    pub fn shares_631(&self) -> Option<[f64; 3]> {
        let [v, t, c, city] = self.resolved_by_level;
        let total = v + t + c + city;
        (total > 0).then(|| {
            let f = |n: u64| round3(n as f64 / total as f64);
            [f(v), f(t), f(c + city)]
        })
    }
}

fn level_index(l: Level) -> usize {
    match l {
        Level::Village => 0,
        Level::Township => 1,
        Level::County => 2,
        Level::City => 3,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub fn rate(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| round3(a as f64 / b as f64))
}

/// The figures of a region and period: the counts, what is overdue now, and the
/// breakdowns a leader reads.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Figures {
    pub counts: Counts,
    /// Open and past the deadline now (not a period figure).
    pub overdue_now: u64,
    /// Open now.
    pub open_now: u64,
    /// Registered in the period, by category.
    pub by_category: BTreeMap<Category, u64>,
    /// Counts by the child regions of the region asked about.
    pub by_region: BTreeMap<String, Counts>,
    /// Registered in the period, by the Monday of their week (YYYY-MM-DD).
    pub weekly: BTreeMap<String, u64>,
}

/// The Monday of the week `t` falls in, in Asia/Shanghai.
pub fn week_of(t: Timestamp) -> jiff::civil::Date {
    let d = crate::time::local_date(t);
    let back = i64::from(d.weekday().to_monday_zero_offset());
    d.checked_sub(jiff::Span::new().days(back)).unwrap_or(d)
}

impl Figures {
    /// Adds a case to the figures of [from, to) at `now`; `child` is the child region
    /// it lies in (by code), if the breakdown is wanted.
    pub fn add_case(
        &mut self,
        c: &Case,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
        child: Option<&str>,
    ) {
        let n = Counts::of_case(c, from, to);
        if n.registered == 1 {
            *self.by_category.entry(c.facts.category).or_default() += 1;
            *self
                .weekly
                .entry(week_of(c.registered_at).to_string())
                .or_default() += 1;
        }
        if c.status.is_open() && c.status != Status::Registered {
            self.open_now += 1;
            if c.deadline.is_some_and(|d| d <= now) {
                self.overdue_now += 1;
            }
        }
        if let Some(child) = child {
            self.by_region.entry(child.to_string()).or_default().add(&n);
        }
        self.counts.add(&n);
    }
}
