//! The case (事项): a dispute or a petition, its parties, and what is known of it.

use jiff::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::category::Category;
use crate::intake::{Intake, IntakeInput, PetitionInfo, TransferInfo, Window};
use crate::labelled_enum;
use crate::person::{IdNumber, Phone};
use crate::region::{RegionCode, RegionLevel};
use crate::{FieldError, FieldErrors};

labelled_enum! {
    /// How likely a case is to turn into a crowd, a petition or worse (风险等级), as the
    /// command center judges it; lowering it needs a reason and is reported.
    pub enum RiskLevel {
        Low = ("low", "低风险"),
        Yellow = ("yellow", "黄色"),
        Orange = ("orange", "橙色"),
        Red = ("red", "红色"),
    }
}

impl RiskLevel {
    /// Low 0 … red 3.
    pub fn rank(self) -> u8 {
        match self {
            Self::Low => 0,
            Self::Yellow => 1,
            Self::Orange => 2,
            Self::Red => 3,
        }
    }
}

labelled_enum! {
    pub enum CaseKind {
        Dispute = ("dispute", "矛盾纠纷"),
        Petition = ("petition", "信访事项"),
    }
}

labelled_enum! {
    /// How the case reached the center.
    pub enum Channel {
        Window = ("window", "窗口受理"),
        Online = ("online", "网上申请"),
        QrCode = ("qr_code", "扫码反映"),
        Hotline = ("hotline", "12345热线"),
        GridWorker = ("grid_worker", "网格员上报"),
        PetitionLetter = ("petition_letter", "来信"),
        PetitionVisit = ("petition_visit", "来访"),
        Transfer = ("transfer", "移交"),
    }
}

labelled_enum! {
    /// Sets the handling deadline in working days.
    pub enum Complexity {
        Simple = ("simple", "简单"),
        General = ("general", "一般"),
        Complex = ("complex", "复杂"),
        Difficult = ("difficult", "疑难"),
    }
}

impl Complexity {
    /// Working days allowed to close ("简单1天、一般5天、复杂15天、疑难20天").
    pub const fn working_days(self) -> u32 {
        match self {
            Self::Simple => 1,
            Self::General => 5,
            Self::Complex => 15,
            Self::Difficult => 20,
        }
    }
}

labelled_enum! {
    /// The level that handles the case (分级): the 631 ladder.
    pub enum Level {
        Village = ("village", "村(社区)"),
        Township = ("township", "乡镇(街道)"),
        County = ("county", "县(区)"),
        City = ("city", "市"),
    }
}

impl Level {
    pub fn next(self) -> Option<Level> {
        match self {
            Self::Village => Some(Self::Township),
            Self::Township => Some(Self::County),
            Self::County => Some(Self::City),
            Self::City => None,
        }
    }

    /// The level whose center serves a region; provinces are served at city level.
    pub fn of_region(level: RegionLevel) -> Level {
        match level {
            RegionLevel::Village => Self::Village,
            RegionLevel::Township => Self::Township,
            RegionLevel::County => Self::County,
            RegionLevel::City | RegionLevel::Province => Self::City,
        }
    }
}

labelled_enum! {
    /// The tier of resolution (分层): people's mediation first, litigation last.
    pub enum Tier {
        People = ("people", "人民调解"),
        Administrative = ("administrative", "行政调解"),
        Judicial = ("judicial", "司法调解"),
    }
}

impl Tier {
    pub fn next(self) -> Option<Tier> {
        match self {
            Self::People => Some(Self::Administrative),
            Self::Administrative => Some(Self::Judicial),
            Self::Judicial => None,
        }
    }
}

labelled_enum! {
    pub enum PartyRole {
        Applicant = ("applicant", "申请人"),
        Respondent = ("respondent", "被申请人"),
        Agent = ("agent", "代理人"),
    }
}

labelled_enum! {
    pub enum PartyKind {
        Person = ("person", "自然人"),
        Organization = ("organization", "法人或其他组织"),
    }
}

labelled_enum! {
    /// How a case ended.
    pub enum Outcome {
        Agreement = ("agreement", "达成调解协议"),
        AgreementConfirmed = ("agreement_confirmed", "调解协议经司法确认"),
        ReferredLitigation = ("referred_litigation", "引导诉讼"),
        ReferredArbitration = ("referred_arbitration", "引导仲裁"),
        Rejected = ("rejected", "不予受理"),
        Withdrawn = ("withdrawn", "撤回"),
        Merged = ("merged", "并案办理"),
    }
}

labelled_enum! {
    pub enum Satisfaction {
        Satisfied = ("satisfied", "满意"),
        BasicallySatisfied = ("basically_satisfied", "基本满意"),
        Dissatisfied = ("dissatisfied", "不满意"),
    }
}

/// A party to the case. ID number and phone are validated, and masked when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub role: PartyRole,
    pub kind: PartyKind,
    pub name: String,
    pub phone: Option<Phone>,
    pub id_number: Option<IdNumber>,
}

/// A party as submitted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub role: PartyRole,
    #[serde(default = "default_party_kind")]
    pub kind: PartyKind,
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub id_number: Option<String>,
}

fn default_party_kind() -> PartyKind {
    PartyKind::Person
}

/// A case as registered, before it is known to be valid.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseInput {
    pub kind: CaseKind,
    pub channel: Channel,
    pub category: Category,
    pub description: String,
    /// 12-digit division code of where the dispute arose.
    #[schema(example = "331125003002")]
    pub region: String,
    #[serde(default)]
    pub address: Option<String>,
    /// Amount involved, in yuan.
    #[serde(default)]
    pub amount: Option<f64>,
    #[serde(default = "one")]
    pub complainants: u32,
    #[serde(default = "default_complexity")]
    pub complexity: Complexity,
    /// Defaults to the level of the case's region.
    #[serde(default)]
    pub level: Option<Level>,
    #[serde(default)]
    pub tier: Option<Tier>,
    pub parties: Vec<PartyInput>,
    /// Channel `window`: which of the four windows (default 矛盾纠纷化解).
    #[serde(default)]
    pub window: Option<Window>,
    /// Petitions: who came, how many, to which level.
    #[serde(default)]
    pub petition: Option<PetitionInfo>,
    /// Channel `transfer`: the transfer form (移交单), required.
    #[serde(default)]
    pub transfer: Option<TransferInfo>,
    /// A work order from elsewhere: its source (e.g. `12345`) and number there.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub external_ref: Option<String>,
}

fn one() -> u32 {
    1
}

fn default_complexity() -> Complexity {
    Complexity::General
}

pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
pub const MAX_ADDRESS_CHARS: usize = 500;
pub const MAX_NAME_CHARS: usize = 100;
/// A case involving this many complainants or more is a mass case (群体性).
pub const MASS_CASE_COMPLAINANTS: u32 = 5;

/// A registered case's facts, all valid.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub kind: CaseKind,
    pub channel: Channel,
    pub category: Category,
    pub description: String,
    pub region: RegionCode,
    pub address: String,
    pub amount_fen: Option<i64>,
    pub complainants: u32,
    pub complexity: Complexity,
    pub level: Level,
    pub tier: Tier,
    pub parties: Vec<Party>,
    pub intake: Intake,
}

impl NewCaseInput {
    /// Checks every field and reports every fault at once.
    pub fn validate(self) -> Result<NewCase, FieldErrors> {
        let mut errs = FieldErrors::default();
        let description = errs.take(text(
            "description",
            &self.description,
            MAX_DESCRIPTION_CHARS,
            true,
        ));
        let address = errs.take(text(
            "address",
            self.address.as_deref().unwrap_or(""),
            MAX_ADDRESS_CHARS,
            false,
        ));
        let region = errs.take(RegionCode::parse("region", &self.region));
        let amount_fen = errs.take(amount_to_fen(self.amount));
        if self.complainants == 0 || self.complainants > 100_000 {
            errs.push(FieldError::new(
                "complainants",
                "out_of_range",
                "投诉人数应在1到100000之间",
            ));
        }
        let parties = validate_parties(self.parties, &mut errs);
        let intake = IntakeInput {
            window: self.window,
            petition: self.petition,
            transfer: self.transfer,
            source: self.source,
            external_ref: self.external_ref,
        }
        .validate(self.kind, self.channel, &mut errs);
        errs.into_result()?;
        let region = region.expect("checked");
        Ok(NewCase {
            kind: self.kind,
            channel: self.channel,
            category: self.category,
            description: description.expect("checked"),
            address: address.expect("checked"),
            amount_fen: amount_fen.expect("checked"),
            complainants: self.complainants,
            complexity: self.complexity,
            level: self.level.unwrap_or(Level::of_region(region.level())),
            tier: self.tier.unwrap_or(Tier::People),
            region,
            parties,
            intake,
        })
    }
}

fn validate_parties(inputs: Vec<PartyInput>, errs: &mut FieldErrors) -> Vec<Party> {
    if !inputs.iter().any(|p| p.role == PartyRole::Applicant) {
        errs.push(FieldError::new(
            "parties",
            "applicant_required",
            "至少需要一名申请人",
        ));
    }
    let mut parties = Vec::with_capacity(inputs.len());
    for (i, p) in inputs.into_iter().enumerate() {
        let at = |f: &str| format!("parties[{i}].{f}");
        let name = errs.take(text(&at("name"), &p.name, MAX_NAME_CHARS, true));
        let phone = blank_to_none(p.phone).map(|s| Phone::parse(&at("phone"), &s));
        let id_number = blank_to_none(p.id_number).map(|s| IdNumber::parse(&at("id_number"), &s));
        let phone = phone.and_then(|r| errs.take(r));
        let id_number = id_number.and_then(|r| errs.take(r));
        if let Some(name) = name {
            parties.push(Party {
                role: p.role,
                kind: p.kind,
                name,
                phone,
                id_number,
            });
        }
    }
    parties
}

fn blank_to_none(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

/// Trims and checks the length (in characters, as people count Chinese text).
pub fn text(field: &str, s: &str, max: usize, required: bool) -> Result<String, FieldError> {
    let t = s.trim();
    if required && t.is_empty() {
        return Err(FieldError::new(field, "required", "不能为空"));
    }
    let n = t.chars().count();
    if n > max {
        return Err(FieldError::new(
            field,
            "too_long",
            format!("不能超过{max}个字(现有{n}个)"),
        ));
    }
    Ok(t.to_string())
}

fn amount_to_fen(amount: Option<f64>) -> Result<Option<i64>, FieldError> {
    let Some(a) = amount else { return Ok(None) };
    if !a.is_finite() || !(0.0..=1e12).contains(&a) {
        return Err(FieldError::new(
            "amount",
            "out_of_range",
            "涉及金额应在0到1万亿元之间",
        ));
    }
    Ok(Some((a * 100.0).round() as i64))
}

labelled_enum! {
    /// Where the case stands: the lifecycle's states.
    pub enum Status {
        Registered = ("registered", "已登记"),
        Accepted = ("accepted", "已受理"),
        Rejected = ("rejected", "不予受理"),
        Assigned = ("assigned", "已交办"),
        InMediation = ("in_mediation", "调解中"),
        Agreed = ("agreed", "已达成协议"),
        Failed = ("failed", "调解不成"),
        Escalated = ("escalated", "已升级待交办"),
        Referred = ("referred", "已引导诉讼或仲裁"),
        Confirming = ("confirming", "司法确认中"),
        Closed = ("closed", "已办结"),
        FollowedUp = ("followed_up", "已回访"),
        Archived = ("archived", "已归档"),
        Withdrawn = ("withdrawn", "已撤回"),
        Merged = ("merged", "已并案"),
    }
}

impl Status {
    /// Still being handled: its deadline runs and it can be withdrawn.
    pub const OPEN: &'static [Status] = &[
        Self::Registered,
        Self::Accepted,
        Self::Assigned,
        Self::InMediation,
        Self::Agreed,
        Self::Failed,
        Self::Escalated,
        Self::Confirming,
    ];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

/// A case as the lifecycle sees it: the facts plus where it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: i64,
    pub number: String,
    pub facts: NewCase,
    pub status: Status,
    pub lead_unit: Option<i64>,
    pub co_handlers: Vec<i64>,
    pub responsible_person: Option<i64>,
    pub mediator: Option<i64>,
    pub registered_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    /// When the current handling clock started (acceptance, or the last escalation).
    pub clock_start: Option<Timestamp>,
    /// When handling must be finished (working days by complexity).
    pub deadline: Option<Timestamp>,
    /// Petitions: when acceptance must be decided (15 days from registration).
    pub acceptance_due: Option<Timestamp>,
    /// Petitions: the statutory limit to handle (60 days from acceptance).
    pub statutory_deadline: Option<Timestamp>,
    pub outcome: Option<Outcome>,
    pub closed_at: Option<Timestamp>,
    pub satisfaction: Option<Satisfaction>,
    /// A dispatcher confirmed or corrected the category (a training example).
    pub category_confirmed: bool,
    /// Co-handlers' child tasks still open: the case cannot close until they are done.
    pub open_tasks: u32,
    /// 重复访: an earlier petition of the same person about the same matter.
    pub repeat_of: Option<i64>,
    /// 越级访: a case at a lower level still handling the same matter.
    pub skip_level_of: Option<i64>,
    /// 并案: the group case this one was merged into.
    pub merged_into: Option<i64>,
    /// The clock stands still since then (中止计时).
    pub suspended_since: Option<Timestamp>,
    /// Working days asked for and not yet decided (延期申请).
    pub pending_extension: Option<u32>,
    /// Extensions granted so far.
    pub extensions: u32,
    /// The round of handling (轮次): 1, then 2 after a reopening, …
    pub round: u32,
    /// The mediation agreement's current version, once drafted.
    pub agreement_version: Option<u32>,
    /// Every party signed the current version.
    pub agreement_signed: bool,
    /// The follow-up call is due by then: a month after closure.
    pub follow_up_due: Option<Timestamp>,
    /// Whether the agreement is kept, as follow-up found.
    pub performance: Option<crate::action::Performance>,
    /// The command center's judgement of how likely it is to turn (风险等级), once made.
    pub risk_level: Option<RiskLevel>,
    /// Bumped by every transition; a write against a stale version is refused.
    pub version: i64,
}

impl Case {
    pub fn is_mass(&self) -> bool {
        self.facts.complainants >= MASS_CASE_COMPLAINANTS
    }
}
