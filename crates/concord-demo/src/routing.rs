//! The demo county's routing rules (version 1), after the reports: mass cases, large
//! amounts and petitions go to the county (分级); professional disputes to their
//! professional committee (分流); environmental and requisition matters to the
//! department in charge, in administrative mediation (分层). The rest stays in the
//! village or township it arose in (就低受理).

use concord_domain::case::{CaseKind, Level, Tier};
use concord_domain::category::Category;
use concord_domain::org::Organization;
use concord_domain::routing::{Rule, RuleCondition, RuleTarget};
use concord_store::{Actor, Store, StoreError};

fn unit(orgs: &[Organization], name: &str) -> Option<i64> {
    orgs.iter().find(|o| o.name == name).map(|o| o.id)
}

fn rule(id: &str, name: &str, when: RuleCondition, then: RuleTarget) -> Rule {
    Rule {
        id: id.into(),
        name: name.into(),
        when,
        then,
    }
}

fn to_committee(orgs: &[Organization], id: &str, c: Category, committee: &str) -> Rule {
    rule(
        id,
        &format!("{}由{committee}调处", c.label()),
        RuleCondition {
            categories: vec![c],
            ..Default::default()
        },
        RuleTarget {
            unit: unit(orgs, committee),
            level: Some(Level::County),
            ..Default::default()
        },
    )
}

pub fn rules(orgs: &[Organization]) -> Vec<Rule> {
    vec![
        rule(
            "mass-to-county",
            "群体性纠纷(5人以上)提级至县级",
            RuleCondition {
                min_complainants: Some(5),
                ..Default::default()
            },
            RuleTarget {
                level: Some(Level::County),
                ..Default::default()
            },
        ),
        rule(
            "petition-to-county",
            "信访事项由县信访事项人民调解委员会访调对接",
            RuleCondition {
                kinds: vec![CaseKind::Petition],
                ..Default::default()
            },
            RuleTarget {
                level: Some(Level::County),
                unit: unit(orgs, "云和县信访事项人民调解委员会"),
                ..Default::default()
            },
        ),
        rule(
            "large-amount-to-county",
            "涉及金额50万元以上提级至县级",
            RuleCondition {
                min_amount: Some(500_000.0),
                ..Default::default()
            },
            RuleTarget {
                level: Some(Level::County),
                ..Default::default()
            },
        ),
        to_committee(
            orgs,
            "medical-committee",
            Category::Medical,
            "云和县医疗纠纷人民调解委员会",
        ),
        to_committee(
            orgs,
            "traffic-committee",
            Category::Traffic,
            "云和县道路交通事故纠纷人民调解委员会",
        ),
        to_committee(
            orgs,
            "labor-committee",
            Category::Labor,
            "云和县劳动争议人民调解委员会",
        ),
        to_committee(
            orgs,
            "property-committee",
            Category::PropertyMgmt,
            "云和县物业纠纷人民调解委员会",
        ),
        to_committee(
            orgs,
            "consumer-committee",
            Category::Consumer,
            "云和县消费纠纷人民调解委员会",
        ),
        rule(
            "environment-administrative",
            "环境污染由生态环境部门行政调解",
            RuleCondition {
                categories: vec![Category::Environment],
                ..Default::default()
            },
            RuleTarget {
                level: Some(Level::County),
                tier: Some(Tier::Administrative),
                unit: unit(orgs, "丽水市生态环境局云和分局"),
            },
        ),
        rule(
            "requisition-administrative",
            "征地拆迁由住建部门行政调解",
            RuleCondition {
                categories: vec![Category::LandRequisition],
                ..Default::default()
            },
            RuleTarget {
                level: Some(Level::County),
                tier: Some(Tier::Administrative),
                unit: unit(orgs, "云和县住房和城乡建设局"),
            },
        ),
    ]
}

/// Seeds version 1 of the rules if there are none yet.
pub async fn seed(store: &Store, orgs: &[Organization]) -> Result<(), StoreError> {
    if store.routing_rules().await?.version > 0 {
        return Ok(());
    }
    let note = "演示县初始分流规则:分级(群体性、信访、大额提级)、分流(专业调委会)、分层(行政调解)";
    store
        .put_routing_rules(&Actor::system(), rules(orgs), note)
        .await?;
    Ok(())
}
