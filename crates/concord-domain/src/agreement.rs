//! The mediation agreement (调解协议书): the facts, the terms each with its performance
//! date, the text the parties sign — and the rules of signing: each party once, and
//! only the very text in force (a change after someone signed voids nothing silently:
//! the text's hash no longer matches, and signing is refused).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::parse_date;
use crate::case::{Party, text};
use crate::labelled_enum;
use crate::{FieldError, FieldErrors};

/// One obligation the parties agreed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// e.g. 被申请人李某于2026年12月31日前一次性支付申请人修缮费5000元。
    pub text: String,
    /// When it must be performed (YYYY-MM-DD).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub due: Option<Date>,
    /// Yuan, if it is a payment.
    #[serde(default)]
    pub amount: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    /// 纠纷事实:what happened, as both sides accept it.
    pub facts: String,
    pub terms: Vec<TermInput>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermInput {
    pub text: String,
    #[serde(default)]
    pub due: Option<String>,
    #[serde(default)]
    pub amount: Option<f64>,
}

/// An agreement's content, valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementText {
    pub facts: String,
    pub terms: Vec<Term>,
}

pub const MAX_TERMS: usize = 50;

impl AgreementInput {
    pub fn validate(self) -> Result<AgreementText, FieldErrors> {
        let mut errs = FieldErrors::default();
        let facts = errs.take(text("facts", &self.facts, 10_000, true));
        if self.terms.is_empty() {
            errs.push(FieldError::new(
                "terms",
                "required",
                "调解协议至少要有一项协议内容",
            ));
        }
        if self.terms.len() > MAX_TERMS {
            errs.push(FieldError::new(
                "terms",
                "too_many",
                format!("协议内容不能超过{MAX_TERMS}项"),
            ));
        }
        let mut terms = Vec::new();
        for (i, t) in self.terms.into_iter().enumerate() {
            let at = |f: &str| format!("terms[{i}].{f}");
            let body = errs.take(text(&at("text"), &t.text, 2_000, true));
            let due = t
                .due
                .filter(|d| !d.trim().is_empty())
                .and_then(|d| errs.take(parse_date(&at("due"), &d)));
            if t.amount
                .is_some_and(|a| !a.is_finite() || !(0.0..=1e12).contains(&a))
            {
                errs.push(FieldError::new(
                    at("amount"),
                    "out_of_range",
                    "金额应在0到1万亿元之间",
                ));
            }
            if let Some(body) = body {
                terms.push(Term {
                    text: body,
                    due,
                    amount: t.amount,
                });
            }
        }
        errs.into_result()?;
        Ok(AgreementText {
            facts: facts.expect("checked"),
            terms,
        })
    }
}

/// The text the parties sign: who they are, the facts, the numbered terms. Its hash is
/// what a signature binds to.
pub fn signed_text(case_number: &str, parties: &[Party], a: &AgreementText) -> String {
    let mut out = format!("调解协议书 {case_number}\n当事人：\n");
    for p in parties {
        out.push_str(&format!("{}：{}\n", p.role.label(), p.name));
    }
    out.push_str(&format!("纠纷事实：\n{}\n协议内容：\n", a.facts));
    for (i, t) in a.terms.iter().enumerate() {
        out.push_str(&format!("{}. {}", i + 1, t.text));
        // The sum is part of what the parties sign, not only a field beside it.
        if let Some(a) = t.amount {
            out.push_str(&format!("（金额：{}元）", yuan(a)));
        }
        if let Some(d) = t.due {
            out.push_str(&format!("（履行期限：{d}）"));
        }
        out.push('\n');
    }
    out
}

/// An amount as written in an agreement: no decimals when whole.
fn yuan(a: f64) -> String {
    if a.fract() == 0.0 {
        format!("{a:.0}")
    } else {
        format!("{a:.2}")
    }
}

labelled_enum! {
    /// How a party signed.
    pub enum SignMethod {
        InPerson = ("in_person", "现场签字"),
        Online = ("online", "在线签名"),
    }
}

/// Why a signature is refused, if it is.
pub fn refuse_signature(
    party: usize,
    parties: usize,
    already_signed: &[usize],
    shown_hash: &str,
    current_hash: &str,
) -> Option<FieldError> {
    if party >= parties {
        return Some(FieldError::new(
            "party",
            "unknown_reference",
            format!("没有第{}位当事人", party + 1),
        ));
    }
    if already_signed.contains(&party) {
        return Some(FieldError::new(
            "party",
            "already_signed",
            "该当事人已签署,不能重复签署",
        ));
    }
    if shown_hash != current_hash {
        return Some(FieldError::new(
            "text_hash",
            "text_changed",
            "协议内容已修改,请阅读最新文本后再签署",
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_agreement_needs_facts_and_terms_and_valid_dates() {
        let e = AgreementInput {
            facts: " ".into(),
            terms: vec![],
        }
        .validate()
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["facts", "terms"]);
        let bad = AgreementInput {
            facts: "邻居建房致墙面开裂".into(),
            terms: vec![TermInput {
                text: "赔偿5000元".into(),
                due: Some("2026-02-30".into()),
                amount: Some(5000.0),
            }],
        };
        assert_eq!(bad.validate().unwrap_err().0[0].field, "terms[0].due");
    }

    #[test]
    fn the_signed_text_states_each_sum_and_date() {
        let text = AgreementInput {
            facts: "邻居建房致墙面开裂".into(),
            terms: vec![
                TermInput {
                    text: "赔偿修缮费".into(),
                    due: Some("2026-12-31".into()),
                    amount: Some(5000.0),
                },
                TermInput {
                    text: "分担鉴定费".into(),
                    due: None,
                    amount: Some(312.5),
                },
            ],
        }
        .validate()
        .unwrap();
        let s = signed_text("331125-2026-00001", &[], &text);
        assert!(
            s.contains("1. 赔偿修缮费（金额：5000元）（履行期限：2026-12-31）"),
            "{s}"
        );
        assert!(s.contains("2. 分担鉴定费（金额：312.50元）"), "{s}");
    }

    #[test]
    fn a_party_signs_once_and_only_the_text_in_force() {
        assert!(refuse_signature(0, 2, &[], "h", "h").is_none());
        assert_eq!(
            refuse_signature(0, 2, &[0], "h", "h").unwrap().code,
            "already_signed"
        );
        assert_eq!(
            refuse_signature(1, 2, &[0], "old", "new").unwrap().code,
            "text_changed"
        );
        assert_eq!(
            refuse_signature(2, 2, &[], "h", "h").unwrap().code,
            "unknown_reference"
        );
    }
}
