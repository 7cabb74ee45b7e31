//! Screening (排查): schedules, the rounds held on them and what each round found; the
//! ledger (排查台账) and the tally of a region's screening. A finding reported as a case
//! is found through the case's source and external reference (see the migration).

use concord_domain::FieldError;
use concord_domain::category::Category;
use concord_domain::region::RegionCode;
use concord_domain::screening::{
    Cadence, Focus, NewFinding, NewRound, NewSchedule, Outcome, Tally, periods, round_state,
};
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use crate::{Store, StoreError, with_db};

/// The source a case reported from a finding is registered with.
pub const SOURCE: &str = "screening";

#[derive(Debug, Clone, Serialize)]
pub struct Round {
    pub id: i64,
    pub period: String,
    pub held_on: Date,
    pub visited: i64,
    pub notes: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub id: i64,
    pub region: RegionCode,
    pub region_name: String,
    pub cadence: Cadence,
    pub focus: Focus,
    pub title: String,
    pub assignee: Option<i64>,
    pub assignee_name: Option<String>,
    pub starts_on: Date,
    pub created_by: String,
    /// Its rounds, latest period first.
    pub rounds: Vec<Round>,
}

impl Schedule {
    /// The day the round for `period` was held, if it was.
    pub fn held_on(&self, period: &str) -> Option<Date> {
        self.rounds
            .iter()
            .find(|r| r.period == period)
            .map(|r| r.held_on)
    }
}

/// The case a finding became.
#[derive(Debug, Clone, Serialize)]
pub struct ReportedCase {
    pub id: i64,
    pub number: String,
    pub status: String,
}

/// One line of the ledger.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub id: i64,
    pub round_id: i64,
    pub schedule_id: i64,
    pub schedule_title: String,
    pub focus: Focus,
    pub period: String,
    pub region: RegionCode,
    pub region_name: String,
    pub category: Category,
    pub description: String,
    pub who: String,
    pub outcome: Outcome,
    pub found_on: Date,
    pub recorded_by: String,
    pub case: Option<ReportedCase>,
}

/// Keeps one finding of round `$round` on `$conn`, inside the caller's transaction;
/// yields its id.
macro_rules! insert_finding {
    ($conn:expr, $round:expr, $f:expr, $held_on:expr, $by:expr, $now:expr) => {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO screening_findings (round_id, region_code, category, description,
             who, outcome, found_on, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind($round)
        .bind($f.region.as_str())
        .bind($f.category.as_str())
        .bind(&$f.description)
        .bind(&$f.who)
        .bind($f.outcome.as_str())
        .bind($held_on.to_string())
        .bind($by)
        .bind(to_micros($now))
        .fetch_one(&mut *$conn)
        .await
    };
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("screening {what}"))
}

fn date(s: &str) -> Result<Date, StoreError> {
    s.parse().map_err(|_| corrupt("date"))
}

/// A stored code read back.
fn parse<T>(r: Result<T, FieldError>) -> Result<T, StoreError> {
    r.map_err(|e| corrupt(&e.field))
}

fn region(s: &str) -> Result<RegionCode, StoreError> {
    parse(RegionCode::parse("region", s))
}

type ScheduleRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    String,
    String,
);

const SCHEDULE_SELECT: &str = "SELECT s.id, s.region_code, r.name, s.cadence, s.focus, s.title,
    s.assignee_id, u.display_name, s.starts_on, s.created_by
    FROM screening_schedules s JOIN regions r ON r.code = s.region_code
    LEFT JOIN users u ON u.id = s.assignee_id";

type RoundRow = (i64, i64, String, String, i64, String, String, i64);

#[derive(sqlx::FromRow)]
struct FindingRow {
    id: i64,
    round_id: i64,
    schedule_id: i64,
    title: String,
    focus: String,
    period: String,
    region_code: String,
    region_name: String,
    category: String,
    description: String,
    who: String,
    outcome: String,
    found_on: String,
    recorded_by: String,
    case_id: Option<i64>,
    case_number: Option<String>,
    case_status: Option<String>,
}

const FINDING_SELECT: &str = "SELECT f.id, f.round_id, s.id AS schedule_id, s.title, s.focus,
    r.period, f.region_code, g.name AS region_name, f.category, f.description, f.who, f.outcome,
    f.found_on, f.recorded_by, c.id AS case_id, c.number AS case_number, c.status AS case_status
    FROM screening_findings f
    JOIN screening_rounds r ON r.id = f.round_id
    JOIN screening_schedules s ON s.id = r.schedule_id
    JOIN regions g ON g.code = f.region_code
    LEFT JOIN cases c ON c.source = 'screening' AND c.external_ref = CAST(f.id AS TEXT)";

fn finding(r: FindingRow) -> Result<Finding, StoreError> {
    Ok(Finding {
        id: r.id,
        round_id: r.round_id,
        schedule_id: r.schedule_id,
        schedule_title: r.title,
        focus: parse(Focus::parse("focus", &r.focus))?,
        period: r.period,
        region: region(&r.region_code)?,
        region_name: r.region_name,
        category: parse(Category::parse("category", &r.category))?,
        description: r.description,
        who: r.who,
        outcome: parse(Outcome::parse("outcome", &r.outcome))?,
        found_on: date(&r.found_on)?,
        recorded_by: r.recorded_by,
        case: match (r.case_id, r.case_number, r.case_status) {
            (Some(id), Some(number), Some(status)) => Some(ReportedCase { id, number, status }),
            _ => None,
        },
    })
}

impl Store {
    /// Keeps a new schedule; the region must be in the tree and the assignee a user
    /// whose region covers it or lies in it.
    pub async fn add_schedule(
        &self,
        s: NewSchedule,
        by: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        self.require_region("region", &s.region).await?;
        if let Some(a) = s.assignee {
            let home: Option<String> = with_db!(self, pool => {
                sqlx::query_scalar("SELECT region_code FROM users WHERE id = $1")
                    .bind(a).fetch_optional(pool).await?
            });
            let related = home
                .and_then(|h| RegionCode::parse("assignee", &h).ok())
                .is_some_and(|h| h.contains(&s.region) || s.region.contains(&h));
            if !related {
                return Err(FieldError::new(
                    "assignee",
                    "unknown_user",
                    format!("用户{a}不存在,或不在区划{}工作", s.region),
                )
                .into());
            }
        }
        let by = by.to_string();
        crate::writer::write_tx!(self, |conn| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO screening_schedules (region_code, cadence, focus, title, assignee_id,
                 starts_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 RETURNING id",
            )
            .bind(s.region.as_str())
            .bind(s.cadence.as_str())
            .bind(s.focus.as_str())
            .bind(&s.title)
            .bind(s.assignee)
            .bind(s.starts_on.to_string())
            .bind(&by)
            .bind(to_micros(now))
            .fetch_one(&mut *conn)
            .await?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// The schedules of `scope`'s subtree, and those `assignee` screens wherever they
    /// are, with their rounds.
    pub async fn schedules(
        &self,
        scope: &RegionCode,
        assignee: Option<i64>,
    ) -> Result<Vec<Schedule>, StoreError> {
        let (lo, hi) = scope.subtree_range();
        let cond = "s.region_code BETWEEN $1 AND $2 OR s.assignee_id = $3";
        let sql = format!("{SCHEDULE_SELECT} WHERE {cond} ORDER BY s.region_code, s.id LIMIT 2000");
        let rounds_sql = format!(
            "SELECT id, schedule_id, period, held_on, visited, notes, recorded_by, recorded_at
             FROM screening_rounds WHERE schedule_id IN
               (SELECT s.id FROM screening_schedules s WHERE {cond})
             ORDER BY period DESC"
        );
        let who = assignee.unwrap_or(-1);
        let rows: Vec<ScheduleRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&lo).bind(&hi).bind(who).fetch_all(pool).await?
        });
        let rounds: Vec<RoundRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(rounds_sql)).bind(&lo).bind(&hi).bind(who).fetch_all(pool).await?
        });
        self.assemble(rows, rounds)
    }

    pub async fn schedule(&self, id: i64) -> Result<Option<Schedule>, StoreError> {
        let sql = format!("{SCHEDULE_SELECT} WHERE s.id = $1");
        let rows: Vec<ScheduleRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(pool).await?
        });
        let rounds: Vec<RoundRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, schedule_id, period, held_on, visited, notes, recorded_by, recorded_at
                            FROM screening_rounds WHERE schedule_id = $1 ORDER BY period DESC")
                .bind(id).fetch_all(pool).await?
        });
        Ok(self.assemble(rows, rounds)?.into_iter().next())
    }

    fn assemble(
        &self,
        rows: Vec<ScheduleRow>,
        rounds: Vec<RoundRow>,
    ) -> Result<Vec<Schedule>, StoreError> {
        let mut by_schedule: std::collections::HashMap<i64, Vec<Round>> = Default::default();
        for (id, schedule, period, held_on, visited, notes, by, at) in rounds {
            by_schedule.entry(schedule).or_default().push(Round {
                id,
                period,
                held_on: date(&held_on)?,
                visited,
                notes,
                recorded_by: by,
                recorded_at: from_micros(at),
            });
        }
        rows.into_iter()
            .map(
                |(id, code, name, cadence, focus, title, assignee, who, starts, by)| {
                    Ok(Schedule {
                        id,
                        region: region(&code)?,
                        region_name: name,
                        cadence: parse(Cadence::parse("cadence", &cadence))?,
                        focus: parse(Focus::parse("focus", &focus))?,
                        title,
                        assignee,
                        assignee_name: who,
                        starts_on: date(&starts)?,
                        created_by: by,
                        rounds: by_schedule.remove(&id).unwrap_or_default(),
                    })
                },
            )
            .collect()
    }

    /// Checks that every finding's place is in the tree, naming the finding.
    async fn require_finding_regions(
        &self,
        findings: &[NewFinding],
        field: impl Fn(usize) -> String,
    ) -> Result<(), StoreError> {
        for (i, f) in findings.iter().enumerate() {
            self.require_region(&field(i), &f.region).await?;
        }
        Ok(())
    }

    /// Keeps a round and its findings at once; a period is screened once.
    pub async fn record_round(
        &self,
        schedule: &Schedule,
        round: NewRound,
        by: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        self.require_finding_regions(&round.findings, |i| format!("findings[{i}].region"))
            .await?;
        let (schedule_id, code, by) = (schedule.id, schedule.region.to_string(), by.to_string());
        let label = round.period.label();
        crate::writer::write_tx!(self, |conn| {
            let taken: Option<String> = sqlx::query_scalar(
                "SELECT held_on FROM screening_rounds WHERE schedule_id = $1 AND period = $2",
            )
            .bind(schedule_id)
            .bind(&label)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(day) = taken {
                return Err(StoreError::Conflict(format!(
                    "{label}这一期已于{day}记录过排查"
                )));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO screening_rounds (schedule_id, region_code, period, held_on, visited,
                 notes, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 RETURNING id",
            )
            .bind(schedule_id)
            .bind(&code)
            .bind(&label)
            .bind(round.held_on.to_string())
            .bind(i64::from(round.visited))
            .bind(&round.notes)
            .bind(&by)
            .bind(to_micros(now))
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::Conflict(format!("{label}这一期已记录过排查"))
                }
                _ => e.into(),
            })?;
            for f in &round.findings {
                insert_finding!(conn, id, f, round.held_on, &by, now)?;
            }
            Ok::<i64, StoreError>(id)
        })
    }

    /// Adds a finding to a round already kept (found later the same round).
    pub async fn add_finding(
        &self,
        round_id: i64,
        held_on: Date,
        f: NewFinding,
        by: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        self.require_finding_regions(std::slice::from_ref(&f), |_| "region".into())
            .await?;
        let by = by.to_string();
        crate::writer::write_tx!(self, |conn| {
            let id = insert_finding!(conn, round_id, f, held_on, &by, now)?;
            Ok::<i64, StoreError>(id)
        })
    }

    /// The round `id` and its schedule.
    pub async fn round(&self, id: i64) -> Result<Option<(Schedule, Round)>, StoreError> {
        let schedule: Option<i64> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT schedule_id FROM screening_rounds WHERE id = $1")
                .bind(id).fetch_optional(pool).await?
        });
        let Some(schedule) = schedule else {
            return Ok(None);
        };
        Ok(self.schedule(schedule).await?.and_then(|s| {
            let round = s.rounds.iter().find(|r| r.id == id).cloned()?;
            Some((s, round))
        }))
    }

    /// The ledger: findings in `scope`'s subtree found in [from, to], latest first, at
    /// most `limit`.
    pub async fn findings(
        &self,
        scope: &RegionCode,
        from: Date,
        to: Date,
        limit: i64,
    ) -> Result<Vec<Finding>, StoreError> {
        let (lo, hi) = scope.subtree_range();
        let sql = format!(
            "{FINDING_SELECT} WHERE f.region_code BETWEEN $1 AND $2 AND f.found_on BETWEEN $3 AND $4
             ORDER BY f.found_on DESC, f.id DESC LIMIT $5"
        );
        let rows: Vec<FindingRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(&lo).bind(&hi).bind(from.to_string()).bind(to.to_string()).bind(limit)
                .fetch_all(pool).await?
        });
        rows.into_iter().map(finding).collect()
    }

    pub async fn finding(&self, id: i64) -> Result<Option<Finding>, StoreError> {
        let sql = format!("{FINDING_SELECT} WHERE f.id = $1");
        let row: Option<FindingRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await?
        });
        row.map(finding).transpose()
    }

    /// The findings of `round`, in the order found.
    pub async fn round_findings(&self, round: i64) -> Result<Vec<Finding>, StoreError> {
        self.findings_where("f.round_id = $1", round).await
    }

    /// The findings of every round of `schedule`, in the order found.
    pub async fn schedule_findings(&self, schedule: i64) -> Result<Vec<Finding>, StoreError> {
        self.findings_where("r.schedule_id = $1", schedule).await
    }

    async fn findings_where(&self, cond: &str, id: i64) -> Result<Vec<Finding>, StoreError> {
        let sql = format!("{FINDING_SELECT} WHERE {cond} ORDER BY f.id");
        let rows: Vec<FindingRow> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_all(pool).await?
        });
        rows.into_iter().map(finding).collect()
    }

    /// `scope`'s screening in [from, to] as seen on `today`: the periods that ended in
    /// the span (screened, late or missed) and the findings of the span.
    pub async fn screening_tally(
        &self,
        scope: &RegionCode,
        from: Date,
        to: Date,
        today: Date,
    ) -> Result<Tally, StoreError> {
        let mut tally = Tally::default();
        let end = to.min(today);
        for s in self.schedules(scope, None).await? {
            for p in periods(s.cadence, s.starts_on.max(from), end) {
                if p.last < from || p.last > end || p.last >= today {
                    continue;
                }
                tally.add_round(round_state(&p, s.held_on(&p.label()), today));
            }
        }
        let (lo, hi) = scope.subtree_range();
        let rows: Vec<(String, bool, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT f.outcome, c.id IS NOT NULL, COUNT(*)
                            FROM screening_findings f
                            LEFT JOIN cases c ON c.source = 'screening' AND c.external_ref = CAST(f.id AS TEXT)
                            WHERE f.region_code BETWEEN $1 AND $2 AND f.found_on BETWEEN $3 AND $4
                            GROUP BY f.outcome, c.id IS NOT NULL")
                .bind(&lo).bind(&hi).bind(from.to_string()).bind(to.to_string())
                .fetch_all(pool).await?
        });
        for (outcome, reported, n) in rows {
            let outcome = parse(Outcome::parse("outcome", &outcome))?;
            tally.add_findings(outcome, reported, n.max(0) as u64);
        }
        Ok(tally)
    }
}
