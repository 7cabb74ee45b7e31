//! Records kept beside the cases: an overdue unit's explanation and rectification
//! (说明原因、限期整改), the mediators' half-year assessments (and removal of the
//! unqualified), and their training.

use concord_domain::FieldErrors;
use concord_domain::calendar::parse_date;
use concord_domain::case::text;
use concord_domain::time::{from_micros, to_micros};
use jiff::Timestamp;
use serde::Serialize;

use crate::oversight::{MediatorFigures, half_year};
use crate::{Store, StoreError, with_db};

#[derive(Debug, Clone, Serialize)]
pub struct Rectification {
    pub id: i64,
    pub case_id: i64,
    pub org_id: i64,
    pub explanation: String,
    pub measures: String,
    pub due_date: String,
    pub filed_by: String,
    pub filed_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub mediator_id: i64,
    pub period: String,
    pub figures: MediatorFigures,
    pub qualified: bool,
    pub reason: String,
    pub assessed_by: String,
    pub assessed_at: Timestamp,
}

#[derive(Debug, Clone, Serialize)]
pub struct Training {
    pub id: i64,
    pub mediator_id: i64,
    pub day: String,
    pub title: String,
    pub hours: f64,
    pub organizer: String,
}

impl Store {
    /// An overdue unit explains why and says how it will put things right, by when.
    pub async fn file_rectification(
        &self,
        case_id: i64,
        org_id: i64,
        explanation: &str,
        measures: &str,
        due_date: &str,
        by: &str,
    ) -> Result<Rectification, StoreError> {
        let mut errs = FieldErrors::default();
        let explanation = errs.take(text("explanation", explanation, 5_000, true));
        let measures = errs.take(text("measures", measures, 5_000, true));
        let due = errs.take(parse_date("due_date", due_date));
        errs.into_result()?;
        let (e, m, d, by, at) = (
            explanation.unwrap_or_default(),
            measures.unwrap_or_default(),
            due.map(|d| d.to_string()).unwrap_or_default(),
            by.to_string(),
            to_micros(Timestamp::now()),
        );
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("INSERT INTO rectifications (case_id, org_id, explanation, measures, due_date, filed_by, filed_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(case_id).bind(org_id).bind(e).bind(m).bind(d).bind(by).bind(at)
                .execute(&mut *conn).await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(self
            .rectifications(case_id)
            .await?
            .pop()
            .expect("just filed"))
    }

    pub async fn rectifications(&self, case_id: i64) -> Result<Vec<Rectification>, StoreError> {
        type Row = (i64, i64, i64, String, String, String, String, i64);
        let rows: Vec<Row> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, case_id, org_id, explanation, measures, due_date, filed_by, filed_at FROM rectifications
                            WHERE case_id = $1 ORDER BY id").bind(case_id).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Rectification {
                id: r.0,
                case_id: r.1,
                org_id: r.2,
                explanation: r.3,
                measures: r.4,
                due_date: r.5,
                filed_by: r.6,
                filed_at: from_micros(r.7),
            })
            .collect())
    }

    /// Records a mediator's assessment for a half-year with the figures it rests on; an
    /// unqualified mediator leaves the directory (清退), the reason on record.
    pub async fn assess(
        &self,
        mediator: i64,
        period: &str,
        figures: &MediatorFigures,
        qualified: bool,
        reason: &str,
        by: &str,
    ) -> Result<Assessment, StoreError> {
        let mut errs = FieldErrors::default();
        if half_year(period).is_none() {
            errs.push(concord_domain::FieldError::new(
                "period",
                "invalid_value",
                "考核期应为如 2026H1 或 2026H2",
            ));
        }
        let reason = errs.take(text("reason", reason, 2_000, !qualified));
        errs.into_result()?;
        let (p, f, r, by, at) = (
            period.to_string(),
            serde_json::to_string(figures).expect("figures serialize"),
            reason.unwrap_or_default(),
            by.to_string(),
            to_micros(Timestamp::now()),
        );
        let done = crate::writer::write_tx!(self, |conn| {
            let inserted = sqlx::query("INSERT INTO mediator_assessments (mediator_id, period, figures, qualified, reason, assessed_by, assessed_at)
                                        VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(mediator).bind(&p).bind(f).bind(qualified).bind(r).bind(by).bind(at)
                .execute(&mut *conn).await;
            match inserted {
                Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {
                    return Err(StoreError::Conflict(format!("该调解员{p}已考核")));
                }
                other => other?,
            };
            if !qualified {
                sqlx::query("UPDATE mediators SET active = FALSE WHERE id = $1")
                    .bind(mediator)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), StoreError>(())
        });
        done?;
        self.assessments(mediator)
            .await?
            .into_iter()
            .find(|a| a.period == period)
            .ok_or(StoreError::NotFound("考核"))
    }

    pub async fn assessments(&self, mediator: i64) -> Result<Vec<Assessment>, StoreError> {
        type Row = (i64, String, String, bool, String, String, i64);
        let rows: Vec<Row> = with_db!(self, pool => {
            sqlx::query_as("SELECT mediator_id, period, figures, qualified, reason, assessed_by, assessed_at FROM mediator_assessments
                            WHERE mediator_id = $1 ORDER BY period").bind(mediator).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Assessment {
                    mediator_id: r.0,
                    period: r.1,
                    figures: serde_json::from_str(&r.2)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    qualified: r.3,
                    reason: r.4,
                    assessed_by: r.5,
                    assessed_at: from_micros(r.6),
                })
            })
            .collect()
    }

    pub async fn add_training(
        &self,
        mediator: i64,
        day: &str,
        title: &str,
        hours: f64,
        organizer: &str,
    ) -> Result<Training, StoreError> {
        let mut errs = FieldErrors::default();
        let day = errs.take(parse_date("day", day));
        let title = errs.take(text("title", title, 200, true));
        let organizer = errs.take(text("organizer", organizer, 100, false));
        if !(0.5..=200.0).contains(&hours) {
            errs.push(concord_domain::FieldError::new(
                "hours",
                "out_of_range",
                "学时应在0.5到200之间",
            ));
        }
        errs.into_result()?;
        let (d, t, o) = (
            day.map(|d| d.to_string()).unwrap_or_default(),
            title.unwrap_or_default(),
            organizer.unwrap_or_default(),
        );
        let id = crate::writer::write_tx!(self, |conn| {
            let id: i64 = sqlx::query_scalar("INSERT INTO trainings (mediator_id, day, title, hours, organizer) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(mediator).bind(&d).bind(&t).bind(hours).bind(&o).fetch_one(&mut *conn).await?;
            Ok::<i64, StoreError>(id)
        })?;
        Ok(self
            .trainings(mediator)
            .await?
            .into_iter()
            .find(|x| x.id == id)
            .expect("just added"))
    }

    pub async fn trainings(&self, mediator: i64) -> Result<Vec<Training>, StoreError> {
        let rows: Vec<(i64, i64, String, String, f64, String)> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, mediator_id, day, title, hours, organizer FROM trainings WHERE mediator_id = $1 ORDER BY day")
                .bind(mediator).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Training {
                id: r.0,
                mediator_id: r.1,
                day: r.2,
                title: r.3,
                hours: r.4,
                organizer: r.5,
            })
            .collect())
    }
}
