//! Screening pages: the schedules and the ledger of a region, and one schedule with its
//! periods, its rounds and what they found; forms post to `/api/v1/screening`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use concord_domain::category::Category;
use concord_domain::org::Role;
use concord_domain::region::{RegionCode, RegionLevel};
use concord_domain::screening::{Cadence, Focus, Outcome, PLANNERS, RECORDERS};
use concord_domain::time::local_date;
use jiff::Timestamp;

use super::actions::{Opt, opts};
use super::{Layout, PageError, PageUser, render};
use crate::AppState;
use crate::api::screening::{
    FindingView, RoundView, ScheduleView, TallyView, may_see, schedule_view,
};
use crate::error::ApiError;

/// Ledger lines shown on the page; the .xlsx holds them all.
const LEDGER_LINES: i64 = 30;

fn may(layout: &Layout, roles: &[Role]) -> bool {
    layout.user.role == Role::Admin || roles.contains(&layout.user.role)
}

/// The regions of `area`'s subtree as options, villages indented under their township.
async fn region_opts(s: &AppState, area: &RegionCode) -> Result<Vec<Opt>, PageError> {
    Ok(s.store
        .regions_within(area)
        .await?
        .into_iter()
        .filter(|r| r.level >= RegionLevel::Township || r.code == *area)
        .map(|r| Opt {
            value: r.code.to_string(),
            label: match r.level {
                RegionLevel::Village => format!("\u{3000}{}", r.name),
                _ => r.name,
            },
            selected: false,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "app/screening.html")]
struct ScreeningPage {
    layout: Layout,
    schedules: Vec<ScheduleView>,
    may_plan: bool,
    regions: Vec<Opt>,
    cadences: Vec<Opt>,
    focuses: Vec<Opt>,
    assignees: Vec<Opt>,
    today: String,
    region: String,
    from: String,
    tally: TallyView,
    findings: Vec<FindingView>,
}

impl ScreeningPage {
    pub fn pct(&self, r: &Option<f64>) -> String {
        r.map_or("—".into(), |r| format!("{:.1}%", r * 100.0))
    }
}

pub async fn page(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
) -> Result<Html<String>, PageError> {
    let today = local_date(Timestamp::now());
    let region = layout.user.region;
    let from = jiff::civil::Date::new(today.year(), 1, 1).unwrap_or(today);
    let schedules = s
        .store
        .schedules(&region, Some(layout.user.id))
        .await?
        .into_iter()
        .map(|sch| schedule_view(sch, today))
        .collect();
    let may_plan = may(&layout, PLANNERS);
    let (regions, assignees) = if may_plan {
        (
            region_opts(&s, &region).await?,
            assignee_opts(&s, &region).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let tally = s.store.screening_tally(&region, from, today, today).await?;
    let findings = s
        .store
        .findings(&region, from, today, LEDGER_LINES)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    render(&ScreeningPage {
        schedules,
        may_plan,
        regions,
        cadences: opts(
            Cadence::ALL,
            Cadence::as_str,
            Cadence::label,
            Some(Cadence::Weekly),
        ),
        focuses: opts(
            Focus::ALL,
            Focus::as_str,
            Focus::label,
            Some(Focus::Households),
        ),
        assignees,
        today: today.to_string(),
        region: region.to_string(),
        from: from.to_string(),
        tally: tally.into(),
        findings,
        layout,
    })
}

/// Grid workers and mediators working in `area`.
async fn assignee_opts(s: &AppState, area: &RegionCode) -> Result<Vec<Opt>, PageError> {
    Ok(s.store
        .users()
        .await?
        .into_iter()
        .filter(|u| matches!(u.role, Role::GridWorker | Role::Mediator))
        .filter(|u| area.contains(&u.region) || u.region.contains(area))
        .map(|u| Opt {
            value: u.id.to_string(),
            label: format!("{}({})", u.display_name, u.role.label()),
            selected: false,
        })
        .collect())
}

/// One round as its schedule's page shows it.
pub struct RoundLine {
    pub r: RoundView,
    pub findings: Vec<FindingView>,
}

#[derive(Template)]
#[template(path = "app/screening_schedule.html")]
struct SchedulePage {
    layout: Layout,
    s: ScheduleView,
    may_record: bool,
    may_report: bool,
    /// Periods a round may still be recorded for: (label, what it says).
    open: Vec<(String, String)>,
    rounds: Vec<RoundLine>,
    regions: Vec<Opt>,
    categories: Vec<Opt>,
    outcomes: Vec<Opt>,
    today: String,
}

pub async fn schedule(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let id: i64 = id.parse().map_err(|_| ApiError::NotFound("排查计划"))?;
    let sch = s
        .store
        .schedule(id)
        .await?
        .filter(|sch| may_see(&layout.user, sch))
        .ok_or(ApiError::NotFound("排查计划"))?;
    let today = local_date(Timestamp::now());
    let regions = region_opts(&s, &sch.region).await?;
    let mut found: HashMap<i64, Vec<FindingView>> = HashMap::new();
    for f in s.store.schedule_findings(sch.id).await? {
        found.entry(f.round_id).or_default().push(f.into());
    }
    let rounds = sch
        .rounds
        .iter()
        .map(|r| RoundLine {
            r: r.clone().into(),
            findings: found.remove(&r.id).unwrap_or_default(),
        })
        .collect();
    let view = schedule_view(sch, today);
    let open = view
        .periods
        .iter()
        .filter(|p| matches!(p.state, "due" | "missed"))
        .map(|p| {
            let label = format!("{}({}至{},{})", p.period, p.first, p.last, p.state_label);
            (p.period.clone(), label)
        })
        .collect();
    render(&SchedulePage {
        may_record: may(&layout, RECORDERS),
        may_report: concord_domain::access::may(
            layout.user.role,
            concord_domain::lifecycle::ActionKind::Register,
        ),
        s: view,
        open,
        rounds,
        regions,
        categories: opts(Category::ALL, Category::as_str, Category::label, None),
        outcomes: opts(Outcome::ALL, Outcome::as_str, Outcome::label, None),
        today: today.to_string(),
        layout,
    })
}
