//! Finding cases: by number, by a party's phone or ID number (through their keyed
//! hashes), or by Chinese free text over descriptions, addresses and party names — newest
//! first, every term required, within the searcher's region.

use concord_domain::person::{IdNumber, Phone};
use concord_domain::region::RegionCode;
use concord_text::tokens::query_terms;

use crate::args::{Arg, Args, bind_all};
use crate::cases::CASE_COLUMNS;
use crate::list::{CaseSummary, Where, region_clause};
use crate::rows::{CaseRow, case_from_rows};
use crate::{Store, StoreError, with_db};

/// What a search box's text asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchQuery {
    /// A case number, `331125-2025-00042`.
    Number(String),
    Phone(Phone),
    IdNumber(IdNumber),
    /// Terms the text must all contain.
    Text(Vec<String>),
}

impl SearchQuery {
    pub fn parse(q: &str) -> SearchQuery {
        let q = q.trim();
        let b = q.as_bytes();
        let number = b.len() >= 13
            && b[6] == b'-'
            && b[11] == b'-'
            && q.bytes().all(|c| c.is_ascii_digit() || c == b'-');
        if number {
            return SearchQuery::Number(q.to_string());
        }
        if let Ok(p) = Phone::parse("q", q) {
            return SearchQuery::Phone(p);
        }
        if let Ok(id) = IdNumber::parse("q", q) {
            return SearchQuery::IdNumber(id);
        }
        SearchQuery::Text(query_terms(q))
    }
}

/// Candidates fetched from the index per round; rounds continue below the last one while
/// the searcher's region filters them out.
const ROUND: i64 = 500;
const MAX_ROUNDS: usize = 6;

impl Store {
    /// Up to `limit` cases in `scope`'s subtree matching `q`, newest first.
    pub async fn search(
        &self,
        q: &str,
        scope: &RegionCode,
        limit: u32,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let limit = limit.clamp(1, 100) as usize;
        let (sql, key) = match SearchQuery::parse(q) {
            SearchQuery::Number(n) => ("SELECT id FROM cases WHERE number = $1", n),
            SearchQuery::Phone(p) => (
                "SELECT case_id FROM parties WHERE phone_key = $1 ORDER BY case_id DESC LIMIT 500",
                self.party_key.phone(&p),
            ),
            SearchQuery::IdNumber(id) => (
                "SELECT case_id FROM parties WHERE id_key = $1 ORDER BY case_id DESC LIMIT 500",
                self.party_key.id_number(&id),
            ),
            SearchQuery::Text(terms) if terms.is_empty() => return Ok(Vec::new()),
            SearchQuery::Text(terms) => return self.search_text(&terms, scope, limit).await,
        };
        let mut ids: Vec<i64> = with_db!(self, pool => {
            sqlx::query_scalar(sql).bind(key).fetch_all(pool).await?
        });
        ids.dedup();
        self.cases_in_scope(&ids, scope, limit).await
    }

    /// The cases among `ids` in `scope`'s subtree, newest first, at most `limit`. Only
    /// rowid lookups: the ids' regions first, the scope checked here, then the rows —
    /// no condition that could tempt the planner into walking a whole index instead.
    async fn cases_in_scope(
        &self,
        ids: &[i64],
        scope: &RegionCode,
        limit: usize,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        if ids.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let list = |ids: &[i64]| {
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let sql = format!(
            "SELECT id, region_code FROM cases WHERE id IN ({})",
            list(ids)
        );
        let mut places: Vec<(i64, String)> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        });
        places.sort_by_key(|p| std::cmp::Reverse(p.0));
        let within: Vec<i64> = places
            .into_iter()
            .filter(|(_, r)| r.starts_with(scope.prefix()))
            .map(|(id, _)| id)
            .take(limit)
            .collect();
        if within.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({})",
            list(&within)
        );
        let mut found = self.fetch_summaries(sql, Args::default()).await?;
        found.sort_by_key(|c| std::cmp::Reverse(c.case.id));
        Ok(found)
    }

    async fn search_text(
        &self,
        terms: &[String],
        scope: &RegionCode,
        limit: usize,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let mut found: Vec<CaseSummary> = Vec::new();
        let mut below = i64::MAX;
        for _ in 0..MAX_ROUNDS {
            let ids = self.text_candidates(terms, below, scope).await?;
            let Some(lowest) = ids.last().copied() else {
                break;
            };
            found.extend(
                self.cases_in_scope(&ids, scope, limit - found.len())
                    .await?,
            );
            if found.len() >= limit || ids.len() < ROUND as usize {
                break;
            }
            below = lowest;
        }
        Ok(found)
    }

    /// The ids of the newest ROUND cases in `scope` below `below` that contain every
    /// term: from SQLite's FTS5 table or PostgreSQL's tsvector index. The scope is asked
    /// for here, not after: in a database of many counties the newest matches may all
    /// lie in other counties.
    async fn text_candidates(
        &self,
        terms: &[String],
        below: i64,
        scope: &RegionCode,
    ) -> Result<Vec<i64>, StoreError> {
        // Terms are letters and digits only (query_terms), so quoting them is safe.
        Ok(match &self.db {
            crate::Db::Sqlite(pool) => {
                let expr: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
                let mut w = Where::default();
                let q = w.args.push(Arg::Text(expr.join(" ")));
                let b = w.args.push(Arg::Int(below));
                region_clause(&mut w, scope);
                // CROSS JOIN keeps the full-text index outside: matches newest first,
                // each looked up in cases.
                let sql = format!(
                    "SELECT case_search.rowid FROM case_search CROSS JOIN cases
                     ON cases.id = case_search.rowid
                     WHERE case_search MATCH {q} AND case_search.rowid < {b} AND {}
                     ORDER BY case_search.rowid DESC LIMIT {ROUND}",
                    w.clauses.join(" AND ")
                );
                bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), &w.args.0)
                    .fetch_all(pool)
                    .await?
            }
            crate::Db::Postgres(pool) => {
                let expr: Vec<String> = terms.iter().map(|t| format!("'{t}'")).collect();
                pg_candidates(pool, &expr.join(" & "), below, scope).await?
            }
        })
    }

    async fn fetch_summaries(
        &self,
        sql: String,
        args: Args,
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let rows: Vec<CaseRow> = with_db!(self, pool => {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args.0).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(CaseSummary {
                    case: case_from_rows(r, Vec::new(), Vec::new())?,
                })
            })
            .collect()
    }
}

/// Ids per stretch in PostgreSQL's search index (`case_id >> 16`).
const BUCKET_SHIFT: u32 = 16;
/// The search index's expression (migration 0027): the case's terms, the term naming
/// its stretch of ids and those naming its place at each level.
const PLACED: &str = "(terms || array_to_tsvector(ARRAY[
        '#' || (case_id >> 16)::text,
        '@' || left(region_code, 2), '@' || left(region_code, 4), '@' || left(region_code, 6),
        '@' || left(region_code, 9), '@' || region_code]))";
/// Stretches asked for at a time, newest first; past them, the rest at once.
const BUCKET_STEPS: [i64; 4] = [1, 2, 4, 8];

/// PostgreSQL's GIN index hands out a word's matches in no order, so the newest ROUND
/// of a common word meant fetching every match from the table to sort them (230 ms at
/// 1,000,000 cases). The index also holds each case's stretch of ids and its place, so
/// the newest stretches of the searcher's region are asked for first, a few more each
/// time: the index cuts the matches to them. A word rare enough to outlast the steps
/// has few matches left: the rest at once.
async fn pg_candidates(
    pool: &sqlx::PgPool,
    words: &str,
    below: i64,
    scope: &RegionCode,
) -> Result<Vec<i64>, StoreError> {
    // The first round starts above the newest case of the scope's counties; the next
    // ones below their last.
    let below = if below == i64::MAX {
        let county = &scope.prefix()[..scope.prefix().len().min(6)];
        let top: Option<i64> =
            sqlx::query_scalar("SELECT MAX(top_id) FROM search_tops WHERE county_code LIKE $1")
                .bind(format!("{county}%"))
                .fetch_one(pool)
                .await?;
        top.map_or(0, |t| t + 1)
    } else {
        below
    };
    // Region codes are digits only (RegionCode), so quoting the place is safe.
    let query = format!("({words}) & '@{}'", scope.prefix());
    let mut found: Vec<i64> = Vec::new();
    let mut hi = below;
    for (q, lo) in bucket_queries(&query, below) {
        // The stretches' matches first (materialized, so that the planner does not walk
        // the ids newest first testing each row), then the newest of them.
        let sql = format!(
            "WITH m AS MATERIALIZED (SELECT case_id FROM case_search WHERE {PLACED} @@ $1::tsquery
             AND case_id >= $2 AND case_id < $3)
             SELECT case_id FROM m ORDER BY case_id DESC LIMIT {}",
            ROUND - found.len() as i64
        );
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(q)
            .bind(lo)
            .bind(hi)
            .fetch_all(pool)
            .await?;
        found.extend(ids);
        if found.len() >= ROUND as usize {
            break;
        }
        hi = lo;
    }
    Ok(found)
}

/// The queries a word search below `below` makes, newest stretches first, each with
/// the lowest id it covers: `query` cut to one stretch, then the next two, four and
/// eight, then to nothing (every id left).
fn bucket_queries(query: &str, below: i64) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    if below <= 0 {
        return out;
    }
    let mut next = (below - 1) >> BUCKET_SHIFT;
    for n in BUCKET_STEPS {
        if next < 0 {
            return out;
        }
        let lowest = (next - n + 1).max(0);
        let stretches: Vec<String> = (lowest..=next).rev().map(|b| format!("'#{b}'")).collect();
        out.push((
            format!("({query}) & ({})", stretches.join(" | ")),
            lowest << BUCKET_SHIFT,
        ));
        next = lowest - 1;
    }
    if next >= 0 {
        out.push((query.to_string(), 0));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_read_as_what_it_looks_like() {
        assert_eq!(
            SearchQuery::parse(" 331125-2025-00042 "),
            SearchQuery::Number("331125-2025-00042".into())
        );
        assert!(matches!(
            SearchQuery::parse("13800138000"),
            SearchQuery::Phone(_)
        ));
        assert!(matches!(
            SearchQuery::parse("11010519491231002X"),
            SearchQuery::IdNumber(_)
        ));
        assert!(matches!(SearchQuery::parse("楼上漏水"), SearchQuery::Text(t) if !t.is_empty()));
    }

    /// Every id below the start is asked for once, newest first, in at most five
    /// queries: a word found only in the oldest case is still found.
    #[test]
    fn stretches_cover_every_id_once_newest_first() {
        assert!(bucket_queries("'a'", 0).is_empty());
        assert_eq!(
            bucket_queries("'a'", 1),
            vec![("('a') & ('#0')".to_string(), 0)]
        );
        let qs = bucket_queries("'a' & 'b'", 10_000_010);
        let stretch = |q: &str| -> Vec<i64> {
            q.split("'#")
                .skip(1)
                .map(|t| t.split('\'').next().unwrap().parse().unwrap())
                .collect()
        };
        let mut seen: Vec<i64> = qs[..4].iter().flat_map(|(q, _)| stretch(q)).collect();
        assert_eq!(seen[0], 10_000_009 >> 16, "the newest stretch first");
        assert_eq!(seen.len(), 15);
        seen.dedup();
        assert_eq!(seen.len(), 15, "no stretch twice");
        assert!(
            seen.windows(2).all(|w| w[0] == w[1] + 1),
            "no stretch skipped"
        );
        let (rest, lo) = &qs[4];
        assert_eq!(
            (rest.as_str(), *lo),
            ("'a' & 'b'", 0),
            "then everything older"
        );
        assert_eq!(qs[3].1, (seen[14]) << 16);
        assert!(qs.iter().all(|(q, _)| q.contains("'a' & 'b'")));
    }
}
