//! A server per test on a fresh database, with the demo county's directory and accounts.

use std::net::SocketAddr;
use std::str::FromStr;

use concord_store::{Db, Store};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// Generates `sqlite` and `postgres` variants of an async test taking a `TestApp`.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::TestApp::sqlite().await;
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = $crate::support::TestApp::postgres().await else {
                    return;
                };
                ($body)(app).await;
            }
        }
    };
}

pub struct TestApp {
    pub state: concord_web::AppState,
    /// The database, as the `concord` command takes it (`--database`).
    pub url: String,
    /// The key file holding this app's party key (`--key-file`).
    pub key_file: std::path::PathBuf,
    pub base: String,
    pub client: Client,
    pub store: Store,
    cleanup: Option<Cleanup>,
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Schema(String, String),
}

fn unique(prefix: &str) -> String {
    let n: u64 = rand::random();
    format!("{prefix}_{}_{n:016x}", std::process::id())
}

pub fn postgres_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

impl TestApp {
    pub async fn sqlite() -> Self {
        let dir = std::env::temp_dir().join(unique("concord_test"));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}", dir.join("concord.db").display());
        let key = concord_store::PartyKey::random();
        let store = Store::open(&url, key.clone()).await.expect("open sqlite");
        Self::start(store, key, url, Cleanup::Dir(dir)).await
    }

    /// None (after saying so loudly) when PostgreSQL is not reachable, unless
    /// CONCORD_REQUIRE_POSTGRES=1, as in CI, where that is a failure.
    pub async fn postgres() -> Option<Self> {
        let url = postgres_url();
        let admin = match PgPoolOptions::new().max_connections(1).connect(&url).await {
            Ok(p) => p,
            Err(e) => {
                if std::env::var("CONCORD_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!(
                        "PostgreSQL is required (CONCORD_REQUIRE_POSTGRES=1) but {url} is not reachable: {e}"
                    );
                }
                eprintln!(
                    "\n!!! POSTGRESQL NOT REACHABLE at {url}: {e}\n!!! SKIPPING the PostgreSQL run of this test\n"
                );
                return None;
            }
        };
        let schema = unique("t");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
        let opts = PgConnectOptions::from_str(&url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await
            .unwrap();
        let key = concord_store::PartyKey::random();
        let store = Store::from_db(Db::Postgres(pool), key.clone())
            .await
            .expect("migrate postgres");
        let sep = if url.contains('?') { '&' } else { '?' };
        let with_schema = format!("{url}{sep}options=-c%20search_path%3D{schema}");
        Some(Self::start(store, key, with_schema, Cleanup::Schema(url, schema)).await)
    }

    async fn start(
        store: Store,
        key: concord_store::PartyKey,
        url: String,
        cleanup: Cleanup,
    ) -> Self {
        let key_file = std::env::temp_dir().join(unique("concord_key"));
        std::fs::write(&key_file, key.to_text()).unwrap();
        concord_demo::load(&store, 0, jiff::Timestamp::now())
            .await
            .expect("demo directory");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let state = concord_web::AppState::new(store.clone(), true)
            .await
            .expect("app state");
        tokio::spawn(concord_web::serve_on(listener, state.clone()));
        Self {
            state,
            url,
            key_file,
            base: format!("http://{addr}"),
            client: Client::new(),
            store,
            cleanup: Some(cleanup),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Logs in as a demo account and returns its bearer token.
    pub async fn token(&self, user: &str) -> String {
        bearer(&self.client, &self.base, user, concord_demo::DEMO_PASSWORD).await
    }

    pub async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
        read(
            self.client
                .get(self.url(path))
                .bearer_auth(token)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.client
                .post(self.url(path))
                .bearer_auth(token)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn put(&self, token: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        read(
            self.client
                .put(self.url(path))
                .bearer_auth(token)
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    pub async fn post_raw(&self, token: &str, path: &str, body: &str) -> (StatusCode, Value) {
        let r = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        read(r).await
    }

    /// Registers a case and returns it (asserting 201).
    pub async fn create(&self, token: &str, body: &Value) -> Value {
        let (status, case) = self.post(token, "/api/v1/cases", body).await;
        assert_eq!(status, StatusCode::CREATED, "{case}");
        case
    }

    pub async fn act(&self, token: &str, id: i64, action: Value) -> (StatusCode, Value) {
        self.post(token, &format!("/api/v1/cases/{id}/transitions"), &action)
            .await
    }

    /// Runs the `concord` command on this app's database: (succeeded, stdout, stderr).
    pub fn concord(&self, args: &[&str]) -> (bool, String, String) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_concord"))
            .args(args)
            .arg("--database")
            .arg(&self.url)
            .arg("--key-file")
            .arg(&self.key_file)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run concord");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Drafts a one-term agreement and has every party sign it in person (the case must
    /// be in mediation or agreed); returns the agreement.
    pub async fn agree_and_sign(&self, token: &str, id: i64) -> Value {
        let draft = json!({"facts": "双方因房屋墙面开裂发生纠纷", "terms": [{"text": "被申请人赔偿修缮费5000元", "due": "2026-12-31", "amount": 5000}]});
        let (s, a) = self
            .put(token, &format!("/api/v1/cases/{id}/agreement"), &draft)
            .await;
        assert_eq!(s, StatusCode::OK, "{a}");
        let (_, c) = self.get(token, &format!("/api/v1/cases/{id}")).await;
        for party in 0..c["parties"].as_array().unwrap().len() {
            let body = json!({"party": party, "text_hash": a["text_hash"]});
            let (s, signed) = self
                .post(
                    token,
                    &format!("/api/v1/cases/{id}/agreement/signatures"),
                    &body,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{signed}");
        }
        let (_, a) = self
            .get(token, &format!("/api/v1/cases/{id}/agreement"))
            .await;
        assert_eq!(a["all_signed"], true, "{a}");
        a
    }

    /// The id of the first mediator with this name.
    pub async fn mediator(&self, name: &str) -> i64 {
        let all = self.store.mediators(None).await.unwrap();
        all.iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .id
    }

    /// The id of the first organization with this name.
    pub async fn org(&self, name: &str) -> i64 {
        let orgs = self.store.organizations(None).await.unwrap();
        orgs.iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("{name}"))
            .id
    }
}

pub async fn read(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.key_file);
        match self.cleanup.take() {
            Some(Cleanup::Dir(dir)) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Some(Cleanup::Schema(url, schema)) => {
                // Best effort, on a thread of its own: the test's runtime is ending.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .unwrap();
                    rt.block_on(async {
                        if let Ok(p) = PgPoolOptions::new().max_connections(1).connect(&url).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP SCHEMA {schema} CASCADE"
                            )))
                            .execute(&p)
                            .await;
                        }
                    });
                })
                .join();
            }
            None => {}
        }
    }
}

/// Logs in at a server and returns the bearer token (asserting 200).
pub async fn bearer(client: &Client, base: &str, user: &str, password: &str) -> String {
    let r = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {user}");
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A valid dispute in 大坪社区, 白龙山街道, 云和县.
pub fn dispute() -> Value {
    json!({
        "kind": "dispute",
        "channel": "window",
        "category": "neighbor",
        "description": "邻居建房导致我家墙面开裂,多次协商未果,要求赔偿修缮费用。",
        "region": "331125003002",
        "address": "云和县白龙山街道大坪社区",
        "amount": 8000,
        "complainants": 1,
        "complexity": "general",
        "parties": [
            {"role": "applicant", "name": "王某某", "phone": "13800138000", "id_number": "11010519491231002X"},
            {"role": "respondent", "name": "李某", "phone": "0578-5123456"}
        ]
    })
}
