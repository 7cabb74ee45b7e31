//! The dispatch board (分流台): the cases waiting to be assigned, each with the routing
//! suggestion and its reasons, beside the units with their open caseloads. A case is
//! dragged onto a unit, or — the same form, by keyboard or without scripts — given a unit
//! in its own form; either way it is the `assign` transition, and a unit other than the
//! suggested one needs a reason.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use concord_domain::case::{Level, Status};
use concord_domain::org::{OrgKind, Organization, Role};
use concord_domain::region::RegionLevel;
use concord_store::CaseFilter;
use jiff::Timestamp;

use super::cases::{Line, lines};
use super::{Layout, PageError, PageUser, render};
use crate::AppState;
use crate::error::ApiError;

/// Cases on the board at once, the most urgent first.
const BOARD_CASES: u32 = 30;

/// A unit one may assign to, with the level it works at.
pub struct UnitOpt {
    pub id: i64,
    pub name: String,
    pub level: &'static str,
    pub open: u32,
    pub selected: bool,
}

pub struct Card {
    pub line: Line,
    pub version: i64,
    pub suggested_name: String,
    pub level: &'static str,
    pub level_label: &'static str,
    pub reasons: String,
    pub units: Vec<UnitOpt>,
}

#[derive(Template)]
#[template(path = "app/dispatch.html")]
struct DispatchPage {
    layout: Layout,
    cards: Vec<Card>,
    /// The drop targets: county bodies and every unit a card is routed to.
    targets: Vec<UnitOpt>,
}

fn level_of(o: &Organization) -> Level {
    Level::of_region(o.region.level())
}

pub async fn page(
    State(s): State<AppState>,
    PageUser(layout): PageUser,
) -> Result<Html<String>, PageError> {
    if !matches!(layout.user.role, Role::Dispatcher | Role::Admin) {
        return Err(ApiError::Forbidden("分流台仅供指挥中心使用".into()).into());
    }
    let now = Timestamp::now();
    let filter = CaseFilter {
        region: Some(layout.user.region),
        statuses: vec![Status::Accepted, Status::Escalated],
        limit: BOARD_CASES,
        ..Default::default()
    };
    let page = s.store.list_cases(&filter, now).await?;
    let county = layout.user.region.numbering_county();
    let orgs: Vec<Organization> = s
        .store
        .organizations(Some(&county))
        .await?
        .into_iter()
        .filter(|o| o.kind != OrgKind::Court)
        .collect();
    let rules = s.store.routing_rules().await?;
    let loads = s.store.unit_loads().await?;
    let open = |id: i64| loads.get(&id).copied().unwrap_or(0);
    let name: HashMap<i64, &str> = orgs.iter().map(|o| (o.id, o.name.as_str())).collect();
    let cases: Vec<_> = page.items.iter().map(|i| &i.case).collect();
    let mut cards = Vec::new();
    for (c, line) in cases.iter().zip(lines(cases.iter().copied(), now)) {
        let d = concord_domain::routing::route(&c.facts, &rules, &orgs);
        cards.push(Card {
            version: c.version,
            suggested_name: d
                .unit
                .and_then(|u| name.get(&u).copied())
                .unwrap_or("(无,请选择)")
                .to_string(),
            level: d.level.as_str(),
            level_label: d.level.label(),
            reasons: d.reasons.join(";"),
            units: orgs
                .iter()
                .map(|o| UnitOpt {
                    id: o.id,
                    name: o.name.clone(),
                    level: level_of(o).as_str(),
                    open: open(o.id),
                    selected: Some(o.id) == d.unit,
                })
                .collect(),
            line,
        });
    }
    let routed: Vec<i64> = cards
        .iter()
        .filter_map(|c| c.units.iter().find(|u| u.selected).map(|u| u.id))
        .collect();
    let targets = orgs
        .iter()
        .filter(|o| o.region.level() == RegionLevel::County || routed.contains(&o.id))
        .map(|o| UnitOpt {
            id: o.id,
            name: o.name.clone(),
            level: level_of(o).as_str(),
            open: open(o.id),
            selected: false,
        })
        .collect();
    render(&DispatchPage {
        cards,
        targets,
        layout,
    })
}
