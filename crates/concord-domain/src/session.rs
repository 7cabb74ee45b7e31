//! Mediation sessions: at the center (坐诊), on site (出诊), by appointment (约诊),
//! online, and joint consultations (联合会商) of several units; the calendar rule that
//! a mediator and a room hold one session at a time; and each session's record (笔录).

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::case::text;
use crate::labelled_enum;
use crate::{FieldError, FieldErrors};

labelled_enum! {
    pub enum SessionMode {
        AtCenter = ("at_center", "坐诊"),
        OnSite = ("on_site", "出诊"),
        Appointment = ("appointment", "约诊"),
        Online = ("online", "线上调解"),
        JointConsultation = ("joint_consultation", "联合会商"),
    }
}

labelled_enum! {
    /// How the parties were heard (调解方法).
    pub enum SessionMethod {
        FaceToFace = ("face_to_face", "面对面调解"),
        Separate = ("separate", "背靠背调解"),
        Roundabout = ("roundabout", "迂回调解"),
        HeartToHeart = ("heart_to_heart", "以心换心"),
        OnTheSpot = ("on_the_spot", "现场调解"),
    }
}

labelled_enum! {
    pub enum SessionStatus {
        Scheduled = ("scheduled", "已预约"),
        Held = ("held", "已举行"),
        Cancelled = ("cancelled", "已取消"),
    }
}

/// A session as asked for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    pub mode: SessionMode,
    /// `2026-11-25T09:30:00+08:00`, or `2026-11-25 09:30` in Asia/Shanghai.
    pub starts_at: String,
    /// 15 to 480.
    #[serde(default = "default_minutes")]
    pub minutes: u32,
    /// Defaults to the case's mediator.
    #[serde(default)]
    pub mediator: Option<i64>,
    /// A mediation room (an organization of kind `mediation_room`) booked for it.
    #[serde(default)]
    pub room: Option<i64>,
    /// Where, for a session on site (出诊).
    #[serde(default)]
    pub location: Option<String>,
    /// The units taking part in a joint consultation (two or more).
    #[serde(default)]
    pub units: Vec<i64>,
}

fn default_minutes() -> u32 {
    60
}

/// A session's place in the calendar, valid.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    pub mode: SessionMode,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub mediator: Option<i64>,
    pub room: Option<i64>,
    pub location: String,
    pub units: Vec<i64>,
}

/// Parses `2026-11-25T09:30:00+08:00` or `2026-11-25 09:30` (Asia/Shanghai).
pub fn parse_time(field: &str, s: &str) -> Result<Timestamp, FieldError> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Ok(t);
    }
    s.replace('/', "-")
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|d| d.to_zoned(crate::time::shanghai()).ok())
        .map(|z| z.timestamp())
        .ok_or_else(|| {
            FieldError::new(
                field,
                "invalid_time",
                format!("时间“{s}”无效,应为 2026-11-25 09:30"),
            )
        })
}

impl SessionInput {
    /// Checks the booking; `case_mediator` fills in a missing mediator.
    pub fn validate(
        self,
        case_mediator: Option<i64>,
        now: Timestamp,
    ) -> Result<Booking, FieldErrors> {
        let mut errs = FieldErrors::default();
        let starts_at = errs.take(parse_time("starts_at", &self.starts_at));
        if !(15..=480).contains(&self.minutes) {
            errs.push(FieldError::new(
                "minutes",
                "out_of_range",
                "时长应在15到480分钟之间",
            ));
        }
        if starts_at.is_some_and(|t| t < now - SignedDuration::from_hours(24)) {
            errs.push(FieldError::new(
                "starts_at",
                "in_the_past",
                "不能预约已过去的时间",
            ));
        }
        let location = errs.take(text(
            "location",
            self.location.as_deref().unwrap_or(""),
            200,
            self.mode == SessionMode::OnSite,
        ));
        let mediator = self.mediator.or(case_mediator);
        if mediator.is_none() && self.mode != SessionMode::JointConsultation {
            errs.push(FieldError::new(
                "mediator",
                "required",
                "请指定调解员(本事项尚未确定调解员)",
            ));
        }
        if self.mode == SessionMode::JointConsultation && self.units.len() < 2 {
            errs.push(FieldError::new(
                "units",
                "too_few",
                "联合会商至少需要两个单位参加",
            ));
        }
        if self.mode == SessionMode::Online && self.room.is_some() {
            errs.push(FieldError::new(
                "room",
                "not_applicable",
                "线上调解不占用调解室",
            ));
        }
        errs.into_result()?;
        let starts_at = starts_at.expect("checked");
        Ok(Booking {
            mode: self.mode,
            starts_at,
            ends_at: starts_at + SignedDuration::from_mins(i64::from(self.minutes)),
            mediator,
            room: self.room,
            location: location.unwrap_or_default(),
            units: self.units,
        })
    }
}

/// Two bookings of the same mediator or room clash when their times overlap.
pub fn overlaps(a: (Timestamp, Timestamp), b: (Timestamp, Timestamp)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// What was said and agreed at a session (笔录).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionRecord {
    /// Who took part: parties, mediators, units' people.
    pub participants: Vec<String>,
    pub method: SessionMethod,
    /// What was said.
    pub said: String,
    /// What was agreed, if anything.
    #[serde(default)]
    pub agreed: String,
    /// A joint consultation's resulting opinion (联合调处意见).
    #[serde(default)]
    pub opinion: String,
    /// The next appointment, if one was made.
    #[serde(default)]
    pub next_appointment: Option<String>,
}

impl SessionRecord {
    pub fn validate(mut self, mode: SessionMode) -> Result<SessionRecord, FieldErrors> {
        let mut errs = FieldErrors::default();
        if self.participants.is_empty() || self.participants.len() > 50 {
            errs.push(FieldError::new(
                "participants",
                "required",
                "请列出参加人员(1到50人)",
            ));
        }
        for (i, p) in self.participants.iter_mut().enumerate() {
            if let Some(t) = errs.take(text(&format!("participants[{i}]"), p, 100, true)) {
                *p = t;
            }
        }
        if let Some(t) = errs.take(text("said", &self.said, 20_000, true)) {
            self.said = t;
        }
        if let Some(t) = errs.take(text("agreed", &self.agreed, 10_000, false)) {
            self.agreed = t;
        }
        let need_opinion = mode == SessionMode::JointConsultation;
        if let Some(t) = errs.take(text("opinion", &self.opinion, 10_000, need_opinion)) {
            self.opinion = t;
        }
        if let Some(n) = &self.next_appointment {
            errs.take(parse_time("next_appointment", n));
        }
        errs.into_result().map(|_| self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(mode: SessionMode, starts_at: &str) -> SessionInput {
        SessionInput {
            mode,
            starts_at: starts_at.into(),
            minutes: 90,
            mediator: None,
            room: Some(3),
            location: None,
            units: vec![],
        }
    }

    #[test]
    fn a_booking_is_checked_and_placed_in_time() {
        let now: Timestamp = "2026-11-24T00:00:00Z".parse().unwrap();
        let b = input(SessionMode::AtCenter, "2026-11-25 09:30")
            .validate(Some(7), now)
            .unwrap();
        assert_eq!(b.starts_at.to_string(), "2026-11-25T01:30:00Z");
        assert_eq!(
            b.ends_at.duration_since(b.starts_at),
            SignedDuration::from_mins(90)
        );
        assert_eq!(b.mediator, Some(7));
        let e = input(SessionMode::OnSite, "2026-11-25 09:30")
            .validate(None, now)
            .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["location", "mediator"]);
        let e = input(SessionMode::JointConsultation, "明天")
            .validate(None, now)
            .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["starts_at", "units"]);
    }

    #[test]
    fn touching_sessions_do_not_clash_overlapping_ones_do() {
        let t = |h: i64| Timestamp::from_second(h * 3600).unwrap();
        assert!(!overlaps((t(9), t(10)), (t(10), t(11))));
        assert!(overlaps((t(9), t(11)), (t(10), t(12))));
        assert!(overlaps((t(9), t(12)), (t(10), t(11))));
    }
}
