//! One imported row as a case: the columns it may have (Chinese or English headers), and
//! every fault in it named by its column.

use concord_domain::case::{
    CaseKind, Channel, Complexity, NewCaseInput, PartyInput, PartyKind, PartyRole, Satisfaction,
};
use concord_domain::category::Category;
use concord_domain::history::{Past, PastOutcome, PastStatus};
use concord_domain::{FieldError, FieldErrors};
use jiff::Timestamp;

use super::read::Row;

/// Each column: its canonical name and the headers it may go by.
pub const COLUMNS: &[(&str, &[&str])] = &[
    ("external_ref", &["工单编号", "编号", "external_ref"]),
    ("channel", &["渠道", "channel"]),
    ("kind", &["类型", "事项类型", "kind"]),
    ("category", &["类别", "纠纷类别", "category"]),
    (
        "description",
        &["诉求内容", "描述", "事项描述", "description"],
    ),
    ("region", &["区划代码", "region"]),
    ("address", &["地址", "address"]),
    ("amount", &["金额", "涉及金额", "amount"]),
    ("complainants", &["人数", "反映人数", "complainants"]),
    ("complexity", &["复杂程度", "complexity"]),
    ("applicant_name", &["申请人", "来电人", "applicant_name"]),
    (
        "applicant_phone",
        &["申请人电话", "来电号码", "联系电话", "applicant_phone"],
    ),
    (
        "applicant_id_number",
        &["申请人身份证号", "身份证号", "applicant_id_number"],
    ),
    ("respondent_name", &["被申请人", "respondent_name"]),
    ("respondent_phone", &["被申请人电话", "respondent_phone"]),
    ("registered_at", &["登记时间", "来电时间", "registered_at"]),
    ("status", &["办理状态", "状态", "status"]),
    ("outcome", &["办理结果", "outcome"]),
    ("closed_at", &["办结时间", "closed_at"]),
    ("satisfaction", &["满意度", "回访满意度", "satisfaction"]),
    ("lead_unit", &["承办单位", "lead_unit"]),
    ("note", &["办理说明", "处理情况", "note"]),
];

const REQUIRED: &[&str] = &["description", "region", "applicant_name"];

/// The canonical name of a header, if it is one we know.
fn canonical(header: &str) -> Option<&'static str> {
    COLUMNS
        .iter()
        .find(|(_, names)| names.contains(&header))
        .map(|(c, _)| *c)
}

/// Refuses a file whose header lacks a required column, before anything is imported.
pub fn check_header(headers: &[String]) -> Result<(), String> {
    let have: Vec<&str> = headers.iter().filter_map(|h| canonical(h)).collect();
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|r| !have.contains(r))
        .map(|r| {
            COLUMNS
                .iter()
                .find(|(c, _)| c == r)
                .map_or(r.to_string(), |(_, n)| n[0].to_string())
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("缺少必需的列:{}", missing.join("、")))
    }
}

/// A row's value of a canonical column.
fn get<'a>(row: &'a Row, column: &str) -> Option<&'a str> {
    row.fields
        .iter()
        .find(|(k, v)| canonical(k) == Some(column) && !v.is_empty())
        .map(|(_, v)| v.as_str())
}

/// What a row becomes before validation: the case as submitted, when it was registered,
/// and its reference in the source.
pub struct RowCase {
    pub input: NewCaseInput,
    pub registered_at: Option<Timestamp>,
    pub external_ref: Option<String>,
    /// Where a historical case ended (default: just registered).
    pub past: Past,
    /// The unit that handled it, by name.
    pub lead_unit: Option<String>,
}

fn enum_or_label<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    v: &str,
) -> Option<T> {
    all.iter()
        .copied()
        .find(|x| code(*x) == v || label(*x) == v)
}

/// Reads a row; `category` fills in a missing category (the classifier's suggestion).
pub fn parse(
    row: &Row,
    default_channel: Channel,
    category: impl Fn(&str) -> Category,
) -> Result<RowCase, FieldErrors> {
    let mut errs = FieldErrors::default();
    if let Some(why) = row.fields.get(super::read::INVALID) {
        errs.push(FieldError::new("row", "unreadable", why.clone()));
        return Err(errs);
    }
    let bad = |what: &str, v: &str| format!("“{v}”不是有效的{what}");
    let channel = take(
        &mut errs,
        "channel",
        get(row, "channel").map(|v| {
            enum_or_label(Channel::ALL, Channel::as_str, Channel::label, v).ok_or(bad("渠道", v))
        }),
    );
    let kind = take(
        &mut errs,
        "kind",
        get(row, "kind").map(|v| match v {
            "纠纷" | "矛盾纠纷" => Ok(CaseKind::Dispute),
            "信访" => Ok(CaseKind::Petition),
            _ => enum_or_label(CaseKind::ALL, CaseKind::as_str, CaseKind::label, v)
                .ok_or(bad("类型", v)),
        }),
    );
    let cat = take(
        &mut errs,
        "category",
        get(row, "category").map(|v| {
            enum_or_label(Category::ALL, Category::as_str, Category::label, v).ok_or(bad("类别", v))
        }),
    );
    let complexity = take(
        &mut errs,
        "complexity",
        get(row, "complexity").map(|v| {
            enum_or_label(Complexity::ALL, Complexity::as_str, Complexity::label, v)
                .ok_or(bad("复杂程度", v))
        }),
    );
    let amount = take(
        &mut errs,
        "amount",
        get(row, "amount").map(|v| {
            v.replace(',', "")
                .parse::<f64>()
                .map_err(|_| bad("金额", v))
        }),
    );
    let complainants = take(
        &mut errs,
        "complainants",
        get(row, "complainants").map(|v| v.parse::<u32>().map_err(|_| bad("人数", v))),
    );
    let registered_at = take(
        &mut errs,
        "registered_at",
        get(row, "registered_at").map(parse_time),
    );
    let past = past(row, &mut errs);
    let description = get(row, "description").unwrap_or_default().to_string();
    errs.into_result()?;
    let mut parties = vec![PartyInput {
        role: PartyRole::Applicant,
        kind: PartyKind::Person,
        name: get(row, "applicant_name").unwrap_or_default().to_string(),
        phone: get(row, "applicant_phone").map(str::to_string),
        id_number: get(row, "applicant_id_number").map(str::to_string),
    }];
    if let Some(name) = get(row, "respondent_name") {
        parties.push(PartyInput {
            role: PartyRole::Respondent,
            kind: PartyKind::Person,
            name: name.to_string(),
            phone: get(row, "respondent_phone").map(str::to_string),
            id_number: None,
        });
    }
    let category = cat.unwrap_or_else(|| category(&description));
    let input = NewCaseInput {
        kind: kind.unwrap_or(CaseKind::Dispute),
        channel: channel.unwrap_or(default_channel),
        category,
        description,
        region: get(row, "region").unwrap_or_default().to_string(),
        address: get(row, "address").map(str::to_string),
        amount,
        complainants: complainants.unwrap_or(1),
        complexity: complexity.unwrap_or(Complexity::General),
        level: None,
        tier: None,
        parties,
        window: None,
        petition: None,
        transfer: None,
        source: None,
        external_ref: None,
    };
    Ok(RowCase {
        input,
        registered_at,
        external_ref: get(row, "external_ref").map(str::to_string),
        past,
        lead_unit: get(row, "lead_unit").map(str::to_string),
    })
}

/// A historical case's status, outcome, end, satisfaction and note.
fn past(row: &Row, errs: &mut FieldErrors) -> Past {
    let bad = |what: &str, v: &str| format!("“{v}”不是有效的{what}");
    Past {
        status: take(
            errs,
            "status",
            get(row, "status").map(|v| {
                let v = match v {
                    "登记" | "待受理" => "registered",
                    "受理" | "办理中" => "accepted",
                    "办结" | "已结案" => "closed",
                    "撤回" => "withdrawn",
                    v => v,
                };
                enum_or_label(PastStatus::ALL, PastStatus::as_str, PastStatus::label, v)
                    .ok_or(bad("办理状态", v))
            }),
        ),
        outcome: take(
            errs,
            "outcome",
            get(row, "outcome").map(|v| {
                let v = match v {
                    "成功" | "调解成功" | "达成协议" => "resolved",
                    "引导诉讼" | "诉讼" => "litigation",
                    "引导仲裁" | "仲裁" => "arbitration",
                    v => v,
                };
                enum_or_label(PastOutcome::ALL, PastOutcome::as_str, PastOutcome::label, v)
                    .ok_or(bad("办理结果", v))
            }),
        ),
        ended_at: take(errs, "closed_at", get(row, "closed_at").map(parse_time)),
        satisfaction: take(
            errs,
            "satisfaction",
            get(row, "satisfaction").map(|v| {
                enum_or_label(
                    Satisfaction::ALL,
                    Satisfaction::as_str,
                    Satisfaction::label,
                    v,
                )
                .ok_or(bad("满意度", v))
            }),
        ),
        note: get(row, "note").map(str::to_string),
    }
}

/// A column's parsed value, or its fault recorded.
fn take<T>(
    errs: &mut FieldErrors,
    col: &'static str,
    parsed: Option<Result<T, String>>,
) -> Option<T> {
    match parsed {
        Some(Ok(v)) => Some(v),
        Some(Err(why)) => {
            errs.push(FieldError::new(col, "invalid_value", why));
            None
        }
        None => None,
    }
}

/// `2025-10-01 09:30[:00]`, `2025/10/01 09:30`, `2025-10-01` (Asia/Shanghai), or RFC 3339.
fn parse_time(v: &str) -> Result<Timestamp, String> {
    if let Ok(t) = v.parse::<Timestamp>() {
        return Ok(t);
    }
    let norm = v.replace('/', "-");
    let civil = norm
        .parse::<jiff::civil::DateTime>()
        .or_else(|_| norm.parse::<jiff::civil::Date>().map(|d| d.at(0, 0, 0, 0)))
        .map_err(|_| format!("“{v}”不是有效的时间,应为 2025-10-01 09:30"))?;
    civil
        .to_zoned(concord_domain::time::shanghai())
        .map(|z| z.timestamp())
        .map_err(|e| e.to_string())
}
