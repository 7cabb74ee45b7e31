//! The case list: filters on indexed columns and keyset pagination, newest first.

use concord_domain::case::{Level, Status};
use concord_domain::category::Category;
use concord_domain::region::RegionCode;
use concord_domain::time::to_micros;
use jiff::Timestamp;

use crate::rows::{CaseRow, case_from_rows};
use crate::{Store, StoreError, with_db};

pub const MAX_PAGE: u32 = 200;

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<Status>,
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

/// A query's text with its parameters, numbered as they are pushed.
#[derive(Default)]
struct Where {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

enum Arg {
    Text(String),
    Int(i64),
}

impl Where {
    fn push(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    fn text(&mut self, clause: impl FnOnce(&str) -> String, v: impl Into<String>) {
        let p = self.push(Arg::Text(v.into()));
        self.clauses.push(clause(&p));
    }

    fn int(&mut self, clause: impl FnOnce(&str) -> String, v: i64) {
        let p = self.push(Arg::Int(v));
        self.clauses.push(clause(&p));
    }
}

fn build(f: &CaseFilter, now: Timestamp) -> Where {
    let mut w = Where::default();
    if let Some(s) = f.status {
        w.text(|p| format!("status = {p}"), s.as_str());
    }
    if let Some(c) = f.category {
        w.text(|p| format!("category = {p}"), c.as_str());
    }
    if let Some(l) = f.level {
        w.text(|p| format!("level = {p}"), l.as_str());
    }
    if let Some(r) = &f.region {
        let (lo, hi) = r.subtree_range();
        let a = w.push(Arg::Text(lo));
        let b = w.push(Arg::Text(hi));
        w.clauses.push(format!("region_code BETWEEN {a} AND {b}"));
    }
    if let Some(overdue) = f.overdue {
        let open: Vec<String> = Status::OPEN
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let open = open.join(", ");
        let cmp = if overdue { "<=" } else { ">" };
        w.int(
            |p| format!("status IN ({open}) AND deadline {cmp} {p}"),
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

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

impl Store {
    pub async fn list_cases(&self, f: &CaseFilter, now: Timestamp) -> Result<CasePage, StoreError> {
        let limit = f.limit.clamp(1, MAX_PAGE);
        let w = build(f, now);
        let cond = if w.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", w.clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {} FROM cases {cond} ORDER BY registered_at DESC, id DESC LIMIT {}",
            crate::cases::CASE_COLUMNS,
            limit + 1
        );
        let rows: Vec<CaseRow> = with_db!(self, pool => {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &w.args).fetch_all(pool).await?
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

    /// How many cases there are (for the demo loader and the health page).
    pub async fn count_cases(&self) -> Result<i64, StoreError> {
        Ok(
            with_db!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?),
        )
    }
}
