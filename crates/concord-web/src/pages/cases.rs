//! The case list, the intake form and the case page.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use concord_domain::access::Holding;
use concord_domain::case::{Case, CaseKind, Channel, Status};
use concord_domain::category::Category;
use concord_domain::deadline::Clock;
use concord_domain::intake::{VisitLevel, Window};
use concord_domain::lifecycle::{ActionKind, allowed_actions};
use concord_domain::org::{OrgKind, Organization, Role};
use concord_domain::session::{SessionMethod, SessionMode};
use concord_store::CaseFilter;
use jiff::Timestamp;
use serde::Deserialize;

use super::actions::{self, ActionForm, Choices, Opt, opts};
use super::{Layout, PageError, PageUser, render, short_time};
use crate::AppState;
use crate::api::mediation::{SessionView, session_view};
use crate::views::{CaseView, EventView, case_view, summary};

/// One line of a case list.
pub struct Line {
    pub id: i64,
    pub number: String,
    pub category: &'static str,
    pub status: &'static str,
    pub description: String,
    pub registered: String,
    pub deadline: String,
    pub light: &'static str,
    pub light_label: &'static str,
    pub mass: bool,
}

pub fn light(c: Option<Clock>) -> (&'static str, &'static str) {
    match c {
        Some(Clock::OnTime) => ("on_time", "正常"),
        Some(Clock::NearDue) => ("near_due", "临期"),
        Some(Clock::Overdue) => ("overdue", "超期"),
        None => ("", ""),
    }
}

fn shorten(s: &str, n: usize) -> String {
    let mut out: String = s.chars().take(n).collect();
    if s.chars().count() > n {
        out.push('…');
    }
    out
}

pub fn lines<'a>(cases: impl IntoIterator<Item = &'a Case>, now: Timestamp) -> Vec<Line> {
    cases
        .into_iter()
        .map(|c| {
            let v = summary(c, now);
            let (light, light_label) = light(v.clock);
            Line {
                id: v.id,
                number: v.number,
                category: v.category_label,
                status: v.status_label,
                description: shorten(&v.description, 60),
                registered: short_time(&v.registered_at),
                deadline: v.deadline_date.unwrap_or_default(),
                light,
                light_label,
                mass: v.mass_case,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "app/cases.html")]
struct ListPage {
    layout: Layout,
    lines: Vec<Line>,
    q: String,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    overdue: bool,
    next: Option<String>,
    query_base: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    status: Option<String>,
    category: Option<String>,
    overdue: Option<String>,
    cursor: Option<String>,
}

pub async fn list(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let now = Timestamp::now();
    let status = q
        .status
        .as_deref()
        .and_then(|v| Status::parse("status", v).ok());
    let category = q
        .category
        .as_deref()
        .and_then(|v| Category::parse("category", v).ok());
    let overdue = q.overdue.as_deref() == Some("true");
    let text = q.q.clone().unwrap_or_default();
    let (cases, next, error) = if text.trim().is_empty() {
        let f = CaseFilter {
            status,
            category,
            region: Some(layout.user.region),
            holding: Holding::of(&layout.user),
            overdue: overdue.then_some(true),
            after: q.cursor.as_deref().and_then(parse_cursor),
            limit: 50,
            ..Default::default()
        };
        let page = s.store.list_cases(&f, now).await?;
        let next = page
            .next
            .map(|(at, id)| format!("{}.{id}", at.as_microsecond()));
        (page.items.into_iter().map(|i| i.case).collect(), next, None)
    } else if text.chars().count() > 200 {
        (
            Vec::new(),
            None,
            Some("查询内容不能超过200个字".to_string()),
        )
    } else {
        let found = s.store.search(&text, &layout.user.region, 50).await?;
        let mine = Holding::of(&layout.user);
        let found = found.into_iter().map(|i| i.case).filter(|c| mine.holds(c));
        (found.collect(), None, None)
    };
    let query_base = format!(
        "status={}&category={}&overdue={}",
        q.status.as_deref().unwrap_or(""),
        q.category.as_deref().unwrap_or(""),
        if overdue { "true" } else { "" }
    );
    let page = ListPage {
        lines: lines(&cases, now),
        layout,
        q: text,
        statuses: opts(Status::ALL, Status::as_str, Status::label, status),
        categories: opts(Category::ALL, Category::as_str, Category::label, category),
        overdue,
        next,
        query_base,
        error,
    };
    render(&page)
}

fn parse_cursor(c: &str) -> Option<(Timestamp, i64)> {
    let (at, id) = c.split_once('.')?;
    Some((
        Timestamp::from_microsecond(at.parse().ok()?).ok()?,
        id.parse().ok()?,
    ))
}

#[derive(Template)]
#[template(path = "app/new_case.html")]
struct NewCasePage {
    layout: Layout,
    kinds: Vec<Opt>,
    channels: Vec<Opt>,
    windows: Vec<Opt>,
    categories: Vec<Opt>,
    townships: Vec<(String, String)>,
    visit_levels: Vec<Opt>,
}

pub async fn new_case(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
) -> Result<Html<String>, PageError> {
    let county = layout.user.region.numbering_county();
    let townships = s
        .store
        .regions(Some(&county))
        .await?
        .into_iter()
        .filter(|r| layout.user.region.contains(&r.code) || r.code.contains(&layout.user.region))
        .map(|r| (r.code.to_string(), r.name))
        .collect();
    let default_channel = if layout.user.role == Role::GridWorker {
        Channel::GridWorker
    } else {
        Channel::Window
    };
    let page = NewCasePage {
        kinds: opts(
            CaseKind::ALL,
            CaseKind::as_str,
            CaseKind::label,
            Some(CaseKind::Dispute),
        ),
        channels: opts(
            Channel::ALL,
            Channel::as_str,
            Channel::label,
            Some(default_channel),
        ),
        windows: opts(Window::ALL, Window::as_str, Window::label, None),
        categories: opts(Category::ALL, Category::as_str, Category::label, None),
        visit_levels: opts(
            VisitLevel::ALL,
            VisitLevel::as_str,
            VisitLevel::label,
            Some(VisitLevel::County),
        ),
        townships,
        layout,
    };
    render(&page)
}

/// A party as the case page shows it (masked).
pub struct PartyLine {
    pub index: usize,
    pub role: &'static str,
    pub name: String,
    pub phone: String,
    pub id_number: String,
    pub signed: Option<String>,
}

pub struct DocLine {
    pub title: String,
    pub version: i64,
    pub created: String,
    pub by: String,
    pub id: i64,
}

/// Who was told what, and when.
pub struct NoticeLine {
    pub kind: &'static str,
    pub to: String,
    pub channel: &'static str,
    pub state: &'static str,
    pub at: String,
}

pub struct FileLine {
    pub id: i64,
    pub name: String,
    pub size: String,
    pub by: String,
    pub at: String,
    /// The first characters of the content's SHA-256, to read out when checking a copy.
    pub sha: String,
}

/// 1.2 MB, 35 KB.
fn file_size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1024.0 / 1024.0)
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

pub struct TermLine {
    pub text: String,
    pub due: String,
    pub amount: String,
}

pub struct AgreementBox {
    pub version: u32,
    pub facts: String,
    pub terms: Vec<TermLine>,
    pub hash: String,
    pub signed: usize,
}

pub struct TaskLine {
    pub unit: String,
    pub status: &'static str,
    pub deadline: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "app/case.html")]
struct CasePage {
    layout: Layout,
    case: CaseView,
    region_path: String,
    light: (&'static str, &'static str),
    lead_unit: String,
    mediator: String,
    co_handlers: Vec<String>,
    parties: Vec<PartyLine>,
    events: Vec<EventView>,
    forms: Vec<ActionForm>,
    route: Option<RouteBox>,
    sessions: Vec<SessionLine>,
    can_mediate: bool,
    can_generate: bool,
    session_modes: Vec<Opt>,
    session_methods: Vec<Opt>,
    rooms: Vec<Opt>,
    mediators: Vec<Opt>,
    agreement: Option<AgreementBox>,
    documents: Vec<DocLine>,
    notices: Vec<NoticeLine>,
    files: Vec<FileLine>,
    doc_kinds: Vec<Opt>,
    tasks: Vec<TaskLine>,
    room_open: bool,
    /// May ask for a party's full numbers (each view recorded).
    can_reveal: bool,
}

pub struct RouteBox {
    pub level: &'static str,
    pub tier: &'static str,
    pub unit: String,
    pub reasons: Vec<String>,
}

pub struct SessionLine {
    pub v: SessionView,
    pub starts: String,
    pub mediator: String,
    pub room: String,
    pub recordable: bool,
}

fn names(orgs: &[Organization]) -> HashMap<i64, String> {
    orgs.iter().map(|o| (o.id, o.name.clone())).collect()
}

fn org_opts(
    orgs: &[Organization],
    keep: impl Fn(&Organization) -> bool,
    selected: Option<i64>,
) -> Vec<Opt> {
    orgs.iter()
        .filter(|o| keep(o))
        .map(|o| Opt {
            value: o.id.to_string(),
            label: o.name.clone(),
            selected: Some(o.id) == selected,
        })
        .collect()
}

pub async fn page(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let record = crate::api::cases::load_case(&s, &layout.user, &id).await?;
    let now = Timestamp::now();
    let c = record.case.clone();
    let county = c.facts.region.numbering_county();
    let orgs = s.store.organizations(Some(&county)).await?;
    let org_name = names(&orgs);
    let name_of = |id: Option<i64>| {
        id.and_then(|i| org_name.get(&i).cloned())
            .unwrap_or_default()
    };
    // Who may take the case matters only while someone here can assign it or book a
    // session for it: working it out asks about every mediator's other cases.
    let may_choose = matches!(
        c.status,
        Status::Accepted
            | Status::Escalated
            | Status::Assigned
            | Status::InMediation
            | Status::Agreed
    ) && (concord_domain::access::may(layout.user.role, ActionKind::Assign)
        || concord_domain::access::may(layout.user.role, ActionKind::ScheduleSession));
    let mediators = if may_choose {
        crate::api::mediators::case_mediators(&s, &record).await?
    } else {
        crate::api::mediators::CaseMediators::default()
    };
    let mediator_name: HashMap<i64, String> = s
        .store
        .mediators(Some(&county))
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mediator_opts: Vec<Opt> = mediators
        .eligible
        .iter()
        .map(|e| Opt {
            value: e.mediator.id.to_string(),
            label: format!("{}({},在办{}件)", e.mediator.name, e.org_name, e.open_cases),
            selected: mediators.agreed == Some(e.mediator.id),
        })
        .collect();
    let route = if matches!(c.status, Status::Accepted | Status::Escalated) {
        let d = s.store.route(&c.facts).await?;
        Some(d)
    } else {
        None
    };
    let tasks = s.store.tasks(c.id).await?;
    let choices = Choices {
        units: org_opts(
            &orgs,
            |o| o.kind != OrgKind::Court,
            route.as_ref().and_then(|d| d.unit),
        ),
        courts: org_opts(&orgs, |o| o.kind == OrgKind::Court, None),
        mediators: mediator_opts.clone(),
        tasks: tasks
            .iter()
            .filter(|t| t.status == "open")
            .map(|t| Opt {
                value: t.id.to_string(),
                label: name_of(Some(t.org_id)),
                selected: layout.user.org_id == Some(t.org_id),
            })
            .collect(),
        complexity: c.facts.complexity,
        category: c.facts.category,
        risk_level: c.risk_level,
        level: route.as_ref().map(|d| d.level),
        tier: route.as_ref().map(|d| d.tier),
    };
    let forms = actions::forms(layout.user.role, allowed_actions(c.status), &choices);
    let agreement = s.store.agreement(c.id).await?;
    let signed_by: HashMap<usize, String> = agreement
        .iter()
        .flat_map(|a| a.signatures.iter())
        .map(|sig| {
            (
                sig.party,
                format!(
                    "{}签字 {}",
                    sig.method.label(),
                    short_time(&crate::views::local_time(sig.signed_at))
                ),
            )
        })
        .collect();
    let view = case_view(record, now);
    let parties = view
        .parties
        .iter()
        .enumerate()
        .map(|(i, p)| PartyLine {
            index: i,
            role: p.role.label(),
            name: p.name.clone(),
            phone: p.phone.clone().unwrap_or_default(),
            id_number: p.id_number.clone().unwrap_or_default(),
            signed: signed_by.get(&i).cloned(),
        })
        .collect();
    let sessions = s
        .store
        .sessions(c.id)
        .await?
        .into_iter()
        .map(session_view)
        .map(|v| SessionLine {
            starts: short_time(&v.starts_at),
            mediator: v
                .mediator
                .and_then(|m| mediator_name.get(&m).cloned())
                .unwrap_or_default(),
            room: name_of(v.room),
            recordable: v.record.is_none() && v.cancel_reason.is_none(),
            v,
        })
        .collect();
    let may = |a| concord_domain::access::may(layout.user.role, a);
    let can_mediate = c.status.is_open()
        && may(concord_domain::lifecycle::ActionKind::ScheduleSession)
        && matches!(
            c.status,
            Status::Assigned | Status::InMediation | Status::Agreed
        );
    let documents = s
        .store
        .documents(c.id)
        .await?
        .into_iter()
        .map(|d| DocLine {
            title: d.title,
            version: d.version,
            created: short_time(&crate::views::local_time(d.created_at)),
            by: d.created_by,
            id: d.id,
        })
        .collect();
    let notices = notice_lines(&s, &c).await?;
    let files = s
        .store
        .attachments(c.id)
        .await?
        .into_iter()
        .map(|a| FileLine {
            id: a.id,
            name: a.name,
            size: file_size(a.size),
            by: a.uploaded_by,
            at: short_time(&crate::views::local_time(a.at)),
            sha: a.sha256[..12].to_string(),
        })
        .collect();
    let doc_kinds = concord_docs::kinds::KINDS
        .iter()
        .map(|k| Opt {
            value: k.code.into(),
            label: k.title.into(),
            selected: false,
        })
        .collect();
    let page = CasePage {
        region_path: view.region_name.clone(),
        light: light(view.summary.clock),
        lead_unit: name_of(c.lead_unit),
        mediator: c
            .mediator
            .and_then(|m| mediator_name.get(&m).cloned())
            .unwrap_or_default(),
        co_handlers: c.co_handlers.iter().map(|u| name_of(Some(*u))).collect(),
        parties,
        events: view.events.iter().rev().cloned().collect(),
        forms,
        route: route.map(|d| RouteBox {
            level: d.level.label(),
            tier: d.tier.label(),
            unit: name_of(d.unit),
            reasons: d.reasons,
        }),
        sessions,
        can_mediate,
        can_reveal: concord_domain::access::may_see_personal_data(layout.user.role),
        can_generate: layout.user.role != Role::Leader,
        session_modes: opts(
            SessionMode::ALL,
            SessionMode::as_str,
            SessionMode::label,
            Some(SessionMode::AtCenter),
        ),
        session_methods: opts(
            SessionMethod::ALL,
            SessionMethod::as_str,
            SessionMethod::label,
            Some(SessionMethod::FaceToFace),
        ),
        rooms: org_opts(&orgs, |o| o.kind == OrgKind::MediationRoom, None),
        mediators: mediator_opts,
        agreement: agreement.map(|a| AgreementBox {
            version: a.version,
            signed: a.signatures.len(),
            facts: a.text.facts.clone(),
            terms: a
                .text
                .terms
                .iter()
                .map(|t| TermLine {
                    text: t.text.clone(),
                    due: t.due.map(|d| d.to_string()).unwrap_or_default(),
                    amount: t.amount.map(|a| format!("{a}元")).unwrap_or_default(),
                })
                .collect(),
            hash: a.hash,
        }),
        documents,
        notices,
        files,
        doc_kinds,
        tasks: tasks
            .iter()
            .map(|t| TaskLine {
                unit: name_of(Some(t.org_id)),
                status: match t.status.as_str() {
                    "open" => "办理中",
                    "done" => "已完成",
                    "returned" => "已退回",
                    _ => "已取消",
                },
                deadline: crate::views::last_day(t.deadline),
                note: t.note.clone(),
            })
            .collect(),
        room_open: matches!(
            c.status,
            Status::Assigned | Status::InMediation | Status::Agreed
        ),
        case: view,
        layout,
    };
    render(&page)
}

impl CasePage {
    pub fn level(&self) -> &'static str {
        self.case.summary.level.label()
    }

    pub fn tier(&self) -> &'static str {
        self.case.summary.tier.label()
    }

    pub fn kind(&self) -> &'static str {
        self.case.summary.kind.label()
    }

    pub fn channel(&self) -> &'static str {
        self.case.summary.channel.label()
    }

    pub fn amount(&self) -> String {
        self.case
            .summary
            .amount
            .map(|a| format!("{a}元"))
            .unwrap_or_default()
    }

    pub fn outcome(&self) -> &'static str {
        self.case.summary.outcome.map_or("", |o| o.label())
    }

    pub fn satisfaction(&self) -> &'static str {
        self.case.summary.satisfaction.map_or("", |o| o.label())
    }

    pub fn when(&self, t: &str) -> String {
        short_time(t)
    }

    /// An event's reason or its main detail, for the timeline.
    pub fn event_note(&self, e: &EventView) -> String {
        let mut parts = Vec::new();
        if let Some(r) = &e.reason {
            parts.push(r.clone());
        }
        for key in ["summary", "guidance", "note", "ruling"] {
            if let Some(v) = e.details.get(key).and_then(|v| v.as_str()) {
                parts.push(v.to_string());
            }
        }
        parts.join(";")
    }
}

async fn notice_lines(
    s: &AppState,
    c: &concord_domain::case::Case,
) -> Result<Vec<NoticeLine>, concord_store::StoreError> {
    use concord_domain::notice::NoticeKind;
    let rows = s.store.case_notifications(c.id).await?;
    Ok(rows
        .into_iter()
        .map(|n| NoticeLine {
            kind: NoticeKind::parse("kind", &n.kind).map_or("通知", |k| k.label()),
            to: match (n.party_ordinal, n.user_name) {
                (Some(i), _) => c
                    .facts
                    .parties
                    .get(i as usize)
                    .map_or_else(|| format!("当事人{}", i + 1), |p| p.name.clone()),
                (None, Some(name)) => name,
                (None, None) => "工作人员".into(),
            },
            channel: if n.channel == "sms" {
                "短信"
            } else {
                "邮件"
            },
            state: match n.state.as_str() {
                "sent" => "已发送",
                "skipped" => "无联系方式",
                _ => "待发送",
            },
            at: short_time(&crate::views::local_time(
                concord_domain::time::from_micros(n.sent_at.unwrap_or(n.created_at)),
            )),
        })
        .collect())
}
