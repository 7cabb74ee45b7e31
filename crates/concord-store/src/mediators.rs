//! The mediator directory's live figures (open caseload, record), the parties' picks
//! (点单), conflicts of interest, and the choice of a mediator on assignment.

use std::collections::HashMap;

use concord_domain::case::Case;
use concord_domain::mediator::{agreed, eligible, least_loaded};
use concord_domain::org::Mediator;
use concord_domain::person::{IdNumber, Phone};
use concord_domain::time::to_micros;
use concord_domain::{FieldError, FieldErrors};
use jiff::Timestamp;
use serde::Serialize;

use crate::list::open_statuses;
use crate::{Store, StoreError, with_db};

/// A mediator's open cases and record, from the case table.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Load {
    pub open: u32,
    pub closed: u32,
    pub agreements: u32,
}

/// How an assignment's mediator was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChosenBy {
    /// Named by the dispatcher.
    Dispatcher,
    /// Every party picked the same one (点单).
    Parties,
    /// The least loaded eligible mediator of the lead unit.
    Balance,
}

impl Store {
    /// Open caseload and record of every mediator.
    pub async fn mediator_loads(&self) -> Result<HashMap<i64, Load>, StoreError> {
        let open_sql = format!(
            "SELECT mediator, COUNT(*) FROM cases WHERE mediator IS NOT NULL AND status IN ({}) GROUP BY mediator",
            open_statuses()
        );
        // The records are kept as cases move (mediator_records): no walk of the cases.
        type Record = Vec<(i64, i64, i64)>;
        let (open, record): (Vec<(i64, i64)>, Record) = with_db!(self, pool => {(
            sqlx::query_as(sqlx::AssertSqlSafe(open_sql)).fetch_all(pool).await?,
            sqlx::query_as("SELECT mediator_id, closed, agreements FROM mediator_records").fetch_all(pool).await?,
        )});
        let mut loads: HashMap<i64, Load> = HashMap::new();
        for (m, n) in open {
            loads.entry(m).or_default().open = n as u32;
        }
        for (m, closed, agreements) in record {
            let l = loads.entry(m).or_default();
            l.closed = closed.max(0) as u32;
            l.agreements = agreements.max(0) as u32;
        }
        Ok(loads)
    }

    /// Open cases led by each unit (the dispatch board's loads), from a partial index.
    pub async fn unit_loads(&self) -> Result<HashMap<i64, u32>, StoreError> {
        let sql = format!(
            "SELECT lead_unit, COUNT(*) FROM cases WHERE lead_unit IS NOT NULL AND status IN ({}) GROUP BY lead_unit",
            open_statuses()
        );
        let rows: Vec<(i64, i64)> = with_db!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(u, n)| (u, n.max(0) as u32))
            .collect())
    }

    /// Why `mediator` may not take `case`: a declared relation to a party, or a party who
    /// is also a party to another of the mediator's open cases. Empty when none.
    pub async fn conflicts(&self, mediator: i64, case: &Case) -> Result<Vec<String>, StoreError> {
        let mut why = Vec::new();
        let hint = match self.db {
            crate::Db::Sqlite(_) => " INDEXED BY cases_mediator_open",
            crate::Db::Postgres(_) => "",
        };
        let relations: Vec<(String, Option<String>, Option<String>, String)> = with_db!(self, pool => {
            sqlx::query_as("SELECT name, phone_key, id_key, relation FROM mediator_relations WHERE mediator_id = $1")
                .bind(mediator).fetch_all(pool).await?
        });
        for p in &case.facts.parties {
            let (pk, ik) = (
                p.phone.as_ref().map(|x| self.party_key.phone(x)),
                p.id_number.as_ref().map(|x| self.party_key.id_number(x)),
            );
            for (name, rpk, rik, relation) in &relations {
                // Declared with a number: the number decides; with a name only: the name.
                let by_key = (pk.is_some() && pk == *rpk) || (ik.is_some() && ik == *rik);
                let by_name = rpk.is_none() && rik.is_none() && *name == p.name;
                if by_key || by_name {
                    why.push(format!("与当事人{}存在{}关系", p.name, relation));
                }
            }
            let keys: Vec<String> = pk.into_iter().chain(ik).collect();
            if keys.is_empty() {
                continue;
            }
            let marks: Vec<String> = (0..keys.len()).map(|i| format!("${}", i + 3)).collect();
            let sql = format!(
                // From the mediator's open cases (few, by their partial index) to their
                // parties: a party on many cases must not make this walk them all.
                // SQLite, without statistics, is told the partial index of open cases.
                "SELECT c.number FROM cases c{hint} CROSS JOIN parties p
                 WHERE c.mediator = $1 AND c.id <> $2 AND c.status IN ({}) AND p.case_id = c.id
                 AND (p.phone_key IN ({m}) OR p.id_key IN ({m})) LIMIT 1",
                open_statuses(),
                m = marks.join(", ")
            );
            let other: Option<String> = with_db!(self, pool => {
                let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(mediator).bind(case.id);
                for k in &keys { q = q.bind(k.clone()); }
                q.fetch_optional(pool).await?
            });
            if let Some(n) = other {
                why.push(format!("当事人{}也是该调解员在办事项{}的当事人", p.name, n));
            }
        }
        Ok(why)
    }

    /// Records one party's pick from the directory (点单).
    pub async fn record_pick(
        &self,
        case: &Case,
        ordinal: usize,
        mediator: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let m = self.mediator(mediator).await?;
        let mut errs = FieldErrors::default();
        if ordinal >= case.facts.parties.len() {
            errs.push(FieldError::new(
                "party",
                "unknown_reference",
                format!("本事项没有第{}位当事人", ordinal + 1),
            ));
        }
        match &m {
            None => errs.push(FieldError::new(
                "mediator",
                "unknown_reference",
                format!("编号为{mediator}的调解员不存在"),
            )),
            Some(m) if !eligible(m, &case.facts) => errs.push(FieldError::new(
                "mediator",
                "not_eligible",
                format!("{}不受理本类纠纷或不在本辖区", m.name),
            )),
            Some(_) => {}
        }
        errs.into_result()?;
        self.refuse_conflicts(mediator, case).await?;
        let (id, at) = (case.id, to_micros(now));
        crate::writer::write_tx!(self, |conn| {
            sqlx::query("INSERT INTO mediator_picks (case_id, party_ordinal, mediator_id, at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (case_id, party_ordinal) DO UPDATE SET mediator_id = excluded.mediator_id, at = excluded.at")
                .bind(id).bind(ordinal as i64).bind(mediator).bind(at)
                .execute(&mut *conn).await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Each party's pick: (party ordinal, mediator).
    pub async fn picks(&self, case_id: i64) -> Result<Vec<(usize, i64)>, StoreError> {
        let rows: Vec<(i64, i64)> = with_db!(self, pool => {
            sqlx::query_as("SELECT party_ordinal, mediator_id FROM mediator_picks WHERE case_id = $1 ORDER BY party_ordinal")
                .bind(case_id).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|(o, m)| (o as usize, m)).collect())
    }

    pub async fn mediator(&self, id: i64) -> Result<Option<Mediator>, StoreError> {
        Ok(self.mediators(None).await?.into_iter().find(|m| m.id == id))
    }

    pub(crate) async fn refuse_conflicts(
        &self,
        mediator: i64,
        case: &Case,
    ) -> Result<(), StoreError> {
        let why = self.conflicts(mediator, case).await?;
        if why.is_empty() {
            return Ok(());
        }
        Err(FieldError::new(
            "mediator",
            "conflict_of_interest",
            format!("该调解员需回避:{}", why.join(";")),
        )
        .into())
    }

    /// The mediator an assignment gets: the one named (if free of conflicts), else the
    /// one every party picked, else the least loaded eligible one of the lead unit.
    pub async fn choose_mediator(
        &self,
        case: &Case,
        lead_unit: i64,
        named: Option<i64>,
    ) -> Result<(Option<i64>, Option<ChosenBy>), StoreError> {
        if let Some(m) = named {
            self.refuse_conflicts(m, case).await?;
            return Ok((Some(m), Some(ChosenBy::Dispatcher)));
        }
        if let Some(m) = agreed(&case.facts.parties, &self.picks(case.id).await?) {
            self.refuse_conflicts(m, case).await?;
            return Ok((Some(m), Some(ChosenBy::Parties)));
        }
        let loads = self.mediator_loads().await?;
        let mut candidates = Vec::new();
        for m in self.mediators(None).await? {
            if m.org_id == lead_unit
                && eligible(&m, &case.facts)
                && self.conflicts(m.id, case).await?.is_empty()
            {
                candidates.push((m.id, loads.get(&m.id).map_or(0, |l| l.open)));
            }
        }
        let chosen = least_loaded(&candidates);
        Ok((chosen, chosen.map(|_| ChosenBy::Balance)))
    }

    /// Declares a mediator's relation to a person (a conflict of interest whenever that
    /// person is a party).
    pub async fn add_relation(
        &self,
        mediator: i64,
        name: &str,
        phone: Option<&Phone>,
        id_number: Option<&IdNumber>,
        relation: &str,
    ) -> Result<i64, StoreError> {
        let (pk, ik) = (
            phone.map(|p| self.party_key.phone(p)),
            id_number.map(|i| self.party_key.id_number(i)),
        );
        let (name, relation) = (name.to_string(), relation.to_string());
        crate::writer::write_tx!(self, |conn| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO mediator_relations (mediator_id, name, phone_key, id_key, relation)
                                               VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(mediator)
            .bind(name)
            .bind(pk)
            .bind(ik)
            .bind(relation)
            .fetch_one(&mut *conn)
            .await?;
            Ok::<i64, StoreError>(id)
        })
    }
}
