//! Deadlines: working days by complexity, and the petition regulations' statutory clocks
//! (信访工作条例: decide on acceptance within 15 days, handle within 60).

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::calendar::WorkCalendar;
use crate::case::Complexity;
use crate::time::{end_of_day, local_date};

pub const PETITION_ACCEPTANCE_DAYS: u32 = 15;
pub const PETITION_HANDLING_DAYS: u32 = 60;
/// The court decides on a confirmation application within 15 days of accepting it
/// (最高人民法院关于人民调解协议司法确认程序的若干规定).
pub const CONFIRMATION_DAYS: u32 = 15;
/// A case is near-due once this share of its time has passed.
pub const NEAR_DUE_SHARE: f64 = 0.8;

/// When a case accepted at `accepted_at` must be closed: the close of the N-th working day.
pub fn handling_deadline(cal: &WorkCalendar, accepted_at: Timestamp, c: Complexity) -> Timestamp {
    end_of_day(cal.add_working_days(local_date(accepted_at), c.working_days()))
}

/// A statutory period in calendar days from `start` (the start day not counted).
pub fn statutory_deadline(cal: &WorkCalendar, start: Timestamp, days: u32) -> Timestamp {
    end_of_day(cal.add_calendar_days(local_date(start), days))
}

/// When the court must decide on a confirmation application made at `at`. By the green
/// channel (the court's confirmation point at the center) it is decided the same working
/// day, or the next one when applied for on a day off; otherwise the statutory 15 days.
pub fn confirmation_deadline(cal: &WorkCalendar, at: Timestamp, green_channel: bool) -> Timestamp {
    if !green_channel {
        return statutory_deadline(cal, at, CONFIRMATION_DAYS);
    }
    let day = local_date(at);
    if cal.is_working_day(day) {
        end_of_day(day)
    } else {
        end_of_day(cal.add_working_days(day, 1))
    }
}

/// The deadline light: green, yellow at 80 % of the time, red when overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    OnTime,
    NearDue,
    Overdue,
}

pub fn clock(start: Timestamp, deadline: Timestamp, now: Timestamp) -> Clock {
    if now >= deadline {
        return Clock::Overdue;
    }
    let total = (deadline.as_microsecond() - start.as_microsecond()) as f64;
    let used = (now.as_microsecond() - start.as_microsecond()) as f64;
    if total > 0.0 && used >= NEAR_DUE_SHARE * total {
        Clock::NearDue
    } else {
        Clock::OnTime
    }
}
