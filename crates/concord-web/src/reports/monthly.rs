//! The monthly risk assessment (矛盾纠纷风险研判报告) of a region: the month's figures
//! beside the month before, the trend of thirteen weeks, categories, places and hot
//! spots, channels and units, the 631 shares, the early warnings raised, and opinions
//! drawn from all of these by stated rules. Written as PDF by `concord report risk`, by
//! the API, and by the server in the first days of each month for the month before.

use concord_docs::{Block, Chart, ChartKind, Document, Table};
use concord_domain::alert::AlertKind;
use concord_domain::category::Category;
use concord_domain::figures::{Counts, Dimension, Figures, GOAL_631, monday_of};
use concord_domain::region::RegionCode;
use concord_domain::time::{end_of_day, local_date, start_of_day};
use concord_store::alerts::Alert;
use concord_store::{Store, StoreError};
use jiff::civil::Date;
use jiff::{Span, Timestamp};

use super::{FigureReport, days, percent};

pub const KIND: &str = "risk_monthly";

/// A month, as reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i16,
    pub month: i8,
}

impl Month {
    /// `2026-11`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        let (year, month) = (y.parse().ok()?, m.parse().ok()?);
        Date::new(year, month, 1).ok()?;
        (y.len() == 4 && (2000..=2100).contains(&year)).then_some(Month { year, month })
    }

    pub fn of(d: Date) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first(self) -> Date {
        Date::new(self.year, self.month, 1).expect("a valid month")
    }

    pub fn last(self) -> Date {
        self.first().last_of_month()
    }

    pub fn previous(self) -> Month {
        Month::of(self.first().yesterday().expect("in range"))
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// What the report is made of, read from the store.
struct Inputs {
    now: FigureReport,
    before: Figures,
    weekly: Vec<(String, f64)>,
    hot_spots: Vec<(String, i64)>,
    warnings: Vec<Alert>,
    screening: concord_domain::screening::Tally,
}

async fn inputs(
    store: &Store,
    region: &RegionCode,
    m: Month,
    at: Timestamp,
) -> Result<Inputs, StoreError> {
    let (from, to) = (m.first(), m.last());
    let after = to.tomorrow().unwrap_or(to);
    let mut now = FigureReport::load(store, region, from, to, at).await?;
    let p = m.previous();
    let before = store
        .figures(region, p.first(), p.last().tomorrow().unwrap_or(to), at)
        .await?;
    let start = monday_of(to.checked_sub(Span::new().days(7 * 12)).unwrap_or(from));
    let trend = store.figures(region, start, after, at).await?;
    let weekly = (0..13)
        .filter_map(|i| start.checked_add(Span::new().days(7 * i)).ok())
        .map(|w| {
            let n = trend.weekly.get(&w.to_string()).copied().unwrap_or(0);
            (format!("{:02}-{:02}", w.month(), w.day()), n as f64)
        })
        .collect();
    let hot_spots = store.hot_spots(region, from, after, 10).await?;
    if !hot_spots.is_empty() {
        now.names.load_within(store, region).await?;
    }
    let (a, b) = (start_of_day(from), end_of_day(to));
    let warnings = store
        .alerts(region, false)
        .await?
        .into_iter()
        .filter(|w| {
            matches!(
                w.kind,
                AlertKind::Surge | AlertKind::HighRisk | AlertKind::MassCase
            )
        })
        .filter(|w| w.created_at >= a && w.created_at < b)
        .collect();
    let screening = store
        .screening_tally(region, from, to, local_date(at))
        .await?;
    Ok(Inputs {
        now,
        before,
        weekly,
        hot_spots,
        warnings,
        screening,
    })
}

/// The report on `region` for month `m`, as a document, drawn from the store at `at`.
pub async fn risk_report(
    store: &Store,
    region: &RegionCode,
    m: Month,
    at: Timestamp,
) -> Result<Document, StoreError> {
    let i = inputs(store, region, m, at).await?;
    Ok(compose(&i, m, at))
}

fn compose(i: &Inputs, m: Month, at: Timestamp) -> Document {
    let r = &i.now;
    let (c, p) = (&r.figures.counts, &i.before.counts);
    let mut b = vec![
        Block::Title("矛盾纠纷风险研判报告".into()),
        Block::Number(format!("{}　{}年{}月", r.region_name, m.year, m.month)),
        Block::Heading("一、总体情况".into()),
        Block::Paragraph(overview(r, p)),
        Block::Table(Table {
            head: cells(&["指标", "本月", "上月", "增减"]),
            rows: key_figures(c, p),
        }),
        Block::Heading("二、发展趋势".into()),
        Block::Chart(Chart {
            title: "近十三周登记量(件,按周一所在周)".into(),
            kind: ChartKind::Columns,
            points: i.weekly.clone(),
        }),
    ];
    b.extend(categories(r, &i.before));
    b.extend(places(i));
    b.extend(channels_and_units(r));
    b.push(Block::Heading("六、“六三一”化解目标".into()));
    b.push(Block::Table(Table {
        head: cells(&["化解层级", "目标占比", "本月实际"]),
        rows: shares(c),
    }));
    b.extend(warnings(&i.warnings));
    b.push(Block::Paragraph(format!(
        "矛盾纠纷排查:{}",
        i.screening.sentence()
    )));
    b.push(Block::Heading("八、研判意见".into()));
    b.extend(opinions(i).into_iter().map(Block::Paragraph));
    let today = local_date(at);
    b.push(Block::Space(18.0));
    b.push(Block::Right(format!(
        "{}矛盾纠纷调处化解中心",
        r.region_name
    )));
    b.push(Block::Right(format!(
        "{}年{}月{}日",
        today.year(),
        today.month(),
        today.day()
    )));
    Document {
        title: format!(
            "{}{}年{}月矛盾纠纷风险研判报告",
            r.region_name, m.year, m.month
        ),
        blocks: b,
    }
}

fn cells(s: &[&str]) -> Vec<String> {
    s.iter().map(|x| x.to_string()).collect()
}

/// "+3(+25.0%)", "-2(-10.0%)", "0".
fn change(now: u64, before: u64) -> String {
    let d = now as i64 - before as i64;
    if d == 0 {
        return "0".into();
    }
    match before {
        0 => format!("{d:+}"),
        b => format!("{d:+}({:+.1}%)", d as f64 / b as f64 * 100.0),
    }
}

fn overview(r: &FigureReport, p: &Counts) -> String {
    let (c, f) = (&r.figures.counts, &r.figures);
    let trend = match c.registered.cmp(&p.registered) {
        std::cmp::Ordering::Greater => format!("较上月增加{}件", c.registered - p.registered),
        std::cmp::Ordering::Less => format!("较上月减少{}件", p.registered - c.registered),
        std::cmp::Ordering::Equal => "与上月持平".into(),
    };
    format!(
        "本月{}共登记矛盾纠纷{}件,{};受理{}件,办结{}件,调解成功{}件,调解成功率{},按期办结率{},平均办结用时{}个工作日,回访满意率{}。截至报告生成时,在办{}件,其中超期{}件。",
        r.region_name,
        c.registered,
        trend,
        c.accepted,
        c.closed,
        c.resolved,
        percent(c.success_rate()),
        percent(c.on_time_rate()),
        days(c.average_work_days()),
        percent(c.satisfaction_rate()),
        f.open_now,
        f.overdue_now
    )
}

fn key_figures(c: &Counts, p: &Counts) -> Vec<Vec<String>> {
    let n = |name: &str, a: u64, b: u64| {
        vec![name.to_string(), a.to_string(), b.to_string(), change(a, b)]
    };
    let r = |name: &str, a: Option<f64>, b: Option<f64>| {
        vec![name.to_string(), percent(a), percent(b), String::new()]
    };
    vec![
        n("登记", c.registered, p.registered),
        n("受理", c.accepted, p.accepted),
        n("办结", c.closed, p.closed),
        n("调解成功", c.resolved, p.resolved),
        r("调解成功率", c.success_rate(), p.success_rate()),
        r("按期办结率", c.on_time_rate(), p.on_time_rate()),
        vec![
            "平均办结用时(工作日)".into(),
            days(c.average_work_days()),
            days(p.average_work_days()),
            String::new(),
        ],
        r("回访满意率", c.satisfaction_rate(), p.satisfaction_rate()),
        n("信访", c.petitions, p.petitions),
        n("重复访", c.repeat_petitions, p.repeat_petitions),
        n("越级访", c.skip_level_petitions, p.skip_level_petitions),
        n("赴市及以上", c.petitions_to_city, p.petitions_to_city),
        n("群体性纠纷", c.mass_cases, p.mass_cases),
    ]
}

/// Categories this month, most first, with last month's count.
fn ranked_categories(now: &Figures, before: &Figures) -> Vec<(Category, u64, u64)> {
    let mut v: Vec<(Category, u64, u64)> = now
        .by_category
        .iter()
        .map(|(k, n)| (*k, *n, before.by_category.get(k).copied().unwrap_or(0)))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

fn categories(r: &FigureReport, before: &Figures) -> Vec<Block> {
    let ranked = ranked_categories(&r.figures, before);
    vec![
        Block::Heading("三、纠纷类别".into()),
        Block::Chart(Chart {
            title: "本月各类纠纷登记量(件)".into(),
            kind: ChartKind::Bars,
            points: ranked
                .iter()
                .take(10)
                .map(|(k, n, _)| (k.label().to_string(), *n as f64))
                .collect(),
        }),
        Block::Table(Table {
            head: cells(&["类别", "本月", "上月", "增减"]),
            rows: ranked
                .iter()
                .map(|(k, n, b)| {
                    vec![
                        k.label().into(),
                        n.to_string(),
                        b.to_string(),
                        change(*n, *b),
                    ]
                })
                .collect(),
        }),
    ]
}

fn places(i: &Inputs) -> Vec<Block> {
    let r = &i.now;
    let mut out = vec![Block::Heading("四、区域分布与热点".into())];
    let mut regions: Vec<(&String, &Counts)> = r.figures.by_region.iter().collect();
    regions.sort_by(|a, b| b.1.registered.cmp(&a.1.registered).then(a.0.cmp(b.0)));
    out.push(Block::Table(Table {
        head: cells(&["区域", "登记", "办结", "调解成功率", "按期办结率", "满意率"]),
        rows: regions
            .iter()
            .map(|(code, n)| {
                vec![
                    r.names.region(code),
                    n.registered.to_string(),
                    n.closed.to_string(),
                    percent(n.success_rate()),
                    percent(n.on_time_rate()),
                    percent(n.satisfaction_rate()),
                ]
            })
            .collect(),
    }));
    if !i.hot_spots.is_empty() {
        out.push(Block::Chart(Chart {
            title: "热点村(社区):本月登记最多的十处(件)".into(),
            kind: ChartKind::Bars,
            points: i
                .hot_spots
                .iter()
                .map(|(code, n)| (r.names.region(code), *n as f64))
                .collect(),
        }));
    }
    out
}

fn channels_and_units(r: &FigureReport) -> Vec<Block> {
    let line = |l: &super::BreakdownLine| {
        vec![
            l.name.clone(),
            l.tally.registered.to_string(),
            l.tally.closed.to_string(),
            percent(l.tally.success_rate()),
            percent(l.tally.on_time_rate()),
            days(l.tally.average_work_days()),
        ]
    };
    let head = |first: &str| {
        cells(&[
            first,
            "登记",
            "办结",
            "调解成功率",
            "按期办结率",
            "平均用时",
        ])
    };
    vec![
        Block::Heading("五、受理渠道与承办单位".into()),
        Block::Table(Table {
            head: head("受理渠道"),
            rows: r.breakdown(Dimension::Channel).iter().map(line).collect(),
        }),
        Block::Table(Table {
            head: head("牵头单位(前十)"),
            rows: r
                .breakdown(Dimension::Unit)
                .iter()
                .take(10)
                .map(line)
                .collect(),
        }),
    ]
}

fn shares(c: &Counts) -> Vec<Vec<String>> {
    let got = c.shares_631();
    GOAL_631
        .iter()
        .enumerate()
        .map(|(k, (level, goal))| {
            let name = if k == 2 {
                "县级及以上"
            } else {
                level.label()
            };
            vec![
                name.to_string(),
                format!("{:.0}%", goal * 100.0),
                percent(got.map(|g| g[k])),
            ]
        })
        .collect()
}

fn warnings(ws: &[Alert]) -> Vec<Block> {
    let mut out = vec![Block::Heading("七、预警与风险".into())];
    let count = |l: &str| ws.iter().filter(|w| w.level.as_str() == l).count();
    out.push(Block::Paragraph(format!(
        "本月共发出预警{}条,其中红色{}条、橙色{}条、黄色{}条。",
        ws.len(),
        count("red"),
        count("orange"),
        count("yellow")
    )));
    if !ws.is_empty() {
        out.push(Block::Table(Table {
            head: cells(&["日期", "级别", "类型", "内容"]),
            rows: ws
                .iter()
                .take(20)
                .map(|w| {
                    vec![
                        local_date(w.created_at).to_string(),
                        w.level.label().into(),
                        w.kind.label().into(),
                        w.message.clone(),
                    ]
                })
                .collect(),
        }));
    }
    out
}

/// Opinions drawn from the figures by stated rules, most pressing first.
fn opinions(i: &Inputs) -> Vec<String> {
    let (r, f) = (&i.now, &i.now.figures);
    let (c, p) = (&f.counts, &i.before.counts);
    let mut out = Vec::new();
    if c.registered >= 10 && p.registered > 0 {
        let d = (c.registered as f64 - p.registered as f64) / p.registered as f64;
        if d >= 0.2 {
            out.push(format!(
                "本月登记量较上月上升{:.1}%,矛盾纠纷总量呈上升态势,各地要加密排查、及早介入。",
                d * 100.0
            ));
        }
    }
    for (k, n, b) in ranked_categories(f, &i.before).iter().take(10) {
        if *n >= 3 && *n as f64 >= *b as f64 * 1.5 {
            out.push(format!(
                "{}本月{}件,较上月{}件明显上升,建议主管部门提前介入、源头化解。",
                k.label(),
                n,
                b
            ));
        }
    }
    if let Some((code, n)) = i.hot_spots.first().filter(|h| h.1 >= 3) {
        out.push(format!(
            "{}本月登记{}件,为纠纷高发点,建议网格员加密走访排查。",
            r.names.region(code),
            n
        ));
    }
    if f.overdue_now > 0 {
        out.push(format!(
            "当前超期未办结{}件,请相关承办单位说明原因、限期整改。",
            f.overdue_now
        ));
    }
    if let Some(s) = c.satisfaction_rate().filter(|s| *s < 0.9) {
        out.push(format!(
            "回访满意率{},低于90%,请对不满意事项逐件复核,必要时启动轮次调处。",
            percent(Some(s))
        ));
    }
    if let Some([v, _, _]) = c.shares_631().filter(|s| s[0] < GOAL_631[0].1) {
        out.push(format!(
            "村级化解占比{},低于“六三一”目标的60%,要把力量下沉到村(社区)。",
            percent(Some(v))
        ));
    }
    let petitions: Vec<String> = [
        ("越级访", c.skip_level_petitions),
        ("赴市及以上访", c.petitions_to_city),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(k, n)| format!("{k}{n}件"))
    .collect();
    if !petitions.is_empty() {
        out.push(format!(
            "{},要落实属地责任,就地化解。",
            petitions.join("、")
        ));
    }
    if c.mass_cases > 0 {
        out.push(format!(
            "群体性纠纷{}件,要逐件明确包案领导,防止矛盾激化。",
            c.mass_cases
        ));
    }
    let red = i
        .warnings
        .iter()
        .filter(|w| w.level.as_str() == "red")
        .count();
    if red > 0 {
        out.push(format!("本月红色预警{red}条,请逐条核实处置情况。"));
    }
    if out.is_empty() {
        out.push("本月矛盾纠纷总体平稳,未发现明显异常。".into());
    }
    out
}

/// Who the server's own reports are by.
pub const SCHEDULE: &str = "系统(每月自动生成)";

/// Writes and keeps `region`'s report on the month before `now`'s, unless kept already;
/// returns the month written.
pub async fn write_due(
    store: &Store,
    region: &RegionCode,
    now: Timestamp,
) -> Result<Option<Month>, StoreError> {
    let month = Month::of(local_date(now)).previous();
    if store.has_report(KIND, region, &month.to_string()).await? {
        return Ok(None);
    }
    keep(store, region, month, SCHEDULE, now).await?;
    Ok(Some(month))
}

/// A report written and kept.
pub struct Kept {
    pub meta: concord_store::reports::ReportMeta,
    pub pdf: Vec<u8>,
}

/// Writes `region`'s report on `month` as PDF and keeps it, by `by`, replacing an
/// earlier one of the same month.
pub async fn keep(
    store: &Store,
    region: &RegionCode,
    month: Month,
    by: &str,
    now: Timestamp,
) -> Result<Kept, StoreError> {
    let doc = risk_report(store, region, month, now).await?;
    let pdf = doc.to_pdf();
    let period = month.to_string();
    let meta = store
        .save_report(KIND, region, &period, &doc.title, by, pdf.clone(), now)
        .await?;
    Ok(Kept { meta, pdf })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_step_back() {
        let m = Month::parse("2026-01").unwrap();
        assert_eq!(m.previous().to_string(), "2025-12");
        assert_eq!(m.last(), Date::constant(2026, 1, 31));
        assert_eq!(Month::parse("2026-13"), None);
        assert_eq!(Month::parse("26-01"), None);
        assert_eq!(change(12, 10), "+2(+20.0%)");
        assert_eq!(change(3, 0), "+3");
        assert_eq!(change(5, 5), "0");
    }
}
