//! The demo county's screening (排查): a grid worker's weekly visits and monthly analysis
//! in 白龙山街道, the county's quarterly round of enterprises, and a township's key-group
//! schedule nobody has kept — rounds held, late and missed, with what they found, one
//! finding already registered as a case and one waiting to be.

use concord_domain::case::{CaseKind, Channel, Complexity, NewCaseInput, PartyInput, PartyRole};
use concord_domain::category::Category;
use concord_domain::org::{Role, Staff};
use concord_domain::region::RegionCode;
use concord_domain::screening::{
    Cadence, Focus, NewFinding, NewRound, NewSchedule, Outcome, periods,
};
use concord_domain::time::local_date;
use concord_store::screening::SOURCE;
use concord_store::{Actor, Store, StoreError};
use jiff::civil::Date;
use jiff::{Span, Timestamp};

use crate::orgs::Directory;

const GRID_VILLAGE: &str = "331125003002";

/// What rounds find, in turn: (category, what, who, outcome).
const FINDINGS: &[(Category, &str, &str, Outcome)] = &[
    (
        Category::Neighbor,
        "两户因排水沟堵塞互相指责,经现场协调约定共同清理",
        "村民张某与李某",
        Outcome::Resolved,
    ),
    (
        Category::MarriageFamily,
        "一户夫妻因赡养老人费用分担长期争吵,有离家苗头",
        "村民刘某夫妇",
        Outcome::Watch,
    ),
    (
        Category::Labor,
        "小区外墙改造工地拖欠十余名工人工资近三个月,工人称要去县里反映",
        "务工人员王某等12人",
        Outcome::ToReport,
    ),
    (
        Category::HousingHomestead,
        "两户宅基地界址不清,现场丈量后双方认可界线",
        "村民吴某与周某",
        Outcome::Resolved,
    ),
    (
        Category::PropertyMgmt,
        "业主对电梯维修费用分摊有意见,已联系物业答复",
        "3幢业主代表",
        Outcome::Resolved,
    ),
    (
        Category::Neighbor,
        "楼上漏水影响楼下住户,双方协商维修未果",
        "住户陈某与楼上邻居",
        Outcome::ToReport,
    ),
];

const ENTERPRISE_FINDINGS: &[(Category, &str, &str, Outcome)] = &[
    (
        Category::Labor,
        "木制玩具企业订单下滑,部分工人担心被辞退未获补偿",
        "某玩具厂职工",
        Outcome::Watch,
    ),
    (
        Category::ContractDebt,
        "两家企业货款结算争议,经人民调解员现场调解达成分期还款",
        "两家木制品企业",
        Outcome::Resolved,
    ),
];

fn days_before(d: Date, n: i64) -> Date {
    d.checked_sub(Span::new().days(n)).expect("date in range")
}

fn user(dir: &Directory, role: Role) -> Option<&Staff> {
    dir.users.iter().find(|u| u.role == role)
}

/// Adds the demo schedules and their rounds, once.
pub async fn load(store: &Store, dir: &Directory, now: Timestamp) -> Result<usize, StoreError> {
    let county = RegionCode::parse("county", crate::COUNTY).expect("demo county");
    if !store.schedules(&county, None).await?.is_empty() {
        return Ok(0);
    }
    let (Some(grid), Some(mediator)) = (user(dir, Role::GridWorker), user(dir, Role::Mediator))
    else {
        return Ok(0);
    };
    let today = local_date(now);
    let code = |s: &str| RegionCode::parse("region", s).expect("demo region");
    let plans = [
        (
            GRID_VILLAGE,
            Cadence::Weekly,
            Focus::Households,
            "大坪社区网格每周入户走访",
            Some(grid),
            days_before(today, 56),
            FINDINGS,
            3,
        ),
        (
            "331125003000",
            Cadence::Monthly,
            Focus::Households,
            "白龙山街道每月矛盾纠纷研判",
            Some(grid),
            days_before(today, 95),
            FINDINGS,
            2,
        ),
        (
            crate::COUNTY,
            Cadence::Quarterly,
            Focus::Enterprises,
            "云和县涉企纠纷季度排查",
            Some(mediator),
            days_before(today, 300),
            ENTERPRISE_FINDINGS,
            1,
        ),
        (
            "331125004000",
            Cadence::Monthly,
            Focus::KeyGroups,
            "凤凰山街道重点人群月度排查",
            None,
            days_before(today, 70),
            &[][..],
            99,
        ),
    ];
    let mut rounds = 0;
    let mut next_finding = 0;
    for (region, cadence, focus, title, who, starts_on, found, skip_every) in plans {
        let id = store
            .add_schedule(
                NewSchedule {
                    region: code(region),
                    cadence,
                    focus,
                    title: title.into(),
                    assignee: who.map(|u| u.id),
                    starts_on,
                },
                "王立新",
                now,
            )
            .await?;
        let schedule = store.schedule(id).await?.expect("just added");
        let by = who.map_or("管理员", |u| u.display_name.as_str());
        for (i, p) in periods(cadence, starts_on, today).into_iter().enumerate() {
            // The current period is still due; every `skip_every`-th was missed (all, at 1).
            if p.last >= today || (i + 1) % skip_every == 0 {
                continue;
            }
            let held_on = p
                .first
                .max(starts_on)
                .checked_add(Span::new().days(1))
                .expect("in range")
                .min(p.last);
            let findings = if found.is_empty() {
                Vec::new()
            } else {
                let (category, description, who, outcome) = found[next_finding % found.len()];
                next_finding += 1;
                vec![NewFinding {
                    region: if region == crate::COUNTY {
                        code("331125001000")
                    } else {
                        code(GRID_VILLAGE)
                    },
                    category,
                    description: description.into(),
                    who: who.into(),
                    outcome,
                }]
            };
            let round = NewRound {
                period: p,
                held_on,
                visited: 20 + (i as u32 * 7) % 25,
                notes: format!(
                    "{}:走访{}户,宣传人民调解和法律援助",
                    p.label(),
                    20 + (i * 7) % 25
                ),
                findings,
            };
            store.record_round(&schedule, round, by, now).await?;
            rounds += 1;
        }
    }
    report_first(store, &county, grid, now).await?;
    Ok(rounds)
}

/// The grid worker reports the first unsettled finding of her village as a case.
async fn report_first(
    store: &Store,
    county: &RegionCode,
    grid: &Staff,
    now: Timestamp,
) -> Result<(), StoreError> {
    let from = days_before(local_date(now), 400);
    let findings = store.findings(county, from, local_date(now), 100).await?;
    let Some(f) = findings
        .iter()
        .rev()
        .find(|f| f.outcome == Outcome::ToReport && f.region.as_str() == GRID_VILLAGE)
    else {
        return Ok(());
    };
    let facts = NewCaseInput {
        kind: CaseKind::Dispute,
        channel: Channel::GridWorker,
        category: f.category,
        description: format!("{}(涉及:{})", f.description, f.who),
        region: f.region.to_string(),
        address: None,
        amount: Some(86_000.0),
        complainants: 12,
        complexity: Complexity::General,
        level: None,
        tier: None,
        parties: vec![PartyInput {
            role: PartyRole::Applicant,
            kind: concord_domain::case::PartyKind::Person,
            name: "王大勇".into(),
            phone: Some("13857812345".into()),
            id_number: None,
        }],
        window: None,
        petition: None,
        transfer: None,
        source: Some(SOURCE.into()),
        external_ref: Some(f.id.to_string()),
    }
    .validate()
    .map_err(StoreError::Invalid)?;
    store.create_case(&Actor::staff(grid), facts, now).await?;
    Ok(())
}
