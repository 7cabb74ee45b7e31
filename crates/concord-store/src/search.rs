//! Finding cases: by number, by a party's phone or ID number (through their keyed
//! hashes), or by Chinese free text over descriptions, addresses and party names — newest
//! first, every term required, within the searcher's region.

use concord_domain::case::PartyRole;
use concord_domain::person::{IdNumber, Phone};
use concord_domain::region::{RegionCode, RegionLevel};
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

/// What parties are looked up by: the keyed hashes of their phone or ID numbers, or
/// their names.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PartyMatch<'a> {
    Keys(&'a [String]),
    Names(&'a [String]),
}

impl PartyMatch<'_> {
    /// The words SQLite's index of parties (`party_keys`) holds for these values under
    /// `role`: the role, what the value is and the value — a key as it is (hex), a name
    /// as its UTF-8 in hex, so that no character of a name is taken for a separator or
    /// for the query's syntax. Keyed hashes are hex: anything else is left out, so
    /// nothing but hex reaches the query. The index's tokenizer folds ASCII case; the
    /// triggers of migration 0030 write the same words.
    fn words(self, role: &str) -> Vec<String> {
        match self {
            PartyMatch::Keys(keys) => keys
                .iter()
                .filter(|k| !k.is_empty() && k.bytes().all(|b| b.is_ascii_hexdigit()))
                .flat_map(|k| [format!("{role}phone{k}"), format!("{role}id{k}")])
                .collect(),
            PartyMatch::Names(names) => names
                .iter()
                .map(|n| format!("{role}name{}", hex::encode(n.as_bytes())))
                .collect(),
        }
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
        let key = match SearchQuery::parse(q) {
            SearchQuery::Number(n) => {
                let ids: Vec<i64> = with_db!(self, pool => {
                    sqlx::query_scalar("SELECT id FROM cases WHERE number = $1").bind(n).fetch_all(pool).await?
                });
                return self.cases_in_scope(&ids, scope, limit).await;
            }
            SearchQuery::Phone(p) => self.party_key.phone(&p),
            SearchQuery::IdNumber(id) => self.party_key.id_number(&id),
            SearchQuery::Text(terms) if terms.is_empty() => return Ok(Vec::new()),
            SearchQuery::Text(terms) => return self.search_text(&terms, scope, limit).await,
        };
        let mut ids = self
            .case_ids_of_parties(PartyRole::ALL, PartyMatch::Keys(&[key]), 500)
            .await?;
        ids.dedup();
        self.cases_in_scope(&ids, scope, limit).await
    }

    /// The ids of the newest cases (newest first, at most about `limit`) in which a party
    /// in one of `roles` is `who`. SQLite looks them up in its full-text index of the
    /// parties' words (migration 0030): one word per role and key, or role and name;
    /// PostgreSQL in its indexes on the columns.
    pub(crate) async fn case_ids_of_parties(
        &self,
        roles: &[PartyRole],
        who: PartyMatch<'_>,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let mut a = Args::default();
        let sql = match self.db {
            crate::Db::Sqlite(_) => {
                let words: Vec<String> = roles.iter().flat_map(|r| who.words(r.as_str())).collect();
                if words.is_empty() {
                    return Ok(Vec::new());
                }
                let m = a.push(Arg::Text(words.join(" OR ")));
                format!(
                    "SELECT case_id FROM parties WHERE id IN (SELECT rowid FROM party_keys
                     WHERE party_keys MATCH {m} ORDER BY rowid DESC LIMIT {limit})
                     ORDER BY case_id DESC"
                )
            }
            crate::Db::Postgres(_) => {
                let (PartyMatch::Keys(values) | PartyMatch::Names(values)) = who;
                if values.is_empty() || roles.is_empty() {
                    return Ok(Vec::new());
                }
                let v: Vec<String> = values
                    .iter()
                    .map(|v| a.push(Arg::Text(v.clone())))
                    .collect();
                let r: Vec<String> = roles
                    .iter()
                    .map(|r| a.push(Arg::Text(r.as_str().into())))
                    .collect();
                let (v, r) = (v.join(", "), r.join(", "));
                let cond = match who {
                    PartyMatch::Keys(_) => format!("(phone_key IN ({v}) OR id_key IN ({v}))"),
                    PartyMatch::Names(_) => format!("name IN ({v})"),
                };
                format!(
                    "SELECT case_id FROM parties WHERE {cond} AND role IN ({r})
                     ORDER BY case_id DESC LIMIT {limit}"
                )
            }
        };
        Ok(with_db!(self, pool => {
            bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), &a.0).fetch_all(pool).await?
        }))
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
            let ids = self
                .text_candidates(terms, below, scope, limit - found.len())
                .await?;
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

    /// The ids of the newest cases in `scope` below `below` that contain every term:
    /// ROUND of them from SQLite's FTS5 table, or the `want` wanted from PostgreSQL's
    /// tsvector index (whose matches are all in scope). The scope is asked for here, not
    /// after: in a database of many counties the newest matches may all lie in other
    /// counties.
    async fn text_candidates(
        &self,
        terms: &[String],
        below: i64,
        scope: &RegionCode,
        want: usize,
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
                pg_candidates(pool, &expr.join(" & "), below, scope, want).await?
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

/// The search index's expression (migration 0027): the case's terms and the terms
/// naming its stretch in its county, city and province, its township and its village.
const PLACED: &str = "(terms || array_to_tsvector(ARRAY[
        '@' || left(region_code, 6) || ':' || year::text || ':' || (seq >> 12)::text,
        '@' || left(region_code, 4) || '#' || (case_id >> 16)::text,
        '@' || left(region_code, 2) || '#' || (case_id >> 16)::text,
        '@' || left(region_code, 9), '@' || region_code]))";
/// Case numbers per stretch of a county's year (`seq >> 12`).
const SEQ_SHIFT: u32 = 12;
/// Ids per stretch of a city or province (`case_id >> 16`).
const ID_SHIFT: u32 = 16;

/// PostgreSQL's GIN index hands out a word's matches in no order, so the newest of a
/// common word meant fetching every match from the table to sort them (230 ms at
/// 1,000,000 cases). The index also names each case's stretch in its county (of its
/// numbers, so a stretch is full of the county's own cases however many counties share
/// the database) and in its city and province (of ids). A search asks for the newest
/// stretch of its place, then the next two, four, eight: the index cuts the matches to
/// them, and a stretch with no case of the place costs nothing. Words that are common
/// alone but rare together would go on to walk every stretch (1.3 s at 10,000,000), so
/// after those the words alone drive the index, over the whole place.
async fn pg_candidates(
    pool: &sqlx::PgPool,
    words: &str,
    below: i64,
    scope: &RegionCode,
    want: usize,
) -> Result<Vec<i64>, StoreError> {
    let stretches = pg_stretches(pool, scope).await?;
    // Region codes are digits only (RegionCode), so quoting the place is safe.
    let words = match scope.level() {
        RegionLevel::Township | RegionLevel::Village => {
            format!("({words}) & '@{}'", scope.prefix())
        }
        _ => format!("({words})"),
    };
    let place = scope.prefix();
    let mut found: Vec<i64> = Vec::new();
    for step in steps(&words, &stretches) {
        // The matches first (materialized, so that the planner does not walk the ids
        // newest first testing each row), then the newest of them.
        let (q, within) = match &step {
            Step::Stretches(q) => (q, String::new()),
            Step::Place(q) => {
                // The place's every match: those its stretches found are among them.
                found.clear();
                (q, format!("AND left(region_code, {}) = $3", place.len()))
            }
        };
        let sql = format!(
            "WITH m AS MATERIALIZED (SELECT case_id FROM case_search
             WHERE {PLACED} @@ $1::tsquery AND case_id < $2 {within})
             SELECT case_id FROM m ORDER BY case_id DESC LIMIT {}",
            want - found.len()
        );
        let mut query = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .bind(q)
            .bind(below);
        if let Step::Place(_) = step {
            query = query.bind(place);
        }
        found.extend(query.fetch_all(pool).await?);
        if found.len() >= want {
            break;
        }
    }
    Ok(found)
}

/// The index terms of `scope`'s stretches, newest first: its county's by year and
/// number (from the case counters), or above a county its city's or province's by id.
async fn pg_stretches(pool: &sqlx::PgPool, scope: &RegionCode) -> Result<Vec<String>, StoreError> {
    let place = scope.prefix();
    if place.len() >= 6 {
        let county = &place[..6];
        let years: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT year, last_seq FROM case_counters WHERE county_code = $1 ORDER BY year DESC",
        )
        .bind(county)
        .fetch_all(pool)
        .await?;
        Ok(years
            .into_iter()
            .flat_map(|(y, last)| {
                (0..=last >> SEQ_SHIFT)
                    .rev()
                    .map(move |k| format!("'@{county}:{y}:{k}'"))
            })
            .collect())
    } else {
        let top: Option<i64> = sqlx::query_scalar("SELECT MAX(case_id) FROM case_search")
            .fetch_one(pool)
            .await?;
        Ok(top.map_or(Vec::new(), |t| {
            (0..=t >> ID_SHIFT)
                .rev()
                .map(|k| format!("'@{place}#{k}'"))
                .collect()
        }))
    }
}

/// Stretches a word search walks before the words alone drive it: 1 + 2 + 4 + 8, about
/// 61,000 of a county's newest cases at most.
const WALKED: usize = 15;

/// One query of a word search.
#[derive(Debug, PartialEq)]
enum Step {
    /// The words cut to some of the place's stretches.
    Stretches(String),
    /// The words alone, over the whole place.
    Place(String),
}

/// The queries a word search makes: `words` cut to the newest stretch, then to the
/// next two, four and eight, then — if stretches are left — `words` alone.
fn steps(words: &str, stretches: &[String]) -> Vec<Step> {
    let (mut out, mut at, mut n) = (Vec::new(), 0, 1);
    while at < stretches.len().min(WALKED) {
        let step = &stretches[at..(at + n).min(stretches.len())];
        out.push(Step::Stretches(format!("{words} & ({})", step.join(" | "))));
        at += n;
        n *= 2;
    }
    if at < stretches.len() {
        out.push(Step::Place(words.to_string()));
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

    // The newest stretches are asked for once each, newest first, in steps that
    // double; past them the words alone ask for the rest of the place.
    #[test]
    fn stretches_are_asked_for_once_each_newest_first_then_the_words_alone() {
        assert!(steps("('a')", &[]).is_empty());
        let stretches = |n: usize| -> Vec<String> {
            (0..n)
                .rev()
                .map(|k| format!("'@331125:2026:{k}'"))
                .collect()
        };
        let asked = |qs: &[Step]| -> Vec<String> {
            qs.iter()
                .filter_map(|q| match q {
                    Step::Stretches(q) => Some(q),
                    Step::Place(_) => None,
                })
                .flat_map(|q| {
                    q.split(" & (")
                        .nth(1)
                        .unwrap()
                        .trim_end_matches(')')
                        .split(" | ")
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let few = stretches(12);
        let qs = steps("('a' & 'b')", &few);
        assert_eq!(qs.len(), 4, "1 + 2 + 4 + the last 5");
        assert_eq!(
            qs[0],
            Step::Stretches("('a' & 'b') & ('@331125:2026:11')".into())
        );
        assert_eq!(
            qs[1],
            Step::Stretches("('a' & 'b') & ('@331125:2026:10' | '@331125:2026:9')".into())
        );
        assert_eq!(asked(&qs), few, "each stretch once, in order");

        let many = stretches(100);
        let qs = steps("('a' & 'b')", &many);
        assert_eq!(qs.len(), 5, "1 + 2 + 4 + 8, then the words alone");
        assert_eq!(asked(&qs), many[..WALKED]);
        assert_eq!(qs[4], Step::Place("('a' & 'b')".into()));
    }
}
