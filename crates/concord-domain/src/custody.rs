//! Who held a case when (责任期间), and whose the overdue time was: from the timeline,
//! each stretch between moves belongs to the lead unit of the time (or the command
//! center, with none), and the part of it past the deadline then in force is that
//! holder's overdue time.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::case::Status;

/// One stretch of a case in one holder's hands.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Custody {
    /// The lead unit; None while it is with the command center.
    pub unit: Option<i64>,
    #[schema(value_type = String)]
    pub from: Timestamp,
    /// None while it is still theirs.
    #[schema(value_type = Option<String>)]
    pub to: Option<Timestamp>,
    /// The deadline in force during it.
    #[schema(value_type = Option<String>)]
    pub deadline: Option<Timestamp>,
    /// Microseconds of it past that deadline.
    pub overdue_micros: i64,
}

/// One move on the timeline: when, the state it led to, and its `changes` as recorded
/// (`{"lead_unit": [before, after], "deadline": [before, after], …}`).
pub struct Move<'a> {
    pub at: Timestamp,
    pub to: Status,
    pub changes: &'a Value,
}

fn changed<'a>(changes: &'a Value, field: &str) -> Option<&'a Value> {
    changes.get(field).and_then(|v| v.get(1))
}

/// The stretches of a case's life up to `now` (or its end), holder by holder.
pub fn custody(moves: &[Move], now: Timestamp) -> Vec<Custody> {
    let mut out: Vec<Custody> = Vec::new();
    let (mut unit, mut deadline) = (None, None);
    let mut from = match moves.first() {
        Some(m) => m.at,
        None => return out,
    };
    for m in moves {
        let new_unit = changed(m.changes, "lead_unit").map(Value::as_i64);
        let new_deadline = changed(m.changes, "deadline")
            .map(|d| d.as_str().and_then(|s| s.parse::<Timestamp>().ok()));
        let ends = !m.to.is_open();
        if new_unit.is_some() || new_deadline.is_some() || ends {
            push(&mut out, unit, from, m.at, deadline);
            from = m.at;
            unit = new_unit.unwrap_or(unit);
            deadline = new_deadline.unwrap_or(deadline);
        }
        if ends {
            return out;
        }
    }
    out.push(period(unit, from, None, now, deadline));
    out
}

fn push(
    out: &mut Vec<Custody>,
    unit: Option<i64>,
    from: Timestamp,
    to: Timestamp,
    deadline: Option<Timestamp>,
) {
    if to > from {
        out.push(period(unit, from, Some(to), to, deadline));
    }
}

fn period(
    unit: Option<i64>,
    from: Timestamp,
    to: Option<Timestamp>,
    end: Timestamp,
    deadline: Option<Timestamp>,
) -> Custody {
    let overdue = deadline.map_or(SignedDuration::ZERO, |d| {
        let start = if from > d { from } else { d };
        if end > start {
            end.duration_since(start)
        } else {
            SignedDuration::ZERO
        }
    });
    Custody {
        unit,
        from,
        to,
        deadline,
        overdue_micros: overdue.as_micros() as i64,
    }
}

/// A co-handler's task past its deadline: microseconds overdue (to `done`, or `now`).
pub fn task_overdue(deadline: Timestamp, done: Option<Timestamp>, now: Timestamp) -> i64 {
    let end = done.unwrap_or(now);
    if end > deadline {
        end.duration_since(deadline).as_micros() as i64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn overdue_time_belongs_to_whoever_held_the_case() {
        let none = json!({});
        let accept = json!({"deadline": [null, "2025-10-10T16:00:00Z"]});
        let assign = json!({"lead_unit": [null, 7]});
        let back = json!({"lead_unit": [7, null]});
        let again = json!({"lead_unit": [null, 9]});
        let moves = [
            Move {
                at: t("2025-10-01T01:00:00Z"),
                to: Status::Registered,
                changes: &none,
            },
            Move {
                at: t("2025-10-02T01:00:00Z"),
                to: Status::Accepted,
                changes: &accept,
            },
            Move {
                at: t("2025-10-03T01:00:00Z"),
                to: Status::Assigned,
                changes: &assign,
            },
            // Unit 7 keeps it two days past the deadline, then hands it back.
            Move {
                at: t("2025-10-12T16:00:00Z"),
                to: Status::Accepted,
                changes: &back,
            },
            Move {
                at: t("2025-10-13T16:00:00Z"),
                to: Status::Assigned,
                changes: &again,
            },
        ];
        let c = custody(&moves, t("2025-10-14T16:00:00Z"));
        let by = |u: Option<i64>| {
            c.iter()
                .filter(|p| p.unit == u)
                .map(|p| p.overdue_micros)
                .sum::<i64>()
        };
        let day = 86_400_000_000;
        assert_eq!(by(Some(7)), 2 * day);
        assert_eq!(by(None), day, "a day back in the command center's hands");
        assert_eq!(by(Some(9)), day, "and a day with unit 9 so far");
        assert_eq!(c.last().unwrap().to, None);
    }

    #[test]
    fn a_closed_case_stops_the_clock() {
        let accept = json!({"deadline": [null, "2025-10-10T16:00:00Z"]});
        let none = json!({});
        let moves = [
            Move {
                at: t("2025-10-02T01:00:00Z"),
                to: Status::Accepted,
                changes: &accept,
            },
            Move {
                at: t("2025-10-09T01:00:00Z"),
                to: Status::Closed,
                changes: &none,
            },
        ];
        let c = custody(&moves, t("2026-01-01T00:00:00Z"));
        assert_eq!(c.iter().map(|p| p.overdue_micros).sum::<i64>(), 0);
        assert!(c.iter().all(|p| p.to.is_some()));
        assert_eq!(
            task_overdue(t("2025-10-10T16:00:00Z"), None, t("2025-10-11T16:00:00Z")),
            86_400_000_000
        );
    }
}
