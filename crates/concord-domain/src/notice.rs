//! Notifications (通知): who is told what, when a case moves or a date comes near.
//! Parties hear by SMS of acceptance, assignment, a session booked and an agreement to
//! sign; staff hear by e-mail of work assigned to them, sessions, deadlines near or past,
//! and follow-ups due. The texts are here; storage decides when, senders how.

use crate::action::ActionKind;
use crate::case::{Case, PartyRole};
use crate::labelled_enum;

labelled_enum! {
    pub enum NoticeKind {
        Accepted = ("accepted", "受理通知"),
        Assigned = ("assigned", "交办通知"),
        SessionScheduled = ("session_scheduled", "调解预约"),
        AgreementReady = ("agreement_ready", "协议待签"),
        NearDeadline = ("near_deadline", "临近办理期限"),
        Overdue = ("overdue", "已超期"),
        FollowUpDue = ("follow_up_due", "待回访"),
    }
}

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A party, by ordinal: SMS to their phone.
    Party(usize),
    /// A staff user: e-mail.
    Staff(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub to: Audience,
    pub subject: String,
    pub text: String,
}

/// What the texts need beyond the case.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub lead_unit: Option<String>,
    pub mediator_name: Option<String>,
    /// The users who work the case: its mediator's account, the lead unit's staff.
    pub handlers: Vec<i64>,
    /// The deadline's last day, e.g. 2026-12-02.
    pub deadline_day: Option<String>,
    /// A booked session: when (local, readable) and how.
    pub session: Option<(String, String)>,
}

/// The signature every SMS starts with.
const SIGN: &str = "【矛盾纠纷调处化解中心】";

/// What the parties and staff are told after an event.
pub fn after_event(action: ActionKind, c: &Case, ctx: &Context) -> Vec<Notice> {
    let n = &c.number;
    let unit = ctx.lead_unit.as_deref().unwrap_or("承办单位");
    let mut out = Vec::new();
    let mut parties = |kind: NoticeKind, roles: &[PartyRole], text: String| {
        for (i, p) in c.facts.parties.iter().enumerate() {
            if roles.contains(&p.role) {
                out.push(Notice {
                    kind,
                    to: Audience::Party(i),
                    subject: format!("{}{n}", kind.label()),
                    text: format!("{SIGN}{}:{text}", p.name),
                });
            }
        }
    };
    let both = [PartyRole::Applicant, PartyRole::Respondent];
    match action {
        ActionKind::Accept => {
            let by = ctx
                .deadline_day
                .as_deref()
                .map_or(String::new(), |d| format!(",将于{d}前办结"));
            parties(
                NoticeKind::Accepted,
                &[PartyRole::Applicant],
                format!("您反映的事项{n}已受理{by}。可凭事项编号和查询码查看进度。"),
            );
        }
        ActionKind::Assign => {
            let who = ctx
                .mediator_name
                .as_deref()
                .map_or(String::new(), |m| format!(",调解员{m}"));
            parties(
                NoticeKind::Assigned,
                &[PartyRole::Applicant],
                format!("您的事项{n}已交由{unit}办理{who}。"),
            );
        }
        ActionKind::ScheduleSession => {
            if let Some((at, how)) = &ctx.session {
                parties(
                    NoticeKind::SessionScheduled,
                    &both,
                    format!("事项{n}定于{at}进行调解({how}),请准时参加。"),
                );
            }
        }
        ActionKind::DraftAgreement => parties(
            NoticeKind::AgreementReady,
            &both,
            format!("事项{n}的调解协议已拟好,请到中心签署,或凭调解员给您的参与码在线阅读并签名。"),
        ),
        _ => {}
    }
    out.extend(staff_after_event(action, c, ctx));
    out
}

fn staff_after_event(action: ActionKind, c: &Case, ctx: &Context) -> Vec<Notice> {
    let n = &c.number;
    let (kind, subject, text) = match action {
        ActionKind::Assign => (
            NoticeKind::Assigned,
            format!("新交办事项{n}"),
            format!(
                "{}({})已交办{},办理期限至{}。",
                n,
                c.facts.category.label(),
                ctx.lead_unit.as_deref().unwrap_or("你单位"),
                ctx.deadline_day.as_deref().unwrap_or("受理后确定")
            ),
        ),
        ActionKind::ScheduleSession => match &ctx.session {
            Some((at, how)) => (
                NoticeKind::SessionScheduled,
                format!("调解预约 {n} {at}"),
                format!("事项{n}定于{at}{how},请做好准备。"),
            ),
            None => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    to_staff(kind, &ctx.handlers, &subject, &text)
}

/// A deadline near or passed, for those working the case.
pub fn about_deadline(kind: NoticeKind, c: &Case, ctx: &Context) -> Vec<Notice> {
    let n = &c.number;
    let day = ctx.deadline_day.as_deref().unwrap_or("");
    let (subject, text) = match kind {
        NoticeKind::Overdue => (
            format!("已超期:{n}"),
            format!(
                "事项{n}({})已超过办理期限{day},请尽快办结或申请延期。",
                c.facts.category.label()
            ),
        ),
        _ => (
            format!("临近期限:{n}"),
            format!(
                "事项{n}({})的办理期限为{day},已用去八成时间。",
                c.facts.category.label()
            ),
        ),
    };
    to_staff(kind, &ctx.handlers, &subject, &text)
}

/// A closed case whose follow-up call falls due, for the follow-up staff.
pub fn follow_up_due(c: &Case, staff: &[i64], due_day: &str) -> Vec<Notice> {
    let n = &c.number;
    to_staff(
        NoticeKind::FollowUpDue,
        staff,
        &format!("待回访:{n}"),
        &format!("事项{n}已办结,请于{due_day}前完成回访(满意度与协议履行)。"),
    )
}

fn to_staff(kind: NoticeKind, users: &[i64], subject: &str, text: &str) -> Vec<Notice> {
    let mut seen = Vec::new();
    users
        .iter()
        .filter(|u| {
            let first = !seen.contains(*u);
            seen.push(**u);
            first
        })
        .map(|&u| Notice {
            kind,
            to: Audience::Staff(u),
            subject: subject.to_string(),
            text: text.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::NewCaseInput;

    fn case() -> Case {
        let input: NewCaseInput = serde_json::from_value(serde_json::json!({
            "kind": "dispute", "channel": "window", "category": "neighbor",
            "description": "邻居漏水", "region": "331125003002",
            "parties": [{"role": "applicant", "name": "王某"}, {"role": "respondent", "name": "李某"},
                        {"role": "agent", "name": "张律师"}]
        }))
        .unwrap();
        let cal = crate::calendar::WorkCalendar::builtin();
        let ctx = crate::lifecycle::Context {
            now: "2026-06-01T10:00:00+08:00".parse().unwrap(),
            calendar: &cal,
            routing: None,
        };
        crate::lifecycle::register(input.validate().unwrap(), "331125-2026-00001".into(), &ctx).0
    }

    #[test]
    fn acceptance_tells_the_applicant_and_a_session_tells_both_sides_and_its_mediator() {
        let c = case();
        let ctx = Context {
            deadline_day: Some("2026-12-02".into()),
            handlers: vec![7, 7, 9],
            session: Some(("2030年03月04日 09:00".into(), "坐诊".into())),
            ..Default::default()
        };
        let accepted = after_event(ActionKind::Accept, &c, &ctx);
        assert_eq!(accepted.len(), 1);
        assert_eq!(accepted[0].to, Audience::Party(0));
        assert!(accepted[0].text.contains("将于2026-12-02前办结"));
        let booked = after_event(ActionKind::ScheduleSession, &c, &ctx);
        let to: Vec<Audience> = booked.iter().map(|n| n.to).collect();
        assert_eq!(
            to,
            [
                Audience::Party(0),
                Audience::Party(1),
                Audience::Staff(7),
                Audience::Staff(9)
            ],
            "both sides, not the agent; each handler once"
        );
        assert!(after_event(ActionKind::Reclassify, &c, &ctx).is_empty());
    }
}
