//! `concord report`: the figures of a region and period, the monthly risk assessment
//! (研判报告) as PDF, and the ledger of cases (台账) as .xlsx — the same as the API's
//! `/api/v1/figures` and `/api/v1/reports…`, for a leader's office or a cron job; and the
//! screening ledger (排查台账) as .xlsx, as `/api/v1/screening/findings?format=xlsx`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use concord_domain::calendar::parse_date;
use concord_domain::case::Status;
use concord_domain::category::Category;
use concord_domain::figures::Dimension;
use concord_domain::region::RegionCode;
use concord_domain::time::{end_of_day, local_date, start_of_day};
use concord_store::{CaseFilter, Store};
use concord_web::reports::monthly::{Month, keep};
use concord_web::reports::{FigureReport, Names, days, ledger, percent};
use jiff::Timestamp;
use jiff::civil::Date;

/// A region and a span of days.
#[derive(Args)]
pub struct Scope {
    /// 12-digit region code (default: the whole territory).
    #[arg(long)]
    region: Option<String>,
    /// First day, YYYY-MM-DD (figures: default 1 January this year).
    #[arg(long)]
    from: Option<String>,
    /// Last day, YYYY-MM-DD, counted (figures: default today).
    #[arg(long)]
    to: Option<String>,
}

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Print the figures of a region and period, with the breakdowns.
    Figures {
        #[command(flatten)]
        scope: Scope,
        /// As JSON (the API's answer) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write the monthly risk assessment of a region as PDF, and keep it with the
    /// others (the server writes each county's by itself when a month ends).
    Risk {
        #[arg(long)]
        region: Option<String>,
        /// The month, YYYY-MM (default: last month).
        #[arg(long)]
        month: Option<String>,
        /// The PDF file to write (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print a region's screening (排查) over a span; with --out, write its ledger
    /// (排查台账) as .xlsx.
    Screening {
        #[command(flatten)]
        scope: Scope,
        /// The .xlsx file to write (never overwritten).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the ledger (台账) of the cases selected (registered from … to) as .xlsx.
    Ledger {
        #[command(flatten)]
        scope: Scope,
        /// A lifecycle state, e.g. in_mediation.
        #[arg(long)]
        status: Option<String>,
        /// A category code, e.g. neighbour.
        #[arg(long)]
        category: Option<String>,
        /// The .xlsx file to write (never overwritten).
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(cmd: ReportCommand, store: &Store) -> Result<()> {
    match cmd {
        ReportCommand::Figures { scope, json } => figures(store, scope, json).await,
        ReportCommand::Screening { scope, out } => screening(store, scope, out).await,
        ReportCommand::Risk { region, month, out } => {
            let region = region_or_territory(store, region).await?;
            let today = local_date(Timestamp::now());
            let month = match month {
                Some(m) => Month::parse(&m)
                    .filter(|m| m.first() <= today)
                    .with_context(|| format!("月份“{m}”无效:应为已开始的月份,如 2026-11"))?,
                None => Month::of(today).previous(),
            };
            absent(&out)?;
            let kept = keep(store, &region, month, "命令行", Timestamp::now()).await?;
            fill(create_new(&out)?, &kept.pdf)?;
            println!("已生成《{}》:{}", kept.meta.title, out.display());
            Ok(())
        }
        ReportCommand::Ledger {
            scope: Scope { region, from, to },
            status,
            category,
            out,
        } => {
            let region = region_or_territory(store, region).await?;
            let filter = CaseFilter {
                region: Some(region),
                status: status.map(|s| Status::parse("status", &s)).transpose()?,
                category: category
                    .map(|c| Category::parse("category", &c))
                    .transpose()?,
                from: date("from", from)?.map(start_of_day),
                to: date("to", to)?.map(end_of_day),
                ..Default::default()
            };
            absent(&out)?;
            let names = Names::for_ledger(store, &region).await?;
            let Some(sheet) = ledger::ledger(store, filter, &names, Timestamp::now()).await? else {
                bail!("超过{}件,请缩小筛选范围", ledger::MAX_ROWS);
            };
            let rows = sheet.rows.len();
            fill(create_new(&out)?, &concord_docs::sheet::to_xlsx(&[sheet])?)?;
            println!("已导出台账 {rows} 件:{}", out.display());
            Ok(())
        }
    }
}

async fn region_or_territory(store: &Store, region: Option<String>) -> Result<RegionCode> {
    let code = match region {
        Some(r) => RegionCode::parse("region", &r)?,
        None => crate::apikey_cmd::territory(store).await?,
    };
    if store.region(&code).await?.is_none() {
        bail!("区划 {code} 不存在");
    }
    Ok(code)
}

fn date(field: &str, v: Option<String>) -> Result<Option<Date>> {
    Ok(v.map(|v| parse_date(field, &v)).transpose()?)
}

/// Refuses a file that is there already before any work is done (and `create_new`
/// again at the end, so that nothing is ever overwritten).
fn absent(path: &std::path::Path) -> Result<()> {
    if path.exists() {
        bail!("文件 {} 已存在,不会覆盖", path.display());
    }
    Ok(())
}

/// A new file at `path`, refused if one is there.
fn create_new(path: &std::path::Path) -> Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("无法新建文件 {}(已存在,或目录不存在)", path.display()))
}

fn fill(mut f: std::fs::File, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// The region and span of a scope, with the figures' defaults (this year to today).
async fn span(
    store: &Store,
    Scope { region, from, to }: Scope,
) -> Result<(RegionCode, Date, Date)> {
    let region = region_or_territory(store, region).await?;
    let today = local_date(Timestamp::now());
    let from = date("from", from)?.unwrap_or(Date::new(today.year(), 1, 1)?);
    let to = date("to", to)?.unwrap_or(today);
    if to < from {
        bail!("结束日期 {to} 早于开始日期 {from}");
    }
    Ok((region, from, to))
}

async fn screening(store: &Store, scope: Scope, out: Option<PathBuf>) -> Result<()> {
    let (region, from, to) = span(store, scope).await?;
    if let Some(out) = &out {
        absent(out)?;
    }
    let today = local_date(Timestamp::now());
    let tally = store.screening_tally(&region, from, to, today).await?;
    println!("{region}  {from} 至 {to}");
    println!("{}", tally.sentence());
    if let Some(out) = out {
        let sheet = concord_web::reports::screening::ledger(store, &region, from, to).await?;
        let rows = sheet.rows.len();
        fill(create_new(&out)?, &concord_docs::sheet::to_xlsx(&[sheet])?)?;
        println!("已导出排查台账 {rows} 条:{}", out.display());
    }
    Ok(())
}

async fn figures(store: &Store, scope: Scope, json: bool) -> Result<()> {
    let (region, from, to) = span(store, scope).await?;
    let r = FigureReport::load(store, &region, from, to, Timestamp::now()).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&r.figures)?);
        return Ok(());
    }
    let c = &r.figures.counts;
    println!("{}  {} 至 {}", r.region_name, from, to);
    let lines = [
        ("登记", c.registered.to_string()),
        ("受理", c.accepted.to_string()),
        ("办结", c.closed.to_string()),
        ("调解成功", c.resolved.to_string()),
        ("调解成功率", percent(c.success_rate())),
        ("办结率", percent(c.closure_rate())),
        ("按期办结率", percent(c.on_time_rate())),
        ("平均办结用时(工作日)", days(c.average_work_days())),
        ("回访满意率", percent(c.satisfaction_rate())),
        (
            "信访 / 重复访 / 越级访",
            format!(
                "{} / {} / {}",
                c.petitions, c.repeat_petitions, c.skip_level_petitions
            ),
        ),
        ("群体性纠纷", c.mass_cases.to_string()),
        (
            "在办 / 超期",
            format!("{} / {}", r.figures.open_now, r.figures.overdue_now),
        ),
    ];
    for (k, v) in lines {
        println!("  {k:<16}{v:>12}");
    }
    for (dim, title) in [
        (Dimension::Channel, "按受理渠道"),
        (Dimension::Unit, "按牵头单位"),
        (Dimension::Mediator, "按调解员"),
    ] {
        println!("{title}:  名称 / 登记 / 办结 / 调解成功率 / 按期办结率 / 平均用时");
        for l in r.breakdown(dim).iter().take(20) {
            println!(
                "  {} / {} / {} / {} / {} / {}",
                l.name,
                l.tally.registered,
                l.tally.closed,
                percent(l.tally.success_rate()),
                percent(l.tally.on_time_rate()),
                days(l.tally.average_work_days())
            );
        }
    }
    Ok(())
}
