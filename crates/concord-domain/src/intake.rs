//! What a case's channel adds to it: the window it was registered at, a petition's
//! particulars (who came, how many, to which level), a transfer form (移交单), and the
//! reference of a work order imported from elsewhere (a 12345 hotline).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::case::{CaseKind, Channel, text};
use crate::labelled_enum;
use crate::{FieldError, FieldErrors};

labelled_enum! {
    /// The four windows of a center's one-stop service area (一窗受理).
    pub enum Window {
        DisputeResolution = ("dispute_resolution", "矛盾纠纷化解"),
        LegalAid = ("legal_aid", "法律援助"),
        LegalConsultation = ("legal_consultation", "法律咨询"),
        PsychService = ("psych_service", "社会心理服务"),
    }
}

labelled_enum! {
    /// The level a petitioner went to (信访层级); above the county is what the
    /// figures call petitions "to the city or higher".
    pub enum VisitLevel {
        Village = ("village", "村(社区)"),
        Township = ("township", "乡镇(街道)"),
        County = ("county", "县(区)"),
        City = ("city", "市"),
        Province = ("province", "省"),
        Central = ("central", "进京"),
    }
}

/// A petition's particulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PetitionInfo {
    /// How many came, or signed the letter (来访人数).
    pub visitors: u32,
    /// Who came: the names of those who spoke for them.
    #[serde(default)]
    pub representatives: Vec<String>,
    /// The level they went to.
    pub visited_level: VisitLevel,
}

/// The transfer form a case came with from another unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferInfo {
    /// The unit that transferred it, e.g. 云和县信访局.
    pub from_unit: String,
    /// The transfer form's number (移交单编号).
    pub form_number: String,
    #[serde(default)]
    pub note: String,
}

/// A case's channel particulars, all valid.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Intake {
    pub window: Option<Window>,
    pub petition: Option<PetitionInfo>,
    pub transfer: Option<TransferInfo>,
    /// Where an imported work order came from (e.g. `12345`) and its number there:
    /// importing it again finds it instead of duplicating it.
    pub source: Option<String>,
    pub external_ref: Option<String>,
}

/// The channel particulars as submitted.
#[derive(Debug, Clone, Default)]
pub struct IntakeInput {
    pub window: Option<Window>,
    pub petition: Option<PetitionInfo>,
    pub transfer: Option<TransferInfo>,
    pub source: Option<String>,
    pub external_ref: Option<String>,
}

impl IntakeInput {
    /// Checks that the particulars fit the kind and channel; a window registration
    /// defaults to the dispute-resolution window.
    pub fn validate(self, kind: CaseKind, channel: Channel, errs: &mut FieldErrors) -> Intake {
        let window = match (channel, self.window) {
            (Channel::Window, w) => Some(w.unwrap_or(Window::DisputeResolution)),
            (_, Some(_)) => {
                errs.push(FieldError::new(
                    "window",
                    "not_applicable",
                    "只有窗口受理的事项才有受理窗口",
                ));
                None
            }
            (_, None) => None,
        };
        let petition = self.petition.and_then(|p| petition(kind, p, errs));
        let transfer = match (channel, self.transfer) {
            (Channel::Transfer, Some(t)) => transfer(t, errs),
            (Channel::Transfer, None) => {
                errs.push(FieldError::new(
                    "transfer",
                    "required",
                    "移交的事项须附移交单(移交单位、编号)",
                ));
                None
            }
            (_, Some(_)) => {
                errs.push(FieldError::new(
                    "transfer",
                    "not_applicable",
                    "只有移交渠道的事项才有移交单",
                ));
                None
            }
            (_, None) => None,
        };
        let source = self
            .source
            .and_then(|s| errs.take(text("source", &s, 50, true)));
        let external_ref = self
            .external_ref
            .and_then(|s| errs.take(text("external_ref", &s, 100, true)));
        if external_ref.is_some() && source.is_none() {
            errs.push(FieldError::new(
                "source",
                "required",
                "外部编号须注明来源(如12345)",
            ));
        }
        Intake {
            window,
            petition,
            transfer,
            source,
            external_ref,
        }
    }
}

fn petition(kind: CaseKind, p: PetitionInfo, errs: &mut FieldErrors) -> Option<PetitionInfo> {
    if kind != CaseKind::Petition {
        errs.push(FieldError::new(
            "petition",
            "not_applicable",
            "只有信访事项才有信访信息",
        ));
        return None;
    }
    if p.visitors == 0 || p.visitors > 100_000 {
        errs.push(FieldError::new(
            "petition.visitors",
            "out_of_range",
            "来访人数应在1到100000之间",
        ));
    }
    if p.representatives.len() > 20 {
        errs.push(FieldError::new(
            "petition.representatives",
            "too_many",
            "代表最多20人",
        ));
    }
    for (i, r) in p.representatives.iter().enumerate() {
        errs.take(text(
            &format!("petition.representatives[{i}]"),
            r,
            100,
            true,
        ));
    }
    Some(p)
}

fn transfer(t: TransferInfo, errs: &mut FieldErrors) -> Option<TransferInfo> {
    let from_unit = errs.take(text("transfer.from_unit", &t.from_unit, 100, true))?;
    let form_number = errs.take(text("transfer.form_number", &t.form_number, 50, true))?;
    let note = errs.take(text("transfer.note", &t.note, 2000, false))?;
    Some(TransferInfo {
        from_unit,
        form_number,
        note,
    })
}
