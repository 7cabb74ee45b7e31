//! The working-day calendar table: seeded from the built-in 2024–2026 arrangements,
//! extended by the administrator. The table, not the built-in list, is the truth.

use std::sync::Arc;

use concord_domain::calendar::{CalendarDay, DayType, WorkCalendar, builtin_days, parse_date};

use crate::{BeginWrite, Store, StoreError, with_db};

const UPSERT: &str = "INSERT INTO calendar_days (day, day_type, note) VALUES ($1, $2, $3)
     ON CONFLICT (day) DO UPDATE SET day_type = excluded.day_type, note = excluded.note";

fn day_type_str(t: DayType) -> &'static str {
    match t {
        DayType::Holiday => "holiday",
        DayType::Workday => "workday",
    }
}

impl Store {
    /// Fills in the built-in days on a new database; never overwrites an edited day.
    pub(crate) async fn seed_calendar(&self) -> Result<(), StoreError> {
        let days = builtin_days();
        with_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for d in &days {
                sqlx::query("INSERT INTO calendar_days (day, day_type, note) VALUES ($1, $2, $3)
                             ON CONFLICT (day) DO NOTHING")
                    .bind(d.date.to_string())
                    .bind(day_type_str(d.day_type))
                    .bind(&d.note)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub(crate) async fn reload_calendar(&self) -> Result<(), StoreError> {
        let days = self.calendar_days(None).await?;
        *self.calendar.write().expect("calendar lock") = Arc::new(WorkCalendar::new(days));
        Ok(())
    }

    /// The overridden days, of one year or all.
    pub async fn calendar_days(&self, year: Option<i16>) -> Result<Vec<CalendarDay>, StoreError> {
        let (lo, hi) = match year {
            Some(y) => (format!("{y:04}-01-01"), format!("{y:04}-12-31")),
            None => ("0000-01-01".to_string(), "9999-12-31".to_string()),
        };
        let rows: Vec<(String, String, String)> = with_db!(self, pool => {
            sqlx::query_as("SELECT day, day_type, note FROM calendar_days
                            WHERE day BETWEEN $1 AND $2 ORDER BY day")
                .bind(lo).bind(hi).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(day, t, note)| to_day(&day, &t, note))
            .collect()
    }

    /// Adds or changes days (e.g. next year's arrangements) in one transaction.
    pub async fn upsert_calendar_days(&self, days: &[CalendarDay]) -> Result<(), StoreError> {
        with_db!(self, pool => {
            let mut tx = pool.begin_write().await?;
            for d in days {
                sqlx::query(UPSERT)
                    .bind(d.date.to_string())
                    .bind(day_type_str(d.day_type))
                    .bind(&d.note)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        self.reload_calendar().await
    }

    /// Removes an override: the day follows the weekday rule again.
    pub async fn delete_calendar_day(&self, day: jiff::civil::Date) -> Result<bool, StoreError> {
        let n = with_db!(self, pool => {
            sqlx::query("DELETE FROM calendar_days WHERE day = $1")
                .bind(day.to_string()).execute(pool).await?.rows_affected()
        });
        self.reload_calendar().await?;
        Ok(n > 0)
    }
}

fn to_day(day: &str, t: &str, note: String) -> Result<CalendarDay, StoreError> {
    let date = parse_date("day", day).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let day_type = match t {
        "holiday" => DayType::Holiday,
        "workday" => DayType::Workday,
        other => return Err(StoreError::Corrupt(format!("day_type {other}"))),
    };
    Ok(CalendarDay {
        date,
        day_type,
        note,
    })
}
