//! Open311 GeoReport v2 seen from the dispute side: the categories as services, the
//! extra questions a dispute asks (service attributes), a posted request read and checked
//! field by field, and where a case stands said in the spec's `open`/`closed` with notes.

use std::collections::BTreeMap;

use crate::case::{CaseKind, Channel, Status};
use crate::category::Category;
use crate::{FieldError, FieldErrors};

/// The service groups a client shows the categories under.
pub fn group(c: Category) -> &'static str {
    use Category::*;
    match c {
        MarriageFamily | Neighbor => "婚姻家庭邻里",
        HousingHomestead | LandForest | LandRequisition => "土地房屋",
        Labor | Consumer | ContractDebt => "劳动经济",
        Medical | Traffic | TortDamage => "人身损害",
        PropertyMgmt | Environment => "物业环境",
        Other => "其他",
    }
}

/// The channels an integrating system's cases may count under: the ways a dispute
/// reaches a center through another system (not the window, nor a transfer with its form).
pub const KEY_CHANNELS: &[Channel] = &[
    Channel::Hotline,
    Channel::Online,
    Channel::QrCode,
    Channel::GridWorker,
    Channel::PetitionLetter,
];

/// One extra question (a service attribute).
#[derive(Debug, Clone, Copy)]
pub struct Attribute {
    pub code: &'static str,
    /// string, number, text, singlevaluelist (the spec's datatypes).
    pub datatype: &'static str,
    pub required: bool,
    pub description: &'static str,
    pub datatype_description: &'static str,
    /// (key, name) for list types.
    pub values: &'static [(&'static str, &'static str)],
}

/// The questions every dispute asks, in order.
pub const ATTRIBUTES: &[Attribute] = &[
    Attribute {
        code: "work_order_no",
        datatype: "string",
        required: false,
        description: "来源系统的工单编号(同一编号不会重复登记)",
        datatype_description: "例如 12345 热线工单号",
        values: &[],
    },
    Attribute {
        code: "complainants",
        datatype: "number",
        required: false,
        description: "反映人数",
        datatype_description: "正整数,默认 1;5 人以上为群体性纠纷",
        values: &[],
    },
    Attribute {
        code: "amount",
        datatype: "number",
        required: false,
        description: "涉及金额(元)",
        datatype_description: "不小于 0 的数",
        values: &[],
    },
    Attribute {
        code: "respondent_name",
        datatype: "string",
        required: false,
        description: "对方当事人姓名或单位名称",
        datatype_description: "",
        values: &[],
    },
    Attribute {
        code: "respondent_phone",
        datatype: "string",
        required: false,
        description: "对方当事人电话",
        datatype_description: "11 位手机号或带区号的固定电话",
        values: &[],
    },
    Attribute {
        code: "kind",
        datatype: "singlevaluelist",
        required: false,
        description: "事项类型",
        datatype_description: "",
        values: &[("dispute", "矛盾纠纷"), ("petition", "信访事项")],
    },
];

/// A posted service request, read from its form fields and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestInput {
    pub jurisdiction_id: Option<String>,
    pub service_code: Category,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: String,
    pub media_url: Option<String>,
    pub attributes: BTreeMap<String, String>,
    /// Read from the attributes.
    pub work_order_no: Option<String>,
    pub complainants: u32,
    pub amount: Option<f64>,
    pub respondent_name: Option<String>,
    pub respondent_phone: Option<String>,
    pub kind: CaseKind,
}

/// The longest description the spec allows.
pub const MAX_DESCRIPTION: usize = 4000;

impl RequestInput {
    /// Reads the form fields of `POST requests` (`attribute[code]=value` for attributes;
    /// `api_key` is the caller's business). Names every field at fault.
    pub fn parse(fields: &[(String, String)]) -> Result<Self, FieldErrors> {
        let mut errs = FieldErrors::default();
        let mut r = RequestInput {
            jurisdiction_id: None,
            service_code: Category::Other,
            lat: None,
            long: None,
            address_string: None,
            address_id: None,
            email: None,
            device_id: None,
            account_id: None,
            first_name: None,
            last_name: None,
            phone: None,
            description: String::new(),
            media_url: None,
            attributes: BTreeMap::new(),
            work_order_no: None,
            complainants: 1,
            amount: None,
            respondent_name: None,
            respondent_phone: None,
            kind: CaseKind::Dispute,
        };
        let mut service = None;
        for (name, value) in fields {
            let v = value.trim();
            let opt = || (!v.is_empty()).then(|| v.to_string());
            match name.as_str() {
                "service_code" => service = Some(v.to_string()),
                "jurisdiction_id" => r.jurisdiction_id = opt(),
                "lat" => r.lat = opt(),
                "long" => r.long = opt(),
                "address_string" => r.address_string = opt(),
                "address_id" => r.address_id = opt(),
                "email" => r.email = opt(),
                "device_id" => r.device_id = opt(),
                "account_id" => r.account_id = opt(),
                "first_name" => r.first_name = opt(),
                "last_name" => r.last_name = opt(),
                "phone" => r.phone = opt(),
                "description" => r.description = v.to_string(),
                "media_url" => r.media_url = opt(),
                "api_key" => {}
                other => match attribute_code(other) {
                    Some(code) => {
                        r.attributes.insert(code.to_string(), v.to_string());
                    }
                    None => errs.push(FieldError::new(
                        other,
                        "unknown_field",
                        "不是 Open311 服务请求的字段",
                    )),
                },
            }
        }
        match service.as_deref() {
            None | Some("") => errs.push(FieldError::new(
                "service_code",
                "required",
                "请给出服务代码(纠纷类别)",
            )),
            Some(code) => {
                if let Some(c) = errs.take(Category::parse("service_code", code)) {
                    r.service_code = c;
                }
            }
        }
        r.check_location(&mut errs);
        r.check_text(&mut errs);
        r.read_attributes(&mut errs);
        errs.into_result().map(|()| r)
    }

    /// The spec asks for a location: lat and long together, an address, or an address id.
    fn check_location(&self, errs: &mut FieldErrors) {
        let coord = |field: &str, v: &Option<String>, limit: f64| {
            v.as_deref().map(|s| match s.parse::<f64>() {
                Ok(x) if x.is_finite() && x.abs() <= limit => Ok(()),
                _ => Err(FieldError::new(
                    field,
                    "invalid_value",
                    format!("“{s}”不是有效的坐标(绝对值不超过 {limit})"),
                )),
            })
        };
        for e in [
            coord("lat", &self.lat, 90.0),
            coord("long", &self.long, 180.0),
        ]
        .into_iter()
        .flatten()
        .filter_map(Result::err)
        {
            errs.push(e);
        }
        if self.lat.is_some() != self.long.is_some() {
            errs.push(FieldError::new(
                if self.lat.is_some() { "long" } else { "lat" },
                "required",
                "经纬度须同时给出",
            ));
        }
        if self.lat.is_none() && self.address_string.is_none() && self.address_id.is_none() {
            errs.push(FieldError::new(
                "address_string",
                "required",
                "请给出地点:lat 与 long、address_string 或 address_id 之一",
            ));
        }
    }

    fn check_text(&self, errs: &mut FieldErrors) {
        let n = self.description.chars().count();
        if n == 0 {
            errs.push(FieldError::new(
                "description",
                "required",
                "请描述纠纷的经过和诉求",
            ));
        } else if n > MAX_DESCRIPTION {
            errs.push(FieldError::new(
                "description",
                "too_long",
                format!("描述最多 {MAX_DESCRIPTION} 字,现有 {n} 字"),
            ));
        }
        if let Some(m) = &self.media_url
            && !(m.starts_with("http://") || m.starts_with("https://"))
        {
            errs.push(FieldError::new(
                "media_url",
                "invalid_value",
                "media_url 应以 http:// 或 https:// 开头",
            ));
        }
        if let Some(e) = &self.email
            && !e.contains('@')
        {
            errs.push(FieldError::new(
                "email",
                "invalid_value",
                format!("“{e}”不是电子邮件地址"),
            ));
        }
    }

    fn read_attributes(&mut self, errs: &mut FieldErrors) {
        for (code, v) in &self.attributes {
            let field = format!("attribute[{code}]");
            let Some(def) = ATTRIBUTES.iter().find(|a| a.code == code) else {
                errs.push(FieldError::new(
                    field,
                    "unknown_attribute",
                    "该服务没有这一属性(见服务定义)",
                ));
                continue;
            };
            let v = v.as_str();
            if v.is_empty() {
                continue;
            }
            match def.code {
                "work_order_no" => self.work_order_no = Some(v.to_string()),
                "complainants" => match v.parse::<u32>() {
                    Ok(n) if n >= 1 => self.complainants = n,
                    _ => errs.push(FieldError::new(
                        field,
                        "invalid_value",
                        "反映人数应为正整数",
                    )),
                },
                "amount" => match v.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => self.amount = Some(x),
                    _ => errs.push(FieldError::new(
                        field,
                        "invalid_value",
                        "金额应为不小于 0 的数",
                    )),
                },
                "respondent_name" => self.respondent_name = Some(v.to_string()),
                "respondent_phone" => self.respondent_phone = Some(v.to_string()),
                "kind" => match v {
                    "dispute" => self.kind = CaseKind::Dispute,
                    "petition" => self.kind = CaseKind::Petition,
                    _ => errs.push(FieldError::new(
                        field,
                        "invalid_value",
                        "可选:dispute(矛盾纠纷)、petition(信访事项)",
                    )),
                },
                _ => unreachable!("every attribute is read above"),
            }
        }
    }

    /// The applicant's name as the caller gave it, or a placeholder the clerk corrects.
    pub fn applicant_name(&self) -> String {
        let name = format!(
            "{}{}",
            self.last_name.as_deref().unwrap_or(""),
            self.first_name.as_deref().unwrap_or("")
        );
        if name.trim().is_empty() {
            "来电人(未留姓名)".into()
        } else {
            name
        }
    }
}

/// `attribute[code]` → `code`.
fn attribute_code(field: &str) -> Option<&str> {
    field.strip_prefix("attribute[")?.strip_suffix(']')
}

/// The spec's two statuses.
pub fn is_open(status: Status) -> bool {
    !matches!(
        status,
        Status::Rejected
            | Status::Closed
            | Status::FollowedUp
            | Status::Archived
            | Status::Withdrawn
            | Status::Merged
            | Status::Referred
    )
}

/// Where the case stands, in words for whoever filed it.
pub fn status_notes(status: Status, lead_unit: Option<&str>) -> String {
    let unit = lead_unit.unwrap_or("承办单位");
    match status {
        Status::Registered => "已登记,等待受理".into(),
        Status::Accepted => "已受理,正在分流交办".into(),
        Status::Rejected => "不予受理".into(),
        Status::Assigned => format!("已交办{unit}"),
        Status::InMediation => format!("{unit}调解中"),
        Status::Agreed => "已达成调解协议".into(),
        Status::Failed => "调解未成,正在研究下一步".into(),
        Status::Escalated => "已升级,等待上级交办".into(),
        Status::Referred => "已引导诉讼或仲裁".into(),
        Status::Confirming => "调解协议正在申请司法确认".into(),
        Status::Closed => "已办结".into(),
        Status::FollowedUp => "已办结并回访".into(),
        Status::Archived => "已办结归档".into(),
        Status::Withdrawn => "申请人已撤回".into(),
        Status::Merged => "已与同一事项合并办理".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_full_request_reads_its_attributes() {
        let r = RequestInput::parse(&fields(&[
            ("service_code", "labor"),
            ("lat", "28.45"),
            ("long", "119.91"),
            ("description", "工地拖欠工资三个月"),
            ("first_name", "建国"),
            ("last_name", "王"),
            ("attribute[complainants]", "12"),
            ("attribute[amount]", "86000"),
            ("attribute[work_order_no]", "GD-1"),
            ("attribute[kind]", "petition"),
        ]))
        .unwrap();
        assert_eq!(r.service_code, Category::Labor);
        assert_eq!(r.complainants, 12);
        assert_eq!(r.amount, Some(86000.0));
        assert_eq!(r.work_order_no.as_deref(), Some("GD-1"));
        assert_eq!(r.kind, CaseKind::Petition);
        assert_eq!(r.applicant_name(), "王建国");
    }

    #[test]
    fn every_fault_is_named_by_its_field() {
        let e = RequestInput::parse(&fields(&[
            ("service_code", "gossip"),
            ("lat", "95"),
            ("attribute[complainants]", "-3"),
            ("attribute[colour]", "red"),
            ("media_url", "ftp://x"),
            ("nonsense", "1"),
        ]))
        .unwrap_err();
        let named: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        for f in [
            "service_code",
            "lat",
            "long",
            "description",
            "attribute[complainants]",
            "attribute[colour]",
            "media_url",
            "nonsense",
        ] {
            assert!(named.contains(&f), "{f} not named in {named:?}");
        }
    }

    #[test]
    fn a_request_needs_somewhere() {
        let e = RequestInput::parse(&fields(&[
            ("service_code", "neighbor"),
            ("description", "噪音"),
        ]))
        .unwrap_err();
        assert_eq!(e.0[0].field, "address_string");
        let ok = RequestInput::parse(&fields(&[
            ("service_code", "neighbor"),
            ("description", "噪音"),
            ("address_id", "331125003002"),
        ]));
        assert!(ok.is_ok());
    }

    #[test]
    fn only_finished_cases_are_closed() {
        assert!(is_open(Status::InMediation));
        assert!(!is_open(Status::Closed));
        assert_eq!(
            status_notes(Status::Assigned, Some("城关镇人民调解委员会")),
            "已交办城关镇人民调解委员会"
        );
    }
}
