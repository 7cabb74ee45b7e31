//! Time in the center's zone. China has kept UTC+8 without daylight saving since 1991,
//! so Asia/Shanghai is a fixed offset for every date Concord handles.

use jiff::civil::Date;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

/// Asia/Shanghai (UTC+8, no daylight saving since 1991).
pub fn shanghai() -> TimeZone {
    TimeZone::fixed(Offset::constant(8))
}

/// The calendar date in Asia/Shanghai at `ts`.
pub fn local_date(ts: Timestamp) -> Date {
    ts.to_zoned(shanghai()).date()
}

/// The instant a day ends in Asia/Shanghai: the start of the next day.
pub fn end_of_day(date: Date) -> Timestamp {
    let next = date.tomorrow().expect("date within range");
    start_of_day(next)
}

/// The instant a day starts in Asia/Shanghai.
pub fn start_of_day(date: Date) -> Timestamp {
    let z: Zoned = date
        .to_zoned(shanghai())
        .expect("a date in range always has a midnight at a fixed offset");
    z.timestamp()
}

/// Microseconds since the Unix epoch: the fixed-width form timestamps are stored in.
pub fn to_micros(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

pub fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(Timestamp::UNIX_EPOCH)
}
