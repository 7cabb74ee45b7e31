//! No lost writes: the server is killed with SIGKILL while many clients register and
//! accept cases; after a restart every acknowledged case and transition is there, the
//! database's own integrity check passes and the audit chain is whole.

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use concord_store::Db;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, bearer, dispute};

const PASSWORD: &str = "crash-test-pw";
/// Acknowledged registrations to wait for before the kill.
const ACKED_BEFORE_KILL: usize = 150;
const CLIENTS: usize = 16;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `concord serve` on the app's database and waits until it answers.
async fn start(app: &TestApp) -> (Child, String) {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database",
            &app.url,
        ])
        .arg("--key-file")
        .arg(&app.key_file)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start concord serve");
    let base = format!("http://127.0.0.1:{port}");
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the server exited before it answered: {status}");
        }
        if let Ok(r) = reqwest::get(format!("{base}/healthz")).await
            && r.status().is_success()
        {
            return (child, base);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[derive(Default)]
struct Acked {
    /// (id, number) of every registration answered 201.
    cases: Vec<(i64, String)>,
    /// Ids whose acceptance was answered 200.
    accepted: Vec<i64>,
}

/// Registers and accepts cases until the server stops answering.
async fn client(c: Client, base: String, token: String, acked: Arc<Mutex<Acked>>) {
    loop {
        let Ok(r) = c
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&dispute())
            .send()
            .await
        else {
            return;
        };
        if r.status() != StatusCode::CREATED {
            return;
        }
        let Ok(case) = r.json::<Value>().await else {
            return;
        };
        let id = case["id"].as_i64().unwrap();
        acked
            .lock()
            .unwrap()
            .cases
            .push((id, case["number"].as_str().unwrap().to_string()));
        let Ok(r) = c
            .post(format!("{base}/api/v1/cases/{id}/transitions"))
            .bearer_auth(&token)
            .json(&json!({"action": "accept"}))
            .send()
            .await
        else {
            return;
        };
        if r.status() != StatusCode::OK {
            return;
        }
        acked.lock().unwrap().accepted.push(id);
    }
}

async fn integrity_check(app: &TestApp) {
    match app.store.db() {
        Db::Sqlite(p) => {
            let r: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(p)
                .await
                .unwrap();
            assert_eq!(r, "ok");
        }
        Db::Postgres(p) => {
            // amcheck verifies every B-tree index of this schema against its table.
            sqlx::query("CREATE EXTENSION IF NOT EXISTS amcheck")
                .execute(p)
                .await
                .unwrap();
            let checked: i64 = sqlx::query_scalar(
                "SELECT COUNT(bt_index_check(c.oid, true)) FROM pg_index i
                 JOIN pg_class c ON c.oid = i.indexrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 JOIN pg_am a ON a.oid = c.relam
                 WHERE n.nspname = current_schema() AND a.amname = 'btree'",
            )
            .fetch_one(p)
            .await
            .unwrap();
            assert!(checked > 10, "indexes checked: {checked}");
        }
    }
}

both!(
    acknowledged_writes_survive_kill_9,
    |app: TestApp| async move {
        let (ok, out, err) = app.concord(&[
            "user",
            "add",
            "crash",
            "--name",
            "压力测试",
            "--role",
            "clerk",
            "--region",
            "331125000000",
            "--password",
            PASSWORD,
        ]);
        assert!(ok, "{out}{err}");
        let (mut server, base) = start(&app).await;
        let c = Client::new();
        let token = bearer(&c, &base, "crash", PASSWORD).await;
        let acked = Arc::new(Mutex::new(Acked::default()));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| {
                tokio::spawn(client(
                    c.clone(),
                    base.clone(),
                    token.clone(),
                    acked.clone(),
                ))
            })
            .collect();
        while acked.lock().unwrap().cases.len() < ACKED_BEFORE_KILL {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        server.kill().expect("SIGKILL"); // mid-flight: clients are still writing
        server.wait().unwrap();
        for t in clients {
            t.await.unwrap();
        }
        let acked = std::mem::take(&mut *acked.lock().unwrap());
        assert!(acked.cases.len() >= ACKED_BEFORE_KILL);

        let (mut server, base) = start(&app).await;
        let token = bearer(&c, &base, "crash", PASSWORD).await;
        for (id, number) in &acked.cases {
            let r = c
                .get(format!("{base}/api/v1/cases/{id}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::OK,
                "acknowledged case {number} lost"
            );
            let case: Value = r.json().await.unwrap();
            assert_eq!(case["number"], number.as_str());
            if acked.accepted.contains(id) {
                assert_eq!(
                    case["status"], "accepted",
                    "acknowledged acceptance of {number} lost"
                );
            }
        }
        server.kill().unwrap();
        server.wait().unwrap();

        integrity_check(&app).await;
        let (ok, out, err) = app.concord(&["audit", "verify"]);
        assert!(ok, "audit chain after the crash: {out}{err}");
    }
);
