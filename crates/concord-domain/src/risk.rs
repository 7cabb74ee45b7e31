//! Escalation risk of an open case (矛盾激化风险): a score from 0 to 100 with the reasons
//! that make it up, so the command center can act before a dispute turns
//! (化解走在矛盾激化前). Each reason weighs what the reports name: many complainants, a
//! large sum, a repeat or skip-level petition, an overdue case, a category that gathers
//! crowds, and words in the description that threaten self-harm, going to Beijing or
//! gathering people.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::case::{Case, RiskLevel};

/// One reason and what it adds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RiskReason {
    pub weight: u32,
    pub text: String,
}

/// The score, the level it maps to, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RiskAssessment {
    /// 0–100.
    pub score: u32,
    pub level: RiskLevel,
    /// Heaviest first.
    pub reasons: Vec<RiskReason>,
}

/// What the case alone does not say, found by the caller (e.g. a rising category here).
#[derive(Clone, Debug, Default)]
pub struct Signals {
    /// The case's category is rising in its township (the surge detector says so).
    pub rising_here: Option<String>,
}

/// Words that threaten harm to oneself or others.
const SELF_HARM: &[&str] = &[
    "自杀",
    "跳楼",
    "喝农药",
    "服毒",
    "轻生",
    "不想活",
    "同归于尽",
    "寻死",
    "以死相逼",
    "拼命",
];
/// Words that threaten going to Beijing or a higher level.
const TO_BEIJING: &[&str] = &["进京", "去北京", "到北京", "上北京", "赴京", "中央"];
/// Words that threaten gathering people.
const GATHERING: &[&str] = &[
    "聚集",
    "拉横幅",
    "堵路",
    "围堵",
    "集体上访",
    "召集",
    "一起去闹",
    "堵门",
    "静坐",
    "闹事",
];

fn found<'a>(text: &str, words: &'a [&'a str]) -> Option<&'a str> {
    words.iter().copied().find(|w| text.contains(w))
}

/// Scores an open case at `now`.
pub fn assess(c: &Case, signals: &Signals, now: Timestamp) -> RiskAssessment {
    let mut reasons = Vec::new();
    let mut add = |weight: u32, text: String| reasons.push(RiskReason { weight, text });
    let f = &c.facts;
    match f.complainants {
        50.. => add(45, format!("{}人共同反映", f.complainants)),
        20.. => add(35, format!("{}人共同反映", f.complainants)),
        5.. => add(25, format!("{}人共同反映(群体性)", f.complainants)),
        _ => {}
    }
    match f.amount_fen.unwrap_or(0) {
        a if a >= 100_000_000 => add(25, format!("涉及金额{}万元", a / 1_000_000)),
        a if a >= 10_000_000 => add(15, format!("涉及金额{}万元", a / 1_000_000)),
        _ => {}
    }
    if c.skip_level_of.is_some() {
        add(20, "越级反映:同一事项仍在下级办理".into());
    }
    if c.repeat_of.is_some() {
        add(15, "重复反映:同一人同一事项曾经反映".into());
    }
    if c.status.is_open() && c.deadline.is_some_and(|d| d < now) {
        add(15, "已超过办理期限".into());
    }
    if f.category.stability_rank() == 3 {
        add(10, format!("{}类纠纷易引发群体事件", f.category.label()));
    }
    if let Some(why) = &signals.rising_here {
        add(15, why.clone());
    }
    let text = &f.description;
    if let Some(w) = found(text, SELF_HARM) {
        add(35, format!("描述中有自伤或伤人的言辞(“{w}”)"));
    }
    if let Some(w) = found(text, TO_BEIJING) {
        add(25, format!("描述中扬言进京或越级(“{w}”)"));
    }
    if let Some(w) = found(text, GATHERING) {
        add(25, format!("描述中扬言聚集(“{w}”)"));
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.weight));
    let score = reasons.iter().map(|r| r.weight).sum::<u32>().min(100);
    RiskAssessment {
        score,
        level: level_of(score),
        reasons,
    }
}

/// Red from 60, orange from 40, yellow from 20.
pub fn level_of(score: u32) -> RiskLevel {
    match score {
        60.. => RiskLevel::Red,
        40.. => RiskLevel::Orange,
        20.. => RiskLevel::Yellow,
        _ => RiskLevel::Low,
    }
}
