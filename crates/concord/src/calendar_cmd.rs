//! `concord calendar …`: read and extend the working-day calendar.

use anyhow::{Result, bail};
use clap::Subcommand;
use concord_domain::calendar::{CalendarDay, DayType, parse_date};
use concord_store::Store;

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// List the days that differ from the weekday rule.
    List {
        #[arg(long)]
        year: Option<i16>,
    },
    /// Mark a day as a holiday or a make-up working day.
    Set {
        /// YYYY-MM-DD
        date: String,
        /// holiday or workday
        day_type: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Load a year's arrangements from a CSV file of `date,holiday|workday,note` lines,
    /// all or nothing.
    Import { file: std::path::PathBuf },
    /// Remove a day's override.
    Remove { date: String },
}

pub async fn run(cmd: CalendarCommand, store: &Store) -> Result<()> {
    match cmd {
        CalendarCommand::List { year } => {
            for d in store.calendar_days(year).await? {
                let t = if d.day_type == DayType::Holiday {
                    "休"
                } else {
                    "班"
                };
                println!("{} {t} {}", d.date, d.note);
            }
        }
        CalendarCommand::Set {
            date,
            day_type,
            note,
        } => {
            let day = parse_day(&date, &day_type, &note)?;
            store.upsert_calendar_days(&[day]).await?;
            println!("已设置 {date}");
        }
        CalendarCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)?;
            let days = parse_csv(&text)?;
            store.upsert_calendar_days(&days).await?;
            println!("已导入 {} 天", days.len());
        }
        CalendarCommand::Remove { date } => {
            let date = parse_date("date", &date)?;
            if !store.delete_calendar_day(date).await? {
                bail!("{date} 没有特别设置");
            }
            println!("已移除 {date}");
        }
    }
    Ok(())
}

fn parse_day(date: &str, day_type: &str, note: &str) -> Result<CalendarDay> {
    let date = parse_date("date", date)?;
    let day_type = match day_type.trim() {
        "holiday" | "休" => DayType::Holiday,
        "workday" | "班" => DayType::Workday,
        other => bail!("类型“{other}”无效:应为 holiday 或 workday"),
    };
    Ok(CalendarDay {
        date,
        day_type,
        note: note.trim().to_string(),
    })
}

/// Every line must parse, or nothing is imported; errors name the line.
fn parse_csv(text: &str) -> Result<Vec<CalendarDay>> {
    let mut days = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("date,") {
            continue;
        }
        let cols: Vec<&str> = line.splitn(3, ',').collect();
        match parse_day(
            cols[0],
            cols.get(1).unwrap_or(&""),
            cols.get(2).unwrap_or(&""),
        ) {
            Ok(d) => days.push(d),
            Err(e) => errors.push(format!("第{}行:{e}", i + 1)),
        }
    }
    if !errors.is_empty() {
        bail!("未导入任何日期:\n{}", errors.join("\n"));
    }
    Ok(days)
}
