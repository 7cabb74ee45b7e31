//! Screening (排查): the rounds grid workers, village cadres and mediators make on a
//! schedule — "一周一走访、一月一研判、一季度一汇总" — what each round found, and what
//! became of it: settled on the spot (就地化解), watched as a sign of trouble (苗头隐患),
//! or reported to the township and registered as a case (上报立案).
//!
//! Periods tile the calendar: every day belongs to exactly one week, month and quarter,
//! so a schedule's rounds are due once per period, and a period without a round once it
//! has ended is missed.

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::parse_date;
use crate::case::{MAX_DESCRIPTION_CHARS, text};
use crate::category::Category;
use crate::labelled_enum;
use crate::org::Role;
use crate::region::RegionCode;
use crate::{FieldError, FieldErrors};

labelled_enum! {
    /// How often a schedule's rounds come round.
    pub enum Cadence {
        Weekly = ("weekly", "一周一走访"),
        Monthly = ("monthly", "一月一研判"),
        Quarterly = ("quarterly", "一季度一汇总"),
    }
}

labelled_enum! {
    /// What a schedule screens (the reports' three kinds of screening).
    pub enum Focus {
        Households = ("households", "入户走访(群众关切)"),
        Enterprises = ("enterprises", "涉企排查"),
        KeyGroups = ("key_groups", "重点人群"),
    }
}

labelled_enum! {
    /// What became of a finding on the spot. A finding reported as a case is known by
    /// its case, whatever it said here.
    pub enum Outcome {
        Resolved = ("resolved", "就地化解"),
        Watch = ("watch", "苗头隐患·持续关注"),
        ToReport = ("to_report", "未能化解·待上报"),
    }
}

/// Who plans screening schedules, and who records rounds.
pub const PLANNERS: &[Role] = &[Role::Dispatcher, Role::Leader, Role::Admin];
pub const RECORDERS: &[Role] = &[
    Role::GridWorker,
    Role::Mediator,
    Role::Dispatcher,
    Role::Admin,
];

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_NOTES_CHARS: usize = 5_000;
pub const MAX_WHO_CHARS: usize = 200;
pub const MAX_FINDINGS_PER_ROUND: usize = 200;
/// Households or enterprises visited in one round, at most.
pub const MAX_VISITED: u32 = 100_000;

/// One week, month or quarter of a schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub cadence: Cadence,
    pub first: Date,
    pub last: Date,
}

impl Cadence {
    /// The period holding `d`.
    pub fn period(self, d: Date) -> Period {
        let (first, last) = match self {
            Cadence::Weekly => {
                let monday = d
                    .checked_sub(
                        jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())),
                    )
                    .expect("date in range");
                let sunday = monday
                    .checked_add(jiff::Span::new().days(6))
                    .expect("date in range");
                (monday, sunday)
            }
            Cadence::Monthly => (d.first_of_month(), d.last_of_month()),
            Cadence::Quarterly => {
                let q0 = (d.month() - 1) / 3;
                let first = Date::new(d.year(), q0 * 3 + 1, 1).expect("valid quarter start");
                let last = Date::new(d.year(), q0 * 3 + 3, 1)
                    .expect("valid quarter end")
                    .last_of_month();
                (first, last)
            }
        };
        Period {
            cadence: self,
            first,
            last,
        }
    }

    /// Parses a period's label (`2026-W49`, `2026-12`, `2026-Q4`), naming `field`.
    pub fn parse_period(self, field: &str, s: &str) -> Result<Period, FieldError> {
        let bad = || {
            let example = match self {
                Cadence::Weekly => "2026-W49",
                Cadence::Monthly => "2026-12",
                Cadence::Quarterly => "2026-Q4",
            };
            FieldError::new(
                field,
                "invalid_period",
                format!("“{s}”不是{}的周期,格式如{example}", self.label()),
            )
        };
        let (year, rest) = s.trim().split_once('-').ok_or_else(bad)?;
        let year: i16 = year.parse().map_err(|_| bad())?;
        if !(1900..=2999).contains(&year) {
            return Err(bad());
        }
        let number = |prefix: &str| -> Option<i8> {
            rest.strip_prefix(prefix)?
                .parse()
                .ok()
                .filter(|n: &i8| *n >= 1)
        };
        let day = match self {
            Cadence::Weekly => number("W")
                .and_then(|w| jiff::civil::ISOWeekDate::new(year, w, Weekday::Monday).ok())
                .map(|w| w.date()),
            Cadence::Monthly => number("").and_then(|m| Date::new(year, m, 1).ok()),
            Cadence::Quarterly => number("Q")
                .filter(|q| *q <= 4)
                .and_then(|q| Date::new(year, (q - 1) * 3 + 1, 1).ok()),
        };
        let period = self.period(day.ok_or_else(bad)?);
        // Only the canonical spelling names a period (no "2026-7" for "2026-07").
        if period.label() == s.trim() {
            Ok(period)
        } else {
            Err(bad())
        }
    }
}

impl Period {
    /// `2026-W49`, `2026-12` or `2026-Q4`.
    pub fn label(&self) -> String {
        match self.cadence {
            Cadence::Weekly => {
                let w = self.first.iso_week_date();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Cadence::Monthly => format!("{}-{:02}", self.first.year(), self.first.month()),
            Cadence::Quarterly => {
                format!(
                    "{}-Q{}",
                    self.first.year(),
                    (self.first.month() - 1) / 3 + 1
                )
            }
        }
    }

    pub fn next(&self) -> Period {
        self.cadence
            .period(self.last.tomorrow().expect("date in range"))
    }

    pub fn contains(&self, d: Date) -> bool {
        self.first <= d && d <= self.last
    }
}

/// The periods from the one holding `from` through the one holding `through`, in order.
pub fn periods(cadence: Cadence, from: Date, through: Date) -> Vec<Period> {
    let mut out = Vec::new();
    let mut p = cadence.period(from);
    while p.first <= through {
        out.push(p);
        p = p.next();
    }
    out
}

/// Where a schedule stands for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundState {
    /// A round was held; `late` when recorded for a period already over (补录).
    Done { held_on: Date, late: bool },
    /// The current period, not yet screened: due by its last day.
    Due { by: Date },
    /// Over, and nobody screened it.
    Missed,
}

impl RoundState {
    pub fn label(&self) -> &'static str {
        match self {
            RoundState::Done { late: false, .. } => "已完成",
            RoundState::Done { late: true, .. } => "已补录",
            RoundState::Due { .. } => "待完成",
            RoundState::Missed => "未排查",
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            RoundState::Done { late: false, .. } => "done",
            RoundState::Done { late: true, .. } => "late",
            RoundState::Due { .. } => "due",
            RoundState::Missed => "missed",
        }
    }
}

/// The state of `period` given the day its round was held, if any, seen on `today`.
pub fn round_state(period: &Period, held_on: Option<Date>, today: Date) -> RoundState {
    match held_on {
        Some(d) => RoundState::Done {
            held_on: d,
            late: d > period.last,
        },
        None if today > period.last => RoundState::Missed,
        None => RoundState::Due { by: period.last },
    }
}

/// A new schedule as sent by a planner.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// The grid, village or township screened (12-digit code).
    #[schema(example = "331125003002")]
    pub region: String,
    pub cadence: Cadence,
    pub focus: Focus,
    pub title: String,
    /// The staff user who screens it (usually the grid worker); default: nobody named.
    #[serde(default)]
    pub assignee: Option<i64>,
    /// YYYY-MM-DD, default today; the first period due is the one holding it.
    #[serde(default)]
    pub starts_on: Option<String>,
}

/// A schedule's facts, all valid.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSchedule {
    pub region: RegionCode,
    pub cadence: Cadence,
    pub focus: Focus,
    pub title: String,
    pub assignee: Option<i64>,
    pub starts_on: Date,
}

impl ScheduleInput {
    pub fn validate(self, today: Date) -> Result<NewSchedule, FieldErrors> {
        let mut errs = FieldErrors::default();
        let region = errs.take(RegionCode::parse("region", &self.region));
        let title = errs.take(text("title", &self.title, MAX_TITLE_CHARS, true));
        let starts_on = match self.starts_on.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => errs.take(parse_date("starts_on", s).and_then(|d| starting(d, today))),
            None => Some(today),
        };
        errs.into_result()?;
        Ok(NewSchedule {
            region: region.expect("checked"),
            cadence: self.cadence,
            focus: self.focus,
            title: title.expect("checked"),
            assignee: self.assignee,
            starts_on: starts_on.expect("checked"),
        })
    }
}

/// A schedule starts this century and at most a year from today: its periods are counted
/// from its start to today, and a start far off is a mistyped year.
fn starting(d: Date, today: Date) -> Result<Date, FieldError> {
    let earliest = Date::new(2000, 1, 1).expect("valid date");
    let latest = today
        .checked_add(jiff::Span::new().years(1))
        .unwrap_or(today);
    if d < earliest || d > latest {
        return Err(FieldError::new(
            "starts_on",
            "out_of_range",
            format!("开始日期应在2000-01-01到{latest}之间"),
        ));
    }
    Ok(d)
}

/// One thing a round found, as sent.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// Where (default: the schedule's region); inside the schedule's region.
    #[serde(default)]
    pub region: Option<String>,
    pub category: Category,
    pub description: String,
    /// Who is involved, as the ledger says it (e.g. 村民张某与李某); no ID numbers.
    #[serde(default)]
    pub who: Option<String>,
    pub outcome: Outcome,
}

/// A round as recorded: when, how many were visited, notes, and its findings.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    /// YYYY-MM-DD, not in the future.
    pub held_on: String,
    /// The period screened (2026-W49, 2026-12, 2026-Q4); default the one holding
    /// `held_on`. An earlier period may be filled late (补录).
    #[serde(default)]
    pub period: Option<String>,
    /// Households or enterprises visited.
    #[serde(default)]
    pub visited: u32,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewFinding {
    pub region: RegionCode,
    pub category: Category,
    pub description: String,
    pub who: String,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRound {
    pub period: Period,
    pub held_on: Date,
    pub visited: u32,
    pub notes: String,
    pub findings: Vec<NewFinding>,
}

/// What a round is checked against: its schedule.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleRef<'a> {
    pub region: &'a RegionCode,
    pub cadence: Cadence,
    pub starts_on: Date,
}

impl FindingInput {
    /// Checks one finding; `at` prefixes the fields it names (`findings[2].`).
    pub fn validate(
        self,
        at: &str,
        within: &RegionCode,
        errs: &mut FieldErrors,
    ) -> Option<NewFinding> {
        let field = |f: &str| format!("{at}{f}");
        let region = match self.region.as_deref().filter(|s| !s.trim().is_empty()) {
            None => Some(*within),
            Some(r) => errs
                .take(RegionCode::parse(&field("region"), r))
                .and_then(|r| {
                    if within.contains(&r) {
                        Some(r)
                    } else {
                        errs.push(FieldError::new(
                            field("region"),
                            "outside_schedule",
                            format!("{r}不在本排查计划的区划{within}之内"),
                        ));
                        None
                    }
                }),
        };
        let description = errs.take(text(
            &field("description"),
            &self.description,
            MAX_DESCRIPTION_CHARS,
            true,
        ));
        let who = errs.take(text(
            &field("who"),
            self.who.as_deref().unwrap_or(""),
            MAX_WHO_CHARS,
            false,
        ));
        Some(NewFinding {
            region: region?,
            category: self.category,
            description: description?,
            who: who?,
            outcome: self.outcome,
        })
    }
}

impl RoundInput {
    /// Checks every field against the schedule and reports every fault at once.
    pub fn validate(self, schedule: ScheduleRef<'_>, today: Date) -> Result<NewRound, FieldErrors> {
        let mut errs = FieldErrors::default();
        let held_on = errs
            .take(parse_date("held_on", &self.held_on))
            .and_then(|d| {
                if d > today {
                    errs.push(FieldError::new(
                        "held_on",
                        "in_future",
                        "排查日期不能晚于今天",
                    ));
                    None
                } else {
                    Some(d)
                }
            });
        let period = match (
            self.period.as_deref().filter(|s| !s.trim().is_empty()),
            held_on,
        ) {
            (Some(p), _) => errs.take(schedule.cadence.parse_period("period", p)),
            (None, Some(d)) => Some(schedule.cadence.period(d)),
            (None, None) => None,
        };
        if let (Some(p), Some(d)) = (period, held_on) {
            let first_due = schedule.cadence.period(schedule.starts_on);
            if p < first_due {
                errs.push(FieldError::new(
                    "period",
                    "before_schedule",
                    format!(
                        "排查计划自{}开始,没有{}这一期",
                        schedule.starts_on,
                        p.label()
                    ),
                ));
            } else if d < p.first {
                errs.push(FieldError::new(
                    "held_on",
                    "before_period",
                    format!("排查日期早于{}这一期({}起)", p.label(), p.first),
                ));
            }
        }
        if self.visited > MAX_VISITED {
            errs.push(FieldError::new(
                "visited",
                "out_of_range",
                format!("走访户数不能超过{MAX_VISITED}"),
            ));
        }
        let notes = errs.take(text(
            "notes",
            self.notes.as_deref().unwrap_or(""),
            MAX_NOTES_CHARS,
            false,
        ));
        if self.findings.len() > MAX_FINDINGS_PER_ROUND {
            errs.push(FieldError::new(
                "findings",
                "too_many",
                format!("一次排查最多记录{MAX_FINDINGS_PER_ROUND}条发现"),
            ));
        }
        let findings: Vec<Option<NewFinding>> = self
            .findings
            .into_iter()
            .enumerate()
            .map(|(i, f)| f.validate(&format!("findings[{i}]."), schedule.region, &mut errs))
            .collect();
        errs.into_result()?;
        Ok(NewRound {
            period: period.expect("checked"),
            held_on: held_on.expect("checked"),
            visited: self.visited,
            notes: notes.expect("checked"),
            findings: findings.into_iter().map(|f| f.expect("checked")).collect(),
        })
    }
}

/// A region's screening over a span: rounds due and held, and what they found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Tally {
    /// Periods that ended in the span, one per schedule and period.
    pub expected: u64,
    /// Of those, screened in time.
    pub done: u64,
    /// Of those, filled late (补录).
    pub late: u64,
    /// Of those, never screened.
    pub missed: u64,
    pub findings: u64,
    pub resolved: u64,
    pub watch: u64,
    /// Not settled on the spot and not yet registered.
    pub to_report: u64,
    /// Registered as cases.
    pub reported: u64,
}

impl Tally {
    /// Counts one ended period's state.
    pub fn add_round(&mut self, state: RoundState) {
        self.expected += 1;
        match state {
            RoundState::Done { late: false, .. } => self.done += 1,
            RoundState::Done { late: true, .. } => self.late += 1,
            RoundState::Missed | RoundState::Due { .. } => self.missed += 1,
        }
    }

    /// Counts `n` findings of one outcome; `reported` when they became cases.
    pub fn add_findings(&mut self, outcome: Outcome, reported: bool, n: u64) {
        self.findings += n;
        *match (reported, outcome) {
            (true, _) => &mut self.reported,
            (false, Outcome::Resolved) => &mut self.resolved,
            (false, Outcome::Watch) => &mut self.watch,
            (false, Outcome::ToReport) => &mut self.to_report,
        } += n;
    }

    /// The share of ended periods screened in time.
    pub fn on_schedule_rate(&self) -> Option<f64> {
        ratio(self.done, self.expected)
    }

    /// The share of disputes found that were settled on the spot (现场调解成功率):
    /// signs of trouble being watched are not disputes yet.
    pub fn on_site_rate(&self) -> Option<f64> {
        ratio(
            self.resolved,
            self.resolved + self.to_report + self.reported,
        )
    }
}

impl Tally {
    /// The tally as the ledger, the dashboard and the monthly report say it.
    pub fn sentence(&self) -> String {
        let pct = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{:.1}%", r * 100.0));
        format!(
            "排查应开展{}期,按期{}期、补录{}期、漏查{}期,按期排查率{};发现矛盾纠纷及隐患{}件,\
             就地化解{}件、上报立案{}件、待上报{}件、持续关注{}件,现场化解率{}。",
            self.expected,
            self.done,
            self.late,
            self.missed,
            pct(self.on_schedule_rate()),
            self.findings,
            self.resolved,
            self.reported,
            self.to_report,
            self.watch,
            pct(self.on_site_rate()),
        )
    }
}

fn ratio(n: u64, d: u64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn periods_are_the_weeks_months_and_quarters_people_say() {
        let d = date("2026-12-05"); // a Saturday
        let w = Cadence::Weekly.period(d);
        assert_eq!((w.first, w.last), (date("2026-11-30"), date("2026-12-06")));
        assert_eq!(w.label(), "2026-W49");
        assert_eq!(Cadence::Monthly.period(d).label(), "2026-12");
        let q = Cadence::Quarterly.period(d);
        assert_eq!((q.first, q.last), (date("2026-10-01"), date("2026-12-31")));
        assert_eq!(q.label(), "2026-Q4");
        // 1 January 2027 is a Friday of ISO week 53 of 2026.
        assert_eq!(
            Cadence::Weekly.period(date("2027-01-01")).label(),
            "2026-W53"
        );
    }

    #[test]
    fn labels_parse_back_and_bad_ones_say_why() {
        for (c, s) in [
            (Cadence::Weekly, "2026-W01"),
            (Cadence::Monthly, "2026-02"),
            (Cadence::Quarterly, "2026-Q1"),
        ] {
            assert_eq!(c.parse_period("period", s).unwrap().label(), s);
        }
        for (c, s) in [
            (Cadence::Weekly, "2026-W60"),
            (Cadence::Monthly, "2026-13"),
            (Cadence::Monthly, "2026-7"),
            (Cadence::Quarterly, "2026-Q5"),
            (Cadence::Quarterly, "2026-12"),
        ] {
            let e = c.parse_period("period", s).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("period", "invalid_period"));
        }
    }

    #[test]
    fn a_period_is_due_then_missed_unless_screened() {
        let p = Cadence::Weekly.period(date("2026-12-02"));
        assert_eq!(
            round_state(&p, None, date("2026-12-05")),
            RoundState::Due {
                by: date("2026-12-06")
            }
        );
        assert_eq!(
            round_state(&p, None, date("2026-12-07")),
            RoundState::Missed
        );
        let late = round_state(&p, Some(date("2026-12-08")), date("2026-12-09"));
        assert_eq!(late.code(), "late");
    }

    fn schedule(region: &RegionCode) -> ScheduleRef<'_> {
        ScheduleRef {
            region,
            cadence: Cadence::Monthly,
            starts_on: date("2026-10-15"),
        }
    }

    fn finding(region: Option<&str>, description: &str) -> FindingInput {
        FindingInput {
            region: region.map(str::to_string),
            category: Category::Neighbor,
            description: description.into(),
            who: Some("村民张某与李某".into()),
            outcome: Outcome::Resolved,
        }
    }

    #[test]
    fn a_round_is_checked_against_its_schedule() {
        let township = RegionCode::parse("r", "331125003000").unwrap();
        let ok = RoundInput {
            held_on: "2026-12-03".into(),
            period: None,
            visited: 32,
            notes: None,
            findings: vec![finding(Some("331125003002"), "两户因排水沟堵塞争吵")],
        }
        .validate(schedule(&township), date("2026-12-05"))
        .unwrap();
        assert_eq!(ok.period.label(), "2026-12");
        assert_eq!(ok.findings[0].region.as_str(), "331125003002");

        let bad = RoundInput {
            held_on: "2026-12-09".into(),
            period: Some("2026-09".into()),
            visited: 0,
            notes: None,
            findings: vec![finding(Some("331125004001"), " ")],
        }
        .validate(schedule(&township), date("2026-12-05"))
        .unwrap_err();
        let fields: Vec<(&str, &str)> = bad.0.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("held_on", "in_future"),
                ("findings[0].region", "outside_schedule"),
                ("findings[0].description", "required"),
            ]
        );
        let early = RoundInput {
            held_on: "2026-11-20".into(),
            period: Some("2026-09".into()),
            visited: 0,
            notes: None,
            findings: vec![],
        }
        .validate(schedule(&township), date("2026-12-05"))
        .unwrap_err();
        assert_eq!(early.0[0].code, "before_schedule");
    }

    #[test]
    fn a_schedule_starting_centuries_away_is_refused() {
        let input = |starts: &str| ScheduleInput {
            region: "331125003000".into(),
            cadence: Cadence::Weekly,
            focus: Focus::Households,
            title: "每周走访".into(),
            assignee: None,
            starts_on: Some(starts.into()),
        };
        let today = date("2026-12-05");
        for far in ["9999-12-31", "1900-01-01"] {
            let e = input(far).validate(today).unwrap_err();
            assert_eq!(
                (e.0[0].field.as_str(), e.0[0].code),
                ("starts_on", "out_of_range")
            );
        }
        assert!(input("2027-03-01").validate(today).is_ok());
    }

    #[test]
    fn the_tally_counts_disputes_settled_on_the_spot() {
        let mut t = Tally::default();
        t.add_findings(Outcome::Resolved, false, 11);
        t.add_findings(Outcome::ToReport, true, 1);
        t.add_findings(Outcome::Watch, false, 1);
        assert_eq!(
            (t.findings, t.resolved, t.reported, t.watch),
            (13, 11, 1, 1)
        );
        assert_eq!(t.on_site_rate(), Some(11.0 / 12.0));
        t.add_round(RoundState::Missed);
        t.add_round(RoundState::Done {
            held_on: date("2026-12-01"),
            late: false,
        });
        assert_eq!(t.on_schedule_rate(), Some(0.5));
        assert!(
            t.sentence().contains("漏查1期,按期排查率50.0%"),
            "{}",
            t.sentence()
        );
        assert!(t.sentence().contains("现场化解率91.7%"), "{}", t.sentence());
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (0i64..20_000).prop_map(|n| {
            date("1990-01-01")
                .checked_add(jiff::Span::new().days(n))
                .unwrap()
        })
    }

    fn any_cadence() -> impl Strategy<Value = Cadence> {
        prop::sample::select(Cadence::ALL.to_vec())
    }

    proptest! {
        /// Every day lies in its period, and the period's label names it again.
        #[test]
        fn each_day_lies_in_one_period_named_by_its_label(d in any_date(), c in any_cadence()) {
            let p = c.period(d);
            prop_assert!(p.contains(d));
            prop_assert_eq!(c.period(p.first), p);
            prop_assert_eq!(c.period(p.last), p);
            prop_assert_eq!(c.parse_period("period", &p.label()).unwrap(), p);
        }

        /// Consecutive periods meet without a gap or an overlap.
        #[test]
        fn periods_tile_the_calendar(from in any_date(), n in 0i64..400, c in any_cadence()) {
            let through = from.checked_add(jiff::Span::new().days(n)).unwrap();
            let ps = periods(c, from, through);
            prop_assert!(ps[0].contains(from));
            prop_assert!(ps.last().unwrap().contains(through));
            for w in ps.windows(2) {
                prop_assert_eq!(w[0].last.tomorrow().unwrap(), w[1].first);
            }
        }
    }
}
