//! The routing rule table: each edit a new version, kept for ever, so that every routing
//! decision on record can be read against the rules it used.

use concord_domain::case::NewCase;
use concord_domain::routing::{self, Decision, Rule, RuleSet};
use concord_domain::time::to_micros;
use jiff::Timestamp;

use crate::accounts::Actor;
use crate::{Store, StoreError, with_db};

impl Store {
    /// The rules in force (version 0 with no rules before the first edit).
    pub async fn routing_rules(&self) -> Result<RuleSet, StoreError> {
        let row: Option<(i64, String)> = with_db!(self, pool => {
            sqlx::query_as("SELECT version, rules FROM routing_rule_sets ORDER BY version DESC LIMIT 1")
                .fetch_optional(pool).await?
        });
        to_rule_set(row)
    }

    /// One earlier version, as it was.
    pub async fn routing_rules_version(&self, version: i64) -> Result<Option<RuleSet>, StoreError> {
        let row: Option<(i64, String)> = with_db!(self, pool => {
            sqlx::query_as("SELECT version, rules FROM routing_rule_sets WHERE version = $1")
                .bind(version).fetch_optional(pool).await?
        });
        row.map(|r| to_rule_set(Some(r))).transpose()
    }

    /// Stores `rules` as the next version, after checking them.
    pub async fn put_routing_rules(
        &self,
        actor: &Actor,
        rules: Vec<Rule>,
        note: &str,
    ) -> Result<RuleSet, StoreError> {
        let orgs = self.organizations(None).await?;
        routing::validate(&rules, |u| orgs.iter().any(|o| o.id == u))?;
        let json = serde_json::to_string(&rules).expect("rules serialize");
        let (by, note, now) = (
            actor.name.clone(),
            note.to_string(),
            to_micros(Timestamp::now()),
        );
        let version = crate::writer::write_tx!(self, |conn| {
            let v: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM routing_rule_sets")
                    .fetch_one(&mut *conn)
                    .await?;
            sqlx::query(
                "INSERT INTO routing_rule_sets (version, rules, note, created_by, created_at)
                         VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(v)
            .bind(json)
            .bind(note)
            .bind(by)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok::<i64, StoreError>(v)
        })?;
        Ok(RuleSet { version, rules })
    }

    /// Where the rules in force send a case with these facts.
    pub async fn route(&self, facts: &NewCase) -> Result<Decision, StoreError> {
        let rules = self.routing_rules().await?;
        let orgs = self.organizations(None).await?;
        Ok(routing::route(facts, &rules, &orgs))
    }
}

fn to_rule_set(row: Option<(i64, String)>) -> Result<RuleSet, StoreError> {
    let Some((version, rules)) = row else {
        return Ok(RuleSet {
            version: 0,
            rules: Vec::new(),
        });
    };
    let rules = serde_json::from_str(&rules).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(RuleSet { version, rules })
}
