//! Co-handlers' child tasks (协办任务): on assignment each co-handling unit gets its part
//! with a responsible person and a deadline; the case cannot close while one is open;
//! a new assignment, an escalation, a return or a withdrawal cancels what is left open.

use concord_domain::FieldError;
use concord_domain::calendar::WorkCalendar;
use concord_domain::case::Case;
use concord_domain::lifecycle::{Action, CoHandler};
use concord_domain::time::{end_of_day, from_micros, local_date, to_micros};
use jiff::Timestamp;
use serde::Serialize;

use crate::{Store, StoreError, with_db};

/// A co-handler's task as stored.
#[derive(Debug, Clone, Serialize)]
pub struct TaskRecord {
    pub id: i64,
    pub case_id: i64,
    pub org_id: i64,
    pub responsible_person: Option<i64>,
    /// `open`, `done`, `returned` or `cancelled`.
    pub status: String,
    pub opened_at: Timestamp,
    pub deadline: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub note: String,
}

type TaskRow = (
    i64,
    i64,
    i64,
    Option<i64>,
    String,
    i64,
    i64,
    Option<i64>,
    String,
);

/// What a transition does to the case's tasks.
pub(crate) enum TaskChange {
    Nothing,
    /// Cancel what is open, then open one task per co-handler: (unit, person, deadline).
    Reassign(Vec<(i64, Option<i64>, i64)>),
    CancelOpen,
    Finish {
        task: i64,
        status: &'static str,
        note: String,
    },
}

/// Working days a co-handler gets when neither it nor the case says otherwise.
const DEFAULT_TASK_DAYS: u32 = 5;

pub(crate) fn task_change(
    action: &Action,
    next: &Case,
    cal: &WorkCalendar,
    now: Timestamp,
) -> TaskChange {
    let due = |days: Option<u32>| match (days, next.deadline) {
        (Some(d), _) => to_micros(end_of_day(cal.add_working_days(local_date(now), d))),
        (None, Some(deadline)) => to_micros(deadline),
        (None, None) => to_micros(end_of_day(
            cal.add_working_days(local_date(now), DEFAULT_TASK_DAYS),
        )),
    };
    match action {
        Action::Assign { co_handlers, .. } => TaskChange::Reassign(
            co_handlers
                .iter()
                .map(|c: &CoHandler| (c.unit(), c.responsible_person(), due(c.working_days())))
                .collect(),
        ),
        Action::CompleteTask { task, note } => TaskChange::Finish {
            task: *task,
            status: "done",
            note: note.clone(),
        },
        Action::ReturnTask { task, reason } => TaskChange::Finish {
            task: *task,
            status: "returned",
            note: reason.clone(),
        },
        _ if next.co_handlers.is_empty() || !next.status.is_open() => TaskChange::CancelOpen,
        _ => TaskChange::Nothing,
    }
}

/// Carries out a `TaskChange` for case `$id` on `$conn`, at `$now` (microseconds).
macro_rules! apply_task_change {
    ($conn:expr, $id:expr, $change:expr, $now:expr) => {{
        use $crate::tasks::TaskChange;
        let cancel = "UPDATE case_tasks SET status = 'cancelled', closed_at = $1
                      WHERE case_id = $2 AND status = 'open'";
        match $change {
            TaskChange::Nothing => {}
            TaskChange::CancelOpen => {
                sqlx::query(cancel).bind($now).bind($id).execute(&mut *$conn).await?;
            }
            TaskChange::Reassign(tasks) => {
                sqlx::query(cancel).bind($now).bind($id).execute(&mut *$conn).await?;
                for (org, person, deadline) in tasks {
                    sqlx::query("INSERT INTO case_tasks (case_id, org_id, responsible_person, status, opened_at, deadline)
                                 VALUES ($1, $2, $3, 'open', $4, $5)")
                        .bind($id).bind(org).bind(person).bind($now).bind(deadline)
                        .execute(&mut *$conn).await?;
                }
            }
            TaskChange::Finish { task, status, note } => {
                let n = sqlx::query("UPDATE case_tasks SET status = $1, closed_at = $2, note = $3
                                     WHERE id = $4 AND case_id = $5 AND status = 'open'")
                    .bind(status).bind($now).bind(note).bind(task).bind($id)
                    .execute(&mut *$conn).await?.rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict("该协办任务已不在办理中".into()));
                }
            }
        }
    }};
}
pub(crate) use apply_task_change;

impl Store {
    /// A case's tasks, oldest first.
    pub async fn tasks(&self, case_id: i64) -> Result<Vec<TaskRecord>, StoreError> {
        let rows: Vec<TaskRow> = with_db!(self, pool => {
            sqlx::query_as("SELECT id, case_id, org_id, responsible_person, status, opened_at, deadline, closed_at, note
                            FROM case_tasks WHERE case_id = $1 ORDER BY id")
                .bind(case_id).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| TaskRecord {
                id: r.0,
                case_id: r.1,
                org_id: r.2,
                responsible_person: r.3,
                status: r.4,
                opened_at: from_micros(r.5),
                deadline: from_micros(r.6),
                closed_at: r.7.map(from_micros),
                note: r.8,
            })
            .collect())
    }

    /// Refuses to finish a task that is not this case's or is no longer open.
    pub(crate) async fn check_task(&self, case_id: i64, action: &Action) -> Result<(), StoreError> {
        let task = match action {
            Action::CompleteTask { task, .. } | Action::ReturnTask { task, .. } => *task,
            _ => return Ok(()),
        };
        let status: Option<String> = with_db!(self, pool => {
            sqlx::query_scalar("SELECT status FROM case_tasks WHERE id = $1 AND case_id = $2")
                .bind(task).bind(case_id).fetch_optional(pool).await?
        });
        match status.as_deref() {
            Some("open") => Ok(()),
            Some(_) => {
                Err(FieldError::new("task", "task_not_open", "该协办任务已办结或已撤销").into())
            }
            None => Err(FieldError::new(
                "task",
                "unknown_reference",
                format!("本事项没有编号为{task}的协办任务"),
            )
            .into()),
        }
    }
}
