//! Two years of cases, each registered and moved along by the real state machine, so that
//! every history is one the system itself could have written.

use concord_domain::action::{FollowUpMethod, Performance};
use concord_domain::agreement::{AgreementText, SignMethod, Term};
use concord_domain::calendar::WorkCalendar;
use concord_domain::case::{
    Case, CaseKind, Channel, Complexity, Level, NewCaseInput, PartyInput, PartyKind, PartyRole,
    Satisfaction,
};
use concord_domain::category::Category;
use concord_domain::intake::{PetitionInfo, TransferInfo, VisitLevel};
use concord_domain::lifecycle::{self, Action, CoHandler, Context, EventDraft, ReferralTarget};
use concord_domain::mediator::choosers;
use concord_domain::org::{OrgKind, Organization, Role};
use concord_domain::region::{Region, RegionLevel};
use concord_domain::time::local_date;
use concord_store::{Actor, BuiltAgreement, BuiltCase, Store, StoreError};
use jiff::{Span, Timestamp};
use rand::Rng;
use rand::rngs::StdRng;

use crate::names::{self, pick};
use crate::orgs::Directory;

const BATCH: usize = 500;
const DAYS: i64 = 730;

/// Category weights, roughly as the reports' centers see them.
const CATEGORY_WEIGHTS: &[(Category, u32)] = &[
    (Category::Neighbor, 22),
    (Category::MarriageFamily, 14),
    (Category::Labor, 14),
    (Category::ContractDebt, 10),
    (Category::HousingHomestead, 8),
    (Category::TortDamage, 6),
    (Category::Traffic, 6),
    (Category::LandForest, 4),
    (Category::PropertyMgmt, 4),
    (Category::Consumer, 4),
    (Category::LandRequisition, 3),
    (Category::Medical, 2),
    (Category::Environment, 2),
    (Category::Other, 1),
];

struct Ctx<'a> {
    regions: &'a [Region],
    dir: &'a Directory,
    calendar: &'a WorkCalendar,
    now: Timestamp,
}

pub async fn load(
    store: &Store,
    regions: &[Region],
    dir: &Directory,
    n: usize,
    now: Timestamp,
) -> Result<usize, StoreError> {
    let existing = store.count_cases().await?;
    let mut rng = names::rng(2018 + existing as u64);
    let calendar = store.calendar();
    let ctx = Ctx {
        regions,
        dir,
        calendar: &calendar,
        now,
    };
    let mut times: Vec<Timestamp> = (0..n).map(|_| registration_time(&mut rng, now)).collect();
    times.sort();
    for chunk in times.chunks(BATCH) {
        let batch: Vec<BuiltCase> = chunk.iter().map(|t| build(&mut rng, &ctx, *t)).collect();
        store.insert_built_cases(batch).await?;
    }
    Ok(n)
}

/// A moment in office hours on some day of the last two years, today included (so the
/// clerk's queue holds cases not yet accepted), never later than now.
fn registration_time(rng: &mut StdRng, now: Timestamp) -> Timestamp {
    let day = rng.random_range(0..=DAYS);
    let minutes = rng.random_range(0..(9 * 60));
    let midnight = concord_domain::time::start_of_day(concord_domain::time::local_date(now));
    let at = midnight - Span::new().hours(24 * day) + Span::new().minutes(8 * 60 + 30 + minutes);
    if at > now {
        now - Span::new().minutes(rng.random_range(5..240))
    } else {
        at
    }
}

fn weighted_category(rng: &mut StdRng) -> Category {
    let total: u32 = CATEGORY_WEIGHTS.iter().map(|w| w.1).sum();
    let mut r = rng.random_range(0..total);
    for (c, w) in CATEGORY_WEIGHTS {
        if r < *w {
            return *c;
        }
        r -= w;
    }
    Category::Other
}

fn build(rng: &mut StdRng, ctx: &Ctx, at: Timestamp) -> BuiltCase {
    let input = new_case(rng, ctx);
    let facts = input.validate().expect("the demo makes valid cases");
    let cal = Context {
        now: at,
        calendar: ctx.calendar,
        routing: None,
    };
    let registrar = registrar(ctx, facts.channel);
    let (case, first) = lifecycle::register(facts, String::new(), &cal);
    let mut history = History {
        case,
        events: vec![(first, registrar)],
        t: at,
        agreement: None,
    };
    advance(rng, ctx, &mut history);
    let mut built = BuiltCase::new(history.case, history.events);
    built.agreement = history.agreement;
    built
}

fn new_case(rng: &mut StdRng, ctx: &Ctx) -> NewCaseInput {
    let category = weighted_category(rng);
    let region = pick_region(rng, ctx.regions);
    let petition = rng.random_bool(0.12);
    let mass = rng.random_bool(0.04);
    let amount = amount_for(rng, category);
    let place = ctx
        .regions
        .iter()
        .find(|r| r.code == region.code)
        .map_or("", |r| r.name.as_str());
    let complainants = if mass {
        rng.random_range(5..80)
    } else {
        rng.random_range(1..3)
    };
    let channel = channel(rng, petition);
    NewCaseInput {
        kind: if petition {
            CaseKind::Petition
        } else {
            CaseKind::Dispute
        },
        channel,
        category,
        description: names::description(rng, category, place, amount),
        region: region.code.to_string(),
        address: Some(format!("云和县{place}")),
        amount: amount.map(|a| a as f64 / 100.0),
        complainants,
        complexity: *pick(
            rng,
            &[
                Complexity::Simple,
                Complexity::General,
                Complexity::General,
                Complexity::General,
                Complexity::Complex,
                Complexity::Difficult,
            ],
        ),
        level: None,
        tier: None,
        parties: parties(rng, category),
        window: None,
        petition: petition.then(|| petition_info(rng, complainants)),
        transfer: (channel == Channel::Transfer).then(|| TransferInfo {
            from_unit: pick(rng, &["云和县信访局", "云和县公安局", "云和县人民法院"]).to_string(),
            form_number: format!("YHYJ-{:05}", rng.random_range(1..99_999)),
            note: String::new(),
        }),
        source: None,
        external_ref: None,
    }
}

/// Most petitioners come to the county; a few go higher.
fn petition_info(rng: &mut StdRng, complainants: u32) -> PetitionInfo {
    let visited_level = *pick(
        rng,
        &[
            VisitLevel::County,
            VisitLevel::County,
            VisitLevel::County,
            VisitLevel::Township,
            VisitLevel::City,
            VisitLevel::Province,
        ],
    );
    PetitionInfo {
        visitors: complainants,
        representatives: Vec::new(),
        visited_level,
    }
}

fn pick_region<'a>(rng: &mut StdRng, regions: &'a [Region]) -> &'a Region {
    let level = match rng.random_range(0..100) {
        0..75 => RegionLevel::Village,
        75..95 => RegionLevel::Township,
        _ => RegionLevel::County,
    };
    let candidates: Vec<&Region> = regions.iter().filter(|r| r.level == level).collect();
    candidates[rng.random_range(0..candidates.len())]
}

fn amount_for(rng: &mut StdRng, c: Category) -> Option<i64> {
    let yuan = match c {
        Category::Labor | Category::Traffic | Category::Medical => rng.random_range(2_000..300_000),
        Category::ContractDebt | Category::LandRequisition | Category::HousingHomestead => {
            rng.random_range(5_000..500_000)
        }
        Category::TortDamage
        | Category::Consumer
        | Category::PropertyMgmt
        | Category::Environment => rng.random_range(200..50_000),
        _ => return None,
    };
    Some(yuan * 100)
}

fn channel(rng: &mut StdRng, petition: bool) -> Channel {
    if petition {
        *pick(
            rng,
            &[
                Channel::PetitionVisit,
                Channel::PetitionVisit,
                Channel::PetitionLetter,
                Channel::Online,
            ],
        )
    } else {
        *pick(
            rng,
            &[
                Channel::Window,
                Channel::Window,
                Channel::Window,
                Channel::GridWorker,
                Channel::GridWorker,
                Channel::Hotline,
                Channel::Online,
                Channel::QrCode,
                Channel::Transfer,
            ],
        )
    }
}

fn parties(rng: &mut StdRng, c: Category) -> Vec<PartyInput> {
    let applicant = PartyInput {
        role: PartyRole::Applicant,
        kind: PartyKind::Person,
        name: names::person(rng),
        phone: Some(names::mobile(rng)),
        id_number: rng.random_bool(0.8).then(|| names::id_number(rng)),
    };
    let company = matches!(
        c,
        Category::Labor
            | Category::Consumer
            | Category::PropertyMgmt
            | Category::Medical
            | Category::Environment
    );
    let respondent = PartyInput {
        role: PartyRole::Respondent,
        kind: if company {
            PartyKind::Organization
        } else {
            PartyKind::Person
        },
        name: if company {
            names::company(rng)
        } else {
            names::person(rng)
        },
        phone: rng.random_bool(0.6).then(|| names::mobile(rng)),
        id_number: None,
    };
    vec![applicant, respondent]
}

/// The case as it is being written, its events, and the time of its last move.
struct History {
    case: Case,
    events: Vec<(EventDraft, Actor)>,
    t: Timestamp,
    agreement: Option<BuiltAgreement>,
}

impl History {
    /// Applies `action` `after` the last move, unless that moment is still in the future.
    fn step(&mut self, ctx: &Ctx, after: Span, action: Action, actor: Actor) -> bool {
        let at = self.t + after;
        if at > ctx.now {
            return false;
        }
        let c = Context {
            now: at,
            calendar: ctx.calendar,
            routing: None,
        };
        match lifecycle::apply(&self.case, action, &c) {
            Ok((next, event)) => {
                self.case = next;
                self.events.push((event, actor));
                self.t = at;
                true
            }
            Err(e) => panic!("demo history broke the lifecycle: {e}"),
        }
    }
}

fn hours(rng: &mut StdRng, lo: i64, hi: i64) -> Span {
    Span::new().minutes(rng.random_range(lo * 60..hi * 60))
}

fn advance(rng: &mut StdRng, ctx: &Ctx, h: &mut History) {
    let clerk = staff(ctx, Role::Clerk);
    let roll = rng.random_range(0..100);
    if roll < 3 {
        let reason = "不属于人民调解受理范围".to_string();
        let guidance =
            "该事项依法应通过行政复议途径解决,请向县人民政府行政复议机构提出申请".to_string();
        h.step(
            ctx,
            hours(rng, 1, 30),
            Action::Reject { reason, guidance },
            clerk,
        );
        return;
    }
    if !h.step(
        ctx,
        hours(rng, 0, 6),
        Action::Accept { complexity: None },
        clerk,
    ) {
        return;
    }
    if roll < 5 {
        h.step(
            ctx,
            hours(rng, 2, 72),
            Action::Withdraw {
                reason: "当事人自行和解,申请撤回".into(),
            },
            staff(ctx, Role::Clerk),
        );
        return;
    }
    let level = starting_level(rng, h.case.facts.region.level());
    mediate(rng, ctx, h, Some(level), roll);
}

/// The 631 ladder: most cases start and end in the village.
fn starting_level(rng: &mut StdRng, region: RegionLevel) -> Level {
    let wanted = match rng.random_range(0..100) {
        0..60 => Level::Village,
        60..90 => Level::Township,
        _ => Level::County,
    };
    wanted.max(Level::of_region(region))
}

fn mediate(rng: &mut StdRng, ctx: &Ctx, h: &mut History, level: Option<Level>, roll: u32) {
    let mut level = level.unwrap_or(h.case.facts.level);
    let mut lead = lead_unit(rng, ctx, &h.case, level);
    // The famous county room takes a share of the fresh disputes it handles, so the
    // demo mediator account (李建华 of 老李帮忙团) has a desk of cases in progress.
    if ctx.now - Span::new().hours(24 * 21) < h.t {
        let room = ctx.dir.orgs.iter().find(|o| o.name == DEMO_MEDIATOR_ROOM);
        if let Some(room) = room.filter(|r| r.categories.contains(&h.case.facts.category))
            && rng.random_bool(0.4)
        {
            level = Level::County;
            lead = room;
        }
    }
    let mediator = ctx.dir.mediators.iter().find(|m| m.org_id == lead.id);
    let co_handlers: Vec<CoHandler> = if rng.random_bool(0.12) {
        co_handler(ctx, &h.case, lead.id)
            .into_iter()
            .map(CoHandler::Unit)
            .collect()
    } else {
        Vec::new()
    };
    let assign = Action::Assign {
        lead_unit: lead.id,
        co_handlers,
        responsible_person: None,
        mediator: mediator.map(|m| m.id),
        level: Some(level),
        tier: None,
        reason: Some(format!("按属地和纠纷类型分流至{}", lead.name)),
    };
    if !h.step(ctx, hours(rng, 1, 20), assign, staff(ctx, Role::Dispatcher)) {
        return;
    }
    let who = mediator.map_or_else(
        || staff(ctx, Role::Mediator),
        |m| Actor {
            user_id: m.user_id,
            name: m.name.clone(),
            role: Role::Mediator,
            region: None,
            holding: concord_domain::access::Holding::Region,
        },
    );
    if !h.step(
        ctx,
        hours(rng, 4, 40),
        Action::StartMediation { mediator: None },
        who.clone(),
    ) {
        return;
    }
    let limit = i64::from(h.case.facts.complexity.working_days()) * 24;
    let took = hours(rng, 2, (limit * 13 / 10).max(3));
    let failed = rng.random_range(0..100) < 8;
    if !failed {
        let summary = "双方自愿达成调解协议,被申请人分期履行".to_string();
        if h.step(ctx, took, Action::ReachAgreement { summary }, who.clone()) {
            conclude(rng, ctx, h, who);
        }
        return;
    }
    if !h.step(
        ctx,
        took,
        Action::FailMediation {
            reason: "双方分歧较大,调解未能达成一致".into(),
        },
        who.clone(),
    ) {
        return;
    }
    escalate(rng, ctx, h, who, roll);
}

fn escalate(rng: &mut StdRng, ctx: &Ctx, h: &mut History, who: Actor, roll: u32) {
    let can_climb = h.case.facts.level.next().is_some() && !roll.is_multiple_of(3);
    if can_climb {
        if h.step(
            ctx,
            hours(rng, 2, 30),
            Action::EscalateLevel {
                reason: "本级调解不成,提交上一级调处".into(),
            },
            who,
        ) {
            mediate(rng, ctx, h, None, roll / 3);
        }
        return;
    }
    let to = if rng.random_bool(0.7) {
        ReferralTarget::Litigation
    } else {
        ReferralTarget::Arbitration
    };
    if h.step(
        ctx,
        hours(rng, 2, 30),
        Action::Refer {
            to,
            reason: "调解不成,引导当事人依法诉讼或仲裁".into(),
        },
        who.clone(),
    ) {
        h.step(
            ctx,
            hours(rng, 2, 48),
            Action::Close {
                summary: Some("已引导当事人通过法定途径解决".into()),
            },
            who,
        );
    }
}

/// The mediator drafts the agreement; every party signs it at the center.
fn draft_and_sign(rng: &mut StdRng, ctx: &Ctx, h: &mut History, who: &Actor) -> bool {
    let text = agreement_text(rng, &h.case);
    let draft = Action::DraftAgreement {
        version: 1,
        hash: String::new(),
    };
    if !h.step(ctx, hours(rng, 1, 6), draft, who.clone()) {
        return false;
    }
    let drafted_at = h.t;
    let parties = choosers(&h.case.facts.parties);
    let mut signatures = Vec::new();
    for (i, party) in parties.iter().enumerate() {
        let sign = Action::SignAgreement {
            party: *party,
            method: SignMethod::InPerson,
            version: 1,
            all_signed: i + 1 == parties.len(),
        };
        if !h.step(
            ctx,
            Span::new().minutes(rng.random_range(5..90)),
            sign,
            who.clone(),
        ) {
            return false;
        }
        signatures.push((*party, SignMethod::InPerson, h.t));
    }
    h.agreement = Some(BuiltAgreement {
        text,
        by: who.name.clone(),
        at: drafted_at,
        signatures,
    });
    true
}

/// Facts and terms after the kind of dispute.
fn agreement_text(rng: &mut StdRng, c: &Case) -> AgreementText {
    let amount = c
        .facts
        .amount_fen
        .map(|f| f / 100)
        .unwrap_or(rng.random_range(500..20_000));
    let due = (local_date(h_now(c)) + Span::new().days(rng.random_range(7..60))).to_string();
    let respondent = c
        .facts
        .parties
        .iter()
        .find(|p| p.role == PartyRole::Respondent)
        .map_or("被申请人", |p| p.name.as_str());
    let applicant = c.facts.parties[0].name.as_str();
    let terms = vec![
        Term {
            text: format!("{respondent}于{due}前向{applicant}支付{amount}元,一次性付清。"),
            due: due.parse().ok(),
            amount: Some(amount as f64),
        },
        Term {
            text: "双方就本纠纷再无其他争议,今后互相尊重、和睦相处。".into(),
            due: None,
            amount: None,
        },
    ];
    AgreementText {
        facts: c.facts.description.clone(),
        terms,
    }
}

fn h_now(c: &Case) -> Timestamp {
    c.accepted_at.unwrap_or(c.registered_at)
}

fn conclude(rng: &mut StdRng, ctx: &Ctx, h: &mut History, who: Actor) {
    if !draft_and_sign(rng, ctx, h, &who) {
        return;
    }
    let confirm = rng.random_bool(0.15);
    let closed = if confirm {
        let court = ctx
            .dir
            .orgs
            .iter()
            .find(|o| o.kind == OrgKind::Court)
            .map(|o| o.id);
        // Most go through the court's confirmation point at the center, the same day.
        let green_channel = rng.random_bool(0.7);
        let decided = if green_channel {
            hours(rng, 1, 4)
        } else {
            hours(rng, 24, 240)
        };
        h.step(
            ctx,
            hours(rng, 1, 24),
            Action::ApplyConfirmation {
                court,
                green_channel,
            },
            who,
        ) && h.step(
            ctx,
            decided,
            Action::Confirm {
                ruling: Some("调解协议有效,当事人应当按照约定履行".into()),
            },
            staff(ctx, Role::Judge),
        )
    } else {
        h.step(ctx, hours(rng, 1, 24), Action::Close { summary: None }, who)
    };
    if !closed {
        return;
    }
    let satisfaction = match rng.random_range(0..100) {
        0..85 => Satisfaction::Satisfied,
        85..97 => Satisfaction::BasicallySatisfied,
        _ => Satisfaction::Dissatisfied,
    };
    let performance = match satisfaction {
        Satisfaction::Dissatisfied => Performance::Partial,
        _ if rng.random_bool(0.6) => Performance::Full,
        _ => Performance::InProgress,
    };
    let follow = Action::FollowUp {
        satisfaction,
        method: Some(FollowUpMethod::Phone),
        performance: Some(performance),
        note: Some("电话回访,了解协议履行和当事人满意情况".into()),
    };
    if h.step(
        ctx,
        Span::new().hours(24 * rng.random_range(3..28)),
        follow,
        staff(ctx, Role::FollowUp),
    ) {
        h.step(
            ctx,
            Span::new().hours(24 * rng.random_range(1..10)),
            Action::Archive {},
            staff(ctx, Role::Dispatcher),
        );
    }
}

/// The unit that leads at `level`: the local committee, or a county body for the category.
/// The room of the demo mediator account.
const DEMO_MEDIATOR_ROOM: &str = "老李帮忙团调解室";

fn lead_unit<'a>(rng: &mut StdRng, ctx: &'a Ctx, c: &Case, level: Level) -> &'a Organization {
    let region = c.facts.region;
    let local = |l: RegionLevel| {
        let code = region.ancestor(l)?;
        ctx.dir
            .orgs
            .iter()
            .find(|o| o.region == code && o.kind == OrgKind::PeoplesMediationCommittee)
    };
    let found = match level {
        Level::Village => local(RegionLevel::Village),
        Level::Township => local(RegionLevel::Township),
        Level::County | Level::City => {
            let fitting: Vec<&Organization> = ctx
                .dir
                .orgs
                .iter()
                .filter(|o| {
                    o.region.level() == RegionLevel::County
                        && o.categories.contains(&c.facts.category)
                        && matches!(
                            o.kind,
                            OrgKind::ProfessionalCommittee
                                | OrgKind::MediationRoom
                                | OrgKind::Department
                        )
                })
                .collect();
            (!fitting.is_empty()).then(|| *pick(rng, &fitting))
        }
    };
    found.unwrap_or_else(|| county_committee(ctx))
}

fn county_committee<'a>(ctx: &'a Ctx) -> &'a Organization {
    ctx.dir
        .orgs
        .iter()
        .find(|o| o.name == "云和县人民调解委员会")
        .expect("demo county committee")
}

fn co_handler(ctx: &Ctx, c: &Case, lead: i64) -> Option<i64> {
    ctx.dir
        .orgs
        .iter()
        .find(|o| {
            o.kind == OrgKind::Department
                && o.id != lead
                && o.categories.contains(&c.facts.category)
        })
        .map(|o| o.id)
}

fn registrar(ctx: &Ctx, channel: Channel) -> Actor {
    match channel {
        Channel::GridWorker => staff(ctx, Role::GridWorker),
        Channel::Online | Channel::QrCode | Channel::Hotline => Actor::system(),
        _ => staff(ctx, Role::Clerk),
    }
}

fn staff(ctx: &Ctx, role: Role) -> Actor {
    ctx.dir
        .users
        .iter()
        .find(|u| u.role == role)
        // The history is written on behalf of a role, across the whole county.
        .map_or_else(Actor::system, |u| Actor {
            holding: concord_domain::access::Holding::Region,
            ..Actor::staff(u)
        })
}
