//! 并案: cases about the same matter become one group case. The group case takes the
//! others' parties and complainants; each of the others is closed as merged into it, on
//! its own timeline. A group that reaches five complainants is a mass case, and the
//! county command center is alerted at once.

use concord_domain::alert::{AlertKind, mass_case_level};
use concord_domain::case::{Case, Party};
use concord_domain::lifecycle::{self, Action, ActionKind, Context};
use concord_domain::time::to_micros;
use concord_domain::{FieldError, FieldErrors};
use jiff::Timestamp;

use crate::accounts::Actor;
use crate::alerts::NewAlert;
use crate::args::{Marks, bind_all};
use crate::bulk::{SealedParty, SearchRow, party_row, search_statements, statements};
use crate::cases::{CaseRecord, UPDATE_CASE, bind_update, insert_event, search_terms_of};
use crate::figures::{Rollup, apply_rollup};
use crate::{Store, StoreError};

pub const MAX_MERGE: usize = 50;

/// Parties of `from` that `into` does not have yet (same role and same name, phone or
/// ID number counts as the same party).
fn new_parties(into: &[Party], from: &[&Case]) -> Vec<Party> {
    let mut have: Vec<Party> = into.to_vec();
    let mut added = Vec::new();
    for p in from.iter().flat_map(|c| c.facts.parties.iter()) {
        let same = |q: &Party| {
            q.role == p.role
                && (q.name == p.name
                    || (q.phone.is_some() && q.phone == p.phone)
                    || (q.id_number.is_some() && q.id_number == p.id_number))
        };
        if !have.iter().any(same) {
            have.push(p.clone());
            added.push(p.clone());
        }
    }
    added
}

fn check_ids(target: i64, sources: &[i64]) -> Result<(), FieldErrors> {
    let mut errs = FieldErrors::default();
    if sources.is_empty() || sources.len() > MAX_MERGE {
        errs.push(FieldError::new(
            "cases",
            "out_of_range",
            format!("并入的事项应为1到{MAX_MERGE}件"),
        ));
    }
    for (i, id) in sources.iter().enumerate() {
        if *id == target || sources[..i].contains(id) {
            errs.push(FieldError::new(
                format!("cases[{i}]"),
                "duplicate",
                "不能重复并入,也不能并入自身",
            ));
        }
    }
    errs.into_result()
}

/// A merged case as it closes: its new state, the event, its old version, the event's seq.
type Closing = (Case, concord_domain::lifecycle::EventDraft, i64, i64);

impl Store {
    async fn merge_sources(&self, sources: &[i64]) -> Result<Vec<CaseRecord>, StoreError> {
        let mut out = Vec::new();
        let mut errs = FieldErrors::default();
        for (i, id) in sources.iter().enumerate() {
            match self.case(*id).await? {
                Some(r) => out.push(r),
                None => errs.push(FieldError::new(
                    format!("cases[{i}]"),
                    "unknown_reference",
                    format!("编号为{id}的事项不存在"),
                )),
            }
        }
        errs.into_result()?;
        Ok(out)
    }

    /// Merges `sources` into `target` (all or nothing) and returns the group case.
    pub async fn merge(
        &self,
        actor: &Actor,
        target: i64,
        sources: &[i64],
        reason: &str,
        now: Timestamp,
    ) -> Result<CaseRecord, StoreError> {
        check_ids(target, sources)?;
        let group = self
            .case(target)
            .await?
            .ok_or(StoreError::NotFound("事项"))?;
        let others = self.merge_sources(sources).await?;
        actor.authorize(ActionKind::Merge, &group.case)?;
        for o in &others {
            actor.authorize(ActionKind::MergeInto, &o.case)?;
        }
        let calendar = self.calendar();
        let ctx = Context {
            now,
            calendar: &calendar,
            routing: None,
        };
        let joined: Vec<&Case> = others.iter().map(|o| &o.case).collect();
        let added = new_parties(&group.case.facts.parties, &joined);
        let merge = Action::Merge {
            cases: sources.to_vec(),
            complainants: joined.iter().map(|c| c.facts.complainants).sum(),
            reason: reason.to_string(),
        };
        let (mut next, event) = lifecycle::apply(&group.case, merge, &ctx)?;
        next.facts.parties.extend(added.iter().cloned());
        let mut closing = Vec::new();
        for o in &others {
            let into = Action::MergeInto {
                into: target,
                reason: reason.to_string(),
            };
            let (n, e) = lifecycle::apply(&o.case, into, &ctx)?;
            closing.push((n, e, o.case.version, o.events.len() as i64 + 1));
        }
        let was_mass = group.case.is_mass();
        let mut rollup = Rollup::of_move(Some(&group.case), &next);
        for (o, (n, ..)) in others.iter().zip(&closing) {
            rollup.add(&o.case, -1);
            rollup.add(n, 1);
        }
        let rollup = rollup.statements(self.marks());
        self.write_merge(actor, &group, (next, event), added, (closing, rollup), now)
            .await?;
        let record = self
            .case(target)
            .await?
            .ok_or(StoreError::NotFound("事项"))?;
        if record.case.is_mass() && !was_mass {
            self.mass_alert(&record.case, now).await?;
        }
        Ok(record)
    }

    async fn write_merge(
        &self,
        actor: &Actor,
        group: &CaseRecord,
        (next, event): (Case, concord_domain::lifecycle::EventDraft),
        added: Vec<Party>,
        // The merged cases as they close, and the figures' changes.
        (closing, rollup): (Vec<Closing>, Vec<(String, crate::args::Args)>),
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let marks = self.marks();
        let first = group.case.facts.parties.len();
        let id = group.case.id;
        let party_rows = added
            .iter()
            .enumerate()
            .map(|(i, p)| party_row(id, first + i, p, SealedParty::of(p, &self.party_key)));
        let parties = statements(
            marks,
            "INSERT INTO parties (case_id, ordinal, role, kind, name, phone,
            id_number, phone_key, id_key) VALUES ",
            "",
            party_rows,
        );
        let terms = search_terms_of(&next);
        let search = search_statements(marks, [SearchRow::of(&next, terms.as_str())]);
        let unindex = match marks {
            Marks::Anonymous => "DELETE FROM case_search WHERE rowid = $1",
            Marks::Numbered => "DELETE FROM case_search WHERE case_id = $1",
        };
        let (by, seq, old_version, at) = (
            actor.clone(),
            group.events.len() as i64 + 1,
            group.case.version,
            to_micros(now),
        );
        crate::writer::write_tx!(self, |conn| {
            let n = bind_update(sqlx::query(UPDATE_CASE), &next, old_version)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if n != 1 {
                return Err(StoreError::Conflict("事项刚被他人修改,请刷新后重试".into()));
            }
            insert_event!(conn, id, seq, &event, &by);
            apply_rollup!(conn, rollup);
            // The case's terms are written anew, with the names it gained.
            sqlx::query(unindex).bind(id).execute(&mut *conn).await?;
            for (sql, args) in parties.into_iter().chain(search) {
                bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), &args.0)
                    .execute(&mut *conn)
                    .await?;
            }
            for (c, e, version, seq) in &closing {
                let n = bind_update(sqlx::query(UPDATE_CASE), c, *version)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if n != 1 {
                    return Err(StoreError::Conflict(format!(
                        "事项{}刚被他人修改,请刷新后重试",
                        c.number
                    )));
                }
                insert_event!(conn, c.id, *seq, e, &by);
                sqlx::query("UPDATE case_tasks SET status = 'cancelled', closed_at = $1 WHERE case_id = $2 AND status = 'open'")
                    .bind(at).bind(c.id).execute(&mut *conn).await?;
            }
            Ok::<(), StoreError>(())
        })
    }

    pub(crate) async fn mass_alert(&self, c: &Case, now: Timestamp) -> Result<(), StoreError> {
        let a = NewAlert {
            kind: AlertKind::MassCase,
            level: mass_case_level(c.facts.complainants),
            case_id: Some(c.id),
            region: c.facts.region.numbering_county(),
            message: format!(
                "{}经并案成为群体性{}:共{}人反映",
                c.number,
                c.facts.category.label(),
                c.facts.complainants
            ),
        };
        self.raise_alert(&a, now).await.map(|_| ())
    }
}
