//! Alerts and early warnings (预警) for the command center: what kind, how serious.

use crate::labelled_enum;

labelled_enum! {
    /// How serious: red must be acted on at once.
    pub enum AlertLevel {
        Red = ("red", "红色"),
        Orange = ("orange", "橙色"),
        Yellow = ("yellow", "黄色"),
    }
}

labelled_enum! {
    /// A mass case (five or more complainants, registered or formed by merging); a
    /// petition to a higher level while a lower one still handles the matter; the same
    /// person petitioning again about the same matter; a unit whose dissatisfied
    /// follow-ups this half-year reached 3 (an interview, 约谈) or 5 (not advanced); a
    /// case moved to a category of lower stability risk (with who, and why); a case whose
    /// escalation risk scores red on registration (with the reasons); a category rising
    /// in a township far above its own history (see `surge`).
    pub enum AlertKind {
        MassCase = ("mass_case", "群体性纠纷"),
        SkipLevel = ("skip_level", "越级访"),
        RepeatPetition = ("repeat_petition", "重复访"),
        Accountability = ("accountability", "问责预警"),
        Downgrade = ("downgrade", "调低风险类别"),
        HighRisk = ("high_risk", "高风险预警"),
        Surge = ("surge", "异常增多"),
    }
}

/// How serious a mass case is by its size.
pub fn mass_case_level(complainants: u32) -> AlertLevel {
    match complainants {
        50.. => AlertLevel::Red,
        20.. => AlertLevel::Orange,
        _ => AlertLevel::Yellow,
    }
}
