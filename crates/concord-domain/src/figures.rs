//! The figures a center lives by, each defined once: counts that add up (so that they can
//! be kept per day and place and summed for any region and period) and the rates derived
//! from them. See docs/figures.md.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::calendar::WorkCalendar;
use crate::case::{Case, CaseKind, Level, Outcome, Satisfaction, Status};
use crate::category::Category;
use crate::intake::VisitLevel;
use crate::labelled_enum;

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
    /// Working days the cases closed in the period took, summed (see
    /// [`work_days_to_close`]); divided by `closed`, the average time to close.
    pub close_work_days: u64,
}

/// The names of the counters, in storage order (see [`Counts::to_array`]).
pub const COUNTERS: [&str; 20] = [
    "registered",
    "accepted",
    "closed",
    "resolved",
    "mediated_to_end",
    "resolved_village",
    "resolved_township",
    "resolved_county",
    "resolved_city",
    "closed_on_time",
    "closed_with_deadline",
    "followed_up",
    "satisfied",
    "dissatisfied",
    "petitions",
    "repeat_petitions",
    "skip_level_petitions",
    "petitions_to_city",
    "mass_cases",
    "close_work_days",
];

/// Whether a case counts in `open_now`: accepted and not yet closed.
pub fn counts_as_open(c: &Case) -> bool {
    c.status.is_open() && c.status != Status::Registered
}

/// What a case adds to the figures of each day (in China) on which something it is
/// counted for happened: its registration, acceptance and closure. Summing these over
/// the days of a period gives exactly [`Counts::of_case`] for that period, which is
/// what lets figures be kept per day and place as cases move.
pub fn contributions(c: &Case) -> Vec<(Date, Counts)> {
    let mut days: Vec<Date> = [Some(c.registered_at), c.accepted_at, c.closed_at]
        .into_iter()
        .flatten()
        .map(crate::time::local_date)
        .collect();
    days.sort();
    days.dedup();
    days.into_iter()
        .filter_map(|d| {
            let from = crate::time::start_of_day(d);
            let to = crate::time::start_of_day(d.tomorrow().ok()?);
            let n = Counts::of_case(c, from, to);
            (n != Counts::default()).then_some((d, n))
        })
        .collect()
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
        self.close_work_days = work_days_to_close(c).unwrap_or(0);
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
        let (a, b) = (self.to_array(), o.to_array());
        *self = Counts::from_array(std::array::from_fn(|i| a[i] + b[i]));
    }

    /// The counters in the order of [`COUNTERS`], for storage.
    pub fn to_array(&self) -> [u64; COUNTERS.len()] {
        let [v, t, c, city] = self.resolved_by_level;
        [
            self.registered,
            self.accepted,
            self.closed,
            self.resolved,
            self.mediated_to_end,
            v,
            t,
            c,
            city,
            self.closed_on_time,
            self.closed_with_deadline,
            self.followed_up,
            self.satisfied,
            self.dissatisfied,
            self.petitions,
            self.repeat_petitions,
            self.skip_level_petitions,
            self.petitions_to_city,
            self.mass_cases,
            self.close_work_days,
        ]
    }

    pub fn from_array(a: [u64; COUNTERS.len()]) -> Counts {
        Counts {
            registered: a[0],
            accepted: a[1],
            closed: a[2],
            resolved: a[3],
            mediated_to_end: a[4],
            resolved_by_level: [a[5], a[6], a[7], a[8]],
            closed_on_time: a[9],
            closed_with_deadline: a[10],
            followed_up: a[11],
            satisfied: a[12],
            dissatisfied: a[13],
            petitions: a[14],
            repeat_petitions: a[15],
            skip_level_petitions: a[16],
            petitions_to_city: a[17],
            mass_cases: a[18],
            close_work_days: a[19],
        }
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

    /// 平均办结用时: working days from acceptance to closure, on average.
    pub fn average_work_days(&self) -> Option<f64> {
        average(self.close_work_days, self.closed)
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

fn average(sum: u64, n: u64) -> Option<f64> {
    (n > 0).then(|| (sum as f64 / n as f64 * 10.0).round() / 10.0)
}

/// The State Council's holiday arrangements: the one calendar every figure is counted
/// on, so that a center's later edits to its own calendar do not move past figures.
static STATUTORY: LazyLock<WorkCalendar> = LazyLock::new(WorkCalendar::builtin);

/// The working days a closed case took, from acceptance (registration, if it was never
/// accepted) to closure, on the statutory calendar; the day it started is not counted.
pub fn work_days_to_close(c: &Case) -> Option<u64> {
    let closed = crate::time::local_date(c.closed_at?);
    let start = crate::time::local_date(c.accepted_at.unwrap_or(c.registered_at));
    Some(u64::from(STATUTORY.working_days_between(start, closed)))
}

labelled_enum! {
    /// What a breakdown of the figures is by, besides place and category.
    pub enum Dimension {
        Channel = ("channel", "受理渠道"),
        Unit = ("unit", "牵头单位"),
        Mediator = ("mediator", "调解员"),
    }
}

/// The keys a case is counted under in each breakdown: its channel, its lead unit and
/// its mediator (by id), those it has.
pub fn dimensions(c: &Case) -> Vec<(Dimension, String)> {
    let mut out = vec![(Dimension::Channel, c.facts.channel.as_str().to_string())];
    if let Some(u) = c.lead_unit {
        out.push((Dimension::Unit, u.to_string()));
    }
    if let Some(m) = c.mediator {
        out.push((Dimension::Mediator, m.to_string()));
    }
    out
}

/// The counts a breakdown keeps for each channel, unit or mediator: a subset of
/// [`Counts`] that adds the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub registered: u64,
    pub closed: u64,
    pub resolved: u64,
    pub mediated_to_end: u64,
    pub closed_on_time: u64,
    pub closed_with_deadline: u64,
    pub dissatisfied: u64,
    pub close_work_days: u64,
}

/// The names of a tally's counters, in storage order.
pub const TALLY: [&str; 8] = [
    "registered",
    "closed",
    "resolved",
    "mediated_to_end",
    "closed_on_time",
    "closed_with_deadline",
    "dissatisfied",
    "close_work_days",
];

impl Tally {
    pub fn of(n: &Counts) -> Tally {
        Tally {
            registered: n.registered,
            closed: n.closed,
            resolved: n.resolved,
            mediated_to_end: n.mediated_to_end,
            closed_on_time: n.closed_on_time,
            closed_with_deadline: n.closed_with_deadline,
            dissatisfied: n.dissatisfied,
            close_work_days: n.close_work_days,
        }
    }

    pub fn to_array(&self) -> [u64; TALLY.len()] {
        [
            self.registered,
            self.closed,
            self.resolved,
            self.mediated_to_end,
            self.closed_on_time,
            self.closed_with_deadline,
            self.dissatisfied,
            self.close_work_days,
        ]
    }

    pub fn from_array(a: [u64; TALLY.len()]) -> Tally {
        Tally {
            registered: a[0],
            closed: a[1],
            resolved: a[2],
            mediated_to_end: a[3],
            closed_on_time: a[4],
            closed_with_deadline: a[5],
            dissatisfied: a[6],
            close_work_days: a[7],
        }
    }

    pub fn add(&mut self, o: &Tally) {
        let (a, b) = (self.to_array(), o.to_array());
        *self = Tally::from_array(std::array::from_fn(|i| a[i] + b[i]));
    }

    pub fn success_rate(&self) -> Option<f64> {
        rate(self.resolved, self.mediated_to_end)
    }

    pub fn on_time_rate(&self) -> Option<f64> {
        rate(self.closed_on_time, self.closed_with_deadline)
    }

    pub fn average_work_days(&self) -> Option<f64> {
        average(self.close_work_days, self.closed)
    }
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
    /// By channel (its code), lead unit and mediator (their ids), as they stand now.
    pub by_channel: BTreeMap<String, Tally>,
    pub by_unit: BTreeMap<String, Tally>,
    pub by_mediator: BTreeMap<String, Tally>,
}

/// The Monday of the week `t` falls in, in Asia/Shanghai.
pub fn week_of(t: Timestamp) -> Date {
    monday_of(crate::time::local_date(t))
}

/// The Monday of the week of `d`.
pub fn monday_of(d: Date) -> Date {
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
        if counts_as_open(c) {
            self.open_now += 1;
            if c.deadline.is_some_and(|d| d <= now) {
                self.overdue_now += 1;
            }
        }
        if let Some(child) = child {
            self.by_region.entry(child.to_string()).or_default().add(&n);
        }
        if n != Counts::default() {
            for (dim, key) in dimensions(c) {
                self.breakdown(dim)
                    .entry(key)
                    .or_default()
                    .add(&Tally::of(&n));
            }
        }
        self.counts.add(&n);
    }

    /// The breakdown by `dim`.
    pub fn breakdown(&mut self, dim: Dimension) -> &mut BTreeMap<String, Tally> {
        match dim {
            Dimension::Channel => &mut self.by_channel,
            Dimension::Unit => &mut self.by_unit,
            Dimension::Mediator => &mut self.by_mediator,
        }
    }
}
