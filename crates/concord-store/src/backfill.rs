//! One-off backfills for data written before a feature existed: search terms and the
//! parties' keyed hashes for cases stored before migration 0003. Each runs once, in
//! batches, before the server serves, and records in `meta` that it is done.

use std::collections::HashMap;

use concord_domain::person::{IdNumber, Phone};

use crate::args::{Arg, Marks};
use crate::bulk::{SearchRow, search_statements, statements};
use crate::{Store, StoreError, with_db};

const BATCH: i64 = 2_000;

impl Store {
    pub(crate) async fn backfill(&self) -> Result<(), StoreError> {
        if self.meta("search_terms_v1").await?.is_none() {
            self.backfill_search().await?;
            self.set_meta("search_terms_v1", "done").await?;
        }
        if self.meta("party_keys_v1").await?.is_none() {
            self.backfill_party_keys().await?;
            self.set_meta("party_keys_v1", "done").await?;
        }
        // v3 (migration 0020) added the time to close and the breakdowns (by day and by
        // month); v4 keeps every figure by month as well: refilled.
        if self.meta("figure_days_v4").await?.is_none() {
            self.rebuild_figures().await?;
            self.set_meta("figure_days_v4", "done").await?;
            self.set_meta("figure_open_v1", "done").await?;
        }
        // Migration 0029 keeps the cases open now per place and deadline: filled once.
        if self.meta("figure_open_v1").await?.is_none() {
            self.backfill_open().await?;
            self.set_meta("figure_open_v1", "done").await?;
        }
        if self.meta("parties_sealed_v1").await?.is_none() {
            self.reseal_parties().await?;
            self.set_meta("parties_sealed_v1", "done").await?;
        }
        Ok(())
    }

    /// Seals every phone and ID number not yet sealed under the encryption key in use:
    /// numbers stored before encryption, and after `concord keys rotate`, everything
    /// sealed under an older key. Returns how many parties were re-sealed.
    pub async fn reseal_parties(&self) -> Result<u64, StoreError> {
        let (key, mut after, mut total) = (self.party_key.clone(), 0i64, 0u64);
        let reseal = |v: &Option<String>| -> Result<Option<String>, StoreError> {
            Ok(key.open_column(v.clone())?.map(|plain| key.seal(&plain)))
        };
        loop {
            let rows: Vec<(i64, Option<String>, Option<String>)> = with_db!(self, pool => {
                sqlx::query_as("SELECT id, phone, id_number FROM parties
                                WHERE id > $1 AND (phone IS NOT NULL OR id_number IS NOT NULL)
                                ORDER BY id LIMIT $2")
                    .bind(after).bind(BATCH).fetch_all(pool).await?
            });
            let Some(last) = rows.last().map(|r| r.0) else {
                return Ok(total);
            };
            let stale = |v: &Option<String>| v.as_deref().is_some_and(|v| key.needs_resealing(v));
            let mut values = Vec::new();
            for (id, phone, idn) in rows.iter().filter(|(_, p, i)| stale(p) || stale(i)) {
                values.push(vec![
                    Arg::Int(*id),
                    Arg::OptText(reseal(phone)?),
                    Arg::OptText(reseal(idn)?),
                ]);
            }
            total += values.len() as u64;
            self.update_parties("phone = v.column2, id_number = v.column3", values)
                .await?;
            after = last;
        }
    }

    /// Housekeeping after bulk loads (and from time to time): merges the full-text
    /// index's segments into one, and refreshes the planner's statistics.
    pub async fn optimize(&self) -> Result<(), StoreError> {
        match &self.db {
            crate::Db::Sqlite(pool) => {
                sqlx::query("INSERT INTO case_search(case_search) VALUES ('optimize')")
                    .execute(pool)
                    .await?;
                sqlx::query("PRAGMA optimize").execute(pool).await?;
            }
            crate::Db::Postgres(pool) => {
                sqlx::query("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    pub(crate) async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(with_db!(self, pool => {
            sqlx::query_scalar("SELECT value FROM meta WHERE key = $1").bind(key).fetch_optional(pool).await?
        }))
    }

    pub(crate) async fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        with_db!(self, pool => {
            sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key).bind(value).execute(pool).await?;
        });
        Ok(())
    }

    pub(crate) fn marks(&self) -> Marks {
        match self.db {
            crate::Db::Sqlite(_) => Marks::Anonymous,
            crate::Db::Postgres(_) => Marks::Numbered,
        }
    }

    async fn backfill_search(&self) -> Result<(), StoreError> {
        let mut after = 0i64;
        loop {
            let cases: Vec<(i64, String, String, String, i64, i64)> = with_db!(self, pool => {
                sqlx::query_as("SELECT id, description, address, region_code, year, seq FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after).bind(BATCH).fetch_all(pool).await?
            });
            let Some(last) = cases.last().map(|c| c.0) else {
                return Ok(());
            };
            let names: Vec<(i64, String)> = with_db!(self, pool => {
                sqlx::query_as("SELECT case_id, name FROM parties WHERE case_id > $1 AND case_id <= $2")
                    .bind(after).bind(last).fetch_all(pool).await?
            });
            let mut by_case: HashMap<i64, Vec<String>> = HashMap::new();
            for (id, name) in names {
                by_case.entry(id).or_default().push(name);
            }
            let terms: Vec<String> = cases
                .iter()
                .map(|(id, d, a, ..)| {
                    let names = by_case.get(id).map(Vec::as_slice).unwrap_or_default();
                    let texts = [d.as_str(), a.as_str()]
                        .into_iter()
                        .chain(names.iter().map(String::as_str));
                    concord_text::tokens::index_terms(texts)
                })
                .collect();
            let rows = cases
                .iter()
                .zip(&terms)
                .map(|((id, _, _, region, year, seq), t)| SearchRow {
                    id: *id,
                    terms: t,
                    region,
                    year: *year,
                    seq: *seq,
                });
            let stmts = search_statements(self.marks(), rows);
            self.run_statements(stmts).await?;
            after = last;
        }
    }

    async fn backfill_party_keys(&self) -> Result<(), StoreError> {
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, Option<String>, Option<String>)> = with_db!(self, pool => {
                sqlx::query_as("SELECT id, phone, id_number FROM parties WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after).bind(BATCH).fetch_all(pool).await?
            });
            let Some(last) = rows.last().map(|r| r.0) else {
                return Ok(());
            };
            let open = |v: &Option<String>| v.as_deref().and_then(|v| self.party_key.open(v).ok());
            let values = rows.iter().map(|(id, phone, idn)| {
                let pk = open(phone).and_then(|p| Phone::parse("phone", &p).ok());
                let ik = open(idn).and_then(|i| IdNumber::parse("id_number", &i).ok());
                vec![
                    Arg::Int(*id),
                    Arg::OptText(pk.map(|p| self.party_key.phone(&p))),
                    Arg::OptText(ik.map(|i| self.party_key.id_number(&i))),
                ]
            });
            self.update_parties("phone_key = v.column2, id_key = v.column3", values)
                .await?;
            after = last;
        }
    }

    /// Sets two columns of many parties by id in one transaction: each value row is
    /// (id, column2, column3), and `set` says where they go.
    async fn update_parties(
        &self,
        set: &str,
        values: impl IntoIterator<Item = Vec<Arg>>,
    ) -> Result<(), StoreError> {
        let head = format!("UPDATE parties SET {set} FROM (VALUES ");
        let tail = ") AS v WHERE parties.id = v.column1";
        self.run_statements(statements(self.marks(), &head, tail, values))
            .await
    }

    /// Runs statements built by `bulk` in one write transaction.
    async fn run_statements(
        &self,
        stmts: Vec<(String, crate::args::Args)>,
    ) -> Result<(), StoreError> {
        crate::writer::write_tx!(self, |conn| {
            for (sql, args) in stmts {
                crate::args::bind_all!(sqlx::query(sqlx::AssertSqlSafe(sql)), &args.0)
                    .execute(&mut *conn)
                    .await?;
            }
            Ok::<(), StoreError>(())
        })
    }
}
