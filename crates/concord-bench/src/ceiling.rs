//! The storage ceiling: the rows one registration writes (case, two parties, one event),
//! inserted raw, one transaction each, from 64 tasks, into the same database with the
//! same durability settings — no HTTP, no JSON, no validation.

use std::time::Duration;

use anyhow::Result;
use concord_store::{Db, Store};

use crate::load::{Sample, run};

const COUNTY: &str = "999999";

macro_rules! insert_one {
    ($tx:expr, $year:expr, $seq:expr) => {{
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (number, county_code, year, seq, kind, channel, category, description,
             region_code, address, amount_fen, complainants, complexity, level, tier, status,
             registered_at, version)
             VALUES ($1, $2, $3, $4, 'dispute', 'window', 'neighbor', $5, '331125003002', $6, 300000, 1,
                     'general', 'village', 'people', 'registered', $7, 1) RETURNING id")
            .bind(format!("ceiling-{}-{}", $year, $seq)).bind(COUNTY).bind($year).bind($seq)
            .bind("邻居建房时占用两家之间通道,且滴水落到其院内,多次协商未果,请求调解。")
            .bind("云和县白龙山街道大坪社区").bind(jiff::Timestamp::now().as_microsecond())
            .fetch_one(&mut *$tx).await?;
        for (i, (role, name, phone)) in [("applicant", "王某某", "13800138000"), ("respondent", "李某", "13900139000")].iter().enumerate() {
            sqlx::query("INSERT INTO parties (case_id, ordinal, role, kind, name, phone) VALUES ($1, $2, $3, 'person', $4, $5)")
                .bind(id).bind(i as i64).bind(*role).bind(*name).bind(*phone).execute(&mut *$tx).await?;
        }
        sqlx::query("INSERT INTO case_events (case_id, seq, at, actor_name, action, to_status, details)
                     VALUES ($1, 1, $2, 'bench', 'register', 'registered', '{}')")
            .bind(id).bind(jiff::Timestamp::now().as_microsecond()).execute(&mut *$tx).await?;
    }};
}

async fn insert(db: &Db, year: i64, seq: i64) -> Result<(), sqlx::Error> {
    match db {
        Db::Sqlite(p) => {
            let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
            insert_one!(tx, year, seq);
            tx.commit().await
        }
        Db::Postgres(p) => {
            let mut tx = p.begin().await?;
            insert_one!(tx, year, seq);
            tx.commit().await
        }
    }
}

pub async fn raw_inserts(url: &str, run_no: usize, limit: Duration) -> Result<Sample> {
    let store = Store::open(url).await?;
    let db = store.db().clone();
    let year = 9000 + run_no as i64;
    let sample = run(64, 100_000, limit, move |i| {
        let db = db.clone();
        async move { insert(&db, year, i as i64).await.is_ok() }
    })
    .await;
    remove(store.db()).await?;
    store.close().await;
    Ok(sample)
}

/// The ceiling's rows are not part of the data set.
async fn remove(db: &Db) -> Result<()> {
    let stmts = [
        "DELETE FROM parties WHERE case_id IN (SELECT id FROM cases WHERE county_code = '999999')",
        "DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE county_code = '999999')",
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
