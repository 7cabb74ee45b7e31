//! The forms of the case page's actions: for each action the lifecycle allows in the
//! case's state and the user's role may take, the fields its API body needs.

use concord_domain::access::may;
use concord_domain::action::{FollowUpMethod, Performance, ReferralTarget};
use concord_domain::case::{Complexity, Level, RiskLevel, Satisfaction, Tier};
use concord_domain::category::Category;
use concord_domain::lifecycle::ActionKind;
use concord_domain::org::Role;

/// A choice in a select.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn opts<T: Copy + PartialEq>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: Option<T>,
) -> Vec<Opt> {
    all.iter()
        .map(|&x| Opt {
            value: value(x).into(),
            label: label(x).into(),
            selected: Some(x) == selected,
        })
        .collect()
}

#[derive(Debug, Clone)]
pub enum Input {
    Text,
    Textarea,
    Number,
    Checkbox,
    /// A select; `blank` is the label of the empty choice (None: a choice is required).
    Select {
        options: Vec<Opt>,
        blank: Option<&'static str>,
    },
    Multi(Vec<Opt>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub required: bool,
    /// How forms.js reads it: int, float, bool, ints.
    pub data_type: &'static str,
    pub hint: &'static str,
}

impl Field {
    fn new(name: &'static str, label: &'static str, input: Input) -> Self {
        Self {
            name,
            label,
            input,
            required: false,
            data_type: "",
            hint: "",
        }
    }

    fn required(mut self) -> Self {
        self.required = true;
        self
    }

    fn typed(mut self, t: &'static str) -> Self {
        self.data_type = t;
        self
    }

    fn hint(mut self, h: &'static str) -> Self {
        self.hint = h;
        self
    }

    pub fn kind(&self) -> &'static str {
        match self.input {
            Input::Text => "text",
            Input::Textarea => "textarea",
            Input::Number => "number",
            Input::Checkbox => "checkbox",
            Input::Select { .. } => "select",
            Input::Multi(_) => "multi",
        }
    }

    pub fn options(&self) -> &[Opt] {
        match &self.input {
            Input::Select { options, .. } | Input::Multi(options) => options,
            _ => &[],
        }
    }

    pub fn blank(&self) -> Option<&'static str> {
        match &self.input {
            Input::Select { blank, .. } => *blank,
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ActionForm {
    pub action: &'static str,
    pub label: &'static str,
    pub fields: Vec<Field>,
    /// Moves that end or undo something ask first.
    pub confirm: Option<String>,
}

/// What the forms may offer: the choices that come from the case and its county.
pub struct Choices {
    pub units: Vec<Opt>,
    pub courts: Vec<Opt>,
    pub mediators: Vec<Opt>,
    pub tasks: Vec<Opt>,
    pub complexity: Complexity,
    pub category: Category,
    pub risk_level: Option<RiskLevel>,
    /// Where the routing rules send the case, when it is to be assigned.
    pub level: Option<Level>,
    pub tier: Option<Tier>,
}

fn reason(label: &'static str) -> Field {
    Field::new("reason", label, Input::Textarea).required()
}

fn select(options: Vec<Opt>, blank: Option<&'static str>) -> Input {
    Input::Select { options, blank }
}

/// The forms for the actions open to `role` in a case whose state allows `allowed`.
pub fn forms(role: Role, allowed: &[ActionKind], c: &Choices) -> Vec<ActionForm> {
    allowed
        .iter()
        .filter(|&&a| may(role, a))
        .filter_map(|&a| fields(a, c).map(|(fields, confirm)| (a, fields, confirm)))
        .map(|(a, fields, confirm)| ActionForm {
            action: a.as_str(),
            label: a.label(),
            fields,
            confirm,
        })
        .collect()
}

type Spec = (Vec<Field>, Option<String>);

/// The fields of one action; None for those done elsewhere on the page (sessions,
/// agreement, merging).
fn fields(a: ActionKind, c: &Choices) -> Option<Spec> {
    use ActionKind as K;
    let ask = |s: &str| Some(s.to_string());
    Some(match a {
        K::Accept => (
            vec![
                Field::new(
                    "complexity",
                    "难易程度",
                    select(
                        opts(
                            Complexity::ALL,
                            Complexity::as_str,
                            Complexity::label,
                            Some(c.complexity),
                        ),
                        None,
                    ),
                )
                .hint("决定办理期限:简易1个、一般5个、复杂15个、疑难20个工作日"),
            ],
            None,
        ),
        K::Reject => (
            vec![
                reason("不予受理的理由"),
                Field::new("guidance", "告知去向(应向何处反映)", Input::Textarea).required(),
            ],
            ask("确定不予受理?"),
        ),
        K::Assign => (assign_fields(c), None),
        K::Reclassify => (
            vec![
                Field::new(
                    "category",
                    "纠纷类别",
                    select(
                        opts(
                            Category::ALL,
                            Category::as_str,
                            Category::label,
                            Some(c.category),
                        ),
                        None,
                    ),
                )
                .required(),
                Field::new("reason", "说明", Input::Text),
            ],
            None,
        ),
        K::AssessRisk => (
            vec![
                Field::new(
                    "level",
                    "风险等级",
                    select(
                        opts(
                            RiskLevel::ALL,
                            RiskLevel::as_str,
                            RiskLevel::label,
                            c.risk_level,
                        ),
                        None,
                    ),
                )
                .required(),
                Field::new("reason", "研判依据(调低等级时必填)", Input::Text),
            ],
            None,
        ),
        K::Return => (vec![reason("退回理由")], ask("确定退回指挥中心?")),
        K::CompleteTask => (
            vec![
                Field::new("task", "协办任务", select(c.tasks.clone(), None))
                    .required()
                    .typed("int"),
                Field::new("note", "办理情况", Input::Textarea).required(),
            ],
            None,
        ),
        K::ReturnTask => (
            vec![
                Field::new("task", "协办任务", select(c.tasks.clone(), None))
                    .required()
                    .typed("int"),
                reason("退回理由"),
            ],
            None,
        ),
        K::StartMediation => (
            vec![
                Field::new(
                    "mediator",
                    "调解员",
                    select(c.mediators.clone(), Some("沿用已指定的调解员")),
                )
                .typed("int"),
            ],
            None,
        ),
        K::ReachAgreement => (
            vec![Field::new("summary", "协议要点", Input::Textarea).required()],
            None,
        ),
        K::FailMediation => (vec![reason("调解不成的原因")], None),
        K::EscalateLevel => (vec![reason("提级理由")], ask("确定提交上一级处理?")),
        K::EscalateTier => (vec![reason("转入下一层次的理由")], None),
        K::Refer => (
            vec![
                Field::new(
                    "to",
                    "引导至",
                    select(
                        opts(
                            ReferralTarget::ALL,
                            ReferralTarget::as_str,
                            ReferralTarget::label,
                            None,
                        ),
                        None,
                    ),
                )
                .required(),
                reason("说明"),
            ],
            None,
        ),
        K::ApplyConfirmation => (
            vec![
                Field::new(
                    "court",
                    "人民法院",
                    select(c.courts.clone(), Some("请选择")),
                )
                .typed("int"),
                Field::new(
                    "green_channel",
                    "绿色通道(中心司法确认点当日确认)",
                    Input::Checkbox,
                )
                .typed("bool"),
            ],
            None,
        ),
        K::Confirm => (vec![Field::new("ruling", "裁定书文号", Input::Text)], None),
        K::DenyConfirmation => (vec![reason("不予确认的理由")], None),
        K::Close => (
            vec![Field::new("summary", "办结情况", Input::Textarea)],
            ask("确定办结?"),
        ),
        K::FollowUp => (follow_up_fields(), None),
        K::Suspend => (vec![reason("中止计时的原因(如等待鉴定)")], None),
        K::Resume => (vec![], None),
        K::RequestExtension => (
            vec![
                Field::new("working_days", "延长工作日", Input::Number)
                    .required()
                    .typed("int"),
                reason("延期理由"),
            ],
            None,
        ),
        K::ApproveExtension => (vec![Field::new("note", "批示", Input::Text)], None),
        K::DenyExtension => (vec![reason("不予延期的理由")], None),
        K::Reopen => (vec![reason("重新调处的原因")], ask("确定重新调处?")),
        K::Archive => (vec![], ask("归档后不能再修改,确定?")),
        K::Withdraw => (vec![reason("撤回原因")], ask("确定撤回?")),
        K::Register
        | K::Merge
        | K::MergeInto
        | K::ScheduleSession
        | K::RecordSession
        | K::CancelSession
        | K::DraftAgreement
        | K::SignAgreement => return None,
    })
}

fn assign_fields(c: &Choices) -> Vec<Field> {
    vec![
        Field::new(
            "lead_unit",
            "牵头单位",
            select(c.units.clone(), Some("请选择")),
        )
        .required()
        .typed("int"),
        Field::new(
            "co_handlers",
            "协办单位",
            Input::Multi(
                c.units
                    .iter()
                    .map(|o| Opt {
                        selected: false,
                        ..o.clone()
                    })
                    .collect(),
            ),
        )
        .typed("ints")
        .hint("可多选(按住 Ctrl)"),
        Field::new(
            "mediator",
            "调解员",
            select(c.mediators.clone(), Some("按当事人点单或工作量自动选择")),
        )
        .typed("int"),
        Field::new(
            "level",
            "层级",
            select(
                opts(Level::ALL, Level::as_str, Level::label, c.level),
                Some("按分流规则"),
            ),
        ),
        Field::new(
            "tier",
            "调解层次",
            select(
                opts(Tier::ALL, Tier::as_str, Tier::label, c.tier),
                Some("按分流规则"),
            ),
        ),
        Field::new("reason", "交办说明", Input::Textarea).hint("与分流建议不同时必填"),
    ]
}

/// The follow-up form alone, for the follow-up queue.
pub fn follow_up_form() -> ActionForm {
    ActionForm {
        action: ActionKind::FollowUp.as_str(),
        label: ActionKind::FollowUp.label(),
        fields: follow_up_fields(),
        confirm: None,
    }
}

fn follow_up_fields() -> Vec<Field> {
    vec![
        Field::new(
            "satisfaction",
            "满意度",
            select(
                opts(
                    Satisfaction::ALL,
                    Satisfaction::as_str,
                    Satisfaction::label,
                    None,
                ),
                Some("请选择"),
            ),
        )
        .required(),
        Field::new(
            "method",
            "回访方式",
            select(
                opts(
                    FollowUpMethod::ALL,
                    FollowUpMethod::as_str,
                    FollowUpMethod::label,
                    None,
                ),
                Some("请选择"),
            ),
        ),
        Field::new(
            "performance",
            "协议履行",
            select(
                opts(
                    Performance::ALL,
                    Performance::as_str,
                    Performance::label,
                    None,
                ),
                Some("请选择"),
            ),
        ),
        Field::new("note", "回访记录", Input::Textarea),
    ]
}
