//! The moves on a case: their names (`ActionKind`), and each as requested (`Action`),
//! with what it needs.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::case::{Complexity, Level, Satisfaction, Tier};
use crate::category::Category;
use crate::labelled_enum;

labelled_enum! {
    /// The name of every move on a case, `register` included.
    pub enum ActionKind {
        Register = ("register", "登记"),
        Accept = ("accept", "受理"),
        Reject = ("reject", "不予受理"),
        Assign = ("assign", "交办"),
        StartMediation = ("start_mediation", "开始调解"),
        ReachAgreement = ("reach_agreement", "达成调解协议"),
        FailMediation = ("fail_mediation", "调解不成"),
        EscalateLevel = ("escalate_level", "提级处理"),
        EscalateTier = ("escalate_tier", "转入下一调解层次"),
        Refer = ("refer", "引导诉讼或仲裁"),
        ApplyConfirmation = ("apply_confirmation", "申请司法确认"),
        Confirm = ("confirm", "司法确认"),
        DenyConfirmation = ("deny_confirmation", "不予确认"),
        Close = ("close", "办结"),
        Reclassify = ("reclassify", "确认或更正类别"),
        AssessRisk = ("assess_risk", "研判风险等级"),
        Return = ("return", "退回指挥中心"),
        CompleteTask = ("complete_task", "协办完成"),
        ReturnTask = ("return_task", "协办退回"),
        Merge = ("merge", "并案"),
        MergeInto = ("merge_into", "并入他案"),
        Suspend = ("suspend", "中止计时"),
        Resume = ("resume", "恢复计时"),
        RequestExtension = ("request_extension", "申请延期"),
        ApproveExtension = ("approve_extension", "批准延期"),
        DenyExtension = ("deny_extension", "不予延期"),
        Reopen = ("reopen", "重新调处"),
        ScheduleSession = ("schedule_session", "预约调解"),
        RecordSession = ("record_session", "调解笔录"),
        CancelSession = ("cancel_session", "取消调解"),
        DraftAgreement = ("draft_agreement", "起草调解协议"),
        SignAgreement = ("sign_agreement", "签署调解协议"),
        FollowUp = ("follow_up", "回访"),
        Archive = ("archive", "归档"),
        Withdraw = ("withdraw", "撤回"),
    }
}

labelled_enum! {
    /// How follow-up staff reached the party.
    pub enum FollowUpMethod {
        Phone = ("phone", "电话回访"),
        Visit = ("visit", "上门回访"),
        Sms = ("sms", "短信回访"),
        Online = ("online", "网上回访"),
    }
}

labelled_enum! {
    /// Whether the agreement is being kept (履行情况).
    pub enum Performance {
        Full = ("full", "已履行"),
        InProgress = ("in_progress", "正在履行"),
        Partial = ("partial", "部分履行"),
        NotPerformed = ("not_performed", "未履行"),
        NotApplicable = ("not_applicable", "不涉及履行"),
    }
}

labelled_enum! {
    pub enum ReferralTarget {
        Litigation = ("litigation", "诉讼"),
        Arbitration = ("arbitration", "仲裁"),
    }
}

/// A co-handling unit (协办单位): just its id, or with its own responsible person and
/// working days (its child task's deadline; by default the case's).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CoHandler {
    Unit(i64),
    Task {
        unit: i64,
        #[serde(default)]
        responsible_person: Option<i64>,
        #[serde(default)]
        working_days: Option<u32>,
    },
}

impl CoHandler {
    pub fn unit(&self) -> i64 {
        match self {
            Self::Unit(u) | Self::Task { unit: u, .. } => *u,
        }
    }

    pub fn responsible_person(&self) -> Option<i64> {
        match self {
            Self::Unit(_) => None,
            Self::Task {
                responsible_person, ..
            } => *responsible_person,
        }
    }

    pub fn working_days(&self) -> Option<u32> {
        match self {
            Self::Unit(_) => None,
            Self::Task { working_days, .. } => *working_days,
        }
    }
}

/// A requested move, with what it needs.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// 受理: sets the deadline from the complexity (which may be revised here).
    Accept {
        #[serde(default)]
        complexity: Option<Complexity>,
    },
    /// 不予受理: with the reason and guidance on where to turn instead.
    Reject {
        reason: String,
        guidance: String,
    },
    /// 分流交办: the level and tier, one lead unit, co-handlers, the responsible person.
    Assign {
        lead_unit: i64,
        #[serde(default)]
        co_handlers: Vec<CoHandler>,
        #[serde(default)]
        responsible_person: Option<i64>,
        #[serde(default)]
        mediator: Option<i64>,
        #[serde(default)]
        level: Option<Level>,
        #[serde(default)]
        tier: Option<Tier>,
        /// Why; required when the assignment differs from the routing suggestion.
        #[serde(default)]
        reason: Option<String>,
    },
    /// 确认或更正类别: the dispatcher's word on the category (a training example).
    Reclassify {
        category: Category,
        #[serde(default)]
        reason: Option<String>,
    },
    /// 研判: the command center sets the case's risk level; lowering it needs a reason.
    AssessRisk {
        level: crate::case::RiskLevel,
        #[serde(default)]
        reason: Option<String>,
    },
    /// 退回: the unit hands the case back to the command center, saying why.
    Return {
        reason: String,
    },
    /// A co-handler reports its part done.
    CompleteTask {
        task: i64,
        note: String,
    },
    /// A co-handler hands its part back, saying why.
    ReturnTask {
        task: i64,
        reason: String,
    },
    /// 并案: other cases about the same matter join this one (the merge endpoint).
    #[serde(skip)]
    Merge {
        cases: Vec<i64>,
        /// Their complainants, added to this case's.
        complainants: u32,
        reason: String,
    },
    /// This case joins another (the merge endpoint).
    #[serde(skip)]
    MergeInto {
        into: i64,
        reason: String,
    },
    StartMediation {
        #[serde(default)]
        mediator: Option<i64>,
    },
    ReachAgreement {
        summary: String,
    },
    FailMediation {
        reason: String,
    },
    /// To the next level: village → township → county → city.
    EscalateLevel {
        reason: String,
    },
    /// To the next tier: people's → administrative → judicial mediation.
    EscalateTier {
        reason: String,
    },
    Refer {
        to: ReferralTarget,
        reason: String,
    },
    ApplyConfirmation {
        #[serde(default)]
        court: Option<i64>,
        /// By the green channel (绿色通道): decided the same working day.
        #[serde(default)]
        green_channel: bool,
    },
    Confirm {
        #[serde(default)]
        ruling: Option<String>,
    },
    DenyConfirmation {
        reason: String,
    },
    Close {
        #[serde(default)]
        summary: Option<String>,
    },
    /// 回访: how the party was reached, how satisfied, whether the agreement is kept.
    FollowUp {
        satisfaction: Satisfaction,
        #[serde(default)]
        method: Option<FollowUpMethod>,
        #[serde(default)]
        performance: Option<Performance>,
        #[serde(default)]
        note: Option<String>,
    },
    /// 中止计时: the clock stops (awaiting a party, an appraisal…), saying why.
    Suspend {
        reason: String,
    },
    /// The clock runs again; the deadline moves by the working days it stood still.
    Resume {},
    /// 申请延期: more working days, for a leader to approve.
    RequestExtension {
        working_days: u32,
        reason: String,
    },
    ApproveExtension {
        #[serde(default)]
        note: Option<String>,
    },
    DenyExtension {
        reason: String,
    },
    /// 轮次调处: a closed case back for another round (non-performance, dissatisfaction).
    Reopen {
        reason: String,
    },
    /// A session booked (the sessions endpoint).
    #[serde(skip)]
    ScheduleSession {
        session: i64,
        mode: crate::session::SessionMode,
        starts_at: String,
    },
    /// A session's record written (the sessions endpoint).
    #[serde(skip)]
    RecordSession {
        session: i64,
        method: crate::session::SessionMethod,
    },
    #[serde(skip)]
    CancelSession {
        session: i64,
        reason: String,
    },
    /// The agreement's text, a new version (the agreement endpoint).
    #[serde(skip)]
    DraftAgreement {
        version: u32,
        hash: String,
    },
    /// One party's signature; `all_signed` when it was the last.
    #[serde(skip)]
    SignAgreement {
        party: usize,
        method: crate::agreement::SignMethod,
        version: u32,
        all_signed: bool,
    },
    Archive {},
    Withdraw {
        reason: String,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        use ActionKind as K;
        match self {
            Self::Accept { .. } => K::Accept,
            Self::Reject { .. } => K::Reject,
            Self::Assign { .. } => K::Assign,
            Self::StartMediation { .. } => K::StartMediation,
            Self::ReachAgreement { .. } => K::ReachAgreement,
            Self::FailMediation { .. } => K::FailMediation,
            Self::EscalateLevel { .. } => K::EscalateLevel,
            Self::EscalateTier { .. } => K::EscalateTier,
            Self::Refer { .. } => K::Refer,
            Self::ApplyConfirmation { .. } => K::ApplyConfirmation,
            Self::Confirm { .. } => K::Confirm,
            Self::DenyConfirmation { .. } => K::DenyConfirmation,
            Self::Close { .. } => K::Close,
            Self::FollowUp { .. } => K::FollowUp,
            Self::Archive {} => K::Archive,
            Self::Withdraw { .. } => K::Withdraw,
            Self::Reclassify { .. } => K::Reclassify,
            Self::AssessRisk { .. } => K::AssessRisk,
            Self::Return { .. } => K::Return,
            Self::CompleteTask { .. } => K::CompleteTask,
            Self::ReturnTask { .. } => K::ReturnTask,
            Self::Merge { .. } => K::Merge,
            Self::MergeInto { .. } => K::MergeInto,
            Self::Suspend { .. } => K::Suspend,
            Self::Resume {} => K::Resume,
            Self::RequestExtension { .. } => K::RequestExtension,
            Self::ApproveExtension { .. } => K::ApproveExtension,
            Self::DenyExtension { .. } => K::DenyExtension,
            Self::Reopen { .. } => K::Reopen,
            Self::ScheduleSession { .. } => K::ScheduleSession,
            Self::RecordSession { .. } => K::RecordSession,
            Self::CancelSession { .. } => K::CancelSession,
            Self::DraftAgreement { .. } => K::DraftAgreement,
            Self::SignAgreement { .. } => K::SignAgreement,
        }
    }
}
