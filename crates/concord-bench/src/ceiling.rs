//! The storage ceiling: the rows a registration writes (a case, two parties, one event
//! with its audit entry, the case's words in the full-text index, the county's case
//! counter), inserted raw — no HTTP, no JSON, no validation, no word splitting — into the
//! same database with the same durability settings, as fast as the database takes them:
//! multi-row statements, 64 cases to a durable transaction (as many as 64 clients can
//! have in flight), one transaction after another. Left out: the kept figures' rows
//! (a few dozen upserts a transaction), so the ceiling is if anything too high.

use std::time::Duration;

use anyhow::Result;
use concord_store::{Db, Store};

use crate::load::{Sample, run};

const COUNTY: &str = "999999";
/// Cases per transaction: the concurrency of the intake load.
pub const PER_COMMIT: usize = 64;

fn values(rows: usize, per_row: usize, first: usize) -> String {
    (0..rows)
        .map(|r| {
            let marks: Vec<String> = (0..per_row)
                .map(|c| format!("${}", first + r * per_row + c))
                .collect();
            format!("({})", marks.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

const DESCRIPTION: &str = "邻居建房时占用两家之间通道,且滴水落到其院内,多次协商未果,请求调解。";
const ADDRESS: &str = "云和县白龙山街道大坪社区";

/// The words the ceiling's cases are found by, split once (splitting them is the
/// server's work, not the storage's).
static TERMS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    concord_text::tokens::index_terms([DESCRIPTION, ADDRESS, "王某某", "李某"])
});

/// How the ceiling indexes its cases' words: the statement, and whether it also takes
/// the year (PostgreSQL's rows carry the case's place and number).
struct Search {
    sql: &'static str,
    with_year: bool,
}

const SEARCH_SQLITE: Search = Search {
    sql: "INSERT INTO case_search (rowid, terms) SELECT column1, $1 FROM (VALUES {}) AS v",
    with_year: false,
};
const SEARCH_POSTGRES: Search = Search {
    sql: "INSERT INTO case_search (case_id, terms, region_code, year, seq)
    SELECT column1, array_to_tsvector(string_to_array($1, ' ')), '331125003002', $2, column2
    FROM (VALUES {}) AS v",
    with_year: true,
};

macro_rules! insert_batch {
    ($tx:expr, $year:expr, $batch:expr, $search:expr) => {{
        let now = jiff::Timestamp::now().as_microsecond();
        let sql = format!(
            "INSERT INTO cases (number, county_code, year, seq, kind, channel, category, description,
             region_code, address, amount_fen, complainants, complexity, level, tier, status,
             registered_at, version, township_code) SELECT column1, $1, $2, column2, 'dispute', 'window', 'neighbor', $3,
             '331125003002', $4, 300000, 1, 'general', 'village', 'people', 'registered', $5, 1, '331125003'
             FROM (VALUES {}) AS v RETURNING id",
            values(PER_COMMIT, 2, 6)
        );
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
            .bind(COUNTY).bind($year).bind(DESCRIPTION).bind(ADDRESS).bind(now);
        for i in 0..PER_COMMIT as i64 {
            let seq = $batch * PER_COMMIT as i64 + i;
            q = q.bind(format!("ceiling-{}-{seq}", $year)).bind(seq);
        }
        let ids: Vec<i64> = q.fetch_all(&mut *$tx).await?;
        let sql = format!(
            "INSERT INTO parties (case_id, ordinal, role, kind, name, phone) VALUES {}",
            values(ids.len() * 2, 6, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            for (i, (role, name, phone)) in [("applicant", "王某某", "13800138000"), ("respondent", "李某", "13900139000")].iter().enumerate() {
                q = q.bind(*id).bind(i as i64).bind(*role).bind("person").bind(*name).bind(*phone);
            }
        }
        q.execute(&mut *$tx).await?;
        let sql = format!(
            "INSERT INTO case_events (case_id, seq, at, actor_name, action, to_status, details)
             SELECT column1, 1, column2, 'bench', 'register', 'registered', '{{}}' FROM (VALUES {}) AS v",
            values(ids.len(), 2, 1)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for id in &ids {
            q = q.bind(*id).bind(now);
        }
        q.execute(&mut *$tx).await?;
        let search: Search = $search;
        let first = if search.with_year { 3 } else { 2 };
        let sql = search.sql.replace("{}", &values(ids.len(), 2, first));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(TERMS.as_str());
        if search.with_year {
            q = q.bind($year);
        }
        for (i, id) in ids.iter().enumerate() {
            q = q.bind(*id).bind($batch * PER_COMMIT as i64 + i as i64);
        }
        q.execute(&mut *$tx).await?;
        sqlx::query("INSERT INTO case_counters (county_code, year, last_seq) VALUES ($1, $2, $3)
             ON CONFLICT (county_code, year) DO UPDATE SET last_seq = case_counters.last_seq + excluded.last_seq")
            .bind(COUNTY).bind($year).bind(ids.len() as i64)
            .execute(&mut *$tx).await?;
    }};
}

async fn insert(db: &Db, year: i64, batch: i64) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(p) => {
            let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
            insert_batch!(tx, year, batch, SEARCH_SQLITE);
            tx.commit().await
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            insert_batch!(tx, year, batch, SEARCH_POSTGRES);
            tx.commit().await
        }
    }
}

/// Cases per second (and each commit's latency) of raw durable inserts.
pub async fn raw_inserts(url: &str, run_no: usize, limit: Duration) -> Result<Sample> {
    let store = Store::open(url, crate::server::bench_key(url)?).await?;
    let db = store.db().clone();
    let year = 9000 + run_no as i64;
    // What an interrupted earlier run left behind.
    remove(store.db()).await?;
    // A ceiling made of failed inserts would be meaningless: the first must succeed.
    insert(&db, year, 1_000_000).await?;
    let mut sample = run(1, 100_000, limit, move |i| {
        let db = db.clone();
        async move { insert(&db, year, i as i64).await.is_ok() }
    })
    .await;
    sample.per_second *= PER_COMMIT as f64;
    remove(store.db()).await?;
    store.close().await;
    Ok(sample)
}

/// The ceiling's rows are not part of the data set.
async fn remove(db: &Db) -> Result<()> {
    let unindex = match db {
        Db::Sqlite(_) => {
            "DELETE FROM case_search WHERE rowid IN (SELECT id FROM cases WHERE county_code = '999999')"
        }
        Db::Postgres(_) => {
            "DELETE FROM case_search WHERE case_id IN (SELECT id FROM cases WHERE county_code = '999999')"
        }
    };
    let stmts = [
        unindex,
        "DELETE FROM case_counters WHERE county_code = '999999'",
        "DELETE FROM parties WHERE case_id IN (SELECT id FROM cases WHERE county_code = '999999')",
        "DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE county_code = '999999')",
        // Not yet chained: nothing seals while the ceiling is measured.
        "DELETE FROM audit_log WHERE chain_seq IS NULL AND case_id IN (SELECT id FROM cases WHERE county_code = '999999')",
        "DELETE FROM cases WHERE county_code = '999999'",
    ];
    for s in stmts {
        match db {
            Db::Sqlite(p) => sqlx::query(s).execute(p).await.map(|_| ())?,
            Db::Postgres(p) => sqlx::query(s).execute(p).await.map(|_| ())?,
        }
    }
    Ok(())
}
