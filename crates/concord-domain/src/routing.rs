//! Routing (分流): which level, tier and unit a case goes to. An ordered, versioned table
//! of rules the administrator edits; every rule whose conditions a case meets applies in
//! order, each setting what no earlier rule set. Unset, a case goes to the lowest
//! competent level — its own village, township or county — and its people's mediation
//! committee there. The decision says which rules fired and why.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::case::{CaseKind, Channel, Level, NewCase, Tier};
use crate::category::Category;
use crate::org::{OrgKind, Organization};
use crate::region::{RegionCode, RegionLevel};
use crate::{FieldError, FieldErrors};

/// What a case must be for a rule to apply; an empty list or a missing bound means any.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleCondition {
    pub categories: Vec<Category>,
    pub kinds: Vec<CaseKind>,
    pub channels: Vec<Channel>,
    /// Region codes: the case lies in the subtree of one of them.
    pub regions: Vec<String>,
    /// The level the case is at before routing.
    pub levels: Vec<Level>,
    /// Yuan, inclusive.
    pub min_amount: Option<f64>,
    pub max_amount: Option<f64>,
    pub min_complainants: Option<u32>,
}

/// What a rule sets; what it leaves out, a later rule or the default decides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleTarget {
    pub level: Option<Level>,
    pub tier: Option<Tier>,
    /// An organization's id: the lead unit (a committee, a department, a mediation room).
    pub unit: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Short and stable, e.g. `mass-to-county`; named in every decision it takes part in.
    pub id: String,
    /// What it is for, in Chinese, e.g. 群体性纠纷提级至县级.
    pub name: String,
    #[serde(default)]
    pub when: RuleCondition,
    /// Required to set something; missing, the table is refused naming this rule.
    #[serde(default)]
    pub then: RuleTarget,
}

/// One version of the rule table.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RuleSet {
    pub version: i64,
    pub rules: Vec<Rule>,
}

/// Where a case should go, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    pub version: i64,
    pub level: Level,
    pub tier: Tier,
    pub unit: Option<i64>,
    /// The rules that set something, in order.
    pub fired: Vec<String>,
    /// Each step of the reasoning, in Chinese.
    pub reasons: Vec<String>,
}

impl RuleCondition {
    fn matches(&self, c: &NewCase) -> bool {
        let any = |v: bool, empty: bool| empty || v;
        let yuan = c.amount_fen.map(|f| f as f64 / 100.0);
        any(
            self.categories.contains(&c.category),
            self.categories.is_empty(),
        ) && any(self.kinds.contains(&c.kind), self.kinds.is_empty())
            && any(self.channels.contains(&c.channel), self.channels.is_empty())
            && any(self.levels.contains(&c.level), self.levels.is_empty())
            && (self.regions.is_empty()
                || self
                    .regions
                    .iter()
                    .any(|r| RegionCode::parse("regions", r).is_ok_and(|r| r.contains(&c.region))))
            && self.min_amount.is_none_or(|m| yuan.is_some_and(|y| y >= m))
            && self.max_amount.is_none_or(|m| yuan.is_some_and(|y| y <= m))
            && self.min_complainants.is_none_or(|m| c.complainants >= m)
    }
}

/// The region a case is handled in at `level`: its own, or the ancestor at that level.
pub fn region_at(case_region: &RegionCode, level: Level) -> Option<RegionCode> {
    let rl = match level {
        Level::Village => RegionLevel::Village,
        Level::Township => RegionLevel::Township,
        Level::County => RegionLevel::County,
        Level::City => RegionLevel::City,
    };
    case_region.ancestor(rl)
}

/// The people's mediation committee of the place a case is handled in at `level`.
pub fn local_committee(
    orgs: &[Organization],
    case_region: &RegionCode,
    level: Level,
) -> Option<i64> {
    let at = region_at(case_region, level)?;
    orgs.iter()
        .find(|o| o.kind == OrgKind::PeoplesMediationCommittee && o.region == at)
        .map(|o| o.id)
}

/// Routes a case's facts through the rule table.
pub fn route(c: &NewCase, rules: &RuleSet, orgs: &[Organization]) -> Decision {
    let mut d = Decision {
        version: rules.version,
        level: c.level,
        tier: Tier::People,
        unit: None,
        fired: Vec::new(),
        reasons: Vec::new(),
    };
    let (mut level, mut tier, mut unit) = (None, None, None);
    for r in rules.rules.iter().filter(|r| r.when.matches(c)) {
        let mut set = Vec::new();
        if let (None, Some(l)) = (level, r.then.level) {
            level = Some(l);
            set.push(format!("层级为{}", l.label()));
        }
        if let (None, Some(t)) = (tier, r.then.tier) {
            tier = Some(t);
            set.push(format!("层次为{}", t.label()));
        }
        if let (None, Some(u)) = (unit, r.then.unit) {
            unit = Some(u);
            set.push(format!("牵头单位为{}", org_name(orgs, u)));
        }
        if !set.is_empty() {
            d.fired.push(r.id.clone());
            d.reasons
                .push(format!("规则“{}”({}):{}", r.name, r.id, set.join(",")));
        }
    }
    apply_defaults(&mut d, c, orgs, (level, tier, unit));
    d
}

fn apply_defaults(
    d: &mut Decision,
    c: &NewCase,
    orgs: &[Organization],
    (level, tier, unit): (Option<Level>, Option<Tier>, Option<i64>),
) {
    // A unit chosen by a rule works at its own level unless a rule said otherwise.
    let unit_level = unit
        .and_then(|u| orgs.iter().find(|o| o.id == u))
        .map(|o| crate::case::Level::of_region(o.region.level()));
    d.level = match (level, unit_level) {
        (Some(l), _) => l,
        (None, Some(l)) => {
            d.reasons.push(format!("按牵头单位所在层级:{}", l.label()));
            l
        }
        (None, None) => {
            d.reasons
                .push(format!("就低受理:由{}先行化解", c.level.label()));
            c.level
        }
    };
    d.tier = tier.unwrap_or(Tier::People);
    d.unit = unit.or_else(|| {
        let u = local_committee(orgs, &c.region, d.level);
        if let Some(u) = u {
            d.reasons.push(format!("由所在地{}调解", org_name(orgs, u)));
        }
        u
    });
}

fn org_name(orgs: &[Organization], id: i64) -> String {
    orgs.iter()
        .find(|o| o.id == id)
        .map_or_else(|| format!("单位{id}"), |o| o.name.clone())
}

pub const MAX_RULES: usize = 500;

/// Checks a table before it becomes a new version: ids unique and short, names given,
/// region codes valid, amounts sensible, units known.
pub fn validate(rules: &[Rule], unit_exists: impl Fn(i64) -> bool) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::default();
    if rules.len() > MAX_RULES {
        errs.push(FieldError::new(
            "rules",
            "too_many",
            format!("规则不能超过{MAX_RULES}条"),
        ));
    }
    for (i, r) in rules.iter().enumerate() {
        let at = |f: &str| format!("rules[{i}].{f}");
        let id_ok = !r.id.is_empty()
            && r.id.len() <= 64
            && r.id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !id_ok {
            errs.push(FieldError::new(
                at("id"),
                "invalid_rule_id",
                "规则编号应为1到64位字母、数字、-或_",
            ));
        } else if rules[..i].iter().any(|o| o.id == r.id) {
            errs.push(FieldError::new(
                at("id"),
                "duplicate",
                format!("规则编号“{}”重复", r.id),
            ));
        }
        if r.name.trim().is_empty() || r.name.chars().count() > 100 {
            errs.push(FieldError::new(
                at("name"),
                "required",
                "规则名称应为1到100个字",
            ));
        }
        for (j, code) in r.when.regions.iter().enumerate() {
            if let Err(e) = RegionCode::parse(&at(&format!("when.regions[{j}]")), code) {
                errs.push(e);
            }
        }
        let bad_amount = |a: Option<f64>| a.is_some_and(|a| !a.is_finite() || a < 0.0);
        if bad_amount(r.when.min_amount) || bad_amount(r.when.max_amount) {
            errs.push(FieldError::new(
                at("when"),
                "out_of_range",
                "金额应为非负数",
            ));
        }
        if let Some(u) = r.then.unit.filter(|u| !unit_exists(*u)) {
            errs.push(FieldError::new(
                at("then.unit"),
                "unknown_reference",
                format!("编号为{u}的单位不存在"),
            ));
        }
        if r.then == RuleTarget::default() {
            errs.push(FieldError::new(
                at("then"),
                "required",
                "规则应至少设定层级、层次或牵头单位之一",
            ));
        }
    }
    errs.into_result()
}
