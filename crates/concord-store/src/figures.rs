//! The figures of a region and period (docs/figures.md), kept per day and place in
//! `figure_days` as cases move, so that a leader's dashboard reads a few hundred summed
//! rows instead of every case. What a case adds is defined once, in the domain
//! (`concord_domain::figures::contributions`); this module stores it.

use std::collections::BTreeMap;

use concord_domain::case::{Case, Outcome};
use concord_domain::category::Category;
use concord_domain::figures::{
    COUNTERS, Counts, Dimension, Figures, TALLY, Tally, contributions, dimensions, monday_of,
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

/// Changes to the kept figures (`figure_days`, `figure_day_categories`) and to the
/// mediators' records, merged by row so that one statement never touches a row twice
/// (PostgreSQL refuses that).
#[derive(Debug, Default)]
pub(crate) struct Rollup {
    days: BTreeMap<Key, (&'static str, [i64; N])>,
    categories: BTreeMap<CategoryKey, (&'static str, i64)>,
    breakdowns: BTreeMap<BreakdownKey, (&'static str, [i64; T])>,
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

    /// Adds (sign 1) or takes away (sign -1) what a case adds to each day and place,
    /// and to its mediator's record.
    pub(crate) fn add(&mut self, c: &Case, sign: i64) {
        let places = places(&c.facts.region);
        let dims = dimensions(c);
        for (day, counts) in contributions(c) {
            let n = counts.to_array();
            let t = Tally::of(&counts).to_array();
            for (scope, depth, child) in &places {
                // Every row is kept by day and by month (see `spans`).
                for at in [day_number(day), month_number(day)] {
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

/// The ranges of a kept table's `day` that make up the days [from, to): the month rows of
/// the whole months inside it, and the day rows of the part-months at its ends. A year is
/// then about twelve rows per key instead of three hundred and sixty-five.
fn spans(from: Date, to: Date) -> Vec<(i64, i64)> {
    let first = |d: Date| d.first_of_month();
    let whole_from = if from.day() == 1 {
        from
    } else {
        first(from).last_of_month().tomorrow().unwrap_or(to)
    };
    let whole_to = first(to);
    if whole_from >= whole_to {
        return vec![(day_number(from), day_number(to))];
    }
    vec![
        (month_number(whole_from), month_number(whole_to)),
        (day_number(from), day_number(whole_from)),
        (day_number(whole_to), day_number(to)),
    ]
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
            self.summed(scope, from, to),
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
    /// day, and by breakdown.
    async fn summed(&self, scope: &RegionCode, from: Date, to: Date) -> Result<Sums, StoreError> {
        let mut args = Args::new(Marks::Numbered);
        let above_county = scope.level() < RegionLevel::County;
        let cond = scope_cond(&mut args, scope);
        let a = args.push(Arg::Int(day_number(from)));
        let b = args.push(Arg::Int(day_number(to)));
        let period = format!("{cond} AND day >= {a} AND day < {b}");
        // By span (month rows for whole months), one range scan each, joined: the planner
        // does not take an OR of day ranges as ranges of the primary key.
        let union = |table: &str, columns: &str| -> (String, Args) {
            let mut args = Args::new(Marks::Numbered);
            let sql = spans(from, to)
                .into_iter()
                .map(|(a, b)| {
                    let cond = scope_cond(&mut args, scope);
                    let (a, b) = (args.push(Arg::Int(a)), args.push(Arg::Int(b)));
                    format!(
                        "SELECT {columns} FROM {table} WHERE {cond} AND day >= {a} AND day < {b}"
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            (sql, args)
        };
        let child = if above_county { "scope" } else { "child" };
        let (child_rows, child_args) = union(
            "figure_days",
            &format!("{child} AS child, {}", COUNTERS.join(", ")),
        );
        let (category_rows, category_args) = union("figure_day_categories", "category, registered");
        let (keyed_rows, keyed_args) = union(
            "figure_day_breakdowns",
            &format!("dim, key, {}", TALLY.join(", ")),
        );
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
        let by_day = format!(
            "SELECT day, CAST(SUM(registered) AS BIGINT) FROM figure_days WHERE {period} GROUP BY day"
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
                bind_all!(sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(by_day)), &args.0).fetch_all(pool),
                bind_all!(sqlx::query(sqlx::AssertSqlSafe(by_key)), &keyed_args.0).fetch_all(pool),
            ).await?;
            let rows: Vec<Summed> = rows.iter().map(summed_row).collect::<Result<_, sqlx::Error>>()?;
            let keyed: Vec<Broken> = keyed.iter().map(broken_row).collect::<Result<_, sqlx::Error>>()?;
            (rows, categories, days, keyed)
        }))
    }

    /// Cases open now in `scope` (accepted and not yet closed), and those past their
    /// deadline: read from the partial index `cases_open_now` alone.
    async fn open_and_overdue(
        &self,
        scope: &RegionCode,
        now: Timestamp,
    ) -> Result<(u64, u64), StoreError> {
        let mut w = Where::default();
        place_clause(&mut w, scope);
        w.clauses.push(format!("status IN ({OPEN_NOW})"));
        let at = w.args.push(Arg::Int(to_micros(now)));
        // SQLite has no statistics to prefer the partial index to (county, status): told.
        let hint = match self.db {
            crate::Db::Sqlite(_) => " INDEXED BY cases_open_now",
            crate::Db::Postgres(_) => "",
        };
        let sql = format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN deadline <= {at} THEN 1 ELSE 0 END), 0)
             FROM cases{hint} WHERE {}",
            w.clauses.join(" AND ")
        );
        let (open, overdue): (i64, i64) = with_db!(self, pool => {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &w.args.0).fetch_one(pool).await?
        });
        Ok((open as u64, overdue as u64))
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
        let mut after = 0i64;
        loop {
            let mut w = Where::default();
            let a = w.args.push(Arg::Int(after));
            w.clauses.push(format!("id > {a}"));
            let cases = self.cases_where(w, "ORDER BY id LIMIT 2000").await?;
            let Some(last) = cases.last().map(|c| c.id) else {
                return Ok(());
            };
            let stmts = Rollup::of_cases(&cases).statements(self.marks());
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

/// The open states but registered, in the same words as the partial index
/// `cases_open_now` (migration 0010), so that the planner can use it.
const OPEN_NOW: &str =
    "'accepted', 'assigned', 'in_mediation', 'agreed', 'failed', 'escalated', 'confirming'";

/// A subtree as equalities on the columns `cases_open_now` leads with (county, then
/// township, then village); above the county, a range of codes.
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

    #[test]
    fn a_period_reads_whole_months_by_month_and_its_ends_by_day() {
        let d = |y, m, day| Date::new(y, m, day).unwrap();
        assert_eq!(
            spans(d(2026, 1, 1), d(2026, 12, 6)),
            [(202601, 202612), (20260101, 20260101), (20261201, 20261206)]
        );
        assert_eq!(
            spans(d(2026, 10, 15), d(2026, 12, 1)),
            [(202611, 202612), (20261015, 20261101), (20261201, 20261201)]
        );
        assert_eq!(
            spans(d(2026, 11, 3), d(2026, 11, 20)),
            [(20261103, 20261120)],
            "within one month, by day"
        );
        assert!(month_number(d(2026, 12, 31)) < day_number(d(2000, 1, 1)));
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
