//! The leader's dashboard (研判): the figures of a region and period, by child region, as
//! charts and as tables.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use concord_domain::figures::{Counts, Dimension, Figures, GOAL_631};
use concord_domain::time::local_date;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;

use super::{Layout, PageError, PageUser, render};
use crate::AppState;

#[derive(Deserialize)]
pub struct DashboardQuery {
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

pub struct RegionLine {
    pub code: String,
    pub name: String,
    pub counts: Counts,
}

impl RegionLine {
    pub fn success(&self) -> String {
        percent(self.counts.success_rate())
    }

    pub fn satisfaction(&self) -> String {
        percent(self.counts.satisfaction_rate())
    }
}

pub use crate::reports::percent;
use crate::reports::{BreakdownLine, FigureReport};

impl BreakdownLine {
    pub fn success(&self) -> String {
        percent(self.tally.success_rate())
    }

    pub fn on_time(&self) -> String {
        percent(self.tally.on_time_rate())
    }

    pub fn work_days(&self) -> String {
        crate::reports::days(self.tally.average_work_days())
    }
}

#[derive(Template)]
#[template(path = "app/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    /// The screening of the region and period, in one sentence.
    screening: String,
    region: String,
    region_name: String,
    parent: Option<String>,
    from: String,
    to: String,
    f: Figures,
    regions: Vec<RegionLine>,
    shares: Vec<(&'static str, String, String)>,
    categories: Vec<(&'static str, u64)>,
    charts: String,
    /// Open early warnings (surges, high risk) in the region: (level, label, message).
    warnings: Vec<(&'static str, &'static str, String)>,
    channels: Vec<BreakdownLine>,
    /// Lead units and mediators, busiest first (rankings), the first fifteen.
    units: Vec<BreakdownLine>,
    mediators: Vec<BreakdownLine>,
    /// Monthly risk reports kept for the region: (href, title, by).
    reports: Vec<(String, String, String)>,
    /// The month before this one, for generating its report.
    last_month: String,
    may_report: bool,
}

impl DashboardPage {
    pub fn pct(&self, r: Option<f64>) -> String {
        percent(r)
    }

    pub fn days(&self, r: Option<f64>) -> String {
        crate::reports::days(r)
    }
}

pub async fn page(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
    Query(q): Query<DashboardQuery>,
) -> Result<Html<String>, PageError> {
    let now = Timestamp::now();
    let today = local_date(now);
    let region = crate::api::reports::scope(&layout.user, q.region.as_deref())?;
    let (from, to) = crate::api::reports::days(q.from.as_deref(), q.to.as_deref())?;
    // The figures, the kept reports, the warnings and the screening tally are read at
    // once, each on a pooled connection.
    let (report, kept_reports, alerts, tally) = futures::future::try_join4(
        FigureReport::load(&s.store, &region, from, to, now),
        s.store.reports(&region),
        s.store.alerts(&region, true),
        s.store.screening_tally(&region, from, to, today),
    )
    .await?;
    let top = |d| report.breakdown(d).into_iter().take(15).collect::<Vec<_>>();
    let (channels, units, mediators) = (
        report.breakdown(Dimension::Channel),
        top(Dimension::Unit),
        top(Dimension::Mediator),
    );
    let reports = kept_reports
        .into_iter()
        .filter(|r| r.region == region.as_str())
        .take(12)
        .map(|r| (format!("/api/v1/reports/{}", r.id), r.title, r.created_by))
        .collect();
    let last_month = crate::reports::monthly::Month::of(today)
        .previous()
        .to_string();
    let may_report =
        crate::api::oversight::allow(&layout.user, crate::api::reports::REPORT_WRITERS, "").is_ok();
    let region_name = report.region_name.clone();
    let names = &report.names;
    let regions: Vec<RegionLine> = report
        .figures
        .by_region
        .iter()
        .map(|(code, counts)| RegionLine {
            name: names.region(code),
            code: code.clone(),
            counts: counts.clone(),
        })
        .collect();
    let f = report.figures;
    let shares = f.counts.shares_631().unwrap_or_default();
    let shares = GOAL_631
        .iter()
        .zip(shares)
        .map(|((level, goal), got)| {
            (
                level.label(),
                format!("{:.0}%", goal * 100.0),
                format!("{:.1}%", got * 100.0),
            )
        })
        .collect();
    let mut categories: Vec<(&'static str, u64)> =
        f.by_category.iter().map(|(c, n)| (c.label(), *n)).collect();
    categories.sort_by_key(|c| std::cmp::Reverse(c.1));
    let charts = json!({
        "weekly": every_week(from, to, &f.weekly).iter().map(|(w, n)| json!([w, n])).collect::<Vec<_>>(),
        "categories": categories.iter().map(|(c, n)| json!({"name": c, "value": n})).collect::<Vec<_>>(),
        "regions": regions.iter().map(|r| json!({"name": r.name, "registered": r.counts.registered, "resolved": r.counts.resolved})).collect::<Vec<_>>(),
    })
    .to_string()
    // Inside <script>, "</" would end it.
    .replace("</", "<\\/");
    use concord_domain::alert::AlertKind;
    let warnings = alerts
        .into_iter()
        .filter(|a| matches!(a.kind, AlertKind::Surge | AlertKind::HighRisk))
        .take(8)
        .map(|a| (a.level.as_str(), a.kind.label(), a.message))
        .collect();
    let screening = tally.sentence();
    let page = DashboardPage {
        screening,
        warnings,
        channels,
        units,
        mediators,
        reports,
        last_month,
        may_report,
        parent: region
            .parent()
            .filter(|p| layout.user.region.contains(p))
            .map(|p| p.to_string()),
        region: region.to_string(),
        region_name,
        from: from.to_string(),
        to: to.to_string(),
        f,
        regions,
        shares,
        categories,
        charts,
        layout,
    };
    render(&page)
}

/// Each week of [from, to] with its registrations, the quiet ones as 0, so that the
/// trend line does not jump over them.
fn every_week(
    from: Date,
    to: Date,
    weekly: &std::collections::BTreeMap<String, u64>,
) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut w = concord_domain::figures::monday_of(from);
    while w <= to && out.len() < 600 {
        let key = w.to_string();
        out.push((key.clone(), weekly.get(&key).copied().unwrap_or(0)));
        match w.checked_add(jiff::Span::new().days(7)) {
            Ok(next) => w = next,
            Err(_) => break,
        }
    }
    out
}
