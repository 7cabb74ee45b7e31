//! The data set at each scale, and the release server run on it as its own process.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use concord_store::Store;
use rand::Rng;
use serde_json::{Value, json};

use crate::load::{Sample, run};

const PORT: u16 = 18_080;

/// A PostgreSQL URL whose connections use `schema`, emptied first.
pub fn fresh_schema_url(database: &str, schema: &str) -> Result<String> {
    let rt = tokio::runtime::Handle::current();
    let url = tokio::task::block_in_place(|| rt.block_on(schema_url(database, schema, true)))?;
    Ok(url)
}

async fn schema_url(database: &str, schema: &str, fresh: bool) -> Result<String> {
    let admin = sqlx::PgPool::connect(database).await?;
    if fresh {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE"
        )))
        .execute(&admin)
        .await?;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}"
    )))
    .execute(&admin)
    .await?;
    admin.close().await;
    let sep = if database.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{database}{sep}options=-c%20search_path%3D{schema}"
    ))
}

/// Builds (or reuses) a database holding the demo county with `scale` cases.
pub async fn prepare(database: &str, data: &Path, scale: usize) -> Result<String> {
    let url = if database.starts_with("postgres") {
        schema_url(database, &format!("bench_{scale}"), false).await?
    } else {
        std::fs::create_dir_all(data)?;
        format!(
            "sqlite://{}",
            data.join(format!("cases-{scale}.db")).display()
        )
    };
    let store = Store::open(&url, bench_key(&url)?).await?;
    let have = store.count_cases().await? as usize;
    if have < scale {
        eprintln!("   generating {} cases…", scale - have);
        let t = std::time::Instant::now();
        concord_demo::load(&store, scale - have, jiff::Timestamp::now()).await?;
        eprintln!("   generated in {:.1} s", t.elapsed().as_secs_f64());
    }
    store.close().await;
    Ok(url)
}

/// The data set's key file: the generator and the server must use the same key.
pub fn key_path(url: &str) -> std::path::PathBuf {
    match url.split_once("search_path%3D") {
        Some((_, schema)) => std::env::temp_dir().join(format!("concord-bench-{schema}.key")),
        None => concord_store::default_key_path(url),
    }
}

pub fn bench_key(url: &str) -> Result<concord_store::PartyKey> {
    Ok(concord_store::PartyKey::load_or_create(&key_path(url))?.0)
}

pub struct Server {
    child: Child,
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    clerk: String,
    url: String,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub async fn start(url: &str) -> Result<Self> {
        let exe = std::env::current_exe()?.with_file_name("concord");
        if !exe.exists() {
            bail!(
                "{} not found: build it first (cargo build --release)",
                exe.display()
            );
        }
        let log = std::env::var("CONCORD_BENCH_SERVER_LOG").ok();
        let child = Command::new(&exe)
            .args([
                "serve",
                "--demo",
                "--listen",
                &format!("127.0.0.1:{PORT}"),
                "--database",
                url,
                "--key-file",
                &key_path(url).display().to_string(),
            ])
            // CONCORD_BENCH_SERVER_LOG=sqlx::query=debug, say, shows its statements (on
            // standard error).
            .env("RUST_LOG", log.as_deref().unwrap_or("warn"))
            .stdout(match log {
                Some(_) => Stdio::from(std::io::stderr()),
                None => Stdio::null(),
            })
            .spawn()
            .context("starting the server")?;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(128)
            .build()?;
        let base = format!("http://127.0.0.1:{PORT}");
        for _ in 0..300 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": "admin", "password": concord_demo::DEMO_PASSWORD}))
            .send()
            .await?
            .json()
            .await?;
        let clerk = login["token"].as_str().context("login")?.to_string();
        Ok(Self {
            child,
            base,
            client,
            clerk,
            url: url.to_string(),
        })
    }

    pub async fn healthz(&self, limit: Duration) -> Sample {
        let (c, u) = (self.client.clone(), format!("{}/healthz", self.base));
        run(64, 200_000, limit, move |_| {
            let (c, u) = (c.clone(), u.clone());
            async move { c.get(u).send().await.is_ok_and(|r| r.status().is_success()) }
        })
        .await
    }

    pub async fn intake(&self, limit: Duration) -> Sample {
        let (c, u, t) = (
            self.client.clone(),
            format!("{}/api/v1/cases", self.base),
            self.clerk.clone(),
        );
        run(64, 100_000, limit, move |i| {
            let (c, u, t, b) = (c.clone(), u.clone(), t.clone(), case_body(i));
            async move {
                c.post(u)
                    .bearer_auth(t)
                    .json(&b)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().as_u16() == 201)
            }
        })
        .await
    }

    /// Accepts cases still registered, 64 at a time.
    pub async fn transitions(&self, limit: Duration) -> Result<Sample> {
        let ids = Arc::new(
            self.ids(
                "SELECT id FROM cases WHERE status = 'registered' ORDER BY id DESC LIMIT 100000",
            )
            .await?,
        );
        let (c, base, t) = (self.client.clone(), self.base.clone(), self.clerk.clone());
        let n = ids.len() as u64;
        Ok(run(64, n, limit, move |i| {
            let (c, t, ids) = (c.clone(), t.clone(), ids.clone());
            let u = format!("{base}/api/v1/cases/{}/transitions", ids[i as usize]);
            async move {
                c.post(u)
                    .bearer_auth(t)
                    .json(&json!({"action": "accept"}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await)
    }

    /// The list a township's dispatcher opens: one township, one status, 50 a page.
    pub async fn list(&self, limit: Duration) -> Sample {
        let (c, base, t) = (self.client.clone(), self.base.clone(), self.clerk.clone());
        let queries = [
            "region=331125003000&limit=50",
            "region=331125105000&status=archived&limit=50",
            "category=labor&limit=50",
            "overdue=true&limit=50",
            "level=township&limit=50",
        ];
        run(4, 50_000, limit, move |i| {
            let u = format!(
                "{base}/api/v1/cases?{}",
                queries[i as usize % queries.len()]
            );
            let (c, t) = (c.clone(), t.clone());
            async move {
                c.get(u)
                    .bearer_auth(t)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await
    }

    /// Searches as people type them: case numbers, phones, and words.
    pub async fn search(&self, limit: Duration) -> Result<Sample> {
        let mut queries: Vec<String> = [
            "宅基地 围墙",
            "玩具厂",
            "电梯 物业费",
            "过敏",
            "大坪社区 排水沟",
            "赡养费",
        ]
        .iter()
        .map(|q| q.to_string())
        .collect();
        queries.extend(
            self.texts("SELECT number FROM cases ORDER BY id DESC LIMIT 20")
                .await?,
        );
        // Phones are stored sealed: the data set's key opens them.
        let key = bench_key(&self.url)?;
        for sealed in self
            .texts("SELECT phone FROM parties WHERE phone IS NOT NULL ORDER BY id DESC LIMIT 20")
            .await?
        {
            queries.push(key.open(&sealed)?);
        }
        let queries = Arc::new(queries);
        let (c, base, t) = (self.client.clone(), self.base.clone(), self.clerk.clone());
        Ok(run(4, 50_000, limit, move |i| {
            let q = queries[i as usize % queries.len()].clone();
            let (c, t, base) = (c.clone(), t.clone(), base.clone());
            async move {
                c.get(format!("{base}/api/v1/search"))
                    .query(&[("q", q)])
                    .bearer_auth(t)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await)
    }

    async fn texts(&self, sql: &'static str) -> Result<Vec<String>> {
        let store = concord_store::Store::open(&self.url, bench_key(&self.url)?).await?;
        Ok(match store.db() {
            concord_store::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
            concord_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
        })
    }

    /// Every case's id: pages ask for cases at random among them (PostgreSQL's ids have
    /// gaps where the storage ceiling's rows took numbers from the sequence). Only cases
    /// with a timeline: the counties copied in for the 10,000,000-case run have none
    /// (bench/copy-counties.sql), and a page without one would cost less.
    pub(crate) async fn case_ids(&self) -> Result<Arc<Vec<i64>>> {
        let ids = self
            .ids("SELECT id FROM cases c WHERE EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id)")
            .await?;
        anyhow::ensure!(!ids.is_empty(), "no cases to ask for");
        Ok(Arc::new(ids))
    }

    pub async fn case_page(&self, limit: Duration) -> Result<Sample> {
        let ids = self.case_ids().await?;
        let (c, base, t) = (self.client.clone(), self.base.clone(), self.clerk.clone());
        Ok(run(4, 50_000, limit, move |_| {
            let id = ids[rand::rng().random_range(0..ids.len())];
            let u = format!("{base}/api/v1/cases/{id}");
            let (c, t) = (c.clone(), t.clone());
            async move {
                c.get(u)
                    .bearer_auth(t)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        })
        .await)
    }

    async fn ids(&self, sql: &'static str) -> Result<Vec<i64>> {
        let store = concord_store::Store::open(&self.url, bench_key(&self.url)?).await?;
        Ok(match store.db() {
            concord_store::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
            concord_store::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
        })
    }

    /// The server's peak resident memory (VmHWM), in MB.
    pub fn peak_rss_mb(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

/// A typical window registration: a neighbour dispute with two parties, the `i`th of a
/// run. Each has parties of its own, as at a real window: one phone shared by a whole
/// run's parties would make every party look up tens of thousands of namesakes.
pub fn case_body(i: u64) -> Value {
    let first17 = format!(
        "3311251980{:02}{:02}{:03}",
        1 + i % 12,
        1 + (i / 12) % 28,
        (i / 336) % 1000
    );
    let check = concord_domain::person::IdNumber::check_char(first17.as_bytes()) as char;
    let id_number = format!("{first17}{check}");
    let (applicant, respondent) = (
        format!("138{:08}", i % 100_000_000),
        format!("139{:08}", i % 100_000_000),
    );
    json!({
        "kind": "dispute", "channel": "window", "category": "neighbor",
        "description": "邻居建房时占用两家之间通道,且滴水落到其院内,多次协商未果,请求调解。",
        "region": "331125003002", "address": "云和县白龙山街道大坪社区", "amount": 3000,
        "parties": [
            {"role": "applicant", "name": "王某某", "phone": applicant, "id_number": id_number},
            {"role": "respondent", "name": "李某", "phone": respondent}
        ]
    })
}

/// The server goes with its handle, also when a measurement fails half-way.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
