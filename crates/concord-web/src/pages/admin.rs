//! The administrator's pages: accounts, organizations, routing rules, the working-day
//! calendar, document templates, the territory.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use concord_domain::calendar::DayType;
use concord_domain::org::Role;
use concord_domain::region::RegionCode;
use serde::Deserialize;

use super::actions::{Opt, opts};
use super::{Layout, PageError, PageUser, render};
use crate::AppState;
use crate::error::ApiError;

fn admin(layout: &Layout) -> Result<(), PageError> {
    if layout.user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden("只有系统管理员可以进入管理页面".into()).into())
    }
}

#[derive(Template)]
#[template(path = "app/admin.html")]
struct AdminIndex {
    layout: Layout,
}

pub async fn page(PageUser(layout): PageUser) -> Result<Html<String>, PageError> {
    admin(&layout)?;
    render(&AdminIndex { layout })
}

pub struct UserLine {
    pub username: String,
    pub name: String,
    pub role: &'static str,
    pub region: String,
}

pub struct OrgLine {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub region: String,
    pub stationing: &'static str,
    pub categories: String,
}

pub struct DayLine {
    pub date: String,
    pub holiday: bool,
    pub note: String,
}

pub struct TemplateLine {
    pub kind: &'static str,
    pub title: &'static str,
    pub fields: String,
    pub source: String,
    pub custom: bool,
}

pub struct KeyLine {
    pub id: i64,
    pub name: String,
    pub channel: &'static str,
    pub region: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

pub struct HookLine {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub region: String,
    pub created_at: String,
    pub removed_at: Option<String>,
}

pub struct DeliveryLine {
    pub id: i64,
    pub event: String,
    pub case_id: i64,
    pub attempts: i64,
    pub state: String,
    pub last: String,
}

pub struct RegionLine {
    pub code: String,
    pub name: String,
    pub level: &'static str,
}

#[derive(Template)]
#[template(path = "app/admin_section.html")]
struct Section {
    layout: Layout,
    section: String,
    users: Vec<UserLine>,
    roles: Vec<Opt>,
    orgs: Vec<OrgLine>,
    days: Vec<DayLine>,
    year: i16,
    templates: Vec<TemplateLine>,
    regions: Vec<RegionLine>,
    parent: Option<String>,
    keys: Vec<KeyLine>,
    channels: Vec<Opt>,
    /// Where integrating systems reach Open311.
    endpoint: String,
    hooks: Vec<HookLine>,
    actions: Vec<Opt>,
    /// The webhook whose delivery log is shown.
    hook: Option<i64>,
    deliveries: Vec<DeliveryLine>,
}

#[derive(Deserialize)]
pub struct SectionQuery {
    year: Option<i16>,
    parent: Option<String>,
    hook: Option<i64>,
}

pub async fn section(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
    Path(section): Path<String>,
    Query(q): Query<SectionQuery>,
) -> Result<Html<String>, PageError> {
    admin(&layout)?;
    if section == "routing" {
        return super::routing::page(&s, layout).await;
    }
    let mut page = Section {
        section: section.clone(),
        users: Vec::new(),
        roles: opts(Role::ALL, Role::as_str, Role::label, None),
        orgs: Vec::new(),
        days: Vec::new(),
        year: q
            .year
            .unwrap_or_else(|| concord_domain::time::local_date(jiff::Timestamp::now()).year()),
        templates: Vec::new(),
        regions: Vec::new(),
        parent: None,
        keys: Vec::new(),
        channels: Vec::new(),
        endpoint: format!("{}/open311/v2", s.public_url),
        hooks: Vec::new(),
        actions: Vec::new(),
        hook: q.hook,
        deliveries: Vec::new(),
        layout,
    };
    match section.as_str() {
        "users" => {
            page.users = s
                .store
                .users()
                .await?
                .into_iter()
                .map(|u| UserLine {
                    username: u.username,
                    name: u.display_name,
                    role: u.role.label(),
                    region: u.region.to_string(),
                })
                .collect();
        }
        "organizations" => {
            page.orgs = s
                .store
                .organizations(Some(&page.layout.user.region))
                .await?
                .into_iter()
                .map(|o| OrgLine {
                    id: o.id,
                    name: o.name,
                    kind: o.kind.label(),
                    region: o.region.to_string(),
                    stationing: o.stationing.label(),
                    categories: o
                        .categories
                        .iter()
                        .map(|c| c.label())
                        .collect::<Vec<_>>()
                        .join("、"),
                })
                .collect();
        }
        "calendar" => {
            page.days = s
                .store
                .calendar_days(Some(page.year))
                .await?
                .into_iter()
                .map(|d| DayLine {
                    date: d.date.to_string(),
                    holiday: d.day_type == DayType::Holiday,
                    note: d.note,
                })
                .collect();
        }
        "templates" => {
            for k in concord_docs::kinds::KINDS {
                let t = s.store.template(k.code).await?;
                page.templates.push(TemplateLine {
                    kind: t.kind,
                    title: t.title,
                    fields: t.fields.join("、"),
                    source: t.source,
                    custom: t.custom,
                });
            }
        }
        "regions" => {
            let parent = match q.parent.as_deref() {
                Some(p) => RegionCode::parse("parent", p).map_err(ApiError::from)?,
                None => page.layout.user.region.numbering_county(),
            };
            page.regions = s
                .store
                .regions(Some(&parent))
                .await?
                .into_iter()
                .map(|r| RegionLine {
                    code: r.code.to_string(),
                    name: r.name,
                    level: r.code.level().label(),
                })
                .collect();
            page.parent = Some(parent.to_string());
        }
        "apikeys" => {
            use concord_domain::case::Channel;
            page.channels = opts(
                concord_domain::open311::KEY_CHANNELS,
                Channel::as_str,
                Channel::label,
                Some(Channel::Hotline),
            );
            page.keys = s
                .store
                .api_keys()
                .await?
                .into_iter()
                .map(|k| KeyLine {
                    id: k.id,
                    name: k.name,
                    channel: k.channel.label(),
                    region: k.region.to_string(),
                    created_at: crate::views::local_time(k.created_at),
                    revoked_at: k.revoked_at.map(crate::views::local_time),
                })
                .collect();
        }
        "webhooks" => webhooks(&s, &mut page).await?,
        _ => return Err(ApiError::NotFound("页面").into()),
    }
    render(&page)
}

/// The webhook subscriptions, and one's delivery log when asked for.
async fn webhooks(s: &AppState, page: &mut Section) -> Result<(), PageError> {
    use concord_domain::lifecycle::ActionKind;
    use concord_domain::time::from_micros;
    let local = crate::views::local_time;
    page.actions = opts(ActionKind::ALL, ActionKind::as_str, ActionKind::label, None);
    page.hooks = s
        .store
        .webhooks()
        .await?
        .into_iter()
        .map(|w| HookLine {
            id: w.id,
            url: w.url,
            events: if w.events.is_empty() {
                "全部".into()
            } else {
                w.events
                    .iter()
                    .map(|e| ActionKind::parse("event", e).map_or(e.as_str(), |k| k.label()))
                    .collect::<Vec<_>>()
                    .join("、")
            },
            region: w.region.to_string(),
            created_at: local(w.created_at),
            removed_at: w.removed_at.map(local),
        })
        .collect();
    if let Some(id) = page.hook {
        page.deliveries = s
            .store
            .deliveries(id, 100)
            .await?
            .into_iter()
            .map(|d| DeliveryLine {
                id: d.id,
                event: d.event,
                case_id: d.case_id,
                attempts: d.attempts,
                state: match d.delivered_at {
                    Some(t) => format!("已送达 {}", local(from_micros(t))),
                    None => format!("待重试 {}", local(from_micros(d.next_at))),
                },
                last: match (d.last_status, d.last_error) {
                    (_, Some(e)) => e,
                    (Some(st), None) => format!("HTTP {st}"),
                    (None, None) => String::new(),
                },
            })
            .collect();
    }
    Ok(())
}
