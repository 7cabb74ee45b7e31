//! Webhooks: signed deliveries of every change, in order per case, retried after
//! failures, kept across a restart, and never in intake's way.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxStatus};
use concord_web::webhooks::{client, deliver_due, signature};
use jiff::{SignedDuration, Timestamp};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{TestApp, dispute};

/// What a subscriber received: (event header, signature header, body).
type Inbox = Arc<Mutex<Vec<(String, String, String)>>>;

/// A subscriber that answers 500 to its first `fail_first` deliveries, then 200.
async fn subscriber(fail_first: usize) -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    let failures = Arc::new(Mutex::new(fail_first));
    let (rx, left) = (inbox.clone(), failures.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let (rx, left) = (rx.clone(), left.clone());
            async move {
                let mut left = left.lock().unwrap();
                if *left > 0 {
                    *left -= 1;
                    return AxStatus::INTERNAL_SERVER_ERROR;
                }
                let h = |n: &str| headers[n].to_str().unwrap().to_string();
                rx.lock()
                    .unwrap()
                    .push((h("x-concord-event"), h("x-concord-signature"), body));
                AxStatus::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, inbox)
}

async fn subscribe(app: &TestApp, admin: &str, url: &str, events: Value) -> (i64, String) {
    let (s, w) = app
        .post(
            admin,
            "/api/v1/webhooks",
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    (
        w["id"].as_i64().unwrap(),
        w["secret"].as_str().unwrap().to_string(),
    )
}

/// Seals the record and runs delivery rounds, an hour apart, until nothing is waiting.
async fn deliver_all(app: &TestApp) -> usize {
    app.store.seal_audit().await.unwrap();
    let c = client();
    let mut now = Timestamp::now();
    let mut through = 0;
    for _ in 0..20 {
        through += deliver_due(&app.store, &c, now).await.unwrap();
        now += SignedDuration::from_hours(1);
    }
    through
}

both!(
    every_change_is_delivered_signed_in_order_per_case_despite_failures,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let (url, inbox) = subscriber(3).await;
        let (id, secret) = subscribe(&app, &admin, &url, json!([])).await;
        let (accepts_url, accepts) = subscriber(0).await;
        subscribe(&app, &admin, &accepts_url, json!(["accept"])).await;

        let a = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        let b = app.create(&clerk, &dispute()).await["id"].as_i64().unwrap();
        for case in [a, b] {
            let (s, _) = app.act(&clerk, case, json!({"action": "accept"})).await;
            assert_eq!(s, StatusCode::OK);
        }
        let (s, _) = app
            .act(
                &clerk,
                a,
                json!({"action": "withdraw", "reason": "双方已自行和解"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);

        deliver_all(&app).await;
        let got = inbox.lock().unwrap().clone();
        let events_of = |case: i64| -> Vec<String> {
            got.iter()
                .filter_map(|(_, _, body)| {
                    let v: Value = serde_json::from_str(body).unwrap();
                    (v["case"]["id"] == case).then(|| v["event"].as_str().unwrap().to_string())
                })
                .collect()
        };
        assert_eq!(
            events_of(a),
            ["register", "accept", "withdraw"],
            "in order, after 3 failures"
        );
        assert_eq!(events_of(b), ["register", "accept"]);
        for (event, sig, body) in &got {
            assert_eq!(
                sig,
                &signature(&secret, body),
                "signed with the subscriber's secret"
            );
            assert!(body.contains(&format!("\"event\":\"{event}\"")));
            assert!(
                !body.contains("13800138000"),
                "no personal data in a delivery"
            );
        }
        let only: Vec<String> = accepts
            .lock()
            .unwrap()
            .iter()
            .map(|(e, _, _)| e.clone())
            .collect();
        assert_eq!(
            only,
            ["accept", "accept"],
            "a subscriber hears only the events it asked for"
        );

        // The log shows the failed tries.
        let (_, log) = app
            .get(&admin, &format!("/api/v1/webhooks/{id}/deliveries"))
            .await;
        let log = log.as_array().unwrap();
        assert_eq!(log.len(), 5);
        assert!(log.iter().all(|d| d["delivered_at"].is_string()));
        let retried: i64 = log
            .iter()
            .map(|d| d["attempts"].as_i64().unwrap() - 1)
            .sum();
        assert_eq!(retried, 3);
        assert!(
            log.iter()
                .any(|d| d["last_status"] == 200 && d["attempts"].as_i64().unwrap() > 1)
        );

        // Removed: nothing more is cut for it.
        let (s, _) = app
            .client
            .delete(app.url(&format!("/api/v1/webhooks/{id}")))
            .bearer_auth(&admin)
            .send()
            .await
            .map(|r| (r.status(), ()))
            .unwrap();
        assert_eq!(s, StatusCode::NO_CONTENT);
        app.create(&clerk, &dispute()).await;
        deliver_all(&app).await;
        assert_eq!(inbox.lock().unwrap().len(), 5);
    }
);

both!(
    deliveries_wait_out_a_restart_and_a_hanging_subscriber_slows_no_one,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        // A subscriber that is down: the connection is refused.
        let down = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let down_addr = down.local_addr().unwrap();
        drop(down);
        let (id, _) = subscribe(&app, &admin, &format!("http://{down_addr}/hook"), json!([])).await;
        app.create(&clerk, &dispute()).await;
        app.store.seal_audit().await.unwrap();
        assert_eq!(
            deliver_due(&app.store, &client(), Timestamp::now())
                .await
                .unwrap(),
            0
        );

        // "Restart": a new store on the same database finds the delivery waiting and,
        // once the subscriber is back at that address, sends it.
        let (key, _) = concord_store::PartyKey::load_or_create(&app.key_file).unwrap();
        let reopened = concord_store::Store::open(&app.url, key).await.unwrap();
        let back = tokio::net::TcpListener::bind(down_addr).await.unwrap();
        let inbox: Arc<Mutex<Vec<String>>> = Arc::default();
        let rx = inbox.clone();
        let hook = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |body: String| {
                let rx = rx.clone();
                async move {
                    rx.lock().unwrap().push(body);
                    AxStatus::NO_CONTENT
                }
            }),
        );
        tokio::spawn(async move { axum::serve(back, hook).await });
        let later = Timestamp::now() + SignedDuration::from_hours(1);
        assert_eq!(deliver_due(&reopened, &client(), later).await.unwrap(), 1);
        assert!(inbox.lock().unwrap()[0].contains("\"event\":\"register\""));
        let (_, log) = app
            .get(&admin, &format!("/api/v1/webhooks/{id}/deliveries"))
            .await;
        assert_eq!(log[0]["attempts"], 2);
        assert!(log[0]["last_error"].is_null(), "the last try got through");

        // A subscriber that accepts the connection and never answers.
        let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let hang_url = format!("http://{}/hook", hang.local_addr().unwrap());
        let (reached, mut waiting) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut held = Vec::new();
            loop {
                let (sock, _) = hang.accept().await.unwrap();
                held.push(sock);
                let _ = reached.send(());
            }
        });
        subscribe(&app, &admin, &hang_url, json!([])).await;
        app.create(&clerk, &dispute()).await;
        app.store.seal_audit().await.unwrap();
        let store = app.store.clone();
        let round =
            tokio::spawn(async move { deliver_due(&store, &client(), Timestamp::now()).await });
        waiting
            .recv()
            .await
            .expect("the delivery reaches the hanging subscriber");
        let case = app.create(&clerk, &dispute()).await;
        assert!(case["number"].is_string(), "intake goes on");
        assert!(
            !round.is_finished(),
            "while the delivery still waits for its answer"
        );
        round.abort();
    }
);

both!(
    subscriptions_are_checked_and_for_administrators_only,
    |app: TestApp| async move {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let (s, _) = app
            .post(
                &clerk,
                "/api/v1/webhooks",
                &json!({"url": "http://example.org/h"}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app
            .post(
                &admin,
                "/api/v1/webhooks",
                &json!({"url": "ftp://x", "events": ["accept", "explode"]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = e["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["url", "events[1]"], "{e}");
        let (s, _) = app
            .post(
                &admin,
                "/api/v1/webhooks",
                &json!({"url": "http://example.org/h", "region": "310000000000"}),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside the administrator's region"
        );
        let r = app
            .client
            .delete(app.url("/api/v1/webhooks/999"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);
