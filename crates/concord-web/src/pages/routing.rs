//! The administrator's routing-rule editor (分流规则): each rule as a form of its own —
//! conditions as choices, the result as choices — added, removed and reordered in the
//! page, saved as one new version through `PUT /api/v1/routing/rules`.

use askama::Template;
use axum::response::Html;
use concord_domain::case::{CaseKind, Channel, Level, Tier};
use concord_domain::category::Category;
use concord_domain::region::RegionLevel;
use concord_domain::routing::Rule;

use super::actions::Opt;
use super::{Layout, PageError, render};
use crate::AppState;

/// One rule's fields with their choices marked.
pub struct RuleForm {
    /// Its position, or `__i__` in the template for a new rule.
    pub index: String,
    pub id: String,
    pub name: String,
    /// The rule in one line: its conditions → what it sets.
    pub summary: String,
    pub categories: Vec<Opt>,
    pub kinds: Vec<Opt>,
    pub channels: Vec<Opt>,
    pub levels: Vec<Opt>,
    pub regions: Vec<Opt>,
    pub min_amount: String,
    pub max_amount: String,
    pub min_complainants: String,
    pub level: Vec<Opt>,
    pub tier: Vec<Opt>,
    pub unit: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "app/admin_routing.html")]
struct RoutingPage {
    layout: Layout,
    version: i64,
    rules: Vec<RuleForm>,
    blank: RuleForm,
}

/// Options from `(value, label)` pairs, those in `chosen` selected.
fn choose(all: impl IntoIterator<Item = (String, String)>, chosen: &[String]) -> Vec<Opt> {
    all.into_iter()
        .map(|(value, label)| Opt {
            selected: chosen.contains(&value),
            value,
            label,
        })
        .collect()
}

fn codes<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|&x| (code(x).to_string(), label(x).to_string()))
        .collect()
}

fn chosen<T: Copy>(picked: &[T], code: fn(T) -> &'static str) -> Vec<String> {
    picked.iter().map(|&x| code(x).to_string()).collect()
}

/// What every rule's form offers: regions (the territory down to townships, and any
/// region a rule names) and units.
struct Choices {
    regions: Vec<(String, String)>,
    units: Vec<(String, String)>,
}

/// The labels of the options chosen, joined.
fn picked(opts: &[Opt]) -> Option<String> {
    let labels: Vec<&str> = opts
        .iter()
        .filter(|o| o.selected)
        .map(|o| o.label.trim())
        .collect();
    (!labels.is_empty()).then(|| labels.join("、"))
}

/// "类别:劳动争议;人数≥5 → 县(区)、人社局".
fn summary(f: &RuleForm) -> String {
    let mut when: Vec<String> = [
        ("类别", &f.categories),
        ("地区", &f.regions),
        ("渠道", &f.channels),
        ("种类", &f.kinds),
        ("层级", &f.levels),
    ]
    .into_iter()
    .filter_map(|(what, opts)| picked(opts).map(|p| format!("{what}:{p}")))
    .collect();
    match (f.min_amount.as_str(), f.max_amount.as_str()) {
        ("", "") => {}
        (lo, "") => when.push(format!("金额≥{lo}元")),
        ("", hi) => when.push(format!("金额≤{hi}元")),
        (lo, hi) => when.push(format!("金额{lo}–{hi}元")),
    }
    if !f.min_complainants.is_empty() {
        when.push(format!("人数≥{}", f.min_complainants));
    }
    let then: Vec<String> = [&f.level, &f.tier, &f.unit]
        .into_iter()
        .filter_map(|o| picked(o))
        .collect();
    let when = if when.is_empty() {
        "所有事项".to_string()
    } else {
        when.join(";")
    };
    format!("{when} → {}", then.join("、"))
}

fn rule_form(index: String, r: &Rule, c: &Choices) -> RuleForm {
    let one = |v: Option<&'static str>| v.map(|s| vec![s.to_string()]).unwrap_or_default();
    let number = |v: Option<String>| v.unwrap_or_default();
    let mut form = RuleForm {
        index,
        id: r.id.clone(),
        name: r.name.clone(),
        summary: String::new(),
        categories: choose(
            codes(Category::ALL, Category::as_str, Category::label),
            &chosen(&r.when.categories, Category::as_str),
        ),
        kinds: choose(
            codes(CaseKind::ALL, CaseKind::as_str, CaseKind::label),
            &chosen(&r.when.kinds, CaseKind::as_str),
        ),
        channels: choose(
            codes(Channel::ALL, Channel::as_str, Channel::label),
            &chosen(&r.when.channels, Channel::as_str),
        ),
        levels: choose(
            codes(Level::ALL, Level::as_str, Level::label),
            &chosen(&r.when.levels, Level::as_str),
        ),
        regions: choose(c.regions.clone(), &r.when.regions),
        min_amount: number(r.when.min_amount.map(|a| a.to_string())),
        max_amount: number(r.when.max_amount.map(|a| a.to_string())),
        min_complainants: number(r.when.min_complainants.map(|n| n.to_string())),
        level: choose(
            codes(Level::ALL, Level::as_str, Level::label),
            &one(r.then.level.map(Level::as_str)),
        ),
        tier: choose(
            codes(Tier::ALL, Tier::as_str, Tier::label),
            &one(r.then.tier.map(Tier::as_str)),
        ),
        unit: choose(
            c.units.clone(),
            &r.then.unit.map(|u| vec![u.to_string()]).unwrap_or_default(),
        ),
    };
    form.summary = summary(&form);
    form
}

pub async fn page(s: &AppState, layout: Layout) -> Result<Html<String>, PageError> {
    let set = s.store.routing_rules().await?;
    let territory = layout.user.region;
    let mut regions: Vec<(String, String)> = s
        .store
        .regions_within(&territory)
        .await?
        .into_iter()
        .filter(|r| {
            r.level <= RegionLevel::Township
                || set
                    .rules
                    .iter()
                    .any(|rule| rule.when.regions.contains(&r.code.to_string()))
        })
        .map(|r| (r.code.to_string(), r.name))
        .collect();
    regions.sort();
    let units = s
        .store
        .organizations(Some(&territory))
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let choices = Choices { regions, units };
    let rules = set
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| rule_form(i.to_string(), r, &choices))
        .collect();
    let blank = Rule {
        id: String::new(),
        name: String::new(),
        when: Default::default(),
        then: Default::default(),
    };
    render(&RoutingPage {
        version: set.version,
        blank: rule_form("__i__".into(), &blank, &choices),
        rules,
        layout,
    })
}
