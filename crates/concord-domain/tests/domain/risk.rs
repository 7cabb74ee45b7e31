//! The escalation risk score: each reason adds what it says, the level follows the score,
//! and a quiet case stays low.

use concord_domain::calendar::WorkCalendar;
use concord_domain::case::{Case, CaseKind, RiskLevel};
use concord_domain::category::Category;
use concord_domain::lifecycle::{ActionKind, Context, apply, register};
use concord_domain::risk::{Signals, assess, level_of};
use jiff::{Span, Timestamp};

use crate::lifecycle::{new_case, sample};

fn now() -> Timestamp {
    "2026-06-01T10:00:00+08:00".parse().unwrap()
}

fn case(edit: impl FnOnce(&mut concord_domain::case::NewCase)) -> Case {
    let cal = WorkCalendar::builtin();
    let mut facts = new_case(CaseKind::Dispute);
    edit(&mut facts);
    let ctx = Context {
        now: now(),
        calendar: &cal,
        routing: None,
    };
    register(facts, "n".into(), &ctx).0
}

#[test]
fn a_quiet_neighbour_dispute_is_low_risk() {
    let a = assess(&case(|_| {}), &Signals::default(), now());
    assert_eq!((a.score, a.level), (0, RiskLevel::Low));
    assert!(a.reasons.is_empty());
}

#[test]
fn threats_of_self_harm_beijing_and_gathering_are_each_named() {
    let c = case(|f| f.description = "再不解决我就喝农药,还要带人去北京,到政府门口拉横幅".into());
    let a = assess(&c, &Signals::default(), now());
    let texts: Vec<&str> = a.reasons.iter().map(|r| r.text.as_str()).collect();
    assert!(texts[0].contains("喝农药"), "heaviest first: {texts:?}");
    assert!(texts.iter().any(|t| t.contains("去北京")));
    assert!(texts.iter().any(|t| t.contains("拉横幅")));
    assert_eq!(a.score, 35 + 25 + 25);
    assert_eq!(a.level, RiskLevel::Red);
}

#[test]
fn many_complainants_a_large_sum_and_a_crowd_prone_category_add_up() {
    let c = case(|f| {
        f.complainants = 30;
        f.amount_fen = Some(200_000_000);
        f.category = Category::Labor;
    });
    let a = assess(&c, &Signals::default(), now());
    assert_eq!(a.score, 35 + 25 + 10, "{:?}", a.reasons);
    assert_eq!(a.level, RiskLevel::Red);
    let c = case(|f| f.complainants = 6);
    assert_eq!(
        assess(&c, &Signals::default(), now()).level,
        RiskLevel::Yellow
    );
}

#[test]
fn an_overdue_case_and_a_rising_category_here_count() {
    let cal = WorkCalendar::builtin();
    let c = case(|_| {});
    let ctx = Context {
        now: now(),
        calendar: &cal,
        routing: None,
    };
    let c = apply(&c, sample(ActionKind::Accept, 0), &ctx).unwrap().0;
    let late = c.deadline.unwrap() + Span::new().hours(24);
    let signals = Signals {
        rising_here: Some("本镇邻里纠纷本周明显增多".into()),
    };
    let a = assess(&c, &signals, late);
    assert_eq!(a.score, 15 + 15, "{:?}", a.reasons);
    assert_eq!(a.level, RiskLevel::Yellow);
    assert_eq!(
        assess(&c, &Signals::default(), now()).score,
        0,
        "not yet overdue"
    );
}

#[test]
fn the_level_follows_the_score() {
    assert_eq!(level_of(19), RiskLevel::Low);
    assert_eq!(level_of(20), RiskLevel::Yellow);
    assert_eq!(level_of(40), RiskLevel::Orange);
    assert_eq!(level_of(60), RiskLevel::Red);
    assert_eq!(level_of(100), RiskLevel::Red);
}
