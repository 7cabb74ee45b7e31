//! The mediator's work on a case, each step a transition with what goes with it:
//! booking, recording and cancelling sessions; drafting the agreement; the parties'
//! signatures.

use concord_domain::FieldError;
use concord_domain::action::Action;
use concord_domain::agreement::{AgreementInput, SignMethod, refuse_signature, signed_text};
use concord_domain::mediator::choosers;
use concord_domain::org::OrgKind;
use concord_domain::session::{SessionInput, SessionRecord};
use jiff::Timestamp;

use crate::accounts::Actor;
use crate::cases::CaseRecord;
use crate::mediation::{AgreementRecord, Extra, NewSignature, SessionRow, text_hash};
use crate::{Store, StoreError};

/// A drawn signature: a PNG, at most this big.
pub const MAX_SIGNATURE_BYTES: usize = 300_000;

impl Store {
    fn local(&self, t: Timestamp) -> String {
        t.to_zoned(concord_domain::time::shanghai())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    }

    /// Books a session, refusing a mediator or a room already booked at that time.
    pub async fn schedule_session(
        &self,
        actor: &Actor,
        case_id: i64,
        input: SessionInput,
        now: Timestamp,
    ) -> Result<(CaseRecord, SessionRow), StoreError> {
        let case = self
            .case(case_id)
            .await?
            .ok_or(StoreError::NotFound("事项"))?
            .case;
        let booking = input.validate(case.mediator, now)?;
        if let Some(m) = booking.mediator
            && self.mediator(m).await?.is_none()
        {
            return Err(FieldError::new(
                "mediator",
                "unknown_reference",
                format!("编号为{m}的调解员不存在"),
            )
            .into());
        }
        let orgs = self.organizations(None).await?;
        if let Some(r) = booking.room
            && !orgs
                .iter()
                .any(|o| o.id == r && matches!(o.kind, OrgKind::MediationRoom | OrgKind::Center))
        {
            return Err(FieldError::new(
                "room",
                "unknown_reference",
                format!("编号为{r}的调解室不存在"),
            )
            .into());
        }
        if let Some(u) = booking
            .units
            .iter()
            .find(|u| !orgs.iter().any(|o| o.id == **u))
        {
            return Err(FieldError::new(
                "units",
                "unknown_reference",
                format!("编号为{u}的单位不存在"),
            )
            .into());
        }
        let action = Action::ScheduleSession {
            session: 0,
            mode: booking.mode,
            starts_at: self.local(booking.starts_at),
        };
        let (record, id) = self
            .transition_with(actor, case_id, action, None, now, Extra::Session(booking))
            .await?;
        let session = self
            .session(id.expect("a session row"))
            .await?
            .ok_or(StoreError::NotFound("调解"))?;
        Ok((record, session))
    }

    async fn case_session(&self, case_id: i64, session: i64) -> Result<SessionRow, StoreError> {
        self.session(session)
            .await?
            .filter(|s| s.case_id == case_id)
            .ok_or(StoreError::NotFound("调解"))
    }

    /// Writes a session's record (笔录); the session is then held.
    pub async fn record_session(
        &self,
        actor: &Actor,
        case_id: i64,
        session: i64,
        record: SessionRecord,
        now: Timestamp,
    ) -> Result<CaseRecord, StoreError> {
        let s = self.case_session(case_id, session).await?;
        let record = record.validate(s.mode)?;
        let action = Action::RecordSession {
            session,
            method: record.method,
        };
        let json = serde_json::to_string(&record).expect("a record serializes");
        let extra = Extra::Record {
            session,
            record: json,
        };
        Ok(self
            .transition_with(actor, case_id, action, None, now, extra)
            .await?
            .0)
    }

    pub async fn cancel_session(
        &self,
        actor: &Actor,
        case_id: i64,
        session: i64,
        reason: &str,
        now: Timestamp,
    ) -> Result<CaseRecord, StoreError> {
        self.case_session(case_id, session).await?;
        let action = Action::CancelSession {
            session,
            reason: reason.to_string(),
        };
        let extra = Extra::Cancel {
            session,
            reason: reason.trim().to_string(),
        };
        Ok(self
            .transition_with(actor, case_id, action, None, now, extra)
            .await?
            .0)
    }

    /// A new version of the agreement; signatures of earlier versions no longer count.
    pub async fn draft_agreement(
        &self,
        actor: &Actor,
        case_id: i64,
        input: AgreementInput,
        now: Timestamp,
    ) -> Result<(CaseRecord, AgreementRecord), StoreError> {
        let case = self
            .case(case_id)
            .await?
            .ok_or(StoreError::NotFound("事项"))?
            .case;
        let text = input.validate()?;
        let version = case.agreement_version.unwrap_or(0) + 1;
        let signed = signed_text(&case.number, &case.facts.parties, &text);
        let hash = text_hash(&signed);
        let action = Action::DraftAgreement {
            version,
            hash: hash.clone(),
        };
        let extra = Extra::Agreement {
            version,
            text,
            signed_text: signed,
            hash,
        };
        let (record, _) = self
            .transition_with(actor, case_id, action, None, now, extra)
            .await?;
        let agreement = self
            .agreement(case_id)
            .await?
            .ok_or(StoreError::NotFound("调解协议"))?;
        Ok((record, agreement))
    }

    /// One party signs the text whose hash they were shown: once, and only the text in
    /// force. A drawn signature comes as a PNG.
    #[allow(clippy::too_many_arguments)]
    pub async fn sign_agreement(
        &self,
        actor: &Actor,
        case_id: i64,
        party: usize,
        method: SignMethod,
        shown_hash: &str,
        image: Option<Vec<u8>>,
        now: Timestamp,
    ) -> Result<CaseRecord, StoreError> {
        let case = self
            .case(case_id)
            .await?
            .ok_or(StoreError::NotFound("事项"))?
            .case;
        let agreement = self
            .agreement(case_id)
            .await?
            .ok_or_else(|| StoreError::Conflict("尚未起草调解协议书".into()))?;
        if let Some(img) = &image
            && (img.len() > MAX_SIGNATURE_BYTES || !img.starts_with(b"\x89PNG\r\n\x1a\n"))
        {
            return Err(FieldError::new(
                "signature",
                "invalid_image",
                "签名应为不超过300KB的PNG图片",
            )
            .into());
        }
        if method == SignMethod::Online && image.is_none() {
            return Err(FieldError::new("signature", "required", "在线签署须手写签名").into());
        }
        let signed: Vec<usize> = agreement.signatures.iter().map(|s| s.party).collect();
        let who = choosers(&case.facts.parties);
        if let Some(e) = refuse_signature(
            party,
            case.facts.parties.len(),
            &signed,
            shown_hash,
            &agreement.hash,
        ) {
            return Err(e.into());
        }
        let all_signed = who.iter().all(|p| *p == party || signed.contains(p));
        let signer = case.facts.parties[party].name.clone();
        let action = Action::SignAgreement {
            party,
            method,
            version: agreement.version,
            all_signed,
        };
        let extra = Extra::Signature(NewSignature {
            version: agreement.version,
            party,
            method,
            signer,
            image,
            hash: agreement.hash,
        });
        Ok(self
            .transition_with(actor, case_id, action, None, now, extra)
            .await?
            .0)
    }
}
