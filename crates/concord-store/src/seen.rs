//! What the center has seen before: the same matter brought again (near-duplicates, to
//! merge into one group case), the same person petitioning again about the same matter
//! (重复访), and a petition to a higher level while a lower one still handles it (越级访).
//! People are matched by the keyed hashes of their phone and ID numbers, never by the
//! plain numbers.

use std::collections::HashMap;

use concord_domain::case::{Case, CaseKind, Level, NewCase, PartyRole, Status};
use concord_domain::intake::VisitLevel;
use concord_domain::time::to_micros;
use concord_text::similar::{SAME_MATTER, similarity};
use jiff::{SignedDuration, Timestamp};

use crate::args::{Args, bind_all};
use crate::cases::CASE_COLUMNS;
use crate::rows::{CaseRow, case_from_rows};
use crate::search::PartyMatch;
use crate::{Store, StoreError, with_db};

/// Open cases registered this recently are candidates for the same matter brought again.
const DUPLICATE_DAYS: i64 = 30;
/// A person's cases this far back are looked at for repeat and skip-level petitions.
const HISTORY_DAYS: i64 = 365;
const MAX_CANDIDATES: i64 = 200;

/// An earlier case like this one, and why it is thought to be.
#[derive(Debug, Clone)]
pub struct Match {
    pub case: Case,
    pub similarity: f64,
    pub why: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Open cases about the same matter from the same place or against the same party.
    pub duplicates: Vec<Match>,
    /// The same person's earlier petition about the same matter.
    pub repeat_of: Option<Match>,
    /// The same person's case about the same matter, still open at a lower level.
    pub skip_level_of: Option<Match>,
}

/// The level a case is brought to: a petition's visited level, else the case's own.
fn brought_to(f: &NewCase) -> Level {
    match f.intake.petition.as_ref().map(|p| p.visited_level) {
        Some(VisitLevel::Village) => Level::Village,
        Some(VisitLevel::Township) => Level::Township,
        Some(VisitLevel::County) => Level::County,
        Some(VisitLevel::City | VisitLevel::Province | VisitLevel::Central) => Level::City,
        None => f.level,
    }
}

/// The keyed hashes of a case's parties in one role.
struct Keys(Vec<String>);

impl Store {
    fn keys(&self, f: &NewCase, role: PartyRole) -> Keys {
        let key = &self.party_key;
        Keys(
            f.parties
                .iter()
                .filter(|p| p.role == role)
                .flat_map(|p| {
                    let phone = p.phone.as_ref().map(|x| key.phone(x));
                    let id = p.id_number.as_ref().map(|x| key.id_number(x));
                    phone.into_iter().chain(id)
                })
                .collect(),
        )
    }

    /// What the center has seen of a case with these facts (`exclude`: the case itself).
    pub async fn seen_before(
        &self,
        f: &NewCase,
        exclude: Option<i64>,
        now: Timestamp,
    ) -> Result<Seen, StoreError> {
        let mut seen = Seen {
            duplicates: self.duplicates(f, exclude, now).await?,
            ..Seen::default()
        };
        if f.kind == CaseKind::Petition {
            let history = self.persons_cases(f, exclude, now).await?;
            let level = brought_to(f);
            seen.repeat_of = history
                .iter()
                .find(|m| m.case.facts.kind == CaseKind::Petition)
                .cloned();
            seen.skip_level_of = history
                .into_iter()
                .find(|m| m.case.status.is_open() && m.case.facts.level < level);
        }
        Ok(seen)
    }

    async fn duplicates(
        &self,
        f: &NewCase,
        exclude: Option<i64>,
        now: Timestamp,
    ) -> Result<Vec<Match>, StoreError> {
        let respondents: Vec<String> = f
            .parties
            .iter()
            .filter(|p| p.role == PartyRole::Respondent && p.name.chars().count() >= 2)
            .map(|p| p.name.clone())
            .collect();
        let keys = self.keys(f, PartyRole::Respondent);
        let since = to_micros(now - SignedDuration::from_hours(24 * DUPLICATE_DAYS));
        let mut ids: Vec<i64> = with_db!(self, pool => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM cases WHERE region_code = $1 AND registered_at >= $2
                 ORDER BY registered_at DESC LIMIT {MAX_CANDIDATES}")))
                .bind(f.region.to_string()).bind(since).fetch_all(pool).await?
        });
        let respondent = &[PartyRole::Respondent];
        for who in [PartyMatch::Names(&respondents), PartyMatch::Keys(&keys.0)] {
            ids.extend(
                self.case_ids_of_parties(respondent, who, MAX_CANDIDATES)
                    .await?,
            );
        }
        let candidates: Vec<Case> = self
            .cases_by_ids(ids)
            .await?
            .into_iter()
            .filter(|c| {
                c.status.is_open() && to_micros(c.registered_at) >= since && Some(c.id) != exclude
            })
            .collect();
        let parties = self.respondents_of(&candidates).await?;
        let mut out: Vec<Match> = candidates
            .into_iter()
            .filter_map(|c| {
                let sim = similarity(&f.description, &c.facts.description);
                let mut why = Vec::new();
                if c.facts.region == f.region {
                    why.push("同一地点".to_string());
                }
                let theirs = parties.get(&c.id).map(Vec::as_slice).unwrap_or_default();
                if let Some(n) = theirs.iter().find(|(name, k)| {
                    respondents.contains(name) || k.iter().any(|k| keys.0.contains(k))
                }) {
                    why.push(format!("同一被申请人:{}", n.0));
                }
                (!why.is_empty() && sim >= SAME_MATTER).then(|| {
                    why.push(format!("描述相似度{:.0}%", sim * 100.0));
                    Match {
                        case: c,
                        similarity: sim,
                        why,
                    }
                })
            })
            .collect();
        out.sort_by(|a, b| b.similarity.total_cmp(&a.similarity));
        out.truncate(5);
        Ok(out)
    }

    /// The applicants' own earlier cases about the same matter, newest first.
    async fn persons_cases(
        &self,
        f: &NewCase,
        exclude: Option<i64>,
        now: Timestamp,
    ) -> Result<Vec<Match>, StoreError> {
        let keys = self.keys(f, PartyRole::Applicant);
        if keys.0.is_empty() {
            return Ok(Vec::new());
        }
        let since = to_micros(now - SignedDuration::from_hours(24 * HISTORY_DAYS));
        let ids = self
            .case_ids_of_parties(
                &[PartyRole::Applicant],
                PartyMatch::Keys(&keys.0),
                MAX_CANDIDATES,
            )
            .await?;
        let mut cases: Vec<Case> = self
            .cases_by_ids(ids)
            .await?
            .into_iter()
            .filter(|c| {
                to_micros(c.registered_at) >= since
                    && Some(c.id) != exclude
                    && c.status != Status::Merged
            })
            .collect();
        cases.sort_by_key(|c| std::cmp::Reverse(c.id));
        Ok(cases
            .into_iter()
            .filter_map(|c| {
                let sim = similarity(&f.description, &c.facts.description);
                let same_kind_of_matter = c.facts.category == f.category;
                (sim >= SAME_MATTER || (same_kind_of_matter && sim >= SAME_MATTER / 2.0)).then(
                    || Match {
                        why: vec![
                            "同一申请人(按身份证号或电话匹配)".to_string(),
                            format!("描述相似度{:.0}%", sim * 100.0),
                        ],
                        case: c,
                        similarity: sim,
                    },
                )
            })
            .collect())
    }

    /// Cases by id (rowid lookups only), each once.
    async fn cases_by_ids(&self, mut ids: Vec<i64>) -> Result<Vec<Case>, StoreError> {
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE id IN ({})",
            list.join(", ")
        );
        self.cases_by(sql, Args::default()).await
    }

    async fn cases_by(&self, sql: String, a: Args) -> Result<Vec<Case>, StoreError> {
        let rows: Vec<CaseRow> = with_db!(self, pool => {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &a.0).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|r| case_from_rows(r, Vec::new(), Vec::new()))
            .collect()
    }

    /// Each case's respondents: (name, keyed hashes).
    async fn respondents_of(
        &self,
        cases: &[Case],
    ) -> Result<HashMap<i64, Vec<(String, Vec<String>)>>, StoreError> {
        if cases.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<String> = cases.iter().map(|c| c.id.to_string()).collect();
        let sql = format!(
            "SELECT case_id, name, phone_key, id_key FROM parties WHERE role = 'respondent' AND case_id IN ({})",
            ids.join(", ")
        );
        type Row = (i64, String, Option<String>, Option<String>);
        let rows: Vec<Row> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        });
        let mut out: HashMap<i64, Vec<(String, Vec<String>)>> = HashMap::new();
        for (id, name, pk, ik) in rows {
            out.entry(id)
                .or_default()
                .push((name, pk.into_iter().chain(ik).collect()));
        }
        Ok(out)
    }
}
