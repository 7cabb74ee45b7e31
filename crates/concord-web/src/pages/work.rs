//! Each person's day: my work by role, the mediator's calendar, the follow-up queue,
//! the alerts.

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use concord_domain::case::Status;
use concord_domain::org::{Role, Staff};
use concord_store::CaseFilter;
use jiff::{Span, Timestamp};

use super::actions::{ActionForm, follow_up_form};
use super::cases::{Line, lines};
use super::{Layout, PageError, PageUser, render, short_time};
use crate::AppState;
use crate::views::local_time;

/// One list on the "my work" page.
pub struct Queue {
    pub title: &'static str,
    pub hint: &'static str,
    pub lines: Vec<Line>,
    pub more: String,
}

#[derive(Template)]
#[template(path = "app/work.html")]
struct WorkPage {
    layout: Layout,
    queues: Vec<Queue>,
    /// The screening schedules this user keeps, with this period's state.
    screening: Vec<crate::api::screening::ScheduleView>,
    alerts: Vec<AlertLine>,
    sessions: Vec<SessionLine>,
}

pub struct AlertLine {
    pub id: i64,
    pub level: &'static str,
    pub level_label: &'static str,
    pub kind: &'static str,
    pub message: String,
    pub case_id: Option<i64>,
    pub at: String,
    pub acknowledged: Option<String>,
}

pub struct SessionLine {
    pub case_id: i64,
    pub starts: String,
    pub mode: &'static str,
    pub location: String,
}

/// One queue to show: its title, what it holds, where "more" leads, and its filter.
type QueueSpec = (&'static str, &'static str, &'static str, CaseFilter);

async fn queue(s: &AppState, layout: &Layout, spec: QueueSpec) -> Result<Queue, PageError> {
    let (title, hint, more, mut f) = spec;
    let now = Timestamp::now();
    f.region = Some(layout.user.region);
    f.holding = concord_domain::access::Holding::of(&layout.user);
    f.limit = 20;
    let page = s.store.list_cases(&f, now).await?;
    Ok(Queue {
        title,
        hint,
        lines: lines(page.items.iter().map(|i| &i.case), now),
        more: more.to_string(),
    })
}

fn statuses(list: &[Status]) -> CaseFilter {
    CaseFilter {
        statuses: list.to_vec(),
        ..Default::default()
    }
}

/// The queues each role works from, in the order the page shows them.
fn queues_of(user: &Staff) -> Vec<QueueSpec> {
    use Status as S;
    let role = user.role;
    let mut specs = Vec::new();
    if matches!(role, Role::Clerk | Role::Dispatcher | Role::Admin) {
        specs.push((
            "待受理",
            "登记后尚未受理",
            "/cases?status=registered",
            statuses(&[S::Registered]),
        ));
    }
    if matches!(role, Role::Dispatcher | Role::Admin) {
        specs.push((
            "待分流交办",
            "已受理或已升级,等待交办",
            "/cases?status=accepted",
            statuses(&[S::Accepted, S::Escalated]),
        ));
    }
    if matches!(role, Role::Dispatcher | Role::Leader | Role::Admin) {
        let f = CaseFilter {
            overdue: Some(true),
            ..Default::default()
        };
        specs.push(("超期事项", "已过办理期限仍未办结", "/cases?overdue=true", f));
    }
    if role == Role::Mediator
        && let Some(m) = user.mediator_id
    {
        let f = CaseFilter {
            mediator: Some(m),
            statuses: Status::OPEN.to_vec(),
            ..Default::default()
        };
        specs.push(("我在办的事项", "由我调解、尚未办结", "/cases", f));
    }
    if role == Role::DepartmentHandler
        && let Some(org) = user.org_id
    {
        let f = CaseFilter {
            lead_unit: Some(org),
            statuses: Status::OPEN.to_vec(),
            ..Default::default()
        };
        specs.push(("本单位在办", "本单位牵头、尚未办结", "/cases", f));
    }
    if role == Role::Judge {
        specs.push((
            "待司法确认",
            "调解协议已申请司法确认",
            "/cases?status=confirming",
            statuses(&[S::Confirming]),
        ));
    }
    if role == Role::FollowUp {
        specs.push((
            "待回访",
            "已办结,一个月内回访",
            "/followups",
            statuses(&[S::Closed]),
        ));
    }
    if role == Role::GridWorker {
        specs.push((
            "本网格事项",
            "网格内最近登记的事项",
            "/cases",
            CaseFilter::default(),
        ));
    }
    specs
}

/// The page's lists are read at once, each on a pooled connection.
pub async fn my_work(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
) -> Result<Html<String>, PageError> {
    let l = &layout;
    let queues = futures::future::try_join_all(
        queues_of(&layout.user)
            .into_iter()
            .map(|spec| queue(&s, l, spec)),
    );
    let alerts = async {
        if !matches!(l.user.role, Role::Dispatcher | Role::Leader | Role::Admin) {
            return Ok(Vec::new());
        }
        let mut a = alert_lines(&s, l, true).await?;
        a.truncate(5);
        Ok(a)
    };
    let (queues, alerts, sessions, screening) =
        futures::future::try_join4(queues, alerts, upcoming(&s, l, 7), my_screening(&s, l)).await?;
    render(&WorkPage {
        layout,
        queues,
        screening,
        alerts,
        sessions,
    })
}

/// The schedules assigned to the user, those due this period first.
async fn my_screening(
    s: &AppState,
    layout: &Layout,
) -> Result<Vec<crate::api::screening::ScheduleView>, PageError> {
    if !matches!(layout.user.role, Role::GridWorker | Role::Mediator) {
        return Ok(Vec::new());
    }
    let today = concord_domain::time::local_date(Timestamp::now());
    let mut mine: Vec<_> = s
        .store
        .schedules(&layout.user.region, Some(layout.user.id))
        .await?
        .into_iter()
        .filter(|sch| sch.assignee == Some(layout.user.id))
        .map(|sch| crate::api::screening::schedule_view(sch, today))
        .collect();
    mine.sort_by_key(|v| v.current.state != "due");
    Ok(mine)
}

async fn alert_lines(
    s: &AppState,
    layout: &Layout,
    open: bool,
) -> Result<Vec<AlertLine>, PageError> {
    Ok(s.store
        .alerts(&layout.user.region, open)
        .await?
        .into_iter()
        .map(|a| AlertLine {
            id: a.id,
            level: a.level.as_str(),
            level_label: a.level.label(),
            kind: a.kind.label(),
            message: a.message,
            case_id: a.case_id,
            at: short_time(&local_time(a.created_at)),
            acknowledged: a.acknowledged_at.map(|t| short_time(&local_time(t))),
        })
        .collect())
}

/// The mediator's sessions in the next `days` days.
async fn upcoming(s: &AppState, layout: &Layout, days: i64) -> Result<Vec<SessionLine>, PageError> {
    if layout.user.role != Role::Mediator {
        return Ok(Vec::new());
    }
    let Some(m) = layout.user.mediator_id else {
        return Ok(Vec::new());
    };
    let now = Timestamp::now();
    let to = now + Span::new().hours(24 * days);
    let from = now - Span::new().hours(12);
    Ok(s.store
        .calendar_of(m, false, from, to)
        .await?
        .into_iter()
        .filter(|x| x.cancel_reason.is_none())
        .map(|x| SessionLine {
            case_id: x.case_id,
            starts: short_time(&local_time(x.starts_at)),
            mode: x.mode.label(),
            location: x.location,
        })
        .collect())
}

#[derive(Template)]
#[template(path = "app/calendar.html")]
struct CalendarPage {
    layout: Layout,
    sessions: Vec<SessionLine>,
}

pub async fn calendar(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
) -> Result<Html<String>, PageError> {
    let sessions = upcoming(&s, &layout, 30).await?;
    render(&CalendarPage { layout, sessions })
}

pub struct FollowUpLine {
    pub line: Line,
    pub id: i64,
    pub version: i64,
    pub due: String,
}

#[derive(Template)]
#[template(path = "app/followups.html")]
struct FollowUpPage {
    layout: Layout,
    items: Vec<FollowUpLine>,
    form: ActionForm,
}

pub async fn followups(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
) -> Result<Html<String>, PageError> {
    let now = Timestamp::now();
    let queue = s.store.follow_up_queue(&layout.user.region, 50).await?;
    let items = queue
        .iter()
        .zip(lines(&queue, now))
        .map(|(c, line)| FollowUpLine {
            id: c.id,
            version: c.version,
            due: c
                .follow_up_due
                .map(crate::views::last_day)
                .unwrap_or_default(),
            line,
        })
        .collect();
    render(&FollowUpPage {
        layout,
        items,
        form: follow_up_form(),
    })
}

#[derive(Template)]
#[template(path = "app/alerts.html")]
struct AlertsPage {
    layout: Layout,
    alerts: Vec<AlertLine>,
}

pub async fn alerts(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
) -> Result<Html<String>, PageError> {
    let alerts = alert_lines(&s, &layout, false).await?;
    render(&AlertsPage { layout, alerts })
}
