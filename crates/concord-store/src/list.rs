//! The case list: filters on indexed columns and keyset pagination, newest first.

use concord_domain::case::{Level, Status};
use concord_domain::category::Category;
use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::time::to_micros;
use jiff::Timestamp;

use crate::args::{Arg, Args, bind_all};
use crate::rows::{CaseRow, case_from_rows};
use crate::{Store, StoreError, with_db};

pub const MAX_PAGE: u32 = 200;

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<Status>,
    /// Any of these states (a work queue), besides `status`.
    pub statuses: Vec<Status>,
    /// The cases a mediator holds; the cases a unit leads.
    pub mediator: Option<i64>,
    pub lead_unit: Option<i64>,
    /// Only the cases the user holds (set from their role: see `access::Holding`).
    pub holding: concord_domain::access::Holding,
    pub category: Option<Category>,
    /// The region's whole subtree.
    pub region: Option<RegionCode>,
    pub level: Option<Level>,
    /// Open cases past their deadline (true) or not past it (false).
    pub overdue: Option<bool>,
    /// Registered at or after.
    pub from: Option<Timestamp>,
    /// Registered before.
    pub to: Option<Timestamp>,
    /// The last (registered_at, id) of the previous page.
    pub after: Option<(Timestamp, i64)>,
    pub limit: u32,
}

/// One line of the list: the case without its parties' personal data or timeline.
#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub case: concord_domain::case::Case,
}

#[derive(Debug, Clone)]
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    /// Pass back as `after` for the next page; None on the last page.
    pub next: Option<(Timestamp, i64)>,
}

/// A query's conditions with their parameters.
#[derive(Default)]
pub(crate) struct Where {
    pub clauses: Vec<String>,
    pub args: Args,
}

impl Where {
    fn push(&mut self, arg: Arg) -> String {
        self.args.push(arg)
    }

    pub(crate) fn text(&mut self, clause: impl FnOnce(&str) -> String, v: impl Into<String>) {
        let p = self.push(Arg::Text(v.into()));
        self.clauses.push(clause(&p));
    }

    fn int(&mut self, clause: impl FnOnce(&str) -> String, v: i64) {
        let p = self.push(Arg::Int(v));
        self.clauses.push(clause(&p));
    }
}

/// `status_range`: the one state written as a range (see `pg_order`).
fn build(f: &CaseFilter, now: Timestamp, status_range: bool) -> Where {
    let mut w = Where::default();
    if let Some(s) = f.status {
        if status_range {
            w.text(|p| format!("status BETWEEN {p} AND {p}"), s.as_str());
        } else {
            w.text(|p| format!("status = {p}"), s.as_str());
        }
    }
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f
            .statuses
            .iter()
            .map(|s| w.push(Arg::Text(s.as_str().into())))
            .collect();
        w.clauses.push(format!("status IN ({})", marks.join(", ")));
    }
    if let Some(m) = f.mediator {
        w.int(|p| format!("mediator = {p}"), m);
    }
    if let Some(u) = f.lead_unit {
        w.int(|p| format!("lead_unit = {p}"), u);
    }
    use concord_domain::access::Holding;
    match f.holding {
        Holding::Region => {}
        Holding::Mediator { mediator, unit } => {
            let m = w.push(Arg::Int(mediator.unwrap_or(-1)));
            let u = w.push(Arg::Int(unit.unwrap_or(-1)));
            w.clauses.push(format!("(mediator = {m} OR (mediator IS NULL AND lead_unit = {u}))"));
        }
        Holding::Unit(u) => w.int(
            |p| format!("(lead_unit = {p} OR id IN (SELECT case_id FROM case_co_handlers WHERE org_id = {p}))"),
            u.unwrap_or(-1),
        ),
    }
    if let Some(c) = f.category {
        w.text(|p| format!("category = {p}"), c.as_str());
    }
    if let Some(l) = f.level {
        w.text(|p| format!("level = {p}"), l.as_str());
    }
    if let Some(r) = &f.region {
        region_clause(&mut w, r);
    }
    if let Some(overdue) = f.overdue {
        let cmp = if overdue { "<=" } else { ">" };
        w.int(
            |p| format!("status IN ({}) AND deadline {cmp} {p}", open_statuses()),
            to_micros(now),
        );
    }
    if let Some(from) = f.from {
        w.int(|p| format!("registered_at >= {p}"), to_micros(from));
    }
    if let Some(to) = f.to {
        w.int(|p| format!("registered_at < {p}"), to_micros(to));
    }
    if let Some((at, id)) = f.after {
        let a = w.push(Arg::Int(to_micros(at)));
        let b = w.push(Arg::Int(id));
        w.clauses.push(format!("(registered_at, id) < ({a}, {b})"));
    }
    w
}

/// The first 9 digits of a region's code: the township it lies in (a county's own code
/// gives "…000", which no township has). Stored with each case for the township index.
pub fn township_key(r: &RegionCode) -> &str {
    &r.as_str()[..9]
}

/// The open states as an SQL list, in the same words as the partial index
/// `cases_county_open`, so that the planner can use it.
pub(crate) fn open_statuses() -> String {
    let open: Vec<String> = Status::OPEN
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    open.join(", ")
}

/// A subtree as an equality on the column that names it, so that the list walks that
/// column's index in date order; above county level, a range of codes.
pub(crate) fn region_clause(w: &mut Where, r: &RegionCode) {
    match r.level() {
        RegionLevel::Village => w.text(|p| format!("region_code = {p}"), r.as_str()),
        RegionLevel::Township => w.text(|p| format!("township_code = {p}"), township_key(r)),
        RegionLevel::County => w.text(|p| format!("county_code = {p}"), r.prefix()),
        RegionLevel::City | RegionLevel::Province => {
            let (lo, hi) = r.subtree_range();
            let a = w.push(Arg::Text(lo));
            let b = w.push(Arg::Text(hi));
            w.clauses.push(format!("region_code BETWEEN {a} AND {b}"));
        }
    }
}

/// The same order (newest first) in words that keep PostgreSQL off a walk by date when
/// the rows wanted lie far back. Its statistics say how many rows match, not when they
/// were registered: a township's archived cases are 16 % of a million, so walking all
/// cases newest first looks as if it would find 50 soon, but the newest are still open
/// and the walk passes 77,000 of them (30–100 ms). Overdue cases are the old open ones,
/// the same trap. So: overdue cases are found by deadline and sorted (there are few),
/// and a place's cases in one state are read from the index that leads with both, its
/// order asked for by name (the state written as a range, which the planner does not
/// fold into a constant, so only that index gives the order without sorting).
#[derive(PartialEq)]
enum PgOrder {
    ByDate,
    DueThenSorted,
    PlaceAndState,
}

impl PgOrder {
    fn of(f: &CaseFilter) -> Self {
        let by_place = f.region.is_some_and(|r| r.level() >= RegionLevel::County);
        if f.overdue == Some(true) {
            Self::DueThenSorted
        } else if by_place && f.status.is_some() && f.statuses.is_empty() {
            Self::PlaceAndState
        } else {
            Self::ByDate
        }
    }

    fn sql(&self) -> &'static str {
        match self {
            Self::ByDate => "registered_at DESC, id DESC",
            Self::DueThenSorted => "registered_at + 0 DESC, id DESC",
            Self::PlaceAndState => "status DESC, registered_at DESC, id DESC",
        }
    }
}

fn list_sql(f: &CaseFilter, now: Timestamp, limit: u32, sqlite: bool) -> (String, Where) {
    let order = if sqlite {
        PgOrder::ByDate
    } else {
        PgOrder::of(f)
    };
    let mut w = build(f, now, order == PgOrder::PlaceAndState);
    // Overdue cases, which are few, are found by deadline within the county and sorted;
    // open cases not yet due, which can be many, by walking the open cases by date.
    // SQLite has no statistics to choose between them, so it is told.
    let county = f.region.filter(|r| r.level() >= RegionLevel::County);
    let hint = match (f.overdue, county) {
        (Some(overdue), Some(r)) => {
            if r.level() > RegionLevel::County {
                w.text(
                    |p| format!("county_code = {p}"),
                    r.numbering_county().prefix(),
                );
            }
            match (sqlite, overdue) {
                (true, true) => " INDEXED BY cases_county_overdue",
                (true, false) => " INDEXED BY cases_county_open",
                (false, _) => "",
            }
        }
        _ => "",
    };
    let cond = if w.clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", w.clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT {} FROM cases{hint} {cond} ORDER BY {} LIMIT {}",
        crate::cases::CASE_COLUMNS,
        order.sql(),
        limit + 1
    );
    (sql, w)
}

impl Store {
    pub async fn list_cases(&self, f: &CaseFilter, now: Timestamp) -> Result<CasePage, StoreError> {
        let limit = f.limit.clamp(1, MAX_PAGE);
        let (sql, w) = list_sql(f, now, limit, self.backend() == "sqlite");
        let rows: Vec<CaseRow> = with_db!(self, pool => {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &w.args.0).fetch_all(pool).await?
        });
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows.into_iter().take(limit as usize) {
            items.push(CaseSummary {
                case: case_from_rows(row, Vec::new(), Vec::new())?,
            });
        }
        let next = if more {
            items.last().map(|s| (s.case.registered_at, s.case.id))
        } else {
            None
        };
        Ok(CasePage { items, next })
    }

    /// How the database would run a list query (SQLite's EXPLAIN QUERY PLAN, or
    /// PostgreSQL's EXPLAIN), one line per step: to check that lists walk an index.
    pub async fn list_plan(
        &self,
        f: &CaseFilter,
        now: Timestamp,
    ) -> Result<Vec<String>, StoreError> {
        let (sql, w) = list_sql(
            f,
            now,
            f.limit.clamp(1, MAX_PAGE),
            self.backend() == "sqlite",
        );
        Ok(match &self.db {
            crate::Db::Sqlite(pool) => {
                let q = format!("EXPLAIN QUERY PLAN {sql}");
                let rows: Vec<(i64, i64, i64, String)> =
                    bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(q)), &w.args.0)
                        .fetch_all(pool)
                        .await?;
                rows.into_iter().map(|r| r.3).collect()
            }
            crate::Db::Postgres(pool) => {
                let q = format!("EXPLAIN {sql}");
                bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(q)), &w.args.0)
                    .fetch_all(pool)
                    .await?
            }
        })
    }

    /// How many cases there are (for the demo loader and the health page).
    pub async fn count_cases(&self) -> Result<i64, StoreError> {
        Ok(
            with_db!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_states_match_the_partial_index_word_for_word() {
        for sql in [
            include_str!("../migrations/sqlite/0002_list_indexes.sql"),
            include_str!("../migrations/postgres/0002_list_indexes.sql"),
        ] {
            assert!(sql.contains(&format!("WHERE status IN ({})", open_statuses())));
        }
    }

    #[test]
    fn subtrees_become_equalities_on_the_column_that_names_them() {
        let clause = |code: &str| {
            let mut w = Where::default();
            region_clause(&mut w, &RegionCode::parse("r", code).unwrap());
            w.clauses.remove(0)
        };
        assert_eq!(clause("331125003002"), "region_code = $1");
        assert_eq!(clause("331125003000"), "township_code = $1");
        assert_eq!(clause("331125000000"), "county_code = $1");
        assert_eq!(clause("331100000000"), "region_code BETWEEN $1 AND $2");
    }
}
