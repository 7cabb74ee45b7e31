//! The organizations the 云和 report names, mediators, and one demo account per role.

use concord_domain::category::Category;
use concord_domain::org::{Mediator, OrgKind, Organization, Role, Staff, Stationing};
use concord_domain::region::{Region, RegionCode, RegionLevel};
use concord_store::{NewMediator, NewOrganization, NewUser, Store, StoreError};

use crate::names;

/// The demo accounts' password (documented in the README; refused outside --demo).
pub const DEMO_PASSWORD: &str = "concord-demo";

/// (username, name, role, region code, organization name)
pub const DEMO_USERS: &[(&str, &str, Role, &str, &str)] = &[
    (
        "clerk",
        "吴晓燕",
        Role::Clerk,
        crate::COUNTY,
        "云和县平安“和”中心",
    ),
    (
        "dispatcher",
        "郑国强",
        Role::Dispatcher,
        crate::COUNTY,
        "云和县平安“和”中心",
    ),
    (
        "mediator",
        "李建华",
        Role::Mediator,
        crate::COUNTY,
        "老李帮忙团调解室",
    ),
    (
        "handler",
        "陈志明",
        Role::DepartmentHandler,
        crate::COUNTY,
        "云和县人力资源和社会保障局",
    ),
    (
        "grid",
        "蓝美玲",
        Role::GridWorker,
        "331125003002",
        "白龙山街道综治中心",
    ),
    (
        "judge",
        "周文斌",
        Role::Judge,
        crate::COUNTY,
        "云和县人民法院",
    ),
    (
        "followup",
        "叶小芳",
        Role::FollowUp,
        crate::COUNTY,
        "云和县平安“和”中心",
    ),
    (
        "leader",
        "王立新",
        Role::Leader,
        crate::COUNTY,
        "云和县平安“和”中心",
    ),
    (
        "admin",
        "管理员",
        Role::Admin,
        crate::COUNTY,
        "云和县平安“和”中心",
    ),
];

/// Everything the case generator draws on.
#[derive(Debug, Default)]
pub struct Directory {
    pub orgs: Vec<Organization>,
    pub mediators: Vec<Mediator>,
    pub users: Vec<Staff>,
}

use Category::*;
use OrgKind::*;
use Stationing::*;

/// County-level bodies at the center: (name, kind, stationing, categories).
const COUNTY_ORGS: &[(&str, OrgKind, Stationing, &[Category])] = &[
    ("云和县平安“和”中心", Center, Permanent, &[]),
    ("云和县人民法院", Court, Permanent, &[]),
    ("云和县人民检察院", Procuratorate, Permanent, &[]),
    ("云和县信访局", PetitionBureau, Permanent, &[]),
    (
        "云和县公安局",
        Department,
        Permanent,
        &[Neighbor, TortDamage, Traffic],
    ),
    (
        "云和县司法局",
        Department,
        Permanent,
        &[MarriageFamily, Neighbor, ContractDebt],
    ),
    (
        "云和县人力资源和社会保障局",
        Department,
        Permanent,
        &[Labor],
    ),
    (
        "云和县住房和城乡建设局",
        Department,
        Rotating,
        &[HousingHomestead, PropertyMgmt, LandRequisition],
    ),
    (
        "云和县自然资源和规划局",
        Department,
        Rotating,
        &[LandForest, LandRequisition, HousingHomestead],
    ),
    ("云和县市场监督管理局", Department, OnCall, &[Consumer]),
    ("云和县卫生健康局", Department, OnCall, &[Medical]),
    ("云和县民政局", Department, OnCall, &[MarriageFamily]),
    (
        "丽水市生态环境局云和分局",
        Department,
        OnCall,
        &[Environment],
    ),
    (
        "云和县道路交通事故纠纷人民调解委员会",
        ProfessionalCommittee,
        Contracted,
        &[Traffic],
    ),
    (
        "云和县医疗纠纷人民调解委员会",
        ProfessionalCommittee,
        Contracted,
        &[Medical],
    ),
    (
        "云和县劳动争议人民调解委员会",
        ProfessionalCommittee,
        Contracted,
        &[Labor],
    ),
    (
        "云和县物业纠纷人民调解委员会",
        ProfessionalCommittee,
        Contracted,
        &[PropertyMgmt],
    ),
    (
        "云和县消费纠纷人民调解委员会",
        ProfessionalCommittee,
        Contracted,
        &[Consumer],
    ),
    (
        "云和县信访事项人民调解委员会",
        ProfessionalCommittee,
        Contracted,
        &[Other, LandRequisition],
    ),
    (
        "云和县玩具行业调解室",
        ProfessionalCommittee,
        Contracted,
        &[Labor, ContractDebt, Consumer],
    ),
    (
        "治安纠纷调解室",
        MediationRoom,
        Permanent,
        &[Neighbor, TortDamage],
    ),
    (
        "老李帮忙团调解室",
        MediationRoom,
        Contracted,
        &[Neighbor, MarriageFamily, HousingHomestead, Other],
    ),
    (
        "刘彬调解室",
        MediationRoom,
        Contracted,
        &[Neighbor, Labor, ContractDebt],
    ),
    (
        "叶培武劳模警务室",
        MediationRoom,
        Contracted,
        &[Neighbor, TortDamage],
    ),
    (
        "云和县人民调解委员会",
        PeoplesMediationCommittee,
        Permanent,
        &[],
    ),
    ("云和县法律援助中心", LegalAid, Permanent, &[]),
    ("云和县社会心理服务中心", PsychService, Permanent, &[]),
    ("云和县调解专家库", ExpertPool, Contracted, &[]),
];

pub async fn existing(store: &Store) -> Result<Option<Directory>, StoreError> {
    let orgs = store.organizations(None).await?;
    if orgs.is_empty() {
        return Ok(None);
    }
    Ok(Some(Directory {
        orgs,
        mediators: store.mediators(None).await?,
        users: store.users().await?,
    }))
}

pub async fn load(store: &Store, regions: &[Region]) -> Result<Directory, StoreError> {
    let county = RegionCode::parse("county", crate::COUNTY).expect("valid");
    for (name, kind, stationing, categories) in COUNTY_ORGS {
        let o = NewOrganization {
            name: (*name).into(),
            kind: *kind,
            region: county,
            stationing: *stationing,
            categories: categories.to_vec(),
        };
        store.insert_organization(&o).await?;
    }
    for r in regions.iter().filter(|r| r.level >= RegionLevel::Township) {
        for o in local_orgs(r) {
            store.insert_organization(&o).await?;
        }
    }
    let orgs = store.organizations(None).await?;
    load_users(store, &orgs).await?;
    load_mediators(store, &orgs).await?;
    Ok(Directory {
        orgs,
        mediators: store.mediators(None).await?,
        users: store.users().await?,
    })
}

/// A township has its 综治中心 and mediation committee; a village its committee.
fn local_orgs(r: &Region) -> Vec<NewOrganization> {
    let org = |name: String, kind| NewOrganization {
        name,
        kind,
        region: r.code,
        stationing: Local,
        categories: Vec::new(),
    };
    let mut v = vec![org(
        format!("{}人民调解委员会", r.name),
        PeoplesMediationCommittee,
    )];
    if r.level == RegionLevel::Township {
        v.push(org(format!("{}综治中心", r.name), Center));
    }
    v
}

fn org_named<'a>(orgs: &'a [Organization], name: &str) -> &'a Organization {
    orgs.iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("demo organization {name}"))
}

async fn load_users(store: &Store, orgs: &[Organization]) -> Result<(), StoreError> {
    for (username, name, role, region, org) in DEMO_USERS {
        let u = NewUser {
            username: (*username).into(),
            display_name: (*name).into(),
            role: *role,
            region: RegionCode::parse("region", region).expect("valid"),
            org_id: Some(org_named(orgs, org).id),
            password: DEMO_PASSWORD.into(),
            demo: true,
            email: Some(format!("{username}@yunhe-tiaojie.example")),
        };
        store.create_user(&u).await?;
    }
    Ok(())
}

async fn load_mediators(store: &Store, orgs: &[Organization]) -> Result<(), StoreError> {
    let mut rng = names::rng(7);
    let named: &[(&str, &str, &str)] = &[
        ("李建华", "老李帮忙团调解室", "金牌调解员"),
        ("刘彬", "刘彬调解室", "全国模范人民调解员"),
        ("叶培武", "叶培武劳模警务室", "全国劳动模范"),
    ];
    for (name, org, title) in named {
        let o = org_named(orgs, org);
        let user_id = if *name == "李建华" {
            store
                .users()
                .await?
                .iter()
                .find(|u| u.username == "mediator")
                .map(|u| u.id)
        } else {
            None
        };
        insert(store, name, o, title, user_id, o.categories.clone()).await?;
    }
    let pool = org_named(orgs, "云和县调解专家库");
    for (i, title) in ["金牌调解员", "律师", "心理咨询师", "退休法官", "乡贤"]
        .iter()
        .cycle()
        .take(25)
        .enumerate()
    {
        let name = names::person(&mut rng);
        let expertise = vec![
            Category::ALL[i % Category::ALL.len()],
            Category::ALL[(i * 5 + 3) % Category::ALL.len()],
        ];
        insert(store, &name, pool, title, None, expertise).await?;
    }
    for o in orgs
        .iter()
        .filter(|o| o.name != "云和县调解专家库" && !named.iter().any(|n| n.1 == o.name))
    {
        if matches!(
            o.kind,
            PeoplesMediationCommittee | ProfessionalCommittee | MediationRoom
        ) {
            let name = names::person(&mut rng);
            insert(
                store,
                &name,
                o,
                "专职人民调解员",
                None,
                o.categories.clone(),
            )
            .await?;
        }
    }
    Ok(())
}

async fn insert(
    store: &Store,
    name: &str,
    o: &Organization,
    title: &str,
    user_id: Option<i64>,
    expertise: Vec<Category>,
) -> Result<(), StoreError> {
    // 刘彬调解室 serves the county's ~30,000 workers from 景宁 in their own dialect.
    let languages = match name {
        "刘彬" => vec!["普通话", "景宁话", "畲语"],
        _ if o.region.level() >= RegionLevel::Township => vec!["普通话", "云和话"],
        _ => vec!["普通话", "云和话", "丽水话"],
    };
    let m = NewMediator {
        name: name.into(),
        org_id: o.id,
        region: o.region,
        expertise,
        title: title.into(),
        user_id,
        languages: languages.into_iter().map(String::from).collect(),
    };
    store.insert_mediator(&m).await.map(|_| ())
}
