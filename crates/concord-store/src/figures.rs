//! The figures of a region and period (docs/figures.md), kept per day and place in
//! `figure_days` as cases move, so that a leader's dashboard reads a few hundred summed
//! rows instead of every case. What a case adds is defined once, in the domain
//! (`concord_domain::figures::contributions`); this module stores it.

use std::collections::BTreeMap;

use concord_domain::case::{Case, Outcome};
use concord_domain::category::Category;
use concord_domain::figures::{
    COUNTERS, Counts, Dimension, Figures, TALLY, Tally, contributions, counts_as_open, dimensions,
    monday_of,
};
use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::time::to_micros;
use jiff::Timestamp;
use jiff::civil::Date;

use crate::args::{Arg, Args, Marks, bind_all};
use crate::bulk::statements;
use crate::list::{Where, region_clause, township_key};
use crate::{Store, StoreError, with_db};

const N: usize = COUNTERS.len();
const T: usize = TALLY.len();

/// The key of one row of `figure_days`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    scope: String,
    day: i64,
    child: String,
}

/// The key of one row of `figure_day_categories`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CategoryKey {
    scope: String,
    day: i64,
    category: &'static str,
}

/// The key of one row of `figure_day_breakdowns`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct BreakdownKey {
    scope: String,
    day: i64,
    dim: Dimension,
    key: String,
}

/// One counter per (scope, number) with the scope's depth.
type ScopeCounts = BTreeMap<(String, i64), (&'static str, i64)>;

/// Changes to the kept figures (`figure_days`, `figure_day_categories`,
/// `figure_day_breakdowns`, `figure_weeks`, `figure_open`) and to the mediators' records,
/// merged by row so that one statement never touches a row twice (PostgreSQL refuses
/// that).
#[derive(Debug, Default)]
pub(crate) struct Rollup {
    days: BTreeMap<Key, (&'static str, [i64; N])>,
    categories: BTreeMap<CategoryKey, (&'static str, i64)>,
    breakdowns: BTreeMap<BreakdownKey, (&'static str, [i64; T])>,
    /// Registrations per (scope, Monday).
    weeks: ScopeCounts,
    /// Cases open now per (scope, the day of their deadline; 0 for none).
    open: ScopeCounts,
    /// Per mediator: cases closed with an outcome, agreements among them.
    mediators: BTreeMap<i64, (i64, i64)>,
}

impl Rollup {
    /// What moving a case from `old` (None: a new case) to `new` changes.
    pub(crate) fn of_move(old: Option<&Case>, new: &Case) -> Self {
        let mut r = Rollup::default();
        if let Some(old) = old {
            r.add(old, -1);
        }
        r.add(new, 1);
        r
    }

    pub(crate) fn of_cases<'a>(cases: impl IntoIterator<Item = &'a Case>) -> Self {
        let mut r = Rollup::default();
        for c in cases {
            r.add(c, 1);
        }
        r
    }

    /// What open cases add to `figure_open` alone (to fill it for an older database).
    fn of_open_cases<'a>(cases: impl IntoIterator<Item = &'a Case>) -> Self {
        let mut r = Rollup::default();
        for c in cases {
            r.add_open(c, &places(&c.facts.region), 1);
        }
        r
    }

    /// An open case counts in each of its places by the day of its deadline.
    fn add_open(&mut self, c: &Case, places: &[(String, &'static str, String)], sign: i64) {
        if !counts_as_open(c) {
            return;
        }
        let day = c
            .deadline
            .map_or(0, |d| day_number(concord_domain::time::local_date(d)));
        for (scope, depth, _) in places {
            bump(&mut self.open, scope, depth, day, sign);
        }
    }

    /// Adds (sign 1) or takes away (sign -1) what a case adds to each day and place,
    /// and to its mediator's record.
    pub(crate) fn add(&mut self, c: &Case, sign: i64) {
        let places = places(&c.facts.region);
        self.add_open(c, &places, sign);
        let dims = dimensions(c);
        for (day, counts) in contributions(c) {
            let n = counts.to_array();
            let t = Tally::of(&counts).to_array();
            for (scope, depth, child) in &places {
                if counts.registered > 0 {
                    bump(
                        &mut self.weeks,
                        scope,
                        depth,
                        day_number(monday_of(day)),
                        sign,
                    );
                }
                // Every row is kept by day, by month and by year (see `spans`).
                for at in [day_number(day), month_number(day), year_number(day)] {
                    let key = Key {
                        scope: scope.clone(),
                        day: at,
                        child: child.clone(),
                    };
                    let row = self.days.entry(key).or_insert((depth, [0; N]));
                    for (sum, x) in row.1.iter_mut().zip(n) {
                        *sum += sign * x as i64;
                    }
                    if counts.registered > 0 {
                        let key = CategoryKey {
                            scope: scope.clone(),
                            day: at,
                            category: c.facts.category.as_str(),
                        };
                        self.categories.entry(key).or_insert((depth, 0)).1 += sign;
                    }
                    for (dim, key) in &dims {
                        let key = BreakdownKey {
                            scope: scope.clone(),
                            day: at,
                            dim: *dim,
                            key: key.clone(),
                        };
                        let row = self.breakdowns.entry(key).or_insert((depth, [0; T]));
                        for (sum, x) in row.1.iter_mut().zip(t) {
                            *sum += sign * x as i64;
                        }
                    }
                }
            }
        }
        if let (Some(m), Some(o)) = (c.mediator, c.outcome) {
            let agreed = matches!(o, Outcome::Agreement | Outcome::AgreementConfirmed);
            let rec = self.mediators.entry(m).or_default();
            rec.0 += sign;
            rec.1 += sign * i64::from(agreed);
        }
    }

    /// The upserts, without the rows whose changes cancel out.
    pub(crate) fn statements(self, marks: Marks) -> Vec<(String, Args)> {
        let days = self
            .days
            .into_iter()
            .filter(|(_, (_, n))| n.iter().any(|x| *x != 0))
            .map(|(k, (depth, n))| {
                let key = [
                    Arg::Text(k.scope),
                    Arg::Text(depth.into()),
                    Arg::Text(k.child),
                    Arg::Int(k.day),
                ];
                with_counts(key, &n)
            });
        let mut out = adding(
            marks,
            (
                "figure_days",
                "scope, depth, child, day",
                "scope, day, child",
            ),
            &COUNTERS,
            days,
        );
        let categories = self
            .categories
            .into_iter()
            .filter(|(_, (_, n))| *n != 0)
            .map(|(k, (depth, n))| {
                let key = [
                    Arg::Text(k.scope),
                    Arg::Text(depth.into()),
                    Arg::Int(k.day),
                    Arg::Text(k.category.into()),
                ];
                with_counts(key, &[n])
            });
        out.extend(adding(
            marks,
            (
                "figure_day_categories",
                "scope, depth, day, category",
                "scope, day, category",
            ),
            &["registered"],
            categories,
        ));
        let breakdowns = self
            .breakdowns
            .into_iter()
            .filter(|(_, (_, n))| n.iter().any(|x| *x != 0))
            .map(|(k, (depth, n))| {
                let key = [
                    Arg::Text(k.scope),
                    Arg::Text(depth.into()),
                    Arg::Int(k.day),
                    Arg::Text(k.dim.as_str().into()),
                    Arg::Text(k.key),
                ];
                with_counts(key, &n)
            });
        out.extend(adding(
            marks,
            (
                "figure_day_breakdowns",
                "scope, depth, day, dim, key",
                "scope, day, dim, key",
            ),
            &TALLY,
            breakdowns,
        ));
        out.extend(per_scope(
            marks,
            self.weeks,
            ("figure_weeks", "week", "registered"),
        ));
        out.extend(per_scope(
            marks,
            self.open,
            ("figure_open", "deadline_day", "open_cases"),
        ));
        let mediators = self
            .mediators
            .into_iter()
            .filter(|(_, (c, a))| *c != 0 || *a != 0)
            .map(|(m, (c, a))| vec![Arg::Int(m), Arg::Int(c), Arg::Int(a)]);
        out.extend(statements(
            marks,
            "INSERT INTO mediator_records (mediator_id, closed, agreements) VALUES ",
            " ON CONFLICT (mediator_id) DO UPDATE SET closed = mediator_records.closed + excluded.closed,
              agreements = mediator_records.agreements + excluded.agreements",
            mediators,
        ));
        out
    }
}

/// The upserts of a one-counter table kept per scope and a number (`figure_weeks`,
/// `figure_open`): its name, the number's column and the counter's.
fn per_scope(
    marks: Marks,
    rows: ScopeCounts,
    (table, number, counter): (&str, &str, &str),
) -> Vec<(String, Args)> {
    let rows = rows
        .into_iter()
        .filter(|(_, (_, n))| *n != 0)
        .map(|((scope, at), (depth, n))| {
            let key = [Arg::Text(scope), Arg::Text(depth.into()), Arg::Int(at)];
            with_counts(key, &[n])
        });
    adding(
        marks,
        (
            table,
            &format!("scope, depth, {number}"),
            &format!("scope, {number}"),
        ),
        &[counter],
        rows,
    )
}

/// Adds `sign` to the row of `scope` and `at` in a one-counter table.
fn bump(rows: &mut ScopeCounts, scope: &str, depth: &'static str, at: i64, sign: i64) {
    rows.entry((scope.to_string(), at)).or_insert((depth, 0)).1 += sign;
}

/// A row's key columns followed by its counters.
fn with_counts<const K: usize>(key: [Arg; K], n: &[i64]) -> Vec<Arg> {
    key.into_iter()
        .chain(n.iter().map(|x| Arg::Int(*x)))
        .collect()
}

/// Upserts into `table` (its key columns, and the columns a conflict is on) that add each
/// row's `counters` to what the row holds.
fn adding(
    marks: Marks,
    (table, keys, conflict): (&str, &str, &str),
    counters: &[&str],
    rows: impl IntoIterator<Item = Vec<Arg>>,
) -> Vec<(String, Args)> {
    let sets: Vec<String> = counters
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    statements(
        marks,
        &format!(
            "INSERT INTO {table} ({keys}, {}) VALUES ",
            counters.join(", ")
        ),
        &format!(
            " ON CONFLICT ({conflict}) DO UPDATE SET {}",
            sets.join(", ")
        ),
        rows,
    )
}

/// Runs a rollup's statements on `$conn` inside the caller's transaction.
macro_rules! apply_rollup {
    ($conn:expr, $stmts:expr) => {{
        for (sql, args) in $stmts {
            $crate::args::bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), &args.0)
                .execute(&mut *$conn)
                .await?;
        }
    }};
}
pub(crate) use apply_rollup;

/// Which rows of `scope` a figure query reads: a county's, township's or village's own;
/// above the county, the sum of its counties' (and any of its own).
fn scope_cond(args: &mut Args, scope: &RegionCode) -> String {
    if scope.level() < RegionLevel::County {
        let l = scope.level().prefix_len();
        let lo = args.push(Arg::Text(scope.as_str()[..l].to_string()));
        let hi = args.push(Arg::Text(format!("{}~", &scope.as_str()[..l])));
        let own = args.push(Arg::Text(scope.as_str().to_string()));
        format!("((depth = 'county' AND scope >= {lo} AND scope < {hi}) OR scope = {own})")
    } else {
        format!("scope = {}", args.push(Arg::Text(scope.as_str().into())))
    }
}

/// November 2026 as 202611: a month's row, which sorts before every day row, so that a
/// range of days never takes one in.
pub(crate) fn month_number(d: Date) -> i64 {
    i64::from(d.year()) * 100 + i64::from(d.month())
}

/// 2026 as 2026: a year's row, which sorts before every month and day row.
fn year_number(d: Date) -> i64 {
    i64::from(d.year())
}

/// The rows of a kept table whose `day` is in [lo, hi), added (sign 1) or taken away (-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    lo: i64,
    hi: i64,
    sign: i64,
}

/// What a row stands for: a day, a month or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grain {
    Day,
    Month,
    Year,
}

/// Rows of one grain for the days [from, to) (whole months or years for those grains),
/// with a sign.
#[derive(Debug, Clone, Copy)]
struct Piece {
    grain: Grain,
    from: Date,
    to: Date,
    sign: i64,
}

/// A way of reading a period: pieces, and about how many rows per key they read (days,
/// months and years up to `today`: later ones hold nothing yet).
#[derive(Debug, Default)]
struct Plan {
    pieces: Vec<Piece>,
    cost: i64,
}

impl Plan {
    fn piece(grain: Grain, from: Date, to: Date, today: Date) -> Plan {
        if from >= to {
            return Plan::default();
        }
        let end = to.min(today.tomorrow().unwrap_or(today));
        let mut cost = 0;
        let mut d = from;
        while d < end {
            cost += 1;
            d = next(grain, d).unwrap_or(end);
        }
        Plan {
            pieces: vec![Piece {
                grain,
                from,
                to,
                sign: 1,
            }],
            cost,
        }
    }

    fn and(mut self, other: Plan, sign: i64) -> Plan {
        self.pieces.extend(other.pieces.into_iter().map(|mut p| {
            p.sign *= sign;
            p
        }));
        self.cost += other.cost;
        self
    }

    fn cheaper(self, other: Plan) -> Plan {
        if other.cost < self.cost { other } else { self }
    }
}

/// The first day of the next day, month or year after `d`.
fn next(grain: Grain, d: Date) -> Option<Date> {
    match grain {
        Grain::Day => d.tomorrow().ok(),
        Grain::Month => d.last_of_month().tomorrow().ok(),
        Grain::Year => d.last_of_year().tomorrow().ok(),
    }
}

/// [a, b) within one month or one year (`grain`): read by `parts`, or as the whole month
/// or year less the parts outside, whichever reads fewer rows.
fn within(
    grain: Grain,
    a: Date,
    b: Date,
    today: Date,
    parts: fn(Date, Date, Date) -> Plan,
) -> Plan {
    if a >= b {
        return Plan::default();
    }
    let first = match grain {
        Grain::Day => a,
        Grain::Month => a.first_of_month(),
        Grain::Year => a.first_of_year(),
    };
    let after = next(grain, a).unwrap_or(b);
    if a == first && b == after {
        return Plan::piece(grain, a, b, today);
    }
    let outside = Plan::piece(grain, first, after, today)
        .and(parts(first, a, today), -1)
        .and(parts(b, after, today), -1);
    parts(a, b, today).cheaper(outside)
}

/// [a, b) within one month: its days, or the whole month less the days outside.
fn within_month(a: Date, b: Date, today: Date) -> Plan {
    within(Grain::Month, a, b, today, |a, b, today| {
        Plan::piece(Grain::Day, a, b, today)
    })
}

/// [a, b) within one year by its whole months and the parts of months at its ends.
fn by_months(a: Date, b: Date, today: Date) -> Plan {
    if a >= b {
        return Plan::default();
    }
    let after_a = next(Grain::Month, a).unwrap_or(b);
    if b <= after_a {
        return within_month(a, b, today);
    }
    let whole_from = if a.day() == 1 { a } else { after_a };
    let whole_to = b.first_of_month();
    within_month(a, whole_from, today)
        .and(Plan::piece(Grain::Month, whole_from, whole_to, today), 1)
        .and(within_month(whole_to, b, today), 1)
}

/// [a, b) within one year: by months, or the whole year less what lies outside.
fn within_year(a: Date, b: Date, today: Date) -> Plan {
    within(Grain::Year, a, b, today, by_months)
}

/// The signed ranges of a kept table's `day` whose rows sum to the days [from, to): by
/// year, month and day, each year and month read whole (less the days outside the
/// period) when that reads fewer rows. A year to date is then the year's rows less the
/// days after today (none yet): a few hundred rows for a county instead of thousands.
fn spans(from: Date, to: Date, today: Date) -> Vec<Span> {
    let mut plan = Plan::default();
    let mut a = from;
    while a < to {
        let b = next(Grain::Year, a).unwrap_or(to).min(to);
        plan = plan.and(within_year(a, b, today), 1);
        a = b;
    }
    let number = |grain: Grain, d: Date| match grain {
        Grain::Day => day_number(d),
        Grain::Month => month_number(d),
        Grain::Year => year_number(d),
    };
    let mut out: Vec<Span> = Vec::new();
    for p in plan.pieces.into_iter().filter(|p| p.from < p.to) {
        // A piece ends at the first day after it; its last row is the one before.
        let lo = number(p.grain, p.from);
        let hi = match p.grain {
            Grain::Day => day_number(p.to),
            _ => number(p.grain, p.to.yesterday().unwrap_or(p.to)) + 1,
        };
        match out.last_mut() {
            Some(last) if last.hi == lo && last.sign == p.sign => last.hi = hi,
            _ => out.push(Span {
                lo,
                hi,
                sign: p.sign,
            }),
        }
    }
    if out.is_empty() {
        // An empty period still reads (nothing), so that its statement is well formed.
        let at = day_number(from);
        out.push(Span {
            lo: at,
            hi: at,
            sign: 1,
        });
    }
    out
}

/// The registrations of `scope` on the days [from, to), as rows (day, registered): the
/// weeks wholly inside from `figure_weeks` (keyed by their Monday), the days at its ends
/// from `figure_days`.
fn weeks(scope: &RegionCode, from: Date, to: Date) -> (String, Args) {
    let mut args = Args::new(Marks::Numbered);
    let week = jiff::Span::new().days(7);
    let mut first = monday_of(from);
    if first < from {
        first = first.checked_add(week).unwrap_or(to);
    }
    let last = monday_of(to).max(first);
    let mut range = |table: &str, column: &str, a: Date, b: Date| {
        let cond = scope_cond(&mut args, scope);
        let (a, b) = (
            args.push(Arg::Int(day_number(a))),
            args.push(Arg::Int(day_number(b.max(a)))),
        );
        format!(
            "SELECT {column} AS day, registered FROM {table} WHERE {cond} AND {column} >= {a} AND {column} < {b}"
        )
    };
    let sql = [
        range("figure_days", "day", from, first.min(to)),
        range("figure_weeks", "week", first, last),
        range("figure_days", "day", last.max(from), to),
    ]
    .join(" UNION ALL ");
    (sql, args)
}

/// 2026-11-25 as 20261125.
pub(crate) fn day_number(d: Date) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

fn day_of_number(n: i64) -> Option<Date> {
    Date::new((n / 10_000) as i16, (n / 100 % 100) as i8, (n % 100) as i8).ok()
}

fn depth(l: RegionLevel) -> &'static str {
    match l {
        RegionLevel::Province => "province",
        RegionLevel::City => "city",
        RegionLevel::County => "county",
        RegionLevel::Township => "township",
        RegionLevel::Village => "village",
    }
}

/// The rows a case in `region` is counted in: (scope, depth, child) for its county,
/// township and village, each with the region below it that the case came through (the
/// region itself at its own level). Above the county, the counties' rows are summed when
/// asked, so that no row is shared by a whole province's writes.
fn places(region: &RegionCode) -> Vec<(String, &'static str, String)> {
    let own = region.level();
    if own < RegionLevel::County {
        let r = region.as_str().to_string();
        return vec![(r.clone(), depth(own), r)];
    }
    let levels = [
        RegionLevel::County,
        RegionLevel::Township,
        RegionLevel::Village,
    ];
    levels
        .iter()
        .filter(|l| **l <= own)
        .filter_map(|&l| {
            let scope = region.ancestor(l)?;
            let child = match next_level(l).filter(|n| *n <= own) {
                Some(n) => region.ancestor(n)?,
                None => *region,
            };
            Some((
                scope.as_str().to_string(),
                depth(l),
                child.as_str().to_string(),
            ))
        })
        .collect()
}

/// The level one below `l`, whose regions the breakdown is by.
fn next_level(l: RegionLevel) -> Option<RegionLevel> {
    match l {
        RegionLevel::Province => Some(RegionLevel::City),
        RegionLevel::City => Some(RegionLevel::County),
        RegionLevel::County => Some(RegionLevel::Township),
        RegionLevel::Township => Some(RegionLevel::Village),
        RegionLevel::Village => None,
    }
}

/// Rows summed over a period: (child, counters).
type Summed = (String, [i64; N]);

/// Breakdown rows summed over a period: (dimension, key, counters).
type Broken = (String, String, [i64; T]);

/// What the four period queries return: by child, by category, by day, by breakdown.
type Sums = (
    Vec<Summed>,
    Vec<(String, i64)>,
    Vec<(i64, i64)>,
    Vec<Broken>,
);

impl Store {
    /// The figures of `scope` over the days [from, to) (China), as they stand at `now`,
    /// with a breakdown by its child regions.
    pub async fn figures(
        &self,
        scope: &RegionCode,
        from: Date,
        to: Date,
        now: Timestamp,
    ) -> Result<Figures, StoreError> {
        let ((sums, categories, days, broken), (open, overdue)) = futures::future::try_join(
            self.summed(scope, from, to, concord_domain::time::local_date(now)),
            self.open_and_overdue(scope, now),
        )
        .await?;
        let mut f = Figures::default();
        let above_county = scope.level() < RegionLevel::County;
        for (child, n) in sums {
            let counts = Counts::from_array(n.map(|x| x.max(0) as u64));
            // Above the county the rows are the counties'; the breakdown is by the
            // scope's children (a province's cities, a city's counties).
            let child = match next_level(scope.level()).filter(|_| above_county) {
                Some(l) => RegionCode::parse("child", &child)
                    .ok()
                    .and_then(|c| c.ancestor(l))
                    .map(|c| c.as_str().to_string())
                    .unwrap_or(child),
                None => child,
            };
            if child != scope.as_str() && counts != Counts::default() {
                f.by_region.entry(child).or_default().add(&counts);
            }
            f.counts.add(&counts);
        }
        for (category, n) in categories {
            if let Ok(c) = Category::parse("category", &category)
                && n > 0
            {
                *f.by_category.entry(c).or_default() += n as u64;
            }
        }
        for (day, registered) in days {
            if let Some(d) = day_of_number(day).filter(|_| registered > 0) {
                *f.weekly.entry(monday_of(d).to_string()).or_default() += registered as u64;
            }
        }
        for (dim, key, n) in broken {
            let tally = Tally::from_array(n.map(|x| x.max(0) as u64));
            if let Ok(dim) = Dimension::parse("dim", &dim)
                && tally != Tally::default()
            {
                f.breakdown(dim).insert(key, tally);
            }
        }
        (f.open_now, f.overdue_now) = (open, overdue);
        Ok(f)
    }

    /// The kept rows of `scope` over the days [from, to), summed by child, by category, by
    /// week (the registrations of each week's days in the period, keyed by a day of it),
    /// and by breakdown.
    async fn summed(
        &self,
        scope: &RegionCode,
        from: Date,
        to: Date,
        today: Date,
    ) -> Result<Sums, StoreError> {
        let above_county = scope.level() < RegionLevel::County;
        // By span, one range scan each, joined: the planner does not take an OR of day
        // ranges as ranges of the primary key. Rows taken away are negated.
        let spans = spans(from, to, today);
        let union = |table: &str, keys: &str, counters: &[&str]| -> (String, Args) {
            let mut args = Args::new(Marks::Numbered);
            let sql = spans
                .iter()
                .map(|span| {
                    let cond = scope_cond(&mut args, scope);
                    let (a, b) = (args.push(Arg::Int(span.lo)), args.push(Arg::Int(span.hi)));
                    let minus = if span.sign < 0 { "-" } else { "" };
                    let counted = counters
                        .iter()
                        .map(|c| format!("{minus}{c} AS {c}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!(
                        "SELECT {keys}, {counted} FROM {table} WHERE {cond} AND day >= {a} AND day < {b}"
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            (sql, args)
        };
        let child = if above_county { "scope" } else { "child" };
        let (child_rows, child_args) =
            union("figure_days", &format!("{child} AS child"), &COUNTERS);
        let (category_rows, category_args) =
            union("figure_day_categories", "category", &["registered"]);
        let (keyed_rows, keyed_args) = union("figure_day_breakdowns", "dim, key", &TALLY);
        let (week_rows, week_args) = weeks(scope, from, to);
        // SUM of a BIGINT is NUMERIC in PostgreSQL: cast back.
        let sum = |cols: &[&str]| -> String {
            cols.iter()
                .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let by_child = format!(
            "SELECT child, {} FROM ({child_rows}) AS spans GROUP BY child",
            sum(&COUNTERS)
        );
        let by_category = format!(
            "SELECT category, CAST(SUM(registered) AS BIGINT) FROM ({category_rows}) AS spans GROUP BY category"
        );
        let by_week = format!(
            "SELECT day, CAST(SUM(registered) AS BIGINT) FROM ({week_rows}) AS spans GROUP BY day"
        );
        let by_key = format!(
            "SELECT dim, key, {} FROM ({keyed_rows}) AS spans GROUP BY dim, key",
            sum(&TALLY)
        );
        // Four reads of their own, each on a pooled connection at once: a dashboard
        // waits for the slowest, not for the sum.
        Ok(with_db!(self, pool => {
            let (rows, categories, days, keyed) = futures::future::try_join4(
                bind_all!(sqlx::query(sqlx::AssertSqlSafe(by_child)), &child_args.0).fetch_all(pool),
                bind_all!(sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(by_category)), &category_args.0).fetch_all(pool),
                bind_all!(sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(by_week)), &week_args.0).fetch_all(pool),
                bind_all!(sqlx::query(sqlx::AssertSqlSafe(by_key)), &keyed_args.0).fetch_all(pool),
            ).await?;
            let rows: Vec<Summed> = rows.iter().map(summed_row).collect::<Result<_, sqlx::Error>>()?;
            let keyed: Vec<Broken> = keyed.iter().map(broken_row).collect::<Result<_, sqlx::Error>>()?;
            (rows, categories, days, keyed)
        }))
    }

    /// Cases open now in `scope` (accepted and not yet closed), and those past their
    /// deadline: from the kept `figure_open` rows (by the day of the deadline), but for
    /// the cases due today, which are counted one by one against the time.
    async fn open_and_overdue(
        &self,
        scope: &RegionCode,
        now: Timestamp,
    ) -> Result<(u64, u64), StoreError> {
        let today = concord_domain::time::local_date(now);
        let mut args = Args::new(Marks::Numbered);
        let cond = scope_cond(&mut args, scope);
        let t = args.push(Arg::Int(day_number(today)));
        let kept = format!(
            "SELECT CAST(COALESCE(SUM(open_cases), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN deadline_day > 0 AND deadline_day < {t}
                                      THEN open_cases ELSE 0 END), 0) AS BIGINT)
             FROM figure_open WHERE {cond}"
        );
        let mut w = Where::default();
        place_clause(&mut w, scope);
        // The open states in the words of the partial index cases_county_overdue (which
        // takes in registered cases too), so that it is used.
        w.clauses.push(format!(
            "status IN ({}) AND status <> 'registered'",
            crate::list::open_statuses()
        ));
        let a = w
            .args
            .push(Arg::Int(to_micros(concord_domain::time::start_of_day(
                today,
            ))));
        let b = w.args.push(Arg::Int(to_micros(now)));
        w.clauses
            .push(format!("deadline >= {a} AND deadline <= {b}"));
        // SQLite has no statistics to prefer (county, deadline) to (county, status): told.
        let hint = match (&self.db, scope.level() >= RegionLevel::County) {
            (crate::Db::Sqlite(_), true) => " INDEXED BY cases_county_overdue",
            _ => "",
        };
        let due = format!(
            "SELECT COUNT(*) FROM cases{hint} WHERE {}",
            w.clauses.join(" AND ")
        );
        let ((open, before_today), due_today): ((i64, i64), i64) = with_db!(self, pool => {
            futures::future::try_join(
                bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(kept)), &args.0).fetch_one(pool),
                bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(due)), &w.args.0).fetch_one(pool),
            )
            .await?
        });
        Ok((open.max(0) as u64, (before_today + due_today).max(0) as u64))
    }

    /// The same figures computed from the cases themselves, one by one: the reference
    /// the kept figures are checked against (`concord figures --check`, the tests).
    pub async fn figures_by_scan(
        &self,
        scope: &RegionCode,
        from: Date,
        to: Date,
        now: Timestamp,
    ) -> Result<Figures, StoreError> {
        let (from, to) = (
            concord_domain::time::start_of_day(from),
            concord_domain::time::start_of_day(to),
        );
        let mut w = Where::default();
        region_clause(&mut w, scope);
        let cases = self.cases_where(w, "").await?;
        let child = next_level(scope.level());
        let mut f = Figures::default();
        for c in &cases {
            let region = child.and_then(|l| c.facts.region.ancestor(l));
            f.add_case(c, from, to, now, region.as_ref().map(|r| r.as_str()));
        }
        // Only children with something in the period, as the kept figures have.
        f.by_region.retain(|_, n| *n != Counts::default());
        Ok(f)
    }

    /// Recomputes `figure_days` from the cases (after a restore from an old backup, or to
    /// check them): empties it and fills it again.
    pub async fn rebuild_figures(&self) -> Result<(), StoreError> {
        crate::writer::write_tx!(self, |conn| {
            for table in [
                "figure_days",
                "figure_day_categories",
                "figure_day_breakdowns",
                "figure_weeks",
                "figure_open",
                "mediator_records",
            ] {
                sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), StoreError>(())
        })?;
        self.backfill_figures().await
    }

    /// Fills `figure_days` from the cases, for a database made before it existed.
    pub(crate) async fn backfill_figures(&self) -> Result<(), StoreError> {
        self.refill(None, |cases| Rollup::of_cases(cases)).await
    }

    /// Fills `figure_open` from the open cases, for a database made before it existed;
    /// emptied first, so that a fill cut short is simply done again.
    pub(crate) async fn backfill_open(&self) -> Result<(), StoreError> {
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("DELETE FROM figure_open")
                .execute(&mut *conn)
                .await?;
            Ok::<(), StoreError>(())
        })?;
        let open = format!("status IN ({OPEN_NOW})");
        self.refill(Some(&open), |cases| Rollup::of_open_cases(cases))
            .await
    }

    /// Walks the cases (those `only` takes, if given) in id order, 2,000 at a time, and
    /// adds what `rollup` makes of each lot to the kept figures.
    async fn refill(
        &self,
        only: Option<&str>,
        rollup: fn(&[Case]) -> Rollup,
    ) -> Result<(), StoreError> {
        let mut after = 0i64;
        loop {
            let mut w = Where::default();
            let a = w.args.push(Arg::Int(after));
            w.clauses.push(format!("id > {a}"));
            w.clauses.extend(only.map(str::to_string));
            let cases = self.cases_where(w, "ORDER BY id LIMIT 2000").await?;
            let Some(last) = cases.last().map(|c| c.id) else {
                return Ok(());
            };
            let stmts = rollup(&cases).statements(self.marks());
            crate::writer::write_tx!(self, |conn| {
                apply_rollup!(conn, stmts);
                Ok::<(), StoreError>(())
            })?;
            after = last;
        }
    }
}

fn summed_row<R: sqlx::Row>(r: &R) -> Result<Summed, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let child: String = r.try_get(0)?;
    let mut n = [0i64; N];
    for (i, x) in n.iter_mut().enumerate() {
        *x = r.try_get::<Option<i64>, _>(i + 1)?.unwrap_or(0);
    }
    Ok((child, n))
}

fn broken_row<R: sqlx::Row>(r: &R) -> Result<Broken, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<i64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    let mut n = [0i64; T];
    for (i, x) in n.iter_mut().enumerate() {
        *x = r.try_get::<Option<i64>, _>(i + 2)?.unwrap_or(0);
    }
    Ok((r.try_get(0)?, r.try_get(1)?, n))
}

/// The open states but registered: what counts in `open_now`.
const OPEN_NOW: &str =
    "'accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming'";

/// A subtree as equalities on its county (which `cases_county_overdue` leads with), then
/// township, then village; above the county, a range of codes.
fn place_clause(w: &mut Where, r: &RegionCode) {
    let level = r.level();
    if level < RegionLevel::County {
        let (lo, hi) = r.subtree_range();
        let a = w.args.push(Arg::Text(lo));
        let b = w.args.push(Arg::Text(hi));
        w.clauses.push(format!("region_code BETWEEN {a} AND {b}"));
        return;
    }
    let county = r.as_str()[..6].to_string();
    w.text(|p| format!("county_code = {p}"), &county);
    if level >= RegionLevel::Township {
        w.text(|p| format!("township_code = {p}"), township_key(r));
    }
    if level == RegionLevel::Village {
        w.text(|p| format!("region_code = {p}"), r.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use concord_domain::case::Status;

    #[test]
    fn open_now_is_every_open_state_but_registered() {
        let open: Vec<String> = Status::OPEN
            .iter()
            .filter(|s| **s != Status::Registered)
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(OPEN_NOW, open.join(", "));
    }

    fn span(lo: i64, hi: i64, sign: i64) -> Span {
        Span { lo, hi, sign }
    }

    #[test]
    fn a_year_to_date_is_the_years_rows_less_the_days_to_come() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        let today = d(2026, 12, 6);
        assert_eq!(
            spans(d(2026, 1, 1), d(2026, 12, 7), today),
            [span(2026, 2027, 1), span(20261207, 20270101, -1)]
        );
        // The last thirty days: November less its first week, December less what is to come.
        assert_eq!(
            spans(d(2026, 11, 7), d(2026, 12, 7), today),
            [
                span(202611, 202612, 1),
                span(20261101, 20261107, -1),
                span(202612, 202613, 1),
                span(20261207, 20270101, -1)
            ]
        );
        // A past quarter: its months.
        assert_eq!(
            spans(d(2026, 4, 1), d(2026, 7, 1), today),
            [span(202604, 202607, 1)]
        );
        // A week: its days; most of a month: the month less the other days.
        assert_eq!(
            spans(d(2026, 11, 3), d(2026, 11, 10), today),
            [span(20261103, 20261110, 1)]
        );
        assert_eq!(
            spans(d(2026, 11, 3), d(2026, 11, 20), today),
            [
                span(202611, 202612, 1),
                span(20261101, 20261103, -1),
                span(20261120, 20261201, -1)
            ]
        );
        // Two whole years and the next one to date.
        assert_eq!(
            spans(d(2024, 1, 1), d(2026, 12, 7), today),
            [span(2024, 2027, 1), span(20261207, 20270101, -1)]
        );
        assert_eq!(
            spans(d(2026, 5, 5), d(2026, 5, 5), today),
            [span(20260505, 20260505, 1)],
            "an empty period reads nothing"
        );
        assert!(year_number(d(2026, 12, 31)) < month_number(d(2000, 1, 1)));
        assert!(month_number(d(2026, 12, 31)) < day_number(d(2000, 1, 1)));
    }

    /// How many times the rows of `spans` count the day `d` (its day, month and year rows).
    fn counted(spans: &[Span], d: Date) -> i64 {
        [day_number(d), month_number(d), year_number(d)]
            .iter()
            .map(|n| {
                spans
                    .iter()
                    .filter(|s| s.lo <= *n && *n < s.hi)
                    .map(|s| s.sign)
                    .sum::<i64>()
            })
            .sum()
    }

    #[test]
    fn every_day_of_a_period_is_counted_once_and_no_other_day_at_all() {
        let base = Date::constant(2025, 11, 20);
        let at = |n: i64| base.checked_add(jiff::Span::new().days(n)).unwrap();
        for today in [at(0), at(41), at(400), at(800)] {
            for a in (0..800).step_by(7) {
                for b in (a..820).step_by(11) {
                    let (from, to) = (at(a), at(b));
                    let s = spans(from, to, today);
                    for n in (a - 40).max(-400)..b + 40 {
                        let d = at(n);
                        let want = i64::from(from <= d && d < to);
                        assert_eq!(
                            counted(&s, d),
                            want,
                            "{d} in [{from}, {to}) today {today}: {s:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn the_weeks_inside_a_period_are_read_whole_and_its_ends_by_day() {
        let county = RegionCode::parse("r", "331125000000").unwrap();
        let (sql, args) = weeks(
            &county,
            Date::constant(2026, 1, 1),
            Date::constant(2026, 12, 7),
        );
        assert_eq!(sql.matches("UNION ALL").count(), 2);
        let ints: Vec<i64> = args
            .0
            .iter()
            .filter_map(|a| match a {
                Arg::Int(n) => Some(*n),
                _ => None,
            })
            .collect();
        // Thursday 1 January to Monday 5 January by day, the weeks from then to Monday 7
        // December whole, and nothing after.
        assert_eq!(
            ints,
            [20260101, 20260105, 20260105, 20261207, 20261207, 20261207]
        );
    }

    #[test]
    fn a_village_case_counts_in_its_county_township_and_village() {
        let v = RegionCode::parse("r", "331125105201").unwrap();
        let p = places(&v);
        assert_eq!(
            p,
            [
                ("331125000000".into(), "county", "331125105000".into()),
                ("331125105000".into(), "township", "331125105201".into()),
                ("331125105201".into(), "village", "331125105201".into()),
            ]
        );
        let t = RegionCode::parse("r", "331125105000").unwrap();
        assert_eq!(
            places(&t).len(),
            2,
            "a township's own case: county and township"
        );
        assert_eq!(
            day_of_number(day_number(Date::constant(2026, 2, 28))),
            Some(Date::constant(2026, 2, 28))
        );
    }
}
