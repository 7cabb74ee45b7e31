use concord_domain::calendar::{CalendarDay, DayType, WorkCalendar, builtin_days};
use concord_domain::case::Complexity;
use concord_domain::deadline::{
    Clock, clock, confirmation_deadline, handling_deadline, statutory_deadline,
};
use concord_domain::time::{end_of_day, start_of_day};
use jiff::Timestamp;
use jiff::civil::{Date, date};
use proptest::prelude::*;

fn at(d: Date, hour: i8) -> Timestamp {
    let t = start_of_day(d);
    t.checked_add(jiff::Span::new().hours(i64::from(hour)))
        .unwrap()
}

#[test]
fn national_day_2025_and_its_make_up_days() {
    let cal = WorkCalendar::builtin();
    assert!(
        cal.is_working_day(date(2025, 9, 28)),
        "Sunday 2025-09-28 is a make-up working day"
    );
    assert!(
        cal.is_working_day(date(2025, 10, 11)),
        "Saturday 2025-10-11 is a make-up working day"
    );
    for day in 1..=8 {
        assert!(
            !cal.is_working_day(date(2025, 10, day)),
            "2025-10-{day:02} is a holiday"
        );
    }
    assert!(cal.is_working_day(date(2025, 10, 9)));
    assert!(
        !cal.is_working_day(date(2025, 10, 12)),
        "an ordinary Sunday"
    );
}

#[test]
fn spring_festival_2024_and_2026_are_in_the_table() {
    let cal = WorkCalendar::builtin();
    assert!(
        !cal.is_working_day(date(2024, 2, 12)),
        "Monday of Spring Festival 2024"
    );
    assert!(
        cal.is_working_day(date(2024, 2, 4)),
        "Sunday make-up day 2024-02-04"
    );
    assert!(
        !cal.is_working_day(date(2026, 2, 17)),
        "Spring Festival 2026"
    );
    let notes: Vec<_> = builtin_days()
        .into_iter()
        .filter(|d| d.date == date(2025, 10, 1))
        .collect();
    assert_eq!(notes[0].note, "国庆节");
}

#[test]
fn five_working_days_from_the_eve_of_national_day() {
    let cal = WorkCalendar::builtin();
    // The start day is not counted: 10-09, 10-10, 10-11 (Sat, make-up), 10-13, 10-14.
    assert_eq!(
        cal.add_working_days(date(2025, 9, 30), 5),
        date(2025, 10, 14)
    );
    let accepted = at(date(2025, 9, 30), 10);
    let deadline = handling_deadline(&cal, accepted, Complexity::General);
    assert_eq!(deadline, end_of_day(date(2025, 10, 14)));
    assert_eq!(
        deadline.to_string(),
        "2025-10-14T16:00:00Z",
        "midnight in Asia/Shanghai"
    );
}

#[test]
fn deadlines_by_complexity() {
    let cal = WorkCalendar::builtin();
    let monday = at(date(2025, 11, 3), 9);
    let due = |c| handling_deadline(&cal, monday, c);
    assert_eq!(due(Complexity::Simple), end_of_day(date(2025, 11, 4)));
    assert_eq!(due(Complexity::General), end_of_day(date(2025, 11, 10)));
    assert_eq!(due(Complexity::Complex), end_of_day(date(2025, 11, 24)));
    assert_eq!(due(Complexity::Difficult), end_of_day(date(2025, 12, 1)));
}

#[test]
fn a_statutory_period_ending_on_a_holiday_runs_to_the_next_working_day() {
    let cal = WorkCalendar::builtin();
    // 15 days from 2025-09-20 is 2025-10-05, inside the National Day holiday.
    let due = statutory_deadline(&cal, at(date(2025, 9, 20), 15), 15);
    assert_eq!(due, end_of_day(date(2025, 10, 9)));
    let due = statutory_deadline(&cal, at(date(2025, 3, 3), 15), 15);
    assert_eq!(due, end_of_day(date(2025, 3, 18)));
}

#[test]
fn the_green_channel_confirms_the_same_working_day() {
    let cal = WorkCalendar::builtin();
    // Tuesday 2025-03-04: decided that day.
    let tuesday = at(date(2025, 3, 4), 10);
    assert_eq!(
        confirmation_deadline(&cal, tuesday, true),
        end_of_day(date(2025, 3, 4))
    );
    // Applied for on National Day: the first working day after the holiday.
    let holiday = at(date(2025, 10, 3), 10);
    assert_eq!(
        confirmation_deadline(&cal, holiday, true),
        end_of_day(date(2025, 10, 9))
    );
    // Otherwise the court has its statutory 15 days.
    assert_eq!(
        confirmation_deadline(&cal, tuesday, false),
        end_of_day(date(2025, 3, 19))
    );
}

#[test]
fn the_administrator_can_extend_the_calendar_for_a_new_year() {
    let mut days = builtin_days();
    days.push(CalendarDay {
        date: date(2027, 1, 1),
        day_type: DayType::Holiday,
        note: "元旦".into(),
    });
    days.push(CalendarDay {
        date: date(2027, 1, 9),
        day_type: DayType::Workday,
        note: "调休".into(),
    });
    let cal = WorkCalendar::new(days);
    assert!(!cal.is_working_day(date(2027, 1, 1)));
    assert!(
        cal.is_working_day(date(2027, 1, 9)),
        "a Saturday made a working day"
    );
}

#[test]
fn the_deadline_light_turns_yellow_at_eighty_percent() {
    let start = at(date(2025, 11, 3), 0);
    let deadline = at(date(2025, 11, 13), 0); // ten days
    assert_eq!(
        clock(start, deadline, at(date(2025, 11, 10), 23)),
        Clock::OnTime
    );
    assert_eq!(
        clock(start, deadline, at(date(2025, 11, 11), 0)),
        Clock::NearDue
    );
    assert_eq!(clock(start, deadline, deadline), Clock::Overdue);
}

fn any_date() -> impl Strategy<Value = Date> {
    (0i64..(3 * 366)).prop_map(|n| {
        date(2024, 1, 1)
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
    })
}

proptest! {
    #[test]
    fn adding_working_days_counts_exactly_that_many(start in any_date(), n in 1u32..40) {
        let cal = WorkCalendar::builtin();
        let end = cal.add_working_days(start, n);
        prop_assert!(end > start);
        prop_assert!(cal.is_working_day(end));
        prop_assert_eq!(cal.working_days_between(start, end), n);
        prop_assert!(cal.add_working_days(start, n + 1) > end);
    }

    #[test]
    fn statutory_periods_end_on_a_working_day_no_earlier_than_the_count(start in any_date(), n in 1u32..90) {
        let cal = WorkCalendar::builtin();
        let end = cal.add_calendar_days(start, n);
        prop_assert!(cal.is_working_day(end));
        let plain = start.checked_add(jiff::Span::new().days(i64::from(n))).unwrap();
        prop_assert!(end >= plain);
    }
}
