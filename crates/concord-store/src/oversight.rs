//! Oversight from the record: the follow-up queue; accountability per unit and person
//! (dissatisfied follow-ups: 3 mean an accountability interview, 5 rule out "advanced"
//! that period; overdue time by who held the clock; explanations and rectifications);
//! the mediators' half-year figures; per-case subsidies (以奖代补).

use std::collections::{BTreeMap, HashMap};

use concord_domain::case::{Case, CaseKind, Outcome, Satisfaction, Status};
use concord_domain::custody::{Move, custody};
use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;

use crate::alerts::{AlertKind, AlertLevel};
use crate::args::{Arg, bind_all};
use crate::cases::CASE_COLUMNS;
use crate::list::{Where, open_statuses, region_clause};
use crate::rows::{CaseRow, case_from_rows, corrupt};
use crate::{Store, StoreError, with_db};

/// Dissatisfied follow-ups in a period that call for an accountability interview (约谈).
pub const INTERVIEW_AT: u32 = 3;
/// …and that rule a unit out of being rated advanced (不能评为先进) that period.
pub const NOT_ADVANCED_AT: u32 = 5;

/// One unit's or person's record over a period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Accountable {
    pub dissatisfied: u32,
    pub interview: bool,
    pub not_advanced: bool,
    /// Cases whose overdue time was partly theirs, and the days.
    pub overdue_cases: u32,
    pub overdue_days: f64,
    pub rectifications: u32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Accountability {
    pub units: BTreeMap<i64, Accountable>,
    pub mediators: BTreeMap<i64, Accountable>,
}

/// A mediator's figures over a period.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct MediatorFigures {
    pub closed: u32,
    pub agreements: u32,
    /// Agreements among cases mediated to an end, 0 to 1.
    pub success_rate: Option<f64>,
    pub followed_up: u32,
    pub satisfied: u32,
    /// Satisfied or basically satisfied among those followed up, 0 to 1.
    pub satisfaction_rate: Option<f64>,
    pub dissatisfied: u32,
    pub training_hours: f64,
}

fn rate(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| (f64::from(a) / f64::from(b) * 1000.0).round() / 1000.0)
}

/// `2026H1` → [2026-01-01, 2026-07-01) in Asia/Shanghai.
pub fn half_year(period: &str) -> Option<(Timestamp, Timestamp)> {
    let (y, h) = period.split_once('H')?;
    let y: i16 = y.parse().ok()?;
    let (a, b) = match h {
        "1" => (jiff::civil::date(y, 1, 1), jiff::civil::date(y, 7, 1)),
        "2" => (jiff::civil::date(y, 7, 1), jiff::civil::date(y + 1, 1, 1)),
        _ => return None,
    };
    Some((
        concord_domain::time::start_of_day(a),
        concord_domain::time::start_of_day(b),
    ))
}

fn satisfaction_of(details: &str) -> Option<Satisfaction> {
    let v: serde_json::Value = serde_json::from_str(details).ok()?;
    let s = v["changes"]["satisfaction"][1].as_str()?;
    Satisfaction::parse("satisfaction", s).ok()
}

/// The half-year `at` falls in, as [start, end).
fn half_year_of(at: Timestamp) -> (Timestamp, Timestamp) {
    let d = concord_domain::time::local_date(at);
    let h = if d.month() <= 6 { 1 } else { 2 };
    half_year(&format!("{}H{h}", d.year())).expect("a valid half-year")
}

impl Store {
    /// After a dissatisfied follow-up: when the lead unit's count this half-year reaches
    /// an accountability threshold, its county's command center is alerted (once each).
    pub(crate) async fn accountability_alert(
        &self,
        case: &Case,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let Some(unit) = case.lead_unit else {
            return Ok(());
        };
        let (from, to) = half_year_of(now);
        let details: Vec<String> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT e.details FROM case_events e JOIN cases c ON c.id = e.case_id
                                WHERE e.action = 'follow_up' AND c.lead_unit = $1 AND e.at >= $2 AND e.at < $3")
                .bind(unit).bind(to_micros(from)).bind(to_micros(to)).fetch_all(pool).await?
        });
        let n = details
            .iter()
            .filter(|d| satisfaction_of(d) == Some(Satisfaction::Dissatisfied))
            .count() as u32;
        let (level, consequence) = match n {
            INTERVIEW_AT => (AlertLevel::Yellow, "应予约谈"),
            NOT_ADVANCED_AT => (AlertLevel::Orange, "本期不得评为先进"),
            _ => return Ok(()),
        };
        let name: Option<String> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(unit).fetch_optional(pool).await?
        });
        let name = name.unwrap_or_else(|| format!("单位{unit}"));
        let alert = crate::alerts::NewAlert {
            kind: AlertKind::Accountability,
            level,
            case_id: Some(case.id),
            region: case.facts.region.numbering_county(),
            message: format!("{name}本半年不满意回访已达{n}件,{consequence}"),
        };
        self.raise_alert(&alert, now).await.map(|_| ())
    }

    pub(crate) async fn cases_where(&self, w: Where, tail: &str) -> Result<Vec<Case>, StoreError> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE {} {tail}",
            w.clauses.join(" AND ")
        );
        let rows: Vec<CaseRow> = with_db!(self, pool => {
            bind_all!(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &w.args.0).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|r| case_from_rows(r, Vec::new(), Vec::new()))
            .collect()
    }

    /// Closed cases waiting for their follow-up call, the most urgent first.
    pub async fn follow_up_queue(
        &self,
        scope: &RegionCode,
        limit: u32,
    ) -> Result<Vec<Case>, StoreError> {
        let mut w = Where::default();
        region_clause(&mut w, scope);
        // The county narrows the walk of `cases_county_follow_up` below it too.
        if scope.level() > RegionLevel::County {
            w.text(|p| format!("county_code = {p}"), &scope.as_str()[..6]);
        }
        w.clauses
            .push("status = 'closed' AND follow_up_due IS NOT NULL".into());
        self.cases_where(
            w,
            &format!("ORDER BY follow_up_due LIMIT {}", limit.clamp(1, 500)),
        )
        .await
    }

    /// Cases closed in [from, to) in `scope` (by the county index on closure).
    pub async fn closed_between(
        &self,
        scope: &RegionCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Case>, StoreError> {
        let mut w = Where::default();
        let county = w
            .args
            .push(Arg::Text(scope.numbering_county().prefix().to_string()));
        let (a, b) = (
            w.args.push(Arg::Int(to_micros(from))),
            w.args.push(Arg::Int(to_micros(to))),
        );
        w.clauses.push(format!(
            "county_code = {county} AND closed_at >= {a} AND closed_at < {b}"
        ));
        let cases = self.cases_where(w, "").await?;
        Ok(cases
            .into_iter()
            .filter(|c| scope.contains(&c.facts.region))
            .collect())
    }

    /// Accountability per unit and mediator over [from, to).
    pub async fn accountability(
        &self,
        scope: &RegionCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Accountability, StoreError> {
        let mut out = Accountability::default();
        self.count_dissatisfied(scope, from, to, &mut out).await?;
        self.charge_overdue(scope, from, to, &mut out).await?;
        let rect: Vec<(i64, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT org_id, COUNT(*) FROM rectifications WHERE filed_at >= $1 AND filed_at < $2 GROUP BY org_id")
                .bind(to_micros(from)).bind(to_micros(to)).fetch_all(pool).await?
        });
        for (org, n) in rect {
            out.units.entry(org).or_default().rectifications = n as u32;
        }
        for a in out.units.values_mut().chain(out.mediators.values_mut()) {
            a.interview = a.dissatisfied >= INTERVIEW_AT;
            a.not_advanced = a.dissatisfied >= NOT_ADVANCED_AT;
            a.overdue_days = (a.overdue_days * 100.0).round() / 100.0;
        }
        Ok(out)
    }

    async fn count_dissatisfied(
        &self,
        scope: &RegionCode,
        from: Timestamp,
        to: Timestamp,
        out: &mut Accountability,
    ) -> Result<(), StoreError> {
        type Row = (Option<i64>, Option<i64>, String, String);
        let rows: Vec<Row> = with_db!(self, pool => {
            sqlx::query_as("SELECT c.lead_unit, c.mediator, c.region_code, e.details FROM case_events e JOIN cases c ON c.id = e.case_id
                            WHERE e.action = 'follow_up' AND e.at >= $1 AND e.at < $2")
                .bind(to_micros(from)).bind(to_micros(to)).fetch_all(pool).await?
        });
        for (unit, mediator, region, details) in rows {
            if !region.starts_with(scope.prefix())
                || satisfaction_of(&details) != Some(Satisfaction::Dissatisfied)
            {
                continue;
            }
            if let Some(u) = unit {
                out.units.entry(u).or_default().dissatisfied += 1;
            }
            if let Some(m) = mediator {
                out.mediators.entry(m).or_default().dissatisfied += 1;
            }
        }
        Ok(())
    }

    /// Overdue time of cases closed late in the period, or open and overdue now, charged
    /// to the units that held the clock.
    async fn charge_overdue(
        &self,
        scope: &RegionCode,
        from: Timestamp,
        to: Timestamp,
        out: &mut Accountability,
    ) -> Result<(), StoreError> {
        let now = Timestamp::now();
        let mut late: Vec<Case> = self
            .closed_between(scope, from, to)
            .await?
            .into_iter()
            .filter(|c| {
                c.deadline
                    .is_some_and(|d| c.closed_at.is_some_and(|x| x > d))
            })
            .collect();
        let mut w = Where::default();
        region_clause(&mut w, scope);
        let n = w.args.push(Arg::Int(to_micros(now)));
        w.clauses.push(format!(
            "status IN ({}) AND deadline <= {n}",
            open_statuses()
        ));
        late.extend(self.cases_where(w, "").await?);
        let ids: Vec<i64> = late.iter().map(|c| c.id).collect();
        for (_, moves) in self.moves_of(&ids).await? {
            let stretches: Vec<Move> = moves
                .iter()
                .map(|(at, st, ch)| Move {
                    at: *at,
                    to: *st,
                    changes: ch,
                })
                .collect();
            let mut charged: HashMap<i64, i64> = HashMap::new();
            for p in custody(&stretches, now) {
                if let (Some(u), true) = (p.unit, p.overdue_micros > 0) {
                    *charged.entry(u).or_default() += p.overdue_micros;
                }
            }
            for (u, micros) in charged {
                let a = out.units.entry(u).or_default();
                a.overdue_cases += 1;
                a.overdue_days += micros as f64 / 86_400_000_000.0;
            }
        }
        Ok(())
    }

    /// Each case's moves: (when, to which state, the recorded changes).
    async fn moves_of(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, Vec<(Timestamp, Status, serde_json::Value)>>, StoreError> {
        let mut out: HashMap<i64, Vec<(Timestamp, Status, serde_json::Value)>> = HashMap::new();
        for chunk in ids.chunks(500) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let sql = format!(
                "SELECT case_id, at, to_status, details FROM case_events WHERE case_id IN ({}) ORDER BY case_id, seq",
                list.join(", ")
            );
            let rows: Vec<(i64, i64, String, String)> = with_db!(self, pool => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
            });
            for (id, at, to, details) in rows {
                let status = Status::parse("to_status", &to).map_err(corrupt)?;
                let v: serde_json::Value = serde_json::from_str(&details)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                out.entry(id)
                    .or_default()
                    .push((from_micros(at), status, v["changes"].clone()));
            }
        }
        Ok(out)
    }

    /// Every mediator's figures for the cases closed in [from, to) in `scope`.
    pub async fn mediator_figures(
        &self,
        scope: &RegionCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<BTreeMap<i64, MediatorFigures>, StoreError> {
        let mut out: BTreeMap<i64, MediatorFigures> = BTreeMap::new();
        for c in self.closed_between(scope, from, to).await? {
            let Some(m) = c.mediator else { continue };
            let f = out.entry(m).or_default();
            f.closed += 1;
            if matches!(
                c.outcome,
                Some(Outcome::Agreement | Outcome::AgreementConfirmed)
            ) {
                f.agreements += 1;
            }
            if let Some(s) = c.satisfaction {
                f.followed_up += 1;
                match s {
                    Satisfaction::Dissatisfied => f.dissatisfied += 1,
                    _ => f.satisfied += 1,
                }
            }
        }
        let hours: Vec<(i64, f64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT mediator_id, SUM(hours) FROM trainings WHERE day >= $1 AND day < $2 GROUP BY mediator_id")
                .bind(concord_domain::time::local_date(from).to_string()).bind(concord_domain::time::local_date(to).to_string())
                .fetch_all(pool).await?
        });
        for (m, h) in hours {
            out.entry(m).or_default().training_hours = h;
        }
        for f in out.values_mut() {
            f.success_rate = rate(f.agreements, f.closed);
            f.satisfaction_rate = rate(f.satisfied, f.followed_up);
        }
        Ok(out)
    }

    /// The amount paid per resolved case of each type (a category code, or `petition`).
    pub async fn subsidy_rates(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        let rows: Vec<(String, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT case_type, amount_fen FROM subsidy_rates").fetch_all(pool).await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Per mediator: resolved cases closed in [from, to) by type, and the subsidy due.
    pub async fn subsidy_payout(
        &self,
        scope: &RegionCode,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<BTreeMap<i64, BTreeMap<String, (u32, i64)>>, StoreError> {
        let rates = self.subsidy_rates().await?;
        let mut out: BTreeMap<i64, BTreeMap<String, (u32, i64)>> = BTreeMap::new();
        for c in self.closed_between(scope, from, to).await? {
            let (Some(m), Some(Outcome::Agreement | Outcome::AgreementConfirmed)) =
                (c.mediator, c.outcome)
            else {
                continue;
            };
            let kind = match c.facts.kind {
                CaseKind::Petition => "petition".to_string(),
                CaseKind::Dispute => c.facts.category.as_str().to_string(),
            };
            let Some(&amount) = rates.get(&kind) else {
                continue;
            };
            let line = out.entry(m).or_default().entry(kind).or_default();
            line.0 += 1;
            line.1 += amount;
        }
        Ok(out)
    }

    pub async fn put_subsidy_rates(
        &self,
        rates: &BTreeMap<String, i64>,
        by: &str,
    ) -> Result<(), StoreError> {
        let (rates, by, at) = (rates.clone(), by.to_string(), to_micros(Timestamp::now()));
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("DELETE FROM subsidy_rates")
                .execute(&mut *conn)
                .await?;
            for (kind, fen) in rates {
                sqlx::query("INSERT INTO subsidy_rates (case_type, amount_fen, updated_by, updated_at) VALUES ($1, $2, $3, $4)")
                    .bind(kind).bind(fen).bind(&by).bind(at).execute(&mut *conn).await?;
            }
            Ok::<(), StoreError>(())
        })
    }
}
