//! The working-day calendar: weekends off, except the public holidays and make-up
//! working days (调休) the State Council publishes each year. The overrides are data the
//! administrator can extend; the built-in table (2024–2026) seeds it.

use std::collections::BTreeMap;

use chinese_holiday::{DayKind, Ymd, chinese_holiday};
use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

/// Whether an overridden day is worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayType {
    /// A public holiday or a rest day moved by 调休: no work.
    Holiday,
    /// A make-up working day (调休上班), usually a weekend day.
    Workday,
}

/// One day that differs from the weekday rule, with why (e.g. "国庆节").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalendarDay {
    #[schema(value_type = String, example = "2025-10-01")]
    pub date: Date,
    pub day_type: DayType,
    pub note: String,
}

/// The first and last year of the built-in table.
pub const BUILTIN_YEARS: (i16, i16) = (2024, 2026);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    overrides: BTreeMap<Date, DayType>,
}

impl WorkCalendar {
    pub fn new(days: impl IntoIterator<Item = CalendarDay>) -> Self {
        let overrides = days.into_iter().map(|d| (d.date, d.day_type)).collect();
        Self { overrides }
    }

    /// The State Council's holiday arrangements for 2024–2026.
    pub fn builtin() -> Self {
        Self::new(builtin_days())
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        match self.overrides.get(&d) {
            Some(DayType::Workday) => true,
            Some(DayType::Holiday) => false,
            None => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        }
    }

    /// The day on which `n` working days after `start` end. The start day itself is not
    /// counted (期间开始之日不计算在内).
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = next_day(d);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// A period of `days` calendar days from `start` (not counted); when its last day is a
    /// holiday, it ends on the next working day (民法典第二百零三条).
    pub fn add_calendar_days(&self, start: Date, days: u32) -> Date {
        let mut d = start
            .checked_add(jiff::Span::new().days(i64::from(days)))
            .expect("date in range");
        while !self.is_working_day(d) {
            d = next_day(d);
        }
        d
    }

    /// Working days after `from` up to and including `to` (0 when `to` <= `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = next_day(d);
            n += u32::from(self.is_working_day(d));
        }
        n
    }
}

fn next_day(d: Date) -> Date {
    d.tomorrow().expect("date in range")
}

/// Parses a `YYYY-MM-DD` date, naming the field when it is not one.
pub fn parse_date(field: &str, s: &str) -> Result<Date, FieldError> {
    s.trim().parse::<Date>().map_err(|_| {
        FieldError::new(
            field,
            "invalid_date",
            format!("日期“{s}”无效,格式应为YYYY-MM-DD"),
        )
    })
}

/// The days of 2024–2026 that differ from the weekday rule, from the published table.
pub fn builtin_days() -> Vec<CalendarDay> {
    let (first, last) = BUILTIN_YEARS;
    let mut d = Date::new(first, 1, 1).expect("valid");
    // The source table ends on 2026-12-25; the rest of December follows the weekday rule.
    let end = Date::new(last, 12, 25).expect("valid");
    let mut days = Vec::new();
    while d <= end {
        let ymd = Ymd::new(d.year() as u16, d.month() as u8, d.day() as u8);
        if let Some((day_type, note)) = describe(chinese_holiday(ymd)) {
            days.push(CalendarDay {
                date: d,
                day_type,
                note: note.to_string(),
            });
        }
        d = next_day(d);
    }
    days
}

fn describe(kind: DayKind) -> Option<(DayType, &'static str)> {
    use DayKind::*;
    let h = DayType::Holiday;
    let w = DayType::Workday;
    Some(match kind {
        NormalWorkday | NormalHoliday => return None,
        NewYearsDayHoliday => (h, "元旦"),
        SpringFestivalHoliday => (h, "春节"),
        ChingMingFestivalHoliday => (h, "清明节"),
        InternationalWorkersDayHoliday => (h, "劳动节"),
        DragonBoatFestivalHoliday => (h, "端午节"),
        MidAutumnFestivalHoliday => (h, "中秋节"),
        NationalDayHoliday => (h, "国庆节"),
        OtherHoliday => (h, "其他假日"),
        NewYearsDayWorkday => (w, "元旦调休上班"),
        SpringFestivalWorkday => (w, "春节调休上班"),
        ChingMingFestivalWorkday => (w, "清明节调休上班"),
        InternationalWorkersDayWorkday => (w, "劳动节调休上班"),
        DragonBoatFestivalWorkday => (w, "端午节调休上班"),
        MidAutumnFestivalWorkday => (w, "中秋节调休上班"),
        NationalDayWorkday => (w, "国庆节调休上班"),
        OtherWorkday => (w, "其他调休上班"),
    })
}
