//! The center's formatted documents: what each is called, the fields a template for it
//! may use, and the template it starts with (the administrator may replace it).

/// One kind of document.
pub struct Kind {
    pub code: &'static str,
    pub title: &'static str,
    pub fields: &'static [&'static str],
    pub default: &'static str,
}

/// Fields every document has.
const COMMON: [&str; 4] = ["number", "center", "date", "region"];

macro_rules! fields {
    ($($f:literal),*) => { &["number", "center", "date", "region", $($f),*] };
}

pub const KINDS: &[Kind] = &[
    Kind {
        code: "acceptance_notice",
        title: "受理通知书",
        fields: fields!(
            "applicant",
            "respondent",
            "category",
            "description",
            "registered",
            "accepted",
            "deadline"
        ),
        default: "# 受理通知书\n= {{number}}\n| {{applicant}}：\n您于{{registered}}反映的{{category}}事项（事项编号{{number}}），经审查，符合受理条件，本中心已于{{accepted}}依法受理。\n事项简要情况：{{description}}\n本中心将依照有关规定组织调处，并于{{deadline}}前办结。办理期间您可凭事项编号和查询码查询进度。如有疑问，请与本中心联系。\n\n> {{center}}\n> {{date}}",
    },
    Kind {
        code: "rejection_notice",
        title: "不予受理告知书",
        fields: fields!(
            "applicant",
            "category",
            "description",
            "registered",
            "reason",
            "guidance"
        ),
        default: "# 不予受理告知书\n= {{number}}\n| {{applicant}}：\n您于{{registered}}反映的事项：{{description}}\n经审查，{{reason}}，本中心不予受理。\n## 建议您：\n{{guidance}}\n如对本告知有异议，可自收到之日起向本中心或上级矛盾纠纷调处化解中心提出。\n\n> {{center}}\n> {{date}}",
    },
    Kind {
        code: "transfer_form",
        title: "矛盾纠纷移交单",
        fields: fields!(
            "to_unit",
            "co_handlers",
            "category",
            "description",
            "parties",
            "registered",
            "deadline",
            "note"
        ),
        default: "# 矛盾纠纷移交单\n= {{number}}\n| {{to_unit}}：\n现将{{category}}事项一件移交你单位牵头办理，请于{{deadline}}前办结并反馈结果。\n## 当事人：\n{{parties}}\n## 事项情况：\n{{description}}\n## 协办单位：\n{{co_handlers}}\n## 备注：\n{{note}}\n\n> 移交单位：{{center}}\n> {{date}}\n| 接收人（签名）：",
    },
    Kind {
        code: "party_notice",
        title: "人民调解当事人权利义务告知书",
        fields: fields!("parties", "mediator"),
        default: "# 人民调解当事人权利义务告知书\n= {{number}}\n| 当事人：\n{{parties}}\n## 当事人在人民调解活动中享有下列权利：\n一、选择或者接受人民调解员；\n二、接受调解、拒绝调解或者要求终止调解；\n三、要求调解公开进行或者不公开进行；\n四、自主表达意愿、自愿达成调解协议。\n## 当事人在人民调解活动中履行下列义务：\n一、如实陈述纠纷事实；\n二、遵守调解现场秩序，尊重人民调解员；\n三、尊重对方当事人行使权利。\n本事项的人民调解员为{{mediator}}。\n| 当事人（签名）：\n\n> {{center}}\n> {{date}}",
    },
    Kind {
        code: "mediation_agreement",
        title: "人民调解协议书",
        fields: fields!(
            "parties",
            "facts",
            "terms",
            "mediator",
            "committee",
            "signatures"
        ),
        default: "# 人民调解协议书\n= {{number}}\n## 当事人：\n{{parties}}\n## 纠纷主要事实、争议事项：\n{{facts}}\n## 经调解，自愿达成如下协议：\n{{terms}}\n履行方式、时限见上述各项。本协议经双方当事人签名、人民调解员签名并加盖人民调解委员会印章后生效。本协议一式三份，双方当事人、人民调解委员会各执一份。\n\n| {{signatures}}\n| 人民调解员（签名）：{{mediator}}\n\n> {{committee}}（印章）\n> {{date}}",
    },
    Kind {
        code: "confirmation_application",
        title: "司法确认申请书",
        fields: fields!("court", "parties", "committee", "agreement_date", "terms"),
        default: "# 司法确认申请书\n= {{number}}\n## 申请人：\n{{parties}}\n| {{court}}：\n申请人于{{agreement_date}}经{{committee}}主持调解，达成如下调解协议：\n{{terms}}\n申请人依照《中华人民共和国人民调解法》第三十三条、《中华人民共和国民事诉讼法》有关规定，共同申请人民法院对上述调解协议予以司法确认。申请人保证出于解决纠纷的目的，所提供的材料真实，调解协议不损害国家利益、社会公共利益和他人合法权益。\n\n| 申请人（签名）：\n> {{date}}",
    },
    Kind {
        code: "referral_letter",
        title: "引导诉讼(仲裁)函",
        fields: fields!(
            "to",
            "parties",
            "category",
            "description",
            "reason",
            "history"
        ),
        default: "# 引导诉讼（仲裁）函\n= {{number}}\n| 当事人：\n{{parties}}\n你们之间的{{category}}纠纷，经本中心调处未能达成协议：{{reason}}\n现引导你们依法通过{{to}}途径解决。本中心已将事项材料一并移送，可作为{{to}}时的参考。\n## 事项情况：\n{{description}}\n## 调处经过：\n{{history}}\n\n> {{center}}\n> {{date}}",
    },
    Kind {
        code: "followup_record",
        title: "回访记录",
        fields: fields!(
            "parties",
            "closed",
            "outcome",
            "followed_up",
            "method",
            "satisfaction",
            "performance",
            "note",
            "staff"
        ),
        default: "# 矛盾纠纷调处回访记录\n= {{number}}\n## 当事人：\n{{parties}}\n| 办结时间：{{closed}}\n| 办理结果：{{outcome}}\n| 回访时间：{{followed_up}}\n| 回访方式：{{method}}\n| 满意度：{{satisfaction}}\n| 协议履行情况：{{performance}}\n## 回访情况：\n{{note}}\n\n| 回访人：{{staff}}\n> {{center}}\n> {{date}}",
    },
];

pub fn kind(code: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.code == code)
}

/// The fields every kind has, for documentation.
pub fn common_fields() -> &'static [&'static str] {
    &COMMON
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Template;

    #[test]
    fn every_default_template_uses_only_its_own_fields() {
        for k in KINDS {
            Template::parse(k.default, k.fields).unwrap_or_else(|e| panic!("{}: {e}", k.code));
            assert!(
                k.default.starts_with("# "),
                "{} starts with its title",
                k.code
            );
        }
    }
}
