//! Registration (登记): a new case's number, its first event, what was seen before of it
//! (repeat and skip-level petitions), and the alerts it raises.

use concord_domain::alert::{AlertKind, AlertLevel, mass_case_level};
use concord_domain::case::{Case, CaseKind, NewCase};
use concord_domain::lifecycle::{self, ActionKind, Context, EventDraft};
use jiff::Timestamp;

use crate::accounts::Actor;
use crate::alerts::NewAlert;
use crate::cases::{BuiltCase, CaseRecord, EventRecord};
use crate::seen::{Match, Seen};
use crate::{Store, StoreError, with_db};

impl Store {
    /// Registers a case: a new number, the case, its parties and its first event, at once.
    pub async fn create_case(
        &self,
        actor: &Actor,
        facts: NewCase,
        now: Timestamp,
    ) -> Result<CaseRecord, StoreError> {
        actor.authorize_region(&facts.region)?;
        if !concord_domain::access::may(actor.role, ActionKind::Register) {
            return Err(StoreError::Forbidden(format!(
                "“{}”角色不能登记事项",
                actor.role.label()
            )));
        }
        self.register(actor, facts, now, None).await
    }

    /// A citizen's own submission (online, or from a QR code), without an account.
    /// Returns the case and its tracking code, which is kept only as a hash.
    pub async fn create_public_case(
        &self,
        facts: NewCase,
        now: Timestamp,
    ) -> Result<(CaseRecord, String), StoreError> {
        let code = crate::tracking::new_code();
        let hash = crate::tracking::hash(&code);
        let record = self
            .register(&Actor::citizen(), facts, now, Some(hash))
            .await?;
        Ok((record, code))
    }

    async fn register(
        &self,
        actor: &Actor,
        facts: NewCase,
        now: Timestamp,
        tracking_hash: Option<String>,
    ) -> Result<CaseRecord, StoreError> {
        self.register_with(actor, facts, now, |b| b.tracking_hash = tracking_hash)
            .await
    }

    /// Registers a case, letting `dress` add what is stored with it in the same
    /// transaction (a tracking code, an Open311 filing).
    pub(crate) async fn register_with(
        &self,
        actor: &Actor,
        facts: NewCase,
        now: Timestamp,
        dress: impl FnOnce(&mut BuiltCase),
    ) -> Result<CaseRecord, StoreError> {
        let region = self.require_region("region", &facts.region).await?;
        if let (Some(src), Some(r)) = (&facts.intake.source, &facts.intake.external_ref)
            && let Some(number) = self.case_by_external_ref(src, r).await?
        {
            return Err(StoreError::Duplicate(format!(
                "来源“{src}”的编号“{r}”已登记为事项{number}"
            )));
        }
        let calendar = self.calendar();
        let ctx = Context {
            now,
            calendar: &calendar,
            routing: None,
        };
        let seen = match facts.kind {
            CaseKind::Petition => Some(self.seen_before(&facts, None, now).await?),
            CaseKind::Dispute => None,
        };
        let (mut case, mut event) = lifecycle::register(facts, String::new(), &ctx);
        if let Some(seen) = &seen {
            note_seen(&mut case, &mut event, seen);
        }
        let mut built = BuiltCase::new(case, vec![(event, actor.clone())]);
        dress(&mut built);
        let built = self.insert_built_cases(vec![built]).await?;
        let BuiltCase { case, events, .. } =
            built.into_iter().next().expect("one case in, one out");
        let events = events
            .iter()
            .map(|(e, a)| EventRecord::from_draft(1, e, a))
            .collect();
        self.registration_alerts(&case, seen.as_ref(), now).await?;
        Ok(CaseRecord {
            case,
            region_name: region.name,
            events,
        })
    }

    /// The county command center hears at once of a mass case, a skip-level or a repeat
    /// petition.
    async fn registration_alerts(
        &self,
        c: &Case,
        seen: Option<&Seen>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let county = c.facts.region.numbering_county();
        let mut alerts = Vec::new();
        let risk = concord_domain::risk::assess(c, &Default::default(), now);
        if risk.level == concord_domain::case::RiskLevel::Red {
            let why: Vec<&str> = risk.reasons.iter().map(|r| r.text.as_str()).collect();
            alerts.push((
                AlertKind::HighRisk,
                AlertLevel::Red,
                format!(
                    "{}矛盾激化风险高({}分):{}",
                    c.number,
                    risk.score,
                    why.join(";")
                ),
            ));
        }
        if c.is_mass() {
            alerts.push((
                AlertKind::MassCase,
                mass_case_level(c.facts.complainants),
                format!(
                    "{}登记群体性{}:{}人反映",
                    c.number,
                    c.facts.category.label(),
                    c.facts.complainants
                ),
            ));
        }
        let number = |m: &Option<Match>| m.as_ref().map(|m| m.case.number.clone());
        if let Some(lower) = seen.and_then(|s| number(&s.skip_level_of)) {
            alerts.push((
                AlertKind::SkipLevel,
                AlertLevel::Orange,
                format!("{}为越级访:同一事项{}仍在下级办理", c.number, lower),
            ));
        }
        if let Some(earlier) = seen.and_then(|s| number(&s.repeat_of)) {
            alerts.push((
                AlertKind::RepeatPetition,
                AlertLevel::Yellow,
                format!("{}为重复访:同一人同一事项曾于{}反映", c.number, earlier),
            ));
        }
        for (kind, level, message) in alerts {
            let a = NewAlert {
                kind,
                level,
                case_id: Some(c.id),
                region: county,
                message,
            };
            self.raise_alert(&a, now).await?;
        }
        Ok(())
    }

    /// Which of these work-order numbers from `source` are already registered.
    pub async fn existing_refs(
        &self,
        source: &str,
        refs: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut found = std::collections::HashSet::new();
        for chunk in refs.chunks(500) {
            let mut w = crate::list::Where::default();
            let src = w.args.push(crate::args::Arg::Text(source.to_string()));
            let marks: Vec<String> = chunk
                .iter()
                .map(|r| w.args.push(crate::args::Arg::Text(r.clone())))
                .collect();
            let sql = format!(
                "SELECT external_ref FROM cases WHERE source = {src} AND external_ref IN ({})",
                marks.join(", ")
            );
            let rows: Vec<String> = with_db!(self, pool => {
                crate::args::bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), &w.args.0).fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }

    /// The number of the case registered from a work order, if any.
    pub async fn case_by_external_ref(
        &self,
        source: &str,
        external_ref: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_scalar("SELECT number FROM cases WHERE source = $1 AND external_ref = $2")
                .bind(source).bind(external_ref).fetch_optional(pool).await?
        }))
    }
}

/// Records on a new case what was seen before: the repeat and skip-level links, and the
/// numbers in its first event.
fn note_seen(c: &mut Case, event: &mut EventDraft, seen: &Seen) {
    c.repeat_of = seen.repeat_of.as_ref().map(|m| m.case.id);
    c.skip_level_of = seen.skip_level_of.as_ref().map(|m| m.case.id);
    let number = |m: &Option<Match>| m.as_ref().map(|m| m.case.number.clone());
    event.details["seen"] = serde_json::json!({
        "repeat_of": number(&seen.repeat_of),
        "skip_level_of": number(&seen.skip_level_of),
    });
}
